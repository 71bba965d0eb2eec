"""What every exercise checker is made of: a :class:`Checker` is data (its cases and its catalogue
of known mistakes) and can be called like a function::

    check_loss = Checker(
        "check_loss",
        "loss(y_hat, y)",                # the learner's function, as called
        loss_cases,                      # a function that builds the list of Case
        mistakes=(Mistake("missing_half", missing_half, "missing ½: ..."), ...),
    )
    check_loss(loss)                     # in the exercise notebook

A learner function that returns a tuple names its items after an arrow, as the lessons write it:
``"rnn_backward(dh, x, h0, h, Wx, Wh) → (dx, dh0, dWx, dWh, db)"``.

Two helpers write a checker's data as tables: :func:`table_cases` builds the cases from rows
``(label, value, ...)`` and a reference function; :func:`catalogue` builds the mistakes from rows
``(key, message)``, each the slip ``key`` of a parametrised implementation of the answer (right
with ``slip=None``, wrong in the one way each slip names), or ``(key, wrong_answer, message)``.

Calling a checker runs the learner's function on a deep copy of each case's inputs, in order, and

- turns a ``NotImplementedError`` into :class:`Unfinished` (a ``NotImplementedError`` too) whose
  one line says what to write: the learner's function, or the unfinished helper it calls;
- turns every other exception raised by the learner's code into an ``AssertionError`` that names
  the case and what was raised (the original is chained, so its traceback is kept), and what it
  means where the checker knows (:meth:`Checker._raised`);
- raises ``AssertionError`` if an input was changed in place, if the result is ``None``, has the
  wrong type, shape or length, holds NaN or infinity, or differs from the reference beyond the
  tolerances (``np.allclose(got, expected, rtol, atol)``; a float32 result that is right to
  float32 precision only is told to compute in float64);
- on a wrong answer, computes every catalogued mistake's answer for that case and, when the
  learner's result matches one (and the mistake really differs from the reference there), runs
  the learner's function on the other cases too and names the mistake in plain words if it
  gives the learner's numbers on more of the cases it changes than the learner is right on (one
  that matches on a case by chance, ``|o|`` for "wrong sign" where ``o < 0``, is not named; a
  result with the reference's numbers in another form, ``[13.1]`` for 13.1, counts as right).
  Where it does not fit every case, the message names the first case it misses: "(not on case
  4, where your answer is right)" (a slip with a right special case), or "(that explains this
  case, not case 2: look there too)". Mistakes that fit every case are preferred, and of
  several, the one that explains the most cases wins.

All of it runs under numpy's default handling of floating-point errors (:data:`NUMPY_ERRORS`),
whatever ``np.seterr`` a learner's earlier cell set.

Every message has a short first line, ``"<checker>: <what is wrong>"`` (this is what
``python -m rnnlib.progress`` prints), then the case's label, its inputs, the expected and the
actual result. On success it prints one line, e.g. ``check_loss: 7/7 cases passed ✓``.

Outputs
-------
A case's ``expected`` fixes the form the learner must return:

- a Python ``float``: one real number (a numpy scalar or 0-d array is accepted);
- an ``ndarray``: anything ``np.asarray`` turns into a real array of that shape (a list of
  Python floats or ints, a float32 array); text, complex numbers and booleans are not numbers,
  though ``np.asarray(x, dtype=float)`` would read them;
- a ``tuple`` or ``list`` of the above: a tuple or list of that length. Its items are named after
  the arrow of the checker's ``function`` (``"... → (dx, dh0, dWx, dWh, db)"``) or by the
  checker's ``items``, a format string with ``{i}`` (e.g. ``"clipped[{i}]"``); each item is
  checked on its own, and each wrong item is matched against the mistakes on its own, so two
  different mistakes in two items are both named.

A mistake's ``answer`` takes the learner function's arguments and returns a result of any form;
one whose form differs from the reference (e.g. a sum where an elementwise array belongs) is
recognised when the learner's result has that same form.
"""

from __future__ import annotations

import contextlib
import copy
import decimal
import functools
import importlib
import inspect
import io
import itertools
import numbers
import re
import signal
import sys
import textwrap
import threading
import time
import types
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

__all__ = [
    "Case",
    "Mistake",
    "Checker",
    "Question",
    "Unfinished",
    "catalogue",
    "table_cases",
    "as_number",
    "held_in_float32",
    "ELEMENTWISE",
]


@dataclass(frozen=True)
class Case:
    """One input to the learner's function and the answer it must give.

    Parameters
    ----------
    label : str
        Plain words for the case, e.g. ``"scalars, ŷ below y"`` or ``"N = 2, T = 3, D = 3, H = 4"``.
    args : dict
        Argument name → value, in the order of the learner function's parameters (the function
        is called positionally; the names are used in messages).
    expected : float, ndarray, or tuple/list of those
        The reference answer (from rnnlib or an independent formula).
    """

    label: str
    args: dict
    expected: Any


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer.

    Parameters
    ----------
    key : str
        A short name for the mistake (``"missing_half"``), used by tests and test ids.
    answer : callable
        Called with the case's arguments (positionally, like the learner's function); returns the
        wrong result.
    says : str
        The mistake in plain words, as the learner should read it, e.g.
        ``"wrong sign: you returned y − ŷ; dL/dŷ = ŷ − y"``. It becomes the first line of the
        message, after ``"<checker>: "``, so keep it under about 100 characters.
    """

    key: str
    answer: Callable[..., Any]
    says: str


def table_cases(parameters, rows, reference):
    """Cases from a table, one :class:`Case` per row ``(label, value, ...)``::

        table_cases("param, grad, lr", [("scalars, a large step", 2.0, 3.0, 0.5), ...], sgd_step)

    Parameters
    ----------
    parameters : str
        The learner function's parameter names, comma-separated, in the order of a row's values.
    rows : iterable of tuple
        ``(label, value, ...)``: the case's label, then one value per parameter.
    reference : callable
        Called with a row's values (positionally); returns the case's expected answer.
    """
    names = [name.strip() for name in parameters.split(",")]
    return [
        Case(label, dict(zip(names, values, strict=True)), reference(*values))
        for label, *values in rows
    ]


def catalogue(answer, *rows):
    """A checker's mistakes as a table, one :class:`Mistake` per row, in the rows' order:

    - ``(key, says)``: the slip ``key`` of ``answer``, the checker's parametrised implementation,
      called as ``answer(..., slip=key)``. ``answer`` takes the learner function's arguments and
      a keyword ``slip``: it is right for ``slip=None`` and wrong in exactly the one way its slip
      names, branching on it where the slip lies (``W = Wh if slip == "wh_not_transposed" else
      Wh.T``). Its slips are the keys of its catalogue: one name for each mistake.
    - ``(key, wrong_answer, says)``: a wrong answer written out, a function of the learner
      function's arguments.

    ::

        mistakes=catalogue(
            step_backward,
            ("step_missing_tanh_prime", f"missing tanh′: {_DA}"),
            ("step_dWx_transposed", "dWx is transposed: ..."),
            ("step_wrong_order", swapped_items, "the items are swapped: ..."),
        )

    A slip must be quoted (``"step_missing_tanh_prime"``) in the source of ``answer``, else
    ``ValueError`` here: a misspelt key would make ``answer`` right, a mistake that never matches.
    """
    mistakes, source = [], None
    for key, *how, says in rows:
        if how:
            (how,) = how
            if not callable(how):
                raise TypeError(
                    f"mistake {key!r}: expected a wrong answer (a function), got {how!r}"
                )
        else:
            source = source or _slips_source(answer, key)
            if not re.search(f"[\"']{re.escape(key)}[\"']", source):
                raise ValueError(
                    f"mistake {key!r}: {answer.__name__} has no such slip (its source never "
                    "quotes it)"
                )
            how = partial(answer, slip=key)
        mistakes.append(Mistake(key, how, says))
    return tuple(mistakes)


def _slips_source(answer, key):
    """The source of a parametrised implementation, to look its slips up in."""
    if "slip" not in inspect.signature(answer).parameters:
        raise TypeError(f"mistake {key!r}: {answer.__name__} takes no keyword `slip`")
    return inspect.getsource(answer)


def as_number(x):
    """A float for a scalar, a float array for an array: lets one wrong formula serve both."""
    return np.asarray(x, dtype=np.float64) if np.ndim(x) else float(x)


ELEMENTWISE = "; it must act elementwise and return an array of the inputs' shape"
"""The end of a mistake's text for an answer summed or averaged where an array belongs."""


def _checker_doc(function, doc):
    """A checker's docstring, what ``check_loss?`` shows: "Check ``function``:" then ``doc``,
    every line at most :data:`DOC_WIDTH`, neither the call nor a ````code```` span of up to 48
    characters broken; a call too long for a line has its results on the next."""
    call, arrow, results = function.partition(" → ")
    head = f"Check ``{function}``:"
    if len(head) > DOC_WIDTH and arrow:
        head = f"Check ``{call}``\n    → ``{results}``:"
    doc = re.sub(r"``[^`]+``", lambda m: m[0].replace(" ", _GLUE) if len(m[0]) <= 48 else m[0], doc)
    *first, last = head.split("\n")
    return "\n".join(
        [*first, fill_text(f"{last.replace(' ', _GLUE)} {doc}".strip(), width=DOC_WIDTH)]
    )


class _Found(dict):
    """Item → the mistakes that explain it (:meth:`Checker._name_mistakes`); ``parted``: item →
    ``(k, right)``, the first case (from 1) on which the learner's function and those mistakes
    part, and whether the learner's answer is right there."""

    def __init__(self, *args):
        super().__init__(*args)
        self.parted = {}


@dataclass(frozen=True, eq=False, repr=False)
class Checker:
    """An exercise's checker: call it with the learner's function.

    Parameters
    ----------
    name : str
        The contract name, e.g. ``"check_loss"`` (starts every message).
    function : str
        The learner function it takes, as called: ``"loss(y_hat, y)"``. Its parameter names are
        the keys of every case's ``args``. A tuple result's items are named after an arrow:
        ``"scalar_bptt(xs, y, u, w, v) → (dL/du, dL/dw, dL/dv)"``.
    cases : callable
        Builds the list of :class:`Case` (run in order; the first failing case is reported).
    mistakes : tuple of :class:`Mistake`
        The catalogue of known wrong answers.
    items : tuple of str, or str with ``{i}``, optional
        Names of the result's items when it is a tuple or list: by default the names after the
        arrow of ``function``; a format string with ``{i}`` names the items of a list of any
        length (``"clipped[{i}]"``).
    rtol, atol : float
        Tolerances of ``np.allclose(got, expected, rtol=rtol, atol=atol)``.
    doc : str
        What the learner's function must return, in a sentence or two (the checker's docstring).
    forbidden : tuple of str
        rnnlib's functions that compute the answer, ``"module.function"`` (``"scalar.bptt"``):
        while the learner's function runs they raise, wherever rnnlib or the learner's namespace
        holds them, and the check fails saying which one was called, then ``forbidden_says``.
    hints : tuple of (exception type, str, str)
        What an error the learner's function raises means: ``(ValueError, "truth value of an
        array", "an `if` on an array ...")``; the first whose type matches and whose second item
        is in the error's message gives the failure's first line.
    """

    name: str
    function: str
    cases: Callable[[], Sequence[Case]]
    mistakes: tuple[Mistake, ...] = ()
    items: Sequence[str] | str | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    doc: str = field(default="")
    forbidden: tuple[str, ...] = ()
    forbidden_says: str = "it computes what this exercise asks you to write"
    hints: tuple[tuple[type, str, str], ...] = ()

    def __post_init__(self):
        keys = [m.key for m in self.mistakes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.name}: mistakes must have distinct keys, got {keys}")
        object.__setattr__(self, "__doc__", _checker_doc(self.function, self.doc))
        returns = re.fullmatch(r".*\) → \((.*)\)", self.function)
        if returns and self.items is None:
            object.__setattr__(self, "items", tuple(s.strip() for s in returns.group(1).split(",")))

    @property
    def __name__(self):  # a checker reads like the function it stands for
        return self.name

    @property
    def parameters(self) -> list[str]:
        """The learner function's parameter names, from ``function``."""
        inside = re.match(r"\w+\((.*?)\)", self.function)
        return [p.strip() for p in inside.group(1).split(",")] if inside else []

    def __repr__(self):
        return f"<checker {self.name} of {self.function}, {len(self.mistakes)} known mistakes>"

    # -- running the learner's function ---------------------------------------------------------

    def __call__(self, fn: Callable[..., Any]) -> None:
        """Run ``fn`` on every case; print one line on success, raise ``AssertionError`` otherwise
        (``NotImplementedError`` raised by ``fn`` passes through unchanged).

        The check runs under numpy's default handling of floating-point errors, whatever a cell
        before it set: a learner hunting a NaN with ``np.seterr(all="raise")`` would otherwise
        meet a ``FloatingPointError`` from the cases' own deliberate underflows and overflows
        (a gradient of 1e-170, logits of ±1000) before the function is even called."""
        __tracebackhide__ = True  # IPython and pytest show the learner's frames, not these
        with np.errstate(**NUMPY_ERRORS):
            self._check(fn)

    def _check(self, fn):
        """The check itself, under :data:`NUMPY_ERRORS` (a subclass adds its rules here)."""
        __tracebackhide__ = True
        if not callable(fn):
            raise CheckFailed(
                f"{self.name}: expected your function itself, e.g. {self.name}(my_function) "
                f"without parentheses after the name; got {_type_name(fn)}"
            )
        cases = list(self.cases())
        n = len(cases)
        who = _describe_fn(fn)
        fn = self._guarded(fn)
        for i, case in enumerate(cases, 1):
            where = f"  case {i} of {n}: {case.label}\n" + _fmt_inputs(case.args)
            try:
                result, changed = _call(fn, case)
            except NotImplementedError as err:
                raise Unfinished(_not_started(fn, err)) from None
            except CalledTheAnswer as err:
                raise CheckFailed(f"{self.name}: {err}") from None
            except _TooLong:
                raise self._too_long(fn, cases, i) from None
            except Exception as err:
                said = _first_line(err)
                raised = f"{type(err).__name__}" + (f": {said}" if said else "")
                try:
                    why = self._raised(case, err) or _common_error(case, err)
                except Exception:  # (an exception whose text cannot be read: nothing to add)
                    why = None
                raise CheckFailed(
                    (
                        f"{self.name}: {why}\n{where}\n  raised:   {raised}"
                        if why
                        else f"{self.name}: {who} raised {raised}\n{where}"
                    )
                    + "\n  (the traceback above shows where in your code)"
                ) from err
            if changed is not None:
                raise CheckFailed(
                    f"{self.name}: {who} changed its input `{changed}` in place; leave the inputs "
                    "unchanged: compute on a copy or build a new value (`p = p - ...`, not "
                    "`p -= ...`; `xs[::-1]`, not `xs.reverse()`; `out = list(grads)`, not "
                    "`grads[i] = ...`)\n" + where
                )
            problems = self._problems(result, case)
            if problems and not _same_again(fn, case, result):
                raise CheckFailed(
                    f"{self.name}: {who} gave two different results for the same inputs: it "
                    "keeps something from one call to the next (a total, list or momentum made "
                    "outside it, a global, a default argument such as `losses=[]`) or draws "
                    "random numbers: create every sum and list inside the function, at each "
                    f"call\n{where}"
                )
            if problems:
                raise CheckFailed(self._message(fn, cases, case, where, result, problems))
        refusal = self._refusal(fn)
        if refusal:
            raise CheckFailed(f"{self.name}: {refusal}")
        print(f"{self.name}: {n}/{n} cases passed ✓")

    def _too_long(self, fn, cases, i):
        """The :class:`CheckFailed` for the learner's function ``fn`` stopped after
        :data:`TIME_LIMIT` seconds on case ``i`` (from 1) of ``cases``. It is marked
        ``timed_out``: a checker that would run the function again to say more does not, so that
        the cell ends within the limit."""
        n, case = len(cases), cases[i - 1]
        where = f"  case {i} of {n}: {case.label}\n" + _fmt_inputs(case.args)
        failed = CheckFailed(
            f"{self.name}: {_describe_fn(fn)} ran for more than {TIME_LIMIT:g} s on case {i} of "
            f"{n} without returning (each case takes well under a second): does a loop in it "
            "never end? (a `continue` where a `break` belongs, a `while` whose condition "
            f"never changes, a loop over far more steps than it needs)\n{where}"
        )
        failed.timed_out = True
        return failed

    def _run_limited(self, fn, cases, i, *args):
        """``fn(*args)``, a run of the learner's function for case ``i`` of ``cases`` that a
        subclass makes before the usual checks, stopped after :data:`TIME_LIMIT` seconds as a
        case is (:meth:`_too_long`)."""
        try:
            with _time_limit(TIME_LIMIT):
                return fn(*args)
        except _TooLong:
            raise self._too_long(fn, cases, i) from None

    def _guarded(self, fn):
        """``fn``, running with :attr:`forbidden` switched off (``fn`` itself if none is, or if
        ``fn`` is the course's own: a catalogued mistake may build on the library's answer)."""
        inner = learners_function(fn)
        if not self.forbidden or (getattr(inner, "__module__", None) or "").startswith(
            "rnnlib.course."
        ):
            return fn
        learners = getattr(inner, "__globals__", None)

        @functools.wraps(fn)
        def guarded(*args):
            with forbidden_while_running(self.forbidden, learners, self.forbidden_says):
                return fn(*args)

        return guarded

    def _raised(self, case, err):
        """What the exception ``err`` that the learner's function raised on ``case`` means, in
        words (the first line after ``"<checker>: "``), when the checker knows (its ``hints``,
        or a subclass's rule); else None."""
        said = str(err)
        return next(
            (says for kind, text, says in self.hints if isinstance(err, kind) and text in said),
            None,
        )

    def _refusal(self, fn):
        """Why ``fn``, right on every case, is still not what the exercise asks for (it got the
        numbers another way than the one asked for), or None. A subclass's rule; none here."""
        return None

    def _item_names(self, expected):
        if not _is_container(expected):
            return [None]
        k = len(expected)
        if isinstance(self.items, str):
            return [self.items.format(i=i) for i in range(k)]
        if self.items is not None and len(self.items) == k:
            return list(self.items)
        return [f"item {i + 1}" for i in range(k)]

    def _close(self, a, b):
        return _close(a, b, self.rtol, self.atol)

    def _problems(self, result, case):
        """Problems with the learner's result for one case: a list of ``(item, kind, want, got)``.

        ``kind`` is ``"form"`` (None, type, shape, length), ``"nan"`` or ``"value"``; ``item`` is
        the item's index (``None`` for the whole result); ``want``/``got`` describe the form.
        """
        exp = case.expected
        if _is_container(exp):
            k = len(exp)
            result = _as_items(result, exp)
            if not _is_container(result) or len(result) != k:
                names = ", ".join(self._item_names(exp))
                form = "list" if isinstance(exp, list) else "tuple"  # the one the exercise asks for
                want = f"a {form} of {k} ({names})"
                if isinstance(result, np.ndarray) and result.ndim > 1 and len(result) == k:
                    # np.stack([dw, db]), np.array([dw, db]): the items, stacked into one array
                    apart = ", ".join("abcdefgh"[:k])
                    want += (
                        f", not one array stacked from them: return them apart, `return {apart}`"
                    )
                return [(None, "form", want, _type_name(result))]
            leaves = list(zip(range(k), result, exp, strict=True))
        else:
            leaves = [(0, result, exp)]
        problems, held = [], {}
        for j, got, want in leaves:
            leaf = _as_leaf(got, want)
            held[j] = (leaf, want)
            if isinstance(leaf, str):
                problems.append((j, "form", _want_name(want), leaf))
            elif not np.all(np.isfinite(leaf)):  # (a float32 inf where float32 holds no more)
                low = _low_precision(got, leaf, want)
                problems.append(
                    (j, "value", None, low)
                    if low
                    else (j, "nan", _want_name(want), "NaN or infinity")
                )
            elif not np.allclose(leaf, np.asarray(want, dtype=np.float64), self.rtol, self.atol):
                problems.append((j, "value", None, _low_precision(got, leaf, want)))
        if any(got == _FLOAT32_IN_FLOAT64 for *_, got in problems):
            # one item holds float32 numbers: the others, right to float32 precision though not
            # float32 numbers (float32 terms summed into a float64 array), are that too
            problems = [
                (j, kind, want, _FLOAT32_IN_FLOAT64)
                if kind == "value"
                and got is None
                and _low_precision(held[j][0].astype(np.float32), *held[j])
                else (j, kind, want, got)
                for j, kind, want, got in problems
            ]
        return problems

    # -- naming the mistake ----------------------------------------------------------------------

    def _explains(self, wrong, result, j, exp):
        """Does a mistake's answer ``wrong`` explain the learner's item j (the whole result if j
        is None): equal to the learner's, and different from the reference?"""
        if j is None or not _is_container(exp):
            return self._close(result, wrong) and not self._close(wrong, exp)
        w = wrong[j] if _is_container(wrong) and len(wrong) == len(exp) else None
        if w is None or _is_container(w) or _is_container(result[j]):
            return False  # the mistake's item fixes the form, which may differ from the reference's
        return self._close(result[j], w) and not self._close(exp[j], w)

    def _score(self, mistake, results, cases):
        """How well a mistake explains the learner's function over all cases (``results``, its
        result on each): ``(whole, items)``, the number of cases whose whole result it reproduces
        (where it is wrong), then the number of (case, item) pairs it explains."""
        whole = items = 0
        for case, result in zip(cases, results, strict=True):
            wrong = _safe_answer(mistake, case)
            if wrong is None:
                continue
            exp = case.expected
            result = _as_items(result, exp)
            whole += self._explains(wrong, result, None, exp)
            if _is_container(exp) and _is_container(result) and len(result) == len(exp):
                items += sum(self._explains(wrong, result, j, exp) for j in range(len(exp)))
        return whole, items

    def _items(self, result, wrong, exp, j):
        """The learner's item j and the mistake's (the whole results if j is None), or None when
        they have not one form of finite numbers (nothing to compare)."""
        result = _as_items(result, exp)
        if j is not None and _is_container(exp):
            if not (
                _is_container(result)
                and _is_container(wrong)
                and len(result) == len(wrong) == len(exp) > j
            ):
                return None  # (a list of as many items as the case gives: fewer here)
            result, wrong = result[j], wrong[j]
        return (result, wrong) if _comparable(result, wrong) else None

    def _tally(self, mistake, j, cases, results):
        """How the learner's item j (its whole result if j is None) compares with the mistake's
        on the cases where the mistake's differs from the reference: ``(agree, right, parted)``,
        the number of cases where it is the mistake's, the number where it is right, and the
        first case (numbered from 1) where it is not the mistake's, with whether it is right
        there (``(k, True)``), or None. Where either holds NaN or infinity, or a form that
        cannot be compared (the learner's function raised there: ``None``), nothing is
        learned."""
        agree = right = 0
        parted = None
        for i, (case, result) in enumerate(zip(cases, results, strict=True), 1):
            wrong = _safe_answer(mistake, case)
            if wrong is None or result is None:
                continue
            exp = case.expected
            pair = self._items(result, wrong, exp, j)
            if pair is None:
                if self._right_numbers(result, wrong, exp, j):
                    right += 1  # (the mistake fits by its form, which is all that is wrong)
                    parted = parted or (i, True)
                continue
            got, w = pair
            want = exp[j] if j is not None and _is_container(exp) else exp
            if self._close(w, want):
                continue  # (the mistake changes nothing here: the case tells nothing)
            if self._close(got, w):
                agree += 1
            else:
                ok = self._close(got, want)
                right += ok
                parted = parted or (i, ok)
        return agree, right, parted

    def _right_numbers(self, result, wrong, exp, j):
        """Whether the learner's item j (the whole result if j is None) holds the reference's
        numbers in another form (``[13.1]`` or ``np.array([13.1])`` for 13.1), where the
        mistake's differs from the reference: right in all but its form. (With one sequence,
        "a rate per sequence" is a 1-element array of the right rate: a learner who returns
        that on every case has the rate right, not that mistake.)"""
        result = _as_items(result, exp)
        want = exp
        if j is not None and _is_container(exp):
            if not (_is_container(result) and _is_container(wrong)):
                return False
            if not len(result) == len(wrong) == len(exp) > j:
                return False
            result, wrong, want = result[j], wrong[j], exp[j]
        if self._close(wrong, want):
            return False
        try:
            got = np.asarray(result)
            ref = np.asarray(want, dtype=np.float64).ravel()
        except Exception:  # (items of several shapes...: not the reference's numbers)
            return False
        if got.dtype.kind not in "fiu":  # (text, booleans, complex numbers are not numbers)
            return False
        got = got.astype(np.float64).ravel()
        return (
            got.size == ref.size
            and bool(np.all(np.isfinite(got)))
            and bool(np.allclose(got, ref, rtol=self.rtol, atol=self.atol))
        )

    def _name_mistakes(self, fn, cases, case, result, problems):
        """For each problem (by item), the mistakes that explain it: each gives the learner's
        number on this case, and on more of the cases where it is wrong than the learner's
        function is right on (a rate fixed at 0.1 inside the function coincides with "a step
        twice too long" on a case with lr 0.05 and is right on one with lr 0.1: not named;
        ``|o|`` where ``o`` belongs is "wrong sign" where ``o < 0`` and right where ``o > 0``:
        named only if most cases have ``o < 0``). Those that fit every case are preferred; else
        ``found.parted[j]`` is ``(k, right)``, the first case where the named ones do not fit
        and whether the learner is right there (a slip with a right special case, ``if T == 1:
        ...``; or a second slip). Of several, those that explain the most cases win. (Only
        item j is looked at: a slip in one item, v missing from dL/db but not from dL/dw, is
        named in that item.)"""
        answers = [(m, _safe_answer(m, case)) for m in self.mistakes]
        answers = [(m, a) for m, a in answers if a is not None]
        results = None  # the learner's result on every case, once a mistake is to be tried on them
        found, scores = _Found(), {}
        for j, kind, _, _ in problems:
            if kind == "nan":
                continue
            cands = [m for m, a in answers if self._explains(a, result, j, case.expected)]
            if cands and results is None:
                results = self._further_results(fn, cases, case, result)
            tallies = {m.key: self._tally(m, j, cases, results) for m in cands}
            cands = [m for m in cands if tallies[m.key][0] > tallies[m.key][1]]
            everywhere = [m for m in cands if tallies[m.key][2] is None]
            cands = everywhere or cands
            if len(cands) > 1:
                for m in cands:
                    if m.key not in scores:
                        scores[m.key] = self._score(m, results, cases)
                best = max(scores[m.key] for m in cands)  # tuples: whole matches first
                cands = [m for m in cands if scores[m.key] == best]
            if cands:
                found[j] = cands
                if not everywhere:
                    found.parted[j] = min(tallies[m.key][2] for m in cands)
        return found

    def _further_results(self, fn, cases, case, result):
        """The learner's result on every case (``result`` on ``case``), to try a mistake on: run
        again, quietly, within :data:`FURTHER_TIME` seconds for all of them (a case that runs
        on, or one after the time is spent: None), so that the message is not held up long."""
        end = time.monotonic() + FURTHER_TIME
        results = []
        for c in cases:
            left = end - time.monotonic()
            if c is case:
                results.append(result)
            elif left <= 0:
                results.append(None)
            else:
                results.append(quiet_call(fn, *copy.deepcopy(c.args).values(), limit=left))
        return results

    def _message(self, fn, cases, case, where, result, problems):
        who = _describe_fn(fn)
        exp = case.expected
        result = _as_items(result, exp)
        names = self._item_names(exp)
        found = self._name_mistakes(fn, cases, case, result, problems)
        parted = getattr(found, "parted", {})  # (a subclass's rule may return a plain dict)

        def item(j):
            return names[j] if (j is not None and _is_container(exp)) else None

        lines = []
        for j, kind, want, got in problems:
            nm = item(j)
            prefix = f"{nm}: " if nm else ""
            if j in found:
                said = _says(found[j]) + _apart(parted.get(j))
                lines.append(said if nm and said.startswith(nm + " ") else prefix + said)
            elif kind == "form" and got == "None":
                lines.append(
                    f"{nm} is None" if nm else f"{who} returned None (is a `return` missing?)"
                )
            elif kind == "form":
                lines.append(
                    f"{prefix}expected {want}, got {got}"
                    if nm
                    else f"{who} returned {got}; expected {want}"
                )
            elif kind == "nan":
                lines.append(
                    f"{nm} contains NaN or infinity" if nm else f"{who} returned NaN or infinity"
                )
            elif got:  # a float32 result, right to float32 precision
                lines.append(
                    f"{nm} is {_low_says(got)}" if nm else f"{who} returned {_low_says(got)}"
                )
            else:
                item_got = result[j] if j is not None and _is_container(exp) else result
                at = _where_wrong(item_got, exp[j] if nm else exp, self.rtol, self.atol)
                whole = f"wrong value for {case.label}" + (f":{at}" if at else "")
                lines.append(f"{nm} is wrong{at}" if nm else whole)
        named = [found.get(j) for j, *_ in problems]
        low = [got if kind == "value" and j not in found else None for j, kind, _, got in problems]
        order = self._order(result, exp)
        if len(problems) > 1 and named[0] and all(c == named[0] for c in named):
            # one mistake explains every wrong item: say it once
            wrong = ", ".join(item(j) for j, *_ in problems)
            apart = _apart(min(parted.values(), default=None))
            lines = [_says(named[0]) + f" ({wrong} wrong)" + apart]
        elif order:
            lines = [
                "the right values in the wrong order: you returned ("
                + ", ".join(names[i] for i in order)
                + "); return ("
                + ", ".join(names)
                + ")"
            ]
        elif len(problems) > 1 and low[0] and all(g == low[0] for g in low):
            lines = [", ".join(item(j) for j, *_ in problems) + f" are {_low_says(low[0])}"]
        else:
            lines = _merge_plain_wrong(lines)
        case_line, inputs = where.split("\n", 1)
        body = [case_line]
        if len(lines) > 1:
            body.append("  problems:\n" + "\n".join(f"    - {t}" for t in lines))
        body.append(inputs)
        if _is_container(exp) and _is_container(result) and len(result) == len(exp):
            for j, _, _, _ in problems:
                want, got = _fmt_pair(exp[j], result[j], " " * 14)
                body.append(f"  {names[j]}:")
                body.append(f"    expected: {want}")
                body.append(f"    got:      {got}")
        else:
            want, got = _fmt_pair(exp, result, " " * 12)
            body.append(f"  expected: {want}")
            body.append(f"  got:      {got}")
        return f"{self.name}: {_headline(lines)}\n" + "\n".join(body)

    def _order(self, result, exp):
        """If the learner's items are the reference's in another order, that order (``(2, 0,
        1)``: their first item is the reference's third), else None."""
        if not (_is_container(exp) and _is_container(result) and 2 <= len(exp) == len(result)):
            return None
        if len(exp) > 6:  # (720 orders; a longer tuple is a list of like items, not named ones)
            return None
        same = [[self._close(r, e) for e in exp] for r in result]
        for order in itertools.permutations(range(len(exp))):
            if all(same[i][k] for i, k in enumerate(order)):
                return None if order == tuple(range(len(exp))) else order
        return None


_HEADLINE = 200  # characters: a first line longer than this names the first problem only


def _headline(lines):
    """The first line of a message (what a summary such as rnnlib.progress shows): every
    problem, ``"; "``-joined, where that is short enough; else the first and how many more."""
    joined = "; ".join(lines)
    if len(lines) == 1 or len(joined) <= _HEADLINE:
        return joined
    return f"{lines[0]} (and {len(lines) - 1} more below)"


def _merge_plain_wrong(lines):
    """``["du is wrong", "dw is wrong", ...]`` → ``["du, dw are wrong", ...]``, and the same for
    "contains NaN or infinity": one line names every item with that plain problem."""
    for one, many in (
        (" is wrong", " are wrong"),
        (" contains NaN or infinity", " contain NaN or infinity"),
    ):
        plain = [t for t in lines if t.endswith(one)]
        if len(plain) < 2:
            continue
        names = ", ".join(t[: -len(one)] for t in plain)
        merged = []
        for t in lines:
            if t not in plain:
                merged.append(t)
            elif t is plain[0]:
                merged.append(names + many)
        lines = merged
    return lines


def _first_line(err):
    """The first line of an exception's message that says something ("" if none does; a
    message that cannot even be made into text is said to be so)."""
    try:
        text = str(err)
    except Exception:  # a learner's exception class whose __str__ raises
        return "(its message cannot be shown)"
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _common_error(case, err):
    """What an exception raised by the learner's code means, where it has one common cause that
    the checker can name whatever the exercise (a checker's own ``_raised`` comes first). Else
    None."""
    said = str(err)
    if isinstance(err, TypeError):
        if "for ^" in said or "bitwise_xor" in said:
            return "`^` is not a power in Python (it is bitwise xor): write `** 2` to square"
        scalars = all(np.ndim(value) == 0 for value in case.args.values())
        if scalars and re.search(r"not iterable|has no len\(\)|not subscriptable", said):
            return (
                "this case passes plain numbers, which have no entries to loop over or len(): "
                "use numpy's operators, which act on numbers and arrays alike"
            )
    if isinstance(err, ValueError):
        if said.startswith("matmul: Input operand") or re.match(r"shapes \(.*\) not aligned", said):
            return (
                "a matrix product's inner sizes differ (A @ B needs A's columns = B's rows): is a "
                "transpose missing, or are the factors in the wrong order? Write each factor's "
                "shape beside it"
            )
        if said.startswith("operands could not be broadcast together"):
            return (
                "two arrays of shapes that do not fit met in an entry-by-entry operation (+, *): "
                "write each one's shape beside it; one may need a transpose or a sum over an axis"
            )
    if isinstance(err, IndexError):
        m = re.match(r"index (-?\d+) is out of bounds for axis \d+ with size (\d+)", said)
        if m and int(m.group(2)) == 0:
            return (
                "an index into an empty array (an axis of 0 entries): is it read before anything "
                "is put in it?"
            )
        if m and int(m.group(1)) == int(m.group(2)):
            n = int(m.group(2))
            return (
                f"index {n} is one past the end of an axis of {n} entries: numpy counts from 0, "
                f"so the last is {n - 1} (or -1); step t of t = 1..T sits at index t − 1"
            )
        if said == "list index out of range":
            return "an index past the end of a list: Python counts from 0, the last is len − 1"
    return _scalar_function_on_an_array(err)


def _scalar_function_on_an_array(err):
    """What ``err`` means when a function of Python's ``math`` module (``math.pow``,
    ``math.tanh``, ``math.exp``...) or ``float()`` was given an array: it takes one number at a
    time (numpy says "only 0-dimensional arrays can be converted to Python scalars", "only
    length-1 arrays ...", "only size-1 arrays ...", by version). Else None."""
    text = str(err)
    if isinstance(err, TypeError) and re.search(
        r"only (0-dimensional|length-1|size-1) arrays can be converted to Python scalars", text
    ):
        return (
            "a function for one number at a time (math.pow, math.tanh, math.exp, float...) was "
            "given an array: use numpy's operators and functions (**, np.tanh, np.exp), which act "
            "entry by entry"
        )
    return None


class CheckFailed(AssertionError):
    """A checker's verdict that an answer is wrong: an ``AssertionError`` (for pytest, nbgrader
    and ``except AssertionError``) that IPython shows without the checker's own frames. The
    checker raises it inside its own code, and that frame (IPython always shows the last one)
    says nothing to a learner; the learner's cell and the message are what they need."""

    def _render_traceback_(self):  # IPython's hook for an exception's own traceback
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:  # (an error here makes IPython fall back to its usual traceback)
            raise RuntimeError("not in IPython")
        tb = _learners_frames(self.__traceback__)
        # shown with its long lines wrapped at spaces (fill_message); str(self), which
        # rnnlib.progress and nbgrader read, stays as it is
        shown = AssertionError(fill_message(str(self), "AssertionError: "))
        shown.__cause__, shown.__context__ = self.__cause__, self.__context__
        shown.__suppress_context__ = self.__suppress_context__
        return shell.InteractiveTB.structured_traceback(AssertionError, shown, tb)


CheckFailed.__name__ = CheckFailed.__qualname__ = "AssertionError"  # what the learner sees


def _learners_frames(tb):
    """The traceback ``tb`` without the frames of the course machinery (``rnnlib.course`` and
    ``rnnlib.checks``)."""
    kept = []
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if not module.startswith(("rnnlib.course", "rnnlib.checks")):
            kept.append(tb)
        tb = tb.tb_next
    out = None
    for t in reversed(kept):
        out = types.TracebackType(out, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return out


class Unfinished(NotImplementedError):
    """A ``NotImplementedError`` met by a checker: the learner's function (or a helper it calls)
    is not written yet. IPython shows it as its one-line message, without the checker's frames."""

    def _render_traceback_(self):  # IPython's hook for an exception's own traceback
        said = fill_message(str(self), "NotImplementedError: ")
        return [f"\x1b[0;31mNotImplementedError\x1b[0m: {said}"]


Unfinished.__name__ = Unfinished.__qualname__ = "NotImplementedError"  # what the learner sees


# -- an unfinished function met outside a checker ------------------------------------------------

_STUB_LINES = ("raise NotImplementedError()", "raise NotImplementedError")


def _in_a_cell(shell, filename):
    """Whether ``filename`` is that of a cell's code in ``shell`` (IPython names each cell's
    code with a file of its own; ipykernel's live in its temporary folder)."""
    return filename in getattr(shell.compile, "_filename_map", {}) or filename.startswith(
        "<ipython-input-"
    )


def stub_met(shell, value, tb):
    """One line for a bare ``NotImplementedError()`` raised by the ``raise`` of an unwritten
    function defined in a notebook cell, met by a cell that calls it (an own check, a plot, a
    "put them together" cell), or by an answer cell's own top-level ``raise``; None for
    anything else (a checker's :class:`Unfinished`, an error with a message, one raised in a
    library)."""
    if type(value) is not NotImplementedError or str(value) or tb is None:
        return None
    frames = []  # (IPython's own frame that ran the cell comes first)
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    last, code = frames[-1], frames[-1].tb_frame.f_code
    cells = [t for t in frames if _in_a_cell(shell, t.tb_frame.f_code.co_filename)]
    if not _in_a_cell(shell, code.co_filename):
        return None  # not the learner's function
    import linecache

    if linecache.getline(code.co_filename, last.tb_lineno).strip() not in _STUB_LINES:
        return None
    if code.co_name == "<module>":  # an answer cell's own `raise`
        return (
            "not started: set your answer in this cell and delete its `raise "
            "NotImplementedError()` line, then run the cell"
        )
    where = "above" if code.co_filename != cells[0].tb_frame.f_code.co_filename else "in this cell"
    name = code.co_name
    return (
        f"not started: this cell calls `{name}`, whose body {where} is still `raise "
        f"NotImplementedError()`: write `{name}`, then run this cell again"
    )


def _show_stub_met(shell, etype, value, tb, tb_offset=None):
    """IPython's custom-exception handler for ``NotImplementedError`` (see :func:`stub_met`):
    shows the error itself, as IPython expects of such a handler."""
    said = stub_met(shell, value, tb)
    if said is None:  # as IPython would have shown it (a checker's Unfinished: its one line)
        shell.showtraceback((etype, value, tb), running_compiled_code=True)
        return None
    shown = f"\x1b[0;31mNotImplementedError\x1b[0m: {fill_message(said, 'NotImplementedError: ')}"
    shell._showtraceback(etype, value, [shown])
    return None


def show_unfinished_in_one_line():
    """In an IPython kernel, have a cell that calls a learner's unwritten function show one line
    saying which function to write (as a checker does) instead of a traceback through every call
    on the way; any other error is shown as usual. Does nothing outside IPython, or when the
    shell already has a custom-exception handler of someone else's."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if shell.custom_exceptions not in ((), (NotImplementedError,)):
        return False
    shell.set_custom_exc((NotImplementedError,), _show_stub_met)
    return True


def _not_started(fn, err):
    """One friendly line for a ``NotImplementedError``: the learner's function is not written
    yet, or it is written but calls a helper that is not (named from the traceback)."""
    name = getattr(fn, "__name__", "your function")
    tb, where = err.__traceback__, None
    while tb is not None:  # the innermost frame is where `raise NotImplementedError()` stands
        where, tb = tb.tb_frame.f_code.co_name, tb.tb_next
    if where and where not in (name, "_call") and where.isidentifier():
        return (
            f"unfinished: `{name}` calls `{where}`, whose body is still `raise "
            f"NotImplementedError()`: write `{where}`, then run this cell again"
        )
    return f"not started: write the body of `{name}` above, then run this cell again"


def _says(mistakes):
    return " — or — ".join(dict.fromkeys(m.says for m in mistakes))


def _apart(parted):
    """The words added to a mistake that explains the case that failed but not the case
    ``parted = (k, right)`` (:meth:`Checker._name_mistakes`; nothing if None)."""
    if parted is None:
        return ""
    k, right = parted
    if right:
        return f" (not on case {k}, where your answer is right)"
    return f" (that explains this case, not case {k}: look there too)"


# -- calling the learner's code ------------------------------------------------------------------


@contextlib.contextmanager
def stand_ins_while_running(module, stand_ins, learners=None, own=None):
    """Inside the block, the functions of ``module`` named in ``stand_ins`` are replaced by their
    stand-ins, in ``module`` and in the learner's namespace ``learners`` (a notebook's globals)
    wherever it holds one of them under any name (``from rnnlib.scalar import bptt as b``);
    ``own`` maps names in ``learners`` to stand-ins for the learner's own functions. Everything
    is given back on the way out, whatever happens."""
    originals = {name: getattr(module, name) for name in stand_ins}
    by_id = {id(fn): stand_ins[name] for name, fn in originals.items()}
    swaps = {}
    if learners is not None and learners is not vars(module):
        swaps = {k: by_id[id(v)] for k, v in learners.items() if id(v) in by_id}
        swaps.update(own or {})
    saved = {k: learners[k] for k in swaps}
    try:
        for name, stand_in in stand_ins.items():
            setattr(module, name, stand_in)
        for k, stand_in in swaps.items():
            learners[k] = stand_in
        yield
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)
        for k, fn in saved.items():
            learners[k] = fn


class CalledTheAnswer(Exception):
    """Raised by a library function the exercise forbids, while the learner's function runs."""


def _library_name(module, name):
    """How a learner writes rnnlib's function ``name`` of ``module`` (a module name):
    ``scalar.bptt``, ``rnnlib.rnn_backward`` (exported by the package), ``rnnlib.gradflow.…``."""
    short = module.removeprefix("rnnlib.")
    if short == "scalar":
        return f"scalar.{name}"
    if short in ("rnnlib", "rnn"):
        return f"rnnlib.{name}"
    return f"{module}.{name}"


def _is_library(module):
    return (module == "rnnlib" or module.startswith("rnnlib.")) and not module.startswith(
        "rnnlib.course"
    )


def _forbidden(label, says):
    """A stand-in for the rnnlib function ``label`` that raises :class:`CalledTheAnswer`, naming
    the function the learner called (another rnnlib function that calls it is named too), then
    ``says`` (why the exercise forbids it)."""

    def called(*args, **kwargs):
        # the function the learner called is the outermost of the rnnlib frames on the way
        # here (checkpointed_backward, not the private _segment_backward it runs this from)
        frame, via = sys._getframe(1), None
        while frame is not None and _is_library(frame.f_globals.get("__name__") or ""):
            via = _library_name(frame.f_globals["__name__"], frame.f_code.co_name)
            frame = frame.f_back
        which = f"{via}, which runs {label}" if via else label
        raise CalledTheAnswer(f"you called {which}: {says}")

    return called


@contextlib.contextmanager
def forbidden_while_running(forbidden, learners, says):
    """Inside the block, each rnnlib function of ``forbidden`` ("module.function") raises
    :class:`CalledTheAnswer` (its message ending with ``says``), wherever rnnlib's modules or the
    learner's namespace ``learners`` hold it (``rnnlib.rnn_backward`` is
    ``rnnlib.rnn.rnn_backward``; rnnlib.gradflow imports it too):
    :func:`stand_ins_while_running`, module by module."""
    stand_ins = {}  # id of the library function → its stand-in
    library = []  # (kept so that the ids stay the functions')
    for path in forbidden:
        module, name = path.rsplit(".", 1)
        fn = getattr(importlib.import_module(f"rnnlib.{module}"), name)
        library.append(fn)
        stand_ins[id(fn)] = _forbidden(_library_name(f"rnnlib.{module}", name), says)
    modules = [m for k, m in list(sys.modules.items()) if m is not None and _is_library(k)]
    with contextlib.ExitStack() as stack:
        for module in modules:
            held = {k: stand_ins[id(v)] for k, v in vars(module).items() if id(v) in stand_ins}
            if held:
                stack.enter_context(stand_ins_while_running(module, held, learners))
        yield


def learners_function(fn):
    """The learner's function inside its wrappers (``functools.wraps``, ``functools.partial``,
    ``np.vectorize``; for an instance of a class with ``__call__``, that method): the one whose
    ``__globals__`` is the learner's namespace."""
    for _ in range(10):
        try:
            fn = inspect.unwrap(fn)
        except ValueError:  # a cycle of __wrapped__
            return fn
        if isinstance(fn, functools.partial):
            fn = fn.func
        elif isinstance(fn, np.vectorize):
            fn = fn.pyfunc
        elif not hasattr(fn, "__globals__") and hasattr(type(fn).__call__, "__globals__"):
            fn = type(fn).__call__  # a callable object: its class's method
        else:
            return fn
    return fn


def _describe_fn(fn):
    name = getattr(fn, "__name__", "")
    return f"your {name}" if name.isidentifier() else "your function"


TIME_LIMIT = 20.0
"""Seconds a learner's function may run on one case before the checker stops it (a right answer
takes well under a second). Below nbgrader's cell timeout (30 s, tools/nbgrader_config.py), so
that a graded check stopped here says why."""
# All the further runs of a learner's function that try a mistake on the other cases, together
# (each case takes milliseconds; one that runs on, on a case the learner has not reached, would
# hold up the message for up to TIME_LIMIT each).
FURTHER_TIME = 5.0

# numpy's own default handling of floating-point errors (np.geterr() as numpy starts), under
# which a checker and a question run, whatever np.seterr a learner's earlier cell set
NUMPY_ERRORS = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}


class _TooLong(BaseException):
    """Raised in the learner's function when a case runs past :data:`TIME_LIMIT`: a
    ``BaseException``, like ``KeyboardInterrupt``, so that ``except Exception`` in a learner's
    loop does not swallow it."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise :class:`_TooLong` in the block after ``seconds`` (a timer signal; where there is
    none, off the main thread, or under a timer already running, e.g. pytest-timeout's, the
    block runs unlimited). CPython 3.10 runs no signal handler in a loop whose body starts with
    ``try:``, so there such a loop runs on (as it does under Ctrl-C); 3.11 stops it."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return

    def stop(signum, frame):
        raise _TooLong

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call(fn, case):
    """Run ``fn`` on a copy of the case's inputs. Returns ``(result, changed_input_name)``.

    Any exception propagates (the caller lets ``NotImplementedError`` through, wraps the rest);
    past :data:`TIME_LIMIT` seconds, :class:`_TooLong`.
    """
    __tracebackhide__ = True  # above the learner's frames when their function raises
    given = copy.deepcopy(case.args)
    with _time_limit(TIME_LIMIT):
        result = fn(*given.values())
    for name, before in case.args.items():
        where = _changed(name, before, given[name])
        if where:
            return result, where
    return result, None


def _changed(name, before, after):
    """Name of the first part of an input that differs from its pristine copy, else None."""
    if isinstance(before, np.ndarray):
        if (
            not isinstance(after, np.ndarray)
            or after.shape != before.shape
            or not np.array_equal(after, before, equal_nan=True)
        ):
            return name
        return None
    if isinstance(before, (list, tuple)):
        if not isinstance(after, type(before)) or len(after) != len(before):
            return name
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            where = _changed(f"{name}[{i}]", b, a)
            if where:
                return where
        return None
    if isinstance(before, dict):
        if not isinstance(after, dict) or after.keys() != before.keys():
            return name
        for k in before:
            where = _changed(f"{name}[{k!r}]", before[k], after[k])
            if where:
                return where
        return None
    if isinstance(before, (numbers.Number, str, bytes)):  # a value inside a list or dict
        nan = isinstance(before, numbers.Number) and before != before and after != after
        return None if type(after) is type(before) and (after == before or nan) else name
    return None


def _safe_answer(mistake, case):
    try:
        return mistake.answer(*copy.deepcopy(case.args).values())
    except Exception:  # a mistake that cannot even be computed on this case explains nothing
        return None


def _same_again(fn, case, result):
    """Does ``fn`` give ``result`` again when run once more on a fresh copy of the case's inputs?
    (Not when it keeps state between calls, e.g. a sum made outside it.) A result that cannot
    be copied or compared, or a second run that raises, tells nothing: True."""
    try:
        kept = copy.deepcopy(result)  # (the second run may change a list it returned)
    except Exception:  # whatever the learner's object raises
        return True
    again = _quiet_run(fn, case)
    return again is None or _identical(kept, again)


def _identical(a, b):
    """The same numbers in the same form (NaN equal to NaN); True when they cannot be read."""
    if _is_container(a) or _is_container(b):
        return (
            _is_container(a)
            and _is_container(b)
            and len(a) == len(b)
            and all(_identical(x, y) for x, y in zip(a, b, strict=True))
        )
    try:
        x, y = np.asarray(a), np.asarray(b)
        if "O" in (x.dtype.kind, y.dtype.kind):  # objects: numbers in an object array, or not
            try:
                x, y = x.astype(np.float64), y.astype(np.float64)
            except Exception:  # (e.g. an exception returned, not raised: a new one every call)
                return type(a) is type(b)
        numbers = x.dtype.kind in "fc" and y.dtype.kind in "fc"
        return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=numbers))
    except Exception:  # whatever the learner's objects raise: nothing to compare
        return True


def _quiet_run(fn, case):
    """``fn`` on a copy of the case's inputs (see :func:`quiet_call`)."""
    return quiet_call(fn, *copy.deepcopy(case.args).values())


def quiet_call(fn, *args, limit=None):
    """``fn(*args)`` for a checker's further run of the learner's function (to name a mistake, or
    to look at how the answer was made): its prints and warnings swallowed (numpy's overflow
    warning of a case the learner has not reached yet would stand under the message about
    another), stopped like a case after :data:`TIME_LIMIT` seconds (or ``limit``). ``None`` if it
    raises or is stopped."""
    try:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            warnings.catch_warnings(),
            _time_limit(TIME_LIMIT if limit is None else limit),
        ):
            warnings.simplefilter("ignore")
            return fn(*args)
    except (Exception, _TooLong):
        return None


# -- forms and comparison --------------------------------------------------------------------------


def _is_container(x):
    return isinstance(x, (tuple, list))


def _as_items(result, expected):
    """A 1-d array of numbers where a tuple of numbers is expected is the same answer (e.g.
    ``np.array([du, dw, dv])`` for ``(du, dw, dv)``): return it as a tuple."""
    if (
        _is_container(expected)
        and isinstance(result, np.ndarray)
        and result.ndim == 1
        and result.dtype.kind in "iuf"
        and len(result) == len(expected)
        and all(np.ndim(e) == 0 and not _is_container(e) for e in expected)
    ):
        return tuple(float(r) for r in result)
    return result


_NOT_REAL = {  # what a value holds that is not a real number, by numpy's dtype kind
    "U": "text, not numbers",
    "S": "text, not numbers",
    "c": "complex numbers, not real ones",
    "b": "booleans, not numbers",
}


def _not_real(x, depth=0):
    """What ``x`` (a value, an array, a list or tuple of them) holds that is not a real number,
    in words (``"text, not numbers"``), or ``None``."""
    if isinstance(x, (str, bytes)):
        return _NOT_REAL["U"]
    if isinstance(x, (complex, np.complexfloating)):
        return _NOT_REAL["c"]
    if isinstance(x, (bool, np.bool_)):
        return _NOT_REAL["b"]
    if isinstance(x, np.ndarray):
        if x.dtype.kind != "O":
            return _NOT_REAL.get(x.dtype.kind)
        items = x.flat
    elif _is_container(x):
        items = x
    else:
        return None
    if depth < 10:  # (a list that holds itself has no end)
        for v in items:
            held = _not_real(v, depth + 1)
            if held:
                return held
    return None


def _type_name(x, held=None):
    """``x`` in words, as a learner's result: ``"an array of shape (3,) holding text, not
    numbers"``. ``held`` says what it holds that is not a real number, if known."""
    held = held or _not_real(x)
    holding = f" holding {held}" if held else ""
    if x is None:
        return "None"
    if isinstance(x, (bool, np.bool_)):
        return f"{bool(x)} (a bool)"
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}{holding}"
    if _is_container(x):
        if x and not held and all(isinstance(v, numbers.Real) for v in x):
            return f"a {type(x).__name__} of {len(x)} number" + ("s" if len(x) > 1 else "")
        return f"a {type(x).__name__} of length {len(x)}{holding}"
    if isinstance(x, numbers.Real):
        return "a single number"
    if isinstance(x, (complex, np.complexfloating)):
        return "a complex number, not a real one"
    if isinstance(x, (str, bytes)):
        return _a(type(x).__name__)
    return _a(type(x).__name__) + holding


def _want_name(expected):
    if isinstance(expected, np.ndarray):
        return f"an array of shape {expected.shape}"
    return "a single number"


def _as_leaf(x, expected):
    """The learner's leaf as a float array of the reference's form, or a string saying why not."""
    if x is None:
        return "None"
    if isinstance(x, (str, bytes, dict, set, frozenset)) or callable(x) or _not_real(x):
        return _type_name(x)
    try:
        raw = np.asarray(x)  # not np.asarray(x, dtype=float): it reads "0.5" and drops 1j
        held = _not_real(raw)
        if held or raw.dtype.kind not in "iufO":
            return _type_name(x, held)
        arr = raw.astype(np.float64, copy=False)
    except OverflowError:  # an int such as 10**400
        return "a number too large for a float (beyond ±1.8e308)"
    except Exception:  # whatever the learner's object raises, it is not a number: describe it
        return _type_name(x)
    if arr.shape != np.shape(expected):
        if _is_container(x):  # a tuple or list, not an array: "a tuple of 2 numbers"
            numbers_only = all(isinstance(v, numbers.Real) for v in x)
            return _type_name(x) if numbers_only else f"a {type(x).__name__} of shape {arr.shape}"
        return "a single number" if arr.shape == () else f"an array of shape {arr.shape}"
    return arr


_LOW_PRECISION = {np.dtype(np.float32): 1e-4, np.dtype(np.float16): 1e-2}  # dtype → its rtol


def _low_precision(got, leaf, expected):
    """``"float32"`` (or ``"float16"``) if the learner's leaf ``got`` is of that type and agrees
    to that precision (relative to its largest entry) with ``expected``, or with ``expected`` as
    that type holds it (1e-170 underflows to 0 in float32), else ``None``: a right formula
    computed in float32 misses the checkers' tolerance (rtol 1e-6), which stays."""
    try:
        dtype = np.asarray(got).dtype
    except Exception:
        return None
    want = np.asarray(expected, dtype=np.float64)
    if dtype == np.float64 and held_in_float32(leaf, want):  # float32 values in float64
        if _low_precision(leaf.astype(np.float32), leaf, expected):
            return _FLOAT32_IN_FLOAT64
        return None
    rtol = _LOW_PRECISION.get(dtype)
    if rtol is None:
        return None
    with np.errstate(all="ignore"):  # the right answer as that type holds it: 1e-170 is 0
        held = want.astype(dtype).astype(np.float64)
    for ref in (want, held):
        scale = float(np.max(np.abs(ref[np.isfinite(ref)]), initial=0.0))
        if np.allclose(leaf, ref, rtol=rtol, atol=rtol * scale):
            return dtype.name
    return None


_FLOAT32_IN_FLOAT64 = "float32 held in float64"


def held_in_float32(leaf, want):
    """Whether every entry of the float64 ``leaf`` is a float32 number (as a float32 computation
    written into a float64 array leaves them) while the reference's are not all: a float64
    computation gives such entries with odds of about 2^-29 each, a float32 one always."""
    leaf = np.asarray(leaf, dtype=np.float64)
    if leaf.size == 0 or not np.all(np.isfinite(leaf)) or not np.any(leaf):
        return False
    with np.errstate(all="ignore"):
        as32 = leaf.astype(np.float32).astype(np.float64)
        want32 = want.astype(np.float32).astype(np.float64)
    return bool(np.array_equal(as32, leaf)) and not np.array_equal(want32, want)


def _low_says(dtype_name):
    if dtype_name == _FLOAT32_IN_FLOAT64:
        return (
            "float64 holding float32 numbers: they agree only to float32 precision; did you "
            "compute in float32 (and write into a float64 array)? Compute in float64 throughout"
        )
    return (
        f"{dtype_name}, right to {dtype_name} precision only; compute in float64 (np.float64 "
        "arrays, as the course's data are)"
    )


def _close(a, b, rtol, atol):
    """Whether two results of any form agree: same form and ``np.allclose`` leaf by leaf."""
    if _is_container(b):
        return (
            _is_container(a)
            and len(a) == len(b)
            and all(_close(x, y, rtol, atol) for x, y in zip(a, b, strict=True))
        )
    if _is_container(a) and not isinstance(b, np.ndarray):
        return False  # (a list of numbers where an array is expected is the same answer)
    leaf = _as_leaf(a, b)
    if isinstance(leaf, str):
        return False
    bb = np.asarray(b, dtype=np.float64)
    return bool(np.all(np.isfinite(leaf))) and bool(np.allclose(leaf, bb, rtol=rtol, atol=atol))


def _comparable(a, b):
    """Whether two results have one form and hold finite numbers only (so that :func:`_close`
    saying no means other numbers, not another form or an overflow)."""
    if _is_container(b):
        return (
            _is_container(a)
            and len(a) == len(b)
            and all(_comparable(x, y) for x, y in zip(a, b, strict=True))
        )
    if _is_container(a) and not isinstance(b, np.ndarray):
        return False  # (as in _close: a list of numbers where an array is expected is one)
    leaf = _as_leaf(a, b)
    if isinstance(leaf, str):
        return False
    try:
        other = np.asarray(b, dtype=np.float64)
    except Exception:  # (a mistake's answer is the course's own: numbers; nothing to compare)
        return False
    return bool(np.all(np.isfinite(leaf))) and bool(np.all(np.isfinite(other)))


def _where_wrong(got, want, rtol, atol):
    """Where an array answer of the right shape differs from the reference ``want``, as the end of
    a sentence: ``" from index 6 on (entries 0 to 5 are right)"`` when the wrong entries are the
    last ones of a 1-d array, ``" at 2 of 8 entries, the first at index 3"`` otherwise; ``""``
    when every entry differs or the answer is not such an array."""
    if not isinstance(want, np.ndarray) or want.size < 2:
        return ""
    leaf = _as_leaf(got, want)
    if isinstance(leaf, str) or np.shape(leaf) != want.shape:
        return ""
    off = ~np.isclose(leaf, want, rtol=rtol, atol=atol)
    k, n = int(off.sum()), off.size
    if k in (0, n):
        return ""
    first = tuple(int(i) for i in np.argwhere(off)[0])
    if want.ndim == 1 and off[first[0] :].all():
        at = first[0]
        right = "entry 0 is right" if at == 1 else f"entries 0 to {at - 1} are right"
        return f" from index {at} on ({right})"
    return f" at {k} of {n} entries, the first at index {first[0] if want.ndim == 1 else first}"


# -- values in messages ----------------------------------------------------------------------------

_MAX_ITEMS = 10  # a list or tuple longer than this is shown cut


def _fmt(x, indent="    ", digits=6):
    """A value for a message: numbers to ``digits`` significant digits, arrays with their
    shape."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        if x.ndim == 0:
            return _num(x, digits)
        shape = f"  (shape {x.shape})"
        # each row after the first starts at `indent`, the first after a label as wide: so
        # that every line, with the shape after the last, fits in TEXT_WIDTH
        width = max(TEXT_WIDTH - len(indent) - len(shape), 40)
        text = np.array2string(
            x, precision=digits, separator=", ", threshold=40, max_line_width=width
        )
        return text.replace("\n", "\n" + indent) + shape
    if _is_container(x):
        more = f", … ({len(x)} items)" if len(x) > _MAX_ITEMS else ""
        if all(isinstance(v, numbers.Real) for v in x):
            inner = ", ".join(_fmt(v, digits=digits) for v in x[:_MAX_ITEMS]) + more
            if isinstance(x, tuple):
                return f"({inner},)" if len(x) == 1 else f"({inner})"
            return f"[{inner}]"
        sub = indent + "    "
        inner = "".join(
            f"\n{indent}[{i}] {_fmt(v, sub, digits)}" for i, v in enumerate(x[:_MAX_ITEMS])
        )
        return f"{type(x).__name__} of {len(x)}:{inner}" + (f"\n{indent}…" if more else "")
    if isinstance(x, (float, np.floating)):
        return _num(x, digits)
    try:
        text = repr(x)
    except Exception:  # a learner's object whose repr fails is still shown
        return f"<{type(x).__name__} object>"
    return text if len(text) <= 200 else text[:199] + "…"


def _fmt_pair(want, got, indent):
    """``(_fmt(want), _fmt(got))``, with more digits where 6 show the two the same (a wrong
    value 1e-9 away from the right one is still shown different)."""
    pair = _fmt(want, indent), _fmt(got, indent)
    for digits in (10, 16):
        if pair[0] != pair[1]:
            break
        pair = _fmt(want, indent, digits), _fmt(got, indent, digits)
    return pair


def _as_given(given, value):
    """A numeric answer as the learner wrote it: ``19`` for the integer 19 (not ``19.0``), else
    as :func:`_num` shows ``value``."""
    if isinstance(given, (int, np.integer)) and not isinstance(given, bool):
        return str(int(given))
    return _num(value)


def _num(x, digits=6):
    text = f"{float(x):.{digits}g}"
    return text if any(c in text for c in ".einna") else text + ".0"


def _fmt_inputs(args):
    # one input a line: "    name = value", a value's later lines under its first
    parts = [f"{k} = {_fmt(v, ' ' * (4 + len(k) + 3))}" for k, v in args.items()]
    if all("\n" not in p for p in parts) and sum(map(len, parts)) < 80:
        return "  inputs:   " + ", ".join(parts)
    return "  inputs:\n" + "\n".join("    " + p for p in parts)


# -- graded questions ------------------------------------------------------------------------------


_CLOSE = 0.02  # a numeric answer this close (relatively) but outside the tolerance is "close"
_WHOLE_NOISE = 1e-9  # a whole number's round-off, relative: 20 computed as 19.999999999999996


@dataclass(frozen=True, eq=False, repr=False)
class Question:
    """A short conceptual question with a graded answer: multiple choice or a number.

    Parameters
    ----------
    key : str
        ``"NN.short_name"`` (NN the lesson's stage), e.g. ``"04.zero_copy"``; the learner passes
        it to :func:`rnnlib.checks.check_answer`.
    prompt : str
        The question, as the exercise notebook states it (one or two sentences), without its
        choices.
    answer : str or float
        The right choice's key (``"b"``) or the right number.
    choices : dict, optional
        Choice key → the choice's text as the notebook states it, for a multiple-choice question
        (``None`` for a numeric one).
    why : dict
        Multiple choice: every *wrong* choice → why it is wrong (required for each one).
        Numeric: a known wrong value → what mistake gives it (optional, matched with ``rtol`` and
        ``atol``; of several within that, the nearest).
    rtol, atol : float
        How close a numeric answer must be.
    explain : str
        Shown with the success line: why the right answer is right (one sentence).
    whole : bool
        The answer is a whole number ("A whole number, exactly"): a number with a fraction that
        is not a catalogued wrong value is told so.
    """

    key: str
    prompt: str
    answer: Any
    choices: dict | None = None
    why: dict = field(default_factory=dict)
    rtol: float = 1e-3
    atol: float = 0.0
    explain: str = ""
    whole: bool = False

    def __post_init__(self):
        if self.choices is not None:
            if self.answer not in self.choices:
                raise ValueError(f"{self.key}: the answer {self.answer!r} is not a choice")
            missing = set(self.choices) - {self.answer} - set(self.why)
            if missing:
                raise ValueError(f"{self.key}: explain every wrong choice; missing {missing}")

    def __repr__(self):
        kind = "multiple choice" if self.choices else "numeric"
        return f"<question {self.key} ({kind})>"

    def _tolerance(self):
        """How close a numeric answer must be, in words: ``"0.1%"``, ``"±0.01"``."""
        parts = [f"{self.rtol * 100:g}%"] if self.rtol else []
        parts += [f"±{self.atol:g}"] if self.atol else []
        return " + ".join(parts) or "exactly"

    def __call__(self, given) -> None:
        """Grade ``given``: print one line if right, else raise ``AssertionError`` saying why
        (under numpy's default handling of floating-point errors, as a checker is)."""
        __tracebackhide__ = True
        with np.errstate(**NUMPY_ERRORS):
            self._grade(given)

    def _grade(self, given):
        __tracebackhide__ = True
        head = f"check_answer({self.key!r})"
        if given is None or given is Ellipsis:
            raise Unfinished(
                f"not started: give your answer to {self.key} above, then run this cell again"
            )
        if self.choices is not None:
            options = ", ".join(repr(k) for k in self.choices)
            key = _choice_key(given)
            if key is None:
                raise CheckFailed(
                    f"{head}: expected one letter, one of {options}, as a string, e.g. "
                    f"check_answer({self.key!r}, {next(iter(self.choices))!r}); got "
                    f"{_a(_kind_name(given))}: {_short_repr(given)}"
                )
            if key not in self.choices:
                lead = re.match(r"\(?([a-z])\b", key)  # "b) the derivative", "b - because"
                alone = (
                    f": give the letter alone, check_answer({self.key!r}, {lead.group(1)!r})"
                    if lead and lead.group(1) in self.choices
                    else ""
                )
                raise CheckFailed(f"{head}: expected one of {options}, got {given!r}{alone}")
            if key != self.answer:
                raise CheckFailed(f"{head}: ({key}) is not right: {self.why[key]}")
        else:
            leaf = _as_leaf(given, 0.0)
            if isinstance(leaf, str):
                raise CheckFailed(f"{head}: expected a single number, got {leaf}: {_fix(given)}")
            value = float(leaf)
            shown = _as_given(given, value)
            known = any(np.isclose(value, w, rtol=self.rtol, atol=self.atol) for w in self.why)
            # (a whole number computed with round-off, sqrt(400) as 19.999999999999996, is one)
            noise = _WHOLE_NOISE * max(1.0, abs(value))
            if self.whole and abs(value - round(value)) > noise and not known:
                raise CheckFailed(
                    f"{head}: {value!r} is not a whole number; this question asks for one, exactly"
                )
            low = np.result_type(given) if isinstance(given, (np.floating, np.ndarray)) else None
            if (
                low is not None
                and low.kind == "f"
                and low.itemsize < 8
                and not np.isclose(value, self.answer, rtol=self.rtol, atol=self.atol)
                and value == float(np.asarray(self.answer).astype(low))
            ):
                digits = np.finfo(low).precision
                raise CheckFailed(
                    f"{head}: {value!r} is the answer held in {low} (about {digits} significant "
                    f"digits), not within {self._tolerance()}: compute it in float64 (Python "
                    "floats, numpy's default)"
                )
            if not np.isclose(value, self.answer, rtol=self.rtol, atol=self.atol):
                # the nearest catalogued value within the tolerance names the mistake: two
                # mistakes whose values lie closer than that (0.01 and 0.0099) are told apart.
                # Beyond it, an answer that is the right value rounded (66 for 65.536, 0.08 for
                # 0.0769) is "close"; one that is a wrong value rounded (-41 for -41.07, where the
                # right one is -41.51) is said to be that value rounded, and its mistake is named;
                # one that is the right value cut short (4.2 for 4.2775) is "close"; one within
                # 2% of a wrong value and nearer to it than to the right value (63 for 62.5
                # against 65.536) is said to be near that value: it may have come from that
                # mistake and a slip of arithmetic, or from another mistake (1.52 is near 1.525,
                # "adds ε/4", but adds 0.02), so the message states only what the numbers show. A
                # catalogued value that is also the answer rounded (1.6: 1.55 + ε, or 1.55
                # rounded) is told both.
                near = [
                    (abs(value - wrong), said, "")
                    for wrong, said in self.why.items()
                    if np.isclose(value, wrong, rtol=self.rtol, atol=self.atol)
                ]
                rounded = _answer_shortened(self.answer, value)
                if near and rounded:
                    _, said, _ = min(near, key=lambda triple: triple[0])
                    raise CheckFailed(
                        f"{head}: {shown} is not right: it is the answer {rounded} (give more "
                        f"digits), or what this slip gives: {said}"
                    )
                if not near and rounded != "rounded":
                    near = [
                        (abs(value - wrong), said, _near_wrong(wrong, value))
                        for wrong, said in self.why.items()
                        if _rounds_to(wrong, value)
                        or (
                            not rounded
                            and np.isclose(value, wrong, rtol=_CLOSE, atol=self.atol)
                            and abs(value - wrong) < abs(value - self.answer)
                        )
                    ]
                if near:
                    _, said, how = min(near, key=lambda triple: triple[0])
                    raise CheckFailed(f"{head}: {shown} is not right{how}: {said}")
                if rounded or abs(value - self.answer) <= _CLOSE * abs(self.answer):
                    how = (
                        f"is the answer {rounded}"
                        if rounded
                        else f"is within {_CLOSE:.0%} of the answer"
                    )
                    raise CheckFailed(
                        f"{head}: close: {value:.12g} {how} but not within "
                        f"{self._tolerance()}; compute it rather than rounding, or give more "
                        "digits"
                    )
                raise CheckFailed(f"{head}: {shown} is not right; try again")
        print(fill_text(f"{head}: right ✓" + (f" {self.explain}" if self.explain else ""), "  "))


# JupyterLab breaks an output line wider than the notebook anywhere, even inside a word ("the
# picture above is a|t the starting values"; its CSS: word-break: break-all): the course's long
# printed sentences (a question's success line, whose explanation runs to 280 characters; a
# slider figure's text form) and the messages of failed checks as shown in a notebook are
# wrapped at spaces to this many characters, and every line a lesson prints fits in it
# (tests/test_links.py). Measured in Chromium at 1024 x 768 with JupyterLab's file browser
# open (its first layout, a small laptop): a `.jp-OutputArea-output pre` is 584 px wide and one
# character of its 13 px monospace font (DejaVu Sans Mono, Menlo) 7.83 px, so 74 characters fit;
# with the 15 px scrollbar that Windows and most Linux desktops show beside the notebook, 569 px,
# 72 characters (72.7). Every glyph the course prints (✓ η ‖ ∇ ² − √ ≈ σ ′ ⌈ ...) is as wide.
TEXT_WIDTH = 72
# A docstring's lines: help() prints a docstring 4 spaces in, in the same output area.
DOC_WIDTH = TEXT_WIDTH - 4


# A formula is not broken where it can be kept whole: a line may end after a word, a relation
# ("=", "≈", "<", ...) or a comma, but not inside a short bracket ("½(ŷ −" / "y)²") nor after
# an arithmetic operator ("by 1 −" / "η·o_T²"). The spaces of such a formula are glued (a
# character textwrap does not break at) up to this many characters in a row; a longer run is
# left as words, so a line is never longer than before.
_FORMULA_RUN = 36
_GLUE = "\x00"
_OPERATOR_SPACES = re.compile(r"(?<=\S) (?=[−+×·/*-] \S)|(?<=\S [−+×·/*-]) (?=\S)")
_RELATION_SPACE = re.compile(r"(?<=\S) (?=[=≈<>≤≥≠] )")


def _glue_formulas(text):
    """``text`` with the spaces inside short formulas replaced by ``_GLUE`` (see above): first
    around operators and inside brackets; where that makes a run too long, inside brackets only;
    where that is still too long, none."""
    operators = {m.start() for m in _OPERATOR_SPACES.finditer(text)}
    operators |= {m.start() for m in _RELATION_SPACE.finditer(text)}
    brackets, opened = set(), []
    for i, ch in enumerate(text):
        if ch in "([":
            opened.append(i)
        elif ch in ")]" and opened:
            start = opened.pop()
            if i - start < _FORMULA_RUN:
                brackets |= {j for j in range(start, i) if text[j] == " "}

    levels = (operators | brackets, brackets, set())  # what is glued, from most to none

    def words(start, stop, level):
        """The words of text[start:stop], glued as ``levels[level]`` says while short enough."""
        out = []
        for word in "".join(
            _GLUE if i in levels[level] else text[i] for i in range(start, stop)
        ).split(" "):
            if len(word) > _FORMULA_RUN and level + 1 < len(levels):
                out += words(start, start + len(word), level + 1)
            else:
                out.append(word)
            start += len(word) + 1
        return out

    return " ".join(words(0, len(text), 0))


def fill_text(text, indent="", width=TEXT_WIDTH):
    """``text`` wrapped at spaces to ``width`` (:data:`TEXT_WIDTH`), the lines after the first
    indented by ``indent``; never inside a word, nor inside a short formula where it can be kept
    whole."""
    filled = textwrap.fill(
        _glue_formulas(text),
        width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled.replace(_GLUE, " ")


def fill_message(text, prefix=""):
    """``text`` as an exception shows it after ``prefix`` (``"AssertionError: "``), every line
    wider than :data:`TEXT_WIDTH` wrapped at spaces, never inside a word: the first line goes on
    at the margin, an indented line 2 spaces further in than itself. Lines that fit are kept as
    they are, so that columns of numbers stay aligned."""
    out = []
    for i, line in enumerate(text.split("\n")):
        head = prefix if i == 0 else ""
        if len(head + line) <= TEXT_WIDTH:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        wrapped = fill_text(head + line, indent + "  " if indent else "").split("\n")
        out += [wrapped[0][len(head) :], *wrapped[1:]]
    return "\n".join(out)


def _fix(given) -> str:
    """What to do with an answer to a numeric question that is not one number."""
    text = given
    if isinstance(given, np.ndarray) and given.dtype.kind == "U" and given.size == 1:
        text = given.item()
    if isinstance(text, str):
        try:
            float(text)
        except ValueError:
            return "this question asks for a number; set your answer to the number you found"
        return f"{text!r} is text; write the number without quotes"
    if isinstance(given, (list, tuple, np.ndarray)) and np.size(given) == 1:
        return f"give the number itself, not {_a(_kind_name(given))} holding it"
    return "set your answer to one number (an int or a float)"


def _near_wrong(wrong, given):
    """How ``given`` relates to the catalogued wrong value ``wrong`` it is near, as the words
    between "is not right" and the mistake's explanation: "; it is 62.5 rounded, which is what
    this slip gives"."""
    relation = f"{_num(wrong)} rounded" if _rounds_to(wrong, given) else f"near {_num(wrong)}"
    return f"; it is {relation}, which is what this slip gives"


def _rounds_to(exact, given, ways=(decimal.ROUND_HALF_UP,), least=2):
    """Whether ``given``, of ``least`` significant digits or more, is ``exact`` rounded by hand
    to the last digit ``given`` shows: 66 for 65.536, 0.54 for 0.538, -41 for -41.07 (not 1 for
    1.4, nor 0 for anything). ``exact`` is read to 12 significant digits, so that a value
    computed with round-off (2/0.64 = 3.1249999999999996) rounds as the number it stands for
    (3.125), half up, or in each of the ``ways`` (decimal's rounding modes)."""
    try:
        if float(given) == 0:
            return False
        digits = decimal.Decimal(repr(float(given))).normalize()
        if len(digits.as_tuple().digits) < least:
            return False
        place = decimal.Decimal(1).scaleb(digits.as_tuple().exponent)
        value = decimal.Decimal(f"{float(exact):.12g}")
        rounded = {value.quantize(place, way) for way in ways}
    except (decimal.InvalidOperation, ValueError, OverflowError):
        return False
    return digits in rounded and float(exact) != float(given)


def _answer_shortened(answer, given):
    """How ``given`` is the right ``answer`` with fewer digits, in words ("rounded", "cut
    short"), or None: rounded half up (3.13 for 3.125, by hand) or half to even (3.12, Python's
    ``round``), to one significant digit or more (0.08 for 0.0769, 70 for 65.536); cut short,
    to two or more (4.2 for 4.2775)."""
    if _rounds_to(answer, given, _HALF_WAYS, least=1):
        return "rounded"
    if _rounds_to(answer, given, (decimal.ROUND_DOWN,)):
        return "cut short"
    return None


_HALF_WAYS = (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN)


def _choice_key(given):
    """A multiple-choice answer as the choice's key: ``" (B). "`` → ``"b"``; ``None`` if it is
    not a string (a 0-d array of text, ``np.array("b")``, is its string)."""
    if isinstance(given, np.ndarray) and given.ndim == 0 and given.dtype.kind == "U":
        given = given.item()
    if not isinstance(given, str):
        return None
    return str(given).strip().lower().rstrip(".").strip().strip("()").strip()


def _kind_name(x):
    return "array" if isinstance(x, np.ndarray) else type(x).__name__


def _a(noun):
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _short_repr(x, limit=60):
    try:
        text = repr(x)
    except Exception:  # a learner's object whose repr fails is still described
        return f"<{type(x).__name__} object>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
