"""The built-in schedules, registered through the ``lrkit_register_schedules`` hook from this one
module, exactly as a plugin registers its own (each name is credited to its defining module).

The names are the declared ones (``@lrkit.fields.constructor`` next to each schedule class)."""

from __future__ import annotations

from collections.abc import Callable

from lrkit import combinators, cycles, primitives  # noqa: F401  (they declare the built-ins)
from lrkit.fields import DECLARED
from lrkit.hookspecs import registration_hook
from lrkit.parity import hf as hf_parity  # noqa: F401
from lrkit.parity import optax as optax_parity  # noqa: F401
from lrkit.parity import timm as timm_parity  # noqa: F401
from lrkit.parity import torch as torch_parity  # noqa: F401
from lrkit.schedule import Schedule

__all__ = [
    "FACTORIES",
    "lrkit_register_schedules",
]

#: Every built-in schedule name with its public constructor.
FACTORIES: dict[str, Callable[..., Schedule]] = dict(DECLARED)

lrkit_register_schedules = registration_hook(FACTORIES)
