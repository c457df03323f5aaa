# lrkit developer commands. `make run` and `make test` are all a fresh machine needs.
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
PIP        := $(BIN)/python -m pip
PIP_FLAGS  ?= --no-compile --disable-pip-version-check
# Editable install that re-runs `cmake --build` on the first import after a csrc/ edit.
SKB_DEV    := -Ceditable.rebuild=true -Cbuild-dir=build/{wheel_tag} -Ceditable.verbose=false
# A real plugin package, installed into the venv so the tests use it by name (docs/plugins.md).
EXAMPLE_PLUGIN := examples/lrkit-example-plugin

.PHONY: install run test bench benchmarks perf-docs lint clean
.DEFAULT_GOAL := test

install: $(VENV)/.stamp
$(VENV)/.stamp: pyproject.toml CMakeLists.txt $(EXAMPLE_PLUGIN)/pyproject.toml $(EXAMPLE_PLUGIN)/lrkit_example_plugin/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')" > $(VENV)/build-requires.txt
	# torch is pinned in the same pip call: unpinned, pip would pick a multi-GB CUDA build.
	$(PIP) install $(PIP_FLAGS) "$(TORCH_SPEC)" -r $(VENV)/build-requires.txt
	$(PIP) install $(PIP_FLAGS) --no-build-isolation $(SKB_DEV) -e '.[test,lint,integration]' "$(TORCH_SPEC)"
	# The example plugin (tests/plugins use it by name); --no-deps: lrkit is the editable one above.
	$(PIP) install $(PIP_FLAGS) --no-deps ./$(EXAMPLE_PLUGIN)
	touch $@

run: install
	$(BIN)/python -m lrkit.demo

test: install
	$(BIN)/python -m pytest -q

# The performance report: measured ratios against the targets (docs/performance.md).
bench: install
	$(BIN)/lrkit bench

# The pytest-benchmark suite (one group per row of the report); the single-thread rows need
# LRKIT_NUM_THREADS=1 from the start of the process, hence the second run.
BENCH_COLUMNS := --benchmark-columns=min,median,mean,rounds
benchmarks: install
	$(BIN)/python -m pytest -q benchmarks --benchmark-only $(BENCH_COLUMNS)
	LRKIT_NUM_THREADS=1 $(BIN)/python -m pytest -q benchmarks -m single_thread --benchmark-only $(BENCH_COLUMNS)

# Measures again and rewrites the measured part of docs/performance.md and its plot.
perf-docs: install
	$(BIN)/python benchmarks/update_docs.py

lint: install
	$(BIN)/ruff check python tests benchmarks examples
	$(BIN)/ruff format --check python tests benchmarks examples
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis .benchmarks .mypy_cache .ruff_cache
