"""Hypothesis strategies: random schedules and schedule trees (all resolved, in steps)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import lrkit

values = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)
positive_values = st.floats(min_value=1e-6, max_value=10.0)
decays = st.floats(min_value=0.01, max_value=0.999)
lengths = st.integers(min_value=1, max_value=300)


@st.composite
def increasing_steps(draw: st.DrawFn, min_size: int = 0, max_size: int = 5) -> list[int]:
    return sorted(
        draw(st.sets(st.integers(min_value=0, max_value=400), min_size=min_size, max_size=max_size))
    )


class HalvingEvery(lrkit.Schedule):
    """A Python-only schedule (no C++): ``start * 0.5 ** (t // every)``, scalar form only."""

    def __init__(self, start: float, every: int) -> None:
        self.start = start
        self.every = every

    def value(self, step: int) -> float:
        return self.start * 0.5 ** (step // self.every)


class VectorRamp(lrkit.Schedule):
    """A Python-only schedule with a vectorised ``values``: ``start + slope * t``."""

    def __init__(self, start: float, slope: float) -> None:
        self.start = start
        self.slope = slope

    def value(self, step: int) -> float:
        return self.start + self.slope * step

    def values(self, steps: np.ndarray) -> np.ndarray:
        return self.start + self.slope * steps.astype(np.float64)


@st.composite
def primitives(draw: st.DrawFn) -> lrkit.Schedule:
    kind = draw(
        st.sampled_from(
            [
                "constant",
                "linear",
                "cosine",
                "exponential",
                "step",
                "multistep",
                "polynomial",
                "inverse_sqrt",
                "piecewise_linear",
                "piecewise_constant",
                "cosine_restarts",
                "cyclic",
                "python",
                "python_vector",
            ]
        )
    )
    if kind == "constant":
        return lrkit.constant(draw(values))
    if kind == "linear":
        return lrkit.linear(start=draw(values), end=draw(values), length=draw(lengths))
    if kind == "cosine":
        return lrkit.cosine(start=draw(values), end=draw(values), length=draw(lengths))
    if kind == "exponential":
        return lrkit.exponential(start=draw(values), gamma=draw(decays))
    if kind == "step":
        return lrkit.step(start=draw(values), gamma=draw(decays), every=draw(lengths))
    if kind == "multistep":
        return lrkit.multistep(
            start=draw(values), gamma=draw(decays), milestones=draw(increasing_steps())
        )
    if kind == "polynomial":
        power = draw(st.floats(min_value=0.1, max_value=4.0))
        return lrkit.polynomial(
            start=draw(values), end=draw(values), length=draw(lengths), power=power
        )
    if kind == "inverse_sqrt":
        return lrkit.inverse_sqrt(start=draw(values), timescale=draw(lengths))
    if kind == "piecewise_linear":
        steps = draw(increasing_steps(min_size=1))
        return lrkit.piecewise_linear([(s, draw(values)) for s in steps])
    if kind == "piecewise_constant":
        bounds = draw(increasing_steps())
        return lrkit.piecewise_constant(bounds, [draw(values) for _ in range(len(bounds) + 1)])
    if kind == "cosine_restarts":
        return lrkit.cosine_restarts(
            start=draw(values),
            end=draw(values),
            period=draw(lengths),
            period_mult=draw(st.sampled_from([1.0, 1.5, 2.0, 3.0])),
            decay=draw(st.floats(0.1, 1.0)),
            limit=draw(st.none() | st.integers(1, 5)),
        )
    if kind == "cyclic":
        return lrkit.cyclic(
            low=draw(values),
            high=draw(values),
            up=draw(lengths),
            down=draw(st.none() | lengths),
            mode=draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
            gamma=draw(st.floats(0.99, 1.0)),
        )
    if kind == "python":
        return HalvingEvery(start=draw(values), every=draw(lengths))
    return VectorRamp(start=draw(values), slope=draw(st.floats(-0.01, 0.01)))


def _extend(children: st.SearchStrategy[lrkit.Schedule]) -> st.SearchStrategy[lrkit.Schedule]:
    @st.composite
    def combine(draw: st.DrawFn) -> lrkit.Schedule:
        kind = draw(
            st.sampled_from(["warmup", "sequence", "product", "scale", "clip", "repeat", "noise"])
        )
        if kind == "warmup":
            return lrkit.warmup(
                draw(children),
                length=draw(lengths),
                start=draw(values),
                mode=draw(st.sampled_from(["prefix", "overlay"])),
            )
        if kind == "sequence":
            parts = draw(st.lists(children, min_size=1, max_size=3))
            bounds = sorted(
                draw(st.sets(st.integers(1, 400), min_size=len(parts) - 1, max_size=len(parts) - 1))
            )
            return lrkit.sequence(parts, boundaries=bounds)
        if kind == "product":
            return lrkit.product(*draw(st.lists(children, min_size=1, max_size=3)))
        if kind == "scale":
            return lrkit.scale(draw(children), factor=draw(values))
        if kind == "clip":
            low, high = sorted([draw(values), draw(values)])
            bounds = draw(st.sampled_from([(low, high), (low, None), (None, high)]))
            return lrkit.clip(draw(children), low=bounds[0], high=bounds[1])
        if kind == "noise":
            return lrkit.noise(
                draw(children), amount=draw(st.floats(0.0, 0.5)), seed=draw(st.integers(0, 99))
            )
        return lrkit.repeat(draw(children), period=draw(lengths))

    return combine()


schedule_trees = st.recursive(primitives(), _extend, max_leaves=6)
