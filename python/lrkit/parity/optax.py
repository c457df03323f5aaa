"""optax's schedules (``optax.schedules``) as lrkit schedules of absolute values.

optax counts steps from 0 like lrkit, and holds its end value after the last transition step,
so most of its schedules map one to one.
"""

from __future__ import annotations

from lrkit import _checks as check
from lrkit.combinators import sequence
from lrkit.primitives import constant, cosine, linear, polynomial
from lrkit.schedule import Schedule


def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """``(init - end) * (1 - c / T) ** power + end`` with ``c = clip(t - begin, 0, T)``."""
    begin = check.integer("polynomial_schedule", "transition_begin", transition_begin, minimum=0)
    curve = polynomial(start=init_value, end=end_value, length=transition_steps, power=power)
    if begin == 0:
        return curve
    return sequence([constant(init_value), curve], boundaries=[begin])


def linear_schedule(
    init_value: float, end_value: float, transition_steps: int, transition_begin: int = 0
) -> Schedule:
    """``polynomial_schedule`` with ``power=1``."""
    return polynomial_schedule(init_value, end_value, 1.0, transition_steps, transition_begin)


def cosine_decay_schedule(init_value: float, decay_steps: int, alpha: float = 0.0) -> Schedule:
    """``init * ((1 - alpha) * (1 + cos(pi * min(t, T) / T)) / 2 + alpha)``."""
    return cosine(start=init_value, end=init_value * alpha, length=decay_steps)


def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
) -> Schedule:
    """Linear ``init -> peak`` over ``warmup_steps``, then cosine ``peak -> end`` until
    ``decay_steps`` (which includes the warmup)."""
    w = check.integer("warmup_cosine_decay_schedule", "warmup_steps", warmup_steps, minimum=0)
    d = check.integer("warmup_cosine_decay_schedule", "decay_steps", decay_steps, minimum=1)
    if d <= w:
        raise ValueError(
            f"warmup_cosine_decay_schedule: decay_steps must be > warmup_steps, got {d} <= {w}"
        )
    decay = cosine(start=peak_value, end=end_value, length=d - w)
    if w == 0:
        return decay
    return sequence([linear(start=init_value, end=peak_value, length=w), decay], boundaries=[w])


def join_schedules(schedules: list[Schedule], boundaries: list[int]) -> Schedule:
    """Schedule ``k`` from ``boundaries[k-1]`` on, its time re-based (``lrkit.sequence``)."""
    return sequence(schedules, boundaries=boundaries)
