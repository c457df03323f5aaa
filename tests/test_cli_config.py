"""CONFIG parsing (the short form, files) and the chunked summaries behind `lrkit show`."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrkit
from lrkit import plugins, summary
from lrkit.cli import main
from lrkit.configs import (
    CONFIG_SUFFIXES,
    ConfigError,
    parse_short,
    parse_value,
    read_config,
    read_config_file,
)
from lrkit.units import Duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("constant", {"name": "constant"}),
        ("constant:", {"name": "constant"}),
        (
            "cosine:start=0.1,end=0,length=90ep",
            {"name": "cosine", "start": 0.1, "end": 0, "length": {"epochs": 90}},
        ),
        (
            "linear:start=1e-4,end=.5,length=5%",
            {"name": "linear", "start": 1e-4, "end": 0.5, "length": {"fraction": 0.05}},
        ),
        (
            "linear:start=1,end=0,length=0.25frac",
            {"name": "linear", "start": 1, "end": 0, "length": {"fraction": 0.25}},
        ),
        (
            "step:start=1,gamma=0.5,every=2.5epochs",
            {"name": "step", "start": 1, "gamma": 0.5, "every": {"epochs": 2.5}},
        ),
        (
            "multistep:start=0.1,gamma=0.1,milestones=[30ep, 60ep, 9000]",
            {
                "name": "multistep",
                "start": 0.1,
                "gamma": 0.1,
                "milestones": [{"epochs": 30}, {"epochs": 60}, 9000],
            },
        ),
        (
            "cyclic:low=0.001,high=0.1,up=200,mode=triangular2",
            {"name": "cyclic", "low": 0.001, "high": 0.1, "up": 200, "mode": "triangular2"},
        ),
        (
            'clip:schedule={"name": "constant", "value": 2},high=1,low=null',
            {"name": "clip", "schedule": {"name": "constant", "value": 2}, "high": 1, "low": None},
        ),
        (
            "piecewise_linear:knots=[[0, 0.0], [10, 1.0]]",
            {"name": "piecewise_linear", "knots": [[0, 0.0], [10, 1.0]]},
        ),
        (
            'myorg.rex:peak=1,flag=true,label="a,b"',
            {"name": "myorg.rex", "peak": 1, "flag": True, "label": "a,b"},
        ),
        (" warmup : length = 3 ", None),
    ],
)
def test_short_form(text: str, expected: dict[str, Any] | None) -> None:
    if expected is None:
        with pytest.raises(ConfigError):
            parse_short(text)
        return
    assert parse_short(text) == expected
    assert read_config(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cos ine", "cannot read CONFIG"),
        ("cosine:start", "'start' is not key=value"),
        ("cosine:start=1,start=2", "'start' is given twice"),
        ("cosine:knots=[1,2", "unclosed"),
        ("cosine:knots=1]", "unbalanced"),
        ("cosine:start=", "value is empty"),
        ("{", "not valid JSON"),
        ("[1, 2]", "cannot read CONFIG"),
        ('{"start": 1}', "no 'name' key"),
        ("nowhere.toml", "does not exist"),
        ("", "non-empty"),
    ],
)
def test_bad_configs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_config(text)


def test_config_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"schedule": {"name": "constant", "value": 2}}')
    (tmp_path / "b.toml").write_text(
        '[schedule]\nname = "linear"\nstart = 1\nend = 0\nlength = {epochs = 2}\n'
    )
    (tmp_path / "c.json").write_text("[1]")
    (tmp_path / "d.toml").write_text("name = ")
    assert read_config(str(tmp_path / "a.json")) == {"name": "constant", "value": 2}
    assert read_config(str(tmp_path / "b.toml")) == {
        "name": "linear",
        "start": 1,
        "end": 0,
        "length": {"epochs": 2},
    }
    with pytest.raises(ConfigError, match="must hold a config object"):
        read_config(str(tmp_path / "c.json"))
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config(str(tmp_path / "d.toml"))


def test_parse_value_types() -> None:
    assert parse_value("3") == 3 and isinstance(parse_value("3"), int)
    assert parse_value("3.0") == 3.0 and isinstance(parse_value("3.0"), float)
    assert parse_value("-2e-3") == -2e-3
    assert parse_value("[]") == []
    assert parse_value("50%") == {"fraction": 0.5}
    assert parse_value("cosine") == "cosine"


# -- nested schedules, step counts, duplicate keys, paths, names ------------------------------


@pytest.fixture
def extra_schedules() -> Iterator[None]:
    """Two plugin schedules: ``münchen.flat`` declares its types, ``plain`` declares none."""

    def flat(level: float, length: Duration) -> lrkit.Schedule:
        return lrkit.constant(level)

    class Plugin:
        @staticmethod
        @lrkit.hookimpl
        def lrkit_register_schedules(register: lrkit.hookspecs.Register) -> None:
            register("münchen.flat", flat)
            register("plain", lambda level, length: lrkit.constant(level))

    plugins.load_with(Plugin(), name="lrkit-test-configs")
    yield
    plugins.reload()


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        (
            "warmup:schedule=cosine:start=1,end=0,length=10,length=5",
            '{"name": "warmup", "schedule": {"name": "cosine", ...}, ...}',
        ),
        (
            "warmup:length=5,schedule=constant:",
            '{"name": "warmup", "schedule": {"name": "constant", ...}, ...}',
        ),
        (
            "sequence:schedules=[constant:value=1, constant:value=2],boundaries=[5]",
            '{"name": "sequence", "schedules": [{"name": "constant", ...}, ...], ...}',
        ),
    ],
)
def test_a_nested_short_form_asks_for_json(text: str, shape: str) -> None:
    with pytest.raises(ConfigError) as info:
        read_config(text)
    message = str(info.value)
    assert "is a nested schedule" in message and shape in message
    assert "given twice" not in message and "\n" not in message


def test_colons_in_plain_strings_and_json_objects_are_not_nesting() -> None:
    expected = (
        "x=cosine:start=1: a nested schedule must be a JSON object in the short form, like "
        '{"name": "cosine", ...}'
    )
    with pytest.raises(ConfigError, match=re.escape(expected)):
        parse_value("cosine:start=1", where="x=cosine:start=1")
    assert parse_short("cyclic:mode=a:b") == {"name": "cyclic", "mode": "a:b"}
    assert parse_short('warmup:schedule={"name": "constant"},label="x:y=1"') == {
        "name": "warmup",
        "schedule": {"name": "constant"},
        "label": "x:y=1",
    }


def test_configs_are_data_as_written_and_schedules_take_integral_floats_as_step_counts(
    extra_schedules: None,
) -> None:
    # One rule (lrkit._checks.whole): the config keeps 1e2 a float, as JSON does, and the
    # schedule accepts an integral float wherever it takes a step count or an int.
    config = read_config("cosine:start=1.0,end=0e0,length=1e2")
    assert config == {"name": "cosine", "start": 1.0, "end": 0.0, "length": 100.0}
    assert config == parse_short("cosine:start=1.0,end=0e0,length=1e2")  # the text alone
    built = lrkit.create(config).to_config()
    assert built["length"] == 100 and type(built["length"]) is int
    assert lrkit.create(read_config('{"name": "cosine", "start": 1, "end": 0, "length": 100.0}'))(
        50
    ) == lrkit.cosine(start=1, end=0, length=100)(50)
    multistep = lrkit.create(read_config("multistep:start=1,gamma=0.5,milestones=[1e2, 2.0e2]"))
    assert multistep.to_config()["milestones"] == [100, 200]
    knots = lrkit.create(read_config("piecewise_linear:knots=[[0, 0.0], [1e2, 1.0]]"))
    assert knots.to_config()["knots"] == [[0, 0.0], [100, 1.0]]
    noise = 'noise:schedule={"name": "constant"},amount=0.1,seed=1e3'
    assert lrkit.create(read_config(noise)).to_config()["seed"] == 1000  # an int argument
    assert lrkit.create(read_config("münchen.flat:level=1.0,length=100.0"))(0) == 1.0
    with pytest.raises(TypeError, match=r"length must be an int number of steps.*got 100\.5"):
        lrkit.create(read_config("cosine:start=1,end=0,length=100.5"))


def test_a_step_count_written_as_1e2_works_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["-q", "table", "linear:start=0,end=1,length=1e1", "--steps", "3"]) == 0
    assert capsys.readouterr().out.splitlines() == ["step,value", "0,0.0", "1,0.1", "2,0.2"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"name": "cosine", "start": 1, "start": 2}', "CONFIG: JSON key 'start'"),
        ('{"name": "warmup", "schedule": {"name": "a", "name": "b"}}', "CONFIG: JSON key 'name'"),
        ('clip:schedule={"name": "constant", "value": 1, "value": 2}', "JSON key 'value'"),
    ],
)
def test_duplicate_json_keys_are_errors(text: str, where: str) -> None:
    with pytest.raises(ConfigError, match=f"{where} is given twice in one object$"):
        read_config(text)


def test_duplicate_keys_in_a_json_file(tmp_path: Path) -> None:
    (tmp_path / "lr.json").write_text('{"name": "constant", "value": 1, "value": 2}')
    with pytest.raises(ConfigError, match=r"lr.json: JSON key 'value' is given twice"):
        read_config(str(tmp_path / "lr.json"))


def test_when_config_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # the short form, though it ends like a file name ...
    for suffix in CONFIG_SUFFIXES:
        label = f"run{suffix}"
        assert read_config(f"constant:value=1,label={label}") == {
            "name": "constant",
            "value": 1,
            "label": label,
        }
    # ... unless that file exists
    Path("constant:value=2.json").write_text('{"name": "constant", "value": 3}')
    assert read_config("constant:value=2.json") == {"name": "constant", "value": 3}
    # no short-form start (name: then key= or nothing): a file, existing or not
    for missing in ("nowhere.yaml", "sub/x.json", r"C:\runs\x.toml", "~/nowhere.yml"):
        with pytest.raises(ConfigError, match="does not exist"):
            read_config(missing)
    # a name is the short form even where a file of that name exists
    Path("constant").write_text("not a config")
    assert read_config("constant") == {"name": "constant"}
    # not a short form, an existing file without a config suffix: the suffix is the error
    Path("notes.txt").write_text("{}")
    with pytest.raises(ConfigError, match=r"notes.txt': unknown suffix '.txt'"):
        read_config("./notes.txt")
    # a short form longer than a file name may be (the file system's limit is no error)
    long_key = "k" * 300
    assert read_config(f"constant:{long_key}=1,label=a.json")[long_key] == 1


def test_config_paths_expand_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    (tmp_path / "lr.toml").write_text('name = "constant"\nvalue = 2\n')
    assert read_config("~/lr.toml") == {"name": "constant", "value": 2}
    assert read_config_file(Path("~/lr.toml")) == {"name": "constant", "value": 2}
    with pytest.raises(ConfigError, match=re.escape(repr(str(tmp_path / "gone.json")))):
        read_config("~/gone.json")


def test_names_and_keys_are_what_the_registry_accepts(
    extra_schedules: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert parse_short("café:δ=1,_x=2") == {"name": "café", "δ": 1, "_x": 2}
    assert parse_short("myorg.ré_x2") == {"name": "myorg.ré_x2"}
    for bad in ("1abc:x=1", "a..b", "a-b:x=1", ".a", "a.:x=1", "a b"):
        with pytest.raises(ConfigError, match="cannot read CONFIG"):
            parse_short(bad)
    with pytest.raises(ConfigError, match="'2x=1' is not key=value"):
        parse_short("cosine:2x=1")
    assert main(["-q", "table", "münchen.flat:level=0.5,length=2", "--steps", "2"]) == 0
    assert capsys.readouterr().out.splitlines() == ["step,value", "0,0.5", "1,0.5"]


# -- summaries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    [
        lrkit.warmup(lrkit.cosine(start=1.0, end=0.1, length=400_000), length=50_000),
        lrkit.cyclic(low=0.1, high=1.0, up=70_001),
        lrkit.multistep(start=1.0, gamma=0.5, milestones=[100_000, 300_000]),
    ],
)
def test_summary_over_chunks_equals_numpy_on_the_whole_table(schedule: lrkit.Schedule) -> None:
    steps = 3 * summary.CHUNK_ELEMENTS + 12_345  # several chunks, a ragged last one
    whole = schedule.table(steps)
    s = summary.summarize(schedule, steps)
    peak_step = int(np.argmax(whole))
    after = whole[peak_step:]
    floor = after.min()
    assert (s.start[0], s.final[0], s.peak[0], s.minimum[0]) == (
        whole[0],
        whole[-1],
        whole.max(),
        whole.min(),
    )
    assert (s.peak_step[0], s.minimum_step[0]) == (peak_step, int(np.argmin(whole)))
    assert s.floor[0] == floor and s.floor_step[0] == peak_step + int(np.argmin(after))
    assert s.floor_steps[0] == int(np.sum(after <= floor + summary.FLOOR_RTOL * abs(floor)))
    assert s.area[0] == pytest.approx(float(np.sum(whole)), rel=1e-12)


def test_summary_of_groups() -> None:
    schedule = lrkit.per_group([lrkit.constant(1.0), lrkit.linear(start=0.0, end=2.0, length=10)])
    s = summary.summarize(schedule, 20)
    assert s.columns == 2
    assert s.peak.tolist() == [1.0, 2.0] and s.peak_step.tolist() == [0, 10]
    assert s.floor_steps.tolist() == [20, 10]
    assert s.area.tolist() == [20.0, sum(0.2 * t for t in range(10)) + 20.0]


def test_chunks_with_every_cover_exactly_the_requested_steps() -> None:
    schedule = lrkit.linear(start=0.0, end=1.0, length=1_000_000)
    steps = summary.CHUNK_ELEMENTS + 101
    got = [(first, block) for first, block in summary.chunks(schedule, steps, every=7)]
    values = np.concatenate([block[:, 0] for _, block in got])
    np.testing.assert_array_equal(values, schedule.table(steps)[::7])


def test_chunks_with_an_every_longer_than_a_block_compute_only_those_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule = lrkit.linear(start=0.0, end=1.0, length=10**9)
    calls: list[int] = []
    original = lrkit.Schedule.table

    def counted(self: lrkit.Schedule, n: int, **kwargs: Any) -> Any:
        calls.append(n)
        return original(self, n, **kwargs)

    monkeypatch.setattr(lrkit.Schedule, "table", counted)
    every = summary.CHUNK_ELEMENTS + 1
    steps = 3000 * every + 5
    got = list(summary.chunks(schedule, steps, every=every, start=2))
    monkeypatch.undo()
    firsts = [first for first, _ in got]
    assert firsts == [2, 2 + 1024 * every, 2 + 2048 * every]
    values = np.concatenate([block[:, 0] for _, block in got])
    expected = [schedule.table(1, start=t)[0] for t in range(2, steps, every)]
    assert values.tolist() == expected
    assert max(calls) == 1 and len(calls) == 3000 + 1  # one step per row, never a block


def test_decimate_keeps_extremes() -> None:
    block = np.zeros((100, 1))
    block[37, 0] = 5.0
    block[80, 0] = -3.0
    steps, values = summary.decimate(1000, block, bucket=25)
    assert 1037 in steps.tolist() and 1080 in steps.tolist()
    assert values.max() == 5.0 and values.min() == -3.0
    assert steps[0] == 1000 and steps[-1] == 1099


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_quick_and_reports_when_slow() -> None:
    quiet = _Terminal()
    p = summary.Progress("x", 10, stream=quiet)
    p.update(5)
    p.finish()
    assert quiet.getvalue() == ""
    loud = _Terminal()
    p = summary.Progress("work", 10, stream=loud, after=0.0)
    p.update(5)
    p.finish()
    shown = loud.getvalue()
    assert "work:" in shown and "5/10" in shown and "\r" in shown  # drawn in place
    assert shown.splitlines()[-1].startswith("work: done in ")
    off = _Terminal()
    p = summary.Progress("off", 10, stream=off, enabled=False, after=0.0)
    p.update(5)
    assert off.getvalue() == ""


def test_progress_draws_nothing_into_a_file_or_pipe() -> None:
    log = io.StringIO()  # not a terminal
    p = summary.Progress("work", 10, stream=log, after=0.0)
    p.update(5)
    p.finish()
    assert log.getvalue() == ""


@pytest.mark.parametrize("tqdm_installed", [True, False], ids=["tqdm", "plain"])
def test_progress_counts_each_pass_of_show_in_steps(
    tqdm_installed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lrkit show`` reads the run twice: one bar per pass, each up to its own steps (not a
    total of twice the run)."""
    if not tqdm_installed:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    screen = _Terminal()
    progress = summary.Progress("show", 0, stream=screen, after=0.0)
    steps = 3 * summary.CHUNK_ELEMENTS
    summary.summarize(lrkit.linear(start=0.0, end=1.0, length=steps // 2), steps, progress=progress)
    shown = screen.getvalue()
    assert "show (pass 1 of 2)" in shown and "show (pass 2 of 2)" in shown
    counts = shown.replace(",", "")
    assert f"{steps}/{steps}" in counts  # the first pass: the whole run
    assert str(2 * steps) not in counts
    assert shown.splitlines()[-1].startswith("show: done in ")
