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
            lambda: rnnlib.softmax_cross_entropy(np.ones((0, 3)), np.zeros(0, int)),
            r"targets: expected at least one position to average over, got shape \(0,\)",
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


def _none_where_x1_moved(z):
    return None if z[1] != 2.0 else float(z.sum())  # like an f whose `return` sits in a branch


@pytest.mark.parametrize(
    "f, df, match",
    [
        (_none_where_x1_moved, None, r"f: expected f\(x\) to return a number, got None at x\[1\]"),
        (lambda z: "0.5", None, r"f: expected f\(x\) to return real numbers, got str"),
        (lambda z: 1j * z.sum(), None, r"f: expected f\(x\) to return real numbers, got complex"),
        (
            lambda z: np.log(z[0] - 1.0),
            None,
            r"f: expected a finite f\(x\), got nan at x\[0\] − eps",
        ),
        (
            lambda z: np.array([z[0], np.inf]),
            np.ones(2),
            r"f: expected a finite f\(x\), got \[.*inf\]",
        ),
    ],
)
def test_numerical_gradient_names_what_f_returned(f, df, match):
    # Each of these used to come back as a silent NaN gradient (np.array(None, dtype=float) is
    # nan) or as numpy's own error about some array element
    x = np.array([1.0, 2.0])
    with np.errstate(invalid="ignore", divide="ignore"), pytest.raises(ValueError, match=match):
        rnnlib.numerical_gradient(f, x, df=df)
    np.testing.assert_array_equal(x, [1.0, 2.0])  # restored


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_numerical_gradient_refuses_a_point_too_coarse_for_its_step(dtype):
    # d/dx Σx² = 2x = (2, 0.6): float16 gave (0, 0) (1 + 1e-6 rounds to 1), float32 (1.97, 0.60)
    x = np.array([1.0, 0.3], dtype=dtype)
    with pytest.raises(
        ValueError, match=rf"x: expected a float64 ndarray, got dtype {dtype.__name__}"
    ):
        rnnlib.numerical_gradient(lambda z: float(np.sum(z**2)), x)
    g = rnnlib.numerical_gradient(lambda z: float(np.sum(z**2)), x.astype(float))
    np.testing.assert_allclose(g, 2 * x.astype(float), rtol=1e-8)


@pytest.mark.parametrize(
    ("eps", "match"),
    [
        (None, r"^eps: expected a real number \(a scalar\), got None"),  # was a TypeError
        ("1e-6", r"^eps: expected a real number \(a scalar\), got str"),  # from np.isfinite
        (True, r"^eps: expected a real number \(a scalar\), got bool"),  # was a step of 1
        (0.0, r"^eps: expected a positive step \(a small number\), got 0.0"),
        (np.nan, r"^eps: expected a finite number, got nan"),
    ],
)
def test_numerical_gradient_names_a_bad_step(eps, match):
    with pytest.raises(ValueError, match=match):
        rnnlib.numerical_gradient(lambda z: float(z.sum()), np.ones(2), eps=eps)


def test_numerical_gradient_names_f_that_is_not_a_function():
    # numerical_gradient(None, x) was "TypeError: 'NoneType' object is not callable"; the learner
    # who swaps the arguments passes the array as f
    with pytest.raises(ValueError, match=r"^f: expected a function, called as f\(x\), got None"):
        rnnlib.numerical_gradient(None, np.ones(2))
    with pytest.raises(ValueError, match=r"^f: expected a function, .* got an array of dtype"):
        rnnlib.numerical_gradient(np.ones(2), lambda z: float(z.sum()))


def test_numerical_gradient_names_an_upstream_gradient_that_is_not_finite():
    # df = [nan, 1] gave the gradient [nan, nan], silently
    with pytest.raises(ValueError, match=r"^df: expected finite values, got nan at index \(0,\)"):
        rnnlib.numerical_gradient(lambda z: 2 * z, np.ones(2), df=np.array([np.nan, 1.0]))


def test_numerical_gradient_of_an_empty_point_is_empty():
    # np.nditer raised "Iteration of zero-sized operands is not enabled"; with no entry to move,
    # the gradient has no entry either (of the point's shape)
    g = rnnlib.numerical_gradient(lambda z: float(z.sum()), np.ones((2, 0)))
    assert g.shape == (2, 0)


@pytest.mark.parametrize(
    ("check", "good", "bad", "message"),
    [
        # > 0: zero is refused (a learning rate of 0 trains nothing)
        (
            "as_positive",
            [1e-300, 2, np.float32(0.5)],
            0.0,
            r"^lr: expected a positive rate, got 0.0",
        ),
        # >= 0: zero is accepted (no noise at all), the smallest negative is refused
        ("as_nonnegative", [0, 0.0, -0.0, 3], -1e-300, r"^lr: expected a rate >= 0, got -1e-300"),
    ],
)
def test_sign_checks_name_the_argument(check, good, bad, message):
    from rnnlib import _validate

    f = getattr(_validate, check)
    for value in good:
        assert f("lr", value, "rate") == float(value)
        assert type(f("lr", value, "rate")) is float
    with pytest.raises(ValueError, match=message):
        f("lr", bad, "rate")
    with pytest.raises(ValueError, match=r"^lr: expected a finite number, got nan"):
        f("lr", float("nan"), "rate")
