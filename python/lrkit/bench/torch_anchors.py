"""The torch side of the comparisons: the warmup+cosine closed form in torch tensor ops, one
``torch.cos`` pass, and torch's own schedulers stepped into a table. Importing this module
imports torch (``lrkit.bench`` imports it only when a row needs it)."""

from __future__ import annotations

import math
import warnings

import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

__all__ = [
    "START_FACTOR",
    "TORCH_COS_RTOL",
    "sequential_table",
    "warmup_cosine",
]

#: How close the torch closed form is held to numpy's: torch 2.13's float64 ``cos_`` on these
#: AVX-512 machines now and then (about one fresh process in twelve) returns a few entries off by
#: ~7e-9, relative. The check is that the anchor computes the same curve, not torch's accuracy.
TORCH_COS_RTOL = 1e-7


def warmup_cosine(n: int, *, warm: int, peak: float, end: float, length: int) -> torch.Tensor:
    """``warmup(cosine(peak, end, length), warm)`` over steps ``0 .. n-1`` in float64 torch ops,
    in place (the torch spelling of :func:`lrkit.bench.closed_forms.warmup_cosine`)."""
    out = torch.arange(n, dtype=torch.float64)
    out[:warm] *= peak / warm
    tail = out[warm:]
    tail -= warm
    part = tail[:length]
    part *= math.pi / length
    part.cos_()
    part += 1.0
    part *= (peak - end) / 2
    part += end
    tail[length:] = end
    if len(tail):
        tail[0] = peak
    return out


def sequential_table(n: int, *, warm: int, peak: float, end: float) -> list[float]:
    """The lrs of steps ``0 .. n-1`` from stepping torch's SequentialLR(LinearLR(1e-8 -> 1 over
    ``warm``), CosineAnnealingLR(``n - warm``, eta_min=end)) with base lr ``peak``: the usual
    torch spelling of the warmup+cosine schedule (LinearLR cannot start at 0)."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=peak)
    optimizer._opt_called = True  # type: ignore[attr-defined]  # no step-order warning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = SequentialLR(
            optimizer,
            [
                LinearLR(optimizer, start_factor=START_FACTOR, total_iters=warm),
                CosineAnnealingLR(optimizer, T_max=n - warm, eta_min=end),
            ],
            milestones=[warm],
        )
        group = optimizer.param_groups[0]
        values = [group["lr"]]
        step = scheduler.step
        for _ in range(n - 1):
            step()
            values.append(group["lr"])
    return values


#: LinearLR's start factor in :func:`sequential_table` (it must be > 0).
START_FACTOR = 1e-8
