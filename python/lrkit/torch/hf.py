"""``get_scheduler``: HF transformers' ``transformers.get_scheduler``, with lrkit's schedulers.

The same names (HF's ``SchedulerType`` values), signature and errors as HF's; a schedule name
returns an :class:`lrkit.torch.Scheduler` in relative mode (each group's lr is its initial lr
times HF's multiplier, as HF's ``LambdaLR`` computes it) running the ``lrkit.parity.hf``
schedule, so HF Trainer, Lightning and accelerate take it like HF's own and its state_dict
resumes it. ``reduce_lr_on_plateau`` returns :class:`lrkit.torch.ReduceLROnPlateau` and
``greedy`` :class:`lrkit.torch.GreedyLR` (stepped with a metric, as HF Trainer does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from torch.optim import Optimizer

from lrkit.parity import hf
from lrkit.schedule import Schedule
from lrkit.torch.compat.plateau import ReduceLROnPlateau
from lrkit.torch.greedy import GreedyLR
from lrkit.torch.scheduler import Scheduler

__all__ = [
    "get_scheduler",
]


#: HF's ``SchedulerType`` values, in HF's order.
SCHEDULER_TYPES = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
    "greedy",
)

#: The schedules that take num_warmup_steps and num_training_steps (and HF's extra arguments).
_WARMUP_AND_TRAINING: dict[str, Callable[..., Schedule]] = {
    "linear": hf.linear_schedule_with_warmup,
    "cosine": hf.cosine_schedule_with_warmup,
    "cosine_with_restarts": hf.cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": hf.polynomial_decay_schedule_with_warmup,
    "cosine_with_min_lr": hf.cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": hf.cosine_with_min_lr_schedule_with_warmup_lr_rate,
}
#: The ones that read the optimizer's default lr, as HF does (``lr_init`` here).
_READS_DEFAULT_LR = {"polynomial", "cosine_with_min_lr", "cosine_warmup_with_min_lr"}


def get_scheduler(
    name: str | Enum,
    optimizer: Optimizer,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    scheduler_specific_kwargs: Mapping[str, Any] | None = None,
) -> Scheduler | ReduceLROnPlateau | GreedyLR:
    """HF's ``get_scheduler(name, optimizer, num_warmup_steps, num_training_steps,
    scheduler_specific_kwargs)``: the scheduler HF would build, as an lrkit scheduler with HF's
    values. ``name`` is one of :data:`SCHEDULER_TYPES` (or HF's ``SchedulerType``);
    ``scheduler_specific_kwargs`` are HF's extra arguments (``num_cycles``, ``lr_end``,
    ``power``, ``timescale``, ``min_lr``, ``min_lr_rate``, ``warmup_lr_rate``,
    ``num_decay_steps``, ...; for ``reduce_lr_on_plateau`` and ``greedy`` their class's).

    Like HF: ``constant`` ignores every other argument; every schedule but ``constant`` needs
    ``num_warmup_steps`` and all but ``constant_with_warmup``, ``inverse_sqrt`` and
    ``warmup_stable_decay`` need ``num_training_steps`` (a ValueError names the missing one).
    HF's layer-wise optimizer (``LayerWiseDummyOptimizer``) is not supported.

    >>> import torch
    >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    >>> s = lrkit.torch.get_scheduler("linear", opt, num_warmup_steps=2, num_training_steps=10)
    >>> [round(s.step() or opt.param_groups[0]["lr"], 4) for _ in range(3)]
    [0.05, 0.1, 0.0875]
    """
    kind = _scheduler_type(name)
    kwargs = dict(scheduler_specific_kwargs or {})
    if kind == "constant":
        return Scheduler(optimizer, hf.constant_schedule())
    if kind == "reduce_lr_on_plateau":
        return ReduceLROnPlateau(optimizer, **kwargs)
    if kind == "greedy":
        return GreedyLR(optimizer, **kwargs)
    if num_warmup_steps is None:
        raise ValueError(f"{kind} requires `num_warmup_steps`, please provide that argument.")
    if kind == "constant_with_warmup":
        return Scheduler(optimizer, hf.constant_schedule_with_warmup(num_warmup_steps))
    if kind == "inverse_sqrt":
        return Scheduler(optimizer, hf.inverse_sqrt_schedule(num_warmup_steps, **kwargs))
    if kind == "warmup_stable_decay":
        schedule = hf.wsd_schedule(
            num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs
        )
        return Scheduler(optimizer, schedule)
    if num_training_steps is None:
        raise ValueError(f"{kind} requires `num_training_steps`, please provide that argument.")
    if kind in _READS_DEFAULT_LR:
        kwargs["lr_init"] = optimizer.defaults["lr"]
    make = _WARMUP_AND_TRAINING[kind]
    return Scheduler(optimizer, make(num_warmup_steps, num_training_steps, **kwargs))


def _scheduler_type(name: str | Enum) -> str:
    value = name.value if isinstance(name, Enum) else name
    if value not in SCHEDULER_TYPES:
        raise ValueError(
            f"{value} is not a valid SchedulerType, please select one of {list(SCHEDULER_TYPES)}"
        )
    return str(value)
