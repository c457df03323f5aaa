"""Runs the rows: times each pair, checks its results, and measures the single-thread rows in a
subprocess with ``LRKIT_NUM_THREADS=1`` (the engine reads it once per process)."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Sequence

from lrkit.bench.model import Case, Mismatch, Result, Settings, Sizes
from lrkit.bench.rows import catalogue
from lrkit.bench.timing import compare

__all__ = [
    "THREADS_ENV",
    "Progress",
    "measure",
    "run",
    "run_single_thread",
    "settings_from",
]

#: The environment variable the engine reads for its number of table threads.
THREADS_ENV = "LRKIT_NUM_THREADS"

Progress = Callable[[str], None]


def measure(case: Case, settings: Settings, *, process: str = "this process") -> Result:
    """Time ``case``'s pair (interleaved, median of repeats), then check both results."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pair = case.build()
        lrkit, anchor = compare(
            [pair.lrkit, pair.anchor], repeats=settings.repeats, min_time=settings.min_time
        )
        try:
            pair.check()
            problem = None
        except Mismatch as exc:
            problem = str(exc)
        finally:
            pair.close()
    del pair
    gc.collect()
    lrkit_cost = lrkit.median / _units(case, "lrkit", settings.sizes)
    anchor_cost = anchor.median / _units(case, "anchor", settings.sizes)
    ratio = case.target.ratio(lrkit_cost, anchor_cost)
    return Result(
        id=case.id,
        measure=case.measure,
        lrkit=case.lrkit,
        anchor=case.anchor,
        unit=case.unit,
        lrkit_cost=lrkit_cost,
        anchor_cost=anchor_cost,
        ratio=ratio,
        kind=case.target.kind,
        bound=case.target.bound,
        target=case.target.text(),
        met=case.target.met(ratio) and problem is None,
        check=problem,
        spread=(lrkit.spread, anchor.spread),
        process=process,
    )


def _units(case: Case, side: str, sizes: Sizes) -> int:
    """Entries one call produces, for the rows compared per entry."""
    if case.unit != "entry":
        return 1
    return sizes.table if side == "lrkit" else sizes.torch_steps


def run(
    settings: Settings, *, only: Sequence[str] | None = None, progress: Progress | None = None
) -> list[Result]:
    """Every row (or those named in ``only``), in the catalogue's order."""
    cases = [c for c in catalogue(settings.sizes) if only is None or c.id in only]
    note = progress or (lambda _: None)
    results: dict[str, Result] = {}
    single = [c.id for c in cases if c.single_thread]
    if single:
        note(f"{', '.join(single)} (subprocess, {THREADS_ENV}=1)")
        for result in run_single_thread(settings, single):
            results[result.id] = result
    for k, case in enumerate(c for c in cases if not c.single_thread):
        note(f"[{k + 1}/{len(cases) - len(single)}] {case.id}")
        results[case.id] = measure(case, settings)
    return [results[c.id] for c in cases]


def run_single_thread(settings: Settings, ids: Sequence[str]) -> list[Result]:
    """The rows ``ids`` measured by ``python -m lrkit.bench.worker`` with one engine thread."""
    request = {
        "sizes": dataclasses.asdict(settings.sizes),
        "repeats": settings.repeats,
        "min_time": settings.min_time,
        "quick": settings.quick,
        "ids": list(ids),
    }
    done = subprocess.run(
        [sys.executable, "-m", "lrkit.bench.worker"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env={**os.environ, THREADS_ENV: "1"},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"the single-thread benchmark subprocess failed (exit status {done.returncode}): "
            + (done.stderr.strip().splitlines() or ["no output"])[-1]
        )
    # The results are the last line: an editable install may print its rebuild check first.
    lines = done.stdout.strip().splitlines() or ["[]"]
    return [Result.from_dict(r) for r in json.loads(lines[-1])]


def settings_from(request: dict[str, object]) -> Settings:
    """The :class:`Settings` of a worker request."""
    sizes = request["sizes"]
    assert isinstance(sizes, dict)
    return Settings(
        Sizes(**sizes),
        int(request["repeats"]),  # type: ignore[call-overload]
        float(request["min_time"]),  # type: ignore[arg-type]
        bool(request["quick"]),
    )
