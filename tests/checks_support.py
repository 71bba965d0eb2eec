"""What every checker's tests assert about a catalogued mistake (shared by tests/test_checks_*)."""

import pytest


def first_line(excinfo):
    """The first line of a checker's message: what `python -m rnnlib.progress` shows."""
    return str(excinfo.value).splitlines()[0]


def mistake_params(mistakes):
    """pytest params ``(checker name, Mistake)`` from ``{checker name: [Mistake, ...]}``."""
    return [
        pytest.param(name, m, id=f"{name}-{m.key}") for name, ms in mistakes.items() for m in ms
    ]


def assert_rejected_and_named(checker, mistake, max_len=220):
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
