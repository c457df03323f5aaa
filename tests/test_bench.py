"""lrkit.bench: the numpy closed forms against the Python reference, the targets' arithmetic,
the checks (they catch a wrong result), timing and the single-thread subprocess. No test here
asserts a timing: benchmarks report ratios, they do not pass or fail on them."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lrkit
from lrkit.bench import closed_forms as cf
from lrkit.bench import matching, report, runner, tables
from lrkit.bench.model import QUICK, Case, Mismatch, Pair, Settings, Sizes, Target, assert_close
from lrkit.bench.rows import catalogue, count
from lrkit.bench.timing import best_of, compare

#: Steps where the reference is evaluated: the start, segment boundaries, spread over the run.
N = 60_000


def sampled(n: int) -> np.ndarray:
    return np.unique(np.r_[0:40, np.linspace(0, n - 1, 400).astype(np.int64), n - 40 : n])


def reference(schedule: lrkit.Schedule, steps: np.ndarray) -> np.ndarray:
    if schedule.groups is not None:
        return np.array([schedule.group_values(int(t)) for t in steps])  # type: ignore[attr-defined]
    return np.array([schedule(int(t)) for t in steps])


@pytest.mark.parametrize("family", list(tables.FAMILY_SHAPES))
def test_family_closed_forms_equal_the_python_reference(family: str) -> None:
    schedule, closed_form = tables.families(N)[family]
    values = closed_form()
    steps = sampled(len(values))
    assert_close(family, values[steps], reference(schedule, steps))


@pytest.mark.parametrize(
    "schedule",
    [
        lrkit.warmup(lrkit.cosine(0.1, 1e-4, 9_000), 1_000),
        lrkit.warmup(lrkit.multistep(1.0, 0.5, [100, 5_000]), 300, start=0.2, mode="overlay"),
        lrkit.scale(lrkit.noise(lrkit.linear(1.0, 0.0, 4_000), 0.2, seed=3), 0.5),
        lrkit.cyclic(0.1, 1.0, 77, 33, mode="exp_range", gamma=0.9999),
        lrkit.cyclic(0.1, 1.0, 50, mode="triangular2"),
        lrkit.one_cycle(0.1, 7_000, pct_start=0.25),
        lrkit.wsd(1.0, 10, 1_000, 8_000, end=0.01, decay_shape="square"),
        lrkit.wsd(1.0, 500, 500, 9_000),
        lrkit.cosine_restarts(1.0, 0.0, 1_000, period_mult=1.3, decay=0.9, limit=5),
        lrkit.cosine_restarts(1.0, 0.1, 777),
        lrkit.per_group([lrkit.constant(0.3), lrkit.cosine(1.0, 0.5, 123)]),
    ],
    ids=repr,
)
def test_matching_closed_forms_equal_the_reference_and_the_engine(
    schedule: lrkit.Schedule,
) -> None:
    form = matching.closed_form(schedule)
    assert form is not None
    n = 10_000
    values = form(n)
    steps = sampled(n)
    assert_close("closed form", values[steps], reference(schedule, steps))
    assert_close("engine", schedule.table(n), values)


def test_no_closed_form_for_unresolved_or_unknown_schedules() -> None:
    assert matching.closed_form(lrkit.cosine(1.0, 0.0, lrkit.epochs(3))) is None
    assert matching.closed_form(lrkit.polynomial(1.0, 0.0, 10)) is None
    assert matching.closed_form(lrkit.noise(lrkit.polynomial(1.0, 0.0, 10), 0.1)) is None
    assert matching.closed_form(lrkit.one_cycle(1.0, 100, three_phase=True)) is None


def test_noise_factor_is_the_reference_hash() -> None:
    factor = cf.noise_factor(1_000, amount=0.25, seed=2**32 - 1)
    expected = lrkit.noise(lrkit.constant(1.0), 0.25, seed=2**32 - 1)
    assert_close("noise", factor, [expected(t) for t in range(1_000)], rtol=2**-52)


def test_torch_anchors_write_the_same_schedule() -> None:
    from lrkit.bench import torch_anchors

    n, warm = 4_000, 200
    expected = cf.warmup_cosine(n, warm=warm, peak=0.1, end=1e-4, length=n - warm)
    ops = torch_anchors.warmup_cosine(n, warm=warm, peak=0.1, end=1e-4, length=n - warm)
    assert_close("torch ops", ops.numpy(), expected, rtol=torch_anchors.TORCH_COS_RTOL)
    stepped = torch_anchors.sequential_table(n, warm=warm, peak=0.1, end=1e-4)
    same = tables.seed(n, start=torch_anchors.START_FACTOR * 0.1)
    assert_close("torch SequentialLR", stepped, same.table(n), rtol=1e-10)


def test_assert_close_catches_a_wrong_value_a_nan_and_a_shape() -> None:
    assert_close("ok", [1.0, 2.0], [1.0, 2.0 + 1e-13])
    with pytest.raises(Mismatch, match=r"entry \(1,\) is 2.1, expected 2.0"):
        assert_close("x", [1.0, 2.1], [1.0, 2.0])
    with pytest.raises(Mismatch, match="nan"):
        assert_close("x", [math.nan], [1.0])
    with pytest.raises(Mismatch, match="shape"):
        assert_close("x", [1.0], [1.0, 2.0])


def test_targets_ratios_and_what_is_short() -> None:
    faster = Target("speedup", 8)
    assert faster.ratio(1.0, 4.0) == 4.0 and not faster.met(4.0) and faster.met(8.0)
    time = Target("time", 1.5)
    assert time.ratio(3.0, 2.0) == 1.5 and time.met(1.5) and not time.met(1.6)
    assert faster.text() == ">= 8x faster" and time.text() == "<= 1.5x the time"


UNREACHABLE = Target("speedup", 1e9)


def _case(anchor_value: float, target: Target = UNREACHABLE) -> Case:
    def build() -> Pair:
        def check() -> None:
            assert_close("anchor", [anchor_value], [1.0])

        return Pair(lambda: sum(range(100)), lambda: sum(range(1000)), check)

    return Case("fake", "a fake row", target, "small sum", "large sum", "table", build)


def test_measure_reports_ratio_status_and_a_failed_check() -> None:
    settings = Settings(QUICK, repeats=3, min_time=0.001)
    good = runner.measure(_case(1.0), settings)
    assert good.check is None and good.ratio > 0 and not good.met
    assert good.ratio == pytest.approx(good.anchor_cost / good.lrkit_cost)
    assert report.status(good) == f"not met ({1e9 / good.ratio:,.2f}x short)"
    met = runner.measure(_case(1.0, Target("time", 1e9)), settings)
    assert met.met and report.status(met) == "met"
    wrong = runner.measure(_case(2.0, Target("time", 1e9)), settings)
    assert not wrong.met and "anchor" in (wrong.check or "")
    assert report.status(wrong) == "WRONG RESULT"


def test_compare_interleaves_and_times_per_call() -> None:
    calls: list[str] = []
    timings = compare(
        [lambda: calls.append("a"), lambda: calls.append("b")], repeats=4, min_time=1e-4
    )
    assert all(t.median > 0 and len(t.samples) == 4 and t.number >= 1 for t in timings)
    assert calls[0] == "a" and "b" in calls  # warm-up of each, then the repeats
    with pytest.raises(ValueError, match="repeats"):
        compare([lambda: None], repeats=0, min_time=0.0)


def test_best_of_is_the_fastest_repeat_per_call() -> None:
    """The quick timer of ``lrkit bench CONFIG`` and ``make run`` (one timer for lrkit)."""
    calls: list[None] = []
    seconds = best_of(lambda: calls.append(None), 3, number=5)
    assert len(calls) == 15 and 0 < seconds < 0.1
    with pytest.raises(ValueError, match="repeats"):
        best_of(lambda: None, 0)
    sources = Path(lrkit.__file__).parent
    texts = {
        str(p.relative_to(sources)): p.read_text(encoding="utf-8") for p in sources.rglob("*.py")
    }
    copies = [name for name, text in texts.items() if re.search(r"min\([^)]*perf_counter", text)]
    assert copies == [], f"a timer copied outside lrkit.bench.timing: {copies}"


def test_single_thread_rows_run_in_a_subprocess_with_one_engine_thread() -> None:
    tiny = Settings(dataclasses.replace(QUICK, table=20_000, dense_steps=50), 2, 1e-4, True)
    results = runner.run_single_thread(tiny, ["table-1thread", "dense-1thread"])
    assert [r.id for r in results] == ["table-1thread", "dense-1thread"]
    assert all(r.process.endswith("LRKIT_NUM_THREADS=1") and r.check is None for r in results)


def test_every_target_has_a_row() -> None:
    ids = [c.id for c in catalogue(Sizes())]
    assert len(ids) == len(set(ids)) == 19
    families = {i.removeprefix("family-") for i in ids if i.startswith("family-")}
    assert families == {
        "multistep", "one_cycle", "cyclic", "cosine_restarts", "wsd", "noise", "per_group"
    }  # fmt: skip
    assert [c.id for c in catalogue(Sizes()) if c.single_thread] == [
        "dense-1thread", "table-1thread"
    ]  # fmt: skip
    assert count(1_000_000) == "1e6" and count(2_000) == "2,000" and count(10) == "10"


def test_costs_are_shown_in_readable_units() -> None:
    assert report.cost(0.00421, "table") == "4.21 ms"
    assert report.cost(1.3e-6, "step") == "1.3 us/step"
    assert report.cost(2.05e-9, "entry") == "2.05 ns/entry"
    assert report.cost(123.4e-3, "table") == "123 ms"


def test_import_lrkit_and_its_cli_import_neither_torch_nor_the_benchmarks() -> None:
    code = (
        "import sys, lrkit, lrkit.cli; "
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('lrkit.bench') "
        "or m == 'matplotlib'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_docs_performance_md_has_a_measured_table_of_every_row() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    text = (docs / "performance.md").read_text(encoding="utf-8")
    begin, end = "<!-- measured: begin", "<!-- measured: end -->"
    measured = text[text.index(begin) : text.index(end)]
    for case in catalogue(Sizes()):  # `make perf-docs` after a row changes
        assert f"| {case.measure} " in measured, case.id
    assert "(performance.png)" in text
    assert (docs / "performance.png").read_bytes()[:4] == b"\x89PNG"
