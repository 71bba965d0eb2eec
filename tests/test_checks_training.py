"""The checkers of lessons 05–06 (rnnlib.checks.training): right answers written here pass, every
catalogued mistake is named, and NotImplementedError, None, NaN and in-place changes get their
own messages. The mistakes' private reference loops are checked against rnnlib (a different
formulation) with the right switches."""

import numpy as np
import pytest
from checks_support import assert_rejected_and_named

from rnnlib import scalar
from rnnlib.checks import training as C
from rnnlib.gradflow import jacobian_products, scalar_bptt_truncated
from rnnlib.train import decaying_sum_task, train_scalar

# -- answers a learner could write (plain loops, written here) ------------------------------------


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


def my_truncated_bptt(xs, ys, u, w, v, k):
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(xs)
    du = dw = dv = 0.0
    for t in range(1, T + 1):
        err = v * o[t] - ys[t - 1]
        dv += err * o[t]
        d = err * v
        for s in range(t, max(t - k, 0), -1):
            da = d * (1 - o[s] ** 2)
            du += da * xs[s - 1]
            dw += da * o[s - 1]
            d = da * w
    return du, dw, dv


def my_jacobian_product(hs, Wh):
    P = np.eye(Wh.shape[0])
    for t in range(1, len(hs)):
        P = np.diag(1 - hs[t] ** 2) @ Wh.T @ P  # J_t on the left
    return P


CHECKERS = {
    "epoch": (C.check_train_epoch, my_train_epoch, C.TRAIN_EPOCH_MISTAKES),
    "loop": (C.check_train_loop, my_train, C.TRAIN_LOOP_MISTAKES),
    "truncated": (C.check_truncated_bptt, my_truncated_bptt, C.TRUNCATED_BPTT_MISTAKES),
    "jacobian": (C.check_jacobian_product, my_jacobian_product, C.JACOBIAN_PRODUCT_MISTAKES),
}


@pytest.mark.parametrize("which", list(CHECKERS))
def test_a_right_answer_passes(which, capsys):
    check, answer, _ = CHECKERS[which]
    check(answer)
    out = capsys.readouterr().out
    assert "cases passed ✓" in out and out.count("\n") == 1


MISTAKES = [(which, m) for which, (_, _, ms) in CHECKERS.items() for m in ms]


@pytest.mark.parametrize("which, mistake", MISTAKES, ids=[f"{w}-{m.key}" for w, m in MISTAKES])
def test_every_mistake_is_named(which, mistake):
    assert_rejected_and_named(CHECKERS[which][0], mistake)


@pytest.mark.parametrize("which", list(CHECKERS))
def test_unfinished_none_and_nan(which):
    check, answer, _ = CHECKERS[which]

    def unfinished(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check(unfinished)
    with pytest.raises(AssertionError, match="returned None"):
        check(lambda *args: None)

    def nan_answer(*args):
        out = answer(*args)
        if isinstance(out, tuple):
            return (np.nan,) + tuple(out[1:])
        return np.full(np.shape(out), np.nan)

    with pytest.raises(AssertionError, match="NaN"):
        check(nan_answer)


def test_changed_input_is_reported():
    def clobbers(xs, ys, u, w, v, lr):
        out = my_train_epoch(xs, ys, u, w, v, lr)
        xs *= 0
        return out

    with pytest.raises(AssertionError, match="changed its input `?xs`? in place"):
        C.check_train_epoch(clobbers)

    def clobbers_hs(hs, Wh):
        out = my_jacobian_product(hs, Wh)
        hs[:] = 0
        return out

    with pytest.raises(AssertionError, match="changed its input `?hs`? in place"):
        C.check_jacobian_product(clobbers_hs)


def test_loop_cases_cover_divergence_and_oscillation():
    """The loop checker's cases include a run that diverges and one whose loss rises and falls
    without diverging (so 'stop at the first rise' is caught)."""
    cases = C._loop_cases()
    stopped = [c for c in cases if len(c.expected) < c.args["epochs"] + 1]
    assert len(stopped) == 1
    rises = [
        c
        for c in cases
        if len(c.expected) == c.args["epochs"] + 1 and np.any(np.diff(c.expected) > 0)
    ]
    assert rises


# -- the mistakes' reference loops, with the right switches, agree with rnnlib ---------------------


def test_private_loop_agrees_with_train_scalar():
    for lr, epochs in ((1.0, 6), (4.0, 12), (5.0, 12), (9.0, 30)):
        xs, ys = decaying_sum_task(6, 4, seed=5)
        got = C._loop(xs, ys, 0.5, 0.0, 0.5, lr, epochs)
        np.testing.assert_allclose(
            got, train_scalar(xs, ys, 0.5, 0.0, 0.5, lr, epochs).losses, rtol=1e-12
        )


@pytest.mark.parametrize("k", [1, 2, 3, 6, 9])
def test_private_truncation_agrees_with_the_vector_model(k):
    rng = np.random.default_rng(k)
    xs, ys = rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 6)
    got = C._truncated(xs, ys, 0.7, 1.1, -0.9, C._window(k))
    np.testing.assert_allclose(
        got, scalar_bptt_truncated(xs, ys, 0.7, 1.1, -0.9, k), rtol=1e-12, atol=1e-14
    )


def test_private_product_agrees_with_gradflow():
    for case in C._jacobian_cases():
        hs, Wh = case.args["hs"], case.args["Wh"]
        np.testing.assert_allclose(
            C._product(hs, Wh), jacobian_products(hs, Wh)[-1], rtol=1e-12, atol=1e-15
        )
