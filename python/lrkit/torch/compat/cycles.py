"""Drop-ins for torch's per-batch cycles: CyclicLR, OneCycleLR and CosineAnnealingWarmRestarts.

Their lr (and, with ``cycle_momentum``, their momentum or Adam ``beta1``) are closed forms of
the step, read from engine tables (``lrkit.parity.torch``'s curves, torch's step boundaries and
operation order), written into the param groups like torch writes them.
"""

from __future__ import annotations

import functools
import math
import types
from collections.abc import Callable
from typing import Any, Literal

import torch
from torch.optim import Optimizer

import lrkit
from lrkit.combinators import per_group
from lrkit.engine import ChunkedTable
from lrkit.parity import torch as torch_parity
from lrkit.schedule import Schedule
from lrkit.torch._torch_internals import (
    LEGACY_ANNEAL_FUNCTIONS,
    NEGATIVE_EPOCH,
    NOT_AN_OPTIMIZER,
    PAST_TOTAL_STEPS,
)
from lrkit.torch.compat._base import (
    TableScheduler,
    _within_step,
    get_lr_at_last_epoch,
    per_group_values,
    scalar,
    warn_get_lr_outside_step,
)
from lrkit.units import MAX_STEPS


class _MomentumCycling(TableScheduler):
    """A non-chainable drop-in that also cycles ``momentum`` (or ``betas[0]``) against the lr."""

    # caches, like TableScheduler's: not in ``__dict__``
    __slots__ = ("_fast_rows",)

    chainable = False
    fast_step = True  # _fast_plan writes the momentum (or beta1) row with the lr row
    cycle_momentum: bool
    use_beta1: bool

    def __init__(self, optimizer: Optimizer, last_epoch: int) -> None:
        # with cycle_momentum, the one table: the lr columns, then the momentum columns
        self._fast_rows: ChunkedTable | None = None
        super().__init__(optimizer, last_epoch)

    def _add_groups(self) -> None:
        raise ValueError(
            f"{type(self).__name__}: a param group was added after it was built; its per-group "
            "arguments (max_lr, momenta) have no value for it. Build the scheduler after "
            "add_param_group"
        )

    def _forget_table(self) -> None:
        super()._forget_table()
        self._fast_rows = None

    def _lr_and_momentum_table(self) -> ChunkedTable:
        """With ``cycle_momentum``, the one table of this scheduler: every group's lr, then
        every group's momentum (or beta1); step(), get_lr() and lr_at() all read it."""
        if self._fast_rows is None:
            lrs = self._schedule([scalar(b) for b in self.base_lrs])
            assert isinstance(lrs, list)
            self._fast_rows = ChunkedTable(per_group([*lrs, *self._momentum_schedules()]))
        return self._fast_rows

    def _fast_plan(self) -> tuple[ChunkedTable, tuple[Any, ...], int] | None:
        if not self.cycle_momentum:
            return super()._fast_plan()
        momentum = ("betas", 0) if self.use_beta1 else "momentum"
        return self._lr_and_momentum_table(), ("lr", momentum), MAX_STEPS

    def _closed(self, step: int) -> list[float]:
        if not self.cycle_momentum or step < 0:
            return super()._closed(step)
        return self._lr_and_momentum_table().row_list(step)[: len(self.base_lrs)]

    def _momentum_row(self, step: int) -> list[float]:
        """The momentum (or beta1) of every group at ``step`` (from the table's row cache)."""
        return self._lr_and_momentum_table().row_list(step)[len(self.base_lrs) :]

    def _momentum_schedules(self) -> list[Schedule]:
        raise NotImplementedError

    def _check_momentum(self, optimizer: Optimizer) -> None:
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(
                f"{type(self).__name__}: cycle_momentum=True needs an optimizer with momentum "
                f"or betas, and {type(optimizer).__name__} has neither (pass "
                "cycle_momentum=False)"
            )
        self.use_beta1 = "betas" in optimizer.defaults

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _get_closed_form_lr(self) -> list[float]:
        return get_lr_at_last_epoch(self)  # the lr and the momentum, as torch's get_lr()

    def get_lr(self) -> list[float | torch.Tensor]:
        lrs = super().get_lr()
        if self.cycle_momentum:
            row = self._momentum_row(self.last_epoch)
            groups = self.optimizer.param_groups
            if len(row) != len(groups):
                raise ValueError(
                    f"{type(self).__name__} has {len(row)} momentums for {len(groups)} param groups"
                )
            # plain zips (lengths checked): zip(strict=True) costs ~0.3 us a call
            if self.use_beta1:
                for group, momentum in zip(groups, row):  # noqa: B905
                    group["betas"] = (momentum, *group["betas"][1:])
            else:
                for group, momentum in zip(groups, row):  # noqa: B905
                    group["momentum"] = momentum
        return lrs


class CyclicLR(_MomentumCycling):
    """Cyclical learning rates between ``base_lr`` and ``max_lr`` (Smith 2017), per batch, with
    torch's arguments and values (``lrkit.parity.torch.cyclic_triangle``). A custom ``scale_fn``
    is called per step in Python, as torch does; the built-in modes run in the engine."""

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: Literal["cycle", "iterations"] = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(NOT_AN_OPTIMIZER.format(name=type(optimizer).__name__))
        self.optimizer = optimizer
        base_lrs = per_group_values("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                if isinstance(group["lr"], torch.Tensor):
                    group["lr"].fill_(scalar(lr))
                else:
                    group["lr"] = lr
        self.max_lrs = per_group_values("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        if not up > 0 or not down > 0:
            raise ValueError(
                f"CyclicLR: step_size_up and step_size_down must be > 0, got {step_size_up!r} "
                f"and {step_size_down!r}"
            )
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(
                f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' when "
                f"scale_fn is None, got {mode!r}"
            )
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}"
            )
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        # torch fixes the scale mode of its built-in modes whatever scale_mode says
        self.scale_mode = (
            scale_mode if scale_fn is not None else "iterations" if mode == "exp_range" else "cycle"
        )
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._check_momentum(optimizer)
            self.base_momentums = per_group_values("base_momentum", optimizer, base_momentum)
            self.max_momentums = per_group_values("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for high, low, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups, strict=True
                ):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        self._step_size_up, self._step_size_down = up, down
        super().__init__(optimizer, last_epoch)
        # torch's initial step used the groups' initial_lr; from now on the bases are base_lr
        self.base_lrs = base_lrs
        self._forget_table()

    def scale_fn(self, x: float) -> float:
        """torch's amplitude of cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return float(self._scale_fn_custom(x))
        return float(self._scale_fn_ref(x))

    @property
    def _scale_fn_ref(self) -> Callable[[float], float]:
        """torch's attribute for the built-in mode's amplitude function (a static function, or
        ``gamma`` bound to one for ``exp_range``); like torch's, unset with a custom ``scale_fn``.
        A property: it follows ``mode`` after ``load_state_dict`` and is never in the state."""
        if self._scale_fn_custom is not None:
            raise AttributeError("'CyclicLR' with a custom scale_fn has no '_scale_fn_ref'")
        if self.mode == "triangular":
            return self._triangular_scale_fn
        if self.mode == "triangular2":
            return self._triangular2_scale_fn
        return functools.partial(self._exp_range_scale_fn, self.gamma)

    @staticmethod
    def _triangular_scale_fn(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x: float) -> float:
        return float(1 / (2.0 ** (x - 1)))

    @staticmethod
    def _exp_range_scale_fn(gamma: float, x: float) -> float:
        return float(gamma**x)

    def _curve(self, low: float, high: float, *, inverted: bool) -> Schedule:
        return torch_parity.cyclic_triangle(
            low=low,
            high=high,
            up=self._step_size_up,
            down=self._step_size_down,
            mode=self.mode,
            gamma=self.gamma,
            by_cycle=self.scale_mode == "cycle",
            inverted=inverted,
        )

    def _schedule(self, bases: list[float]) -> list[Schedule]:
        return [
            self._curve(b, scalar(m), inverted=False)
            for b, m in zip(bases, self.max_lrs, strict=True)
        ]

    def _momentum_schedules(self) -> list[Schedule]:
        return [
            self._curve(scalar(low), scalar(high), inverted=True)
            for low, high in zip(self.base_momentums, self.max_momentums, strict=True)
        ]

    fast_step = True  # _fast_plan: none with a custom scale_fn, which get_lr calls in Python

    def get_lr(self) -> list[float | torch.Tensor]:
        if self._scale_fn_custom is None:
            return super().get_lr()
        warn_get_lr_outside_step(self)
        return self._custom_values()

    def _fast_plan(self) -> tuple[ChunkedTable, tuple[Any, ...], int] | None:
        return None if self._scale_fn_custom is not None else super()._fast_plan()

    def _custom_values(self) -> list[float | torch.Tensor]:
        step = self.last_epoch
        cycle = math.floor(1 + step / self.total_size)
        x = 1.0 + step / self.total_size - cycle
        scale = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        amplitude = self.scale_fn(cycle if self.scale_mode == "cycle" else step)
        lrs: list[float | torch.Tensor] = [
            scalar(b) + (scalar(m) - scalar(b)) * scale * amplitude
            for b, m in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            for group, low, high in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                height = (scalar(high) - scalar(low)) * scale
                self._set_momentum(group, scalar(high) - height * amplitude)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """Plain data; a custom ``scale_fn`` is saved as torch saves it: ``None`` for a function,
        its ``__dict__`` for a callable object."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = (
            None
            if fn is None or isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
            else dict(fn.__dict__)
        )
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        fn_state = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if fn_state is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn_state)


class OneCycleLR(_MomentumCycling):
    """The one-cycle policy (Smith & Topin) with torch's arguments, phase boundaries and values
    (``lrkit.parity.torch.one_cycle``). Like torch, it keeps ``initial_lr``, ``max_lr``,
    ``min_lr`` (and ``max_momentum``/``base_momentum``) in the param groups, accepts
    ``total_steps`` steps and raises past them."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(NOT_AN_OPTIMIZER.format(name=type(optimizer).__name__))
        self.optimizer = optimizer
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be a float in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        self._anneal_func_type = anneal_strategy
        self.pct_start = pct_start
        self.three_phase = bool(three_phase)
        self._ends = torch_parity.one_cycle_ends(
            self.total_steps, pct_start, three_phase=self.three_phase
        )
        max_lrs = per_group_values("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._check_momentum(optimizer)
            highs = per_group_values("max_momentum", optimizer, max_momentum)
            lows = per_group_values("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for high, low, group in zip(highs, lows, optimizer.param_groups, strict=True):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _phases(self, start: float, peak: float, end: float) -> Schedule:
        return torch_parity.one_cycle_phases(
            points=torch_parity.one_cycle_values(start, peak, end, three_phase=self.three_phase),
            ends=self._ends,
            total=self.total_steps,
            anneal=self._anneal_strategy(),
        )

    def _schedule(self, bases: list[float]) -> list[Schedule]:
        return [
            self._phases(scalar(g["initial_lr"]), scalar(g["max_lr"]), scalar(g["min_lr"]))
            for g in self.optimizer.param_groups
        ]

    def _anneal_strategy(self) -> Literal["cos", "linear"]:
        """``"cos"`` or ``"linear"``; a state saved by torch before 2.1 names the function
        (``anneal_func``, one of torch's two) instead, as torch still reads it."""
        # getattr, not __dict__: reading __dict__ would slow every later attribute access
        strategy = getattr(self, "_anneal_func_type", None)
        if strategy in ("cos", "linear"):
            return strategy  # type: ignore[no-any-return]
        legacy = getattr(self, "anneal_func", None)
        for name, function in LEGACY_ANNEAL_FUNCTIONS.items():
            if legacy is function or legacy is getattr(OneCycleLR, f"_annealing_{name}"):
                return name  # type: ignore[return-value]
        raise ValueError(
            f"OneCycleLR: the state's annealing ({strategy!r}, anneal_func={legacy!r}) is not "
            "'cos' or 'linear'"
        )

    @staticmethod
    def _annealing_cos(start: float, end: float, pct: float) -> float:
        """torch's cosine anneal from ``start`` to ``end`` as ``pct`` goes from 0 to 1."""
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    @staticmethod
    def _annealing_linear(start: float, end: float, pct: float) -> float:
        """torch's linear anneal from ``start`` to ``end`` as ``pct`` goes from 0 to 1."""
        return (end - start) * pct + start

    def _momentum_schedules(self) -> list[Schedule]:
        return [
            self._phases(
                scalar(g["max_momentum"]), scalar(g["base_momentum"]), scalar(g["max_momentum"])
            )
            for g in self.optimizer.param_groups
        ]

    fast_step = True  # _fast_plan: up to total_steps, past which get_lr raises

    def _fast_plan(self) -> tuple[ChunkedTable, tuple[Any, ...], int] | None:
        plan = super()._fast_plan()
        return None if plan is None else (plan[0], plan[1], self.total_steps)

    def get_lr(self) -> list[float | torch.Tensor]:
        if self.last_epoch > self.total_steps:
            raise ValueError(PAST_TOTAL_STEPS.format(step=self.last_epoch, total=self.total_steps))
        return super().get_lr()


def _total_steps(total_steps: int | None, epochs: int | None, steps_per_epoch: int | None) -> int:
    def positive(name: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"OneCycleLR: {name} must be a positive int, got {value!r}")
        return value

    if total_steps is not None:
        return positive("total_steps", total_steps)
    if epochs is not None and steps_per_epoch is not None:
        return positive("epochs", epochs) * positive("steps_per_epoch", steps_per_epoch)
    raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")


class CosineAnnealingWarmRestarts(TableScheduler):
    """SGDR (Loshchilov & Hutter) with torch's arguments: ``T_0`` steps in the first cycle, each
    next cycle ``T_mult`` times longer, ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur /
    T_i)) / 2``. Like torch's, ``step(epoch)`` takes fractional epochs (``epoch + i / n``) and
    may be interleaved with ``step()``; whole-step positions come from the engine's table
    (``lrkit.cosine_restarts``), fractional ones from the formula. Where torch's closed form for
    ``step(epoch)`` lands one cycle low on a restart boundary (float ``log``), this one restarts.
    """

    chainable = False

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_0 must be an int >= 1, got {T_0!r}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(
                f"CosineAnnealingWarmRestarts: T_mult must be an int >= 1, got {T_mult!r}"
            )
        if isinstance(eta_min, bool) or not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"CosineAnnealingWarmRestarts: eta_min must be a float, got {eta_min!r}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        self._position: float = last_epoch  # the step within the whole run (T_cur + cycle start)
        if last_epoch > 0:  # resumed through the constructor: the cycle of that step, not T_0's
            self.T_cur, self.T_i = self._cycle_of(last_epoch)
        super().__init__(optimizer, last_epoch)

    def _schedule(self, bases: list[float]) -> list[Schedule]:
        eta = float(self.eta_min)
        return [
            lrkit.cosine_restarts(start=b, end=eta, period=self.T_0, period_mult=float(self.T_mult))
            for b in bases
        ]

    def get_lr(self) -> list[float | torch.Tensor]:
        warn_get_lr_outside_step(self)
        position = self._position
        if float(position).is_integer() and position >= 0:
            return list(self._closed(int(position)))
        angle = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        eta = self.eta_min
        return [eta + (scalar(b) - eta) * angle for b in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one step, or move to ``epoch`` (a float: ``epoch + i / iters`` per batch).
        A refused step leaves the scheduler as it was."""
        saved = (self.T_cur, self.T_i, self._position, self.last_epoch)
        try:
            self._advance(epoch)
        except BaseException:
            self.T_cur, self.T_i, self._position, self.last_epoch = saved
            raise

    def _advance(self, epoch: float | None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            self._position += 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(NEGATIVE_EPOCH.format(epoch=epoch))
            self._position = epoch
            self.T_cur, self.T_i = self._cycle_of(epoch)
        self.last_epoch = math.floor(epoch)
        with _within_step(self):
            values = self.get_lr()
        self._write(values)

    def _cycle_of(self, epoch: float) -> tuple[float, int]:
        """``(T_cur, T_i)`` at ``epoch``; the cycle index from ``log`` is corrected so that a
        restart boundary always starts the next cycle."""
        t0, mult = self.T_0, self.T_mult
        if epoch < t0:
            return epoch, t0
        if mult == 1:
            return epoch % t0, t0
        n = int(math.log(epoch / t0 * (mult - 1) + 1, mult))
        while t0 * (mult ** (n + 1) - 1) // (mult - 1) <= epoch:
            n += 1
        while n > 0 and t0 * (mult**n - 1) // (mult - 1) > epoch:
            n -= 1
        return epoch - t0 * (mult**n - 1) / (mult - 1), t0 * mult**n


__all__ = ["CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR"]
