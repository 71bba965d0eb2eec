"""Lesson 04's slider: the per-step contributions dL/dw⁽ᵗ⁾ and their sum dL/dw, as w moves.

The recurrent weight w is used at every step, so its gradient is a sum over its copies::

    dL/dw = Σ_t dL/dw⁽ᵗ⁾,   dL/dw⁽ᵗ⁾ = δ_t · (1 − o_t²) · o_(t−1),   δ_t = dL/do_t

and δ_t reaches step t from the loss through the factors do_k/do_(k−1) = (1 − o_k²)·w, k = t+1..T::

    δ_t = δ_T · Π_(k=t+1..T) (1 − o_k²)·w

The left panel shows the contributions and their sum; the right panel shows |do_T/do_t|, the size
of that product: below 1 the early copies hear less and less of the loss (vanishing), above 1
more and more (exploding). That is lesson 06's subject; here it is a first glimpse.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import scalar
from ..explorer import Explorer, Slider, freeze_static, new_figure
from . import register
from .forward import EXAMPLE

__all__ = ["per_step_contributions", "through_time_explorer"]

_LIMITS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def per_step_contributions(xs, y, u, w, v):
    """The per-step gradients of the shared weight and what carries them back.

    Parameters
    ----------
    xs : array_like (T,), the inputs x_1..x_T
    y : float, the target of ŷ = v·o_T
    u, w, v : float, input, recurrent and output weight

    Returns
    -------
    dict with ``dw_steps`` (T,) = dL/dw⁽ᵗ⁾ for t = 1..T, ``dw`` = dL/dw (their sum, from
    :func:`rnnlib.scalar.backward`), ``step_factor`` (T,) = do_t/do_(t−1) = (1 − o_t²)·w and
    ``reach`` (T,) = do_T/do_t = Π_(k=t+1..T) (1 − o_k²)·w (1 for t = T).
    """
    fwd = scalar.forward(xs, u, w, v)
    g = scalar.backward(fwd, y)
    step_factor = (1.0 - fwd.o[1:] ** 2) * fwd.w  # do_t/do_(t−1), t = 1..T
    # do_T/do_t = product of the factors of the later steps k = t+1..T (empty product at t = T)
    reach = np.append(np.cumprod(step_factor[:0:-1])[::-1], 1.0)
    return {
        "dw_steps": g.dw_steps.copy(),
        "dw": g.dw,
        "step_factor": step_factor,
        "reach": reach,
        "y_hat": fwd.y_hat,
    }


@register("04")
def through_time_explorer(
    xs=None, y=None, u=None, w=None, v=None, w_range=(-2.5, 2.5), u_range=(0.0, 1.5)
):
    """A w slider driving a bar chart of dL/dw⁽ᵗ⁾, t = 1..T, and their sum dL/dw.

    A second slider moves the input weight u: a small u keeps the hidden states away from tanh's
    flat tails, so 1 − o_t² ≈ 1 and |w| > 1 makes the backward factors grow (the exploding side);
    a large u saturates tanh and the factors shrink (the vanishing side).

    Parameters
    ----------
    xs, y, u, w, v : the problem; ``None`` takes the course's worked example
        :data:`rnnlib.explorers.forward.EXAMPLE` (T = 4)
    w_range, u_range : (float, float), the sliders' ranges for w and u

    Returns
    -------
    :class:`~rnnlib.explorer.Explorer` whose state holds ``w``, ``u`` and the numbers of
    :func:`per_step_contributions`.
    """
    given = {"xs": xs, "y": y, "u": u, "w": w, "v": v}
    xs, y, u, w, v = (EXAMPLE[k] if val is None else val for k, val in given.items())
    for name, r in (("w_range", w_range), ("u_range", u_range)):
        if len(r) != 2 or not float(r[0]) < float(r[1]):
            raise ValueError(f"{name}: expected (low, high) with low < high, got {r}")
    T = np.size(xs)
    steps = np.arange(1, T + 1)

    fig = new_figure(figsize=(8.6, 3.3))
    ax_bar, ax_r = fig.subplots(1, 2, width_ratios=(1.25, 1))
    xpos = np.append(steps, T + 1.4)
    bars = ax_bar.bar(xpos, np.zeros(T + 1), width=0.7, color=["tab:blue"] * T + ["tab:orange"])
    ax_bar.set_xticks(xpos, [rf"$t={t}$" for t in steps] + [r"$\Sigma_t$"])
    ax_bar.axvline(T + 0.7, color="0.6", lw=0.8, ls=":")
    zero = ax_bar.axhline(0.0, color="black", lw=0.8)
    ax_bar.yaxis.set_major_locator(MaxNLocator(5))
    ax_bar.yaxis.set_major_formatter("{x:g}")
    ax_bar.set_title(
        r"per-step copies $\partial L/\partial w^{(t)}$ and their sum $\partial L/\partial w$",
        fontsize=10,
    )
    texts = [ax_bar.text(x, 0.0, "", ha="center", fontsize=9) for x in xpos]

    # log10 on a linear axis: a log-scale axis draws many minor ticks, too slow for a slider
    floor = -3.0
    # |do_T/do_1| <= |w|^(T-1) (each factor (1 - o_t²)·w is at most |w| in size): the top of the
    # axis holds the largest value the w slider can reach, so the curve never leaves the chart.
    top = max(1.0, (T - 1) * np.log10(max(abs(float(r)) for r in w_range))) + 0.15
    ax_r.set_ylim(floor, top)
    ax_r.set_yticks(range(-3, 2), [rf"$10^{{{k}}}$" for k in range(-3, 2)])
    ax_r.set_xlim(0.5, T + 0.5)
    ax_r.set_xticks(steps, [rf"$t={t}$" for t in steps])
    ax_r.axhline(0.0, color="black", lw=0.8, ls="--")
    ax_r.axhspan(0.0, top, color="tab:red", alpha=0.07)
    ax_r.axhspan(floor, 0.0, color="tab:blue", alpha=0.07)
    # labels at the right, where the curve is pinned to 10⁰ (do_T/do_T = 1)
    ax_r.text(
        T + 0.4,
        top - 0.1,
        "grows going back (exploding)",
        fontsize=8,
        ha="right",
        va="top",
        color="tab:red",
    )
    ax_r.text(
        T + 0.4, -2.9, "shrinks going back (vanishing)", fontsize=8, ha="right", color="tab:blue"
    )
    (reach_line,) = ax_r.plot(steps, np.zeros(T), "o-", color="tab:purple")
    ax_r.set_title(
        rf"how much of $\delta_{T}$ reaches step $t$: $|\partial o_{T}/\partial o_t|$", fontsize=10
    )
    ax_r.set_xlabel("step $t$ (the loss is at the right)")

    def update(w, u):
        s = per_step_contributions(xs, y, u, w, v)
        heights = np.append(s["dw_steps"], s["dw"])
        big = np.abs(heights).max()
        lim = next((m for m in _LIMITS if 1.2 * big <= m), 1.2 * big)
        ax_bar.set_ylim(-lim, lim)
        for b, t, x, h in zip(bars, texts, xpos, heights, strict=True):
            b.set_height(h)
            t.set_position((x, h + (0.03 if h >= 0 else -0.03) * lim))
            t.set_va("bottom" if h >= 0 else "top")
            t.set_text(f"{h + 0.0:+.3f}")  # + 0.0 turns −0.0 into 0.0
        with np.errstate(divide="ignore"):
            reach_line.set_ydata(np.maximum(np.log10(np.abs(s["reach"])), floor))
        return {"w": float(w), "u": float(u), **s}

    def readout(s):
        parts = " + ".join(f"({g + 0.0:+.3f})" for g in s["dw_steps"])
        return (
            f"w = {s['w']:+.3f}, u = {s['u']:.3f}: dL/dw = {parts} = <b>{s['dw']:+.4f}</b>; "
            f"|do<sub>{T}</sub>/do<sub>1</sub>| = {abs(s['reach'][0]):.3g}"
        )

    # Only the bars, their numbers, the |do_T/do_t| line and the bar panel's y-axis move. The bars'
    # y-range is rescaled symmetrically about 0, so nothing else depends on it: the y-axis (ticks
    # and their labels) is redrawn with the bars, and so are the zero line and the right panel's
    # frame, to stay on top of the bars and of the line.
    frame = list(ax_r.spines.values())
    freeze_static(fig, [*bars, zero, *texts, ax_bar.yaxis, reach_line, *frame])
    sliders = {
        "w": Slider(float(w_range[0]), float(w_range[1]), 0.05, float(w), "recurrent weight w"),
        "u": Slider(float(u_range[0]), float(u_range[1]), 0.05, float(u), "input weight u"),
    }
    return Explorer(fig, update, sliders, readout)
