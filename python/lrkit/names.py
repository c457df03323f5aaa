"""The registry as plain data: names -> schedule factories, with the provider of each.

It knows nothing of plugins or configs: :class:`lrkit.plugins.Catalog` fills one from the
``lrkit_register_schedules`` hooks and builds schedules from configs with it.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from lrkit.schedule import Schedule

__all__ = [
    "DuplicateScheduleError",
    "Entry",
    "Factory",
    "Registry",
    "UnknownScheduleError",
]

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
