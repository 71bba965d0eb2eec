"""Checkers for lesson 08: the softmax cross-entropy and its gradient, and the read-out's backward.

| checker | learner function |
|---|---|
| :func:`check_softmax_cross_entropy` | ``softmax_cross_entropy(logits, targets)`` → (L, dL/dz) |
| :func:`check_readout_backward` | ``readout_backward(dz, h, Wy)`` → (dh, dWy, dby) |

``softmax_cross_entropy`` takes logits (..., C) and integer targets (...) and returns the *mean*
over the M = prod(targets.shape) positions, ``L = −(1/M) Σ_m log p_m[y_m]`` with
``p_m = softmax(logits_m)``, and ``dL/dlogits_m = (p_m − onehot(y_m)) / M``. The references come
from :func:`rnnlib.softmax_cross_entropy` and :func:`rnnlib.models.linear_backward` (both checked
against finite differences in the test suite). Each catalogued mistake below is a small function
computing one wrong answer, so the catalogue is executable and tested.
"""

from __future__ import annotations

import numpy as np

from ..losses import softmax_cross_entropy as _sce
from ..models import linear_backward as _linear_backward
from ._harness import Case, Mistake, run_checks

__all__ = [
    "check_softmax_cross_entropy",
    "check_readout_backward",
    "SOFTMAX_CE_MISTAKES",
    "READOUT_MISTAKES",
    "MISTAKES",
]


# -- softmax cross-entropy ----------------------------------------------------------------------


def _parts(logits, targets, axis=-1):
    """log p (stable), p, the one-hot of the targets, and M: the pieces every variant uses."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets)
    s = z - z.max(axis=axis, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
    onehot = np.zeros_like(z)
    np.put_along_axis(onehot, y[..., None], 1.0, axis=-1)
    return logp, np.exp(logp), onehot, max(y.size, 1)


def _picked(a, targets):
    return np.take_along_axis(a, np.asarray(targets)[..., None], axis=-1)[..., 0]


def sce_no_one_hot(logits, targets):
    logp, p, _, M = _parts(logits, targets)
    return -_picked(logp, targets).sum() / M, p / M


def sce_grad_not_averaged(logits, targets):
    logp, p, onehot, M = _parts(logits, targets)
    return -_picked(logp, targets).sum() / M, p - onehot


def sce_loss_summed(logits, targets):
    logp, p, onehot, M = _parts(logits, targets)
    return -_picked(logp, targets).sum(), (p - onehot) / M


def sce_divided_by_batch_only(logits, targets):
    logp, p, onehot, _ = _parts(logits, targets)
    n = np.shape(targets)[0]
    return -_picked(logp, targets).sum() / n, (p - onehot) / n


def sce_wrong_sign_grad(logits, targets):
    logp, p, onehot, M = _parts(logits, targets)
    return -_picked(logp, targets).sum() / M, (onehot - p) / M


def sce_p_instead_of_log_p(logits, targets):
    logp, p, onehot, M = _parts(logits, targets)
    return -_picked(p, targets).sum() / M, (p - onehot) / M


def sce_missing_minus(logits, targets):
    logp, p, onehot, M = _parts(logits, targets)
    return _picked(logp, targets).sum() / M, (p - onehot) / M


def sce_mean_over_classes_too(logits, targets):
    logp, p, onehot, M = _parts(logits, targets)
    C = np.shape(logits)[-1]
    return -(onehot * logp).mean(), (p - onehot) / (M * C)


def sce_softmax_over_wrong_axis(logits, targets):
    logp, p, onehot, M = _parts(logits, targets, axis=0)
    return -_picked(logp, targets).sum() / M, (p - onehot) / M


def sce_logits_as_log_probs(logits, targets):
    z = np.asarray(logits, dtype=np.float64)
    _, _, onehot, M = _parts(logits, targets)
    return -_picked(z, targets).sum() / M, -onehot / M


SOFTMAX_CE_MISTAKES = (
    Mistake(
        "you did not subtract the one-hot: dL/dz = (p − onehot(y)) / M, not p / M", sce_no_one_hot
    ),
    Mistake(
        "the gradient is not divided by M, the number of positions: L is a mean, so "
        "dL/dz = (p − onehot(y)) / M",
        sce_grad_not_averaged,
    ),
    Mistake(
        "you summed the loss over the positions; L is the MEAN, −(1/M) Σ log p[y]", sce_loss_summed
    ),
    Mistake(
        "you divided by the batch size N only; divide by M = N·T, every position (targets.size)",
        sce_divided_by_batch_only,
    ),
    Mistake("wrong sign: dL/dz = p − onehot(y), not onehot(y) − p", sce_wrong_sign_grad),
    Mistake(
        "you used p instead of log p: L = −(1/M) Σ log p[y], the log of the target's probability",
        sce_p_instead_of_log_p,
    ),
    Mistake(
        "the minus sign is missing: L = −(1/M) Σ log p[y] (≥ 0, since log p ≤ 0)", sce_missing_minus
    ),
    Mistake(
        "np.mean over the (M, C) array also divides by C: sum over the classes, then "
        "divide by M only",
        sce_mean_over_classes_too,
    ),
    Mistake(
        "the softmax is taken over the wrong axis: normalise over the classes, the LAST "
        "axis (axis=-1, keepdims=True)",
        sce_softmax_over_wrong_axis,
    ),
    Mistake(
        "you used the logits as log-probabilities: apply the softmax first, "
        "log p = z − log Σ exp(z)",
        sce_logits_as_log_probs,
    ),
)


def _sce_cases():
    rng = np.random.default_rng(808)
    items = [
        ("one position, C = 3", np.array([[1.0, 2.0, 0.5]]), np.array([1])),
        ("N = 4 positions, C = 5", rng.normal(size=(4, 5)) * 2, np.array([0, 4, 2, 2])),
        (
            "a batch of sequences, N = 2, T = 3, C = 4 (M = 6 positions)",
            rng.normal(size=(2, 3, 4)) * 2,
            np.array([[0, 1, 3], [2, 2, 1]]),
        ),
        (
            "equal logits (p uniform, so L = log C), N = 2, C = 6",
            np.zeros((2, 6)),
            np.array([5, 0]),
        ),
        (
            "large logits, up to ±1000: exp(1000) overflows to inf unless you subtract each row's "
            "max first",
            np.array([[1000.0, 998.0, -1000.0], [-5.0, 995.0, 1000.0]]),
            np.array([0, 1]),
        ),
        (
            "a target 800 below the other logit: p rounds to 0 and log 0 = −inf unless you "
            "compute log p = (z − max) − log Σ exp(z − max)",
            np.array([[0.0, -800.0], [1.0, 2.0]]),
            np.array([1, 0]),
        ),
    ]
    cases = []
    for label, z, y in items:
        loss, d = _sce(z, y)
        cases.append(Case(label, {"logits": z, "targets": y}, (float(loss), d)))
    return cases


def check_softmax_cross_entropy(softmax_cross_entropy):
    """Check ``softmax_cross_entropy(logits, targets) -> (loss, dlogits)``.

    ``logits`` (..., C) float, ``targets`` (...) int; ``loss`` the mean over the positions of
    ``−log softmax(logits)[target]``, a float; ``dlogits`` of the shape of ``logits``. Cases
    include 3-d logits (N, T, C) and logits of ±1000, where only a stable softmax stays finite.
    """
    run_checks(
        "check_softmax_cross_entropy",
        softmax_cross_entropy,
        _sce_cases(),
        mistakes=SOFTMAX_CE_MISTAKES,
        names=("loss", "dlogits"),
    )


# -- the read-out's backward --------------------------------------------------------------------


def ro_dWy_transposed(dz, h, Wy):
    dh, dWy, dby = _linear_backward(dz, (h, Wy))
    return dh, dWy.T, dby


def ro_last_step_only(dz, h, Wy):
    dh, _, _ = _linear_backward(dz, (h, Wy))
    return dh, h[:, -1].T @ dz[:, -1], dz[:, -1].sum(axis=0)


def ro_dby_not_summed_over_time(dz, h, Wy):
    dh, dWy, _ = _linear_backward(dz, (h, Wy))
    return dh, dWy, dz.sum(axis=0)


def ro_averaged(dz, h, Wy):
    dh, dWy, dby = _linear_backward(dz, (h, Wy))
    M = dz.shape[0] * dz.shape[1]
    return dh, dWy / M, dby / M


def ro_dh_without_transpose(dz, h, Wy):
    _, dWy, dby = _linear_backward(dz, (h, Wy))
    return dz @ Wy, dWy, dby  # only computable where Wy is square


def ro_wrong_sign(dz, h, Wy):
    dh, dWy, dby = _linear_backward(dz, (h, Wy))
    return -dh, -dWy, -dby


READOUT_MISTAKES = (
    Mistake(
        "dWy is transposed: z = h Wy, so dWy = Σ h^T dz has Wy's shape (H, K)", ro_dWy_transposed
    ),
    Mistake(
        "only the last time step counted: Wy and by are used at EVERY step, so sum over n and t",
        ro_last_step_only,
    ),
    Mistake(
        "dby must be summed over the time steps too: dby = Σ_(n,t) dz, shape (K,)",
        ro_dby_not_summed_over_time,
    ),
    Mistake(
        "you divided by N·T: dz already carries the 1/M of the mean loss, so just sum", ro_averaged
    ),
    Mistake("dh = dz Wy^T (shapes (N, T, K)·(K, H)), not dz Wy", ro_dh_without_transpose),
    Mistake(
        "wrong sign: the gradients are dz Wy^T, Σ h^T dz and Σ dz, with no minus", ro_wrong_sign
    ),
)


def _readout_cases():
    rng = np.random.default_rng(809)
    cases = []
    for label, N, T, H, K in (
        ("N = 3, T = 2, H = 3, K = 3 (square Wy)", 3, 2, 3, 3),
        ("N = 2, T = 3, H = 4, K = 5", 2, 3, 4, 5),
        ("N = 1, T = 4, H = 3, K = 2", 1, 4, 3, 2),
    ):
        dz = rng.normal(size=(N, T, K))
        h = np.tanh(rng.normal(size=(N, T, H)))
        Wy = rng.normal(size=(H, K))
        cases.append(Case(label, {"dz": dz, "h": h, "Wy": Wy}, _linear_backward(dz, (h, Wy))))
    return cases


def check_readout_backward(readout_backward):
    """Check ``readout_backward(dz, h, Wy) -> (dh, dWy, dby)`` for ``z_t = h_t Wy + by``.

    ``dz`` (N, T, K) the gradient of the loss with respect to every output, ``h`` (N, T, H),
    ``Wy`` (H, K); returns ``dh = dz Wy^T`` (N, T, H), ``dWy = Σ_(n,t) h^T dz`` (H, K) and
    ``dby = Σ_(n,t) dz`` (K,).
    """
    run_checks(
        "check_readout_backward",
        readout_backward,
        _readout_cases(),
        mistakes=READOUT_MISTAKES,
        names=("dh", "dWy", "dby"),
    )


MISTAKES = {
    "check_softmax_cross_entropy": SOFTMAX_CE_MISTAKES,
    "check_readout_backward": READOUT_MISTAKES,
}
