"""Lesson 06: vectorised BPTT (notebooks/06_vectorised_bptt.ipynb).

Checkers of exercise 06, each with its cases and its catalogue of
known mistakes:

- ``check_rnn_step_backward``:
  ``rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh)`` →
  (dx, dh_prev, dWx, dWh, db) for one step
  ``h_next = tanh(x Wx + h_prev Wh + b)``;
- ``check_rnn_backward``:
  ``rnn_backward(dh, x, h0, h, Wx, Wh)`` → (dx, dh0, dWx, dWh, db)
  over the whole sequence.

References come from :mod:`rnnlib.rnn` (itself tested against finite
differences). Cases cover a batch of one and more, one time step and
more, and D ≠ H, so that a transposed product shows up as a wrong
shape or a wrong number. The mistakes are the backward loops below
wrong in one way (a slip each, named by the mistake's key), so the
catalogue is executable.
"""

from __future__ import annotations

import contextlib
import copy
import io
from functools import lru_cache

import numpy as np

from .. import rnn
from .._validate import as_array, as_count, as_nonnegative, check_finite
from ..rnn import rnn_forward
from .checking import Case, Checker, Question, catalogue

__all__ = [
    "CHECKERS",
    "check_rnn_step_backward",
    "check_rnn_backward",
    "check_stacked_rnn_backward",
    "QUESTIONS",
    "FIGURES",
    "hidden_trajectories",
    "power_norms",
    "power_norms_of",
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


def step_backward(dh_next, x, h_prev, h_next, Wx, Wh, *, slip=None):
    """One step back, (dx, dh_prev, dWx, dWh, db). Right for ``slip=None``,
    else wrong in the one way its slip names (the slips are the keys of
    the catalogue below)."""
    tanh_prime = {
        "step_missing_tanh_prime": lambda: 1.0,
        "step_one_minus_h": lambda: 1.0 - h_next,
        "step_one_minus_h_all_squared": lambda: (1.0 - h_next) ** 2,
        "step_tanh_prime_of_h_prev": lambda: 1.0 - h_prev**2,
        "step_tanh_twice": lambda: 1.0 - np.tanh(h_next) ** 2,
        "step_recomputed_without_b": lambda: 1.0 - np.tanh(x @ Wx + h_prev @ Wh) ** 2,
        "step_one_minus_a_squared": lambda: 1.0 - (x @ Wx + h_prev @ Wh) ** 2,
    }.get(slip, lambda: 1.0 - h_next**2)()
    da = dh_next * tanh_prime
    dWx = x.T @ da
    state = h_next if slip == "step_h_next_in_dWh" else h_prev
    dWh = da.T @ state if slip == "step_dWh_transposed" else state.T @ da
    if slip == "step_weights_averaged":
        dWx, dWh = dWx / len(x), dWh / len(x)
    if slip == "step_db_averaged":
        db = da.mean(axis=0)
    elif slip == "step_db_not_summed":
        db = da
    elif slip == "step_db_summed_over_units":
        db = da.sum(axis=1)
    else:
        db = da.sum(axis=0)
    dh_prev = da @ (Wh if slip == "step_wh_not_transposed" else Wh.T)
    dWx = dWx.T if slip == "step_dWx_transposed" else dWx
    sign = -1.0 if slip == "step_wrong_sign" else 1.0
    return tuple(sign * g for g in (da @ Wx.T, dh_prev, dWx, dWh, db))


_DA = "da = dh_next * (1 − h_next²)"

check_rnn_step_backward = Checker(
    "check_rnn_step_backward",
    "rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh) → (dx, dh_prev, dWx, dWh, db)",
    rnn_step_backward_cases,
    doc="x (N, D), h_prev, h_next and dh_next (N, H), Wx (D, H), "
    "Wh (H, H). For one step ``h_next = tanh(x Wx + h_prev Wh + b)``, with "
    "``da = dh_next * (1 − h_next²)``: ``dx = da Wx^T``, ``dh_prev = da Wh^T``, "
    "``dWx = x^T da``, ``dWh = h_prev^T da``, ``db = Σ_n da``. Cases: N = 1 to 4, D ≠ H.",
    mistakes=catalogue(
        step_backward,
        ("step_missing_tanh_prime", f"missing tanh′: {_DA}"),
        ("step_one_minus_h", f"(1 − h_next) where (1 − h_next²) belongs: {_DA}"),
        (
            "step_one_minus_h_all_squared",
            f"(1 − h_next)² where 1 − h_next² belongs (square h_next alone): {_DA}",
        ),
        (
            "step_tanh_prime_of_h_prev",
            f"tanh′ of the wrong state: (1 − h_prev²) where (1 − h_next²) belongs; {_DA}",
        ),
        ("step_tanh_twice", f"you applied tanh to h_next again; h_next is already tanh(a): {_DA}"),
        (
            "step_recomputed_without_b",
            "you recomputed tanh(x Wx + h_prev Wh), which lacks b (it is not passed in): use "
            f"h_next, tanh′ = 1 − h_next²; {_DA}",
        ),
        (
            "step_one_minus_a_squared",
            "1 − a² where 1 − tanh(a)² belongs: tanh′(a) = 1 − h_next², the square of the "
            f"OUTPUT; {_DA}",
        ),
        ("step_wh_not_transposed", "dh_prev = da Wh^T: Wh must be transposed"),
        ("step_h_next_in_dWh", "h_next where h_prev belongs: dWh = h_prev^T da"),
        ("step_dWh_transposed", "dWh is transposed: dWh = h_prev^T da, not da^T h_prev"),
        ("step_dWx_transposed", "dWx is transposed: dWx = x^T da has the shape (D, H) of Wx"),
        ("step_db_averaged", "db averaged over the batch instead of summed: db = Σ_n da[n]"),
        ("step_db_not_summed", "db not summed over the batch: db = Σ_n da[n] has shape (H,)"),
        (
            "step_db_summed_over_units",
            "db summed over the hidden units (axis 1), not over the batch: db = Σ_n da[n] has "
            "shape (H,), da.sum(axis=0)",
        ),
        (
            "step_weights_averaged",
            "weight gradients divided by the batch size: dWx = x^T da and dWh = h_prev^T da "
            "are sums over the batch",
        ),
        ("step_wrong_sign", "wrong sign: every gradient has the opposite sign"),
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


def sequence_backward(dh, x, h0, h, Wx, Wh, *, slip=None):
    """BPTT over the sequence, (dx, dh0, dWx, dWh, db). Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    N, T, H = dh.shape
    first = {
        "bptt_h_prev_wraps_at_first_step": h[:, -1],
        "bptt_h0_as_zeros": np.zeros_like(h0),  # `h[:, t - 1] if t > 0 else np.zeros_like(h0)`
    }.get(slip, h0)
    hs = [first] + [h[:, t] for t in range(T)]
    dx = np.zeros(x.shape)
    per_step, das = {}, {}
    g_back = dh[:, T - 1].copy() if slip == "bptt_last_upstream_twice" else np.zeros((N, H))
    da = None
    steps = {
        "bptt_forward_order": range(1, T + 1),
        "bptt_first_step_skipped": range(T, 1, -1),  # range(T - 1, 0, -1) in 0-based indices
        "bptt_last_step_skipped": range(T - 1, 0, -1),  # range(T - 2, -1, -1) in 0-based
    }.get(slip, range(T, 0, -1))
    units = slip == "bptt_db_summed_over_units"  # da.sum(axis=1): one number per sequence
    for t in steps:  # t = T, ..., 1 (the slip: 1, ..., T, carrying from step t − 1)
        up = 0.0 if (slip == "bptt_earlier_upstream_dropped" and t < T) else dh[:, t - 1]
        if slip == "bptt_dh_one_step_back":  # dh[:, t - 1] at 0-based t: dh[:, -1] at t = 0
            up = dh[:, t - 2]
        if slip == "bptt_dh_summed_at_every_step":  # dh.sum(axis=1) as every step's upstream
            up = dh.sum(axis=1)
        elif slip == "bptt_dh_summed_into_last_step":  # Σ_t dh_t handed to h_T alone
            up = dh.sum(axis=1) if t == T else 0.0
        elif slip == "bptt_upstream_twice":  # carry += dh_t, then g = dh_t + carry
            up = 2.0 * dh[:, t - 1]
        g = up + (
            0.0
            if slip in ("bptt_not_carried_back", "bptt_carry_added_after_tanh_prime")
            else g_back
        )
        ht, hp = hs[t], hs[t - 1]
        tanh_prime = {
            "bptt_missing_tanh_prime": 1.0,
            "bptt_one_minus_h": 1.0 - ht,
            "bptt_tanh_prime_of_h_prev": 1.0 - hp**2,
            "bptt_recomputed_without_b": 1.0 - np.tanh(x[:, t - 1] @ Wx + hp @ Wh) ** 2,
            "bptt_one_minus_a_squared": 1.0 - (x[:, t - 1] @ Wx + hp @ Wh) ** 2,
        }.get(slip, 1.0 - ht**2)
        da = g * tanh_prime
        if slip == "bptt_carry_added_after_tanh_prime":  # da_t = dh_t * tanh′ + carry
            da = da + g_back
        das[t] = da
        at = t - 2 if slip == "bptt_dx_one_step_back" else t - 1  # (the slip: dx[:, -1] at t = 1)
        dx[:, at] = (g if slip == "bptt_dx_skips_tanh_prime" else da) @ Wx.T
        state = {
            "bptt_h_t_in_dWh": ht,
            "bptt_h_t_minus_2_in_dWh": hs[max(t - 2, 0)],  # h[:, t - 2] if t >= 2 else h0
            # h[:, t - 2] if t > 0 else h0 (0-based): at the second step h[:, -1] = h_T
            "bptt_h_t_minus_2_wraps_in_dWh": {1: h0, 2: hs[T]}.get(t, hs[t - 2]),
        }.get(slip, hp)
        dWh_t = da.T @ state if slip == "bptt_dWh_transposed" else state.T @ da
        x_t = x[:, t - 2] if slip == "bptt_x_one_step_back" else x[:, t - 1]  # (x[:, -1] at t = 1)
        per_step[t] = (x_t.T @ da, dWh_t, da.sum(axis=1 if units else 0))
        carried = g if slip == "bptt_carry_skips_tanh_prime" else da
        g_back = carried @ (Wh if slip == "bptt_wh_not_transposed" else Wh.T)
    # overwritten: only one step's contribution survives, t = 1 (backward loop) or t = T (forward)
    if slip == "bptt_weights_overwritten":
        dWx, dWh, db = per_step[1]
    elif slip == "bptt_weights_overwritten_forward":
        dWx, dWh, db = per_step[T]
    else:
        zeros = (np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(N if units else H))
        # (zeros: no step may be left)
        dWx, dWh, db = (sum((p[k] for p in per_step.values()), z) for k, z in enumerate(zeros))
    batched = ("bptt_rows_mismatched", "bptt_rows_mismatched_other", "bptt_h0_after_the_states")
    if slip in batched:  # the optional task's products after the loop, one way wrong
        dWx, dWh = _batched_weight_grads(x, h0, h, np.stack([das[t] for t in sorted(das)], 1), slip)
    if slip == "bptt_sums_start_at_weights":  # dWx, dWh = Wx.copy(), Wh.copy() before the loop
        dWx, dWh = dWx + Wx, dWh + Wh
    if slip == "bptt_weights_averaged_over_steps":
        dWx, dWh, db = dWx / T, dWh / T, db / T
    if slip in ("bptt_dx_in_reverse_order", "bptt_dx_time_first_reversed"):
        dx = dx[:, ::-1]  # a list filled t = T..1, stacked unreversed
    if slip in ("bptt_dx_time_first", "bptt_dx_time_first_reversed"):
        dx = dx.transpose(1, 0, 2)  # np.array(list of the T arrays dx_t): (T, N, D)
    if slip == "bptt_db_averaged":
        db = db / (N * T)
    if slip == "bptt_weights_averaged":
        dWx, dWh, db = dWx / N, dWh / N, db / N
    dh0 = {
        "bptt_dh0_dropped": np.zeros((N, H)),
        "bptt_dh0_missing_wh": da,
        "bptt_dh0_extra_wh": g_back @ Wh.T,  # carried back once more after the loop
    }.get(slip, g_back)
    dWx = dWx.T if slip == "bptt_dWx_transposed" else dWx
    sign = -1.0 if slip == "bptt_wrong_sign" else 1.0
    return tuple(sign * g for g in (dx, dh0, dWx, dWh, db))


def _batched_weight_grads(x, h0, h, da, slip):
    """dWx, dWh of the optional task, one product each over the rows
    (n, t), wrong in the one way ``slip`` names: x and the states with
    rows in (t, n) order, as the lesson's X, against
    ``da.reshape(N * T, H)`` in (n, t) order (or the other way round);
    or h0 put after the states instead of before them."""
    N, T, _ = x.shape
    if slip == "bptt_h0_after_the_states":
        h_prev = np.concatenate([h[:, :-1], h0[:, None]], axis=1)
    else:
        h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)

    def n_t(a):  # rows (n, t): a.reshape(N * T, -1)
        return a.reshape(N * T, -1)

    def t_n(a):  # rows (t, n): a.transpose(1, 0, 2).reshape(T * N, -1)
        return a.transpose(1, 0, 2).reshape(T * N, -1)

    rows_in, rows_da = {
        "bptt_rows_mismatched": (t_n, n_t),
        "bptt_rows_mismatched_other": (n_t, t_n),
    }.get(slip, (n_t, n_t))
    return rows_in(x).T @ rows_da(da), rows_in(h_prev).T @ rows_da(da)


_OVERWRITTEN = (
    "weight gradients overwritten instead of summed: dWx, dWh and db add up the "
    "contributions of every time step (use +=)"
)

_DH_SUMMED = (
    "dh summed over time: h_t receives its own dh[:, t] (plus what comes back from step t + 1), "
    "not Σ_t dh_t"
)

check_rnn_backward = Checker(
    "check_rnn_backward",
    "rnn_backward(dh, x, h0, h, Wx, Wh) → (dx, dh0, dWx, dWh, db)",
    rnn_backward_cases,
    doc="x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H). ``h`` (N, T, H) "
    "holds h_1..h_T from the forward pass and ``dh`` (N, T, H) the upstream gradient of each; "
    "the answer is the gradient of ``Σ_t <dh_t, h_t>``. Cases: N = 1 to 3, T = 1 to 5, D ≠ H.",
    mistakes=catalogue(
        sequence_backward,
        (
            "bptt_not_carried_back",
            "gradient not carried back through time: at step t add da_(t+1) Wh^T to dh_t",
        ),
        (
            "bptt_earlier_upstream_dropped",
            "upstream gradients of earlier steps dropped: every h_t receives its own dh_t, "
            "plus what comes back from step t + 1",
        ),
        ("bptt_weights_overwritten", _OVERWRITTEN),
        ("bptt_weights_overwritten_forward", _OVERWRITTEN),
        (
            "bptt_dh0_dropped",
            "dh0 dropped: dh0 = da_1 Wh^T, the gradient carried out of the first step",
        ),
        ("bptt_dh0_missing_wh", "dh0 is missing its last factor: dh0 = da_1 Wh^T, not da_1"),
        (
            "bptt_dh0_extra_wh",
            "dh0 has one Wh^T too many: the carry after the loop, da_1 Wh^T, is dh0 already",
        ),
        (
            "bptt_dx_skips_tanh_prime",
            "dx_t skipped tanh′: dx_t = da_t Wx^T, da_t = (dh_t + carry) * (1 − h_t²)",
        ),
        (
            "bptt_carry_added_after_tanh_prime",
            "carry added after tanh′: it reaches h_t, so da_t = (dh_t + da_(t+1) Wh^T) * "
            "(1 − h_t²)",
        ),
        ("bptt_missing_tanh_prime", "missing tanh′: da_t = (dh_t + da_(t+1) Wh^T) * (1 − h_t²)"),
        ("bptt_one_minus_h", "(1 − h_t) where (1 − h_t²) belongs: tanh′ = 1 − tanh²"),
        (
            "bptt_one_minus_a_squared",
            "1 − a_t² where 1 − tanh(a_t)² belongs: tanh′ = 1 − h_t², the square of the step's "
            "OUTPUT h_t",
        ),
        (
            "bptt_recomputed_without_b",
            "you recomputed tanh(x_t Wx + h_(t−1) Wh), which lacks b (it is not passed in): use "
            "the states given, tanh′ = 1 − h_t²",
        ),
        (
            "bptt_tanh_prime_of_h_prev",
            "tanh′ at the wrong step: (1 − h_(t−1)²) where (1 − h_t²) belongs",
        ),
        ("bptt_h_t_in_dWh", "h_t where h_(t−1) belongs: dWh = Σ_t h_(t−1)^T da_t"),
        (
            "bptt_h_t_minus_2_in_dWh",
            "h_(t−2) where h_(t−1) belongs (one state too far back): dWh = Σ_t h_(t−1)^T da_t, "
            "with the state that ENTERED step t (h0 at the first step)",
        ),
        (
            "bptt_h_t_minus_2_wraps_in_dWh",
            "h_(t−2) where h_(t−1) belongs (and h[:, -1], the LAST state, at the second step): "
            "dWh = Σ_t h_(t−1)^T da_t, with the state that ENTERED step t",
        ),
        (
            "bptt_dh_summed_at_every_step",
            _DH_SUMMED + "; you gave it to every step",
        ),
        (
            "bptt_dh_summed_into_last_step",
            _DH_SUMMED + "; you gave it to the last step",
        ),
        (
            "bptt_upstream_twice",
            "dh_t counted twice (all gradients doubled): h_t receives dh_t once, plus the carry "
            "from step t + 1 (you added dh_t to the carry, then again)",
        ),
        ("bptt_wh_not_transposed", "Wh must be transposed when carrying back: da_(t+1) Wh^T"),
        ("bptt_db_averaged", "db averaged instead of summed: db = Σ_t Σ_n da_t"),
        (
            "bptt_db_summed_over_units",
            "db summed over the hidden units (axis 1), not over the batch: db = Σ_t Σ_n da_t "
            "has shape (H,), da_t.sum(axis=0)",
        ),
        (
            "bptt_weights_averaged",
            "weight gradients divided by the batch size: dWx, dWh and db are sums over the "
            "batch (and the steps)",
        ),
        (
            "bptt_carry_skips_tanh_prime",
            "the gradient carried back skipped tanh′: carry da_t Wh^T, with "
            "da_t = (dh_t + carry) * (1 − h_t²), not (dh_t + carry) Wh^T",
        ),
        (
            "bptt_dWh_transposed",
            "dWh is transposed: dWh = Σ_t h_(t−1)^T da_t (row i: the state entry it multiplies), "
            "not Σ_t da_t^T h_(t−1)",
        ),
        (
            "bptt_dWx_transposed",
            "dWx is transposed: dWx = Σ_t x_t^T da_t has the shape (D, H) of Wx",
        ),
        ("bptt_wrong_sign", "wrong sign: every gradient has the opposite sign"),
        (
            "bptt_first_step_skipped",
            "step t = 0 (0-based) left out (the loop, or a sum, stopped at t = 1): "
            "range(T - 1, -1, -1) runs down to t = 0, whose backward gives dh0",
        ),
        (
            "bptt_h0_as_zeros",
            "zeros where h0 belongs: the state before the first step is h0, the one passed in, "
            "so dWh += h0^T da_0 at t = 0 (0-based)",
        ),
        (
            "bptt_last_step_skipped",
            "the last step was skipped: the loop started at T − 2 (0-based); "
            "range(T - 1, -1, -1) starts at the last step, t = T − 1",
        ),
        (
            "bptt_weights_averaged_over_steps",
            "weight gradients divided by T: a shared weight's gradient is the SUM of its "
            "per-step copies' gradients, not their mean",
        ),
        (
            "bptt_dx_in_reverse_order",
            "dx is in reverse time order: the loop visits t = T..1, so a list of the dx_t "
            "needs reversing (or write dx[:, t] = ... in place of appending)",
        ),
        (
            "bptt_dh_one_step_back",
            "the upstream gradient one step off: step t (0-based) receives dh[:, t], not "
            "dh[:, t − 1] (at t = 0 that is dh[:, -1], the LAST step's)",
        ),
        (
            "bptt_x_one_step_back",
            "dWx took the input one step off: step t's share is x[:, t]^T da_t (0-based), not "
            "x[:, t − 1]^T da_t (at t = 0 that is x[:, -1], the LAST input)",
        ),
        (
            "bptt_dx_one_step_back",
            "dx_t written one index off: step t's input gradient goes to dx[:, t] (0-based), "
            "not dx[:, t − 1] (at t = 0 that is dx[:, -1], the LAST step's place)",
        ),
        (
            "bptt_sums_start_at_weights",
            "dWx and dWh started from the weights themselves: the sums over the steps start at "
            "zero (np.zeros_like(Wx)), not at a copy of Wx",
        ),
        (
            "bptt_rows_mismatched",
            "rows in two orders: x (or the states) in (t, n) order, da in (n, t); reshape both "
            "alike, x.reshape(N * T, D) with da.reshape(N * T, H)",
        ),
        (
            "bptt_rows_mismatched_other",
            "rows in two orders: x (or the states) in (n, t) order, da in (t, n); reshape both "
            "alike, x.reshape(N * T, D) with da.reshape(N * T, H)",
        ),
        (
            "bptt_h0_after_the_states",
            "h0 put after the states: h_(t−1) for t = 1..T is h0 FIRST, then h_1..h_(T−1): "
            "np.concatenate([h0[:, None], h[:, :-1]], axis=1)",
        ),
        (
            "bptt_dx_time_first",
            "dx has time first, shape (T, N, D): dx is (N, T, D) like x; stack the dx_t along "
            "axis 1 (np.stack(dxs, axis=1)) or write dx[:, t] = ... in the loop",
        ),
        (
            "bptt_dx_time_first_reversed",
            "dx has time first, shape (T, N, D), and in reverse order (the loop visits t = T..1): "
            "dx is (N, T, D) like x; write dx[:, t] = ... in the loop",
        ),
        (
            "bptt_h_prev_wraps_at_first_step",
            "at t = 0, h[:, t - 1] is h[:, -1], the LAST state: the first step started from h0",
        ),
        (
            "bptt_last_upstream_twice",
            "dh_T counted twice: nothing comes back from after the last step, so the carried "
            "gradient starts at zero",
        ),
        (
            "bptt_forward_order",
            "you walked t = 1..T; BPTT walks backwards, t = T..1: step t needs what comes back "
            "from step t + 1, so start at the last step",
        ),
    ),
)


# -- transfer: a two-layer (stacked) RNN -----------------------------------------------------------


def stacked_rnn_backward_cases():
    """Cases of the stacked-RNN transfer task, with answers from
    ``rnn_backward`` run twice.

    Layer 1 reads the inputs, layer 2 reads layer 1's states; both start
    from zero states::

        h1_t = tanh(x_t Wx1 + h1_(t−1) Wh1 + b1),
        h2_t = tanh(h1_t Wx2 + h2_(t−1) Wh2 + b2)

    The loss reaches only the top states (dh2). Layer 2's input gradient
    dx2 = da2 Wx2^T is, step by step, the upstream gradient of layer 1's
    states: BPTT of the stack is rnn_backward twice.
    """
    rng = np.random.default_rng(709)
    cases = []
    # the first case is square (D = H1 = H2) so that every catalogued slip computes there and
    # is named; the others have three different sizes, one time step, a batch of one
    for N, T, D, H1, H2 in ((2, 3, 3, 3, 3), (1, 4, 2, 3, 4), (3, 1, 4, 2, 3), (2, 5, 3, 4, 2)):
        x = rng.normal(size=(N, T, D))
        Wx1, Wh1 = _weights(rng, D, H1)
        Wx2 = rng.normal(size=(H1, H2)) * 0.9 / np.sqrt(H1)
        Wh2 = rng.normal(size=(H2, H2)) * 0.9 / np.sqrt(H2)
        b1, b2 = rng.normal(size=H1) * 0.1, rng.normal(size=H2) * 0.1
        h1, c1 = rnn.rnn_forward(x, np.zeros((N, H1)), Wx1, Wh1, b1)
        h2, c2 = rnn.rnn_forward(h1, np.zeros((N, H2)), Wx2, Wh2, b2)
        dh2 = rng.normal(size=(N, T, H2))
        dh1, _, dWx2, dWh2, _ = rnn.rnn_backward(dh2, c2)  # layer 2's dx is layer 1's dh
        dx, _, dWx1, dWh1, _ = rnn.rnn_backward(dh1, c1)
        args = {
            "dh2": dh2,
            "x": x,
            "h1": h1.copy(),
            "h2": h2.copy(),
            "Wx1": Wx1,
            "Wh1": Wh1,
            "Wx2": Wx2,
            "Wh2": Wh2,
        }
        notes = [s for c, s in ((N == 1, "a batch of one"), (T == 1, "one time step")) if c]
        label = f"N = {N}, T = {T}, D = {D}, H1 = {H1}, H2 = {H2}"
        cases.append(
            Case(
                label + (f" ({', '.join(notes)})" if notes else ""),
                args,
                (dx, dWx1, dWh1, dWx2, dWh2),
            )
        )
    return cases


def _layer_backward(dh, inp, h, Wx, Wh, slope_h=None, wx_t=True, h0=None):
    """One layer's BPTT from zero state: (d input, dWx, dWh); ``slope_h``
    the states whose 1 − h² is used as tanh′ (a mistake when not ``h``),
    ``h0`` the initial state used (a mistake when not zeros)."""
    N, T, H = dh.shape
    slope_h = h if slope_h is None else slope_h
    dinp, dWx, dWh = np.zeros(inp.shape[:2] + (Wx.shape[0],)), 0.0, 0.0
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        da = (dh[:, t] + carry) * (1.0 - slope_h[:, t] ** 2)
        h_prev = h[:, t - 1] if t else (np.zeros((N, H)) if h0 is None else h0)
        dinp[:, t] = da @ (Wx.T if wx_t else Wx)
        dWx, dWh = dWx + inp[:, t].T @ da, dWh + h_prev.T @ da
        carry = da @ Wh.T
    return dinp, dWx, dWh


def stacked_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2, *, slip=None):
    """BPTT of the two-layer RNN, (dx, dWx1, dWh1, dWx2, dWh2). Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    inp2 = {"stacked_dWx2_from_x": x, "stacked_dWx2_from_h2": h2}.get(slip, h1)
    wx2_t = slip != "stacked_wx2_not_transposed"
    # the slip: rnn_backward called with h[:, 0] (the state AFTER step 1) as each layer's h0
    first = slip == "stacked_h0_is_first_state"
    swapped = slip == "stacked_wx_wh_swapped"  # rnn_backward(..., Wh, Wx) in both calls
    if slip == "stacked_layer2_states_h1":  # rnn_backward(dh2, h2, zeros, h1, ...)
        inp2, states2 = h2, h1
    else:
        states2 = h2
    dx2, dWx2, dWh2 = _layer_backward(
        dh2,
        inp2,
        states2,
        *((Wh2, Wx2) if swapped else (Wx2, Wh2)),
        wx_t=wx2_t,
        h0=h2[:, 0] if first else None,
    )
    if slip in ("stacked_dWx2_from_x", "stacked_dWx2_from_h2"):  # only dWx2 is wrong
        dx2 = _layer_backward(dh2, h1, h2, Wx2, Wh2)[0]
    dh1 = {
        "stacked_nothing_passed_down": lambda: np.zeros_like(h1),
        "stacked_only_last_step_down": lambda: np.concatenate(
            [np.zeros_like(h1[:, :-1]), dx2[:, -1:]], axis=1
        ),
        "stacked_dh2_passed_down": lambda: dh2,
        # dh2 Wx2^T: layer 2's tanh′ and what its steps carry back skipped
        "stacked_dh2_through_wx2": lambda: dh2 @ Wx2.T,
        "stacked_dh2_added_to_layer1": lambda: dx2 + dh2,
        "stacked_layer1_slope_twice": lambda: dx2 * (1.0 - h1**2),  # and again in layer 1
        # (dh2 * (1 − h2²)) Wx2^T: layer 2's tanh′, but not what its later steps carry back
        "stacked_dh1_without_layer2_carry": lambda: (dh2 * (1.0 - h2**2)) @ Wx2.T,
    }.get(slip, lambda: dx2)()
    slope_h = h2 if slip == "stacked_layer1_slope_from_h2" else None
    states1 = h2 if slip == "stacked_layer1_states_h2" else h1  # rnn_backward(dh1, x, 0, h2, ...)
    dx, dWx1, dWh1 = _layer_backward(
        dh1,
        x,
        states1,
        *((Wh1, Wx1) if swapped else (Wx1, Wh1)),
        slope_h=slope_h,
        h0=h1[:, 0] if first else None,
    )
    return (dx2 if slip == "stacked_dx_of_layer2" else dx), dWx1, dWh1, dWx2, dWh2


class _StackedChecker(Checker):
    """check_stacked_rnn_backward, with two rules of its own:

    - "layer 1 got no gradient" is said only when every layer-1 item
      (dx, dWx1, dWh1) is what it gives: a dWh1 of zeros alone is also
      what an ``rnn_backward`` that overwrites dWh gives from a zero
      initial state (only step 1's share, h_0^T da_1 = 0, survives);
    - when the learner's answer calls their own ``rnn_backward`` and
      that fails ``check_rnn_backward``, the message says so first: fix
      it before the stack."""

    def _name_mistakes(self, fn, cases, case, result, problems):
        found = super()._name_mistakes(fn, cases, case, result, problems)
        nothing = next(m for m in self.mistakes if m.key == "stacked_nothing_passed_down")
        wrong = nothing.answer(*copy.deepcopy(case.args).values())
        layer1 = (
            isinstance(result, (tuple, list))
            and len(result) == len(wrong)
            and all(self._close(result[j], wrong[j]) for j in range(3))
        )
        if not layer1:
            for j in list(found):
                found[j] = [m for m in found[j] if m is not nothing]
                if not found[j]:
                    del found[j]
                    found.parted.pop(j, None)
        return found

    def _message(self, fn, cases, case, where, result, problems):
        text = super()._message(fn, cases, case, where, result, problems)
        said = _own_rnn_backward_fails(fn)
        if said is None:
            return text
        head, rest = text.split("\n", 1)
        name = getattr(fn, "__name__", "")
        who = f"your {name}" if name.isidentifier() else "your function"
        return (
            f"{self.name}: {who} calls your rnn_backward, which fails "
            "check_rnn_backward: make that pass first\n"
            f"  check_rnn_backward says: {said}\n"
            f"  and here: {head.removeprefix(self.name + ': ')}\n{rest}"
        )


def _own_rnn_backward_fails(fn):
    """What ``check_rnn_backward`` says (its first line) of the learner's
    own ``rnn_backward`` when ``fn`` calls it and it fails, else None."""
    code, names = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    helper = names.get("rnn_backward") if code and "rnn_backward" in code.co_names else None
    if not callable(helper) or (getattr(helper, "__module__", "") or "").startswith("rnnlib"):
        return None
    try:
        with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
            check_rnn_backward(helper)
    except Exception as err:  # AssertionError, or Unfinished: it is not right yet
        return (str(err).splitlines() or [type(err).__name__])[0].removeprefix(
            "check_rnn_backward: "
        )
    return None


check_stacked_rnn_backward = _StackedChecker(
    "check_stacked_rnn_backward",
    "stacked_rnn_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2) → (dx, dWx1, dWh1, dWx2, dWh2)",
    stacked_rnn_backward_cases,
    doc="the gradients for the two-layer RNN ``h1_t = tanh(x_t Wx1 + h1_(t−1) Wh1 "
    "+ b1)``, ``h2_t = tanh(h1_t Wx2 + h2_(t−1) Wh2 + b2)``, both from zero states, with the "
    "upstream gradient ``dh2`` (N, T, H2) of every top state. Cases: N = 1 to 3, T = 1 to 5, one "
    "square case (D = H1 = H2) and three with three different sizes.",
    mistakes=catalogue(
        stacked_backward,
        (
            "stacked_nothing_passed_down",
            "layer 1 got no gradient: layer 2's input gradient da2_t Wx2^T is the dh of h1_t",
        ),
        (
            "stacked_only_last_step_down",
            "only the last step's gradient passed down: every h1_t feeds h2_t, so each step's "
            "da2_t Wx2^T reaches h1_t",
        ),
        (
            "stacked_dh2_passed_down",
            "dh2 handed to layer 1 as it is: layer 1 receives layer 2's input gradient da2_t Wx2^T",
        ),
        (
            "stacked_dh2_added_to_layer1",
            "dh2 added to layer 1's upstream: the loss reaches h1 only through layer 2, so h1_t "
            "receives da2_t Wx2^T alone",
        ),
        ("stacked_dWx2_from_x", "dWx2 used x: layer 2's input is h1, so dWx2 = Σ_t h1_t^T da2_t"),
        (
            "stacked_dWx2_from_h2",
            "dWx2 used h2, layer 2's own states: its input is h1, so dWx2 = Σ_t h1_t^T da2_t",
        ),
        (
            "stacked_dh2_through_wx2",
            "layer 1 got dh2 Wx2^T: it gets da2_t Wx2^T, layer 2's dx (through its tanh′ and "
            "carry)",
        ),
        (
            "stacked_layer1_slope_from_h2",
            "layer 1's tanh′ from the wrong layer: use 1 − h1_t², not 1 − h2_t²",
        ),
        (
            "stacked_layer1_states_h2",
            "layer 1 got h2 as its states: pass h1, whose 1 − h1_t² is layer 1's tanh′ and whose "
            "h1_(t−1) enters dWh1",
        ),
        (
            "stacked_layer2_states_h1",
            "layer 2 got h1 as its states (for its tanh′ and dWh2): its input is h1, its states "
            "are h2, rnn_backward(dh2, h1, zeros, h2, Wx2, Wh2)",
        ),
        (
            "stacked_wx_wh_swapped",
            "Wx and Wh swapped in the calls: rnn_backward(dh, x, h0, h, Wx, Wh) takes the input "
            "weights first (Wx2, then Wh2 for layer 2)",
        ),
        (
            "stacked_dh1_without_layer2_carry",
            "layer 1 got (dh2_t * (1 − h2_t²)) Wx2^T, without layer 2's carry: pass down "
            "da2_t Wx2^T, da2_t = (dh2_t + da2_(t+1) Wh2^T) * (1 − h2_t²)",
        ),
        (
            "stacked_layer1_slope_twice",
            "layer 1's tanh′ counted twice: pass down da2_t Wx2^T as it is; layer 1's own "
            "backward multiplies it by 1 − h1_t²",
        ),
        (
            "stacked_wx2_not_transposed",
            "passed down through Wx2 untransposed: h1_t's gradient is da2_t Wx2^T",
        ),
        (
            "stacked_h0_is_first_state",
            "h[:, 0] passed as the initial state: it is h_1, the state AFTER step 1; both "
            "layers start from zeros, h_0 = np.zeros((N, H))",
        ),
        (
            "stacked_dx_of_layer2",
            "dx is layer 2's input gradient (the gradient of h1); dx is that of x, from layer 1",
        ),
    ),
)

CHECKERS = (check_rnn_step_backward, check_rnn_backward, check_stacked_rnn_backward)


# -- graded questions of exercise 06 ---------------------------------------------------------------

QUESTIONS = (
    Question(
        "06.transient",
        "A recurrent matrix Wh has spectral radius ρ(Wh) = 0.9 (its largest |eigenvalue|) and "
        "spectral norm ‖Wh‖₂ = 1.8 (its largest singular value), like the lesson's H = 64 matrix. "
        "A vector multiplied by Wh^T again and again, d times: which is true?",
        "b",
        choices={
            "a": "it shrinks at every multiplication, by a factor 0.9 or less",
            "b": "it can grow for the first few multiplications, but for large d its size falls "
            "like 0.9^d",
            "c": "it can grow like 1.8^d without end",
            "d": "nothing can be said without the eigenvectors",
        },
        why={
            "a": "0.9 bounds the eigenvalues, not what one multiplication does: ‖Wh‖₂ = 1.8 means "
            "some vector is stretched by 1.8 in one step (a matrix that is not normal stretches "
            "before it shrinks)",
            "c": "‖Wh^d‖ ≤ ‖Wh‖₂^d = 1.8^d is only an upper bound; ‖Wh^d‖^(1/d) tends to ρ = 0.9, "
            "so any growth ends and the size falls like 0.9^d",
            "d": "the long-run rate is ρ = 0.9 whatever the eigenvectors are (‖Wh^d‖^(1/d) → ρ); "
            "the eigenvectors only decide how large the growth before the decay gets",
        },
        explain="‖Wh^d‖^(1/d) → ρ(Wh) = 0.9, so the decay wins in the end; ‖Wh‖₂ = 1.8 > 1 "
        "allows growth for a few steps first (the lesson's matrix: up to 2.4 at d = 4).",
    ),
    Question(
        "06.memory_mb",
        "Plain BPTT on a batch of N = 32 sequences of T = 1000 steps with H = 256 hidden units, "
        "in float64, keeps every hidden state h_1, ..., h_T from the forward pass until the "
        "backward pass. How many megabytes (1 MB = 10^6 bytes) do these states take? One "
        "decimal is enough (the check allows ±0.04 MB).",
        32 * 1000 * 256 * 8 / 1e6,
        why={
            32 * 1000 * 256 * 8 / 2**20: "that is in MiB (2^20 bytes); the question asks for MB, "
            "10^6 bytes",
            32 * 1000 * 256 / 1e6: "that counts numbers (in millions), not bytes: a float64 takes "
            "8 bytes",
            32 * 1000 * 256 * 4 / 1e6: "that is float32 (4 bytes a number); the arrays here are "
            "float64, 8 bytes",
            32 * 256 * 8 / 1e6: "that is one step's states; BPTT keeps all T = 1000 of them",
            32 * 1000 * 256 * 8: "that is in bytes; the question asks for megabytes (10^6 bytes)",
            32 * 1000 * 256 * 64 / 1e6: "that is in megabits (64 bits a float64); the question "
            "asks for megabytes, 8 bytes a number",
            32 * 1001 * 256 * 8 / 1e6: "that counts T + 1 = 1001 states; the question's are "
            "h_1, ..., h_T, T = 1000 of them (h_0 is not counted)",
            2 * 32 * 1000 * 256 * 8 / 1e6: "that is twice the states: the da_t that rnn_backward "
            "also keeps (the lesson's peak) are not asked for, only h_1, ..., h_T",
        },
        rtol=0.0,
        atol=0.04,  # 65.5 passes; 65.6, T + 1 = 1001 states (65.60 MB), does not
        explain="N·T·H·8 bytes = 32 · 1000 · 256 · 8 = 65.5 MB, growing linearly with T.",
    ),
    Question(
        "06.checkpoint_k",
        "Checkpointed BPTT on T = 400 steps keeps the ⌈T/k⌉ checkpoints h_0, h_k, h_2k, ... and, "
        "while it works on one segment, that segment's k recomputed states. Which segment "
        "length k makes the number of states held at once, ⌈400/k⌉ + k, smallest? A whole "
        "number, exactly.",
        20,
        why={
            400: "k = T is one segment: the whole sequence is recomputed and held, 401 states",
            1: "k = 1 keeps every state as a checkpoint: 400 + 1 = 401, no fewer than plain BPTT",
            200: "k = T/2 holds 2 checkpoints but a segment of 200 states",
            10: "k = 10 holds 40 checkpoints and 10 states, 50 in all; k = 20 holds 20 + 20 = 40",
            40: "40 is the smallest number of states held, ⌈400/k⌉ + k; the question asks for "
            "the k that gives it",
            19: "k = 19 holds ⌈400/19⌉ + 19 = 22 + 19 = 41 states; k = 20 holds 40",
            21: "k = 21 holds ⌈400/21⌉ + 21 = 20 + 21 = 41 states; k = 20 holds 40",
            # the lesson's count of ARRAYS, ⌈T/k⌉ + 3k (with the segment's da and dh), is
            # smallest (70) at k = 10, 11, 12 and 13, near √(400/3) ≈ 11.5 (10 is told above)
            **{
                k: f"k = {k} is one of the k (10 to 13) where ⌈400/k⌉ + 3k is smallest, the "
                "lesson's count of arrays with the segment's da and dh; the question counts "
                "states only, ⌈400/k⌉ + k"
                for k in (11, 12, 13)
            },
            (400 / 3) ** 0.5: "√(400/3) ≈ 11.5 is where 400/k + 3k is smallest, the lesson's "
            "count of arrays with the segment's da and dh; the question counts states only, "
            "⌈400/k⌉ + k",
        },
        rtol=0.0,
        atol=0.01,
        whole=True,
        explain="⌈400/k⌉ + k is smallest at k = √400 = 20: 20 checkpoints plus one segment of 20 "
        "states, 40 instead of 400, for one extra forward pass.",
    ),
)


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
# and ends here, two decades above the activity (an rms of states in (−1, 1) is below 1): the
# legend sits in that band, where no slider setting puts the activity under it (in the lower
# right it hid the activity at ρ ≈ 0.75; only the linear prediction for ρ > 1 crosses the band)
_TOP = 100.0


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


def _check_H(H):
    if isinstance(H, bool) or not isinstance(H, (int, np.integer)) or not 1 <= H <= H_MAX:
        raise ValueError(f"H: expected an integer hidden size in 1..{H_MAX}, got {H!r}")


def _slider_H(H):
    """The H a slider (or a call of ``set``) gives, as an int: a whole
    number like 16 or 16.0; ``int()`` alone would have turned 1.5 into 1
    and drawn H = 1 without a word."""
    whole = isinstance(H, (int, float, np.integer, np.floating)) and not isinstance(H, bool)
    if not (whole and np.isfinite(H) and float(H).is_integer()):
        raise ValueError(f"H: expected an integer hidden size in 1..{H_MAX}, got {H!r}")
    _check_H(int(H))
    return int(H)


def trajectory_weights(H, scale, D=3, T=60, burst=10, seed=0):
    """The explorer's inputs and weights for hidden size ``H`` (H ≤ 64) and
    weight ``scale``.

    The weights of size H come from the top-left blocks of fixed 64-unit
    draws, so moving the H slider adds or removes units without
    redrawing the others.

    Returns
    -------
    x : (1, T, D), random for t ≤ burst and 0 after
    h0 : (1, H) zeros
    Wx : (D, H) ``= G_x / √D``
    Wh : (H, H) ``= scale · G_h / ρ(G_h)``: its spectral radius is
        ``scale``
    b : (H,) zeros
    """
    _check_H(H)
    scale = as_nonnegative("scale", scale)
    seed = as_count("seed", seed, 0)
    D, T = as_count("D", D), as_count("T", T)
    burst = as_count("burst", burst)
    if burst > T:  # the inputs fill the first `burst` of the T steps
        raise ValueError(f"burst: expected an integer in 1..T = 1..{T}, got {burst}")
    x, Wx, gh, _ = _draws(int(H), D, T, burst, seed)
    return x.copy(), np.zeros((1, H)), Wx.copy(), scale * gh, np.zeros(H)


def _inside_log_band(x, y, lo, hi):
    """The part of the geometric sequence ``y`` (over ``x``) inside
    [lo, hi] on a log axis: ``(xs, ys, data)`` from
    :func:`~rnnlib.course.plots.clip_to_band` in log10 (where a
    geometric sequence is straight), so the line leaves the chart where
    it crosses ``lo`` or ``hi`` instead of being pinned to the frame;
    ``data`` indexes the vertices that are points of ``y``, not
    crossings."""
    from .plots import clip_to_band

    y = np.asarray(y, float)
    with np.errstate(divide="ignore"):  # log10(0) = -inf: a gap
        log_y, log_lo, log_hi = np.log10(y), np.log10(lo), np.log10(hi)
    xs, log_ys, data = clip_to_band(x, log_y, log_lo, log_hi)
    ys = 10.0**log_ys
    ys[data] = y[np.isfinite(log_y) & (log_y >= log_lo) & (log_y <= log_hi)]  # exact, not 10^log
    return xs, ys, data


def hidden_trajectories(H=16, scale=0.9, T=60, burst=10, seed=0):
    """Hidden-state trajectories of the matrix RNN; sliders ``H`` and
    ``scale`` (= ρ(Wh)).

    Left: h_t[j] against t for units 1..min(H, 12). Right: the activity
    of all H units, ``rms_t = √(mean_j h_t[j]²)``, on a log axis, with
    the line ``rms_burst · ρ^(t − burst)`` that the linearised RNN
    predicts once the inputs stop.

    ``state``: ``H``, ``scale``, ``spectral_radius`` (of Wh, computed),
    ``rms`` (T,) the activity, ``rms_end`` (at t = T),
    ``saturated_fraction`` (share of the h_t[j] after the inputs with
    |h| > 0.95), ``h`` (T, H) the hidden states.
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
    ax.set_title(f"hidden states h_t[j] (at most {SHOWN} units drawn)", fontsize=10)
    (rms_line,) = ax2.semilogy([], [], color="C0", lw=2, label="activity (rms of h_t)")
    (theory,) = ax2.semilogy([], [], "k--", lw=1, label="linear prediction ∝ ρ^t")
    ax2.text(
        burst / 2 + 0.5, 2 * FLOOR, "inputs\non", ha="center", va="bottom", fontsize=8, color="0.35"
    )
    ax2.set_ylim(FLOOR, _TOP)
    ax2.set_ylabel("activity (rms of h_t)")  # the quantity, as the left panel names its own
    # Few fixed ticks with plain-text labels (no mathtext): a redraw stays cheap.
    ax2.set_yticks([1e-6, 1e-4, 1e-2, 1], ["1e-6", "1e-4", "0.01", "1"])
    ax2.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    for a in (ax, ax2):
        a.set_xticks(np.arange(0, T + 1, 20 if T > 40 else 10))
    # the title names H and ρ (a label inside the chart lay on the activity once ρ > 1): a text
    # where a title goes, since a title set by the update came out off the figure in the fast
    # redraw (matplotlib places a title when it draws the whole axes)
    label = ax2.text(0.5, 1.02, "", transform=ax2.transAxes, fontsize=10, ha="center", va="bottom")
    legend = ax2.legend(loc="upper right", fontsize=8, borderaxespad=0.3)

    def update(H, scale):
        H = _slider_H(H)
        x, h0, Wx, Wh, b = trajectory_weights(H, scale, T=T, burst=burst, seed=seed)
        h = rnn_forward(x, h0, Wx, Wh, b)[0][0]  # (T, H)
        for j, line in enumerate(lines):
            line.set_data((t, h[:, j]) if j < H else ([], []))
        rms = np.sqrt(np.mean(h * h, axis=1))
        rho = scale * _draws(H, 3, T, burst, seed)[3]  # ρ(Wh), computed once
        rms_line.set_data(*_inside_log_band(t, rms, FLOOR, _TOP)[:2])  # leaves at 1e-6, not on it
        after = t[burst - 1 :]
        with np.errstate(under="ignore"):
            pred = rms[burst - 1] * rho ** (after - burst)
        theory.set_data(*_inside_log_band(after, pred, FLOOR, _TOP)[:2])
        sat = float(np.mean(np.abs(h[burst:]) > 0.95)) if T > burst else 0.0
        label.set_text(f"activity of all H = {H} units, ρ(Wh) = {rho:.2f}")
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


# -- powers of Wh: spectral radius against spectral norm ------------------------------------------
# ρ(Wh) (largest |eigenvalue|) sets the long-run rate, ‖Wh^d‖₂^(1/d) → ρ (Gelfand's formula);
# ‖Wh‖₂ (largest singular value) bounds one step, ‖Wh^d‖₂ ≤ ‖Wh‖₂^d. A matrix that is not
# normal (W W^T ≠ W^T W) can have ‖Wh^d‖₂ > 1 for a while although ρ < 1: transient growth.

D_MAX = 30  # powers d = 1..D_MAX
BAND = (1e-4, 1e4)  # the log axis of the power-norm plot


def power_norms_of(Wh, d_max=D_MAX):
    """``‖Wh^d‖₂`` for d = 1..d_max (the largest singular value of each
    power), as an array."""
    Wh, d_max = as_array("Wh", Wh).astype(np.float64, copy=False), as_count("d_max", d_max)
    if Wh.ndim != 2 or Wh.shape[0] != Wh.shape[1] or Wh.size == 0:
        raise ValueError(f"Wh: expected a square array of shape (H, H), got shape {Wh.shape}")
    check_finite("Wh", Wh)  # (np.linalg.norm would say "SVD did not converge")
    P, out = np.eye(len(Wh)), []
    for _ in range(d_max):
        P = P @ Wh
        out.append(np.linalg.norm(P, 2))
    return np.array(out)


@lru_cache(maxsize=H_MAX)
def _unit_power_norms(H, d_max):
    """``‖G^d‖₂`` for the explorer's ``Wh = scale · G`` (ρ(G) = 1):
    ``‖Wh^d‖₂ = scale^d ‖G^d‖₂``, so a move of the scale slider needs no
    new singular values."""
    return power_norms_of(trajectory_weights(H, 1.0)[3], d_max)


def power_norms(H=64, scale=0.9, d_max=D_MAX):
    """How big ``Wh^d`` gets, against d, for the trajectory explorer's
    ``Wh`` (sliders ``H`` and ``scale`` = ρ(Wh)): ``‖Wh^d‖₂`` (the most
    a vector can grow in d steps of the linearised RNN), with the two
    lines ``ρ^d`` (the long-run rate) and ``‖Wh‖₂^d`` (the one-step
    bound, d times).

    ``state``: ``H``, ``rho``, ``norm`` (‖Wh‖₂),
    ``norms`` (d_max,) = ‖Wh^d‖₂, ``peak`` and ``peak_d`` (the largest
    ‖Wh^d‖₂ and its d), ``root`` (d_max,) = ‖Wh^d‖₂^(1/d).
    """
    from matplotlib.ticker import NullLocator

    from .sliders import Explorer, Slider, freeze_static, new_figure

    d_max = as_count("d_max", d_max)
    fig = new_figure(figsize=(8.0, 3.2))  # the chart as wide as before, the legend beside it
    ax = fig.subplots()
    d = np.arange(1, d_max + 1)
    ax.set_yscale("log")
    ax.set_xlim(0.5, d_max + 0.5)
    ax.set_ylim(*BAND)
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_yticks([1e-4, 1e-2, 1, 1e2, 1e4], ["1e-4", "0.01", "1", "100", "1e4"])
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("number of steps d")
    ax.set_ylabel("size of Wh^d")
    ax.set_title("powers of Wh: ‖Wh^d‖₂ against ρ^d and ‖Wh‖₂^d", fontsize=10)
    (bound,) = ax.plot([], [], ":", color="C3", lw=1.5, label="‖Wh‖₂^d (one-step bound)")
    (actual,) = ax.plot([], [], "o-", color="C0", ms=3, lw=1.5, label="‖Wh^d‖₂")
    (rate,) = ax.plot([], [], "k--", lw=1, label="ρ(Wh)^d")
    # the legend and the numbers beside the chart: every corner inside it is crossed by some
    # curve at some setting (in the lower right the legend hid ‖Wh^d‖₂ at ρ ≈ 0.7-0.8, in the
    # upper right the bound ran through the numbers when ‖Wh‖₂ was a little above 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
    label = ax.text(1.03, 0.45, "", transform=ax.transAxes, fontsize=9, va="top", ha="left")

    def update(H, scale):
        H = _slider_H(H)
        scale = as_nonnegative("scale", scale)  # as the trajectories' (NaN and -0.5 were drawn)
        rho = scale * _draws(H, 3, 60, 10, 0)[3]
        with np.errstate(under="ignore"):
            norms = scale**d * _unit_power_norms(H, d_max)  # = ‖Wh^d‖₂ for Wh = scale · G
        n1 = float(norms[0])
        with np.errstate(under="ignore", over="ignore"):
            ax_, ay_, powers = _inside_log_band(d, norms, *BAND)
        actual.set_data(ax_, ay_)
        actual.set_markevery(powers)  # markers on the powers d, not where the line leaves
        with np.errstate(under="ignore", over="ignore"):
            bound.set_data(*_inside_log_band(d, n1**d, *BAND)[:2])
            rate.set_data(*_inside_log_band(d, rho**d, *BAND)[:2])
        k = int(np.argmax(norms))
        label.set_text(f"ρ(Wh) = {rho:.2f}\n‖Wh‖₂ = {n1:.2f}")
        with np.errstate(under="ignore", divide="ignore"):
            root = norms ** (1.0 / d)
        return {
            "H": H,
            "rho": rho,
            "norm": n1,
            "norms": norms,
            "peak": float(norms[k]),
            "peak_d": k + 1,
            "root": root,
        }

    def readout(s):
        return (
            f"ρ(Wh) = {s['rho']:.2f}, ‖Wh‖₂ = {s['norm']:.2f}; largest ‖Wh^d‖₂ = {s['peak']:.3g} "
            f"at d = {s['peak_d']}; ‖Wh^{d_max}‖₂^(1/{d_max}) = {s['root'][-1]:.3f}"
        )

    freeze_static(fig, [bound, actual, rate, label])
    sliders = {
        "H": Slider(2, H_MAX, 1, H, "hidden size H", integer=True),
        "scale": Slider(0.1, 2.5, 0.05, scale, "weight scale ρ(Wh)"),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (hidden_trajectories, power_norms)
