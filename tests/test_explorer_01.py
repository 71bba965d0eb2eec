"""Lesson 01's slider: the loss curve and its tangent, against the formulas written out by hand here
and the tangent's slope against finite differences of the drawn curve's own formula."""

import numpy as np
import pytest

from rnnlib import numerical_gradient
from rnnlib.explorers import registry
from rnnlib.explorers.loss import loss_explorer, tangent_line


def L(y_hat, y):
    return 0.5 * (y_hat - y) ** 2


@pytest.fixture(scope="module")
def shared():
    return loss_explorer()


@pytest.fixture
def ex(shared):
    shared.step(y_hat=1.03, y=0.5)
    return shared


def _lines(ex):
    ax = ex.fig.axes[0]
    return {ln.get_label(): ln for ln in ax.lines}


def test_registered_for_lesson_01():
    assert loss_explorer in registry()["01"]


def test_default_state_by_hand(ex):
    s = ex.state
    assert (s["y_hat"], s["y"]) == (1.03, 0.5)
    assert s["loss"] == pytest.approx(0.5 * 0.53**2, rel=1e-13)
    assert s["slope"] == pytest.approx(0.53, rel=1e-13)
    assert s["direction"] == "decrease ŷ"


@pytest.mark.parametrize("y_hat", [-2.0, -0.75, 0.5, 1.25, 3.0])
@pytest.mark.parametrize("y", [-1.0, 0.5, 2.0])
def test_slider_moves_point_and_tangent(ex, y_hat, y):
    before = ex.png()
    s = ex.step(y_hat=y_hat, y=y)
    assert s["loss"] == pytest.approx(L(y_hat, y), rel=1e-13, abs=1e-16)
    # the slope against a central difference of the curve's formula (independent of rnnlib)
    fd = numerical_gradient(lambda p: L(p[0], y), np.array([y_hat]))[0]
    assert s["slope"] == pytest.approx(fd, rel=1e-7, abs=1e-9)
    assert s["direction"] == (
        "decrease ŷ" if y_hat > y else "increase ŷ" if y_hat < y else "stay: the minimum"
    )
    lines = _lines(ex)
    curve = next(ln for k, ln in lines.items() if k.startswith("loss"))
    tangent = next(ln for k, ln in lines.items() if k.startswith("tangent"))
    target = next(ln for k, ln in lines.items() if k.startswith("target"))
    point = next(ln for ln in ex.fig.axes[0].lines if ln.get_marker() == "o")
    xc = curve.get_xdata()
    np.testing.assert_allclose(curve.get_ydata(), L(xc, y), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(np.ravel(point.get_data()), [y_hat, L(y_hat, y)], rtol=1e-13)
    xt, yt = (np.asarray(a) for a in tangent.get_data())
    # the drawn tangent is the straight line through (ŷ, L(ŷ)) with slope ŷ − y ...
    np.testing.assert_allclose(yt, L(y_hat, y) + (y_hat - y) * (xt - y_hat), rtol=1e-12, atol=1e-12)
    assert xt[0] < y_hat < xt[-1]
    # ... and it lies below the curve by exactly ½(x − ŷ)²
    np.testing.assert_allclose(L(xt, y) - yt, 0.5 * (xt - y_hat) ** 2, rtol=1e-10, atol=1e-12)
    assert np.all(np.asarray(target.get_xdata()) == y)
    if (y_hat, y) != (1.03, 0.5):
        assert ex.png() != before


def test_tangent_line_touches_the_curve_once():
    x = np.linspace(-3, 3, 61)
    gap = L(x, 0.7) - tangent_line(1.9, 0.7, x)
    assert gap.min() == pytest.approx(0.0, abs=1e-12)
    assert x[np.argmin(gap)] == pytest.approx(1.9)
    assert np.all(gap >= -1e-12)


def test_readout_shows_the_numbers(ex):
    ex.step(y_hat=-1.2, y=1.5)
    text = ex.readout()
    assert "3.6450" in text  # ½(−2.7)² = 3.645
    assert "-2.7000" in text and "increase ŷ" in text


def test_update_only_moves_artists(ex):
    fig_axes = list(ex.fig.axes)
    n_lines = len(ex.fig.axes[0].lines)
    ex.step(y_hat=2.2)
    assert list(ex.fig.axes) == fig_axes and len(ex.fig.axes[0].lines) == n_lines


def test_bad_defaults_name_the_argument():
    with pytest.raises(ValueError, match="y_hat"):
        loss_explorer(y_hat=float("nan"))
