"""The vector checkers: right answers pass, every catalogued mistake is rejected and named, bad
learner output gets its own clear AssertionError, NotImplementedError passes through unchanged.

The right answers here do not use rnnlib's backward passes: the RNN gradients are finite
differences of a forward pass written in this file (the bias, which the learner's function does
not receive, is recovered from the given states as b = artanh(h) − x Wx − h_prev Wh), and
clipping is computed from one concatenated vector.
"""

import numpy as np
import pytest
from checks_support import assert_rejected_and_named, first_line, mistake_params

from rnnlib import numerical_gradient
from rnnlib.checks import check_clip_grad_norm, check_rnn_backward, check_rnn_step_backward
from rnnlib.checks.vector import MISTAKES, _bptt_cases, _step_cases


def _clip(grads, max_norm):
    total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    return [g * min(1.0, max_norm / total) for g in grads]


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


RIGHT = {
    "check_clip_grad_norm": (check_clip_grad_norm, _clip, 5),
    "check_rnn_step_backward": (check_rnn_step_backward, _step_backward, 4),
    "check_rnn_backward": (check_rnn_backward, _rnn_backward, 4),
}
NAMES = sorted(RIGHT)


@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes_with_one_line(name, capsys):
    checker, right, n = RIGHT[name]
    assert checker(right) is None
    assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


def test_a_tuple_of_clipped_arrays_is_accepted_too(capsys):
    check_clip_grad_norm(lambda grads, m: tuple(_clip(grads, m)))
    assert "passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "mistake"), mistake_params(MISTAKES))
def test_each_catalogued_mistake_is_rejected_and_named(name, mistake):
    assert_rejected_and_named(RIGHT[name][0], mistake)


REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_clip_grad_norm": {"clip_elementwise", "clip_per_array", "clip_always_rescaled"},
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


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_covers_the_issue_minimum(name):
    assert REQUIRED[name] <= {m.key for m in MISTAKES[name]}


def test_cases_cover_batches_of_one_and_more_one_step_and_more_and_D_ne_H():
    step = [(c.args["x"].shape, c.args["Wh"].shape[0]) for c in _step_cases()]
    assert {s[0][0] == 1 for s in step} == {True, False}  # N = 1 and N > 1
    assert all(shape[1] != H for shape, H in step)  # D ≠ H
    seq = [c.args["x"].shape + (c.args["Wh"].shape[0],) for c in _bptt_cases()]
    assert {N == 1 for N, T, D, H in seq} == {True, False}
    assert {T == 1 for N, T, D, H in seq} == {True, False}
    assert all(D != H for N, T, D, H in seq)


def test_two_mistakes_in_two_items_are_both_named():
    by_key = {m.key: m for m in MISTAKES["check_rnn_backward"]}

    def two_mistakes(dh, x, h0, h, Wx, Wh):
        dx, _, dWx, dWh, _ = _rnn_backward(dh, x, h0, h, Wx, Wh)
        _, dh0, _, _, _ = by_key["bptt_dh0_dropped"].answer(dh, x, h0, h, Wx, Wh)
        db = by_key["bptt_db_averaged"].answer(dh, x, h0, h, Wx, Wh)[4]
        return dx, dh0, dWx, dWh, db

    with pytest.raises(AssertionError) as excinfo:
        check_rnn_backward(two_mistakes)
    assert by_key["bptt_dh0_dropped"].says in first_line(excinfo)
    assert by_key["bptt_db_averaged"].says in str(excinfo.value)


# -- bad learner output ----------------------------------------------------------------------------


def _nan_in_last(result):
    out = list(result)
    out[-1] = np.asarray(out[-1]) * np.nan
    return tuple(out) if isinstance(result, tuple) else out


@pytest.mark.parametrize("name", NAMES)
def test_none_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: None)
    assert "returned None (is a `return` missing?)" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_length_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda *args: list(right(*args))[:-1])
    assert "of length" in first_line(excinfo) and "expected a tuple of" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_an_item_of_wrong_shape_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]

    def wrong_shape(*args):
        out = list(right(*args))
        out[-1] = np.zeros(7)
        return tuple(out)

    with pytest.raises(AssertionError) as excinfo:
        checker(wrong_shape)
    assert "expected an array of shape" in first_line(excinfo)
    assert "got an array of shape (7,)" in first_line(excinfo)


def test_an_item_that_is_none_is_named():
    def no_dh0(dh, x, h0, h, Wx, Wh):
        dx, _, dWx, dWh, db = _rnn_backward(dh, x, h0, h, Wx, Wh)
        return dx, None, dWx, dWh, db

    with pytest.raises(AssertionError) as excinfo:
        check_rnn_backward(no_dh0)
    assert first_line(excinfo) == "check_rnn_backward: dh0 is None"


@pytest.mark.parametrize("name", NAMES)
def test_nan_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda *args: _nan_in_last(right(*args)))
    assert "contains NaN or infinity" in first_line(excinfo)


def test_clipping_in_place_is_caught():
    def clip_in_place(grads, max_norm):
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        if total > max_norm:
            for g in grads:
                g *= max_norm / total
        return grads

    with pytest.raises(AssertionError) as excinfo:
        check_clip_grad_norm(clip_in_place)
    assert first_line(excinfo).startswith(
        "check_clip_grad_norm: your clip_in_place changed its input `grads[0]` in place"
    )


@pytest.mark.parametrize("name", ["check_rnn_step_backward", "check_rnn_backward"])
def test_rnn_input_changed_in_place_is_caught(name):
    checker, right, _ = RIGHT[name]

    def squashing(dh, x, *rest):
        out = right(dh, x, *rest)
        dh *= 0.5  # e.g. reusing the upstream gradient array as scratch space
        return out

    with pytest.raises(AssertionError) as excinfo:
        checker(squashing)
    assert "changed its input `" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_a_crash_in_the_learners_code_is_reported_and_chained(name):
    def crashing(*args):
        return np.zeros((2, 3)) @ np.zeros((4, 5))

    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](crashing)
    assert first_line(excinfo).startswith(f"{name}: your crashing raised ValueError: ")
    assert isinstance(excinfo.value.__cause__, ValueError)


@pytest.mark.parametrize("name", NAMES)
def test_not_implemented_passes_through_unchanged(name):
    err = NotImplementedError("finish me")

    def unfinished(*args):
        raise err

    with pytest.raises(NotImplementedError) as excinfo:
        RIGHT[name][0](unfinished)
    assert excinfo.value is err


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "weird",
    [object(), "dx", 3.0, np.zeros(5), [None] * 5, (1, 2, 3, 4, 5), {"dx": 1}, [[1], [2, 3]]],
    ids=lambda w: type(w).__name__,
)
def test_no_output_crashes_the_checker(name, weird):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: weird)
    assert first_line(excinfo).startswith(f"{name}: ")
