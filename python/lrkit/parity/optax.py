"""optax's schedules (``optax.schedules``, 0.2.8) as lrkit schedules of absolute values.

Every function has optax's name, arguments and defaults, and is registered as
``optax.<function>``, so configs, checkpoints and the CLI take it by name::

    lrkit.create({"name": "optax.exponential_decay", "init_value": 0.1,
                  "transition_steps": 1000, "decay_rate": 0.5})

optax counts steps from 0 like lrkit and holds its end values past the last transition, so
most schedules are one lrkit node. optax's own rules are kept, quirks included (each function's
docstring lists its own), with these conventions throughout:

* a ``transition_steps <= 0`` (``polynomial_schedule``, ``linear_schedule``,
  ``exponential_decay``, ``warmup_constant_schedule``'s ``warmup_steps``) gives the constant
  ``init_value``, as optax does (optax says so in an ``absl`` info log line; lrkit is silent,
  the docstrings say it); a negative ``transition_begin`` counts as 0, as in optax;
* ``boundaries_and_scales`` is a dict ``{step: scale}`` (or a list of ``(step, scale)`` pairs,
  which is how configs store it; JSON's string keys such as ``"100"`` are read as numbers),
  applied in the order of the steps, a scale from its step on (``t >= step``);
* where optax would produce NaN or an infinity (a negative ``decay_rate``, a negative
  ``exponent``, scales whose product overflows) or would have to shift a schedule's clock before
  step 0 (a negative ``warmup_steps``, join ``boundaries`` or interpolation boundaries), lrkit
  raises ``ValueError`` at construction, naming the argument; an ``exponential_decay`` that
  grows without an ``end_value`` raises ``NonFiniteValueError`` at the step it overflows (optax
  returns ``inf`` there).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar, Literal

from lrkit import _checks as check
from lrkit import fields
from lrkit.combinators import sequence
from lrkit.fields import Composite, constructor
from lrkit.primitives import (
    constant,
    cosine,
    exponential,
    piecewise_constant,
    piecewise_linear,
    polynomial,
)
from lrkit.schedule import Schedule
from lrkit.units import MAX_STEPS

__all__ = [
    "ConstantSchedule",
    "CosineDecaySchedule",
    "CosineOnecycleSchedule",
    "ExponentialDecay",
    "JoinSchedules",
    "LinearOnecycleSchedule",
    "LinearSchedule",
    "PiecewiseConstantSchedule",
    "PiecewiseInterpolateSchedule",
    "PolynomialSchedule",
    "SgdrSchedule",
    "WarmupConstantSchedule",
    "WarmupCosineDecaySchedule",
    "WarmupExponentialDecaySchedule",
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]


#: ``(boundary, scale)`` pairs sorted by boundary (a boundary an int, or a float in
#: ``piecewise_constant_schedule``).
Pairs = tuple[tuple[float, float], ...]


# -- fields ------------------------------------------------------------------------------------


def _any_steps(owner: str, name: str, value: Any) -> int:
    """An int number of steps, zero and negative ones included (optax gives them a meaning)."""
    return check.integer(owner, name, value, minimum=-MAX_STEPS)


def _steps(default: Any = fields._MISSING) -> Any:
    """A step count as optax takes it: any int."""
    return fields.custom(_any_steps, kind="optax_steps", default=default)


def _decay_rate(owner: str, name: str, value: Any) -> float:
    rate = check.real(owner, name, value)
    if rate < 0:
        raise ValueError(
            f"{owner}: {name} must be >= 0, got {value!r} (optax's values are then NaN between "
            "whole transitions)"
        )
    return rate


def _number(owner: str, name: str, value: Any) -> float:
    """A finite number, also written as a string (JSON object keys are strings)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise TypeError(f"{owner}: {name} must be a number, got {value!r}") from None
    return check.real(owner, name, value)


def _boundaries_and_scales(owner: str, name: str, value: Any) -> Pairs | None:
    """``{step: scale}`` or ``(step, scale)`` pairs, as pairs sorted by step (None: none).
    Whole steps are ints; scales must be >= 0, as optax requires."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{owner}: {name} must be a dict {{step: scale}}, got {value!r}")
    else:
        items = list(value)
    pairs: dict[float, float] = {}
    for i, item in enumerate(items):
        if isinstance(item, (str, bytes)) or not hasattr(item, "__len__") or len(item) != 2:
            raise TypeError(f"{owner}: {name}[{i}] must be a (step, scale) pair, got {item!r}")
        step = _number(owner, f"{name} step", item[0])
        whole = check.whole(step)
        key = float(step) if whole is None else whole
        scale = _number(owner, f"{name}[{item[0]!r}]", item[1])
        if scale < 0:
            raise ValueError(f"{owner}: {name} needs scales >= 0 (as optax), got {item[1]!r}")
        if key in pairs:
            raise ValueError(f"{owner}: {name} has step {item[0]!r} twice")
        pairs[key] = scale
    return tuple(sorted(pairs.items()))


def _products(owner: str, init_value: float, scales: Iterable[float]) -> list[float]:
    """``init_value`` then its running products with ``scales`` (each ``scale * previous``),
    every one finite."""
    values = [init_value]
    for scale in scales:
        values.append(scale * values[-1])
        if not math.isfinite(values[-1]):
            raise ValueError(
                f"{owner}: init_value times the scales of boundaries_and_scales overflows"
            )
    return values


def _interpolation_steps(owner: str, pairs: Pairs) -> list[int]:
    """The boundaries of an interpolated schedule: whole steps >= 0 (lrkit's interpolations
    start at a step >= 0)."""
    steps = []
    for boundary, _ in pairs:
        whole = check.whole(boundary)
        if whole is None or whole < 0:
            raise ValueError(
                f"{owner}: boundaries_and_scales steps must be whole numbers >= 0, got {boundary!r}"
            )
        steps.append(whole)
    return steps


# -- the shared curves -------------------------------------------------------------------------


def _polynomial(
    init_value: float, end_value: float, power: float, transition_steps: int, begin: int
) -> Schedule:
    """optax's polynomial: ``(I - E) * (1 - clip(t - B, 0, T) / T) ** P + E``."""
    if transition_steps <= 0:
        return constant(init_value)
    if power == 0:  # (1 - c / T) ** 0 is 1 at every step, the end included
        return constant((init_value - end_value) + end_value)
    curve = polynomial(start=init_value, end=end_value, length=transition_steps, power=power)
    begin = max(begin, 0)
    if begin == 0:
        return curve
    return sequence([constant(init_value), curve], boundaries=[begin])


def _exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int,
    staircase: bool,
    end_value: float | None,
) -> Schedule:
    if transition_steps <= 0 or decay_rate == 0:
        return constant(init_value)
    return exponential(
        start=init_value,
        gamma=decay_rate,
        every=transition_steps,
        staircase=staircase,
        begin=max(transition_begin, 0),
        end=end_value,
    )


def _cosine_decay(init_value: float, decay_steps: int, alpha: float, exponent: float) -> Schedule:
    """``I * ((1 - alpha) * ((1 + cos(pi * min(t, T) / T)) / 2) ** p + alpha)``."""
    if exponent == 0:  # x ** 0 is 1 at every step, the end included
        return constant(init_value * ((1 - alpha) + alpha))
    return cosine(start=init_value, end=init_value * alpha, length=decay_steps, exponent=exponent)


def _check_exponent(owner: str, exponent: float) -> None:
    if exponent < 0:
        raise ValueError(
            f"{owner}: exponent must be >= 0, got {exponent!r} (optax's value at the end of "
            "the decay is then infinite)"
        )


def _warmup_then(
    owner: str, init_value: float, peak_value: float, warmup_steps: int, after: Schedule
) -> Schedule:
    """optax's ``join_schedules([linear_schedule(init, peak, W), after], [W])``."""
    if warmup_steps < 0:
        raise ValueError(
            f"{owner}: warmup_steps must be >= 0, got {warmup_steps!r} (optax would start the "
            "decay before step 0)"
        )
    if warmup_steps == 0:
        return after
    warm = polynomial(start=init_value, end=peak_value, length=warmup_steps, power=1.0)
    return sequence([warm, after], boundaries=[warmup_steps])


def _warmup_cosine(
    owner: str,
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float,
    exponent: float,
) -> Schedule:
    _check_exponent(owner, exponent)
    if decay_steps <= warmup_steps:
        raise ValueError(
            f"{owner}: decay_steps must be > warmup_steps (it includes the warmup), got "
            f"decay_steps={decay_steps!r} and warmup_steps={warmup_steps!r}"
        )
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    if not math.isfinite(alpha):
        raise ValueError(
            f"{owner}: end_value / peak_value overflows: {end_value!r} / {peak_value!r}"
        )
    decay = _cosine_decay(peak_value, decay_steps - warmup_steps, alpha, exponent)
    return _warmup_then(owner, init_value, peak_value, warmup_steps, decay)


def _interpolated(
    owner: str, interpolate_type: str, init_value: float, pairs: Pairs | None
) -> Schedule:
    """optax's piecewise interpolation between the running products of the scales."""
    pairs = pairs or ()
    steps = _interpolation_steps(owner, pairs)
    values = _products(owner, init_value, (scale for _, scale in pairs))
    if not steps:
        return constant(init_value)
    knots = [(0, values[0]), *zip(steps, values[1:], strict=True)]
    if steps[0] == 0:  # the first segment is empty: the value from step 0 is the first product
        knots = knots[1:]
    for (_, a), (_, b) in pairwise(knots):
        check.span(owner, "a segment's start", a, "its end", b)
    if interpolate_type == "linear":
        return piecewise_linear(knots)
    parts: list[Schedule] = [
        cosine(start=a, end=b, length=t1 - t0) for (t0, a), (t1, b) in pairwise(knots)
    ]
    parts.append(constant(knots[-1][1]))
    if len(parts) == 1:
        return parts[0]
    return sequence(parts, boundaries=[t for t, _ in knots[1:]])


# -- the schedules -----------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class _Optax(Composite):
    """An optax schedule: its composition is built (and so checked) at construction, as its
    arguments are all in steps already."""

    def _validate(self) -> None:
        self._composed()


@dataclass(frozen=True, repr=False, eq=False)
class ConstantSchedule(_Optax):
    config_name: ClassVar[str] = "optax.constant_schedule"
    value_: float = fields.real(name="value")

    def arguments(self) -> dict[str, Any]:
        return {"value": self.value_}

    def _rebuilt(self, arguments: dict[str, Any]) -> Schedule:
        return ConstantSchedule(arguments["value"])

    def _compose(self) -> Schedule:
        return constant(self.value_)


@dataclass(frozen=True, repr=False, eq=False)
class PolynomialSchedule(_Optax):
    config_name: ClassVar[str] = "optax.polynomial_schedule"
    init_value: float = fields.real()
    end_value: float = fields.real()
    power: float = fields.real()
    transition_steps: int = _steps()
    transition_begin: int = _steps(0)

    def _compose(self) -> Schedule:
        owner = self.config_name
        if self.transition_steps > 0:
            if self.power < 0:
                raise ValueError(
                    f"{owner}: power must be >= 0, got {self.power!r} (optax's value at the end "
                    "of the transition is then infinite)"
                )
            check.span(owner, "init_value", self.init_value, "end_value", self.end_value)
        return _polynomial(
            self.init_value,
            self.end_value,
            self.power,
            self.transition_steps,
            self.transition_begin,
        )


@dataclass(frozen=True, repr=False, eq=False)
class LinearSchedule(_Optax):
    config_name: ClassVar[str] = "optax.linear_schedule"
    init_value: float = fields.real()
    end_value: float = fields.real()
    transition_steps: int = _steps()
    transition_begin: int = _steps(0)

    def _compose(self) -> Schedule:
        if self.transition_steps > 0:
            check.span(self.config_name, "init_value", self.init_value, "end_value", self.end_value)
        return _polynomial(
            self.init_value, self.end_value, 1.0, self.transition_steps, self.transition_begin
        )


@dataclass(frozen=True, repr=False, eq=False)
class PiecewiseConstantSchedule(_Optax):
    config_name: ClassVar[str] = "optax.piecewise_constant_schedule"
    init_value: float = fields.real()
    boundaries_and_scales: Pairs | None = fields.custom(
        _boundaries_and_scales, kind="optax_boundaries_and_scales", default=None
    )

    def _compose(self) -> Schedule:
        pairs = self.boundaries_and_scales or ()
        values = _products(self.config_name, self.init_value, (scale for _, scale in pairs))
        # A scale applies from the first whole step >= its boundary (and from 0 for negative
        # ones); boundaries that land on the same step apply together.
        steps: list[int] = []
        held: list[float] = [values[0]]
        for (boundary, _), value in zip(pairs, values[1:], strict=True):
            step = max(math.ceil(boundary), 0)
            if steps and steps[-1] == step:
                held[-1] = value
            elif not steps and step == 0:
                held[0] = value
            else:
                steps.append(step)
                held.append(value)
        if not steps:
            return constant(held[0])
        return piecewise_constant(steps, held)


@dataclass(frozen=True, repr=False, eq=False)
class PiecewiseInterpolateSchedule(_Optax):
    config_name: ClassVar[str] = "optax.piecewise_interpolate_schedule"
    interpolate_type: Literal["linear", "cosine"] = fields.choice(("linear", "cosine"))
    init_value: float = fields.real()
    boundaries_and_scales: Pairs | None = fields.custom(
        _boundaries_and_scales, kind="optax_boundaries_and_scales", default=None
    )

    def _compose(self) -> Schedule:
        return _interpolated(
            self.config_name, self.interpolate_type, self.init_value, self.boundaries_and_scales
        )


@dataclass(frozen=True, repr=False, eq=False)
class ExponentialDecay(_Optax):
    config_name: ClassVar[str] = "optax.exponential_decay"
    init_value: float = fields.real()
    transition_steps: int = _steps()
    decay_rate: float = fields.custom(_decay_rate, kind="optax_decay_rate")
    transition_begin: int = _steps(0)
    staircase: bool = fields.flag(False)
    end_value: float | None = fields.optional_real()

    def _compose(self) -> Schedule:
        return _exponential_decay(
            self.init_value,
            self.transition_steps,
            self.decay_rate,
            self.transition_begin,
            self.staircase,
            self.end_value,
        )


@dataclass(frozen=True, repr=False, eq=False)
class CosineDecaySchedule(_Optax):
    config_name: ClassVar[str] = "optax.cosine_decay_schedule"
    init_value: float = fields.real()
    decay_steps: int = fields.integer(minimum=1)
    alpha: float = fields.real(0.0)
    exponent: float = fields.real(1.0)

    def _compose(self) -> Schedule:
        owner = self.config_name
        _check_exponent(owner, self.exponent)
        end = self.init_value * self.alpha
        check.span(owner, "init_value", self.init_value, "init_value * alpha", end)
        return _cosine_decay(self.init_value, self.decay_steps, self.alpha, self.exponent)


@dataclass(frozen=True, repr=False, eq=False)
class WarmupConstantSchedule(_Optax):
    config_name: ClassVar[str] = "optax.warmup_constant_schedule"
    init_value: float = fields.real()
    peak_value: float = fields.real()
    warmup_steps: int = _steps()

    def _compose(self) -> Schedule:
        if self.warmup_steps > 0:
            check.span(
                self.config_name, "init_value", self.init_value, "peak_value", self.peak_value
            )
        return _polynomial(self.init_value, self.peak_value, 1.0, self.warmup_steps, 0)


@dataclass(frozen=True, repr=False, eq=False)
class WarmupCosineDecaySchedule(_Optax):
    config_name: ClassVar[str] = "optax.warmup_cosine_decay_schedule"
    init_value: float = fields.real()
    peak_value: float = fields.real()
    warmup_steps: int = _steps()
    decay_steps: int = _steps()
    end_value: float = fields.real(0.0)
    exponent: float = fields.real(1.0)

    def _compose(self) -> Schedule:
        return _warmup_cosine(
            self.config_name,
            self.init_value,
            self.peak_value,
            self.warmup_steps,
            self.decay_steps,
            self.end_value,
            self.exponent,
        )


@dataclass(frozen=True, repr=False, eq=False)
class WarmupExponentialDecaySchedule(_Optax):
    config_name: ClassVar[str] = "optax.warmup_exponential_decay_schedule"
    init_value: float = fields.real()
    peak_value: float = fields.real()
    warmup_steps: int = _steps()
    transition_steps: int = _steps()
    decay_rate: float = fields.custom(_decay_rate, kind="optax_decay_rate")
    transition_begin: int = _steps(0)
    staircase: bool = fields.flag(False)
    end_value: float | None = fields.optional_real()

    def _compose(self) -> Schedule:
        owner = self.config_name
        decay = _exponential_decay(
            self.peak_value,
            self.transition_steps,
            self.decay_rate,
            self.transition_begin,
            self.staircase,
            self.end_value,
        )
        return _warmup_then(owner, self.init_value, self.peak_value, self.warmup_steps, decay)


#: The arguments of one ``sgdr_schedule`` cycle (``warmup_cosine_decay_schedule``'s).
_CYCLE_REQUIRED = ("init_value", "peak_value", "warmup_steps", "decay_steps")
_CYCLE_OPTIONAL = {"end_value": 0.0, "exponent": 1.0}


def _cosine_kwargs(owner: str, name: str, value: Any) -> tuple[dict[str, float | int], ...]:
    """A non-empty sequence of ``warmup_cosine_decay_schedule`` keyword arguments."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{owner}: {name} must be a list of dicts, got {value!r}")
    cycles = []
    for i, kwargs in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(kwargs, Mapping):
            raise TypeError(f"{owner}: {where} must be a dict, got {kwargs!r}")
        unknown = sorted(set(kwargs) - {*_CYCLE_REQUIRED, *_CYCLE_OPTIONAL})
        missing = [k for k in _CYCLE_REQUIRED if k not in kwargs]
        if unknown or missing:
            raise TypeError(
                f"{owner}: {where} takes warmup_cosine_decay_schedule's arguments; "
                f"unknown {unknown}, missing {missing}"
            )
        cycle: dict[str, float | int] = {}
        for key, item in kwargs.items():
            if key in ("warmup_steps", "decay_steps"):
                cycle[key] = _any_steps(owner, f"{where}[{key!r}]", item)
            else:
                cycle[key] = check.real(owner, f"{where}[{key!r}]", item)
        cycles.append(cycle)
    if not cycles:
        raise ValueError(f"{owner}: {name} needs at least one cycle, got none")
    return tuple(cycles)


@dataclass(frozen=True, repr=False, eq=False)
class SgdrSchedule(_Optax):
    config_name: ClassVar[str] = "optax.sgdr_schedule"
    cosine_kwargs: tuple[dict[str, float | int], ...] = fields.custom(
        _cosine_kwargs, kind="optax_cosine_kwargs"
    )

    def _compose(self) -> Schedule:
        parts = []
        boundaries = []
        total = 0
        for i, kwargs in enumerate(self.cosine_kwargs):
            cycle = {**_CYCLE_OPTIONAL, **kwargs}
            parts.append(
                _warmup_cosine(
                    f"{self.config_name}: cosine_kwargs[{i}]",
                    float(cycle["init_value"]),
                    float(cycle["peak_value"]),
                    int(cycle["warmup_steps"]),
                    int(cycle["decay_steps"]),
                    float(cycle["end_value"]),
                    float(cycle["exponent"]),
                )
            )
            total += int(cycle["decay_steps"])
            boundaries.append(total)
        if len(parts) == 1:
            return parts[0]
        return sequence(parts, boundaries=boundaries[:-1])


def _onecycle_pairs(owner: str, entries: list[tuple[float, float]]) -> Pairs:
    """The ``{step: scale}`` dict optax builds (a later entry replaces an earlier one at the
    same step), as sorted pairs."""
    built: dict[int, float] = {}
    for point, scale in entries:
        step = int(point)  # optax truncates the phase ends toward 0
        if step < 0:
            raise ValueError(
                f"{owner}: the phase fractions must be >= 0, got a phase end {point!r}"
            )
        built[step] = scale
    return tuple(sorted(built.items()))


@dataclass(frozen=True, repr=False, eq=False)
class LinearOnecycleSchedule(_Optax):
    config_name: ClassVar[str] = "optax.linear_onecycle_schedule"
    transition_steps: int = fields.integer(minimum=1)
    peak_value: float = fields.real()
    pct_start: float = fields.real(0.3)
    pct_final: float = fields.real(0.85)
    div_factor: float = fields.positive(25.0)
    final_div_factor: float = fields.positive(1e4)

    def _compose(self) -> Schedule:
        t = self.transition_steps
        pairs = _onecycle_pairs(
            self.config_name,
            [
                (self.pct_start * t, self.div_factor),
                (self.pct_final * t, 1.0 / self.div_factor),
                (t, 1.0 / self.final_div_factor),
            ],
        )
        return _interpolated(self.config_name, "linear", self.peak_value / self.div_factor, pairs)


@dataclass(frozen=True, repr=False, eq=False)
class CosineOnecycleSchedule(_Optax):
    config_name: ClassVar[str] = "optax.cosine_onecycle_schedule"
    transition_steps: int = fields.integer(minimum=1)
    peak_value: float = fields.real()
    pct_start: float = fields.real(0.3)
    div_factor: float = fields.positive(25.0)
    final_div_factor: float = fields.positive(1e4)

    def _compose(self) -> Schedule:
        t = self.transition_steps
        pairs = _onecycle_pairs(
            self.config_name,
            [
                (self.pct_start * t, self.div_factor),
                (t, 1.0 / (self.div_factor * self.final_div_factor)),
            ],
        )
        return _interpolated(self.config_name, "cosine", self.peak_value / self.div_factor, pairs)


def _join_boundaries(owner: str, name: str, value: Any) -> tuple[int, ...]:
    """Steps >= 0, in any order (optax's join lets the last boundary reached win)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{owner}: {name} must be a list of steps, got {value!r}")
    return tuple(check.integer(owner, f"{name}[{i}]", v, minimum=0) for i, v in enumerate(value))


@dataclass(frozen=True, repr=False, eq=False)
class JoinSchedules(_Optax):
    config_name: ClassVar[str] = "optax.join_schedules"
    schedules: tuple[Schedule, ...] = fields.children()
    boundaries: tuple[int, ...] = fields.custom(_join_boundaries, kind="optax_join_boundaries")

    def _compose(self) -> Schedule:
        owner = self.config_name
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                f"{owner}: boundaries needs len(schedules) - 1 = {len(self.schedules) - 1} "
                f"entries, got {len(self.boundaries)} (optax would ignore the extra ones)"
            )
        # At step t optax runs schedules[k](t - boundaries[k-1]) for the last k whose boundary
        # is <= t: schedule k ever runs iff its boundary is below every later one.
        starts = [0, *self.boundaries]
        kept = [
            k
            for k in range(len(self.schedules))
            if all(starts[k] < starts[j] for j in range(k + 1, len(starts)))
        ]
        if len(kept) == 1:
            return self.schedules[kept[0]]
        return sequence([self.schedules[k] for k in kept], boundaries=[starts[k] for k in kept[1:]])


# -- public constructors (optax's names and arguments) -----------------------------------------


@constructor(ConstantSchedule)
def constant_schedule(value: float) -> Schedule:
    """``optax.constant_schedule``: ``value`` at every step.

    >>> from lrkit.parity import optax
    >>> optax.constant_schedule(5.0)(100)
    5.0
    """
    return ConstantSchedule(value)


@constructor(PolynomialSchedule)
def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """``optax.polynomial_schedule``: ``(I - E) * (1 - c / T) ** power + E`` with
    ``c = clip(t - transition_begin, 0, T)``, ``T = transition_steps``: ``init_value`` up to
    ``transition_begin``, ``end_value`` from ``transition_begin + T`` on.

    optax's rules: ``transition_steps <= 0`` is the constant ``init_value``; a negative
    ``transition_begin`` is 0; ``power = 0`` is the constant ``(I - E) + E`` (``0 ** 0`` is 1 at
    the end too). A negative power (infinite at the end) raises.

    >>> from lrkit.parity import optax
    >>> s = optax.polynomial_schedule(1.0, 0.0, 2.0, transition_steps=4, transition_begin=2)
    >>> [s(t) for t in (0, 2, 4, 6, 9)]
    [1.0, 1.0, 0.25, 0.0, 0.0]
    """
    return PolynomialSchedule(init_value, end_value, power, transition_steps, transition_begin)


@constructor(LinearSchedule)
def linear_schedule(
    init_value: float, end_value: float, transition_steps: int, transition_begin: int = 0
) -> Schedule:
    """``optax.linear_schedule``: ``polynomial_schedule`` with ``power = 1``,
    ``(I - E) * (1 - c / T) + E`` (``transition_steps <= 0``: the constant ``init_value``).

    >>> from lrkit.parity import optax
    >>> optax.linear_schedule(1.0, 0.0, transition_steps=4)(1)
    0.75
    """
    return LinearSchedule(init_value, end_value, transition_steps, transition_begin)


@constructor(PiecewiseConstantSchedule)
def piecewise_constant_schedule(
    init_value: float, boundaries_and_scales: Mapping[float, float] | None = None
) -> Schedule:
    """``optax.piecewise_constant_schedule``: ``init_value`` times the product of the scales
    whose step is ``<= t`` (``{step: scale}``, multiplied in the order of the steps, each as
    ``scale * value``).

    optax's rules: a step that is not whole applies from the next whole step (``2.5`` from
    3), a negative one from step 0; scales must be ``>= 0``; ``None`` or ``{}``: the constant.

    >>> from lrkit.parity import optax
    >>> s = optax.piecewise_constant_schedule(1.0, {100: 0.5, 200: 0.5})
    >>> s(99), s(100), s(250)
    (1.0, 0.5, 0.25)
    """
    return PiecewiseConstantSchedule(init_value, boundaries_and_scales)  # type: ignore[arg-type]


@constructor(PiecewiseInterpolateSchedule)
def piecewise_interpolate_schedule(
    interpolate_type: Literal["linear", "cosine"],
    init_value: float,
    boundaries_and_scales: Mapping[int, float] | None = None,
) -> Schedule:
    """``optax.piecewise_interpolate_schedule``: with ``b_0 = 0 < b_1 < ...`` the steps and
    ``v_0 = init_value``, ``v_k = s_k * v_{k-1}`` the running products of the scales, the value
    goes from ``v_k`` at ``b_k`` to ``v_{k+1}`` at ``b_{k+1}``, linearly (``(v_{k+1} - v_k) *
    pct + v_k``) or along a half cosine (``v_{k+1} + (v_k - v_{k+1}) / 2 * (cos(pi * pct) +
    1)``), ``pct = (t - b_k) / (b_{k+1} - b_k)``; ``v_n`` from the last step on.

    optax's rules: it interpolates between the products, not the scales; a step at 0 makes the
    value ``v_1`` from step 0; no boundaries is the constant ``init_value``. lrkit takes whole
    steps ``>= 0`` only (optax's negative or fractional steps shift a segment's clock).

    >>> from lrkit.parity import optax
    >>> s = optax.piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})
    >>> [round(s(t), 6) for t in (0, 2, 4, 6, 8, 10)]
    [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    """
    return PiecewiseInterpolateSchedule(interpolate_type, init_value, boundaries_and_scales)  # type: ignore[arg-type]


@constructor(ExponentialDecay)
def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """``optax.exponential_decay``: ``init_value`` for ``t <= transition_begin``, then
    ``init_value * decay_rate ** ((t - transition_begin) / transition_steps)`` (``staircase``:
    the exponent floored); ``end_value`` bounds every value, as ``max`` when ``decay_rate < 1``
    and ``min`` otherwise (``lrkit.exponential`` with ``every``, ``begin``, ``end``).

    optax's rules: ``transition_steps <= 0`` or ``decay_rate == 0`` is the constant
    ``init_value`` (``end_value`` then has no effect); a negative ``transition_begin`` is 0;
    ``end_value`` applies before ``transition_begin`` too (an ``end_value`` above a decaying
    ``init_value`` is the value at every step). A negative ``decay_rate`` raises.

    >>> from lrkit.parity import optax
    >>> s = optax.exponential_decay(1.0, transition_steps=2, decay_rate=0.5, end_value=0.3)
    >>> [s(t) for t in (0, 2, 3, 4)]
    [1.0, 0.5, 0.3535533905932738, 0.3]
    """
    return ExponentialDecay(
        init_value, transition_steps, decay_rate, transition_begin, staircase, end_value
    )


@constructor(CosineDecaySchedule)
def cosine_decay_schedule(
    init_value: float, decay_steps: int, alpha: float = 0.0, exponent: float = 1.0
) -> Schedule:
    """``optax.cosine_decay_schedule``: ``I * ((1 - alpha) * ((1 + cos(pi * min(t, T) / T)) /
    2) ** exponent + alpha)`` with ``T = decay_steps > 0``: ``init_value * alpha`` from ``T`` on
    (``lrkit.cosine`` with ``exponent``). ``exponent = 0`` is the constant (``0 ** 0`` is 1 at
    the end too); a negative one (infinite at the end) raises.

    >>> from lrkit.parity import optax
    >>> s = optax.cosine_decay_schedule(1.0, decay_steps=4, alpha=0.5)
    >>> [s(t) for t in (0, 2, 4, 8)]
    [1.0, 0.75, 0.5, 0.5]
    """
    return CosineDecaySchedule(init_value, decay_steps, alpha, exponent)


@constructor(WarmupConstantSchedule)
def warmup_constant_schedule(init_value: float, peak_value: float, warmup_steps: int) -> Schedule:
    """``optax.warmup_constant_schedule``: ``linear_schedule(init_value, peak_value,
    warmup_steps)``, linear to ``peak_value`` at ``warmup_steps`` and held.

    optax's rule: ``warmup_steps <= 0`` is the constant ``init_value`` (never ``peak_value``).

    >>> from lrkit.parity import optax
    >>> s = optax.warmup_constant_schedule(0.0, 1.0, warmup_steps=4)
    >>> s(2), s(9)
    (0.5, 1.0)
    """
    return WarmupConstantSchedule(init_value, peak_value, warmup_steps)


@constructor(WarmupCosineDecaySchedule)
def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """``optax.warmup_cosine_decay_schedule``: linear ``init_value -> peak_value`` over
    ``W = warmup_steps``, then ``cosine_decay_schedule(peak_value, decay_steps - W, alpha,
    exponent)`` on the clock ``t - W``, with ``alpha = end_value / peak_value``.

    optax's rules: ``decay_steps`` includes the warmup (it must exceed ``W``); the end value is
    ``peak_value * (end_value / peak_value)``, and with ``peak_value = 0`` it is 0 whatever
    ``end_value`` is. A negative ``warmup_steps`` raises.

    >>> from lrkit.parity import optax
    >>> s = optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=2, decay_steps=6)
    >>> [s(t) for t in (0, 1, 2, 4, 6, 9)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """
    return WarmupCosineDecaySchedule(
        init_value, peak_value, warmup_steps, decay_steps, end_value, exponent
    )


@constructor(WarmupExponentialDecaySchedule)
def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """``optax.warmup_exponential_decay_schedule``: linear ``init_value -> peak_value`` over
    ``W = warmup_steps``, then ``exponential_decay(peak_value, ...)`` on the clock ``t - W``
    (its ``transition_begin`` counted from ``W``). A negative ``warmup_steps`` raises.

    >>> from lrkit.parity import optax
    >>> s = optax.warmup_exponential_decay_schedule(0.0, 1.0, 2, 1, 0.5)
    >>> [s(t) for t in (0, 1, 2, 3, 4)]
    [0.0, 0.5, 1.0, 0.5, 0.25]
    """
    return WarmupExponentialDecaySchedule(
        init_value,
        peak_value,
        warmup_steps,
        transition_steps,
        decay_rate,
        transition_begin,
        staircase,
        end_value,
    )


@constructor(SgdrSchedule)
def sgdr_schedule(cosine_kwargs: Sequence[Mapping[str, float]]) -> Schedule:
    """``optax.sgdr_schedule``: ``warmup_cosine_decay_schedule(**kwargs)`` for each dict in
    turn, each for its ``decay_steps`` (its clock restarting at 0); the last one holds its end.

    >>> from lrkit.parity import optax
    >>> cycle = {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 1, "decay_steps": 3}
    >>> s = optax.sgdr_schedule([cycle, cycle])
    >>> [s(t) for t in range(7)]
    [0.0, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0]
    """
    return SgdrSchedule(cosine_kwargs)  # type: ignore[arg-type]


@constructor(LinearOnecycleSchedule)
def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """``optax.linear_onecycle_schedule``: ``piecewise_interpolate_schedule("linear", peak /
    div_factor, {int(pct_start * T): div_factor, int(pct_final * T): 1 / div_factor, T: 1 /
    final_div_factor})`` with ``T = transition_steps >= 1``: up to (about) ``peak_value``, back
    to ``peak_value / div_factor``, then down to that divided by ``final_div_factor``.

    optax's rules: the phase ends are truncated to whole steps, and where two land on the same
    step the later entry of that dict replaces the earlier one (``T = 1``: no rise at all).

    >>> from lrkit.parity import optax
    >>> s = optax.linear_onecycle_schedule(10, peak_value=1.0, div_factor=2.0)
    >>> [round(s(t), 6) for t in (0, 3, 8, 10)]
    [0.5, 1.0, 0.5, 5e-05]
    """
    return LinearOnecycleSchedule(
        transition_steps, peak_value, pct_start, pct_final, div_factor, final_div_factor
    )


@constructor(CosineOnecycleSchedule)
def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """``optax.cosine_onecycle_schedule``: ``piecewise_interpolate_schedule("cosine", peak /
    div_factor, {int(pct_start * T): div_factor, T: 1 / (div_factor * final_div_factor)})``
    with ``T = transition_steps >= 1``: a half cosine up to (about) ``peak_value`` at step
    ``int(pct_start * T)``, another down to ``peak_value / (div_factor * final_div_factor)`` at
    ``T``; where the two phase ends meet (``pct_start >= 1``), the second entry wins.

    >>> from lrkit.parity import optax
    >>> s = optax.cosine_onecycle_schedule(10, peak_value=1.0, div_factor=2.0)
    >>> [round(s(t), 6) for t in (0, 3, 10)]
    [0.5, 1.0, 5e-05]
    """
    return CosineOnecycleSchedule(
        transition_steps, peak_value, pct_start, div_factor, final_div_factor
    )


@constructor(JoinSchedules)
def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """``optax.join_schedules``: ``schedules[k](t - boundaries[k-1])`` for the last ``k`` whose
    boundary is ``<= t`` (``schedules[0](t)`` before them all). Sorted boundaries make it
    ``lrkit.sequence``; optax's order rule is kept for others (a boundary that a later, smaller
    one overtakes never runs). ``len(boundaries)`` must be ``len(schedules) - 1`` (optax
    ignores extra entries); boundaries must be ``>= 0``.

    >>> import lrkit
    >>> from lrkit.parity import optax
    >>> s = optax.join_schedules([lrkit.constant(1.0), lrkit.linear(2.0, 0.0, 4)], [3])
    >>> [s(t) for t in (0, 2, 3, 5, 9)]
    [1.0, 1.0, 2.0, 1.0, 0.0]
    """
    return JoinSchedules(schedules, boundaries)  # type: ignore[arg-type]
