"""Bad arguments fail at construction with errors naming the argument and the value."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrkit

BAD_NUMBERS = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize(
    ("build", "error", "pattern"),
    [
        (lambda: lrkit.linear(start=1.0, end=0.0, length=0), ValueError, "length.*>= 1.*0"),
        (lambda: lrkit.cosine(start=1.0, end=0.0, length=-5), ValueError, "length.*-5"),
        (lambda: lrkit.cosine(start=1.0, end=0.0, length=2.5), TypeError, "length.*2.5"),
        (lambda: lrkit.cosine(start=1.0, end=0.0, length=True), TypeError, "length.*True"),
        (lambda: lrkit.exponential(start=1.0, gamma=0.0), ValueError, "gamma.*> 0.*0.0"),
        (lambda: lrkit.step(start=1.0, gamma=-0.5, every=3), ValueError, "gamma.*-0.5"),
        (lambda: lrkit.step(start=1.0, gamma=0.5, every=0), ValueError, "every.*0"),
        (
            lambda: lrkit.multistep(start=1.0, gamma=0.5, milestones=[5, 3]),
            ValueError,
            r"milestones.*strictly increasing.*\[5, 3\]",
        ),
        (
            lambda: lrkit.multistep(start=1.0, gamma=0.5, milestones=[3, 3]),
            ValueError,
            "milestones.*duplicates",
        ),
        (lambda: lrkit.multistep(start=1.0, gamma=0.5, milestones=[-1]), ValueError, "-1"),
        (lambda: lrkit.multistep(start=1.0, gamma=0.5, milestones=7), TypeError, "milestones"),
        (lambda: lrkit.polynomial(start=1.0, end=0.0, length=5, power=0), ValueError, "power"),
        (lambda: lrkit.inverse_sqrt(start=1.0, timescale=0), ValueError, "timescale"),
        (lambda: lrkit.piecewise_linear([]), ValueError, "knots"),
        (lambda: lrkit.piecewise_linear([(0, 1.0), (0, 2.0)]), ValueError, "increasing"),
        (lambda: lrkit.piecewise_linear([(0, 1.0, 2.0)]), TypeError, r"knots\[0\]"),
        (lambda: lrkit.piecewise_constant([5], [1.0]), ValueError, "len\\(boundaries\\) \\+ 1"),
        (lambda: lrkit.warmup(lrkit.constant(), length=0), ValueError, "warmup: length"),
        (lambda: lrkit.warmup(0.1, length=3), TypeError, "schedule must be a lrkit.Schedule"),
        (
            lambda: lrkit.sequence([lrkit.constant(), lrkit.constant()], boundaries=[]),
            ValueError,
            "boundaries needs",
        ),
        (
            lambda: lrkit.sequence([lrkit.constant(), lrkit.constant()], boundaries=[0]),
            ValueError,
            "boundaries must be > 0",
        ),
        (lambda: lrkit.product(), ValueError, "at least 1"),
        (lambda: lrkit.clip(lrkit.constant(), low=2.0, high=1.0), ValueError, "low.*high"),
        (lambda: lrkit.clip(lrkit.constant()), ValueError, "neither"),
        (lambda: lrkit.repeat(lrkit.constant(), period=0), ValueError, "period"),
        (lambda: lrkit.epochs(-1), ValueError, "epochs.*-1"),
        (lambda: lrkit.fraction(math.nan), ValueError, "fraction.*nan"),
        (lambda: lrkit.cosine(start=1.0, end=0.0, length=lrkit.epochs(0)), ValueError, "> 0"),
        (
            lambda: lrkit.linear(start=-1e308, end=1e308, length=4),
            ValueError,
            r"linear: end - start must be finite, got start=-1e\+308 and end=1e\+308",
        ),
        (lambda: lrkit.cosine(start=1e308, end=-1e308, length=4), ValueError, "end - start"),
        (lambda: lrkit.polynomial(start=1e308, end=-1e308, length=4), ValueError, "end - start"),
        (lambda: lrkit.cyclic(low=-1e308, high=1e308, up=4), ValueError, "high - low"),
        (
            lambda: lrkit.cosine_restarts(start=1e308, end=-1e308, period=4),
            ValueError,
            "start - end",
        ),
        (lambda: lrkit.constant(True), TypeError, "value must be a real number, got True"),
        (lambda: lrkit.step(start=1.0, gamma=0.5, every=np.bool_(True)), TypeError, "every"),
    ],
)
def test_invalid_arguments_raise_naming_argument_and_value(
    build: object, error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        build()  # type: ignore[operator]


@given(bad=st.sampled_from(BAD_NUMBERS), which=st.sampled_from(["start", "end"]))
def test_non_finite_numbers_are_rejected(bad: float, which: str) -> None:
    kwargs = {"start": 1.0, "end": 0.0, "length": 10, which: bad}
    for factory in (lrkit.linear, lrkit.cosine, lrkit.polynomial):
        with pytest.raises(ValueError, match=f"{which} must be finite, got {bad}"):
            factory(**kwargs)


def test_unresolved_durations_say_what_they_need() -> None:
    s = lrkit.warmup(lrkit.cosine(start=1.0, end=0.0, length=lrkit.fraction(0.9)), length=10)
    with pytest.raises(lrkit.UnresolvedDurationError, match=r"cosine\(length=...\).*total_steps"):
        s(20)
    with pytest.raises(lrkit.UnresolvedDurationError, match="total_steps"):
        s.table(5)
    e = lrkit.multistep(start=1.0, gamma=0.5, milestones=[lrkit.epochs(3)])
    with pytest.raises(lrkit.UnresolvedDurationError, match="steps_per_epoch"):
        e.table(5)
    with pytest.raises(lrkit.UnresolvedDurationError, match="steps_per_epoch"):
        e.resolve(total_steps=10)
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive int, got 0"):
        e.resolve(steps_per_epoch=0)


def test_resolution_that_breaks_ordering_is_an_error() -> None:
    s = lrkit.multistep(start=1.0, gamma=0.5, milestones=[lrkit.epochs(2), 150])
    assert s.resolve(steps_per_epoch=10).table(200)[149] == 0.5
    with pytest.raises(ValueError, match="strictly increasing"):
        s.resolve(steps_per_epoch=100)


def test_bad_steps_and_table_arguments() -> None:
    s = lrkit.constant(1.0)
    with pytest.raises(ValueError, match="step must be >= 0, got -1"):
        s(-1)
    with pytest.raises(TypeError, match=r"step must be an int, got 1\.5"):
        s(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be >= 0, got -3"):
        s.table(-3)
    with pytest.raises(ValueError, match="start must be >= 0"):
        s.table(3, start=-1)
    with pytest.raises(ValueError, match="base must be finite"):
        s.table(3, base=[1.0, math.nan])
    with pytest.raises(ValueError, match="base must be a non-empty 1-d"):
        s.table(3, base=[[1.0]])
    with pytest.raises(TypeError, match="base must be a sequence of numbers"):
        s.table(3, base=["a"])
    with pytest.raises(ValueError, match=r"base has 3 values but the per_group schedule has 2"):
        lrkit.per_group([s, s]).table(3, base=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"out must be a numpy array of shape \(3,\)"):
        s.table(3, out=np.empty(4))
    with pytest.raises(TypeError, match="out must have dtype float64, got float32"):
        s.table(3, out=np.empty(3, dtype=np.float32))
    with pytest.raises(ValueError, match="out must be C-contiguous"):
        s.table(3, out=np.empty(6)[::2])


def test_nothing_non_finite_comes_out() -> None:
    growth = lrkit.exponential(start=1.0, gamma=10.0)
    assert growth(300) == 1e300
    with pytest.raises(lrkit.NonFiniteValueError, match="step 400"):
        growth(400)
    with pytest.raises(lrkit.NonFiniteValueError, match="inf at step 309"):
        growth.table(1000)
    with pytest.raises(lrkit.NonFiniteValueError, match="inf at step 308, group 1"):  # 2e308
        growth.table(1000, base=[1.0, 2.0])
    with pytest.raises(lrkit.NonFiniteValueError, match="nan at step 309, group 0"):
        growth.table(1000, base=[0.0, 1.0])  # 0 * inf
    clipped = lrkit.clip(growth, high=5.0)  # clip must not hide the overflow of its child
    with pytest.raises(lrkit.NonFiniteValueError, match="overflows at step 400"):
        clipped(400)
    with pytest.raises(lrkit.NonFiniteValueError, match="inf at step 309"):
        clipped.table(1000)
    assert clipped.table(309)[-1] == 5.0


# -- every invalid argument, drawn: the error names the argument and shows the value -----------

_VALID: dict[str, dict[str, object]] = {
    "linear": {"start": 1.0, "end": 0.0, "length": 10},
    "cosine": {"start": 1.0, "end": 0.0, "length": 10},
    "polynomial": {"start": 1.0, "end": 0.0, "length": 10, "power": 2.0},
    "exponential": {"start": 1.0, "gamma": 0.5},
    "step": {"start": 1.0, "gamma": 0.5, "every": 3},
    "multistep": {"start": 1.0, "gamma": 0.5, "milestones": [2, 5]},
    "inverse_sqrt": {"start": 1.0, "timescale": 10},
    "cosine_restarts": {"start": 1.0, "end": 0.0, "period": 5, "decay": 0.5},
    "cyclic": {"low": 0.1, "high": 1.0, "up": 3},
    "warmup": {"schedule": lrkit.constant(1.0), "length": 5, "start": 0.0},
    "repeat": {"schedule": lrkit.constant(1.0), "period": 4},
    "scale": {"schedule": lrkit.constant(1.0), "factor": 2.0},
}
_REALS = {"start", "end", "low", "high", "factor"}
_POSITIVE = {"gamma", "power", "decay"}
_LENGTHS = {"length", "every", "timescale", "period", "up"}

non_finite = st.sampled_from(BAD_NUMBERS)
not_numbers = st.sampled_from([True, False, "1", None, [1.0], np.bool_(True)])
bad_lengths = (
    st.integers(max_value=0)
    | st.integers(min_value=2**53 + 1)
    | st.floats(allow_nan=True).filter(lambda x: x != int(x) if math.isfinite(x) else True)
    # not 3.0: an integral float is a step count (lrkit._checks.whole)
    | st.sampled_from([True, "five", "5 steps", "-5", "1.5", None, 3.5, np.float64(4.5)])
)
bad_milestone_lists = st.one_of(
    st.lists(st.integers(0, 100), min_size=2, max_size=5).filter(
        lambda m: any(a >= b for a, b in itertools.pairwise(m))
    ),
    st.integers(max_value=-1).map(lambda m: [m]),
    st.sampled_from([[1.5], [True], ["3x"], 7, "57"]),
)


@st.composite
def invalid_calls(draw: st.DrawFn) -> tuple[str, dict[str, object], str, object]:
    """``(factory, kwargs, argument, bad value)`` with exactly one invalid argument."""
    name = draw(st.sampled_from(sorted(_VALID)))
    kwargs = dict(_VALID[name])
    argument = draw(st.sampled_from(sorted(k for k in kwargs if k != "schedule")))
    if argument in _REALS:
        bad = draw(non_finite | not_numbers)
    elif argument in _POSITIVE:
        bad = draw(non_finite | not_numbers | st.floats(max_value=0.0) | st.integers(max_value=0))
    elif argument in _LENGTHS:
        bad = draw(bad_lengths)
    else:
        bad = draw(bad_milestone_lists)
    kwargs[argument] = bad
    return name, kwargs, argument, bad


@given(call=invalid_calls())
def test_every_invalid_argument_is_refused_naming_it_and_its_value(
    call: tuple[str, dict[str, object], str, object],
) -> None:
    name, kwargs, argument, bad = call
    with pytest.raises((ValueError, TypeError)) as info:
        getattr(lrkit, name)(**kwargs)
    message = str(info.value)
    assert message.startswith(f"{name}: {argument}"), message
    shown = bad[0] if isinstance(bad, list) and len(bad) == 1 else bad
    assert repr(shown) in message, message


def test_an_integral_float_is_a_step_count_and_a_fractional_one_is_refused() -> None:
    # lrkit's one rule for integral floats (lrkit._checks.whole), in Python as in configs.
    whole = lrkit.cosine(start=1.0, end=0.0, length=100.0)  # type: ignore[arg-type]
    assert whole == lrkit.cosine(start=1.0, end=0.0, length=100)
    assert type(whole.length) is int
    with pytest.raises(TypeError, match=r"an int number of steps.*got 100\.5$"):
        lrkit.cosine(start=1.0, end=0.0, length=100.5)  # type: ignore[arg-type]
