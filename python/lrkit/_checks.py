"""Argument validation shared by schedules: clear errors naming the argument and the value."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from lrkit.units import DURATION_FORMS, MAX_STEPS, Duration, Epochs, Fraction, parse_duration

__all__ = [
    "duration",
    "durations",
    "increasing",
    "integer",
    "optional_real",
    "positive",
    "real",
    "reals",
    "span",
    "whole",
]


def real(owner: str, name: str, value: Any) -> float:
    """A finite float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}{_text_hint(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float64's range
        raise ValueError(f"{owner}: {name} must be finite, got {_short(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{owner}: {name} must be finite, got {value!r}")
    return number


def _text_hint(value: Any) -> str:
    """Why a number may have arrived as text: YAML 1.1 (PyYAML) reads ``1e-3`` as a string."""
    if not isinstance(value, str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return (
        " (a string, not a number: YAML reads an exponent without a decimal point, like 1e-3, "
        "as text; write 1.0e-3 or 0.001)"
    )


def _short(value: object) -> str:
    """``value``'s repr, an int of hundreds of digits as its size."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an int of {len(str(abs(value)))} digits (beyond float64's range)"
    return repr(value)


def span(owner: str, low_name: str, low: float, high_name: str, high: float) -> None:
    """``high - low`` must be finite: the interpolation formulas scale it (``start=-1e308,
    end=1e308`` would overflow to inf, and the clamp to the endpoints would hide it)."""
    if not math.isfinite(high - low):
        raise ValueError(
            f"{owner}: {high_name} - {low_name} must be finite, got {low_name}={low!r} and "
            f"{high_name}={high!r}"
        )


def optional_real(owner: str, name: str, value: Any) -> float | None:
    return None if value is None else real(owner, name, value)


def positive(owner: str, name: str, value: Any) -> float:
    number = real(owner, name, value)
    if number <= 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {value!r}")
    return number


def whole(value: Any) -> int | None:
    """lrkit's one rule for integral floats: where a step count or an int is expected, a float
    that is integral (``100.0``, ``1e2``, as configs write them) is accepted as that int,
    whichever way the schedule was built (Python, JSON/YAML/TOML, the CLI's short form).
    ``value`` as an int when it is one or such a float, else None (bools are not ints here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def integer(owner: str, name: str, value: Any, *, minimum: int, maximum: int = MAX_STEPS) -> int:
    """An int in ``[minimum, maximum]`` (by default at most ``MAX_STEPS``, 2**53); an integral
    float (``100.0``, ``1e2``) is that int (:func:`whole`)."""
    number = whole(value)
    if number is None:
        raise TypeError(f"{owner}: {name} must be an int, got {value!r}")
    if number < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    if number > maximum:
        limit = "2**53 (MAX_STEPS)" if maximum == MAX_STEPS else str(maximum)
        raise ValueError(f"{owner}: {name} must be <= {limit}, got {value!r}")
    return number


def duration(owner: str, name: str, value: Any, *, minimum: int = 1) -> Duration:
    """A step count ``>= minimum`` (an int), or ``epochs(x)``/``fraction(x)``.

    ``minimum=1`` is for lengths and periods, ``minimum=0`` for points in time (milestones,
    boundaries, knots).
    """
    given = value
    if isinstance(value, str):
        parsed = parse_duration(value)
        if parsed is None:
            raise TypeError(
                f"{owner}: {name} must be a number of steps, lrkit.epochs(x), lrkit.fraction(x) "
                f"or a string {DURATION_FORMS}, got {given!r}"
            )
        value = parsed
    if isinstance(value, (Epochs, Fraction)):
        if minimum > 0 and value.value == 0:
            raise ValueError(f"{owner}: {name} must be > 0, got {given!r}")
        return value
    steps = whole(value)
    if steps is None:
        raise TypeError(
            f"{owner}: {name} must be an int number of steps, lrkit.epochs(x) or "
            f"lrkit.fraction(x), got {given!r}"
        )
    if steps < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum} steps, got {given!r}")
    if steps > MAX_STEPS:
        raise ValueError(f"{owner}: {name} must be <= 2**53 steps (MAX_STEPS), got {given!r}")
    return steps


def durations(owner: str, name: str, values: Any) -> tuple[Duration, ...]:
    """A strictly increasing sequence of points in time (milestones, boundaries)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{owner}: {name} must be a sequence, got {values!r}")
    points = tuple(duration(owner, f"{name}[{i}]", v, minimum=0) for i, v in enumerate(values))
    increasing(owner, name, points)
    return points


def increasing(owner: str, name: str, points: Sequence[Duration]) -> None:
    """Strictly increasing among points of the same unit (mixed units are checked once resolved)."""
    last: dict[type, Duration] = {}
    for i, point in enumerate(points):
        kind = type(point)
        previous = last.get(kind)
        if previous is not None and _magnitude(previous) >= _magnitude(point):
            raise ValueError(
                f"{owner}: {name} must be strictly increasing (sorted, no duplicates), "
                f"got {list(points)!r} (position {i})"
            )
        last[kind] = point


def _magnitude(point: Duration) -> float:
    return point.value if isinstance(point, (Epochs, Fraction)) else float(point)


def reals(owner: str, name: str, values: Any, *, min_length: int = 1) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{owner}: {name} must be a sequence of numbers, got {values!r}")
    numbers_ = tuple(real(owner, f"{name}[{i}]", v) for i, v in enumerate(values))
    if len(numbers_) < min_length:
        raise ValueError(f"{owner}: {name} needs at least {min_length} value(s), got {values!r}")
    return numbers_
