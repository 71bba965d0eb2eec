"""The exercises' checkers, by their contract names: each runs a learner's function on several
cases and either prints one line (``check_loss: 7/7 cases passed ✓``) or raises
``AssertionError`` that shows the failing case and, when the answer matches a known mistake,
names it.

Use in an exercise notebook::

    from rnnlib.checks import check_loss
    check_loss(loss)

A learner's ``NotImplementedError`` passes through unchanged. Each checker lives, with its cases
and its catalogue of known mistakes, in the module of the lesson whose exercise uses it
(:mod:`rnnlib.course.lesson01` … :mod:`rnnlib.course.lesson08`); what a checker is made of is in
:mod:`rnnlib.course.checking`. ``ALL_CHECKERS`` lists every checker, lesson by lesson.
"""

from .course import (
    lesson00,
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
    lesson07,
    lesson08,
)
from .course.lesson01 import check_loss, check_loss_grad
from .course.lesson02 import check_output_weight_grad, check_sgd_step
from .course.lesson03 import check_last_step_grad
from .course.lesson04 import check_scalar_bptt
from .course.lesson05 import check_train_epoch, check_train_loop
from .course.lesson06 import check_clip_grad_norm, check_jacobian_product, check_truncated_bptt
from .course.lesson07 import check_rnn_backward, check_rnn_step_backward
from .course.lesson08 import check_readout_backward, check_softmax_cross_entropy

LESSONS = (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08)
ALL_CHECKERS = tuple(checker for lesson in LESSONS for checker in lesson.CHECKERS)

__all__ = [
    "ALL_CHECKERS",
    "check_clip_grad_norm",
    "check_jacobian_product",
    "check_last_step_grad",
    "check_loss",
    "check_loss_grad",
    "check_output_weight_grad",
    "check_readout_backward",
    "check_rnn_backward",
    "check_rnn_step_backward",
    "check_scalar_bptt",
    "check_sgd_step",
    "check_softmax_cross_entropy",
    "check_train_epoch",
    "check_train_loop",
    "check_truncated_bptt",
]
