"""Lesson 01: the loss and its derivative (notebooks/01_loss_and_its_derivative.ipynb).

Checkers of exercise 01, each with its cases and its catalogue of known mistakes:

- ``check_loss``: ``loss(y_hat, y)`` → L = ½(ŷ − y)², elementwise for arrays;
- ``check_loss_grad``: ``loss_grad(y_hat, y)`` → dL/dŷ = ŷ − y, elementwise for arrays.

References come from :mod:`rnnlib.scalar`; each mistake computes one wrong formula.
"""

from __future__ import annotations

import numpy as np

from .. import scalar
from .checking import ELEMENTWISE, Case, Checker, Mistake
from .checking import as_number as f

__all__ = ["CHECKERS", "check_loss", "check_loss_grad"]


def _yhat_y():
    rng = np.random.default_rng(101)
    pairs = [
        ("scalars, ŷ above y", 2.5, 1.0),
        ("scalars, ŷ below y", -1.3, 0.8),
        ("scalars, ŷ equal to y (a perfect prediction)", 0.3, 0.3),
        ("large values", 1250.0, -730.5),
        ("small values", 3e-4, -2e-4),
        ("arrays of shape (5,)", rng.uniform(-3, 3, 5), rng.uniform(-3, 3, 5)),
        ("2-d arrays of shape (2, 3)", rng.uniform(-3, 3, (2, 3)), rng.uniform(-3, 3, (2, 3))),
    ]
    return [(label, {"y_hat": a, "y": b}) for label, a, b in pairs]


def loss_cases():
    return [Case(label, args, scalar.loss(**args)) for label, args in _yhat_y()]


def loss_grad_cases():
    return [Case(label, args, scalar.loss_grad(**args)) for label, args in _yhat_y()]


_L = "the loss is L = ½(ŷ − y)²"

check_loss = Checker(
    "check_loss",
    "loss(y_hat, y)",
    loss_cases,
    doc="L = ½(ŷ − y)², elementwise for arrays (floats or ndarrays of one shape).",
    mistakes=(
        Mistake(
            "seed_loss",
            lambda y_hat, y: f(y_hat) - y,
            'you returned ŷ − y, the seed\'s "loss": that is dL/dŷ, the error signal; ' + _L,
        ),
        Mistake(
            "negated_difference",
            lambda y_hat, y: y - f(y_hat),
            f"you returned y − ŷ, a signed difference; {_L}",
        ),
        Mistake(
            "missing_half",
            lambda y_hat, y: (f(y_hat) - y) ** 2,
            f"missing ½: you returned (ŷ − y)²; {_L}",
        ),
        Mistake(
            "no_square",
            lambda y_hat, y: 0.5 * (f(y_hat) - y),
            f"missing square: you returned ½(ŷ − y); {_L}",
        ),
        Mistake(
            "absolute_error",
            lambda y_hat, y: abs(f(y_hat) - y),
            "you returned |ŷ − y|; this course's loss is the half squared error ½(ŷ − y)²",
        ),
        Mistake(
            "squares_subtracted",
            lambda y_hat, y: 0.5 * (f(y_hat) ** 2 - f(y) ** 2),
            "you squared ŷ and y separately, ½(ŷ² − y²); square the difference: ½(ŷ − y)²",
        ),
        Mistake(
            "loss_summed",
            lambda y_hat, y: float(np.sum(0.5 * (f(y_hat) - y) ** 2)),
            "you summed the losses into one number" + ELEMENTWISE,
        ),
        Mistake(
            "loss_averaged",
            lambda y_hat, y: float(np.mean(0.5 * (f(y_hat) - y) ** 2)),
            "you averaged the losses into one number" + ELEMENTWISE,
        ),
    ),
)

_DL = "dL/dŷ = ŷ − y"

check_loss_grad = Checker(
    "check_loss_grad",
    "loss_grad(y_hat, y)",
    loss_grad_cases,
    doc=f"{_DL}, elementwise for arrays (floats or ndarrays of one shape).",
    mistakes=(
        Mistake(
            "wrong_sign_grad",
            lambda y_hat, y: y - f(y_hat),
            f"wrong sign: you returned y − ŷ; {_DL}",
        ),
        Mistake(
            "extra_two",
            lambda y_hat, y: 2.0 * (f(y_hat) - y),
            "extra factor 2: you returned 2(ŷ − y), the derivative of (ŷ − y)², not of "
            f"½(ŷ − y)²; {_DL}",
        ),
        Mistake(
            "missing_power_rule_two",
            lambda y_hat, y: 0.5 * (f(y_hat) - y),
            "you kept the ½ but not the 2 that the power rule brings down: ½(ŷ − y); "
            "dL/dŷ = ½·2(ŷ − y) = ŷ − y",
        ),
        Mistake(
            "returned_the_loss",
            lambda y_hat, y: 0.5 * (f(y_hat) - y) ** 2,
            f"you returned the loss ½(ŷ − y)², not its derivative {_DL}",
        ),
        Mistake(
            "slope_of_seed_loss",
            lambda y_hat, y: np.ones_like(f(y_hat)) if np.ndim(y_hat) else 1.0,
            "you returned 1, the slope of the seed's ŷ − y; differentiate L = ½(ŷ − y)² "
            f"instead: {_DL}",
        ),
        Mistake(
            "grad_summed",
            lambda y_hat, y: float(np.sum(f(y_hat) - y)),
            "you summed the derivatives into one number" + ELEMENTWISE,
        ),
        Mistake(
            "grad_averaged",
            lambda y_hat, y: float(np.mean(f(y_hat) - y)),
            "you averaged the derivatives into one number" + ELEMENTWISE,
        ),
    ),
)

CHECKERS = (check_loss, check_loss_grad)
