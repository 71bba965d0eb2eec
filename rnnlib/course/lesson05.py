"""Lesson 05: iterative training (notebooks/05_iterative_training.ipynb).

Checkers of exercise 05, each with its cases and its catalogue of known mistakes:

- ``check_train_epoch``: ``train_epoch(xs, ys, u, w, v, lr)`` → (new u, new w, new v, loss
  before the update): one epoch of gradient descent on the mean loss;
- ``check_train_loop``: ``train(xs, ys, u, w, v, lr, epochs)`` → the losses after 0, 1, …
  epochs (shorter when training diverged).

References come from :mod:`rnnlib.train`; each mistake is computed by a small loop of its own
below (with a switch per mistake), so that a wrong answer is named in plain words.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from .. import scalar, train
from .checking import Case, Checker, Mistake

__all__ = ["CHECKERS", "check_train_epoch", "check_train_loop"]


# -- one epoch of gradient descent -----------------------------------------------------------------


def train_epoch_cases():
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
        xs, ys = train.decaying_sum_task(n, T, every_step=every, seed=seed)
        u, w, v = weights
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "lr": lr}
        cases.append(Case(label, args, tuple(float(a) for a in train.train_epoch(**args))))
    return cases


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


def _epoch(xs, ys, u, w, v, lr, *, reduce="mean", sign=1.0, rate=True, targets="all"):
    """One epoch from the per-sequence losses and gradients, with switches for the mistakes:
    ``reduce`` "mean" | "sum" | "last" over the sequences; ``sign`` of the step; ``rate`` whether
    lr multiplies the gradient; ``targets`` "all" or "last" (only each row's last target)."""
    if targets == "last" and np.ndim(ys) == 2:
        ys = ys[:, -1]
    losses, grads = _per_sequence(xs, ys, u, w, v)
    pick = {"mean": lambda a: a.mean(0), "sum": lambda a: a.sum(0), "last": lambda a: a[-1]}
    g, loss = pick[reduce](grads), pick[reduce](losses)
    return (*_step(u, w, v, sign * g, lr if rate else 1.0), loss)


def _loss_after_update(xs, ys, u, w, v, lr):
    _, grads = _per_sequence(xs, ys, u, w, v)
    new = _step(u, w, v, grads.mean(0), lr)
    return (*new, _per_sequence(xs, ys, *new)[0].mean())


def _update_per_sequence(xs, ys, u, w, v, lr):
    seen = []
    for x, y in zip(xs, ys, strict=True):
        losses, grads = _per_sequence(x[None], np.asarray(y)[None], u, w, v)
        seen.append(losses[0])
        u, w, v = _step(u, w, v, grads[0], lr)
    return u, w, v, float(np.mean(seen))


def _returned_gradients(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*grads.mean(0), losses.mean())


def _loss_divided(xs, ys, u, w, v, lr, *, by):
    new_u, new_w, new_v, loss = train.train_epoch(xs, ys, u, w, v, lr)
    return new_u, new_w, new_v, loss / by(xs, ys)


check_train_epoch = Checker(
    "check_train_epoch",
    "train_epoch(xs, ys, u, w, v, lr)",
    train_epoch_cases,
    items=("new u", "new w", "new v", "loss"),
    doc="(u, w, v, loss): one epoch of gradient descent. ``xs`` (n, T), ``ys`` (n,) (one target "
    "a sequence) or (n, T) (a target at every step); the loss is the mean over the sequences of "
    "each sequence's loss, measured *before* the update, and the update is "
    "``θ − lr·(mean gradient)`` for θ = u, w, v. Inputs must be left unchanged.",
    mistakes=(
        Mistake(
            "summed_not_averaged",
            partial(_epoch, reduce="sum"),
            "you summed over the sequences; the epoch's loss and gradient are the MEAN "
            "(divide the sums by n)",
        ),
        Mistake(
            "gradient_ascent",
            partial(_epoch, sign=-1.0),
            "wrong sign: you stepped uphill (θ + η·∇L); gradient descent is θ − η·∇L",
        ),
        Mistake(
            "loss_after_update",
            _loss_after_update,
            "you returned the loss AFTER the update; return the loss of the weights you started "
            "from (its gradient is the one you used)",
        ),
        Mistake(
            "last_sequence_only",
            partial(_epoch, reduce="last"),
            "only the last sequence counted: add up the loss and gradient of EVERY sequence "
            "(inside the loop), then divide by n",
        ),
        Mistake(
            "update_per_sequence",
            _update_per_sequence,
            "you updated the weights after every sequence (that is SGD with batches of one); "
            "here an epoch is ONE update with the mean gradient",
        ),
        Mistake(
            "missing_learning_rate",
            partial(_epoch, rate=False),
            "the learning rate is missing: the update is θ − η·∇L, not θ − ∇L",
        ),
        Mistake(
            "returned_gradients",
            _returned_gradients,
            "you returned the gradients; return the UPDATED weights θ − η·∇L",
        ),
        Mistake(
            "last_step_target_only",
            partial(_epoch, targets="last"),
            "only the last step's target was used: with ys of shape (n, T) pass the whole row "
            "ys[i] (a target at every step) to scalar.backward",
        ),
        Mistake(
            "loss_without_half",
            partial(_loss_divided, by=lambda xs, ys: 0.5),
            "the loss is missing its ½: L = ½(ŷ − y)² (scalar.total_loss computes it)",
        ),
        Mistake(
            "loss_mean_over_steps",
            partial(_loss_divided, by=lambda xs, ys: xs.shape[1] if np.ndim(ys) == 2 else 1),
            "a sequence's loss is the SUM over its steps, Σ_t ½(ŷ_t − y_t)², not the mean over "
            "steps",
        ),
    ),
)


# -- the training loop -----------------------------------------------------------------------------


def train_loop_cases():
    xs, ys = train.decaying_sum_task(6, 4, seed=5)
    xm, ym = train.decaying_sum_task(4, 3, every_step=True, seed=6)
    cases = []
    for label, (x, y), (u, w, v), lr, epochs in (
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
        args = {"xs": x, "ys": y, "u": u, "w": w, "v": v, "lr": lr, "epochs": epochs}
        cases.append(Case(label, args, train.train_scalar(**args).losses))
    return cases


def loop_losses(
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
    """The loss history of a training loop; with the default switches that of
    :func:`rnnlib.train.train_scalar`, each other switch one catalogued mistake."""
    losses = []
    start = None
    params = (u, w, v)
    for epoch in range(epochs + 1 + extra):
        with np.errstate(all="ignore"):
            try:
                loss, grads = train.dataset_loss_and_grads(xs, ys, *params)
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


check_train_loop = Checker(
    "check_train_loop",
    "train(xs, ys, u, w, v, lr, epochs)",
    train_loop_cases,
    rtol=1e-6,
    atol=1e-10,
    doc="losses: the training loop with divergence. ``losses[e]`` is the mean training loss "
    "after e epochs (``losses[0]`` before any update), so normally ``epochs + 1`` numbers. When "
    "the loss becomes non-finite or exceeds 1000 × losses[0], training stops and only the losses "
    "before that epoch are returned.",
    mistakes=(
        Mistake(
            "no_initial_loss",
            partial(loop_losses, initial=False),
            "losses[0] must be the loss BEFORE any training: record it first (epochs + 1 "
            "losses in all)",
        ),
        Mistake(
            "weights_not_carried",
            partial(loop_losses, carry=False),
            "the loss never changes: carry the updated weights into the next epoch "
            "(u, w, v = the new values)",
        ),
        Mistake(
            "no_divergence_stop",
            partial(loop_losses, stop="none"),
            "the loss blew up but training went on: stop when the loss is not finite or above "
            "1000 × losses[0]",
        ),
        Mistake(
            "stops_at_first_increase",
            partial(loop_losses, stop="increase"),
            "you stopped at the first rise of the loss; a too-large η makes it oscillate and "
            "still come down: stop only when it exceeds 1000 × losses[0] (or is not finite)",
        ),
        Mistake(
            "keeps_blown_up_loss",
            partial(loop_losses, keep_blown=True),
            "you kept the loss that blew up; return only the good epochs' losses (the length "
            "then tells the epoch it diverged at)",
        ),
        Mistake(
            "one_epoch_too_many",
            partial(loop_losses, extra=1),
            "one epoch too many: `epochs` updates give epochs + 1 losses",
        ),
    ),
)

CHECKERS = (check_train_epoch, check_train_loop)
