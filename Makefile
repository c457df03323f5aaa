# lrkit developer commands. `make run` and `make test` are all a fresh machine needs.
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
TIMM_SPEC  ?= timm==1.0.31
PIP        := $(BIN)/python -m pip
PIP_FLAGS  ?= --no-compile --disable-pip-version-check
# Editable install that re-runs `cmake --build` on the first import after a csrc/ edit.
SKB_DEV    := -Ceditable.rebuild=true -Cbuild-dir=build/{wheel_tag} -Ceditable.verbose=false
# A real plugin package, installed into the venv so the tests use it by name (docs/plugins.md).
EXAMPLE_PLUGIN := examples/lrkit-example-plugin

.PHONY: install run test bench benchmarks perf-docs lint sanitize fuzz clean
.DEFAULT_GOAL := test

install: $(VENV)/.stamp
$(VENV)/.stamp: pyproject.toml CMakeLists.txt $(EXAMPLE_PLUGIN)/pyproject.toml $(EXAMPLE_PLUGIN)/lrkit_example_plugin/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')" > $(VENV)/build-requires.txt
	# torch is pinned in the same pip call: unpinned, pip would pick a multi-GB CUDA build.
	$(PIP) install $(PIP_FLAGS) "$(TORCH_SPEC)" -r $(VENV)/build-requires.txt
	$(PIP) install $(PIP_FLAGS) --no-build-isolation $(SKB_DEV) -e '.[test,lint,integration,peers]' "$(TORCH_SPEC)"
	# timm's schedulers (tests/parity): --no-deps, its torchvision dependency would replace torch.
	$(PIP) install $(PIP_FLAGS) --no-deps "$(TIMM_SPEC)"
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

# tests/test_fuzz.py at volume: ~100,000 examples (random trees, table arguments, malformed
# configs, scheduler sessions with save/load).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

# The engine built with AddressSanitizer + UndefinedBehaviorSanitizer in its own venv (no torch:
# the tests below exercise the engine alone), run under the sanitizers' runtime; any report fails.
SAN_VENV  := .venv-sanitize
SAN_TESTS := tests/test_engine.py tests/test_core_boundary.py tests/test_properties.py \
             tests/test_primitives.py tests/test_combinators.py tests/test_cycles.py \
             tests/test_accuracy.py tests/test_dispatch.py tests/test_parity.py tests/test_fuzz.py
SAN_ENV   := LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
             ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:abort_on_error=1:allocator_may_return_null=1 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sanitize: $(VENV)/.stamp
	test -x $(SAN_VENV)/bin/python || $(PYTHON) -m venv $(SAN_VENV)
	$(SAN_VENV)/bin/python -m pip install $(PIP_FLAGS) -r $(VENV)/build-requires.txt numpy pluggy pytest hypothesis
	$(SAN_VENV)/bin/python -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation \
	  -Ccmake.define.LRKIT_SANITIZE=ON -Ccmake.build-type=RelWithDebInfo -Cbuild-dir=build/sanitize .
	$(SAN_ENV) $(SAN_VENV)/bin/python -m pytest -q -p no:cacheprovider $(SAN_TESTS)

clean:
	rm -rf $(VENV) $(SAN_VENV) build .pytest_cache .hypothesis .benchmarks .mypy_cache .ruff_cache
