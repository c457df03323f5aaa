"""pluggy hook specifications of lrkit (project name and entry-point group: ``lrkit``).

A plugin is a module, found through the ``lrkit`` entry-point group of an installed
distribution, holding functions marked ``@lrkit.hookimpl`` whose names match the specifications
below. Built-in schedules register through the very same hook (see :mod:`lrkit.plugins`).
A hook implementation may accept fewer arguments than its specification, so arguments can be
added later without breaking plugins. The plugin contract is written out in ``docs/plugins.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    from lrkit.schedule import Schedule

__all__ = [
    "PROJECT",
    "Register",
    "hookimpl",
    "hookspec",
    "lrkit_register_schedules",
    "registration_hook",
]

PROJECT = "lrkit"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Register(Protocol):
    """The callback a plugin receives: ``register(name, factory)``.

    ``name`` is a str of identifiers joined by dots (``"rex"``, ``"myorg.rex"``);
    ``factory(**kwargs)`` returns a :class:`lrkit.Schedule`. It may be a ``Schedule`` subclass
    itself (then ``to_config()`` works on instances built directly, too) or a function.
    """

    def __call__(self, name: str, factory: Callable[..., Schedule]) -> None: ...


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
    """Register schedules by name: call ``register(name, factory)`` once per schedule, from
    inside this hook (the callback refuses calls after the hook has returned).

    ``factory(**kwargs)`` returns a ``lrkit.Schedule``: a composition of built-ins (it then runs
    in the C++ engine) or an instance of a Python subclass implementing ``value(step)``
    (optionally the vectorised ``values(steps)``), whose ``__init__`` stores its arguments as
    attributes of the same names. ``lrkit.create({"name": name, **kwargs})`` calls it, and the
    schedule it returns serialises back to that config.

    A name taken twice (by two plugins, or by a plugin and a built-in) is reported naming both
    providers and cannot be used until one is removed; an exception raised here (``SystemExit``
    included) is reported with the plugin's distribution name, and none of this plugin's names
    are registered.

    :param register: the callback to call with ``(name, factory)``.
    """
