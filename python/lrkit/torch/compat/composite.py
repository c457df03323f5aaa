"""Drop-ins for torch's scheduler combinators: SequentialLR and ChainedScheduler.

They are torch's own classes (subclasses of ``torch.optim.lr_scheduler.SequentialLR`` and
``ChainedScheduler``), so they drive any ``LRScheduler`` (lrkit's drop-ins,
``lrkit.torch.Scheduler`` or torch's classes) exactly as torch does, with torch's state
(children's states as plain data). What lrkit adds: the arguments are checked first, with errors
that name them (unsorted milestones too, which torch accepts), and ``load_state_dict`` refuses a
state with another number of children and leaves the given state untouched. The torch internals
they rely on (``_initial_step``, ``_update_lr(0)`` on a milestone, ``_schedulers``) are listed in
``lrkit.torch._torch_internals``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch.optim import Optimizer
from torch.optim.lr_scheduler import ChainedScheduler as _TorchChainedScheduler
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from torch.optim.lr_scheduler import SequentialLR as _TorchSequentialLR


def _check_children(owner: str, optimizer: Optimizer, schedulers: Sequence[Any]) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{owner}: expects at least one scheduler, got none")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner}: the scheduler at index {i} has no `optimizer` attribute")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{owner}: ReduceLROnPlateau (index {i}) needs a metric at every step; step it "
                "yourself next to this scheduler"
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner}: every scheduler must belong to the same optimizer; the "
                f"{type(scheduler).__name__} at index {i} has another one"
            )


def _load_children(
    scheduler: _TorchSequentialLR | _TorchChainedScheduler, state_dict: dict[str, Any]
) -> dict[str, Any]:
    """``state_dict`` checked against ``scheduler``'s children, as a copy torch's
    ``load_state_dict`` may pop from."""
    children = state_dict["_schedulers"]
    if len(children) != len(scheduler._schedulers):
        raise ValueError(
            f"the state has {len(children)} schedulers, this {type(scheduler).__name__} has "
            f"{len(scheduler._schedulers)}"
        )
    return dict(state_dict)


class SequentialLR(_TorchSequentialLR):
    """``schedulers[i]`` from ``milestones[i - 1]`` on, each restarted at its epoch 0 (its closed
    form) on its milestone: torch's class, including that the construction resets every group's
    lr to its ``initial_lr`` and undoes the children's constructor steps."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        _check_children("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "SequentialLR: expects one milestone fewer than schedulers, got "
                f"{len(schedulers)} schedulers and {len(milestones)} milestones"
            )
        if list(milestones) != sorted(milestones):
            raise ValueError(f"SequentialLR: milestones must be sorted, got {list(milestones)!r}")
        super().__init__(optimizer, list(schedulers), list(milestones), last_epoch)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(_load_children(self, state_dict))


class ChainedScheduler(_TorchChainedScheduler):
    """Steps every scheduler in order at each ``step()``: their effects multiply (torch's
    chainable classes, and lrkit's drop-ins, multiply the current lr). torch's class."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler: expects at least one scheduler, got none")
        optimizer = optimizer or schedulers[0].optimizer
        _check_children("ChainedScheduler", optimizer, schedulers)
        super().__init__(list(schedulers), optimizer)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(_load_children(self, state_dict))


__all__ = ["ChainedScheduler", "SequentialLR"]
