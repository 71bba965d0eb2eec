"""Lesson 03's checker (rnnlib.course.lesson03): what is special to it. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answer below."""

import pytest

from rnnlib.course.lesson03 import CHECKERS


def _last_step_grad(dL_dyhat, v, o_T, o_prev):
    return dL_dyhat * v * (1 - o_T * o_T) * o_prev


RIGHT = {"check_last_step_grad": (_last_step_grad, 6)}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_last_step_grad": {
        "missing_tanh_prime",
        "one_minus_o",
        "o_T_for_o_prev",
        "missing_v",
        "wrong_sign",
    },
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}
