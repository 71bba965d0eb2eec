"""The slider harness: :class:`rnnlib.course.sliders.Explorer`, and every lesson's slider figure.

Each lesson tests its own figure's numbers (``tests/test_lessonNN.py``); this file checks what
every figure owes the harness, for every factory in every lesson module's ``FIGURES``
(``rnnlib.course.figures()``):
it builds with no argument, each slider moved by ``ex.step`` changes the state or the picture, the
numbers stay finite over each slider's whole range, the figure and its artists are never rebuilt,
an update takes under 100 ms, and an unknown slider name is a ValueError.
"""

from __future__ import annotations

import math
from pathlib import Path

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import ConstrainedLayoutEngine

from rnnlib import course
from rnnlib.course import lesson00, lesson01, lesson02, lesson03, lesson04
from rnnlib.course.checking import TEXT_WIDTH
from rnnlib.course.sliders import Explorer, Slider, new_figure, signed

REPO = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# a tiny explorer, built here, for the framework's own behaviour


def tiny(readout=True, **slider_overrides):
    """y = tanh(w·x + b) over a grid, with sliders w (float) and n (integer, the marker size)."""
    fig = new_figure(figsize=(4, 2))
    ax = fig.add_subplot()
    xs = np.linspace(-2, 2, 41)
    (line,) = ax.plot(xs, np.tanh(xs))
    (dot,) = ax.plot([0.5], [np.tanh(0.5)], "o")
    ax.set_ylim(-1.1, 1.1)
    calls = []

    def update(w, n):
        calls.append((w, n))
        line.set_ydata(np.tanh(w * xs))
        dot.set_data([0.5], [np.tanh(w * 0.5)])
        dot.set_markersize(n)
        return {"w": w, "n": n, "y_half": float(np.tanh(w * 0.5))}

    sliders = {
        "w": Slider(-2.0, 2.0, 0.1, 1.0, label="weight w"),
        "n": Slider(2, 12, 1, 6, integer=True),
        **slider_overrides,
    }
    ex = Explorer(
        fig, update, sliders, (lambda s: f"y(0.5) = {s['y_half']:.3f}") if readout else None
    )
    return ex, calls


def test_new_figure_is_outside_pyplot_with_its_own_agg_canvas():
    before = plt.get_fignums()
    fig = new_figure(figsize=(3, 2), dpi=50)
    assert plt.get_fignums() == before  # pyplot does not know it: no stray inline display
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert tuple(fig.get_size_inches()) == (3, 2) and fig.dpi == 50


def test_construction_calls_update_once_at_the_slider_defaults():
    ex, calls = tiny()
    assert calls == [(1.0, 6)]
    assert ex.values == {"w": 1.0, "n": 6}
    assert ex.state["y_half"] == pytest.approx(math.tanh(0.5))
    assert ex.readout() == f"y(0.5) = {math.tanh(0.5):.3f}"
    # the layout is computed once, then frozen: moving sliders never re-runs it
    assert not isinstance(ex.fig.get_layout_engine(), ConstrainedLayoutEngine)


@pytest.mark.parametrize(
    "slider, said",
    [
        (
            Slider(-2.0, 2.0, 0.1, 2.5),
            r"w: expected a starting value within .* \[-2, 2\], got 2\.5",
        ),
        (
            Slider(1.0, 1.0, 0.1, 1.0),
            r"w: expected a slider range with min < max, got \[1\.0, 1\.0\]",
        ),
    ],
)
def test_a_start_outside_the_slider_range_is_named(slider, said):
    # a FloatSlider clamps such a start to its range: the picture and the slider would disagree
    with pytest.raises(ValueError, match=said):
        tiny(w=slider)


@pytest.mark.parametrize(
    "make, said",
    [
        (lambda: lesson00.forward_explorer(u=10.0), r"u: expected a starting value .*got 10"),
        (lambda: lesson01.loss_explorer(y_hat=3.5), r"y_hat: expected a starting value"),
        (lambda: lesson03.last_step_explorer(w_range=(-0.5, 0.5)), r"w: expected a starting"),
        (lambda: lesson04.through_time_explorer(u=2.0), r"u: expected a starting value"),
    ],
)
def test_lesson_explorers_refuse_a_start_their_slider_cannot_show(make, said):
    with pytest.raises(ValueError, match=said):
        make()


@pytest.mark.parametrize(
    "make, said",
    [
        # each used to fail inside Python or matplotlib without naming the argument
        (lambda: lesson03.last_step_explorer(w_range=(2.0,)), r"^w_range: expected \(low, high\)"),
        (lambda: lesson04.through_time_explorer(w_range=None), r"^w_range: expected .*got None"),
        (lambda: lesson04.through_time_explorer(w_range=(-np.inf, 1)), r"^w_range: .*two finite"),
        (lambda: lesson04.through_time_explorer(u_range="12"), r"^u_range: expected .*got '12'"),
        (lambda: lesson02.output_weight_explorer(v_range=(1.0,)), r"^v_range: expected \(low"),
        (lambda: lesson02.output_weight_explorer(lr_range=(0.1, 1, 2)), r"^lr_range: expected"),
        (lambda: lesson02.output_weight_explorer(lr="a"), r"^lr: expected a real number"),
        (lambda: lesson03.last_step_explorer(w="a"), r"^w: expected a real number"),
        (lambda: lesson04.through_time_explorer(u="a"), r"^u: expected a real number"),
    ],
)
def test_lesson_explorers_name_a_bad_range_or_start(make, said):
    with pytest.raises(ValueError, match=said):
        make()


def test_set_changes_only_the_given_values():
    ex, calls = tiny()
    s = ex.set(w=-0.4)
    assert calls[-1] == (-0.4, 6)
    assert s is ex.state and s["y_half"] == pytest.approx(math.tanh(-0.2))
    ex.set(n=9)
    assert calls[-1] == (-0.4, 9)


def test_unknown_slider_name_is_a_value_error_and_changes_nothing():
    ex, calls = tiny()
    state = dict(ex.state)
    with pytest.raises(ValueError, match=r"values: expected names among \['n', 'w'\].*'v'"):
        ex.step(v=0.3)
    with pytest.raises(ValueError, match="values"):
        ex.set(w=0.2, bogus=1)
    assert ex.state == state and ex.values == {"w": 1.0, "n": 6} and len(calls) == 1


def test_a_value_the_update_refuses_is_not_kept():
    fig = new_figure(figsize=(3, 2))
    fig.subplots()

    def update(lr):
        if lr <= 0:
            raise ValueError(f"lr: expected a positive learning rate, got {lr}")
        return {"lr": lr}

    ex = Explorer(fig, update, {"lr": Slider(0.1, 2.0, 0.1, 1.0)})
    with pytest.raises(ValueError, match="^lr: expected a positive"):
        ex.step(lr=-1.0)
    assert ex.values == {"lr": 1.0} and ex.state == {"lr": 1.0}  # still the last good values
    assert ex.step(lr=0.5) == {"lr": 0.5}  # and the next good move works


def test_step_redraws_and_times_itself():
    ex, _ = tiny()
    png0 = ex.png()
    assert png0.startswith(PNG_SIGNATURE)
    assert ex.png() == png0  # rendering is deterministic: equal pictures mean equal figures
    s = ex.step(w=0.3)
    assert s["y_half"] == pytest.approx(math.tanh(0.15))
    assert ex.png() != png0
    assert 0.0 < ex.last_update_seconds < 5.0


def test_widget_sliders_drive_the_image_and_the_readout():
    ex, calls = tiny()
    box = ex.widget()
    assert "rnnlib-explorer" in box._dom_classes
    controls, image, html = box.children[0].children, box.children[1], box.children[2]
    assert [type(c) for c in controls] == [W.FloatSlider, W.IntSlider]
    w, n = controls
    assert (w.min, w.max, w.step, w.value, w.description) == (-2.0, 2.0, 0.1, 1.0, "weight w")
    assert (n.min, n.max, n.step, n.value, n.description) == (2, 12, 1, 6, "n")
    assert "rnnlib-readout" in html._dom_classes
    assert image.value == ex.png()

    w.value = -1.5  # what a learner's drag does: the widget calls step()
    assert calls[-1] == (-1.5, 6)
    assert ex.state["y_half"] == pytest.approx(math.tanh(-0.75))
    assert image.value == ex.png()
    assert html.value == f"y(0.5) = {math.tanh(-0.75):.3f}"
    png = image.value
    n.value = 11
    assert calls[-1] == (-1.5, 11) and image.value != png


def test_sliders_keep_long_tracks_however_many_there_are():
    """Every slider is 360 px wide, two to a row: lesson 00's seven too. Three to a row (272 px
    each) would leave "recurrent weight w" a track of about 70 px for its 121 positions, less
    than a pixel a position; lesson 00's explorer fits a laptop screen by its figure's height
    instead (tests/test_browser.py::test_every_explorer_fits_a_laptop_screen)."""
    for ex in (lesson00.forward_explorer(), tiny()[0]):
        widths = {s.layout.width for s in ex.widget().children[0].children}
        assert widths == {"360px"}, widths


def test_a_drag_lands_on_the_slider_grid_without_round_off():
    """The browser computes min + k·step in floating point: -2.0 + 34·0.1 is
    1.4000000000000004, not 1.4. The widget's value reaches the update as the grid's float."""
    ex, calls = tiny()
    w = ex.widget().children[0].children[0]
    noisy = -2.0 + 34 * 0.1
    assert noisy != 1.4  # the round-off this test is about
    w.value = noisy
    assert calls[-1] == (1.4, 6)
    w.value = 2.0 - 1e-15  # within a hair of the top: the top itself, not beyond it
    assert calls[-1] == (2.0, 6)
    s = Slider(0.02, 1.0, 0.02, 0.5)
    assert [s.on_grid(0.02 * k) for k in (1, 3, 7, 50)] == [0.02, 0.06, 0.14, 1.0]
    assert Slider(2, 12, 1, 6, integer=True).on_grid(7.0000001) == 7


@pytest.mark.parametrize(
    "x, decimals, printed",
    [
        (-0.0002, 3, "+0.000"),
        (-0.0, 4, "+0.0000"),
        (-0.0005001, 3, "-0.001"),
        (0.12345, 2, "+0.12"),
        (-1.5, 1, "-1.5"),
        (np.float64(-1e-9), 4, "+0.0000"),
        (3, 2, "+3.00"),
    ],
)
def test_signed_prints_no_negative_zero(x, decimals, printed):
    assert signed(x, decimals) == printed


def test_lesson01_at_y_hat_equal_to_y_from_a_drag_says_stay():
    """ŷ = -2.0 + 340·0.01 and y = -1.0 + 48·0.05 both print as +1.40 but differ in the last
    bit; dragged there, the readout says ŷ − y = +0.0000 and "stay", not "increase ŷ"."""
    ex = lesson01.loss_explorer()
    y_hat, y = ex.widget().children[0].children
    y_hat.value, y.value = -2.0 + 340 * 0.01, -1.0 + 48 * 0.05
    assert -2.0 + 340 * 0.01 != -1.0 + 48 * 0.05  # the round-off this test is about
    assert ex.state["slope"] == 0.0
    assert "stay" in ex.readout() and "+0.0000" in ex.readout() and "-0.0000" not in ex.readout()


def test_show_displays_static_picture_then_readout_then_widget(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    ex, _ = tiny()
    ex.show()
    assert [type(o).__name__ for o in shown] == ["Image", "HTML", "ExplorerBox"]
    assert isinstance(shown[2], W.VBox)
    assert shown[0].data == ex.png()
    assert shown[1].data == ex.readout()

    shown.clear()
    ex, _ = tiny(readout=False)
    ex.show()
    assert [type(o).__name__ for o in shown] == ["Image", "ExplorerBox"]


def test_widget_text_form_is_a_sentence_naming_the_sliders():
    """Without a kernel a viewer shows text/plain: a sentence, not the widget tree."""
    ex, _ = tiny()
    box = ex.widget()
    bundle = box._repr_mimebundle_()
    # wrapped at a space before column 72 (TEXT_WIDTH): JupyterLab would break the line inside a
    # word
    assert TEXT_WIDTH == 72
    expected = (
        "Interactive figure with sliders for weight w and n (run the notebook to\n"
        "move them; the picture above is at the starting values)"
    )
    assert bundle["text/plain"] == expected == repr(box)
    assert "application/vnd.jupyter.widget-view+json" in bundle  # still a live widget
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == box.model_id
    assert "VBox(" in repr(W.VBox())  # what a plain box would have shown
    # IPython's formatter (what a notebook stores) gives the same bundle
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(box)
    assert data["text/plain"] == expected
    # one slider: singular
    fig = new_figure(figsize=(2, 1))
    fig.add_subplot()
    one = Explorer(fig, lambda w: {"w": w}, {"w": Slider(0.0, 1.0, 0.1, 0.5, "weight w")})
    assert (
        one.plain_text()
        .replace("\n", " ")
        .startswith("Interactive figure with a slider for weight w (run the notebook to move it;")
    )


def test_widget_text_form_lines_fit_the_notebook_whatever_the_labels():
    """The text form is wrapped at spaces, never inside a word, to at most TEXT_WIDTH (72)
    characters a line; a label longer than a line stays whole on a line of its own."""
    fig = new_figure(figsize=(2, 1))
    fig.add_subplot()
    long_label = "x" * (TEXT_WIDTH + 7)
    labels = ["recurrent weight w", "input weight u", "learning rate η", long_label]
    sliders = {f"s{i}": Slider(0.0, 1.0, 0.1, 0.5, lab) for i, lab in enumerate(labels)}
    text = Explorer(fig, lambda **v: v, sliders).plain_text()
    lines = text.split("\n")
    assert len(lines) >= 3
    assert long_label in lines  # not cut
    assert all(len(line) <= TEXT_WIDTH for line in lines if line != long_label), lines
    assert " ".join(lines).startswith(
        "Interactive figure with sliders for recurrent weight w, input weight u, learning rate η"
    )


# ---------------------------------------------------------------------------------------------
# every lesson's slider figure


def _factories():
    return [pytest.param(stage, f, id=f"{stage}-{f.__name__}") for stage, f in course.figures()]


FACTORIES = _factories()


def _artists(fig):
    """Every artist the figure holds, by identity: axes, their children, the figure's own."""
    out = [("fig", id(fig))]
    for i, ax in enumerate(fig.axes):
        out.append((f"ax{i}", id(ax)))
        out += [(f"ax{i}", id(a)) for a in ax.get_children()]
    out += [("figure", id(a)) for a in fig.get_children()]
    return out


def _same_state(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same_state(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _non_finite(state, prefix=""):
    bad = []
    items = state.items() if isinstance(state, dict) else enumerate(state)
    for k, v in items:
        name = f"{prefix}{k}"
        if isinstance(v, dict | list | tuple):
            bad += _non_finite(v, f"{name}.")
        elif isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.number):
            if not np.all(np.isfinite(v)):
                bad.append(name)
        elif isinstance(v, float | np.floating) and not math.isfinite(v):
            bad.append(name)
    return bad


def _one_step_away(s: Slider):
    """A value one slider step from the default, inside the range (down at the top end)."""
    up = s.value + s.step
    return up if up <= s.max + 1e-12 else s.value - s.step


def _build(stage, factory):
    ex = factory()
    assert isinstance(ex, Explorer), f"{stage}: {factory.__name__}() returned {type(ex).__name__}"
    assert ex.sliders, f"{stage}: {factory.__name__}() has no sliders"
    return ex


def test_every_lesson_notebook_has_a_slider_figure():
    stages = {p.name[:2] for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    missing = sorted(stages - {stage for stage, _ in course.figures()})
    unlisted = [f"lesson{s}" for s in missing if f"lesson{s}" in course.unlisted()]
    assert not unlisted, (
        f"rnnlib/course/{unlisted[0]}.py is not in LESSONS: import it in rnnlib/course/__init__.py "
        "and add it to LESSONS, in course order"
    )
    assert not missing, (
        f"lessons without a slider figure: {missing}; list each one's figure factories in its "
        "module's FIGURES (rnnlib/course/lessonNN.py)"
    )


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_each_slider_changes_the_state_or_the_picture(stage, factory):
    ex = _build(stage, factory)
    assert isinstance(ex.state, dict) and ex.state, "update() must return a dict of numbers"
    defaults = dict(ex.values)
    for name, s in ex.sliders.items():
        assert s.min <= s.value <= s.max and s.step > 0, f"slider {name}: {s}"
        state0, png0 = ex.state, ex.png()
        new = _one_step_away(s)
        ex.step(**{name: new})
        assert ex.values == {**defaults, name: new}
        assert not _same_state(ex.state, state0) or ex.png() != png0, (
            f"{stage} {factory.__name__}: moving slider {name!r} from {s.value} to {new} "
            "changed neither the state nor the picture"
        )
        ex.step(**{name: s.value})  # back to the default before the next slider
        assert _same_state(ex.state, state0) and ex.png() == png0, (
            f"{stage} {factory.__name__}: moving slider {name!r} back to {s.value} did not "
            "restore the state and the picture (update depends on its history)"
        )


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_figure_is_never_rebuilt_and_numbers_stay_finite(stage, factory):
    ex = _build(stage, factory)
    fig, artists = ex.fig, _artists(ex.fig)
    positions = [tuple(ax.get_position().bounds) for ax in fig.axes]
    for name, s in ex.sliders.items():
        for value in (s.min, s.max, _one_step_away(s), s.value):
            ex.step(**{name: value})
            where = f"{stage} {factory.__name__} at {name}={value}"
            assert ex.fig is fig, f"{where}: a new Figure"
            assert _artists(fig) == artists, f"{where}: artists were added, removed or replaced"
            assert [tuple(ax.get_position().bounds) for ax in fig.axes] == positions, (
                f"{where}: the layout moved"
            )
            bad = _non_finite(ex.state)
            assert not bad, f"{where}: non-finite numbers in the state: {bad}"


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_bad_slider_name_is_a_value_error(stage, factory):
    ex = _build(stage, factory)
    values, state = dict(ex.values), ex.state
    with pytest.raises(ValueError, match="not_a_slider"):
        ex.step(not_a_slider=1.0)
    assert ex.values == values and ex.state is state


@pytest.mark.parametrize(("stage", "factory"), FACTORIES)
def test_text_form_fits_the_notebook_in_lines_of_the_text_width(stage, factory):
    """A saved lesson shows each slider figure's text form; JupyterLab breaks a longer line
    anywhere, even inside a word, so no line may be longer than TEXT_WIDTH characters."""
    text = _build(stage, factory).plain_text()
    long = [line for line in text.split("\n") if len(line) > TEXT_WIDTH]
    assert not long, f"lines longer than {TEXT_WIDTH} characters: {long}"
    sentence = text.replace("\n", " ")
    assert sentence.startswith("Interactive figure with") and sentence.endswith("starting values)")


# ---------------------------------------------------------------------------------------------
# the lessons' list of figures


def test_lessons_are_every_lesson_module_in_course_order():
    files = sorted(p.stem for p in (REPO / "rnnlib" / "course").glob("lesson[0-9][0-9].py"))
    assert not course.unlisted(), (
        f"{course.unlisted()} not in LESSONS: import each in rnnlib/course/__init__.py and add it "
        "to LESSONS, in course order"
    )
    assert [lesson.__name__ for lesson in course.LESSONS] == [f"rnnlib.course.{f}" for f in files]
    assert [course.stage(lesson) for lesson in course.LESSONS] == [f[-2:] for f in files]


def test_figures_lists_each_lessons_own_factories_in_order():
    listed = course.figures()
    assert listed == [
        (course.stage(lesson), f) for lesson in course.LESSONS for f in lesson.FIGURES
    ]
    for lesson in course.LESSONS:
        assert isinstance(lesson.FIGURES, tuple) and all(callable(f) for f in lesson.FIGURES)
        # a factory is defined in its lesson's module (not borrowed from another lesson)
        assert all(f.__module__ == lesson.__name__ for f in lesson.FIGURES), lesson.__name__
        assert all(f.__name__ in lesson.__all__ for f in lesson.FIGURES), lesson.__name__
    assert all(len(stage) == 2 and stage.isdigit() for stage, _ in listed)


@pytest.mark.parametrize("module", ["rnnlib.checks", "rnnlib.course"])
def test_the_checkers_load_without_matplotlib(module):
    """An exercise's first cell imports rnnlib.checks: the lesson modules' figure factories
    import matplotlib and the slider harness only when called."""
    import subprocess
    import sys

    code = f"import sys, {module}; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
