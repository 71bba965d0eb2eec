"""Checkers for lessons 05 and 06: a training epoch, the training loop, truncated BPTT and the
product of hidden-state Jacobians.

Each checker runs the learner's function on a few cases whose reference answers come from rnnlib
(:mod:`rnnlib.train`, :mod:`rnnlib.gradflow`), and carries a catalogue of known mistakes, each
computed by a small loop of its own below, so that a wrong answer is named in plain words.

- :func:`check_train_epoch`: ``train_epoch(xs, ys, u, w, v, lr)`` → (new u, new w, new v,
  loss before the update)
- :func:`check_train_loop`: ``train(xs, ys, u, w, v, lr, epochs)`` → array of the losses after
  0, 1, … epochs (shorter when training diverged)
- :func:`check_truncated_bptt`: ``truncated_bptt(xs, ys, u, w, v, k)`` → (dL/du, dL/dw, dL/dv)
- :func:`check_jacobian_product`: ``jacobian_product(hs, Wh)`` → ∂h_T/∂h_0, shape (H, H)
"""

from __future__ import annotations

import math

import numpy as np

from .. import scalar
from ..gradflow import jacobian_products, scalar_bptt_truncated
from ..rnn import rnn_forward
from ..train import dataset_loss_and_grads, decaying_sum_task, train_epoch, train_scalar
from ._harness import Case, Mistake, run_checks

__all__ = [
    "check_train_epoch",
    "check_train_loop",
    "check_truncated_bptt",
    "check_jacobian_product",
    "TRAIN_EPOCH_MISTAKES",
    "TRAIN_LOOP_MISTAKES",
    "TRUNCATED_BPTT_MISTAKES",
    "JACOBIAN_PRODUCT_MISTAKES",
]


# -- one epoch of gradient descent -------------------------------------------------------------


def _per_sequence(xs, ys, u, w, v):
    """Loss and (du, dw, dv) of every sequence on its own: arrays (n,) and (n, 3)."""
    losses, grads = [], []
    for x, y in zip(xs, ys, strict=True):
        fwd = scalar.forward(x, u, w, v)
        g = scalar.backward(fwd, y)
        losses.append(scalar.total_loss(fwd, y))
        grads.append((g.du, g.dw, g.dv))
    return np.array(losses), np.array(grads)


def _step(u, w, v, g, lr):
    return u - lr * g[0], w - lr * g[1], v - lr * g[2]


def summed_not_averaged(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*_step(u, w, v, grads.sum(0), lr), losses.sum())


def gradient_ascent(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*_step(u, w, v, -grads.mean(0), lr), losses.mean())


def loss_after_update(xs, ys, u, w, v, lr):
    _, grads = _per_sequence(xs, ys, u, w, v)
    new = _step(u, w, v, grads.mean(0), lr)
    return (*new, _per_sequence(xs, ys, *new)[0].mean())


def last_sequence_only(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*_step(u, w, v, grads[-1], lr), losses[-1])


def update_per_sequence(xs, ys, u, w, v, lr):
    seen = []
    for x, y in zip(xs, ys, strict=True):
        losses, grads = _per_sequence(x[None], np.asarray(y)[None], u, w, v)
        seen.append(losses[0])
        u, w, v = _step(u, w, v, grads[0], lr)
    return u, w, v, float(np.mean(seen))


def missing_learning_rate(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*_step(u, w, v, grads.mean(0), 1.0), losses.mean())


def returned_gradients(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*grads.mean(0), losses.mean())


def last_step_target_only(xs, ys, u, w, v, lr):
    last = ys[:, -1] if np.ndim(ys) == 2 else ys
    losses, grads = _per_sequence(xs, last, u, w, v)
    return (*_step(u, w, v, grads.mean(0), lr), losses.mean())


def loss_without_half(xs, ys, u, w, v, lr):
    new_u, new_w, new_v, loss = train_epoch(xs, ys, u, w, v, lr)
    return new_u, new_w, new_v, 2.0 * loss


def loss_mean_over_steps(xs, ys, u, w, v, lr):
    new_u, new_w, new_v, loss = train_epoch(xs, ys, u, w, v, lr)
    return new_u, new_w, new_v, loss / (xs.shape[1] if np.ndim(ys) == 2 else 1)


TRAIN_EPOCH_MISTAKES = (
    Mistake(
        "you summed over the sequences; the epoch's loss and gradient are the MEAN "
        "(divide the sums by n)",
        summed_not_averaged,
    ),
    Mistake(
        "wrong sign: you stepped uphill (θ + η·∇L); gradient descent is θ − η·∇L", gradient_ascent
    ),
    Mistake(
        "you returned the loss AFTER the update; return the loss of the weights you started "
        "from (its gradient is the one you used)",
        loss_after_update,
    ),
    Mistake(
        "only the last sequence counted: add up the loss and gradient of EVERY sequence "
        "(inside the loop), then divide by n",
        last_sequence_only,
    ),
    Mistake(
        "you updated the weights after every sequence (that is SGD with batches of one); "
        "here an epoch is ONE update with the mean gradient",
        update_per_sequence,
    ),
    Mistake(
        "the learning rate is missing: the update is θ − η·∇L, not θ − ∇L", missing_learning_rate
    ),
    Mistake("you returned the gradients; return the UPDATED weights θ − η·∇L", returned_gradients),
    Mistake(
        "only the last step's target was used: with ys of shape (n, T) pass the whole row "
        "ys[i] (a target at every step) to scalar.backward",
        last_step_target_only,
    ),
    Mistake(
        "the loss is missing its ½: L = ½(ŷ − y)² (scalar.total_loss computes it)",
        loss_without_half,
    ),
    Mistake(
        "a sequence's loss is the SUM over its steps, Σ_t ½(ŷ_t − y_t)², not the mean over steps",
        loss_mean_over_steps,
    ),
)


def _epoch_cases():
    cases = []
    for label, n, T, every, seed, weights, lr in (
        (
            "3 sequences of T = 4, one target each (many-to-one)",
            3,
            4,
            False,
            1,
            (0.5, 0.3, 0.8),
            0.5,
        ),
        (
            "2 sequences of T = 3, a target at every step (many-to-many)",
            2,
            3,
            True,
            2,
            (0.9, -0.4, 1.2),
            0.2,
        ),
        (
            "4 sequences of T = 5, many-to-one, negative weights",
            4,
            5,
            False,
            3,
            (-0.7, 0.6, -1.1),
            1.5,
        ),
        ("1 sequence of T = 2, many-to-many", 1, 2, True, 4, (0.2, 1.1, 0.6), 0.8),
    ):
        xs, ys = decaying_sum_task(n, T, every_step=every, seed=seed)
        u, w, v = weights
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "lr": lr}
        cases.append(Case(label, args, tuple(float(a) for a in train_epoch(**args))))
    return cases


def check_train_epoch(train_epoch):
    """Check ``train_epoch(xs, ys, u, w, v, lr) -> (u, w, v, loss)``: one epoch of gradient descent.

    ``xs`` (n, T), ``ys`` (n,) (one target a sequence) or (n, T) (a target at every step); the
    loss is the mean over the sequences of each sequence's loss, measured *before* the update,
    and the update is ``θ − lr·(mean gradient)`` for θ = u, w, v. Inputs must be left unchanged.
    """
    run_checks(
        "check_train_epoch",
        train_epoch,
        _epoch_cases(),
        mistakes=TRAIN_EPOCH_MISTAKES,
        names=("new u", "new w", "new v", "loss"),
    )


# -- the training loop --------------------------------------------------------------------------


def _loop(
    xs,
    ys,
    u,
    w,
    v,
    lr,
    epochs,
    *,
    stop="limit",
    keep_blown=False,
    initial=True,
    carry=True,
    extra=0,
):
    """The loss history of a training loop, with switches for the catalogued mistakes."""
    losses = []
    start = None
    params = (u, w, v)
    for epoch in range(epochs + 1 + extra):
        with np.errstate(all="ignore"):
            try:
                loss, grads = dataset_loss_and_grads(xs, ys, *params)
            except (OverflowError, ValueError):
                break
        start = loss if start is None else start
        if losses or epoch > 0:
            prev = losses[-1] if losses else start
            blown = not math.isfinite(loss) or loss > 1000 * start
            if stop == "increase":
                blown = blown or loss > prev
            if blown and stop != "none":
                if keep_blown:
                    losses.append(loss)
                break
        if initial or epoch > 0:
            losses.append(loss)
        if carry and epoch < epochs + extra:
            params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
    return np.array(losses)


def no_initial_loss(xs, ys, u, w, v, lr, epochs):
    return _loop(xs, ys, u, w, v, lr, epochs, initial=False)


def weights_not_carried(xs, ys, u, w, v, lr, epochs):
    return _loop(xs, ys, u, w, v, lr, epochs, carry=False)


def no_divergence_stop(xs, ys, u, w, v, lr, epochs):
    return _loop(xs, ys, u, w, v, lr, epochs, stop="none")


def stops_at_first_increase(xs, ys, u, w, v, lr, epochs):
    return _loop(xs, ys, u, w, v, lr, epochs, stop="increase")


def keeps_blown_up_loss(xs, ys, u, w, v, lr, epochs):
    return _loop(xs, ys, u, w, v, lr, epochs, keep_blown=True)


def one_epoch_too_many(xs, ys, u, w, v, lr, epochs):
    return _loop(xs, ys, u, w, v, lr, epochs, extra=1)


TRAIN_LOOP_MISTAKES = (
    Mistake(
        "losses[0] must be the loss BEFORE any training: record it first (epochs + 1 "
        "losses in all)",
        no_initial_loss,
    ),
    Mistake(
        "the loss never changes: carry the updated weights into the next epoch "
        "(u, w, v = the new values)",
        weights_not_carried,
    ),
    Mistake(
        "the loss blew up but training went on: stop when the loss is not finite or above "
        "1000 × losses[0]",
        no_divergence_stop,
    ),
    Mistake(
        "you stopped at the first rise of the loss; a too-large η makes it oscillate and "
        "still come down: stop only when it exceeds 1000 × losses[0] (or is not finite)",
        stops_at_first_increase,
    ),
    Mistake(
        "you kept the loss that blew up; return only the good epochs' losses (the length "
        "then tells the epoch it diverged at)",
        keeps_blown_up_loss,
    ),
    Mistake("one epoch too many: `epochs` updates give epochs + 1 losses", one_epoch_too_many),
)


def _loop_cases():
    xs, ys = decaying_sum_task(6, 4, seed=5)
    xm, ym = decaying_sum_task(4, 3, every_step=True, seed=6)
    out = []
    for label, data, weights, lr, epochs in (
        ("many-to-one, η = 1, 8 epochs (converges)", (xs, ys), (0.5, 0.0, 0.5), 1.0, 8),
        (
            "many-to-one, η = 4, 12 epochs (oscillates but does not blow up)",
            (xs, ys),
            (0.5, 0.0, 0.5),
            4.0,
            12,
        ),
        ("many-to-one, η = 9, 30 epochs (diverges)", (xs, ys), (0.5, 0.0, 0.5), 9.0, 30),
        ("many-to-many, η = 0.5, 6 epochs", (xm, ym), (0.8, 0.2, 1.0), 0.5, 6),
        ("0 epochs: just the initial loss", (xm, ym), (0.8, 0.2, 1.0), 0.5, 0),
    ):
        args = {
            "xs": data[0],
            "ys": data[1],
            "u": weights[0],
            "w": weights[1],
            "v": weights[2],
            "lr": lr,
            "epochs": epochs,
        }
        out.append(Case(label, args, train_scalar(**args).losses))
    return out


def check_train_loop(train):
    """Check ``train(xs, ys, u, w, v, lr, epochs) -> losses``: the training loop with divergence.

    ``losses[e]`` is the mean training loss after e epochs (``losses[0]`` before any update), so
    normally ``epochs + 1`` numbers. When the loss becomes non-finite or exceeds 1000 × losses[0],
    training stops and only the losses before that epoch are returned.
    """
    run_checks(
        "check_train_loop",
        train,
        _loop_cases(),
        mistakes=TRAIN_LOOP_MISTAKES,
        rtol=1e-6,
        atol=1e-10,
    )


# -- truncated BPTT (scalar model, a target at every step) --------------------------------------


def _truncated(
    xs, ys, u, w, v, reach, *, tanh_prime=True, prev_state=True, errors="all", dv_steps=None
):
    """Scalar truncated BPTT written out pair by pair: the error of step t reaches the steps s
    in ``reach(t, T)`` (1-based). Switches give the catalogued mistakes."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, xs.size
    err = v * o[1:] - ys
    du = dw = 0.0
    for t in range(1, T + 1):
        if errors == "last" and t < T:
            continue
        d = err[t - 1] * v  # dL_t/do_t
        for s in range(t, 0, -1):
            slope = (1.0 - o[s] ** 2) if tanh_prime else 1.0
            if s in reach(t, T):
                du += d * slope * xs[s - 1]
                dw += d * slope * (o[s - 1] if prev_state else o[s])
            d = d * slope * w  # on to do_(s−1)
    steps = range(1, T + 1) if dv_steps is None else dv_steps(T)
    dv = sum(err[t - 1] * o[t] for t in steps)
    return float(du), float(dw), float(dv)


def _window(k):
    return lambda t, T: range(max(t - k + 1, 1), t + 1)


def ignored_k(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, lambda t, T: range(1, t + 1))


def window_one_too_long(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, _window(k + 1))


def window_one_too_short(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, _window(k - 1))


def chunked_windows(xs, ys, u, w, v, k):
    return _truncated(
        xs, ys, u, w, v, lambda t, T: [s for s in range(1, t + 1) if (s - 1) // k == (t - 1) // k]
    )


def stopped_k_before_the_end(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, lambda t, T: range(max(T - k + 1, 1), t + 1))


def last_error_only(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, _window(k), errors="last")


def truncated_dv(xs, ys, u, w, v, k):
    return _truncated(
        xs, ys, u, w, v, _window(k), dv_steps=lambda T: range(max(T - k + 1, 1), T + 1)
    )


def missing_tanh_prime(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, _window(k), tanh_prime=False)


def state_after_not_before(xs, ys, u, w, v, k):
    return _truncated(xs, ys, u, w, v, _window(k), prev_state=False)


def wrong_sign(xs, ys, u, w, v, k):
    return tuple(-g for g in scalar_bptt_truncated(xs, ys, u, w, v, k))


TRUNCATED_BPTT_MISTAKES = (
    Mistake(
        "this is the FULL BPTT gradient: each step's error must travel back at most k steps",
        ignored_k,
    ),
    Mistake(
        "off by one: the error of step t reaches steps t, t−1, …, t−k+1 (k steps, step t "
        "itself included); yours went one step further",
        window_one_too_long,
    ),
    Mistake(
        "off by one: the error of step t reaches steps t, t−1, …, t−k+1 (k steps, step t "
        "itself included); yours stopped one step short",
        window_one_too_short,
    ),
    Mistake(
        "you cut the sequence into chunks (t = 1..k, k+1..2k, …); here the window SLIDES: "
        "every error goes back k steps from its own step",
        chunked_windows,
    ),
    Mistake(
        "you stopped the whole backward pass k steps before the end; instead cut EACH "
        "error's path after k steps (early errors get their own windows)",
        stopped_k_before_the_end,
    ),
    Mistake(
        "only the last step's error was used: every step has a target here, and each "
        "error (ŷ_t − y_t)·v starts its own trip back",
        last_error_only,
    ),
    Mistake(
        "dL/dv = Σ_t (ŷ_t − y_t)·o_t does not go back in time: sum it over EVERY step, whatever k",
        truncated_dv,
    ),
    Mistake("the tanh′ factor (1 − o_s²) is missing", missing_tanh_prime),
    Mistake(
        "dL/dw⁽ˢ⁾ uses o_(s−1), the state ENTERING step s; you used o_s", state_after_not_before
    ),
    Mistake("wrong sign everywhere: the error is ŷ_t − y_t, not y_t − ŷ_t", wrong_sign),
)


def _truncated_cases():
    rng = np.random.default_rng(7)
    cases = []
    for label, T, k, weights in (
        ("T = 6, k = 2", 6, 2, (0.8, 0.9, 1.3)),
        ("T = 7, k = 3", 7, 3, (-0.6, 1.1, 0.9)),
        ("T = 5, k = 1 (no gradient passes between steps)", 5, 1, (0.7, -0.8, 1.1)),
        ("T = 4, k = 4 = T (the full gradient)", 4, 4, (0.5, 0.7, -1.2)),
        ("T = 3, k = 5 > T (the full gradient)", 3, 5, (1.0, 0.5, 0.8)),
    ):
        xs = rng.uniform(-1, 1, size=T)
        ys = rng.uniform(-1, 1, size=T)
        args = {"xs": xs, "ys": ys, "u": weights[0], "w": weights[1], "v": weights[2], "k": k}
        cases.append(Case(label, args, scalar_bptt_truncated(**args)))
    return cases


def check_truncated_bptt(truncated_bptt):
    """Check ``truncated_bptt(xs, ys, u, w, v, k) -> (dL/du, dL/dw, dL/dv)``, sliding windows.

    Scalar model with a target at every step, L = Σ_t ½(v·o_t − y_t)². The error of step t,
    (ŷ_t − y_t)·v = dL_t/do_t, travels back through steps t, t−1, …, t−k+1 only; dL/dv is not
    truncated. For k ≥ T this is full BPTT.
    """
    run_checks(
        "check_truncated_bptt",
        truncated_bptt,
        _truncated_cases(),
        mistakes=TRUNCATED_BPTT_MISTAKES,
        names=("dL/du", "dL/dw", "dL/dv"),
    )


# -- the product of Jacobians ∂h_T/∂h_0 -----------------------------------------------------------


def _product(
    hs,
    Wh,
    *,
    later_left=True,
    diag_left=True,
    state_after=True,
    slope="1-h2",
    transpose_wh=True,
    elementwise=False,
    transpose_result=False,
):
    H = Wh.shape[0]
    out = np.eye(H)
    T = hs.shape[0] - 1
    for t in range(1, T + 1):
        h = hs[t] if state_after else hs[t - 1]
        d = {"1-h2": 1.0 - h**2, "1-h": 1.0 - h, "none": np.ones(H)}[slope]
        W = Wh.T if transpose_wh else Wh
        J = d[:, None] * W if diag_left else W * d[None, :]
        if elementwise:
            out = J * out if later_left else out * J
        else:
            out = J @ out if later_left else out @ J
    return out.T if transpose_result else out


def transposed_result(hs, Wh):
    return _product(hs, Wh, transpose_result=True)


def diag_on_the_right(hs, Wh):
    return _product(hs, Wh, diag_left=False)


def earliest_on_the_left(hs, Wh):
    return _product(hs, Wh, later_left=False)


def state_before_the_step(hs, Wh):
    return _product(hs, Wh, state_after=False)


def no_tanh_prime(hs, Wh):
    return _product(hs, Wh, slope="none")


def one_minus_h(hs, Wh):
    return _product(hs, Wh, slope="1-h")


def wh_not_transposed(hs, Wh):
    return _product(hs, Wh, transpose_wh=False)


def elementwise_product(hs, Wh):
    return _product(hs, Wh, elementwise=True)


JACOBIAN_PRODUCT_MISTAKES = (
    Mistake(
        "you returned the transpose: row j must hold the derivatives of h_T[j]", transposed_result
    ),
    Mistake(
        "diag(1 − h_t²) belongs on the LEFT of Wh^T: ∂h_t[j]/∂h_(t−1)[i] = (1 − h_t[j]²)·Wh[i, j]",
        diag_on_the_right,
    ),
    Mistake(
        "wrong order: the latest Jacobian stands on the left, J_T ⋯ J_2 J_1", earliest_on_the_left
    ),
    Mistake(
        "tanh′ of step t is 1 − h_t² (the state AFTER the step), not 1 − h_(t−1)²",
        state_before_the_step,
    ),
    Mistake("the tanh′ factor diag(1 − h_t²) is missing", no_tanh_prime),
    Mistake("tanh′ is 1 − h², not 1 − h", one_minus_h),
    Mistake(
        "Wh must be transposed: ∂a_t[j]/∂h_(t−1)[i] = Wh[i, j], so J_t = diag(1 − h_t²) Wh^T",
        wh_not_transposed,
    ),
    Mistake(
        "you multiplied elementwise (*); the chain rule needs matrix products (@)",
        elementwise_product,
    ),
)


def _jacobian_cases():
    rng = np.random.default_rng(8)
    cases = []
    for label, T, H in (
        ("T = 3, H = 3", 3, 3),
        ("T = 1, H = 2 (one step)", 1, 2),
        ("T = 5, H = 4", 5, 4),
        ("T = 0 (no step: the identity)", 0, 2),
    ):
        Wh = rng.normal(size=(H, H)) * 0.9 / np.sqrt(H)
        x = rng.normal(size=(1, max(T, 1), 2))
        Wx = rng.normal(size=(2, H))
        h, cache = rnn_forward(x, rng.normal(size=(1, H)) * 0.5, Wx, Wh, rng.normal(size=H) * 0.2)
        hs = cache.hs[: T + 1, 0].copy()
        args = {"hs": hs, "Wh": Wh}
        cases.append(Case(label, args, jacobian_products(hs, Wh)[-1]))
    return cases


def check_jacobian_product(jacobian_product):
    """Check ``jacobian_product(hs, Wh) -> ∂h_T/∂h_0`` (H, H), h_t = tanh(x_t Wx + h_(t−1) Wh + b).

    ``hs`` (T + 1, H) holds h_0..h_T of one sequence; the answer is J_T J_(T−1) ⋯ J_1 with
    J_t = diag(1 − h_t²) Wh^T, so that entry [j, i] is ∂h_T[j]/∂h_0[i].
    """
    run_checks(
        "check_jacobian_product",
        jacobian_product,
        _jacobian_cases(),
        mistakes=JACOBIAN_PRODUCT_MISTAKES,
    )
