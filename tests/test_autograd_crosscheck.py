"""Every gradient the learner's library computes, against an independent autograd engine.

For each gradient-producing function of rnnlib, the model's forward computation is written here
again, directly in ``autograd.numpy`` from the equations of the function's docstring (never by
calling rnnlib), ``autograd.grad`` / ``autograd.jacobian`` differentiates it, and the result must
match rnnlib's to ``rel_error < 1e-8``. Derivatives that the library names as factors or products
(do_t/do_(t−1), do_T/do_t, ∂h_T/∂h_s, ...) are taken as autograd derivatives of the forward map
they stand for. Truncated BPTT is the gradient of the windowed objective in which the state a
window starts from is a constant (the stop-gradient of its docstring), here a plain numpy array
that autograd cannot see through.

The matrix RNN's own ``rnn_backward`` is cross-checked in tests/test_rnn_gradients.py.
"""

import numpy as np
import pytest
from helpers import rnn_problem, rnn_sizes
from hypothesis import given
from hypothesis import strategies as st

from rnnlib import (
    numerical_gradient,
    rel_error,
    rnn_backward_truncated,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    scalar,
    softmax,
    softmax_cross_entropy,
    squared_error,
)
from rnnlib.checkpointing import checkpointed_backward
from rnnlib.gradflow import (
    gated_backward,
    gated_forward,
    gated_gradient_products,
    gradient_norms_by_distance,
    hidden_jacobian,
    jacobian_products,
    scalar_bptt_truncated,
    scalar_gradient_products,
    scalar_step_factors,
)
from rnnlib.readout import (
    PARAMS as SEQ_PARAMS,
)
from rnnlib.readout import (
    linear_backward,
    linear_forward,
    sequence_backward,
    sequence_forward,
    sequence_loss,
)
from rnnlib.training import dataset_loss_and_grads

ag = pytest.importorskip("autograd", reason="autograd (a test dependency) is not installed")
anp = pytest.importorskip("autograd.numpy")

TOL = 1e-8
ZERO = 1e-14  # round-off of an exact 0 (see agree)
RNN = ("x", "h0", "Wx", "Wh", "b")

#: The worst rel_error seen for each function checked (for the record; the asserts decide).
WORST = {}


def agree(name, want, got, what="", tol=TOL):
    """``rel_error(want, got) < tol``, recording the error under ``name`` (``what``: which of the
    function's results, for the message).

    One exception: a quantity that is exactly 0 (the loss and gradient of a softmax over C = 1
    class) comes out of the reference as round-off (about 1e-17), where any relative error is 1;
    entries both below ``ZERO`` in size are taken as equal, and not recorded.
    """
    want, got = np.asarray(want, dtype=float), np.asarray(got, dtype=float)
    assert want.shape == got.shape, (name, what, want.shape, got.shape)
    if np.all(np.abs(want) < ZERO) and np.all(np.abs(got) < ZERO):
        return
    err = rel_error(want, got)
    WORST[name] = max(WORST.get(name, 0.0), err)
    assert err < tol, f"{name} {what}: rel_error {err:.3g} (autograd {want}, rnnlib {got})"


def grads(f, args):
    """``[df/d args[i] for every i]``, by autograd."""
    return [ag.grad(f, i)(*args) for i in range(len(args))]


# -- the scalar RNN (rnnlib.scalar): a_t = u·x_t + w·o_(t−1), o_t = tanh(a_t), ŷ_t = v·o_t -------
def ref_states(xs, us, ws, o0):
    """o_0..o_T with per-step copies u⁽ᵗ⁾ = us[t − 1] and w⁽ᵗ⁾ = ws[t − 1]."""
    o = [o0]
    for t in range(1, len(xs) + 1):
        o.append(anp.tanh(us[t - 1] * xs[t - 1] + ws[t - 1] * o[t - 1]))
    return o


def ref_loss_from(states, t0, y, v):
    """The loss terms of steps max(t0, 1)..T, from the states o_t0..o_T: ½(v·o_T − y)² for a
    scalar target, Σ_t ½(v·o_t − y_t)² for a target a step."""
    T = t0 + len(states) - 1
    every = np.ndim(y) == 1
    total = 0.0
    for t in range(max(t0, 1), T + 1):
        if every or t == T:
            total = total + 0.5 * (v * states[t - t0] - (y[t - 1] if every else y)) ** 2
    return total


def ref_scalar_loss(xs, y, us, ws, v, o0=0.0):
    return ref_loss_from(ref_states(xs, us, ws, o0), 0, y, v)


def ref_run(xs, u, w, t0, o_t0, t1):
    """The states o_t0..o_t1 from a given o_t0 (steps t0 + 1..t1): o_t1 as a function of o_t0."""
    o = [o_t0]
    for t in range(t0 + 1, t1 + 1):
        o.append(anp.tanh(u * xs[t - 1] + w * o[-1]))
    return o


def scalar_problem(T, seed, every, o0=False):
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-1.5, 1.5, size=T)
    u, w, v = rng.uniform(-1.5, 1.5, size=3)
    y = rng.uniform(-1, 1, size=T) if every else float(rng.uniform(-1, 1))
    o0 = float(rng.uniform(-0.8, 0.8)) if o0 else 0.0
    return xs, y, float(u), float(w), float(v), o0


scalar_cases = st.tuples(st.integers(1, 7), st.integers(0, 10**6), st.booleans())


@given(scalar_cases)
def test_scalar_backward_and_bptt(case):
    """backward: dL/du, dL/dw, dL/dv, δ_t = dL/do_t, and the per-step copies dL/dw⁽ᵗ⁾, dL/du⁽ᵗ⁾
    (the gradients of per-step copies u⁽ᵗ⁾, w⁽ᵗ⁾ that all equal u, w); bptt's (du, dw, dv)."""
    T, seed, every = case
    xs, y, u, w, v, _ = scalar_problem(T, seed, every)
    us, ws = np.full(T, u), np.full(T, w)
    dus, dws, dv = grads(lambda us, ws, v: ref_scalar_loss(xs, y, us, ws, v), (us, ws, v))
    du, dw = ag.grad(lambda u, w: ref_scalar_loss(xs, y, [u] * T, [w] * T, v), (0, 1))(u, w)
    o = ref_states(xs, us, ws, 0.0)
    delta = [
        ag.grad(lambda o_t, t=t: ref_loss_from(ref_run(xs, u, w, t, o_t, T), t, y, v))(o[t])
        for t in range(1, T + 1)
    ]

    fwd = scalar.forward(xs, u, w, v)
    g = scalar.backward(fwd, y)
    agree("scalar.backward", [du, dw, dv], [g.du, g.dw, g.dv], "du, dw, dv")
    agree("scalar.backward", dws, g.dw_steps, "dw_steps")
    agree("scalar.backward", dus, g.du_steps, "du_steps")
    agree("scalar.backward", delta, g.delta, "delta")
    y_hat = v * np.array(o[1:]) if every else v * o[T]
    dL_dyhat = ag.grad(lambda yh: 0.5 * anp.sum((yh - y) ** 2))(y_hat)
    agree("scalar.backward", dL_dyhat, g.dL_dyhat, "dL_dyhat")
    agree("scalar.bptt", [du, dw, dv], scalar.bptt(xs, y, u, w, v))
    agree("scalar.total_loss", ref_scalar_loss(xs, y, us, ws, v), scalar.total_loss(fwd, y))


@given(scalar_cases)
def test_scalar_backward_with_per_step_copies_of_w(case):
    """forward accepts w as T per-step copies that differ: dw_steps is then the gradient of each
    copy on its own (the lessons 03–04 question "what does one copy do")."""
    T, seed, every = case
    xs, y, u, _, v, _ = scalar_problem(T, seed, every)
    ws = np.random.default_rng(seed + 1).uniform(-1.5, 1.5, size=T)
    want = ag.grad(lambda ws: ref_scalar_loss(xs, y, [u] * T, ws, v))(ws)
    g = scalar.backward(scalar.forward(xs, u, ws, v), y)
    agree("scalar.backward", want, g.dw_steps, "dw_steps, copies differ")


@given(scalar_cases)
def test_scalar_input_grads(case):
    """input_grads: dL/dx_t and dL/do_0 (with an o_0 that is not 0)."""
    T, seed, every = case
    xs, y, u, w, v, o0 = scalar_problem(T, seed, every, o0=True)
    dxs, do0 = grads(lambda xs, o0: ref_scalar_loss(xs, y, [u] * T, [w] * T, v, o0), (xs, o0))
    got_dxs, got_do0 = scalar.input_grads(scalar.forward(xs, u, w, v, o0=o0), y)
    agree("scalar.input_grads", dxs, got_dxs, "dxs")
    agree("scalar.input_grads", do0, got_do0, "do0")


@given(scalar_cases)
def test_scalar_rtrl(case):
    """rtrl: (dL/du, dL/dw, dL/dv), one target or a target a step, any o_0."""
    T, seed, every = case
    xs, y, u, w, v, o0 = scalar_problem(T, seed, every, o0=True)
    want = grads(lambda u, w, v: ref_scalar_loss(xs, y, [u] * T, [w] * T, v, o0), (u, w, v))
    agree("scalar.rtrl", want, scalar.rtrl(xs, y, u, w, v, o0=o0))


@given(st.integers(1, 7), st.integers(0, 10**6))
def test_scalar_last_step_factors(T, seed):
    """last_step_factors: dL/do_T, do_T/da_T, da_T/dw⁽ᵀ⁾ and their product dL/dw⁽ᵀ⁾, each an
    autograd derivative of the map it names."""
    xs, y, u, w, v, _ = scalar_problem(T, seed, every=False)
    o = ref_states(xs, [u] * T, [w] * T, 0.0)
    a_T = u * xs[-1] + w * o[T - 1]
    got = scalar.last_step_factors(xs, y, u, w, v)
    agree(
        "scalar.last_step_factors",
        ag.grad(lambda o_T: 0.5 * (v * o_T - y) ** 2)(o[T]),
        got["dL_do_T"],
        "dL_do_T",
    )
    agree("scalar.last_step_factors", ag.grad(anp.tanh)(a_T), got["tanh_prime"], "tanh_prime")
    agree(
        "scalar.last_step_factors",
        ag.grad(lambda wT: u * xs[-1] + wT * o[T - 1])(w),
        got["o_prev"],
        "o_prev",
    )
    last_copy = ag.grad(lambda wT: ref_scalar_loss(xs, y, [u] * T, [w] * (T - 1) + [wT], v))(w)
    agree("scalar.last_step_factors", last_copy, got["dL_dw_T"], "dL_dw_T")


@given(scalar_cases)
def test_scalar_per_step_contributions(case):
    """per_step_contributions: dL/dw⁽ᵗ⁾ and their sum dL/dw, the step factors do_t/do_(t−1)
    and the reach do_T/do_t."""
    T, seed, every = case
    xs, y, u, w, v, _ = scalar_problem(T, seed, every)
    ws = np.full(T, w)
    dws = ag.grad(lambda ws: ref_scalar_loss(xs, y, [u] * T, ws, v))(ws)
    dw = ag.grad(lambda w: ref_scalar_loss(xs, y, [u] * T, [w] * T, v))(w)
    o = ref_states(xs, [u] * T, ws, 0.0)
    factor = [
        ag.grad(lambda o_prev, t=t: ref_run(xs, u, w, t - 1, o_prev, t)[-1])(o[t - 1])
        for t in range(1, T + 1)
    ]
    reach = [
        ag.grad(lambda o_t, t=t: ref_run(xs, u, w, t, o_t, T)[-1])(o[t]) for t in range(1, T + 1)
    ]
    got = scalar.per_step_contributions(xs, y, u, w, v)
    agree("scalar.per_step_contributions", dws, got["dw_steps"], "dw_steps")
    agree("scalar.per_step_contributions", dw, got["dw"], "dw")
    agree("scalar.per_step_contributions", factor, got["step_factor"], "step_factor")
    agree("scalar.per_step_contributions", reach, got["reach"], "reach")


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_scalar_loss_and_loss_grad(shape):
    """loss = ½(ŷ − y)² elementwise and loss_grad = dL/dŷ (each entry its own loss)."""
    rng = np.random.default_rng(len(shape))
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    want = ag.elementwise_grad(lambda yh: 0.5 * (yh - y) ** 2)(y_hat)
    agree("scalar.loss_grad", want, scalar.loss_grad(y_hat, y))
    agree("scalar.loss", 0.5 * (y_hat - y) ** 2, scalar.loss(y_hat, y))


# -- losses ------------------------------------------------------------------------------------
shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3)


@given(shapes, st.integers(0, 10**6))
def test_squared_error(shape, seed):
    """squared_error: L = ½ Σ (ŷ − y)² and dL/dŷ."""
    rng = np.random.default_rng(seed)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)

    def L(yh):
        return 0.5 * anp.sum((yh - y) ** 2)

    got_L, got_grad = squared_error(y_hat, y)
    agree("losses.squared_error", L(y_hat), got_L, "L")
    agree("losses.squared_error", ag.grad(L)(y_hat), got_grad, "dL/dy_hat")


def ref_log_softmax(z):
    """log softmax over the last axis, written plainly (no max shift: the tests' logits are
    moderate)."""
    return z - anp.log(anp.sum(anp.exp(z), axis=-1, keepdims=True))


@given(shapes, st.integers(1, 6), st.integers(0, 10**6), st.floats(-30, 30))
def test_softmax_cross_entropy(lead, C, seed, shift):
    """softmax_cross_entropy: L = −(1/M) Σ_m log softmax(z_m)[y_m] and dL/dz (z shifted by up to
    ±30, which changes nothing)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(*lead, C)) * 3 + shift
    targets = rng.integers(0, C, size=lead)
    onehot = np.eye(C)[targets]

    def L(z):
        return -anp.sum(onehot * ref_log_softmax(z)) / targets.size

    got_L, got_grad = softmax_cross_entropy(z, targets)
    agree("losses.softmax_cross_entropy", L(z), got_L, "L")
    agree("losses.softmax_cross_entropy", ag.grad(L)(z), got_grad, "dL/dlogits")


@given(shapes, st.integers(1, 6), st.integers(0, 10**6), st.floats(0.2, 5.0))
def test_softmax_with_temperature_is_the_gradient_of_log_sum_exp(lead, C, seed, tau):
    """softmax(z, τ) = ∇_z τ·log Σ_c exp(z_c/τ): softmax is itself a gradient."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(*lead, C)) * 2

    def lse(z):
        return tau * anp.sum(anp.log(anp.sum(anp.exp(z / tau), axis=-1)))

    agree("losses.softmax", ag.grad(lse)(z), softmax(z, temperature=tau))


# -- finite differences (rnnlib.gradcheck), the referee of the other test modules ---------------
@given(shapes, st.integers(1, 4), st.integers(0, 10**6))
def test_numerical_gradient(shape, K, seed):
    """numerical_gradient(f, x) of a scalar f, and with df the product J^T df of an array f, both
    against autograd to the accuracy of a central difference with ε = 1e-6 (rel_error < 1e-7)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*shape, 3))
    A, df = rng.normal(size=(3, K)), rng.normal(size=(*shape, K))

    def f(x):  # smooth and not quadratic: its central difference is not exact
        return anp.tanh(anp.dot(x, A)) + anp.sin(anp.dot(x, A))

    def scalar_f(x):
        return anp.sum(df * f(x))

    agree(
        "gradcheck.numerical_gradient",
        ag.grad(scalar_f)(x),
        numerical_gradient(scalar_f, x),
        "df None",
        tol=1e-7,
    )
    agree(
        "gradcheck.numerical_gradient",
        ag.grad(scalar_f)(x),
        numerical_gradient(f, x, df),
        "df given",
        tol=1e-7,
    )


# -- the training set's mean loss (rnnlib.training) ----------------------------------------------
@given(st.integers(1, 4), st.integers(1, 6), st.integers(0, 10**6), st.booleans())
def test_dataset_loss_and_grads(n, T, seed, every):
    """L = (1/n) Σ_i L_i and its gradient (du, dw, dv)."""
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-1.5, 1.5, size=(n, T))
    ys = rng.uniform(-1, 1, size=(n, T) if every else n)
    p = tuple(float(a) for a in rng.uniform(-1.5, 1.5, size=3))

    def L(u, w, v):
        return sum(ref_scalar_loss(xs[i], ys[i], [u] * T, [w] * T, v) for i in range(n)) / n

    got_L, got_grads = dataset_loss_and_grads(xs, ys, *p)
    agree("training.dataset_loss_and_grads", L(*p), got_L, "L")
    agree("training.dataset_loss_and_grads", grads(L, p), got_grads, "du, dw, dv")


# -- the matrix RNN: h_t = tanh(x_t Wx + h_(t−1) Wh + b) ---------------------------------------
def ref_hidden(x, h0, Wx, Wh, b, t0=0, t1=None):
    """The states h_t0..h_t1 from h_t0 = h0 (steps t0 + 1..t1, inputs x[:, t − 1])."""
    t1 = x.shape[1] if t1 is None else t1
    hs = [h0]
    for t in range(t0 + 1, t1 + 1):
        hs.append(anp.tanh(anp.dot(x[:, t - 1], Wx) + anp.dot(hs[-1], Wh) + b))
    return hs


sizes = rnn_sizes


@given(sizes)
def test_rnn_step_backward(s):
    """rnn_step_backward: dx, dh_prev, dWx, dWh, db of Σ dh_next * tanh(x Wx + h_prev Wh + b)."""
    N, _, D, H, seed = s
    p = rnn_problem(N, 1, D, H, seed)
    args = (p["x"][:, 0], p["h0"], p["Wx"], p["Wh"], p["b"])
    dnext = p["dh"][:, 0]

    def f(x, h, Wx, Wh, b):
        return anp.sum(dnext * anp.tanh(anp.dot(x, Wx) + anp.dot(h, Wh) + b))

    _, cache = rnn_step_forward(*args)
    for name, want, got in zip(RNN, grads(f, args), rnn_step_backward(dnext, cache), strict=True):
        agree("rnn_step_backward", want, got, name)


def windowed_objective(p, k):
    """Σ_t <dh_t, h̃_t>, h̃_t recomputed over steps t−k+1..t from h_(t−k): a constant (plain
    numpy, computed here without autograd) unless t ≤ k, where it is the variable h0."""
    held = ref_hidden(*[p[n] for n in RNN])  # plain floats: autograd does not see through them
    T = p["x"].shape[1]
    dh = p["dh"]

    def f(x, h0, Wx, Wh, b):
        total = 0.0
        for t in range(1, T + 1):
            start = max(t - k, 0)
            h = h0 if start == 0 else held[start]
            h_t = ref_hidden(x, h, Wx, Wh, b, start, t)[-1]
            total = total + anp.sum(dh[:, t - 1] * h_t)
        return total

    return f


@given(sizes, st.integers(1, 6))
def test_rnn_backward_truncated(s, k):
    """rnn_backward_truncated(k): the gradient of the windowed objective (stop-gradient at the
    state each window starts from)."""
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    args = tuple(p[n] for n in RNN)
    want = grads(windowed_objective(p, k), args)
    _, cache = rnn_forward(*args)
    got = rnn_backward_truncated(p["dh"], cache, k)
    for name, w, g in zip(RNN, want, got, strict=True):
        agree("rnn_backward_truncated", w, g, name)


@given(sizes, st.integers(1, 6))
def test_checkpointed_backward(s, k):
    """checkpointed_backward(k): the full BPTT gradient of Σ_t <dh_t, h_t>, for any k."""
    N, T, D, H, seed = s
    p = rnn_problem(N, T, D, H, seed)
    args = tuple(p[n] for n in RNN)

    def f(*args):
        return sum(anp.sum(p["dh"][:, t - 1] * h) for t, h in enumerate(ref_hidden(*args)) if t)

    got = checkpointed_backward(p["dh"], *args, k)
    for name, w, g in zip(RNN, grads(f, args), got, strict=True):
        agree("checkpointing.checkpointed_backward", w, g, name)


# -- gradient flow (rnnlib.gradflow) -------------------------------------------------------------
@given(scalar_cases)
def test_gradflow_scalar_factors_and_products(case):
    """scalar_step_factors: do_t/do_(t−1); scalar_gradient_products: do_T/do_(T−d), d = 0..T."""
    T, seed, _ = case
    xs, _, u, w, v, _ = scalar_problem(T, seed, every=False)
    o = ref_states(xs, [u] * T, [w] * T, 0.0)
    factor = [
        ag.grad(lambda o_prev, t=t: ref_run(xs, u, w, t - 1, o_prev, t)[-1])(o[t - 1])
        for t in range(1, T + 1)
    ]
    products = [
        ag.grad(lambda o_s, d=d: ref_run(xs, u, w, T - d, o_s, T)[-1])(o[T - d])
        for d in range(1, T + 1)
    ]
    fwd = scalar.forward(xs, u, w, v)
    agree("gradflow.scalar_step_factors", factor, scalar_step_factors(fwd))
    agree("gradflow.scalar_gradient_products", [1.0, *products], scalar_gradient_products(fwd))


def scalar_windowed_objective(xs, ys, k, base):
    """Σ_t ½(v·õ_t − y_t)², õ_t recomputed over steps t−k+1..t from o_(t−k), a constant from the
    plain (non-autograd) run ``base`` unless t ≤ k (then o_0 = 0)."""

    def f(u, w, v):
        total = 0.0
        for t in range(1, len(xs) + 1):
            start = max(t - k, 0)
            o_t = ref_run(xs, u, w, start, base[start], t)[-1]
            total = total + 0.5 * (v * o_t - ys[t - 1]) ** 2
        return total

    return f


@given(st.integers(1, 7), st.integers(0, 10**6), st.integers(1, 8))
def test_gradflow_scalar_bptt_truncated(T, seed, k):
    """scalar_bptt_truncated(k): the gradient of the scalar windowed objective."""
    xs, ys, u, w, v, _ = scalar_problem(T, seed, every=True)
    base = ref_states(xs, [u] * T, [w] * T, 0.0)
    want = grads(scalar_windowed_objective(xs, ys, k, base), (u, w, v))
    agree("gradflow.scalar_bptt_truncated", want, scalar_bptt_truncated(xs, ys, u, w, v, k))


@given(sizes)
def test_gradflow_hidden_jacobian(s):
    """hidden_jacobian(h_t, Wh) = ∂h_t/∂h_(t−1), one row and a batch of N rows."""
    N, _, D, H, seed = s
    p = rnn_problem(N, 1, D, H, seed, scale=1.0)
    xw = p["x"][:, 0] @ p["Wx"] + p["b"]
    h_t = np.tanh(xw + p["h0"] @ p["Wh"])
    want = [
        ag.jacobian(lambda h, n=n: anp.tanh(xw[n] + anp.dot(h, p["Wh"])))(p["h0"][n])
        for n in range(N)
    ]
    agree("gradflow.hidden_jacobian", want[0], hidden_jacobian(h_t[0], p["Wh"]))
    agree("gradflow.hidden_jacobian", want, hidden_jacobian(h_t, p["Wh"]))


@given(sizes)
def test_gradflow_jacobian_products_and_norms(s):
    """jacobian_products: ∂h_T/∂h_(T−d); gradient_norms_by_distance: ‖∂(g_T·h_T)/∂h_(T−d)‖."""
    _, T, D, H, seed = s
    p = rnn_problem(1, T, D, H, seed, scale=1.0)
    hs = np.array(ref_hidden(*[p[n] for n in RNN]))[:, 0]  # (T + 1, H), h_0..h_T
    g_T = p["dh"][0, -1]

    def h_T(h, d):  # h_T as a function of h_(T−d)
        return ref_hidden(p["x"], h[None], p["Wx"], p["Wh"], p["b"], T - d, T)[-1][0]

    jac = [ag.jacobian(h_T)(hs[T - d], d) for d in range(T + 1)]
    norms = [
        np.linalg.norm(ag.grad(lambda h, d=d: anp.dot(g_T, h_T(h, d)))(hs[T - d]))
        for d in range(T + 1)
    ]
    agree("gradflow.jacobian_products", jac, jacobian_products(hs, p["Wh"]))
    agree(
        "gradflow.gradient_norms_by_distance", norms, gradient_norms_by_distance(hs, p["Wh"], g_T)
    )


def ref_gated(xs, u, w, z, t0, o_t0, t1):
    """o_t0..o_t1 of o_t = (1 − z)·o_(t−1) + z·tanh(u·x_t + w·o_(t−1)), from o_t0."""
    o = [o_t0]
    for t in range(t0 + 1, t1 + 1):
        o.append((1 - z) * o[-1] + z * anp.tanh(u * xs[t - 1] + w * o[-1]))
    return o


@given(st.integers(1, 7), st.integers(0, 10**6), st.floats(0.05, 1.0))
def test_gradflow_gated_unit(T, seed, z):
    """gated_backward: dL/du, dL/dw, dL/dz, dL/dv and δ_t = dL/do_t for L = ½(v·o_T − y)²;
    gated_forward's states; gated_gradient_products: do_T/do_(T−d)."""
    xs, y, u, w, v, o0 = scalar_problem(T, seed, every=False, o0=True)

    def L(u, w, z, v, o_t=o0, t0=0):
        return 0.5 * (v * ref_gated(xs, u, w, z, t0, o_t, T)[-1] - y) ** 2

    o = ref_gated(xs, u, w, z, 0, o0, T)
    deltas = [ag.grad(L, 4)(u, w, z, v, o[t], t) for t in range(T + 1)]
    products = [
        ag.grad(lambda o_s, d=d: ref_gated(xs, u, w, z, T - d, o_s, T)[-1])(o[T - d])
        for d in range(T + 1)
    ]
    fwd = gated_forward(xs, u, w, z, o0=o0)
    np.testing.assert_allclose(fwd.o, o, rtol=1e-13, atol=1e-15)
    g = gated_backward(fwd, y, v)
    agree(
        "gradflow.gated_backward",
        grads(L, (u, w, z, v)),
        [g.du, g.dw, g.dz, g.dv],
        "du, dw, dz, dv",
    )
    agree("gradflow.gated_backward", deltas, g.deltas, "deltas")
    agree("gradflow.gated_gradient_products", products, gated_gradient_products(fwd))


# -- the read-out (rnnlib.readout): z_t = h_t Wy + by ------------------------------------------
@given(shapes, st.integers(1, 4), st.integers(1, 4), st.integers(0, 10**6))
def test_readout_linear_backward(lead, H, K, seed):
    """linear_backward: dh, dW, dc of Σ dz * (h W + c), over any leading positions."""
    rng = np.random.default_rng(seed)
    h, W, c = rng.normal(size=(*lead, H)), rng.normal(size=(H, K)), rng.normal(size=K)
    dz = rng.normal(size=(*lead, K))

    def f(h, W, c):
        return anp.sum(dz * (anp.dot(h, W) + c))

    _, cache = linear_forward(h, W, c)
    got = linear_backward(dz, cache)
    for name, want, g in zip(("dh", "dW", "dc"), grads(f, (h, W, c)), got, strict=True):
        agree("readout.linear_backward", want, g, name)


def seq_problem(N, T, D, H, K, seed):
    rng = np.random.default_rng(seed)
    p = {
        "Wx": rng.normal(size=(D, H)) * 0.5 / np.sqrt(D),
        "Wh": rng.normal(size=(H, H)) * 0.5 / np.sqrt(H),
        "b": rng.normal(size=H) * 0.1,
        "Wy": rng.normal(size=(H, K)),
        "by": rng.normal(size=K) * 0.1,
    }
    return p, rng.normal(size=(N, T, D)), rng.normal(size=(N, H)) * 0.5, rng


def ref_outputs(Wx, Wh, b, Wy, by, h0, x):
    """z (N, T, K) of the RNN with a read-out, and h_T."""
    hs = ref_hidden(x, h0, Wx, Wh, b)[1:]
    return anp.dot(anp.stack(hs, axis=1), Wy) + by, hs[-1]


ORDER = (*SEQ_PARAMS, "h0")
# (N, T, D, H, K, seed): an RNN problem and a read-out of K outputs
seq_sizes = st.tuples(*(st.integers(1, top) for top in (3, 4, 3, 4, 4)), st.integers(0, 10**6))


@given(seq_sizes)
def test_readout_sequence_backward(s):
    """sequence_backward: the gradient of Σ <dz_t, z_t> for every parameter and h0."""
    params, x, h0, rng = seq_problem(*s)
    dz = rng.normal(size=(*x.shape[:2], params["Wy"].shape[1]))

    def f(*args):
        return anp.sum(dz * ref_outputs(*args, x)[0])

    args = (*[params[k] for k in SEQ_PARAMS], h0)
    want = dict(zip(ORDER, grads(f, args), strict=True))
    _, cache = sequence_forward(params, x, h0)
    got = sequence_backward(dz, cache)
    assert set(got) == set(ORDER)
    for k in ORDER:
        agree("readout.sequence_backward", want[k], got[k], k)


@given(seq_sizes, st.sampled_from(["squared", "softmax"]))
def test_readout_sequence_loss(s, loss):
    """sequence_loss: L averaged over the M = N·T positions (½‖z − y‖², or softmax
    cross-entropy against class ids), its gradients, and the last state h_T."""
    params, x, h0, rng = seq_problem(*s)
    N, T, K = *x.shape[:2], params["Wy"].shape[1]
    if loss == "squared":
        targets = rng.normal(size=(N, T, K))
    else:
        targets = rng.integers(0, K, size=(N, T))
        onehot = np.eye(K)[targets]

    def L(*args):
        z = ref_outputs(*args, x)[0]
        if loss == "squared":
            return anp.sum(0.5 * (z - targets) ** 2) / (N * T)
        return -anp.sum(onehot * ref_log_softmax(z)) / (N * T)

    args = (*[params[k] for k in SEQ_PARAMS], h0)
    got_L, got, h_last = sequence_loss(params, x, targets, loss, h0=h0)
    agree("readout.sequence_loss", L(*args), got_L, "L")
    for k, want in zip(ORDER, grads(L, args), strict=True):
        agree("readout.sequence_loss", want, got[k], k)
    np.testing.assert_allclose(h_last, ref_outputs(*args, x)[1], rtol=1e-13, atol=1e-15)


def test_char_model_loss_and_gradients_agree_with_torch_where_installed():
    """The character model's pieces together (one-hot inputs, the RNN, a read-out and softmax
    cross-entropy at every step, averaged) against torch's autograd."""
    torch = pytest.importorskip("torch", reason="torch not installed: optional cross-check")
    N, T, V, H = 3, 7, 6, 5
    params, _, h0, rng = seq_problem(N, T, V, H, V, seed=11)
    ids = rng.integers(0, V, size=(N, T + 1))
    x, targets = np.eye(V)[ids[:, :-1]], ids[:, 1:]
    tp = {k: torch.tensor(params[k], requires_grad=True) for k in SEQ_PARAMS}
    th0 = torch.tensor(h0, requires_grad=True)
    tx = torch.tensor(x)
    h, zs = th0, []
    for t in range(T):
        h = torch.tanh(tx[:, t] @ tp["Wx"] + h @ tp["Wh"] + tp["b"])
        zs.append(h @ tp["Wy"] + tp["by"])
    z = torch.stack(zs, 1)
    tL = torch.nn.functional.cross_entropy(z.reshape(N * T, V), torch.tensor(targets).reshape(-1))
    tL.backward()
    got_L, got, h_last = sequence_loss(params, x, targets, "softmax", h0=h0)
    agree("readout.sequence_loss (torch)", tL.item(), got_L, "L", 1e-12)
    for k in SEQ_PARAMS:
        agree("readout.sequence_loss (torch)", tp[k].grad.numpy(), got[k], k, 1e-10)
    agree("readout.sequence_loss (torch)", th0.grad.numpy(), got["h0"], "h0", 1e-10)
    agree("readout.sequence_loss (torch)", h.detach().numpy(), h_last, "h_last", 1e-12)
