"""Combinators: schedules built from other schedules.

Formulas (``t`` is the step; children are evaluated at the times shown) are the ones the
pure-Python reference and the C++ engine (``csrc/combinators.hpp``) both evaluate.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from lrkit import _checks as check
from lrkit import fields
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


_child = fields.child_schedule
_children = fields.child_schedules


@dataclass(frozen=True, repr=False, eq=False)
class Warmup(Declared):
    """``start + (schedule(0) - start) * t / L`` for ``t < L``; then ``schedule(t - L)``
    (``mode="prefix"``: the warmup comes before the schedule) or ``schedule(t)``
    (``mode="overlay"``: the warmup replaces the schedule's first ``L`` steps)."""

    config_name: ClassVar[str] = "warmup"
    schedule: Schedule = fields.child()
    length: Duration = fields.duration()
    start: float = fields.real(0.0)
    mode: Literal["prefix", "overlay"] = fields.choice(("prefix", "overlay"), "prefix")

    def value(self, step: int) -> float:
        length = steps_of(self.length, "warmup(length=...)")
        if step < length:
            return self.start + (self.schedule(0) - self.start) * step / length
        return self.schedule(step - length if self.mode == "prefix" else step)


@dataclass(frozen=True, repr=False, eq=False)
class Sequenced(Declared):
    """``schedules[i](t - b[i-1])`` on ``[b[i-1], b[i])`` (``b[-1] = 0``): time restarts at 0
    at each boundary."""

    config_name: ClassVar[str] = "sequence"
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
) -> Warmup:
    """Linear warmup from ``start`` to ``schedule(0)`` over ``length`` steps, then
    ``schedule(t - length)`` (``mode="prefix"``) or ``schedule(t)`` (``mode="overlay"``, timm's
    ``warmup_prefix=False``: the schedule runs on its own clock and may jump after the warmup).

    >>> s = lrkit.warmup(lrkit.constant(1.0), length=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return Warmup(schedule, length, start, mode)


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
