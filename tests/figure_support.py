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
        with matplotlib.rc_context():  # the lesson's rcParams are undone after it
            for source in cells[: last + 1]:
                code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
                exec(compile(code, f"{notebook} cell", "exec"), namespace)
            fig = plt.gcf()
            fig.canvas.draw()
    finally:
        plt.show = show
        plt.switch_backend(backend)
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


# -- colour vision ------------------------------------------------------------------------------
# Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", IEEE TVCG 15(6): the matrices at severity 1.0, applied to linear RGB.
CVD_MATRICES = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
}

#: Two series whose colours differ by less than this CIEDE2000 ΔE (under a simulation) and that
#: share line style and marker cannot be told apart by that reader.
MIN_DELTA_E = 10.0


def srgb_to_linear(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate_cvd(rgb, kind):
    """The sRGB colour (values in [0, 1]) a reader with ``kind`` (``"protanopia"``,
    ``"deuteranopia"``; ``"normal"`` returns it unchanged) sees, by Machado et al. (2009)."""
    rgb = np.asarray(rgb, float)
    if kind == "normal":
        return rgb
    return linear_to_srgb(np.clip(srgb_to_linear(rgb) @ CVD_MATRICES[kind].T, 0.0, 1.0))


def linear_to_srgb(lin):
    lin = np.asarray(lin, float)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.abs(lin) ** (1 / 2.4) - 0.055)


def srgb_to_lab(rgb):
    """CIELAB (D65 white) of an sRGB colour in [0, 1]."""
    lin = srgb_to_linear(rgb)
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    d = 6 / 29
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e2000(lab1, lab2):
    """The CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu and Dalal, 2005)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    Cm = (C1 + C2) / 2
    G = 0.5 * (1 - np.sqrt(Cm**7 / (Cm**7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if C1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if C2p else 0.0
    dLp, dCp = L2 - L1, C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    else:
        dhp = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dhp / 2))
    Lpm, Cpm = (L1 + L2) / 2, (C1p + C2p) / 2
    if C1p * C2p == 0:
        hpm = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hpm = (h1p + h2p) / 2
    else:
        hpm = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    T = (
        1
        - 0.17 * np.cos(np.radians(hpm - 30))
        + 0.24 * np.cos(np.radians(2 * hpm))
        + 0.32 * np.cos(np.radians(3 * hpm + 6))
        - 0.20 * np.cos(np.radians(4 * hpm - 63))
    )
    d_theta = 30 * np.exp(-(((hpm - 275) / 25) ** 2))
    Rc = 2 * np.sqrt(Cpm**7 / (Cpm**7 + 25.0**7))
    Sl = 1 + 0.015 * (Lpm - 50) ** 2 / np.sqrt(20 + (Lpm - 50) ** 2)
    Sc, Sh = 1 + 0.045 * Cpm, 1 + 0.015 * Cpm * T
    Rt = -np.sin(np.radians(2 * d_theta)) * Rc
    return float(
        np.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh))
    )


def seen_delta_e(c1, c2, kind):
    """CIEDE2000 ΔE between two opaque sRGB colours as a reader with ``kind`` sees them."""
    return delta_e2000(srgb_to_lab(simulate_cvd(c1, kind)), srgb_to_lab(simulate_cvd(c2, kind)))


def _over(rgba, background):
    """An RGBA colour composited over an opaque background: the colour on the screen."""
    rgba = np.asarray(rgba, float)
    alpha = rgba[3] if rgba.size == 4 else 1.0
    return alpha * rgba[:3] + (1 - alpha) * np.asarray(background, float)[:3]


def _norm_linestyle(ls):
    return {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-.", "none": "None"}.get(
        str(ls).lower(), "None" if ls in (" ", "", None) else str(ls)
    )


def figure_series(fig):
    """The series of each axes of ``fig`` that a reader must tell apart, as
    ``{axes: [(name, kind, rgb, style)]}``: ``kind`` groups the series that look alike apart
    from colour and style (lines with lines, bars with bars, filled areas and scatters with
    their kind), ``rgb`` the colour on the axes' background, ``style`` what tells two series of
    one kind apart without colour (line style and marker, hatch).

    Series: the visible lines holding data (not ``axhline``/``axvline`` reference lines that
    carry no legend label), each bar container (its first bar's colour), labelled patches, and
    each collection (one series per distinct face or edge colour)."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba
    from matplotlib.container import BarContainer
    from matplotlib.patches import Patch

    out = {}
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        bg = to_rgba(ax.get_facecolor())
        series = []
        for line in ax.get_lines():
            if not line.get_visible() or not len(line.get_xdata()):
                continue
            label = line.get_label()
            labelled = not label.startswith("_")
            if not labelled and line not in data_lines(ax):
                continue
            if not np.any(np.isfinite(np.asarray(line.get_ydata(), float))):
                continue
            ls, marker = _norm_linestyle(line.get_linestyle()), str(line.get_marker())
            if ls == "None" and marker in ("None", "none", "", " "):
                continue
            color = line.get_color() if ls != "None" else line.get_markerfacecolor()
            rgba = to_rgba(color, line.get_alpha())
            width = line.get_linewidth() if ls != "None" else line.get_markersize()
            series.append((label, "line", _over(rgba, bg), (ls, marker, width)))
        in_containers = set()
        for container in ax.containers:
            if isinstance(container, BarContainer):
                bars = [p for p in container.patches if p.get_visible()]
                in_containers.update(id(p) for p in container.patches)
                if bars:
                    p = bars[0]
                    series.append(
                        (container.get_label(), "bar", _over(p.get_facecolor(), bg), p.get_hatch())
                    )
        for p in ax.patches:
            if (
                id(p) in in_containers
                or not p.get_visible()
                or not isinstance(p, Patch)
                or not p.get_label()
                or p.get_label().startswith("_")
            ):
                continue
            series.append((p.get_label(), "patch", _over(p.get_facecolor(), bg), p.get_hatch()))
        for coll in ax.collections:
            if not isinstance(coll, Collection) or not coll.get_visible():
                continue
            colours = coll.get_facecolor()
            if not len(colours):
                colours = coll.get_edgecolor()
            kind = type(coll).__name__
            seen = []
            for c in colours:
                c = tuple(np.round(c, 4))
                if c not in seen:
                    seen.append(c)
                    style = (coll.get_hatch(), str(coll.get_linestyle()))
                    series.append((coll.get_label(), kind, _over(c, bg), style))
        if series:
            out[ax] = series
    return out


#: Two lines whose widths (or marker sizes) differ by at least this factor look different
#: without colour (lesson 07's σ_max drawn thick among the other singular values drawn thin).
WIDTH_RATIO = 1.8


def _same_style(s1, s2):
    """Whether two series' styles (from :func:`figure_series`) look alike without colour."""
    if (
        isinstance(s1, tuple) and isinstance(s2, tuple) and len(s1) == len(s2) == 3
    ):  # lines: (line style, marker, width)
        (ls1, m1, w1), (ls2, m2, w2) = s1, s2
        return ls1 == ls2 and m1 == m2 and max(w1, w2) < WIDTH_RATIO * max(min(w1, w2), 1e-9)
    return s1 == s2


def colour_confusions(fig, threshold=MIN_DELTA_E, kinds=("normal", "deuteranopia", "protanopia")):
    """The pairs of series in one axes of ``fig`` that a reader must tell apart, that share
    kind and style (line style, marker and width; hatch) and whose colours a reader of some
    ``kinds`` sees less than ``threshold`` CIEDE2000 apart: a list of
    ``(axes title, name 1, name 2, vision, ΔE)``, with the least ΔE of each pair.

    A reader must tell two series apart when a legend (of the axes or of the figure) names at
    least one of them: a bundle of unlabelled lines (lesson 06's hidden units) is one thing.
    Series of one identical colour are taken as one quantity drawn twice, unless both carry
    labels (then the legend names two things a reader cannot tell apart)."""
    bad = []
    figure_legend = bool(fig.legends)
    for ax, series in figure_series(fig).items():
        title = ax.get_title() or ax.get_ylabel() or ax.get_xlabel() or f"axes {fig.axes.index(ax)}"
        legend = figure_legend or ax.get_legend() is not None

        def named(name, legend=legend):
            return legend and bool(name) and not name.startswith("_")

        for i, (n1, k1, c1, s1) in enumerate(series):
            for n2, k2, c2, s2 in series[i + 1 :]:
                if k1 != k2 or not _same_style(s1, s2) or not (named(n1) or named(n2)):
                    continue
                same = np.allclose(c1, c2, atol=1e-3)
                if same and not (named(n1) and named(n2) and n1 != n2):
                    continue
                worst = min((seen_delta_e(c1, c2, kind), kind) for kind in kinds)
                if worst[0] < threshold:
                    bad.append((title, n1, n2, worst[1], round(worst[0], 1)))
    return bad


def notebook_figures(path):
    """Every figure that the code cells of the notebook at ``path`` show with ``plt.show()``
    (IPython magics left out, ``display`` silent, printed output discarded), each drawn on an
    Agg canvas at its own dpi: a list of ``(cell index, figure)``."""
    import contextlib
    import io

    import IPython.display
    import matplotlib.pyplot as plt

    nb = nbformat.read(path, as_version=4)
    namespace = {"__name__": "__main__"}
    shown, cell = [], [None]

    def capture(*args, **kwargs):
        for number in plt.get_fignums():
            fig = plt.figure(number)
            fig.canvas.draw()
            shown.append((cell[0], fig))
        plt.close("all")

    backend = matplotlib.get_backend()
    plt.switch_backend("agg")
    show, display = plt.show, IPython.display.display
    plt.show, IPython.display.display = capture, lambda *args, **kwargs: None
    try:
        plt.close("all")
        # (the lesson's rcParams, e.g. lesson 05's dpi of 80, are undone after it)
        with matplotlib.rc_context(), contextlib.redirect_stdout(io.StringIO()):
            for k, c in enumerate(nb.cells):
                if c.cell_type != "code":
                    continue
                cell[0] = k
                code = "\n".join(
                    line for line in c.source.splitlines() if not line.lstrip().startswith("%")
                )
                exec(compile(code, f"{Path(path).name} cell {k}", "exec"), namespace)
                capture()  # a figure left open at the end of a cell is shown too (inline)
    finally:
        plt.show, IPython.display.display = show, display
        plt.switch_backend(backend)
    return shown


def small_texts(fig, min_points=8.0):
    """The visible texts of ``fig`` (tick labels, legend entries, titles, annotations) set in
    fewer than ``min_points`` points: a list of ``(size, text)``. Tick labels of ticks that a
    draw leaves out (outside the axis's view) are not counted."""
    from matplotlib.text import Text

    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = {id(t) for t in axis._update_ticks()}
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(tick) not in drawn:
                    undrawn.update(id(a) for a in tick.get_children())
    return [
        (t.get_fontsize(), t.get_text())
        for t in fig.findobj(Text)
        if id(t) not in undrawn
        and t.get_visible()
        and t.get_text().strip()
        and t.get_fontsize() < min_points
    ]
