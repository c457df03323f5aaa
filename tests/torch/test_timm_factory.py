"""lrkit.torch.create_scheduler against timm's create_scheduler_v2 (the real one): the same
number of epochs and, stepped the timm way (step(epoch) / step_update(num_updates)), the same
lr in every param group at every step (relative 1e-12), past the end included; resumes from a
state_dict; timm's reactive plateau scheduler."""

from __future__ import annotations

import itertools
import random
import warnings
from typing import Any

import pytest
import torch

import lrkit
import lrkit.torch
from requires import timm_scheduler

REL = 1e-12


def _optimizer() -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]
    return torch.optim.SGD(
        [
            {"params": [params[0]], "lr": 0.1},
            {"params": [params[1]], "lr": 0.02, "lr_scale": 0.5},
            {"params": [params[2]], "lr": 3e-4},
        ],
        lr=0.1,
    )


def _run(sched: Any, opt: torch.optim.Optimizer, steps: int, by_epoch: bool) -> list[list[float]]:
    out = []
    for t in range(steps):
        if by_epoch:
            sched.step(t)
        else:
            sched.step_update(t)
        out.append([float(g["lr"]) for g in opt.param_groups])
    return out


def _close(a: list[list[float]], b: list[list[float]]) -> None:
    for t, (x, y) in enumerate(zip(a, b, strict=True)):
        for u, v in zip(x, y, strict=True):
            assert abs(u - v) <= REL * abs(v), (t, x, y)


def _timm(**kwargs: Any) -> tuple[Any, int, torch.optim.Optimizer]:
    factory = timm_scheduler().scheduler_factory.create_scheduler_v2
    opt = _optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched, epochs = factory(opt, **kwargs)
    return sched, epochs, opt


def _cases() -> list[dict[str, Any]]:
    rng = random.Random("timm-factory")
    cases = []
    for sched, on_epochs in itertools.product(
        ["cosine", "tanh", "step", "constant", "multistep", "poly", "wsd", "rsqrt"], [True, False]
    ):
        for _ in range(6):
            kw: dict[str, Any] = {
                "sched": sched,
                "num_epochs": rng.randrange(4, 40),
                "warmup_epochs": rng.choice([0, 0, 1, 3]),
                "warmup_lr": rng.choice([1e-5, 0.0, 1e-3]),
                "warmup_prefix": rng.choice([True, False]),
                "min_lr": rng.choice([0.0, 1e-5]),
                "decay_rate": rng.choice([0.1, 0.5, 0.9]),
                "decay_epochs": rng.choice([None, 3, 7, 0.3]),
                "decay_milestones": sorted(rng.sample(range(1, 30), 2)),
                "cooldown_epochs": rng.choice([0, 2]),
                "cycle_mul": rng.choice([1.0, 1.5, 2.0]),
                "cycle_decay": rng.choice([0.1, 0.5]),
                "cycle_limit": rng.choice([1, 2, 3]),
                "k_decay": rng.choice([1.0, 2.0]),
                "noise": rng.choice([None, None, 0.5, [0.2, 0.6]]),
                "noise_seed": rng.randrange(100),
                "step_on_epochs": on_epochs,
                "updates_per_epoch": 0 if on_epochs else rng.choice([1, 3, 5]),
            }
            if sched in ("step", "constant", "multistep") and kw["decay_epochs"] == 0.3:
                kw["decay_epochs"] = 7
            if sched == "rsqrt" and kw["warmup_epochs"] == 0:
                kw["stable_timescale"] = 2
            cases.append(kw)
    return cases


@pytest.mark.parametrize("kwargs", _cases(), ids=lambda k: f"{k['sched']}-{k['step_on_epochs']}")
def test_create_scheduler_matches_timm(kwargs: dict[str, Any]) -> None:
    try:
        theirs, their_epochs, their_opt = _timm(**kwargs)
    except ValueError:  # e.g. a wsd decay longer than its phase: lrkit refuses it too
        with pytest.raises(ValueError, match="create_scheduler"):
            lrkit.torch.create_scheduler(_optimizer(), **kwargs)
        return
    opt = _optimizer()
    ours, epochs = lrkit.torch.create_scheduler(opt, **kwargs)
    assert isinstance(ours, lrkit.torch.TimmScheduler)
    assert epochs == their_epochs
    by_epoch = kwargs["step_on_epochs"]
    steps = (epochs + 5) * (1 if by_epoch else kwargs["updates_per_epoch"])
    _close(_run(ours, opt, steps, by_epoch), _run(theirs, their_opt, steps, by_epoch))
    # the other stepping call changes nothing
    before = [g["lr"] for g in opt.param_groups]
    if by_epoch:
        ours.step_update(1)
    else:
        ours.step(1)
    assert [g["lr"] for g in opt.param_groups] == before


def test_create_scheduler_resumes_from_a_state_dict() -> None:
    kwargs: dict[str, Any] = {
        "sched": "cosine",
        "num_epochs": 30,
        "warmup_epochs": 3,
        "cycle_mul": 1.5,
        "cycle_limit": 3,
        "noise": [0.1, 0.5],
        "step_on_epochs": False,
        "updates_per_epoch": 4,
    }
    opt = _optimizer()
    sched, _ = lrkit.torch.create_scheduler(opt, **kwargs)
    assert isinstance(sched, lrkit.torch.TimmScheduler)
    full = _run(sched, opt, 200, by_epoch=False)
    opt2 = _optimizer()
    first, _ = lrkit.torch.create_scheduler(opt2, **kwargs)
    assert isinstance(first, lrkit.torch.TimmScheduler)
    _run(first, opt2, 90, by_epoch=False)
    state = first.state_dict()
    opt3 = _optimizer()
    resumed, _ = lrkit.torch.create_scheduler(opt3, **kwargs)
    assert isinstance(resumed, lrkit.torch.TimmScheduler)
    resumed.load_state_dict(state)
    assert [g["lr"] for g in opt3.param_groups] == full[89]
    rest = []
    for t in range(90, 200):
        resumed.step_update(t)
        rest.append([float(g["lr"]) for g in opt3.param_groups])
    assert rest == full[90:]


def test_create_scheduler_none_and_unknown() -> None:
    assert lrkit.torch.create_scheduler(_optimizer(), "none", num_epochs=7) == (None, 7)
    with pytest.raises(ValueError, match="sched must be one of"):
        lrkit.torch.create_scheduler(_optimizer(), "cosin")
    with pytest.raises(ValueError, match="updates_per_epoch"):
        lrkit.torch.create_scheduler(_optimizer(), "cosine", step_on_epochs=False)


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("noise", [None, 0.3])
def test_plateau_matches_timm(mode: str, noise: float | None) -> None:
    kwargs: dict[str, Any] = {
        "sched": "plateau",
        "num_epochs": 40,
        "warmup_epochs": 3,
        "warmup_lr": 1e-4,
        "patience_epochs": 2,
        "decay_rate": 0.5,
        "min_lr": 1e-4,
        "plateau_mode": mode,
        "noise": noise,
    }
    theirs, their_epochs, their_opt = _timm(**kwargs)
    opt = _optimizer()
    ours, epochs = lrkit.torch.create_scheduler(opt, **kwargs)
    assert isinstance(ours, lrkit.torch.PlateauLRScheduler)
    assert epochs == their_epochs
    rng = random.Random(mode)
    metrics = [rng.choice([1.0, 0.9, 0.95, 0.5, 1.2]) for _ in range(40)]
    for epoch, metric in enumerate(metrics):
        theirs.step(epoch, metric)
        ours.step(epoch, metric)
        mine = [float(g["lr"]) for g in opt.param_groups]
        want = [float(g["lr"]) for g in their_opt.param_groups]
        _close([mine], [want])
    assert ours.state_dict() == theirs.state_dict()
