"""What the checker tests share: the first line of a checker's message (refusing an answer),
and what naming a catalogued mistake means (used by tests/test_checkers.py and
tests/test_lessonNN.py)."""

import re

import pytest


def first_line(excinfo):
    """The first line of a checker's message: what `python -m rnnlib.progress` shows."""
    return str(excinfo.value).splitlines()[0]


def refusal(checker, *answer):
    """The first line of ``checker``'s message refusing ``answer`` (it must refuse it); for
    ``check_answer``, the question's key and the answer."""
    with pytest.raises(AssertionError) as excinfo:
        checker(*answer)
    return first_line(excinfo)


def mistake(checker, key):
    """The checker's catalogued mistake called ``key``."""
    (found,) = [m for m in checker.mistakes if m.key == key]
    return found


def assert_rejected_and_named(checker, mistake, max_len=200):
    """``checker`` rejects the learner answer ``mistake.answer``, and its first line names that
    mistake alone (not among alternatives), briefly; the message shows the case, expected, got."""
    with pytest.raises(AssertionError) as excinfo:
        checker(mistake.answer)
    first = first_line(excinfo)
    assert first.startswith(f"{checker.__name__}: ")
    assert mistake.says in first
    assert " — or — " not in first, "the mistake must be named alone, not among alternatives"
    assert len(first) < max_len
    text = str(excinfo.value)
    assert "expected" in text and "got" in text and "case " in text


def assert_slip_named(checker, answer, key):
    """``checker`` refuses ``answer``, a learner's slip written by hand (not the catalogue's own
    function), and its first line names the catalogued mistake ``key`` alone, for every wrong
    item (none is left "wrong" unexplained): the catalogue's formula for that mistake is the
    one learners write."""
    first = refusal(checker, answer)
    says = mistake(checker, key).says
    assert says in first, first
    assert " — or — " not in first, first
    assert not re.search(r"\b(is|are) wrong\b", first.replace(says, "")), first
    assert "more below)" not in first, first  # (a first line too long names the first problem)


def assert_right_or_slip_named(checker, answer, key, capsys):
    """A learner's answer written by hand: right (``key`` None), so ``checker`` passes it with its
    one line; or the slip ``key``, which ``checker`` names (:func:`assert_slip_named`)."""
    if key is None:
        checker(answer)
        assert "cases passed ✓" in capsys.readouterr().out
    else:
        assert_slip_named(checker, answer, key)
