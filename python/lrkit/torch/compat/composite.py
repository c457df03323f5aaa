"""Drop-ins for torch's scheduler combinators: SequentialLR and ChainedScheduler.

They drive any ``LRScheduler`` (lrkit's drop-ins, ``lrkit.torch.Scheduler`` or torch's own
classes) exactly as torch 2.13 does, and save their children's states as plain data.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau


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


def _group_lrs(optimizer: Optimizer) -> list[Any]:
    return [
        g["lr"].clone() if isinstance(g["lr"], torch.Tensor) else g["lr"]
        for g in optimizer.param_groups
    ]


def _restart(scheduler: Any) -> None:
    """Restart a child at its epoch 0 from its closed form, as torch's SequentialLR does."""
    if hasattr(scheduler, "_update_lr"):
        scheduler._update_lr(0)
    else:  # torch < 2.13: step(0), without its deprecation warning
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            scheduler.step(0)


class _Children(LRScheduler):
    """State handling shared by the two combinators: children's states as a list."""

    _schedulers: list[Any]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        children = state.pop("_schedulers")
        if len(children) != len(self._schedulers):
            raise ValueError(
                f"the state has {len(children)} schedulers, this {type(self).__name__} has "
                f"{len(self._schedulers)}"
            )
        self.__dict__.update(state)
        for scheduler, child in zip(self._schedulers, children, strict=True):
            scheduler.load_state_dict(child)


class SequentialLR(_Children):
    """``schedulers[i]`` from ``milestones[i - 1]`` on, each restarted at its epoch 0 (its closed
    form) on its milestone; torch 2.13's semantics, including that the construction resets every
    group's lr to its ``initial_lr`` and undoes the children's constructor steps."""

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
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(float(group["initial_lr"]))
            else:
                group["lr"] = group["initial_lr"]
        self._undo(self)
        index = bisect_right(self._milestones, 0)
        self._schedulers[index]._initial_step()
        self._last_lr = self._schedulers[index].get_last_lr()

    def _undo(self, scheduler: Any) -> None:
        children = getattr(scheduler, "_schedulers", None)
        if children is not None:
            for child in children:
                self._undo(child)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def recursive_undo(self, sched: Any = None) -> None:
        """torch's name for undoing one step of every (nested) child."""
        self._undo(self if sched is None else sched)

    def step(self) -> None:  # type: ignore[override]  # torch's signature
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            _restart(scheduler)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Children):
    """Steps every scheduler in order at each ``step()``: their effects multiply (torch's
    chainable classes, and lrkit's drop-ins, multiply the current lr)."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler: expects at least one scheduler, got none")
        optimizer = optimizer or schedulers[0].optimizer
        _check_children("ChainedScheduler", optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _group_lrs(optimizer)

    def step(self) -> None:  # type: ignore[override]  # torch's signature
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _group_lrs(self._schedulers[-1].optimizer)


__all__ = ["ChainedScheduler", "SequentialLR"]
