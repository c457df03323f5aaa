"""Schedules by name: the registry that configs, the CLI and ``state_dict`` go through.

The functions here are those of the one loaded catalog (:data:`lrkit.plugins.CATALOG`), which
is filled by the ``lrkit_register_schedules`` hook: built-ins and third-party plugins alike;
:class:`Registry` itself is plain data (:mod:`lrkit.names`).
"""

from __future__ import annotations

from lrkit.names import (
    DuplicateScheduleError,
    Entry,
    Factory,
    Registry,
    UnknownScheduleError,
)
from lrkit.plugins import CATALOG, Catalog

create = CATALOG.create
schedules = CATALOG.schedules
name_of = CATALOG.name_of
decode = CATALOG.decode
resolve_config = Catalog.resolve_config

__all__ = [
    "DuplicateScheduleError",
    "Entry",
    "Factory",
    "Registry",
    "UnknownScheduleError",
    "create",
    "decode",
    "name_of",
    "resolve_config",
    "schedules",
]
