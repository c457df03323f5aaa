"""lrkit: learning-rate (and other hyper-parameter) schedules with a C++ bulk engine.

Schedules are immutable functions of the optimizer step built from primitives and combinators::

    import lrkit
    s = lrkit.warmup(lrkit.cosine(start=0.1, end=0.0, length=lrkit.epochs(190)),
                     length=lrkit.epochs(10)).resolve(steps_per_epoch=50)
    s(1234)              # pure-Python reference value at step 1234
    s.table(10_000)      # float64 values of steps 0..9999 from the C++ engine

``import lrkit`` does not import torch; ``lrkit.torch`` holds the PyTorch integration (imported
on first use of the attribute, or by ``import lrkit.torch``).
"""

# No `from __future__ import annotations` and no typing names here: the package's namespace is
# its public API (tests/test_namespaces.py).
import typing as _typing

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


#: Attributes imported on first use, so that ``import lrkit`` imports neither torch nor the
#: plugin machinery's module: name -> (module, attribute or None for the module itself).
_LAZY = {
    "adjust_learning_rate": ("lrkit.torch.functional", "adjust_learning_rate"),
    "plugins": ("lrkit.plugins", None),
    "torch": ("lrkit.torch", None),
}

if _typing.TYPE_CHECKING:  # what the lazy attributes are, for type checkers
    from lrkit import plugins as plugins
    from lrkit import torch as torch
    from lrkit.torch.functional import adjust_learning_rate as adjust_learning_rate
else:

    def __getattr__(name: str) -> object:
        if name in _LAZY:
            import importlib

            module_name, attribute = _LAZY[name]
            module = importlib.import_module(module_name)
            return module if attribute is None else getattr(module, attribute)
        raise AttributeError(f"module 'lrkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
