"""lrkit.adjust_learning_rate: the seed's hand-written function, as a table lookup."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import lrkit


def hand_written(
    epoch: int, i: int, n_batch: int, max_epoch: int, lr_min: float, lr_max: float, warmup: int
) -> float:
    e = epoch + i / n_batch
    if e < warmup:
        return lr_max * e / warmup
    progress = (e - warmup) / (max_epoch - warmup)
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * progress)) / 2


def optimizer(groups: int = 2, tensor: bool = False) -> torch.optim.SGD:
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))]} for _ in range(groups)]
    lr = torch.tensor(0.5, dtype=torch.float64) if tensor else 0.5
    return torch.optim.SGD(params, lr=lr)


@given(
    max_epoch=st.integers(11, 300),
    n_batch=st.integers(1, 200),
    lr_max=st.floats(1e-5, 1.0),
    ratio=st.floats(0.0, 1.0),
    warmup=st.sampled_from([True, False, 0, 1, 5]),
    data=st.data(),
)
def test_equals_the_hand_written_function(
    max_epoch: int,
    n_batch: int,
    lr_max: float,
    ratio: float,
    warmup: bool | int,
    data: st.DataObject,
) -> None:
    params = {"max_epoch": max_epoch, "lr_min": lr_max * ratio, "lr_max": lr_max, "warmup": warmup}
    warm = 10 if warmup is True else int(warmup)
    opt = optimizer()
    epoch = data.draw(st.integers(0, max_epoch - 1))
    i = data.draw(st.integers(0, n_batch - 1))
    lr = lrkit.adjust_learning_rate(opt, epoch, params, i, n_batch)
    expected = hand_written(epoch, i, n_batch, max_epoch, lr_max * ratio, lr_max, warm)
    assert lr == pytest.approx(expected, rel=1e-12, abs=1e-16)
    assert [g["lr"] for g in opt.param_groups] == [lr, lr]


def test_defaults_and_a_schedule_in_epochs() -> None:
    opt = optimizer()
    assert lrkit.adjust_learning_rate(opt, 10, {"max_epoch": 100}) == 1e-3
    assert lrkit.adjust_learning_rate(opt, 5, {"max_epoch": 100}) == pytest.approx(5e-4)
    halving = lrkit.multistep(start=0.1, gamma=0.5, milestones=[lrkit.epochs(100)])
    assert lrkit.adjust_learning_rate(opt, 99, halving, i=49, nBatch=50) == 0.1
    assert lrkit.adjust_learning_rate(opt, 100, halving, i=0, nBatch=50) == 0.05


def test_tensor_lrs_are_filled_in_place() -> None:
    opt = optimizer(tensor=True)
    before = [g["lr"] for g in opt.param_groups]
    lr = lrkit.adjust_learning_rate(opt, 3, lrkit.exponential(start=1.0, gamma=0.5))
    assert lr == 0.125
    assert all(
        g["lr"] is t and float(t) == 0.125 for g, t in zip(opt.param_groups, before, strict=True)
    )


@pytest.mark.parametrize(
    ("params", "kwargs", "error", "pattern"),
    [
        ({"lr_max": 0.1}, {}, ValueError, "max_epoch"),
        ({"max_epoch": 10, "warmup": 10}, {}, ValueError, "warmup.*shorter than max_epoch"),
        ({"max_epoch": 20, "lr_min": 0.2, "lr_max": 0.1}, {}, ValueError, "lr_min.*<= lr_max"),
        ({"max_epoch": 10, "lr": 0.1}, {}, ValueError, "unknown keys"),
        ({"max_epoch": 10}, {"i": 5, "nBatch": 5}, ValueError, r"i \(the batch index, 5\)"),
        ({"max_epoch": 10}, {"nBatch": 0}, ValueError, "nBatch must be an int >= 1"),
        (0.1, {}, TypeError, "params must be a lrkit.Schedule"),
    ],
)
def test_bad_params_raise(params: object, kwargs: dict, error: type, pattern: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=pattern):
        lrkit.adjust_learning_rate(optimizer(), 1, params, **kwargs)  # type: ignore[arg-type]
