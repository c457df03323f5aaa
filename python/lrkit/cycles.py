"""Cycles and shaped runs: cosine restarts (SGDR), cyclic triangles, one-cycle, warmup-stable-
decay, and deterministic noise. ``cosine_restarts``, ``cyclic`` and ``noise`` run as their own C++
nodes (``csrc/cycles.hpp``); ``one_cycle`` and ``wsd`` lower to compositions of built-ins once
their lengths are in steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from lrkit import _checks as check
from lrkit import fields
from lrkit._cfloat import c_pow
from lrkit.combinators import sequence, warmup
from lrkit.fields import Composite, Declared, constructor
from lrkit.primitives import constant, cosine, inverse_sqrt, linear, polynomial
from lrkit.schedule import Schedule
from lrkit.units import Duration, steps_of

__all__ = [
    "CYCLIC_MODES",
    "CosineRestarts",
    "Cyclic",
    "Noise",
    "OneCycle",
    "WarmupCosine",
    "WarmupStableDecay",
    "cosine_restarts",
    "cyclic",
    "noise",
    "one_cycle",
    "warmup_cosine",
    "wsd",
]

_MASK64 = (1 << 64) - 1
#: The amplitude modes of ``cyclic`` and ``torch_cyclic`` (``lrkit._core.CyclicMode`` by name).
CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


#: Most cycles by which cosine_restarts corrects its log estimate of the cycle (the estimate is
#: one cycle off at most where no cycle is empty; empty cycles, possible only where the float
#: error of ``S_i`` reaches 1/2, need one correction each).
_MAX_CORRECTIONS = 64


def _nearest(x: float) -> float:
    """``x >= 0`` rounded to the nearest integer, ties up (C's ``round``); inf stays inf."""
    if not math.isfinite(x):
        return x
    whole = math.floor(x)
    return float(whole + 1 if x - whole >= 0.5 else whole)  # x - floor(x) is exact


def _cycle_start(period: int, mult: float, cycle: float) -> float:
    """``B_i``, the first step of cycle ``i = cycle`` of SGDR with ``period_mult = mult != 1``:
    the integer nearest ``S_i = period * (1 - mult**i) / (1 - mult)`` as float64 evaluates it
    (the same operations as csrc/cycles.hpp)."""
    return _nearest(period * (1.0 - c_pow(mult, cycle)) / (1.0 - mult))


@dataclass(frozen=True, repr=False, eq=False)
class CosineRestarts(Declared):
    """SGDR. Cycle ``i`` starts at the integer step ``B_i``, lasts ``L_i = B_{i+1} - B_i``
    steps and anneals from ``peak_i = start * decay**i`` to ``end``: ``end + (peak_i - end) * (1
    + cos(pi * t_cur / L_i)) / 2`` with ``t_cur = t - B_i`` (exactly ``peak_i`` at ``t_cur = 0``,
    clamped to ``[min(peak_i, end), max(peak_i, end)]``, as ``cosine``). From cycle ``limit`` on
    (if given): ``end``.

    The boundaries are integers, so a step is in exactly one cycle and every restart is exactly
    ``peak_i``: ``B_i = i * period`` for ``period_mult = 1``, else ``B_i = round(S_i)`` (ties
    up), the step nearest the start ``S_i = period * (1 - m**i) / (1 - m)`` of the continuous
    SGDR with ``m = period_mult``, ``S_i`` evaluated in float64 by exactly those operations (the
    C++ kernel does the same, so both find the same cycle for every step). Rounding absorbs the
    float error of the closed form: a start that is an integer in exact arithmetic (``S_1 =
    period`` always; ``S_i`` for integer or dyadic ``m``) is that step, while the float ``S_1``
    of ``period=43, period_mult=1.1`` is ``43.00000000000001``. The cycle is found by the
    estimate ``floor(log(1 - t/period * (1 - m)) / log(m))``, corrected against ``B_i`` and
    ``B_{i+1}`` (integers, compared exactly). Where every ``S_i`` is an integer (``m`` an
    integer, or dyadic with a period that keeps the starts whole), ``L_i = period * m**i``:
    the continuous SGDR's values. Elsewhere a cycle's length is the whole number of steps
    between its rounded ends.
    """

    config_name: ClassVar[str] = "cosine_restarts"
    start: float = fields.real()
    end: float = fields.real()
    period: Duration = fields.duration()
    period_mult: float = fields.real(1.0)
    decay: float = fields.positive(1.0)
    limit: int | None = fields.integer(None, minimum=1, optional=True)

    def _validate(self) -> None:
        owner = "cosine_restarts"
        check.span(owner, "end", self.end, "start", self.start)
        if self.period_mult < 1:
            raise ValueError(f"{owner}: period_mult must be >= 1, got {self.period_mult!r}")

    def value(self, step: int) -> float:
        period = steps_of(self.period, "cosine_restarts(period=...)")
        mult = self.period_mult
        if mult == 1.0:
            index = step // period
            cycle = float(index)
            t_cur = float(step - index * period)
            t_i = float(period)
        else:
            t = float(step)
            estimate = math.log(1.0 - t / period * (1.0 - mult)) / math.log(mult)
            cycle = float(math.floor(estimate)) if math.isfinite(estimate) else 0.0
            for _ in range(_MAX_CORRECTIONS):
                if cycle > 0.0 and _cycle_start(period, mult, cycle) > t:
                    cycle -= 1.0
                elif _cycle_start(period, mult, cycle + 1.0) <= t:
                    cycle += 1.0
                else:
                    break
            origin = _cycle_start(period, mult, cycle)
            t_i = _cycle_start(period, mult, cycle + 1.0) - origin
            t_cur = min(max(t - origin, 0.0), t_i)  # (in [0, L_i) once corrected)
        if self.limit is not None and cycle >= self.limit:
            return self.end
        peak: float = self.start * c_pow(self.decay, cycle)
        if t_cur == 0.0:
            return peak
        value = self.end + (peak - self.end) * (1.0 + math.cos(math.pi * t_cur / t_i)) / 2.0
        return min(max(value, min(peak, self.end)), max(peak, self.end))


@dataclass(frozen=True, repr=False, eq=False)
class Cyclic(Declared):
    """Triangle waves: ``low + (high - low) * scale * amplitude`` where, with ``phase = t % (up +
    down)``, ``scale = phase / up`` while rising (``phase <= up``), else ``(up + down - phase) /
    down``; ``amplitude`` is 1 (``triangular``), ``0.5 ** cycle`` (``triangular2``) or
    ``gamma ** t`` (``exp_range``). Exactly ``high`` at a full peak, clamped to ``[min(low, high),
    max(low, high)]``."""

    config_name: ClassVar[str] = "cyclic"
    low: float = fields.real()
    high: float = fields.real()
    up: Duration = fields.duration()
    down: Duration | None = fields.optional_duration()
    mode: Literal["triangular", "triangular2", "exp_range"] = fields.choice(
        CYCLIC_MODES, "triangular"
    )
    gamma: float = fields.positive(1.0)

    def _validate(self) -> None:
        check.span("cyclic", "low", self.low, "high", self.high)

    def _lengths(self) -> tuple[int, int]:
        up = steps_of(self.up, "cyclic(up=...)")
        down = up if self.down is None else steps_of(self.down, "cyclic(down=...)")
        return up, down

    def value(self, step: int) -> float:
        up, down = self._lengths()
        total = up + down
        cycle, phase = divmod(step, total)
        scale = phase / up if phase <= up else (total - phase) / down
        amplitude = 1.0
        if self.mode == "triangular2":
            amplitude = 0.5**cycle
        elif self.mode == "exp_range":
            amplitude = self.gamma**step
        if scale == 1.0 and amplitude == 1.0:
            return self.high
        value = self.low + (self.high - self.low) * scale * amplitude
        return min(max(value, min(self.low, self.high)), max(self.low, self.high))


def _mix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


@dataclass(frozen=True, repr=False, eq=False)
class Noise(Declared):
    """``schedule(t) * (1 + amount * u(t))`` with ``u(t)`` uniform in ``[-1, 1)``, a pure function
    of ``(seed, t)`` (a 64-bit hash): the same at every resume, in every chunk."""

    config_name: ClassVar[str] = "noise"
    node: ClassVar[str] = "Noise"
    schedule: Schedule = fields.child()
    amount: float = fields.real()
    seed: int = fields.integer(0, minimum=0, maximum=2**32 - 1)

    def _validate(self) -> None:
        if not 0 <= self.amount < 1:
            raise ValueError(f"noise: amount must be in [0, 1), got {self.amount!r}")

    def value(self, step: int) -> float:
        bits = _mix64((_mix64(self.seed) + step) & _MASK64)
        u = (bits >> 11) * 2.0**-53 * 2.0 - 1.0
        return self.schedule(step) * (1.0 + self.amount * u)


# -- public constructors ---------------------------------------------------------------------


@constructor(CosineRestarts)
def cosine_restarts(
    start: float,
    end: float,
    period: Duration,
    period_mult: float = 1.0,
    decay: float = 1.0,
    limit: int | None = None,
) -> CosineRestarts:
    """SGDR: cosine from ``start`` (times ``decay**i`` in cycle ``i``) to ``end``, restarting
    after ``period`` steps, each cycle ``period_mult`` times longer; ``end`` after ``limit``
    cycles.

    >>> s = lrkit.cosine_restarts(start=1.0, end=0.0, period=4)
    >>> [s(t) for t in (0, 2, 4)]
    [1.0, 0.5, 1.0]
    """
    return CosineRestarts(start, end, period, period_mult, decay, limit)


@constructor(Cyclic)
def cyclic(
    low: float,
    high: float,
    up: Duration,
    down: Duration | None = None,
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
    gamma: float = 1.0,
) -> Cyclic:
    """Cyclical learning rates (Smith 2017): ``low -> high`` over ``up`` steps, back over
    ``down`` (default ``up``); ``mode`` scales each cycle's amplitude."""
    return Cyclic(low, high, up, down, mode, gamma)


@constructor(Noise)
def noise(schedule: Schedule, amount: float, seed: int = 0) -> Noise:
    """Multiplicative noise ``1 + amount * u(t)``, deterministic in ``(seed, t)``."""
    return Noise(schedule, amount, seed)


@dataclass(frozen=True, repr=False, eq=False)
class OneCycle(Composite):
    """One-cycle (Smith & Topin): from ``peak / div`` up to ``peak`` over ``round(pct_start *
    total)`` steps, then down to ``peak / (div * final_div)`` at ``total``; with
    ``three_phase``, back to ``peak / div`` over as many steps as the rise, then to the floor.
    Each phase is a half-cosine (``anneal="cos"``) or a line (``"linear"``)."""

    config_name: ClassVar[str] = "one_cycle"
    peak: float = fields.real()
    total: Duration = fields.duration(minimum=2)
    pct_start: float = fields.real(0.3)
    div: float = fields.positive(25.0)
    final_div: float = fields.positive(1e4)
    anneal: Literal["cos", "linear"] = fields.choice(("cos", "linear"), "cos")
    three_phase: bool = fields.flag(False)

    def _validate(self) -> None:
        limit = 0.5 if self.three_phase else 1.0
        if not 0 < self.pct_start < limit:
            raise ValueError(
                f"one_cycle: pct_start must be in (0, {limit}), got {self.pct_start!r}"
            )

    def _compose(self) -> Schedule:
        total = steps_of(self.total, "one_cycle(total=...)")
        shape = cosine if self.anneal == "cos" else linear
        initial = self.peak / self.div
        floor = initial / self.final_div
        rise = max(1, round(self.pct_start * total))
        if self.three_phase:
            return sequence(
                [
                    shape(start=initial, end=self.peak, length=rise),
                    shape(start=self.peak, end=initial, length=rise),
                    shape(start=initial, end=floor, length=max(1, total - 2 * rise)),
                ],
                boundaries=[rise, 2 * rise],
            )
        return sequence(
            [
                shape(start=initial, end=self.peak, length=rise),
                shape(start=self.peak, end=floor, length=max(1, total - rise)),
            ],
            boundaries=[rise],
        )


#: The decay shapes of ``wsd``, each ``peak -> end`` over the decay phase (``p = t / length``).
WSD_DECAY_SHAPES = ("linear", "cosine", "square", "1-sqrt", "power", "exp")
#: The warmup shapes of ``wsd`` (``warmup``'s shapes that start from 0).
WSD_WARMUP_SHAPES = ("linear", "cosine", "1-sqrt", "sqrt")


def _decay(shape: str, peak: float, end: float, length: int, exponent: float) -> Schedule:
    """``wsd``'s decay from ``peak`` to ``end`` over ``length`` steps, then ``end``."""
    if shape == "linear":
        return linear(start=peak, end=end, length=length)
    if shape == "cosine":
        return cosine(start=peak, end=end, length=length)
    if shape == "square":
        return polynomial(start=peak, end=end, length=length, power=2.0)
    # peak + (end - peak) * g(p): a warmup-shaped ramp towards the constant end
    ramp = {"1-sqrt": "sqrt", "power": "power", "exp": "exponential"}[shape]
    return warmup(constant(end), length=length, start=peak, shape=ramp, exponent=exponent)  # type: ignore[arg-type]


@dataclass(frozen=True, repr=False, eq=False)
class WarmupStableDecay(Composite):
    """Warmup-stable-decay: warmup ``0 -> peak`` over ``warmup_length`` (``warmup_shape``: the
    ramps of ``warmup``), a stable phase until ``total - decay_length``, then the decay to
    ``end``, reached at ``total`` and held.

    Stable phase (``u`` steps into it): ``"constant"``: ``peak``; ``"rsqrt"``: ``peak / sqrt(1
    + u / stable_timescale)`` (timescale default: the warmup length), and the decay starts from
    where it got to. Decay (from ``s`` to ``end``, ``p = t / decay_length``): ``"linear"``,
    ``"cosine"``, ``"square"`` (``end + (s - end) * (1 - p) ** 2``), ``"1-sqrt"`` (``s + (end -
    s) * sqrt(p)``), ``"power"`` (``s + (end - s) * p ** decay_exponent``), ``"exp"``
    (geometric, ``s * (end / s) ** p``; ``end`` must be > 0 for a positive peak)."""

    config_name: ClassVar[str] = "wsd"
    peak: float = fields.real()
    warmup_length: Duration = fields.duration(minimum=0)
    decay_length: Duration = fields.duration()
    total: Duration = fields.duration()
    end: float = fields.real(0.0)
    decay_shape: Literal["linear", "cosine", "square", "1-sqrt", "power", "exp"] = fields.choice(
        WSD_DECAY_SHAPES, "linear"
    )
    warmup_shape: Literal["linear", "cosine", "1-sqrt", "sqrt"] = fields.choice(
        WSD_WARMUP_SHAPES, "linear"
    )
    stable: Literal["constant", "rsqrt"] = fields.choice(("constant", "rsqrt"), "constant")
    stable_timescale: Duration | None = fields.optional_duration()
    decay_exponent: float = fields.positive(2.0)

    def _validate(self) -> None:
        ratio = self.end / self.peak if self.peak != 0 else math.nan
        if self.decay_shape == "exp" and not (ratio > 0 and math.isfinite(ratio)):
            raise ValueError(
                f"wsd: decay_shape='exp' needs end of the sign of peak and nonzero, got "
                f"peak={self.peak!r}, end={self.end!r}"
            )
        if self.stable == "rsqrt" and self.stable_timescale is None and self.warmup_length == 0:
            raise ValueError(
                "wsd: stable='rsqrt' needs stable_timescale when warmup_length is 0, got None"
            )
        if all(
            isinstance(getattr(self, n), int) for n in ("warmup_length", "decay_length", "total")
        ):
            self._lengths()  # in steps already: check them now

    def _lengths(self) -> tuple[int, int, int]:
        warm = steps_of(self.warmup_length, "wsd(warmup_length=...)")
        decay = steps_of(self.decay_length, "wsd(decay_length=...)")
        total = steps_of(self.total, "wsd(total=...)")
        if warm + decay > total:
            raise ValueError(
                f"wsd: warmup_length + decay_length must be <= total, got {warm} + {decay} > "
                f"{total}"
            )
        return warm, decay, total

    def _compose(self) -> Schedule:
        warm, decay, total = self._lengths()
        stable_steps = total - warm - decay
        stable: Schedule = constant(self.peak)
        if self.stable == "rsqrt":
            timescale = (
                warm
                if self.stable_timescale is None
                else steps_of(self.stable_timescale, "wsd(stable_timescale=...)")
            )
            if timescale == 0:
                raise ValueError(
                    "wsd: stable='rsqrt' needs stable_timescale when the warmup is 0 steps, "
                    "got None"
                )
            stable = inverse_sqrt(start=self.peak, timescale=timescale)
        top = stable(stable_steps)
        tail = _decay(self.decay_shape, top, self.end, decay, self.decay_exponent)
        if stable_steps > 0:
            tail = sequence([stable, tail], boundaries=[stable_steps])
        if warm == 0:
            return tail
        return warmup(tail, length=warm, shape=self.warmup_shape)


@dataclass(frozen=True, repr=False, eq=False)
class WarmupCosine(Composite):
    """Linear warmup ``peak * t / warmup`` for ``t < warmup``, then the half cosine ``floor +
    (peak - floor) * (1 + cos(pi * (t - warmup) / (total - warmup))) / 2`` down to ``floor``,
    reached at ``t = total`` and held. ``floor_ratio`` gives the floor as ``floor_ratio *
    peak`` instead (give one of the two; neither: 0)."""

    config_name: ClassVar[str] = "warmup_cosine"
    peak: float = fields.real()
    warmup: Duration = fields.duration(minimum=0)
    total: Duration = fields.duration()
    floor: float | None = fields.optional_real()
    floor_ratio: float | None = fields.optional_real()

    def _validate(self) -> None:
        if self.floor is not None and self.floor_ratio is not None:
            raise ValueError(
                f"warmup_cosine: give floor or floor_ratio, not both, got floor={self.floor!r}, "
                f"floor_ratio={self.floor_ratio!r}"
            )
        if isinstance(self.warmup, int) and isinstance(self.total, int):
            self._lengths()

    def _lengths(self) -> tuple[int, int]:
        warm = steps_of(self.warmup, "warmup_cosine(warmup=...)")
        total = steps_of(self.total, "warmup_cosine(total=...)")
        if warm >= total:
            raise ValueError(f"warmup_cosine: warmup must be < total, got {warm} >= {total}")
        return warm, total

    def _compose(self) -> Schedule:
        warm, total = self._lengths()
        floor = self.floor_ratio * self.peak if self.floor_ratio is not None else self.floor
        decay = cosine(start=self.peak, end=floor or 0.0, length=total - warm)
        return warmup(decay, length=warm) if warm else decay


@constructor(WarmupCosine)
def warmup_cosine(
    peak: float,
    warmup: Duration,
    total: Duration,
    floor: float | None = None,
    floor_ratio: float | None = None,
) -> WarmupCosine:
    """Linear warmup ``0 -> peak`` over ``warmup`` steps, then a half cosine down to ``floor``
    (or ``floor_ratio * peak``; default 0) at ``total`` (the whole run, warmup included), held
    after. Lengths take steps, epochs or fractions of the run.

    >>> s = lrkit.warmup_cosine(peak=1.0, warmup=2, total=6, floor_ratio=0.1)
    >>> [round(s(t), 3) for t in range(8)]
    [0.0, 0.5, 1.0, 0.868, 0.55, 0.232, 0.1, 0.1]
    """
    return WarmupCosine(peak, warmup, total, floor, floor_ratio)


@constructor(OneCycle)
def one_cycle(
    peak: float,
    total: Duration,
    pct_start: float = 0.3,
    div: float = 25.0,
    final_div: float = 1e4,
    anneal: Literal["cos", "linear"] = "cos",
    three_phase: bool = False,
) -> OneCycle:
    """One-cycle (Smith & Topin): from ``peak / div`` up to ``peak`` over ``round(pct_start *
    total)`` steps, then down to ``peak / (div * final_div)`` at ``total`` (with
    ``three_phase``: back to ``peak / div`` over as many steps, then to the floor).

    lrkit's convention (peak reached exactly at the end of the rise); ``lrkit.torch.OneCycleLR``
    reproduces torch's own step boundaries.
    """
    return OneCycle(peak, total, pct_start, div, final_div, anneal, three_phase)


@constructor(WarmupStableDecay)
def wsd(
    peak: float,
    warmup_length: Duration,
    decay_length: Duration,
    total: Duration,
    end: float = 0.0,
    decay_shape: Literal["linear", "cosine", "square", "1-sqrt", "power", "exp"] = "linear",
    warmup_shape: Literal["linear", "cosine", "1-sqrt", "sqrt"] = "linear",
    stable: Literal["constant", "rsqrt"] = "constant",
    stable_timescale: Duration | None = None,
    decay_exponent: float = 2.0,
) -> WarmupStableDecay:
    """Warmup-stable-decay: warmup ``0 -> peak`` over ``warmup_length`` (``warmup_shape``, as
    ``warmup``'s ramps), ``peak`` until ``total - decay_length`` (``stable="rsqrt"``: ``peak /
    sqrt(1 + u / stable_timescale)``), then ``decay_shape`` down to ``end`` at ``total``:
    ``"linear"``, ``"cosine"``, ``"square"`` (``polynomial`` with power 2), ``"1-sqrt"`` (``1 -
    sqrt(p)`` of the way down), ``"power"`` (``1 - p ** decay_exponent``) or ``"exp"``
    (geometric). Lengths take steps, epochs or fractions of the run (``lrkit.fraction(0.2)``).

    >>> s = lrkit.wsd(peak=1.0, warmup_length=2, decay_length=4, total=8, decay_shape="1-sqrt")
    >>> [round(s(t), 3) for t in range(9)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.293, 0.134, 0.0]
    """
    return WarmupStableDecay(
        peak,
        warmup_length,
        decay_length,
        total,
        end,
        decay_shape,
        warmup_shape,
        stable,
        stable_timescale,
        decay_exponent,
    )
