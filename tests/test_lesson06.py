"""Lesson 06's checkers (rnnlib.course.lesson06): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below, which do not use
rnnlib's backward passes: the RNN gradients are finite differences of a forward pass written in
this file (the bias, which the learner's function does not receive, is recovered from the given
states as b = artanh(h) − x Wx − h_prev Wh)."""

import numpy as np
import pytest
from checks_support import (
    assert_right_or_slip_named,
    assert_slip_named,
    first_line,
    mistake,
    refusal,
)

from rnnlib import numerical_gradient, rel_error
from rnnlib.checks import check_answer
from rnnlib.course import lesson06 as L
from rnnlib.course.lesson06 import (
    FIGURES,
    FLOOR,
    SHOWN,
    hidden_trajectories,
    power_norms,
    trajectory_weights,
)


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


def _stacked_forward(x, Wx1, Wh1, b1, Wx2, Wh2, b2):
    h1 = _seq_forward(x, np.zeros((x.shape[0], Wh1.shape[0])), Wx1, Wh1, b1)
    return _seq_forward(h1, np.zeros((x.shape[0], Wh2.shape[0])), Wx2, Wh2, b2)


def _stacked_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
    # both layers start from zero states, so the biases are recovered from the first step
    b1 = np.arctanh(h1[0, 0]) - x[0, 0] @ Wx1
    b2 = np.arctanh(h2[0, 0]) - h1[0, 0] @ Wx2
    dx, dWx1, dWh1, _, dWx2, dWh2, _ = _fd_grads(
        _stacked_forward, dh2, [x, Wx1, Wh1, b1, Wx2, Wh2, b2]
    )
    return dx, dWx1, dWh1, dWx2, dWh2


RIGHT = {
    "check_rnn_step_backward": (_step_backward, 4),
    "check_rnn_backward": (_rnn_backward, 4),
    "check_stacked_rnn_backward": (_stacked_backward, 4),
}

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
    "check_stacked_rnn_backward": {  # the transfer task: at least three plausible slips
        "stacked_nothing_passed_down",
        "stacked_only_last_step_down",
        "stacked_dh2_passed_down",
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


def _bptt_loop(carry_skips_tanh_prime=False, averaged=False, forward=False):
    """A learner's backward loop with one slip: the carry taken before tanh′ (carry = g Wh^T),
    the weight gradients divided by N, or the steps walked forwards (t = 1..T, each step fed
    what the step before it carried)."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, H = dh.shape
        dx, dWx, dWh, db = np.zeros(x.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(H)
        carry = np.zeros((N, H))
        for t in range(T) if forward else reversed(range(T)):
            g = dh[:, t] + carry
            da = g * (1 - h[:, t] ** 2)
            dx[:, t] = da @ Wx.T
            dWx, dWh, db = (
                dWx + x[:, t].T @ da,
                dWh + (h[:, t - 1] if t else h0).T @ da,
                db + da.sum(0),
            )
            carry = (g if carry_skips_tanh_prime else da) @ Wh.T
        if averaged:
            dWx, dWh, db = dWx / N, dWh / N, db / N
        return dx, carry, dWx, dWh, db

    return rnn_backward


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (_bptt_loop(carry_skips_tanh_prime=True), "bptt_carry_skips_tanh_prime"),
        (_bptt_loop(averaged=True), "bptt_weights_averaged"),
        (_bptt_loop(forward=True), "bptt_forward_order"),
    ],
    ids=["carry = g Wh^T", "averaged over N", "t = 1..T"],
)
def test_the_learner_probes_bptt_slips_are_named(answer, key):
    """The carry that skips tanh′ was named only for dh0 (as the missing tanh′ of every step);
    the weight gradients divided by N, and a loop walking t = 1..T, were not named at all (the
    last got only 'dx is wrong')."""
    first = refusal(L.check_rnn_backward, answer)
    assert mistake(L.check_rnn_backward, key).says in first
    assert " — or — " not in first


def test_an_item_that_is_none_is_named():
    def no_dh0(dh, x, h0, h, Wx, Wh):
        dx, _, dWx, dWh, db = _rnn_backward(dh, x, h0, h, Wx, Wh)
        return dx, None, dWx, dWh, db

    assert refusal(L.check_rnn_backward, no_dh0) == "check_rnn_backward: dh0 is None"


def test_nan_in_one_item_names_that_item():
    def nan_db(dh, x, h0, h, Wx, Wh):
        dx, dh0, dWx, dWh, db = _rnn_backward(dh, x, h0, h, Wx, Wh)
        return dx, dh0, dWx, dWh, db * np.nan

    first = refusal(L.check_rnn_backward, nan_db)
    assert first == "check_rnn_backward: db contains NaN or infinity"


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_rnn_input_changed_in_place_is_caught(checker):
    right, _ = RIGHT[checker.name]

    def squashing(dh, x, *rest):
        out = right(dh, x, *rest)
        dh *= 0.5  # e.g. reusing the upstream gradient array as scratch space
        return out

    assert "changed its input `" in refusal(checker, squashing)


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_a_crash_inside_numpy_is_reported_and_chained(checker):
    def crashing(*args):
        return np.zeros((2, 3)) @ np.zeros((4, 5))

    with pytest.raises(AssertionError) as excinfo:
        checker(crashing)
    # (2, 3) @ (4, 5): the inner sizes 3 and 4 differ, which the checker names
    assert first_line(excinfo).startswith(f"{checker.name}: a matrix product's inner sizes differ")
    assert "raised:   ValueError: matmul: Input operand 1 has a mismatch" in str(excinfo.value)
    assert isinstance(excinfo.value.__cause__, ValueError)


# -- valid answers written another way pass (at least three per checker) -------------------------


def _step_einsum(dh_next, x, h_prev, h_next, Wx, Wh):
    da = dh_next * (1 - h_next * h_next)
    return (
        np.einsum("nh,dh->nd", da, Wx),
        np.einsum("nj,kj->nk", da, Wh),
        np.einsum("nd,nh->dh", x, da),
        np.einsum("nk,nh->kh", h_prev, da),
        np.einsum("nh->h", da),
    )


def _step_per_example(dh_next, x, h_prev, h_next, Wx, Wh):
    """A loop over the batch, each sequence's outer products added up; returns a list."""
    out = [np.zeros(x.shape), np.zeros(h_prev.shape), 0.0, 0.0, 0.0]
    for n in range(x.shape[0]):
        da = dh_next[n] * (1 - np.tanh(np.arctanh(h_next[n])) ** 2)
        out[0][n], out[1][n] = Wx @ da, Wh @ da
        out[2] = out[2] + np.outer(x[n], da)
        out[3] = out[3] + np.outer(h_prev[n], da)
        out[4] = out[4] + da
    return out


def _step_factored(dh_next, x, h_prev, h_next, Wx, Wh):
    """(1 − h)(1 + h) for 1 − h², transposes of transposes, and a list."""
    da = dh_next * (1 - h_next) * (1 + h_next)
    return [(Wx @ da.T).T, (Wh @ da.T).T, (da.T @ x).T, (da.T @ h_prev).T, np.ones(len(x)) @ da]


def _bptt_recursive(dh, x, h0, h, Wx, Wh):
    """Recursion over t instead of a loop: back(t, g) handles steps t, t-1, ..., 1."""
    T = x.shape[1]
    dx = np.zeros(x.shape)

    def back(t, g):
        if t < 0:
            return g, 0.0, 0.0, 0.0
        da = (g + dh[:, t]) * (1 - h[:, t] ** 2)
        h_prev = h[:, t - 1] if t else h0
        dx[:, t] = da @ Wx.T
        dh0, dWx, dWh, db = back(t - 1, da @ Wh.T)
        return dh0, dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(0)

    dh0, dWx, dWh, db = back(T - 1, np.zeros_like(h0))
    return dx, dh0, dWx, dWh, db


def _bptt_per_loss_term(dh, x, h0, h, Wx, Wh):
    """Another loop order: each loss term dh_t carried back on its own, t = 1..T, summed."""
    T = x.shape[1]
    hs = [h0] + [h[:, t] for t in range(T)]
    dx, dh0 = np.zeros(x.shape), np.zeros(h0.shape)
    dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(Wh.shape[0])
    for t in range(1, T + 1):
        g = dh[:, t - 1]
        for s in range(t, 0, -1):
            da = g * (1 - hs[s] ** 2)
            dx[:, s - 1] += da @ Wx.T
            dWx, dWh, db = dWx + x[:, s - 1].T @ da, dWh + hs[s - 1].T @ da, db + da.sum(0)
            g = da @ Wh.T
        dh0 += g
    return dx, dh0, dWx, dWh, db


def _bptt_batched_einsum(dh, x, h0, h, Wx, Wh):
    da, g = np.zeros(h.shape), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        da[:, t] = (dh[:, t] + g) * (1 - h[:, t] ** 2)
        g = da[:, t] @ Wh.T
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    dWx, dWh = np.einsum("ntd,nth->dh", x, da), np.einsum("ntk,nth->kh", h_prev, da)
    return [da @ Wx.T, g, dWx, dWh, da.sum(axis=(0, 1))]


def _stacked_by_composition(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
    """rnn_backward twice (the batched form above), layer 2 first."""
    N = x.shape[0]
    dh1, _, dWx2, dWh2, _ = _bptt_batched_einsum(dh2, h1, np.zeros((N, Wh2.shape[0])), h2, Wx2, Wh2)
    dx, _, dWx1, dWh1, _ = _bptt_batched_einsum(dh1, x, np.zeros((N, Wh1.shape[0])), h1, Wx1, Wh1)
    return dx, dWx1, dWh1, dWx2, dWh2


def _stacked_one_loop(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
    """Another loop order: both layers in one backward loop over t (layer 2, then layer 1)."""
    N, T, _ = x.shape
    g1, g2 = np.zeros((N, Wh1.shape[0])), np.zeros((N, Wh2.shape[0]))
    dx = np.zeros(x.shape)
    grads = [np.zeros(Wx1.shape), np.zeros(Wh1.shape), np.zeros(Wx2.shape), np.zeros(Wh2.shape)]
    for t in range(T - 1, -1, -1):
        da2 = (dh2[:, t] + g2) * (1 - h2[:, t] ** 2)
        da1 = (da2 @ Wx2.T + g1) * (1 - h1[:, t] ** 2)
        p1 = h1[:, t - 1] if t else np.zeros_like(g1)
        p2 = h2[:, t - 1] if t else np.zeros_like(g2)
        for i, (a, b) in enumerate(((x[:, t], da1), (p1, da1), (h1[:, t], da2), (p2, da2))):
            grads[i] += a.T @ b
        dx[:, t], g1, g2 = da1 @ Wx1.T, da1 @ Wh1.T, da2 @ Wh2.T
    return (dx, *grads)


def _stacked_list_of_fd(*args):
    return list(_stacked_backward(*args))


ALTERNATIVES = (
    [(L.check_rnn_step_backward, f) for f in (_step_einsum, _step_per_example, _step_factored)]
    + [
        (L.check_rnn_backward, f)
        for f in (_bptt_recursive, _bptt_per_loss_term, _bptt_batched_einsum)
    ]
    + [
        (L.check_stacked_rnn_backward, f)
        for f in (_stacked_by_composition, _stacked_one_loop, _stacked_list_of_fd)
    ]
)


@pytest.mark.parametrize(
    ("checker", "answer"), ALTERNATIVES, ids=[f"{c.name}-{f.__name__}" for c, f in ALTERNATIVES]
)
def test_a_valid_answer_written_another_way_passes(checker, answer, capsys):
    checker(answer)
    assert "cases passed ✓" in capsys.readouterr().out


def test_stacked_reference_is_rnn_backward_twice_and_finite_differences():
    """The checker's reference (rnnlib's rnn_backward, composed) against this file's finite
    differences of a stacked forward pass written here."""
    for case in L.stacked_rnn_backward_cases():
        fd = _stacked_backward(*case.args.values())
        for name, a, b in zip(
            ("dx", "dWx1", "dWh1", "dWx2", "dWh2"), case.expected, fd, strict=True
        ):
            assert rel_error(a, b) < 1e-7, (case.label, name)


_NOTEBOOK = """
def rnn_backward(dh, x, h0, h, Wx, Wh):
    N, T, D = x.shape
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    carry = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        h_prev = h[:, t - 1] if t > 0 else h0
        da = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
        dx[:, t], carry = da @ Wx.T, da @ Wh.T
        dWx, db = dWx + x[:, t].T @ da, db + da.sum(axis=0)
        dWh = OVERWRITE
    return dx, carry, dWx, dWh, db


def stacked_rnn_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
    zeros1, zeros2 = np.zeros_like(h1[:, 0]), np.zeros_like(h2[:, 0])
    dh1, _, dWx2, dWh2, _ = rnn_backward(dh2, h1, zeros2, h2, Wx2, Wh2)
    dx, _, dWx1, dWh1, _ = rnn_backward(dh1, x, zeros1, h1, Wx1, Wh1)
    return dx, dWx1, dWh1, dWx2, dWh2
"""


def _notebook(overwrite):
    """The learner's notebook: an rnn_backward whose dWh is ``overwrite`` (``dWh + ...`` is
    right, ``...`` alone keeps the last share) and a right stacked_rnn_backward calling it."""
    names = {"np": np}
    exec(_NOTEBOOK.replace("OVERWRITE", overwrite), names)
    return names


def test_a_stacked_answer_over_a_wrong_rnn_backward_blames_the_rnn_backward():
    """A right stack over an rnn_backward that overwrites dWh (dWh = ... for +=): from a zero
    state the share that survives, h_0^T da_1, is 0, so dWh1 = dWh2 = 0, and 'layer 1 got no
    gradient' was said though dx and dWx1 are right. Now the helper is named first."""
    wrong = _notebook("h_prev.T @ da")
    with pytest.raises(AssertionError) as excinfo:
        L.check_rnn_backward(wrong["rnn_backward"])
    overwritten = mistake(L.check_rnn_backward, "bptt_weights_overwritten").says
    assert overwritten in first_line(excinfo)
    with pytest.raises(AssertionError) as excinfo:
        L.check_stacked_rnn_backward(wrong["stacked_rnn_backward"])
    text = str(excinfo.value)
    assert first_line(excinfo) == (
        "check_stacked_rnn_backward: your stacked_rnn_backward calls your rnn_backward, which "
        "fails check_rnn_backward: make that pass first"
    )
    assert overwritten in text.splitlines()[1]
    assert "dWh1, dWh2 are wrong" in text.splitlines()[2]
    assert mistake(L.check_stacked_rnn_backward, "stacked_nothing_passed_down").says not in text


def test_a_right_rnn_backward_under_a_wrong_stack_is_not_blamed():
    names = _notebook("dWh + h_prev.T @ da")
    L.check_stacked_rnn_backward(names["stacked_rnn_backward"])  # right: passes
    exec(
        "def stacked_rnn_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):\n"
        "    zeros1, zeros2 = np.zeros_like(h1[:, 0]), np.zeros_like(h2[:, 0])\n"
        "    _, _, dWx2, dWh2, _ = rnn_backward(dh2, h1, zeros2, h2, Wx2, Wh2)\n"
        "    dx, _, dWx1, dWh1, _ = rnn_backward(np.zeros_like(h1), x, zeros1, h1, Wx1, Wh1)\n"
        "    return dx, dWx1, dWh1, dWx2, dWh2\n",
        names,
    )
    with pytest.raises(AssertionError) as excinfo:
        L.check_stacked_rnn_backward(names["stacked_rnn_backward"])
    says = mistake(L.check_stacked_rnn_backward, "stacked_nothing_passed_down").says
    assert says in first_line(excinfo)  # all of layer 1 is zero: nothing was passed down
    assert "your rnn_backward" not in str(excinfo.value)


def test_only_dWh1_of_zeros_is_not_called_nothing_passed_down():
    """dx and dWx1 right, dWh1 = 0: something was passed down; 'no gradient' would mislead."""

    def zero_dWh1(*args):
        dx, dWx1, dWh1, dWx2, dWh2 = _stacked_backward(*args)
        return dx, dWx1, np.zeros_like(dWh1), dWx2, dWh2

    first = refusal(L.check_stacked_rnn_backward, zero_dWh1)
    assert first == "check_stacked_rnn_backward: dWh1 is wrong"


def _step_recomputing_tanh(dh_next, x, h_prev, h_next, Wx, Wh):
    """tanh′ from a recomputed pre-activation: b is not passed in, so it is left out."""
    da = dh_next * (1 - np.tanh(x @ Wx + h_prev @ Wh) ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def _bptt_recomputing_tanh(dh, x, h0, h, Wx, Wh):
    dx, carry = np.zeros(x.shape), np.zeros_like(h0)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    for t in range(x.shape[1] - 1, -1, -1):
        h_prev = h[:, t - 1] if t else h0
        dx[:, t], carry, gx, gh, gb = _step_recomputing_tanh(
            dh[:, t] + carry, x[:, t], h_prev, h[:, t], Wx, Wh
        )
        dWx, dWh, db = dWx + gx, dWh + gh, db + gb
    return dx, carry, dWx, dWh, db


@pytest.mark.parametrize(
    ("checker", "answer"),
    [
        (L.check_rnn_step_backward, _step_recomputing_tanh),
        (L.check_rnn_backward, _bptt_recomputing_tanh),
    ],
    ids=["step", "sequence"],
)
def test_a_tanh_recomputed_without_b_is_named(checker, answer):
    """b is not an argument, so tanh(x Wx + h_prev Wh) lacks it: every item was only 'wrong'."""
    line = refusal(checker, answer)
    assert "which lacks b (it is not passed in)" in line and "1 − h" in line
    assert "are wrong" not in line


def test_stacked_cases_separate_layers_and_sizes():
    shapes = [
        (c.args["x"].shape, c.args["h1"].shape[2], c.args["h2"].shape[2])
        for c in L.stacked_rnn_backward_cases()
    ]
    (N, T, D), H1, H2 = shapes[0]
    assert D == H1 == H2  # the square case: every catalogued slip computes and is named
    assert all(len({D, H1, H2}) == 3 for (_, _, D), H1, H2 in shapes[1:])
    assert {s[0][0] == 1 for s in shapes} == {True, False}
    assert {s[0][1] == 1 for s in shapes} == {True, False}


NUMERIC = [q for q in L.QUESTIONS if q.choices is None]


@pytest.mark.parametrize("question", NUMERIC, ids=lambda q: q.key)
def test_every_known_wrong_number_is_rejected_with_its_reason(question):
    for wrong, said in question.why.items():
        with pytest.raises(AssertionError) as excinfo:
            question(wrong)
        assert str(excinfo.value).endswith(said), (question.key, wrong)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (32.768, "that is float32"),  # 32·1000·256·4 = 32 768 000 bytes
        (65_536_000, "that is in bytes"),  # 32·1000·256·8
        (8.192, "that counts numbers (in millions)"),  # 32·1000·256 = 8 192 000 numbers
        (62.5, "that is in MiB"),  # 65 536 000 / 1 048 576
        (0.065536, "that is one step's states"),  # 32·256·8 = 65 536 bytes
    ],
)
def test_memory_names_each_near_miss_worked_out_by_hand(given, said):
    with pytest.raises(AssertionError) as excinfo:
        check_answer("06.memory_mb", given)
    assert "is not right: " + said in str(excinfo.value)


def test_the_checkpoint_length_is_a_whole_number_exactly():
    """k = 20 (⌈400/20⌉ + 20 = 40 states); 20.02 is no segment length (atol 0.01, rtol 0)."""
    check_answer("06.checkpoint_k", 20)
    with pytest.raises(AssertionError):
        check_answer("06.checkpoint_k", 20.02)


def test_memory_counts_t_states_not_t_plus_one():
    """32·1001·256·8 bytes (h_0 counted too) was accepted: rtol 1e-3 is exactly 1/T off."""
    q = {x.key: x for x in L.QUESTIONS}["06.memory_mb"]
    for right in (65.536, 65.5, 65.54):
        q(right)
    for wrong in (32 * 1001 * 256 * 8 / 1e6, 65.6):
        with pytest.raises(AssertionError, match="counts T [+] 1 = 1001 states"):
            q(wrong)


def test_the_exercises_gradient_check_cell_leaks_no_sizes():
    """An answer that forgot to set N, T, D or H must meet a NameError, not a global of the
    same name left by a helper cell (issue 12)."""
    import ast
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "solutions/06_vectorised_bptt.ipynb", 4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        src = "\n".join(ln for ln in cell.source.splitlines() if not ln.startswith(("%", "!")))
        for node in ast.parse(src).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            assert not names & {"N", "T", "D", "H"}, ast.unparse(node)


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 06's sliders: hidden size and weight scale. The states are checked against the
# recurrence written here with np.tanh, the spectral radius against numpy's eigenvalues, the
# drawn lines against the states, and the decay rate against ρ(W_h).


@pytest.fixture(scope="module")
def ex():
    return hidden_trajectories()  # one figure for the module: every test sets the sliders it needs


def states_by_hand(H, scale):
    x, h0, Wx, Wh, b = trajectory_weights(H, scale)
    h, out = h0[0], []
    for t in range(x.shape[1]):
        h = np.tanh(x[0, t] @ Wx + h @ Wh + b)
        out.append(h)
    return np.array(out), Wh


@pytest.mark.parametrize(("H", "scale"), [(16, 0.9), (2, 0.1), (64, 1.5), (8, 2.4), (33, 1.0)])
def test_sliders_move_the_states_and_the_lines(ex, H, scale):
    s = ex.step(H=H, scale=scale)
    want, Wh = states_by_hand(H, scale)
    # ρ > 1 is chaotic: rounding differences grow, hence 1e-9
    np.testing.assert_allclose(s["h"], want, rtol=1e-9, atol=1e-9)
    assert s["spectral_radius"] == pytest.approx(np.max(np.abs(np.linalg.eigvals(Wh))), rel=1e-9)
    assert s["spectral_radius"] == pytest.approx(scale, rel=1e-9)  # the slider is ρ(W_h)
    rms = np.sqrt(np.mean(want**2, axis=1))
    np.testing.assert_allclose(s["rms"], rms, rtol=1e-12)
    assert s["rms_end"] == pytest.approx(rms[-1], rel=1e-12, abs=1e-300)
    assert s["saturated_fraction"] == pytest.approx(np.mean(np.abs(want[10:]) > 0.95))
    ax, ax2 = ex.fig.axes
    lines = ax.lines[:SHOWN]
    for j, line in enumerate(lines):
        if j < H:
            np.testing.assert_allclose(line.get_ydata(), want[:, j])
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 61))
        else:
            assert len(line.get_ydata()) == 0
    assert_on_the_log_curve(ax2.lines[0], np.arange(1, 61), rms, FLOOR, 3.0)
    assert f"ρ(Wh) = {scale:.2f}" in ex.readout()


def assert_on_the_log_curve(line, t, y, lo, hi):
    """The line draws the geometric interpolation of (t, y) inside lo <= y <= hi and nothing
    else: each vertex is on that curve and inside the band (a value below the axis leaves it, it
    is not drawn on the frame as if it were lo), and every point inside the band is a vertex."""
    x, v = (np.asarray(a, float) for a in line.get_data())
    ok = np.isfinite(x)
    assert np.array_equal(ok, np.isfinite(v))
    assert np.all((v[ok] >= lo * (1 - 1e-12)) & (v[ok] <= hi * (1 + 1e-12)))
    want = np.exp(np.interp(x[ok], t, np.log(y)))  # log-linear between the points
    np.testing.assert_allclose(v[ok], want, rtol=1e-9)
    assert set(t[(y >= lo) & (y <= hi)]) <= set(x[ok])


def test_activity_below_the_axis_leaves_it_instead_of_lying_on_its_floor(ex):
    s = ex.step(H=2, scale=0.1)
    want, _ = states_by_hand(2, 0.1)
    rms = np.sqrt(np.mean(want**2, axis=1))
    assert rms[-1] < 1e-40  # ρ = 0.1 for 50 silent steps: far below the axis' 1e-6
    np.testing.assert_allclose(s["rms"], rms, rtol=1e-12)
    line = ex.fig.axes[1].lines[0]
    assert_on_the_log_curve(line, np.arange(1, 61), rms, FLOOR, 3.0)
    assert np.nanmax(line.get_xdata()) < 20  # it leaves the chart within a few steps


@pytest.mark.parametrize(("H", "rho"), [(16, 0.5), (64, 0.7), (32, 0.9), (4, 0.3)])
def test_activity_decays_at_the_spectral_radius_once_inputs_stop(ex, H, rho):
    """Small states: tanh(a) ≈ a, so h_t ≈ h_(t−1) W_h and the activity shrinks by ρ a step."""
    s = ex.step(H=H, scale=rho)
    tail = s["rms"][30:]
    rate = np.exp(np.polyfit(np.arange(tail.size), np.log(tail), 1)[0])
    assert rate == pytest.approx(rho, rel=0.02)


def test_above_one_the_activity_sustains_itself(ex):
    for H in (16, 64):
        s = ex.step(H=H, scale=1.5)
        assert s["rms"][-20:].min() > 0.1


def test_the_activity_axis_names_its_quantity_inside_the_figure(ex):
    """The right panel's log axis had no label (the left one says h_t[j]): what its numbers
    measure was only in the legend. The label is drawn inside the figure, clear of the left
    panel."""
    ex.step(H=16, scale=0.9)
    ex.png()
    ax, ax2 = ex.fig.axes
    assert "rms of h_t" in ax2.get_ylabel()
    renderer = ex.fig.canvas.get_renderer()
    box = ax2.yaxis.label.get_window_extent(renderer)
    assert ex.fig.bbox.contains(box.x0, box.y0) and ex.fig.bbox.contains(box.x1, box.y1)
    assert not box.overlaps(ax.get_tightbbox(renderer))


def test_the_picture_changes_with_each_slider(ex):
    ex.step(H=16, scale=0.9)
    a = ex.png()
    ex.step(H=40)
    b = ex.png()
    ex.step(scale=1.8)
    c = ex.png()
    assert a != b and b != c


def test_bad_input_and_figures():
    with pytest.raises(ValueError, match=r"^H: expected an integer hidden size in 1..64, got 65"):
        trajectory_weights(65, 1.0)
    with pytest.raises(ValueError, match=r"^scale: expected a finite number, got nan"):
        trajectory_weights(4, float("nan"))
    assert hidden_trajectories in FIGURES


@pytest.mark.parametrize(
    ("call", "match"),
    [
        # np.isfinite(None) was numpy's "ufunc 'isfinite' not supported for the input types"
        (
            lambda: trajectory_weights(4, None),
            r"^scale: expected a real number \(a scalar\), got None",
        ),
        (
            lambda: trajectory_weights(4, "0.9"),
            r"^scale: expected a real number \(a scalar\), got str",
        ),
        (lambda: trajectory_weights(4, -0.5), r"^scale: expected a number >= 0, got -0.5"),
        # np.random.default_rng's "expected non-negative integer" named no argument
        (lambda: trajectory_weights(4, 0.9, seed=-1), r"^seed: expected an integer >= 0, got -1"),
        (lambda: trajectory_weights(4, 0.9, seed=1.5), r"^seed: expected an integer >= 0"),
        # power_norms_of checked nothing: len(None), "SVD did not converge", matmul's message
        (lambda: L.power_norms_of(None), r"^Wh: expected an array of real numbers, got None"),
        (lambda: L.power_norms_of(np.ones((2, 3))), r"^Wh: expected a square array .* \(2, 3\)"),
        (lambda: L.power_norms_of(np.full((2, 2), np.nan)), r"^Wh: expected finite values"),
        (lambda: L.power_norms_of(np.eye(2), 2.0), r"^d_max: expected an integer >= 1, got 2.0"),
    ],
)
def test_the_notebooks_helpers_name_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# Lesson 06's second slider figure: ‖Wh^d‖₂ against d. The norms are checked against
# numpy's matrix_power and SVD, the spectral radius against the eigenvalues, a normal matrix's
# norms against ρ^d exactly, and the drawn points against the state.


@pytest.fixture(scope="module")
def powers():
    return L.power_norms()


@pytest.mark.parametrize(("H", "scale"), [(64, 0.9), (2, 0.1), (16, 1.3), (64, 2.5), (33, 1.0)])
def test_power_norms_are_the_singular_values_of_the_powers(powers, H, scale):
    s = powers.step(H=H, scale=scale)
    Wh = trajectory_weights(H, scale)[3]
    want = [np.linalg.svd(np.linalg.matrix_power(Wh, d), compute_uv=False)[0] for d in (1, 5, 30)]
    np.testing.assert_allclose(s["norms"][[0, 4, 29]], want, rtol=1e-9)
    assert s["rho"] == pytest.approx(np.max(np.abs(np.linalg.eigvals(Wh))), rel=1e-9)
    assert s["norm"] == pytest.approx(np.linalg.norm(Wh, 2), rel=1e-12)
    # ρ^d ≤ ‖Wh^d‖ ≤ ‖Wh‖^d at every d
    d = np.arange(1, L.D_MAX + 1)
    assert np.all(s["rho"] ** d <= s["norms"] * (1 + 1e-9))
    assert np.all(s["norms"] <= s["norm"] ** d * (1 + 1e-9))
    line = powers.fig.axes[0].lines[2]  # after the axhline at 1 and the bound line
    y = line.get_ydata()
    inside = (s["norms"] >= L.BAND[0]) & (s["norms"] <= L.BAND[1])
    np.testing.assert_allclose(y[np.isin(y, s["norms"])], s["norms"][inside])
    # a marker on every d inside the chart and nowhere else (not on a crossing of its edge)
    x, every = line.get_xdata(), line.get_markevery()
    marked = x[np.isfinite(x)] if every is None else x[every]
    np.testing.assert_array_equal(np.sort(marked), d[inside])


def test_transient_growth_at_the_default_and_the_gelfand_limit(powers):
    s = powers.step(H=64, scale=0.9)
    assert s["norm"] > 1.8 and s["peak"] > 2.3 and s["peak_d"] == 4  # growth although ρ < 1
    Wh = trajectory_weights(64, 0.9)[3]
    root = [np.linalg.norm(np.linalg.matrix_power(Wh, d), 2) ** (1 / d) for d in (10, 100, 1000)]
    assert root[0] > root[1] > root[2] and root[2] == pytest.approx(0.9, abs=0.002)


def test_a_normal_matrix_has_norms_rho_to_the_d():
    rng = np.random.default_rng(4)
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    S = Q @ np.diag([0.8, -0.7, 0.5, 0.3, -0.2, 0.1]) @ Q.T
    np.testing.assert_allclose(L.power_norms_of(S, 20), 0.8 ** np.arange(1, 21), rtol=1e-10)


def test_power_figure_changes_with_each_slider(powers):
    powers.step(H=64, scale=0.9)
    a = powers.png()
    powers.step(H=8)
    b = powers.png()
    powers.step(scale=1.6)
    assert a != b != powers.png()
    assert L.power_norms in FIGURES  # (update times: make bench, benchmarks/sliders.py)


def test_the_optional_batched_task_says_its_check_sees_the_numbers_only():
    """'without a loop' cannot be checked (any loop gives the same numbers): the prompt says the
    checker does not check it, rather than let a learner believe it did."""
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "exercises/06_vectorised_bptt.ipynb", 4)
    (cell,) = [c for c in nb.cells if c.get("id") == "x06-c11"]
    text = " ".join(cell.source.split())
    assert "It checks the numbers only, not that the products stand outside the loop" in text


def test_the_trajectory_title_does_not_promise_more_units_than_are_drawn(ex):
    import re

    for H in (2, 40):
        ex.step(H=H, scale=0.9)
        ax = ex.fig.axes[0]
        drawn = sum(len(line.get_ydata()) > 0 for line in ax.lines[:SHOWN])
        assert drawn == min(H, SHOWN)
        fixed = re.search(r"first (\d+) units", ax.get_title())  # a count that ignores H
        assert fixed is None or int(fixed.group(1)) == drawn, ax.get_title()


def test_factory_arguments_are_checked_by_name():
    # (were numpy's 'could not broadcast ... (10,3) into shape (5,3)', 'zero-size array to
    # reduction operation maximum', and an IndexError)
    with pytest.raises(ValueError, match=r"^burst: expected an integer in 1..T = 1..5, got 10"):
        hidden_trajectories(T=5)
    with pytest.raises(ValueError, match=r"^H: expected .*got 0"):  # (update or slider harness)
        L.power_norms(H=0)
    with pytest.raises(ValueError, match=r"^d_max: expected an integer >= 1, got 0"):
        L.power_norms(d_max=0)
    assert hidden_trajectories(T=5, burst=5).state["h"].shape == (5, 16)  # the edge is allowed


# -- a learner's slips that the catalogue did not name (review of exercise 06) -------------------


def _step_with_slope(slope):
    def rnn_step_backward(dh_next, x, h_prev, h_next, Wx, Wh):
        da = dh_next * slope(h_next)
        return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)

    return rnn_step_backward


def test_one_minus_h_all_squared_is_named():
    first = refusal(L.check_rnn_step_backward, _step_with_slope(lambda h: (1 - h) ** 2))
    assert first.startswith("check_rnn_step_backward: (1 − h_next)² where")


def _batched(dWh_of):
    """The optional task's batched BPTT, dWh formed by ``dWh_of(h_prev, da)`` (rows (n, t))."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, H = dh.shape
        da, carry = np.zeros_like(dh), np.zeros((N, H))
        for t in range(T - 1, -1, -1):
            da[:, t] = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
            carry = da[:, t] @ Wh.T
        h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, H)
        flat = da.reshape(N * T, H)
        dWx = x.reshape(N * T, -1).T @ flat
        return da @ Wx.T, carry, dWx, dWh_of(h_prev, flat), flat.sum(axis=0)

    return rnn_backward


def test_a_transposed_dWh_of_the_whole_sequence_is_named(capsys):
    L.check_rnn_backward(_batched(lambda hp, da: hp.T @ da))
    assert "cases passed" in capsys.readouterr().out
    first = refusal(L.check_rnn_backward, _batched(lambda hp, da: da.T @ hp))
    assert first.startswith("check_rnn_backward: dWh is transposed")


def _layer(dh, inp, h, Wx, Wh):
    """One layer's BPTT from a zero state, written here: (d input, dWx, dWh)."""
    N, T, H = dh.shape
    dinp, dWx, dWh, carry = np.zeros(inp.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), 0.0
    for t in range(T - 1, -1, -1):
        da = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
        dinp[:, t] = da @ Wx.T
        dWx += inp[:, t].T @ da
        dWh += (h[:, t - 1] if t else np.zeros((N, H))).T @ da
        carry = da @ Wh.T
    return dinp, dWx, dWh


def test_layer_ones_tanh_prime_applied_twice_is_named():
    def stacked(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
        dh1, dWx2, dWh2 = _layer(dh2, h1, h2, Wx2, Wh2)
        dx, dWx1, dWh1 = _layer(dh1 * (1 - h1**2), x, h1, Wx1, Wh1)  # tanh′ of layer 1, again
        return dx, dWx1, dWh1, dWx2, dWh2

    first = refusal(L.check_stacked_rnn_backward, stacked)
    assert first.startswith("check_stacked_rnn_backward: layer 1's tanh′ counted")


@pytest.mark.parametrize("factory", [hidden_trajectories, power_norms])
def test_a_hidden_size_that_is_not_whole_is_refused_not_rounded(factory):
    # ex.set(H=1.5) drew H = 1 (int() truncates) and the readout said H = 1 without a word
    ex = factory()
    for bad in (1.5, 16.2, float("nan"), "16", True):
        with pytest.raises(ValueError, match=r"^H: expected an integer hidden size in 1\.\.64"):
            ex.set(H=bad)
    assert ex.set(H=16.0)["H"] == 16 == ex.set(H=np.int64(16))["H"]


# -- slips found by working the exercise as a learner (ex-b review) -------------------------------
# Each wrong answer is written here as a learner writes it (plain loops, its own indices), not
# through the catalogue's implementation; before the review each got only "... are wrong".


def _learner_bptt(
    order=None, tanh_prime=None, per_step_weights=1.0, reverse_dx=False, h0_as_zeros=False
):
    """A learner's rnn_backward: ``order(T)`` the 0-based steps it visits, ``tanh_prime(x_t,
    h_prev, h_t, Wx, Wh)`` its slope, the weight gradients multiplied by ``per_step_weights``, and
    dx built as a list appended in loop order (reversed back unless ``reverse_dx``); zeros for the
    state before step 0 if ``h0_as_zeros``."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, D = x.shape
        dxs, carry = [], np.zeros_like(h0)
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
        steps = list(range(T - 1, -1, -1) if order is None else order(T))
        for t in steps:
            h_prev = h[:, t - 1] if t > 0 else (np.zeros_like(h0) if h0_as_zeros else h0)
            slope = 1 - h[:, t] ** 2 if tanh_prime is None else tanh_prime(x[:, t], h_prev, Wx, Wh)
            da = (dh[:, t] + carry) * slope
            dxs.append(da @ Wx.T)
            dWx, dWh, db = dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(0)
            carry = da @ Wh.T
        dx = np.zeros((N, T, D))
        for t, dx_t in zip(steps if not reverse_dx else sorted(steps), dxs, strict=True):
            dx[:, t] = dx_t
        return dx, carry, dWx * per_step_weights, dWh * per_step_weights, db * per_step_weights

    return rnn_backward


def _over_T(dh, x, h0, h, Wx, Wh):
    return _learner_bptt(per_step_weights=1 / x.shape[1])(dh, x, h0, h, Wx, Wh)


def _one_minus_a_squared(x_t, h_prev, Wx, Wh):
    a = x_t @ Wx + h_prev @ Wh  # b is not passed in, so the learner's a lacks it
    return 1 - a**2


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_learner_bptt(order=lambda T: range(T - 1, 0, -1)), "step t = 0 (0-based) left out"),
        (_learner_bptt(order=lambda T: range(T - 2, -1, -1)), "the last step was skipped"),
        (_over_T, "weight gradients divided by T"),
        (_learner_bptt(reverse_dx=True), "dx is in reverse time order"),
        (_learner_bptt(tanh_prime=_one_minus_a_squared), "1 − a_t² where 1 − tanh(a_t)²"),
        (_learner_bptt(h0_as_zeros=True), "dWh: zeros where h0 belongs"),
    ],
    ids=[
        "range(T-1, 0, -1)",
        "range(T-2, -1, -1)",
        "dW / T",
        "dx list unreversed",
        "1 - a^2",
        "zeros for h0",
    ],
)
def test_a_learners_loop_slips_are_named(answer, said):
    first = refusal(L.check_rnn_backward, answer)
    assert said in first
    # the slip explains every wrong item: said once, with none left plain "wrong" below
    assert "are wrong" not in first and "is wrong" not in first and "more below)" not in first


def test_a_step_with_one_minus_a_squared_is_named():
    def step(dh_next, x, h_prev, h_next, Wx, Wh):
        da = dh_next * _one_minus_a_squared(x, h_prev, Wx, Wh)
        return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)

    assert "1 − a² where 1 − tanh(a)² belongs" in refusal(L.check_rnn_step_backward, step)


def _layer_from(h0_of):
    """One layer's BPTT by a loop, starting from the state ``h0_of(h)``."""

    def layer(dh, inp, h, Wx, Wh):
        N, T, _ = dh.shape
        dinp, dWx, dWh = np.zeros(inp.shape[:2] + (Wx.shape[0],)), 0 * Wx, 0 * Wh
        carry = np.zeros((N, Wh.shape[0]))
        for t in reversed(range(T)):
            da = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
            h_prev = h[:, t - 1] if t else h0_of(h)
            dinp[:, t], dWx, dWh = da @ Wx.T, dWx + inp[:, t].T @ da, dWh + h_prev.T @ da
            carry = da @ Wh.T
        return dinp, dWx, dWh

    return layer


@pytest.mark.parametrize("which", ["both layers", "layer 1", "layer 2"])
def test_the_first_state_passed_as_h0_is_named(which):
    """rnn_backward(dh, x, h[:, 0], h, ...): h[:, 0] is h_1, not the zero state h_0."""
    zero, first = _layer_from(lambda h: np.zeros_like(h[:, 0])), _layer_from(lambda h: h[:, 0])
    lower = first if which != "layer 2" else zero
    upper = first if which != "layer 1" else zero

    def stacked(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
        dh1, dWx2, dWh2 = upper(dh2, h1, h2, Wx2, Wh2)
        dx, dWx1, dWh1 = lower(dh1, x, h1, Wx1, Wh1)
        return dx, dWx1, dWh1, dWx2, dWh2

    assert "h[:, 0] passed as the initial state" in refusal(L.check_stacked_rnn_backward, stacked)


def test_the_least_count_of_states_is_not_the_k_asked_for():
    q = {x.key: x for x in L.QUESTIONS}["06.checkpoint_k"]
    # ⌈400/k⌉ + k by hand: 40 at k = 20, 41 at k = 19 (22 + 19) and k = 21 (20 + 21)
    assert [-(-400 // k) + k for k in (19, 20, 21)] == [41, 40, 41]
    reasons = {40: "the question asks for the k", 19: "22 [+] 19 = 41", 21: "20 [+] 21 = 41"}
    for wrong, said in reasons.items():
        with pytest.raises(AssertionError, match=said):
            q(wrong)


# -- rare slips that got only "... are wrong" (r67) ------------------------------------------------
# Each written as a learner writes it (0-based loop, its own indices), not through the catalogue.


def _learner_upstream(upstream=None, dWh_state=None):
    """A learner's rnn_backward: ``upstream(dh, t, carry)`` the gradient into h_t (0-based t),
    and ``dWh_state(h, h0, t)`` the state it multiplies into dWh."""
    upstream = upstream or (lambda dh, t, carry: dh[:, t] + carry)
    dWh_state = dWh_state or (lambda h, h0, t: h[:, t - 1] if t > 0 else h0)

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, H = dh.shape
        dx, dWx, dWh, db = np.zeros(x.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(H)
        carry = np.zeros((N, H))
        for t in range(T - 1, -1, -1):
            da = upstream(dh, t, carry) * (1 - h[:, t] ** 2)
            dx[:, t] = da @ Wx.T
            dWx += x[:, t].T @ da
            dWh += dWh_state(h, h0, t).T @ da
            db += da.sum(axis=0)
            carry = da @ Wh.T
        return dx, carry, dWx, dWh, db

    return rnn_backward


def _twice(dh, t, carry):
    carry = carry + dh[:, t]  # the learner added dh_t to the carry ...
    return dh[:, t] + carry  # ... and then again


def _sum_into_last(dh, t, carry):
    return carry + (dh.sum(axis=1) if t == dh.shape[1] - 1 else 0.0)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            _learner_upstream(dWh_state=lambda h, h0, t: h[:, t - 2] if t >= 2 else h0),
            "dWh: h_(t−2) where h_(t−1) belongs (one state too far back)",
        ),
        (
            _learner_upstream(dWh_state=lambda h, h0, t: h[:, t - 2] if t > 0 else h0),
            "dWh: h_(t−2) where h_(t−1) belongs (and h[:, -1], the LAST state, at the second",
        ),
        (
            _learner_upstream(upstream=lambda dh, t, carry: dh.sum(axis=1) + carry),
            "dh summed over time: h_t receives its own dh[:, t]",
        ),
        (_learner_upstream(upstream=_sum_into_last), "not Σ_t dh_t; you gave it to the last step"),
        (_learner_upstream(upstream=_twice), "dh_t counted twice (all gradients doubled)"),
    ],
    ids=["h[:, t-2] in dWh", "h[:, t-2] wrapping", "dh.sum(1) each step", "Σ dh at T", "dh twice"],
)
def test_rare_slips_of_the_sequence_backward_are_named(answer, said):
    first = refusal(L.check_rnn_backward, answer)
    assert first.startswith("check_rnn_backward: ") and said in first
    assert "are wrong" not in first and " — or — " not in first


def test_the_rare_slips_hand_written_are_wrong_by_hand():
    """Independent of the catalogue: the twice-counted dh is exactly 2× the reference (BPTT is
    linear in dh), and on T = 3 the h_(t−2) slip changes dWh alone: 0-based step 2 takes
    h[:, 0] for h[:, 1] and step 1 takes h0 for h[:, 0], so dWh is off by
    (h[:, 0] − h[:, 1])^T da_2 + (h0 − h[:, 0])^T da_1, the da_t written out by hand."""
    case = L.rnn_backward_cases()[0]
    a = case.args
    assert a["dh"].shape[1] == 3
    twice = _learner_upstream(upstream=_twice)(*a.values())
    for got, want in zip(twice, case.expected, strict=True):
        np.testing.assert_allclose(got, 2 * want, rtol=1e-12, atol=1e-14)
    slip = _learner_upstream(dWh_state=lambda h, h0, t: h[:, t - 2] if t >= 2 else h0)
    got = slip(*a.values())
    for k in (0, 1, 2, 4):
        np.testing.assert_allclose(got[k], case.expected[k], rtol=1e-12, atol=1e-14)
    h, h0, dh = a["h"], a["h0"], a["dh"]
    da2 = dh[:, 2] * (1 - h[:, 2] ** 2)  # nothing comes back into the last step
    da1 = (dh[:, 1] + da2 @ a["Wh"].T) * (1 - h[:, 1] ** 2)
    off = (h[:, 0] - h[:, 1]).T @ da2 + (h0 - h[:, 0]).T @ da1
    np.testing.assert_allclose(got[3] - case.expected[3], off, rtol=1e-10, atol=1e-12)


# -- every slip of one step back, and more, written here by hand: each named alone -----------------


def _step_slip(slope=None, dh_prev=None, dWx=None, dWh=None, db=None, sign=1.0):
    """A learner's rnn_step_backward with one formula replaced: ``slope(x, h_prev, h_next, Wx,
    Wh)`` for 1 − h_next², ``dh_prev(da, Wh)``, ``dWx(x, da)``, ``dWh(h_prev, h_next, da)``,
    ``db(da)``; every item times ``sign``."""

    def step(dh_next, x, h_prev, h_next, Wx, Wh):
        da = dh_next * (slope(x, h_prev, h_next, Wx, Wh) if slope else 1 - h_next**2)
        items = (
            da @ Wx.T,
            dh_prev(da, Wh) if dh_prev else da @ Wh.T,
            dWx(x, da) if dWx else x.T @ da,
            dWh(h_prev, h_next, da) if dWh else h_prev.T @ da,
            db(da) if db else da.sum(axis=0),
        )
        return tuple(sign * g for g in items)

    return step


STEP_SLIPS = {
    "step_missing_tanh_prime": _step_slip(slope=lambda x, hp, hn, Wx, Wh: 1),
    "step_one_minus_h": _step_slip(slope=lambda x, hp, hn, Wx, Wh: 1 - hn),
    "step_one_minus_h_all_squared": _step_slip(slope=lambda x, hp, hn, Wx, Wh: (1 - hn) ** 2),
    "step_tanh_prime_of_h_prev": _step_slip(slope=lambda x, hp, hn, Wx, Wh: 1 - hp**2),
    "step_tanh_twice": _step_slip(slope=lambda x, hp, hn, Wx, Wh: 1 - np.tanh(hn) ** 2),
    "step_recomputed_without_b": _step_slip(
        slope=lambda x, hp, hn, Wx, Wh: 1 - np.tanh(x @ Wx + hp @ Wh) ** 2
    ),
    "step_one_minus_a_squared": _step_slip(
        slope=lambda x, hp, hn, Wx, Wh: 1 - (x @ Wx + hp @ Wh) ** 2
    ),
    "step_wh_not_transposed": _step_slip(dh_prev=lambda da, Wh: da @ Wh),
    "step_h_next_in_dWh": _step_slip(dWh=lambda hp, hn, da: hn.T @ da),
    "step_dWh_transposed": _step_slip(dWh=lambda hp, hn, da: da.T @ hp),
    "step_dWx_transposed": _step_slip(dWx=lambda x, da: da.T @ x),
    "step_db_averaged": _step_slip(db=lambda da: da.mean(axis=0)),
    "step_db_not_summed": _step_slip(db=lambda da: da),
    "step_db_summed_over_units": _step_slip(db=lambda da: da.sum(axis=1)),
    "step_weights_averaged": _step_slip(
        dWx=lambda x, da: x.T @ da / len(x), dWh=lambda hp, hn, da: hp.T @ da / len(hp)
    ),
    "step_wrong_sign": _step_slip(sign=-1.0),
}


def test_the_hand_written_step_passes(capsys):
    L.check_rnn_step_backward(_step_slip())
    assert "4/4 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize(("key", "answer"), STEP_SLIPS.items(), ids=list(STEP_SLIPS))
def test_each_step_slip_written_by_hand_is_named(key, answer):
    assert_slip_named(L.check_rnn_step_backward, answer, key)


def _learner_with_slope(slope):
    """A learner's rnn_backward (0-based loop) whose tanh′ at step t is ``slope(h_t)``."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, H = dh.shape
        dx, dWx, dWh, db = np.zeros(x.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(H)
        carry = np.zeros((N, H))
        for t in range(T - 1, -1, -1):
            da = (dh[:, t] + carry) * slope(h[:, t])
            h_prev = h[:, t - 1] if t > 0 else h0
            dx[:, t] = da @ Wx.T
            dWx, dWh, db = dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(axis=0)
            carry = da @ Wh.T
        return dx, carry, dWx, dWh, db

    return rnn_backward


def _dx_of_layer2(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
    layer = _layer_from(lambda h: np.zeros_like(h[:, 0]))
    dh1, dWx2, dWh2 = layer(dh2, h1, h2, Wx2, Wh2)
    _, dWx1, dWh1 = layer(dh1, x, h1, Wx1, Wh1)
    return dh1, dWx1, dWh1, dWx2, dWh2  # layer 2's input gradient where layer 1's belongs


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    [
        (L.check_rnn_backward, None, _learner_with_slope(lambda h_t: 1 - h_t**2)),
        (L.check_rnn_backward, "bptt_one_minus_h", _learner_with_slope(lambda h_t: 1 - h_t)),
        (L.check_stacked_rnn_backward, "stacked_dx_of_layer2", _dx_of_layer2),
    ],
    ids=["right", "1 - h_t", "dx of layer 2"],
)
def test_more_slips_written_by_hand_are_named(checker, key, answer, capsys):
    assert_right_or_slip_named(checker, answer, key, capsys)


# -- a learner's slips that got only "... is wrong" before (learner probe of lessons 06-08) --------
# Written as a learner writes them (the solution's loop with one slip), not through the catalogue.


def _bptt_learner(dx_of=None, da_of=None, dh0_of=None):
    """The solution's 0-based loop; ``dx_of(g, da)``, ``da_of(dh_t, carry, slope)`` and
    ``dh0_of(carry, Wh)`` replace the right dx_t, da_t and dh0 (a slip each)."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, D = x.shape
        dx = np.zeros((N, T, D))
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
        carry = np.zeros_like(h0)
        for t in range(T - 1, -1, -1):
            h_prev = h[:, t - 1] if t > 0 else h0
            slope = 1 - h[:, t] ** 2
            g = dh[:, t] + carry
            da = g * slope if da_of is None else da_of(dh[:, t], carry, slope)
            dx[:, t] = (da if dx_of is None else dx_of(g, da)) @ Wx.T
            dWx, dWh, db = dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(axis=0)
            carry = da @ Wh.T
        return dx, (carry if dh0_of is None else dh0_of(carry, Wh)), dWx, dWh, db

    return rnn_backward


def _stacked_learner(layer2_input=None, dh1_of=None):
    """Two layers of ``_layer_from`` (zero states); ``layer2_input(h1, h2)`` is what layer 2 is
    given as its input, ``dh1_of(dx2, dh2, Wx2)`` what layer 1 receives (a slip each)."""
    layer = _layer_from(lambda h: np.zeros_like(h[:, 0]))

    def stacked_rnn_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
        inp2 = h1 if layer2_input is None else layer2_input(h1, h2)
        dx2, dWx2, dWh2 = layer(dh2, inp2, h2, Wx2, Wh2)
        dh1 = dx2 if dh1_of is None else dh1_of(dx2, dh2, Wx2)
        dx, dWx1, dWh1 = layer(dh1, x, h1, Wx1, Wh1)
        return dx, dWx1, dWh1, dWx2, dWh2

    return stacked_rnn_backward


PROBED = [
    (L.check_rnn_backward, None, _bptt_learner()),
    (L.check_rnn_backward, "bptt_dx_skips_tanh_prime", _bptt_learner(dx_of=lambda g, da: g)),
    (
        L.check_rnn_backward,
        "bptt_carry_added_after_tanh_prime",
        _bptt_learner(da_of=lambda dh_t, carry, slope: dh_t * slope + carry),
    ),
    (L.check_rnn_backward, "bptt_dh0_extra_wh", _bptt_learner(dh0_of=lambda c, Wh: c @ Wh.T)),
    (L.check_stacked_rnn_backward, None, _stacked_learner()),
    (
        L.check_stacked_rnn_backward,
        "stacked_dWx2_from_h2",
        _stacked_learner(layer2_input=lambda h1, h2: h2),
    ),
    (
        L.check_stacked_rnn_backward,
        "stacked_dh2_through_wx2",
        _stacked_learner(dh1_of=lambda dx2, dh2, Wx2: dh2 @ Wx2.T),
    ),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    PROBED,
    ids=[
        "right loop",
        "dx = (dh + carry) Wx^T",
        "carry after tanh'",
        "dh0 = carry Wh^T",
        "right stack",
        "layer 2 input h2",
        "dh1 = dh2 Wx2^T",
    ],
)
def test_the_learner_probes_slips_are_named(checker, key, answer, capsys):
    assert_right_or_slip_named(checker, answer, key, capsys)


def test_the_probed_slips_differ_by_hand_on_one_step():
    """By hand, independent of the checker: one step (T = 1), N = 1, H = D = 1, h0 = 0.5,
    x = 1, Wx = 0.4, Wh = 0.6, h_1 = 0.8, dh_1 = 2. Right: da = 2 · (1 − 0.64) = 0.72,
    dx = 0.72 · 0.4 = 0.288, dh0 = 0.72 · 0.6 = 0.432. The slip dx_t = (dh + carry) Wx^T gives
    2 · 0.4 = 0.8; dh0 carried once more gives 0.432 · 0.6 = 0.2592."""
    args = (np.full((1, 1, 1), 2.0), np.ones((1, 1, 1)), np.full((1, 1), 0.5))
    args += (np.full((1, 1, 1), 0.8), np.full((1, 1), 0.4), np.full((1, 1), 0.6))
    right = _bptt_learner()(*args)
    assert right[0].item() == pytest.approx(0.288) and right[1].item() == pytest.approx(0.432)
    assert _bptt_learner(dx_of=lambda g, da: g)(*args)[0].item() == pytest.approx(0.8)
    extra = _bptt_learner(dh0_of=lambda c, Wh: c @ Wh.T)(*args)[1].item()
    assert extra == pytest.approx(0.2592)


def test_memory_in_megabits_is_named():
    # by hand: 32 · 1000 · 256 numbers × 64 bits = 524,288,000 bits = 524.288 Mbit
    said = refusal(check_answer, "06.memory_mb", 524.288)
    assert "that is in megabits" in said


# -- review rev056: dx stacked time first; the questions' numbers from the lesson's other counts ---


def _bptt_collecting_dx(reverse):
    """The solution's loop that appends each dx_t to a list and returns np.array of it (time
    first, (T, N, D)), reversed to t = 1..T first when ``reverse``."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        T = x.shape[1]
        dxs, dWx, dWh, db = [], np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
        carry = np.zeros_like(h0)
        for t in range(T - 1, -1, -1):
            h_prev = h[:, t - 1] if t > 0 else h0
            da = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
            dxs.append(da @ Wx.T)
            dWx, dWh, db = dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(axis=0)
            carry = da @ Wh.T
        return np.array(dxs[::-1] if reverse else dxs), carry, dWx, dWh, db

    return rnn_backward


@pytest.mark.parametrize(
    ("reverse", "key"), [(True, "bptt_dx_time_first"), (False, "bptt_dx_time_first_reversed")]
)
def test_dx_stacked_time_first_is_named(reverse, key):
    """It was told only "dx: expected an array of shape (2, 3, 3), got an array of shape
    (3, 2, 3)". By hand on T = 2, N = 1, D = H = 1: the rows are the time steps."""
    one = [np.array([[[v]]]) for v in (0.5, -0.3)]  # x_1, x_2 of one sequence, D = 1
    x, h0, Wx, Wh = np.concatenate(one, axis=1), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1))
    h1 = np.tanh(0.5)
    h = np.array([[[h1], [np.tanh(-0.3 + h1)]]])
    dh = np.array([[[0.0], [1.0]]])  # a loss on h_2 only
    da2 = 1 - h[0, 1, 0] ** 2
    da1 = da2 * (1 - h1**2)  # carried back through Wh = 1
    dx = _bptt_collecting_dx(reverse)(dh, x, h0, h, Wx, Wh)[0]
    assert dx.shape == (2, 1, 1)
    assert np.allclose(dx[:, 0, 0], [da1, da2] if reverse else [da2, da1])
    assert_slip_named(L.check_rnn_backward, _bptt_collecting_dx(reverse), key)


def test_the_arrays_count_of_the_lesson_is_told_apart_from_the_states():
    """⌈400/k⌉ + 3k (the lesson's arrays: states, da and dh of a segment) is smallest at
    k = 10..13, by hand; 11, 12, 13 got "not right; try again" before. So did 131.072 MB, the
    states and every da_t (2 · 32 · 1000 · 256 · 8 bytes)."""
    arrays = {k: -(-400 // k) + 3 * k for k in range(1, 401)}
    assert [k for k, n in arrays.items() if n == min(arrays.values())] == [10, 11, 12, 13]
    for k in (11, 12, 13, 11.547):
        assert "+ 3k is smallest" in refusal(check_answer, "06.checkpoint_k", k)
    assert "the da_t" in refusal(check_answer, "06.memory_mb", 131.072)


def _bptt_off_by_one(slip):
    """The solution's 0-based loop with one index one step off (``"dh"``, ``"x"``, ``"dx"``), or
    its weight sums started at copies of the weights (``"start"``)."""

    def rnn_backward(dh, x, h0, h, Wx, Wh):
        N, T, D = x.shape
        dx = np.zeros((N, T, D))
        dWx, dWh = (Wx.copy(), Wh.copy()) if slip == "start" else (0 * Wx, 0 * Wh)
        db, carry = np.zeros(Wh.shape[0]), np.zeros_like(h0)
        for t in range(T - 1, -1, -1):
            h_prev = h[:, t - 1] if t > 0 else h0
            up = dh[:, t - 1] if slip == "dh" else dh[:, t]
            da = (up + carry) * (1 - h[:, t] ** 2)
            dx[:, t - 1 if slip == "dx" else t] = da @ Wx.T
            x_t = x[:, t - 1] if slip == "x" else x[:, t]
            dWx, dWh, db = dWx + x_t.T @ da, dWh + h_prev.T @ da, db + da.sum(axis=0)
            carry = da @ Wh.T
        return dx, carry, dWx, dWh, db

    return rnn_backward


@pytest.mark.parametrize(
    ("slip", "key"),
    [
        ("dh", "bptt_dh_one_step_back"),
        ("x", "bptt_x_one_step_back"),
        ("dx", "bptt_dx_one_step_back"),
        ("start", "bptt_sums_start_at_weights"),
    ],
)
def test_an_index_one_step_off_is_named(slip, key):
    """Each was told only "... is wrong" ("dx, dh0, dWx, dWh, db are wrong" for dh). By hand on
    T = 2, N = D = H = 1 with Wx = Wh = 1 and a loss on h_2 only: da_2 = 1 − h_2², da_1 =
    da_2 (1 − h_1²); dWx = x_1 da_1 + x_2 da_2, dx = (da_1, da_2)."""
    x = np.array([[[0.5], [-0.3]]])
    h1 = np.tanh(0.5)
    h = np.array([[[h1], [np.tanh(-0.3 + h1)]]])
    one, zero = np.ones((1, 1)), np.zeros((1, 1))
    dh = np.array([[[0.0], [1.0]]])
    da2 = 1 - h[0, 1, 0] ** 2
    da1 = da2 * (1 - h1**2)
    right = _bptt_off_by_one(None)(dh, x, zero, h, one, one)
    assert np.allclose(right[0].ravel(), [da1, da2])
    assert np.isclose(right[2].item(), 0.5 * da1 - 0.3 * da2)
    got = _bptt_off_by_one(slip)(dh, x, zero, h, one, one)
    if slip == "x":  # x_1 ↔ x_2: step 1 takes x[:, -1] = x_2, step 2 takes x_1
        assert np.isclose(got[2].item(), -0.3 * da1 + 0.5 * da2)
    elif slip == "dx":  # step 2's goes to index 0, step 1's to index -1: (da_2, da_1)
        assert np.allclose(got[0].ravel(), [da2, da1])
    elif slip == "dh":  # the loss moves to h_1 (index 0 - 1 = -1 reads dh_2 at step 1)
        assert np.allclose(got[0].ravel(), [1 - h1**2, 0.0])
    else:
        assert np.isclose(got[3].item(), 1 + h1 * da2)  # Wh + h_1 da_2 (+ h_0 da_1 = 0)
    assert_slip_named(L.check_rnn_backward, _bptt_off_by_one(slip), key)


def _batched_learner(rows_x=None, rows_da=None, h0_last=False):
    """The optional task's answer: a loop that fills da (N, T, H), then one product per weight;
    ``rows_x(a)`` and ``rows_da(a)`` how x (and the states) and da are made rows, ``h0_last``
    h0 put after the states (a slip each)."""

    def rnn_backward_batched(dh, x, h0, h, Wx, Wh):
        N, T, D = x.shape
        H = Wh.shape[0]
        da, carry = np.empty((N, T, H)), np.zeros_like(h0)
        for t in range(T - 1, -1, -1):
            da[:, t] = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
            carry = da[:, t] @ Wh.T
        pair = [h[:, :-1], h0[:, None]] if h0_last else [h0[:, None], h[:, :-1]]
        h_prev = np.concatenate(pair, axis=1)
        fx = rows_x or (lambda a: a.reshape(N * T, -1))
        fa = rows_da or (lambda a: a.reshape(N * T, -1))
        return da @ Wx.T, carry, fx(x).T @ fa(da), fx(h_prev).T @ fa(da), da.sum(axis=(0, 1))

    return rnn_backward_batched


def _time_major(a):  # rows (t, n), as the lesson's X = x.transpose(1, 0, 2).reshape(T * N, D)
    return a.transpose(1, 0, 2).reshape(-1, a.shape[2])


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (_batched_learner(rows_x=_time_major), "bptt_rows_mismatched"),
        (_batched_learner(rows_da=_time_major), "bptt_rows_mismatched_other"),
        (_batched_learner(h0_last=True), "bptt_h0_after_the_states"),
    ],
    ids=["x as the lesson's X", "da time-major", "h0 last"],
)
def test_the_optional_tasks_row_slips_are_named(answer, key, capsys):
    """Each was told only "dWx is wrong" / "dWh is wrong" before; the right form passes."""
    L.check_rnn_backward(_batched_learner())
    assert "4/4 cases passed" in capsys.readouterr().out
    assert_slip_named(L.check_rnn_backward, answer, key)


def test_rows_in_two_orders_pair_the_wrong_entries():
    """By hand, N = T = 2, D = H = 1: x's rows in (t, n) order, (x_11, x_21, x_12, x_22) (x_nt),
    against da's in (n, t) order, (da_11, da_12, da_21, da_22), pair x_21 with da_12 and x_12
    with da_21."""
    x = np.array([[[0.3], [-0.7]], [[0.4], [0.9]]])  # x[n, t]
    h0, Wx, Wh = np.zeros((2, 1)), np.ones((1, 1)), np.full((1, 1), 0.5)
    h = np.tanh(x.copy())  # (any states: only da's values matter here)
    dh = np.array([[[1.0], [-2.0]], [[0.5], [1.5]]])
    right = _batched_learner()(dh, x, h0, h, Wx, Wh)
    da = np.empty((2, 2, 1))
    carry = np.zeros((2, 1))
    for t in (1, 0):
        da[:, t] = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
        carry = da[:, t] @ Wh.T
    (x11, x12), (x21, x22) = x[..., 0]
    (a11, a12), (a21, a22) = da[..., 0]
    assert np.isclose(right[2].item(), x11 * a11 + x12 * a12 + x21 * a21 + x22 * a22)
    mixed = _batched_learner(rows_x=_time_major)(dh, x, h0, h, Wx, Wh)[2].item()
    assert np.isclose(mixed, x11 * a11 + x21 * a12 + x12 * a21 + x22 * a22)


def test_the_power_figure_refuses_a_scale_the_trajectories_refuse(powers):
    """power_norms().set(scale=-0.5) or scale=nan drew without a word (NaN norms for nan), where
    hidden_trajectories refuses both by name."""
    for bad in (-0.5, float("nan"), "0.9"):
        with pytest.raises(ValueError, match=r"^scale: expected"):
            powers.set(scale=bad)
        with pytest.raises(ValueError, match=r"^scale: expected"):
            hidden_trajectories().set(scale=bad)
    at_one = powers.set(scale=1.0)["norms"][0]
    assert np.isclose(powers.set(scale=0.9)["norms"][0], 0.9 * at_one)  # (and back at 0.9)


def test_a_symmetric_matrix_shrinks_no_vector_by_exactly_rho():
    """The lesson said a symmetric matrix with ρ = 0.9 "shrinks every vector by exactly 0.9 per
    step": only its top eigenvector is; the others shrink more. What holds (and the lesson's cell
    asserts) is ‖S^d‖₂ = 0.9^d: no vector keeps more than 0.9^d of its length."""
    S = np.diag([0.9, -0.5, 0.1])  # symmetric, ρ = 0.9
    v = np.array([0.0, 1.0, 0.0])
    assert np.isclose(np.linalg.norm(v @ S), 0.5)  # not 0.9
    assert np.allclose(L.power_norms_of(S, 5), 0.9 ** np.arange(1, 6))
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "notebooks/06_vectorised_bptt.ipynb", 4)
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "shrinks every vector by exactly" not in text
    assert "no vector keeps more than $0.9^d$" in " ".join(text.split())


# -- slips of the stacked RNN's two calls (slips-b probe): an argument in the wrong place, or ------
# layer 2's carry left out of what layer 1 receives. Each got "... is wrong" (or, for h2 as layer
# 1's states, a tanh′ named for dx and dWx1 and dWh1 left unexplained) before.


def _two_calls(layer2, layer1=None, dh1_of=None):
    """A learner's stacked_rnn_backward of two calls of a right one-layer BPTT from zero states:
    ``layer2(dh2, h1, h2, Wx2, Wh2)`` and ``layer1(dh1, x, h1, h2, Wx1, Wh1)`` say how each is
    called (the arguments the learner passed), ``dh1_of(dx2, dh2, h2, Wx2)`` what layer 1
    receives."""
    layer = _layer_from(lambda h: np.zeros_like(h[:, 0]))
    layer1 = layer1 or (lambda layer, dh1, x, h1, h2, Wx1, Wh1: layer(dh1, x, h1, Wx1, Wh1))

    def stacked_rnn_backward(dh2, x, h1, h2, Wx1, Wh1, Wx2, Wh2):
        dx2, dWx2, dWh2 = layer2(layer, dh2, h1, h2, Wx2, Wh2)
        dh1 = dx2 if dh1_of is None else dh1_of(dx2, dh2, h2, Wx2)
        dx, dWx1, dWh1 = layer1(layer, dh1, x, h1, h2, Wx1, Wh1)
        return dx, dWx1, dWh1, dWx2, dWh2

    return stacked_rnn_backward


_RIGHT_LAYER2 = lambda layer, dh2, h1, h2, Wx2, Wh2: layer(dh2, h1, h2, Wx2, Wh2)  # noqa: E731

STACKED_CALL_SLIPS = {
    "stacked_layer1_states_h2": _two_calls(
        _RIGHT_LAYER2,
        layer1=lambda layer, dh1, x, h1, h2, Wx1, Wh1: layer(dh1, x, h2, Wx1, Wh1),
    ),
    "stacked_layer2_states_h1": _two_calls(
        lambda layer, dh2, h1, h2, Wx2, Wh2: layer(dh2, h2, h1, Wx2, Wh2)
    ),
    "stacked_wx_wh_swapped": _two_calls(
        lambda layer, dh2, h1, h2, Wx2, Wh2: layer(dh2, h1, h2, Wh2, Wx2),
        layer1=lambda layer, dh1, x, h1, h2, Wx1, Wh1: layer(dh1, x, h1, Wh1, Wx1),
    ),
    "stacked_dh1_without_layer2_carry": _two_calls(
        _RIGHT_LAYER2, dh1_of=lambda dx2, dh2, h2, Wx2: (dh2 * (1 - h2**2)) @ Wx2.T
    ),
}


@pytest.mark.parametrize(
    ("key", "answer"), STACKED_CALL_SLIPS.items(), ids=list(STACKED_CALL_SLIPS)
)
def test_the_stacked_calls_slips_are_named(key, answer):
    assert_slip_named(L.check_stacked_rnn_backward, answer, key)


def test_the_two_calls_by_hand_pass_when_right(capsys):
    L.check_stacked_rnn_backward(_two_calls(_RIGHT_LAYER2))
    assert "4/4 cases passed ✓" in capsys.readouterr().out


def test_layer_2_states_h1_twice_is_told_its_states_not_a_swap():
    """rnn_backward(dh2, h1, zeros, h1, ...): the input is right, the states are h1. Every item
    but dWx2 is what h1 as the states gives; the message says that, and no swap."""
    first = refusal(
        L.check_stacked_rnn_backward,
        _two_calls(lambda layer, dh2, h1, h2, Wx2, Wh2: layer(dh2, h1, h1, Wx2, Wh2)),
    )
    assert "layer 2 got h1 as its states" in first and "swap" not in first


def _bptt_db_over_units(dh, x, h0, h, Wx, Wh):
    """The solution's loop with ``db += da.sum(axis=1)``: one number per sequence, not per unit."""
    N, T, H = dh.shape
    dx, dWx, dWh, db = np.zeros(x.shape), np.zeros(Wx.shape), np.zeros(Wh.shape), 0.0
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        da = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
        h_prev = h[:, t - 1] if t > 0 else h0
        dx[:, t] = da @ Wx.T
        dWx, dWh, db = dWx + x[:, t].T @ da, dWh + h_prev.T @ da, db + da.sum(axis=1)
        carry = da @ Wh.T
    return dx, carry, dWx, dWh, db


def test_db_summed_over_the_units_is_named():
    """da.sum(axis=1) sums each sequence's row, (N,), where db sums over the batch, (H,)."""
    assert_slip_named(L.check_rnn_backward, _bptt_db_over_units, "bptt_db_summed_over_units")


def test_the_step_skipping_mistakes_are_computed_at_t_1_too():
    """With T = 1 the loops of "first step skipped" and "last step skipped" run no step; their
    answers used to raise UnboundLocalError there, so that case could tell nothing about them."""
    (case,) = [c for c in L.rnn_backward_cases() if c.args["x"].shape[1] == 1]
    for key in ("bptt_first_step_skipped", "bptt_last_step_skipped"):
        answer = mistake(L.check_rnn_backward, key).answer(**case.args)
        assert len(answer) == 5 and all(np.all(np.isfinite(a)) for a in answer), key
