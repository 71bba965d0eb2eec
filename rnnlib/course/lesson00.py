"""Lesson 00: the unrolled forward pass
(notebooks/00_unrolled_forward_pass.ipynb).

Lesson 00 has no exercise, so no checker (``CHECKERS`` is empty). It
holds the seed's RNNs that the checkers of lessons 02–04 take their
cases from: a few sets of weights, each run forward and backward by
:mod:`rnnlib.scalar`, so that every case is a state a learner meets
in the lessons.
"""

from __future__ import annotations

import numpy as np

from .. import scalar
from .._validate import as_scalar
from ..scalar import EXAMPLE

__all__ = [
    "CHECKERS",
    "SEED_MODELS",
    "seed_model",
    "seed_model_label",
    "seed_model_runs",
    "seed_model_batch",
    "FIGURES",
    "forward_explorer",
]

CHECKERS = ()

# (u, w, v, T, y): weights of both signs, T = 1 and more; on their inputs the last state o_T,
# the state before it and dL/dŷ take both signs too (with u = 0.5 in the fourth, every o_T was
# negative, and an answer with |o_T| where o_T belongs passed the checks of lesson 04)
SEED_MODELS = (
    (0.7, 0.9, 1.6, 4, 0.5),
    (-0.4, 1.8, -2.2, 4, 1.1),
    (1.2, -0.6, 0.8, 1, -0.9),
    (-0.5, 0.3, 3.0, 2, 2.0),
    (0.9, -1.4, 1.3, 6, -0.4),
)


def seed_model(u, w, v, T, y, seed):
    """Inputs ``xs`` (T,) drawn from ``seed``, the forward pass and the
    gradients of the loss."""
    xs = np.random.default_rng(seed).uniform(-1.0, 1.0, T)
    fwd = scalar.forward(xs, u, w, v)
    return xs, fwd, scalar.backward(fwd, y)


def seed_model_label(u, w, v, T, y):
    """A case's label for the seed's RNN with these weights."""
    return f"the seed's RNN with T = {T}, u = {u}, w = {w}, v = {v}, y = {y}"


def seed_model_runs():
    """Every RNN of ``SEED_MODELS``, run on its inputs (drawn from its
    index), for the checkers' cases: yields
    ``(label, (u, w, v, T, y), xs, forward, gradients)``."""
    for k, model in enumerate(SEED_MODELS):
        yield (seed_model_label(*model), model, *seed_model(*model, k))


def seed_model_batch(n, seed):
    """``n`` random seed RNNs (T = 4) as rows
    ``(xs, forward, gradients, v)``: the inputs of a case where the
    learner's function acts elementwise on arrays."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        u, w, v = rng.uniform(0.3, 1.5, 3) * rng.choice([-1.0, 1.0], 3)
        y = float(rng.uniform(-1.5, 1.5))
        rows.append(seed_model(u, w, v, 4, y, seed * 100 + k) + (v,))
    return rows


# =================================================================================================
# The slider figure of lesson 00, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 00's explorer: the unrolled forward pass, driven by u, w, v and the inputs x_1..x_4.
#
# The figure is built once: the unrolled graph with the current numbers written at its nodes (top),
# the inputs x_t, pre-activations a_t and hidden states o_t against t (bottom left), and the
# prediction ŷ = v·o_4 next to the target y (bottom right). Moving a slider reruns
# :func:`rnnlib.scalar.forward` and only moves artists.

_T = 4
_XLIM = 3.0  # the y-range of the charts at the start (o_t and ŷ = v·o_4 never leave it)
# The left chart's y-range grows to the first of these that holds every a_t and x_t
# (|a_t| <= 3·2 + 3·1 = 9 over the sliders' ranges).
_A_LIMITS = (3.0, 6.0, 10.0)


def forward_explorer(
    xs=EXAMPLE["xs"], u=EXAMPLE["u"], w=EXAMPLE["w"], v=EXAMPLE["v"], y=EXAMPLE["y"]
):
    """Sliders u, w, v, x_1..x_4 over the unrolled forward pass of the
    scalar RNN (T = 4).

    Parameters
    ----------
    xs : 4 floats, the starting inputs x_1..x_4 (each slider in [−2, 2])
    u, w, v : float, the starting weights (sliders in [−3, 3])
    y : float, the target drawn beside ŷ (not a slider: lesson 00 is
        about the forward pass)

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds ``a``
    (a_1..a_4), ``o`` (o_0..o_4), ``y_hat`` and ``loss`` = ½(ŷ − y)².
    """
    from .plots import draw_unrolled_graph
    from .sliders import Explorer, Slider, freeze_static, new_figure, signed

    xs = scalar.forward(xs, u, w, v).xs  # validates xs (T floats)
    if xs.size != _T:
        raise ValueError(f"xs: expected {_T} inputs x_1..x_{_T}, shape ({_T},), got {xs.shape}")
    y = as_scalar("y", y)

    # 352 px tall: with the sliders (four rows of two) and the readout the explorer fits the
    # 579 px JupyterLab shows of a notebook on a 1280 x 800 laptop with its file browser open
    fig = new_figure(figsize=(9.0, 4.4))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.25], width_ratios=[3.2, 1.0])
    ax_g = fig.add_subplot(gs[0, :])
    ax_t = fig.add_subplot(gs[1, 0])
    ax_y = fig.add_subplot(gs[1, 1])

    graph = draw_unrolled_graph(ax_g, T=_T, show_equations=False)
    ax_g.set_title("the unrolled RNN with the current numbers", fontsize=11)

    t = np.arange(1, _T + 1)
    bars = ax_t.bar(t - 0.22, xs, width=0.3, color="#aed6f1", label="input $x_t$")
    (a_line,) = ax_t.plot(
        t,
        np.zeros(_T),
        ":",
        marker="s",
        ms=5,
        color="#7f8c8d",
        label=r"$a_t = u\,x_t + w\,o_{t-1}$",
    )
    (o_line,) = ax_t.plot(
        np.arange(_T + 1),
        np.zeros(_T + 1),
        "-",
        marker="o",
        ms=6,
        lw=2,
        color="#e67e22",
        label=r"$o_t = \tanh(a_t)$",
    )
    for s in (-1, 1):
        ax_t.axhline(s, color="#e67e22", lw=0.8, ls="--", alpha=0.6)
    # just above the line at +1, at every range of the chart (at a_t = 1.08 in data units its
    # brackets crossed the line, more so as the chart grew to ±10)
    ax_t.annotate(
        r"$\tanh$ stays in $(-1, 1)$",
        xy=(-0.45, 1.0),
        xytext=(0, 2),
        textcoords="offset points",
        va="bottom",
        fontsize=8.5,
        color="#e67e22",
    )
    ax_t.axhline(0, color="black", lw=0.6)
    ax_t.set_xlim(-0.5, _T + 0.5)
    ax_t.set_ylim(-_XLIM, _XLIM)
    ax_t.set_xticks(range(_T + 1))
    ax_t.set_xlabel("time step $t$")
    ax_t.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=9, ncol=3, frameon=False)

    (yhat_bar,) = ax_y.bar([0], [0.0], width=0.5, color="#58d68d", label=r"$\hat{y} = v\,o_4$")
    ax_y.axhline(y, color="#c0392b", ls="--", lw=1.2, label=f"target $y$ = {y:.2f}")
    ax_y.axhline(0, color="black", lw=0.6)
    ax_y.set_xlim(-0.6, 0.6)
    ax_y.set_ylim(-_XLIM, _XLIM)
    ax_y.set_xticks([])
    ax_y.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=9, ncol=1, frameon=False)

    def update(u, w, v, x1, x2, x3, x4):
        fwd = scalar.forward([x1, x2, x3, x4], u, w, v)
        L = scalar.loss(fwd.y_hat, y)
        for bar, x in zip(bars, fwd.xs, strict=True):
            bar.set_height(x)
        big = max(np.abs(fwd.a).max(), np.abs(fwd.xs).max())
        lim = next((m for m in _A_LIMITS if 1.08 * big <= m), 1.08 * big)
        if ax_t.get_ylim() != (-lim, lim):
            ax_t.set_ylim(-lim, lim)
        a_line.set_ydata(fwd.a)
        o_line.set_ydata(fwd.o)
        yhat_bar.set_height(fwd.y_hat)
        graph.set_values({f"x{k}": fwd.xs[k - 1] for k in range(1, _T + 1)})
        graph.set_values({f"o{k}": fwd.o[k] for k in range(_T + 1)})
        graph.set_values({"yhat": fwd.y_hat, "y": y, "L": L})
        return {"a": fwd.a.copy(), "o": fwd.o.copy(), "y_hat": fwd.y_hat, "loss": L}

    def readout(state):
        cell = '<td style="padding: 0 10px; text-align: right">{}</td>'
        head = "".join(cell.format(f"t = {k}") for k in range(1, _T + 1))
        a = "".join(cell.format(signed(x, 4)) for x in state["a"])
        o = "".join(cell.format(signed(x, 4)) for x in state["o"][1:])
        return (
            f"<table><tr><td></td>{head}</tr><tr><td>a_t = u·x_t + w·o_(t−1)</td>{a}</tr>"
            f"<tr><td>o_t = tanh(a_t)</td>{o}</tr></table>"
            f"ŷ = v·o_4 = {signed(state['y_hat'], 4)}, &nbsp; L = ½(ŷ − y)² = {state['loss']:.4f}"
        )

    # The left chart's y-range follows a_t in three steps (_A_LIMITS): freeze_static keeps one
    # static picture for each, all made when the figure is first drawn, so that every slider
    # move draws only the moving artists.
    freeze_static(
        fig,
        [*bars, a_line, o_line, yhat_bar, *graph.node_values.values()],
        rescaled=[ax_t],
        ranges=[[(ax_t.get_xlim(), (-m, m))] for m in _A_LIMITS],
    )
    sliders = {
        "u": Slider(-3.0, 3.0, 0.05, float(u), "input weight u"),
        "w": Slider(-3.0, 3.0, 0.05, float(w), "recurrent weight w"),
        "v": Slider(-3.0, 3.0, 0.05, float(v), "output weight v"),
    }
    for k in range(1, _T + 1):
        sliders[f"x{k}"] = Slider(-2.0, 2.0, 0.05, float(xs[k - 1]), f"input x_{k}")
    return Explorer(fig, update, sliders, readout)


FIGURES = (forward_explorer,)
