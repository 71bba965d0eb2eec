"""Slider-driven figures: the one mechanism behind every lesson's weight sliders.

Each lesson's figures are built in its module (:mod:`rnnlib.course.lesson00` …), listed in its
``FIGURES``; this module is what they are built with.

An :class:`Explorer` couples a matplotlib :class:`~matplotlib.figure.Figure` (built once) with a
plain function ``update(**values) -> state`` that recomputes the model and *moves the existing
artists* (``set_data``, ``set_height``, ``set_text``); it never rebuilds the figure. The state it
returns (a dict of numbers) is what tests assert on, and what the text readout prints.

- ``Explorer.set(**values)`` is the whole callback without any widget: tests call it directly.
- ``Explorer.widget()`` wraps it in ipywidgets: sliders, the figure as an ``Image`` widget
  (a PNG re-rendered on every move; no interactive backend needed), and a readout.
- ``Explorer.show()`` displays a static PNG at the current values first (so a reader without a
  running kernel still sees the picture), then the live widget.
"""

from __future__ import annotations

import functools
import io
import math
import time
from dataclasses import dataclass

import numpy as np
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.spines import Spine

from .._validate import as_count
from .checking import fill_text

__all__ = [
    "Slider",
    "Explorer",
    "new_figure",
    "freeze_static",
    "slider_range",
    "slider_count",
    "signed",
]

# zlib level of the explorer's PNGs. A slider move re-encodes the whole figure: at Pillow's
# default (6) that took 6.6-11.1 ms of a 20-30 ms update for the course's figures, at level 1
# 4.2-7.8 ms, the files 0-7% larger (22-62 kB), the pixels the same (PNG is lossless). Level 0
# (no compression) is faster still to encode, but 20-30 times larger to send and to decode.
PNG_COMPRESS_LEVEL = 1

# The readout's line height (CSS): 20 px for the 13 px text.
READOUT_LINE_HEIGHT = "20px"


def new_figure(figsize=(8.0, 3.2), dpi=80, **subplot_kw):
    """A figure with its own Agg canvas and no pyplot state (safe to update from a callback)."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def slider_count(name, n, minimum=0):
    """A count that a slider (or a call of ``set``) gives, as an int: 60 or 60.0, not 2.5 (which
    ``int()`` would silently make 2), or ``ValueError`` naming ``name``."""
    if isinstance(n, (float, np.floating)) and math.isfinite(n) and float(n).is_integer():
        n = int(n)
    return as_count(name, n, minimum)


def slider_range(name, r, low_above_zero=False):
    """A slider's range ``r`` as two finite floats ``(low, high)`` with ``low < high`` (and
    ``0 < low`` if asked), or ``ValueError`` naming ``name``, what it expects and what came."""
    want = "(low, high) with " + ("0 < low < high" if low_above_zero else "low < high")
    try:
        if isinstance(r, (str, bytes)):  # ("12" would unpack into 1.0 and 2.0)
            raise TypeError
        lo, hi = (float(x) for x in r)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {want}, two numbers, got {r!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{name}: expected {want}, two finite numbers, got {r}")
    if not (lo < hi and (lo > 0 or not low_above_zero)):
        raise ValueError(f"{name}: expected {want}, got {r}")
    return lo, hi


def signed(x, decimals):
    """``x`` with its sign to ``decimals`` places; a value that rounds to zero is ``+0.000``.

    ``f"{x:+.3f}"`` prints -0.0002 as ``-0.000``, a negative zero beside numbers that add up."""
    return f"{round(float(x), decimals) + 0.0:+.{decimals}f}"  # + 0.0 turns -0.0 into 0.0


@dataclass
class Slider:
    """Description of one slider: a label (may use unicode math), range, step and start value."""

    min: float
    max: float
    step: float
    value: float
    label: str | None = None
    integer: bool = False

    def on_grid(self, value):
        """The slider position ``min + k·step`` nearest ``value``, free of binary round-off.

        The browser's slider sends ``min + k·step`` as it computes it in floating point, e.g.
        0.39999999999999997 for 0.4 or 1.4000000000000001 for 1.4: two sliders set to the same
        printed number would then differ, and a readout would say ŷ − y = −0.0000 and "increase
        ŷ" at ŷ = y = 1.40. Rounded to 10 decimals, every position is the float the label shows.
        """
        k = round((value - self.min) / self.step)
        on = min(max(self.min + k * self.step, self.min), self.max)
        return int(round(on)) if self.integer else round(on, 10)


class Explorer:
    """A figure, a pure update function and the sliders that drive it.

    Parameters
    ----------
    fig : matplotlib Figure, built once
    update : callable ``update(**values) -> dict``; moves the figure's artists, returns the state
    sliders : dict name -> :class:`Slider`; ``values`` passed to ``update`` use these names
    readout : callable ``readout(state) -> str`` (HTML), optional text shown under the figure
    """

    def __init__(self, fig, update, sliders, readout=None):
        for name, s in sliders.items():
            # ipywidgets would clamp a start outside [min, max] to the nearest end: the slider
            # would show one value while the picture and the readout are drawn at another
            if not s.min < s.max:
                raise ValueError(
                    f"{name}: expected a slider range with min < max, got [{s.min}, {s.max}]"
                )
            if not s.min <= s.value <= s.max:
                raise ValueError(
                    f"{name}: expected a starting value within the slider's range "
                    f"[{s.min:g}, {s.max:g}], got {s.value:g}"
                )
        self.fig = fig
        self._update = update
        self.sliders = dict(sliders)
        self._readout = readout
        self.values = {k: s.value for k, s in self.sliders.items()}
        self.state = update(**self.values)
        # Lay the figure out once (constrained layout is slow), then freeze it: slider moves only
        # change artists' data, never the layout. The layout measures the text but draws
        # nothing (what a draw would do first), so the figure is drawn once, when first shown.
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
        fig.set_layout_engine("none")
        self.last_update_seconds = 0.0
        self._image = self._html = None

    # -- the callback, without any widget ---------------------------------------------------
    def set(self, **values):
        """Change some slider values, recompute, move the artists; return the new state.

        For code (tests, benchmarks, a lesson's own probe explorer): the widget's sliders, where
        it is shown, stay where the learner left them. A lesson cell that needs numbers at other
        values builds an explorer of its own rather than moving the one on the page."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise ValueError(
                f"values: expected names among {sorted(self.sliders)}, got {sorted(unknown)}"
            )
        merged = {**self.values, **values}
        # committed only once the update succeeds: a refused value (an update that raises)
        # leaves the explorer at its last good values, not stuck on the bad one
        self.state = self._update(**merged)
        self.values = merged
        return self.state

    def png(self):
        """The figure at the current values, as PNG bytes."""
        buf = io.BytesIO()
        self.fig.canvas.print_png(buf, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
        return buf.getvalue()

    def readout(self):
        return self._readout(self.state) if self._readout else ""

    def step(self, **values):
        """One full slider update, as the widget does it: recompute, redraw, refresh the readout.

        Records its wall time in ``last_update_seconds`` (benchmarks read it)."""
        t0 = time.perf_counter()
        self.set(**values)
        image = self.png()
        text = self.readout()
        if self._image is not None:
            self._image.value = image
            self._html.value = text
        self.last_update_seconds = time.perf_counter() - t0
        return self.state

    # -- ipywidgets ------------------------------------------------------------------------
    def widget(self, image=None):
        """Sliders, the figure and the readout as one ipywidgets box.

        ``image``: the figure's PNG at the current values, where the caller has it already."""
        import ipywidgets as W

        controls = []
        for name, s in self.sliders.items():
            cls = W.IntSlider if s.integer else W.FloatSlider
            kw = {} if s.integer else {"readout_format": ".3g"}
            sl = cls(
                value=self.values[name],
                min=s.min,
                max=s.max,
                step=s.step,
                description=s.label or name,
                continuous_update=True,
                style={"description_width": "initial"},
                layout=W.Layout(width="360px"),
                **kw,
            )
            sl.observe(
                lambda ch, name=name, s=s: self.step(**{name: s.on_grid(ch["new"])}),
                names="value",
            )
            controls.append(sl)
        # At the PNG's own pixel size (shrunk only on a narrow page): a VBox would stretch it to
        # the page's width, and an upscaled PNG is blurry. No side margins: shrunk, the image is
        # 100% of the box wide, and ipywidgets' 2 px on each side made the box scroll sideways.
        self._image = W.Image(
            value=self.png() if image is None else image,
            format="png",
            layout=W.Layout(align_self="flex-start", margin="2px 0px"),
        )
        self._html = W.HTML(value=self.readout())
        self._html.add_class("rnnlib-readout")
        # Once the live widget renders, hide the static picture shown before it (see show()).
        # The readout's lines at the text's own line height, not at a widget's row height (28 px),
        # and a table's rows without space between them: lesson 00's readout (a table of three
        # rows and a line) was 124 px tall, now 80.
        hide_static = W.HTML(
            "<style>.jp-OutputArea-child:has(~ .jp-OutputArea-child .rnnlib-explorer)"
            "{display: none} "
            f".rnnlib-readout .widget-html-content{{line-height: {READOUT_LINE_HEIGHT}}} "
            ".rnnlib-readout table{border-collapse: collapse} "
            ".rnnlib-readout td{padding-top: 0; padding-bottom: 0}</style>"
        )
        box = _explorer_box_class()(
            [
                W.HBox(controls, layout=W.Layout(flex_flow="row wrap")),
                self._image,
                self._html,
                hide_static,
            ]
        )
        box.add_class("rnnlib-explorer")
        box.plain_text = self.plain_text()
        return box

    def plain_text(self):
        """What the widget says where it cannot be shown (no kernel: GitHub, nbviewer, HTML, a
        saved notebook opened again): one sentence, wrapped at spaces (``fill_text``)."""
        names = [s.label or name for name, s in self.sliders.items()]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        sliders, them = ("a slider", "it") if len(names) == 1 else ("sliders", "them")
        return fill_text(
            f"Interactive figure with {sliders} for {listed} "
            f"(run the notebook to move {them}; the picture above is at the starting values)"
        )

    def show(self):
        """Display a static picture at the current values, then the live widget.

        The static PNG is what a reader without a kernel sees (and what the stored notebook
        keeps); in JupyterLab the live widget hides it once it renders.
        """
        from IPython.display import HTML, Image, display

        image = self.png()  # one rendering serves the static picture and the widget
        display(Image(image))
        if self._readout:
            display(HTML(self.readout()))
        display(self.widget(image))


@functools.cache
def _explorer_box_class():
    """An ipywidgets VBox whose text form (``text/plain``, what a notebook viewer without widget
    support shows, and ``repr``) is a sentence instead of the widget tree."""
    import ipywidgets as W

    class ExplorerBox(W.VBox):
        plain_text = "Interactive figure (run the notebook to use it)"

        def __repr__(self):
            return self.plain_text

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            if bundle:  # ipywidgets shortens text/plain to 110 characters: keep it whole
                bundle["text/plain"] = self.plain_text
            return bundle

    return ExplorerBox


# At most this many static pictures are kept for a figure, one for each set of limits of its
# rescaled axes (about 1 MB each at the course's sizes); the oldest is dropped first.
MAX_PICTURES = 16


def freeze_static(fig, dynamic, rescaled=(), ranges=()):
    """Draw everything of ``fig`` except the ``dynamic`` artists once, and reuse that picture.

    Rendering text is slow in Agg (about a millisecond for each tick label, legend entry or
    label), and a slider figure redraws all of it on every move although only a few lines, bars
    and numbers change. After this call, each draw of ``fig`` on an Agg canvas pastes the cached
    picture of the static part and draws only the ``dynamic`` artists over it (blitting).
    So ``dynamic`` must list every artist that ``update`` changes, and nothing else may change:
    a change to a static artist shows only after ``invalidate()`` (or, for the limits of an axes,
    when the axes is listed in ``rescaled``).

    The picture is the one a full draw makes: in each axes, the static artists that a full draw
    puts above a dynamic one (later in the axes' z-order: its frame, a legend, a reference line
    drawn after the data) and that lie on the axes' data area are left out of the cached picture
    too, and redrawn with the dynamic artists, all in the axes' own z-order. The axes' x- and
    y-axis (ticks, tick labels) are assumed to stay off the data area (no grid lines, ticks
    outward: matplotlib's defaults); list an axis among ``dynamic`` if it changes. A moving
    artist that reaches the frame (``axhline``) is drawn over the axes' ticks, which a full draw
    puts above any artist of z-order below theirs (1.5): keep such an artist at matplotlib's
    default z-order (2 for a line; a ``zorder=0.5`` to put it behind bars differs at a tick).
    ``tests/test_sliders_redraw.py`` checks every lesson's figure against a full draw.

    Axes whose limits ``update`` changes (an axis stepping between a few ranges) go in
    ``rescaled``. Their *ranged part* is what changes with the limits: their x- and y-axis and
    their static artists that lie on their data area or are placed in data coordinates. The
    cache then holds a base (the figure without the moving artists and without the ranged part,
    drawn once) and one picture for each set of limits met (the base with the ranged part drawn
    over it). So a move back to limits seen before costs no more than any other move, and new
    limits redraw only the ranged part, not the whole figure. The ranged part must depend on the
    limits only (a curve recomputed for a new range is set in an ``"xlim_changed"`` callback),
    and the other static artists of these axes (a title, a legend outside the frame) must stay
    off their data area at every limit. No ``invalidate()`` is needed when their limits change.

    The cache is (re)made at the first draw once the figure's layout is frozen (see
    :class:`Explorer`), and again whenever the canvas size or renderer changes; the pictures of
    ``ranges`` are made then too (so that no slider move has to), and the axes put back to their
    limits. Other renderers (PDF, SVG) always get a full draw.

    Parameters
    ----------
    fig : matplotlib Figure with an Agg canvas (:func:`new_figure`)
    dynamic : iterable of artists of ``fig`` that the slider update moves
    rescaled : iterable of axes of ``fig`` whose limits the slider update may change
    ranges : iterable of the limits that ``rescaled`` will take, each a sequence with one pair
        ``((xmin, xmax), (ymin, ymax))`` per axes of ``rescaled``; optional

    Returns
    -------
    invalidate : callable with no arguments; drops every cached picture.
    """
    dynamic = list(dynamic)
    rescaled = list(rescaled)
    ranges = list(ranges)
    full_draw = fig.draw
    cache = {}

    def limits():
        """The current limits of the rescaled axes: the key of a cached picture."""
        return tuple(
            (tuple(map(float, ax.get_xlim())), tuple(map(float, ax.get_ylim()))) for ax in rescaled
        )

    def set_limits(key):
        for ax, (xlim, ylim) in zip(rescaled, key, strict=True):
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)

    def remember(view, renderer):
        """Make the picture of the current limits and keep it under ``view``."""
        pictures = cache["pictures"]
        if len(pictures) >= MAX_PICTURES:
            pictures.pop(next(iter(pictures)))
        pictures[view] = make_picture(renderer)

    def make_base(renderer):
        """Draw the figure without the moving artists and the ranged part, and keep it."""
        # the artists drawn over the picture, for the axes whose limits never change
        fixed = {ax: _overlays(ax, dynamic, renderer) for ax in fig.axes if ax not in rescaled}
        ranged = {ax: _ranged_part(ax, dynamic, renderer) for ax in rescaled}
        hidden = [*dynamic, *(a for part in (*fixed.values(), *ranged.values()) for a in part)]
        shown = [a.get_visible() for a in hidden]
        for a in hidden:
            a.set_visible(False)
        try:
            full_draw(renderer)
        finally:
            for a, vis in zip(hidden, shown, strict=True):
                a.set_visible(vis)
        cache.update(base=renderer.copy_from_bbox(fig.bbox), fixed=fixed, ranged=ranged)

    def make_picture(renderer):
        """The base with the ranged part drawn at the current limits, and the artists to draw
        over it in the order of a full draw (which static ones lie over a moving one on the data
        area may depend on the limits)."""
        renderer.restore_region(cache["base"])
        over = {**cache["fixed"], **{ax: _overlays(ax, dynamic, renderer) for ax in rescaled}}
        for ax in rescaled:
            on_top = {id(a) for a in over[ax]}
            for a in cache["ranged"][ax]:
                if id(a) not in on_top and a.get_visible():
                    a.draw(renderer)
        moving = [a for ax in fig.axes for a in over.get(ax, ())]
        seen = {id(a) for a in moving}
        moving += [a for a in dynamic if id(a) not in seen]  # outside any axes: figure texts
        return renderer.copy_from_bbox(fig.bbox), moving

    def draw(renderer):
        engine = fig.get_layout_engine()
        frozen = engine is None or isinstance(engine, PlaceHolderLayoutEngine)
        if not frozen or not hasattr(renderer, "copy_from_bbox"):
            cache.clear()
            return full_draw(renderer)
        key = (id(renderer), renderer.width, renderer.height, fig.dpi)
        if cache.get("key") != key:
            cache.clear()
            cache.update(key=key, pictures={})
            make_base(renderer)
            # warm up: one picture for each range the axes will take, then back to the limits
            # (and autoscaling, which set_xlim turns off) they had
            now = limits()
            autoscale = [(ax.get_autoscalex_on(), ax.get_autoscaley_on()) for ax in rescaled]
            for view in ranges:
                set_limits(view)
                remember(limits(), renderer)
            set_limits(now)
            for ax, (x_on, y_on) in zip(rescaled, autoscale, strict=True):
                ax.set_autoscalex_on(x_on)
                ax.set_autoscaley_on(y_on)
        view = limits()
        if view not in cache["pictures"]:
            remember(view, renderer)
        picture, moving = cache["pictures"][view]
        renderer.restore_region(picture)
        for a in moving:
            if a.get_visible():
                a.draw(renderer)
        fig.stale = False

    fig.draw = draw
    return cache.clear


def _in_z_order(ax):
    """The children of ``ax`` that ``Axes.draw`` draws, in its order (a stable sort by z-order),
    without its background patch: none for a hidden axes, no x- and y-axis when its axis is off,
    no frame when its frame is off."""
    if not ax.get_visible():
        return []
    children = [
        a
        for a in ax.get_children()
        if a is not ax.patch
        and (ax.axison or not isinstance(a, Axis))
        and ((ax.axison and ax.get_frame_on()) or not isinstance(a, Spine))
    ]
    return sorted(children, key=lambda a: a.get_zorder())


def _overlays(ax, dynamic, renderer):
    """The artists of ``ax`` to draw over the cached picture, in the order a full draw draws them.

    Its children in z-order from the first dynamic one on: the dynamic ones, and the static ones
    that touch the axes' data area (not its x- or y-axis: see :func:`freeze_static`). Empty for
    an axes without dynamic artists."""
    ids = {id(a) for a in dynamic}
    order = _in_z_order(ax)
    first = next((i for i, a in enumerate(order) if id(a) in ids), len(order))
    return [
        a
        for a in order[first:]
        if id(a) in ids
        or (a.get_visible() and not isinstance(a, Axis) and _touches(a, ax, renderer))
    ]


def _ranged_part(ax, dynamic, renderer):
    """The static children of ``ax`` that change with its limits, in z-order: its x- and y-axis,
    and the artists placed in its data coordinates (even in x or y only, as its frame) or lying
    on its data area."""
    ids = {id(a) for a in dynamic}
    return [
        a
        for a in _in_z_order(ax)
        if id(a) not in ids
        and (isinstance(a, Axis) or _in_data_coordinates(a, ax) or _touches(a, ax, renderer))
    ]


def _in_data_coordinates(artist, ax):
    """Whether ``artist`` is placed (in x, y or both) in the data coordinates of ``ax``."""
    transforms = [artist.get_transform()]
    if hasattr(artist, "get_offset_transform"):  # scatter points: their offsets
        transforms.append(artist.get_offset_transform())
    return any(any(t.contains_branch_seperately(ax.transData)) for t in transforms)


def _touches(artist, ax, renderer):
    """Whether ``artist`` is drawn on the data area of ``ax`` (where clipped artists go).

    Without measuring it (a spine's extent costs as much as drawing its axis) when the answer is
    known, or harmless: the frame lies on the area's edge, and an artist clipped to the area can
    be drawn nowhere else (counting it while it lies off the area draws nothing more)."""
    if isinstance(artist, Spine) or _clipped_to_data_area(artist, ax):
        return True
    try:
        box = artist.get_window_extent(renderer)
    except Exception:  # an artist without an extent: assume it may overlap
        return True
    return box.width >= 0 and box.height >= 0 and ax.bbox.overlaps(box)


def _clipped_to_data_area(artist, ax):
    clip = artist.get_clip_box()
    return artist.get_clip_on() and clip is not None and clip.bounds == ax.bbox.bounds
