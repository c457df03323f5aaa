"""pytest-benchmark suite: one benchmark group per row of ``lrkit bench`` (the targets of the
performance issue), lrkit's side and its anchor's side by side in the group, each test checking
its results against the reference after timing. The rows, their sizes and their checks are
``lrkit.bench``'s, so this suite and ``lrkit bench`` measure the same thing.

Run with ``make benchmarks`` (timings) or ``pytest benchmarks --benchmark-disable`` (each
benchmark once, as CI does). ``LRKIT_BENCH_QUICK=1`` uses the small sizes of ``lrkit bench
--quick``. The single-thread rows need ``LRKIT_NUM_THREADS=1`` in the environment (the engine
reads it once per process); without it they skip.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import pytest

from lrkit.bench.model import QUICK, Case, Sizes
from lrkit.bench.rows import catalogue

SIZES = QUICK if os.environ.get("LRKIT_BENCH_QUICK") == "1" else Sizes()
CASES: dict[str, Case] = {case.id: case for case in catalogue(SIZES)}
SIDES = ("lrkit", "anchor")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "single_thread: a row measured with LRKIT_NUM_THREADS=1 (skips without it)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    one_thread = os.environ.get("LRKIT_NUM_THREADS") == "1"
    for item in items:
        case_id = getattr(item, "callspec", None) and item.callspec.params.get("case_id")
        if isinstance(case_id, str) and CASES[case_id].single_thread:
            item.add_marker(pytest.mark.single_thread)
            if not one_thread:
                item.add_marker(
                    pytest.mark.skip(reason="needs LRKIT_NUM_THREADS=1 (make benchmarks sets it)")
                )


@pytest.fixture
def side_by_side(benchmark) -> Callable[[str, str], None]:  # type: ignore[no-untyped-def]
    """``run(case_id, side)``: benchmark one side of a row in the row's group, then check."""

    def run(case_id: str, side: str) -> None:
        case = CASES[case_id]
        benchmark.group = f"{case.id}: {case.measure} (target {case.target.text()})"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pair = case.build()
            units = pair.lrkit_units if side == "lrkit" else pair.anchor_units  # per call
            benchmark.extra_info.update(side=case.lrkit if side == "lrkit" else case.anchor,
                                        per=case.unit, units_per_call=units)  # fmt: skip
            try:
                benchmark(pair.lrkit if side == "lrkit" else pair.anchor)
                pair.check()
            finally:
                pair.close()

    return run
