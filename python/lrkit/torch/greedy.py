"""``GreedyLR``: HF transformers' metric-driven scheduler (``transformers.optimization.GreedyLR``,
the ``greedy`` scheduler type), with HF's semantics and state_dict keys.

Reactive, like ``ReduceLROnPlateau``: ``step(metric)`` after each evaluation. ``patience``
improvements in a row divide every group's lr by ``factor`` (up to ``max_lr``), ``patience``
non-improvements multiply it by ``factor`` (down to ``min_lr``); a change smaller than ``eps``
is skipped. ``warmup`` steps of rest follow an increase, ``cooldown`` steps a decrease; once every
group sits at ``min_lr`` for ``reset_start`` decreases, the scheduler restarts from the initial
lrs. ``smooth`` feeds it the average of the last ``window_size`` metrics instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

from torch.optim import Optimizer

__all__ = [
    "GreedyLR",
]


def _per_group(name: str, value: float | Sequence[float], groups: int) -> list[float]:
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"GreedyLR: expected {groups} {name}s, got {len(value)}")
        return [float(v) for v in value]
    return [float(value)] * groups  # type: ignore[arg-type]


class GreedyLR:
    """HF's ``GreedyLR`` (arXiv 2512.14527): see the module docstring. Arguments and defaults
    are HF's: ``mode`` ("min"/"max"), ``factor`` (< 1), ``patience``, ``threshold``,
    ``threshold_mode`` ("abs"/"rel"), ``cooldown``, ``warmup``, ``min_lr``, ``max_lr`` (a value
    or one per group), ``eps``, ``verbose``, ``smooth``, ``window_size``, ``reset_start``."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.95,
        patience: int = 10,
        threshold: float = 1e-6,
        threshold_mode: Literal["rel", "abs"] = "abs",
        cooldown: int = 0,
        warmup: int = 0,
        min_lr: float | Sequence[float] = 1e-3,
        max_lr: float | Sequence[float] = 1.0,
        eps: float = 1e-8,
        verbose: bool = False,
        smooth: bool = False,
        window_size: int = 50,
        reset_start: int = 500,
    ) -> None:
        if not factor < 1.0:
            raise ValueError(f"GreedyLR: factor must be < 1.0, got {factor!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"GreedyLR: {type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"GreedyLR: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"GreedyLR: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        groups = len(optimizer.param_groups)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.warmup, self.eps, self.verbose = cooldown, warmup, eps, verbose
        self.smooth, self.window_size = smooth, window_size
        self.reset_start = self.reset_start_original = reset_start
        self.min_lrs = _per_group("min_lr", min_lr, groups)
        self.max_lrs = _per_group("max_lr", max_lr, groups)
        self._init_lrs = [float(g["lr"]) for g in optimizer.param_groups]
        self._last_lr = list(self._init_lrs)
        self.last_epoch = 0
        self._window: list[float] = []
        self._window_sum = 0.0
        self._clear()

    def _clear(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = self.num_good_epochs = 0
        self.cooldown_counter = self.warmup_counter = 0

    def _average(self, value: float) -> float:
        self._window.append(value)
        self._window_sum += value
        if len(self._window) > self.window_size:
            self._window_sum -= self._window.pop(0)
        return self._window_sum / len(self._window)

    def is_better(self, current: float, best: float) -> bool:
        """Whether ``current`` improves on ``best`` by more than the threshold."""
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            return current < (best * (1.0 - self.threshold) if relative else best - self.threshold)
        return current > (best * (1.0 + self.threshold) if relative else best + self.threshold)

    def step(self, metrics: float, epoch: int | None = None) -> None:
        """One evaluation's metric: count it, and change the lrs when patience runs out."""
        current = float(metrics)
        if self.smooth:
            current = self._average(current)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.cooldown_counter > 0 or self.warmup_counter > 0:
            if self.cooldown_counter > 0:
                self.cooldown_counter -= 1
            else:
                self.warmup_counter -= 1
            self.num_bad_epochs = self.num_good_epochs = 0
        else:
            if self.is_better(current, self.best):
                self.best = current
                self.num_bad_epochs = 0
                self.num_good_epochs += 1
            else:
                self.num_bad_epochs += 1
                self.num_good_epochs = 0
            if self.num_good_epochs > self.patience:
                self._increase()
                self.warmup_counter = self.warmup
                self.num_good_epochs = 0
            elif self.num_bad_epochs > self.patience:
                self._reduce()
                self.cooldown_counter = self.cooldown
                self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def _reduce(self) -> None:
        at_floor = True
        for i, group in enumerate(self.optimizer.param_groups):
            old = float(group["lr"])
            new = max(old * self.factor, self.min_lrs[i])
            if old - new > self.eps:
                group["lr"] = new
                if self.verbose:
                    print(f"Epoch {self.last_epoch}: reducing lr of group {i} to {new:.4e}.")
            if group["lr"] > self.min_lrs[i]:
                at_floor = False
        if at_floor:
            self.reset_start -= 1
            if self.reset_start <= 0:
                self._reset()

    def _increase(self) -> None:
        for i, group in enumerate(self.optimizer.param_groups):
            old = float(group["lr"])
            new = min(old / self.factor, self.max_lrs[i])
            if new - old > self.eps:
                group["lr"] = new
                if self.verbose:
                    print(f"Epoch {self.last_epoch}: increasing lr of group {i} to {new:.4e}.")
        self.reset_start = self.reset_start_original

    def _reset(self) -> None:
        for group, lr in zip(self.optimizer.param_groups, self._init_lrs, strict=True):
            group["lr"] = lr
        self._clear()
        self.reset_start = self.reset_start_original
        if self.smooth:
            self._window, self._window_sum = [], 0.0
        if self.verbose:
            print("GreedyLR: reset to the initial lrs.")

    def get_last_lr(self) -> list[float]:
        """The lrs after the last step."""
        return self._last_lr

    _STATE = (
        "factor", "min_lrs", "max_lrs", "patience", "verbose", "cooldown", "warmup",
        "cooldown_counter", "warmup_counter", "mode", "threshold", "threshold_mode", "best",
        "num_bad_epochs", "num_good_epochs", "eps", "last_epoch", "smooth", "window_size",
        "reset_start", "reset_start_original", "_last_lr", "_init_lrs",
    )  # fmt: skip

    def state_dict(self) -> dict[str, Any]:
        """HF's keys (plain values: ``torch.load(weights_only=True)`` reads them)."""
        state = {key: getattr(self, key) for key in self._STATE}
        if self.smooth:
            state["_streaming_avg"] = {
                "window_size": self.window_size,
                "values": list(self._window),
                "sum": self._window_sum,
            }
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores the state (a missing key keeps its value) and the groups' last lrs."""
        for key in self._STATE:
            if key in state_dict:
                setattr(self, key, state_dict[key])
        window = state_dict.get("_streaming_avg")
        if window is not None:
            self._window = list(window.get("values", []))
            self._window_sum = float(window.get("sum", 0.0))
        if "_last_lr" in state_dict:
            for group, lr in zip(self.optimizer.param_groups, self._last_lr, strict=False):
                group["lr"] = lr
