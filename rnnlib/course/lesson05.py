"""Lesson 05: iterative training
(notebooks/05_iterative_training.ipynb).

Checkers of exercise 05, each with its cases and its catalogue of
known mistakes:

- ``check_train_epoch``: ``train_epoch(xs, ys, u, w, v, lr)`` →
  (new u, new w, new v, loss before the update): one epoch of
  gradient descent on the mean loss;
- ``check_train_loop``: ``train(xs, ys, u, w, v, lr, epochs)`` → the
  losses after 0, 1, … epochs (shorter when training diverged).

References come from :mod:`rnnlib.training`; each mistake is
computed by a small loop of its own below (a slip per mistake, named
by its key), so that a wrong answer is named in plain words.
"""

from __future__ import annotations

import copy
import linecache
import math
import re
from functools import partial

import numpy as np

from .. import data, scalar, training
from .._validate import as_count, as_positive
from ..data import decaying_sum_task
from ..training import train_scalar
from .checking import Case, Checker, Mistake, Question, catalogue, quiet_call

__all__ = [
    "CHECKERS",
    "QUESTIONS",
    "check_train_epoch",
    "check_train_loop",
    "check_train_momentum",
    "FIGURES",
    "training_explorer",
    "TASK",
    "INIT",
]


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
        xs, ys = data.decaying_sum_task(n, T, every_step=every, seed=seed)
        u, w, v = weights
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "lr": lr}
        cases.append(Case(label, args, tuple(float(a) for a in training.train_epoch(**args))))
    return cases


def _per_sequence(xs, ys, u, w, v):
    """Loss and (du, dw, dv) of every sequence on its own: arrays (n,) and
    (n, 3)."""
    losses, grads = [], []
    for x, y in zip(xs, ys, strict=True):
        fwd = scalar.forward(x, u, w, v)
        g = scalar.backward(fwd, y)
        losses.append(scalar.total_loss(fwd, y))
        grads.append((g.du, g.dw, g.dv))
    return np.array(losses), np.array(grads)


def _step(u, w, v, g, lr):
    return u - lr * g[0], w - lr * g[1], v - lr * g[2]


def _epoch(xs, ys, u, w, v, lr, *, slip=None):
    """One epoch from the per-sequence losses and gradients. Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    if slip == "last_step_target_only" and np.ndim(ys) == 2:
        ys = ys[:, -1]
    losses, grads = _per_sequence(xs, ys, u, w, v)
    if slip == "loss_last_step_target_only" and np.ndim(ys) == 2:  # the gradient from ys[i]
        losses = _per_sequence(xs, ys[:, -1], u, w, v)[0]
    if slip in ("last_sequence_left_out", "first_sequence_left_out"):  # range(n − 1), range(1, n)
        kept = slice(None, -1) if slip == "last_sequence_left_out" else slice(1, None)
        losses, grads = losses[kept], grads[kept]
        g, loss = grads.sum(0) / len(xs), losses.sum(0) / len(xs)  # the sums / n, as asked
    elif slip == "summed_not_averaged":
        g, loss = grads.sum(0), losses.sum(0)
    elif slip == "last_sequence_only":
        g, loss = grads[-1], losses[-1]
    elif slip == "first_sequence_over_n":  # `return` inside the loop: after the first sequence
        g, loss = grads[0] / len(xs), losses[0] / len(xs)
    elif slip == "last_sequence_over_n":  # `=` where `+=` belongs: each sequence overwrites
        g, loss = grads[-1] / len(xs), losses[-1] / len(xs)
    elif slip == "divided_by_n_times_T":  # the sums divided by xs.size = n·T, not by n
        g, loss = grads.sum(0) / np.size(xs), losses.sum(0) / np.size(xs)
    elif slip == "gradient_floor_divided":  # `g // n`: the mean gradient rounded down
        g, loss = grads.sum(0) // len(xs), losses.mean(0)
    else:
        g, loss = grads.mean(0), losses.mean(0)
    if slip == "gradient_divided_by_n_twice":  # each g_i / n summed, then / n again
        g = g / len(xs)
    if slip == "weights_not_updated":  # the weights given, returned as they came
        return u, w, v, loss
    if slip == "another_weights_gradient_next":  # u along dL/dw, w along dL/dv, v along dL/du
        g = g[[1, 2, 0]]
    elif slip == "another_weights_gradient_previous":  # u along dL/dv, w along dL/du, v along dL/dw
        g = g[[2, 0, 1]]
    sign = -1.0 if slip == "gradient_ascent" else 1.0
    rate = 1.0 if slip == "missing_learning_rate" else lr
    return (*_step(u, w, v, sign * g, rate), loss)


def _loss_after_update(xs, ys, u, w, v, lr):
    _, grads = _per_sequence(xs, ys, u, w, v)
    new = _step(u, w, v, grads.mean(0), lr)
    return (*new, _per_sequence(xs, ys, *new)[0].mean())


def _update_per_sequence(xs, ys, u, w, v, lr, *, of_the_mean=False):
    """SGD with batches of one: a step after every sequence, along its
    gradient, or along its share of the mean gradient (its gradient / n)
    for ``of_the_mean``."""
    seen = []
    for x, y in zip(xs, ys, strict=True):
        losses, grads = _per_sequence(x[None], np.asarray(y)[None], u, w, v)
        seen.append(losses[0])
        u, w, v = _step(u, w, v, grads[0] / (len(xs) if of_the_mean else 1), lr)
    return u, w, v, float(np.mean(seen))


def _returned_gradients(xs, ys, u, w, v, lr):
    losses, grads = _per_sequence(xs, ys, u, w, v)
    return (*grads.mean(0), losses.mean())


def _loss_divided(xs, ys, u, w, v, lr, *, by):
    new_u, new_w, new_v, loss = _epoch(xs, ys, u, w, v, lr)
    return new_u, new_w, new_v, loss / by(xs, ys)


check_train_epoch = Checker(
    "check_train_epoch",
    "train_epoch(xs, ys, u, w, v, lr) → (new u, new w, new v, loss)",
    train_epoch_cases,
    doc="one epoch of gradient descent. ``xs`` (n, T), ``ys`` (n,) (one target "
    "a sequence) or (n, T) (a target at every step); the loss is the mean over the sequences of "
    "each sequence's loss, measured *before* the update, and the update is "
    "``θ − lr·(mean gradient)`` for θ = u, w, v. Inputs must be left unchanged.",
    forbidden=("training.train_epoch", "training.train_scalar"),
    forbidden_says="it runs the epoch this exercise asks you to write; "
    "dataset_loss_and_grads gives the mean loss and gradient",
    mistakes=catalogue(
        _epoch,
        (
            "summed_not_averaged",
            "you summed over the sequences; the epoch's loss and gradient are the MEAN "
            "(divide the sums by n)",
        ),
        (
            "gradient_ascent",
            "wrong sign: you stepped uphill (θ + η·∇L); gradient descent is θ − η·∇L",
        ),
        (
            "loss_after_update",
            _loss_after_update,
            "you returned the loss AFTER the update; return the loss of the weights you started "
            "from (its gradient is the one you used)",
        ),
        (
            "last_sequence_only",
            "only the last sequence counted: add up the loss and gradient of EVERY sequence "
            "(inside the loop), then divide by n",
        ),
        (
            "first_sequence_over_n",
            "only the first sequence counted (divided by n): is your `return` inside the loop? "
            "Return after it, once every sequence is added up",
        ),
        (
            "last_sequence_over_n",
            "only the last sequence counted (divided by n): ADD each sequence to the sums (+=), "
            "do not assign it (=)",
        ),
        (
            "last_sequence_left_out",
            "the last sequence is left out of the sums: loop over all n of them, range(n) (or "
            "zip(xs, ys)), not range(n − 1)",
        ),
        (
            "first_sequence_left_out",
            "the first sequence is left out of the sums: numpy counts from 0, so loop over "
            "range(n) (or zip(xs, ys)), not range(1, n)",
        ),
        (
            "update_per_sequence",
            _update_per_sequence,
            "you updated the weights after every sequence (that is SGD with batches of one); "
            "here an epoch is ONE update with the mean gradient",
        ),
        (
            "update_per_sequence_of_the_mean",
            partial(_update_per_sequence, of_the_mean=True),
            "you updated inside the loop (by ∇L_i/n after each sequence): sum every sequence's "
            "gradient at the given weights, then ONE update",
        ),
        (
            "another_weights_gradient_next",
            "a weight moved along another weight's gradient: each weight takes its own, "
            "u − η·∂L/∂u, w − η·∂L/∂w, v − η·∂L/∂v",
        ),
        (
            "another_weights_gradient_previous",
            "a weight moved along another weight's gradient: each weight takes its own, "
            "u − η·∂L/∂u, w − η·∂L/∂w, v − η·∂L/∂v",
        ),
        (
            "missing_learning_rate",
            "the learning rate is missing: the update is θ − η·∇L, not θ − ∇L",
        ),
        (
            "returned_gradients",
            _returned_gradients,
            "you returned the gradients; return the UPDATED weights θ − η·∇L",
        ),
        (
            "last_step_target_only",
            "only the last step's target was used: with ys of shape (n, T) pass the whole row "
            "ys[i] (a target at every step) to scalar.backward",
        ),
        (
            "loss_last_step_target_only",
            "the loss used only the last step's target (the weights are right): with ys of "
            "shape (n, T) pass the whole row ys[i] to scalar.total_loss too",
        ),
        (
            "loss_without_half",
            partial(_loss_divided, by=lambda xs, ys: 0.5),
            "the loss is missing its ½: L = ½(ŷ − y)² (scalar.total_loss computes it)",
        ),
        (
            "loss_mean_over_steps",
            partial(_loss_divided, by=lambda xs, ys: xs.shape[1] if np.ndim(ys) == 2 else 1),
            "a sequence's loss is the SUM over its steps, Σ_t ½(ŷ_t − y_t)², not the mean over "
            "steps",
        ),
        (
            "weights_not_updated",
            "the weights are unchanged: return each θ − η·∂L/∂θ (or your sums stayed 0: "
            "`g += [du, dw, dv]` appends to a list; use np.zeros(3))",
        ),
        (
            "gradient_divided_by_n_twice",
            "the gradient is divided by n twice (a mean of ∇L_i/n): ∇L = (1/n) Σ_i ∇L_i, "
            "divide the sum once",
        ),
        (
            "gradient_floor_divided",
            "`//` is floor division: the mean gradient came out rounded down to a whole "
            "number; divide with `/`",
        ),
        (
            "divided_by_n_times_T",
            "you divided by n·T (xs.size); the mean is over the n sequences: divide by len(xs)",
        ),
    ),
)


# -- the training loop -----------------------------------------------------------------------------


def train_loop_cases():
    one = data.decaying_sum_task(6, 4, seed=5)  # many-to-one: (xs, ys)
    many = data.decaying_sum_task(4, 3, every_step=True, seed=6)  # many-to-many
    usual, small, large = (0.5, 0.0, 0.5), (0.5, 0.5, 2.0), (1.5, 1.0, 6.0)  # starting (u, w, v)
    small_loss = "a small first loss (about 0.0053)"  # of `small` on the many-to-one task
    large_loss = "a large first loss (about 5.8)"  # of `large`
    cases = []
    for label, (xs, ys), (u, w, v), lr, epochs in (
        ("many-to-one, η = 1, 8 epochs (converges)", one, usual, 1.0, 8),
        ("many-to-one, η = 4, 12 epochs (oscillates but does not blow up)", one, usual, 4.0, 12),
        ("many-to-one, η = 9, 30 epochs (diverges)", one, usual, 9.0, 30),
        # the loss passes 500×, 1000×, 2000× and 10000× losses[0] at four different epochs
        (
            f"many-to-one, {small_loss}, η = 4.8, 15 epochs (diverges: about 635, 1830, 3030, "
            "43600 × losses[0] at four epochs in a row)",
            one,
            small,
            4.8,
            15,
        ),
        # the limit itself, from both sides: the loss comes within 0.4% of 1000 × losses[0]
        # without passing it, and passes it by 0.09% (a limit of 990 × or 1001 × losses[0],
        # `loss - losses[0] > 1000 * losses[0]`, stops an epoch early or late)
        (
            f"many-to-one, {small_loss}, η = 4.25, 15 epochs (diverges: about 997 × losses[0] "
            "at epoch 6, under the limit, then 5700 ×)",
            one,
            small,
            4.25,
            15,
        ),
        (
            f"many-to-one, {small_loss}, η = 5.434, 15 epochs (diverges: about 1000.9 × "
            "losses[0] at epoch 4, over the limit)",
            one,
            small,
            5.434,
            15,
        ),
        # the loss first falls to about 0.02 × losses[0], then grows: a limit relative to the
        # smallest loss so far stops long before 1000 × losses[0]
        (
            f"many-to-one, {large_loss}, η = 3, 30 epochs (falls far, then diverges)",
            one,
            large,
            3.0,
            30,
        ),
        # losses[0] = 5.8: 1000 × losses[0] = 5770 is passed at epoch 5, the number 1000 at 4
        (f"many-to-one, {large_loss}, η = 4, 10 epochs (diverges)", one, large, 4.0, 10),
        ("many-to-many, η = 0.5, 6 epochs", many, (0.8, 0.2, 1.0), 0.5, 6),
        ("0 epochs: just the initial loss", many, (0.8, 0.2, 1.0), 0.5, 0),
        # losses[0] = 15300 and ‖∇L‖ = 55000 at the start, yet the loss only falls: a limit on
        # the size of the loss (1e4) or of the gradient (1e3) is a divergence that is not there
        (
            "many-to-one, a huge first loss (about 15300: v = 500), η = 1e-6, 8 epochs (the "
            "loss falls: no limit on its size, only 1000 × losses[0])",
            one,
            (0.5, 0.0, 500.0),
            1e-6,
            8,
        ),
        # losses[0] = 2.5e305, so 1000 × losses[0] is inf: `loss > 1000 * losses[0]` never
        # holds. At epoch 3 a sequence's loss is about 7e308 (rnnlib raises ValueError, a loss
        # of one's own is inf): only "not finite" stops. Epoch 2's losses sum to 5.4e307, so a
        # mean taken as a sum over the 6 sequences, then / 6, does not overflow there
        (
            "many-to-one, a first loss of about 2.5e305 (v = 2e153), η = 10, 6 epochs: the loss "
            "overflows float64 at epoch 3 (1000 × losses[0] is inf too)",
            one,
            (0.5, 0.0, 2e153),
            10.0,
            6,
        ),
    ):
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "lr": lr, "epochs": epochs}
        with np.errstate(over="ignore"):  # (the gradient norms it records near 1e306 are inf)
            cases.append(Case(label, args, training.train_scalar(**args).losses))
    return cases


def loop_losses(xs, ys, u, w, v, lr, epochs, *, slip=None):
    """The loss history of a training loop: for ``slip=None`` that of
    :func:`rnnlib.training.train_scalar`, else wrong in the one way its
    slip names (the slips are the keys of the catalogue below)."""
    losses = []
    start = None
    params, total = (u, w, v), np.zeros(3)
    extra = {"one_epoch_too_many": 1, "last_loss_missing": -1}.get(slip, 0)  # passes ± 1
    for epoch in range(epochs + 1 + extra):
        with np.errstate(all="ignore"):
            try:
                loss, grads = training.dataset_loss_and_grads(xs, ys, *params)
            except (OverflowError, ValueError):
                break
        start = loss if start is None else start
        if losses or epoch > 0 or slip == "limit_absolute_from_start":
            prev = losses[-1] if losses else start
            bound = {  # the limit asked for is 1000 × losses[0]; the slips' are near misses
                "limit_absolute": 1000.0,
                "limit_absolute_from_start": 1000.0,
                "limit_factor_100": 100 * start,
                "limit_factor_10000": 10000 * start,
                "limit_relative_to_min": 1000 * min([start, *losses]),
            }.get(slip, 1000 * start)
            blown = not math.isfinite(loss) or loss > bound
            if slip == "stops_at_first_increase":
                blown = blown or loss > prev
            if blown and slip != "no_divergence_stop":
                if slip == "keeps_blown_up_loss":
                    losses.append(loss)
                break
        if slip != "no_initial_loss" or epoch > 0:
            losses.append(loss)
        if slip == "gradient_not_reset":  # sums of the gradients never set back to zero
            total = total + grads
            grads = total
        sign = -1.0 if slip == "loop_gradient_ascent" else 1.0
        rate = 1.0 if slip == "loop_missing_learning_rate" else lr
        if slip != "weights_not_carried" and epoch < epochs + extra:
            params = tuple(p - sign * rate * g for p, g in zip(params, grads, strict=True))
    return np.array(losses)


def _losses_after_the_updates(xs, ys, u, w, v, lr, epochs):
    """The loop that updates, then records the loss of the new weights:
    losses after 1, …, epochs + 1 epochs, losses[0] never recorded (the
    limit relative to the first loss kept)."""
    losses, params = [], (u, w, v)
    for _ in range(epochs + 1):
        with np.errstate(all="ignore"):
            try:
                grads = training.dataset_loss_and_grads(xs, ys, *params)[1]
                params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
                loss = training.dataset_loss_and_grads(xs, ys, *params)[0]
            except (OverflowError, ValueError):
                break
        if not math.isfinite(loss) or (losses and loss > 1000 * losses[0]):
            break
        losses.append(loss)
    return np.array(losses)


def _initial_loss_twice(xs, ys, u, w, v, lr, epochs):
    """losses[0] recorded before the loop, then inside it the loss measured
    BEFORE each update (at the same weights as the entry before it):
    losses[0] twice, the last loss never."""
    losses, params = [training.dataset_loss_and_grads(xs, ys, u, w, v)[0]], (u, w, v)
    for _ in range(epochs):
        with np.errstate(all="ignore"):
            try:
                loss, grads = training.dataset_loss_and_grads(xs, ys, *params)
            except (OverflowError, ValueError):
                break
        if not math.isfinite(loss) or loss > 1000 * losses[0]:
            break
        params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
        losses.append(loss)
    return np.array(losses)


def _run_without_stop(xs, ys, u, w, v, lr, epochs):
    """The losses and gradient norms of the run of ``epochs`` epochs that
    never stops (until a loss cannot be computed): arrays
    (≤ epochs + 1,)."""
    losses, norms, params = [], [], (u, w, v)
    for _ in range(epochs + 1):
        with np.errstate(all="ignore"):
            try:
                loss, grads = training.dataset_loss_and_grads(xs, ys, *params)
            except (OverflowError, ValueError):
                break
        losses.append(loss)
        scale = float(np.max(np.abs(grads)))  # (‖g‖ of gradients near 1e306 overflows)
        norms.append(scale * float(np.linalg.norm(grads / scale)) if scale else 0.0)
        params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
    return np.array(losses), np.array(norms)


def _real_array(x):
    """``x`` as a float array if it holds real numbers (not text, complex
    numbers or booleans), else None."""
    try:
        raw = np.asarray(x)
    except Exception:  # whatever the learner's object raises, it is not numbers
        return None
    return raw.astype(np.float64) if raw.dtype.kind in "iuf" else None


def _times(ratio):
    """A loss over losses[0] as the messages write it: 3 significant digits, or 5 beside the
    limit (1000.9, not 1e+03)."""
    return f"{ratio:.5g}" if 990 <= ratio <= 1010 else f"{ratio:.3g}"


def _stop_diagnosis(result, case, rtol, atol):
    """Where the learner's loop stopped against where it should, in words,
    when its losses are those of the run itself and only its length is
    wrong (a stopping rule of its own); else None."""
    got = _real_array(result)
    if got is None:
        return None
    want = case.expected
    if got.ndim != 1 or len(got) == len(want):
        return None
    run, norms = _run_without_stop(**case.args)
    n, k = len(got), len(want)  # k: the epoch it should stop at (epochs + 1: none)
    infinite = _not_finite_at(case, run)
    with np.errstate(all="ignore"):
        if infinite and n > k and _same_history(got[:k], run[:k], rtol, atol):
            if n == k + 1:
                return (
                    f"you kept epoch {k}'s loss, {_fmt_loss(got[k])}, which is not finite: "
                    f"return only the {k} losses before it"
                )
            return _went_on(k, f"epoch {k}'s loss is {_fmt_loss(got[k])} and training went on")
        if n > len(run) or not np.allclose(got, run[:n], rtol=rtol, atol=atol, equal_nan=True):
            return None
    met = f"met here at epoch {k}" if k < case.args["epochs"] + 1 else "never met here"
    if n == 0:
        return (
            f"you returned no loss: losses[0] ({run[0]:.3g}, gradient norm {norms[0]:.3g}) is "
            f"always kept; the only limit, 1000 × losses[0], is for the later losses ({met})"
        )
    if n < k and infinite:
        return (
            f"you stopped too early, at epoch {n}, whose loss is finite and only "
            f"{_times(run[n] / run[0])} × losses[0]: stop at the first loss that is not finite or "
            f"above 1000 × losses[0] (here epoch {k}'s: it overflows float64)"
        )
    if n < k:
        return (
            f"you stopped too early, at epoch {n}, whose loss is only {_times(run[n] / run[0])} × "
            f"losses[0] (gradient norm {norms[n]:.3g}): the only limit is 1000 × losses[0] "
            f"({met})"
        )
    size = (
        "is not finite"
        if not np.isfinite(run[k])
        else f"is {_times(run[k] / run[0])} × losses[0], above 1000 × losses[0]"
    )
    return (
        f"you went on past the limit: epoch {k}'s loss {size}; stop there and return only the "
        f"{k} losses before it"
    )


def _fmt_loss(x):
    return f"{x:.3g}" if math.isfinite(x) else str(x)


def _not_finite_at(case, run):
    """Does the case's run stop where its loss is not finite (or cannot be
    computed)?"""
    k = len(case.expected)
    return k < case.args["epochs"] + 1 and (len(run) == k or not math.isfinite(run[k]))


def _went_on(k, what):
    """A loop that went on past epoch k, whose loss is not finite, in
    words."""
    return (
        f"{what}: stop as soon as a loss is not finite (here 1000 × losses[0] is inf too, and "
        f"inf > inf is False); return only the {k} losses before it"
    )


def _same_history(a, b, rtol, atol):
    """Two loss histories agree: same length, equal within the tolerances
    (inf and NaN too)."""
    a, b = _real_array(a), _real_array(b)
    if a is None or b is None:
        return False
    with np.errstate(all="ignore"):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol, atol, equal_nan=True))


def _quiet(f, case):
    """``f`` on a copy of the case's inputs, its prints swallowed; None if
    it raises or runs past the checks' time limit."""
    with np.errstate(all="ignore"):
        return quiet_call(f, *copy.deepcopy(case.args).values())


def _empty_lists_where_raised(err):
    """The names of the empty lists (and arrays) among the local variables
    of the innermost frame of ``err``'s traceback (the learner's line that
    raised) that the line indexes (``losses[``); all of them when the
    line cannot be read."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return []
    empty = [
        k
        for k, v in tb.tb_frame.f_locals.items()
        if (isinstance(v, list) and not v) or (isinstance(v, np.ndarray) and v.size == 0)
    ]
    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
    if not line.strip():
        return empty
    return [k for k in empty if re.search(rf"\b{re.escape(k)}\s*\[", line)]


class _TrainLoopChecker(Checker):
    """check_train_loop, with three rules of its own:

    - a catalogued mistake is named only when it gives the learner's
      losses on EVERY case: each is a whole loop with one slip (a limit
      of 100 × losses[0] and one of 300 × stop at the same epoch on one
      case, not on all);
    - a loss history whose numbers are the run's own but whose length is
      wrong (a stopping rule of the learner's own) and that no
      catalogued mistake explains is told where it stopped, where it
      should have, and the rule;
    - rnnlib's ``ValueError`` for a loss that overflows float64, raised
      out of the learner's loop, is told to be caught and stopped on."""

    def _raised(self, case, err):
        """A ``ValueError`` of rnnlib's (an overflow, or a weight that is not
        finite) on a case whose loss overflows at epoch k: the loop did not
        stop there. An ``IndexError`` of a list while a list of the
        learner's is empty: ``losses[0]`` read before it was recorded."""
        empty = _empty_lists_where_raised(err)
        said = str(err)
        past = said == "list index out of range" or said.endswith("with size 0")
        if isinstance(err, IndexError) and past and empty:
            kind = "list" if said.startswith("list") else "array"
            return (
                f"an index into an empty {kind} (`{empty[0]}` is empty here): at epoch 0 no loss "
                "is recorded yet, so losses[0] does not exist; compare with 1000 × losses[0] only "
                "once it is there (`if losses and loss > 1000 * losses[0]`), or keep the first "
                "loss in a variable of its own"
            )
        overflowed = "overflow" in said.lower() or "finite" in said.lower()
        if not isinstance(err, ValueError) or not overflowed:
            return None
        if not _not_finite_at(case, _run_without_stop(**case.args)[0]):
            return None
        k = len(case.expected)
        return (
            f"epoch {k}'s loss overflows float64, so rnnlib raised {type(err).__name__}: that "
            f"loss is not finite: catch the error (`except ValueError: break`) and return the "
            f"{k} losses before it"
        )

    def _name_mistakes(self, fn, cases, case, result, problems):
        found = super()._name_mistakes(fn, cases, case, result, problems)
        if found:
            results = [_quiet(fn, c) for c in cases]

            def everywhere(m):
                return all(
                    _same_history(r, _quiet(m.answer, c), self.rtol, self.atol)
                    for r, c in zip(results, cases, strict=True)
                )

            found = {j: [m for m in ms if everywhere(m)] for j, ms in found.items()}
            found = {j: ms for j, ms in found.items() if ms}
        if found or not problems or problems[0][1] != "form":
            return found
        said = _stop_diagnosis(result, case, self.rtol, self.atol)
        if said is None:
            return found
        return {problems[0][0]: [Mistake("stopped_at_another_epoch", lambda *args: None, said)]}


check_train_loop = _TrainLoopChecker(
    "check_train_loop",
    "train(xs, ys, u, w, v, lr, epochs)",
    train_loop_cases,
    rtol=1e-6,
    atol=1e-10,
    doc="losses: the training loop with divergence. ``losses[e]`` is the mean training loss "
    "after e epochs (``losses[0]`` before any update), so normally ``epochs + 1`` numbers. When "
    "the loss becomes non-finite or exceeds 1000 × losses[0], training stops and only the losses "
    "before that epoch are returned. A loss too large for float64 is not finite: rnnlib raises "
    "``ValueError`` for it, which the loop catches and stops on.",
    forbidden=("training.train_scalar",),
    forbidden_says="it runs the training loop this exercise asks you to write; "
    "dataset_loss_and_grads gives each epoch's mean loss and gradient",
    mistakes=catalogue(
        loop_losses,
        (
            "no_initial_loss",
            "losses[0] must be the loss BEFORE any training: record it first (epochs + 1 "
            "losses in all)",
        ),
        (
            "weights_not_carried",
            "the loss never changes: carry the updated weights into the next epoch "
            "(u, w, v = the new values)",
        ),
        (
            "no_divergence_stop",
            "the loss blew up but training went on: stop when a loss is not finite or above "
            "1000 × losses[0], the FIRST loss",
        ),
        (
            "stops_at_first_increase",
            "you stopped at the first rise of the loss; a too-large η makes it oscillate and "
            "still come down: stop only when it exceeds 1000 × losses[0] (or is not finite)",
        ),
        (
            "keeps_blown_up_loss",
            "you kept the loss that blew up; return only the good epochs' losses (the length "
            "then tells the epoch it diverged at)",
        ),
        (
            "limit_absolute",
            "you stopped on a fixed limit, a loss above 1000; the only limit is relative: "
            "1000 × losses[0], whatever the size of losses[0]",
        ),
        (
            "limit_absolute_from_start",
            "you stopped on a fixed limit, a loss above 1000, even at losses[0]; losses[0] is "
            "always kept, and the only limit is relative: 1000 × losses[0]",
        ),
        (
            "limit_relative_to_min",
            "you stopped at 1000 × the SMALLEST loss so far; the limit is relative to the first "
            "loss: 1000 × losses[0] (a loss may fall far, then grow, and still be no divergence)",
        ),
        (
            "limit_factor_100",
            "you stopped at 100 × losses[0]; the limit asked for is 1000 × losses[0]",
        ),
        (
            "limit_factor_10000",
            "you stopped at 10000 × losses[0]; the limit asked for is 1000 × losses[0]",
        ),
        ("one_epoch_too_many", "one epoch too many: `epochs` updates give epochs + 1 losses"),
        (
            "last_loss_missing",
            "the last loss is missing: `epochs` updates give epochs + 1 losses; loop epochs + 1 "
            "times (the last pass only measures)",
        ),
        (
            "loop_gradient_ascent",
            "wrong sign: you stepped uphill (θ + η·∇L), so the loss grows; gradient descent is "
            "θ − η·∇L",
        ),
        (
            "loop_missing_learning_rate",
            "the learning rate is missing: the update is θ − η·∇L, not θ − ∇L",
        ),
        (
            "gradient_not_reset",
            "your gradient sums were never set back to zero: each update used the gradients of "
            "ALL the epochs so far; start every epoch's sums at 0",
        ),
        (
            "losses_after_the_updates",
            _losses_after_the_updates,
            "you recorded the loss AFTER each update, so losses[0] is missing and one more comes "
            "at the end: record the loss of the weights you start from, then update",
        ),
        (
            "initial_loss_twice",
            _initial_loss_twice,
            "losses[0] is there twice: the loss computed with the gradient is that of the "
            "weights BEFORE the update; record it once per epoch (epochs + 1 passes, the last "
            "one only measuring)",
        ),
    ),
)


# -- the transfer task: gradient descent with momentum ------------------------------------------
# Heavy-ball momentum, m_0 = 0:  m_e = β·m_(e−1) + ∇L(θ_(e−1)),  θ_e = θ_(e−1) − η·m_e.
# The answer is the losses after 0..epochs epochs (no divergence test: the cases stay finite).


def momentum_losses(xs, ys, u, w, v, lr, beta, epochs, *, slip=None):
    """Loss history of momentum training. Right for ``slip=None``, else
    wrong in the one way its slip names (the slips are the keys of the
    catalogue below)."""
    theta, m, losses = np.array([u, w, v], dtype=float), np.zeros(3), []
    for epoch in range(epochs + 1):
        loss, g = training.dataset_loss_and_grads(xs, ys, *theta)
        if slip != "momentum_no_initial_loss" or epoch > 0:  # (that slip: the loss after each step)
            losses.append(loss)
        if epoch == epochs or (slip == "momentum_last_loss_missing" and epoch == epochs - 1):
            break
        if slip == "momentum_ignored":
            theta = theta - lr * g
        elif slip == "momentum_averaged":  # m = β·m + (1 − β)·g
            m = beta * m + (1 - beta) * g
            theta = theta - lr * m
        elif slip == "momentum_stale_step":  # θ moves with the old m, then m is updated
            theta = theta - lr * m
            m = beta * m + g
        elif slip == "momentum_beta_on_gradient":  # m = m + β·g
            m = m + beta * g
            theta = theta - lr * m
        elif slip == "momentum_one_minus_beta":  # m = (1 − β)·m + g
            m = (1 - beta) * m + g
            theta = theta - lr * m
        elif slip == "momentum_gradient_ascent":  # θ ← θ + η·m
            m = beta * m + g
            theta = theta + lr * m
        elif slip == "momentum_lr_twice":  # m = β·m + η·g, then θ ← θ − η·m: η twice
            m = beta * m + lr * g
            theta = theta - lr * m
        elif slip == "momentum_nesterov":  # the gradient at the look-ahead point θ − η·β·m
            m = beta * m + training.dataset_loss_and_grads(xs, ys, *(theta - lr * beta * m))[1]
            theta = theta - lr * m
        else:  # the heavy ball
            m = beta * m + g
            theta = theta - lr * m
    return np.array(losses)


def train_momentum_cases():
    cases = []
    for label, seed, every, (u, w, v), lr, beta, epochs in (
        ("many-to-one, η = 0.5, β = 0.9, 12 epochs", 7, False, (0.5, 0.0, 0.5), 0.5, 0.9, 12),
        ("many-to-one, η = 1, β = 0.5, 8 epochs", 8, False, (0.3, 0.4, 1.0), 1.0, 0.5, 8),
        ("many-to-many, η = 0.2, β = 0.8, 10 epochs", 9, True, (0.8, 0.2, 1.0), 0.2, 0.8, 10),
        ("β = 0: plain gradient descent, 5 epochs", 10, False, (0.5, 0.0, 0.5), 1.0, 0.0, 5),
        ("0 epochs: just the initial loss", 11, False, (0.5, 0.0, 0.5), 1.0, 0.9, 0),
    ):
        xs, ys = data.decaying_sum_task(5, 4, every_step=every, seed=seed)
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "lr": lr, "beta": beta}
        args["epochs"] = epochs
        cases.append(Case(label, args, momentum_losses(**args)))
    return cases


check_train_momentum = Checker(
    "check_train_momentum",
    "train_momentum(xs, ys, u, w, v, lr, beta, epochs)",
    train_momentum_cases,
    rtol=1e-6,
    atol=1e-10,
    doc="losses (epochs + 1,): training with heavy-ball momentum, m_0 = 0, "
    "m ← β·m + ∇L, θ ← θ − η·m for θ = (u, w, v); ``losses[e]`` is the mean loss after e epochs.",
    hints=(  # a momentum kept in a Python list, m = [0, 0, 0], which beta * m cannot scale
        (
            TypeError,
            "can't multiply sequence by non-int",
            "a Python list times a number does not scale it (`[0, 0, 0] * 2` repeats the "
            "list, `0.9 * [0, 0, 0]` fails): keep m in an array, m = np.zeros(3)",
        ),
    ),
    mistakes=catalogue(
        momentum_losses,
        (
            "momentum_ignored",
            "your loop is plain gradient descent: m must carry β·m of the previous epochs, "
            "m ← β·m + ∇L",
        ),
        (
            "momentum_averaged",
            "you averaged, m ← β·m + (1 − β)·∇L; the heavy ball asked for adds the whole "
            "gradient, m ← β·m + ∇L",
        ),
        (
            "momentum_stale_step",
            "you stepped with the old m and updated it afterwards; update m first, then "
            "θ ← θ − η·m with the new m",
        ),
        (
            "momentum_beta_on_gradient",
            "β multiplies the old momentum, not the gradient: m ← β·m + ∇L",
        ),
        (
            "momentum_one_minus_beta",
            "you kept (1 − β)·m of the old momentum; the heavy ball keeps β·m: m ← β·m + ∇L",
        ),
        (
            "momentum_gradient_ascent",
            "wrong sign: you stepped uphill, θ + η·m (or m ← β·m − ∇L, then θ − η·m); the "
            "heavy ball steps downhill: m ← β·m + ∇L, θ ← θ − η·m",
        ),
        (
            "momentum_lr_twice",
            "η counted twice: m ← β·m + η·∇L and then θ ← θ − η·m; the heavy ball asked for "
            "adds the gradient itself, m ← β·m + ∇L (η·m is the step)",
        ),
        (
            "momentum_nesterov",
            "you took the gradient at the look-ahead point θ − η·β·m (Nesterov's variant); the "
            "heavy ball asked for takes it at θ",
        ),
        (
            "momentum_no_initial_loss",
            "losses[0] is missing: you recorded the loss after each update; record it before, "
            "then update",
        ),
        (
            "momentum_last_loss_missing",
            "the last loss is missing: after the last update measure the loss once more "
            "(epochs + 1 losses)",
        ),
    ),
)

CHECKERS = (check_train_epoch, check_train_loop, check_train_momentum)


# -- graded questions of exercise 05 ---------------------------------------------------------------
# Along v alone the mean loss is ½κ(v − v*)² + L_min and a step multiplies v − v* by 1 − ηκ.

QUESTIONS = (
    Question(
        "05.five_steps",
        "Along v alone the mean loss is a parabola of curvature κ = 0.8 (its second derivative: "
        "L = ½κ(v − v*)² + L_min). You start at distance v − v* = 0.1 from its bottom and take "
        "5 gradient steps with η = 3 (u and w fixed). What is v − v* after them? Four "
        "significant digits are enough (the check allows 0.1%).",
        (1 - 3 * 0.8) ** 5 * 0.1,
        why={
            abs(1 - 3 * 0.8) ** 5 * 0.1: "right size, wrong sign: 1 − ηκ = −1.4 is negative, "
            "each step jumps over the bottom, and 5 jumps end on the other side",
            (1 - 3 * 0.8) * 0.1: "that is one step; each of the 5 steps multiplies by 1 − ηκ",
            (1 - 3 * 0.8) ** 4 * 0.1: "that is 4 steps; 5 steps multiply by (1 − ηκ)⁵",
            (1 - 0.8 / 3) ** 5 * 0.1: "the factor is 1 − η·κ = 1 − 3 × 0.8, not 1 − κ/η",
            (1 - 2 * 3 * 0.8) ** 5 * 0.1: "that is the factor 1 − 2ηκ of L = κ(v − v*)²; with "
            "L = ½κ(v − v*)² the gradient is κ(v − v*) and a step multiplies by 1 − ηκ",
            (1 - 3 * 0.8) ** 6 * 0.1: "that is 6 steps; 5 steps multiply by (1 − ηκ)⁵",
            (1 - 3 * 0.8) ** 5: "that is the factor (1 − ηκ)⁵ alone; multiply it by the starting "
            "distance 0.1",
            (1 + 3 * 0.8) ** 5 * 0.1: "wrong sign: a step goes DOWN the slope, v − η·κ(v − v*), "
            "so it multiplies the distance by 1 − ηκ, not 1 + ηκ",
            0.1 - 5 * 3 * 0.8 * 0.1: "you took 5 steps along the FIRST gradient; each step "
            "takes the gradient where it stands, κ(v − v*), so each multiplies by 1 − ηκ",
            5 * (1 - 3 * 0.8) * 0.1: "5 steps multiply by (1 − ηκ) five times, (1 − ηκ)⁵, not "
            "by 5·(1 − ηκ)",
            (1 - 3 / 0.8) ** 5 * 0.1: "the factor is 1 − η·κ = 1 − 3 × 0.8, not 1 − η/κ",
            0.5 * 0.8 * ((1 - 3 * 0.8) ** 5 * 0.1) ** 2: "that is the loss above its minimum, "
            "½κ(v − v*)², after the 5 steps; the question asks for v − v* itself",
            (1 - 3 * 0.8) ** 5 * 0.1 - 0.1: "that is how much v − v* changed, end minus start; "
            "the question asks for v − v* after the 5 steps",
        },
        rtol=1e-3,
        explain="(1 − 3 × 0.8)⁵ × 0.1 = (−1.4)⁵ × 0.1 ≈ −0.538: |1 − ηκ| > 1, so the distance "
        "grows: η = 3 is above 2/κ = 2.5 and training along v diverges.",
    ),
    Question(
        "05.largest_rate",
        "The mean loss of a training set has curvature (second derivative) κ = 0.25 along v (u "
        "and w fixed). Up to "
        "which learning rate η does gradient descent along v still settle at the bottom?",
        "c",
        choices={
            "a": "η < 0.5",
            "b": "η < 4",
            "c": "η < 8",
            "d": "any η > 0: a parabola has one minimum",
        },
        why={
            "a": "that is 2κ; the factor 1 − ηκ must stay in (−1, 1), which gives η < 2/κ",
            "b": "η = 1/κ = 4 is the rate that lands on the bottom in one step; up to 2/κ = 8 "
            "the jumps over the bottom still shrink",
            "d": "a step multiplies the distance by 1 − ηκ; for η > 2/κ = 8 that is below −1 "
            "and each jump lands further away",
        },
        explain="Settles iff |1 − ηκ| < 1, i.e. 0 < η < 2/κ = 8 (and η = 1/κ = 4 lands in one "
        "step).",
    ),
)


# =================================================================================================
# The slider figure of lesson 05, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 05's sliders: the learning rate η and the number of epochs of a training run.
#
# The run is :func:`rnnlib.training.train_scalar` on the lesson's fading-memory task
# (:data:`TASK`: 12 sequences of T = 4 steps, one target each). The left panel shows the training
# loss epoch by epoch (log scale); when η is too large the run stops where the loss blew up and the
# panel says at which epoch. The right panel shows the predictions ŷ against the targets y with the
# weights reached at the last epoch shown: on the diagonal means learned.
#
# Full-batch gradient descent is deterministic, so training for E epochs gives the first E epochs
# of a longer run: each η's run is cached, shown up to the epochs slider, and continued (never
# redone) when the slider asks for more epochs. A slider move costs at most one training run.

#: The lesson's training set: ``decaying_sum_task(n=12, T=4, decay=0.5, seed=0)``, many-to-one.
TASK = dict(n=12, T=4, decay=0.5, every_step=False, seed=0)
#: The lesson's initial weights (u, w, v).
INIT = (0.5, 0.0, 0.5)

_FLOOR, _TOP = -4.0, 3.0  # log10 range of the loss axis


def _epochs(k):
    """``"1 epoch"``, ``"60 epochs"``: the count with its noun."""
    return f"{k} epoch" + "s" * (k != 1)


def training_explorer(
    lr=1.0, epochs=60, xs=None, ys=None, init=INIT, max_epochs=100, lr_range=(0.05, 10.0)
):
    """An η slider and an epochs slider driving a loss curve and a
    predictions-vs-targets plot.

    Parameters
    ----------
    lr : float, initial learning rate η
    epochs : int, initial number of epochs shown
    xs, ys : the training set; ``None`` takes :data:`TASK`
    init : (u, w, v), the initial weights of every run
    max_epochs : int, the epochs slider's maximum (each η is trained
        this long, once)
    lr_range : (float, float), the η slider's range

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds ``lr``,
    ``epochs``, ``trained`` (the epochs actually done: fewer when the
    run diverged), ``losses`` (the curve shown), ``loss`` (its last
    value), ``diverged``, ``diverged_at``, ``u``, ``w``, ``v``,
    ``y_hat`` and ``off_scale`` (how many predictions lie beyond the
    right panel, drawn at its edge).
    """
    from .sliders import Explorer, Slider, freeze_static, new_figure, slider_count, slider_range

    if (xs is None) != (ys is None):  # one alone was silently replaced by the lesson's task
        raise ValueError(
            "xs, ys: expected both (a training set of your own) or neither (the lesson's task), "
            f"got xs={type(xs).__name__}, ys={type(ys).__name__}"
        )
    if xs is None:
        xs, ys = decaying_sum_task(**TASK)
    max_epochs = as_count("max_epochs", max_epochs)
    # the starting count as `set` takes it: 1.5 (or True, or "3") was made 1 (or 3) by the
    # slider's int() without a word
    epochs = slider_count("epochs", epochs, 0)
    lr_range = slider_range("lr_range", lr_range, low_above_zero=True)
    runs = {}
    first = train_scalar(xs, ys, *init, 1.0, 0)  # the initial loss: the same for every η
    limit = 1000 * float(first.losses[0])  # train_scalar's default divergence limit

    def run(lr, epochs):
        """The run at η = lr, trained (at least) ``epochs`` epochs: continued,
        never redone."""
        key = round(float(lr), 10)
        r = runs.get(key)
        if r is None:
            r = first
        done = len(r.losses) - 1
        if not r.diverged and done < epochs:
            more = min(max_epochs, -(-epochs // 10) * 10) - done  # whole tens, fewer restarts
            # gradient descent is deterministic: continuing from the last weights with the same
            # limit gives exactly the numbers of one longer run
            r2 = train_scalar(xs, ys, *r.params[-1], lr, more, max_loss=limit)
            r = r._replace(
                losses=np.concatenate([r.losses, r2.losses[1:]]),
                params=np.concatenate([r.params, r2.params[1:]]),
                grad_norms=np.concatenate([r.grad_norms, r2.grad_norms]),
                diverged=r2.diverged,
                diverged_at=None if r2.diverged_at is None else done + r2.diverged_at,
            )
        runs[key] = r
        return r

    def predictions(u, w, v):
        return np.array([scalar.forward(x, u, w, v).y_hat for x in xs])

    fig = new_figure(figsize=(8.6, 3.3))
    # fixed margins instead of a layout pass (which measures every text twice): half the build
    fig.set_layout_engine("none")
    margins = {"left": 0.085, "right": 0.99, "bottom": 0.14, "top": 0.92, "wspace": 0.22}
    ax_l, ax_p = fig.subplots(1, 2, width_ratios=(1.35, 1), gridspec_kw=margins)
    # log10 of the loss on a linear axis (a log axis is too slow to redraw for a slider)
    # 3% of the range past each end: the dot at the last epoch (100, the slider's end) was cut in
    # half by the frame, and the first epoch's stroke lay under the y-axis
    ax_l.set_xlim(-0.03 * max_epochs, 1.03 * max_epochs)
    ax_l.set_ylim(_FLOOR, _TOP)
    ax_l.set_yticks(
        range(int(_FLOOR), int(_TOP) + 1),
        [rf"$10^{{{k}}}$" for k in range(int(_FLOOR), int(_TOP) + 1)],
    )
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel("mean training loss")
    log_limit = np.log10(limit)
    ax_l.axhline(log_limit, ls="--", color="tab:red", lw=1)
    ax_l.text(
        0.98 * max_epochs,
        log_limit + 0.1,
        "divergence limit: 1000 × initial loss",
        color="tab:red",
        fontsize=8,
        ha="right",
        va="bottom",
    )
    (curve,) = ax_l.plot([], [], color="tab:blue", lw=1.6)
    (boom,) = ax_l.plot([], [], "X", color="tab:red", ms=11)
    # where the curve ends: after one epoch the curve is a short stroke along the y-axis
    (end,) = ax_l.plot([], [], "o", color="tab:blue", ms=5)
    status = ax_l.text(0.03, 0.04, "", transform=ax_l.transAxes, fontsize=9)
    ax_l.set_title("training loss", fontsize=10)

    y_true = ys if ys.ndim == 1 else ys[:, -1]
    span = 1.25 * float(np.abs(y_true).max())
    ax_p.plot([-span, span], [-span, span], color="0.6", lw=1, ls="--")
    (dots,) = ax_p.plot(y_true, np.zeros_like(y_true), "o", color="tab:orange", ms=5)
    ax_p.set_xlim(-span, span)
    ax_p.set_ylim(-span, span)
    ax_p.set_aspect("equal")
    ax_p.set_xlabel(r"target $y$")
    ax_p.set_ylabel(r"prediction $\hat y$")
    ax_p.set_title("predictions with the weights reached", fontsize=10)
    # bottom right, below the diagonal: predictions off the scale are drawn on the top and
    # bottom edges, where a note at the top left lay over them
    note_p = ax_p.text(
        0.96,
        0.04,
        "",
        transform=ax_p.transAxes,
        va="bottom",
        ha="right",
        fontsize=8,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
    )

    def update(lr, epochs):
        # (a string "1" failed deep in a format, True was taken for 1.0)
        lr = as_positive("lr", lr, "learning rate")
        epochs = slider_count("epochs", epochs, 0)
        r = run(lr, epochs)
        trained = min(epochs, len(r.losses) - 1)
        losses = r.losses[: trained + 1]
        diverged = r.diverged and r.diverged_at <= epochs
        u, w, v = (float(p) for p in r.params[trained])
        y_hat = predictions(u, w, v)
        curve.set_data(np.arange(trained + 1), np.clip(np.log10(losses), _FLOOR, _TOP))
        if diverged:
            boom.set_data([r.diverged_at], [log_limit])  # where the loss crossed the limit
            status.set_text(f"η = {lr:.2f}: diverged at epoch {r.diverged_at}, stopped")
            status.set_color("tab:red")
            end.set_data([], [])
        else:
            boom.set_data([], [])
            status.set_text(f"η = {lr:.2f}: loss after {_epochs(trained)} {losses[-1]:.2e}")
            status.set_color("black")
            end.set_data([trained], [np.clip(np.log10(losses[-1]), _FLOOR, _TOP)])
        dots.set_ydata(np.clip(y_hat, -0.97 * span, 0.97 * span))  # off-scale: at the edge
        off = int(np.sum(np.abs(y_hat) > 0.97 * span))
        note_p.set_text(
            f"{_epochs(trained)}:\nu = {u:+.2f}, w = {w:+.2f}, v = {v:+.2f}"
            + (f"\n{off} of {y_hat.size} off the scale,\ndrawn at its edge" if off else "")
        )
        return {
            "lr": float(lr),
            "epochs": epochs,
            "trained": trained,
            "losses": losses,
            "loss": float(losses[-1]),
            "diverged": bool(diverged),
            "diverged_at": r.diverged_at if diverged else None,
            "u": u,
            "w": w,
            "v": v,
            "y_hat": y_hat,
            "off_scale": off,
        }

    def readout(s):
        off = f"; {s['off_scale']} predictions off the right panel's scale" * bool(s["off_scale"])
        if s["diverged"]:
            return (
                f"η = {s['lr']:.2f}: <b>diverged at epoch {s['diverged_at']}</b> "
                f"(the loss passed 1000 × its initial value); training stopped{off}"
            )
        return (
            f"η = {s['lr']:.2f}, {_epochs(s['trained'])}: loss <b>{s['loss']:.3e}</b>, "
            f"u = {s['u']:+.3f}, w = {s['w']:+.3f}, v = {s['v']:+.3f}{off}"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting)
    freeze_static(fig, [curve, end, boom, status, dots, note_p])
    sliders = {
        "lr": Slider(float(lr_range[0]), float(lr_range[1]), 0.05, float(lr), "learning rate η"),
        "epochs": Slider(1, int(max_epochs), 1, int(epochs), "epochs", integer=True),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (training_explorer,)
