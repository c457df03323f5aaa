"""HF transformers' schedules (``transformers.optimization``, 5.x) as lrkit multipliers.

Each function returns the multiplier ``lambda(t)`` of the base LR that HF's ``LambdaLR`` applies
(``lr = base_lr * lambda(t)``), with HF's arguments, minus the optimizer: use it with
``lrkit.torch.Scheduler(optimizer, schedule)`` (relative mode) or ``lrkit.scale(schedule,
base_lr)``, or let :func:`lrkit.torch.get_scheduler` build the scheduler by HF's names. Steps
``t`` count optimizer steps from 0, as HF's do. Every function is registered under
``hf.<function name>`` (``lrkit.create({"name": "hf.linear_schedule_with_warmup", ...})``).

The values are HF's, bit for bit (the engine's ``HfCurve`` node performs HF's operations in HF's
order), quirks included; each function's docstring lists its quirks. The ones shared by most:

* the warmup is ``t / max(1, W)``: it starts at 0 and reaches 1 at ``t = W``;
* the decay's progress ``(t - W) / max(1, T - W)`` is not clamped, so past ``num_training_steps``
  the cosines keep going (``cosine_schedule_with_warmup`` rises again: lrkit's own ``cosine``
  holds its end), clipped below at 0 by ``max(0, ...)``;
* ``num_training_steps <= num_warmup_steps`` is accepted (the decay then divides by 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from lrkit import fields
from lrkit.fields import Composite, Declared, constructor
from lrkit.primitives import constant
from lrkit.schedule import Schedule

__all__ = [
    "WSD_TYPES",
    "ConstantSchedule",
    "ConstantScheduleWithWarmup",
    "CosineScheduleWithWarmup",
    "CosineWithHardRestartsScheduleWithWarmup",
    "CosineWithMinLrScheduleWithWarmup",
    "CosineWithMinLrScheduleWithWarmupLrRate",
    "HfCurve",
    "InverseSqrtSchedule",
    "LinearScheduleWithWarmup",
    "PolynomialDecayScheduleWithWarmup",
    "WsdSchedule",
    "constant_schedule",
    "constant_schedule_with_warmup",
    "cosine_schedule_with_warmup",
    "cosine_with_hard_restarts_schedule_with_warmup",
    "cosine_with_min_lr_schedule_with_warmup",
    "cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "inverse_sqrt_schedule",
    "linear_schedule_with_warmup",
    "polynomial_decay_schedule_with_warmup",
    "wsd_schedule",
]


#: HF's warmup and decay types of ``get_wsd_schedule``.
WSD_TYPES = ("linear", "cosine", "1-sqrt")


@dataclass(frozen=True, repr=False, eq=False)
class HfCurve(Declared):
    """One of HF's lambdas (``kind``), evaluated with HF's operations in HF's order; the
    reference of the engine's ``HfCurve`` node (csrc/hf_parity.hpp). Built by the public
    functions below, which check the arguments; not registered itself."""

    kind: str
    warmup: int = 0
    training: int = 0
    cycles: float = 0.5
    min_rate: float = 0.0
    lr_end: float = 0.0
    lr_init: float = 1.0
    power: float = 1.0
    timescale: int = 1
    warmup_lr_rate: float | None = None
    stable: int = 0
    decay: int = 0
    warmup_type: str = "linear"
    decay_type: str = "linear"

    def _ramp(self, t: float) -> float:
        return t / float(max(1, self.warmup))

    def _progress(self, t: float) -> float:
        return (t - self.warmup) / float(max(1, self.training - self.warmup))

    def _wave(self, p: float) -> float:
        return 0.5 * (1.0 + math.cos(math.pi * self.cycles * 2.0 * p))

    def value(self, step: int) -> float:
        t, w, kind = float(step), self.warmup, self.kind
        if kind == "wsd":
            return self._wsd(step)
        if kind == "cosine_warmup_min_lr":
            return self._cosine_warmup_min_lr(t)
        if step < w:
            return self._ramp(t)
        if kind == "constant_with_warmup":
            return 1.0
        if kind == "linear":
            return max(0.0, float(self.training - step) / float(max(1, self.training - w)))
        if kind == "cosine":
            return max(0.0, self._wave(self._progress(t)))
        if kind == "hard_restarts":
            p = self._progress(t)
            if p >= 1.0:
                return 0.0
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((self.cycles * p) % 1.0))))
        if kind == "polynomial":
            if step > self.training:
                return self.lr_end / self.lr_init
            remaining = 1.0 - (step - w) / (self.training - w)
            decayed: float = remaining**self.power
            return ((self.lr_init - self.lr_end) * decayed + self.lr_end) / self.lr_init
        if kind == "inverse_sqrt":  # in float64, as the engine (HF adds Python ints)
            shift = float(self.timescale - w)
            return 1.0 / math.sqrt((t + shift) / float(self.timescale))
        # cosine_min_lr
        r = self.min_rate
        return max(0.0, self._wave(self._progress(t)) * (1.0 - r) + r)

    def _cosine_warmup_min_lr(self, t: float) -> float:
        w = float(self.warmup)
        if t < w:
            rate = self.warmup_lr_rate
            if rate is None:
                return (t + 1.0) / max(1.0, w)
            return rate + (1.0 - rate) * t / max(1.0, w - 1.0)
        p = (t - w + 1.0) / max(1.0, float(self.training) - w)
        r = self.min_rate
        return max(0.0, self._wave(p) * (1.0 - r) + r)

    def _wsd(self, step: int) -> float:
        w, s, d, r = self.warmup, self.stable, self.decay, self.min_rate
        if step < w:
            p = float(step) / float(max(1, w))
            factor = p
            if self.warmup_type == "cosine":
                factor = 0.5 * (1.0 - math.cos(math.pi * p))
            elif self.warmup_type == "1-sqrt":
                factor = 1.0 - math.sqrt(1.0 - p)
            return max(0.0, factor * (1.0 - r) + r)
        if step < w + s:
            return 1.0
        if step < w + s + d:
            p = float(step - w - s) / float(max(1, d))
            factor = 1.0 - p
            if self.decay_type == "cosine":
                factor = self._wave(p)
            elif self.decay_type == "1-sqrt":
                factor = 1.0 - math.sqrt(p)
            return max(0.0, factor * (1.0 - r) + r)
        return r


# -- argument checks HF leaves out (each would crash HF or give a negative lr) ---------------


def _nonnegative(owner: str, name: str, value: float) -> None:
    if value < 0:
        raise ValueError(f"{owner}: {name} must be >= 0 (a negative lr otherwise), got {value!r}")


def _min_rate(
    owner: str, min_lr: float | None, min_lr_rate: float | None, lr_init: float | None
) -> float:
    """HF's ``min_lr`` xor ``min_lr_rate``; ``min_lr`` is read against ``lr_init``."""
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError(
            f"{owner}: give min_lr or min_lr_rate, not both, got min_lr={min_lr!r}, "
            f"min_lr_rate={min_lr_rate!r}"
        )
    if min_lr is not None:
        if lr_init is None:
            raise ValueError(
                f"{owner}: min_lr={min_lr!r} needs lr_init (the optimizer's lr, which HF reads "
                "min_lr against), or give min_lr_rate"
            )
        min_lr_rate = min_lr / lr_init
    if min_lr_rate is None:
        raise ValueError(f"{owner}: give one of min_lr or min_lr_rate, got neither")
    return min_lr_rate


def _count_or_ratio(owner: str, name: str, value: Any) -> int | float:
    """A step count (an int >= 0) or a ratio of the run (a float in (0, 1))."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{owner}: {name} must be a step count or a ratio in (0, 1), got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
        return value
    if not 0 < value < 1:
        raise ValueError(
            f"{owner}: {name} must be a step count or a ratio in (0, 1), got {value!r}"
        )
    return float(value)


# -- the schedules ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class ConstantSchedule(Composite):
    """HF's ``get_constant_schedule``: 1."""

    config_name: ClassVar[str] = "hf.constant_schedule"

    def _compose(self) -> Schedule:
        return constant(1.0)


@dataclass(frozen=True, repr=False, eq=False)
class ConstantScheduleWithWarmup(Composite):
    """HF's ``get_constant_schedule_with_warmup``: ``t / max(1, W)`` for ``t < W``, then 1."""

    config_name: ClassVar[str] = "hf.constant_schedule_with_warmup"
    num_warmup_steps: int = fields.integer(minimum=0)

    def _compose(self) -> Schedule:
        return HfCurve("constant_with_warmup", warmup=self.num_warmup_steps)


@dataclass(frozen=True, repr=False, eq=False)
class LinearScheduleWithWarmup(Composite):
    """HF's ``get_linear_schedule_with_warmup``: ``t / max(1, W)``, then ``max(0, (T - t) /
    max(1, T - W))``: 0 from ``t = T`` on."""

    config_name: ClassVar[str] = "hf.linear_schedule_with_warmup"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_training_steps: int = fields.integer(minimum=0)

    def _compose(self) -> Schedule:
        return HfCurve("linear", warmup=self.num_warmup_steps, training=self.num_training_steps)


@dataclass(frozen=True, repr=False, eq=False)
class CosineScheduleWithWarmup(Composite):
    """HF's ``get_cosine_schedule_with_warmup``: ``t / max(1, W)``, then ``max(0, (1 + cos(pi *
    2 * num_cycles * p)) / 2)`` with ``p = (t - W) / max(1, T - W)``, unclamped."""

    config_name: ClassVar[str] = "hf.cosine_schedule_with_warmup"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_training_steps: int = fields.integer(minimum=0)
    num_cycles: float = fields.real(0.5)

    def _compose(self) -> Schedule:
        return HfCurve(
            "cosine",
            warmup=self.num_warmup_steps,
            training=self.num_training_steps,
            cycles=self.num_cycles,
        )


@dataclass(frozen=True, repr=False, eq=False)
class CosineWithHardRestartsScheduleWithWarmup(Composite):
    """HF's ``get_cosine_with_hard_restarts_schedule_with_warmup``: ``t / max(1, W)``, then
    ``max(0, (1 + cos(pi * ((num_cycles * p) % 1))) / 2)`` while ``p = (t - W) / max(1, T - W) <
    1``, then 0."""

    config_name: ClassVar[str] = "hf.cosine_with_hard_restarts_schedule_with_warmup"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_training_steps: int = fields.integer(minimum=0)
    num_cycles: int = fields.integer(1, minimum=0)

    def _compose(self) -> Schedule:
        return HfCurve(
            "hard_restarts",
            warmup=self.num_warmup_steps,
            training=self.num_training_steps,
            cycles=float(self.num_cycles),
        )


@dataclass(frozen=True, repr=False, eq=False)
class PolynomialDecayScheduleWithWarmup(Composite):
    """HF's ``get_polynomial_decay_schedule_with_warmup``: ``t / max(1, W)``, then ``((lr_init -
    lr_end) * (1 - (t - W) / (T - W)) ** power + lr_end) / lr_init`` up to ``t = T``, then
    ``lr_end / lr_init``."""

    config_name: ClassVar[str] = "hf.polynomial_decay_schedule_with_warmup"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_training_steps: int = fields.integer(minimum=1)
    lr_end: float = fields.real(1e-7)
    power: float = fields.real(1.0)
    lr_init: float | None = fields.optional_real()

    def _validate(self) -> None:
        owner = "hf.polynomial_decay_schedule_with_warmup"
        if self.num_training_steps <= self.num_warmup_steps:
            raise ValueError(
                f"{owner}: num_training_steps must be > num_warmup_steps (HF divides by their "
                f"difference), got {self.num_training_steps} <= {self.num_warmup_steps}"
            )
        _nonnegative(owner, "lr_end", self.lr_end)
        _nonnegative(owner, "power", self.power)
        lr_init = 1.0 if self.lr_init is None else self.lr_init
        if not lr_init > self.lr_end:
            raise ValueError(
                f"{owner}: lr_end ({self.lr_end!r}) must be smaller than lr_init ({lr_init!r})"
            )

    def _compose(self) -> Schedule:
        return HfCurve(
            "polynomial",
            warmup=self.num_warmup_steps,
            training=self.num_training_steps,
            lr_end=self.lr_end,
            power=self.power,
            lr_init=1.0 if self.lr_init is None else self.lr_init,
        )


@dataclass(frozen=True, repr=False, eq=False)
class InverseSqrtSchedule(Composite):
    """HF's ``get_inverse_sqrt_schedule``: ``t / max(1, W)``, then ``1 / sqrt((t + timescale -
    W) / timescale)``; ``timescale`` defaults to ``W``, or 10,000 when ``W = 0``. The sum is
    a float64 one: past step ``2**53 - (timescale - W)`` it rounds, where HF's Python ints do
    not (a difference of an ulp, at steps no run reaches)."""

    config_name: ClassVar[str] = "hf.inverse_sqrt_schedule"
    num_warmup_steps: int = fields.integer(minimum=0)
    timescale: int | None = fields.integer(None, minimum=1, optional=True)

    def _compose(self) -> Schedule:
        w = self.num_warmup_steps
        scale = self.timescale if self.timescale is not None else (w or 10_000)
        return HfCurve("inverse_sqrt", warmup=w, timescale=scale)


@dataclass(frozen=True, repr=False, eq=False)
class CosineWithMinLrScheduleWithWarmup(Composite):
    """HF's ``get_cosine_with_min_lr_schedule_with_warmup``: ``t / max(1, W)``, then ``max(0, f
    * (1 - r) + r)`` with ``f`` the cosine of ``cosine_schedule_with_warmup`` and ``r =
    min_lr_rate`` (or ``min_lr / lr_init``)."""

    config_name: ClassVar[str] = "hf.cosine_with_min_lr_schedule_with_warmup"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_training_steps: int = fields.integer(minimum=0)
    num_cycles: float = fields.real(0.5)
    min_lr: float | None = fields.optional_real()
    min_lr_rate: float | None = fields.optional_real()
    lr_init: float | None = fields.optional_real()

    def _validate(self) -> None:
        _lr_init_positive(self.config_name, self.lr_init)
        _min_rate(self.config_name, self.min_lr, self.min_lr_rate, self.lr_init)

    def _compose(self) -> Schedule:
        return HfCurve(
            "cosine_min_lr",
            warmup=self.num_warmup_steps,
            training=self.num_training_steps,
            cycles=self.num_cycles,
            min_rate=_min_rate(self.config_name, self.min_lr, self.min_lr_rate, self.lr_init),
        )


@dataclass(frozen=True, repr=False, eq=False)
class CosineWithMinLrScheduleWithWarmupLrRate(Composite):
    """HF's ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate``, shifted one step against
    the others: warmup ``(t + 1) / max(1, W)`` (or ``w + (1 - w) * t / max(1, W - 1)`` with
    ``w = warmup_lr_rate``), then ``max(0, f * (1 - r) + r)`` with the cosine ``f`` at ``p = (t
    - W + 1) / max(1, T - W)``."""

    config_name: ClassVar[str] = "hf.cosine_with_min_lr_schedule_with_warmup_lr_rate"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_training_steps: int = fields.integer(minimum=0)
    num_cycles: float = fields.real(0.5)
    min_lr: float | None = fields.optional_real()
    min_lr_rate: float | None = fields.optional_real()
    warmup_lr_rate: float | None = fields.optional_real()
    lr_init: float | None = fields.optional_real()

    def _validate(self) -> None:
        _lr_init_positive(self.config_name, self.lr_init)
        _min_rate(self.config_name, self.min_lr, self.min_lr_rate, self.lr_init)
        if self.warmup_lr_rate is not None:
            _nonnegative(self.config_name, "warmup_lr_rate", self.warmup_lr_rate)

    def _compose(self) -> Schedule:
        return HfCurve(
            "cosine_warmup_min_lr",
            warmup=self.num_warmup_steps,
            training=self.num_training_steps,
            cycles=self.num_cycles,
            min_rate=_min_rate(self.config_name, self.min_lr, self.min_lr_rate, self.lr_init),
            warmup_lr_rate=self.warmup_lr_rate,
        )


@dataclass(frozen=True, repr=False, eq=False)
class WsdSchedule(Composite):
    """HF's ``get_wsd_schedule``: warmup from ``r = min_lr_ratio`` to 1 over ``W`` steps
    (``warmup_type``), 1 for ``S`` steps, decay back to ``r`` over ``D`` steps
    (``decay_type``), then ``r``. ``S = num_stable_steps``, or ``T - W - D`` without it."""

    config_name: ClassVar[str] = "hf.wsd_schedule"
    num_warmup_steps: int = fields.integer(minimum=0)
    num_decay_steps: int | float = fields.custom(_count_or_ratio, kind="count_or_ratio")
    num_training_steps: int | None = fields.integer(None, minimum=0, optional=True)
    num_stable_steps: int | None = fields.integer(None, minimum=0, optional=True)
    warmup_type: Literal["linear", "cosine", "1-sqrt"] = fields.choice(WSD_TYPES, "linear")
    decay_type: Literal["linear", "cosine", "1-sqrt"] = fields.choice(WSD_TYPES, "cosine")
    min_lr_ratio: float = fields.real(0.0)
    num_cycles: float = fields.real(0.5)

    def _validate(self) -> None:
        owner = self.config_name
        if self.num_training_steps is None and self.num_stable_steps is None:
            raise ValueError(f"{owner}: give num_training_steps or num_stable_steps, got neither")
        if isinstance(self.num_decay_steps, float) and self.num_training_steps is None:
            raise ValueError(
                f"{owner}: num_decay_steps={self.num_decay_steps!r} is a ratio of the run: it "
                "needs num_training_steps"
            )
        _nonnegative(owner, "min_lr_ratio", self.min_lr_ratio)

    def _decay_steps(self) -> int:
        d = self.num_decay_steps
        if isinstance(d, float):
            assert self.num_training_steps is not None
            return math.ceil(d * self.num_training_steps)
        return d

    def _compose(self) -> Schedule:
        d = self._decay_steps()
        if self.num_stable_steps is not None:
            s = self.num_stable_steps
        else:
            assert self.num_training_steps is not None
            s = self.num_training_steps - self.num_warmup_steps - d
        return HfCurve(
            "wsd",
            warmup=self.num_warmup_steps,
            stable=s,
            decay=d,
            warmup_type=self.warmup_type,
            decay_type=self.decay_type,
            min_rate=self.min_lr_ratio,
            cycles=self.num_cycles,
        )


def _lr_init_positive(owner: str, lr_init: float | None) -> None:
    if lr_init is not None and not lr_init > 0:
        raise ValueError(f"{owner}: lr_init must be > 0, got {lr_init!r}")


# -- public constructors ----------------------------------------------------------------------


@constructor(ConstantSchedule)
def constant_schedule() -> ConstantSchedule:
    """HF's ``get_constant_schedule``: the multiplier 1.

    >>> lrkit.parity.hf.constant_schedule()(10)
    1.0
    """
    return ConstantSchedule()


@constructor(ConstantScheduleWithWarmup)
def constant_schedule_with_warmup(num_warmup_steps: int) -> ConstantScheduleWithWarmup:
    """HF's ``get_constant_schedule_with_warmup``: ``t / max(1, W)`` for ``t < W``, then 1.

    >>> s = lrkit.parity.hf.constant_schedule_with_warmup(num_warmup_steps=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return ConstantScheduleWithWarmup(num_warmup_steps)


@constructor(LinearScheduleWithWarmup)
def linear_schedule_with_warmup(
    num_warmup_steps: int, num_training_steps: int
) -> LinearScheduleWithWarmup:
    """HF's ``get_linear_schedule_with_warmup``: ``t / max(1, W)`` for ``t < W``, then
    ``max(0, (T - t) / max(1, T - W))``, 0 from ``t = T`` on.

    Quirk reproduced: ``T <= W`` is accepted (the decay divides by 1, so the multiplier falls
    from 1 to 0 at once once ``t >= T``).

    >>> s = lrkit.parity.hf.linear_schedule_with_warmup(num_warmup_steps=2, num_training_steps=6)
    >>> [s(t) for t in range(8)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    return LinearScheduleWithWarmup(num_warmup_steps, num_training_steps)


@constructor(CosineScheduleWithWarmup)
def cosine_schedule_with_warmup(
    num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> CosineScheduleWithWarmup:
    """HF's ``get_cosine_schedule_with_warmup``: ``t / max(1, W)`` for ``t < W``, then
    ``max(0, (1 + cos(pi * num_cycles * 2 * p)) / 2)`` with ``p = (t - W) / max(1, T - W)``.

    Quirks reproduced: ``p`` is not clamped, so past ``T`` the cosine rises again (with the
    default half cycle it is back at 1 at ``t = 2T - W``; lrkit's ``cosine`` holds 0);
    ``num_cycles`` is the number of full waves times 2 (``1.5``: down, up, down), any value
    accepted.

    >>> s = lrkit.parity.hf.cosine_schedule_with_warmup(num_warmup_steps=2, num_training_steps=6)
    >>> [round(s(t), 4) for t in (0, 1, 2, 4, 6, 8, 10)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0]
    """
    return CosineScheduleWithWarmup(num_warmup_steps, num_training_steps, num_cycles)


@constructor(CosineWithHardRestartsScheduleWithWarmup)
def cosine_with_hard_restarts_schedule_with_warmup(
    num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> CosineWithHardRestartsScheduleWithWarmup:
    """HF's ``get_cosine_with_hard_restarts_schedule_with_warmup``: ``t / max(1, W)`` for ``t <
    W``, then ``num_cycles`` cosines from 1 to 0: ``max(0, (1 + cos(pi * ((num_cycles * p) %
    1))) / 2)`` with ``p = (t - W) / max(1, T - W)``, and 0 once ``p >= 1``.

    Quirk reproduced: the restarts fall where ``num_cycles * p`` crosses an integer, in float
    arithmetic: when ``T - W`` is not a multiple of ``num_cycles`` they land between steps (a
    cycle is a step longer or shorter than another), and rounding can put a restart one step
    early or late, exactly as HF computes it.

    >>> s = lrkit.parity.hf.cosine_with_hard_restarts_schedule_with_warmup(
    ...     num_warmup_steps=0, num_training_steps=8, num_cycles=2)
    >>> [round(s(t), 4) for t in range(9)]
    [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """
    return CosineWithHardRestartsScheduleWithWarmup(
        num_warmup_steps, num_training_steps, num_cycles
    )


@constructor(PolynomialDecayScheduleWithWarmup)
def polynomial_decay_schedule_with_warmup(
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
    lr_init: float | None = None,
) -> PolynomialDecayScheduleWithWarmup:
    """HF's ``get_polynomial_decay_schedule_with_warmup``: ``t / max(1, W)`` for ``t < W``, then
    ``((lr_init - lr_end) * (1 - (t - W) / (T - W)) ** power + lr_end) / lr_init`` up to ``t =
    T``, then ``lr_end / lr_init``.

    ``lr_init`` is the optimizer's default lr (``optimizer.defaults["lr"]``), which HF reads;
    ``lr_end`` is in the same units, absolute. With ``lr_init=None`` the base lr is the unit:
    ``lr_init = 1`` and ``lr_end`` is a ratio of each group's base lr.

    Quirks reproduced: HF uses the optimizer's *default* lr for every group, so a group with its
    own lr decays towards ``lr_end * group_lr / lr_init``, not ``lr_end``; ``lr_end`` must be <
    ``lr_init``.

    >>> s = lrkit.parity.hf.polynomial_decay_schedule_with_warmup(
    ...     num_warmup_steps=2, num_training_steps=10, lr_end=1e-7, power=2.0, lr_init=10.0)
    >>> [round(10 * s(t), 3) for t in range(10)]
    [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156]
    """
    return PolynomialDecayScheduleWithWarmup(
        num_warmup_steps, num_training_steps, lr_end, power, lr_init
    )


@constructor(InverseSqrtSchedule)
def inverse_sqrt_schedule(
    num_warmup_steps: int, timescale: int | None = None
) -> InverseSqrtSchedule:
    """HF's ``get_inverse_sqrt_schedule``: ``t / max(1, W)`` for ``t < W``, then ``1 / sqrt((t
    + timescale - W) / timescale)``; ``timescale`` defaults to ``W``, or 10,000 without warmup.

    >>> s = lrkit.parity.hf.inverse_sqrt_schedule(num_warmup_steps=2)
    >>> [round(s(t), 4) for t in range(5)]
    [0.0, 0.5, 1.0, 0.8165, 0.7071]
    """
    return InverseSqrtSchedule(num_warmup_steps, timescale)


@constructor(CosineWithMinLrScheduleWithWarmup)
def cosine_with_min_lr_schedule_with_warmup(
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    lr_init: float | None = None,
) -> CosineWithMinLrScheduleWithWarmup:
    """HF's ``get_cosine_with_min_lr_schedule_with_warmup``: ``t / max(1, W)`` for ``t < W``,
    then ``max(0, f * (1 - r) + r)`` with ``f = (1 + cos(pi * num_cycles * 2 * p)) / 2``, ``p =
    (t - W) / max(1, T - W)`` and ``r = min_lr_rate``.

    Give ``min_lr_rate`` (a ratio of the base lr) or ``min_lr`` (absolute, which HF reads
    against the optimizer's default lr: pass that as ``lr_init``). Quirks reproduced: as
    ``cosine_schedule_with_warmup``, the cosine rises again past ``T`` (between ``r`` and 1).

    >>> s = lrkit.parity.hf.cosine_with_min_lr_schedule_with_warmup(
    ...     num_warmup_steps=0, num_training_steps=4, min_lr_rate=0.1)
    >>> [round(s(t), 4) for t in range(5)]
    [1.0, 0.8682, 0.55, 0.2318, 0.1]
    """
    return CosineWithMinLrScheduleWithWarmup(
        num_warmup_steps, num_training_steps, num_cycles, min_lr, min_lr_rate, lr_init
    )


@constructor(CosineWithMinLrScheduleWithWarmupLrRate)
def cosine_with_min_lr_schedule_with_warmup_lr_rate(
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
    lr_init: float | None = None,
) -> CosineWithMinLrScheduleWithWarmupLrRate:
    """HF's ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (``cosine_warmup_with_min_lr``):
    warmup ``(t + 1) / max(1, W)`` for ``t < W`` (with ``warmup_lr_rate = w``: ``w + (1 - w) *
    t / max(1, W - 1)``), then ``max(0, f * (1 - r) + r)`` with the cosine ``f`` of
    ``cosine_with_min_lr_schedule_with_warmup`` at ``p = (t - W + 1) / max(1, T - W)``.

    Quirks reproduced: everything is one step ahead of the other HF schedules (1 at ``t = W -
    1``, ``r`` at ``t = T - 1``; the warmup never starts at 0 unless ``warmup_lr_rate = 0``);
    the cosine rises again past the end. ``min_lr`` / ``min_lr_rate`` / ``lr_init`` as in
    ``cosine_with_min_lr_schedule_with_warmup``.

    >>> s = lrkit.parity.hf.cosine_with_min_lr_schedule_with_warmup_lr_rate(
    ...     num_warmup_steps=2, num_training_steps=6, min_lr_rate=0.0)
    >>> [round(s(t), 4) for t in range(7)]
    [0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464]
    """
    return CosineWithMinLrScheduleWithWarmupLrRate(
        num_warmup_steps,
        num_training_steps,
        num_cycles,
        min_lr,
        min_lr_rate,
        warmup_lr_rate,
        lr_init,
    )


@constructor(WsdSchedule)
def wsd_schedule(
    num_warmup_steps: int,
    num_decay_steps: int | float,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: Literal["linear", "cosine", "1-sqrt"] = "linear",
    decay_type: Literal["linear", "cosine", "1-sqrt"] = "cosine",
    min_lr_ratio: float = 0.0,
    num_cycles: float = 0.5,
) -> WsdSchedule:
    """HF's ``get_wsd_schedule`` (``warmup_stable_decay``). With ``r = min_lr_ratio``: for ``t <
    W``, ``p = t / max(1, W)`` and ``max(0, g * (1 - r) + r)`` with ``g`` = ``p`` (linear),
    ``(1 - cos(pi * p)) / 2`` (cosine) or ``1 - sqrt(1 - p)`` (1-sqrt); 1 while ``t < W + S``;
    for ``t < W + S + D``, ``p = (t - W - S) / max(1, D)`` and ``max(0, g * (1 - r) + r)`` with
    ``g`` = ``1 - p``, ``(1 + cos(pi * num_cycles * 2 * p)) / 2`` or ``1 - sqrt(p)``; then
    ``r``. ``S = num_stable_steps``, else ``T - W - D``.

    ``num_decay_steps`` is a step count, or (lrkit's addition) a ratio of ``num_training_steps``
    in (0, 1), rounded up to steps as HF rounds a warmup ratio. Quirks reproduced: the warmup
    starts at ``r``, not 0; with both ``num_training_steps`` and ``num_stable_steps`` the stable
    count wins (HF also warns), and the steps past ``W + S + D`` are ``r`` whatever
    ``num_training_steps`` says.

    >>> s = lrkit.parity.hf.wsd_schedule(
    ...     num_warmup_steps=2, num_decay_steps=4, num_training_steps=8, decay_type="linear")
    >>> [s(t) for t in range(9)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    return WsdSchedule(
        num_warmup_steps,
        num_decay_steps,
        num_training_steps,
        num_stable_steps,
        warmup_type,
        decay_type,
        min_lr_ratio,
        num_cycles,
    )
