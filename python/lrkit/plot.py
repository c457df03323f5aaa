"""Plots of schedules with matplotlib (the optional extra ``lrkit[plot]``).

Values come from engine table chunks; long runs are thinned to about :data:`MAX_POINTS`
points per curve keeping each bucket's minimum and maximum, so spikes and cycles stay visible.
matplotlib is imported only when a plot is made (``import lrkit`` never imports it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrkit.schedule import Schedule
from lrkit.summary import Progress, chunks, decimate

__all__ = [
    "LEGEND_ROW_INCHES",
    "MAX_POINTS",
    "Curve",
    "MissingPlotDependencyError",
    "image_path",
    "plot",
    "plot_on",
    "require_matplotlib",
]

#: Points per curve above which a run is thinned (min and max of each bucket are kept).
MAX_POINTS = 4000
#: Extra figure height per legend row (the legend sits below the axes).
LEGEND_ROW_INCHES = 0.22


class MissingPlotDependencyError(ImportError):
    """matplotlib is not installed."""


@dataclass(frozen=True)
class Curve:
    """One schedule to draw, with its legend label and optional per-group base values."""

    schedule: Schedule
    label: str
    base: Sequence[float] | None = None
    group_labels: Sequence[str] | None = None


def require_matplotlib() -> Any:
    """The ``matplotlib`` module, or an error saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise MissingPlotDependencyError(
            "plotting needs matplotlib: pip install 'lrkit[plot]' (or pip install matplotlib)"
        ) from None
    return matplotlib


def plot(
    curves: Sequence[Curve],
    steps: int,
    path: str | Path,
    *,
    steps_per_epoch: int | None = None,
    log: bool = False,
    title: str | None = None,
    ylabel: str = "learning rate",
    size: tuple[float, float] = (8.0, 4.5),
    dpi: int = 120,
    progress: bool = True,
) -> Path:
    """Draw ``curves`` over steps ``0 .. steps - 1`` into ``path`` (format from its suffix).

    A ``per_group`` schedule, or a curve with ``base`` values, draws one line per group. With
    ``steps_per_epoch`` a second x axis on top counts epochs. The figure is ``size`` inches
    (at ``dpi``) plus one legend row below the axes per curve (two per row from seven).
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = image_path(path)

    entries = sum(_columns(c) for c in curves)
    legend_columns = 1 if entries <= 6 else 2
    legend_rows = -(-entries // legend_columns) if entries > 1 else 0
    figure = Figure(
        figsize=(size[0], size[1] + LEGEND_ROW_INCHES * legend_rows), dpi=dpi, layout="constrained"
    )
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    highest = max(_draw(axes, curve, steps, progress=progress) for curve in curves)
    if log and not highest > 0:
        raise ValueError(
            f"a logarithmic value axis needs positive values, but every value is <= 0 "
            f"(the largest is {highest:g}); draw it on a linear axis (without --log)"
        )
    _decorate(axes, steps, steps_per_epoch=steps_per_epoch, log=log, ylabel=ylabel)
    default = curves[0].label if len(curves) == 1 else f"{len(curves)} schedules, {steps:,} steps"
    axes.set_title(title or default, fontsize=10)
    if entries > 1:  # below the axes, so it never hides a curve
        figure.legend(loc="outside lower center", ncols=legend_columns, fontsize=8, frameon=False)
    try:
        figure.savefig(out, format=None if out.suffix else "png")
    except OSError as exc:
        raise OSError(f"cannot write {str(out)!r}: {exc.strerror or exc}") from exc
    return out


def plot_on(
    schedule: Schedule,
    steps: int,
    *,
    ax: Any = None,
    label: str | None = None,
    log: bool = False,
    steps_per_epoch: int | None = None,
) -> Any:
    """``Schedule.plot``: draw ``schedule`` over steps ``0 .. steps - 1`` on ``ax`` (a new
    pyplot figure's Axes when None) and return the Axes."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    require_matplotlib()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    curve = Curve(schedule, label if label is not None else repr(schedule))
    highest = _draw(ax, curve, steps, progress=False)
    if log and not highest > 0:
        raise ValueError(
            f"a logarithmic value axis needs positive values, but every value is <= 0 "
            f"(the largest is {highest:g})"
        )
    _decorate(ax, steps, steps_per_epoch=steps_per_epoch, log=log, ylabel="learning rate")
    if _columns(curve) > 1 or label is not None:
        ax.legend(fontsize=8)
    return ax


def image_path(path: str | Path) -> Path:
    """The file ``plot`` writes for ``path``: ``.png`` is added to a name without a suffix;
    a folder, a missing folder or a format matplotlib cannot write raise ``ValueError``."""
    from matplotlib.backend_bases import FigureCanvasBase

    out = Path(path)
    if out.is_dir():
        raise ValueError(f"{str(path)!r} is a folder; give an image file name such as lr.png")
    if not out.parent.is_dir():
        raise ValueError(
            f"cannot write {str(path)!r}: the folder {str(out.parent)!r} does not exist"
        )
    if out.exists() and not out.is_file():  # /dev/full, a pipe: written as given, as a png
        return out
    if not out.suffix:
        out = out.with_name(out.name + ".png")
    formats = FigureCanvasBase.get_supported_filetypes()
    if out.suffix[1:].lower() not in formats:
        raise ValueError(
            f"cannot write {str(path)!r}: matplotlib has no {out.suffix!r} format "
            f"(use {', '.join('.' + f for f in sorted(formats))})"
        )
    return out


def _columns(curve: Curve) -> int:
    return curve.schedule.groups or (len(curve.base) if curve.base is not None else 1)


def _draw(axes: Any, curve: Curve, steps: int, *, progress: bool) -> float:
    """Draw one curve (one line per group); returns its largest value."""
    bucket = max(1, -(-steps // (MAX_POINTS // 2)))
    xs, ys = [], []
    meter = Progress(f"plot {curve.label}", steps, enabled=progress)
    for first, block in chunks(curve.schedule, steps, base=curve.base, progress=meter):
        x, y = decimate(first, block, bucket)
        xs.append(x)
        ys.append(y)
    meter.finish()
    x_all, y_all = np.concatenate(xs), np.concatenate(ys)
    columns = y_all.shape[1]
    for g in range(columns):
        label = curve.label if columns == 1 else _group_label(curve, g)
        axes.plot(x_all, y_all[:, g], label=label, linewidth=1.4)
    return float(y_all.max())


def _group_label(curve: Curve, g: int) -> str:
    base = f", base {curve.base[g]:g}" if curve.base is not None else ""
    if curve.group_labels is not None:
        return f"group {g}{base}: {curve.group_labels[g]}"
    return f"{curve.label} [group {g}{base}]"


def _decorate(
    axes: Any, steps: int, *, steps_per_epoch: int | None, log: bool, ylabel: str
) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_xlim(0, max(steps - 1, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("step")
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    if log:
        axes.set_yscale("log")
    else:
        axes.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    if steps_per_epoch:
        k = float(steps_per_epoch)
        top = axes.secondary_xaxis("top", functions=(lambda s: s / k, lambda e: e * k))
        top.set_xlabel("epoch")
