"""Data that rnnlib makes itself: a fading-memory task (lesson 05),
a noisy periodic signal and a tiny corpus with its encodings
(lesson 08).

Nothing here reads a file or the network: every series is computed
from a formula or a small grammar with a fixed seed, so each lesson
gets the same data on every machine.

- :func:`decaying_sum_task`   sequences whose target is a decaying
                              sum of their inputs
- :func:`periodic_signal`     two harmonics plus Gaussian noise,
                              for next-value prediction
- :func:`tiny_corpus`         sentences of a 15-word grammar,
                              a few KB, for a character model
- :func:`char_vocabulary`, :func:`encode`, :func:`decode`,
  :func:`one_hot`             character encoding
- :func:`next_step_windows`   input/target windows
                              ``(s[i : i+T], s[i+1 : i+T+1])``
- :func:`random_batches`      a seeded stream of such windows at
                              random offsets, for training
- :func:`valid_word_fraction` how many words of a text are words
                              of the grammar
"""

from __future__ import annotations

import re

import numpy as np

from ._validate import as_count, as_ndarray, as_nonnegative, as_positive, as_scalar

__all__ = [
    "decaying_sum_task",
    "periodic_signal",
    "GRAMMAR",
    "tiny_corpus",
    "corpus_words",
    "char_vocabulary",
    "encode",
    "decode",
    "one_hot",
    "next_step_windows",
    "random_batches",
    "stream_windows",
    "valid_word_fraction",
]


def decaying_sum_task(n=16, T=4, decay=0.5, every_step=False, seed=0):
    """A fading-memory task: the target is the decaying sum of the inputs
    seen so far.

    ``x_(i,t) ~ U(−1, 1)`` and ``y_(i,t) = Σ_(s ≤ t) λ^(t − s) x_(i,s)``
    (λ = ``decay``): the newest input counts most. The linear recurrence
    o_t = x_t + λ o_(t−1) computes it exactly, so the scalar RNN
    o_t = tanh(u x_t + w o_(t−1)), ŷ_t = v o_t of lesson 05 can fit it
    closely with w ≈ λ and u·v ≈ 1 (tanh bends the large values a
    little, so its loss does not reach 0).

    Parameters
    ----------
    n : int ≥ 1, number of sequences
    T : int ≥ 1, sequence length
    decay : float λ in [0, 1], how much of the past each step keeps
    every_step : bool, False: one target per sequence, the last one
        y_T (many-to-one); True: a target at every step (many-to-many)
    seed : int ≥ 0, for ``np.random.default_rng``

    Returns
    -------
    xs : ndarray (n, T)
    ys : ndarray (n,) (many-to-one) or (n, T) (many-to-many)

    Examples
    --------
    T = 4, λ = ½: y = λ³x_1 + λ²x_2 + λx_3 + x_4, the weights
    (0.125, 0.25, 0.5, 1).

    >>> import numpy as np
    >>> from rnnlib.data import decaying_sum_task
    >>> xs, ys = decaying_sum_task(n=16, T=4, decay=0.5)
    >>> print(xs.shape, ys.shape,
    ...       np.allclose(ys, xs @ [0.125, 0.25, 0.5, 1.0]))
    (16, 4) (16,) True
    >>> xs, ys = decaying_sum_task(n=16, T=4, decay=0.5,
    ...                            every_step=True)
    >>> # y_1 = x_1: nothing before it
    >>> print(ys.shape, np.allclose(ys[:, 0], xs[:, 0]))
    (16, 4) True
    """
    n, T = as_count("n", n), as_count("T", T)
    seed = as_count("seed", seed, 0)
    decay = as_scalar("decay", decay)
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay: expected a number in [0, 1], got {decay}")
    if not isinstance(every_step, bool | np.bool_):  # "no" or "False" would count as True
        raise ValueError(f"every_step: expected True or False, got {every_step!r}")
    xs = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, T))
    ys = np.empty_like(xs)
    acc = np.zeros(n)
    for t in range(T):
        acc = decay * acc + xs[:, t]  # y_t = x_t + λ y_(t−1)
        ys[:, t] = acc
    return xs, (ys if every_step else ys[:, -1].copy())


def periodic_signal(length=400, period=25.0, noise=0.1, seed=0):
    """A periodic signal with two harmonics, observed with Gaussian noise.

    ``s_t = sin(2π t / P) + ½ sin(4π t / P + 1)``,  ``y_t = s_t + ε_t``,
    ``ε_t ~ N(0, σ²)``, for t = 0..length−1. The clean ``s`` is what a
    perfect predictor would track; the noisy ``y`` is what a model sees
    and is trained on.

    Parameters
    ----------
    length : int ≥ 2, number of samples
    period : float P > 0, in samples
    noise : float σ ≥ 0, the noise standard deviation
    seed : int ≥ 0, for ``np.random.default_rng``

    Returns
    -------
    clean : ndarray (length,), the signal s
    noisy : ndarray (length,), the observations y = s + ε

    Examples
    --------
    P = 4, so 2πt/P = πt/2 and 4πt/P = πt; sin 1 = 0.84147:
    s_0 = ½ sin 1, s_1 = 1 + ½ sin(π + 1) = 1 − ½ sin 1, s_2 = s_0,
    s_3 = −1 − ½ sin 1.

    >>> import numpy as np
    >>> from rnnlib.data import periodic_signal
    >>> clean, noisy = periodic_signal(length=4, period=4.0, noise=0.0)
    >>> print(np.round(clean, 4),
    ...       (noisy == clean).all())  # σ = 0: no noise
    [ 0.4207  0.5793  0.4207 -1.4207] True
    >>> clean, noisy = periodic_signal(length=400, noise=0.1)
    >>> # the noise has σ = 0.1
    >>> print(round(float(np.std(noisy - clean)), 2))
    0.1
    """
    length = as_count("length", length, 2)
    seed = as_count("seed", seed, 0)
    period = as_positive("period", period, "number of samples")
    noise = as_nonnegative("noise", noise, "standard deviation")
    t = np.arange(length)
    clean = np.sin(2 * np.pi * t / period) + 0.5 * np.sin(4 * np.pi * t / period + 1.0)
    noisy = clean + noise * np.random.default_rng(seed).normal(size=length)
    return clean, noisy


#: The grammar of :func:`tiny_corpus`: a sentence is ``det [adj] noun verb det [adj] noun .``
GRAMMAR = {
    "det": ("the", "a"),
    "adj": ("small", "red", "big", "happy"),
    "noun": ("cat", "dog", "bird", "fox", "fish"),
    "verb": ("sees", "likes", "chases", "finds"),
}


def corpus_words():
    """The set of every word :func:`tiny_corpus` can produce.

    Returns
    -------
    words : frozenset of str, the 15 words of :data:`GRAMMAR`

    Examples
    --------
    >>> from rnnlib.data import corpus_words
    >>> words = corpus_words()
    >>> print(len(words),  # 2 + 4 + 5 + 4 words of GRAMMAR
    ...       "fox" in words, "foxes" in words)
    15 True False
    """
    return frozenset(w for words in GRAMMAR.values() for w in words)


def _noun_phrase(rng):
    det = GRAMMAR["det"][rng.integers(len(GRAMMAR["det"]))]
    noun = GRAMMAR["noun"][rng.integers(len(GRAMMAR["noun"]))]
    if rng.random() < 0.5:
        adj = GRAMMAR["adj"][rng.integers(len(GRAMMAR["adj"]))]
        return f"{det} {adj} {noun}"
    return f"{det} {noun}"


def tiny_corpus(n_sentences=160, seed=0):
    """Sentences from :data:`GRAMMAR`, one a line,
    e.g. ``"the red fox sees a cat."``.

    About 25 characters a sentence, so the default is about 4 KB of text
    with fewer than 30 distinct characters: small enough that a
    character model with a few dozen hidden units learns its words in a
    few hundred steps.

    Parameters
    ----------
    n_sentences : int ≥ 1
    seed : int ≥ 0, for ``np.random.default_rng``

    Returns
    -------
    text : str, sentences each ending in ``".\\n"``

    Examples
    --------
    A sentence is ``det [adj] noun verb det [adj] noun.``:
    5 to 7 words, all of the grammar's.

    >>> from rnnlib.data import tiny_corpus, valid_word_fraction
    >>> text = tiny_corpus(n_sentences=3)
    >>> lines = text.splitlines()
    >>> print(len(lines), all(line.endswith(".")
    ...                       and 5 <= len(line.split()) <= 7
    ...                       for line in lines))
    3 True
    >>> print(valid_word_fraction(text))
    1.0
    """
    n_sentences = as_count("n_sentences", n_sentences)
    seed = as_count("seed", seed, 0)
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n_sentences):
        verb = GRAMMAR["verb"][rng.integers(len(GRAMMAR["verb"]))]
        lines.append(f"{_noun_phrase(rng)} {verb} {_noun_phrase(rng)}.\n")
    return "".join(lines)


def char_vocabulary(text):
    """The sorted distinct characters of ``text``, as one string;
    its index is the class id.

    Parameters
    ----------
    text : str, non-empty

    Returns
    -------
    vocab : str of C ≥ 1 distinct characters, in code-point order;
        ``vocab[c]`` is class c

    Examples
    --------
    >>> from rnnlib.data import char_vocabulary
    >>> print(repr(char_vocabulary("hello")))  # e, h, l, o: 'l' once
    'ehlo'
    >>> # '\\n' (10) < ' ' (32) < '.' (46) < letters
    >>> print(repr(char_vocabulary("a cat.\\n")))
    '\\n .act'
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"text: expected a non-empty str, got {type(text).__name__} {text!r:.40}")
    return "".join(sorted(set(text)))


def encode(text, vocab):
    """Class ids of the characters of ``text``:
    ``ids[i] = vocab.index(text[i])``, int64 (len,).

    Parameters
    ----------
    text : str, possibly empty, of characters of ``vocab`` only
    vocab : str, non-empty, of distinct characters
        (e.g. from :func:`char_vocabulary`)

    Returns
    -------
    ids : int64 ndarray (len(text),), each in 0..C−1 with C = len(vocab)

    Examples
    --------
    >>> from rnnlib.data import decode, encode
    >>> ids = encode("hello", "ehlo")
    >>> print(ids,  # e → 0, h → 1, l → 2, o → 3;
    ...       decode(ids, "ehlo"))  # and back
    [1 0 2 2 3] hello
    """
    if not isinstance(text, str):
        raise ValueError(f"text: expected a str, got {type(text).__name__}")
    if not isinstance(vocab, str) or not vocab:
        raise ValueError(f"vocab: expected a non-empty str of characters, got {vocab!r:.40}")
    repeated = sorted({c for c in vocab if vocab.count(c) > 1})
    if repeated:  # a character's id would be ambiguous
        raise ValueError(
            f"vocab: expected distinct characters, got {''.join(repeated)!r} more than once "
            f"in {vocab!r:.40}"
        )
    index = {c: i for i, c in enumerate(vocab)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ValueError(
            f"text: expected only characters of vocab {vocab!r}, got {''.join(unknown)!r}"
        )
    return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))


def decode(ids, vocab):
    """The text of class ids: ``"".join(vocab[i] for i in ids)``.

    Parameters
    ----------
    ids : 1-d int array (len,), possibly empty, each in 0..C−1
        with C = len(vocab)
    vocab : str, non-empty (e.g. from :func:`char_vocabulary`)

    Returns
    -------
    text : str of len(ids) characters

    Examples
    --------
    >>> from rnnlib.data import char_vocabulary, decode, encode
    >>> # vocab[1], vocab[3], vocab[2], vocab[0]
    >>> print(decode([1, 3, 2, 0], "ehlo"))
    hole
    >>> text = "the cat sees a dog."
    >>> vocab = char_vocabulary(text)
    >>> print(decode(encode(text, vocab), vocab) == text)
    True
    """
    if not isinstance(vocab, str) or not vocab:
        raise ValueError(f"vocab: expected a non-empty str of characters, got {vocab!r:.40}")
    ids = as_ndarray("ids", ids, "a 1-d array of integer class ids")
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise ValueError(
            f"ids: expected a 1-d array of integer class ids, got {ids.dtype} {ids.shape}"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= len(vocab)):
        raise ValueError(
            f"ids: expected values in 0..{len(vocab) - 1} (the vocab), got {ids.min()}..{ids.max()}"
        )
    return "".join(vocab[i] for i in ids)


def one_hot(ids, n_classes):
    """``X[..., c] = 1`` where ``ids[...] == c``, else 0: shape
    ``ids.shape + (C,)``, float64.

    Multiplying a one-hot row by ``Wx`` (C, H) picks row ``c`` of
    ``Wx``: the RNN's input layer on characters is a table look-up.

    Parameters
    ----------
    ids : int array of any shape (...), e.g. (N, T), each in 0..C−1
    n_classes : int C ≥ 1, the number of classes
        (the size of the vocabulary)

    Returns
    -------
    X : float64 ndarray (..., C), ``ids.shape + (C,)``,
        one 1 in each row of C

    Examples
    --------
    >>> import numpy as np
    >>> from rnnlib.data import one_hot
    >>> X = one_hot([2, 0], 3)
    >>> print(X, X.sum(axis=-1))  # one 1 a row: every row sums to 1
    [[0. 0. 1.]
     [1. 0. 0.]] [1. 1.]
    >>> Wx = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> print(X @ Wx)  # rows 2 and 0 of Wx
    [[5. 6.]
     [1. 2.]]
    >>> ids = np.zeros((2, 3), dtype=int)
    >>> print(one_hot(ids, 4).shape)  # ids (N, T) → (N, T, C)
    (2, 3, 4)
    """
    n_classes = as_count("n_classes", n_classes)
    ids = as_ndarray("ids", ids, "integer class ids")
    if ids.size and ids.dtype.kind not in "iu":
        raise ValueError(f"ids: expected integer class ids, got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= n_classes):
        raise ValueError(
            f"ids: expected values in 0..{n_classes - 1}, got {ids.min()}..{ids.max()}"
        )
    out = np.zeros((*ids.shape, n_classes))
    np.put_along_axis(out, ids[..., None].astype(np.intp), 1.0, axis=-1)
    return out


def _series(series):
    """``series`` as an array; a text or None is named
    (a str is a 0-d array to numpy)."""
    if series is None or isinstance(series, str | bytes):
        raise ValueError(
            "series: expected an array of values or of character ids, got "
            + ("None" if series is None else "a text; pass its ids, encode(text, vocab)")
        )
    return as_ndarray("series", series, "an array of values or of character ids")


def next_step_windows(series, T, starts):
    """Inputs and next-step targets cut from one long series.

    ``inputs[n] = series[s_n : s_n + T]`` and
    ``targets[n] = series[s_n + 1 : s_n + T + 1]``: at every position t
    the target is the value that comes next.

    Parameters
    ----------
    series : ndarray (L, ...) (a signal, or character ids)
    T : int ≥ 1, the window length
    starts : int array (N,), each in 0..L−T−1

    Returns
    -------
    inputs, targets : ndarrays (N, T, ...), of the dtype of ``series``

    Examples
    --------
    On the series 0, 1, ..., 9 a value is its position, so each window
    can be read by hand (T = 3; the last start allowed is
    L − T − 1 = 10 − 3 − 1 = 6):

    >>> import numpy as np
    >>> from rnnlib.data import next_step_windows
    >>> inputs, targets = next_step_windows(np.arange(10), T=3,
    ...                                     starts=[0, 5])
    >>> print(inputs)
    [[0 1 2]
     [5 6 7]]
    >>> print(targets)  # one step later
    [[1 2 3]
     [6 7 8]]
    """
    series = _series(series)
    T = as_count("T", T)
    starts = as_ndarray("starts", starts, "a 1-d array of integer offsets")
    L = series.shape[0] if series.ndim else 0
    if series.ndim < 1 or L < T + 1:
        raise ValueError(
            f"series: expected at least T + 1 = {T + 1} values, got shape {series.shape}"
        )
    if starts.ndim != 1 or (starts.size and starts.dtype.kind not in "iu"):
        raise ValueError(
            f"starts: expected a 1-d array of integer offsets, got {starts.dtype} {starts.shape}"
        )
    if starts.size and (starts.min() < 0 or starts.max() > L - T - 1):
        raise ValueError(
            f"starts: expected offsets in 0..{L - T - 1} (L − T − 1), "
            f"got {starts.min()}..{starts.max()}"
        )
    idx = starts[:, None] + np.arange(T)
    return series[idx], series[idx + 1]


def random_batches(series, T, N, steps, seed=0):
    """``steps`` batches of :func:`next_step_windows` at random
    offsets, seeded.

    Every batch draws N offsets uniformly from 0..L−T−1 with
    ``np.random.default_rng(seed)``, so the same arguments give the same
    stream.

    Parameters
    ----------
    series : ndarray (L, ...), L ≥ T + 1 (a signal, or character ids)
    T : int ≥ 1, the window length
    N : int ≥ 1, the number of windows in a batch
    steps : int ≥ 0, the number of batches
    seed : int ≥ 0, for ``np.random.default_rng``

    Returns
    -------
    batches : iterator of ``(inputs, targets)``, ndarrays (N, T, ...);
        bad arguments raise ``ValueError`` at the call, not at the
        first batch

    Examples
    --------
    On the series 0, 1, ..., 9 every window is consecutive and its
    target is one more:

    >>> import numpy as np
    >>> from rnnlib.data import random_batches
    >>> batches = list(random_batches(np.arange(10), T=3, N=2,
    ...                               steps=4, seed=0))
    >>> print(len(batches),  # steps;
    ...       batches[0][0].shape, batches[0][1].shape)  # (N, T) twice
    4 (2, 3) (2, 3)
    >>> print(all((np.diff(x) == 1).all() and (y == x + 1).all()
    ...           for x, y in batches))
    True
    """
    series = _series(series)
    T, N = as_count("T", T), as_count("N", N)
    steps = as_count("steps", steps, 0)
    seed = as_count("seed", seed, 0)
    L = series.shape[0] if series.ndim else 0
    if L < T + 1:
        raise ValueError(
            f"series: expected at least T + 1 = {T + 1} values, got shape {series.shape}"
        )
    rng = np.random.default_rng(seed)
    # Checked above, eagerly; the generator below only draws and cuts.
    return (next_step_windows(series, T, rng.integers(0, L - T, size=N)) for _ in range(steps))


def stream_windows(series, T, N):
    """Consecutive windows of N parallel streams: the data layout of
    stateful (chunked) TBPTT.

    The series is cut into N streams of equal length S = (L − 1) // N,
    stream n starting at ``n·S``; window k holds positions
    ``k·T .. k·T + T − 1`` of every stream, so window k + 1 of a stream
    continues exactly where window k ended (a hidden state carried from
    one window to the next is the state of the text that comes right
    before). Targets are the next values::

        inputs[k, n]  = series[n·S + k·T : n·S + (k + 1)·T]
        targets[k, n] = series[n·S + k·T + 1 : n·S + (k + 1)·T + 1]

    Parameters
    ----------
    series : ndarray (L, ...) (a signal, or character ids)
    T : int ≥ 1, the window length
    N : int ≥ 1, the number of parallel streams

    Returns
    -------
    inputs, targets : ndarrays (K, N, T, ...) with K = S // T windows
        (the tail that does not fill a window is dropped)

    Examples
    --------
    L = 13, N = 2: S = (13 − 1) // 2 = 6, stream 0 starts at 0 and
    stream 1 at 6; T = 3 gives K = 6 // 3 = 2 windows.

    >>> import numpy as np
    >>> from rnnlib.data import stream_windows
    >>> inputs, targets = stream_windows(np.arange(13), T=3, N=2)
    >>> print(inputs.shape,  # (K, N, T);
    ...       (targets == inputs + 1).all())  # the next values
    (2, 2, 3) True
    >>> # stream 0, windows 0 and 1: the second continues the first
    >>> print(inputs[:, 0])
    [[0 1 2]
     [3 4 5]]
    >>> print(inputs[:, 1])  # stream 1
    [[ 6  7  8]
     [ 9 10 11]]
    """
    series = _series(series)
    T, N = as_count("T", T), as_count("N", N)
    L = series.shape[0] if series.ndim else 0
    if L < N * T + 1:
        raise ValueError(
            f"series: expected at least N·T + 1 = {N * T + 1} values for {N} streams of one "
            f"window of T = {T}, got shape {series.shape}"
        )
    S = (L - 1) // N
    K = S // T
    idx = (np.arange(N) * S)[None, :, None] + (np.arange(K) * T)[:, None, None] + np.arange(T)
    return series[idx], series[idx + 1]


_WORD = re.compile(r"[a-z]+")


def valid_word_fraction(text, words=None):
    """The fraction of the words of ``text`` that are in ``words``
    (default: the grammar's).

    A word is a run of letters a–z. The last one is left out when
    ``text`` ends in a letter a–z (a sample cut mid-word is not counted
    as a mistake). Returns 0.0 when there is no word. ``words`` is a
    collection of str (a list, a set), not one str.

    Parameters
    ----------
    text : str, e.g. a sample of a character model
    words : collection of str, optional (default: :func:`corpus_words`)

    Returns
    -------
    float in [0, 1], the words of ``text`` found in ``words``
        over the words counted

    Examples
    --------
    >>> from rnnlib.data import valid_word_fraction
    >>> # 4 of 5 words
    >>> print(valid_word_fraction("the cat sees a dgo."))
    0.8
    >>> # "se", cut mid-word, is left out: 2 of 2
    >>> print(valid_word_fraction("the cat se"))
    1.0
    >>> print(valid_word_fraction("one two three four.",
    ...                           words=["one", "two"]))  # 2 of 4
    0.5
    """
    if not isinstance(text, str):
        raise ValueError(f"text: expected a str, got {type(text).__name__}")
    if isinstance(words, str):  # frozenset("the cat") would be its letters
        raise ValueError(
            f"words: expected a collection of words, e.g. a list, got the str {words!r:.40}"
        )
    if words is None:
        words = corpus_words()
    else:
        try:
            words = frozenset(words)
        except TypeError:  # 5, or a list of lists
            raise ValueError(
                f"words: expected a collection of words (str), e.g. a list, got {words!r:.40}"
            ) from None
    found = _WORD.findall(text)
    if found and _WORD.fullmatch(text[-1]):
        found = found[:-1]
    if not found:
        return 0.0
    return sum(w in words for w in found) / len(found)
