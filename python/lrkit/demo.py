"""What ``make run`` shows: the seed's scenario, in lrkit.

* warmup (10 epochs) then cosine annealing to epoch 200, per batch (50 batches per epoch),
  against the hand-written ``adjust_learning_rate`` formula it replaces;
* ``multistep`` halving at epoch 100 of 200;
* the C++ engine's time for a 1e6-step table against a numpy closed form and a Python loop.
"""

from __future__ import annotations

import math

import numpy as np

import lrkit
from lrkit.bench.timing import best_of

__all__ = [
    "TABLE_STEPS",
    "hand_written",
    "main",
    "numpy_seed_table",
    "seed_schedule",
    "show_seed",
    "show_speed",
]

EPOCHS, BATCHES, LR_MAX, LR_MIN, WARMUP = 200, 50, 0.1, 1e-4, 10
TABLE_STEPS = 1_000_000


def seed_schedule() -> lrkit.Schedule:
    """The seed's schedule as one expression, in epochs."""
    return lrkit.warmup(
        lrkit.cosine(start=LR_MAX, end=LR_MIN, length=lrkit.epochs(EPOCHS - WARMUP)),
        length=lrkit.epochs(WARMUP),
    )


def hand_written(epoch: int, i: int) -> float:
    """The per-batch function people write by hand (the formula lrkit replaces)."""
    e = epoch + i / BATCHES
    if e < WARMUP:
        return LR_MAX * e / WARMUP
    return (
        LR_MIN + (LR_MAX - LR_MIN) * (1 + math.cos(math.pi * (e - WARMUP) / (EPOCHS - WARMUP))) / 2
    )


def show_seed() -> None:
    schedule = seed_schedule().resolve(steps_per_epoch=BATCHES)
    halving = lrkit.multistep(start=LR_MAX, gamma=0.5, milestones=[lrkit.epochs(100)]).resolve(
        steps_per_epoch=BATCHES
    )
    steps = EPOCHS * BATCHES
    table = schedule.table(steps)
    halved = halving.table(steps)
    expected = np.array([hand_written(e, i) for e in range(EPOCHS) for i in range(BATCHES)])
    worst = float(np.max(np.abs(table - expected) / np.maximum(expected, 1e-300)))
    print(f"Seed schedule ({EPOCHS} epochs x {BATCHES} batches = {steps} steps):")
    print(f"  {seed_schedule()!r}")
    print(
        f"  {'epoch':>5} {'batch':>5} {'step':>6}  {'warmup+cosine':>14} {'hand-written':>14}"
        f"  {'multistep x0.5 @100':>19}"
    )
    for epoch, i in [
        (0, 0),
        (0, 25),
        (1, 0),
        (5, 0),
        (9, 49),
        (10, 0),
        (50, 0),
        (99, 49),
        (100, 0),
        (150, 0),
        (199, 49),
    ]:
        t = epoch * BATCHES + i
        print(
            f"  {epoch:>5} {i:>5} {t:>6}  {table[t]:>14.8f} {hand_written(epoch, i):>14.8f}"
            f"  {halved[t]:>19.5f}"
        )
    print(f"  max relative difference from the hand-written formula: {worst:.2e}\n")


def numpy_seed_table(n: int, warm: int) -> np.ndarray:
    """The same schedule as a numpy closed form, in place (the fast way to write it by hand)."""
    out = np.arange(n, dtype=np.float64)
    out[:warm] *= LR_MAX / warm
    tail = out[warm:]
    tail -= warm
    tail *= np.pi / (n - warm)
    np.cos(tail, out=tail)
    tail += 1.0
    tail *= (LR_MAX - LR_MIN) / 2
    tail += LR_MIN
    return out


def show_speed() -> None:
    n, warm = TABLE_STEPS, TABLE_STEPS // 20
    schedule = lrkit.warmup(lrkit.cosine(start=LR_MAX, end=LR_MIN, length=n - warm), length=warm)
    out = np.empty(n)
    engine = best_of(lambda: schedule.table(n, out=out), 7)
    numpy_time = best_of(lambda: numpy_seed_table(n, warm), 7)
    sample = 100_000
    loop = best_of(lambda: [schedule(t) for t in range(sample)], 1) * n / sample
    print(f"A {n:,}-step table of warmup+cosine (best of 7):")
    print(f"  lrkit engine (C++)     {engine * 1e3:8.2f} ms")
    print(
        f"  numpy closed form      {numpy_time * 1e3:8.2f} ms   engine is "
        f"{numpy_time / engine:.2f}x numpy's speed"
    )
    print(f"  Python loop (est.)     {loop * 1e3:8.0f} ms   engine is {loop / engine:.0f}x faster")
    print(f"  engine == numpy within {np.max(np.abs(out - numpy_seed_table(n, warm))):.1e}\n")


def main() -> None:
    show_seed()
    show_speed()
    try:
        from lrkit.torch.demo import main as torch_demo  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return
    torch_demo()


if __name__ == "__main__":
    main()
