"""Every bad input gets a ValueError naming the argument, the expected shape and the actual one."""

import re

import numpy as np
import pytest

import rnnlib
from rnnlib import scalar

N, T, D, H = 2, 3, 4, 5
ok = dict(
    x=np.zeros((N, T, D)),
    h0=np.zeros((N, H)),
    Wx=np.zeros((D, H)),
    Wh=np.zeros((H, H)),
    b=np.zeros(H),
)


def with_(**kw):
    return {**ok, **kw}


def nan_at(shape, idx):
    a = np.zeros(shape)
    a[idx] = np.nan
    return a


FORWARD_CASES = [
    # (arguments, words the message must contain)
    (with_(x=np.zeros((N, D))), ["x", "3-d", "(N, T, D)", "(2, 4)"]),
    (with_(h0=np.zeros((N + 1, H))), ["h0", "(N, H) = (2, 5)", "(3, 5)"]),
    (with_(Wx=np.zeros((D + 1, H))), ["Wx", "(D, H) = (4, 5)", "(5, 5)"]),
    (with_(Wh=np.zeros((H, H + 1))), ["Wh", "(H, H) = (5, 5)", "(5, 6)"]),
    (with_(b=np.zeros(H + 2)), ["b", "(H,) = (5,)", "(7,)"]),
    (with_(b=np.zeros((1, H))), ["b", "1-d", "(1, 5)"]),
    (with_(x=nan_at((N, T, D), (1, 2, 3))), ["x", "finite", "nan", "(1, 2, 3)"]),
    (with_(Wh=np.full((H, H), np.inf)), ["Wh", "finite", "inf"]),
    (with_(x=None), ["x", "None"]),
    (with_(Wx="abc"), ["Wx", "numbers"]),
]


@pytest.mark.parametrize("args, words", FORWARD_CASES)
def test_rnn_forward_bad_input(args, words):
    with pytest.raises(ValueError) as e:
        rnnlib.rnn_forward(**args)
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_step_forward_bad_input():
    with pytest.raises(ValueError, match=re.escape("h_prev: expected shape (N, H) = (2, 5)")):
        rnnlib.rnn_step_forward(np.zeros((N, D)), np.zeros((3, H)), ok["Wx"], ok["Wh"], ok["b"])
    with pytest.raises(ValueError, match=r"x: expected a 2-d array of shape \(N, D\)"):
        rnnlib.rnn_step_forward(ok["x"], ok["h0"], ok["Wx"], ok["Wh"], ok["b"])


def test_backward_bad_upstream():
    h, cache = rnnlib.rnn_forward(**ok)
    with pytest.raises(ValueError, match=re.escape("dh: expected shape (N, T, H) = (2, 3, 5)")):
        rnnlib.rnn_backward(np.zeros((N, T, H + 1)), cache)
    with pytest.raises(ValueError, match="dh: expected finite"):
        rnnlib.rnn_backward(nan_at((N, T, H), (0, 0, 0)), cache)
    with pytest.raises(ValueError, match="k: expected an integer >= 1, got 0"):
        rnnlib.rnn_backward_truncated(np.zeros((N, T, H)), cache, 0)
    _, c1 = rnnlib.rnn_step_forward(np.zeros((N, D)), ok["h0"], ok["Wx"], ok["Wh"], ok["b"])
    with pytest.raises(ValueError, match=re.escape("dh_next: expected shape (N, H) = (2, 5)")):
        rnnlib.rnn_step_backward(np.zeros((H, N)), c1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: scalar.forward([], 1, 1, 1), r"xs: expected a 1-d sequence .* got shape \(0,\)"),
        (lambda: scalar.forward([[1.0]], 1, 1, 1), r"xs: .*shape \(T,\), got shape \(1, 1\)"),
        (lambda: scalar.forward([1.0, np.nan], 1, 1, 1), r"xs: expected finite values, got nan"),
        (lambda: scalar.forward([1.0], None, 1, 1), r"u: expected a real number .*got None"),
        (
            lambda: scalar.forward([1.0], 1, [1, 2], 1),
            r"w: expected a real number .* shape \(T,\) = \(1,\), got shape \(2,\)",
        ),
        (lambda: scalar.forward([1.0], 1, 1, np.inf), r"v: expected a finite number, got inf"),
        (
            lambda: scalar.backward(scalar.forward([1.0, 2.0], 1, 1, 1), [1.0, 2.0, 3.0]),
            r"y: expected a scalar target .* shape \(T,\) = \(2,\), got shape \(3,\)",
        ),
        (lambda: rnnlib.clip_grad_norm([np.ones(2)], 0), r"max_norm: expected a positive"),
        (lambda: rnnlib.clip_grad_norm(np.ones(2), 1), r"grads: expected a list of arrays"),
        (
            lambda: rnnlib.clip_grad_norm([np.ones(2), np.array([np.nan])], 1),
            r"grads\[1\]: expected finite",
        ),
        (
            lambda: rnnlib.sgd_step(np.ones(2), np.ones(3), 0.1),
            r"grad: expected the shape of param, \(2,\), got \(3,\)",
        ),
        (lambda: rnnlib.sgd_step(1.0, 1.0, -1), r"lr: expected a positive learning rate"),
        (lambda: rnnlib.squared_error(np.ones(2), np.ones(3)), r"y: expected the shape of y_hat"),
        (
            lambda: rnnlib.softmax_cross_entropy(np.ones((2, 3)), np.array([0, 3])),
            r"targets: expected class indices in 0..2",
        ),
        (
            lambda: rnnlib.softmax_cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
            r"targets: expected integer class indices",
        ),
        (
            lambda: rnnlib.softmax_cross_entropy(np.ones((2, 3)), np.array([0])),
            r"targets: expected shape \(2,\)",
        ),
        (
            lambda: rnnlib.numerical_gradient(lambda z: z.sum(), np.array([1, 2])),
            r"x: expected a float ndarray",
        ),
        (
            lambda: rnnlib.numerical_gradient(lambda z: z, np.array([1.0, 2.0])),
            r"f: expected a scalar output when df is None",
        ),
        (lambda: rnnlib.rel_error(np.ones(2), np.ones(3)), r"b: expected the shape of a"),
    ],
)
def test_bad_input_messages(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(z):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        rnnlib.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
