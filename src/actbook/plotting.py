"""One plotting style for the whole book.

Colours are the Okabe-Ito palette (safe for the common forms of colour blindness), and every
class or series also gets its own marker or line style, so no figure relies on colour alone.
Figures are sized for the page and saved small (see :data:`FIGURE_DPI`).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from actbook._checks import check_array, check_int, check_same_length

#: Okabe & Ito (2008) colour-blind-safe palette (black omitted).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
#: One marker per class/series, used together with the colours.
MARKERS = ["o", "^", "s", "D", "v", "P", "X"]
#: One line style per series.
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
#: Resolution of figures stored in notebooks: sharp on screen, each PNG well under 150 KB.
FIGURE_DPI = 80


def use_book_style() -> None:
    """Set matplotlib's defaults for the book: palette, markers via cycler, sizes, DPI."""
    from cycler import cycler

    mpl.rcParams.update({
        "figure.dpi": FIGURE_DPI,
        "savefig.dpi": FIGURE_DPI,
        "figure.figsize": (7.0, 3.2),
        "font.size": 10,
        "axes.prop_cycle": cycler(color=PALETTE) + cycler(linestyle=LINESTYLES),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
        "image.cmap": "cividis",
    })


def series_style(i: int) -> dict:
    """Colour, marker and line style for series ``i`` (an int >= 0), cycling after 7."""
    i = check_int("i", i, minimum=0)
    return {"color": PALETTE[i % len(PALETTE)], "marker": MARKERS[i % len(MARKERS)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def class_scatter(ax, x, y, *, labels=None, size: float = 12, alpha: float = 0.7) -> None:
    """Scatter 2-D points coloured *and* marked by class.

    Args:
        ax: a matplotlib ``Axes``.
        x: real array ``(n, 2)``; y: integer array ``(n,)`` of class indices >= 0.
        labels: optional legend label per class index (default ``"class 0"``, ...).
        size: marker area in points^2 (default 12); alpha: opacity (default 0.7).

    Raises:
        TypeError, ValueError: for arrays of the wrong type, shape or length.
    """
    x = check_array("x", x, ndim=2, last_dim=2)
    y = check_array("y", y, ndim=1, kind="int")
    check_same_length("x", x, "y", y)
    for c in np.unique(y):
        sel = y == c
        label = labels[c] if labels is not None else f"class {c}"
        ax.scatter(x[sel, 0], x[sel, 1], s=size, alpha=alpha, color=PALETTE[c % len(PALETTE)],
                   marker=MARKERS[c % len(MARKERS)], label=label, linewidths=0)


def decision_regions(ax, model, x, y, *, resolution: int = 150, margin: float = 0.25,
                     labels=None, size: float = 8) -> None:
    """Shade the input plane by the class ``model`` predicts, then scatter the data on top.

    Args:
        ax: a matplotlib ``Axes``.
        model: a ``keras.Model`` on 2-D inputs producing logits.
        x: real array ``(n, 2)``; y: integer array ``(n,)``.
        resolution: grid points per axis, an int >= 2 (default 150).
        margin: extra space around the data, in input units (default 0.25).
        labels: optional legend labels per class.
        size: marker area of the data points in points^2 (default 8).

    Raises:
        TypeError, ValueError: for bad arrays or a model whose input is not 2-D.
    """
    from matplotlib.colors import ListedColormap

    from actbook.probes import logits

    x = check_array("x", x, ndim=2, last_dim=2)
    resolution = check_int("resolution", resolution, minimum=2)
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([g0.ravel(), g1.ravel()], axis=1).astype(np.float32)
    pred = logits(model, grid).argmax(axis=1).reshape(g0.shape)
    k = int(max(pred.max(), np.max(y)) + 1)
    cmap = ListedColormap(PALETTE[:k])
    ax.contourf(g0, g1, pred, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
    ax.contour(g0, g1, pred, levels=np.arange(k) + 0.5, colors="0.3", linewidths=0.8)
    class_scatter(ax, x, y, labels=labels, size=size)


def line_style(i: int, **overrides) -> dict:
    """Keyword arguments for a line of series ``i``: its colour and line style, no marker.

    For ``ax.plot``, ``ax.axhline`` and ``ax.stairs`` lines that should match
    :func:`series_style` without drawing a marker at every point, e.g.
    ``ax.plot(x, y, **line_style(1, lw=1.6, label="line"))``.

    Args:
        i: series index, an int >= 0 (the style cycles after 7, as in :func:`series_style`).
        **overrides: further keyword arguments for matplotlib (``lw``, ``label``, ...); they
            take precedence over the defaults.

    Returns:
        A dict with ``color`` and ``linestyle`` (plus the overrides).

    Raises:
        TypeError: if ``i`` is not an int; ValueError: if ``i < 0``.
    """
    style = series_style(i)
    return {"color": style["color"], "linestyle": style["linestyle"], **overrides}
