"""Every other schedule family's table (1e6 entries) against the numpy closed form of the same
curve (``lrkit.bench.closed_forms``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import SIDES
from lrkit.bench.tables import FAMILY_SHAPES


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("family", list(FAMILY_SHAPES))
def test_family(side_by_side: Callable[[str, str], None], family: str, side: str) -> None:
    side_by_side(f"family-{family}", side)
