"""lrkit's version, read from the installed distribution's metadata (pyproject's, one source)."""

from __future__ import annotations

import importlib.metadata

try:
    __version__ = importlib.metadata.version("lrkit")
except importlib.metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
