"""Schedules by name: the registry that configs, the CLI and ``state_dict`` go through.

It is filled by the ``lrkit_register_schedules`` hook (:mod:`lrkit.plugins`): built-ins and
third-party plugins alike. A config is plain data, ``{"name": ..., **arguments}``, nested for
combinators, with durations written ``{"epochs": x}`` / ``{"fraction": x}`` (plain ints are
steps). ``create(config).to_config() == config`` for every registered name, including plugin
schedules built from other schedules, so a checkpoint stores the name the user wrote.
"""

from __future__ import annotations

import copy
import difflib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrkit.schedule import ORIGIN_ATTR, Schedule, encode
from lrkit.units import Epochs, Fraction, to_steps

Factory = Callable[..., Schedule]


class UnknownScheduleError(KeyError, ValueError):
    """No schedule is registered under this name (the message suggests close matches)."""

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateScheduleError(ValueError):
    """Two providers registered the same schedule name; the message names both."""

    def __init__(self, name: str, providers: tuple[str, ...]) -> None:
        self.name = name
        self.providers = providers
        times = "twice" if len(providers) == 2 else f"{len(providers)} times"
        if len(set(providers)) == 1:  # one plugin registering a name twice
            message = (
                f"schedule name {name!r} is registered {times} by {providers[0]}; "
                "each name must be registered once"
            )
        else:
            message = (
                f"schedule name {name!r} is registered {times}: by {' and by '.join(providers)}; "
                "uninstall one of them, or disable one with LRKIT_DISABLE_PLUGINS=<its name>"
            )
        super().__init__(message)


@dataclass(frozen=True)
class Entry:
    """One registered schedule: its name, factory and the provider that registered it."""

    name: str
    factory: Factory
    provider: str

    @property
    def summary(self) -> str:
        """The first line of the factory's docstring (empty when it has none)."""
        doc = inspect.getdoc(self.factory) or ""
        return " ".join(doc.split("\n\n")[0].split())


class Registry:
    """Maps names to schedule factories and remembers who provided each.

    ``register`` raises :class:`DuplicateScheduleError` on a name that is already taken; the
    plugin loader catches it and marks the name *conflicting*, so that using it raises the same
    error (naming both providers) while every other name keeps working.
    """

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._conflicts: dict[str, tuple[str, ...]] = {}

    def register(self, name: str, factory: Factory, *, provider: str) -> None:
        """Add ``name``; a non-str name, a non-callable factory or a taken name raise."""
        if not isinstance(name, str) or not all(p.isidentifier() for p in name.split(".")):
            raise TypeError(
                "schedule name must be a str of identifiers joined by dots (like 'wsd' or "
                f"'myorg.wsd'), got {name!r} from {provider}"
            )
        if not callable(factory):
            raise TypeError(f"factory for {name!r} from {provider} is not callable: {factory!r}")
        if name in self._conflicts:
            self._conflicts[name] = (*self._conflicts[name], provider)
            raise DuplicateScheduleError(name, self._conflicts[name])
        if name in self._entries:
            raise DuplicateScheduleError(name, (self._entries[name].provider, provider))
        self._entries[name] = Entry(name, factory, provider)

    def mark_conflict(self, error: DuplicateScheduleError) -> None:
        """Make ``error.name`` unusable: creating it raises ``error`` (naming every provider)."""
        self._entries.pop(error.name, None)
        self._conflicts[error.name] = error.providers

    def entry(self, name: str) -> Entry:
        """The entry of ``name``; unknown names raise with close-match suggestions."""
        if not isinstance(name, str):
            raise TypeError(f"a schedule name must be a str, got {name!r}")
        if name in self._conflicts:
            raise DuplicateScheduleError(name, self._conflicts[name])
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownScheduleError(f"unknown schedule {name!r}{self._hint(name)}") from None

    def factory(self, name: str) -> Factory:
        """The factory of ``name`` (see :meth:`entry`)."""
        return self.entry(name).factory

    def entries(self) -> list[Entry]:
        """Every usable entry, sorted by name."""
        return [self._entries[name] for name in sorted(self._entries)]

    def providers(self) -> dict[str, str]:
        """``{name: provider}`` of every usable name, sorted by name."""
        return {entry.name: entry.provider for entry in self.entries()}

    def conflicts(self) -> dict[str, tuple[str, ...]]:
        """Names registered more than once, with their providers."""
        return dict(self._conflicts)

    def name_of_class(self, cls: type) -> str | None:
        """The name under which the class ``cls`` itself was registered, if any."""
        for entry in self._entries.values():
            if entry.factory is cls:
                return entry.name
        return None

    def _hint(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._entries), n=3, cutoff=0.6)
        return f"; did you mean {' or '.join(map(repr, close))}?" if close else ""


def _registry() -> Registry:
    from lrkit.plugins import registry

    return registry()


def schedules() -> dict[str, str]:
    """Every registered schedule name with its provider (``lrkit.primitives``, a plugin, ...).

    >>> lrkit.schedules()["cosine"]
    'lrkit.primitives'
    """
    return _registry().providers()


def name_of(schedule: Schedule) -> str:
    """The config name of a schedule (built-in ``config_name`` or its registered class)."""
    name = type(schedule).config_name or _registry().name_of_class(type(schedule))
    if name is None:
        raise LookupError(
            f"{type(schedule).__name__} is not registered, so it has no config name: register "
            "the class itself with the lrkit_register_schedules hook, or build the schedule "
            "with lrkit.create({'name': ...})"
        )
    return name


def create(config: Mapping[str, Any]) -> Schedule:
    """Build a schedule from plain data ``{"name": ..., **kwargs}`` (nested for combinators).

    Durations are ``{"epochs": x}`` or ``{"fraction": x}``; plain ints are steps. The result
    serialises back to the same config (``create(c).to_config() == c`` up to int/float
    spelling), also when the factory builds it from other schedules.

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
    _check_arguments(name, factory, kwargs)
    try:
        schedule = factory(**kwargs)
    except TypeError as exc:
        if str(exc).startswith(f"{name}:"):
            raise
        raise TypeError(f"schedule {name!r}: {exc}") from exc
    if not isinstance(schedule, Schedule):
        raise TypeError(f"the factory of {name!r} returned {schedule!r}, not a lrkit.Schedule")
    return _remember_origin(schedule, {"name": name, **{k: encode(v) for k, v in kwargs.items()}})


def _check_arguments(name: str, factory: Factory, kwargs: dict[str, Any]) -> None:
    """Missing or unknown arguments as one clear error (with a suggestion for typos)."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # builtins without a signature: let the call decide
        return
    params = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [n for n, p in params.items() if p.kind is not inspect.Parameter.VAR_POSITIONAL]
    for key in kwargs:
        if key not in params:
            close = difflib.get_close_matches(key, accepted, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"schedule {name!r} has no argument {key!r}{hint} (it takes {', '.join(accepted)})"
            )
    missing = [
        n
        for n, p in params.items()
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        and n not in kwargs
    ]
    if missing:
        raise TypeError(
            f"schedule {name!r} is missing {'argument' if len(missing) == 1 else 'arguments'} "
            f"{', '.join(map(repr, missing))} (it takes {', '.join(accepted)})"
        )


def _remember_origin(schedule: Schedule, origin: dict[str, Any]) -> Schedule:
    """``schedule``, or a copy of it that serialises to ``origin`` when its own config differs
    (a factory that composes other schedules, or a registered function returning a class)."""
    try:
        if schedule.to_config() == origin:
            return schedule
    except (LookupError, TypeError):
        pass
    remembered = copy.copy(schedule)  # the factory may hand out a shared instance
    try:
        object.__setattr__(remembered, ORIGIN_ATTR, origin)
    except AttributeError:  # __slots__ without __dict__: keep its own config
        return schedule
    return remembered


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


def resolve_config(
    config: Any, *, total_steps: int | None, steps_per_epoch: int | None, where: str = "config"
) -> Any:
    """``config`` with every ``{"epochs": x}`` / ``{"fraction": x}`` replaced by its steps.

    >>> resolve_config({"name": "linear", "start": 1, "end": 0, "length": {"epochs": 2}},
    ...                total_steps=None, steps_per_epoch=10)
    {'name': 'linear', 'start': 1, 'end': 0, 'length': 20}
    """
    if isinstance(config, Mapping):
        if set(config) in ({"epochs"}, {"fraction"}):
            duration = decode(config)
            return to_steps(
                duration, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where
            )
        label = config.get("name", where)
        return {
            k: resolve_config(
                v,
                total_steps=total_steps,
                steps_per_epoch=steps_per_epoch,
                where=f"{label}({k}=...)",
            )
            for k, v in config.items()
        }
    if isinstance(config, list):
        return [
            resolve_config(v, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where)
            for v in config
        ]
    return config
