"""lrkit.parity.optax against the real optax (float64): every function on many seeded random
configurations, edge cases included, at every step from 0 to past the end, in both lrkit's
reference (``s(t)``) and its engine (``s.table(n)``); relative error at most 1e-12 (absolute,
1e-12 of the schedule's magnitude, where the values cross or reach 0)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import lrkit
from lrkit.parity import optax as ours
from requires import package

RTOL = 1e-12
CONFIGS = 40  # random configurations per function

Config = tuple[tuple[Any, ...], dict[str, Any], int]  # args, kwargs, steps to compare


@pytest.fixture(scope="module")
def peer() -> Any:
    jax = package("jax")
    jax.config.update("jax_enable_x64", True)
    return package("optax")


def optax_values(schedule: Callable[[Any], Any], n: int) -> np.ndarray:
    """The optax schedule at steps ``0 .. n-1`` (int64 counts, float64 values)."""
    jax = package("jax")
    jnp = package("jax.numpy")
    # Counts in arrays of a few fixed lengths: jax compiles its jitted helpers once per shape.
    padded = max(256, 1 << (n - 1).bit_length())
    counts = jnp.arange(padded, dtype=jnp.int64)
    values = np.asarray(jax.vmap(schedule)(counts), dtype=np.float64)
    return np.broadcast_to(values, (padded,))[:n]  # a constant schedule returns one value


#: Where optax's value is below this fraction of the schedule's magnitude (a curve that crosses
#: or reaches 0), the error is measured against that floor instead (float rounding there is an
#: ulp of the magnitude, not of the value).
ZERO_FLOOR = 1e-3


def errors(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``|got - expected|`` relative to ``|expected|``, floored at ``ZERO_FLOOR`` of the
    largest ``|expected|``."""
    floor = ZERO_FLOOR * float(np.abs(expected).max())
    scale = np.maximum(np.abs(expected), floor)
    return np.divide(
        np.abs(got - expected), scale, out=np.zeros_like(scale), where=scale > 0
    ) + np.where((scale == 0) & (got != expected), np.inf, 0.0)


#: (cases compared, largest error) over the module, for the record.
TALLY = {"cases": 0, "max_error": 0.0}


def compare(ours_: lrkit.Schedule, theirs: Callable[[Any], Any], n: int) -> None:
    """lrkit's reference and engine against optax at steps ``0 .. n-1``, within ``RTOL``."""
    expected = optax_values(theirs, n)
    for got in (np.array([ours_(t) for t in range(n)]), ours_.table(n)):
        err = errors(got, expected)
        worst = int(np.argmax(err))
        assert err[worst] <= RTOL, (ours_, worst, got[worst], expected[worst])
        TALLY["cases"] += n
        TALLY["max_error"] = max(TALLY["max_error"], float(err[worst]))


# -- random configurations, one generator per function ---------------------------------------


def lr(rng: np.random.Generator) -> float:
    """A learning rate, now and then 0 or negative (optax takes any value)."""
    kind = rng.integers(10)
    if kind == 0:
        return 0.0
    if kind == 1:
        return -float(10 ** rng.uniform(-4, 0))
    return float(10 ** rng.uniform(-5, 0))


def steps(rng: np.random.Generator, low: int = 1, high: int = 200) -> int:
    return int(rng.integers(low, high + 1))


def disabled_or(rng: np.random.Generator, low: int = 1, high: int = 200) -> int:
    """A transition length, now and then <= 0 (optax's constant schedule)."""
    return int(rng.choice([-3, 0])) if rng.random() < 0.15 else steps(rng, low, high)


def scales(rng: np.random.Generator, keys: list[float]) -> dict[float, float]:
    return {k: float(rng.choice([0.0, 1.0, 0.1, rng.uniform(0, 2)])) for k in keys}


def constant_configs(rng: np.random.Generator) -> Config:
    return (lr(rng),), {}, 20


def polynomial_configs(rng: np.random.Generator) -> Config:
    t, begin = disabled_or(rng), int(rng.choice([-5, 0, steps(rng, 0, 100)]))
    power = float(rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, rng.uniform(0.1, 5.0)]))
    kwargs = {"transition_begin": begin} if rng.random() < 0.8 else {}
    return (lr(rng), lr(rng), power, t), kwargs, max(begin, 0) + max(t, 0) + 30


def linear_configs(rng: np.random.Generator) -> Config:
    t, begin = disabled_or(rng), int(rng.choice([-5, 0, steps(rng, 0, 100)]))
    return (lr(rng), lr(rng), t), {"transition_begin": begin}, max(begin, 0) + max(t, 0) + 30


def piecewise_constant_configs(rng: np.random.Generator) -> Config:
    keys: list[float] = sorted({int(k) for k in rng.integers(-5, 200, size=rng.integers(0, 6))})
    if rng.random() < 0.3:
        keys.append(float(rng.integers(0, 200)) + 0.5)  # a step between two whole steps
    table = scales(rng, keys) if keys or rng.random() < 0.5 else None
    return (lr(rng), table), {}, 230


def interpolate_configs(rng: np.random.Generator) -> Config:
    keys = sorted({int(k) for k in rng.integers(0, 200, size=rng.integers(0, 6))})
    if rng.random() < 0.2:
        keys = [0, *keys]  # a boundary at step 0
    kind = str(rng.choice(["linear", "cosine"]))
    table = scales(rng, [float(k) for k in keys]) if keys or rng.random() < 0.5 else None
    if table is not None:
        table = {int(k): v for k, v in table.items()}
    return (kind, lr(rng), table), {}, 230


def exponential_configs(rng: np.random.Generator) -> Config:
    init = lr(rng)
    rate = float(rng.choice([0.0, 1.0, 0.5, rng.uniform(0.01, 0.999), rng.uniform(1.0, 1.1), 2.0]))
    t = disabled_or(rng, 1, 60)
    begin = int(rng.choice([-3, 0, steps(rng, 0, 60)]))
    end = rng.choice([None, init * rng.uniform(0, 1.5), init * rng.uniform(1, 5), lr(rng)])
    kwargs = {"transition_begin": begin, "staircase": bool(rng.random() < 0.5)}
    if end is not None or rng.random() < 0.5:
        kwargs["end_value"] = None if end is None else float(end)
    return (init, t, rate), kwargs, 250


def cosine_configs(rng: np.random.Generator) -> Config:
    alpha = float(rng.choice([0.0, rng.uniform(0, 1), 1.5, -0.1]))
    exponent = float(rng.choice([1.0, 0.0, 0.5, 2.0, rng.uniform(0.1, 4)]))
    t = steps(rng)
    return (lr(rng), t), {"alpha": alpha, "exponent": exponent}, t + 30


def warmup_cosine_configs(rng: np.random.Generator) -> Config:
    w = int(rng.choice([0, steps(rng, 1, 50)]))
    d = w + steps(rng)
    peak = 0.0 if rng.random() < 0.1 else lr(rng)
    exponent = float(rng.choice([1.0, 0.5, 2.0, rng.uniform(0.1, 4)]))
    kwargs = {"end_value": lr(rng) * 0.1, "exponent": exponent}
    return (lr(rng) * 0.1, peak, w, d), kwargs, d + 30


def warmup_exponential_configs(rng: np.random.Generator) -> Config:
    (init, t, rate), kwargs, n = exponential_configs(rng)
    w = int(rng.choice([0, steps(rng, 1, 50)]))
    return (lr(rng) * 0.1, init, w, t, rate), kwargs, n + w


def warmup_constant_configs(rng: np.random.Generator) -> Config:
    w = disabled_or(rng, 1, 100)
    return (lr(rng) * 0.1, lr(rng), w), {}, max(w, 0) + 30


def sgdr_configs(rng: np.random.Generator) -> Config:
    cycles = []
    for _ in range(rng.integers(1, 5)):
        w = int(rng.choice([0, steps(rng, 1, 20)]))
        cycle: dict[str, Any] = {
            "init_value": lr(rng) * 0.1,
            "peak_value": lr(rng),
            "warmup_steps": w,
            "decay_steps": w + steps(rng, 1, 80),
        }
        if rng.random() < 0.6:
            cycle["end_value"] = lr(rng) * 0.01
        if rng.random() < 0.4:
            cycle["exponent"] = float(rng.choice([0.5, 2.0]))
        cycles.append(cycle)
    return (cycles,), {}, sum(int(c["decay_steps"]) for c in cycles) + 30


def linear_onecycle_configs(rng: np.random.Generator) -> Config:
    t = int(rng.choice([1, 2, 3, 10, steps(rng, 1, 300)]))
    start = float(rng.uniform(0, 1))
    kwargs = {
        "pct_start": start,
        "pct_final": float(rng.choice([rng.uniform(start, 1), 1.0, 0.85])),
        "div_factor": float(rng.uniform(1, 50)),
        "final_div_factor": float(10 ** rng.uniform(0, 4)),
    }
    return (t, lr(rng)), kwargs, t + 30


def cosine_onecycle_configs(rng: np.random.Generator) -> Config:
    t = int(rng.choice([1, 2, 3, 10, steps(rng, 1, 300)]))
    kwargs = {
        "pct_start": float(rng.choice([rng.uniform(0, 1), 1.0, 1.3, 0.3])),
        "div_factor": float(rng.uniform(1, 50)),
        "final_div_factor": float(10 ** rng.uniform(0, 4)),
    }
    return (t, lr(rng)), kwargs, t + 30


GENERATORS: dict[str, Callable[[np.random.Generator], Config]] = {
    "constant_schedule": constant_configs,
    "polynomial_schedule": polynomial_configs,
    "linear_schedule": linear_configs,
    "piecewise_constant_schedule": piecewise_constant_configs,
    "piecewise_interpolate_schedule": interpolate_configs,
    "exponential_decay": exponential_configs,
    "cosine_decay_schedule": cosine_configs,
    "warmup_cosine_decay_schedule": warmup_cosine_configs,
    "warmup_exponential_decay_schedule": warmup_exponential_configs,
    "warmup_constant_schedule": warmup_constant_configs,
    "sgdr_schedule": sgdr_configs,
    "linear_onecycle_schedule": linear_onecycle_configs,
    "cosine_onecycle_schedule": cosine_onecycle_configs,
}


def configs(name: str) -> Iterator[Config]:
    rng = np.random.default_rng(sorted(GENERATORS).index(name))
    for _ in range(CONFIGS):
        yield GENERATORS[name](rng)


def test_every_optax_schedule_function_is_covered(peer: Any) -> None:
    import inspect

    functions = {
        name
        for name, value in vars(peer.schedules).items()
        if inspect.isfunction(value)
        and value.__module__ in ("optax.schedules._schedule", "optax.schedules._join")
    }
    assert functions == {*GENERATORS, "join_schedules"}
    for name in functions:
        assert f"optax.{name}" in lrkit.schedules()


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_function_matches_optax(peer: Any, name: str) -> None:
    for args, kwargs, n in configs(name):
        schedule = getattr(ours, name)(*args, **kwargs)
        compare(schedule, getattr(peer, name)(*args, **kwargs), n)
        # by name, from its compact config (JSON-safe), as a checkpoint holds it
        config = json.loads(json.dumps(schedule.to_config()))
        assert config["name"] == f"optax.{name}"
        again = lrkit.create(config)
        assert again == schedule
        assert np.array_equal(again.table(n), schedule.table(n))


def _pieces(rng: np.random.Generator, peer: Any) -> tuple[lrkit.Schedule, Any]:
    name = str(rng.choice(["linear_schedule", "cosine_decay_schedule", "exponential_decay"]))
    if name == "linear_schedule":
        args: tuple[Any, ...] = (lr(rng), lr(rng), steps(rng, 1, 60))
    elif name == "cosine_decay_schedule":
        args = (lr(rng), steps(rng, 1, 60), float(rng.uniform(0, 1)))
    else:
        args = (lr(rng), steps(rng, 1, 30), float(rng.uniform(0.1, 0.99)))
    return getattr(ours, name)(*args), getattr(peer, name)(*args)


def test_join_schedules_matches_optax(peer: Any) -> None:
    rng = np.random.default_rng(99)
    for _ in range(CONFIGS):
        parts = [_pieces(rng, peer) for _ in range(rng.integers(1, 5))]
        boundaries = [int(b) for b in rng.integers(0, 120, size=len(parts) - 1)]
        if rng.random() < 0.5:
            boundaries.sort()  # else in any order: optax lets the last boundary reached win
        schedule = ours.join_schedules([p[0] for p in parts], boundaries)
        compare(schedule, peer.join_schedules([p[1] for p in parts], boundaries), 200)
        assert lrkit.create(json.loads(json.dumps(schedule.to_config()))) == schedule


QUIRKS: list[tuple[str, tuple[Any, ...], dict[str, Any], int]] = [
    ("polynomial_schedule", (1.0, 0.5, 2.0, 0), {}, 10),  # transition_steps <= 0: constant
    ("polynomial_schedule", (1.0, 0.5, 2.0, 10), {"transition_begin": -4}, 20),  # begin < 0: 0
    ("polynomial_schedule", (0.3, 0.1, 0.0, 10), {}, 20),  # power 0: (I - E) + E everywhere
    ("exponential_decay", (1.0, 0, 0.5), {"end_value": 0.7}, 10),  # no transition: no clip
    ("exponential_decay", (1.0, 5, 0.0), {"end_value": 2.0}, 10),  # rate 0: constant, no clip
    ("exponential_decay", (1.0, 5, 0.5), {"end_value": 2.0}, 10),  # a floor above init
    ("exponential_decay", (1.0, 5, 1.0), {"end_value": 0.5}, 10),  # rate 1 clips with min
    ("exponential_decay", (1.0, 3, 2.0), {"end_value": 5.0, "transition_begin": 4}, 30),
    ("piecewise_constant_schedule", (1.0, {0: 0.5, -3: 0.5, 2.5: 0.1, 3: 2.0}), {}, 8),
    ("piecewise_interpolate_schedule", ("linear", 1.0, {0: 0.5, 4: 0.1}), {}, 8),
    ("piecewise_interpolate_schedule", ("cosine", 2.0, {}), {}, 5),
    ("piecewise_interpolate_schedule", ("cosine", 1.0, {3: 0.0, 6: 7.0}), {}, 10),
    ("warmup_cosine_decay_schedule", (0.1, 0.0, 2, 5), {"end_value": 0.3}, 10),  # peak 0
    ("warmup_constant_schedule", (0.1, 1.0, 0), {}, 5),  # never reaches the peak
    ("linear_onecycle_schedule", (1, 1.0), {}, 4),  # every phase end on step 0 or 1
    ("linear_onecycle_schedule", (10, 1.0), {"pct_final": 1.0}, 14),  # collides with the end
    ("cosine_onecycle_schedule", (4, 1.0), {"pct_start": 1.5}, 8),  # rise past the end
    ("cosine_onecycle_schedule", (3, 1.0), {"pct_start": 0.1}, 8),  # rise of 0 steps
]


@pytest.mark.parametrize(("name", "args", "kwargs", "n"), QUIRKS)
def test_quirks_match_optax(
    peer: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], n: int
) -> None:
    compare(getattr(ours, name)(*args, **kwargs), getattr(peer, name)(*args, **kwargs), n)


def test_configs_take_json_keys_and_hold_optax_arguments() -> None:
    s = lrkit.create(
        {
            "name": "optax.piecewise_constant_schedule",
            "init_value": 1.0,
            "boundaries_and_scales": {"10": 0.5, "20": 0.5},
        }
    )
    assert s(9) == 1.0 and s(10) == 0.5 and s(25) == 0.25
    direct = ours.piecewise_constant_schedule(1.0, {20: 0.5, 10.0: 0.5})
    assert direct == s
    assert direct.to_config() == {
        "name": "optax.piecewise_constant_schedule",
        "init_value": 1.0,
        "boundaries_and_scales": [[10, 0.5], [20, 0.5]],
    }
    assert ours.exponential_decay(0.1, 10, 0.5).to_config() == {
        "name": "optax.exponential_decay",
        "init_value": 0.1,
        "transition_steps": 10,
        "decay_rate": 0.5,
        "transition_begin": 0,
        "staircase": False,
        "end_value": None,
    }


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ours.exponential_decay(1.0, 10, -0.5), "decay_rate.*-0.5"),
        (lambda: ours.cosine_decay_schedule(1.0, 0), "decay_steps.*0"),
        (lambda: ours.cosine_decay_schedule(1.0, 10, exponent=-1.0), "exponent.*-1"),
        (lambda: ours.polynomial_schedule(1.0, 0.0, -1.0, 10), "power.*-1"),
        (lambda: ours.warmup_cosine_decay_schedule(0.0, 1.0, 10, 10), "decay_steps.*10"),
        (lambda: ours.warmup_cosine_decay_schedule(0.0, 1.0, -2, 10), "warmup_steps.*-2"),
        (lambda: ours.piecewise_constant_schedule(1.0, {5: -0.1}), "scales >= 0"),
        (lambda: ours.piecewise_interpolate_schedule("linear", 1.0, {-5: 0.5}), "-5"),
        (lambda: ours.piecewise_interpolate_schedule("linear", 1.0, {2.5: 0.5}), "2.5"),
        (lambda: ours.piecewise_interpolate_schedule("cubic", 1.0), "interpolate_type"),
        (lambda: ours.piecewise_constant_schedule(1e300, {1: 1e10}), "overflows"),
        (lambda: ours.linear_onecycle_schedule(0, 1.0), "transition_steps.*0"),
        (lambda: ours.linear_onecycle_schedule(10, 1.0, pct_start=-0.5), "phase.*-5"),
        (lambda: ours.join_schedules([lrkit.constant(1.0)] * 2, [1, 2]), "boundaries"),
        (lambda: ours.join_schedules([lrkit.constant(1.0)] * 2, [-1]), "boundaries.*-1"),
        (lambda: ours.sgdr_schedule([]), "cosine_kwargs"),
    ],
)
def test_bad_arguments_are_refused_at_construction(make: Callable[[], Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_sgdr_cycle_arguments_are_checked_by_name() -> None:
    with pytest.raises(TypeError, match=r"cosine_kwargs\[0\].*unknown \['warmup'\]"):
        ours.sgdr_schedule([{"init_value": 0.0, "peak_value": 1.0, "warmup": 1, "decay_steps": 2}])


def test_growth_without_a_ceiling_raises_where_it_overflows() -> None:
    s = ours.exponential_decay(1.0, 1, 2.0)
    assert s(1000) == 2.0**1000
    with pytest.raises(lrkit.NonFiniteValueError):
        s(1024)
    with pytest.raises(lrkit.NonFiniteValueError):
        s.table(1, start=1024)


def test_optax_own_schedule_tests_pass_against_lrkit(
    peer: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """optax's _schedule_test.py and _join_test.py, re-pointed at lrkit (scripts/)."""
    import runpy
    import sys
    from pathlib import Path

    package("absl.testing.absltest")
    script = Path(__file__).parents[1] / "scripts" / "optax_test_files.py"
    argv = sys.argv
    sys.argv = [str(script), "--x64"]  # this process already runs jax in float64
    try:
        with pytest.raises(SystemExit) as exit_:
            runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    report = capsys.readouterr().out
    assert exit_.value.code == 0, report
    assert "_schedule_test.py: 72 / 72 passed" in report and "_join_test.py: 1 / 1" in report
