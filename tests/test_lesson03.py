"""Lesson 03's checker (rnnlib.course.lesson03): what is special to it. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answer below."""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from checks_support import assert_slip_named, refusal

from rnnlib import numerical_gradient, scalar
from rnnlib.checks import check_answer, check_fd_last_copy_grad
from rnnlib.course.lesson03 import (
    CHECKERS,
    FIGURES,
    QUESTIONS,
    check_last_step_grad,
    check_sigmoid_last_step_grads,
    fd_last_copy_grad_cases,
    last_step_explorer,
    sigmoid_unit_forward,
)
from rnnlib.scalar import EXAMPLE, last_step_factors


def _last_step_grad(dL_dyhat, v, o_T, o_prev):
    return dL_dyhat * v * (1 - o_T * o_T) * o_prev


def _sigmoid_last_step_grads(dL_dyhat, v, o_T, o_prev):
    # written from the derivative of 1/(1 + e^(−a)): e^(−a)/(1 + e^(−a))² = o·(1 − o)
    slope = np.asarray(o_T) - np.asarray(o_T) ** 2
    return (dL_dyhat * v * slope * o_prev, dL_dyhat * v * slope)


RIGHT = {
    "check_last_step_grad": (_last_step_grad, 6),
    "check_sigmoid_last_step_grads": (_sigmoid_last_step_grads, 5),
    "check_fd_last_copy_grad": (lambda *args: _fd_by_hand(*args), 5),
}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_fd_last_copy_grad": {"fd_every_copy_moved", "fd_last_step_from_zero"},
    "check_last_step_grad": {
        "missing_tanh_prime",
        "one_minus_o",
        "o_T_for_o_prev",
        "missing_v",
        "wrong_sign",
    },
    "check_sigmoid_last_step_grads": {
        "tanh_prime_for_sigmoid",
        "sigmoid_prime_missing_o",
        "sigmoid_applied_again",
        "bias_times_o_prev",
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
    # the chart reaches 3% of the range past each end, so that a dot at w = ±2 is drawn whole
    assert ax_w.get_xlim() == pytest.approx((-2.12, 2.12), abs=1e-12)
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


def test_readout_factors_multiply_to_the_printed_product():
    # at every slider position, the three factors as printed multiply (by hand, here) to the
    # product as printed; w = 2 printed 1.443 × 0.050 × 0.970 beside 0.0697 (their product 0.0700)
    ex = last_step_explorer()
    for w in np.round(np.arange(-2.0, 2.0001, 0.05), 2):
        ex.set(w=float(w))  # (the readout is made from the state; no drawing needed)
        text = ex.readout()
        m = re.search(r"dL/dw<sup>\(4\)</sup> = (\S+) × (\S+) × (\S+) = <b>(\S+)</b>", text)
        a, b, c, p = (float(g) for g in m.groups())
        assert float(f"{a * b * c:.3g}") == p, (w, text)
        e = expected(w)  # and the printed product is the finite difference, to three digits
        assert p == pytest.approx(e["fd_last_copy"], rel=5e-3, abs=1e-9), (w, text)


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
    # a target per step (lesson 04's ys) is refused by name: it was a TypeError from float()
    for ys in (np.full(len(XS), Y), [Y] * len(XS)):
        with pytest.raises(ValueError, match=r"^y: expected one target .*shape \(4,\)"):
            last_step_factors(XS, ys, U, EXAMPLE["w"], V)
        with pytest.raises(ValueError, match=r"^y: expected one target"):
            last_step_explorer(y=ys)


def test_a_longer_problem_names_its_states_with_braces():
    # T = 11: the labels wrote $1 - o_11^2$ and $o_10$, drawn as o₁ followed by 1 (or 0)
    ex = last_step_explorer(xs=np.linspace(-1.0, 1.0, 11))
    ax_bar, ax_w = ex.fig.axes
    labels = [t.get_text() for t in ax_bar.get_xticklabels()]
    assert labels[1:3] == ["$1 - o_{11}^2$", "$o_{10}$"]
    assert r"(1 - o_{11}^2)\,o_{10}$" in ax_w.get_title()


def test_registered_for_lesson_03():
    assert last_step_explorer in FIGURES


# -------------------------------------------------------------------------------------------------
# The transfer task: a unit with a bias and the sigmoid, against finite differences
# -------------------------------------------------------------------------------------------------


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _sigmoid_loss(xs, y, u, v, ws, bs):
    """L with step t using its own copies ws[t − 1], bs[t − 1] (by hand, independent of rnnlib)."""
    o = 0.0
    for x, wt, bt in zip(xs, ws, bs, strict=True):
        o = _sig(u * x + wt * o + bt)
    return 0.5 * (v * o - y) ** 2


@pytest.mark.parametrize("seed", range(6))
def test_sigmoid_reference_is_the_finite_difference_of_the_last_copies(seed):
    rng = np.random.default_rng(seed)
    T = 1 + seed % 4
    xs = rng.normal(size=T)
    u, w, b, v, y = rng.normal(size=5)
    o = sigmoid_unit_forward(xs, u, w, b)
    state = np.array([_sig(u * xs[0] + b)] if T == 1 else [0.0])
    assert o[1] == pytest.approx(state[0]) or T > 1
    ws, bs = np.full(T, w), np.full(T, b)
    fd_w = numerical_gradient(lambda p: _sigmoid_loss(xs, y, u, v, p, bs), ws.copy())[-1]
    fd_b = numerical_gradient(lambda p: _sigmoid_loss(xs, y, u, v, ws, p), bs.copy())[-1]
    got = _sigmoid_last_step_grads(v * o[-1] - y, v, o[-1], o[-2])
    np.testing.assert_allclose(got, (fd_w, fd_b), rtol=1e-6, atol=1e-10)
    # and the checker's own reference (its cases) equals this independent formula
    for case in check_sigmoid_last_step_grads.cases():
        np.testing.assert_allclose(
            _sigmoid_last_step_grads(**case.args), case.expected, rtol=1e-13, atol=1e-16
        )


def _via_logit(dL_dyhat, v, o_T, o_prev):
    """σ′ recomputed from a_T = log(o/(1 − o)), a list: another valid way."""
    a = np.log(np.asarray(o_T) / (1 - np.asarray(o_T)))
    slope = np.exp(-a) / (1 + np.exp(-a)) ** 2
    return [dL_dyhat * v * slope * o_prev, dL_dyhat * v * slope]


def _by_loop(dL_dyhat, v, o_T, o_prev):
    """A loop over the entries (a tuple of arrays for arrays, of floats for numbers)."""
    args = [np.atleast_1d(np.asarray(a, dtype=float)) for a in (dL_dyhat, v, o_T, o_prev)]
    dw, db = np.zeros_like(args[0]), np.zeros_like(args[0])
    for i in range(args[0].size):
        g, vi, o, op = (a[i] for a in args)
        db[i] = g * vi * o * (1 - o)
        dw[i] = db[i] * op
    return (dw, db) if np.ndim(dL_dyhat) else (float(dw[0]), float(db[0]))


def _chain_in_steps(dL_dyhat, v, o_T, o_prev):
    dL_do = np.multiply(dL_dyhat, v)
    dL_da = dL_do * o_T * (1 - o_T)
    return dL_da * o_prev, dL_da


@pytest.mark.parametrize("answer", [_via_logit, _by_loop, _chain_in_steps])
def test_sigmoid_checker_takes_other_valid_forms(answer, capsys):
    check_sigmoid_last_step_grads(answer)
    assert "5/5 cases passed ✓" in capsys.readouterr().out


def test_sigmoid_checker_names_a_wrong_db_alone():
    def wrong_db(dL_dyhat, v, o_T, o_prev):  # dL/dw right, dL/db missing σ′
        dw, _ = _sigmoid_last_step_grads(dL_dyhat, v, o_T, o_prev)
        return dw, dL_dyhat * v * o_T * (1 - o_T) * 2.0

    with pytest.raises(AssertionError) as excinfo:
        check_sigmoid_last_step_grads(wrong_db)
    assert "dL/db⁽ᵀ⁾ is wrong" in str(excinfo.value).splitlines()[0]


# -------------------------------------------------------------------------------------------------
# Graded questions
# -------------------------------------------------------------------------------------------------


def _o4_given_x4(x4):
    """o_4 of the worked example with its last input replaced by x4: a loop of math.tanh."""
    o = 0.0
    for x in (1.0, -0.5, 0.8, x4):
        o = math.tanh(0.8 * x + 0.9 * o)
    return o


def _bisect(f, lo, hi):
    """The root of f between lo and hi (f(lo), f(hi) of opposite signs), to round-off."""
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if (f(mid) > 0) == (f(lo) > 0) else (lo, mid)
    return 0.5 * (lo + hi)


# 03.saturated: found here by bisection on x_4 (no formula inverted): the example's tanh′ at step
# 4, 1 − o_4², falls from about 0.53 at x_4 = 0.3 to 0.02 somewhere in 0.3 < x_4 < 10
X4_RIGHT = _bisect(lambda x4: 1.0 - _o4_given_x4(x4) ** 2 - 0.02, 0.3, 10.0)
# 03.sigmoid_max: σ′(a) = e^(−a)/(1 + e^(−a))² = 1/(4 cosh²(a/2)), ¼ at a = 0; it is ⅛ where
# cosh²(a/2) = 2, cosh(a/2) = √2, a/2 = arcosh √2 = ln(√2 + 1)
A_HALF_RIGHT = 2.0 * math.log(math.sqrt(2.0) + 1.0)


def test_questions_answers_derived_here():
    by_key = {q.key: q for q in QUESTIONS}
    assert set(by_key) == {"03.saturated", "03.share", "03.sigmoid_max"}
    assert 1.0 - _o4_given_x4(0.3) ** 2 == pytest.approx(0.5257, abs=1e-4)  # "about 53%"
    assert by_key["03.saturated"].answer == pytest.approx(X4_RIGHT, rel=1e-12)
    assert X4_RIGHT == pytest.approx(2.5484, abs=1e-4)
    assert A_HALF_RIGHT == pytest.approx(1.76275, abs=1e-5)
    assert by_key["03.sigmoid_max"].answer == pytest.approx(A_HALF_RIGHT, rel=1e-12)
    # the sigmoid's slope by finite differences: ¼ at 0, ⅛ at the answer
    slope = numerical_gradient(_sig, np.array([0.0, A_HALF_RIGHT]), df=np.ones(2))
    np.testing.assert_allclose(slope, [0.25, 0.125], rtol=1e-8)
    # 03.share: the four shares add to dL/dw, not 4·share or their product
    e = expected(EXAMPLE["w"])
    dw = numerical_gradient(
        lambda p: loss_of_copies(XS, Y, U, V)(np.full(4, p[0])), np.array([EXAMPLE["w"]])
    )[0]
    assert dw == pytest.approx(e["fd_all"].sum(), rel=1e-6)
    assert abs(dw - 4 * e["fd_all"][-1]) > 0.1 and abs(dw - np.prod(e["fd_all"])) > 0.1
    check_answer("03.share", "(b)")


# -- valid answers written another way ---------------------------------------------------------


def _by_factors(dL_dyhat, v, o_T, o_prev):  # the lesson's three factors, one at a time
    dyhat_do = v
    do_da = 1.0 - np.square(o_T)
    da_dw = o_prev
    return np.multiply(np.multiply(np.multiply(dL_dyhat, dyhat_do), do_da), da_dw)


def _from_the_logit(dL_dyhat, v, o_T, o_prev):  # tanh' from a = artanh(o): 1 / cosh(a)²
    a = np.arctanh(np.asarray(o_T, dtype=float))
    return np.asarray(dL_dyhat) * v * o_prev / np.cosh(a) ** 2


def _factored(dL_dyhat, v, o_T, o_prev):  # 1 − o² = (1 − o)(1 + o)
    return dL_dyhat * v * (1 - o_T) * (1 + o_T) * o_prev


@pytest.mark.parametrize("answer", [_by_factors, _from_the_logit, _factored])
def test_last_step_grad_takes_other_valid_forms(answer, capsys):
    next(c for c in CHECKERS if c.name == "check_last_step_grad")(answer)
    assert "cases passed ✓" in capsys.readouterr().out


_O2 = math.tanh(0.8 * -0.5 + 0.9 * math.tanh(0.8))
_O3 = math.tanh(0.8 * 0.8 + 0.9 * _O2)
_O4 = math.tanh(0.8 * 0.3 + 0.9 * _O3)


def _x4_from(o_4, o_3=_O3):
    """The last input that makes o_4, by hand: a_4 = artanh(o_4) = 0.8·x_4 + 0.9·o_3."""
    return (math.atanh(o_4) - 0.9 * o_3) / 0.8


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (_x4_from(0.98), "that solves 1 − o_4 = 0.02; tanh′ = 1 − o_4², so o_4 = √0.98"),
        (2.115, "that solves 1 − o_4 = 0.02"),  # the same, rounded by hand
        (_x4_from((1 + math.sqrt(1 - 0.08)) / 2), "that solves o_4(1 − o_4) = 0.02"),
        (_x4_from(math.sqrt(0.02)), "that lets 98% through"),
        (_x4_from(math.sqrt(0.8)), "that lets 20% through"),  # 1 − o_4² = 0.2
        (math.atanh(math.sqrt(0.98)), "that is a_4 = artanh(o_4), the pre-activation"),
        (math.atanh(math.sqrt(0.98)) / 0.8, "missing w·o_3: a_4 = u·x_4 + w·o_3"),
        (math.atanh(math.sqrt(0.98)) - 0.9 * _O3, "that is u·x_4: divide a_4 − w·o_3 by u"),
        (_x4_from(math.sqrt(0.98), _O4), "that uses the example's o_4 as the state before"),
        (_x4_from(math.sqrt(0.98), _O2), "that uses o_2 as the state before step 4"),
        (_x4_from(-math.sqrt(0.98)), "that x_4 saturates the unit towards −1"),
        (0.99, "that is o_4 = √0.98"),  # √0.98 = 0.98995 rounded by hand
        (1 - 0.99**2, "that is 1 − 0.99², a factor"),
        (0.02, "that is the factor itself, 0.02"),
        (0.3, "that is the example's x_4, where about 53% passes"),
        ((math.atanh(math.sqrt(0.98)) - 0.8 * _O3) / 0.9, "u and w swapped"),
        ((math.atanh(math.sqrt(0.98)) + 0.9 * _O3) / 0.8, "that adds w·o_3"),
    ],
    ids=[
        "1 - o",
        "1 - o by hand",
        "sigmoid slope",
        "98 percent",
        "20 percent",
        "a_4",
        "missing w o_3",
        "not divided by u",
        "example's o_4 for o_3",
        "o_2 for o_3",
        "negative root",
        "o_4 by hand",
        "old factor",
        "the factor",
        "unchanged x_4",
        "u and w swapped",
        "plus w o_3",
    ],
)
def test_saturated_names_each_near_miss(given, said):
    """Each wrong value written here by hand, with math.tanh and math.atanh."""
    with pytest.raises(AssertionError) as excinfo:
        check_answer("03.saturated", given)
    assert "is not right: " + said in str(excinfo.value)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (math.log(math.sqrt(2.0) + 1.0), "that is where tanh′ = 1 − o² halves"),
        (math.atanh(math.sqrt(7 / 8)), "that solves 1 − tanh(a)² = ⅛, tanh′"),
        (math.log(7.0), "that solves 1 − o = ⅛"),  # 1 − o = ⅛: o = 7/8, a = ln 7
        (1.946, "that solves 1 − o = ⅛"),
        (math.log(math.sqrt(7 / 8) / (1 - math.sqrt(7 / 8))), "that solves 1 − o² = ⅛"),
        (0.8536, "that is o = σ(a) where the slope halves"),  # (1 + 1/√2)/2 by hand
        (-A_HALF_RIGHT, "that is the a < 0"),
        (math.log10(3.0 + 2.0 * math.sqrt(2.0)), "that is log10(o/(1 − o))"),  # o/(1−o) = 3 + 2√2
        (math.log(0.5 + math.sqrt(0.125)), "that is ln(o); undoing o = 1/(1 + e^(−a))"),
        (0.25, "that is σ′(0) = ¼, the largest slope"),
        (0.125, "that is the slope wanted, ⅛"),
        (0, "at a = 0 the slope is largest"),
        (-math.log(7.0), "that is where σ(a) itself is ⅛"),
        (3.0 + 2.0 * math.sqrt(2.0), "that is o/(1 − o) = e^a"),  # o/(1−o) = 3 + 2√2
    ],
    ids=[
        "tanh halves",
        "tanh eighth",
        "1 - o",
        "1 - o by hand",
        "1 - o^2",
        "o itself",
        "negative a",
        "log10",
        "ln o",
        "largest slope",
        "half slope",
        "zero",
        "sigma is 1/8",
        "e^a",
    ],
)
def test_sigmoid_half_slope_names_each_near_miss(given, said):
    """Each wrong value written here by hand."""
    with pytest.raises(AssertionError) as excinfo:
        check_answer("03.sigmoid_max", given)
    assert "is not right: " + said in str(excinfo.value)


@pytest.mark.parametrize(
    ("key", "right", "nearest_wrong"),
    [
        ("03.saturated", X4_RIGHT, _x4_from(math.sqrt(0.98), _O4)),
        ("03.sigmoid_max", A_HALF_RIGHT, math.atanh(math.sqrt(7 / 8))),
    ],
    ids=["saturated", "sigmoid"],
)
def test_nearest_named_miss_lies_many_tolerances_away(key, right, nearest_wrong):
    q = next(q for q in QUESTIONS if q.key == key)
    tol = q.atol + q.rtol * abs(right)
    assert min(abs(w - right) for w in q.why) == pytest.approx(abs(nearest_wrong - right))
    assert abs(nearest_wrong - right) > 15 * tol


def test_sigmoid_max_explanation_does_not_claim_every_step_shrinks(capsys):
    """A backward step multiplies by σ′(a)·w, not σ′ alone: with w = 6 at σ = ½ it is 1.5."""
    assert 0.25 * 6 > 1
    check_answer("03.sigmoid_max", A_HALF_RIGHT)
    out = " ".join(capsys.readouterr().out.split())  # as one line: it is wrapped at TEXT_WIDTH
    assert "σ′·w can still exceed 1 when |w| > 4" in out and "each sigmoid step shrinks" not in out


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("03.saturated", 2.548),
        ("03.saturated", np.float64(2.5484)),
        ("03.saturated", np.array(2.5488)),  # a 0-d array, within ±0.001
        ("03.sigmoid_max", 1.763),
        ("03.sigmoid_max", 2 * np.arccosh(np.sqrt(2.0))),
        ("03.sigmoid_max", np.float32(1.7627)),
    ],
)
def test_right_answers_in_other_forms_pass(key, given, capsys):
    check_answer(key, given)
    assert "right ✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "given"), [("03.saturated", 2.55), ("03.sigmoid_max", 1.76)], ids=["x4", "a"]
)
def test_two_decimals_are_close_but_not_enough(key, given):
    with pytest.raises(AssertionError, match="close: .* is the answer rounded"):
        check_answer(key, given)


def test_lesson_example_cell_says_what_came_and_what_was_expected():
    """The cell "Your function on the lesson's example" names the relative error and its bound
    when last_step_grad is off (here by 1%), not a bare AssertionError."""
    namespace = {
        "np": np,
        "scalar": scalar,
        "numerical_gradient": numerical_gradient,
        "last_step_grad": lambda *args: 1.01 * _last_step_grad(*args),
    }
    with pytest.raises(AssertionError) as excinfo:
        exec(_check_cell("finite differences in w(T) alone"), namespace)
    assert "relative error 1.0e-02, expected at most 1e-7" in str(excinfo.value)


def test_numeric_questions_state_the_precision_they_take(capsys):
    """Each numeric question says it wants three decimals, in its prompt and in the notebook;
    the answer rounded to three decimals passes."""
    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "solutions" / "03_one_step_back.ipynb", as_version=4)
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    numeric = [q for q in QUESTIONS if q.choices is None]
    assert {q.key for q in numeric} == {"03.saturated", "03.sigmoid_max"}
    for q in numeric:
        assert "to three decimals" in q.prompt
        check_answer(q.key, round(q.answer, 3))  # 2.548 and 1.763
    assert markdown.count("to three decimals") == 2
    assert capsys.readouterr().out.count("right ✓") == 2


def test_one_plus_o_squared_is_named():
    with pytest.raises(AssertionError) as excinfo:
        check_last_step_grad(lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * (1 + o_T**2) * o_prev)
    assert (
        str(excinfo.value)
        .splitlines()[0]
        .startswith("check_last_step_grad: (1 + o_T²) where (1 − o_T²) belongs")
    )


def _check_cell(marker):
    """The source of the solution notebook's code cell that contains ``marker``."""
    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "solutions" / "03_one_step_back.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    return cell.source


@pytest.mark.parametrize(
    ("returned", "said"),
    [
        (None, "your function returned None"),
        ("0.1", "your function returned a str; expected a single number"),
        ((0.1,), "your function returned a tuple of 1 number; expected a single number"),
    ],
    ids=["None", "str", "tuple"],
)
def test_fd_last_copy_grad_check_says_what_is_wrong_with_a_non_number(returned, said):
    """Not a TypeError from numpy: the checker describes what came."""
    with pytest.raises(AssertionError) as err:
        check_fd_last_copy_grad(lambda xs, y, u, w, v, eps: returned)
    assert str(err.value).splitlines()[0].startswith("check_fd_last_copy_grad: " + said)


def _fd_by_hand(xs, y, u, w, v, eps=1e-6):
    """A central difference in the last copy of w, of a forward pass written out here."""

    def loss(w_T):
        o = 0.0
        for t, x in enumerate(xs):
            o = math.tanh(u * x + (w_T if t == len(xs) - 1 else w) * o)
        return 0.5 * (v * o - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def test_fd_last_copy_grad_check_passes_the_right_answer(capsys):
    check_fd_last_copy_grad(_fd_by_hand)
    assert "5/5 cases passed ✓" in capsys.readouterr().out


# Every catalogued mistake of the two formula exercises as a learner writes it, by hand: the
# catalogue's formula must be the learner's (an entry whose formula drifted, or was dropped,
# would name nothing).


def _tanh_slip(slope=lambda o_T, o_prev: 1 - o_T**2, state=lambda o_T, o_prev: o_prev):
    return lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * slope(o_T, o_prev) * state(o_T, o_prev)


def _sigmoid_slip(slope=lambda o: o * (1 - o), v_used=True, dw=None, db=None):
    """(dL/dw⁽ᵀ⁾, dL/db⁽ᵀ⁾) with dL/da_T = dL/dŷ·v·slope(o_T) (v left out unless ``v_used``),
    then dL/dw⁽ᵀ⁾ = dw(g, o_T, o_prev) and dL/db⁽ᵀ⁾ = db(g, o_prev), by default g·o_prev, g."""

    def answer(dL_dyhat, v, o_T, o_prev):
        g = dL_dyhat * (v if v_used else 1) * slope(o_T)
        return (
            dw(g, o_T, o_prev) if dw else g * o_prev,
            db(g, o_prev) if db else g,
        )

    return answer


LAST_STEP_SLIPS = [
    ("missing_tanh_prime", _tanh_slip(slope=lambda o_T, o_prev: 1)),
    ("one_minus_o", _tanh_slip(slope=lambda o_T, o_prev: 1 - o_T)),
    ("one_plus_o_squared", _tanh_slip(slope=lambda o_T, o_prev: 1 + o_T**2)),
    ("o_T_for_o_prev", _tanh_slip(state=lambda o_T, o_prev: o_T)),
    ("tanh_twice", _tanh_slip(slope=lambda o_T, o_prev: 1 - np.tanh(o_T) ** 2)),
    ("tanh_prime_at_prev", _tanh_slip(slope=lambda o_T, o_prev: 1 - o_prev**2)),
    ("missing_v", lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * (1 - o_T**2) * o_prev),
    ("tanh_for_tanh_prime", _tanh_slip(slope=lambda o_T, o_prev: o_T)),
    ("sigmoid_slope_for_tanh", _tanh_slip(slope=lambda o_T, o_prev: o_T * (1 - o_T))),
    ("missing_o_prev", _tanh_slip(state=lambda o_T, o_prev: 1)),
    ("missing_parentheses", lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * 1 - o_T**2 * o_prev),
    ("one_minus_o_all_squared", _tanh_slip(slope=lambda o_T, o_prev: (1 - o_T) ** 2)),
    ("tanh_prime_squared", _tanh_slip(slope=lambda o_T, o_prev: (1 - o_T**2) ** 2)),
    (
        "extra_tanh_prime_at_prev",
        _tanh_slip(slope=lambda o_T, o_prev: (1 - o_T**2) * (1 - o_prev**2)),
    ),
    ("missing_dL_dyhat", lambda dL_dyhat, v, o_T, o_prev: v * (1 - o_T**2) * o_prev),
    ("wrong_sign", lambda dL_dyhat, v, o_T, o_prev: -dL_dyhat * v * (1 - o_T**2) * o_prev),
    ("summed", lambda dL_dyhat, v, o_T, o_prev: np.sum(dL_dyhat * v * (1 - o_T**2) * o_prev)),
    ("two_o_for_o_squared", _tanh_slip(slope=lambda o_T, o_prev: 1 - o_T * 2)),
    (
        "o_T_and_o_prev_swapped",
        _tanh_slip(slope=lambda o_T, o_prev: 1 - o_prev**2, state=lambda o_T, o_prev: o_T),
    ),
    ("o_T_for_v", lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * o_T * (1 - o_T**2) * o_prev),
    (
        "parenthesis_closed_late",
        lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * (1 - o_T**2 * o_prev),
    ),
]

SIGMOID_SLIPS = [
    ("tanh_prime_for_sigmoid", _sigmoid_slip(slope=lambda o: 1 - o**2)),
    ("sigmoid_prime_missing_o", _sigmoid_slip(slope=lambda o: 1 - o)),
    ("sigmoid_applied_again", _sigmoid_slip(slope=lambda o: _sig(o) * (1 - _sig(o)))),
    ("sigmoid_value_for_slope", _sigmoid_slip(slope=lambda o: o)),
    ("no_activation_slope", _sigmoid_slip(slope=lambda o: 1)),
    ("sigmoid_o_T_for_o_prev", _sigmoid_slip(dw=lambda g, o_T, o_prev: g * o_T)),
    ("sigmoid_missing_v", _sigmoid_slip(v_used=False)),
    ("bias_times_o_prev", _sigmoid_slip(db=lambda g, o_prev: g * o_prev)),
    ("swapped", _sigmoid_slip(dw=lambda g, o_T, o_prev: g, db=lambda g, o_prev: g * o_prev)),
    (
        "sigmoid_wrong_sign",
        _sigmoid_slip(dw=lambda g, o_T, o_prev: -g * o_prev, db=lambda g, o_prev: -g),
    ),
    ("bias_grad_zero", _sigmoid_slip(db=lambda g, o_prev: 0.0 * g)),
    ("sigmoid_prime_plus", _sigmoid_slip(slope=lambda o: o * (1 + o))),
]


@pytest.mark.parametrize(("key", "answer"), LAST_STEP_SLIPS, ids=[k for k, _ in LAST_STEP_SLIPS])
def test_each_last_step_slip_written_by_hand_is_named(key, answer):
    assert_slip_named(check_last_step_grad, answer, key)


@pytest.mark.parametrize(("key", "answer"), SIGMOID_SLIPS, ids=[k for k, _ in SIGMOID_SLIPS])
def test_each_sigmoid_slip_written_by_hand_is_named(key, answer):
    assert_slip_named(check_sigmoid_last_step_grads, answer, key)


def test_fd_last_copy_grad_cases_agree_with_a_hand_written_difference():
    """The references (lesson 03's share formula) against a forward pass written out here."""
    for case in fd_last_copy_grad_cases():
        assert case.expected == pytest.approx(_fd_by_hand(**case.args), rel=1e-7, abs=1e-9)
    cases = fd_last_copy_grad_cases()
    assert [len(c.args["xs"]) for c in cases] == [4, 1, 2, 5, 4]
    assert [c.args["eps"] for c in cases] == [1e-6] * 4 + [0.25]


def test_fd_last_copy_grad_wide_step_is_not_the_derivative():
    """At eps = 0.25 the central difference misses the share by far more than the checker's
    tolerance (its error is about ε²/6 times L's third derivative): the exact formula fails."""
    wide = fd_last_copy_grad_cases()[-1]
    share = _share_by_hand(**{k: v for k, v in wide.args.items() if k != "eps"})
    assert abs(wide.expected - share) > 1e-3 * abs(share)


def _share_by_hand(xs, y, u, w, v):
    """dL/dw⁽ᵀ⁾ from the chain rule, (ŷ − y)·v·(1 − o_T²)·o_(T−1), forward pass written out."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    return (v * o[-1] - y) * v * (1 - o[-1] ** 2) * o[-2]


def _hard_coded_eps(xs, y, u, w, v, eps=1e-6):
    return _fd_by_hand(xs, y, u, w, v)  # the step is always 1e-6, whatever eps comes


def _every_copy(xs, y, u, w, v, eps=1e-6):
    def loss(w_):
        o = 0.0
        for x in xs:
            o = math.tanh(u * x + w_ * o)
        return 0.5 * (v * o - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def _last_step_from_zero(xs, y, u, w, v, eps=1e-6):
    def loss(w_T):
        return 0.5 * (v * math.tanh(u * xs[-1] + w_T * 0.0) - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def _first_copy(xs, y, u, w, v, eps=1e-6):
    """Step 1's copy moved (it multiplies o₀ = 0): 0."""

    def loss(w_1):
        o = 0.0
        for t, x in enumerate(xs):
            o = math.tanh(u * x + (w_1 if t == 0 else w) * o)
        return 0.5 * (v * o - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def _one_sided_by_hand(xs, y, u, w, v, eps=1e-6):
    def loss(w_T):
        o = 0.0
        for t, x in enumerate(xs):
            o = math.tanh(u * x + (w_T if t == len(xs) - 1 else w) * o)
        return 0.5 * (v * o - y) ** 2

    return (loss(w + eps) - loss(w)) / eps


def _last_step_run_from(inputs, over=2.0):
    """A difference in the last copy of w, its step run from the state after ``inputs(xs)``
    (o_(T−1) after ``xs[:-1]``), divided by ``over``·ε: written out here."""

    def fd(xs, y, u, w, v, eps=1e-6):
        o_start = 0.0
        for x in inputs(xs):
            o_start = math.tanh(u * x + w * o_start)

        def loss(w_T):
            return 0.5 * (v * math.tanh(u * xs[-1] + w_T * o_start) - y) ** 2

        return (loss(w + eps) - loss(w - eps)) / (over * eps)

    return fd


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_last_step_run_from(lambda xs: xs[:-1]), None),  # right: the step run from o_(T−1)
        (
            _last_step_run_from(lambda xs: xs[:-1], over=1.0),
            "twice the share: your two points are twice as far apart",
        ),
        (_last_step_run_from(lambda xs: xs), "you ran the last step from o_T, the state it makes"),
        (_last_step_run_from(lambda xs: xs[:-2]), "you ran the last step from o_(T−2)"),
    ],
    ids=["right", "over eps", "from o_T", "from o_(T-2)"],
)
def test_fd_last_copy_grad_names_a_last_step_run_from_the_wrong_state(answer, said, capsys):
    if said is None:
        check_fd_last_copy_grad(answer)
        assert "5/5 cases passed ✓" in capsys.readouterr().out
    else:
        assert refusal(check_fd_last_copy_grad, answer).startswith(
            "check_fd_last_copy_grad: " + said
        )


def _last_copy_slip(slip):
    """A learner's difference in the last copy of w with one slip, its forward pass written out
    here (the state o_(T−1) by a loop of math.tanh)."""

    def fd(xs, y, u, w, v, eps=1e-6):
        o_prev = 0.0
        for x in xs[:-1]:
            o_prev = math.tanh(u * x + w * o_prev)

        def y_hat(w_T, v_=v):
            o = o_prev
            for x in xs if slip == "every input again" else xs[-1:]:
                o = math.tanh(u * x + w_T * o)
            return v_ * o

        def loss(w_T):
            return y_hat(w_T) if slip == "y_hat" else 0.5 * (y_hat(w_T) - y) ** 2

        if slip == "backward":
            return (loss(w) - loss(w - eps)) / eps
        if slip == "left minus right":
            return (loss(w - eps) - loss(w + eps)) / (2 * eps)
        if slip == "moved v":
            return (0.5 * (y_hat(w, v + eps) - y) ** 2 - 0.5 * (y_hat(w, v - eps) - y) ** 2) / (
                2 * eps
            )
        return (loss(w + eps) - loss(w - eps)) / (2 * eps)

    return fd


@pytest.mark.parametrize(
    ("slip", "key"),
    [
        ("backward", "fd_backward_one_sided"),
        ("left minus right", "fd_left_minus_right"),
        ("y_hat", "fd_y_hat_difference"),
        ("every input again", "fd_whole_sequence_from_o_prev"),
        ("moved v", "fd_moved_v"),
    ],
)
def test_fd_last_copy_grad_names_more_slips(slip, key):
    assert_slip_named(check_fd_last_copy_grad, _last_copy_slip(slip), key)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_every_copy, "that is dL/dw, with every copy of w moved"),
        (_last_step_from_zero, "0: the copy you moved multiplies o₀ = 0"),
        (_first_copy, "0: the copy you moved multiplies o₀ = 0"),
        (_one_sided_by_hand, "a one-sided difference (L(w⁽ᵀ⁾ + ε) − L(w⁽ᵀ⁾))/ε"),
        (
            lambda xs, y, u, w, v, eps=1e-6: _share_by_hand(xs, y, u, w, v),
            "that is the derivative itself, whatever eps is",
        ),
        (_hard_coded_eps, "that is the derivative itself, whatever eps is"),
        (
            lambda xs, y, u, w, v: _fd_by_hand(xs, y, u, w, v),
            "your function takes no eps: write it as fd_last_copy_grad(xs, y, u, w, v, eps=1e-6)",
        ),
    ],
    ids=[
        "every copy",
        "last step from zero",
        "first copy",
        "one-sided",
        "exact formula",
        "eps ignored",
        "no eps parameter",
    ],
)
def test_fd_last_copy_grad_check_names_the_slips(answer, said):
    with pytest.raises(AssertionError) as err:
        check_fd_last_copy_grad(answer)
    assert str(err.value).splitlines()[0].startswith("check_fd_last_copy_grad: " + said)


@pytest.mark.parametrize(
    ("source", "called"),
    [
        (
            "def fd_last_copy_grad(xs, y, u, w, v, eps=1e-6):\n"
            "    return scalar.backward(scalar.forward(xs, u, w, v), y).dw_steps[-1]\n",
            "scalar.backward",
        ),
        (
            "from rnnlib.scalar import backward as b\n"
            "def fd_last_copy_grad(xs, y, u, w, v, eps=1e-6):\n"
            "    return b(scalar.forward(xs, u, w, v), y).dw_steps[-1]\n",
            "scalar.backward",
        ),
        (
            "def fd_last_copy_grad(xs, y, u, w, v, eps=1e-6):\n"
            "    return scalar.last_step_factors(xs, y, u, w, v)['dL_dw_T']\n",
            "scalar.last_step_factors, which runs scalar.backward",
        ),
        (
            "from rnnlib.scalar import backward as b\n"
            "class Last:\n"
            "    def __call__(self, xs, y, u, w, v, eps=1e-6):\n"
            "        return b(scalar.forward(xs, u, w, v), y).dw_steps[-1]\n"
            "fd_last_copy_grad = Last()\n",
            "scalar.backward",
        ),
    ],
    ids=["scalar.backward", "backward-imported-as-b", "last_step_factors", "callable-object"],
)
def test_fd_last_copy_grad_check_refuses_the_backward_pass(source, called):
    """The exercise asks for finite differences of scalar.forward and scalar.loss: the right
    number from rnnlib's backward pass is refused, and rnnlib's functions are given back."""
    backward = scalar.backward
    namespace = {"np": np, "scalar": scalar}
    exec(source, namespace)
    held = namespace.get("b")
    with pytest.raises(AssertionError) as err:
        check_fd_last_copy_grad(namespace["fd_last_copy_grad"])
    assert str(err.value) == (
        f"check_fd_last_copy_grad: you called {called}: it computes the gradient; find dL/dw⁽ᵀ⁾ "
        "by a central difference of scalar.forward and scalar.loss"
    )
    assert scalar.backward is backward and namespace.get("b") is held


def test_the_exercise_checks_fd_last_copy_grad_with_its_checker():
    cell = _check_cell("check_fd_last_copy_grad(fd_last_copy_grad)")
    assert cell.strip() == "check_fd_last_copy_grad(fd_last_copy_grad)"


def _halved_distance(xs, y, u, w, v, eps=1e-6):
    """A central difference in the last copy, divided by ε instead of 2ε (twice _fd_by_hand's:
    the same two losses, a denominator half as large)."""
    return 2 * _fd_by_hand(xs, y, u, w, v, eps)


def _last_step_after_all_steps(xs, y, u, w, v, eps=1e-6):
    """The last step run again from o_T (the state after every input), its copy moved."""
    o_T = 0.0
    for x in xs:
        o_T = math.tanh(u * x + w * o_T)

    def loss(w_T):
        return 0.5 * (v * math.tanh(u * xs[-1] + w_T * o_T) - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            _halved_distance,
            "twice the share: your two points are twice as far apart as you divide by "
            "(w⁽ᵀ⁾ ± ε: divide by 2ε; ± 2ε: by 4ε), or your loss is missing its ½ (use "
            "scalar.loss)",
        ),
        (
            _last_step_after_all_steps,
            "you ran the last step from o_T, the state it makes: start it from o_(T−1), "
            "scalar.forward(xs[:-1], u, w, v).o[-1] (the run without the last input)",
        ),
    ],
    ids=["divided-by-eps", "last-step-from-o_T"],
)
def test_fd_last_copy_grad_names_a_halved_distance_and_a_start_one_step_late(answer, said):
    """They used to be told only "wrong value for the lessons' example, T = 4"."""
    with pytest.raises(AssertionError) as err:
        check_fd_last_copy_grad(answer)
    assert str(err.value).splitlines()[0] == "check_fd_last_copy_grad: " + said


def test_the_activation_itself_for_its_slope_is_named():
    """o_T (= tanh(a_T), resp. σ(a_T)) where the slope belongs; it used to be told only "wrong
    value" (tanh) or "dL/dw⁽ᵀ⁾, dL/db⁽ᵀ⁾ are wrong" (the sigmoid)."""
    with pytest.raises(AssertionError) as err:
        check_last_step_grad(lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * o_T * o_prev)
    assert str(err.value).splitlines()[0] == (
        "check_last_step_grad: o_T = tanh(a_T) where its slope belongs: tanh′(a_T) = 1 − o_T²; "
        "dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_prev"
    )

    def with_sigma_itself(dL_dyhat, v, o_T, o_prev):
        da = dL_dyhat * v * o_T
        return da * o_prev, da

    with pytest.raises(AssertionError) as err:
        check_sigmoid_last_step_grads(with_sigma_itself)
    assert str(err.value).splitlines()[0] == (
        "check_sigmoid_last_step_grads: o_T = σ(a_T) where its slope belongs: "
        "σ′(a_T) = o_T(1 − o_T) (dL/dw⁽ᵀ⁾, dL/db⁽ᵀ⁾ wrong)"
    )


def test_the_prose_before_the_fd_check_does_not_count_its_slips_short():
    """It said the check "names two slips" (moving every copy, the last step from o₀ = 0); the
    checker names more (a one-sided difference, a distance ε, the last step from o_T)."""
    root = Path(__file__).resolve().parents[1]
    for folder in ("solutions", "exercises"):
        nb = nbformat.read(root / folder / "03_one_step_back.ipynb", as_version=4)
        (text,) = [
            c.source
            for c in nb.cells
            if c.cell_type == "markdown" and c.source.startswith("The check compares with the last")
        ]
        assert "two slips" not in text
        assert "$o_0 = 0$" in text and "$o_T$" in text
    assert len(check_fd_last_copy_grad.mistakes) > 2


# -- sigmoid_unit_forward: the states by hand, and one input check at its entry ------------------


def test_sigmoid_unit_forward_is_the_recurrence_by_hand():
    xs, u, w, b, o0 = [0.5, -1.0, 2.0], 0.7, -1.3, 0.4, 0.25
    want = [o0]
    for x in xs:
        want.append(1.0 / (1.0 + math.exp(-(u * x + w * want[-1] + b))))
    np.testing.assert_allclose(sigmoid_unit_forward(xs, u, w, b, o0), want, rtol=1e-14)
    # far in the tails, no overflow warning and the limits 0 and 1 (e^(−a) overflows for a ≪ 0)
    with np.errstate(all="raise"):
        o = sigmoid_unit_forward(np.array([-1e3, 1e3]), 1.0, 0.0, 0.0)
    assert o[1] == 0.0 and o[2] == 1.0


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            (np.zeros((2, 3)), 1.0, 1.0, 0.0),
            "xs: expected a 1-d sequence of T >= 1 inputs, shape (T,), got shape (2, 3)",
        ),
        (
            ([], 1.0, 1.0, 0.0),
            "xs: expected a 1-d sequence of T >= 1 inputs, shape (T,), got shape (0,)",
        ),
        (([0.1, np.nan], 1.0, 1.0, 0.0), "xs: expected finite values, got nan at index (1,)"),
        (("abc", 1.0, 1.0, 0.0), "xs: expected an array of real numbers, got str"),
        (([0.1], None, 1.0, 0.0), "u: expected a real number (a scalar), got None"),
        (
            ([0.1], 1.0, np.array([1.0, 2.0]), 0.0),
            "w: expected a real number (a scalar), got ndarray of shape (2,)",
        ),
        (([0.1], 1.0, 1.0, np.inf), "b: expected a finite number, got inf"),
        (([0.1], 1.0, 1.0, 0.0, "0"), "o0: expected a real number (a scalar), got str"),
        (([0.1], 1.0, 1.0, 1j), "b: expected a real number (a scalar), got a complex number"),
    ],
    ids=[
        "xs-2d",
        "xs-empty",
        "xs-nan",
        "xs-text",
        "u-none",
        "w-array",
        "b-inf",
        "o0-text",
        "b-complex",
    ],
)
def test_sigmoid_unit_forward_names_a_bad_argument(args, said):
    with pytest.raises(ValueError) as excinfo:
        sigmoid_unit_forward(*args)
    assert str(excinfo.value).startswith(said), str(excinfo.value)


# -- slips added after a learner's walk-through: each wrong answer written here by hand ----------


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            lambda g, v, o, p: g * v * 1 - o**2 * p,
            "dL/dŷ·v − o_T²·o_prev: `... * 1 - o_T**2 * o_prev` lacks parentheses",
        ),
        (lambda g, v, o, p: g * v * (1 - o) * (1 - o) * p, "(1 − o_T)² where (1 − o_T²) belongs"),
        (
            lambda g, v, o, p: g * v * (1 - o * o) * (1 - p * p) * p,
            "extra factor (1 − o_prev²): o_(T−1) is held fixed",
        ),
    ],
    ids=["parentheses", "difference-squared", "extra-tanh-prime"],
)
def test_last_step_grad_names_more_slips(answer, says):
    with pytest.raises(AssertionError) as excinfo:
        check_last_step_grad(answer)
    assert str(excinfo.value).startswith(f"check_last_step_grad: {says}")


def _fd_from(xs, y, u, w, v, eps, start):
    """The last step's central difference in w⁽ᵀ⁾, that step run from the state after the
    inputs xs[:start], written here with math.tanh."""
    o = 0.0
    for x in list(xs)[:start]:
        o = math.tanh(u * x + w * o)

    def loss(w_T):
        return 0.5 * (v * math.tanh(u * xs[-1] + w_T * o) - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def test_fd_last_copy_grad_names_a_start_two_states_early():
    with pytest.raises(AssertionError) as excinfo:
        check_fd_last_copy_grad(lambda xs, y, u, w, v, eps=1e-6: _fd_from(xs, y, u, w, v, eps, -2))
    assert str(excinfo.value).startswith(
        "check_fd_last_copy_grad: you ran the last step from o_(T−2), one state too early"
    )
    # and from o_(T−1), the same hand-written difference passes (the reference is independent)
    check_fd_last_copy_grad(lambda xs, y, u, w, v, eps=1e-6: _fd_from(xs, y, u, w, v, eps, -1))


def test_fd_last_copy_grad_says_what_o_prev_is_when_T_is_1():
    def no_case_for_T_1(xs, y, u, w, v, eps=1e-6):
        o_prev = scalar.forward(xs[:-1], u, w, v).o[-1]  # refuses the empty xs[:-1] of T = 1

        def loss(w_T):
            return scalar.loss(scalar.forward(xs[-1:], u, w_T, v, o0=o_prev).y_hat, y)

        return (loss(w + eps) - loss(w - eps)) / (2 * eps)

    with pytest.raises(AssertionError) as excinfo:
        check_fd_last_copy_grad(no_case_for_T_1)
    text = str(excinfo.value)
    assert text.startswith(
        "check_fd_last_copy_grad: with T = 1 there is no earlier step: xs[:-1] is empty"
    )
    assert "case 2 of 5: random, T = 1" in text and "raised:   ValueError: xs:" in text


@pytest.mark.parametrize(
    "answer",
    [
        lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * (1 - o_T**2) ** 2 * o_prev,
        lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * (1 - o_T * o_T) * (1 - o_T * o_T) * o_prev,
    ],
    ids=["squared", "twice"],
)
def test_tanh_prime_squared_is_named(answer):
    assert refusal(check_last_step_grad, answer) == (
        "check_last_step_grad: (1 − o_T²)² where (1 − o_T²) belongs: tanh′(a) = 1 − tanh(a)², "
        "square o_T only; dL/dw⁽ᵀ⁾ = dL/dŷ · v · (1 − o_T²) · o_prev"
    )


# -- found by a learner's review of the exercise ------------------------------------------------


def _fd_of_loss_without_half(xs, y, u, w, v, eps=1e-6):
    """A central difference in the last copy, divided by 2ε as it should be, of a loss re-typed
    as (ŷ − y)² without its ½: twice the share, like a difference divided by ε."""

    def loss(w_T):
        o = 0.0
        for t, x in enumerate(xs):
            o = math.tanh(u * x + (w_T if t == len(xs) - 1 else w) * o)
        return (v * o - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / (2 * eps)


def test_fd_last_copy_grad_of_a_loss_without_its_half_is_told_about_the_half():
    """It used to be told only "you divided by ε ... divide by 2ε", which it does."""
    first = refusal(check_fd_last_copy_grad, _fd_of_loss_without_half)
    assert first.startswith("check_fd_last_copy_grad: twice the share")
    assert "missing its ½" in first and "scalar.loss" in first


def _sigmoid_db_literal_zero(dL_dyhat, v, o_T, o_prev):
    """dL/dw⁽ᵀ⁾ right; dL/db⁽ᵀ⁾ written as the number 0 ("b does not get a gradient")."""
    g = dL_dyhat * v * o_T * (1 - o_T)
    return g * o_prev, 0.0


def test_sigmoid_db_returned_as_the_number_zero_is_named():
    """It used to be told "dL/db⁽ᵀ⁾: expected an array of shape (5,), got a single number", a
    shape problem, on the first case (arrays), where the slip is that dL/db⁽ᵀ⁾ is 0."""
    assert_slip_named(
        check_sigmoid_last_step_grads, _sigmoid_db_literal_zero, "bias_grad_zero_number"
    )
    first = refusal(check_sigmoid_last_step_grads, _sigmoid_db_literal_zero)
    assert "dL/db⁽ᵀ⁾ is 0" in first and "shape" not in first


# -- more slips written by hand, each named alone (they used to get "... is wrong", or a wrong name)


def _fd_divided_by_2_times_eps(xs, y, u, w, v, eps=1e-6):
    """The central difference typed `(L(w + eps) - L(w - eps)) / 2*eps`."""

    def loss(w_T):
        o = 0.0
        for t, x in enumerate(xs):
            o = math.tanh(u * x + (w_T if t == len(xs) - 1 else w) * o)
        return 0.5 * (v * o - y) ** 2

    return (loss(w + eps) - loss(w - eps)) / 2 * eps


def test_fd_divided_by_2_then_times_eps_is_not_called_a_run_from_o_0():
    """`/ 2*eps` makes the quotient times ε², about 3e-13 at ε = 1e-6, within the tolerance of 0:
    it used to be named "0: the copy you moved multiplies o₀ = 0", a state the learner got right.
    At ε = 0.25 it is 0.2757 × 0.0625 ≈ 0.0172, not 0."""
    first = refusal(check_fd_last_copy_grad, _fd_divided_by_2_times_eps)
    assert "o₀ = 0" not in first
    assert_slip_named(
        check_fd_last_copy_grad, _fd_divided_by_2_times_eps, "fd_divided_by_2_times_eps"
    )
    wide = fd_last_copy_grad_cases()[-1]
    assert _fd_divided_by_2_times_eps(**wide.args) == pytest.approx(
        _fd_by_hand(**wide.args) * 0.25**2, rel=1e-12
    )


def test_a_learner_who_returns_0_is_still_told_about_o_0():
    assert_slip_named(check_fd_last_copy_grad, lambda *args: 0.0, "fd_last_step_from_zero")


MORE_SIGMOID_SLIPS = [
    (
        "sigmoid_missing_dL_dyhat",
        lambda dL_dyhat, v, o_T, o_prev: _sigmoid_slip()(1.0, v, o_T, o_prev),
    ),
    (
        "sigmoid_slope_at_prev",
        lambda dL_dyhat, v, o_T, o_prev: (
            dL_dyhat * v * o_prev * (1 - o_prev) * o_prev,
            dL_dyhat * v * o_prev * (1 - o_prev),
        ),
    ),
]


@pytest.mark.parametrize(
    ("key", "answer"), MORE_SIGMOID_SLIPS, ids=[k for k, _ in MORE_SIGMOID_SLIPS]
)
def test_more_sigmoid_slips_written_by_hand_are_named(key, answer):
    assert_slip_named(check_sigmoid_last_step_grads, answer, key)


def test_v_missing_from_the_bias_alone_is_not_said_to_be_missing_from_both():
    """dL/db⁽ᵀ⁾ = dL/dŷ·σ′ without v, dL/dw⁽ᵀ⁾ right: the message named v "missing in both"."""

    def answer(dL_dyhat, v, o_T, o_prev):
        return dL_dyhat * v * o_T * (1 - o_T) * o_prev, dL_dyhat * o_T * (1 - o_T)

    first = refusal(check_sigmoid_last_step_grads, answer)
    assert first.startswith("check_sigmoid_last_step_grads: dL/db⁽ᵀ⁾: missing factor v"), first
    assert "both" not in first, first


def test_an_if_on_an_array_is_told_it_needs_no_special_case():
    """`if o_prev == 0: return 0.0` (for T = 1) raises on the case of arrays; it was reported as a
    bare "raised ValueError: The truth value of an array ... is ambiguous"."""

    def last_step_grad(dL_dyhat, v, o_T, o_prev):
        if o_prev == 0:
            return 0.0
        return dL_dyhat * v * (1 - o_T**2) * o_prev

    first = refusal(check_last_step_grad, last_step_grad)
    assert first.startswith("check_last_step_grad: an `if` on an array"), first
    assert "o_prev = 0 gives 0 by itself" in first


def test_a_size_where_a_signed_state_belongs_is_not_told_it_has_the_wrong_sign():
    """|o_prev| for o_prev is the right gradient where o_prev > 0 and its negative where
    o_prev < 0 (case 1): "wrong sign" explains case 1 only, and a case where the answer is right
    shows the learner does not make that mistake, so it is not named."""
    first = refusal(
        check_last_step_grad,
        lambda dL_dyhat, v, o_T, o_prev: dL_dyhat * v * (1 - o_T**2) * np.abs(o_prev),
    )
    assert "wrong sign" not in first and first.startswith("check_last_step_grad: wrong value"), (
        first
    )


def test_fd_of_every_copy_is_named_on_every_case_the_wide_step_too():
    """The mistake is the learner's difference quotient itself (every copy moved, at the eps
    given), so it explains the wide-step case too: named without doubt."""
    assert "look there too" not in refusal(check_fd_last_copy_grad, _every_copy)
