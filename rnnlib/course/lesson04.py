"""Lesson 04: through all time steps (notebooks/04_through_all_time_steps.ipynb).

The checker of exercise 04, with its cases and its catalogue of known mistakes:

- ``check_scalar_bptt``: ``scalar_bptt(xs, y, u, w, v)`` → (dL/du, dL/dw, dL/dv) of the seed's
  RNN, full BPTT over T = 1 to 6 steps with one target y at the last step.

References come from :mod:`rnnlib.scalar` on the seed's RNNs of lesson 00. The mistakes are the
backward loop below with one factor changed (a switch each), so the catalogue is executable.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import scalar
from ..scalar import EXAMPLE, per_step_contributions
from .checking import Case, Checker, Mistake
from .lesson00 import SEED_MODELS, seed_model, seed_model_label

__all__ = ["CHECKERS", "check_scalar_bptt", "FIGURES", "through_time_explorer"]


def scalar_bptt_cases():
    cases = []
    for k, (u, w, v, T, y) in enumerate(SEED_MODELS):
        xs, _, g = seed_model(u, w, v, T, y, k)
        args = {"xs": xs, "y": y, "u": u, "w": w, "v": v}
        cases.append(Case(seed_model_label(u, w, v, T, y), args, (g.du, g.dw, g.dv)))
    return cases


_SLOPES = {  # tanh′ at step t, from the hidden states o (o[0] = o_0)
    "1 - o_t^2": lambda o, t: 1.0 - o[t] ** 2,
    "1": lambda o, t: 1.0,
    "1 - o_t": lambda o, t: 1.0 - o[t],
    "1 - tanh(o_t)^2": lambda o, t: 1.0 - np.tanh(o[t]) ** 2,
    "1 - o_(t-1)^2": lambda o, t: 1.0 - o[t - 1] ** 2,
}


def _steps(
    xs,
    y,
    u,
    w,
    v,
    *,
    slope="1 - o_t^2",
    chain_w=True,
    carry=True,
    state_in_dw=-1,
    v_in_delta=True,
    o_in_dv=True,
):
    """The backward loop of :func:`rnnlib.scalar.backward`, with switches that change one factor.

    Returns (du_steps, dw_steps, dv) with the per-step contributions as arrays (t = 1..T)."""
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(fwd.xs)
    err = fwd.y_hat - y
    dv = err * o[T] if o_in_dv else err
    d = err * v if v_in_delta else err
    du_steps, dw_steps = np.zeros(T), np.zeros(T)
    for t in range(T, 0, -1):
        da = d * _SLOPES[slope](o, t)
        dw_steps[t - 1] = da * o[t + state_in_dw]
        du_steps[t - 1] = da * fwd.xs[t - 1]
        d = (da * w if chain_w else da) if carry else 0.0
    return du_steps, dw_steps, float(dv)


def _sums(xs, y, u, w, v, **switches):
    du_steps, dw_steps, dv = _steps(xs, y, u, w, v, **switches)
    return float(du_steps.sum()), float(dw_steps.sum()), dv


def _last_copy_only(xs, y, u, w, v):
    du_steps, dw_steps, dv = _steps(xs, y, u, w, v)
    return float(du_steps.sum()), float(dw_steps[-1]), dv


def _du_last_step_only(xs, y, u, w, v):
    du_steps, dw_steps, dv = _steps(xs, y, u, w, v)
    return float(du_steps[-1]), float(dw_steps.sum()), dv


def _du_dw_swapped(xs, y, u, w, v):
    du, dw, dv = scalar.bptt(xs, y, u, w, v)
    return dw, du, dv


check_scalar_bptt = Checker(
    "check_scalar_bptt",
    "scalar_bptt(xs, y, u, w, v)",
    scalar_bptt_cases,
    items=("dL/du", "dL/dw", "dL/dv"),
    doc="(dL/du, dL/dw, dL/dv) of the seed's RNN; xs an ndarray (T,), the rest floats. "
    "Cases: T = 1 to 6, weights of both signs, one target y at the last step.",
    mistakes=(
        Mistake(
            "bptt_wrong_sign",
            lambda *args: tuple(-g for g in scalar.bptt(*args)),
            "wrong sign: dL/du, dL/dw, dL/dv all have the opposite sign",
        ),
        Mistake(
            "bptt_last_copy_only",
            _last_copy_only,
            "only the last step's copy: dL/dw = Σ_t dL/dw⁽ᵗ⁾ sums the copies of w over all steps",
        ),
        Mistake(
            "bptt_du_last_step_only",
            _du_last_step_only,
            "du from the last step only: u is shared too, dL/du = Σ_t δ_t (1 − o_t²) x_t",
        ),
        Mistake(
            "bptt_not_carried_back",
            partial(_sums, carry=False),
            "gradient not carried back through time: δ_(t−1) = δ_t (1 − o_t²) w feeds every "
            "earlier step",
        ),
        Mistake(
            "bptt_no_w_in_chain",
            partial(_sums, chain_w=False),
            "no w in the chain back: do_t/do_(t−1) = (1 − o_t²)·w, so δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        Mistake(
            "bptt_missing_tanh_prime",
            partial(_sums, slope="1"),
            "missing tanh′: every step back multiplies by (1 − o_t²)",
        ),
        Mistake(
            "bptt_one_minus_o",
            partial(_sums, slope="1 - o_t"),
            "(1 − o_t) where (1 − o_t²) belongs: tanh′(a_t) = 1 − o_t²",
        ),
        Mistake(
            "bptt_tanh_twice",
            partial(_sums, slope="1 - tanh(o_t)^2"),
            "you applied tanh to o_t again, 1 − tanh(o_t)²; o_t is already tanh(a_t), "
            "so tanh′ = 1 − o_t²",
        ),
        Mistake(
            "bptt_tanh_prime_at_prev",
            partial(_sums, slope="1 - o_(t-1)^2"),
            "tanh′ at the wrong step: (1 − o_(t−1)²) where (1 − o_t²) belongs",
        ),
        Mistake(
            "bptt_o_t_for_o_prev",
            partial(_sums, state_in_dw=0),
            "o_t where o_(t−1) belongs: dL/dw⁽ᵗ⁾ = δ_t (1 − o_t²) o_(t−1)",
        ),
        Mistake(
            "bptt_missing_v",
            partial(_sums, v_in_delta=False),
            "missing factor v: the chain starts with δ_T = dL/dŷ · v",
        ),
        Mistake(
            "bptt_dv_missing_o_T",
            partial(_sums, o_in_dv=False),
            "dL/dv is missing its factor o_T: dL/dv = dL/dŷ · o_T",
        ),
        Mistake(
            "bptt_per_step_arrays",
            _steps,
            "you returned the per-step contributions (arrays); return their sums, "
            "dL/du = Σ_t dL/du⁽ᵗ⁾ and dL/dw = Σ_t dL/dw⁽ᵗ⁾",
        ),
        Mistake(
            "bptt_du_dw_swapped",
            _du_dw_swapped,
            "dL/du and dL/dw are swapped: return (dL/du, dL/dw, dL/dv)",
        ),
    ),
)

CHECKERS = (check_scalar_bptt,)


# =================================================================================================
# The slider figure of lesson 04, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 04's slider: the per-step contributions dL/dw⁽ᵗ⁾ and their sum dL/dw, as w moves.
#
# The recurrent weight w is used at every step, so its gradient is a sum over its copies::
#
#     dL/dw = Σ_t dL/dw⁽ᵗ⁾,   dL/dw⁽ᵗ⁾ = δ_t · (1 − o_t²) · o_(t−1),   δ_t = dL/do_t
#
# and δ_t reaches step t from the loss through the factors do_k/do_(k−1) = (1 − o_k²)·w,
# k = t+1..T::
#
#     δ_t = δ_T · Π_(k=t+1..T) (1 − o_k²)·w
#
# The left panel shows the contributions and their sum; the right panel shows |do_T/do_t|, the size
# of that product: below 1 the early copies hear less and less of the loss (vanishing), above 1
# more and more (exploding). That is lesson 07's subject; here it is a first glimpse.

_LIMITS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


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
        :data:`rnnlib.scalar.EXAMPLE` (T = 4)
    w_range, u_range : (float, float), the sliders' ranges for w and u

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds ``w``, ``u`` and the numbers of
    :func:`rnnlib.scalar.per_step_contributions`.
    """
    from matplotlib.ticker import MaxNLocator

    from .sliders import Explorer, Slider, freeze_static, new_figure

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


FIGURES = (through_time_explorer,)
