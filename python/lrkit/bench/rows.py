"""The report's rows: one per target of issue 12, in its order."""

from __future__ import annotations

import functools

from lrkit.bench import steps, tables
from lrkit.bench.model import Case, Sizes, Target

__all__ = [
    "catalogue",
    "count",
]


def count(n: int) -> str:
    """``1e6`` for powers of ten, else ``12,345``."""
    exponent = len(str(n)) - 1
    return f"1e{exponent}" if n == 10**exponent and n >= 1000 else f"{n:,}"


def catalogue(sizes: Sizes) -> list[Case]:
    """Every row at these sizes."""
    n, groups, length = count(sizes.table), sizes.groups, sizes.run_length
    dense = f"dense {sizes.dense_groups} groups x {count(sizes.dense_steps)} steps table"
    table = f"{n}-step warmup+cosine table"
    lrkit_table = "lrkit table"

    rows = [
        Case(
            "table-numpy",
            f"{table} vs the numpy closed form",
            Target("speedup", 8),
            lrkit_table,
            "numpy closed form",
            "table",
            functools.partial(tables.versus_numpy, sizes),
        ),
        Case(
            "table-torch-ops",
            f"{table} vs the same closed form in torch ops (default threads)",
            Target("speedup", 8),
            lrkit_table,
            "torch tensor ops",
            "table",
            functools.partial(tables.versus_torch_ops, sizes),
        ),
        Case(
            "table-torch-cos",
            f"{table} vs one torch.cos(x, out=y) over {n} float64 (one torch thread)",
            Target("time", 1.0),
            "lrkit table (out=)",
            "torch.cos",
            "table",
            functools.partial(tables.versus_torch_cos, sizes),
        ),
        Case(
            "table-torch-step",
            f"{table} vs stepping torch SequentialLR(LinearLR, CosineAnnealingLR), per entry "
            f"(torch: {count(sizes.torch_steps)} steps)",
            Target("speedup", 2000),
            lrkit_table,
            "torch SequentialLR",
            "entry",
            functools.partial(tables.versus_torch_stepping, sizes),
        ),
        Case(
            "dense",
            f"{dense} vs np.full of that shape",
            Target("time", 1.0),
            "lrkit table",
            "np.full",
            "table",
            functools.partial(tables.versus_full, sizes),
        ),
        Case(
            "dense-1thread",
            f"{dense} vs np.full, LRKIT_NUM_THREADS=1",
            Target("time", 1.0),
            "lrkit table",
            "np.full",
            "table",
            functools.partial(tables.versus_full, sizes),
            True,
        ),
        Case(
            "table-1thread",
            f"{table}, LRKIT_NUM_THREADS=1, vs the numpy closed form",
            Target("speedup", 5),
            lrkit_table,
            "numpy closed form",
            "table",
            functools.partial(tables.versus_numpy, sizes),
            True,
        ),
    ]
    for g, bound in ((1, 8), (groups, 20)):
        rows.append(
            Case(
                f"step-{g}",
                f"lrkit.torch.Scheduler.step() vs torch CosineAnnealingLR, "
                f"float lrs, {g} group{'s' if g > 1 else ''}",
                Target("speedup", bound),
                "Scheduler.step",
                "torch step",
                "step",
                functools.partial(steps.scheduler_versus_torch, g, length),
            )
        )
    for g, bound in ((1, 5), (groups, 10)):
        rows.append(
            Case(
                f"dropin-{g}",
                f"drop-in CosineAnnealingLR.step() vs torch's, {g} group{'s' if g > 1 else ''}",
                Target("speedup", bound),
                "drop-in step",
                "torch step",
                "step",
                functools.partial(steps.dropin_versus_torch, g, length),
            )
        )
    rows.append(
        Case(
            "tensor-lr",
            f"tensor-lr step() at {groups} groups vs at 1 group",
            Target("time", 1.5),
            f"{groups} groups",
            "1 group",
            "step",
            functools.partial(steps.tensor_many_versus_one, groups, length),
        )
    )
    for family, shape in tables.FAMILY_SHAPES.items():
        rows.append(
            Case(
                f"family-{family}",
                f"{family} table ({shape}), {n} entries vs its numpy closed form",
                Target("speedup", 3),
                lrkit_table,
                "numpy closed form",
                "table",
                functools.partial(tables.versus_closed_form, family, sizes),
            )
        )
    return rows
