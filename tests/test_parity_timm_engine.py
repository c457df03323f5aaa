"""lrkit.parity.timm's engine node (csrc/timm_parity.hpp) against its Python reference (the
owners' ``_lr(t)``, lrkit.parity.timm): the same bits at every step, for random arguments of
every timm scheduler, at timm's float restarts of ``cycle_mul != 1`` (where its ``log`` lands
one cycle low) and far into the run; noise applied by a call-back on the noisy steps only.
(tests/test_parity_timm.py compares both with the real timm.)"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrkit
from lrkit import engine
from lrkit._native import core
from lrkit.parity import timm as T
from lrkit.units import MAX_STEPS
from requires import package

NAMES = ["cosine", "poly", "tanh", "step", "multistep", "wsd"]
rates = st.floats(0.05, 1.5)
small = st.floats(0.0, 1e-2)
counts = st.integers(1, 100) | st.integers(1, 10**7) | st.sampled_from([1, 2, 3, 7, MAX_STEPS])


@st.composite
def timm_arguments(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A timm scheduler's name and random (valid) arguments, noise left out."""
    name = draw(st.sampled_from(NAMES))
    warmup = draw(st.just(0) | st.integers(1, 60) | st.integers(1, 10**6))
    kw: dict[str, Any] = {
        "base_lr": draw(st.floats(1e-6, 10.0)),
        "warmup_t": warmup,
        "warmup_lr_init": draw(small),
    }
    if name in ("cosine", "poly", "tanh"):
        kw["t_initial"] = draw(counts)
        kw["lr_min"] = draw(small)
        kw["cycle_mul"] = draw(
            st.sampled_from([1.0, 1.0, 1.1, 1.2, 1.25, 1.5, 1.7, 2.0, 3.0, 10.0])
            | st.floats(1.0, 4.0)
        )
        kw["cycle_decay"] = draw(st.just(1.0) | rates)
        kw["cycle_limit"] = draw(st.integers(0, 6) | st.integers(0, MAX_STEPS))
        kw["warmup_prefix"] = draw(st.booleans())
        if name != "tanh":
            kw["k_decay"] = draw(st.just(1.0) | st.floats(0.25, 4.0))
        if name == "poly":
            kw["power"] = draw(st.floats(0.1, 4.0))
        if name == "tanh":
            lb = draw(st.floats(-10.0, 5.0))
            kw["lb"], kw["ub"] = lb, lb + draw(st.floats(0.01, 10.0))
    elif name == "step":
        kw["decay_t"] = draw(
            st.integers(1, 100) | st.floats(0.1, 100.0) | st.floats(1.0, 1e17) | st.just(2.0**53)
        )
        kw["decay_rate"] = draw(rates)
        kw["warmup_prefix"] = draw(st.booleans())
    elif name == "multistep":
        kw["decay_t"] = sorted(draw(st.sets(st.integers(1, 10**6) | st.integers(1, 300))))
        kw["decay_rate"] = draw(rates)
        kw["warmup_prefix"] = draw(st.booleans())
    else:
        t_initial = draw(counts)
        kw["t_initial"] = t_initial
        kw["decay_t"] = draw(st.integers(1, t_initial))
        kw["lr_min"] = draw(small)
        kw["stable_fn"] = draw(st.sampled_from(["constant", "rsqrt", "power"]))
        kw["stable_timescale"] = draw(st.none() | st.floats(0.5, 1e4))
        if kw["stable_fn"] != "constant" and warmup == 0 and kw["stable_timescale"] is None:
            kw["stable_timescale"] = 10.0
        kw["stable_power"] = draw(st.floats(0.1, 2.0))
        kw["decay_fn"] = draw(st.sampled_from(["linear", "1-sqrt", "cosine", "power", "exp"]))
        kw["decay_power"] = draw(st.floats(0.1, 4.0))
        kw["decay_ratio"] = draw(st.floats(0.01, 0.99))
    return name, kw


def _restarts(kw: dict[str, Any]) -> list[int]:
    """The steps about timm's float cycle starts ``t_initial * (mul**i - 1) / (mul - 1)`` (shifted
    by a warmup prefix), where its ``log`` may land one cycle low; and the warmup's end."""
    out = [kw["warmup_t"]]
    t_initial, mul = kw.get("t_initial"), kw.get("cycle_mul", 1.0)
    if t_initial is None:
        return out
    shift = kw["warmup_t"] if kw.get("warmup_prefix") else 0
    for i in range(1, 400):
        start = t_initial * (mul**i - 1) / (mul - 1) if mul != 1 else t_initial * i
        if start + shift > MAX_STEPS - 2:
            break
        out.append(round(start) + shift)
    return out


def _reference(curve: lrkit.Schedule, steps: range) -> np.ndarray:
    """The Python values; NaN where the reference raises (a ``**`` that overflows)."""
    out = []
    for t in steps:
        try:
            out.append(curve.value(t))
        except (OverflowError, ValueError):
            out.append(math.nan)
    return np.array(out, dtype=np.float64)


def _same_bits(got: np.ndarray, want: np.ndarray, where: str) -> None:
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan), where
    mismatch = got[~nan].view(np.uint64) != want[~nan].view(np.uint64)
    assert not mismatch.any(), (where, got[~nan][mismatch][:3], want[~nan][mismatch][:3])


@settings(deadline=None, max_examples=400)
@given(
    arguments=timm_arguments(),
    start=st.integers(0, 400) | st.integers(0, MAX_STEPS - 40) | st.just(MAX_STEPS - 39),
    at_restart=st.integers(0, 10**6),
    n=st.integers(1, 40),
)
def test_engine_is_the_reference_bit_for_bit(
    arguments: tuple[str, dict[str, Any]], start: int, at_restart: int, n: int
) -> None:
    name, kw = arguments
    schedule = getattr(T, name)(**kw)
    curve = schedule._composed()
    node = engine.node_of(schedule)
    assert isinstance(node, core.TimmCurve) and node.native
    restarts = _restarts(kw)
    for first in (start, max(0, restarts[at_restart % len(restarts)] - n // 2)):
        first = min(first, MAX_STEPS + 1 - n)
        steps = range(first, first + n)
        _same_bits(node.values(first, n), _reference(curve, steps), f"{schedule!r} from {first}")


@pytest.mark.parametrize("mul", [1.0, 1.5, 2.0])
@pytest.mark.parametrize("name", ["cosine", "poly", "tanh"])
def test_long_tables_are_the_reference_at_every_step(name: str, mul: float) -> None:
    """200,003 rows (split over the engine's threads and blocks): every step the reference's,
    cycles, restarts and the warmup included."""
    extra = {"k_decay": 1.5} if name != "tanh" else {"lb": -5.0, "ub": 4.0}
    s = getattr(T, name)(
        997, base_lr=0.1, lr_min=1e-5, cycle_mul=mul, cycle_decay=0.9, cycle_limit=40,
        warmup_t=50, warmup_lr_init=1e-4, **extra,
    )  # fmt: skip
    n = 200_003
    table = s.table(n)
    _same_bits(table, _reference(s._composed(), range(n)), repr(s))
    _same_bits(engine.node_of(s).values(0, n), table, "one fill")


def test_long_tables_of_step_multistep_wsd() -> None:
    n = 100_003
    for s in [
        T.step(7.5, base_lr=0.1, decay_rate=0.999, warmup_t=10),
        T.step(977, base_lr=0.1, decay_rate=0.9, warmup_t=10, warmup_prefix=False),
        T.multistep([1, 50, 4000, 90_000], base_lr=0.1, decay_rate=0.5, warmup_t=3),
        T.wsd(90_000, 30_000, base_lr=0.1, warmup_t=100, decay_fn="cosine", stable_fn="rsqrt"),
        T.wsd(90_000, 70_000, warmup_t=7, decay_fn="exp", stable_fn="power", stable_power=0.3),
    ]:
        _same_bits(s.table(n), _reference(s._composed(), range(n)), repr(s))


def test_with_noise_the_node_calls_back() -> None:
    """With ``noise_range_t`` the node has a Python child (timm's draws): not native, so its
    tables take one thread (tests/test_engine.py: native without noise)."""
    package("torch")
    for name, kw in [("cosine", {"t_initial": 10}), ("wsd", {"t_initial": 10, "decay_t": 4})]:
        noisy = engine.node_of(getattr(T, name)(**kw, noise_range_t=3.0))
        assert isinstance(noisy, core.TimmCurve) and not noisy.native, name


@pytest.mark.parametrize("noise_range_t", [(5.0, 50.0), 10.5, (7.5, 7.9), 0.0, (-3.0, 4.0)])
def test_noise_is_drawn_on_the_noisy_steps_only(
    noise_range_t: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The native curve times timm's draws on the noisy steps, bit for bit as the reference
    (``lr + lr * n``); the draws (torch's generator, in Python) are made for those steps only."""
    package("torch")
    s = T.cosine(40, base_lr=0.1, cycle_mul=2.0, cycle_limit=5, warmup_t=3,
                 noise_range_t=noise_range_t, noise_seed=3, noise_pct=0.3)  # fmt: skip
    n = 120
    want = _reference(s._composed(), range(n))
    drawn: list[int] = []
    draw = T.timm_noise

    def counted(t: int, *args: Any) -> float:
        drawn.append(t)
        return draw(t, *args)

    monkeypatch.setattr(T, "timm_noise", counted)
    _same_bits(s.table(n), want, repr(s))
    assert drawn == [t for t in range(n) if T.in_noise_range(s.noise_range_t, t)]
    drawn.clear()
    _same_bits(s.table(30, start=60), want[60:90], "from 60")
    assert all(60 <= t < 90 for t in drawn)
    if noise_range_t == (5.0, 50.0):
        assert drawn == []  # nothing noisy in 60 .. 89: no call-back at all


def test_noise_steps_are_in_noise_range() -> None:
    for noise_range_t in [None, 0.0, 10.5, -2.0, (5.0, 50.0), (7.5, 7.9), (9.0, 2.0), (-5.0, 3.5)]:
        start, end = T.noise_steps(noise_range_t)
        for t in range(0, 80):
            assert (start <= t < end) == T.in_noise_range(noise_range_t, t), (noise_range_t, t)
    assert T.noise_steps(3.0)[1] == MAX_STEPS + 1


def test_a_hand_built_node_refuses_what_would_crash() -> None:
    """lrkit._core.TimmCurve checks its own invariants (a zero divisor, unsorted milestones)."""
    args: dict[str, Any] = dict(
        kind=core.TimmKind.cosine, base_lr=1.0, warmup_t=0, warmup_lr_init=0.0,
        warmup_prefix=False, t_initial=10, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
        cycle_limit=1, k_decay=1.0, power=1.0, lb=-7.0, ub=3.0, decay_t=1.0, decay_rate=1.0,
        milestones=[], stable_fn=core.TimmStable.constant, stable_timescale=1.0,
        stable_power=0.5, decay_fn=core.TimmDecay.linear, decay_power=0.5, decay_ratio=0.1,
        noise=None, noise_start=0, noise_end=0,
    )  # fmt: skip
    assert core.TimmCurve(**args).values(0, 3).tolist()[0] == 1.0
    for bad in [
        {"t_initial": 0},
        {"warmup_t": -1},
        {"cycle_mul": 0.5},
        {"milestones": [5, 2]},
        {"kind": core.TimmKind.step, "decay_t": 0.0},
        {"kind": core.TimmKind.wsd, "decay_t": 11.0},
        {"noise_start": 5, "noise_end": 2},
    ]:
        with pytest.raises(ValueError, match="TimmCurve"):
            core.TimmCurve(**{**args, **bad})


def test_a_subclass_of_a_timm_schedule_keeps_its_own_formula() -> None:
    """A subclass may change the formulas the node knows: its table is its Python reference."""

    class Halved(T.Cosine):
        def _shape(self, lr_max: float, t_curr: float, t_i: float) -> float:
            return 0.5 * super()._shape(lr_max, t_curr, t_i)

    s = Halved(t_initial=10)
    assert not engine.node_of(s).native
    assert s.table(12).tolist() == [0.5 * T.cosine(10)(t) for t in range(12)]
