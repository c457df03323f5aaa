"""The plugin manager and the catalog: built-ins and the ``lrkit`` entry-point group, through
pluggy, and the one object (:data:`CATALOG`) that owns what they loaded: ``create``,
``schedules``, name lookup and the config codec (``lrkit.registry`` exposes them by name).

Loading is lazy (on the first ``lrkit.create`` / ``lrkit.schedules``) and happens once:

1. the built-in modules (:data:`BUILTIN_MODULES`) are registered, exactly as plugins are;
2. every entry point of the ``lrkit`` group is imported and registered, one at a time: a
   plugin that fails to import (any exception, ``SystemExit`` and other ``BaseException`` subclasses
   such as ``asyncio.CancelledError`` included; only ``KeyboardInterrupt`` stops the load), or
   declares a hook lrkit does not have (a typo), is recorded in :func:`failures` with its
   distribution name and the error, and the others keep loading;
3. each plugin's ``lrkit_register_schedules`` is called with its own ``register`` callback, so
   every name is credited to its provider; an exception there is recorded the same way.

``LRKIT_DISABLE_PLUGINS=1`` skips every third-party entry point (built-ins still load);
``LRKIT_DISABLE_PLUGINS=name,other`` skips those entry points or distributions only.
"""

from __future__ import annotations

import copy
import difflib
import importlib
import importlib.metadata as metadata
import inspect
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

from lrkit import hookspecs
from lrkit import schedule as _schedule
from lrkit._version import __version__
from lrkit.names import DuplicateScheduleError, Factory, Registry, ShadowsBuiltinError
from lrkit.schedule import ORIGIN_ATTR, Schedule, encode
from lrkit.units import DURATION_TEXT, Epochs, Fraction, parse_duration, to_steps

__all__ = [
    "BUILTIN_MODULES",
    "CATALOG",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "Catalog",
    "PluginFailure",
    "PluginInfo",
    "PluginState",
    "disabled_names",
    "failures",
    "load_with",
    "plugin_manager",
    "plugins",
    "registry",
    "reload",
    "state",
]

#: Modules whose hooks register the built-in schedules, exactly like a plugin's would.
BUILTIN_MODULES = ("lrkit.builtins",)
#: The entry-point group third-party plugins declare (``[project.entry-points.lrkit]``).
ENTRY_POINT_GROUP = "lrkit"
#: Environment variable: ``1`` disables every plugin, a comma list disables those named.
DISABLE_ENV = "LRKIT_DISABLE_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: where it comes from and the schedule names it registered."""

    name: str
    distribution: str
    version: str
    module: str
    builtin: bool = False
    schedules: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        """How errors and ``lrkit.schedules()`` name it: a module, or ``dist version``."""
        return self.module if self.builtin else f"{self.distribution} {self.version}"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that failed to load, or raised or conflicted while registering."""

    plugin: str
    distribution: str
    version: str
    stage: str  # "import", "validate", "hook" or "register"
    error: str

    def __str__(self) -> str:
        return f"{self.distribution} {self.version} ({self.plugin}), {self.stage}: {self.error}"


@dataclass
class PluginState:
    """Everything one load produced."""

    manager: pluggy.PluginManager
    registry: Registry
    plugins: list[PluginInfo] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)


def _describe(error: BaseException) -> str:
    """``Type: message`` on one line (pluggy's validation messages span several)."""
    return " ".join(f"{type(error).__name__}: {error}".split())


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def disabled_names() -> bool | set[str]:
    """What ``LRKIT_DISABLE_PLUGINS`` disables: True (all), or a set of normalised names."""
    raw = os.environ.get(DISABLE_ENV, "").strip()
    if raw.lower() in ("", "0", "false", "no"):
        return set()
    if raw.lower() in ("1", "true", "yes", "all"):
        return True
    return {_normalise(part.strip()) for part in raw.split(",") if part.strip()}


def _entry_points() -> Iterator[tuple[metadata.EntryPoint, str, str]]:
    """``(entry point, distribution name, version)`` of the ``lrkit`` group, once each."""
    seen: set[tuple[str, str]] = set()
    for dist in metadata.distributions():
        dist_name = str(dist.metadata["Name"] or "?")
        for ep in dist.entry_points:
            key = (_normalise(dist_name), ep.name)
            if ep.group != ENTRY_POINT_GROUP or key in seen:
                continue
            seen.add(key)
            yield ep, dist_name, str(dist.version)


class _Loader:
    """One load: registers plugins with pluggy, then fills a registry from their hooks."""

    def __init__(self, extra: Sequence[tuple[object, PluginInfo]] = ()) -> None:
        self._extra = list(extra)
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.state = PluginState(self.manager, Registry())
        self._loaded: list[tuple[object, PluginInfo]] = []

    def load(self) -> PluginState:
        for module_name in BUILTIN_MODULES:
            module = importlib.import_module(module_name)
            self.manager.register(module, name=module_name)
            self._loaded.append((module, _builtin_info(module_name)))
        self.manager.check_pending()
        self._load_entry_points()
        for plugin, info in self._extra:
            self._add(plugin, info)
        for plugin, info in self._loaded:
            self._register_schedules(plugin, info)
        return self.state

    def _fail(self, info: PluginInfo, stage: str, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else _describe(error)
        self.state.failures.append(
            PluginFailure(info.name, info.distribution, info.version, stage, text)
        )

    def _load_entry_points(self) -> None:
        disabled = disabled_names()
        for ep, dist_name, version in _entry_points():
            info = PluginInfo(ep.name, dist_name, version, ep.value)
            if disabled is True or (
                isinstance(disabled, set)
                and {_normalise(ep.name), _normalise(dist_name)} & disabled
            ):
                self.state.disabled.append(f"{dist_name} {version} ({ep.name})")
                continue
            try:
                plugin = ep.load()
            except KeyboardInterrupt:  # the user stopping the program: not the plugin's failure
                raise
            except BaseException as exc:  # a broken plugin must not break the others
                self._fail(info, "import", exc)
                continue
            self._add(plugin, info)

    def _add(self, plugin: object, info: PluginInfo) -> None:
        try:
            self.manager.register(plugin, name=f"{info.distribution}:{info.name}")
            self.manager.check_pending()  # a hook name lrkit does not have is a typo
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self.manager.is_registered(plugin):
                self.manager.unregister(plugin)
            self._fail(info, "validate", exc)
            return
        self._loaded.append((plugin, info))

    def _register_schedules(self, plugin: object, info: PluginInfo) -> None:
        staged: list[tuple[str, Factory]] = []
        open_ = [True]

        def register(name: str, factory: Factory) -> None:
            if not open_[0]:
                raise RuntimeError(
                    f"{info.provider}: register({name!r}, ...) was called after "
                    "lrkit_register_schedules returned; call it from inside the hook"
                )
            staged.append((name, factory))

        for impl in self.manager.hook.lrkit_register_schedules.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            arguments: dict[str, Callable[..., None]] = {"register": register}
            try:
                impl.function(*(arguments[a] for a in impl.argnames))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # SystemExit, CancelledError, GeneratorExit too
                if info.builtin:
                    raise
                self._fail(info, "hook", exc)
                return
            finally:
                open_[0] = False
        registered = []
        for name, factory in staged:
            try:
                self.state.registry.register(
                    name,
                    factory,
                    provider=_provider(info, factory),
                    distribution=None if info.builtin else info.distribution,
                    builtin=info.builtin,
                )
            except ShadowsBuiltinError as exc:  # the built-in keeps its name
                self._fail(info, "register", str(exc))
            except DuplicateScheduleError as exc:  # the name is unusable; qualified names work
                self.state.registry.mark_conflict(exc)
                self._fail(info, "register", str(exc))
            except TypeError as exc:
                self._fail(info, "register", str(exc))
            else:
                registered.append(name)
        self.state.plugins.append(_with_schedules(info, registered))


def _provider(info: PluginInfo, factory: Factory) -> str:
    """Who provides a name: a plugin's distribution, or the module defining a built-in."""
    module = getattr(factory, "__module__", None)
    return module if info.builtin and isinstance(module, str) else info.provider


def _builtin_info(module_name: str) -> PluginInfo:
    return PluginInfo(module_name, "lrkit", __version__, module_name, builtin=True)


def _with_schedules(info: PluginInfo, names: list[str]) -> PluginInfo:
    return PluginInfo(
        info.name, info.distribution, info.version, info.module, info.builtin, tuple(names)
    )


class Catalog:
    """The loaded plugin state (loaded on first use, then cached) and everything that needs it:
    schedules by name, ``create(config)``, config names of registered classes and the codec.

    A config is plain data, ``{"name": ..., **arguments}``, nested for combinators, with
    durations written ``{"epochs": x}`` / ``{"fraction": x}`` (plain ints are steps).
    ``create(config).to_config() == config`` for every registered name, including plugin
    schedules built from other schedules, so a checkpoint stores the name the user wrote.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._state: PluginState | None = None
        self._loading = False

    # -- the loaded state ---------------------------------------------------------------------

    def state(self) -> PluginState:
        """The loaded plugins, registry and failures (loaded on first use, then cached)."""
        with self._lock:
            if self._state is None:
                self._state = self._load(())
            return self._state

    def _load(self, extra: Sequence[tuple[object, PluginInfo]]) -> PluginState:
        # Not about imports (there is no import cycle): a plugin's hook that looks a name up
        # while the registry is being built (the lock is held by this thread) fails alone.
        if self._loading:
            raise RuntimeError(
                "lrkit is still loading plugins: a plugin looked up a schedule by name while "
                "being imported or registering; build schedules inside factories instead"
            )
        self._loading = True
        try:
            return _Loader(extra).load()
        finally:
            self._loading = False

    def reload(self) -> None:
        """Forget the loaded plugins; the next use loads them again."""
        with self._lock:
            self._state = None

    def load_with(self, plugin: object, *, name: str = "inline") -> PluginState:
        """Load plugins as usual plus ``plugin`` as if a distribution ``name`` had installed it."""
        module = getattr(plugin, "__name__", type(plugin).__name__)
        with self._lock:
            self._state = self._load([(plugin, PluginInfo(name, name, "0+inline", module))])
            return self._state

    @property
    def registry(self) -> Registry:
        return self.state().registry

    # -- schedules by name --------------------------------------------------------------------

    def schedules(self) -> dict[str, str]:
        """Every registered schedule name with its provider (``lrkit.primitives``, a plugin, ...).

        >>> lrkit.schedules()["cosine"]
        'lrkit.primitives'
        """
        return self.registry.providers()

    def name_of(self, schedule: Schedule) -> str:
        """The config name of a schedule (built-in ``config_name`` or its registered class)."""
        name = type(schedule).config_name or self.registry.name_of_class(type(schedule))
        if name is None:
            raise LookupError(
                f"{type(schedule).__name__} is not registered, so it has no config name: "
                "register the class itself with the lrkit_register_schedules hook, or build the "
                "schedule with lrkit.create({'name': ...})"
            )
        return name

    def create(self, config: Mapping[str, Any]) -> Schedule:
        """Build a schedule from plain data ``{"name": ..., **kwargs}`` (nested for combinators).

        Durations are ``{"epochs": x}`` or ``{"fraction": x}``; plain ints are steps. The result
        serialises back to the same config (``create(c).to_config() == c`` up to int/float
        spelling), also when the factory builds it from other schedules.

        >>> lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "length": {"epochs": 5}})
        cosine(start=1.0, end=0.0, length=epochs(5))
        """
        return self._create(config, "")

    def _create(self, config: Mapping[str, Any], path: str) -> Schedule:
        """:meth:`create`; ``path`` is where the config sits in an enclosing one (for errors:
        ``warmup(schedule=...).cosine(length=...)``)."""
        if not isinstance(config, Mapping):
            raise TypeError(f"a schedule config must be a dict, got {config!r}")
        if "name" not in config:
            raise ValueError(f"a schedule config needs a 'name' key, got {dict(config)!r}")
        name = config["name"]
        factory = self.registry.factory(name)
        kwargs = {
            key: self._decode(value, f"{path}{name}({key}=...)")
            for key, value in config.items()
            if key != "name"
        }
        _check_arguments(name, factory, kwargs)
        try:
            schedule = factory(**kwargs)
        except TypeError as exc:
            if str(exc).startswith(f"{name}:"):
                raise
            raise TypeError(f"schedule {name!r}: {exc}") from exc
        if not isinstance(schedule, Schedule):
            raise TypeError(f"the factory of {name!r} returned {schedule!r}, not a lrkit.Schedule")
        origin = {"name": name, **{k: encode(v) for k, v in kwargs.items()}}
        return _remember_origin(schedule, origin)

    # -- the config codec ---------------------------------------------------------------------

    def decode(self, value: Any) -> Any:
        """Config data to constructor arguments: nested schedules and durations are rebuilt."""
        return self._decode(value, "config")

    def _decode(self, value: Any, where: str) -> Any:
        """:meth:`decode`; a bad duration's error names ``where`` (the argument's path)."""
        if isinstance(value, Mapping):
            if "name" in value:
                return self._create(value, f"{where}." if where != "config" else "")
            if set(value) in ({"epochs"}, {"fraction"}):
                unit = "epochs" if "epochs" in value else "fraction"
                try:
                    return Epochs(value[unit]) if unit == "epochs" else Fraction(value[unit])
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"{where}: {exc}") from None
            return {k: self._decode(v, where) for k, v in value.items()}
        if _is_sequence(value):  # a list, a tuple, OmegaConf's ListConfig...
            return [self._decode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return value

    @staticmethod
    def resolve_config(
        config: Any, *, total_steps: int | None, steps_per_epoch: int | None, where: str = "config"
    ) -> Any:
        """``config`` with every ``{"epochs": x}`` / ``{"fraction": x}`` replaced by its steps.

        >>> Catalog.resolve_config(
        ...     {"name": "linear", "start": 1, "end": 0, "length": {"epochs": 2}},
        ...     total_steps=None, steps_per_epoch=10,
        ... )
        {'name': 'linear', 'start': 1, 'end': 0, 'length': 20}
        """
        resolve = Catalog.resolve_config
        if isinstance(config, Mapping):
            if set(config) in ({"epochs"}, {"fraction"}):
                duration = (
                    Epochs(config["epochs"]) if "epochs" in config else Fraction(config["fraction"])
                )
                return to_steps(
                    duration, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where
                )
            label = config.get("name", where)
            return {
                k: resolve(
                    v,
                    total_steps=total_steps,
                    steps_per_epoch=steps_per_epoch,
                    where=f"{label}({k}=...)",
                )
                for k, v in config.items()
            }
        if _is_sequence(config):
            return [
                resolve(v, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where)
                for v in config
            ]
        if isinstance(config, str) and DURATION_TEXT.match(config.strip()):  # "10ep", "5%"
            written = parse_duration(config)
            if isinstance(written, (Epochs, Fraction)):
                return to_steps(
                    written, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where
                )
        return config


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


#: The loaded plugin state of this process; ``lrkit.registry`` and ``Schedule.to_config()`` /
#: ``resolve()`` (through :func:`lrkit.schedule.use_codec`) go through it.
CATALOG = Catalog()
_schedule.use_codec(CATALOG)


def state() -> PluginState:
    """The loaded plugins, registry and failures (loaded on first use, then cached)."""
    return CATALOG.state()


def registry() -> Registry:
    """The registry, filled on first use."""
    return CATALOG.registry


def plugins() -> list[PluginInfo]:
    """Every loaded plugin (built-ins first) with the names it registered."""
    return list(CATALOG.state().plugins)


def failures() -> list[PluginFailure]:
    """Plugins that failed to import, validate, run their hook, or register a name."""
    return list(CATALOG.state().failures)


def plugin_manager() -> pluggy.PluginManager:
    """The pluggy manager holding the built-in modules and the loaded plugins."""
    return CATALOG.state().manager


def reload() -> None:
    """Forget the loaded plugins; the next use loads them again (tests, after installs)."""
    CATALOG.reload()


def load_with(plugin: object, *, name: str = "inline") -> PluginState:
    """Load plugins as usual plus ``plugin`` (a module or object with ``@lrkit.hookimpl``
    functions) as if a distribution named ``name`` had installed it; it becomes the current
    state until :func:`reload`. For testing a plugin before it is packaged::

        lrkit.plugins.load_with(my_plugin_module)
        lrkit.create({"name": "my_schedule", ...})
    """
    return CATALOG.load_with(plugin, name=name)


def _is_sequence(value: Any) -> bool:
    """A list-like config value (a list, a tuple, OmegaConf's ListConfig), not a string."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))
