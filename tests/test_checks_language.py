"""The lesson-08 checkers: right answers pass, every catalogued mistake is rejected *and named*,
unstable softmaxes fail on the case that explains why, and bad learner output (None, wrong form,
NaN, inputs changed in place, a crash) gets its own clear AssertionError. NotImplementedError
passes through unchanged.

The right answers here are written independently of rnnlib (loops over positions and classes,
finite differences), so a checker whose reference were wrong would fail them.
"""

import math

import numpy as np
import pytest
from checks_support import assert_rejected_and_named, first_line, mistake_params

from rnnlib import numerical_gradient
from rnnlib.checks import check_readout_backward, check_softmax_cross_entropy
from rnnlib.checks.language import MISTAKES, _readout_cases, _sce_cases


def _sce_loss_by_loops(logits, targets):
    """−(1/M) Σ log p[y], position by position, with math.fsum and a max-shifted log-sum-exp."""
    z = np.asarray(logits, dtype=float).reshape(-1, logits.shape[-1])
    y = np.asarray(targets).reshape(-1)
    terms = []
    for m in range(y.size):
        top = max(z[m])
        lse = top + math.log(math.fsum(math.exp(v - top) for v in z[m]))
        terms.append(lse - z[m, y[m]])
    return math.fsum(terms) / y.size


def _sce_right(logits, targets):
    """The answer by loops for the loss and by finite differences for the gradient."""
    z = np.array(logits, dtype=float)
    loss = _sce_loss_by_loops(z, targets)
    return loss, numerical_gradient(lambda zz: _sce_loss_by_loops(zz, targets), z, eps=1e-5)


def _readout_right(dz, h, Wy):
    """dh, dWy, dby by loops over positions (n, t)."""
    N, T, K = dz.shape
    dh = np.zeros_like(h)
    dWy = np.zeros_like(Wy)
    dby = np.zeros(K)
    for n in range(N):
        for t in range(T):
            dh[n, t] = Wy @ dz[n, t]
            dWy += np.outer(h[n, t], dz[n, t])
            dby += dz[n, t]
    return dh, dWy, dby


RIGHT = {
    "check_softmax_cross_entropy": (check_softmax_cross_entropy, _sce_right, 6),
    "check_readout_backward": (check_readout_backward, _readout_right, 3),
}
NAMES = sorted(RIGHT)


def test_references_agree_with_independent_answers():
    for case in _sce_cases():
        loss, grad = _sce_right(**case.args)
        assert case.expected[0] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(case.expected[1], grad, rtol=1e-6, atol=1e-9)
    for case in _readout_cases():
        for want, got in zip(_readout_right(**case.args), case.expected, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_hand_worked_values():
    """Equal logits: p = 1/C, L = log C, dz = (1/C − onehot)/M. One position [0, log 3], y = 1:
    p = (1/4, 3/4), L = −log(3/4)."""
    cases = {c.label: c for c in _sce_cases()}
    uniform = cases["equal logits (p uniform, so L = log C), N = 2, C = 6"]
    assert uniform.expected[0] == pytest.approx(math.log(6))
    want = np.full((2, 6), 1 / 6) - np.eye(6)[[5, 0]]
    np.testing.assert_allclose(uniform.expected[1], want / 2)
    from rnnlib.checks.language import _parts  # the helper all mistakes build on

    logp, p, onehot, M = _parts(np.array([[0.0, math.log(3.0)]]), np.array([1]))
    np.testing.assert_allclose(p, [[0.25, 0.75]])
    np.testing.assert_allclose(onehot, [[0.0, 1.0]])
    assert M == 1 and logp[0, 1] == pytest.approx(math.log(0.75))


@pytest.mark.parametrize("name", NAMES)
def test_right_answer_passes_with_one_line(name, capsys):
    checker, right, n = RIGHT[name]
    assert checker(right) is None
    assert capsys.readouterr().out == f"{name}: {n}/{n} cases passed ✓\n"


def test_a_typical_learner_answer_passes(capsys):
    def softmax_cross_entropy(logits, targets):
        s = logits - logits.max(axis=-1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        M = targets.size
        loss = -np.take_along_axis(logp, targets[..., None], -1).sum() / M
        return loss, (np.exp(logp) - np.eye(logits.shape[-1])[targets]) / M

    check_softmax_cross_entropy(softmax_cross_entropy)
    check_readout_backward(
        lambda dz, h, Wy: (dz @ Wy.T, np.einsum("nth,ntk->hk", h, dz), dz.sum(axis=(0, 1)))
    )
    assert capsys.readouterr().out.count("passed ✓") == 2


@pytest.mark.parametrize(("name", "mistake"), mistake_params(MISTAKES))
def test_each_catalogued_mistake_is_rejected_and_named(name, mistake):
    assert_rejected_and_named(RIGHT[name][0], mistake)


REQUIRED = {  # the brief's minimum catalogue, by mistake key
    "check_softmax_cross_entropy": {
        "sce_no_one_hot",  # forgetting to subtract the one-hot
        "sce_grad_not_averaged",  # not dividing by the number of positions
        "sce_p_instead_of_log_p",  # using p instead of log p
    },
    "check_readout_backward": {"ro_dWy_transposed", "ro_last_step_only"},
}


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_covers_the_minimum(name):
    assert REQUIRED[name] <= {m.key for m in MISTAKES[name]}


def test_each_mistake_really_differs_from_the_reference_somewhere():
    for name, ms in MISTAKES.items():
        cases = _sce_cases() if name == "check_softmax_cross_entropy" else _readout_cases()
        for m in ms:
            differs = False
            for c in cases:
                try:
                    wrong = m.answer(*c.args.values())
                except ValueError:
                    continue
                for a, b in zip(wrong, c.expected, strict=True):
                    if np.shape(a) != np.shape(b) or not np.allclose(a, b):
                        differs = True
            assert differs, m.key


# -- unstable softmaxes fail on the case that says why ---------------------------------------------


def _naive(logits, targets):
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)  # overflows for z ≈ 1000
    M = targets.size
    loss = -np.log(np.take_along_axis(p, targets[..., None], -1)).sum() / M
    return loss, (p - np.eye(logits.shape[-1])[targets]) / M


def _log_of_p(logits, targets):
    s = logits - logits.max(axis=-1, keepdims=True)  # stable softmax ...
    p = np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True)
    M = targets.size
    loss = -np.log(np.take_along_axis(p, targets[..., None], -1)).sum() / M  # ... but log(0)
    return loss, (p - np.eye(logits.shape[-1])[targets]) / M


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_overflowing_softmax_fails_on_the_large_logits_case():
    with pytest.raises(AssertionError) as excinfo:
        check_softmax_cross_entropy(_naive)
    text = str(excinfo.value)
    assert first_line(excinfo) == "check_softmax_cross_entropy: loss contains NaN or infinity"
    assert "case 5 of 6: large logits" in text and "subtract each row's max first" in text


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_log_of_a_rounded_probability_fails_on_its_own_case():
    with pytest.raises(AssertionError) as excinfo:
        check_softmax_cross_entropy(_log_of_p)
    text = str(excinfo.value)
    assert "case 6 of 6: a target 800 below the other logit" in text
    assert "log 0 = −inf" in text


# -- bad learner output ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_none_gets_its_own_message(name):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: None)
    assert "returned None" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_a_single_array_instead_of_a_tuple(name):
    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](lambda *args: np.zeros(7))
    assert "expected a tuple of" in first_line(excinfo)


def test_a_wrong_shape_names_the_item():
    with pytest.raises(AssertionError) as excinfo:
        check_softmax_cross_entropy(lambda z, y: (_sce_right(z, y)[0], np.zeros(3)))
    assert first_line(excinfo) == (
        "check_softmax_cross_entropy: dlogits: expected an array of shape (1, 3), "
        "got an array of shape (3,)"
    )


@pytest.mark.parametrize("name", NAMES)
def test_nan_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]
    with pytest.raises(AssertionError) as excinfo:
        checker(lambda *args: tuple(np.asarray(r) * np.nan for r in right(*args)))
    assert "NaN or infinity" in first_line(excinfo)


@pytest.mark.parametrize("name", NAMES)
def test_input_changed_in_place_gets_its_own_message(name):
    checker, right, _ = RIGHT[name]

    def mutating(*args):
        out = right(*args)
        args[0][...] = 0
        return out

    with pytest.raises(AssertionError) as excinfo:
        checker(mutating)
    first = first_line(excinfo)
    assert "changed its input `" in first and "in place" in first


@pytest.mark.parametrize("name", NAMES)
def test_a_crash_in_the_learners_code_is_reported_and_chained(name):
    def crashing(*args):
        return {}["missing"]

    with pytest.raises(AssertionError) as excinfo:
        RIGHT[name][0](crashing)
    assert first_line(excinfo) == f"{name}: your crashing raised KeyError: 'missing'"
    assert isinstance(excinfo.value.__cause__, KeyError)


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
