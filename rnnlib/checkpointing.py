"""Gradient checkpointing for BPTT (lesson 06): keep every k-th
hidden state, recompute the rest.

Plain BPTT (:func:`rnnlib.rnn.rnn_backward`) needs every hidden
state h_0, ..., h_T from the forward pass, so its memory grows like
T. Checkpointing keeps only the *checkpoints* h_0, h_k, h_2k, ...
during the forward pass. The backward pass walks the segments from
the last to the first; for each segment it runs the forward pass
again from the segment's checkpoint (k steps, with
:func:`rnnlib.rnn.rnn_forward`), backpropagates through it
(:func:`rnnlib.rnn.rnn_backward`) with the gradient carried back
from the later segment added to its last step, and throws its states
away::

    segment s covers steps t = s·k + 1, ..., min((s + 1)·k, T)
    dh_seg[:, -1] += carry
                (what reaches the segment's last state from later)
    dx_seg, carry, dWx_s, dWh_s, db_s = rnn_backward(
        dh_seg, rnn_forward(x_seg, h_(s·k), ...))
    dWx += dWx_s;  dWh += dWh_s;  db += db_s
                (one set of weights: sum over the segments)

States held at once: the ⌈T/k⌉ checkpoints plus one segment's k
states, O(T/k + k), smallest near k = √T; the price is one extra
forward pass (every step is computed twice). The gradient is exactly
that of plain BPTT: only *when* each state is computed changes, not
what is computed. (Counting arrays rather than states: the backward
pass over a segment also holds its ``da`` and its ``dh``, k steps
each, so the arrays of N × H numbers held at once are ⌈T/k⌉ + 3k,
plus a part that does not depend on k; that sum is smallest near
k = √(T/3).)
"""

from __future__ import annotations

import numpy as np

from ._validate import as_count, checked_arrays
from .rnn import _some_steps, _upstream, rnn_backward, rnn_forward

__all__ = ["checkpoints", "checkpointed_backward", "states_held"]


def checkpoints(x, h0, Wx, Wh, b, k):
    """The forward pass keeping only every k-th hidden state.

    Parameters
    ----------
    x, h0, Wx, Wh, b : as :func:`rnnlib.rnn.rnn_forward`
    k : int ≥ 1, the segment length

    Returns
    -------
    list of ndarray (N, H)
        ``[h_0, h_k, h_2k, ...]``: the state at the start of every
        segment, ⌈T/k⌉ of them (the state after the last step is not
        needed by the backward pass).

    Examples
    --------
    T = 5 steps in segments of k = 2, steps 1–2, 3–4 and 5: ⌈5/2⌉ = 3
    checkpoints h_0, h_2, h_4, the states of the plain forward pass
    (whose ``h[:, t − 1]`` is h_t):

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_forward
    >>> from rnnlib.checkpointing import checkpoints
    >>> rng = np.random.default_rng(0)
    >>> # N = 2, T = 5, D = 1, H = 3
    >>> x, h0 = rng.normal(size=(2, 5, 1)), np.zeros((2, 3))
    >>> Wx = rng.normal(size=(1, 3))
    >>> Wh, b = 0.5 * rng.normal(size=(3, 3)), np.zeros(3)
    >>> kept = checkpoints(x, h0, Wx, Wh, b, 2)
    >>> h, _ = rnn_forward(x, h0, Wx, Wh, b)
    >>> print(len(kept), np.allclose(kept[1], h[:, 1]),
    ...       np.allclose(kept[2], h[:, 3]))
    3 True True
    """
    (x, h0, Wx, Wh, b), sizes = checked_arrays(
        x=(x, "NTD"), h0=(h0, "NH"), Wx=(Wx, "DH"), Wh=(Wh, "HH"), b=(b, "H")
    )
    _some_steps(x)
    k = as_count("k", k)
    T = sizes["T"]
    kept, h = [], h0
    for start in range(0, T, k):
        kept.append(h)
        h = rnn_forward(x[:, start : start + k], h, Wx, Wh, b)[0][:, -1].copy()  # a copy: a view
        # would keep the segment's whole array of states alive
    return kept


def checkpointed_backward(dh, x, h0, Wx, Wh, b, k):
    """BPTT with checkpoints every k steps: the gradients of
    :func:`rnnlib.rnn.rnn_backward`.

    Parameters
    ----------
    dh : ndarray (N, T, H)
        Upstream gradient of every hidden state h_t.
    x, h0, Wx, Wh, b : as :func:`rnnlib.rnn.rnn_forward`
    k : int ≥ 1, the segment length
        (k ≥ T: one segment, plain BPTT with one extra forward)

    Returns
    -------
    dx, dh0, dWx, dWh, db : as :func:`rnnlib.rnn.rnn_backward`,
        equal to its results up to round-off (the same products, in
        segments)

    Examples
    --------
    The sequence of :func:`rnnlib.rnn.rnn_backward`'s example (T = 3,
    H = 1, every state 0, so tanh' = 1; Wh = 0.5; a loss on h_3) in
    segments of k = 2, step 3 first, then steps 1–2: step 3 gives
    da_3 = 1 and carries 1 · 0.5 back to h_2; steps 2 and 1 then give
    da_2 = 0.5 and da_1 = 0.25, and dh0 = 0.25 · 0.5, as plain BPTT
    does:

    >>> import numpy as np
    >>> from rnnlib.rnn import rnn_forward, rnn_backward
    >>> from rnnlib.checkpointing import checkpointed_backward
    >>> x = np.zeros((1, 3, 1))
    >>> dh = [[[0.0], [0.0], [1.0]]]  # a loss on h_3 only
    >>> h0, Wx, Wh, b = [[0.0]], [[1.0]], [[0.5]], [0.0]
    >>> dx, dh0, dWx, dWh, db = checkpointed_backward(
    ...     dh, x, h0, Wx, Wh, b, k=2)
    >>> # dx_t = da_t Wx^T = da_t; db = 1 + 0.5 + 0.25
    >>> print(dx.ravel(), dh0.ravel(), db)
    [0.25 0.5  1.  ] [0.125] [1.75]
    >>> plain = rnn_backward(dh, rnn_forward(x, h0, Wx, Wh, b)[1])
    >>> print(all(np.allclose(g, p)
    ...           for g, p in zip((dx, dh0, dWx, dWh, db), plain)))
    True
    """
    kept = checkpoints(x, h0, Wx, Wh, b, k)  # validates x, h0, Wx, Wh, b and k
    N, T, _ = np.shape(x)
    H = np.shape(Wh)[0]
    dh = _upstream("dh", dh, (N, T, H), "(N, T, H)", "the shape of h")
    x = np.asarray(x, dtype=float)
    dx = np.zeros(x.shape)
    dWx, dWh, db = np.zeros(np.shape(Wx)), np.zeros((H, H)), np.zeros(H)
    carry = np.zeros((N, H))  # nothing comes back from after the last step
    for s in range(len(kept) - 1, -1, -1):  # the segments, last first
        start = s * k
        seg = slice(start, min(start + k, T))
        dx[:, seg], carry, dWx_s, dWh_s, db_s = _segment_backward(
            dh[:, seg], carry, x[:, seg], kept[s], Wx, Wh, b
        )
        dWx, dWh, db = dWx + dWx_s, dWh + dWh_s, db + db_s  # shared weights: sum the segments
    return dx, carry, dWx, dWh, db


def _segment_backward(dh_seg, carry, x_seg, h_start, Wx, Wh, b):
    """One segment: recompute its states from its checkpoint
    ``h_start``, then backpropagate through it, ``carry`` (what reaches
    its last state from the next segment) added to its last step's
    ``dh``. Returns what :func:`rnnlib.rnn.rnn_backward` returns for the
    segment.

    (A function of its own, so that the segment's states and gradients
    are freed when it returns: written inline in the loop, they would
    stay alive until the next segment's had been made, and the peak
    would hold two segments.)
    """
    _, cache = rnn_forward(x_seg, h_start, Wx, Wh, b)
    dh_seg = dh_seg.copy()
    dh_seg[:, -1] += carry
    return rnn_backward(dh_seg, cache)


def states_held(T, k):
    """The most hidden states (N × H arrays) checkpointed BPTT holds at
    once: the ⌈T/k⌉ checkpoints plus the min(k, T) states of the segment
    being recomputed (plain BPTT: T + 1).

    Parameters
    ----------
    T : int ≥ 1, the sequence length
    k : int ≥ 1, the segment length (k ≥ T: one segment, plain BPTT)

    Returns
    -------
    int, ⌈T/k⌉ + min(k, T): a count of states, each an (N, H) array

    Examples
    --------
    >>> from rnnlib.checkpointing import states_held
    >>> # 400/20 = 20 checkpoints + a segment of 20 states
    >>> print(states_held(400, 20))
    40
    >>> # one segment: h_0 and the 400 states, plain BPTT's T + 1
    >>> print(states_held(400, 400))
    401

    ⌈T/k⌉ + k ≥ T/k + k ≥ 2√T = 40, with equality only at k = √T = 20:

    >>> print(min(range(1, 401), key=lambda k: states_held(400, k)))
    20
    """
    T, k = as_count("T", T), as_count("k", k)
    return -(-T // k) + min(k, T)  # ⌈T/k⌉ in integers: T / k overflows a float for T ≥ 1e309
