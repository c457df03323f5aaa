"""Schedules by name: the registry that configs, the CLI and ``state_dict`` go through.

It is filled by the ``lrkit_register_schedules`` hook (``lrkit.plugins``): built-ins and
third-party plugins alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from lrkit.schedule import Schedule
from lrkit.units import Epochs, Fraction

Factory = Callable[..., Schedule]


class UnknownScheduleError(KeyError, ValueError):
    """No schedule is registered under this name."""

    def __str__(self) -> str:
        return str(self.args[0])


class Registry:
    """Maps names to schedule factories and remembers who provided each."""

    def __init__(self) -> None:
        self._factories: dict[str, Factory] = {}
        self._providers: dict[str, str] = {}

    def register(self, name: str, factory: Factory, *, provider: str) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"schedule name must be a non-empty str, got {name!r} from {provider}")
        if not callable(factory):
            raise TypeError(f"factory for {name!r} from {provider} is not callable: {factory!r}")
        if name in self._factories:
            raise ValueError(
                f"schedule name {name!r} is registered twice: by {self._providers[name]} "
                f"and by {provider}"
            )
        self._factories[name] = factory
        self._providers[name] = provider

    def factory(self, name: str) -> Factory:
        try:
            return self._factories[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._factories, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownScheduleError(f"unknown schedule {name!r}{hint}") from None

    def providers(self) -> dict[str, str]:
        return dict(sorted(self._providers.items()))

    def name_of_class(self, cls: type) -> str | None:
        for name, factory in self._factories.items():
            if factory is cls:
                return name
        return None


def _registry() -> Registry:
    from lrkit.plugins import registry

    return registry()


def schedules() -> dict[str, str]:
    """Every registered schedule name with its provider (``lrkit.primitives``, a plugin, ...)."""
    return _registry().providers()


def name_of(schedule: Schedule) -> str:
    """The config name of a schedule (built-in ``config_name`` or its registered class)."""
    name = type(schedule).config_name or _registry().name_of_class(type(schedule))
    if name is None:
        raise LookupError(
            f"{type(schedule).__name__} is not registered, so it has no config name: register "
            "its class with the lrkit_register_schedules hook"
        )
    return name


def create(config: Mapping[str, Any]) -> Schedule:
    """Build a schedule from plain data ``{"name": ..., **kwargs}`` (nested for combinators).

    Durations are ``{"epochs": x}`` or ``{"fraction": x}``; plain ints are steps.

    >>> lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "length": {"epochs": 5}})
    cosine(start=1.0, end=0.0, length=epochs(5))
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"a schedule config must be a dict, got {config!r}")
    if "name" not in config:
        raise ValueError(f"a schedule config needs a 'name' key, got {dict(config)!r}")
    name = config["name"]
    factory = _registry().factory(name)
    kwargs = {key: decode(value) for key, value in config.items() if key != "name"}
    try:
        schedule = factory(**kwargs)
    except TypeError as exc:
        raise TypeError(f"schedule {name!r}: {exc}") from exc
    if not isinstance(schedule, Schedule):
        raise TypeError(f"the factory of {name!r} returned {schedule!r}, not a lrkit.Schedule")
    return schedule


def decode(value: Any) -> Any:
    """Config data to constructor arguments: nested schedules and durations are rebuilt."""
    if isinstance(value, Mapping):
        if "name" in value:
            return create(value)
        if set(value) == {"epochs"}:
            return Epochs(value["epochs"])
        if set(value) == {"fraction"}:
            return Fraction(value["fraction"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
