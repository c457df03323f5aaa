"""What every drop-in shares: torch's ``LRScheduler`` protocol, values from engine tables.

A drop-in subclasses ``torch.optim.lr_scheduler.LRScheduler`` and keeps its machinery (the
constructor's initial step, ``last_epoch``, ``base_lrs``, ``_last_lr``, the step-order warnings,
``_get_closed_form_lr`` for ``SequentialLR`` and ``step(epoch)``), so torch's own
``SequentialLR``/``ChainedScheduler`` and Lightning drive it like one of torch's classes.

Its values come from a table of the class's closed form that the C++ engine fills a chunk at a
time. torch's *chainable* classes multiply the current ``group["lr"]``, which is how two
schedulers stepped on one optimizer compose; a drop-in reproduces that exactly: when a group's lr
is what the closed form gave at the previous step, nothing else touched it and the next value is
the closed form; otherwise the class applies torch's own recursion to the current lr.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from lrkit.combinators import per_group
from lrkit.engine import ChunkedTable, step_group_values
from lrkit.schedule import FloatArray, Schedule
from lrkit.torch import _torch_internals as torch_internals
from lrkit.units import MAX_STEPS

__all__ = [
    "TableScheduler",
    "get_lr_at_last_epoch",
    "per_group_values",
    "scalar",
    "sequence_of_ints",
    "warn_get_lr_outside_step",
]

#: The engine's caches (slots of the drop-ins, rebuilt on demand): a state_dict never has them,
#: and ``load_state_dict`` ignores them in a state written by hand.
_CACHES = (
    "_rows",
    "_fast_rows",
    "_fast_chunk",
    "_fast_start",
    "_fast_keys",
    "_fast_chained",
)


#: Methods of the step machinery: a subclass that overrides one of them steps through torch's
#: ``step()`` (the fast path reproduces these, not whatever replaces them).
_STEP_MACHINERY = (
    "step",
    "get_lr",
    "_update_lr",
    "_write",
    "_closed",
    "_table",
    "_get_closed_form_lr",
    "_momentum_row",
    "_set_momentum",
    "_fast_plan",
)


_NO_ROWS: FloatArray = np.empty((0, 0))
_MAX_FLOAT = sys.float_info.max


def scalar(value: Any) -> float:
    """A group value (float or 0-dim tensor) as a Python float."""
    return float(value.item()) if isinstance(value, torch.Tensor) else float(value)


def per_group_values(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """torch's convention for per-group arguments: one value, or a list/tuple with one per group."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups: {name} has "
                f"{len(value)} values, param_groups has {groups}"
            )
        return [v.clone() if isinstance(v, torch.Tensor) else v for v in value]
    return [value.clone() if isinstance(value, torch.Tensor) else value] * groups


def _scalar_or_0dim(value: Any) -> Any:
    """What torch fills a tensor lr with: a Python number, or a 1-element tensor as 0-dim."""
    if isinstance(value, torch.Tensor) and value.dim() != 0:
        return value.squeeze()
    return value


def warn_get_lr_outside_step(scheduler: LRScheduler) -> None:
    """torch's warning when ``get_lr()`` is called outside its step machinery."""
    if not torch_internals.get_lr_within_step(scheduler):
        warnings.warn(torch_internals.GET_LR_OUTSIDE_STEP, UserWarning, stacklevel=3)


_within_step = torch_internals.within_step


def get_lr_at_last_epoch(scheduler: LRScheduler) -> list[float]:
    """``_get_closed_form_lr`` of the classes that have none in torch (LambdaLR,
    MultiplicativeLR, CyclicLR, OneCycleLR): torch's ``step(epoch)`` and ``SequentialLR``'s
    restart then call ``get_lr()`` at the new ``last_epoch``, with its side effects (momentum)
    and errors (past OneCycleLR's total_steps)."""
    with _within_step(scheduler):
        return [scalar(v) for v in scheduler.get_lr()]


class TableScheduler(LRScheduler):
    """Base of the drop-ins whose learning rates are a closed form of ``last_epoch``.

    Subclasses implement :meth:`_schedule` (the closed form as an lrkit schedule) and, if torch's
    class is chainable, :meth:`_chain` (torch's recursion, used only when something else changed
    the lr since this scheduler's last step).
    """

    # The engine's caches live in slots, outside ``__dict__``: torch's state is every attribute
    # in ``__dict__`` but the optimizer, so a scheduler that loaded another's state_dict has the
    # same ``__dict__`` as that one, and copies and pickles carry no table.
    __slots__ = (
        "_fast_chained",
        "_fast_chunk",
        "_fast_keys",
        "_fast_start",
        "_rows",
    )

    #: torch's class multiplies the current lr (composes with other schedulers).
    chainable: ClassVar[bool] = True

    #: ``step()`` may write a row in one C call when that is what torch's path would do (see
    #: :meth:`_update_lr`). A subclass that overrides the step machinery (``_STEP_MACHINERY``)
    #: opts out unless it sets this itself, having made :meth:`_fast_plan` match its overrides.
    fast_step: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "fast_step" not in cls.__dict__ and any(
            name in cls.__dict__ for name in _STEP_MACHINERY
        ):
            cls.fast_step = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < -1:
            raise ValueError(f"last_epoch must be an int >= -1, got {last_epoch!r}")
        self._rows: ChunkedTable | None = None  # the closed form's rows (ChunkedTable.row_list)
        # the fast path's state (slots, read on every step): its rows (steps _fast_start ..),
        # the entries its column blocks go to (None: this class never takes it), chainable
        self._fast_chunk: FloatArray = _NO_ROWS
        self._fast_start = 0
        self._fast_keys: tuple[Any, ...] | None = ("lr",) if self.fast_step else None
        self._fast_chained = self.chainable
        # Resuming through the constructor: its initial step keeps the restored lr (torch guards
        # most chainable classes like this; StepLR, MultiStepLR and ConstantLR it forgets, and
        # decays twice when the restored step is a milestone).
        self._keep_restored_lr = last_epoch != -1
        super().__init__(optimizer, last_epoch)

    # -- what subclasses implement ------------------------------------------------------------

    def _schedule(self, bases: list[float]) -> Schedule | list[Schedule]:
        """The closed form: one schedule of multipliers of each group's base lr, or a list of
        absolute schedules, one per group."""
        raise NotImplementedError

    def _chain(self, group: int, step: int, lr: float) -> float:
        """torch's recursive update of a group's current ``lr`` at ``step`` (chainable classes)."""
        raise NotImplementedError

    # -- the closed form ----------------------------------------------------------------------

    def _table(self) -> ChunkedTable:
        if self._rows is None:
            bases = [scalar(b) for b in self.base_lrs]
            schedule = self._schedule(bases)
            if isinstance(schedule, Schedule):
                self._rows = ChunkedTable(schedule, base=bases)
            else:
                self._rows = ChunkedTable(per_group(list(schedule)))
        return self._rows

    def _closed(self, step: int) -> list[float]:
        """The closed-form row of ``step`` (the table's row cache, shared: do not modify it)."""
        if step < 0:
            return [scalar(b) for b in self.base_lrs]
        return (self._rows or self._table()).row_list(step)

    def _get_closed_form_lr(self) -> list[float]:
        return self._closed(self.last_epoch)

    def _add_groups(self) -> None:
        """Param groups added with ``optimizer.add_param_group`` since the last step: their lr
        is their base (``initial_lr``, as torch sets it), the table gains their columns, and a
        chainable class then carries them along by torch's recursion, as torch's own do."""
        groups = self.optimizer.param_groups
        if len(groups) < len(self.base_lrs):
            raise ValueError(
                f"{type(self).__name__}: the optimizer has {len(groups)} param groups, fewer "
                f"than the {len(self.base_lrs)} it had when this scheduler was built"
            )
        for group in groups[len(self.base_lrs) :]:
            lr = group["lr"]
            group.setdefault("initial_lr", lr.clone() if isinstance(lr, torch.Tensor) else lr)
            initial = group["initial_lr"]
            self.base_lrs.append(initial.clone() if isinstance(initial, torch.Tensor) else initial)
        self._forget_table()

    def get_lr(self) -> list[float | torch.Tensor]:
        warn_get_lr_outside_step(self)
        if len(self.optimizer.param_groups) != len(self.base_lrs):
            self._add_groups()
        step = self.last_epoch
        if not self.chainable:
            return list(self._closed(step))
        groups = self.optimizer.param_groups
        if self._keep_restored_lr:
            self._keep_restored_lr = False
            return [group["lr"] for group in groups]
        previous = self._closed(step - 1)  # first: it may start a new chunk that holds `step`
        values: list[float | torch.Tensor] = list(self._closed(step))
        if [group["lr"] for group in groups] == previous:  # one comparison in C: nobody else
            return values  # changed an lr (the groups hold the very floats of our last row)
        for g, (group, before) in enumerate(zip(groups, previous, strict=True)):
            lr = group["lr"]
            if lr.__class__ is not float:
                lr = scalar(lr)
            if lr != before:  # changed by someone else since our last step: torch's recursion
                values[g] = self._chain(g, step, lr)
        return values

    # -- the step -----------------------------------------------------------------------------

    def _fast_plan(self) -> tuple[ChunkedTable, tuple[Any, ...], int] | None:
        """What the fast path writes: a table, the entries its column blocks go to (one block
        of ``len(param_groups)`` columns each, ``"lr"`` first; a ``(name, i)`` entry replaces
        element ``i`` of a tuple), and the last step it may take; None: never."""
        return self._table(), ("lr",), MAX_STEPS

    def _next_fast_chunk(self, step: int, row: int) -> bool:
        """Rows from ``step`` (from ``step - 1`` for a chainable class, whose check needs the
        previous row) for the fast path, when ``row`` was outside the current ones; False when
        the fast path cannot take ``step`` (or refused it inside the rows: torch's turn)."""
        first = step - 1 if self.chainable else step
        if self._fast_start <= first and row < len(self._fast_chunk):
            return False  # the rows were there: the groups' state sent it to torch's path
        plan = self._fast_plan()
        if plan is None:  # never, until the state changes (_forget_table asks again)
            self._fast_keys = None
            return False
        if first < 0 or step > plan[2]:
            return False
        table, keys, last = plan
        table.compute(first)
        self._fast_chunk = table.chunk[: last + 1 - first]  # never past the last step
        self._fast_start = first
        self._fast_keys = keys
        return True

    def _update_lr(self, epoch: int | None = None) -> None:
        """torch 2.13's ``LRScheduler._update_lr`` (which its ``step()``, after the step-order
        warnings and ``_step_count``, and ``SequentialLR`` call), in one pass over the groups
        where torch makes three: the next values (``get_lr()``, or the closed form at
        ``epoch``) written into the groups (``fill_`` into tensor lrs), and ``_last_lr`` the
        groups' lrs after the writes (tensors cloned). (torch's contract: ``_torch_internals``;
        this hot path reads ``_is_initial`` and ``_get_lr_called_within_step`` directly.)

        The fast path writes the next row of the closed form in one C call when that is
        exactly what this would do: no ``epoch``, past the constructor's step (whose slow path
        sets torch's ``_get_lr_called_within_step``), not inside a ``get_lr()``, no param group
        added, a constructor's restored lr already kept, and every group's lr a float (a
        tensor lr is filled in place) equal, for a chainable class, to the closed form of the
        previous step (nothing else changed it: no recursion). ``last_epoch``, ``_last_lr`` and
        the groups then end as the slow path leaves them."""
        saved = self.last_epoch
        try:  # (no cost unless it raises)
            keys = self._fast_keys
            if (
                epoch is None
                and keys is not None
                and not self._is_initial  # the constructor's step leaves torch's attributes
                and not self._get_lr_called_within_step
            ):
                groups = self.optimizer.param_groups
                chained = self._fast_chained
                if len(groups) == len(self.base_lrs) and not (chained and self._keep_restored_lr):
                    step = self.last_epoch + 1
                    row = step - self._fast_start
                    written = step_group_values(groups, self._fast_chunk, row, keys, chained)
                    if written is None and self._next_fast_chunk(step, row):
                        row, keys = step - self._fast_start, self._fast_keys
                        assert keys is not None
                        written = step_group_values(groups, self._fast_chunk, row, keys, chained)
                    if written is not None:
                        self.last_epoch = step
                        self._last_lr = written  # type: ignore[assignment]  # floats (invariant list)
                        return
            values: Sequence[float | torch.Tensor]
            self._get_lr_called_within_step = True
            try:
                if epoch is None:
                    self.last_epoch += 1
                    values = self.get_lr()
                else:
                    self.last_epoch = epoch
                    values = self._get_closed_form_lr()
            finally:
                self._get_lr_called_within_step = False
            self._write(values)
        except BaseException:  # a step is atomic: a refused one leaves the scheduler as it was
            self.last_epoch = saved
            if torch_internals.called_from_torch_step(sys._getframe(1)):
                self._step_count -= 1  # torch's step() counted it before calling this
            raise

    def _write(self, values: Sequence[float | torch.Tensor]) -> None:
        """Set every group's lr (``fill_`` into a tensor lr) and ``_last_lr`` after the writes;
        a value that is not finite raises before anything is written. (A negative lr is
        written where torch's class writes one: its recursions and extrapolations, which the
        drop-ins reproduce.)"""
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            raise ValueError(
                f"{type(self).__name__} computed {len(values)} learning rates for "
                f"{len(groups)} param groups"
            )
        for g, lr in enumerate(values):
            value = lr if lr.__class__ is float else scalar(lr)
            if not -_MAX_FLOAT <= value <= _MAX_FLOAT:  # NaN fails both
                raise ValueError(
                    f"{type(self).__name__}: step {self.last_epoch}: param group {g}'s lr would "
                    f"be {value!r}; lrkit writes only finite values into an optimizer"
                )
        tensors = False
        for group, lr in zip(groups, values):  # noqa: B905  # checked: strict=True costs ~0.3 us
            current = group["lr"]
            # `__class__ is float` first: isinstance(x, torch.Tensor) costs ~100 ns
            if current.__class__ is not float and isinstance(current, torch.Tensor):
                current.fill_(_scalar_or_0dim(lr))
                tensors = True
            else:
                group["lr"] = lr
                if lr.__class__ is not float and isinstance(lr, torch.Tensor):
                    tensors = True
        # with tensors, after all writes (two groups may share one lr tensor), as torch does
        self._last_lr = (
            [g["lr"].clone() if isinstance(g["lr"], torch.Tensor) else g["lr"] for g in groups]
            if tensors
            else list(values)
        )

    def lr_at(self, step: int) -> list[float]:
        """The closed-form lr of every group at ``step`` (what an uncomposed run applies)."""
        return self._closed(step)

    # -- checkpoints --------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """torch's state: every attribute in ``__dict__`` but the optimizer (the engine's caches
        are slots, not in ``__dict__``)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update({k: v for k, v in state_dict.items() if k not in _CACHES})
        self._forget_table()  # the loaded hyper-parameters and base lrs define the table

    def _forget_table(self) -> None:
        self._rows = None
        self._fast_chunk = _NO_ROWS
        self._fast_start = 0
        self._fast_keys = ("lr",) if self.fast_step else None
        self._fast_chained = self.chainable

    def __getstate__(self) -> dict[str, Any]:
        # ``__dict__`` only: the caches (slots) are rebuilt on demand after a copy or unpickling
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._forget_table()


def sequence_of_ints(owner: str, name: str, values: Sequence[Any]) -> list[int]:
    result = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{owner}: {name} must be ints, got {list(values)!r}")
        result.append(int(v))
    return result
