"""Lesson 02's checkers (rnnlib.course.lesson02): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below."""

import numpy as np
import pytest
from checks_support import first_line

from rnnlib.course.lesson02 import CHECKERS, check_sgd_step


def _output_weight_grad(dL_dyhat, o_T):
    return np.multiply(dL_dyhat, o_T)


def _sgd_step(param, grad, lr):
    return param - lr * np.asarray(grad)


RIGHT = {"check_output_weight_grad": (_output_weight_grad, 6), "check_sgd_step": (_sgd_step, 5)}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_output_weight_grad": {"dv_wrong_sign", "dv_missing_o_T"},
    "check_sgd_step": {"sgd_wrong_sign", "sgd_missing_lr"},
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_plain_python_sgd_step_passes_too(capsys):
    """`param - lr * grad` gives Python floats for scalars and arrays for arrays: both pass."""
    check_sgd_step(lambda param, grad, lr: param - lr * grad)
    assert capsys.readouterr().out.count("passed ✓") == 1


def test_in_place_sgd_step_is_caught_even_though_its_value_is_right():
    def sgd_step(param, grad, lr):
        param -= lr * grad
        return param

    with pytest.raises(AssertionError) as excinfo:
        check_sgd_step(sgd_step)
    assert first_line(excinfo) == (
        "check_sgd_step: your sgd_step changed its input `param` in place; leave the inputs "
        "unchanged and return a new value (e.g. `p = p - ...`, not `p -= ...`)"
    )
