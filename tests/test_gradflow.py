"""Gradient flow through time (rnnlib.gradflow): every Jacobian and product against finite
differences of a forward pass, the norms against BPTT, the bounds the lesson states, and truncated
BPTT against its stop-gradient definition."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnlib import (
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_backward_truncated,
    rnn_forward,
    rnn_step_forward,
    scalar,
)
from rnnlib.gradflow import (
    cosine_similarity,
    gated_forward,
    gradient_norms_by_distance,
    hidden_jacobian,
    jacobian_products,
    long_sequence_problem,
    scalar_bptt_truncated,
    scalar_gradient_products,
    scalar_step_factors,
    scaled_orthogonal,
    truncation_curve,
)

seqs = st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=8)
weights = st.floats(-2.5, 2.5, allow_nan=False)


# -- scalar model ------------------------------------------------------------------------------


@given(seqs, weights, weights)
def test_scalar_products_match_finite_differences(xs, u, w):
    """do_T/do_s by nudging o_s and running the rest of the sequence from it (scalar.forward's
    o0 is the state the run starts from)."""
    fwd = scalar.forward(xs, u, w, 1.0)
    T = len(xs)
    prods = scalar_gradient_products(fwd)
    assert prods.shape == (T + 1,) and prods[0] == 1.0
    for d in range(1, T + 1):
        s = T - d

        def o_T(z, s=s):
            return scalar.forward(xs[s:], u, w, 1.0, o0=z[0]).o[-1]

        want = numerical_gradient(o_T, np.array([fwd.o[s]]))[0]
        assert prods[d] == pytest.approx(want, rel=1e-6, abs=1e-9)
    # one step: the factor (1 − o_t²)·w, checked the same way
    factors = scalar_step_factors(fwd)
    for t in range(1, T + 1):
        one = numerical_gradient(
            lambda z, t=t: scalar.forward(xs[t - 1 : t], u, w, 1.0, o0=z[0]).o[-1],
            np.array([fwd.o[t - 1]]),
        )[0]
        assert factors[t - 1] == pytest.approx(one, rel=1e-6, abs=1e-9)


@given(seqs, weights, weights)
def test_scalar_product_is_bounded_by_w_to_the_distance(xs, u, w):
    prods = scalar_gradient_products(scalar.forward(xs, u, w, 1.0))
    d = np.arange(len(prods))
    assert np.all(np.abs(prods) <= np.abs(w) ** d * (1 + 1e-12) + 1e-300)


def test_scalar_vanishing_and_exploding():
    """|w| < 1 vanishes; |w| > 1 with tiny inputs (tanh unsaturated) explodes; the same |w| with
    large inputs saturates tanh and vanishes instead."""
    rng = np.random.default_rng(0)
    xs = rng.normal(size=20)
    assert abs(scalar_gradient_products(scalar.forward(xs, 1.0, 0.5, 1.0))[-1]) < 0.5**20
    explode = scalar_gradient_products(scalar.forward(1e-4 * xs, 1.0, 1.5, 1.0))
    assert abs(explode[-1]) > 0.5 * 1.5**20
    assert abs(scalar_gradient_products(scalar.forward(3 * xs, 1.0, 1.5, 1.0))[-1]) < 1e-3


# -- matrix model ------------------------------------------------------------------------------


def problem(H=4, T=5, seed=0, scale=0.9):
    rng = np.random.default_rng(seed)
    return dict(
        x=rng.normal(size=(1, T, 3)),
        h0=rng.normal(size=(1, H)) * 0.5,
        Wx=rng.normal(size=(3, H)) * 0.6,
        Wh=rng.normal(size=(H, H)) * scale / np.sqrt(H),
        b=rng.normal(size=H) * 0.1,
    )


def fd_jacobian(f, x0):
    """∂f/∂x as (out, in): row j from numerical_gradient with upstream e_j."""
    out = f(x0.copy()).size
    rows = []
    for j in range(out):
        e = np.zeros(out)
        e[j] = 1.0
        rows.append(numerical_gradient(lambda z: f(z).ravel(), x0.copy(), df=e))
    return np.array(rows)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hidden_jacobian_matches_finite_differences(seed):
    p = problem(seed=seed)
    h_prev = p["h0"][0]
    x = p["x"][:, 0]

    def step(hp):
        return rnn_step_forward(x, hp[None], p["Wx"], p["Wh"], p["b"])[0][0]

    h_t = step(h_prev)
    J = hidden_jacobian(h_t, p["Wh"])
    np.testing.assert_allclose(J, fd_jacobian(step, h_prev), rtol=1e-7, atol=1e-9)
    # the form with the diagonal on the other side of Wh^T is NOT this Jacobian
    wrong = p["Wh"].T * (1 - h_t**2)[None, :]
    assert rel_error(wrong, J) > 1e-2


def test_hidden_jacobian_batch():
    rng = np.random.default_rng(3)
    h = np.tanh(rng.normal(size=(3, 4)))
    Wh = rng.normal(size=(4, 4))
    Jb = hidden_jacobian(h, Wh)
    assert Jb.shape == (3, 4, 4)
    for n in range(3):
        np.testing.assert_array_equal(Jb[n], hidden_jacobian(h[n], Wh))


@pytest.mark.parametrize("seed", [0, 1])
def test_jacobian_products_match_finite_differences(seed):
    p = problem(seed=seed, T=4)
    _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    hs = cache.hs[:, 0]
    T = hs.shape[0] - 1
    P = jacobian_products(hs, p["Wh"])
    assert P.shape == (T + 1, 4, 4)
    np.testing.assert_array_equal(P[0], np.eye(4))
    for d in range(1, T + 1):

        def h_T(z, d=d):  # run the last d steps from the state h_(T−d) = z
            h, _ = rnn_forward(p["x"][:, T - d :], z[None], p["Wx"], p["Wh"], p["b"])
            return h[0, -1]

        np.testing.assert_allclose(P[d], fd_jacobian(h_T, hs[T - d].copy()), rtol=1e-6, atol=1e-9)


@given(st.integers(0, 10**6), st.floats(0.2, 2.0), st.integers(1, 12))
def test_norms_by_distance_are_bptt_and_bounded(seed, scale, T):
    p = long_sequence_problem(scale, H=5, T=T, seed=seed)
    h, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    hs = cache.hs[:, 0]
    norms = gradient_norms_by_distance(hs, p["Wh"], p["g_T"])
    P = jacobian_products(hs, p["Wh"])
    # the same numbers as row vector times the product of Jacobians ...
    np.testing.assert_allclose(norms, np.linalg.norm(p["g_T"] @ P, axis=1), rtol=1e-9, atol=1e-300)
    # ... and, at d = T, as rnn_backward's dh0 for a loss on h_T alone
    dh = np.zeros_like(h)
    dh[0, -1] = p["g_T"]
    _, dh0, _, _, _ = rnn_backward(dh, cache)
    assert norms[-1] == pytest.approx(np.linalg.norm(dh0), rel=1e-9, abs=1e-300)
    # every singular value of Wh is `scale`, so ‖∂h_T/∂h_(T−d)‖₂ ≤ scale^d
    smax = np.linalg.svd(P, compute_uv=False)[:, 0]
    d = np.arange(T + 1)
    assert np.all(smax <= scale**d * (1 + 1e-9))
    assert np.all(norms <= scale**d * (1 + 1e-9))


def test_scaled_orthogonal():
    for scale in (0.5, 1.0, 1.7):
        W = scaled_orthogonal(6, scale, seed=2)
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), scale, rtol=1e-12)
        np.testing.assert_allclose(W.T @ W, scale**2 * np.eye(6), atol=1e-12)
    np.testing.assert_array_equal(scaled_orthogonal(4, 2.0), 2 * scaled_orthogonal(4, 1.0))


def test_a_negative_scale_is_refused_not_turned_into_singular_values_of_its_size():
    # -Q is orthogonal times -1: its singular values are +1, so "every singular value = scale"
    # cannot hold for scale < 0; the lesson's problem would silently run with |scale|
    assert np.allclose(np.linalg.svd(-np.eye(3), compute_uv=False), 1.0)  # the reason
    for call in (lambda: scaled_orthogonal(4, -1.5), lambda: long_sequence_problem(-0.5)):
        with pytest.raises(ValueError, match=r"^scale: expected a number >= 0 .*got -"):
            call()
    assert np.all(scaled_orthogonal(3, 0.0) == 0)  # 0 is allowed: every singular value 0


def test_explosion_and_vanishing_in_the_matrix_model():
    """The lesson's picture: scale 0.5 vanishes below 10⁻⁵ over 20 steps; scale 1.5 with small
    inputs grows above 10 (the bound 1.5²⁰ is far looser because tanh saturates on the way)."""
    norms = {}
    for scale in (0.5, 1.5):
        p = long_sequence_problem(scale)
        _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
        norms[scale] = gradient_norms_by_distance(cache.hs[:, 0], p["Wh"], p["g_T"])
    assert norms[0.5][-1] < 1e-5 and norms[1.5][-1] > 10


# -- truncated BPTT ----------------------------------------------------------------------------


def test_cosine_similarity_by_hand():
    assert cosine_similarity([1.0, 0.0], [3.0, 0.0]) == pytest.approx(1.0)
    assert cosine_similarity([1.0, 0.0], [0.0, 2.0]) == pytest.approx(0.0)
    assert cosine_similarity([1.0, 1.0], [-1.0, -1.0]) == pytest.approx(-1.0)
    assert cosine_similarity([1.0, 2.0], [2.0, 1.0]) == pytest.approx(4 / 5)
    assert cosine_similarity([0.0, 0.0], [1.0, 2.0]) == 0.0
    with pytest.raises(ValueError, match=r"b: expected the shape of a, \(2,\), got \(3,\)"):
        cosine_similarity([1.0, 2.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
def test_truncation_curve(scale):
    p = long_sequence_problem(scale, T=10)
    _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    ks = [1, 3, 10, 12]
    tc = truncation_curve(p["dh"], cache, ks)
    np.testing.assert_array_equal(tc.ks, ks)
    assert tc.rel_errors[2] < 1e-12 and tc.cosines[2] == pytest.approx(1.0)  # k = T: full
    assert tc.rel_errors[3] < 1e-12
    full = np.concatenate([g.ravel() for g in rnn_backward(p["dh"], cache)[2:]])
    g1 = np.concatenate([g.ravel() for g in rnn_backward_truncated(p["dh"], cache, 1)[2:]])
    # relative error and cosine written out with numpy
    err = np.linalg.norm(g1 - full) / (np.linalg.norm(g1) + np.linalg.norm(full))
    cos = g1 @ full / (np.linalg.norm(g1) * np.linalg.norm(full))
    assert tc.rel_errors[0] == pytest.approx(err) and tc.cosines[0] == pytest.approx(cos)
    assert tc.rel_errors[0] > 1e-3


@pytest.mark.parametrize(("N", "T", "D", "H"), [(3, 7, 2, 4), (1, 1, 1, 1), (2, 12, 5, 3)])
def test_truncation_curve_is_rnn_backward_truncated_for_every_window(N, T, D, H):
    """truncation_curve walks every loss's gradient back one step a pass instead of calling
    rnn_backward_truncated for each k: for every k (and k > T) its numbers are that function's."""
    rng = np.random.default_rng(N * 100 + T)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)) * 0.5
    Wx, Wh, b = rng.normal(size=(D, H)), rng.normal(size=(H, H)) * 0.9, rng.normal(size=H) * 0.1
    dh = rng.normal(size=(N, T, H))
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    ks = list(range(1, T + 3))
    curve = truncation_curve(dh, cache, ks[::-1])  # in any order
    full = np.concatenate([g.ravel() for g in rnn_backward(dh, cache)[2:]])
    for i, k in enumerate(ks[::-1]):
        g_k = np.concatenate([g.ravel() for g in rnn_backward_truncated(dh, cache, k)[2:]])
        err = np.linalg.norm(g_k - full) / (np.linalg.norm(g_k) + np.linalg.norm(full))
        cos = g_k @ full / (np.linalg.norm(g_k) * np.linalg.norm(full))
        assert curve.rel_errors[i] == pytest.approx(err, rel=1e-9, abs=1e-14), k
        assert curve.cosines[i] == pytest.approx(cos, rel=1e-12), k


def test_truncation_hurts_more_when_gradients_travel_far():
    """The lesson's claim: at k = 5 of T = 20, a contracting Wh (0.5) loses little of the
    gradient, an expanding one (1.5) most of it."""
    out = {}
    for scale in (0.5, 1.5):
        p = long_sequence_problem(scale)
        _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
        out[scale] = truncation_curve(p["dh"], cache, [5])
    assert out[0.5].rel_errors[0] < 0.05 < 0.5 < out[1.5].rel_errors[0]
    assert out[0.5].cosines[0] > 0.99 > 0.5 > out[1.5].cosines[0]


def stop_gradient_loss(xs, ys, k, base):
    """Σ_t ½(ŷ_t − y_t)² where step t's prediction is recomputed from the FROZEN state o_(t−k)
    (a constant taken from the run at ``base``): its gradient is sliding-window BPTT(k)."""

    def f(p):
        u, w, v = p
        total = 0.0
        for t in range(1, len(xs) + 1):
            s = max(t - k, 0)
            o_t = scalar.forward(xs[s:t], u, w, v, o0=base.o[s]).o[-1]
            total += 0.5 * (v * o_t - ys[t - 1]) ** 2
        return total

    return f


@given(st.integers(0, 10**6), st.integers(1, 7), st.integers(1, 9))
def test_scalar_truncated_bptt_is_a_stop_gradient(seed, T, k):
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(-1, 1, size=T), rng.uniform(-1, 1, size=T)
    p = rng.uniform(-1.5, 1.5, size=3)
    got = scalar_bptt_truncated(xs, ys, *p, k)
    base = scalar.forward(xs, *p)
    want = numerical_gradient(stop_gradient_loss(xs, ys, k, base), p.copy())
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    if k >= T:  # the full gradient
        g = scalar.backward(base, ys)
        np.testing.assert_allclose(got, [g.du, g.dw, g.dv], rtol=1e-12, atol=1e-14)


def tiny_cache():
    return rnn_forward(np.zeros((1, 2, 1)), np.zeros((1, 1)), [[1.0]], [[0.5]], [0.0])[1]


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: hidden_jacobian(np.zeros(3), np.zeros((3, 2))), r"Wh: expected a square"),
        (lambda: hidden_jacobian(np.zeros(4), np.zeros((3, 3))), r"h_t: expected shape \(H,\)"),
        (lambda: jacobian_products(np.zeros((4, 2)), np.eye(3)), r"hs: expected the states"),
        (
            lambda: gradient_norms_by_distance(np.zeros((4, 3)), np.eye(3), np.ones(2)),
            r"g_T: expected shape \(H,\)",
        ),
        (
            lambda: gradient_norms_by_distance(np.full((4, 3), np.nan), np.eye(3), np.ones(3)),
            r"hs: expected finite",
        ),
        (lambda: scaled_orthogonal(0, 1.0), r"H: expected an integer"),
        (lambda: truncation_curve(np.zeros((1, 2, 1)), tiny_cache(), [0]), r"ks: expected"),
        (lambda: scalar_bptt_truncated([1.0, 2.0], [1.0], 0.1, 0.2, 0.3, 1), r"ys: expected"),
        (lambda: scalar_bptt_truncated([1.0, 2.0], [1.0, 0.0], 0.1, 0.2, 0.3, 0), r"k: expected"),
        (lambda: long_sequence_problem(1.0, H=0), r"H: expected an integer"),
        (
            lambda: scalar_gradient_products([0.1, 0.2]),
            r"fwd: expected the Forward returned by scalar.forward",
        ),
        (
            lambda: truncation_curve(np.zeros((1, 2, 1)), "cache", [1]),
            r"^cache: expected the RNNCache of rnnlib.rnn_forward, got str",
        ),
        (
            lambda: scalar_bptt_truncated([1.0, np.inf], [1.0, 0.0], 0.1, 0.2, 0.3, 1),
            r"xs: expected finite",
        ),
        (lambda: long_sequence_problem(1.0, T=2.5), r"T: expected an integer"),
        (
            lambda: hidden_jacobian(np.array([0.5, np.nan]), np.eye(2)),
            r"^h_t: expected finite values, got nan at index \(1,\)",
        ),
        (
            lambda: hidden_jacobian(np.zeros(2), np.array([[1.0, 0.0], [np.inf, 1.0]])),
            r"^Wh: expected finite values, got inf at index \(1, 0\)",
        ),
        (  # two sequences are not one of length 6
            lambda: scalar_bptt_truncated(np.ones((2, 3)), np.ones((2, 3)), 0.1, 0.2, 0.3, 1),
            r"^xs: expected shape \(T,\) with T >= 1, got shape \(2, 3\)",
        ),
        (
            lambda: scalar_bptt_truncated([1.0, 2.0], [1.0, np.nan], 0.1, 0.2, 0.3, 1),
            r"^ys: expected finite values, got nan at index \(1,\)",
        ),
        (
            lambda: gated_forward(np.ones((2, 2)), 0.5, 0.5, 0.5),
            r"^xs: expected shape \(T,\) with T >= 1, got shape \(2, 2\)",
        ),
        (lambda: gated_forward([1.0], 0.5, 0.5, 0.0), r"^z: expected a gate in \(0, 1\], got 0.0"),
        (lambda: gated_forward([1.0], 0.5, 0.5, 1.5), r"^z: expected a gate in \(0, 1\], got 1.5"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_cosine_similarity_refuses_arrays_of_different_shapes():
    # a (2, 3) and its transpose's (3, 2) have 6 entries each: they were compared in raveled
    # order, entry (0, 1) of one against entry (0, 1) of a different layout, silently
    a = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match=r"^b: expected the shape of a, \(2, 3\), got \(3, 2\)"):
        cosine_similarity(a, a.T)


def test_cosine_similarity_names_a_value_that_is_not_finite():
    # [nan, 1] gave ‖a‖ = nan, "nan > 0" is False, and the answer was 0.0: a silent wrong answer
    with pytest.raises(ValueError, match=r"^a: expected finite values, got nan at index \(0,\)"):
        cosine_similarity([np.nan, 1.0], [1.0, 1.0])


def test_cosine_similarity_of_huge_and_tiny_vectors():
    # <a, b> of entries 1e200 overflowed to inf, and inf / inf gave NaN; entries of 1e-200
    # underflowed to 0, and the answer was 0.0. Both are the same direction: cos = 1
    assert cosine_similarity([1e200, 1e200], [1e200, 1e200]) == pytest.approx(1.0)
    assert cosine_similarity([1e-200, 0.0], [3e-200, 0.0]) == pytest.approx(1.0)
    assert cosine_similarity([1e200, 0.0], [1e-200, 1e-200]) == pytest.approx(2**-0.5)
