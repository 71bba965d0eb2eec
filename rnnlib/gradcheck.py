"""Finite differences: the independent referee for every gradient in the course.

A backward pass is trusted only when it agrees with the central difference

    df/dx_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),

whose error is O(ε²) from truncation plus O(u/ε) from rounding (u ≈ 1e-16 in float64).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, same_shape_arrays

__all__ = ["numerical_gradient", "rel_error"]


def numerical_gradient(f, x, df=None, eps=1e-6):
    """Central-difference gradient of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Called as ``f(x)``. Returns a scalar when ``df`` is None, otherwise an array of the
        shape of ``df``.
    x : ndarray of float, any shape
        The point. It is perturbed *in place*, one entry at a time, and restored before
        returning (also when ``f`` raises), so ``f`` may read ``x`` through a closure.
    df : ndarray, optional
        Upstream gradient. When given, returns the gradient of ``sum(df * f(x))``, i.e. the
        vector–Jacobian product ``J^T df``.
    eps : float
        Step ε.

    Returns
    -------
    grad : ndarray, same shape as ``x``
        ``grad[i] = Σ df * (f(x + ε e_i) − f(x − ε e_i)) / (2ε)``.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise ValueError(
            "x: expected a float ndarray (it is perturbed in place), got "
            + (f"an ndarray of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__)
        )
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps: expected a small positive number, got {eps}")
    if df is not None:
        df = as_array("df", df)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + eps
            fp = np.array(f(x), dtype=np.float64, copy=True)
            x[i] = old - eps
            fm = np.array(f(x), dtype=np.float64, copy=True)
        finally:
            x[i] = old
        if df is None:
            if fp.shape != ():
                raise ValueError(
                    f"f: expected a scalar output when df is None, got shape {fp.shape}; "
                    "pass df (the upstream gradient) for array outputs"
                )
            grad[i] = (fp - fm) / (2 * eps)
        else:
            if fp.shape != df.shape:
                raise ValueError(
                    f"df: expected shape {fp.shape} (the shape of f(x)), got {df.shape}"
                )
            grad[i] = np.sum(df * (fp - fm)) / (2 * eps)
        it.iternext()
    return grad


def rel_error(a, b):
    """Relative error between two arrays of the same shape, in the 2-norm.

    ``rel_error(a, b) = ‖a − b‖ / max(‖a‖ + ‖b‖, tiny)``; 0 when both are zero. It is
    symmetric, lies in [0, 1], and, unlike an elementwise ratio, is not blown up by entries
    that are themselves at rounding level.
    """
    a, b = same_shape_arrays(a=a, b=b)
    s = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if s == 0.0:
        return 0.0
    a, b = a / s, b / s  # the ratio is scale-free; dividing first keeps a − b from overflowing
    num = np.linalg.norm((a - b).ravel())
    den = np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel())
    return float(num / den)
