"""How gradients travel back through time (lesson 07): vanishing,
exploding and truncated.

Scalar model (:mod:`rnnlib.scalar`). The gradient reaching o_s from
o_T is a product of one factor per step::

    do_T/do_s = Π_(t = s+1..T) do_t/do_(t−1)
              = Π_(t = s+1..T) (1 − o_t²)·w

Since 0 < 1 − o_t² ≤ 1, its size is at most |w|^(T − s): for |w| < 1
it vanishes geometrically. For |w| > 1 it can grow like |w|^(T − s),
but only while the tanh is unsaturated (o_t ≈ 0).

Matrix model (:mod:`rnnlib.rnn`), one sequence, row vectors::

    h_t = tanh(a_t),  a_t = x_t Wx + h_(t−1) Wh + b,
                      a_(t,j) = Σ_i h_(t−1,i) Wh_(ij) + …

so ∂h_(t,j)/∂h_(t−1,i) = (1 − h_(t,j)²)·Wh_(ij), i.e. the Jacobian
(rows: outputs j, columns: inputs i) is

    J_t = ∂h_t/∂h_(t−1) = diag(1 − h_t²) · Wh^T          (H, H)

and over several steps, by the chain rule, the later Jacobian stands
on the left::

    ∂h_T/∂h_s = J_T J_(T−1) ⋯ J_(s+1)

A row gradient g_t = ∂L/∂h_t travels back as g_(t−1) = g_t J_t
(what :func:`rnnlib.rnn_backward` does: ``da = g * (1 − h²)``,
``g_prev = da @ Wh.T``). Since ‖J_t‖₂ ≤ ‖Wh‖₂,
‖∂h_T/∂h_s‖₂ ≤ ‖Wh‖₂^(T − s).

A scalar gated unit (the bridge to LSTM/GRU), gate z in (0, 1]::

    c_t = tanh(a_t),  a_t = u·x_t + w·o_(t−1),
    o_t = (1 − z)·o_(t−1) + z·c_t

has do_t/do_(t−1) = (1 − z) + z·(1 − c_t²)·w: the additive road
contributes (1 − z) whatever the tanh does, so for w ≥ 0 the
gradient d steps back is at least (1 − z)^d. z = 1 is the plain
scalar RNN.

Truncated BPTT (:func:`rnnlib.rnn_backward_truncated`, sliding
windows of length k): how far its gradient is from the full one, by
relative error and cosine similarity, as k grows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import (
    NumericOverflow,
    as_array,
    as_count,
    as_ndarray,
    as_nonnegative,
    as_scalar,
    check_finite,
    same_shape_arrays,
)
from .gradcheck import rel_error
from .rnn import RNNCache, rnn_backward, rnn_backward_truncated, rnn_forward
from .scalar import _forward

__all__ = [
    "scalar_step_factors",
    "scalar_gradient_products",
    "scaled_orthogonal",
    "long_sequence_problem",
    "hidden_jacobian",
    "jacobian_products",
    "gradient_norms_by_distance",
    "cosine_similarity",
    "TruncationCurve",
    "truncation_curve",
    "scalar_bptt_truncated",
    "GatedForward",
    "GatedGrads",
    "gated_forward",
    "gated_backward",
    "gated_gradient_products",
]


# -- the scalar model ----------------------------------------------------------------------
def scalar_step_factors(fwd):
    """``do_t/do_(t−1) = (1 − o_t²)·w`` for t = 1..T.

    Parameters
    ----------
    fwd : :class:`rnnlib.scalar.Forward`

    Returns
    -------
    ndarray (T,), entry t − 1 is the factor of step t

    Examples
    --------
    The course's worked example (:data:`rnnlib.scalar.EXAMPLE`, u = 0.8,
    w = 0.9), whose states are o_1..o_4 = 0.664, 0.195, 0.673, 0.689:
    the first factor is (1 − 0.664²)·0.9 = 0.503, and the small o_2
    leaves its factor nearest w, (1 − 0.195²)·0.9 = 0.866:

    >>> import numpy as np
    >>> from rnnlib import scalar
    >>> from rnnlib.gradflow import scalar_step_factors
    >>> fwd = scalar.forward(scalar.EXAMPLE["xs"], 0.8, 0.9, 1.5)
    >>> print(np.round(scalar_step_factors(fwd), 3))
    [0.503 0.866 0.493 0.473]
    """
    o = _forward(fwd).o
    return (1.0 - o[1:] ** 2) * fwd.w


def scalar_gradient_products(fwd):
    """``do_T/do_(T−d) = Π_(t = T−d+1..T) (1 − o_t²)·w`` for distances
    d = 0..T.

    The factors of :func:`scalar_step_factors` (same argument ``fwd``),
    multiplied from the last step backwards: returns an ndarray (T + 1,)
    whose entry d is do_T/do_(T−d), entry 0 being do_T/do_T = 1.

    Parameters
    ----------
    fwd : :class:`rnnlib.scalar.Forward`

    Returns
    -------
    ndarray (T + 1,), entry d is do_T/do_(T−d) (entry 0 is 1)

    Examples
    --------
    Inputs 0 keep every o_t = 0, so each factor is (1 − 0²)·w and the
    products are w^d:

    >>> import numpy as np
    >>> from rnnlib import scalar
    >>> from rnnlib.gradflow import scalar_gradient_products
    >>> print(scalar_gradient_products(
    ...     scalar.forward([0.0, 0.0, 0.0], 0.8, 0.5, 1.5)))
    [1.    0.5   0.25  0.125]

    On the worked example, whose step factors are 0.503, 0.866, 0.493,
    0.473 (see :func:`scalar_step_factors`), from the last: 0.473,
    0.473·0.493 = 0.233, 0.233·0.866 = 0.202, 0.202·0.503 = 0.102:

    >>> fwd = scalar.forward(scalar.EXAMPLE["xs"], 0.8, 0.9, 1.5)
    >>> print(np.round(scalar_gradient_products(fwd), 3))
    [1.    0.473 0.233 0.202 0.102]
    """
    factors = scalar_step_factors(fwd)
    return np.concatenate(([1.0], np.cumprod(factors[::-1])))


# -- the matrix model ----------------------------------------------------------------------
def scaled_orthogonal(H, scale, seed=0):
    """A recurrent matrix ``Wh = scale · Q`` with Q a random orthogonal
    (H, H) matrix.

    Every singular value of Wh equals ``scale`` >= 0 (Q from the QR
    factorisation of a Gaussian matrix, columns' signs fixed so that Q
    is uniformly distributed), so ``scale`` alone decides whether
    ‖Wh‖₂ = scale is below or above 1.

    Parameters
    ----------
    H : int ≥ 1, the hidden size
    scale : float ≥ 0, every singular value of Wh
    seed : int ≥ 0, the seed of ``np.random.default_rng`` that draws Q
        (the same seed, the same Q)

    Returns
    -------
    Wh : ndarray (H, H), ``scale · Q`` with ``Q^T Q = I``

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.gradflow import scaled_orthogonal
    >>> Wh = scaled_orthogonal(3, 0.5)
    >>> # every singular value is 0.5
    >>> print(np.round(np.linalg.svd(Wh, compute_uv=False), 6))
    [0.5 0.5 0.5]
    >>> # (0.5 Q)^T (0.5 Q) = 0.25 Q^T Q = 0.25 I
    >>> print(np.allclose(Wh.T @ Wh, 0.25 * np.eye(3)))
    True
    """
    H = as_count("H", H)
    seed = as_count("seed", seed, 0)
    # (-Q has singular values |scale|, not scale: the docstring would be false)
    scale = as_nonnegative("scale", scale, why=" (every singular value of Wh)")
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(H, H)))
    return scale * q * np.sign(np.diag(r))


def long_sequence_problem(scale, H=8, T=20, input_scale=0.05, seed=0):
    """The matrix RNN of lesson 07: one sequence (N = 1) of T steps,
    D = 1 input, H hidden units.

    ``Wh = scaled_orthogonal(H, scale, seed)`` (every singular
    value = ``scale``), ``Wx`` Gaussian times ``input_scale`` (small
    inputs keep tanh unsaturated at first), ``b = 0``, ``h0 = 0``. Two
    losses to send back: ``g_T`` (H,), a unit vector, the gradient of a
    loss that touches only h_T; and ``dh`` (1, T, H), Gaussian, the
    gradient of a loss at every step.

    Parameters
    ----------
    scale : float ≥ 0, every singular value of Wh (see
        :func:`scaled_orthogonal`)
    H : int ≥ 1, the hidden size
    T : int ≥ 1, the number of steps
    input_scale : float, the factor on the standard Gaussian ``Wx``
    seed : int ≥ 0, the seed of ``np.random.default_rng`` for x, Wx,
        g_T and dh, and of :func:`scaled_orthogonal` for Q (one seed,
        one problem)

    Returns
    -------
    dict with ``x`` (1, T, 1), ``h0`` (1, H), ``Wx`` (1, H),
    ``Wh`` (H, H), ``b`` (H,), ``g_T`` (H,), ``dh`` (1, T, H); the same
    for every ``scale`` except ``Wh``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.gradflow import long_sequence_problem
    >>> p = long_sequence_problem(0.9)  # H = 8, T = 20
    >>> print(p["x"].shape, p["Wh"].shape, p["dh"].shape,
    ...       round(float(np.linalg.norm(p["g_T"])), 6))
    (1, 20, 1) (8, 8) (1, 20, 8) 1.0

    Another scale gives the same problem with Wh = scale · Q for the
    same Q:

    >>> q = long_sequence_problem(1.1)
    >>> print(np.allclose(q["Wh"], p["Wh"] * 1.1 / 0.9),
    ...       np.array_equal(q["dh"], p["dh"]))
    True True
    """
    H, T = as_count("H", H), as_count("T", T)
    seed = as_count("seed", seed, 0)
    input_scale = as_scalar("input_scale", input_scale)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, T, 1))
    Wx = input_scale * rng.normal(size=(1, H))
    g_T = rng.normal(size=H)
    dh = rng.normal(size=(1, T, H))
    return {
        "x": x,
        "h0": np.zeros((1, H)),
        "Wx": Wx,
        "Wh": scaled_orthogonal(H, scale, seed),
        "b": np.zeros(H),
        "g_T": g_T / np.linalg.norm(g_T),
        "dh": dh,
    }


def hidden_jacobian(h_t, Wh):
    """The one-step Jacobian
    ``J_t = ∂h_t/∂h_(t−1) = diag(1 − h_t²) · Wh^T``.

    ``J[j, i] = ∂h_(t,j)/∂h_(t−1,i) = (1 − h_(t,j)²) Wh[i, j]`` for the
    row-vector model ``h_t = tanh(x_t Wx + h_(t−1) Wh + b)``.

    Parameters
    ----------
    h_t : ndarray (H,) or (N, H), the hidden state *after* the step
    Wh : ndarray (H, H)

    Returns
    -------
    ndarray (H, H), or (N, H, H) for a batch

    Examples
    --------
    h_t = (0.6, 0.8), so 1 − h_t² = (0.64, 0.36) scales the rows of
    Wh^T = [[1, 3], [2, 4]]:

    >>> import numpy as np
    >>> from rnnlib.gradflow import hidden_jacobian
    >>> Wh = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> # (0.64·1, 0.64·3), ...
    >>> print(np.round(hidden_jacobian(np.array([0.6, 0.8]), Wh), 2))
    [[0.64 1.92]
     [0.72 1.44]]
    >>> # a batch of N = 5 states, all 0: tanh' = 1
    >>> J = hidden_jacobian(np.zeros((5, 2)), Wh)
    >>> print(J.shape, np.array_equal(J[0], Wh.T))
    (5, 2, 2) True
    """
    h_t, Wh = as_array("h_t", h_t), as_array("Wh", Wh)
    if Wh.ndim != 2 or Wh.shape[0] != Wh.shape[1]:
        raise ValueError(f"Wh: expected a square array of shape (H, H), got shape {Wh.shape}")
    H = Wh.shape[0]
    if h_t.ndim not in (1, 2) or h_t.shape[-1] != H:
        raise ValueError(f"h_t: expected shape (H,) = ({H},) or (N, H), got shape {h_t.shape}")
    check_finite("h_t", h_t)
    check_finite("Wh", Wh)
    return (1.0 - h_t**2)[..., :, None] * Wh.T


def _states(hs, Wh):
    hs, Wh = as_array("hs", hs), as_array("Wh", Wh)
    if Wh.ndim != 2 or Wh.shape[0] != Wh.shape[1]:
        raise ValueError(f"Wh: expected a square array of shape (H, H), got shape {Wh.shape}")
    H = Wh.shape[0]
    if hs.ndim != 2 or hs.shape[1] != H or hs.shape[0] < 1:
        raise ValueError(
            f"hs: expected the states h_0..h_T of one sequence, shape (T + 1, H) = (T + 1, {H}), "
            f"got shape {hs.shape}"
        )
    check_finite("hs", hs)
    check_finite("Wh", Wh)
    return hs, Wh


def jacobian_products(hs, Wh):
    """``∂h_T/∂h_(T−d) = J_T J_(T−1) ⋯ J_(T−d+1)`` for d = 0..T, as true
    matrix products.

    Parameters
    ----------
    hs : ndarray (T + 1, H), the states h_0..h_T of one sequence (e.g.
        ``cache.hs[:, n]``)
    Wh : ndarray (H, H)

    Returns
    -------
    ndarray (T + 1, H, H), entry d is ∂h_T/∂h_(T−d) (entry 0 is the
        identity)

    Examples
    --------
    T = 3 steps with every state 0, so every J_t = Wh^T = diag(0.5, 2)
    and ∂h_3/∂h_0 = diag(0.5³, 2³): one direction vanishes, the other
    explodes:

    >>> import numpy as np
    >>> from rnnlib.gradflow import hidden_jacobian, jacobian_products
    >>> P = jacobian_products(np.zeros((4, 2)), np.diag([0.5, 2.0]))
    >>> print(P.shape)
    (4, 2, 2)
    >>> print(P[3])
    [[0.125 0.   ]
     [0.    8.   ]]

    The later Jacobian stands on the left, ∂h_2/∂h_0 = J_2 J_1 (and
    J_1 J_2 is another matrix):

    >>> rng = np.random.default_rng(0)
    >>> hs = rng.uniform(-1, 1, size=(3, 2))
    >>> Wh = rng.normal(size=(2, 2))
    >>> J1, J2 = hidden_jacobian(hs[1], Wh), hidden_jacobian(hs[2], Wh)
    >>> print(np.allclose(jacobian_products(hs, Wh)[2], J2 @ J1),
    ...       np.allclose(J2 @ J1, J1 @ J2))
    True False
    """
    hs, Wh = _states(hs, Wh)
    T, H = hs.shape[0] - 1, hs.shape[1]
    J = hidden_jacobian(hs[1:], Wh)  # J[t − 1] = J_t, t = 1..T
    out = np.empty((T + 1, H, H))
    out[0] = np.eye(H)
    for d in range(1, T + 1):
        out[d] = out[d - 1] @ J[T - d]  # (J_T ⋯ J_(T−d+2)) J_(T−d+1)
    return out


def gradient_norms_by_distance(hs, Wh, g_T):
    """``‖∂L/∂h_(T−d)‖`` for d = 0..T when the loss touches only h_T, with
    ∂L/∂h_T = g_T.

    The gradient travels back one step at a time, ``g_(t−1) = g_t J_t``
    (a vector–Jacobian product, as BPTT computes it; it equals
    ``g_T @ jacobian_products(hs, Wh)[d]``).

    Parameters
    ----------
    hs : ndarray (T + 1, H), states h_0..h_T of one sequence
    Wh : ndarray (H, H)
    g_T : ndarray (H,)

    Returns
    -------
    ndarray (T + 1,), entry d is ‖g_(T−d)‖

    Examples
    --------
    T = 3 steps with every state 0 (tanh' = 1), so each step back is
    ``g @ Wh.T``; with Wh = 0.5·Q, Q orthogonal, that keeps the
    direction's length but for the factor 0.5:
    ‖g_T‖ = √(0.6² + 0.8²) = 1, then 0.5, 0.25, 0.125:

    >>> import numpy as np
    >>> from rnnlib.gradflow import (
    ...     gradient_norms_by_distance, scaled_orthogonal)
    >>> Wh, g_T = scaled_orthogonal(2, 0.5), np.array([0.6, 0.8])
    >>> print(np.round(
    ...     gradient_norms_by_distance(np.zeros((4, 2)), Wh, g_T), 6))
    [1.    0.5   0.25  0.125]
    """
    hs, Wh = _states(hs, Wh)
    g = as_array("g_T", g_T)
    if g.shape != (hs.shape[1],):
        raise ValueError(f"g_T: expected shape (H,) = ({hs.shape[1]},), got shape {g.shape}")
    check_finite("g_T", g)
    T = hs.shape[0] - 1
    norms = np.empty(T + 1)
    norms[0] = np.linalg.norm(g)
    for d in range(1, T + 1):
        h = hs[T - d + 1]
        g = (g * (1.0 - h * h)) @ Wh.T  # g_(t−1) = g_t diag(1 − h_t²) Wh^T
        norms[d] = np.linalg.norm(g)
    return norms


# -- truncated BPTT against the full gradient ------------------------------------------------
def cosine_similarity(a, b):
    """``cos θ = <a, b> / (‖a‖ ‖b‖)`` over all entries (1: same direction;
    0 if either is 0).

    ``a`` and ``b`` are finite arrays of the same shape (as for
    :func:`rnnlib.rel_error`). Each is divided by its largest |entry|
    first, which leaves cos θ unchanged and keeps ``<a, b>`` and the
    norms from overflowing.

    Parameters
    ----------
    a, b : array_like, the same shape (any), e.g. a truncated gradient
        and the full one

    Returns
    -------
    float, cos θ between −1 and 1 (up to round-off), 0.0 if a or b is
        all zeros

    Examples
    --------
    >>> from rnnlib.gradflow import cosine_similarity
    >>> # 1 / (1·√2): 45 degrees apart
    >>> print(round(cosine_similarity([1.0, 0.0], [1.0, 1.0]), 4))
    0.7071
    >>> # b = -2a: opposite ways
    >>> print(round(cosine_similarity([1.0, 2.0], [-2.0, -4.0]), 4))
    -1.0
    >>> print(cosine_similarity([1.0, 0.0], [0.0, 1.0]),
    ...       cosine_similarity([0.0, 0.0], [1.0, 1.0]))
    0.0 0.0
    """
    a, b = same_shape_arrays(a=a, b=b)
    a, b = a.ravel(), b.ravel()
    if a.size:
        a = a / max(np.max(np.abs(a)), np.finfo(float).tiny)
        b = b / max(np.max(np.abs(b)), np.finfo(float).tiny)
    den = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / den) if den > 0 else 0.0


class TruncationCurve(NamedTuple):
    """Truncated against full BPTT, for each window length ``ks[i]``: the
    relative error ``rel_error(g_k, g)`` and the cosine similarity
    ``cos(g_k, g)``, where g is the full gradient of (Wx, Wh, b)
    flattened into one vector and g_k the truncated one."""

    ks: np.ndarray
    rel_errors: np.ndarray
    cosines: np.ndarray


def truncation_curve(dh, cache, ks):
    """How far :func:`rnnlib.rnn_backward_truncated` is from
    :func:`rnnlib.rnn_backward`.

    Every window length at once. BPTT(k) sends the gradient of the loss
    at step t back k steps (to a_t, ..., a_(t−k+1)), so what it gives
    the weights is the sum of what every loss's gradient gives them in
    its first k steps back. Walking all the losses' gradients back
    together, one step a pass (after j passes the one from step t has
    reached h_(t−j)), and adding up as it goes, pass k leaves exactly
    BPTT(k)'s weight gradients: T passes, each a few products over all
    the steps, instead of one call of
    :func:`rnnlib.rnn_backward_truncated` (T·k steps) for every k. A
    test holds it equal to that function for every k.

    Parameters
    ----------
    dh : ndarray (N, T, H), the upstream gradient of every h_t
    cache : :class:`rnnlib.RNNCache` from :func:`rnnlib.rnn_forward`
    ks : sequence of int ≥ 1, window lengths

    Returns
    -------
    :class:`TruncationCurve`

    Examples
    --------
    The sequence of :func:`rnnlib.rnn_backward`'s example (a loss on
    h_3; every input and state 0, Wh = 0.5): the gradient of
    (Wx, Wh, b) is (0, 0, db), with db = 1.75 in full and 1, 1.5, 1.75
    for k = 1, 2, 3. So the relative error is |1 − 1.75| / (1 + 1.75)
    = 3/11, then 0.25 / 3.25 = 1/13, then 0, and every truncated
    gradient points the right way, only shorter:

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_forward
    >>> from rnnlib.gradflow import truncation_curve
    >>> h, cache = rnn_forward(np.zeros((1, 3, 1)), [[0.0]],
    ...                        [[1.0]], [[0.5]], [0.0])
    >>> curve = truncation_curve(np.array([[[0.0], [0.0], [1.0]]]),
    ...                          cache, [1, 2, 3])
    >>> print(np.round(curve.rel_errors, 4), curve.cosines)
    [0.2727 0.0769 0.    ] [1. 1. 1.]
    """
    if not isinstance(cache, RNNCache):
        raise ValueError(
            f"cache: expected the RNNCache of rnnlib.rnn_forward, got {type(cache).__name__}"
        )
    ks = as_ndarray("ks", ks, "a 1-d sequence of integers >= 1")
    if ks.ndim != 1 or ks.size == 0 or ks.dtype.kind not in "iu" or ks.min() < 1:
        raise ValueError(f"ks: expected a 1-d sequence of integers >= 1, got {ks!r}")
    full = np.concatenate([g.ravel() for g in rnn_backward(dh, cache)[2:]])  # checks dh too
    x, hs, Wx, Wh = cache
    N, T, D = x.shape
    H = Wh.shape[0]
    wanted = {min(int(k), T) for k in ks}  # a window of T steps or more is full BPTT
    x = x.transpose(1, 0, 2)  # x[t - 1] = x_t, (N, D), as hs[t] = h_t
    g = as_array("dh", dh).transpose(1, 0, 2)  # g[s - 1]: what has reached h_s, (N, H)
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    truncated = {}
    for k in range(1, max(wanted) + 1):  # pass k: the gradients take their k-th step back
        S = T - k + 1  # they are at h_1, ..., h_S (from the losses at steps k, ..., T)
        da = (g * (1.0 - hs[1 : S + 1] ** 2)).reshape(S * N, H)  # da_s for s = 1..S
        dWx = dWx + x[:S].reshape(S * N, D).T.dot(da)  # Σ_s x_s^T da_s
        dWh = dWh + hs[:S].reshape(S * N, H).T.dot(da)  # Σ_s h_(s−1)^T da_s
        db = db + da.sum(axis=0)
        if k in wanted:
            truncated[k] = np.concatenate([dWx.ravel(), dWh.ravel(), db])
        g = da.reshape(S, N, H)[1:].dot(Wh.T)  # on to h_(s−1); what reaches h_0 stops there
    errs, coss = [], []
    for k in ks:
        errs.append(rel_error(truncated[min(int(k), T)], full))
        coss.append(cosine_similarity(truncated[min(int(k), T)], full))
    return TruncationCurve(ks.astype(int), np.array(errs), np.array(coss))


def scalar_bptt_truncated(xs, ys, u, w, v, k):
    """Truncated BPTT(k) for the scalar model with a target at every step.

    The scalar RNN is the matrix RNN with one unit (D = H = 1,
    Wx = [[u]], Wh = [[w]], b = 0), so this runs
    :func:`rnnlib.rnn_backward_truncated` on it: the error of step t,
    dL_t/do_t = (ŷ_t − y_t)·v, reaches the copies of u and w at steps
    t, t−1, …, t−k+1 and no earlier ones. dL/dv = Σ_t (ŷ_t − y_t)·o_t
    does not go back in time, so k does not change it.

    Parameters
    ----------
    xs, ys : ndarray (T,), inputs and one target a step
    u, w, v : float
    k : int ≥ 1

    Returns
    -------
    (dL/du, dL/dw, dL/dv) : floats, equal to :func:`rnnlib.scalar.bptt`
        with ``ys`` for k ≥ T

    Examples
    --------
    The worked example's inputs and weights with a target of 0.5 at
    every step. With k ≥ T = 4 it is full BPTT; with k = 1 each step's
    error reaches only its own step's copies of u and w, so dL/dw falls
    from 0.565 to 0.166, and dL/dv, which does not go back in time,
    stays 0.998:

    >>> import numpy as np
    >>> from rnnlib import scalar
    >>> from rnnlib.gradflow import scalar_bptt_truncated
    >>> xs, ys = scalar.EXAMPLE["xs"], [0.5, 0.5, 0.5, 0.5]
    >>> full = scalar.bptt(xs, ys, 0.8, 0.9, 1.5)
    >>> print(np.allclose(
    ...     scalar_bptt_truncated(xs, ys, 0.8, 0.9, 1.5, k=4), full))
    True
    >>> print(np.round(full, 3), np.round(
    ...     scalar_bptt_truncated(xs, ys, 0.8, 0.9, 1.5, k=1), 3))
    [1.043 0.565 0.998] [1.026 0.166 0.998]
    """
    xs = as_array("xs", xs)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"xs: expected shape (T,) with T >= 1, got shape {xs.shape}")
    check_finite("xs", xs)
    ys = as_array("ys", ys)
    if ys.shape != xs.shape:
        raise ValueError(f"ys: expected one target a step, shape (T,) = {xs.shape}, got {ys.shape}")
    check_finite("ys", ys)
    u, w, v = as_scalar("u", u), as_scalar("w", w), as_scalar("v", v)
    T = xs.size
    h, cache = rnn_forward(xs.reshape(1, T, 1), np.zeros((1, 1)), [[u]], [[w]], [0.0])
    o = h.ravel()
    err = v * o - ys  # ŷ_t − y_t
    dh = (err * v).reshape(1, T, 1)  # each step's own dL_t/do_t
    _, _, dWx, dWh, _ = rnn_backward_truncated(dh, cache, k)
    return float(dWx[0, 0]), float(dWh[0, 0]), float(err @ o)


# -- a scalar gated unit: the additive path -------------------------------------------------
class GatedForward(NamedTuple):
    """The forward pass of the scalar gated unit: ``o`` (T + 1,) =
    o_0..o_T, ``c`` (T,) the candidates c_t = tanh(u·x_t + w·o_(t−1))
    for t = 1..T, and the inputs and weights."""

    xs: np.ndarray
    u: float
    w: float
    z: float
    o: np.ndarray
    c: np.ndarray


class GatedGrads(NamedTuple):
    """Gradients of L = ½(v·o_T − y)² through the gated unit: ``du``,
    ``dw``, ``dz``, ``dv`` (floats) and ``deltas`` (T + 1,), entry
    t = dL/do_t."""

    du: float
    dw: float
    dz: float
    dv: float
    deltas: np.ndarray


def gated_forward(xs, u, w, z, o0=0.0):
    """The scalar gated unit
    ``o_t = (1 − z)·o_(t−1) + z·tanh(u·x_t + w·o_(t−1))``.

    Parameters
    ----------
    xs : ndarray (T,), the inputs
    u, w : float, input and recurrent weight
    z : float in (0, 1], the gate (z = 1: the plain scalar RNN)
    o0 : float, the initial state

    Returns
    -------
    :class:`GatedForward`

    Examples
    --------
    With u·x_t = ln 3 and w = 0 every candidate is c_t = tanh(ln 3) =
    (3 − ⅓)/(3 + ⅓) = 0.8, and the gate z = 0.5 moves the state half-way
    to it: o_1 = 0.5·0 + 0.5·0.8 = 0.4, o_2 = 0.5·0.4 + 0.5·0.8 = 0.6:

    >>> import numpy as np
    >>> from rnnlib import scalar
    >>> from rnnlib.gradflow import gated_forward
    >>> fwd = gated_forward(np.log([3.0, 3.0]), u=1.0, w=0.0, z=0.5)
    >>> print(np.round(fwd.c, 3), np.round(fwd.o, 3))
    [0.8 0.8] [0.  0.4 0.6]

    z = 1 is the plain scalar RNN:

    >>> fwd = gated_forward(scalar.EXAMPLE["xs"], 0.8, 0.9, z=1.0)
    >>> print(np.allclose(fwd.o, scalar.forward(
    ...     scalar.EXAMPLE["xs"], 0.8, 0.9, 1.5).o))
    True
    """
    xs = as_array("xs", xs)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"xs: expected shape (T,) with T >= 1, got shape {xs.shape}")
    check_finite("xs", xs)
    u, w, z, o0 = as_scalar("u", u), as_scalar("w", w), as_scalar("z", z), as_scalar("o0", o0)
    if not 0.0 < z <= 1.0:
        raise ValueError(f"z: expected a gate in (0, 1], got {z}")
    T = xs.size
    o, c = np.empty(T + 1), np.empty(T)
    o[0] = o0
    a = np.empty(T)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        for t in range(1, T + 1):
            a[t - 1] = u * xs[t - 1] + w * o[t - 1]
            c[t - 1] = np.tanh(a[t - 1])
            o[t] = (1.0 - z) * o[t - 1] + z * c[t - 1]
    if not np.isfinite(a).all():
        raise NumericOverflow(
            "a_t: u·x_t + w·o_(t−1) overflows float64 (it exceeds 1.8e308): the weights or "
            "inputs are far too large"
        )
    return GatedForward(xs, u, w, z, o, c)


def _gated(fwd):
    if not isinstance(fwd, GatedForward):
        raise ValueError(f"fwd: expected the result of gated_forward, got {type(fwd).__name__}")
    return fwd


def gated_backward(fwd, y, v):
    """BPTT through the gated unit for ``L = ½(v·o_T − y)²``.

    With δ_t = dL/do_t, δ_T = (v·o_T − y)·v and, for t = T..1::

        dL/du   += δ_t·z·(1 − c_t²)·x_t,
        dL/dw   += δ_t·z·(1 − c_t²)·o_(t−1),
        dL/dz   += δ_t·(c_t − o_(t−1)),
        δ_(t−1)  = δ_t·((1 − z) + z·(1 − c_t²)·w)

    Parameters
    ----------
    fwd : :class:`GatedForward`
    y, v : float, the target and the output weight

    Returns
    -------
    :class:`GatedGrads`

    Examples
    --------
    The unit of :func:`gated_forward`'s example (c_1 = c_2 = 0.8,
    o = 0, 0.4, 0.6, z = 0.5, w = 0), with v = 1 and y = 0.1:
    ŷ − y = 0.5, so δ_2 = 0.5 and dL/dv = 0.5·0.6 = 0.3. With w = 0
    only the additive road carries δ back, times 1 − z = 0.5 a step:
    δ_1 = 0.25, δ_0 = 0.125. dL/dz = 0.5·(0.8 − 0.4) + 0.25·(0.8 − 0)
    = 0.4, and dL/dw = 0.5·0.5·(1 − 0.64)·0.4 = 0.036 (step 1 adds
    δ_1·z·(1 − c_1²)·o_0 = 0):

    >>> import numpy as np
    >>> from rnnlib.gradflow import gated_forward, gated_backward
    >>> g = gated_backward(
    ...     gated_forward(np.log([3.0, 3.0]), 1.0, 0.0, 0.5),
    ...     y=0.1, v=1.0)
    >>> print(np.round(g.deltas, 4), round(g.dz, 4), round(g.dw, 4),
    ...       round(g.dv, 4))
    [0.125 0.25  0.5  ] 0.4 0.036 0.3
    """
    fwd = _gated(fwd)
    y, v = as_scalar("y", y), as_scalar("v", v)
    o, c, z, T = fwd.o, fwd.c, fwd.z, fwd.xs.size
    deltas = np.zeros(T + 1)
    du = dw = dz = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        err = v * o[T] - y
        deltas[T] = err * v
        for t in range(T, 0, -1):
            d = deltas[t]
            slope = 1.0 - c[t - 1] ** 2
            du += d * z * slope * fwd.xs[t - 1]
            dw += d * z * slope * o[t - 1]
            dz += d * (c[t - 1] - o[t - 1])
            deltas[t - 1] = d * ((1.0 - z) + z * slope * fwd.w)
        dv = err * o[T]
    if not (np.isfinite(deltas).all() and np.isfinite([du, dw, dz, dv]).all()):
        raise NumericOverflow(
            f"gated_backward: the gradient overflows float64 (v·o_T − y = {err:.3g}, v = {v:.3g}, "
            f"w = {fwd.w:.3g}): the weights or inputs are far too large"
        )
    return GatedGrads(float(du), float(dw), float(dz), float(dv), deltas)


def gated_gradient_products(fwd):
    """``do_T/do_(T−d) = Π_(t = T−d+1..T) ((1 − z) + z·(1 − c_t²)·w)`` for
    d = 0..T.

    Parameters
    ----------
    fwd : :class:`GatedForward`

    Returns
    -------
    ndarray (T + 1,), entry d is do_T/do_(T−d) (entry 0 is 1)

    Examples
    --------
    With w = 0 each factor is (1 − z) + 0 = 0.5
    (:func:`gated_forward`'s example):

    >>> import numpy as np
    >>> from rnnlib import scalar
    >>> from rnnlib.gradflow import (
    ...     gated_forward, gated_gradient_products)
    >>> print(gated_gradient_products(
    ...     gated_forward(np.log([3.0, 3.0]), 1.0, 0.0, 0.5)))
    [1.   0.5  0.25]

    For w ≥ 0 every factor is at least 1 − z, so the product d steps
    back is at least (1 − z)^d, however saturated the tanh (here the
    worked example with z = 0.5):

    >>> p = gated_gradient_products(
    ...     gated_forward(scalar.EXAMPLE["xs"], 0.8, 0.9, z=0.5))
    >>> print(bool(np.all(p >= 0.5 ** np.arange(5))))
    True
    """
    fwd = _gated(fwd)
    factors = (1.0 - fwd.z) + fwd.z * (1.0 - fwd.c**2) * fwd.w
    return np.concatenate(([1.0], np.cumprod(factors[::-1])))
