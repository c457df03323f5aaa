"""pluggy hook specifications of lrkit (project name and entry-point group: ``lrkit``).

A plugin is a module (found through the ``lrkit`` entry-point group) with functions marked
``@lrkit.hookimpl`` whose names match the specifications below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    from lrkit.schedule import Schedule

hookspec = pluggy.HookspecMarker("lrkit")
hookimpl = pluggy.HookimplMarker("lrkit")


class Register(Protocol):
    """The callback a plugin receives: ``register(name, factory)``."""

    def __call__(self, name: str, factory: Callable[..., Schedule | Any]) -> None: ...


def registration_hook(factories: Mapping[str, Callable[..., Any]]) -> Callable[[Register], None]:
    """A ``lrkit_register_schedules`` implementation registering ``factories`` by name; the
    built-in modules use it exactly as a plugin may::

        lrkit_register_schedules = registration_hook({"my_schedule": my_schedule})
    """

    @hookimpl(specname="lrkit_register_schedules")
    def register_all(register: Register) -> None:
        for name, factory in factories.items():
            register(name, factory)

    return register_all


@hookspec
def lrkit_register_schedules(register: Register) -> None:
    """Register schedules by name: call ``register(name, factory)`` for each.

    ``factory(**kwargs)`` returns a ``lrkit.Schedule``: a composition of built-ins (it then runs
    in the C++ engine) or an instance of a Python subclass implementing ``value(step)``.
    ``lrkit.create({"name": name, **kwargs})`` calls it.
    """
