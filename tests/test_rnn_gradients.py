"""Gradients of the vector RNN against finite differences and against an autograd engine."""

import numpy as np
import pytest
from helpers import rnn_problem, rnn_sizes
from hypothesis import given
from hypothesis import strategies as st

from rnnlib import (
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_backward_truncated,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

TOL = 1e-7
sizes = rnn_sizes
PARAMS = ("x", "h0", "Wx", "Wh", "b")


@given(sizes)
def test_step_backward_matches_finite_differences(s):
    N, T, D, H, seed = s
    p = rnn_problem(N, 1, D, H, seed)
    x, h, Wx, Wh, b = p["x"][:, 0], p["h0"], p["Wx"], p["Wh"], p["b"]
    dnext = p["dh"][:, 0]
    _, cache = rnn_step_forward(x, h, Wx, Wh, b)
    got = rnn_step_backward(dnext, cache)

    def f(_):
        return rnn_step_forward(x, h, Wx, Wh, b)[0]

    for arr, g in zip((x, h, Wx, Wh, b), got, strict=True):
        assert rel_error(numerical_gradient(f, arr, dnext), g) < TOL


@given(sizes)
def test_rnn_backward_matches_finite_differences(s):
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    args = [p[k] for k in PARAMS]
    _, cache = rnn_forward(*args)
    got = rnn_backward(p["dh"], cache)

    def f(_):
        return rnn_forward(*args)[0]

    for name, arr, g in zip(PARAMS, args, got, strict=True):
        assert g.shape == arr.shape, name
        err = rel_error(numerical_gradient(f, arr, p["dh"]), g)
        assert err < TOL, (name, err)


@given(sizes)
def test_rnn_forward_is_the_step_applied_T_times(s):
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    h, _ = rnn_forward(*[p[k] for k in PARAMS])
    hp = p["h0"]
    for t in range(T):
        hp = np.tanh(p["x"][:, t] @ p["Wx"] + hp @ p["Wh"] + p["b"])  # the equation itself
        np.testing.assert_allclose(h[:, t], hp, rtol=1e-13, atol=1e-14)


@given(sizes)
def test_gradients_agree_with_autograd(s):
    """An independent reverse-mode engine (HIPS autograd) differentiates the same forward pass."""
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    args = [p[k] for k in PARAMS]
    dh = p["dh"]

    def objective(x, h0, Wx, Wh, b):
        h, total = h0, 0.0
        for t in range(T):
            h = anp.tanh(anp.dot(x[:, t], Wx) + anp.dot(h, Wh) + b)
            total = total + anp.sum(h * dh[:, t])
        return total

    want = [ag.grad(objective, i)(*args) for i in range(5)]
    _, cache = rnn_forward(*args)
    got = rnn_backward(dh, cache)
    for name, w, g in zip(PARAMS, want, got, strict=True):
        assert rel_error(w, g) < 1e-8, name


def test_gradients_agree_with_torch_where_installed():
    torch = pytest.importorskip("torch", reason="torch not installed: optional cross-check")
    p = rnn_problem(3, 6, 4, 5, seed=7)
    tp = {k: torch.tensor(p[k], requires_grad=k in PARAMS) for k in (*PARAMS, "dh")}
    h = tp["h0"]
    hs = []
    for t in range(6):
        h = torch.tanh(tp["x"][:, t] @ tp["Wx"] + h @ tp["Wh"] + tp["b"])
        hs.append(h)
    torch.stack(hs, 1).backward(tp["dh"])
    _, cache = rnn_forward(*[p[k] for k in PARAMS])
    got = rnn_backward(p["dh"], cache)
    for name, g in zip(PARAMS, got, strict=True):
        assert rel_error(tp[name].grad.numpy(), g) < 1e-10, name


def _windowed_objective(p, k):
    """Σ_t <dh_t, h̃_t>, where h̃_t is recomputed from h_(t−k), held constant (or from the
    variable h0 when t ≤ k): the definition of sliding-window truncation, written directly."""
    base, _ = rnn_forward(*[p[k_] for k_ in PARAMS])
    base = base.copy()
    T = p["x"].shape[1]

    def f(_):
        total = 0.0
        for t in range(1, T + 1):
            start = max(t - k, 0)
            h = p["h0"] if start == 0 else base[:, start - 1]
            for s in range(start + 1, t + 1):
                h = np.tanh(p["x"][:, s - 1] @ p["Wx"] + h @ p["Wh"] + p["b"])
            total += np.sum(p["dh"][:, t - 1] * h)
        return total

    return f


@given(sizes, st.integers(1, 6))
def test_truncated_bptt_matches_its_definition(s, k):
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    _, cache = rnn_forward(*[p[k_] for k_ in PARAMS])
    got = rnn_backward_truncated(p["dh"], cache, k)
    f = _windowed_objective(p, k)
    for name, g in zip(PARAMS, got, strict=True):
        want = numerical_gradient(f, p[name])
        assert rel_error(want, g) < TOL, (name, k)


@given(sizes)
def test_truncated_bptt_covering_the_sequence_is_full_bptt(s):
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    _, cache = rnn_forward(*[p[k] for k in PARAMS])
    full = rnn_backward(p["dh"], cache)
    for k in (T, T + 3):
        for a, b in zip(rnn_backward_truncated(p["dh"], cache, k), full, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_truncation_changes_the_gradient_when_shorter_than_the_sequence():
    p = rnn_problem(2, 8, 3, 4, seed=1, scale=1.2)
    _, cache = rnn_forward(*[p[k] for k in PARAMS])
    full = rnn_backward(p["dh"], cache)[3]
    assert rel_error(rnn_backward_truncated(p["dh"], cache, 2)[3], full) > 1e-3


@given(sizes)
def test_nothing_is_modified_in_place(s):
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    before = {k: v.copy() for k, v in p.items()}
    _, cache = rnn_forward(*[p[k] for k in PARAMS])
    rnn_backward(p["dh"], cache)
    rnn_backward_truncated(p["dh"], cache, 2)
    _, c1 = rnn_step_forward(p["x"][:, 0], p["h0"], p["Wx"], p["Wh"], p["b"])
    rnn_step_backward(p["dh"][:, 0], c1)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k], err_msg=k)


def test_float32_and_integer_inputs():
    p = rnn_problem(2, 3, 2, 3, seed=0)
    h, cache = rnn_forward(*[p[k].astype(np.float32) for k in PARAMS])
    assert h.dtype == np.float32
    h64, _ = rnn_forward(np.ones((1, 2, 1), dtype=int), [[0]], [[1]], [[0.5]], [0])
    # h_1 = tanh(1), h_2 = tanh(1 + 0.5 tanh 1): the equation by hand
    np.testing.assert_allclose(h64[0, :, 0], [np.tanh(1), np.tanh(1 + 0.5 * np.tanh(1))])
