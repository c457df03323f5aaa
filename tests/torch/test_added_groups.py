"""``optimizer.add_param_group`` after a ``lrkit.torch.Scheduler`` was built: the scheduler
refuses its next step with a clear error and changes nothing (float and tensor mode, any key);
the drop-ins carry the new group along as torch's chainable classes do."""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.optim.lr_scheduler as T

import lrkit
import lrkit.torch as K
from lrkit.torch import Scheduler


def make_adam() -> torch.optim.Adam:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": 0.1}]
    optimizer = torch.optim.Adam(groups, lr=0.1, foreach=False)
    optimizer._opt_called = True  # type: ignore[attr-defined]
    return optimizer


def values(optimizer: torch.optim.Optimizer, key: str) -> list[Any]:
    if key.startswith("betas"):
        return [float(g["betas"][0]) for g in optimizer.param_groups]
    return [float(g[key]) for g in optimizer.param_groups]


@pytest.mark.parametrize(
    ("key", "tensor_lr"), [("lr", False), ("lr", True), ("betas[0]", False), ("eps", False)]
)
@pytest.mark.parametrize("how", ["step", "step(epoch)"])
def test_a_group_added_later_is_refused_before_anything_changes(
    key: str, tensor_lr: bool, how: str
) -> None:
    optimizer = make_adam()
    scheduler = Scheduler(optimizer, lrkit.cosine(0.5, 0.0, 100), key=key, tensor_lr=tensor_lr)
    for _ in range(3):
        scheduler.step()
    optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
    before = (values(optimizer, key), scheduler.state_dict(), scheduler.get_last_lr())
    for _ in range(2):
        with pytest.raises(ValueError, match=r"add_param_group|added after"):
            if how == "step":
                scheduler.step()
            else:
                scheduler.step(10)
        assert (values(optimizer, key), scheduler.state_dict(), scheduler.get_last_lr()) == before
        assert scheduler.last_epoch == 3


def test_dropins_carry_a_group_added_later_like_torch() -> None:
    optimizers = [make_adam(), make_adam()]
    schedulers = [K.ExponentialLR(optimizers[0], 0.9), T.ExponentialLR(optimizers[1], 0.9)]
    for _ in range(3):
        for s in schedulers:
            s.step()
    for o in optimizers:
        o.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
    for _ in range(5):
        for s in schedulers:
            s.step()
        ours, theirs = (values(o, "lr") for o in optimizers)
        assert ours == pytest.approx(theirs, rel=1e-12)
