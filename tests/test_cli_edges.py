"""The `lrkit` command used the way people get it wrong: every mistake is one line on stderr
with exit status 2, nothing is half-written, and long or huge runs stay in bounded memory."""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
import tracemalloc
import warnings
from pathlib import Path

import pytest

import lrkit
import lrkit.summary
from listing import listed
from lrkit import plugins
from lrkit.cli import commands, main, writers

COSINE = "cosine:start=0.1,end=0.001,length=1000"


@pytest.fixture(autouse=True)
def installed_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)
    plugins.reload()


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``argv``, check it failed with status 2 and one line on stderr; return that line."""
    try:
        status = main(["--quiet", *argv])
    except SystemExit as exit_:  # argparse's own errors exit from parse_args
        status = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert status == 2, captured
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    return captured.err.rstrip("\n")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["lst"], "invalid choice: 'lst'"),
        (["table", COSINE, "--steps", "5", "--format", "jsn"], "did you mean 'json'?"),
        (["show", COSINE, "--stepz", "5"], "did you mean '--steps'?"),
        (["show"], "required: CONFIG"),
        ([], "required: COMMAND"),
        (["show", COSINE, "--steps", "0"], "--steps: expected a whole number >= 1, got '0'"),
        (["show", COSINE, "--steps", "-5"], "expected a whole number >= 1, got '-5'"),
        (["show", COSINE, "--steps", "1.5"], "expected a whole number >= 1, got '1.5'"),
        (["show", COSINE, "--steps", "1e30"], "--steps: expected at most 2**53"),
        (["show", COSINE, "--steps", "nan"], "expected a whole number >= 1"),
        (["show", COSINE, "--epochs", "0", "--steps-per-epoch", "3"], "finite number > 0"),
        (["show", COSINE, "--epochs", "-1", "--steps-per-epoch", "3"], "finite number > 0"),
        (["show", COSINE, "--epochs", "inf", "--steps-per-epoch", "3"], "finite number > 0"),
        (["show", COSINE, "--epochs", "0.1", "--steps-per-epoch", "3"], "is 0.3 steps"),
        (["show", COSINE, "--epochs", "1e300", "--steps-per-epoch", "3"], "must be 1 to"),
        (["show", COSINE, "--steps", "5", "--epochs", "1"], "not allowed with argument"),
        (["bench", COSINE, "--steps", "1e9"], "bench --steps is at most 100,000,000"),
        (["bench", "--steps", "100"], "--steps and --steps-per-epoch size a CONFIG's table"),
        (["bench", COSINE, "--json"], "--json: for the report (lrkit bench without CONFIG)"),
        (["bench", COSINE, "--quick", "--plot", "x.png"], "--quick, --plot: for the report"),
    ],
)
def test_usage_errors_are_one_line_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    line = one_line_error(capsys, *argv)
    assert expected in line
    assert line.startswith("lrkit")
    if "invalid choice: 'lst'" in expected:
        assert line.endswith("did you mean 'list'? (see lrkit --help)")


def test_the_longest_run_is_accepted_and_sparse_rows_cost_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """2**53 steps are accepted; every 2**51-th step is four one-step engine calls, not blocks
    of 2**51 rows."""
    longest, every = str(2**53), str(2**51)
    config = "linear:start=0,end=1,length=9007199254740992"
    assert main(["--quiet", "table", config, "--steps", longest, "--every", every]) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.split()]
    assert rows == [["step", "value"]] + [[str(k * 2**51), repr(k / 4)] for k in range(4)]


def test_a_bad_yaml_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n")
    assert "is not valid YAML" in one_line_error(capsys, "show", str(path), "--steps", "5")


def test_yaml_without_pyyaml_says_what_to_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: constant\nvalue: 1\n")
    monkeypatch.setitem(sys.modules, "yaml", None)
    line = one_line_error(capsys, "show", str(path), "--steps", "5")
    assert "needs PyYAML: pip install pyyaml" in line


def test_a_config_file_that_is_not_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b"\xff\xfe{}")
    line = one_line_error(capsys, "show", str(path), "--steps", "5")
    assert f"config file {str(path)!r} is not UTF-8 text" in line


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("косинус:start=1", "unknown schedule 'косинус'"),
        ("cosïne:start=1", "did you mean 'cosine'?"),
        ("cosine:start=ü,end=0,length=3", "start must be a real number, got 'ü'"),
        ("cosine:start=0.1,,end=0,length=3", "'' is not key=value"),
        ("cosine:start=0.1,end=0,length=-3ep", "epochs() takes a finite number >= 0"),
        ("cosine:start=NaN,end=0,length=3", "start must be finite"),
        ('warmup:schedule={"name": "cosine", "start": 1},length=2', "missing arguments"),
    ],
)
def test_odd_configs(capsys: pytest.CaptureFixture[str], config: str, expected: str) -> None:
    assert expected in one_line_error(capsys, "show", config, "--steps", "10")


def test_unknown_names_say_when_plugins_are_disabled_or_broken(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plugins.DISABLE_ENV, "1")
    plugins.reload()
    line = one_line_error(capsys, "show", "rex:peak=1,length=3", "--steps", "3")
    assert line.endswith(
        "unknown schedule 'rex' (LRKIT_DISABLE_PLUGINS is set: no plugin was loaded)"
    )
    monkeypatch.setenv(plugins.DISABLE_ENV, "lrkit-example-plugin")
    plugins.reload()
    line = one_line_error(capsys, "show", "rex:peak=1,length=3", "--steps", "3")
    assert "(1 plugin(s) disabled by LRKIT_DISABLE_PLUGINS)" in line
    monkeypatch.delenv(plugins.DISABLE_ENV)
    plugins.reload()
    line = one_line_error(capsys, "show", "zzzz", "--steps", "3")
    assert line == "lrkit show: error: unknown schedule 'zzzz'"


def test_ctrl_c_is_one_line_with_status_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "summarize", interrupted)
    assert main(["show", COSINE, "--steps", "10"]) == 130
    assert capsys.readouterr().err.strip() == "lrkit show: interrupted"
    with pytest.raises(KeyboardInterrupt):
        main(["--debug", "show", COSINE, "--steps", "10"])


# -- output files --------------------------------------------------------------------------


def test_table_to_a_missing_folder_or_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "lr.csv"
    line = one_line_error(capsys, "table", COSINE, "--steps", "5", "-o", str(missing))
    assert f"the folder {str(missing.parent)!r} does not exist" in line
    line = one_line_error(capsys, "table", COSINE, "--steps", "5", "-o", str(tmp_path))
    assert "is a folder" in line


def test_a_failing_table_leaves_the_old_file_and_no_partial_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "lr.csv"
    target.write_text("old\n")
    # overflows to inf at step 710138, in the third engine chunk: rows were already written
    overflow = "exponential:start=1e-300,gamma=1.001"
    line = one_line_error(capsys, "table", overflow, "--steps", "800000", "-o", str(target))
    assert "produced inf at step 710138" in line
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lr.csv"]
    assert main(["--quiet", "table", COSINE, "--steps", "3", "-o", str(target)]) == 0
    assert target.read_text().splitlines()[0] == "step,value"


def test_json_table_is_streamed_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lrkit.summary, "CHUNK_ELEMENTS", 4096)
    monkeypatch.setattr(writers, "JSON_PIECE", 1000)
    target = tmp_path / "lr.json"
    steps, every, spe = 300_000, 3, 7
    config = "cosine:start=1,end=0.5,length=250000"
    argv = ["--quiet", "table", config, "--steps", str(steps), "--every", str(every)]
    argv += ["--steps-per-epoch", str(spe), "--groups", "1", "0.25", "--format", "json"]
    main([*argv[:2], "constant:value=1", "--steps", "2"])  # imports and plugins loaded first
    tracemalloc.start()
    try:
        assert main([*argv, "-o", str(target)]) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the table alone is 200,000 numbers: as Python lists and text it would be > 20 MB
    assert peak < 4_000_000, peak
    text = target.read_text()
    data = json.loads(text)
    rows = list(range(0, steps, every))
    expected = lrkit.cosine(start=1, end=0.5, length=250_000).table(steps)[::every]
    assert data["schedule"] == {"name": "cosine", "start": 1, "end": 0.5, "length": 250000}
    assert data["step"] == rows
    assert data["epoch"] == [t / spe for t in rows]
    assert data["group0"] == expected.tolist()
    assert data["group1"] == (0.25 * expected).tolist()
    assert text == json.dumps(data) + "\n"  # the same text json.dump writes


# -- plot ----------------------------------------------------------------------------------


def test_plot_adds_png_to_a_name_without_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    status = main(["--quiet", "plot", COSINE, "--steps", "50", "-o", str(tmp_path / "lr")])
    assert status == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'lr.png'} ")
    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "lr").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lr.xyz", "matplotlib has no '.xyz' format (use "),
        ("nowhere/lr.png", "does not exist"),
        (".", "is a folder"),
    ],
)
def test_plot_output_errors_come_before_the_work(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    expected: str,
) -> None:
    pytest.importorskip("matplotlib")
    import lrkit.plot

    def no_drawing(*args: object, **kwargs: object) -> float:
        raise AssertionError("drew before checking the output file")

    monkeypatch.setattr(lrkit.plot, "_draw", no_drawing)
    line = one_line_error(capsys, "plot", COSINE, "--steps", "50", "-o", str(tmp_path / name))
    assert expected in line
    assert sorted(tmp_path.iterdir()) == []


def test_plot_log_of_values_that_are_never_positive(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    line = one_line_error(
        capsys, "plot", "constant:value=0", "--steps", "50", "--log", "-o", str(tmp_path / "z.png")
    )
    assert "logarithmic value axis needs positive values" in line
    assert not (tmp_path / "z.png").exists()
    # a warmup from 0 has positive values: its log plot just leaves step 0 out
    warm = 'warmup:schedule={"name": "constant", "value": 0.1},length=10'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        target = tmp_path / "w.png"
        assert main(["-q", "plot", warm, "--steps", "50", "--log", "-o", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_list_shows_summaries_without_rest_markup(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Marked(lrkit.Schedule):
        """Like :class:`lrkit.primitives.Constant`, see :func:`lrkit.constant` and ``value``."""

        def __init__(self, level: float) -> None:
            self.level = level

        def value(self, step: int) -> float:
            return self.level

    class Plugin:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: lrkit.hookspecs.Register) -> None:
            register("marked", Marked)

    plugins.load_with(Plugin(), name="lrkit-marked")
    assert main(["list"]) == 0
    assert listed(capsys.readouterr().out)["marked"][1] == (
        "Like lrkit.primitives.Constant, see lrkit.constant and value."
    )


def _shown_steps(out: str) -> list[int]:
    return [int(p[0]) for p in (line.split() for line in out.splitlines()) if p and p[0].isdigit()]


def test_show_rows_fall_on_whole_epochs_and_every_groups_peak(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = "cosine:start=1,end=0,length=90ep"
    assert main(["-q", "show", config, "--epochs", "90", "--steps-per-epoch", "100"]) == 0
    assert _shown_steps(capsys.readouterr().out) == [0, 1, 2200, 4500, 6800, 8999]
    per_group = (
        'per_group:schedules=[{"name": "linear", "start": 0, "end": 1, "length": 30}, '
        '{"name": "linear", "start": 1, "end": 0, "length": 70}]'
    )
    assert main(["-q", "show", per_group, "--steps", "100"]) == 0
    # quarters, plus group 0's peak (step 30) and group 1's floor (step 70)
    assert _shown_steps(capsys.readouterr().out) == [0, 1, 25, 30, 50, 70, 75, 99]


def test_table_format_follows_the_output_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    as_json, as_csv, forced = tmp_path / "lr.JSON", tmp_path / "lr.txt", tmp_path / "csv.json"
    for target, extra in ((as_json, []), (as_csv, []), (forced, ["--format", "csv"])):
        assert main(["-q", "table", COSINE, "--steps", "3", "-o", str(target), *extra]) == 0
    assert json.loads(as_json.read_text())["step"] == [0, 1, 2]
    assert as_csv.read_text().splitlines()[0] == forced.read_text().splitlines()[0] == "step,value"
    assert main(["-q", "table", COSINE, "--steps", "2"]) == 0
    assert capsys.readouterr().out.startswith("step,value\n")


DOCS_CLI = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _documented_runs() -> list[tuple[str, str]]:
    """``(command, output)`` of every ``$ lrkit show|table|sh...`` in docs/cli.md that needs no
    file, pipe or environment and takes no time (so its output is exact)."""
    runs: list[tuple[str, str]] = []
    inside, current, lines = False, None, []
    for line in [*DOCS_CLI.read_text(encoding="utf-8").splitlines(), "```"]:
        if line.startswith("```") or (inside and line.startswith("$ ")):
            if current is not None:
                runs.append((current, "\n".join(lines)))
            current, lines = None, []
            if line.startswith("$ "):
                current = line[2:]
            else:
                inside = not inside
        elif current is not None:
            lines.append(line)
    skip = ("schedule.", "|", ";", "&&", "=1 ", "-o ", "300000000")
    return [
        (cmd, out)
        for cmd, out in runs
        if cmd.startswith(("lrkit show", "lrkit table", "lrkit shwo"))
        and not any(s in cmd for s in skip)
    ]


@pytest.mark.parametrize(("command", "documented"), _documented_runs())
def test_docs_cli_md_shows_what_the_cli_prints(
    capsys: pytest.CaptureFixture[str], command: str, documented: str
) -> None:
    with contextlib.suppress(SystemExit):  # argparse errors exit from parse_args
        main(["-q", *shlex.split(command)[1:]])
    captured = capsys.readouterr()
    assert (captured.out + captured.err).rstrip("\n") == documented


def test_docs_cli_md_runs_are_found() -> None:
    commands = [cmd for cmd, _ in _documented_runs()]
    assert len(commands) >= 10
    assert any("--format json" in c for c in commands) and any("lenght" in c for c in commands)


def test_table_through_a_symlink_writes_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert main(["-q", "table", COSINE, "--steps", "2", "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("step,value\n0,0.1\n")
