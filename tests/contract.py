"""The engine's accuracy contract (docs/contract.md) as a bound tests can check.

``bound(s)`` is the largest ``|s.table(...)[t] - s(t)|`` the contract allows for any step, built
from the node families. A node whose C++ kernel uses the vectorised cosine may differ from the
``math.cos`` reference by ``COS_ULPS * 2**-52 * M``, ``M = max(|start|, |end|, |start - end|)``
(``max(|start|, |end|)`` when the endpoints have the same sign, as learning rates do). Every
other primitive computes the reference's operations in the reference's order and is exact. A
combinator carries its children's bounds through what it does to them and adds one rounding of
its result where a child is inexact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import singledispatch

import numpy as np

import lrkit
from lrkit import combinators as C
from lrkit import cycles as Y
from lrkit import primitives as P
from lrkit.fields import Composite
from lrkit.parity import torch as T

EPS = 2.0**-52
#: The spacing of doubles below 2**-1022 (subnormals): the ulp of a tiny magnitude.
TINY = 2.0**-1074


def ulp(magnitude: float) -> float:
    """An ulp of ``magnitude`` (``2**-52`` of it, or the subnormal spacing below that)."""
    return max(EPS * magnitude, TINY)


#: Cosine-family nodes: at most this many 2**-52 of their magnitude from the reference.
COS_ULPS = 2.0


# -- magnitude: an upper bound of |s(t)| over all steps (inf when a schedule can grow) --------


@singledispatch
def magnitude(s: lrkit.Schedule) -> float:
    return math.inf  # a Python-only schedule: nothing known (its bound is 0 anyway)


@magnitude.register
def _(s: P.Constant) -> float:
    return abs(s.value_)


@magnitude.register(P.Linear)
@magnitude.register(P.Cosine)
@magnitude.register(P.Polynomial)
@magnitude.register(T.CosineAnnealing)
def _(s: P.Linear | P.Cosine | P.Polynomial | T.CosineAnnealing) -> float:
    return max(abs(s.start), abs(s.end))


@magnitude.register(P.Step)
@magnitude.register(P.MultiStep)
def _(s: P.Step | P.MultiStep) -> float:
    return abs(s.start) if s.gamma <= 1.0 else math.inf


@magnitude.register
def _(s: P.Exponential) -> float:
    bounds = [] if s.end is None else [abs(s.end)]
    if s.gamma <= 1.0 or (s.end is not None and s.start >= 0.0):  # decays, or capped by end
        return max([abs(s.start), *bounds])
    return math.inf


@magnitude.register
def _(s: P.InverseSqrt) -> float:
    return abs(s.start)


@magnitude.register
def _(s: P.Tanh) -> float:
    return max(abs(s.start), abs(s.end))


@magnitude.register
def _(s: P.PiecewiseLinear) -> float:
    return max(abs(v) for _, v in s.knots)


@magnitude.register
def _(s: P.PiecewiseConstant) -> float:
    return max(abs(v) for v in s.values_)


@magnitude.register
def _(s: Y.CosineRestarts) -> float:
    return max(abs(s.start) if s.decay <= 1.0 else math.inf, abs(s.end))


@magnitude.register
def _(s: Y.Cyclic) -> float:
    return max(abs(s.low), abs(s.high))


@magnitude.register
def _(s: T.Phases) -> float:
    return max(abs(v) for v in s.points)


@magnitude.register
def _(s: T.CyclicTriangle) -> float:
    return max(abs(s.low), abs(s.high)) if s.mode != "exp_range" or s.gamma <= 1 else math.inf


@magnitude.register
def _(s: Y.Noise) -> float:
    return (1.0 + s.amount) * magnitude(s.schedule)


@magnitude.register
def _(s: C.Scale) -> float:
    return _times(abs(s.factor), magnitude(s.schedule))


@magnitude.register
def _(s: C.Product) -> float:
    return _product([magnitude(c) for c in s.schedules])


@magnitude.register
def _(s: C.Clip) -> float:
    bounds = [abs(b) for b in (s.low, s.high) if b is not None]
    if len(bounds) == 2:  # the value is in [low, high]
        return max(bounds)
    return max([magnitude(s.schedule), *bounds])  # clipped to one bound, or the child's


@magnitude.register
def _(s: C.Warmup) -> float:
    return max(abs(s.start), magnitude(s.schedule))


@magnitude.register(C.Sequenced)
@magnitude.register(C.PerGroup)
def _(s: C.Sequenced | C.PerGroup) -> float:
    return max(magnitude(c) for c in s.schedules)


@magnitude.register
def _(s: C.Repeat) -> float:
    return magnitude(s.schedule)


@magnitude.register
def _(s: Composite) -> float:
    return magnitude(s._composed())


# -- bound: the largest |table - reference| the contract allows ------------------------------


@singledispatch
def bound(s: lrkit.Schedule) -> float:
    return 0.0  # exact: the reference's operations in the reference's order (or a callback)


# A k-decay warp (Cosine, Polynomial ``k_decay != 1``) is libm's pow in both evaluators: exact,
# so it changes no bound (the cosine's is that of its angle's cosine).
@bound.register
def _(s: P.Cosine) -> float:
    if s.exponent != 1.0:  # libm's cos and pow, as the reference: exact
        return 0.0
    return COS_ULPS * ulp(max(magnitude(s), abs(s.start - s.end)))


@bound.register(Y.CosineRestarts)
@bound.register(T.CosineAnnealing)
def _(s: Y.CosineRestarts | T.CosineAnnealing) -> float:
    return COS_ULPS * ulp(max(magnitude(s), abs(s.start - s.end)))


@bound.register
def _(s: T.Phases) -> float:
    if s.anneal != "cos":
        return 0.0
    steps = max(abs(a - b) for a, b in zip(s.points, s.points[1:], strict=False))
    return COS_ULPS * ulp(max(magnitude(s), steps))


@bound.register
def _(s: C.Scale) -> float:
    inner = bound(s.schedule)
    return 0.0 if inner == 0 else _times(abs(s.factor), inner) + ulp(magnitude(s))


@bound.register
def _(s: Y.Noise) -> float:
    inner = bound(s.schedule)
    return 0.0 if inner == 0 else (1.0 + s.amount) * inner + ulp(magnitude(s))


@bound.register
def _(s: C.Product) -> float:
    inner = [bound(c) for c in s.schedules]
    if not any(inner):
        return 0.0
    sizes = [magnitude(c) for c in s.schedules]
    total = 0.0
    for i, b in enumerate(inner):
        if b:
            others = _product([m for j, m in enumerate(sizes) if j != i])
            total += _times(b, others)
    # Each multiplication rounds once; products of inexact values add their bounds' product.
    rounding = ulp(_product([b + m for b, m in zip(inner, sizes, strict=True)]))
    return total + rounding * len(sizes)


@bound.register(C.Clip)
@bound.register(C.Warmup)
@bound.register(C.Repeat)
def _(s: C.Clip | C.Warmup | C.Repeat) -> float:
    return bound(s.schedule)


@bound.register(C.Sequenced)
@bound.register(C.PerGroup)
def _(s: C.Sequenced | C.PerGroup) -> float:
    return max(bound(c) for c in s.schedules)


@bound.register
def _(s: Composite) -> float:
    return bound(s._composed())


def _times(a: float, b: float) -> float:
    return 0.0 if a == 0 or b == 0 else a * b


def _product(values: list[float]) -> float:
    """The product, 0 if any factor is 0 (an unbounded factor times 0 is 0, not NaN), inf if
    any is unbounded (even if the others' product underflows)."""
    if any(v == 0 for v in values):
        return 0.0
    return math.inf if any(math.isinf(v) for v in values) else math.prod(values)


def allowed(s: lrkit.Schedule, base: float = 1.0) -> float:
    """The contract's bound for a table of ``s`` with ``base`` (one rounding more if inexact)."""
    inner = bound(s)
    if inner == 0:
        return 0.0
    return _times(abs(base), inner) + ulp(_times(abs(base), magnitude(s)))


def assert_within_contract(
    s: lrkit.Schedule, table: np.ndarray, reference: np.ndarray, *, base: float = 1.0
) -> None:
    """``table`` (engine) against ``reference`` (``s(t)`` in Python), within the contract."""
    table = np.asarray(table, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    assert table.shape == reference.shape
    limit = allowed(s, base)
    if limit == 0:
        assert np.array_equal(table, reference), (s, _worst(table, reference))
        return
    diff = np.abs(table - reference)
    assert (diff <= limit).all(), (s, _worst(table, reference), limit)


def _worst(table: np.ndarray, reference: np.ndarray) -> tuple[int, float, float]:
    diff = np.abs(table - reference)
    i = int(np.argmax(diff))
    return i, float(table.flat[i]), float(reference.flat[i])


def applied(s: lrkit.Schedule) -> Callable[[int], float]:
    """``t -> `` the engine's value of step ``t``: what lrkit's schedulers write into param groups
    (bit for bit, from any chunk), as opposed to the reference ``s(t)`` (within the contract)."""

    def value(t: int) -> float:
        return float(s.table(1, start=t)[0])

    return value
