"""Lesson 04's checker (rnnlib.course.lesson04): what is special to it. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below: for
check_scalar_bptt and check_sigmoid_bptt a backward loop written here (with math.tanh, math.exp:
no rnnlib), since both checkers ask for the exact gradient. Finite differences of forward passes
written here check the checkers' references, and are named when given as an answer."""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from checks_support import assert_slip_named, first_line, mistake, refusal

import rnnlib
from rnnlib import gradflow, numerical_gradient, scalar
from rnnlib.checkpointing import checkpointed_backward
from rnnlib.checks import check_answer
from rnnlib.course.lesson04 import (
    CHECKERS,
    FIGURES,
    QUESTIONS,
    check_scalar_bptt,
    check_scalar_bptt_many,
    check_sigmoid_bptt,
    through_time_explorer,
)
from rnnlib.scalar import EXAMPLE, per_step_contributions

ROOT = Path(__file__).resolve().parents[1]


def _scalar_bptt(xs, y, u, w, v):
    """Finite differences of a forward pass written here, with math.tanh: no rnnlib backward."""

    def L(p):
        uu, ww, vv = p
        o = 0.0
        for x in xs:
            o = math.tanh(uu * x + ww * o)
        return 0.5 * (vv * o - y) ** 2

    return tuple(float(g) for g in numerical_gradient(L, np.array([u, w, v], dtype=float)))


def _sigmoid_bptt(xs, y, u, w, b, v):
    """Finite differences of the sigmoid unit's forward pass written here, with math.exp."""

    def L(p):
        uu, ww, bb, vv = p
        o = 0.0
        for x in xs:
            o = 1.0 / (1.0 + math.exp(-(uu * x + ww * o + bb)))
        return 0.5 * (vv * o - y) ** 2

    return tuple(float(g) for g in numerical_gradient(L, np.array([u, w, b, v], dtype=float)))


def _sigmoid_bptt_exact(xs, y, u, w, b, v):
    """One backward loop written here, with math.exp: no rnnlib. σ′(a_t) = o_t(1 − o_t), and b
    enters every a_t with slope 1."""
    o = [0.0]
    for x in xs:
        o.append(1.0 / (1.0 + math.exp(-(u * x + w * o[-1] + b))))
    err = v * o[-1] - y
    d, du, dw, db = err * v, 0.0, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = d * o[t] * (1.0 - o[t])
        du, dw, db, d = du + da * xs[t - 1], dw + da * o[t - 1], db + da, da * w
    return du, dw, db, err * o[-1]


def _scalar_bptt_exact(xs, y, u, w, v):
    """One backward loop written here, with math.tanh: no rnnlib."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    err = v * o[-1] - y
    d, du, dw = err * v, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = d * (1.0 - o[t] * o[t])
        du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
    return du, dw, err * o[-1]


def _scalar_bptt_many_exact(xs, ys, u, w, v):
    """One backward loop with a target at every step, written here with math.tanh: no rnnlib."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    errs = [v * o[t] - ys[t - 1] for t in range(1, len(xs) + 1)]  # ŷ_t − y_t
    d, du, dw = 0.0, 0.0, 0.0  # d: δ_t, what reaches o_t from the later steps and its own output
    for t in range(len(xs), 0, -1):
        da = (d + errs[t - 1] * v) * (1.0 - o[t] * o[t])
        du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
    return du, dw, sum(e * o[t] for t, e in enumerate(errs, 1))


def _total_loss_fd(xs, ys, u, w, v):
    """Finite differences of L = Σ_t ½(v·o_t − y_t)², the forward pass written here."""

    def L(p):
        o, total = 0.0, 0.0
        for x, y_t in zip(xs, ys, strict=True):
            o = math.tanh(p[0] * x + p[1] * o)
            total += 0.5 * (p[2] * o - y_t) ** 2
        return total

    return tuple(float(g) for g in numerical_gradient(L, np.array([u, w, v], dtype=float)))


RIGHT = {
    "check_scalar_bptt": (_scalar_bptt_exact, 5),
    "check_scalar_bptt_many": (_scalar_bptt_many_exact, 5),
    "check_sigmoid_bptt": (_sigmoid_bptt_exact, 5),
}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
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
    "check_scalar_bptt_many": {  # the optional task's: its own two changes, and the carry
        "many_last_target_only",
        "many_dv_last_only",
        "many_not_carried_back",
    },
    "check_sigmoid_bptt": {
        "sigmoid_tanh_slope",
        "sigmoid_applied_twice",
        "sigmoid_db_last_step_only",
        "sigmoid_no_bias_in_forward",
    },
}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.name)
def test_catalogue_covers_the_issue_minimum(checker):
    assert REQUIRED[checker.name] <= {m.key for m in checker.mistakes}


def test_bptt_tuple_of_wrong_length():
    assert refusal(check_scalar_bptt, lambda xs, y, u, w, v: _scalar_bptt(xs, y, u, w, v)[:2]) == (
        "check_scalar_bptt: your function returned a tuple of 2 numbers; "
        "expected a tuple of 3 (dL/du, dL/dw, dL/dv)"
    )


def test_two_mistakes_in_two_items_are_both_named():
    du_last = mistake(check_scalar_bptt, "bptt_du_last_step_only")
    dv_no_o = mistake(check_scalar_bptt, "bptt_dv_missing_o_T")

    def two_mistakes(xs, y, u, w, v):
        du, _, _ = du_last.answer(xs, y, u, w, v)
        _, _, dv = dv_no_o.answer(xs, y, u, w, v)
        _, dw, _ = _scalar_bptt_exact(xs, y, u, w, v)
        return du, dw, dv

    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(two_mistakes)
    assert du_last.says in first_line(excinfo)
    assert dv_no_o.says in str(excinfo.value)


def test_carrying_dL_do_with_the_previous_steps_tanh_prime_is_named_alone():
    """δ_t = dL/do_t carried back as δ_(t−1) = δ_t·w·(1 − o_(t−1)²), the carry of δ = dL/da:
    step t's tanh′ drops out of the carry and step t−1's is applied twice."""

    def mixed_deltas(xs, y, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        err = v * o[-1] - y
        d, du, dw = err * v, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            da = d * (1.0 - o[t] ** 2)
            du, dw = du + da * xs[t - 1], dw + da * o[t - 1]
            d = d * w * (1.0 - o[t - 1] ** 2)
        return du, dw, err * o[-1]

    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(mixed_deltas)
    said = mistake(check_scalar_bptt, "bptt_carry_prev_tanh_prime").says
    assert first_line(excinfo) == f"check_scalar_bptt: {said} (dL/du, dL/dw wrong)"


# -- valid answers in other forms pass -------------------------------------------------------------


def _bptt_recursive(xs, y, u, w, v):
    """δ_t by recursion from the end (no loop), a list returned."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    T = len(xs)

    def delta(t):  # dL/do_t
        return (v * o[T] - y) * v if t == T else delta(t + 1) * (1 - o[t + 1] ** 2) * w

    shares = [delta(t) * (1 - o[t] ** 2) for t in range(1, T + 1)]
    du = sum(s * x for s, x in zip(shares, xs, strict=True))
    dw = sum(s * op for s, op in zip(shares, o[:-1], strict=True))
    return [du, dw, (v * o[T] - y) * o[T]]


def _bptt_forward_mode(xs, y, u, w, v):
    """Real-time recurrent learning written here: p_t = do_t/dw, q_t = do_t/du carried forward;
    a 1-d array returned."""
    o = p = q = 0.0
    for x in xs:
        o_new = math.tanh(u * x + w * o)
        s = 1 - o_new**2
        p, q, o = s * (o + w * p), s * (x + w * q), o_new
    err = v * o - y
    return np.array([err * v * q, err * v * p, err * o])


def _bptt_products(xs, y, u, w, v):
    """Every share as an explicit product of the step factors (np.prod), in forward order."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    o, T = np.array(o), len(xs)
    factors = (1 - o[1:] ** 2) * w  # do_t/do_(t−1), t = 1..T
    dL_doT = (v * o[T] - y) * v
    du = dw = 0.0
    for t in range(1, T + 1):
        delta_t = dL_doT * np.prod(factors[t:])  # Π_(k = t+1..T)
        du += delta_t * (1 - o[t] ** 2) * xs[t - 1]
        dw += delta_t * (1 - o[t] ** 2) * o[t - 1]
    return (du, dw, (v * o[T] - y) * o[T])


def _sigmoid_forward_mode(xs, y, u, w, b, v):
    o = pu = pw = pb = 0.0
    for x in xs:
        o_new = 1 / (1 + math.exp(-(u * x + w * o + b)))
        s = o_new * (1 - o_new)
        pu, pw, pb, o = s * (x + w * pu), s * (o + w * pw), s * (1 + w * pb), o_new
    err = v * o - y
    return np.array([err * v * pu, err * v * pw, err * v * pb, err * o])


def _sigmoid_recursive(xs, y, u, w, b, v):
    o = [0.0]
    for x in xs:
        o.append(1 / (1 + math.exp(-(u * x + w * o[-1] + b))))
    T = len(xs)

    def delta(t):
        return (v * o[T] - y) * v if t == T else delta(t + 1) * o[t + 1] * (1 - o[t + 1]) * w

    shares = [delta(t) * o[t] * (1 - o[t]) for t in range(1, T + 1)]
    return [
        sum(s * x for s, x in zip(shares, xs, strict=True)),
        sum(s * op for s, op in zip(shares, o[:-1], strict=True)),
        sum(shares),
        (v * o[T] - y) * o[T],
    ]


def _bptt_vectorised(xs, y, u, w, v):
    """δ_t for all t at once from a reversed cumulative product; shares summed by dot products."""
    o = np.zeros(len(xs) + 1)
    for t, x in enumerate(xs, 1):
        o[t] = np.tanh(u * x + w * o[t - 1])
    slope = 1 - o[1:] ** 2
    reach = np.append(np.cumprod((slope * w)[:0:-1])[::-1], 1.0)  # do_T/do_t
    da = (v * o[-1] - y) * v * reach * slope
    return float(da @ xs), float(da @ o[:-1]), float((v * o[-1] - y) * o[-1])


def _bptt_from_a(xs, y, u, w, v):
    """tanh′ from a_t (1/cosh²), the shares added in forward order after the backward loop."""
    a, o = [], [0.0]
    for x in xs:
        a.append(u * x + w * o[-1])
        o.append(math.tanh(a[-1]))
    T, err = len(xs), v * o[-1] - y
    shares, d = [0.0] * T, err * v
    for t in range(T, 0, -1):
        shares[t - 1] = d / math.cosh(a[t - 1]) ** 2
        d = shares[t - 1] * w
    du = sum(s * x for s, x in zip(shares, xs, strict=True))
    return du, sum(s * p for s, p in zip(shares, o, strict=False)), o[-1] * err


@pytest.mark.parametrize(
    ("checker", "answer"),
    [
        (check_scalar_bptt, _bptt_vectorised),
        (check_scalar_bptt, _bptt_from_a),
        (check_scalar_bptt, _bptt_recursive),
        (check_scalar_bptt, _bptt_forward_mode),
        (check_scalar_bptt, _bptt_products),
        (check_sigmoid_bptt, _sigmoid_forward_mode),
        (check_sigmoid_bptt, _sigmoid_recursive),
        (check_sigmoid_bptt, lambda *a: list(_sigmoid_bptt_exact(*a))),
    ],
    ids=[
        "vectorised",
        "from-a",
        "recursion",
        "forward-mode",
        "products",
        "sig-forward-mode",
        "sig-recursion",
        "sig-list",
    ],
)
def test_valid_alternative_forms_pass(checker, answer, capsys):
    checker(answer)
    assert "cases passed ✓" in capsys.readouterr().out


def test_scalar_reference_against_finite_differences():
    for case in check_scalar_bptt.cases():
        np.testing.assert_allclose(case.expected, _scalar_bptt(**case.args), rtol=1e-6, atol=1e-9)


def _fd(h):
    """Central differences of the loss with step h, on the forward pass written here."""

    def grad(xs, y, u, w, v):
        return tuple(
            float(g) for g in numerical_gradient(_loss_of(xs, y), np.array([u, w, v]), eps=h)
        )

    return grad


def _loss_of(xs, y):
    def L(p):
        o = 0.0
        for x in xs:
            o = math.tanh(p[0] * x + p[1] * o)
        return 0.5 * (p[2] * o - y) ** 2

    return L


@pytest.mark.parametrize("h", [1e-4, 1e-5, 1e-6, 1e-7])
def test_a_finite_difference_is_named_not_accepted(h):
    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(_fd(h))
    first = first_line(excinfo)
    assert re.fullmatch(
        r"check_scalar_bptt: your gradient agrees only to about 1e-\d+: that is what a finite "
        r"difference gives, or a pass that lost digits on the way \(numbers held in float32 or "
        r"rounded, a constant such as e typed short\); this exercise asks for the exact "
        r"gradient, by one backward pass in float64, which agrees to about 1e-15",
        first,
    ), first
    assert "case 1 of 5" in str(excinfo.value)


def test_an_answer_off_by_five_parts_in_1e11_is_not_exact():
    """rtol 1e-11: a backward pass in float64 agrees to about 1e-15; every gradient off by a
    relative 5e-11 agrees only to about 1e-10 (round(log10 5e-11) = −10), as a very good finite
    difference does, and is named so."""

    def nearly(xs, y, u, w, v):
        return tuple(g * (1 + 5e-11) for g in _bptt_by_hand(xs, y, u, w, v))

    assert refusal(check_scalar_bptt, nearly).startswith(
        "check_scalar_bptt: your gradient agrees only to about 1e-10: that is what a finite "
        "difference gives"
    )


def test_a_finite_difference_of_the_librarys_loss_is_named_too():
    def fd(xs, y, u, w, v):
        def L(p):
            return scalar.loss(scalar.forward(xs, *p).y_hat, y)

        return tuple(numerical_gradient(L, np.array([u, w, v])))

    with pytest.raises(AssertionError, match="that is what a finite difference gives"):
        check_scalar_bptt(fd)


def test_a_float32_computation_is_named_as_such_not_as_a_finite_difference():
    """A learner's exact loop run in float32, its results returned as Python floats: they agree
    to about 1e-6 as a finite difference does, but every one is a float32 number."""

    def in_float32(xs, y, u, w, v):
        f = np.float32
        xs, u, w, v, y = np.asarray(xs, f), f(u), f(w), f(v), f(y)
        o = [f(0)]
        for x in xs:
            o.append(np.tanh(u * x + w * o[-1]))
        err = v * o[-1] - y
        d, du, dw = err * v, f(0), f(0)
        for t in range(len(xs), 0, -1):
            da = d * (f(1) - o[t] * o[t])  # (numpy 1: float32 ** 2 is float64)
            du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
        return float(du), float(dw), float(err * o[-1])

    first = refusal(check_scalar_bptt, in_float32)
    assert "holding float32 numbers" in first and "compute in float32" in first, first
    assert "finite difference" not in first


def test_a_wrong_answer_is_not_called_a_finite_difference():
    def off(xs, y, u, w, v):  # off by 1e-3 relative: no finite difference of step < 0.1 is
        return tuple(g * 1.001 for g in _scalar_bptt_exact(xs, y, u, w, v))

    with pytest.raises(AssertionError) as excinfo:
        check_scalar_bptt(off)
    assert "finite difference" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda xs, y, u, w, v: scalar.bptt(xs, y, u, w, v), "scalar.bptt"),
        (
            lambda xs, y, u, w, v: scalar.backward(scalar.forward(xs, u, w, v), y)[:3],
            "scalar.backward",
        ),
        (lambda xs, y, u, w, v: scalar.rtrl(xs, y, u, w, v), "scalar.rtrl"),
        (
            lambda xs, y, u, w, v: (0.0, scalar.per_step_contributions(xs, y, u, w, v)["dw"], 0.0),
            "scalar.per_step_contributions, which runs scalar.backward",
        ),
    ],
    ids=["bptt", "backward", "rtrl", "via-another-function"],
)
def test_calling_the_librarys_answer_is_named_and_the_library_restored(call, named):
    library = (scalar.bptt, scalar.backward, scalar.rtrl)
    assert refusal(check_scalar_bptt, call) == (
        f"check_scalar_bptt: you called {named}: it computes the gradients this exercise asks "
        "you to write; compute them yourself, in one pass backwards (scalar.forward is fine)"
    )
    assert (scalar.bptt, scalar.backward, scalar.rtrl) == library
    assert scalar.bptt(*EXAMPLE_ARGS) == pytest.approx(_scalar_bptt_exact(*EXAMPLE_ARGS))


EXAMPLE_ARGS = (np.array(EXAMPLE["xs"]), EXAMPLE["y"], EXAMPLE["u"], EXAMPLE["w"], EXAMPLE["v"])


@pytest.mark.parametrize(
    ("imports", "body", "named"),
    [
        ("from rnnlib.scalar import bptt", "bptt(xs, y, u, w, v)", "scalar.bptt"),
        ("from rnnlib.scalar import rtrl as grads", "grads(xs, y, u, w, v)", "scalar.rtrl"),
        (
            "from rnnlib.scalar import backward, forward",
            "backward(forward(xs, u, w, v), y)[:3]",
            "scalar.backward",
        ),
    ],
    ids=["by-name", "under-an-alias", "backward-by-name"],
)
def test_the_librarys_answer_imported_by_name_into_a_notebook_is_named(imports, body, named):
    # a notebook's namespace: the import ran in an earlier cell, before the checker was called
    notebook = {"__name__": "__main__"}
    exec(f"{imports}\ndef scalar_bptt(xs, y, u, w, v):\n    return {body}\n", notebook)
    before = dict(notebook)
    first = refusal(check_scalar_bptt, notebook["scalar_bptt"])
    assert first.startswith(f"check_scalar_bptt: you called {named}: ")
    assert notebook == before  # the learner's names are given back unchanged
    assert notebook["scalar_bptt"](*EXAMPLE_ARGS) == pytest.approx(
        _scalar_bptt_exact(*EXAMPLE_ARGS)
    )


def test_the_library_is_restored_when_the_learners_code_raises():
    library = (scalar.bptt, scalar.backward, scalar.rtrl)

    def crashes(xs, y, u, w, v):
        raise ZeroDivisionError("boom")

    with pytest.raises(AssertionError, match="raised ZeroDivisionError: boom"):
        check_scalar_bptt(crashes)
    with pytest.raises(NotImplementedError):
        check_scalar_bptt(lambda *args: (_ for _ in ()).throw(NotImplementedError()))
    assert (scalar.bptt, scalar.backward, scalar.rtrl) == library


def test_one_flipped_item_is_named_alone():
    def du_flipped(xs, y, u, w, v):
        du, dw, dv = _scalar_bptt_exact(xs, y, u, w, v)
        return -du, dw, dv

    first = refusal(check_scalar_bptt, du_flipped)
    assert first.startswith("check_scalar_bptt: dL/du: wrong sign: ")
    assert "all" not in first and "dL/dw" not in first


def test_sigmoid_reference_against_finite_differences():
    for case in check_sigmoid_bptt.cases():
        np.testing.assert_allclose(case.expected, _sigmoid_bptt(**case.args), rtol=1e-6, atol=1e-9)


def _sigmoid_fd(h, one_sided=False):
    """Finite differences of the sigmoid unit's loss with step h, the forward pass written here."""

    def grad(xs, y, u, w, b, v):
        def L(p):
            o = 0.0
            for x in xs:
                o = 1.0 / (1.0 + math.exp(-(p[0] * x + p[1] * o + p[2])))
            return 0.5 * (p[3] * o - y) ** 2

        p = np.array([u, w, b, v], dtype=float)
        if one_sided:
            return tuple((L(p + h * e) - L(p)) / h for e in np.eye(4))
        return tuple(float(g) for g in numerical_gradient(L, p, eps=h))

    return grad


@pytest.mark.parametrize(
    "answer",
    [_sigmoid_fd(1e-4), _sigmoid_fd(1e-6), _sigmoid_fd(1e-8), _sigmoid_fd(1e-7, one_sided=True)],
    ids=["central-1e-4", "central-1e-6", "central-1e-8", "one-sided-1e-7"],
)
def test_sigmoid_finite_difference_is_named_not_accepted(answer):
    """The exercise asks for the exact gradient by one backward pass, as exercise 1 does: a
    finite difference used to pass this checker (its tolerance was rtol 1e-6)."""
    first = refusal(check_sigmoid_bptt, answer)
    assert re.fullmatch(
        r"check_sigmoid_bptt: your gradient agrees only to about 1e-\d+: that is what a finite "
        r"difference gives, or a pass that lost digits on the way \(numbers held in float32 or "
        r"rounded, a constant such as e typed short\); this exercise asks for the exact "
        r"gradient, by one backward pass in float64, which agrees to about 1e-15",
        first,
    ), first


def test_sigmoid_wrong_answer_is_not_called_a_finite_difference():
    def off(xs, y, u, w, b, v):  # off by 1e-3 relative in every item
        return tuple(g * 1.001 for g in _sigmoid_bptt_exact(xs, y, u, w, b, v))

    assert "finite difference" not in refusal(check_sigmoid_bptt, off)


def test_sigmoid_cases_separate_the_bias_mistakes():
    """Every catalogued mistake differs from the reference on some case by far more than the
    tolerance (no mistake passes)."""
    for m in check_sigmoid_bptt.mistakes:
        worst = max(
            np.max(np.abs(np.subtract(m.answer(*c.args.values()), c.expected)))
            for c in check_sigmoid_bptt.cases()
        )
        assert worst > 1e-3, m.key


# -- the library's additions: input gradients, a learned o_0, RTRL ------------------------------


def _loss_from(xs, u, w, v, o0, y):
    o = o0
    for x in xs:
        o = math.tanh(u * x + w * o)
    return 0.5 * (v * o - y) ** 2


@pytest.mark.parametrize("o0", [0.0, 0.4, -0.7])
def test_input_grads_against_finite_differences(o0):
    xs, (u, w, v, y) = [0.3, -1.1, 0.6, 0.9, -0.2], (0.7, -1.2, 1.8, 0.4)
    dxs, do0 = scalar.input_grads(scalar.forward(xs, u, w, v, o0=o0), y)
    fd = numerical_gradient(lambda z: _loss_from(z[:-1], u, w, v, z[-1], y), np.append(xs, o0))
    np.testing.assert_allclose(dxs, fd[:-1], rtol=1e-7, atol=1e-10)
    assert do0 == pytest.approx(fd[-1], rel=1e-7, abs=1e-10)


def test_rtrl_equals_bptt_one_target_and_many():
    rng = np.random.default_rng(11)
    for T in (1, 3, 9):
        xs, ys = rng.normal(size=T), rng.normal(size=T)
        u, w, v = rng.normal(size=3)
        np.testing.assert_allclose(
            scalar.rtrl(xs, ys[-1], u, w, v),
            _scalar_bptt(xs, ys[-1], u, w, v),
            rtol=1e-6,
            atol=1e-9,
        )

        def total(p, xs=xs, ys=ys):
            o, L = 0.0, 0.0
            for x, yt in zip(xs, ys, strict=True):
                o = math.tanh(p[0] * x + p[1] * o)
                L += 0.5 * (p[2] * o - yt) ** 2
            return L

        fd = numerical_gradient(total, np.array([u, w, v]))
        np.testing.assert_allclose(scalar.rtrl(xs, ys, u, w, v), fd, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="y"):
        scalar.rtrl([0.1, 0.2], [1.0, 2.0, 3.0], 0.1, 0.2, 0.3)


# -- the graded questions, answered independently --------------------------------------------------


def test_questions_answers():
    q = {x.key: x for x in QUESTIONS}
    # 04.zero_share: a share is exactly zero when the copy's factor is zero
    xs = [0.0, -0.5, 0.8, 0.3]
    fd = numerical_gradient(
        lambda ws: _loss_copies(xs, ws[:4], ws[4:], 1.5, 0.5, 0.5), np.array([0.9] * 4 + [0.8] * 4)
    )
    assert fd[0] != 0.0 and fd[4] == 0.0  # w⁽¹⁾ share nonzero, u⁽¹⁾ share exactly zero
    assert q["04.zero_share"].answer == "b"
    # 04.hundred_steps: the largest running product of the 100 factors, by hand: at t = 5
    o, gain, gains = 0.0, 1.0, []
    for x in list(EXAMPLE["xs"]) * 25:
        o = math.tanh(0.1 * x + 1.5 * o)
        gain *= (1 - o * o) * 1.5
        gains.append(abs(gain))
    assert max(gains) == pytest.approx(q["04.hundred_steps"].answer, rel=1e-5)
    assert gains.index(max(gains)) + 1 == 5 and gains[-1] < 1e-41  # then it vanishes
    for key, x in q.items():
        check_answer(key, x.answer)


def _loss_copies(xs, ws, us, v, y, o0):
    o = o0
    for x, w, u in zip(xs, ws, us, strict=True):
        o = math.tanh(u * x + w * o)
    return 0.5 * (v * o - y) ** 2


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 04's slider: per-step contributions dL/dw⁽ᵗ⁾ and their sum, against finite differences
# in each step's own copy of w (forward pass written here), and |do_T/do_t| against finite
# differences in the hidden state o_t.


XS, Y, V = EXAMPLE["xs"], EXAMPLE["y"], EXAMPLE["v"]


def run_from(xs, u, ws, o_start, t_start):
    """o_T, starting at o_(t_start) = o_start and running steps t_start+1..T by hand."""
    o = o_start
    for t in range(t_start + 1, len(xs) + 1):
        o = np.tanh(u * xs[t - 1] + ws[t - 1] * o)
    return o


def expected(w, u, xs=XS, y=Y, v=V):
    T = len(xs)

    def loss_of_copies(ws):
        return 0.5 * (v * run_from(xs, u, ws, 0.0, 0) - y) ** 2

    per_copy = numerical_gradient(loss_of_copies, np.full(T, float(w)))
    shared = numerical_gradient(lambda p: loss_of_copies(np.full(T, p[0])), np.array([w]))[0]
    # o_t for every t, then do_T/do_t by nudging o_t and running the rest of the sequence
    o = [0.0]
    for t in range(1, T + 1):
        o.append(run_from(xs[:t], u, [w] * t, 0.0, 0))
    reach = []
    for t in range(1, T + 1):
        f = lambda z, t=t: run_from(xs, u, [w] * T, z[0], t)  # noqa: E731
        reach.append(numerical_gradient(f, np.array([o[t]]))[0])
    return per_copy, shared, np.array(reach)


@pytest.mark.parametrize(
    "w,u", [(0.9, 0.8), (-2.0, 0.8), (2.0, 0.1), (-1.5, 1.2), (0.0, 0.5), (1.25, 0.0)]
)
def test_sliders_move_the_contributions(w, u):
    ex = through_time_explorer()
    s = ex.step(w=w, u=u)
    per_copy, shared, reach = expected(w, u)
    assert (s["w"], s["u"]) == (w, u)
    np.testing.assert_allclose(s["dw_steps"], per_copy, rtol=1e-7, atol=1e-9)
    assert s["dw"] == pytest.approx(shared, rel=1e-7, abs=1e-9)
    assert s["dw_steps"][0] == 0.0  # o_0 = 0: the first copy multiplies nothing
    np.testing.assert_allclose(s["reach"], reach, rtol=1e-6, atol=1e-9)
    # bars: the four copies, then their sum; all inside the (rescaled) y-range
    ax_bar, ax_r = ex.fig.axes
    heights = np.array([p.get_height() for p in ax_bar.patches])
    np.testing.assert_allclose(heights, np.append(per_copy, shared), rtol=1e-7, atol=1e-9)
    lo, hi = ax_bar.get_ylim()
    assert lo < heights.min() and heights.max() < hi
    assert [t.get_text() for t in ax_bar.texts] == [
        f"{h + 0.0:+.3f}" for h in np.append(s["dw_steps"], s["dw"])
    ]
    # the right panel shows log10 |do_T/do_t|, floored at 10⁻³
    (line,) = [ln for ln in ax_r.lines if ln.get_marker() == "o"]
    with np.errstate(divide="ignore"):
        want = np.maximum(np.log10(np.abs(reach)), -3.0)
    np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("w,u", [(2.5, 1.5), (0.0, 0.8), (0.9, 0.8), (-2.5, 0.0)])
def test_values_below_the_floor_are_marked(w, u):
    # |do_4/do_t| below 10⁻³ is drawn at 10⁻³; a ▼ marks each such step, and only those, so
    # that 1.2e-4 (w = 2.5, u = 1.5) is not read as 10⁻³. The steps below the floor come from
    # the finite differences of expected(), not from the figure's numbers.
    ex = through_time_explorer()
    ex.step(w=w, u=u)
    _, _, reach = expected(w, u)
    want = np.flatnonzero(np.abs(reach) < 1e-3 * (1 - 1e-6)) + 1
    ax_r = ex.fig.axes[1]
    (marks,) = [ln for ln in ax_r.lines if ln.get_marker() == "v"]
    x, y = (np.asarray(a, float) for a in marks.get_data())
    np.testing.assert_array_equal(x, want)
    np.testing.assert_array_equal(y, np.full(want.size, -3.0))
    lo, hi = ax_r.get_ylim()
    assert lo < -3.0  # the floor's dots and marks lie inside the axes, whole
    if (w, u) == (2.5, 1.5):
        assert list(want) == [1, 2] and abs(reach[0]) < 2e-4


def test_readout_shares_add_up_to_the_printed_sum():
    # the printed shares, added by hand, give the printed dL/dw to rounding (two units in the
    # last place at most, for four rounded terms); at the start they printed with one decimal
    # fewer than the sum, and added up to 0.442 beside +0.4422
    ex = through_time_explorer()
    for w in np.round(np.arange(-2.5, 2.5001, 0.25), 2):
        for u in (0.0, 0.1, 0.8, 1.5):
            ex.set(w=float(w), u=u)
            html = ex.readout()
            shares = [float(g) for g in re.findall(r"\(([+-]\d+\.\d+)\)", html)]
            total = float(re.search(r"<b>([+-]\d+\.\d+)</b>", html).group(1))
            assert len(shares) == 4 and abs(sum(shares) - total) <= 2.0001e-4, html
    ex.set(w=0.9, u=0.8)
    per_copy, shared, _ = expected(0.9, 0.8)
    assert ex.readout().startswith(
        "w = +0.900, u = 0.800: dL/dw = "
        + " + ".join(f"({g + 0.0:+.4f})" for g in per_copy)
        + f" = <b>{shared:+.4f}</b>"
    )


def test_exploding_and_vanishing_sides():
    """Small u keeps tanh unsaturated: |w| = 2 then makes |do_4/do_1| > 1 (the early copy hears
    the loss louder); large u saturates tanh and |do_4/do_1| drops far below 1."""
    s = through_time_explorer().step(w=2.0, u=0.1)
    assert abs(s["reach"][0]) > 2.0
    s = through_time_explorer().step(w=-1.5, u=1.2)
    assert abs(s["reach"][0]) < 1e-2


def test_the_picture_changes_with_each_slider():
    ex = through_time_explorer()
    a = ex.png()
    ex.step(w=-1.0)
    b = ex.png()
    ex.step(u=0.2)
    c = ex.png()
    assert a != b and b != c
    assert "dL/dw = " in ex.readout()


def test_other_problems_and_bad_input():
    xs = [0.4, -1.2, 0.7, 0.1, -0.3]
    s = per_step_contributions(xs, 0.3, 0.6, -1.1, 2.0)
    per_copy, shared, reach = expected(-1.1, 0.6, xs=xs, y=0.3, v=2.0)
    np.testing.assert_allclose(s["dw_steps"], per_copy, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(s["reach"], reach, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="u_range"):
        through_time_explorer(u_range=(1.0, 1.0))
    with pytest.raises(ValueError, match="w_range"):
        through_time_explorer(w_range=(2.0, -2.0))
    with pytest.raises(ValueError, match="y"):
        per_step_contributions(XS, None, 0.5, 0.5, 0.5)


def test_a_longer_problem_is_labelled_and_scaled_for_its_length():
    # T = 10: the title wrote $\delta_10$ (drawn as δ₁ followed by 0), the log axis reached
    # 10^3.7 (|w|^(T−1) = 2.5⁹) with ticks only up to 10^1, and "t=1t=2..." and the ten bars'
    # numbers ran into each other
    T = 10
    ex = through_time_explorer(xs=np.linspace(-1.0, 1.0, T))
    ax_bar, ax_r = ex.fig.axes
    assert r"\delta_{10}" in ax_r.get_title() and r"\partial o_{10}" in ax_r.get_title()
    s = ex.step(w=2.5, u=0.0)  # all states 0: every factor is 2.5, |do_10/do_1| = 2.5⁹
    assert abs(s["reach"][0]) == pytest.approx(2.5**9)
    top = ax_r.get_ylim()[1]
    assert np.log10(2.5**9) <= top  # the dot at t = 1 is inside the axis
    ticks = [t.get_text() for t in ax_r.get_yticklabels()]
    assert ticks[-1] == "$10^{3}$" and math.floor(top) == 3
    assert [t.get_text() for t in ax_bar.get_xticklabels()] == [str(t) for t in range(1, 11)] + [
        r"$\Sigma_t$"
    ]
    assert [t.get_text() for t in ax_bar.texts if t.get_text()] == ["+0.000"]  # the sum only
    # T = 4 (the lesson) keeps its labels, its numbers and its ticks 10^-3..10^1
    ex4 = through_time_explorer()
    ax_bar4, ax_r4 = ex4.fig.axes
    assert [t.get_text() for t in ax_r4.get_yticklabels()][-1] == "$10^{1}$"
    assert ax_bar4.get_xticklabels()[0].get_text() == "$t=1$"
    assert len([t for t in ax_bar4.texts if t.get_text()]) == 5


def test_registered_for_lesson_04():
    assert through_time_explorer in FIGURES


def test_a_loop_that_stops_before_step_1_is_named():
    def stops_early(xs, y, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        err = v * o[-1] - y
        d, du, dw = err * v, 0.0, 0.0
        for t in range(len(xs), 1, -1):
            da = d * (1.0 - o[t] ** 2)
            du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
        return du, dw, err * o[-1]

    first = refusal(check_scalar_bptt, stops_early)
    assert first.startswith("check_scalar_bptt: dL/du: the loop stops before step 1")


# -- other rnnlib functions that compute the answer are refused like scalar.bptt -----------------


def _via_rnn_backward(backward):
    """The scalar RNN as the matrix RNN with one unit (1×1 weights), through rnnlib's BPTT."""

    def grads(xs, y, u, w, v):
        T = len(xs)
        x = np.asarray(xs, dtype=float).reshape(1, T, 1)
        h, cache = rnnlib.rnn_forward(x, np.zeros((1, 1)), [[u]], [[w]], [0.0])
        o_T = float(h[0, -1, 0])
        dh = np.zeros((1, T, 1))
        dh[0, -1, 0] = (v * o_T - y) * v
        _, _, dWx, dWh, _ = backward(dh, cache)
        return float(dWx[0, 0]), float(dWh[0, 0]), (v * o_T - y) * o_T

    return grads


def _via_truncated(xs, y, u, w, v):
    """Truncated BPTT with k = T and targets that are met at every step but the last: exactly
    the gradient of one target at the end."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    ys = v * np.array(o[1:])
    ys[-1] = y
    return gradflow.scalar_bptt_truncated(xs, ys, u, w, v, len(xs))


def _via_step_backward(xs, y, u, w, v):
    """A backward loop whose steps are rnnlib.rnn_step_backward on 1×1 weights."""
    h, caches = np.zeros((1, 1)), []
    for x in xs:
        h, cache = rnnlib.rnn_step_forward([[x]], h, [[u]], [[w]], [0.0])
        caches.append(cache)
    o_T = float(h[0, 0])
    dh, du, dw = np.array([[(v * o_T - y) * v]]), 0.0, 0.0
    for cache in reversed(caches):
        _, dh, dWx, dWh, _ = rnnlib.rnn_step_backward(dh, cache)
        du, dw = du + float(dWx[0, 0]), dw + float(dWh[0, 0])
    return du, dw, (v * o_T - y) * o_T


def _via_gated(xs, y, u, w, v):
    """The gated unit with its gate at z = 1 is the scalar RNN."""
    g = gradflow.gated_backward(gradflow.gated_forward(xs, u, w, 1.0), y, v)
    return g.du, g.dw, g.dv


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (_via_rnn_backward(lambda dh, c: rnnlib.rnn_backward(dh, c)), "rnnlib.rnn_backward"),
        (
            _via_rnn_backward(lambda dh, c: rnnlib.rnn_backward_truncated(dh, c, 10)),
            "rnnlib.rnn_backward_truncated",
        ),
        (_via_step_backward, "rnnlib.rnn_step_backward"),
        (_via_truncated, "rnnlib.gradflow.scalar_bptt_truncated"),
        (_via_gated, "rnnlib.gradflow.gated_backward"),
    ],
    ids=[
        "rnn_backward",
        "rnn_backward_truncated",
        "rnn_step_backward",
        "scalar_bptt_truncated",
        "gated_backward",
    ],
)
def test_other_library_routes_to_the_answer_are_refused(call, named):
    # each is right: without the rule it would pass
    for case in check_scalar_bptt.cases():
        np.testing.assert_allclose(call(**case.args), _scalar_bptt_exact(**case.args), rtol=1e-12)
    library = (rnnlib.rnn_backward, rnnlib.rnn.rnn_backward, gradflow.rnn_backward_truncated)
    first = refusal(check_scalar_bptt, call)
    assert first.startswith(f"check_scalar_bptt: you called {named}: it computes ")
    assert (rnnlib.rnn_backward, rnnlib.rnn.rnn_backward, gradflow.rnn_backward_truncated) == (
        library
    )
    assert gradflow.scalar_bptt_truncated.__module__ == "rnnlib.gradflow"


def test_a_library_function_that_runs_a_forbidden_one_is_named_with_it():
    def via_checkpoints(xs, y, u, w, v):
        T = len(xs)
        x = np.asarray(xs, dtype=float).reshape(1, T, 1)
        dh = np.zeros((1, T, 1))
        checkpointed_backward(dh, x, np.zeros((1, 1)), [[u]], [[w]], [0.0], 2)
        return _scalar_bptt_exact(xs, y, u, w, v)

    assert refusal(check_scalar_bptt, via_checkpoints).startswith(
        "check_scalar_bptt: you called rnnlib.checkpointing.checkpointed_backward, which runs "
        "rnnlib.rnn_backward: "
    )


def test_rnn_backward_imported_by_name_into_a_notebook_is_named():
    notebook = {"__name__": "__main__", "np": np}
    exec(
        "from rnnlib import rnn_backward as bw, rnn_forward\n"
        "def scalar_bptt(xs, y, u, w, v):\n"
        "    T = len(xs)\n"
        "    x = np.reshape(xs, (1, T, 1))\n"
        "    h, cache = rnn_forward(x, np.zeros((1, 1)), [[u]], [[w]], [0.0])\n"
        "    dh = np.zeros((1, T, 1))\n"
        "    dh[0, -1, 0] = (v * h[0, -1, 0] - y) * v\n"
        "    _, _, dWx, dWh, _ = bw(dh, cache)\n"
        "    return dWx[0, 0], dWh[0, 0], (v * h[0, -1, 0] - y) * h[0, -1, 0]\n",
        notebook,
    )
    before = dict(notebook)
    first = refusal(check_scalar_bptt, notebook["scalar_bptt"])
    assert first.startswith("check_scalar_bptt: you called rnnlib.rnn_backward: ")
    assert notebook == before


# -- dL/dw = 0, the carry, and fwd.o read one step early: each named for what it is --------------


def _hand_loop(*, dw_share=None, carry=None, overwrite=(), o_at=lambda o, t: o[t], dv_at=None):
    """A backward loop written here (math.tanh), with one part replaced: the share of w at step t
    ``dw_share(da, o, t)``, the carry ``carry(d, da, o, t, w, d_T)``, which sums are overwritten
    (``"du"``, ``"dw"``), and where o_t is read (``o_at(o, t)``; dL/dv's o_T at ``dv_at``)."""

    def grads(xs, y, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        T, err = len(xs), v * o[-1] - y
        d_T = d = err * v
        du = dw = 0.0
        for t in range(T, 0, -1):
            da = d * (1.0 - o_at(o, t) ** 2)
            share_w = dw_share(da, o, t) if dw_share else da * o_at(o, t - 1)
            share_u = da * xs[t - 1]
            du = share_u if "du" in overwrite else du + share_u
            dw = share_w if "dw" in overwrite else dw + share_w
            d = carry(d, da, o, t, w, d_T) if carry else da * w
        return du, dw, err * (dv_at(o) if dv_at else o[-1])

    return grads


def _dw_returned_as_zero(xs, y, u, w, v):
    du, _, dv = _scalar_bptt_exact(xs, y, u, w, v)
    return du, 0.0, dv


_DW_ZERO = (
    "check_scalar_bptt: dL/dw is 0, which is step 1's share alone (it multiplies o₀ = 0): add "
    "every step's share, dw += δ_t (1 − o_t²) o_(t−1), each with its own o_(t−1)"
)


@pytest.mark.parametrize(
    "answer",
    [
        _dw_returned_as_zero,
        _hand_loop(dw_share=lambda da, o, t: da * o[0]),
        _hand_loop(overwrite=("dw",)),
    ],
    ids=["returns-0", "typo-o[0]", "dw-overwritten"],
)
def test_a_zero_dw_is_named_truly_whatever_made_it(answer):
    assert refusal(check_scalar_bptt, answer) == _DW_ZERO


def test_both_sums_overwritten_is_named_as_overwriting():
    assert refusal(check_scalar_bptt, _hand_loop(overwrite=("du", "dw"))) == (
        "check_scalar_bptt: each step's share replaces the sum so far (`= ...` where `+= ...` "
        "belongs): only step 1's share is left (dL/du, dL/dw wrong)"
    )


def _delta_as_powers_of_w(xs, y, u, w, v):
    """δ_t = (ŷ − y)·v·w^(T−t): the carry δ_(t−1) = δ_t·w written in closed form."""
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    T, err = len(xs), v * o[-1] - y
    du = sum(err * v * w ** (T - t) * (1 - o[t] ** 2) * xs[t - 1] for t in range(1, T + 1))
    dw = sum(err * v * w ** (T - t) * (1 - o[t] ** 2) * o[t - 1] for t in range(1, T + 1))
    return du, dw, err * o[-1]


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            _hand_loop(carry=lambda d, da, o, t, w, d_T: d_T),
            "δ is never updated: it stays δ_T at every step; after each step carry it back, "
            "δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        (
            _hand_loop(carry=lambda d, da, o, t, w, d_T: d * w),
            "tanh′ is missing from the carry only: δ_(t−1) = δ_t (1 − o_t²) w, not δ_t·w "
            "(do_t/do_(t−1) = (1 − o_t²)·w)",
        ),
        (
            _delta_as_powers_of_w,
            "tanh′ is missing from the carry only: δ_(t−1) = δ_t (1 − o_t²) w, not δ_t·w "
            "(do_t/do_(t−1) = (1 − o_t²)·w)",
        ),
    ],
    ids=["never-updated", "carry-without-tanh-prime", "powers-of-w"],
)
def test_carry_mistakes_are_named(answer, says):
    assert refusal(check_scalar_bptt, answer) == f"check_scalar_bptt: {says} (dL/du, dL/dw wrong)"


_EARLY = (
    "you read o_t from fwd.o[t − 1]: fwd.o[0] is o_0, so o_t is fwd.o[t] and o_(t−1) is "
    "fwd.o[t − 1]"
)


@pytest.mark.parametrize(
    ("dv_at", "wrong"),
    [(None, "dL/du, dL/dw"), (lambda o: o[-2], "dL/du, dL/dw, dL/dv")],
    ids=["loop-only", "dv-too"],
)
def test_reading_o_one_step_early_is_one_mistake(dv_at, wrong):
    """(1 − o[t−1]²) and o[t−2] (at t = 1, numpy's o[−1] = o_T): o_t read from fwd.o[t − 1]."""
    answer = _hand_loop(o_at=lambda o, t: o[t - 1], dv_at=dv_at)
    assert refusal(check_scalar_bptt, answer) == f"check_scalar_bptt: {_EARLY} ({wrong} wrong)"


# -- the sigmoid unit run with scalar.forward (tanh, no bias) -------------------------------------


def _sigmoid_on_scalar_forward(slope):
    """sigmoid_bptt whose states come from scalar.forward(xs, u, w, v), then a backward loop
    written here with ``slope(o_t)``."""

    def grads(xs, y, u, w, b, v):
        fwd = scalar.forward(xs, u, w, v)
        o, err = fwd.o, fwd.y_hat - y
        d, du, dw, db = err * v, 0.0, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            da = d * slope(o[t])
            du, dw, db, d = du + da * xs[t - 1], dw + da * o[t - 1], db + da, da * w
        return du, dw, db, err * o[-1]

    return grads


@pytest.mark.parametrize(
    ("slope", "says"),
    [
        (
            lambda o: 1 - o * o,
            "you used scalar.forward and tanh′: the tanh unit, no bias; this unit is "
            "o_t = σ(u·x_t + w·o_(t−1) + b): write its forward pass (np.exp)",
        ),
        (
            lambda o: o * (1 - o),
            "your states come from scalar.forward (tanh, no bias); this unit's are "
            "o_t = σ(u·x_t + w·o_(t−1) + b): write its forward pass (np.exp)",
        ),
    ],
    ids=["tanh-prime", "sigmoid-slope"],
)
def test_sigmoid_unit_run_with_scalar_forward_is_named(slope, says):
    first = refusal(check_sigmoid_bptt, _sigmoid_on_scalar_forward(slope))
    assert first == (f"check_sigmoid_bptt: {says} (dL/du, dL/dw, dL/db, dL/dv wrong)")


# -- 04.hundred_steps: near misses named, each value derived here ---------------------------------


def _hundred_states(w, each=False):
    """o_0..o_100 of the worked example's inputs repeated 25 times, u = 0.1, by hand: the four
    as a block (x_1..x_4, x_1..x_4, ...), or ``each`` 25 times in a row."""
    o = [0.0]
    xs = list(EXAMPLE["xs"])
    for x in [x for x in xs for _ in range(25)] if each else xs * 25:
        o.append(math.tanh(0.1 * x + w * o[-1]))
    return o


def _peak(factor, w=1.5, first=1, each=False):
    """max over t of |Π_(s=first..t) factor(o, s, w)|, t = first..100, the states by hand."""
    o = _hundred_states(w, each)
    gain, best = 1.0, 0.0
    for s in range(first, 101):
        gain *= factor(o, s, w)
        best = max(best, abs(gain))
    return best


def _tanh_prime(o, s, w):
    return (1 - o[s] ** 2) * w


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (
            lambda: math.prod(_tanh_prime(_hundred_states(1.5), s, 1.5) for s in range(1, 5)),
            "that is |do_4/do_0|, the lessons' T = 4",
        ),
        (
            lambda: _peak(lambda o, s, w: (1 - o[s - 1] ** 2) * w),
            "that uses (1 − o_(t−1)²)·w, one step early",
        ),
        (lambda: _peak(_tanh_prime, w=2.0), "that is the peak for the lesson's w = 2"),
        (
            lambda: math.prod(_tanh_prime(_hundred_states(2.0), s, 2.0) for s in range(2, 5)),
            "that is the lesson's |do_4/do_1| for w = 2 and T = 4",
        ),
        (lambda: _peak(_tanh_prime, first=2), "that is the largest |do_t/do_1|"),
        (
            lambda: _peak(lambda o, s, w: (1 - math.tanh(o[s]) ** 2) * w),
            "you applied tanh to o_t again",
        ),
        (
            lambda: _peak(lambda o, s, w: (1 - o[s]) * w),
            "(1 − o_t) where (1 − o_t²) belongs",
        ),
        (
            lambda: max(_tanh_prime(_hundred_states(1.5), s, 1.5) for s in range(1, 101)),
            "that is the largest single factor",
        ),
        (lambda: math.log10(_peak(_tanh_prime)), "that is its log10"),
        (lambda: math.log(_peak(_tanh_prime)), "that is its natural log"),
        (lambda: 5, "that is the step where the gain peaks (t = 5)"),
        (lambda: _peak(_tanh_prime, each=True), "that runs each input 25 times in a row"),
        (lambda: _peak(_tanh_prime, w=0.9), "that is with the worked example's w = 0.9"),
        (lambda: 1.5**100, "that is 1.5¹⁰⁰, the factors without tanh′"),
        (
            lambda: math.prod(_tanh_prime(_hundred_states(1.5), s, 1.5) for s in range(1, 101)),
            "that is |do_100/do_0|, the value at t = 100",
        ),
        (
            lambda: sum(
                math.log10(_tanh_prime(_hundred_states(1.5), s, 1.5)) for s in range(1, 101)
            ),
            "that is log10 |do_100/do_0|, the value at t = 100",
        ),
    ],
    ids=[
        "t1-to-4",
        "one-step-early",
        "w2",
        "lesson-reach",
        "from-o1",
        "tanh-twice",
        "one-minus-o",
        "largest-factor",
        "log10",
        "ln",
        "the-step",
        "each-input-25-times",
        "w-0.9",
        "no-tanh-prime",
        "at-t100",
        "log10-at-t100",
    ],
)
def test_hundred_steps_near_misses_are_named(given, says):
    value = given()
    shown = [value] + ([float(f"{value:.3g}")] if 1e-3 < abs(value) < 1e3 else [])
    for v in shown:  # computed, or to three digits as the prompt allows
        with pytest.raises(AssertionError) as excinfo:
            check_answer("04.hundred_steps", v)
        said = str(excinfo.value)
        if v == value:  # the slip's own value is named as it
            assert f"is not right: {says}" in said, (v, said)
        else:  # rounded, it may lie outside the tolerance: then it is said to be that rounded
            assert f"is not right: {says}" in said or (
                f"{value:.6g} rounded, which is what this slip gives: {says}" in said
            ), (v, said)


def test_hundred_steps_states_the_precision_wanted_and_its_nearest_miss_lies_outside(capsys):
    (q,) = [x for x in QUESTIONS if x.key == "04.hundred_steps"]
    assert q.rtol == 1e-3 and q.atol == 0.0
    assert "three significant digits" in q.prompt
    right = _peak(_tanh_prime)
    check_answer("04.hundred_steps", right)
    check_answer("04.hundred_steps", float(f"{right:.3g}"))  # 4.28: three digits are enough
    # the nearest wrong value, |do_4/do_0|, is 3.5% away: 35 tolerances
    nearest = math.prod(_tanh_prime(_hundred_states(1.5), s, 1.5) for s in range(1, 5))
    assert abs(nearest - right) / right > 30 * q.rtol


def test_hundred_steps_is_not_the_lessons_computation_with_another_w():
    """The lesson prints Σ log10 |(1 − o_t²)·2| over t = 1..100 (w = 2): the question asks for
    another quantity, not that line with w = 1.5."""
    (q,) = [x for x in QUESTIONS if x.key == "04.hundred_steps"]
    copied = sum(math.log10(_tanh_prime(_hundred_states(1.5), s, 1.5)) for s in range(1, 101))
    assert not math.isclose(copied, q.answer, rel_tol=0.5)
    lesson = nbformat.read(ROOT / "notebooks/04_through_all_time_steps.ipynb", as_version=4)
    code = "\n".join(c.source for c in lesson.cells if c.cell_type == "code")
    assert "cumprod" not in code  # the running product is the learner's own step


# -- the exercise's own gradient check cell --------------------------------------------------------


def _exercise_cell(cell_id):
    nb = nbformat.read(ROOT / "exercises" / "04_through_all_time_steps.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
    return cell.source


def test_own_gradient_check_says_the_error_found_and_the_bound():
    def off(xs, y, u, w, v):  # 1% off: relative error 0.01 / 2.01, about 0.005
        return tuple(1.01 * g for g in _scalar_bptt_exact(xs, y, u, w, v))

    namespace = {
        "np": np,
        "scalar": scalar,
        "numerical_gradient": numerical_gradient,
        "rel_error": rnnlib.rel_error,
        "scalar_bptt": off,
    }
    with pytest.raises(AssertionError) as excinfo:
        exec(_exercise_cell("x04-c07"), namespace)
    said = str(excinfo.value)
    assert said.startswith("relative error 0.005, it must be below 1e-7:\nyour gradient      [")
    assert "\nfinite differences [" in said
    namespace["scalar_bptt"] = _scalar_bptt_exact
    exec(_exercise_cell("x04-c07"), namespace)  # the right answer passes


# -- the optional task: check_scalar_bptt_many ----------------------------------------------------


def test_many_reference_against_finite_differences():
    cases = check_scalar_bptt_many.cases()
    assert [len(c.args["xs"]) for c in cases] == [4, 1, 2, 5, 8]
    for case in cases:
        assert np.shape(case.args["ys"]) == np.shape(case.args["xs"])
        np.testing.assert_allclose(case.expected, _total_loss_fd(**case.args), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda xs, ys, u, w, v: scalar.bptt(xs, ys, u, w, v), "scalar.bptt"),
        (
            lambda xs, ys, u, w, v: scalar.backward(scalar.forward(xs, u, w, v), ys)[:3],
            "scalar.backward",
        ),
        (lambda xs, ys, u, w, v: scalar.rtrl(xs, ys, u, w, v), "scalar.rtrl"),
        (
            lambda xs, ys, u, w, v: gradflow.scalar_bptt_truncated(xs, ys, u, w, v, len(xs)),
            "rnnlib.gradflow.scalar_bptt_truncated",
        ),
    ],
    ids=["bptt", "backward", "rtrl", "truncated"],
)
def test_many_refuses_the_librarys_answer(call, named):
    first = refusal(check_scalar_bptt_many, call)
    assert first.startswith(f"check_scalar_bptt_many: you called {named}: ")


@pytest.mark.parametrize(
    ("result", "said"),
    [
        (None, "check_scalar_bptt_many: your function returned None (is a `return` missing?)"),
        (
            {"du": 0.1, "dw": 0.2, "dv": 0.3},
            "check_scalar_bptt_many: your function returned a dict; expected a tuple of 3 "
            "(dL/du, dL/dw, dL/dv)",
        ),
    ],
    ids=["None", "dict"],
)
def test_many_bad_results_get_a_clear_message(result, said):
    assert refusal(check_scalar_bptt_many, lambda xs, ys, u, w, v: result) == said


def test_many_finite_difference_is_named_not_accepted():
    first = refusal(check_scalar_bptt_many, _total_loss_fd)
    assert "that is what a finite difference gives" in first


def test_many_reused_scalar_bptt_is_named():
    """scalar_bptt (one target, at the end) called with the last target."""
    first = refusal(
        check_scalar_bptt_many, lambda xs, ys, u, w, v: _scalar_bptt_exact(xs, ys[-1], u, w, v)
    )
    assert first.startswith(
        "check_scalar_bptt_many: only the last target used (scalar_bptt with ys[-1]): "
    )


def test_exercise_calls_the_many_checker_in_its_graded_optional_cell():
    nb = nbformat.read(ROOT / "exercises" / "04_through_all_time_steps.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.get("id") == "x04-c11"]
    assert cell.source.strip() == "check_scalar_bptt_many(scalar_bptt_many)"
    assert {"graded", "optional"} <= set(cell.metadata["tags"])
    assert cell.metadata["nbgrader"]["grade"] is True


def _many_with(share_of_w, carry):
    """A learner's scalar_bptt_many written here (math.tanh, no rnnlib) whose step t adds
    ``share_of_w(da, o, t)`` to dL/dw and carries ``carry(delta, da, o, t)`` back to step t − 1
    (the right ones: ``da·o[t − 1]`` and ``da·w``)."""

    def scalar_bptt_many(xs, ys, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        errs = [v * o[t] - ys[t - 1] for t in range(1, len(xs) + 1)]
        carried, du, dw = 0.0, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            delta = errs[t - 1] * v + carried  # δ_t
            da = delta * (1.0 - o[t] ** 2)
            du, dw = du + da * xs[t - 1], dw + share_of_w(da, o, t)
            carried = carry(delta, da, w)
        return du, dw, sum(e * o[t] for t, e in enumerate(errs, 1))

    return scalar_bptt_many


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            _many_with(lambda da, o, t: da * o[t], lambda delta, da, w: da * w),
            "check_scalar_bptt_many: dL/dw: o_t where o_(t−1) belongs: step t's share of w is "
            "δ_t (1 − o_t²) o_(t−1), fwd.o[t − 1]",
        ),
        (
            _many_with(lambda da, o, t: da * o[t - 1], lambda delta, da, w: delta * w),
            "check_scalar_bptt_many: tanh′ is missing from what you carry back: step t passes "
            "δ_t (1 − o_t²) w to step t − 1, not δ_t·w (dL/du, dL/dw wrong)",
        ),
    ],
    ids=["o_t for o_(t-1)", "carry without tanh'"],
)
def test_many_names_o_t_for_o_prev_and_a_carry_without_tanh_prime(answer, said):
    assert refusal(check_scalar_bptt_many, answer) == said


def test_many_passes_a_vectorised_answer(capsys):
    """The backward loop as one matrix product: δ = M·(own errors), M[s, t] the product of
    (1 − o_r²)·w over the steps r from t down to s + 1 (a right answer in another form)."""

    def scalar_bptt_many(xs, ys, u, w, v):
        o = np.zeros(len(xs) + 1)
        for t, x in enumerate(xs, 1):
            o[t] = np.tanh(u * x + w * o[t - 1])
        err = v * o[1:] - ys
        back = (1 - o[1:] ** 2) * w  # do_t/do_(t−1), t = 1..T
        T = len(xs)
        M = np.array(
            [[np.prod(back[s + 1 : t + 1]) if t >= s else 0.0 for t in range(T)] for s in range(T)]
        )
        da = (M @ (err * v)) * (1 - o[1:] ** 2)
        return float(da @ xs), float(da @ o[:-1]), float(err @ o[1:])

    check_scalar_bptt_many(scalar_bptt_many)
    assert "cases passed ✓" in capsys.readouterr().out


# -- slips of a factor: tanh for its slope, a factor 2 or ½ at the start, tanh′ in dL/dv ----------


def _loop_with(slope=lambda o_t: 1.0 - o_t * o_t, err_factor=1.0, dv_factor=lambda o_T: 1.0):
    """A backward loop written here (math.tanh) with the tanh′ at step t ``slope(o_t)``, the
    error signal ``err_factor·(ŷ − y)`` and dL/dv multiplied by ``dv_factor(o_T)``."""

    def grads(xs, y, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        err = err_factor * (v * o[-1] - y)
        d, du, dw = err * v, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            da = d * slope(o[t])
            du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
        return du, dw, err * o[-1] * dv_factor(o[-1])

    return grads


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            _loop_with(slope=lambda o_t: o_t),
            "o_t = tanh(a_t) where its slope belongs: tanh′(a_t) = 1 − tanh(a_t)² = 1 − o_t² "
            "(dL/du, dL/dw wrong)",
        ),
        (
            _loop_with(err_factor=2.0),
            "every gradient is twice the right one: you started from 2(ŷ − y), the slope of "
            "(ŷ − y)²; L = ½(ŷ − y)², so dL/dŷ = ŷ − y (dL/du, dL/dw, dL/dv wrong)",
        ),
        (
            _loop_with(err_factor=0.5),
            "every gradient is half the right one: you started from ½(ŷ − y); the power rule's 2 "
            "cancels the ½ of L, dL/dŷ = ½·2(ŷ − y) = ŷ − y (dL/du, dL/dw, dL/dv wrong)",
        ),
        (
            _loop_with(dv_factor=lambda o_T: 1.0 - o_T * o_T),
            "dL/dv has an extra factor (1 − o_T²): ŷ = v·o_T has no tanh between v and ŷ, "
            "dL/dv = dL/dŷ · o_T",
        ),
    ],
    ids=["tanh-for-its-slope", "doubled", "halved", "dv-with-tanh-prime"],
)
def test_slips_of_one_factor_are_named(answer, says):
    """They used to be told only which items are wrong ("dL/du, dL/dw are wrong")."""
    assert refusal(check_scalar_bptt, answer) == f"check_scalar_bptt: {says}"


def _sigmoid_loop(act=math.tanh, slope=lambda o_t: o_t * (1.0 - o_t), db_slope=None):
    """sigmoid_bptt written here: states o_t = act(u·x_t + w·o_(t−1) + b) (the bias kept),
    ``slope(o_t)`` back, and b's share at step t multiplied by ``db_slope(x_t, o_(t−1))``."""

    def grads(xs, y, u, w, b, v):
        o = [0.0]
        for x in xs:
            o.append(act(u * x + w * o[-1] + b))
        err = v * o[-1] - y
        d, du, dw, db = err * v, 0.0, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            da = d * slope(o[t])
            du, dw = du + da * xs[t - 1], dw + da * o[t - 1]
            db += da * (db_slope(xs[t - 1], o[t - 1]) if db_slope else 1.0)
            d = da * w
        return du, dw, db, err * o[-1]

    return grads


def _logistic(a):
    return 1.0 / (1.0 + math.exp(-a))


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            _sigmoid_loop(act=math.tanh),
            "your forward pass runs tanh (your σ′ back is right): this unit's states are "
            "o_t = σ(u·x_t + w·o_(t−1) + b), σ(a) = 1/(1 + e^(−a)) "
            "(dL/du, dL/dw, dL/db, dL/dv wrong)",
        ),
        (
            _sigmoid_loop(act=_logistic, slope=lambda o_t: o_t),
            "o_t = σ(a_t) where its slope belongs: σ′(a_t) = σ(a_t)(1 − σ(a_t)) = o_t·(1 − o_t) "
            "(dL/du, dL/dw, dL/db wrong)",
        ),
        (
            _sigmoid_loop(act=_logistic, db_slope=lambda x_t, o_prev: o_prev),
            "dL/db with a factor o_(t−1) (as in dL/dw): b enters a_t with slope 1",
        ),
    ],
    ids=["tanh-forward-sigmoid-slope", "sigma-for-its-slope", "db-times-o-prev"],
)
def test_sigmoid_slips_of_one_factor_are_named(answer, says):
    """The first used to be told "(with tanh′ back)" for its dL/dv, though its σ′ back is right,
    and its other items only "wrong"; the other two were told only which items are wrong."""
    assert refusal(check_sigmoid_bptt, answer) == f"check_sigmoid_bptt: {says}"


# -- slips added after a learner's walk-through: each wrong answer written here by hand ----------


def _states(xs, u, w):
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    return o


def _bptt_by_hand(xs, y, u, w, v, *, order="back", carry_v=False, mean=False, dv_all=False):
    o, T = _states(xs, u, w), len(xs)
    err = v * o[-1] - y
    d, du, dw = err * v, 0.0, 0.0
    for t in range(T, 0, -1) if order == "back" else range(1, T + 1):
        da = d * (1.0 - o[t] * o[t])
        du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w * (v if carry_v else 1.0)
    if mean:
        du, dw = du / T, dw / T
    dv = sum(err * o[t] for t in range(1, T + 1)) if dv_all else err * o[-1]
    return du, dw, dv


def _index_past_the_end(xs, y, u, w, v):
    o = _states(xs, u, w)
    err, d, du, dw = v * o[-1] - y, (v * o[-1] - y) * v, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = d * (1.0 - o[t] ** 2)
        du, dw, d = du + da * xs[t], dw + da * o[t - 1], da * w  # xs[t]: x_(t+1), past the end
    return du, dw, err * o[-1]


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda *a: _bptt_by_hand(*a, order="forward"), "your loop runs forwards, t = 1, 2"),
        (lambda *a: _bptt_by_hand(*a, carry_v=True), "v is multiplied in at every step back"),
        (lambda *a: _bptt_by_hand(*a, mean=True), "dL/du and dL/dw are the means of the shares"),
        (lambda *a: _bptt_by_hand(*a, dv_all=True), "dL/dv = Σ_t (ŷ − y)·o_t: v makes one output"),
        (_index_past_the_end, "an index ran past the end of an array: fwd.o holds T + 1 states"),
    ],
    ids=["forward-order", "v-every-step", "mean", "dv-every-step", "index-past-the-end"],
)
def test_scalar_bptt_names_more_slips(answer, says):
    assert refusal(check_scalar_bptt, answer).startswith(f"check_scalar_bptt: {says}")
    # (the hand-written loop itself, with no slip, passes: the slips are the only difference)
    check_scalar_bptt(_bptt_by_hand)


def _sigmoid_by_hand(xs, y, u, w, b, v, *, sign=-1.0, db_slope=True):
    o = [0.0]
    for x in xs:
        o.append(1.0 / (1.0 + math.exp(sign * (u * x + w * o[-1] + b))))
    err = v * o[-1] - y
    d, du, dw, db = err * v, 0.0, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = d * o[t] * (1.0 - o[t])
        du, dw, db = du + da * xs[t - 1], dw + da * o[t - 1], db + (da if db_slope else d)
        d = da * w
    return du, dw, db, err * o[-1]


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda *a: _sigmoid_by_hand(*a, sign=1.0), "your σ is 1/(1 + e^a) = σ(−a)"),
        (lambda *a: _sigmoid_by_hand(*a, db_slope=False), "dL/db adds δ_t without σ′(a_t)"),
    ],
    ids=["exponent-sign", "db-missing-slope"],
)
def test_sigmoid_bptt_names_more_slips(answer, says, capsys):
    assert refusal(check_sigmoid_bptt, answer).startswith(f"check_sigmoid_bptt: {says}")
    check_sigmoid_bptt(_sigmoid_by_hand)


def test_scalar_bptt_many_names_dv_paired_with_the_state_before(capsys):
    def dv_one_step_early(xs, ys, u, w, v):
        du, dw, _ = _scalar_bptt_many_exact(xs, ys, u, w, v)
        o = _states(xs, u, w)
        return du, dw, sum((v * o[t] - ys[t - 1]) * o[t - 1] for t in range(1, len(xs) + 1))

    assert refusal(check_scalar_bptt_many, dv_one_step_early).startswith(
        "check_scalar_bptt_many: dL/dv pairs ŷ_t − y_t with o_(t−1) (fwd.o[:-1])"
    )


# -- tanh′ squared, (1 − o_t²)², written here by hand -----------------------------------------


def _bptt_slope_squared(xs, y, u, w, v):
    o = _states(xs, u, w)
    err = v * o[-1] - y
    d, du, dw = err * v, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        slope = (1.0 - o[t] * o[t]) ** 2  # the slip
        da = d * slope
        du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
    return du, dw, err * o[-1]


def _many_slope_squared(xs, ys, u, w, v):
    o = _states(xs, u, w)
    errs = [v * o[t] - ys[t - 1] for t in range(1, len(xs) + 1)]
    d, du, dw = 0.0, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = (d + errs[t - 1] * v) * (1.0 - o[t] * o[t]) * (1.0 - o[t] * o[t])  # the slip
        du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
    return du, dw, sum(e * o[t] for t, e in enumerate(errs, 1))


@pytest.mark.parametrize(
    ("checker", "answer"),
    [(check_scalar_bptt, _bptt_slope_squared), (check_scalar_bptt_many, _many_slope_squared)],
    ids=["scalar_bptt", "scalar_bptt_many"],
)
def test_tanh_prime_squared_is_named(checker, answer):
    assert refusal(checker, answer) == (
        f"{checker.name}: (1 − o_t²)² where (1 − o_t²) belongs: tanh′(a) = 1 − tanh(a)², "
        "square o_t only, not the difference (dL/du, dL/dw wrong)"
    )


# -- more slips written here by hand, each named alone: the catalogue's formula is the learner's --


def _skips_step_T(xs, y, u, w, v):
    o = _states(xs, u, w)
    err = v * o[-1] - y
    d, du, dw = err * v, 0.0, 0.0
    for t in range(len(xs) - 1, 0, -1):  # starts at T − 1: step T's shares are never added
        da = d * (1.0 - o[t] ** 2)
        du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
    return du, dw, err * o[-1]


def _sigmoid_db_at_T_only(xs, y, u, w, b, v):
    o = [0.0]
    for x in xs:
        o.append(1.0 / (1.0 + math.exp(-(u * x + w * o[-1] + b))))
    err = v * o[-1] - y
    d, du, dw, db = err * v, 0.0, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = d * o[t] * (1.0 - o[t])
        du, dw = du + da * xs[t - 1], dw + da * o[t - 1]
        if t == len(xs):
            db = da  # b's share at step T alone
        d = da * w
    return du, dw, db, err * o[-1]


def _many_dv_from_the_last_output(xs, ys, u, w, v):
    du, dw, _ = _scalar_bptt_many_exact(xs, ys, u, w, v)
    o = _states(xs, u, w)
    return du, dw, (v * o[-1] - ys[-1]) * o[-1]


MORE_SLIPS = [
    (check_scalar_bptt, "bptt_tanh_twice", _loop_with(slope=lambda o_t: 1 - math.tanh(o_t) ** 2)),
    (check_scalar_bptt, "bptt_skips_last_step", _skips_step_T),
    (check_sigmoid_bptt, "sigmoid_db_last_step_only", _sigmoid_db_at_T_only),
    (check_scalar_bptt_many, "many_dv_last_only", _many_dv_from_the_last_output),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"), MORE_SLIPS, ids=[k for _, k, _ in MORE_SLIPS]
)
def test_more_slips_written_by_hand_are_named(checker, key, answer):
    assert_slip_named(checker, answer, key)


# -- a learner's walk-through of exercise 04: more slips, each written here as a learner writes
# it (math.tanh, math.exp, no rnnlib), each named alone --------------------------------------------


def _learner_bptt(
    *, y_hat_v=True, loss_not_slope=False, dv="err*o_T", delta_T_tanh=False, carry="w"
):
    """scalar_bptt as a learner writes it, with the slips asked for: ``y_hat_v`` False takes
    ŷ = o_T; ``loss_not_slope`` starts from ½(ŷ − y)²; ``dv`` is "err*o_T" (right),
    "delta*o_T" or "delta"; ``delta_T_tanh`` puts step T's tanh′ into δ_T; ``carry`` is the
    weight the step back multiplies by, "w", "u" or "v"."""

    def scalar_bptt(xs, y, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        y_hat = v * o[-1] if y_hat_v else o[-1]
        err = 0.5 * (y_hat - y) ** 2 if loss_not_slope else y_hat - y
        delta = err * v
        dv_value = {"err*o_T": err * o[-1], "delta*o_T": delta * o[-1], "delta": delta}[dv]
        if delta_T_tanh:
            delta = delta * (1.0 - o[-1] ** 2)
        du = dw = 0.0
        for t in range(len(xs), 0, -1):
            d = delta * (1.0 - o[t] ** 2)
            du += d * xs[t - 1]
            dw += d * o[t - 1]
            delta = d * {"u": u, "v": v, "w": w}[carry]
        return du, dw, dv_value

    return scalar_bptt


def _learner_sigmoid(slip=""):
    """sigmoid_bptt as a learner writes it (math.exp), right or with one slip, named by its key
    in the mistake catalogue (``"sigmoid_wrong_sign"``...); the two overwrites write `=` where
    `+=` belongs: `db = ...` (``"sigmoid_db_overwritten"``) or all three shares
    (``"sigmoid_overwrites_shares"``)."""
    slips = {
        "",
        "sigmoid_wrong_sign",
        "sigmoid_missing_v",
        "sigmoid_missing_slope",
        "sigmoid_carry_missing_slope",
        "sigmoid_one_minus_o",
        "sigmoid_dv_extra_v",
        "sigmoid_bias_after",
        "sigmoid_db_overwritten",
        "sigmoid_overwrites_shares",
    }
    assert slip in slips, slip
    sign = -1.0 if slip == "sigmoid_wrong_sign" else 1.0
    slope = {"sigmoid_missing_slope": "1", "sigmoid_one_minus_o": "1-o"}.get(slip, "o(1-o)")
    v_in_delta = slip != "sigmoid_missing_v"
    carry_slope = slip != "sigmoid_carry_missing_slope"
    dv_v = slip == "sigmoid_dv_extra_v"
    bias_inside = slip != "sigmoid_bias_after"
    overwrite = {"sigmoid_db_overwritten": "db", "sigmoid_overwrites_shares": "all"}.get(slip, "")

    def sigmoid_bptt(xs, y, u, w, b, v):
        o = [0.0]
        for x in xs:
            if bias_inside:
                o.append(1.0 / (1.0 + math.exp(-(u * x + w * o[-1] + b))))
            else:
                o.append(1.0 / (1.0 + math.exp(-(u * x + w * o[-1]))) + b)
        err = sign * (v * o[-1] - y)
        dv = err * o[-1] * (v if dv_v else 1.0)
        delta = err * v if v_in_delta else err
        du = dw = db = 0.0
        for t in range(len(xs), 0, -1):
            s = {"o(1-o)": o[t] * (1.0 - o[t]), "1": 1.0, "1-o": 1.0 - o[t]}[slope]
            d = delta * s
            du, dw, db = du + d * xs[t - 1], dw + d * o[t - 1], db + d
            if overwrite:
                db = d
            if overwrite == "all":
                du, dw = d * xs[t - 1], d * o[t - 1]
            delta = (d if carry_slope else delta) * w
        return du, dw, db, dv

    return sigmoid_bptt


def _learner_many(*, dv_v=False, carry_prev_tanh=False):
    """scalar_bptt_many as a learner writes it (math.tanh), with the slips asked for."""

    def scalar_bptt_many(xs, ys, u, w, v):
        o = [0.0]
        for x in xs:
            o.append(math.tanh(u * x + w * o[-1]))
        T = len(xs)
        dv = du = dw = carried = 0.0
        for t in range(T, 0, -1):
            own = (v * o[t] - ys[t - 1]) * v  # dL/do_t from ŷ_t
            dv += (v * o[t] - ys[t - 1]) * o[t] * (v if dv_v else 1.0)
            delta = own + carried
            d = delta * (1.0 - o[t] ** 2)
            du, dw = du + d * xs[t - 1], dw + d * o[t - 1]
            carried = delta * w * (1.0 - o[t - 1] ** 2) if carry_prev_tanh else d * w
        return du, dw, dv

    return scalar_bptt_many


WALK_THROUGH = [
    (check_scalar_bptt, "bptt_dv_extra_v", _learner_bptt(dv="delta*o_T")),
    (check_scalar_bptt, "bptt_dv_is_delta_T", _learner_bptt(dv="delta")),
    (check_scalar_bptt, "bptt_carry_u", _learner_bptt(carry="u")),
    (check_scalar_bptt, "bptt_tanh_prime_T_twice", _learner_bptt(delta_T_tanh=True)),
    (check_scalar_bptt, "bptt_err_is_loss", _learner_bptt(loss_not_slope=True)),
    (check_scalar_bptt, "bptt_y_hat_without_v", _learner_bptt(y_hat_v=False)),
    (check_sigmoid_bptt, "sigmoid_wrong_sign", _learner_sigmoid("sigmoid_wrong_sign")),
    (check_sigmoid_bptt, "sigmoid_missing_v", _learner_sigmoid("sigmoid_missing_v")),
    (check_sigmoid_bptt, "sigmoid_missing_slope", _learner_sigmoid("sigmoid_missing_slope")),
    (
        check_sigmoid_bptt,
        "sigmoid_carry_missing_slope",
        _learner_sigmoid("sigmoid_carry_missing_slope"),
    ),
    (check_sigmoid_bptt, "sigmoid_one_minus_o", _learner_sigmoid("sigmoid_one_minus_o")),
    (check_sigmoid_bptt, "sigmoid_dv_extra_v", _learner_sigmoid("sigmoid_dv_extra_v")),
    (check_sigmoid_bptt, "sigmoid_bias_after", _learner_sigmoid("sigmoid_bias_after")),
    (check_scalar_bptt_many, "many_dv_extra_v", _learner_many(dv_v=True)),
    (check_scalar_bptt_many, "many_carry_prev_tanh_prime", _learner_many(carry_prev_tanh=True)),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"), WALK_THROUGH, ids=[k for _, k, _ in WALK_THROUGH]
)
def test_walk_through_slips_are_named(checker, key, answer):
    """Each used to be told only which items are wrong ("dL/du, dL/dw are wrong")."""
    assert_slip_named(checker, answer, key)


@pytest.mark.parametrize(
    ("checker", "answer"),
    [
        (check_scalar_bptt, _learner_bptt()),
        (check_sigmoid_bptt, _learner_sigmoid()),
        (check_scalar_bptt_many, _learner_many()),
    ],
    ids=["scalar", "sigmoid", "many"],
)
def test_the_walk_through_loops_without_a_slip_pass(checker, answer, capsys):
    """The slips above are the only difference from a right answer."""
    checker(answer)
    assert "5/5 cases passed ✓" in capsys.readouterr().out


def _walk_through_gain(u, factor):
    """max_t |Π_(s=1..t) factor(o_s)| over t = 1..100, the worked example's inputs 25 times,
    w = 1.5, the states by hand."""
    o, gain, best = 0.0, 1.0, 0.0
    for x in list(EXAMPLE["xs"]) * 25:
        o = math.tanh(u * x + 1.5 * o)
        gain *= factor(o)
        best = max(best, abs(gain))
    return best


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (
            _walk_through_gain(0.1, lambda o: 1 - o * o),  # = 1 − tanh(0.1)², at t = 1
            "that is the product of the tanh′ alone, without w",
        ),
        (
            _walk_through_gain(0.8, lambda o: (1 - o * o) * 1.5),
            "that is with the worked example's u = 0.8",
        ),
    ],
    ids=["no-w", "u-0.8"],
)
def test_hundred_steps_walk_through_misses_are_named(given, says):
    for value in (given, float(f"{given:.3g}")):  # computed, or to three digits
        assert says in refusal(check_answer, "04.hundred_steps", value)


# -- found by a learner's review of the exercise ------------------------------------------------


def _sigmoid_db_never_added(xs, y, u, w, b, v):
    """sigmoid_bptt as a learner writes it (math.exp) with `db = 0.0` set and never added to."""
    o = [0.0]
    for x in xs:
        o.append(1.0 / (1.0 + math.exp(-(u * x + w * o[-1] + b))))
    err = v * o[-1] - y
    delta, du, dw, db = err * v, 0.0, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        d = delta * o[t] * (1.0 - o[t])
        du, dw = du + d * xs[t - 1], dw + d * o[t - 1]
        delta = d * w
    return du, dw, db, err * o[-1]


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    [
        (check_scalar_bptt, "bptt_carry_v", _learner_bptt(carry="v")),
        (check_sigmoid_bptt, "sigmoid_db_zero", _sigmoid_db_never_added),
        (check_sigmoid_bptt, "sigmoid_db_overwritten", _learner_sigmoid("sigmoid_db_overwritten")),
        (
            check_sigmoid_bptt,
            "sigmoid_overwrites_shares",
            _learner_sigmoid("sigmoid_overwrites_shares"),
        ),
    ],
    ids=["carry-v", "db-zero", "db-overwritten", "all-overwritten"],
)
def test_wrong_weight_in_the_carry_and_db_slips_are_named(checker, key, answer):
    """They used to be told only "dL/du, dL/dw are wrong" and "dL/db is wrong" (the two
    overwrites, `=` where `+=` belongs, until the red-team of 2026-12-05)."""
    assert_slip_named(checker, answer, key)


# -- slips of the backward loop's order and of its carry, written by hand (math.tanh, math.exp) --


def _tanh_states(xs, u, w):
    o = [0.0]
    for x in xs:
        o.append(math.tanh(u * x + w * o[-1]))
    return o


def _sigmoid_states(xs, u, w, b, forward="right"):
    """o_0..o_T of the sigmoid unit as a learner types it: ``forward`` "right",
    "exp_parentheses" (`math.exp(-u*x + w*o + b)`) or "one_over_one" (`1/1 + math.exp(-a)`)."""
    o = [0.0]
    for x in xs:
        if forward == "exp_parentheses":
            o.append(1 / (1 + math.exp(-u * x + w * o[-1] + b)))
        elif forward == "one_over_one":
            o.append(1 / 1 + math.exp(-(u * x + w * o[-1] + b)))
        else:
            o.append(1 / (1 + math.exp(-(u * x + w * o[-1] + b))))
    return o


def _bptt_carry_first(xs, y, u, w, v):
    """δ updated to δ_(t−1) first, then step t's shares taken from the updated δ."""
    o = _tanh_states(xs, u, w)
    err = v * o[-1] - y
    delta, du, dw = err * v, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        delta = delta * (1.0 - o[t] ** 2) * w
        du += delta * (1.0 - o[t] ** 2) * xs[t - 1]
        dw += delta * (1.0 - o[t] ** 2) * o[t - 1]
    return du, dw, err * o[-1]


def _bptt_carry_first_da(xs, y, u, w, v):
    """da = δ_t (1 − o_t²), then δ = da·w, then the shares from the new δ."""
    o = _tanh_states(xs, u, w)
    err = v * o[-1] - y
    delta, du, dw = err * v, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = delta * (1.0 - o[t] ** 2)
        delta = da * w
        du += delta * xs[t - 1]
        dw += delta * o[t - 1]
    return du, dw, err * o[-1]


def _bptt_dL_da_carry(right):
    """g = dL/da_t carried back; ``right``: g_(t−1) = g_t·w·(1 − o_(t−1)²), else the slip
    g_t·w·(1 − o_t²)."""

    def scalar_bptt(xs, y, u, w, v):
        o = _tanh_states(xs, u, w)
        err = v * o[-1] - y
        g, du, dw = err * v * (1.0 - o[-1] ** 2), 0.0, 0.0
        for t in range(len(xs), 0, -1):
            du += g * xs[t - 1]
            dw += g * o[t - 1]
            g = g * w * (1.0 - o[t - 1 if right else t] ** 2)
        return du, dw, err * o[-1]

    return scalar_bptt


def _bptt_carry_o_prev(xs, y, u, w, v):
    """The step back multiplies by o_(t−1), the factor of dL/dw's share, not by w."""
    o = _tanh_states(xs, u, w)
    err = v * o[-1] - y
    delta, du, dw = err * v, 0.0, 0.0
    for t in range(len(xs), 0, -1):
        da = delta * (1.0 - o[t] ** 2)
        du, dw = du + da * xs[t - 1], dw + da * o[t - 1]
        delta = da * o[t - 1]
    return du, dw, err * o[-1]


def _sigmoid_learner(forward="right", *, slope_step=0, carry="right", dv_slope=False):
    """sigmoid_bptt as a learner writes it: ``forward`` as in :func:`_sigmoid_states`,
    ``slope_step`` −1 takes σ′ of step t − 1 in the shares, ``carry`` "right", "first" (δ updated
    before the shares) or "prev_slope" (δ_t·w·σ′(a_(t−1))), ``dv_slope`` puts σ′(a_T) into
    dL/dv."""

    def sigmoid_bptt(xs, y, u, w, b, v):
        o = _sigmoid_states(xs, u, w, b, forward)
        err = v * o[-1] - y
        dv = err * o[-1] * (o[-1] * (1.0 - o[-1]) if dv_slope else 1.0)
        delta, du, dw, db = err * v, 0.0, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            s = o[t + slope_step] * (1.0 - o[t + slope_step])
            if carry == "first":
                delta = delta * s * w
            d = delta * s
            du, dw, db = du + d * xs[t - 1], dw + d * o[t - 1], db + d
            if carry == "right":
                delta = d * w
            elif carry == "prev_slope":
                delta = delta * w * o[t - 1] * (1.0 - o[t - 1])
        return du, dw, db, dv

    return sigmoid_bptt


def _sigmoid_dL_da_carry(right):
    """g = dL/da_t carried back; ``right``: g_(t−1) = g_t·w·σ′(a_(t−1)), else the slip
    g_t·w·σ′(a_t)."""

    def sigmoid_bptt(xs, y, u, w, b, v):
        o = _sigmoid_states(xs, u, w, b)
        err = v * o[-1] - y
        g, du, dw, db = err * v * o[-1] * (1.0 - o[-1]), 0.0, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            du, dw, db = du + g * xs[t - 1], dw + g * o[t - 1], db + g
            s = t - 1 if right else t
            g = g * w * o[s] * (1.0 - o[s])
        return du, dw, db, err * o[-1]

    return sigmoid_bptt


def _many_carry_first(xs, ys, u, w, v):
    """scalar_bptt_many with what step t carries back computed before its shares."""
    o = _tanh_states(xs, u, w)
    du = dw = dv = carried = 0.0
    for t in range(len(xs), 0, -1):
        e = v * o[t] - ys[t - 1]
        dv += e * o[t]
        delta = e * v + carried
        carried = delta * (1.0 - o[t] ** 2) * w
        d = carried * (1.0 - o[t] ** 2)
        du, dw = du + d * xs[t - 1], dw + d * o[t - 1]
    return du, dw, dv


ORDER_AND_CARRY_SLIPS = [
    (check_scalar_bptt, "bptt_carry_before_shares", _bptt_carry_first),
    (check_scalar_bptt, "bptt_carry_before_shares_da", _bptt_carry_first_da),
    (check_scalar_bptt, "bptt_dL_da_carried_with_step_ts_tanh_prime", _bptt_dL_da_carry(False)),
    (check_scalar_bptt, "bptt_carry_o_prev", _bptt_carry_o_prev),
    (check_sigmoid_bptt, "sigmoid_exponent_parentheses", _sigmoid_learner("exp_parentheses")),
    (check_sigmoid_bptt, "sigmoid_one_over_one", _sigmoid_learner("one_over_one")),
    (check_sigmoid_bptt, "sigmoid_slope_at_prev", _sigmoid_learner(slope_step=-1)),
    (check_sigmoid_bptt, "sigmoid_carry_before_shares", _sigmoid_learner(carry="first")),
    (check_sigmoid_bptt, "sigmoid_carry_prev_slope", _sigmoid_learner(carry="prev_slope")),
    (check_sigmoid_bptt, "sigmoid_dv_slope", _sigmoid_learner(dv_slope=True)),
    (
        check_sigmoid_bptt,
        "sigmoid_dL_da_carried_with_step_ts_slope",
        _sigmoid_dL_da_carry(right=False),
    ),
    (check_scalar_bptt_many, "many_carry_before_shares", _many_carry_first),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    ORDER_AND_CARRY_SLIPS,
    ids=[k for _, k, _ in ORDER_AND_CARRY_SLIPS],
)
def test_slips_of_the_loops_order_and_carry_are_named(checker, key, answer):
    """Each used to be told only which items are wrong ("dL/du, dL/dw are wrong")."""
    assert_slip_named(checker, answer, key)


@pytest.mark.parametrize(
    ("checker", "answer"),
    [
        (check_scalar_bptt, _bptt_dL_da_carry(True)),
        (check_sigmoid_bptt, _sigmoid_learner()),
        (check_sigmoid_bptt, _sigmoid_dL_da_carry(right=True)),
    ],
    ids=["scalar-dL-da-carried", "sigmoid", "sigmoid-dL-da-carried"],
)
def test_the_loops_above_without_their_slip_pass(checker, answer, capsys):
    """Carrying dL/da_t with step t−1's tanh′ is right; the sigmoid learner without a slip too."""
    checker(answer)
    assert "5/5 cases passed ✓" in capsys.readouterr().out


def test_the_slips_above_against_finite_differences():
    """The catalogue's formulas are the learner's: each new entry's answer equals the hand-written
    slip, and the reference (no slip) equals finite differences of a forward pass written here."""
    from rnnlib.course.lesson04 import _bptt, _sigmoid_steps

    xs, y, u, w, v = np.array([0.4, -0.9, 0.7]), 0.3, 0.8, -1.1, 1.3
    b = 0.4
    assert np.allclose(_bptt(xs, y, u, w, v), _scalar_bptt(xs, y, u, w, v), rtol=1e-6)
    assert np.allclose(_sigmoid_steps(xs, y, u, w, b, v), _sigmoid_bptt(xs, y, u, w, b, v))
    for checker, key, answer in ORDER_AND_CARRY_SLIPS:
        args = (xs, y, u, w, b, v) if checker is check_sigmoid_bptt else (xs, y, u, w, v)
        if checker is check_scalar_bptt_many:
            args = (xs, np.array([0.2, -0.1, y]), u, w, v)
        assert np.allclose(mistake(checker, key).answer(*args), answer(*args), rtol=1e-12), key


def test_a_backward_pass_that_lost_digits_is_not_told_it_is_a_finite_difference_only():
    """One backward pass over states rounded to float32 agrees to about 1e-7, as a finite
    difference does: the message names both causes, and float64 as the cure."""

    def rounded_states(xs, y, u, w, v):
        fwd = scalar.forward(xs, u, w, v)
        o = fwd.o.astype(np.float32).astype(np.float64)
        T = len(xs)
        err = v * o[T] - y
        du = dw = 0.0
        d = err * v
        for t in range(T, 0, -1):
            da = d * (1 - o[t] ** 2)
            du, dw, d = du + da * xs[t - 1], dw + da * o[t - 1], da * w
        return du, dw, err * o[T]

    first = refusal(check_scalar_bptt, rounded_states)
    assert "a pass that lost digits on the way" in first and "in float64" in first, first


def test_dv_from_the_size_of_o_T_is_told_where_the_wrong_sign_does_not_fit():
    """dL/dv = (ŷ − y)·|o_T|, du and dw right: dL/dv has the wrong sign on the four cases with
    o_T < 0 and is right on case 4 (o_T > 0). "Wrong sign" used to be named as if it held
    everywhere, telling the learner to flip the start of the chain (which would break du and
    dw); it is named with the case where the answer is right, where o_T's sign differs."""

    def abs_o_T(xs, y, u, w, v):
        du, dw, dv = _bptt_by_hand(xs, y, u, w, v)
        o_T = scalar.forward(xs, u, w, v).o[-1]
        return du, dw, dv / o_T * abs(o_T)

    first = refusal(check_scalar_bptt, abs_o_T)
    assert first.startswith("check_scalar_bptt: dL/dv: wrong sign"), first
    assert first.endswith("(not on case 4, where your answer is right)"), first
