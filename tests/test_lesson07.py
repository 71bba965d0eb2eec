"""Lesson 07's checkers (rnnlib.course.lesson07): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below (clipping from
one concatenated vector, loops written here). The mistakes' reference loops, with the right
switches, agree with rnnlib (a different formulation)."""

import numpy as np
import pytest
from checks_support import first_line

from rnnlib import numerical_gradient, rnn_backward, rnn_backward_truncated, rnn_forward, scalar
from rnnlib.course import lesson07 as L
from rnnlib.course.lesson07 import FIGURES, gradients_explorer
from rnnlib.gradflow import jacobian_products, long_sequence_problem, scalar_bptt_truncated


def _clip(grads, max_norm):
    total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    return [g * min(1.0, max_norm / total) for g in grads]


def my_truncated_bptt(xs, ys, u, w, v, k):
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(xs)
    du = dw = dv = 0.0
    for t in range(1, T + 1):
        err = v * o[t] - ys[t - 1]
        dv += err * o[t]
        d = err * v
        for s in range(t, max(t - k, 0), -1):
            da = d * (1 - o[s] ** 2)
            du += da * xs[s - 1]
            dw += da * o[s - 1]
            d = da * w
    return du, dw, dv


def my_jacobian_product(hs, Wh):
    P = np.eye(Wh.shape[0])
    for t in range(1, len(hs)):
        P = np.diag(1 - hs[t] ** 2) @ Wh.T @ P  # J_t on the left
    return P


RIGHT = {
    "check_clip_grad_norm": (_clip, 5),
    "check_jacobian_product": (my_jacobian_product, 4),
    "check_truncated_bptt": (my_truncated_bptt, 5),
}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_clip_grad_norm": {"clip_elementwise", "clip_per_array", "clip_always_rescaled"},
}


def test_clip_catalogue_covers_the_issue_minimum():
    assert REQUIRED["check_clip_grad_norm"] <= {m.key for m in L.check_clip_grad_norm.mistakes}


def test_a_tuple_of_clipped_arrays_is_accepted_too(capsys):
    L.check_clip_grad_norm(lambda grads, m: tuple(_clip(grads, m)))
    assert "passed ✓" in capsys.readouterr().out


def test_clipping_in_place_is_caught():
    def clip_in_place(grads, max_norm):
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        if total > max_norm:
            for g in grads:
                g *= max_norm / total
        return grads

    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(clip_in_place)
    assert first_line(excinfo).startswith(
        "check_clip_grad_norm: your clip_in_place changed its input `grads[0]` in place"
    )


def test_changed_hs_is_reported():
    def clobbers_hs(hs, Wh):
        out = my_jacobian_product(hs, Wh)
        hs[:] = 0
        return out

    with pytest.raises(AssertionError, match="changed its input `?hs`? in place"):
        L.check_jacobian_product(clobbers_hs)


@pytest.mark.parametrize("k", [1, 2, 3, 6, 9])
def test_mistakes_truncation_agrees_with_the_vector_model(k):
    rng = np.random.default_rng(k)
    xs, ys = rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 6)
    got = L.truncated(xs, ys, 0.7, 1.1, -0.9, L.sliding(k))
    np.testing.assert_allclose(
        got, scalar_bptt_truncated(xs, ys, 0.7, 1.1, -0.9, k), rtol=1e-12, atol=1e-14
    )


def test_mistakes_product_agrees_with_gradflow():
    for case in L.jacobian_product_cases():
        hs, Wh = case.args["hs"], case.args["Wh"]
        np.testing.assert_allclose(
            L.jacobian_product(hs, Wh), jacobian_products(hs, Wh)[-1], rtol=1e-12, atol=1e-15
        )


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 07's sliders (recurrent scale, truncation k): gradient norms against products of
# finite-difference Jacobians, the truncation curve against rnnlib's BPTT, and the artists.


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


def test_bad_input_and_figures():
    with pytest.raises(ValueError, match="scale_range"):
        gradients_explorer(scale_range=(0.0, 1.0))
    assert gradients_explorer in FIGURES
