"""Lesson 02: the last-layer weight
(notebooks/02_last_layer_weight.ipynb).

Checkers of exercise 02, each with its cases and its catalogue of
known mistakes:

- ``check_output_weight_grad``:
  ``output_weight_grad(dL_dyhat, o_T)`` → dL/dv = dL/dŷ · o_T,
  elementwise for arrays;
- ``check_sgd_step``:
  ``sgd_step(param, grad, lr)`` → param − η·grad, a new value
  (inputs unchanged).

``QUESTIONS``: the graded questions of exercise 02.

References come from :mod:`rnnlib.scalar` (on the seed's RNNs of
lesson 00) and :mod:`rnnlib.optim`; each mistake computes one wrong
formula.
"""

from __future__ import annotations

import numpy as np

from .. import optim, scalar
from .._validate import NumericOverflow, as_count, as_positive, as_scalar
from ..optim import sgd_step
from ..scalar import EXAMPLE
from .checking import ELEMENTWISE, Case, Checker, Mistake, Question, table_cases
from .checking import as_number as f
from .lesson00 import seed_model_batch, seed_model_runs

__all__ = [
    "CHECKERS",
    "QUESTIONS",
    "check_output_weight_grad",
    "check_sgd_step",
    "FIGURES",
    "output_weight_explorer",
    "output_weight_steps",
]


def output_weight_grad_cases():
    cases = [
        Case(label, {"dL_dyhat": g.dL_dyhat, "o_T": float(fwd.o[-1])}, g.dv)
        for label, _, _, fwd, g in seed_model_runs()
    ]
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
            "dv_doubled",
            lambda dL_dyhat, o_T: 2.0 * f(dL_dyhat) * o_T,
            f"extra factor 2: the 2 of the square is already used up in dL/dŷ = ŷ − y; {_DV}",
        ),
        Mistake(
            "dv_divided_by_o_T",
            lambda dL_dyhat, o_T: f(dL_dyhat) / f(o_T),
            f"you divided by o_T: ŷ = v·o_T grows by o_T per unit of v, so dŷ/dv = o_T; {_DV}",
        ),
        Mistake(
            "dv_o_T_squared",
            lambda dL_dyhat, o_T: f(dL_dyhat) * f(o_T) ** 2,
            f"o_T² where o_T belongs: ŷ = v·o_T is linear in v, dŷ/dv = o_T; {_DV}",
        ),
        Mistake(
            "dv_tanh_prime_for_o_T",
            lambda dL_dyhat, o_T: f(dL_dyhat) * (1.0 - f(o_T) ** 2),
            f"(1 − o_T²) where o_T belongs: that is tanh′, the slope of o_T in a_T; v multiplies "
            f"o_T after the tanh, so dŷ/dv = o_T; {_DV}",
        ),
        Mistake(
            "dv_halved",
            lambda dL_dyhat, o_T: 0.5 * f(dL_dyhat) * o_T,
            f"extra factor ½: the ½ of L is already used up in dL/dŷ = ŷ − y; {_DV}",
        ),
        Mistake(
            "dv_summed",
            lambda dL_dyhat, o_T: float(np.sum(f(dL_dyhat) * o_T)),
            "you summed into one number" + ELEMENTWISE,
        ),
        Mistake(
            "dv_abs_o_T",
            lambda dL_dyhat, o_T: f(dL_dyhat) * np.abs(o_T),
            "|o_T| where o_T belongs: its sign matters (ŷ = v·o_T falls as v grows if o_T < 0); "
            + _DV,
        ),
        Mistake(
            "dv_tanh_of_o_T",
            lambda dL_dyhat, o_T: f(dL_dyhat) * np.tanh(o_T),
            f"you applied tanh to o_T again: o_T is already tanh(a_T), and ŷ = v·o_T; {_DV}",
        ),
    ),
)


def sgd_step_cases():
    rng = np.random.default_rng(202)
    raw = [
        # No η here is half a rate a learner may fix inside the function in place of lr (0.01,
        # 0.05, 0.1, 0.2, 0.3, 0.5): `param - 0.1 * grad` was told "your step is twice too long"
        # on a case with η = 0.05, and 0.2 on one with η = 0.1.
        ("scalars, positive gradient", 0.8, 0.35, 0.12),
        ("scalars, negative gradient", -1.2, -2.5, 0.04),
        ("scalars, a large step (η = 0.5)", 2.0, 3.0, 0.5),
        ("arrays of shape (4,)", rng.normal(size=4), rng.normal(size=4), 0.3),
        (
            "2-d arrays of shape (2, 3), a small η",
            rng.normal(size=(2, 3)),
            rng.normal(size=(2, 3)),
            0.01,
        ),
    ]
    return table_cases("param, grad, lr", raw, optim.sgd_step)


_STEP = "param − η·grad"

check_sgd_step = Checker(
    "check_sgd_step",
    "sgd_step(param, grad, lr)",
    sgd_step_cases,
    forbidden=("optim.sgd_step",),
    forbidden_says="it is the step this exercise asks you to write",
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
            "sgd_lr_times_difference",
            lambda param, grad, lr: lr * (f(param) - f(grad)),
            f"you returned η·(param − grad): η scales the gradient alone; {_STEP}",
        ),
        Mistake(
            "sgd_doubled_step",
            lambda param, grad, lr: f(param) - 2.0 * lr * f(grad),
            "your step is twice too long, param − 2η·grad: grad is already the whole slope (a "
            f"square's 2 is in it); multiply it by η once: {_STEP}",
        ),
        Mistake(
            "sgd_unchanged",
            lambda param, grad, lr: f(param) + 0.0 * f(grad),
            f"you returned param unchanged; the new value is {_STEP}",
        ),
        Mistake(
            "sgd_abs_grad",
            lambda param, grad, lr: f(param) - lr * np.abs(grad),
            f"you stepped by η·|grad|: the gradient's sign says which way to go; {_STEP}",
        ),
        Mistake(
            "sgd_sign_grad",
            lambda param, grad, lr: f(param) - lr * np.sign(grad),
            f"you stepped by η·sign(grad): the step's length is η times the gradient's; {_STEP}",
        ),
        Mistake(
            "sgd_mean_grad",
            lambda param, grad, lr: f(param) - lr * float(np.mean(grad)),
            f"you averaged the gradient: each entry of param steps by its own gradient; {_STEP}",
        ),
        Mistake(
            "sgd_param_grad_swapped",
            lambda param, grad, lr: f(grad) - lr * f(param),
            f"you returned grad − η·param: param and grad are swapped; {_STEP}",
        ),
    ),
)

# -- exercise 3 (optional): one step to the minimum of a sum --------------------------------------


def one_step_lr_cases():
    """Random batches of N = 1, 3, 5, 8 last states; the rate is 1/Σ o_n²,
    one over the curvature of L(v) = ½ Σ_n (v·o_n − y_n)² (the targets
    do not enter it)."""
    rng = np.random.default_rng(2)
    cases = []
    for N in (1, 3, 5, 8):
        o_T = np.tanh(rng.normal(size=N) * 1.5)
        label = f"N = {N} sequence" + ("s" if N > 1 else "")
        cases.append(Case(label, {"o_T": o_T}, 1.0 / float(np.sum(o_T**2))))
    return cases


_ONE_SEQUENCE = (
    "1/o_n², one sequence's rate: each sequence adds its o_n² to the curvature of the sum; the "
    "rate is 1/Σ o_n²"
)

check_one_step_lr = Checker(
    "check_one_step_lr",
    "one_step_lr(o_T)",
    one_step_lr_cases,
    doc="the learning rate with which one gradient step on v lands on the minimum of "
    "L(v) = ½ Σ_n (v·o_n − y_n)², from any v and for any targets: one over the curvature. "
    "Cases: N = 1, 3, 5, 8 random last states.",
    mistakes=(
        Mistake(
            "lr_mean",
            lambda o_T: 1.0 / float(np.mean(o_T**2)),
            "1/mean(o²): the summed loss's curvature is Σ o², not the mean",
        ),
        Mistake(
            "lr_edge",
            lambda o_T: 2.0 / float(np.sum(o_T**2)),
            "2/Σ o²: that is the edge of divergence (the mirror point), not the minimum; or you "
            "took ½Σ o², the factor of v² in L, for the curvature d²L/dv² = Σ o²",
        ),
        Mistake(
            "lr_square_of_sum",
            lambda o_T: 1.0 / float(np.sum(o_T)) ** 2,
            "1/(Σ o)²: square each o_n, then sum",
        ),
        Mistake(
            "lr_sign",
            lambda o_T: -1.0 / float(np.sum(o_T**2)),
            "negative: a rate is > 0; the step's sign is in v − η·dL/dv already",
        ),
        Mistake(
            "lr_half",
            lambda o_T: 0.5 / float(np.sum(o_T**2)),
            "½/Σ o²: the ½ of the loss cancels against the 2 of the square's derivative; the "
            "curvature is Σ o²",
        ),
        Mistake(
            "lr_curvature",
            lambda o_T: float(np.sum(o_T**2)),
            "Σ o²: that is the curvature itself; the rate that lands on the minimum is one over it",
        ),
        Mistake(
            "lr_norm",
            lambda o_T: 1.0 / float(np.sqrt(np.sum(o_T**2))),
            "1/‖o‖ = 1/√(Σ o²): the curvature is Σ o², with no square root (np.linalg.norm "
            "takes one)",
        ),
        Mistake(
            "lr_sum_abs",
            lambda o_T: 1.0 / float(np.sum(np.abs(o_T))),
            "1/Σ|o_n|: square each o_n; the curvature is Σ o_n²",
        ),
        Mistake(
            "lr_over_N",
            lambda o_T: 1.0 / (len(o_T) * float(np.sum(o_T**2))),
            "1/(N·Σ o²): an extra 1/N; the loss is a sum, not a mean, and its curvature is Σ o²",
        ),
        Mistake(
            "lr_sum_of_rates",
            lambda o_T: float(np.sum(1.0 / o_T**2)),
            "Σ 1/o_n²: each sequence's rate, added; the summed loss has one curvature, Σ o², "
            "and the rate is one over it",
        ),
        Mistake(
            "lr_mean_of_rates",
            lambda o_T: float(np.mean(1.0 / o_T**2)),
            "the mean of 1/o_n²: one sequence's rate each; the sum has one curvature, Σ o²",
        ),
        Mistake(
            "lr_sum",
            lambda o_T: 1.0 / float(np.sum(o_T)),
            "1/Σ o_n: square each o_n; the curvature of the summed loss is Σ o_n²",
        ),
        Mistake(
            "lr_last_only",
            lambda o_T: 1.0 / float(o_T[-1]) ** 2,
            _ONE_SEQUENCE,
        ),
        Mistake(
            "lr_first_only",
            lambda o_T: 1.0 / float(o_T[0]) ** 2,
            _ONE_SEQUENCE,
        ),
        Mistake(
            "lr_largest_only",
            lambda o_T: 1.0 / float(np.max(o_T**2)),
            _ONE_SEQUENCE,
        ),
        Mistake(
            "lr_smallest_only",
            lambda o_T: 1.0 / float(np.min(o_T**2)),
            _ONE_SEQUENCE,
        ),
        Mistake(
            "lr_tanh_prime",
            lambda o_T: 1.0 / float(np.sum(1.0 - f(o_T) ** 2)),
            "1/Σ(1 − o_n²): that is tanh′; v multiplies o_T after the tanh, so the curvature "
            "is Σ o_n²",
        ),
        Mistake(
            "lr_per_sequence",
            lambda o_T: 1.0 / f(o_T) ** 2,
            "one rate per sequence, 1/o_n²: v is shared, so one step takes one rate, 1/Σ o_n²",
        ),
    ),
)


CHECKERS = (check_output_weight_grad, check_sgd_step, check_one_step_lr)

# -- graded questions of exercise 02 ------------------------------------------------------------
_O = -0.8  # o_T of the first question: a negative state, so |o_T| and o_T² differ from o_T
# the lesson's own o_4 (worked example), whose 2/o_4² a learner may copy from the lesson
_O4 = float(scalar.forward(EXAMPLE["xs"], EXAMPLE["u"], EXAMPLE["w"], EXAMPLE["v"]).o[-1])

QUESTIONS = (
    Question(
        "02.lr_edge",
        f"With u, w and the inputs fixed, o_T = {_O}. Above which learning rate η do repeated "
        "gradient steps on v alone diverge? (Four significant digits are enough.)",
        2.0 / _O**2,
        why={
            1.0 / _O**2: "that is 1/o_T², the rate that lands on the minimum in one step; "
            "divergence starts at twice it",
            2.0 / abs(_O): "that is 2/|o_T|; the curvature of L(v) is o_T², not |o_T|",
            2.0 * _O**2: "that is 2·o_T²; the bound is 2 divided by the curvature o_T²",
            2.0 / _O: "a learning rate is positive; the bound is 2/o_T²",
            2.0 / -(_O**2): "a learning rate is positive: in Python `-0.8**2` is −(0.8²) = −0.64, "
            "since ** binds tighter than the minus sign; write `(-0.8)**2`",
            2.0 / _O4**2: f"that is 2/o_4² for the lesson's o_4 = {_O4:.4f}; here o_T = {_O}",
            1.0 / _O4**2: f"that is 1/o_4² for the lesson's o_4 = {_O4:.4f}, the rate that lands "
            f"on the minimum there; here o_T = {_O}, and divergence starts at 2/o_T²",
            _O**2: "that is o_T², the curvature of L(v); the bound is 2 divided by it",
            1.0 / abs(_O): "that is 1/|o_T|; the bound is 2/o_T², 2 over the curvature o_T²",
            2.0 / (1.0 - _O**2): "that takes tanh′ = 1 − o_T² as the curvature; v multiplies o_T "
            "after the tanh, and the curvature of L(v) is o_T²",
            4.0 / _O**2: "that takes ½o_T² as the curvature; d²L/dv² of ½(v·o_T − y)² is o_T² (the "
            "½ cancels the square's 2)",
            2.0: "that is 2 over a curvature of 1; here the curvature of L(v) is o_T², so 2/o_T²",
        },
        explain="Each step multiplies v − v* by 1 − η·o_T²; |1 − η·0.64| > 1 once η > 3.125.",
    ),
    Question(
        "02.direction",
        "o_T = −0.5, ŷ = 0.2 and y = 0.7: the prediction is too low. Which way does one gradient "
        "step move v?",
        "b",
        choices={
            "a": "up, so that ŷ grows",
            "b": "down",
            "c": "it stays: o_T < 0 and ŷ < y cancel",
            "d": "it depends on how large η is",
        },
        why={
            "a": "ŷ = v·o_T with o_T < 0: a larger v makes ŷ smaller, farther from y; "
            "dL/dv = (ŷ − y)·o_T = (−0.5)(−0.5) = +0.25 > 0, and the step goes against it",
            "c": "dL/dv = (ŷ − y)·o_T = +0.25 is not zero: the two negative signs multiply",
            "d": "η > 0 sets the step's length, not its direction: the step is −η·dL/dv",
        },
        explain="dL/dv = (ŷ − y)·o_T = +0.25 > 0, so v goes down; with o_T < 0 that raises ŷ.",
    ),
)


# =================================================================================================
# The slider figure of lesson 02, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 02's explorer: one gradient-descent step on the output weight v, driven by v and η.
#
# With the forward pass fixed (v does not enter the recurrence), ŷ = v·o_T is linear in v and the
# loss L(v) = ½(v·o_T − y)² is a parabola with its minimum at v* = y/o_T and curvature o_T². One
# step v ← v − η·dL/dv, with dL/dv = (ŷ − y)·o_T, moves the distance to the minimum by the factor
# 1 − η·o_T²:
#
# - 0 < η < 1/o_T²: the step stops short of v*, the loss goes down;
# - η = 1/o_T²: it lands on v* (L = 0);
# - 1/o_T² < η < 2/o_T²: it jumps over v* (overshoot) but the loss still goes down;
# - η = 2/o_T²: it jumps to the mirror point, the loss stays the same;
# - η > 2/o_T²: it lands farther away than it started, the loss goes up, and repeated steps diverge.
#
# The figure (built once) shows the parabola with the current v, the step and a few more steps
# (left), the loss over those steps (right), and where η sits among 1/o_T² and 2/o_T² (bottom).

_FLOOR = 1e-8  # losses are drawn on a log axis; smaller ones sit on this floor


def output_weight_steps(xs, y, u, w, v, lr, steps=10):
    """Repeated gradient-descent steps on v alone, the forward pass
    otherwise fixed.

    Parameters
    ----------
    xs : array_like (T,), the inputs; y : float, the target;
        u, w, v : float, the weights
    lr : float > 0, the learning rate η
    steps : int >= 1, number of steps K

    Returns
    -------
    dict with ``v`` (K + 1,) = v_0 = v, v_1, …, v_K with
    v_(k+1) = v_k − η·dL/dv(v_k); ``y_hat`` (K + 1,) = ŷ at each v_k;
    ``loss`` (K + 1,) = L(v_k); ``dL_dv`` (K + 1,) = dL/dv at each v_k
    (from :func:`rnnlib.scalar.backward`); ``o_T`` (float).
    """
    steps = as_count("steps", steps)
    lr = as_positive("lr", lr, "learning rate")
    vs, y_hats, losses, grads = (np.empty(steps + 1) for _ in range(4))
    vk = as_scalar("v", v)
    for k in range(steps + 1):
        fwd = scalar.forward(xs, u, w, vk)
        try:
            g = scalar.backward(fwd, y)
            L = scalar.loss(fwd.y_hat, y)
        except NumericOverflow:  # v_k itself grew too large: say why, in terms of η and k
            r = 1.0 - lr * float(fwd.o[-1]) ** 2
            raise NumericOverflow(
                f"v_k: the steps diverge past float64 (|v_{k}| = {abs(vk):.2g}): each step "
                f"multiplies v − v* by 1 − η·o_T² = {r:+.3g}, of size above 1 for η = {lr:g}; "
                f"take fewer steps than {steps} or an η below 2/o_T²"
            ) from None
        vs[k], y_hats[k], losses[k], grads[k] = vk, fwd.y_hat, L, g.dv
        if k < steps:
            vk = sgd_step(vk, g.dv, lr)  # v ← v − η·dL/dv
    return {"v": vs, "y_hat": y_hats, "loss": losses, "dL_dv": grads, "o_T": float(fwd.o[-1])}


def _segment_in_box(x, y, slope, half_width, box):
    """The tangent through (x, y) with ``slope``, over x ± ``half_width``,
    cut to ``box`` = (x0, x1, y0, y1): its two end points as
    ([xa, xb], [ya, yb]) (empty if it misses the box)."""
    x0, x1, y0, y1 = box
    lo, hi = max(-half_width, x0 - x), min(half_width, x1 - x)
    if slope != 0:
        a, b = sorted(((y0 - y) / slope, (y1 - y) / slope))
        lo, hi = max(lo, a), min(hi, b)
    if lo > hi:
        return [], []
    t = np.array([lo, hi])
    return x + t, y + slope * t


def _regime(lr, lr_best, lr_max, rtol=1e-9):
    if abs(lr - lr_best) <= rtol * lr_best:
        return "lands on the minimum"
    if lr < lr_best:
        return "stops short of the minimum: converges"
    if abs(lr - lr_max) <= rtol * lr_max:
        return "jumps to the mirror point: oscillates"
    if lr < lr_max:
        return "overshoots the minimum, still converges"
    return "overshoots farther than it started: diverges"


def output_weight_explorer(
    xs=EXAMPLE["xs"],
    y=EXAMPLE["y"],
    u=EXAMPLE["u"],
    w=EXAMPLE["w"],
    v=EXAMPLE["v"],
    lr=0.5,
    steps=10,
    v_range=(-1.0, 2.5),
    lr_range=None,
):
    """Sliders v and η over one (and a few repeated) gradient steps on the
    output weight.

    Parameters
    ----------
    xs, y, u, w : the fixed problem (default: the course's worked
        example, T = 4)
    v, lr : float, the starting output weight and learning rate η
    steps : int, how many repeated steps the figure shows after the
        first
    v_range : (float, float), the v slider's range (also the parabola's)
    lr_range : (float, float) or None; None: from 0.05 to a bit above
        2/o_T²

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer`; its state holds ``v``,
    ``lr``, ``o_T``, ``y_hat``, ``dL_dyhat`` = ŷ − y, ``loss``,
    ``dL_dv``, ``v_new``, ``loss_new`` (after one step),
    ``v_star`` = y/o_T, ``lr_best`` = 1/o_T², ``lr_max`` = 2/o_T²,
    ``factor`` = 1 − η·o_T², ``regime`` (words) and ``v_steps``,
    ``loss_steps`` (the repeated steps of :func:`output_weight_steps`).
    """
    from matplotlib.patches import FancyArrowPatch

    from .sliders import Explorer, Slider, freeze_static, new_figure, slider_range

    fwd0 = scalar.forward(xs, u, w, v)
    y = as_scalar("y", y)
    o_T = float(fwd0.o[-1])
    if abs(o_T) < 1e-3:
        raise ValueError(
            f"xs, u, w: expected a forward pass with o_T away from 0 (v scales o_T), got "
            f"o_T = {o_T:.2e}"
        )
    lo, hi = slider_range("v_range", v_range)
    lr_lo, lr_hi = (
        (0.05, float(np.ceil(2.4 / o_T**2 * 2) / 2))
        if lr_range is None
        else slider_range("lr_range", lr_range, low_above_zero=True)
    )
    lr = as_scalar("lr", lr)
    # Derived in the lesson: the curvature of L(v) is o_T², the minimum is at v* = y/o_T.
    lr_best, lr_max, v_star = 1.0 / o_T**2, 2.0 / o_T**2, y / o_T

    # The parabola L(v) over the left chart's v-range, for each range the chart takes (see
    # left_limits): v only scales o_T (ŷ = v·o_T), so the forward pass is not rerun.
    def loss_curve(v_lo, v_hi):
        grid = np.linspace(v_lo, v_hi, 161)
        return grid, scalar.loss(grid * o_T, y)

    top = 1.25 * loss_curve(lo, hi)[1].max()  # the left chart's top when the steps stay inside

    # The left chart grows to hold every step (a diverging η throws v far away): its v-range
    # doubles about its centre until the steps fit, and its top grows by factors of 4 until the
    # curve over the range fits (the steps, inside the range, stay under the curve's highest
    # end: L is convex in v). Few sizes, fixed by the number of doublings.
    def doublings(vs):
        """How many times the v-range doubles to hold the steps ``vs`` (0: it
        holds them)."""
        if lo <= vs.min() and vs.max() <= hi:
            return 0
        need = 1.05 * np.abs(vs - (lo + hi) / 2).max()
        return max(0, int(np.ceil(np.log2(need / ((hi - lo) / 2)))))

    def left_limits(n):
        """The left chart's ((v0, v1), (L0, L1)) after its v-range has doubled
        n times."""
        if n == 0:  # a margin, so that a point at the slider's end is drawn whole
            x0, x1 = lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo)
        else:
            mid, half = (lo + hi) / 2, (hi - lo) / 2 * 2.0**n
            x0, x1 = mid - half, mid + half
        y1, need = top, loss_curve(x0, x1)[1].max()
        if need > y1:
            y1 *= 4.0 ** int(np.ceil(np.log(need / y1) / np.log(4.0)))
        return (x0, x1), (-0.04 * y1, y1)

    fig = new_figure(figsize=(9.0, 4.9))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 0.2], width_ratios=[1.35, 1.0])
    ax_p = fig.add_subplot(gs[0, 0])
    ax_k = fig.add_subplot(gs[0, 1])
    ax_e = fig.add_subplot(gs[1, :])

    # -- left: the parabola, the step, the next steps ----------------------------------------
    (curve_line,) = ax_p.plot(
        *loss_curve(*left_limits(0)[0]),
        color="#34495e",
        lw=1.8,
        label=r"$L(v) = \frac{1}{2}(v\,o_T - y)^2$",
    )
    ax_p.axvline(v_star, color="#27ae60", ls=":", lw=1.4, label=rf"$v^* = y/o_T$ = {v_star:.3f}")
    # the grey path's legend names the steps after the first ("steps 2 to 1" had none to name)
    later = {1: "_nolegend_", 2: "step 2"}.get(steps, f"steps 2 to {steps}")
    (path,) = ax_p.plot([], [], "-o", color="#95a5a6", ms=3.5, lw=0.9, alpha=0.8, label=later)
    (tangent,) = ax_p.plot([], [], "--", color="#2e86c1", lw=1.2, label=r"slope $dL/dv$")
    (before,) = ax_p.plot([], [], "o", color="#2e86c1", ms=9, label="before the step")
    (after,) = ax_p.plot([], [], "o", color="#c0392b", ms=9, label="after one step")
    arrow = FancyArrowPatch(
        (0, 0),
        (0, 0),
        arrowstyle="-|>",
        mutation_scale=16,
        lw=1.8,
        color="#c0392b",
        shrinkA=5,
        shrinkB=5,
        zorder=4,
    )
    ax_p.add_patch(arrow)
    ax_p.set_xlim(*left_limits(0)[0])
    ax_p.set_ylim(-0.04 * top, top)
    # the curve is the static artist that changes with the v-range: it follows the limits
    ax_p.callbacks.connect(
        "xlim_changed", lambda ax: curve_line.set_data(*loss_curve(*ax.get_xlim()))
    )
    ax_p.set_xlabel("output weight $v$")
    ax_p.set_ylabel("loss $L$")
    # The layout is made once, at the start (L below 1: tick labels "0.8"); a diverging η widens
    # them to "14000", which pushed the label off the figure. Fixed, it keeps room for 5 digits.
    ax_p.yaxis.set_label_coords(-0.14, 0.5)
    ax_p.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=3,
        fontsize=8.5,
        frameon=False,
        columnspacing=1.0,
        handlelength=1.6,
    )
    # a little in from the left edge: at 0.02 the parabola entering the chart's top left corner
    # ran through the text, and the point at the slider's end v = −1 touched it
    step_text = ax_p.text(
        0.08, 0.97, "", transform=ax_p.transAxes, va="top", fontsize=9, family="monospace"
    )

    # -- right: the loss over the repeated steps ---------------------------------------------
    ks = np.arange(steps + 1)
    (loss_line,) = ax_k.semilogy(ks, np.ones(steps + 1), "-o", color="#c0392b", ms=4, lw=1.4)
    ax_k.set_xlim(-0.4, steps + 0.4)
    # The largest runs the sliders allow (at the largest η, from either end of the v range): their
    # largest loss sets the top of the log axis (the curve never leaves the chart), their steps
    # the number of sizes of the left chart.
    widest = [output_weight_steps(xs, y, u, w, v0, lr_hi, steps) for v0 in (lo, hi)]
    worst = max(run["loss"].max() for run in widest)
    ax_k.set_ylim(_FLOOR / 3, max(1e4, 10.0 ** np.ceil(np.log10(3.0 * worst))))
    ax_k.set_xticks(ks[:: max(1, steps // 5)])
    ax_k.set_xlabel("step $k$")
    ax_k.set_ylabel(r"loss $L(v_k)$ (log scale)")
    ax_k.set_title(rf"repeated steps; floor at $10^{{{int(np.log10(_FLOOR))}}}$", fontsize=9.5)

    # -- bottom: where η sits -----------------------------------------------------------------
    ax_e.axvspan(0, lr_best, color="#d5f5e3")
    ax_e.axvspan(lr_best, lr_max, color="#fdebd0")
    # a little room right of the slider's end, so the η marker is not cut in half there
    e_right = 1.02 * lr_hi
    ax_e.axvspan(lr_max, e_right, color="#fadbd8")
    # A range of η that stops below 1/o_T² or 2/o_T² (lr_range) shows only the regimes it
    # reaches: a mark or a name placed beyond the strip's right end sat outside the figure and
    # collapsed its layout ("overshoots, converges" and "diverges" printed over each other).
    for x, lab in ((lr_best, r"$1/o_T^2$"), (lr_max, r"$2/o_T^2$")):
        if x >= e_right:
            continue
        ax_e.axvline(x, color="black", lw=1)
        ax_e.text(
            x,
            1.05,
            f"{lab} = {x:.3f}",
            ha="center",
            va="bottom",
            fontsize=9,
            transform=ax_e.get_xaxis_transform(),
        )
    for x0, x1, lab in (
        (0, lr_best, "converges"),
        (lr_best, lr_max, "overshoots, converges"),
        (lr_max, lr_hi, "diverges"),
    ):
        if x0 >= lr_hi:
            continue
        ax_e.text(
            (x0 + min(x1, lr_hi)) / 2,
            0.25,
            lab,
            ha="center",
            va="center",
            fontsize=8.5,
            color="#555555",
            transform=ax_e.get_xaxis_transform(),
        )
    (lr_mark,) = ax_e.plot(
        [], [], "v", color="#c0392b", ms=11, transform=ax_e.get_xaxis_transform()
    )
    ax_e.set_xlim(0, e_right)
    ax_e.set_ylim(0, 1)
    ax_e.set_yticks([])
    ax_e.set_xlabel(r"learning rate $\eta$")

    def update(v, lr):
        run = output_weight_steps(xs, y, u, w, v, lr, steps)
        vs, ls = run["v"], run["loss"]
        dL_dv = run["dL_dv"][0]
        (x0, x1), (y0, y1) = left_limits(doublings(vs))
        if (ax_p.get_xlim(), ax_p.get_ylim()) != ((x0, x1), (y0, y1)):
            ax_p.set_xlim(x0, x1)  # the curve follows (see the callback above)
            ax_p.set_ylim(y0, y1)
        tangent.set_data(*_segment_in_box(v, ls[0], dL_dv, 0.6, (x0, x1, y0, y1)))
        before.set_data([vs[0]], [ls[0]])
        after.set_data([vs[1]], [ls[1]])
        arrow.set_positions((vs[0], ls[0]), (vs[1], ls[1]))
        path.set_data(vs[1:], ls[1:])
        loss_line.set_ydata(np.maximum(ls, _FLOOR))
        lr_mark.set_data([lr], [0.72])
        regime = _regime(lr, lr_best, lr_max)
        step_text.set_text(
            f"dL/dv = {dL_dv:+.3f}\nv: {vs[0]:+.3f} → {vs[1]:+.3f}\nL: {ls[0]:.4f} → {ls[1]:.4f}"
        )
        return {
            "v": float(v),
            "lr": float(lr),
            "o_T": o_T,
            "y_hat": float(run["y_hat"][0]),
            "dL_dyhat": float(scalar.loss_grad(run["y_hat"][0], y)),
            "loss": float(ls[0]),
            "dL_dv": float(dL_dv),
            "v_new": float(vs[1]),
            "loss_new": float(ls[1]),
            "v_star": v_star,
            "lr_best": lr_best,
            "lr_max": lr_max,
            "factor": 1.0 - lr * o_T**2,
            "regime": regime,
            "v_steps": vs,
            "loss_steps": ls,
        }

    def readout(s):
        # The printed numbers must compute what they print: the two factors to five significant
        # digits multiply to the product to three (with three decimals each, (+0.533)·(+0.689)
        # = 0.3672 stood beside 0.3670), and dL/dv to six digits in the update leaves v_new
        # right to the last place but at a rounding tie.
        return (
            f"dL/dv = (ŷ − y)·o_T = ({s['dL_dyhat']:+.5g})·({o_T:+.5g}) = "
            f"{s['dL_dv']:+.3g}; &nbsp; v ← v − η·dL/dv = {s['v']:+.3f} − {s['lr']:.2f}·"
            f"({s['dL_dv']:+.6g}) = {s['v_new']:+.4f}<br>"
            f"L: {s['loss']:.4f} → {s['loss_new']:.4f} &nbsp; (factor 1 − η·o_T² = "
            f"{s['factor']:+.3f} on the distance to v*): <b>{s['regime']}</b>"
        )

    # The left chart's limits follow the steps (see left_limits): freeze_static keeps one static
    # picture for each size, all made when the figure is first drawn, so that every slider move
    # draws only the moving artists.
    sizes = range(max(doublings(run["v"]) for run in widest) + 1)
    freeze_static(
        fig,
        [path, tangent, before, after, arrow, loss_line, lr_mark, step_text],
        rescaled=[ax_p],
        ranges=[[left_limits(n)] for n in sizes],
    )
    sliders = {
        "v": Slider(lo, hi, 0.05, float(v), "output weight v"),
        "lr": Slider(float(lr_lo), float(lr_hi), 0.05, float(lr), "learning rate η"),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (output_weight_explorer,)
