"""``Schedule.plot(steps, ax=None)``: a matplotlib Axes for notebooks, the values drawn exact."""

from __future__ import annotations

import builtins
import sys
from typing import Any

import numpy as np
import pytest

import lrkit

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_plot_returns_new_axes_with_the_schedules_values() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    schedule = lrkit.warmup(lrkit.cosine(start=0.1, end=0.0, length=90), length=10)
    ax = schedule.plot(100)
    try:
        assert isinstance(ax, Axes)
        (line,) = ax.get_lines()
        x, y = line.get_data()
        assert np.array_equal(x, np.arange(100))
        assert np.array_equal(y, schedule.table(100))
    finally:
        plt.close(ax.figure)


def test_plot_draws_on_given_axes_one_line_per_group() -> None:
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    groups = lrkit.per_group([lrkit.constant(1.0), lrkit.linear(start=1.0, end=0.0, length=5)])
    assert groups.plot(10, ax=ax, label="two groups") is ax
    lines = [line.get_ydata() for line in ax.get_lines()]
    assert np.array_equal(np.column_stack(lines), groups.table(10))
    assert ax.get_legend() is not None


def test_bad_steps_are_an_error_naming_them() -> None:
    with pytest.raises(ValueError, match="steps must be an int >= 1, got 0"):
        lrkit.constant(1.0).plot(0)


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"lrkit\[plot\]"):
        lrkit.constant(1.0).plot(10)
