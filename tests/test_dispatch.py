"""Tables are the same bits on every vector path and thread count (docs/contract.md).

Each run is a fresh process (the engine reads LRKIT_SIMD and LRKIT_NUM_THREADS once): it prints
a digest of the tables of schedules covering every vectorised kernel, far into the run and
across block boundaries. Every path this CPU has, capped with LRKIT_SIMD, must print the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lrkit._native import core

PATHS = ["baseline", "avx2", "avx512f"]

DIGEST = r"""
import hashlib, json
import numpy as np
import lrkit
from lrkit._native import core
from lrkit.parity import timm
from lrkit.parity import torch as pt

cos = lrkit.cosine(start=0.1, end=1e-5, length=999_983)
schedules = [
    lrkit.warmup(cos, length=10_007),
    lrkit.linear(start=1.0, end=0.0, length=123_457),
    lrkit.inverse_sqrt(start=1.0, timescale=77),
    lrkit.piecewise_linear([(0, 0.0), (5_000, 1.0), (300_001, 0.25)]),
    lrkit.cosine_restarts(start=1.0, end=0.01, period=4_097, period_mult=1.5, decay=0.9),
    lrkit.cosine_restarts(start=1.0, end=0.0, period=1_000),
    lrkit.cyclic(low=0.1, high=1.0, up=2_000, down=3_001, mode="triangular2"),
    lrkit.cyclic(low=0.1, high=1.0, up=2_000, mode="exp_range", gamma=0.99999),
    lrkit.one_cycle(peak=0.1, total=400_000, three_phase=True),
    lrkit.noise(cos, amount=0.1, seed=7),
    pt.cosine_annealing(start=0.1, end=0.0, period=150_001),
    pt.one_cycle(max_lr=0.1, total_steps=300_000),
    timm.cosine(997, base_lr=0.1, lr_min=1e-5, cycle_mul=1.5, cycle_limit=40, warmup_t=50,
                k_decay=1.5),
    timm.wsd(500_000, 200_000, base_lr=0.1, warmup_t=100, stable_fn="rsqrt", decay_fn="cosine"),
]
digest = hashlib.sha256()
for s in schedules:
    digest.update(s.table(600_000).tobytes())
    digest.update(s.table(5_000, start=2**40 + 3).tobytes())
digest.update(cos.table(70_000, base=np.linspace(0.1, 1.0, 37)).tobytes())
groups = lrkit.per_group([cos, lrkit.linear(start=1.0, end=0.5, length=9_999)])
digest.update(groups.table(300_000, base=[0.5, 2.0]).tobytes())
print(json.dumps({"path": core.simd_path(), "threads": core.num_threads(),
                  "digest": digest.hexdigest()}))
"""


def _run(path: str, threads: int) -> dict[str, object]:
    env = dict(os.environ, LRKIT_SIMD=path, LRKIT_NUM_THREADS=str(threads))
    done = subprocess.run(
        [sys.executable, "-c", DIGEST], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _available() -> list[str]:
    widest = PATHS.index(core.cpu_simd_path())
    return PATHS[: widest + 1]


def test_every_path_and_thread_count_gives_the_same_bits() -> None:
    paths = _available()
    runs = {(p, t): _run(p, t) for p in paths for t in (1, 3)}
    for (path, threads), result in runs.items():
        assert result["path"] == path, result  # the cap took effect
        assert result["threads"] == threads, result
    digests = {str(r["digest"]) for r in runs.values()}
    assert len(digests) == 1, runs


def test_an_unknown_cap_is_ignored() -> None:
    result = _run("sse9", 1)
    assert result["path"] == core.cpu_simd_path()


@pytest.mark.skipif(len(_available()) < 2, reason="this CPU has one vector path only")
def test_the_widest_path_is_the_default() -> None:
    assert core.simd_path() in (core.cpu_simd_path(), os.environ.get("LRKIT_SIMD"))
