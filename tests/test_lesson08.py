"""Lesson 08's checkers (rnnlib.course.lesson08): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below, written
independently of rnnlib (loops over positions and classes, finite differences). Unstable
softmaxes fail on the case that explains why."""

import math
import re

import numpy as np
import pytest
from checks_support import (
    assert_right_or_slip_named,
    assert_slip_named,
    first_line,
    mistake,
    refusal,
)

from rnnlib import data, numerical_gradient, rel_error, sampling, training
from rnnlib.checks import check_answer
from rnnlib.course import lesson08 as L
from rnnlib.course.lesson08 import FIGURES, sampling_explorer, show_char


def _sce_loss_by_loops(logits, targets):
    """−(1/M) Σ log p[y], position by position, with math.fsum and a max-shifted log-sum-exp."""
    z = np.asarray(logits, dtype=float).reshape(-1, logits.shape[-1])
    y = np.asarray(targets).reshape(-1)
    terms = []
    for m in range(y.size):
        top = max(z[m])
        lse = top + math.log(math.fsum(math.exp(v - top) for v in z[m]))
        terms.append(lse - z[m, y[m]])
    return math.fsum(terms) / y.size


def _sce_right(logits, targets):
    """The answer by loops for the loss and by finite differences for the gradient."""
    z = np.array(logits, dtype=float)
    loss = _sce_loss_by_loops(z, targets)
    return loss, numerical_gradient(lambda zz: _sce_loss_by_loops(zz, targets), z, eps=1e-5)


def _readout_right(dz, h, Wy):
    """dh, dWy, dby of z = h_T Wy + by by loops over the sequences n: only the last step t = T
    is read, so only it gets a gradient."""
    N, T, H = h.shape
    dh = np.zeros((N, T, H))
    dWy = np.zeros(Wy.shape)
    dby = np.zeros(Wy.shape[1])
    for n in range(N):
        dh[n, T - 1] = Wy @ dz[n]
        dWy += np.outer(h[n, T - 1], dz[n])
        dby += dz[n]
    return dh, dWy, dby


def _readout_by_finite_differences(dz, h, Wy):
    """The gradients of sum(dz · z) for z = h[:, -1] Wy + by, by central differences of the
    forward pass alone (by = 0: the gradient does not depend on it)."""
    h, Wy, by = np.array(h, dtype=float), np.array(Wy, dtype=float), np.zeros(Wy.shape[1])

    def out(_):
        return h[:, -1] @ Wy + by

    return tuple(numerical_gradient(out, a, dz) for a in (h, Wy, by))


def _masked_loss_by_loops(logits, targets, mask):
    """Σ over real positions of −log p[y] (max-shifted log-sum-exp), over the count of them."""
    terms, count = [], 0.0
    N, T, _ = logits.shape
    for n in range(N):
        for t in range(T):
            if mask[n, t]:
                row = logits[n, t]
                top = max(row)
                lse = top + math.log(math.fsum(math.exp(v - top) for v in row))
                terms.append(lse - row[targets[n, t]])
                count += 1
    return math.fsum(terms) / count


def _masked_right(logits, targets, mask):
    """The loss by loops, the gradient by finite differences (independent of the formula)."""
    z = np.array(logits, dtype=float)
    loss = _masked_loss_by_loops(z, targets, mask)
    grad = numerical_gradient(lambda zz: _masked_loss_by_loops(zz, targets, mask), z, eps=1e-5)
    return loss, grad


RIGHT = {
    "check_softmax_cross_entropy": (_sce_right, 8),
    "check_readout_backward": (_readout_right, 4),
    "check_masked_cross_entropy": (_masked_right, 6),
}

REQUIRED = {  # the brief's minimum catalogue, by mistake key
    "check_softmax_cross_entropy": {
        "no_one_hot_subtracted",  # forgetting to subtract the one-hot
        "grad_not_divided_by_M",  # not dividing by the number of positions
        "p_instead_of_log_p",  # using p instead of log p
    },
    "check_readout_backward": {  # the many-to-one read-out's slips
        "dz_at_every_step",  # the lesson's read-out, with dz at every step
        "dh_at_every_step",  # dh broadcast to every step
        "dh_at_first_step",
        "dWy_from_first_step",
        "dWy_summed_over_steps",
        "averaged_over_batch",
        "dWy_transposed",
    },
    "check_masked_cross_entropy": {  # the transfer task: at least three plausible slips
        "divided_by_every_position",
        "gradient_not_masked",
        "padding_in_the_loss",
    },
}


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_references_agree_with_independent_answers():
    for case in L.softmax_cross_entropy_cases():
        loss, grad = _sce_right(**case.args)
        assert case.expected[0] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(case.expected[1], grad, rtol=1e-6, atol=1e-9)
    for case in L.readout_backward_cases():
        for want, got in zip(_readout_right(**case.args), case.expected, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        fd = _readout_by_finite_differences(**case.args)
        for want, got in zip(fd, case.expected, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)
        assert np.all(case.expected[0][:, :-1] == 0)  # no gradient before the last step
    for case in L.masked_cross_entropy_cases():  # the transfer task: finite differences
        loss, grad = _masked_right(**case.args)
        assert case.expected[0] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(case.expected[1], grad, rtol=1e-6, atol=1e-9)
        assert np.all(case.expected[1][case.args["mask"] == 0] == 0)


def test_hand_worked_values():
    """Equal logits: p = 1/C, L = log C, dz = (1/C − onehot)/M. One position [0, log 3], y = 1:
    p = (1/4, 3/4), L = −log(3/4)."""
    cases = {c.label: c for c in L.softmax_cross_entropy_cases()}
    uniform = cases["equal logits (p uniform, so L = log C), N = 2, C = 6"]
    assert uniform.expected[0] == pytest.approx(math.log(6))
    want = np.full((2, 6), 1 / 6) - np.eye(6)[[5, 0]]
    np.testing.assert_allclose(uniform.expected[1], want / 2)
    logp, p, onehot, M = L.parts(np.array([[0.0, math.log(3.0)]]), np.array([1]))
    np.testing.assert_allclose(p, [[0.25, 0.75]])
    np.testing.assert_allclose(onehot, [[0.0, 1.0]])
    assert M == 1 and logp[0, 1] == pytest.approx(math.log(0.75))


def test_a_typical_learner_answer_passes(capsys):
    def softmax_cross_entropy(logits, targets):
        s = logits - logits.max(axis=-1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        M = targets.size
        loss = -np.take_along_axis(logp, targets[..., None], -1).sum() / M
        return loss, (np.exp(logp) - np.eye(logits.shape[-1])[targets]) / M

    L.check_softmax_cross_entropy(softmax_cross_entropy)

    def readout_backward(dz, h, Wy):
        dh = np.zeros_like(h)
        dh[:, -1] = dz @ Wy.T
        return dh, h[:, -1].T @ dz, dz.sum(axis=0)

    L.check_readout_backward(readout_backward)
    assert capsys.readouterr().out.count("passed ✓") == 2


@pytest.mark.parametrize("checker", L.CHECKERS, ids=lambda c: c.name)
def test_each_mistake_really_differs_from_the_reference_somewhere(checker):
    for m in checker.mistakes:
        differs = False
        for c in checker.cases():
            try:
                wrong = m.answer(*c.args.values())
            except ValueError:
                continue
            for a, b in zip(wrong, c.expected, strict=True):
                if np.shape(a) != np.shape(b) or not np.allclose(a, b):
                    differs = True
        assert differs, m.key


def test_a_wrong_shape_names_the_item():
    first = refusal(L.check_softmax_cross_entropy, lambda z, y: (_sce_right(z, y)[0], np.zeros(3)))
    assert first == (
        "check_softmax_cross_entropy: dlogits: expected an array of shape (1, 3), "
        "got an array of shape (3,)"
    )


# -- unstable softmaxes fail on the case that says why ---------------------------------------------


def _naive(logits, targets):
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)  # overflows for z ≈ 1000
    M = targets.size
    loss = -np.log(np.take_along_axis(p, targets[..., None], -1)).sum() / M
    return loss, (p - np.eye(logits.shape[-1])[targets]) / M


def _log_of_p(logits, targets):
    s = logits - logits.max(axis=-1, keepdims=True)  # stable softmax ...
    p = np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True)
    M = targets.size
    loss = -np.log(np.take_along_axis(p, targets[..., None], -1)).sum() / M  # ... but log(0)
    return loss, (p - np.eye(logits.shape[-1])[targets]) / M


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_overflowing_softmax_fails_on_the_large_logits_case():
    with pytest.raises(AssertionError) as excinfo:
        L.check_softmax_cross_entropy(_naive)
    text = str(excinfo.value)
    assert first_line(excinfo).startswith(
        "check_softmax_cross_entropy: loss, dlogits contain NaN or infinity"  # exp(1000) = inf
    )
    assert "subtract each row's own max" in first_line(excinfo)  # the remedy, in the first line
    assert "case 5 of 8: large logits" in text and "subtract each row's max first" in text


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_log_of_a_rounded_probability_fails_on_its_own_case():
    with pytest.raises(AssertionError) as excinfo:
        L.check_softmax_cross_entropy(_log_of_p)
    text = str(excinfo.value)
    assert "case 6 of 8: a target 800 below the other logit" in text
    assert "log 0 = −inf" in text


def _stable_with(shift):
    """A softmax cross-entropy that subtracts ``shift(z)`` instead of each row's max."""

    def softmax_cross_entropy(logits, targets):
        s = logits - shift(logits)
        logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        M = targets.size
        loss = -np.take_along_axis(logp, targets[..., None], -1).sum() / M
        return loss, (np.exp(logp) - np.eye(logits.shape[-1])[targets]) / M

    return softmax_cross_entropy


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    ("shift", "case", "says"),
    [
        (lambda z: z.max(), "case 7 of 8: rows far apart in scale", "each row's own max"),
        (lambda z: z.mean(axis=-1, keepdims=True), "case 8 of 8: one logit 1200", "MEAN"),
    ],
    ids=["global max", "row mean"],
)
def test_a_global_max_or_a_row_mean_fails_on_the_case_that_says_why(shift, case, says):
    """The near misses of the stable softmax: one max for the whole array, or the row's mean.
    The case's label says why; no catalogued mistake, which would name another slip, is named
    (the row mean's p = 0 in its overflowing rows was taken for the logits used as log p)."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_softmax_cross_entropy(_stable_with(shift))
    assert case in str(excinfo.value) and says in str(excinfo.value)
    for m in L.check_softmax_cross_entropy.mistakes:
        assert m.says not in str(excinfo.value), m.key


def _masked_with(softmax_and_log):
    """A masked cross-entropy whose probabilities and their logs come from ``softmax_and_log``."""

    def masked_cross_entropy(logits, targets, mask):
        p, logp = softmax_and_log(logits)
        onehot = np.eye(logits.shape[-1])[targets]
        real = mask > 0
        terms = -(logp * onehot).sum(-1)
        loss = np.where(real, terms, 0).sum() / mask.sum()
        return loss, np.where(real[..., None], (p - onehot) / mask.sum(), 0)

    return masked_cross_entropy


def _naive_softmax(z):
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)  # overflows for z ≈ 1000
    return p, np.log(p)


def _log_of_stable_softmax(z):
    s = np.exp(z - z.max(-1, keepdims=True))
    p = s / s.sum(-1, keepdims=True)
    return p, np.log(p)  # log 0 where p rounds to 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "softmax_and_log", [_naive_softmax, _log_of_stable_softmax], ids=["exp overflow", "log of p"]
)
def test_an_unstable_masked_softmax_fails_on_the_real_large_logits_case(softmax_and_log):
    """Only padded positions held large logits before: an overflowing softmax passed every case
    (the learner probe's report); now real positions hold them too, and the case says why."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_masked_cross_entropy(_masked_with(softmax_and_log))
    text = str(excinfo.value)
    assert first_line(excinfo).startswith(
        (
            "check_masked_cross_entropy: loss contains NaN or infinity",  # log 0
            "check_masked_cross_entropy: loss, dlogits contain NaN or infinity",  # exp(1000) = inf
        )
    )
    assert "subtract each row's own max" in first_line(excinfo)
    assert "case 6 of 6: REAL positions with logits up to 1000" in text
    assert "each row's own max" in text


def test_the_right_stable_softmax_passes_the_far_apart_rows(capsys):
    L.check_softmax_cross_entropy(_stable_with(lambda z: z.max(axis=-1, keepdims=True)))
    assert "8/8 cases passed" in capsys.readouterr().out


# -- valid answers written another way pass (at least three per checker) -------------------------


def _sce_by_logsumexp_rows(logits, targets):
    """Row by row, a Python loop over flattened positions, np.logaddexp.reduce."""
    z = logits.reshape(-1, logits.shape[-1])
    y = targets.reshape(-1)
    d = np.empty_like(z)
    total = 0.0
    for m in range(y.size):
        lse = np.logaddexp.reduce(z[m])
        total += lse - z[m, y[m]]
        d[m] = np.exp(z[m] - lse)
        d[m, y[m]] -= 1
    return [total / y.size, d.reshape(logits.shape) / y.size]


def _sce_scipy_style(logits, targets):
    """softmax via the row max, gradient built by subtracting 1 at the targets in place."""
    s = logits - np.max(logits, axis=-1, keepdims=True)
    lse = np.log(np.sum(np.exp(s), axis=-1, keepdims=True))
    p = np.exp(s - lse)
    g = p.copy()
    np.put_along_axis(g, targets[..., None], np.take_along_axis(g, targets[..., None], -1) - 1, -1)
    return float(-(np.take_along_axis(s - lse, targets[..., None], -1)).mean()), g / targets.size


def _readout_zero_padded(dz, h, Wy):
    """dz put at the last step of an (N, T, K) array of zeros, then the lesson's read-out at
    every step (the stacked rows): the steps with dz = 0 add nothing."""
    N, T, H = h.shape
    K = Wy.shape[1]
    dz_all = np.zeros((N, T, K))
    dz_all[:, -1] = dz
    return (dz_all @ Wy.T, h.reshape(-1, H).T @ dz_all.reshape(-1, K), dz_all.reshape(-1, K).sum(0))


def _readout_einsum(dz, h, Wy):
    """One einsum each; the last step picked by a one-hot over t; a list, not a tuple."""
    last = np.eye(h.shape[1])[-1]
    return [
        np.einsum("nk,hk,t->nth", dz, Wy, last),
        np.einsum("nh,nk->hk", h[:, h.shape[1] - 1], dz),
        np.einsum("nk->k", dz),
    ]


def _readout_concatenated(dz, h, Wy):
    """Zeros for the first T − 1 steps concatenated with the last; np.tensordot, np.add.reduce."""
    N, T, H = h.shape
    dh_last = np.tensordot(dz, Wy, axes=([1], [1]))[:, None]
    dh = np.concatenate([np.zeros((N, T - 1, H)), dh_last], axis=1)
    return dh, np.tensordot(h[:, -1], dz, axes=([0], [0])), np.add.reduce(dz, axis=0)


def _readout_float32(dz, h, Wy):
    """Everything in float32, as a learner's arrays may be."""
    dz, h, Wy = (np.asarray(a, dtype=np.float32) for a in (dz, h, Wy))
    dh = np.zeros_like(h)
    dh[:, -1] = dz @ Wy.T
    return dh, h[:, -1].T @ dz, dz.sum(axis=0)


def _masked_by_weights(logits, targets, mask):
    """Weights w = mask / Σ mask, then a weighted sum (einsum)."""
    s = logits - logits.max(axis=-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    w = mask / mask.sum()
    onehot = np.eye(logits.shape[-1])[targets]
    loss = -np.einsum("ntc,ntc,nt->", onehot, logp, w)
    return loss, w[..., None] * (np.exp(logp) - onehot)


def _masked_by_selection(logits, targets, mask):
    """Only the real positions, selected with a boolean index, then scattered back."""
    keep = mask.astype(bool)
    z, y = logits[keep], targets[keep]
    s = z - z.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    d = np.exp(logp)
    d[np.arange(y.size), y] -= 1
    out = np.zeros_like(logits)
    out[keep] = d / y.size
    return (-logp[np.arange(y.size), y].mean(), out)


def _masked_by_loop(logits, targets, mask):
    """A loop over the real positions with the library's softmax (and log p from np.logaddexp:
    the log of a p rounded to 0 would be −inf)."""
    from rnnlib import softmax

    count = mask.sum()
    loss, d = 0.0, np.zeros_like(logits)
    for n, t in zip(*np.nonzero(mask), strict=True):
        p = softmax(logits[n, t])
        loss -= logits[n, t, targets[n, t]] - np.logaddexp.reduce(logits[n, t])
        d[n, t] = p
        d[n, t, targets[n, t]] -= 1
    return loss / count, d / count


ALTERNATIVES = [
    (L.check_softmax_cross_entropy, _sce_by_logsumexp_rows),
    (L.check_softmax_cross_entropy, _sce_scipy_style),
    (L.check_softmax_cross_entropy, _sce_right),
    (L.check_readout_backward, _readout_zero_padded),
    (L.check_readout_backward, _readout_einsum),
    (L.check_readout_backward, _readout_concatenated),
    (L.check_readout_backward, _readout_float32),
    (L.check_readout_backward, _readout_right),
    (L.check_masked_cross_entropy, _masked_by_weights),
    (L.check_masked_cross_entropy, _masked_by_selection),
    (L.check_masked_cross_entropy, _masked_right),
    (L.check_masked_cross_entropy, _masked_by_loop),
]


@pytest.mark.parametrize(
    ("checker", "answer"), ALTERNATIVES, ids=[f"{c.name}-{f.__name__}" for c, f in ALTERNATIVES]
)
def test_valid_alternative_forms_pass(checker, answer, capsys):
    checker(answer)
    assert "passed ✓" in capsys.readouterr().out


# -- the library additions of lesson 08: stream_windows, train_stateful, free_run ---------------


def test_stream_windows_continue_each_other():
    series = np.arange(103)
    x, y = data.stream_windows(series, T=5, N=4)  # S = 25 per stream, K = 5 windows
    assert x.shape == y.shape == (5, 4, 5)
    np.testing.assert_array_equal(x[:, 2].reshape(-1), np.arange(50, 75))
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match=r"^series: expected at least N·T \+ 1 = 21"):
        data.stream_windows(np.arange(20), T=5, N=4)


def test_train_stateful_carries_the_state_and_not_the_gradient():
    """Two windows by hand: the second starts from the first's last h; its gradient is the one
    of the second window alone (finite differences with h0 held fixed)."""
    from rnnlib import readout

    rng = np.random.default_rng(0)
    p0 = readout.init_params(D=3, H=4, K=3, seed=2)
    p0["Wy"] *= 10
    x = data.one_hot(rng.integers(0, 3, size=(2, 2, 5)), 3)  # K = 2 windows, N = 2, T = 5
    y = rng.integers(0, 3, size=(2, 2, 5))
    lr = 0.1
    p, losses, norms, h = training.train_stateful(p0, x, y, lr, max_norm=1e9)
    # by hand: window 0 from zeros, window 1 from its last state, gradients by finite differences
    z0, c0 = readout.sequence_forward(p0, x[0])
    h_carry = c0[0][:, -1]
    step = {}
    for k in readout.PARAMS:
        step[k] = p0[k] - lr * numerical_gradient(
            lambda _, k=k: readout.sequence_loss(p0, x[0], y[0], "softmax")[0], p0[k]
        )
    second = {
        k: numerical_gradient(
            lambda _, k=k: readout.sequence_loss(step, x[1], y[1], "softmax", h0=h_carry)[0],
            step[k],
        )
        for k in readout.PARAMS
    }
    for k in readout.PARAMS:
        np.testing.assert_allclose(p[k], step[k] - lr * second[k], rtol=1e-7, atol=1e-9)
    assert losses[1] == pytest.approx(
        readout.sequence_loss(step, x[1], y[1], "softmax", h0=h_carry)[0]
    )
    np.testing.assert_allclose(h, readout.sequence_forward(step, x[1], h_carry)[1][0][:, -1])
    with pytest.raises(ValueError, match=r"^inputs: expected a 4-d array"):
        training.train_stateful(p0, x[0], y[0], lr)


def test_free_run_feeds_its_predictions_back():
    from rnnlib import readout

    p = readout.init_params(D=1, H=5, K=1, seed=3)
    p["Wy"] *= 30
    obs = np.array([0.3, -0.2, 0.5])
    preds = sampling.free_run(p, obs, 4)
    # by hand: the whole sequence observed + fed-back values, forward once, must reproduce it
    seq = np.concatenate([obs, preds[:-1]])
    z, _ = readout.sequence_forward(p, seq[None, :, None])
    np.testing.assert_allclose(preds, z[0, len(obs) - 1 :, 0], rtol=1e-12)
    assert sampling.free_run(p, obs, 0).shape == (0,)
    with pytest.raises(ValueError, match=r"^params: expected a model of one value a step"):
        sampling.free_run(readout.init_params(2, 3, 1), obs, 2)
    with pytest.raises(ValueError, match=r"^observed: expected a non-empty 1-d array"):
        sampling.free_run(p, np.array([]), 2)


def test_free_run_says_what_is_wrong_with_observed():
    from rnnlib import readout

    p = readout.init_params(D=1, H=5, K=1, seed=3)
    # a NaN is named as a NaN, with its index (not only "got shape (3,)")
    with pytest.raises(
        ValueError, match=r"^observed: expected finite values, got nan at index \(1,\)"
    ):
        sampling.free_run(p, [0.3, np.nan, 0.5], 2)
    # strings and None are refused by the argument's name, not by numpy's float()
    for bad in (["a", "b"], "abc", None):
        with pytest.raises(ValueError, match=r"^observed: expected an array of real numbers"):
            sampling.free_run(p, bad, 2)
    with pytest.raises(
        ValueError, match=r"^observed: expected a non-empty 1-d array \(W,\), got shape \(2, 2\)"
    ):
        sampling.free_run(p, np.ones((2, 2)), 2)


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 08's sliders: sampling temperature and length. The distribution is checked against a
# forward pass written here (W_x rows looked up, np.tanh), the bars against the numbers, the
# sample against the model's own sampler with the same seed, and the same sliders against the same
# text.


@pytest.fixture(scope="module")
def model():
    text = data.tiny_corpus()
    params, vocab, _ = training.train_char_model(text, steps=150)
    return params, vocab, text


@pytest.fixture(scope="module")
def ex(model):
    params, vocab, text = model
    return sampling_explorer(params, vocab, corpus=text)


def next_distribution_by_hand(params, vocab, prompt, tau):
    h = np.zeros(params["Wh"].shape[0])
    for ch in prompt:
        h = np.tanh(params["Wx"][vocab.index(ch)] + h @ params["Wh"] + params["b"])
    z = (h @ params["Wy"] + params["by"]) / tau
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize(("tau", "length"), [(1.0, 120), (0.3, 300), (2.5, 50), (0.1, 10)])
def test_sliders_move_the_distribution_and_the_sample(model, ex, tau, length):
    params, vocab, text = model
    s = ex.step(temperature=tau, length=length)
    p = next_distribution_by_hand(params, vocab, "the ", tau)
    np.testing.assert_allclose(s["p"], p, rtol=1e-10, atol=1e-15)
    assert s["entropy"] == pytest.approx(-np.sum(p[p > 0] * np.log(p[p > 0])), rel=1e-9)
    ax, ax2 = ex.fig.axes
    np.testing.assert_allclose([r.get_height() for r in ax.patches], p, rtol=1e-10, atol=1e-15)
    assert len(s["text"]) == length and set(s["text"]) <= set(vocab)
    counts = np.array([s["text"].count(c) for c in vocab]) / length
    np.testing.assert_allclose(s["freq"], counts)
    np.testing.assert_allclose([r.get_height() for r in ax2.patches], counts)
    assert s["valid_words"] == data.valid_word_fraction(s["text"])
    want = sampling.sample(params, data.encode("the ", vocab), length, tau, seed=0)
    assert s["text"] == data.decode(want, vocab)
    shown = s["text"].replace("\n", "↵")
    assert shown[:40] in ex.readout().replace("\n", "")


def test_the_sample_in_the_readout_fits_the_text_width(ex):
    """The sample is shown in a <pre>, whose lines JupyterLab breaks anywhere, even inside a word:
    at the longest sample every line of it is at most TEXT_WIDTH characters."""
    import html

    from rnnlib.course.checking import TEXT_WIDTH

    length = int(ex.sliders["length"].max)
    ex.step(temperature=2.5, length=length)
    try:
        pre = re.search(r"<pre[^>]*>(.*?)</pre>", ex.readout(), re.S).group(1)
        lines = html.unescape(pre).split("\n")
        assert len(lines) > 1 and max(map(len, lines)) <= TEXT_WIDTH, lines
    finally:
        ex.step(temperature=1.0, length=120)  # back to the defaults (the fixture is shared)


def test_the_same_sliders_give_the_same_text_and_shorter_is_a_prefix(ex):
    a = ex.step(temperature=0.8, length=200)["text"]
    ex.step(temperature=2.0, length=100)
    assert ex.step(temperature=0.8, length=200)["text"] == a
    assert ex.step(length=60)["text"] == a[:60]


def test_cooler_samples_have_more_real_words(ex):
    valid = [ex.step(temperature=tau, length=300)["valid_words"] for tau in (0.4, 1.0, 3.0)]
    assert valid[0] > valid[1] > valid[2]


def test_the_corpus_frequencies_are_drawn(model, ex):
    _, vocab, text = model
    ax2 = ex.fig.axes[1]
    freq = np.array([text.count(c) for c in vocab]) / len(text)
    # one value a character, and the last repeated for the right edge of its slot
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), np.append(freq, freq[-1]))


def _covered(line, x0, x1, height):
    """Whether ``line``, as drawn (its drawstyle's vertices), has a horizontal segment at
    ``height`` from ``x0`` or before to ``x1`` or after."""
    from matplotlib.cbook import STEP_LOOKUP_MAP

    xs, ys = STEP_LOOKUP_MAP[line.get_drawstyle()](line.get_xdata(), line.get_ydata())
    return any(
        ya == yb and np.isclose(ya, height) and min(xa, xb) <= x0 and max(xa, xb) >= x1
        for xa, xb, ya, yb in zip(xs[:-1], xs[1:], ys[:-1], ys[1:], strict=True)
    )


def test_the_dashed_references_span_every_bar_the_first_and_last_too(model, ex):
    """The dashed τ = 1 distribution and corpus frequencies were steps drawn with where="mid"
    at the bars' centres: they stopped at the centre of the first and the last bar ('↵' and
    'y'), whose references were drawn over half their width."""
    params, vocab, text = model
    ex.step(temperature=1.0, length=120)
    refs = (
        next_distribution_by_hand(params, vocab, "the ", 1.0),
        np.array([text.count(c) for c in vocab]) / len(text),
    )
    for ax, ref in zip(ex.fig.axes, refs, strict=True):
        (line,) = ax.lines
        for i, bar in enumerate(ax.patches):
            assert _covered(line, bar.get_x(), bar.get_x() + bar.get_width(), ref[i]), (
                ax.get_title(loc="left"),
                vocab[i],
            )


def test_the_picture_changes_with_each_slider(ex):
    ex.step(temperature=1.0, length=120)
    a = ex.png()
    ex.step(temperature=2.0)
    b = ex.png()
    ex.step(length=40)
    c = ex.png()
    assert a != b and b != c


def test_default_factory_and_figures():
    assert sampling_explorer in FIGURES
    ex = sampling_explorer()  # trains the lesson's model (once, kept)
    assert ex.state["length"] == 120 and ex.state["temperature"] == 1.0
    assert ex.state["valid_words"] > 0.6


def test_bad_input(model):
    params, vocab, _ = model
    with pytest.raises(ValueError, match=r"^params, vocab: expected both"):
        sampling_explorer(params=params)
    with pytest.raises(ValueError, match=r"^text: expected only characters of vocab"):
        sampling_explorer(params, vocab, prompt="THE ")


def test_show_char():
    assert [show_char(c) for c in " \na"] == ["␣", "↵", "a"]


def test_every_task_of_the_exercise_ends_its_hints_with_a_folded_spoiler():
    """COURSE.md: graduated hints, the last one folded and marked as a spoiler. The optional
    read-out task had two hints and no spoiler."""
    import re
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "solutions/08_applications.ipynb", 4)
    hinted = [re.findall(r"<summary>(.*?)</summary>", c.source) for c in nb.cells]
    hinted = [h for h in hinted if h]
    assert len(hinted) == 3
    for summaries in hinted:
        assert len(summaries) >= 3 and "spoiler" in summaries[-1], summaries


def test_the_own_check_after_the_masked_exercise_takes_nested_lists_too(capsys):
    """check_masked_cross_entropy accepts dlogits as a nested list (anything np.asarray reads);
    the learner's-own-check cell after it indexed `dz_m[1, 1:]` and failed with TypeError."""
    from pathlib import Path

    import nbformat

    def as_lists(logits, targets, mask):
        loss, grad = _masked_right(logits, targets, mask)
        return loss, grad.tolist()

    L.check_masked_cross_entropy(as_lists)
    assert "cases passed ✓" in capsys.readouterr().out
    nb = nbformat.read(Path(__file__).parents[1] / "exercises/08_applications.ipynb", 4)
    (cell,) = [c for c in nb.cells if c.get("id") == "x08-c12"]
    rng = np.random.default_rng(80)
    names = {"np": np, "numerical_gradient": numerical_gradient, "rel_error": rel_error}
    names.update(z=rng.normal(size=(2, 3, 5)), y=rng.integers(0, 5, size=(2, 3)))
    names.update(masked_cross_entropy=as_lists, softmax_cross_entropy=_sce_right)
    exec(cell.source, names)
    assert "masked gradient = finite differences" in capsys.readouterr().out


def test_the_masked_prompt_and_check_agree_padded_targets_are_valid_class_ids():
    """The prompt said padded targets may hold "whatever id", the check "any valid id", and a
    right answer (the reference among them) indexes p by the target, so −100 or C crash: both
    say a valid class id, 0 to C − 1, and every case keeps to it."""
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "exercises/08_applications.ipynb", 4)
    (cell,) = [c for c in nb.cells if c.get("id") == "x08-c08"]
    prompt = " ".join(cell.source.split())
    assert "whatever id" not in prompt
    assert "whichever valid class id, $0$ to $C - 1$, its target holds" in prompt
    assert "a valid class id, 0 to C − 1, padded positions too" in L.check_masked_cross_entropy.doc
    for case in L.masked_cross_entropy_cases():
        C = case.args["logits"].shape[-1]
        assert np.all((case.args["targets"] >= 0) & (case.args["targets"] < C))


# -------------------------------------------------------------------------------------------------
# Exercises 05–08 together: what every numeric question says of its precision, and the tags of
# the optional sections' check cells.
# -------------------------------------------------------------------------------------------------


def _sig(x, digits):
    return float(f"{x:.{digits - 1}e}")


PRECISION = {  # key -> (the prompt's words, the answer given as they say, the check's tolerance)
    "05.five_steps": ("Four significant digits are enough (the check allows 0.1%)", 4, "0.1%"),
    "06.memory_mb": ("One decimal is enough (the check allows ±0.04 MB)", "1 decimal", "±0.04"),
    "06.checkpoint_k": ("A whole number, exactly", "whole", "±0.01"),
    "07.gate_reach": ("four significant digits are enough (the check allows 0.1%)", 4, "0.1%"),
    "07.clip_factor": ("four significant digits are enough (the check allows 0.1%)", 4, "0.1%"),
    "08.perplexity": ("Four significant digits are enough (the check allows 0.1%)", 4, "0.1%"),
}

EXERCISES = {
    "05": "05_iterative_training",
    "06": "06_vectorised_bptt",
    "07": "07_vanishing_and_exploding_gradients",
    "08": "08_applications",
}


def _exercise_text(stem):
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / f"exercises/{stem}.ipynb", 4)
    return nb


@pytest.mark.parametrize("key", sorted(PRECISION))
def test_every_numeric_question_states_the_precision_it_checks(key, capsys):
    """A numeric question said nothing of how precise the answer must be: its prompt (the
    Question's and the exercise's) now says it, and an answer given as it says passes."""
    from rnnlib.checks import ALL_QUESTIONS

    q = ALL_QUESTIONS[key]
    words, given_as, tolerance = PRECISION[key]
    assert q._tolerance() == tolerance  # the words are the check's tolerance

    def plain(text):  # one line, lower case, the notebook's LaTeX ± as text
        return " ".join(text.replace("$\\pm 0.04$", "±0.04").split()).lower()

    assert plain(words) in plain(q.prompt)
    cells = _exercise_text(EXERCISES[key[:2]]).cells
    assert any(plain(words) in plain(c.source) for c in cells if c.cell_type == "markdown")
    a = float(q.answer)
    given = {"1 decimal": round(a, 1), "whole": round(a)}.get(given_as) or _sig(a, given_as)
    q(given)
    assert "right ✓" in capsys.readouterr().out


def test_every_numeric_question_of_05_to_08_is_in_the_table():
    from rnnlib.checks import ALL_QUESTIONS

    numeric = {k for k, q in ALL_QUESTIONS.items() if q.choices is None and k[:2] in EXERCISES}
    assert numeric == set(PRECISION)


@pytest.mark.parametrize("stem", sorted(EXERCISES.values()))
def test_the_optional_sections_check_cells_are_tagged_optional(stem):
    """An exercise's "Optional, harder" part: its graded check cells carry the tags `graded` and
    `optional` (as exercise 04's), the others neither tag `optional`."""
    from rnnlib.progress import graded_item

    section, tagged = "", {}
    for cell in _exercise_text(stem).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            section = cell.source.splitlines()[0]
        elif cell.cell_type == "code" and graded_item(cell):
            tagged[cell.source] = (section, cell.metadata.get("tags", []))
    optional = [t for s, t in tagged.values() if s.startswith("## Optional")]
    assert optional, "every exercise 05–08 has an optional section with a check"
    assert all({"graded", "optional"} <= set(t) for t in optional)
    assert all("optional" not in t for s, t in tagged.values() if not s.startswith("## Optional"))


# -- a learner's slips that were told only the symptom (review of exercise 08) --------------------


def _sce_with_targets(shift):
    """A stable softmax cross-entropy that reads the target of each position as ``shift(y, C)``."""

    def softmax_cross_entropy(logits, targets):
        C = logits.shape[-1]
        y = shift(targets, C)
        s = logits - logits.max(axis=-1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        M = targets.size
        loss = -np.take_along_axis(logp, y[..., None], -1).sum() / M
        return loss, (np.exp(logp) - np.eye(C)[y]) / M

    return softmax_cross_entropy


def test_targets_read_as_one_based_are_named():
    """``y - 1`` (as if the ids began at 1; numpy reads -1 as the last class)."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_softmax_cross_entropy(_sce_with_targets(lambda y, C: y - 1))
    assert first_line(excinfo).startswith("check_softmax_cross_entropy: you picked class y − 1")

    def masked(logits, targets, mask):
        real = mask > 0
        loss, d = _sce_with_targets(lambda y, C: y - 1)(logits[real], targets[real])
        out = np.zeros_like(logits)
        out[real] = d
        return loss, out

    first = refusal(L.check_masked_cross_entropy, masked)
    assert first.startswith("check_masked_cross_entropy: you picked class y − 1")


def test_a_row_max_subtracted_fixes_what_the_overflow_message_names(capsys):
    """The first line's remedy for NaN on the large logits, followed, passes."""
    L.check_softmax_cross_entropy(_sce_with_targets(lambda y, C: y))
    assert "8/8 cases passed" in capsys.readouterr().out


def test_perplexity_question_matches_the_library_on_such_a_model():
    """Question 1's model, built as logits over 23 characters: rnnlib's mean cross-entropy of
    it, exponentiated, is the question's answer; the uniform guess's is 23, and the catalogued
    wrong values are what the named slips compute."""
    from rnnlib.losses import softmax_cross_entropy

    C = 23

    def logits_giving(p):  # the right character (0) gets p, the other 22 share the rest
        probs = np.full(C, (1 - p) / (C - 1))
        probs[0] = p
        return np.log(probs)

    logits = np.stack([logits_giving(0.5), logits_giving(1 / 8)] * 3)  # half and half
    loss, _ = softmax_cross_entropy(logits, np.zeros(6, dtype=int))
    q = next(q for q in L.QUESTIONS if q.key == "08.perplexity")
    assert math.exp(loss) == pytest.approx(q.answer, rel=1e-12)
    uniform, _ = softmax_cross_entropy(np.zeros((4, C)), np.zeros(4, dtype=int))
    assert math.exp(uniform) == pytest.approx(C) and C in q.why
    assert {(2 + 8) / 2, 1 / ((0.5 + 1 / 8) / 2), 2 * 8, math.log(4), math.log2(4)} <= set(q.why)


def test_a_sample_length_that_is_not_whole_is_refused_not_truncated(ex):
    # ex.set(length=12.5) drew 12 characters (int() truncated it) without a word
    for bad in (12.5, -10, float("inf"), "20"):
        with pytest.raises(ValueError, match=r"^length: expected an integer >= 0"):
            ex.set(length=bad)
    assert len(ex.set(length=20.0)["text"]) == 20
    ex.set(temperature=1.0, length=120)  # back to the defaults (the fixture is shared)


# -- slips found by working the exercise as a learner (ex-b review) -------------------------------
# Each wrong answer is written here as a learner writes it (loops over the positions, its own
# stable log-softmax), not through the catalogue; before the review each got only "... is wrong".


def _log_softmax_rows(z):
    z = np.asarray(z, dtype=float)
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _sce_with_grad(grad_of):
    """A learner's cross-entropy whose gradient at one position is ``grad_of(p, y)``."""

    def softmax_cross_entropy(logits, targets):
        logp = _log_softmax_rows(logits).reshape(-1, np.shape(logits)[-1])
        ys = np.asarray(targets).reshape(-1)
        M = ys.size
        dz = np.array([grad_of(np.exp(lp), y) for lp, y in zip(logp, ys, strict=True)]) / M
        loss = -sum(lp[y] for lp, y in zip(logp, ys, strict=True)) / M
        return float(loss), dz.reshape(np.shape(logits))

    return softmax_cross_entropy


def _only_at_target(p, y):
    g = np.zeros_like(p)
    g[y] = p[y] - 1
    return g


def _masked_grad_undivided(logits, targets, mask):
    logp = _log_softmax_rows(logits)
    n_real = mask.sum()
    loss, dz = 0.0, np.zeros(logits.shape)
    for n, t in zip(*np.nonzero(mask), strict=True):
        loss -= logp[n, t, targets[n, t]] / n_real
        dz[n, t] = np.exp(logp[n, t])
        dz[n, t, targets[n, t]] -= 1  # the 1 / n_real of the loss forgotten here
    return loss, dz


def _readout_with(dh_of=None, divide=1):
    """A learner's many-to-one read-out by a loop over the sequences, with ``dh`` from
    ``dh_of`` where given and the weight gradients divided by ``divide``."""

    def readout_backward(dz, h, Wy):
        N, T, H = h.shape
        dWy, dby = np.zeros(Wy.shape), np.zeros(Wy.shape[1])
        for n in range(N):
            dWy += np.outer(h[n, -1], dz[n])
            dby += dz[n]
        dh = np.zeros_like(h)
        dh[:, -1] = dz @ Wy.T if dh_of is None else dh_of(dz, h[:, -1], Wy)
        d = N if divide == "N" else 1
        return dh, dWy / d, dby / d

    return readout_backward


@pytest.mark.parametrize(
    ("checker", "answer", "said"),
    [
        (
            L.check_softmax_cross_entropy,
            _sce_with_grad(_only_at_target),
            "only the target's logit got a gradient",
        ),
        (
            L.check_softmax_cross_entropy,
            _sce_with_grad(lambda p, y: p * (1 - p)),
            "p(1 − p) is only the diagonal",
        ),
        (L.check_masked_cross_entropy, _masked_grad_undivided, "not divided by Σ mask"),
        (L.check_readout_backward, _readout_with(divide="N"), "divided by the batch size N"),
        (
            L.check_readout_backward,
            _readout_with(dh_of=lambda dz, h, Wy: (dz @ Wy.T) * (1 - h**2)),
            "dh has a tanh′ it should not",
        ),
    ],
    ids=["grad at target only", "p(1-p)", "masked grad undivided", "/N", "dh*(1-h^2)"],
)
def test_a_learners_slips_found_in_review_are_named(checker, answer, said):
    first = refusal(checker, answer)
    assert said in first
    assert "is wrong" not in first


def test_the_perplexity_question_names_the_inverse_and_the_wrong_base():
    q = {x.key: x for x in L.QUESTIONS}["08.perplexity"]
    L_nats = (math.log(2) + math.log(8)) / 2  # by hand: the mean of −log p
    for wrong, said in ((math.exp(-L_nats), "e^(−L)"), (2**L_nats, "2^L with L in nats")):
        with pytest.raises(AssertionError, match=re.escape(said)):
            q(wrong)


# -- the optional many-to-one read-out: a learner's slips, each written as a learner writes it ----
# (not through the catalogue): the lesson's read-out copied, the wrong step, a broadcast, a mean.


def _copied_from_the_lesson(dz, h, Wy):
    """dz repeated at every step, then the lesson's formulas for an output at every step."""
    dz_all = np.repeat(dz[:, None, :], h.shape[1], axis=1)
    return dz_all @ Wy.T, np.einsum("nth,ntk->hk", h, dz_all), dz_all.sum(axis=(0, 1))


def _gradient_at_the_first_step(dz, h, Wy):
    dh = np.zeros_like(h)
    dh[:, 0] = dz @ Wy.T  # "h_T": the step the RNN ends on, taken as index 0
    return dh, h[:, -1].T @ dz, dz.sum(axis=0)


def _broadcast_dh(dz, h, Wy):
    dh = np.zeros_like(h) + (dz @ Wy.T)[:, None, :]  # every step gets the same gradient
    return dh, h[:, -1].T @ dz, dz.sum(axis=0)


def _weight_from_every_step(dz, h, Wy):
    dh = np.zeros_like(h)
    dh[:, -1] = dz @ Wy.T
    return dh, h.sum(axis=1).T @ dz, dz.sum(axis=0)  # "W is shared, so sum over t"


def _first_state_read(dz, h, Wy):
    h_T = h[:, 0]  # the first state taken for the last
    dh = np.zeros_like(h)
    dh[:, 0] = dz @ Wy.T
    return dh, h_T.T @ dz, dz.sum(axis=0)


def _one_before_the_last(dz, h, Wy):
    T = h.shape[1]
    dh = np.zeros_like(h)
    dh[:, T - 2] = dz @ Wy.T  # "h_T is h[:, T - 1]", then one off again
    return dh, h[:, T - 2].T @ dz, dz.sum(axis=0)


def _means_over_the_batch(dz, h, Wy):
    dh = np.zeros_like(h)
    dh[:, -1] = dz @ Wy.T
    return dh, h[:, -1].T @ dz / len(dz), dz.mean(axis=0)


def _dh_of_the_last_step_alone(dz, h, Wy):
    return dz @ Wy.T, h[:, -1].T @ dz, dz.sum(axis=0)  # (N, H), not h's shape


def _outer_transposed(dz, h, Wy):
    dh = np.zeros_like(h)
    dh[:, -1] = dz @ Wy.T
    return dh, dz.T @ h[:, -1], dz.sum(axis=0)


def _bias_not_summed(dz, h, Wy):
    dh = np.zeros_like(h)
    dh[:, -1] = dz @ Wy.T
    return dh, h[:, -1].T @ dz, dz.copy()


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_copied_from_the_lesson, "you used dz at every step"),
        (_gradient_at_the_first_step, "dh is placed at the first step (index 0)"),
        (_broadcast_dh, "dh is nonzero at every step"),
        (_weight_from_every_step, "dWy is summed over every step's h_t"),
        (_first_state_read, "you read the first hidden state (index 0) for dh and dWy"),
        (_one_before_the_last, "you read the step before the last (index -2, T − 2)"),
        (_means_over_the_batch, "you divided by the batch size N"),
        (_dh_of_the_last_step_alone, "dh must have h's shape (N, T, H)"),
        (_outer_transposed, "dWy is transposed"),
        (_bias_not_summed, "dby must be summed over the batch"),
        (
            _readout_with(dh_of=lambda dz, h_T, Wy: (dz @ Wy.T) * (1 - h_T**2)),
            "dh has a tanh′ it should not",
        ),
        (_readout_with(dh_of=lambda dz, h_T, Wy: dz @ Wy), "not dz Wy"),
    ],
    ids=lambda x: getattr(x, "__name__", None) if callable(x) else None,
)
def test_a_learners_many_to_one_slips_are_named(answer, said):
    first = refusal(L.check_readout_backward, answer)
    assert said in first, first
    assert "is wrong" not in first


def test_the_many_to_one_readout_by_hand():
    """N = 1, T = 2, H = 1, K = 1: z = h_2 w + b with h = (0.5, −0.3), w = 3, dz = 2, so
    dL/dh_1 = 0 (z does not read h_1), dL/dh_2 = dz·w = 6, dL/dw = h_2·dz = −0.6, dL/db = 2."""
    dh, dWy, dby = L.readout_reference(
        np.array([[2.0]]), np.array([[[0.5], [-0.3]]]), np.array([[3.0]])
    )
    np.testing.assert_allclose(dh, [[[0.0], [6.0]]])
    np.testing.assert_allclose(dWy, [[-0.6]])
    np.testing.assert_allclose(dby, [2.0])
    assert all(c.args["dz"].ndim == 2 for c in L.readout_backward_cases())  # dz (N, K)


def test_no_lesson_cell_prints_the_many_to_one_answer():
    """The optional task was copy-only: the lesson printed its three formulas. The lesson's read-out
    has an output at every step; the exercise's reads h_T alone, and no lesson cell holds its
    key expressions (dh placed at the last step, dWy from the last step's h)."""
    from pathlib import Path

    import nbformat

    root = Path(__file__).parents[1]
    lesson = nbformat.read(root / "notebooks/08_applications.ipynb", 4)
    key = re.compile(r"dh\[:, *-1\]|h\[:, *-1\]\.T|h_\{?n, *T\}?\^\\top|h_T\^\\top")
    for cell in lesson.cells:
        assert not key.search(cell.source), cell.source[:200]
    solution = nbformat.read(root / "solutions/08_applications.ipynb", 4)
    (answer,) = [c for c in solution.cells if c.get("id") == "x08-c23"]
    assert key.search(answer.source)  # (the pattern finds the solution's own expressions)


# -- more slips written here by hand, each named alone: the catalogue's formula is the learner's --


def _mean_over_positions_and_classes(logits, targets):
    """np.mean over the (M, C) array of −onehot·log p: divides by C too (its gradient with it)."""
    z = np.asarray(logits, dtype=float)
    C = z.shape[-1]
    s = z - z.max(axis=-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    onehot = np.eye(C)[targets]
    return -(onehot * logp).mean(), (np.exp(logp) - onehot) / (np.size(targets) * C)


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    [
        (L.check_softmax_cross_entropy, "mean_over_classes_too", _mean_over_positions_and_classes),
        (
            L.check_readout_backward,
            "readout_wrong_sign",
            lambda dz, h, Wy: tuple(-g for g in _readout_right(dz, h, Wy)),
        ),
    ],
    ids=["mean over classes too", "read-out wrong sign"],
)
def test_more_slips_written_by_hand_are_named(checker, key, answer):
    assert_slip_named(checker, answer, key)


# -- a learner's slips that got only "... is wrong" before (learner probe of lessons 06-08) --------
# Written as a learner writes them (the solutions' lines with one slip), not through the catalogue.


def _log_softmax(z):
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _sce_learner(log=np.log, grad=lambda p, onehot: p - onehot):
    """softmax_cross_entropy with the loss's log ``log`` (of p) and the gradient ``grad(p, onehot)``
    before the division by M."""

    def softmax_cross_entropy(logits, targets):
        logp = _log_softmax(np.asarray(logits, dtype=float))
        p, onehot = np.exp(logp), np.eye(logits.shape[-1])[targets]
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            logq = logp if log is np.log else log(p)  # the learner's np.log2(p): −inf where p = 0
            loss = -(onehot * np.where(onehot > 0, logq, 0.0)).sum() / targets.size
            return float(loss), grad(p, onehot) / targets.size

    return softmax_cross_entropy


def _readout_learner(dby_axis=0, outer_of_sums=False):
    def readout_backward(dz, h, Wy):
        dh = np.zeros_like(h)
        dh[:, -1] = dz @ Wy.T
        dWy = np.outer(h[:, -1].sum(axis=0), dz.sum(axis=0)) if outer_of_sums else h[:, -1].T @ dz
        return dh, dWy, dz.sum(axis=dby_axis)

    return readout_backward


def _masked_learner(weights_of):
    """masked_cross_entropy whose positions are weighted by ``weights_of(mask)``."""

    def masked_cross_entropy(logits, targets, mask):
        logp = _log_softmax(logits)
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = weights_of(mask)
            picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
            dlogits = weight[..., None] * (np.exp(logp) - np.eye(logits.shape[-1])[targets])
            return float(-(weight * picked).sum()), dlogits

    return masked_cross_entropy


PROBED = [
    (L.check_softmax_cross_entropy, None, _sce_learner()),
    (L.check_softmax_cross_entropy, "loss_in_bits", _sce_learner(log=np.log2)),
    (L.check_softmax_cross_entropy, "grad_p_minus_one", _sce_learner(grad=lambda p, oh: p - 1)),
    (
        L.check_softmax_cross_entropy,
        "grad_wrt_p",
        _sce_learner(grad=lambda p, oh: np.where(oh > 0, -1 / p, 0.0)),
    ),
    (L.check_readout_backward, None, _readout_learner()),
    (L.check_readout_backward, "dby_summed_over_classes", _readout_learner(dby_axis=1)),
    (L.check_readout_backward, "dWy_outer_of_sums", _readout_learner(outer_of_sums=True)),
    (L.check_masked_cross_entropy, None, _masked_learner(lambda m: m / m.sum())),
    (
        L.check_masked_cross_entropy,
        "mask_inverted",
        _masked_learner(lambda m: (1 - m) / (1 - m).sum()),
    ),
    (L.check_masked_cross_entropy, "divided_by_T", _masked_learner(lambda m: m / m.shape[1])),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    PROBED,
    ids=[
        "right sce",
        "sce log2",
        "sce p - 1",
        "sce dL/dp",
        "right read-out",
        "dby over classes",
        "dWy outer of sums",
        "right masked",
        "mask inverted",
        "masked / T",
    ],
)
def test_the_learner_probes_slips_are_named(checker, key, answer, capsys):
    assert_right_or_slip_named(checker, answer, key, capsys)


def test_the_probed_slips_by_hand():
    """By hand: logits [0, ln 3] (p = [1/4, 3/4]) and target 0: L = ln 4 nats = 2 bits; the
    right gradient is [1/4 − 1, 3/4] = [−3/4, 3/4], dL/dp at the target −1/p = −4, and p − 1
    is [−3/4, −1/4]."""
    z, y = np.array([[0.0, math.log(3.0)]]), np.array([0])
    loss, grad = _sce_learner()(z, y)
    assert loss == pytest.approx(math.log(4.0)) and grad == pytest.approx(np.array([[-0.75, 0.75]]))
    assert _sce_learner(log=np.log2)(z, y)[0] == pytest.approx(2.0)
    assert _sce_learner(grad=lambda p, oh: p - 1)(z, y)[1] == pytest.approx(
        np.array([[-0.75, -0.25]])
    )
    dp = _sce_learner(grad=lambda p, oh: np.where(oh > 0, -1 / p, 0.0))(z, y)[1]
    assert dp == pytest.approx(np.array([[-4.0, 0.0]]))


def test_the_perplexity_names_more_wrong_numbers():
    # by hand: the mean loss in bits is ½(1 + 3) = 2, and e² ≈ 7.389 is not 2² = 4; 1/p at the
    # worse half is 8
    assert "that is e^L with L = 2 in bits" in refusal(check_answer, "08.perplexity", 7.389)
    assert "the half with p = 1/8 alone" in refusal(check_answer, "08.perplexity", 8)


# -- review rev078: masked slips refused without a name -------------------------------------------


def _masked_learner(grad):
    """A learner's masked cross-entropy, right but for its gradient's bracket ``grad(p, onehot)``
    (p − onehot when right)."""

    def masked_cross_entropy(logits, targets, mask):
        s = logits - logits.max(axis=-1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        weight = mask / mask.sum()
        picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
        onehot = np.eye(logits.shape[-1])[targets]
        return float(-(weight * picked).sum()), weight[..., None] * grad(np.exp(logp), onehot)

    return masked_cross_entropy


@pytest.mark.parametrize(
    ("grad", "key"),
    [(lambda p, onehot: p, "masked_no_one_hot"), (lambda p, h: h - p, "masked_grad_sign_flipped")],
    ids=["no one-hot", "sign flipped"],
)
def test_the_masked_gradient_slips_are_named(grad, key, capsys):
    """Both were refused as "dlogits is wrong at 4 of 24 entries" / "... 16 of 24", unnamed.
    By hand, one real position z = (0, ln 3), y = 1: p = (1/4, 3/4), so the slips give
    (1/4, 3/4) and (−1/4, 1/4) where (1/4, −1/4) is right."""
    z, y, m = np.array([[[0.0, np.log(3.0)]]]), np.array([[1]]), np.ones((1, 1))
    want = {"masked_no_one_hot": [0.25, 0.75], "masked_grad_sign_flipped": [-0.25, 0.25]}[key]
    assert np.allclose(_masked_learner(grad)(z, y, m)[1][0, 0], want)
    assert np.allclose(_masked_learner(lambda p, h: p - h)(z, y, m)[1][0, 0], [0.25, -0.25])
    assert_right_or_slip_named(L.check_masked_cross_entropy, _masked_learner(grad), key, capsys)


def _sce_gradient_only(loss_of):
    """A learner's softmax cross-entropy with the right gradient and the loss ``loss_of(L)``."""

    def softmax_cross_entropy(logits, targets):
        s = logits - logits.max(axis=-1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        onehot = np.eye(logits.shape[-1])[targets]
        M = targets.size
        return loss_of(-(onehot * logp).sum() / M), (np.exp(logp) - onehot) / M

    return softmax_cross_entropy


def _sce_over_axis_0(logits, targets):
    """The softmax taken over the first axis, as np.max(z, axis=0) and .sum(axis=0) compute."""
    s = logits - logits.max(axis=0, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=0, keepdims=True))
    onehot = np.eye(logits.shape[-1])[targets]
    return -(onehot * logp).sum() / targets.size, (np.exp(logp) - onehot) / targets.size


def test_a_loss_left_at_0_is_not_called_a_softmax_over_the_wrong_axis():
    """Case 1 has one row: a softmax over its axis of one entry is p = 1 and gives a loss of
    exactly 0, so a loss never computed (0.0) was told "the softmax is taken over the wrong
    axis". By hand, case 1 (z = [1, 2, 0.5], y = 1) has L = log(e + e² + e^0.5) − 2 ≈ 0.46."""
    z = np.array([[1.0, 2.0, 0.5]])
    want = np.log(np.exp(1.0) + np.exp(2.0) + np.exp(0.5)) - 2.0
    assert _sce_gradient_only(lambda L: L)(z, np.array([1]))[0] == pytest.approx(want, rel=1e-13)
    assert _sce_over_axis_0(z, np.array([1]))[0] == 0.0
    said = refusal(L.check_softmax_cross_entropy, _sce_gradient_only(lambda L: 0.0))
    assert "wrong axis" not in said and "loss is wrong" in said
    # the slip itself is still named, by its gradient
    said = refusal(L.check_softmax_cross_entropy, _sce_over_axis_0)
    assert mistake(L.check_softmax_cross_entropy, "softmax_over_wrong_axis").says in said


def _own_check_cell(cell_id):
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "solutions/08_applications.ipynb", 4)
    (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
    return cell.source


def _sce_one_max(logits, targets):
    """Stable-looking, but ONE max for the whole array: a row near −1000 beside a row near +1000
    is left at exp(−2000) = 0, and its log-sum-exp is −inf."""
    z = np.asarray(logits, dtype=float)
    s = z - z.max()
    logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    M, C = targets.size, z.shape[-1]
    loss = -np.take_along_axis(logp, targets[..., None], axis=-1).sum() / M
    return float(loss), (np.exp(logp) - np.eye(C)[targets]) / M


def _sce_log_of_p(logits, targets):
    """Each row's own max, but the log taken of p itself: a p that rounds to 0 gives inf."""
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    M, C = targets.size, z.shape[-1]
    loss = -np.log(np.take_along_axis(p, targets[..., None], axis=-1)).sum() / M
    return float(loss), (p - np.eye(C)[targets]) / M


@pytest.mark.parametrize(
    "wrong, says",
    [
        (_sce_one_max, "rows near +1000 and -1000 together"),
        (_sce_log_of_p, "a target 800 below the other logit"),
    ],
)
def test_the_own_check_of_the_cross_entropy_catches_what_the_prompt_warns_of(wrong, says, capsys):
    """The prompt asks for finiteness with rows near +1000 and −1000 in one batch and a target
    whose p rounds to 0; the own check shifted every logit by the same +1000 only, so one max for
    the whole array and the log of p both passed it (and it printed "no overflow ✓")."""
    source = _own_check_cell("x08-c07")
    exec(source, _own_names(softmax_cross_entropy=_sce_right))
    assert "no overflow ✓" in capsys.readouterr().out
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match=re.escape(says)):
        exec(source, _own_names(softmax_cross_entropy=wrong))


def _own_names(**functions):
    return {"np": np, "numerical_gradient": numerical_gradient, "rel_error": rel_error, **functions}


def _masked_over_every_position(logits, targets, mask):
    """Right but divided by every position, padding included (N·T, not Σ mask)."""
    loss, grad = _masked_right(logits, targets, mask)
    share = mask.sum() / mask.size
    return loss * share, np.asarray(grad) * share


def _masked_mean_of_sequence_means(logits, targets, mask):
    """Each sequence's mean over its real positions, then the mean over the sequences."""
    z = np.asarray(logits, dtype=float)
    weight = mask / mask.sum(axis=1, keepdims=True) / len(mask)
    s = z - z.max(axis=-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    grad = weight[..., None] * (np.exp(logp) - np.eye(z.shape[-1])[targets])
    return float(-(weight * picked).sum()), grad


@pytest.mark.parametrize("wrong", [_masked_over_every_position, _masked_mean_of_sequence_means])
def test_the_own_check_of_the_masked_loss_catches_a_mean_over_other_weights(wrong, capsys):
    """The own check compared the loss with finite differences of itself, zeros at the padding
    and the plain mean under a mask of ones: a loss divided by N·T, or a mean of the sequences'
    means, passed all three (each is consistent with its own gradient and equals the plain mean
    when nothing is padded). The mean over the real positions alone, by exercise 1's function on
    them, tells them apart."""
    rng = np.random.default_rng(80)
    data = {"z": rng.normal(size=(2, 3, 5)), "y": rng.integers(0, 5, size=(2, 3))}
    source = _own_check_cell("x08-c12")
    exec(
        source,
        _own_names(masked_cross_entropy=_masked_right, softmax_cross_entropy=_sce_right, **data),
    )
    assert "padded = the mean over the real positions" in capsys.readouterr().out
    names = _own_names(masked_cross_entropy=wrong, softmax_cross_entropy=_sce_right, **data)
    with pytest.raises(AssertionError, match=r"the mean over the 4 real positions\s+alone"):
        exec(source, names)


# -- slips-b probe: the one-hot subtracted by whole columns, dz itself placed at h_T, the mask on
# one term of the gradient only. Each got "... is wrong" before. ---------------------------------


def _sce_rows(logits, targets):
    """The stable p and log p of exercise 1, as (M, C) rows, with the targets as (M,)."""
    z = np.asarray(logits, dtype=float)
    C = z.shape[-1]
    s = z - z.max(axis=-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    return logp.reshape(-1, C), np.exp(logp).reshape(-1, C), np.asarray(targets).ravel()


def _sce_columns(logits, targets):
    """Right loss; the gradient by ``dz[:, y] -= 1``, which takes whole columns."""
    logp, p, y = _sce_rows(logits, targets)
    M = y.size
    dz = p.copy()
    dz[:, y] -= 1
    return -logp[np.arange(M), y].sum() / M, (dz / M).reshape(np.shape(logits))


def _sce_rows_paired(logits, targets):
    """The same with ``dz[np.arange(M), y] -= 1``: right."""
    logp, p, y = _sce_rows(logits, targets)
    M = y.size
    dz = p.copy()
    dz[np.arange(M), y] -= 1
    return -logp[np.arange(M), y].sum() / M, (dz / M).reshape(np.shape(logits))


def _readout_dz_itself(dz, h, Wy):
    dh = np.zeros_like(h)
    dh[:, -1] = dz  # the slip: dz where dz @ Wy.T belongs
    return dh, h[:, -1].T @ dz, dz.sum(axis=0)


def _masked_one_term(on_p):
    def masked_cross_entropy(logits, targets, mask):
        logp, p, y = _sce_rows(logits, targets)
        m = np.asarray(mask, dtype=float).ravel()
        onehot = np.eye(p.shape[1])[y]
        loss = -(m * logp[np.arange(y.size), y]).sum() / m.sum()
        dz = (m[:, None] * p - onehot) if on_p else (p - m[:, None] * onehot)
        return loss, (dz / m.sum()).reshape(np.shape(logits))

    return masked_cross_entropy


@pytest.mark.parametrize(
    ("checker", "answer", "key"),
    [
        (L.check_softmax_cross_entropy, _sce_rows_paired, None),
        (L.check_softmax_cross_entropy, _sce_columns, "onehot_by_columns"),
        (L.check_readout_backward, _readout_dz_itself, "dh_is_dz"),
        (L.check_masked_cross_entropy, _masked_one_term(True), "mask_on_p_only"),
        (L.check_masked_cross_entropy, _masked_one_term(False), "mask_on_onehot_only"),
    ],
    ids=["dz[arange(M), y]", "dz[:, y]", "dh_T = dz", "mask·p − onehot", "p − mask·onehot"],
)
def test_the_probes_indexing_and_masking_slips_are_named(checker, answer, key, capsys):
    assert_right_or_slip_named(checker, answer, key, capsys)


def test_the_column_slip_by_hand():
    """Two rows, C = 3, targets (0, 2): dz[:, y] -= 1 takes 1 off columns 0 and 2 of BOTH rows;
    row 0 must lose it at column 0 alone, row 1 at column 2 alone."""
    logits, targets = np.zeros((2, 3)), np.array([0, 2])
    p = 1 / 3
    _, dz = _sce_columns(logits, targets)
    assert np.allclose(dz, [[(p - 1) / 2, p / 2, (p - 1) / 2], [(p - 1) / 2, p / 2, (p - 1) / 2]])
    _, right = _sce_rows_paired(logits, targets)
    assert np.allclose(right, [[(p - 1) / 2, p / 2, p / 2], [p / 2, p / 2, (p - 1) / 2]])
