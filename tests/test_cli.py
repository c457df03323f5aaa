"""The `lrkit` command: every subcommand, its output checked against independent formulas."""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lrkit
from listing import listed
from lrkit import plugins
from lrkit.cli import main
from lrkit.plot import LEGEND_ROW_INCHES

COSINE = "cosine:start=0.1,end=0.001,length=1000"


def cosine_ref(t: int, start: float = 0.1, end: float = 0.001, length: int = 1000) -> float:
    return end + (start - end) * (1 + math.cos(math.pi * min(t, length) / length)) / 2


def rex_ref(t: int, peak: float, length: int) -> float:
    z = 1 - min(t, length) / length
    return peak * z / (0.5 + 0.5 * z)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["--quiet", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(autouse=True)
def installed_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)
    plugins.reload()


def test_list_names_every_schedule_with_its_provider(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "list")
    assert status == 0
    rows = listed(out)
    assert set(lrkit.schedules()) <= set(rows)
    assert rows["cosine"][0] == "lrkit.primitives" and "Half-cosine" in rows["cosine"][1]
    assert rows["rex"][0].startswith("lrkit-example-plugin ") and "REX" in rows["rex"][1]
    assert rows["hf.wsd_schedule"][0] == "lrkit.parity.hf"
    providers = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert providers[:3] == ["lrkit.combinators", "lrkit.cycles", "lrkit.primitives"]


def test_list_shows_whole_first_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "list")
    rows = listed(out)
    assert rows["one_cycle"][1].endswith("then to the floor).")  # longer than 80 characters
    assert not any(line.endswith("...") for line in out.splitlines())


@pytest.mark.parametrize("name", sorted(lrkit.schedules()))
def test_list_name_describes_every_schedule(capsys: pytest.CaptureFixture[str], name: str) -> None:
    status, out, _ = run(capsys, "list", name)
    assert status == 0 and out.startswith(f"{name}  [")
    entry = plugins.registry().entry(name)
    for parameter in inspect.signature(entry.factory).parameters:
        assert re.search(rf"^  {parameter}\b", out, re.M), (name, parameter)
    if "example config:" in out:  # the example builds, and equals the short form
        lines = out.split("example config:\n")[1].splitlines()
        config = json.loads(lines[0])
        assert lrkit.create(config).table(50).tolist() == lrkit.create(config).table(50).tolist()
        if len(lines) > 1:
            assert main(["--quiet", "show", lines[1].strip(), "--steps", "1000"]) == 0
            capsys.readouterr()


def test_list_name_shows_defaults_formula_and_example(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "list", "polynomial")
    assert re.search(r"^  power +a number > 0 \(default 1\.0\)$", out, re.M)
    assert "end + (start - end) * (1 - t / length) ** power" in out
    assert '{"name": "polynomial", "start": 1.0, "end": 0.1, "length": 1000}' in out
    assert "polynomial:start=1.0,end=0.1,length=1000" in out


def test_list_unknown_name_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "list", "cosin")
    assert status == 2 and out == ""
    assert "unknown schedule 'cosin'" in err and "cosine" in err


def _summary(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and line.startswith("  ") and not parts[0].isdigit():
            key = " ".join(parts[:2]) if parts[0] == "at" else parts[0]
            rows[key] = parts[2] if parts[0] == "at" else parts[1]
    return rows


def test_show_summarises_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "show", COSINE, "--steps", "1500")
    assert status == 0
    values = [cosine_ref(t) for t in range(1500)]
    rows = _summary(out)
    assert float(rows["start"]) == pytest.approx(0.1)
    assert float(rows["peak"]) == pytest.approx(0.1)
    assert float(rows["final"]) == pytest.approx(0.001)
    assert float(rows["floor"]) == pytest.approx(0.001)
    assert rows["at floor"] == "500"  # steps 1000..1499 sit at the end value
    assert float(rows["area"]) == pytest.approx(math.fsum(values), rel=1e-5)
    table = {
        int(p[0]): float(p[1])
        for p in (line.split() for line in out.splitlines())
        if p and p[0].isdigit()
    }
    assert {0, 1, 375, 750, 1000, 1125, 1499} <= set(table)
    for t, v in table.items():
        assert v == pytest.approx(cosine_ref(t), rel=1e-5)


def test_show_a_plugin_schedule_in_epochs(capsys: pytest.CaptureFixture[str]) -> None:
    config = "warmup_cosine_decay:peak=0.1,warmup=2ep,decay=8ep,floor=0.1"
    status, out, _ = run(capsys, "show", config, "--epochs", "12", "--steps-per-epoch", "50")
    assert status == 0
    assert "lrkit-example-plugin" in out.splitlines()[0]
    assert "12 epochs of 50" in out
    rows = _summary(out)
    assert float(rows["peak"]) == pytest.approx(0.1)
    assert "first at step 100" in out  # the peak, after 2 epochs of warmup
    assert float(rows["floor"]) == pytest.approx(0.01)
    assert rows["at floor"] == "100"  # steps 500 (end of the decay) to 599


def test_show_per_group_bases(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "show", COSINE, "--steps", "100", "--groups", "1", "0.5")
    assert status == 0
    assert "group 0:" in out and "group 1:" in out
    header = next(line for line in out.splitlines() if line.split()[:1] == ["step"])
    assert header.split() == ["step", "group", "0", "group", "1"]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_table_csv_matches_the_formula(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "table", COSINE, "--steps", "1200", "--every", "7")
    assert status == 0
    rows = _csv(out)
    assert [int(r["step"]) for r in rows] == list(range(0, 1200, 7))
    np.testing.assert_allclose(
        [float(r["value"]) for r in rows], [cosine_ref(t) for t in range(0, 1200, 7)], rtol=1e-13
    )


def test_table_values_are_the_engine_table_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "table", "rex:peak=0.3,length=5000", "--steps", "6000")
    assert status == 0
    values = np.array([float(r["value"]) for r in _csv(out)])
    assert (
        values.tobytes()
        == lrkit.create({"name": "rex", "peak": 0.3, "length": 5000}).table(6000).tobytes()
    )
    np.testing.assert_allclose(values, [rex_ref(t, 0.3, 5000) for t in range(6000)], rtol=1e-12)


def test_table_json_to_a_file_with_epochs_and_groups(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "lr.json"
    config = "warmup_cosine_decay:peak=1,warmup=1ep,decay=2ep"
    status, out, _ = run(
        capsys,
        "table",
        config,
        "--steps",
        "8",
        "--steps-per-epoch",
        "2",
        "--groups",
        "1",
        "0.1",
        "--format",
        "json",
        "-o",
        str(target),
    )
    assert status == 0 and out == ""
    data = json.loads(target.read_text())
    assert data["schedule"] == {
        "name": "warmup_cosine_decay",
        "peak": 1,
        "warmup": {"epochs": 1},
        "decay": {"epochs": 2},
    }
    assert data["step"] == list(range(8))
    assert data["epoch"] == [t / 2 for t in range(8)]
    expected = [
        0.0,
        0.5,
        1.0,
        (1 + math.cos(math.pi / 4)) / 2,
        0.5,
        (1 + math.cos(3 * math.pi / 4)) / 2,
        0.0,
        0.0,
    ]
    np.testing.assert_allclose(data["group0"], expected, atol=1e-15)
    np.testing.assert_allclose(data["group1"], [0.1 * v for v in expected], atol=1e-15)


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '{"name": "cosine", "start": 0.1, "end": 0.001, "length": 1000}'),
        (".toml", 'name = "cosine"\nstart = 0.1\nend = 0.001\nlength = 1000\n'),
        (".yaml", "schedule:\n  name: cosine\n  start: 0.1\n  end: 0.001\n  length: 1000\n"),
    ],
)
def test_config_files_and_json_text_equal_the_short_form(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str, text: str
) -> None:
    if suffix == ".yaml":
        pytest.importorskip("yaml")
    path = tmp_path / f"schedule{suffix}"
    path.write_text(text)
    _, short, _ = run(capsys, "table", COSINE, "--steps", "50")
    _, from_file, _ = run(capsys, "table", str(path), "--steps", "50")
    _, from_json, _ = run(
        capsys,
        "table",
        '{"name": "cosine", "start": 0.1, "end": 0.001, "length": 1000}',
        "--steps",
        "50",
    )
    assert short == from_file == from_json


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_writes_a_real_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    image = pytest.importorskip("matplotlib.image")
    target = tmp_path / "lr.png"
    status, out, _ = run(
        capsys,
        "plot",
        COSINE,
        "rex:peak=0.1,length=800",
        "cyclic:low=0.01,high=0.05,up=100",
        "--steps",
        "1000",
        "--steps-per-epoch",
        "100",
        "-o",
        str(target),
    )
    assert status == 0 and "3 schedule(s)" in out
    width, height = _png_size(target)
    assert width == 960  # 8 inches at 120 dpi, plus a legend row per curve below the axes
    assert abs(height - (4.5 + 3 * LEGEND_ROW_INCHES) * 120) <= 1
    pixels = image.imread(target)
    assert pixels.shape[:2] == (height, width)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)) > 20  # curves, text, legend


def test_plot_groups_log_scale_and_a_long_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "groups.png"
    status, _, _ = run(
        capsys,
        "plot",
        "exponential:start=1,gamma=0.99999",
        "--steps",
        "1000000",
        "--groups",
        "0.1",
        "0.01",
        "--log",
        "-o",
        str(target),
    )
    assert status == 0
    width, height = _png_size(target)
    assert width == 960 and abs(height - (4.5 + 2 * LEGEND_ROW_INCHES) * 120) <= 1


def test_plot_without_matplotlib_says_how_to_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, _, err = run(capsys, "plot", COSINE, "--steps", "10", "-o", str(tmp_path / "x.png"))
    assert status == 2
    assert "pip install 'lrkit[plot]'" in err
    assert not (tmp_path / "x.png").exists()


def test_plugins_lists_the_example_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plugins")
    assert status == 0
    from importlib.metadata import version

    assert f"lrkit-example-plugin {version('lrkit-example-plugin')}" in out
    assert "warmup_cosine_decay, rex" in out
    assert "built-in  lrkit" in out
    assert "no plugin failures" in out


def test_demo_runs_what_make_run_shows(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "demo")
    assert status == 0
    assert "Seed schedule" in out and "max relative difference" in out
    assert "Training a small MLP" in out and "OneCycleLR" in out
    # torch's OneCycleLR and lrkit's drop-in: torch's libm cosine against the engine's vectorised
    # one (docs/contract.md), a few ulp of the peak apart at most, relative to values down to
    # 4e-6 of the peak (OneCycleLR's floor).
    differences = [float(d) for d in re.findall(r"max relative difference ([0-9.e+-]+)", out)]
    assert len(differences) >= 2 and max(differences) < 1e-10, out


def test_bench_config_times_the_engine_against_numpy_and_a_loop(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = "cosine_restarts:start=0.1,end=0.001,period=1000,period_mult=2"
    status, out, _ = run(capsys, "bench", config, "--steps", "20000", "--repeat", "2")
    assert status == 0
    lines = out.splitlines()
    assert "20,000-step table of cosine_restarts(" in lines[0] and "best of 2" in lines[0]
    assert "1.00x (reference)" in lines[1] and "engine" in lines[1]
    assert "numpy closed form" in lines[2] and "x the engine's time" in lines[2]
    assert "Python loop" in lines[3]
    error = float(lines[4].split("within ")[1].split()[0])
    assert "engine == numpy closed form" in lines[4] and error < 1e-12
    # No numpy closed form of a plugin's schedule: that row is left out.
    status, out, _ = run(
        capsys, "bench", "rex:peak=0.1,length=100", "--steps", "5000", "--repeat", "1"
    )
    assert status == 0 and "rex(peak=0.1, length=100)" in out and "numpy" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["show", "cosin:start=1", "--steps", "10"],
            "unknown schedule 'cosin'; did you mean 'cosine'",
        ),
        (["show", "rexx:peak=1", "--steps", "10"], "did you mean 'rex'?"),
        (["show", "cosine:start=1,end=0", "--steps", "10"], "missing argument 'length'"),
        (["show", "cosine:start=1,end=0,lenght=3", "--steps", "10"], "did you mean 'length'"),
        (["show", "cosine:start=1,end=0,length=5ep", "--steps", "10"], "needs --steps-per-epoch K"),
        (
            ["show", "cosine:start=1,end=0,length=-5", "--steps", "10"],
            "length must be >= 1 steps, got -5",
        ),
        (["show", "{not json", "--steps", "10"], "not valid JSON"),
        (["show", "missing.json", "--steps", "10"], "'missing.json' does not exist"),
        (["show", "cos ine", "--steps", "10"], "cannot read CONFIG"),
        (["show", COSINE], "--steps N"),
        (["table", COSINE, "--epochs", "3"], "--epochs needs --steps-per-epoch"),
        (["show", "exponential:start=1,gamma=1e9", "--steps", "100"], "produced inf at step"),
    ],
)
def test_errors_are_one_line_with_exit_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"lrkit {argv[0]}: error: ")
    assert message in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(lrkit.UnknownScheduleError):
        main(["--debug", "show", "cosin:start=1", "--steps", "10"])
    with pytest.raises(lrkit.UnknownScheduleError):  # the flags also work after the command
        main(["show", "cosin:start=1", "--steps", "10", "--debug"])


def test_progress_goes_to_stderr_on_long_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lrkit.summary

    original = lrkit.summary.Progress.__init__

    def eager(self: lrkit.summary.Progress, *args: object, **kwargs: object) -> None:
        original(self, *args, **{**kwargs, "after": 0.0, "tty": True})  # type: ignore[arg-type]

    monkeypatch.setattr(lrkit.summary.Progress, "__init__", eager)
    status = main(["show", COSINE, "--steps", "600000"])
    captured = capsys.readouterr()
    assert status == 0
    assert "show (pass 2 of 2):" in captured.err and "%" in captured.err
    assert "show: done in" in captured.err
    assert "show" not in captured.out.split("\n")[1:]


@pytest.mark.parametrize(
    "command", [[sys.executable, "-m", "lrkit"], [str(Path(sys.executable).parent / "lrkit")]]
)
def test_entry_points_of_the_command(command: list[str]) -> None:
    result = subprocess.run(
        [*command, "table", "rex:peak=1,length=4", "--steps", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "step,value",
        "0,1.0",
        f"1,{rex_ref(1, 1, 4)!r}",
        f"2,{rex_ref(2, 1, 4)!r}",
        f"3,{rex_ref(3, 1, 4)!r}",
        "4,0.0",
    ]
    bad = subprocess.run(
        [*command, "show", "zzzz", "--steps", "3"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert bad.stderr == "lrkit show: error: unknown schedule 'zzzz'\n"


def test_the_command_and_plugins_import_neither_torch_nor_matplotlib() -> None:
    code = (
        "import sys, lrkit, lrkit.cli, lrkit.plot, lrkit.configs, lrkit.summary\n"
        "lrkit.create({'name': 'rex', 'peak': 1.0, 'length': 10}).table(5)\n"
        "assert lrkit.cli.main(['--quiet', 'table', 'constant', '--steps', '2']) == 0\n"
        "bad = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_closed_pipe_is_not_an_error() -> None:
    lrkit_bin = Path(sys.executable).parent / "lrkit"
    process = subprocess.Popen(
        [str(lrkit_bin), "table", "constant", "--steps", "2000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"step,value\n"
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    with process.stderr:  # closed here: an open pipe is a ResourceWarning, an error in tests
        assert b"error" not in process.stderr.read()


def test_docs_show_a_plot_made_by_the_cli() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    assert "example-plot.png" in (docs / "cli.md").read_text(encoding="utf-8")
    width, height = _png_size(docs / "example-plot.png")
    assert width == 960 and height > 540


PER_GROUP = (
    'per_group:schedules=[{"name": "constant", "value": 0.5}, '
    '{"name": "linear", "start": 0, "end": 1, "length": 10}]'
)


def test_per_group_schedules_show_table_and_plot_one_column_per_group(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "table", PER_GROUP, "--steps", "12", "--every", "5")
    assert status == 0
    assert out.split() == ["step,group0,group1", "0,0.5,0.0", "5,0.5,0.5", "10,0.5,1.0"]
    status, out, _ = run(capsys, "show", PER_GROUP, "--steps", "20")
    assert status == 0 and "group 1:" in out
    pytest.importorskip("matplotlib")
    status, _, _ = run(capsys, "plot", PER_GROUP, "--steps", "20", "-o", str(tmp_path / "g.png"))
    assert status == 0
    width, height = _png_size(tmp_path / "g.png")
    assert width == 960 and abs(height - (4.5 + 2 * LEGEND_ROW_INCHES) * 120) <= 1


def test_every_registered_schedule_has_a_summary_for_list() -> None:
    missing = [e.name for e in plugins.registry().entries() if not e.summary]
    assert missing == []


WARMED = (
    '{"name": "warmup", "schedule": {"name": "cosine", "start": 0.1, "end": %s, "length": 900}, '
    '"length": 100}'
)


def _plotted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    import lrkit.plot

    drawn: list[object] = []
    monkeypatch.setattr(lrkit.plot, "plot", lambda curves, *a, **k: drawn.extend(curves) or "x")
    return drawn


def test_plot_legends_tell_apart_schedules_that_differ_in_nested_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drawn = _plotted(monkeypatch)
    configs = [WARMED % "0.0", WARMED % "0.01"]
    assert run(capsys, "plot", *configs, "--steps", "1000", "-o", str(tmp_path / "p.png"))[0] == 0
    labels = [c.label for c in drawn]  # type: ignore[attr-defined]
    assert labels == [
        "warmup(schedule=cosine(start=0.1, end=0.0, length=900), length=100)",
        "warmup(schedule=cosine(start=0.1, end=0.01, length=900), length=100)",
    ]


def test_long_legends_show_only_the_arguments_that_differ() -> None:
    from lrkit.cli.inputs import labels_of

    base = {"name": "constant", "value": 1.0}
    tail = {"name": "linear", "start": 1.0, "end": 0.0, "length": {"epochs": 30}}
    one = {"name": "sequence", "schedules": [base, tail], "boundaries": [100]}
    two = {"name": "sequence", "schedules": [base, {**tail, "end": 0.5}], "boundaries": [100]}
    assert labels_of([one, two]) == [
        "sequence(schedules[1].end=0.0)",
        "sequence(schedules[1].end=0.5)",
    ]
    assert labels_of([base, base])[0] == labels_of([base, base])[1]  # the same schedule twice


def test_plot_label_names_each_curve(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drawn = _plotted(monkeypatch)
    out = str(tmp_path / "p.png")
    argv = ["plot", COSINE, "constant:value=0.05", "--steps", "100", "-o", out]
    assert run(capsys, *argv, "--label", "main", "--label", "flat")[0] == 0
    assert [c.label for c in drawn] == ["main", "flat"]  # type: ignore[attr-defined]
    status, _, err = run(capsys, *argv, "--label", "main")
    assert status == 2 and "--label was given 1 time(s) for 2 CONFIG(s)" in err


def test_help_texts_point_at_the_command_not_at_files(capsys: pytest.CaptureFixture[str]) -> None:
    """A wheel has no docs folder: the help says where to look from the command itself."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "lrkit list NAME" in out and "docs/" not in out
    for command in ("list", "show", "plot", "table", "plugins", "bench"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "docs/" not in capsys.readouterr().out, command
