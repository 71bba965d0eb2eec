"""Updates and clipping: one SGD step, one Adagrad step, gradient
clipping by global norm and by value."""

from __future__ import annotations

import numpy as np

from ._validate import (
    NumericOverflow,
    as_array,
    as_positive,
    as_scalar,
    check_finite,
    ndim,
    same_shape_arrays,
)

__all__ = ["sgd_step", "adagrad_step", "global_norm", "clip_grad_norm", "clip_grad_value"]


def sgd_step(param, grad, lr):
    """One gradient-descent step, ``param − lr · grad`` (a new value;
    inputs unchanged).

    Parameters
    ----------
    param, grad : float or ndarray of the same shape
    lr : float, the learning rate η > 0.

    Returns
    -------
    float or ndarray: the new value. ``ValueError`` if it overflows (a
    step too large to represent: lower ``lr``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.optim import sgd_step
    >>> print(round(sgd_step(0.9, 2.0, lr=0.1), 4))  # 0.9 − 0.1·2.0
    0.7
    >>> w = np.array([1.0, -1.0])
    >>> print(sgd_step(w, np.array([0.5, -2.0]), lr=0.5),
    ...       w)  # 1 − 0.25, −1 + 1; w unchanged
    [0.75 0.  ] [ 1. -1.]
    """
    lr = as_positive("lr", lr, "learning rate")
    if ndim("param", param) == 0 and ndim("grad", grad) == 0:
        p, g = as_scalar("param", param), as_scalar("grad", grad)
    else:
        p, g = same_shape_arrays(param=param, grad=grad)
    with np.errstate(over="ignore"):
        new = p - lr * g
    if not np.all(np.isfinite(new)):
        raise NumericOverflow(
            f"lr: the step lr · grad overflows (lr = {lr:g}, largest |grad| = "
            f"{np.max(np.abs(g)):g}); use a smaller learning rate or clip the gradient"
        )
    return float(new) if np.ndim(new) == 0 else new


def adagrad_step(param, grad, memory, lr):
    """One Adagrad step (as in min-char-rnn): a step size of its own for
    every weight.

    ``m ← m + g²``,  ``θ ← θ − η g / √(m + 1e−8)``. A weight
    whose gradient has been large keeps getting smaller steps, a
    rarely-touched one (the input row of a rare character) keeps
    large ones. Returns new arrays; inputs unchanged.

    Parameters
    ----------
    param, grad : float or ndarray of the same shape
    memory : ndarray of that shape, entries ≥ 0: the sum of the squared
        gradients so far (zeros at the start)
    lr : float, the learning rate η > 0

    Returns
    -------
    param : ndarray (a numpy float for float inputs), the new value
    memory : ndarray (likewise), the new running sum of squared
        gradients. ``ValueError`` if it overflows (a gradient above
        about 1.3e154: clip it first).

    Examples
    --------
    From m = 0 the first step is η·g/√(g²) = η = 0.1 for a large
    gradient and a small one alike; the same gradients again make
    m = 2g², a step of 0.1/√2 ≈ 0.0707:

    >>> import numpy as np
    >>> from rnnlib.optim import adagrad_step
    >>> p, m = adagrad_step(np.ones(2), np.array([4.0, 0.5]),
    ...                     np.zeros(2), lr=0.1)
    >>> print(np.round(p, 4),  # 1 − 0.1
    ...       np.round(m, 4))  # m = g² = (16, 0.25)
    [0.9 0.9] [16.    0.25]
    >>> p, m = adagrad_step(p, np.array([4.0, 0.5]), m, lr=0.1)
    >>> print(np.round(p, 4))  # 0.9 − 0.0707
    [0.8293 0.8293]
    """
    param, grad, memory = same_shape_arrays(param=param, grad=grad, memory=memory)
    lr = as_positive("lr", lr, "learning rate")
    if np.any(memory < 0):
        raise ValueError(
            f"memory: expected a sum of squares, every entry >= 0, got {memory.min():g}"
        )
    with np.errstate(over="ignore"):  # reported by name, just below
        memory = memory + grad * grad
    if not np.all(np.isfinite(memory)):
        raise NumericOverflow(
            f"memory: m + g² overflows float64 (largest |grad| = {np.max(np.abs(grad)):g}); "
            "clip the gradient first"
        )
    return param - lr * grad / np.sqrt(memory + 1e-8), memory


def _grads_list(grads):
    if isinstance(grads, dict):  # iterating would give its keys, the names
        raise ValueError(
            "grads: expected a list of arrays (e.g. [dWx, dWh, db]), got a dict; pass "
            "list(grads.values()), or [grads[k] for k in the names you want]"
        )
    if isinstance(grads, np.ndarray | str) or grads is None or not hasattr(grads, "__iter__"):
        raise ValueError(
            "grads: expected a list of arrays (e.g. [dWx, dWh, db]), got "
            + ("None" if grads is None else type(grads).__name__)
        )
    out = []
    for i, g in enumerate(grads):
        g = as_array(f"grads[{i}]", g)
        check_finite(f"grads[{i}]", g)
        out.append(g)
    return out


def _scaled_norm(gs):
    """``(s, r)`` with the global norm ``= s · r``: ``s`` the largest
    magnitude, ``r`` the norm of the gradients divided by ``s`` (between
    1 and sqrt(size)). Dividing first is what BLAS's ``nrm2`` does:
    squaring entries of 1e155 would overflow and entries of 1e-170
    underflow to 0."""
    s = max((float(np.max(np.abs(g))) for g in gs if g.size), default=0.0)
    if s == 0.0:
        return 0.0, 0.0
    return s, float(np.sqrt(sum(float(np.sum((g / s) ** 2)) for g in gs)))


def global_norm(grads):
    """``sqrt(Σ_k ‖g_k‖²)`` over a list of arrays, without overflow or
    underflow.

    The result is inf only if the norm itself exceeds the largest float
    (about 1.8e308).

    Parameters
    ----------
    grads : list of ndarray, any shapes (e.g. ``[dWx, dWh, db]``)

    Returns
    -------
    float ≥ 0, the 2-norm of all the entries taken together (0.0 for an
        empty list)

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.optim import global_norm
    >>> print(global_norm([np.array([3.0]),
    ...                    np.array([[4.0, 0.0]])]))  # √(3² + 4² + 0²)
    5.0
    >>> big = [np.array([3e200]), np.array([4e200])]
    >>> print(f"{global_norm(big):.3g}")  # 9e400 not formed
    5e+200
    """
    s, r = _scaled_norm(_grads_list(grads))
    with np.errstate(over="ignore"):
        return s * r


def clip_grad_norm(grads, max_norm):
    """Rescale a list of gradients so that their *global* 2-norm is at
    most ``max_norm``.

    ``total = sqrt(Σ_k ‖g_k‖²)`` (see :func:`global_norm`: no overflow,
    no underflow); if ``total > max_norm`` every gradient is multiplied
    by the same factor ``max_norm / total`` (so the direction of the
    whole update is kept), otherwise they are returned unchanged. Inputs
    are never modified.

    Parameters
    ----------
    grads : list of ndarray, any shapes
    max_norm : float > 0

    Returns
    -------
    clipped : list of ndarray (new arrays, same shapes)
    total_norm : float, the global norm *before* clipping (inf only if
        it exceeds the largest float; the clipped gradients are right
        even then)

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.optim import clip_grad_norm
    >>> grads = [np.array([3.0]),
    ...          np.array([4.0])]  # global norm √(3² + 4²) = 5
    >>> clipped, total = clip_grad_norm(
    ...     grads, max_norm=1.0)  # 5 > 1: both times 1/5
    >>> print(total, np.round(clipped[0], 4), np.round(clipped[1], 4))
    5.0 [0.6] [0.8]
    >>> print(clip_grad_norm(
    ...     grads, max_norm=10.0))  # 5 ≤ 10: returned unchanged
    ([array([3.]), array([4.])], 5.0)
    """
    max_norm = as_positive("max_norm", max_norm)
    gs = _grads_list(grads)
    s, r = _scaled_norm(gs)
    with np.errstate(over="ignore"):
        total = s * r
    if total <= max_norm:
        return [g.copy() for g in gs], total
    # g · max_norm / total, as (g / s) · (max_norm / r): right even where total itself overflows.
    return [(g / s) * (max_norm / r) for g in gs], total


def clip_grad_value(grads, clip_value):
    """Clip every entry of every gradient to ``[−clip_value, clip_value]``
    (elementwise).

    Unlike :func:`clip_grad_norm` this changes the direction of the
    update. Inputs unchanged.

    Parameters
    ----------
    grads : list of ndarray, any shapes
    clip_value : float > 0, the largest magnitude an entry keeps

    Returns
    -------
    clipped : list of ndarray (new arrays, the same shapes, in the
        same order)

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.optim import clip_grad_value
    >>> print(clip_grad_value([np.array([-3.0, 0.5, 4.0])],
    ...                       clip_value=1.0))  # into [−1, 1]
    [array([-1. ,  0.5,  1. ])]
    >>> g = [np.array([3.0, 4.0])]  # (3, 4) ∝ (0.6, 0.8)
    >>> print(clip_grad_value(g, 1.0))  # turns to (1, 1)
    [array([1., 1.])]
    """
    clip_value = as_positive("clip_value", clip_value)
    return [np.clip(g, -clip_value, clip_value) for g in _grads_list(grads)]
