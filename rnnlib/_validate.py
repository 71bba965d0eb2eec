"""Input checks shared by every public function.

Each check is cheap (attribute look-ups and one ``isfinite`` pass) because it runs on every call,
and each failure raises ``ValueError`` that names the argument, what was expected and what came.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_array", "bind_shapes", "check_finite", "as_scalar"]


def as_array(name, a):
    """Return ``a`` as a floating-point ndarray (float64 unless it already is a float array)."""
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return a
    if a is None:
        raise ValueError(f"{name}: expected an array of numbers, got None")
    try:
        out = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name}: expected an array of numbers, got {type(a).__name__} ({err})"
        ) from None
    return out


def _fmt(symbols, dims):
    known = [str(dims[s]) if s in dims else s for s in symbols]
    sym = "(" + ", ".join(symbols) + ("," if len(symbols) == 1 else "") + ")"
    val = "(" + ", ".join(known) + ("," if len(known) == 1 else "") + ")"
    return sym if sym == val else f"{sym} = {val}"


def _sizes_from_others(specs, skip):
    """Sizes implied by every argument except ``skip`` (first one wins): for error messages."""
    dims = {}
    for name, a, symbols in specs:
        if name != skip and len(a.shape) == len(symbols):
            for s, n in zip(symbols, a.shape):
                dims.setdefault(s, n)
    return dims


def bind_shapes(*specs):
    """Check every ``(name, array, symbols)`` against one consistent set of sizes.

    ``symbols`` is a string of dimension names, one character a dimension, e.g. ``"NTD"``. The
    first array that uses a symbol fixes its size; any later disagreement raises ``ValueError``
    naming the argument, the expected shape and the actual one. Returns the dict of sizes.

    Examples
    --------
    >>> import numpy as np
    >>> bind_shapes(("x", np.zeros((2, 3)), "ND"), ("Wx", np.zeros((3, 4)), "DH"))
    {'N': 2, 'D': 3, 'H': 4}
    """
    dims = {}
    for name, a, symbols in specs:
        shape = a.shape
        if len(shape) != len(symbols):
            raise ValueError(
                f"{name}: expected a {len(symbols)}-d array of shape "
                f"{_fmt(symbols, _sizes_from_others(specs, name))}, "
                f"got a {len(shape)}-d array of shape {shape}"
            )
        for s, n in zip(symbols, shape):
            m = dims.setdefault(s, n)
            if m != n:
                where = next(nm for nm, arr, sy in specs if s in sy)
                raise ValueError(
                    f"{name}: expected shape {_fmt(symbols, _sizes_from_others(specs, name))} "
                    f"({s} = {m} from {where}), got {shape}"
                )
    return dims


def check_finite(name, a):
    """Raise ``ValueError`` if ``a`` holds NaN or infinity, saying where the first one is."""
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        idx = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name}: expected finite values, got {a[idx] if idx else a} at index {idx}"
            if idx
            else f"{name}: expected a finite value, got {a}"
        )


def as_scalar(name, a):
    """Return ``a`` as a finite Python float; raise ``ValueError`` otherwise."""
    if isinstance(a, numbers.Real) and not isinstance(a, bool):
        f = float(a)
    else:
        arr = np.asarray(a) if a is not None else None
        if arr is None or arr.shape != () or arr.dtype.kind not in "fiu":
            shape = getattr(arr, "shape", None)
            raise ValueError(
                f"{name}: expected a real number (a scalar), got "
                + ("None" if a is None else f"{type(a).__name__}"
                   + (f" of shape {shape}" if shape not in (None, ()) else ""))
            )
        f = float(arr)
    if not np.isfinite(f):
        raise ValueError(f"{name}: expected a finite number, got {f}")
    return f
