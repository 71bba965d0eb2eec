"""Lesson 04's checker (rnnlib.course.lesson04): what is special to it. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answer below, which is finite
differences of a forward pass written here (no rnnlib backward)."""

import math

import numpy as np
import pytest
from checks_support import first_line, mistake

from rnnlib import numerical_gradient
from rnnlib.course.lesson04 import CHECKERS, check_scalar_bptt


def _scalar_bptt(xs, y, u, w, v):
    """Finite differences of a forward pass written here, with math.tanh: no rnnlib backward."""

    def L(p):
        uu, ww, vv = p
        o = 0.0
        for x in xs:
            o = math.tanh(uu * x + ww * o)
        return 0.5 * (vv * o - y) ** 2

    return tuple(float(g) for g in numerical_gradient(L, np.array([u, w, v], dtype=float)))


RIGHT = {"check_scalar_bptt": (_scalar_bptt, 5)}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_scalar_bptt": {
        "bptt_wrong_sign",
        "bptt_missing_tanh_prime",
        "bptt_one_minus_o",
        "bptt_o_t_for_o_prev",
        "bptt_last_copy_only",
        "bptt_no_w_in_chain",
        "bptt_du_last_step_only",
        "bptt_not_carried_back",
    },
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_bptt_tuple_of_wrong_length():
    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(lambda xs, y, u, w, v: _scalar_bptt(xs, y, u, w, v)[:2])
    assert first_line(excinfo) == (
        "check_scalar_bptt: your function returned a tuple of length 2; "
        "expected a tuple of 3 (dL/du, dL/dw, dL/dv)"
    )


def test_two_mistakes_in_two_items_are_both_named():
    du_last = mistake(check_scalar_bptt, "bptt_du_last_step_only")
    dv_no_o = mistake(check_scalar_bptt, "bptt_dv_missing_o_T")

    def two_mistakes(xs, y, u, w, v):
        du, _, _ = du_last.answer(xs, y, u, w, v)
        _, _, dv = dv_no_o.answer(xs, y, u, w, v)
        _, dw, _ = _scalar_bptt(xs, y, u, w, v)
        return du, dw, dv

    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(two_mistakes)
    assert du_last.says in first_line(excinfo)
    assert dv_no_o.says in str(excinfo.value)
