"""Hypothesis strategies: random schedules and schedule trees (all resolved, in steps).

Every registered built-in is drawn (tests/test_registry_properties.py checks it): the ones
listed below with hand-tuned ranges, any other declared one (``lrkit.fields``) from the kinds
of its fields, so a new schedule is in the random trees as soon as it is declared.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import lrkit
from lrkit import fields
from lrkit.parity import optax as optax_parity
from lrkit.parity import torch as torch_parity

#: Whether the real torch is installed (tests/torch would otherwise pass as a namespace).
HAS_TORCH = importlib.util.find_spec("torch") is not None and (
    importlib.util.find_spec("torch.optim") is not None
)

values = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)
positive_values = st.floats(min_value=1e-6, max_value=10.0)
#: timm's k-decay exponents: mostly 1 (no warp), else a warp either way.
k_decays = st.just(1.0) | st.floats(min_value=0.25, max_value=4.0)
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


# -- any declared built-in, from the kinds of its fields ------------------------------------------

#: A strategy for each kind of declared field (``lrkit.fields``), given the field's metadata.
KINDS: dict[str, Callable[[Any, st.SearchStrategy[lrkit.Schedule]], st.SearchStrategy[Any]]] = {
    "real": lambda m, c: values,
    "optional_real": lambda m, c: st.none() | values,
    "positive": lambda m, c: st.floats(0.1, 1.0),
    "duration": lambda m, c: st.integers(max(1, m["minimum"]), 300),
    "optional_duration": lambda m, c: st.none() | lengths,
    "durations": lambda m, c: increasing_steps(),
    "integer": lambda m, c: st.integers(m["minimum"], min(m["maximum"], m["minimum"] + 300)),
    "choice": lambda m, c: st.sampled_from(m["options"]),
    "count_or_ratio": lambda m, c: st.integers(0, 300) | st.floats(0.01, 0.99),
    "flag": lambda m, c: st.booleans(),
    "reals": lambda m, c: st.lists(values, min_size=m["min_length"], max_size=4),
    "knots": lambda m, c: increasing_steps(min_size=1).flatmap(
        lambda steps: st.tuples(*(st.tuples(st.just(s), values) for s in steps))
    ),
    # lrkit.parity.timm's own argument kinds
    "non_negative": lambda m, c: st.floats(0.0, 0.01),
    "cycle_mul": lambda m, c: st.sampled_from([1.0, 1.1, 1.5, 2.0, 3.0]),
    # timm's noise draws from torch's generator: only where torch is installed (make sanitize's
    # venv has none)
    "noise_range": lambda m, c: st.sampled_from(
        [None, None, None, 10.0, (5.0, 50.0)] if HAS_TORCH else [None]
    ),
    "noise_pct": lambda m, c: st.floats(0.05, 0.9),
    "ratio": lambda m, c: st.floats(0.01, 0.99),
    "child": lambda m, c: c,
    "children": lambda m, c: st.lists(c, min_size=1, max_size=3),
    # lrkit.parity.optax's arguments
    "optax_steps": lambda m, c: st.integers(-2, 300),
    "optax_decay_rate": lambda m, c: st.just(0.0) | st.floats(0.01, 1.05),
    "optax_boundaries_and_scales": lambda m, c: (
        st.none()
        | st.dictionaries(
            st.integers(0, 300) | st.floats(-5.0, 300.0), st.floats(0.0, 2.0), max_size=4
        )
    ),
    "optax_cosine_kwargs": lambda m, c: st.lists(optax_cycles(), min_size=1, max_size=3),
}


@st.composite
def optax_cycles(draw: st.DrawFn) -> dict[str, float]:
    """The arguments of one optax ``sgdr_schedule`` cycle (``warmup_cosine_decay_schedule``)."""
    warmup = draw(st.integers(0, 50))
    return {
        "init_value": draw(values),
        "peak_value": draw(values),
        "warmup_steps": warmup,
        "decay_steps": draw(st.integers(warmup + 1, warmup + 150)),
        "end_value": draw(values),
        "exponent": draw(st.sampled_from([1.0, 0.5, 2.0])),
    }


#: Strategies built once per (kind, children) and reused for every draw: building one per draw
#: (a fresh @st.composite, its field strategies validated anew) was most of the fuzz run's time.
_BUILT: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}


def _once(key: tuple[Any, ...], make: Callable[[], st.SearchStrategy[Any]]) -> Any:
    built = _BUILT.get(key)
    if built is None:
        built = _BUILT[key] = make()
    return built


def declared(name: str, children: st.SearchStrategy[lrkit.Schedule]) -> st.SearchStrategy[Any]:
    """A random ``name`` schedule drawn from its declared fields (``children`` for its children)."""
    return _once(("declared", name, children), lambda: _declared(name, children))


def _declared(name: str, children: st.SearchStrategy[lrkit.Schedule]) -> st.SearchStrategy[Any]:
    cls = fields.CLASSES[name]
    parts = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = f.metadata.get(fields.KIND)
        if kind not in KINDS:
            raise LookupError(
                f"{name}.{f.name} has no declared kind tests/strategies.py can draw: declare "
                "it with lrkit.fields or give the schedule a strategy here"
            )
        parts.append(KINDS[kind](f.metadata, children))

    @st.composite
    def build(draw: st.DrawFn) -> lrkit.Schedule:
        arguments = [draw(part) for part in parts]
        try:
            return cls(*arguments)
        except (ValueError, TypeError):  # a cross-field check (lb < ub, ...)
            assume(False)
            raise

    return build()


def _takes_children(name: str) -> bool:
    kinds = {f.metadata.get(fields.KIND) for f in dataclasses.fields(fields.CLASSES[name])}  # type: ignore[arg-type]
    return bool(kinds & {"child", "children"})


#: lrkit.parity.hf schedules whose cross-field checks reject most generic draws.
HF_TUNED = [
    "hf.polynomial_decay_schedule_with_warmup",
    "hf.cosine_with_min_lr_schedule_with_warmup",
    "hf.cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "hf.wsd_schedule",
]


@st.composite
def hf_leaf(draw: st.DrawFn, kind: str) -> lrkit.Schedule:
    """A random valid lrkit.parity.hf schedule of one of the HF_TUNED kinds."""
    hf = lrkit.parity.hf
    warm, total = draw(st.integers(0, 150)), draw(st.integers(1, 300))
    cycles = draw(st.sampled_from([0.5, 1.0, 1.5]) | st.floats(0.0, 3.0))
    rate = draw(st.floats(0.0, 1.0))
    if kind == "hf.polynomial_decay_schedule_with_warmup":
        lr_init = draw(st.none() | st.floats(1e-4, 10.0))
        return hf.polynomial_decay_schedule_with_warmup(
            num_warmup_steps=min(warm, total - 1),
            num_training_steps=total,
            lr_end=rate * 0.99 * (1.0 if lr_init is None else lr_init),
            power=draw(st.floats(0.0, 4.0)),
            lr_init=lr_init,
        )
    if kind == "hf.wsd_schedule":
        return hf.wsd_schedule(
            num_warmup_steps=warm,
            num_decay_steps=draw(st.integers(0, 150) | st.floats(0.01, 0.99)),
            num_training_steps=total,
            num_stable_steps=draw(st.none() | st.integers(0, 100)),
            warmup_type=draw(st.sampled_from(hf.WSD_TYPES)),
            decay_type=draw(st.sampled_from(hf.WSD_TYPES)),
            min_lr_ratio=rate,
            num_cycles=cycles,
        )
    by_lr = draw(st.booleans())
    lr_init = draw(st.floats(1e-4, 10.0))
    rates = {"min_lr": rate * lr_init, "lr_init": lr_init} if by_lr else {"min_lr_rate": rate}
    if kind == "hf.cosine_with_min_lr_schedule_with_warmup":
        return hf.cosine_with_min_lr_schedule_with_warmup(
            num_warmup_steps=warm, num_training_steps=total, num_cycles=cycles, **rates
        )
    return hf.cosine_with_min_lr_schedule_with_warmup_lr_rate(
        num_warmup_steps=warm,
        num_training_steps=total,
        num_cycles=cycles,
        warmup_lr_rate=draw(st.none() | st.floats(0.0, 1.0)),
        **rates,
    )


#: Leaves and combinators drawn with hand-tuned ranges below; every other declared schedule is
#: drawn generically from its fields' kinds.
TUNED_LEAVES = [
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
    "one_cycle",
    "wsd",
    "torch_cosine_annealing",
    "torch_one_cycle_phases",
    "torch_cyclic",
    *HF_TUNED,
]
TUNED_COMBINATORS = [
    "warmup",
    "sequence",
    "product",
    "scale",
    "clip",
    "repeat",
    "noise",
    "optax.join_schedules",
]
HAND_TUNED = {*TUNED_LEAVES, *TUNED_COMBINATORS, "per_group"}
GENERIC_LEAVES = sorted(n for n in fields.CLASSES if n not in HAND_TUNED and not _takes_children(n))
GENERIC_COMBINATORS = sorted(
    n for n in fields.CLASSES if n not in HAND_TUNED and _takes_children(n)
)

LEAF_KINDS = [*TUNED_LEAVES, "python", "python_vector", *GENERIC_LEAVES]
_LEAF_KINDS = st.sampled_from(LEAF_KINDS)


@st.composite
def primitives(draw: st.DrawFn) -> lrkit.Schedule:
    return draw(leaf(draw(_LEAF_KINDS)))


def leaf(kind: str) -> st.SearchStrategy[lrkit.Schedule]:
    """A random schedule of one leaf kind (a built-in's name, or ``python``/``python_vector``)."""
    return _once(("leaf", kind), lambda: _leaf(kind))


@st.composite
def _leaf(draw: st.DrawFn, kind: str) -> lrkit.Schedule:
    if kind in GENERIC_LEAVES:
        return draw(declared(kind, st.nothing()))
    if kind in HF_TUNED:
        return draw(_once(("hf", kind), lambda: hf_leaf(kind)))
    if kind == "constant":
        return lrkit.constant(draw(values))
    if kind == "linear":
        return lrkit.linear(start=draw(values), end=draw(values), length=draw(lengths))
    if kind == "cosine":
        exponent = draw(st.just(1.0) | st.floats(min_value=0.1, max_value=4.0))
        return lrkit.cosine(
            start=draw(values),
            end=draw(values),
            length=draw(lengths),
            exponent=exponent,
            k_decay=draw(k_decays),
        )
    if kind == "exponential":
        end = draw(st.none() | values)
        growth = end is not None and draw(st.booleans())  # growth only up to a ceiling
        return lrkit.exponential(
            start=draw(values),
            gamma=draw(st.floats(1.0, 1.1) if growth else decays),
            every=draw(st.just(1) | lengths),
            staircase=draw(st.booleans()),
            begin=draw(st.just(0) | lengths),
            end=end,
        )
    if kind == "step":
        return lrkit.step(start=draw(values), gamma=draw(decays), every=draw(lengths))
    if kind == "multistep":
        return lrkit.multistep(
            start=draw(values), gamma=draw(decays), milestones=draw(increasing_steps())
        )
    if kind == "polynomial":
        power = draw(st.floats(min_value=0.1, max_value=4.0))
        return lrkit.polynomial(
            start=draw(values),
            end=draw(values),
            length=draw(lengths),
            power=power,
            k_decay=draw(k_decays),
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
    if kind == "one_cycle":
        return lrkit.one_cycle(
            peak=draw(values),
            total=draw(st.integers(2, 300)),
            pct_start=draw(st.floats(0.05, 0.45)),
            div=draw(st.floats(1.5, 50.0)),
            final_div=draw(st.floats(1.5, 1e4)),
            anneal=draw(st.sampled_from(["cos", "linear"])),
            three_phase=draw(st.booleans()),
        )
    if kind == "wsd":
        total = draw(st.integers(2, 300))
        warm = draw(st.integers(1, total - 1))
        peak, end = draw(values), draw(values)
        decay_shape = draw(st.sampled_from(lrkit.cycles.WSD_DECAY_SHAPES))
        ratio = end / peak if peak != 0 else math.nan
        if decay_shape == "exp" and not (ratio > 0 and math.isfinite(ratio)):
            decay_shape = "power"  # a geometric decay needs endpoints of one sign
        return lrkit.wsd(
            peak=peak,
            warmup_length=warm,
            decay_length=draw(st.integers(1, total - warm)),
            total=total,
            end=end,
            decay_shape=decay_shape,
            warmup_shape=draw(st.sampled_from(lrkit.cycles.WSD_WARMUP_SHAPES)),
            stable=draw(st.sampled_from(["constant", "rsqrt"])),
            stable_timescale=draw(st.none() | lengths),
            decay_exponent=draw(st.floats(0.1, 4.0)),
        )
    if kind == "torch_cosine_annealing":
        return torch_parity.cosine_annealing(
            start=draw(values), end=draw(values), period=draw(lengths)
        )
    if kind == "torch_one_cycle_phases":
        try:
            return torch_parity.one_cycle(
                max_lr=draw(values),
                total_steps=draw(st.integers(4, 300)),
                pct_start=draw(st.floats(0.1, 0.45)),
                anneal_strategy=draw(st.sampled_from(["cos", "linear"])),
                div_factor=draw(st.floats(1.5, 50.0)),
                final_div_factor=draw(st.floats(1.5, 1e4)),
                three_phase=draw(st.booleans()),
            )
        except ValueError:  # an empty phase (torch divides by zero there)
            assume(False)
    if kind == "torch_cyclic":
        return torch_parity.cyclic_triangle(
            low=draw(values),
            high=draw(values),
            up=draw(st.floats(1.0, 50.0)),
            down=draw(st.floats(1.0, 50.0)),
            mode=draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
            gamma=draw(st.floats(0.99, 1.0)),
            by_cycle=draw(st.booleans()),
            inverted=draw(st.booleans()),
        )
    if kind == "python":
        return HalvingEvery(start=draw(values), every=draw(lengths))
    return VectorRamp(start=draw(values), slope=draw(st.floats(-0.01, 0.01)))


COMBINATOR_KINDS = [*TUNED_COMBINATORS, *GENERIC_COMBINATORS]


def _extend(children: st.SearchStrategy[lrkit.Schedule]) -> st.SearchStrategy[lrkit.Schedule]:
    return st.sampled_from(COMBINATOR_KINDS).flatmap(lambda kind: combinator(kind, children))


def combinator(
    kind: str, children: st.SearchStrategy[lrkit.Schedule]
) -> st.SearchStrategy[lrkit.Schedule]:
    """A random combinator of one kind over ``children``."""
    return _once(("combinator", kind, children), lambda: _combinator(kind, children))


@st.composite
def _combinator(
    draw: st.DrawFn, kind: str, children: st.SearchStrategy[lrkit.Schedule]
) -> lrkit.Schedule:
    if kind in GENERIC_COMBINATORS:
        return draw(declared(kind, children))
    if kind == "warmup":
        child, start = draw(children), draw(values)
        shape = draw(st.sampled_from(lrkit.combinators.WARMUP_SHAPES))
        ratio = child(0) / start if start != 0 else math.nan
        if shape == "exponential" and not (ratio > 0 and math.isfinite(ratio)):
            shape = "linear"  # a geometric ramp needs endpoints of one sign
        return lrkit.warmup(
            child,
            length=draw(lengths),
            start=start,
            mode=draw(st.sampled_from(["prefix", "overlay"])),
            shape=shape,
            exponent=draw(st.floats(0.1, 4.0)),
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
    if kind == "optax.join_schedules":  # boundaries in any order, one fewer than schedules
        parts = draw(st.lists(children, min_size=1, max_size=3))
        bounds = draw(
            st.lists(st.integers(0, 400), min_size=len(parts) - 1, max_size=len(parts) - 1)
        )
        return optax_parity.join_schedules(parts, bounds)
    if kind == "noise":
        return lrkit.noise(
            draw(children), amount=draw(st.floats(0.0, 0.5)), seed=draw(st.integers(0, 99))
        )
    return lrkit.repeat(draw(children), period=draw(lengths))


schedule_trees = st.recursive(primitives(), _extend, max_leaves=6)
#: per_group is outermost only: trees of one schedule per param group.
group_trees = st.lists(schedule_trees, min_size=1, max_size=3).map(lrkit.per_group)


def names_in(schedule: lrkit.Schedule) -> set[str]:
    """The config names of the built-ins in a tree (its root and every child)."""
    found = {type(schedule).config_name} - {None}
    for value in schedule.arguments().values():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, lrkit.Schedule):
                found |= names_in(item)
    return {n for n in found if n is not None}
