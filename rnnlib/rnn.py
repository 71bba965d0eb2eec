"""The vectorised RNN over a batch (lesson 06): one step forward and
back, then a whole sequence.

Model, for a batch of N sequences of length T with D inputs and H
hidden units::

    a_t = x_t Wx + h_(t-1) Wh + b        (N, H)
    h_t = tanh(a_t)                      (N, H)

with ``x`` (N, T, D), ``h0`` (N, H), ``Wx`` (D, H), ``Wh`` (H, H),
``b`` (H,). One step backward, with ``g`` the gradient of the loss
with respect to h_t::

    da      = g * (1 - h_t**2)           (tanh' = 1 - tanh²)
    dx_t    = da Wx^T      dh_(t-1) = da Wh^T
    dWx     = x_t^T da     dWh      = h_(t-1)^T da      db = Σ_n da

A sequence is a loop of steps. Backward, the gradient reaching h_t
is what comes from the loss at step t plus what comes back from step
t + 1, ``g_t = dh_t + da_(t+1) Wh^T``, and the shared weights get
the *sum* of their per-step gradients (weight sharing, lesson 04):
``dWh += ...``.

Inside the loops a product is written ``a.dot(b)``, as in CS231n:
the same matrix product as ``a @ b``, whose call costs a little more
in numpy 2 (0.3–1 µs, by machine: ``make bench`` measures it,
benchmarks/RESULTS.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import (
    NumericOverflow,
    all_finite,
    as_array,
    as_count,
    check_finite,
    checked_arrays,
    describe,
)

__all__ = [
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "rnn_backward_truncated",
    "RNNCache",
]


# -- one step -------------------------------------------------------------------------------
def _step_forward(xw, h_prev, Wh):
    """``h_next = tanh(xw + h_prev Wh)``, where ``xw = x Wx + b`` is the
    step's projected input."""
    return np.tanh(xw + h_prev.dot(Wh))


def _step_backward(dh_next, h_prev, h_next, Wh):
    """Back through ``h_next = tanh(xw + h_prev Wh)``: returns
    ``(da, dh_prev, dWh)``.

    ``da`` is the gradient of the pre-activation ``a = xw + h_prev Wh``;
    the input side (``dx = da Wx^T``, ``dWx = x^T da``,
    ``db = Σ_n da``) follows from it.
    """
    da = dh_next * (1.0 - h_next**2)  # tanh'(a) = 1 - h_next²
    return da, da.dot(Wh.T), h_prev.T.dot(da)


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One step forward: ``h_next = tanh(x Wx + h_prev Wh + b)``.

    Parameters
    ----------
    x : ndarray (N, D), this step's input, a row for each of the
        N sequences
    h_prev : ndarray (N, H), the previous hidden state
    Wx, Wh, b : ndarray (D, H), (H, H) and (H,), the weights (as in
        :func:`rnn_forward`)

    Returns
    -------
    h_next : ndarray (N, H)
    cache : tuple ``(x, h_prev, Wx, Wh, h_next)`` for
        :func:`rnn_step_backward` (with a copy of h_next: changing the
        h_next returned does not change the cache)

    Examples
    --------
    N = 2 sequences, D = 1, H = 2; with Wh = I, ``h_prev Wh`` is
    h_prev itself:

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_step_forward
    >>> x = np.array([[1.0], [1.0]])
    >>> h_prev = np.array([[0.0, 0.0], [0.5, -0.5]])
    >>> Wx, Wh, b = np.array([[0.5, -0.5]]), np.eye(2), np.zeros(2)
    >>> h_next, cache = rnn_step_forward(x, h_prev, Wx, Wh, b)
    >>> # a = (0.5, -0.5) and (0.5 + 0.5, -0.5 - 0.5); tanh(1) = 0.762
    >>> print(np.round(h_next, 3))
    [[ 0.462 -0.462]
     [ 0.762 -0.762]]
    """
    (x, h_prev, Wx, Wh, b), _ = checked_arrays(
        x=(x, "ND"), h_prev=(h_prev, "NH"), Wx=(Wx, "DH"), Wh=(Wh, "HH"), b=(b, "H")
    )
    h_next = _step_forward(x @ Wx + b, h_prev, Wh)
    _finite_states(h_next)
    return h_next, (x, h_prev, Wx, Wh, h_next.copy())


def rnn_step_backward(dh_next, cache):
    """One step backward through ``h_next = tanh(x Wx + h_prev Wh + b)``.

    Parameters
    ----------
    dh_next : ndarray (N, H), the gradient of the loss
        with respect to h_next
    cache : the tuple returned by :func:`rnn_step_forward`

    Returns
    -------
    dx : (N, D) ``= da Wx^T``
    dh_prev : (N, H) ``= da Wh^T``
    dWx : (D, H) ``= x^T da``
    dWh : (H, H) ``= h_prev^T da``
    db : (H,) ``= Σ_n da``
        where ``da = dh_next * (1 − h_next²)``.

    Examples
    --------
    One sequence, H = 2, states chosen so that 1 − h² is exact:
    tanh(ln 2) = (2 − ½)/(2 + ½) = 0.6 and
    tanh(ln 3) = (3 − ⅓)/(3 + ⅓) = 0.8, so 1 − h_next² = (0.64, 0.36):

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_step_forward, rnn_step_backward
    >>> Wh = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> h_next, cache = rnn_step_forward(
    ...     [[1.0]], [[0.0, 0.0]], np.log([[2.0, 3.0]]), Wh, [0, 0]
    ... )
    >>> dh_next = np.array([[1.0, -1.0]])
    >>> dx, dh_prev, dWx, dWh, db = rnn_step_backward(dh_next, cache)
    >>> # da = (1, -1) * (0.64, 0.36); one sequence, so db = da
    >>> print(np.round(db, 3))
    [ 0.64 -0.36]
    >>> # da Wh^T = (0.64 + 0.36, -0.64 - 0.36)
    >>> print(np.round(dh_prev, 3))
    [[ 1. -1.]]
    """
    x, h_prev, Wx, Wh, h_next = _unpack(cache, "rnn_step_forward", 5)
    dh_next = _upstream("dh_next", dh_next, h_next.shape, "(N, H)", "the shape of h_next")
    da, dh_prev, dWh = _step_backward(dh_next, h_prev, h_next, Wh)
    dx, dWx, db = da @ Wx.T, x.T @ da, da.sum(axis=0)
    return _finite_grads(dx=dx, dh_prev=dh_prev, dWx=dWx, dWh=dWh, db=db)


# -- a whole sequence -----------------------------------------------------------------------
class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from :func:`rnn_forward`.

    ``x`` (N, T, D) the inputs; ``hs`` (T + 1, N, H) the hidden states
    in time order, ``hs[0] = h0`` and ``hs[t] = h_t``; the weights
    ``Wx`` and ``Wh``.
    """

    x: np.ndarray
    hs: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def rnn_forward(x, h0, Wx, Wh, b):
    """Run the RNN over a whole sequence:
    ``h_t = tanh(x_t Wx + h_(t-1) Wh + b)``, t = 1..T.

    The input projection ``x_t Wx + b`` of every step is one matrix
    product; only the recurrence ``h_(t-1) Wh`` has to go step by step.
    (Written on x as a 2-d matrix, its N·T rows in time order: numpy's
    ``@`` on a 3-d array makes one BLAS call per sequence, which cannot
    share out the work over BLAS threads, and each step then reads one
    contiguous block.)

    Parameters
    ----------
    x : ndarray (N, T, D), N ≥ 1 sequences of T ≥ 1 inputs of size D
    h0 : ndarray (N, H), the state before the first step
    Wx : ndarray (D, H), input-to-hidden weights
    Wh : ndarray (H, H), hidden-to-hidden weights, the same at
        every step
    b : ndarray (H,), the bias

    Returns
    -------
    h : ndarray (N, T, H), every hidden state (read-only: it shares its
        numbers with the cache, so ``h *= 2`` would change what
        :func:`rnn_backward` computes; ``h.copy()`` to change it)
    cache : :class:`RNNCache`

    Examples
    --------
    N = 2, T = 3, D = 1, H = 2; with Wh = 0 no step sees the one
    before, so every h_t is tanh(x_t Wx) = tanh(1·(0.5, −0.5)) =
    (0.462, −0.462):

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_forward
    >>> Wx = np.array([[0.5, -0.5]])
    >>> Wh, b = np.zeros((2, 2)), np.zeros(2)
    >>> x, h0 = np.ones((2, 3, 1)), np.zeros((2, 2))
    >>> h, cache = rnn_forward(x, h0, Wx, Wh, b)
    >>> # (N, T, H), and h_0..h_T: (T + 1, N, H)
    >>> print(h.shape, cache.hs.shape)
    (2, 3, 2) (4, 2, 2)
    >>> # sequence 2: the same state at every step
    >>> print(np.round(h[1], 3))
    [[ 0.462 -0.462]
     [ 0.462 -0.462]
     [ 0.462 -0.462]]

    With N = 1 and D = H = 1 it is the scalar RNN of
    :mod:`rnnlib.scalar` (Wx = u, Wh = w), here on its worked example:
    o_1 = tanh(0.8·1.0) = 0.664, o_2 = tanh(0.8·(−0.5) + 0.9·0.664) =
    tanh(0.198) = 0.195, o_3 = tanh(0.64 + 0.176) = 0.673,
    o_4 = tanh(0.24 + 0.605) = 0.689:

    >>> x = [[[1.0], [-0.5], [0.8], [0.3]]]
    >>> h, _ = rnn_forward(x, [[0.0]], [[0.8]], [[0.9]], [0.0])
    >>> print(np.round(h.ravel(), 3))
    [0.664 0.195 0.673 0.689]
    """
    (x, h0, Wx, Wh, b), sizes = checked_arrays(
        x=(x, "NTD"), h0=(h0, "NH"), Wx=(Wx, "DH"), Wh=(Wh, "HH"), b=(b, "H")
    )
    N, T, D, H = sizes["N"], sizes["T"], sizes["D"], sizes["H"]
    _some_steps(x)
    # x_t Wx + b for every step at once: one product over the N·T rows of x, step by step, so
    # that xw[t - 1] is step t's (N, H) block, as hs[t] is h_t
    xw = (x.transpose(1, 0, 2).reshape(T * N, D).dot(Wx) + b).reshape(T, N, H)
    hs = np.empty((T + 1, N, H), np.result_type(xw, h0, Wh))  # hs[t] = h_t, in time order
    hs[0] = h0
    for t in range(1, T + 1):
        hs[t] = _step_forward(xw[t - 1], hs[t - 1], Wh)  # h_t = tanh(x_t Wx + b + h_(t-1) Wh)
    _finite_states(hs)
    h = hs[1:].transpose(1, 0, 2)  # every h_t, (N, T, H): a view of the cache's states ...
    h.flags.writeable = False  # ... read-only, so that changing h cannot change rnn_backward's
    return h, RNNCache(x, hs, Wx, Wh)


def rnn_backward(dh, cache):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dh : ndarray (N, T, H)
        Upstream gradient of every hidden state h_t (from the loss at
        each step; zeros where a step has no loss of its own).
    cache : :class:`RNNCache` from :func:`rnn_forward`

    Returns
    -------
    dx : (N, T, D)
    dh0 : (N, H)
    dWx : (D, H)
    dWh : (H, H)
    db : (H,)

    Notes
    -----
    A loop of step backwards from t = T down to 1, carrying ``dh_prev``
    (what reaches h_(t−1)) and adding each step's ``dWh``. The input
    side of every step (dx, dWx, db) depends only on that step's ``da``,
    so it is formed after the loop in one product each, like the
    forward's input projection.

    Examples
    --------
    One sequence of T = 3 steps, H = 1, a loss on h_3 only. Every state
    is 0 (x = 0, h0 = 0, b = 0), so tanh' = 1 and each step back
    multiplies by Wh^T = 0.5: da_3, da_2, da_1 = 1, 0.5, 0.25, and
    dh0 = 0.25 · 0.5:

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_forward, rnn_backward
    >>> x = np.zeros((1, 3, 1))
    >>> h, cache = rnn_forward(x, [[0.0]], [[1.0]], [[0.5]], [0.0])
    >>> dh = np.array([[[0.0], [0.0], [1.0]]])
    >>> dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)
    >>> # dx_t = da_t Wx^T = da_t; db = 1 + 0.5 + 0.25
    >>> print(dx.ravel(), dh0.ravel(), db)
    [0.25 0.5  1.  ] [0.125] [1.75]
    """
    x, hs, Wx, Wh = _unpack(cache, "rnn_forward", 4)
    T, N, H = len(hs) - 1, hs.shape[1], hs.shape[2]  # hs: h_0, ..., h_T
    dh = _upstream("dh", dh, (N, T, H), "(N, T, H)", "the shape of h")
    dtype = np.result_type(dh, hs)
    da = np.empty(dh.shape, dtype)  # da[:, t - 1]: step t's dL/da_t
    dWh = np.zeros(Wh.shape, dtype)
    dh_prev = np.zeros((N, H), dtype)  # nothing comes from after step T
    for t in range(T, 0, -1):  # t = T, ..., 1
        # from the loss at step t, and back from step t + 1:
        g = dh[:, t - 1] + dh_prev
        da_t, dh_prev, dWh_t = _step_backward(g, hs[t - 1], hs[t], Wh)
        da[:, t - 1] = da_t
        dWh += dWh_t  # Wh is shared: every step's copy adds its share
    dx, dWx, db = _input_side(x, da, Wx)
    return _finite_grads(dx=dx, dh0=dh_prev, dWx=dWx, dWh=dWh, db=db)


def rnn_backward_truncated(dh, cache, k):
    """Truncated BPTT: each upstream gradient dh_t travels back
    at most ``k`` steps.

    Definition used (the "sliding window" BPTT(k) of Williams &
    Peng): the gradient of ``Σ_t <dh_t, h̃_t>``, where ``h̃_t`` is
    recomputed over the steps ``t−k+1, …, t`` from the state
    ``h_(t−k)`` held constant (a stop-gradient), except that ``h0``
    (for ``t ≤ k``) is the variable it always is. So ``dh_t``
    reaches ``a_t, a_(t−1), …, a_(t−k+1)`` and stops at the state
    ``h_(t−k)`` that the earliest of those steps reads (a constant
    there, so what arrives at it is dropped, unless it is ``h0``):
    the weights get their copies at steps ``t−k+1..t``, and ``dh0``
    collects from every step ``t ≤ k`` (``∂h_t/∂h0`` included). With
    ``k = 1`` each ``dh_t`` reaches only its own step's ``a_t``
    (and, for ``t = 1``, ``h0``). For ``k ≥ T`` this is exactly
    :func:`rnn_backward`. Cost O(T·k) steps.

    (The other common definition, splitting the sequence into windows
    of length k and not backpropagating across window boundaries, is
    what chunked training does; lesson 07 discusses both.)

    Parameters
    ----------
    dh : ndarray (N, T, H)
    cache : :class:`RNNCache` from :func:`rnn_forward`
    k : int ≥ 1, the window length

    Returns
    -------
    dx, dh0, dWx, dWh, db : as :func:`rnn_backward`

    Examples
    --------
    The sequence of :func:`rnn_backward`'s example (da_3, da_2, da_1 =
    1, 0.5, 0.25 from a loss on h_3): a window of k steps keeps the
    first k of them, so db = 1, 1 + 0.5, 1 + 0.5 + 0.25:

    >>> import numpy as np
    >>> from rnnlib.rnn import (
    ...     rnn_forward, rnn_backward, rnn_backward_truncated
    ... )
    >>> x = np.zeros((1, 3, 1))
    >>> h, cache = rnn_forward(x, [[0.0]], [[1.0]], [[0.5]], [0.0])
    >>> dh = np.array([[[0.0], [0.0], [1.0]]])
    >>> for k in (1, 2, 3):
    ...     print(k, rnn_backward_truncated(dh, cache, k)[4])
    1 [1.]
    2 [1.5]
    3 [1.75]
    >>> full = rnn_backward(dh, cache)
    >>> cut = rnn_backward_truncated(dh, cache, 5)
    >>> # k >= T: plain BPTT
    >>> print(all(np.allclose(a, b) for a, b in zip(full, cut)))
    True
    """
    k = as_count("k", k)
    x, hs, Wx, Wh = _unpack(cache, "rnn_forward", 4)
    T1, N, H = hs.shape
    dh = _upstream("dh", dh, (N, T1 - 1, H), "(N, T, H)", "the shape of h")
    dtype = np.result_type(dh, hs)
    da = np.zeros(dh.shape, dtype)
    dWh = np.zeros(Wh.shape, dtype)
    dh0 = np.zeros((N, H), dtype)
    for t in range(T1 - 1, 0, -1):  # the loss term at step t ...
        g = dh[:, t - 1]
        for s in range(t, max(t - k, 0), -1):  # ... reaches steps t, ..., t-k+1
            da_s, g, dWh_s = _step_backward(g, hs[s - 1], hs[s], Wh)
            da[:, s - 1] += da_s
            dWh += dWh_s
            if s == 1:
                dh0 += g
    dx, dWx, db = _input_side(x, da, Wx)
    return _finite_grads(dx=dx, dh0=dh0, dWx=dWx, dWh=dWh, db=db)


def _input_side(x, da, Wx):
    """``(dx, dWx, db)`` from every step's ``da`` (N, T, H): one product
    each, over all steps."""
    N, T, D = x.shape
    da = da.reshape(N * T, -1)  # N·T rows: one per sequence and step
    dx = da.dot(Wx.T).reshape(N, T, D)  # dx_t = da_t Wx^T
    dWx = x.reshape(N * T, D).T.dot(da)  # Σ_t x_t^T da_t
    db = da.sum(axis=0)  # Σ_t Σ_n da_t
    return dx, dWx, db


# -- checks ---------------------------------------------------------------------------------
def _unpack(cache, made_by, n, arrays=True):
    """The fields of a cache (``n`` arrays, unless ``arrays`` is False),
    or ``ValueError`` saying which function makes it."""
    got = None
    if not isinstance(cache, tuple) or len(cache) != n:
        got = "None" if cache is None else type(cache).__name__
    elif arrays:
        odd = next((i for i, a in enumerate(cache) if not isinstance(a, np.ndarray)), None)
        if odd is not None:
            got = f"a tuple whose item {odd} is {describe(cache[odd])}"
    if got is not None:
        raise ValueError(
            f"cache: expected the cache returned by {made_by} (a tuple of {n}), got {got}"
        )
    return cache


def _some_steps(x):
    """``ValueError`` unless ``x`` (N, T, D) holds N ≥ 1 sequences of
    T ≥ 1 steps."""
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"x: expected N >= 1 sequences of T >= 1 steps, shape (N, T, D), got shape {x.shape}"
        )


def _upstream(name, g, shape, symbols, why):
    """The upstream gradient ``g`` as a finite float array of the given
    shape."""
    g = as_array(name, g)
    if g.shape != shape:
        raise ValueError(f"{name}: expected shape {symbols} = {shape} ({why}), got {g.shape}")
    check_finite(name, g)
    return g


def _finite_states(h):
    """``NumericOverflow`` if a state is NaN: its pre-activation
    overflowed (inf − inf)."""
    if not all_finite(h):  # tanh keeps every a, even ±inf, in [-1, 1]: only NaN escapes
        raise NumericOverflow(
            "a_t: the pre-activation x_t Wx + h_(t-1) Wh + b overflows float64 (inf − inf): "
            "the weights or inputs are far too large"
        )


def _finite_grads(**grads):
    """The gradients given by name (``dx=..., dh0=..., ...``) as a tuple
    in that order, or ``NumericOverflow`` naming the first that is not
    finite.

    Every intermediate of the backward pass feeds one of these, so an
    overflow anywhere shows here (as inf, or as NaN from inf − inf).
    """
    for name, g in grads.items():
        if not all_finite(g):
            raise NumericOverflow(
                f"{name}: the gradient overflows float64 (it exceeds 1.8e308): the weights or "
                "the upstream gradient dh are far too large"
            )
    return tuple(grads.values())
