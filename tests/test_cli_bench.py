"""`lrkit bench` without CONFIG: the report, in --quick mode (small sizes, few repeats). Its
ratios are not checked (timings are noisy); its shape, its rows and its checks are."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from lrkit.bench.model import QUICK
from lrkit.bench.rows import catalogue
from lrkit.cli import main

ROWS = catalogue(QUICK)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["--quiet", "bench", "--quick", *argv])
    return status, out.getvalue()


@pytest.fixture(scope="module")
def as_json() -> dict:  # type: ignore[type-arg]
    status, out = _run("--json", "--repeat", "2")
    assert status == 0
    data: dict = json.loads(out)  # type: ignore[type-arg]
    return data


@pytest.fixture(scope="module")
def as_text(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    plot = tmp_path_factory.mktemp("bench") / "perf.png"
    status, out = _run("--plot", str(plot))
    assert status == 0
    return out, plot


def test_json_has_every_row_measured_and_checked(as_json: dict) -> None:  # type: ignore[type-arg]
    rows = as_json["rows"]
    assert [r["id"] for r in rows] == [c.id for c in ROWS]
    for row in rows:
        assert row["check"] is None, row  # each result equals its reference
        assert row["lrkit_cost"] > 0 and row["anchor_cost"] > 0 and row["ratio"] > 0
        expected = row["anchor_cost"] / row["lrkit_cost"]
        if row["kind"] == "time":
            expected = 1 / expected
        assert row["ratio"] == pytest.approx(expected)
        assert row["met"] == (row["ratio"] >= row["bound"] if row["kind"] == "speedup"
                              else row["ratio"] <= row["bound"])  # fmt: skip
    single = {r["id"]: r["process"] for r in rows if "1thread" in r["id"]}
    assert set(single) == {"dense-1thread", "table-1thread"}
    assert all(p.endswith("LRKIT_NUM_THREADS=1") for p in single.values())
    assert as_json["quick"] is True and as_json["repeats"] == 2
    assert as_json["met"] == sum(r["met"] for r in rows)
    machine = as_json["machine"]
    assert {"cpu", "simd", "engine_threads", "torch_threads", "cpus"} <= set(machine)
    assert isinstance(machine["simd"], str) and machine["engine_threads"] >= 1


def test_text_is_a_table_of_every_row_against_its_target(as_text: tuple[str, Path]) -> None:
    out, _ = as_text
    lines = out.splitlines()
    assert lines[0].startswith("lrkit bench: measured ratios against the targets")
    assert any(line.startswith("machine: ") for line in lines)
    assert any("SIMD path" in line and "table thread(s)" in line for line in lines)
    assert any("quick mode" in line for line in lines)
    table = [line for line in lines if line.startswith("|")]
    assert table[0].split("|")[1].strip() == "measure" and set(table[1]) <= set("|-: ")
    body = table[2:]
    assert len(body) == len(ROWS)
    for case, line in zip(ROWS, body, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == case.measure and cells[4] == case.target.text()
        assert cells[5] == "met" or cells[5].startswith("not met (")
    met = sum(line.rstrip(" |").endswith("| met") for line in body)
    assert f"{met} of {len(ROWS)} targets met" in out


def test_plot_is_written(as_text: tuple[str, Path]) -> None:
    out, plot = as_text
    assert f"wrote {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
