"""HF transformers' schedules (``transformers.optimization``) as lrkit multipliers.

Each returns a schedule of multipliers ``lambda(t)`` of the base LR, like the ``LambdaLR``
HF builds: use it with ``lrkit.torch.Scheduler(optimizer, schedule)`` (relative mode) or
``lrkit.scale(schedule, base_lr)``. Steps ``t`` count optimizer steps from 0, as HF's do.

Where lrkit's curve differs from HF's: past ``num_training_steps``, HF's
``cosine_schedule_with_warmup`` rises again (its cosine is not clamped); lrkit's holds 0.
"""

from __future__ import annotations

from lrkit import _checks as check
from lrkit.combinators import repeat, sequence, warmup
from lrkit.primitives import constant, cosine, inverse_sqrt, linear, polynomial
from lrkit.schedule import Schedule


def _with_warmup(schedule: Schedule, num_warmup_steps: int) -> Schedule:
    """HF's warmup: ``t / W`` for ``t < W``, then the schedule shifted by ``W``."""
    if num_warmup_steps == 0:
        return schedule
    return warmup(schedule, length=num_warmup_steps)


def _steps(owner: str, warmup_steps: int, training_steps: int | None = None) -> tuple[int, int]:
    w = check.integer(owner, "num_warmup_steps", warmup_steps, minimum=0)
    if training_steps is None:
        return w, 0
    t = check.integer(owner, "num_training_steps", training_steps, minimum=1)
    if t <= w:
        raise ValueError(f"{owner}: num_training_steps must be > num_warmup_steps, got {t} <= {w}")
    return w, t


def constant_schedule() -> Schedule:
    """``get_constant_schedule``: 1."""
    return constant(1.0)


def constant_schedule_with_warmup(num_warmup_steps: int) -> Schedule:
    """``get_constant_schedule_with_warmup``: ``t / W`` then 1."""
    w, _ = _steps("constant_schedule_with_warmup", num_warmup_steps)
    return _with_warmup(constant(1.0), w)


def linear_schedule_with_warmup(num_warmup_steps: int, num_training_steps: int) -> Schedule:
    """``get_linear_schedule_with_warmup``: ``t / W``, then ``(T - t) / (T - W)`` down to 0."""
    w, t = _steps("linear_schedule_with_warmup", num_warmup_steps, num_training_steps)
    return _with_warmup(linear(start=1.0, end=0.0, length=t - w), w)


def cosine_schedule_with_warmup(
    num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> Schedule:
    """``get_cosine_schedule_with_warmup``: ``t / W``, then ``(1 + cos(pi * p)) / 2`` with
    ``p = (t - W) / (T - W)``. Only the default half cycle (``num_cycles=0.5``) is supported."""
    w, t = _steps("cosine_schedule_with_warmup", num_warmup_steps, num_training_steps)
    if num_cycles != 0.5:
        raise ValueError(
            f"cosine_schedule_with_warmup: only num_cycles=0.5 is supported, got {num_cycles!r}"
            " (use cosine_with_hard_restarts_schedule_with_warmup for several cycles)"
        )
    return _with_warmup(cosine(start=1.0, end=0.0, length=t - w), w)


def cosine_with_hard_restarts_schedule_with_warmup(
    num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> Schedule:
    """``get_cosine_with_hard_restarts_schedule_with_warmup``: ``t / W``, then ``num_cycles``
    cosines from 1 to 0 over ``(T - W) / num_cycles`` steps each, then 0.
    ``(T - W)`` must be a multiple of ``num_cycles`` (each cycle a whole number of steps)."""
    owner = "cosine_with_hard_restarts_schedule_with_warmup"
    w, t = _steps(owner, num_warmup_steps, num_training_steps)
    cycles = check.integer(owner, "num_cycles", num_cycles, minimum=1)
    if (t - w) % cycles:
        raise ValueError(
            f"{owner}: num_training_steps - num_warmup_steps = {t - w} must be a multiple of "
            f"num_cycles = {cycles}"
        )
    period = (t - w) // cycles
    restarts = repeat(cosine(start=1.0, end=0.0, length=period), period=period)
    return _with_warmup(sequence([restarts, constant(0.0)], boundaries=[t - w]), w)


def polynomial_decay_schedule_with_warmup(
    num_warmup_steps: int,
    num_training_steps: int,
    lr_init: float,
    lr_end: float = 1e-7,
    power: float = 1.0,
) -> Schedule:
    """``get_polynomial_decay_schedule_with_warmup``: ``t / W``, then
    ``(lr_end + (lr_init - lr_end) * (1 - p) ** power) / lr_init``, then ``lr_end / lr_init``.
    ``lr_init`` is the optimizer's default LR, as HF reads it."""
    owner = "polynomial_decay_schedule_with_warmup"
    w, t = _steps(owner, num_warmup_steps, num_training_steps)
    lr_init = check.positive(owner, "lr_init", lr_init)
    lr_end = check.real(owner, "lr_end", lr_end)
    if not lr_end < lr_init:
        raise ValueError(f"{owner}: lr_end ({lr_end}) must be smaller than lr_init ({lr_init})")
    decay = polynomial(start=1.0, end=lr_end / lr_init, length=t - w, power=power)
    return _with_warmup(decay, w)


def inverse_sqrt_schedule(num_warmup_steps: int, timescale: int | None = None) -> Schedule:
    """``get_inverse_sqrt_schedule``: ``t / W``, then ``1 / sqrt(1 + (t - W) / timescale)``
    (``timescale`` defaults to ``W``, or 10,000 without warmup)."""
    w, _ = _steps("inverse_sqrt_schedule", num_warmup_steps)
    scale = timescale if timescale is not None else (w or 10_000)
    return _with_warmup(inverse_sqrt(start=1.0, timescale=scale), w)
