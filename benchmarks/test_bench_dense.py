"""A dense 1000-group x 1e5-step table against ``np.full`` of that shape, and the single-thread
rows (``LRKIT_NUM_THREADS=1``: run with it set, as ``make benchmarks`` does)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import SIDES


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("case_id", ["dense", "dense-1thread", "table-1thread"])
def test_dense_and_single_thread(
    side_by_side: Callable[[str, str], None], case_id: str, side: str
) -> None:
    side_by_side(case_id, side)
