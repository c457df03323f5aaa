"""The seed scenario: the hand-written warmup + cosine ``adjust_learning_rate`` of many codebases,
and the milestone halving ("halve at epoch 100 of 200")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrkit


def hand_written(epoch: int, i: int, n_batch: int, lr_max: float, lr_min: float) -> float:
    e = epoch + i / n_batch
    if e < 10:
        return lr_max * e / 10
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * (e - 10) / (200 - 10))) / 2


def seed(lr_max: float, lr_min: float) -> lrkit.Schedule:
    return lrkit.warmup(
        lrkit.cosine(start=lr_max, end=lr_min, length=lrkit.epochs(190)),
        length=lrkit.epochs(10),
    )


@given(
    n_batch=st.integers(1, 400),
    lr_max=st.floats(1e-5, 10.0),
    ratio=st.floats(0.0, 1.0),
    data=st.data(),
)
def test_seed_expression_equals_the_hand_written_function(
    n_batch: int, lr_max: float, ratio: float, data: st.DataObject
) -> None:
    lr_min = lr_max * ratio
    schedule = seed(lr_max, lr_min).resolve(steps_per_epoch=n_batch)
    epoch = data.draw(st.integers(0, 199))
    i = data.draw(st.integers(0, n_batch - 1))
    step = epoch * n_batch + i
    expected = hand_written(epoch, i, n_batch, lr_max, lr_min)
    assert schedule(step) == pytest.approx(expected, rel=1e-12, abs=1e-15 * lr_max)
    assert schedule.table(1, start=step)[0] == pytest.approx(
        expected, rel=1e-12, abs=1e-15 * lr_max
    )


def test_seed_whole_run_table_matches_the_hand_written_function() -> None:
    n_batch = 50
    schedule = seed(0.1, 0.001).resolve(steps_per_epoch=n_batch)
    table = schedule.table(200 * n_batch)
    expected = [hand_written(e, i, n_batch, 0.1, 0.001) for e in range(200) for i in range(n_batch)]
    np.testing.assert_allclose(table, expected, rtol=1e-12, atol=1e-17)
    assert table[10 * n_batch] == 0.1  # the peak, exactly, at the end of warmup


def test_milestone_halving_at_epoch_100_of_200() -> None:
    n_batch = 50
    s = lrkit.multistep(start=0.1, gamma=0.5, milestones=[lrkit.epochs(100)])
    table = s.resolve(steps_per_epoch=n_batch).table(200 * n_batch)
    assert (table[: 100 * n_batch] == 0.1).all()
    assert (table[100 * n_batch :] == 0.05).all()
