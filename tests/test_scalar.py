"""The seed's scalar model: gradients against finite differences and against the vector model."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnlib import numerical_gradient, rel_error, rnn_backward, rnn_forward, scalar

finite = st.floats(-1.5, 1.5, allow_nan=False)
seqs = st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=7)


def loss_at(xs, y):
    def f(p):
        return scalar.total_loss(scalar.forward(xs, *p), y)

    return f


def test_forward_by_hand():
    xs = [1.0, -0.5]
    fwd = scalar.forward(xs, u=0.5, w=2.0, v=3.0)
    o1 = np.tanh(0.5 * 1.0 + 2.0 * 0.0)
    o2 = np.tanh(0.5 * -0.5 + 2.0 * o1)
    np.testing.assert_allclose(fwd.o, [0.0, o1, o2])
    assert fwd.y_hat == pytest.approx(3.0 * o2)


@given(seqs, finite, finite, finite, finite)
def test_bptt_matches_finite_differences(xs, y, u, w, v):
    got = np.array(scalar.bptt(xs, y, u, w, v))
    want = numerical_gradient(loss_at(xs, y), np.array([u, w, v]))
    assert np.allclose(got, want, rtol=1e-7, atol=1e-9)


@given(seqs, finite, finite, finite, st.integers(0, 10**6))
def test_many_to_many_matches_finite_differences(xs, u, w, v, seed):
    ys = np.random.default_rng(seed).normal(size=len(xs))
    g = scalar.backward(scalar.forward(xs, u, w, v), ys)
    want = numerical_gradient(loss_at(xs, ys), np.array([u, w, v]))
    assert np.allclose([g.du, g.dw, g.dv], want, rtol=1e-7, atol=1e-9)


@given(seqs, finite, finite, finite, finite)
def test_per_step_copies(xs, y, u, w, v):
    """dL/dw is the sum of the per-step copies' gradients; each copy is checked on its own by
    giving step t its own weight w_t and differentiating numerically in w_t alone."""
    g = scalar.backward(scalar.forward(xs, u, w, v), y)
    T = len(xs)

    def loss_with_copies(ws):
        o = 0.0
        for t in range(T):
            o = np.tanh(u * xs[t] + ws[t] * o)
        return 0.5 * (v * o - y) ** 2

    per_copy = numerical_gradient(loss_with_copies, np.full(T, float(w)))
    assert np.allclose(g.dw_steps, per_copy, rtol=1e-7, atol=1e-9)
    assert g.dw_steps[0] == 0.0  # o_0 = 0: the first copy of w multiplies nothing
    assert g.dw == pytest.approx(g.dw_steps.sum())
    assert g.du == pytest.approx(g.du_steps.sum())


@given(seqs, finite, finite, finite, finite)
def test_scalar_model_is_the_vector_model_with_one_unit(xs, y, u, w, v):
    fwd = scalar.forward(xs, u, w, v)
    x = np.asarray(xs, dtype=float).reshape(1, -1, 1)
    h, cache = rnn_forward(x, np.zeros((1, 1)), [[u]], [[w]], [0.0])
    np.testing.assert_allclose(h.ravel(), fwd.o[1:], rtol=1e-13, atol=1e-15)
    dh = np.zeros_like(h)
    dh[0, -1, 0] = (fwd.y_hat - y) * v  # dL/do_T
    _, _, dWx, dWh, _ = rnn_backward(dh, cache)
    g = scalar.backward(fwd, y)
    assert rel_error(np.array([g.du, g.dw]), np.array([dWx[0, 0], dWh[0, 0]])) < 1e-12


def test_loss_and_its_derivative():
    assert scalar.loss(3.0, 1.0) == 2.0  # ½ (3 − 1)²
    assert scalar.loss_grad(3.0, 1.0) == 2.0  # 3 − 1
    np.testing.assert_array_equal(scalar.loss(np.array([1.0, 2.0]), 0.0), [0.5, 2.0])
    d = numerical_gradient(lambda z: scalar.loss(z[0], 0.7), np.array([0.2]))
    assert d[0] == pytest.approx(scalar.loss_grad(0.2, 0.7), rel=1e-8)


def test_T_equals_one():
    g = scalar.backward(scalar.forward([0.8], 0.3, 5.0, 2.0), 1.0)
    o1 = np.tanh(0.24)
    e = 2.0 * o1 - 1.0
    assert g.dv == pytest.approx(e * o1)
    assert g.du == pytest.approx(e * 2.0 * (1 - o1**2) * 0.8)
    assert g.dw == 0.0  # only w⁽¹⁾, which multiplies o_0 = 0


@given(seqs, finite, finite, finite, st.integers(0, 10**6))
def test_per_step_copies_as_an_array(xs, y, u, v, seed):
    """w given as T distinct copies: the forward pass uses w⁽ᵗ⁾ at step t, and dw_steps[t − 1] is
    the gradient of each copy alone (finite differences in the array of copies)."""
    ws = np.random.default_rng(seed).uniform(-1.5, 1.5, size=len(xs))
    fwd = scalar.forward(xs, u, ws, v)
    o = 0.0
    for t, x in enumerate(xs):
        o = np.tanh(u * x + ws[t] * o)
        assert fwd.o[t + 1] == pytest.approx(o, rel=1e-12, abs=1e-15)
    g = scalar.backward(fwd, y)
    want = numerical_gradient(
        lambda c: scalar.total_loss(scalar.forward(xs, u, c, v), y), ws.copy()
    )
    assert np.allclose(g.dw_steps, want, rtol=1e-7, atol=1e-9)
    same = scalar.backward(scalar.forward(xs, u, np.full(len(xs), 0.7), v), y)
    ref = scalar.backward(scalar.forward(xs, u, 0.7, v), y)
    np.testing.assert_allclose(same.dw_steps, ref.dw_steps, rtol=1e-14, atol=1e-15)


def test_last_step_factors_by_hand():
    """Lesson 03's three factors of dL/dw⁽ᵀ⁾ on the worked example (T = 4), from a forward loop
    written here, and their product against finite differences in the last copy of w alone."""
    ex = scalar.EXAMPLE
    xs, u, w, v, y = ex["xs"], ex["u"], ex["w"], ex["v"], ex["y"]
    o = [0.0]
    for x in xs:
        o.append(np.tanh(u * x + w * o[-1]))
    got = scalar.last_step_factors(xs, y, u, w, v)
    assert got["o_T"] == pytest.approx(o[4], rel=1e-14)
    assert got["y_hat"] == pytest.approx(v * o[4], rel=1e-14)
    assert got["dL_do_T"] == pytest.approx((v * o[4] - y) * v, rel=1e-14)
    assert got["tanh_prime"] == pytest.approx(1 - o[4] ** 2, rel=1e-14)
    assert got["o_prev"] == pytest.approx(o[3], rel=1e-14)

    def loss_of_last_copy(c):
        return 0.5 * (v * np.tanh(u * xs[3] + c[0] * o[3]) - y) ** 2

    want = numerical_gradient(loss_of_last_copy, np.array([w]))[0]
    assert got["dL_dw_T"] == pytest.approx(want, rel=1e-8)
