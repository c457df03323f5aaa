"""The ``lrkit`` command line: argparse with one-line errors that suggest close matches, and
every command's arguments."""

from __future__ import annotations

import argparse
import decimal
import difflib
import math
import re
from collections.abc import Callable
from typing import Any, NoReturn

import lrkit
from lrkit.cli.bench import cmd_bench
from lrkit.cli.commands import cmd_demo, cmd_list, cmd_plot, cmd_plugins, cmd_show, cmd_table
from lrkit.cli.inputs import EXIT_USAGE
from lrkit.units import MAX_STEPS

__all__ = [
    "CONFIG_HELP",
    "Parser",
    "build_parser",
]


def _count(text: str) -> int:
    """A whole number >= 1, read exactly (``9007199254740993`` is not rounded; ``1e6`` and
    ``1_000_000`` are accepted)."""
    try:
        value = decimal.Decimal(text.replace("_", "").strip())
    except decimal.InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not value.is_finite() or value != value.to_integral_value() or value < 1:
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
        "`lrkit list` names every schedule; `lrkit list NAME` shows one's arguments, formula "
        "and an example config; `lrkit COMMAND --help` each command's options.",
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

    listing = command("list", cmd_list, "every registered schedule, or one in full")
    listing.add_argument(
        "name", metavar="NAME", nargs="?", help="a schedule's name: its arguments and formula"
    )
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
    plot.add_argument(
        "--label",
        action="append",
        metavar="TEXT",
        help="legend text of a CONFIG, once per CONFIG in order (default: each schedule, "
        "shown by the arguments in which they differ)",
    )
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
