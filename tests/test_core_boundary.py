"""The private engine nodes check their invariants at the C++ boundary: a node built by hand
from ``lrkit._core`` raises ValueError instead of crashing the interpreter (each of these
crashed, with a segfault or SIGFPE, before)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import lrkit
from lrkit._native import core

BAD_NODES = [
    lambda: core.Sequence([core.Constant(1.0)], [5, 10]),
    lambda: core.Sequence([], []),
    lambda: core.Sequence([core.Constant(1.0), core.Constant(2.0)], [-1]),
    lambda: core.PiecewiseLinear([], []),
    lambda: core.PiecewiseLinear([3, 1], [0.0, 1.0]),
    lambda: core.PiecewiseConstant([1], []),
    lambda: core.PiecewiseConstant([2, 2], [1.0, 2.0, 3.0]),
    lambda: core.Product([]),
    lambda: core.Repeat(core.Constant(1.0), 0),
    lambda: core.Cyclic(0.0, 1.0, 0, 0, core.CyclicMode.triangular, 1.0),
    lambda: core.StepDecay(1.0, 0.5, 0),
    lambda: core.Linear(0.0, 1.0, 0),
    lambda: core.Cosine(0.0, 1.0, -3),
    lambda: core.InverseSqrt(1.0, 0),
    lambda: core.MultiStep(1.0, 0.5, [5, 3]),
    lambda: core.CosineRestarts(1.0, 0.0, 0, 1.0, 1.0, -1),
    lambda: core.CosineRestarts(1.0, 0.0, 10, 0.5, 1.0, -1),
    lambda: core.TorchPhases([1.0], [], True, 10),
    lambda: core.TorchCosineAnnealing(1.0, 0.0, 0),
    lambda: core.Scale(None, 2.0),
]


@pytest.mark.parametrize("make", BAD_NODES)
def test_a_node_with_broken_invariants_is_refused(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        make().values(0, 10)


def test_deep_chains_are_refused_instead_of_overflowing_the_stack() -> None:
    node = core.Constant(1.0)
    for _ in range(9_999):
        node = core.Scale(node, 1.0)
    assert node.values(0, 3).tolist() == [1.0, 1.0, 1.0]  # 10,000 levels: the limit
    with pytest.raises(ValueError, match="deeper than 10000 levels"):
        core.Scale(node, 1.0)


def test_a_misaligned_out_is_refused() -> None:
    raw = np.zeros(8 * 11 + 1, dtype=np.uint8)
    out = raw[1:].view(np.float64)  # at an odd byte offset
    assert not out.flags.aligned
    with pytest.raises(ValueError, match="out must be aligned"):
        core.fill(core.Constant(1.0), 0, out)
    with pytest.raises(ValueError, match="aligned"):
        lrkit.constant(1.0).table(11, out=out)


def test_a_base_that_overlaps_out_is_read_before_it_is_overwritten() -> None:
    s = lrkit.constant(2.0)
    out = np.ones((3, 2))
    base = out[0]  # shares memory with the table it scales
    table = s.table(3, base=base, out=out)
    assert table.tolist() == [[2.0, 2.0]] * 3


def test_a_table_too_large_for_memory_says_how_large() -> None:
    with pytest.raises(MemoryError, match=r"shape \(9007199254740992,\) takes 67,108,864.0 GiB"):
        lrkit.constant(1.0).table(2**53)


THREADS_REFUSED = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, resource.RLIM_INFINITY))
import lrkit
from lrkit._native import core
s = lrkit.cosine(start=1.0, end=0.0, length=10**7)
whole = s.table(2_000_000)
assert 1 <= core.num_threads() < 400, core.num_threads()
assert whole[1_999_999] == s.table(1, start=1_999_999)[0]
print("ok", core.num_threads())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits as on Linux")
@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""), reason="AddressSanitizer reserves terabytes"
)
def test_threads_the_system_refuses_are_fewer_threads_not_an_abort() -> None:
    """400 threads of 8 MiB stacks cannot fit in 1.5 GB of address space: std::thread threw
    std::system_error and the process aborted; the pool now runs with the threads it got."""
    env = dict(os.environ, LRKIT_NUM_THREADS="400")
    done = subprocess.run(
        [sys.executable, "-c", THREADS_REFUSED], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("ok"), done.stderr
