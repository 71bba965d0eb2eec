"""Lesson 06's sliders (recurrent scale, truncation k): gradient norms against products of
finite-difference Jacobians, the truncation curve against rnnlib's BPTT, and the artists."""

import numpy as np
import pytest

from rnnlib import numerical_gradient, rnn_backward, rnn_backward_truncated, rnn_forward
from rnnlib.explorers import registry
from rnnlib.explorers.gradients import gradients_explorer
from rnnlib.gradflow import long_sequence_problem


def fd_norms(scale, T=20):
    """‖∂L/∂h_(T−d)‖ for L = <g_T, h_T>: finite differences of h_T in the state h_(T−d),
    by running the last d steps from it."""
    p = long_sequence_problem(scale, T=T)
    _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    out = []
    for d in range(T + 1):

        def L(z, d=d):
            if d == 0:
                return float(p["g_T"] @ z)
            h, _ = rnn_forward(p["x"][:, T - d :], z[None], p["Wx"], p["Wh"], p["b"])
            return float(p["g_T"] @ h[0, -1])

        out.append(np.linalg.norm(numerical_gradient(L, cache.hs[T - d, 0].copy())))
    return np.array(out)


def flat(grads):
    return np.concatenate([g.ravel() for g in grads[2:]])


@pytest.mark.parametrize("scale, k", [(0.5, 3), (1.0, 5), (1.5, 12), (2.0, 20)])
def test_sliders(scale, k):
    ex = gradients_explorer()
    s = ex.step(scale=scale, k=k)
    assert (s["scale"], s["k"]) == (scale, k)
    want = fd_norms(scale)
    np.testing.assert_allclose(s["norms"], want, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(s["bound"], scale ** np.arange(21), rtol=1e-12)
    # truncation at the slider's k, against rnnlib's BPTT, with the formulas written out
    p = long_sequence_problem(scale)
    _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    g, gk = flat(rnn_backward(p["dh"], cache)), flat(rnn_backward_truncated(p["dh"], cache, k))
    err = np.linalg.norm(gk - g) / (np.linalg.norm(gk) + np.linalg.norm(g))
    cos = gk @ g / (np.linalg.norm(gk) * np.linalg.norm(g))
    assert s["rel_error"] == pytest.approx(err) and s["cosine"] == pytest.approx(cos)
    # artists
    ax_g, ax_t = ex.fig.axes
    norm_line = ax_g.lines[2]
    np.testing.assert_allclose(
        norm_line.get_ydata(), np.clip(np.log10(want), -8, 4), rtol=1e-5, atol=1e-6
    )
    err_line, cos_line = ax_t.lines[1], ax_t.lines[2]
    assert err_line.get_ydata()[k - 1] == pytest.approx(err)
    assert cos_line.get_ydata()[k - 1] == pytest.approx(cos)
    assert ax_t.lines[3].get_xdata()[0] == k


def test_the_lesson_claims():
    ex = gradients_explorer()
    small = ex.step(scale=0.5, k=5)
    assert small["norms"][-1] < 1e-5  # vanishing
    assert np.all(small["norms"] <= small["bound"] * (1 + 1e-9))
    big = ex.step(scale=1.5, k=5)
    assert big["norms"][-1] > 10  # exploding (with small inputs)
    assert big["rel_error"] > 0.5 > 0.05 > small["rel_error"]
    full = ex.step(k=20)
    assert full["rel_error"] < 1e-12 and full["cosine"] == pytest.approx(1.0)


def test_the_picture_changes_with_each_slider():
    ex = gradients_explorer()
    a = ex.png()
    ex.step(scale=1.4)
    b = ex.png()
    ex.step(k=9)
    c = ex.png()
    assert a != b and b != c
    assert "cosine" in ex.readout()


def test_bad_input_and_registry():
    with pytest.raises(ValueError, match="scale_range"):
        gradients_explorer(scale_range=(0.0, 1.0))
    assert gradients_explorer in registry()["06"]
