"""rnnlib.data: the signal's formula, the grammar's sentences, encodings and windows, each checked
against a value worked out here (by hand, by a loop, or from the grammar's definition)."""

import math
import re

import numpy as np
import pytest

from rnnlib import data

# -- the periodic signal ---------------------------------------------------------------------------


def test_signal_follows_its_formula_at_hand_picked_times():
    clean, _ = data.periodic_signal(length=30, period=20.0, noise=0.0)
    # t = 0: sin 0 + ½ sin 1;  t = P/4 = 5: sin(π/2) + ½ sin(π + 1) = 1 − ½ sin 1
    assert clean[0] == pytest.approx(0.5 * math.sin(1.0), abs=1e-15)
    assert clean[5] == pytest.approx(1.0 - 0.5 * math.sin(1.0), abs=1e-14)
    # t = P/2 = 10: sin π + ½ sin(2π + 1) = ½ sin 1
    assert clean[10] == pytest.approx(0.5 * math.sin(1.0), abs=1e-14)


def test_signal_is_periodic_and_the_noise_has_the_asked_size():
    clean, noisy = data.periodic_signal(length=20_000, period=25.0, noise=0.3, seed=4)
    np.testing.assert_allclose(clean[25:], clean[:-25], atol=1e-9)
    eps = noisy - clean
    assert abs(eps.mean()) < 0.3 * 4 / math.sqrt(eps.size)  # 4 standard errors
    assert eps.std() == pytest.approx(0.3, rel=0.03)


def test_signal_is_seeded():
    a = data.periodic_signal(50, seed=1)[1]
    np.testing.assert_array_equal(a, data.periodic_signal(50, seed=1)[1])
    assert not np.array_equal(a, data.periodic_signal(50, seed=2)[1])
    clean, noisy = data.periodic_signal(50, noise=0.0)
    np.testing.assert_array_equal(clean, noisy)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"length": 1}, r"^length: expected an integer >= 2, got 1"),
        ({"length": 10.5}, r"^length: expected an integer"),
        ({"period": 0.0}, r"^period: expected a positive number"),
        ({"noise": -0.1}, r"^noise: expected a standard deviation >= 0"),
        ({"noise": float("nan")}, r"^noise: expected a finite number"),
    ],
)
def test_signal_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        data.periodic_signal(**kw)


# -- the corpus ------------------------------------------------------------------------------------


def _sentence_pattern():
    g = data.GRAMMAR

    def alt(words):
        return "(?:" + "|".join(words) + ")"

    np_ = f"{alt(g['det'])} (?:{alt(g['adj'])} )?{alt(g['noun'])}"
    return re.compile(f"^{np_} {alt(g['verb'])} {np_}\\.$")


def test_every_line_is_a_sentence_of_the_grammar():
    text = data.tiny_corpus(n_sentences=200, seed=3)
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 201  # each sentence ends with ".\n"
    pattern = _sentence_pattern()
    assert all(pattern.match(line) for line in lines[:-1])


def test_corpus_size_variety_and_seed():
    text = data.tiny_corpus()
    assert 2_000 < len(text) < 8_000  # "a few KB"
    assert len(set(text)) < 30
    words = set(re.findall(r"[a-z]+", text))
    assert words == set(data.corpus_words())  # 160 sentences use every word of the grammar
    assert text == data.tiny_corpus()
    assert text != data.tiny_corpus(seed=1)
    with pytest.raises(ValueError, match="^n_sentences: expected an integer >= 1"):
        data.tiny_corpus(0)


def test_corpus_words_is_the_union_of_the_grammar():
    assert data.corpus_words() == {w for ws in data.GRAMMAR.values() for w in ws}


# -- encodings -------------------------------------------------------------------------------------


def test_vocabulary_encode_decode():
    vocab = data.char_vocabulary("banana band.")
    assert vocab == " .abdn"
    ids = data.encode("band", vocab)
    np.testing.assert_array_equal(ids, [3, 2, 5, 4])  # positions in " .abdn"
    assert ids.dtype == np.int64
    assert data.decode(ids, vocab) == "band"
    text = data.tiny_corpus(20)
    v = data.char_vocabulary(text)
    assert data.decode(data.encode(text, v), v) == text


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.char_vocabulary(""), r"^text: expected a non-empty str"),
        (
            lambda: data.encode("cab!", "abc"),
            r"^text: expected only characters of vocab 'abc', got '!'",
        ),
        (lambda: data.encode(b"ab", "abc"), r"^text: expected a str"),
        # 'a' at 0 and 2: its id would be ambiguous (it was silently the last, 2)
        (lambda: data.encode("a", "aba"), r"^vocab: expected distinct characters, got 'a' more"),
        (lambda: data.decode([0, 3], "abc"), r"^ids: expected values in 0..2"),
        (lambda: data.decode([0.0, 1.0], "abc"), r"^ids: expected a 1-d array of integer"),
        (lambda: data.one_hot([0, 5], 5), r"^ids: expected values in 0..4"),
        (lambda: data.one_hot([0, 1], 0), r"^n_classes: expected an integer >= 1"),
    ],
)
def test_encoding_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_one_hot():
    ids = np.array([[2, 0, 1], [1, 1, 3]])
    x = data.one_hot(ids, 4)
    assert x.shape == (2, 3, 4) and x.dtype == np.float64
    for n in range(2):
        for t in range(3):
            want = np.zeros(4)
            want[ids[n, t]] = 1.0
            np.testing.assert_array_equal(x[n, t], want)
    W = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(x @ W, W[ids])  # a one-hot row picks a row of W


# -- windows ---------------------------------------------------------------------------------------


def test_next_step_windows_by_a_loop():
    series = np.arange(100, 120)
    starts = np.array([0, 5, 18 - 4])
    x, y = data.next_step_windows(series, 5, starts)
    assert x.shape == y.shape == (3, 5)
    for n, s in enumerate(starts):
        for t in range(5):
            assert x[n, t] == series[s + t] and y[n, t] == series[s + t + 1]
    x2, _ = data.next_step_windows(np.arange(40.0).reshape(20, 2), 3, [1])  # (L, ...) series
    np.testing.assert_array_equal(x2[0], [[2, 3], [4, 5], [6, 7]])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.arange(5), 5, [0]), r"^series: expected at least T \+ 1 = 6 values"),
        ((np.arange(10), 3, [7]), r"^starts: expected offsets in 0..6"),
        ((np.arange(10), 3, [-1]), r"^starts: expected offsets in 0..6"),
        ((np.arange(10), 0, [0]), r"^T: expected an integer >= 1"),
        ((np.arange(10), 3, [0.5]), r"^starts: expected a 1-d array of integer"),
    ],
)
def test_next_step_windows_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        data.next_step_windows(*args)


def test_random_batches_are_seeded_windows_in_range():
    series = np.arange(50)
    batches = list(data.random_batches(series, 7, 4, steps=100, seed=2))
    assert len(batches) == 100
    for x, y in batches:
        assert x.shape == y.shape == (4, 7)
        np.testing.assert_array_equal(y, x + 1)  # the targets are the next values
        np.testing.assert_array_equal(np.diff(x, axis=1), 1)  # consecutive values
        assert x.min() >= 0 and y.max() <= 49
    again = list(data.random_batches(series, 7, 4, steps=100, seed=2))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(batches, again, strict=True))
    starts = {int(x[n, 0]) for x, _ in batches for n in range(4)}
    assert starts == set(range(0, 43))  # 400 draws reach every offset 0..L-T-1 = 42, no more


def test_random_batches_check_their_arguments_at_the_call():
    with pytest.raises(ValueError, match="^series: expected at least T"):
        data.random_batches(np.arange(5), 5, 2, steps=3)  # no iteration needed
    with pytest.raises(ValueError, match="^N: expected an integer >= 1"):
        data.random_batches(np.arange(50), 5, 0, steps=3)


# -- valid words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("the cat sees a dog.\n", 1.0),
        ("the cxt sees a dog.", 0.8),  # 4 of 5
        ("the cat se", 1.0),  # the cut-off last word is not counted
        ("zz qq.", 0.0),
        ("", 0.0),
        ("...\n", 0.0),
    ],
)
def test_valid_word_fraction(text, want):
    assert data.valid_word_fraction(text) == pytest.approx(want)


def test_valid_word_fraction_with_own_words():
    assert data.valid_word_fraction("ab cd ab.", words={"ab"}) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="^text: expected a str"):
        data.valid_word_fraction(None)


@pytest.mark.parametrize("vocab", [None, 5, ""])
def test_decode_names_a_vocab_that_is_not_a_str(vocab):
    # encode checked vocab, decode did not: len(None) was a TypeError
    with pytest.raises(ValueError, match=r"^vocab: expected a non-empty str of characters"):
        data.decode([0, 1], vocab)


def test_valid_word_fraction_refuses_one_str_of_words():
    # frozenset("cat dog") is a set of letters: no word of the text was in it, and the answer
    # was 0.0 for a text of valid words
    with pytest.raises(ValueError, match=r"^words: expected a collection of words, e\.g\. a list"):
        data.valid_word_fraction("the cat sees a dog.", "the cat sees a dog")
    assert data.valid_word_fraction("the cat sees a dog.", ["the", "cat", "sees", "a"]) == 4 / 5


def test_valid_word_fraction_keeps_the_last_word_when_text_ends_in_another_letter():
    # words are runs of a–z; "T" (or "é") is not one, so "cat" is complete, not cut mid-word:
    # the words are "the", "cat", "dgo", two of three valid. It used to drop "cat" (str.isalpha)
    assert data.valid_word_fraction("the dgo cat T") == pytest.approx(2 / 3)
    assert data.valid_word_fraction("the dgo cat é") == pytest.approx(2 / 3)
    assert data.valid_word_fraction("the dgo ca") == pytest.approx(1 / 2)  # cut mid-word


@pytest.mark.parametrize("every_step", ["no", 0, None])
def test_decaying_sum_task_every_step_is_a_bool(every_step):
    # "no" is truthy: it gave a target at every step, silently
    with pytest.raises(ValueError, match=r"^every_step: expected True or False, got"):
        data.decaying_sum_task(2, 3, every_step=every_step)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: data.next_step_windows(s, 3, [0]),
        lambda s: data.random_batches(s, 3, 2, 1),
        lambda s: data.stream_windows(s, 3, 2),
    ],
    ids=["next_step_windows", "random_batches", "stream_windows"],
)
def test_a_text_for_the_ids_is_named_with_what_to_pass(call):
    """A learner passes the text itself; numpy reads a str as one 0-d value ("got shape ()")."""
    with pytest.raises(
        ValueError, match=r"series: .*got a text; pass its ids, encode\(text, vocab\)"
    ):
        call("the cat sat on the mat.\n")
    with pytest.raises(ValueError, match="series: .*got None"):
        call(None)
    vocab = data.char_vocabulary("the cat sat on the mat.\n")
    ids = data.encode("the cat sat on the mat.\n", vocab)
    out = call(ids)  # the ids themselves are accepted
    inputs, targets = next(out) if not isinstance(out, tuple) else out
    assert inputs.shape[-1] == 3 and np.array_equal(inputs[..., 1:], targets[..., :-1])
