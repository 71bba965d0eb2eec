"""The vectorised RNN over a batch (lesson 07): forward and backward, one step and a whole sequence.

Model, for a batch of N sequences of length T with D inputs and H hidden units::

    a_t = x_t Wx + h_(t-1) Wh + b        (N, H)
    h_t = tanh(a_t)                      (N, H)

with ``x`` (N, T, D), ``h0`` (N, H), ``Wx`` (D, H), ``Wh`` (H, H), ``b`` (H,). Backward, with
``dh_t`` the upstream gradient of h_t and ``g_t`` the total gradient reaching h_t::

    g_t      = dh_t + da_(t+1) Wh^T     (what comes from the loss at t plus from step t+1)
    da_t     = g_t * (1 - h_t**2)       (tanh' = 1 - tanh²)
    dWx      = Σ_t x_t^T da_t,   dWh = Σ_t h_(t-1)^T da_t,   db = Σ_t Σ_n da_t
    dx_t     = da_t Wx^T,        dh0 = da_1 Wh^T

The shared weights get the *sum* over their per-step copies (weight sharing, lesson 04).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ._validate import as_checked_array, as_checked_arrays, bind_shapes

__all__ = [
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "rnn_backward_truncated",
    "RNNCache",
]


_ARGS = ("x", "h0", "Wx", "Wh", "b")
_STEP_ARGS = ("x", "h_prev", "Wx", "Wh", "b")


def _sizes(x, h0, Wx, Wh, b):
    """(N, T, D, H) of :func:`rnn_forward`'s arguments; ``ValueError`` if they disagree.

    Fast path: the shape comparisons that the model needs. Only when one fails does
    :func:`bind_shapes` run, to name the argument, the expected and the actual shape.
    """
    try:
        N, T, D = x.shape
        N0, H = h0.shape
        if N0 == N and Wx.shape == (D, H) and Wh.shape == (H, H) and b.shape == (H,):
            return N, T, D, H
    except ValueError:  # x or h0 has a wrong number of dimensions
        pass
    d = bind_shapes(
        ("x", x, "NTD"), ("h0", h0, "NH"), ("Wx", Wx, "DH"), ("Wh", Wh, "HH"), ("b", b, "H")
    )
    return d["N"], d["T"], d["D"], d["H"]


def _step_sizes(x, h_prev, Wx, Wh, b):
    """(N, D, H) of :func:`rnn_step_forward`'s arguments; ``ValueError`` if they disagree."""
    d = bind_shapes(
        ("x", x, "ND"), ("h_prev", h_prev, "NH"), ("Wx", Wx, "DH"), ("Wh", Wh, "HH"), ("b", b, "H")
    )
    return d["N"], d["D"], d["H"]


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One step forward: ``h_next = tanh(x Wx + h_prev Wh + b)``.

    Parameters
    ----------
    x : ndarray (N, D)
    h_prev : ndarray (N, H)
    Wx : ndarray (D, H)
    Wh : ndarray (H, H)
    b : ndarray (H,)

    Returns
    -------
    h_next : ndarray (N, H)
    cache : tuple ``(x, h_prev, Wx, Wh, h_next)`` for :func:`rnn_step_backward`
    """
    (x, h_prev, Wx, Wh, b), _ = as_checked_arrays(_STEP_ARGS, (x, h_prev, Wx, Wh, b), _step_sizes)
    h_next = np.tanh(x.dot(Wx) + h_prev.dot(Wh) + b)  # h_next = tanh(x Wx + h_prev Wh + b)
    return h_next, (x, h_prev, Wx, Wh, h_next)


def rnn_step_backward(dh_next, cache):
    """One step backward through ``h_next = tanh(x Wx + h_prev Wh + b)``.

    Parameters
    ----------
    dh_next : ndarray (N, H), the gradient of the loss with respect to h_next
    cache : the tuple returned by :func:`rnn_step_forward`

    Returns
    -------
    dx : (N, D) ``= da Wx^T``
    dh_prev : (N, H) ``= da Wh^T``
    dWx : (D, H) ``= x^T da``
    dWh : (H, H) ``= h_prev^T da``
    db : (H,) ``= Σ_n da``
        where ``da = dh_next * (1 − h_next²)``.
    """
    x, h_prev, Wx, Wh, h_next = cache
    dh_next = as_checked_array("dh_next", dh_next, h_next.shape, "(N, H)", "the shape of h_next")
    da = dh_next * (1.0 - h_next * h_next)  # da = dh_next * tanh'(a), tanh' = 1 - tanh²
    #      dx = da Wx^T,  dh_prev = da Wh^T,  dWx = x^T da,  dWh = h_prev^T da,  db = Σ_n da
    return da.dot(Wx.T), da.dot(Wh.T), x.T.dot(da), h_prev.T.dot(da), da.sum(axis=0)


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs from :func:`rnn_forward`.

    ``hs`` is time-major, shape (T + 1, N, H), with ``hs[0] = h0`` and ``hs[t] = h_t``;
    ``x_tm`` is ``x`` laid out time-major as (T·N, D), so that the weight gradients are one
    matrix product each.
    """

    x_tm: np.ndarray
    hs: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


# RNNCache(x_tm, hs, Wx, Wh) without the Python-level __new__ of a NamedTuple (half its cost)
_new_cache = functools.partial(tuple.__new__, RNNCache)


def rnn_forward(x, h0, Wx, Wh, b):
    """Run the RNN over a whole sequence: ``h_t = tanh(x_t Wx + h_(t-1) Wh + b)``, t = 1..T.

    The input projection ``x_t Wx + b`` of every step is one matrix product; only the
    recurrence ``h_(t-1) Wh`` has to go step by step.

    Parameters
    ----------
    x : ndarray (N, T, D)
    h0 : ndarray (N, H)
    Wx : ndarray (D, H)
    Wh : ndarray (H, H)
    b : ndarray (H,)

    Returns
    -------
    h : ndarray (N, T, H), every hidden state (a view of the cache's time-major array)
    cache : :class:`RNNCache`
    """
    (x, h0, Wx, Wh, b), (N, T, D, H) = as_checked_arrays(_ARGS, (x, h0, Wx, Wh, b), _sizes)
    x_tm = x.transpose(1, 0, 2).reshape(T * N, D)  # rows ordered (t, n)
    xw = (x_tm.dot(Wx) + b).reshape(T, N, H)  # x_t Wx + b for every t at once
    dt = xw.dtype if xw.dtype == h0.dtype == Wh.dtype else np.result_type(xw, h0, Wh)
    hs = np.empty((T + 1, N, H), dt)  # hs[t] holds h_t (time-major), hs[0] = h0
    hs[0] = h0
    h = hs[0]
    for t in range(T):  # step s = t + 1 = 1, ..., T; xw[t] holds x_s Wx + b
        h = np.tanh(xw[t] + h.dot(Wh), hs[t + 1])  # h_s = tanh(x_s Wx + b + h_(s-1) Wh) -> hs[s]
    return hs[1:].transpose(1, 0, 2), _new_cache((x_tm, hs, Wx, Wh))


def _upstream(dh, hs):
    """``dh`` checked against the hidden states ``hs`` (T + 1, N, H), as a time-major view."""
    T1, N, H = hs.shape
    dh = as_checked_array("dh", dh, (N, T1 - 1, H), "(N, T, H)", "the shape of h")
    return dh.transpose(1, 0, 2)  # time-major view (T, N, H)


def _param_grads(da, x_tm, hs, Wx):
    """dx, dWx, dWh, db from the time-major ``da`` (T, N, H): one matrix product each."""
    T, N, H = da.shape
    da2 = da.reshape(T * N, H)  # rows ordered (t, n), as x_tm
    dWx = x_tm.T.dot(da2)  # Σ_t x_t^T da_t
    dWh = hs[:-1].reshape(T * N, H).T.dot(da2)  # Σ_t h_(t-1)^T da_t
    db = da2.sum(0)  # Σ_t Σ_n da_t
    dx = da2.dot(Wx.T).reshape(T, N, Wx.shape[0]).transpose(1, 0, 2)  # dx_t = da_t Wx^T
    return dx, dWx, dWh, db


def rnn_backward(dh, cache):
    """Backpropagation through time over the whole sequence.

    Parameters
    ----------
    dh : ndarray (N, T, H)
        Upstream gradient of every hidden state h_t (from the loss at each step; zeros where a
        step has no loss of its own).
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
    Walks t = T..1 with the running gradient ``g = dh_t + da_(t+1) Wh^T`` and
    ``da_t = g * (1 − h_t²)``; the weight gradients, which are sums over t, are then formed in
    one matrix product each.
    """
    x_tm, hs, Wx, Wh = cache
    dh_tm = _upstream(dh, hs)
    T = dh_tm.shape[0]
    h = hs[1:]  # h_1, ..., h_T
    dtanh = 1.0 - h * h  # tanh'(a_t) = 1 - h_t^2, every t at once
    dt = hs.dtype if dh_tm.dtype == hs.dtype else np.result_type(dh_tm, hs)
    da = np.empty(dh_tm.shape, dt)
    WhT = Wh.T
    carry = 0.0  # da_(s+1) Wh^T; nothing comes after step T
    for t in range(T - 1, -1, -1):  # step s = t + 1 = T, ..., 1 sits at index t
        g = dh_tm[t] + carry  # g_s = dh_s + da_(s+1) Wh^T
        a = np.multiply(g, dtanh[t], da[t])  # da_s = g_s * (1 - h_s^2) -> da[t]
        carry = a.dot(WhT)  # da_s Wh^T: what reaches h_(s-1)
    del dtanh  # free it now: the products below reuse its memory while it is in cache (~15%)
    dx, dWx, dWh, db = _param_grads(da, x_tm, hs, Wx)
    dh0 = carry if T else np.zeros_like(hs[0])  # dh0 = da_1 Wh^T
    return dx, dh0, dWx, dWh, db


def rnn_backward_truncated(dh, cache, k):
    """Truncated BPTT: each upstream gradient dh_t travels back at most ``k`` steps.

    Definition used (the "sliding window" BPTT(k) of Williams & Peng): the gradient is that of
    ``Σ_t <dh_t, h_t>`` with every Jacobian ``∂h_t/∂h_s`` for ``t − s ≥ k`` set to zero. So
    ``dh_t`` reaches ``a_t, a_(t−1), …, a_(t−k+1)`` and no further, and ``dh0`` receives only
    from the steps ``t ≤ k``. With ``k = 1`` no gradient passes from one hidden state to an earlier
    one. For ``k ≥ T`` this is exactly :func:`rnn_backward`. Cost O(T·k) steps.

    (The other common definition, splitting the sequence into windows of length k and not
    backpropagating across window boundaries, is what chunked training does; lesson 06 discusses
    both.)

    Parameters
    ----------
    dh : ndarray (N, T, H)
    cache : :class:`RNNCache` from :func:`rnn_forward`
    k : int ≥ 1, the window length

    Returns
    -------
    dx, dh0, dWx, dWh, db : as :func:`rnn_backward`
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k: expected an integer window length >= 1, got {k!r}")
    x_tm, hs, Wx, Wh = cache
    dh_tm = _upstream(dh, hs)
    T = dh_tm.shape[0]
    da = np.zeros(dh_tm.shape, dtype=np.result_type(dh_tm, hs))
    dh0 = np.zeros_like(hs[0])
    for t in range(T, 0, -1):  # the loss term at step t ...
        g = dh_tm[t - 1]
        for s in range(t, max(t - k, 0), -1):  # ... reaches steps t, ..., t-k+1
            das = g * (1.0 - hs[s] * hs[s])
            da[s - 1] += das
            g = das @ Wh.T
            if s == 1:
                dh0 += g
    dx, dWx, dWh, db = _param_grads(da, x_tm, hs, Wx)
    return dx, dh0, dWx, dWh, db
