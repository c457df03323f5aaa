"""timm's scheduler factory and stepping on lrkit: ``create_scheduler`` (the arguments of
timm's ``create_scheduler_v2``) builds a :class:`TimmScheduler` (an ``lrkit.torch.Scheduler``
stepped as timm's are: ``step(epoch)`` after each epoch, ``step_update(num_updates)`` after
each update) from ``lrkit.parity.timm``'s schedules, or timm's reactive
:class:`PlateauLRScheduler`; it returns ``(scheduler, num_epochs)`` as timm does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from torch.optim import Optimizer

import lrkit
from lrkit.parity import timm as parity
from lrkit.schedule import Schedule
from lrkit.torch.compat.plateau import ReduceLROnPlateau
from lrkit.torch.scheduler import Scheduler

__all__ = [
    "PlateauLRScheduler",
    "TimmScheduler",
    "create_scheduler",
]


SCHEDULES = ("cosine", "tanh", "step", "constant", "multistep", "plateau", "poly", "wsd", "rsqrt")


class TimmScheduler(Scheduler):
    """An ``lrkit.torch.Scheduler`` of absolute lrs, one timm schedule per param group (built
    from the group's ``initial_lr``, times its ``lr_scale`` if it has one, as timm does),
    stepped the timm way: ``step(epoch)`` applies ``t = epoch`` when ``t_in_epochs``,
    ``step_update(num_updates)`` applies ``t = num_updates`` otherwise; the other call does
    nothing. ``step()`` without an epoch advances one step. ``state_dict()`` resumes bit for
    bit (``load_state_dict`` on a scheduler built by the same call)."""

    def __init__(
        self,
        optimizer: Optimizer,
        build: Any,
        *,
        t_in_epochs: bool = True,
    ) -> None:
        """``build(base_lr)``: the group's timm schedule for its base lr."""
        self.t_in_epochs = bool(t_in_epochs)
        schedules: list[Schedule] = []
        for group in optimizer.param_groups:
            base = float(group.setdefault("initial_lr", group["lr"]))
            schedule = build(base)
            if "lr_scale" in group:
                schedule = lrkit.scale(schedule, factor=float(group["lr_scale"]))
            schedules.append(schedule)
        self.timm_schedules = schedules
        super().__init__(optimizer, schedules, relative=False)

    def step(self, epoch: int | None = None, metric: float | None = None) -> None:
        """timm's ``step(epoch, metric)``: apply ``t = epoch`` if stepping by epochs."""
        if epoch is None:
            super().step()
        elif self.t_in_epochs:
            super().step(int(epoch))

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        """timm's ``step_update(num_updates, metric)``: apply ``t = num_updates`` if stepping by
        updates."""
        if not self.t_in_epochs:
            super().step(int(num_updates))

    def get_cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length`` of the schedule (cosine, tanh, poly, wsd)."""
        first = self.timm_schedules[0]
        inner = getattr(first, "schedule", first)  # under an lr_scale
        length = getattr(inner, "cycle_length", None)
        if length is None:
            raise AttributeError(f"{type(inner).__name__} has no cycle length")
        result: int = length(cycles)
        return result


class PlateauLRScheduler:
    """timm's ``PlateauLRScheduler``: a linear warmup ``warmup_lr_init + epoch * (base_lr -
    warmup_lr_init) / warmup_t`` for ``epoch <= warmup_t`` (``<=``: one epoch more than the other
    timm warmups), then ``ReduceLROnPlateau`` (``lrkit.torch.ReduceLROnPlateau``, torch's
    semantics) on the metrics given to ``step(epoch, metric)``, with timm's noise on top (the
    unperturbed lr restored before the next step). Only ``step(epoch)``: ``step_update`` does
    nothing. ``state_dict`` holds what timm's does (``best``, ``last_epoch``)."""

    def __init__(
        self,
        optimizer: Optimizer,
        decay_rate: float = 0.1,
        patience_t: int = 10,
        threshold: float = 1e-4,
        cooldown_t: int = 0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        lr_min: float = 0.0,
        mode: Literal["min", "max"] = "max",
        noise_range_t: float | Sequence[float] | None = None,
        noise_type: Literal["normal", "uniform"] = "normal",
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int | None = None,
    ) -> None:
        owner = "PlateauLRScheduler"
        if noise_type not in ("normal", "uniform"):
            raise ValueError(
                f"{owner}: noise_type must be 'normal' or 'uniform', got {noise_type!r}"
            )
        if isinstance(warmup_t, bool) or not isinstance(warmup_t, int) or warmup_t < 0:
            raise ValueError(f"{owner}: warmup_t must be an int >= 0, got {warmup_t!r}")
        self.optimizer = optimizer
        self.base_values = [
            float(g.setdefault("initial_lr", g["lr"])) for g in optimizer.param_groups
        ]
        self.noise_range_t = parity._noise_range(owner, "noise_range_t", noise_range_t)
        self.noise_type = noise_type
        self.noise_pct = parity._below_one(owner, "noise_pct", noise_pct)
        self.noise_std = float(noise_std)
        self.noise_seed = 42 if noise_seed is None else int(noise_seed)
        self.lr_scheduler = ReduceLROnPlateau(
            optimizer,
            patience=patience_t,
            factor=decay_rate,
            threshold=threshold,
            cooldown=cooldown_t,
            mode=mode,
            min_lr=lr_min,
        )
        self.warmup_t = warmup_t
        self.warmup_lr_init = float(warmup_lr_init)
        if warmup_t:
            self.warmup_steps = [(v - self.warmup_lr_init) / warmup_t for v in self.base_values]
            self._write([self.warmup_lr_init] * len(self.base_values))
        else:
            self.warmup_steps = [1.0 for _ in self.base_values]
        self.restore_lr: list[float] | None = None

    def _write(self, values: list[float]) -> None:
        for group, value in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = value * group["lr_scale"] if "lr_scale" in group else value

    def step(self, epoch: int, metric: float | None = None) -> None:
        if epoch <= self.warmup_t:
            self._write([self.warmup_lr_init + epoch * s for s in self.warmup_steps])
            return
        if self.restore_lr is not None:
            for group, lr in zip(self.optimizer.param_groups, self.restore_lr, strict=True):
                group["lr"] = lr
            self.restore_lr = None
        if metric is not None:
            self.lr_scheduler.step(metric)
        if parity.in_noise_range(self.noise_range_t, epoch):
            noise = parity.timm_noise(
                epoch, self.noise_seed, self.noise_pct, self.noise_std, self.noise_type
            )
            self.restore_lr = []
            for group in self.optimizer.param_groups:
                old = float(group["lr"])
                self.restore_lr.append(old)
                group["lr"] = old + old * noise

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        return None

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.lr_scheduler.best, "last_epoch": self.lr_scheduler.last_epoch}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.lr_scheduler.best = state_dict["best"]
        if "last_epoch" in state_dict:
            self.lr_scheduler.last_epoch = state_dict["last_epoch"]


def create_scheduler(
    optimizer: Optimizer,
    sched: str = "cosine",
    num_epochs: int = 300,
    decay_epochs: float | None = None,
    decay_milestones: Sequence[int] = (90, 180, 270),
    cooldown_epochs: int = 0,
    patience_epochs: int = 10,
    decay_rate: float = 0.1,
    min_lr: float = 0.0,
    warmup_lr: float = 1e-5,
    warmup_epochs: int = 0,
    warmup_prefix: bool = False,
    noise: float | Sequence[float] | None = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    cycle_mul: float = 1.0,
    cycle_decay: float = 0.1,
    cycle_limit: int = 1,
    k_decay: float = 1.0,
    decay_fn: str | None = None,
    stable_timescale: float | None = None,
    plateau_mode: Literal["min", "max"] = "max",
    step_on_epochs: bool = True,
    updates_per_epoch: int = 0,
) -> tuple[TimmScheduler | PlateauLRScheduler | None, int]:
    """timm's ``create_scheduler_v2`` on lrkit: the scheduler named ``sched`` (``cosine``,
    ``tanh``, ``step``, ``constant``, ``multistep``, ``plateau``, ``poly``, ``wsd``, ``rsqrt``
    or ``none``) with timm's argument mapping (``decay_rate`` is poly's power; lengths in
    updates when ``step_on_epochs=False``), and the number of epochs to train (cycles, warmup
    prefix and cooldown included), as timm computes it.

    >>> sched, epochs = lrkit.torch.create_scheduler(opt, "cosine", num_epochs=100,
    ...                                              warmup_epochs=5, cooldown_epochs=10)
    >>> epochs
    110
    """
    if sched not in (*SCHEDULES, "none"):
        raise ValueError(
            f"create_scheduler: sched must be one of {(*SCHEDULES, 'none')!r}, got {sched!r}"
        )
    if decay_epochs is None:
        decay_epochs = 0.2 if sched in ("wsd", "rsqrt") else 90
    t_initial: Any = num_epochs
    warmup_t: Any = warmup_epochs
    decay_t: Any = decay_epochs
    cooldown_t: Any = cooldown_epochs
    timescale_t = stable_timescale
    milestones = list(decay_milestones)
    if not step_on_epochs:
        if updates_per_epoch <= 0:
            raise ValueError(
                "create_scheduler: updates_per_epoch must be the number of updates per epoch "
                f"(> 0) with step_on_epochs=False, got {updates_per_epoch!r}"
            )
        t_initial = t_initial * updates_per_epoch
        warmup_t = warmup_t * updates_per_epoch
        decay_t = decay_t * updates_per_epoch
        milestones = [d * updates_per_epoch for d in milestones]
        cooldown_t = cooldown_t * updates_per_epoch
        if timescale_t is not None:
            timescale_t = timescale_t * updates_per_epoch
    noise_range: Any = None
    if noise is not None:
        if isinstance(noise, (list, tuple)):
            noise_range = [n * t_initial for n in noise]
            if len(noise_range) == 1:
                noise_range = noise_range[0]
        else:
            noise_range = noise * t_initial
    warmup = {"warmup_lr_init": warmup_lr, "warmup_t": warmup_t, "warmup_prefix": warmup_prefix}
    noises = {
        "noise_range_t": noise_range,
        "noise_pct": noise_pct,
        "noise_std": noise_std,
        "noise_seed": noise_seed,
    }
    cycles = {"cycle_mul": cycle_mul, "cycle_decay": cycle_decay, "cycle_limit": cycle_limit}
    common = {"t_in_epochs": step_on_epochs, **noises}
    kwargs: dict[str, Any]
    factory: Any
    if sched == "none":
        return None, num_epochs
    if sched == "plateau":
        if not step_on_epochs:
            raise ValueError("create_scheduler: plateau steps per epoch only (step_on_epochs=True)")
        plateau = PlateauLRScheduler(
            optimizer,
            decay_rate=decay_rate,
            patience_t=patience_epochs,
            cooldown_t=0,
            warmup_lr_init=warmup_lr,
            warmup_t=warmup_t,
            lr_min=min_lr,
            mode=plateau_mode,
            **noises,
        )
        return plateau, num_epochs + (warmup_epochs if warmup_prefix else 0)
    if sched in ("cosine", "tanh", "poly"):
        factory = {"cosine": parity.cosine, "tanh": parity.tanh, "poly": parity.poly}[sched]
        kwargs = {"t_initial": t_initial, "lr_min": min_lr, **cycles, **warmup, **common}
        if sched != "tanh":
            kwargs["k_decay"] = k_decay
        if sched == "poly":
            kwargs["power"] = decay_rate
    elif sched in ("step", "constant"):
        factory = parity.step
        rate = decay_rate if sched == "step" else 1.0
        kwargs = {"decay_t": decay_t if sched == "step" else 1, "decay_rate": rate}
        kwargs.update(warmup, **common)
    elif sched == "multistep":
        factory = parity.multistep
        kwargs = {"decay_t": milestones, "decay_rate": decay_rate, **warmup, **common}
    else:  # wsd, rsqrt
        t_sched = t_initial if warmup_prefix else t_initial - warmup_t
        if 0 < decay_epochs < 1:
            decay_t = decay_epochs * t_sched
        decay_t = round(decay_t)
        if not 0 < decay_t <= t_sched:
            raise ValueError(
                f"create_scheduler: {sched} needs 0 < decay_epochs <= epochs"
                f"{'' if warmup_prefix else ' - warmup_epochs'}, got a decay of {decay_t} and "
                f"a stable + decay length of {t_sched}"
            )
        factory = parity.wsd
        kwargs = {
            "t_initial": t_sched,
            "decay_t": decay_t,
            "lr_min": min_lr,
            "stable_fn": "rsqrt" if sched == "rsqrt" else "constant",
            "stable_timescale": timescale_t,
            "decay_fn": decay_fn or ("linear" if sched == "rsqrt" else "1-sqrt"),
            "warmup_t": warmup_t,
            "warmup_lr_init": warmup_lr,
            **common,
        }

    def build(base_lr: float) -> Schedule:
        result: Schedule = factory(base_lr=base_lr, **kwargs)
        return result

    scheduler = TimmScheduler(optimizer, build, t_in_epochs=step_on_epochs)
    if sched in ("cosine", "tanh", "poly", "wsd", "rsqrt"):
        total = scheduler.get_cycle_length() + cooldown_t
        num_epochs = total if step_on_epochs else total // updates_per_epoch
    elif warmup_prefix:
        num_epochs += warmup_epochs
    return scheduler, num_epochs
