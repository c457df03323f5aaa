"""The built-in schedules, registered through the ``lrkit_register_schedules`` hook from this one
module, exactly as a plugin registers its own (each name is credited to its defining module).

The names come from the Model modules' declarations (``_FACTORIES``)."""

from __future__ import annotations

from collections.abc import Callable

from lrkit import combinators, cycles, primitives
from lrkit.hookspecs import registration_hook
from lrkit.parity import torch as torch_parity
from lrkit.schedule import Schedule

#: Every built-in schedule name with its factory.
FACTORIES: dict[str, Callable[..., Schedule]] = {
    **primitives._FACTORIES,
    **combinators._FACTORIES,
    **cycles._FACTORIES,
    **torch_parity._FACTORIES,
}

lrkit_register_schedules = registration_hook(FACTORIES)
