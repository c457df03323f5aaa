"""lrkit.parity.timm against the real timm.scheduler classes (timm 1.0.31): many seeded random
configurations per class, every step up to past the schedule's end, relative 1e-12, in the
reference and in the engine's tables; plus lrkit's own exact restarts where timm's float cycle
lands one low."""

from __future__ import annotations

import fractions
import math
import random
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import lrkit
from lrkit.parity import timm as T
from requires import package, timm_scheduler

REL = 1e-12
#: What the comparisons saw (the report's numbers): configurations, steps, worst relative error.
SEEN: dict[str, list[float]] = {}


def _timm_lrs(cls: Any, kwargs: dict[str, Any], base_lr: float, steps: int) -> list[Any]:
    """timm's lr after ``step(t)`` (or ``step_update(t)``) for ``t = 0 .. steps - 1``."""
    torch = package("torch")
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = cls(optimizer, **kwargs)
    by_epoch = kwargs.get("t_in_epochs", True)
    out = []
    for t in range(steps):
        if by_epoch:
            scheduler.step(t)
        else:
            scheduler.step_update(t)
        out.append(optimizer.param_groups[0]["lr"])
    return out


def _compare(
    name: str, schedule: lrkit.Schedule, expected: list[Any], *, table: bool = True
) -> None:
    got = [schedule(t) for t in range(len(expected))]
    engine = schedule.table(len(expected)).tolist() if table else got
    worst = 0.0
    for t, want in enumerate(expected):
        if isinstance(want, complex):  # timm's complex lr (poly, see lrkit.parity.timm)
            continue
        for value in (got[t], engine[t]):
            error = abs(value - want) / max(abs(want), 1e-300)
            if not (error <= REL or abs(value - want) <= 1e-300):
                raise AssertionError(f"{schedule!r} at t={t}: lrkit {value!r}, timm {want!r}")
            worst = max(worst, error if want else abs(value))
    seen = SEEN.setdefault(name, [0, 0, 0.0])
    seen[0] += 1
    seen[1] += len(expected)
    seen[2] = max(seen[2], worst)


def _noise(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.75:
        return {}
    kind = rng.choice(["from", "range"])
    noise: dict[str, Any] = {
        "noise_pct": rng.choice([0.67, 0.2, 0.05]),
        "noise_std": rng.choice([1.0, 0.5, 2.0]),
        "noise_seed": rng.randrange(0, 1000),
    }
    noise["noise_range_t"] = rng.randrange(0, 30) if kind == "from" else [5, rng.randrange(6, 60)]
    return noise


def _warmup(rng: random.Random, prefix_default: bool) -> dict[str, Any]:
    if rng.random() < 0.3:
        return {}
    return {
        "warmup_t": rng.randrange(1, 12),
        "warmup_lr_init": rng.choice([0.0, 1e-5, 1e-4, 0.003]),
        "warmup_prefix": rng.choice([True, False, prefix_default]),
    }


def _cycles(rng: random.Random) -> dict[str, Any]:
    return {
        "t_initial": rng.randrange(1, 80),
        "lr_min": rng.choice([0.0, 1e-6, 1e-3]),
        "cycle_mul": rng.choice([1.0, 1.0, 1.1, 1.2, 1.3, 1.5, 1.7, 2.0, 2.5, 3.0]),
        "cycle_decay": rng.choice([1.0, 0.5, 0.9, 0.1]),
        "cycle_limit": rng.choice([1, 1, 2, 3, 5, 10]),
        "t_in_epochs": rng.choice([True, False]),
    }


def _configs(name: str, count: int) -> list[dict[str, Any]]:
    rng = random.Random(f"timm-{name}")
    out = []
    for _ in range(count):
        base = {"base_lr": rng.choice([0.1, 1.0, 5e-4, 0.03])}
        if name == "cosine":
            kw = {**_cycles(rng), **_warmup(rng, False), **_noise(rng)}
            kw["k_decay"] = rng.choice([1.0, 1.0, 0.5, 2.0, 1.5])
        elif name == "poly":
            kw = {**_cycles(rng), **_warmup(rng, False), **_noise(rng)}
            kw["k_decay"] = rng.choice([1.0, 1.0, 0.5, 2.0])
            kw["power"] = rng.choice([0.5, 1.0, 2.0, 0.9])
        elif name == "tanh":
            kw = {**_cycles(rng), **_warmup(rng, False), **_noise(rng)}
            kw["lb"], kw["ub"] = rng.choice([(-7.0, 3.0), (-3.0, 3.0), (-6.0, 5.0)])
        elif name == "step":
            kw = {**_warmup(rng, True), **_noise(rng)}
            kw["decay_t"] = rng.choice([1, 2, 5, 15, 30, 7.5])
            kw["decay_rate"] = rng.choice([0.1, 0.5, 0.97])
        elif name == "multistep":
            kw = {**_warmup(rng, True), **_noise(rng)}
            kw["decay_t"] = sorted(rng.sample(range(1, 90), rng.randrange(1, 5)))
            kw["decay_rate"] = rng.choice([0.1, 0.5, 0.97])
        else:  # wsd
            kw = _noise(rng)
            warm = _warmup(rng, True)
            kw.update({k: v for k, v in warm.items() if k != "warmup_prefix"})
            t_initial = rng.randrange(1, 90)
            kw["t_initial"] = t_initial
            kw["decay_t"] = rng.randrange(1, t_initial + 1)
            kw["lr_min"] = rng.choice([0.0, 1e-4])
            kw["decay_fn"] = rng.choice(["linear", "1-sqrt", "cosine", "power", "exp"])
            kw["decay_power"] = rng.choice([0.5, 2.0])
            kw["decay_ratio"] = rng.choice([0.1, 0.5])
            stable = rng.choice(["constant", "constant", "rsqrt", "power"])
            if stable != "constant" and kw.get("warmup_t", 0) == 0:
                kw["stable_timescale"] = rng.choice([3.0, 10])
            kw["stable_fn"] = stable
            kw["stable_power"] = rng.choice([0.5, 0.3])
        out.append({**base, **kw})
    return out


CLASSES = {
    "cosine": "CosineLRScheduler",
    "poly": "PolyLRScheduler",
    "tanh": "TanhLRScheduler",
    "step": "StepLRScheduler",
    "multistep": "MultiStepLRScheduler",
    "wsd": "WSDLRScheduler",
}
COUNT = {"cosine": 120, "poly": 80, "tanh": 80, "step": 60, "multistep": 60, "wsd": 80}


def _length(kw: dict[str, Any]) -> int:
    t = kw.get("t_initial", 60)
    mul = kw.get("cycle_mul", 1.0)
    cycles = kw.get("cycle_limit", 1)
    total = t * cycles if mul == 1 else int(t * (mul**cycles - 1) / (mul - 1))
    return min(total + kw.get("warmup_t", 0) + 25, 1500)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_parity_with_timm_classes(name: str) -> None:
    scheduler = timm_scheduler()
    cls = getattr(scheduler, CLASSES[name])
    factory: Callable[..., lrkit.Schedule] = getattr(T, name)
    for kw in _configs(name, COUNT[name]):
        base_lr = kw.pop("base_lr")
        expected = _timm_lrs(cls, kw, base_lr, _length(kw))
        schedule = factory(base_lr=base_lr, **kw)
        _compare(name, schedule, expected)
        # by name, as a config, gives the same schedule
        assert lrkit.create(schedule.to_config()) == schedule
    assert SEEN[name][0] == COUNT[name]


def test_class_names_are_the_functions() -> None:
    assert T.CosineLRScheduler is T.cosine and T.WSDLRScheduler is T.wsd
    for name in CLASSES:
        assert f"timm.{name}" in lrkit.fields.DECLARED


def test_reported_step_and_multistep_warmups() -> None:
    """``StepLRScheduler``'s ``warmup_prefix`` defaults to True (the curve starts after the
    warmup: 0.1 at t=15 with decay_t=15, warmup_t=5); the warmup ramps to base_lr even where the
    curve's first value is lower (a milestone at 1 applies at t=0)."""
    step = T.step(15, base_lr=0.1, decay_rate=0.5, warmup_t=5)
    assert step(15) == 0.1 and step(20) == 0.05
    multi = T.multistep([1, 5], base_lr=0.1, decay_rate=0.5, warmup_t=3, warmup_lr_init=1e-4)
    assert multi(1) == pytest.approx(0.0334, rel=1e-12)
    scheduler = timm_scheduler()
    expected = _timm_lrs(
        scheduler.MultiStepLRScheduler,
        {"decay_t": [1, 5], "decay_rate": 0.5, "warmup_t": 3, "warmup_lr_init": 1e-4},
        0.1,
        10,
    )
    _compare("multistep", multi, expected)


def _exact_restarts(period: int, mult: float, limit: int) -> list[tuple[int, int]]:
    """``(i, S_i)`` for every cycle start ``period * (m**i - 1) / (m - 1)`` below ``limit``
    that is a whole step in exact decimal arithmetic (``m`` as written)."""
    m = fractions.Fraction(repr(mult))
    out, i = [], 1
    while True:
        start = period * (m**i - 1) / (m - 1)
        if start >= limit:
            return out
        if start.denominator == 1:
            out.append((i, int(start)))
        i += 1


def test_timm_float_cycle_lands_low_and_lrkit_restarts() -> None:
    """500 seeded (t_initial, cycle_mul) pairs: at every exact restart lrkit's
    ``cosine_restarts`` gives the cycle's peak; timm's float ``log`` gives ``lr_min`` at some of
    them, and ``lrkit.parity.timm.cosine`` does too (it agrees with timm at every step)."""
    scheduler = timm_scheduler()
    rng = random.Random("timm-restarts")
    timm_low = restarts = 0
    for _ in range(500):
        period = rng.randrange(1, 120)
        mult = rng.choice([1.1, 1.2, 1.25, 1.3, 1.5, 1.6, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 10.0])
        exact = _exact_restarts(period, mult, 4000)
        if not exact:
            continue
        own = lrkit.cosine_restarts(start=1.0, end=0.0, period=period, period_mult=mult)
        parity = T.cosine(period, base_lr=1.0, cycle_mul=mult, cycle_limit=10**6)
        timm_lr = _timm_lrs(
            scheduler.CosineLRScheduler,
            {"t_initial": period, "cycle_mul": mult, "cycle_limit": 10**6},
            1.0,
            exact[-1][1] + 1,
        )
        for _, t in exact:
            restarts += 1
            assert own(t) == 1.0 == own.table(1, start=t)[0], (period, mult, t)
            assert parity(t) == pytest.approx(timm_lr[t], rel=REL, abs=1e-15)
            if timm_lr[t] < 0.5:
                timm_low += 1
    SEEN["restarts"] = [restarts, timm_low, 0.0]
    assert restarts > 500 and timm_low > 0  # the quirk is real, and reproduced


def test_noise_is_timms_generator() -> None:
    """The noise of step t is timm's ``_calculate_noise(t)`` (a torch.Generator seeded with
    ``noise_seed + t``), bit for bit."""
    scheduler = timm_scheduler()
    torch = package("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    timm_cos = scheduler.CosineLRScheduler(opt, t_initial=50, noise_range_t=0, noise_seed=7)
    for t in range(40):
        assert T.timm_noise(t, 7, 0.67, 1.0) == timm_cos._calculate_noise(t)
    s = T.cosine(50, base_lr=0.1, noise_range_t=0, noise_seed=7)
    expected = _timm_lrs(
        scheduler.CosineLRScheduler, {"t_initial": 50, "noise_range_t": 0, "noise_seed": 7}, 0.1, 60
    )
    assert [s(t) for t in range(60)] == expected
    assert s.table(60).tolist() == expected


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    [
        (T.cosine, {"t_initial": 0}, "t_initial must be >= 1"),
        (T.cosine, {"t_initial": 10, "cycle_mul": 0.5}, "cycle_mul must be >= 1"),
        (T.cosine, {"t_initial": 10, "lr_min": -1.0}, "lr_min must be >= 0"),
        (T.cosine, {"t_initial": 10, "noise_pct": 1.5}, "noise_pct must be in"),
        (T.cosine, {"t_initial": 10, "noise_range_t": [1, 2, 3]}, "noise_range_t must be"),
        (T.tanh, {"t_initial": 10, "lb": 3.0, "ub": 1.0}, "lb must be < ub"),
        (T.wsd, {"t_initial": 10, "decay_t": 11}, "decay_t must be in"),
        (T.wsd, {"t_initial": 10, "decay_t": 5, "stable_fn": "rsqrt"}, "stable_timescale"),
        (T.wsd, {"t_initial": 10, "decay_t": 5, "decay_fn": "sqrt"}, "decay_fn must be"),
        (T.step, {"decay_t": 0}, "decay_t must be"),
    ],
)
def test_bad_arguments_name_the_parameter(
    factory: Callable[..., Any], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        factory(**kwargs)


def test_cycle_length_is_timms() -> None:
    scheduler = timm_scheduler()
    torch = package("torch")
    for kw in _configs("cosine", 40):
        kw.pop("base_lr")
        kw = {k: v for k, v in kw.items() if not k.startswith("noise")}
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        want = scheduler.CosineLRScheduler(opt, **kw).get_cycle_length()
        assert T.cosine(**kw).cycle_length() == want
    assert math.isfinite(np.float64(T.wsd(10, 2, warmup_t=3).cycle_length()))


@pytest.mark.parametrize("name", ["cosine", "poly", "tanh", "step", "multistep", "wsd"])
def test_parity_with_timm_at_huge_steps(name: str) -> None:
    """Far past the end and up to 2**53: the same lr as timm (cycles still running with a large
    ``cycle_limit``), in the reference and in one-row tables."""
    scheduler = timm_scheduler()
    cls = getattr(scheduler, CLASSES[name])
    torch = package("torch")
    steps = [10**6 + 7, 2**33 + 5, 2**45 - 3, 2**52 + 1, 2**53]
    for kw in _configs(name, 12):
        base_lr = kw.pop("base_lr")
        kw["t_in_epochs"] = True
        if "cycle_limit" in kw:
            kw["cycle_limit"] = 10**9
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = cls(opt, **kw)
        ours = getattr(T, name)(base_lr=base_lr, **kw)
        for t in steps:
            theirs.step(t)
            want = opt.param_groups[0]["lr"]
            if isinstance(want, complex):
                continue
            for got in (ours(t), ours.table(1, start=t)[0]):
                assert got == pytest.approx(want, rel=REL, abs=1e-300), (kw, t)
