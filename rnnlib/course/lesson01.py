"""Lesson 01: the loss and its derivative
(notebooks/01_loss_and_its_derivative.ipynb).

Checkers of exercise 01, each with its cases and its catalogue of
known mistakes:

- ``check_loss``: ``loss(y_hat, y)`` → L = ½(ŷ − y)², elementwise
  for arrays;
- ``check_loss_grad``: ``loss_grad(y_hat, y)`` → dL/dŷ = ŷ − y,
  elementwise for arrays;
- ``check_loss_grad_fd``: ``loss_grad_fd(y_hat, y, eps)`` → dL/dŷ by
  a difference of two losses (the learner's own ``loss``),
  elementwise; its catalogue names finite-difference slips (dividing
  by ε instead of 2ε, nudging y instead of ŷ, a one-sided
  difference), which give the same numbers as some calculus slips of
  ``check_loss_grad`` but have other causes.

``QUESTIONS``: the graded conceptual questions of exercise 01
(``check_answer("01.…", answer)``).

References come from :mod:`rnnlib.scalar`; each mistake computes one
wrong formula.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import types
import warnings
from dataclasses import dataclass

import numpy as np

from .. import scalar
from .._validate import as_array, as_scalar, check_finite
from ..scalar import EXAMPLE
from .checking import (
    ELEMENTWISE,
    Checker,
    CheckFailed,
    Mistake,
    Question,
    _short_repr,
    learners_function,
    quiet_call,
    stand_ins_while_running,
    table_cases,
)
from .checking import as_number as f

__all__ = [
    "CHECKERS",
    "QUESTIONS",
    "check_loss",
    "check_loss_grad",
    "check_loss_grad_fd",
    "FIGURES",
    "loss_explorer",
    "tangent_line",
]


def _yhat_y():
    """The rows ``(label, ŷ, y)`` of the cases of all three checkers."""
    rng = np.random.default_rng(101)
    return [
        ("scalars, ŷ above y", 2.5, 1.0),
        ("scalars, ŷ below y", -1.3, 0.8),
        ("scalars, ŷ equal to y (a perfect prediction)", 0.3, 0.3),
        ("large values", 1250.0, -730.5),
        ("small values", 3e-4, -2e-4),
        ("arrays of shape (5,)", rng.uniform(-3, 3, 5), rng.uniform(-3, 3, 5)),
        ("2-d arrays of shape (2, 3)", rng.uniform(-3, 3, (2, 3)), rng.uniform(-3, 3, (2, 3))),
    ]


def loss_cases():
    return table_cases("y_hat, y", _yhat_y(), scalar.loss)


def loss_grad_cases():
    return table_cases("y_hat, y", _yhat_y(), scalar.loss_grad)


_L = "the loss is L = ½(ŷ − y)²"


check_loss = Checker(
    "check_loss",
    "loss(y_hat, y)",
    loss_cases,
    forbidden=("scalar.loss",),
    forbidden_says="it is the loss this exercise asks you to write",
    doc="L = ½(ŷ − y)², elementwise for arrays (floats or ndarrays of one shape).",
    mistakes=(
        Mistake(
            "seed_loss",
            lambda y_hat, y: f(y_hat) - y,
            'you returned ŷ − y, the seed\'s "loss": that is dL/dŷ, the error signal; ' + _L,
        ),
        Mistake(
            "negated_difference",
            lambda y_hat, y: y - f(y_hat),
            f"you returned y − ŷ, a signed difference; {_L}",
        ),
        Mistake(
            "missing_half",
            lambda y_hat, y: (f(y_hat) - y) ** 2,
            f"missing ½: you returned (ŷ − y)²; {_L}",
        ),
        Mistake(
            "half_squared_too",
            lambda y_hat, y: (0.5 * (f(y_hat) - y)) ** 2,
            f"you squared the ½ too: (½(ŷ − y))² = ¼(ŷ − y)²; {_L}, the ½ outside the square",
        ),
        Mistake(
            "no_square",
            lambda y_hat, y: 0.5 * (f(y_hat) - y),
            f"missing square: you returned ½(ŷ − y); {_L}",
        ),
        Mistake(
            "absolute_error",
            lambda y_hat, y: abs(f(y_hat) - y),
            "you returned |ŷ − y|; this course's loss is the half squared error ½(ŷ − y)²",
        ),
        Mistake(
            "half_absolute_error",
            lambda y_hat, y: 0.5 * abs(f(y_hat) - y),
            "you returned ½|ŷ − y|, half the absolute error; this course's loss is the half "
            "squared error ½(ŷ − y)²",
        ),
        Mistake(
            "squares_subtracted",
            lambda y_hat, y: 0.5 * (f(y_hat) ** 2 - f(y) ** 2),
            "you squared ŷ and y separately, ½(ŷ² − y²); square the difference: ½(ŷ − y)²",
        ),
        Mistake(
            "dropped_constant",
            lambda y_hat, y: 0.5 * f(y_hat) ** 2 - f(y_hat) * y,
            "you dropped the ½y² of the expanded square: ½ŷ² − ŷy has the right slope but is not 0 "
            f"at ŷ = y; {_L}",
        ),
        Mistake(
            "signed_square",
            lambda y_hat, y: 0.5 * (f(y_hat) - y) * abs(f(y_hat) - y),
            f"you kept the sign of the error, ½(ŷ − y)|ŷ − y|, so L < 0 when ŷ < y; {_L}",
        ),
        Mistake(
            "loss_summed",
            lambda y_hat, y: float(np.sum(0.5 * (f(y_hat) - y) ** 2)),
            "you summed the losses into one number" + ELEMENTWISE,
        ),
        Mistake(
            "loss_averaged",
            lambda y_hat, y: float(np.mean(0.5 * (f(y_hat) - y) ** 2)),
            "you averaged the losses into one number" + ELEMENTWISE,
        ),
        Mistake(
            "plus_for_minus",
            lambda y_hat, y: 0.5 * (f(y_hat) + y) ** 2,
            f"you added y, ½(ŷ + y)²: the loss squares the error, ŷ minus y; {_L}",
        ),
        Mistake(
            "loss_over_size",
            lambda y_hat, y: 0.5 * (f(y_hat) - y) ** 2 / np.size(y_hat),
            "you divided by the number of entries (a mean's 1/N); each entry has its own loss, "
            "½(ŷ − y)²",
        ),
    ),
)

_DL = "dL/dŷ = ŷ − y"

check_loss_grad = Checker(
    "check_loss_grad",
    "loss_grad(y_hat, y)",
    loss_grad_cases,
    forbidden=("scalar.loss_grad",),
    forbidden_says="it is the derivative this exercise asks you to write",
    doc=f"{_DL}, elementwise for arrays (floats or ndarrays of one shape).",
    mistakes=(
        Mistake(
            "wrong_sign_grad",
            lambda y_hat, y: y - f(y_hat),
            "wrong sign: you returned y − ŷ, which is dL/dy (the slope in the target y), not "
            f"dL/dŷ; {_DL}",
        ),
        Mistake(
            "abs_grad",
            lambda y_hat, y: abs(f(y_hat) - y),
            "you returned |ŷ − y|, the size of the error without its sign; the sign says which "
            f"way to move ŷ: {_DL}",
        ),
        Mistake(
            "extra_two",
            lambda y_hat, y: 2.0 * (f(y_hat) - y),
            "extra factor 2: you returned 2(ŷ − y), the derivative of (ŷ − y)², not of "
            f"½(ŷ − y)²; {_DL}",
        ),
        Mistake(
            "missing_power_rule_two",
            lambda y_hat, y: 0.5 * (f(y_hat) - y),
            "you kept the ½ but not the 2 that the power rule brings down: ½(ŷ − y); "
            "dL/dŷ = ½·2(ŷ − y) = ŷ − y",
        ),
        Mistake(
            "returned_the_loss",
            lambda y_hat, y: 0.5 * (f(y_hat) - y) ** 2,
            f"you returned the loss ½(ŷ − y)², not its derivative {_DL}",
        ),
        Mistake(
            "returned_squared_error",
            lambda y_hat, y: (f(y_hat) - y) ** 2,
            "you returned the squared error (ŷ − y)², not a derivative: the power rule brings the "
            f"2 down and lowers the power by one, d/dŷ ½(ŷ − y)² = ½·2(ŷ − y); {_DL}",
        ),
        Mistake(
            "slope_of_seed_loss",
            lambda y_hat, y: np.ones_like(f(y_hat)) if np.ndim(y_hat) else 1.0,
            "you returned 1, the slope of the seed's ŷ − y; differentiate L = ½(ŷ − y)² "
            f"instead: {_DL}",
        ),
        Mistake(
            "dropped_y",
            lambda y_hat, y: f(y_hat) + 0.0 * f(y),
            "you returned ŷ: y is held fixed, but it stays inside the error; d/dŷ of ½(ŷ − y)² "
            f"is (ŷ − y)·1: {_DL}",
        ),
        Mistake(
            "sign_only",
            lambda y_hat, y: np.sign(f(y_hat) - y),
            f"you returned only the sign of ŷ − y; its size matters too: {_DL}",
        ),
        Mistake(
            "grad_summed",
            lambda y_hat, y: float(np.sum(f(y_hat) - y)),
            "you summed the derivatives into one number" + ELEMENTWISE,
        ),
        Mistake(
            "grad_averaged",
            lambda y_hat, y: float(np.mean(f(y_hat) - y)),
            "you averaged the derivatives into one number" + ELEMENTWISE,
        ),
        Mistake(
            "grad_plus_for_minus",
            lambda y_hat, y: f(y_hat) + y,
            f"you returned ŷ + y: the error is ŷ minus y; {_DL}",
        ),
        Mistake(
            "grad_over_size",
            lambda y_hat, y: (f(y_hat) - y) / np.size(y_hat),
            "you divided by the number of entries (the slope of a mean loss); L is elementwise, "
            f"with no 1/N: {_DL}",
        ),
        Mistake(
            "grad_times_y_hat",
            lambda y_hat, y: (f(y_hat) - y) * y_hat,
            f"an extra factor ŷ: the chain rule's inner slope, d(ŷ − y)/dŷ, is 1, not ŷ; {_DL}",
        ),
    ),
)


def loss_grad_fd_cases():
    """The pairs of the other two checkers, each with a step ε: large steps
    too, so that a one-sided difference (off by ε/2 for this quadratic)
    cannot hide inside the tolerance."""
    steps = (1e-3, 0.5, 1e-3, 1e-3, 1e-3, 0.1, 0.25)
    rows = [
        (label + f", ε = {eps:g}", y_hat, y, eps)
        for (label, y_hat, y), eps in zip(_yhat_y(), steps, strict=True)
    ]
    return table_cases("y_hat, y, eps", rows, lambda y_hat, y, eps: scalar.loss_grad(y_hat, y))


def _L(y_hat, y):
    return scalar.loss(f(y_hat), f(y))


_FD = "dL/dŷ ≈ (L(ŷ + ε) − L(ŷ − ε)) / (2ε), y held fixed"

_C = 1.0
"""The replay's stand-in loss is L(ŷ, y) + _C·ŷ²: still quadratic, so every central difference of
it (ŷ ± ε, ŷ ± ε/2, the mean of a forward and a backward one) is exactly (ŷ − y) + 2·_C·ŷ."""


def _argument(fn, args, kwargs, i, name):
    """Argument ``i`` of a call ``fn(*args, **kwargs)``: positional, else
    the keyword ``name``, else the keyword of ``fn``'s parameter ``i``
    (``loss(a=..., b=...)``); None if none of these is found. ``i = 0``
    gives the call's ŷ, ``i = 1`` its y."""
    if len(args) > i:
        return args[i]
    if name in kwargs:
        return kwargs[name]
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None
    return kwargs.get(params[i]) if len(params) > i else None


class _Calls:
    """What the stand-ins of one run of the learner's function saw: the ŷ
    of every call of ``loss`` (``points``) and its y (``targets``, None
    where not found), and whether some call's ŷ could not be found
    (``unknown``). ``depth`` counts the stand-ins running: a stand-in
    called inside another one (the learner's ``loss`` calling
    ``rnnlib.scalar.loss``) passes the call through untouched."""

    def __init__(self):
        self.points, self.targets, self.unknown, self.depth = [], [], False, 0


def _stand_in(original, calls, extra):
    """``original`` (a loss) that records the ŷ of each call in ``calls``
    and, if ``extra``, returns L(ŷ, y) + extra·ŷ² instead of L(ŷ, y)."""

    @functools.wraps(original)
    def stand_in(*args, **kwargs):
        if calls.depth:
            return original(*args, **kwargs)
        y_hat = _argument(original, args, kwargs, 0, "y_hat")
        if y_hat is None:
            calls.unknown = True
        else:
            calls.points.append(y_hat)
            calls.targets.append(_argument(original, args, kwargs, 1, "y"))
        calls.depth += 1
        try:
            value = original(*args, **kwargs)
        finally:
            calls.depth -= 1
        if extra and y_hat is not None:
            value = value + extra * np.square(np.asarray(y_hat))
        return value

    return stand_in


def _rewrapped(value, loss, stand_in):
    """``value`` with the learner's ``loss`` replaced by ``stand_in``, if
    ``value`` is ``loss`` itself, a ``functools.partial`` of it or an
    ``np.vectorize`` of it; else None."""
    if value is loss:
        return stand_in
    if isinstance(value, functools.partial) and value.func is loss:
        return functools.partial(stand_in, *value.args, **value.keywords)
    if isinstance(value, np.vectorize) and value.pyfunc is loss:
        return np.vectorize(
            stand_in,
            otypes=value.otypes,
            excluded=value.excluded,
            cache=value.cache,
            signature=value.signature,
        )
    return None


@contextlib.contextmanager
def _loss_replaced(learners, inner, loss, mine, library):
    """Inside the block, ``rnnlib.scalar.loss`` is ``library`` (in the
    module and under any name in ``learners``), and the learner's
    ``loss`` is ``mine`` wherever it is seen by identity: under any name
    in ``learners`` (``L = loss``), inside a ``functools.partial`` or
    ``np.vectorize`` bound there, and in the default arguments and
    closure cells of the learner's functions
    (``def g(a, b, e, f=loss)``). Everything is given back on the way
    out."""
    own, defaults, cells = {}, [], []
    if learners is not None and loss is not None:
        for name, value in list(learners.items()):
            swapped = _rewrapped(value, loss, mine)
            if swapped is not None:
                own[name] = swapped
        functions = [inner] + [
            v
            for v in list(learners.values())
            if isinstance(v, types.FunctionType) and v.__globals__ is learners and v is not inner
        ]
        for fn in functions:
            if not isinstance(fn, types.FunctionType):
                continue
            held = fn.__defaults__ or ()
            new = tuple(_rewrapped(d, loss, mine) or d for d in held)
            if any(a is not b for a, b in zip(new, held, strict=True)):
                defaults.append((fn, "__defaults__", held, new))
            held = fn.__kwdefaults__ or {}
            new = {k: _rewrapped(d, loss, mine) or d for k, d in held.items()}
            if any(new[k] is not held[k] for k in held):
                defaults.append((fn, "__kwdefaults__", held, new))
            for cell in fn.__closure__ or ():
                try:
                    swapped = _rewrapped(cell.cell_contents, loss, mine)
                except ValueError:  # an empty cell
                    continue
                if swapped is not None:
                    cells.append((cell, cell.cell_contents, swapped))
    with stand_ins_while_running(scalar, {"loss": library}, learners, own):
        try:
            for fn, attr, _, new in defaults:
                setattr(fn, attr, new)
            for cell, _, swapped in cells:
                cell.cell_contents = swapped
            yield
        finally:
            for fn, attr, held, _ in defaults:
                setattr(fn, attr, held)
            for cell, held, _ in cells:
                cell.cell_contents = held


def _complex(point):
    """Is ``point`` (the ŷ of a call of ``loss``) complex, with an
    imaginary part (a complex step ŷ + i·ε)?"""
    try:
        arr = np.asarray(point)
    except Exception:
        return False
    return arr.dtype.kind == "c" and bool(np.any(arr.imag != 0))


def _at_step(point, y_hat, eps):
    """Is ``point`` (a real one) a step of the order of ``eps`` away from
    ``y_hat`` (ε/4 to 4ε, every entry: half steps ŷ ± ε/2 are a central
    difference too), not a step of its own? A point that is not an array
    of ŷ's shape (one entry at a time, under ``np.vectorize``) is given
    the benefit."""
    try:
        point, y_hat = np.asarray(point), np.asarray(y_hat, dtype=float)
        if point.dtype.kind == "c":
            point = point.real  # (complex with no imaginary part: see _complex)
        point = point.astype(float)
    except (TypeError, ValueError):
        return True
    if point.shape != y_hat.shape:
        return True
    ratio = np.abs(point - y_hat) / eps
    return bool(np.all((ratio >= 0.25) & (ratio <= 4)))


def _same(a, b):
    """Are ``a`` and ``b`` the same numbers (a call's argument and a case's
    value)?"""
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _own_functions(inner):
    """The functions and lambdas defined inside ``inner`` (the learner's
    loss_grad_fd), in words (``"a `loss` defined inside it"``): what it
    may compute the loss with instead of the learner's ``loss``."""
    code = getattr(inner, "__code__", None)
    found = []
    for const in code.co_consts if code is not None else ():
        if isinstance(const, types.CodeType):
            if const.co_name == "<lambda>":
                found.append("a lambda defined inside it")
            elif const.co_name.isidentifier():  # (not a comprehension's <listcomp>)
                found.append(f"a `{const.co_name}` defined inside it")
    return tuple(found)


def _show(x):
    """A value of a case for a message: 6 significant digits, arrays on one
    line."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return np.array2string(arr, precision=6, separator=", ", max_line_width=10**6)


@dataclass(frozen=True, eq=False, repr=False)
class DifferenceChecker(Checker):
    """A :class:`Checker` of a finite difference ``fn(y_hat, y, eps)``: the
    numbers must come from calls of ``loss`` at real points ``eps`` from
    ŷ. For this quadratic loss the central difference equals ŷ − y
    exactly, so the values alone would also accept the formula.

    Calls are seen of the learner's ``loss`` (the name ``loss`` in
    ``fn``'s own namespace, a notebook's globals) wherever it is held
    there by identity: under any name, in a ``functools.partial`` or
    ``np.vectorize`` bound there, in a default argument or closure cell
    of the learner's functions; and of ``rnnlib.scalar.loss``. After
    every case passes:

    - a function with no call seen is refused where its namespace has a
      ``loss`` (in exercise 01 it always has), and told so if it defines
      a function or lambda inside it (a loss of its own); elsewhere
      there is nothing to go by;
    - a function that calls ``loss(y, ŷ ± eps)`` (the arguments swapped:
      this loss is symmetric) is told so, and so is one that calls
      ``loss(ŷ, y ∓ eps)`` (y moved, not ŷ);
    - a complex step (``loss`` called at ŷ + i·ε, and at no real point ε
      from ŷ) is refused: a real step is asked for;
    - a function that calls ``loss`` on some cases and not at all on
      another (a branch that returns early, ``if y_hat == y: return 0``)
      is told which case;
    - a function that calls ``loss`` only at points far nearer to ŷ or
      farther from it than ``eps`` is refused;
    - the cases are run again with a ``loss`` that returns L(ŷ, y) + ŷ²
      (slope (ŷ − y) + 2ŷ, still exact for any central difference): a
      result that does not follow (the formula returned beside calls of
      ``loss``) is refused."""

    def _check(self, fn):
        __tracebackhide__ = True
        watched, loss, runs = fn, None, []
        if callable(fn):
            inner = learners_function(fn)
            learners = getattr(inner, "__globals__", None)
            loss = learners.get("loss") if learners is not None else None
            # a cell that assigned a number to the name (`loss = loss(2.0, 1.0)`)
            rebound = None if loss is None or callable(loss) else loss
            loss = loss if callable(loss) else None

            def run(args, extra):
                calls = _Calls()
                mine = _stand_in(loss, calls, extra) if loss is not None else None
                library = _stand_in(scalar.loss, calls, extra)
                with _loss_replaced(learners, inner, loss, mine, library):
                    return fn(*args), calls

            @functools.wraps(fn)
            def watched(*args):
                result, calls = run(args, 0.0)
                runs.append((args, calls.points, calls.targets, calls.unknown))
                return result

            watched.loss_calls = runs
            # the rule needs a `loss` to watch: a notebook of exercise 01 always has one
            watched.has_loss = loss is not None
            watched.rebound = rebound
            watched.own_losses = _own_functions(inner)
            watched.replay = lambda *args: run(args, _C)
        try:
            super()._check(watched)
        except CheckFailed as err:
            # a right difference of a wrong `loss` fails too: where the failure names no slip
            # of the difference's own but the one a loss missing its ½ also gives (twice the
            # slope), or none, and the function is the central difference of the learner's
            # `loss` on every case, that `loss` is what to fix first
            first, _, rest = str(err).partition("\n")
            own_slip = first != f"{self.name}: {self._twice_the_slope}" and (
                "wrong value" not in first
            )
            blame = not own_slip and not getattr(err, "timed_out", False) and loss is not None
            wrong = _wrong_loss(loss) if blame and self._differences(fn, loss) else None
            if not wrong:
                raise
            raise CheckFailed(f"{self.name}: {wrong}\n{rest}") from None

    def _differences(self, fn, loss):
        """Whether ``fn`` gives, on every case, the central difference of the learner's ``loss``
        at the case's ε: a right difference, of whatever ``loss`` computes."""
        for case in self.cases():
            y_hat, y, eps = case.args.values()
            got = quiet_call(fn, *copy.deepcopy(case.args).values(), limit=2.0)
            up, down = (quiet_call(loss, y_hat + s, y, limit=2.0) for s in (eps, -eps))
            try:
                central = (np.asarray(up, dtype=float) - down) / (2 * eps)
                if not np.allclose(np.asarray(got, dtype=float), central, rtol=1e-6, atol=1e-9):
                    return False
            except (TypeError, ValueError):  # (None where a call raised; another form)
                return False
        return True

    @property
    def _twice_the_slope(self):
        return next(m.says for m in self.mistakes if m.key == "fd_divided_by_eps")

    def _refusal(self, fn):
        runs = getattr(fn, "loss_calls", None)
        if not runs:
            return None
        if not any(points for _, points, *_ in runs):
            rebound = getattr(fn, "rebound", None)
            if rebound is not None:
                return (
                    "right numbers, but no call of a loss was seen: the name `loss` now holds "
                    f"{_short_repr(rebound, 30)}, not your function (did a cell assign "
                    "`loss = loss(2.0, 1.0)`?); run the cell with `def loss` again, name results "
                    "otherwise, and compute dL/dŷ from `loss(y_hat ± eps, y)`"
                )
            if not getattr(fn, "has_loss", False):
                return None  # no `loss` in its namespace, none called: nothing to go by
            own = getattr(fn, "own_losses", ())
            if own:
                return (
                    f"right numbers, but your loss_grad_fd computes the loss with {own[0]}, "
                    "not with the `loss` you wrote above (the one check_loss checks): call that "
                    "one, `loss(y_hat + eps, y)`, and define no loss of your own"
                )
            return (
                "right numbers, but no call of your `loss` was seen while your loss_grad_fd ran: "
                "this exercise asks for dL/dŷ from calls of your `loss` at two points a distance "
                "eps from ŷ, not from the formula ŷ − y; call it as `loss(y_hat + eps, y)` (under "
                "any name; a call through a dict or a list cannot be seen)"
            )
        steps = sorted({args[2] for args, *_ in runs})
        for (y_hat, y, eps), points, targets, unknown in runs:
            if not points:
                if unknown:
                    continue  # calls whose ŷ could not be found: nothing to go by
                where = (
                    f"at y_hat = {_show(y_hat)}, y = {_show(y)}, eps = {_show(eps)}"
                    if np.ndim(y_hat) == 0
                    else f"on arrays of shape {np.shape(y_hat)}"
                )
                return (
                    "right numbers, but on one case your loss_grad_fd called no `loss` at all "
                    f"({where}): does a branch return early there (`if y_hat == y: return 0`)? "
                    "compute every case from `loss(y_hat + eps, y)` and `loss(y_hat - eps, y)`"
                )
            real = [p for p in points if not _complex(p)]
            if any(_at_step(p, y_hat, eps) for p in real):
                continue
            if any(
                t is not None and _at_step(t, y_hat, eps) and _same(p, y)
                for p, t in zip(points, targets, strict=True)
            ):
                return (
                    "right numbers, but your loss_grad_fd calls `loss(y, y_hat ± eps)`: the "
                    "arguments are swapped (this loss is symmetric, so the numbers agree); "
                    "`loss` takes ŷ first: call `loss(y_hat + eps, y)`"
                )
            if any(
                t is not None and _same(p, y_hat) and _at_step(t, y, eps)
                for p, t in zip(points, targets, strict=True)
            ):
                return (
                    "right numbers, but your loss_grad_fd moves y, not ŷ: it calls "
                    "`loss(y_hat, y ± eps)` (for this loss the two slopes are opposite, so the "
                    "numbers agree); dL/dŷ moves ŷ and holds y fixed: call `loss(y_hat + eps, y)`"
                )
            if len(real) < len(points):
                return (
                    "right numbers, but your loss_grad_fd calls `loss` at complex points (a "
                    "complex step ŷ + i·eps): this exercise asks for a real step, a difference of "
                    "the losses at ŷ + eps and ŷ − eps"
                )
            return (
                "right numbers, but your loss_grad_fd calls `loss` only at points far nearer "
                "to ŷ or farther from it than eps: take ŷ ± eps, the step it is given (the "
                f"check passes steps from {steps[0]:g} to {steps[-1]:g})"
            )
        return self._not_following(fn)

    def _not_following(self, fn):
        """Why ``fn``'s result does not follow the values ``loss`` returns (run
        again with a ``loss`` that returns L + ŷ², it must return
        (ŷ − y) + 2ŷ), or None. A run that raises, or whose calls could not
        all be changed, tells nothing."""
        replay = getattr(fn, "replay", None)
        if replay is None:
            return None
        for case in self.cases():
            args = list(copy.deepcopy(case.args).values())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                replayed = quiet_call(replay, *args)  # (prints swallowed, under the time limit)
            try:
                got, calls = replayed
                got = np.asarray(got, dtype=float)
            except Exception:  # (None: it raised or was stopped; or an odd result)
                return None
            if calls.unknown or not calls.points:
                return None
            y_hat = np.asarray(case.args["y_hat"], dtype=float)
            want = np.asarray(case.expected, dtype=float) + 2 * _C * y_hat
            if got.shape != want.shape:
                return None  # another form than on the first run: nothing to compare
            if not np.allclose(got, want, self.rtol, self.atol):
                where = (
                    "at " + ", ".join(f"{k} = {_show(v)}" for k, v in case.args.items())
                    if y_hat.ndim == 0
                    else f"on {case.label}"
                )
                return (
                    "right numbers, but your result does not come from the values `loss` returns: "
                    "with a `loss` that returns L(ŷ, y) + ŷ² instead (its central difference is "
                    f"(ŷ − y) + 2ŷ), your loss_grad_fd returned {_show(got)}, not {_show(want)}, "
                    f"{where}; compute dL/dŷ from the two losses `loss` "
                    "returns, not from a formula"
                )
        return None


# (ŷ, y) where the learner's `loss` is tried before its finite difference is checked
_LOSS_POINTS = ((2.5, 1.0), (0.0, 2.0), (-1.0, 0.5))


def _wrong_loss(loss):
    """What is wrong with the learner's ``loss``, which their loss_grad_fd differentiates (so a
    right difference of a wrong loss would be told it divides wrongly: "twice the slope" for a
    loss missing its ½), or None: right at :data:`_LOSS_POINTS`, or not a function that returns
    numbers there (the usual checks say more)."""
    if loss is None:
        return None
    got = [quiet_call(loss, y_hat, y, limit=2.0) for y_hat, y in _LOSS_POINTS]
    try:  # (None where it raised; text; an array of one number is its number)
        got = np.array(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    if got.size != len(_LOSS_POINTS) or not np.all(np.isfinite(got)):
        return None
    right = [0.5 * (y_hat - y) ** 2 for y_hat, y in _LOSS_POINTS]
    if np.allclose(got, right, rtol=1e-9, atol=0.0):
        return None
    if np.allclose(got, [2 * r for r in right], rtol=1e-9, atol=0.0):
        return (
            "your `loss` is missing its ½ (check_loss says so too): it returns (ŷ − y)², and "
            "loss_grad_fd differentiates it, so its slope is twice dL/dŷ; fix `loss` (run its "
            "cell again), then this check"
        )
    (y_hat, y), g, r = _LOSS_POINTS[0], got[0], right[0]
    return (
        f"your `loss` gives loss({y_hat}, {y}) = {g:.6g}, not ½(ŷ − y)² = {r:.6g} (does "
        "check_loss pass?): loss_grad_fd differentiates your `loss`, so fix that first (run its "
        "cell again), then this check"
    )


check_loss_grad_fd = DifferenceChecker(
    "check_loss_grad_fd",
    "loss_grad_fd(y_hat, y, eps)",
    loss_grad_fd_cases,
    forbidden=("gradcheck.numerical_gradient", "scalar.loss_grad"),
    forbidden_says="find dL/dŷ from two calls of your own `loss`, a step ε on each side of ŷ",
    doc="dL/dŷ from two calls of ``loss`` a step ε apart on each side of ŷ (a central "
    "difference), elementwise for arrays; exact for this quadratic loss up to rounding. The "
    "formula ŷ − y, points far nearer to ŷ or farther from it than ε (steps outside ε/4 to 4ε; "
    "ŷ ± ε/2 is a central difference too) or complex ones, or a result that does not follow "
    "the values ``loss`` returns are refused although the numbers agree.",
    mistakes=(
        Mistake(
            "fd_divided_by_eps",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) - _L(f(y_hat) - eps, y)) / eps,
            "twice the slope: your two points are twice as far apart as you divide by (ŷ ± ε: "
            "divide by 2ε; ŷ ± 2ε: by 4ε); or your `loss` is missing its ½ (does check_loss "
            "pass?)",
        ),
        Mistake(
            "fd_nudged_y",
            lambda y_hat, y, eps: (_L(y_hat, f(y) + eps) - _L(y_hat, f(y) - eps)) / (2 * eps),
            "you got y − ŷ = dL/dy: you nudged the target y, not ŷ (or took left minus right, "
            "L(ŷ − ε) − L(ŷ + ε)); move ŷ by ±ε, keep y fixed",
        ),
        Mistake(
            "fd_forward",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) - _L(y_hat, y)) / eps,
            "a one-sided (forward) difference: (L(ŷ + ε) − L(ŷ)) / ε is too large by ε/2 for "
            "this loss; take the two points ŷ ± ε so that the ε² terms cancel",
        ),
        Mistake(
            "fd_backward",
            lambda y_hat, y, eps: (_L(y_hat, y) - _L(f(y_hat) - eps, y)) / eps,
            "a one-sided (backward) difference: (L(ŷ) − L(ŷ − ε)) / ε is too small by ε/2 for "
            "this loss; take the two points ŷ ± ε so that the ε² terms cancel",
        ),
        Mistake(
            "fd_divided_by_2_times_eps",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) - _L(f(y_hat) - eps, y)) / 2 * eps,
            "`/ 2*eps` divides by 2, then multiplies by ε (Python reads left to right): write "
            "`/ (2 * eps)`",
        ),
        Mistake(
            "fd_not_divided",
            lambda y_hat, y, eps: _L(f(y_hat) + eps, y) - _L(f(y_hat) - eps, y),
            "you returned the change of L, L(ŷ + ε) − L(ŷ − ε), without dividing it by the "
            "distance 2ε between the two points",
        ),
        Mistake(
            "fd_summed",
            lambda y_hat, y, eps: float(
                np.sum((_L(f(y_hat) + eps, y) - _L(f(y_hat) - eps, y)) / (2 * eps))
            ),
            "you summed the slopes into one number (or your `loss` sums its entries: does "
            "check_loss pass?)" + ELEMENTWISE,
        ),
        Mistake(
            "fd_losses_added",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) + _L(f(y_hat) - eps, y)) / (2 * eps),
            "you added the two losses; a difference subtracts them: (L(ŷ + ε) − L(ŷ − ε)) / (2ε)",
        ),
        Mistake(
            "fd_divided_by_2_only",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) - _L(f(y_hat) - eps, y)) / 2,
            "you divided by 2 but not by ε: the two points are 2ε apart, divide by `(2 * eps)`",
        ),
        Mistake(
            "fd_divided_by_eps_times_2",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) - _L(f(y_hat) - eps, y)) / eps * 2,
            "four times the slope: `/ eps*2` divides by ε, then multiplies by 2: write "
            "`/ (2 * eps)`",
        ),
        Mistake(
            "fd_forward_over_2eps",
            lambda y_hat, y, eps: (_L(f(y_hat) + eps, y) - _L(y_hat, y)) / (2 * eps),
            "about half the slope: L(ŷ + ε) − L(ŷ) spans ε, not 2ε; take L(ŷ + ε) − L(ŷ − ε), "
            "whose points are 2ε apart",
        ),
        Mistake(
            "fd_backward_over_2eps",
            lambda y_hat, y, eps: (_L(y_hat, y) - _L(f(y_hat) - eps, y)) / (2 * eps),
            "about half the slope: L(ŷ) − L(ŷ − ε) spans ε, not 2ε; take L(ŷ + ε) − L(ŷ − ε), "
            "whose points are 2ε apart",
        ),
        Mistake(
            "fd_error_unchanged",
            lambda y_hat, y, eps: 0.0 * (f(y_hat) - y),
            "you returned 0: your two losses are equal. Did you move y with ŷ (ŷ ± ε with y ± ε "
            "keeps the error ŷ − y, so L does not change)? Move ŷ alone, keep y fixed",
        ),
    ),
)

CHECKERS = (check_loss, check_loss_grad, check_loss_grad_fd)

QUESTIONS = (
    Question(
        "01.seed_loss",
        'The seed writes "loss = ŷ − y". In this course, what is ŷ − y?',
        "b",
        choices={
            "a": "a loss that training should make as small as possible",
            "b": "the derivative dL/dŷ of L = ½(ŷ − y)²: the error signal sent back into "
            "the network",
            "c": "the absolute error |ŷ − y|",
            "d": "the derivative dL/dy of L = ½(ŷ − y)²",
        },
        why={
            "a": "ŷ − y is signed and unbounded below: making it small sends ŷ to −∞, however "
            "far that is from y; it is not smallest at ŷ = y",
            "c": "ŷ − y keeps its sign (negative when ŷ is too low); |ŷ − y| would not",
            "d": "y enters L with a minus sign, so dL/dy = −(ŷ − y) = y − ŷ",
        },
        explain="ŷ − y is the slope of L = ½(ŷ − y)² in ŷ: its sign says which way ŷ is off, "
        "its size by how much.",
    ),
    Question(
        "01.central_order",
        "For a smooth function that is not a polynomial of degree 2 or less (tanh, say), you "
        "divide ε by 10 (ε still far above the rounding range). The central difference's error:",
        "b",
        choices={
            "a": "shrinks about 10 times",
            "b": "shrinks about 100 times",
            "c": "stays exactly 0, as for the loss",
            "d": "grows about 10 times",
        },
        why={
            "a": "that is the one-sided difference: its error is about ε/2·f″, first order in ε; "
            "in the central difference the f″ terms of f(x ± ε) cancel",
            "c": "it is exact only when the third derivative is 0, as for the quadratic loss; "
            "tanh's is not",
            "d": "that is the rounding error (about ε_mach·(|f| + |x|·|f′|)/ε), which matters "
            "only when ε is tiny",
        },
        explain="The first term that survives the cancellation is ε²/6·f‴: the central "
        "difference is second order.",
    ),
    Question(
        "01.forward_value",
        "At ŷ = 2, y = 0.5 and ε = 0.1, what number does the forward difference "
        "(L(ŷ + ε) − L(ŷ)) / ε return for L = ½(ŷ − y)²? (Three significant digits are "
        "enough: the value is exact.)",
        1.55,
        why={
            1.5: "that is dL/dŷ itself (what the central difference returns); the forward "
            "difference keeps the ½ε² of L(ŷ + ε), divided by ε",
            1.6: "that adds ε; the leftover term is ½ε², and ½ε²/ε = ε/2",
            1.45: "that subtracts ε/2: it is the backward difference (L(ŷ) − L(ŷ − ε)) / ε",
            1.505: "that adds ½ε² = 0.005, the leftover of L(ŷ + ε), without dividing it by ε: "
            "the quotient's leftover is ½ε²/ε = ε/2",
            0.155: "that is the change L(ŷ + ε) − L(ŷ) itself; the forward difference divides it "
            "by ε",
            0.05: "that is only the forward difference's error ε/2; the question asks for the "
            "whole quotient, (ŷ − y) + ε/2",
            3.1: "that is twice the right value: the forward difference divides by ε, the "
            "distance between its two points",
            1.525: "that adds ε/4; the leftover of L(ŷ + ε) is ½ε², and ½ε²/ε = ε/2 = 0.05",
            -1.55: "that is the negative: the forward difference is L(ŷ + ε) − L(ŷ), the later "
            "point first, divided by ε",
            2.05: "that is ŷ + ε/2: y stays in the slope, (ŷ − y) + ε/2 with y = 0.5",
        },
        rtol=1e-6,
        explain="(L(ŷ + ε) − L(ŷ)) / ε = (ŷ − y) + ε/2 = 1.5 + 0.05 exactly, for this quadratic.",
    ),
)


# =================================================================================================
# The slider figure of lesson 01, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 01's explorer: the loss L = ½(ŷ − y)² as a curve over ŷ, and its tangent at ŷ.
#
# The tangent at ŷ has slope dL/dŷ = ŷ − y (the seed's "loss = ŷ − y"): positive to the right of
# the target, negative to its left, zero at ŷ = y, the curve's minimum. Moving ŷ slides the point
# and its tangent along the curve; moving y shifts the whole curve. The figure is built once; the
# update only moves the curve, the point, the tangent, the target line and the text.

_XLIM = (-2.5, 3.5)
# The loss axis holds the curve over _XLIM and the point at every slider setting
# (L <= ½·4.5² = 10.125 over the sliders' ranges), and stays put: an axis that grew when y moved
# (to 8, then 11, as soon as y left [0.4, 0.6]) made the curve look flatter, where the lesson says
# that moving y shifts the curve and leaves its shape alone.
_YLIM = (-1.2, 11.0)
_HALF_WIDTH = 1.2  # the tangent is drawn over ŷ ± this (cut at the chart's left and right)


def tangent_line(y_hat, y, x):
    """The tangent of L = ½(ŷ − y)² at ``y_hat``, evaluated at ``x``.

    ``L(ŷ) + dL/dŷ · (x − ŷ)`` with ``dL/dŷ = ŷ − y`` (from
    :mod:`rnnlib.scalar`). It differs from the curve by exactly
    ½(x − ŷ)², so it touches the curve at ŷ and lies below it
    elsewhere.
    """
    x = as_array("x", x)  # (a string here was numpy's "could not convert string to float")
    check_finite("x", x)
    return scalar.loss(y_hat, y) + scalar.loss_grad(y_hat, y) * (x - y_hat)


def _direction(slope):
    if slope > 0:
        return "decrease ŷ"
    if slope < 0:
        return "increase ŷ"
    return "stay: the minimum"


def loss_explorer(y_hat=1.03, y=EXAMPLE["y"]):
    """Sliders ŷ and y over the loss curve L(ŷ) = ½(ŷ − y)² and its tangent
    line at ŷ.

    Parameters
    ----------
    y_hat : float, the starting prediction (slider in [−2, 3]); the
        default is the worked example's ŷ (lesson 00) to two decimals
    y : float, the starting target (slider in [−1, 2])

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds
    ``y_hat``, ``y``, ``loss`` = ½(ŷ − y)², ``slope`` = dL/dŷ = ŷ − y
    and ``direction`` (which way to move ŷ to lower L).
    """
    from .sliders import Explorer, Slider, freeze_static, new_figure, signed

    y_hat, y = as_scalar("y_hat", y_hat), as_scalar("y", y)
    grid = np.linspace(*_XLIM, 241)

    fig = new_figure(figsize=(8.8, 3.8))
    gs = fig.add_gridspec(1, 2, width_ratios=[2.4, 1.0])
    ax = fig.add_subplot(gs[0, 0])
    side = fig.add_subplot(gs[0, 1])
    side.set_axis_off()
    (curve,) = ax.plot(
        grid,
        scalar.loss(grid, y),
        color="#34495e",
        lw=2.0,
        label=r"loss $L = \frac{1}{2}(\hat y - y)^2$",
    )
    (tangent,) = ax.plot(
        [],
        [],
        "--",
        color="#c0392b",
        lw=1.6,
        label=r"tangent at $\hat y$, slope $dL/d\hat y = \hat y - y$",
    )
    (target,) = ax.plot(
        [y, y], list(_YLIM), ":", color="#27ae60", lw=1.4, label=r"target $y$ (the minimum)"
    )
    (point,) = ax.plot([], [], "o", color="#c0392b", ms=9, zorder=4)
    ax.axhline(0.0, color="#bbbbbb", lw=0.8, zorder=0)
    ax.set_xlim(*_XLIM)
    ax.set_ylim(*_YLIM)
    ax.set_xlabel(r"prediction $\hat y$")
    ax.set_ylabel(r"loss $L$")
    ax.set_title("The loss and its tangent: the slope says which way to move ŷ", fontsize=11)
    side.legend(
        *ax.get_legend_handles_labels(),
        loc="upper left",
        fontsize=9,
        frameon=False,
        borderaxespad=0.0,
    )
    text = side.text(
        0.0, 0.45, "", transform=side.transAxes, fontsize=10, family="monospace", va="top"
    )

    def update(y_hat, y):
        loss = scalar.loss(y_hat, y)
        slope = scalar.loss_grad(y_hat, y)
        curve.set_ydata(scalar.loss(grid, y))
        # The tangent lies below the curve (by ½(x − ŷ)²), so inside the chart's left and
        # right ends it stays under the top; its lowest value, −½·1.2², is above the bottom.
        xt = np.clip([y_hat - _HALF_WIDTH, y_hat + _HALF_WIDTH], *_XLIM)
        tangent.set_data(xt, tangent_line(y_hat, y, xt))
        target.set_data([y, y], list(_YLIM))
        point.set_data([y_hat], [loss])
        direction = _direction(slope)
        text.set_text(
            f"ŷ     = {y_hat:+.2f}\ny     = {y:+.2f}\nL     = {loss:.4f}\n"
            f"dL/dŷ = {signed(slope, 4)}\n→ {direction}"
        )
        return {
            "y_hat": float(y_hat),
            "y": float(y),
            "loss": float(loss),
            "slope": float(slope),
            "direction": direction,
        }

    def readout(s):
        # at ŷ = y there is nothing lower to move to ("stay: the minimum to lower L" misread)
        advice = (
            "<b>stay: ŷ = y is the minimum</b>, L = 0 is as low as it goes"
            if s["slope"] == 0
            else f"<b>{s['direction']}</b> to lower L"
        )
        # a negative target in brackets, ½(+3.00 − (-1.00))², not ½(+3.00 − -1.00)²; a positive
        # one without its sign, ½(-2.00 − 2.00)², not ½(-2.00 − +2.00)²
        y = f"({s['y']:+.2f})" if s["y"] < 0 else f"{s['y']:.2f}"
        return (
            f"L = ½(ŷ − y)² = ½({s['y_hat']:+.2f} − {y})² = {s['loss']:.4f}; "
            f"&nbsp; slope dL/dŷ = ŷ − y = {signed(s['slope'], 4)}: {advice}"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting)
    freeze_static(fig, [curve, tangent, target, point, text])
    sliders = {
        "y_hat": Slider(-2.0, 3.0, 0.01, y_hat, "prediction ŷ"),
        "y": Slider(-1.0, 2.0, 0.05, y, "target y"),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (loss_explorer,)
