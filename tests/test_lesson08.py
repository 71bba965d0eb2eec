"""Lesson 08's checkers (rnnlib.course.lesson08): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below, written
independently of rnnlib (loops over positions and classes, finite differences). Unstable
softmaxes fail on the case that explains why."""

import math

import numpy as np
import pytest
from checks_support import first_line

from rnnlib import data, numerical_gradient, sampling, training
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
    """dh, dWy, dby by loops over positions (n, t)."""
    N, T, K = dz.shape
    dh = np.zeros_like(h)
    dWy = np.zeros_like(Wy)
    dby = np.zeros(K)
    for n in range(N):
        for t in range(T):
            dh[n, t] = Wy @ dz[n, t]
            dWy += np.outer(h[n, t], dz[n, t])
            dby += dz[n, t]
    return dh, dWy, dby


RIGHT = {
    "check_softmax_cross_entropy": (_sce_right, 6),
    "check_readout_backward": (_readout_right, 3),
}

REQUIRED = {  # the brief's minimum catalogue, by mistake key
    "check_softmax_cross_entropy": {
        "no_one_hot_subtracted",  # forgetting to subtract the one-hot
        "grad_not_divided_by_M",  # not dividing by the number of positions
        "p_instead_of_log_p",  # using p instead of log p
    },
    "check_readout_backward": {"dWy_transposed", "last_step_only"},
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
    L.check_readout_backward(
        lambda dz, h, Wy: (dz @ Wy.T, np.einsum("nth,ntk->hk", h, dz), dz.sum(axis=(0, 1)))
    )
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
    with pytest.raises(AssertionError) as excinfo:
        L.check_softmax_cross_entropy(lambda z, y: (_sce_right(z, y)[0], np.zeros(3)))
    assert first_line(excinfo) == (
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
    assert first_line(excinfo) == "check_softmax_cross_entropy: loss contains NaN or infinity"
    assert "case 5 of 6: large logits" in text and "subtract each row's max first" in text


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_log_of_a_rounded_probability_fails_on_its_own_case():
    with pytest.raises(AssertionError) as excinfo:
        L.check_softmax_cross_entropy(_log_of_p)
    text = str(excinfo.value)
    assert "case 6 of 6: a target 800 below the other logit" in text
    assert "log 0 = −inf" in text


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
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), freq)


def test_the_picture_changes_with_each_slider(ex):
    ex.step(temperature=1.0, length=120)
    a = ex.png()
    ex.step(temperature=2.0)
    b = ex.png()
    ex.step(length=40)
    c = ex.png()
    assert a != b and b != c


def test_update_is_fast(ex):
    times = []
    for k in range(8):
        ex.step(temperature=0.2 + 0.35 * k, length=300 - 30 * k)
        times.append(ex.last_update_seconds)
    assert np.median(times) < 0.1, times  # the course's bar


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
