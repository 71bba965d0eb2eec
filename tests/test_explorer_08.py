"""Lesson 08's sliders: sampling temperature and length. The distribution is checked against a
forward pass written here (W_x rows looked up, np.tanh), the bars against the numbers, the
sample against the model's own sampler with the same seed, and the same sliders against the same
text."""

import numpy as np
import pytest

from rnnlib import data, models
from rnnlib.explorers import registry
from rnnlib.explorers.applications import sampling_explorer, show_char


@pytest.fixture(scope="module")
def model():
    text = data.tiny_corpus()
    params, vocab, _ = models.train_char_model(text, steps=150)
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
    want = models.sample(params, data.encode("the ", vocab), length, tau, seed=0)
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


def test_default_factory_and_registry():
    assert sampling_explorer in registry()["08"]
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
