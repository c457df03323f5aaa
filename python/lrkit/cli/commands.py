"""The ``lrkit`` commands other than ``bench`` (:mod:`lrkit.cli.bench`): each takes the parsed
arguments and stdout, writes its output through :mod:`lrkit.cli.writers` and returns the exit
status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from lrkit import plugins as plugin_state
from lrkit.cli.describe import describe, first_sentence
from lrkit.cli.inputs import CliError, label_of, labels_of, load_schedule, run_steps
from lrkit.cli.writers import (
    check_output,
    write_csv,
    write_file,
    write_json,
    write_rows,
    write_summary,
)
from lrkit.registry import Entry
from lrkit.schedule import FloatArray
from lrkit.summary import Progress, chunks, key_steps, summarize

__all__ = [
    "cmd_demo",
    "cmd_list",
    "cmd_plot",
    "cmd_plugins",
    "cmd_show",
    "cmd_table",
]

#: The most steps ``lrkit show`` scans for its summary (a run of 2**53 steps would take days).
SHOW_SCAN_LIMIT = 100_000_000


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    """Every registered schedule, its provider and the first sentence of its docstring; with
    NAME, that schedule in full: signature, arguments, formula and an example config."""
    registry = plugin_state.registry()
    if args.name is not None:
        describe(registry.entry(args.name), out)
        return 0
    entries = registry.entries()
    width = max(len(e.name) for e in entries)  # the conflict lines below
    for provider, members in _by_provider(entries):
        out.write(f"{provider}\n")
        column = max(len(e.name) for e in members)
        for entry in members:
            out.write(f"  {entry.name:<{column}}  {first_sentence(entry)}\n")
    conflicts = registry.conflicts()
    for name, providers in conflicts.items():
        out.write(f"{name:<{width}}  CONFLICT: registered by {' and '.join(providers)}\n")
    owners = registry.providers()
    for qualified, provider in registry.qualified().items():
        plain = qualified.split("/", 1)[1]
        if plain in conflicts or owners.get(plain, provider) != provider:
            whose = "in conflict" if plain in conflicts else f"the name of {owners[plain]}"
            out.write(f"{qualified}  {provider}  (qualified: {plain!r} is {whose})\n")
    failures = plugin_state.failures()
    if failures:
        out.write(f"\n{len(failures)} plugin problem(s): run `lrkit plugins` for details\n")
    out.write("\n`lrkit list NAME`: one schedule's arguments, formula and an example config\n")
    return 0


def _by_provider(entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """Entries grouped by provider: lrkit's own schedules, then its parity modules, then each
    plugin distribution; names sorted within a group."""
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.name):
        groups.setdefault(entry.provider, []).append(entry)

    def order(provider: str) -> tuple[bool, bool, str]:
        return (not provider.startswith("lrkit."), provider.startswith("lrkit.parity."), provider)

    return [(provider, groups[provider]) for provider in sorted(groups, key=order)]


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    """A summary of the run and the values at key steps."""
    steps = run_steps(args)
    spe = args.steps_per_epoch
    schedule, config = load_schedule(args.config, steps=steps, steps_per_epoch=spe)
    base = args.groups
    scanned = min(steps, SHOW_SCAN_LIMIT)  # bounded work, however long the run
    progress = Progress("show", scanned, enabled=not args.quiet)
    summary = summarize(schedule, scanned, base=base, progress=progress)
    provider = plugin_state.registry().entry(config["name"]).provider
    out.write(f"{label_of(config, 200)}  [{provider}]\n")
    epochs = f", {steps / spe:g} epochs of {spe}" if spe else ""
    out.write(f"steps 0..{steps - 1} ({steps:,} steps{epochs})\n")
    if scanned < steps:
        out.write(
            f"the summary covers steps 0..{scanned - 1} only: `lrkit show` scans at most "
            f"{SHOW_SCAN_LIMIT:,} steps (the values below are of the whole run)\n"
        )
    out.write("\n")
    write_summary(out, summary, spe)
    extra = [*summary.peak_step.tolist(), *summary.floor_step.tolist()]  # of every group
    if spe and steps >= 4 * spe:  # the quarters of the run, on whole epochs
        quarters = [round(steps * q / 4 / spe) * spe for q in (1, 2, 3)]
        shown = sorted({p for p in (0, 1, *quarters, steps - 1, *extra) if 0 <= p < steps})
    else:
        shown = key_steps(steps, *extra)
    write_rows(out, schedule, shown, base=base, spe=spe)
    return 0


def cmd_table(args: argparse.Namespace, out: TextIO) -> int:
    """Values at steps 0, K, 2K, ... as CSV or JSON, to stdout or a file."""
    steps = run_steps(args)
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
            write_csv(target, blocks(), every=args.every, spe=spe)
        else:
            write_json(
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


def cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    """One PNG (or any matplotlib format) with every CONFIG overlaid."""
    from lrkit.plot import Curve, plot

    steps = run_steps(args)
    spe = args.steps_per_epoch
    check_output(args.output)
    loaded = [load_schedule(text, steps=steps, steps_per_epoch=spe) for text in args.configs]
    labels = args.label or labels_of([config for _, config in loaded])
    if len(labels) != len(loaded):
        raise CliError(
            f"--label was given {len(labels)} time(s) for {len(loaded)} CONFIG(s): give one "
            "--label per CONFIG, in order, or none"
        )
    curves = []
    for (schedule, config), label in zip(loaded, labels, strict=True):
        children = config.get("schedules") if config["name"] == "per_group" else None
        group_labels = labels_of(children) if isinstance(children, list) else None
        curves.append(Curve(schedule, label, args.groups, group_labels))
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
