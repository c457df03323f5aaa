"""The plugin manager: built-in modules and the ``lrkit`` entry-point group, through pluggy.

Set ``LRKIT_DISABLE_PLUGINS=1`` to skip third-party entry points (built-ins still load).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pluggy

from lrkit import hookspecs
from lrkit.registry import Factory, Registry

#: Modules whose hooks register the built-in schedules, exactly like a plugin's would.
BUILTIN_MODULES = ("lrkit.primitives", "lrkit.combinators", "lrkit.cycles")


@dataclass
class PluginFailure:
    """A plugin that failed to load or raised in its hook (the others keep working)."""

    plugin: str
    error: str


@dataclass
class _State:
    manager: pluggy.PluginManager
    registry: Registry
    failures: list[PluginFailure] = field(default_factory=list)


_state: _State | None = None


def _provider_names(manager: pluggy.PluginManager) -> dict[int, str]:
    names = {id(plugin): str(manager.get_name(plugin)) for plugin in manager.get_plugins()}
    for plugin, dist in manager.list_plugin_distinfo():
        names[id(plugin)] = f"{dist.metadata['name']} {dist.version}"
    return names


def _load() -> _State:
    import importlib

    manager = pluggy.PluginManager("lrkit")
    manager.add_hookspecs(hookspecs)
    for module_name in BUILTIN_MODULES:
        manager.register(importlib.import_module(module_name), name=module_name)
    failures: list[PluginFailure] = []
    if os.environ.get("LRKIT_DISABLE_PLUGINS", "") not in ("", "0"):
        pass
    else:
        try:
            manager.load_setuptools_entrypoints("lrkit")
        except Exception as exc:  # a broken plugin must not break lrkit
            failures.append(PluginFailure("lrkit entry points", f"{type(exc).__name__}: {exc}"))
    registry = Registry()
    providers = _provider_names(manager)
    for impl in manager.hook.lrkit_register_schedules.get_hookimpls():
        provider = providers.get(id(impl.plugin), impl.plugin_name)

        def register(name: str, factory: Factory, _provider: str = provider) -> None:
            registry.register(name, factory, provider=_provider)

        try:
            impl.function(register=register)
        except Exception as exc:
            if provider in BUILTIN_MODULES:
                raise
            failures.append(PluginFailure(provider, f"{type(exc).__name__}: {exc}"))
    return _State(manager, registry, failures)


def _get() -> _State:
    global _state
    if _state is None:
        _state = _load()
    return _state


def registry() -> Registry:
    """The registry, filled on first use."""
    return _get().registry


def failures() -> list[PluginFailure]:
    """Plugins that failed to load or register."""
    return list(_get().failures)


def plugin_manager() -> pluggy.PluginManager:
    return _get().manager


def reload() -> None:
    """Forget the loaded plugins (the next use loads them again)."""
    global _state
    _state = None
