"""Hypothesis properties of schedules: bounds, warmup monotonicity, milestone halving,
engine == reference on random trees, chunk invariance, config round trips, group shapes."""

from __future__ import annotations

import bisect
import fractions
import itertools
import json
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import lrkit
from contract import assert_within_contract
from lrkit.units import MAX_STEPS
from strategies import (
    decays,
    increasing_steps,
    lengths,
    positive_values,
    primitives,
    schedule_trees,
    values,
)

STEPS = 700  # past every length and milestone the strategies draw


# -- bounds ------------------------------------------------------------------------------------


@given(start=values, end=values, length=lengths, power=st.floats(0.1, 4.0))
def test_interpolating_primitives_stay_within_their_endpoints(
    start: float, end: float, length: int, power: float
) -> None:
    low, high = min(start, end), max(start, end)
    for s in (
        lrkit.linear(start=start, end=end, length=length),
        lrkit.cosine(start=start, end=end, length=length),
        lrkit.polynomial(start=start, end=end, length=length, power=power),
    ):
        table = s.table(length + 5)
        assert (table >= low).all() and (table <= high).all(), s
        assert table[0] == start and table[length] == end and table[-1] == end


@given(
    start=values,
    end=values,
    period=lengths,
    mult=st.sampled_from([1.0, 1.5, 2.0, 3.0]) | st.floats(1.0, 4.0),
    decay=st.floats(0.1, 1.0),
)
def test_cosine_restarts_stay_within_each_cycle_and_restart_at_the_peak(
    start: float, end: float, period: int, mult: float, decay: float
) -> None:
    s = lrkit.cosine_restarts(start=start, end=end, period=period, period_mult=mult, decay=decay)
    table = s.table(STEPS)
    assert table[0] == start == s(0)
    peaks = (start, start * decay**STEPS)  # every peak start * decay**i lies between these
    low, high = min(end, *peaks), max(end, *peaks)
    assert (table >= low).all() and (table <= high).all(), s
    if mult not in (1.0, 1.5, 2.0, 3.0):
        return
    # Cycle starts in exact arithmetic (these multipliers are exact binary fractions), each
    # rounded to its nearest step (ties up): the integer boundaries B_i.
    m, exact = fractions.Fraction(mult), [fractions.Fraction(0)]
    while exact[-1] < STEPS:
        exact.append(exact[-1] + period * m ** (len(exact) - 1))
    starts = [math.floor(x + fractions.Fraction(1, 2)) for x in exact]
    for t in range(STEPS):
        i = bisect.bisect_right(starts, t) - 1
        peak = start * decay**i
        assert min(peak, end) <= table[t] <= max(peak, end), (t, i)
        if starts[i] == t:  # a restart on a whole step: exactly the cycle's peak
            assert table[t] == peak == s(t), (t, i)


@given(
    low=values,
    high=values,
    up=lengths,
    down=st.none() | lengths,
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
)
def test_cyclic_stays_between_low_and_high(
    low: float, high: float, up: int, down: int | None, mode: str, gamma: float
) -> None:
    s = lrkit.cyclic(low=low, high=high, up=up, down=down, mode=mode, gamma=gamma)  # type: ignore[arg-type]
    table = s.table(STEPS)
    assert (table >= min(low, high)).all() and (table <= max(low, high)).all(), s
    assert table[0] == low
    if mode != "exp_range" or gamma == 1.0:
        assert table[up] == high == s(up)  # the first peak, exactly


@given(steps=increasing_steps(min_size=1), data=st.data())
def test_piecewise_schedules_stay_within_their_values(
    steps: list[int], data: st.DataObject
) -> None:
    knot_values = [data.draw(values) for _ in steps]
    linear = lrkit.piecewise_linear(list(zip(steps, knot_values, strict=True)))
    table = linear.table(STEPS)
    assert [table[s] for s in steps] == knot_values
    for (s0, v0), (s1, v1) in itertools.pairwise(zip(steps, knot_values, strict=True)):
        segment = table[s0 : s1 + 1]
        assert (segment >= min(v0, v1)).all() and (segment <= max(v0, v1)).all()
    constant_values = [data.draw(values) for _ in range(len(steps) + 1)]
    constant = lrkit.piecewise_constant(steps, constant_values)
    assert set(constant.table(STEPS).tolist()) <= set(constant_values)
    assert constant.table(STEPS)[steps[-1] :].tolist() == [constant_values[-1]] * (
        STEPS - steps[-1]
    )


@given(start=positive_values, gamma=decays, every=lengths, milestones=increasing_steps())
def test_decays_stay_in_zero_to_start(
    start: float, gamma: float, every: int, milestones: list[int]
) -> None:
    steps = min(STEPS, int(math.log(1e-300 / start) / math.log(gamma)))  # before underflow
    for s in (
        lrkit.exponential(start=start, gamma=gamma),
        lrkit.step(start=start, gamma=gamma, every=every),
        lrkit.multistep(start=start, gamma=gamma, milestones=milestones),
        lrkit.inverse_sqrt(start=start, timescale=every),
    ):
        table = s.table(steps)
        assert (table > 0).all() and (table <= start).all(), s
        assert (np.diff(table) <= 0).all(), s  # non-increasing too


# -- warmup ------------------------------------------------------------------------------------


@given(inner=primitives(), length=lengths, data=st.data())
def test_warmup_is_monotonic_and_reaches_the_target_exactly(
    inner: lrkit.Schedule, length: int, data: st.DataObject
) -> None:
    target = inner(0)
    start = data.draw(st.floats(min_value=min(-10.0, target), max_value=target))
    s = lrkit.warmup(inner, length=length, start=start)
    table = s.table(length + 1)
    assert (np.diff(table) >= 0).all()
    assert table[0] == start
    assert table[length] == target == s(length)


# -- milestone halving -------------------------------------------------------------------------


def _check_halving(values_: np.ndarray, start: float, milestones: list[int]) -> None:
    expected = start
    previous = 0
    for m in [*milestones, len(values_)]:
        segment = values_[previous:m]
        assert (segment == expected).all(), (previous, m)
        expected /= 2
        previous = m


@given(start=positive_values, milestones=increasing_steps(min_size=1, max_size=6))
def test_multistep_halves_exactly_at_each_milestone(start: float, milestones: list[int]) -> None:
    s = lrkit.multistep(start=start, gamma=0.5, milestones=milestones)
    _check_halving(s.table(STEPS), start, milestones)


@given(
    start=positive_values,
    milestones=increasing_steps(min_size=1, max_size=4),
    offset=st.integers(1, 100),
    warm=lengths,
)
def test_halving_survives_sequence_and_warmup_nesting(
    start: float, milestones: list[int], offset: int, warm: int
) -> None:
    halving = lrkit.multistep(start=start, gamma=0.5, milestones=milestones)
    nested = lrkit.sequence([lrkit.constant(9.0), halving], boundaries=[offset])
    _check_halving(nested.table(STEPS + offset)[offset:], start, milestones)
    warmed = lrkit.warmup(halving, length=warm, start=0.0)
    _check_halving(warmed.table(STEPS + warm)[warm:], start, milestones)


# -- engine == reference, chunk invariance -----------------------------------------------------


@settings(max_examples=150)
@given(schedule=schedule_trees)
def test_engine_equals_reference_on_random_trees(schedule: lrkit.Schedule) -> None:
    reference = np.array([schedule(t) for t in range(STEPS)])
    assert_within_contract(schedule, schedule.table(STEPS), reference)


@given(
    schedule=schedule_trees,
    start=st.integers(0, MAX_STEPS - 63)
    | st.sampled_from([10**9, 2**32 - 7, MAX_STEPS - 63])
    | st.integers(0, 3).map(lambda k: k * 4096 - 30),
)
def test_engine_equals_reference_far_into_the_run(schedule: lrkit.Schedule, start: int) -> None:
    start = max(start, 0)
    reference = np.array([schedule(t) for t in range(start, start + 64)])
    assert_within_contract(schedule, schedule.table(64, start=start), reference)


@settings(max_examples=100)
@given(schedule=schedule_trees, start=st.integers(0, 9000), n=st.integers(0, 9000))
def test_chunks_equal_rows_of_the_whole_table_bit_for_bit(
    schedule: lrkit.Schedule, start: int, n: int
) -> None:
    whole = schedule.table(start + n)
    assert np.array_equal(schedule.table(n, start=start), whole[start:])


@given(schedule=schedule_trees, base=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=5))
def test_base_scales_every_group(schedule: lrkit.Schedule, base: list[float]) -> None:
    table = schedule.table(50, base=base)
    row = schedule.table(50)
    assert table.shape == (50, len(base))
    assert np.array_equal(table, np.asarray(base)[None, :] * row[:, None])


@given(groups=st.lists(schedule_trees, min_size=1, max_size=4), n=st.integers(0, 300))
def test_per_group_columns_are_the_group_schedules(groups: list[lrkit.Schedule], n: int) -> None:
    s = lrkit.per_group(groups)
    table = s.table(n)
    assert table.shape == (n, len(groups))
    for g, schedule in enumerate(groups):
        assert np.array_equal(table[:, g], schedule.table(n))


# -- configs -----------------------------------------------------------------------------------

builtin_trees = schedule_trees.filter(lambda s: "HalvingEvery" not in repr(s))


@given(schedule=builtin_trees.filter(lambda s: "VectorRamp" not in repr(s)))
def test_config_round_trips_through_json(schedule: lrkit.Schedule) -> None:
    config = schedule.to_config()
    rebuilt = lrkit.create(json.loads(json.dumps(config)))
    assert rebuilt == schedule
    assert rebuilt.to_config() == config
    assert np.array_equal(rebuilt.table(100), schedule.table(100))


@given(
    length=st.floats(0.5, 50.0),
    share=st.floats(0.01, 1.0),
    steps_per_epoch=st.integers(1, 100),
    total_steps=st.integers(1, 10_000),
)
def test_durations_round_trip_and_resolve(
    length: float, share: float, steps_per_epoch: int, total_steps: int
) -> None:
    assume(share * total_steps >= 0.5)  # a shorter length resolves to 0 steps: an error
    s = lrkit.warmup(
        lrkit.cosine(start=1.0, end=0.0, length=lrkit.fraction(share)),
        length=lrkit.epochs(length),
    )
    assert lrkit.create(json.loads(json.dumps(s.to_config()))) == s
    r = s.resolve(steps_per_epoch=steps_per_epoch, total_steps=total_steps)
    warm = r.length
    assert isinstance(warm, int) and abs(warm - length * steps_per_epoch) <= 0.5
    cos_length = r.schedule.length  # type: ignore[attr-defined]
    assert isinstance(cos_length, int) and abs(cos_length - share * total_steps) <= 0.5
