"""Errors name the argument (and its path in a config), for out-of-range ints, bad durations,
strings where flags or numbers belong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import lrkit
from lrkit.torch import Scheduler

BIG = 10**400


def sgd() -> torch.optim.SGD:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: lrkit.constant(BIG), r"constant: value must be finite, got an int of 401 digits"),
        (lambda: lrkit.cosine(BIG, 0.0, 5), "cosine: start must be finite"),
        (lambda: lrkit.epochs(BIG), r"epochs\(\) takes a finite number >= 0, got an int of 401"),
        (lambda: lrkit.fraction(BIG), r"fraction\(\) takes a finite number"),
        (
            lambda: lrkit.cosine(1.0, 0.0, lrkit.epochs(2)).resolve(steps_per_epoch=BIG),
            "steps_per_epoch must be <= 2[*][*]53",
        ),
        (
            lambda: lrkit.cosine(1.0, 0.0, lrkit.fraction(0.5)).resolve(total_steps=BIG),
            "total_steps must be <= 2[*][*]53",
        ),
        (lambda: lrkit.constant(1.0).table(2, base=[BIG]), "base must be finite"),
        (
            lambda: lrkit.create(
                {"name": "cosine", "start": 1.0, "end": 0.0, "length": {"epochs": BIG}}
            ),
            r"cosine\(length=...\): epochs\(\) takes a finite number >= 0, got an int of 401",
        ),
        (
            lambda: lrkit.create(
                {
                    "name": "warmup",
                    "schedule": {"name": "cosine", "start": 1, "end": 0, "length": {"epochs": -1}},
                    "length": 3,
                }
            ),
            r"warmup\(schedule=...\)\.cosine\(length=...\): epochs\(\) takes a finite "
            "number >= 0, got -1",
        ),
        (
            lambda: lrkit.create(
                {
                    "name": "sequence",
                    "schedules": [{"name": "constant", "value": 1.0}],
                    "boundaries": [{"fraction": "x"}],
                }
            ),
            r"sequence\(boundaries=...\)\[0\]: fraction\(\) takes a number",
        ),
    ],
)
def test_overflowing_and_bad_numbers_name_the_argument(make: Callable[[], Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match) as info:
        make()
    assert not isinstance(info.value, OverflowError)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"relative": "false"}, "relative must be True or False"),
        ({"tensor_lr": "False"}, "tensor_lr must be True or False"),
        ({"relative": 1}, "relative must be True or False"),
    ],
)
def test_flags_must_be_bools(kwargs: dict[str, Any], match: str) -> None:
    optimizer = sgd()
    with pytest.raises(TypeError, match=match):
        Scheduler(optimizer, lrkit.constant(0.5), **kwargs)
    assert optimizer.param_groups[0]["lr"] == 1.0


def test_numpy_ints_and_bools_are_accepted() -> None:
    optimizer = sgd()
    optimizer.param_groups[0]["initial_lr"] = 1.0
    scheduler = Scheduler(
        optimizer, lrkit.constant(0.5), last_step=np.int64(3), relative=np.bool_(True)
    )
    assert scheduler.last_epoch == 4 and type(scheduler.last_epoch) is int
    assert optimizer.param_groups[0]["lr"] == 0.5


class Failing(lrkit.Schedule):
    """Raises ZeroDivisionError at step 7 (value) or returns ``result`` from values()."""

    def __init__(self, result: Any = "loop") -> None:
        self.result = result

    def value(self, step: int) -> float:
        return 1.0 / (7 - step)

    def values(self, steps: Any) -> Any:
        if isinstance(self.result, str):
            return super().values(steps)
        return self.result


def test_an_exception_from_value_names_the_step() -> None:
    for evaluate in (lambda s: s(7), lambda s: s.table(10), lambda s: s.table(3, start=6)):
        with pytest.raises(ZeroDivisionError) as info:
            evaluate(Failing())
        assert "lrkit: raised by Failing.value at step 7" in info.value.__notes__


@pytest.mark.parametrize("result", [None, 0.5, np.float64(0.5)], ids=repr)
@pytest.mark.parametrize("n", [1, 2, 5000])
def test_values_returning_a_scalar_or_none_is_refused_for_any_block(result: Any, n: int) -> None:
    with pytest.raises(TypeError, match="values must return a 1-d array"):
        Failing(result).table(n)
