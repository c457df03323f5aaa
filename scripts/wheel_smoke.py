"""Smoke test of an installed lrkit wheel (cibuildwheel's test command and .ci/run's wheel check).

Run it with the interpreter the wheel is installed in, from outside the source tree:
``python scripts/wheel_smoke.py``. It checks that lrkit and its compiled engine load from the
installed package (not a checkout), that the engine agrees with the Python reference, that
``lrkit.torch`` steps a real optimizer, and that the ``lrkit`` command runs.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def check_package() -> None:
    import lrkit
    import lrkit._core

    where = Path(lrkit._core.__file__).resolve()
    assert "site-packages" in where.parts or "dist-packages" in where.parts, where
    assert "torch" not in sys.modules, "import lrkit must not import torch"
    s = lrkit.warmup(lrkit.cosine(start=0.1, end=0.0, length=100), length=10)
    table = s.table(200)
    assert table[10] == 0.1 == s(10), (table[10], s(10))
    worst = max(abs(float(table[t]) - s(t)) for t in range(200))
    assert worst <= 1e-15, worst
    expected = 0.1 * (1 + math.cos(math.pi * 40 / 100)) / 2
    assert math.isclose(s(50), expected, rel_tol=1e-15), (s(50), expected)
    print(f"lrkit {lrkit.__version__}: engine {where.name}, simd path {lrkit._core.simd_path()}")


def check_torch() -> None:
    import torch

    import lrkit
    import lrkit.torch

    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = lrkit.torch.Scheduler(optimizer, lrkit.linear(start=1.0, end=0.0, length=4))
    values = []
    for _ in range(4):
        optimizer.step()
        scheduler.step()
        values.append(optimizer.param_groups[0]["lr"])
    assert values == [0.375, 0.25, 0.125, 0.0], values
    print(f"lrkit.torch.Scheduler drives torch {torch.__version__}: {values}")


def check_cli() -> None:
    scripts = Path(sysconfig.get_path("scripts"))
    command = scripts / ("lrkit.exe" if os.name == "nt" else "lrkit")
    assert command.exists(), f"the lrkit command is not installed at {command}"
    for args in (
        ["--version"],
        ["list"],
        ["show", "cosine:start=0.1,end=0,length=100", "--steps", "100"],
    ):
        out = subprocess.run(
            [str(command), *args], check=True, capture_output=True, text=True, timeout=120
        ).stdout
        assert out.strip(), f"lrkit {' '.join(args)} printed nothing"
    print(f"the lrkit command runs: {command}")


if __name__ == "__main__":
    check_package()
    check_torch()
    check_cli()
    print("wheel smoke test passed")
