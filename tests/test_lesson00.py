"""Lesson 00's slider figure (rnnlib.course.lesson00): every slider moves the forward pass,
checked against a forward pass written out by hand here (math.tanh, one step at a time), and
against what the figure draws."""

import math

import numpy as np
import pytest

from rnnlib.course.lesson00 import FIGURES, forward_explorer, seed_model_runs
from rnnlib.scalar import EXAMPLE

# Lesson 00 has no exercise, so no checker: no right answers for tests/test_checkers.py.
RIGHT = {}

NAMES = ("u", "w", "v", "x1", "x2", "x3", "x4")


def by_hand(u, w, v, x1, x2, x3, x4, y=EXAMPLE["y"]):
    """a_t = u·x_t + w·o_(t−1), o_t = tanh(a_t), o_0 = 0; ŷ = v·o_4; L = ½(ŷ − y)²."""
    a, o = [], [0.0]
    for x in (x1, x2, x3, x4):
        a.append(u * x + w * o[-1])
        o.append(math.tanh(a[-1]))
    y_hat = v * o[-1]
    return np.array(a), np.array(o), y_hat, 0.5 * (y_hat - y) ** 2


def defaults():
    return dict(zip(NAMES, (EXAMPLE["u"], EXAMPLE["w"], EXAMPLE["v"], *EXAMPLE["xs"]), strict=True))


@pytest.fixture(scope="module")
def shared():
    """One explorer for the tests that reset it first (building one takes a few 100 ms)."""
    return forward_explorer()


@pytest.fixture
def ex(shared):
    shared.step(**defaults())
    return shared


def test_registered_for_lesson_00():
    assert forward_explorer in FIGURES


def test_defaults_are_the_worked_example():
    ex = forward_explorer()
    assert ex.values == defaults()
    a, o, y_hat, L = by_hand(**defaults())
    np.testing.assert_allclose(ex.state["o"], o, rtol=1e-13)
    # the first step by hand: a_1 = 0.8·1.0 + 0.9·0 = 0.8, o_1 = tanh(0.8) = 0.66403677...
    assert ex.state["a"][0] == pytest.approx(0.8)
    assert ex.state["o"][1] == pytest.approx(0.6640367702678489, rel=1e-14)
    assert ex.state["y_hat"] == pytest.approx(y_hat, rel=1e-13)
    assert ex.state["loss"] == pytest.approx(L, rel=1e-13)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("value", [-1.85, 0.0, 1.3])
def test_each_slider_moves_the_forward_pass(ex, name, value):
    before = ex.png()
    s = ex.step(**{name: value})
    vals = {**defaults(), name: value}
    a, o, y_hat, L = by_hand(**vals)
    np.testing.assert_allclose(s["a"], a, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(s["o"], o, rtol=1e-13, atol=1e-15)
    assert s["y_hat"] == pytest.approx(y_hat, rel=1e-13, abs=1e-15)
    assert s["loss"] == pytest.approx(L, rel=1e-13, abs=1e-15)

    # what the figure shows: x_t bars, a_t and o_t lines, the ŷ bar, numbers at the graph's nodes
    ax_g, ax_t, ax_y = ex.fig.axes
    xs = [vals[f"x{k}"] for k in range(1, 5)]
    np.testing.assert_allclose([p.get_height() for p in ax_t.patches], xs)
    a_line, o_line = ax_t.lines[:2]
    np.testing.assert_allclose(a_line.get_ydata(), np.clip(a, -3, 3))
    np.testing.assert_allclose(o_line.get_ydata(), o)
    np.testing.assert_allclose(o_line.get_xdata(), range(5))
    assert ax_y.patches[0].get_height() == pytest.approx(y_hat)
    texts = {t.get_text() for t in ax_g.texts}
    assert {f"{o[k]:+.3f}" for k in range(5)} <= texts
    assert f"{y_hat:+.3f}" in texts and f"{L:+.3f}" in texts
    assert ex.png() != before


def test_v_moves_no_hidden_state(ex):
    """v multiplies o_4 after the recurrence: it is not one of the recurrent copies of w."""
    o = ex.state["o"].copy()
    s = ex.step(v=-2.7)
    np.testing.assert_array_equal(s["o"], o)
    assert s["y_hat"] == pytest.approx(-2.7 * o[4])


def test_w_does_not_reach_o1(ex):
    """o_0 = 0, so the first copy of w multiplies nothing: o_1 = tanh(u·x_1) for every w."""
    o1 = ex.state["o"][1]
    for w in (-3.0, 0.4, 3.0):
        s = ex.step(w=w)
        assert s["o"][1] == o1
        assert s["o"][2] != pytest.approx(by_hand(**defaults())[1][2])


def test_saturation_keeps_states_inside_minus_one_one(ex):
    s = ex.step(u=3.0, w=3.0, x1=2.0, x2=2.0, x3=-2.0, x4=2.0)
    assert np.all(np.abs(s["a"]) > 3.0)  # pre-activations far outside the starting chart...
    assert np.all(np.abs(s["o"][1:]) < 1.0)  # ...hidden states never leave (−1, 1)
    ax = ex.fig.axes[1]
    a_line = ax.lines[0]
    np.testing.assert_array_equal(a_line.get_ydata(), s["a"])  # drawn as computed, not clipped
    assert ax.get_ylim() == (-10.0, 10.0)  # the chart grew to hold them (max |a| = 9)
    assert np.abs(s["a"]).max() == pytest.approx(3 * 2 + 3 * np.tanh(3 * 2), abs=0.01)
    ex.step(**defaults())
    assert ax.get_ylim() == (-3.0, 3.0)  # and shrinks back


def test_readout_lists_every_step(ex):
    html = ex.readout()
    for k in range(1, 5):
        assert f"{ex.state['o'][k]:+.4f}" in html
    assert f"{ex.state['y_hat']:+.4f}" in html


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"xs": (1.0, 2.0, 3.0)}, r"^xs: expected 4 inputs x_1..x_4, shape \(4,\), got \(3,\)"),
        ({"xs": [[1.0, 2.0], [3.0, 4.0]]}, r"^xs: expected a 1-d sequence"),
        ({"xs": (1.0, np.nan, 0.0, 0.0)}, r"^xs: expected finite values"),
        ({"u": "big"}, r"^u: expected a real number"),
        ({"y": np.inf}, r"^y: expected a finite number"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        forward_explorer(**kw)


@pytest.mark.parametrize(
    ("moved", "top"),
    [({}, 3.0), ({"u": 3.0, "x1": 1.5}, 6.0), ({"u": 3.0, "w": 3.0, "x2": 2.0}, 10.0)],
    ids=["start", "a-to-6", "a-to-10"],
)
def test_the_tanh_band_label_sits_above_its_line_at_every_range(ex, moved, top):
    # "tanh stays in (−1, 1)" stood at a_t = 1.08 in data units: 1 pixel above the dashed line at
    # +1 once the chart grew to ±10, its brackets through the line
    ex.step(**moved)
    ex.png()
    renderer = ex.fig.canvas.get_renderer()
    ax = ex.fig.axes[1]
    assert ax.get_ylim() == (-top, top)
    (label,) = [t for t in ax.texts if "stays in" in t.get_text()]
    (line,) = [
        a for a in ax.get_lines() if a.get_linestyle() == "--" and list(a.get_ydata()) == [1, 1]
    ]
    line_top = ax.transData.transform((0.0, 1.0))[1] + line.get_linewidth() * ex.fig.dpi / 72 / 2
    box = label.get_window_extent(renderer)
    assert box.y0 >= line_top + 1.0
    assert box.y0 <= line_top + 6.0  # and still beside it, naming it


def test_the_seed_models_cases_meet_both_signs():
    """The checkers of lessons 02 to 04 run on these models: a slip that drops a sign (|o_T|,
    |o_(T-1)|, |dL/dŷ| where the signed number belongs) must change some case's answer, so each
    of these takes both signs over the models (computed here by the forward pass, tanh)."""
    o_T, o_prev, err = [], [], []
    for _, (u, w, v, T, y), xs, _, _ in seed_model_runs():
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        o_T.append(o[T])
        o_prev.append(o[T - 1])
        err.append(v * o[T] - y)
    for name, values in (("o_T", o_T), ("o_(T-1)", o_prev), ("dL/dŷ", err)):
        assert min(values) < 0 < max(values), (name, values)
