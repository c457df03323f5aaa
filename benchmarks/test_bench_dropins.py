"""Cost of one ``step()`` of lrkit's drop-ins against the torch class of the same name, at 1, 100
and 1000 param groups. The drop-ins keep torch's ``step()`` machinery (warnings, composition,
tensor lrs) and replace only the per-group math by a row of an engine table; the O(1)-per-step
path is ``lrkit.torch.Scheduler`` (test_bench_step.py)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType

import pytest
import torch.optim.lr_scheduler as torch_schedulers
from torch.optim.lr_scheduler import LRScheduler

import lrkit.torch as lrkit_schedulers
from lrkit.torch.demo import make_optimizer

BIG = 10_000_000

CLASSES: dict[str, Callable[[ModuleType, object], LRScheduler]] = {
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, T_max=BIG),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[BIG // 2, BIG - 1]),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=BIG),
    "CyclicLR": lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1),
}


@pytest.mark.parametrize("groups", [1, 100, 1000])
@pytest.mark.parametrize("library", ["torch", "lrkit"])
@pytest.mark.parametrize("name", list(CLASSES))
def test_dropin_step(benchmark, name: str, library: str, groups: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"{name}-{groups}-groups"
    module = lrkit_schedulers if library == "lrkit" else torch_schedulers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = CLASSES[name](module, make_optimizer(groups))
        benchmark(scheduler.step)
    assert scheduler.last_epoch > 0
