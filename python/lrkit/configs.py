"""Reading schedule configs as people type them: JSON text, files, and a short form.

``read_config(text)`` accepts

* JSON text: ``'{"name": "cosine", "start": 0.1, "end": 0, "length": 1000}'``;
* a path to a ``.json``, ``.yaml``/``.yml`` (needs PyYAML) or ``.toml`` file holding one
  config (at the top level, or under a ``schedule`` key); ``~`` is expanded;
* the short form ``name:key=value,key=value``, for example
  ``cosine:start=0.1,end=0,length=90ep`` or
  ``multistep:start=0.1,gamma=0.1,milestones=[30ep,60ep]``.

Which one: text starting with ``{`` is JSON. Text ending in a config suffix is a file when
that file exists or when the text does not start like the short form (``name:`` then
``key=`` or nothing), so ``rex:peak=1,label=a.json`` is the short form unless a file of that
name exists. Other text is the short form; if it is not one but names an existing file, that
file is read (and its suffix reported). Names and keys are what the registry accepts: Python
identifiers, names joined by dots (``myorg.rex``).

In the short form, each value is a JSON scalar (``0.1``, ``1e-4``, ``true``, ``null``,
``"text"``), a duration, a list ``[v, v, ...]`` of such values, or a JSON object (a nested
config such as ``schedule={"name": "constant"}``); anything else is a plain string
(``mode=triangular``). A nested schedule in the short form itself (``schedule=cosine:...``)
is refused: its commas could belong to either schedule. A number with a point or an
exponent (``100.0``, ``1e2``) is a float, as in JSON; a config is data as written, and the
schedule accepts an integral float wherever it takes a step count or an int (lrkit's one rule
for integral floats, everywhere: ``length=1e5`` runs 100,000 steps). Durations:

=============  =====================================  ======================
written        meaning                                config data
=============  =====================================  ======================
``250``        250 optimizer steps                    ``250``
``10ep``       10 epochs (needs ``steps_per_epoch``)  ``{"epochs": 10}``
``5%``         5% of the run (needs ``total_steps``)  ``{"fraction": 0.05}``
``0.05frac``   the same, as a fraction                ``{"fraction": 0.05}``
=============  =====================================  ======================

The written forms also work inside config data and in Python wherever a duration goes
(``{"length": "10ep"}``, ``milestones: [30ep, 60ep]`` in YAML, ``lrkit.cosine(1, 0, "5%")``),
as does any mapping or sequence (OmegaConf/Hydra's ``DictConfig`` and ``ListConfig``), nested
at any depth. A number given as text (PyYAML reads ``1e-3``, without a decimal point, as a
string) is refused with an error that says so: lrkit does not guess numbers from strings
outside the short form.

In JSON (text, files, objects in the short form) a key given twice in one object is an error,
not "the last one wins".
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lrkit import units

__all__ = [
    "CONFIG_SUFFIXES",
    "ConfigError",
    "parse_short",
    "parse_value",
    "read_config",
    "read_config_file",
]


CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".toml")
_NUMBER = units.NUMBER_TEXT


class ConfigError(ValueError):
    """A config that cannot be read; the message says what was expected."""


def read_config(text: str) -> dict[str, Any]:
    """The config dict written as JSON text, a file path or the short form (module docs)."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"CONFIG must be a non-empty string, got {text!r}")
    stripped = text.strip()
    if stripped.startswith("{"):
        return _as_config(_json(stripped, "CONFIG"), "CONFIG")
    path = _expanded(Path(stripped))
    if path.suffix.lower() in CONFIG_SUFFIXES:
        if _is_file(path) or _short_form_name(stripped) is None:
            return read_config_file(path)
    elif not _is_name(stripped.partition(":")[0]) and _is_file(path):
        return read_config_file(path)  # not the short form: say what is wrong with the file
    return parse_short(stripped)


def read_config_file(path: Path) -> dict[str, Any]:
    """One config from a ``.json``, ``.yaml``/``.yml`` or ``.toml`` file (``~`` expanded)."""
    path = _expanded(Path(path))
    if not _is_file(path):
        raise ConfigError(f"config file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix not in CONFIG_SUFFIXES:
        raise ConfigError(
            f"config file {str(path)!r}: unknown suffix {suffix!r} (use .json, .yaml or .toml)"
        )
    text = path.read_text(encoding="utf-8")
    if suffix in (".yaml", ".yml"):
        data = _yaml(text, path)
    elif suffix == ".toml":
        data = _toml(text, path)
    else:
        data = _json(text, str(path))
    return _as_config(data, str(path))


def _short_form_name(text: str) -> str | None:
    """The schedule name when ``text`` starts like the short form, else None.

    That is a name, a colon, then nothing or ``key=``: ``cosine:start=1`` and ``constant:``
    do, ``C:\\runs\\a.json`` and ``cosine`` (no colon) do not.
    """
    head, colon, rest = text.partition(":")
    if not colon or not _is_name(head):
        return None
    key, equals, _ = rest.partition("=")
    if rest.strip() and not (equals and key.strip().isidentifier()):
        return None
    return head


def parse_short(text: str) -> dict[str, Any]:
    """``name:key=value,key=value`` as a config dict.

    >>> parse_short("cosine:start=0.1,end=0,length=90ep")
    {'name': 'cosine', 'start': 0.1, 'end': 0, 'length': {'epochs': 90}}
    """
    text = text.strip()
    name, _, args = text.partition(":")
    if not _is_name(name):
        raise ConfigError(
            f"cannot read CONFIG {text!r}: expected JSON text ('{{\"name\": ...}}'), a .json/"
            ".yaml/.toml file, or the short form name:key=value,key=value"
        )
    config: dict[str, Any] = {"name": name}
    if not args.strip():
        return config
    items = list(_split(args, text))
    for item in items:  # first, so a nested schedule's spilled-over keys are not the error
        key, sep, raw = item.partition("=")
        nested = _nested(raw.strip()) if sep else None
        if nested is not None:
            raise ConfigError(_nested_message(text, name, key.strip(), *nested))
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(
                f"in CONFIG {text!r}: {item.strip()!r} is not key=value (the short form is "
                "name:key=value,key=value)"
            )
        if key in config:
            raise ConfigError(f"in CONFIG {text!r}: {key!r} is given twice")
        config[key] = parse_value(raw.strip(), where=f"{key}={raw.strip()}")
    return config


def parse_value(raw: str, *, where: str = "value") -> Any:
    """One short-form value: a JSON scalar, a duration, a list, a JSON object or a string.

    >>> parse_value("[30ep, 60ep]")
    [{'epochs': 30}, {'epochs': 60}]
    """
    if not raw:
        raise ConfigError(f"{where}: the value is empty")
    if raw.startswith("{"):
        return _json(raw, where)
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise ConfigError(f"{where}: a list must end with ']'")
        inner = raw[1:-1]
        return (
            [parse_value(v.strip(), where=where) for v in _split(inner, raw)]
            if inner.strip()
            else []
        )
    nested = _short_form_name(raw)
    if nested is not None:
        raise ConfigError(
            f"{where}: a nested schedule must be a JSON object in the short form, like "
            f'{{"name": "{nested}", ...}}'
        )
    duration = units.DURATION_TEXT.match(raw)
    if duration:
        number = _number(duration["number"])
        unit = duration["unit"]
        if unit == "%":
            return {"fraction": number / 100}
        return {"fraction": number} if unit == "frac" else {"epochs": number}
    if re.fullmatch(_NUMBER, raw):
        return _number(raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw  # a plain word: mode=triangular


def _is_name(text: str) -> bool:
    """A schedule name as the registry accepts it: identifiers joined by dots, possibly
    qualified by a distribution (``lrkit-good/halving``)."""
    distribution, slash, name = text.rpartition("/")
    if slash and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", distribution):
        return False
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def _expanded(path: Path) -> Path:
    try:
        return path.expanduser()
    except RuntimeError:  # ~user that does not exist: report the path as written
        return path


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, for one: not a file
        return False


def _nested(raw: str) -> tuple[str, bool] | None:
    """``(name, in_list)`` of a short-form schedule written as ``raw`` or as one of its items."""
    name = _short_form_name(raw)
    if name is not None:
        return name, False
    if raw.startswith("[") and raw.endswith("]"):
        try:
            items = list(_split(raw[1:-1], raw))
        except ConfigError:
            return None  # parse_value reports the brackets
        for item in items:
            found = _nested(item.strip())
            if found is not None:
                return found[0], True
    return None


def _nested_message(text: str, outer: str, key: str, inner: str, in_list: bool) -> str:
    inner_json = f'{{"name": "{inner}", ...}}'
    value = f"[{inner_json}, ...]" if in_list else inner_json
    written = f"[{inner}:..., ...]" if in_list else f"{inner}:..."
    return (
        f"in CONFIG {text!r}: {key}={written} is a nested schedule, which the short form "
        f"cannot hold (its commas and the outer ones look alike); write it as JSON: "
        f"{outer}:{key}={value},... or the whole CONFIG as "
        f'{{"name": "{outer}", "{key}": {value}, ...}}'
    )


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)


def _split(text: str, whole: str) -> Iterator[str]:
    """Split on commas outside brackets, braces and quotes."""
    depth, quote, start = 0, "", 0
    for i, char in enumerate(text):
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth < 0:
                raise ConfigError(f"in CONFIG {whole!r}: unbalanced {char!r}")
        elif char == "," and depth == 0:
            yield text[start:i]
            start = i + 1
    if depth or quote:
        raise ConfigError(f"in CONFIG {whole!r}: unclosed bracket or quote")
    yield text[start:]


# -- file formats ----------------------------------------------------------------------------


def _json(text: str, where: str) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj:
                raise ConfigError(f"{where}: JSON key {key!r} is given twice in one object")
            obj[key] = value
        return obj

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where} is not valid JSON: {exc}") from None


def _yaml(text: str, path: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigError(
            f"reading {str(path)!r} needs PyYAML: pip install pyyaml (or use .json / .toml)"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{str(path)!r} is not valid YAML: {exc}") from None


def _toml(text: str, path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib as toml
    else:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise ConfigError(
                f"reading {str(path)!r} needs Python >= 3.11 or tomli: pip install tomli"
            ) from None
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{str(path)!r} is not valid TOML: {exc}") from None


def _as_config(data: Any, where: str) -> dict[str, Any]:
    if isinstance(data, dict) and "name" not in data and isinstance(data.get("schedule"), dict):
        data = data["schedule"]
    if not isinstance(data, dict):
        raise ConfigError(f'{where} must hold a config object {{"name": ...}}, got {data!r}')
    if "name" not in data:
        raise ConfigError(
            f"{where} has no 'name' key: a config is {{\"name\": <schedule>, ...arguments}}"
        )
    return data
