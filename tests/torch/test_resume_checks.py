"""``Scheduler.load_state_dict`` checks the whole state before it changes anything: every
refused state leaves the scheduler (its state_dict, step and the optimizer's lrs) as it was."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import lrkit
from lrkit.torch import Scheduler

SCHEDULE = lrkit.warmup(lrkit.cosine(1.0, 0.0, 90), 10)


def make_sgd(lrs: list[float]) -> torch.optim.SGD:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(groups, lr=lrs[0])
    optimizer._opt_called = True  # type: ignore[attr-defined]
    return optimizer


def saved_state() -> dict[str, Any]:
    scheduler = Scheduler(make_sgd([0.1, 0.2]), SCHEDULE)
    for _ in range(20):
        scheduler.step()
    return scheduler.state_dict()


def unresolvable() -> dict[str, Any]:
    return {"name": "cosine", "start": 1.0, "end": 0.0, "length": {"epochs": 3}}


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("nan-base", {"base_values": [float("nan"), 0.1]}, r"base_values'\]\[0\] is nan"),
    ("negative-base", {"base_values": [-5.0, 0.1]}, r"base_values'\]\[0\] is -5.0"),
    ("string-base", {"base_values": ["x", 0.1]}, "base_values"),
    ("short-base", {"base_values": [0.1]}, "1 param groups, the optimizer has 2"),
    ("negative-step", {"step": -5}, "step"),
    ("huge-step", {"step": 2**60}, "step"),
    ("float-step", {"step": 3.7}, "step"),
    ("str-step", {"step": "7"}, "step"),
    ("bool-step", {"step": True}, "step"),
    ("bad-step-count", {"step_count": -1}, "step_count"),
    ("str-relative", {"relative": "false"}, "relative"),
    ("bad-steps-per-epoch", {"steps_per_epoch": 0}, "steps_per_epoch"),
    ("unknown-name", {"schedule": {"name": "no_such_schedule"}, "total_steps": 7}, "unknown"),
    ("unresolvable", {"schedule": unresolvable(), "steps_per_epoch": None}, "epochs"),
    ("not-a-config", {"schedule": 5}, "schedule"),
    ("version", {"version": 2}, "version"),
]


def observed(scheduler: Scheduler) -> tuple[Any, ...]:
    lrs = [g["lr"] for g in scheduler.optimizer.param_groups]
    return (repr(scheduler.state_dict()), scheduler.last_epoch, lrs, scheduler.get_last_lr())


@pytest.mark.parametrize("policy", ["refuse", "checkpoint", "given"])
@pytest.mark.parametrize(("change", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_refused_state_changes_nothing(change: dict[str, Any], match: str, policy: Any) -> None:
    if policy == "given" and "schedule" in change and change["schedule"] != 5:
        return  # "given" neither builds nor uses the checkpoint's schedule
    state = {**saved_state(), **change}
    scheduler = Scheduler(make_sgd([0.1, 0.2]), SCHEDULE, resume_schedule=policy)
    for _ in range(3):
        scheduler.step()
    before = observed(scheduler)
    with pytest.raises((ValueError, TypeError, LookupError), match=match):
        scheduler.load_state_dict(state)
    assert observed(scheduler) == before
    scheduler.step()
    assert scheduler.last_epoch == 4


@pytest.mark.parametrize(
    "missing",
    ["version", "schedule", "key", "relative", "base_values", "step", "step_count"],
)
def test_a_missing_entry_is_named(missing: str) -> None:
    state = saved_state()
    del state[missing]
    scheduler = Scheduler(make_sgd([0.1, 0.2]), SCHEDULE)
    before = observed(scheduler)
    with pytest.raises(ValueError, match=f"has no '{missing}'") as info:
        scheduler.load_state_dict(state)
    assert not isinstance(info.value, KeyError)
    assert observed(scheduler) == before


def test_a_state_whose_step_value_is_refused_changes_nothing() -> None:
    """The state passes every check but its step's value is negative: the write refuses it,
    and the scheduler (tensor mode too) is as before."""
    for tensor_lr in (False, True):
        saved = Scheduler(make_sgd([1.0]), lrkit.linear(1.0, 0.0, 10), tensor_lr=tensor_lr)
        state = {**saved.state_dict(), "schedule": lrkit.linear(1.0, -1.0, 10).to_config()}
        state["step"] = 8
        scheduler = Scheduler(make_sgd([1.0]), lrkit.linear(1.0, 0.0, 10), tensor_lr=tensor_lr)
        scheduler.step()
        before = observed(scheduler)
        with pytest.raises(ValueError, match="step 8"):
            scheduler.load_state_dict(state, resume_schedule="checkpoint")
        assert observed(scheduler)[:2] == before[:2]
        assert [float(g["lr"]) for g in scheduler.optimizer.param_groups] == [0.9]
        scheduler.step()
        assert np.isclose(float(scheduler.optimizer.param_groups[0]["lr"]), 0.8)


def test_given_continues_a_checkpoint_whose_schedule_is_no_longer_installed() -> None:
    state = {**saved_state(), "schedule": {"name": "uninstalled_plugin_schedule"}}
    scheduler = Scheduler(make_sgd([0.1, 0.2]), SCHEDULE)
    with pytest.raises(LookupError, match="uninstalled_plugin_schedule"):
        scheduler.load_state_dict(state)
    scheduler.load_state_dict(state, resume_schedule="given")
    assert scheduler.last_epoch == 20
    assert scheduler.get_last_lr() == scheduler.lr_at(20)
