"""Drop-ins for torch's decays: StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR,
PolynomialLR, CosineAnnealingLR, and the callable-driven LambdaLR and MultiplicativeLR.

Each takes torch 2.13's arguments and gives torch's learning rates: the closed form from an
engine table when the scheduler drives the optimizer alone, torch's recursion when another
scheduler (or the user) also changes the lr (see ``lrkit.torch.compat._base``).
"""

from __future__ import annotations

import math
import types
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch.optim import Optimizer

import lrkit
from lrkit.engine import ChunkedTable
from lrkit.parity import torch as torch_parity
from lrkit.schedule import Schedule
from lrkit.torch import _torch_internals as torch_internals
from lrkit.torch.compat._base import (
    TableScheduler,
    get_lr_at_last_epoch,
    per_group_values,
    scalar,
    sequence_of_ints,
    warn_get_lr_outside_step,
)


class StepLR(TableScheduler):
    """``base_lr * gamma ** (epoch // step_size)``, like ``torch.optim.lr_scheduler.StepLR``.

    Unlike torch, resuming through the constructor (``last_epoch=k``) at a multiple of
    ``step_size`` does not decay twice.
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be an int >= 1, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> Schedule:
        return lrkit.step(start=1.0, gamma=self.gamma, every=self.step_size)

    def _chain(self, group: int, step: int, lr: float) -> float:
        return lr * self.gamma if step != 0 and step % self.step_size == 0 else lr


class MultiStepLR(TableScheduler):
    """``base_lr * gamma ** (number of milestones <= epoch)``; a milestone given twice counts
    twice (torch keeps them in a ``Counter``). Unlike torch, resuming through the constructor at
    a milestone does not decay twice."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Sequence[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones = Counter(sequence_of_ints("MultiStepLR", "milestones", milestones))
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> Schedule:
        points = sorted(self.milestones)
        if not points:
            return lrkit.constant(1.0)
        passed, values = 0, [1.0]
        for point in points:
            passed += self.milestones[point]
            values.append(self.gamma**passed)
        return lrkit.piecewise_constant(boundaries=points, values=values)

    def _chain(self, group: int, step: int, lr: float) -> float:
        count = self.milestones.get(step, 0)
        return lr * self.gamma**count if count else lr


class ConstantLR(TableScheduler):
    """``base_lr * factor`` until ``total_iters``, then ``base_lr``. Unlike torch, resuming
    through the constructor at ``total_iters`` does not apply the change twice."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError(f"ConstantLR: factor must be between 0 and 1, got {factor!r}")
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            # torch accepts 0, and then its step() and its closed form disagree (factor or 1)
            raise ValueError(f"ConstantLR: total_iters must be an int >= 1, got {total_iters!r}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> Schedule:
        before = self.factor + 0.0 * (1 - self.factor)
        after = self.factor + 1.0 * (1 - self.factor)
        return lrkit.piecewise_constant(boundaries=[self.total_iters], values=[before, after])

    def _chain(self, group: int, step: int, lr: float) -> float:
        if step == 0:
            return lr * self.factor
        if step != self.total_iters:
            return lr
        return lr * (1.0 / self.factor) if self.factor else lr


class LinearLR(TableScheduler):
    """``base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) /
    total_iters)``."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                f"LinearLR: start_factor must be greater than 0 and at most 1, got {start_factor!r}"
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"LinearLR: end_factor must be between 0 and 1, got {end_factor!r}")
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"LinearLR: total_iters must be an int >= 1, got {total_iters!r}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> Schedule:
        return lrkit.linear(start=self.start_factor, end=self.end_factor, length=self.total_iters)

    def _chain(self, group: int, step: int, lr: float) -> float:
        if step == 0:
            return lr * self.start_factor
        if step > self.total_iters:
            return lr
        slope = self.end_factor - self.start_factor
        return lr * (1.0 + slope / (self.total_iters * self.start_factor + (step - 1) * slope))


class ExponentialLR(TableScheduler):
    """``base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> Schedule:
        return lrkit.exponential(start=1.0, gamma=self.gamma)

    def _chain(self, group: int, step: int, lr: float) -> float:
        return lr if step == 0 else lr * self.gamma


class PolynomialLR(TableScheduler):
    """``base_lr * (1 - min(epoch, total_iters) / total_iters) ** power``."""

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"PolynomialLR: total_iters must be an int >= 1, got {total_iters!r}")
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> Schedule:
        return lrkit.polynomial(start=1.0, end=0.0, length=self.total_iters, power=self.power)

    def _chain(self, group: int, step: int, lr: float) -> float:
        if step == 0 or step > self.total_iters:
            return lr
        ratio = (1.0 - step / self.total_iters) / (1.0 - (step - 1) / self.total_iters)
        return lr * float(ratio**self.power)


class CosineAnnealingLR(TableScheduler):
    """``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``; like torch's, it
    keeps oscillating past ``T_max`` (``lrkit.parity.torch.cosine_annealing``)."""

    def __init__(
        self,
        optimizer: Optimizer,
        T_max: int,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be an int >= 1, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> list[Schedule]:
        eta = float(self.eta_min)
        return [torch_parity.cosine_annealing(start=b, end=eta, period=self.T_max) for b in bases]

    def _chain(self, group: int, step: int, lr: float) -> float:
        if step == 0:
            return lr
        t_max, eta = self.T_max, self.eta_min
        if (step - 1 - t_max) % (2 * t_max) == 0:
            base = scalar(self.base_lrs[group])
            return lr + (base - eta) * (1 - math.cos(math.pi / t_max)) / 2
        return (
            float(1 + math.cos(math.pi * step / t_max))
            / (1 + math.cos(math.pi * (step - 1) / t_max))
            * (lr - eta)
            + eta
        )


def _callables(owner: str, optimizer: Optimizer, lr_lambda: Any) -> list[Any]:
    functions = per_group_values("lr_lambda", optimizer, lr_lambda)
    for f in functions:
        if not callable(f):
            raise TypeError(
                f"{owner}: lr_lambda should be a function, but got {type(f).__name__} ({f!r})"
            )
    return functions


class _LambdaState(TableScheduler):
    """torch's state convention for callables: plain functions are not saved (``None``);
    callable objects save their ``__dict__``."""

    lr_lambdas: list[Any]

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _callables(type(self).__name__, optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def _add_groups(self) -> None:
        raise ValueError(
            f"{type(self).__name__}: a param group was added after it was built and lr_lambda "
            "has no function for it. Build the scheduler after add_param_group"
        )

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["lr_lambdas"] = [
            None
            if isinstance(f, (types.FunctionType, Schedule)) or not hasattr(f, "__dict__")
            else dict(f.__dict__)
            for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", None)
        super().load_state_dict(state)
        for f, f_state in zip(self.lr_lambdas, saved or [], strict=False):
            if f_state is not None:
                f.__dict__.update(f_state)


class LambdaLR(_LambdaState):
    """``base_lr * lr_lambda(epoch)``. ``lr_lambda`` is a callable or a list of them (one per
    group), as in torch; an lrkit schedule is also accepted, and then its values come from the
    engine's table rather than a Python call per group per step."""

    chainable = False
    fast_step = True  # _fast_plan: only when every lr_lambda is a schedule (the engine's)

    def _schedule(self, bases: list[float]) -> list[Schedule]:
        return [lrkit.scale(f, factor=b) for f, b in zip(self.lr_lambdas, bases, strict=True)]

    def _fast_plan(self) -> tuple[ChunkedTable, tuple[Any, ...], int] | None:
        if all(isinstance(f, Schedule) for f in self.lr_lambdas):
            return super()._fast_plan()
        return None

    def get_lr(self) -> list[float | torch.Tensor]:
        if all(isinstance(f, Schedule) for f in self.lr_lambdas):
            return super().get_lr()
        warn_get_lr_outside_step(self)
        step = self.last_epoch
        return [
            scalar(base) * f(step) for f, base in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]

    def _get_closed_form_lr(self) -> list[float]:
        return get_lr_at_last_epoch(self)


class MultiplicativeLR(_LambdaState):
    """``lr * lr_lambda(epoch)`` at every step but the constructor's (a recursion by
    definition: the callable is called at step time, per group, as in torch). Like torch 2.13's,
    ``step(epoch)`` and a ``SequentialLR`` restart (epoch 0) multiply too."""

    def get_lr(self) -> list[float | torch.Tensor]:
        warn_get_lr_outside_step(self)
        groups = self.optimizer.param_groups
        # torch keeps the lr only in the constructor's step (_is_initial)
        if self._keep_restored_lr or torch_internals.is_initial(self):
            self._keep_restored_lr = False
            return [group["lr"] for group in groups]
        step = self.last_epoch
        return [
            scalar(group["lr"]) * f(step) for f, group in zip(self.lr_lambdas, groups, strict=True)
        ]

    def _get_closed_form_lr(self) -> list[float]:
        return get_lr_at_last_epoch(self)

    def _table(self) -> ChunkedTable:
        raise TypeError("MultiplicativeLR has no closed form: it multiplies the current lr")

    def lr_at(self, step: int) -> list[float]:
        raise TypeError("MultiplicativeLR has no closed form: it multiplies the current lr")


__all__ = [
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "PolynomialLR",
    "StepLR",
]
