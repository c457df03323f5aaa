"""The registry as plain data: names -> schedule factories, with the provider of each.

It knows nothing of plugins or configs: :class:`lrkit.plugins.Catalog` fills one from the
``lrkit_register_schedules`` hooks and builds schedules from configs with it.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from lrkit.schedule import Schedule

__all__ = [
    "DuplicateScheduleError",
    "Entry",
    "Factory",
    "Registry",
    "ShadowsBuiltinError",
    "UnknownScheduleError",
    "qualified_name",
]

Factory = Callable[..., Schedule]


class UnknownScheduleError(KeyError, ValueError):
    """No schedule is registered under this name (the message suggests close matches)."""

    def __str__(self) -> str:
        return str(self.args[0])


#: Between a plugin's distribution and one of its names: ``lrkit-good/halving`` is the
#: ``halving`` that the distribution ``lrkit-good`` registered (built-ins: ``lrkit/cosine``).
QUALIFIER = "/"


def qualified_name(distribution: str, name: str) -> str:
    """``distribution/name``, the distribution normalised (lower case, ``-`` for ``_``, ``.``)."""
    return f"{re.sub(r'[-_.]+', '-', distribution).lower()}{QUALIFIER}{name}"


class DuplicateScheduleError(ValueError):
    """Two providers registered the same schedule name; the message names both (and the
    qualified names that reach each)."""

    def __init__(
        self, name: str, providers: tuple[str, ...], qualified: tuple[str, ...] = ()
    ) -> None:
        self.name = name
        self.providers = providers
        self.qualified = qualified
        times = "twice" if len(providers) == 2 else f"{len(providers)} times"
        if len(set(providers)) == 1:  # one plugin registering a name twice
            message = (
                f"schedule name {name!r} is registered {times} by {providers[0]}; "
                "each name must be registered once"
            )
        else:
            reach = (
                f"use a qualified name ({' or '.join(map(repr, qualified))}), "
                if len(qualified) == len(providers)
                else ""
            )
            message = (
                f"schedule name {name!r} is registered {times}: by {' and by '.join(providers)}; "
                f"{reach}uninstall one of them, or disable one with "
                "LRKIT_DISABLE_PLUGINS=<its name>"
            )
        super().__init__(message)


class ShadowsBuiltinError(DuplicateScheduleError):
    """A plugin registered the name of a built-in: the built-in keeps the name, the plugin's
    entry is reachable only by its qualified name."""

    def __init__(self, name: str, builtin: str, provider: str, qualified: str) -> None:
        ValueError.__init__(
            self,
            f"schedule name {name!r} is a built-in ({builtin}); {provider}'s {name!r} is not "
            f"registered under it: reach it as {qualified!r}",
        )
        self.name = name
        self.providers = (builtin, provider)
        self.qualified = (qualified,)


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
        self._conflict_qualified: dict[str, tuple[str, ...]] = {}
        self._qualified: dict[str, Entry] = {}  # distribution/name -> entry, for plugins
        self._builtins: set[str] = set()

    def register(
        self,
        name: str,
        factory: Factory,
        *,
        provider: str,
        distribution: str | None = None,
        builtin: bool = False,
    ) -> None:
        """Add ``name``; a non-str name, a non-callable factory or a taken name raise.

        With ``distribution`` the entry is also reachable as ``distribution/name``
        (:func:`qualified_name`), also when the plain name is taken: a built-in's name stays
        the built-in's (:class:`ShadowsBuiltinError`), and a name two plugins register is
        reachable only qualified (:class:`DuplicateScheduleError`)."""
        if not isinstance(name, str) or not all(p.isidentifier() for p in name.split(".")):
            raise TypeError(
                "schedule name must be a str of identifiers joined by dots (like 'wsd' or "
                f"'myorg.wsd'), got {name!r} from {provider}"
            )
        if not callable(factory):
            raise TypeError(f"factory for {name!r} from {provider} is not callable: {factory!r}")
        entry = Entry(name, factory, provider)
        qualified = None if distribution is None else qualified_name(distribution, name)
        if qualified is not None:
            if qualified in self._qualified:  # one distribution registering a name twice
                raise DuplicateScheduleError(name, (provider, provider))
            self._qualified[qualified] = entry
        if name in self._builtins and not builtin:
            assert qualified is not None, "a plugin's entry has a distribution"
            raise ShadowsBuiltinError(name, self._entries[name].provider, provider, qualified)
        if name in self._conflicts:
            self._conflicts[name] = (*self._conflicts[name], provider)
            if qualified is not None:
                self._conflict_qualified[name] = (*self._conflict_qualified[name], qualified)
            raise DuplicateScheduleError(
                name, self._conflicts[name], self._conflict_qualified[name]
            )
        if name in self._entries:
            first = self._entries[name]
            theirs = tuple(q for q, e in self._qualified.items() if e is first)
            raise DuplicateScheduleError(
                name,
                (first.provider, provider),
                (*theirs, qualified) if theirs and qualified else (),
            )
        self._entries[name] = entry
        if builtin:
            self._builtins.add(name)

    def mark_conflict(self, error: DuplicateScheduleError) -> None:
        """Make ``error.name`` unusable: creating it raises ``error`` (naming every provider)."""
        self._entries.pop(error.name, None)
        self._conflicts[error.name] = error.providers
        self._conflict_qualified[error.name] = error.qualified

    def entry(self, name: str) -> Entry:
        """The entry of ``name``; unknown names raise with close-match suggestions."""
        if not isinstance(name, str):
            raise TypeError(f"a schedule name must be a str, got {name!r}")
        if name in self._conflicts:
            raise DuplicateScheduleError(
                name, self._conflicts[name], self._conflict_qualified.get(name, ())
            )
        try:
            return self._entries[name] if QUALIFIER not in name else self._qualified[name]
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

    def qualified(self) -> dict[str, str]:
        """``{distribution/name: provider}`` of every plugin's entry, sorted."""
        return {q: self._qualified[q].provider for q in sorted(self._qualified)}

    def name_of_class(self, cls: type) -> str | None:
        """The name under which the class ``cls`` itself was registered, if any (its qualified
        name when the plain name belongs to another provider)."""
        for entry in self._entries.values():
            if entry.factory is cls:
                return entry.name
        for qualified, entry in self._qualified.items():
            if entry.factory is cls:
                return qualified
        return None

    def _hint(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._entries), n=3, cutoff=0.6)
        return f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
