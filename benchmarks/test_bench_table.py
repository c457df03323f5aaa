"""Tables of the seed schedule (warmup + cosine), 1e6 steps: the C++ engine against a numpy
closed form and a Python loop. pytest-benchmark prints each time with its ratio to the fastest
in the group. Run with ``make bench``."""

from __future__ import annotations

import numpy as np
import pytest

import lrkit
from lrkit.demo import LR_MAX, LR_MIN, numpy_seed_table

N = 1_000_000
WARM = N // 20


@pytest.fixture(scope="module")
def seed() -> lrkit.Schedule:
    return lrkit.warmup(lrkit.cosine(start=LR_MAX, end=LR_MIN, length=N - WARM), length=WARM)


@pytest.mark.benchmark(group="table-1e6")
def test_engine(benchmark, seed: lrkit.Schedule) -> None:  # type: ignore[no-untyped-def]
    out = np.empty(N)
    benchmark(seed.table, N, out=out)
    assert out[WARM] == LR_MAX


@pytest.mark.benchmark(group="table-1e6")
def test_engine_new_array(benchmark, seed: lrkit.Schedule) -> None:  # type: ignore[no-untyped-def]
    table = benchmark(seed.table, N)
    assert table.shape == (N,)


@pytest.mark.benchmark(group="table-1e6")
def test_numpy_closed_form(benchmark, seed: lrkit.Schedule) -> None:  # type: ignore[no-untyped-def]
    table = benchmark(numpy_seed_table, N, WARM)
    np.testing.assert_allclose(table[::997], seed.table(N)[::997], rtol=1e-12, atol=1e-18)


@pytest.mark.benchmark(group="table-1e6")
def test_python_loop(benchmark, seed: lrkit.Schedule) -> None:  # type: ignore[no-untyped-def]
    table = benchmark.pedantic(lambda: [seed(t) for t in range(N)], rounds=2, iterations=1)
    assert len(table) == N


@pytest.mark.benchmark(group="table-1e6x100-groups")
def test_engine_100_groups(benchmark, seed: lrkit.Schedule) -> None:  # type: ignore[no-untyped-def]
    base = np.linspace(0.1, 1.0, 100)
    out = np.empty((N // 10, 100))
    benchmark(seed.table, N // 10, base=base, out=out)


@pytest.mark.benchmark(group="table-1e6x100-groups")
def test_numpy_100_groups(benchmark, seed: lrkit.Schedule) -> None:  # type: ignore[no-untyped-def]
    base = np.linspace(0.1, 1.0, 100)
    benchmark(lambda: np.multiply.outer(numpy_seed_table(N // 10, WARM // 10), base))
