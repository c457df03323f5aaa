"""Cosine restarts, cyclic triangles, one-cycle, warmup-stable-decay and noise: hand-computed
values and their defining properties."""

from __future__ import annotations

import fractions
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrkit
from contract import assert_within_contract


def half_cosine(peak: float, end: float, t: float, length: float) -> float:
    return end + (peak - end) * (1 + math.cos(math.pi * t / length)) / 2


def test_cosine_restarts_fixed_period() -> None:
    s = lrkit.cosine_restarts(start=1.0, end=0.0, period=4)
    assert s.table(9).tolist() == pytest.approx(
        [
            1.0,
            0.8535533905932737,
            0.5,
            0.1464466094067262,
            1.0,
            0.8535533905932737,
            0.5,
            0.1464466094067262,
            1.0,
        ],
        rel=1e-15,
    )


def test_cosine_restarts_growing_periods_decay_and_limit() -> None:
    s = lrkit.cosine_restarts(start=1.0, end=0.1, period=2, period_mult=2.0, decay=0.5, limit=3)
    # cycles: [0, 2) length 2 peak 1; [2, 6) length 4 peak 0.5; [6, 14) length 8 peak 0.25; then end
    expected = [half_cosine(1.0, 0.1, t, 2) for t in range(2)]
    expected += [half_cosine(0.5, 0.1, t, 4) for t in range(4)]
    expected += [half_cosine(0.25, 0.1, t, 8) for t in range(8)]
    expected += [0.1] * 4
    np.testing.assert_allclose(s.table(18), expected, rtol=1e-14)
    assert [s(t) for t in range(18)] == s.table(18).tolist()


def _exact_restarts(period: int, mult: float) -> list[int]:
    """Every cycle start ``period * (m**i - 1) / (m - 1)`` that is an integer step, in exact
    rational arithmetic, while ``period * m**(i + 1)`` stays below 2**53 (where doubles hold
    every step exactly)."""
    m = fractions.Fraction(mult)
    starts, i = [], 0
    while period * m ** (i + 1) < 2**53:
        start = period * (m**i - 1) / (m - 1)
        if start.denominator == 1:
            starts.append(int(start))
        i += 1
    return starts


RESTART_GRID = [
    *((p, m) for p in range(1, 12) for m in (2, 3, 4, 5, 7, 10)),  # ints, as given
    *((p, float(m)) for p in (1, 2, 5, 11) for m in (2, 3, 7, 10)),  # the same as floats
    *((p, m) for p in (1024, 3 * 1024) for m in (1.5, 1.25, 1.125)),  # dyadic, exact starts
]


@pytest.mark.parametrize(("period", "mult"), RESTART_GRID)
def test_cosine_restarts_restart_exactly_at_every_cycle_boundary(period: int, mult: float) -> None:
    """At each restart ``S_i`` the value is the cycle's peak ``start * decay**i``, in the
    reference and in tables (a log-based cycle index alone lands some boundaries one cycle low,
    at the previous cycle's floor: e.g. ``period=1, period_mult=3`` at step 121)."""
    s = lrkit.cosine_restarts(start=1.0, end=0.0, period=period, period_mult=mult, decay=0.5)
    restarts = _exact_restarts(period, mult)
    assert len(restarts) >= 5, restarts
    for i, t in enumerate(restarts):
        peak = 0.5**i
        assert s(t) == peak, (i, t)
        assert s.table(2, start=t)[0] == peak, (i, t)
        if t > 0:  # the step before is the end of cycle i - 1, below its peak and above `end`
            before = s(t - 1)
            assert 0.0 <= before <= 2 * peak, (i, t, before)
            assert_within_contract(s, s.table(1, start=t - 1), np.array([before]))
    small = [t for t in restarts if t < 5_000]
    table = s.table(small[-1] + 1)
    assert [table[t] for t in small] == [0.5**i for i in range(len(small))]


def test_cosine_restarts_reported_boundary() -> None:
    s = lrkit.cosine_restarts(start=1.0, end=0.0, period=1, period_mult=3)  # 1 + 3 + 9 + 27 + 81
    assert s(121) == 1.0 == s.table(122)[121]
    assert 0.0 < s(120) < 1e-3  # the end of the cycle of 81 steps
    assert_within_contract(s, s.table(122)[120:121], np.array([s(120)]))


def test_cosine_restarts_are_finite_and_exact_for_extreme_period_mult() -> None:
    """A period_mult so large that ``mult**i`` or the log estimate overflows, and one so close
    to 1 that the cycle index passes 2**53, still give finite values, equal in both evaluators."""
    steps = [0, 1, 2, 5, 10**9, 2**53 - 1, 2**53]
    for mult in (1e300, 1.7e308, 1 + 2**-52, 1 + 1e-9):
        s = lrkit.cosine_restarts(start=1.0, end=0.5, period=1, period_mult=mult)
        for t in steps:
            value = s(t)
            assert 0.5 <= value <= 1.0, (mult, t, value)
            assert s.table(1, start=t)[0] == value, (mult, t)
    huge = lrkit.cosine_restarts(start=1.0, end=0.0, period=1, period_mult=1e300)
    assert [huge(t) for t in (0, 1, 10**9)] == [1.0, 1.0, 1.0]  # cycle 1 from step 1 on


def test_cosine_restarts_restarts_at_the_first_cycle_boundary() -> None:
    """The float start of cycle 1, ``43 * (1 - 1.1) / (1 - 1.1)``, is ``43.00000000000001``: a
    float comparison kept step 43 in cycle 0, at its floor; the integer boundaries restart it."""
    s = lrkit.cosine_restarts(start=1.0, end=0.0, period=43, period_mult=1.1)
    assert 43 * (1 - 1.1) / (1 - 1.1) > 43  # the float start the old comparison used
    assert s(43) == 1.0 == s.table(44)[43]
    assert 0.0 < s(42) < 0.01
    # Cycle 1 is round(43 * 1.1 + 43) - 43 = 47 steps: 90.3 rounds to 90.
    assert s(90) == 1.0 == s.table(91)[90]
    assert s(89) == pytest.approx(half_cosine(1.0, 0.0, 46, 47), rel=1e-14)


def _boundaries(period: int, mult: float, count: int) -> list[int]:
    """The integer cycle starts ``B_i = round(S_i)`` (ties up), ``S_i`` in float64."""
    half = fractions.Fraction(1, 2)
    starts = (period * (1.0 - mult**i) / (1.0 - mult) for i in range(count))
    return [math.floor(fractions.Fraction(s) + half) for s in starts]


@given(
    period=st.integers(1, 10_000),
    mult=st.floats(1.0 + 1e-6, 4.0),
    decay=st.floats(0.1, 1.0),
)
def test_cosine_restarts_every_cycle_start_is_its_peak(
    period: int, mult: float, decay: float
) -> None:
    """At each ``B_i`` both evaluators give ``start * decay**i`` exactly, one step earlier a
    value of cycle ``i - 1`` below its peak; between boundaries the engine is the reference."""
    s = lrkit.cosine_restarts(start=2.0, end=0.0, period=period, period_mult=mult, decay=decay)
    starts = [b for b in _boundaries(period, mult, 40) if b < 2**53]
    for i, b in enumerate(starts):
        peak = 2.0 * decay**i
        assert s(b) == peak == s.table(1, start=b)[0], (i, b)
        if b > 0 and starts[i - 1] < b - 1:
            before = s(b - 1)
            assert 0.0 <= before <= 2.0 * decay ** (i - 1), (i, b, before)
    small = [b for b in starts if b < 3_000]
    table = s.table(small[-1] + 2)
    assert_within_contract(s, table, np.array([s(t) for t in range(len(table))]))


@given(
    period=st.integers(1, 1_000),
    mult=st.floats(1.0 + 1e-12, 1e6),
    step=st.integers(0, 2**53),
)
def test_cosine_restarts_both_evaluators_find_the_same_cycle(
    period: int, mult: float, step: int
) -> None:
    """For any step up to 2**53 the engine and the reference agree on the cycle: at the step and
    at the next restart the values match within the contract, and a restart is the peak."""
    s = lrkit.cosine_restarts(start=1.0, end=0.0, period=period, period_mult=mult, decay=0.5)
    value = s(step)
    assert_within_contract(s, s.table(1, start=step), np.array([value]))
    if value in {0.5**i for i in range(2000)} and step > 0:
        assert s.table(1, start=step)[0] == value


@pytest.mark.parametrize(("period", "mult"), [(3, 2.0), (1, 3.0), (16, 1.5), (1024, 1.25)])
def test_cosine_restarts_with_whole_starts_keep_the_continuous_values(
    period: int, mult: float
) -> None:
    """Where every cycle start ``S_i`` is a whole step, the integer boundaries change nothing:
    the values are the continuous SGDR's ``T_i = period * m**i``, ``t_cur = t - S_i``."""
    s = lrkit.cosine_restarts(start=1.0, end=0.1, period=period, period_mult=mult)
    starts = [period * (1.0 - mult**i) / (1.0 - mult) for i in range(6)]
    assert all(x.is_integer() for x in starts)
    n = int(starts[-1])
    expected = []
    for t in range(n):
        i = max(j for j, x in enumerate(starts) if x <= t)
        t_cur, t_i = t - starts[i], period * mult**i
        expected.append(1.0 if t_cur == 0 else half_cosine(1.0, 0.1, t_cur, t_i))
    assert [s(t) for t in range(n)] == expected
    assert_within_contract(s, s.table(n), np.array(expected))


def test_cyclic_modes() -> None:
    tri = lrkit.cyclic(low=0.1, high=1.0, up=2, down=3)
    np.testing.assert_allclose(tri.table(7), [0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.55], rtol=1e-15)
    tri2 = lrkit.cyclic(low=0.0, high=1.0, up=1, mode="triangular2")
    assert tri2.table(7).tolist() == [0.0, 1.0, 0.0, 0.5, 0.0, 0.25, 0.0]
    exp = lrkit.cyclic(low=0.0, high=1.0, up=1, mode="exp_range", gamma=0.5)
    assert exp.table(4).tolist() == [0.0, 0.5, 0.0, 0.125]


def test_one_cycle_reaches_its_peak_and_floor() -> None:
    s = lrkit.one_cycle(peak=1.0, total=100, pct_start=0.25)
    table = s.table(101)
    assert table[0] == 1.0 / 25 and table[25] == 1.0 and table.argmax() == 25
    assert table[100] == 1.0 / 25 / 1e4 == table.min()
    three = lrkit.one_cycle(peak=1.0, total=100, pct_start=0.2, three_phase=True, anneal="linear")
    t3 = three.table(101)
    assert t3[20] == 1.0 and t3[40] == 0.04 and t3[100] == 0.04 / 1e4
    assert t3[10] == pytest.approx(0.52)


def test_wsd_phases() -> None:
    s = lrkit.wsd(peak=2.0, warmup_length=4, decay_length=4, total=12)
    assert s.table(14).tolist() == [
        0.0,
        0.5,
        1.0,
        1.5,
        2.0,
        2.0,
        2.0,
        2.0,
        2.0,
        1.5,
        1.0,
        0.5,
        0.0,
        0.0,
    ]
    with pytest.raises(ValueError, match="warmup_length \\+ decay_length must be <= total"):
        lrkit.wsd(peak=1.0, warmup_length=8, decay_length=8, total=10)


def test_one_cycle_and_wsd_take_durations_and_keep_compact_configs() -> None:
    s = lrkit.wsd(
        peak=2.0,
        warmup_length=lrkit.epochs(2),
        decay_length=lrkit.fraction(0.25),
        total=lrkit.epochs(8),
    )
    assert s.to_config() == {
        "name": "wsd",
        "peak": 2.0,
        "warmup_length": {"epochs": 2.0},
        "decay_length": {"fraction": 0.25},
        "total": {"epochs": 8.0},
        "end": 0.0,
        "decay_shape": "linear",
        "warmup_shape": "linear",
        "stable": "constant",
        "stable_timescale": None,
        "decay_exponent": 2.0,
    }
    assert lrkit.create(s.to_config()) == s
    with pytest.raises(lrkit.UnresolvedDurationError, match=r"wsd\(warmup_length=...\)"):
        s.table(3)
    r = s.resolve(steps_per_epoch=2, total_steps=16)
    assert r == lrkit.wsd(peak=2.0, warmup_length=4, decay_length=4, total=16)
    assert r.table(17).tolist() == [0.0, 0.5, 1.0, 1.5] + [2.0] * 9 + [1.5, 1.0, 0.5, 0.0]
    c = lrkit.one_cycle(peak=1.0, total=lrkit.epochs(10)).resolve(steps_per_epoch=10)
    assert c == lrkit.one_cycle(peak=1.0, total=100)
    assert c.table(101)[30] == 1.0


@given(seed=st.integers(0, 2**32 - 1), amount=st.floats(0.0, 0.99), start=st.integers(0, 10**9))
def test_noise_is_bounded_deterministic_and_chunk_invariant(
    seed: int, amount: float, start: int
) -> None:
    s = lrkit.noise(lrkit.constant(2.0), amount=amount, seed=seed)
    table = s.table(64, start=start)
    assert (table >= 2.0 * (1 - amount)).all() and (table <= 2.0 * (1 + amount)).all()
    assert table.tolist() == [s(t) for t in range(start, start + 64)]
    assert np.array_equal(table[10:], s.table(54, start=start + 10))


def test_noise_is_roughly_uniform() -> None:
    u = (lrkit.noise(lrkit.constant(1.0), amount=0.5, seed=7).table(100_000) - 1.0) / 0.5
    assert abs(u.mean()) < 0.01 and abs(u.var() - 1 / 3) < 0.01
    assert np.histogram(u, bins=10, range=(-1, 1))[0].min() > 9_500


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (
            lambda: lrkit.cosine_restarts(start=1.0, end=0.0, period=5, period_mult=0.5),
            "period_mult",
        ),
        (lambda: lrkit.cosine_restarts(start=1.0, end=0.0, period=5, limit=0), "limit"),
        (lambda: lrkit.cyclic(low=0.0, high=1.0, up=2, mode="sine"), "mode"),  # type: ignore[arg-type]
        (lambda: lrkit.noise(lrkit.constant(), amount=1.0), "amount"),
        (
            lambda: lrkit.noise(lrkit.constant(), amount=0.1, seed=2**60),
            r"seed must be <= 4294967295",
        ),
        (lambda: lrkit.one_cycle(peak=1.0, total=100, pct_start=1.5), "pct_start"),
        (lambda: lrkit.one_cycle(peak=1.0, total=100, anneal="exp"), "anneal"),  # type: ignore[arg-type]
    ],
)
def test_invalid_arguments(build: object, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        build()  # type: ignore[operator]


def test_noise_streams_of_different_seeds_do_not_overlap() -> None:
    """Each seed has its own stream: seed s shifted by 2**32 steps is not seed s + 1."""
    shift = 2**32
    base = lrkit.constant(1.0)
    first, second = lrkit.noise(base, amount=0.5, seed=1), lrkit.noise(base, amount=0.5, seed=2)
    far = first.table(64, start=shift)
    assert not np.array_equal(far, second.table(64))
    assert np.array_equal(far, [first(shift + t) for t in range(64)])


def test_exp_range_overflow_is_an_error_at_the_same_step_in_both_evaluators() -> None:
    """gamma > 1 overflows gamma ** t at t = 1024 (gamma = 2): the reference raises there, and
    the engine reports it instead of clamping inf to ``high`` (it returned 1.0)."""
    s = lrkit.cyclic(low=0.0, high=1.0, up=10, mode="exp_range", gamma=2.0)
    assert s.table(1, start=1023)[0] == s(1023) == 1.0
    for evaluate in (lambda: s(1024), lambda: s.table(1, start=1025), lambda: s.table(1030)):
        with pytest.raises(lrkit.NonFiniteValueError, match=r"1024|1025"):
            evaluate()
    with pytest.raises(lrkit.NonFiniteValueError, match="at step 1024"):
        s.table(1030)
