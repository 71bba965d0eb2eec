"""Lesson 03: one step back in time (notebooks/03_one_step_back.ipynb).

The checker of exercise 03, with its cases and its catalogue of
known mistakes:

- ``check_last_step_grad``:
  ``last_step_grad(dL_dyhat, v, o_T, o_prev)`` →
  dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_(T−1), the gradient of the
  copy of w used at the last step, elementwise for arrays;
- ``check_sigmoid_last_step_grads`` (the transfer task):
  ``sigmoid_last_step_grads(dL_dyhat, v, o_T, o_prev)`` →
  (dL/dw⁽ᵀ⁾, dL/db⁽ᵀ⁾) for a unit with a bias and the logistic
  sigmoid.

``QUESTIONS``: the graded questions of exercise 03.

References come from :mod:`rnnlib.scalar` on the seed's RNNs of
lesson 00; each mistake computes one wrong formula.
"""

from __future__ import annotations

import math

import numpy as np

from .. import scalar
from .._validate import as_array, as_scalar, check_finite
from ..scalar import EXAMPLE, last_step_factors
from .checking import ELEMENTWISE, Case, Checker, Mistake, Question, catalogue
from .checking import as_number as f
from .lesson00 import seed_model_batch, seed_model_runs

__all__ = [
    "CHECKERS",
    "QUESTIONS",
    "check_last_step_grad",
    "check_sigmoid_last_step_grads",
    "FIGURES",
    "last_step_explorer",
    "sigmoid_unit_forward",
]


def last_step_grad_cases():
    cases = []
    for label, (_, _, v, T, _), _, fwd, g in seed_model_runs():
        args = {"dL_dyhat": g.dL_dyhat, "v": v, "o_T": float(fwd.o[-1]), "o_prev": float(fwd.o[-2])}
        first = " (o_prev = o_0 = 0)" if T == 1 else ""
        cases.append(Case(label + first, args, float(g.dw_steps[-1])))
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
    """dL/dŷ · v · slope · state, by default the right answer; one factor
    changed per mistake."""
    slope = 1.0 - f(o_T) ** 2 if slope is None else slope
    return f(dL_dyhat) * v * slope * (f(o_prev) if state is None else state)


def _slope_slip(name, slope, why):
    """A mistake in the tanh′ factor alone: ``slope(o_T, o_prev)`` where
    1 − o_T² belongs."""
    return Mistake(
        name,
        lambda dL_dyhat, v, o_T, o_prev: _dw(
            dL_dyhat, v, o_T, o_prev, slope=slope(f(o_T), f(o_prev))
        ),
        why,
    )


_DW = "dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_prev"


check_last_step_grad = Checker(
    "check_last_step_grad",
    "last_step_grad(dL_dyhat, v, o_T, o_prev)",
    last_step_grad_cases,
    doc=f"{_DW}, elementwise for arrays: the gradient of the copy of w used at the last step.",
    hints=(  # `if o_prev == 0: ...` (a special case for T = 1) on an array argument
        (
            ValueError,
            "truth value of an array",
            "an `if` on an array (one truth value per entry): no special case is needed, "
            "o_prev = 0 gives 0 by itself; write the formula once, with numpy's operators",
        ),
    ),
    mistakes=(
        _slope_slip(
            "missing_tanh_prime",
            lambda o_T, o_prev: 1.0,
            f"missing tanh′ factor (1 − o_T²): {_DW}",
        ),
        _slope_slip(
            "one_minus_o",
            lambda o_T, o_prev: 1.0 - o_T,
            f"(1 − o_T) where (1 − o_T²) belongs: tanh′(a) = 1 − tanh(a)²; {_DW}",
        ),
        _slope_slip(
            "one_plus_o_squared",
            lambda o_T, o_prev: 1.0 + o_T**2,
            f"(1 + o_T²) where (1 − o_T²) belongs: tanh′(a) = 1 − tanh(a)²; {_DW}",
        ),
        Mistake(
            "o_T_for_o_prev",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, v, o_T, o_prev, state=f(o_T)),
            f"o_T where o_prev belongs: do_T/dw = (1 − o_T²)·o_(T−1); {_DW}",
        ),
        _slope_slip(
            "tanh_twice",
            lambda o_T, o_prev: 1.0 - np.tanh(o_T) ** 2,
            f"you applied tanh to o_T again, 1 − tanh(o_T)²; o_T is already tanh(a_T): {_DW}",
        ),
        _slope_slip(
            "tanh_prime_at_prev",
            lambda o_T, o_prev: 1.0 - o_prev**2,
            f"tanh′ at the wrong step: (1 − o_prev²) where (1 − o_T²) belongs; {_DW}",
        ),
        Mistake(
            "missing_v",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, 1.0, o_T, o_prev) + 0.0 * f(v),
            f"missing factor v (dŷ/do_T = v): {_DW}",
        ),
        _slope_slip(
            "tanh_for_tanh_prime",
            lambda o_T, o_prev: o_T,
            f"o_T = tanh(a_T) where its slope belongs: tanh′(a_T) = 1 − o_T²; {_DW}",
        ),
        _slope_slip(
            "sigmoid_slope_for_tanh",
            lambda o_T, o_prev: o_T * (1.0 - o_T),
            f"o_T(1 − o_T) is the sigmoid's slope; this unit is tanh, tanh′ = 1 − o_T²: {_DW}",
        ),
        Mistake(
            "missing_o_prev",
            lambda dL_dyhat, v, o_T, o_prev: (
                _dw(dL_dyhat, v, o_T, o_prev, state=1.0) + 0.0 * f(o_prev)
            ),
            f"missing factor o_prev: a_T = u·x_T + w⁽ᵀ⁾·o_(T−1), so ∂a_T/∂w⁽ᵀ⁾ = o_prev; {_DW}",
        ),
        Mistake(
            "missing_parentheses",
            lambda dL_dyhat, v, o_T, o_prev: f(dL_dyhat) * v * 1.0 - f(o_T) ** 2 * f(o_prev),
            "dL/dŷ·v − o_T²·o_prev: `... * 1 - o_T**2 * o_prev` lacks parentheses (Python "
            "multiplies before it subtracts); write `(1 - o_T**2)`",
        ),
        _slope_slip(
            "one_minus_o_all_squared",
            lambda o_T, o_prev: (1.0 - o_T) ** 2,
            f"(1 − o_T)² where (1 − o_T²) belongs: square o_T, not the difference; {_DW}",
        ),
        _slope_slip(
            "tanh_prime_squared",
            lambda o_T, o_prev: (1.0 - o_T**2) ** 2,
            "(1 − o_T²)² where (1 − o_T²) belongs: tanh′(a) = 1 − tanh(a)², square o_T only; "
            + _DW,
        ),
        _slope_slip(
            "extra_tanh_prime_at_prev",
            lambda o_T, o_prev: (1.0 - o_T**2) * (1.0 - o_prev**2),
            "extra factor (1 − o_prev²): o_(T−1) is held fixed, w⁽ᵀ⁾ acts at step T only, so "
            f"the road has one tanh′, step T's; {_DW}",
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
        _slope_slip(
            "two_o_for_o_squared",
            lambda o_T, o_prev: 1.0 - 2.0 * o_T,
            "(1 − 2·o_T) where (1 − o_T²) belongs: `o_T*2` doubles o_T, `o_T**2` squares it",
        ),
        Mistake(
            "o_T_and_o_prev_swapped",
            lambda dL_dyhat, v, o_T, o_prev: _dw(
                dL_dyhat, v, o_T, o_prev, slope=1.0 - f(o_prev) ** 2, state=f(o_T)
            ),
            "o_T and o_prev swapped: (1 − o_prev²)·o_T; tanh′ is step T's, (1 − o_T²), times "
            "o_prev",
        ),
        Mistake(
            "o_T_for_v",
            lambda dL_dyhat, v, o_T, o_prev: _dw(dL_dyhat, f(o_T), o_T, o_prev) + 0.0 * f(v),
            f"o_T where v belongs: ŷ = v·o_T, so dŷ/do_T = v (o_T is dŷ/dv); {_DW}",
        ),
        Mistake(
            "parenthesis_closed_late",
            lambda dL_dyhat, v, o_T, o_prev: f(dL_dyhat) * v * (1.0 - f(o_T) ** 2 * f(o_prev)),
            "(1 − o_T²·o_prev): the parenthesis closes too late; write `(1 - o_T**2) * o_prev`",
        ),
        Mistake(
            "summed",
            lambda dL_dyhat, v, o_T, o_prev: float(np.sum(_dw(dL_dyhat, v, o_T, o_prev))),
            "you summed into one number" + ELEMENTWISE,
        ),
    ),
)


# -- the transfer task: a unit with a bias and the logistic sigmoid -------------------------------
# a_t = u·x_t + w·o_(t−1) + b, o_t = σ(a_t) = 1/(1 + e^(−a_t)), ŷ = v·o_T, L = ½(ŷ − y)². The last
# step's copies w⁽ᵀ⁾ and b⁽ᵀ⁾ enter a_T with slopes o_(T−1) and 1, and σ′(a) = σ(a)(1 − σ(a)), so
# dL/dw⁽ᵀ⁾ = dL/dŷ · v · o_T(1 − o_T) · o_(T−1) and dL/db⁽ᵀ⁾ = dL/dŷ · v · o_T(1 − o_T).
# tests/test_lesson03.py checks these against finite differences of a forward pass written there.


def sigmoid_unit_forward(xs, u, w, b, o0=0.0):
    """Hidden states o_0..o_T of the scalar unit
    o_t = σ(u·x_t + w·o_(t−1) + b).

    Parameters
    ----------
    xs : array_like (T,), the inputs x_1..x_T (T >= 1)
    u, w, b : float, the input weight, the recurrent weight and the bias
    o0 : float, the initial state o_0 (0 in the course)

    Returns
    -------
    ndarray (T + 1,): o_0, o_1, ..., o_T. ``ValueError`` names the
    argument, what was expected and what came (a 2-d ``xs``, NaN, a
    string, an array where a number belongs...).
    """
    xs = as_array("xs", xs)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(
            f"xs: expected a 1-d sequence of T >= 1 inputs, shape (T,), got shape {xs.shape}"
        )
    check_finite("xs", xs)
    u, w, b = as_scalar("u", u), as_scalar("w", w), as_scalar("b", b)
    o = [as_scalar("o0", o0)]
    for x in xs.tolist():
        # σ(a) = ½(1 + tanh(a/2)) = 1/(1 + e^(−a)), without overflow in e^(−a) for a ≪ 0
        o.append(0.5 * (1.0 + math.tanh(0.5 * (u * x + w * o[-1] + b))))
    return np.array(o)


def _sigmoid_model(rng, T, scale=1.0, b=None):
    xs = rng.uniform(-1.0, 1.0, T)
    u, w, v = rng.uniform(0.4, 1.6, 3) * rng.choice([-1.0, 1.0], 3) * scale
    b = float(rng.uniform(-1.0, 1.0)) if b is None else b
    y = float(rng.uniform(-1.0, 1.0))
    o = sigmoid_unit_forward(xs, u, w, b)
    return {"dL_dyhat": v * o[-1] - y, "v": float(v), "o_T": o[-1], "o_prev": o[-2]}, (u, w, b)


def _sigmoid_grads(dL_dyhat, v, o_T, o_prev):
    g = f(dL_dyhat) * v * f(o_T) * (1.0 - f(o_T))  # dL/da_T
    return g * o_prev, g


def sigmoid_last_step_grads_cases():
    rng = np.random.default_rng(303)
    cases = []
    rows = [_sigmoid_model(rng, 4)[0] for _ in range(5)]
    args = {k: np.array([r[k] for r in rows]) for k in ("dL_dyhat", "v", "o_T", "o_prev")}
    cases.append(Case("arrays of shape (5,): five units at once", args, _sigmoid_grads(**args)))
    for label, T, scale, b in (
        ("T = 4, a small bias", 4, 1.0, 0.3),
        ("T = 1: o_prev = o_0 = 0, but the bias still gets a gradient", 1, 1.0, -0.5),
        ("T = 3, a negative bias", 3, 1.0, -1.2),
        ("T = 5, large weights: the unit is saturated, o_T near 0 or 1", 5, 4.0, 3.0),
    ):
        args, _ = _sigmoid_model(rng, T, scale, b)
        args = {k: (float(val) if k != "v" else val) for k, val in args.items()}
        cases.append(Case(label, args, _sigmoid_grads(**args)))
    return cases


def _sg(slope):
    """A wrong answer with ``slope(o_T)`` in place of σ′, both items."""

    def answer(dL_dyhat, v, o_T, o_prev):
        g = f(dL_dyhat) * v * slope(f(o_T))
        return g * o_prev, g

    return answer


def _sg_prev(dL_dyhat, v, o_T, o_prev):
    """Both items with σ′ of step T − 1, o_prev(1 − o_prev), in place of
    step T's."""
    g = f(dL_dyhat) * v * f(o_prev) * (1.0 - f(o_prev)) + 0.0 * f(o_T)
    return g * o_prev, g


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


_SG = "σ′(a_T) = o_T(1 − o_T)"

check_sigmoid_last_step_grads = Checker(
    "check_sigmoid_last_step_grads",
    "sigmoid_last_step_grads(dL_dyhat, v, o_T, o_prev) → (dL/dw⁽ᵀ⁾, dL/db⁽ᵀ⁾)",
    sigmoid_last_step_grads_cases,
    doc="the last step's gradients for o_t = σ(u·x_t + w·o_(t−1) + b), ŷ = v·o_T, "
    "elementwise for arrays.",
    mistakes=(
        Mistake(
            "tanh_prime_for_sigmoid",
            _sg(lambda o: 1.0 - o**2),
            f"you kept tanh′ = 1 − o_T²; this unit is a sigmoid: {_SG}",
        ),
        Mistake(
            "sigmoid_prime_missing_o",
            _sg(lambda o: 1.0 - o),
            f"you used 1 − o_T as σ′; the derivative of the sigmoid is {_SG}",
        ),
        Mistake(
            "sigmoid_applied_again",
            _sg(lambda o: _sigmoid(o) * (1.0 - _sigmoid(o))),
            f"you applied σ to o_T again; o_T already is σ(a_T), so {_SG}",
        ),
        Mistake(
            "sigmoid_value_for_slope",
            _sg(lambda o: o),
            f"o_T = σ(a_T) where its slope belongs: {_SG}",
        ),
        Mistake(
            "no_activation_slope",
            _sg(lambda o: 1.0 + 0.0 * o),
            f"missing the sigmoid's slope between a_T and o_T: {_SG}",
        ),
        Mistake(
            "sigmoid_o_T_for_o_prev",
            lambda dL_dyhat, v, o_T, o_prev: (
                _sigmoid_grads(dL_dyhat, v, o_T, o_prev)[1] * f(o_T),
                _sigmoid_grads(dL_dyhat, v, o_T, o_prev)[1],
            ),
            "dL/dw⁽ᵀ⁾ has o_T where o_prev belongs: w⁽ᵀ⁾ multiplies o_(T−1) in a_T",
        ),
        Mistake(
            "sigmoid_missing_v",
            lambda dL_dyhat, v, o_T, o_prev: _sigmoid_grads(
                dL_dyhat, 1.0 + 0.0 * f(v), o_T, o_prev
            ),
            "missing factor v: ∂ŷ/∂o_T = v lies on the road to w⁽ᵀ⁾ and to b⁽ᵀ⁾",
        ),
        Mistake(
            "sigmoid_missing_dL_dyhat",
            lambda dL_dyhat, v, o_T, o_prev: _sigmoid_grads(
                1.0 + 0.0 * f(dL_dyhat), v, o_T, o_prev
            ),
            "missing factor dL/dŷ: both gradients carry dL/da_T = dL/dŷ · v · o_T(1 − o_T)",
        ),
        Mistake(
            "sigmoid_slope_at_prev",
            _sg_prev,
            f"σ′ at the wrong step: o_prev(1 − o_prev) where o_T(1 − o_T) belongs; {_SG}",
        ),
        Mistake(
            "bias_times_o_prev",
            lambda dL_dyhat, v, o_T, o_prev: (_sigmoid_grads(dL_dyhat, v, o_T, o_prev)[0],) * 2,
            "dL/db⁽ᵀ⁾ has an extra factor o_prev: b is added to a_T, so ∂a_T/∂b = 1, not o_prev",
        ),
        Mistake(
            "swapped",
            lambda dL_dyhat, v, o_T, o_prev: _sigmoid_grads(dL_dyhat, v, o_T, o_prev)[::-1],
            "the two gradients are swapped: return (dL/dw⁽ᵀ⁾, dL/db⁽ᵀ⁾) in that order",
        ),
        Mistake(
            "sigmoid_wrong_sign",
            lambda dL_dyhat, v, o_T, o_prev: tuple(
                -g for g in _sigmoid_grads(dL_dyhat, v, o_T, o_prev)
            ),
            "wrong sign: both gradients carry the sign of dL/dŷ · v",
        ),
        Mistake(
            "bias_grad_zero",
            lambda dL_dyhat, v, o_T, o_prev: (
                _sigmoid_grads(dL_dyhat, v, o_T, o_prev)[0],
                0.0 * _sigmoid_grads(dL_dyhat, v, o_T, o_prev)[1],
            ),
            "dL/db⁽ᵀ⁾ is 0: b is added to a_T, so ∂a_T/∂b = 1 and dL/db⁽ᵀ⁾ = dL/da_T, "
            "the same road as w⁽ᵀ⁾ without o_prev",
        ),
        Mistake(
            "bias_grad_zero_number",
            lambda dL_dyhat, v, o_T, o_prev: (_sigmoid_grads(dL_dyhat, v, o_T, o_prev)[0], 0.0),
            "dL/db⁽ᵀ⁾ is 0: b is added to a_T, so ∂a_T/∂b = 1 and dL/db⁽ᵀ⁾ = dL/da_T, "
            "the same road as w⁽ᵀ⁾ without o_prev (and elementwise, like dL/dw⁽ᵀ⁾)",
        ),
        Mistake(
            "sigmoid_prime_plus",
            _sg(lambda o: o * (1.0 + o)),
            f"o_T(1 + o_T) where o_T(1 − o_T) belongs: {_SG}",
        ),
    ),
)

# -- exercise 3 (optional): the referee yourself --------------------------------------------------


def _last_copy_share(xs, y, u, w, v):
    """dL/dw⁽ᵀ⁾ = (ŷ − y)·v·(1 − o_T²)·o_(T−1): lesson 03's share of the
    last copy."""
    o = scalar.forward(xs, u, w, v).o
    y_hat = v * o[-1]
    return float((y_hat - y) * v * (1.0 - o[-1] ** 2) * o[-2])


WIDE_EPS = 0.25  # a step at which the central difference is visibly not the derivative


def fd_last_copy_grad_cases():
    """The lessons' example, random problems with T = 1 (o₀ = 0: the share
    is 0) to 5, all at ε = 1e-6 (where the difference is the share to
    about 1e-10), then the example at the wide ε = 0.25, where it is the
    difference quotient itself (0.2757 against the share 0.2827): an
    answer that ignores ``eps``, or is the exact formula, fails there."""
    xs, y, u, w, v = (EXAMPLE[k] for k in ("xs", "y", "u", "w", "v"))
    rows = [("the lessons' example, T = 4", np.asarray(xs, dtype=float), y, u, w, v)]
    rng = np.random.default_rng(3)
    for T in (1, 2, 5):
        y_r, u_r, w_r, v_r = (float(p) for p in rng.normal(size=4))
        rows.append((f"random, T = {T}", rng.normal(size=T), y_r, u_r, w_r, v_r))
    cases = [
        Case(
            label,
            {"xs": xs_, "y": y_, "u": u_, "w": w_, "v": v_, "eps": 1e-6},
            _last_copy_share(*args),
        )
        for label, *args in rows
        for xs_, y_, u_, w_, v_ in [args]
    ]
    _, *args = rows[0]
    cases.append(
        Case(
            f"the lessons' example at a wide step, eps = {WIDE_EPS}",
            dict(cases[0].args, eps=WIDE_EPS),
            _last_copy_difference(*args, eps=WIDE_EPS),
        )
    )
    return cases


def _every_copy_moved(xs, y, u, w, v, eps=1e-6):
    """(L(w + ε) − L(w − ε))/(2ε) with every copy of w moved: the
    difference quotient of dL/dw, the sum of every copy's share (at the
    wide step ε = 0.25, the quotient, not dL/dw itself)."""

    def loss(w_):
        return scalar.loss(scalar.forward(xs, u, w_, v).y_hat, y)

    return float((loss(w + eps) - loss(w - eps)) / (2 * eps))


def _last_copy_difference(xs, y, u, w, v, eps=1e-6, *, from_o_T=False, over=2.0, start=-1):
    """(L(w⁽ᵀ⁾ + ε) − L(w⁽ᵀ⁾ − ε))/(over·ε), the last step run from
    o_(T−1), or from o_T if ``from_o_T``
    (``scalar.forward(xs, ...).o[-1]``: the whole sequence, not
    ``xs[:-1]``), or from o_(T−2) if ``start = -2`` (``xs[:-2]``;
    o_0 = 0 when that is empty)."""
    xs = np.asarray(xs, dtype=float)
    if from_o_T:
        o0 = scalar.forward(xs, u, w, v).o[-1]
    else:
        o0 = scalar.forward(xs[:start], u, w, v).o[-1] if xs.size > -start else 0.0

    def loss(w_T):
        return scalar.loss(scalar.forward(xs[-1:], u, w_T, v, o0=o0).y_hat, y)

    return float((loss(w + eps) - loss(w - eps)) / (over * eps))


def _one_sided(xs, y, u, w, v, eps=1e-6):
    """(L(w⁽ᵀ⁾ + ε) − L(w⁽ᵀ⁾))/ε: the last step's copy moved forwards only."""
    xs = np.asarray(xs, dtype=float)
    o_prev = scalar.forward(xs[:-1], u, w, v).o[-1] if xs.size > 1 else 0.0

    def loss(w_T):
        return scalar.loss(scalar.forward(xs[-1:], u, w_T, v, o0=o_prev).y_hat, y)

    return float((loss(w + eps) - loss(w)) / eps)


def _last_step_run(xs, u, w, v, *, whole=False):
    """ŷ as a function of the last step's copy w⁽ᵀ⁾: the last step run from
    o_(T−1) (or, if ``whole``, every input run from o_(T−1) with that
    copy, a slip)."""
    xs = np.asarray(xs, dtype=float)
    o_prev = scalar.forward(xs[:-1], u, w, v).o[-1] if xs.size > 1 else 0.0
    run = xs if whole else xs[-1:]
    return lambda w_T: scalar.forward(run, u, w_T, v, o0=o_prev).y_hat


def _fd_slip(xs, y, u, w, v, eps=1e-6, *, slip):
    """The difference of ``fd_last_copy_grad`` with one slip:
    ``"fd_backward_one_sided"``, ``"fd_left_minus_right"``,
    ``"fd_y_hat_difference"`` or ``"fd_whole_sequence_from_o_prev"``
    (``"fd_moved_v"``: the central difference in v, exact for L
    quadratic in v)."""
    if slip == "fd_moved_v":
        o_T = scalar.forward(xs, u, w, v).o[-1]
        return float((v * o_T - y) * o_T)
    y_hat = _last_step_run(xs, u, w, v, whole=slip == "fd_whole_sequence_from_o_prev")

    def loss(w_T):
        return y_hat(w_T) if slip == "fd_y_hat_difference" else scalar.loss(y_hat(w_T), y)

    if slip == "fd_backward_one_sided":
        return float((loss(w) - loss(w - eps)) / eps)
    if slip == "fd_left_minus_right":
        return float((loss(w - eps) - loss(w + eps)) / (2 * eps))
    return float((loss(w + eps) - loss(w - eps)) / (2 * eps))


class _StepChecker(Checker):
    """A checker that, when the learner's function has no ``eps``
    parameter, says so; and when it runs ``scalar.forward`` on the empty
    ``xs[:-1]`` of a case with T = 1, says what o_(T−1) is then."""

    def _raised(self, case, err):
        if isinstance(err, TypeError) and "positional" in str(err):
            return (
                "your function takes no eps: write it as fd_last_copy_grad(xs, y, u, w, v, "
                "eps=1e-6) and step by eps (this case passes eps = "
                f"{case.args['eps']:g})"
            )
        if (
            isinstance(err, ValueError)
            and "T >= 1 inputs" in str(err)
            and "got shape (0,)" in str(err)
            and np.size(case.args["xs"]) == 1
        ):
            return (
                "with T = 1 there is no earlier step: xs[:-1] is empty, and scalar.forward "
                "refuses an empty sequence; o_(T−1) is then o_0 = 0 (if xs.size > 1 ... else 0.0)"
            )
        return None


check_fd_last_copy_grad = _StepChecker(
    "check_fd_last_copy_grad",
    "fd_last_copy_grad(xs, y, u, w, v, eps)",
    fd_last_copy_grad_cases,
    doc="dL/dw⁽ᵀ⁾, the share of the last step's copy of w, by a central difference of "
    "scalar.forward and scalar.loss in which only that copy moves (rnnlib's backward pass is "
    "switched off while it runs). Cases: the lessons' example and random problems, T = 1 to 5, "
    "at the default eps, then the example at eps = 0.25 (where the difference is not the "
    "derivative).",
    forbidden=("scalar.backward", "scalar.rtrl"),
    forbidden_says="it computes the gradient; find dL/dw⁽ᵀ⁾ by a central difference of "
    "scalar.forward and scalar.loss",
    mistakes=(
        Mistake(
            "fd_every_copy_moved",
            _every_copy_moved,
            "that is dL/dw, with every copy of w moved: move only the last step's copy, the "
            "others stay at w",
        ),
        Mistake(
            "fd_ignores_eps",
            lambda xs, y, u, w, v, eps=None: _last_copy_share(xs, y, u, w, v),
            "that is the derivative itself, whatever eps is: at a wide eps the difference is "
            "not the derivative; step by the eps you are given",
        ),
        Mistake(
            "fd_last_step_from_zero",
            lambda xs, y, u, w, v, eps=None: 0.0,
            "0: the copy you moved multiplies o₀ = 0 (step 1's copy, or the last step's with that "
            "step run from o₀ = 0); move the last step's copy, its step run from o_(T−1)",
        ),
        Mistake(
            "fd_divided_by_eps",
            lambda xs, y, u, w, v, eps=1e-6: _last_copy_difference(xs, y, u, w, v, eps, over=1.0),
            "twice the share: your two points are twice as far apart as you divide by "
            "(w⁽ᵀ⁾ ± ε: divide by 2ε; ± 2ε: by 4ε), or your loss is missing its ½ (use "
            "scalar.loss)",
        ),
        Mistake(
            "fd_last_step_from_o_T",
            lambda xs, y, u, w, v, eps=1e-6: _last_copy_difference(
                xs, y, u, w, v, eps, from_o_T=True
            ),
            "you ran the last step from o_T, the state it makes: start it from o_(T−1), "
            "scalar.forward(xs[:-1], u, w, v).o[-1] (the run without the last input)",
        ),
        Mistake(
            "fd_last_step_from_o_T_minus_2",
            lambda xs, y, u, w, v, eps=1e-6: _last_copy_difference(xs, y, u, w, v, eps, start=-2),
            "you ran the last step from o_(T−2), one state too early (the run without the last "
            "two inputs, xs[:-2]): start it from o_(T−1), scalar.forward(xs[:-1], u, w, v).o[-1]",
        ),
        Mistake(
            "fd_divided_by_2_times_eps",
            lambda xs, y, u, w, v, eps=1e-6: _last_copy_difference(xs, y, u, w, v, eps) * eps**2,
            "`/ 2*eps` divides by 2, then multiplies by ε (Python works left to right): the "
            "difference quotient times ε²; write `/ (2*eps)`",
        ),
        Mistake(
            "fd_one_sided",
            _one_sided,
            "a one-sided difference (L(w⁽ᵀ⁾ + ε) − L(w⁽ᵀ⁾))/ε: its error is of order ε; take "
            "the central one, (L(w⁽ᵀ⁾ + ε) − L(w⁽ᵀ⁾ − ε))/(2ε)",
        ),
        *catalogue(
            _fd_slip,
            (
                "fd_backward_one_sided",
                "a one-sided difference (L(w⁽ᵀ⁾) − L(w⁽ᵀ⁾ − ε))/ε: its error is of order ε; take "
                "the central one, (L(w⁽ᵀ⁾ + ε) − L(w⁽ᵀ⁾ − ε))/(2ε)",
            ),
            (
                "fd_left_minus_right",
                "wrong sign: you took L(w⁽ᵀ⁾ − ε) − L(w⁽ᵀ⁾ + ε); the difference is the right "
                "point's loss minus the left one's",
            ),
            (
                "fd_y_hat_difference",
                "that is dŷ/dw⁽ᵀ⁾: you differenced ŷ; difference the loss, scalar.loss(ŷ, y), at "
                "w⁽ᵀ⁾ ± ε",
            ),
            (
                "fd_whole_sequence_from_o_prev",
                "you ran every input again from o_(T−1): run the last input alone, "
                "scalar.forward(xs[-1:], u, w_T, v, o0=o_prev)",
            ),
            (
                "fd_moved_v",
                "that is dL/dv: you moved v, the output weight; move w⁽ᵀ⁾, the w of the last "
                "step's scalar.forward",
            ),
        ),
    ),
)


CHECKERS = (check_last_step_grad, check_sigmoid_last_step_grads, check_fd_last_copy_grad)


# -- graded questions of exercise 03 ------------------------------------------------------------
# 03.saturated: the last input x_4 > 0 of the worked example that leaves tanh′ at step 4 at 2%:
# 1 − o_4² = 0.02, o_4 = √0.98, a_4 = artanh(√0.98) = 2.6441, x_4 = (a_4 − w·o_3)/u = 2.5484 with
# the example's o_3 = 0.67266 (u, w, x_1..x_3 unchanged); and what near misses give (the tests
# derive every value by hand, with math.tanh and math.atanh)


def _example_states():
    """o_0..o_4 of the worked example, a loop of math.tanh."""
    o = [0.0]
    for x in EXAMPLE["xs"]:
        o.append(math.tanh(EXAMPLE["u"] * x + EXAMPLE["w"] * o[-1]))
    return o


_PASS = 0.02  # the share of the gradient the saturated tanh lets through
_STATES = _example_states()


def _x4(o_4, o_prev=_STATES[3], u=EXAMPLE["u"], w=EXAMPLE["w"]):
    """The last input that makes o_4 from o_prev:
    x_4 = (artanh(o_4) − w·o_prev)/u."""
    return (math.atanh(o_4) - w * o_prev) / u


_A4 = math.atanh(math.sqrt(1.0 - _PASS))  # a_4 with 1 − o_4² = 0.02
_X4 = _x4(math.sqrt(1.0 - _PASS))  # 2.5484

# 03.sigmoid_max: the a > 0 where σ′(a) = o(1 − o) falls to half its largest value σ′(0) = ¼:
# o(1 − o) = ⅛, o = (1 + 1/√2)/2, a = ln(o/(1 − o)) = 2·ln(1 + √2) = 1.76275
_O_HALF = (1.0 + math.sqrt(0.5)) / 2.0  # σ(a) there, 0.85355
_A_HALF = math.log(_O_HALF / (1.0 - _O_HALF))  # 1.76275


def _logit(o):
    return math.log(o / (1.0 - o))


QUESTIONS = (
    Question(
        "03.saturated",
        "In the lessons' worked example (x = 1, −0.5, 0.8, 0.3; u = 0.8, w = 0.9) the tanh at "
        "step 4 lets about 53% of the gradient through to w⁽⁴⁾. Change only the last input x_4: "
        "which x_4 > 0 saturates the unit so much that the tanh at step 4 lets only 2% through "
        "(scales the gradient by 0.02)? Give x_4 to three decimals (compute with unrounded "
        "states).",
        _X4,
        why={
            _x4(1.0 - _PASS): "that solves 1 − o_4 = 0.02; tanh′ = 1 − o_4², so o_4 = √0.98",
            _x4((1.0 + math.sqrt(1.0 - 4.0 * _PASS)) / 2.0): "that solves o_4(1 − o_4) = 0.02, "
            "the sigmoid's slope; for tanh, 1 − o_4² = 0.02",
            _x4(math.sqrt(_PASS)): "that lets 98% through: 1 − o_4² is the share that passes, "
            "so 1 − o_4² = 0.02",
            _x4(math.sqrt(1.0 - 10 * _PASS)): "that lets 20% through; 2% is 0.02",
            _A4: "that is a_4 = artanh(o_4), the pre-activation; the question asks for the input, "
            "from a_4 = u·x_4 + w·o_3",
            math.sqrt(1.0 - _PASS): "that is o_4 = √0.98; the question asks for the input x_4 "
            "that makes it, from a_4 = artanh(o_4) = u·x_4 + w·o_3",
            _A4 / EXAMPLE["u"]: "missing w·o_3: a_4 = u·x_4 + w·o_3, so x_4 = (a_4 − w·o_3)/u",
            _A4 - EXAMPLE["w"] * _STATES[3]: "that is u·x_4: divide a_4 − w·o_3 by u",
            (_A4 - EXAMPLE["u"] * _STATES[3]) / EXAMPLE["w"]: "u and w swapped: "
            "a_4 = u·x_4 + w·o_3 (u weighs the input, w the state), so x_4 = (a_4 − w·o_3)/u",
            (_A4 + EXAMPLE["w"] * _STATES[3]) / EXAMPLE["u"]: "that adds w·o_3; from "
            "a_4 = u·x_4 + w·o_3, x_4 = (a_4 − w·o_3)/u",
            _x4(math.sqrt(1.0 - _PASS), o_prev=_STATES[2]): "that uses o_2 as the state before "
            "step 4: a_4 = u·x_4 + w·o_3, with o_3 = fwd.o[3]",
            _x4(math.sqrt(1.0 - _PASS), o_prev=_STATES[4]): "that uses the example's o_4 as the "
            "state before step 4: a_4 = u·x_4 + w·o_3, with o_3 the state after x_3 (fwd.o[3])",
            _x4(-math.sqrt(1.0 - _PASS)): "that x_4 saturates the unit towards −1 (2% too); the "
            "question asks for the x_4 > 0",
            EXAMPLE["xs"][3]: "that is the example's x_4, where about 53% passes; find the x_4 "
            "that leaves 2%",
            _PASS: "that is the factor itself, 0.02; the question asks for the x_4 that makes it",
            1.0 - 0.99**2: "that is 1 − 0.99², a factor; the question asks for the input x_4 "
            "that leaves the factor 1 − o_4² at 0.02",
        },
        rtol=0.0,
        # the nearest named miss (the example's o_4 for o_3) is 0.018 away: 18 tolerances
        atol=1e-3,
        explain="2% means 1 − o_4² = 0.02: o_4 = √0.98 ≈ 0.990, a_4 = artanh(o_4) ≈ 2.644, and "
        "x_4 = (a_4 − w·o_3)/u ≈ 2.548, about 8.5 times the example's 0.3: a large input "
        "saturates tanh, and then little gradient reaches w⁽⁴⁾.",
    ),
    Question(
        "03.share",
        "In a model with T = 4 steps, is dL/dw⁽⁴⁾ (your last_step_grad) the whole gradient dL/dw "
        "of the shared recurrent weight?",
        "b",
        choices={
            "a": "yes: w acts only at the last step",
            "b": "no: it is the share of the copy used at step 4, and dL/dw adds the shares of all "
            "four copies",
            "c": "no: the copies are equal, so dL/dw = 4·dL/dw⁽⁴⁾",
            "d": "no: dL/dw is the product of the four shares",
        },
        why={
            "a": "w is used at every step: a_t = u·x_t + w·o_(t−1) for t = 1..4, so moving w moves "
            "o_1, o_2, o_3 as well",
            "c": "the copies have equal values, not equal shares: each share has its own factors "
            "(o_(t−1), tanh′ at step t, ...)",
            "d": "moving w moves every copy a little, and small effects add: the total derivative "
            "is the sum of the partial ones",
        },
        explain="The copies' shares add up to dL/dw (lesson 04).",
    ),
    Question(
        "03.sigmoid_max",
        "For the sigmoid unit of exercise 2, the slope σ′(a) is largest at a = 0. How far from 0 "
        "has a to move for the slope to fall to half of that largest value: which a > 0 gives "
        "σ′(a) = ½·σ′(0)? Give a to three decimals.",
        _A_HALF,
        why={
            math.log(1.0 + math.sqrt(2.0)): "that is where tanh′ = 1 − o² halves; the sigmoid's "
            "slope is σ′(a) = o(1 − o) with o = σ(a)",
            math.atanh(math.sqrt(7.0 / 8.0)): "that solves 1 − tanh(a)² = ⅛, tanh′; the sigmoid's "
            "slope is σ′(a) = o(1 − o) with o = σ(a)",
            _logit(math.sqrt(7.0 / 8.0)): "that solves 1 − o² = ⅛ (tanh′'s form); the sigmoid's "
            "slope is o(1 − o)",
            _logit(7.0 / 8.0): "that solves 1 − o = ⅛; the sigmoid's slope is o(1 − o), with the "
            "factor o",
            _logit((1.0 + math.sqrt(1.0 - 1.0 / 8.0)) / 2.0): "that root of o² − o + ⅛ = 0 "
            "misses the 4 of the discriminant: b² − 4ac = 1 − 4·⅛ = ½",
            _O_HALF: "that is o = σ(a) where the slope halves; give a itself, a = ln(o/(1 − o))",
            1.0 - _O_HALF: "that is the root o = σ(a) below ½, at a < 0; take the root above ½ "
            "and give a = ln(o/(1 − o))",
            -_A_HALF: "that is the a < 0 (σ′ is symmetric: σ′(−a) = σ′(a)); the question asks "
            "for a > 0",
            math.log10(_O_HALF / (1.0 - _O_HALF)): "that is log10(o/(1 − o)); σ⁻¹(o) = "
            "ln(o/(1 − o)), the natural log",
            math.log(_O_HALF): "that is ln(o); undoing o = 1/(1 + e^(−a)) gives a = ln(o/(1 − o))",
            _O_HALF / (1.0 - _O_HALF): "that is o/(1 − o) = e^a; a is its logarithm, "
            "a = ln(o/(1 − o))",
            0.0: "at a = 0 the slope is largest, ¼; the question asks where it is half that",
            0.25: "that is σ′(0) = ¼, the largest slope; the question asks for the a where σ′ "
            "is half of it",
            0.125: "that is the slope wanted, ⅛; the question asks for the a > 0 where σ′(a) = ⅛",
            _logit(1.0 / 8.0): "that is where σ(a) itself is ⅛; the slope σ′(a) = o(1 − o) is "
            "what must be ⅛, for an a > 0",
        },
        rtol=0.0,
        # the nearest named miss (tanh′ = ⅛) is 0.062 away: 62 tolerances
        atol=1e-3,
        explain="σ′ = o(1 − o) is ¼ at o = ½ and ⅛ at o = (1 + 1/√2)/2 ≈ 0.854, so "
        "a = ln(o/(1 − o)) = 2 ln(1 + √2) ≈ 1.763: the slope is at most ¼ and soon much less "
        "(a step factor σ′·w can still exceed 1 when |w| > 4).",
    ),
)


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
    """A w slider showing dL/dŷ·v, 1 − o_T², o_(T−1) and their product
    dL/dw⁽ᵀ⁾.

    Parameters
    ----------
    xs, y, u, w, v : the problem; ``None`` takes the course's worked
        example :data:`rnnlib.scalar.EXAMPLE` (T = 4)
    w_range : (float, float), the slider's range for w

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds the four
    numbers of :func:`rnnlib.scalar.last_step_factors` plus ``w``,
    ``y_hat`` and ``o_T``.
    """
    from matplotlib.ticker import MaxNLocator

    from .sliders import Explorer, Slider, freeze_static, new_figure, signed, slider_range

    given = {"xs": xs, "y": y, "u": u, "w": w, "v": v}
    xs, y, u, w, v = (EXAMPLE[k] if val is None else val for k, val in given.items())
    lo, hi = slider_range("w_range", w_range)
    w = as_scalar("w", w)
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
        rf"$1 - o_{{{T}}}^2$",  # (braces: o_{10}, not o_1 followed by 0)
        rf"$o_{{{T - 1}}}$",
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
    # a line style each as well as a colour: green and orange look alike to many readers
    styles = ("-", "--", ":", "-")
    for k, c, ls, lab in zip(keys, colors, styles, labels, strict=True):
        ax_w.plot(grid, curves[k], color=c, ls=ls, lw=2.4 if k == "dL_dw_T" else 1.5, label=lab)
        dots.append(ax_w.plot([], [], "o", color=c, ms=6)[0])
    vline = ax_w.axvline(w, color="0.4", ls="--", lw=1)
    ax_w.axhline(0.0, color="black", lw=0.8)
    ax_w.set_xlim(lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))  # points at the ends drawn whole
    ax_w.set_xlabel("recurrent weight $w$ (all copies)")
    ax_w.set_title(
        rf"$\partial L/\partial w^{{({T})}} = (\partial L/\partial \hat y\cdot v)"
        rf"\,(1 - o_{{{T}}}^2)\,o_{{{T - 1}}}$ as $w$ moves",
        fontsize=10,
    )
    legend = ax_w.legend(fontsize=9, loc="lower right", ncol=4, handlelength=1.8, columnspacing=0.8)

    def update(w):
        f = last_step_factors(xs, y, u, w, v)
        for i, k in enumerate(keys):
            h = f[k]
            bars[i].set_height(h)
            texts[i].set_position((i, h + (0.04 if h >= 0 else -0.04) * top))
            texts[i].set_va("bottom" if h >= 0 else "top")
            texts[i].set_text(signed(h, 3))
            dots[i].set_data([w], [h])
        vline.set_xdata([w, w])
        return {"w": float(w), **f}

    def readout(s):
        # The factors to five significant digits and the product to three, so that the factors
        # as printed multiply to the product as printed (as in the lesson's table). With three
        # decimals for the factors they did not at most positions of the slider: at w = 2,
        # 1.443 × 0.050 × 0.970 = 0.0700 beside a product of 0.0697.
        return (
            f"w = {s['w']:+.3f}: ŷ = {s['y_hat']:+.3f}, o_{T} = {s['o_T']:+.3f} &nbsp;→&nbsp; "
            f"dL/dw<sup>({T})</sup> = {s['dL_do_T']:+.5g} × {s['tanh_prime']:.5g} × "
            f"{s['o_prev']:+.5g} = <b>{s['dL_dw_T']:+.3g}</b>"
        )

    # Only the bars, their numbers, the dots and the w-line move. The zero line, the right panel's
    # frame and its legend are redrawn over them (the bars start at 0, the w-line reaches the frame
    # and crosses the legend) so that they stay on top, as in a full draw.
    frame = list(ax_w.spines.values())
    freeze_static(fig, [*bars, zero, *texts, vline, *dots, *frame, legend])
    sliders = {"w": Slider(lo, hi, 0.05, float(w), label="recurrent weight w")}
    return Explorer(fig, update, sliders, readout)


FIGURES = (last_step_explorer,)
