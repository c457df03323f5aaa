"""Lowering schedules to the C++ engine and filling tables with it.

This module alone maps schedule classes to ``lrkit._core`` nodes: :func:`lower` is a
``functools.singledispatch`` function with one entry per built-in class; a child is lowered
through :func:`node_of`, the same cached path as the top of the tree, so every node of an
(immutable) schedule is built once. A schedule class without an entry (a plugin's schedule
written only in Python) lowers to a callback node that the engine calls once per block of up
to ``BLOCK`` steps with an int64 array of steps (``values(steps)``), so it also works nested
inside built-in combinators. A plugin that has its own C++ node registers it the same way::

    @lrkit.engine.lower.register
    def _(schedule: MySchedule) -> lrkit._core.Node: ...
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lrkit import _checks as check
from lrkit import combinators as comb
from lrkit import cycles, fields
from lrkit import primitives as prim
from lrkit._native import core
from lrkit.parity import hf as hf_parity
from lrkit.parity import timm as timm_parity
from lrkit.parity import torch as torch_parity
from lrkit.schedule import (
    NODE_CACHE_ATTR,
    FloatArray,
    IntArray,
    NonFiniteValueError,
    Schedule,
    add_note,
)
from lrkit.units import MAX_STEPS, Duration, steps_of

if TYPE_CHECKING:
    from lrkit._core import CyclicMode, HfWsdType, Node, TimmKind

__all__ = [
    "BLOCK",
    "ChunkedTable",
    "callback_node",
    "declared_node",
    "fill_group_buffer",
    "lower",
    "node_of",
    "nodes_of",
    "pack_bases",
    "set_group_values",
    "step_group_values",
    "table",
]

#: Steps per engine block: the unit of scratch memory and of Python call-backs.
BLOCK: int = core.BLOCK


@functools.singledispatch
def lower(schedule: Schedule) -> Node:
    """The C++ node of ``schedule`` (uncached: use :func:`node_of`): the declared node of a
    :class:`~lrkit.fields.Declared` class that names one (``node``), else a Python callback
    that evaluates the schedule one block of steps at a time."""
    if isinstance(schedule, fields.Declared) and type(schedule).node is not None:
        return declared_node(schedule)
    return callback_node(schedule)


_default_lowering = lower.dispatch(Schedule)


def node_of(schedule: Schedule) -> Node:
    """The (cached) C++ node of a schedule. Schedules are immutable, so the node never changes."""
    lowering = lower.dispatch(type(schedule))
    if lowering is _default_lowering and not _declares_node(schedule):
        # Not cached: the callback refers to the schedule, and a cycle through C++ never frees.
        return callback_node(schedule)
    cached: Node | None = schedule.__dict__.get(NODE_CACHE_ATTR)
    if cached is None:
        cached = lowering(schedule)
        object.__setattr__(schedule, NODE_CACHE_ATTR, cached)
    return cached


def _declares_node(schedule: Schedule) -> bool:
    return isinstance(schedule, fields.Declared) and type(schedule).node is not None


def _steps(where: str, value: Duration) -> int:
    return steps_of(value, where)


#: How a field of each kind becomes a node constructor's argument (``where`` names it in errors).
_ARGUMENT_OF_KIND: dict[str, Callable[[str, Any], Any]] = {
    "real": lambda where, value: value,
    "optional_real": lambda where, value: value,
    "positive": lambda where, value: value,
    "integer": lambda where, value: value,
    "flag": lambda where, value: value,
    "reals": lambda where, value: list(value),
    "duration": _steps,
    "optional_duration": lambda where, value: None if value is None else steps_of(value, where),
    "durations": lambda where, values: [steps_of(v, where) for v in values],
    "child": lambda where, value: node_of(value),
    "children": lambda where, values: [node_of(v) for v in values],
}


def declared_node(schedule: fields.Declared) -> Node:
    """``core.<node>(*fields)``: the node a declared class names, its arguments the schedule's
    fields in declaration order, each lowered by its kind."""
    cls = type(schedule)
    arguments = []
    for f in dataclasses.fields(schedule):  # type: ignore[arg-type]
        kind = f.metadata[fields.KIND]
        if kind not in _ARGUMENT_OF_KIND:
            raise TypeError(
                f"{cls.__name__}.{f.name}: a {kind!r} field has no declared lowering; write the "
                "lowering in lrkit.engine (@lower.register) or set node = None"
            )
        where = f"{cls.config_name}({f.metadata.get(fields.NAME, f.name)}=...)"
        arguments.append(_ARGUMENT_OF_KIND[kind](where, getattr(schedule, f.name)))
    node: Node = getattr(core, cls.node or "")(*arguments)
    return node


def _cyclic_mode(name: str) -> CyclicMode:
    mode: CyclicMode = getattr(core.CyclicMode, name)
    return mode


# -- lowerings written out: arguments that need more than their kind says -----------------------


@lower.register(prim.PiecewiseLinear)
def _piecewise_linear(s: prim.PiecewiseLinear) -> Node:
    steps, values = s._points()
    check.increasing("piecewise_linear", "knot steps", steps)
    return core.PiecewiseLinear(steps, values)


# -- combinators (csrc/combinators.hpp): children through the cached node_of ------------------


@lower.register(comb.Warmup)
def _warmup(s: comb.Warmup) -> Node:
    length = steps_of(s.length, "warmup(length=...)")
    shape = getattr(core.WarmupShape, _WARMUP_SHAPES[s.shape])
    return core.Warmup(node_of(s.schedule), length, s.start, s.mode == "prefix", shape, s.exponent)


#: ``warmup(shape=...)`` -> the name of its ``lrkit._core.WarmupShape``.
_WARMUP_SHAPES = {"1-sqrt": "one_minus_sqrt", **{n: n for n in comb.WARMUP_SHAPES if n != "1-sqrt"}}


@lower.register(comb.Clip)
def _clip(s: comb.Clip) -> Node:
    low = float("-inf") if s.low is None else s.low
    high = float("inf") if s.high is None else s.high
    return core.Clip(node_of(s.schedule), low, high)


@lower.register(comb.PerGroup)
def _per_group(s: comb.PerGroup) -> Node:
    raise TypeError("per_group has no single node; lrkit.engine lowers each group")


# -- cycles (csrc/cycles.hpp) -----------------------------------------------------------------


@lower.register(cycles.CosineRestarts)
def _cosine_restarts(s: cycles.CosineRestarts) -> Node:
    period = steps_of(s.period, "cosine_restarts(period=...)")
    limit = -1 if s.limit is None else s.limit
    return core.CosineRestarts(s.start, s.end, period, s.period_mult, s.decay, limit)


@lower.register(cycles.Cyclic)
def _cyclic(s: cycles.Cyclic) -> Node:
    up, down = s._lengths()
    return core.Cyclic(s.low, s.high, up, down, _cyclic_mode(s.mode), s.gamma)


@lower.register(fields.Composite)
def _composite(s: fields.Composite) -> Node:
    return node_of(s._composed())


# -- HF transformers' lambdas (csrc/hf_parity.hpp) -------------------------------------------


def _hf_wsd_type(name: str) -> HfWsdType:
    shape: HfWsdType = getattr(core.HfWsdType, "one_minus_sqrt" if name == "1-sqrt" else name)
    return shape


@lower.register(hf_parity.HfCurve)
def _hf_curve(s: hf_parity.HfCurve) -> Node:
    return core.HfCurve(
        kind=getattr(core.HfKind, s.kind),
        warmup=float(s.warmup),
        training=float(s.training),
        cycles=s.cycles,
        min_rate=s.min_rate,
        lr_end=s.lr_end,
        lr_init=s.lr_init,
        power=s.power,
        timescale=float(s.timescale),
        warmup_lr_rate=math.nan if s.warmup_lr_rate is None else s.warmup_lr_rate,
        stable=float(s.stable),
        decay=float(s.decay),
        warmup_type=_hf_wsd_type(s.warmup_type),
        decay_type=_hf_wsd_type(s.decay_type),
    )


# -- timm's schedulers (csrc/timm_parity.hpp) ------------------------------------------------

#: Each timm schedule class -> the name of its ``lrkit._core.TimmKind``.
_TIMM_KINDS: dict[type, str] = {
    timm_parity.Cosine: "cosine",
    timm_parity.Poly: "poly",
    timm_parity.Tanh: "tanh",
    timm_parity.Step: "step",
    timm_parity.MultiStep: "multistep",
    timm_parity.Wsd: "wsd",
}


@lower.register(timm_parity.TimmCurve)
def _timm_curve(s: timm_parity.TimmCurve) -> Node:
    """The owner's arguments, each kind reading its own (the others at neutral values). Noise:
    timm's draws are a Python call-back asked for the noisy steps only."""
    o: Any = s.owner
    if type(o) not in _TIMM_KINDS:  # a subclass may change the formulas: its Python reference
        return callback_node(s)
    kind: TimmKind = getattr(core.TimmKind, _TIMM_KINDS[type(o)])
    wsd, multistep = isinstance(o, timm_parity.Wsd), isinstance(o, timm_parity.MultiStep)
    noise = None
    if o.noise_range_t is not None:
        draws = timm_parity.NoiseDraws(seed=o.noise_seed, pct=o.noise_pct, std=o.noise_std)
        noise = callback_node(draws)  # no reference back to the owner: the node may be cached
    start, end = timm_parity.noise_steps(o.noise_range_t)
    return core.TimmCurve(
        kind=kind,
        base_lr=o.base_lr,
        warmup_t=o.warmup_t,
        warmup_lr_init=o.warmup_lr_init,
        warmup_prefix=getattr(o, "warmup_prefix", True),
        t_initial=getattr(o, "t_initial", 1),
        lr_min=getattr(o, "lr_min", 0.0),
        cycle_mul=getattr(o, "cycle_mul", 1.0),
        cycle_decay=getattr(o, "cycle_decay", 1.0),
        cycle_limit=getattr(o, "cycle_limit", 1),
        k_decay=getattr(o, "k_decay", 1.0),
        power=getattr(o, "power", 1.0),
        lb=getattr(o, "lb", -7.0),
        ub=getattr(o, "ub", 3.0),
        decay_t=1.0 if multistep else float(getattr(o, "decay_t", 1.0)),
        decay_rate=getattr(o, "decay_rate", 1.0),
        milestones=list(o.decay_t) if multistep else [],
        stable_fn=getattr(core.TimmStable, o.stable_fn if wsd else "constant"),
        stable_timescale=float(o._timescale()) if wsd else 1.0,
        stable_power=getattr(o, "stable_power", 0.5),
        decay_fn=getattr(core.TimmDecay, _TIMM_DECAYS[o.decay_fn] if wsd else "linear"),
        decay_power=getattr(o, "decay_power", 0.5),
        decay_ratio=getattr(o, "decay_ratio", 0.1),
        noise=noise,
        noise_start=start,
        noise_end=end,
    )


#: ``timm.wsd(decay_fn=...)`` -> the name of its ``lrkit._core.TimmDecay``.
_TIMM_DECAYS = {n: "one_minus_sqrt" if n == "1-sqrt" else n for n in timm_parity._DECAY_FNS}


# -- torch's closed forms (csrc/torch_parity.hpp) ---------------------------------------------


@lower.register(torch_parity.Phases)
def _torch_phases(s: torch_parity.Phases) -> Node:
    return core.TorchPhases(list(s.points), list(s.ends), s.anneal == "cos", s.total)


@lower.register(torch_parity.CyclicTriangle)
def _torch_cyclic(s: torch_parity.CyclicTriangle) -> Node:
    mode = _cyclic_mode(s.mode)
    return core.TorchCyclic(s.low, s.high, s.up, s.down, mode, s.gamma, s.by_cycle, s.inverted)


def nodes_of(schedule: Schedule) -> list[Node]:
    """The C++ node of a schedule, or of each group of a ``per_group``. Lowering raises the
    unresolved-duration error, naming the argument, without evaluating any step."""
    groups = getattr(schedule, "schedules", None) if schedule.groups is not None else None
    return [node_of(s) for s in groups] if groups is not None else [node_of(schedule)]


def callback_node(schedule: Schedule) -> Node:
    """A node that evaluates a Python-only schedule one block at a time."""

    def block_values(steps: IntArray) -> FloatArray:
        try:
            raw = schedule.values(steps)
        except Exception as exc:
            if not any("lrkit: raised by" in note for note in getattr(exc, "__notes__", ())):
                add_note(
                    exc,
                    f"lrkit: raised by {type(schedule).__name__}.values for steps "
                    f"{int(steps[0])} .. {int(steps[-1])}",
                )
            raise
        if raw is None or np.ndim(raw) != 1:  # a scalar is not one value per step
            raise TypeError(
                f"{type(schedule).__name__}.values must return a 1-d array with one value per "
                f"step, got {type(raw).__name__} {np.shape(raw) if raw is not None else ''}"
                f"for {len(steps)} steps (from step {int(steps[0])})"
            )
        values = np.ascontiguousarray(raw, dtype=np.float64)
        if values.shape != steps.shape:
            raise ValueError(
                f"{type(schedule).__name__}.values returned shape {values.shape} for "
                f"{len(steps)} steps (from step {int(steps[0])})"
            )
        return values

    return core.Callback(block_values)


def table(
    schedule: Schedule,
    n: int,
    *,
    start: int = 0,
    base: Sequence[float] | npt.ArrayLike | None = None,
    out: FloatArray | None = None,
) -> FloatArray:
    """See :meth:`lrkit.Schedule.table`."""
    n = _count("n", n)
    start = _count("start", start)
    if start + n - 1 > MAX_STEPS:
        raise ValueError(
            f"steps must be <= 2**53 (MAX_STEPS), got start={start} and n={n} (last step "
            f"{start + n - 1})"
        )
    base_array = None if base is None else _base(base)
    groups = schedule.groups
    if groups is not None and base_array is not None and len(base_array) != groups:
        raise ValueError(
            f"base has {len(base_array)} values but the per_group schedule has {groups} groups"
        )
    columns = groups if groups is not None else (None if base_array is None else len(base_array))
    shape: tuple[int, ...] = (n,) if columns is None else (n, columns)
    if out is None:
        out = _allocate(shape)
    elif not isinstance(out, np.ndarray) or out.shape != shape:
        got = out.shape if isinstance(out, np.ndarray) else type(out).__name__
        raise ValueError(f"out must be a numpy array of shape {shape}, got {got}")
    if base_array is not None and np.shares_memory(base_array, out):
        base_array = base_array.copy()  # out is written while base is read
    bad = _fill(schedule, start, base_array, out)
    if bad >= 0:
        raise _non_finite(schedule, start, out, bad)
    return out


def _fill(schedule: Schedule, start: int, base: FloatArray | None, out: FloatArray) -> int:
    """Fill ``out`` (rows from step ``start``); the flat index of its first non-finite value,
    or -1."""
    if out.ndim == 1:
        return int(core.fill(node_of(schedule), start, out))
    return int(core.fill_groups(nodes_of(schedule), start, base, out))


def _non_finite(schedule: Schedule, start: int, out: FloatArray, bad: int) -> NonFiniteValueError:
    columns = out.shape[1] if out.ndim == 2 else 0
    row, column = divmod(bad, columns) if columns else (bad, 0)
    where = f"step {start + row}" + (f", group {column}" if columns else "")
    return NonFiniteValueError(f"{schedule!r} produced {out.flat[bad]} at {where}")


def _allocate(shape: tuple[int, ...]) -> FloatArray:
    try:
        return np.empty(shape, dtype=np.float64)
    except (MemoryError, ValueError) as exc:
        size = 8 * int(np.prod(shape, dtype=object))
        raise MemoryError(
            f"a table of shape {shape} takes {size / 2**30:,.1f} GiB of float64; compute it in "
            "chunks (table(n, start=k), or lrkit.engine.ChunkedTable) or pass a smaller n"
        ) from exc


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if int(value) < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return int(value)


def _base(base: Sequence[float] | npt.ArrayLike) -> FloatArray:
    try:
        array = np.asarray(base, dtype=np.float64)  # (ascontiguousarray would make 0-d 1-d)
    except OverflowError:
        raise ValueError("base must be finite: it holds an int beyond float64's range") from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"base must be a sequence of numbers, got {base!r}") from exc
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(
            f"base must be a non-empty 1-d sequence of numbers, got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"base must be finite, got {array.tolist()!r}")
    return np.ascontiguousarray(array)


class ChunkedTable:
    """Rows of ``schedule.table(..., base=base)`` computed ahead by the engine, one chunk of
    about 1 MiB at a time: reading consecutive steps costs an array index, and memory stays
    bounded however long the run. Rows are bit-identical to any other table of the schedule.

    It is the one row cache of its consumers (lrkit.torch's ``Scheduler``, drop-ins and
    ``adjust_learning_rate``): :attr:`chunk` for a C call over a row, :meth:`row_list` for rows
    as Python floats (the chunk converted once, for every reader)."""

    def __init__(
        self,
        schedule: Schedule,
        *,
        base: Sequence[float] | npt.ArrayLike | None = None,
        rows: int | None = None,
    ) -> None:
        self.schedule = schedule
        self.base = None if base is None else _base(base)
        groups = schedule.groups
        if groups is not None and self.base is not None and len(self.base) != groups:
            raise ValueError(
                f"base has {len(self.base)} values but the per_group schedule has {groups} groups"
            )
        width = schedule.groups or (len(self.base) if self.base is not None else None)
        # the shape of a row, as table() makes it: () for a plain schedule without base
        self._row_shape: tuple[int, ...] = () if width is None else (width,)
        columns = width or 1
        self.rows = rows if rows is not None else max(16, min(BLOCK, (1 << 17) // columns))
        self._start = 0
        self._chunk: FloatArray = np.empty((0, *self._row_shape))
        self._lists: list[list[float]] = []  # the chunk's rows as Python lists, once read

    @property
    def chunk(self) -> FloatArray:
        """The rows computed last (steps ``chunk_start ..``)."""
        return self._chunk

    @property
    def chunk_start(self) -> int:
        return self._start

    def offset(self, step: int) -> int:
        """The index of ``step`` in :attr:`chunk`, computing a new chunk from ``step`` if needed."""
        offset = step - self._start
        if 0 <= offset < len(self._chunk):
            return offset
        self.compute(step)
        return 0

    def compute(self, start: int) -> None:
        """Compute the chunk that starts at step ``start``, whatever the current one holds.

        The chunk ends before the first step with a non-finite value: the error is raised by
        the computation that starts at that step (a reader fails at the step that uses it, not
        at the first step of a chunk that contains it)."""
        if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= MAX_STEPS:
            raise ValueError(f"steps must be ints in 0 .. 2**53 (MAX_STEPS), got {start!r}")
        rows = max(1, min(self.rows, MAX_STEPS + 1 - start))  # never past the last step
        columns = self._row_shape
        chunk = _allocate((rows, *columns))
        bad = _fill(self.schedule, start, self.base, chunk)
        if bad >= 0:
            row = bad // columns[0] if columns else bad
            if row == 0:
                raise _non_finite(self.schedule, start, chunk, bad)
            chunk = chunk[:row]
        self._chunk = chunk
        self._start = start
        self._lists = []

    def row(self, step: int) -> FloatArray:
        """The row of ``step`` (a view into the current chunk)."""
        offset = self.offset(step)  # first: it may replace the chunk
        row: FloatArray = self._chunk[offset]
        return row

    def row_list(self, step: int) -> list[float]:
        """The row of ``step`` as Python floats, one per column (shared by every reader: do not
        modify it). The chunk is converted to lists once, on its first read."""
        offset = step - self._start
        lists = self._lists
        if 0 <= offset < len(lists):
            return lists[offset]
        offset = self.offset(step)  # first: it may replace the chunk
        if not self._lists:
            self._lists = self._chunk.reshape(len(self._chunk), -1).tolist()
        return self._lists[offset]


# The engine's param-group writers (csrc/bind_groups.cpp), for lrkit.torch: the torch layer
# reaches the compiled engine only through this module.
set_group_values = core.set_group_values
fill_group_buffer = core.fill_group_buffer
pack_bases = core.pack_bases
step_group_values = core.step_group_values
