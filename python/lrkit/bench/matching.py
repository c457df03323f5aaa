"""The numpy closed form of a schedule object, where :mod:`lrkit.bench.closed_forms` has one:
what ``lrkit bench CONFIG`` times the engine against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrkit import combinators as comb
from lrkit import cycles
from lrkit import primitives as prim
from lrkit.bench import closed_forms as cf
from lrkit.schedule import FloatArray, Schedule

__all__ = [
    "ClosedForm",
    "closed_form",
]

ClosedForm = Callable[[int], FloatArray]


def closed_form(schedule: Schedule) -> ClosedForm | None:
    """``f(n)``: the values of steps ``0 .. n-1`` in numpy, or None where the schedule (or one
    of its children) has no closed form here. Durations must be resolved to steps."""
    try:
        return _closed_form(schedule)
    except (TypeError, ValueError):  # epochs or fractions left unresolved
        return None


def _closed_form(s: Schedule) -> ClosedForm | None:
    if isinstance(s, prim.Constant):
        return lambda n: np.full(n, s.value_)
    if isinstance(s, (prim.Cosine, prim.Linear)):
        into = cf.cosine_into if isinstance(s, prim.Cosine) else cf.linear_into
        start, end, length = s.start, s.end, _steps(s.length)

        def segment(n: int) -> FloatArray:
            out = cf.steps(n)
            into(out, start, end, length)
            return out

        return segment
    if isinstance(s, prim.MultiStep):
        marks = [_steps(m) for m in s.milestones]
        return lambda n: cf.multistep(n, start=s.start, gamma=s.gamma, milestones=marks)
    if isinstance(s, cycles.Cyclic):
        up = _steps(s.up)
        down = up if s.down is None else _steps(s.down)
        return lambda n: cf.cyclic(
            n, low=s.low, high=s.high, up=up, down=down, mode=s.mode, gamma=s.gamma
        )
    if isinstance(s, cycles.CosineRestarts):
        period = _steps(s.period)
        return lambda n: cf.cosine_restarts(
            n,
            start=s.start,
            end=s.end,
            period=period,
            period_mult=s.period_mult,
            decay=s.decay,
            limit=s.limit,
        )
    if isinstance(s, cycles.OneCycle) and s.anneal == "cos" and not s.three_phase:
        total = _steps(s.total)
        return lambda n: cf.one_cycle(
            n, peak=s.peak, total=total, pct_start=s.pct_start, div=s.div, final_div=s.final_div
        )
    if isinstance(s, cycles.WarmupStableDecay):
        shape = s.decay_shape
        if shape not in ("linear", "cosine", "square") or s.warmup_shape != "linear":
            return None  # no closed form here for the other shapes
        if s.stable != "constant":
            return None
        warm, decay, total = _steps(s.warmup_length), _steps(s.decay_length), _steps(s.total)
        return lambda n: cf.wsd(
            n,
            peak=s.peak,
            warmup_length=warm,
            decay_length=decay,
            total=total,
            end=s.end,
            decay_shape=shape,
        )
    if isinstance(s, cycles.Noise):
        noisy = _closed_form(s.schedule)
        if noisy is None:
            return None
        return lambda n: cf.noise(noisy(n), amount=s.amount, seed=s.seed)
    if isinstance(s, comb.Scale):
        scaled = _closed_form(s.schedule)
        if scaled is None:
            return None
        return lambda n: s.factor * scaled(n)
    if isinstance(s, comb.Warmup):
        return _warmup(s)
    if isinstance(s, comb.PerGroup):
        columns = [_closed_form(child) for child in s.schedules]
        if any(c is None for c in columns):
            return None
        return lambda n: cf.per_group([c(n) for c in columns if c is not None])
    return None


def _warmup(s: comb.Warmup) -> ClosedForm | None:
    """``start + (child(0) - start) * t / L`` for ``t < L``, then the child at ``t - L``
    (prefix) or ``t`` (overlay)."""
    inner = _closed_form(s.schedule)
    if inner is None:
        return None
    length, start, prefix = _steps(s.length), s.start, s.mode == "prefix"

    def values(n: int) -> FloatArray:
        child = inner(max(n - length, 1) if prefix else max(n, 1))
        out = np.empty(n)
        if prefix:
            out[length:] = child[: max(n - length, 0)]
        else:
            out[length:] = child[length:n]
        head = out[:length]
        head[:] = np.arange(len(head))
        head *= (child[0] - start) / length
        head += start
        return out

    return values


def _steps(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"unresolved duration {value!r}")
    return value
