"""Lesson 03's slider: the three factors of dL/dw⁽ᵀ⁾ and their product, as w moves.

The gradient of the copy of w used at the last step T is a product of three numbers::

    dL/dw⁽ᵀ⁾ = (dL/dŷ · v) · (1 − o_T²) · o_(T−1)
               = dL/do_T    · tanh′(a_T) · da_T/dw⁽ᵀ⁾

Every one of them depends on w (through the hidden states), so moving w moves all three. The
figure shows them as bars (left) and as curves over the slider's range (right) with the current w
marked.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import scalar
from ..explorer import Explorer, Slider, freeze_static, new_figure
from . import register
from .forward import EXAMPLE

__all__ = ["last_step_factors", "last_step_explorer"]


def last_step_factors(xs, y, u, w, v):
    """The three factors of dL/dw⁽ᵀ⁾ and their product, for the scalar RNN.

    Parameters
    ----------
    xs : array_like (T,), the inputs x_1..x_T
    y : float, the target of ŷ = v·o_T
    u, w, v : float, input, recurrent and output weight

    Returns
    -------
    dict with ``dL_do_T`` = dL/dŷ · v (= dL/do_T), ``tanh_prime`` = 1 − o_T² (= do_T/da_T),
    ``o_prev`` = o_(T−1) (= da_T/dw⁽ᵀ⁾) and ``dL_dw_T`` = their product = dL/dw⁽ᵀ⁾.
    """
    fwd = scalar.forward(xs, u, w, v)
    g = scalar.backward(fwd, y)
    dL_do_T = g.dL_dyhat * fwd.v  # dL/dŷ · dŷ/do_T
    tanh_prime = 1.0 - fwd.o[-1] ** 2  # do_T/da_T = tanh′(a_T)
    o_prev = fwd.o[-2]  # da_T/dw⁽ᵀ⁾
    return {
        "dL_do_T": float(dL_do_T),
        "tanh_prime": float(tanh_prime),
        "o_prev": float(o_prev),
        "dL_dw_T": float(dL_do_T * tanh_prime * o_prev),
        "y_hat": fwd.y_hat,
        "o_T": float(fwd.o[-1]),
    }


@register("03")
def last_step_explorer(xs=None, y=None, u=None, w=None, v=None, w_range=(-2.0, 2.0)):
    """A w slider showing dL/dŷ·v, 1 − o_T², o_(T−1) and their product dL/dw⁽ᵀ⁾.

    Parameters
    ----------
    xs, y, u, w, v : the problem; ``None`` takes the course's worked example
        :data:`rnnlib.explorers.forward.EXAMPLE` (T = 4)
    w_range : (float, float), the slider's range for w

    Returns
    -------
    :class:`~rnnlib.explorer.Explorer` whose state holds the four numbers of
    :func:`last_step_factors` plus ``w``, ``y_hat`` and ``o_T``.
    """
    given = {"xs": xs, "y": y, "u": u, "w": w, "v": v}
    xs, y, u, w, v = (EXAMPLE[k] if val is None else val for k, val in given.items())
    lo, hi = (float(r) for r in w_range)
    if not lo < hi:
        raise ValueError(f"w_range: expected (low, high) with low < high, got {w_range}")
    T = np.size(xs)
    keys = ("dL_do_T", "tanh_prime", "o_prev", "dL_dw_T")
    colors = ("tab:blue", "tab:green", "tab:purple", "tab:orange")

    # The curves over the slider's range: computed once, never redrawn.
    grid = np.linspace(lo, hi, 201)
    curves = {k: np.empty(grid.size) for k in keys}
    for i, wi in enumerate(grid):
        f = last_step_factors(xs, y, u, wi, v)
        for k in keys:
            curves[k][i] = f[k]
    top = max(1.0, max(np.abs(c).max() for c in curves.values()))

    fig = new_figure(figsize=(8.6, 3.3))
    ax_bar, ax_w = fig.subplots(1, 2, width_ratios=(1, 1.3), sharey=True)
    labels = [
        r"$\partial L/\partial \hat y \cdot v$",
        rf"$1 - o_{T}^2$",
        rf"$o_{T - 1}$",
        rf"$\partial L/\partial w^{{({T})}}$",
    ]
    bars = ax_bar.bar(range(4), np.zeros(4), color=colors, width=0.65)
    ax_bar.set_xticks(range(4), labels, fontsize=10)
    zero = ax_bar.axhline(0.0, color="black", lw=0.8)
    ax_bar.set_ylim(-1.15 * top, 1.15 * top)
    ax_bar.yaxis.set_major_locator(MaxNLocator(5))
    ax_bar.set_ylabel("value")
    ax_bar.set_title("the three factors and their product", fontsize=10)
    texts = [ax_bar.text(i, 0.0, "", ha="center", fontsize=9) for i in range(4)]

    dots = []
    for k, c, lab in zip(keys, colors, labels, strict=True):
        ax_w.plot(grid, curves[k], color=c, lw=2.4 if k == "dL_dw_T" else 1.3, label=lab)
        dots.append(ax_w.plot([], [], "o", color=c, ms=6)[0])
    vline = ax_w.axvline(w, color="0.4", ls="--", lw=1)
    ax_w.axhline(0.0, color="black", lw=0.8)
    ax_w.set_xlim(lo, hi)
    ax_w.set_xlabel("recurrent weight $w$ (all copies)")
    ax_w.set_title(
        rf"$\partial L/\partial w^{{({T})}} = (\partial L/\partial \hat y\cdot v)"
        rf"\,(1 - o_{T}^2)\,o_{T - 1}$ as $w$ moves",
        fontsize=10,
    )
    legend = ax_w.legend(fontsize=9, loc="lower right", ncol=4, handlelength=1.2, columnspacing=1.0)

    def update(w):
        f = last_step_factors(xs, y, u, w, v)
        for i, k in enumerate(keys):
            h = f[k]
            bars[i].set_height(h)
            texts[i].set_position((i, h + (0.04 if h >= 0 else -0.04) * top))
            texts[i].set_va("bottom" if h >= 0 else "top")
            texts[i].set_text(f"{h + 0.0:+.3f}")  # + 0.0 turns −0.0 into 0.0
            dots[i].set_data([w], [h])
        vline.set_xdata([w, w])
        return {"w": float(w), **f}

    def readout(s):
        return (
            f"w = {s['w']:+.3f}: ŷ = {s['y_hat']:+.3f}, o_{T} = {s['o_T']:+.3f} &nbsp;→&nbsp; "
            f"dL/dw<sup>({T})</sup> = {s['dL_do_T']:+.3f} × {s['tanh_prime']:.3f} × "
            f"{s['o_prev']:+.3f} = <b>{s['dL_dw_T']:+.4f}</b>"
        )

    # Only the bars, their numbers, the dots and the w-line move. The zero line, the right panel's
    # frame and its legend are redrawn over them (the bars start at 0, the w-line reaches the frame
    # and crosses the legend) so that they stay on top, as in a full draw.
    frame = list(ax_w.spines.values())
    freeze_static(fig, [*bars, zero, *texts, vline, *dots, *frame, legend])
    sliders = {"w": Slider(lo, hi, 0.05, float(w), label="recurrent weight w")}
    return Explorer(fig, update, sliders, readout)
