"""Every slider figure keeps its data on its axes, at every end of every slider.

For each factory of ``rnnlib.course.figures()`` (every lesson module's ``FIGURES``) the sliders
are set to their ends: all 2^k corners (each slider at its min or max) when an explorer has k <= 6
sliders, otherwise each slider at each end with the others at their defaults, plus all at min and
all at max. At each setting, every plotted data point of every axes (Line2D vertices,
PathCollection offsets, Rectangle corners: bars and spans) is mapped through its own transform to
pixels and must lie inside the axes' box (half a pixel of round-off allowed). Non-finite points are
not drawn by matplotlib and are skipped. Clipping a value onto the frame to pass this is not the
fix: an explorer either widens its axes to the data or keeps its slider ranges inside them (lesson
00's test checks that the drawn a_t are the computed ones).

The self-tests at the end show the check is able to fail: points, lines, bars and scatter points
off the chart are caught.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

from rnnlib import course
from rnnlib.course.sliders import Explorer, Slider, new_figure

PIXEL_TOLERANCE = 0.5  # a line or bar may touch the frame (sub-pixel round-off)

FACTORIES = [pytest.param(stage, f, id=f"{stage}-{f.__name__}") for stage, f in course.figures()]


def corners(ex: Explorer):
    """The slider settings to check (dicts name -> value), as the module docstring says."""
    names = list(ex.sliders)
    ends = {n: (ex.sliders[n].min, ex.sliders[n].max) for n in names}
    if len(names) <= 6:
        return [dict(zip(names, c, strict=True)) for c in itertools.product(*ends.values())]
    out = [{n: e for n in names} for e in (0, 1)]
    out = [{n: ends[n][i[n]] for n in names} for i in out]
    for n in names:
        out += [{n: ends[n][0]}, {n: ends[n][1]}]
    return out


def off_axes(fig):
    """Descriptions of the data points of ``fig`` that lie outside their axes (empty: none)."""
    bad = []
    for i, ax in enumerate(fig.axes):
        ax.get_xlim(), ax.get_ylim()  # settles any pending autoscale, as a draw would
        x0, y0, x1, y1 = ax.bbox.extents
        tol = (-PIXEL_TOLERANCE, -PIXEL_TOLERANCE)
        items = []
        for line in ax.lines:
            if line.get_visible() and len(line.get_xydata()):
                pts = line.get_transform().transform(line.get_xydata())
                items.append((f"line {line.get_label()!r}", pts, tol))
        for coll in ax.collections:
            if isinstance(coll, PathCollection) and coll.get_visible():
                offs = coll.get_offsets()
                if len(offs):
                    pts = coll.get_offset_transform().transform(np.asarray(offs, float))
                    items.append((f"points {coll.get_label()!r}", pts, tol))
        for p in ax.patches:
            if isinstance(p, Rectangle) and p.get_visible():
                items.append((f"bar/span {p.get_label()!r}", p.get_verts(), tol))
        for what, pts, (dx, dy) in items:
            pts = np.asarray(pts, float)
            pts = pts[np.all(np.isfinite(pts), axis=1)]
            out = (
                (pts[:, 0] < x0 + dx)
                | (pts[:, 0] > x1 - dx)
                | (pts[:, 1] < y0 + dy)
                | (pts[:, 1] > y1 - dy)
            )
            if out.any():
                data = np.round(ax.transData.inverted().transform(pts[out][:3]), 3).tolist()
                xlim, ylim = (np.round(lim, 3).tolist() for lim in (ax.get_xlim(), ax.get_ylim()))
                bad.append(
                    f"axes {i} ({ax.get_title()!r}): {what}: {int(out.sum())} point(s) off the "
                    f"axes, e.g. (data) {data} with xlim {xlim}, ylim {ylim}"
                )
    return bad


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_data_stay_on_the_axes_at_every_slider_end(stage, factory):
    ex = factory()
    defaults = dict(ex.values)
    settings = [{}, *corners(ex)]
    problems = []
    for setting in settings:
        ex.set(**{**defaults, **setting})
        ex.fig.canvas.draw()
        problems += [f"at {setting or 'defaults'}: {b}" for b in off_axes(ex.fig)]
    assert not problems, f"{stage} {factory.__name__}:\n" + "\n".join(problems)
    assert len(settings) >= 3


def test_corners_all_when_few_sliders_else_each_end_plus_all_min_and_all_max():
    def fake(k):
        ex = object.__new__(Explorer)
        ex.sliders = {f"s{j}": Slider(-j - 1.0, j + 1.0, 0.1, 0.0) for j in range(k)}
        return ex

    c3 = corners(fake(3))
    assert len(c3) == 8 and {tuple(sorted(c.items())) for c in c3}.__len__() == 8
    assert {"s0": -1.0, "s1": -2.0, "s2": -3.0} in c3 and {"s0": 1.0, "s1": 2.0, "s2": 3.0} in c3
    c7 = corners(fake(7))
    assert len(c7) == 2 + 2 * 7
    assert c7[0] == {f"s{j}": -j - 1.0 for j in range(7)}
    assert c7[1] == {f"s{j}": j + 1.0 for j in range(7)}
    assert {"s6": 7.0} in c7 and {"s0": -1.0} in c7


# ---------------------------------------------------------------------------------------------
# the check can fail


def _fig(y, marker="o"):
    fig = new_figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0.0, 1.0], [0.0, 0.0], "-")
    ax.plot([0.5, 0.6], y, marker)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1, 1)
    fig.canvas.draw()
    return fig


def test_check_passes_data_inside_and_catches_data_outside():
    assert off_axes(_fig([0.2, -0.5])) == []
    bad = off_axes(_fig([0.2, 1.7]))
    assert len(bad) == 1 and "1 point(s) off" in bad[0] and "1.7" in bad[0]
    bad = off_axes(_fig([0.2, -1.2], marker="-"))  # a plain line, too
    assert len(bad) == 1


def test_check_allows_a_point_on_the_frame_but_not_a_pixel_beyond():
    assert off_axes(_fig([0.2, 1.0])) == []
    assert len(off_axes(_fig([0.2, 1.02]))) == 1


def test_check_sees_bars_and_scatter_points():
    fig = new_figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.bar([0.0], [2.0])
    ax.scatter([0.5], [1.5])
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    fig.canvas.draw()
    bad = off_axes(fig)
    assert len(bad) == 2
    assert any("bar/span" in b and "[0.4, 2.0]" in b for b in bad)
    assert any("points" in b and "[0.5, 1.5]" in b for b in bad)
