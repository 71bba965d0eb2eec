"""Lesson 03's checker (rnnlib.course.lesson03): what is special to it. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answer below."""

import numpy as np
import pytest

from rnnlib import numerical_gradient
from rnnlib.course.lesson03 import CHECKERS, FIGURES, last_step_explorer
from rnnlib.scalar import EXAMPLE, last_step_factors


def _last_step_grad(dL_dyhat, v, o_T, o_prev):
    return dL_dyhat * v * (1 - o_T * o_T) * o_prev


RIGHT = {"check_last_step_grad": (_last_step_grad, 6)}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_last_step_grad": {
        "missing_tanh_prime",
        "one_minus_o",
        "o_T_for_o_prev",
        "missing_v",
        "wrong_sign",
    },
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 03's slider: the three factors of dL/dw⁽⁴⁾ and their product, against an independent
# forward pass written here and finite differences on the step-4 copy of w alone.


XS, Y, U, V = EXAMPLE["xs"], EXAMPLE["y"], EXAMPLE["u"], EXAMPLE["v"]


def states(xs, u, ws):
    """o_0..o_T with step t using its own copy ws[t − 1] of the recurrent weight (by hand)."""
    o = [0.0]
    for x, wt in zip(xs, ws, strict=True):
        o.append(np.tanh(u * x + wt * o[-1]))
    return np.array(o)


def loss_of_copies(xs, y, u, v):
    return lambda ws: 0.5 * (v * states(xs, u, ws)[-1] - y) ** 2


def expected(w, xs=XS, y=Y, u=U, v=V):
    o = states(xs, u, [w] * len(xs))
    y_hat = v * o[-1]
    fd = numerical_gradient(loss_of_copies(xs, y, u, v), np.full(len(xs), float(w)))
    return {
        "dL_do_T": (y_hat - y) * v,
        "tanh_prime": 1 - o[-1] ** 2,
        "o_prev": o[-2],
        "fd_last_copy": fd[-1],
        "fd_all": fd,
        "y_hat": y_hat,
    }


@pytest.mark.parametrize("w", [-2.0, -0.75, 0.0, 0.35, 0.9, 1.6, 2.0])
def test_slider_moves_the_factors_and_the_product(w):
    ex = last_step_explorer()
    s = ex.step(w=w)
    e = expected(w)
    assert s["w"] == w
    for k in ("dL_do_T", "tanh_prime", "o_prev", "y_hat"):
        assert s[k] == pytest.approx(e[k], rel=1e-12, abs=1e-14), k
    # the product is dL/dw⁽⁴⁾: the derivative in the step-4 copy alone, by finite differences
    assert s["dL_dw_T"] == pytest.approx(e["fd_last_copy"], rel=1e-7, abs=1e-9)
    # the bars and the dots show exactly these four numbers, in this order
    keys = ("dL_do_T", "tanh_prime", "o_prev", "dL_dw_T")
    ax_bar, ax_w = ex.fig.axes
    heights = [p.get_height() for p in ax_bar.patches]
    np.testing.assert_allclose(heights, [s[k] for k in keys])
    dots = [ln for ln in ax_w.lines if ln.get_marker() == "o"]
    np.testing.assert_allclose([ln.get_ydata()[0] for ln in dots], [s[k] for k in keys])
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in dots], [w] * 4)
    labels = [t.get_text() for t in ax_bar.texts]
    assert labels == [f"{s[k] + 0.0:+.3f}" for k in keys]
    # every bar stays inside the fixed y-range
    lo, hi = ax_bar.get_ylim()
    assert all(lo < h < hi for h in heights)


def test_product_is_not_the_whole_gradient_of_w():
    """dL/dw⁽⁴⁾ is one copy's share: at the defaults the other copies contribute too."""
    s = last_step_explorer().state
    e = expected(EXAMPLE["w"])
    assert abs(s["dL_dw_T"] - e["fd_all"].sum()) > 0.05


def test_curves_are_the_factors_over_the_slider_range():
    ex = last_step_explorer()
    ax_w = ex.fig.axes[1]
    curves = [ln for ln in ax_w.lines if len(ln.get_xdata()) > 2]
    assert len(curves) == 4
    grid = curves[0].get_xdata()
    assert grid[0] == -2.0 and grid[-1] == 2.0
    for i in (0, 57, 140, 200):
        e = expected(grid[i])
        want = [e["dL_do_T"], e["tanh_prime"], e["o_prev"], e["fd_last_copy"]]
        got = [c.get_ydata()[i] for c in curves]
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


def test_the_picture_changes_with_w():
    ex = last_step_explorer()
    before = ex.png()
    ex.step(w=-1.5)
    assert ex.png() != before
    assert "dL/dw<sup>(4)</sup>" in ex.readout()


def test_other_problems_and_bad_input():
    xs = [0.3, -1.0, 0.6]
    s = last_step_factors(xs, -0.2, 0.5, 1.3, -0.8)
    e = expected(1.3, xs=xs, y=-0.2, u=0.5, v=-0.8)
    assert s["dL_dw_T"] == pytest.approx(e["fd_last_copy"], rel=1e-7, abs=1e-9)
    with pytest.raises(ValueError, match="w_range"):
        last_step_explorer(w_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="xs"):
        last_step_explorer(xs=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="w"):
        last_step_factors(XS, Y, U, float("nan"), V)


def test_registered_for_lesson_03():
    assert last_step_explorer in FIGURES
