"""The ``Schedule`` base class: an immutable function ``step -> value``.

Every schedule has three faces:

* ``s(step)``: the pure-Python reference (plain ``math``), the executable specification;
* ``s.table(n, start=0, base=None)``: values of many steps at once from the C++ engine;
* ``s.to_config()``: plain data that ``lrkit.create`` turns back into an equal schedule.

Built-in schedules are frozen dataclasses. A schedule written only in Python subclasses
``Schedule``, stores its constructor's keyword arguments as attributes of the same names and
implements ``value(step)`` (optionally the vectorised ``values(steps)``)::

    class Halving(lrkit.Schedule):
        def __init__(self, start: float, every: int):
            self.start, self.every = start, every

        def value(self, step: int) -> float:
            return self.start * 0.5 ** (step // self.every)
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from lrkit.units import MAX_STEPS, Epochs, Fraction, to_steps

__all__ = [
    "COMPOSED_CACHE_ATTR",
    "MAX_DEPTH",
    "NODE_CACHE_ATTR",
    "ORIGIN_ATTR",
    "ConfigCodec",
    "FloatArray",
    "IntArray",
    "NonFiniteValueError",
    "Schedule",
    "add_note",
    "depth_of",
    "encode",
    "set_field",
    "use_codec",
]

FloatArray = npt.NDArray[np.float64]

#: Instance attribute holding the config a schedule was created from by name (``lrkit.create``),
#: when that differs from the config of its own tree (a plugin's composition of built-ins).
ORIGIN_ATTR = "_lrkit_origin"
IntArray = npt.NDArray[np.int64]


#: Where lrkit.engine caches a schedule's C++ node (never pickled or copied).
NODE_CACHE_ATTR = "_lrkit_node"
#: Where a schedule defined as a composition of built-ins caches it (never pickled or copied).
COMPOSED_CACHE_ATTR = "_lrkit_composed"
#: A declared schedule's depth (levels of its tree, a leaf is 1), set at construction.
DEPTH_ATTR = "_lrkit_depth"
_CACHE_ATTRS = frozenset({NODE_CACHE_ATTR, COMPOSED_CACHE_ATTR})

#: The deepest schedule tree lrkit builds (a leaf is 1 level): construction refuses a deeper
#: one, so that repr, ==, hash, configs, checkpoints and lowering (all recursive, in Python)
#: never meet Python's recursion limit. Real schedules are a few levels deep. (The C++ engine's
#: own limit, 10,000 levels of raw ``lrkit._core`` nodes, is far above it.)
MAX_DEPTH = 100


def depth_of(schedule: Schedule) -> int:
    """The depth of a schedule's tree as checked at construction (1 for a schedule written
    only in Python, whose children lrkit does not see)."""
    depth: int = schedule.__dict__.get(DEPTH_ATTR, 1) if hasattr(schedule, "__dict__") else 1
    return depth


class ConfigCodec(Protocol):
    """What ``to_config()`` / ``resolve()`` need from the registry, which the Model does not
    import: :data:`lrkit.plugins.CATALOG` installs itself with :func:`use_codec` on import."""

    def name_of(self, schedule: Schedule) -> str: ...

    def create(self, config: Mapping[str, Any]) -> Schedule: ...

    def resolve_config(
        self, config: Any, *, total_steps: int | None, steps_per_epoch: int | None
    ) -> Any: ...


_installed_codec: list[ConfigCodec] = []


def use_codec(codec: ConfigCodec) -> None:
    """Make ``codec`` the one ``to_config()`` and ``resolve()`` use (the loaded catalog)."""
    _installed_codec[:] = [codec]


def _codec() -> ConfigCodec:
    if not _installed_codec:  # only `import lrkit` can get here without it: it imports one
        raise LookupError("no schedule catalog is installed (import lrkit first)")
    return _installed_codec[0]


class NonFiniteValueError(ValueError):
    """A schedule produced NaN or an infinity (for example ``exponential`` overflowing)."""


class Schedule:
    """Base class of all schedules. Subclasses implement :meth:`value`."""

    #: The registry name of built-in schedules (plugins get theirs from the registry).
    config_name: ClassVar[str | None] = None

    # -- what subclasses implement ------------------------------------------------------------

    def value(self, step: int) -> float:
        """The value at ``step`` (an int >= 0). The reference formula of the schedule."""
        raise NotImplementedError(f"{type(self).__name__} must implement value(step)")

    def values(self, steps: IntArray) -> FloatArray:
        """Values at an array of steps. Override with a vectorised form when there is one.
        An exception from :meth:`value` carries a note naming the step."""
        out = np.empty(len(steps), dtype=np.float64)
        for i, t in enumerate(steps.tolist()):
            try:
                out[i] = self.value(t)
            except Exception as exc:
                add_note(exc, f"lrkit: raised by {type(self).__name__}.value at step {t}")
                raise
        return out

    # -- public API ---------------------------------------------------------------------------

    def __call__(self, step: int) -> float:
        """Value at ``step`` from the pure-Python reference; raises on a non-finite result."""
        t = _check_step(step)
        try:
            result = float(self.value(t))
        except OverflowError as exc:
            raise NonFiniteValueError(f"{self!r} overflows at step {t}") from exc
        except Exception as exc:
            add_note(exc, f"lrkit: raised by {type(self).__name__}.value at step {t}")
            raise
        if not math.isfinite(result):
            raise NonFiniteValueError(f"{self!r} produced {result} at step {t}")
        return result

    @property
    def groups(self) -> int | None:
        """Number of param groups with their own values (``per_group``), else None."""
        return None

    def plot(
        self,
        steps: int,
        *,
        ax: Any = None,
        label: str | None = None,
        log: bool = False,
        steps_per_epoch: int | None = None,
    ) -> Any:
        """Draw steps ``0 .. steps - 1`` on the matplotlib Axes ``ax`` (a new figure's when
        None) and return the Axes: for notebooks. Needs matplotlib (``pip install
        'lrkit[plot]'``); a ``per_group`` schedule draws one line per group.

        >>> ax = cosine(start=1.0, end=0.0, length=100).plot(100)   # doctest: +SKIP
        """
        from lrkit.plot import plot_on

        return plot_on(self, steps, ax=ax, label=label, log=log, steps_per_epoch=steps_per_epoch)

    def table(
        self,
        n: int,
        *,
        start: int = 0,
        base: Sequence[float] | npt.ArrayLike | None = None,
        out: FloatArray | None = None,
    ) -> FloatArray:
        """Values of steps ``start .. start + n - 1`` computed by the C++ engine (GIL released).

        Shape ``(n,)``; ``(n, G)`` when ``base`` holds G per-group base values (row ``r``,
        column ``g`` is ``base[g] * s(start + r)``) or when the schedule is a ``per_group``.
        ``out`` may be a preallocated C-contiguous float64 array of that shape.
        """
        from lrkit.engine import table

        return table(self, n, start=start, base=base, out=out)

    def to_config(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data: ``{"name": ..., **arguments}`` (nested for children)."""
        origin = _origin(self)
        if origin is not None:
            return copy.deepcopy(origin)
        name = type(self).config_name or _codec().name_of(self)
        return {"name": name, **{k: encode(v) for k, v in self.arguments().items()}}

    def resolve(
        self, *, total_steps: int | None = None, steps_per_epoch: int | None = None
    ) -> Schedule:
        """A copy with every ``epochs(x)`` / ``fraction(x)`` turned into a number of steps."""
        if total_steps is not None:
            total_steps = _positive_int("total_steps", total_steps)
        if steps_per_epoch is not None:
            steps_per_epoch = _positive_int("steps_per_epoch", steps_per_epoch)
        origin = _origin(self)
        if origin is not None:  # created by name: resolve the config, build it again by name
            codec = _codec()
            resolved_config = codec.resolve_config(
                origin, total_steps=total_steps, steps_per_epoch=steps_per_epoch
            )
            return self if resolved_config == origin else codec.create(resolved_config)
        arguments = self.arguments()
        resolved = {
            name: _resolve_value(
                value,
                total_steps=total_steps,
                steps_per_epoch=steps_per_epoch,
                where=f"{self._label()}({name}=...)",
            )
            for name, value in arguments.items()
        }
        if all(resolved[k] is arguments[k] for k in arguments):
            return self
        return self._rebuilt(resolved)

    def _rebuilt(self, arguments: dict[str, Any]) -> Schedule:
        """A new schedule of this type from :meth:`arguments`-style keyword arguments."""
        return type(self)(**arguments)

    def arguments(self) -> dict[str, Any]:
        """The constructor's keyword arguments, read back from the instance."""
        if dataclasses.is_dataclass(self):
            return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        names = _init_parameter_names(type(self))
        missing = [n for n in names if not hasattr(self, n)]
        if missing:
            raise TypeError(
                f"{type(self).__name__}.__init__ takes {missing} but does not store them as "
                "attributes of the same names, which lrkit needs to serialise the schedule"
            )
        return {n: getattr(self, n) for n in names}

    # -- value semantics ----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Schedule)
        return bool(_freeze(self.arguments()) == _freeze(other.arguments()))

    def __hash__(self) -> int:
        return hash((type(self), _freeze(self.arguments())))

    def __getstate__(self) -> dict[str, Any]:
        # Cached nodes and compositions are rebuilt on demand: pickles and deep copies hold
        # arguments only.
        return {k: v for k, v in self.__dict__.items() if k not in _CACHE_ATTRS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.arguments().items())
        return f"{self._label()}({args})"

    def _label(self) -> str:
        return type(self).config_name or type(self).__name__


def add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)`` (Python 3.11+; on 3.10 the note is kept in ``__notes__``)."""
    adder = getattr(error, "add_note", None)
    if adder is not None:
        adder(note)
    else:
        error.__notes__ = [*getattr(error, "__notes__", ()), note]  # type: ignore[attr-defined]


def set_field(schedule: Schedule, name: str, value: Any) -> None:
    """Set a field of a frozen dataclass schedule (its ``__post_init__`` normalises arguments)."""
    object.__setattr__(schedule, name, value)


def _origin(schedule: Schedule) -> dict[str, Any] | None:
    origin: dict[str, Any] | None = getattr(schedule, "__dict__", {}).get(ORIGIN_ATTR)
    return origin


def _check_step(step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step must be an int, got {step!r}")
    t = int(step)
    if t < 0:
        raise ValueError(f"step must be >= 0, got {t}")
    if t > MAX_STEPS:
        raise ValueError(f"step must be <= 2**53 (MAX_STEPS), got {t}")
    return t


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    if int(value) > MAX_STEPS:
        raise ValueError(
            f"{name} must be <= 2**53 (MAX_STEPS), got an int of {len(str(value))} digits"
        )
    return int(value)


def _init_parameter_names(cls: type) -> list[str]:
    params = inspect.signature(cls).parameters.values()
    return [
        p.name
        for p in params
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


def _resolve_value(
    value: Any, *, total_steps: int | None, steps_per_epoch: int | None, where: str
) -> Any:
    if isinstance(value, Schedule):
        return value.resolve(total_steps=total_steps, steps_per_epoch=steps_per_epoch)
    if isinstance(value, (Epochs, Fraction)):
        return to_steps(
            value, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where
        )
    if isinstance(value, (list, tuple)):
        items = [
            _resolve_value(v, total_steps=total_steps, steps_per_epoch=steps_per_epoch, where=where)
            for v in value
        ]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    return value


def encode(value: Any) -> Any:
    """Plain data for a constructor argument (schedules, durations, sequences, numbers)."""
    if isinstance(value, Schedule):
        return value.to_config()
    if isinstance(value, Epochs):
        return {"epochs": _plain_number(value.value)}
    if isinstance(value, Fraction):
        return {"fraction": value.value}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _plain_number(value: float) -> float | int:
    """A whole number of epochs as written (``{"epochs": 10}``, not ``10.0``)."""
    return int(value) if value.is_integer() else value


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value
