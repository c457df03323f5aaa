"""One ``step()``: ``lrkit.torch.Scheduler`` (float lrs) against torch's CosineAnnealingLR at 1
and 1000 param groups, and tensor-lr steps at 1000 groups against 1 group."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import SIDES


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("case_id", ["step-1", "step-1000", "tensor-lr"])
def test_step(side_by_side: Callable[[str, str], None], case_id: str, side: str) -> None:
    side_by_side(case_id, side)
