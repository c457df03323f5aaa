"""The step() rows: ``lrkit.torch.Scheduler`` and lrkit's drop-in ``CosineAnnealingLR`` against
torch's ``CosineAnnealingLR``, and tensor-lr steps at many groups against one group.

Each optimizer is SGD over one-element param groups at lr 0.1 (``lrkit.torch.demo``); only
``step()`` is timed. The schedules are far longer than the run, so every step is an ordinary
cosine step. Checks run after the timing, deep into the run: every group's lr equals the closed
form at the scheduler's step (lrkit within 1e-12, torch's recursion within 1e-10).
"""

from __future__ import annotations

import math
from typing import Any

from lrkit.bench.model import Pair, assert_close
from lrkit.bench.tables import TORCH_RECURSION_RTOL

__all__ = [
    "BASE_LR",
    "dropin_versus_torch",
    "scheduler_versus_torch",
    "tensor_many_versus_one",
]

BASE_LR = 0.1


def _cosine(step: int, length: int) -> float:
    """CosineAnnealingLR's closed form (eta_min 0) at ``step``, base lr :data:`BASE_LR`."""
    return BASE_LR * (1 + math.cos(math.pi * step / length)) / 2


def _check_groups(what: str, scheduler: Any, length: int, rtol: float) -> None:
    groups = scheduler.optimizer.param_groups
    expected = [_cosine(scheduler.last_epoch, length)] * len(groups)
    values = [float(g["lr"]) for g in groups]
    assert_close(f"{what} at step {scheduler.last_epoch}", values, expected, rtol=rtol)


def _optimizer(groups: int) -> Any:
    from lrkit.torch.demo import make_optimizer

    return make_optimizer(groups)


def scheduler_versus_torch(groups: int, length: int) -> Pair:
    """``lrkit.torch.Scheduler`` (float lrs) against torch's CosineAnnealingLR."""
    from torch.optim.lr_scheduler import CosineAnnealingLR

    import lrkit
    from lrkit.torch import Scheduler

    ours = Scheduler(_optimizer(groups), lrkit.cosine(1.0, 0.0, length))
    theirs = CosineAnnealingLR(_optimizer(groups), T_max=length)

    def check() -> None:
        _check_groups("lrkit Scheduler", ours, length, 1e-12)
        _check_groups("torch CosineAnnealingLR", theirs, length, TORCH_RECURSION_RTOL)

    return Pair(ours.step, theirs.step, check)


def dropin_versus_torch(groups: int, length: int) -> Pair:
    """lrkit's drop-in CosineAnnealingLR against torch's."""
    import torch.optim.lr_scheduler as torch_schedulers

    import lrkit.torch as lrkit_schedulers

    ours = lrkit_schedulers.CosineAnnealingLR(_optimizer(groups), T_max=length)
    theirs = torch_schedulers.CosineAnnealingLR(_optimizer(groups), T_max=length)

    def check() -> None:
        _check_groups("lrkit CosineAnnealingLR", ours, length, 1e-12)
        _check_groups("torch CosineAnnealingLR", theirs, length, TORCH_RECURSION_RTOL)

    return Pair(ours.step, theirs.step, check)


def tensor_many_versus_one(groups: int, length: int) -> Pair:
    """``Scheduler(tensor_lr=True)`` at ``groups`` groups against the same at one group."""
    import lrkit
    from lrkit.torch import Scheduler

    schedule = lrkit.cosine(1.0, 0.0, length)
    many = Scheduler(_optimizer(groups), schedule, tensor_lr=True)
    one = Scheduler(_optimizer(1), schedule, tensor_lr=True)

    def check() -> None:
        _check_groups(f"tensor lrs, {groups} groups", many, length, 1e-12)
        _check_groups("tensor lrs, 1 group", one, length, 1e-12)

    return Pair(many.step, one.step, check)
