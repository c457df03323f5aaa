"""The seed's function form: ``adjust_learning_rate(optimizer, epoch, params, i, nBatch)``.

Training scripts often call a hand-written function every batch::

    def adjust_learning_rate(optimizer, epoch, params, i, nBatch):
        e = epoch + i / nBatch
        if e < 10: lr = lr_max * e / 10
        else: lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * (e - 10) / (max_epoch - 10))) / 2
        for group in optimizer.param_groups: group["lr"] = lr
        return lr

``lrkit.adjust_learning_rate`` is a drop-in for it with any lrkit schedule, read from an engine
table computed ahead (a call is a lookup, not a re-evaluation).
"""

from __future__ import annotations

import functools
import numbers
import sys
from collections.abc import Mapping
from typing import Any

import torch
from torch.optim import Optimizer

import lrkit
from lrkit.engine import ChunkedTable
from lrkit.schedule import Schedule

__all__ = [
    "SEED_DEFAULTS",
    "SEED_WARMUP_EPOCHS",
    "adjust_learning_rate",
    "seed_schedule",
]

#: The seed's keys and defaults (``max_epoch`` is required).
SEED_DEFAULTS: dict[str, Any] = {"lr_min": 0.0, "lr_max": 1e-3, "warmup": True}
SEED_WARMUP_EPOCHS = 10


def seed_schedule(params: Mapping[str, Any]) -> Schedule:
    """The schedule of the hand-written function: linear warmup over ``warmup`` epochs (True
    means 10, False none), then cosine from ``lr_max`` to ``lr_min`` until ``max_epoch``."""
    unknown = set(params) - {"max_epoch", *SEED_DEFAULTS}
    if unknown:
        raise ValueError(
            f"params has unknown keys {sorted(unknown)}; expected max_epoch, lr_min, lr_max, warmup"
        )
    if "max_epoch" not in params:
        raise ValueError("params needs 'max_epoch' (the number of epochs of the run)")
    settings = {**SEED_DEFAULTS, **params}
    max_epoch = settings["max_epoch"]
    if isinstance(max_epoch, bool) or not isinstance(max_epoch, numbers.Integral) or max_epoch < 1:
        raise ValueError(f"params['max_epoch'] must be an int >= 1, got {max_epoch!r}")
    warm = settings["warmup"]
    if isinstance(warm, bool):
        warm = SEED_WARMUP_EPOCHS if warm else 0
    if not isinstance(warm, numbers.Integral) or warm < 0:
        raise ValueError(f"params['warmup'] must be True, False or an int >= 0, got {warm!r}")
    if warm >= max_epoch:
        raise ValueError(
            f"params['warmup'] ({warm} epochs) must be shorter than max_epoch ({max_epoch})"
        )
    lr_min, lr_max = settings["lr_min"], settings["lr_max"]
    for name, value in (("lr_min", lr_min), ("lr_max", lr_max)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"params[{name!r}] must be a number, got {value!r}")
        if not 0.0 <= float(value) <= sys.float_info.max:
            raise ValueError(f"params[{name!r}] must be finite and >= 0, got {value!r}")
    if not lr_min <= lr_max:
        raise ValueError(f"params: lr_min ({lr_min!r}) must be <= lr_max ({lr_max!r})")
    total, warm = int(max_epoch), int(warm)
    decay = lrkit.cosine(start=lr_max, end=lr_min, length=lrkit.epochs(total - warm))
    return lrkit.warmup(decay, length=lrkit.epochs(warm)) if warm else decay


@functools.lru_cache(maxsize=32)
def _table_for(schedule: Schedule, steps_per_epoch: int) -> ChunkedTable:
    return ChunkedTable(schedule.resolve(steps_per_epoch=steps_per_epoch))


def _as_key(params: Schedule | Mapping[str, Any]) -> Schedule:
    if isinstance(params, Schedule):
        return params
    if isinstance(params, Mapping):
        return _seed_cached(tuple(sorted(params.items())))
    raise TypeError(
        f"params must be a lrkit.Schedule or a mapping of the seed's keys, got {params!r}"
    )


@functools.lru_cache(maxsize=32)
def _seed_cached(items: tuple[tuple[str, Any], ...]) -> Schedule:
    return seed_schedule(dict(items))


def adjust_learning_rate(
    optimizer: Optimizer,
    epoch: int,
    params: Schedule | Mapping[str, Any],
    i: int = 0,
    nBatch: int = 1,
) -> float:
    """Set every param group's lr to the schedule's value at step ``epoch * nBatch + i`` and
    return it.

    ``params`` is an lrkit schedule (lengths in ``lrkit.epochs`` resolve with
    ``steps_per_epoch=nBatch``) or the hand-written function's mapping: ``max_epoch``,
    ``lr_min=0``, ``lr_max=1e-3``, ``warmup=True`` (10 epochs; False: none; an int: that many).
    Tensor lrs are updated in place.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {optimizer!r}")
    for name, value, low in (("epoch", epoch, 0), ("i", i, 0), ("nBatch", nBatch, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if i >= nBatch:
        raise ValueError(f"i (the batch index, {i}) must be < nBatch ({nBatch})")
    schedule = _as_key(params)
    if schedule.groups is not None:
        raise ValueError(
            "adjust_learning_rate sets one lr for every group; "
            "use lrkit.torch.Scheduler for a per_group schedule"
        )
    table = _table_for(schedule, int(nBatch))
    step = int(epoch) * int(nBatch) + int(i)
    lr = table.row_list(step)[0]  # the table's row cache
    if not 0.0 <= lr <= sys.float_info.max:
        raise ValueError(
            f"step {step} (epoch {epoch}, i {i}): the lr would be {lr!r}; lrkit writes only "
            "finite values >= 0 into an optimizer"
        )
    for group in optimizer.param_groups:
        current = group["lr"]
        if isinstance(current, torch.Tensor):
            current.fill_(lr)
        else:
            group["lr"] = lr
    return lr
