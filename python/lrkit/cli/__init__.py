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

The modules, by job: :mod:`lrkit.cli.parser` (the command line), :mod:`lrkit.cli.inputs`
(CONFIG arguments, the run's length, the one-line error), :mod:`lrkit.cli.commands` (list,
show, table, plot, plugins, demo), :mod:`lrkit.cli.writers` (summaries, CSV/JSON tables,
files) and :mod:`lrkit.cli.bench` (the ``bench`` command around :mod:`lrkit.bench`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from lrkit.cli.inputs import EXIT_USAGE, CliError, label_of, load_schedule
from lrkit.cli.parser import build_parser
from lrkit.configs import ConfigError

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "CliError",
    "build_parser",
    "label_of",
    "load_schedule",
    "main",
]

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


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
