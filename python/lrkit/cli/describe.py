"""``lrkit list NAME``: one registered schedule in full: its signature, arguments with their
defaults and what each takes, its docstring (the formula) and an example config that builds."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from lrkit import fields
from lrkit import plugins as plugin_state
from lrkit.names import Entry

__all__ = [
    "describe",
    "first_sentence",
    "plain",
]


#: What an argument of each declared kind takes, as ``lrkit list NAME`` says it.
_TAKES: dict[str, str] = {
    "real": "a number",
    "optional_real": "a number or null",
    "positive": "a number > 0",
    "duration": "a length: steps (100), epochs ('10ep') or a fraction of the run ('5%')",
    "optional_duration": "a length (steps, '10ep', '5%') or null",
    "durations": "a list of points in time (steps, '10ep', '5%'), increasing",
    "reals": "a list of numbers",
    "flag": "true or false",
    "child": "a schedule config",
    "children": "a list of schedule configs",
    "knots": "a list of [step, value] pairs, steps increasing",
}


def plain(text: str) -> str:
    """A docstring without its reST markup (``x`` and :role:`x` become x)."""
    return re.sub(r":[\w:]+:`([^`]*)`", r"\1", text).replace("``", "")


def first_sentence(entry: Entry) -> str:
    """The first sentence of a schedule's docstring, whole."""
    summary = plain(entry.summary)
    match = re.search(r"(?<=[^.]\.)\s+(?=[A-Z(`])", summary)
    return summary[: match.start()] if match else summary


def describe(entry: Entry, out: TextIO) -> None:
    """Writes everything ``lrkit list NAME`` shows of ``entry``."""
    factory = entry.factory
    out.write(f"{entry.name}  [{entry.provider}]\n\n")
    out.write(f"  {entry.name}{_signature(factory)}\n\n")
    doc = plain(inspect.getdoc(factory) or "(no docstring)")
    doc = doc.split("\n>>> ")[0].split("\nExample")[0].rstrip()  # the examples are Python
    out.writelines(f"  {line}".rstrip() + "\n" for line in doc.splitlines())
    arguments = list(_arguments(entry))
    if arguments:
        out.write("\narguments:\n")
        width = max(len(name) for name, _ in arguments)
        out.writelines(f"  {name:<{width}}  {text}\n" for name, text in arguments)
    example = _example(entry)
    if example is not None:
        out.write(f"\nexample config:\n  {json.dumps(example)}\n")
        short = ",".join(f"{k}={_short(v)}" for k, v in example.items() if k != "name")
        if "{" not in short:
            out.write(f"  {entry.name}:{short}\n")


def _signature(factory: Callable[..., Any]) -> str:
    """``(a: float, b: Duration = 100)``: the factory's parameters, annotations unquoted."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return "(...)"
    shown = []
    for p in parameters:
        text = "*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else ""
        text += p.name
        if p.annotation is not p.empty:
            annotation = p.annotation if isinstance(p.annotation, str) else repr(p.annotation)
            text += f": {annotation}"
        if p.default is not p.empty:
            text += f" = {p.default!r}"
        shown.append(text)
    return f"({', '.join(shown)})"


def _declared(entry: Entry) -> list[dataclasses.Field[Any]] | None:
    """The declared fields of a built-in's class, by public name, or None."""
    cls = fields.CLASSES.get(entry.name)
    if cls is None or fields.DECLARED.get(entry.name) is not entry.factory:
        return None
    return list(dataclasses.fields(cls))  # type: ignore[arg-type]


def _public(field: dataclasses.Field[Any]) -> str:
    name: str = field.metadata.get(fields.NAME, field.name)
    return name


def _arguments(entry: Entry) -> Iterator[tuple[str, str]]:
    declared = _declared(entry)
    if declared is not None:
        for f in declared:
            kind = f.metadata.get(fields.KIND, "")
            yield _public(f), _take(kind, f.metadata) + _default(f.default)
        return
    try:
        parameters = inspect.signature(entry.factory).parameters.values()
    except (TypeError, ValueError):
        return
    for p in parameters:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        note = "" if p.annotation is p.empty else str(p.annotation)
        yield p.name, note + _default(p.default, empty=p.empty)


def _take(kind: str, metadata: Any) -> str:
    if kind == "choice":
        return "one of " + ", ".join(repr(o) for o in metadata["options"])
    if kind == "integer":
        return f"an integer {metadata['minimum']}..{metadata['maximum']}"
    if kind == "duration" and metadata.get("minimum", 1) != 1:
        return _TAKES[kind] + f", at least {metadata['minimum']} steps"
    return _TAKES.get(kind, kind)


def _default(value: Any, *, empty: Any = dataclasses.MISSING) -> str:
    if value is empty or value is dataclasses.MISSING:
        return " (required)"
    try:
        return f" (default {json.dumps(value)})"
    except TypeError:
        return f" (default {value!r})"


def _required(entry: Entry) -> list[tuple[str, str, Any]] | None:
    """``(name, kind, metadata)`` of each required argument: declared, or read off the
    factory's annotations (a plugin's ``float`` is a real, ``Duration`` or ``int`` a length)."""
    declared = _declared(entry)
    if declared is not None:
        return [
            (_public(f), f.metadata.get(fields.KIND, ""), f.metadata)
            for f in declared
            if f.default is dataclasses.MISSING
        ]
    try:
        parameters = inspect.signature(entry.factory).parameters.values()
    except (TypeError, ValueError):
        return None
    kinds = {"float": "real", "Duration": "duration", "int": "duration"}
    required: list[tuple[str, str, Any]] = []
    for p in parameters:
        if p.default is p.empty:
            kind = kinds.get(p.annotation if isinstance(p.annotation, str) else "", "")
            required.append((p.name, kind, {}))
    return required


def _example(entry: Entry) -> dict[str, Any] | None:
    """A config of the required arguments (each kind's usual value) that builds, or None."""
    required = _required(entry)
    if required is None:
        return None
    for first_real in (1.0, 0.1):
        config: dict[str, Any] = {"name": entry.name}
        reals = 0
        for name, kind, metadata in required:
            if kind in ("real", "positive"):
                config[name] = first_real if reals == 0 else 0.1
                reals += 1
            elif kind in _EXAMPLES:
                config[name] = _EXAMPLES[kind]
            elif kind == "duration":
                config[name] = 1000 if name in ("total", "length") else 100
            elif kind == "integer":
                config[name] = max(int(metadata["minimum"]), 1)
            elif kind == "choice":
                config[name] = metadata["options"][0]
            else:
                return None
        try:
            plugin_state.CATALOG.create(config)
        except (TypeError, ValueError):
            continue
        return config
    return None


_CONSTANTS = [{"name": "constant", "value": v} for v in (1.0, 0.1, 0.01)]
#: The example value of an argument of each kind that has one fixed example.
_EXAMPLES: dict[str, Any] = {
    "durations": [300, 600],
    "reals": [1.0, 0.1, 0.01],
    "knots": [[0, 0.0], [100, 1.0], [1000, 0.1]],
    "child": {"name": "cosine", "start": 1.0, "end": 0.0, "length": 1000},
    "children": _CONSTANTS,
}


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(_short(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{"
    return str(value)
