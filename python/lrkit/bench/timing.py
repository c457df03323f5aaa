"""lrkit's one timer, timeit-style: each callable runs ``number`` times per repeat, garbage
collection off while timed (``timeit.Timer``).

:func:`best_of` is the fastest repeat, for a quick figure (``lrkit bench CONFIG``, ``make run``).
:func:`compare` (the report and the benchmarks) chooses ``number`` so a repeat lasts at least
``min_time`` and gives the median over repeats of the time per call; it times several
callables in the same run with their repeats interleaved (A B, B A, A B, ...), so that a load
which comes and goes (the other core busy for a while) weighs on both sides alike and their
ratio stays meaningful.
"""

from __future__ import annotations

import math
import statistics
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "Timing",
    "best_of",
    "calls_per_repeat",
    "compare",
]


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median over repeats, every repeat's value, calls per repeat."""

    median: float
    samples: tuple[float, ...]
    number: int

    @property
    def spread(self) -> float:
        """(max - min) / median of the repeats: how noisy this measurement was."""
        return (max(self.samples) - min(self.samples)) / self.median if self.median else 0.0


def best_of(fn: Callable[[], object], repeats: int, *, number: int = 1) -> float:
    """Seconds per call of ``fn``: the fastest of ``repeats`` repeats of ``number`` calls."""
    if repeats < 1 or number < 1:
        raise ValueError(f"repeats and number must be >= 1, got {repeats} and {number}")
    return min(timeit.Timer(fn).repeat(repeat=repeats, number=number)) / number


def calls_per_repeat(fn: Callable[[], object], min_time: float) -> int:
    """How many calls of ``fn`` take at least ``min_time`` seconds (``fn`` runs a few times)."""
    timer = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time / 5 or number >= 1 << 30:
            break
        number *= 10
    return max(1, math.ceil(number * min_time / elapsed)) if elapsed > 0 else number


def compare(
    functions: Sequence[Callable[[], object]], *, repeats: int, min_time: float
) -> list[Timing]:
    """Times every callable ``repeats`` times, interleaved, each repeat lasting >= ``min_time``.
    Each callable runs once first (warm-up: caches, first-call allocations, lazy imports)."""
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    numbers = []
    for fn in functions:
        started = time.perf_counter()
        fn()
        slow = time.perf_counter() - started >= min_time  # one call is a repeat already
        numbers.append(1 if slow else calls_per_repeat(fn, min_time))
    timers = [timeit.Timer(fn) for fn in functions]
    samples: list[list[float]] = [[] for _ in functions]
    order = list(range(len(functions)))
    for _ in range(repeats):
        for k in order:
            samples[k].append(timers[k].timeit(numbers[k]) / numbers[k])
        order.reverse()
    return [
        Timing(statistics.median(s), tuple(s), number)
        for s, number in zip(samples, numbers, strict=True)
    ]
