"""Lesson 07: vanishing and exploding gradients
(notebooks/07_vanishing_and_exploding_gradients.ipynb).

Checkers of exercise 07, each with its cases and its catalogue of known mistakes:

- ``check_clip_grad_norm``: ``clip_grad_norm(grads, max_norm)`` → the list of clipped arrays
  (inputs unchanged);
- ``check_jacobian_product``: ``jacobian_product(hs, Wh)`` → ∂h_T/∂h_0, shape (H, H);
- ``check_truncated_bptt``: ``truncated_bptt(xs, ys, u, w, v, k)`` → (dL/du, dL/dw, dL/dv) with
  sliding windows of k steps.

References come from :mod:`rnnlib.optim` and :mod:`rnnlib.gradflow`; the mistakes are small
formulas, or the loops below with one switch changed, so the catalogue is executable.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import scalar
from ..gradflow import (
    gradient_norms_by_distance,
    jacobian_products,
    long_sequence_problem,
    scalar_bptt_truncated,
    truncation_curve,
)
from ..optim import clip_grad_norm
from ..rnn import rnn_forward
from .checking import Case, Checker, Mistake

__all__ = [
    "CHECKERS",
    "check_clip_grad_norm",
    "check_jacobian_product",
    "check_truncated_bptt",
    "FIGURES",
    "gradients_explorer",
]


# -- clipping by global norm -----------------------------------------------------------------------


def clip_grad_norm_cases():
    rng = np.random.default_rng(606)

    def grads(scale, shapes):
        return [rng.normal(size=s) * scale for s in shapes]

    three = [(3, 4), (4, 4), (4,)]  # dWx, dWh, db with D = 3, H = 4
    raw = [
        (
            "three gradients (3, 4), (4, 4), (4,), global norm over the limit",
            grads(0.8, three),
            2.5,
        ),
        ("three gradients, global norm under the limit", grads(0.1, three), 2.5),
        ("one gradient of shape (5,), over the limit", grads(1.0, [(5,)]), 0.5),
        (
            "two gradients of very different sizes, over the limit",
            [rng.normal(size=(2, 3)) * 4.0, rng.normal(size=(3,)) * 0.05],
            1.5,
        ),
        (
            "two gradients, each under the limit but together over it",
            [np.array([0.9, -0.6, 0.3]), np.array([[0.5, -0.8], [0.7, 0.2]])],
            1.2,
        ),
    ]
    return [
        Case(label, {"grads": g, "max_norm": m}, clip_grad_norm(g, m)[0]) for label, g, m in raw
    ]


def _norm(g):
    return float(np.sqrt(np.sum(np.square(g))))


def _clip(grads, max_norm, *, norm="global", when="over", ratio="limit/norm"):
    """Rescale the gradients, with switches for the mistakes: ``norm`` "global" | "sum of norms"
    | "no sqrt" | "per array"; ``when`` "over" the limit or "always"; ``ratio`` of the factor."""
    if norm == "per array":
        return [_clip([g], max_norm)[0] for g in grads]
    total = {
        "global": lambda: np.sqrt(sum(_norm(g) ** 2 for g in grads)),
        "sum of norms": lambda: sum(_norm(g) for g in grads),
        "no sqrt": lambda: sum(_norm(g) ** 2 for g in grads),
    }[norm]()
    factor = max_norm / total if ratio == "limit/norm" else total / max_norm
    scale = factor if (when == "always" or total > max_norm) else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]


check_clip_grad_norm = Checker(
    "check_clip_grad_norm",
    "clip_grad_norm(grads, max_norm)",
    clip_grad_norm_cases,
    items="clipped[{i}]",
    doc="the list of clipped arrays (inputs unchanged); grads a list of ndarrays. If the global "
    "norm ``sqrt(Σ_k ‖g_k‖²)`` exceeds ``max_norm``, every gradient is multiplied by "
    "``max_norm / global norm``; otherwise they are returned unchanged.",
    mistakes=(
        Mistake(
            "clip_elementwise",
            lambda grads, max_norm: [np.clip(g, -max_norm, max_norm) for g in grads],
            "elementwise clipping (each entry to ±max_norm) instead of rescaling every "
            "gradient by max_norm / (global norm)",
        ),
        Mistake(
            "clip_per_array",
            partial(_clip, norm="per array"),
            "per-array norms: each gradient was rescaled by its own norm; use the global norm "
            "sqrt(Σ_k ‖g_k‖²) of all of them together",
        ),
        Mistake(
            "clip_always_rescaled",
            partial(_clip, when="always"),
            "rescaling when already under the limit: leave the gradients unchanged when the "
            "global norm is ≤ max_norm",
        ),
        Mistake(
            "clip_not_at_all",
            lambda grads, max_norm: [np.asarray(g, dtype=float) for g in grads],
            "nothing was clipped: when the global norm exceeds max_norm, multiply every "
            "gradient by max_norm / (global norm)",
        ),
        Mistake(
            "clip_inverted_ratio",
            partial(_clip, ratio="norm/limit"),
            "inverted ratio: the factor is max_norm / (global norm), not its inverse",
        ),
        Mistake(
            "clip_sum_of_norms",
            partial(_clip, norm="sum of norms"),
            "the global norm is sqrt(Σ_k ‖g_k‖²), not the sum of the norms Σ_k ‖g_k‖",
        ),
        Mistake(
            "clip_no_sqrt",
            partial(_clip, norm="no sqrt"),
            "missing square root: the global norm is sqrt(Σ_k ‖g_k‖²), not Σ_k ‖g_k‖²",
        ),
        Mistake(
            "clip_returned_total_too",
            lambda grads, max_norm: tuple(clip_grad_norm(grads, max_norm)),
            "you returned (clipped, total_norm) as rnnlib.clip_grad_norm does; this exercise "
            "returns only the list of clipped arrays",
        ),
    ),
)


# -- the product of Jacobians ∂h_T/∂h_0 ------------------------------------------------------------


def jacobian_product_cases():
    rng = np.random.default_rng(8)
    cases = []
    for label, T, H in (
        ("T = 3, H = 3", 3, 3),
        ("T = 1, H = 2 (one step)", 1, 2),
        ("T = 5, H = 4", 5, 4),
        ("T = 0 (no step: the identity)", 0, 2),
    ):
        Wh = rng.normal(size=(H, H)) * 0.9 / np.sqrt(H)
        x = rng.normal(size=(1, max(T, 1), 2))
        Wx = rng.normal(size=(2, H))
        h, cache = rnn_forward(x, rng.normal(size=(1, H)) * 0.5, Wx, Wh, rng.normal(size=H) * 0.2)
        hs = cache.hs[: T + 1, 0].copy()
        cases.append(Case(label, {"hs": hs, "Wh": Wh}, jacobian_products(hs, Wh)[-1]))
    return cases


def jacobian_product(
    hs,
    Wh,
    *,
    later_left=True,
    diag_left=True,
    state_after=True,
    slope="1-h2",
    transpose_wh=True,
    elementwise=False,
    transpose_result=False,
):
    """J_T ⋯ J_1 with J_t = diag(1 − h_t²) Wh^T; each switch away from its default is one
    catalogued mistake."""
    H = Wh.shape[0]
    out = np.eye(H)
    T = hs.shape[0] - 1
    for t in range(1, T + 1):
        h = hs[t] if state_after else hs[t - 1]
        d = {"1-h2": 1.0 - h**2, "1-h": 1.0 - h, "none": np.ones(H)}[slope]
        W = Wh.T if transpose_wh else Wh
        J = d[:, None] * W if diag_left else W * d[None, :]
        if elementwise:
            out = J * out if later_left else out * J
        else:
            out = J @ out if later_left else out @ J
    return out.T if transpose_result else out


check_jacobian_product = Checker(
    "check_jacobian_product",
    "jacobian_product(hs, Wh)",
    jacobian_product_cases,
    doc="∂h_T/∂h_0 (H, H), h_t = tanh(x_t Wx + h_(t−1) Wh + b). ``hs`` (T + 1, H) holds "
    "h_0..h_T of one sequence; the answer is J_T J_(T−1) ⋯ J_1 with J_t = diag(1 − h_t²) Wh^T, "
    "so that entry [j, i] is ∂h_T[j]/∂h_0[i].",
    mistakes=(
        Mistake(
            "transposed_result",
            partial(jacobian_product, transpose_result=True),
            "you returned the transpose: row j must hold the derivatives of h_T[j]",
        ),
        Mistake(
            "diag_on_the_right",
            partial(jacobian_product, diag_left=False),
            "diag(1 − h_t²) belongs on the LEFT of Wh^T: "
            "∂h_t[j]/∂h_(t−1)[i] = (1 − h_t[j]²)·Wh[i, j]",
        ),
        Mistake(
            "earliest_on_the_left",
            partial(jacobian_product, later_left=False),
            "wrong order: the latest Jacobian stands on the left, J_T ⋯ J_2 J_1",
        ),
        Mistake(
            "state_before_the_step",
            partial(jacobian_product, state_after=False),
            "tanh′ of step t is 1 − h_t² (the state AFTER the step), not 1 − h_(t−1)²",
        ),
        Mistake(
            "no_tanh_prime",
            partial(jacobian_product, slope="none"),
            "the tanh′ factor diag(1 − h_t²) is missing",
        ),
        Mistake(
            "one_minus_h", partial(jacobian_product, slope="1-h"), "tanh′ is 1 − h², not 1 − h"
        ),
        Mistake(
            "wh_not_transposed",
            partial(jacobian_product, transpose_wh=False),
            "Wh must be transposed: ∂a_t[j]/∂h_(t−1)[i] = Wh[i, j], so J_t = diag(1 − h_t²) Wh^T",
        ),
        Mistake(
            "elementwise_product",
            partial(jacobian_product, elementwise=True),
            "you multiplied elementwise (*); the chain rule needs matrix products (@)",
        ),
    ),
)


# -- truncated BPTT (scalar model, a target at every step) -----------------------------------------


def truncated_bptt_cases():
    rng = np.random.default_rng(7)
    cases = []
    for label, T, k, (u, w, v) in (
        ("T = 6, k = 2", 6, 2, (0.8, 0.9, 1.3)),
        ("T = 7, k = 3", 7, 3, (-0.6, 1.1, 0.9)),
        ("T = 5, k = 1 (no gradient passes between steps)", 5, 1, (0.7, -0.8, 1.1)),
        ("T = 4, k = 4 = T (the full gradient)", 4, 4, (0.5, 0.7, -1.2)),
        ("T = 3, k = 5 > T (the full gradient)", 3, 5, (1.0, 0.5, 0.8)),
    ):
        xs = rng.uniform(-1, 1, size=T)
        ys = rng.uniform(-1, 1, size=T)
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "k": k}
        cases.append(Case(label, args, scalar_bptt_truncated(**args)))
    return cases


def sliding(k):
    """The steps s that the error of step t reaches in truncated BPTT: t, t−1, …, t−k+1."""
    return lambda t, T: range(max(t - k + 1, 1), t + 1)


def truncated(
    xs, ys, u, w, v, reach, *, tanh_prime=True, prev_state=True, errors="all", dv_steps=None
):
    """Scalar truncated BPTT written out pair by pair: the error of step t reaches the steps s
    in ``reach(t, T)`` (1-based). Switches give the catalogued mistakes."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, xs.size
    err = v * o[1:] - ys
    du = dw = 0.0
    for t in range(1, T + 1):
        if errors == "last" and t < T:
            continue
        d = err[t - 1] * v  # dL_t/do_t
        for s in range(t, 0, -1):
            slope = (1.0 - o[s] ** 2) if tanh_prime else 1.0
            if s in reach(t, T):
                du += d * slope * xs[s - 1]
                dw += d * slope * (o[s - 1] if prev_state else o[s])
            d = d * slope * w  # on to do_(s−1)
    steps = range(1, T + 1) if dv_steps is None else dv_steps(T)
    dv = sum(err[t - 1] * o[t] for t in steps)
    return float(du), float(dw), float(dv)


def _truncated_with(reach=None, **switches):
    """A mistake: :func:`truncated` with the window ``reach(k)`` (default: the right one)."""
    reach = sliding if reach is None else reach
    return lambda xs, ys, u, w, v, k: truncated(xs, ys, u, w, v, reach(k), **switches)


_OFF_BY_ONE = (
    "off by one: the error of step t reaches steps t, t−1, …, t−k+1 (k steps, step t itself "
    "included); yours "
)

check_truncated_bptt = Checker(
    "check_truncated_bptt",
    "truncated_bptt(xs, ys, u, w, v, k)",
    truncated_bptt_cases,
    items=("dL/du", "dL/dw", "dL/dv"),
    doc="(dL/du, dL/dw, dL/dv) with sliding windows. Scalar model with a target at every step, "
    "L = Σ_t ½(v·o_t − y_t)². The error of step t, (ŷ_t − y_t)·v = dL_t/do_t, travels back "
    "through steps t, t−1, …, t−k+1 only; dL/dv is not truncated. For k ≥ T this is full BPTT.",
    mistakes=(
        Mistake(
            "ignored_k",
            _truncated_with(lambda k: lambda t, T: range(1, t + 1)),
            "this is the FULL BPTT gradient: each step's error must travel back at most k steps",
        ),
        Mistake(
            "window_one_too_long",
            _truncated_with(lambda k: sliding(k + 1)),
            _OFF_BY_ONE + "went one step further",
        ),
        Mistake(
            "window_one_too_short",
            _truncated_with(lambda k: sliding(k - 1)),
            _OFF_BY_ONE + "stopped one step short",
        ),
        Mistake(
            "chunked_windows",
            _truncated_with(
                lambda k: lambda t, T: [s for s in range(1, t + 1) if (s - 1) // k == (t - 1) // k]
            ),
            "you cut the sequence into chunks (t = 1..k, k+1..2k, …); here the window SLIDES: "
            "every error goes back k steps from its own step",
        ),
        Mistake(
            "stopped_k_before_the_end",
            _truncated_with(lambda k: lambda t, T: range(max(T - k + 1, 1), t + 1)),
            "you stopped the whole backward pass k steps before the end; instead cut EACH "
            "error's path after k steps (early errors get their own windows)",
        ),
        Mistake(
            "last_error_only",
            _truncated_with(errors="last"),
            "only the last step's error was used: every step has a target here, and each "
            "error (ŷ_t − y_t)·v starts its own trip back",
        ),
        Mistake(
            "truncated_dv",
            lambda xs, ys, u, w, v, k: truncated(
                xs, ys, u, w, v, sliding(k), dv_steps=lambda T: range(max(T - k + 1, 1), T + 1)
            ),
            "dL/dv = Σ_t (ŷ_t − y_t)·o_t does not go back in time: sum it over EVERY step, "
            "whatever k",
        ),
        Mistake(
            "missing_tanh_prime",
            _truncated_with(tanh_prime=False),
            "the tanh′ factor (1 − o_s²) is missing",
        ),
        Mistake(
            "state_after_not_before",
            _truncated_with(prev_state=False),
            "dL/dw⁽ˢ⁾ uses o_(s−1), the state ENTERING step s; you used o_s",
        ),
        Mistake(
            "wrong_sign",
            lambda *args: tuple(-g for g in scalar_bptt_truncated(*args)),
            "wrong sign everywhere: the error is ŷ_t − y_t, not y_t − ŷ_t",
        ),
    ),
)

CHECKERS = (check_clip_grad_norm, check_jacobian_product, check_truncated_bptt)


# =================================================================================================
# The slider figure of lesson 07, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 07's sliders: the recurrent weight scale and the truncation window k.
#
# The model is :func:`rnnlib.gradflow.long_sequence_problem` (H = 8 units, T = 20 steps,
# ``Wh = scale · Q`` with Q orthogonal, so every singular value of Wh is ``scale``).
#
# Left panel: how much of a loss at the last step reaches the state d steps earlier,
# ‖∂L/∂h_(T−d)‖ (log scale), beside the bound scale^d that ‖J_t‖₂ ≤ ‖Wh‖₂ = scale gives.
# Right panel: truncated BPTT with window k against the full gradient (loss at every step): the
# relative error and the cosine similarity of the gradient of (Wx, Wh, b), for every k, with the
# slider's k marked. The curves of a scale are computed once and cached; moving k only moves the
# marker.

_FLOOR, _TOP = -8.0, 4.0  # log10 range of the gradient-norm axis


def gradients_explorer(scale=1.0, k=5, H=8, T=20, scale_range=(0.3, 2.0)):
    """A recurrent-scale slider and a truncation slider over gradient norms and truncation error.

    Parameters
    ----------
    scale : float, initial ‖Wh‖₂ (every singular value of Wh)
    k : int, initial truncation window
    H, T : int, hidden size and sequence length of :func:`rnnlib.gradflow.long_sequence_problem`
    scale_range : (float, float), the scale slider's range

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds ``scale``, ``k``, ``norms`` (T + 1,)
    = ‖∂L/∂h_(T−d)‖ for d = 0..T, ``bound`` (T + 1,) = scale^d, ``ks``, ``rel_errors``,
    ``cosines`` (the whole truncation curve) and ``rel_error``, ``cosine`` at the slider's k.
    """
    from matplotlib.ticker import MaxNLocator

    from .sliders import Explorer, Slider, freeze_static, new_figure

    if len(scale_range) != 2 or not 0 < float(scale_range[0]) < float(scale_range[1]):
        raise ValueError(
            f"scale_range: expected (low, high) with 0 < low < high, got {scale_range}"
        )
    ks = np.arange(1, T + 1)
    d = np.arange(T + 1)
    cache = {}

    def curves(scale):
        key = round(float(scale), 10)
        if key not in cache:
            p = long_sequence_problem(scale, H=H, T=T)
            _, c = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
            norms = gradient_norms_by_distance(c.hs[:, 0], p["Wh"], p["g_T"])
            cache[key] = (norms, truncation_curve(p["dh"], c, ks))
        return cache[key]

    fig = new_figure(figsize=(8.6, 3.3))
    ax_g, ax_t = fig.subplots(1, 2)
    # log10 on a linear axis (a log axis is too slow to redraw for a slider)
    ax_g.set_xlim(0, T)
    ax_g.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_g.set_ylim(_FLOOR, _TOP)
    ticks = range(int(_FLOOR), int(_TOP) + 1, 2)
    ax_g.set_yticks(ticks, [rf"$10^{{{t}}}$" for t in ticks])
    ax_g.axhline(0.0, color="0.6", lw=0.8)
    (bound_line,) = ax_g.plot(
        d, np.zeros(T + 1), ls="--", color="0.4", lw=1, label=r"bound $\mathrm{scale}^d$"
    )
    (norm_line,) = ax_g.plot(
        d,
        np.zeros(T + 1),
        "o-",
        color="tab:purple",
        ms=3,
        label=r"$\|\partial L/\partial h_{T-d}\|$",
    )
    ax_g.set_xlabel("distance back in time d (steps)")
    ax_g.legend(loc="lower left", fontsize=8)
    ax_g.set_title(f"a loss at step {T}, sent back d steps", fontsize=10)
    note_g = ax_g.text(0.03, 0.95, "", transform=ax_g.transAxes, va="top", fontsize=9)

    ax_t.set_xlim(0.5, T + 0.5)
    ax_t.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_t.set_ylim(-0.9, 1.08)
    ax_t.axhline(0.0, color="0.6", lw=0.8)
    (err_line,) = ax_t.plot(ks, np.zeros(T), "s-", color="tab:red", ms=3, label="relative error")
    (cos_line,) = ax_t.plot(
        ks, np.zeros(T), "o-", color="tab:green", ms=3, label="cosine similarity"
    )
    k_line = ax_t.axvline(k, color="0.3", lw=1, ls=":")
    ax_t.set_xlabel("truncation window k (steps)")
    ax_t.legend(loc="lower right", fontsize=8)
    ax_t.set_title("truncated BPTT(k) against full BPTT", fontsize=10)
    note_t = ax_t.text(0.03, 0.04, "", transform=ax_t.transAxes, fontsize=9)

    def update(scale, k):
        k = int(k)
        norms, tc = curves(scale)
        bound = float(scale) ** d
        with np.errstate(divide="ignore"):
            norm_line.set_ydata(np.clip(np.log10(norms), _FLOOR, _TOP))
            bound_line.set_ydata(np.clip(np.log10(bound), _FLOOR, _TOP))
        note_g.set_text(f"scale = {scale:.2f}")
        err_line.set_ydata(tc.rel_errors)
        cos_line.set_ydata(tc.cosines)
        k_line.set_xdata([k, k])
        i = k - 1
        note_t.set_text(f"k = {k}: error {tc.rel_errors[i]:.3f}, cosine {tc.cosines[i]:+.3f}")
        return {
            "scale": float(scale),
            "k": k,
            "norms": norms,
            "bound": bound,
            "ks": tc.ks,
            "rel_errors": tc.rel_errors,
            "cosines": tc.cosines,
            "rel_error": float(tc.rel_errors[i]),
            "cosine": float(tc.cosines[i]),
        }

    def readout(s):
        return (
            f"scale = {s['scale']:.2f}: ‖∂L/∂h<sub>0</sub>‖ = {s['norms'][-1]:.2e} "
            f"(bound {s['bound'][-1]:.2e}); truncated at k = {s['k']}: relative error "
            f"<b>{s['rel_error']:.3f}</b>, cosine <b>{s['cosine']:+.3f}</b>"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting)
    freeze_static(fig, [bound_line, norm_line, note_g, err_line, cos_line, k_line, note_t])
    sliders = {
        "scale": Slider(
            float(scale_range[0]),
            float(scale_range[1]),
            0.05,
            float(scale),
            "recurrent scale ‖Wh‖₂",
        ),
        "k": Slider(1, T, 1, int(k), "truncation k", integer=True),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (gradients_explorer,)
