"""A sequence model on top of :mod:`rnnlib.rnn` (lesson 08): read-out, loss, training, sampling.

Model, for inputs x (N, T, D), hidden size H and K outputs::

    h_t = tanh(x_t Wx + h_(t−1) Wh + b)          (N, H)    rnnlib.rnn_forward
    z_t = h_t Wy + by                            (N, K)    linear_forward (the read-out)

Loss, averaged over the M = N·T positions (so the learning rate does not depend on N or T)::

    "squared":  L = (1/M) Σ_(n,t) ½ ‖z_t − y_t‖²          dL/dz_t = (z_t − y_t) / M
    "softmax":  L = −(1/M) Σ_(n,t) log softmax(z_t)[y_t]   dL/dz_t = (p_t − onehot(y_t)) / M

Backward: :func:`linear_backward` gives dL/dh_t for every t, which is exactly the ``dh`` that
:func:`rnnlib.rnn_backward` takes. Parameters live in a dict with keys ``PARAMS``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, as_scalar, bind_shapes, check_finite
from .data import char_vocabulary, encode, one_hot, random_batches, tiny_corpus
from .losses import softmax, softmax_cross_entropy, squared_error
from .optim import clip_grad_norm, sgd_step
from .rnn import rnn_backward, rnn_forward, rnn_step_forward

__all__ = [
    "PARAMS",
    "linear_forward",
    "linear_backward",
    "init_params",
    "sequence_forward",
    "sequence_backward",
    "sequence_loss",
    "adagrad_step",
    "train",
    "next_distribution",
    "sample",
    "train_char_model",
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
        dW = Σ_m h_m^T dz_m       (H, K)   the weights are shared by every position
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
    """
    h, W = cache
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

    ``Wx ~ N(0, 1/D)``, ``Wh ~ scale · N(0, 1/H)`` (spectral radius ≈ ``scale``, lesson 06),
    ``Wy ~ N(0, 0.01/H)`` (small: the first outputs are close to 0, and for characters the first
    predicted distribution is close to uniform), ``b = by = 0``.

    Returns
    -------
    params : dict with keys :data:`PARAMS` and shapes Wx (D, H), Wh (H, H), b (H,), Wy (H, K),
        by (K,)
    """
    for name, n in (("D", D), ("H", H), ("K", K)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name}: expected a positive integer size, got {n!r}")
    scale = as_scalar("scale", scale)
    rng = np.random.default_rng(seed)
    return {
        "Wx": rng.normal(size=(D, H)) / np.sqrt(D),
        "Wh": scale * rng.normal(size=(H, H)) / np.sqrt(H),
        "b": np.zeros(H),
        "Wy": 0.1 * rng.normal(size=(H, K)) / np.sqrt(H),
        "by": np.zeros(K),
    }


def _params(params):
    if not isinstance(params, dict) or any(k not in params for k in PARAMS):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params: expected a dict with keys {list(PARAMS)}, got {got}")
    return params


def sequence_forward(params, x, h0=None):
    """Forward through the RNN and the read-out: outputs ``z`` at every step.

    Parameters
    ----------
    params : dict, see :func:`init_params`
    x : ndarray (N, T, D)
    h0 : ndarray (N, H), optional (zeros)

    Returns
    -------
    z : ndarray (N, T, K)
    cache : for :func:`sequence_backward`; ``cache[0]`` is the hidden states h (N, T, H)
    """
    p = _params(params)
    x = as_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x: expected a 3-d array of shape (N, T, D), got shape {x.shape}")
    if h0 is None:
        h0 = np.zeros((x.shape[0], p["Wh"].shape[0]))
    h, rnn_cache = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    z, lin_cache = linear_forward(h, p["Wy"], p["by"])
    return z, (h, rnn_cache, lin_cache)


def sequence_backward(dz, cache):
    """Backward through the read-out, then BPTT: the gradient of every parameter (and of h0).

    ``dh = dz Wy^T`` is the upstream gradient of every h_t, which :func:`rnnlib.rnn_backward`
    carries back through time.

    Returns
    -------
    grads : dict with the keys of :data:`PARAMS` plus ``"h0"``, each of its parameter's shape
    """
    _, rnn_cache, lin_cache = cache
    dh, dWy, dby = linear_backward(dz, lin_cache)
    _, dh0, dWx, dWh, db = rnn_backward(dh, rnn_cache)
    return {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby, "h0": dh0}


def sequence_loss(params, x, targets, loss="squared", h0=None):
    """Loss of the sequence model averaged over the N·T positions, and its gradients.

    Parameters
    ----------
    params : dict, see :func:`init_params`
    x : ndarray (N, T, D) inputs (one-hot rows for characters, see :func:`rnnlib.data.one_hot`)
    targets : ndarray (N, T, K) of values for ``"squared"``; int ndarray (N, T) of class ids for
        ``"softmax"``
    loss : ``"squared"`` (``(1/M) Σ ½‖z − y‖²``) or ``"softmax"`` (mean softmax cross-entropy)
    h0 : ndarray (N, H), optional (zeros)

    Returns
    -------
    L : float
    grads : dict, see :func:`sequence_backward`
    h_last : ndarray (N, H), the last hidden state (to carry into the next window)
    """
    if loss not in ("squared", "softmax"):
        raise ValueError(f"loss: expected 'squared' or 'softmax', got {loss!r}")
    z, cache = sequence_forward(params, x, h0)
    if loss == "squared":
        y = as_array("targets", targets)
        if y.shape != z.shape:
            raise ValueError(f"targets: expected shape (N, T, K) = {z.shape}, got {y.shape}")
        M = z.shape[0] * z.shape[1]
        total, dz = squared_error(z, y)
        L, dz = total / M, dz / M
    else:
        L, dz = softmax_cross_entropy(z, targets)
    return L, sequence_backward(dz, cache), cache[0][:, -1]


def adagrad_step(param, grad, memory, lr):
    """One Adagrad step (as in min-char-rnn): a step size of its own for every weight.

    ``m ← m + g²``,  ``θ ← θ − η g / √(m + 1e−8)``. A weight whose gradient has been large keeps
    getting smaller steps, a rarely-touched one (the input row of a rare character) keeps large
    ones. Returns new arrays; inputs unchanged.

    Returns
    -------
    param : ndarray, the new value
    memory : ndarray, the new running sum of squared gradients
    """
    param, grad, memory = (
        as_array("param", param),
        as_array("grad", grad),
        as_array("memory", memory),
    )
    if grad.shape != param.shape or memory.shape != param.shape:
        bad, arr = ("grad", grad) if grad.shape != param.shape else ("memory", memory)
        raise ValueError(f"{bad}: expected the shape of param, {param.shape}, got {arr.shape}")
    lr = as_scalar("lr", lr)
    memory = memory + grad * grad
    return param - lr * grad / np.sqrt(memory + 1e-8), memory


def train(params, batches, lr, loss="squared", max_norm=5.0, optimizer="sgd"):
    """Gradient descent on the sequence model, clipping the gradient by its global norm.

    For every ``(x, targets)`` of ``batches``: :func:`sequence_loss`, then
    :func:`rnnlib.clip_grad_norm` over all parameter gradients, then one step of ``optimizer``
    (``"sgd"``: :func:`rnnlib.sgd_step`; ``"adagrad"``: :func:`adagrad_step`). Each window starts
    from ``h0 = 0``.

    Plain SGD is the default and what lesson 08 uses: with clipping it trains both of the
    lesson's models in a few hundred steps, and it is the update of lessons 02–05. Adagrad,
    min-char-rnn's choice, is there to compare with.

    Parameters
    ----------
    params : dict, see :func:`init_params` (not modified)
    batches : iterable of ``(x, targets)`` as :func:`sequence_loss` takes them
    lr : float η > 0
    loss : ``"squared"`` or ``"softmax"``
    max_norm : float > 0, the clipping threshold
    optimizer : ``"sgd"`` or ``"adagrad"``

    Returns
    -------
    params : dict, the trained parameters (new arrays)
    losses : ndarray (steps,), the loss of each batch *before* its update
    grad_norms : ndarray (steps,), the global gradient norm before clipping
    """
    if optimizer not in ("sgd", "adagrad"):
        raise ValueError(f"optimizer: expected 'sgd' or 'adagrad', got {optimizer!r}")
    lr = as_scalar("lr", lr)
    if lr <= 0:
        raise ValueError(f"lr: expected a positive learning rate, got {lr}")
    p = {k: np.array(v, dtype=float) for k, v in _params(params).items() if k in PARAMS}
    memory = {k: np.zeros_like(v) for k, v in p.items()}
    losses, norms = [], []
    for x, targets in batches:
        L, grads, _ = sequence_loss(p, x, targets, loss)
        clipped, norm = clip_grad_norm([grads[k] for k in PARAMS], max_norm)
        for k, g in zip(PARAMS, clipped, strict=True):
            if optimizer == "sgd":
                p[k] = sgd_step(p[k], g, lr)
            else:
                p[k], memory[k] = adagrad_step(p[k], g, memory[k], lr)
        losses.append(L)
        norms.append(norm)
    return p, np.array(losses), np.array(norms)


def _prime(params, prompt_ids):
    """Run the model over ``prompt_ids``; return the last hidden state (1, H) and logits (1, K)."""
    p = _params(params)
    ids = np.asarray(prompt_ids)
    K = p["Wy"].shape[1]
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(
            f"prompt_ids: expected a non-empty 1-d array of class ids, got shape {ids.shape}"
        )
    if ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= K:
        raise ValueError(f"prompt_ids: expected integer class ids in 0..{K - 1}, got {ids}")
    h = np.zeros((1, p["Wh"].shape[0]))
    for x in one_hot(ids, K):
        h, _ = rnn_step_forward(x[None], h, p["Wx"], p["Wh"], p["b"])
    return h, h @ p["Wy"] + p["by"]


def next_distribution(params, prompt_ids, temperature=1.0):
    """The model's distribution of the next class after ``prompt_ids``: ``softmax(z / τ)``, (K,)."""
    _, z = _prime(params, prompt_ids)
    return softmax(z, temperature)[0]


def sample(params, prompt_ids, length, temperature=1.0, seed=0):
    """Sample ``length`` classes one at a time, feeding each back in as the next input.

    At every step ``p = softmax(z_t / τ)`` and the next class is the first c with
    ``Σ_(c' ≤ c) p_c' > u``, ``u ~ U(0, 1)`` drawn from ``np.random.default_rng(seed)``: the
    same arguments give the same sample, and a shorter sample is a prefix of a longer one.
    τ → 0 approaches always taking the most likely class; τ > 1 flattens p towards uniform.

    Parameters
    ----------
    params : dict of a model trained with ``loss="softmax"`` on one-hot inputs (D = K)
    prompt_ids : 1-d int array, the classes to start from (not part of the output)
    length : int ≥ 0
    temperature : float τ > 0
    seed : int

    Returns
    -------
    ids : int64 ndarray (length,)
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"length: expected an integer >= 0, got {length!r}")
    h, z = _prime(params, prompt_ids)
    p = params
    K = p["Wy"].shape[1]
    u = np.random.default_rng(seed).random(length)
    rows = one_hot(np.arange(K), K)  # rows[c] is the one-hot input of c
    out = np.empty(length, dtype=np.int64)
    for i in range(length):
        cdf = np.cumsum(softmax(z, temperature)[0])
        c = min(int(np.searchsorted(cdf, u[i] * cdf[-1], side="right")), K - 1)
        out[i] = c
        h, _ = rnn_step_forward(rows[c : c + 1], h, p["Wx"], p["Wh"], p["b"])
        z = h @ p["Wy"] + p["by"]
    return out


def train_char_model(text=None, H=48, steps=300, lr=1.0, N=16, T=25, seed=0):
    """The character-level language model of lesson 08, trained from scratch.

    ``vocab = char_vocabulary(text)``; parameters from :func:`init_params` (D = K = C, the number
    of characters); ``steps`` batches of N windows of T characters from
    :func:`rnnlib.data.random_batches`, the inputs one-hot; :func:`train` with
    ``loss="softmax"``, plain SGD and clipping at global norm 5. About 1 ms a step for the
    defaults.

    Parameters
    ----------
    text : str, the corpus (default: :func:`rnnlib.data.tiny_corpus`)
    H, steps, N, T : int, hidden size, number of updates, windows a batch, window length
    lr : float, the SGD learning rate
    seed : int, for the weights (``seed``) and the batches (``seed + 1``)

    Returns
    -------
    params : dict, the trained parameters
    vocab : str, the characters, in class-id order
    losses : ndarray (steps,), the cross-entropy of every batch before its update
    """
    text = tiny_corpus() if text is None else text
    vocab = char_vocabulary(text)
    ids, C = encode(text, vocab), len(vocab)
    params = init_params(C, H, C, seed=seed)
    batches = ((one_hot(x, C), y) for x, y in random_batches(ids, T, N, steps, seed=seed + 1))
    params, losses, _ = train(params, batches, lr, loss="softmax")
    return params, vocab, losses
