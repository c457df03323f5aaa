"""Float operations as the C library computes them, for the Python references: the engine's
kernels call C's functions, and where Python's operators differ (an overflow raises instead of
giving inf) the references call these instead, so both evaluators give the same values."""

from __future__ import annotations

import math

__all__ = ["c_pow"]


def c_pow(x: float, y: float) -> float:
    """``x ** y`` as C's ``pow`` computes it: an overflow is ``inf`` (not an OverflowError).

    >>> c_pow(2.0, 10.0), c_pow(10.0, 400.0)
    (1024.0, inf)
    """
    try:
        result: float = x**y
    except OverflowError:
        return math.inf
    return result
