import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from rnnlib import (
    clip_grad_norm,
    clip_grad_value,
    numerical_gradient,
    rel_error,
    sgd_step,
    softmax,
    softmax_cross_entropy,
    squared_error,
)


def test_squared_error_by_hand_and_by_differences(rng):
    y_hat, y = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    loss, d = squared_error(y_hat, y)
    assert loss == pytest.approx(0.5 * np.sum((y_hat - y) ** 2))
    assert rel_error(numerical_gradient(lambda z: squared_error(z, y)[0], y_hat), d) < 1e-9


@given(st.integers(1, 4), st.integers(1, 3), st.integers(2, 6), st.integers(0, 10**6))
def test_softmax_cross_entropy_gradient(N, T, C, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(N, T, C)) * 3
    y = rng.integers(0, C, size=(N, T))
    loss, d = softmax_cross_entropy(z, y)
    assert rel_error(numerical_gradient(lambda a: softmax_cross_entropy(a, y)[0], z), d) < 1e-7


def test_softmax_cross_entropy_known_values_and_stability():
    # Equal scores over C classes: p = 1/C for each, so L = log C.
    loss, d = softmax_cross_entropy(np.zeros((2, 5)), np.array([0, 3]))
    assert loss == pytest.approx(np.log(5))
    np.testing.assert_allclose(d.sum(axis=-1), 0, atol=1e-15)  # Σ_c (p_c − onehot_c) = 0
    # Huge logits: the naive exp overflows; ours does not. L = −log p_0 = log(1 + e^-1000) ≈ 0.
    loss, d = softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([0]))
    assert np.isfinite(loss) and loss == pytest.approx(0.0, abs=1e-300)
    assert np.isfinite(d).all()
    loss, _ = softmax_cross_entropy(np.array([[0.0, 1000.0]]), np.array([0]))
    assert loss == pytest.approx(1000.0)


def test_softmax_temperature():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z), np.exp(z) / np.exp(z).sum())
    assert softmax(z, 0.01)[2] > 0.999  # cold: nearly one-hot
    np.testing.assert_allclose(softmax(z, 1e6), 1 / 3, atol=1e-6)  # hot: nearly uniform


def test_clip_grad_norm_by_hand():
    g = [np.array([3.0]), np.array([[4.0]])]
    clipped, total = clip_grad_norm(g, 1.0)
    assert total == 5.0  # sqrt(3² + 4²): the global norm, not per array
    np.testing.assert_allclose(clipped[0], [0.6])
    np.testing.assert_allclose(clipped[1], [[0.8]])
    assert g[0][0] == 3.0 and g[1][0, 0] == 4.0  # inputs untouched
    same, total = clip_grad_norm(g, 10.0)
    assert total == 5.0
    assert all(np.array_equal(a, b) for a, b in zip(same, g, strict=True))
    # new arrays even when not rescaled
    assert all(a is not b for a, b in zip(same, g, strict=True))


def test_a_norm_equal_to_max_norm_is_not_rescaled():
    # 33² + 56² = 1089 + 3136 = 4225 = 65²: the norm is max_norm exactly, so the gradient comes
    # back unchanged, bit for bit (rescaling by 65 / 65 through (g / s) · (max_norm / r) moves
    # 56 by one unit in the last place)
    clipped, total = clip_grad_norm([np.array([33.0, 56.0])], 65.0)
    assert total == 65.0
    np.testing.assert_array_equal(clipped[0], [33.0, 56.0])


@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.floats(0.01, 10), st.integers(0, 99))
def test_clip_grad_norm_properties(shapes, max_norm, seed):
    rng = np.random.default_rng(seed)
    g = [rng.normal(size=s) * 3 for s in shapes]
    clipped, total = clip_grad_norm(g, max_norm)
    new = np.sqrt(sum(np.sum(c**2) for c in clipped))
    # rescaled to max_norm when above it, else unchanged (was "new <= max_norm or new ≈ total",
    # which the gradients returned unclipped also satisfy)
    assert new == pytest.approx(min(total, max_norm), rel=1e-12)
    flat, cflat = np.concatenate(g), np.concatenate(clipped)
    assert rel_error(flat / np.linalg.norm(flat), cflat / np.linalg.norm(cflat)) < 1e-12


def test_global_norm_by_hand():
    # sqrt(3² + 4² + 12²) = sqrt(169) = 13, over all the arrays together
    assert rnnlib.global_norm([np.array([3.0]), np.array([[4.0, 12.0]])]) == pytest.approx(13.0)
    assert rnnlib.global_norm([np.zeros(2), np.zeros(0)]) == 0.0


def test_clip_grad_value_and_sgd():
    out = clip_grad_value([np.array([-3.0, 0.5, 2.0])], 1.0)
    np.testing.assert_array_equal(out[0], [-1.0, 0.5, 1.0])
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(sgd_step(p, g, 0.1), [0.95, 2.1])
    np.testing.assert_array_equal(p, [1.0, 2.0])
    assert sgd_step(1.0, 2.0, 0.25) == 0.5


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_softmax_names_a_logit_that_is_not_finite(bad):
    # softmax([nan, 1]) was [nan, nan], softmax([inf, 1]) too (inf − inf): a silent wrong answer
    with pytest.raises(ValueError, match=r"^z: expected finite values, got .* at index \(0,\)"):
        softmax([bad, 1.0])


@pytest.mark.parametrize("shape", [(), (2, 0)])
def test_softmax_and_cross_entropy_need_a_last_axis_of_classes(shape):
    # (2, 0) met numpy's "zero-size array to reduction operation maximum"; () returned 1.0
    with pytest.raises(ValueError, match=r"^z: expected scores over C >= 1 classes"):
        softmax(np.zeros(shape))
    with pytest.raises(ValueError, match=r"^logits: expected scores over C >= 1 classes"):
        softmax_cross_entropy(np.zeros(shape), np.zeros(shape[:-1], dtype=int))


def test_softmax_at_a_tiny_temperature_is_the_one_hot_of_the_largest_score():
    # z / τ overflowed to inf, and inf − inf gave NaN; the limit τ → 0 is the argmax's one-hot
    np.testing.assert_array_equal(softmax([1.0, 2.0, 0.5], temperature=1e-310), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(softmax([1e308, -1e308]), [1.0, 0.0])  # a gap of 2e308


def test_softmax_cross_entropy_names_a_loss_too_large_for_float64():
    # −log p[1] = 1e308 − (−1e308) = 2e308 > 1.8e308: inf came back silently
    with pytest.raises(rnnlib.NumericOverflow, match=r"^loss: −log p of a target overflows"):
        softmax_cross_entropy([[1e308, -1e308]], [1])
    L, _ = softmax_cross_entropy([[1e308, -1e308]], [0])  # p[0] = 1: the loss is 0
    assert L == 0.0


def test_adagrad_step_by_hand():
    # m = 3 + 2² = 7, θ = 1 − 0.1 · 2 / √(7 + 1e−8), as the docstring writes it
    p, m = rnnlib.optim.adagrad_step(np.array([1.0]), np.array([2.0]), np.array([3.0]), 0.1)
    np.testing.assert_allclose(m, [7.0])
    np.testing.assert_allclose(p, [1.0 - 0.2 / np.sqrt(7.0 + 1e-8)], rtol=1e-15)


def test_adagrad_step_names_an_overflowing_memory():
    # g = 1e160: g² = inf, so g / √m was 0 and the weight silently did not move (Adagrad's first
    # step is lr · g / |g| = lr), and the memory stayed inf for good
    with pytest.raises(rnnlib.NumericOverflow, match=r"^memory: m \+ g² overflows float64"):
        rnnlib.optim.adagrad_step(np.zeros(2), np.array([1e160, 1.0]), np.zeros(2), 0.1)


def test_adagrad_step_refuses_a_negative_memory():
    # √(m + g²) of a negative sum was NaN, silently
    with pytest.raises(ValueError, match=r"^memory: expected a sum of squares, every entry >= 0"):
        rnnlib.optim.adagrad_step(np.ones(2), np.array([0.1, 1.0]), -np.ones(2), 0.1)


@pytest.mark.parametrize(
    "clip", [lambda g: clip_grad_norm(g, 1.0), lambda g: clip_grad_value(g, 1.0)]
)
def test_clipping_names_a_dict_of_gradients(clip):
    # sequence_loss returns its gradients as a dict: iterating it gave the names, and the error
    # was "grads[0]: expected an array of real numbers, got str"
    with pytest.raises(ValueError, match=r"^grads: expected a list of arrays .* got a dict; pass"):
        clip({"Wx": np.ones(2), "b": np.ones(1)})
    with pytest.raises(ValueError, match=r"^grads: expected a list of arrays .* got str"):
        clip("Wx")


@pytest.mark.parametrize(
    ("param", "grad"), [(np.ones(2), 0.5), (0.5, np.ones(2))], ids=["number grad", "number param"]
)
def test_sgd_step_names_a_grad_of_another_shape_than_param(param, grad):
    # one of the two a number, the other an array: the shapes differ, and that is what is named
    # (not "expected a real number" for the array, which is a valid param on its own)
    with pytest.raises(ValueError, match=r"^grad: expected the shape of param, \((2,)?\), got"):
        sgd_step(param, grad, 0.1)
