"""Measures the report again and rewrites the measured part of docs/performance.md (between its
markers) and docs/performance.png: ``make perf-docs``. Numbers come from the engine that is
built now, on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

from lrkit.bench.model import Settings
from lrkit.bench.report import build, header_lines, summary_lines, table_lines

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
PLOT = ROOT / "docs" / "performance.png"
BEGIN = "<!-- measured: begin (make perf-docs rewrites this part) -->"
END = "<!-- measured: end -->"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        sys.stderr.write(f"{DOC}: the markers {BEGIN!r} and {END!r} are missing\n")
        return 2
    report = build(
        Settings(), plot=str(PLOT), progress=lambda s: print(f"bench: {s}", file=sys.stderr)
    )
    summary = [line for line in summary_lines(report) if not line.startswith("wrote ")]
    block = [BEGIN, "```", *header_lines(report), "```", "", *table_lines(report), "", *summary,
             END]  # fmt: skip
    head, rest = text.split(BEGIN, 1)
    DOC.write_text(head + "\n".join(block) + rest.split(END, 1)[1], encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")
    return 1 if report.failed_checks else 0


if __name__ == "__main__":
    sys.exit(main())
