"""Input checks shared by every public function.

Each check is cheap (attribute look-ups and one pass over the data) because it runs on every call,
and each failure raises ``ValueError`` that names the argument, what was expected and what came.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "as_array",
    "as_checked_array",
    "as_checked_arrays",
    "bind_shapes",
    "check_finite",
    "as_scalar",
]


def as_array(name, a):
    """Return ``a`` as a floating-point ndarray (float64 unless it already is a float array)."""
    if type(a) is np.ndarray and a.dtype.kind == "f":  # (a subclass becomes a plain ndarray below)
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
            for s, n in zip(symbols, a.shape, strict=True):
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
        for s, n in zip(symbols, shape, strict=True):
            m = dims.setdefault(s, n)
            if m != n:
                where = next(nm for nm, arr, sy in specs if s in sy)
                raise ValueError(
                    f"{name}: expected shape {_fmt(symbols, _sizes_from_others(specs, name))} "
                    f"({s} = {m} from {where}), got {shape}"
                )
    return dims


# The fast finiteness test. For a float array ``a``, a total that is finite proves every entry of
# ``a`` finite: NaN and ±inf propagate through sums (inf − inf is NaN) and through squares (which
# are >= 0, so +inf never cancels). A non-finite total means "look closer": a bad entry, or finite
# entries so large that the total overflows; the exact test (np.isfinite) then decides and names
# the first bad entry. Small arrays are summed as Python floats (no numpy call overhead); larger
# ones give Σ a², one BLAS dot with no temporary array (its overflow is silenced: it only sends
# the array to the exact test). Both are much cheaper than ``np.isfinite(a).all()``, above all
# for the small arrays of the early lessons.
_SMALL = 16  # up to this many entries, summing Python floats beats one numpy call
_ndarray, _isfinite = np.ndarray, math.isfinite  # bound once: these run on every call


def _squares_total(flat_arrays):
    """``Σ r·r`` over 1-d float arrays, overflowing to inf without a warning (see above)."""
    with np.errstate(over="ignore"):
        return sum(r.dot(r) for r in flat_arrays)


def check_finite(name, a):
    """Raise ``ValueError`` if ``a`` holds NaN or infinity, saying where the first one is."""
    if type(a) is _ndarray and a.dtype.kind == "f":  # the fast test (see _SMALL above)
        r = a.ravel()
        if _isfinite(sum(r.tolist()) if r.size <= _SMALL else _squares_total((r,))):
            return  # proven finite
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        idx = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name}: expected finite values, got {a[idx] if idx else a} at index {idx}"
            if idx
            else f"{name}: expected a finite value, got {a}"
        )


def as_checked_array(name, a, shape, symbols, why):
    """:func:`as_array`, then the exact ``shape``, then :func:`check_finite`, for one argument whose
    shape the other arguments fix (``symbols`` names its dimensions, ``why`` says what fixes them).

    Examples
    --------
    >>> import numpy as np
    >>> as_checked_array("dh", np.zeros((2, 3)), (2, 4), "(N, H)", "the shape of h")
    Traceback (most recent call last):
    ...
    ValueError: dh: expected shape (N, H) = (2, 4) (the shape of h), got (2, 3)
    """
    if type(a) is not _ndarray or a.dtype.kind != "f":
        a = as_array(name, a)
    if a.shape != shape:
        raise ValueError(f"{name}: expected shape {symbols} = {shape} ({why}), got {a.shape}")
    r = a.ravel()  # the fast test (see _SMALL above), else the exact one
    if not _isfinite(sum(r.tolist()) if r.size <= _SMALL else _squares_total((r,))):
        check_finite(name, a)
    return a


def as_checked_arrays(names, arrays, shapes):
    """:func:`as_array` on each argument, then ``shapes(*arrays)``, then :func:`check_finite`:
    the same checks, in the same order, with the same errors as calling them one after another,
    fused into one cheap pass for the common case (float ndarrays, all finite).

    Parameters
    ----------
    names : tuple of str, the argument names (for error messages)
    arrays : tuple, the arguments
    shapes : callable ``shapes(*arrays) -> sizes`` raising ``ValueError`` on a shape mismatch

    Returns
    -------
    (arrays, sizes) : the arguments as float ndarrays, and what ``shapes`` returned

    Notes
    -----
    The finiteness test is fused: the sum of every array's fast-test total (see ``_SMALL``; the
    small arrays' entries are summed together as Python floats) is finite only if every entry of
    every array is. Only when it is not does each array get the exact look of
    :func:`check_finite`, which names the first bad entry.
    """
    small, large = [], []
    for a in arrays:
        if type(a) is not _ndarray or a.dtype.kind != "f":  # convert (or reject) them all,
            return as_checked_arrays(names, tuple(map(as_array, names, arrays)), shapes)  # again
        if a.size <= _SMALL:  # the fast test (see _SMALL above)
            small += a.ravel().tolist()
        else:
            large.append(a.ravel())
    sizes = shapes(*arrays)
    if not _isfinite(sum(small) + (_squares_total(large) if large else 0.0)):
        for name, a in zip(names, arrays, strict=True):
            check_finite(name, a)
    return arrays, sizes


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
                + (
                    "None"
                    if a is None
                    else f"{type(a).__name__}"
                    + (f" of shape {shape}" if shape not in (None, ()) else "")
                )
            )
        f = float(arr)
    if not np.isfinite(f):
        raise ValueError(f"{name}: expected a finite number, got {f}")
    return f
