"""Checkers for the vectorised RNN's exercises (stages 06–07): clipping, one step back, BPTT.

References come from :mod:`rnnlib.optim` and :mod:`rnnlib.rnn` (themselves tested against finite
differences). Cases cover a batch of one and more, one time step and more, and D ≠ H, so that a
transposed product shows up as a wrong shape or a wrong number. Each catalogued mistake is one
small function computing the *wrong* answer (``MISTAKES[checker]``).
"""

from __future__ import annotations

import numpy as np

from ..optim import clip_grad_norm as _clip_grad_norm
from ..rnn import rnn_backward as _rnn_backward
from ..rnn import rnn_forward, rnn_step_forward
from ..rnn import rnn_step_backward as _rnn_step_backward
from ._harness import Case, Mistake, run_checks

__all__ = ["check_clip_grad_norm", "check_rnn_step_backward", "check_rnn_backward", "MISTAKES"]


# -- clipping by global norm (stage 06) ------------------------------------------------------------


def _clip_cases():
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
    return [Case(lb, {"grads": g, "max_norm": m}, _clip_grad_norm(g, m)[0]) for lb, g, m in raw]


def _norm(g):
    return float(np.sqrt(np.sum(np.square(g))))


def _scaled(grads, total, max_norm):
    scale = max_norm / total if total > max_norm else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]


def clip_elementwise(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]


def clip_per_array(grads, max_norm):
    return [_scaled([g], _norm(g), max_norm)[0] for g in grads]


def clip_always_rescaled(grads, max_norm):
    total = np.sqrt(sum(_norm(g) ** 2 for g in grads))
    return [np.asarray(g, dtype=float) * (max_norm / total) for g in grads]


def clip_not_at_all(grads, max_norm):
    return [np.asarray(g, dtype=float) for g in grads]


def clip_inverted_ratio(grads, max_norm):
    total = np.sqrt(sum(_norm(g) ** 2 for g in grads))
    scale = total / max_norm if total > max_norm else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]


def clip_sum_of_norms(grads, max_norm):
    return _scaled(grads, sum(_norm(g) for g in grads), max_norm)


def clip_no_sqrt(grads, max_norm):
    return _scaled(grads, sum(_norm(g) ** 2 for g in grads), max_norm)


def clip_returned_total_too(grads, max_norm):
    return tuple(_clip_grad_norm(grads, max_norm))


CLIP_GRAD_NORM_MISTAKES = (
    Mistake(
        "elementwise clipping (each entry to ±max_norm) instead of rescaling every "
        "gradient by max_norm / (global norm)",
        clip_elementwise,
    ),
    Mistake(
        "per-array norms: each gradient was rescaled by its own norm; use the global norm "
        "sqrt(Σ_k ‖g_k‖²) of all of them together",
        clip_per_array,
    ),
    Mistake(
        "rescaling when already under the limit: leave the gradients unchanged when the "
        "global norm is ≤ max_norm",
        clip_always_rescaled,
    ),
    Mistake(
        "nothing was clipped: when the global norm exceeds max_norm, multiply every "
        "gradient by max_norm / (global norm)",
        clip_not_at_all,
    ),
    Mistake(
        "inverted ratio: the factor is max_norm / (global norm), not its inverse",
        clip_inverted_ratio,
    ),
    Mistake(
        "the global norm is sqrt(Σ_k ‖g_k‖²), not the sum of the norms Σ_k ‖g_k‖", clip_sum_of_norms
    ),
    Mistake(
        "missing square root: the global norm is sqrt(Σ_k ‖g_k‖²), not Σ_k ‖g_k‖²", clip_no_sqrt
    ),
    Mistake(
        "you returned (clipped, total_norm) as rnnlib.clip_grad_norm does; this exercise "
        "returns only the list of clipped arrays",
        clip_returned_total_too,
    ),
)


def check_clip_grad_norm(clip_grad_norm):
    """Check ``clip_grad_norm(grads, max_norm)`` → the list of clipped arrays (inputs unchanged).

    If the global norm ``sqrt(Σ_k ‖g_k‖²)`` exceeds ``max_norm``, every gradient is multiplied
    by ``max_norm / global norm``; otherwise they are returned unchanged.

    Parameters
    ----------
    clip_grad_norm : callable ``clip_grad_norm(grads, max_norm)``, grads a list of ndarrays
    """
    run_checks(
        "check_clip_grad_norm",
        clip_grad_norm,
        _clip_cases(),
        mistakes=CLIP_GRAD_NORM_MISTAKES,
        names="clipped[{i}]",
    )


# -- one step backward (stage 07) ------------------------------------------------------------------

_STEP_NAMES = ("dx", "dh_prev", "dWx", "dWh", "db")


def _weights(rng, D, H, scale=0.9):
    return rng.normal(size=(D, H)) * scale / np.sqrt(D), rng.normal(size=(H, H)) * scale / np.sqrt(
        H
    )


def _step_cases():
    rng = np.random.default_rng(707)
    cases = []
    for N, D, H in ((2, 3, 4), (1, 2, 3), (4, 5, 2), (3, 1, 3)):
        x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)) * 0.7
        Wx, Wh = _weights(rng, D, H)
        b = rng.normal(size=H) * 0.1
        h_next, cache = rnn_step_forward(x, h_prev, Wx, Wh, b)
        dh_next = rng.normal(size=(N, H))
        args = {"dh_next": dh_next, "x": x, "h_prev": h_prev, "h_next": h_next, "Wx": Wx, "Wh": Wh}
        label = f"N = {N}, D = {D}, H = {H}" + (" (a batch of one)" if N == 1 else "")
        cases.append(Case(label, args, _rnn_step_backward(dh_next, cache)))
    return cases


def _step(
    dh_next,
    x,
    h_prev,
    h_next,
    Wx,
    Wh,
    *,
    slope=None,
    wh_t=True,
    dWh_state="prev",
    dWh_transposed=False,
    db="sum",
    per_example=False,
):
    """One step back with one thing changed; returns (dx, dh_prev, dWx, dWh, db)."""
    da = dh_next * ((1.0 - h_next**2) if slope is None else slope)
    dWx = x.T @ da
    state = h_prev if dWh_state == "prev" else h_next
    dWh = da.T @ state if dWh_transposed else state.T @ da
    if per_example:
        dWx, dWh = dWx / len(x), dWh / len(x)
    db_ = {"sum": da.sum(axis=0), "mean": da.mean(axis=0), "none": da}[db]
    return da @ Wx.T, da @ (Wh.T if wh_t else Wh), dWx, dWh, db_


def step_missing_tanh_prime(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, slope=1.0)


def step_one_minus_h(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, slope=1.0 - h_next)


def step_tanh_prime_of_h_prev(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, slope=1.0 - h_prev**2)


def step_tanh_twice(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, slope=1.0 - np.tanh(h_next) ** 2)


def step_wh_not_transposed(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, wh_t=False)


def step_h_next_in_dWh(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, dWh_state="next")


def step_dWh_transposed(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, dWh_transposed=True)


def step_dWx_transposed(dh_next, x, h_prev, h_next, Wx, Wh):
    dx, dh_prev, dWx, dWh, db = _step(dh_next, x, h_prev, h_next, Wx, Wh)
    return dx, dh_prev, dWx.T, dWh, db


def step_db_averaged(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, db="mean")


def step_db_not_summed(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, db="none")


def step_weights_averaged(dh_next, x, h_prev, h_next, Wx, Wh):
    return _step(dh_next, x, h_prev, h_next, Wx, Wh, per_example=True)


def step_wrong_sign(dh_next, x, h_prev, h_next, Wx, Wh):
    return tuple(-g for g in _step(dh_next, x, h_prev, h_next, Wx, Wh))


_DA = "da = dh_next * (1 − h_next²)"

RNN_STEP_BACKWARD_MISTAKES = (
    Mistake(f"missing tanh′: {_DA}", step_missing_tanh_prime),
    Mistake(f"(1 − h_next) where (1 − h_next²) belongs: {_DA}", step_one_minus_h),
    Mistake(
        f"tanh′ of the wrong state: (1 − h_prev²) where (1 − h_next²) belongs; {_DA}",
        step_tanh_prime_of_h_prev,
    ),
    Mistake(f"you applied tanh to h_next again; h_next is already tanh(a): {_DA}", step_tanh_twice),
    Mistake("dh_prev = da Wh^T: Wh must be transposed", step_wh_not_transposed),
    Mistake("h_next where h_prev belongs: dWh = h_prev^T da", step_h_next_in_dWh),
    Mistake("dWh is transposed: dWh = h_prev^T da, not da^T h_prev", step_dWh_transposed),
    Mistake("dWx is transposed: dWx = x^T da has the shape (D, H) of Wx", step_dWx_transposed),
    Mistake("db averaged over the batch instead of summed: db = Σ_n da[n]", step_db_averaged),
    Mistake("db not summed over the batch: db = Σ_n da[n] has shape (H,)", step_db_not_summed),
    Mistake(
        "weight gradients divided by the batch size: dWx = x^T da and dWh = h_prev^T da "
        "are sums over the batch",
        step_weights_averaged,
    ),
    Mistake("wrong sign: every gradient has the opposite sign", step_wrong_sign),
)


def check_rnn_step_backward(rnn_step_backward):
    """Check ``rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh)``.

    The learner's function returns ``(dx, dh_prev, dWx, dWh, db)``.

    For one step ``h_next = tanh(x Wx + h_prev Wh + b)``, with ``da = dh_next * (1 − h_next²)``:
    ``dx = da Wx^T``, ``dh_prev = da Wh^T``, ``dWx = x^T da``, ``dWh = h_prev^T da``,
    ``db = Σ_n da``. Cases: N = 1 to 4, D ≠ H.

    Parameters
    ----------
    rnn_step_backward : callable; x (N, D), h_prev and h_next and dh_next (N, H), Wx (D, H),
        Wh (H, H)
    """
    run_checks(
        "check_rnn_step_backward",
        rnn_step_backward,
        _step_cases(),
        mistakes=RNN_STEP_BACKWARD_MISTAKES,
        names=_STEP_NAMES,
    )


# -- backpropagation through time over a sequence (stage 07) ---------------------------------------

_SEQ_NAMES = ("dx", "dh0", "dWx", "dWh", "db")


def _bptt_cases():
    rng = np.random.default_rng(708)
    cases = []
    for N, T, D, H in ((2, 3, 3, 4), (1, 1, 2, 3), (3, 5, 2, 3), (1, 4, 4, 2)):
        x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)) * 0.5
        Wx, Wh = _weights(rng, D, H)
        b = rng.normal(size=H) * 0.1
        h, cache = rnn_forward(x, h0, Wx, Wh, b)
        h = h.copy()
        dh = rng.normal(size=(N, T, H))
        args = {"dh": dh, "x": x, "h0": h0, "h": h, "Wx": Wx, "Wh": Wh}
        notes = [s for c, s in ((N == 1, "a batch of one"), (T == 1, "one time step")) if c]
        label = f"N = {N}, T = {T}, D = {D}, H = {H}" + (f" ({', '.join(notes)})" if notes else "")
        cases.append(Case(label, args, _rnn_backward(dh, cache)))
    return cases


def _bptt(
    dh,
    x,
    h0,
    h,
    Wx,
    Wh,
    *,
    slope="1-h2",
    carry=True,
    upstream="all",
    overwrite=None,
    wh_t=True,
    dWh_state="prev",
    db="sum",
    dh0="carry",
    dWx_transposed=False,
):
    """BPTT over the sequence with one thing changed; returns (dx, dh0, dWx, dWh, db)."""
    N, T, H = dh.shape
    hs = [h0] + [h[:, t] for t in range(T)]
    dx = np.zeros(x.shape)
    dWx, dWh, db_ = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(H)
    per_step = {}
    g_back = np.zeros((N, H))
    da = None
    for t in range(T, 0, -1):
        up = dh[:, t - 1] if (upstream == "all" or t == T) else 0.0
        g = up + (g_back if carry else 0.0)
        ht, hp = hs[t], hs[t - 1]
        tp = {"1-h2": 1.0 - ht**2, "1": 1.0, "1-h": 1.0 - ht, "prev": 1.0 - hp**2}[slope]
        da = g * tp
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
    return dx, dh0_, (dWx.T if dWx_transposed else dWx), dWh, db_


def bptt_not_carried_back(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, carry=False)


def bptt_earlier_upstream_dropped(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, upstream="last")


def bptt_weights_overwritten(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, overwrite="last_visited")


def bptt_weights_overwritten_forward(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, overwrite="first_visited")


def bptt_dh0_dropped(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, dh0="zero")


def bptt_dh0_missing_wh(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, dh0="da")


def bptt_missing_tanh_prime(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, slope="1")


def bptt_one_minus_h(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, slope="1-h")


def bptt_tanh_prime_of_h_prev(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, slope="prev")


def bptt_h_t_in_dWh(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, dWh_state="next")


def bptt_wh_not_transposed(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, wh_t=False)


def bptt_db_averaged(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, db="mean")


def bptt_dWx_transposed(dh, x, h0, h, Wx, Wh):
    return _bptt(dh, x, h0, h, Wx, Wh, dWx_transposed=True)


def bptt_wrong_sign(dh, x, h0, h, Wx, Wh):
    return tuple(-g for g in _bptt(dh, x, h0, h, Wx, Wh))


_OVERWRITTEN = (
    "weight gradients overwritten instead of summed: dWx, dWh and db add up the "
    "contributions of every time step (use +=)"
)

RNN_BACKWARD_MISTAKES = (
    Mistake(
        "gradient not carried back through time: at step t add da_(t+1) Wh^T to dh_t",
        bptt_not_carried_back,
    ),
    Mistake(
        "upstream gradients of earlier steps dropped: every h_t receives its own dh_t, "
        "plus what comes back from step t + 1",
        bptt_earlier_upstream_dropped,
    ),
    Mistake(_OVERWRITTEN, bptt_weights_overwritten),
    Mistake(_OVERWRITTEN, bptt_weights_overwritten_forward),
    Mistake(
        "dh0 dropped: dh0 = da_1 Wh^T, the gradient carried out of the first step", bptt_dh0_dropped
    ),
    Mistake("dh0 is missing its last factor: dh0 = da_1 Wh^T, not da_1", bptt_dh0_missing_wh),
    Mistake("missing tanh′: da_t = (dh_t + da_(t+1) Wh^T) * (1 − h_t²)", bptt_missing_tanh_prime),
    Mistake("(1 − h_t) where (1 − h_t²) belongs: tanh′ = 1 − tanh²", bptt_one_minus_h),
    Mistake(
        "tanh′ at the wrong step: (1 − h_(t−1)²) where (1 − h_t²) belongs",
        bptt_tanh_prime_of_h_prev,
    ),
    Mistake("h_t where h_(t−1) belongs: dWh = Σ_t h_(t−1)^T da_t", bptt_h_t_in_dWh),
    Mistake("Wh must be transposed when carrying back: da_(t+1) Wh^T", bptt_wh_not_transposed),
    Mistake("db averaged instead of summed: db = Σ_t Σ_n da_t", bptt_db_averaged),
    Mistake(
        "dWx is transposed: dWx = Σ_t x_t^T da_t has the shape (D, H) of Wx", bptt_dWx_transposed
    ),
    Mistake("wrong sign: every gradient has the opposite sign", bptt_wrong_sign),
)


def check_rnn_backward(rnn_backward):
    """Check ``rnn_backward(dh, x, h0, h, Wx, Wh)`` → (dx, dh0, dWx, dWh, db).

    ``h`` (N, T, H) holds h_1..h_T from the forward pass and ``dh`` (N, T, H) the upstream
    gradient of each; the answer is the gradient of ``Σ_t <dh_t, h_t>``. Cases: N = 1 to 3,
    T = 1 to 5, D ≠ H.

    Parameters
    ----------
    rnn_backward : callable; x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H)
    """
    run_checks(
        "check_rnn_backward",
        rnn_backward,
        _bptt_cases(),
        mistakes=RNN_BACKWARD_MISTAKES,
        names=_SEQ_NAMES,
    )


MISTAKES = {
    "check_clip_grad_norm": CLIP_GRAD_NORM_MISTAKES,
    "check_rnn_step_backward": RNN_STEP_BACKWARD_MISTAKES,
    "check_rnn_backward": RNN_BACKWARD_MISTAKES,
}
