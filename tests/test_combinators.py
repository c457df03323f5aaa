"""Combinators against hand-computed values, in the reference and the engine."""

from __future__ import annotations

import numpy as np
import pytest

import lrkit


def both(schedule: lrkit.Schedule, n: int) -> list[float]:
    """Reference values of steps 0..n-1, after checking that the engine gives the same."""
    reference = [schedule(t) for t in range(n)]
    np.testing.assert_array_max_ulp(schedule.table(n), np.array(reference), maxulp=4)
    return reference


def test_warmup_ramps_from_start_to_first_value_then_shifts_time() -> None:
    s = lrkit.warmup(lrkit.linear(start=1.0, end=0.0, length=4), length=2, start=0.5)
    assert both(s, 8) == [0.5, 0.75, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]


def test_overlay_warmup_keeps_the_schedule_clock() -> None:
    s = lrkit.warmup(lrkit.linear(start=1.0, end=0.0, length=4), length=2, mode="overlay")
    assert both(s, 6) == [0.0, 0.5, 0.5, 0.25, 0.0, 0.0]


def test_warmup_default_starts_at_zero() -> None:
    s = lrkit.warmup(lrkit.constant(2.0), length=4)
    assert both(s, 6) == [0.0, 0.5, 1.0, 1.5, 2.0, 2.0]


def test_sequence_rebases_time_at_each_boundary() -> None:
    s = lrkit.sequence(
        [lrkit.linear(start=0.0, end=1.0, length=2), lrkit.linear(start=1.0, end=0.0, length=4)],
        boundaries=[3],
    )
    assert both(s, 8) == [0.0, 0.5, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]


def test_sequence_of_three() -> None:
    s = lrkit.sequence(
        [lrkit.constant(1.0), lrkit.constant(2.0), lrkit.exponential(start=4.0, gamma=0.5)],
        boundaries=[1, 3],
    )
    assert both(s, 6) == [1.0, 2.0, 2.0, 4.0, 2.0, 1.0]


def test_product_scale_clip_repeat() -> None:
    ramp = lrkit.linear(start=0.0, end=1.0, length=4)
    assert both(lrkit.product(ramp, lrkit.constant(2.0), ramp), 5) == [
        0.0,
        0.125,
        0.5,
        1.125,
        2.0,
    ]
    assert both(lrkit.scale(ramp, factor=3.0), 3) == [0.0, 0.75, 1.5]
    assert both(lrkit.clip(ramp, low=0.3, high=0.6), 5) == [0.3, 0.3, 0.5, 0.6, 0.6]
    assert both(lrkit.clip(ramp, high=0.5), 4) == [0.0, 0.25, 0.5, 0.5]
    assert both(lrkit.repeat(ramp, period=3), 7) == [0.0, 0.25, 0.5, 0.0, 0.25, 0.5, 0.0]


def test_product_accepts_a_list() -> None:
    assert lrkit.product([lrkit.constant(2.0), lrkit.constant(3.0)])(0) == 6.0


def test_per_group_table_has_one_column_per_group() -> None:
    s = lrkit.per_group([lrkit.constant(1.0), lrkit.linear(start=0.0, end=1.0, length=2)])
    assert s.groups == 2
    assert s.table(3).tolist() == [[1.0, 0.0], [1.0, 0.5], [1.0, 1.0]]
    assert s.table(2, base=[10.0, 4.0]).tolist() == [[10.0, 0.0], [10.0, 2.0]]
    assert s.group_values(1) == [1.0, 0.5]
    with pytest.raises(TypeError, match="per_group"):
        s(0)


def test_per_group_must_be_outermost() -> None:
    inner = lrkit.per_group([lrkit.constant(1.0)])
    with pytest.raises(ValueError, match="outermost"):
        lrkit.scale(inner, factor=2.0)


def test_durations_resolve_in_combinators() -> None:
    s = lrkit.sequence(
        [lrkit.constant(1.0), lrkit.cosine(start=1.0, end=0.0, length=lrkit.fraction(0.5))],
        boundaries=[lrkit.epochs(2)],
    )
    r = s.resolve(total_steps=100, steps_per_epoch=10)
    assert r == lrkit.sequence(
        [lrkit.constant(1.0), lrkit.cosine(start=1.0, end=0.0, length=50)], boundaries=[20]
    )
    assert r(19) == 1.0 and r(20) == 1.0 and r(70) == 0.0


def test_whole_epochs_serialise_as_written() -> None:
    config = lrkit.cosine(start=1.0, end=0.0, length=lrkit.epochs(10)).to_config()
    assert config["length"] == {"epochs": 10} and isinstance(config["length"]["epochs"], int)
    half = lrkit.cosine(start=1.0, end=0.0, length=lrkit.epochs(2.5)).to_config()
    assert half["length"] == {"epochs": 2.5}
