"""``exponential``'s ``every`` / ``staircase`` / ``begin`` / ``end`` and ``cosine``'s ``exponent``:
hand values from the formulas, the defaults bit-identical to the schedules without them (values
and configs), and properties on random arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrkit

starts = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False)
gammas = st.floats(min_value=0.01, max_value=0.999)


def both(schedule: lrkit.Schedule, n: int) -> tuple[list[float], np.ndarray]:
    return [schedule(t) for t in range(n)], schedule.table(n)


def test_exponential_options_hand_values() -> None:
    s = lrkit.exponential(start=2.0, gamma=0.25, every=4)
    reference, table = both(s, 9)
    expected = [2.0 * 0.25 ** (t / 4) for t in range(9)]
    assert reference == pytest.approx(expected, rel=1e-15)
    assert table.tolist() == reference
    assert reference[4] == 0.5 and reference[8] == 0.125

    stairs = lrkit.exponential(start=2.0, gamma=0.25, every=4, staircase=True)
    assert both(stairs, 9)[0] == [2.0] * 4 + [0.5] * 4 + [0.125]
    assert stairs.table(9).tolist() == both(stairs, 9)[0]

    begun = lrkit.exponential(start=1.0, gamma=0.5, begin=3)
    assert both(begun, 6)[0] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.25]
    assert begun.table(6).tolist() == [1.0, 1.0, 1.0, 1.0, 0.5, 0.25]


def test_exponential_end_is_a_floor_when_decaying_and_a_ceiling_when_growing() -> None:
    floor = lrkit.exponential(start=1.0, gamma=0.5, end=0.2)
    assert both(floor, 5)[0] == [1.0, 0.5, 0.25, 0.2, 0.2]
    assert floor.table(5).tolist() == [1.0, 0.5, 0.25, 0.2, 0.2]
    ceiling = lrkit.exponential(start=1.0, gamma=2.0, end=5.0)
    assert both(ceiling, 5)[0] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert ceiling(10**6) == 5.0  # 2 ** 1e6 overflows; the ceiling holds
    assert ceiling.table(1, start=10**6)[0] == 5.0
    # the bound holds at every step, before begin too: above a decaying start, it is the value
    above = lrkit.exponential(start=1.0, gamma=0.5, begin=2, end=3.0)
    assert both(above, 4)[0] == [3.0] * 4


@given(start=starts, gamma=st.floats(min_value=0.01, max_value=10.0))
def test_exponential_defaults_are_bit_identical_to_start_times_gamma_to_the_t(
    start: float, gamma: float
) -> None:
    s = lrkit.exponential(start=start, gamma=gamma)
    n = 60
    expected = [start * gamma**t for t in range(n)]
    reference, table = both(s, n)
    assert reference == expected
    assert table.tolist() == expected


def test_old_configs_load_and_new_options_appear_only_when_set() -> None:
    old = {"name": "exponential", "start": 0.1, "gamma": 0.9}
    s = lrkit.create(old)
    assert s.to_config() == old
    assert s == lrkit.exponential(start=0.1, gamma=0.9)
    assert s.table(50).tolist() == [0.1 * 0.9**t for t in range(50)]
    assert lrkit.exponential(start=0.1, gamma=0.9, begin=5, end=0.01).to_config() == {
        **old,
        "begin": 5,
        "end": 0.01,
    }
    old_cosine = {"name": "cosine", "start": 1.0, "end": 0.0, "length": 10}
    assert lrkit.create(old_cosine).to_config() == old_cosine
    shaped = lrkit.cosine(start=1.0, end=0.0, length=10, exponent=2.0)
    assert lrkit.create(shaped.to_config()) == shaped
    assert shaped.to_config() == {**old_cosine, "exponent": 2.0}


def test_options_take_epochs_and_resolve() -> None:
    s = lrkit.exponential(start=1.0, gamma=0.5, every=lrkit.epochs(2), begin=lrkit.epochs(1))
    resolved = s.resolve(steps_per_epoch=3)
    assert resolved == lrkit.exponential(start=1.0, gamma=0.5, every=6, begin=3)
    assert resolved(9) == 0.5


def test_cosine_exponent_hand_values() -> None:
    s = lrkit.cosine(start=1.0, end=0.1, length=4, exponent=2.0)
    reference, table = both(s, 6)
    shape = [((1 + math.cos(math.pi * t / 4)) / 2) ** 2 for t in range(4)]
    assert reference == pytest.approx([0.1 + 0.9 * c for c in shape] + [0.1, 0.1], rel=1e-15)
    assert reference[2] == pytest.approx(0.1 + 0.9 * 0.25, rel=1e-15)
    # libm's cos and pow in the engine, as in the reference: the same bits
    assert table.tolist() == reference


@given(
    start=starts,
    end=starts,
    length=st.integers(1, 300),
    exponent=st.floats(min_value=0.05, max_value=8.0).filter(lambda e: e != 1.0),
)
def test_cosine_with_an_exponent_is_exact_monotone_and_between_its_ends(
    start: float, end: float, length: int, exponent: float
) -> None:
    s = lrkit.cosine(start=start, end=end, length=length, exponent=exponent)
    reference, table = both(s, length + 3)
    assert table.tolist() == reference
    assert reference[0] == start and reference[length:] == [end] * 3
    steps = np.diff(reference) * (1 if end >= start else -1)
    assert (steps >= 0).all()


@given(start=starts, end=starts, length=st.integers(1, 300))
def test_cosine_exponent_one_is_the_plain_cosine(start: float, end: float, length: int) -> None:
    plain = [start] + [
        min(
            max(end + (start - end) * (1 + math.cos(math.pi * t / length)) / 2, min(start, end)),
            max(start, end),
        )
        for t in range(1, length)
    ]
    s = lrkit.cosine(start=start, end=end, length=length, exponent=1.0)
    assert [s(t) for t in range(length)] == plain


@given(
    start=st.floats(min_value=1e-3, max_value=10.0),
    gamma=gammas,
    every=st.integers(1, 50),
    begin=st.integers(0, 50),
    staircase=st.booleans(),
    floor=st.floats(min_value=0.0, max_value=1.0),
)
def test_exponential_decay_is_monotone_and_stops_at_its_floor(
    start: float, gamma: float, every: int, begin: int, staircase: bool, floor: float
) -> None:
    end = start * floor
    s = lrkit.exponential(
        start=start, gamma=gamma, every=every, staircase=staircase, begin=begin, end=end
    )
    reference, table = both(s, 400)
    assert table.tolist() == reference
    assert reference[: begin + 1] == [start] * (begin + 1)
    assert (np.diff(reference) <= 0).all()
    assert min(reference) >= end
    if staircase:  # whole transitions only: the value changes only at begin + k * every
        changes = [t for t in range(1, 400) if reference[t] != reference[t - 1]]
        assert all((t - begin) % every == 0 for t in changes)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: lrkit.exponential(1.0, 0.5, every=0), "every.*0"),
        (lambda: lrkit.exponential(1.0, 0.5, begin=-1), "begin.*-1"),
        (lambda: lrkit.exponential(1.0, 0.5, end=math.inf), "end.*inf"),
        (lambda: lrkit.exponential(1.0, 0.0), "gamma.*0"),
        (lambda: lrkit.cosine(1.0, 0.0, 10, exponent=0.0), "exponent.*0"),
        (lambda: lrkit.cosine(1.0, 0.0, 10, exponent=-1.0), "exponent.*-1"),
    ],
)
def test_bad_options_are_refused_by_name(make: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()  # type: ignore[operator]
