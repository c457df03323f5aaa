"""The step-order warning: lrkit.torch.Scheduler warns when and as torch's schedulers do."""

from __future__ import annotations

import gc
import warnings
import weakref

import pytest
import torch
from torch.optim.lr_scheduler import StepLR

import lrkit
from lrkit.torch import Scheduler
from lrkit.torch._torch_internals import track_optimizer_steps

SCHEDULE = lrkit.linear(start=1.0, end=0.0, length=10)


def sgd() -> torch.optim.SGD:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)


def warnings_of(*calls: object) -> list[str]:
    """The UserWarning messages raised while running ``calls`` (callables) in order."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for call in calls:
            call()  # type: ignore[operator]
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_scheduler_step_before_optimizer_step_warns_like_torch() -> None:
    torch_opt, lrkit_opt = sgd(), sgd()
    torch_sched, lrkit_sched = StepLR(torch_opt, 3), Scheduler(lrkit_opt, SCHEDULE)
    torch_said = warnings_of(torch_sched.step, torch_sched.step)
    lrkit_said = warnings_of(lrkit_sched.step, lrkit_sched.step)
    assert len(torch_said) == len(lrkit_said) == 1  # the first step only
    assert "before `optimizer.step()`" in torch_said[0]
    assert lrkit_said[0].startswith("Detected call of `lr_scheduler.step()` before `optimizer")


def test_the_warning_points_at_the_callers_line() -> None:
    scheduler = Scheduler(sgd(), SCHEDULE)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`") as record:
        scheduler.step()
    assert record[0].filename == __file__


def test_the_right_order_is_silent() -> None:
    optimizer = sgd()
    scheduler = Scheduler(optimizer, SCHEDULE)
    assert warnings_of(optimizer.step, scheduler.step, optimizer.step, scheduler.step) == []
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.8)


def test_a_step_replaced_after_construction_warns_like_torch() -> None:
    said = []
    for make in (lambda o: StepLR(o, 3), lambda o: Scheduler(o, SCHEDULE)):
        optimizer = sgd()
        scheduler = make(optimizer)
        optimizer.step = lambda *a, **k: None  # type: ignore[method-assign]
        said.append(warnings_of(optimizer.step, scheduler.step))
    assert [len(s) for s in said] == [1, 1]
    assert "overridden" in said[0][0] and "was replaced" in said[1][0]


@pytest.mark.parametrize("first", ["torch", "lrkit"])
def test_torch_and_lrkit_schedulers_share_one_wrapper(first: str) -> None:
    """Either scheduler built first wraps ``optimizer.step``; the other reuses the wrapper and
    both see the optimizer's step (no warning from either)."""
    optimizer = sgd()
    builders = {
        "torch": lambda: StepLR(optimizer, 3),
        "lrkit": lambda: Scheduler(optimizer, SCHEDULE, key="weight_decay", relative=False),
    }
    a = builders[first]()
    wrapper = optimizer.step
    b = builders["lrkit" if first == "torch" else "torch"]()
    assert optimizer.step is wrapper and getattr(wrapper, "_wrapped_by_lr_sched", False)
    assert warnings_of(optimizer.step, a.step, b.step) == []


def test_the_wrapper_keeps_no_reference_cycle() -> None:
    optimizer = sgd()
    track_optimizer_steps(optimizer)  # what Scheduler's constructor does to the optimizer
    assert getattr(optimizer.step, "_wrapped_by_lr_sched", False)
    alive = weakref.ref(optimizer)
    gc.disable()
    try:
        del optimizer
        assert alive() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_a_resumed_scheduler_does_not_warn() -> None:
    optimizer = sgd()
    scheduler = Scheduler(optimizer, SCHEDULE)
    optimizer.step()
    scheduler.step()
    state = scheduler.state_dict()
    fresh = Scheduler(sgd(), SCHEDULE)
    fresh.load_state_dict(state)
    assert warnings_of(fresh.step) == []
