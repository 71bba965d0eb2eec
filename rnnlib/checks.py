"""The exercises' checkers, by their contract names: each runs a learner's function on several
cases and either prints one line (``check_loss: 7/7 cases passed ✓``) or raises
``AssertionError`` that shows the failing case and, when the answer matches a known mistake,
names it.

Use in an exercise notebook::

    from rnnlib.checks import check_loss
    check_loss(loss)

An unfinished function gets one line saying what to write. Graded conceptual questions are
checked by ``check_answer("NN.name", answer)``; each lesson module lists its ``QUESTIONS``.

Each checker lives, with its cases and its catalogue of known mistakes, in the module of the
lesson whose exercise uses it (:mod:`rnnlib.course.lesson01` … :mod:`rnnlib.course.lesson08`);
what a checker is made of is in :mod:`rnnlib.course.checking`. ``ALL_CHECKERS`` lists every
checker, lesson by lesson.
"""

from .course import LESSONS
from .course.checking import CheckFailed
from .course.lesson01 import check_loss, check_loss_grad, check_loss_grad_fd
from .course.lesson02 import check_one_step_lr, check_output_weight_grad, check_sgd_step
from .course.lesson03 import (
    check_fd_last_copy_grad,
    check_last_step_grad,
    check_sigmoid_last_step_grads,
)
from .course.lesson04 import check_scalar_bptt, check_scalar_bptt_many, check_sigmoid_bptt
from .course.lesson05 import check_train_epoch, check_train_loop, check_train_momentum
from .course.lesson06 import (
    check_rnn_backward,
    check_rnn_step_backward,
    check_stacked_rnn_backward,
)
from .course.lesson07 import (
    check_clip_grad_norm,
    check_gated_bptt,
    check_jacobian_product,
    check_truncated_bptt,
)
from .course.lesson08 import (
    check_masked_cross_entropy,
    check_readout_backward,
    check_softmax_cross_entropy,
)

ALL_CHECKERS = tuple(checker for lesson in LESSONS for checker in lesson.CHECKERS)
ALL_QUESTIONS = {q.key: q for lesson in LESSONS for q in getattr(lesson, "QUESTIONS", ())}


def check_answer(key, answer):
    """Grade your answer to the graded question ``key`` (e.g. ``"04.zero_copy"``): a choice's
    letter for a multiple-choice question, a number for a numeric one. Prints one line when it
    is right; otherwise raises ``AssertionError`` saying why that answer is wrong."""
    __tracebackhide__ = True
    if key not in ALL_QUESTIONS:
        raise CheckFailed(
            f"check_answer: no question {key!r}; the questions are {sorted(ALL_QUESTIONS)}"
        )
    ALL_QUESTIONS[key](answer)


__all__ = [
    "ALL_CHECKERS",
    "ALL_QUESTIONS",
    "check_answer",
    "check_clip_grad_norm",
    "check_fd_last_copy_grad",
    "check_gated_bptt",
    "check_jacobian_product",
    "check_last_step_grad",
    "check_loss",
    "check_loss_grad",
    "check_loss_grad_fd",
    "check_masked_cross_entropy",
    "check_one_step_lr",
    "check_output_weight_grad",
    "check_readout_backward",
    "check_rnn_backward",
    "check_rnn_step_backward",
    "check_scalar_bptt",
    "check_scalar_bptt_many",
    "check_sgd_step",
    "check_sigmoid_bptt",
    "check_sigmoid_last_step_grads",
    "check_softmax_cross_entropy",
    "check_stacked_rnn_backward",
    "check_train_epoch",
    "check_train_loop",
    "check_train_momentum",
    "check_truncated_bptt",
]
