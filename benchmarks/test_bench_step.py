"""Cost of one scheduler ``step()``: lrkit (float and tensor mode) against torch's equivalent
(SequentialLR of LinearLR then CosineAnnealingLR), at 1, 100 and 1000 param groups.
pytest-benchmark prints each time with its ratio to the fastest in the group."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from torch.optim.lr_scheduler import LRScheduler

from lrkit.torch.demo import make_optimizer, seed_lrkit, seed_torch

WARM, TOTAL = 50_000, 10_000_000

MAKERS: dict[str, Callable[..., LRScheduler]] = {
    "torch": lambda o: seed_torch(o, WARM, TOTAL),
    "lrkit-float": lambda o: seed_lrkit(o, WARM, TOTAL),
    "lrkit-tensor": lambda o: seed_lrkit(o, WARM, TOTAL, tensor_lr=True),
}


@pytest.mark.parametrize("groups", [1, 100, 1000])
@pytest.mark.parametrize("kind", list(MAKERS))
def test_step(benchmark, kind: str, groups: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"step-{groups}-groups"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = MAKERS[kind](make_optimizer(groups))
        benchmark(scheduler.step)
    assert scheduler.last_epoch > 0
