"""The RNN with a read-out (rnnlib.readout: read-out, sequence loss), its training
(rnnlib.training.train_sequence_model, rnnlib.optim.adagrad_step) and sampling (rnnlib.sampling).

Gradients are checked against finite differences of a forward pass written here with np.tanh
(not rnnlib's); losses against their formulas; training against an update computed by hand;
sampling against the distribution it should draw from.
"""

import numpy as np
import pytest

from rnnlib import data, numerical_gradient, optim, readout, rel_error, sampling, training

TOL = 1e-7


def forward_by_hand(p, x, h0=None):
    """z (N, T, K) and h (N, T, H) of the sequence model, written out with a loop."""
    N, T, _ = x.shape
    h = np.zeros((N, p["Wh"].shape[0])) if h0 is None else h0
    hs = []
    for t in range(T):
        h = np.tanh(x[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"])
        hs.append(h)
    hs = np.stack(hs, axis=1)
    return hs @ p["Wy"] + p["by"], hs


def squared_loss_by_hand(p, x, y, h0=None):
    z, _ = forward_by_hand(p, x, h0)
    return 0.5 * np.sum((z - y) ** 2) / (x.shape[0] * x.shape[1])


def softmax_loss_by_hand(p, x, y, h0=None):
    z, _ = forward_by_hand(p, x, h0)
    total = 0.0
    for n in range(y.shape[0]):
        for t in range(y.shape[1]):
            zz = z[n, t]
            total += -(zz[y[n, t]] - np.log(np.sum(np.exp(zz))))
    return total / y.size


def problem(loss, N=2, T=4, D=3, H=5, K=2, seed=0):
    rng = np.random.default_rng(seed)
    if loss == "softmax":
        D = K
    p = readout.init_params(D, H, K, seed=seed)
    p["Wy"] = rng.normal(size=(H, K))  # larger than the init, so no gradient is tiny
    p["b"] = rng.normal(size=H) * 0.1
    p["by"] = rng.normal(size=K) * 0.1
    if loss == "softmax":
        x = data.one_hot(rng.integers(0, K, size=(N, T)), K)
        y = rng.integers(0, K, size=(N, T))
    else:
        x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, K))
    return p, x, y, rng.normal(size=(N, H)) * 0.5


# -- the read-out ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 5, 3), (1, 1, 3), (2, 2, 2, 3)])
def test_linear_forward_and_backward(shape):
    rng = np.random.default_rng(len(shape))
    h, W, c = rng.normal(size=shape), rng.normal(size=(3, 4)), rng.normal(size=4)
    z, cache = readout.linear_forward(h, W, c)
    np.testing.assert_allclose(z, np.einsum("...h,hk->...k", h, W) + c, rtol=1e-13)
    dz = rng.normal(size=z.shape)
    got = readout.linear_backward(dz, cache)
    for arr, g in zip((h, W, c), got, strict=True):
        assert g.shape == arr.shape
        want = numerical_gradient(lambda _: readout.linear_forward(h, W, c)[0], arr, dz)
        assert rel_error(want, g) < TOL


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: readout.linear_forward(np.ones((2, 4)), np.ones((3, 5)), np.ones(5)),
            r"^h: expected shape \(\.\.\., H\) with H = 3 \(from W\), got shape \(2, 4\)",
        ),
        (
            lambda: readout.linear_forward(np.ones((2, 3)), np.ones((3, 5)), np.ones(4)),
            r"^c: expected shape",
        ),
        (
            lambda: readout.linear_forward(np.ones((2, 3)), np.ones((3, 5)) * np.nan, np.ones(5)),
            r"^W: expected finite values",
        ),
        (
            lambda: readout.linear_backward(np.ones((2, 4)), (np.ones((2, 3)), np.ones((3, 5)))),
            r"^dz: expected shape \(\.\.\., K\) = \(2, 5\)",
        ),
        (
            lambda: readout.linear_backward(
                np.array([[0.0, np.nan]]), (np.ones((1, 3)), np.ones((3, 2)))
            ),
            r"^dz: expected finite values, got nan at index \(0, 1\)",
        ),
    ],
)
def test_linear_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- the sequence model ----------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["squared", "softmax"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sequence_loss_value_and_gradients(loss, seed):
    p, x, y, h0 = problem(loss, seed=seed, N=1 + seed, T=2 + seed)
    by_hand = squared_loss_by_hand if loss == "squared" else softmax_loss_by_hand
    L, grads, h_last = readout.sequence_loss(p, x, y, loss, h0=h0)
    assert L == pytest.approx(by_hand(p, x, y, h0), rel=1e-12)
    np.testing.assert_allclose(h_last, forward_by_hand(p, x, h0)[1][:, -1], rtol=1e-12)
    for name in readout.PARAMS:
        want = numerical_gradient(lambda _: by_hand(p, x, y, h0), p[name])
        assert grads[name].shape == p[name].shape
        assert rel_error(want, grads[name]) < TOL, (loss, name)
    want = numerical_gradient(lambda _: by_hand(p, x, y, h0), h0)
    assert rel_error(want, grads["h0"]) < TOL


def test_sequence_forward_matches_the_loop():
    p, x, _, h0 = problem("squared", N=3, T=6)
    z, cache = readout.sequence_forward(p, x, h0)
    z_hand, h_hand = forward_by_hand(p, x, h0)
    np.testing.assert_allclose(z, z_hand, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cache[0], h_hand, rtol=1e-12, atol=1e-14)


def test_init_params_shapes_and_scale():
    p = readout.init_params(3, 64, 5, scale=0.7, seed=2)
    assert {k: v.shape for k, v in p.items()} == {
        "Wx": (3, 64),
        "Wh": (64, 64),
        "b": (64,),
        "Wy": (64, 5),
        "by": (5,),
    }
    rho = np.max(np.abs(np.linalg.eigvals(p["Wh"])))
    assert 0.55 < rho < 0.85  # ≈ scale (circular law), for H = 64
    assert not p["b"].any() and not p["by"].any()


def test_init_params_input_and_output_scales():
    # the docstring's Wx ~ N(0, 1/D) and Wy ~ N(0, 0.01/H), over n = 10 000 entries each: the
    # standard error of a sample variance is √(2/n) = 1.4 % of it, so 5 % is 3.5 of them
    D, H, K = 50, 200, 50
    p = readout.init_params(D, H, K, seed=3)
    assert p["Wx"].var() == pytest.approx(1 / D, rel=0.05)
    assert p["Wy"].var() == pytest.approx(0.01 / H, rel=0.05)
    assert abs(p["Wx"].mean()) < 3 * np.sqrt(1 / D / p["Wx"].size)


def test_init_params_spectral_radius_scatters_around_scale():
    # what init_params's docstring says: at H = 48, rho(Wh) is 0.9-1.3 × scale over seeds and
    # D (which draws first), near scale only on average
    rhos = np.array(
        [
            np.max(np.abs(np.linalg.eigvals(readout.init_params(D, 48, 2, 2.0, seed)["Wh"]))) / 2
            for seed in range(20)
            for D in (1, 23, 30)
        ]
    )
    assert 0.9 < rhos.min() and rhos.max() < 1.3 and abs(rhos.mean() - 1) < 0.1
    assert rhos.max() > 1.15  # not ≈ scale for every draw


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: readout.init_params(0, 3, 2), r"^D: expected an integer >= 1, got 0"),
        (lambda: readout.init_params(2, 3.0, 2), r"^H: expected an integer >= 1"),
        (
            lambda: readout.sequence_loss(
                readout.init_params(1, 2, 1), np.ones((1, 3, 1)), np.ones((1, 3, 1)), loss="l1"
            ),
            r"^loss: expected 'squared' or 'softmax', got 'l1'",
        ),
        (
            lambda: readout.sequence_loss(
                readout.init_params(1, 2, 1), np.ones((1, 3, 1)), np.ones((1, 2, 1))
            ),
            r"^targets: expected shape \(N, T, K\) = \(1, 3, 1\), got \(1, 2, 1\)",
        ),
        (
            lambda: readout.sequence_forward({"Wx": 1}, np.ones((1, 3, 1))),
            r"^params: expected a dict with keys",
        ),
        (
            lambda: readout.sequence_forward(readout.init_params(1, 2, 1), np.ones((3, 1))),
            r"^x: expected a 3-d array of shape \(N, T, D\)",
        ),
        (  # a number has no first axis for the zeros h0 (it was an IndexError)
            lambda: readout.sequence_forward(readout.init_params(1, 2, 1), 0.5),
            r"^x: expected a 3-d array of shape \(N, T, D\), got shape \(\)",
        ),
        (
            lambda: readout.sequence_forward(readout.init_params(2, 2, 1), np.ones((1, 3, 1))),
            r"^Wx: expected shape",
        ),
    ],
)
def test_sequence_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- training --------------------------------------------------------------------------------------


def test_adagrad_step_by_hand():
    param, grad, mem = np.array([1.0, -2.0]), np.array([0.5, 3.0]), np.array([0.75, 0.0])
    new, new_mem = optim.adagrad_step(param, grad, mem, lr=0.1)
    np.testing.assert_allclose(new_mem, [1.0, 9.0])  # m + g²
    np.testing.assert_allclose(new, [1.0 - 0.1 * 0.5 / 1.0, -2.0 - 0.1 * 3.0 / 3.0], rtol=1e-7)
    np.testing.assert_array_equal(mem, [0.75, 0.0])  # inputs unchanged
    with pytest.raises(ValueError, match=r"^memory: expected the shape of param"):
        optim.adagrad_step(param, grad, np.zeros(3), 0.1)


@pytest.mark.parametrize("optimizer", ["sgd", "adagrad"])
@pytest.mark.parametrize("max_norm", [100.0, 0.05])
def test_one_training_step_by_hand(optimizer, max_norm):
    """One batch: the update is the clipped finite-difference gradient, stepped by hand."""
    p, x, y, _ = problem("squared", seed=5)
    before = {k: v.copy() for k, v in p.items()}
    new, losses, norms = training.train_sequence_model(
        p, [(x, y)], lr=0.3, max_norm=max_norm, optimizer=optimizer
    )
    g = {
        k: numerical_gradient(lambda _: squared_loss_by_hand(p, x, y), p[k]) for k in readout.PARAMS
    }
    total = np.sqrt(sum(np.sum(v**2) for v in g.values()))
    scale = min(1.0, max_norm / total)
    assert norms[0] == pytest.approx(total, rel=1e-6)
    assert losses[0] == pytest.approx(squared_loss_by_hand(p, x, y), rel=1e-12)
    for k in readout.PARAMS:
        step = scale * g[k]
        if optimizer == "adagrad":
            step = step / np.sqrt(step**2 + 1e-8)  # first step: memory = g²
        np.testing.assert_allclose(new[k], p[k] - 0.3 * step, rtol=1e-5, atol=1e-9)
        np.testing.assert_array_equal(p[k], before[k])  # the input is not modified


def test_training_lowers_the_signal_loss():
    _, noisy = data.periodic_signal(200, noise=0.05, seed=0)
    batches = (
        (x[..., None], y[..., None]) for x, y in data.random_batches(noisy, 20, 8, 150, seed=0)
    )
    _, losses, _ = training.train_sequence_model(readout.init_params(1, 16, 1), batches, 0.15)
    assert losses[-20:].mean() < 0.2 * losses[:5].mean()


def test_train_bad_input():
    p = readout.init_params(1, 2, 1)
    with pytest.raises(ValueError, match=r"^optimizer: expected 'sgd' or 'adagrad', got 'adam'"):
        training.train_sequence_model(p, [], 0.1, optimizer="adam")
    with pytest.raises(ValueError, match=r"^lr: expected a positive learning rate"):
        training.train_sequence_model(p, [], 0.0)
    with pytest.raises(ValueError, match=r"^max_norm: expected a positive number"):
        training.train_sequence_model(
            p, [(np.ones((1, 2, 1)), np.ones((1, 2, 1)))], 0.1, max_norm=-1.0
        )
    # batches that are not an iterable of (x, targets) pairs are named as such, not a bare
    # TypeError ('int' object is not iterable) or an error about an x made from the wrong axis
    with pytest.raises(ValueError, match=r"^batches: expected an iterable of \(x, targets\) pairs"):
        training.train_sequence_model(p, 5, 0.1)
    x, y = np.ones((2, 3, 1)), np.ones((2, 3, 1))
    with pytest.raises(
        ValueError, match=r"^batches\[0\]: expected a pair \(x, targets\), got an array"
    ):
        training.train_sequence_model(p, (x, y), 0.1)  # one batch, not wrapped in a list
    assert len(training.train_sequence_model(p, [(x, y)], 0.1)[1]) == 1  # wrapped: one step


# -- sampling --------------------------------------------------------------------------------------


def logits_after(p, prompt):
    """The read-out after reading ``prompt`` (class ids), with W_x rows looked up by hand."""
    h = np.zeros(p["Wh"].shape[0])
    for c in prompt:
        h = np.tanh(p["Wx"][c] + h @ p["Wh"] + p["b"])
    return h, h @ p["Wy"] + p["by"]


def softmax_by_hand(z, tau):
    e = np.exp((z - z.max()) / tau)
    return e / e.sum()


@pytest.fixture(scope="module")
def lm():
    rng = np.random.default_rng(3)
    K, H = 5, 6
    p = {
        "Wx": rng.normal(size=(K, H)),
        "Wh": rng.normal(size=(H, H)) * 0.5,
        "b": rng.normal(size=H) * 0.1,
        "Wy": rng.normal(size=(H, K)) * 2,
        "by": np.zeros(K),
    }
    return p


@pytest.mark.parametrize("tau", [0.3, 1.0, 2.5])
def test_next_distribution(lm, tau):
    _, z = logits_after(lm, [1, 4, 0])
    np.testing.assert_allclose(
        sampling.next_distribution(lm, np.array([1, 4, 0]), tau),
        softmax_by_hand(z, tau),
        rtol=1e-12,
    )


def test_sample_draws_from_softmax_over_tau():
    """A model whose next-class distribution never changes (Wx = Wh = Wy = 0): the sample's
    frequencies must match softmax(by / τ) (4 standard errors, 4000 draws)."""
    K, H = 4, 3
    by = np.array([0.0, 1.0, -1.0, 2.0])
    p = {
        "Wx": np.zeros((K, H)),
        "Wh": np.zeros((H, H)),
        "b": np.zeros(H),
        "Wy": np.zeros((H, K)),
        "by": by,
    }
    for tau in (0.5, 1.0, 3.0):
        ids = sampling.sample(p, np.array([0]), 4000, temperature=tau, seed=1)
        freq = np.bincount(ids, minlength=K) / ids.size
        want = softmax_by_hand(by, tau)
        assert np.all(np.abs(freq - want) < 4 * np.sqrt(want * (1 - want) / ids.size) + 1e-3), tau


def test_sample_is_seeded_and_prefix_consistent(lm):
    a = sampling.sample(lm, np.array([2]), 60, temperature=1.2, seed=5)
    assert a.dtype == np.int64 and a.shape == (60,) and a.min() >= 0 and a.max() < 5
    np.testing.assert_array_equal(
        a, sampling.sample(lm, np.array([2]), 60, temperature=1.2, seed=5)
    )
    np.testing.assert_array_equal(a[:25], sampling.sample(lm, np.array([2]), 25, 1.2, seed=5))
    assert not np.array_equal(a, sampling.sample(lm, np.array([2]), 60, 1.2, seed=6))
    assert sampling.sample(lm, np.array([2]), 0).shape == (0,)


def test_cold_sampling_is_greedy(lm):
    """τ → 0 picks the most likely class every time: the greedy decode, written here."""
    prompt = [3, 1]
    greedy, h = [], None
    h, z = logits_after(lm, prompt)
    for _ in range(30):
        c = int(np.argmax(z))
        greedy.append(c)
        h = np.tanh(lm["Wx"][c] + h @ lm["Wh"] + lm["b"])
        z = h @ lm["Wy"] + lm["by"]
    np.testing.assert_array_equal(
        sampling.sample(lm, np.array(prompt), 30, temperature=1e-3), greedy
    )


def test_sample_bad_input(lm):
    with pytest.raises(ValueError, match=r"^length: expected an integer >= 0"):
        sampling.sample(lm, np.array([0]), -1)
    with pytest.raises(ValueError, match=r"^temperature: expected a positive number"):
        sampling.sample(lm, np.array([0]), 3, temperature=0.0)
    # a temperature that is not a number is named, not a TypeError from inside numpy
    for bad in ("1", None, np.array([1.0, 2.0])):
        with pytest.raises(ValueError, match=r"^temperature: expected a real number \(a scalar\)"):
            sampling.sample(lm, np.array([0]), 3, temperature=bad)
    # a model whose inputs are not one-hot characters (D != K) is refused as such, not as an
    # "x" the caller never passed
    other = {**lm, "Wx": np.ones((lm["Wx"].shape[0] + 1, lm["Wx"].shape[1]))}
    with pytest.raises(ValueError, match=r"^params: expected a character model"):
        sampling.sample(other, np.array([0]), 3)
    with pytest.raises(ValueError, match=r"^prompt_ids: expected a non-empty 1-d array"):
        sampling.sample(lm, np.array([], dtype=int), 3)
    with pytest.raises(ValueError, match=r"^prompt_ids: expected integer class ids in 0..4"):
        sampling.sample(lm, np.array([7]), 3)
    with pytest.raises(ValueError, match=r"^prompt_ids: expected integer class ids in 0..4"):
        sampling.next_distribution(lm, np.array([0, 5]))  # K = 5: the first id past the end


def test_free_run_by_hand():
    # the recursion of free_run's docstring written out with numpy, on a model whose read-out
    # bias by is not 0 (init_params sets it to 0)
    p = readout.init_params(D=1, H=4, K=1, seed=5)
    p["Wy"] *= 20
    p["by"] = np.array([0.25])
    obs = np.array([0.5, -0.1])
    h = np.zeros((1, 4))
    for v in obs:
        h = np.tanh(v * p["Wx"] + h @ p["Wh"] + p["b"])
    want = []
    for _ in range(3):
        z = h @ p["Wy"] + p["by"]  # the prediction, then fed back as the next input
        want.append(z[0, 0])
        h = np.tanh(z @ p["Wx"] + h @ p["Wh"] + p["b"])
    np.testing.assert_allclose(sampling.free_run(p, obs, 3), want, rtol=1e-12)


def test_train_char_model_learns_the_corpus():
    text = data.tiny_corpus()
    params, vocab, losses = training.train_char_model(text, steps=200)
    C = len(vocab)
    assert vocab == data.char_vocabulary(text) and losses.shape == (200,)
    assert losses[0] == pytest.approx(np.log(C), abs=0.05)  # starts at the uniform guess
    assert losses[-20:].mean() < 0.35 * np.log(C)
    sample = data.decode(
        sampling.sample(params, data.encode("the ", vocab), 300, 0.7, seed=0), vocab
    )
    assert data.valid_word_fraction(sample) > 0.8


@pytest.mark.parametrize(
    ("backward", "made_by", "n"),
    [
        (readout.linear_backward, "linear_forward", 2),
        (readout.sequence_backward, "sequence_forward", 3),
    ],
)
@pytest.mark.parametrize("cache", [None, (1, 2, 3, 4)])
def test_backward_names_a_cache_it_was_not_given(backward, made_by, n, cache):
    # cache=None was "TypeError: cannot unpack non-iterable NoneType object"; rnn_step_backward
    # and rnn_backward already named theirs
    want = rf"^cache: expected the cache returned by {made_by} \(a tuple of {n}\), got"
    with pytest.raises(ValueError, match=want):
        backward(np.zeros((2, 3)), cache)


def test_sample_checks_its_temperature_even_for_no_character():
    # the temperature reached softmax only inside the loop: length=0 accepted temperature=-1
    params = readout.init_params(3, 4, 3)
    with pytest.raises(ValueError, match=r"^temperature: expected a positive number, got -1.0"):
        sampling.sample(params, [0], 0, temperature=-1.0)
