"""An example lrkit plugin: one schedule composed of built-ins, one written in pure Python.

Installed, it is found through the ``lrkit`` entry-point group declared in ``pyproject.toml``;
``lrkit.create({"name": "rex", ...})``, ``lrkit.torch.Scheduler`` and the ``lrkit`` CLI then
know both names.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import numpy.typing as npt

import lrkit
from lrkit.units import Duration, Epochs, Fraction, steps_of

__version__ = "0.1.0"


def warmup_cosine_decay(
    peak: float, warmup: Duration, decay: Duration, floor: float = 0.0
) -> lrkit.Schedule:
    """Linear warmup ``0 -> peak`` over ``warmup`` steps, then a cosine decay to
    ``floor * peak`` over ``decay`` steps, held after.

    A composition of built-ins, so the C++ engine evaluates it. Lengths may be steps,
    ``lrkit.epochs(x)`` or ``lrkit.fraction(x)``.
    """
    if not 0.0 <= floor <= 1.0:
        raise ValueError(
            f"warmup_cosine_decay: floor must be in [0, 1] (a fraction of peak), got {floor!r}"
        )
    decay_part = lrkit.cosine(start=peak, end=floor * peak, length=decay)
    return lrkit.warmup(decay_part, length=warmup)


class Rex(lrkit.Schedule):
    """REX (Chen et al., 2021, "REX: Revisiting Budgeted Training with an Improved Schedule"):
    ``floor + (peak - floor) * z / (1/2 + z/2)`` with ``z = 1 - t / length``; ``floor`` after.

    Pure Python: the engine calls :meth:`values` once per block of steps.
    """

    def __init__(self, peak: float, length: Duration, floor: float = 0.0) -> None:
        self.peak = _real("peak", peak)
        self.length = _length(length)
        self.floor = _real("floor", floor)

    def value(self, step: int) -> float:
        z = 1.0 - min(step, self._steps()) / self._steps()
        return self.floor + (self.peak - self.floor) * z / (0.5 + 0.5 * z)

    def values(self, steps: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        z = 1.0 - np.minimum(steps, self._steps()) / self._steps()
        result: npt.NDArray[np.float64] = self.floor + (self.peak - self.floor) * z / (
            0.5 + 0.5 * z
        )
        return result

    def _steps(self) -> int:
        return steps_of(self.length, "rex(length=...)")


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"rex: {name} must be a finite real number, got {value!r}")
    return float(value)


def _length(value: object) -> Duration:
    if isinstance(value, (Epochs, Fraction)) and value.value > 0:
        return value
    if isinstance(value, float) and value.is_integer():  # lrkit's rule: 1e2 is 100 steps
        value = int(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1:
        return int(value)
    raise ValueError(
        "rex: length must be an int >= 1 (steps), lrkit.epochs(x) or lrkit.fraction(x) with "
        f"x > 0, got {value!r}"
    )


@lrkit.hookimpl
def lrkit_register_schedules(register: lrkit.hookspecs.Register) -> None:
    """Register this package's schedules with lrkit."""
    register("warmup_cosine_decay", warmup_cosine_decay)
    register("rex", Rex)
