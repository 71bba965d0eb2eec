"""Training the scalar RNN (rnnlib.training; its task, rnnlib.data.decaying_sum_task): the task
against its closed form, gradients against finite differences, the training loop against gradient
descent written here with finite-difference gradients, divergence detection, clipping and bad
input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnlib import numerical_gradient, readout, training
from rnnlib.data import decaying_sum_task
from rnnlib.training import dataset_loss_and_grads, train_epoch, train_scalar


def mean_loss_by_hand(xs, ys, u, w, v):
    """The mean training loss written out with numpy only (no rnnlib)."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        o, outs = 0.0, []
        for xt in x:
            o = np.tanh(u * xt + w * o)
            outs.append(v * o)
        outs = np.array(outs)
        total += 0.5 * np.sum((outs - y) ** 2) if np.ndim(y) else 0.5 * (outs[-1] - y) ** 2
    return total / len(xs)


def test_task_is_the_decaying_sum():
    xs, ys = decaying_sum_task(n=5, T=4, decay=0.5, every_step=True, seed=3)
    assert xs.shape == ys.shape == (5, 4)
    assert np.all(np.abs(xs) <= 1)
    # closed form y_t = Σ_(s ≤ t) λ^(t − s) x_s, written out for t = 3 (0-based 2)
    np.testing.assert_allclose(ys[:, 2], xs[:, 2] + 0.5 * xs[:, 1] + 0.25 * xs[:, 0])
    weights = 0.5 ** np.arange(3, -1, -1)  # λ^(T − s) for s = 1..4
    np.testing.assert_allclose(ys[:, -1], xs @ weights)
    x1, y1 = decaying_sum_task(n=5, T=4, decay=0.5, every_step=False, seed=3)
    np.testing.assert_array_equal(x1, xs)
    np.testing.assert_allclose(y1, ys[:, -1])
    assert y1.shape == (5,)


def test_task_edge_decays():
    xs, ys = decaying_sum_task(n=3, T=5, decay=0.0, every_step=True, seed=1)
    np.testing.assert_allclose(ys, xs)  # no memory: the target is the input
    xs, ys = decaying_sum_task(n=3, T=5, decay=1.0, every_step=True, seed=1)
    np.testing.assert_allclose(ys, np.cumsum(xs, axis=1))  # perfect memory: the running sum


@given(st.integers(0, 10**6), st.booleans(), st.integers(1, 4), st.integers(1, 5))
def test_dataset_gradient_matches_finite_differences(seed, every, n, T):
    rng = np.random.default_rng(seed)
    xs, ys = decaying_sum_task(n, T, every_step=every, seed=seed)
    p = rng.uniform(-1.5, 1.5, size=3)
    loss, grads = dataset_loss_and_grads(xs, ys, *p)
    assert loss == pytest.approx(mean_loss_by_hand(xs, ys, *p), rel=1e-12)
    want = numerical_gradient(lambda q: mean_loss_by_hand(xs, ys, *q), p.copy())
    np.testing.assert_allclose(grads, want, rtol=1e-7, atol=1e-9)


def test_train_epoch_is_one_descent_step():
    xs, ys = decaying_sum_task(4, 3, every_step=True, seed=2)
    p = np.array([0.7, -0.3, 1.1])
    u, w, v, loss = train_epoch(xs, ys, *p, lr=0.4)
    grad = numerical_gradient(lambda q: mean_loss_by_hand(xs, ys, *q), p.copy())
    np.testing.assert_allclose([u, w, v], p - 0.4 * grad, rtol=1e-8, atol=1e-9)
    assert loss == pytest.approx(mean_loss_by_hand(xs, ys, *p))  # before the update
    assert all(isinstance(a, float) for a in (u, w, v, loss))


@pytest.mark.parametrize("every", [False, True])
def test_training_loop_is_gradient_descent(every):
    """Five epochs written here with finite-difference gradients give the same weights."""
    xs, ys = decaying_sum_task(5, 4, every_step=every, seed=4)
    r = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=0.7, epochs=5)
    p = np.array([0.5, 0.0, 0.5])
    for e in range(6):
        np.testing.assert_allclose(r.params[e], p, rtol=1e-7, atol=1e-9)
        assert r.losses[e] == pytest.approx(mean_loss_by_hand(xs, ys, *p), rel=1e-9)
        g = numerical_gradient(lambda q: mean_loss_by_hand(xs, ys, *q), p.copy())
        if e < 5:
            assert r.grad_norms[e] == pytest.approx(np.linalg.norm(g), rel=1e-7)
        p = p - 0.7 * g
    assert not r.diverged and r.diverged_at is None
    assert r.losses.shape == (6,) and r.params.shape == (6, 3) and r.grad_norms.shape == (5,)
    assert "trained 5 epochs" in r.message


def test_the_message_counts_one_epoch_in_the_singular():
    xs, ys = decaying_sum_task(4, 3, seed=2)
    assert train_scalar(xs, ys, 0.5, 0.5, 0.5, lr=0.1, epochs=1).message.startswith(
        "trained 1 epoch: loss"
    )


def test_a_good_learning_rate_learns_the_task():
    xs, ys = decaying_sum_task(12, 4)
    r = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=1.0, epochs=100)
    assert r.losses[-1] < r.losses[0] / 50
    u, w, v = r.params[-1]
    assert 0.4 < w < 0.8  # near λ = 0.5: the recurrence learned the fading memory


def test_divergence_is_detected_and_reported():
    xs, ys = decaying_sum_task(12, 4)
    r = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=8.0, epochs=100)
    assert r.diverged
    e = r.diverged_at
    assert 1 <= e < 100
    assert len(r.losses) == e == len(r.params) and len(r.grad_norms) == e
    assert np.all(np.isfinite(r.losses)) and np.all(np.isfinite(r.params))
    assert np.all(r.losses <= 1000 * r.losses[0])
    # epoch e's update (computed here from the last kept weights) blows the loss past the limit
    p = r.params[-1]
    g = numerical_gradient(lambda q: mean_loss_by_hand(xs, ys, *q), p.copy())
    assert mean_loss_by_hand(xs, ys, *(p - 8.0 * g)) > 1000 * r.losses[0]
    assert f"diverged at epoch {e}" in r.message


def test_an_infinite_weight_is_divergence_not_an_error():
    xs, ys = decaying_sum_task(3, 3)
    r = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=1e308, epochs=5)
    assert r.diverged and r.diverged_at == 1
    assert len(r.losses) == 1 and np.isfinite(r.losses).all()


def test_own_limit_and_zero_epochs():
    xs, ys = decaying_sum_task(6, 4)
    assert not train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=5.0, epochs=20).diverged
    limit = mean_loss_by_hand(xs, ys, 0.5, 0.0, 0.5)  # stop once above the start
    r = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=5.0, epochs=20, max_loss=limit)
    assert r.diverged and r.losses.max() <= limit and len(r.losses) < 21
    r0 = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=5.0, epochs=0)
    assert r0.losses.shape == (1,) and r0.grad_norms.shape == (0,) and not r0.diverged


def test_many_to_many_needs_a_smaller_step():
    """The summed per-step loss has a larger gradient: η = 2 trains many-to-one, diverges
    many-to-many (the lesson's claim)."""
    xs, ym = decaying_sum_task(12, 4, every_step=True)
    r1 = train_scalar(xs, ym[:, -1], 0.5, 0.0, 0.5, lr=2.0, epochs=100)
    rm = train_scalar(xs, ym, 0.5, 0.0, 0.5, lr=2.0, epochs=100)
    assert not r1.diverged and rm.diverged


@pytest.mark.parametrize("kind", ["norm", "value"])
def test_clipping_bounds_every_step(kind):
    xs, ys = decaying_sum_task(12, 10, seed=1)
    kw = {"max_norm": 1.0} if kind == "norm" else {"clip_value": 1.0}
    r = train_scalar(xs, ys, 0.01, 1.6, 1.0, lr=2.5, epochs=30, **kw)
    steps = np.diff(r.params, axis=0)
    if kind == "norm":
        assert np.all(np.linalg.norm(steps, axis=1) <= 2.5 * 1.0 + 1e-12)
    else:
        assert np.all(np.abs(steps) <= 2.5 * 1.0 + 1e-12)
    assert r.grad_norms.max() > 10  # the unclipped gradient did explode
    # first step by hand: the gradient, rescaled to norm 1 (or clipped entry by entry)
    p = np.array([0.01, 1.6, 1.0])
    g = numerical_gradient(lambda q: mean_loss_by_hand(xs, ys, *q), p.copy())
    clipped = g / np.linalg.norm(g) if kind == "norm" else np.clip(g, -1, 1)
    np.testing.assert_allclose(r.params[1], p - 2.5 * clipped, rtol=1e-6, atol=1e-8)


def test_clipping_rescues_the_exploding_run():
    """The lesson 07 run: without clipping it diverges, with either clipping it trains."""
    xs, ys = decaying_sum_task(12, 10, seed=1)
    args = (xs, ys, 0.01, 1.6, 1.0)
    assert train_scalar(*args, lr=2.5, epochs=60).diverged
    for kw in ({"max_norm": 1.0}, {"clip_value": 1.0}):
        r = train_scalar(*args, lr=2.5, epochs=60, **kw)
        assert not r.diverged and r.losses[-1] < r.losses[0] / 20


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda xs, ys: train_scalar(xs[0], ys, 0, 0, 0, 0.1, 3), r"xs: expected a 2-d"),
        (lambda xs, ys: train_scalar(xs, ys[:2], 0, 0, 0, 0.1, 3), r"ys: expected shape \(n,\)"),
        (lambda xs, ys: train_scalar(xs, ys, 0, 0, 0, 0.0, 3), r"lr: expected a positive"),
        (lambda xs, ys: train_scalar(xs, ys, 0, 0, 0, 0.1, -1), r"epochs: expected an integer"),
        (lambda xs, ys: train_scalar(xs, ys, 0, 0, 0, 0.1, 2.5), r"epochs: expected an integer"),
        (
            lambda xs, ys: train_scalar(xs, ys, 0, 0, 0, 0.1, 3, max_norm=-1),
            r"max_norm: expected a positive",
        ),
        (lambda xs, ys: train_scalar(xs, ys, np.nan, 0, 0, 0.1, 3), r"u: expected a finite"),
        (lambda xs, ys: train_epoch(xs, ys, 0, 0, 0, -1.0), r"lr: expected a positive"),
        (lambda xs, ys: dataset_loss_and_grads(xs * np.nan, ys, 0, 0, 0), r"xs: expected finite"),
        (  # the NaN's place in the data set (sequence 1, step 2), not only in its sequence
            lambda xs, ys: dataset_loss_and_grads(
                np.where(xs == xs[1, 2], np.nan, xs), ys, 0, 0, 0
            ),
            r"^xs: expected finite values, got nan at index \(1, 2\)",
        ),
        (lambda xs, ys: decaying_sum_task(0, 3), r"n: expected an integer >= 1"),
        (lambda xs, ys: decaying_sum_task(3, 3, decay=1.5), r"decay: expected a number in"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    xs, ys = decaying_sum_task(4, 3)
    with pytest.raises(ValueError, match=match):
        call(xs, ys)


def test_nothing_is_changed_in_place():
    xs, ys = decaying_sum_task(4, 3, every_step=True)
    xs0, ys0 = xs.copy(), ys.copy()
    train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=1.0, epochs=3, max_norm=0.1)
    np.testing.assert_array_equal(xs, xs0)
    np.testing.assert_array_equal(ys, ys0)
    assert math.isfinite(train_epoch(xs, ys, 0.5, 0.0, 0.5, 1.0)[3])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loss": "mse"}, r"^loss: expected 'squared' or 'softmax', got 'mse'"),
        ({"max_norm": -1.0}, r"^max_norm: expected a positive number, got -1.0"),
    ],
)
def test_the_read_out_training_loops_check_loss_and_max_norm_before_any_batch(kwargs, match):
    # both were checked only inside the loop: with no batch (an exhausted generator, K = 0
    # windows) the bad value was accepted and the parameters came back as if trained
    params = readout.init_params(3, 4, 2)
    with pytest.raises(ValueError, match=match):
        training.train_sequence_model(params, [], 0.1, **kwargs)
    with pytest.raises(ValueError, match=match):
        training.train_stateful(
            params, np.zeros((0, 2, 3, 3)), np.zeros((0, 2, 3, 2)), 0.1, **kwargs
        )


def test_train_char_model_names_a_text_shorter_than_a_window():
    # the error named random_batches' argument: "series: expected at least T + 1 = 26 values"
    with pytest.raises(ValueError, match=r"^text: expected at least T \+ 1 = 26 characters"):
        training.train_char_model("a cat.", steps=1)


def stream_loss_by_hand(p, inputs, targets):
    """Each window's squared loss when every stream is read in one go from h = 0 (numpy only).

    Windows k of ``inputs`` (K, N, T, D) continue each other, so stream n is
    ``inputs[:, n]`` laid end to end; the state entering window k is then the state the one
    long forward pass has reached there. Returns the K window losses (mean over N·T positions)
    and the last state (N, H)."""
    K, N, T, D = inputs.shape
    x = inputs.transpose(1, 0, 2, 3).reshape(N, K * T, D)
    y = targets.transpose(1, 0, 2, 3).reshape(N, K * T, -1)
    h = np.zeros((N, p["Wh"].shape[0]))
    sq = np.empty((N, K * T))
    for t in range(K * T):
        h = np.tanh(x[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"])
        sq[:, t] = 0.5 * np.sum((h @ p["Wy"] + p["by"] - y[:, t]) ** 2, axis=-1)
    return sq.reshape(N, K, T).sum(axis=(0, 2)) / (N * T), h


def test_train_stateful_reads_each_stream_as_one_long_sequence():
    # K = 3 windows of N = 2 streams (K ≠ N), T = 2 steps. With lr = 1e-300 no weight moves that
    # a sum of order 1 can feel (a step of about 1e-300, far below half a unit in the last place),
    # so each window's loss is that of the one long forward pass over the stream at the window's
    # positions, from the state the stream has reached there, in every epoch.
    rng = np.random.default_rng(4)
    p0 = readout.init_params(D=2, H=3, K=2, seed=1)
    p0["Wy"] *= 10
    p0["by"] = np.array([0.3, -0.2])
    inputs, targets = rng.normal(size=(3, 2, 2, 2)), rng.normal(size=(3, 2, 2, 2))
    want, h_end = stream_loss_by_hand(p0, inputs, targets)
    p, losses, _, h = training.train_stateful(p0, inputs, targets, 1e-300, "squared", epochs=2)
    np.testing.assert_allclose(losses, np.concatenate([want, want]), rtol=1e-12)
    np.testing.assert_allclose(h, h_end, rtol=1e-12, atol=1e-15)
    for k in readout.PARAMS:
        np.testing.assert_allclose(p[k], p0[k], rtol=1e-15, atol=1e-290)
    with pytest.raises(
        ValueError, match=r"^targets: expected shape \(K, N, T, \.\.\.\) = \(3, 2, 2\)"
    ):
        training.train_stateful(p0, inputs, targets[:2], 0.1, "squared")


def test_the_divergence_message_says_which_limit_and_fits_a_line():
    xs, ys = np.array([[0.5, -0.3, 0.8, 0.1]]), np.array([0.5])
    # L0 = ½(0.5·tanh(0.05) − 0.5)² ≈ 0.11; with η = 50 the first update already overshoots
    default = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=50.0, epochs=20)
    assert default.diverged and "> 1000 × initial loss;" in default.message
    given = train_scalar(xs, ys, 0.5, 0.0, 0.5, lr=50.0, epochs=20, max_loss=0.3)
    assert given.diverged_at == 1 and "> max_loss 0.3;" in given.message
    # printed after a 20-character label it stays under JupyterLab's ~116 characters a line
    assert max(len(default.message), len(given.message)) <= 90
