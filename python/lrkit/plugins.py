"""The plugin manager: built-in modules and the ``lrkit`` entry-point group, through pluggy.

Loading is lazy (on the first ``lrkit.create`` / ``lrkit.schedules``) and happens once:

1. the built-in modules (:data:`BUILTIN_MODULES`) are registered, exactly as plugins are;
2. every entry point of the ``lrkit`` group is imported and registered, one at a time: a
   plugin that fails to import, or declares a hook lrkit does not have (a typo), is recorded in
   :func:`failures` with its distribution name and the error, and the others keep loading;
3. each plugin's ``lrkit_register_schedules`` is called with its own ``register`` callback, so
   every name is credited to its provider; an exception there is recorded the same way.

``LRKIT_DISABLE_PLUGINS=1`` skips every third-party entry point (built-ins still load);
``LRKIT_DISABLE_PLUGINS=name,other`` skips those entry points or distributions only.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import pluggy

from lrkit import hookspecs
from lrkit.registry import DuplicateScheduleError, Factory, Registry

#: Modules whose hooks register the built-in schedules, exactly like a plugin's would.
BUILTIN_MODULES = ("lrkit.primitives", "lrkit.combinators", "lrkit.cycles", "lrkit.parity.torch")
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
            except (Exception, SystemExit) as exc:  # a broken plugin must not break the others
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
            except (Exception, SystemExit) as exc:
                if info.builtin:
                    raise
                self._fail(info, "hook", exc)
                return
            finally:
                open_[0] = False
        registered = []
        for name, factory in staged:
            try:
                self.state.registry.register(name, factory, provider=info.provider)
            except DuplicateScheduleError as exc:
                self.state.registry.mark_conflict(exc)
                self._fail(info, "register", str(exc))
            except TypeError as exc:
                self._fail(info, "register", str(exc))
            else:
                registered.append(name)
        self.state.plugins.append(_with_schedules(info, registered))


def _builtin_info(module_name: str) -> PluginInfo:
    from lrkit import __version__

    return PluginInfo(module_name, "lrkit", __version__, module_name, builtin=True)


def _with_schedules(info: PluginInfo, names: list[str]) -> PluginInfo:
    return PluginInfo(
        info.name, info.distribution, info.version, info.module, info.builtin, tuple(names)
    )


_lock = threading.RLock()
_state: PluginState | None = None
_loading = False


def state() -> PluginState:
    """The loaded plugins, registry and failures (loaded on first use, then cached)."""
    global _state
    with _lock:
        if _state is None:
            _state = _load(())
        return _state


def _load(extra: Sequence[tuple[object, PluginInfo]]) -> PluginState:
    global _loading
    if _loading:  # same thread (the lock is held): a plugin looked a name up while loading
        raise RuntimeError(
            "lrkit is still loading plugins: a plugin looked up a schedule by name while being "
            "imported or registering; build schedules inside factories instead"
        )
    _loading = True
    try:
        return _Loader(extra).load()
    finally:
        _loading = False


def registry() -> Registry:
    """The registry, filled on first use."""
    return state().registry


def plugins() -> list[PluginInfo]:
    """Every loaded plugin (built-in modules first) with the names it registered."""
    return list(state().plugins)


def failures() -> list[PluginFailure]:
    """Plugins that failed to import, validate, run their hook, or register a name."""
    return list(state().failures)


def plugin_manager() -> pluggy.PluginManager:
    """The pluggy manager holding the built-in modules and the loaded plugins."""
    return state().manager


def reload() -> None:
    """Forget the loaded plugins; the next use loads them again (tests, after installs)."""
    global _state
    with _lock:
        _state = None


def load_with(plugin: object, *, name: str = "inline") -> PluginState:
    """Load plugins as usual plus ``plugin`` (a module or object with ``@lrkit.hookimpl``
    functions) as if a distribution named ``name`` had installed it; it becomes the current
    state until :func:`reload`. For testing a plugin before it is packaged::

        lrkit.plugins.load_with(my_plugin_module)
        lrkit.create({"name": "my_schedule", ...})
    """
    global _state
    module = getattr(plugin, "__name__", type(plugin).__name__)
    with _lock:
        _state = _load([(plugin, PluginInfo(name, name, "0+inline", module))])
        return _state
