"""Draws the sweeps of :mod:`lrkit.bench.sweeps` (log-log, one panel each) with matplotlib,
the optional extra ``lrkit[plot]``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lrkit.bench.sweeps import Sweep

__all__ = [
    "draw",
]

#: One style per library, so lrkit, torch and numpy read the same in both panels.
_STYLES = {"lrkit": "-", "torch": "--", "numpy": ":"}


def draw(sweeps: Sequence[Sweep], path: str | Path, *, caption: str = "") -> Path:
    """Write the sweeps side by side into ``path`` (format from its suffix; ``.png`` added to a
    name without one)."""
    from lrkit.plot import image_path, require_matplotlib

    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = image_path(path)
    figure = Figure(figsize=(6.0 * len(sweeps), 4.8), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    for k, sweep in enumerate(sweeps):
        axes = figure.add_subplot(1, len(sweeps), k + 1)
        for name, values in sweep.series.items():
            points = [(x, y) for x, y in zip(sweep.x, values, strict=True) if y is not None]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            style = _STYLES.get(name.split()[0], "-.")
            axes.plot(xs, ys, style, marker="o", markersize=4, label=name)
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_title(sweep.title, fontsize=10)
        axes.set_xlabel(sweep.x_label)
        axes.set_ylabel(sweep.y_label)
        axes.grid(True, which="both", alpha=0.25)
        axes.legend(fontsize=8)
    if caption:
        figure.suptitle(caption, fontsize=8)
    figure.savefig(out)
    return out
