"""Primitive schedules: closed forms of the step ``t`` (0-based).

A length ``L`` is reached exactly at ``t = L`` and then held. Lengths, periods, milestones and
boundaries take an int number of steps, ``lrkit.epochs(x)`` or ``lrkit.fraction(x)``.
Each formula below is the one the pure-Python reference and the C++ engine
(``csrc/primitives.hpp``) both evaluate, with the same operations in the same order.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from lrkit import _checks as check
from lrkit import fields
from lrkit.fields import Declared, constructor
from lrkit.schedule import Schedule
from lrkit.units import Duration, steps_of

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Constant",
    "Cosine",
    "Exponential",
    "InverseSqrt",
    "Linear",
    "MultiStep",
    "PiecewiseConstant",
    "PiecewiseLinear",
    "Polynomial",
    "Step",
    "Tanh",
    "constant",
    "cosine",
    "exponential",
    "inverse_sqrt",
    "linear",
    "multistep",
    "piecewise_constant",
    "piecewise_linear",
    "polynomial",
    "step",
    "tanh",
]


def _interpolate(
    step: int, start: float, end: float, length: int, formula: Callable[[int], float]
) -> float:
    """The rule shared by the interpolating primitives: ``start`` at ``t = 0``, ``formula(t)``
    clamped to ``[min(start, end), max(start, end)]`` for ``0 < t < length``, then ``end``."""
    if step == 0:
        return start
    if step < length:
        return min(max(formula(step), min(start, end)), max(start, end))
    return end


@dataclass(frozen=True, repr=False, eq=False)
class Constant(Declared):
    """``value`` at every step."""

    config_name: ClassVar[str] = "constant"
    value_: float = fields.real(1.0, name="value")

    def arguments(self) -> dict[str, Any]:
        return {"value": self.value_}

    def value(self, step: int) -> float:
        return self.value_


@dataclass(frozen=True, repr=False, eq=False)
class Linear(Declared):
    """``start + (end - start) * t / L`` for ``t < L``, else ``end`` (clamped to the endpoints)."""

    config_name: ClassVar[str] = "linear"
    start: float = fields.real()
    end: float = fields.real()
    length: Duration = fields.duration()

    def _validate(self) -> None:
        check.span("linear", "start", self.start, "end", self.end)

    def value(self, step: int) -> float:
        length = steps_of(self.length, "linear(length=...)")
        return _interpolate(
            step,
            self.start,
            self.end,
            length,
            lambda t: self.start + (self.end - self.start) * t / length,
        )


@dataclass(frozen=True, repr=False, eq=False)
class Cosine(Declared):
    """``end + (start - end) * (1 + cos(pi * t / L)) / 2`` for ``0 < t < L`` (clamped to the
    endpoints), ``start`` at ``t = 0``, ``end`` from ``t = L``."""

    config_name: ClassVar[str] = "cosine"
    start: float = fields.real()
    end: float = fields.real()
    length: Duration = fields.duration()

    def _validate(self) -> None:
        check.span("cosine", "start", self.start, "end", self.end)

    def value(self, step: int) -> float:
        length = steps_of(self.length, "cosine(length=...)")
        return _interpolate(
            step,
            self.start,
            self.end,
            length,
            lambda t: self.end + (self.start - self.end) * (1 + math.cos(math.pi * t / length)) / 2,
        )


@dataclass(frozen=True, repr=False, eq=False)
class Exponential(Declared):
    """``start * gamma ** t``."""

    config_name: ClassVar[str] = "exponential"
    start: float = fields.real()
    gamma: float = fields.positive()

    def value(self, step: int) -> float:
        return self.start * self.gamma**step


@dataclass(frozen=True, repr=False, eq=False)
class Step(Declared):
    """``start * gamma ** (t // every)``."""

    config_name: ClassVar[str] = "step"
    start: float = fields.real()
    gamma: float = fields.positive()
    every: Duration = fields.duration()

    def value(self, step: int) -> float:
        return self.start * self.gamma ** (step // steps_of(self.every, "step(every=...)"))


@dataclass(frozen=True, repr=False, eq=False)
class MultiStep(Declared):
    """``start * gamma ** k`` where ``k`` is the number of milestones ``<= t``."""

    config_name: ClassVar[str] = "multistep"
    start: float = fields.real()
    gamma: float = fields.positive()
    milestones: tuple[Duration, ...] = fields.durations()

    def _steps(self) -> list[int]:
        return [steps_of(m, "multistep(milestones=...)") for m in self.milestones]

    def value(self, step: int) -> float:
        return self.start * self.gamma ** bisect.bisect_right(self._steps(), step)


@dataclass(frozen=True, repr=False, eq=False)
class Polynomial(Declared):
    """``end + (start - end) * (1 - t / L) ** power`` for ``0 < t < L`` (clamped to the
    endpoints), ``start`` at ``t = 0``, ``end`` from ``t = L``."""

    config_name: ClassVar[str] = "polynomial"
    start: float = fields.real()
    end: float = fields.real()
    length: Duration = fields.duration()
    power: float = fields.positive(1.0)

    def _validate(self) -> None:
        check.span("polynomial", "start", self.start, "end", self.end)

    def value(self, step: int) -> float:
        length = steps_of(self.length, "polynomial(length=...)")
        return _interpolate(
            step,
            self.start,
            self.end,
            length,
            lambda t: self.end + (self.start - self.end) * (1 - t / length) ** self.power,
        )


@dataclass(frozen=True, repr=False, eq=False)
class InverseSqrt(Declared):
    """``start / sqrt(1 + t / timescale)``."""

    config_name: ClassVar[str] = "inverse_sqrt"
    start: float = fields.real()
    timescale: Duration = fields.duration()

    def value(self, step: int) -> float:
        return self.start / math.sqrt(
            1 + step / steps_of(self.timescale, "inverse_sqrt(timescale=...)")
        )


def _knots(owner: str, name: str, knots: Any) -> tuple[tuple[Duration, float], ...]:
    """``(step, value)`` pairs with strictly increasing steps."""
    if isinstance(knots, (str, bytes)) or not hasattr(knots, "__iter__"):
        raise TypeError(f"piecewise_linear: knots must be a list of (step, value), got {knots!r}")
    pairs = []
    for i, knot in enumerate(knots):
        if isinstance(knot, (str, bytes)) or not hasattr(knot, "__len__") or len(knot) != 2:
            raise TypeError(
                f"piecewise_linear: knots[{i}] must be a (step, value) pair, got {knot!r}"
            )
        pairs.append(
            (
                check.duration("piecewise_linear", f"knots[{i}][0]", knot[0], minimum=0),
                check.real("piecewise_linear", f"knots[{i}][1]", knot[1]),
            )
        )
    if not pairs:
        raise ValueError("piecewise_linear: knots needs at least one (step, value) pair")
    check.increasing("piecewise_linear", "knot steps", [s for s, _ in pairs])
    return tuple(pairs)


@dataclass(frozen=True, repr=False, eq=False)
class Tanh(Declared):
    """``end + (start - end) / 2 * (1 - tanh(lb * (1 - t / L) + ub * t / L))`` for ``t < L``,
    else ``end`` (timm's ``TanhLRScheduler``, one cycle: ``start`` is its base lr, ``end`` its
    ``lr_min``). Not clamped and not exactly ``start`` at ``t = 0`` (``(1 - tanh(lb)) / 2`` is
    ``0.99999983`` for ``lb = -7``), as in timm."""

    config_name: ClassVar[str] = "tanh"
    start: float = fields.real()
    end: float = fields.real()
    length: Duration = fields.duration()
    lb: float = fields.real(-7.0)
    ub: float = fields.real(3.0)

    def _validate(self) -> None:
        check.span("tanh", "start", self.start, "end", self.end)
        if not self.lb < self.ub:
            raise ValueError(f"tanh: lb must be < ub, got lb={self.lb!r} and ub={self.ub!r}")

    def value(self, step: int) -> float:
        length = steps_of(self.length, "tanh(length=...)")
        if step >= length:
            return self.end
        tr = step / length
        x = self.lb * (1.0 - tr) + self.ub * tr
        return self.end + 0.5 * (self.start - self.end) * (1.0 - math.tanh(x))


@dataclass(frozen=True, repr=False, eq=False)
class PiecewiseLinear(Declared):
    """Linear between knots ``(s_j, v_j)``: ``v_j + (v_{j+1} - v_j) * (t - s_j) / (s_{j+1} - s_j)``
    for ``s_j <= t < s_{j+1}``; ``v_0`` before the first knot, the last value after the last."""

    config_name: ClassVar[str] = "piecewise_linear"
    knots: tuple[tuple[Duration, float], ...] = fields.custom(_knots, kind="knots")

    def _points(self) -> tuple[list[int], list[float]]:
        steps = [steps_of(s, "piecewise_linear(knots=...)") for s, _ in self.knots]
        return steps, [v for _, v in self.knots]

    def value(self, step: int) -> float:
        steps, values = self._points()
        j = bisect.bisect_right(steps, step)
        if j == 0:
            return values[0]
        if j == len(steps):
            return values[-1]
        s0, s1, v0, v1 = steps[j - 1], steps[j], values[j - 1], values[j]
        return v0 + (v1 - v0) * (step - s0) / (s1 - s0)


@dataclass(frozen=True, repr=False, eq=False)
class PiecewiseConstant(Declared):
    """``values[k]`` where ``k`` is the number of boundaries ``<= t``."""

    config_name: ClassVar[str] = "piecewise_constant"
    boundaries: tuple[Duration, ...] = fields.durations()
    values_: tuple[float, ...] = fields.reals(name="values")

    def _validate(self) -> None:
        owner = "piecewise_constant"
        if len(self.values_) != len(self.boundaries) + 1:
            raise ValueError(
                f"{owner}: values needs len(boundaries) + 1 = {len(self.boundaries) + 1} "
                f"entries, got {len(self.values_)}"
            )

    def arguments(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values_}

    def _rebuilt(self, arguments: dict[str, Any]) -> Schedule:
        return PiecewiseConstant(arguments["boundaries"], arguments["values"])

    def _steps(self) -> list[int]:
        return [steps_of(b, "piecewise_constant(boundaries=...)") for b in self.boundaries]

    def value(self, step: int) -> float:
        return self.values_[bisect.bisect_right(self._steps(), step)]


# -- public constructors (the names registered and used in configs) ----------------------------


@constructor(Constant)
def constant(value: float = 1.0) -> Constant:
    """``value`` at every step."""
    return Constant(value)


@constructor(Linear)
def linear(start: float, end: float, length: Duration) -> Linear:
    """``start + (end - start) * t / length`` for ``t < length``, else ``end``.

    Values are clamped to ``[min(start, end), max(start, end)]`` so float rounding never
    overshoots an endpoint.

    >>> lrkit.linear(start=0.0, end=1.0, length=4)(1)
    0.25
    """
    return Linear(start, end, length)


@constructor(Cosine)
def cosine(start: float, end: float, length: Duration) -> Cosine:
    """Half-cosine annealing: ``end + (start - end) * (1 + cos(pi * t / length)) / 2`` for
    ``t < length``, else ``end``.

    ``start`` exactly at ``t = 0``; values clamped to the endpoints (float rounding of the
    formula would otherwise leave them by an ulp).

    >>> lrkit.cosine(start=1.0, end=0.0, length=4)(2)
    0.5
    """
    return Cosine(start, end, length)


@constructor(Exponential)
def exponential(start: float, gamma: float) -> Exponential:
    """``start * gamma ** t`` (``gamma > 0``)."""
    return Exponential(start, gamma)


@constructor(Step)
def step(start: float, gamma: float, every: Duration) -> Step:
    """``start * gamma ** (t // every)``: multiply by ``gamma`` every ``every`` steps."""
    return Step(start, gamma, every)


@constructor(MultiStep)
def multistep(start: float, gamma: float, milestones: Sequence[Duration]) -> MultiStep:
    """``start * gamma ** (number of milestones <= t)``: at each milestone, multiply by gamma.

    >>> s = lrkit.multistep(start=0.1, gamma=0.5, milestones=[100])
    >>> s(99), s(100)
    (0.1, 0.05)
    """
    return MultiStep(start, gamma, milestones)  # type: ignore[arg-type]


@constructor(Polynomial)
def polynomial(start: float, end: float, length: Duration, power: float = 1.0) -> Polynomial:
    """``end + (start - end) * (1 - t / length) ** power`` for ``t < length``, else ``end``.

    ``start`` exactly at ``t = 0``; values clamped to the endpoints.
    """
    return Polynomial(start, end, length, power)


@constructor(InverseSqrt)
def inverse_sqrt(start: float, timescale: Duration) -> InverseSqrt:
    """``start / sqrt(1 + t / timescale)`` (the Transformer decay, without its warmup)."""
    return InverseSqrt(start, timescale)


@constructor(Tanh)
def tanh(start: float, end: float, length: Duration, lb: float = -7.0, ub: float = 3.0) -> Tanh:
    """Hyperbolic-tangent decay (timm's ``TanhLRScheduler``): ``end + (start - end) / 2 * (1 -
    tanh(lb * (1 - t / length) + ub * t / length))`` for ``t < length``, else ``end``.

    >>> s = lrkit.tanh(start=1.0, end=0.0, length=10, lb=-3.0, ub=3.0)
    >>> s(5), s(10)
    (0.5, 0.0)
    """
    return Tanh(start, end, length, lb, ub)


@constructor(PiecewiseLinear)
def piecewise_linear(knots: Sequence[tuple[Duration, float]]) -> PiecewiseLinear:
    """Linear interpolation between ``(step, value)`` knots, held outside them.

    >>> lrkit.piecewise_linear([(0, 0.0), (10, 1.0), (20, 0.5)])(15)
    0.75
    """
    return PiecewiseLinear(knots)  # type: ignore[arg-type]


@constructor(PiecewiseConstant)
def piecewise_constant(
    boundaries: Sequence[Duration], values: Sequence[float]
) -> PiecewiseConstant:
    """``values[k]`` on ``[boundaries[k-1], boundaries[k])``.

    ``len(values) == len(boundaries) + 1``.
    """
    return PiecewiseConstant(boundaries, values)  # type: ignore[arg-type]
