"""Lesson 07's sliders: hidden size and weight scale. The states are checked against the
recurrence written here with np.tanh, the spectral radius against numpy's eigenvalues, the
drawn lines against the states, and the decay rate against ρ(W_h)."""

import numpy as np
import pytest

from rnnlib.explorers import registry
from rnnlib.explorers.vector import FLOOR, SHOWN, hidden_trajectories, trajectory_weights


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


def test_bad_input_and_registry():
    with pytest.raises(ValueError, match=r"^H: expected an integer hidden size in 1..64, got 65"):
        trajectory_weights(65, 1.0)
    with pytest.raises(ValueError, match=r"^scale: expected a finite number >= 0"):
        trajectory_weights(4, float("nan"))
    assert hidden_trajectories in registry()["07"]
