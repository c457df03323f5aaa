"""The README's first-screen example runs and says what its comments say."""

from __future__ import annotations

import math
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_first_python_example_runs_and_matches_the_hand_written_formula() -> None:
    block = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), str(README), "exec"), namespace)
    schedule, table, halving = namespace["schedule"], namespace["table"], namespace["halving"]
    e = 12 + 7 / 50
    expected = 1e-4 + (0.1 - 1e-4) * (1 + math.cos(math.pi * (e - 10) / 190)) / 2
    assert math.isclose(schedule(12 * 50 + 7), expected, rel_tol=1e-12)  # type: ignore[operator]
    assert table.shape == (10_000,)  # type: ignore[attr-defined]
    resolved = halving.resolve(steps_per_epoch=50)  # type: ignore[attr-defined]
    assert (resolved(4999), resolved(5000)) == (0.1, 0.05)
