"""rnnlib's input checks: every bad entry named, huge-but-finite values accepted.

The finiteness test of an array of more than 16 numbers first forms its sum of squares, a · a (a
finite one proves every entry finite), and looks entry by entry only when that is not finite. These
tests put a bad value in every argument, in small and in large arrays, and huge-but-finite values
whose squares and sums overflow (which must pass), so that the shortcut cannot weaken the check.
"""

import re
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import rnnlib
from rnnlib import checkpointing, data, gradflow, readout, sampling, scalar, training
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


# -- adversarial inputs (a fuzz of every public function): each was a crash inside numpy or
# Python, an error naming no argument, or a silent wrong answer --------------------------------

HUGE = 10**400  # a Python int no float64 holds


@pytest.mark.parametrize(
    "call",
    [
        lambda v: scalar.forward([1.0, 2.0], v, 0.5, 0.5),
        lambda v: rnnlib.sgd_step(1.0, 1.0, v),
        lambda v: rnnlib.softmax(np.ones(3), v),
        lambda v: rnnlib.clip_grad_norm([np.ones(2)], v),
        lambda v: scalar.loss(v, 0.5),
    ],
)
@pytest.mark.parametrize("v", [HUGE, -HUGE, np.longdouble("1e400")], ids=["int", "-int", "ld"])
def test_a_number_beyond_float64_is_named(call, v):
    # float(10**400) was "OverflowError: int too large to convert to float"; a longdouble 1e400
    # was called "inf"
    with pytest.raises(ValueError, match=r"^\w+: expected a number within float64's range"):
        call(v)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda r: rnnlib.sgd_step(r, np.ones(2), 0.1), "param"),
        (lambda r: scalar.forward([1.0, 2.0], 0.5, r, 0.5), "w"),
        (lambda r: scalar.loss(r, 0.5), "y_hat"),
        (lambda r: scalar.last_step_factors([1.0, 2.0], r, 0.5, 0.5, 0.5), "y"),
        (lambda r: scalar.forward([1.0, 2.0], r, 0.5, 0.5), "u"),
        (lambda r: rnnlib.softmax_cross_entropy(np.ones((2, 3)), r), "targets"),
        (lambda r: data.one_hot(r, 3), "ids"),
        (lambda r: data.decode(r, "abc"), "ids"),
        (lambda r: data.next_step_windows(np.arange(9.0), 2, r), "starts"),
        (lambda r: data.stream_windows(r, 1, 1), "series"),
        (lambda r: sampling.sample(readout.init_params(3, 2, 3), r, 2), "prompt_ids"),
        (lambda r: training.train_stateful(PARAMS_1(), np.ones((1, 1, 2, 1)), r, 0.1), "targets"),
    ],
)
def test_a_ragged_list_is_named(call, name):
    # numpy's own "setting an array element with a sequence. The requested array has an
    # inhomogeneous shape ..." named no argument
    with pytest.raises(ValueError, match=rf"^{name}: expected .*numpy cannot read it as one array"):
        call([[0, 1], [1]])


def PARAMS_1():  # noqa: N802 (a model of one value a step)
    return readout.init_params(1, 2, 1)


def test_a_ragged_list_of_window_lengths_is_named():
    _, cache = rnnlib.rnn_forward(*arrays(*SMALL).values())
    with pytest.raises(ValueError, match=r"^ks: expected .*numpy cannot read it as one array"):
        gradflow.truncation_curve(np.ones((1, 2, 2)), cache, [[1], [1, 2]])


def test_masked_entries_are_refused_and_a_mask_with_none_is_a_plain_array():
    # np.asarray drops the mask: the hidden value under it (here 999) was used as data
    x = np.ma.array([[[1.0, 999.0]]], mask=[[[False, True]]])
    h0, Wx, Wh, b = np.zeros((1, 1)), np.ones((2, 1)), np.ones((1, 1)), np.zeros(1)
    with pytest.raises(ValueError, match=r"^x: expected .* without masked entries, got a masked "):
        rnnlib.rnn_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"^targets: expected .* without masked entries"):
        rnnlib.softmax_cross_entropy(np.ones((2, 3)), np.ma.array([0, 1], mask=[0, 1]))
    h, _ = rnnlib.rnn_forward(np.ma.array([[[1.0, 2.0]]]), h0, Wx, Wh, b)
    np.testing.assert_allclose(h[0, 0, 0], np.tanh(3.0))  # tanh(1 + 2) by hand
    assert type(h) is np.ndarray


def test_lists_of_real_numbers_of_any_kind_are_read_and_others_named():
    # every list of Fractions was "expected an array of real numbers, got an array of dtype
    # object", the same words for [10**400] and for [None]
    got = checked_arrays(x=([Fraction(1, 2), Fraction(3, 2)], "N"))[0][0]
    np.testing.assert_array_equal(got, [0.5, 1.5])
    assert got.dtype == np.float64
    with pytest.raises(ValueError, match=r"^x: expected an array of real numbers, got None at"):
        checked_arrays(x=([1.0, None], "N"))
    with pytest.raises(ValueError, match=r"^x: expected .* got Decimal\('0.5'\) at index \(0,\)"):
        checked_arrays(x=([Decimal("0.5")], "N"))
    with pytest.raises(
        ValueError, match=r"^x: expected a number within float64's range .* got int about 1e400 at"
    ):
        checked_arrays(x=([1.0, HUGE], "N"))


def test_a_longdouble_beyond_float64_is_finite_not_a_crash():
    # the few-numbers path of the finiteness test read 1e400 as the float inf, then found no
    # index to name: "IndexError: index 0 is out of bounds for axis 0 with size 0"
    big = np.array([np.longdouble("1e400")])
    check_finite("a", big)  # passes: it is finite (in longdouble)
    L, dy = rnnlib.squared_error(np.array([np.longdouble(1.0)]), np.array([np.longdouble(0.5)]))
    assert L == pytest.approx(0.125)


@pytest.mark.parametrize(
    ("call", "made_by"),
    [
        (lambda c: rnnlib.rnn_backward(np.ones((1, 1, 1)), c), "rnn_forward"),
        (lambda c: rnnlib.rnn_step_backward(np.ones((1, 1)), c), "rnn_step_forward"),
        (lambda c: readout.linear_backward(np.ones((1, 1)), c), "linear_forward"),
    ],
)
def test_a_cache_of_the_right_length_but_no_arrays_is_named(call, made_by):
    # a tuple of lists was "AttributeError: 'list' object has no attribute 'shape'"
    n = {"rnn_forward": 4, "rnn_step_forward": 5, "linear_forward": 2}[made_by]
    with pytest.raises(
        ValueError, match=rf"^cache: expected the cache returned by {made_by} .* item 0 is list"
    ):
        call(tuple([[1.0]] for _ in range(n)))


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"Wh": None}, r"^params\['Wh'\]: expected an array of real numbers, got None"),
        ({"Wh": np.ones(3)}, r"^params\['Wh'\]: expected a 2-d array of shape \(H, H\) = \(3, 3\)"),
        ({"Wh": np.array(1.0)}, r"^params\['Wh'\]: expected a 2-d array"),
        ({"Wy": np.ones((5, 2))}, r"^params\['Wy'\]: expected shape \(H, K\) = \(3, 2\)"),
        ({"b": "abc"}, r"^params\['b'\]: expected an array of real numbers, got str"),
        ({"by": [np.nan, 0.0]}, r"^params\['by'\]: expected finite values, got nan"),
    ],
)
def test_every_entry_of_the_parameters_is_checked_by_name(bad, match):
    # None, text, a 0-d Wh: "AttributeError: 'NoneType' object has no attribute 'shape'",
    # "IndexError: tuple index out of range", numpy's "could not convert string to float" or
    # its matmul message (sampling)
    params = {**readout.init_params(2, 3, 2), **bad}
    for call in (
        lambda: readout.sequence_forward(params, np.ones((1, 2, 2))),
        lambda: training.train_sequence_model(params, [], 0.1),
        lambda: sampling.sample({**readout.init_params(2, 3, 2), **bad}, [0], 2),
    ):
        with pytest.raises(ValueError, match=match):
            call()


def test_parameters_given_as_lists_are_read():
    params = readout.init_params(2, 3, 2)
    as_lists = {k: v.tolist() for k, v in params.items()}
    want = readout.sequence_forward(params, np.ones((1, 2, 2)))[0]
    np.testing.assert_array_equal(readout.sequence_forward(as_lists, np.ones((1, 2, 2)))[0], want)
    np.testing.assert_array_equal(
        sampling.sample(as_lists, [0], 5), sampling.sample(params, [0], 5)
    )


def test_states_held_takes_any_integer():
    # math.ceil(T / k) was "OverflowError: integer division result too large for a float"
    assert checkpointing.states_held(HUGE, 3) == (HUGE + 2) // 3 + 3  # ⌈T/k⌉ + k


def test_gradient_norms_by_distance_checks_wh():
    # only hs was checked: a NaN in Wh came back as NaN norms, silently
    Wh = np.eye(2)
    Wh[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"^Wh: expected finite values, got nan at index \(1, 0\)"):
        gradflow.gradient_norms_by_distance(np.zeros((3, 2)), Wh, np.ones(2))


def test_numerical_gradient_names_a_read_only_or_non_finite_point():
    # a read-only x was numpy's "operand array with iterator write flag set is read-only"; a NaN
    # in x was blamed on f ("f: expected a finite f(x), got nan at x[0] + eps")
    x = np.ones(2)
    x.flags.writeable = False
    with pytest.raises(ValueError, match=r"^x: expected a writable array .* pass x.copy\(\)"):
        rnnlib.numerical_gradient(lambda z: float(z.sum()), x)
    with pytest.raises(ValueError, match=r"^x: expected finite values, got nan at index \(1,\)"):
        rnnlib.numerical_gradient(lambda z: float(z.sum()), np.array([1.0, np.nan]))


def test_valid_word_fraction_names_words_that_are_no_collection():
    # "TypeError: 'int' object is not iterable"
    with pytest.raises(ValueError, match=r"^words: expected a collection of words .* got 5"):
        data.valid_word_fraction("the cat", words=5)


def test_the_target_and_input_windows_are_named_by_their_own_names():
    # a NaN target was "y: expected finite values" (squared_error's name for it); a NaN input of
    # train_stateful "x: ..." at an index inside one window
    params = readout.init_params(2, 3, 2)
    y = np.zeros((1, 2, 2))
    y[0, 1, 1] = np.nan
    with pytest.raises(ValueError, match=r"^targets: expected finite values, got nan at index"):
        readout.sequence_loss(params, np.ones((1, 2, 2)), y)
    inputs = np.ones((2, 1, 2, 2))
    inputs[1, 0, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"^inputs: expected finite .* index \(1, 0, 0, 0\)"):
        training.train_stateful(params, inputs, np.zeros((2, 1, 2, 2)), 0.1, loss="squared")


def test_a_negative_count_too_long_to_print_is_named():
    # f"{n}" of an int of more than 4300 digits raises Python's own ValueError ("Exceeds the
    # limit (4300 digits) for integer string conversion")
    with pytest.raises(ValueError, match=r"^k: expected an integer >= 1, got an int too long"):
        checkpointing.states_held(3, -(10**5000))


def test_changing_the_states_returned_does_not_change_the_gradients():
    # h was a writable view of the cache's states (and h_next the cache's own array): `h *= 0.5`
    # by the caller changed what rnn_backward then computed, silently. h is now read-only (no
    # copy: a copy of every state costs about 1% of a forward + backward at the largest size)
    a = arrays(*SMALL, fill=0.3)
    dh = np.ones((1, 2, 2))
    h, cache = rnnlib.rnn_forward(**a)
    want = rnnlib.rnn_backward(dh, cache)
    with pytest.raises(ValueError, match="read-only"):
        h *= 0.5
    h = h.copy()  # what the docstring says to do
    h *= 0.5
    for g, w in zip(rnnlib.rnn_backward(dh, cache), want, strict=True):
        np.testing.assert_array_equal(g, w)
    h_next, step_cache = rnnlib.rnn_step_forward(a["x"][:, 0], a["h0"], a["Wx"], a["Wh"], a["b"])
    want = rnnlib.rnn_step_backward(dh[:, 0], step_cache)
    h_next += 1.0
    for g, w in zip(rnnlib.rnn_step_backward(dh[:, 0], step_cache), want, strict=True):
        np.testing.assert_array_equal(g, w)


# -- error paths no other test reached (a coverage run), each with its message ----------------


def test_encode_names_a_vocab_that_is_not_a_nonempty_str():
    for vocab in (123, ""):
        with pytest.raises(ValueError, match=r"^vocab: expected a non-empty str of characters"):
            data.encode("abc", vocab)


def test_one_hot_refuses_float_ids_even_whole_ones():
    with pytest.raises(ValueError, match=r"^ids: expected integer class ids, got dtype float64"):
        data.one_hot([0.0, 1.0], 3)


def test_numerical_gradient_names_an_upstream_gradient_of_the_wrong_shape():
    with pytest.raises(
        ValueError, match=r"^df: expected shape \(2,\) \(the shape of f\(x\)\), got"
    ):
        rnnlib.numerical_gradient(lambda x: 2 * x, np.ones(2), df=np.ones(3))


def test_jacobian_products_names_a_recurrent_weight_that_is_not_square():
    with pytest.raises(ValueError, match=r"^Wh: expected a square array .* got shape \(2, 3\)"):
        gradflow.jacobian_products(np.zeros((3, 2)), np.ones((2, 3)))


@pytest.mark.parametrize("call", ["gated_backward", "gated_gradient_products"])
def test_the_gated_units_backward_names_what_it_got_instead_of_a_forward_result(call):
    args = ("fwd", 1.0, 1.0) if call == "gated_backward" else ("fwd",)
    with pytest.raises(ValueError, match=r"^fwd: expected the result of gated_forward, got str$"):
        getattr(gradflow, call)(*args)


def test_rtrl_says_when_its_gradient_overflows():
    with pytest.raises(rnnlib.NumericOverflow, match=r"^rtrl: the gradient overflows float64"):
        scalar.rtrl(scalar.EXAMPLE["xs"], 0.5, 0.5, 0.5, 1e300)


def test_train_scalar_stops_when_an_update_overflows():
    """lr = 1e308 times a gradient above 1: the weight overflows, training stops and says so."""
    xs, ys = data.decaying_sum_task(n=4, T=3, decay=0.5)
    r = training.train_scalar(xs, 1000 * ys, 0.5, 0.5, 0.5, lr=1e308, epochs=3)
    assert r.diverged and r.diverged_at == 1
    assert r.message.startswith("diverged at epoch 1: a weight is no longer a finite number")


def test_a_str_in_an_object_array_is_named_with_its_type_and_index():
    with pytest.raises(
        ValueError, match=r"^a: expected an array of real numbers, got str 'abc' at"
    ):
        rnnlib.rel_error(np.array([1.0, "abc"], dtype=object), np.ones(2))


@pytest.mark.skipif(
    bool(np.isinf(np.longdouble("1e400"))), reason="this platform's longdouble is float64"
)
def test_a_longdouble_beyond_float64_is_named_without_a_warning():
    x = np.array([[[np.longdouble("1e400")]]], dtype=object)
    one = np.ones((1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "overflow encountered in cast" came first
        with pytest.raises(ValueError, match=r"^x: expected a number within float64's range"):
            rnnlib.rnn_forward(x, np.zeros((1, 1)), one, one, np.zeros(1))
