"""Lesson 03: one step back in time (notebooks/03_one_step_back.ipynb).

The checker of exercise 03, with its cases and its catalogue of known mistakes:

- ``check_last_step_grad``: ``last_step_grad(dL_dyhat, v, o_T, o_prev)`` → dL/dw⁽ᵀ⁾ =
  dL/dŷ · v · (1 − o_T²) · o_(T−1), the gradient of the copy of w used at the last step,
  elementwise for arrays.

References come from :mod:`rnnlib.scalar` on the seed's RNNs of lesson 00; each mistake computes
one wrong formula.
"""

from __future__ import annotations

import numpy as np

from ..scalar import EXAMPLE, last_step_factors
from .checking import ELEMENTWISE, Case, Checker, Mistake
from .checking import as_number as f
from .lesson00 import SEED_MODELS, seed_model, seed_model_batch, seed_model_label

__all__ = ["CHECKERS", "check_last_step_grad", "FIGURES", "last_step_explorer"]


def last_step_grad_cases():
    cases = []
    for k, (u, w, v, T, y) in enumerate(SEED_MODELS):
        _, fwd, g = seed_model(u, w, v, T, y, k)
        args = {"dL_dyhat": g.dL_dyhat, "v": v, "o_T": float(fwd.o[-1]), "o_prev": float(fwd.o[-2])}
        label = seed_model_label(u, w, v, T, y) + (" (o_prev = o_0 = 0)" if T == 1 else "")
        cases.append(Case(label, args, float(g.dw_steps[-1])))
    rows = seed_model_batch(5, 9)
    args = {
        "dL_dyhat": np.array([g.dL_dyhat for _, _, g, _ in rows]),
        "v": np.array([v for *_, v in rows]),
        "o_T": np.array([fwd.o[-1] for _, fwd, _, _ in rows]),
        "o_prev": np.array([fwd.o[-2] for _, fwd, _, _ in rows]),
    }
    expected = np.array([g.dw_steps[-1] for _, _, g, _ in rows])
    cases.append(Case("arrays of shape (5,): five models at once", args, expected))
    return cases


def _dw(dL_dyhat, v, o_T, o_prev, slope=None, state=None):
    """dL/dŷ · v · slope · state, by default the right answer; one factor changed per mistake."""
    slope = 1.0 - f(o_T) ** 2 if slope is None else slope
    return f(dL_dyhat) * v * slope * (f(o_prev) if state is None else state)


_DW = "dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_prev"

check_last_step_grad = Checker(
    "check_last_step_grad",
    "last_step_grad(dL_dyhat, v, o_T, o_prev)",
    last_step_grad_cases,
    doc=f"{_DW}, elementwise for arrays: the gradient of the copy of w used at the last step.",
    mistakes=(
        Mistake(
            "missing_tanh_prime",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, v, o_T, o_prev, slope=1.0),
            f"missing tanh′ factor (1 − o_T²): {_DW}",
        ),
        Mistake(
            "one_minus_o",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, v, o_T, o_prev, slope=1.0 - f(o_T)),
            f"(1 − o_T) where (1 − o_T²) belongs: tanh′(a) = 1 − tanh(a)²; {_DW}",
        ),
        Mistake(
            "o_T_for_o_prev",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, v, o_T, o_prev, state=f(o_T)),
            f"o_T where o_prev belongs: do_T/dw = (1 − o_T²)·o_(T−1); {_DW}",
        ),
        Mistake(
            "tanh_twice",
            lambda dL_dyhat, v, o_T, o_prev: _dw(
                dL_dyhat, v, o_T, o_prev, slope=1.0 - np.tanh(f(o_T)) ** 2
            ),
            f"you applied tanh to o_T again, 1 − tanh(o_T)²; o_T is already tanh(a_T): {_DW}",
        ),
        Mistake(
            "tanh_prime_at_prev",
            lambda dL_dyhat, v, o_T, o_prev: _dw(
                dL_dyhat, v, o_T, o_prev, slope=1.0 - f(o_prev) ** 2
            ),
            f"tanh′ at the wrong step: (1 − o_prev²) where (1 − o_T²) belongs; {_DW}",
        ),
        Mistake(
            "missing_v",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, 1.0, o_T, o_prev) + 0.0 * f(v),
            f"missing factor v (dŷ/do_T = v): {_DW}",
        ),
        Mistake(
            "missing_dL_dyhat",
            lambda dL_dyhat, v, o_T, o_prev: _dw(1.0, v, o_T, o_prev) + 0.0 * f(dL_dyhat),
            f"missing factor dL/dŷ: {_DW}",
        ),
        Mistake(
            "wrong_sign",
            lambda dL_dyhat, v, o_T, o_prev: -_dw(dL_dyhat, v, o_T, o_prev),
            f"wrong sign: {_DW}",
        ),
        Mistake(
            "summed",
            lambda dL_dyhat, v, o_T, o_prev: float(np.sum(_dw(dL_dyhat, v, o_T, o_prev))),
            "you summed into one number" + ELEMENTWISE,
        ),
    ),
)

CHECKERS = (check_last_step_grad,)


# =================================================================================================
# The slider figure of lesson 03, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 03's slider: the three factors of dL/dw⁽ᵀ⁾ and their product, as w moves.
#
# The gradient of the copy of w used at the last step T is a product of three numbers::
#
#     dL/dw⁽ᵀ⁾ = (dL/dŷ · v) · (1 − o_T²) · o_(T−1)
#                = dL/do_T    · tanh′(a_T) · da_T/dw⁽ᵀ⁾
#
# Every one of them depends on w (through the hidden states), so moving w moves all three. The
# figure shows them as bars (left) and as curves over the slider's range (right) with the current w
# marked.


def last_step_explorer(xs=None, y=None, u=None, w=None, v=None, w_range=(-2.0, 2.0)):
    """A w slider showing dL/dŷ·v, 1 − o_T², o_(T−1) and their product dL/dw⁽ᵀ⁾.

    Parameters
    ----------
    xs, y, u, w, v : the problem; ``None`` takes the course's worked example
        :data:`rnnlib.scalar.EXAMPLE` (T = 4)
    w_range : (float, float), the slider's range for w

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds the four numbers of
    :func:`rnnlib.scalar.last_step_factors` plus ``w``, ``y_hat`` and ``o_T``.
    """
    from matplotlib.ticker import MaxNLocator

    from .sliders import Explorer, Slider, freeze_static, new_figure

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


FIGURES = (last_step_explorer,)
