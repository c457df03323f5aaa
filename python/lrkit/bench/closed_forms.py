"""numpy closed forms of lrkit's schedule families: the benchmarks' anchors and references.

Each function is the formula of the family's docstring (``python/lrkit/*.py``) vectorised over
steps ``0 .. n-1`` the way one writes it by hand: one float64 buffer of the steps, transformed in
place segment by segment where the formula is piecewise, ``np.searchsorted`` for "the number of
milestones <= t". No lrkit code runs here, so an engine table equal to these within ~1e-12 of
its peak is checked against an independent implementation. Values are float64 arrays of shape
``(n,)`` (``(n, G)`` for :func:`per_group`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "FloatArray",
    "cosine_into",
    "cosine_restarts",
    "cyclic",
    "linear_into",
    "mix64",
    "multistep",
    "noise",
    "noise_factor",
    "one_cycle",
    "per_group",
    "polynomial_into",
    "steps",
    "warmup_cosine",
    "wsd",
]

FloatArray = npt.NDArray[np.float64]

_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def steps(n: int) -> FloatArray:
    """Steps ``0 .. n-1`` as float64 (the buffer the closed forms transform in place)."""
    return np.arange(n, dtype=np.float64)


# -- segments: overwrite a buffer of local times 0, 1, 2, ... with a primitive ----------------


def cosine_into(out: FloatArray, start: float, end: float, length: int) -> None:
    """``end + (start - end) * (1 + cos(pi * t / L)) / 2`` for ``t < L``, ``end`` from ``L``;
    ``out`` holds the local times ``t`` on entry."""
    part = out[:length]
    part *= np.pi / length
    np.cos(part, out=part)
    part += 1.0
    part *= (start - end) / 2
    part += end
    out[length:] = end
    if len(out):
        out[0] = start


def linear_into(out: FloatArray, start: float, end: float, length: int) -> None:
    """``start + (end - start) * t / L`` for ``t < L``, ``end`` from ``L``."""
    part = out[:length]
    part *= (end - start) / length
    part += start
    out[length:] = end


def polynomial_into(out: FloatArray, start: float, end: float, length: int, power: float) -> None:
    """``end + (start - end) * (1 - t / L) ** power`` for ``t < L``, ``end`` from ``L``."""
    part = out[:length]
    part *= -1.0 / length
    part += 1.0
    np.power(part, power, out=part)
    part *= start - end
    part += end
    out[length:] = end


def _shape_into(shape: str) -> Callable[[FloatArray, float, float, int], None]:
    if shape == "cosine":
        return cosine_into
    if shape == "linear":
        return linear_into
    if shape == "square":
        return lambda out, start, end, length: polynomial_into(out, start, end, length, 2.0)
    raise ValueError(f"no closed form for decay shape {shape!r}")


# -- families ----------------------------------------------------------------------------------


def warmup_cosine(
    n: int, *, warm: int, peak: float, end: float, length: int, start: float = 0.0
) -> FloatArray:
    """``warmup(cosine(peak, end, length), warm, start)``: ``start + (peak - start) * t / warm``
    for ``t < warm``, then the cosine of ``t - warm``."""
    out = steps(n)
    head = out[:warm]
    head *= (peak - start) / warm
    head += start
    tail = out[warm:]
    tail -= warm
    cosine_into(tail, peak, end, length)
    return out


def multistep(n: int, *, start: float, gamma: float, milestones: Sequence[int]) -> FloatArray:
    """``start * gamma ** k`` where ``k`` is the number of milestones ``<= t``."""
    marks = np.asarray(sorted(milestones), dtype=np.int64)
    levels = start * np.power(gamma, np.arange(len(marks) + 1, dtype=np.float64))
    values: FloatArray = levels[np.searchsorted(marks, np.arange(n), side="right")]
    return values


def one_cycle(
    n: int,
    *,
    peak: float,
    total: int,
    pct_start: float = 0.3,
    div: float = 25.0,
    final_div: float = 1e4,
) -> FloatArray:
    """Two half-cosines: ``peak / div -> peak`` over ``rise = round(pct_start * total)`` steps,
    then ``peak -> peak / (div * final_div)`` over ``total - rise`` (held after ``total``)."""
    initial = peak / div
    rise = max(1, round(pct_start * total))
    out = steps(n)
    cosine_into(out[:rise], initial, peak, rise)
    tail = out[rise:]
    tail -= rise
    cosine_into(tail, peak, initial / final_div, max(1, total - rise))
    return out


def cyclic(
    n: int,
    *,
    low: float,
    high: float,
    up: int,
    down: int,
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
    gamma: float = 1.0,
) -> FloatArray:
    """``low + (high - low) * scale * amplitude``; ``phase = t % (up + down)``, ``scale`` rises
    as ``phase / up`` to 1 then falls as ``(up + down - phase) / down``; ``amplitude`` is 1,
    ``0.5 ** cycle`` (``triangular2``) or ``gamma ** t`` (``exp_range``)."""
    t = np.arange(n)
    period = up + down
    cycle, phase = np.divmod(t, period)
    scale = np.where(phase <= up, phase / up, (period - phase) / down)
    scale *= high - low
    if mode == "triangular2":
        scale *= np.power(0.5, cycle.astype(np.float64))
    elif mode == "exp_range":
        scale *= np.power(gamma, t.astype(np.float64))
    scale += low
    values: FloatArray = scale
    return values


def cosine_restarts(
    n: int,
    *,
    start: float,
    end: float,
    period: int,
    period_mult: float = 1.0,
    decay: float = 1.0,
    limit: int | None = None,
) -> FloatArray:
    """SGDR: cycle ``i`` starts at the step ``B_i = round(period * (1 - m**i) / (1 - m))``
    (``i * period`` for ``m = 1``), lasts ``B_{i+1} - B_i`` steps and anneals ``start * decay**i
    -> end`` by the half-cosine of ``t - B_i``; ``end`` from cycle ``limit`` on."""
    m = period_mult
    count = 1
    while _cycle_start(period, m, count) <= n - 1:  # the cycles that begin inside the table
        count += 1
    index = np.arange(count + 1, dtype=np.float64)
    starts = np.array([_cycle_start(period, m, i) for i in range(count + 1)])
    lengths = np.diff(np.append(starts, _cycle_start(period, m, count + 1)))
    peaks = start * np.power(decay, index)
    if limit is not None:
        peaks[limit:] = end
    t = steps(n)
    cycle = np.searchsorted(starts, t, side="right") - 1
    t -= starts[cycle]
    t /= lengths[cycle]
    t *= np.pi
    np.cos(t, out=t)
    t += 1.0
    t *= (peaks - end)[cycle] / 2
    t += end
    return t


def _cycle_start(period: int, mult: float, i: int) -> float:
    if mult == 1.0:
        return float(period * i)
    start = period * (1.0 - mult**i) / (1.0 - mult)
    whole = math.floor(start)
    return float(whole + 1 if start - whole >= 0.5 else whole)  # the nearest step, ties up


def wsd(
    n: int,
    *,
    peak: float,
    warmup_length: int,
    decay_length: int,
    total: int,
    end: float = 0.0,
    decay_shape: Literal["linear", "cosine", "square"] = "linear",
) -> FloatArray:
    """``peak * t / warmup_length``, then ``peak`` until ``total - decay_length``, then the decay
    shape ``peak -> end`` over ``decay_length`` steps, ``end`` from ``total``."""
    out = steps(n)
    head = out[:warmup_length]
    head *= peak / warmup_length
    stable_end = total - decay_length
    out[warmup_length:stable_end] = peak
    tail = out[stable_end:]
    tail -= stable_end
    _shape_into(decay_shape)(tail, peak, end, decay_length)
    return out


def mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser, in place on an array of uint64 (wrapping arithmetic)."""
    x += _MIX[0]
    x ^= x >> np.uint64(30)
    x *= _MIX[1]
    x ^= x >> np.uint64(27)
    x *= _MIX[2]
    x ^= x >> np.uint64(31)
    return x


def noise_factor(n: int, *, amount: float, seed: int) -> FloatArray:
    """``1 + amount * u(t)`` with ``u(t) = (mix64(mix64(seed) + t) >> 11) * 2**-53 * 2 - 1``."""
    key = mix64(np.array([seed], dtype=np.uint64))[0]
    bits = np.arange(n, dtype=np.uint64)
    bits += key
    mix64(bits)
    bits >>= np.uint64(11)
    u = bits.astype(np.float64)
    u *= 2.0**-52 * amount
    u += 1.0 - amount
    return u


def noise(values: FloatArray, *, amount: float, seed: int) -> FloatArray:
    """``schedule(t) * (1 + amount * u(t))`` for the schedule's ``values`` (multiplied in
    place)."""
    values *= noise_factor(len(values), amount=amount, seed=seed)
    return values


def per_group(columns: Sequence[FloatArray]) -> FloatArray:
    """One column per param group: shape ``(n, len(columns))``."""
    return np.column_stack(columns)
