"""The torch contract: every torch internal lrkit relies on, in one place.

lrkit's drop-ins subclass ``torch.optim.lr_scheduler``'s classes and keep their machinery, so
they depend on private names and behaviours of torch that no torch release promises to keep.
Each is listed in :data:`INTERNALS` with what lrkit assumes about it, and
``tests/torch/test_torch_contract.py`` checks every entry against the installed torch (that it
exists, and that torch still calls it the way lrkit assumes). lrkit is tested against the torch
range that ``pyproject.toml`` declares (torch 2.13): a new torch that breaks an entry fails that
test, naming the entry, before it breaks a drop-in silently.

The code reaches these internals through the helpers below, except on the hot path of
``step()`` (``TableScheduler._update_lr`` reads ``_is_initial`` and
``_get_lr_called_within_step`` directly: a function call there would cost more than the step),
and in method overrides, which must carry torch's names (``_update_lr``,
``_get_closed_form_lr``, ``ReduceLROnPlateau._reduce_lr``).
"""

from __future__ import annotations

import functools
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler
from torch.optim.lr_scheduler import OneCycleLR as _TorchOneCycleLR

#: The torch versions lrkit is tested with (pyproject.toml's dependency; CI installs 2.13.0).
TESTED_TORCH = ">=2.13,<2.14"


@dataclass(frozen=True)
class Internal:
    """One torch internal: ``owner`` (a torch class or ``Optimizer``), ``name`` (an attribute,
    method or message), and what lrkit assumes about it."""

    owner: str
    name: str
    assumes: str
    used_by: str


INTERNALS: tuple[Internal, ...] = (
    # -- LRScheduler's step machinery ----------------------------------------------------------
    Internal(
        "LRScheduler",
        "__init__",
        "sets optimizer, base_lrs (from group['initial_lr'], set to the lr if absent), "
        "last_epoch, wraps optimizer.step, then calls self._initial_step()",
        "every drop-in (TableScheduler.__init__ calls it)",
    ),
    Internal(
        "LRScheduler",
        "_initial_step",
        "sets _step_count = 0 and calls self.step() with _is_initial True",
        "SequentialLR (the child of epoch 0), the constructor's step of every drop-in",
    ),
    Internal(
        "LRScheduler",
        "step",
        "the step-order warnings when _step_count == 1, _step_count += 1, "
        "EPOCH_DEPRECATION_WARNING when given an epoch, then self._update_lr(epoch)",
        "every TableScheduler: its fast path replaces _update_lr, under torch's step(); a "
        "refused step undoes the count (called_from_torch_step)",
    ),
    Internal(
        "LRScheduler",
        "_update_lr",
        "with _get_lr_called_within_step True: epoch None -> last_epoch += 1 and get_lr(); "
        "else last_epoch = epoch and _get_closed_form_lr() (get_lr() without one); then "
        "fill_/set each group's lr and _last_lr = the groups' lrs (tensors cloned)",
        "TableScheduler._update_lr (overridden); SequentialLR calls it with 0 on a milestone",
    ),
    Internal(
        "StepLR",
        "_get_closed_form_lr",
        "optional (torch's closed-form classes define it, LRScheduler does not); when a "
        "scheduler has it, _update_lr(epoch) uses it instead of get_lr()",
        "TableScheduler, LambdaLR, MultiplicativeLR, CyclicLR, OneCycleLR (defined)",
    ),
    Internal(
        "LRScheduler",
        "_get_lr_called_within_step",
        "a class attribute False, True while _update_lr calls get_lr(); get_lr() warns "
        "GET_LR_OUTSIDE_STEP when it is False",
        "warn_get_lr_outside_step, within_step, the fast path's guard",
    ),
    Internal(
        "LRScheduler",
        "_is_initial",
        "a class attribute False, True during _initial_step's step()",
        "the fast path's guard, MultiplicativeLR.get_lr (keeps the lr at construction)",
    ),
    Internal(
        "LRScheduler",
        "_last_lr",
        "an instance attribute that get_last_lr() returns",
        "TableScheduler._write and the fast path, SequentialLR, ChainedScheduler",
    ),
    Internal(
        "LRScheduler",
        "_step_count",
        "an instance attribute counting step() calls (the constructor's included); "
        "step() warns about the order when it is 1; hosts (accelerate) read it",
        "lrkit.torch.Scheduler keeps it in its own step()",
    ),
    Internal(
        "LRScheduler",
        "state_dict",
        "every __dict__ entry but 'optimizer'; load_state_dict updates __dict__",
        "TableScheduler keeps the convention (caches in slots, outside __dict__)",
    ),
    Internal(
        "Optimizer",
        "step._wrapped_by_lr_sched",
        "LRScheduler.__init__ wraps optimizer.step once; the wrapper sets optimizer."
        "_opt_called = True and is marked _wrapped_by_lr_sched",
        "mark_optimizer_stepped (lrkit.torch.demo: no step-order warning); "
        "track_optimizer_steps wraps the same way, so either wrapper serves both",
    ),
    Internal(
        "Optimizer",
        "_opt_called",
        "step() warns 'Detected call of `lr_scheduler.step()` before `optimizer.step()`' "
        "at _step_count == 1 unless it is True",
        "mark_optimizer_stepped; lrkit.torch.Scheduler's step() (check_step_order)",
    ),
    Internal(
        "Optimizer",
        "register_load_state_dict_post_hook",
        "called with the optimizer after every Optimizer.load_state_dict",
        "lrkit.torch.Scheduler(tensor_lr=True) re-binds its buffer views",
    ),
    # -- the combinators ----------------------------------------------------------------------
    Internal(
        "SequentialLR",
        "__init__",
        "resets each group's lr to initial_lr, recursive_undo() (last_epoch -= 1 through "
        "_schedulers), _initial_step() on the child of epoch 0, _last_lr = its get_last_lr()",
        "lrkit's SequentialLR (a subclass)",
    ),
    Internal(
        "SequentialLR",
        "step",
        "last_epoch += 1; on a milestone child._update_lr(0), else child.step(); "
        "_last_lr = child.get_last_lr()",
        "lrkit's SequentialLR; the drop-ins as torch's children",
    ),
    Internal(
        "SequentialLR",
        "_schedulers",
        "the children; state_dict saves their state_dicts under '_schedulers'",
        "lrkit's SequentialLR and ChainedScheduler (subclasses)",
    ),
    Internal(
        "ChainedScheduler",
        "step",
        "steps every child in order, then _last_lr = the last child's optimizer's lrs",
        "lrkit's ChainedScheduler (a subclass)",
    ),
    # -- ReduceLROnPlateau ----------------------------------------------------------------------
    Internal(
        "ReduceLROnPlateau",
        "_reduce_lr",
        "step(metrics) calls self._reduce_lr(epoch) once num_bad_epochs > patience; it reads "
        "min_lrs, default_min_lr, factor and eps",
        "lrkit's ReduceLROnPlateau(planned=...) overrides it",
    ),
    # -- CyclicLR and OneCycleLR ----------------------------------------------------------------
    Internal(
        "CyclicLR",
        "_scale_fn_ref",
        "the built-in mode's amplitude (a staticmethod, or functools.partial of "
        "_exp_range_scale_fn with gamma), absent with a custom scale_fn, never in the state",
        "lrkit's CyclicLR (a property of the same kind)",
    ),
    Internal(
        "CyclicLR",
        "_scale_fn_custom",
        "the custom scale_fn or None; state_dict saves None for a function, the __dict__ of "
        "a callable object",
        "lrkit's CyclicLR (same attribute and convention)",
    ),
    Internal(
        "CyclicLR",
        "_triangular_scale_fn",
        "staticmethods _triangular_scale_fn, _triangular2_scale_fn, _exp_range_scale_fn",
        "lrkit's CyclicLR",
    ),
    Internal(
        "OneCycleLR",
        "_anneal_func_type",
        "'cos' or 'linear' in __dict__; a state without it (torch < 2.1) names the function "
        "in anneal_func",
        "lrkit's OneCycleLR",
    ),
    Internal(
        "OneCycleLR",
        "_annealing_cos",
        "staticmethods _annealing_cos and _annealing_linear (a legacy state's anneal_func)",
        "LEGACY_ANNEAL_FUNCTIONS",
    ),
    Internal(
        "LambdaLR",
        "lr_lambdas",
        "state_dict saves None for a function, the __dict__ of a callable object "
        "(LambdaLR and MultiplicativeLR)",
        "lrkit's LambdaLR and MultiplicativeLR",
    ),
    # -- messages lrkit repeats word for word ---------------------------------------------------
    Internal("LRScheduler", "GET_LR_OUTSIDE_STEP", "get_lr()'s warning outside step()", "get_lr()"),
    Internal(
        "OneCycleLR",
        "PAST_TOTAL_STEPS",
        "get_lr()'s ValueError past total_steps",
        "lrkit's OneCycleLR",
    ),
    Internal(
        "CosineAnnealingWarmRestarts",
        "NEGATIVE_EPOCH",
        "step(epoch)'s ValueError for epoch < 0",
        "lrkit's CosineAnnealingWarmRestarts",
    ),
    Internal(
        "LRScheduler",
        "NOT_AN_OPTIMIZER",
        "__init__'s TypeError for a non-Optimizer",
        "lrkit's CyclicLR and OneCycleLR (they check before torch's __init__)",
    ),
)

# -- messages, word for word as torch 2.13 words them ----------------------------------------

GET_LR_OUTSIDE_STEP = (
    "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
)
PAST_TOTAL_STEPS = "Tried to step {step} times. The specified number of total steps is {total}"
NEGATIVE_EPOCH = "Expected non-negative epoch, but got {epoch}"
NOT_AN_OPTIMIZER = "{name} is not an Optimizer"

#: torch's OneCycleLR anneal functions by name: what a legacy state's ``anneal_func`` holds.
LEGACY_ANNEAL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cos": _TorchOneCycleLR._annealing_cos,
    "linear": _TorchOneCycleLR._annealing_linear,
}

# -- access ------------------------------------------------------------------------------------


def initial_step(scheduler: LRScheduler) -> None:
    """torch's constructor step: ``_step_count = 0``, then ``step()`` with ``_is_initial``."""
    scheduler._initial_step()


def update_lr(scheduler: LRScheduler, epoch: int | None) -> None:
    """torch's ``_update_lr``: the values of ``epoch`` (its closed form), or of the next step."""
    scheduler._update_lr(epoch)


def is_initial(scheduler: LRScheduler) -> bool:
    """Whether ``scheduler`` is in its constructor's step."""
    return bool(scheduler._is_initial)


def get_lr_within_step(scheduler: LRScheduler) -> bool:
    """Whether torch's step machinery is calling ``get_lr()`` (no warning then)."""
    return bool(scheduler._get_lr_called_within_step)


def set_get_lr_within_step(scheduler: LRScheduler, value: bool) -> None:
    scheduler._get_lr_called_within_step = value


class within_step:
    """``get_lr()`` called as if from torch's ``_update_lr`` (no warning); restores the flag."""

    def __init__(self, scheduler: LRScheduler) -> None:
        self.scheduler = scheduler

    def __enter__(self) -> None:
        self.saved = get_lr_within_step(self.scheduler)
        set_get_lr_within_step(self.scheduler, True)

    def __exit__(self, *exc: object) -> None:
        set_get_lr_within_step(self.scheduler, self.saved)


def track_optimizer_steps(optimizer: Optimizer) -> None:
    """Wrap ``optimizer.step`` as torch's ``LRScheduler.__init__`` does, unless a scheduler
    already did: the wrapper records ``_opt_called`` and carries ``_wrapped_by_lr_sched``, so
    lrkit's and torch's schedulers on one optimizer share one wrapper. The wrapper holds the
    optimizer weakly (no reference cycle through its own ``step``)."""
    step = optimizer.step
    if getattr(step, "_wrapped_by_lr_sched", False):
        return
    owner = weakref.ref(optimizer)
    # The method's function, not the bound method: a bound method would hold the optimizer.
    function = getattr(step, "__func__", None)
    call = (lambda opt: function.__get__(opt)) if function is not None else (lambda opt: step)

    @functools.wraps(function if function is not None else step)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        opt = owner()
        assert opt is not None  # the optimizer owns this wrapper
        mark_optimizer_stepped(opt)
        return call(opt)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True  # type: ignore[attr-defined]
    optimizer.step = wrapper  # type: ignore[method-assign]


#: What ``check_step_order`` says (torch's two step-order warnings, in lrkit's words).
STEP_BEFORE_OPTIMIZER = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`: call "
    "`optimizer.step()` first, then `scheduler.step()`; in the other order the schedule's first "
    "value (step 0) is never used by an optimizer step"
)
STEP_REPLACED = (
    "`optimizer.step` was replaced after the learning-rate scheduler was built, so the "
    "scheduler cannot check that `optimizer.step()` comes before `scheduler.step()`; call "
    "`optimizer.step()` first"
)


def check_step_order(optimizer: Optimizer, *, stacklevel: int = 3) -> None:
    """torch's check at a scheduler's first ``step()`` after construction: a ``UserWarning``
    when ``optimizer.step`` is no longer the tracking wrapper, or was not called yet."""
    if not getattr(optimizer.step, "_wrapped_by_lr_sched", False):
        warnings.warn(STEP_REPLACED, UserWarning, stacklevel=stacklevel)
    elif not getattr(optimizer, "_opt_called", False):
        warnings.warn(STEP_BEFORE_OPTIMIZER, UserWarning, stacklevel=stacklevel)


_TORCH_STEP_CODE = LRScheduler.step.__code__


def called_from_torch_step(frame: FrameType) -> bool:
    """Whether ``frame`` is torch's ``LRScheduler.step`` (which counts ``_step_count`` before
    calling ``_update_lr``: a refused step undoes the count)."""
    return frame.f_code is _TORCH_STEP_CODE


def mark_optimizer_stepped(optimizer: Optimizer) -> None:
    """What torch's wrapped ``optimizer.step`` records: no step-order warning follows."""
    optimizer._opt_called = True  # type: ignore[attr-defined]


__all__ = [
    "GET_LR_OUTSIDE_STEP",
    "INTERNALS",
    "LEGACY_ANNEAL_FUNCTIONS",
    "NEGATIVE_EPOCH",
    "NOT_AN_OPTIMIZER",
    "PAST_TOTAL_STEPS",
    "STEP_BEFORE_OPTIMIZER",
    "STEP_REPLACED",
    "TESTED_TORCH",
    "Internal",
    "called_from_torch_step",
    "check_step_order",
    "get_lr_within_step",
    "initial_step",
    "is_initial",
    "mark_optimizer_stepped",
    "set_get_lr_within_step",
    "track_optimizer_steps",
    "update_lr",
    "within_step",
]
