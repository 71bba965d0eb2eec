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
from .checking import Case, Checker, Mistake
from .lesson00 import SEED_MODELS, seed_model, seed_model_label

__all__ = ["CHECKERS", "check_scalar_bptt"]


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
