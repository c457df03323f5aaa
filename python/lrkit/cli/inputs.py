"""What the ``lrkit`` commands read: a CONFIG argument as a schedule, the length of the run,
and the error they report as one line."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from lrkit import plugins as plugin_state
from lrkit.configs import read_config
from lrkit.registry import UnknownScheduleError, create, resolve_config
from lrkit.schedule import Schedule
from lrkit.units import MAX_STEPS, UnresolvedDurationError

__all__ = [
    "EXIT_USAGE",
    "CliError",
    "label_of",
    "labels_of",
    "load_schedule",
    "run_steps",
]


EXIT_USAGE = 2


class CliError(Exception):
    """An error shown as one line, exit status 2."""


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


def _show(value: Any, nested: bool) -> str:
    if isinstance(value, dict) and "name" in value:
        return label_of(value, math.inf) if nested else f"{value['name']}(...)"
    if isinstance(value, dict) and set(value) == {"epochs"}:
        return f"{value['epochs']:g}ep"
    if isinstance(value, dict) and set(value) == {"fraction"}:
        return f"{100 * value['fraction']:g}%"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, nested) for v in value) + "]"
    return json.dumps(value) if isinstance(value, dict) else str(value)


def label_of(config: dict[str, Any], limit: float = 70, *, nested: bool = True) -> str:
    """A legend label: ``name(k=v, ...)``, nested configs in full (or by name only), cut to
    ``limit`` characters."""
    args = ", ".join(f"{k}={_show(v, nested)}" for k, v in config.items() if k != "name")
    label = f"{config['name']}({args})"
    if len(label) <= limit:
        return label
    if nested:
        return label_of(config, limit, nested=False)
    return label[: int(limit) - 3] + "..."


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """``{"schedule.length": 100, ...}``: every argument of a config, nested ones by path."""
    if isinstance(value, dict) and "name" in value:
        found = {path + "name": value["name"]} if path else {}
        for key, item in value.items():
            if key != "name":
                found.update(_leaves(item, f"{path}{key}."))
        return found
    if isinstance(value, list) and any(isinstance(v, dict) and "name" in v for v in value):
        found = {}
        for i, item in enumerate(value):
            found.update(_leaves(item, f"{path[:-1]}[{i}]."))
        return found
    return {path[:-1]: _show(value, True)}


def labels_of(configs: list[dict[str, Any]], limit: int = 70) -> list[str]:
    """Legend labels that tell the configs apart: each one's ``label_of`` when those fit and
    differ; else the name and the arguments (nested ones by path) where the configs differ."""
    full = [label_of(c, math.inf) for c in configs]
    if all(len(label) <= limit for label in full) and len(set(full)) == len(full):
        return full
    leaves = [_leaves(c) for c in configs]
    paths = [p for p in dict.fromkeys(p for found in leaves for p in found)]
    differ = [p for p in paths if len({found.get(p, "-") for found in leaves}) > 1]
    labels = []
    for config, found in zip(configs, leaves, strict=True):
        shown = ", ".join(f"{p}={found.get(p, '-')}" for p in differ)
        label = f"{config['name']}({shown})" if differ else label_of(config, limit)
        labels.append(label if len(label) <= limit else label[: limit - 3] + "...")
    return labels


def run_steps(args: argparse.Namespace) -> int:
    """The run's length in steps: ``--steps N``, or ``--epochs E --steps-per-epoch K``."""
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
