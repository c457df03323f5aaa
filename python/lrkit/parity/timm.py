"""timm's schedulers (``timm.scheduler``, 1.0.31) as lrkit schedules of absolute LRs.

Each scheduler class that is a function of the step is here under timm's scheduler name
(``cosine``, ``tanh``, ``step``, ``multistep``, ``poly``, ``wsd``, as ``create_scheduler``
spells them; the class names ``CosineLRScheduler`` etc. are aliases), registered as
``timm.<name>`` with timm's arguments and defaults, plus ``base_lr`` (timm reads it from the
optimizer). ``t`` is timm's ``t``: the epoch passed to ``step(epoch)`` or the update count
passed to ``step_update(num_updates)``. ``lrkit.torch.create_scheduler`` builds them from
``create_scheduler_v2``'s arguments; timm's reactive ``PlateauLRScheduler`` is
``lrkit.torch.timm.PlateauLRScheduler``.

timm's conventions, reproduced:

* the warmup (``t < warmup_t``) is ``warmup_lr_init + t * (base_lr - warmup_lr_init) /
  warmup_t``: it ramps towards ``base_lr``, not towards the schedule's value where the warmup
  ends (``TanhLRScheduler`` without ``warmup_prefix`` is the exception: towards its value at
  ``t = warmup_t``);
* ``warmup_prefix=False`` (the default of cosine, poly, tanh) overlays the warmup: the main curve
  runs on its own clock; ``True`` (the default of step and multistep) delays the curve by
  ``warmup_t``; wsd's warmup is always a prefix;
* a multistep milestone ``m`` takes effect at ``t = m - 1`` (torch's and lrkit's at ``t = m``);
* the cycle of ``t`` (cosine, poly, tanh with ``cycle_mul != 1``) is ``floor(log(1 - t /
  t_initial * (1 - cycle_mul), cycle_mul))`` in floats, its start ``(1 - cycle_mul**i) / (1 -
  cycle_mul) * t_initial``; quirk: at some exact restarts the float ``log`` lands one cycle low
  and timm gives the previous cycle's end (``lr_min``) where the restart should be (lrkit's own
  ``cosine_restarts`` restarts there);
* ``lr_min`` from cycle ``cycle_limit`` on;
* noise (``noise_range_t`` given): ``lr * (1 + n)`` with ``n`` drawn by a ``torch.Generator``
  seeded with ``noise_seed + t``: ``randn() * noise_std`` redrawn until ``|n| < noise_pct``
  (this evaluates torch, imported on first use).

Where lrkit departs: timm evaluates ``x ** power`` of a negative ``x`` (poly, where the float
cycle lands one low, ``t_curr`` passes ``t_i`` by an ulp) to a complex lr; here that factor is 0
(the lr is ``lr_min``). Where timm's ``**`` overflows (OverflowError: a ``cycle_decay`` or
``decay_rate`` above 1 over many cycles, a large ``k_decay``), the step has no value (lrkit's
:class:`~lrkit.NonFiniteValueError`), in both evaluators.

Evaluation: each schedule's curve is :class:`TimmCurve`, whose ``value(t)`` is the owner's
``_lr(t)`` (the readable reference, timm's float operations in timm's order); the engine's
``TimmCurve`` node (csrc/timm_parity.hpp) performs the same operations in the same order with the
libm calls Python's ``math`` makes (C's ``pow`` for ``**``), so tables are the reference's bits,
natively. With noise, timm's draws (torch's generator, in Python) are a call-back that the node
asks for the noisy steps only (``noise_steps``), applying ``lr + lr * n`` there; the rest of the
curve stays native.
"""

from __future__ import annotations

import bisect
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from lrkit import _checks as check
from lrkit import fields
from lrkit.fields import Composite, constructor
from lrkit.schedule import Schedule
from lrkit.units import MAX_STEPS

NoiseRange = float | tuple[float, float] | None

_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def _noise_range(owner: str, name: str, value: Any) -> NoiseRange:
    """timm's ``noise_range_t``: None (no noise), ``t0`` (noise from ``t0`` on) or ``(t0, t1)``
    (``t0 <= t < t1``). Noise needs torch (timm draws it from torch's generator)."""
    if value is None:
        return None
    if importlib.util.find_spec("torch") is None:
        raise ImportError(
            f"{owner}: {name} given, and timm's noise is drawn from torch's generator, but torch "
            "is not installed: pip install torch, or leave noise_range_t at None"
        )
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(
                f"{owner}: {name} must be a number or a [start, end) pair, got {value!r}"
            )
        return (
            check.real(owner, f"{name}[0]", value[0]),
            check.real(owner, f"{name}[1]", value[1]),
        )
    return check.real(owner, name, value)


def _non_negative(owner: str, name: str, value: Any) -> float:
    number = check.real(owner, name, value)
    if number < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
    return number


def _below_one(owner: str, name: str, value: Any) -> float:
    number = _non_negative(owner, name, value)
    if number >= 1:
        raise ValueError(f"{owner}: {name} must be in [0, 1) (lrs stay positive), got {value!r}")
    return number


def _at_least_one(owner: str, name: str, value: Any) -> float:
    number = check.real(owner, name, value)
    if number < 1:
        raise ValueError(f"{owner}: {name} must be >= 1, got {value!r}")
    return number


def timm_noise(t: int, seed: int, pct: float, std: float, kind: str = "normal") -> float:
    """timm's ``Scheduler._calculate_noise(t)``: from a ``torch.Generator`` seeded with ``seed +
    t``, ``randn() * std`` redrawn until ``|n| < pct`` (``kind="normal"``), or ``2 * (rand() -
    0.5) * pct``."""
    import torch

    generator = torch.Generator()
    generator.manual_seed(seed + t)
    if kind == "normal":
        while True:
            noise = float(torch.randn(1, generator=generator).item()) * std
            if abs(noise) < pct:
                return noise
    return 2.0 * (float(torch.rand(1, generator=generator).item()) - 0.5) * pct


def in_noise_range(noise_range_t: NoiseRange, t: int) -> bool:
    """timm's ``Scheduler._is_apply_noise``."""
    if noise_range_t is None:
        return False
    if isinstance(noise_range_t, tuple):
        return noise_range_t[0] <= t < noise_range_t[1]
    return t >= noise_range_t


def noise_steps(noise_range_t: NoiseRange) -> tuple[int, int]:
    """The steps ``[start, end)`` where timm applies noise (:func:`in_noise_range`), clipped to
    ``[0, 2**53 + 1]``: ``(0, 0)`` for None.

    >>> noise_steps(10.5), noise_steps((5.0, 50.0)), noise_steps(None)
    ((11, 9007199254740993), (5, 50), (0, 0))
    """
    if noise_range_t is None:
        return 0, 0
    last = MAX_STEPS + 1
    if isinstance(noise_range_t, tuple):
        low, high = noise_range_t
    else:
        low, high = noise_range_t, math.inf
    start = min(max(0, math.ceil(low)), last)
    end = last if high == math.inf else min(max(start, math.ceil(high)), last)
    return start, end


class NoiseDraws(Schedule):
    """timm's noise ``n(t)`` (:func:`timm_noise`) as a schedule: what the engine's ``TimmCurve``
    calls back on the noisy steps (it applies ``lr + lr * n(t)`` there)."""

    def __init__(self, *, seed: int, pct: float, std: float) -> None:
        self.seed = seed
        self.pct = pct
        self.std = std

    def __repr__(self) -> str:
        return f"timm noise(seed={self.seed!r}, pct={self.pct!r}, std={self.std!r})"

    def value(self, step: int) -> float:
        return timm_noise(step, self.seed, self.pct, self.std)


class TimmCurve(Schedule):
    """The curve of a timm schedule: its owner's ``_lr(t)``, noise applied (the reference of the
    engine's ``TimmCurve`` node, csrc/timm_parity.hpp, which lrkit.engine builds from the
    owner's arguments; noise is a Python call-back on the noisy steps only)."""

    def __init__(self, owner: _Timm) -> None:
        self.owner = owner

    def __repr__(self) -> str:
        return f"curve of {self.owner!r}"

    def value(self, step: int) -> float:
        return self.owner._noisy(step)


@dataclass(frozen=True, repr=False, eq=False)
class _Timm(Composite):
    """What the timm schedules share: the warmup, the noise and ``_compose``."""

    if TYPE_CHECKING:
        base_lr: float
        warmup_t: int
        warmup_lr_init: float
        noise_range_t: NoiseRange
        noise_pct: float
        noise_std: float
        noise_seed: int

    def _compose(self) -> Schedule:
        return TimmCurve(self)

    def _main(self, t: int) -> float:
        raise NotImplementedError

    def _warmup_target(self) -> float:
        return self.base_lr

    def _lr(self, t: int) -> float:
        if t < self.warmup_t:
            init = self.warmup_lr_init
            return init + t * ((self._warmup_target() - init) / self.warmup_t)
        return self._main(t)

    def _noisy(self, t: int) -> float:
        lr = self._lr(t)
        if in_noise_range(self.noise_range_t, t):
            lr = lr + lr * timm_noise(t, self.noise_seed, self.noise_pct, self.noise_std)
        return lr


def _cycle(t: int, t_initial: int, mul: float) -> tuple[int, float, float]:
    """timm's ``(i, t_i, t_curr)``: the cycle of ``t``, its length and the time within it."""
    if mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - mul), mul))
        t_i = mul**i * t_initial
        t_curr = t - (1 - mul**i) / (1 - mul) * t_initial
        return i, t_i, t_curr
    i = t // t_initial
    return i, float(t_initial), float(t - t_initial * i)


@dataclass(frozen=True, repr=False, eq=False)
class _Cycles(_Timm):
    """cosine, poly, tanh: cycles of ``t_initial * cycle_mul**i`` from ``base_lr *
    cycle_decay**i`` to ``lr_min``."""

    if TYPE_CHECKING:
        t_initial: int
        lr_min: float
        cycle_mul: float
        cycle_decay: float
        cycle_limit: int
        warmup_prefix: bool

    def _main(self, t: int) -> float:
        if self.warmup_prefix:
            t = t - self.warmup_t
        i, t_i, t_curr = _cycle(t, self.t_initial, self.cycle_mul)
        if i >= self.cycle_limit:
            return self.lr_min
        # timm raises a negative t_curr (a float start an ulp past t) to k_decay: a complex lr
        # for a fractional k; here 0 (where timm has no real value).
        t_curr = max(t_curr, 0.0)
        return self._shape(self.base_lr * self.cycle_decay**i, t_curr, t_i)

    def _shape(self, lr_max: float, t_curr: float, t_i: float) -> float:
        raise NotImplementedError


@dataclass(frozen=True, repr=False, eq=False)
class Cosine(_Cycles):
    """timm's ``CosineLRScheduler``: ``lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi *
    t_curr**k / t_i**k))`` in cycle ``i`` (``lr_max = base_lr * cycle_decay**i``)."""

    config_name: ClassVar[str] = "timm.cosine"
    t_initial: int = fields.integer(minimum=1)
    base_lr: float = fields.positive(1.0)
    lr_min: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    cycle_mul: float = fields.custom(_at_least_one, kind="cycle_mul", default=1.0)
    cycle_decay: float = fields.positive(1.0)
    cycle_limit: int = fields.integer(1, minimum=0)
    warmup_t: int = fields.integer(0, minimum=0)
    warmup_lr_init: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    warmup_prefix: bool = fields.flag(False)
    t_in_epochs: bool = fields.flag(True)
    noise_range_t: NoiseRange = fields.custom(_noise_range, kind="noise_range", default=None)
    noise_pct: float = fields.custom(_below_one, kind="noise_pct", default=0.67)
    noise_std: float = fields.positive(1.0)
    noise_seed: int = fields.integer(42, minimum=0, maximum=2**62)
    k_decay: float = fields.positive(1.0)

    def _shape(self, lr_max: float, t_curr: float, t_i: float) -> float:
        k = self.k_decay
        angle = math.pi * t_curr**k / t_i**k
        return self.lr_min + 0.5 * (lr_max - self.lr_min) * (1 + math.cos(angle))

    def cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length``: the steps of ``cycles`` cycles (``cycle_limit`` if 0),
        plus the warmup if it is a prefix."""
        return _cycle_length(self, cycles)


@dataclass(frozen=True, repr=False, eq=False)
class Poly(_Cycles):
    """timm's ``PolyLRScheduler``: ``lr_min + (lr_max - lr_min) * (1 - t_curr**k / t_i**k) **
    power`` in cycle ``i``."""

    config_name: ClassVar[str] = "timm.poly"
    t_initial: int = fields.integer(minimum=1)
    base_lr: float = fields.positive(1.0)
    power: float = fields.positive(0.5)
    lr_min: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    cycle_mul: float = fields.custom(_at_least_one, kind="cycle_mul", default=1.0)
    cycle_decay: float = fields.positive(1.0)
    cycle_limit: int = fields.integer(1, minimum=0)
    warmup_t: int = fields.integer(0, minimum=0)
    warmup_lr_init: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    warmup_prefix: bool = fields.flag(False)
    t_in_epochs: bool = fields.flag(True)
    noise_range_t: NoiseRange = fields.custom(_noise_range, kind="noise_range", default=None)
    noise_pct: float = fields.custom(_below_one, kind="noise_pct", default=0.67)
    noise_std: float = fields.positive(1.0)
    noise_seed: int = fields.integer(42, minimum=0, maximum=2**62)
    k_decay: float = fields.positive(1.0)

    def _shape(self, lr_max: float, t_curr: float, t_i: float) -> float:
        k = self.k_decay
        left = 1 - t_curr**k / t_i**k
        if left < 0:  # timm: a complex lr (see the module's notes); here lr_min
            left = 0.0
        return self.lr_min + (lr_max - self.lr_min) * float(left**self.power)

    def cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length`` (see ``Cosine.cycle_length``)."""
        return _cycle_length(self, cycles)


@dataclass(frozen=True, repr=False, eq=False)
class Tanh(_Cycles):
    """timm's ``TanhLRScheduler``: ``lr_min + 0.5 * (lr_max - lr_min) * (1 - tanh(lb * (1 - tr)
    + ub * tr))`` with ``tr = t_curr / t_i`` in cycle ``i`` (lrkit's ``tanh`` is one such cycle,
    same ``lb``/``ub``). Quirk: without ``warmup_prefix`` the warmup ramps to the curve's value at
    ``t = warmup_t``, not to ``base_lr``."""

    config_name: ClassVar[str] = "timm.tanh"
    t_initial: int = fields.integer(minimum=1)
    base_lr: float = fields.positive(1.0)
    lb: float = fields.real(-7.0)
    ub: float = fields.real(3.0)
    lr_min: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    cycle_mul: float = fields.custom(_at_least_one, kind="cycle_mul", default=1.0)
    cycle_decay: float = fields.positive(1.0)
    cycle_limit: int = fields.integer(1, minimum=0)
    warmup_t: int = fields.integer(0, minimum=0)
    warmup_lr_init: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    warmup_prefix: bool = fields.flag(False)
    t_in_epochs: bool = fields.flag(True)
    noise_range_t: NoiseRange = fields.custom(_noise_range, kind="noise_range", default=None)
    noise_pct: float = fields.custom(_below_one, kind="noise_pct", default=0.67)
    noise_std: float = fields.positive(1.0)
    noise_seed: int = fields.integer(42, minimum=0, maximum=2**62)

    def _validate(self) -> None:
        if not self.lb < self.ub:
            raise ValueError(f"timm.tanh: lb must be < ub, got lb={self.lb!r} and ub={self.ub!r}")

    def _warmup_target(self) -> float:
        return self.base_lr if self.warmup_prefix else self._main(self.warmup_t)

    def _shape(self, lr_max: float, t_curr: float, t_i: float) -> float:
        tr = t_curr / t_i
        x = self.lb * (1.0 - tr) + self.ub * tr
        return self.lr_min + 0.5 * (lr_max - self.lr_min) * (1 - math.tanh(x))

    def cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length`` (see ``Cosine.cycle_length``)."""
        return _cycle_length(self, cycles)


def _cycle_length(s: Cosine | Poly | Tanh, cycles: int) -> int:
    count = max(1, cycles or s.cycle_limit)
    if s.cycle_mul == 1.0:
        t = s.t_initial * count
    else:
        t = math.floor(-s.t_initial * (s.cycle_mul**count - 1) / (1 - s.cycle_mul))
    return t + s.warmup_t if s.warmup_prefix else t


@dataclass(frozen=True, repr=False, eq=False)
class Step(_Timm):
    """timm's ``StepLRScheduler``: ``base_lr * decay_rate ** (t // decay_t)`` (``t`` counted
    from the warmup's end: ``warmup_prefix`` is True by default here)."""

    config_name: ClassVar[str] = "timm.step"
    decay_t: float = fields.positive()
    base_lr: float = fields.positive(1.0)
    decay_rate: float = fields.positive(1.0)
    warmup_t: int = fields.integer(0, minimum=0)
    warmup_lr_init: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    warmup_prefix: bool = fields.flag(True)
    t_in_epochs: bool = fields.flag(True)
    noise_range_t: NoiseRange = fields.custom(_noise_range, kind="noise_range", default=None)
    noise_pct: float = fields.custom(_below_one, kind="noise_pct", default=0.67)
    noise_std: float = fields.positive(1.0)
    noise_seed: int = fields.integer(42, minimum=0, maximum=2**62)

    def _main(self, t: int) -> float:
        if self.warmup_prefix:
            t = t - self.warmup_t
        decay_t = self.decay_t
        count = t // int(decay_t) if float(decay_t).is_integer() else t // decay_t
        return self.base_lr * self.decay_rate**count


@dataclass(frozen=True, repr=False, eq=False)
class MultiStep(_Timm):
    """timm's ``MultiStepLRScheduler``: ``base_lr * decay_rate ** k`` with ``k`` the number of
    milestones ``m <= t + 1`` (a milestone applies one step early, at ``t = m - 1``)."""

    config_name: ClassVar[str] = "timm.multistep"
    decay_t: tuple[int, ...] = fields.durations()
    base_lr: float = fields.positive(1.0)
    decay_rate: float = fields.positive(1.0)
    warmup_t: int = fields.integer(0, minimum=0)
    warmup_lr_init: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    warmup_prefix: bool = fields.flag(True)
    t_in_epochs: bool = fields.flag(True)
    noise_range_t: NoiseRange = fields.custom(_noise_range, kind="noise_range", default=None)
    noise_pct: float = fields.custom(_below_one, kind="noise_pct", default=0.67)
    noise_std: float = fields.positive(1.0)
    noise_seed: int = fields.integer(42, minimum=0, maximum=2**62)

    def _validate(self) -> None:
        for i, m in enumerate(self.decay_t):
            if not isinstance(m, int):
                raise TypeError(f"timm.multistep: decay_t[{i}] must be an int, got {m!r}")

    def _main(self, t: int) -> float:
        if self.warmup_prefix:
            t = t - self.warmup_t
        return self.base_lr * self.decay_rate ** bisect.bisect_right(self.decay_t, t + 1)


_DECAYS: dict[str, Callable[[float, float, float], float]] = {
    "linear": lambda frac, power, ratio: 1.0 - frac,
    "1-sqrt": lambda frac, power, ratio: 1.0 - math.sqrt(frac),
    "cosine": lambda frac, power, ratio: 0.5 * (1.0 + math.cos(math.pi * frac)),
    "power": lambda frac, power, ratio: 1.0 - frac**power,
    "exp": lambda frac, power, ratio: (ratio**frac - ratio) / (1.0 - ratio),
}


def _ratio(owner: str, name: str, value: Any) -> float:
    number = check.real(owner, name, value)
    if not 0 < number < 1:
        raise ValueError(f"{owner}: {name} must be in (0, 1), got {value!r}")
    return number


@dataclass(frozen=True, repr=False, eq=False)
class Wsd(_Timm):
    """timm's ``WSDLRScheduler``: after the warmup (always a prefix), with ``t_s = t -
    warmup_t``, ``stable = max(base_lr * f(t_s), lr_min)`` (``f``: 1 for ``constant``, ``(1 +
    t_s / stable_timescale) ** -p`` for ``rsqrt`` (``p = 0.5``) and ``power`` (``p =
    stable_power``), ``stable_timescale`` defaulting to ``warmup_t``), then over the last
    ``decay_t`` steps of ``t_initial`` ``lr_min + (stable - lr_min) * d(frac)`` with ``frac =
    min((t_s - t_initial + decay_t) / decay_t, 1)`` and ``d``: ``1 - frac`` (``linear``), ``1 -
    sqrt(frac)`` (``1-sqrt``), ``(1 + cos(pi * frac)) / 2`` (``cosine``), ``1 - frac **
    decay_power`` (``power``), ``(decay_ratio ** frac - decay_ratio) / (1 - decay_ratio)``
    (``exp``). (timm's callable ``decay_fn`` has no config form: not taken.)"""

    config_name: ClassVar[str] = "timm.wsd"
    t_initial: int = fields.integer(minimum=1)
    decay_t: int = fields.integer(minimum=1)
    base_lr: float = fields.positive(1.0)
    lr_min: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    stable_fn: Literal["constant", "rsqrt", "power"] = fields.choice(_STABLE_FNS, "constant")
    stable_timescale: float | None = fields.optional_real(None)
    stable_power: float = fields.positive(0.5)
    decay_fn: Literal["linear", "1-sqrt", "cosine", "power", "exp"] = fields.choice(
        _DECAY_FNS, "1-sqrt"
    )
    decay_power: float = fields.positive(0.5)
    decay_ratio: float = fields.custom(_ratio, kind="ratio", default=0.1)
    warmup_t: int = fields.integer(0, minimum=0)
    warmup_lr_init: float = fields.custom(_non_negative, kind="non_negative", default=0.0)
    t_in_epochs: bool = fields.flag(True)
    noise_range_t: NoiseRange = fields.custom(_noise_range, kind="noise_range", default=None)
    noise_pct: float = fields.custom(_below_one, kind="noise_pct", default=0.67)
    noise_std: float = fields.positive(1.0)
    noise_seed: int = fields.integer(42, minimum=0, maximum=2**62)

    def _validate(self) -> None:
        owner = "timm.wsd"
        if self.decay_t > self.t_initial:
            raise ValueError(
                f"{owner}: decay_t must be in (0, t_initial], got decay_t={self.decay_t!r} and "
                f"t_initial={self.t_initial!r}"
            )
        if self.stable_fn != "constant" and self._timescale() <= 0:
            raise ValueError(
                f"{owner}: stable_fn={self.stable_fn!r} needs stable_timescale > 0 (it defaults "
                f"to warmup_t), got stable_timescale={self.stable_timescale!r} and "
                f"warmup_t={self.warmup_t!r}"
            )

    def _timescale(self) -> float:
        return self.warmup_t if self.stable_timescale is None else self.stable_timescale

    def _main(self, t: int) -> float:
        t_s = t - self.warmup_t
        if self.stable_fn == "constant":
            factor = 1.0
        else:
            power = 0.5 if self.stable_fn == "rsqrt" else self.stable_power
            factor = (1.0 + t_s / self._timescale()) ** -power
        stable = max(self.base_lr * factor, self.lr_min)
        t_decay = t_s - (self.t_initial - self.decay_t)
        if t_decay <= 0:
            return stable
        frac = min(t_decay / self.decay_t, 1.0)
        decay = _DECAYS[self.decay_fn](frac, self.decay_power, self.decay_ratio)
        return self.lr_min + (stable - self.lr_min) * decay

    def cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length``: ``warmup_t + t_initial``."""
        return self.warmup_t + self.t_initial


# -- public constructors (timm's names and defaults) -------------------------------------------


@constructor(Cosine)
def cosine(
    t_initial: int,
    *,
    base_lr: float = 1.0,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange | list[float] = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    k_decay: float = 1.0,
) -> Cosine:
    """timm's ``CosineLRScheduler``: cosine from ``base_lr * cycle_decay**i`` to ``lr_min`` over
    cycle ``i`` of ``t_initial * cycle_mul**i`` steps (timm's float cycle formula, quirk
    included: see the module), ``cycle_limit`` cycles, then ``lr_min``; ``k_decay`` warps time
    (``t_curr**k / t_i**k``).

    >>> s = lrkit.parity.timm.cosine(10, base_lr=0.1, warmup_t=2, warmup_lr_init=0.0)
    >>> [round(s(t), 6) for t in (0, 1, 2, 5, 10)]
    [0.0, 0.05, 0.090451, 0.05, 0.0]
    """
    return Cosine(
        t_initial=t_initial,
        base_lr=base_lr,
        lr_min=lr_min,
        cycle_mul=cycle_mul,
        cycle_decay=cycle_decay,
        cycle_limit=cycle_limit,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        warmup_prefix=warmup_prefix,
        t_in_epochs=t_in_epochs,
        noise_range_t=noise_range_t,  # type: ignore[arg-type]  # a list: a pair
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
        k_decay=k_decay,
    )


@constructor(Poly)
def poly(
    t_initial: int,
    *,
    base_lr: float = 1.0,
    power: float = 0.5,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange | list[float] = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    k_decay: float = 1.0,
) -> Poly:
    """timm's ``PolyLRScheduler``: ``lr_min + (lr_max - lr_min) * (1 - t_curr**k / t_i**k) **
    power`` over timm's cycles.

    >>> lrkit.parity.timm.poly(4, base_lr=1.0, power=1.0)(1)
    0.75
    """
    return Poly(
        t_initial=t_initial,
        base_lr=base_lr,
        power=power,
        lr_min=lr_min,
        cycle_mul=cycle_mul,
        cycle_decay=cycle_decay,
        cycle_limit=cycle_limit,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        warmup_prefix=warmup_prefix,
        t_in_epochs=t_in_epochs,
        noise_range_t=noise_range_t,  # type: ignore[arg-type]  # a list: a pair
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
        k_decay=k_decay,
    )


@constructor(Tanh)
def tanh(
    t_initial: int,
    *,
    base_lr: float = 1.0,
    lb: float = -7.0,
    ub: float = 3.0,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange | list[float] = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Tanh:
    """timm's ``TanhLRScheduler``: ``lr_min + (lr_max - lr_min) / 2 * (1 - tanh(lb * (1 - tr) +
    ub * tr))``, ``tr = t_curr / t_i``, over timm's cycles (without ``warmup_prefix`` the warmup
    ramps to the curve's value at ``warmup_t``).

    >>> lrkit.parity.timm.tanh(10, lb=-3.0, ub=3.0)(5)
    0.5
    """
    return Tanh(
        t_initial=t_initial,
        base_lr=base_lr,
        lb=lb,
        ub=ub,
        lr_min=lr_min,
        cycle_mul=cycle_mul,
        cycle_decay=cycle_decay,
        cycle_limit=cycle_limit,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        warmup_prefix=warmup_prefix,
        t_in_epochs=t_in_epochs,
        noise_range_t=noise_range_t,  # type: ignore[arg-type]  # a list: a pair
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
    )


@constructor(Step)
def step(
    decay_t: float,
    *,
    base_lr: float = 1.0,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange | list[float] = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Step:
    """timm's ``StepLRScheduler``: ``base_lr * decay_rate ** (t // decay_t)``, ``t`` counted from
    the end of the warmup (``warmup_prefix=True``, timm's default for this class).

    >>> s = lrkit.parity.timm.step(15, base_lr=0.1, decay_rate=0.5, warmup_t=5)
    >>> s(15), s(20)
    (0.1, 0.05)
    """
    return Step(
        decay_t=decay_t,
        base_lr=base_lr,
        decay_rate=decay_rate,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        warmup_prefix=warmup_prefix,
        t_in_epochs=t_in_epochs,
        noise_range_t=noise_range_t,  # type: ignore[arg-type]  # a list: a pair
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
    )


@constructor(MultiStep)
def multistep(
    decay_t: list[int],
    *,
    base_lr: float = 1.0,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange | list[float] = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> MultiStep:
    """timm's ``MultiStepLRScheduler``: ``base_lr * decay_rate ** (number of m in decay_t with
    m <= t + 1)``: each milestone applies one step early, at ``t = m - 1``; the warmup ramps to
    ``base_lr``.

    >>> s = lrkit.parity.timm.multistep([1, 5], base_lr=0.1, decay_rate=0.5, warmup_t=3,
    ...                                 warmup_lr_init=1e-4)
    >>> round(s(1), 6), s(3), s(7)
    (0.0334, 0.05, 0.025)
    """
    return MultiStep(
        decay_t=decay_t,  # type: ignore[arg-type]  # a tuple once checked
        base_lr=base_lr,
        decay_rate=decay_rate,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        warmup_prefix=warmup_prefix,
        t_in_epochs=t_in_epochs,
        noise_range_t=noise_range_t,  # type: ignore[arg-type]  # a list: a pair
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
    )


@constructor(Wsd)
def wsd(
    t_initial: int,
    decay_t: int,
    *,
    base_lr: float = 1.0,
    lr_min: float = 0.0,
    stable_fn: Literal["constant", "rsqrt", "power"] = "constant",
    stable_timescale: float | None = None,
    stable_power: float = 0.5,
    decay_fn: Literal["linear", "1-sqrt", "cosine", "power", "exp"] = "1-sqrt",
    decay_power: float = 0.5,
    decay_ratio: float = 0.1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    t_in_epochs: bool = True,
    noise_range_t: NoiseRange | list[float] = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
) -> Wsd:
    """timm's ``WSDLRScheduler``: warmup (a prefix), a stable phase (``constant``, ``rsqrt``,
    ``power``), and a decay over the last ``decay_t`` of ``t_initial`` steps to ``lr_min``
    (``linear``, ``1-sqrt``, ``cosine``, ``power``, ``exp``); ``lr_min`` from ``warmup_t +
    t_initial`` on.

    >>> s = lrkit.parity.timm.wsd(10, 4, base_lr=1.0, decay_fn="linear")
    >>> [s(t) for t in (5, 6, 7, 8, 10)]
    [1.0, 1.0, 0.75, 0.5, 0.0]
    """
    return Wsd(
        t_initial=t_initial,
        decay_t=decay_t,
        base_lr=base_lr,
        lr_min=lr_min,
        stable_fn=stable_fn,
        stable_timescale=stable_timescale,
        stable_power=stable_power,
        decay_fn=decay_fn,
        decay_power=decay_power,
        decay_ratio=decay_ratio,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        t_in_epochs=t_in_epochs,
        noise_range_t=noise_range_t,  # type: ignore[arg-type]  # a list: a pair
        noise_pct=noise_pct,
        noise_std=noise_std,
        noise_seed=noise_seed,
    )


CosineLRScheduler = cosine
PolyLRScheduler = poly
TanhLRScheduler = tanh
StepLRScheduler = step
MultiStepLRScheduler = multistep
WSDLRScheduler = wsd

__all__ = [
    "Cosine",
    "CosineLRScheduler",
    "MultiStep",
    "MultiStepLRScheduler",
    "NoiseDraws",
    "Poly",
    "PolyLRScheduler",
    "Step",
    "StepLRScheduler",
    "Tanh",
    "TanhLRScheduler",
    "TimmCurve",
    "WSDLRScheduler",
    "Wsd",
    "cosine",
    "in_noise_range",
    "multistep",
    "noise_steps",
    "poly",
    "step",
    "tanh",
    "timm_noise",
    "wsd",
]
