"""``ReduceLROnPlateau``: torch's reactive scheduler, with its arguments checked up front.

It subclasses torch's own class, because hosts recognise it by ``isinstance`` (Lightning passes
the monitored metric to ``step`` only then) and torch's combinators refuse it the same way. What
lrkit adds: every argument is validated at construction with an error naming it, and the state is
plain data (``torch.load(weights_only=True)``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal

from torch.optim import Optimizer
from torch.optim.lr_scheduler import ReduceLROnPlateau as _TorchReduceLROnPlateau

from lrkit.torch.scheduler import Scheduler


def _number(name: str, value: Any, *, minimum: float, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"ReduceLROnPlateau: {name} must be a finite number, got {value!r}")
    if value < minimum or (strict and value == minimum):
        bound = ">" if strict else ">="
        raise ValueError(f"ReduceLROnPlateau: {name} must be {bound} {minimum}, got {value!r}")
    return float(value)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"ReduceLROnPlateau: {name} must be an int >= 0, got {value!r}")
    return int(value)


class ReduceLROnPlateau(_TorchReduceLROnPlateau):
    """Multiply every group's lr by ``factor`` (not below ``min_lr``) once the metric has not
    improved for more than ``patience`` steps; ``cooldown`` steps of rest after each reduction.
    "Improved" is ``metric < best * (1 - threshold)`` (``mode="min"``, ``threshold_mode="rel"``),
    ``metric < best - threshold`` (``"abs"``), and the mirror images for ``mode="max"``.

    Composes with the other drop-ins like torch's: a chainable scheduler stepped on the same
    optimizer continues from the reduced lr. With ``planned=`` an ``lrkit.torch.Scheduler`` on
    the same optimizer (which writes its planned values at every step, so a plain reduction
    would last one step), a reduction scales that scheduler's values instead: the lr is then
    ``plateau factor x planned value`` from the reduction on, and the scheduler's state_dict
    keeps it. ``min_lr`` bounds the lr at the moment of each reduction.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
        *,
        planned: Scheduler | None = None,
    ) -> None:
        if planned is not None:
            if not isinstance(planned, Scheduler):
                raise TypeError(
                    f"ReduceLROnPlateau: planned must be a lrkit.torch.Scheduler, got {planned!r}"
                )
            if planned.optimizer is not optimizer or str(planned.key) != "lr":
                raise ValueError(
                    "ReduceLROnPlateau: planned must drive the 'lr' of this same optimizer"
                )
        self.planned = planned
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        factor = _number("factor", factor, minimum=0.0)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor!r}")
        _number("threshold", threshold, minimum=0.0)
        _number("eps", eps, minimum=0.0)
        for value in min_lr if isinstance(min_lr, (list, tuple)) else [min_lr]:
            _number("min_lr", value, minimum=0.0)
        super().__init__(
            optimizer,
            mode=mode,
            factor=factor,
            patience=_count("patience", patience),
            threshold=threshold,
            threshold_mode=threshold_mode,
            cooldown=_count("cooldown", cooldown),
            min_lr=list(min_lr) if isinstance(min_lr, tuple) else min_lr,
            eps=eps,
        )

    def _reduce_lr(self, epoch: Any) -> None:
        if self.planned is None:
            super()._reduce_lr(epoch)
            return
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):  # a group was added since construction
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: min_lr has {len(self.min_lrs)} values, the optimizer "
                    f"now has {len(groups)} param groups; set min_lrs to one per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        factors = []
        for group, floor in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, floor)
            factors.append(new / old if old - new > self.eps and old != 0 else 1.0)
        if any(f != 1.0 for f in factors):
            self.planned.rescale(factors)

    def state_dict(self) -> dict[str, Any]:
        """torch's state without the reference to the planned scheduler (it saves its own)."""
        return {k: v for k, v in super().state_dict().items() if k != "planned"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        planned = self.planned
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "planned"})
        self.planned = planned


__all__ = ["ReduceLROnPlateau"]
