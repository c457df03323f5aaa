"""Optional packages the tests compare lrkit with (host frameworks, peer libraries).

A missing package skips the tests that need it, except where ``CI=true`` (``.ci/run`` sets it):
there it fails them, so a broken CI environment cannot turn real comparisons into silent skips.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def package(module: str) -> Any:
    """The imported ``module``: skips the calling test when it is missing, fails it in CI."""
    if not in_ci():
        return pytest.importorskip(module)
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pytest.fail(f"CI=true and {module!r} does not import: {exc}")


def timm_scheduler() -> Any:
    """``timm.scheduler``, imported without timm's package ``__init__`` (which imports the model
    zoo and torchvision): a bare ``timm`` package module whose path is the installed package's.
    Skips the calling test when timm is missing, fails it in CI."""
    import importlib.util
    import sys
    import types

    if "timm" not in sys.modules:
        spec = importlib.util.find_spec("timm")
        if spec is None or not spec.submodule_search_locations:
            return package("timm.scheduler")  # skips, or fails in CI
        bare = types.ModuleType("timm")
        bare.__path__ = list(spec.submodule_search_locations)
        sys.modules["timm"] = bare
    return package("timm.scheduler")
