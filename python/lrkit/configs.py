"""Reading schedule configs as people type them: JSON text, files, and a short form.

``read_config(text)`` accepts

* JSON text: ``'{"name": "cosine", "start": 0.1, "end": 0, "length": 1000}'``;
* a path to a ``.json``, ``.yaml``/``.yml`` (needs PyYAML) or ``.toml`` file holding one
  config (at the top level, or under a ``schedule`` key);
* the short form ``name:key=value,key=value``, for example
  ``cosine:start=0.1,end=0,length=90ep`` or
  ``multistep:start=0.1,gamma=0.1,milestones=[30ep,60ep]``.

In the short form, each value is a JSON scalar (``0.1``, ``1e-4``, ``true``, ``null``,
``"text"``), a duration, a list ``[v, v, ...]`` of such values, or a JSON object (a nested
config such as ``schedule={"name": "constant"}``); anything else is a plain string
(``mode=triangular``). Durations:

=============  =====================================  ======================
written        meaning                                config data
=============  =====================================  ======================
``250``        250 optimizer steps                    ``250``
``10ep``       10 epochs (needs ``steps_per_epoch``)  ``{"epochs": 10}``
``5%``         5% of the run (needs ``total_steps``)  ``{"fraction": 0.05}``
``0.05frac``   the same, as a fraction                ``{"fraction": 0.05}``
=============  =====================================  ======================
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".toml")
_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_SHORT = re.compile(rf"^(?P<name>{_NAME})(?::(?P<args>.*))?$", re.DOTALL)
_KEY = re.compile(r"^[A-Za-z_]\w*$")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION = re.compile(rf"^(?P<number>{_NUMBER})\s*(?P<unit>ep|epochs?|%|frac)$")


class ConfigError(ValueError):
    """A config that cannot be read; the message says what was expected."""


def read_config(text: str) -> dict[str, Any]:
    """The config dict written as JSON text, a file path or the short form (module docs)."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"CONFIG must be a non-empty string, got {text!r}")
    stripped = text.strip()
    if stripped.startswith("{"):
        return _as_config(_json(stripped, "CONFIG"), "CONFIG")
    path = Path(stripped)
    if path.suffix.lower() in CONFIG_SUFFIXES or path.is_file():
        return read_config_file(path)
    return parse_short(stripped)


def read_config_file(path: Path) -> dict[str, Any]:
    """One config from a ``.json``, ``.yaml``/``.yml`` or ``.toml`` file."""
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8")
    if suffix in (".yaml", ".yml"):
        data = _yaml(text, path)
    elif suffix == ".toml":
        data = _toml(text, path)
    elif suffix == ".json":
        data = _json(text, str(path))
    else:
        raise ConfigError(
            f"config file {str(path)!r}: unknown suffix {suffix!r} (use .json, .yaml or .toml)"
        )
    return _as_config(data, str(path))


def parse_short(text: str) -> dict[str, Any]:
    """``name:key=value,key=value`` as a config dict.

    >>> parse_short("cosine:start=0.1,end=0,length=90ep")
    {'name': 'cosine', 'start': 0.1, 'end': 0, 'length': {'epochs': 90}}
    """
    match = _SHORT.match(text.strip())
    if match is None:
        raise ConfigError(
            f"cannot read CONFIG {text!r}: expected JSON text ('{{\"name\": ...}}'), a .json/"
            ".yaml/.toml file, or the short form name:key=value,key=value"
        )
    config: dict[str, Any] = {"name": match["name"]}
    args = match["args"]
    if args is None or not args.strip():
        return config
    for item in _split(args, text):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
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
    duration = _DURATION.match(raw)
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


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
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
