"""The report of ``lrkit bench``: measured rows, machine, settings; as text or JSON.

The text is a Markdown table (aligned, so it also reads in a terminal), with the machine above
it and what was met below: paste it into docs/performance.md as it is.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrkit.bench.model import Result, Settings
from lrkit.bench.sweeps import Sweep

__all__ = [
    "SOURCE",
    "Report",
    "build",
    "cost",
    "header_lines",
    "machine_lines",
    "render",
    "status",
    "summary_lines",
    "table_lines",
]

#: Which target each row serves.
SOURCE = "issue 12"


@dataclass
class Report:
    settings: Settings
    machine: dict[str, Any]
    results: list[Result]
    seconds: float
    sweeps: list[Sweep] = field(default_factory=list)
    plot: str | None = None

    @property
    def met(self) -> int:
        return sum(r.met for r in self.results)

    @property
    def failed_checks(self) -> list[Result]:
        return [r for r in self.results if r.check is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": SOURCE,
            "quick": self.settings.quick,
            "repeats": self.settings.repeats,
            "min_time": self.settings.min_time,
            "sizes": dataclasses.asdict(self.settings.sizes),
            "machine": self.machine,
            "seconds": round(self.seconds, 2),
            "met": self.met,
            "rows": [r.to_dict() for r in self.results],
            "sweeps": [s.to_dict() for s in self.sweeps],
            "plot": self.plot,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)


def cost(seconds: float, unit: str) -> str:
    """``4.21 ms``, ``1.3 us/step``, ``2.05 ns/entry``."""
    for scale, name in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if seconds >= scale or name == "ns":
            value = seconds / scale
            text = f"{value:.3g}" if value < 100 else f"{value:.0f}"
            return f"{text} {name}" + ("" if unit == "table" else f"/{unit}")
    raise AssertionError("unreachable")


def machine_lines(machine: dict[str, Any]) -> list[str]:
    features = " ".join(machine["cpu_features"]) or "features unknown"
    torch_threads = machine.get("torch_threads")
    env = machine.get("threads_env")
    load = machine.get("load")
    return [
        f"machine: {machine['cpu']} ({machine['arch']}, {machine['cpus']} CPUs, {features}); "
        f"{machine['os']}",
        f"engine: lrkit {machine['lrkit']}, SIMD path {machine['simd']}, "
        f"{machine['engine_threads']} table thread(s) "
        f"(LRKIT_NUM_THREADS {'=' + env if env else 'unset'})",
        f"versions: Python {machine['python']}, numpy {machine['numpy']}, torch "
        f"{machine['torch']}" + (f" ({torch_threads} threads)" if torch_threads else ""),
    ] + ([f"load average: {load}"] if load else [])


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if k in right else c.ljust(w) for k, (c, w) in
                  enumerate(zip(cells, widths, strict=True))]  # fmt: skip
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w + 1) + ":" if k in right else "-" * (w + 2) for k, w in enumerate(widths)]
    return [line(rows[0]), "|" + "|".join(rule) + "|"] + [line(r) for r in rows[1:]]


def status(result: Result) -> str:
    """``met``, ``not met (3.1x short)`` (the factor still missing) or ``WRONG RESULT``."""
    if result.check is not None:
        return "WRONG RESULT"
    if result.met:
        return "met"
    bound = result.bound
    short = bound / result.ratio if result.kind == "speedup" else result.ratio / bound
    return f"not met ({short:,.2f}x short)"


def header_lines(report: Report) -> list[str]:
    """What ran where, and how it was timed."""
    settings = report.settings
    mode = "quick mode: smaller sizes, not comparable with the targets; " if settings.quick else ""
    return [
        f"lrkit bench: measured ratios against the targets of {SOURCE} (current engine)",
        *machine_lines(report.machine),
        f"{mode}median of {settings.repeats} interleaved repeats, each >= "
        f"{settings.min_time * 1e3:g} ms; both sides of a row timed in the same run",
    ]


def table_lines(report: Report) -> list[str]:
    """The rows as an aligned Markdown table."""
    rows = [["measure", "lrkit", "anchor", "ratio", "target", "status"]]
    for r in report.results:
        rows.append(
            [
                r.measure,
                f"{cost(r.lrkit_cost, r.unit)} ({r.lrkit})",
                f"{cost(r.anchor_cost, r.unit)} ({r.anchor})",
                _ratio(r),
                r.target,
                status(r),
            ]
        )
    return _table(rows, right={3})


def summary_lines(report: Report) -> list[str]:
    """How many targets were met, failed checks, the plot written."""
    lines = [
        f"{report.met} of {len(report.results)} targets met; measured in {report.seconds:.0f} s."
    ]
    lines += [f"check failed: {r.id}: {r.check}" for r in report.failed_checks]
    if report.plot:
        lines.append(f"wrote {report.plot}")
    return lines


def render(report: Report) -> str:
    """The text report."""
    lines = [*header_lines(report), "", *table_lines(report), "", *summary_lines(report)]
    return "\n".join(lines) + "\n"


def _ratio(result: Result) -> str:
    return f"{result.ratio:,.2f}x" + (" faster" if result.kind == "speedup" else " the time")


def build(
    settings: Settings,
    *,
    plot: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Measure every row (and the sweeps, drawn into ``plot``, when given)."""
    from lrkit.bench import machine, runner, sweeps

    started = time.perf_counter()
    load_before = machine.load_average()
    if plot is not None:
        from lrkit.plot import image_path, require_matplotlib

        require_matplotlib()
        image_path(plot)  # a bad file name fails before anything is measured
    results = runner.run(settings, progress=progress)
    info = machine.machine_info()
    if load_before is not None:
        info["load"] = f"{load_before:.2f} before, {machine.load_average():.2f} after the rows"
    report = Report(settings, info, results, 0.0)
    if plot is not None:
        from lrkit.bench.figure import draw

        groups, lengths = sweeps.default_sizes(settings)
        if progress:
            progress(f"plot: step() at {groups} groups, tables of {lengths} steps")
        report.sweeps = [sweeps.step_costs(settings, groups), sweeps.table_costs(settings, lengths)]
        caption = " | ".join(machine_lines(report.machine)[:2])
        report.plot = str(draw(report.sweeps, plot, caption=caption))
    report.seconds = time.perf_counter() - started
    return report
