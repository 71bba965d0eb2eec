"""Every public function of the learner's library over extreme magnitudes (1e-300 to 1e300).

The property: a call either returns finite numbers or raises ``ValueError`` (``NumericOverflow``
for a result too large for float64) with a message that names what overflowed; never inf or NaN
handed back silently, never another exception from deep inside numpy. Where a result has a
closed form that does not overflow, it is checked against an independent computation
(``math.hypot`` for norms).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from rnnlib import gradflow, scalar

# Floats of every magnitude, both signs, and exact zeros.
magnitude = st.integers(-300, 300).map(lambda e: 10.0**e)
extreme = st.builds(
    lambda m, s, f: s * m * f, magnitude, st.sampled_from([-1.0, 1.0]), st.floats(1.0, 9.99)
)
value = st.one_of(extreme, st.just(0.0), st.floats(-3, 3))


def arrays(shape):
    n = int(np.prod(shape))
    return st.lists(value, min_size=n, max_size=n).map(lambda v: np.array(v).reshape(shape))


def finite_or_named_error(call, names):
    """Run ``call``; return its result if finite, else the ValueError, whose message must start
    with one of ``names``. RuntimeWarnings on the way (numpy's overflow notes) are tolerated."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            out = call()
        except ValueError as err:
            assert str(err).split(":")[0] in names, str(err)
            return err
    leaves = out if isinstance(out, tuple | list) else [out]
    for leaf in leaves:
        if isinstance(leaf, list):
            assert all(np.isfinite(a).all() for a in leaf)
        elif isinstance(leaf, np.ndarray | float | int | np.floating):
            assert np.isfinite(leaf).all(), out
    return out


@given(st.lists(arrays((3,)), min_size=1, max_size=3), magnitude)
def test_clip_grad_norm_is_exact_at_every_magnitude(grads, max_norm):
    clipped, total = rnnlib.clip_grad_norm(grads, max_norm)
    want = math.hypot(*np.concatenate(grads))  # Python's own overflow-safe norm
    assert total == pytest.approx(want, rel=1e-12)
    assert rnnlib.global_norm(grads) == pytest.approx(want, rel=1e-12)
    got = math.hypot(*np.concatenate(clipped))
    assert got == pytest.approx(min(want, max_norm), rel=1e-12, abs=0)
    for g, c in zip(grads, clipped, strict=True):  # same direction: c = g · (one factor),
        assert np.all((np.sign(c) == np.sign(g)) | (c == 0))  # or 0 where g · factor underflows


@pytest.mark.parametrize(
    ("grads", "max_norm", "want", "total"),
    [
        ([3e154, 4e154], 1.0, [0.6, 0.8], 5e154),  # squares overflow
        ([3e-170, 4e-170], 1e-200, [6e-201, 8e-201], 5e-170),  # squares underflow to 0
        ([3.0, 4.0], 10.0, [3.0, 4.0], 5.0),  # below the threshold: unchanged
    ],
)
def test_clip_grad_norm_issue_examples(grads, max_norm, want, total):
    clipped, t = rnnlib.clip_grad_norm([np.array(grads)], max_norm)
    np.testing.assert_allclose(clipped[0], want, rtol=1e-14)
    assert t == pytest.approx(total, rel=1e-14)


def test_a_norm_above_the_largest_float_still_clips_right():
    clipped, total = rnnlib.clip_grad_norm([np.array([1.5e308, 1.5e308])], 2.0)
    assert total == math.inf  # the norm, 2.1e308, is not a float64
    np.testing.assert_allclose(clipped[0], [math.sqrt(2), math.sqrt(2)], rtol=1e-14)


@given(
    arrays((2, 3, 2)),
    arrays((2, 2)),
    arrays((2, 2)),
    arrays((2, 2)),
    arrays((2,)),
    arrays((2, 3, 2)),
)
def test_rnn_forward_backward(x, h0, Wx, Wh, b, dh):
    out = finite_or_named_error(lambda: rnnlib.rnn_forward(x, h0, Wx, Wh, b), {"a_t"})
    if isinstance(out, ValueError):
        return
    h, cache = out
    assert np.all(np.abs(h) <= 1.0)  # tanh
    finite_or_named_error(lambda: rnnlib.rnn_backward(dh, cache), {"dx", "dh0", "dWx", "dWh", "db"})
    finite_or_named_error(
        lambda: rnnlib.rnn_backward_truncated(dh, cache, 2), {"dx", "dh0", "dWx", "dWh", "db"}
    )


@pytest.mark.parametrize("backward", ["rnn_backward", "rnn_backward_truncated"])
def test_a_sequence_backward_names_its_overflowing_dh0(backward):
    """One step with h_0 = h_1 = 0 (tanh' = 1): da_1 = dh_1 = 1e10, and dh0 = da_1 Wh^T =
    1e10 · 1e300 overflows while dx = da_1 Wx^T = 1e10, dWx = x^T da_1 = 1e10, dWh = h_0^T da_1 =
    0 and db = 1e10 stay finite. The message names the sequence's dh0, not a step's dh_prev."""
    one = np.ones((1, 1, 1))
    cache = rnnlib.RNNCache(one, np.zeros((2, 1, 1)), np.ones((1, 1)), np.full((1, 1), 1e300))
    args = (1e10 * one, cache) + ((1,) if backward == "rnn_backward_truncated" else ())
    # (numpy warns of the overflow it computes; the test is about rnnlib's error after it)
    with (
        np.errstate(over="ignore"),
        pytest.raises(rnnlib.NumericOverflow, match=r"^dh0: the gradient overflows"),
    ):
        getattr(rnnlib, backward)(*args)


@given(arrays((2, 2)), arrays((2, 3)), arrays((2, 3)), arrays((3, 3)), arrays((3,)), arrays((2, 3)))
def test_rnn_step_forward_backward(x, h, Wx, Wh, b, dh):
    out = finite_or_named_error(lambda: rnnlib.rnn_step_forward(x, h, Wx, Wh, b), {"a_t"})
    if isinstance(out, ValueError):
        return
    h_next, cache = out
    assert np.all(np.abs(h_next) <= 1.0)
    finite_or_named_error(
        lambda: rnnlib.rnn_step_backward(dh, cache), {"dx", "dh_prev", "dWx", "dWh", "db"}
    )


@given(arrays((4,)), value, value, value, value, value)
def test_scalar_model(xs, y, u, w, v, o0):
    fwd = finite_or_named_error(lambda: scalar.forward(xs, u, w, v, o0), {"a_t"})
    if isinstance(fwd, ValueError):
        return
    assert np.all(np.abs(fwd.o[1:]) <= 1.0) and np.isfinite(fwd.y_hat)
    finite_or_named_error(lambda: scalar.total_loss(fwd, y), {"L"})
    finite_or_named_error(lambda: scalar.backward(fwd, y), {"backward"})
    finite_or_named_error(lambda: scalar.bptt(xs, y, u, w, v), {"backward"})
    finite_or_named_error(lambda: scalar.loss(fwd.y_hat, y), {"loss"})
    finite_or_named_error(lambda: scalar.loss_grad(fwd.y_hat, y), {"loss_grad"})


@given(arrays((3,)), arrays((3,)), magnitude)
def test_sgd_step_and_clip_value(p, g, lr):
    finite_or_named_error(lambda: rnnlib.sgd_step(p, g, lr), {"lr"})
    clipped = rnnlib.clip_grad_value([g], lr)[0]
    assert np.all(np.abs(clipped) <= lr)


@given(arrays((2, 3)), st.integers(0, 2))
def test_losses(z, k):
    p = rnnlib.softmax(z)
    assert np.isfinite(p).all() and np.allclose(p.sum(-1), 1.0)
    L, dz = rnnlib.softmax_cross_entropy(z, np.array([k, 2 - k]))
    assert math.isfinite(L) and L >= 0 and np.isfinite(dz).all()
    finite_or_named_error(lambda: rnnlib.squared_error(z, np.zeros_like(z)), {"loss"})


@given(arrays((3,)), arrays((3,)))
def test_rel_error(a, b):
    r = finite_or_named_error(lambda: rnnlib.rel_error(a, b), set())
    assert 0.0 <= r <= 1.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: rnnlib.rnn_forward(
                np.ones((1, 1, 1)) * 1j,
                np.zeros((1, 1)),
                np.ones((1, 1)),
                np.ones((1, 1)),
                np.zeros(1),
            ),
            "x: expected real numbers",
        ),
        (lambda: rnnlib.rnn_backward(np.ones((1, 1, 1)), None), "cache: expected the cache"),
        (lambda: scalar.forward([1j, 2], 0.5, 0.5, 0.5), "xs: expected real numbers"),
        (lambda: scalar.backward(None, 0.5), "fwd: expected the Forward"),
        (lambda: scalar.total_loss(scalar.forward([1, 2], 0.5, 0.5, 1e200), 0.0), "L: overflows"),
        (lambda: scalar.bptt([1, 2, 3], 0.5, 0.5, 0.5, 1e308), "backward: the gradient overflows"),
        # u·x_1 = 1, o_1 = tanh(1): dL/du⁽¹⁾ = δ_1·(1 − o_1²)·x_1 ≈ 3.2e19 · 1e300 overflows while
        # δ_1, dL/dw (o_0 = 0) and dL/dv are finite; it came back as dL/du = inf
        (lambda: scalar.bptt([1e300], 0.0, 1e-300, 0.0, 1e10), "backward: the gradient overflows"),
        # a target at every step, u·x_t = 1, w = 0: each dL/du⁽ᵗ⁾ = (v·o_1)·v·(1 − o_1²)·x_t is
        # 3.2e7 · 5e300 = 1.6e308, finite, and their sum 3.2e308 is not
        (
            lambda: scalar.bptt([5e300, 5e300], [0.0, 0.0], 2e-301, 0.0, 1e4),
            "backward: the gradient overflows",
        ),
        (lambda: rnnlib.clip_grad_norm([np.array([1j])], 1.0), r"grads\[0\]: expected real"),
        (lambda: rnnlib.clip_grad_value([np.array([1j])], 1.0), r"grads\[0\]: expected real"),
        (lambda: rnnlib.sgd_step(np.ones(2) * 1j, np.ones(2), 0.1), "param: expected real"),
        (lambda: rnnlib.sgd_step(1j, 1.0, 0.1), "param: expected a real number"),
        (lambda: scalar.loss(0.5, np.ones(3)), "y: expected one target per prediction"),
        (lambda: scalar.loss_grad(1e308, -1e308), "loss_grad: ŷ − y overflows float64: ŷ = 1e"),
        (
            lambda: scalar.loss_grad(np.array([0.0, -1e308]), np.array([0.0, 1e308])),
            r"loss_grad: ŷ − y overflows float64 at index \(1,\)",
        ),
        (lambda: scalar.loss(np.array([1e200]), np.zeros(1)), r"loss: overflows float64"),
        (lambda: scalar.loss(1e308, -1e308), "loss: ŷ − y overflows float64"),
        # a_1 = u·x_1 = 1e200 · 1e200 = 1e400 > 1.8e308: tanh would hide it as o_1 = 1
        (
            lambda: scalar.forward([1e200], 1e200, 0.5, 1.0),
            r"^a_t: u·x_t \+ w·o_\(t−1\) overflows float64",
        ),
        # a NaN prediction or target is named as such, not as an overflow of ŷ − y
        (lambda: scalar.loss(np.array([np.nan]), np.zeros(1)), r"y_hat: expected finite values"),
        (lambda: scalar.loss_grad(np.zeros(2), [0.0, np.inf]), r"y: expected finite values"),
        # dL/dx_1 = δ_1·(1 − o_1²)·u = 1e150 · 1 · 1e200 (o_1 = tanh(1e-200·1e200) = tanh 1)
        (
            lambda: scalar.input_grads(scalar.forward([1e-200], 1e200, 0.5, 1e150), 0.0),
            r"^input_grads: the gradient overflows float64",
        ),
        # δ_T = (v·o_T − y)·v with v = 1e200: (1e200·0.76)·1e200 is past 1.8e308
        (
            lambda: gradflow.gated_backward(gradflow.gated_forward([1.0], 1.0, 0.5, 1.0), 0, 1e200),
            r"^gated_backward: the gradient overflows float64",
        ),
        # u·x_1 = 1e200·1e200: the candidate's pre-activation (was c_1 = tanh(inf) = 1, silently)
        (
            lambda: gradflow.gated_forward([1e200], 1e200, 0.5, 0.5),
            r"^a_t: u·x_t \+ w·o_\(t−1\) overflows float64",
        ),
    ],
)
def test_the_reported_bad_inputs_get_a_clear_error(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning or RuntimeWarning on the way
        with pytest.raises(ValueError, match=match):
            call()


def test_an_inf_minus_inf_pre_activation_is_named_not_returned_as_nan():
    # x Wx = 1e200 · 1e200 = +inf and h_prev Wh = −1e200 · 1e200 = −inf: a = inf − inf = NaN,
    # and tanh(NaN) = NaN would come back as a state (numpy's overflow warning is tolerated)
    big = [[1e200]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(
            rnnlib.NumericOverflow, match=r"^a_t: the pre-activation .*\(inf − inf\)"
        ):
            rnnlib.rnn_step_forward(big, [[-1e200]], big, big, [0.0])
        with pytest.raises(
            rnnlib.NumericOverflow, match=r"^a_t: the pre-activation .*\(inf − inf\)"
        ):
            rnnlib.rnn_forward([big], [[-1e200]], big, big, [0.0])


@pytest.mark.parametrize(
    "fn",
    [
        lambda d: scalar.loss(d, 0.0),
        lambda d: float(scalar.loss(np.array([d]), np.array([0.0]))[0]),
        lambda d: scalar.total_loss(scalar.forward([0.0], 1.0, 0.0, 1.0), -d),
        lambda d: rnnlib.squared_error(np.array([d]), np.array([0.0]))[0],
    ],
    ids=["scalar", "array", "total_loss", "squared_error"],
)
def test_half_the_squared_error_is_given_wherever_it_is_a_float(fn):
    """½(1.5e154)² = 1.125e308 is below the largest float (1.797e308), though (1.5e154)² is not:
    every loss gives it, scalars and arrays alike (the array path once squared first and
    refused it); ½(2e154)² = 2e308 is above, and named."""
    assert fn(1.5e154) == pytest.approx(1.125e308, rel=1e-12)
    with pytest.raises(rnnlib.NumericOverflow, match="overflows float64"):
        fn(2e154)
