"""Summaries of a schedule over a run, computed from engine table chunks (bounded memory).

Used by ``lrkit show`` and ``lrkit plot``: values always come from ``Schedule.table`` in chunks
of about :data:`CHUNK_ELEMENTS` numbers, never from a per-step Python loop.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import numpy as np

from lrkit.schedule import FloatArray, IntArray, Schedule

__all__ = [
    "CHUNK_ELEMENTS",
    "FLOOR_RTOL",
    "SPARSE_ROWS",
    "Progress",
    "Summary",
    "chunks",
    "decimate",
    "key_steps",
    "summarize",
    "values_at",
]

#: Numbers per table chunk (steps x groups): 2 MiB of float64.
CHUNK_ELEMENTS = 1 << 18
#: Relative tolerance of "at the floor" (the minimum of the run).
FLOOR_RTOL = 1e-12


class Progress:
    """Progress of a long computation: an in-place bar with its rate and ETA on stderr when
    that is a terminal (tqdm's when tqdm is installed, else one line rewritten in place), and
    nothing otherwise (a log file or a pipe gets no progress lines).

    Silent unless ``enabled`` and the work takes longer than ``after`` seconds; ``tty`` forces
    the terminal check either way. Work done in passes over the run (``lrkit show`` reads it
    twice) gets one bar per pass (:meth:`next_pass`), each counting that pass's steps.
    """

    def __init__(
        self,
        label: str,
        total: int,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        after: float = 0.5,
        tty: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        terminal = tty if tty is not None else _is_terminal(self.stream)
        self.name, self.label = label, label
        self.total, self.enabled = max(total, 1), enabled and terminal
        self.after = after
        self.started = time.perf_counter()
        self._bar: _Bar | None = None
        self._shown = False
        self.done = 0

    def advance(self, units: int) -> None:
        """``units`` more are done (see :meth:`update`)."""
        self.update(self.done + units)

    def update(self, done: int) -> None:
        """``done`` of ``total`` units are done: drawn once the work has run ``after`` s."""
        self.done = done
        if not self.enabled:
            return
        if self._bar is None:
            if time.perf_counter() - self.started < self.after:
                return
            self._bar = _bar(self.label, self.total, self.stream)
            self._shown = True
        self._bar.update(done)

    def next_pass(self, part: str, total: int) -> None:
        """Closes this pass's bar; the next counts ``total`` units, labelled ``name (part)``."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self.label, self.total, self.done = f"{self.name} ({part})", max(total, 1), 0

    def finish(self) -> None:
        """Closes the bar and says how long it all took, if anything was shown."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._shown:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"{self.name}: done in {elapsed:.1f} s\n")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class _Bar(Protocol):
    def update(self, done: int) -> None: ...

    def close(self) -> None: ...


def _bar(label: str, total: int, stream: TextIO) -> _Bar:
    try:
        from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return _Line(label, total, stream)
    return _TqdmBar(tqdm(total=total, desc=label, unit="step", file=stream))


class _TqdmBar:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def update(self, done: int) -> None:
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


class _Line:
    """Without tqdm: ``label:  42.0% (420/1,000) ETA 3 s``, rewritten in place twice a second."""

    def __init__(self, label: str, total: int, stream: TextIO, interval: float = 0.5) -> None:
        self.label, self.total, self.stream, self.interval = label, total, stream, interval
        self.started = time.perf_counter()
        self.last = -math.inf

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.interval and done < self.total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        eta = f" ETA {(self.total - done) / rate:.0f} s" if 0 < done < self.total else ""
        percent = 100 * done / self.total
        self.stream.write(f"\r{self.label}: {percent:5.1f}% ({done:,}/{self.total:,}){eta}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def chunks(
    schedule: Schedule,
    steps: int,
    *,
    base: Sequence[float] | None = None,
    every: int = 1,
    start: int = 0,
    progress: Progress | None = None,
) -> Iterator[tuple[int, FloatArray]]:
    """``(first step, block)`` pairs covering steps ``start, start + every, ... < steps``.

    Blocks have shape ``(rows, columns)``: one column, ``len(base)`` or the ``per_group``
    groups. Each comes from one ``schedule.table`` call; when ``every`` is longer than a block,
    each row comes from its own one-step call, so no more than a block is ever computed.
    """
    columns = schedule.groups or (len(base) if base is not None else 1)
    per_block = max(1, CHUNK_ELEMENTS // columns)
    if every > per_block:
        yield from _sparse_rows(
            schedule, steps, base=base, every=every, start=start, progress=progress
        )
        return
    rows = per_block // every * every
    for first in range(start, steps, rows):
        n = min(rows, steps - first)
        block = schedule.table(n, start=first, base=base)
        block = block.reshape(n, -1)[::every]
        if progress is not None:
            progress.advance(n)
        yield first, block


#: Rows per block when rows are computed one engine call each (``every`` > a block).
SPARSE_ROWS = 1024


def _sparse_rows(
    schedule: Schedule,
    steps: int,
    *,
    base: Sequence[float] | None,
    every: int,
    start: int,
    progress: Progress | None,
) -> Iterator[tuple[int, FloatArray]]:
    span = every * SPARSE_ROWS
    for first in range(start, steps, span):
        last = min(steps, first + span)
        rows = [
            schedule.table(1, start=t, base=base).reshape(-1) for t in range(first, last, every)
        ]
        if progress is not None:
            progress.advance(last - first)
        yield first, np.array(rows, dtype=np.float64)


@dataclass
class Summary:
    """Per-column statistics of steps ``0 .. steps - 1`` (arrays of one value per column).

    The *floor* is the lowest value from the peak on (so a warmup starting at 0 is not mistaken
    for it); ``floor_steps`` counts the steps from the peak on within ``FLOOR_RTOL`` of it.
    """

    steps: int
    start: FloatArray
    final: FloatArray
    peak: FloatArray
    peak_step: IntArray
    minimum: FloatArray
    minimum_step: IntArray
    floor: FloatArray
    floor_step: IntArray
    floor_steps: IntArray
    area: FloatArray

    @property
    def columns(self) -> int:
        """Number of columns (param groups) summarised."""
        return len(self.start)


def summarize(
    schedule: Schedule,
    steps: int,
    *,
    base: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Start, final, peak, minimum (with first steps), floor (see :class:`Summary`) and area
    (the sum of the values over the steps) of each column, in two passes over table chunks."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if progress is not None:  # two passes: the peaks, then the floors from the peaks on
        progress.next_pass("pass 1 of 2", steps)
    first_block = schedule.table(1, base=base).reshape(1, -1)
    peak, peak_step = first_block[0].copy(), np.zeros(first_block.shape[1], dtype=np.int64)
    minimum, minimum_step = peak.copy(), peak_step.copy()
    sums: list[FloatArray] = []
    final = peak
    for first, block in chunks(schedule, steps, base=base, progress=progress):
        _extreme(block, first, peak, peak_step, higher=True)
        _extreme(block, first, minimum, minimum_step, higher=False)
        sums.append(block.sum(axis=0))
        final = block[-1].copy()
    if progress is not None:
        progress.next_pass("pass 2 of 2", steps - int(peak_step.min()))
    floor, floor_step, floor_steps = _floor(schedule, steps, base, peak_step, progress)
    if progress is not None:
        progress.finish()
    return Summary(
        steps=steps,
        start=first_block[0],
        final=final,
        peak=peak,
        peak_step=peak_step,
        minimum=minimum,
        minimum_step=minimum_step,
        floor=floor,
        floor_step=floor_step,
        floor_steps=floor_steps,
        area=np.array([math.fsum(column) for column in np.array(sums).T]),
    )


def _extreme(
    block: FloatArray, first: int, best: FloatArray, where: IntArray, *, higher: bool
) -> None:
    """Update ``best``/``where`` in place with the block's maximum (or minimum) per column."""
    values = block.max(axis=0) if higher else block.min(axis=0)
    better = values > best if higher else values < best
    rows = block.argmax(axis=0) if higher else block.argmin(axis=0)
    where[better] = first + rows[better]
    best[better] = values[better]


def _floor(
    schedule: Schedule,
    steps: int,
    base: Sequence[float] | None,
    peak_step: IntArray,
    progress: Progress | None,
) -> tuple[FloatArray, IntArray, IntArray]:
    """Lowest value from each column's peak on, its first step and the steps within tolerance
    of it, in one pass over the steps from the earliest peak on."""
    columns = len(peak_step)
    floor, floor_step = np.full(columns, np.inf), np.zeros(columns, dtype=np.int64)
    count = np.zeros(columns, dtype=np.int64)
    start = int(peak_step.min())
    for first, block in chunks(schedule, steps, base=base, start=start, progress=progress):
        after = (first + np.arange(len(block)))[:, None] >= peak_step
        candidates = np.where(after, block, np.inf)
        lowest = candidates.min(axis=0)
        lower = lowest < floor - _tolerance(floor)
        floor_step[lower] = first + candidates.argmin(axis=0)[lower]
        floor[lower] = lowest[lower]
        count[lower] = 0
        count += (after & (block <= floor + _tolerance(floor))).sum(axis=0)
    return floor, floor_step, count


def _tolerance(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), FLOOR_RTOL * np.abs(values), 0.0)


def key_steps(steps: int, *extra: int) -> list[int]:
    """Steps worth showing: the first two, the quarters, the last, and ``extra`` ones."""
    points = {0, 1, steps // 4, steps // 2, 3 * steps // 4, steps - 1, *extra}
    return sorted(p for p in points if 0 <= p < steps)


def values_at(
    schedule: Schedule, steps: Sequence[int], *, base: Sequence[float] | None = None
) -> FloatArray:
    """Rows of the table at the given steps (one short engine call each)."""
    rows = [schedule.table(1, start=t, base=base).reshape(1, -1)[0] for t in steps]
    return np.array(rows, dtype=np.float64)


def decimate(first: int, block: FloatArray, bucket: int) -> tuple[np.ndarray, FloatArray]:
    """Steps and values that keep each column's extremes: per bucket of ``bucket`` rows, the
    rows of the minimum and maximum (so spikes and cycles survive thinning for a plot)."""
    if bucket <= 1:
        return first + np.arange(len(block)), block
    keep: set[int] = set()
    for lo in range(0, len(block), bucket):
        part = block[lo : lo + bucket]
        keep.update((lo + part.argmin(axis=0)).tolist())
        keep.update((lo + part.argmax(axis=0)).tolist())
        keep.add(lo)
    keep.add(len(block) - 1)
    rows = np.array(sorted(keep))
    return first + rows, block[rows]
