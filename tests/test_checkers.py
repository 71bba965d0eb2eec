"""Every checker in rnnlib.checks.ALL_CHECKERS, one behaviour at a time: a right answer passes
with one line, every catalogued mistake is rejected *and named*, and bad learner output (None, a
wrong form, NaN, inputs changed in place, a crash, not even a function) gets its own clear
AssertionError, never a crash inside the checker. An unfinished function gets one friendly line.

The right answers are written independently of rnnlib in each lesson's test file
(``RIGHT`` in tests/test_lessonNN.py: plain formulas, loops, finite differences), so a checker
whose reference were wrong would fail them. What is special to one lesson is tested there.
"""

import dataclasses
import importlib
import re
import sys
import time
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest
from checks_support import assert_rejected_and_named, first_line, refusal

import rnnlib.checks
from rnnlib.checks import ALL_CHECKERS, LESSONS
from rnnlib.course import checking
from rnnlib.course.checking import (
    TEXT_WIDTH,
    Case,
    Checker,
    Mistake,
    Question,
    catalogue,
    fill_message,
    fill_text,
    table_cases,
)

ROOT = Path(__file__).resolve().parents[1]
LESSON_TESTS = sorted(p.stem for p in Path(__file__).parent.glob("test_lesson[0-9][0-9].py"))
BY_NAME = {c.name: c for c in ALL_CHECKERS}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # a terminal colour code, as IPython writes them


def _home(name):
    """Where a checker's right answer belongs: ``tests/test_lessonNN.py`` of its lesson."""
    stages = [lesson.__name__[-2:] for lesson in LESSONS if BY_NAME[name] in lesson.CHECKERS]
    return f"tests/test_lesson{stages[0]}.py" if stages else "its lesson's test file"


class _Right(dict):
    """Checker name -> (a right answer, its number of cases), from every lesson's test file; a
    checker without one fails its tests saying what to write, where."""

    def __missing__(self, name):
        pytest.fail(
            f"{name} has no right answer: {_home(name)} must define RIGHT = {{{name!r}: (a right "
            "answer written without rnnlib, its number of cases)}",
            pytrace=False,
        )


RIGHT = _Right(
    (name, answer)
    for stem in LESSON_TESTS
    for name, answer in getattr(importlib.import_module(stem), "RIGHT", {}).items()
)
NAMES = list(BY_NAME)
TUPLES = [c.name for c in ALL_CHECKERS if isinstance(c.cases()[0].expected, (tuple, list))]
MISTAKES = [pytest.param(c, m, id=f"{c.name}-{m.key}") for c in ALL_CHECKERS for m in c.mistakes]


def _scalar_items(name):
    exp = BY_NAME[name].cases()[0].expected
    return isinstance(exp, (tuple, list)) and all(np.ndim(e) == 0 for e in exp)


# -- the list of all checkers ----------------------------------------------------------------------


def test_every_checker_is_exported_under_its_name_and_listed_once():
    exported = {n for n in rnnlib.checks.__all__ if n.startswith("check_")} - {"check_answer"}
    assert exported == set(BY_NAME) and len(NAMES) == len(ALL_CHECKERS)
    for c in ALL_CHECKERS:
        assert getattr(rnnlib.checks, c.name) is c and c.__name__ == c.name


def test_every_checker_has_a_right_answer_in_its_lessons_test_file():
    for name in NAMES:
        RIGHT[name]  # noqa: B018 (fails naming the file and what to write)
    extra = sorted(set(RIGHT) - set(NAMES))
    assert not extra, (
        f"RIGHT in tests/test_lessonNN.py names checkers that do not exist: {extra}; is the "
        "checker in its lesson module's CHECKERS, and the module in LESSONS "
        "(rnnlib/course/__init__.py)?"
    )


def test_each_lesson_module_holds_the_checkers_its_exercise_calls():
    """solutions/NN_*.ipynb calls exactly the checkers of rnnlib.course.lessonNN."""
    calls = re.compile(r"^\s*(check_\w+)\(", re.M)
    for lesson in LESSONS:
        stage = lesson.__name__[-2:]
        found = list((ROOT / "solutions").glob(f"{stage}_*.ipynb"))
        called = set()
        for path in found:
            nb = nbformat.read(path, as_version=4)
            called |= {
                n for c in nb.cells if c.cell_type == "code" for n in calls.findall(c.source)
            }
        called.discard("check_answer")  # graded questions, not a checker (rnnlib.checks)
        assert called == {c.name for c in lesson.CHECKERS}, lesson.__name__


@pytest.mark.parametrize("name", NAMES)
def test_cases_are_called_with_the_learner_functions_parameters(name):
    checker = BY_NAME[name]
    assert checker.parameters
    for case in checker.cases():
        assert list(case.args) == checker.parameters, case.label
    # (the docstring's lines fit help(): a long call has its results on a line of their own)
    assert checker.function in " ".join(checker.__doc__.replace("``", "").split())


# -- right answers and known mistakes --------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes_with_one_line(name, capsys):
    right, n = RIGHT[name]
    assert BY_NAME[name](right) is None
    assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes_under_the_learners_seterr_raise(name, capsys):
    """A learner hunting a NaN sets np.seterr(all="raise") in an earlier cell: the check still
    runs as under numpy's defaults (three checkers met a FloatingPointError in their own cases,
    a gradient of 1e-170 and logits of ±1000, before calling the learner's function), and the
    learner's setting is back afterwards."""
    right, n = RIGHT[name]
    before = np.seterr(all="raise")
    try:
        assert BY_NAME[name](right) is None
        assert np.geterr() == dict.fromkeys(before, "raise")
    finally:
        np.seterr(**before)
    assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


@pytest.mark.parametrize(("checker", "mistake"), MISTAKES)
def test_each_catalogued_mistake_is_rejected_and_named(checker, mistake):
    assert_rejected_and_named(checker, mistake)


# -- bad learner output ----------------------------------------------------------------------------


def _nan_everywhere(result):
    if isinstance(result, (tuple, list)):
        return type(result)(np.asarray(r, dtype=float) * np.nan for r in result)
    return np.asarray(result, dtype=float) * np.nan


def _first_array(args):
    for a in args:
        if isinstance(a, np.ndarray) and a.size:
            return a
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            return a[0]
    return None


@pytest.mark.parametrize("name", NAMES)
def test_none_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: None)
    assert "returned None (is a `return` missing?)" in first_line(excinfo)


def _stackable(name):
    """Whether the right answer of ``name`` is a tuple of arrays of one shape (np.stack works)."""
    right, _ = RIGHT[name]
    case = BY_NAME[name].cases()[0]
    items = right(*case.args.values())
    shapes = {np.shape(x) for x in items} if isinstance(items, tuple) else set()
    return len(shapes) == 1 and len(next(iter(shapes))) >= 1


@pytest.mark.parametrize("name", [n for n in NAMES if _stackable(n)])
def test_the_items_stacked_into_one_array_are_told_to_come_apart(name):
    """np.stack([dw, db]) for (dw, db): the right numbers in one (2, N) array. It was told only
    "expected a tuple of 2"; now what to write too."""
    right, _ = RIGHT[name]
    k = len(right(*BY_NAME[name].cases()[0].args.values()))
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: np.stack(right(*args)))
    line = first_line(excinfo)
    assert f"expected a tuple of {k} (" in line
    assert line.endswith(
        f"not one array stacked from them: return them apart, `return {', '.join('abcdefgh'[:k])}`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_wrong_shape_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: np.zeros(7))
    assert "returned an array of shape (7,); expected" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_type_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: "0.5")
    assert "returned a str; expected" in first_line(excinfo)


@pytest.mark.parametrize("name", TUPLES)
def test_wrong_length_gets_its_own_message(name):
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: list(right(*args))[:-1])
    first = first_line(excinfo)
    assert re.search(r"a list of (length \d+|\d+ numbers?)", first) and re.search(
        r"expected a (tuple|list) of", first
    )


@pytest.mark.parametrize("name", TUPLES)
def test_an_item_of_wrong_shape_gets_its_own_message(name):
    right, _ = RIGHT[name]

    def wrong_shape(*args):
        out = list(right(*args))
        out[-1] = np.zeros(7)
        return tuple(out)

    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](wrong_shape)
    assert re.search(r"expected (an array of shape|a single number)", first_line(excinfo))
    assert "got an array of shape (7,)" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_nan_gets_its_own_message(name):
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: _nan_everywhere(right(*args)))
    assert "NaN or infinity" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_input_changed_in_place_gets_its_own_message(name):
    right, _ = RIGHT[name]
    if all(_first_array(list(case.args.values())) is None for case in BY_NAME[name].cases()):
        pytest.fail(
            f"{name}: no case has an array argument, so a learner's function that changes its "
            "input in place would pass: give one of its cases an ndarray (or a list of ndarrays) "
            f"argument, in {_home(name).replace('tests/test_', 'rnnlib/course/')}",
            pytrace=False,
        )

    def mutating(*args):
        out = right(*args)
        a = _first_array(args)
        if a is not None:
            a[...] = a + 1.0
        return out

    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](mutating)
    first = first_line(excinfo)
    assert "changed its input `" in first and "in place" in first


@pytest.mark.parametrize("name", NAMES)
def test_a_crash_in_the_learners_code_is_reported_and_chained(name):
    def crashing(*args):
        return {}["missing"]

    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](crashing)
    assert first_line(excinfo) == f"{name}: your crashing raised KeyError: 'missing'"
    assert isinstance(excinfo.value.__cause__, KeyError)
    assert "case 1 of" in str(excinfo.value)


@pytest.mark.parametrize("name", NAMES)
def test_not_started_is_one_friendly_line(name):
    """Still a NotImplementedError (an unfinished exercise reads as unfinished), now saying what to
    write, shown by IPython as that one line without the checker's frames."""

    def unfinished(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError) as excinfo:
        BY_NAME[name](unfinished)
    said = "not started: write the body of `unfinished` above, then run this cell again"
    assert str(excinfo.value) == said
    shown = excinfo.value._render_traceback_()  # that sentence, wrapped at spaces for JupyterLab
    assert len(shown) == 1 and shown[0].startswith("\x1b[0;31mNotImplementedError\x1b[0m: ")
    plain = _ANSI.sub("", shown[0])
    assert plain.split() == f"NotImplementedError: {said}".split()
    assert max(map(len, plain.splitlines())) <= TEXT_WIDTH
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__


@pytest.mark.parametrize("name", NAMES)
def test_an_unfinished_helper_is_named(name):
    def helper_of_mine(*args):
        raise NotImplementedError()

    def written(*args):
        return helper_of_mine(*args)

    with pytest.raises(NotImplementedError, match=r"^unfinished: `written` calls `helper_of_mine`"):
        BY_NAME[name](written)


@pytest.mark.parametrize("name", NAMES)
def test_passing_a_value_instead_of_the_function(name):
    with pytest.raises(AssertionError, match="expected your function itself"):
        BY_NAME[name](0.5)


WEIRD = [
    object(),
    {"a": 1},
    [1.0, "x"],
    1j,
    np.array(["a", "b"]),
    True,
    print,
    [[1.0], [2.0, 3.0]],
    float("inf"),
    (1.0, 2.0),
    np.zeros((0,)),
    [None] * 5,
    (1, 2, 3, 4, 5),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("weird", WEIRD, ids=lambda w: type(w).__name__)
def test_no_output_crashes_the_checker(name, weird):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: weird)
    assert first_line(excinfo).startswith(f"{name}: ")


SCALARS = [c.name for c in ALL_CHECKERS if isinstance(c.cases()[0].expected, float)]


@pytest.mark.parametrize("name", SCALARS)
@pytest.mark.parametrize("form", [tuple, list])
def test_a_tuple_or_list_where_a_number_belongs_is_called_so(name, form):
    """Not "an array of shape (2,)": the learner returned no array."""
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: form([right(*args), 1.0]))
    assert f"returned a {form.__name__} of 2 numbers; expected a single number" in first_line(
        excinfo
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("weird", [True, np.True_], ids=["bool", "numpy bool"])
def test_a_bool_is_called_a_bool(name, weird):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: weird)
    assert "returned True (a bool); expected" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_booleans_are_not_numbers(name):
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: _leaves_as(right(*args), lambda v: np.asarray(v) > 0))
    assert re.search(r"holding booleans, not numbers|(True|False) \(a bool\)", first_line(excinfo))


@pytest.mark.parametrize("name", [n for n in TUPLES if _scalar_items(n)])
def test_a_1d_array_of_text_where_a_tuple_belongs_says_text(name):
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: np.array([str(v) for v in right(*args)]))
    assert re.search(
        r"returned an array of shape \(\d,\) holding text, not numbers; expected a tuple of",
        first_line(excinfo),
    )


def _float32(value):
    """A case's input in float32: arrays and numbers (lists of them too); other values as they
    are."""
    if isinstance(value, (tuple, list)):
        return type(value)(_float32(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float32)
    return np.float32(value) if isinstance(value, float) else value


FLOAT32_HINT = (
    "float32, right to float32 precision only; compute in float64 (np.float64 arrays, as the "
    "course's data are)"
)


def _in_float32(right):
    """A learner's function that computes ``right`` in float32: its inputs and results cast."""
    return lambda *args: _leaves_as(right(*map(_float32, args)), lambda v: np.float32(v))


# (a case of check_train_loop has a loss of about 2.5e305: inf in float32, which numpy warns of)
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("name", NAMES)
def test_the_right_answer_rounded_to_float32_passes_or_is_told_so(name, capsys):
    """Rounded to float32, a right answer is never called just wrong: it passes (within the
    tolerance, rtol 1e-6) or the message says it is float32."""
    right, n = RIGHT[name]
    try:
        BY_NAME[name](lambda *args: _leaves_as(right(*args), lambda v: np.float32(v)))
    except AssertionError as err:
        assert FLOAT32_HINT in str(err).splitlines()[0]
    else:
        assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


@pytest.mark.parametrize(
    "name", ["check_rnn_step_backward", "check_rnn_backward", "check_sigmoid_last_step_grads"]
)
def test_float32_is_named_where_it_misses_the_tolerance(name):
    """The tolerance is not loosened: a right formula computed in float32 is rejected, saying
    why."""
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](_in_float32(right))
    assert FLOAT32_HINT in first_line(excinfo)


def test_float32_is_named_only_when_it_explains_the_difference():
    checker = Checker(
        "check_pair",
        "pair(a) → (first, second)",
        lambda: [Case("a = 1", {"a": 1.0}, (np.array([1.0, 2.0]), np.array([3.0, 4.0])))],
    )
    near = np.array([1.00001, 2.0])
    with pytest.raises(AssertionError) as excinfo:  # float32, right to 1e-5: named
        checker(lambda a: (near.astype(np.float32), np.array([3.0, 4.0])))
    assert first_line(excinfo) == f"check_pair: first is {FLOAT32_HINT}"
    with pytest.raises(AssertionError) as excinfo:  # both items: said once
        checker(lambda a: (near.astype(np.float32), np.array([3.0, 4.00001], np.float32)))
    assert first_line(excinfo) == f"check_pair: first, second are {FLOAT32_HINT}"
    with pytest.raises(AssertionError) as excinfo:  # float64, as near: only wrong
        checker(lambda a: (near, np.array([3.0, 4.0])))
    only_entry_0 = "at 1 of 2 entries, the first at index 0"  # [1.00001, 2] against [1, 2]
    assert first_line(excinfo) == f"check_pair: first is wrong {only_entry_0}"
    with pytest.raises(AssertionError) as excinfo:  # float32 and far off: only wrong
        checker(lambda a: (np.array([1.1, 2.0], np.float32), np.array([3.0, 4.0])))
    assert first_line(excinfo) == f"check_pair: first is wrong {only_entry_0}"
    with pytest.raises(AssertionError) as excinfo:  # a whole result
        Checker("check_one", "one(a)", lambda: [Case("a = 1", {"a": 1.0}, 1.0)])(
            lambda a: np.float32(1.00001)
        )
    assert first_line(excinfo) == f"check_one: your function returned {FLOAT32_HINT}"


FLOAT32_IN_FLOAT64_HINT = (
    "float64 holding float32 numbers: they agree only to float32 precision; did you compute in "
    "float32 (and write into a float64 array)? Compute in float64 throughout"
)


def _rnn_backward_cast_to_float32(dh, x, h0, h, Wx, Wh):
    """A learner's right BPTT loop that casts its inputs to float32 and writes into float64
    arrays made with np.zeros (dWx, dWh, db sum float32 terms in float64)."""
    dh, x, h0, h, Wx, Wh = (np.asarray(a, np.float32) for a in (dh, x, h0, h, Wx, Wh))
    N, T, H = dh.shape
    dx, dWx, dWh, db = np.zeros(x.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(H)
    carry = np.zeros((N, H), np.float32)
    for t in range(T - 1, -1, -1):
        da = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += (h[:, t - 1] if t > 0 else h0).T @ da
        db += da.sum(axis=0)
        carry = da @ Wh.T
    dh0 = np.zeros((N, H))
    dh0[:] = carry
    return dx, dh0, dWx, dWh, db


def test_float32_written_into_float64_is_named():
    first = refusal(rnnlib.checks.check_rnn_backward, _rnn_backward_cast_to_float32)
    assert first.startswith("check_rnn_backward: dx, dh0")
    assert first.endswith(FLOAT32_IN_FLOAT64_HINT)


def test_float32_in_float64_is_named_only_when_it_explains_the_difference():
    """1/3 is no float32 number; float32(1/3) = 11184811/2^25 (2^25/3 ≈ 11184810.67, by hand) is
    one, off by 1e-8 relative, within the tolerance; 0.33334 (off by 2e-5) is a float32 number
    only once rounded to float32; float32(0.3337) is one, 1e-3 off: more than float32 gives."""
    assert float(np.float32(1 / 3)) == 11184811 / 2**25
    third = 11184811 / 2**25
    checker = Checker(
        "check_pair",
        "pair(a) → (first, second)",
        lambda: [Case("a = 1", {"a": 1.0}, (np.array([1 / 3, 2.0]), np.array([3.0, 4.0])))],
    )
    off32 = float(np.float32(0.33334))  # a float32 number 2e-5 away: float32 precision
    assert off32 == 11185034 / 2**25 and 1e-6 < off32 * 3 - 1 < 1e-4  # 0.33334 · 2^25 ≈ 11185034.4
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda a: (np.array([off32, 2.0]), np.array([3.0, 4.0])))
    assert first_line(excinfo) == f"check_pair: first is {FLOAT32_IN_FLOAT64_HINT}"
    for wrong in (
        [0.33334, 2.0],  # as near, not a float32 number: only wrong
        [float(np.float32(0.34)), 2.0],  # a float32 number 2% off: a mistake, not precision
        [float(np.float32(0.3337)), 2.0],  # a float32 number 1e-3 off: beyond float32's
        [third * (1 + 2**-18), 2.0],  # 4e-6 off, not a float32 number: only wrong
    ):
        with pytest.raises(AssertionError) as excinfo:
            checker(lambda a, wrong=wrong: (np.array(wrong), np.array([3.0, 4.0])))
        # only entry 0 of the two is off: the message says where
        assert (
            first_line(excinfo)
            == "check_pair: first is wrong at 1 of 2 entries, the first at index 0"
        ), wrong
    checker(lambda a: ([third, 2], (3, 4.0)))  # float32(1/3) is within 1e-6: right


class Opaque:
    """A result no number can be read from: converting it raises neither TypeError nor
    ValueError."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __float__(self):
        raise RuntimeError("no number here")

    def __repr__(self):
        raise RuntimeError("no text either")


@pytest.mark.parametrize("name", NAMES)
def test_a_result_whose_conversion_raises_is_described_by_its_type(name):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: Opaque())
    assert re.search(r"(returned|got) an Opaque\b", first_line(excinfo))
    assert "<Opaque object>" in str(excinfo.value)  # the got: line, though its repr raises


def _leaves_as(result, convert):
    """The result with each of its numbers or arrays (its leaves) converted."""
    if isinstance(result, (tuple, list)):
        return type(result)(_leaves_as(r, convert) for r in result)
    return convert(result)


AS_TEXT = {
    "text array": lambda v: np.asarray(v).astype(str),
    "list of str": lambda v: np.asarray(v).astype(str).tolist(),
    "object array of str": lambda v: np.asarray(v).astype(str).astype(object),
}
AS_COMPLEX = {
    "complex, imaginary part 0": lambda v: np.asarray(v) + 0j,
    "complex, imaginary part 1": lambda v: np.asarray(v) + 1j,
    "list of complex": lambda v: (np.asarray(v) + 0j).tolist(),
    "object array of complex": lambda v: (np.asarray(v) + 0j).astype(object),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("convert", AS_TEXT.values(), ids=AS_TEXT.keys())
def test_the_right_numbers_as_text_are_rejected(name, convert):
    """np.asarray(x, dtype=float) would read "0.5" as 0.5: text is not an answer."""
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: _leaves_as(right(*args), convert))
    assert re.search(r"holding text, not numbers|a str\b", first_line(excinfo))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("convert", AS_COMPLEX.values(), ids=AS_COMPLEX.keys())
def test_the_right_numbers_as_complex_numbers_are_rejected(name, convert):
    """np.asarray(x, dtype=float) would drop the imaginary part, with only a warning."""
    right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: _leaves_as(right(*args), convert))
    assert "complex number" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_the_right_numbers_as_python_lists_pass(name, capsys):
    right, n = RIGHT[name]
    BY_NAME[name](lambda *args: _leaves_as(right(*args), lambda v: np.asarray(v).tolist()))
    assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


# -- one answer, several forms ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in TUPLES if _scalar_items(n)])
@pytest.mark.parametrize("form", [tuple, list, np.array], ids=["tuple", "list", "1-d array"])
def test_a_tuple_list_or_1d_array_of_the_right_numbers_is_the_same_answer(name, form, capsys):
    right, n = RIGHT[name]
    BY_NAME[name](lambda *args: form([float(v) for v in right(*args)]))
    assert "cases passed ✓" in capsys.readouterr().out


# -- the table helpers of rnnlib.course.checking ---------------------------------------------------


def _difference(a, b, *, slip=None):
    """a − b; its slips are the keys of the catalogue below."""
    if slip == "swapped":
        return b - a
    return -(a - b) if slip == "flipped" else a - b


def test_a_contracts_arrow_names_the_items():
    checker = Checker(
        "check_sum_and_difference",
        "sum_and_difference(a, b) → (sum, difference)",
        lambda: [Case("a = 3, b = 1", {"a": 3.0, "b": 1.0}, (4.0, 2.0))],
    )
    assert checker.parameters == ["a", "b"] and checker.items == ("sum", "difference")
    with pytest.raises(AssertionError) as err:
        checker(lambda a, b: (a + b, b - a))
    assert first_line(err) == "check_sum_and_difference: difference is wrong"


def test_catalogue_rows_are_slips_or_wrong_answers():
    mistakes = catalogue(
        _difference,
        ("flipped", "wrong sign"),
        ("swapped", "b − a"),
        ("added", lambda a, b: a + b, "a sum"),
    )
    assert [m.key for m in mistakes] == ["flipped", "swapped", "added"]
    assert [m.answer(5.0, 2.0) for m in mistakes] == [-3.0, -3.0, 7.0]
    assert [m.says for m in mistakes] == ["wrong sign", "b − a", "a sum"]
    assert _difference(5.0, 2.0) == 3.0


def test_catalogue_rejects_a_slip_the_implementation_does_not_name():
    with pytest.raises(ValueError, match="mistake 'fliped': _difference has no such slip"):
        catalogue(_difference, ("fliped", "wrong sign"))
    with pytest.raises(TypeError, match="mistake 'flipped': .* takes no keyword `slip`"):
        catalogue(lambda a, b: a - b, ("flipped", "wrong sign"))
    with pytest.raises(TypeError, match="mistake 'flipped': expected a wrong answer"):
        catalogue(_difference, ("flipped", {"sign": -1.0}, "wrong sign"))


def test_table_cases_name_the_values_by_the_parameters():
    cases = table_cases(
        "a, b", [("two scalars", 5.0, 2.0), ("arrays", np.ones(2), np.zeros(2))], _difference
    )
    assert [c.label for c in cases] == ["two scalars", "arrays"]
    assert cases[0].args == {"a": 5.0, "b": 2.0} and cases[0].expected == 3.0
    assert list(cases[1].args) == ["a", "b"] and np.array_equal(cases[1].expected, [1.0, 1.0])
    with pytest.raises(ValueError):  # a row with a value too few
        table_cases("a, b", [("one value", 5.0)], _difference)


def _three():
    return Checker(
        "check_three",
        "three(a) → (first, second, third)",
        lambda: [Case("a = 1", {"a": 1.0}, (1.0, 2.0, 3.0))],
    )


@pytest.mark.parametrize(
    ("returned", "said"),
    [((3.0, 1.0, 2.0), "(third, first, second)"), ((2.0, 1.0, 3.0), "(second, first, third)")],
)
def test_right_values_in_another_order_are_named_as_such(returned, said):
    """A rotation is not three unrelated wrong items: the message says the order."""
    with pytest.raises(AssertionError) as err:
        _three()(lambda a: returned)
    assert first_line(err) == (
        f"check_three: the right values in the wrong order: you returned {said}; "
        "return (first, second, third)"
    )


def test_a_value_that_is_no_item_is_not_called_an_order():
    with pytest.raises(AssertionError) as err:
        _three()(lambda a: (3.0, 1.0, 2.5))
    assert "order" not in str(err.value)


def test_the_first_line_names_every_item_that_is_only_wrong():
    """A summary (rnnlib.progress) shows the first line: it names both wrong items."""
    with pytest.raises(AssertionError) as err:
        _three()(lambda a: (1.5, 2.0, 3.5))
    assert first_line(err) == "check_three: first, third are wrong"


def test_values_that_differ_past_six_digits_are_shown_different():
    """1.000002 against 1 (outside rtol 1e-6 + atol 1e-9) is not shown as 1.0 against 1.0."""
    with pytest.raises(AssertionError) as err:
        _three()(lambda a: (1.00001, 2.0, 3.0))
    text = str(err.value)
    assert "expected: 1.0\n" in text and text.endswith("got:      1.00001")
    with pytest.raises(AssertionError) as err:
        _three()(lambda a: (1.000002, 2.0, 3.0))
    text = str(err.value)
    assert "expected: 1.0\n" in text and text.endswith("got:      1.000002")


def test_a_tuple_of_one_is_shown_as_one():
    with pytest.raises(AssertionError) as err:
        _three()(lambda a: (1.0,))
    assert "got:      (1.0,)" in str(err.value)


def _endless(a):
    while True:  # a loop whose condition never changes
        a = a + 1.0


def _endless_catch_all(a):
    while True:
        try:
            a = a + 1.0
        except Exception:  # a learner's catch-all does not swallow the checker's stop
            pass


@pytest.mark.parametrize(
    "endless",
    [
        _endless,
        pytest.param(
            _endless_catch_all,
            marks=pytest.mark.skipif(
                sys.version_info < (3, 11),
                reason="CPython 3.10 runs no signal handler in a loop whose body starts with "
                "`try:` (Ctrl-C and the kernel's interrupt cannot stop it either); 3.11 does",
            ),
        ),
    ],
)
def test_a_function_that_never_returns_is_stopped_with_a_message(monkeypatch, endless):
    import signal

    from rnnlib.course import checking

    monkeypatch.setattr(checking, "TIME_LIMIT", 0.3)
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(AssertionError) as err:
        _three()(endless)
    assert first_line(err) == (
        f"check_three: your {endless.__name__} ran for more than 0.3 s on case 1 of 1 without "
        "returning (each case takes well under a second): does a loop in it never end? (a "
        "`continue` where a `break` belongs, a `while` whose condition never changes, a loop "
        "over far more steps than it needs)"
    )
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    _three()(lambda a: (1.0, 2.0, 3.0))  # the next check runs as usual


def _busy(seconds):
    """A loop that runs for ``seconds`` (a learner's loop far too long; not endless, so that a
    checker that fails to stop it makes this test fail, not hang)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.mark.parametrize(
    "name", ["check_scalar_bptt", "check_sigmoid_bptt", "check_clip_grad_norm"]
)
def test_every_run_of_the_learners_function_is_stopped_at_the_time_limit(name, monkeypatch):
    """The exact-gradient checkers ran the function once more after a failure (to see whether it
    agrees like a finite difference) and check_clip_grad_norm once before the cases (to see
    whether it writes into the caller's list), both without the time limit: a loop that never
    ends there hung the cell for good. Stopped once, a function is not run again."""
    from rnnlib.course import checking

    monkeypatch.setattr(checking, "TIME_LIMIT", 0.3)
    calls = []

    def slow_from_the_second_call(*args):
        calls.append(1)
        if len(calls) > 1:
            _busy(5.0)
        return 0.5  # wrong: the checker runs it again

    def slow(*args):
        calls.append(1)
        _busy(5.0)

    for fn in (slow, slow_from_the_second_call):
        calls.clear()
        began = time.monotonic()
        with pytest.raises(AssertionError) as err:
            BY_NAME[name](fn)
        assert time.monotonic() - began < 2.0  # (each of at most 3 runs stopped after 0.3 s)
        if fn is slow:
            assert "ran for more than 0.3 s on case 1 of" in first_line(err)
            assert len(calls) == 1


_GIVES = ", which is what this slip gives: "


def _memory_question():
    """Like 06.memory_mb: 1000 states of 1024 × 8 float64 numbers, in MB."""
    return Question(
        "t.memory",
        "How many MB do the states take?",
        1000 * 1024 * 8 * 8 / 1e6,  # 65.536
        why={
            1001 * 1024 * 8 * 8 / 1e6: "that counts T + 1 states",  # 65.6015
            1000 * 1024 * 8 * 4 / 1e6: "that is float32",  # 32.768
            1000 * 1024 * 8 * 8 / 2**20: "that is in MiB",  # 62.5
        },
        rtol=0.0,
        atol=0.04,
    )


@pytest.mark.parametrize(
    ("given", "said"),
    [
        # 32.768 rounded by hand: 0.7% off
        (33, "33 is not right; it is 32.768 rounded" + _GIVES + "that is float32"),
        # 62.5 rounded: 0.8% off
        (63, "63 is not right; it is 62.5 rounded" + _GIVES + "that is in MiB"),
        # echoed as written: an integer as an integer, a float as a float
        (np.int64(63), "63 is not right; it is 62.5 rounded" + _GIVES + "that is in MiB"),
        (63.0, "63.0 is not right; it is 62.5 rounded" + _GIVES + "that is in MiB"),
        (65.6, "65.6 is not right: that counts T + 1 states"),  # within ±0.04 of 65.6015
        (66, "close: 66 is the answer rounded"),  # 65.536 rounded, not the wrong 65.6
        (65.4, "close: 65.4 is within 2% of the answer"),
        (40, "40 is not right; try again"),
    ],
)
def test_a_wrong_value_rounded_by_hand_is_named_unless_the_right_one_is_as_near(given, said):
    with pytest.raises(AssertionError) as err:
        _memory_question()(given)
    assert str(err.value).startswith("check_answer('t.memory'): " + said)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        # -41.07 rounded; -41.51 rounds to -42
        (-41, "-41 is not right; it is -41.07 rounded" + _GIVES + "wrong one"),
        (-42, "close: -42 is the answer rounded"),
        # 0.09 from -41.51 (outside ±0.06, within 2% of |-41.51|, 0.83), not a rounding of it
        (-41.6, "close: -41.6 is within 2% of the answer"),
        (1, "1 is not right; try again"),  # one digit: not read as anything rounded
    ],
)
def test_a_wrong_value_rounded_by_hand_is_named_even_within_two_percent_of_the_answer(given, said):
    """As in a log10 question (-41.51 right, -41.07 a named slip): -41 is 1.2% from the right
    value but is -41.07 rounded."""
    q = Question("t.log", "log10?", -41.51, why={-41.07: "wrong one"}, rtol=0.0, atol=0.06)
    with pytest.raises(AssertionError) as err:
        q(given)
    assert str(err.value).startswith("check_answer('t.log'): " + said)


def test_ipython_shows_a_failed_check_without_the_checkers_frames():
    """In a notebook (and nbgrader's feedback) the traceback of a failed check is the learner's
    cell and the message: the checker's frame where it raises is left out."""
    import re as _re

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.user_ns["check_loss"] = rnnlib.checks.check_loss
        cell = "def loss(y_hat, y):\n    return (y_hat - y) ** 2\ncheck_loss(loss)"
        err = shell.run_cell(cell).error_in_exec
        assert isinstance(err, AssertionError)
        text = _re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(err._render_traceback_()))
    finally:
        InteractiveShell.clear_instance()
    assert "check_loss(loss)" in text and "AssertionError: check_loss: missing ½" in text
    assert "rnnlib/course" not in text and "rnnlib/checks" not in text, text


def _shown_in_ipython(cell, **names):
    """What IPython shows for the error of ``cell`` (colour codes removed), and the error."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.user_ns.update(names)
        err = shell.run_cell(cell).error_in_exec
        return _ANSI.sub("", "\n".join(err._render_traceback_())), err
    finally:
        InteractiveShell.clear_instance()


def test_ipython_shows_a_failed_checks_message_wrapped_at_spaces():
    """JupyterLab's output area breaks a line wider than itself anywhere, inside a word too
    (``word-break: break-all``): a notebook shows the message wrapped at spaces, while the
    message itself (what rnnlib.progress and nbgrader read) keeps its one-line headline."""
    text, err = _shown_in_ipython(
        "check_answer('06.transient', 'a')", check_answer=rnnlib.checks.check_answer
    )
    said = str(err)
    assert "\n" not in said and len("AssertionError: " + said) > 2 * TEXT_WIDTH
    shown = text[text.index("AssertionError: check_answer") :]
    assert shown == "AssertionError: " + fill_message(said, "AssertionError: ")
    assert shown.split() == f"AssertionError: {said}".split()
    assert len(shown.splitlines()) >= 3 and max(map(len, shown.splitlines())) <= TEXT_WIDTH


def test_ipython_still_shows_the_learners_own_error_under_a_wrapped_message():
    """The learner's exception, chained to the checker's verdict, keeps its own traceback."""
    cell = "def loss(y_hat, y):\n    return 1 / 0\ncheck_loss(loss)"
    text, err = _shown_in_ipython(cell, check_loss=rnnlib.checks.check_loss)
    assert isinstance(err.__cause__, ZeroDivisionError)
    assert "ZeroDivisionError" in text and "return 1 / 0" in text
    assert "direct cause of the following exception" in text
    assert text.rstrip().endswith(fill_message(str(err), "AssertionError: "))


def test_fill_message_wraps_only_the_lines_too_wide_and_only_at_spaces():
    aligned = "check_x: y is wrong\n  expected: [1.0, 2.0]\n  got:      [1.0, 3.0]"
    assert fill_message(aligned, "AssertionError: ") == aligned  # fits: kept, spaces and all
    words = ["word"] * 60
    first = fill_message(" ".join(words), "AssertionError: ").splitlines()
    assert len("AssertionError: " + first[0]) <= TEXT_WIDTH < len("AssertionError: " + first[0]) + 5
    assert all(len(line) <= TEXT_WIDTH and not line.startswith(" ") for line in first[1:])
    assert " ".join(first).split() == words
    indented = fill_message("head\n    " + " ".join(words)).splitlines()
    assert indented[0] == "head" and indented[1].startswith("    word")
    assert all(line.startswith("      word") for line in indented[2:])  # 2 further in
    long_word = "x" * (TEXT_WIDTH + 10)
    assert fill_message(f"a {long_word} b") == f"a\n{long_word}\nb"  # never cut inside a word


def test_a_wrapped_line_keeps_a_short_formula_whole():
    """Lines break between words, after a relation, never inside ½(ŷ − y)² nor after a −."""
    # what two solutions printed before: "... L = ½(ŷ −" / "  y)² in ŷ", "... by 1 −" / "  η·o_T²"
    for head, explain, whole in [
        ("01.seed_loss", "ŷ − y is the slope of L = ½(ŷ − y)² in ŷ: its sign", "½(ŷ − y)²"),
        ("02.lr_edge", "Each step multiplies v − v* by 1 − η·o_T²; |1 − η·0.64|", "1 − η·o_T²;"),
    ]:
        text = f"check_answer('{head}'): right ✓ {explain} says more"
        lines = fill_text(text, "  ").splitlines()
        assert len(lines) == 2 and any(whole in line for line in lines), lines
        assert not lines[0].endswith((" −", "(ŷ")), lines
        assert " ".join(lines).split() == text.split()
    # a formula too long to keep whole breaks as words do: no line wider than before
    chain = " + ".join(f"x_{i}" for i in range(40))
    lines = fill_text(f"the sum {chain} = s", "  ").splitlines()
    assert len(lines) > 1 and all(len(line) <= TEXT_WIDTH for line in lines)
    assert " ".join(lines).split() == f"the sum {chain} = s".split()


def test_every_message_keeps_its_short_formulas_whole():
    """Every catalogued mistake, wrong choice and right-answer explanation, as shown: no line
    ends in an arithmetic operator (before, 68 did: "1 −" / "η·o_T²")."""
    messages = []
    for checker in ALL_CHECKERS:
        for mistake in checker.mistakes:
            with pytest.raises(AssertionError) as err:
                checker(mistake.answer)
            messages.append(str(err.value))
    for key, question in rnnlib.checks.ALL_QUESTIONS.items():
        for wrong in question.why:
            with pytest.raises(AssertionError) as err:
                question(wrong)
            messages.append(str(err.value))
        messages.append(f"{key} (answer 'x'): right ✓ {question.explain}")
    assert len(messages) > 600
    ends = []
    for said in messages:
        for line in fill_message(said, "AssertionError: ").splitlines():
            if re.search(r" [−+×·/*-]$", line):
                ends.append(line)
    assert not ends, ends[:5]


def test_every_failed_checks_message_fits_the_width_as_a_notebook_shows_it():
    """Every catalogued mistake of every checker and every wrong choice of every question: as
    shown after "AssertionError: ", no line is wider than TEXT_WIDTH, unless it is one word."""
    messages = []
    for checker in ALL_CHECKERS:
        for mistake in checker.mistakes:
            with pytest.raises(AssertionError) as err:
                checker(mistake.answer)
            messages.append((f"{checker.name} {mistake.key}", str(err.value)))
    for key, question in rnnlib.checks.ALL_QUESTIONS.items():
        for wrong in question.why:
            with pytest.raises(AssertionError) as err:
                question(wrong)
            messages.append((f"{key} {wrong}", str(err.value)))
    assert len(messages) > 400
    too_wide = []
    for name, said in messages:
        shown = ("AssertionError: " + fill_message(said, "AssertionError: ")).splitlines()
        assert [w for line in shown for w in line.split()] == f"AssertionError: {said}".split()
        too_wide += [
            (name, line) for line in shown if len(line) > TEXT_WIDTH and " " in line.strip()
        ]
    assert not too_wide, too_wide[:5]


def test_the_checks_time_limit_is_below_nbgraders_cell_timeout():
    """A graded check stopped by its own limit says why; nbgrader's cell timeout would not."""
    from rnnlib.course import checking

    config = (ROOT / "tools" / "nbgrader_config.py").read_text()
    timeout = float(re.search(r"Execute\.timeout = (\d+)", config).group(1))
    assert 1 < checking.TIME_LIMIT < timeout


def test_the_first_line_names_a_catalogued_and_a_plain_problem_together():
    """What rnnlib.progress shows (the first line) holds both problems, not the first only."""
    checker = Checker(
        "check_three",
        "three(a) → (first, second, third)",
        lambda: [Case("a = 1", {"a": 1.0}, (1.0, 2.0, 3.0))],
        mistakes=(Mistake("neg_third", lambda a: (1.0, 2.0, -3.0), "wrong sign"),),
    )
    with pytest.raises(AssertionError) as err:
        checker(lambda a: (1.5, 2.0, -3.0))
    assert first_line(err) == "check_three: first is wrong; third: wrong sign"


def test_a_lessons_checkers_are_exported_by_listing_the_lesson_alone():
    """rnnlib.checks takes its contract names from the lesson modules' CHECKERS: a new lesson
    listed in rnnlib.course.LESSONS needs no edit of rnnlib/checks.py."""
    import types

    def checker(name):
        return Checker(name, "f(x)", lambda: [Case("one", {"x": 1.0}, 1.0)])

    first, second = checker("check_a"), checker("check_b")
    lessons = [
        types.SimpleNamespace(__name__="rnnlib.course.lesson98", CHECKERS=(first,)),
        types.SimpleNamespace(__name__="rnnlib.course.lesson99", CHECKERS=(second,)),
    ]
    assert list(rnnlib.checks.by_contract_name(lessons).items()) == [
        ("check_a", first),
        ("check_b", second),
    ]
    lessons[1].CHECKERS = (second, checker("check_a"))
    with pytest.raises(ValueError, match="lesson99: a second checker named 'check_a'"):
        rnnlib.checks.by_contract_name(lessons)
    # and the real module exports exactly what its lessons list, in course order
    assert ALL_CHECKERS == tuple(c for lesson in LESSONS for c in lesson.CHECKERS)
    for c in ALL_CHECKERS:
        assert c.name in rnnlib.checks.__all__ and getattr(rnnlib.checks, c.name) is c


@pytest.mark.parametrize("name", NAMES)
def test_a_function_that_keeps_state_between_calls_is_told_so(name):
    """A learner's total kept outside the function (here a counter in a default argument that
    adds 1 to every number from the second call on) is right on case 1 only: told that two calls
    on the same inputs gave two results, not just "wrong value"."""
    right, _ = RIGHT[name]

    def stateful(*args, _calls=[]):  # noqa: B006 (the learner's slip under test)
        _calls.append(1)
        return _plus(right(*args), len(_calls) - 1)

    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](stateful)
    assert "gave two different results for the same inputs" in first_line(excinfo)


def _plus(result, k):
    """``result`` with ``k`` added to every number, in the same form."""
    if isinstance(result, (tuple, list)):
        return type(result)(_plus(r, k) for r in result)
    return np.asarray(result, dtype=float) + k if np.ndim(result) else float(result) + k


class _BadText(Exception):
    def __str__(self):
        raise RuntimeError("no text")


@pytest.mark.parametrize(
    ("returned", "said"),
    [
        # an exception returned, not raised: a new object on each call was taken for a function
        # that keeps state between calls ("gave two different results for the same inputs")
        (lambda: ValueError("negative"), "returned a ValueError; expected"),
        # 10**400 was "returned a single number; expected a single number"
        (lambda: 10**400, "a number too large for a float (beyond ±1.8e308)"),
    ],
)
@pytest.mark.parametrize("name", NAMES)
def test_odd_results_are_described_as_what_they_are(name, returned, said):
    with pytest.raises(AssertionError) as excinfo:
        BY_NAME[name](lambda *args: returned())
    first = first_line(excinfo)
    if "too large" in said and isinstance(BY_NAME[name].cases()[0].expected, (tuple, list)):
        said = "returned a single number; expected a"  # (one number where a tuple belongs)
    assert said in first and "different results" not in first


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (_BadText(), "raised _BadText: (its message cannot be shown)"),  # was RuntimeError
        (ValueError("\n\nthe reason"), "raised ValueError: the reason"),  # was "ValueError"
    ],
)
def test_an_exceptions_text_is_read_safely(error, said):
    def raising(*args):
        raise error

    with pytest.raises(AssertionError) as excinfo:
        BY_NAME["check_train_loop"](raising)
    assert first_line(excinfo) == f"check_train_loop: your raising {said}"


def test_check_answer_names_a_key_that_is_no_string():
    # check_answer(["04.zero_copy"], "a") was "TypeError: unhashable type: 'list'"
    with pytest.raises(AssertionError, match=r"^check_answer: no question \['04.zero_copy'\]"):
        rnnlib.checks.check_answer(["04.zero_copy"], "a")


def test_a_deterministic_wrong_answer_is_not_called_stateful():
    def off(*args):
        return _plus(RIGHT["check_train_epoch"][0](*args), 1.0)

    with pytest.raises(AssertionError) as excinfo:
        BY_NAME["check_train_epoch"](off)
    assert "different results" not in str(excinfo.value)


def _one_array(expected, *, atol=None):
    """A checker of ``same(a) → a``: one case, the array ``a = expected``."""
    tolerance = {} if atol is None else {"atol": atol}
    return Checker(
        "check_same",
        "same(a)",
        lambda: [Case("one array", {"a": np.array(expected)}, np.array(expected))],
        **tolerance,
    )


def test_the_default_absolute_tolerance_is_1e_9():
    """Checker's atol is 1e-9 by default (np.allclose's own is 1e-8): where the reference is
    0, an answer off by 5e-10 passes, and one off by 2e-9 is refused."""
    _one_array([0.0, 1.0])(lambda a: np.array([5e-10, 1.0]))
    with pytest.raises(AssertionError):
        _one_array([0.0, 1.0])(lambda a: np.array([2e-9, 1.0]))


@pytest.mark.parametrize(
    ("args", "change", "named"),
    [
        ({"params": {"w": np.array([1.0, 2.0]), "b": 0.5}}, "params['w'][0] = 0.0", "params['w']"),
        ({"params": {"w": np.array([1.0, 2.0]), "b": 0.5}}, "params['b'] = 0.0", "params['b']"),
        ({"params": {"w": np.array([1.0, 2.0]), "b": 0.5}}, "params.pop('b')", "params"),
        ({"xs": [0.5, -1.0, 2.0]}, "xs.reverse()", "xs[0]"),
        ({"xs": [0.5, -1.0, 2.0]}, "xs[1] = -1", "xs[1]"),  # an int where the float was
        ({"xs": [0.5, float("nan")]}, "xs[1] = float('nan')", None),  # the same, NaN as NaN
    ],
    ids=[
        "array in a dict",
        "number in a dict",
        "key removed",
        "list reversed",
        "int for float",
        "nan kept",
    ],
)
def test_a_value_inside_a_dict_or_list_changed_in_place_is_named(args, change, named):
    """Inputs are compared with their pristine copy part by part: an array in a dict, a number
    in a dict or a list (a float input list reversed in place), not only arrays."""
    (key,) = args
    checker = Checker("check_keep", f"keep({key})", lambda: [Case("one input", args, 1.0)])

    def keep(value):
        exec(change, {key: value})
        return 1.0

    if named is None:
        checker(keep)
        return
    with pytest.raises(AssertionError) as excinfo:
        checker(keep)
    assert first_line(excinfo).startswith(
        f"check_keep: your keep changed its input `{named}` in place"
    )


def test_a_list_mixing_numbers_and_booleans_is_not_numbers():
    """[0.5, True] is not the array [0.5, 1.0], though np.asarray makes it that."""
    with pytest.raises(AssertionError) as excinfo:
        _one_array([0.5, 1.0])(lambda a: [0.5, True])
    assert first_line(excinfo) == (
        "check_same: your function returned a list of length 2 holding booleans, not numbers; "
        "expected an array of shape (2,)"
    )


def test_a_wrong_array_says_where_it_is_wrong():
    """An array of the right shape that no catalogued mistake explains: the message says which
    entries are off, so that an answer wrong from one step on, or at one step, is found."""
    checker = Checker(
        "check_seq",
        "seq(a) → (losses, grid)",
        lambda: [Case("a = 1", {"a": 1.0}, (np.arange(1.0, 7.0), np.arange(6.0).reshape(2, 3)))],
    )
    grid = np.arange(6.0).reshape(2, 3)
    said = {
        "from index 2 on (entries 0 to 1 are right)": [1, 2, 9, 9, 9, 9],
        "from index 1 on (entry 0 is right)": [1, 0, 0, 0, 0, 0],
        "from index 5 on (entries 0 to 4 are right)": [1, 2, 3, 4, 5, 7],
        "at 1 of 6 entries, the first at index 2": [1, 2, 9, 4, 5, 6],
        "at 2 of 6 entries, the first at index 0": [0, 2, 3, 4, 5, 7],
        "": [0, 0, 0, 0, 0, 0],  # every entry off: plain "is wrong"
    }
    for where, losses in said.items():
        with pytest.raises(AssertionError) as excinfo:
            checker(lambda a, losses=losses: (np.array(losses, dtype=float), grid))
        assert first_line(excinfo) == f"check_seq: losses is wrong{' ' * bool(where)}{where}"
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda a: (np.arange(1.0, 7.0), grid + np.eye(2, 3)[::-1] * 0.5))
    assert (
        first_line(excinfo)
        == "check_seq: grid is wrong at 2 of 6 entries, the first at index (0, 1)"
    )
    one = Checker("check_one", "one(a)", lambda: [Case("a = 1", {"a": 1.0}, np.arange(4.0))])
    with pytest.raises(AssertionError) as excinfo:  # a whole result: where, after its case
        one(lambda a: np.array([0.0, 1.0, 5.0, 5.0]))
    said = "check_one: wrong value for a = 1: from index 2 on (entries 0 to 1 are right)"
    assert first_line(excinfo) == said


def test_a_crash_with_one_common_cause_is_named_whatever_the_exercise():
    """numpy's words for a product of shapes that do not fit, arrays that do not broadcast, ``^``
    for a power, a loop over a plain number, an index one past the end (step T at index T) and
    one into an empty array, each said in the learner's terms, with what was raised kept below."""
    grid = Checker(
        "check_grid",
        "grid(a, b)",
        lambda: [
            Case("(2, 3) and (4, 3)", {"a": np.ones((2, 3)), "b": np.ones((4, 3))}, np.ones((2, 4)))
        ],
    )
    number = Checker("check_sq", "sq(a)", lambda: [Case("a = 2", {"a": 2.0}, 4.0)])
    said = {
        (grid, lambda a, b: a @ b): ("a matrix product's inner sizes differ", "matmul: Input"),
        (grid, lambda a, b: a.dot(b)): ("a matrix product's inner sizes differ", "not aligned"),
        (grid, lambda a, b: a + b): ("two arrays of shapes that do not fit", "broadcast"),
        (number, lambda a: a ^ 2): ("`^` is not a power in Python", "for ^"),
        (number, lambda a: sum(v * v for v in a)): ("this case passes plain numbers", "iterable"),
        (grid, lambda a, b: a[:, 3]): ("index 3 is one past the end of an axis of 3", "index 3"),
        (number, lambda a: [a][1]): ("an index past the end of a list", "list index"),
        (number, lambda a: np.array([])[0]): ("an index into an empty array", "with size 0"),
    }
    for (checker, fn), (head, numpy_says) in said.items():
        with pytest.raises(AssertionError) as excinfo:
            checker(fn)
        assert first_line(excinfo).startswith(f"{checker.name}: {head}")
        raised = str(excinfo.value).split("raised:   ", 1)[1]
        assert numpy_says in raised.splitlines()[0], raised
        assert isinstance(excinfo.value.__cause__, (TypeError, ValueError, IndexError))
    with pytest.raises(AssertionError) as excinfo:  # an index far out (not one past): as raised
        grid(lambda a, b: a[:, 7])
    assert first_line(excinfo).startswith("check_grid: your function raised IndexError: index 7")
    with pytest.raises(AssertionError) as excinfo:  # another error: said as raised
        number(lambda a: {}["missing"])
    assert first_line(excinfo) == "check_sq: your function raised KeyError: 'missing'"


def _step_checker():
    """A small checker of ``step(p, g, lr) = p - lr * g`` over two rates, with the slip of a step
    twice too long catalogued: on the second case (lr 0.05) that slip gives what a rate of 0.1
    fixed inside the learner's function gives."""
    return Checker(
        name="check_step",
        function="step(p, g, lr)",
        cases=lambda: [
            Case("lr 0.1", {"p": 1.0, "g": 2.0, "lr": 0.1}, 0.8),
            Case("lr 0.05", {"p": 1.0, "g": 2.0, "lr": 0.05}, 0.9),
        ],
        mistakes=(Mistake("twice", lambda p, g, lr: p - 2 * lr * g, "a step twice too long"),),
    )


def test_a_mistake_refuted_by_a_passed_case_is_not_named():
    # 1 - 0.1·2 = 0.8 on case 1 (right) and on case 2, where the slip gives 1 - 2·0.05·2 = 0.8
    # too: case 1 shows that the learner did not make it
    with pytest.raises(AssertionError) as err:
        _step_checker()(lambda p, g, lr: p - 0.1 * g)
    assert "twice" not in str(err.value)
    assert first_line(err) == "check_step: wrong value for lr 0.05"
    # the slip itself, wrong on case 1 already, is still named there
    with pytest.raises(AssertionError) as err:
        _step_checker()(lambda p, g, lr: p - 2 * lr * g)
    assert first_line(err) == "check_step: a step twice too long"


def _step_checker_small_rate_first():
    """:func:`_step_checker` with its two cases the other way round: the case a slip explains by
    chance comes first, the one that refutes it after."""
    checker = _step_checker()
    return dataclasses.replace(checker, cases=lambda: checker.cases()[::-1])


def test_a_mistake_refuted_by_a_later_case_is_not_named():
    """The rate 0.1 fixed inside the function coincides with "twice too long" on the first case
    (lr 0.05) and is right on the second (lr 0.1), which shows it is not that slip; before, only
    the cases before the failing one were looked at, and the slip was named."""
    with pytest.raises(AssertionError) as err:
        _step_checker_small_rate_first()(lambda p, g, lr: p - 0.1 * g)
    assert first_line(err) == "check_step: wrong value for lr 0.05"


def test_a_mistake_that_fits_this_case_and_not_the_next_is_named_with_the_case_it_misses():
    """A step twice too long at lr 0.05, and at lr 0.1 something else wrong again: the slip is
    named for case 1, with the case that does not fit it."""
    with pytest.raises(AssertionError) as err:
        _step_checker_small_rate_first()(lambda p, g, lr: p - 2 * lr * g - (lr > 0.08) * 0.5)
    assert first_line(err) == (
        "check_step: a step twice too long (that explains this case, not case 2: look there too)"
    )


def test_the_further_runs_that_name_a_mistake_show_no_warnings():
    """The learner's function overflows on case 2, which the learner has not reached: the runs
    that try the slip of case 1 on case 2 keep numpy's RuntimeWarning to themselves."""

    def step(p, g, lr):
        return p - 2 * lr * g * (np.float64(1e300) * 1e300 if lr > 0.08 else 1.0)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(AssertionError) as err:
            _step_checker_small_rate_first()(step)
    assert first_line(err) == "check_step: a step twice too long"
    assert [str(w.message) for w in seen] == []


# -- an exercise answered by calling the library's own function ----------------------------------


def _readout_by_the_library(dz, h, Wy):
    from rnnlib.readout import linear_backward

    dh_T, dWy, dby = linear_backward(dz, (h[:, -1], Wy))
    dh = np.zeros_like(h)
    dh[:, -1] = dh_T
    return dh, dWy, dby


def _gated_by_the_library(xs, y, u, w, v, z):
    from rnnlib.gradflow import gated_backward, gated_forward

    g = gated_backward(gated_forward(xs, u, w, z), y, v)
    return g.du, g.dw, g.dz


def _fd_by_the_library(y_hat, y, eps):
    from rnnlib import numerical_gradient, scalar

    y_hat = np.array(y_hat, dtype=float)
    ones = np.ones_like(y_hat)  # the loss is elementwise: the upstream gradient of each entry
    return numerical_gradient(lambda t: scalar.loss(t, y), y_hat, df=ones, eps=eps)


def _clip_by_the_librarys_norm(grads, max_norm):
    from rnnlib.optim import global_norm

    total = global_norm(grads)
    return [g * (max_norm / total) if total > max_norm else g.copy() for g in grads]


def _library_answers():
    from rnnlib import gradflow, losses, optim, scalar

    return [
        ("check_loss", lambda y_hat, y: scalar.loss(y_hat, y), "scalar.loss"),
        ("check_loss_grad", lambda y_hat, y: scalar.loss_grad(y_hat, y), "scalar.loss_grad"),
        (
            "check_loss_grad_fd",
            lambda y_hat, y, eps: scalar.loss_grad(y_hat, y),
            "scalar.loss_grad",
        ),
        ("check_loss_grad_fd", _fd_by_the_library, "rnnlib.gradcheck.numerical_gradient"),
        ("check_sgd_step", lambda p, g, lr: optim.sgd_step(p, g, lr), "rnnlib.optim.sgd_step"),
        (
            "check_clip_grad_norm",
            lambda grads, max_norm: optim.clip_grad_norm(grads, max_norm)[0],
            "rnnlib.optim.clip_grad_norm",
        ),
        (
            "check_clip_grad_norm",
            _clip_by_the_librarys_norm,
            "rnnlib.optim.global_norm",
        ),
        (
            "check_jacobian_product",
            lambda hs, Wh: gradflow.jacobian_products(hs, Wh)[-1],
            "rnnlib.gradflow.jacobian_products",
        ),
        (
            "check_truncated_bptt",
            lambda xs, ys, u, w, v, k: gradflow.scalar_bptt_truncated(xs, ys, u, w, v, k),
            "rnnlib.gradflow.scalar_bptt_truncated",
        ),
        ("check_gated_bptt", _gated_by_the_library, "rnnlib.gradflow.gated_backward"),
        (
            "check_softmax_cross_entropy",
            lambda logits, targets: losses.softmax_cross_entropy(logits, targets),
            "rnnlib.losses.softmax_cross_entropy",
        ),
        ("check_readout_backward", _readout_by_the_library, "rnnlib.readout.linear_backward"),
    ]


@pytest.mark.parametrize("which", range(12))
def test_an_exercise_answered_by_the_librarys_own_function_is_refused_by_name(which):
    # each of these answers gives the right numbers: it calls what the exercise asks for
    name, answer, called = _library_answers()[which]
    first = refusal(BY_NAME[name], answer)
    assert first.startswith(f"{name}: you called {called}"), first


def test_a_slip_with_a_right_special_case_is_named_with_the_case_it_gets_right():
    """A product started from np.ones, with `if len(hs) == 1: return np.eye(H)` for T = 0: the
    slip explains every other case, and the special case is right; it used to be named plain
    "wrong value" once a case after the failing one could refute a mistake."""
    from rnnlib.checks import check_jacobian_product

    def jacobian_product(hs, Wh):
        H = Wh.shape[0]
        if len(hs) == 1:
            return np.eye(H)
        P = np.ones((H, H))
        for t in range(1, len(hs)):
            P = ((1 - hs[t] ** 2)[:, None] * Wh.T) @ P
        return P

    first = refusal(check_jacobian_product, jacobian_product)
    assert first.startswith("check_jacobian_product: the product started from np.ones"), first
    assert re.search(r"\(not on case \d, where your answer is right\)$", first), first


def test_a_case_that_runs_on_does_not_hold_the_message_up_for_long():
    """The further runs that try a mistake on the other cases share FURTHER_TIME: a function
    that never returns on case 2 (which the learner has not reached) delays the message about
    case 1 by about that, not by TIME_LIMIT."""

    def step(p, g, lr):
        while lr > 0.08:
            pass
        return p - 2 * lr * g

    start = time.monotonic()
    with pytest.raises(AssertionError) as err:
        _step_checker_small_rate_first()(step)
    took = time.monotonic() - start
    assert first_line(err) == "check_step: a step twice too long"
    assert took < checking.FURTHER_TIME + 2 < checking.TIME_LIMIT, took


# -- found by mutation testing of the checker machinery (2026-12-06): behaviour no test pinned --

# -- Checker._tally: the cases that count for and against a mistake ----------------------------


def _rate_checker():
    """``rate(o) = 1 / Σ o²``, one number, with the mistake of one rate per sequence, ``1/o²``
    (an array of o's shape). Cases 1 and 2 have one sequence, where that mistake gives a
    1-element array of the right rate; case 3 has two."""
    return Checker(
        "check_rate",
        "rate(o)",
        lambda: [
            Case("o = [2]", {"o": np.array([2.0])}, 0.25),
            Case("o = [0.5]", {"o": np.array([0.5])}, 4.0),
            Case("o = [1, 2]", {"o": np.array([1.0, 2.0])}, 0.2),
        ],
        mistakes=(Mistake("per_seq", lambda o: 1 / o**2, "one rate per sequence"),),
    )


def test_a_right_number_in_another_form_counts_once_against_a_mistake_and_is_named_as_the_case():
    """The learner returns ``np.array([1/Σo²])``: the mistake's numbers on cases 1 and 2 (a
    1-element array), on case 3 the right rate in another form, which the mistake (two rates)
    does not give. 2 cases for the mistake against 1 where the learner is right: the mistake is
    named, with case 3 as the case it misses, where the answer is right (checking.py:
    ``right += 1`` and ``parted = parted or (i, True)`` in ``_tally``)."""
    first = refusal(_rate_checker(), lambda o: np.array([1 / np.sum(o**2)]))
    assert first == "check_rate: one rate per sequence (not on case 3, where your answer is right)"


def test_an_item_with_the_right_numbers_in_another_form_counts_against_a_mistake_of_that_item():
    """The same rule as above for one item of a tuple: ``pair(o) → (rate, total)``, the
    learner's rate as a 1-element array (total right). The mistake of one rate per sequence
    gives the learner's rate on cases 1 and 2 (one sequence); on case 3 the learner's rate item
    holds the right number in another form: named in the item, with case 3 as the case it
    misses (checking.py ``_right_numbers``, the item branch)."""
    checker = Checker(
        "check_pair",
        "pair(o) → (rate, total)",
        lambda: [
            Case("o = [2]", {"o": np.array([2.0])}, (0.25, 2.0)),
            Case("o = [0.5]", {"o": np.array([0.5])}, (4.0, 0.5)),
            Case("o = [1, 2]", {"o": np.array([1.0, 2.0])}, (0.2, 3.0)),
        ],
        mistakes=(
            Mistake("per_seq", lambda o: (1 / o**2, float(np.sum(o))), "one rate per sequence"),
        ),
    )
    first = refusal(checker, lambda o: (np.array([1 / np.sum(o**2)]), float(np.sum(o))))
    assert first == (
        "check_pair: rate: one rate per sequence (not on case 3, where your answer is right)"
    )


def test_a_case_where_a_mistake_cannot_be_computed_tells_nothing_against_it():
    """The mistake (a step twice too long) raises on case 2 (lr = 0), where the learner is right:
    that case is skipped (``if wrong is None ...: continue``), so the mistake, the learner's
    numbers on case 1, fits every case it can be computed on and is named without "(not on case
    2 ...)"; counting case 2 as a right case (1 against 1) would leave the plain "wrong value"."""

    def twice(p, g, lr):
        if lr == 0.0:
            raise ZeroDivisionError("no step to double")
        return p - 2 * lr * g

    checker = Checker(
        "check_step",
        "step(p, g, lr)",
        lambda: [
            Case("lr 0.1", {"p": 1.0, "g": 2.0, "lr": 0.1}, 0.8),
            Case("lr 0", {"p": 1.0, "g": 2.0, "lr": 0.0}, 1.0),
        ],
        mistakes=(Mistake("twice", twice, "a step twice too long"),),
    )
    first = refusal(checker, lambda p, g, lr: p - 2 * lr * g)
    assert first == "check_step: a step twice too long"


# -- Checker._name_mistakes: which of several candidate mistakes is named ------------------------


def test_a_mistake_that_fits_every_case_is_preferred_to_one_that_fits_most():
    """``f(x) = x``; the learner returns −x. "the sign is flipped" (−x) gives the learner's
    numbers on every case it changes (x = 1, 2; at x = 0 it is right and tells nothing); the
    second mistake (−x, but 1 at x = 0) gives them on x = 1, 2 too but not at x = 0, where the
    learner is right (2 cases for it, 1 against: still a candidate). Both reproduce the same
    two cases, so their scores tie; the docstring's rule "those that fit every case are
    preferred" names the first alone."""
    checker = Checker(
        "check_f",
        "f(x)",
        lambda: [Case(f"x = {x}", {"x": float(x)}, float(x)) for x in (1, 2, 0)],
        mistakes=(
            Mistake("neg", lambda x: -x, "the sign is flipped"),
            Mistake("neg_one", lambda x: -x if x != 0 else 1.0, "the sign is flipped, 1 at 0"),
        ),
    )
    assert refusal(checker, lambda x: -x) == "check_f: the sign is flipped"


def test_of_two_tied_mistakes_that_miss_a_case_the_first_case_missed_is_named():
    """The learner's numbers are 11, 12, 13, 14 on x = 1..4 (all wrong: f(x) = x). Slip a gives
    them except on x = 2, slip b except on x = 3: each explains 3 cases, so both are named;
    the message names the first case on which they part from the learner, case 2."""
    learner = {1: 11.0, 2: 12.0, 3: 13.0, 4: 14.0}
    a = {**learner, 2: 99.0}
    b = {**learner, 3: 99.0}
    checker = Checker(
        "check_f",
        "f(x)",
        lambda: [Case(f"x = {x}", {"x": float(x)}, float(x)) for x in (1, 2, 3, 4)],
        mistakes=(
            Mistake("a", lambda x: a[int(x)], "slip a"),
            Mistake("b", lambda x: b[int(x)], "slip b"),
        ),
    )
    assert refusal(checker, lambda x: learner[int(x)]) == (
        "check_f: slip a — or — slip b (that explains this case, not case 2: look there too)"
    )


def test_a_wrong_items_expected_and_got_stand_under_its_name():
    """The message shows each wrong item of a tuple under its name (the arrow's), its expected
    and got values indented below it: the learner sees which numbers belong to which item."""
    checker = Checker(
        "check_pair",
        "pair(x) → (a, b)",
        lambda: [Case("x = 2", {"x": 2.0}, (2.0, 4.0))],
    )
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda x: (x, 3 * x))
    text = str(excinfo.value)
    assert text.splitlines()[0] == "check_pair: b is wrong"
    assert "\n  b:\n    expected: 4.0\n    got:      6.0" in text
    assert "  a:" not in text  # (a is right: not shown)


def _items_checker(k):
    """``f(x) → (i0, ..., i{k-1})``: item i is x + i (all different numbers)."""
    names = [f"i{i}" for i in range(k)]
    return Checker(
        f"check_{k}",
        f"f(x) → ({', '.join(names)})",
        lambda: [Case("x = 10", {"x": 10.0}, tuple(10.0 + i for i in range(k)))],
    )


def test_six_items_in_another_order_are_named_as_such_seven_are_not():
    """_order looks for another order of up to 6 items (720 orders); a longer tuple is a list of
    like items, not named ones, and is told item by item."""
    swapped = lambda x: (x + 1, x, *(x + i for i in range(2, 6)))  # noqa: E731
    first = refusal(_items_checker(6), swapped)
    assert first == (
        "check_6: the right values in the wrong order: you returned (i1, i0, i2, i3, i4, i5); "
        "return (i0, i1, i2, i3, i4, i5)"
    )
    swapped7 = lambda x: (x + 1, x, *(x + i for i in range(2, 7)))  # noqa: E731
    assert refusal(_items_checker(7), swapped7) == "check_7: i0, i1 are wrong"


def test_a_first_line_over_200_characters_names_the_first_problem_and_how_many_more():
    """_headline: every problem "; "-joined while that is at most _HEADLINE (200) characters;
    beyond, the first and how many more below."""
    from rnnlib.course import checking

    assert checking._HEADLINE == 200
    exactly = ["x" * 98, "y" * 100]  # 98 + 2 + 100 = 200 characters joined
    assert checking._headline(exactly) == "x" * 98 + "; " + "y" * 100
    longer = ["x" * 99, "y" * 100]
    assert checking._headline(longer) == "x" * 99 + " (and 1 more below)"
    # a checker's message: 3 items of long names, each wrong in its own form
    names = [f"a_rather_long_item_name_number_{i}_of_the_tuple" for i in range(3)]
    checker = Checker(
        "check_long",
        f"f(x) → ({', '.join(names)})",
        lambda: [Case("x = 1", {"x": 1.0}, (np.zeros(2), np.zeros(3), np.zeros(4)))],
    )
    first = refusal(checker, lambda x: (np.zeros(5), np.zeros(6), np.zeros(7)))
    assert first.startswith(f"check_long: {names[0]}: expected an array of shape (2,)"), first
    assert first.endswith(" (and 2 more below)"), first


def test_items_that_are_only_wrong_are_named_together_beside_another_problem():
    """_merge_plain_wrong: the items that are plain wrong (a, c, d) make one line, where the
    first of them stood; the item with another problem (b, its shape) keeps its own line."""
    checker = Checker(
        "check_four",
        "f(x) → (a, b, c, d)",
        lambda: [Case("x = 1", {"x": 1.0}, (1.0, np.zeros(2), 3.0, 4.0))],
    )
    first = refusal(checker, lambda x: (9.0, np.zeros(3), 9.0, 9.0))
    assert first == (
        "check_four: a, c, d are wrong; b: expected an array of shape (2,), got an array of "
        "shape (3,)"
    )
