"""The seed's scalar RNN (stages 00–05, and the scalar parts of 07;
stage 06 is the matrix RNN of :mod:`rnnlib.rnn`): every quantity a
single number, so every factor of the chain rule can be printed,
plotted and moved with a slider.

Model, for inputs x_1..x_T and o_0 = 0::

    a_t   = u·x_t + w·o_(t−1)        o_t = tanh(a_t)
    ŷ     = v·o_T                    L   = ½(ŷ − y)²

Backward (δ_t = dL/do_t)::

    dL/dŷ    = ŷ − y
    dL/dv    = dL/dŷ · o_T
    δ_T      = dL/dŷ · v
    δ_(t−1)  = δ_t · (1 − o_t²) · w
               (do_t/do_(t−1) = (1 − o_t²)·w)
    dL/dw⁽ᵗ⁾ = δ_t · (1 − o_t²) · o_(t−1)
               (the copy of w used at step t)
    dL/du⁽ᵗ⁾ = δ_t · (1 − o_t²) · x_t
    dL/dw    = Σ_t dL/dw⁽ᵗ⁾,  dL/du = Σ_t dL/du⁽ᵗ⁾
               (one shared weight, T copies)

Seed labels: w3 → v, w2 → w⁽⁴⁾, w1 → w⁽³⁾, w → w⁽²⁾ (for T = 4).

With a target at *every* step (many-to-many, lesson 04), ŷ_t = v·o_t
and L = Σ_t ½(ŷ_t − y_t)²; then δ_t also picks up the step's own
error: δ_t = (ŷ_t − y_t)·v + δ_(t+1)·(1 − o_(t+1)²)·w.

The same δ_t gives the gradients for the inputs and the initial
state (:func:`input_grads`)::

    dL/dx_t = δ_t · (1 − o_t²) · u
    dL/do_0 = δ_1 · (1 − o_1²) · w⁽¹⁾

and :func:`rtrl` computes dL/du, dL/dw, dL/dv forward in time
instead (real-time recurrent learning):
p_t = do_t/dw = (1 − o_t²)·(o_(t−1) + w·p_(t−1)), p_0 = 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import NumericOverflow, as_array, as_scalar, check_finite, ndim

__all__ = [
    "EXAMPLE",
    "Forward",
    "Grads",
    "forward",
    "backward",
    "loss",
    "loss_grad",
    "bptt",
    "total_loss",
    "last_step_factors",
    "per_step_contributions",
    "input_grads",
    "rtrl",
]

#: The course's worked example (lessons 00–04): inputs x_1..x_4, weights u, w, v and target y.
EXAMPLE = {"xs": (1.0, -0.5, 0.8, 0.3), "u": 0.8, "w": 0.9, "v": 1.5, "y": 0.5}


class Forward(NamedTuple):
    """Everything the forward pass computed. ``o[t]`` is o_t for t = 0..T
    (``o[0] = o_0``); ``a[t − 1]`` is a_t and ``y_hats[t − 1] = v·o_t``
    for t = 1..T; ``y_hat = v·o_T``."""

    xs: np.ndarray
    u: float
    w: float | np.ndarray
    v: float
    a: np.ndarray
    o: np.ndarray
    y_hats: np.ndarray
    y_hat: float


class Grads(NamedTuple):
    """Gradients of L. ``delta[t − 1] = dL/do_t``,
    ``dw_steps[t − 1] = dL/dw⁽ᵗ⁾`` and ``du_steps[t − 1] = dL/du⁽ᵗ⁾``
    for t = 1..T; ``dw = dw_steps.sum()``, ``du = du_steps.sum()``.
    ``dL_dyhat`` is ŷ − y (a float), or the array of ŷ_t − y_t with a
    target at every step."""

    du: float
    dw: float
    dv: float
    dL_dyhat: float | np.ndarray
    delta: np.ndarray
    dw_steps: np.ndarray
    du_steps: np.ndarray


def _inputs(xs):
    xs = as_array("xs", xs)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(
            f"xs: expected a 1-d sequence of T >= 1 inputs, shape (T,), got shape {xs.shape}"
        )
    check_finite("xs", xs)
    return xs


def _scalar_or_per_step(name, a, T, expected):
    """``a`` as a float, or as a finite array of shape (T,): one value per
    step.

    ``expected`` says in the error message what the two forms stand for.
    """
    if ndim(name, a) == 0:
        return as_scalar(name, a)
    per_step = as_array(name, a)
    if per_step.shape != (T,):
        raise ValueError(
            f"{name}: expected {expected}, shape (T,) = ({T},), got shape {per_step.shape}"
        )
    check_finite(name, per_step)
    return per_step


def _copies(w, T):
    """``(w, ws)``: w as given (a float, or an array of T copies) and the T
    per-step copies."""
    w = _scalar_or_per_step("w", w, T, "a real number (a scalar) or one copy per step")
    return w, ([w] * T if np.ndim(w) == 0 else w.tolist())


def forward(xs, u, w, v, o0=0.0):
    """Unroll the scalar RNN over the inputs.

    Parameters
    ----------
    xs : array_like (T,), the inputs x_1..x_T
    u, w, v : float, input, recurrent and output weight. ``w`` may also
        be an array (T,) of per-step copies, ``w[t − 1] = w⁽ᵗ⁾``: the
        same RNN when all copies are equal, and the way to ask what one
        copy does on its own (lessons 03–04).
    o0 : float, the initial state o_0 (0 in the course)

    Returns
    -------
    :class:`Forward` with ``a`` (T,), ``o`` (T + 1,), ``y_hats`` (T,)
    and ``y_hat``.

    Examples
    --------
    tanh(ln 3) = (9 − 1)/(9 + 1) = 0.8 and
    tanh(ln 2) = (4 − 1)/(4 + 1) = 0.6, so with u = 1 and w = 0
    (o_t = tanh(x_t)) every state can be checked by hand:

    >>> import numpy as np
    >>> from rnnlib.scalar import forward
    >>> fwd = forward([np.log(3), np.log(2)], u=1.0, w=0.0, v=2.0)
    >>> # o_0, o_1, o_2; ŷ = v·o_2 = 2·0.6
    >>> print(np.round(fwd.o, 4), round(fwd.y_hat, 4))
    [0.  0.8 0.6] 1.2
    >>> fwd = forward([np.log(3), np.log(2)], u=1.0, w=0.5, v=2.0)
    >>> # a_2 = u·x_2 + w·o_1 = ln 2 + 0.5·0.8
    >>> print(round(float(fwd.a[1] - np.log(2)), 4))
    0.4
    """
    xs = _inputs(xs)
    u, v = as_scalar("u", u), as_scalar("v", v)
    w, ws = _copies(w, xs.size)
    return _unroll(xs, u, w, ws, v, as_scalar("o0", o0))


def _unroll(xs, u, w, ws, v, o0):
    """:func:`forward` on arguments already checked (``ws``: the T copies
    of w, a list)."""
    T = xs.size
    a = np.empty(T)
    o = np.empty(T + 1)
    o[0] = o0
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        for t in range(1, T + 1):
            a[t - 1] = u * xs[t - 1] + ws[t - 1] * o[t - 1]  # a_t = u·x_t + w⁽ᵗ⁾·o_(t−1)
            o[t] = np.tanh(a[t - 1])  # o_t = tanh(a_t)
    if not np.isfinite(a).all():
        raise NumericOverflow(
            "a_t: u·x_t + w·o_(t−1) overflows float64 (it exceeds 1.8e308): the weights or "
            "inputs are far too large"
        )
    y_hats = v * o[1:]
    return Forward(xs, u, w, v, a, o, y_hats, float(y_hats[-1]))


def loss(y_hat, y):
    """``L = ½(ŷ − y)²``, entry by entry for arrays (one number y serves
    every ŷ).

    ``ValueError`` if ½(ŷ − y)² overflows (|ŷ − y| above about 1.9e154).

    Parameters
    ----------
    y_hat : float, or array_like of any shape, the prediction(s) ŷ
    y : float, or array_like of y_hat's shape, the target(s) (one number
        serves every ŷ)

    Returns
    -------
    L : float when y_hat and y are both numbers (or 0-d arrays), else
        ndarray of y_hat's shape, ½(ŷ − y)² entry by entry (not summed)

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.scalar import loss
    >>> print(loss(2.0, 0.5))  # ½(2.0 − 0.5)² = ½·2.25
    1.125
    >>> # ½·0², ½·2²
    >>> print(loss(np.array([1.0, 3.0]), np.array([1.0, 1.0])))
    [0. 2.]
    """
    err = _loss_grad("loss", y_hat, y)
    with np.errstate(over="ignore"):  # an overflow is reported by name, just below
        value = 0.5 * err * err  # halved before squared: finite wherever ½(ŷ − y)² is
    return _finite("loss", value, err)


def loss_grad(y_hat, y):
    """``dL/dŷ = ŷ − y``, entry by entry for arrays: the seed's
    "loss = ŷ − y".

    ``ValueError`` if ŷ − y overflows (ŷ and y of opposite signs, each
    near the largest float).

    Parameters
    ----------
    y_hat, y : as :func:`loss`

    Returns
    -------
    dL_dyhat : as :func:`loss`'s L (a float, or an array of y_hat's
        shape), ŷ − y entry by entry

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.scalar import loss_grad
    >>> # ŷ − y = 2.0 − 0.5, the slope of ½(ŷ − y)² at ŷ = 2
    >>> print(loss_grad(2.0, 0.5))
    1.5
    >>> # one target y = 1 for every ŷ
    >>> print(loss_grad(np.array([1.0, 3.0]), 1.0))
    [0. 2.]
    """
    return _loss_grad("loss_grad", y_hat, y)


def _loss_grad(what, y_hat, y):
    if ndim("y_hat", y_hat) == 0 and ndim("y", y) == 0:
        return _difference(what, as_scalar("y_hat", y_hat), as_scalar("y", y))
    y_hat, y = as_array("y_hat", y_hat), as_array("y", y)
    if y_hat.shape != y.shape and y.ndim > 0:  # (one target for every prediction broadcasts)
        raise ValueError(
            f"y: expected one target per prediction, the shape of y_hat {y_hat.shape}, "
            f"got {y.shape}"
        )
    check_finite("y_hat", y_hat)
    check_finite("y", y)
    return _difference(what, y_hat, y)


def _difference(what, y_hat, y):
    """``ŷ − y``, or ``ValueError`` where it overflows float64."""
    with np.errstate(over="ignore"):  # reported by name, just below
        err = y_hat - y
    if np.all(np.isfinite(err)):
        return err
    i = np.unravel_index(np.argmax(~np.isfinite(err)), np.shape(err))
    a, b = np.broadcast_to(y_hat, np.shape(err))[i], np.broadcast_to(y, np.shape(err))[i]
    where = f" at index {tuple(map(int, i))}" if np.ndim(err) else ""
    raise NumericOverflow(
        f"{what}: ŷ − y overflows float64{where}: ŷ = {a:.3g} and y = {b:.3g} are more than "
        "the largest float (1.8e308) apart"
    )


def _finite(what, value, err):
    """``value`` if every entry is finite, else ``ValueError``: the error
    ŷ − y is too large."""
    if np.all(np.isfinite(value)):
        return value
    worst = float(np.max(np.abs(err)))
    raise NumericOverflow(
        f"{what}: overflows float64: |ŷ − y| reaches {worst:.3g}, whose ½(ŷ − y)² exceeds the "
        "largest float (1.8e308)"
    )


def _targets(y, T):
    """``(y, every)``: the target(s), and whether there is one per step (a
    loss at every step)."""
    y = _scalar_or_per_step(
        "y", y, T, "a scalar target (loss at the last step) or one target per step"
    )
    return y, np.ndim(y) == 1


def _forward(fwd):
    if not isinstance(fwd, Forward):
        raise ValueError(
            "fwd: expected the Forward returned by scalar.forward(xs, u, w, v), got "
            + ("None" if fwd is None else type(fwd).__name__)
        )
    return fwd


def total_loss(fwd, y):
    """L for a :class:`Forward`: ½(ŷ − y)² for a scalar y,
    Σ_t ½(ŷ_t − y_t)² for y of shape (T,).

    ``ValueError`` if L overflows float64 (see :func:`loss`).

    Parameters
    ----------
    fwd : :class:`Forward` from :func:`forward`
    y : float (one target, at the last step) or array_like (T,)
        (a target at every step)

    Returns
    -------
    L : float, the loss of the whole sequence (summed over the steps
        for y of shape (T,))

    Examples
    --------
    With all inputs 0 every a_t = 0 and o_t = tanh(0) = 0, so every
    ŷ_t = v·0 = 0:

    >>> from rnnlib.scalar import forward, total_loss
    >>> fwd = forward([0.0, 0.0], u=1.0, w=0.5, v=2.0)
    >>> # one target, at the end: ½(0 − 0.5)²
    >>> print(total_loss(fwd, 0.5))
    0.125
    >>> # a target at every step: ½(0 − 1)² + ½(0 − 2)²
    >>> print(total_loss(fwd, [1.0, 2.0]))
    2.5
    """
    fwd = _forward(fwd)
    y, every = _targets(y, fwd.xs.size)
    err = fwd.y_hats - y if every else fwd.y_hat - y
    with np.errstate(over="ignore"):
        L = float(np.sum(0.5 * err * err))
    return _finite("L", L, err)


def backward(fwd, y):
    """Backpropagation through time for the scalar RNN, keeping
    every factor.

    Parameters
    ----------
    fwd, y : as :func:`total_loss` (the forward pass, and one target or
        one per step)

    Returns
    -------
    :class:`Grads`

    Notes
    -----
    One backward loop with a running δ_t = dL/do_t, from t = T down
    to 1: ``dL/dw⁽ᵗ⁾ = δ_t (1 − o_t²) o_(t−1)``,
    ``dL/du⁽ᵗ⁾ = δ_t (1 − o_t²) x_t``, ``δ_(t−1) = δ_t (1 − o_t²) w``
    (+ step t − 1's own ``(ŷ_(t−1) − y_(t−1))·v``, many-to-many).

    Examples
    --------
    With u = 0 every a_t = 0, so o_t = tanh(0) = 0, ŷ = 0 and every
    1 − o_t² = 1; the target y = −1 makes dL/dŷ = 0 − (−1) = 1:

    >>> from rnnlib.scalar import backward, forward
    >>> g = backward(forward([1.0, 3.0], u=0.0, w=0.5, v=2.0), y=-1.0)
    >>> print(g.dL_dyhat, g.delta)  # δ_2 = 1·v = 2, δ_1 = δ_2·1·w = 1
    1.0 [1. 2.]
    >>> # dL/du⁽ᵗ⁾ = δ_t·1·x_t: 1·1, 2·3; dL/du is their sum
    >>> print(g.du_steps, g.du)
    [1. 6.] 7.0
    >>> # o_(t−1) = 0 and o_T = 0: nothing for w or v here
    >>> print(g.dw_steps, g.dv)
    [0. 0.] 0.0
    """
    T = _forward(fwd).xs.size
    y, every = _targets(y, T)
    _, ws = _copies(fwd.w, T)
    return _backprop(fwd, y, every, ws)


def _backprop(fwd, y, every, ws):
    """:func:`backward` on arguments already checked (``every``: a target
    at every step)."""
    T, o, v = fwd.xs.size, fwd.o, fwd.v
    if every:
        err = fwd.y_hats - y  # dL/dŷ_t for every t
        dv = float(np.dot(err, o[1:]))  # Σ_t (ŷ_t − y_t)·o_t
        own = err * v  # each step's own dL/do_t
    else:
        err = fwd.y_hat - y  # dL/dŷ = ŷ − y
        dv = err * o[T]  # dL/dv = dL/dŷ · o_T
        own = np.zeros(T)
        own[-1] = err * v  # dŷ/do_T = v
    delta = np.empty(T)
    dw_steps = np.empty(T)
    du_steps = np.empty(T)
    d = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, by name
        for t in range(T, 0, -1):
            d = d + own[t - 1]  # δ_t
            delta[t - 1] = d
            da = d * (1.0 - o[t] ** 2)  # δ_t · tanh'(a_t)
            dw_steps[t - 1] = da * o[t - 1]  # dL/dw⁽ᵗ⁾
            du_steps[t - 1] = da * fwd.xs[t - 1]  # dL/du⁽ᵗ⁾
            d = da * ws[t - 1]  # carried to δ_(t−1), via w⁽ᵗ⁾
        du, dw = du_steps.sum(), dw_steps.sum()  # dL/du, dL/dw: the sums over the copies
    # (a sum of finite terms can overflow too)
    if not (np.isfinite(delta).all() and np.isfinite([du, dw, dv]).all()):
        raise NumericOverflow(
            f"backward: the gradient overflows float64 (dL/dŷ = {np.max(np.abs(err)):.3g}, "
            f"v = {v:.3g}, w = {np.max(np.abs(ws)):.3g}): the weights or inputs are far too large"
        )
    return Grads(
        float(du),
        float(dw),
        float(dv),
        err if every else float(err),
        delta,
        dw_steps,
        du_steps,
    )


def bptt(xs, y, u, w, v):
    """``(dL/du, dL/dw, dL/dv)`` of the scalar RNN: :func:`forward` then
    :func:`backward`.

    Parameters
    ----------
    xs : array_like (T,), the inputs x_1..x_T (T ≥ 1)
    y : float (one target, at the last step) or array_like (T,)
        (a target at every step)
    u, w, v : float, input, recurrent and output weight (``w`` may also
        be an array (T,) of per-step copies, as in :func:`forward`)

    Returns
    -------
    (du, dw, dv) : tuple of 3 floats, dL/du, dL/dw and dL/dv;
        dL/dw = Σ_t dL/dw⁽ᵗ⁾, summed over the per-step copies also when
        ``w`` is given as an array (T,)

    Examples
    --------
    On the course's worked example, the three gradients agree with
    central differences of L in (u, w, v), whose error is far below 1e-8
    at ε = 1e-6:

    >>> import numpy as np
    >>> from rnnlib.gradcheck import numerical_gradient
    >>> from rnnlib.scalar import EXAMPLE as E, bptt, forward, loss
    >>> def L(p):  # L as a function of p = (u, w, v)
    ...     return loss(forward(E["xs"], *p).y_hat, E["y"])
    >>> num = numerical_gradient(L, np.array([E["u"], E["w"], E["v"]]))
    >>> print(np.abs(np.array(bptt(**E)) - num).max() < 1e-8)
    True
    """
    g = backward(forward(xs, u, w, v), y)
    return g.du, g.dw, g.dv


def last_step_factors(xs, y, u, w, v):
    """The three factors of dL/dw⁽ᵀ⁾, the gradient of the copy of w used at
    the last step T (lesson 03), and their product::

        dL/dw⁽ᵀ⁾ = (dL/dŷ · v) · (1 − o_T²) · o_(T−1)
                 =  dL/do_T   · do_T/da_T · da_T/dw⁽ᵀ⁾

    Parameters
    ----------
    xs : array_like (T,), the inputs x_1..x_T (T ≥ 1)
    y : float, the target of ŷ = v·o_T
    u, w, v : float, input, recurrent and output weight

    Returns
    -------
    dict of floats: ``dL_do_T`` = dL/dŷ · v, ``tanh_prime`` = 1 − o_T²,
    ``o_prev`` = o_(T−1), ``dL_dw_T`` = their product
    (= ``backward(...).dw_steps[-1]``), and ``y_hat``, ``o_T``.

    Examples
    --------
    With u = 1 and w = 0, o_t = tanh(x_t): o_1 = tanh(ln 3) = 0.8,
    o_2 = tanh(ln 2) = 0.6, ŷ = 2·0.6 = 1.2, so dL/dŷ = 1.2 − 0.2 = 1:

    >>> import numpy as np
    >>> from rnnlib.scalar import last_step_factors
    >>> f = last_step_factors([np.log(3), np.log(2)],
    ...                       y=0.2, u=1.0, w=0.0, v=2.0)
    >>> print(round(f["dL_do_T"], 4), round(f["tanh_prime"], 4),
    ...       round(f["o_prev"], 4))
    2.0 0.64 0.8
    >>> # 1·v = 2, 1 − 0.6² = 0.64, o_1 = 0.8: 2·0.64·0.8
    >>> print(round(f["dL_dw_T"], 4))
    1.024
    """
    if ndim("y", y) != 0:  # backward would take it as a target per step, and float() then fails
        raise ValueError(
            f"y: expected one target for ŷ = v·o_T, a real number (a scalar), got an array of "
            f"shape {np.shape(y)}; a target at every step (lesson 04) has no one last-step "
            "factor dL/dŷ"
        )
    fwd = forward(xs, u, w, v)
    g = backward(fwd, y)
    dL_do_T = g.dL_dyhat * fwd.v  # dL/dŷ · dŷ/do_T
    tanh_prime = 1.0 - fwd.o[-1] ** 2  # do_T/da_T = tanh′(a_T)
    o_prev = fwd.o[-2]  # da_T/dw⁽ᵀ⁾
    return {
        "dL_do_T": float(dL_do_T),
        "tanh_prime": float(tanh_prime),
        "o_prev": float(o_prev),
        "dL_dw_T": float(dL_do_T * tanh_prime * o_prev),
        "y_hat": fwd.y_hat,
        "o_T": float(fwd.o[-1]),
    }


def per_step_contributions(xs, y, u, w, v):
    """The per-step gradients of the shared weight w and what carries them
    back (lesson 04)::

        dL/dw         = Σ_t dL/dw⁽ᵗ⁾,
        dL/dw⁽ᵗ⁾      = δ_t (1 − o_t²) o_(t−1),
        δ_t           = δ_T · Π_(k = t+1..T) do_k/do_(k−1),
        do_k/do_(k−1) = (1 − o_k²)·w

    Parameters
    ----------
    xs, y, u, w, v : the inputs (T,), the target and the weights, as
        :func:`last_step_factors` (a target at every step, y of
        shape (T,), gives that loss's ``dw_steps`` and ``dw``; its δ_t
        then also collects the later steps' own errors, so the product
        above is the share of the last target only)

    Returns
    -------
    dict with ``dw_steps`` (T,) = dL/dw⁽ᵗ⁾ for t = 1..T and
    ``dw`` = dL/dw, their sum (both from :func:`backward`),
    ``step_factor`` (T,) = do_t/do_(t−1) = (1 − o_t²)·w,
    ``reach`` (T,) = do_T/do_t = Π_(k = t+1..T) (1 − o_k²)·w
    (1 for t = T) and ``y_hat``.

    Examples
    --------
    With u = 0 every o_t = tanh(0) = 0, so each step's factor is
    (1 − 0²)·w = w = 0.5, and reaching o_3 from o_t crosses 3 − t of
    them:

    >>> from rnnlib.scalar import EXAMPLE, bptt, per_step_contributions
    >>> c = per_step_contributions([1.0, 2.0, 3.0],
    ...                            y=-1.0, u=0.0, w=0.5, v=2.0)
    >>> # do_3/do_t: 0.5·0.5, 0.5, 1
    >>> print(c["step_factor"], c["reach"])
    [0.5 0.5 0.5] [0.25 0.5  1.  ]

    On the worked example, the T = 4 copies' gradients add up to
    backpropagation's dL/dw:

    >>> c = per_step_contributions(**EXAMPLE)
    >>> print(c["dw_steps"].shape,
    ...       abs(c["dw_steps"].sum() - bptt(**EXAMPLE)[1]) < 1e-12)
    (4,) True
    """
    fwd = forward(xs, u, w, v)
    g = backward(fwd, y)
    step_factor = (1.0 - fwd.o[1:] ** 2) * fwd.w  # do_t/do_(t−1), t = 1..T
    # do_T/do_t = product of the factors of the later steps k = t+1..T (empty product at t = T)
    reach = np.append(np.cumprod(step_factor[:0:-1])[::-1], 1.0)
    return {
        "dw_steps": g.dw_steps.copy(),
        "dw": g.dw,
        "step_factor": step_factor,
        "reach": reach,
        "y_hat": fwd.y_hat,
    }


def input_grads(fwd, y):
    """The gradients for the inputs and for the initial state, from the
    same backward pass::

        dL/dx_t = δ_t · (1 − o_t²) · u,   t = 1..T
                  (x_t enters a_t with slope u)
        dL/do_0 = δ_1 · (1 − o_1²) · w⁽¹⁾
                  (o_0 enters a_1 with slope w⁽¹⁾)

    Parameters
    ----------
    fwd : :class:`Forward` from :func:`forward` (any ``o0``)
    y : float (one target, at the last step) or array (T,)
        (a target at every step)

    Returns
    -------
    (dxs, do0) : ndarray (T,) with ``dxs[t − 1] = dL/dx_t``, and float
    dL/do_0. A learned initial state o_0 is trained with ``do0`` like
    any weight.

    Examples
    --------
    With all x_t = 0 and o_0 = 0 every a_t = 0, o_t = 0, ŷ = 0 and
    1 − o_t² = 1; y = −1 makes dL/dŷ = 1, so δ_2 = 1·v = 2 and
    δ_1 = δ_2·1·w = 1:

    >>> from rnnlib.scalar import forward, input_grads
    >>> fwd = forward([0.0, 0.0], u=3.0, w=0.5, v=2.0)
    >>> dxs, do0 = input_grads(fwd, y=-1.0)
    >>> # dL/dx_t = δ_t·1·u: 1·3, 2·3; dL/do_0 = δ_1·1·w = 1·0.5
    >>> print(dxs, do0)
    [3. 6.] 0.5
    """
    g = backward(fwd, y)
    o = fwd.o
    _, ws = _copies(fwd.w, fwd.xs.size)
    da = g.delta * (1.0 - o[1:] ** 2)  # δ_t · tanh′(a_t), t = 1..T
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        dxs, do0 = da * fwd.u, da[0] * ws[0]
    if not (np.isfinite(dxs).all() and np.isfinite(do0)):
        raise NumericOverflow(
            f"input_grads: the gradient overflows float64 (u = {fwd.u:.3g}, "
            f"w = {np.max(np.abs(ws)):.3g}): the weights or inputs are far too large"
        )
    return dxs, float(do0)


def rtrl(xs, y, u, w, v, o0=0.0):
    """``(dL/du, dL/dw, dL/dv)`` computed forward in time (real-time
    recurrent learning).

    Carries the sensitivities p_t = do_t/dw and q_t = do_t/du along with
    the states::

        p_t = (1 − o_t²) · (o_(t−1) + w·p_(t−1)),
        q_t = (1 − o_t²) · (x_t + w·q_(t−1)),
        p_0 = q_0 = 0

    so that dL/dw = Σ_t (ŷ_t − y_t)·v·p_t (only t = T with one target at
    the end). Equal to :func:`bptt`; the memory it keeps does not grow
    with T.

    Parameters
    ----------
    xs : array_like (T,); y : float or array (T,);
    u, w, v : float; o0 : float

    Returns
    -------
    tuple of floats (dL/du, dL/dw, dL/dv)

    Examples
    --------
    :func:`backward`'s example, forward in time: u = 0 keeps every
    o_t = 0 and 1 − o_t² = 1, so p_t = 0, q_1 = x_1 = 1,
    q_2 = x_2 + w·q_1 = 3 + 0.5·1 = 3.5, and with ŷ − y = 1:

    >>> import numpy as np
    >>> from rnnlib.scalar import EXAMPLE, bptt, rtrl
    >>> # dL/du = 1·v·q_2 = 2·3.5
    >>> print(rtrl([1.0, 3.0], y=-1.0, u=0.0, w=0.5, v=2.0))
    (7.0, 0.0, 0.0)
    >>> print(np.allclose(rtrl(**EXAMPLE), bptt(**EXAMPLE),
    ...                   rtol=1e-12, atol=0))
    True
    """
    xs = _inputs(xs)
    u, w, v = as_scalar("u", u), as_scalar("w", w), as_scalar("v", v)
    T = xs.size
    y, every = _targets(y, T)
    o = as_scalar("o0", o0)
    p = q = 0.0
    du = dw = dv = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, T + 1):
            o_new = float(np.tanh(u * xs[t - 1] + w * o))
            slope = 1.0 - o_new * o_new
            p, q = slope * (o + w * p), slope * (xs[t - 1] + w * q)  # do_t/dw, do_t/du
            o = o_new
            if every or t == T:
                err = v * o - (y[t - 1] if every else y)  # ŷ_t − y_t
                dv += err * o
                dw += err * v * p
                du += err * v * q
    if not np.all(np.isfinite([du, dw, dv])):
        raise NumericOverflow("rtrl: the gradient overflows float64: the weights are far too large")
    return float(du), float(dw), float(dv)
