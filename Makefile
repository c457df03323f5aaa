# lrkit developer commands. `make run` and `make test` are all a fresh machine needs.
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
TIMM_SPEC  ?= timm==1.0.31
PIP        := $(BIN)/python -m pip
PIP_FLAGS  ?= --no-compile --disable-pip-version-check
# Editable install: Python edits are live at once; the C++ extension is rebuilt by `make` (any
# target below) or `make build` when csrc/, CMakeLists.txt or _native.py changed, never checked
# at import (an import costs what it costs from a wheel).
SKB_DEV    := -Cbuild-dir=build/{wheel_tag} -Ceditable.verbose=false
# Requirements read from pyproject.toml (tomllib, or tomli on Python 3.10).
REQS       := $(BIN)/python scripts/requirements.py
CSRC       := $(wildcard csrc/*.cpp csrc/*.hpp) CMakeLists.txt python/lrkit/_native.py
# A real plugin package, installed into the venv so the tests use it by name (docs/plugins.md).
EXAMPLE_PLUGIN := examples/lrkit-example-plugin
# The stages of .venv: the base (build requirements), then two jobs at once: lrkit's runtime
# requirements with torch, and lrkit built from the current sources (editable, --no-deps: the
# two pip calls install different packages); together all `make run` needs. Then the developer
# extras (tests, lint, host frameworks, peers).
BASE_STAMP  := $(VENV)/.stamp-base
TORCH_STAMP := $(VENV)/.stamp-torch
BUILD_STAMP := $(VENV)/.stamp-build
DEV_STAMP   := $(VENV)/.stamp

.PHONY: install ready build run test bench benchmarks perf-docs lint sanitize fuzz clean
.DEFAULT_GOAL := test

$(BASE_STAMP): pyproject.toml scripts/requirements.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# pip >= 23.1 for -C (Python 3.10's venv comes with an older one); tomli for Python 3.10.
	$(PIP) install $(PIP_FLAGS) "pip>=23.1" "tomli>=1.1; python_version < '3.11'"
	$(REQS) build-system > $(VENV)/build-requires.txt
	$(PIP) install $(PIP_FLAGS) -r $(VENV)/build-requires.txt
	touch $@

$(TORCH_STAMP): $(BASE_STAMP)
	$(REQS) dependencies > $(VENV)/requirements.txt
	# torch is pinned in the same pip call: unpinned, pip would pick a multi-GB CUDA build.
	$(PIP) install $(PIP_FLAGS) "$(TORCH_SPEC)" -r $(VENV)/requirements.txt
	touch $@

$(BUILD_STAMP): $(BASE_STAMP) $(CSRC)
	$(PIP) install $(PIP_FLAGS) --no-build-isolation --no-deps $(SKB_DEV) -e .
	touch $@

# torch installs while the extension compiles.
ready:
	@$(MAKE) --no-print-directory -j2 --output-sync=target $(TORCH_STAMP) $(BUILD_STAMP)

build: ready

install: ready $(DEV_STAMP)
# After `ready` (order-only): a C++ rebuild does not reinstall the extras.
$(DEV_STAMP): pyproject.toml $(EXAMPLE_PLUGIN)/pyproject.toml $(EXAMPLE_PLUGIN)/lrkit_example_plugin/__init__.py | ready
	$(REQS) extras test lint integration peers > $(VENV)/dev-requirements.txt
	$(PIP) install $(PIP_FLAGS) "$(TORCH_SPEC)" -r $(VENV)/dev-requirements.txt
	# timm's schedulers (tests/parity): --no-deps, its torchvision dependency would replace torch.
	$(PIP) install $(PIP_FLAGS) --no-deps "$(TIMM_SPEC)"
	# The example plugin (tests/plugins use it by name); --no-deps: lrkit is the editable one above.
	$(PIP) install $(PIP_FLAGS) --no-deps ./$(EXAMPLE_PLUGIN)
	touch $@

# The demo needs lrkit and torch only: no test or lint extras.
run: ready
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
sanitize: $(BASE_STAMP)
	test -x $(SAN_VENV)/bin/python || $(PYTHON) -m venv $(SAN_VENV)
	$(SAN_VENV)/bin/python -m pip install $(PIP_FLAGS) -r $(VENV)/build-requires.txt numpy pluggy pytest hypothesis
	$(SAN_VENV)/bin/python -m pip install $(PIP_FLAGS) --no-deps --no-build-isolation \
	  -Ccmake.define.LRKIT_SANITIZE=ON -Ccmake.build-type=RelWithDebInfo -Cbuild-dir=build/sanitize .
	$(SAN_ENV) $(SAN_VENV)/bin/python -m pytest -q -p no:cacheprovider $(SAN_TESTS)

clean:
	rm -rf $(VENV) $(SAN_VENV) .venv-tools .venv-wheel dist build .pytest_cache .hypothesis .benchmarks .mypy_cache .ruff_cache
