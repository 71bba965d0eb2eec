"""Losses and their derivatives: half squared error (stages 01–06),
softmax cross-entropy (08)."""

from __future__ import annotations

import numpy as np

from ._validate import (
    NumericOverflow,
    as_array,
    as_ndarray,
    as_positive,
    check_finite,
    same_shape_arrays,
)

__all__ = ["squared_error", "softmax", "softmax_cross_entropy"]


def squared_error(y_hat, y):
    """Half squared error summed over all entries, and its gradient.

    ``L = ½ Σ (ŷ − y)²``,  ``dL/dŷ = ŷ − y``. The ½ is there so that the
    derivative has no 2: the seed's "loss = ŷ − y" is this derivative,
    the error signal, not the loss.

    Parameters
    ----------
    y_hat, y : float or ndarray of the same shape

    Returns
    -------
    loss : float
    dy_hat : ndarray of the shape of ``y_hat`` (0-d for scalars)

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.losses import squared_error
    >>> L, dy_hat = squared_error(np.array([2.0, 1.0]),
    ...                           np.array([0.5, 1.0]))
    >>> print(L, dy_hat)  # ½(1.5² + 0²) = ½·2.25; ŷ − y = (1.5, 0)
    1.125 [1.5 0. ]
    >>> # one number: the same loss, a 0-d gradient
    >>> L, dy_hat = squared_error(2.0, 0.5)
    >>> print(L, float(dy_hat))
    1.125 1.5
    """
    y_hat, y = same_shape_arrays(y_hat=y_hat, y=y)
    with np.errstate(over="ignore"):
        err = y_hat - y
        L = float(np.sum(0.5 * err * err))  # halved before squared: see rnnlib.scalar.loss
    if not np.isfinite(L):
        raise NumericOverflow(
            "loss: ½ Σ (ŷ − y)² overflows float64 (it exceeds 1.8e308): ŷ is far from y"
        )
    return L, err


def _logits(name, z):
    """``z`` as a finite float array of scores over a last axis of C ≥ 1 classes, (..., C)."""
    z = as_array(name, z)
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError(
            f"{name}: expected scores over C >= 1 classes in the last axis, shape (..., C), "
            f"got shape {z.shape}"
        )
    check_finite(name, z)
    return z


def softmax(z, temperature=1.0):
    """Softmax over the last axis,
    ``p_c = exp(z_c / τ) / Σ_c' exp(z_c' / τ)``, computed stably.

    Subtracting ``max_c z_c`` first leaves the result unchanged and
    keeps ``exp`` from overflowing.

    Parameters
    ----------
    z : ndarray (..., C) of finite scores (logits), C ≥ 1
    temperature : float τ > 0; τ < 1 sharpens, τ > 1 flattens.

    Returns
    -------
    p : ndarray (..., C), each row non-negative and summing to 1

    Examples
    --------
    exp(ln 3) = 3 and exp(0) = 1, so the scores (ln 3, 0) give
    3/(3 + 1) and 1/(3 + 1):

    >>> import numpy as np
    >>> from rnnlib.losses import softmax
    >>> z = np.array([np.log(3), 0.0])
    >>> print(np.round(softmax(z), 4))
    [0.75 0.25]
    >>> print(np.round(softmax(z, temperature=0.5), 4))  # 9/10, 1/10
    [0.9 0.1]
    >>> z = np.array([[0.0, 0.0], [1000.0, 1000.0]])
    >>> print(softmax(z))  # per row; exp(1000) unneeded
    [[0.5 0.5]
     [0.5 0.5]]
    """
    z = _logits("z", z)
    temperature = as_positive("temperature", temperature)
    with np.errstate(over="ignore"):  # a gap beyond 1.8e308 is -inf, and exp(-inf) = 0
        s = (z - z.max(axis=-1, keepdims=True)) / temperature
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of softmax(logits) against integer class targets,
    and its gradient.

    ``L = −(1/M) Σ_m log p_m[y_m]`` over the M = prod(targets.shape)
    positions, where ``p_m = softmax(logits_m)``;
    ``dL/dlogits_m = (p_m − onehot(y_m)) / M``. ``log p`` is computed as
    ``z − logsumexp(z)``, so no probability is ever rounded to 0.

    Parameters
    ----------
    logits : ndarray (..., C)
    targets : int ndarray (...), values in 0..C−1, at least one of them

    Returns
    -------
    loss : float
    dlogits : ndarray (..., C)

    Examples
    --------
    M = 2 positions with C = 2 equal scores: p = (½, ½), so each
    −log p[y] is log 2, and so is their mean; the gradient is (½ − 1)/2
    at the target, ½/2 at the other class:

    >>> import numpy as np
    >>> from rnnlib.losses import softmax_cross_entropy
    >>> L, dlogits = softmax_cross_entropy(np.zeros((2, 2)),
    ...                                    np.array([0, 1]))
    >>> print(np.isclose(L, np.log(2)))
    True
    >>> print(np.round(dlogits, 4))
    [[-0.25  0.25]
     [ 0.25 -0.25]]
    """
    z = _logits("logits", logits)
    y = as_ndarray("targets", targets, "integer class indices")
    if y.shape != z.shape[:-1]:
        raise ValueError(
            f"targets: expected shape {z.shape[:-1]} (logits' shape without its last axis, C), "
            f"got {y.shape}"
        )
    if y.dtype.kind not in "iu":
        raise ValueError(f"targets: expected integer class indices, got dtype {y.dtype}")
    if y.size == 0:  # a mean over no positions is 0/0, not a loss
        raise ValueError(
            f"targets: expected at least one position to average over, got shape {y.shape} "
            "(an empty batch or window?)"
        )
    C = z.shape[-1]
    if y.min() < 0 or y.max() >= C:
        raise ValueError(f"targets: expected class indices in 0..{C - 1}, got {y.min()}..{y.max()}")
    with np.errstate(over="ignore"):  # a gap beyond 1.8e308: reported below, by name
        s = z - z.max(axis=-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    M = y.size
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
    loss = -float(picked.sum()) / M
    if not np.isfinite(loss):
        raise NumericOverflow(
            "loss: −log p of a target overflows float64 (it exceeds 1.8e308): its logit is "
            "that far below the largest logit of its row"
        )
    d = np.exp(logp)
    np.put_along_axis(d, y[..., None], np.take_along_axis(d, y[..., None], axis=-1) - 1.0, axis=-1)
    return loss, d / M
