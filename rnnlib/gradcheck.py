"""Finite differences: the independent referee for every gradient in
the course.

A backward pass is trusted only when it agrees with the central
difference

    df/dx_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),

whose error is O(ε²) from truncation plus O(ε_mach/ε) from rounding
(ε_mach = 2⁻⁵³ ≈ 1.1e-16, the unit roundoff of float64: lesson 01
writes it ε_mach, not u, since u is the input weight).
"""

from __future__ import annotations

import numpy as np

from ._validate import (
    all_finite,
    as_array,
    as_positive,
    check_finite,
    describe,
    same_shape_arrays,
)

__all__ = ["numerical_gradient", "rel_error"]


def numerical_gradient(f, x, df=None, eps=1e-6):
    """Central-difference gradient of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Called as ``f(x)``. Returns a scalar when ``df`` is None,
        otherwise an array of the shape of ``df``.
    x : ndarray of float64, any shape
        The point. It is perturbed *in place*, one entry at a time, and
        restored before returning (also when ``f`` raises), so ``f`` may
        read ``x`` through a closure.
    df : ndarray, optional
        Upstream gradient. When given, returns the gradient of
        ``sum(df * f(x))``, i.e. the vector–Jacobian product ``J^T df``.
    eps : float
        Step ε > 0.

    Returns
    -------
    grad : ndarray, same shape as ``x``
        ``grad[i] = Σ df * (f(x + ε e_i) − f(x − ε e_i)) / (2ε)``.

    Examples
    --------
    The gradient of x_1² + x_2² is (2x_1, 2x_2); the central difference
    of a square has no truncation error, only rounding (about 1e-10
    here):

    >>> import numpy as np
    >>> from rnnlib.gradcheck import numerical_gradient
    >>> x = np.array([1.0, -2.0])
    >>> grad = numerical_gradient(lambda x: np.sum(x**2), x)
    >>> print(np.round(grad, 6), x)  # x restored
    [ 2. -4.] [ 1. -2.]
    >>> # f(x) = (x_1², x_2²) and df = (1, 0.5):
    >>> # J^T df = (2·1·1, 2·(−2)·0.5)
    >>> df = np.array([1.0, 0.5])
    >>> grad = numerical_gradient(lambda x: x**2, x, df=df)
    >>> print(np.round(grad, 6))
    [ 2. -2.]
    """
    if not callable(f):
        raise ValueError(f"f: expected a function, called as f(x), got {describe(f)}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        # say what to pass: an integer array cannot hold x ± ε, a number cannot be changed in place
        got, fix = (
            (f"an ndarray of dtype {x.dtype}", "pass x.astype(float)")
            if isinstance(x, np.ndarray)
            else (
                type(x).__name__,
                "pass np.array([x]) for one number, np.asarray(x, float) for a list",
            )
        )
        raise ValueError(
            f"x: expected a float ndarray (it is perturbed in place), got {got}; {fix}"
        )
    if not x.flags.writeable:  # (np.nditer would say "operand array ... is read-only")
        raise ValueError(
            "x: expected a writable array (it is perturbed in place, then restored), got a "
            "read-only one; pass x.copy()"
        )
    check_finite("x", x.view(np.ndarray))  # (else f(x) is NaN, and the message would blame f)
    eps = as_positive("eps", eps, "step (a small number)")
    if x.dtype.itemsize < 8:  # float16 moved by 1e-6 does not move: a gradient of zeros
        raise ValueError(
            f"x: expected a float64 ndarray, got dtype {x.dtype}, too coarse for a step of "
            f"{eps:g} (its gap above 1.0 is {np.finfo(x.dtype).eps:.1e}); pass x.astype(float)"
        )
    if df is not None:
        df = as_array("df", df)
        check_finite("df", df)
    grad = np.zeros_like(x)
    if x.size == 0:  # no entry to perturb (and np.nditer refuses an empty array)
        return grad
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + eps
            fp = _output(f(x), i, "+")
            x[i] = old - eps
            fm = _output(f(x), i, "−")
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


def _output(value, i, sign):
    """``f(x ± ε e_i)`` as a float array, or ``ValueError`` saying what
    ``f`` returned instead.

    ``None`` (an ``f`` without ``return``), something that is not a
    number, and NaN or infinity would otherwise turn into a NaN
    gradient, or a crash inside numpy, far from the cause."""
    where = f"at x{list(i)} {sign} eps"
    if value is None:
        raise ValueError(f"f: expected f(x) to return a number, got None {where} (no return?)")
    try:
        if isinstance(value, (str, bytes)):  # (numpy would read "0.5" as the number 0.5)
            raise TypeError
        complex_numbers = np.iscomplexobj(value)  # (numpy would drop the imaginary part)
        out = None if complex_numbers else np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise ValueError(
            f"f: expected f(x) to return real numbers, got {type(value).__name__} {where}"
        ) from None
    if complex_numbers:
        raise ValueError(f"f: expected f(x) to return real numbers, got complex numbers {where}")
    if not all_finite(out):
        shown = np.array2string(out, threshold=6)
        raise ValueError(f"f: expected a finite f(x), got {shown} {where}")
    return out


def rel_error(a, b):
    """Relative error between two arrays of the same shape, in the 2-norm.

    ``rel_error(a, b) = ‖a − b‖ / (‖a‖ + ‖b‖)``; 0 when both are zero.
    It is symmetric, lies in [0, 1], and, unlike an elementwise ratio,
    is not blown up by entries that are themselves at rounding level.
    (Computed on a and b divided by their largest entry, which leaves
    the ratio as it is and keeps the norms from overflowing or
    underflowing.)

    Parameters
    ----------
    a, b : array_like, the same shape (any, numbers too)
        The two values compared, e.g. an analytic gradient and a
        numerical one.

    Returns
    -------
    float
        The relative error, between 0 (equal) and 1 (e.g. ``b = −a``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.gradcheck import rel_error
    >>> a, b = np.array([1.0]), np.array([-1.0])
    >>> print(rel_error(a, b))  # ‖2‖ / (1 + 1): the largest
    1.0
    >>> a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    >>> print(round(rel_error(a, b), 4))  # √2 / 2
    0.7071
    >>> a, b = np.array([1.0]), np.array([1.000001])
    >>> print(f"{rel_error(a, b):.1e}")  # 1e-6 / 2.000001
    5.0e-07
    """
    a, b = same_shape_arrays(a=a, b=b)
    s = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if s == 0.0:
        return 0.0
    a, b = a / s, b / s  # the ratio is scale-free; dividing first keeps a − b from overflowing
    num = np.linalg.norm((a - b).ravel())
    den = np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel())
    return float(num / den)
