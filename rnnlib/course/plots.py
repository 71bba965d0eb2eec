"""The unrolled graph of the seed's scalar RNN, drawn with matplotlib (shared by the lessons).

:func:`draw_unrolled_graph` draws the seed's scalar RNN unrolled over T steps::

            w⁽¹⁾       w⁽²⁾             w⁽ᵀ⁾        v
      o_0 ──────▶ o_1 ──────▶ o_2 ··· ──────▶ o_T ──────▶ ŷ ──────▶ L ◀── y
                   ▲ u         ▲ u              ▲ u
                  x_1         x_2              x_T

with a_t = u·x_t + w⁽ᵗ⁾·o_(t−1), o_t = tanh(a_t), ŷ = v·o_T and L = ½(ŷ − y)². Every w⁽ᵗ⁾ is the
copy of the one shared recurrent weight w used at step t; v is not one of them.

Nodes and edges have names, so that a lesson can point at them:

- nodes ``"x1"`` … ``"xT"``, ``"o0"`` … ``"oT"``, ``"yhat"``, ``"y"``, ``"L"``;
- edges are ``(source, target)`` pairs: ``("x3", "o3")`` carries u, ``("o2", "o3")`` carries w⁽³⁾,
  ``("oT", "yhat")`` carries v (e.g. ``("o4", "yhat")``), then ``("yhat", "L")`` and ``("y", "L")``.

:func:`gradient_path` lists the edges along which the gradient of L reaches one weight (the chain
a lesson differentiates); ``draw_unrolled_graph(..., highlight=...)`` colours them.

The graph is drawn in lessons 00 and 02–04, as a static figure and at the top of lesson 00's
slider figure (where :meth:`UnrolledGraph.set_values` writes the current numbers at its nodes).

:func:`clip_to_band` cuts a curve to a chart's band, so that values off the chart leave it at
its edge instead of being drawn on the frame (lessons 06 and 07's log charts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from .sliders import signed

__all__ = [
    "UnrolledGraph",
    "clip_to_band",
    "draw_unrolled_graph",
    "gradient_path",
    "seed_label_map",
]

HIGHLIGHT = "#c0392b"  # the colour of a highlighted gradient path
NORMAL = "#34495e"
FADED = "#b8c2cc"
SEED = "#d35400"  # the seed's labels
_NODE_FILL = {"x": "#eaf2fb", "o": "#fdf2e9", "yhat": "#eafaf1", "y": "#f4f6f6", "L": "#fdedec"}


def _check_T(T):
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise ValueError(f"T: expected an integer number of time steps >= 1, got {T!r}")


def seed_label_map(T=4):
    """The seed's weight labels as edges of the unrolled graph: ``{edge: seed label}``.

    The seed names weights from the output backwards: w3 is the last-layer (output) weight v,
    w2 the copy of w into o_T, w1 the copy into o_(T−1) and w the copy into o_(T−2). For T = 4:
    w3 → v, w2 → w⁽⁴⁾, w1 → w⁽³⁾, w → w⁽²⁾. (The seed's "w4" is never placed; it is not drawn.)

    Parameters
    ----------
    T : int >= 3, number of time steps

    Returns
    -------
    dict ``{(source, target): label}``, e.g. ``{("o4", "yhat"): "w3", ("o3", "o4"): "w2", ...}``
    """
    _check_T(T)
    if T < 3:
        raise ValueError(
            f"T: expected T >= 3 for the seed's labels (w2, w1, w sit on the last three "
            f"recurrent steps), got {T}"
        )
    return {
        (f"o{T}", "yhat"): "w3",
        (f"o{T - 1}", f"o{T}"): "w2",
        (f"o{T - 2}", f"o{T - 1}"): "w1",
        (f"o{T - 3}", f"o{T - 2}"): "w",
    }


def gradient_path(weight, T=4):
    """The edges along which dL/d(weight) flows, from the weight's own edge up to the loss.

    Parameters
    ----------
    weight : ``"v"``, an int t, ``("w", t)`` or ``("u", t)``, with 1 <= t <= T
        ``"v"``: the output weight (lesson 02), path o_T → ŷ → L.
        ``t`` or ``("w", t)``: the copy w⁽ᵗ⁾ (lessons 03, 04), path o_(t−1) → o_t → … → o_T → ŷ → L.
        ``("u", t)``: the copy of the input weight used at step t, path x_t → o_t → … → L.
    T : int, number of time steps

    Returns
    -------
    list of ``(source, target)`` edges, the weight's own edge first. Its length is the number of
    factors of the chain rule: e.g. for w⁽⁴⁾ with T = 4, dL/dŷ · dŷ/do_4 · do_4/dw⁽⁴⁾.

    Examples
    --------
    >>> from rnnlib.course.plots import gradient_path
    >>> gradient_path(3)
    [('o2', 'o3'), ('o3', 'o4'), ('o4', 'yhat'), ('yhat', 'L')]
    """
    _check_T(T)
    tail = [(f"o{T}", "yhat"), ("yhat", "L")]
    if isinstance(weight, str) and weight == "v":
        return tail
    kind, t = ("w", weight) if _is_int(weight) else (None, None)
    if isinstance(weight, tuple) and len(weight) == 2 and weight[0] in ("w", "u"):
        kind, t = weight
    if kind is None or not _is_int(t) or not 1 <= t <= T:
        raise ValueError(
            f"weight: expected 'v', a step t in 1..{T}, ('w', t) or ('u', t), got {weight!r}"
        )
    first = (f"o{t - 1}", f"o{t}") if kind == "w" else (f"x{t}", f"o{t}")
    return [first] + [(f"o{s - 1}", f"o{s}") for s in range(t + 1, T + 1)] + tail


def _is_int(t):
    return isinstance(t, int) and not isinstance(t, bool)


@dataclass
class UnrolledGraph:
    """The artists of a drawn unrolled graph, by name, so that callers can restyle them.

    ``nodes[name]`` is a :class:`~matplotlib.patches.Circle`, ``node_values[name]`` the text beside
    it (empty until :meth:`set_values`), ``edges[(src, dst)]`` a
    :class:`~matplotlib.patches.FancyArrowPatch`, ``edge_labels[(src, dst)]`` its course label and
    ``seed_labels[(src, dst)]`` the seed's label (only when drawn with ``seed_labels=True``).
    """

    ax: object
    T: int
    nodes: dict = field(default_factory=dict)
    node_values: dict = field(default_factory=dict)
    edges: dict = field(default_factory=dict)
    edge_labels: dict = field(default_factory=dict)
    seed_labels: dict = field(default_factory=dict)
    highlighted: list = field(default_factory=list)

    def set_highlight(self, highlight):
        """Colour the edges of ``highlight`` (see :func:`draw_unrolled_graph`), fade the others.

        ``None`` restores the plain drawing. Only styles change (cheap enough for a slider)."""
        edges = _resolve_highlight(highlight, self.T, self.edges)
        on = set(edges)
        for e, arrow in self.edges.items():
            if not on:
                color, lw = NORMAL, 1.4
            else:
                color, lw = (HIGHLIGHT, 3.0) if e in on else (FADED, 1.2)
            arrow.set_color(color)
            arrow.set_linewidth(lw)
            label = self.edge_labels.get(e)
            if label is not None:
                label.set_color(HIGHLIGHT if e in on else (FADED if on else NORMAL))
                label.set_fontweight("bold" if e in on else "normal")
        lit = {n for e in on for n in e}
        for n, circle in self.nodes.items():
            circle.set_edgecolor(HIGHLIGHT if n in lit else (FADED if on else NORMAL))
            circle.set_linewidth(2.4 if n in lit else 1.2)
        self.highlighted = edges
        return edges

    def set_values(self, values, fmt=None):
        """Write numbers at nodes (above the hidden row, below the inputs and the target).

        ``values`` is ``{node name: number}``; nodes not named keep their text. ``fmt`` formats
        each number (default: sign and three decimals, a value that rounds to 0 as +0.000)."""
        for name, value in values.items():
            if name not in self.node_values:
                raise ValueError(
                    f"values: expected node names among {sorted(self.node_values)}, got {name!r}"
                )
            self.node_values[name].set_text(signed(value, 3) if fmt is None else fmt.format(value))


def _resolve_highlight(highlight, T, edges):
    if highlight is None:
        return []
    if isinstance(highlight, (str, int)) or (
        isinstance(highlight, tuple) and len(highlight) == 2 and highlight[0] in ("w", "u")
    ):
        try:
            return gradient_path(highlight, T)
        except ValueError as err:
            raise ValueError(
                f"highlight: {str(err).removeprefix('weight: ')}, or a list of edges"
            ) from None
    try:
        out = [tuple(e) for e in highlight]
    except TypeError:
        raise ValueError(
            f"highlight: expected None, 'v', a step t, ('w', t), ('u', t) or a list of "
            f"(source, target) edges, got {highlight!r}"
        ) from None
    unknown = [e for e in out if e not in edges]
    if unknown:
        raise ValueError(
            f"highlight: expected edges of the graph such as ('o3', 'o4'), got unknown {unknown}"
        )
    return out


def draw_unrolled_graph(ax, T=4, *, seed_labels=False, highlight=None, show_equations=True):
    """Draw the scalar RNN unrolled over T steps on ``ax``; return its artists.

    Inputs x_t (bottom row) feed hidden states o_t (middle row) through u; o_(t−1) feeds o_t
    through w⁽ᵗ⁾, the copy of the shared recurrent weight w used at step t (o_0 = 0); o_T feeds
    ŷ = v·o_T through the output weight v; ŷ and the target y give L = ½(ŷ − y)².

    Parameters
    ----------
    ax : matplotlib Axes, drawn on in data coordinates (its axis is switched off)
    T : int >= 1, number of time steps
    seed_labels : bool
        Also write the seed's labels beside the course's (needs T >= 3): w3 at v, w2 at w⁽ᵀ⁾,
        w1 at w⁽ᵀ⁻¹⁾, w at w⁽ᵀ⁻²⁾ (see :func:`seed_label_map`).
    highlight : None, ``"v"``, int t, ``("w", t)``, ``("u", t)`` or a list of edges
        A gradient path to colour, the rest is faded: a weight as understood by
        :func:`gradient_path` (``highlight=4`` is the chain of dL/dw⁽⁴⁾ of lesson 03,
        ``highlight="v"`` the chain of dL/dv of lesson 02), or an explicit list of
        ``(source, target)`` edges, e.g. ``gradient_path(2) + gradient_path(3)``.
        Node names: ``"x1"``…``"xT"``, ``"o0"``…``"oT"``, ``"yhat"``, ``"y"``, ``"L"``.
    show_equations : bool
        Write the model's equations under the drawing.

    Returns
    -------
    :class:`UnrolledGraph` (restyle later with ``set_highlight``, write numbers with
    ``set_values``).
    """
    _check_T(T)
    seed = seed_label_map(T) if seed_labels else {}
    g = UnrolledGraph(ax=ax, T=T)
    dx, r = 1.6, 0.3
    yo, yx = 1.0, -0.2
    pos = {f"o{t}": (t * dx, yo) for t in range(T + 1)}
    pos.update({f"x{t}": (t * dx, yx) for t in range(1, T + 1)})
    pos["yhat"] = ((T + 1) * dx, yo)
    pos["L"] = ((T + 2) * dx, yo)
    pos["y"] = ((T + 2) * dx, yx)
    text = {f"o{t}": f"$o_{{{t}}}$" for t in range(T + 1)}
    text.update({f"x{t}": f"$x_{{{t}}}$" for t in range(1, T + 1)})
    text.update(yhat=r"$\hat{y}$", L="$L$", y="$y$")

    for name, (px, py) in pos.items():
        kind = "o" if name[0] == "o" else ("x" if name[0] == "x" else name)
        c = Circle((px, py), r, facecolor=_NODE_FILL[kind], edgecolor=NORMAL, lw=1.2, zorder=3)
        ax.add_patch(c)
        g.nodes[name] = c
        ax.text(px, py, text[name], ha="center", va="center", fontsize=13, zorder=4)
        # numbers (set_values) go above the hidden row and below the bottom row
        up = py == yo
        g.node_values[name] = ax.text(
            px,
            py + r + 0.05 if up else py - r - 0.05,
            "",
            ha="center",
            va="bottom" if up else "top",
            fontsize=9.5,
            color="#555555",
            zorder=4,
        )

    def edge(src, dst, label, label_xy, seed_xy, ha="center"):
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        a, b = _trim((x0, y0), (x1, y1), r)  # stop the arrow at the circles' rims
        arrow = FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=14,
            shrinkA=0,
            shrinkB=0,
            color=NORMAL,
            lw=1.4,
            zorder=2,
        )
        ax.add_patch(arrow)
        g.edges[(src, dst)] = arrow
        if label:
            g.edge_labels[(src, dst)] = ax.text(
                *label_xy, label, ha=ha, va="center", fontsize=12, color=NORMAL, zorder=4
            )
        if (src, dst) in seed:
            g.seed_labels[(src, dst)] = ax.text(
                *seed_xy,
                f"seed: {seed[(src, dst)]}",
                ha="center",
                va="center",
                fontsize=9.5,
                color=SEED,
                style="italic",
                zorder=4,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec=SEED, lw=0.8),
            )

    for t in range(1, T + 1):
        xm = (t - 0.5) * dx
        edge(f"o{t - 1}", f"o{t}", f"$w^{{({t})}}$", (xm, yo + 0.2), (xm, yo + 0.55))
        edge(f"x{t}", f"o{t}", "$u$", (t * dx + 0.1, (yo + yx) / 2), None, ha="left")
    xm = (T + 0.5) * dx
    edge(f"o{T}", "yhat", "$v$", (xm, yo + 0.2), (xm, yo + 0.55))
    edge("yhat", "L", "", None, None)
    edge("y", "L", "", None, None)

    if show_equations:
        ax.text(
            (T + 2) * dx / 2,
            yx - 0.95,
            r"$a_t = u\,x_t + w^{(t)} o_{t-1},\quad o_t = \tanh(a_t),\quad o_0 = 0,\quad"
            r"\hat{y} = v\,o_T,\quad L = \frac{1}{2}(\hat{y} - y)^2$"
            "\n"
            r"every $w^{(t)}$ is the same shared weight $w$;  $v$ is not one of them",
            ha="center",
            va="center",
            fontsize=10.5,
            color="#333333",
        )
    ax.set_xlim(-0.5, (T + 2) * dx + 0.5)
    ax.set_ylim(yx - (1.25 if show_equations else 0.6), yo + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    g.set_highlight(highlight)
    return g


def _trim(p, q, r):
    """The segment p → q shortened by r at both ends (so arrows stop at the circles)."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    n = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / n, dy / n
    return (x0 + ux * r, y0 + uy * r), (x1 - ux * r, y1 - uy * r)


def clip_to_band(x, y, lo, hi):
    """The polyline through the points ``(x, y)`` cut to the band ``lo <= y <= hi``.

    A segment that leaves the band ends where it crosses ``lo`` or ``hi`` (interpolated: pass
    log10 values for a log axis, where a geometric sequence is straight) and the line resumes
    where it comes back; points outside the band are left out (a NaN gap), never moved onto the
    frame, where they would read as values at the edge. A non-finite ``y`` (log10 of 0) is a gap
    too.

    Returns ``xs, ys, data``: the vertices to draw and the indices, among them, of the points
    that are data rather than crossings (for ``Line2D.set_markevery``)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    inside = np.isfinite(y) & (y >= lo) & (y <= hi)
    xs, ys, data = [], [], []

    def put(px, py, is_data):
        if is_data:
            data.append(len(xs))
        xs.append(px)
        ys.append(py)

    def gap():
        if xs and not np.isnan(ys[-1]):
            xs.append(np.nan)
            ys.append(np.nan)

    def at(k, t):  # the point a fraction t along the segment from k to k + 1
        if t == 0.0:
            return x[k], y[k]
        if t == 1.0:
            return x[k + 1], y[k + 1]
        py = min(max(y[k] + t * (y[k + 1] - y[k]), lo), hi)  # on the edge, not past it
        return x[k] + t * (x[k + 1] - x[k]), py

    pen = False  # whether the last vertex ends the previous segment at point k
    for k in range(len(x) - 1):
        a, b = y[k], y[k + 1]
        seg = None
        if np.isfinite(a) and np.isfinite(b):
            if a == b:
                seg = (0.0, 1.0) if lo <= a <= hi else None
            else:
                t_lo, t_hi = sorted(((lo - a) / (b - a), (hi - a) / (b - a)))
                t0, t1 = max(t_lo, 0.0), min(t_hi, 1.0)
                seg = (t0, t1) if t0 < t1 else None  # a touch at one end: no segment
        if seg is None:
            if inside[k] and not pen:  # a data point with no drawable segment on either side
                gap()
                put(*at(k, 0.0), True)
            pen = False
            continue
        t0, t1 = seg
        if not (pen and t0 == 0.0):
            gap()
            put(*at(k, t0), t0 == 0.0)
        put(*at(k, t1), t1 == 1.0)
        pen = t1 == 1.0
    if len(x) and inside[-1] and not pen:
        gap()
        put(x[-1], y[-1], True)
    return np.array(xs), np.array(ys), data
