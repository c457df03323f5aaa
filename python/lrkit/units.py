"""Time units: lengths, periods, milestones and boundaries in steps, epochs or run fractions.

A plain ``int`` is a number of optimizer steps. ``epochs(x)`` and ``fraction(x)`` are resolved
into steps by ``Schedule.resolve(steps_per_epoch=..., total_steps=...)``, rounding to the
nearest step (halves round up).

Steps and durations are at most ``MAX_STEPS = 2**53`` (9.0e15): every step is then exact in
float64, the engine's int64 arithmetic cannot overflow, and the Python reference and the engine
see the same numbers.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Union

__all__ = [
    "DURATION_FORMS",
    "DURATION_TEXT",
    "MAX_STEPS",
    "NUMBER_TEXT",
    "Duration",
    "Epochs",
    "Fraction",
    "UnresolvedDurationError",
    "epochs",
    "fraction",
    "parse_duration",
    "steps_of",
    "to_steps",
]

#: The largest step, and the longest duration in steps, that schedules accept (2**53).
MAX_STEPS = 2**53


class UnresolvedDurationError(ValueError):
    """A schedule holding epochs or fractions was evaluated before ``resolve()``."""


@dataclass(frozen=True)
class Epochs:
    """A duration of ``value`` epochs: ``round(value * steps_per_epoch)`` steps."""

    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite_nonnegative("epochs", self.value))

    def __repr__(self) -> str:
        return f"epochs({self.value:g})"

    def to_steps(self, *, steps_per_epoch: int) -> int:
        return _round_half_up(self.value * steps_per_epoch)


@dataclass(frozen=True)
class Fraction:
    """A duration of ``value`` times the whole run: ``round(value * total_steps)`` steps."""

    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite_nonnegative("fraction", self.value))

    def __repr__(self) -> str:
        return f"fraction({self.value:g})"

    def to_steps(self, *, total_steps: int) -> int:
        return _round_half_up(self.value * total_steps)


Duration = Union[int, Epochs, Fraction]  # noqa: UP007 (a runtime alias on Python 3.10)


def epochs(value: float) -> Epochs:
    """``value`` epochs, resolved with ``steps_per_epoch`` (e.g. ``epochs(10)`` of 50 batches)."""
    return Epochs(value)


def fraction(value: float) -> Fraction:
    """``value`` of the whole run, resolved with ``total_steps`` (e.g. ``fraction(0.05)``)."""
    return Fraction(value)


def _finite_nonnegative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}() takes a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float64's range
        raise ValueError(
            f"{name}() takes a finite number >= 0, got an int of {len(str(value))} digits"
        ) from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name}() takes a finite number >= 0, got {value!r}")
    return number


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def to_steps(
    duration: Duration, *, total_steps: int | None, steps_per_epoch: int | None, where: str
) -> int:
    """Steps of ``duration``; ``where`` names the argument in errors (``cosine(length=...)``)."""
    if isinstance(duration, Epochs):
        if steps_per_epoch is None:
            raise UnresolvedDurationError(
                f"{where} is {duration!r}: resolve it with steps_per_epoch="
            )
        _check_length(duration, duration.value * steps_per_epoch, where)
        return duration.to_steps(steps_per_epoch=steps_per_epoch)
    if isinstance(duration, Fraction):
        if total_steps is None:
            raise UnresolvedDurationError(f"{where} is {duration!r}: resolve it with total_steps=")
        _check_length(duration, duration.value * total_steps, where)
        return duration.to_steps(total_steps=total_steps)
    return duration


def _check_length(duration: Epochs | Fraction, steps: float, where: str) -> None:
    if steps >= MAX_STEPS + 0.5:
        raise ValueError(f"{where} is {duration!r}: {steps:.4g} steps, more than 2**53 (MAX_STEPS)")


def steps_of(duration: Duration, where: str) -> int:
    """Steps of a resolved duration; an unresolved one raises an error naming ``where``."""
    if isinstance(duration, (Epochs, Fraction)):
        need = "steps_per_epoch" if isinstance(duration, Epochs) else "total_steps"
        raise UnresolvedDurationError(
            f"{where} is {duration!r}, which needs {need}: call "
            f".resolve({need}=...) on the schedule before evaluating it"
        )
    return duration


NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
#: A duration as text: a number and its unit (``10ep``, ``10 epochs``, ``5%``, ``0.05frac``).
DURATION_TEXT = re.compile(rf"^(?P<number>{NUMBER_TEXT})\s*(?P<unit>ep|epochs?|%|frac)$")
#: The forms :func:`parse_duration` reads, for error messages.
DURATION_FORMS = "'250' (steps), '10ep' (epochs), '5%' or '0.05frac' (of the run)"


def parse_duration(text: str) -> Duration | None:
    """The duration a string spells (``"250"``, ``"10ep"``, ``"5%"``, ``"0.05frac"``), or None.

    >>> parse_duration("10ep"), parse_duration("5%"), parse_duration("250")
    (epochs(10), fraction(0.05), 250)
    """
    text = text.strip().replace("_", "")
    match = DURATION_TEXT.match(text)
    if match is None:  # a plain number of steps, integral ("1e5", as YAML may leave it)
        if not re.fullmatch(NUMBER_TEXT, text):
            return None
        steps = float(text)
        return int(steps) if math.isfinite(steps) and steps.is_integer() else None
    number_text = match["number"]
    number = float(number_text)
    if re.fullmatch(r"[+-]?\d+", number_text):
        number = int(number_text)
    if match["unit"] == "%":
        return Fraction(number / 100)
    return Fraction(number) if match["unit"] == "frac" else Epochs(number)
