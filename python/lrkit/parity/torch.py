"""torch.optim.lr_scheduler's curves, with torch's own step boundaries, as lrkit schedules.

lrkit's primitives hold their end value and reach it exactly at ``t = length``; some of torch's
classes do otherwise, and ``lrkit.torch``'s drop-ins need their exact curves:

* ``cosine_annealing``: ``CosineAnnealingLR``'s closed form, which keeps oscillating past
  ``T_max`` (lrkit's ``cosine`` holds its end);
* ``one_cycle_phases``: ``OneCycleLR``'s phases, which end at torch's float steps
  ``pct_start * total_steps - 1`` (lrkit's ``one_cycle`` rounds the peak to a whole step);
* ``cyclic_triangle``: ``CyclicLR``'s triangle, from torch's ``floor(1 + t / cycle)``
  arithmetic (lrkit's ``cyclic`` uses integer phases), also inverted for momentum cycling.

No import of torch: these are plain schedules, run by the C++ engine (``csrc/torch_parity.hpp``,
same operations in the same order as the reference formulas here). They need no ``import torch``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from lrkit import fields
from lrkit._cfloat import c_pow
from lrkit.cycles import CYCLIC_MODES
from lrkit.fields import Declared, constructor


@dataclass(frozen=True, repr=False, eq=False)
class CosineAnnealing(Declared):
    """``end + (start - end) * (1 + cos(pi * t / period)) / 2`` for every ``t``: down to ``end`` at
    ``t = period``, back up to ``start`` at ``2 * period``, and so on (torch's
    ``CosineAnnealingLR`` with ``T_max = period``, ``eta_min = end``)."""

    config_name: ClassVar[str] = "torch_cosine_annealing"
    node: ClassVar[str] = "TorchCosineAnnealing"
    start: float = fields.real()
    end: float = fields.real()
    period: int = fields.integer(minimum=1)

    def value(self, step: int) -> float:
        return (
            self.end
            + (self.start - self.end)
            * (1.0 + math.cos(math.pi * float(step) / float(self.period)))
            / 2.0
        )


@dataclass(frozen=True, repr=False, eq=False)
class Phases(Declared):
    """torch's ``OneCycleLR`` phases. Phase ``i`` goes from ``points[i]`` to ``points[i + 1]``
    between the float steps ``ends[i - 1]`` (0 for the first) and ``ends[i]``, with
    ``pct = (t - start_i) / (end_i - start_i)`` and the anneal ``b + (a - b) / 2 * (cos(pi * pct)
    + 1)`` (``"cos"``) or ``(b - a) * pct + a`` (``"linear"``). Like torch, the last phase runs on
    to step ``total`` (which torch accepts, one step past its end); after it, ``points[-1]``."""

    config_name: ClassVar[str] = "torch_one_cycle_phases"
    points: tuple[float, ...] = fields.reals(min_length=2)
    ends: tuple[float, ...] = fields.reals(min_length=1)
    total: int = fields.integer(minimum=1)
    anneal: Literal["cos", "linear"] = fields.choice(("cos", "linear"), "cos")

    def _validate(self) -> None:
        owner = "torch_one_cycle_phases"
        values, ends = self.points, self.ends
        if len(values) != len(ends) + 1:
            raise ValueError(
                f"{owner}: points needs one more entry than ends, got {len(values)} points and "
                f"{len(ends)} ends"
            )
        previous = 0.0
        for i, end in enumerate(ends):
            if end == previous:
                raise ValueError(
                    f"{owner}: phase {i} is empty (it starts and ends at step {end!r}); "
                    "torch would divide by zero here"
                )
            previous = end

    def value(self, step: int) -> float:
        if step > self.total:
            return self.points[-1]
        t = float(step)
        start_step = 0.0
        last = len(self.ends) - 1
        for i, end_step in enumerate(self.ends):
            if t <= end_step or i == last:
                pct = (t - start_step) / (end_step - start_step)
                a, b = self.points[i], self.points[i + 1]
                if self.anneal == "cos":
                    return b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1.0)
                return (b - a) * pct + a
            start_step = end_step
        raise AssertionError("unreachable: the last phase always answers")


@dataclass(frozen=True, repr=False, eq=False)
class CyclicTriangle(Declared):
    """torch's ``CyclicLR``: with ``c = up + down``, ``cycle = floor(1 + t / c)``, ``x = 1 + t / c -
    cycle`` and ``r = up / c``, the height is ``scale = x / r`` while rising (``x <= r``), else
    ``(x - 1) / (r - 1)``; ``fn`` is 1 (``triangular``), ``1 / 2 ** (k - 1)`` (``triangular2``) or
    ``gamma ** k`` (``exp_range``) with ``k`` the cycle (``by_cycle``) or the step. The value is
    ``low + (high - low) * scale * fn``, or with ``inverted`` (momentum, which moves against the
    lr) ``high - (high - low) * scale * fn``."""

    config_name: ClassVar[str] = "torch_cyclic"
    low: float = fields.real()
    high: float = fields.real()
    up: float = fields.positive()
    down: float = fields.positive()
    mode: Literal["triangular", "triangular2", "exp_range"] = fields.choice(
        CYCLIC_MODES, "triangular"
    )
    gamma: float = fields.positive(1.0)
    by_cycle: bool = fields.flag(True)
    inverted: bool = fields.flag(False)

    def value(self, step: int) -> float:
        t = float(step)
        total = self.up + self.down
        ratio = self.up / total
        cycle = float(math.floor(1.0 + t / total))
        x = 1.0 + t / total - cycle
        scale = x / ratio if x <= ratio else (x - 1.0) / (ratio - 1.0)
        height = (self.high - self.low) * scale
        arg = cycle if self.by_cycle else t
        if self.mode == "triangular":
            fn = 1.0
        elif self.mode == "triangular2":
            # C's pow (overflow is inf, so fn reaches 0), as the engine computes it; torch's own
            # Python float power raises OverflowError there (past step ~1025 by step).
            fn = 1.0 / c_pow(2.0, arg - 1.0)
        else:
            fn = c_pow(self.gamma, arg)
        return self.high - height * fn if self.inverted else self.low + height * fn


@constructor(CosineAnnealing)
def cosine_annealing(start: float, end: float, period: int) -> CosineAnnealing:
    """torch's ``CosineAnnealingLR`` curve (periodic past ``period``).

    >>> s = lrkit.parity.torch.cosine_annealing(start=1.0, end=0.0, period=4)
    >>> [s(t) for t in (0, 4, 8)]
    [1.0, 0.0, 1.0]
    """
    return CosineAnnealing(start, end, period)


@constructor(Phases)
def one_cycle_phases(
    points: tuple[float, ...] | list[float],
    ends: tuple[float, ...] | list[float],
    total: int,
    anneal: Literal["cos", "linear"] = "cos",
) -> Phases:
    """torch's ``OneCycleLR`` phases through ``points`` at torch's float ``ends``."""
    return Phases(tuple(points), tuple(ends), total, anneal)


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: Literal["cos", "linear"] = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Phases:
    """torch's ``OneCycleLR`` learning rate for one group, with torch's argument names:
    ``max_lr / div_factor`` up to ``max_lr`` (the peak at float step ``pct_start * total_steps -
    1``), then down to ``max_lr / div_factor / final_div_factor`` at ``total_steps - 1``."""
    initial = max_lr / div_factor
    return one_cycle_phases(
        one_cycle_values(initial, max_lr, initial / final_div_factor, three_phase=three_phase),
        one_cycle_ends(total_steps, pct_start, three_phase=three_phase),
        total_steps,
        anneal_strategy,
    )


def one_cycle_values(
    initial: float, peak: float, floor: float, *, three_phase: bool
) -> tuple[float, ...]:
    """The values OneCycleLR's phases pass through (also for momentum: ``(max, base, max)``)."""
    return (initial, peak, initial, floor) if three_phase else (initial, peak, floor)


def one_cycle_ends(total_steps: int, pct_start: float, *, three_phase: bool) -> tuple[float, ...]:
    """OneCycleLR's phase end steps, computed as torch computes them."""
    if three_phase:
        return (
            float(pct_start * total_steps) - 1,
            float(2 * pct_start * total_steps) - 2,
            total_steps - 1.0,
        )
    return (float(pct_start * total_steps) - 1, total_steps - 1.0)


@constructor(CyclicTriangle)
def cyclic_triangle(
    low: float,
    high: float,
    up: float,
    down: float,
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
    gamma: float = 1.0,
    by_cycle: bool = True,
    inverted: bool = False,
) -> CyclicTriangle:
    """torch's ``CyclicLR`` curve between ``low`` and ``high`` (see :class:`CyclicTriangle`)."""
    return CyclicTriangle(low, high, up, down, mode, gamma, by_cycle, inverted)


__all__ = [
    "CosineAnnealing",
    "CyclicTriangle",
    "Phases",
    "cosine_annealing",
    "cyclic_triangle",
    "one_cycle",
    "one_cycle_ends",
    "one_cycle_phases",
    "one_cycle_values",
]
