"""Combinators: schedules built from other schedules.

Formulas (``t`` is the step; children are evaluated at the times shown) are the ones the
pure-Python reference and the C++ engine (``csrc/combinators.hpp``) both evaluate.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from lrkit import _checks as check
from lrkit import fields
from lrkit._cfloat import c_pow
from lrkit.fields import Declared, constructor
from lrkit.schedule import Schedule
from lrkit.units import Duration, steps_of

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Clip",
    "PerGroup",
    "Product",
    "Repeat",
    "Scale",
    "Sequenced",
    "Warmup",
    "clip",
    "per_group",
    "product",
    "repeat",
    "scale",
    "sequence",
    "warmup",
]


#: The ramp shapes of ``warmup`` (see :class:`Warmup`).
WarmupShape = Literal["linear", "cosine", "1-sqrt", "sqrt", "power", "exponential"]
WARMUP_SHAPES: tuple[str, ...] = ("linear", "cosine", "1-sqrt", "sqrt", "power", "exponential")


_child = fields.child_schedule
_children = fields.child_schedules


@dataclass(frozen=True, repr=False, eq=False)
class Warmup(Declared):
    """A ramp from ``start`` to ``s0 = schedule(0)`` over the first ``L = length`` steps, then
    ``schedule(t - L)`` (``mode="prefix"``: the warmup comes before the schedule) or
    ``schedule(t)`` (``mode="overlay"``: the warmup replaces the schedule's first ``L`` steps).

    The ramp at ``t < L``, with ``p = t / L``, by ``shape``:

    * ``"linear"``: ``start + (s0 - start) * t / L``;
    * ``"cosine"``: ``start + (s0 - start) * (1 - cos(pi * p)) / 2`` (flat at both ends);
    * ``"1-sqrt"``: ``start + (s0 - start) * (1 - sqrt(1 - p))`` (slow start, steep end);
    * ``"sqrt"``: ``start + (s0 - start) * sqrt(p)`` (steep start, flat end);
    * ``"power"``: ``start + (s0 - start) * p ** exponent``;
    * ``"exponential"``: ``start * (s0 / start) ** p``, geometric (``start`` and ``s0``
      nonzero and of one sign).
    """

    config_name: ClassVar[str] = "warmup"
    schedule: Schedule = fields.child()
    length: Duration = fields.duration()
    start: float = fields.real(0.0)
    mode: Literal["prefix", "overlay"] = fields.choice(("prefix", "overlay"), "prefix")
    shape: WarmupShape = fields.choice(WARMUP_SHAPES, "linear")
    exponent: float = fields.positive(1.0)

    def _validate(self) -> None:
        if self.shape == "exponential":
            target = self.schedule(0)
            ratio = target / self.start if self.start != 0 else math.nan
            if not (ratio > 0 and math.isfinite(ratio)):
                raise ValueError(
                    f"warmup: shape='exponential' needs start and schedule(0) nonzero and of one "
                    f"sign, got start={self.start!r}, schedule(0)={target!r}"
                )

    def _ramp(self, step: int, length: int) -> float:
        a, b, t, size = self.start, self.schedule(0), float(step), float(length)
        shape = self.shape
        if shape == "linear":
            return a + (b - a) * t / size
        if shape == "cosine":
            return a + (b - a) * ((1.0 - math.cos(math.pi * (t / size))) / 2.0)
        if shape == "1-sqrt":
            return a + (b - a) * (1.0 - math.sqrt(1.0 - t / size))
        if shape == "sqrt":
            return a + (b - a) * math.sqrt(t / size)
        if shape == "power":
            return a + (b - a) * c_pow(t / size, self.exponent)
        return a * c_pow(b / a, t / size)

    def value(self, step: int) -> float:
        length = steps_of(self.length, "warmup(length=...)")
        if step < length:
            return self._ramp(step, length)
        return self.schedule(step - length if self.mode == "prefix" else step)


@dataclass(frozen=True, repr=False, eq=False)
class Sequenced(Declared):
    """``schedules[i](t - b[i-1])`` on ``[b[i-1], b[i])`` (``b[-1] = 0``): time restarts at 0
    at each boundary."""

    config_name: ClassVar[str] = "sequence"
    node: ClassVar[str] = "Sequence"
    schedules: tuple[Schedule, ...] = fields.children()
    boundaries: tuple[Duration, ...] = fields.durations()

    def _validate(self) -> None:
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                f"sequence: boundaries needs len(schedules) - 1 = {len(self.schedules) - 1} "
                f"entries, got {len(self.boundaries)}"
            )
        if any(b == 0 for b in self.boundaries):
            raise ValueError(f"sequence: boundaries must be > 0, got {list(self.boundaries)!r}")

    def _steps(self) -> list[int]:
        steps = [steps_of(b, "sequence(boundaries=...)") for b in self.boundaries]
        check.increasing("sequence", "boundaries", steps)
        return steps

    def value(self, step: int) -> float:
        steps = self._steps()
        k = bisect.bisect_right(steps, step)
        origin = steps[k - 1] if k > 0 else 0
        return self.schedules[k](step - origin)


@dataclass(frozen=True, repr=False, eq=False)
class Product(Declared):
    """``schedules[0](t) * schedules[1](t) * ...`` (how torch composes chained schedulers)."""

    config_name: ClassVar[str] = "product"
    node: ClassVar[str] = "Product"
    schedules: tuple[Schedule, ...] = fields.children()

    def value(self, step: int) -> float:
        result = self.schedules[0](step)
        for schedule in self.schedules[1:]:
            result *= schedule(step)
        return result


@dataclass(frozen=True, repr=False, eq=False)
class Scale(Declared):
    """``factor * schedule(t)``."""

    config_name: ClassVar[str] = "scale"
    node: ClassVar[str] = "Scale"
    schedule: Schedule = fields.child()
    factor: float = fields.real()

    def value(self, step: int) -> float:
        return self.factor * self.schedule(step)


@dataclass(frozen=True, repr=False, eq=False)
class Clip(Declared):
    """``min(max(schedule(t), low), high)``; a bound left as None is not applied."""

    config_name: ClassVar[str] = "clip"
    schedule: Schedule = fields.child()
    low: float | None = fields.optional_real()
    high: float | None = fields.optional_real()

    def _validate(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("clip: give low, high or both (got neither)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"clip: low must be <= high, got low={self.low!r} high={self.high!r}")

    def value(self, step: int) -> float:
        result = self.schedule(step)
        if self.low is not None:
            result = max(result, self.low)
        if self.high is not None:
            result = min(result, self.high)
        return result


@dataclass(frozen=True, repr=False, eq=False)
class Repeat(Declared):
    """``schedule(t % period)``: restarts the schedule every ``period`` steps."""

    config_name: ClassVar[str] = "repeat"
    node: ClassVar[str] = "Repeat"
    schedule: Schedule = fields.child()
    period: Duration = fields.duration()

    def value(self, step: int) -> float:
        return self.schedule(step % steps_of(self.period, "repeat(period=...)"))


@dataclass(frozen=True, repr=False, eq=False)
class PerGroup(Declared):
    """One schedule per optimizer param group: column ``g`` of ``table(n)`` is
    ``schedules[g](t)`` (times ``base[g]`` when a base is given)."""

    config_name: ClassVar[str] = "per_group"
    schedules: tuple[Schedule, ...] = fields.children()

    @property
    def groups(self) -> int:
        return len(self.schedules)

    def value(self, step: int) -> float:
        raise TypeError(
            f"per_group has one value per group ({self.groups} groups): use "
            "s.group_values(step) or s.schedules[g](step)"
        )

    def group_values(self, step: int) -> list[float]:
        """The reference value of every group at ``step``."""
        return [s(step) for s in self.schedules]


# -- public constructors (the names registered and used in configs) ----------------------------


@constructor(Warmup)
def warmup(
    schedule: Schedule,
    length: Duration,
    start: float = 0.0,
    mode: Literal["prefix", "overlay"] = "prefix",
    shape: WarmupShape = "linear",
    exponent: float = 1.0,
) -> Warmup:
    """Warmup from ``start`` to ``schedule(0)`` over ``length`` steps, then
    ``schedule(t - length)`` (``mode="prefix"``) or ``schedule(t)`` (``mode="overlay"``, timm's
    ``warmup_prefix=False``: the schedule runs on its own clock and may jump after the warmup).

    ``shape`` is the ramp, with ``p = t / length``: ``"linear"`` (``start + (s0 - start) * p``),
    ``"cosine"`` (``(1 - cos(pi * p)) / 2`` of the way), ``"1-sqrt"`` (``1 - sqrt(1 - p)``),
    ``"sqrt"`` (``sqrt(p)``), ``"power"`` (``p ** exponent``) or ``"exponential"``
    (``start * (s0 / start) ** p``, geometric: ``start`` must be nonzero).

    >>> s = lrkit.warmup(lrkit.constant(1.0), length=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    >>> s = lrkit.warmup(lrkit.constant(1.0), length=4, shape="cosine")
    >>> [round(s(t), 4) for t in range(6)]
    [0.0, 0.1464, 0.5, 0.8536, 1.0, 1.0]
    >>> s = lrkit.warmup(lrkit.constant(1.0), length=2, start=0.01, shape="exponential")
    >>> [round(s(t), 6) for t in range(3)]
    [0.01, 0.1, 1.0]
    """
    return Warmup(schedule, length, start, mode, shape, exponent)


@constructor(Sequenced)
def sequence(schedules: Sequence[Schedule], boundaries: Sequence[Duration]) -> Sequenced:
    """Schedule ``i`` on ``[boundaries[i-1], boundaries[i])`` with its time re-based to 0."""
    return Sequenced(schedules, boundaries)  # type: ignore[arg-type]


def product(*schedules: Schedule) -> Product:
    """Pointwise product ``s0(t) * s1(t) * ...``."""
    if len(schedules) == 1 and not isinstance(schedules[0], Schedule):
        schedules = tuple(schedules[0])  # product([a, b]) as well as product(a, b)
    return Product(tuple(schedules))


@constructor(Scale)
def scale(schedule: Schedule, factor: float) -> Scale:
    """``factor * schedule(t)``."""
    return Scale(schedule, factor)


@constructor(Clip)
def clip(schedule: Schedule, low: float | None = None, high: float | None = None) -> Clip:
    """``schedule(t)`` clamped to ``[low, high]``."""
    return Clip(schedule, low, high)


@constructor(Repeat)
def repeat(schedule: Schedule, period: Duration) -> Repeat:
    """``schedule(t % period)``."""
    return Repeat(schedule, period)


@constructor(PerGroup)
def per_group(schedules: Sequence[Schedule]) -> PerGroup:
    """A different schedule per param group; ``table(n)`` has shape ``(n, len(schedules))``."""
    return PerGroup(schedules)  # type: ignore[arg-type]


@constructor(Product)
def _product_from_config(schedules: Sequence[Schedule]) -> Product:
    """Pointwise product ``s0(t) * s1(t) * ...`` of ``schedules`` (``product`` in configs)."""
    return Product(schedules)  # type: ignore[arg-type]
