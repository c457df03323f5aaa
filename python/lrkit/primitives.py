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
from lrkit._cfloat import c_pow
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
    node: ClassVar[str] = "Constant"
    value_: float = fields.real(1.0, name="value")

    def arguments(self) -> dict[str, Any]:
        return {"value": self.value_}

    def value(self, step: int) -> float:
        return self.value_


@dataclass(frozen=True, repr=False, eq=False)
class Linear(Declared):
    """``start + (end - start) * t / L`` for ``t < L``, else ``end`` (clamped to the endpoints)."""

    config_name: ClassVar[str] = "linear"
    node: ClassVar[str] = "Linear"
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
    """``end + (start - end) * ((1 + cos(pi * w)) / 2) ** exponent`` with ``w = t / L`` (or
    ``t**k / L**k`` with ``k = k_decay``, timm's k-decay time warp) for ``0 < t < L`` (clamped to
    the endpoints), ``start`` at ``t = 0``, ``end`` from ``t = L``. With the default ``exponent =
    1`` the formula is evaluated as ``end + (start - end) * (1 + cos(pi * w)) / 2``."""

    config_name: ClassVar[str] = "cosine"
    node: ClassVar[str] = "Cosine"
    start: float = fields.real()
    end: float = fields.real()
    length: Duration = fields.duration()
    exponent: float = fields.positive(1.0)
    k_decay: float = fields.positive(1.0)
    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"exponent", "k_decay"})

    def _validate(self) -> None:
        check.span("cosine", "start", self.start, "end", self.end)

    def value(self, step: int) -> float:
        length = steps_of(self.length, "cosine(length=...)")
        start, end, exponent, k = self.start, self.end, self.exponent, self.k_decay
        if k == 1.0:
            angle: Callable[[int], float] = lambda t: math.pi * t / length  # noqa: E731
        else:
            angle = lambda t: math.pi * float(t) ** k / float(length) ** k  # noqa: E731
        if exponent == 1.0:
            return _interpolate(
                step,
                start,
                end,
                length,
                lambda t: end + (start - end) * (1 + math.cos(angle(t))) / 2,
            )
        return _interpolate(
            step,
            start,
            end,
            length,
            lambda t: end + (start - end) * ((1 + math.cos(angle(t))) / 2) ** exponent,
        )


@dataclass(frozen=True, repr=False, eq=False)
class Exponential(Declared):
    """``start`` for ``t <= begin``, else ``start * gamma ** p`` with ``p = (t - begin) / every``
    (``staircase``: ``p = (t - begin) // every``, whole steps of ``every``). With ``end``, the
    value is bounded by it at every step: ``max(value, end)`` when ``gamma < 1`` (a floor),
    ``min(value, end)`` otherwise (a ceiling). The defaults give ``start * gamma ** t``."""

    config_name: ClassVar[str] = "exponential"
    node: ClassVar[str] = "Exponential"
    start: float = fields.real()
    gamma: float = fields.positive()
    every: Duration = fields.duration(1)
    staircase: bool = fields.flag(False)
    begin: Duration = fields.duration(0, minimum=0)
    end: float | None = fields.optional_real()
    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"every", "staircase", "begin", "end"})

    def _steps(self) -> tuple[int, int]:
        """``(every, begin)`` in steps."""
        every = steps_of(self.every, "exponential(every=...)")
        return every, steps_of(self.begin, "exponential(begin=...)")

    def value(self, step: int) -> float:
        every, begin = self._steps()
        elapsed = step - begin
        value = self.start
        if elapsed > 0:
            p = float(elapsed // every) if self.staircase else elapsed / every
            # An overflow raises as it always has, unless the end bound caps it (C's inf).
            value = self.start * (self.gamma**p if self.end is None else c_pow(self.gamma, p))
        if self.end is not None:
            value = max(value, self.end) if self.gamma < 1.0 else min(value, self.end)
        return value


@dataclass(frozen=True, repr=False, eq=False)
class Step(Declared):
    """``start * gamma ** (t // every)``."""

    config_name: ClassVar[str] = "step"
    node: ClassVar[str] = "StepDecay"
    start: float = fields.real()
    gamma: float = fields.positive()
    every: Duration = fields.duration()

    def value(self, step: int) -> float:
        return self.start * self.gamma ** (step // steps_of(self.every, "step(every=...)"))


@dataclass(frozen=True, repr=False, eq=False)
class MultiStep(Declared):
    """``start * gamma ** k`` where ``k`` is the number of milestones ``<= t``."""

    config_name: ClassVar[str] = "multistep"
    node: ClassVar[str] = "MultiStep"
    start: float = fields.real()
    gamma: float = fields.positive()
    milestones: tuple[Duration, ...] = fields.durations()

    def _steps(self) -> list[int]:
        return [steps_of(m, "multistep(milestones=...)") for m in self.milestones]

    def value(self, step: int) -> float:
        return self.start * self.gamma ** bisect.bisect_right(self._steps(), step)


@dataclass(frozen=True, repr=False, eq=False)
class Polynomial(Declared):
    """``end + (start - end) * (1 - t**k / L**k) ** power`` for ``0 < t < L`` (clamped to the
    endpoints), ``start`` at ``t = 0``, ``end`` from ``t = L``; ``k = k_decay`` warps time
    (timm's k-decay), ``k = 1`` is ``1 - t / L``."""

    config_name: ClassVar[str] = "polynomial"
    node: ClassVar[str] = "Polynomial"
    start: float = fields.real()
    end: float = fields.real()
    length: Duration = fields.duration()
    power: float = fields.positive(1.0)
    k_decay: float = fields.positive(1.0)
    quiet_defaults: ClassVar[frozenset[str]] = frozenset({"k_decay"})

    def _validate(self) -> None:
        check.span("polynomial", "start", self.start, "end", self.end)

    def value(self, step: int) -> float:
        length = steps_of(self.length, "polynomial(length=...)")
        k = self.k_decay
        if k == 1.0:
            progress: Callable[[int], float] = lambda t: t / length  # noqa: E731
        else:
            progress = lambda t: float(t) ** k / float(length) ** k  # noqa: E731
        return _interpolate(
            step,
            self.start,
            self.end,
            length,
            lambda t: self.end + (self.start - self.end) * (1 - progress(t)) ** self.power,
        )


@dataclass(frozen=True, repr=False, eq=False)
class InverseSqrt(Declared):
    """``start / sqrt(1 + t / timescale)``."""

    config_name: ClassVar[str] = "inverse_sqrt"
    node: ClassVar[str] = "InverseSqrt"
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
    node: ClassVar[str] = "Tanh"
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
    node: ClassVar[str] = "PiecewiseConstant"
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
def cosine(
    start: float,
    end: float,
    length: Duration,
    *,
    exponent: float = 1.0,
    k_decay: float = 1.0,
) -> Cosine:
    """Half-cosine annealing: ``end + (start - end) * (1 + cos(pi * t / length)) / 2`` for
    ``t < length``, else ``end``.

    ``start`` exactly at ``t = 0``; values clamped to the endpoints (float rounding of the
    formula would otherwise leave them by an ulp). ``exponent > 0`` raises the half-cosine
    factor ``(1 + cos(...)) / 2`` to that power (optax's ``cosine_decay_schedule(exponent=...)``):
    above 1 it leaves ``start`` sooner, below 1 later. ``k_decay = k`` (timm's k-decay) puts
    ``t**k / length**k`` in place of ``t / length``: ``k > 1`` holds the lr high for longer.

    >>> lrkit.cosine(start=1.0, end=0.0, length=4)(2)
    0.5
    >>> lrkit.cosine(start=1.0, end=0.0, length=4, exponent=2.0)(2)
    0.25
    >>> lrkit.cosine(start=1.0, end=0.0, length=4, k_decay=2.0)(2)  # cos(pi / 4) halfway
    0.8535533905932737
    """
    return Cosine(start, end, length, exponent, k_decay)


@constructor(Exponential)
def exponential(
    start: float,
    gamma: float,
    *,
    every: Duration = 1,
    staircase: bool = False,
    begin: Duration = 0,
    end: float | None = None,
) -> Exponential:
    """Exponential decay (``gamma < 1``) or growth (``gamma > 1``, ``gamma > 0``): ``start`` up
    to step ``begin``, then ``start * gamma ** ((t - begin) / every)``, multiplied by ``gamma``
    once per ``every`` steps; ``staircase=True`` makes the exponent whole,
    ``(t - begin) // every``. ``end`` bounds every value: ``max(value, end)`` when decaying
    (``gamma < 1``), ``min(value, end)`` when growing, so the curve stops at ``end`` and holds
    it. With the defaults, ``start * gamma ** t``.

    >>> lrkit.exponential(start=1.0, gamma=0.5)(3)
    0.125
    >>> s = lrkit.exponential(start=1.0, gamma=0.5, every=2, begin=1, end=0.3)
    >>> [s(t) for t in (0, 1, 3, 5)]
    [1.0, 1.0, 0.5, 0.3]
    >>> lrkit.exponential(start=1.0, gamma=0.5, every=2, staircase=True)(3)
    0.5
    """
    return Exponential(start, gamma, every, staircase, begin, end)


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
def polynomial(
    start: float, end: float, length: Duration, power: float = 1.0, k_decay: float = 1.0
) -> Polynomial:
    """``end + (start - end) * (1 - t / length) ** power`` for ``t < length``, else ``end``.

    ``start`` exactly at ``t = 0``; values clamped to the endpoints. ``k_decay = k`` (timm's
    k-decay) puts ``t**k / length**k`` in place of ``t / length``.

    >>> lrkit.polynomial(start=1.0, end=0.0, length=4, power=1.0, k_decay=2.0)(2)
    0.75
    """
    return Polynomial(start, end, length, power, k_decay)


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
