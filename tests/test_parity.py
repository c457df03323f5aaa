"""lrkit.parity against the libraries' own published values (HF's and optax's test tables,
timm's computed curves; see shared/reference/peers.md section c)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrkit.parity import hf, optax, timm
from lrkit.parity import torch as torch_parity


def values(schedule, n: int, scale: float = 1.0) -> list[float]:  # type: ignore[no-untyped-def]
    table = schedule.table(n) * scale
    assert table.tolist() == pytest.approx([scale * schedule(t) for t in range(n)], rel=1e-15)
    return table.tolist()  # type: ignore[no-any-return]


# HF's test harness: AdamW(lr=10), warmup 2, 10 training steps; values at t = 0..9, delta 1e-2.
HF_TABLE = [
    (hf.constant_schedule(), [10.0] * 10),
    (
        hf.constant_schedule_with_warmup(num_warmup_steps=4),
        [0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    ),
    (
        hf.linear_schedule_with_warmup(2, 10),
        [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25],
    ),
    (
        hf.cosine_schedule_with_warmup(2, 10),
        [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38],
    ),
    (
        hf.cosine_with_hard_restarts_schedule_with_warmup(2, 10, num_cycles=2),
        [0.0, 5.0, 10.0, 8.53, 5.0, 1.46, 10.0, 8.53, 5.0, 1.46],
    ),
    (
        hf.polynomial_decay_schedule_with_warmup(2, 10, lr_init=10.0, power=2.0, lr_end=1e-7),
        [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156],
    ),
    (
        hf.inverse_sqrt_schedule(num_warmup_steps=2),
        [0.0, 5.0, 10.0, 8.165, 7.071, 6.325, 5.774, 5.345, 5.0, 4.714],
    ),
]


@pytest.mark.parametrize(("schedule", "expected"), HF_TABLE)
def test_hf_published_table(schedule, expected: list[float]) -> None:  # type: ignore[no-untyped-def]
    assert values(schedule, 10, scale=10.0) == pytest.approx(expected, abs=1e-2)


def test_hf_cosine_closed_form_to_machine_precision() -> None:
    w, total = 100, 1000
    s = hf.cosine_schedule_with_warmup(w, total)
    for t in range(total):
        progress = (t - w) / (total - w)
        expected = t / w if t < w else 0.5 * (1.0 + math.cos(math.pi * progress))
        assert s(t) == pytest.approx(expected, rel=1e-13, abs=1e-16)


def test_hf_errors_name_the_argument() -> None:
    # HF accepts T <= W and restarts that do not divide T - W: so does lrkit.parity.hf
    assert hf.linear_schedule_with_warmup(10, 10).table(12).tolist()[10:] == [0.0, 0.0]
    assert hf.cosine_with_hard_restarts_schedule_with_warmup(2, 10, num_cycles=3)(2) == 1.0
    with pytest.raises(ValueError, match="lr_end"):
        hf.polynomial_decay_schedule_with_warmup(0, 10, lr_init=1e-3, lr_end=1e-2)


TIMM_TABLE = [
    (
        timm.cosine(10, lr_min=0.1),
        [1.0, 0.97798, 0.91406, 0.8145, 0.68906, 0.55, 0.41094, 0.2855, 0.18594, 0.12202, 0.1, 0.1],
    ),
    (
        timm.cosine(10, warmup_t=3, warmup_lr_init=0.1),
        [0.1, 0.4, 0.7, 0.79389, 0.65451, 0.5, 0.34549, 0.20611, 0.09549, 0.02447, 0.0, 0.0],
    ),
    (
        timm.cosine(10, warmup_t=3, warmup_lr_init=0.1, warmup_prefix=True),
        [
            0.1,
            0.4,
            0.7,
            1.0,
            0.97553,
            0.90451,
            0.79389,
            0.65451,
            0.5,
            0.34549,
            0.20611,
            0.09549,
            0.02447,
            0.0,
        ],
    ),
    (
        timm.cosine(4, cycle_limit=3, cycle_decay=0.5),
        [
            1.0,
            0.85355,
            0.5,
            0.14645,
            0.5,
            0.42678,
            0.25,
            0.07322,
            0.25,
            0.21339,
            0.125,
            0.03661,
            0.0,
            0.0,
        ],
    ),
    (
        timm.cosine(2, cycle_mul=2, cycle_limit=3),
        [
            1.0,
            0.5,
            1.0,
            0.85355,
            0.5,
            0.14645,
            1.0,
            0.96194,
            0.85355,
            0.69134,
            0.5,
            0.30866,
            0.14645,
            0.03806,
            0.0,
            0.0,
        ],
    ),
    (timm.multistep([3, 6], decay_rate=0.1), [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01]),
    (timm.step(3, decay_rate=0.5), [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]),
]


@pytest.mark.parametrize(("schedule", "expected"), TIMM_TABLE)
def test_timm_computed_curves(schedule, expected: list[float]) -> None:  # type: ignore[no-untyped-def]
    assert values(schedule, len(expected)) == pytest.approx(expected, abs=1e-5)


def test_optax_published_values() -> None:
    assert values(optax.polynomial_schedule(10.0, 20.0, 1.0, 10), 15) == pytest.approx(
        [10.0 + n for n in range(10)] + [20.0] * 5
    )
    expected = [10.0 + 15.0 * (1 - n / 10) ** 2 for n in range(10)] + [10.0] * 3
    assert values(optax.polynomial_schedule(25.0, 10.0, 2.0, 10), 13) == pytest.approx(expected)
    begin = [30.0] * 4 + [10.0 + 20.0 * (1 - n / 10) ** 2 for n in range(10)] + [10.0] * 6
    assert values(optax.polynomial_schedule(30.0, 10.0, 2.0, 10, 4), 20) == pytest.approx(begin)
    decay = [0.1 * (0.9 * (0.5 + 0.5 * math.cos(math.pi * min(n, 5) / 5)) + 0.1) for n in range(12)]
    assert values(optax.cosine_decay_schedule(0.1, 5, alpha=0.1), 12) == pytest.approx(decay)
    assert optax.cosine_decay_schedule(1000.0, 10**10)(10**9) == pytest.approx(975.52826)


def test_optax_warmup_cosine_decay() -> None:
    s = optax.warmup_cosine_decay_schedule(0.2, 1.21, 50, 100, end_value=-3.0)
    expected = [0.2 + (1.21 - 0.2) * t / 50 for t in range(50)]
    expected += [-3.0 + 4.21 * (1 + math.cos(math.pi * n / 50)) / 2 for n in range(50)] + [-3.0]
    np.testing.assert_allclose(values(s, 101), expected, rtol=1e-12)


def test_torch_cyclic_triangular2_by_step_decays_to_zero_in_both_evaluators() -> None:
    """2 ** (t - 1) overflows past step 1025: the amplitude is 0 there (C's pow) in the reference
    and the engine alike; Python's float power would raise (found by the fuzz run)."""
    s = torch_parity.cyclic_triangle(
        low=0.0, high=1.0, up=1.0, down=1.0, mode="triangular2", by_cycle=False
    )
    assert s.table(20, start=1020).tolist() == [s(t) for t in range(1020, 1040)]
    assert s(1039) == 0.0
