"""The scalar checkers: right answers pass, every catalogued mistake is rejected *and named*, and
bad learner output (None, wrong form, NaN, inputs changed in place, a crash) gets its own clear
AssertionError, never a crash inside the checker. NotImplementedError passes through unchanged.

The right answers here are written independently of rnnlib (plain formulas; finite differences of
a hand-written forward pass for BPTT), so a checker whose reference were wrong would fail them.
"""

import math

import numpy as np
import pytest
from checks_support import assert_rejected_and_named, first_line, mistake_params

from rnnlib import numerical_gradient
from rnnlib.checks import (
    check_last_step_grad,
    check_loss,
    check_loss_grad,
    check_output_weight_grad,
    check_scalar_bptt,
    check_sgd_step,
)
from rnnlib.checks.scalar import MISTAKES


def _loss(y_hat, y):
    return 0.5 * (np.asarray(y_hat, dtype=float) - y) ** 2


def _loss_grad(y_hat, y):
    return np.subtract(y_hat, y)


def _output_weight_grad(dL_dyhat, o_T):
    return np.multiply(dL_dyhat, o_T)


def _sgd_step(param, grad, lr):
    return param - lr * np.asarray(grad)


def _last_step_grad(dL_dyhat, v, o_T, o_prev):
    return dL_dyhat * v * (1 - o_T * o_T) * o_prev


def _scalar_bptt(xs, y, u, w, v):
    """Finite differences of a forward pass written here, with math.tanh: no rnnlib backward."""

    def L(p):
        uu, ww, vv = p
        o = 0.0
        for x in xs:
            o = math.tanh(uu * x + ww * o)
        return 0.5 * (vv * o - y) ** 2

    return tuple(float(g) for g in numerical_gradient(L, np.array([u, w, v], dtype=float)))


RIGHT = {
    "check_loss": (check_loss, _loss, 7),
    "check_loss_grad": (check_loss_grad, _loss_grad, 7),
    "check_output_weight_grad": (check_output_weight_grad, _output_weight_grad, 6),
    "check_sgd_step": (check_sgd_step, _sgd_step, 5),
    "check_last_step_grad": (check_last_step_grad, _last_step_grad, 6),
    "check_scalar_bptt": (check_scalar_bptt, _scalar_bptt, 5),
}
NAMES = sorted(RIGHT)


@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes_with_one_line(name, capsys):
    checker, right, n = RIGHT[name]
    assert checker(right) is None
    assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


def test_plain_python_scalars_pass_too(capsys):
    """A learner who writes `0.5 * (y_hat - y) ** 2` gets Python floats for scalars and arrays
    for arrays; both forms are accepted."""
    check_loss(lambda y_hat, y: 0.5 * (y_hat - y) ** 2)
    check_loss_grad(lambda y_hat, y: y_hat - y)
    check_sgd_step(lambda param, grad, lr: param - lr * grad)
    assert capsys.readouterr().out.count("passed ✓") == 3


@pytest.mark.parametrize(("name", "mistake"), mistake_params(MISTAKES))
def test_each_catalogued_mistake_is_rejected_and_named(name, mistake):
    assert_rejected_and_named(RIGHT[name][0], mistake, max_len=200)


REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_loss": {"missing_half", "seed_loss", "negated_difference"},
    "check_loss_grad": {"wrong_sign_grad", "extra_two"},
    "check_output_weight_grad": {"owg_wrong_sign", "owg_missing_o_T"},
    "check_sgd_step": {"sgd_wrong_sign", "sgd_missing_lr"},
    "check_last_step_grad": {
        "lsg_missing_tanh_prime",
        "lsg_one_minus_o",
        "lsg_o_T_for_o_prev",
        "lsg_missing_v",
        "lsg_wrong_sign",
    },
    "check_scalar_bptt": {
        "bptt_wrong_sign",
        "bptt_missing_tanh_prime",
        "bptt_one_minus_o",
        "bptt_o_t_for_o_prev",
        "bptt_last_copy_only",
        "bptt_no_w_in_chain",
        "bptt_du_last_step_only",
        "bptt_not_carried_back",
    },
}


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_covers_the_issue_minimum(name):
    assert REQUIRED[name] <= {m.key for m in MISTAKES[name]}


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
    assert first_line(excinfo).startswith("check_loss: your function raised TypeError: ")
    assert "case 6 of 7: arrays of shape (5,)" in str(excinfo.value)
    assert isinstance(excinfo.value.__cause__, TypeError)


# -- bad learner output ----------------------------------------------------------------------------


def _map(result, f):
    return tuple(f(r) for r in result) if isinstance(result, tuple) else f(result)


def _array_arg_mutator(right):
    def mutating(*args):
        out = right(*args)
        for a in args:
            if isinstance(a, np.ndarray):
                a[...] = 0.0
                break
        return out

    return mutating


@pytest.mark.parametrize("name", NAMES)
def test_none_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: None)
    assert "returned None (is a `return` missing?)" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_shape_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: np.zeros(7))
    first = first_line(excinfo)
    assert "returned an array of shape (7,); expected" in first


@pytest.mark.parametrize("name", NAMES)
def test_wrong_type_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: "0.5")
    assert "returned a str; expected" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_nan_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda *args: _map(right(*args), lambda r: r * np.nan))
    assert "NaN or infinity" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_input_changed_in_place_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        checker(_array_arg_mutator(right))
    first = first_line(excinfo)
    assert "changed its input `" in first and "in place" in first


def test_in_place_sgd_step_is_caught_even_though_its_value_is_right():
    def sgd_step(param, grad, lr):
        param -= lr * grad
        return param

    with pytest.raises(AssertionError) as excinfo:
        check_sgd_step(sgd_step)
    assert first_line(excinfo) == (
        "check_sgd_step: your sgd_step changed its input `param` in place; leave the inputs "
        "unchanged and return a new value (e.g. `p = p - ...`, not `p -= ...`)"
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_crash_in_the_learners_code_is_reported_and_chained(name):
    def crashing(*args):
        return {}["missing"]

    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](crashing)
    assert first_line(excinfo) == f"{name}: your crashing raised KeyError: 'missing'"
    assert isinstance(excinfo.value.__cause__, KeyError)
    assert "case 1 of" in str(excinfo.value)


@pytest.mark.parametrize("name", NAMES)
def test_not_implemented_passes_through_unchanged(name):
    err = NotImplementedError()

    def unfinished(*args):
        raise err

    with pytest.raises(NotImplementedError) as excinfo:
        RIGHT[name][0](unfinished)
    assert excinfo.value is err


@pytest.mark.parametrize("name", NAMES)
def test_passing_a_value_instead_of_the_function(name):
    with pytest.raises(AssertionError, match="expected your function itself"):
        RIGHT[name][0](0.5)


WEIRD = [
    object(),
    {"a": 1},
    [1.0, "x"],
    1j,
    np.array(["a", "b"]),
    True,
    print,
    [[1.0], [2.0, 3.0]],
    float("inf"),
    (1.0, 2.0),
    np.zeros((0,)),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("weird", WEIRD, ids=lambda w: type(w).__name__)
def test_no_output_crashes_the_checker(name, weird):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: weird)
    assert first_line(excinfo).startswith(f"{name}: ")


def test_bptt_tuple_of_wrong_length():
    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(lambda xs, y, u, w, v: _scalar_bptt(xs, y, u, w, v)[:2])
    assert first_line(excinfo) == (
        "check_scalar_bptt: your function returned a tuple of length 2; "
        "expected a tuple of 3 (dL/du, dL/dw, dL/dv)"
    )


def test_two_mistakes_in_two_items_are_both_named():
    by_key = {m.key: m for m in MISTAKES["check_scalar_bptt"]}

    def two_mistakes(xs, y, u, w, v):
        du, _, _ = by_key["bptt_du_last_step_only"].answer(xs, y, u, w, v)
        _, _, dv = by_key["bptt_dv_missing_o_T"].answer(xs, y, u, w, v)
        _, dw, _ = _scalar_bptt(xs, y, u, w, v)
        return du, dw, dv

    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(two_mistakes)
    text = str(excinfo.value)
    assert by_key["bptt_du_last_step_only"].says in first_line(excinfo)
    assert by_key["bptt_dv_missing_o_T"].says in text
