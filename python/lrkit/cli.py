"""The ``lrkit`` command (also ``python -m lrkit``): look at schedules before training.

::

    lrkit list                                        every registered schedule
    lrkit show "cosine:start=0.1,end=0,length=90ep" --steps 9000 --steps-per-epoch 100
    lrkit plot CONFIG [CONFIG ...] --steps N -o lr.png [--groups 1 0.5] [--log]
    lrkit table CONFIG --steps N [--every K] [--format csv|json] [-o FILE]
    lrkit plugins                                     loaded plugins and failures
    lrkit demo                                        what `make run` shows
    lrkit bench [--quick] [--json] [--plot FILE]      lrkit vs numpy and torch, against targets
    lrkit bench CONFIG [--steps N]                    one table: engine vs numpy vs a Python loop

CONFIG is JSON text, a .json/.yaml/.toml file or ``name:key=value,...`` (see
:mod:`lrkit.configs`). Values come from the C++ engine in table chunks. Errors are one line on
stderr with exit status 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

import lrkit
from lrkit import plugins as plugin_state
from lrkit.configs import ConfigError, read_config
from lrkit.registry import UnknownScheduleError, create, resolve_config
from lrkit.schedule import FloatArray, Schedule
from lrkit.summary import Progress, Summary, chunks, key_steps, summarize, values_at
from lrkit.units import MAX_STEPS, UnresolvedDurationError

EXIT_USAGE = 2
#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
#: Exit status of ``bench`` when a benchmarked result differs from its reference.
EXIT_WRONG_RESULT = 1
#: The longest ``bench`` table (it is held in memory: 800 MB of float64).
MAX_BENCH_STEPS = 100_000_000


class CliError(Exception):
    """An error shown as one line, exit status 2."""


# -- loading schedules -----------------------------------------------------------------------


def load_schedule(
    text: str, *, steps: int, steps_per_epoch: int | None
) -> tuple[Schedule, dict[str, Any]]:
    """The schedule of a CONFIG argument, with epochs and fractions resolved to steps.

    Durations are resolved in the config first (so factories that need step counts get them),
    then the schedule is built by name.
    """
    try:
        config = read_config(text)
    except UnicodeDecodeError as exc:
        raise CliError(
            f"config file {text!r} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    try:
        resolved = resolve_config(config, total_steps=steps, steps_per_epoch=steps_per_epoch)
    except UnresolvedDurationError as exc:  # only epochs can be unresolved: --steps is given
        what = str(exc).split(": resolve")[0]
        raise CliError(f"{what}, which needs --steps-per-epoch K") from None
    try:
        return create(resolved), config
    except UnknownScheduleError as exc:
        hint = _plugin_hint()
        if not hint:
            raise
        raise UnknownScheduleError(f"{exc}{hint}") from exc


def _plugin_hint() -> str:
    """Why a name may be missing: plugins disabled, or plugins that failed to load."""
    state = plugin_state.state()
    if plugin_state.disabled_names() is True:
        return f" ({plugin_state.DISABLE_ENV} is set: no plugin was loaded)"
    notes = []
    if state.disabled:
        notes.append(f"{len(state.disabled)} plugin(s) disabled by {plugin_state.DISABLE_ENV}")
    if state.failures:
        notes.append(f"{len(state.failures)} plugin problem(s), see `lrkit plugins`")
    return f" ({'; '.join(notes)})" if notes else ""


def label_of(config: dict[str, Any], limit: int = 70) -> str:
    """A short legend label: ``name(k=v, ...)`` with nested configs shown by name."""

    def show(value: Any) -> str:
        if isinstance(value, dict) and "name" in value:
            return f"{value['name']}(...)"
        if isinstance(value, dict) and set(value) == {"epochs"}:
            return f"{value['epochs']:g}ep"
        if isinstance(value, dict) and set(value) == {"fraction"}:
            return f"{100 * value['fraction']:g}%"
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        return json.dumps(value) if isinstance(value, dict) else str(value)

    args = ", ".join(f"{k}={show(v)}" for k, v in config.items() if k != "name")
    label = f"{config['name']}({args})"
    return label if len(label) <= limit else label[: limit - 3] + "..."


def _steps(args: argparse.Namespace) -> int:
    if args.epochs is not None:
        if args.steps_per_epoch is None:
            raise CliError("--epochs needs --steps-per-epoch")
        exact = float(args.epochs) * int(args.steps_per_epoch)
        steps = math.floor(exact + 0.5)  # halves round up, as epoch lengths do
        if not 1 <= steps <= MAX_STEPS:
            raise CliError(
                f"--epochs {args.epochs:g} of {args.steps_per_epoch} steps is {exact:g} steps; "
                f"the run must be 1 to {MAX_STEPS:,} steps"
            )
        return steps
    if args.steps is None:
        raise CliError("give the length of the run: --steps N (or --epochs E --steps-per-epoch K)")
    return int(args.steps)


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _epoch(step: int, steps_per_epoch: int | None) -> str:
    return f"{step / steps_per_epoch:.2f}" if steps_per_epoch else ""


# -- commands --------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    """Every registered schedule, its provider and the first line of its docstring."""
    registry = plugin_state.registry()
    entries = registry.entries()
    width = max(len(e.name) for e in entries)
    provider_width = max(len(e.provider) for e in entries)
    for entry in entries:
        summary = re.sub(r":[\w:]+:`([^`]*)`", r"\1", entry.summary).replace("``", "")
        summary = summary if len(summary) <= 80 else summary[:77] + "..."
        out.write(f"{entry.name:<{width}}  {entry.provider:<{provider_width}}  {summary}\n")
    for name, providers in registry.conflicts().items():
        out.write(f"{name:<{width}}  CONFLICT: registered by {' and '.join(providers)}\n")
    failures = plugin_state.failures()
    if failures:
        out.write(f"\n{len(failures)} plugin problem(s): run `lrkit plugins` for details\n")
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    """A summary of the run and the values at key steps."""
    steps = _steps(args)
    spe = args.steps_per_epoch
    schedule, config = load_schedule(args.config, steps=steps, steps_per_epoch=spe)
    base = args.groups
    progress = Progress("show", steps, enabled=not args.quiet)
    summary = summarize(schedule, steps, base=base, progress=progress)
    provider = plugin_state.registry().entry(config["name"]).provider
    out.write(f"{label_of(config, 200)}  [{provider}]\n")
    epochs = f", {steps / spe:g} epochs of {spe}" if spe else ""
    out.write(f"steps 0..{steps - 1} ({steps:,} steps{epochs})\n\n")
    _write_summary(out, summary, spe)
    extra = [*summary.peak_step.tolist(), *summary.floor_step.tolist()]  # of every group
    if spe and steps >= 4 * spe:  # the quarters of the run, on whole epochs
        quarters = [round(steps * q / 4 / spe) * spe for q in (1, 2, 3)]
        shown = sorted({p for p in (0, 1, *quarters, steps - 1, *extra) if 0 <= p < steps})
    else:
        shown = key_steps(steps, *extra)
    _write_rows(out, schedule, shown, base=base, spe=spe)
    return 0


def _write_summary(out: TextIO, s: Summary, spe: int | None) -> None:
    names = ["value"] if s.columns == 1 else [f"group {g}" for g in range(s.columns)]
    for g, name in enumerate(names):
        if s.columns > 1:
            out.write(f"{name}:\n")
        rows = [
            ("start", _fmt(s.start[g]), "step 0"),
            ("peak", _fmt(s.peak[g]), f"first at step {int(s.peak_step[g])}"),
            ("final", _fmt(s.final[g]), f"step {s.steps - 1}"),
            ("min", _fmt(s.minimum[g]), f"first at step {int(s.minimum_step[g])}"),
            ("max", _fmt(s.peak[g]), ""),
            (
                "floor",
                _fmt(s.floor[g]),
                f"lowest from the peak on, first at step {int(s.floor_step[g])}",
            ),
            ("at floor", f"{int(s.floor_steps[g]):,}", "steps at the floor"),
            ("area", _fmt(s.area[g]), "sum of the values over all steps"),
        ]
        if spe:
            rows.append(("area/epoch", _fmt(s.area[g] / spe), "the area in value x epochs"))
        for key, value, note in rows:
            out.write(f"  {key:<10} {value:>12}   {note}\n".rstrip() + "\n")
        out.write("\n")


def _write_rows(
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
        cells = [str(t)] + ([_epoch(t, spe)] if spe else []) + [_fmt(v) for v in row]
        out.write("  " + "  ".join(f"{c:>12}" for c in cells) + "\n")


def cmd_table(args: argparse.Namespace, out: TextIO) -> int:
    """Values at steps 0, K, 2K, ... as CSV or JSON, to stdout or a file."""
    steps = _steps(args)
    spe = args.steps_per_epoch
    schedule, config = load_schedule(args.config, steps=steps, steps_per_epoch=spe)
    columns = schedule.groups or (len(args.groups) if args.groups else 1)
    form = args.format or ("json" if str(args.output).lower().endswith(".json") else "csv")
    passes = columns if form == "json" else 1  # JSON is by column: one pass each
    progress = Progress("table", steps * passes, enabled=not args.quiet)

    def blocks() -> Iterator[tuple[int, FloatArray]]:
        return chunks(schedule, steps, base=args.groups, every=args.every, progress=progress)

    def write(target: TextIO) -> None:
        if form == "csv":
            _write_csv(target, blocks(), every=args.every, spe=spe)
        else:
            _write_json(
                target,
                blocks,
                steps=steps,
                columns=columns,
                every=args.every,
                spe=spe,
                config=config,
            )

    if args.output is None:
        write(out)
    else:
        write_file(args.output, write)
        if not args.quiet:
            sys.stderr.write(f"wrote {args.output}\n")
    progress.finish()
    return 0


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


def _columns(width: int, spe: int | None) -> list[str]:
    values = ["value"] if width == 1 else [f"group{g}" for g in range(width)]
    return ["step"] + (["epoch"] if spe else []) + values


def _write_csv(
    target: TextIO, blocks: Iterator[tuple[int, FloatArray]], *, every: int, spe: int | None
) -> None:
    header_done = False
    for first, block in blocks:
        if not header_done:
            target.write(",".join(_columns(block.shape[1], spe)) + "\n")
            header_done = True
        for i, row in enumerate(block.tolist()):
            t = first + i * every
            lead = [str(t)] + ([repr(t / spe)] if spe else [])
            target.write(",".join(lead + [repr(v) for v in row]) + "\n")


#: Numbers per piece of a JSON column turned into text at once (bounded memory).
JSON_PIECE = 1 << 14


def _write_json(
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
    for g, name in enumerate(_columns(columns, spe)[-columns:]):
        target.write(f", {json.dumps(name)}: ")
        write_list(
            [repr(v) for v in block[lo : lo + JSON_PIECE, g].tolist()]
            for _, block in blocks()
            for lo in range(0, len(block), JSON_PIECE)
        )
    target.write("}\n")


def cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    """One PNG (or any matplotlib format) with every CONFIG overlaid."""
    from lrkit.plot import Curve, plot

    steps = _steps(args)
    spe = args.steps_per_epoch
    check_output(args.output)
    curves = []
    for text in args.configs:
        schedule, config = load_schedule(text, steps=steps, steps_per_epoch=spe)
        children = config.get("schedules") if config["name"] == "per_group" else None
        group_labels = [label_of(c) for c in children] if isinstance(children, list) else None
        curves.append(Curve(schedule, label_of(config), args.groups, group_labels))
    path = plot(
        curves,
        steps,
        args.output,
        steps_per_epoch=spe,
        log=args.log,
        title=args.title,
        ylabel=args.ylabel,
        progress=not args.quiet,
    )
    out.write(f"wrote {path} ({len(curves)} schedule(s), {steps:,} steps)\n")
    return 0


def cmd_plugins(args: argparse.Namespace, out: TextIO) -> int:
    """Loaded plugins with versions and schedule names, failures and disabled plugins."""
    state = plugin_state.state()
    conflicts = state.registry.conflicts()
    for info in state.plugins:
        kind = "built-in" if info.builtin else "plugin"
        where = info.module if info.builtin else f"{info.name} = {info.module}"
        out.write(f"{kind:<8}  {info.distribution} {info.version}  ({where})\n")
        names = [f"{n} (CONFLICT)" if n in conflicts else n for n in info.schedules]
        listed = f"schedule(s): {', '.join(names)}" if names else "schedules"
        out.write(f"          {len(names)} {listed}\n")
    if state.disabled:
        out.write(f"\ndisabled by {plugin_state.DISABLE_ENV}:\n")
        out.writelines(f"  {name}\n" for name in state.disabled)
    if state.failures:
        out.write(f"\n{len(state.failures)} failure(s):\n")
        out.writelines(f"  {failure}\n" for failure in state.failures)
    else:
        out.write("\nno plugin failures\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """What ``make run`` shows."""
    from lrkit import demo

    demo.main()
    return 0


def cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    """Without CONFIG: the performance report, lrkit against numpy and torch on every target
    (docs/performance.md); with CONFIG: that schedule's table, the C++ engine against its numpy
    closed form (where lrkit.bench has one) and a Python loop."""
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
    def best(fn: Callable[[], object], times: int) -> float:
        result = math.inf
        for _ in range(times):
            start = time.perf_counter()
            fn()
            result = min(result, time.perf_counter() - start)
        return result

    def note(text: str) -> None:
        if not quiet:
            sys.stderr.write(f"bench: {text}\n")

    buffer = np.empty(steps)
    note("C++ engine")
    rows = [("lrkit engine (C++, table)", best(lambda: schedule.table(steps, out=buffer), repeat))]
    if numpy_table is not None:
        note("numpy closed form")
        rows.append(("numpy closed form", best(numpy_table, repeat)))
    sample = min(steps, 20_000)
    note(f"Python loop over {sample:,} steps (scaled to {steps:,})")
    loop = best(lambda: [schedule(t) for t in range(sample)], 1) * steps / sample
    rows.append(("Python loop s(t) (estimated)", loop))
    return rows


# -- parser and entry point ------------------------------------------------------------------


def _count(text: str) -> int:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    if value > MAX_STEPS:
        raise argparse.ArgumentTypeError(f"expected at most 2**53 = {MAX_STEPS:,}, got {text!r}")
    return int(value)


def _positive(text: str) -> float:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _run_options(parser: argparse.ArgumentParser, *, groups: bool = True) -> None:
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_count, help="number of optimizer steps in the run")
    length.add_argument(
        "--epochs", type=_positive, help="run length in epochs (needs --steps-per-epoch)"
    )
    parser.add_argument("--steps-per-epoch", type=_count, metavar="K", help="steps in one epoch")
    if groups:
        parser.add_argument(
            "--groups",
            type=float,
            nargs="+",
            metavar="BASE",
            help="per-group base values: the schedule is a multiplier, one column per group",
        )


CONFIG_HELP = (
    "a schedule: JSON text, a .json/.yaml/.toml file, or name:key=value,... "
    "(lengths: 100 = steps, 10ep = epochs, 5%% or 0.05frac = of the run)"
)


def _flags(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--debug", action="store_true", default=default, help="show tracebacks")
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="no progress on stderr"
    )


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2) that suggest close matches."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}{self._hint(message)}\n")

    def _hint(self, message: str) -> str:
        wrong = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if wrong:
            choices = re.findall(r"'([^']*)'", wrong[2])
            close = difflib.get_close_matches(wrong[1], choices, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        elif message.startswith("unrecognized arguments: "):
            words = message.removeprefix("unrecognized arguments: ").split()
            options = self._options()
            close = [
                match
                for word in words
                if word.startswith("--")
                for match in difflib.get_close_matches(word.split("=")[0], options, n=1)
            ]
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        else:
            hint = ""
        return f"{hint} (see {self.prog} --help)"

    def _options(self) -> list[str]:
        """Every long option of this parser and its subcommands."""
        found: list[str] = []
        for action in self._actions:
            found += [o for o in action.option_strings if o.startswith("--")]
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    if isinstance(child, Parser):
                        found += child._options()
        return sorted(set(found))


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``lrkit`` command."""
    parser = Parser(
        prog="lrkit",
        description="Look at learning-rate schedules before training.",
        epilog="CONFIG examples: 'cosine:start=0.1,end=0,length=90ep', "
        "'multistep:start=0.1,gamma=0.1,milestones=[30ep,60ep]', schedule.yaml. "
        "See docs/cli.md.",
    )
    _flags(parser, False)
    parser.add_argument("--version", action="version", version=f"lrkit {lrkit.__version__}")
    common = Parser(add_help=False)
    _flags(common, argparse.SUPPRESS)  # also accepted after the command, not overriding
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[..., int], summary: str) -> argparse.ArgumentParser:
        child = sub.add_parser(name, help=summary, description=run.__doc__, parents=[common])
        child.set_defaults(run=run)
        return child

    command("list", cmd_list, "every registered schedule")
    show = command("show", cmd_show, "summary and values at key steps")
    show.add_argument("config", metavar="CONFIG", help=CONFIG_HELP)
    _run_options(show)

    plot = command("plot", cmd_plot, "draw schedules into an image")
    plot.add_argument(
        "configs", metavar="CONFIG", nargs="+", help=CONFIG_HELP + "; several overlay"
    )
    _run_options(plot)
    plot.add_argument("-o", "--output", required=True, metavar="FILE.png", help="image to write")
    plot.add_argument("--log", action="store_true", help="logarithmic value axis")
    plot.add_argument("--title", help="figure title (default: the schedule)")
    plot.add_argument("--ylabel", default="learning rate", help="value axis label")

    table = command("table", cmd_table, "values as CSV or JSON")
    table.add_argument("config", metavar="CONFIG", help=CONFIG_HELP)
    _run_options(table)
    table.add_argument("--every", type=_count, default=1, metavar="K", help="every K-th step")
    table.add_argument(
        "--format",
        choices=("csv", "json"),
        help="default: json for an -o FILE ending in .json, else csv",
    )
    table.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")

    command("plugins", cmd_plugins, "loaded plugins and failures")
    command("demo", cmd_demo, "what `make run` shows")
    bench = command("bench", cmd_bench, "lrkit vs numpy and torch: measured ratios vs targets")
    bench.add_argument(
        "config",
        metavar="CONFIG",
        nargs="?",
        help=CONFIG_HELP + "; given, time that schedule's table instead of the report",
    )
    bench.add_argument("--steps", type=_count, help="CONFIG's table length (default 1,000,000)")
    bench.add_argument("--steps-per-epoch", type=_count, metavar="K")
    bench.add_argument(
        "--repeat",
        type=_count,
        help="report: median of this many repeats (default 7, --quick 3); CONFIG: best of "
        "this many runs (default 5)",
    )
    bench.add_argument(
        "--quick", action="store_true", help="report: small sizes and few repeats (for CI)"
    )
    bench.add_argument("--json", action="store_true", help="report: as JSON on stdout")
    bench.add_argument(
        "--plot",
        metavar="FILE.png",
        help="report: also draw step cost vs groups and table cost vs steps (needs matplotlib)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; errors print one line to stderr and return exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `lrkit table ... | head`: the reader is gone, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        if args.debug:
            raise
        sys.stderr.write(f"\nlrkit {args.command}: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        sys.stderr.write(f"lrkit {args.command}: error: {_message(exc)}\n")
        return EXIT_USAGE
    return status


def _message(exc: Exception) -> str:
    """The error as one line (messages from YAML or pluggy span several)."""
    expected = (CliError, ConfigError, ValueError, TypeError, LookupError, ImportError)
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"{exc.filename!r}: {exc.strerror}"
    else:
        text = str(exc) if str(exc) else type(exc).__name__
    text = " ".join(text.split())
    if isinstance(exc, (*expected, OSError)):
        return text
    return f"{type(exc).__name__}: {text} (run with --debug for the traceback)"


if __name__ == "__main__":
    sys.exit(main())
