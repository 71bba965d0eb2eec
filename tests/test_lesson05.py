"""Lesson 05's checkers (rnnlib.course.lesson05): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below (plain loops
written here). The mistakes' reference loop, with the right switches, agrees with rnnlib."""

import numpy as np
import pytest

from rnnlib import scalar
from rnnlib.course import lesson05 as L
from rnnlib.train import decaying_sum_task, train_scalar


def my_train_epoch(xs, ys, u, w, v, lr):
    n = len(xs)
    loss = du = dw = dv = 0.0
    for i in range(n):
        fwd = scalar.forward(xs[i], u, w, v)
        g = scalar.backward(fwd, ys[i])
        loss += scalar.total_loss(fwd, ys[i]) / n
        du, dw, dv = du + g.du / n, dw + g.dw / n, dv + g.dv / n
    return u - lr * du, w - lr * dw, v - lr * dv, loss


def my_train(xs, ys, u, w, v, lr, epochs):
    losses = []
    for _ in range(epochs + 1):
        new_u, new_w, new_v, loss = my_train_epoch(xs, ys, u, w, v, lr)  # loss at (u, w, v)
        if not np.isfinite(loss) or (losses and loss > 1000 * losses[0]):
            break
        losses.append(loss)
        u, w, v = new_u, new_w, new_v
    return np.array(losses)


RIGHT = {"check_train_epoch": (my_train_epoch, 4), "check_train_loop": (my_train, 5)}


def test_changed_input_is_reported():
    def clobbers(xs, ys, u, w, v, lr):
        out = my_train_epoch(xs, ys, u, w, v, lr)
        xs *= 0
        return out

    with pytest.raises(AssertionError, match="changed its input `?xs`? in place"):
        L.check_train_epoch(clobbers)


def test_loop_cases_cover_divergence_and_oscillation():
    """The loop checker's cases include a run that diverges and one whose loss rises and falls
    without diverging (so 'stop at the first rise' is caught)."""
    cases = L.train_loop_cases()
    stopped = [c for c in cases if len(c.expected) < c.args["epochs"] + 1]
    assert len(stopped) == 1
    rises = [
        c
        for c in cases
        if len(c.expected) == c.args["epochs"] + 1 and np.any(np.diff(c.expected) > 0)
    ]
    assert rises


def test_mistakes_loop_agrees_with_train_scalar():
    for lr, epochs in ((1.0, 6), (4.0, 12), (5.0, 12), (9.0, 30)):
        xs, ys = decaying_sum_task(6, 4, seed=5)
        got = L.loop_losses(xs, ys, 0.5, 0.0, 0.5, lr, epochs)
        np.testing.assert_allclose(
            got, train_scalar(xs, ys, 0.5, 0.0, 0.5, lr, epochs).losses, rtol=1e-12
        )
