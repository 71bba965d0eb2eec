"""Training: the seed's scalar RNN over epochs (lesson 05), and the RNN
with a read-out over batches (lesson 08).

The scalar RNN, the seed's step 5: "This process of calculating
gradients and updating weights is repeated for many iterations
(epochs)." Here one *epoch* is one pass over the whole training set:
the forward and backward pass of :mod:`rnnlib.scalar` on every
sequence, the mean loss and the mean gradient, then one plain
gradient-descent step ``θ ← θ − η ∇L(θ)`` for θ = (u, w, v)
(full-batch: one update per epoch, so an epoch *is* an iteration, as
the seed says; no momentum, no adaptive step). With one target per
sequence (many-to-one) the loss of a sequence is ½(ŷ_T − y_T)²; with
a target at every step (many-to-many) it is Σ_t ½(ŷ_t − y_t)².
Either way the training loss is the *mean* over the n sequences (the
lesson's task is :func:`rnnlib.data.decaying_sum_task`)::

    L(θ) = (1/n) Σ_i L_i(θ),        ∇L(θ) = (1/n) Σ_i ∇L_i(θ)

Divergence: when η is too large the loss grows from epoch to epoch
instead of shrinking. :func:`train_scalar` stops at the first epoch
where the loss becomes non-finite or exceeds ``max_loss`` (by
default 1000 × the initial loss), or a weight or the gradient
becomes non-finite, and reports it (``diverged``, ``diverged_at``,
``message``) instead of handing back NaNs.

The RNN with a read-out (:mod:`rnnlib.readout`):
:func:`train_sequence_model` takes one clipped gradient step a
batch; :func:`train_char_model` is lesson 08's character-level
language model, trained from scratch with it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import scalar
from ._validate import (
    NumericOverflow,
    as_array,
    as_count,
    as_ndarray,
    as_positive,
    as_scalar,
    check_finite,
    describe,
)
from .data import char_vocabulary, encode, one_hot, random_batches, tiny_corpus
from .optim import adagrad_step, clip_grad_norm, clip_grad_value, sgd_step
from .readout import PARAMS, as_params, init_params, sequence_loss

__all__ = [
    "dataset_loss_and_grads",
    "train_epoch",
    "TrainResult",
    "train_scalar",
    "train_sequence_model",
    "train_char_model",
    "train_stateful",
]


# -- the scalar RNN, full batch, over epochs (lesson 05) ---------------------------------------
def _dataset(xs, ys):
    xs = as_array("xs", xs)
    if xs.ndim != 2 or xs.size == 0:
        raise ValueError(
            f"xs: expected a 2-d array of n sequences of length T, shape (n, T), "
            f"got shape {xs.shape}"
        )
    check_finite("xs", xs)
    ys = as_array("ys", ys)
    n, T = xs.shape
    if ys.shape not in ((n,), (n, T)):
        raise ValueError(
            f"ys: expected shape (n,) = ({n},) (one target a sequence) or (n, T) = ({n}, {T}) "
            f"(a target at every step), got shape {ys.shape}"
        )
    check_finite("ys", ys)
    return xs, ys


def dataset_loss_and_grads(xs, ys, u, w, v):
    """Mean loss over the training set and its gradient, from
    :mod:`rnnlib.scalar` per sequence.

    ``L = (1/n) Σ_i L_i`` and
    ``∇L = (1/n) Σ_i (dL_i/du, dL_i/dw, dL_i/dv)``, where ``L_i`` is the
    loss of sequence i, ``½(ŷ − y)²`` or ``Σ_t ½(ŷ_t − y_t)²`` (as
    :func:`rnnlib.scalar.total_loss`; here from the error ŷ − y that
    :func:`rnnlib.scalar.backward` returns with the gradient).

    Parameters
    ----------
    xs : ndarray (n, T)
    ys : ndarray (n,) (a target at the last step) or (n, T) (a target
        at every step)
    u, w, v : float

    Returns
    -------
    loss : float, the mean loss L
    grads : ndarray (3,), ``(dL/du, dL/dw, dL/dv)``

    Examples
    --------
    With u = 0 every o_t is 0, so ŷ = 0 and L_i = ½y_i²; one step,
    x = 2, v = 1.5: dL_i/du = (ŷ − y_i)·v·(1 − 0²)·x = −3·y_i, while
    dL/dw and dL/dv carry a factor o = 0.

    >>> from rnnlib.training import dataset_loss_and_grads
    >>> loss, grads = dataset_loss_and_grads(
    ...     [[2.0], [2.0]], [1.0, 3.0], u=0.0, w=0.9, v=1.5)
    >>> print(loss)  # (½·1² + ½·3²) / 2 = (0.5 + 4.5) / 2
    2.5
    >>> print(grads)  # ((−3) + (−9)) / 2 = −6 for u
    [-6.  0.  0.]
    """
    xs, ys = _dataset(xs, ys)
    u, w, v = as_scalar("u", u), as_scalar("w", w), as_scalar("v", v)
    n, T = xs.shape
    ws = [w] * T  # the T copies of the shared w
    every = ys.ndim == 2  # a target at every step
    total = du = dw = dv = 0.0
    for i in range(n):  # scalar.backward(scalar.forward(xs[i], u, w, v), ys[i]), checked above
        fwd = scalar._unroll(xs[i], u, w, ws, v, 0.0)
        g = scalar._backprop(fwd, ys[i] if every else float(ys[i]), every, ws)
        err = g.dL_dyhat  # ŷ − y (a float), or ŷ_t − y_t for every step: L_i = ½ Σ err²
        total += 0.5 * (float(err @ err) if every else err * err)
        du, dw, dv = du + g.du, dw + g.dw, dv + g.dv
    return total / n, np.array([du, dw, dv]) / n


def _update(params, grads, lr, max_norm=None, clip_value=None):
    """``θ − η g`` for each parameter, after optional clipping of g
    (inputs unchanged).
    """
    grads = [np.float64(g) for g in grads]
    if max_norm is not None:
        grads, _ = clip_grad_norm(grads, max_norm)
    if clip_value is not None:
        grads = clip_grad_value(grads, clip_value)
    return tuple(float(sgd_step(p, g, lr)) for p, g in zip(params, grads, strict=True))


def train_epoch(xs, ys, u, w, v, lr):
    """One epoch of gradient descent on the scalar RNN: the whole training
    set, one update.

    ``L, ∇L = dataset_loss_and_grads(xs, ys, u, w, v)`` then
    ``θ ← θ − η ∇L`` for θ = u, w, v.

    Parameters
    ----------
    xs : ndarray (n, T)
    ys : ndarray (n,) or (n, T)
    u, w, v : float, the weights before the epoch
    lr : float η > 0

    Returns
    -------
    u, w, v : float, the weights after the update
    loss : float, the mean loss *before* the update (the one whose
        gradient was used)

    Examples
    --------
    On one sequence, an epoch is one step ``θ − η·dL/dθ`` with the
    gradient of :func:`rnnlib.scalar.bptt` (the mean over n = 1 sequence
    is that sequence):

    >>> from rnnlib.scalar import EXAMPLE, bptt
    >>> from rnnlib.training import train_epoch
    >>> xs, y, u, w, v = (EXAMPLE[k]
    ...                   for k in ("xs", "y", "u", "w", "v"))
    >>> du, dw, dv = bptt(xs, y, u, w, v)
    >>> u1, w1, v1, loss = train_epoch([xs], [y], u, w, v, lr=0.1)
    >>> print((u1, w1, v1)
    ...       == (u - 0.1 * du, w - 0.1 * dw, v - 0.1 * dv))
    True
    """
    lr = as_positive("lr", lr, "learning rate")
    loss, grads = dataset_loss_and_grads(xs, ys, u, w, v)
    return (*_update((u, w, v), grads, lr), loss)


class TrainResult(NamedTuple):
    """What :func:`train_scalar` did.

    ``losses[e]`` is the mean training loss with the weights
    ``params[e] = (u, w, v)`` after e epochs, for e = 0..E
    (E = ``epochs``, or ``diverged_at − 1`` when training diverged:
    only finite, accepted epochs are kept). ``grad_norms[e]`` is ‖∇L‖ at
    ``params[e]`` *before* any clipping, the gradient of update e + 1,
    for every update made (``epochs`` of them, or ``diverged_at`` with
    the last one the update that blew up). ``diverged_at`` is the epoch
    whose update made the loss blow up (None if it did not). ``message``
    says in words what happened.
    """

    losses: np.ndarray
    params: np.ndarray
    grad_norms: np.ndarray
    diverged: bool
    diverged_at: int | None
    message: str


def _blown(loss, limit):
    return not math.isfinite(loss) or loss > limit


def train_scalar(xs, ys, u, w, v, lr, epochs, *, max_norm=None, clip_value=None, max_loss=None):
    """Train the scalar RNN with plain gradient descent over ``epochs``
    epochs.

    Each epoch: mean loss and gradient over the training set
    (:func:`dataset_loss_and_grads`), optional clipping (by global norm,
    :func:`rnnlib.clip_grad_norm`, or elementwise,
    :func:`rnnlib.clip_grad_value`), then ``θ ← θ − η g``
    (:func:`rnnlib.sgd_step`).

    Divergence is detected, not plotted as NaN: training stops at the
    first epoch e whose update gives a weight that is not finite, or a
    loss that is not finite or exceeds ``max_loss``, or a gradient that
    is not finite; the result then has ``diverged=True`` and
    ``diverged_at=e``, and keeps epochs 0..e−1.

    Parameters
    ----------
    xs : ndarray (n, T)
    ys : ndarray (n,) (many-to-one) or (n, T) (many-to-many)
    u, w, v : float, initial weights
    lr : float η > 0
    epochs : int ≥ 0
    max_norm : float > 0, optional, clip the gradient (u, w, v) to this
        global 2-norm
    clip_value : float > 0, optional, clip each gradient entry to
        [−clip_value, clip_value]
    max_loss : float > 0, optional, the loss counted as blown up;
        default 1000 × initial loss

    Returns
    -------
    :class:`TrainResult`

    Examples
    --------
    Lesson 05's task, 20 epochs: 21 losses (epochs 0..20), 21 weight
    triples, 20 gradient norms.

    >>> from rnnlib.data import decaying_sum_task
    >>> from rnnlib.training import train_scalar
    >>> xs, ys = decaying_sum_task(n=16, T=4, decay=0.5)
    >>> result = train_scalar(xs, ys, u=0.5, w=0.5, v=0.5, lr=0.5,
    ...                       epochs=20)
    >>> print(result.losses.shape, result.params.shape,
    ...       result.grad_norms.shape, result.diverged)
    (21,) (21, 3) (20,) False
    >>> print(result.params[0],  # (u, w, v) at epoch 0
    ...       result.losses[-1] < result.losses[0])
    [0.5 0.5 0.5] True
    """
    lr = as_positive("lr", lr, "learning rate")
    epochs = as_count("epochs", epochs, 0)
    for name, val in (("max_norm", max_norm), ("clip_value", clip_value), ("max_loss", max_loss)):
        if val is not None:
            as_positive(name, val, "number or None")
    xs, ys = _dataset(xs, ys)
    params = (as_scalar("u", u), as_scalar("w", w), as_scalar("v", v))
    loss, grads = dataset_loss_and_grads(xs, ys, *params)
    limit = 1000.0 * loss if max_loss is None else float(max_loss)
    losses, history, norms = [loss], [params], []
    diverged_at, why = None, ""
    for epoch in range(1, epochs + 1):
        norms.append(float(np.linalg.norm(grads)))
        try:
            params = _update(params, grads, lr, max_norm, clip_value)
        except NumericOverflow:
            params = (math.inf,)
        if not all(math.isfinite(p) for p in params):
            diverged_at, why = epoch, "a weight is no longer a finite number"
            break
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # huge weights: judged below
                loss, grads = dataset_loss_and_grads(xs, ys, *params)
        except (OverflowError, NumericOverflow):
            loss, grads = math.inf, None
        if _blown(loss, limit):
            bound = "1000 × initial loss" if max_loss is None else f"max_loss {limit:.3g}"
            why = (
                "the loss is not finite"
                if not math.isfinite(loss)
                else f"loss {loss:.3g} > {bound}"
            )
            diverged_at = epoch
            break
        if not np.isfinite(grads).all():
            diverged_at, why = epoch, "the gradient is no longer finite"
            break
        losses.append(loss)
        history.append(params)
    if diverged_at is not None:
        # short enough to print beside a label on one line (JupyterLab breaks a longer one
        # anywhere, even inside a word)
        message = f"diverged at epoch {diverged_at}: {why}; try a smaller lr, or clipping"
    else:
        count = "1 epoch" if epochs == 1 else f"{epochs} epochs"
        message = f"trained {count}: loss {losses[0]:.4g} -> {losses[-1]:.4g}"
    return TrainResult(
        np.array(losses),
        np.array(history),
        np.array(norms),
        diverged_at is not None,
        diverged_at,
        message,
    )


# -- the RNN with a read-out, over batches (lesson 08) -----------------------------------------
def _loss_name(loss):
    """``loss`` if it is ``"squared"`` or ``"softmax"``: checked before the
    first batch.
    """
    if loss not in ("squared", "softmax"):
        raise ValueError(f"loss: expected 'squared' or 'softmax', got {loss!r}")
    return loss


def train_sequence_model(params, batches, lr, loss="squared", max_norm=5.0, optimizer="sgd"):
    """Gradient descent on the RNN with a read-out (:mod:`rnnlib.readout`),
    clipping the gradient by its global norm.

    For every ``(x, targets)`` of ``batches``:
    :func:`rnnlib.readout.sequence_loss`, then
    :func:`rnnlib.clip_grad_norm` over all parameter gradients, then one
    step of ``optimizer`` (``"sgd"``: :func:`rnnlib.sgd_step`;
    ``"adagrad"``: :func:`rnnlib.optim.adagrad_step`). Each window
    starts from ``h0 = 0``.

    Plain SGD is the default and what lesson 08 uses: with clipping it
    trains both of the lesson's models in a few hundred steps, and it is
    the update of lessons 02–05. Adagrad, min-char-rnn's choice, is
    there to compare with.

    Parameters
    ----------
    params : dict, see :func:`rnnlib.readout.init_params` (not modified)
    batches : iterable of ``(x, targets)`` as
        :func:`rnnlib.readout.sequence_loss` takes them
    lr : float η > 0
    loss : ``"squared"`` or ``"softmax"``
    max_norm : float > 0, the clipping threshold
    optimizer : ``"sgd"`` or ``"adagrad"``

    Returns
    -------
    params : dict, the trained parameters (new arrays)
    losses : ndarray (steps,), the loss of each batch *before* its
        update
    grad_norms : ndarray (steps,), the global gradient norm before
        clipping

    Examples
    --------
    The lessons' shapes N = 2, T = 3, D = 1, H = 2, K = 1; 50 steps on
    one batch. With ``Wy = 0`` the first outputs are z = 0, so the first
    loss is (1/M)·Σ ½(0 − 1)² = 0.5.

    >>> import numpy as np
    >>> from rnnlib.readout import init_params
    >>> from rnnlib.training import train_sequence_model
    >>> params = {**init_params(D=1, H=2, K=1, seed=0),
    ...           "Wy": np.zeros((2, 1))}
    >>> x, y = np.ones((2, 3, 1)), np.ones((2, 3, 1))
    >>> new, losses, norms = train_sequence_model(
    ...     params, [(x, y)] * 50, lr=0.1)
    >>> print(list(new), losses.shape, norms.shape)
    ['Wx', 'Wh', 'b', 'Wy', 'by'] (50,) (50,)
    >>> print(round(float(losses[0]), 4), losses[-1] < losses[0])
    0.5 True
    """
    if optimizer not in ("sgd", "adagrad"):
        raise ValueError(f"optimizer: expected 'sgd' or 'adagrad', got {optimizer!r}")
    lr = as_positive("lr", lr, "learning rate")
    loss, max_norm = _loss_name(loss), as_positive("max_norm", max_norm)
    p = {k: np.array(v, dtype=float) for k, v in as_params(params).items() if k in PARAMS}
    memory = {k: np.zeros_like(v) for k, v in p.items()}
    losses, norms = [], []
    try:
        pairs = iter(batches)
    except TypeError:
        raise ValueError(
            f"batches: expected an iterable of (x, targets) pairs, got {describe(batches)}"
        ) from None
    for i, batch in enumerate(pairs):
        if not (isinstance(batch, tuple | list) and len(batch) == 2):
            raise ValueError(
                f"batches[{i}]: expected a pair (x, targets), got {describe(batch)} (one batch "
                "alone goes in a list: [(x, targets)])"
            )
        x, targets = batch
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


def train_char_model(text=None, H=48, steps=300, lr=1.0, N=16, T=25, seed=0):
    """The character-level language model of lesson 08, trained from
    scratch.

    ``vocab = char_vocabulary(text)``; parameters from
    :func:`rnnlib.readout.init_params` (D = K = C, the number of
    characters); ``steps`` batches of N windows of T characters from
    :func:`rnnlib.data.random_batches`, the inputs one-hot;
    :func:`train_sequence_model` with ``loss="softmax"``, plain SGD and
    clipping at global norm 5. About 1 ms a step for the defaults.

    Parameters
    ----------
    text : str, the corpus (default: :func:`rnnlib.data.tiny_corpus`)
    H, steps, N, T : int, hidden size, number of updates, windows a
        batch, window length
    lr : float, the SGD learning rate
    seed : int ≥ 0, for the weights (``seed``) and the batches
        (``seed + 1``)

    Returns
    -------
    params : dict, the trained parameters
    vocab : str, the characters, in class-id order
    losses : ndarray (steps,), the cross-entropy of every batch before
        its update

    Examples
    --------
    A 12-character vocabulary, H = 8, 30 steps. The first prediction is
    close to uniform, so the first loss is close to
    log C = log 12 = 2.4849; then it goes down.

    >>> import numpy as np
    >>> from rnnlib.training import train_char_model
    >>> text = "the cat sees the dog.\\n" * 4
    >>> params, vocab, losses = train_char_model(
    ...     text, H=8, steps=30, N=4, T=5)
    >>> # sorted characters; Wx is (C, H)
    >>> print(repr(vocab), params["Wx"].shape, losses.shape)
    '\\n .acdeghost' (12, 8) (30,)
    >>> print(abs(losses[0] - np.log(12)) < 0.1, losses[-1] < losses[0])
    True True
    """
    seed = as_count("seed", seed, 0)
    text = tiny_corpus() if text is None else text
    vocab = char_vocabulary(text)
    T = as_count("T", T)
    if len(text) < T + 1:  # (random_batches would name its own argument, series)
        raise ValueError(
            f"text: expected at least T + 1 = {T + 1} characters (a window and its next "
            f"character), got {len(text)}"
        )
    ids, C = encode(text, vocab), len(vocab)
    params = init_params(C, H, C, seed=seed)
    batches = ((one_hot(x, C), y) for x, y in random_batches(ids, T, N, steps, seed=seed + 1))
    params, losses, _ = train_sequence_model(params, batches, lr, loss="softmax")
    return params, vocab, losses


def train_stateful(params, inputs, targets, lr, loss="softmax", max_norm=5.0, epochs=1):
    """Stateful chunked truncated BPTT: the hidden state is carried across
    windows, the gradient is not.

    ``inputs[k]`` and ``targets[k]`` are window k of N parallel streams
    (as :func:`rnnlib.data.stream_windows` cuts them: window k + 1
    continues window k). Every epoch starts from ``h = 0``; for each
    window in order::

        L, grads, h_last = sequence_loss(params, inputs[k], targets[k],
                                         loss, h0=h)
        clip the gradients by their global norm, one SGD step;
        h = h_last

    ``h`` enters the next window as a constant: BPTT runs back to the
    window's start and stops there (the gradient of ``h0`` that
    :func:`rnnlib.readout.sequence_loss` returns is dropped), while the
    forward pass still sees everything the stream said before. Each
    window's loss is computed with the weights before its update, as in
    :func:`train_sequence_model`.

    Parameters
    ----------
    params : dict, see :func:`rnnlib.readout.init_params` (not modified)
    inputs : ndarray (K, N, T, D) (one-hot rows for characters)
    targets : ndarray (K, N, T, ...) as
        :func:`rnnlib.readout.sequence_loss` takes them
    lr : float η > 0
    loss : ``"squared"`` or ``"softmax"``
    max_norm : float > 0, the clipping threshold
    epochs : int ≥ 1, passes over the windows

    Returns
    -------
    params : dict, the trained parameters (new arrays)
    losses : ndarray (epochs·K,), the loss of each window before its
        update
    grad_norms : ndarray (epochs·K,), the global gradient norm before
        clipping
    h : ndarray (N, H), the hidden state after the last window (to carry
        on reading the streams)

    Examples
    --------
    25 characters in N = 2 streams of S = (25 − 1) // 2 = 12, so
    K = 12 // 3 = 4 windows of T = 3; 10 epochs give 10·4 = 40 losses.
    The first is close to log 3 = 1.0986 (a uniform guess over 3
    characters) and the stream "abcabc..." is soon predicted far better.

    >>> import numpy as np
    >>> from rnnlib.data import encode, one_hot, stream_windows
    >>> from rnnlib.readout import init_params
    >>> from rnnlib.training import train_stateful
    >>> x, y = stream_windows(encode("abc" * 8 + "a", "abc"), T=3, N=2)
    >>> new, losses, norms, h = train_stateful(
    ...     init_params(3, 4, 3, seed=0), one_hot(x, 3), y,
    ...     lr=0.5, epochs=10)
    >>> # (K, N, T); epochs·K; (N, H)
    >>> print(x.shape, losses.shape, h.shape)
    (4, 2, 3) (40,) (2, 4)
    >>> print(abs(losses[0] - np.log(3)) < 0.1,
    ...       losses[-1] < 0.1 * losses[0])
    True True
    """
    lr = as_positive("lr", lr, "learning rate")
    loss, max_norm = _loss_name(loss), as_positive("max_norm", max_norm)
    epochs = as_count("epochs", epochs)
    inputs = as_array("inputs", inputs)
    if inputs.ndim != 4:
        raise ValueError(
            f"inputs: expected a 4-d array of windows (K, N, T, D), got shape {inputs.shape}"
        )
    if loss == "squared":
        targets = as_array("targets", targets)
    else:
        targets = as_ndarray("targets", targets, "an array of windows (K, N, T) of class ids")
    if targets.shape[:3] != inputs.shape[:3]:
        raise ValueError(
            f"targets: expected shape (K, N, T, ...) = {inputs.shape[:3]} + (...), "
            f"got {targets.shape}"
        )
    check_finite("inputs", inputs)  # here, with its index among all the windows
    if loss == "squared":
        check_finite("targets", targets)
    p = {k: np.array(v, dtype=float) for k, v in as_params(params).items() if k in PARAMS}
    losses, norms = [], []
    h = None
    for _ in range(epochs):
        h = np.zeros((inputs.shape[1], p["Wh"].shape[0]))
        for x, y in zip(inputs, targets, strict=True):
            L, grads, h_last = sequence_loss(p, x, y, loss, h0=h)
            clipped, norm = clip_grad_norm([grads[k] for k in PARAMS], max_norm)
            for k, g in zip(PARAMS, clipped, strict=True):
                p[k] = sgd_step(p[k], g, lr)
            h = np.array(h_last)  # carried forward as a constant: no gradient flows back into it
            losses.append(L)
            norms.append(norm)
    return p, np.array(losses), np.array(norms), h
