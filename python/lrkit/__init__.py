"""lrkit: learning-rate (and other hyper-parameter) schedules with a C++ bulk engine.

Schedules are immutable functions of the optimizer step built from primitives and combinators::

    import lrkit
    s = lrkit.warmup(lrkit.cosine(start=0.1, end=0.0, length=lrkit.epochs(190)),
                     length=lrkit.epochs(10)).resolve(steps_per_epoch=50)
    s(1234)              # pure-Python reference value at step 1234
    s.table(10_000)      # float64 values of steps 0..9999 from the C++ engine

``import lrkit`` does not import torch; ``lrkit.torch`` holds the PyTorch integration.
"""

from __future__ import annotations

from typing import Any

from lrkit._native import core as _core  # noqa: F401  (fails early, with advice, if unbuilt)
from lrkit._version import __version__
from lrkit.combinators import (
    clip,
    per_group,
    product,
    repeat,
    scale,
    sequence,
    warmup,
)
from lrkit.cycles import cosine_restarts, cyclic, noise, one_cycle, warmup_cosine, wsd
from lrkit.hookspecs import hookimpl, hookspec
from lrkit.primitives import (
    constant,
    cosine,
    exponential,
    inverse_sqrt,
    linear,
    multistep,
    piecewise_constant,
    piecewise_linear,
    polynomial,
    step,
    tanh,
)
from lrkit.registry import UnknownScheduleError, create, schedules
from lrkit.schedule import NonFiniteValueError, Schedule
from lrkit.units import Epochs, Fraction, UnresolvedDurationError, epochs, fraction

__all__ = [
    "Epochs",
    "Fraction",
    "NonFiniteValueError",
    "Schedule",
    "UnknownScheduleError",
    "UnresolvedDurationError",
    "__version__",
    "adjust_learning_rate",
    "clip",
    "constant",
    "cosine",
    "cosine_restarts",
    "create",
    "cyclic",
    "epochs",
    "exponential",
    "fraction",
    "hookimpl",
    "hookspec",
    "inverse_sqrt",
    "linear",
    "multistep",
    "noise",
    "one_cycle",
    "per_group",
    "piecewise_constant",
    "piecewise_linear",
    "polynomial",
    "product",
    "repeat",
    "scale",
    "schedules",
    "sequence",
    "step",
    "tanh",
    "warmup",
    "warmup_cosine",
    "wsd",
]


def __getattr__(name: str) -> Any:
    # The torch-facing function is imported on first use so that `import lrkit` stays torch-free.
    if name == "adjust_learning_rate":
        from lrkit.torch.functional import adjust_learning_rate  # type: ignore[import-not-found, unused-ignore]

        return adjust_learning_rate
    if name == "plugins":  # the plugin manager's module, without an import of its own
        import importlib

        return importlib.import_module("lrkit.plugins")
    raise AttributeError(f"module 'lrkit' has no attribute {name!r}")
