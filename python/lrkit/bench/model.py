"""What a benchmark row is: sizes, targets, the pair of callables it times, its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "QUICK",
    "Case",
    "Mismatch",
    "Pair",
    "Result",
    "Settings",
    "Sizes",
    "Target",
    "assert_close",
]


@dataclass(frozen=True)
class Sizes:
    """Problem sizes. The defaults are the targets' (issue 12); :data:`QUICK` is for CI."""

    #: Steps of the warmup+cosine table; entries of every family table.
    table: int = 1_000_000
    #: Steps of torch's SequentialLR stepped into a table (compared per entry with ``table``).
    torch_steps: int = 100_000
    #: Steps x groups of the dense per-group table.
    dense_steps: int = 100_000
    dense_groups: int = 1000
    #: Param groups of the many-groups step() rows.
    groups: int = 1000
    #: Length of the schedules stepped by the step() rows (never reached).
    run_length: int = 100_000_000


QUICK = Sizes(table=100_000, torch_steps=2_000, dense_steps=1_000, dense_groups=1000)


@dataclass(frozen=True)
class Settings:
    """How to measure: sizes, repeats (the median is reported), the least time of a repeat."""

    sizes: Sizes = field(default_factory=Sizes)
    repeats: int = 7
    min_time: float = 0.05
    quick: bool = False

    @staticmethod
    def quick_settings(repeats: int | None = None) -> Settings:
        return Settings(QUICK, repeats or 3, 0.004, True)


@dataclass(frozen=True)
class Target:
    """``speedup``: the anchor's cost / lrkit's >= bound; ``time``: lrkit's / the anchor's <=
    bound."""

    kind: Literal["speedup", "time"]
    bound: float

    def ratio(self, lrkit_cost: float, anchor_cost: float) -> float:
        return anchor_cost / lrkit_cost if self.kind == "speedup" else lrkit_cost / anchor_cost

    def met(self, ratio: float) -> bool:
        return ratio >= self.bound if self.kind == "speedup" else ratio <= self.bound

    def text(self) -> str:
        return (
            f">= {self.bound:g}x faster"
            if self.kind == "speedup"
            else f"<= {self.bound:g}x the time"
        )


class Mismatch(AssertionError):
    """A benchmarked result differs from its reference."""


def assert_close(
    what: str, got: npt.ArrayLike, expected: npt.ArrayLike, *, rtol: float = 1e-12
) -> None:
    """``|got - expected| <= rtol * max|expected|`` everywhere (same shape), else
    :class:`Mismatch` naming the worst entry."""
    a = np.asarray(got, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    if a.shape != b.shape:
        raise Mismatch(f"{what}: shape {a.shape}, expected {b.shape}")
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    error = np.abs(a - b)
    worst = int(np.argmax(error)) if error.size else 0
    if error.size and not (error.flat[worst] <= rtol * scale):  # also catches NaN
        where = tuple(int(i) for i in np.unravel_index(worst, a.shape))
        raise Mismatch(
            f"{what}: entry {where} is {float(a.flat[worst])!r}, expected "
            f"{float(b.flat[worst])!r} (error {error.flat[worst]:.3g} > {rtol:g} x {scale:.3g})"
        )


@dataclass
class Pair:
    """lrkit's callable and its anchor's, timed side by side, and the check of both results
    against their reference (run after the timing, so step() rows are checked deep into the
    run). ``*_units``: entries or steps one call produces, when costs are compared per unit."""

    lrkit: Callable[[], object]
    anchor: Callable[[], object]
    check: Callable[[], None]
    lrkit_units: int = 1
    anchor_units: int = 1
    #: Undoes what the builder changed for the row (torch's thread count), after the check.
    close: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Case:
    """One row of the report: one target of issue 12."""

    id: str
    measure: str
    target: Target
    lrkit: str
    anchor: str
    #: What a cost is per: "table", "step" or "entry".
    unit: str
    build: Callable[[], Pair]
    #: Measured in a subprocess with LRKIT_NUM_THREADS=1 (read once per process by the engine).
    single_thread: bool = False


@dataclass
class Result:
    """A measured row: costs in seconds per ``unit``, the ratio the target is about."""

    id: str
    measure: str
    lrkit: str
    anchor: str
    unit: str
    lrkit_cost: float
    anchor_cost: float
    ratio: float
    #: "speedup" (ratio = the anchor's cost / lrkit's) or "time" (lrkit's / the anchor's).
    kind: str
    #: The target's bound on the ratio, and the target as text.
    bound: float
    target: str
    met: bool
    #: None when both results equal their reference, else what differs.
    check: str | None
    #: Spread (max - min) / median of the repeats, lrkit's and the anchor's.
    spread: tuple[float, float]
    process: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["spread"] = list(self.spread)
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Result:
        return Result(**{**data, "spread": tuple(data["spread"])})
