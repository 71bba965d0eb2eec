"""Lesson 08: applications (notebooks/08_applications.ipynb).

Checkers of exercise 08, each with its cases and its catalogue of
known mistakes:

- ``check_softmax_cross_entropy``:
  ``softmax_cross_entropy(logits, targets)`` → (L, dL/dz);
- ``check_readout_backward``: ``readout_backward(dz, h, Wy)`` →
  (dh, dWy, dby), the optional many-to-one read-out
  ``z = h_T Wy + by`` (one output per sequence, from its last step):
  ``dz`` (N, K), ``dh`` (N, T, H) zero except at t = T;
- ``check_masked_cross_entropy``:
  ``masked_cross_entropy(logits, targets, mask)`` → (L, dL/dz), the
  transfer task: a batch of sequences of different lengths, padded,
  where only the positions with ``mask = 1`` count:
  ``L = −Σ_m mask_m log p_m[y_m] / Σ_m mask_m`` and
  ``dL/dz_m = mask_m (p_m − onehot(y_m)) / Σ mask``.

Graded questions (``QUESTIONS``): a perplexity from two kinds of
position, what teacher forcing feeds the model, what stateful
chunked truncated BPTT carries across a window boundary.

``softmax_cross_entropy`` takes logits (..., C) and integer targets
(...) and returns the *mean* over the M = prod(targets.shape)
positions, ``L = −(1/M) Σ_m log p_m[y_m]`` with
``p_m = softmax(logits_m)``, and
``dL/dlogits_m = (p_m − onehot(y_m)) / M``. The references come from
:func:`rnnlib.softmax_cross_entropy` and
:func:`rnnlib.readout.linear_backward` (both checked against finite
differences in the test suite). Each mistake computes one wrong
answer.
"""

from __future__ import annotations

import html
import textwrap
from functools import lru_cache

import numpy as np

from ..data import decode, encode, tiny_corpus, valid_word_fraction
from ..losses import softmax_cross_entropy
from ..readout import linear_backward
from ..sampling import next_distribution, sample
from ..training import train_char_model
from .checking import Case, Checker, Question, catalogue, table_cases

__all__ = [
    "CHECKERS",
    "check_softmax_cross_entropy",
    "check_readout_backward",
    "check_masked_cross_entropy",
    "QUESTIONS",
    "FIGURES",
    "sampling_explorer",
    "show_char",
]


# -- softmax cross-entropy -------------------------------------------------------------------------


def softmax_cross_entropy_cases():
    rng = np.random.default_rng(808)
    items = [
        ("one position, C = 3", np.array([[1.0, 2.0, 0.5]]), np.array([1])),
        ("N = 4 positions, C = 5", rng.normal(size=(4, 5)) * 2, np.array([0, 4, 2, 2])),
        (
            "a batch of sequences, N = 2, T = 3, C = 4 (M = 6 positions)",
            rng.normal(size=(2, 3, 4)) * 2,
            np.array([[0, 1, 3], [2, 2, 1]]),
        ),
        (
            "equal logits (p uniform, so L = log C), N = 2, C = 6",
            np.zeros((2, 6)),
            np.array([5, 0]),
        ),
        (
            "large logits, up to ±1000: exp(1000) overflows to inf unless you subtract each row's "
            "max first",
            np.array([[1000.0, 998.0, -1000.0], [-5.0, 995.0, 1000.0]]),
            np.array([0, 1]),
        ),
        (
            "a target 800 below the other logit: p rounds to 0 and log 0 = −inf unless you "
            "compute log p = (z − max) − log Σ exp(z − max)",
            np.array([[0.0, -800.0], [1.0, 2.0]]),
            np.array([1, 0]),
        ),
        (
            "rows far apart in scale (one near +1000, one near −1000): subtracting ONE max for "
            "the whole array leaves the second row at exp(−2000) = 0 and 0/0; subtract each "
            "row's own max",
            np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -999.5]]),
            np.array([2, 0]),
        ),
        (
            "one logit 1200 above the others: subtracting the row's MEAN leaves exp(800), which "
            "overflows; only the row's max makes every exp(z − max) ≤ 1",
            # the small third row: there a mean-subtracting softmax is right, so its p = 0 in the
            # first two rows is not taken for "the logits used as log-probabilities"
            np.array([[1200.0, 0.0, 0.0], [0.0, 0.0, 1200.0], [0.5, -1.0, 2.0]]),
            np.array([1, 2, 0]),
        ),
    ]
    return table_cases("logits, targets", items, _softmax_reference)


def _softmax_reference(logits, targets):
    loss, dlogits = softmax_cross_entropy(logits, targets)
    return float(loss), dlogits


def parts(logits, targets, axis=-1):
    """log p (stable), p, the one-hot of the targets, and M: the pieces
    every mistake uses."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets)
    s = z - z.max(axis=axis, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
    onehot = np.zeros_like(z)
    np.put_along_axis(onehot, y[..., None], 1.0, axis=-1)
    return logp, np.exp(logp), onehot, max(y.size, 1)


def _picked(a, targets):
    return np.take_along_axis(a, np.asarray(targets)[..., None], axis=-1)[..., 0]


def _sce(logits, targets, *, slip=None):
    """Loss and gradient from :func:`parts`. Right for ``slip=None``, else
    wrong in the one way its slip names (the slips are the keys of the
    catalogue below)."""
    axis = 0 if slip == "softmax_over_wrong_axis" else -1
    if slip == "targets_minus_one":  # class ids read as 1-based: y − 1 (−1 wraps to C − 1)
        targets = (np.asarray(targets) - 1) % np.shape(logits)[-1]
    logp, p, onehot, M = parts(logits, targets, axis=axis)
    N = np.shape(targets)[0]
    picked = _picked(p if slip == "p_instead_of_log_p" else logp, targets).sum()
    over = {"loss_summed": 1, "divided_by_batch_only": N}.get(slip, M)
    loss = (picked if slip == "missing_minus" else -picked) / over
    if slip == "loss_in_bits":  # np.log2 where np.log belongs
        loss = loss / np.log(2.0)
    if slip == "softmax_over_wrong_axis" and np.shape(logits)[0] == 1:
        # over an axis of one entry p = 1 and the loss is exactly 0, as from a loss never
        # computed: this slip does not claim such a loss (its gradient still names it)
        loss = float("nan")
    with np.errstate(over="ignore"):  # (1/p of a p that rounds to 0: inf, as a learner's)
        inv_p = np.exp(-logp)
    dz = {
        "no_one_hot_subtracted": lambda: p / M,
        "grad_not_divided_by_M": lambda: p - onehot,
        "divided_by_batch_only": lambda: (p - onehot) / N,
        "grad_sign_flipped": lambda: (onehot - p) / M,
        "grad_only_at_target": lambda: onehot * (p - 1.0) / M,
        "grad_softmax_diagonal": lambda: p * (1.0 - p) / M,
        "grad_p_minus_one": lambda: (p - 1.0) / M,
        "grad_wrt_p": lambda: -np.where(onehot > 0, inv_p, 0.0) / M,  # −onehot / (M p)
        # dz[:, y] -= 1 on the (M, C) rows: 1 off at every target's column in EVERY row
        "onehot_by_columns": lambda: (p - np.isin(np.arange(p.shape[-1]), targets)) / M,
    }.get(slip, lambda: (p - onehot) / M)()
    return loss, dz


def _mean_over_classes_too(logits, targets):
    logp, p, onehot, M = parts(logits, targets)
    C = np.shape(logits)[-1]
    return -(onehot * logp).mean(), (p - onehot) / (M * C)


def _logits_as_log_probs(logits, targets):
    z = np.asarray(logits, dtype=np.float64)
    _, _, onehot, M = parts(logits, targets)
    return -_picked(z, targets).sum() / M, -onehot / M


_TARGETS_MINUS_ONE = (
    "you picked class y − 1 for every target: the ids are 0-based already, p[m, y_m] with "
    "y_m itself (`onehot[..., y] = 1`, `np.eye(C)[y]`)"
)

_OVERFLOW = (
    ": with logits this large exp(z) overflows (and log of a p that rounds to 0 is −inf): "
    "subtract each row's own max, s = z − z.max(axis=-1, keepdims=True), then "
    "log p = s − log Σ exp(s)"
)


class _StableSoftmaxChecker(Checker):
    """A checker of a softmax cross-entropy whose first line, for NaN or
    infinity on a case with logits of ±700 or more (where exp
    overflows), says the remedy, not only the symptom."""

    def _message(self, fn, cases, case, where, result, problems):
        text = super()._message(fn, cases, case, where, result, problems)
        large = float(np.max(np.abs(case.args["logits"]))) >= 700
        if not (large and any(kind == "nan" for _, kind, _, _ in problems)):
            return text
        head, rest = text.split("\n", 1)
        if not head.endswith("NaN or infinity"):  # (another problem is named first)
            return text
        return head + _OVERFLOW + "\n" + rest


check_softmax_cross_entropy = _StableSoftmaxChecker(
    "check_softmax_cross_entropy",
    "softmax_cross_entropy(logits, targets) → (loss, dlogits)",
    softmax_cross_entropy_cases,
    forbidden=("losses.softmax_cross_entropy", "losses.softmax"),
    forbidden_says="it computes the stable softmax or the loss this exercise asks you to write",
    doc="``logits`` (..., C) float, ``targets`` (...) int; ``loss`` the mean over "
    "the positions of ``−log softmax(logits)[target]``, a float; ``dlogits`` of the shape of "
    "``logits``. Cases include 3-d logits (N, T, C) and logits of ±1000, where only a stable "
    "softmax stays finite.",
    mistakes=catalogue(
        _sce,
        (
            "no_one_hot_subtracted",
            "you did not subtract the one-hot: dL/dz = (p − onehot(y)) / M, not p / M",
        ),
        (
            "grad_not_divided_by_M",
            "the gradient is not divided by M, the number of positions: L is a mean, so "
            "dL/dz = (p − onehot(y)) / M",
        ),
        ("loss_summed", "you summed the loss over the positions; L is the MEAN, −(1/M) Σ log p[y]"),
        (
            "divided_by_batch_only",
            "you divided by the batch size N only; divide by M = N·T, every position "
            "(targets.size)",
        ),
        ("grad_sign_flipped", "wrong sign: dL/dz = p − onehot(y), not onehot(y) − p"),
        (
            "grad_only_at_target",
            "only the target's logit got a gradient: EVERY logit enters log Σ exp(z), so "
            "dL/dz_c = (p_c − [c = y]) / M for every class c",
        ),
        (
            "grad_softmax_diagonal",
            "p(1 − p) is only the diagonal of the softmax's Jacobian, with no loss in it: through "
            "−log p_y the gradient is dL/dz = (p − onehot(y)) / M",
        ),
        (
            "grad_p_minus_one",
            "you subtracted 1 from every class's p; only the target's: dL/dz = (p − onehot(y)) / M",
        ),
        (
            "grad_wrt_p",
            "that is dL/dp = −onehot(y) / (M p); through the softmax, dL/dz = (p − onehot(y)) / M",
        ),
        (
            "onehot_by_columns",
            "you subtracted 1 at every target's column in EVERY row (dz[:, y] -= 1 picks whole "
            "columns): pair each row m with its own y_m, dz[np.arange(M), y] -= 1",
        ),
        (
            "loss_in_bits",
            "your loss is in bits (log base 2): use the natural log, L = −(1/M) Σ ln p[y] "
            "(np.log, nats)",
        ),
        (
            "p_instead_of_log_p",
            "you used p instead of log p: L = −(1/M) Σ log p[y], the log of the target's "
            "probability",
        ),
        (
            "missing_minus",
            "the minus sign is missing: L = −(1/M) Σ log p[y] (≥ 0, since log p ≤ 0)",
        ),
        (
            "mean_over_classes_too",
            _mean_over_classes_too,
            "np.mean over the (M, C) array also divides by C: sum over the classes, then "
            "divide by M only",
        ),
        (
            "softmax_over_wrong_axis",
            "the softmax is taken over the wrong axis: normalise over the classes, the LAST "
            "axis (axis=-1, keepdims=True)",
        ),
        ("targets_minus_one", _TARGETS_MINUS_ONE),
        (
            "logits_as_log_probs",
            _logits_as_log_probs,
            "you used the logits as log-probabilities: apply the softmax first, "
            "log p = z − log Σ exp(z)",
        ),
    ),
)


# -- the read-out's backward, many-to-one ----------------------------------------------------------


def readout_reference(dz, h, Wy, *, slip=None):
    """``(dh, dWy, dby)`` for ``z = h_T Wy + by``, read at the last step
    only. Right for ``slip=None``, else wrong in the one way its slip
    names (the slips are the keys of the catalogue below)."""
    h = np.asarray(h, dtype=np.float64)
    T = h.shape[1]
    read = {"first_step_read": 0, "dWy_from_first_step": 0}.get(slip, -1)  # the step z reads
    if slip == "second_to_last_step":
        read = T - 2  # as a learner's h[:, T - 2]: index -1 where T = 1
    dh_T, dWy, dby = linear_backward(dz, (h[:, read], Wy))
    if slip == "dz_at_every_step":  # the lesson's many-to-many read-out with dz at every step
        dz_all = np.broadcast_to(np.asarray(dz)[:, None], (*h.shape[:2], Wy.shape[1]))
        return linear_backward(dz_all, (h, Wy))
    if slip == "dWy_summed_over_steps":
        dWy = np.einsum("nth,nk->hk", h, dz)
    if slip == "dWy_transposed":
        dWy = dWy.T
    if slip == "dby_not_summed":
        dby = np.array(dz, dtype=np.float64)
    if slip == "dby_summed_over_classes":  # dz.sum(axis=1): (N,), Wy square in the first case
        dby = np.asarray(dz, dtype=np.float64).sum(axis=1)
    if slip == "dWy_outer_of_sums":  # np.outer(Σ_n h_T, Σ_n dz): the sums taken first
        dWy = np.outer(h[:, -1].sum(axis=0), np.asarray(dz).sum(axis=0))
    if slip == "averaged_over_batch":
        dWy, dby = dWy / h.shape[0], dby / h.shape[0]
    if slip == "dh_through_tanh":
        dh_T = dh_T * (1.0 - h[:, -1] ** 2)
    if slip == "dh_without_transpose":  # only computable where Wy is square
        dh_T = dz @ Wy
    if slip == "dh_is_dz":  # dz itself at t = T: only computable where K = H
        dh_T = np.array(dz, dtype=np.float64)
    if slip == "dh_last_step_only":  # (N, H): the last step's gradient, not placed in h's shape
        return dh_T, dWy, dby
    dh = np.zeros_like(h)
    if slip == "dh_at_every_step":
        dh[:] = dh_T[:, None]
    elif slip in ("dh_at_first_step", "first_step_read"):
        dh[:, 0] = dh_T
    elif slip == "second_to_last_step":  # index T − 2: "the last is T − 1", one off again
        dh[:, T - 2] = dh_T
    else:
        dh[:, -1] = dh_T
    if slip == "readout_wrong_sign":
        return -dh, -dWy, -dby
    return dh, dWy, dby


def readout_backward_cases():
    rng = np.random.default_rng(809)
    cases = []
    for label, N, T, H, K in (
        ("N = 3, T = 4, H = 3, K = 3 (square Wy)", 3, 4, 3, 3),
        ("N = 2, T = 3, H = 4, K = 5", 2, 3, 4, 5),
        ("one sequence, N = 1, T = 5, H = 3, K = 2", 1, 5, 3, 2),
        ("T = 1: the last step is also the first, N = 2, H = 2, K = 3", 2, 1, 2, 3),
    ):
        dz = rng.normal(size=(N, K))
        h = np.tanh(rng.normal(size=(N, T, H)))
        Wy = rng.normal(size=(H, K))
        cases.append(Case(label, {"dz": dz, "h": h, "Wy": Wy}, readout_reference(dz, h, Wy)))
    return cases


_ONLY_H_T = "z reads h_T alone, so dh is 0 at every t < T and dz Wy^T at t = T (index -1)"

check_readout_backward = Checker(
    "check_readout_backward",
    "readout_backward(dz, h, Wy) → (dh, dWy, dby)",
    readout_backward_cases,
    forbidden=("readout.linear_backward", "readout.sequence_backward"),
    forbidden_says="it is a read-out's backward pass; this exercise asks you to write it",
    doc="the gradients for a many-to-one read-out ``z = h_T Wy + by``: one output per sequence, "
    "read from its last hidden state only. ``dz`` (N, K) the gradient of the loss with respect "
    "to z, ``h`` (N, T, H) every hidden state, ``Wy`` (H, K); returns ``dh`` (N, T, H), the "
    "upstream gradient of every h_t that rnn_backward takes, ``dWy`` (H, K) and ``dby`` (K,). "
    "Cases include T = 1, where the last step is also the first.",
    mistakes=catalogue(
        readout_reference,
        (
            "dz_at_every_step",
            "you used dz at every step, the lesson's read-out with an output at every t: here "
            "only the last step has one; z = h_T Wy + by",
        ),
        ("dh_at_every_step", f"dh is nonzero at every step: {_ONLY_H_T}"),
        (
            "dh_at_first_step",
            "dh is placed at the first step (index 0): z reads the LAST hidden state h_T, "
            "index -1 (T − 1)",
        ),
        (
            "first_step_read",
            "you read the first hidden state (index 0) for dh and dWy: z = h_T Wy + by uses the "
            "LAST one, h[:, -1]",
        ),
        (
            "second_to_last_step",
            "you read the step before the last (index -2, T − 2) for dh and dWy: h_T, the last "
            "one, is index T − 1, h[:, -1]",
        ),
        (
            "dWy_from_first_step",
            "dWy is taken from the first step's h (index 0): Wy multiplies h_T, the last one, "
            "so dWy is built from h[:, -1]",
        ),
        (
            "dWy_summed_over_steps",
            "dWy is summed over every step's h_t: Wy is used once per sequence, on h_T, so only "
            "the last step enters dWy (sum over the batch n only)",
        ),
        ("dh_last_step_only", f"dh must have h's shape (N, T, H): {_ONLY_H_T}"),
        (
            "dWy_transposed",
            "dWy is transposed: z = h_T Wy, so dWy has Wy's shape (H, K): h_T^T dz, not dz^T h_T",
        ),
        (
            "dby_not_summed",
            "dby must be summed over the batch: by is shared by every sequence, so dby is (K,)",
        ),
        (
            "dby_summed_over_classes",
            "dby summed over the classes (axis 1): sum over the batch, dz.sum(axis=0), shape (K,)",
        ),
        (
            "dWy_outer_of_sums",
            "dWy is an outer product of batch sums; sum the sequences' products: dWy = h_T^T dz",
        ),
        (
            "averaged_over_batch",
            "you divided by the batch size N: dz is already dL/dz (any 1/N of a mean loss is in "
            "it), so just sum over n",
        ),
        (
            "dh_through_tanh",
            "dh has a tanh′ it should not: z = h_T Wy + by is linear in h_T; the (1 − h²) "
            "belongs to the RNN's own backward step, after this one",
        ),
        (
            "dh_without_transpose",
            "dh at t = T is dz Wy^T (shapes (N, K)·(K, H)), not dz Wy",
        ),
        (
            "dh_is_dz",
            "you put dz itself at t = T: z = h_T Wy + by reaches h_T through Wy, so dh at "
            "t = T is dz Wy^T",
        ),
        (
            "readout_wrong_sign",
            "wrong sign: z = h_T Wy + by has no minus, and neither have dh, dWy and dby",
        ),
    ),
)


# -- the transfer task: a masked cross-entropy for padded sequences -----------------------------


def masked_reference(logits, targets, mask, *, slip=None):
    """``(L, dL/dz)`` of the masked mean cross-entropy. Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    if slip == "masked_targets_minus_one":  # class ids read as 1-based (−1 wraps to C − 1)
        targets = (np.asarray(targets) - 1) % np.shape(logits)[-1]
    logp, p, onehot, M = parts(logits, targets)
    m = np.asarray(mask, dtype=np.float64)
    if slip == "mask_inverted":  # 1 − mask: the padding counted, the real positions dropped
        m = 1.0 - m
    denom = {  # what the sums are divided by: Σ mask, or a slip's
        "divided_by_every_position": M,
        "divided_by_T": np.shape(targets)[1],
        "divided_by_sequences": np.shape(targets)[0],
        "divided_by_mask_mean": m.mean(),
    }.get(slip, m.sum())
    terms = -_picked(logp, targets)
    with np.errstate(divide="ignore", invalid="ignore"):  # (Σ (1 − mask) = 0: no padding)
        loss = float((terms if slip == "padding_in_the_loss" else m * terms).sum() / denom)
        dz = {"masked_no_one_hot": p, "masked_grad_sign_flipped": onehot - p}.get(slip, p - onehot)
        dz = dz / (1.0 if slip == "masked_grad_not_divided" else denom)
        return loss, (dz if slip == "gradient_not_masked" else m[..., None] * dz)


def _mask_on_one_term(on_p):
    """The right loss, with the mask on one term of the gradient only:
    (mask·p − onehot) / Σ mask (``on_p``) or (p − mask·onehot) / Σ mask,
    which leave −onehot or p at the padded positions."""

    def answer(logits, targets, mask):
        loss, _ = masked_reference(logits, targets, mask)
        _, p, onehot, _ = parts(logits, targets)
        m = np.asarray(mask, dtype=np.float64)[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return loss, ((m * p - onehot) if on_p else (p - m * onehot)) / m.sum()

    return answer


_ONE_TERM = (
    "the mask multiplies one term of the gradient only: dL/dz_m = mask_m (p_m − onehot(y_m)) "
    "/ Σ mask, the whole difference times the mask (0 at padded positions)"
)


def _mean_of_sequence_means(logits, targets, mask):
    logp, p, onehot, _ = parts(logits, targets)
    m = np.asarray(mask, dtype=np.float64)
    lengths = m.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_seq = (m * -_picked(logp, targets)).sum(axis=1) / lengths
        dz = m[..., None] * (p - onehot) / (lengths[:, None, None] * m.shape[0])
    return float(per_seq.mean()), dz


def masked_cross_entropy_cases():
    rng = np.random.default_rng(810)
    items = [
        (
            "N = 2 sequences of lengths 3 and 1 (mask [[1, 1, 1], [1, 0, 0]]), C = 4",
            rng.normal(size=(2, 3, 4)) * 2,
            rng.integers(0, 4, size=(2, 3)),
            np.array([[1.0, 1, 1], [1, 0, 0]]),
        ),
        (
            "no padding (every mask entry 1): the plain mean cross-entropy, N = 2, T = 2, C = 3",
            rng.normal(size=(2, 2, 3)),
            rng.integers(0, 3, size=(2, 2)),
            np.ones((2, 2)),
        ),
        (
            "lengths 4, 2 and 1, N = 3, T = 4, C = 5",
            rng.normal(size=(3, 4, 5)) * 2,
            rng.integers(0, 5, size=(3, 4)),
            np.array([[1.0, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]]),
        ),
        (
            "padded positions hold logits of ±900 (what a model outputs there does not matter, "
            "but it must not overflow into the answer), N = 2, T = 3, C = 3",
            np.array(
                [
                    [[0.5, -0.2, 0.1], [1.0, 0.0, -1.0], [900.0, -900.0, 0.0]],
                    [[0.3, 0.3, -0.4], [-900.0, 900.0, 0.0], [900.0, 0.0, -900.0]],
                ]
            ),
            np.array([[2, 0, 1], [1, 0, 2]]),
            np.array([[1.0, 1, 0], [1, 0, 0]]),
        ),
        (
            "one sequence entirely padding (length 0) in a batch of N = 3, T = 2, C = 3",
            rng.normal(size=(3, 2, 3)),
            rng.integers(0, 3, size=(3, 2)),
            np.array([[1.0, 1], [0, 0], [1, 0]]),
        ),
        (
            "REAL positions with logits up to 1000 and a target 800 below its row's max: "
            "exp(1000) overflows and p rounds to 0 (log 0 = −inf) unless you compute "
            "log p = (z − max) − log Σ exp(z − max) with each row's own max, N = 2, T = 2, C = 3",
            np.array(
                [
                    [[1000.0, 0.0, 998.0], [0.0, -800.0, 1.0]],
                    [[-3.0, 995.0, 1000.0], [0.2, 0.1, -0.3]],
                ]
            ),
            np.array([[0, 1], [1, 2]]),
            np.array([[1.0, 1], [1, 0]]),
        ),
    ]
    return table_cases("logits, targets, mask", items, masked_reference)


check_masked_cross_entropy = _StableSoftmaxChecker(
    "check_masked_cross_entropy",
    "masked_cross_entropy(logits, targets, mask) → (loss, dlogits)",
    masked_cross_entropy_cases,
    doc="``logits`` (N, T, C), ``targets`` (N, T) int (a valid class id, 0 to C − 1, padded "
    "positions too), ``mask`` (N, T) of 1.0 (a real position) and 0.0 (padding); ``loss`` the "
    "mean of ``−log softmax(logits)[target]`` over the real positions only, ``dlogits`` of the "
    "shape of ``logits``, zero at padded positions. Cases include logits of ±1000 at real "
    "positions and at padded ones, where only a stable log-softmax stays finite.",
    mistakes=catalogue(
        masked_reference,
        (
            "divided_by_every_position",
            "you divided by every position, padding included (targets.size); the mean is over "
            "the real positions: divide by Σ mask",
        ),
        (
            "gradient_not_masked",
            "the padded positions get a gradient: a position that is not in the loss cannot "
            "move it, so dlogits must be 0 wherever mask = 0",
        ),
        (
            "padding_in_the_loss",
            "the padded positions' −log p are in your loss (only the division uses the mask): "
            "multiply each term by its mask before summing",
        ),
        (
            "divided_by_sequences",
            "you divided by N, the number of sequences (a loss per sequence); the asked mean is "
            "per real position: divide by Σ mask",
        ),
        (
            "divided_by_mask_mean",
            "you divided by mask.mean(), the fraction of real positions; divide by their "
            "number, Σ mask (mask.sum())",
        ),
        ("masked_targets_minus_one", _TARGETS_MINUS_ONE),
        ("mask_on_p_only", _mask_on_one_term(True), _ONE_TERM),
        ("mask_on_onehot_only", _mask_on_one_term(False), _ONE_TERM),
        (
            "mask_inverted",
            "you counted the padding, not the real positions: mask = 1 marks a REAL position, 0 "
            "padding",
        ),
        (
            "divided_by_T",
            "you divided by T, the padded length; the mean is over all real positions: divide by "
            "Σ mask",
        ),
        (
            "masked_grad_not_divided",
            "the gradient is not divided by Σ mask: L is a mean over the real positions, so "
            "dL/dz_m = mask_m (p_m − onehot(y_m)) / Σ mask",
        ),
        (
            "masked_no_one_hot",
            "you did not subtract the one-hot: dL/dz_m = mask_m (p_m − onehot(y_m)) / Σ mask, "
            "not mask_m p_m / Σ mask",
        ),
        (
            "masked_grad_sign_flipped",
            "wrong sign: dL/dz_m = mask_m (p_m − onehot(y_m)) / Σ mask, not onehot(y_m) − p_m",
        ),
        (
            "mean_of_sequence_means",
            _mean_of_sequence_means,
            "a mean of the sequences' means weighs a short sequence's positions more; "
            "every real position counts the same: Σ mask·(−log p) / Σ mask",
        ),
    ),
)

CHECKERS = (check_softmax_cross_entropy, check_readout_backward, check_masked_cross_entropy)


QUESTIONS = (
    Question(
        "08.perplexity",
        "A character model over C = 23 characters reads a held-out text. At half of the "
        "positions it gives the right next character probability 1/2, at the other half 1/8. "
        "What is its perplexity? Four significant digits are enough (the check allows 0.1%).",
        4.0,
        why={
            5.0: "that is the mean of 1/p, (2 + 8)/2; the perplexity is e^L of the mean loss "
            "L = mean(−log p), the geometric mean of 1/p",
            3.2: "that is 1 / (the mean probability 5/16); the perplexity averages the loss "
            "−log p, not p",
            16.0: "that is e^(the sum of the two losses); L is their mean",
            float(np.log(4.0)): "that is its mean loss L in nats; the perplexity is e^L",
            2.0: "that is the mean loss in bits; the perplexity is 2^bits = e^nats",
            23.0: "that is the uniform guess's perplexity, C; this model does better",
            0.25: "that is e^(−L), the geometric mean of p; the perplexity is its inverse, e^L",
            float(2 ** np.log(4.0)): "that is 2^L with L in nats; the perplexity is e^L (or "
            "2^L with L in bits)",
            float(np.exp(2.0)): "that is e^L with L = 2 in bits; the perplexity is 2^bits = 4 "
            "(or e^L with L in nats)",
            8.0: "8 is 1/p at the half with p = 1/8 alone; the perplexity is e^L of the mean "
            "loss over ALL positions",
        },
        explain="L = ½(log 2 + log 8) = log 4, and e^L = 4: as unsure as a uniform choice among "
        "4 characters (the uniform guess over all 23 has perplexity 23).",
    ),
    Question(
        "08.teacher_forcing",
        "Part (a) of the lesson trains the signal model with teacher forcing. What is the "
        "model's input at step t during training?",
        "a",
        choices={
            "a": "the observed value y_t from the data",
            "b": "its own prediction of y_t, made at step t − 1",
            "c": "the clean signal s_t",
            "d": "the target y_(t+1)",
        },
        why={
            "b": "feeding back its own predictions is free running: what the lesson does after "
            "training, where the error grows with the horizon",
            "c": "the model never sees the clean signal: only the noisy observations exist",
            "d": "y_(t+1) is what the model must predict at step t; reading it would be cheating",
        },
        explain="The data (the 'teacher') supply every input, even where the model's own guess "
        "was off.",
    ),
    Question(
        "08.stateful",
        "Stateful chunked truncated BPTT reads a stream in consecutive windows. At the boundary "
        "between window k and window k + 1, what crosses it?",
        "b",
        choices={
            "a": "both the hidden state (forward) and the gradient (backward)",
            "b": "the hidden state only: window k + 1 starts from window k's last h, but no "
            "gradient flows back into window k",
            "c": "the gradient only: the next window starts from h = 0",
            "d": "nothing: every window starts from h = 0 and stops its gradient at its start",
        },
        why={
            "a": "that would be full BPTT over the whole stream: memory and time grow with its "
            "length, which is what truncation avoids",
            "c": "with h = 0 at the start nothing depends on window k, so there is no gradient to "
            "carry back into it",
            "d": "that is training on independent windows (part (a)'s random windows): the model "
            "never sees anything said before its window",
        },
        explain="h is carried as a constant (h.detach() in PyTorch): context forward, gradient "
        "stopped.",
    ),
)


# =================================================================================================
# The slider figure of lesson 08, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 08's sliders: sampling temperature and length for the character-level language model.
#
# The model's next-character distribution after a prompt is ``p_τ = softmax(z / τ)``; a sample is
# drawn one character at a time from it (:func:`rnnlib.sampling.sample`), seeded, so the same slider
# values always give the same text and a shorter sample is the start of a longer one. The figure
# shows the distributions (drawing 300 characters of text in matplotlib would cost ~50 ms a move);
# the sample itself is in the readout under it.

WIDTH = 70  # characters a line in the text panel


def show_char(c):
    """A printable stand-in for a character: ``'␣'`` for a space, ``'↵'``
    for a newline."""
    return {" ": "␣", "\n": "↵"}.get(c, c)


@lru_cache(maxsize=1)
def _default_model():
    params, vocab, _ = train_char_model()
    return params, vocab


def sampling_explorer(
    params=None, vocab=None, corpus=None, prompt="the ", temperature=1.0, length=120, seed=0
):
    """Sampled text and the next-character distribution; sliders
    ``temperature`` and ``length``.

    Parameters
    ----------
    params, vocab : a trained character model and its characters
        (default: the model of :func:`rnnlib.training.train_char_model`,
        trained once and kept)
    corpus : str, the text the model learnt from (default:
        :func:`rnnlib.data.tiny_corpus`)
    prompt : str, the text the samples continue
    temperature, length : the sliders' start values
    seed : int, the sampling seed

    Top: ``p`` at the slider's τ (bars) and at τ = 1 (dashed). Bottom:
    how often each character occurs in the sample (bars) and in the
    corpus (dashed). The sample is in the readout.

    ``state``: ``temperature``, ``length``, ``text`` (the sample),
    ``p`` (C,) the next-character distribution after the prompt at this
    temperature, ``freq`` (C,) the characters' frequencies in the
    sample, ``entropy`` of ``p`` in nats, ``valid_words``
    (:func:`rnnlib.data.valid_word_fraction` of the sample).
    """
    from .sliders import Explorer, Slider, freeze_static, new_figure, slider_count

    if (params is None) != (vocab is None):
        raise ValueError(
            "params, vocab: expected both (a trained model and its characters) or "
            f"neither, got params={type(params).__name__}, vocab={type(vocab).__name__}"
        )
    if params is None:
        params, vocab = _default_model()
    prompt_ids = encode(prompt, vocab)
    C = len(vocab)
    p1 = next_distribution(params, prompt_ids, 1.0)
    corpus_ids = encode(tiny_corpus() if corpus is None else corpus, vocab)
    corpus_freq = np.bincount(corpus_ids, minlength=C) / corpus_ids.size

    fig = new_figure(figsize=(8.0, 3.6))
    # fixed margins instead of a layout pass (which measures every text twice): half the build
    fig.set_layout_engine("none")
    margins = {"left": 0.085, "right": 0.99, "bottom": 0.09, "top": 0.93, "hspace": 0.3}
    ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw=margins)
    xs = np.arange(C)
    # the dashed references as steps over the bars' whole slots, x − 0.5 to x + 0.5 (each value
    # repeated for the last slot's right edge): where="mid" at xs stopped at the centres of the
    # first and the last bar, and drew their references half as wide as the others
    edges = np.arange(C + 1) - 0.5

    def over_slots(values):
        return edges, np.append(values, values[-1])

    bars = ax.bar(xs, np.zeros(C), color="C0", label="at this τ")
    (ref1,) = ax.step(*over_slots(p1), where="post", color="k", lw=0.8, ls="--", label="τ = 1")
    ax.set_ylim(0, 1.0)
    ax.set_yticks([0, 0.5, 1])
    ax.set_ylabel("p(next)")
    ax.set_title(
        f"the model's next-character distribution after {prompt!r}", fontsize=10, loc="left"
    )
    ax.legend(loc="upper right", fontsize=8)
    bars2 = ax2.bar(xs, np.zeros(C), color="C1", label="in the sample")
    (ref2,) = ax2.step(
        *over_slots(corpus_freq), where="post", color="k", lw=0.8, ls="--", label="in the corpus"
    )
    ax2.set_ylim(0, 0.5)
    ax2.set_yticks([0, 0.25, 0.5])
    ax2.set_ylabel("frequency")
    ax2.set_title("how often each character occurs", fontsize=10, loc="left")
    ax2.legend(loc="upper right", fontsize=8)
    ax2.set_xticks(xs, [show_char(c) for c in vocab], family="monospace")
    ax2.set_xlim(-0.6, C - 0.4)

    def update(temperature, length):
        length = slider_count("length", length, 0)
        p = next_distribution(params, prompt_ids, temperature)
        for bar, h in zip(bars, p, strict=True):
            bar.set_height(h)
        ids = sample(params, prompt_ids, length, temperature, seed=seed)
        freq = np.bincount(ids, minlength=C) / max(length, 1)
        for bar, h in zip(bars2, freq, strict=True):
            bar.set_height(h)
        nz = p[p > 0]
        text = decode(ids, vocab)
        return {
            "temperature": float(temperature),
            "length": length,
            "text": text,
            "p": p,
            "freq": freq,
            "entropy": float(-np.sum(nz * np.log(nz))),
            "valid_words": valid_word_fraction(text),
        }

    def readout(s):
        shown = "\n".join(
            textwrap.wrap(
                (prompt + s["text"]).replace("\n", "↵"),
                WIDTH,
                replace_whitespace=False,
                drop_whitespace=False,
            )
        )
        return (
            f"<pre style='margin:0'>{html.escape(shown)}</pre>"
            f"τ = {s['temperature']:.2f} &nbsp; entropy of p(next): {s['entropy']:.2f} nats "
            f"(uniform: {np.log(C):.2f}) &nbsp; words of the grammar in the sample: "
            f"{100 * s['valid_words']:.0f} %"
        )

    # only the bars move: the rest of the figure is drawn once and reused (blitting); the dashed
    # references are redrawn over them so that they stay visible
    freeze_static(fig, [*bars, *bars2, ref1, ref2])
    sliders = {
        "temperature": Slider(0.1, 3.0, 0.05, temperature, "temperature τ"),
        "length": Slider(10, 300, 10, length, "length (characters)", integer=True),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (sampling_explorer,)
