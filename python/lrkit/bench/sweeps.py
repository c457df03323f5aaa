"""The curves of ``lrkit bench --plot``: step() cost against the number of param groups, and
table cost against the number of steps, for lrkit, torch and numpy (median seconds per call
over at most 5 repeats, every size's callables timed interleaved)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lrkit.bench import tables
from lrkit.bench.model import Settings
from lrkit.bench.timing import compare
from lrkit.demo import LR_MAX, LR_MIN

__all__ = [
    "Maker",
    "Sweep",
    "default_sizes",
    "step_costs",
    "table_costs",
]


@dataclass
class Sweep:
    """``series[name][k]``: seconds per call at size ``x[k]`` (None: not measured there)."""

    title: str
    x_label: str
    y_label: str
    x: list[int]
    series: dict[str, list[float | None]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "x": self.x,
            "series": self.series,
        }


#: Builds the callable to time (a scheduler's bound step, a table function).
Maker = Callable[[], Callable[[], object]]


def _measure(sweep: Sweep, size: int, makers: dict[str, Maker | None], settings: Settings) -> None:
    names = [name for name, make in makers.items() if make is not None]
    calls = [make() for make in makers.values() if make is not None]
    # Curves, not targets: fewer and shorter repeats than the rows keep --plot quick.
    timings = compare(calls, repeats=min(settings.repeats, 5), min_time=settings.min_time / 2)
    measured = dict(zip(names, (t.median for t in timings), strict=True))
    sweep.x.append(size)
    for name in makers:
        sweep.series.setdefault(name, []).append(measured.get(name))


def step_costs(settings: Settings, groups: Sequence[int]) -> Sweep:
    """One ``step()`` of each scheduler at each number of param groups."""
    sweep = Sweep("step() cost vs param groups", "param groups", "seconds per step()", [])
    for g in groups:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _measure(sweep, g, _step_makers(g, settings.sizes.run_length), settings)
    return sweep


def _step_makers(groups: int, length: int) -> dict[str, Maker | None]:
    import torch.optim.lr_scheduler as torch_schedulers

    import lrkit
    import lrkit.torch as lrkit_schedulers
    from lrkit.torch.demo import make_optimizer

    schedule = lrkit.cosine(1.0, 0.0, length)
    return {
        "torch CosineAnnealingLR": lambda: (
            torch_schedulers.CosineAnnealingLR(make_optimizer(groups), T_max=length).step
        ),
        "lrkit drop-in CosineAnnealingLR": lambda: (
            lrkit_schedulers.CosineAnnealingLR(make_optimizer(groups), T_max=length).step
        ),
        "lrkit Scheduler (float lrs)": lambda: (
            lrkit_schedulers.Scheduler(make_optimizer(groups), schedule).step
        ),
        "lrkit Scheduler (tensor lrs)": lambda: (
            lrkit_schedulers.Scheduler(make_optimizer(groups), schedule, tensor_lr=True).step
        ),
    }


def table_costs(settings: Settings, sizes: Sequence[int]) -> Sweep:
    """A warmup+cosine table of each length, by each method (torch on one thread; its stepping
    only up to the report's ``torch_steps``: it costs about 2 us per entry)."""
    import torch

    sweep = Sweep("warmup+cosine table cost vs steps", "steps", "seconds per table", [])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # default threads swing 10x with load: no curve to read
    try:
        for n in sizes:
            _measure(sweep, n, _table_makers(n, stepped=n <= settings.sizes.torch_steps), settings)
    finally:
        torch.set_num_threads(threads)
    return sweep


def _table_makers(n: int, *, stepped: bool) -> dict[str, Maker | None]:
    from lrkit.bench import torch_anchors

    schedule, warm = tables.seed(n), n // 20
    return {
        "lrkit table": lambda: lambda: schedule.table(n),
        "numpy closed form": lambda: lambda: tables.seed_numpy(n),
        "torch closed form (tensor ops, one thread)": lambda: (
            lambda: torch_anchors.warmup_cosine(
                n, warm=warm, peak=LR_MAX, end=LR_MIN, length=n - warm
            )
        ),
        "torch SequentialLR stepped": (
            (lambda: lambda: torch_anchors.sequential_table(n, warm=warm, peak=LR_MAX, end=LR_MIN))
            if stepped
            else None
        ),
    }


def default_sizes(settings: Settings) -> tuple[list[int], list[int]]:
    """(param groups, table steps) of the sweeps."""
    if settings.quick:
        return [1, 10, 100], [1_000, 10_000, 100_000]
    return [1, 10, 100, 1000], [1_000, 10_000, 100_000, 1_000_000, 10_000_000]
