"""Lesson 06: vectorised BPTT (notebooks/06_vectorised_bptt.ipynb).

Checkers of exercise 06, each with its cases and its catalogue of known mistakes:

- ``check_rnn_step_backward``: ``rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh)`` →
  (dx, dh_prev, dWx, dWh, db) for one step ``h_next = tanh(x Wx + h_prev Wh + b)``;
- ``check_rnn_backward``: ``rnn_backward(dh, x, h0, h, Wx, Wh)`` → (dx, dh0, dWx, dWh, db) over
  the whole sequence.

References come from :mod:`rnnlib.rnn` (itself tested against finite differences). Cases cover a
batch of one and more, one time step and more, and D ≠ H, so that a transposed product shows up
as a wrong shape or a wrong number. The mistakes are the backward loops below with one switch
changed, so the catalogue is executable.
"""

from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from .. import rnn
from ..rnn import rnn_forward
from .checking import Case, Checker, Mistake

__all__ = [
    "CHECKERS",
    "check_rnn_step_backward",
    "check_rnn_backward",
    "FIGURES",
    "hidden_trajectories",
    "trajectory_weights",
]


def _weights(rng, D, H, scale=0.9):
    Wx = rng.normal(size=(D, H)) * scale / np.sqrt(D)
    return Wx, rng.normal(size=(H, H)) * scale / np.sqrt(H)


# -- one step backward -----------------------------------------------------------------------------


def rnn_step_backward_cases():
    rng = np.random.default_rng(707)
    cases = []
    for N, D, H in ((2, 3, 4), (1, 2, 3), (4, 5, 2), (3, 1, 3)):
        x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)) * 0.7
        Wx, Wh = _weights(rng, D, H)
        b = rng.normal(size=H) * 0.1
        h_next, cache = rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)
        dh_next = rng.normal(size=(N, H))
        args = {"dh_next": dh_next, "x": x, "h_prev": h_prev, "h_next": h_next, "Wx": Wx, "Wh": Wh}
        label = f"N = {N}, D = {D}, H = {H}" + (" (a batch of one)" if N == 1 else "")
        cases.append(Case(label, args, rnn.rnn_step_backward(dh_next, cache)))
    return cases


def step_backward(
    dh_next,
    x,
    h_prev,
    h_next,
    Wx,
    Wh,
    *,
    slope="1 - h_next^2",
    wh_t=True,
    dWh_state="prev",
    dWh_transposed=False,
    dWx_transposed=False,
    db="sum",
    per_example=False,
    sign=1.0,
):
    """One step back, (dx, dh_prev, dWx, dWh, db); each switch away from its default is one
    catalogued mistake."""
    tanh_prime = {
        "1 - h_next^2": lambda: 1.0 - h_next**2,
        "1": lambda: 1.0,
        "1 - h_next": lambda: 1.0 - h_next,
        "1 - h_prev^2": lambda: 1.0 - h_prev**2,
        "1 - tanh(h_next)^2": lambda: 1.0 - np.tanh(h_next) ** 2,
    }[slope]()
    da = dh_next * tanh_prime
    dWx = x.T @ da
    state = h_prev if dWh_state == "prev" else h_next
    dWh = da.T @ state if dWh_transposed else state.T @ da
    if per_example:
        dWx, dWh = dWx / len(x), dWh / len(x)
    db_ = {"sum": da.sum(axis=0), "mean": da.mean(axis=0), "none": da}[db]
    grads = da @ Wx.T, da @ (Wh.T if wh_t else Wh), (dWx.T if dWx_transposed else dWx), dWh, db_
    return tuple(sign * g for g in grads)


_DA = "da = dh_next * (1 − h_next²)"

check_rnn_step_backward = Checker(
    "check_rnn_step_backward",
    "rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh)",
    rnn_step_backward_cases,
    items=("dx", "dh_prev", "dWx", "dWh", "db"),
    doc="(dx, dh_prev, dWx, dWh, db); x (N, D), h_prev, h_next and dh_next (N, H), Wx (D, H), "
    "Wh (H, H). For one step ``h_next = tanh(x Wx + h_prev Wh + b)``, with "
    "``da = dh_next * (1 − h_next²)``: ``dx = da Wx^T``, ``dh_prev = da Wh^T``, "
    "``dWx = x^T da``, ``dWh = h_prev^T da``, ``db = Σ_n da``. Cases: N = 1 to 4, D ≠ H.",
    mistakes=(
        Mistake(
            "step_missing_tanh_prime", partial(step_backward, slope="1"), f"missing tanh′: {_DA}"
        ),
        Mistake(
            "step_one_minus_h",
            partial(step_backward, slope="1 - h_next"),
            f"(1 − h_next) where (1 − h_next²) belongs: {_DA}",
        ),
        Mistake(
            "step_tanh_prime_of_h_prev",
            partial(step_backward, slope="1 - h_prev^2"),
            f"tanh′ of the wrong state: (1 − h_prev²) where (1 − h_next²) belongs; {_DA}",
        ),
        Mistake(
            "step_tanh_twice",
            partial(step_backward, slope="1 - tanh(h_next)^2"),
            f"you applied tanh to h_next again; h_next is already tanh(a): {_DA}",
        ),
        Mistake(
            "step_wh_not_transposed",
            partial(step_backward, wh_t=False),
            "dh_prev = da Wh^T: Wh must be transposed",
        ),
        Mistake(
            "step_h_next_in_dWh",
            partial(step_backward, dWh_state="next"),
            "h_next where h_prev belongs: dWh = h_prev^T da",
        ),
        Mistake(
            "step_dWh_transposed",
            partial(step_backward, dWh_transposed=True),
            "dWh is transposed: dWh = h_prev^T da, not da^T h_prev",
        ),
        Mistake(
            "step_dWx_transposed",
            partial(step_backward, dWx_transposed=True),
            "dWx is transposed: dWx = x^T da has the shape (D, H) of Wx",
        ),
        Mistake(
            "step_db_averaged",
            partial(step_backward, db="mean"),
            "db averaged over the batch instead of summed: db = Σ_n da[n]",
        ),
        Mistake(
            "step_db_not_summed",
            partial(step_backward, db="none"),
            "db not summed over the batch: db = Σ_n da[n] has shape (H,)",
        ),
        Mistake(
            "step_weights_averaged",
            partial(step_backward, per_example=True),
            "weight gradients divided by the batch size: dWx = x^T da and dWh = h_prev^T da "
            "are sums over the batch",
        ),
        Mistake(
            "step_wrong_sign",
            partial(step_backward, sign=-1.0),
            "wrong sign: every gradient has the opposite sign",
        ),
    ),
)


# -- backpropagation through time over a sequence --------------------------------------------------


def rnn_backward_cases():
    rng = np.random.default_rng(708)
    cases = []
    for N, T, D, H in ((2, 3, 3, 4), (1, 1, 2, 3), (3, 5, 2, 3), (1, 4, 4, 2)):
        x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)) * 0.5
        Wx, Wh = _weights(rng, D, H)
        b = rng.normal(size=H) * 0.1
        h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
        h = h.copy()
        dh = rng.normal(size=(N, T, H))
        args = {"dh": dh, "x": x, "h0": h0, "h": h, "Wx": Wx, "Wh": Wh}
        notes = [s for c, s in ((N == 1, "a batch of one"), (T == 1, "one time step")) if c]
        label = f"N = {N}, T = {T}, D = {D}, H = {H}" + (f" ({', '.join(notes)})" if notes else "")
        cases.append(Case(label, args, rnn.rnn_backward(dh, cache)))
    return cases


def sequence_backward(
    dh,
    x,
    h0,
    h,
    Wx,
    Wh,
    *,
    slope="1 - h_t^2",
    carry=True,
    upstream="all",
    overwrite=None,
    wh_t=True,
    dWh_state="prev",
    db="sum",
    dh0="carry",
    dWx_transposed=False,
    sign=1.0,
):
    """BPTT over the sequence, (dx, dh0, dWx, dWh, db); each switch away from its default is one
    catalogued mistake."""
    N, T, H = dh.shape
    hs = [h0] + [h[:, t] for t in range(T)]
    dx = np.zeros(x.shape)
    per_step = {}
    g_back = np.zeros((N, H))
    da = None
    for t in range(T, 0, -1):
        up = dh[:, t - 1] if (upstream == "all" or t == T) else 0.0
        g = up + (g_back if carry else 0.0)
        ht, hp = hs[t], hs[t - 1]
        tp = {"1 - h_t^2": 1.0 - ht**2, "1": 1.0, "1 - h_t": 1.0 - ht, "1 - h_(t-1)^2": 1.0 - hp**2}
        da = g * tp[slope]
        dx[:, t - 1] = da @ Wx.T
        state = hp if dWh_state == "prev" else ht
        per_step[t] = (x[:, t - 1].T @ da, state.T @ da, da.sum(axis=0))
        g_back = da @ (Wh.T if wh_t else Wh)
    if overwrite is None:
        dWx, dWh, db_ = (sum(p[k] for p in per_step.values()) for k in range(3))
    else:  # only one step's contribution survives: t = 1 (backward loop) or t = T (forward)
        dWx, dWh, db_ = per_step[1 if overwrite == "last_visited" else T]
    if db == "mean":
        db_ = db_ / (N * T)
    dh0_ = {"carry": g_back, "zero": np.zeros((N, H)), "da": da}[dh0]
    grads = dx, dh0_, (dWx.T if dWx_transposed else dWx), dWh, db_
    return tuple(sign * g for g in grads)


_OVERWRITTEN = (
    "weight gradients overwritten instead of summed: dWx, dWh and db add up the "
    "contributions of every time step (use +=)"
)

check_rnn_backward = Checker(
    "check_rnn_backward",
    "rnn_backward(dh, x, h0, h, Wx, Wh)",
    rnn_backward_cases,
    items=("dx", "dh0", "dWx", "dWh", "db"),
    doc="(dx, dh0, dWx, dWh, db); x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H). ``h`` (N, T, H) "
    "holds h_1..h_T from the forward pass and ``dh`` (N, T, H) the upstream gradient of each; "
    "the answer is the gradient of ``Σ_t <dh_t, h_t>``. Cases: N = 1 to 3, T = 1 to 5, D ≠ H.",
    mistakes=(
        Mistake(
            "bptt_not_carried_back",
            partial(sequence_backward, carry=False),
            "gradient not carried back through time: at step t add da_(t+1) Wh^T to dh_t",
        ),
        Mistake(
            "bptt_earlier_upstream_dropped",
            partial(sequence_backward, upstream="last"),
            "upstream gradients of earlier steps dropped: every h_t receives its own dh_t, "
            "plus what comes back from step t + 1",
        ),
        Mistake(
            "bptt_weights_overwritten",
            partial(sequence_backward, overwrite="last_visited"),
            _OVERWRITTEN,
        ),
        Mistake(
            "bptt_weights_overwritten_forward",
            partial(sequence_backward, overwrite="first_visited"),
            _OVERWRITTEN,
        ),
        Mistake(
            "bptt_dh0_dropped",
            partial(sequence_backward, dh0="zero"),
            "dh0 dropped: dh0 = da_1 Wh^T, the gradient carried out of the first step",
        ),
        Mistake(
            "bptt_dh0_missing_wh",
            partial(sequence_backward, dh0="da"),
            "dh0 is missing its last factor: dh0 = da_1 Wh^T, not da_1",
        ),
        Mistake(
            "bptt_missing_tanh_prime",
            partial(sequence_backward, slope="1"),
            "missing tanh′: da_t = (dh_t + da_(t+1) Wh^T) * (1 − h_t²)",
        ),
        Mistake(
            "bptt_one_minus_h",
            partial(sequence_backward, slope="1 - h_t"),
            "(1 − h_t) where (1 − h_t²) belongs: tanh′ = 1 − tanh²",
        ),
        Mistake(
            "bptt_tanh_prime_of_h_prev",
            partial(sequence_backward, slope="1 - h_(t-1)^2"),
            "tanh′ at the wrong step: (1 − h_(t−1)²) where (1 − h_t²) belongs",
        ),
        Mistake(
            "bptt_h_t_in_dWh",
            partial(sequence_backward, dWh_state="next"),
            "h_t where h_(t−1) belongs: dWh = Σ_t h_(t−1)^T da_t",
        ),
        Mistake(
            "bptt_wh_not_transposed",
            partial(sequence_backward, wh_t=False),
            "Wh must be transposed when carrying back: da_(t+1) Wh^T",
        ),
        Mistake(
            "bptt_db_averaged",
            partial(sequence_backward, db="mean"),
            "db averaged instead of summed: db = Σ_t Σ_n da_t",
        ),
        Mistake(
            "bptt_dWx_transposed",
            partial(sequence_backward, dWx_transposed=True),
            "dWx is transposed: dWx = Σ_t x_t^T da_t has the shape (D, H) of Wx",
        ),
        Mistake(
            "bptt_wrong_sign",
            partial(sequence_backward, sign=-1.0),
            "wrong sign: every gradient has the opposite sign",
        ),
    ),
)

CHECKERS = (check_rnn_step_backward, check_rnn_backward)


# =================================================================================================
# The slider figure of lesson 06, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 06's sliders: hidden size H and recurrent weight scale, showing hidden-state trajectories.
#
# One input sequence drives the matrix RNN ``h_t = tanh(x_t Wx + h_(t−1) Wh + b)`` (b = 0, h0 = 0):
# random inputs for the first ``burst`` steps, then silence (x_t = 0). What the hidden state does
# after the inputs stop is set by ``Wh = scale · G / ρ(G)`` (G a fixed standard-normal matrix,
# ρ(G) its spectral radius), so that the spectral radius of Wh is exactly ``scale``: for
# scale < 1 the activity dies out like scale^t, for scale > 1 it keeps itself going.

H_MAX = 64
SHOWN = 12  # unit trajectories drawn (all H units count in the activity)
FLOOR = 1e-6  # the log axis of the activity panel starts here
_TOP = 3.0  # and ends here


@lru_cache(maxsize=H_MAX)
def _draws(H, D, T, burst, seed):
    rng = np.random.default_rng(seed)
    gx = rng.normal(size=(D, H_MAX))
    gh = rng.normal(size=(H_MAX, H_MAX))[:H, :H]
    x = np.zeros((1, T, D))
    x[0, :burst] = rng.normal(size=(burst, D))
    rho = float(np.max(np.abs(np.linalg.eigvals(gh))))
    gh = gh / rho
    return x, gx[:, :H] / np.sqrt(D), gh, float(np.max(np.abs(np.linalg.eigvals(gh))))


def trajectory_weights(H, scale, D=3, T=60, burst=10, seed=0):
    """The explorer's inputs and weights for hidden size ``H`` (H ≤ 64) and weight ``scale``.

    The weights of size H come from the top-left blocks of fixed 64-unit draws, so moving the H
    slider adds or removes units without redrawing the others.

    Returns
    -------
    x : (1, T, D), random for t ≤ burst and 0 after
    h0 : (1, H) zeros
    Wx : (D, H) ``= G_x / √D``
    Wh : (H, H) ``= scale · G_h / ρ(G_h)``: its spectral radius is ``scale``
    b : (H,) zeros
    """
    if isinstance(H, bool) or not isinstance(H, (int, np.integer)) or not 1 <= H <= H_MAX:
        raise ValueError(f"H: expected an integer hidden size in 1..{H_MAX}, got {H!r}")
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale: expected a finite number >= 0, got {scale!r}")
    x, Wx, gh, _ = _draws(int(H), D, T, burst, seed)
    return x.copy(), np.zeros((1, H)), Wx.copy(), scale * gh, np.zeros(H)


def _inside_log_band(x, y, lo, hi):
    """The part of the geometric sequence ``y`` (over ``x``) inside [lo, hi] on a log axis.

    The line leaves the chart where it crosses ``lo`` or ``hi`` (the crossing is interpolated in
    log y, where a geometric sequence is straight) instead of being pinned to the frame."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    with np.errstate(divide="ignore"):
        ly = np.log(np.maximum(y, np.finfo(float).tiny))
    llo, lhi = np.log(lo), np.log(hi)
    xs, ys = [], []
    for k in range(len(x)):
        inside = llo <= ly[k] <= lhi
        if k and inside != (llo <= ly[k - 1] <= lhi) and ly[k] != ly[k - 1]:
            edge = lhi if max(ly[k], ly[k - 1]) > lhi else llo
            f = (edge - ly[k - 1]) / (ly[k] - ly[k - 1])
            xs.append(x[k - 1] + f * (x[k] - x[k - 1]))
            ys.append(hi if edge == lhi else lo)
        if inside:
            xs.append(x[k])
            ys.append(y[k])
        elif xs and not np.isnan(ys[-1]):
            xs.append(np.nan)
            ys.append(np.nan)
    return np.array(xs), np.array(ys)


def hidden_trajectories(H=16, scale=0.9, T=60, burst=10, seed=0):
    """Hidden-state trajectories of the matrix RNN; sliders ``H`` and ``scale`` (= ρ(Wh)).

    Left: h_t[j] against t for the first 12 units. Right: the activity of all H units,
    ``rms_t = √(mean_j h_t[j]²)``, on a log axis, with the line ``rms_burst · ρ^(t − burst)``
    that the linearised RNN predicts once the inputs stop.

    ``state``: ``H``, ``scale``, ``spectral_radius`` (of Wh, computed), ``rms`` (T,) the
    activity, ``rms_end`` (at t = T), ``saturated_fraction`` (share of the h_t[j] after the
    inputs with |h| > 0.95), ``h`` (T, H) the hidden states.
    """
    from matplotlib.ticker import NullLocator

    from .sliders import Explorer, Slider, freeze_static, new_figure

    fig = new_figure(figsize=(8.0, 3.2))
    ax, ax2 = fig.subplots(1, 2, width_ratios=(1.2, 1))
    t = np.arange(1, T + 1)
    lines = [
        ax.plot([], [], lw=1.2, color=f"C{j % 10}", ls="-" if j < 10 else "--")[0]
        for j in range(SHOWN)
    ]
    for a in (ax, ax2):
        a.axvspan(0.5, burst + 0.5, color="0.9", zorder=0)
        a.set_xlim(0.5, T + 0.5)
        a.set_xlabel("time step t")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="0.5", lw=0.6)
    ax.set_ylabel("h_t[j]")
    ax.set_title(f"hidden-state trajectories (first {SHOWN} units)", fontsize=10)
    (rms_line,) = ax2.semilogy([], [], color="C0", lw=2, label="activity (rms of h_t)")
    (theory,) = ax2.semilogy([], [], "k--", lw=1, label="linear prediction ∝ ρ^t")
    ax2.text(
        burst / 2 + 0.5, 2 * FLOOR, "inputs\non", ha="center", va="bottom", fontsize=8, color="0.35"
    )
    ax2.set_ylim(FLOOR, _TOP)
    # Few fixed ticks with plain-text labels (no mathtext): a redraw stays cheap.
    ax2.set_yticks([1e-6, 1e-4, 1e-2, 1], ["1e-6", "1e-4", "0.01", "1"])
    ax2.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    for a in (ax, ax2):
        a.set_xticks(np.arange(0, T + 1, 20 if T > 40 else 10))
    ax2.set_title("activity of all H units", fontsize=10)
    legend = ax2.legend(loc="lower right", fontsize=8)
    label = ax2.text(0.97, 0.97, "", transform=ax2.transAxes, fontsize=9, va="top", ha="right")

    def update(H, scale):
        H = int(H)
        x, h0, Wx, Wh, b = trajectory_weights(H, scale, T=T, burst=burst, seed=seed)
        h = rnn_forward(x, h0, Wx, Wh, b)[0][0]  # (T, H)
        for j, line in enumerate(lines):
            line.set_data((t, h[:, j]) if j < H else ([], []))
        rms = np.sqrt(np.mean(h * h, axis=1))
        rho = scale * _draws(H, 3, T, burst, seed)[3]  # ρ(Wh), computed once
        rms_line.set_data(t, np.maximum(rms, FLOOR))
        after = t[burst - 1 :]
        with np.errstate(under="ignore"):
            pred = rms[burst - 1] * rho ** (after - burst)
        theory.set_data(*_inside_log_band(after, pred, FLOOR, _TOP))
        sat = float(np.mean(np.abs(h[burst:]) > 0.95)) if T > burst else 0.0
        label.set_text(f"H = {H}, ρ(Wh) = {rho:.2f}")
        return {
            "H": H,
            "scale": float(scale),
            "spectral_radius": rho,
            "rms": rms,
            "rms_end": float(rms[-1]),
            "saturated_fraction": sat,
            "h": h,
        }

    def readout(s):
        return (
            f"ρ(Wh) = {s['spectral_radius']:.2f} &nbsp; activity at t = {T}: "
            f"{s['rms_end']:.1e} &nbsp; saturated (|h| &gt; 0.95) after the inputs: "
            f"{100 * s['saturated_fraction']:.0f} %"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting); the legend
    # is redrawn last so that no line covers it
    freeze_static(fig, [*lines, rms_line, theory, label, legend])
    sliders = {
        "H": Slider(2, H_MAX, 1, H, "hidden size H", integer=True),
        "scale": Slider(0.1, 2.5, 0.05, scale, "weight scale ρ(Wh)"),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (hidden_trajectories,)
