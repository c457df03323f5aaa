"""lrkit.torch's drop-ins against the real torch.optim.lr_scheduler classes.

Every test runs the same construction twice, once with lrkit's classes and once with torch's, on
identical optimizers, and compares every group's lr (and momentum / beta1 where cycled) before
every optimizer step, plus ``get_last_lr()``. Arguments and step counts come from Hypothesis.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import pytest
import torch
import torch.optim.lr_scheduler as T
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim.lr_scheduler import LRScheduler

import lrkit.torch as K
from lrkit.engine import ChunkedTable
from lrkit.torch.compat._base import _CACHES

RTOL = 1e-12
#: Near 0, torch's recursions leave a few ulp of the base lr where the closed form gives 0
#: (LinearLR down to end_factor=0 ends at 3e-17 of a base of 1): absolute slack of 10 ulp of
#: the largest value in the run or of the base lrs, whichever is larger (a run whose factors
#: keep every value far below its base still carries the base's rounding).
ULPS_OF_PEAK = 1e-15
Factory = Callable[[ModuleType, torch.optim.Optimizer], Any]

pytestmark = pytest.mark.filterwarnings(
    "ignore:The epoch parameter:UserWarning", "ignore:Detected call of:UserWarning"
)


def make_optimizer(
    lrs: list[float], kind: str = "sgd", lr_dtype: str = "float"
) -> torch.optim.Optimizer:
    def lr(value: float) -> Any:
        return torch.tensor(value, dtype=torch.float64) if lr_dtype == "tensor" else value

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr(v)} for v in lrs]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=lrs[0], foreach=False)
    if kind == "rmsprop_none":
        return torch.optim.Adagrad(groups, lr=lrs[0])
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


class Both:
    """Steps several schedulers on one optimizer in order (torch's composition)."""

    def __init__(self, schedulers: tuple[Any, ...]) -> None:
        self.schedulers = schedulers

    def step(self) -> None:
        for s in self.schedulers:
            s.step()

    def get_last_lr(self) -> list[float]:
        return list(self.schedulers[-1].get_last_lr())


def _snapshot(optimizer: torch.optim.Optimizer, key: str | None) -> list[float]:
    row = [float(g["lr"]) for g in optimizer.param_groups]
    if key == "momentum":
        row += [float(g["momentum"]) for g in optimizer.param_groups]
    elif key == "betas":
        row += [float(g["betas"][0]) for g in optimizer.param_groups]
    return row


def trace(
    module: ModuleType,
    factory: Factory,
    lrs: list[float],
    steps: int,
    *,
    kind: str = "sgd",
    key: str | None = None,
    lr_dtype: str = "float",
    metrics: list[float] | None = None,
) -> list[list[float]]:
    """Group values (and get_last_lr) at ``steps`` consecutive steps, from the constructor's."""
    optimizer = make_optimizer(lrs, kind, lr_dtype)
    made = factory(module, optimizer)
    scheduler = Both(made) if isinstance(made, tuple) else made
    seen = []
    for i in range(steps):
        last = [float(v) for v in scheduler.get_last_lr()]
        seen.append(_snapshot(optimizer, key) + last)
        if i == steps - 1:
            break
        optimizer.step()
        if metrics is not None:
            scheduler.step(metrics[i % len(metrics)])
        else:
            scheduler.step()
    return seen


def saved_and_loaded(state: Any) -> Any:
    """``state`` through ``torch.save`` and ``torch.load(weights_only=True)``, as hosts do."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def assert_close(
    ours: list[list[float]],
    theirs: list[list[float]],
    *,
    sides: tuple[str, str] = ("lrkit", "torch"),
    bases: Sequence[float] = (),
) -> None:
    """Every value of ``ours`` within RTOL (and ULPS_OF_PEAK) of ``theirs``; a failure names
    the two sides (``sides``: lrkit's run first, the reference second), the step and the
    column (each row: the group lrs, then momentum or beta1 where traced, then get_last_lr())."""
    mine, reference = sides
    assert len(ours) == len(theirs), (
        f"{mine} gave {len(ours)} steps, {reference} gave {len(theirs)}"
    )
    atol = ULPS_OF_PEAK * max((abs(v) for row in [*theirs, bases] for v in row), default=0.0)
    for step, (a_row, b_row) in enumerate(zip(ours, theirs, strict=True)):
        assert len(a_row) == len(b_row), (
            f"step {step}: {mine} row {a_row} and {reference} row {b_row} differ in length"
        )
        for column, (a, b) in enumerate(zip(a_row, b_row, strict=True)):
            where = f"step {step}, column {column}"
            assert math.isfinite(a), f"{where}: {mine} gave {a!r}\n  {mine}: {a_row}"
            allowed = RTOL * max(abs(a), abs(b)) + atol
            assert abs(a - b) <= allowed, (
                f"{where}: {mine} {a!r} != {reference} {b!r} (off by {abs(a - b):.3g}, "
                f"allowed {allowed:.3g})\n  {mine}: {a_row}\n  {reference}: {b_row}"
            )


def same(factory: Factory, lrs: list[float], steps: int, **options: Any) -> None:
    ours, theirs = (
        trace(K, factory, lrs, steps, **options),
        trace(T, factory, lrs, steps, **options),
    )
    assert_close(ours, theirs, bases=lrs)


# -- strategies ---------------------------------------------------------------------------------

lrs_st = st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=3)
steps_st = st.integers(1, 120)
gamma_st = st.floats(0.05, 1.0)
factor_st = st.floats(0.05, 1.0)

chainable_st = st.one_of(
    st.builds(
        lambda s, g: lambda M, o: M.StepLR(o, step_size=s, gamma=g),
        st.integers(1, 12),
        gamma_st,
    ),
    st.builds(
        lambda ms, g: lambda M, o: M.MultiStepLR(o, milestones=ms, gamma=g),
        st.lists(st.integers(0, 60), max_size=5),
        gamma_st,
    ),
    st.builds(
        lambda f, n: lambda M, o: M.ConstantLR(o, factor=f, total_iters=n),
        factor_st,
        st.integers(1, 30),
    ),
    st.builds(
        lambda a, b, n: lambda M, o: M.LinearLR(o, start_factor=a, end_factor=b, total_iters=n),
        factor_st,
        st.floats(0.0, 1.0, allow_subnormal=False),
        st.integers(1, 40),
    ),
    st.builds(lambda g: lambda M, o: M.ExponentialLR(o, gamma=g), st.floats(0.8, 1.0)),
    st.builds(
        lambda n, p: lambda M, o: M.PolynomialLR(o, total_iters=n, power=p),
        st.integers(1, 40),
        st.floats(0.5, 3.0),
    ),
    st.builds(
        lambda n, e: lambda M, o: M.CosineAnnealingLR(o, T_max=n, eta_min=e),
        st.integers(1, 40),
        st.floats(0.0, 1e-4),
    ),
)


# -- one scheduler ------------------------------------------------------------------------------


@settings(max_examples=150)
@given(chainable_st, lrs_st, steps_st)
def test_chainable_classes_alone(factory: Factory, lrs: list[float], steps: int) -> None:
    same(factory, lrs, steps)


@settings(max_examples=60)
@given(chainable_st, lrs_st, steps_st)
def test_chainable_classes_with_tensor_lrs(factory: Factory, lrs: list[float], steps: int) -> None:
    same(factory, lrs, steps, lr_dtype="tensor")


@settings(max_examples=80)
@given(
    st.sampled_from(["triangular", "triangular2", "exp_range"]),
    st.integers(1, 9),
    st.none() | st.integers(1, 9),
    st.floats(0.9, 1.0),
    lrs_st,
    st.sampled_from(["sgd", "adam"]),
    st.booleans(),
    steps_st,
)
def test_cyclic_lr(
    mode: str,
    up: int,
    down: int | None,
    gamma: float,
    lrs: list[float],
    kind: str,
    per_group_max: bool,
    steps: int,
) -> None:
    def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
        max_lr = [2 * lr + 0.1 for lr in lrs] if per_group_max else 1.5
        return M.CyclicLR(
            o,
            base_lr=[lr / 10 for lr in lrs],
            max_lr=max_lr,
            step_size_up=up,
            step_size_down=down,
            mode=mode,
            gamma=gamma,
            base_momentum=0.8,
            max_momentum=0.95,
        )

    same(factory, lrs, steps, kind=kind, key="betas" if kind == "adam" else "momentum")


@settings(max_examples=30)
@given(st.sampled_from(["cycle", "iterations"]), st.integers(1, 6), lrs_st, steps_st)
def test_cyclic_lr_custom_scale_fn(scale_mode: str, up: int, lrs: list[float], steps: int) -> None:
    def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
        return M.CyclicLR(
            o, 0.01, 0.2, step_size_up=up, scale_fn=lambda x: 0.9**x, scale_mode=scale_mode
        )

    same(factory, lrs, steps, key="momentum")


@settings(max_examples=80)
@given(
    st.integers(2, 150),
    st.floats(0.05, 0.45),
    st.sampled_from(["cos", "linear"]),
    st.booleans(),
    st.floats(2.0, 50.0),
    st.floats(10.0, 1e5),
    lrs_st,
    st.sampled_from(["sgd", "adam"]),
    st.booleans(),
)
def test_one_cycle_lr(
    total: int,
    pct: float,
    anneal: str,
    three_phase: bool,
    div: float,
    final_div: float,
    lrs: list[float],
    kind: str,
    cycle_momentum: bool,
) -> None:
    if three_phase and (pct * total - 1 == 0 or 2 * pct * total - 2 == pct * total - 1):
        return  # torch divides by zero on such an empty phase (lrkit refuses it at construction)
    if pct * total - 1 == 0:
        return

    def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
        return M.OneCycleLR(
            o,
            max_lr=[lr * 3 for lr in lrs],
            total_steps=total,
            pct_start=pct,
            anneal_strategy=anneal,
            three_phase=three_phase,
            div_factor=div,
            final_div_factor=final_div,
            cycle_momentum=cycle_momentum,
        )

    key = None if not cycle_momentum else "betas" if kind == "adam" else "momentum"
    same(factory, lrs, total + 1, kind=kind, key=key)  # torch steps to total_steps itself


def test_one_cycle_lr_raises_past_total_steps_like_torch() -> None:
    for module in (K, T):
        optimizer = make_optimizer([0.1])
        scheduler = module.OneCycleLR(optimizer, max_lr=0.1, total_steps=5)
        for _ in range(5):
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 6 times"):
            scheduler.step()


@settings(max_examples=80)
@given(st.integers(1, 8), st.integers(1, 3), st.floats(0.0, 1e-3), lrs_st, steps_st)
def test_cosine_annealing_warm_restarts(
    t0: int, mult: int, eta: float, lrs: list[float], steps: int
) -> None:
    def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
        return M.CosineAnnealingWarmRestarts(o, T_0=t0, T_mult=mult, eta_min=eta)

    same(factory, lrs, steps)


@settings(max_examples=40)
@given(st.integers(1, 5), st.integers(1, 3), st.integers(2, 10), st.integers(1, 12))
def test_cosine_annealing_warm_restarts_fractional_epochs(
    t0: int, mult: int, iters: int, epochs: int
) -> None:
    """The documented per-batch idiom ``scheduler.step(epoch + i / iters)``."""
    seen: dict[str, list[list[float]]] = {}
    for name, module in (("lrkit", K), ("torch", T)):
        optimizer = make_optimizer([0.1, 0.02])
        scheduler = module.CosineAnnealingWarmRestarts(optimizer, T_0=t0, T_mult=mult)
        values = []
        for epoch in range(epochs):
            for i in range(iters):
                scheduler.step(epoch + i / iters)
                values.append([float(g["lr"]) for g in optimizer.param_groups])
                values.append([float(scheduler.T_cur), float(scheduler.T_i)])
        scheduler.step()  # and a plain step after fractional ones
        values.append([float(g["lr"]) for g in optimizer.param_groups])
        seen[name] = values
    assert_close(seen["lrkit"], seen["torch"])


def test_cosine_annealing_warm_restarts_restarts_on_exact_boundaries() -> None:
    """torch's ``step(epoch)`` puts some restart boundaries one cycle low (a float ``log``);
    lrkit restarts there, as ``step()`` does in both."""
    optimizer = make_optimizer([1.0])
    scheduler = K.CosineAnnealingWarmRestarts(optimizer, T_0=1, T_mult=3)
    for boundary in (1, 4, 13, 40, 121, 364):
        scheduler.step(boundary)
        assert optimizer.param_groups[0]["lr"] == 1.0, boundary
        assert scheduler.T_cur == 0


@settings(max_examples=40)
@given(lrs_st, steps_st, st.floats(0.5, 1.0))
def test_lambda_and_multiplicative(lrs: list[float], steps: int, gamma: float) -> None:
    same(lambda M, o: M.LambdaLR(o, lr_lambda=lambda e: gamma**e / (1 + e % 3)), lrs, steps)
    same(lambda M, o: M.MultiplicativeLR(o, lr_lambda=lambda e: gamma), lrs, steps)
    per_group = [lambda e, k=k: gamma ** (e * k) for k in range(len(lrs))]
    same(lambda M, o: M.LambdaLR(o, lr_lambda=per_group), lrs, steps)


def test_lambda_lr_takes_an_lrkit_schedule() -> None:
    import lrkit

    shape = lrkit.warmup(lrkit.cosine(start=1.0, end=0.0, length=50), length=10)
    ours = trace(K, lambda M, o: M.LambdaLR(o, lr_lambda=shape), [0.1, 0.3], 80)
    theirs = trace(T, lambda M, o: M.LambdaLR(o, lr_lambda=shape.__call__), [0.1, 0.3], 80)
    assert_close(ours, theirs)


# -- composition --------------------------------------------------------------------------------


@settings(max_examples=150)
@given(chainable_st, chainable_st, lrs_st, steps_st)
def test_two_schedulers_on_one_optimizer(
    first: Factory, second: Factory, lrs: list[float], steps: int
) -> None:
    same(lambda M, o: (first(M, o), second(M, o)), lrs, steps)


@settings(max_examples=60)
@given(chainable_st, chainable_st, lrs_st, steps_st)
def test_lrkit_and_torch_schedulers_mixed(
    first: Factory, second: Factory, lrs: list[float], steps: int
) -> None:
    ours = trace(K, lambda M, o: (first(K, o), second(T, o)), lrs, steps)
    theirs = trace(T, lambda M, o: (first(T, o), second(T, o)), lrs, steps)
    assert_close(ours, theirs)


@settings(max_examples=80)
@given(
    st.lists(chainable_st, min_size=1, max_size=3),
    st.lists(st.integers(1, 30), min_size=2, max_size=2, unique=True),
    lrs_st,
    steps_st,
    st.sampled_from(["lrkit", "torch", "mixed"]),
)
def test_sequential_lr(
    children: list[Factory], points: list[int], lrs: list[float], steps: int, kids: str
) -> None:
    milestones = sorted(points)[: len(children) - 1]

    def build(outer: ModuleType, inner: str) -> Factory:
        def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
            mods = {"lrkit": [K] * 3, "torch": [T] * 3, "mixed": [K, T, K]}[inner]
            made = [make(mods[i], o) for i, make in enumerate(children)]
            return outer.SequentialLR(o, schedulers=made, milestones=milestones)

        return factory

    reference = trace(T, build(T, "torch"), lrs, steps)
    assert_close(trace(K, build(K, kids), lrs, steps), reference)
    # torch's own SequentialLR drives lrkit's children like its own
    assert_close(
        trace(T, build(T, kids), lrs, steps),
        reference,
        sides=(f"torch's SequentialLR over {kids} children", "torch"),
    )


@settings(max_examples=60)
@given(st.lists(chainable_st, min_size=1, max_size=3), lrs_st, steps_st, st.booleans())
def test_chained_scheduler(
    children: list[Factory], lrs: list[float], steps: int, torch_children: bool
) -> None:
    def build(outer: ModuleType, inner: ModuleType) -> Factory:
        return lambda M, o: outer.ChainedScheduler([make(inner, o) for make in children])

    child = T if torch_children else K
    reference = trace(T, build(T, T), lrs, steps)
    assert_close(trace(K, build(K, child), lrs, steps), reference)
    assert_close(
        trace(T, build(T, K), lrs, steps),
        reference,
        sides=("torch's ChainedScheduler over lrkit children", "torch"),
    )


def test_sequential_lr_of_warmup_then_cosine_matches_torch_measured_values() -> None:
    """The curve measured on torch 2.13 (shared/reference/torch.md §5)."""
    optimizer = make_optimizer([0.1])
    scheduler = K.SequentialLR(
        optimizer,
        [K.LinearLR(optimizer, start_factor=0.1, total_iters=3), K.CosineAnnealingLR(optimizer, 5)],
        milestones=[3],
    )
    seen = []
    for _ in range(11):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    expected = [0.01, 0.04, 0.07, 0.1, 0.0905, 0.0655, 0.0345, 0.0095, 0.0, 0.0095, 0.0345]
    assert seen == pytest.approx(expected, abs=1e-4)


# -- ReduceLROnPlateau --------------------------------------------------------------------------


@settings(max_examples=80)
@given(
    st.sampled_from(["min", "max"]),
    st.sampled_from(["rel", "abs"]),
    st.floats(0.1, 0.9),
    st.integers(0, 4),
    st.floats(0.0, 0.1),
    st.integers(0, 3),
    st.one_of(st.floats(0.0, 1e-3), st.just("per_group")),
    st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=25),
    lrs_st,
)
def test_reduce_lr_on_plateau(
    mode: str,
    threshold_mode: str,
    factor: float,
    patience: int,
    threshold: float,
    cooldown: int,
    min_lr: float | str,
    metrics: list[float],
    lrs: list[float],
) -> None:
    floors = [1e-3 * (g + 1) for g in range(len(lrs))] if min_lr == "per_group" else min_lr

    def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
        return M.ReduceLROnPlateau(
            o,
            mode=mode,
            factor=factor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            cooldown=cooldown,
            min_lr=floors,
        )

    same(factory, lrs, 40, metrics=metrics)


def test_reduce_lr_on_plateau_is_torchs_class_for_hosts() -> None:
    optimizer = make_optimizer([0.1])
    assert isinstance(K.ReduceLROnPlateau(optimizer), T.ReduceLROnPlateau)
    assert isinstance(K.ReduceLROnPlateau(optimizer), LRScheduler)


def test_reduce_lr_on_plateau_composes_with_a_chainable_drop_in() -> None:
    def run(M: ModuleType) -> list[float]:
        optimizer = make_optimizer([0.1])
        decay = M.ExponentialLR(optimizer, gamma=0.95)
        plateau = M.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
        seen = []
        for i in range(30):
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            decay.step()
            plateau.step(1.0 if i > 5 else -i)
        return seen

    assert_close([[v] for v in run(K)], [[v] for v in run(T)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "median"}, "mode must be 'min' or 'max'"),
        ({"threshold_mode": "pct"}, "threshold_mode"),
        ({"factor": 1.0}, "factor must be < 1"),
        ({"factor": -0.5}, "factor must be >= 0"),
        ({"patience": -1}, "patience must be an int >= 0"),
        ({"cooldown": 1.5}, "cooldown"),
        ({"min_lr": float("nan")}, "min_lr must be a finite number"),
        ({"min_lr": [0.0, 0.0]}, "min_lr"),
    ],
)
def test_reduce_lr_on_plateau_rejects_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        K.ReduceLROnPlateau(make_optimizer([0.1]), **kwargs)


# -- resume -------------------------------------------------------------------------------------

RESUMABLE: dict[str, Factory] = {
    "StepLR": lambda M, o: M.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.5),
    "ConstantLR": lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=4),
    "LinearLR": lambda M, o: M.LinearLR(o, start_factor=0.2, total_iters=6),
    "ExponentialLR": lambda M, o: M.ExponentialLR(o, gamma=0.9),
    "PolynomialLR": lambda M, o: M.PolynomialLR(o, total_iters=8, power=2.0),
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, T_max=7, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "CyclicLR": lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=30),
    "LambdaLR": lambda M, o: M.LambdaLR(o, lr_lambda=lambda e: 0.9**e),
    "MultiplicativeLR": lambda M, o: M.MultiplicativeLR(o, lr_lambda=lambda e: 0.9),
    "SequentialLR": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.1, total_iters=3), M.ExponentialLR(o, 0.9)], [3]
    ),
    "ChainedScheduler": lambda M, o: M.ChainedScheduler(
        [M.StepLR(o, 4, 0.5), M.ExponentialLR(o, 0.95)]
    ),
}


@pytest.mark.parametrize("name", sorted(RESUMABLE))
@pytest.mark.parametrize("at", [1, 4, 5, 6, 9, 10, 17])
def test_state_dict_resume_continues_identically(name: str, at: int) -> None:
    """``torch.save(state_dict)`` + ``torch.load(weights_only=True)`` into a fresh scheduler on
    a fresh optimizer (its state loaded) continues bit for bit, at milestones too."""
    factory = RESUMABLE[name]
    lrs = [0.1, 0.02]
    whole = trace(K, factory, lrs, 25, key="momentum")

    optimizer = make_optimizer(lrs)
    scheduler = factory(K, optimizer)
    for _ in range(at):
        optimizer.step()
        scheduler.step()
    saved = saved_and_loaded({"opt": optimizer.state_dict(), "sched": scheduler.state_dict()})

    fresh_optimizer = make_optimizer(lrs)
    fresh = factory(K, fresh_optimizer)
    fresh_optimizer.load_state_dict(saved["opt"])
    fresh.load_state_dict(saved["sched"])
    rest = []
    for _ in range(25 - at):
        rest.append(
            _snapshot(fresh_optimizer, "momentum") + [float(v) for v in fresh.get_last_lr()]
        )
        fresh_optimizer.step()
        fresh.step()
    assert rest == whole[at:]


CONSTRUCTOR_RESUMABLE = [n for n in RESUMABLE if n not in ("SequentialLR", "ChainedScheduler")]


@pytest.mark.parametrize("name", CONSTRUCTOR_RESUMABLE)
@pytest.mark.parametrize("at", [1, 3, 4, 5, 6, 9, 12])
def test_constructor_resume_continues_the_run(name: str, at: int) -> None:
    """torch's resume convention (its test_lr_scheduler_checkpoint): after k steps, a fresh
    optimizer with the saved state and the scheduler rebuilt with ``last_epoch=k-1``; the next
    values equal the uninterrupted run's, at milestones too."""
    factory = RESUMABLE[name]
    lrs = [0.1, 0.02]
    whole = trace(K, factory, lrs, 20)
    optimizer = make_optimizer(lrs)
    scheduler = factory(K, optimizer)
    for _ in range(at):
        optimizer.step()
        scheduler.step()
    fresh_optimizer = make_optimizer(lrs)
    fresh_optimizer.load_state_dict(optimizer.state_dict())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = _rebuilt_with_last_epoch(factory, fresh_optimizer, at - 1)
    rest = []
    for i in range(20 - at):
        rest.append(
            [float(g["lr"]) for g in fresh_optimizer.param_groups]
            + [float(v) for v in fresh.get_last_lr()]
        )
        if i < 20 - at - 1:
            fresh_optimizer.step()
            fresh.step()
    assert_close(rest, whole[at:], sides=("lrkit resumed", "lrkit uninterrupted"))


def _rebuilt_with_last_epoch(factory: Factory, optimizer: Any, last_epoch: int) -> Any:
    """The factory's scheduler with ``last_epoch`` added to its constructor call."""

    class WithLastEpoch:
        def __getattr__(self, name: str) -> Any:
            cls = getattr(K, name)
            return lambda *args, **kwargs: cls(*args, last_epoch=last_epoch, **kwargs)

    return factory(WithLastEpoch(), optimizer)  # type: ignore[arg-type]


def test_reduce_lr_on_plateau_state_dict_resume() -> None:
    metrics = [1.0, 0.9, 0.95, 0.97, 0.99, 0.96, 0.98, 1.2, 0.8, 0.81, 0.82, 0.83, 0.9, 0.9, 0.9]

    def build(o: Any) -> Any:
        return K.ReduceLROnPlateau(o, factor=0.5, patience=1, cooldown=1, min_lr=[1e-3, 1e-4])

    optimizer = make_optimizer([0.1, 0.02])
    whole = build(optimizer)
    seen = []
    for m in metrics:
        whole.step(m)
        seen.append([g["lr"] for g in optimizer.param_groups])
    optimizer = make_optimizer([0.1, 0.02])
    first = build(optimizer)
    for m in metrics[:6]:
        first.step(m)
    saved = saved_and_loaded({"opt": optimizer.state_dict(), "sched": first.state_dict()})
    fresh_optimizer = make_optimizer([0.1, 0.02])
    fresh = build(fresh_optimizer)
    fresh_optimizer.load_state_dict(saved["opt"])
    fresh.load_state_dict(saved["sched"])
    rest = []
    for m in metrics[6:]:
        fresh.step(m)
        rest.append([g["lr"] for g in fresh_optimizer.param_groups])
    assert rest == seen[6:]
    assert seen[-1] != seen[0]  # it did reduce


@pytest.mark.parametrize(
    ("name", "at"), [("StepLR", 6), ("MultiStepLR", 5), ("ConstantLR", 4), ("ExponentialLR", 5)]
)
def test_constructor_resume_at_a_milestone_decays_once(name: str, at: int) -> None:
    """Resuming through the constructor (optimizer state loaded, ``last_epoch=k-1``), torch's
    StepLR/MultiStepLR/ConstantLR apply the change at step k twice; lrkit's drop-ins do not."""
    factory = RESUMABLE[name]
    results = {}
    for label, module in (("lrkit", K), ("torch", T)):
        optimizer = make_optimizer([0.1])
        scheduler = factory(module, optimizer)
        for _ in range(at):
            optimizer.step()
            scheduler.step()
        continuous = optimizer.param_groups[0]["lr"]
        fresh_optimizer = make_optimizer([0.1])
        fresh_optimizer.load_state_dict(optimizer.state_dict())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _ = _with_last_epoch(name, module, fresh_optimizer, at - 1)
        results[label] = (continuous, fresh_optimizer.param_groups[0]["lr"])
    ours, theirs = results["lrkit"], results["torch"]
    assert ours[1] == pytest.approx(ours[0], rel=1e-15), f"lrkit (continuous, resumed): {ours}"
    if name != "ExponentialLR":  # the control: torch's guarded classes resume right
        assert theirs[1] != pytest.approx(theirs[0], rel=1e-6), "torch's bug is fixed upstream?"
    else:
        assert theirs[1] == pytest.approx(theirs[0], rel=1e-15)


def _with_last_epoch(name: str, module: ModuleType, optimizer: Any, last_epoch: int) -> Any:
    arguments = {
        "StepLR": {"step_size": 3, "gamma": 0.5},
        "MultiStepLR": {"milestones": [2, 5, 9], "gamma": 0.5},
        "ConstantLR": {"factor": 0.5, "total_iters": 4},
        "ExponentialLR": {"gamma": 0.9},
    }[name]
    return getattr(module, name)(optimizer, last_epoch=last_epoch, **arguments)


@pytest.mark.parametrize("name", sorted(RESUMABLE))
def test_state_dict_is_plain_data(name: str) -> None:
    scheduler = RESUMABLE[name](K, make_optimizer([0.1, 0.2]))
    saved_and_loaded(scheduler.state_dict())  # raises on anything but plain data


#: Attributes that hold callables or child schedulers: a loaded copy has its own objects there.
_OWN_OBJECTS = {"optimizer", "lr_lambdas", "_schedulers", "_scale_fn_custom"}


@pytest.mark.parametrize("name", sorted(RESUMABLE))
def test_loading_a_state_makes_every_attribute_equal(name: str) -> None:
    """torch's state_dict is the scheduler's ``__dict__`` (less the optimizer): a scheduler that
    loaded another's state has that one's attributes, and none of the engine's caches shows."""
    factory = RESUMABLE[name]
    optimizer = make_optimizer([0.1, 0.02])
    saved = factory(K, optimizer)
    for _ in range(7):
        optimizer.step()
        saved.step()
    other_optimizer = make_optimizer([0.1, 0.02])
    loaded = factory(K, other_optimizer)
    other_optimizer.step()
    loaded.step()  # a different position, and (below) a different table already computed
    loaded.load_state_dict(saved_and_loaded(saved.state_dict()))
    mine = {k: v for k, v in vars(saved).items() if k not in _OWN_OBJECTS}
    theirs = {k: v for k, v in vars(loaded).items() if k not in _OWN_OBJECTS}
    assert mine == theirs
    assert not set(_CACHES) & set(vars(saved))
    assert set(saved.state_dict()) >= set(mine)  # the state is the whole __dict__


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "CyclicLR", "OneCycleLR"])
def test_copies_and_pickles_carry_no_table_and_continue_identically(name: str) -> None:
    import copy
    import pickle

    factory = RESUMABLE[name]
    optimizer = make_optimizer([0.1, 0.02])
    scheduler = factory(K, optimizer)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    assert b"ChunkedTable" not in pickle.dumps(scheduler)
    twins = [copy.deepcopy(scheduler), pickle.loads(pickle.dumps(scheduler))]
    for _ in range(6):
        for s in [scheduler, *twins]:
            s.optimizer.step()
            s.step()
        for twin in twins:
            assert twin.optimizer is not optimizer
            assert twin.get_last_lr() == scheduler.get_last_lr()
            assert _snapshot(twin.optimizer, "momentum") == _snapshot(optimizer, "momentum")


# -- protocol -----------------------------------------------------------------------------------

ALL = [
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "LambdaLR",
    "MultiplicativeLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]


@pytest.mark.parametrize("name", ALL)
def test_same_signature_as_torch(name: str) -> None:
    import inspect

    ours = inspect.signature(getattr(K, name)).parameters
    theirs = inspect.signature(getattr(T, name)).parameters
    assert list(ours)[: len(theirs)] == list(theirs), f"lrkit {list(ours)}, torch {list(theirs)}"
    for p in theirs.values():
        assert ours[p.name].default == p.default, (
            f"{p.name}: lrkit's default {ours[p.name].default!r}, torch's {p.default!r}"
        )
    extras = [ours[n] for n in list(ours)[len(theirs) :]]  # lrkit's additions: keyword-only
    assert all(p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in extras)
    assert issubclass(getattr(K, name), LRScheduler)


STEPPED: dict[str, Factory] = {
    name: RESUMABLE[name]
    for name in [
        "StepLR",
        "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts",
        "CyclicLR",
        "OneCycleLR",
        "LambdaLR",
        "MultiplicativeLR",
        "SequentialLR",
    ]
}


@pytest.mark.parametrize("name", sorted(STEPPED))
def test_step_fills_tensor_lrs_in_place_and_last_lr_are_copies_like_torch(name: str) -> None:
    runs = {}
    for label, module in (("lrkit", K), ("torch", T)):
        optimizer = make_optimizer([0.1, 0.02], lr_dtype="tensor")
        tensors = [g["lr"] for g in optimizer.param_groups]
        scheduler = STEPPED[name](module, optimizer)
        seen = []
        for _ in range(8):
            optimizer.step()
            scheduler.step()
            last = scheduler.get_last_lr()
            assert all(g["lr"] is t for g, t in zip(optimizer.param_groups, tensors, strict=True))
            assert all(
                isinstance(v, torch.Tensor) and v is not t
                for v, t in zip(last, tensors, strict=True)
            )
            seen.append([float(v) for v in last] + [float(t) for t in tensors])
        runs[label] = seen
    assert_close(runs["lrkit"], runs["torch"])


def test_groups_sharing_one_lr_tensor_see_the_last_write_like_torch() -> None:
    lasts = {}
    for label, module in (("lrkit", K), ("torch", T)):
        shared = torch.tensor(0.1, dtype=torch.float64)
        groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": shared} for _ in "ab"]
        optimizer = torch.optim.SGD(groups, lr=0.1)
        scheduler = module.LambdaLR(optimizer, [lambda e: 1 - 0.1 * e, lambda e: 1 - 0.2 * e])
        optimizer.step()
        scheduler.step()
        lasts[label] = [float(v) for v in scheduler.get_last_lr()]
    assert lasts["lrkit"] == lasts["torch"] == [pytest.approx(0.08)] * 2, lasts


@pytest.mark.parametrize(
    "name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "PolynomialLR"]
)
@pytest.mark.parametrize("composed", [False, True])
def test_step_with_an_epoch_uses_the_closed_form_and_warns_like_torch(
    name: str, composed: bool
) -> None:
    runs = {}
    for label, module in (("lrkit", K), ("torch", T)):
        optimizer = make_optimizer([0.1, 0.02])
        scheduler = RESUMABLE[name](module, optimizer)
        other = module.ExponentialLR(optimizer, gamma=0.5) if composed else None
        seen = []
        for epoch in [3, 3, 7, 1, 0, 12]:
            optimizer.step()
            if other is not None:
                other.step()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                scheduler.step(epoch)
            assert [str(w.message) for w in caught] == [T.EPOCH_DEPRECATION_WARNING], (
                f"{label}'s {name}.step({epoch}) warned {[str(w.message) for w in caught]}"
            )
            assert scheduler.last_epoch == epoch
            seen.append(_snapshot(optimizer, None) + [float(v) for v in scheduler.get_last_lr()])
        runs[label] = seen
    assert_close(runs["lrkit"], runs["torch"])


#: Classes that torch gives no closed form: ``step(epoch)`` and a SequentialLR restart call
#: ``get_lr()`` at the new epoch (the momentum moves with the lr).
WITHOUT_CLOSED_FORM: dict[str, Factory] = {
    "CyclicLR": RESUMABLE["CyclicLR"],
    "CyclicLR-scale_fn": lambda M, o: M.CyclicLR(o, 0.01, 0.1, 3, scale_fn=lambda x: 0.8**x),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.1, total_steps=15),
    "LambdaLR": RESUMABLE["LambdaLR"],
    "MultiplicativeLR": RESUMABLE["MultiplicativeLR"],
}


@pytest.mark.parametrize("name", sorted(WITHOUT_CLOSED_FORM))
@pytest.mark.parametrize(("kind", "key"), [("sgd", "momentum"), ("adam", "betas")])
def test_step_with_an_epoch_without_a_closed_form_like_torch(
    name: str, kind: str, key: str
) -> None:
    runs = {}
    for label, module in (("lrkit", K), ("torch", T)):
        optimizer = make_optimizer([0.1, 0.02], kind)
        scheduler = WITHOUT_CLOSED_FORM[name](module, optimizer)
        seen = []
        for epoch in [3, 1, 4, 4, 0, 7, 15]:
            optimizer.step()
            scheduler.step(epoch)
            seen.append(_snapshot(optimizer, key) + [float(v) for v in scheduler.get_last_lr()])
        runs[label] = seen
        if name == "OneCycleLR":
            with pytest.raises(ValueError, match="Tried to step 16 times"):
                scheduler.step(16)
    assert_close(runs["lrkit"], runs["torch"])


@pytest.mark.parametrize("name", [*sorted(WITHOUT_CLOSED_FORM), "CosineAnnealingWarmRestarts"])
def test_sequential_lr_restarts_a_later_child_like_torch(name: str) -> None:
    child = {**WITHOUT_CLOSED_FORM, **RESUMABLE}[name]

    def factory(M: ModuleType, o: torch.optim.Optimizer) -> Any:
        return M.SequentialLR(o, [M.ExponentialLR(o, gamma=0.5), child(M, o)], milestones=[3])

    for kind, key in [("sgd", "momentum"), ("adam", "betas")]:
        assert_close(
            trace(K, factory, [0.1, 0.02], 12, kind=kind, key=key),
            trace(T, factory, [0.1, 0.02], 12, kind=kind, key=key),
        )


def test_step_order_warning_like_torch() -> None:
    optimizer = make_optimizer([0.1])
    scheduler = K.StepLR(optimizer, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()


def test_get_lr_outside_step_warns_like_torch() -> None:
    scheduler = K.ExponentialLR(make_optimizer([0.1]), gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()


def test_lr_at_reads_the_closed_form_without_stepping() -> None:
    scheduler = K.StepLR(make_optimizer([0.1, 0.2]), step_size=3, gamma=0.5)
    assert scheduler.lr_at(7) == [0.1 * 0.25, 0.2 * 0.25]
    assert scheduler.last_epoch == 0


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda o: K.StepLR(o, step_size=0), "step_size must be an int >= 1"),
        (lambda o: K.LinearLR(o, start_factor=0.0), "start_factor"),
        (lambda o: K.LinearLR(o, end_factor=1.5), "end_factor"),
        (lambda o: K.ConstantLR(o, factor=2.0), "factor must be between 0 and 1"),
        (lambda o: K.ConstantLR(o, total_iters=0), "total_iters must be an int >= 1"),
        (lambda o: K.CosineAnnealingLR(o, T_max=0), "T_max must be an int >= 1"),
        (lambda o: K.PolynomialLR(o, total_iters=0), "total_iters must be an int >= 1"),
        (lambda o: K.MultiStepLR(o, milestones=[1.5]), "milestones must be ints"),
        (lambda o: K.CosineAnnealingWarmRestarts(o, T_0=0), "T_0 must be an int >= 1"),
        (lambda o: K.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), "T_mult"),
        (lambda o: K.OneCycleLR(o, max_lr=0.1), "give total_steps"),
        (lambda o: K.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2.0), "pct_start"),
        (lambda o: K.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=10), "same length"),
        (lambda o: K.CyclicLR(o, 0.01, 0.1, mode="square"), "mode must be"),
        (lambda o: K.CyclicLR(o, 0.01, 0.1, step_size_up=0), "step_size_up"),
        (lambda o: K.LambdaLR(o, lr_lambda=3), "lr_lambda should be a function, but got int"),
        (lambda o: K.SequentialLR(o, [K.StepLR(o, 2)], milestones=[3]), "one milestone fewer"),
        (lambda o: K.StepLR(o, step_size=2, last_epoch=-3), "last_epoch must be an int >= -1"),
    ],
)
def test_bad_arguments_raise_naming_them(build: Callable[[Any], Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        build(make_optimizer([0.1]))


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_scale_fn_ref_like_torchs(mode: str) -> None:
    """torch's ``_scale_fn_ref`` (the built-in mode's amplitude): the same kind of callable with
    the same values, never in the state, following the mode of a loaded state."""
    ours = K.CyclicLR(make_optimizer([0.1]), 0.01, 0.1, mode=mode, gamma=0.9)  # type: ignore[arg-type]
    theirs = T.CyclicLR(make_optimizer([0.1]), 0.01, 0.1, mode=mode, gamma=0.9)  # type: ignore[arg-type]
    assert type(ours._scale_fn_ref) is type(theirs._scale_fn_ref), (
        f"lrkit's _scale_fn_ref is a {type(ours._scale_fn_ref)}, torch's a "
        f"{type(theirs._scale_fn_ref)}"
    )
    for x in [0.0, 1.0, 2.0, 3.5, 7.0]:
        for attribute in ("_scale_fn_ref", "scale_fn"):
            a, b = getattr(ours, attribute)(x), getattr(theirs, attribute)(x)
            assert a == b, f"{attribute}({x}): lrkit {a!r} != torch {b!r}"
    assert "_scale_fn_ref" not in ours.state_dict()
    other = K.CyclicLR(make_optimizer([0.1]), 0.01, 0.1, mode="triangular")
    other.load_state_dict(ours.state_dict())
    assert other._scale_fn_ref(3.0) == theirs._scale_fn_ref(3.0)


def test_cyclic_lr_with_a_custom_scale_fn_has_no_scale_fn_ref_like_torch() -> None:
    for module in (K, T):
        scheduler = module.CyclicLR(make_optimizer([0.1]), 0.01, 0.1, scale_fn=lambda x: 0.5)
        assert not hasattr(scheduler, "_scale_fn_ref")
        assert scheduler.scale_fn(3.0) == 0.5


def test_cyclic_lr_without_momentum_in_the_optimizer() -> None:
    optimizer = make_optimizer([0.1], kind="rmsprop_none")
    with pytest.raises(ValueError, match="cycle_momentum"):
        K.CyclicLR(optimizer, 0.01, 0.1)
    K.CyclicLR(optimizer, 0.01, 0.1, cycle_momentum=False)


def test_reduce_lr_on_plateau_scales_a_planned_lrkit_schedule() -> None:
    """plateau factor x planned value: each reduction multiplies the lrkit Scheduler's later
    values by ``max(lr * factor, min_lr) / lr`` (per group, at the moment of the reduction); it
    survives the Scheduler's next writes and a state_dict resume."""
    import lrkit

    shape = lrkit.cosine(start=1.0, end=0.1, length=100)
    bases, floors = [0.1, 0.02], [0.0, 0.006]
    optimizer = make_optimizer(bases)
    planned = K.Scheduler(optimizer, shape)
    plateau = K.ReduceLROnPlateau(optimizer, factor=0.5, patience=0, min_lr=floors, planned=planned)
    scale = [1.0, 1.0]
    for step in range(60):
        expected = [b * f * shape(step) for b, f in zip(bases, scale, strict=True)]
        assert [g["lr"] for g in optimizer.param_groups] == pytest.approx(expected, rel=1e-12)
        optimizer.step()
        planned.step()
        if step in (10, 30):  # no improvement: with patience=0, one reduction
            lrs = [g["lr"] for g in optimizer.param_groups]
            plateau.step(float(step))
            scale = [
                f * max(lr * 0.5, floor) / lr
                for f, lr, floor in zip(scale, lrs, floors, strict=True)
            ]
        else:
            plateau.step(-float(step))
    assert scale[0] == 0.25 and 0.25 < scale[1] < 0.5  # the second group met its floor once
    saved = saved_and_loaded({"planned": planned.state_dict(), "plateau": plateau.state_dict()})
    fresh_optimizer = make_optimizer(bases)
    fresh = K.Scheduler(fresh_optimizer, shape)
    fresh.load_state_dict(saved["planned"])
    assert [g["lr"] for g in fresh_optimizer.param_groups] == [
        g["lr"] for g in optimizer.param_groups
    ]


def test_reduce_lr_on_plateau_planned_must_be_an_lrkit_scheduler_on_the_optimizer() -> None:
    optimizer = make_optimizer([0.1])
    import lrkit

    other = K.Scheduler(make_optimizer([0.1]), lrkit.constant(1.0))
    with pytest.raises(ValueError, match="same optimizer"):
        K.ReduceLROnPlateau(optimizer, planned=other)
    with pytest.raises(TypeError, match=r"lrkit\.torch\.Scheduler"):
        K.ReduceLROnPlateau(optimizer, planned=K.StepLR(optimizer, 3))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"])
def test_a_param_group_added_later_is_carried_along_like_torch(name: str) -> None:
    factory = RESUMABLE[name]

    def run(M: ModuleType) -> list[list[float]]:
        optimizer = make_optimizer([0.1])
        scheduler = factory(M, optimizer)
        seen = []
        for step in range(15):
            if step == 4:
                optimizer.add_param_group(
                    {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.3}
                )
            seen.append([float(g["lr"]) for g in optimizer.param_groups])
            optimizer.step()
            scheduler.step()
        return seen

    if name == "CosineAnnealingLR":  # torch's zips base_lrs with the groups: it cannot
        with pytest.raises(ValueError):
            run(T)
        ours = run(K)  # torch's recursion from the new group's lr, reset at the trough
        ratio = (1 + math.cos(math.pi * 5 / 7)) / (1 + math.cos(math.pi * 4 / 7))
        assert ours[5][1] == pytest.approx(ratio * (0.3 - 1e-3) + 1e-3, rel=1e-12)
        assert ours[14][1] == pytest.approx(0.3, rel=1e-12)  # back at its base after 2 * T_max
        return
    assert_close([r[:1] for r in run(K)], [r[:1] for r in run(T)])
    assert_close([r[1:] for r in run(K)[4:]], [r[1:] for r in run(T)[4:]])


def test_a_param_group_added_later_is_refused_where_arguments_are_per_group() -> None:
    optimizer = make_optimizer([0.1])
    scheduler = K.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.3})
    with pytest.raises(ValueError, match="param group was added"):
        scheduler.step()


# -- the fast path of step() ---------------------------------------------------------------------

FAST = {
    "StepLR": lambda M, o: M.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda M, o: M.MultiStepLR(o, milestones=[5, 4100, 4100], gamma=0.5),
    "ConstantLR": lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=4097),
    "LinearLR": lambda M, o: M.LinearLR(o, start_factor=0.1, total_iters=5000),
    "ExponentialLR": lambda M, o: M.ExponentialLR(o, gamma=0.9999),
    "PolynomialLR": lambda M, o: M.PolynomialLR(o, total_iters=6000, power=2.0),
    "CosineAnnealingLR": lambda M, o: M.CosineAnnealingLR(o, T_max=3000, eta_min=0.01),
    "CyclicLR": lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=700, mode="triangular2"),
    "OneCycleLR": lambda M, o: M.OneCycleLR(o, max_lr=0.5, total_steps=4600),
    "LambdaLR": lambda M, o: M.LambdaLR(o, lr_lambda=lrkit_cosine(4400)),
}


def lrkit_cosine(length: int) -> Any:
    import lrkit

    return lrkit.cosine(start=1.0, end=0.0, length=length)


def slow(cls: type) -> type:
    """The same class on torch's path only (a subclass that opts out of the fast path)."""
    return type(f"Slow{cls.__name__}", (cls,), {"fast_step": False})


class SlowModule:
    def __getattr__(self, name: str) -> Any:
        return slow(getattr(K, name))


def _entries(optimizer: torch.optim.Optimizer) -> list[dict[str, Any]]:
    return [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]


def _state(scheduler: Any) -> dict[str, Any]:
    state = scheduler.state_dict()
    state.pop("lr_lambdas", None)
    return state


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", list(FAST))
def test_the_fast_path_leaves_everything_as_torchs_path_does(name: str, kind: str) -> None:
    lrs = [0.3, 0.05, 1.0]  # CyclicLR and OneCycleLR cycle momentum (sgd) or betas[0] (adam)
    fast_opt, slow_opt = make_optimizer(lrs, kind), make_optimizer(lrs, kind)
    fast = FAST[name](K, fast_opt)
    reference = FAST[name](SlowModule(), slow_opt)
    assert type(fast).fast_step and not type(reference).fast_step
    for step in range(4500):  # over a chunk boundary (4096 rows)
        assert _entries(fast_opt) == _entries(slow_opt), step
        assert fast.get_last_lr() == reference.get_last_lr(), step
        last = fast.get_last_lr()
        fast_opt.step()
        slow_opt.step()
        fast.step()
        reference.step()
        assert fast.get_last_lr() is not last  # a new list every step, as torch makes
    assert _state(fast) == _state(reference)
    assert fast._fast_start > 4000  # the fast path took the steps, past a chunk boundary
    assert all(g["lr"] is v for g, v in zip(fast_opt.param_groups, fast._last_lr, strict=True))


def test_the_fast_path_calls_no_get_lr(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = K.CosineAnnealingLR.get_lr

    def counting(self: Any) -> Any:
        calls.append(self.last_epoch)
        return original(self)

    monkeypatch.setattr(K.CosineAnnealingLR, "get_lr", counting)
    optimizer = make_optimizer([0.1, 0.2])
    scheduler = K.CosineAnnealingLR(optimizer, T_max=100_000)
    for _ in range(10_000):
        optimizer.step()
        scheduler.step()
    assert calls == [0]  # the constructor's step (no previous row to check against)
    assert scheduler.last_epoch == 10_000 and scheduler._step_count == 10_001


def test_anything_unusual_takes_torchs_path() -> None:
    optimizer = make_optimizer([0.1, 0.2])
    scheduler = K.CosineAnnealingLR(optimizer, T_max=50)
    reference_opt = make_optimizer([0.1, 0.2])
    reference = T.CosineAnnealingLR(reference_opt, T_max=50)
    for step in range(40):
        if step == 10:  # someone else changes an lr: torch's recursion from it
            optimizer.param_groups[0]["lr"] = reference_opt.param_groups[0]["lr"] = 0.05
        if step == 20:  # a tensor lr is filled in place
            optimizer.param_groups[1]["lr"] = torch.tensor(0.2, dtype=torch.float64)
            reference_opt.param_groups[1]["lr"] = torch.tensor(0.2, dtype=torch.float64)
        for s, o in ((scheduler, optimizer), (reference, reference_opt)):
            o.step()
            s.step()
        ours = [float(g["lr"]) for g in optimizer.param_groups]
        theirs = [float(g["lr"]) for g in reference_opt.param_groups]
        assert ours == pytest.approx(theirs, rel=RTOL), f"step {step}: lrkit {ours}, torch {theirs}"
    assert isinstance(optimizer.param_groups[1]["lr"], torch.Tensor)


def test_a_subclass_that_overrides_the_step_machinery_takes_torchs_path() -> None:
    class Logged(K.CosineAnnealingLR):
        def get_lr(self) -> Any:
            return super().get_lr()

    class Renamed(K.CosineAnnealingLR):
        def _schedule(self, bases: list[float]) -> Any:
            return super()._schedule(bases)

    assert not Logged.fast_step and Renamed.fast_step
    assert not K.MultiplicativeLR.fast_step and not K.CosineAnnealingWarmRestarts.fast_step


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("owner", [T.OneCycleLR, K.OneCycleLR])
def test_one_cycle_lr_reads_a_legacy_state_that_names_the_anneal_function(
    strategy: str, owner: type
) -> None:
    def run(M: ModuleType, anneal: str, legacy: Any = None) -> list[float]:
        optimizer = make_optimizer([0.1, 0.2])
        scheduler = M.OneCycleLR(optimizer, max_lr=1.0, total_steps=20, anneal_strategy=anneal)
        if legacy is not None:  # a state written by torch < 2.1: the function, not its name
            state = scheduler.state_dict()
            del state["_anneal_func_type"]
            scheduler.load_state_dict({**state, "anneal_func": legacy})
            del scheduler.__dict__["_anneal_func_type"]
        seen = []
        for _ in range(15):
            optimizer.step()
            scheduler.step()
            seen += scheduler.get_last_lr()
        return seen

    other = "cos" if strategy == "linear" else "linear"
    legacy = getattr(owner, f"_annealing_{strategy}")
    ours, theirs = run(K, other, legacy), run(T, strategy)
    assert ours == pytest.approx(theirs, rel=RTOL), f"lrkit {ours}, torch {theirs}"
    with pytest.raises(ValueError, match=r"annealing .* is not 'cos' or 'linear'"):
        run(K, other, lambda start, end, pct: start)


def _one_cycle_trace(
    M: ModuleType, *, built_with: str, legacy: str | None, drop_own: bool, resume_at: int
) -> list[float]:
    """lrs and momenta of two groups before each step of a whole OneCycleLR run, where after
    ``resume_at`` steps the scheduler is rebuilt with
    ``built_with`` and given the state of the first one as torch < 2.1 wrote it: no
    ``_anneal_func_type``, ``anneal_func`` = ``M.OneCycleLR._annealing_<legacy>``. With
    ``drop_own``, the rebuilt scheduler's own ``_anneal_func_type`` is deleted too (as torch's
    test_onecycle_lr_legacy_state_dict does), so only the state names the annealing."""
    total = 12
    optimizer = make_optimizer([0.1, 0.2])

    def build() -> Any:
        return M.OneCycleLR(
            optimizer, max_lr=[1.0, 3.0], total_steps=total, anneal_strategy=built_with
        )

    scheduler = build()
    seen = []
    for step in range(total):
        if step == resume_at:
            state = scheduler.state_dict()
            if legacy is not None:
                state.pop("_anneal_func_type", None)
                state["anneal_func"] = getattr(M.OneCycleLR, f"_annealing_{legacy}")
            scheduler = build()
            if drop_own:
                delattr(scheduler, "_anneal_func_type")
            scheduler.load_state_dict(state)
        seen += _snapshot(optimizer, "momentum")
        optimizer.step()
        scheduler.step()
    return seen


@pytest.mark.parametrize("resume_at", [0, 5])
@pytest.mark.parametrize("built_with", ["cos", "linear"])
@pytest.mark.parametrize("legacy", ["cos", "linear"])
@pytest.mark.parametrize("drop_own", [True, False])
def test_one_cycle_lr_loads_a_legacy_state_as_torch_does(
    resume_at: int, built_with: str, legacy: str, drop_own: bool
) -> None:
    """The same legacy state loaded into torch's OneCycleLR and into lrkit's gives the same lrs
    and momenta at every following step: the function the state names when the scheduler has no
    ``_anneal_func_type`` of its own, the scheduler's own strategy when it has one (torch's
    precedence). torch's ``OneCycleLR._annealing_cos`` and lrkit's are both understood."""
    kwargs = {"built_with": built_with, "legacy": legacy, "drop_own": drop_own}
    ours = _one_cycle_trace(K, resume_at=resume_at, **kwargs)  # type: ignore[arg-type]
    theirs = _one_cycle_trace(T, resume_at=resume_at, **kwargs)  # type: ignore[arg-type]
    assert ours == pytest.approx(theirs, rel=RTOL), f"lrkit {ours}, torch {theirs}"
    plain = _one_cycle_trace(T, built_with=built_with, legacy=None, drop_own=False, resume_at=99)
    followed = legacy if drop_own else built_with
    if followed != built_with:
        assert theirs != pytest.approx(plain, rel=RTOL), "the case does not tell the two apart"


@pytest.mark.parametrize(
    "lr_lambda",
    [0.95, [0.95, 0.9], [lambda epoch: 0.9, 0.95], (0.5, "x")],
    ids=["number", "list", "function-then-number", "tuple"],
)
@pytest.mark.parametrize("name", ["MultiplicativeLR", "LambdaLR"])
def test_a_lr_lambda_that_is_no_function_raises_torchs_type_error(
    name: str, lr_lambda: Any
) -> None:
    """torch's MultiplicativeLR refuses a number (or a list holding one) with a TypeError
    whose text torch's own tests match; lrkit's says the same words and adds the value. torch's
    LambdaLR accepts it and fails at its first step; lrkit's refuses it at construction, alike."""
    with pytest.raises(TypeError) as torchs:
        T.MultiplicativeLR(make_optimizer([0.1, 0.2]), lr_lambda)
    with pytest.raises(TypeError) as ours:
        getattr(K, name)(make_optimizer([0.1, 0.2]), lr_lambda)
    assert str(torchs.value) in str(ours.value), f"torch: {torchs.value}; lrkit: {ours.value}"
    values = lr_lambda if isinstance(lr_lambda, (list, tuple)) else [lr_lambda]
    first_bad = next(v for v in values if not callable(v))
    assert repr(first_bad) in str(ours.value), f"lrkit: {ours.value}"


# -- the row cache ------------------------------------------------------------------------------


def test_one_row_cache_in_the_chunked_table_serves_every_reader() -> None:
    import lrkit

    table = ChunkedTable(lrkit.cosine(start=1.0, end=0.0, length=50), base=[0.1, 0.2], rows=16)
    expected = lrkit.cosine(start=1.0, end=0.0, length=50).table(40, base=[0.1, 0.2]).tolist()
    assert [table.row_list(t) for t in range(40)] == expected
    assert table.row_list(39) is table.row_list(39)  # converted once per chunk
    assert table.row_list(3) == expected[3] and table.chunk_start == 3  # a new chunk from 3

    optimizer = make_optimizer([0.1, 0.02], "sgd")
    cyclic = K.CyclicLR(optimizer, 0.01, 0.1, step_size_up=3)
    for _ in range(5):
        optimizer.step()
        cyclic.step()
    row = cyclic._fast_rows.row_list(5)  # the one table: lrs, then momenta
    assert row is cyclic._fast_rows.row_list(5)  # no cache of the drop-in's own
    assert cyclic._closed(5) == row[:2] and cyclic._momentum_row(5) == row[2:]
    assert cyclic._rows is None  # no second table of the lrs
    decay = K.StepLR(optimizer, 2)
    assert decay._closed(1) is decay._rows.row_list(1)
