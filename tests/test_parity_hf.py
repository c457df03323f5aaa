"""lrkit.parity.hf against the installed HF transformers, for real: for every schedule function
of ``transformers.optimization`` and seeded grids of arguments (quirky ones included), the
multiplier HF's ``LambdaLR`` applies at every step from 0 to past the end (``lr_lambdas[0](t)``)
against lrkit's reference and its engine table, to a relative 1e-12 (they are in fact equal)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import lrkit
from lrkit.parity import hf
from requires import package

torch = package("torch")
optimization = package("transformers.optimization")

RELATIVE = 1e-12
CONFIGS_PER_FUNCTION = 60


def _steps(w: int, t: int) -> int:
    """Steps to compare: the run, then as long again past its end."""
    return 2 * max(w, t) + 12


def _configs(seed: int) -> Iterator[dict[str, Any]]:
    """Seeded warmup/training counts: the usual, the degenerate (W = 0, T <= W, T = 1)."""
    rng = random.Random(seed)
    fixed = [(0, 1), (0, 10), (2, 10), (10, 10), (12, 10), (1, 2), (7, 100), (100, 1000)]
    for w, t in fixed:
        yield {"num_warmup_steps": w, "num_training_steps": t}
    for _ in range(CONFIGS_PER_FUNCTION - len(fixed)):
        w = rng.choice([0, 1, rng.randint(0, 50), rng.randint(0, 500)])
        t = rng.choice([w + 1, w + rng.randint(1, 600), rng.randint(1, 800)])
        yield {"num_warmup_steps": w, "num_training_steps": t}


def _cycles(rng: random.Random) -> float:
    return rng.choice([0.5, 0.5, 1.0, 1.5, 2.0, 0.25, 3.7, rng.uniform(0.0, 4.0)])


def _hf_multipliers(scheduler: Any, n: int) -> np.ndarray:
    (lam,) = scheduler.lr_lambdas
    return np.array([float(lam(t)) for t in range(n)])


def _optimizer(lr: float = 1.0) -> Any:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _assert_same(schedule: lrkit.Schedule, expected: np.ndarray, label: str) -> float:
    """Reference and engine against HF's multipliers; returns the largest relative error."""
    n = len(expected)
    for name, got in (
        ("reference", np.array([schedule(t) for t in range(n)])),
        ("engine", schedule.table(n)),
    ):
        error = np.abs(got - expected)
        bad = error > RELATIVE * np.abs(expected)
        assert not bad.any(), (label, name, int(np.argmax(bad)), got[bad][:3], expected[bad][:3])
    return float(
        np.max(np.abs(schedule.table(n) - expected) / np.maximum(np.abs(expected), 1e-300))
    )


Case = tuple[
    Callable[..., Any], Callable[..., lrkit.Schedule], Callable[[random.Random], dict[str, Any]]
]

#: HF function, lrkit function, extra arguments drawn for a config (lr_init: the optimizer's lr).
CASES: dict[str, Case] = {
    "constant_with_warmup": (
        optimization.get_constant_schedule_with_warmup,
        hf.constant_schedule_with_warmup,
        lambda rng: {},
    ),
    "linear": (
        optimization.get_linear_schedule_with_warmup,
        hf.linear_schedule_with_warmup,
        lambda rng: {},
    ),
    "cosine": (
        optimization.get_cosine_schedule_with_warmup,
        hf.cosine_schedule_with_warmup,
        lambda rng: {"num_cycles": _cycles(rng)},
    ),
    "cosine_with_restarts": (
        optimization.get_cosine_with_hard_restarts_schedule_with_warmup,
        hf.cosine_with_hard_restarts_schedule_with_warmup,
        lambda rng: {"num_cycles": rng.choice([0, 1, 2, 3, 7, rng.randint(1, 40)])},
    ),
    "polynomial": (
        optimization.get_polynomial_decay_schedule_with_warmup,
        hf.polynomial_decay_schedule_with_warmup,
        lambda rng: {
            "lr_end": rng.choice([1e-7, 0.0, 1e-3, rng.uniform(0.0, 0.5)]),
            "power": rng.choice([1.0, 2.0, 0.5, 0.0, rng.uniform(0.0, 5.0)]),
        },
    ),
    "inverse_sqrt": (
        optimization.get_inverse_sqrt_schedule,
        hf.inverse_sqrt_schedule,
        lambda rng: {"timescale": rng.choice([None, None, 1, rng.randint(1, 5000)])},
    ),
    "cosine_with_min_lr": (
        optimization.get_cosine_with_min_lr_schedule_with_warmup,
        hf.cosine_with_min_lr_schedule_with_warmup,
        lambda rng: (
            {"num_cycles": _cycles(rng)}
            | rng.choice([{"min_lr_rate": rng.uniform(0.0, 1.0)}, {"min_lr": rng.uniform(0, 0.5)}])
        ),
    ),
    "cosine_warmup_with_min_lr": (
        optimization.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
        hf.cosine_with_min_lr_schedule_with_warmup_lr_rate,
        lambda rng: (
            {
                "num_cycles": _cycles(rng),
                "warmup_lr_rate": rng.choice([None, 0.0, 0.1, rng.uniform(0.0, 1.0)]),
            }
            | rng.choice([{"min_lr_rate": rng.uniform(0.0, 1.0)}, {"min_lr": rng.uniform(0, 0.5)}])
        ),
    ),
}

#: HF functions that take the optimizer's lr into account (lrkit: lr_init=...).
READS_LR = {"polynomial", "cosine_with_min_lr", "cosine_warmup_with_min_lr"}
RESULTS: dict[str, tuple[int, int, float]] = {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_step_of_many_configs_matches_hf(name: str) -> None:
    make_hf, make_lrkit, extra = CASES[name]
    rng = random.Random(name)
    cases = steps = 0
    worst = 0.0
    for i, config in enumerate(_configs(seed=len(name))):
        w, t = config["num_warmup_steps"], config["num_training_steps"]
        if name == "polynomial" and t <= w:
            continue  # HF divides by T - W there (ZeroDivisionError); lrkit refuses it
        if name == "inverse_sqrt":
            config = {"num_warmup_steps": w}
        if name == "constant_with_warmup":
            config = {"num_warmup_steps": w}
        kwargs = {**config, **extra(rng)}
        lr = rng.choice([1.0, 10.0, 3e-4, rng.uniform(0.6, 5.0)])
        if name == "polynomial":
            kwargs["lr_end"] *= lr  # drawn as a ratio: HF needs lr_end < lr
        expected = _hf_multipliers(make_hf(_optimizer(lr), **kwargs), _steps(w, t))
        ours = make_lrkit(**kwargs, **({"lr_init": lr} if name in READS_LR else {}))
        worst = max(worst, _assert_same(ours, expected, f"{name} #{i} {kwargs} lr={lr}"))
        cases += 1
        steps += len(expected)
    assert cases >= CONFIGS_PER_FUNCTION - 8
    RESULTS[name] = (cases, steps, worst)


def _wsd_configs() -> Iterator[dict[str, Any]]:
    rng = random.Random(2024)
    for i in range(3 * CONFIGS_PER_FUNCTION):
        w, d = rng.choice([0, 1, rng.randint(0, 60)]), rng.choice([0, 1, rng.randint(0, 200)])
        config: dict[str, Any] = {
            "num_warmup_steps": w,
            "num_decay_steps": d,
            "warmup_type": rng.choice(hf.WSD_TYPES),
            "decay_type": rng.choice(hf.WSD_TYPES),
            "min_lr_ratio": rng.choice([0.0, 0.0, 0.1, rng.uniform(0.0, 1.0)]),
            "num_cycles": _cycles(rng),
        }
        if i % 3 == 2:
            config["num_stable_steps"] = rng.randint(0, 100)
        else:
            config["num_training_steps"] = w + d + rng.choice([0, rng.randint(0, 300)])
            if i % 7 == 0:
                config["num_training_steps"] = rng.randint(0, w + d + 1)  # stable < 0
        yield config


def test_wsd_matches_hf_every_step() -> None:
    cases = steps = 0
    worst = 0.0
    for config in _wsd_configs():
        if "num_training_steps" in config:
            total = config["num_training_steps"]
        else:
            total = sum(
                config[k] for k in ("num_warmup_steps", "num_decay_steps", "num_stable_steps")
            )
        n = 2 * total + 12
        expected = _hf_multipliers(optimization.get_wsd_schedule(_optimizer(), **config), n)
        worst = max(worst, _assert_same(hf.wsd_schedule(**config), expected, f"wsd {config}"))
        cases += 1
        steps += n
    RESULTS["warmup_stable_decay"] = (cases, steps, worst)


def test_wsd_decay_ratio_is_hf_with_the_rounded_count() -> None:
    for ratio, total in [(0.1, 100), (0.2, 1001), (0.35, 7), (0.999, 50)]:
        count = int(np.ceil(ratio * total))
        expected = _hf_multipliers(
            optimization.get_wsd_schedule(
                _optimizer(), num_warmup_steps=5, num_decay_steps=count, num_training_steps=total
            ),
            total + 10,
        )
        ours = hf.wsd_schedule(num_warmup_steps=5, num_decay_steps=ratio, num_training_steps=total)
        _assert_same(ours, expected, f"wsd ratio {ratio}")


def test_constant_matches_hf() -> None:
    expected = _hf_multipliers(optimization.get_constant_schedule(_optimizer()), 50)
    _assert_same(hf.constant_schedule(), expected, "constant")


def test_every_scheduler_type_is_covered() -> None:
    names = {t.value for t in package("transformers.trainer_utils").SchedulerType}
    lambdas = set(CASES) | {"constant", "warmup_stable_decay"}
    reactive = {"reduce_lr_on_plateau", "greedy"}  # tests/torch/test_get_scheduler.py
    assert names == lambdas | reactive


def test_hf_quirks_are_reproduced() -> None:
    """The quirks the docstrings list, on values HF gives."""
    cosine = hf.cosine_schedule_with_warmup(num_warmup_steps=0, num_training_steps=10)
    assert cosine(10) == 0.0 and cosine(15) == pytest.approx(0.5) and cosine(20) == 1.0
    restarts = hf.cosine_with_hard_restarts_schedule_with_warmup(0, 10, num_cycles=3)
    # 10 steps in 3 cycles: the restarts fall between steps (at 3.33 and 6.67)
    assert [t for t in range(1, 10) if restarts(t) > restarts(t - 1)] == [4, 7]
    shifted = hf.cosine_with_min_lr_schedule_with_warmup_lr_rate(4, 10, min_lr_rate=0.1)
    assert shifted(3) == 1.0 and shifted(9) == pytest.approx(0.1)
    wsd = hf.wsd_schedule(num_warmup_steps=4, num_decay_steps=4, num_training_steps=12,
                          min_lr_ratio=0.2)  # fmt: skip
    assert wsd(0) == 0.2 and wsd(100) == 0.2


def test_report_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints cases, steps and the largest relative error per function (run with -s)."""
    with capsys.disabled():
        for name, (cases, steps, worst) in sorted(RESULTS.items()):
            print(f"\n{name}: {cases} configs, {steps} steps, max relative error {worst:.3g}")
