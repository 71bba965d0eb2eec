"""Lesson 02: the last-layer weight (notebooks/02_last_layer_weight.ipynb).

Checkers of exercise 02, each with its cases and its catalogue of known mistakes:

- ``check_output_weight_grad``: ``output_weight_grad(dL_dyhat, o_T)`` → dL/dv = dL/dŷ · o_T,
  elementwise for arrays;
- ``check_sgd_step``: ``sgd_step(param, grad, lr)`` → param − η·grad, a new value (inputs
  unchanged).

References come from :mod:`rnnlib.scalar` (on the seed's RNNs of lesson 00) and
:mod:`rnnlib.optim`; each mistake computes one wrong formula.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from .checking import ELEMENTWISE, Case, Checker, Mistake
from .checking import as_number as f
from .lesson00 import SEED_MODELS, seed_model, seed_model_batch, seed_model_label

__all__ = ["CHECKERS", "check_output_weight_grad", "check_sgd_step"]


def output_weight_grad_cases():
    cases = []
    for k, (u, w, v, T, y) in enumerate(SEED_MODELS):
        _, fwd, g = seed_model(u, w, v, T, y, k)
        args = {"dL_dyhat": g.dL_dyhat, "o_T": float(fwd.o[-1])}
        cases.append(Case(seed_model_label(u, w, v, T, y), args, g.dv))
    rows = seed_model_batch(5, 7)
    args = {
        "dL_dyhat": np.array([g.dL_dyhat for _, _, g, _ in rows]),
        "o_T": np.array([fwd.o[-1] for _, fwd, _, _ in rows]),
    }
    expected = np.array([g.dv for _, _, g, _ in rows])
    cases.append(Case("arrays of shape (5,): five models at once", args, expected))
    return cases


_DV = "dL/dv = dL/dŷ · o_T"

check_output_weight_grad = Checker(
    "check_output_weight_grad",
    "output_weight_grad(dL_dyhat, o_T)",
    output_weight_grad_cases,
    doc=f"{_DV}, elementwise for arrays.",
    mistakes=(
        Mistake(
            "dv_wrong_sign",
            lambda dL_dyhat, o_T: -f(dL_dyhat) * o_T,
            f"wrong sign: {_DV}, with no minus",
        ),
        Mistake(
            "dv_missing_o_T",
            lambda dL_dyhat, o_T: f(dL_dyhat) + 0.0 * f(o_T),
            f"missing factor o_T: you returned dL/dŷ alone; dŷ/dv = o_T, so {_DV}",
        ),
        Mistake(
            "dv_missing_dL_dyhat",
            lambda dL_dyhat, o_T: f(o_T) + 0.0 * f(dL_dyhat),
            f"missing factor dL/dŷ: you returned o_T alone; {_DV}",
        ),
        Mistake(
            "factors_added",
            lambda dL_dyhat, o_T: f(dL_dyhat) + o_T,
            f"you added the factors; the chain rule multiplies them: {_DV}",
        ),
        Mistake(
            "extra_tanh_prime",
            lambda dL_dyhat, o_T: f(dL_dyhat) * o_T * (1.0 - f(o_T) ** 2),
            f"extra factor (1 − o_T²): ŷ = v·o_T has no tanh between v and ŷ; {_DV}",
        ),
        Mistake(
            "dv_summed",
            lambda dL_dyhat, o_T: float(np.sum(f(dL_dyhat) * o_T)),
            "you summed into one number" + ELEMENTWISE,
        ),
    ),
)


def sgd_step_cases():
    rng = np.random.default_rng(202)
    raw = [
        ("scalars, positive gradient", 0.8, 0.35, 0.1),
        ("scalars, negative gradient", -1.2, -2.5, 0.05),
        ("scalars, a large step (η = 0.5)", 2.0, 3.0, 0.5),
        ("arrays of shape (4,)", rng.normal(size=4), rng.normal(size=4), 0.3),
        (
            "2-d arrays of shape (2, 3), a small η",
            rng.normal(size=(2, 3)),
            rng.normal(size=(2, 3)),
            0.01,
        ),
    ]
    return [
        Case(label, {"param": p, "grad": g, "lr": lr}, optim.sgd_step(p, g, lr))
        for label, p, g, lr in raw
    ]


_STEP = "param − η·grad"

check_sgd_step = Checker(
    "check_sgd_step",
    "sgd_step(param, grad, lr)",
    sgd_step_cases,
    doc=f"{_STEP}, a new value, inputs unchanged (param and grad floats or ndarrays).",
    mistakes=(
        Mistake(
            "sgd_wrong_sign",
            lambda param, grad, lr: f(param) + lr * f(grad),
            "wrong sign: you stepped up the gradient, param + η·grad; descent goes against it: "
            + _STEP,
        ),
        Mistake(
            "sgd_missing_lr",
            lambda param, grad, lr: f(param) - f(grad),
            f"missing learning rate: you returned param − grad; the step is {_STEP}",
        ),
        Mistake(
            "sgd_step_only",
            lambda param, grad, lr: -lr * f(grad) + 0.0 * f(param),
            f"you returned only the change −η·grad; return the new value {_STEP}",
        ),
        Mistake(
            "sgd_step_only_positive",
            lambda param, grad, lr: lr * f(grad) + 0.0 * f(param),
            f"you returned only η·grad; return the new value {_STEP}",
        ),
        Mistake(
            "sgd_divided_by_lr",
            lambda param, grad, lr: f(param) - f(grad) / lr,
            f"you divided by the learning rate, param − grad/η; multiply: {_STEP}",
        ),
        Mistake(
            "sgd_unchanged",
            lambda param, grad, lr: f(param) + 0.0 * f(grad),
            f"you returned param unchanged; the new value is {_STEP}",
        ),
    ),
)

CHECKERS = (check_output_weight_grad, check_sgd_step)
