"""The exercises' checkers, by their contract names: each runs a
learner's function on several cases and either prints one line
(``check_loss: 7/7 cases passed ✓``) or raises ``AssertionError`` that
shows the failing case and, when the answer matches a known mistake,
names it.

Use in an exercise notebook::

    from rnnlib.checks import check_loss
    check_loss(loss)

An unfinished function gets one line saying what to write. Graded
conceptual questions are checked by ``check_answer("NN.name", answer)``;
each lesson module lists its ``QUESTIONS``.

Each checker lives, with its cases and its catalogue of known mistakes,
in the module of the lesson whose exercise uses it
(:mod:`rnnlib.course.lessonNN`, its ``CHECKERS``); it is exported here
under its name because that lesson is listed in
:data:`rnnlib.course.LESSONS`, with no edit of this file. What a checker
is made of is in :mod:`rnnlib.course.checking`. ``ALL_CHECKERS`` lists
every checker, lesson by lesson.
"""

from .course import LESSONS
from .course.checking import CheckFailed, show_unfinished_in_one_line


def by_contract_name(lessons):
    """Every checker of ``lessons`` (their ``CHECKERS``) by its contract
    name, lesson by lesson.

    A new lesson's checkers are exported here by listing the lesson in
    :data:`rnnlib.course.LESSONS`, nothing else; two checkers under one
    name are an error.
    """
    found = {}
    for lesson in lessons:
        for checker in lesson.CHECKERS:
            if checker.name in found:
                raise ValueError(
                    f"{lesson.__name__}: a second checker named {checker.name!r} "
                    f"(the first is in {found[checker.name].__module__})"
                )
            found[checker.name] = checker
    return found


_BY_NAME = by_contract_name(LESSONS)
globals().update(_BY_NAME)  # check_loss, check_loss_grad, ...: the contract names
ALL_CHECKERS = tuple(_BY_NAME.values())
show_unfinished_in_one_line()  # in a notebook: an unwritten function met by an own check
ALL_QUESTIONS = {q.key: q for lesson in LESSONS for q in getattr(lesson, "QUESTIONS", ())}


def check_answer(key, answer):
    """Grade your answer to the graded question ``key``
    (e.g. ``"04.zero_copy"``): a choice's letter for a multiple-choice
    question, a number for a numeric one. Prints one line when it is
    right; otherwise raises ``AssertionError`` saying why that answer is
    wrong."""
    __tracebackhide__ = True
    if not isinstance(key, str) or key not in ALL_QUESTIONS:
        raise CheckFailed(
            f"check_answer: no question {key!r}; the questions are {sorted(ALL_QUESTIONS)}"
        )
    ALL_QUESTIONS[key](answer)


__all__ = ["ALL_CHECKERS", "ALL_QUESTIONS", "by_contract_name", "check_answer", *sorted(_BY_NAME)]
