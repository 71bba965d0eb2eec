"""Input checks shared by every public function.

Each failure raises ``ValueError`` that names the argument, what was expected and what came, in
the course's terms, so that a learner never meets a crash deep inside numpy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "as_ndarray",
    "as_array",
    "ndim",
    "describe",
    "all_finite",
    "check_finite",
    "bind_shapes",
    "checked_arrays",
    "same_shape_arrays",
    "as_scalar",
    "as_count",
    "as_positive",
    "as_nonnegative",
    "NumericOverflow",
]


class NumericOverflow(ValueError):
    """A result too large for float64 (the weights or the step are far too large).

    A ``ValueError`` whose message says which quantity overflowed; training loops catch it to
    report divergence instead of continuing with inf or NaN."""


def describe(a):
    """A short description of ``a`` for an error message: its type, and dtype or shape."""
    if a is None:
        return "None"
    if isinstance(a, np.ndarray):
        return f"an array of dtype {a.dtype} and shape {a.shape}"
    return type(a).__name__


def as_ndarray(name, a, what="an array"):
    """``np.asarray(a)``, or ``ValueError`` naming the argument where that would be wrong or fail.

    Refused: a masked array with masked entries (``np.asarray`` would hand on the hidden values
    under the mask as if they were data), and a list numpy cannot make one array of (rows of
    different lengths: numpy's own error names no argument). ``what`` says in the message what
    the argument should be.
    """
    if np.ma.isMaskedArray(a) and np.ma.count_masked(a):
        raise ValueError(
            f"{name}: expected {what} without masked entries, got a masked array with "
            f"{np.ma.count_masked(a)} of its {a.size} entries masked; fill them first "
            "(a.filled(value)) or leave them out"
        )
    try:
        return np.asarray(a)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(
            f"{name}: expected {what}, got {describe(a)} (numpy cannot read it as one array: {err})"
        ) from None


def ndim(name, a):
    """``np.ndim(a)`` (0 for a number), or ``ValueError`` naming the argument where numpy cannot
    read it as one array (a ragged list): for a function that takes a number or an array."""
    try:
        return np.ndim(a)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(
            f"{name}: expected a real number or an array of real numbers, got {describe(a)} "
            f"(numpy cannot read it as one array: {err})"
        ) from None


def as_array(name, a):
    """``a`` as a real floating-point ndarray (float64 unless it already is a float array).

    Rejects, by name: ``None``, complex numbers (numpy would drop their imaginary part with only
    a warning), booleans, strings and other objects that are not real numbers, ragged lists and
    masked entries (see :func:`as_ndarray`), and numbers beyond float64's range. A list holding
    other real numbers (``Fraction``, ints beyond int64) becomes float64.
    """
    if type(a) is np.ndarray and a.dtype.kind == "f":  # (a subclass becomes a plain array below)
        return a
    if a is None or isinstance(a, (str, bytes, dict)):
        raise ValueError(f"{name}: expected an array of real numbers, got {describe(a)}")
    raw = as_ndarray(name, a, "an array of real numbers")
    if raw.dtype.kind == "c":
        raise ValueError(
            f"{name}: expected real numbers, got complex numbers ({describe(raw)}); "
            "pass the real part (a.real) if that is what you mean"
        )
    if raw.dtype.kind == "O":
        return _real_objects(name, raw)
    if raw.dtype.kind not in "fiu":
        raise ValueError(f"{name}: expected an array of real numbers, got {describe(raw)}")
    return np.array(raw, dtype=raw.dtype if raw.dtype.kind == "f" else np.float64, subok=False)


def _real_objects(name, raw):
    """An array of Python objects that are all real numbers (``Fraction``, huge ints...) as
    float64, or ``ValueError`` naming the first entry that is no real number or too large."""
    out = np.empty(raw.shape)
    for idx, v in np.ndenumerate(raw):
        where = f" at index {idx}" if idx else ""
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            shown = _short(v)
            if v is not None and not shown.startswith(("<", type(v).__name__)):
                shown = f"{type(v).__name__} {shown}"  # 'abc' → str 'abc'; Decimal('0.5') as is
            raise ValueError(f"{name}: expected an array of real numbers, got {shown}{where}")
        try:
            # (a longdouble beyond float64 becomes inf with a RuntimeWarning: said below instead)
            with np.errstate(over="ignore"):
                out[idx] = v
        except OverflowError:
            raise _beyond_float64(name, v, where) from None
        if math.isinf(out[idx]) and _finite(v):
            raise _beyond_float64(name, v, where)
    return out


def _short(v, limit=40):
    """``repr(v)``, cut to ``limit`` characters; its type where there is none (an int of more
    than 4300 digits has no repr)."""
    try:
        text = repr(v)
    except Exception:  # whatever the object raises: its type is said instead
        return f"an {type(v).__name__} too long to show" if isinstance(v, int) else type(v).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _beyond_float64(name, v, where=""):
    """The ``ValueError`` for a real number ``v`` too large for float64 (above about 1.8e308)."""
    try:
        size = f"about {'-' if v < 0 else ''}1e{int(math.log10(abs(v)))}"
    except (OverflowError, ValueError, TypeError):
        size = "beyond 1.8e308"
    return ValueError(
        f"{name}: expected a number within float64's range (about ±1.8e308), got "
        f"{type(v).__name__} {size}{where}"
    )


def all_finite(a):
    """Whether every entry of the float array ``a`` is finite (no NaN, no ±inf).

    For more than a few numbers it looks at one number first, the sum of squares ``a · a``
    (one BLAS pass, no temporary array): NaN and ±inf survive every sum and product, so if
    ``a · a`` is finite, so is every entry. Only when it is not (a NaN, an inf, or a finite
    entry above 1e154 whose square overflows) are the entries checked one by one.
    """
    if a.size <= 16 and a.dtype.itemsize <= 8:  # a few numbers: a Python loop is several times
        # faster than two numpy calls (not for longdouble: float() of 1e400 would say inf)
        return all(map(math.isfinite, a.ravel().tolist()))
    return math.isfinite(np.vdot(a, a)) or bool(np.isfinite(a).all())


def check_finite(name, a):
    """Raise ``ValueError`` if the array ``a`` holds NaN or infinity, saying where the first is."""
    if all_finite(a):
        return
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    if idx:
        raise ValueError(f"{name}: expected finite values, got {a[idx]} at index {idx}")
    raise ValueError(f"{name}: expected a finite value, got {a}")


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
    >>> from rnnlib._validate import bind_shapes
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


def checked_arrays(**specs):
    """Every argument as a finite float array of consistent shape: the one check at an entry.

    ``specs`` maps each argument's name to ``(value, symbols)``, e.g.
    ``checked_arrays(x=(x, "NTD"), h0=(h0, "NH"))``. Returns ``(arrays, sizes)``: the arrays in
    the order given, and the dict of sizes (see :func:`bind_shapes`). Types are checked first,
    then shapes, then finiteness, so the first error names the most basic problem.
    """
    named = [(name, as_array(name, a), symbols) for name, (a, symbols) in specs.items()]
    sizes = bind_shapes(*named)
    for name, a, _ in named:
        check_finite(name, a)
    return [a for _, a, _ in named], sizes


def same_shape_arrays(**named):
    """Finite float arrays that must share one shape, the first argument's.

    ``same_shape_arrays(y_hat=y_hat, y=y)`` returns ``[y_hat, y]`` as arrays, or raises
    ``ValueError`` naming the argument whose shape differs from the first one's, or the first
    that holds NaN or infinity.
    """
    arrays = {name: as_array(name, a) for name, a in named.items()}
    first, shape = next(iter(arrays)), next(iter(arrays.values())).shape
    for name, a in arrays.items():
        if a.shape != shape:
            raise ValueError(f"{name}: expected the shape of {first}, {shape}, got {a.shape}")
    for name, a in arrays.items():
        check_finite(name, a)
    return list(arrays.values())


def as_scalar(name, a):
    """``a`` as a finite Python float; ``ValueError`` for None, complex, arrays, NaN or inf, and
    for a number beyond float64's range (``10**400``)."""
    if isinstance(a, numbers.Real) and not isinstance(a, bool):
        value = a
    else:
        if a is None:
            raise ValueError(f"{name}: expected a real number (a scalar), got None")
        shape = np.shape(a) if ndim(name, a) else ()
        arr = np.asarray(a) if shape == () else None
        if arr is None or arr.dtype.kind not in "fiu":
            if arr is not None and arr.dtype.kind == "c":
                got = f"a complex number ({a})"
            else:
                got = type(a).__name__ + (f" of shape {shape}" if shape != () else "")
            raise ValueError(f"{name}: expected a real number (a scalar), got {got}")
        value = arr[()]
    try:
        f = float(value)
    except OverflowError:  # an int or a Fraction beyond float64
        raise _beyond_float64(name, value) from None
    if not math.isfinite(f):
        if _finite(value):  # a longdouble beyond float64's range
            raise _beyond_float64(name, value)
        raise ValueError(f"{name}: expected a finite number, got {f}")
    return f


def _finite(value):
    try:
        return bool(np.isfinite(value))
    except TypeError:  # (a kind of number numpy does not know)
        return False


def as_count(name, n, minimum=1):
    """``n`` as a Python int ≥ ``minimum`` (an integer argument: a length, an epoch count...)."""
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)):
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {_short(n, 60)}")
    if n < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {_short(int(n), 60)}")
    return int(n)


def as_positive(name, a, what="number"):
    """``a`` as a finite float > 0 (a learning rate, a threshold, a temperature...)."""
    f = as_scalar(name, a)
    if f <= 0:
        raise ValueError(f"{name}: expected a positive {what}, got {f}")
    return f


def as_nonnegative(name, a, what="number", why=""):
    """``a`` as a finite float >= 0 (a noise level, a scale...); ``why`` says what it measures."""
    f = as_scalar(name, a)
    if f < 0:
        raise ValueError(f"{name}: expected a {what} >= 0{why}, got {f}")
    return f
