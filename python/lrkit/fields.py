"""Declarative schedules: the one place a built-in schedule is written.

A built-in is a frozen dataclass subclass of :class:`Declared` whose fields say what they
accept; one generic ``__post_init__`` checks and normalises every field (errors name the
schedule, the argument, the value and the allowed range), then runs the class's cross-field
:meth:`Declared._validate`. Its public constructor is marked with :func:`constructor`, which
files it under the class's ``config_name`` in :data:`DECLARED`: ``lrkit.builtins`` registers
those, ``lrkit.engine`` lowers the class, and the tests draw random arguments from the fields::

    @dataclass(frozen=True, repr=False, eq=False)
    class Tanh(Declared):
        config_name: ClassVar[str] = "tanh"
        start: float = fields.real()
        end: float = fields.real()
        length: Duration = fields.duration()

    @constructor(Tanh)
    def tanh(start: float, end: float, length: Duration) -> Tanh: ...
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, TypeVar

from lrkit import _checks as check
from lrkit.schedule import COMPOSED_CACHE_ATTR, DEPTH_ATTR, MAX_DEPTH, Schedule, depth_of
from lrkit.units import MAX_STEPS

__all__ = [
    "CHECK",
    "CLASSES",
    "DECLARED",
    "KIND",
    "NAME",
    "Check",
    "Composite",
    "Declared",
    "child",
    "child_schedule",
    "child_schedules",
    "children",
    "choice",
    "constructor",
    "custom",
    "duration",
    "durations",
    "flag",
    "integer",
    "optional_duration",
    "optional_real",
    "positive",
    "real",
    "reals",
]

#: The key of a field's check in its ``dataclasses.field`` metadata.
CHECK = "lrkit_check"
#: The key of the argument's public name when the field's differs (``value_`` -> ``value``).
NAME = "lrkit_name"
#: What kind of argument a field takes (the tests draw random arguments by kind).
KIND = "lrkit_kind"

Check = Callable[[str, str, Any], Any]
F = TypeVar("F", bound=Callable[..., Schedule])

#: ``config_name -> public constructor`` of every declared built-in, in declaration order.
DECLARED: dict[str, Callable[..., Schedule]] = {}
#: ``config_name -> class`` of every declared built-in.
CLASSES: dict[str, type[Schedule]] = {}


def _field(kind: str, check_: Check, default: Any, name: str | None, **options: Any) -> Any:
    metadata = {CHECK: check_, KIND: kind, **({NAME: name} if name else {}), **options}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


_MISSING: Any = dataclasses.MISSING


def real(default: Any = _MISSING, *, name: str | None = None) -> Any:
    """A finite float."""
    return _field("real", check.real, default, name)


def optional_real(default: Any = None) -> Any:
    """A finite float, or None."""
    return _field("optional_real", check.optional_real, default, None)


def positive(default: Any = _MISSING) -> Any:
    """A finite float > 0."""
    return _field("positive", check.positive, default, None)


def duration(default: Any = _MISSING, *, minimum: int = 1) -> Any:
    """A step count ``>= minimum``, ``epochs(x)`` or ``fraction(x)``."""

    def check_(owner: str, name: str, value: Any) -> Any:
        return check.duration(owner, name, value, minimum=minimum)

    return _field("duration", check_, default, None, minimum=minimum)


def optional_duration(default: Any = None) -> Any:
    """A length (``duration``), or None."""

    def check_(owner: str, name: str, value: Any) -> Any:
        return None if value is None else check.duration(owner, name, value)

    return _field("optional_duration", check_, default, None)


def integer(
    default: Any = _MISSING, *, minimum: int, maximum: int = MAX_STEPS, optional: bool = False
) -> Any:
    """An int in ``[minimum, maximum]`` (or None when ``optional``)."""

    def check_(owner: str, name: str, value: Any) -> Any:
        if optional and value is None:
            return None
        return check.integer(owner, name, value, minimum=minimum, maximum=maximum)

    return _field("integer", check_, default, None, minimum=minimum, maximum=maximum)


def choice(options: Sequence[str], default: Any = _MISSING) -> Any:
    """One of ``options`` (said as ``'a' or 'b'`` for two, else ``one of <options>``)."""
    allowed = f"{options[0]!r} or {options[1]!r}" if len(options) == 2 else f"one of {options!r}"

    def check_(owner: str, name: str, value: Any) -> Any:
        if value not in options:
            raise ValueError(f"{owner}: {name} must be {allowed}, got {value!r}")
        return value

    return _field("choice", check_, default, None, options=tuple(options))


def flag(default: bool) -> Any:
    """A bool (any value is read as its truth)."""
    return _field("flag", lambda owner, name, value: bool(value), default, None)


def durations() -> Any:
    """A strictly increasing sequence of points in time (milestones, boundaries)."""
    return _field("durations", check.durations, _MISSING, None)


def reals(*, min_length: int = 1, name: str | None = None) -> Any:
    """A sequence of finite floats, at least ``min_length`` of them."""

    def check_(owner: str, name: str, value: Any) -> Any:
        return check.reals(owner, name, value, min_length=min_length)

    return _field("reals", check_, _MISSING, name, min_length=min_length)


def custom(check_: Check, *, kind: str, default: Any = _MISSING, name: str | None = None) -> Any:
    """A field checked by ``check_(owner, name, value)``, which returns the normalised value."""
    return _field(kind, check_, default, name)


def child_schedule(owner: str, name: str, value: Any) -> Schedule:
    """A schedule that may sit inside a combinator (not a ``per_group``)."""
    if not isinstance(value, Schedule):
        raise TypeError(f"{owner}: {name} must be a lrkit.Schedule, got {value!r}")
    if value.groups is not None:
        raise ValueError(
            f"{owner}: {name} is a per_group schedule; per_group must be the outermost schedule "
            "(apply the combinator to each group's schedule instead)"
        )
    return value


def child_schedules(
    owner: str, name: str, values: Any, *, min_length: int = 1
) -> tuple[Schedule, ...]:
    """A non-empty sequence of child schedules."""
    if isinstance(values, Schedule) or not isinstance(values, Iterable):
        raise TypeError(f"{owner}: {name} must be a sequence of schedules, got {values!r}")
    children = tuple(child_schedule(owner, f"{name}[{i}]", v) for i, v in enumerate(values))
    if len(children) < min_length:
        raise ValueError(f"{owner}: {name} needs at least {min_length} schedule(s), got none")
    return children


def child() -> Any:
    """A child schedule."""
    return _field("child", child_schedule, _MISSING, None)


def children() -> Any:
    """A non-empty sequence of child schedules."""
    return _field("children", child_schedules, _MISSING, None)


#: Levels a composite's composition may add above MAX_DEPTH (it is built from children that
#: passed the check, at first use).
COMPOSITION_LEVELS = 20
_composing = [0]  # the allowance in effect: COMPOSITION_LEVELS per composition being built


class Declared(Schedule):
    """Base of the declared built-ins: one generic check of every field, in field order."""

    #: The ``lrkit._core`` node class this schedule lowers to when that node's constructor takes
    #: the schedule's fields in declaration order, each lowered by its kind (a duration to
    #: steps, a child to its node, ...): ``lrkit.engine`` then needs no entry of its own. None:
    #: the lowering is written out in ``lrkit.engine`` (arguments that need more than their
    #: kind says), or the schedule runs as Python.
    node: ClassVar[str | None] = None
    #: Fields left out of configs and reprs while at their default (options added after a
    #: schedule was first released: its configs and checkpoints then read as before).
    quiet_defaults: ClassVar[frozenset[str]] = frozenset()

    def __post_init__(self) -> None:
        owner = type(self).config_name or type(self).__name__
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            check_: Check | None = f.metadata.get(CHECK)
            if check_ is not None:
                name = f.metadata.get(NAME, f.name)
                object.__setattr__(self, f.name, check_(owner, name, getattr(self, f.name)))
        self._check_depth(owner)
        self._validate()

    def _check_depth(self, owner: str) -> None:
        """Refuse a tree deeper than ``MAX_DEPTH`` levels (see :data:`lrkit.schedule.MAX_DEPTH`)."""
        deepest = 0
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if isinstance(item, Schedule):
                    deepest = max(deepest, depth_of(item))
        depth = deepest + 1
        if depth > MAX_DEPTH + _composing[0]:
            raise ValueError(
                f"{owner}: the schedule tree would be {depth} levels deep, deeper than lrkit's "
                f"limit of {MAX_DEPTH} (lrkit.schedule.MAX_DEPTH)"
            )
        object.__setattr__(self, DEPTH_ATTR, depth)

    def _validate(self) -> None:
        """Checks across fields (after every field is checked); none by default."""

    def arguments(self) -> dict[str, Any]:
        arguments = super().arguments()
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in self.quiet_defaults:
                value = getattr(self, f.name)
                if value == f.default and type(value) is type(f.default):
                    del arguments[f.name]
        return arguments


class Composite(Declared):
    """A schedule defined as a composition of other schedules (``_compose``), built once its
    lengths are in steps: it keeps its own arguments (compact configs under its own name,
    ``resolve()`` of epochs and fractions), builds the composition on first use and keeps it
    (the schedule is immutable). Parity schedules and ``one_cycle``/``wsd`` are written so."""

    def _compose(self) -> Schedule:
        raise NotImplementedError

    def _composed(self) -> Schedule:
        """The composition, built on first use and cached (never pickled or copied)."""
        cached: Schedule | None = self.__dict__.get(COMPOSED_CACHE_ATTR)
        if cached is None:
            # a composition adds a few levels around children that passed the depth check
            _composing[0] += COMPOSITION_LEVELS
            try:
                cached = self._compose()
            finally:
                _composing[0] -= COMPOSITION_LEVELS
            object.__setattr__(self, COMPOSED_CACHE_ATTR, cached)
        return cached

    def value(self, step: int) -> float:
        return self._composed()(step)


def constructor(cls: type[Schedule]) -> Callable[[F], F]:
    """Files the decorated function as the public constructor of ``cls`` (by its config name)."""
    name = cls.config_name
    if name is None:
        raise TypeError(f"{cls.__name__} has no config_name")

    def mark(factory: F) -> F:
        if name in DECLARED:
            raise ValueError(f"{name!r} is declared twice")
        DECLARED[name] = factory
        CLASSES[name] = cls
        return factory

    return mark
