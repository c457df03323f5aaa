"""What the numbers were measured on: CPU, SIMD path of the engine, threads, versions."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from lrkit._native import core

__all__ = [
    "FEATURES",
    "cpu_features",
    "cpu_model",
    "engine_threads",
    "load_average",
    "machine_info",
    "simd_level",
]

#: CPU features the engine's dispatch cares about, as /proc/cpuinfo names them.
FEATURES = ("avx512f", "avx2", "fma", "sse2", "neon", "asimd")


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux, else what ``platform`` knows)."""
    for key in ("model name", "Processor", "Hardware"):
        value = _cpuinfo().get(key)
        if value:
            return value
    return platform.processor() or platform.machine() or "unknown"


def cpu_features() -> list[str]:
    """Which of :data:`FEATURES` the CPU has (empty where /proc/cpuinfo is not readable)."""
    flags = set((_cpuinfo().get("flags") or _cpuinfo().get("Features") or "").split())
    return [f for f in FEATURES if f in flags]


def _cpuinfo() -> dict[str, str]:
    """The first processor's ``key: value`` lines of /proc/cpuinfo."""
    info: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if not line.strip():
                    if info:
                        break
                    continue
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return info


def simd_level() -> str:
    """The SIMD path the engine dispatched to (``lrkit._core.simd_level()`` where the engine
    reports it, e.g. "avx512f", "avx2", "sse2", "scalar"), else "unknown"."""
    for name in ("simd_level", "simd_path", "SIMD"):
        value = getattr(core, name, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            return value
    return "unknown"


def engine_threads() -> int:
    """The engine's most threads per table: ``LRKIT_NUM_THREADS`` (>= 1) if set, else the
    CPU count, at most 4 (as csrc/table.hpp reads them), unless the engine reports its own."""
    for name in ("num_threads", "max_threads"):
        value = getattr(core, name, None)
        if callable(value):
            value = value()
        if isinstance(value, int) and value >= 1:
            return value
    try:
        given = int(os.environ.get("LRKIT_NUM_THREADS", ""))
    except ValueError:
        given = 0
    return given if given >= 1 else min(max(os.cpu_count() or 1, 1), 4)


def load_average() -> float | None:
    """The 1-minute load average (processes running or waiting), where the OS reports it: above
    about the CPU count, other work shared the machine during the measurement."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    """Everything above as plain data (torch's thread count only if torch is imported)."""
    torch = sys.modules.get("torch")
    return {
        "cpu": cpu_model(),
        "cpu_features": cpu_features(),
        "cpus": os.cpu_count(),
        "arch": platform.machine(),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "lrkit": _version("lrkit"),
        "simd": simd_level(),
        "engine_threads": engine_threads(),
        "threads_env": os.environ.get("LRKIT_NUM_THREADS"),
    }
