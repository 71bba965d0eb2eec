"""Can every learner read the figures? For each lesson's slider figures (at their starting values
and at the ends of each slider) and for every figure a lesson notebook shows, the series a reader
must tell apart (the ones a legend names) differ in more than hue: a pair of the same kind (two
lines, two bar series) with the same line style, marker and width needs colours at least
``MIN_DELTA_E`` = 10 CIEDE2000 apart in normal vision and under deuteranopia and protanopia
(Machado et al. 2009 at severity 1, in linear RGB); and no text is set below 8 pt.

The colour science is checked against published numbers, not against its own output: CIEDE2000
against Sharma, Wu and Dalal's (2005) test data, the simulation by what a dichromat's matrix must
do (keep white and the greys, merge the red-green confusion line)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from figure_support import (
    CVD_MATRICES,
    MIN_DELTA_E,
    ROOT,
    colour_confusions,
    delta_e2000,
    linear_to_srgb,
    notebook_figures,
    seen_delta_e,
    simulate_cvd,
    small_texts,
)
from matplotlib.colors import to_rgb

from rnnlib import course

matplotlib.use("agg")

VISIONS = ("deuteranopia", "protanopia")


@pytest.mark.parametrize(
    "lab1, lab2, expected",
    [  # pairs 1, 7, 17, 25 and 13 of Sharma, Wu and Dalal (2005), Table 1
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
    ],
)
def test_delta_e2000_matches_sharma_test_data(lab1, lab2, expected):
    assert delta_e2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("vision", VISIONS)
def test_simulation_keeps_greys_and_merges_a_red_green_line(vision):
    """A dichromat has two cone types: the simulation keeps white and the greys and projects
    linear RGB onto a plane, and the direction it loses is a red-green one (red against green,
    next to no blue). Two colours apart along it differ for everyone else and not for them."""
    for grey in (0.0, 0.3, 1.0):
        assert simulate_cvd((grey, grey, grey), vision) == pytest.approx((grey,) * 3, abs=1e-4)
    _, sv, vt = np.linalg.svd(CVD_MATRICES[vision])
    assert sv[-1] < 1e-5 * sv[0]
    lost = vt[-1] / np.abs(vt[-1]).max()
    assert lost[0] * lost[1] < 0 and abs(lost[2]) < 0.05
    grey = np.full(3, 0.2)  # linear RGB
    a, b = (linear_to_srgb(grey + t * 0.15 * lost) for t in (-1, 1))
    assert seen_delta_e(a, b, "normal") > 2 * MIN_DELTA_E
    assert seen_delta_e(a, b, vision) < 1.0
    # the blue and the orange of matplotlib's cycle (a colour-blind-safe pair) stay far apart
    assert seen_delta_e(to_rgb("tab:blue"), to_rgb("tab:orange"), vision) > 4 * MIN_DELTA_E


def test_confusions_found_and_told_apart_by_style():
    """A red and a green line of one style named in a legend are a confusion; a dashed green,
    a green twice as thick, or unlabelled lines (a bundle) are not."""
    from matplotlib.figure import Figure

    def confusions(**green_style):
        fig = Figure()
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], color="#c20028", label="red")
        ax.plot([0, 1], [1, 0], color="#397e00", label="green", **green_style)
        ax.legend()
        return colour_confusions(fig)

    assert [(a, b, v) for _, a, b, v, _ in confusions()] in ([("red", "green", v)] for v in VISIONS)
    assert confusions(ls="--") == []
    assert confusions(lw=3.0) == []
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#c20028")
    ax.plot([0, 1], [1, 0], color="#397e00")
    assert colour_confusions(fig) == []


FACTORIES = [pytest.param(f, id=f"{stage}-{f.__name__}") for stage, f in course.figures()]


@pytest.mark.parametrize("factory", FACTORIES)
def test_slider_figures_readable_without_hue(factory):
    ex = factory()
    ex.png()
    found = {"start": colour_confusions(ex.fig)}
    for name, s in ex.sliders.items():
        for end in (s.min, s.max):
            ex.set(**{name: s.on_grid(end)})
            ex.png()
            found[f"{name} = {end:g}"] = colour_confusions(ex.fig)
        ex.set(**{name: s.value})
    assert {at: pairs for at, pairs in found.items() if pairs} == {}
    assert small_texts(ex.fig) == []


@pytest.mark.parametrize("factory", FACTORIES)
def test_slider_labels_name_the_symbol(factory):
    """Every slider's description (what a screen reader reads) is words, not only a symbol."""
    for name, s in factory().sliders.items():
        assert s.label and sum(ch.isalpha() for ch in s.label) >= 4, (name, s.label)


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + [
    p  # the solutions that draw a figure of their own
    for p in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if "plt.show(" in p.read_text(encoding="utf-8")
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}-{p.name[:2]}")
def test_notebook_figures_readable_without_hue(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    shown = notebook_figures(path)
    assert shown, (
        f"{path.parent.name}/{path.name} shows no figure with plt.show(): every lesson draws at "
        "least one static figure besides its sliders (this test reads those figures)"
    )
    found = {cell: colour_confusions(fig) for cell, fig in shown}
    small = {cell: small_texts(fig) for cell, fig in shown}
    assert {cell: pairs for cell, pairs in found.items() if pairs} == {}
    assert {cell: texts for cell, texts in small.items() if texts} == {}


def test_small_texts_found():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xlim(0, 1)
    ax.text(0.5, 0.5, "tiny", fontsize=6)
    ax.set_title("big enough", fontsize=8)
    fig.canvas.draw()
    assert small_texts(fig) == [(6.0, "tiny")]
    ax.tick_params(labelsize=7)
    assert {text for _, text in small_texts(fig)} >= {"tiny", "0.0", "1.0"}
