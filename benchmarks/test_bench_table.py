"""The warmup+cosine table (1e6 steps) against numpy, torch tensor ops, one torch.cos pass and
torch's SequentialLR stepped into a table (that group compares per entry: torch steps 1e5)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import SIDES


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize(
    "case_id", ["table-numpy", "table-torch-ops", "table-torch-cos", "table-torch-step"]
)
def test_table(side_by_side: Callable[[str, str], None], case_id: str, side: str) -> None:
    side_by_side(case_id, side)
