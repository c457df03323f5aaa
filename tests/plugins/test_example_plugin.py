"""The installed example plugin (examples/lrkit-example-plugin): its schedules work by name
everywhere: lrkit.create, configs as JSON, the engine, lrkit.torch.Scheduler and its state_dict.
`make install` and .ci/run install it into the test venv."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrkit
from listing import listed
from lrkit import plugins

REX = {"name": "rex", "peak": 0.1, "length": 10_000}
WARMUP_COSINE = {
    "name": "warmup_cosine_decay",
    "peak": 0.1,
    "warmup": 100,
    "decay": 9_000,
    "floor": 0.05,
}


def rex_reference(t: int, peak: float, length: int, floor: float = 0.0) -> float:
    """REX written out from the paper's formula (Chen et al. 2021, eq. for the REX profile)."""
    progress = min(t, length) / length
    return floor + (peak - floor) * (1 - progress) / (0.5 + 0.5 * (1 - progress))


def warmup_cosine_reference(t: int, peak: float, warmup: int, decay: int, floor: float) -> float:
    if t < warmup:
        return peak * t / warmup
    u = min(t - warmup, decay) / decay
    low = floor * peak
    return low + (peak - low) * (1 + math.cos(math.pi * u)) / 2


@pytest.fixture(autouse=True)
def real_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)
    plugins.reload()
    if "rex" not in lrkit.schedules():
        pytest.fail(
            "lrkit-example-plugin is not installed: `make install` (or "
            "pip install ./examples/lrkit-example-plugin) installs it into the test venv"
        )


def test_the_example_is_found_through_its_entry_point() -> None:
    (ep,) = [ep for ep in metadata.entry_points(group="lrkit") if ep.name == "example"]
    assert ep.value == "lrkit_example_plugin"
    info = next(p for p in plugins.plugins() if p.distribution == "lrkit-example-plugin")
    assert info.schedules == ("warmup_cosine_decay", "rex")
    assert info.version == metadata.version("lrkit-example-plugin")
    assert lrkit.schedules()["rex"] == f"lrkit-example-plugin {info.version}"
    assert plugins.failures() == []


def test_composite_schedule_matches_its_formula_and_runs_in_the_engine() -> None:
    s = lrkit.create(WARMUP_COSINE)
    assert isinstance(s, lrkit.combinators.Warmup)  # built-ins only: the C++ engine evaluates it
    table = s.table(10_000)
    args = {k: v for k, v in WARMUP_COSINE.items() if k != "name"}
    steps = [0, 1, 50, 99, 100, 101, 4_600, 9_099, 9_100, 9_999]
    expected = [warmup_cosine_reference(t, **args) for t in steps]
    np.testing.assert_allclose(table[steps], expected, rtol=1e-13, atol=1e-16)


def test_python_schedule_matches_its_formula_across_engine_blocks() -> None:
    s = lrkit.create(REX)
    table = s.table(12_000)  # about three engine blocks, past the end of the decay
    expected = np.array([rex_reference(t, 0.1, 10_000) for t in range(12_000)])
    np.testing.assert_allclose(table, expected, rtol=1e-12, atol=1e-18)
    assert [s(t) for t in (0, 5_000, 10_000)] == [0.1, pytest.approx(0.1 / 1.5 * 1.0), 0.0]


def test_python_schedule_nests_inside_builtin_combinators() -> None:
    nested = lrkit.create({"name": "warmup", "schedule": REX, "length": 500, "start": 0.0})
    table = nested.table(3_000)
    assert table[0] == 0.0 and table[250] == pytest.approx(0.05)
    expected = [rex_reference(t - 500, 0.1, 10_000) for t in range(500, 3_000)]
    np.testing.assert_allclose(table[500:], expected, rtol=1e-12)


@pytest.mark.parametrize("config", [REX, WARMUP_COSINE, {**REX, "length": {"fraction": 0.5}}])
def test_configs_round_trip_through_json(config: dict[str, Any]) -> None:
    s = lrkit.create(config)
    assert s.to_config() == config
    rebuilt = lrkit.create(json.loads(json.dumps(s.to_config())))
    assert rebuilt == s
    resolved, rebuilt_resolved = (x.resolve(total_steps=20_000) for x in (s, rebuilt))
    assert resolved.table(20_000).tobytes() == rebuilt_resolved.table(20_000).tobytes()


def test_durations_resolve_by_name() -> None:
    s = lrkit.create({**WARMUP_COSINE, "warmup": {"epochs": 1}, "decay": {"epochs": 90}})
    resolved = s.resolve(steps_per_epoch=100)
    assert resolved.to_config() == WARMUP_COSINE
    assert resolved.table(10_000).tobytes() == lrkit.create(WARMUP_COSINE).table(10_000).tobytes()
    rex = lrkit.create({**REX, "length": {"fraction": 0.5}}).resolve(total_steps=20_000)
    assert rex.to_config() == REX


def _find_config(state: Any, name: str) -> bool:
    if isinstance(state, dict):
        return state.get("name") == name or any(_find_config(v, name) for v in state.values())
    if isinstance(state, (list, tuple)):
        return any(_find_config(v, name) for v in state)
    return False


@pytest.mark.parametrize("config", [REX, WARMUP_COSINE])
def test_torch_scheduler_state_dict_resume(config: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    lrkit_torch = pytest.importorskip("lrkit.torch")
    scheduler_cls = getattr(lrkit_torch, "Scheduler", None)
    if scheduler_cls is None:
        pytest.skip("lrkit.torch.Scheduler is not there yet")

    def make() -> tuple[Any, Any]:
        model = torch.nn.Linear(2, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        return optimizer, scheduler_cls(optimizer, lrkit.create(config))

    optimizer, scheduler = make()
    uninterrupted = []
    for _ in range(300):
        optimizer.step()
        scheduler.step()
        uninterrupted.append(optimizer.param_groups[0]["lr"])
    optimizer, scheduler = make()
    for _ in range(150):
        optimizer.step()
        scheduler.step()
    state = json.loads(json.dumps(scheduler.state_dict()))  # plain data only
    assert _find_config(state, config["name"])
    optimizer, resumed = make()
    resumed.load_state_dict(state)
    tail = []
    for _ in range(150):
        optimizer.step()
        resumed.step()
        tail.append(optimizer.param_groups[0]["lr"])
    assert [float(x) for x in tail] == [float(x) for x in uninterrupted[150:]]
    assert len(set(uninterrupted)) > 10  # the schedule really moves


@pytest.mark.parametrize(
    ("short", "config"),
    [
        ("rex:peak=0.1,length=10000", REX),
        ("warmup_cosine_decay:peak=0.1,warmup=1ep,decay=90ep,floor=0.05", WARMUP_COSINE),
    ],
)
def test_every_cli_command_knows_both_schedules(
    short: str, config: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lrkit.cli import main

    name = config["name"]
    run = ["--quiet"]
    spe = ["--steps-per-epoch", "100"]
    assert main([*run, "list"]) == 0
    assert listed(capsys.readouterr().out)[name][0].split()[0] == "lrkit-example-plugin"
    assert main([*run, "plugins"]) == 0
    assert "warmup_cosine_decay, rex" in capsys.readouterr().out
    assert main([*run, "show", short, "--steps", "10000", *spe]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{name}(") and "lrkit-example-plugin" in out.splitlines()[0]
    assert main([*run, "table", short, "--steps", "10000", *spe, "--every", "1000"]) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.split()[1:]]
    expected = lrkit.create(config).table(10_000)[::1000]
    assert [float(r[2]) for r in rows] == expected.tolist()
    assert main([*run, "bench", short, "--steps", "5000", "--repeat", "1", *spe]) == 0
    assert "x the engine's time" in capsys.readouterr().out
    pytest.importorskip("matplotlib")
    target = tmp_path / f"{name}.png"
    assert main([*run, "plot", short, "--steps", "10000", *spe, "-o", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("tensor_lr", [False, True])
def test_torch_resume_with_durations_and_one_plugin_schedule_per_group(tensor_lr: bool) -> None:
    """Both plugin schedules, lengths in epochs and fractions, one per param group: a resumed
    scheduler rebuilds them by name from plain data and continues bitwise identically."""
    torch = pytest.importorskip("torch")
    lrkit_torch = pytest.importorskip("lrkit.torch")
    configs = [
        {**REX, "length": {"fraction": 0.5}},
        {**WARMUP_COSINE, "warmup": {"epochs": 1}, "decay": {"fraction": 0.8}},
    ]

    def make() -> tuple[Any, Any]:
        lr = torch.tensor(1.0) if tensor_lr else 1.0
        groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for _ in configs]
        optimizer = torch.optim.SGD(groups, lr=lr)
        schedules = [lrkit.create(c) for c in configs]
        scheduler = lrkit_torch.Scheduler(
            optimizer, schedules, total_steps=400, steps_per_epoch=40, tensor_lr=tensor_lr
        )
        return optimizer, scheduler

    def run(optimizer: Any, scheduler: Any, steps: int) -> list[list[float]]:
        rows = []
        for _ in range(steps):
            optimizer.step()
            scheduler.step()
            rows.append([float(g["lr"]) for g in optimizer.param_groups])
        return rows

    optimizer, scheduler = make()
    uninterrupted = run(optimizer, scheduler, 400)
    optimizer, scheduler = make()
    run(optimizer, scheduler, 173)
    state = json.loads(json.dumps(scheduler.state_dict()))
    for config in configs:
        assert _find_config(state, config["name"])
    optimizer, resumed = make()
    resumed.load_state_dict(state)
    assert run(optimizer, resumed, 227) == uninterrupted[173:]
    expected_rex = [rex_reference(t, 0.1, 200) for t in range(1, 401)]
    np.testing.assert_allclose([row[0] for row in uninterrupted], expected_rex, rtol=1e-12)
    expected_wc = [warmup_cosine_reference(t, 0.1, 40, 320, 0.05) for t in range(1, 401)]
    np.testing.assert_allclose([row[1] for row in uninterrupted], expected_wc, rtol=1e-12)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"length": 0}, ValueError, "rex: length must be an int >= 1"),
        ({"length": 2.5}, ValueError, "rex: length must be an int >= 1"),
        ({"length": "50%"}, ValueError, "got '50%'"),
        ({"length": True}, ValueError, "got True"),
        ({"length": {"epochs": 0}}, ValueError, "got epochs(0)"),
        ({"peak": "high"}, TypeError, "rex: peak must be a finite real number, got 'high'"),
        ({"peak": float("nan")}, TypeError, "rex: peak must be a finite real number, got nan"),
        ({"floor": None}, TypeError, "rex: floor must be a finite real number, got None"),
    ],
)
def test_the_python_schedule_names_a_bad_argument(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        lrkit.create({**REX, **arguments})
