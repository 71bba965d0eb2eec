"""Lesson 01's checkers (rnnlib.course.lesson01): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below."""

import math
import re
import types
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest
from checks_support import assert_slip_named, first_line, refusal
from figure_support import data_lines, line_pixels, notebook_figure, points_inside

from rnnlib import numerical_gradient
from rnnlib.checks import check_answer
from rnnlib.course.lesson01 import (
    CHECKERS,
    FIGURES,
    QUESTIONS,
    check_loss,
    check_loss_grad,
    check_loss_grad_fd,
    loss_explorer,
    tangent_line,
)


def _loss(y_hat, y):
    return 0.5 * (np.asarray(y_hat, dtype=float) - y) ** 2


def _loss_grad(y_hat, y):
    return np.subtract(y_hat, y)


loss = _loss  # the name exercise 01 gives the learner's loss: check_loss_grad_fd watches it


def _loss_grad_fd(y_hat, y, eps):
    """A central difference of the half squared error written here, not rnnlib's."""
    return (loss(np.add(y_hat, eps), y) - loss(np.subtract(y_hat, eps), y)) / (2 * eps)


RIGHT = {
    "check_loss": (_loss, 7),
    "check_loss_grad": (_loss_grad, 7),
    "check_loss_grad_fd": (_loss_grad_fd, 7),
}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_loss": {"missing_half", "seed_loss", "negated_difference"},
    "check_loss_grad": {"wrong_sign_grad", "extra_two", "abs_grad"},
    "check_loss_grad_fd": {"fd_divided_by_eps", "fd_nudged_y", "fd_forward"},
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_plain_python_scalars_pass_too(capsys):
    """A learner who writes `0.5 * (y_hat - y) ** 2` gets Python floats for scalars and arrays
    for arrays; both forms are accepted."""
    check_loss(lambda y_hat, y: 0.5 * (y_hat - y) ** 2)
    check_loss_grad(lambda y_hat, y: y_hat - y)
    assert capsys.readouterr().out.count("passed ✓") == 2


def test_message_shows_case_inputs_expected_and_got():
    with pytest.raises(AssertionError) as excinfo:
        check_loss(lambda y_hat, y: 0.5 * (y_hat - y) ** 2 + 0.01)
    lines = str(excinfo.value).splitlines()
    assert lines[0] == "check_loss: wrong value for scalars, ŷ above y"
    assert lines[1] == "  case 1 of 7: scalars, ŷ above y"
    assert lines[2] == "  inputs:   y_hat = 2.5, y = 1.0"
    assert lines[3] == "  expected: 1.125"  # ½(2.5 − 1)² by hand
    assert lines[4] == "  got:      1.135"


def test_an_answer_right_for_scalars_but_not_arrays_names_the_array_case():
    with pytest.raises(AssertionError) as excinfo:
        check_loss(lambda y_hat, y: 0.5 * math.pow(y_hat - y, 2))
    assert first_line(excinfo) == (
        "check_loss: a function for one number at a time (math.pow, math.tanh, math.exp, "
        "float...) was given an array: use numpy's operators and functions (**, np.tanh, "
        "np.exp), which act entry by entry"
    )
    assert "case 6 of 7: arrays of shape (5,)" in str(excinfo.value)
    assert "  raised:   TypeError: only" in str(excinfo.value)  # numpy's words, kept below
    assert isinstance(excinfo.value.__cause__, TypeError)


@pytest.mark.parametrize(
    "answer",
    [
        lambda y_hat, y: 0.5 * float(y_hat - y) ** 2,
        lambda y_hat, y: 0.5 * math.exp(2 * math.log(abs(y_hat - y) + 1e-300)),
    ],
    ids=["float", "math.exp"],
)
def test_float_of_an_array_is_told_to_use_numpy(answer):
    """float() of an array is the same slip as math.pow: numpy's TypeError is named in words
    (its wording differs between numpy versions: "only 0-dimensional", "only length-1" or
    "only size-1 arrays can be converted to Python scalars")."""
    assert refusal(check_loss, answer).startswith(
        "check_loss: a function for one number at a time (math.pow, math.tanh, math.exp, "
        "float...) was given an array"
    )


# valid answers written other ways: each passes
LOSS_FORMS = {
    "product over 2": lambda y_hat, y: (y_hat - y) * (y_hat - y) / 2,
    "np.square": lambda y_hat, y: 0.5 * np.square(np.subtract(y_hat, y)),
    "expanded": lambda y_hat, y: 0.5 * (y_hat * y_hat - 2 * y_hat * y + y * y),
    "np.vectorize": np.vectorize(lambda a, b: 0.5 * (a - b) ** 2),
}
GRAD_FORMS = {
    "negated y - y_hat": lambda y_hat, y: -(y - y_hat),
    "np.subtract": np.subtract,
    "loop over entries": lambda y_hat, y: (
        np.array([a - b for a, b in zip(np.ravel(y_hat), np.ravel(y), strict=True)]).reshape(
            np.shape(y_hat)
        )
        if np.ndim(y_hat)
        else y_hat - y
    ),
}
FD_FORMS = {
    "mean of forward and backward": lambda y_hat, y, eps: (
        0.5
        * (
            (loss(y_hat + eps, y) - loss(y_hat, y)) / eps
            + (loss(y_hat, y) - loss(y_hat - eps, y)) / eps
        )
    ),
    "symmetric half steps": lambda y_hat, y, eps: (
        (loss(y_hat + eps / 2, y) - loss(y_hat - eps / 2, y)) / eps
    ),
    "np.vectorize": np.vectorize(lambda a, b, e: (loss(a + e, b) - loss(a - e, b)) / (2 * e)),
}


@pytest.mark.parametrize(
    ("checker", "form"),
    [(check_loss, f) for f in LOSS_FORMS.values()]
    + [(check_loss_grad, f) for f in GRAD_FORMS.values()]
    + [(check_loss_grad_fd, f) for f in FD_FORMS.values()],
    ids=[f"loss-{k}" for k in LOSS_FORMS]
    + [f"grad-{k}" for k in GRAD_FORMS]
    + [f"fd-{k}" for k in FD_FORMS],
)
def test_valid_alternative_forms_pass(checker, form, capsys):
    checker(form)
    assert "7/7 cases passed ✓" in capsys.readouterr().out


# Every catalogued mistake as a learner writes it, by hand: the catalogue's formula must be the
# learner's (a catalogue entry whose formula drifted, or was dropped, would name nothing).
SLIPS = [
    (check_loss, "seed_loss", lambda y_hat, y: y_hat - y),
    (check_loss, "negated_difference", lambda y_hat, y: y - y_hat),
    (check_loss, "missing_half", lambda y_hat, y: (y_hat - y) ** 2),
    (check_loss, "half_squared_too", lambda y_hat, y: (0.5 * (y_hat - y)) ** 2),
    (check_loss, "no_square", lambda y_hat, y: 0.5 * (y_hat - y)),
    (check_loss, "absolute_error", lambda y_hat, y: np.abs(y_hat - y)),
    (check_loss, "squares_subtracted", lambda y_hat, y: 0.5 * (y_hat**2 - y**2)),
    (check_loss, "dropped_constant", lambda y_hat, y: 0.5 * y_hat**2 - y_hat * y),
    (check_loss, "signed_square", lambda y_hat, y: 0.5 * (y_hat - y) * np.abs(y_hat - y)),
    (check_loss, "loss_summed", lambda y_hat, y: np.sum(0.5 * (y_hat - y) ** 2)),
    (check_loss, "loss_averaged", lambda y_hat, y: np.mean(0.5 * (y_hat - y) ** 2)),
    (check_loss_grad, "wrong_sign_grad", lambda y_hat, y: y - y_hat),
    (check_loss_grad, "abs_grad", lambda y_hat, y: np.abs(y_hat - y)),
    (check_loss_grad, "extra_two", lambda y_hat, y: 2 * (y_hat - y)),
    (check_loss_grad, "missing_power_rule_two", lambda y_hat, y: 0.5 * (y_hat - y)),
    (check_loss_grad, "returned_the_loss", lambda y_hat, y: 0.5 * (y_hat - y) ** 2),
    (check_loss_grad, "returned_squared_error", lambda y_hat, y: (y_hat - y) ** 2),
    (check_loss_grad, "slope_of_seed_loss", lambda y_hat, y: np.ones_like(y_hat)),
    (check_loss_grad, "dropped_y", lambda y_hat, y: y_hat),
    (check_loss_grad, "sign_only", lambda y_hat, y: np.sign(y_hat - y)),
    (check_loss_grad, "grad_summed", lambda y_hat, y: np.sum(y_hat - y)),
    (check_loss_grad, "grad_averaged", lambda y_hat, y: np.mean(y_hat - y)),
    (check_loss, "plus_for_minus", lambda y_hat, y: 0.5 * (y_hat + y) ** 2),
    (check_loss, "loss_over_size", lambda y_hat, y: 0.5 * (y_hat - y) ** 2 / np.size(y_hat)),
    (check_loss_grad, "grad_plus_for_minus", lambda y_hat, y: y_hat + y),
    (check_loss_grad, "grad_over_size", lambda y_hat, y: (y_hat - y) / np.size(y_hat)),
    (check_loss_grad, "grad_times_y_hat", lambda y_hat, y: y_hat * (y_hat - y)),
    (
        check_loss_grad_fd,
        "fd_divided_by_eps",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / eps,
    ),
    (
        check_loss_grad_fd,
        "fd_nudged_y",
        lambda y_hat, y, eps: (loss(y_hat, y + eps) - loss(y_hat, y - eps)) / (2 * eps),
    ),
    (
        check_loss_grad_fd,
        "fd_forward",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) - loss(y_hat, y)) / eps,
    ),
    (
        check_loss_grad_fd,
        "fd_backward",
        lambda y_hat, y, eps: (loss(y_hat, y) - loss(y_hat - eps, y)) / eps,
    ),
    (
        check_loss_grad_fd,
        "fd_divided_by_2_times_eps",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / 2 * eps,
    ),
    (
        check_loss_grad_fd,
        "fd_not_divided",
        lambda y_hat, y, eps: loss(y_hat + eps, y) - loss(y_hat - eps, y),
    ),
    (
        check_loss_grad_fd,
        "fd_summed",
        lambda y_hat, y, eps: np.sum((loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)),
    ),
    (
        check_loss_grad_fd,
        "fd_losses_added",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) + loss(y_hat - eps, y)) / (2 * eps),
    ),
    (
        check_loss_grad_fd,
        "fd_divided_by_2_only",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / 2,
    ),
    (
        check_loss_grad_fd,
        "fd_divided_by_eps_times_2",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / eps * 2,
    ),
    (
        check_loss_grad_fd,
        "fd_forward_over_2eps",
        lambda y_hat, y, eps: (loss(y_hat + eps, y) - loss(y_hat, y)) / (2 * eps),
    ),
    (check_loss, "half_absolute_error", lambda y_hat, y: 0.5 * np.abs(y_hat - y)),
    (
        check_loss_grad_fd,
        "fd_backward_over_2eps",
        lambda y_hat, y, eps: (loss(y_hat, y) - loss(y_hat - eps, y)) / (2 * eps),
    ),
    (
        check_loss_grad_fd,
        "fd_error_unchanged",
        lambda y_hat, y, eps: (loss(y_hat + eps, y + eps) - loss(y_hat - eps, y - eps)) / (2 * eps),
    ),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"), SLIPS, ids=[f"{c.name}-{k}" for c, k, _ in SLIPS]
)
def test_each_slip_written_by_hand_is_named(checker, key, answer):
    assert_slip_named(checker, answer, key)


@pytest.mark.filterwarnings("ignore:Casting complex values to real")
def test_real_points_held_in_complex_numbers_pass(capsys):
    """ŷ ± ε held in a complex array with no imaginary part is a real step, not a complex one."""

    def complex_held(y_hat, y, eps):
        z = np.asarray(y_hat, dtype=complex)
        return np.real((loss(z + eps, y) - loss(z - eps, y)) / (2 * eps))

    check_loss_grad_fd(complex_held)
    assert capsys.readouterr().out == "check_loss_grad_fd: 7/7 cases passed ✓\n"


def test_finite_difference_slips_get_their_own_names_not_calculus_ones():
    """Dividing by ε instead of 2ε gives 2(ŷ − y), and nudging y gives y − ŷ: the same numbers
    as check_loss_grad's calculus slips, named here as what they are."""

    def by_eps(y_hat, y, eps):
        return (_loss(y_hat + eps, y) - _loss(y_hat - eps, y)) / eps

    def nudge_y(y_hat, y, eps):
        return (_loss(y_hat, y + eps) - _loss(y_hat, y - eps)) / (2 * eps)

    for answer, says in [
        (by_eps, "twice the slope: your two points are twice as far apart"),
        (nudge_y, "you nudged the target y"),
    ]:
        first = refusal(check_loss_grad_fd, answer)
        assert says in first
        assert "power rule" not in first and "(ŷ − y)²" not in first


def test_one_sided_difference_is_caught_by_a_large_step():
    """(L(ŷ + ε) − L(ŷ))/ε = (ŷ − y) + ε/2 exactly: with ε = 0.5 it is off by 0.25, far outside
    the tolerance; the case labels say which ε."""
    assert any(c.args["eps"] >= 0.25 for c in check_loss_grad_fd.cases())
    with pytest.raises(AssertionError) as excinfo:
        check_loss_grad_fd(lambda y_hat, y, eps: (_loss(y_hat + eps, y) - _loss(y_hat, y)) / eps)
    assert "forward" in first_line(excinfo) and "ε = " in str(excinfo.value)


def test_half_the_absolute_error_is_not_called_a_missing_square():
    """½|ŷ − y| equals ½(ŷ − y) on the first case (ŷ above y), not where ŷ < y: the learner did
    not return ½(ŷ − y), and the message must not say so."""
    first = refusal(check_loss, lambda y_hat, y: 0.5 * abs(y_hat - y))
    assert "½|ŷ − y|" in first and "missing square" not in first


def test_absolute_value_is_not_called_a_wrong_sign():
    first = refusal(check_loss_grad, lambda y_hat, y: abs(y_hat - y))
    assert "|ŷ − y|" in first and "wrong sign" not in first


def test_the_sign_alone_is_not_called_the_seeds_slope():
    """np.sign(ŷ − y) is 1 on the first case, like the seed's slope 1; over all cases it is the
    sign, and the message says so."""
    assert refusal(check_loss_grad, lambda y_hat, y: np.sign(y_hat - y)) == (
        "check_loss_grad: you returned only the sign of ŷ − y; its size matters too: dL/dŷ = ŷ − y"
    )


def test_a_central_difference_of_a_loss_without_its_half_is_not_blamed_on_eps_alone():
    """(ŷ − y)² in place of ½(ŷ − y)², differenced correctly, gives 2(ŷ − y), the same numbers
    as dividing by ε: the message names both causes."""

    def loss_without_half(y_hat, y):
        return (np.asarray(y_hat, dtype=float) - y) ** 2

    with pytest.raises(AssertionError) as excinfo:
        check_loss_grad_fd(
            lambda y_hat, y, eps: (
                (loss_without_half(y_hat + eps, y) - loss_without_half(y_hat - eps, y)) / (2 * eps)
            )
        )
    assert "your `loss` is missing its ½" in first_line(excinfo)


def test_the_difference_checkers_help_does_not_refuse_what_it_accepts(capsys):
    """help(check_loss_grad_fd) says which points it refuses; a central difference at ŷ ± ε/2
    (a valid answer written another way) passes, so the help must not say that every point
    other than ŷ ± ε is refused; the points it does refuse (far nearer to ŷ or farther than ε)
    are refused."""
    check_loss_grad_fd(FD_FORMS["symmetric half steps"])
    assert "passed ✓" in capsys.readouterr().out
    doc = " ".join(check_loss_grad_fd.__doc__.split())
    assert "points other than ŷ ± ε" not in doc
    assert "points far nearer to ŷ or farther from it than ε" in doc
    with pytest.raises(AssertionError) as excinfo:  # steps of ε/10 are refused, as the help says
        check_loss_grad_fd(
            lambda y_hat, y, eps: (
                (loss(y_hat + eps / 10, y) - loss(y_hat - eps / 10, y)) / (eps / 5)
            )
        )
    assert "only at points far nearer to ŷ or farther from it than eps" in first_line(excinfo)


def test_half_squared_and_operator_precedence_are_named():
    with pytest.raises(AssertionError) as excinfo:
        check_loss(lambda y_hat, y: (0.5 * (y_hat - y)) ** 2)
    assert first_line(excinfo).startswith("check_loss: you squared the ½ too: ")
    with pytest.raises(AssertionError) as excinfo:
        check_loss_grad_fd(
            lambda y_hat, y, eps: (_loss(y_hat + eps, y) - _loss(y_hat - eps, y)) / 2 * eps
        )
    assert first_line(excinfo).startswith("check_loss_grad_fd: `/ 2*eps` divides by 2, then ")


# -- graded questions ------------------------------------------------------------------------------


def test_lesson_01_has_at_least_two_questions():
    assert len(QUESTIONS) >= 2 and all(q.key.startswith("01.") for q in QUESTIONS)


def test_seed_loss_answer_and_choice_d_by_finite_differences():
    """(b): ŷ − y is dL/dŷ; (d) is wrong because dL/dy = y − ŷ (checked numerically)."""
    y_hat, y = 1.7, 0.4
    d_dyhat = numerical_gradient(lambda p: _loss(p[0], y), np.array([y_hat]))[0]
    d_dy = numerical_gradient(lambda p: _loss(y_hat, p[0]), np.array([y]))[0]
    assert d_dyhat == pytest.approx(y_hat - y, rel=1e-9)
    assert d_dy == pytest.approx(y - y_hat, rel=1e-9)
    check_answer("01.seed_loss", "b")
    with pytest.raises(AssertionError, match="dL/dy = "):
        check_answer("01.seed_loss", "d")


def test_central_difference_is_second_order_for_tanh():
    """Dividing ε by 10 divides the central difference's error by about 100 (second order), the
    forward difference's by about 10; for the quadratic loss the central one is exact."""
    x, exact = 0.7, 1 - math.tanh(0.7) ** 2
    central = [abs((math.tanh(x + e) - math.tanh(x - e)) / (2 * e) - exact) for e in (1e-2, 1e-3)]
    forward = [abs((math.tanh(x + e) - math.tanh(x)) / e - exact) for e in (1e-2, 1e-3)]
    assert 95 < central[0] / central[1] < 105
    assert 9 < forward[0] / forward[1] < 11
    check_answer("01.central_order", "b")
    for wrong in "acd":
        with pytest.raises(AssertionError, match=r"\(" + wrong + r"\) is not right"):
            check_answer("01.central_order", wrong)


def test_central_order_rounding_model_counts_the_rounded_step():
    """Choice (d) states the rounding error of the central difference: the rounded values of f
    (ε_mach·|f|/ε) and the rounded points x ± ε (ε_mach·|x|·|f′|/ε). At the worked example of
    lesson 01, L alone is low by about 2×; with the rounded step it bounds every error."""
    y_hat, y, u = 1.032984867021447, 0.5, 2.0**-53
    L, g = _loss(y_hat, y), y_hat - y
    eps = np.logspace(-12, -5, 29)
    err = np.array([abs((_loss(y_hat + e, y) - _loss(y_hat - e, y)) / (2 * e) - g) for e in eps])
    assert np.median(err / (u * L / eps)) > 1.5  # the old model, ε_mach·|L|/ε, is too small
    ratio = err / (u * (L + abs(y_hat) * abs(g)) / eps)
    assert np.all(ratio <= 1) and np.median(ratio) > 0.2
    with pytest.raises(AssertionError, match=r"about ε_mach·\(\|f\| \+ \|x\|·\|f′\|\)/ε"):
        check_answer("01.central_order", "d")


def test_forward_value_states_the_precision_it_takes(capsys):
    """The prompt and the notebook say three significant digits are enough (the value, 1.55,
    is exact)."""
    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "solutions" / "01_loss_and_its_derivative.ipynb", as_version=4)
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    (q,) = [q for q in QUESTIONS if q.choices is None]
    assert "Three significant digits are enough" in q.prompt
    assert "Three significant digits are enough" in markdown
    check_answer("01.forward_value", 1.55)
    assert "right ✓" in capsys.readouterr().out


def test_forward_value_by_hand():
    """(L(2.1) − L(2.0)) / 0.1 with y = 0.5: (½·1.6² − ½·1.5²) / 0.1 = (1.28 − 1.125) / 0.1."""
    assert (0.5 * 1.6**2 - 0.5 * 1.5**2) / 0.1 == pytest.approx(1.55, rel=1e-12)
    check_answer("01.forward_value", (1.28 - 1.125) / 0.1)
    for wrong, says in [(1.5, "dL/dŷ itself"), (1.45, "backward"), (1.6, "adds ε")]:
        with pytest.raises(AssertionError, match=says):
            check_answer("01.forward_value", wrong)


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        # the points in the wrong order: (L(2.0) − L(2.1)) / 0.1, by hand
        ((1.125 - 1.28) / 0.1, "the later point first"),
        # y left out: 2.0 + 0.1/2
        (2.0 + 0.05, "y stays in the slope"),
        # 1.5 + 0.1/4: between 1.505 and 1.55, nearer to 1.505, whose "½ε² without dividing
        # by ε" it is not
        (1.5 + 0.1 / 4, "that adds ε/4"),
    ],
)
def test_forward_value_near_misses_are_explained(wrong, says):
    with pytest.raises(AssertionError, match=says) as excinfo:
        check_answer("01.forward_value", wrong)
    assert "without dividing it by ε" not in str(excinfo.value)


def test_forward_value_near_a_slip_is_not_told_it_is_that_slip():
    """1.52 lies 0.005 from 1.525 (ε/4 added) and 0.03 from 1.55: it adds 0.02, not ε/4, so it
    is said to be near 1.525, not to add ε/4 itself; 1.525 itself is told it adds ε/4."""
    with pytest.raises(AssertionError) as excinfo:
        check_answer("01.forward_value", 1.52)
    assert str(excinfo.value).startswith(
        "check_answer('01.forward_value'): 1.52 is not right; it is near 1.525, which is what "
        "this slip gives: that adds ε/4"
    )
    with pytest.raises(AssertionError) as excinfo:
        check_answer("01.forward_value", 1.525)
    assert "1.525 is not right: that adds ε/4" in str(excinfo.value)


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 01's slider: the loss curve and its tangent, against the formulas written out by hand here
# and the tangent's slope against finite differences of the drawn curve's own formula.


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
    assert loss_explorer in FIGURES


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


@pytest.mark.parametrize(
    ("x", "match"),
    [
        ("2.0", r"^x: expected an array of real numbers, got str"),
        (None, r"^x: expected an array of real numbers, got None"),
        ([1.0, float("nan")], r"^x: expected finite values, got nan at index \(1,\)"),
    ],
)
def test_tangent_line_names_a_bad_x(x, match):
    # a string was numpy's "could not convert string to float", None a TypeError, and NaN
    # went through as a NaN tangent
    with pytest.raises(ValueError, match=match):
        tangent_line(1.9, 0.7, x)


def test_readout_shows_the_numbers(ex):
    ex.step(y_hat=-1.2, y=1.5)
    text = ex.readout()
    assert "3.6450" in text  # ½(−2.7)² = 3.645
    assert "-2.7000" in text and "increase ŷ" in text


def test_readout_at_the_minimum_and_with_a_negative_target(ex):
    # at ŷ = y the slope is 0: the readout said "stay: the minimum to lower L"
    ex.step(y_hat=0.5, y=0.5)
    text = ex.readout()
    assert "to lower L" not in text and "minimum" in text and "0.0000" in text
    # a negative target is bracketed: ½(+3.00 − (-1.00))² = ½·4² = 8
    ex.step(y_hat=3.0, y=-1.0)
    text = ex.readout()
    assert "½(+3.00 − (-1.00))² = 8.0000" in text and "decrease ŷ</b> to lower L" in text
    # and a positive one without a sign after the minus: ½(-2.00 − 2.00)², not − +2.00
    ex.step(y_hat=-2.0, y=2.0)
    assert "½(-2.00 − 2.00)² = 8.0000" in ex.readout()


def test_update_only_moves_artists(ex):
    fig_axes = list(ex.fig.axes)
    n_lines = len(ex.fig.axes[0].lines)
    ex.step(y_hat=2.2)
    assert list(ex.fig.axes) == fig_axes and len(ex.fig.axes[0].lines) == n_lines


def test_bad_defaults_name_the_argument():
    with pytest.raises(ValueError, match="y_hat"):
        loss_explorer(y_hat=float("nan"))


def _notebook(source):
    """A notebook's namespace after running ``source`` (as the exercise's cells would)."""
    namespace = {"__name__": "__main__", "np": np}
    exec(source, namespace)
    return namespace


LEARNERS_LOSS = "def loss(y_hat, y):\n    return 0.5 * (np.asarray(y_hat) - y) ** 2\n"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("return y_hat - y", "no call of your `loss` was seen"),
        ("return np.subtract(y_hat, y)", "no call of your `loss` was seen"),
        ("h = 1e-6\n    return (loss(y_hat + h, y) - loss(y_hat - h, y)) / (2 * h)", "far nearer"),
        ("h = 10.0\n    return (loss(y_hat + h, y) - loss(y_hat - h, y)) / (2 * h)", "farther"),
    ],
    ids=["the-formula", "np.subtract", "its-own-small-step", "its-own-large-step"],
)
def test_right_numbers_without_a_difference_at_eps_are_refused(body, says, capsys):
    """For this quadratic loss the central difference is ŷ − y exactly, whatever the step: the
    values alone cannot tell the formula, or a step of one's own, from the difference asked for."""
    notebook = _notebook(LEARNERS_LOSS + f"def loss_grad_fd(y_hat, y, eps):\n    {body}\n")
    before = dict(notebook)
    first = refusal(check_loss_grad_fd, notebook["loss_grad_fd"])
    assert first.startswith("check_loss_grad_fd: right numbers, but ")
    assert says in first
    assert "cases passed" not in capsys.readouterr().out
    assert notebook == before  # the learner's `loss` is given back


@pytest.mark.parametrize(
    "source",
    [
        LEARNERS_LOSS + "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n",
        LEARNERS_LOSS + "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(y=y, y_hat=y_hat + eps) - loss(y=y, y_hat=y_hat - eps)) / (2 * eps)\n",
        "from rnnlib.scalar import loss\n"
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n",
        LEARNERS_LOSS + "from rnnlib import scalar\n"
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (scalar.loss(y_hat + eps, y) - scalar.loss(y_hat - eps, y)) / (2 * eps)\n",
        LEARNERS_LOSS + "def slope(a, b, y):\n    return (loss(b, y) - loss(a, y)) / (b - a)\n"
        "def loss_grad_fd(y_hat, y, eps):\n    return slope(y_hat - eps, y_hat + eps, y)\n",
    ],
    ids=["own-loss", "keywords", "library-loss-by-name", "library-loss-by-module", "a-helper"],
)
def test_a_difference_at_eps_in_a_notebook_passes(source, capsys):
    notebook = _notebook(source)
    before = dict(notebook)
    check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out
    assert notebook == before


@pytest.mark.parametrize(
    "source",
    [
        "L = loss\ndef loss_grad_fd(y_hat, y, eps):\n"
        "    return (L(y_hat + eps, y) - L(y_hat - eps, y)) / (2 * eps)\n",
        "import functools\nP = functools.partial(loss)\ndef loss_grad_fd(y_hat, y, eps):\n"
        "    return (P(y_hat + eps, y) - P(y_hat - eps, y)) / (2 * eps)\n",
        "V = np.vectorize(loss)\ndef loss_grad_fd(y_hat, y, eps):\n"
        "    return (V(y_hat + eps, y) - V(y_hat - eps, y)) / (2 * eps)\n",
        "def loss_grad_fd(y_hat, y, eps, f=loss):\n"
        "    return (f(y_hat + eps, y) - f(y_hat - eps, y)) / (2 * eps)\n",
        "def loss_grad_fd(y_hat, y, eps, *, f=loss):\n"
        "    return (f(y_hat + eps, y) - f(y_hat - eps, y)) / (2 * eps)\n",
        "def central(f):\n    def g(y_hat, y, eps):\n"
        "        return (f(y_hat + eps, y) - f(y_hat - eps, y)) / (2 * eps)\n    return g\n"
        "loss_grad_fd = central(loss)\n",
        "def slope(a, b, y, f=loss):\n    return (f(b, y) - f(a, y)) / (b - a)\n"
        "def loss_grad_fd(y_hat, y, eps):\n    return slope(y_hat - eps, y_hat + eps, y)\n",
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(y_hat + eps / 2, y) - loss(y_hat - eps / 2, y)) / eps\n",
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return ((loss(y_hat + eps, y) - loss(y_hat, y)) / eps"
        " + (loss(y_hat, y) - loss(y_hat - eps, y)) / eps) / 2\n",
    ],
    ids=[
        "another-name",
        "functools.partial",
        "np.vectorize",
        "a-default-argument",
        "a-keyword-only-default",
        "a-closure",
        "a-helper-with-a-default",
        "half-steps",
        "mean-of-forward-and-backward",
    ],
)
def test_a_difference_of_the_learners_loss_held_another_way_passes(source, capsys):
    """The learner's `loss` is watched by identity wherever the notebook holds it: under another
    name, in a partial or np.vectorize, in a default argument or a closure cell."""
    notebook = _notebook(LEARNERS_LOSS + source)
    before = dict(notebook)
    defaults = [
        (v, v.__defaults__, v.__kwdefaults__)
        for v in before.values()
        if isinstance(v, types.FunctionType)
    ]
    check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out
    assert notebook == before
    for fn, held, kwheld in defaults:  # default arguments given back too
        assert fn.__defaults__ == held and fn.__kwdefaults__ == kwheld


def test_a_learners_loss_built_on_the_library_loss_is_not_changed_twice(capsys):
    """Both the learner's `loss` and rnnlib.scalar.loss are watched; a `loss` that calls
    scalar.loss is one call of `loss`, not two (the replay adds ŷ² once)."""
    notebook = _notebook(
        "from rnnlib import scalar\ndef loss(y_hat, y):\n    return scalar.loss(y_hat, y)\n"
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    )
    check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out


def test_a_loss_called_by_keywords_of_other_names_passes(capsys):
    notebook = _notebook(
        "def loss(a, b):\n    return 0.5 * (np.asarray(a) - b) ** 2\n"
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(b=y, a=y_hat + eps) - loss(b=y, a=y_hat - eps)) / (2 * eps)\n"
    )
    check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    "body",
    [
        "loss(y_hat + eps, y)\n    loss(y_hat - eps, y)\n    return y_hat - y",
        "return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps) * 0 + (y_hat - y)",
    ],
    ids=["calls-then-the-formula", "the-difference-times-0"],
)
def test_calls_of_loss_beside_the_formula_are_refused(body, capsys):
    """The result must follow what `loss` returns: run again with a loss L + ŷ², whose central
    difference is (ŷ − y) + 2ŷ, the formula still returns ŷ − y. First case by hand: ŷ = 2.5,
    y = 1: 1.5 + 2·2.5 = 6.5."""
    notebook = _notebook(LEARNERS_LOSS + f"def loss_grad_fd(y_hat, y, eps):\n    {body}\n")
    before = dict(notebook)
    with pytest.raises(AssertionError) as excinfo:
        check_loss_grad_fd(notebook["loss_grad_fd"])
    assert first_line(excinfo).startswith(
        "check_loss_grad_fd: right numbers, but your result does not come from the values "
        "`loss` returns: "
    )
    assert "returned 1.5, not 6.5, at y_hat = 2.5, y = 1, eps = 0.001" in first_line(excinfo)
    assert "cases passed" not in capsys.readouterr().out
    assert notebook == before


def test_a_complex_step_is_told_that_a_real_step_is_asked_for():
    """Im L(ŷ + iε)/ε is dL/dŷ too, but not the difference asked for; numpy's ComplexWarning
    (complex points cast to real) does not leak from the checker."""
    notebook = _notebook(
        LEARNERS_LOSS.replace("np.asarray(y_hat)", "y_hat")
        + "loss_grad_fd = lambda a, b, e: np.imag(loss(a + 1j * e, b)) / e\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AssertionError) as excinfo:
            check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "calls `loss` at complex points" in first_line(excinfo)
    assert "a real step" in first_line(excinfo) and "far nearer" not in first_line(excinfo)


def test_a_call_through_a_dict_cannot_be_seen_and_the_message_says_so():
    notebook = _notebook(
        LEARNERS_LOSS + "FS = {'L': loss}\ndef loss_grad_fd(y_hat, y, eps):\n"
        "    return (FS['L'](y_hat + eps, y) - FS['L'](y_hat - eps, y)) / (2 * eps)\n"
    )
    first = refusal(check_loss_grad_fd, notebook["loss_grad_fd"])
    assert "no call of your `loss` was seen" in first
    assert "call it as `loss(y_hat + eps, y)`" in first


def test_a_real_difference_beside_a_complex_call_passes(capsys):
    """A complex call is refused only when no real call lies at ŷ ± eps: a right central
    difference that also tries the complex step (to compare) passes."""
    notebook = _notebook(
        LEARNERS_LOSS + "def loss_grad_fd(y_hat, y, eps):\n"
        "    np.imag(loss(y_hat + 1j * eps, y)) / eps  # compared, not returned\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out


def test_a_callable_object_is_watched_like_a_function(capsys):
    """An instance of a class with ``__call__``: its method's namespace holds the learner's
    `loss`, so the formula is refused and the difference passes, as for a function."""
    notebook = _notebook(
        LEARNERS_LOSS
        + "class Formula:\n    def __call__(self, y_hat, y, eps):\n        return y_hat - y\n"
        + "class Difference:\n    def __call__(self, y_hat, y, eps):\n"
        + "        return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    )
    assert "no call of your `loss` was seen" in refusal(check_loss_grad_fd, notebook["Formula"]())
    check_loss_grad_fd(notebook["Difference"]())
    assert "7/7 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    "body",
    [
        "return (loss(y, y_hat + eps) - loss(y, y_hat - eps)) / (2 * eps)",
        "return (loss(y_hat=y, y=y_hat + eps) - loss(y_hat=y, y=y_hat - eps)) / (2 * eps)",
    ],
    ids=["positional", "keywords"],
)
def test_swapped_arguments_of_loss_are_named(body):
    """loss(y, ŷ ± ε) gives the right numbers (this loss is symmetric); it used to be told
    "points far nearer to ŷ or farther from it than eps"."""
    notebook = _notebook(LEARNERS_LOSS + f"def loss_grad_fd(y_hat, y, eps):\n    {body}\n")
    assert refusal(check_loss_grad_fd, notebook["loss_grad_fd"]) == (
        "check_loss_grad_fd: right numbers, but your loss_grad_fd calls `loss(y, y_hat ± eps)`: "
        "the arguments are swapped (this loss is symmetric, so the numbers agree); `loss` takes "
        "ŷ first: call `loss(y_hat + eps, y)`"
    )


@pytest.mark.parametrize(
    "body",
    [
        "return (loss(y_hat, y - eps) - loss(y_hat, y + eps)) / (2 * eps)",
        "return -(loss(y_hat, y + eps) - loss(y_hat, y - eps)) / (2 * eps)",
    ],
)
def test_moving_y_instead_of_y_hat_is_named(body):
    """dL/dy = −dL/dŷ for this loss, so a difference over y with the sign flipped gives the
    right numbers; it used to be told "points far nearer to ŷ or farther from it than eps"."""
    notebook = _notebook(LEARNERS_LOSS + f"def loss_grad_fd(y_hat, y, eps):\n    {body}\n")
    assert refusal(check_loss_grad_fd, notebook["loss_grad_fd"]).startswith(
        "check_loss_grad_fd: right numbers, but your loss_grad_fd moves y, not ŷ: it calls "
        "`loss(y_hat, y ± eps)`"
    )


@pytest.mark.parametrize(
    ("inside", "what"),
    [
        ("def loss(a, b):\n        return 0.5 * (a - b) ** 2", "a `loss`"),
        ("loss = lambda a, b: 0.5 * (a - b) ** 2", "a lambda"),
    ],
    ids=["def", "lambda"],
)
def test_a_loss_defined_inside_is_told_to_call_the_learners_loss(inside, what):
    """It used to be told "no call of your `loss` was seen ... not from the formula ŷ − y"."""
    notebook = _notebook(
        LEARNERS_LOSS + f"def loss_grad_fd(y_hat, y, eps):\n    {inside}\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    )
    assert refusal(check_loss_grad_fd, notebook["loss_grad_fd"]) == (
        f"check_loss_grad_fd: right numbers, but your loss_grad_fd computes the loss with {what} "
        "defined inside it, not with the `loss` you wrote above (the one check_loss checks): "
        "call that one, `loss(y_hat + eps, y)`, and define no loss of your own"
    )


def test_a_comprehension_over_the_two_points_passes(capsys):
    """Calls of the learner's `loss` inside a comprehension and a lambda are seen: no own loss."""
    notebook = _notebook(
        LEARNERS_LOSS + "def loss_grad_fd(y_hat, y, eps):\n"
        "    at = lambda s: loss(y_hat + s * eps, y)\n"
        "    up, down = [at(s) for s in (1, -1)]\n"
        "    return (up - down) / (2 * eps)\n"
    )
    check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("branch", "where"),
    [
        ("if np.all(y_hat == y):\n        return 0.0", "at y_hat = 0.3, y = 0.3, eps = 0.001"),
        ("if eps > 0.4:\n        return y_hat - y", "at y_hat = -1.3, y = 0.8, eps = 0.5"),
    ],
    ids=["perfect-prediction-shortcut", "formula-on-one-case"],
)
def test_a_case_with_no_call_of_loss_is_named(branch, where):
    """A difference on every case but one, where a branch returns early without calling `loss`:
    it used to be told "calls `loss` only at points far nearer to ŷ or farther from it than
    eps", a step it never took. The case is the checker's third (ŷ = y = 0.3, ε = 1e-3) or
    second (ŷ = −1.3, y = 0.8, ε = 0.5)."""
    notebook = _notebook(
        LEARNERS_LOSS + f"def loss_grad_fd(y_hat, y, eps):\n    {branch}\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    )
    first = refusal(check_loss_grad_fd, notebook["loss_grad_fd"])
    assert first.startswith(
        "check_loss_grad_fd: right numbers, but on one case your loss_grad_fd called no `loss` "
        f"at all ({where})"
    )
    assert "far nearer" not in first


def test_dropping_y_from_the_derivative_is_named():
    """ŷ alone (y is a constant, so it was dropped): it used to be told only "wrong value"."""
    assert refusal(check_loss_grad, lambda y_hat, y: y_hat) == (
        "check_loss_grad: you returned ŷ: y is held fixed, but it stays inside the error; "
        "d/dŷ of ½(ŷ − y)² is (ŷ − y)·1: dL/dŷ = ŷ − y"
    )


@pytest.mark.parametrize(
    ("x", "fix"),
    [
        (np.array([1, 2]), "got an ndarray of dtype int64; pass x.astype(float)"),
        (1.03, "got float; pass np.array([x]) for one number"),
        (
            [1.03, 0.5],
            "got list; pass np.array([x]) for one number, np.asarray(x, float) for a list",
        ),
    ],
)
def test_numerical_gradient_says_what_x_to_pass(x, fix):
    # lesson 01 introduces the referee with np.array([y_hat]); a learner passing the number, a
    # list or an integer array was told what was wrong but not what to pass instead
    from rnnlib import numerical_gradient

    with pytest.raises(ValueError, match=r"^x: expected a float ndarray .*, " + re.escape(fix)):
        numerical_gradient(lambda p: float(np.sum(p**2)), x)


# -- slips added after a learner's walk-through: each wrong answer written here by hand ----------


def test_the_squared_error_for_the_derivative_is_named():
    with pytest.raises(AssertionError) as excinfo:
        check_loss_grad(lambda y_hat, y: (y_hat - y) * (y_hat - y))
    assert first_line(excinfo).startswith(
        "check_loss_grad: you returned the squared error (ŷ − y)², not a derivative"
    )
    # the first case: ŷ = 2.5, y = 1: (2.5 − 1)² = 2.25 against ŷ − y = 1.5, by hand
    assert "expected: 1.5\n" in str(excinfo.value) and "got:      2.25" in str(excinfo.value)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        # ŷ = 2, y = 0.5, ε = 0.1: L(ŷ + ε) − L(ŷ) = ½·1.6² − ½·1.5² = 1.28 − 1.125 = 0.155
        (1.28 - 1.125, "that is the change L(ŷ + ε) − L(ŷ) itself"),
        (1.5 + 0.1**2 / 2, "that adds ½ε² = 0.005, the leftover of L(ŷ + ε), without dividing"),
        (0.1 / 2, "that is only the forward difference's error ε/2"),
    ],
    ids=["not-divided", "half-eps-squared", "error-only"],
)
def test_forward_value_names_the_slips_of_the_expansion(given, says):
    with pytest.raises(AssertionError) as excinfo:
        check_answer("01.forward_value", given)
    assert f"is not right: {says}" in str(excinfo.value)


@pytest.mark.parametrize(
    ("checker", "answer"),
    [
        (check_loss, lambda y_hat, y: 0.5 * (y_hat - y) ^ 2),
        (check_loss_grad, lambda y_hat, y: 0.5 * 2 * (y_hat - y) ^ 1),
        (check_loss, lambda y_hat, y: 0.5 * (np.asarray(y_hat) - y) ^ 2),
    ],
    ids=["float", "grad", "array"],
)
def test_a_caret_for_a_power_is_told_it_is_xor(checker, answer):
    """`^` is xor in Python: on floats and on float arrays it raises TypeError."""
    assert refusal(checker, answer) == (
        f"{checker.name}: `^` is not a power in Python (it is bitwise xor): write `** 2` to square"
    )


@pytest.mark.parametrize(
    ("checker", "answer"),
    [
        (check_loss, lambda y_hat, y: [0.5 * (a - b) ** 2 for a, b in zip(y_hat, y, strict=True)]),
        (check_loss_grad, lambda y_hat, y: (y_hat - y) / len(y_hat)),
        (
            check_loss_grad_fd,
            lambda y_hat, y, eps: [
                (loss(y_hat[i] + eps, y[i]) - loss(y_hat[i] - eps, y[i])) / (2 * eps)
                for i in range(len(y_hat))
            ],
        ),
    ],
    ids=["zip", "len", "index"],
)
def test_a_loop_over_a_plain_number_is_told_the_case_passes_numbers(checker, answer):
    first = refusal(checker, answer)
    assert first.startswith(f"{checker.name}: this case passes plain numbers")


def test_a_difference_of_a_summing_loss_points_at_the_loss_too():
    """A learner whose own `loss` sums its entries (check_loss refuses it) writes the central
    difference right: the result is one number on the array cases, and the message, besides "you
    summed the slopes", says where else the sum may come from."""
    notebook = _notebook(
        "def loss(y_hat, y):\n    return 0.5 * np.sum((y_hat - y) ** 2)\n"
        "def loss_grad_fd(y_hat, y, eps):\n"
        "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    )
    first = refusal(check_loss_grad_fd, notebook["loss_grad_fd"])
    assert first.startswith("check_loss_grad_fd: you summed the slopes into one number")
    assert "your `loss` sums its entries: does check_loss pass?" in first


# -- the figures drawn in the lesson's own cells, as a reader sees them ---------------------------


@pytest.mark.parametrize(
    "marker",
    ["grid = np.linspace(-2.5, 3.5, 241)", "floor = 1e-17", "eta, n_steps = 0.3, 15"],
    ids=["signed-error-vs-loss", "finite-differences", "gradient-steps"],
)
def test_the_legend_covers_no_curve_and_no_text(marker):
    # the legend sat over the parabola's left arm (signed error vs loss) and over the forward
    # difference's points from eps = 1e-5 to 1e-3 (finite differences)
    fig, renderer = notebook_figure("01_loss_and_its_derivative.ipynb", marker)
    (ax,) = fig.axes
    box = ax.get_legend().get_window_extent(renderer)
    for line in data_lines(ax):
        under = points_inside(line_pixels(line), box, pad=1.0)
        assert not len(under), f"{line.get_label()!r}: {len(under)} points under the legend"
    for text in ax.texts:  # the annotations
        assert not box.overlaps(text.get_window_extent(renderer)), text.get_text()
    figure = fig.bbox
    for text in [*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label]:
        extent = text.get_window_extent(renderer)
        assert figure.x0 <= extent.x0 and extent.x1 <= figure.x1, text.get_text()


def test_the_formula_beside_a_loss_name_rebound_to_a_number_is_refused():
    """A scratch cell `loss = loss(2.0, 1.0)` leaves a number under the name: the formula ŷ − y
    used to pass, as if no `loss` were there to be called; it is told what the name holds."""
    notebook = {"np": np}
    exec("loss = 0.5\ndef loss_grad_fd(y_hat, y, eps):\n    return y_hat - y", notebook)
    first = refusal(check_loss_grad_fd, notebook["loss_grad_fd"])
    assert "no call of a loss was seen: the name `loss` now holds 0.5, not your" in first, first


def test_points_two_eps_away_over_two_eps_are_told_the_distance_not_the_divisor():
    """(L(ŷ + 2ε) − L(ŷ − 2ε))/(2ε) divides by 2ε, as asked: the message names both ways to
    halve the slope, not "you divided by ε"."""

    def loss_grad_fd(y_hat, y, eps):
        return (loss(y_hat + 2 * eps, y) - loss(y_hat - 2 * eps, y)) / (2 * eps)

    first = refusal(check_loss_grad_fd, loss_grad_fd)
    assert "ŷ ± 2ε: by 4ε" in first and "you divided by ε" not in first, first


def test_a_signed_square_is_said_to_match_the_squared_error_on_one_case_only():
    """sign(ŷ − y)·(ŷ − y)² is (ŷ − y)² where ŷ > y (case 1) and its negative where ŷ < y: the
    squared error explains case 1, and the message says the next case does not fit it."""
    first = refusal(check_loss_grad, lambda y_hat, y: np.sign(y_hat - y) * (y_hat - y) ** 2)
    assert "you returned the squared error" in first
    assert first.endswith("(that explains this case, not case 2: look there too)"), first


_CENTRAL = (
    "def loss_grad_fd(y_hat, y, eps):\n"
    "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
)


@pytest.mark.parametrize(
    ("wrong_loss", "says"),
    [
        (
            "return (np.asarray(y_hat) - y) ** 2",
            "check_loss_grad_fd: your `loss` is missing its ½ (check_loss says so too): it returns"
            " (ŷ − y)², and loss_grad_fd differentiates it",
        ),
        (  # ½|ŷ − y|: loss(2.5, 1.0) = 0.75, where ½(1.5)² = 1.125
            "return 0.5 * abs(np.asarray(y_hat) - y)",
            "check_loss_grad_fd: your `loss` gives loss(2.5, 1.0) = 0.75, not ½(ŷ − y)² = 1.125 "
            "(does check_loss pass?)",
        ),
    ],
    ids=["missing half", "no square"],
)
def test_a_right_difference_of_the_learners_wrong_loss_is_told_to_fix_the_loss(wrong_loss, says):
    """The instructor's walk-through: a right central difference of a `loss` missing its ½ was
    told "twice the slope ..." (so the class report counted it as fd_divided_by_eps); the
    learner's `loss` is looked at first."""
    notebook = _notebook(f"def loss(y_hat, y):\n    {wrong_loss}\n" + _CENTRAL)
    assert refusal(check_loss_grad_fd, notebook["loss_grad_fd"]).startswith(says)


def test_a_learners_loss_that_is_right_is_not_blamed(capsys):
    notebook = _notebook(LEARNERS_LOSS + _CENTRAL)
    check_loss_grad_fd(notebook["loss_grad_fd"])
    assert "7/7 cases passed ✓" in capsys.readouterr().out
