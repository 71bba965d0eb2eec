"""The RNN with a read-out (lesson 08): a model that outputs something
at every step.

Model, for inputs x (N, T, D), hidden size H and K outputs::

    h_t = tanh(x_t Wx + h_(t−1) Wh + b)  (N, H)  rnnlib.rnn_forward
    z_t = h_t Wy + by                    (N, K)  linear_forward
                                                 (the read-out)

Loss, averaged over the M = N·T positions (so the learning rate does
not depend on N or T)::

    "squared":  L = (1/M) Σ_(n,t) ½ ‖z_t − y_t‖²
                dL/dz_t = (z_t − y_t) / M
    "softmax":  L = −(1/M) Σ_(n,t) log softmax(z_t)[y_t]
                dL/dz_t = (p_t − onehot(y_t)) / M

Backward: :func:`linear_backward` gives dL/dh_t for every t, which
is exactly the ``dh`` that :func:`rnnlib.rnn_backward` takes.
Parameters live in a dict with keys ``PARAMS``. Training this model
is :func:`rnnlib.training.train_sequence_model`; sampling from it,
:mod:`rnnlib.sampling`.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, as_count, as_scalar, bind_shapes, check_finite, checked_arrays
from .losses import softmax_cross_entropy, squared_error
from .rnn import _unpack, rnn_backward, rnn_forward

__all__ = [
    "PARAMS",
    "linear_forward",
    "linear_backward",
    "init_params",
    "sequence_forward",
    "sequence_backward",
    "sequence_loss",
    "as_params",
]

#: The names of the parameters of the sequence model, in a fixed order.
PARAMS = ("Wx", "Wh", "b", "Wy", "by")


def _finite_all(**arrays):
    for name, a in arrays.items():
        check_finite(name, a)


def linear_forward(h, W, c):
    """The read-out ``z = h W + c`` applied at every position.

    Parameters
    ----------
    h : ndarray (..., H), e.g. (N, T, H) hidden states
    W : ndarray (H, K)
    c : ndarray (K,)

    Returns
    -------
    z : ndarray (..., K)
    cache : ``(h, W)`` for :func:`linear_backward`

    Examples
    --------
    N = 1 sequence of T = 2 hidden states of H = 2, read out to K = 1
    value each:

    >>> import numpy as np
    >>> from rnnlib.readout import linear_forward
    >>> h = np.array([[[1.0, 2.0], [0.5, -1.0]]])
    >>> z, cache = linear_forward(h, np.array([[1.0], [2.0]]),
    ...                           np.array([0.5]))
    >>> print(z.shape, z[0, :, 0])  # 1·1 + 2·2 + 0.5 = 5.5;
    ...                             # 0.5·1 + (−1)·2 + 0.5 = −1
    (1, 2, 1) [ 5.5 -1. ]
    """
    h, W, c = as_array("h", h), as_array("W", W), as_array("c", c)
    bind_shapes(("W", W, "HK"), ("c", c, "K"))
    if h.ndim < 1 or h.shape[-1] != W.shape[0]:
        raise ValueError(
            f"h: expected shape (..., H) with H = {W.shape[0]} (from W), got shape {h.shape}"
        )
    _finite_all(h=h, W=W, c=c)
    return h @ W + c, (h, W)


def linear_backward(dz, cache):
    """Backward through ``z = h W + c`` at every position.

    With positions m = (n, t) stacked as rows, ``z_m = h_m W + c``, so::

        dh = dz W^T               (..., H)
        dW = Σ_m h_m^T dz_m       (H, K)   the weights are shared
                                           by every position
        dc = Σ_m dz_m             (K,)

    Parameters
    ----------
    dz : ndarray (..., K), the gradient of the loss with respect to z
    cache : from :func:`linear_forward`

    Returns
    -------
    dh : ndarray (..., H)
    dW : ndarray (H, K)
    dc : ndarray (K,)

    Examples
    --------
    The read-out of :func:`linear_forward`'s example, with dL/dz = 1 at
    both positions:

    >>> import numpy as np
    >>> from rnnlib.readout import linear_backward, linear_forward
    >>> h = np.array([[[1.0, 2.0], [0.5, -1.0]]])
    >>> z, cache = linear_forward(h, np.array([[1.0], [2.0]]),
    ...                           np.array([0.5]))
    >>> dh, dW, dc = linear_backward(np.ones((1, 2, 1)), cache)
    >>> print(dh[0, :, :], dW[:, 0], dc)  # dh = 1·W^T = [1, 2];
    ...                                   # dW = Σ_m h_m = [1.5, 1];
    ...                                   # dc = 2
    [[1. 2.]
     [1. 2.]] [1.5 1. ] [2.]
    """
    h, W = _unpack(cache, "linear_forward", 2)
    dz = as_array("dz", dz)
    want = (*h.shape[:-1], W.shape[1])
    if dz.shape != want:
        raise ValueError(f"dz: expected shape (..., K) = {want} (the shape of z), got {dz.shape}")
    check_finite("dz", dz)
    H, K = W.shape
    h2, dz2 = h.reshape(-1, H), dz.reshape(-1, K)
    return dz @ W.T, h2.T @ dz2, dz2.sum(axis=0)


def init_params(D, H, K, scale=1.0, seed=0):
    """Random starting weights for the sequence model.

    ``Wx ~ N(0, 1/D)``, ``Wh ~ scale · N(0, 1/H)`` (its eigenvalues fill
    the disk of radius ``scale`` as H grows, so its spectral radius,
    lesson 06, tends to ``scale``; at the course's sizes it scatters
    around it: from 0.9 to 1.3 × ``scale`` over seeds at H = 48),
    ``Wy ~ N(0, 0.01/H)`` (small: the first outputs are close to 0, and
    for characters the first predicted distribution is close to
    uniform), ``b = by = 0``.

    Parameters
    ----------
    D : int ≥ 1, the input size
    H : int ≥ 1, the hidden size
    K : int ≥ 1, the number of outputs
    scale : float, the factor on Wh (about its spectral radius)
    seed : int ≥ 0, the seed of ``np.random.default_rng`` (the same
        seed, the same weights)

    Returns
    -------
    params : dict with keys :data:`PARAMS` and shapes Wx (D, H),
        Wh (H, H), b (H,), Wy (H, K), by (K,)

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.readout import init_params
    >>> params = init_params(D=1, H=2, K=1, seed=0)
    >>> print({k: v.shape for k, v in params.items()})
    {'Wx': (1, 2), 'Wh': (2, 2), 'b': (2,), 'Wy': (2, 1), 'by': (1,)}
    >>> print(params["b"], params["by"])
    [0. 0.] [0.]

    The entries of Wh have standard deviation scale/√H: over the 400²
    entries at H = 400, the sample's is within a percent of it.

    >>> Wh = init_params(D=1, H=400, K=1)["Wh"]
    >>> print(round(float(Wh.std() * np.sqrt(400)), 1))
    1.0
    """
    D, H, K = as_count("D", D), as_count("H", H), as_count("K", K)
    seed = as_count("seed", seed, 0)
    scale = as_scalar("scale", scale)
    rng = np.random.default_rng(seed)
    return {
        "Wx": rng.normal(size=(D, H)) / np.sqrt(D),
        "Wh": scale * rng.normal(size=(H, H)) / np.sqrt(H),
        "b": np.zeros(H),
        "Wy": 0.1 * rng.normal(size=(H, K)) / np.sqrt(H),
        "by": np.zeros(K),
    }


def as_params(params):
    """The parameters of the sequence model, checked: a dict holding
    every key of :data:`PARAMS`, each a finite float array of its shape,
    ``Wx`` (D, H), ``Wh`` (H, H), ``b`` (H,), ``Wy`` (H, K),
    ``by`` (K,); else ``ValueError`` naming the entry. Returns a new
    dict (the arrays as :func:`rnnlib._validate.as_array` gives them;
    any other key as it is).

    Parameters
    ----------
    params : dict with the keys of :data:`PARAMS` (e.g. from
        :func:`init_params`), array_like values of shapes Wx (D, H),
        Wh (H, H), b (H,), Wy (H, K), by (K,)

    Returns
    -------
    params : dict, a new one: the same keys, the five parameters as
        float ndarrays of those shapes

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.readout import as_params, init_params
    >>> params = init_params(D=1, H=2, K=1)
    >>> checked = as_params(params)
    >>> print(checked is params, list(checked))  # a new dict,
    ...                                          # the same keys
    False ['Wx', 'Wh', 'b', 'Wy', 'by']

    H = 2 (from Wx), so a bias of 3 entries is named:

    >>> as_params({**params, "b": np.zeros(3)})
    Traceback (most recent call last):
    ...
    ValueError: params['b']: expected shape (H,) = (2,) ...
    """
    if not isinstance(params, dict) or any(k not in params for k in PARAMS):
        got = sorted(params, key=str) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params: expected a dict with keys {list(PARAMS)}, got {got}")
    arrays, _ = checked_arrays(
        **{f"params[{k!r}]": (params[k], s) for k, s in zip(PARAMS, _SHAPES, strict=True)}
    )
    return {**params, **dict(zip(PARAMS, arrays, strict=True))}


_SHAPES = ("DH", "HH", "H", "HK", "K")  # of the PARAMS, in their order


def sequence_forward(params, x, h0=None):
    """Forward through the RNN and the read-out: outputs ``z`` at every
    step.

    Parameters
    ----------
    params : dict, see :func:`init_params`
    x : ndarray (N, T, D)
    h0 : ndarray (N, H), optional (zeros)

    Returns
    -------
    z : ndarray (N, T, K)
    cache : for :func:`sequence_backward`; ``cache[0]`` is the hidden
        states h (N, T, H)

    Examples
    --------
    N = 2, T = 3, D = 1, H = 2, K = 1: z is the read-out ``h Wy + by``
    of every hidden state.

    >>> import numpy as np
    >>> from rnnlib.readout import init_params, sequence_forward
    >>> params = init_params(D=1, H=2, K=1, seed=0)
    >>> z, cache = sequence_forward(params, np.ones((2, 3, 1)))
    >>> h = cache[0]
    >>> print(z.shape, h.shape,
    ...       np.allclose(z, h @ params["Wy"] + params["by"]))
    (2, 3, 1) (2, 3, 2) True
    """
    p = as_params(params)
    x = as_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x: expected a 3-d array of shape (N, T, D), got shape {x.shape}")
    if h0 is None:
        h0 = np.zeros((x.shape[0], p["Wh"].shape[0]))
    h, rnn_cache = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    z, lin_cache = linear_forward(h, p["Wy"], p["by"])
    return z, (h, rnn_cache, lin_cache)


def sequence_backward(dz, cache):
    """Backward through the read-out, then BPTT: the gradient of every
    parameter (and of h0).

    ``dh = dz Wy^T`` is the upstream gradient of every h_t, which
    :func:`rnnlib.rnn_backward` carries back through time.

    Parameters
    ----------
    dz : ndarray (N, T, K), the gradient of the loss with respect to
        every output z_t
    cache : from :func:`sequence_forward`

    Returns
    -------
    grads : dict with the keys of :data:`PARAMS` plus ``"h0"``, each of
        its parameter's shape

    Examples
    --------
    With dL/dz = 1 at each of the N·T = 2·3 = 6 positions,
    ``dby = Σ_m dz_m = 6``:

    >>> import numpy as np
    >>> from rnnlib.readout import (init_params, sequence_backward,
    ...                             sequence_forward)
    >>> z, cache = sequence_forward(init_params(D=1, H=2, K=1, seed=0),
    ...                             np.ones((2, 3, 1)))
    >>> grads = sequence_backward(np.ones_like(z), cache)
    >>> print(list(grads), grads["by"], grads["h0"].shape)
    ['Wx', 'Wh', 'b', 'Wy', 'by', 'h0'] [6.] (2, 2)
    """
    _, rnn_cache, lin_cache = _unpack(cache, "sequence_forward", 3, arrays=False)
    dh, dWy, dby = linear_backward(dz, lin_cache)
    _, dh0, dWx, dWh, db = rnn_backward(dh, rnn_cache)
    return {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby, "h0": dh0}


def sequence_loss(params, x, targets, loss="squared", h0=None):
    """Loss of the sequence model averaged over the N·T positions, and
    its gradients.

    Parameters
    ----------
    params : dict, see :func:`init_params`
    x : ndarray (N, T, D) inputs (one-hot rows for characters, see
        :func:`rnnlib.data.one_hot`)
    targets : ndarray (N, T, K) of values for ``"squared"``;
        int ndarray (N, T) of class ids for ``"softmax"``
    loss : ``"squared"`` (``(1/M) Σ ½‖z − y‖²``) or ``"softmax"``
        (mean softmax cross-entropy)
    h0 : ndarray (N, H), optional (zeros)

    Returns
    -------
    L : float
    grads : dict, see :func:`sequence_backward`
    h_last : ndarray (N, H), the last hidden state (to carry into the
        next window)

    Examples
    --------
    With ``Wy = 0`` (and ``by = 0``) every output is z = 0 whatever the
    inputs, K = 4 outputs:

    >>> import numpy as np
    >>> from rnnlib.readout import init_params, sequence_loss
    >>> params = {**init_params(D=1, H=2, K=4, seed=0),
    ...           "Wy": np.zeros((2, 4))}
    >>> x = np.ones((2, 3, 1))
    >>> L, grads, h_last = sequence_loss(params, x, np.ones((2, 3, 4)))
    >>> # each position ½‖0 − (1, 1, 1, 1)‖² = ½·4 = 2
    >>> print(round(float(L), 4), h_last.shape)
    2.0 (2, 2)
    >>> targets = np.zeros((2, 3), dtype=int)
    >>> L, grads, h_last = sequence_loss(params, x, targets, "softmax")
    >>> print(round(float(L), 4))  # softmax(0) is uniform, p = ¼:
    ...                            # −log ¼ = 2 log 2 = 1.3863
    1.3863
    """
    if loss not in ("squared", "softmax"):
        raise ValueError(f"loss: expected 'squared' or 'softmax', got {loss!r}")
    z, cache = sequence_forward(params, x, h0)
    if loss == "squared":
        y = as_array("targets", targets)
        if y.shape != z.shape:
            raise ValueError(f"targets: expected shape (N, T, K) = {z.shape}, got {y.shape}")
        check_finite("targets", y)  # (squared_error would name it y)
        M = z.shape[0] * z.shape[1]
        total, dz = squared_error(z, y)
        L, dz = total / M, dz / M
    else:
        L, dz = softmax_cross_entropy(z, targets)
    return L, sequence_backward(dz, cache), cache[0][:, -1]
