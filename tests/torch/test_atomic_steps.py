"""A step is atomic, and fails at the step that uses a bad value (not at the chunk holding it).

A refused ``step()`` (a bad argument, a non-finite or negative value) leaves ``last_epoch``,
``_step_count``, the optimizer's values and the state dict as they were, for
``lrkit.torch.Scheduler`` and for the drop-ins; retrying raises again at the same step.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import torch
import torch.optim.lr_scheduler as T

import lrkit
import lrkit.torch as K
from lrkit.schedule import IntArray, NonFiniteValueError, Schedule
from lrkit.torch import Scheduler

pytestmark = pytest.mark.filterwarnings(
    "ignore:The epoch parameter:UserWarning", "ignore:Detected call of:UserWarning"
)

BAD_STEPS: list[Any] = [2**53 + 1, -3, 2.5, float("nan"), True, "4"]


def make_sgd(lrs: list[float], lr_dtype: str = "float") -> torch.optim.SGD:
    def lr(value: float) -> Any:
        return torch.tensor(value, dtype=torch.float64) if lr_dtype == "tensor" else value

    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr(v)} for v in lrs]
    optimizer = torch.optim.SGD(groups, lr=lrs[0], momentum=0.9, foreach=False)
    optimizer._opt_called = True  # type: ignore[attr-defined]
    return optimizer


class NanAt(Schedule):
    """A Python schedule (no registered name): 1 / (1 + t), NaN from step ``at`` on."""

    def __init__(self, at: int) -> None:
        self.at = at

    def value(self, step: int) -> float:
        return math.nan if step >= self.at else 1.0 / (1.0 + step)

    def values(self, steps: IntArray) -> np.ndarray:
        out = 1.0 / (1.0 + steps.astype(np.float64))
        out[steps >= self.at] = math.nan
        return out


def snapshot(scheduler: Any) -> tuple[Any, ...]:
    groups = scheduler.optimizer.param_groups
    values = [float(g["lr"]) for g in groups]
    state = {k: v for k, v in scheduler.state_dict().items() if k != "_last_lr"}
    return (scheduler.last_epoch, scheduler._step_count, values, repr(state))


def _exponential_overflow_step() -> int:
    """The first step t at which 1.5**t overflows float64."""
    with np.errstate(over="ignore"):
        return int(np.argmax(np.isinf(np.float64(1.5) ** np.arange(4096.0))))


# -- lrkit.torch.Scheduler ---------------------------------------------------------------------


@pytest.mark.parametrize("tensor_lr", [False, True])
@pytest.mark.parametrize("bad", BAD_STEPS, ids=repr)
def test_scheduler_refused_step_argument_changes_nothing(bad: Any, tensor_lr: bool) -> None:
    scheduler = Scheduler(make_sgd([0.1, 0.5]), lrkit.cosine(1.0, 0.0, 100), tensor_lr=tensor_lr)
    for _ in range(7):
        scheduler.step()
    before = snapshot(scheduler)
    with pytest.raises((ValueError, TypeError)):
        scheduler.step(bad)
    assert snapshot(scheduler) == before
    scheduler.step()
    assert scheduler.last_epoch == 8


@pytest.mark.parametrize("tensor_lr", [False, True])
@pytest.mark.parametrize("key", ["lr", "betas[0]"])
def test_scheduler_non_finite_value_fails_at_its_step_and_again_on_retry(
    tensor_lr: bool, key: str
) -> None:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))]} for _ in range(2)]
    optimizer = torch.optim.Adam(groups, lr=0.1, foreach=False)
    scheduler = Scheduler(optimizer, NanAt(5000), key=key, tensor_lr=tensor_lr)
    for _ in range(4999):
        scheduler.step()
    assert scheduler.last_epoch == 4999
    before = snapshot(scheduler)
    for _ in range(3):
        with pytest.raises(NonFiniteValueError, match="step 5000"):
            scheduler.step()
        assert snapshot(scheduler) == before


def test_scheduler_negative_value_is_refused_without_stepping() -> None:
    scheduler = Scheduler(make_sgd([1.0]), lrkit.linear(1.0, -1.0, 10))
    for _ in range(5):
        scheduler.step()
    before = snapshot(scheduler)
    for _ in range(2):
        with pytest.raises(ValueError, match="step 6"):
            scheduler.step()
        assert snapshot(scheduler) == before


def test_scheduler_exponential_overflow_runs_until_the_overflowing_step() -> None:
    scheduler = Scheduler(make_sgd([1.0]), lrkit.exponential(1.0, 1.5))
    for _ in range(100):
        scheduler.step()
    assert scheduler.optimizer.param_groups[0]["lr"] == pytest.approx(1.5**100, rel=1e-12)
    assert abs(1.5**100 - 4.0656e17) < 1e13
    inf_step = _exponential_overflow_step()
    scheduler.step(inf_step - 1)
    with pytest.raises(NonFiniteValueError, match=f"step {inf_step}"):
        scheduler.step()
    assert scheduler.last_epoch == inf_step - 1


# -- the drop-ins -------------------------------------------------------------------------------


@pytest.mark.parametrize("lr_dtype", ["float", "tensor"])
def test_exponential_lr_runs_like_torch_until_its_lr_overflows(lr_dtype: str) -> None:
    mine, theirs = make_sgd([1.0], lr_dtype), make_sgd([1.0], lr_dtype)
    ours, torchs = K.ExponentialLR(mine, gamma=1.5), T.ExponentialLR(theirs, gamma=1.5)
    for _ in range(100):
        ours.step()
        torchs.step()
    lr = float(mine.param_groups[0]["lr"])
    assert lr == pytest.approx(float(theirs.param_groups[0]["lr"]), rel=1e-12)
    assert lr == pytest.approx(1.5**100, rel=1e-12)
    # the closed form overflows at the step where 1.5**t does: it raises there, and only there
    last = _exponential_overflow_step() - 1
    while ours.last_epoch < last:
        ours.step()
    before = snapshot(ours)
    for _ in range(2):
        with pytest.raises((NonFiniteValueError, ValueError), match=f"step {last + 1}"):
            ours.step()
        assert snapshot(ours) == before


def _lambda_nan_at(at: int) -> Any:
    return lambda t: math.nan if t >= at else 1.0 / (1.0 + t)


DROPINS: dict[str, Any] = {
    "lambda-schedule": lambda opt: K.LambdaLR(
        opt, lrkit.create({"name": "constant", "value": 1.0})
    ),
    "exponential": lambda opt: K.ExponentialLR(opt, gamma=0.999),
    "cosine": lambda opt: K.CosineAnnealingLR(opt, T_max=50),
    "warm-restarts": lambda opt: K.CosineAnnealingWarmRestarts(opt, T_0=5),
}
#: Steps a drop-in refuses (torch's classes take any number; the closed form only whole steps
#: <= 2**53, CosineAnnealingWarmRestarts also fractional ones, like torch's).
REFUSED = [
    *((name, bad) for name in DROPINS for bad in (2**53 + 1, math.nan)),
    *((name, 2.5) for name in DROPINS if name != "warm-restarts"),
]


@pytest.mark.parametrize(("name", "bad"), REFUSED, ids=repr)
def test_dropin_refused_step_argument_changes_nothing(name: str, bad: Any) -> None:
    scheduler = DROPINS[name](make_sgd([0.1, 0.5]))
    for _ in range(7):
        scheduler.step()
    before = snapshot(scheduler)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ValueError, TypeError)):
            scheduler.step(bad)
    assert snapshot(scheduler) == before
    scheduler.step()
    assert scheduler.last_epoch == 8


def test_lambda_lr_nan_fails_at_its_step_and_again_on_retry() -> None:
    scheduler = K.LambdaLR(make_sgd([0.1]), _lambda_nan_at(5000))
    while scheduler.last_epoch < 4999:
        scheduler.step()
    before = snapshot(scheduler)
    for _ in range(3):
        with pytest.raises((NonFiniteValueError, ValueError), match="step 5000"):
            scheduler.step()
        assert snapshot(scheduler) == before


def test_a_composition_torch_drives_below_zero_is_reproduced_like_torch() -> None:
    """torch's chained CosineAnnealingLR(eta_min > 0) after MultiStepLR halves the lr goes
    below 0 (from step 1502 here) and torch writes it: the drop-ins reproduce torch's classes,
    this quirk included (documented in docs/torch.md); only non-finite lrs are refused."""
    runs = []
    for module in (K, T):
        optimizer = make_sgd([0.1])
        schedulers = [
            module.CosineAnnealingLR(optimizer, T_max=300, eta_min=1e-4),
            module.MultiStepLR(optimizer, milestones=[500, 1500], gamma=0.5),
        ]
        lrs = []
        for _ in range(1510):
            for s in schedulers:
                s.step()
            lrs.append(float(optimizer.param_groups[0]["lr"]))
        runs.append(lrs)
    ours, torchs = runs
    assert torchs[1501] < 0 <= min(torchs[:1501])  # torch's lr after its step 1502
    assert ours == pytest.approx(torchs, rel=1e-9, abs=1e-15)
