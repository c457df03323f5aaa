"""``lrkit bench``: the command's glue around :mod:`lrkit.bench` (which does the measuring).
Importing this module imports nothing of :mod:`lrkit.bench`; running the command does."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TextIO

import numpy as np

from lrkit.cli.inputs import CliError, label_of, load_schedule
from lrkit.cli.writers import check_output
from lrkit.schedule import Schedule

__all__ = [
    "EXIT_WRONG_RESULT",
    "MAX_BENCH_STEPS",
    "cmd_bench",
]


#: Exit status of ``bench`` when a benchmarked result differs from its reference.
EXIT_WRONG_RESULT = 1
#: The longest ``bench`` table (it is held in memory: 800 MB of float64).
MAX_BENCH_STEPS = 100_000_000


def cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    """Without CONFIG: the performance report, lrkit against numpy and torch on every target
    (each with the ratio it asks for); with CONFIG: that schedule's table, the C++ engine
    against its numpy closed form (where lrkit.bench has one) and a Python loop."""
    if args.config:
        extra = [flag for flag, on in (("--quick", args.quick), ("--json", args.json),
                                       ("--plot", args.plot is not None)) if on]  # fmt: skip
        if extra:
            raise CliError(
                f"{', '.join(extra)}: for the report (lrkit bench without CONFIG), not for a CONFIG"
            )
        return _bench_config(args, out)
    if args.steps is not None or args.steps_per_epoch is not None:
        raise CliError(
            "--steps and --steps-per-epoch size a CONFIG's table; the report (no CONFIG) has "
            "fixed sizes (--quick for smaller ones)"
        )
    from lrkit.bench.model import Settings
    from lrkit.bench.report import build, render

    if args.plot is not None:
        check_output(args.plot)
    settings = (
        Settings.quick_settings(args.repeat) if args.quick else Settings(repeats=args.repeat or 7)
    )

    def note(text: str) -> None:
        if not args.quiet:
            sys.stderr.write(f"bench: {text}\n")

    report = build(settings, plot=args.plot, progress=note)
    out.write(report.to_json() + "\n" if args.json else render(report))
    return EXIT_WRONG_RESULT if report.failed_checks else 0


def _bench_config(args: argparse.Namespace, out: TextIO) -> int:
    """One schedule's table: engine vs numpy closed form vs Python loop, best of --repeat."""
    from lrkit.bench.matching import closed_form

    steps = int(args.steps) if args.steps is not None else 1_000_000
    if steps > MAX_BENCH_STEPS:
        raise CliError(
            f"bench --steps is at most {MAX_BENCH_STEPS:,} (the timed table is held in memory)"
        )
    schedule, config = load_schedule(args.config, steps=steps, steps_per_epoch=args.steps_per_epoch)
    form = closed_form(schedule)
    numpy_table = None if form is None else (lambda: form(steps))
    repeat = args.repeat or 5
    rows = _bench_rows(schedule, steps, numpy_table, repeat=repeat, quiet=args.quiet)
    engine = rows[0][1]
    out.write(f"a {steps:,}-step table of {label_of(config)} (best of {repeat}):\n")
    for name, seconds in rows:
        ratio = (
            "1.00x (reference)"
            if seconds is engine
            else f"{seconds / engine:,.2f}x the engine's time"
        )
        out.write(f"  {name:<30} {seconds * 1e3:10.2f} ms   {ratio}\n")
    if form is not None:
        table, expected = schedule.table(steps), form(steps)
        error = float(
            np.max(np.abs(table - expected)) / max(float(np.max(np.abs(expected))), 1e-300)
        )
        out.write(f"  engine == numpy closed form within {error:.1e} of the largest value\n")
    return 0


def _bench_rows(
    schedule: Schedule,
    steps: int,
    numpy_table: Callable[[], object] | None,
    *,
    repeat: int,
    quiet: bool,
) -> list[tuple[str, float]]:
    from lrkit.bench.timing import best_of

    def note(text: str) -> None:
        if not quiet:
            sys.stderr.write(f"bench: {text}\n")

    buffer = np.empty(steps)
    note("C++ engine")
    rows = [
        ("lrkit engine (C++, table)", best_of(lambda: schedule.table(steps, out=buffer), repeat))
    ]
    if numpy_table is not None:
        note("numpy closed form")
        rows.append(("numpy closed form", best_of(numpy_table, repeat)))
    sample = min(steps, 20_000)
    note(f"Python loop over {sample:,} steps (scaled to {steps:,})")
    loop = best_of(lambda: [schedule(t) for t in range(sample)], 1) * steps / sample
    rows.append(("Python loop s(t) (estimated)", loop))
    return rows
