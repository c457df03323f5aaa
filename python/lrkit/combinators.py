"""Combinators: schedules built from other schedules.

Formulas (``t`` is the step; children are evaluated at the times shown) are the ones the
pure-Python reference and the C++ engine (``csrc/combinators.hpp``) both evaluate.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from lrkit import _checks as check
from lrkit.fields import constructor
from lrkit.schedule import Schedule
from lrkit.schedule import set_field as _set
from lrkit.units import Duration, steps_of

if TYPE_CHECKING:
    from collections.abc import Sequence


def _child(owner: str, name: str, value: Any) -> Schedule:
    if not isinstance(value, Schedule):
        raise TypeError(f"{owner}: {name} must be a lrkit.Schedule, got {value!r}")
    if value.groups is not None:
        raise ValueError(
            f"{owner}: {name} is a per_group schedule; per_group must be the outermost schedule "
            "(apply the combinator to each group's schedule instead)"
        )
    return value


def _children(owner: str, name: str, values: Any, *, min_length: int = 1) -> tuple[Schedule, ...]:
    if isinstance(values, Schedule) or not isinstance(values, Iterable):
        raise TypeError(f"{owner}: {name} must be a sequence of schedules, got {values!r}")
    children = tuple(_child(owner, f"{name}[{i}]", v) for i, v in enumerate(values))
    if len(children) < min_length:
        raise ValueError(f"{owner}: {name} needs at least {min_length} schedule(s), got none")
    return children


@dataclass(frozen=True, repr=False, eq=False)
class Warmup(Schedule):
    """``start + (schedule(0) - start) * t / L`` for ``t < L``; then ``schedule(t - L)``
    (``mode="prefix"``: the warmup comes before the schedule) or ``schedule(t)``
    (``mode="overlay"``: the warmup replaces the schedule's first ``L`` steps)."""

    config_name: ClassVar[str] = "warmup"
    schedule: Schedule
    length: Duration
    start: float = 0.0
    mode: Literal["prefix", "overlay"] = "prefix"

    def __post_init__(self) -> None:
        _set(self, "schedule", _child("warmup", "schedule", self.schedule))
        _set(self, "length", check.duration("warmup", "length", self.length))
        _set(self, "start", check.real("warmup", "start", self.start))
        if self.mode not in ("prefix", "overlay"):
            raise ValueError(f"warmup: mode must be 'prefix' or 'overlay', got {self.mode!r}")

    def value(self, step: int) -> float:
        length = steps_of(self.length, "warmup(length=...)")
        if step < length:
            return self.start + (self.schedule(0) - self.start) * step / length
        return self.schedule(step - length if self.mode == "prefix" else step)


@dataclass(frozen=True, repr=False, eq=False)
class Sequenced(Schedule):
    """``schedules[i](t - b[i-1])`` on ``[b[i-1], b[i])`` (``b[-1] = 0``): time restarts at 0
    at each boundary."""

    config_name: ClassVar[str] = "sequence"
    schedules: tuple[Schedule, ...]
    boundaries: tuple[Duration, ...]

    def __post_init__(self) -> None:
        _set(self, "schedules", _children("sequence", "schedules", self.schedules))
        _set(self, "boundaries", check.durations("sequence", "boundaries", self.boundaries))
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
class Product(Schedule):
    """``schedules[0](t) * schedules[1](t) * ...`` (how torch composes chained schedulers)."""

    config_name: ClassVar[str] = "product"
    schedules: tuple[Schedule, ...]

    def __post_init__(self) -> None:
        _set(self, "schedules", _children("product", "schedules", self.schedules))

    def value(self, step: int) -> float:
        result = self.schedules[0](step)
        for schedule in self.schedules[1:]:
            result *= schedule(step)
        return result


@dataclass(frozen=True, repr=False, eq=False)
class Scale(Schedule):
    """``factor * schedule(t)``."""

    config_name: ClassVar[str] = "scale"
    schedule: Schedule
    factor: float

    def __post_init__(self) -> None:
        _set(self, "schedule", _child("scale", "schedule", self.schedule))
        _set(self, "factor", check.real("scale", "factor", self.factor))

    def value(self, step: int) -> float:
        return self.factor * self.schedule(step)


@dataclass(frozen=True, repr=False, eq=False)
class Clip(Schedule):
    """``min(max(schedule(t), low), high)``; a bound left as None is not applied."""

    config_name: ClassVar[str] = "clip"
    schedule: Schedule
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        _set(self, "schedule", _child("clip", "schedule", self.schedule))
        _set(self, "low", check.optional_real("clip", "low", self.low))
        _set(self, "high", check.optional_real("clip", "high", self.high))
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
class Repeat(Schedule):
    """``schedule(t % period)``: restarts the schedule every ``period`` steps."""

    config_name: ClassVar[str] = "repeat"
    schedule: Schedule
    period: Duration

    def __post_init__(self) -> None:
        _set(self, "schedule", _child("repeat", "schedule", self.schedule))
        _set(self, "period", check.duration("repeat", "period", self.period))

    def value(self, step: int) -> float:
        return self.schedule(step % steps_of(self.period, "repeat(period=...)"))


@dataclass(frozen=True, repr=False, eq=False)
class PerGroup(Schedule):
    """One schedule per optimizer param group: column ``g`` of ``table(n)`` is
    ``schedules[g](t)`` (times ``base[g]`` when a base is given)."""

    config_name: ClassVar[str] = "per_group"
    schedules: tuple[Schedule, ...]

    def __post_init__(self) -> None:
        _set(self, "schedules", _children("per_group", "schedules", self.schedules))

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
