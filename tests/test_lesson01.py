"""Lesson 01's checkers (rnnlib.course.lesson01): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below."""

import math

import numpy as np
import pytest
from checks_support import first_line

from rnnlib.course.lesson01 import CHECKERS, check_loss, check_loss_grad


def _loss(y_hat, y):
    return 0.5 * (np.asarray(y_hat, dtype=float) - y) ** 2


def _loss_grad(y_hat, y):
    return np.subtract(y_hat, y)


RIGHT = {"check_loss": (_loss, 7), "check_loss_grad": (_loss_grad, 7)}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_loss": {"missing_half", "seed_loss", "negated_difference"},
    "check_loss_grad": {"wrong_sign_grad", "extra_two"},
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_plain_python_scalars_pass_too(capsys):
    """A learner who writes `0.5 * (y_hat - y) ** 2` gets Python floats for scalars and arrays
    for arrays; both forms are accepted."""
    check_loss(lambda y_hat, y: 0.5 * (y_hat - y) ** 2)
    check_loss_grad(lambda y_hat, y: y_hat - y)
    assert capsys.readouterr().out.count("passed ✓") == 2


def test_message_shows_case_inputs_expected_and_got():
    with pytest.raises(AssertionError) as excinfo:
        check_loss(lambda y_hat, y: 0.5 * (y_hat - y) ** 2 + 0.01)
    lines = str(excinfo.value).splitlines()
    assert lines[0] == "check_loss: wrong value for scalars, ŷ above y"
    assert lines[1] == "  case 1 of 7: scalars, ŷ above y"
    assert lines[2] == "  inputs:   y_hat = 2.5, y = 1.0"
    assert lines[3] == "  expected: 1.125"  # ½(2.5 − 1)² by hand
    assert lines[4] == "  got:      1.135"


def test_an_answer_right_for_scalars_but_not_arrays_names_the_array_case():
    with pytest.raises(AssertionError) as excinfo:
        check_loss(lambda y_hat, y: 0.5 * math.pow(y_hat - y, 2))
    assert first_line(excinfo).startswith("check_loss: your function raised TypeError: ")
    assert "case 6 of 7: arrays of shape (5,)" in str(excinfo.value)
    assert isinstance(excinfo.value.__cause__, TypeError)
