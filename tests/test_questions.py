"""Graded questions (rnnlib.course.checking.Question, rnnlib.checks.check_answer): the right
answer in any reasonable spelling passes with one line, every wrong choice is explained, a known
wrong number names its mistake, and a question that leaves a wrong choice unexplained cannot be
written."""

import math
import re

import numpy as np
import pytest
from checks_support import refusal

from rnnlib.checks import ALL_QUESTIONS, check_answer
from rnnlib.course.checking import TEXT_WIDTH, Question

CHOICE = Question(
    "99.copy",
    "Which copy of w gets no gradient when o_0 = 0?",
    "a",
    choices={"a": "w⁽¹⁾", "b": "w⁽ᵀ⁾", "c": "none"},
    why={"b": "w⁽ᵀ⁾ multiplies o_(T−1) ≠ 0", "c": "w⁽¹⁾ multiplies o_0 = 0"},
    explain="w⁽¹⁾ multiplies o_0 = 0.",
)
NUMBER = Question("99.product", "Π of 3 factors 0.5?", 0.125, why={0.5**2: "only 2 factors"})


@pytest.mark.parametrize(
    "given", ["a", "A", " (a) ", "a ", " a. ", "(a).", "a)", np.str_("a"), np.array("a")]
)
def test_right_choice_in_any_spelling(given, capsys):
    CHOICE(given)
    assert capsys.readouterr().out == "check_answer('99.copy'): right ✓ w⁽¹⁾ multiplies o_0 = 0.\n"


@pytest.mark.parametrize(("given", "said"), [("b", "o_(T−1) ≠ 0"), ("c", "o_0 = 0")])
def test_every_wrong_choice_is_explained(given, said):
    with pytest.raises(AssertionError) as excinfo:
        CHOICE(given)
    assert str(excinfo.value).startswith(f"check_answer('99.copy'): ({given}) is not right: ")
    assert str(excinfo.value).endswith(said)


def test_not_a_choice():
    with pytest.raises(AssertionError, match="expected one of 'a', 'b', 'c', got 'd'$"):
        CHOICE("d")


@pytest.mark.parametrize(
    ("given", "got"),
    [
        (3, "an int: 3"),
        (["a"], "a list: ['a']"),
        ({"a"}, "a set: {'a'}"),
        (np.array(["a"]), "an array: array(['a'], dtype='<U1')"),
        ({"a": 1}, "a dict: {'a': 1}"),
    ],
    ids=["int", "list", "set", "1-d array", "dict"],
)
def test_a_choice_not_given_as_a_string_is_told_how_to_give_it(given, got):
    """Not a raw TypeError (a list or a set cannot be a dict key): the letter, as a string."""
    with pytest.raises(AssertionError) as excinfo:
        CHOICE(given)
    assert str(excinfo.value) == (
        "check_answer('99.copy'): expected one letter, one of 'a', 'b', 'c', as a string, "
        f"e.g. check_answer('99.copy', 'a'); got {got}"
    )


@pytest.mark.parametrize("given", [0.125, np.float64(0.125), np.array(0.125), 1 / 8])
def test_right_number_in_any_form(given, capsys):
    NUMBER(given)
    assert "right ✓" in capsys.readouterr().out


def test_wrong_numbers():
    with pytest.raises(AssertionError, match="0.25 is not right: only 2 factors"):
        NUMBER(0.25)
    with pytest.raises(AssertionError, match="0.3 is not right; try again"):
        NUMBER(0.3)
    one = "set your answer to one number (an int or a float)"
    with pytest.raises(AssertionError, match=f"got a list of 2 numbers: {re.escape(one)}$"):
        NUMBER([0.125, 1])
    with pytest.raises(AssertionError, match="expected a single number, got an array of shape"):
        NUMBER(np.array([0.125, 1]))
    with pytest.raises(AssertionError, match=rf"got True \(a bool\): {re.escape(one)}$"):
        NUMBER(True)


@pytest.mark.parametrize(
    ("given", "got", "fix"),
    [
        ("0.125", "a str", "'0.125' is text; write the number without quotes"),
        ("b", "a str", "this question asks for a number; set your answer to the number you found"),
        ([0.125], "a list of 1 number", "give the number itself, not a list holding it"),
        (
            np.array([0.125]),
            "an array of shape (1,)",
            "give the number itself, not an array holding it",
        ),
    ],
    ids=["number in quotes", "a letter", "list of one", "array of one"],
)
def test_an_answer_that_is_not_one_number_is_told_what_to_write(given, got, fix):
    """Not only what came, but what to write instead: the number without quotes, the number
    itself rather than a list holding it."""
    with pytest.raises(AssertionError) as excinfo:
        NUMBER(given)
    assert str(excinfo.value) == (
        f"check_answer('99.product'): expected a single number, got {got}: {fix}"
    )


def test_of_two_catalogued_values_within_tolerance_the_nearest_names_the_mistake():
    q = Question("99.near", "?", 1.0, why={0.5: "first", 0.52: "second"}, rtol=0.0, atol=0.05)
    for given, said in [(0.5, "first"), (0.49, "first"), (0.52, "second"), (0.53, "second")]:
        with pytest.raises(AssertionError, match=f"is not right: {said}$"):
            q(given)


WINDOW = Question("99.window", "?", 10.0, why={12.0: "far", 12.1: "near"})


@pytest.mark.parametrize(
    ("given", "said"),
    [
        # 0.12 and 0.02 from the two, within 2% of both (0.24, 0.242), outside rtol 0.1%
        # (0.0121) and no rounding of either: the nearer, 12.1, names the mistake
        (12.12, "near 12.1, which is what this slip gives: near"),
        # 0.15 from 12.0 (within 0.24), 0.25 from 12.1 (beyond 0.242): only 12.0 is near
        (11.85, "near 12.0, which is what this slip gives: far"),
    ],
)
def test_a_number_within_two_percent_of_catalogued_values_names_the_nearest(given, said):
    """Said as near the wrong value, not as that value: 12.12 may be 12.1's slip and a slip of
    arithmetic, or another mistake."""
    with pytest.raises(AssertionError) as excinfo:
        WINDOW(given)
    assert str(excinfo.value) == f"check_answer('99.window'): {given} is not right; it is {said}"


@pytest.mark.parametrize(
    ("question", "given", "said"),
    [
        (NUMBER, 0.124, "0.124 is within 2% of the answer but not within 0.1%"),
        (NUMBER, 0.1265, "0.1265 is within 2% of the answer but not within 0.1%"),
        (
            Question("99.steps", "k?", 20, rtol=0.0, atol=0.01),
            19.8,
            "19.8 is within 2% of the answer but not within ±0.01",
        ),
        (
            Question("99.exact", "y?", 1.55, rtol=1e-6),
            1.549998,  # 1.55 to 6 digits: shown with the digits given
            "1.549998 is within 2% of the answer but not within 0.0001%",
        ),
    ],
    ids=["below", "above", "atol only", "rtol 1e-6"],
)
def test_a_number_close_to_the_answer_is_told_it_is_close(question, given, said):
    with pytest.raises(AssertionError) as excinfo:
        question(given)
    assert str(excinfo.value) == (
        f"check_answer({question.key!r}): close: {said}; compute it rather than rounding, or "
        "give more digits"
    )


def test_a_rounded_answer_to_a_course_question_is_told_it_is_close():
    with pytest.raises(
        AssertionError, match=r"close: 3\.12 is the answer rounded but not within 0\.1%;"
    ):
        check_answer("02.lr_edge", 3.12)


@pytest.mark.parametrize(
    ("given", "got"),
    [
        (np.array("0.125"), "an array of shape () holding text, not numbers"),
        (np.array(["0.125"]), "an array of shape (1,) holding text, not numbers"),
        (0.125 + 0j, "a complex number, not a real one"),
        (np.array(0.125 + 0j), "an array of shape () holding complex numbers, not real ones"),
    ],
    ids=["0-d text", "1-d text", "complex", "0-d complex"],
)
def test_text_or_a_complex_number_is_not_a_number(given, got):
    with pytest.raises(AssertionError) as excinfo:
        NUMBER(given)
    assert str(excinfo.value).startswith(
        f"check_answer('99.product'): expected a single number, got {got}: "
    )
    if "text" in got:  # one number as text, in an array of one too: the number without quotes
        assert str(excinfo.value).endswith(": '0.125' is text; write the number without quotes")


def test_a_number_that_cannot_be_read_is_described_by_its_type():
    class Opaque:
        def __float__(self):
            raise RuntimeError("no number here")

    with pytest.raises(AssertionError, match="expected a single number, got an Opaque: set your"):
        NUMBER(Opaque())


def test_a_question_must_explain_every_wrong_choice():
    with pytest.raises(ValueError, match="explain every wrong choice"):
        Question("99.bad", "?", "a", choices={"a": "x", "b": "y"})
    with pytest.raises(ValueError, match="not a choice"):
        Question("99.bad", "?", "z", choices={"a": "x"}, why={"a": "no"})


def test_check_answer_knows_every_lessons_questions():
    with pytest.raises(AssertionError, match="no question '99.nothing'"):
        check_answer("99.nothing", "a")
    for key, q in ALL_QUESTIONS.items():
        assert key == q.key and key[:2].isdigit() and key[2] == "."
        check_answer(key, q.answer)  # the stored answer is a right one


@pytest.mark.parametrize("given", [None, ...])
def test_no_answer_yet_is_not_started(given):
    """progress lists an unanswered question as not started, not failing."""
    with pytest.raises(NotImplementedError, match="^not started: give your answer to 99.copy"):
        CHOICE(given)


def test_a_long_success_line_is_wrapped_at_spaces_to_the_text_width(capsys):
    """JupyterLab breaks a longer printed line inside a word: the explanation goes on indented
    lines instead. The head and k 10-letter words make 33 + 10 + (k - 1) · 11 characters: the
    first line holds as many words as fit in TEXT_WIDTH (3 of them, 65 characters, for 72), the
    next word goes on the second line."""
    words = ["abcdefghij"] * 10
    long = Question(
        "99.long", "?", "a", choices={"a": "x", "b": "y"}, why={"b": "no"}, explain=" ".join(words)
    )
    long("a")
    k = (TEXT_WIDTH - 43) // 11 + 1
    first = "check_answer('99.long'): right ✓ " + " ".join(words[:k])
    assert len(first) <= TEXT_WIDTH < len(first) + 11
    out = capsys.readouterr().out.split("\n")
    assert out[0] == first and out[1].startswith("  " + words[k] + " ") and out[-1] == ""
    assert all(len(line) <= TEXT_WIDTH for line in out)
    assert " ".join(line.strip() for line in out).split() == first.split() + words[k:]


def test_every_question_prints_its_success_in_lines_of_the_text_width(capsys):
    for key, question in ALL_QUESTIONS.items():
        question(question.answer)
        out = capsys.readouterr().out
        assert out.startswith(f"check_answer({key!r}): right ✓")
        long = [line for line in out.splitlines() if len(line) > TEXT_WIDTH]
        assert not long, f"{key}: lines longer than {TEXT_WIDTH} characters: {long}"
        assert " ".join(part.strip() for part in out.splitlines()).endswith(question.explain)


@pytest.mark.parametrize(
    ("key", "given", "said"),
    [
        # 0.95⁵⁰ = 0.07694 to two decimals: one significant digit, the answer rounded
        ("07.gate_reach", 0.08, "close: 0.08 is the answer rounded but not within 0.1%"),
        # 65.536 MB to one significant digit
        ("06.memory_mb", 70, "close: 70 is the answer rounded but not within ±0.04"),
        # 4.2775 with its last digits dropped, not rounded (it was "near 4.12945, |do_4/do_0|")
        ("04.hundred_steps", 4.2, "close: 4.2 is the answer cut short but not within 0.1%"),
        # 1.55 rounded half up is 1.6, which is also 1.55 + ε: both are said
        (
            "01.forward_value",
            1.6,
            "1.6 is not right: it is the answer rounded (give more digits), or what this slip "
            "gives: that adds ε",
        ),
        # "a whole number, exactly": a fraction is told so, within the tolerance too
        ("06.checkpoint_k", 19.99, "19.99 is not a whole number; this question asks for one"),
        ("06.checkpoint_k", 20.004, "20.004 is not a whole number; this question asks for one"),
        # shown with all its digits (it was "20.0 is not a whole number")
        ("06.checkpoint_k", 20.00001, "20.00001 is not a whole number; this question asks"),
    ],
)
def test_the_answer_with_fewer_digits_is_told_it_is_the_answer(key, given, said):
    """The course's own questions, answered with the right value rounded to fewer digits than
    asked (to one significant digit too), or cut short: told "close", not "try again" nor a
    mistake the learner did not make; a whole-number question refuses a fraction."""
    first = refusal(check_answer, key, given)
    assert first.startswith(f"check_answer('{key}'): {said}"), first


@pytest.mark.parametrize("given", [math.exp(0.5 * math.log(400)), 20 * (1 + 2e-16), np.sqrt(400)])
def test_a_whole_number_computed_with_round_off_is_whole(given, capsys):
    """k = √400 computed as exp(½·log 400) is 19.999999999999996: a whole number with round-off,
    not a fraction (it was told "20.0 is not a whole number")."""
    check_answer("06.checkpoint_k", given)
    assert "right ✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("given", "letter"), [("b) the derivative", "b"), ("(c) because", "c"), ("B. yes", "b")]
)
def test_a_letter_with_words_after_it_is_told_to_come_alone(given, letter):
    said = refusal(check_answer, "01.seed_loss", given)
    assert said.endswith(
        f"got {given!r}: give the letter alone, check_answer('01.seed_loss', '{letter}')"
    )


def test_words_that_start_with_no_choice_get_the_choices_only():
    said = refusal(check_answer, "01.seed_loss", "z) no")
    assert said == "check_answer('01.seed_loss'): expected one of 'a', 'b', 'c', 'd', got 'z) no'"


def test_the_answer_held_in_float16_is_told_to_compute_in_float64(capsys):
    """float16 holds 1.55 as 1.5498046875, outside the question's tolerance: the message says
    what happened (it was "close: ... within 2% of the answer"); float32 is within it."""
    said = refusal(check_answer, "01.forward_value", np.float16(1.55))
    assert said == (
        "check_answer('01.forward_value'): 1.5498046875 is the answer held in float16 (about 3 "
        "significant digits), not within 0.0001%: compute it in float64 (Python floats, numpy's "
        "default)"
    )
    check_answer("01.forward_value", np.float32(1.55))
    assert "right ✓" in capsys.readouterr().out


# -- found by mutation testing of the checker machinery (2026-12-06): behaviour no test pinned --

# -- Question: the rules for a wrong number --------------------------------------------------------


def _whole_refusal(question, given):
    with pytest.raises(AssertionError) as excinfo:
        question(given)
    return str(excinfo.value)


def test_the_answer_rounded_that_is_also_two_catalogued_values_names_the_nearer():
    """1.6 is 1.55 rounded half up, and within the tolerance (0.1%) of two catalogued values,
    1.6 itself and 1.601: the message says both "rounded" and the slip, and the slip is the
    nearer value's (1.6, at distance 0), whatever the order or the words of the catalogue."""
    q = Question("99.two", "?", 1.55, why={1.6: "that adds ε", 1.601: "a different slip"})
    assert _whole_refusal(q, 1.6) == (
        "check_answer('99.two'): 1.6 is not right: it is the answer rounded (give more digits), "
        "or what this slip gives: that adds ε"
    )


def test_a_number_as_near_the_answer_as_a_catalogued_value_is_close_not_that_slip():
    """100.5 lies 0.5 from the answer 100 and 0.5 from the catalogued 101, within 2% of both
    and a rounding of neither: "near that value" needs it *nearer* to the wrong value than to
    the right one (the docstring's rule), so it is told close."""
    q = Question("99.tie", "?", 100.0, why={101.0: "one too many"})
    assert _whole_refusal(q, 100.5).startswith(
        "check_answer('99.tie'): close: 100.5 is within 2% of the answer but not within 0.1%"
    )


def test_a_number_exactly_two_percent_off_is_still_close():
    """51 is exactly 2% above 50 (0.02 · 50 is 1.0 in floating point): "within 2%" includes
    the edge; 51.01 is beyond it and a plain wrong number."""
    q = Question("99.edge", "?", 50.0)
    assert 0.02 * 50.0 == 1.0
    assert _whole_refusal(q, 51.0).startswith("check_answer('99.edge'): close: 51 is within 2% of")
    assert _whole_refusal(q, 51.01) == "check_answer('99.edge'): 51.01 is not right; try again"


def test_one_is_a_rounding_to_one_digit_and_zero_is_a_rounding_of_nothing():
    """_rounds_to: 1 for 0.96 is the answer rounded to one significant digit (as 0.08 for
    0.0769), told close; 0 "rounds" anything below 0.5 but says nothing: a plain wrong number."""
    said = _whole_refusal(Question("99.one", "?", 0.96), 1)
    assert said.startswith("check_answer('99.one'): close: 1 is the answer rounded but not")
    assert _whole_refusal(Question("99.zero", "?", 0.4), 0) == (
        "check_answer('99.zero'): 0 is not right; try again"
    )


def test_a_fraction_far_beyond_round_off_is_not_whole():
    """20.0000001 differs from 20 by 1e-7 (5e-9 relative): some 10⁸ times float64's spacing
    near 20, not a whole number's round-off (19.999999999999996 is 4e-15 away), so a
    whole-number question refuses it although it is within the tolerance of 20."""
    q = Question("99.k", "?", 20, whole=True)
    assert _whole_refusal(q, 20.0000001) == (
        "check_answer('99.k'): 20.0000001 is not a whole number; this question asks for one, "
        "exactly"
    )
