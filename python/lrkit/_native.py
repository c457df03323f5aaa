"""Loads the compiled engine ``lrkit._core`` and refuses a missing or stale build."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

# The one ABI number: CMake compiles it into lrkit._core (kAbiVersion, csrc/module.cpp); bump
# it when the extension's Python-visible interface changes, and a stale build is refused.
ABI_VERSION = 13

_HOW_TO_BUILD = (
    "From a source checkout run `make install` (or `pip install -e .`); "
    "installed packages: reinstall with `pip install --force-reinstall lrkit`."
)


def load_core() -> ModuleType:
    """Import ``lrkit._core``, with an error that says how to build it when it is unusable."""
    try:
        _core = importlib.import_module("lrkit._core")
    except ImportError as exc:
        raise ImportError(
            f"lrkit's C++ engine (lrkit._core) is not built or cannot be loaded ({exc}). "
            + _HOW_TO_BUILD
        ) from exc
    found = getattr(_core, "ABI_VERSION", None)
    if found != ABI_VERSION:
        raise ImportError(
            f"lrkit's C++ engine (lrkit._core) is stale: it has ABI version {found}, "
            f"this Python code needs {ABI_VERSION}. Rebuild it. " + _HOW_TO_BUILD
        )
    return _core


__all__ = ["ABI_VERSION", "core", "load_core"]

if TYPE_CHECKING:
    from lrkit import _core as core
else:
    core = load_core()
