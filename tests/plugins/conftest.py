"""Fixtures for plugin tests: fake installed distributions, and a fresh load for every test."""

from __future__ import annotations

import importlib.metadata as metadata
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lrkit import plugins


class FakeDistribution:
    """Just what lrkit.plugins reads from an installed distribution."""

    def __init__(self, name: str, version: str, entry_points: list[metadata.EntryPoint]) -> None:
        self.metadata = {"Name": name}
        self.version = version
        self.entry_points = entry_points


InstallFn = Callable[..., None]


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    """Each test loads plugins anew and leaves the real state to be loaded again after it."""
    plugins.reload()
    yield
    plugins.reload()


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch) -> InstallFn:
    """``install(dist_name, {entry_point_name: module_or_None}, version=...)`` fakes an installed
    plugin distribution (``None``: a module that does not import). Only fakes are visible."""
    fakes: list[FakeDistribution] = []
    monkeypatch.setattr(plugins.metadata, "distributions", lambda: iter(fakes))
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)

    def add(dist: str, modules: dict[str, Any], *, version: str = "1.0") -> None:
        eps = []
        for ep_name, module in modules.items():
            module_name = f"fake_lrkit_plugin_{dist.replace('-', '_')}_{ep_name}"
            if module is not None:
                if not isinstance(module, types.ModuleType):
                    module = _as_module(module_name, module)
                monkeypatch.setitem(sys.modules, module_name, module)
            eps.append(metadata.EntryPoint(name=ep_name, value=module_name, group="lrkit"))
        fakes.append(FakeDistribution(dist, version, eps))
        plugins.reload()

    return add


def _as_module(name: str, namespace: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in vars(namespace).items():
        if not key.startswith("__"):
            setattr(module, key, value)
    return module
