"""The ``lrkit`` commands' output: the summary and key-step rows of ``show``, CSV and JSON
tables (streamed, bounded memory), and files that appear only once they are complete."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from lrkit.cli.inputs import CliError
from lrkit.schedule import FloatArray, Schedule
from lrkit.summary import Summary, values_at

__all__ = [
    "JSON_PIECE",
    "check_output",
    "column_names",
    "epoch_text",
    "fmt",
    "write_csv",
    "write_file",
    "write_json",
    "write_rows",
    "write_summary",
]


#: Numbers per piece of a JSON column turned into text at once (bounded memory).
JSON_PIECE = 1 << 14


def fmt(value: float) -> str:
    return f"{value:.6g}"


def epoch_text(step: int, steps_per_epoch: int | None) -> str:
    return f"{step / steps_per_epoch:.2f}" if steps_per_epoch else ""


# -- show ------------------------------------------------------------------------------------


def write_summary(out: TextIO, s: Summary, spe: int | None) -> None:
    names = ["value"] if s.columns == 1 else [f"group {g}" for g in range(s.columns)]
    for g, name in enumerate(names):
        if s.columns > 1:
            out.write(f"{name}:\n")
        rows = [
            ("start", fmt(s.start[g]), "step 0"),
            ("peak", fmt(s.peak[g]), f"first at step {int(s.peak_step[g])}"),
            ("final", fmt(s.final[g]), f"step {s.steps - 1}"),
            ("min", fmt(s.minimum[g]), f"first at step {int(s.minimum_step[g])}"),
            ("max", fmt(s.peak[g]), ""),
            (
                "floor",
                fmt(s.floor[g]),
                f"lowest from the peak on, first at step {int(s.floor_step[g])}",
            ),
            ("at floor", f"{int(s.floor_steps[g]):,}", "steps at the floor"),
            ("area", fmt(s.area[g]), "sum of the values over all steps"),
        ]
        if spe:
            rows.append(("area/epoch", fmt(s.area[g] / spe), "the area in value x epochs"))
        for key, value, note in rows:
            out.write(f"  {key:<10} {value:>12}   {note}\n".rstrip() + "\n")
        out.write("\n")


def write_rows(
    out: TextIO,
    schedule: Schedule,
    steps: list[int],
    *,
    base: Sequence[float] | None,
    spe: int | None,
) -> None:
    values = values_at(schedule, steps, base=base)
    heads = ["step"] + (["epoch"] if spe else [])
    heads += ["value"] if values.shape[1] == 1 else [f"group {g}" for g in range(values.shape[1])]
    out.write("  " + "  ".join(f"{h:>12}" for h in heads) + "\n")
    for t, row in zip(steps, values, strict=True):
        cells = [str(t)] + ([epoch_text(t, spe)] if spe else []) + [fmt(v) for v in row]
        out.write("  " + "  ".join(f"{c:>12}" for c in cells) + "\n")


# -- files -----------------------------------------------------------------------------------


def check_output(path: str | os.PathLike[str]) -> Path:
    """``path`` as a file to write, or a one-line error before any work is done."""
    target = Path(path)
    if target.is_dir():
        raise CliError(f"-o {str(path)!r} is a folder; give a file name in it")
    folder = target.parent
    if not folder.is_dir():
        raise CliError(f"-o {str(path)!r}: the folder {str(folder)!r} does not exist")
    return target


def write_file(path: str, write: Callable[[TextIO], None]) -> None:
    """Call ``write`` on a text file at ``path``; a regular file appears only when ``write``
    finishes (an error half way leaves no partial table behind)."""
    target = check_output(path)
    if target.is_symlink():  # replace the file it points to, not the link
        target = target.resolve()
    if target.exists() and not target.is_file():  # /dev/stdout, a pipe: write straight into it
        with open(target, "w", encoding="utf-8", newline="") as stream:
            write(stream)
        return
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as stream:
            write(stream)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


# -- tables ----------------------------------------------------------------------------------


def column_names(width: int, spe: int | None) -> list[str]:
    values = ["value"] if width == 1 else [f"group{g}" for g in range(width)]
    return ["step"] + (["epoch"] if spe else []) + values


def write_csv(
    target: TextIO, blocks: Iterator[tuple[int, FloatArray]], *, every: int, spe: int | None
) -> None:
    header_done = False
    for first, block in blocks:
        if not header_done:
            target.write(",".join(column_names(block.shape[1], spe)) + "\n")
            header_done = True
        for i, row in enumerate(block.tolist()):
            t = first + i * every
            lead = [str(t)] + ([repr(t / spe)] if spe else [])
            target.write(",".join(lead + [repr(v) for v in row]) + "\n")


def write_json(
    target: TextIO,
    blocks: Callable[[], Iterator[tuple[int, FloatArray]]],
    *,
    steps: int,
    columns: int,
    every: int,
    spe: int | None,
    config: Any,
) -> None:
    """``{"schedule": config, "step": [...], ("epoch": [...],) "value" or "group<g>": [...]}``
    written a piece at a time (bounded memory), one pass over the table per value column."""

    def write_list(pieces: Iterator[list[str]]) -> None:
        target.write("[")
        separator = ""
        for piece in pieces:
            if piece:
                target.write(separator + ", ".join(piece))
                separator = ", "
        target.write("]")

    def step_pieces(text: Callable[[int], str]) -> Iterator[list[str]]:
        span = JSON_PIECE * every
        for first in range(0, steps, span):
            yield [text(t) for t in range(first, min(steps, first + span), every)]

    target.write(f'{{{json.dumps("schedule")}: {json.dumps(config)}, "step": ')
    write_list(step_pieces(str))
    if spe:
        target.write(', "epoch": ')
        write_list(step_pieces(lambda t: repr(t / spe)))
    for g, name in enumerate(column_names(columns, spe)[-columns:]):
        target.write(f", {json.dumps(name)}: ")
        write_list(
            [repr(v) for v in block[lo : lo + JSON_PIECE, g].tolist()]
            for _, block in blocks()
            for lo in range(0, len(block), JSON_PIECE)
        )
    target.write("}\n")
