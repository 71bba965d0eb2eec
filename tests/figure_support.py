"""Test helpers for the figures drawn in a lesson notebook's own cells: run the notebook up to a
figure, and measure what a reader sees of it (in display pixels, after a draw)."""

from pathlib import Path

import matplotlib
import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def notebook_figure(notebook, marker):
    """The figure that the code cell of ``notebooks/<notebook>`` containing ``marker`` draws,
    after running every code cell before it (IPython magics left out, ``plt.show`` a no-op), drawn
    on an Agg canvas at its own dpi (matplotlib's default, as in the inline backend); returns
    ``(figure, renderer)``."""
    import matplotlib.pyplot as plt

    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    (last,) = [k for k, source in enumerate(cells) if marker in source]
    namespace = {"__name__": "__main__"}
    backend = matplotlib.get_backend()
    plt.switch_backend("agg")
    show = plt.show
    plt.show = lambda *args, **kwargs: None
    try:
        plt.close("all")
        for source in cells[: last + 1]:
            code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
            exec(compile(code, f"{notebook} cell", "exec"), namespace)
        fig = plt.gcf()
    finally:
        plt.show = show
        plt.switch_backend(backend)
    fig.canvas.draw()
    return fig, fig.canvas.get_renderer()


def line_pixels(line, per_segment=40):
    """Display points along a drawn line: its vertices and points between them (a line's
    segments are straight on the screen, also on log axes), without the NaN gaps."""
    xy = line.get_transform().transform(np.column_stack(line.get_data()))
    finite = np.all(np.isfinite(xy), axis=1)
    if line.get_linestyle() in ("None", "none", " ", ""):
        return xy[finite]
    drawn = finite[:-1] & finite[1:]  # the segments drawn: none across a NaN gap
    a, b = xy[:-1][drawn], xy[1:][drawn]
    t = np.linspace(0.0, 1.0, per_segment)[:, None, None]
    return np.vstack([xy[finite], (a + t * (b - a)).reshape(-1, 2)])


def data_lines(ax):
    """The lines of ``ax`` that hold data: every ``Line2D`` with points, but no line spanning the
    axes (``axhline``, ``axvline``: these run under everything by design)."""
    return [
        line
        for line in ax.get_lines()
        if len(line.get_xdata())
        and all(line.get_transform().contains_branch_seperately(ax.transData))
    ]


def points_inside(points, box, pad=0.0):
    """The points (display pixels) lying inside ``box`` grown by ``pad`` pixels on each side."""
    inside = (
        (points[:, 0] >= box.x0 - pad)
        & (points[:, 0] <= box.x1 + pad)
        & (points[:, 1] >= box.y0 - pad)
        & (points[:, 1] <= box.y1 + pad)
    )
    return points[inside]
