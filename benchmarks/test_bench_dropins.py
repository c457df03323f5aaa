"""One ``step()`` of lrkit's drop-ins against the torch class of the same name: the target rows
(CosineAnnealingLR at 1 and 1000 param groups, in ``lrkit bench``), then the other drop-ins
at the same sizes, which have no target of their own."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType

import pytest
import torch.optim.lr_scheduler as torch_schedulers
from torch.optim.lr_scheduler import LRScheduler

import lrkit.torch as lrkit_schedulers
from conftest import SIDES, SIZES
from lrkit.torch.demo import make_optimizer


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("case_id", ["dropin-1", f"dropin-{SIZES.groups}"])
def test_cosine_dropin(side_by_side: Callable[[str, str], None], case_id: str, side: str) -> None:
    side_by_side(case_id, side)


BIG = SIZES.run_length

OTHERS: dict[str, Callable[[ModuleType, object], LRScheduler]] = {
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[BIG // 2, BIG - 1]),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=BIG),
    "CyclicLR": lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1),
}


@pytest.mark.parametrize("groups", [1, SIZES.groups])
@pytest.mark.parametrize("library", ["torch", "lrkit"])
@pytest.mark.parametrize("name", list(OTHERS))
def test_other_dropins(benchmark, name: str, library: str, groups: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"extra: {name}.step(), {groups} group(s), lrkit drop-in vs torch"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pair = [
            OTHERS[name](M, make_optimizer(groups)) for M in (lrkit_schedulers, torch_schedulers)
        ]
        for _ in range(CHECKED_STEPS):  # first the same lrs as torch's, step by step
            got, expected = ([g["lr"] for g in s.optimizer.param_groups] for s in pair)
            assert got == pytest.approx(expected, rel=1e-10, abs=1e-15), pair[0].last_epoch
            for scheduler in pair:
                scheduler.step()
        timed = pair[0] if library == "lrkit" else pair[1]
        benchmark(timed.step)
    assert timed.last_epoch > CHECKED_STEPS


#: Steps over which each drop-in is compared with torch's class before it is timed.
CHECKED_STEPS = 50
