"""Warmup ramp shapes, wsd's warmup/stable/decay shapes and warmup_cosine: closed-form values,
the engine equal to the reference bit for bit in every chunking, old configs unchanged."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrkit
from contract import assert_within_contract
from lrkit.combinators import WARMUP_SHAPES


def _ramp(shape: str, a: float, b: float, t: int, length: int, k: float = 1.0) -> float:
    """The documented ramp formulas, written from the docstrings."""
    p = t / length
    return {
        "linear": lambda: a + (b - a) * p,
        "cosine": lambda: a + (b - a) * 0.5 * (1 - math.cos(math.pi * p)),
        "1-sqrt": lambda: a + (b - a) * (1 - math.sqrt(1 - p)),
        "sqrt": lambda: a + (b - a) * math.sqrt(p),
        "power": lambda: a + (b - a) * p**k,
        "exponential": lambda: a * (b / a) ** p,
    }[shape]()


@pytest.mark.parametrize("shape", WARMUP_SHAPES)
@pytest.mark.parametrize("mode", ["prefix", "overlay"])
def test_warmup_shapes_follow_their_formulas_in_both_modes(shape: str, mode: str) -> None:
    child = lrkit.linear(start=2.0, end=0.5, length=20)
    s = lrkit.warmup(child, length=8, start=0.25, mode=mode, shape=shape, exponent=3.0)  # type: ignore[arg-type]
    table = s.table(40)
    for t in range(8):
        assert table[t] == pytest.approx(_ramp(shape, 0.25, 2.0, t, 8, 3.0), rel=1e-15)
    for t in range(8, 40):
        assert table[t] == child(t - 8 if mode == "prefix" else t)
    assert np.array_equal(table, [s(t) for t in range(40)])


def test_hf_wsd_warmup_ramps_are_lrkit_shapes() -> None:
    """HF's get_wsd_schedule warmup types cosine and 1-sqrt are warmup shapes (0 -> 1)."""
    for t in range(10):
        p = t / 10
        cos = lrkit.warmup(lrkit.constant(1.0), length=10, shape="cosine")(t)
        assert cos == pytest.approx(0.5 * (1.0 - math.cos(math.pi * p)), rel=1e-15, abs=1e-17)
        sqrt = lrkit.warmup(lrkit.constant(1.0), length=10, shape="1-sqrt")(t)
        assert sqrt == pytest.approx(1.0 - math.sqrt(1.0 - p), rel=1e-15, abs=1e-17)


@settings(max_examples=60, deadline=None)
@given(
    shape=st.sampled_from(WARMUP_SHAPES),
    start=st.floats(0.01, 5.0),
    target=st.floats(0.01, 5.0),
    length=st.integers(1, 3000),
    exponent=st.floats(0.1, 5.0),
    chunk=st.integers(1, 700),
)
def test_warmup_shapes_engine_is_the_reference_in_any_chunking(
    shape: str, start: float, target: float, length: int, exponent: float, chunk: int
) -> None:
    s = lrkit.warmup(
        lrkit.constant(target),
        length=length,
        start=start,
        shape=shape,  # type: ignore[arg-type]
        exponent=exponent,
    )
    n = length + 5
    whole = s.table(n)
    assert np.array_equal(whole, [s(t) for t in range(n)])
    pieces = np.concatenate([s.table(min(chunk, n - i), start=i) for i in range(0, n, chunk)])
    assert np.array_equal(whole, pieces)
    lo, hi = min(start, target), max(start, target)
    assert ((whole >= lo * (1 - 1e-15)) & (whole <= hi * (1 + 1e-15))).all()


@settings(max_examples=40, deadline=None)
@given(start=st.floats(-3.0, 3.0), length=st.integers(1, 500))
def test_linear_warmup_is_bit_identical_to_its_formula(start: float, length: int) -> None:
    s = lrkit.warmup(lrkit.cosine(start=1.5, end=0.0, length=50), length=length, start=start)
    expected = [start + (1.5 - start) * t / length for t in range(length)]
    assert s.table(length).tolist() == expected
    config = {"name": "warmup", "schedule": {"name": "constant", "value": 1.5}, "length": length}
    old = lrkit.create({**config, "start": start})
    assert old.table(length).tolist() == expected


def test_exponential_warmup_needs_endpoints_of_one_sign() -> None:
    with pytest.raises(ValueError, match="shape='exponential' needs start and schedule"):
        lrkit.warmup(lrkit.constant(1.0), length=4, shape="exponential")
    with pytest.raises(ValueError, match="shape='exponential'"):
        lrkit.warmup(lrkit.constant(-1.0), length=4, start=0.1, shape="exponential")
    with pytest.raises(ValueError, match="warmup: shape must be one of"):
        lrkit.warmup(lrkit.constant(1.0), length=4, shape="quadratic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="warmup: exponent"):
        lrkit.warmup(lrkit.constant(1.0), length=4, shape="power", exponent=0.0)


# -- wsd ---------------------------------------------------------------------------------------


def _wsd_reference(
    t: int, peak: float, warm: int, decay: int, total: int, end: float, decay_shape: str,
    warmup_shape: str = "linear", stable: str = "constant", timescale: int = 0, k: float = 2.0,
) -> float:  # fmt: skip
    """wsd from its docstring, written independently of the composition."""
    if t < warm:
        return _ramp(warmup_shape, 0.0, peak, t, warm)
    u = t - warm
    stable_steps = total - warm - decay

    def stable_at(x: int) -> float:
        return peak if stable == "constant" else peak / math.sqrt(1 + x / timescale)

    if u < stable_steps:
        return stable_at(u)
    s = stable_at(stable_steps)
    if u >= stable_steps + decay:
        return end
    p = (u - stable_steps) / decay
    return {
        "linear": lambda: s + (end - s) * p,
        "cosine": lambda: end + (s - end) * (1 + math.cos(math.pi * p)) / 2,
        "square": lambda: end + (s - end) * (1 - p) ** 2,
        "1-sqrt": lambda: end + (s - end) * (1 - math.sqrt(p)),
        "power": lambda: end + (s - end) * (1 - p**k),
        "exp": lambda: s * (end / s) ** p,
    }[decay_shape]()


@pytest.mark.parametrize("decay_shape", lrkit.cycles.WSD_DECAY_SHAPES)
@pytest.mark.parametrize("warmup_shape", lrkit.cycles.WSD_WARMUP_SHAPES)
@pytest.mark.parametrize("stable", ["constant", "rsqrt"])
def test_wsd_shapes_follow_their_formulas(decay_shape: str, warmup_shape: str, stable: str) -> None:
    args = {"peak": 2.0, "warmup_length": 10, "decay_length": 25, "total": 60, "end": 0.02}
    s = lrkit.wsd(
        **args,  # type: ignore[arg-type]
        decay_shape=decay_shape,  # type: ignore[arg-type]
        warmup_shape=warmup_shape,  # type: ignore[arg-type]
        stable=stable,  # type: ignore[arg-type]
        stable_timescale=7,
        decay_exponent=1.5,
    )
    table = s.table(70)
    expected = [
        _wsd_reference(t, 2.0, 10, 25, 60, 0.02, decay_shape, warmup_shape, stable, 7, 1.5)
        for t in range(70)
    ]
    np.testing.assert_allclose(table, expected, rtol=1e-14, atol=1e-16)
    assert_within_contract(s, table, np.array([s(t) for t in range(70)]))
    assert table[60] == table[69] == 0.02


def test_wsd_rsqrt_timescale_defaults_to_the_warmup_and_takes_fractions() -> None:
    s = lrkit.wsd(peak=1.0, warmup_length=4, decay_length=4, total=20, stable="rsqrt")
    assert s(4 + 9) == pytest.approx(1 / math.sqrt(1 + 9 / 4), rel=1e-15)
    f = lrkit.wsd(
        peak=1.0,
        warmup_length=lrkit.fraction(0.2),
        decay_length=lrkit.fraction(0.2),
        total=lrkit.fraction(1.0),
        stable="rsqrt",
        stable_timescale=lrkit.fraction(0.1),
    )
    r = f.resolve(total_steps=20)
    assert r == lrkit.wsd(
        peak=1.0, warmup_length=4, decay_length=4, total=20, stable="rsqrt", stable_timescale=2
    )
    assert (
        lrkit.create(f.to_config()).resolve(total_steps=20).table(25).tolist()
        == r.table(25).tolist()
    )
    with pytest.raises(ValueError, match="stable='rsqrt' needs stable_timescale"):
        lrkit.wsd(peak=1.0, warmup_length=0, decay_length=4, total=20, stable="rsqrt")
    zero = lrkit.wsd(
        peak=1.0, warmup_length=lrkit.fraction(0.01), decay_length=4, total=20, stable="rsqrt"
    )
    with pytest.raises(ValueError, match="stable='rsqrt' needs stable_timescale"):
        zero.resolve(total_steps=20)  # a warmup of round(0.2) = 0 steps
    with pytest.raises(ValueError, match="decay_shape='exp' needs end"):
        lrkit.wsd(peak=1.0, warmup_length=2, decay_length=4, total=20, decay_shape="exp")


@pytest.mark.parametrize("decay_shape", ["linear", "cosine", "square"])
def test_old_wsd_configs_load_and_give_the_same_values(decay_shape: str) -> None:
    old = {
        "name": "wsd",
        "peak": 0.3,
        "warmup_length": 7,
        "decay_length": 30,
        "total": 100,
        "end": 0.001,
        "decay_shape": decay_shape,
    }
    shape = {"linear": lrkit.linear, "cosine": lrkit.cosine}.get(decay_shape)
    decay = (
        shape(start=0.3, end=0.001, length=30)
        if shape
        else lrkit.polynomial(start=0.3, end=0.001, length=30, power=2.0)
    )
    composed = lrkit.warmup(lrkit.sequence([lrkit.constant(0.3), decay], boundaries=[63]), length=7)
    assert lrkit.create(old).table(120).tolist() == composed.table(120).tolist()


# -- warmup_cosine -----------------------------------------------------------------------------


def test_warmup_cosine_is_the_seed_schedule() -> None:
    s = lrkit.warmup_cosine(peak=0.1, warmup=10, total=110, floor=1e-4)
    for t in range(130):
        if t < 10:
            expected = 0.1 * t / 10
        elif t < 110:
            expected = 1e-4 + (0.1 - 1e-4) * (1 + math.cos(math.pi * (t - 10) / 100)) / 2
        else:
            expected = 1e-4
        assert s(t) == pytest.approx(expected, rel=1e-14, abs=1e-18)
    ratio = lrkit.warmup_cosine(peak=0.1, warmup=10, total=110, floor_ratio=1e-3)
    assert ratio.table(130).tolist() == s.table(130).tolist()
    assert lrkit.create(s.to_config()) == s
    assert lrkit.warmup_cosine(peak=2.0, warmup=0, total=4)(2) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="give floor or floor_ratio, not both"):
        lrkit.warmup_cosine(peak=0.1, warmup=1, total=10, floor=0.0, floor_ratio=0.1)
    with pytest.raises(ValueError, match="warmup must be < total"):
        lrkit.warmup_cosine(peak=0.1, warmup=10, total=10)
    resolved = lrkit.warmup_cosine(
        peak=1.0, warmup=lrkit.fraction(0.1), total=lrkit.fraction(1.0)
    ).resolve(total_steps=50)
    assert resolved == lrkit.warmup_cosine(peak=1.0, warmup=5, total=50)
