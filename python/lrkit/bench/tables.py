"""The table rows: lrkit's engine against numpy and torch writing the same values.

Every builder returns a :class:`~lrkit.bench.model.Pair`: lrkit's call, the anchor's call and a
check that both results equal the reference (the numpy closed forms of
:mod:`lrkit.bench.closed_forms`, within 1e-12 of the table's peak). lrkit's side allocates its
table (``s.table(n)``) as the anchors allocate theirs, except against ``torch.cos(x, out=y)``,
where both write into a buffer allocated once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import lrkit
from lrkit.bench import closed_forms as cf
from lrkit.bench.model import Mismatch, Pair, Sizes, assert_close
from lrkit.demo import LR_MAX, LR_MIN
from lrkit.schedule import FloatArray

__all__ = [
    "FAMILY_SHAPES",
    "TORCH_RECURSION_RTOL",
    "dense_base",
    "families",
    "seed",
    "seed_numpy",
    "versus_closed_form",
    "versus_full",
    "versus_numpy",
    "versus_torch_cos",
    "versus_torch_ops",
    "versus_torch_stepping",
]

#: The tolerance of torch's own schedulers, whose lrs are a recursion in float64 (they drift
#: by about sqrt(steps) ulp; reference/torch.md section 7).
TORCH_RECURSION_RTOL = 1e-10


def seed(n: int, *, start: float = 0.0) -> lrkit.Schedule:
    """The seed's schedule over ``n`` steps: linear warmup over ``n // 20``, then cosine to
    ``LR_MIN``."""
    warm = n // 20
    return lrkit.warmup(lrkit.cosine(LR_MAX, LR_MIN, n - warm), warm, start=start)


def seed_numpy(n: int) -> FloatArray:
    """:func:`seed` as the numpy closed form."""
    warm = n // 20
    return cf.warmup_cosine(n, warm=warm, peak=LR_MAX, end=LR_MIN, length=n - warm)


def versus_numpy(sizes: Sizes) -> Pair:
    """The warmup+cosine table against its numpy closed form."""
    n = sizes.table
    schedule = seed(n)
    return Pair(
        lambda: schedule.table(n),
        lambda: seed_numpy(n),
        lambda: assert_close("lrkit table", schedule.table(n), seed_numpy(n)),
    )


def versus_torch_ops(sizes: Sizes) -> Pair:
    """The warmup+cosine table against the same closed form in torch tensor ops."""
    from lrkit.bench import torch_anchors

    n = sizes.table
    warm = n // 20
    schedule = seed(n)

    def anchor() -> Any:
        return torch_anchors.warmup_cosine(n, warm=warm, peak=LR_MAX, end=LR_MIN, length=n - warm)

    def check() -> None:
        expected = seed_numpy(n)
        assert_close("lrkit table", schedule.table(n), expected)
        assert_close(
            "torch closed form", anchor().numpy(), expected, rtol=torch_anchors.TORCH_COS_RTOL
        )

    return Pair(lambda: schedule.table(n), anchor, check)


def versus_torch_cos(sizes: Sizes) -> Pair:
    """The warmup+cosine table against one ``torch.cos(x, out=y)`` over as many float64, on one
    torch thread (torch's vectorised cos alone: with a busy core, torch's default threads wait
    on each other and the pass takes ~10x longer)."""
    import torch

    from lrkit.bench import torch_anchors

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    n = sizes.table
    schedule = seed(n)
    out = np.empty(n)
    x = torch.arange(n, dtype=torch.float64) * (math.pi / n)
    y = torch.empty_like(x)

    def check() -> None:
        schedule.table(n, out=out)
        assert_close("lrkit table", out, seed_numpy(n))
        torch.cos(x, out=y)
        assert_close("torch.cos", y.numpy(), np.cos(x.numpy()), rtol=torch_anchors.TORCH_COS_RTOL)

    return Pair(
        lambda: schedule.table(n, out=out),
        lambda: torch.cos(x, out=y),
        check,
        close=lambda: torch.set_num_threads(threads),
    )


def versus_torch_stepping(sizes: Sizes) -> Pair:
    """The warmup+cosine table against stepping torch's SequentialLR(LinearLR,
    CosineAnnealingLR) for ``torch_steps`` steps, per entry."""
    from lrkit.bench import torch_anchors

    n, steps = sizes.table, sizes.torch_steps
    schedule = seed(n)

    def anchor() -> list[float]:
        return torch_anchors.sequential_table(steps, warm=steps // 20, peak=LR_MAX, end=LR_MIN)

    def check() -> None:
        assert_close("lrkit table", schedule.table(n), seed_numpy(n))
        same = seed(steps, start=torch_anchors.START_FACTOR * LR_MAX)  # LinearLR's first value
        assert_close("torch SequentialLR", anchor(), same.table(steps), rtol=TORCH_RECURSION_RTOL)

    return Pair(lambda: schedule.table(n), anchor, check, lrkit_units=n, anchor_units=steps)


def dense_base(groups: int) -> FloatArray:
    """The per-group base values of the dense rows."""
    return np.linspace(0.5, 1.5, groups)


def versus_full(sizes: Sizes) -> Pair:
    """A dense ``dense_steps x dense_groups`` table (``base=`` one value per group) against
    ``np.full`` of that shape."""
    n, groups = sizes.dense_steps, sizes.dense_groups
    warm = n // 20
    schedule = lrkit.warmup(lrkit.cosine(1.0, 1e-3, n - warm), warm)
    base = dense_base(groups)

    def check() -> None:
        table = schedule.table(n, base=base)
        rows = np.unique(np.r_[0:8, np.linspace(0, n - 1, 64).astype(np.int64)])
        values = cf.warmup_cosine(n, warm=warm, peak=1.0, end=1e-3, length=n - warm)
        assert_close("lrkit dense table", table[rows], np.multiply.outer(values[rows], base))
        del table
        if not (np.full((n, groups), LR_MAX) == LR_MAX).all():
            raise Mismatch("np.full: not every entry is the fill value")

    return Pair(
        lambda: schedule.table(n, base=base),
        lambda: np.full((n, groups), LR_MAX),
        check,
    )


# -- the other families -------------------------------------------------------------------------


def families(n: int) -> dict[str, tuple[lrkit.Schedule, Callable[[], FloatArray]]]:
    """Each other schedule family as ``(lrkit schedule, its numpy closed form)``, with about
    ``n`` table entries (``per_group``: four groups of ``n // 4`` steps)."""
    milestones = [3 * n // 10, 6 * n // 10, 9 * n // 10]
    cyc = n // 20
    period = n // 15  # cycles of 1, 2, 4, 8 periods: 15 periods in all
    warm, decay = n // 20, n // 5
    q = n // 4
    groups: list[tuple[lrkit.Schedule, Callable[[], FloatArray]]] = [
        (seed(q), lambda: seed_numpy(q)),
        (
            lrkit.multistep(LR_MAX, 0.5, [q // 2]),
            lambda: cf.multistep(q, start=LR_MAX, gamma=0.5, milestones=[q // 2]),
        ),
        (lrkit.one_cycle(LR_MAX, q), lambda: cf.one_cycle(q, peak=LR_MAX, total=q)),
        (
            lrkit.cyclic(LR_MIN, LR_MAX, q // 10),
            lambda: cf.cyclic(q, low=LR_MIN, high=LR_MAX, up=q // 10, down=q // 10),
        ),
    ]

    def noisy() -> FloatArray:
        values = cf.steps(n)
        cf.cosine_into(values, LR_MAX, LR_MIN, n)
        return cf.noise(values, amount=0.1, seed=7)

    return {
        "multistep": (
            lrkit.multistep(LR_MAX, 0.1, milestones),
            lambda: cf.multistep(n, start=LR_MAX, gamma=0.1, milestones=milestones),
        ),
        "one_cycle": (lrkit.one_cycle(LR_MAX, n), lambda: cf.one_cycle(n, peak=LR_MAX, total=n)),
        "cyclic": (
            lrkit.cyclic(LR_MIN, LR_MAX, cyc, cyc, mode="triangular2"),
            lambda: cf.cyclic(n, low=LR_MIN, high=LR_MAX, up=cyc, down=cyc, mode="triangular2"),
        ),
        "cosine_restarts": (
            lrkit.cosine_restarts(LR_MAX, LR_MIN, period, period_mult=2.0, decay=0.7),
            lambda: cf.cosine_restarts(
                n, start=LR_MAX, end=LR_MIN, period=period, period_mult=2.0, decay=0.7
            ),
        ),
        "wsd": (
            lrkit.wsd(LR_MAX, warm, decay, n, end=LR_MIN, decay_shape="cosine"),
            lambda: cf.wsd(
                n,
                peak=LR_MAX,
                warmup_length=warm,
                decay_length=decay,
                total=n,
                end=LR_MIN,
                decay_shape="cosine",
            ),
        ),
        "noise": (lrkit.noise(lrkit.cosine(LR_MAX, LR_MIN, n), 0.1, seed=7), noisy),
        "per_group": (
            lrkit.per_group([s for s, _ in groups]),
            lambda: cf.per_group([f() for _, f in groups]),
        ),
    }


#: What each family row's schedule is, for the report.
FAMILY_SHAPES = {
    "multistep": "3 milestones",
    "one_cycle": "cosine phases",
    "cyclic": "triangular2, 10 cycles",
    "cosine_restarts": "period_mult 2, decay 0.7",
    "wsd": "cosine decay",
    "noise": "of a cosine",
    "per_group": "4 groups: warmup+cosine, multistep, one_cycle, cyclic",
}


def versus_closed_form(family: str, sizes: Sizes) -> Pair:
    """A family's table against the numpy closed form of the same curve."""
    schedule, closed_form = families(sizes.table)[family]
    n = sizes.table // 4 if family == "per_group" else sizes.table
    return Pair(
        lambda: schedule.table(n),
        closed_form,
        lambda: assert_close(f"lrkit {family} table", schedule.table(n), closed_form()),
    )
