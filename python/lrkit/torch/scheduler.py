"""``lrkit.torch.Scheduler``: any lrkit schedule driving any param-group entry of a torch
optimizer, one table row per ``step()``."""

from __future__ import annotations

import math
import numbers
import sys
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

import lrkit
from lrkit.combinators import PerGroup, per_group
from lrkit.engine import (
    ChunkedTable,
    fill_group_buffer,
    nodes_of,
    pack_bases,
    set_group_values,
)
from lrkit.schedule import FloatArray, Schedule
from lrkit.torch._torch_internals import check_step_order, track_optimizer_steps
from lrkit.torch.keys import GroupKey
from lrkit.units import MAX_STEPS

STATE_VERSION = 1

_MAX_FLOAT = sys.float_info.max


class Scheduler(LRScheduler):
    """Sets ``param_group[key]`` from an lrkit schedule at every ``step()``.

    ``schedule`` is one schedule for every group, or a list with one per group (or a
    ``lrkit.per_group``); a config such as ``{"name": "cosine", ...}`` (any registered name,
    plugins' too) stands for ``lrkit.create(config)``. With ``relative=True`` the values
    multiply each group's initial value (``initial_lr`` for ``"lr"``, as torch's schedulers
    do; ``initial_<key>`` otherwise), so ``group[key] = initial[g] * schedule(t)``; with
    ``relative=False`` they are absolute.

    Like torch's schedulers, construction applies the value of step ``last_step + 1`` (0 by
    default) and every ``step()`` advances one step. ``step()`` writes the next row of a table the
    C++ engine computes ahead in chunks, in one C call: its cost does not depend on the schedule.
    A value that is negative or not finite never reaches the optimizer: that step raises
    ``ValueError`` and the scheduler stays at the step before.
    ``tensor_lr=True`` makes every group's value a 0-dim float64 tensor view into one shared
    buffer, so a step is a single ``copy_`` (no recompiles under ``torch.compile``).

    ``state_dict()`` is plain data (the schedule's config, the step, the base values, the key);
    ``load_state_dict`` on a freshly built scheduler continues bit for bit where the saved one
    stopped.

    >>> sched = lrkit.torch.Scheduler(opt, lrkit.warmup(lrkit.cosine(1.0, 0.0, 9000), 1000))
    >>> for batch in data: loss(batch).backward(); opt.step(); sched.step()
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: Schedule | Mapping[str, Any] | Sequence[Schedule | Mapping[str, Any]],
        *,
        key: str = "lr",
        relative: bool = True,
        steps_per_epoch: int | None = None,
        total_steps: int | None = None,
        tensor_lr: bool = False,
        last_step: int = -1,
        resume_schedule: ResumePolicy = "refuse",
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {optimizer!r}")
        if not _is_int(last_step) or not -1 <= last_step <= MAX_STEPS:
            raise ValueError(f"last_step must be an int >= -1, got {last_step!r}")
        last_step = int(last_step)
        for name, flag in (("relative", relative), ("tensor_lr", tensor_lr)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {flag!r}")
        self.optimizer = optimizer
        self.resume_schedule = _policy(resume_schedule)
        track_optimizer_steps(optimizer)  # for the step-order warning, as torch's schedulers
        self.key = GroupKey.parse(key)
        self.relative = bool(relative)
        self.tensor_lr = bool(tensor_lr)
        self.steps_per_epoch = steps_per_epoch
        # Not `total_steps`: accelerate takes any scheduler with that attribute for a OneCycleLR
        # and stops stepping it past that many calls.
        self.run_steps = total_steps
        groups = optimizer.param_groups
        for g, group in enumerate(groups):
            self.key.check(group, g)
        self._given = _as_schedule(schedule, len(groups))
        self._resolved = self._resolve(self._given)
        self.base_values = self._initial_values(resume=last_step != -1)
        # step()'s fast path writes float values of a plain key (not ``betas[0]``) in C
        self._name = sys.intern(self.key.name)
        self._fast = self.key.index is None and not self.tensor_lr
        self._buffer: torch.Tensor | None = None
        self._staging: torch.Tensor | None = None  # the buffer on the CPU, else a CPU copy
        self._buffer_view: FloatArray = np.empty(0)  # numpy's view of _staging (tensor mode)
        self._cpu_buffer = False
        originals = [self.key.get(group) for group in groups]
        try:
            if self.tensor_lr:
                self._install_tensor_buffer()
            self._build_table()
            self.last_epoch = last_step
            self._step_count = 0
            self._last_values: list[float] | None = []
            self.step()
        except BaseException:  # a refused first step leaves the groups' values as they were
            for group, value in zip(groups, originals, strict=True):
                self.key.set(group, value)
            raise
        if self.tensor_lr:
            _rebind_after_optimizer_loads(self)

    # -- stepping -----------------------------------------------------------------------------

    def step(self, epoch: int | None = None) -> None:
        """Advance one step, or jump to step ``epoch`` when given (absolute, idempotent).

        Like torch's schedulers, the first call after construction warns (``UserWarning``)
        when ``optimizer.step()`` has not been called yet: the order is ``optimizer.step()``,
        then ``scheduler.step()``."""
        if self._step_count == 1:
            check_step_order(self.optimizer)
        if epoch is None:  # the common cases: one C call while the chunk lasts
            step = self.last_epoch + 1
            row = step - self._chunk_start
            try:
                if self._fast:  # float values, a plain key
                    written = set_group_values(
                        self.optimizer.param_groups, self._name, self._chunk, row
                    )
                else:  # tensor mode on the CPU: the groups' buffer
                    written = (
                        self._cpu_buffer
                        and len(self.optimizer.param_groups) == len(self._buffer_view)
                        and fill_group_buffer(self._buffer_view, self._chunk, row, self._base_pack)
                    )
            except ValueError as exc:  # a value refused: nothing was written
                raise ValueError(f"step {step}: {exc}") from None
            if written:  # False: the row is past the chunk, the next one is due
                self._step_count += 1
                self.last_epoch = step
                self._last_values = None  # get_last_lr() reads the row when asked
                return
        elif isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"step(epoch) takes an int step >= 0, got {epoch!r}")
        else:
            step = epoch
        self._apply(step)  # first: a step that raises leaves the scheduler where it was
        self._step_count += 1
        self.last_epoch = step

    def set_step(self, step: int) -> None:
        """Apply the values of ``step`` (an absolute step index; calling it twice is harmless)."""
        self.step(step)

    def rescale(self, factors: Sequence[float]) -> None:
        """Multiply every later value of group ``g`` by ``factors[g]`` (what
        ``ReduceLROnPlateau(..., planned=this)`` does on a plateau): the base values scale, the
        table is recomputed, the current step is applied again. Saved by ``state_dict``."""
        if isinstance(factors, (str, bytes)) or not isinstance(factors, Sequence):
            raise TypeError(
                f"rescale: factors must be a list with one number per param group, got {factors!r}"
            )
        if len(factors) != len(self.base_values):
            raise ValueError(
                f"factors has {len(factors)} values, the optimizer has {len(self.base_values)} "
                "param groups"
            )
        for g, factor in enumerate(factors):
            if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
                raise TypeError(f"rescale: factors[{g}] must be a number, got {factor!r}")
            if not 0.0 <= float(factor) <= _MAX_FLOAT:
                raise ValueError(f"rescale: factors[{g}] must be finite and >= 0, got {factor!r}")
        scaled = [b * float(f) for b, f in zip(self.base_values, factors, strict=True)]
        for g, value in enumerate(scaled):
            if not math.isfinite(value):
                raise ValueError(f"rescale: group {g}'s base value would be {value}")
        saved = dict(self.__dict__)
        try:
            self.base_values = scaled
            self._build_table()
            self._apply(self.last_epoch)
        except BaseException:  # nothing changes: the old table and base values stay
            self.__dict__.update(saved)
            raise

    def _build_table(self) -> None:
        """The table ``step()`` reads: every group's values (one column each), except in
        tensor mode with one schedule for all groups, where it holds the schedule's values and
        the buffer gets ``base[g] * value`` (the product ``Schedule.table(base=...)`` makes)."""
        if self._buffer is not None and self._resolved.groups is None:
            self._table = ChunkedTable(self._resolved)
            # an immutable copy for fill_group_buffer: one check per step, not one per group
            self._base_pack: Any = pack_bases(np.array(self.base_values, dtype=np.float64))
        else:
            self._table = ChunkedTable(self._resolved, base=self.base_values)
            self._base_pack = None
        self._chunk = self._table.chunk  # empty: the first step computes the first chunk
        self._chunk_start = 0

    def _row(self, step: int) -> int:
        """The row of ``step`` in the current chunk, computing the chunk that starts at ``step``
        when it is elsewhere."""
        table = self._table
        row = table.offset(step)
        self._chunk = table.chunk
        self._chunk_start = table.chunk_start
        return row

    def _apply(self, step: int) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_values):
            raise ValueError(
                f"step {step}: the optimizer has {len(groups)} param groups, this scheduler was "
                f"built for {len(self.base_values)}; param groups added with add_param_group "
                "after the scheduler was built have no schedule: build the scheduler after "
                "adding every group (nothing was changed)"
            )
        row = self._row(step)
        if self._buffer is not None:
            try:
                fill_group_buffer(self._buffer_view, self._chunk, row, self._base_pack)
            except ValueError as exc:  # a value refused: nothing was written
                raise ValueError(f"step {step}: {exc}") from None
            if self._staging is not self._buffer:  # on an accelerator: one copy_ over
                assert self._staging is not None
                self._buffer.copy_(self._staging)
            self._last_values = None
            return
        if self.key.index is None:
            try:
                set_group_values(groups, self._name, self._chunk, row)
            except ValueError as exc:  # a value refused: nothing was written
                raise ValueError(f"step {step}: {exc}") from None
            self._last_values = None
        else:  # an element of a tuple (betas[0]): a new tuple per group, in Python
            values = list(self._table.row_list(step))
            if len(values) != len(groups):
                raise ValueError(
                    f"the optimizer has {len(groups)} param groups and the schedule has "
                    f"{len(values)} (one per group); param groups added after the scheduler "
                    "was built have no schedule"
                )
            for g, value in enumerate(values):
                if not 0.0 <= value <= _MAX_FLOAT:
                    raise ValueError(
                        f"step {step}: param group {g}: {self.key} would be {value!r}; lrkit "
                        "writes only finite values >= 0 into an optimizer"
                    )
            key = self.key
            for group, value in zip(groups, values, strict=True):
                key.set(group, value)
            self._last_values = values

    # -- reading ------------------------------------------------------------------------------

    def get_last_lr(self) -> list[float]:  # type: ignore[override]  # floats only: narrower
        """The values (of ``key``, whatever it is) applied by the last step, one per group."""
        if self._last_values is None:  # converted on demand: step() only writes the groups
            row = self.last_epoch - self._chunk_start
            if not 0 <= row < len(self._chunk):
                self._last_values = self.lr_at(self.last_epoch)
            elif self._base_pack is not None:  # the products fill_group_buffer wrote
                value = float(self._chunk[row])
                self._last_values = [base * value for base in self.base_values]
            else:  # a copy of the table's row: the caller may modify it
                self._last_values = list(self._table.row_list(self.last_epoch))
        return self._last_values

    def get_lr(self) -> list[float]:  # type: ignore[override]
        """The values of the current step (closed form; same as :meth:`get_last_lr`)."""
        return self.lr_at(self.last_epoch)

    def lr_at(self, step: int) -> list[float]:
        """The values (one per group) this scheduler applies at ``step``."""
        values: list[float] = self.table(1, start=step)[0].tolist()
        return values

    def table(self, n: int, *, start: int = 0) -> FloatArray:
        """The values of steps ``start .. start + n - 1`` for every group: shape ``(n, G)``."""
        return self._resolved.table(n, start=start, base=self.base_values)

    @property
    def schedule(self) -> Schedule:
        """The schedule as given (per group: a ``lrkit.per_group``), before resolution."""
        return self._given

    # -- checkpoints --------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        # copies and pickles: the packed bases (a capsule) are packed again from base_values
        state = dict(self.__dict__)
        if state.get("_base_pack") is not None:
            state["_base_pack"] = True
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if state.get("_base_pack") is True:
            self._base_pack = pack_bases(np.array(self.base_values, dtype=np.float64))
        if self._buffer is not None:  # a copy's own buffer, views and numpy view of it
            if self._cpu_buffer:
                self._staging = self._buffer
            assert self._staging is not None
            self._buffer_view = self._staging.numpy()
            self._bind_views()
            _rebind_after_optimizer_loads(self)

    def state_dict(self) -> dict[str, Any]:
        """Plain data: loadable with ``torch.load(weights_only=True)``.

        A schedule with a registered name is saved as its config; one written only in Python
        (no name) as ``None`` with its class path and ``repr`` (its arguments), which
        :meth:`load_state_dict` compares with the scheduler's own schedule."""
        state: dict[str, Any] = {
            "version": STATE_VERSION,
            "schedule": _config_or_none(self._given),
            "key": str(self.key),
            "relative": self.relative,
            "steps_per_epoch": self.steps_per_epoch,
            "total_steps": self.run_steps,
            "base_values": list(self.base_values),
            "step": self.last_epoch,
            "step_count": self._step_count,
        }
        if state["schedule"] is None:
            state["schedule_class"] = _class_path(self._given)
            state["schedule_repr"] = _repr_or_none(self._given)
        return state

    def load_state_dict(
        self, state_dict: Mapping[str, Any], *, resume_schedule: ResumePolicy | None = None
    ) -> None:
        """Continue from a saved state: its step, base values and (see below) schedule.

        Everything is checked before anything changes: a refused state leaves the scheduler
        as it was. When the checkpoint's schedule differs from this scheduler's,
        ``resume_schedule`` (default: the constructor's, ``"refuse"``) decides: ``"refuse"``
        raises naming both; ``"checkpoint"`` continues with the checkpoint's schedule (and its
        ``steps_per_epoch``/``total_steps``); ``"given"`` continues this scheduler's schedule
        from the saved step (extending or changing a run)."""
        policy = _policy(self.resume_schedule if resume_schedule is None else resume_schedule)
        state = _checked_state(state_dict, key=str(self.key), groups=len(self.base_values))
        schedule, steps_per_epoch, total_steps = self._schedule_to_resume(state, policy)
        saved_attributes = dict(self.__dict__)
        try:
            self.relative = state["relative"]
            self.steps_per_epoch = steps_per_epoch
            self.run_steps = total_steps
            self._given = schedule
            self._resolved = self._resolve(schedule)
            self.base_values = state["base_values"]
            self._build_table()
            self.last_epoch = state["step"]
            self._step_count = state["step_count"]
            if self.tensor_lr:
                self._bind_views()
            self._apply(self.last_epoch)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_attributes)
            if self.tensor_lr:
                self._bind_views()
            raise

    def _schedule_to_resume(
        self, state: dict[str, Any], policy: ResumePolicy
    ) -> tuple[Schedule, int | None, int | None]:
        """The schedule (and steps_per_epoch, total_steps) a load continues with, by policy."""
        given = (self._given, self.steps_per_epoch, self.run_steps)
        saved_config = state["schedule"]
        if saved_config is None:  # a Python schedule without a name: only this one can go on
            theirs = f"{state.get('schedule_class')} {state.get('schedule_repr')}"
            ours = f"{_class_path(self._given)} {_repr_or_none(self._given)}"
            if policy == "given" or (
                state.get("schedule_repr") is not None
                and theirs == ours
                and _config_or_none(self._given) is None
            ):
                return (self._given, state["steps_per_epoch"], state["total_steps"])
            raise ValueError(
                f"the checkpoint's schedule ({theirs}) has no registered name, so it cannot be "
                f"rebuilt from the checkpoint, and it is not this scheduler's ({ours}); build the "
                "scheduler with that schedule, or pass resume_schedule='given' to continue this "
                "scheduler's schedule from the saved step"
            )
        if policy == "given":  # the checkpoint's schedule is not used (nor built)
            return given
        saved = lrkit.create(saved_config)
        same = (
            _config_or_none(self._given) == saved_config
            and state["steps_per_epoch"] == self.steps_per_epoch
            and state["total_steps"] == self.run_steps
        )
        if same or policy == "checkpoint":
            return (saved, state["steps_per_epoch"], state["total_steps"])
        raise ValueError(
            f"the checkpoint's schedule differs from this scheduler's: the checkpoint has "
            f"{saved!r} (steps_per_epoch={state['steps_per_epoch']}, total_steps="
            f"{state['total_steps']}), this scheduler {self._given!r} (steps_per_epoch="
            f"{self.steps_per_epoch}, total_steps={self.run_steps}); pass "
            "resume_schedule='checkpoint' to continue with the checkpoint's, or "
            "resume_schedule='given' to continue this scheduler's from the saved step "
            "(load_state_dict's argument, or the constructor's)"
        )

    # -- construction helpers -----------------------------------------------------------------

    def _resolve(self, schedule: Schedule) -> Schedule:
        resolved = schedule.resolve(
            total_steps=self.run_steps, steps_per_epoch=self.steps_per_epoch
        )
        nodes_of(resolved)  # raises now, naming the argument, if something is still unresolved
        return resolved

    def _initial_values(self, *, resume: bool) -> list[float]:
        if not self.relative:
            return [1.0] * len(self.optimizer.param_groups)
        name = self.key.initial_name
        values = []
        for g, group in enumerate(self.optimizer.param_groups):
            if name not in group:
                if resume:
                    raise KeyError(
                        f"param group {g} has no {name!r}: resuming with last_step needs the "
                        "groups' initial values (load the optimizer's state_dict first), or use "
                        "the scheduler's load_state_dict"
                    )
                current = self.key.get(group)
                group[name] = float(
                    current.item() if isinstance(current, torch.Tensor) else current
                )
            values.append(float(group[name]))
        for g, value in enumerate(values):
            if not math.isfinite(value):
                raise ValueError(f"param group {g}: {name} is {value}, not a finite number")
        return values

    def _install_tensor_buffer(self) -> None:
        groups = self.optimizer.param_groups
        device = _device_of(groups)
        if self.key.name == "lr" and isinstance(
            self.optimizer, (torch.optim.Adam, torch.optim.AdamW)
        ):
            for g, group in enumerate(groups):
                foreach = group.get("foreach")
                multi_tensor = foreach is True or (foreach is None and device.type != "cpu")
                if multi_tensor and not group.get("capturable") and not group.get("fused"):
                    raise ValueError(
                        f"tensor_lr=True: param group {g} uses torch's multi-tensor (foreach) "
                        f"{type(self.optimizer).__name__}, which rejects tensor lrs unless "
                        "capturable=True; build the optimizer with foreach=False, or with "
                        "capturable=True on an accelerator"
                    )
        self._buffer = torch.zeros(len(groups), dtype=torch.float64, device=device)
        self._cpu_buffer = device.type == "cpu"
        if self._cpu_buffer:
            self._staging = self._buffer
        else:  # filled on the CPU, then one copy_ to the device
            self._staging = torch.zeros(len(groups), dtype=torch.float64)
        self._buffer_view = self._staging.numpy()
        self._bind_views()

    def _bind_views(self) -> None:
        """Make every group's value a view into the shared buffer (again: an optimizer's
        ``load_state_dict`` replaces the groups' tensors with the checkpoint's copies)."""
        assert self._buffer is not None
        for g, group in enumerate(self.optimizer.param_groups):
            value = self.key.get(group)
            if isinstance(value, torch.Tensor) and value.data_ptr() == self._buffer[g].data_ptr():
                continue
            self.key.set(group, self._buffer[g])


ResumePolicy = Literal["refuse", "checkpoint", "given"]
_POLICIES = ("refuse", "checkpoint", "given")

#: Every entry of a saved state (``schedule_class`` and ``schedule_repr`` are optional).
_STATE_KEYS = (
    "version",
    "schedule",
    "key",
    "relative",
    "steps_per_epoch",
    "total_steps",
    "base_values",
    "step",
    "step_count",
)


def _policy(value: object) -> ResumePolicy:
    if value not in _POLICIES:
        raise ValueError(f"resume_schedule must be one of {_POLICIES}, got {value!r}")
    return value  # type: ignore[return-value]


def _config_or_none(schedule: Schedule) -> dict[str, Any] | None:
    try:
        return schedule.to_config()
    except LookupError:
        return None  # a Python schedule without a registered name


def _class_path(schedule: Schedule) -> str:
    cls = type(schedule)
    return f"{cls.__module__}.{cls.__qualname__}"


def _repr_or_none(schedule: Schedule) -> str | None:
    try:
        return repr(schedule)
    except (TypeError, RecursionError):  # arguments it does not store: no fingerprint
        return None


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _checked_state(state: Mapping[str, Any], *, key: str, groups: int) -> dict[str, Any]:
    """The entries of a saved state, each checked (type, range), normalised; raises naming the
    entry, before the scheduler changes."""
    if not isinstance(state, Mapping):
        raise TypeError(f"an lrkit Scheduler state must be a dict, got {type(state).__name__}")
    missing = [k for k in _STATE_KEYS if k not in state]
    if missing:
        raise ValueError(
            f"the lrkit Scheduler state has no {', '.join(map(repr, missing))} "
            f"(it has {', '.join(map(repr, state))}); was it saved by lrkit.torch.Scheduler?"
        )
    if state["version"] != STATE_VERSION:
        raise ValueError(f"unsupported lrkit Scheduler state version {state['version']!r}")
    if state["key"] != key:
        raise ValueError(f"the state is for key {state['key']!r}, this scheduler drives {key!r}")
    if not isinstance(state["relative"], bool):
        raise ValueError(f"state['relative'] must be True or False, got {state['relative']!r}")
    for name in ("steps_per_epoch", "total_steps"):
        value = state[name]
        if value is not None and not (_is_int(value) and 1 <= value <= MAX_STEPS):
            raise ValueError(f"state[{name!r}] must be None or an int >= 1, got {value!r}")
    base = state["base_values"]
    if not isinstance(base, (list, tuple)) or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in base
    ):
        raise ValueError(f"state['base_values'] must be a list of numbers, got {base!r}")
    if len(base) != groups:
        raise ValueError(f"the state has {len(base)} param groups, the optimizer has {groups}")
    for g, value in enumerate(base):
        if not 0.0 <= float(value) <= _MAX_FLOAT:
            raise ValueError(
                f"state['base_values'][{g}] is {value!r}: base values must be finite and >= 0"
            )
    for name, low in (("step", 0), ("step_count", 0)):
        value = state[name]
        if not (_is_int(value) and low <= value <= MAX_STEPS):
            raise ValueError(
                f"state[{name!r}] must be an int in {low} .. 2**53 (MAX_STEPS), got {value!r}"
            )
    schedule = state["schedule"]
    if schedule is not None and not isinstance(schedule, Mapping):
        raise ValueError(f"state['schedule'] must be a config dict or None, got {schedule!r}")
    return {
        **state,
        "base_values": [float(v) for v in base],
        "step": int(state["step"]),
        "step_count": int(state["step_count"]),
    }


def _rebind_after_optimizer_loads(scheduler: Scheduler) -> None:
    """Re-install the tensor views whenever the optimizer loads a state_dict (hosts restore the
    optimizer after building the scheduler). The hook holds the scheduler weakly: no cycle."""
    register = getattr(scheduler.optimizer, "register_load_state_dict_post_hook", None)
    if register is None:  # torch < 2.2: Scheduler.load_state_dict re-binds them
        return
    ref = weakref.ref(scheduler)

    def rebind(optimizer: Optimizer) -> None:
        live = ref()  # (a copied optimizer's copy of this hook: not its scheduler's)
        if live is not None and live._buffer is not None and live.optimizer is optimizer:
            live._bind_views()
            live._apply(live.last_epoch)

    register(rebind)


def _as_schedule(
    schedule: Schedule | Mapping[str, Any] | Sequence[Schedule | Mapping[str, Any]], groups: int
) -> Schedule:
    if isinstance(schedule, Mapping):  # a config: any registered schedule by name, plugins too
        schedule = lrkit.create(schedule)
    if isinstance(schedule, Schedule):
        if isinstance(schedule, PerGroup) and schedule.groups != groups:
            raise ValueError(
                f"schedule is a per_group of {schedule.groups} schedules, the optimizer has "
                f"{groups} param groups"
            )
        return schedule
    if isinstance(schedule, (list, tuple)):
        if len(schedule) != groups:
            raise ValueError(
                f"schedule is a list of {len(schedule)} schedules, the optimizer has {groups} "
                "param groups (give one per group, or a single schedule)"
            )
        return per_group([lrkit.create(s) if isinstance(s, Mapping) else s for s in schedule])
    raise TypeError(
        "schedule must be a lrkit.Schedule, a config ({'name': ..., **arguments}) or a list of "
        f"them, one per param group, got {schedule!r}"
    )


def _device_of(groups: list[dict[str, Any]]) -> torch.device:
    for group in groups:
        for param in group["params"]:
            return param.device  # type: ignore[no-any-return]
    return torch.device("cpu")


__all__ = ["Scheduler"]
