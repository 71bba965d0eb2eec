"""rnnlib's input checks: every bad entry named, huge-but-finite values accepted.

The finiteness test of an array of more than 16 numbers first forms its sum of squares, a · a (a
finite one proves every entry finite), and looks entry by entry only when that is not finite. These
tests put a bad value in every argument, in small and in large arrays, and huge-but-finite values
whose squares and sums overflow (which must pass), so that the shortcut cannot weaken the check.
"""

import re

import numpy as np
import pytest

import rnnlib
from rnnlib import checkpointing, data, gradflow, readout, sampling, training
from rnnlib._validate import check_finite, checked_arrays

NAMES = ("x", "h0", "Wx", "Wh", "b")
SMALL = (1, 2, 1, 2)  # every array has at most 16 entries
LARGE = (3, 4, 5, 6)  # x, h0, Wx, Wh have more than 16 entries


def arrays(N, T, D, H, fill=0.1):
    shapes = {"x": (N, T, D), "h0": (N, H), "Wx": (D, H), "Wh": (H, H), "b": (H,)}
    return {k: np.full(s, fill) for k, s in shapes.items()}


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_every_non_finite_entry_is_named(size, name, bad):
    a = arrays(*size)
    idx = tuple(s - 1 for s in a[name].shape)  # the last entry
    a[name][idx] = bad
    with pytest.raises(ValueError) as e:
        rnnlib.rnn_forward(**a)
    msg = str(e.value)
    assert msg.startswith(f"{name}: expected finite values, got {bad}"), msg
    assert str(idx) in msg, msg


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_plus_and_minus_infinity_together_are_caught(size):
    a = arrays(*size)
    a["x"][0, 0, 0], a["x"][-1, -1, -1] = np.inf, -np.inf  # their sum is NaN, not a number
    with pytest.raises(ValueError, match=r"x: expected finite values, got inf at index \(0, 0, 0"):
        rnnlib.rnn_forward(**a)


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_finite_values_pass(size, dtype):
    """Totals overflow (1e200² in float64, 1e30² in float32; 2·1e308 as a sum), values are fine."""
    huge = {np.float64: 1e308, np.float32: 1e38}[dtype]
    a = {k: v.astype(dtype) for k, v in arrays(*size).items()}
    a["x"][...] = huge
    a["Wx"][...] = 0.0  # keep the model's own arithmetic finite
    h, _ = rnnlib.rnn_forward(**a)
    # h_1 = tanh(x_1 Wx + h0 Wh + b) with Wx = 0: by hand
    want = np.tanh(a["h0"] @ a["Wh"] + a["b"])
    np.testing.assert_allclose(h[:, 0], want, rtol=1e-6)


@pytest.mark.parametrize("n", [3, 40])
def test_check_finite_single_arrays(n):
    a = np.linspace(-1.0, 1.0, n)
    check_finite("a", a)  # passes
    check_finite("a", np.full(n, 1e200))  # squares overflow, values finite: passes
    for bad in (np.nan, np.inf, -np.inf):
        b = a.copy()
        b[1] = bad
        want = rf"a: expected finite values, got {bad} at index \(1,\)"
        with pytest.raises(ValueError, match=want):
            check_finite("a", b)


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_upstream_gradient_checked(size):
    a = arrays(*size)
    _, cache = rnnlib.rnn_forward(**a)
    N, T, _, H = size
    dh = np.ones((N, T, H))
    dh[-1, -1, -1] = np.nan
    with pytest.raises(ValueError, match="dh: expected finite values, got nan"):
        rnnlib.rnn_backward(dh, cache)
    with pytest.raises(ValueError, match="dh: expected finite values, got nan"):
        rnnlib.rnn_backward_truncated(dh, cache, 1)


def test_shape_errors_come_before_finiteness_errors():
    """As with the plain checks: types, then shapes, then values."""
    a = arrays(*SMALL)
    a["x"][0, 0, 0] = np.nan
    a["Wh"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"Wh: expected shape \(H, H\) = \(2, 2\)"):
        rnnlib.rnn_forward(**a)
    a["b"] = "abc"
    with pytest.raises(ValueError, match="b: expected an array of real numbers, got str"):
        rnnlib.rnn_forward(**a)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix, on purpose
def test_non_arrays_are_converted_and_checked():
    h, _ = rnnlib.rnn_forward([[[1.0]]], [[0.0]], [[2]], [[0.5]], [0.0])
    np.testing.assert_allclose(h[0, 0, 0], np.tanh(2.0))  # tanh(1·2 + 0·0.5 + 0) by hand
    with pytest.raises(ValueError, match=r"h0: expected finite values, got inf at index \(0, 0\)"):
        rnnlib.rnn_forward([[[1.0]]], [[float("inf")]], [[2]], [[0.5]], [0.0])
    m = np.asmatrix(np.ones((2, 2)))  # an ndarray subclass becomes a plain float array
    h, _ = rnnlib.rnn_forward(np.ones((2, 1, 2)), m, m, m, np.zeros(2))
    assert type(h) is np.ndarray


def test_none_is_named_none():
    # "got None", the word a learner wrote, not "got NoneType"
    with pytest.raises(ValueError, match=r"^b: expected an array of real numbers, got None$"):
        rnnlib.rnn_forward([[[1.0]]], [[0.0]], [[2.0]], [[0.5]], None)


def test_a_single_value_that_is_not_finite_is_named():
    # a 0-d array has no index to show: the message gives the value alone
    with pytest.raises(ValueError, match=r"^a: expected a finite value, got nan$"):
        check_finite("a", np.array(np.nan))
    # one target for every prediction (it broadcasts): a NaN target is named, not reported as
    # an overflow of ŷ − y
    with pytest.raises(ValueError, match=r"^y: expected a finite value, got inf$"):
        rnnlib.scalar.loss(np.zeros(2), np.array(np.inf))


def test_step_forward_names_its_own_arguments():
    a = arrays(*SMALL)
    x, h, Wx, Wh, b = a["x"][:, 0], a["h0"].copy(), a["Wx"], a["Wh"], a["b"]
    h[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"h_prev: expected finite values, got nan"):
        rnnlib.rnn_step_forward(x, h, Wx, Wh, b)


def test_checked_arrays_returns_arrays_and_sizes():
    p, q = np.zeros((3, 2)), [[1, 2]]
    (p2, q2), sizes = checked_arrays(p=(p, "NH"), q=(q, "MH"))
    assert p2 is p and sizes == {"N": 3, "H": 2, "M": 1}
    np.testing.assert_array_equal(q2, [[1.0, 2.0]])
    assert q2.dtype == np.float64
    with pytest.raises(ValueError, match=r"q: expected shape \(M, H\) = \(M, 2\) \(H = 2 from p\)"):
        checked_arrays(p=(p, "NH"), q=([[1.0, 2.0, 3.0]], "MH"))
    with pytest.raises(ValueError, match=r"q: expected finite values, got nan at index \(0, 1\)"):
        checked_arrays(p=(p, "NH"), q=([[1.0, np.nan]], "MH"))


@pytest.mark.parametrize("bad", [1j, np.ones(2, complex), [1 + 0j]])
def test_complex_numbers_are_rejected_by_name(bad):
    """numpy would drop the imaginary part with only a ComplexWarning: a silent wrong answer."""
    with pytest.raises(ValueError, match="x: expected real numbers, got complex numbers"):
        checked_arrays(x=(bad, "N" * np.ndim(bad)))


@pytest.mark.parametrize("shape", [(2, 0, 3), (0, 2, 3)])
def test_an_empty_batch_or_a_sequence_of_no_steps_is_named_at_the_forward(shape):
    # rnn_forward accepted T = 0 and N = 0; rnn_backward then met numpy's "cannot reshape array
    # of size 0 into shape (0,newaxis)", and sequence_loss a ZeroDivisionError (the mean over
    # N·T = 0 positions)
    N = shape[0]
    x, h0, Wx, Wh, b = np.zeros(shape), np.zeros((N, 4)), np.zeros((3, 4)), np.eye(4), np.zeros(4)
    want = r"^x: expected N >= 1 sequences of T >= 1 steps, shape \(N, T, D\), got shape"
    with pytest.raises(ValueError, match=want):
        rnnlib.rnn_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match=want):
        checkpointing.checkpointed_backward(np.zeros((N, shape[1], 4)), x, h0, Wx, Wh, b, 2)
    params = readout.init_params(3, 4, 2)
    with pytest.raises(ValueError, match=want):
        readout.sequence_loss(params, x, np.zeros((*shape[:2], 2)))


SEEDED = {
    "decaying_sum_task": lambda seed: data.decaying_sum_task(seed=seed),
    "periodic_signal": lambda seed: data.periodic_signal(seed=seed),
    "tiny_corpus": lambda seed: data.tiny_corpus(seed=seed),
    "random_batches": lambda seed: data.random_batches(np.arange(10), 3, 2, 1, seed=seed),
    "init_params": lambda seed: readout.init_params(2, 3, 2, seed=seed),
    "scaled_orthogonal": lambda seed: gradflow.scaled_orthogonal(3, 1.0, seed=seed),
    "long_sequence_problem": lambda seed: gradflow.long_sequence_problem(1.0, seed=seed),
    "sample": lambda seed: sampling.sample(readout.init_params(3, 4, 3), [0], 2, seed=seed),
    "train_char_model": lambda seed: training.train_char_model(steps=1, seed=seed),
}


@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize(
    ("seed", "shown"), [(1.5, "1.5"), ("0", "'0'"), (True, "True"), (-1, "-1"), (None, "None")]
)
def test_every_seed_is_an_integer_at_least_0(name, seed, shown):
    # np.random.default_rng(1.5) was "TypeError: SeedSequence expects int or sequence of ints";
    # -1 "ValueError: expected non-negative integer" (naming no argument); True seeded with 1;
    # None drew a different stream on every run, where the docstrings promise the same one
    with pytest.raises(
        ValueError, match=rf"^seed: expected an integer >= 0, got {re.escape(shown)}"
    ):
        SEEDED[name](seed)
