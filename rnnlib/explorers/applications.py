"""Lesson 08's sliders: sampling temperature and length for the character-level language model.

The model's next-character distribution after a prompt is ``p_τ = softmax(z / τ)``; a sample is
drawn one character at a time from it (:func:`rnnlib.models.sample`), seeded, so the same slider
values always give the same text and a shorter sample is the start of a longer one. The figure
shows the distributions (drawing 300 characters of text in matplotlib would cost ~50 ms a move);
the sample itself is in the readout under it.
"""

from __future__ import annotations

import html
import textwrap
from functools import lru_cache

import numpy as np

from ..data import decode, encode, tiny_corpus, valid_word_fraction
from ..explorer import Explorer, Slider, freeze_static, new_figure
from ..models import next_distribution, sample, train_char_model
from . import register

__all__ = ["sampling_explorer", "show_char"]

WIDTH = 70  # characters a line in the text panel


def show_char(c):
    """A printable stand-in for a character: ``'␣'`` for a space, ``'↵'`` for a newline."""
    return {" ": "␣", "\n": "↵"}.get(c, c)


@lru_cache(maxsize=1)
def _default_model():
    params, vocab, _ = train_char_model()
    return params, vocab


@register("08")
def sampling_explorer(
    params=None, vocab=None, corpus=None, prompt="the ", temperature=1.0, length=120, seed=0
):
    """Sampled text and the next-character distribution; sliders ``temperature`` and ``length``.

    Parameters
    ----------
    params, vocab : a trained character model and its characters (default: the model of
        :func:`rnnlib.models.train_char_model`, trained once and kept)
    corpus : str, the text the model learnt from (default: :func:`rnnlib.data.tiny_corpus`)
    prompt : str, the text the samples continue
    temperature, length : the sliders' start values
    seed : int, the sampling seed

    Top: ``p`` at the slider's τ (bars) and at τ = 1 (dashed). Bottom: how often each character
    occurs in the sample (bars) and in the corpus (dashed). The sample is in the readout.

    ``state``: ``temperature``, ``length``, ``text`` (the sample), ``p`` (C,) the
    next-character distribution after the prompt at this temperature, ``freq`` (C,) the
    characters' frequencies in the sample, ``entropy`` of ``p`` in nats, ``valid_words``
    (:func:`rnnlib.data.valid_word_fraction` of the sample).
    """
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
    ax, ax2 = fig.subplots(2, 1, sharex=True)
    xs = np.arange(C)
    bars = ax.bar(xs, np.zeros(C), color="C0", label="at this τ")
    (ref1,) = ax.step(xs, p1, where="mid", color="k", lw=0.8, ls="--", label="τ = 1")
    ax.set_ylim(0, 1.0)
    ax.set_yticks([0, 0.5, 1])
    ax.set_ylabel("p(next)")
    ax.set_title(
        f"the model's next-character distribution after {prompt!r}", fontsize=10, loc="left"
    )
    ax.legend(loc="upper right", fontsize=8)
    bars2 = ax2.bar(xs, np.zeros(C), color="C1", label="in the sample")
    (ref2,) = ax2.step(
        xs, corpus_freq, where="mid", color="k", lw=0.8, ls="--", label="in the corpus"
    )
    ax2.set_ylim(0, 0.5)
    ax2.set_yticks([0, 0.25, 0.5])
    ax2.set_ylabel("frequency")
    ax2.set_title("how often each character occurs", fontsize=10, loc="left")
    ax2.legend(loc="upper right", fontsize=8)
    ax2.set_xticks(xs, [show_char(c) for c in vocab], family="monospace")
    ax2.set_xlim(-0.6, C - 0.4)

    def update(temperature, length):
        length = int(length)
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
