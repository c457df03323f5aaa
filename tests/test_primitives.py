"""Every primitive's formula against hand-computed values, in the reference and the engine."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrkit
from contract import assert_within_contract


def check(schedule: lrkit.Schedule, expected: dict[int, float]) -> None:
    """Reference and engine values at the given steps equal the hand-computed ones."""
    last = max(expected) + 1
    table = schedule.table(last)
    for t, value in expected.items():
        assert schedule(t) == pytest.approx(value, rel=1e-15, abs=1e-15), t
        assert table[t] == pytest.approx(value, rel=1e-15, abs=1e-15), t


def test_constant() -> None:
    check(lrkit.constant(0.3), {0: 0.3, 7: 0.3, 10_000: 0.3})
    check(lrkit.constant(), {0: 1.0, 3: 1.0})


def test_linear_reaches_end_exactly_at_length_and_holds() -> None:
    check(
        lrkit.linear(start=1.0, end=0.0, length=4),
        {0: 1.0, 1: 0.75, 2: 0.5, 3: 0.25, 4: 0.0, 5: 0.0, 100: 0.0},
    )
    check(lrkit.linear(start=0.0, end=2.0, length=5), {1: 0.4, 4: 1.6, 5: 2.0})


def test_cosine_quarter_points() -> None:
    s = lrkit.cosine(start=1.0, end=0.1, length=4)
    half = 0.1 + 0.9 * (1 + math.cos(math.pi / 4)) / 2
    check(s, {0: 1.0, 1: half, 2: 0.55, 4: 0.1, 9: 0.1})
    assert s(3) == pytest.approx(0.1 + 0.9 * (1 - math.sqrt(0.5)) / 2, rel=1e-15)


def test_exponential() -> None:
    check(lrkit.exponential(start=2.0, gamma=0.5), {0: 2.0, 1: 1.0, 3: 0.25, 10: 2.0 / 1024})


def test_step_decays_every_period() -> None:
    check(
        lrkit.step(start=1.0, gamma=0.1, every=3),
        {0: 1.0, 2: 1.0, 3: 0.1, 5: 0.1, 6: 0.01, 9: 0.001},
    )


def test_multistep_counts_milestones_at_or_before_t() -> None:
    s = lrkit.multistep(start=0.1, gamma=0.5, milestones=[2, 5])
    check(s, {0: 0.1, 1: 0.1, 2: 0.05, 4: 0.05, 5: 0.025, 50: 0.025})
    check(lrkit.multistep(start=1.0, gamma=0.5, milestones=[0]), {0: 0.5, 3: 0.5})
    check(lrkit.multistep(start=1.0, gamma=0.5, milestones=[]), {0: 1.0, 9: 1.0})


def test_polynomial() -> None:
    s = lrkit.polynomial(start=1.0, end=0.0, length=4, power=2.0)
    check(s, {0: 1.0, 1: 0.5625, 2: 0.25, 3: 0.0625, 4: 0.0, 8: 0.0})
    check(lrkit.polynomial(start=3.0, end=1.0, length=2), {1: 2.0, 2: 1.0})


def test_inverse_sqrt() -> None:
    check(lrkit.inverse_sqrt(start=1.0, timescale=1), {0: 1.0, 3: 0.5, 15: 0.25})
    check(lrkit.inverse_sqrt(start=2.0, timescale=4), {12: 1.0})


def test_piecewise_linear_interpolates_and_holds() -> None:
    s = lrkit.piecewise_linear([(2, 1.0), (6, 3.0), (8, 0.0)])
    check(s, {0: 1.0, 2: 1.0, 3: 1.5, 5: 2.5, 6: 3.0, 7: 1.5, 8: 0.0, 20: 0.0})
    check(lrkit.piecewise_linear([(5, 0.7)]), {0: 0.7, 5: 0.7, 9: 0.7})


def test_piecewise_constant() -> None:
    s = lrkit.piecewise_constant(boundaries=[3, 5], values=[1.0, 0.5, 0.2])
    check(s, {0: 1.0, 2: 1.0, 3: 0.5, 4: 0.5, 5: 0.2, 99: 0.2})


def test_engine_is_within_the_contract_on_long_ranges() -> None:
    """Exact primitives bit for bit; the cosine within 2 * 2**-52 of its magnitude."""
    schedules = [
        lrkit.cosine(start=0.1, end=1e-5, length=100_003),
        lrkit.exponential(start=1.0, gamma=0.99999),
        lrkit.polynomial(start=1.0, end=0.01, length=77_777, power=0.5),
        lrkit.inverse_sqrt(start=1.0, timescale=1000),
    ]
    for s in schedules:
        steps = range(0, 120_000, 7)
        reference = np.array([s(t) for t in steps])
        assert_within_contract(s, s.table(120_000)[::7], reference)


def _timm_tanh(t: int, lr_max: float, lr_min: float, t_initial: int, lb: float, ub: float) -> float:
    """timm's TanhLRScheduler._get_lr for one cycle (cycle_limit=1), as written there."""
    if t >= t_initial:
        return lr_min
    tr = t / t_initial
    return lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(lb * (1.0 - tr) + ub * tr))


@pytest.mark.parametrize(("lb", "ub"), [(-7.0, 3.0), (-3.0, 3.0), (-1.5, 0.25)])
def test_tanh_is_timms_tanh_lr_scheduler(lb: float, ub: float) -> None:
    s = lrkit.tanh(start=0.1, end=1e-5, length=50, lb=lb, ub=ub)
    expected = [_timm_tanh(t, 0.1, 1e-5, 50, lb, ub) for t in range(60)]
    assert [s(t) for t in range(60)] == expected
    assert s.table(60).tolist() == expected  # libm's tanh, the reference's operations: exact


def test_tanh_defaults_and_hand_values() -> None:
    s = lrkit.tanh(start=1.0, end=0.0, length=10)
    assert (s.lb, s.ub) == (-7.0, 3.0)
    assert s(0) == 0.5 * (1 - math.tanh(-7.0)) and s(0) < 1.0  # timm: not exactly start
    check(lrkit.tanh(start=1.0, end=0.0, length=10, lb=-3.0, ub=3.0), {5: 0.5, 10: 0.0, 99: 0.0})
    assert lrkit.create(s.to_config()) == s
    assert s.to_config() == {
        "name": "tanh",
        "start": 1.0,
        "end": 0.0,
        "length": 10,
        "lb": -7.0,
        "ub": 3.0,
    }


def test_tanh_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"tanh: lb must be < ub, got lb=3.0 and ub=3.0"):
        lrkit.tanh(start=1.0, end=0.0, length=10, lb=3.0, ub=3.0)
    with pytest.raises(ValueError, match=r"tanh: length must be >= 1 steps, got 0"):
        lrkit.tanh(start=1.0, end=0.0, length=0)
    with pytest.raises(TypeError, match=r"tanh: start must be a real number"):
        lrkit.tanh(start="1", end=0.0, length=10)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0, 3.7])
def test_cosine_and_polynomial_k_decay_are_timms_time_warp(k: float) -> None:
    """timm's k-decay (``CosineLRScheduler``/``PolyLRScheduler._get_lr``, one cycle): the
    progress ``t**k / T**k`` in place of ``t / T``."""
    length, start, end = 40, 0.3, 0.01
    cos = lrkit.cosine(start=start, end=end, length=length, k_decay=k)
    poly = lrkit.polynomial(start=start, end=end, length=length, power=0.7, k_decay=k)
    for t in range(length + 3):
        tc = min(t, length)
        want_cos = end + 0.5 * (start - end) * (1 + math.cos(math.pi * tc**k / length**k))
        want_poly = end + (start - end) * (1 - tc**k / length**k) ** 0.7
        assert cos(t) == pytest.approx(want_cos, rel=1e-14, abs=1e-17), t
        assert poly(t) == pytest.approx(want_poly, rel=1e-14, abs=1e-17), t
    assert_within_contract(cos, cos.table(50), np.array([cos(t) for t in range(50)]))
    assert poly.table(50).tolist() == [poly(t) for t in range(50)]


def test_k_decay_one_is_the_unwarped_schedule_bit_for_bit() -> None:
    for n in (1, 7, 1000):
        plain = [1e-3 + (0.1 - 1e-3) * (1 + math.cos(math.pi * t / n)) / 2 for t in range(1, n)]
        cos = lrkit.cosine(start=0.1, end=1e-3, length=n)
        assert [cos(t) for t in range(1, n)] == [min(max(v, 1e-3), 0.1) for v in plain]
        assert lrkit.cosine(start=0.1, end=1e-3, length=n, k_decay=1.0).table(n + 1).tolist() == (
            cos.table(n + 1).tolist()
        )
        poly = lrkit.polynomial(start=0.1, end=1e-3, length=n, power=2.0)
        assert [poly(t) for t in range(1, n)] == [
            1e-3 + (0.1 - 1e-3) * (1 - t / n) ** 2.0 for t in range(1, n)
        ]
    old = lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "length": 4})  # no k_decay
    assert old == lrkit.cosine(start=1.0, end=0.0, length=4, k_decay=1.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_k_decay_must_be_positive_and_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="k_decay"):
        lrkit.cosine(start=1.0, end=0.0, length=4, k_decay=bad)
    with pytest.raises(ValueError, match="k_decay"):
        lrkit.polynomial(start=1.0, end=0.0, length=4, k_decay=bad)
