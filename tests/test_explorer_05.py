"""Lesson 05's sliders (η, epochs): the state against gradient descent written here with
finite-difference gradients on a loss written here, and the artists against the state."""

import numpy as np
import pytest

from rnnlib import numerical_gradient
from rnnlib.explorers import registry
from rnnlib.explorers.training import INIT, TASK, training_explorer
from rnnlib.train import decaying_sum_task

XS, YS = decaying_sum_task(**TASK)


def predictions(p, xs=XS):
    u, w, v = p
    out = []
    for x in xs:
        o = 0.0
        for xt in x:
            o = np.tanh(u * xt + w * o)
        out.append(v * o)
    return np.array(out)


def mean_loss(p):
    return float(np.mean(0.5 * (predictions(p) - YS) ** 2))


def descend(lr, epochs):
    """Gradient descent by hand; stops like the lesson says (loss > 1000 × initial)."""
    p = np.array(INIT, dtype=float)
    losses = [mean_loss(p)]
    for e in range(1, epochs + 1):
        q = p - lr * numerical_gradient(mean_loss, p.copy())
        if mean_loss(q) > 1000 * losses[0]:
            return p, np.array(losses), e
        p = q
        losses.append(mean_loss(p))
    return p, np.array(losses), None


@pytest.mark.parametrize("lr, epochs", [(1.0, 25), (0.05, 10), (4.0, 30), (8.0, 40), (2.0, 1)])
def test_sliders_train_the_model(lr, epochs):
    ex = training_explorer()
    s = ex.step(lr=lr, epochs=epochs)
    p, losses, diverged_at = descend(lr, epochs)
    assert (s["lr"], s["epochs"]) == (lr, epochs)
    assert s["diverged"] == (diverged_at is not None) and s["diverged_at"] == diverged_at
    assert s["trained"] == len(losses) - 1
    np.testing.assert_allclose(s["losses"], losses, rtol=1e-6)
    np.testing.assert_allclose([s["u"], s["w"], s["v"]], p, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s["y_hat"], predictions(p), rtol=1e-6, atol=1e-8)
    # artists: the loss curve in log10, the predictions (clipped at the panel's edge)
    ax_l, ax_p = ex.fig.axes
    curve = ax_l.lines[1]
    np.testing.assert_allclose(curve.get_xdata(), np.arange(len(losses)))
    np.testing.assert_allclose(curve.get_ydata(), np.clip(np.log10(losses), -4, 3), rtol=1e-6)
    boom = ax_l.lines[2]
    assert len(boom.get_xdata()) == (1 if diverged_at else 0)
    dots = ax_p.lines[1]
    span = ax_p.get_xlim()[1]
    np.testing.assert_allclose(
        dots.get_ydata(), np.clip(predictions(p), -0.97 * span, 0.97 * span), rtol=1e-6, atol=1e-8
    )
    if diverged_at:
        assert f"diverged at epoch {diverged_at}" in ex.readout()


def test_the_lesson_regimes():
    """Too small learns little, the right η learns, too large oscillates, larger diverges."""
    ex = training_explorer()
    small = ex.step(lr=0.05, epochs=100)["loss"]
    right = ex.step(lr=1.0, epochs=100)["loss"]
    big = ex.step(lr=5.0, epochs=100)
    huge = ex.step(lr=8.0, epochs=100)
    assert right < small / 10 and right < big["loss"] / 10
    assert not big["diverged"] and np.any(np.diff(big["losses"]) > 0)
    assert huge["diverged"] and huge["diverged_at"] < 20


def test_more_epochs_extend_the_same_run():
    ex = training_explorer()
    a = ex.step(lr=1.5, epochs=10)["losses"]
    b = ex.step(epochs=30)["losses"]
    np.testing.assert_array_equal(b[:11], a)


def test_the_picture_changes_with_each_slider():
    ex = training_explorer()
    a = ex.png()
    ex.step(lr=3.0)
    b = ex.png()
    ex.step(epochs=10)
    c = ex.png()
    assert a != b and b != c
    ex.step(lr=1.0, epochs=60)
    assert "loss" in ex.readout()


def test_bad_input_and_registry():
    with pytest.raises(ValueError, match="lr_range"):
        training_explorer(lr_range=(1.0, 0.5))
    assert training_explorer in registry()["05"]
