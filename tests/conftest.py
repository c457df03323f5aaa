"""Shared test settings: Hypothesis profiles (no deadline: the first torch import takes seconds)."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
# `make fuzz`: tests/test_fuzz.py at volume (its session property runs a tenth of these).
settings.register_profile(
    "fuzz", deadline=None, max_examples=33_000, print_blob=True, derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Not a module of doctests (--doctest-modules, pyproject.toml): collected as one, it would be
# imported a second time under the name `conftest`, which python/conftest.py already holds.
collect_ignore = ["conftest.py"]
