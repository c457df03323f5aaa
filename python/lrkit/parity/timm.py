"""timm's schedulers (``timm.scheduler``) as lrkit schedules of absolute LRs.

timm steps in updates or epochs (``t`` 0-based) and returns absolute learning rates from the
optimizer's base LR (``base_lr`` here). Its conventions, reproduced:

* a multistep milestone ``m`` takes effect at ``t = m - 1`` (torch's and lrkit's at ``t = m``);
* ``warmup_prefix=False`` (timm's default) overlays the warmup: the main curve runs on its own
  clock, so it jumps at the end of the warmup (``warmup(..., mode="overlay")``);
* ``lr_min`` is reached at ``t = t_initial`` and held (``cycle_limit`` cycles, then the floor).

Where lrkit departs from timm on purpose: with ``cycle_mul != 1`` timm finds the cycle with a
float ``log``, which at some exact restart steps lands one cycle low (the lr is ``lr_min``
where the restart should be); lrkit's ``cosine_restarts`` restarts there.
"""

from __future__ import annotations

from typing import Literal

from lrkit import _checks as check
from lrkit import primitives
from lrkit.combinators import warmup
from lrkit.cycles import cosine_restarts
from lrkit.schedule import Schedule


def _warmup(
    schedule: Schedule, warmup_t: int, warmup_lr_init: float, warmup_prefix: bool
) -> Schedule:
    if warmup_t == 0:
        return schedule
    mode: Literal["prefix", "overlay"] = "prefix" if warmup_prefix else "overlay"
    return warmup(schedule, length=warmup_t, start=warmup_lr_init, mode=mode)


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
) -> Schedule:
    """``CosineLRScheduler``: cosine from ``base_lr * cycle_decay**i`` to ``lr_min`` over cycle
    ``i`` of ``t_initial * cycle_mul**i`` steps, ``cycle_limit`` cycles, then ``lr_min``.
    (timm's ``k_decay`` is not supported.)"""
    check.integer("timm.cosine", "warmup_t", warmup_t, minimum=0)
    curve = cosine_restarts(
        start=base_lr,
        end=lr_min,
        period=t_initial,
        period_mult=cycle_mul,
        decay=cycle_decay,
        limit=cycle_limit,
    )
    return _warmup(curve, warmup_t, warmup_lr_init, warmup_prefix)


def multistep(
    decay_t: list[int],
    *,
    base_lr: float = 1.0,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
) -> Schedule:
    """``MultiStepLRScheduler``: ``base_lr * decay_rate ** (number of m in decay_t with
    m <= t + 1)``: each milestone applies one step early, at ``t = m - 1``."""
    milestones = [
        check.integer("timm.multistep", f"decay_t[{i}]", m, minimum=1) - 1
        for i, m in enumerate(decay_t)
    ]
    curve = primitives.multistep(start=base_lr, gamma=decay_rate, milestones=milestones)
    return _warmup(curve, warmup_t, warmup_lr_init, warmup_prefix)


def step(
    decay_t: int,
    *,
    base_lr: float = 1.0,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
) -> Schedule:
    """``StepLRScheduler``: ``base_lr * decay_rate ** (t // decay_t)``."""
    curve = primitives.step(start=base_lr, gamma=decay_rate, every=decay_t)
    return _warmup(curve, warmup_t, warmup_lr_init, warmup_prefix)
