"""Checkers for the scalar model's exercises (stages 01–05).

Each ``check_*`` runs the learner's function on scalars and on numpy arrays (where the function
acts elementwise), compares with :mod:`rnnlib.scalar` / :mod:`rnnlib.optim`, and names the mistake
when the answer matches one of the catalogue below (``MISTAKES[checker]``). Each mistake is one
small function computing the *wrong* formula, so the catalogue is executable and tested.
"""

from __future__ import annotations

import numpy as np

from .. import scalar as S
from ..optim import sgd_step as _sgd_step
from ._harness import Case, Mistake, run_checks

__all__ = [
    "check_loss",
    "check_loss_grad",
    "check_output_weight_grad",
    "check_sgd_step",
    "check_last_step_grad",
    "check_scalar_bptt",
    "MISTAKES",
]


def _f(x):
    """A float for scalars, a float array for arrays: lets one wrong formula serve both."""
    return np.asarray(x, dtype=np.float64) if np.ndim(x) else float(x)


def _sum(x):
    return float(np.sum(x))


def _mean(x):
    return float(np.mean(x))


# -- the loss and its derivative (stage 01) ------------------------------------------------------


def _yhat_y_cases():
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


def _loss_cases():
    return [Case(lb, a, S.loss(**a)) for lb, a in _yhat_y_cases()]


def _loss_grad_cases():
    return [Case(lb, a, S.loss_grad(**a)) for lb, a in _yhat_y_cases()]


def seed_loss(y_hat, y):
    return _f(y_hat) - y


def negated_difference(y_hat, y):
    return y - _f(y_hat)


def missing_half(y_hat, y):
    return (_f(y_hat) - y) ** 2


def no_square(y_hat, y):
    return 0.5 * (_f(y_hat) - y)


def absolute_error(y_hat, y):
    return abs(_f(y_hat) - y)


def squares_subtracted(y_hat, y):
    return 0.5 * (_f(y_hat) ** 2 - _f(y) ** 2)


def loss_summed(y_hat, y):
    return _sum(0.5 * (_f(y_hat) - y) ** 2)


def loss_averaged(y_hat, y):
    return _mean(0.5 * (_f(y_hat) - y) ** 2)


_ELEMENTWISE = "; it must act elementwise and return an array of the inputs' shape"

LOSS_MISTAKES = (
    Mistake(
        'you returned ŷ − y, the seed\'s "loss": that is dL/dŷ, the error signal; '
        "the loss is L = ½(ŷ − y)²",
        seed_loss,
    ),
    Mistake(
        "you returned y − ŷ, a signed difference; the loss is L = ½(ŷ − y)²", negated_difference
    ),
    Mistake("missing ½: you returned (ŷ − y)²; the loss is L = ½(ŷ − y)²", missing_half),
    Mistake("missing square: you returned ½(ŷ − y); the loss is L = ½(ŷ − y)²", no_square),
    Mistake(
        "you returned |ŷ − y|; this course's loss is the half squared error ½(ŷ − y)²",
        absolute_error,
    ),
    Mistake(
        "you squared ŷ and y separately, ½(ŷ² − y²); square the difference: ½(ŷ − y)²",
        squares_subtracted,
    ),
    Mistake("you summed the losses into one number" + _ELEMENTWISE, loss_summed),
    Mistake("you averaged the losses into one number" + _ELEMENTWISE, loss_averaged),
)


def check_loss(loss):
    """Check ``loss(y_hat, y)`` = L = ½(ŷ − y)², elementwise for arrays.

    Parameters
    ----------
    loss : callable ``loss(y_hat, y)``, floats or ndarrays of one shape → float or ndarray
    """
    run_checks("check_loss", loss, _loss_cases(), mistakes=LOSS_MISTAKES)


def wrong_sign_grad(y_hat, y):
    return y - _f(y_hat)


def extra_two(y_hat, y):
    return 2.0 * (_f(y_hat) - y)


def missing_power_rule_two(y_hat, y):
    return 0.5 * (_f(y_hat) - y)


def returned_the_loss(y_hat, y):
    return 0.5 * (_f(y_hat) - y) ** 2


def slope_of_seed_loss(y_hat, y):
    return np.ones_like(_f(y_hat)) if np.ndim(y_hat) else 1.0


def grad_summed(y_hat, y):
    return _sum(_f(y_hat) - y)


def grad_averaged(y_hat, y):
    return _mean(_f(y_hat) - y)


LOSS_GRAD_MISTAKES = (
    Mistake("wrong sign: you returned y − ŷ; dL/dŷ = ŷ − y", wrong_sign_grad),
    Mistake(
        "extra factor 2: you returned 2(ŷ − y), the derivative of (ŷ − y)², not of "
        "½(ŷ − y)²; dL/dŷ = ŷ − y",
        extra_two,
    ),
    Mistake(
        "you kept the ½ but not the 2 that the power rule brings down: ½(ŷ − y); "
        "dL/dŷ = ½·2(ŷ − y) = ŷ − y",
        missing_power_rule_two,
    ),
    Mistake("you returned the loss ½(ŷ − y)², not its derivative dL/dŷ = ŷ − y", returned_the_loss),
    Mistake(
        "you returned 1, the slope of the seed's ŷ − y; differentiate L = ½(ŷ − y)² "
        "instead: dL/dŷ = ŷ − y",
        slope_of_seed_loss,
    ),
    Mistake("you summed the derivatives into one number" + _ELEMENTWISE, grad_summed),
    Mistake("you averaged the derivatives into one number" + _ELEMENTWISE, grad_averaged),
)


def check_loss_grad(loss_grad):
    """Check ``loss_grad(y_hat, y)`` = dL/dŷ = ŷ − y, elementwise for arrays.

    Parameters
    ----------
    loss_grad : callable ``loss_grad(y_hat, y)``, floats or ndarrays of one shape
    """
    run_checks("check_loss_grad", loss_grad, _loss_grad_cases(), mistakes=LOSS_GRAD_MISTAKES)


# -- the seed's RNN, run forward and backward by rnnlib: the source of realistic cases -------------

# (u, w, v, T, y): several weights, both signs, T = 1 and more
_MODELS = [
    (0.7, 0.9, 1.6, 4, 0.5),
    (-0.4, 1.8, -2.2, 4, 1.1),
    (1.2, -0.6, 0.8, 1, -0.9),
    (0.5, 0.3, 3.0, 2, 2.0),
    (0.9, -1.4, 1.3, 6, -0.4),
]


def _model(u, w, v, T, y, seed):
    xs = np.random.default_rng(seed).uniform(-1.0, 1.0, T)
    fwd = S.forward(xs, u, w, v)
    return xs, fwd, S.backward(fwd, y)


def _model_label(u, w, v, T, y):
    return f"the seed's RNN with T = {T}, u = {u}, w = {w}, v = {v}, y = {y}"


def _batch(n, seed):
    """``n`` random scalar models (T = 4) as arrays: the inputs of an elementwise case."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        u, w, v = rng.uniform(0.3, 1.5, 3) * rng.choice([-1.0, 1.0], 3)
        y = float(rng.uniform(-1.5, 1.5))
        rows.append(_model(u, w, v, 4, y, seed * 100 + k) + (v,))
    return rows


def _output_weight_grad_cases():
    cases = []
    for k, (u, w, v, T, y) in enumerate(_MODELS):
        _, fwd, g = _model(u, w, v, T, y, k)
        cases.append(
            Case(
                _model_label(u, w, v, T, y), {"dL_dyhat": g.dL_dyhat, "o_T": float(fwd.o[-1])}, g.dv
            )
        )
    rows = _batch(5, 7)
    cases.append(
        Case(
            "arrays of shape (5,): five models at once",
            {
                "dL_dyhat": np.array([g.dL_dyhat for _, _, g, _ in rows]),
                "o_T": np.array([f.o[-1] for _, f, _, _ in rows]),
            },
            np.array([g.dv for _, _, g, _ in rows]),
        )
    )
    return cases


def owg_wrong_sign(dL_dyhat, o_T):
    return -_f(dL_dyhat) * o_T


def owg_missing_o_T(dL_dyhat, o_T):
    return _f(dL_dyhat) + 0.0 * _f(o_T)


def owg_missing_dL_dyhat(dL_dyhat, o_T):
    return _f(o_T) + 0.0 * _f(dL_dyhat)


def owg_added(dL_dyhat, o_T):
    return _f(dL_dyhat) + o_T


def owg_extra_tanh_prime(dL_dyhat, o_T):
    return _f(dL_dyhat) * o_T * (1.0 - _f(o_T) ** 2)


def owg_summed(dL_dyhat, o_T):
    return _sum(_f(dL_dyhat) * o_T)


OUTPUT_WEIGHT_GRAD_MISTAKES = (
    Mistake("wrong sign: dL/dv = dL/dŷ · o_T, with no minus", owg_wrong_sign),
    Mistake(
        "missing factor o_T: you returned dL/dŷ alone; dŷ/dv = o_T, so dL/dv = dL/dŷ · o_T",
        owg_missing_o_T,
    ),
    Mistake(
        "missing factor dL/dŷ: you returned o_T alone; dL/dv = dL/dŷ · o_T", owg_missing_dL_dyhat
    ),
    Mistake(
        "you added the factors; the chain rule multiplies them: dL/dv = dL/dŷ · o_T", owg_added
    ),
    Mistake(
        "extra factor (1 − o_T²): ŷ = v·o_T has no tanh between v and ŷ; dL/dv = dL/dŷ · o_T",
        owg_extra_tanh_prime,
    ),
    Mistake("you summed into one number" + _ELEMENTWISE, owg_summed),
)


def check_output_weight_grad(output_weight_grad):
    """Check ``output_weight_grad(dL_dyhat, o_T)`` = dL/dv = dL/dŷ · o_T, elementwise for arrays.

    Parameters
    ----------
    output_weight_grad : callable ``output_weight_grad(dL_dyhat, o_T)``
    """
    run_checks(
        "check_output_weight_grad",
        output_weight_grad,
        _output_weight_grad_cases(),
        mistakes=OUTPUT_WEIGHT_GRAD_MISTAKES,
    )


# -- one gradient-descent step (stage 02) ----------------------------------------------------------


def _sgd_cases():
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
        Case(lb, {"param": p, "grad": g, "lr": lr}, _sgd_step(p, g, lr)) for lb, p, g, lr in raw
    ]


def sgd_wrong_sign(param, grad, lr):
    return _f(param) + lr * _f(grad)


def sgd_missing_lr(param, grad, lr):
    return _f(param) - _f(grad)


def sgd_step_only(param, grad, lr):
    return -lr * _f(grad) + 0.0 * _f(param)


def sgd_step_only_positive(param, grad, lr):
    return lr * _f(grad) + 0.0 * _f(param)


def sgd_divided_by_lr(param, grad, lr):
    return _f(param) - _f(grad) / lr


def sgd_unchanged(param, grad, lr):
    return _f(param) + 0.0 * _f(grad)


SGD_STEP_MISTAKES = (
    Mistake(
        "wrong sign: you stepped up the gradient, param + η·grad; descent goes against it: "
        "param − η·grad",
        sgd_wrong_sign,
    ),
    Mistake(
        "missing learning rate: you returned param − grad; the step is param − η·grad",
        sgd_missing_lr,
    ),
    Mistake(
        "you returned only the change −η·grad; return the new value param − η·grad", sgd_step_only
    ),
    Mistake(
        "you returned only η·grad; return the new value param − η·grad", sgd_step_only_positive
    ),
    Mistake(
        "you divided by the learning rate, param − grad/η; multiply: param − η·grad",
        sgd_divided_by_lr,
    ),
    Mistake("you returned param unchanged; the new value is param − η·grad", sgd_unchanged),
)


def check_sgd_step(sgd_step):
    """Check ``sgd_step(param, grad, lr)`` = param − η·grad, a new value, inputs unchanged.

    Parameters
    ----------
    sgd_step : callable ``sgd_step(param, grad, lr)``, param and grad floats or ndarrays
    """
    run_checks("check_sgd_step", sgd_step, _sgd_cases(), mistakes=SGD_STEP_MISTAKES)


# -- one step back in time (stage 03) --------------------------------------------------------------


def _last_step_grad_cases():
    cases = []
    for k, (u, w, v, T, y) in enumerate(_MODELS):
        _, fwd, g = _model(u, w, v, T, y, k)
        args = {"dL_dyhat": g.dL_dyhat, "v": v, "o_T": float(fwd.o[-1]), "o_prev": float(fwd.o[-2])}
        label = _model_label(u, w, v, T, y) + (" (o_prev = o_0 = 0)" if T == 1 else "")
        cases.append(Case(label, args, float(g.dw_steps[-1])))
    rows = _batch(5, 9)
    cases.append(
        Case(
            "arrays of shape (5,): five models at once",
            {
                "dL_dyhat": np.array([g.dL_dyhat for _, _, g, _ in rows]),
                "v": np.array([v for *_, v in rows]),
                "o_T": np.array([f.o[-1] for _, f, _, _ in rows]),
                "o_prev": np.array([f.o[-2] for _, f, _, _ in rows]),
            },
            np.array([g.dw_steps[-1] for _, _, g, _ in rows]),
        )
    )
    return cases


def lsg_missing_tanh_prime(dL_dyhat, v, o_T, o_prev):
    return _f(dL_dyhat) * v * o_prev


def lsg_one_minus_o(dL_dyhat, v, o_T, o_prev):
    return _f(dL_dyhat) * v * (1.0 - _f(o_T)) * o_prev


def lsg_o_T_for_o_prev(dL_dyhat, v, o_T, o_prev):
    return _f(dL_dyhat) * v * (1.0 - _f(o_T) ** 2) * o_T + 0.0 * _f(o_prev)


def lsg_tanh_twice(dL_dyhat, v, o_T, o_prev):
    return _f(dL_dyhat) * v * (1.0 - np.tanh(_f(o_T)) ** 2) * o_prev


def lsg_tanh_prime_at_prev(dL_dyhat, v, o_T, o_prev):
    return _f(dL_dyhat) * v * (1.0 - _f(o_prev) ** 2) * o_prev + 0.0 * _f(o_T)


def lsg_missing_v(dL_dyhat, v, o_T, o_prev):
    return _f(dL_dyhat) * (1.0 - _f(o_T) ** 2) * o_prev + 0.0 * _f(v)


def lsg_missing_dL_dyhat(dL_dyhat, v, o_T, o_prev):
    return _f(v) * (1.0 - _f(o_T) ** 2) * o_prev + 0.0 * _f(dL_dyhat)


def lsg_wrong_sign(dL_dyhat, v, o_T, o_prev):
    return -_f(dL_dyhat) * v * (1.0 - _f(o_T) ** 2) * o_prev


def lsg_summed(dL_dyhat, v, o_T, o_prev):
    return _sum(_f(dL_dyhat) * v * (1.0 - _f(o_T) ** 2) * o_prev)


_LSG = "dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_prev"

LAST_STEP_GRAD_MISTAKES = (
    Mistake(f"missing tanh′ factor (1 − o_T²): {_LSG}", lsg_missing_tanh_prime),
    Mistake(
        f"(1 − o_T) where (1 − o_T²) belongs: tanh′(a) = 1 − tanh(a)²; {_LSG}", lsg_one_minus_o
    ),
    Mistake(f"o_T where o_prev belongs: do_T/dw = (1 − o_T²)·o_(T−1); {_LSG}", lsg_o_T_for_o_prev),
    Mistake(
        f"you applied tanh to o_T again, 1 − tanh(o_T)²; o_T is already tanh(a_T): {_LSG}",
        lsg_tanh_twice,
    ),
    Mistake(
        f"tanh′ at the wrong step: (1 − o_prev²) where (1 − o_T²) belongs; {_LSG}",
        lsg_tanh_prime_at_prev,
    ),
    Mistake(f"missing factor v (dŷ/do_T = v): {_LSG}", lsg_missing_v),
    Mistake(f"missing factor dL/dŷ: {_LSG}", lsg_missing_dL_dyhat),
    Mistake(f"wrong sign: {_LSG}", lsg_wrong_sign),
    Mistake("you summed into one number" + _ELEMENTWISE, lsg_summed),
)


def check_last_step_grad(last_step_grad):
    """Check ``last_step_grad(dL_dyhat, v, o_T, o_prev)`` = dL/dw⁽ᵀ⁾, elementwise for arrays.

    dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_(T−1): the gradient of the copy of w used at the
    last step.

    Parameters
    ----------
    last_step_grad : callable ``last_step_grad(dL_dyhat, v, o_T, o_prev)``
    """
    run_checks(
        "check_last_step_grad",
        last_step_grad,
        _last_step_grad_cases(),
        mistakes=LAST_STEP_GRAD_MISTAKES,
    )


# -- full scalar BPTT (stage 04) -------------------------------------------------------------------


def _bptt_cases():
    cases = []
    for k, (u, w, v, T, y) in enumerate(_MODELS):
        xs, _, g = _model(u, w, v, T, y, k)
        cases.append(
            Case(
                _model_label(u, w, v, T, y),
                {"xs": xs, "y": y, "u": u, "w": w, "v": v},
                (g.du, g.dw, g.dv),
            )
        )
    return cases


def _tp(o, t):
    return 1.0 - o[t] ** 2


def _wrong_bptt(
    xs,
    y,
    u,
    w,
    v,
    *,
    tanh_prime=_tp,
    chain_w=True,
    carry=True,
    o_in_dw=-1,
    v_in_delta=True,
    o_in_dv=True,
):
    """The backward loop of :func:`rnnlib.scalar.backward` with one factor changed.

    Returns (du_steps, dw_steps, dv) with the per-step contributions as arrays (t = 1..T)."""
    fwd = S.forward(xs, u, w, v)
    o, T = fwd.o, len(fwd.xs)
    err = fwd.y_hat - y
    dv = err * o[T] if o_in_dv else err
    d = err * v if v_in_delta else err
    du_steps, dw_steps = np.zeros(T), np.zeros(T)
    for t in range(T, 0, -1):
        da = d * tanh_prime(o, t)
        dw_steps[t - 1] = da * o[t + o_in_dw]
        du_steps[t - 1] = da * fwd.xs[t - 1]
        d = (da * w if chain_w else da) if carry else 0.0
    return du_steps, dw_steps, float(dv)


def _sums(steps):
    du_steps, dw_steps, dv = steps
    return float(du_steps.sum()), float(dw_steps.sum()), dv


def bptt_wrong_sign(xs, y, u, w, v):
    return tuple(-g for g in S.bptt(xs, y, u, w, v))


def bptt_last_copy_only(xs, y, u, w, v):
    du_steps, dw_steps, dv = _wrong_bptt(xs, y, u, w, v)
    return float(du_steps.sum()), float(dw_steps[-1]), dv


def bptt_du_last_step_only(xs, y, u, w, v):
    du_steps, dw_steps, dv = _wrong_bptt(xs, y, u, w, v)
    return float(du_steps[-1]), float(dw_steps.sum()), dv


def bptt_not_carried_back(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, carry=False))


def bptt_no_w_in_chain(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, chain_w=False))


def bptt_missing_tanh_prime(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, tanh_prime=lambda o, t: 1.0))


def bptt_one_minus_o(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, tanh_prime=lambda o, t: 1.0 - o[t]))


def bptt_tanh_twice(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, tanh_prime=lambda o, t: 1.0 - np.tanh(o[t]) ** 2))


def bptt_tanh_prime_at_prev(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, tanh_prime=lambda o, t: 1.0 - o[t - 1] ** 2))


def bptt_o_t_for_o_prev(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, o_in_dw=0))


def bptt_missing_v(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, v_in_delta=False))


def bptt_dv_missing_o_T(xs, y, u, w, v):
    return _sums(_wrong_bptt(xs, y, u, w, v, o_in_dv=False))


def bptt_per_step_arrays(xs, y, u, w, v):
    return _wrong_bptt(xs, y, u, w, v)


def bptt_du_dw_swapped(xs, y, u, w, v):
    du, dw, dv = S.bptt(xs, y, u, w, v)
    return dw, du, dv


SCALAR_BPTT_MISTAKES = (
    Mistake("wrong sign: dL/du, dL/dw, dL/dv all have the opposite sign", bptt_wrong_sign),
    Mistake(
        "only the last step's copy: dL/dw = Σ_t dL/dw⁽ᵗ⁾ sums the copies of w over all steps",
        bptt_last_copy_only,
    ),
    Mistake(
        "du from the last step only: u is shared too, dL/du = Σ_t δ_t (1 − o_t²) x_t",
        bptt_du_last_step_only,
    ),
    Mistake(
        "gradient not carried back through time: δ_(t−1) = δ_t (1 − o_t²) w feeds every "
        "earlier step",
        bptt_not_carried_back,
    ),
    Mistake(
        "no w in the chain back: do_t/do_(t−1) = (1 − o_t²)·w, so δ_(t−1) = δ_t (1 − o_t²) w",
        bptt_no_w_in_chain,
    ),
    Mistake("missing tanh′: every step back multiplies by (1 − o_t²)", bptt_missing_tanh_prime),
    Mistake("(1 − o_t) where (1 − o_t²) belongs: tanh′(a_t) = 1 − o_t²", bptt_one_minus_o),
    Mistake(
        "you applied tanh to o_t again, 1 − tanh(o_t)²; o_t is already tanh(a_t), "
        "so tanh′ = 1 − o_t²",
        bptt_tanh_twice,
    ),
    Mistake(
        "tanh′ at the wrong step: (1 − o_(t−1)²) where (1 − o_t²) belongs", bptt_tanh_prime_at_prev
    ),
    Mistake("o_t where o_(t−1) belongs: dL/dw⁽ᵗ⁾ = δ_t (1 − o_t²) o_(t−1)", bptt_o_t_for_o_prev),
    Mistake("missing factor v: the chain starts with δ_T = dL/dŷ · v", bptt_missing_v),
    Mistake("dL/dv is missing its factor o_T: dL/dv = dL/dŷ · o_T", bptt_dv_missing_o_T),
    Mistake(
        "you returned the per-step contributions (arrays); return their sums, "
        "dL/du = Σ_t dL/du⁽ᵗ⁾ and dL/dw = Σ_t dL/dw⁽ᵗ⁾",
        bptt_per_step_arrays,
    ),
    Mistake("dL/du and dL/dw are swapped: return (dL/du, dL/dw, dL/dv)", bptt_du_dw_swapped),
)


def check_scalar_bptt(scalar_bptt):
    """Check ``scalar_bptt(xs, y, u, w, v)`` → (dL/du, dL/dw, dL/dv) of the seed's RNN.

    Cases: T = 1 to 6, weights of both signs, one target y at the last step.

    Parameters
    ----------
    scalar_bptt : callable ``scalar_bptt(xs, y, u, w, v)``, xs an ndarray (T,), the rest floats
    """
    run_checks(
        "check_scalar_bptt",
        scalar_bptt,
        _bptt_cases(),
        mistakes=SCALAR_BPTT_MISTAKES,
        names=("dL/du", "dL/dw", "dL/dv"),
    )


MISTAKES = {
    "check_loss": LOSS_MISTAKES,
    "check_loss_grad": LOSS_GRAD_MISTAKES,
    "check_output_weight_grad": OUTPUT_WEIGHT_GRAD_MISTAKES,
    "check_sgd_step": SGD_STEP_MISTAKES,
    "check_last_step_grad": LAST_STEP_GRAD_MISTAKES,
    "check_scalar_bptt": SCALAR_BPTT_MISTAKES,
}
