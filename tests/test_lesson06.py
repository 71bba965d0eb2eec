"""Lesson 06's checkers (rnnlib.course.lesson06): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below, which do not use
rnnlib's backward passes: the RNN gradients are finite differences of a forward pass written in
this file (the bias, which the learner's function does not receive, is recovered from the given
states as b = artanh(h) − x Wx − h_prev Wh)."""

import numpy as np
import pytest
from checks_support import first_line, mistake

from rnnlib import numerical_gradient
from rnnlib.course import lesson06 as L
from rnnlib.course.lesson06 import FIGURES, FLOOR, SHOWN, hidden_trajectories, trajectory_weights


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
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), np.maximum(rms, FLOOR))
    assert f"ρ(Wh) = {scale:.2f}" in ex.readout()


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


def test_the_picture_changes_with_each_slider(ex):
    ex.step(H=16, scale=0.9)
    a = ex.png()
    ex.step(H=40)
    b = ex.png()
    ex.step(scale=1.8)
    c = ex.png()
    assert a != b and b != c


def test_update_is_fast(ex):
    times = []
    for k in range(10):
        ex.step(H=2 + 6 * k, scale=0.2 + 0.2 * k)
        times.append(ex.last_update_seconds)
    assert np.median(times) < 0.1, times  # the course's bar


def test_bad_input_and_figures():
    with pytest.raises(ValueError, match=r"^H: expected an integer hidden size in 1..64, got 65"):
        trajectory_weights(65, 1.0)
    with pytest.raises(ValueError, match=r"^scale: expected a finite number >= 0"):
        trajectory_weights(4, float("nan"))
    assert hidden_trajectories in FIGURES
