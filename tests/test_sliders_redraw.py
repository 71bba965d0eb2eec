"""The fast redraw is the true picture: for every lesson's slider figure, after each slider move
the PNG the explorer makes (its fast path: :func:`rnnlib.course.sliders.freeze_static` pastes the
cached static picture and draws only the listed moving artists over it) equals a full redraw of
the same figure in the same state (matplotlib's own ``Figure.draw``, no cache).

``freeze_static`` relies on hand-kept lists of the artists an update moves, and on the update
calling ``invalidate()`` after changing a static artist (an axis's limits, unless the axes is
listed as ``rescaled``). A moving artist missing
from a list (and drawn before every listed one, so that ``freeze_static`` does not redraw it as an
overlay) shows a stale picture: its old position stays in the cached background, its new one is
never drawn; a static change without ``invalidate()`` keeps the old axis. Where a static artist
that a full draw puts above a moving one (a frame, a legend, a reference line) were not redrawn
over it, or artists were drawn out of z-order, the pixels where they overlap would change. Each of
these makes the two pictures differ, so the comparison is exact: the same figure, the same
renderer size and the same Agg antialiasing give the same pixels when the same artists are drawn
in the same order, so the tolerance is zero differing pixels (measured: every move of every
figure matches exactly; before ``freeze_static`` redrew the overlays in z-order, 4 to 281 pixels
differed per figure, where lines crossed frames and reference lines). The self-tests at the end
show the check fails on a missing artist and on a missing ``invalidate()``; so does dropping the
bars from lesson 00's list (2546 pixels) or, when lesson 01 still invalidated on a rescale, that
``invalidate()`` (1647 pixels).

Each slider is moved to its minimum, its middle (snapped to its step), its maximum and back to
its default, one after the other as a reader would, with the other sliders where they were left.

Axes whose limits step between a few ranges (lesson 00's a_t chart, lesson 02's parabola) are
``rescaled`` in ``freeze_static``: one static picture per range, all made at the first draw from
the ``ranges`` the figure lists. Each slider is also swept over its range, up and back down, and
wherever some axes' limits change (to a range not shown yet, or back to one shown before, whose
picture is cached) the pictures are compared; the sweeps must cross a range change in both
directions and come back to a cached range. The figures that list their ranges must list every
range their sliders reach: after the first draw, no slider move draws an x- or y-axis again (the
count of ``Axis.draw`` calls, not a timing).
"""

from __future__ import annotations

import contextlib
import io

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from rnnlib import course
from rnnlib.course.lesson00 import forward_explorer
from rnnlib.course.lesson02 import output_weight_explorer
from rnnlib.course.sliders import Explorer, Slider, freeze_static, new_figure

MAX_DIFFERENT_PIXELS = 0  # see the module docstring: the same drawing gives the same pixels

FACTORIES = [pytest.param(stage, f, id=f"{stage}-{f.__name__}") for stage, f in course.figures()]


def pixels(png):
    return mpimg.imread(io.BytesIO(png), format="png")


def full_redraw_png(ex):
    """The explorer's figure in its current state drawn completely, bypassing the static cache
    (``freeze_static`` replaces ``fig.draw`` on the instance; the class's draw is matplotlib's)."""
    fig = ex.fig
    fast_draw = fig.__dict__.get("draw")
    if fast_draw is None:  # not frozen: every draw is a full draw already
        return ex.png()
    del fig.draw
    try:
        return ex.png()
    finally:
        fig.draw = fast_draw


def different_pixels(ex):
    """The number of pixels where the fast picture and a full redraw differ (and both shapes)."""
    fast, full = pixels(ex.png()), pixels(full_redraw_png(ex))
    if fast.shape != full.shape:
        return fast.size, fast.shape, full.shape
    return int(np.any(fast != full, axis=-1).sum()), fast.shape, full.shape


def _name(artist):
    """An artist as an author finds it in a lesson module: its type, label or text, z-order."""
    what = artist.get_text() if isinstance(artist, Text) else artist.get_label()
    what = f" {what[:20]!r}" if isinstance(what, str) and what and what[0] != "_" else ""
    return f"{type(artist).__name__}{what} (z-order {artist.get_zorder():g})"


def where_they_differ(ex):
    """Where the fast picture and a full redraw differ, in the figure's terms: the pixel box, each
    axes that holds some of those pixels (by its number and title or y-label) and that axes'
    artists whose extent overlaps the box: the moving artist missing from ``freeze_static``'s
    list is among them, or the static one changed without ``invalidate()``."""
    fast, full = pixels(ex.png()), pixels(full_redraw_png(ex))
    if fast.shape != full.shape:
        return f"the pictures differ in size ({fast.shape} vs {full.shape})"
    rows, cols = np.nonzero(np.any(fast != full, axis=-1))
    if rows.size == 0:
        return "nowhere"
    height = fast.shape[0]
    ys = height - rows  # display coordinates count from the bottom, image rows from the top
    box = (cols.min(), ys.min(), cols.max() + 1, ys.max() + 1)
    parts = [f"pixels x {box[0]}-{box[2]}, y {box[1]}-{box[3]} from the bottom left"]
    renderer = ex.fig.canvas.get_renderer()
    for i, ax in enumerate(ex.fig.axes):
        bb = ax.get_tightbbox(renderer)
        inside = (cols >= bb.x0) & (cols <= bb.x1) & (ys >= bb.y0) & (ys <= bb.y1)
        if not inside.any():
            continue
        title = ax.get_title() or ax.get_ylabel() or ax.get_xlabel()
        near = []
        for artist in ax.get_children():
            if not artist.get_visible() or (isinstance(artist, Text) and not artist.get_text()):
                continue  # (an axes holds empty titles)
            try:  # an axis's box holds its ticks and tick labels
                ext = artist.get_tightbbox(renderer)
            except (TypeError, ValueError, NotImplementedError):
                continue
            if ext is not None and ext.overlaps(Bbox.from_extents(*box)):
                near.append(_name(artist))
        parts.append(
            f"axes {i} ({title!r}): {int(inside.sum())} of them; its artists there: "
            + (", ".join(near[:6]) + (", ..." if len(near) > 6 else "") if near else "none")
        )
    return "; ".join(parts)


def positions(s: Slider):
    """The slider's minimum, middle (snapped to its step), maximum, and its default."""
    middle = s.min + round((s.max - s.min) / 2 / s.step) * s.step
    if s.integer:
        return [int(s.min), int(middle), int(s.max), int(s.value)]
    return [s.min, float(np.clip(middle, s.min, s.max)), s.max, s.value]


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_fast_redraw_equals_a_full_redraw_after_every_move(stage, factory):
    ex = factory()
    ex.png()  # the first picture after building makes the static cache (as show() does)
    bad = []
    n, *_ = different_pixels(ex)
    if n > MAX_DIFFERENT_PIXELS:
        bad.append(f"at the defaults: {n} pixels differ")
    for name, s in ex.sliders.items():
        for value in positions(s):
            ex.step(**{name: value})
            n, *_ = different_pixels(ex)
            if n > MAX_DIFFERENT_PIXELS:
                bad.append(f"{name}={value}: {n} pixels differ, {where_they_differ(ex)}")
    assert not bad, (
        f"{stage} {factory.__name__}: the fast redraw differs from a full redraw (a moving "
        f"artist missing from freeze_static's list, a static change without invalidate(), or "
        f"a moving artist below z-order 1.5 that reaches a tick; see freeze_static): "
        + "; ".join(bad)
    )


def limits(fig):
    """The limits of every axes of ``fig``: what changes when a chart changes range."""
    return tuple((ax.get_xlim(), ax.get_ylim()) for ax in fig.axes)


def sweep(s: Slider, points=9):
    """``points`` values from the slider's minimum to its maximum (on its step grid), back down to
    its minimum, then its default."""
    up = [
        s.min + round((s.max - s.min) * i / (points - 1) / s.step) * s.step for i in range(points)
    ]
    up = [int(v) if s.integer else float(np.clip(v, s.min, s.max)) for v in up]
    return [*up, *up[-2::-1], s.value]


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_fast_redraw_equals_a_full_redraw_where_a_chart_changes_range(stage, factory):
    ex = factory()
    ex.png()
    shown = {limits(ex.fig)}
    bad, changes = [], {"to a new range": 0, "back to a range shown before": 0}
    for name, s in ex.sliders.items():
        for value in sweep(s):
            before = limits(ex.fig)
            ex.step(**{name: value})
            now = limits(ex.fig)
            if now == before:
                continue
            changes["back to a range shown before" if now in shown else "to a new range"] += 1
            shown.add(now)
            n, *_ = different_pixels(ex)
            if n > MAX_DIFFERENT_PIXELS:
                bad.append(f"{name}={value}: {n} pixels differ, {where_they_differ(ex)}")
    assert not bad, (
        f"{stage} {factory.__name__}: the fast redraw differs from a full redraw after a range "
        "change: " + "; ".join(bad)
    )
    if factory in (forward_explorer, output_weight_explorer):  # the charts that change range
        assert all(changes.values()), f"the sweeps missed a kind of range change: {changes}"


@contextlib.contextmanager
def counting_axis_draws(fig):
    """Counts the draws of every x- and y-axis of ``fig`` (a full draw draws them all; the fast
    path draws them only to make the picture of a range not cached yet)."""
    count = {"draws": 0}
    axes = [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
    for axis in axes:

        def draw(renderer, _draw=axis.draw):
            count["draws"] += 1
            return _draw(renderer)

        axis.draw = draw
    try:
        yield count
    finally:
        for axis in axes:
            del axis.draw


def far_settings(ex, points):
    """Slider settings that take the charts through their ranges: from the defaults, from every
    slider at its minimum and from every slider at its maximum, each slider swept alone (over
    ``points`` values, see :func:`sweep`) and put back."""
    out = []
    for start in ("value", "min", "max"):
        out.append({n: getattr(s, start) for n, s in ex.sliders.items()})
        for name, s in ex.sliders.items():
            out += [{name: v} for v in sweep(s, points)[:-1]] + [{name: getattr(s, start)}]
    return out


@pytest.mark.parametrize(
    ("factory", "points", "ranges"), [(forward_explorer, 3, 3), (output_weight_explorer, 23, 8)]
)
def test_every_range_a_slider_reaches_is_cached_when_the_figure_is_first_drawn(
    factory, points, ranges
):
    ex = factory()
    ex.png()  # the first picture: the cache, with a picture for each listed range
    seen = {limits(ex.fig)}
    with counting_axis_draws(ex.fig) as count:
        ex.png()
        assert count["draws"] == 0  # the picture is pasted, the axes are not redrawn
        for values in far_settings(ex, points):
            ex.set(**values)
            ex.fig.canvas.draw()
            seen.add(limits(ex.fig))
            assert count["draws"] == 0, f"at {ex.values}: a range that was not cached"
    assert len(seen) == ranges  # the settings did reach every range (lesson 02: 8 sizes)


def test_a_range_not_listed_is_drawn_once_then_cached():
    ex = tiny_explorer(rescaled=True)
    ex.png()
    with counting_axis_draws(ex.fig) as count:
        ex.step(w=2.0)  # the y-axis grows to 2.4: its picture is made (x- and y-axis drawn once)
        assert count["draws"] == 2 and different_pixels(ex)[0] == 0
        count["draws"] = 0
        for w in (0.5, 2.0, 1.5, 0.1):  # back and forth between the two ranges: both cached
            ex.step(w=w)
        assert count["draws"] == 0
    assert different_pixels(ex)[0] == 0


def test_listed_ranges_are_made_at_the_first_draw_and_the_limits_put_back():
    ex = tiny_explorer(rescaled=True, ranges=True)
    assert ex.fig.axes[0].get_ylim() == (0.0, 1.2)
    ex.png()
    assert ex.fig.axes[0].get_ylim() == (0.0, 1.2)  # the warm-up left the axes as they were
    assert different_pixels(ex)[0] == 0
    with counting_axis_draws(ex.fig) as count:
        for w in (2.0, 0.5, 1.9):
            ex.step(w=w)
            assert different_pixels(ex)[0] == 0
        assert count["draws"] == 2 * 3  # only the three full redraws of the check itself


# -- self-tests: the check can fail -------------------------------------------------------------
def tiny_explorer(list_the_line=True, invalidate_on_rescale=True, rescaled=False, ranges=False):
    """A line and a marker (drawn after it) that both move with ``w``; the y-axis grows when w
    passes 1. ``rescaled``: its axes are listed as rescaled (no ``invalidate()`` needed);
    ``ranges``: with both of its ranges."""
    fig = new_figure(figsize=(3.0, 2.0))
    ax = fig.add_subplot()
    xs = np.linspace(0.0, 1.0, 20)
    (line,) = ax.plot(xs, xs, color="C0")
    (marker,) = ax.plot([0.5], [0.5], "o", color="C3", ms=8)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.2)
    frozen = {"invalidate": lambda: None}

    def update(w):
        line.set_ydata(w * xs)
        marker.set_data([0.5], [0.5 * w])
        top = 1.2 if w <= 1.0 else 2.4
        if ax.get_ylim() != (0.0, top):
            ax.set_ylim(0.0, top)
            if invalidate_on_rescale:
                frozen["invalidate"]()
        return {"w": w}

    moving = [line, marker] if list_the_line else [marker]
    if rescaled:
        invalidate_on_rescale = False
        limits = [[((0.0, 1.0), (0.0, top))] for top in (1.2, 2.4)] if ranges else []
        frozen["invalidate"] = freeze_static(fig, moving, rescaled=[ax], ranges=limits)
    else:
        frozen["invalidate"] = freeze_static(fig, moving)
    return Explorer(fig, update, {"w": Slider(0.0, 2.0, 0.1, 0.5, "w")})


def test_the_check_passes_a_correct_figure():
    ex = tiny_explorer()
    ex.png()
    for w in (0.0, 0.9, 2.0, 0.5):
        ex.step(w=w)
        assert different_pixels(ex)[0] == 0


def test_the_check_catches_a_moving_artist_missing_from_the_list():
    ex = tiny_explorer(list_the_line=False)
    ex.png()
    ex.step(w=0.1)
    assert different_pixels(ex)[0] > 20  # the line is stale: drawn at w = 0.5, not at 0.1
    where = where_they_differ(ex)  # the failure message names the axes and the line in it
    assert "axes 0" in where and "Line2D" in where, where


def test_where_they_differ_says_nowhere_for_a_correct_figure():
    ex = tiny_explorer()
    ex.png()
    ex.step(w=0.1)
    assert where_they_differ(ex) == "nowhere"


def test_the_check_catches_a_static_change_without_invalidate():
    ex = tiny_explorer(invalidate_on_rescale=False)
    ex.png()
    ex.step(w=2.0)  # the y-axis grows to 2.4, but the cached picture keeps the old tick labels
    assert different_pixels(ex)[0] > 20


def test_full_redraw_restores_the_fast_path():
    ex = tiny_explorer()
    fast = ex.fig.draw
    full_redraw_png(ex)
    assert ex.fig.draw is fast
