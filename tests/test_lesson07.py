"""Lesson 07's checkers (rnnlib.course.lesson07): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below, which do not use
rnnlib's backward passes: the RNN gradients are finite differences of a forward pass written in
this file (the bias, which the learner's function does not receive, is recovered from the given
states as b = artanh(h) − x Wx − h_prev Wh)."""

import numpy as np
import pytest
from checks_support import first_line, mistake

from rnnlib import numerical_gradient
from rnnlib.course import lesson07 as L


def _fd_grads(forward, dout, params):
    """Finite-difference gradient of sum(dout * forward(*params)) for every param (copies)."""
    params = [np.array(p, dtype=float) for p in params]
    grads = []
    for i in range(len(params)):

        def f(p, i=i):
            args = list(params)
            args[i] = p
            return forward(*args)

        grads.append(numerical_gradient(f, params[i].copy(), df=dout))
    return grads


def _step_forward(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)


def _step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
    b = np.arctanh(h_next[0]) - x[0] @ Wx - h_prev[0] @ Wh
    dx, dh_prev, dWx, dWh, db = _fd_grads(_step_forward, dh_next, [x, h_prev, Wx, Wh, b])
    return dx, dh_prev, dWx, dWh, db


def _seq_forward(x, h0, Wx, Wh, b):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def _rnn_backward(dh, x, h0, h, Wx, Wh):
    b = np.arctanh(h[0, 0]) - x[0, 0] @ Wx - h0[0] @ Wh
    dx, dh0, dWx, dWh, db = _fd_grads(_seq_forward, dh, [x, h0, Wx, Wh, b])
    return dx, dh0, dWx, dWh, db


RIGHT = {"check_rnn_step_backward": (_step_backward, 4), "check_rnn_backward": (_rnn_backward, 4)}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_rnn_step_backward": {
        "step_missing_tanh_prime",
        "step_one_minus_h",
        "step_db_averaged",
        "step_wrong_sign",
    },
    "check_rnn_backward": {
        "bptt_not_carried_back",
        "bptt_earlier_upstream_dropped",
        "bptt_weights_overwritten",
        "bptt_dh0_dropped",
        "bptt_db_averaged",
        "bptt_missing_tanh_prime",
        "bptt_one_minus_h",
        "bptt_h_t_in_dWh",
    },
}


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_cases_cover_batches_of_one_and_more_one_step_and_more_and_D_ne_H():
    step = [(c.args["x"].shape, c.args["Wh"].shape[0]) for c in L.rnn_step_backward_cases()]
    assert {s[0][0] == 1 for s in step} == {True, False}  # N = 1 and N > 1
    assert all(shape[1] != H for shape, H in step)  # D ≠ H
    seq = [c.args["x"].shape + (c.args["Wh"].shape[0],) for c in L.rnn_backward_cases()]
    assert {N == 1 for N, T, D, H in seq} == {True, False}
    assert {T == 1 for N, T, D, H in seq} == {True, False}
    assert all(D != H for N, T, D, H in seq)


def test_two_mistakes_in_two_items_are_both_named():
    dh0_dropped = mistake(L.check_rnn_backward, "bptt_dh0_dropped")
    db_averaged = mistake(L.check_rnn_backward, "bptt_db_averaged")

    def two_mistakes(dh, x, h0, h, Wx, Wh):
        dx, _, dWx, dWh, _ = _rnn_backward(dh, x, h0, h, Wx, Wh)
        _, dh0, _, _, _ = dh0_dropped.answer(dh, x, h0, h, Wx, Wh)
        db = db_averaged.answer(dh, x, h0, h, Wx, Wh)[4]
        return dx, dh0, dWx, dWh, db

    with pytest.raises(AssertionError) as excinfo:
        L.check_rnn_backward(two_mistakes)
    assert dh0_dropped.says in first_line(excinfo)
    assert db_averaged.says in str(excinfo.value)


def test_an_item_that_is_none_is_named():
    def no_dh0(dh, x, h0, h, Wx, Wh):
        dx, _, dWx, dWh, db = _rnn_backward(dh, x, h0, h, Wx, Wh)
        return dx, None, dWx, dWh, db

    with pytest.raises(AssertionError) as excinfo:
        L.check_rnn_backward(no_dh0)
    assert first_line(excinfo) == "check_rnn_backward: dh0 is None"


def test_nan_in_one_item_names_that_item():
    def nan_db(dh, x, h0, h, Wx, Wh):
        dx, dh0, dWx, dWh, db = _rnn_backward(dh, x, h0, h, Wx, Wh)
        return dx, dh0, dWx, dWh, db * np.nan

    with pytest.raises(AssertionError) as excinfo:
        L.check_rnn_backward(nan_db)
    assert first_line(excinfo) == "check_rnn_backward: db contains NaN or infinity"


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_rnn_input_changed_in_place_is_caught(checker):
    right, _ = RIGHT[checker.name]

    def squashing(dh, x, *rest):
        out = right(dh, x, *rest)
        dh *= 0.5  # e.g. reusing the upstream gradient array as scratch space
        return out

    with pytest.raises(AssertionError) as excinfo:
        checker(squashing)
    assert "changed its input `" in first_line(excinfo)


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_a_crash_inside_numpy_is_reported_and_chained(checker):
    def crashing(*args):
        return np.zeros((2, 3)) @ np.zeros((4, 5))

    with pytest.raises(AssertionError) as excinfo:
        checker(crashing)
    assert first_line(excinfo).startswith(f"{checker.name}: your crashing raised ValueError: ")
    assert isinstance(excinfo.value.__cause__, ValueError)
