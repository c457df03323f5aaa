"""Cycles and shaped runs: cosine restarts (SGDR), cyclic triangles, one-cycle, warmup-stable-
decay, and deterministic noise. ``cosine_restarts``, ``cyclic`` and ``noise`` run as their own C++
nodes (``csrc/cycles.hpp``); ``one_cycle`` and ``wsd`` lower to compositions of built-ins once
their lengths are in steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from lrkit import _checks as check
from lrkit import fields
from lrkit.combinators import sequence, warmup
from lrkit.fields import Composite, Declared, constructor
from lrkit.primitives import constant, cosine, linear, polynomial
from lrkit.schedule import Schedule
from lrkit.units import Duration, steps_of

__all__ = [
    "CYCLIC_MODES",
    "CosineRestarts",
    "Cyclic",
    "Noise",
    "OneCycle",
    "WarmupStableDecay",
    "cosine_restarts",
    "cyclic",
    "noise",
    "one_cycle",
    "wsd",
]

_MASK64 = (1 << 64) - 1
#: The amplitude modes of ``cyclic`` and ``torch_cyclic`` (``lrkit._core.CyclicMode`` by name).
CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


#: Most cycles by which cosine_restarts corrects its log estimate of the cycle (measured: one
#: at most, for steps up to 2**62 and period_mult from 1 + 1e-9 to 1e300).
_MAX_CORRECTIONS = 4


def _pow(x: float, y: float) -> float:
    """``x ** y`` as C's ``pow`` computes it: an overflow is ``inf`` (not an OverflowError)."""
    try:
        result: float = x**y
    except OverflowError:
        return math.inf
    return result


def _cycle_start(period: int, mult: float, cycle: float) -> float:
    """The first step of cycle ``cycle`` of SGDR with ``period_mult = mult != 1``:
    ``period * (1 - mult**cycle) / (1 - mult)`` (the same operations as csrc/cycles.hpp)."""
    return period * (1.0 - _pow(mult, cycle)) / (1.0 - mult)


@dataclass(frozen=True, repr=False, eq=False)
class CosineRestarts(Declared):
    """SGDR. Cycle ``i`` lasts ``T_i = period * period_mult**i`` steps and anneals from
    ``peak_i = start * decay**i`` to ``end``: ``end + (peak_i - end) * (1 + cos(pi * t_cur / T_i))
    / 2`` where ``t_cur`` is the step within the cycle (exactly ``peak_i`` at ``t_cur = 0``, and
    clamped to ``[min(peak_i, end), max(peak_i, end)]``, as ``cosine``). From cycle ``limit`` on
    (if given): ``end``.

    With ``period_mult = m > 1``, cycle ``i`` starts at ``S_i = period * (1 - m**i) / (1 - m)``:
    ``i`` is the cycle with ``S_i <= t < S_{i+1}`` (estimated by ``floor(log(1 - t/period * (1 -
    m)) / log(m))``, then corrected against ``S_i``, so every restart lands exactly on its step)
    and ``t_cur = t - S_i`` (clamped to ``[0, T_i]``).
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
            # The closed-form inverse of the cycle starts estimates the cycle; float rounding of
            # the logs puts exact boundaries one cycle off, so correct it against the starts.
            estimate = math.log(1.0 - t / period * (1.0 - mult)) / math.log(mult)
            cycle = float(math.floor(estimate)) if math.isfinite(estimate) else 0.0
            for _ in range(_MAX_CORRECTIONS):
                if cycle > 0.0 and _cycle_start(period, mult, cycle) > t:
                    cycle -= 1.0
                elif _cycle_start(period, mult, cycle + 1.0) <= t:
                    cycle += 1.0
                else:
                    break
            t_i = _pow(mult, cycle) * period
            t_cur = min(max(t - _cycle_start(period, mult, cycle), 0.0), t_i)
        if self.limit is not None and cycle >= self.limit:
            return self.end
        peak: float = self.start * _pow(self.decay, cycle)
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


_DECAY_SHAPES: dict[str, Callable[..., Schedule]] = {
    "linear": linear,
    "cosine": cosine,
    "square": lambda **kw: polynomial(**kw, power=2.0),
}


@dataclass(frozen=True, repr=False, eq=False)
class WarmupStableDecay(Composite):
    """Warmup-stable-decay: linear warmup ``0 -> peak`` over ``warmup_length``, ``peak`` until
    ``total - decay_length``, then ``decay_shape`` (``linear``, ``cosine``, ``square``) down to
    ``end``, reached at ``total``."""

    config_name: ClassVar[str] = "wsd"
    peak: float = fields.real()
    warmup_length: Duration = fields.duration()
    decay_length: Duration = fields.duration()
    total: Duration = fields.duration()
    end: float = fields.real(0.0)
    decay_shape: Literal["linear", "cosine", "square"] = fields.choice(
        sorted(_DECAY_SHAPES), "linear"
    )

    def _validate(self) -> None:
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
        tail = _DECAY_SHAPES[self.decay_shape](start=self.peak, end=self.end, length=decay)
        if warm + decay < total:
            tail = sequence([constant(self.peak), tail], boundaries=[total - warm - decay])
        return warmup(tail, length=warm)


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
    decay_shape: Literal["linear", "cosine", "square"] = "linear",
) -> WarmupStableDecay:
    """Warmup-stable-decay: linear warmup ``0 -> peak`` over ``warmup_length``, ``peak`` until
    ``total - decay_length``, then ``decay_shape`` down to ``end`` at ``total`` (``square`` is
    ``polynomial`` with power 2). Lengths take steps, epochs or fractions of the run.
    """
    return WarmupStableDecay(peak, warmup_length, decay_length, total, end, decay_shape)
