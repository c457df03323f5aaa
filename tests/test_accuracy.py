"""The vectorised cosine against ``math.cos``, densely: every step of long tables, endpoints of
the same and of opposite signs, each within the contract of docs/contract.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrkit
from contract import EPS, assert_within_contract
from lrkit.parity import torch as pt


def _reference(s: lrkit.Schedule, n: int, start: int = 0) -> np.ndarray:
    return np.array([s(t) for t in range(start, start + n)])


@pytest.mark.parametrize(
    ("start", "end", "length"),
    [
        (1.0, -1.0, 400_009),  # the widest span for its magnitude: the tightest case
        (0.1, 1e-5, 300_007),
        (3.0, -2.9, 200_003),
        (-1.0, 1.0, 65_537),
        (1.0, 0.0, 2),
        (1e-300, 0.0, 1_000),
        (1e300, -1e300, 1_001),
    ],
)
def test_cosine_every_step(start: float, end: float, length: int) -> None:
    s = lrkit.cosine(start=start, end=end, length=length)
    assert_within_contract(s, s.table(length + 2), _reference(s, length + 2))


def test_cosine_most_steps_are_the_references_bits() -> None:
    s = lrkit.cosine(start=1.0, end=0.0, length=100_003)
    table, reference = s.table(100_003), _reference(s, 100_003)
    assert np.mean(table == reference) > 0.75
    assert np.max(np.abs(table - reference)) <= 1.0 * EPS  # measured: 1 * 2**-52 at most


def test_cosine_restarts_every_step() -> None:
    for mult in (1.0, 1.5, 3.0):
        s = lrkit.cosine_restarts(start=1.0, end=-0.5, period=1_009, period_mult=mult, decay=0.8)
        assert_within_contract(s, s.table(120_000), _reference(s, 120_000))


def test_torch_cosine_annealing_within_and_past_its_period() -> None:
    s = pt.cosine_annealing(start=0.1, end=-0.1, period=50_000)
    assert_within_contract(s, s.table(170_000), _reference(s, 170_000))
    past = s.table(1_000, start=3 * 50_000)  # rising again: libm's cosine, exact
    assert past.tolist() == _reference(s, 1_000, start=3 * 50_000).tolist()


def test_torch_one_cycle_phases() -> None:
    s = pt.one_cycle(max_lr=0.1, total_steps=100_000, three_phase=True)
    assert_within_contract(s, s.table(100_002), _reference(s, 100_002))


def test_the_bound_is_stated_for_the_span() -> None:
    """For endpoints of one sign the bound is 2 ulp of the larger; across zero, of the span."""
    from contract import bound

    assert bound(lrkit.cosine(start=0.1, end=0.01, length=10)) == 2 * EPS * 0.1
    assert bound(lrkit.cosine(start=1.0, end=-1.0, length=10)) == 2 * EPS * 2.0
    # scale: the child's bound times the factor, plus one rounding of the product
    halved = lrkit.scale(lrkit.cosine(start=1.0, end=0.0, length=10), factor=0.5)
    assert math.isclose(bound(halved), 0.5 * 2 * EPS + 0.5 * EPS)


def test_subnormal_magnitudes_are_held_to_their_own_ulp() -> None:
    """Below 2**-1022 an ulp is 2**-1074, not 2**-52 of the magnitude (found by the fuzz run)."""
    s = lrkit.cosine(start=0.0, end=2.225073858507203e-309, length=3)
    assert_within_contract(s, s.table(4), _reference(s, 4))


def test_a_zero_factor_bounds_an_unbounded_one() -> None:
    """A product with a schedule of unknown magnitude and a zero one (found by the fuzz run)."""
    from strategies import HalvingEvery

    s = lrkit.product(HalvingEvery(start=0.0, every=1), lrkit.cosine(start=0.0, end=0.0, length=1))
    assert_within_contract(s, s.table(3), _reference(s, 3))


def test_an_unbounded_factor_beside_underflowing_ones() -> None:
    """Tiny factors whose product underflows to 0 beside one of unknown magnitude: the bound is
    unknown (inf), not NaN (found by the fuzz run)."""
    from strategies import HalvingEvery

    s = lrkit.product(
        lrkit.constant(4.957414973779219e-259),
        lrkit.exponential(start=2.225073858507203e-309, gamma=0.5),
        lrkit.sequence(
            [lrkit.constant(0.0), HalvingEvery(start=0.0, every=1), lrkit.cosine(0.0, 0.0, 1)],
            boundaries=[1, 2],
        ),
    )
    assert_within_contract(s, s.table(4), _reference(s, 4))


def test_a_clip_that_raises_its_child() -> None:
    """clip(constant(0), low=1, high=1) is 1: its magnitude is its bounds' (found by fuzzing)."""
    s = lrkit.product(
        lrkit.cosine_restarts(start=0.0, end=1.0, period=9),
        lrkit.clip(lrkit.constant(0.0), low=1.0, high=1.0),
    )
    assert_within_contract(s, s.table(30), _reference(s, 30))


def test_a_zero_factor_times_an_unbounded_bound() -> None:
    """scale(..., 0) of a product with an unknown magnitude: 0 * inf is 0 here (fuzz run)."""
    from strategies import HalvingEvery

    inner = lrkit.product(HalvingEvery(start=0.0, every=1), lrkit.cosine(0.0, 0.0, 1))
    s = lrkit.scale(inner, factor=0.0)
    assert_within_contract(s, s.table(3), _reference(s, 3))
