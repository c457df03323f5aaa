"""Which entry of a param group a scheduler drives: ``lr``, ``momentum``, ``weight_decay``,
``betas[0]``, ``betas[1]`` or any other ``name`` / ``name[index]``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "GroupKey",
]

_KEY = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(\[(?P<index>\d+)\])?$")


@dataclass(frozen=True)
class GroupKey:
    """A param-group entry, possibly one element of a tuple entry (``betas[0]``)."""

    name: str
    index: int | None = None

    @classmethod
    def parse(cls, key: object) -> GroupKey:
        match = _KEY.match(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(
                f"key must name a param-group entry like 'lr', 'momentum', 'weight_decay' or "
                f"'betas[0]', got {key!r}"
            )
        index = match.group("index")
        return cls(match.group("name"), None if index is None else int(index))

    def __str__(self) -> str:
        return self.name if self.index is None else f"{self.name}[{self.index}]"

    @property
    def initial_name(self) -> str:
        """Where the group's starting value is kept (``initial_lr``, as torch does for lr)."""
        return f"initial_{self.name}" + ("" if self.index is None else f"_{self.index}")

    def check(self, group: dict[str, Any], g: int) -> None:
        if self.name not in group:
            raise KeyError(f"param group {g} has no {self.name!r} entry to schedule")
        if self.index is not None:
            value = group[self.name]
            if not isinstance(value, (tuple, list)) or self.index >= len(value):
                raise ValueError(
                    f"param group {g}: {self.name!r} is {value!r}, which has no element "
                    f"{self.index}"
                )

    def get(self, group: dict[str, Any]) -> Any:
        value = group[self.name]
        return value if self.index is None else value[self.index]

    def set(self, group: dict[str, Any], value: Any) -> None:
        if self.index is None:
            group[self.name] = value
        else:
            items = list(group[self.name])
            items[self.index] = value
            group[self.name] = type(group[self.name])(items)
