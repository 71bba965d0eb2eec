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

from .checking import ELEMENTWISE, Case, Checker, Mistake
from .checking import as_number as f
from .lesson00 import SEED_MODELS, seed_model, seed_model_batch, seed_model_label

__all__ = ["CHECKERS", "check_last_step_grad"]


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
