"""Updates and clipping: one SGD step, gradient clipping by global norm and by value."""

from __future__ import annotations

import numpy as np

from ._validate import as_array, as_scalar, check_finite

__all__ = ["sgd_step", "clip_grad_norm", "clip_grad_value"]


def sgd_step(param, grad, lr):
    """One gradient-descent step, ``param − lr · grad`` (a new value; inputs unchanged).

    Parameters
    ----------
    param, grad : float or ndarray of the same shape
    lr : float, the learning rate η > 0.
    """
    lr = as_scalar("lr", lr)
    if lr <= 0:
        raise ValueError(f"lr: expected a positive learning rate, got {lr}")
    if np.ndim(param) == 0 and np.ndim(grad) == 0:
        return as_scalar("param", param) - lr * as_scalar("grad", grad)
    p, g = as_array("param", param), as_array("grad", grad)
    if p.shape != g.shape:
        raise ValueError(f"grad: expected the shape of param, {p.shape}, got {g.shape}")
    check_finite("grad", g)
    return p - lr * g


def _grads_list(grads):
    if isinstance(grads, np.ndarray) or grads is None or not hasattr(grads, "__iter__"):
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


def clip_grad_norm(grads, max_norm):
    """Rescale a list of gradients so that their *global* 2-norm is at most ``max_norm``.

    ``total = sqrt(Σ_k ‖g_k‖²)``; if ``total > max_norm`` every gradient is multiplied by the
    same factor ``max_norm / total`` (so the direction of the whole update is kept), otherwise
    they are returned unchanged. Inputs are never modified.

    Parameters
    ----------
    grads : list of ndarray, any shapes
    max_norm : float > 0

    Returns
    -------
    clipped : list of ndarray (new arrays, same shapes)
    total_norm : float, the global norm *before* clipping
    """
    max_norm = as_scalar("max_norm", max_norm)
    if max_norm <= 0:
        raise ValueError(f"max_norm: expected a positive number, got {max_norm}")
    gs = _grads_list(grads)
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in gs)))
    scale = max_norm / total if total > max_norm else 1.0
    return [g * scale for g in gs], total


def clip_grad_value(grads, clip_value):
    """Clip every entry of every gradient to ``[−clip_value, clip_value]`` (elementwise).

    Unlike :func:`clip_grad_norm` this changes the direction of the update. Inputs unchanged.
    """
    clip_value = as_scalar("clip_value", clip_value)
    if clip_value <= 0:
        raise ValueError(f"clip_value: expected a positive number, got {clip_value}")
    return [np.clip(g, -clip_value, clip_value) for g in _grads_list(grads)]
