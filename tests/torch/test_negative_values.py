"""No negative (or non-finite) value reaches an optimizer, for any key: it is refused at the
step that would write it, naming that step, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
import torch

import lrkit
from lrkit.torch import Scheduler, adjust_learning_rate


def make_sgd(lrs: list[float]) -> torch.optim.SGD:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(groups, lr=lrs[0], momentum=0.9, weight_decay=0.1)
    optimizer._opt_called = True  # type: ignore[attr-defined]
    return optimizer


@pytest.mark.parametrize("key", ["lr", "weight_decay", "momentum"])
@pytest.mark.parametrize("tensor_lr", [False, True])
@pytest.mark.parametrize(
    ("schedule", "step"),
    [
        (lrkit.constant(-1.0), 0),
        (lrkit.scale(lrkit.cosine(1.0, 0.0, 10), -1.0), 0),
        (lrkit.linear(1.0, -1.0, 10), 6),
    ],
    ids=["constant", "scale", "linear"],
)
def test_a_negative_value_is_refused_at_its_step(
    schedule: lrkit.Schedule, step: int, key: str, tensor_lr: bool
) -> None:
    optimizer = make_sgd([1.0, 0.5])
    if step == 0:
        with pytest.raises(ValueError, match="step 0: param group 0"):
            Scheduler(optimizer, schedule, key=key, tensor_lr=tensor_lr)
        assert [g[key] for g in optimizer.param_groups] == [
            {"lr": 1.0, "weight_decay": 0.1, "momentum": 0.9}[key] * (0.5 if g else 1.0)
            if key == "lr"
            else {"weight_decay": 0.1, "momentum": 0.9}[key]
            for g in range(2)
        ]
        return
    scheduler = Scheduler(optimizer, schedule, key=key, tensor_lr=tensor_lr)
    for _ in range(step - 1):
        scheduler.step()
    before = [float(g[key]) for g in optimizer.param_groups]
    with pytest.raises(ValueError, match=f"step {step}: param group 0"):
        scheduler.step()
    assert [float(g[key]) for g in optimizer.param_groups] == before
    assert scheduler.last_epoch == step - 1


@pytest.mark.parametrize(
    ("factors", "error", "match"),
    [
        ([-1.0], ValueError, r"factors\[0\] must be finite and >= 0"),
        ([float("inf")], ValueError, r"factors\[0\]"),
        (["x"], TypeError, r"factors\[0\] must be a number"),
        (5, TypeError, "factors must be a list"),
        ("5", TypeError, "factors must be a list"),
        ([1.0, 2.0], ValueError, "factors has 2 values"),
    ],
)
def test_rescale_refuses_bad_factors_and_changes_nothing(
    factors: Any, error: type, match: str
) -> None:
    scheduler = Scheduler(make_sgd([1.0]), lrkit.cosine(1.0, 0.0, 10))
    scheduler.step()
    before = (scheduler.state_dict(), scheduler.optimizer.param_groups[0]["lr"])
    with pytest.raises(error, match=match):
        scheduler.rescale(factors)
    assert (scheduler.state_dict(), scheduler.optimizer.param_groups[0]["lr"]) == before


def test_a_refused_rescale_keeps_the_old_table() -> None:
    """Factors pass, but the rescaled current value cannot be written: all is rolled back."""
    scheduler = Scheduler(make_sgd([1.0]), lrkit.constant(1e300))
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match="inf at step 0"):
        scheduler.rescale([1e10])
    assert scheduler.state_dict() == before
    scheduler.step()
    assert scheduler.optimizer.param_groups[0]["lr"] == 1e300


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"max_epoch": 20, "lr_min": -0.5}, ValueError, r"params\['lr_min'\] must be finite"),
        ({"max_epoch": 20, "lr_max": "0.1"}, TypeError, r"params\['lr_max'\] must be a number"),
        ({"max_epoch": 20, "lr_max": float("nan")}, ValueError, r"params\['lr_max'\]"),
    ],
)
def test_adjust_learning_rate_refuses_negative_or_bad_lrs(
    params: dict[str, Any], error: type, match: str
) -> None:
    optimizer = make_sgd([0.1])
    with pytest.raises(error, match=match):
        adjust_learning_rate(optimizer, 0, params)
    assert optimizer.param_groups[0]["lr"] == 0.1


def test_adjust_learning_rate_refuses_a_negative_value_of_a_schedule() -> None:
    optimizer = make_sgd([0.1])
    schedule = lrkit.linear(1.0, -1.0, 10)
    assert adjust_learning_rate(optimizer, 5, schedule) == 0.0
    with pytest.raises(ValueError, match="step 6"):
        adjust_learning_rate(optimizer, 6, schedule)
    assert optimizer.param_groups[0]["lr"] == 0.0
