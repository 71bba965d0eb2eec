"""Lesson 07's checkers (rnnlib.course.lesson07): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below (clipping from
one concatenated vector, loops written here). The mistakes' reference loops, with no slip, agree
with rnnlib (a different formulation)."""

import math

import numpy as np
import pytest
from checks_support import (
    assert_right_or_slip_named,
    assert_slip_named,
    first_line,
    mistake,
    refusal,
)

import rnnlib
from rnnlib import numerical_gradient, rnn_backward, rnn_backward_truncated, rnn_forward, scalar
from rnnlib.checks import check_answer
from rnnlib.course import lesson07 as L
from rnnlib.course.lesson07 import FIGURES, gate_explorer, gradients_explorer
from rnnlib.gradflow import (
    gated_backward,
    gated_forward,
    jacobian_products,
    long_sequence_problem,
    scalar_bptt_truncated,
)


def _clip(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    big = np.max(np.abs(flat))  # divide first: the squares of 1e160 would overflow
    if big == 0:  # all zeros: nothing to clip (and 0/0 to avoid)
        return [g.copy() for g in grads]
    total = big * np.linalg.norm(flat / big)
    return [g * min(1.0, max_norm / total) for g in grads]


def _clip_hypot(grads, max_norm):  # another form: np.hypot accumulates without overflow
    total = 0.0
    for g in grads:
        for e in np.ravel(g):
            total = np.hypot(total, e)
    factor = max_norm / total if total > max_norm else 1.0
    return tuple(np.multiply(g, factor) for g in grads)


def _clip_frexp(grads, max_norm):  # another form: scale by a power of two, then sum squares
    e = max(np.frexp(np.max(np.abs(g)))[1] for g in grads)
    total = 2.0**e * np.sqrt(sum(np.sum((np.ldexp(g, -e)) ** 2) for g in grads))
    return [g.copy() if total <= max_norm else g * (max_norm / total) for g in grads]


def my_gated_bptt(xs, y, u, w, v, z):
    """Written from the chain rule: carry dL/do_t back with the two roads into o_(t−1)."""
    os_, cs = [0.0], []
    for x in xs:
        cs.append(np.tanh(u * x + w * os_[-1]))
        os_.append((1 - z) * os_[-1] + z * cs[-1])
    g = (v * os_[-1] - y) * v
    du = dw = dz = 0.0
    for t in reversed(range(len(xs))):
        a_grad = g * z * (1 - cs[t] ** 2)  # dL/da_t
        du, dw, dz = du + a_grad * xs[t], dw + a_grad * os_[t], dz + g * (cs[t] - os_[t])
        g = g * (1 - z) + a_grad * w
    return np.array([du, dw, dz])


def _gated_recursive(xs, y, u, w, v, z):  # another form: recursion over the sequence
    def back(t, g, o, c):
        if t < 0:
            return 0.0, 0.0, 0.0
        a_grad = g * z * (1 - c[t] ** 2)
        du, dw, dz = back(t - 1, g * (1 - z) + a_grad * w, o, c)
        return du + a_grad * xs[t], dw + a_grad * o[t], dz + g * (c[t] - o[t])

    o, c = [0.0], []
    for x in xs:
        c.append(np.tanh(u * x + w * o[-1]))
        o.append(o[-1] + z * (c[-1] - o[-1]))
    return list(back(len(xs) - 1, (v * o[-1] - y) * v, o, c))


def _truncated_with(slope_of, divide_by_T=False):
    """A learner's sliding-window loop whose tanh′ at step s is ``slope_of(o, s)``."""

    def truncated_bptt(xs, ys, u, w, v, k):
        o, T = scalar.forward(xs, u, w, v).o, len(xs)
        du = dw = dv = 0.0
        for t in range(1, T + 1):
            err = v * o[t] - ys[t - 1]
            dv += err * o[t]
            d = err * v
            for s in range(t, max(t - k, 0), -1):
                da = d * slope_of(o, s)
                du, dw, d = du + da * xs[s - 1], dw + da * o[s - 1], da * w
        return (du / T, dw / T, dv / T) if divide_by_T else (du, dw, dv)

    return truncated_bptt


# the right answer: tanh′ at step s is 1 − o_s²
my_truncated_bptt = _truncated_with(lambda o, s: 1 - o[s] ** 2)


def my_jacobian_product(hs, Wh):
    P = np.eye(Wh.shape[0])
    for t in range(1, len(hs)):
        P = np.diag(1 - hs[t] ** 2) @ Wh.T @ P  # J_t on the left
    return P


RIGHT = {
    "check_clip_grad_norm": (_clip, 13),
    "check_jacobian_product": (my_jacobian_product, 4),
    "check_truncated_bptt": (my_truncated_bptt, 5),
    "check_gated_bptt": (my_gated_bptt, 5),
}


def _jac_einsum(hs, Wh):  # another form: einsum, earliest-first accumulation from the right
    P = np.eye(Wh.shape[0])
    for t in range(1, len(hs)):
        P = np.einsum("j,ij,ik->jk", 1 - hs[t] ** 2, Wh, P)
    return P


def _jac_backward_rows(hs, Wh):  # another form: P = J_T ⋯ J_1 built from the right end
    P = np.eye(Wh.shape[0])
    for t in range(len(hs) - 1, 0, -1):
        P = P @ ((1 - hs[t] ** 2)[:, None] * Wh.T)
    return P


def _trunc_recursive(xs, ys, u, w, v, k):  # another form: the s loop as a recursion
    fwd = scalar.forward(xs, u, w, v)
    o = fwd.o

    def back(s, d, left):
        if left == 0 or s == 0:
            return np.zeros(2)
        da = d * (1 - o[s] ** 2)
        return np.array([da * xs[s - 1], da * o[s - 1]]) + back(s - 1, da * w, left - 1)

    g = sum(back(t, (v * o[t] - ys[t - 1]) * v, k) for t in range(1, len(xs) + 1))
    dv = float(np.dot(v * o[1:] - ys, o[1:]))
    return np.array([g[0], g[1], dv])


ALTERNATIVES = [  # (checker, a right answer written another way)
    ("check_clip_grad_norm", _clip_hypot),
    ("check_clip_grad_norm", _clip_frexp),
    ("check_clip_grad_norm", lambda g, m: tuple(_clip(g, m))),
    ("check_jacobian_product", _jac_einsum),
    ("check_jacobian_product", _jac_backward_rows),
    ("check_jacobian_product", lambda hs, Wh: my_jacobian_product(hs, Wh).tolist()),
    ("check_truncated_bptt", _trunc_recursive),
    ("check_truncated_bptt", lambda *a: list(my_truncated_bptt(*a))),
    ("check_truncated_bptt", lambda *a: np.array(my_truncated_bptt(*a))),
    ("check_gated_bptt", _gated_recursive),
    ("check_gated_bptt", lambda *a: tuple(float(g) for g in my_gated_bptt(*a))),
    ("check_gated_bptt", lambda *a: list(my_gated_bptt(*a))),
]


@pytest.mark.parametrize(("name", "answer"), ALTERNATIVES)
def test_valid_alternative_forms_pass(name, answer, capsys):
    getattr(L, name)(answer)
    assert "passed ✓" in capsys.readouterr().out


def test_gated_reference_against_finite_differences():
    for case in L.gated_bptt_cases():
        a = case.args
        p = np.array([a["u"], a["w"], a["z"]])

        def loss(q, a=a):
            o = 0.0
            for x in a["xs"]:
                o = (1 - q[2]) * o + q[2] * np.tanh(q[0] * x + q[1] * o)
            return 0.5 * (a["v"] * o - a["y"]) ** 2

        fd = numerical_gradient(loss, p.copy())
        assert np.allclose(case.expected, fd, rtol=1e-6, atol=1e-9), case.label
        g = gated_backward(gated_forward(a["xs"], a["u"], a["w"], a["z"]), a["y"], a["v"])
        assert np.isclose(
            g.dv,
            (a["v"] * gated_forward(a["xs"], *p).o[-1] - a["y"])
            * (gated_forward(a["xs"], *p).o[-1]),
        )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, from the learner's function
def test_clip_naive_norm_overflow_is_named():
    def naive(grads, max_norm):
        total = np.sqrt(sum(np.sum(g**2) for g in grads))
        return [g * min(1.0, max_norm / total) for g in grads]

    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(naive)
    assert "overflowed to infinity" in first_line(excinfo)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, from the learner's function
def test_clip_rms_is_named_rms_not_elementwise():
    def rms(grads, max_norm):
        total = np.sqrt(np.mean(np.concatenate([np.ravel(g) for g in grads]) ** 2))
        return [g * min(1.0, max_norm / total) for g in grads]

    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(rms)
    assert "root-mean-square" in first_line(excinfo)


def _clip_by_first_array_max(grads, max_norm):  # the learner probe's answer
    m = np.abs(grads[0]).max()
    total = m * np.sqrt(sum(np.sum((g / m) ** 2) for g in grads))
    return [g * (max_norm / total) if total > max_norm else g.copy() for g in grads]


def _clip_by_max_entry(grads, max_norm):  # the ∞-norm
    total = max(np.abs(g).max() for g in grads)
    return [g * (max_norm / total) if total > max_norm else g.copy() for g in grads]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, from the learner's function
@pytest.mark.parametrize(
    ("answer", "key"),
    [(_clip_by_first_array_max, "clip_first_array_max"), (_clip_by_max_entry, "clip_max_entry")],
    ids=["grads[0] max", "max entry"],
)
def test_a_norm_from_one_entry_or_one_array_is_named(answer, key):
    """Dividing by grads[0]'s largest |entry| passed every case (the largest entry of the 1e160
    case was in grads[0]); the ∞-norm got three names, none right."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(answer)
    assert mistake(L.check_clip_grad_norm, key).says in first_line(excinfo)
    assert " — or — " not in first_line(excinfo)


def _clip_zeros_when_squares_underflow(grads, max_norm):
    """Right, but "nothing to clip" returns zeros when the plain sum of squares is 0."""
    with np.errstate(all="ignore"):
        if sum(np.sum(g * g) for g in grads) == 0:
            return [np.zeros_like(g) for g in grads]
    return _clip(grads, max_norm)


def test_zeros_for_entries_of_1e_170_are_rejected():
    """The 1e-170 case is compared relatively: with an absolute tolerance of 1e-9 any tiny
    output, zeros included, passed it."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(_clip_zeros_when_squares_underflow)
    assert "case 7 of 13: entries near 1e-170" in str(excinfo.value)


def test_writing_into_the_callers_list_is_named():
    def into_list(grads, max_norm):
        clipped = _clip(grads, max_norm)
        for i, g in enumerate(clipped):
            grads[i] = g  # new arrays, written into the caller's list
        return grads

    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(into_list)
    assert "wrote into the caller's list" in first_line(excinfo)
    assert "p = p -" not in str(excinfo.value)


def _clip_nan_for_zeros(grads, max_norm):  # the learner-tester's answer: 0/0 for all zeros
    m = max(np.max(np.abs(g)) for g in grads)
    n = m * np.sqrt(sum(np.sum((g / m) ** 2) for g in grads))
    return [g * np.minimum(1.0, max_norm / n) for g in grads]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, from the learner's function
def test_nan_for_all_zero_gradients_is_rejected_and_named():
    """The prompt says "any finite gradients": all zeros are (global norm 0 ≤ max_norm, so they
    come back unchanged); no case had them, and 0/0 = NaN passed."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(_clip_nan_for_zeros)
    line = first_line(excinfo)
    assert line.startswith("check_clip_grad_norm: all-zero gradients came back NaN")
    assert "guard the division" in line
    assert "all-zero gradients" in str(excinfo.value).splitlines()[1]  # the case's label
    # the case itself, written here: zeros in, the same zeros out
    (case,) = [c for c in L.clip_grad_norm_cases() if not any(np.any(g) for g in c.args["grads"])]
    for got, g in zip(case.expected, case.args["grads"], strict=True):
        assert got.shape == g.shape and not np.any(got)


def _clip_same_list_when_short(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    big = np.max(np.abs(flat))
    total = big * np.linalg.norm(flat / big) if big > 0 else 0.0
    return [g * (max_norm / total) for g in grads] if total > max_norm else grads


def test_returning_the_callers_list_itself_is_refused():
    """The prompt: "Return a new list of arrays (not the caller's list itself)". Right numbers
    on every case, but `... else grads` is refused, and told why."""
    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(_clip_same_list_when_short)
    line = first_line(excinfo)
    assert line.startswith("check_clip_grad_norm: right numbers, but your _clip_same_list_when")
    assert "returned the caller's list `grads` itself" in line and "NEW list" in line
    assert "under the limit" in str(excinfo.value)  # the case where it happened


def test_a_new_list_of_the_callers_arrays_is_still_right(capsys):
    """A new list holding the caller's (unchanged) arrays is a new list: it passes."""
    L.check_clip_grad_norm(lambda grads, m: list(_clip_same_list_when_short(grads, m)))
    assert "passed ✓" in capsys.readouterr().out


def test_a_wrongly_formed_result_is_told_a_list_is_expected():
    """The exercise returns a list: a result of the wrong length is told "a list of 3", not
    "a tuple of 3"."""
    first = refusal(
        L.check_clip_grad_norm, lambda grads, m: _clip(grads, m)[:-1] if len(grads) > 2 else 0
    )
    line = first
    assert "expected a list of 3 (clipped[0], clipped[1], clipped[2])" in line
    assert "tuple" not in line


def test_chunked_is_called_the_other_definition():
    chunked = L._truncated_with(
        lambda k: lambda t, T: [s for s in range(1, t + 1) if (s - 1) // k == (t - 1) // k]
    )
    line = refusal(L.check_truncated_bptt, chunked)
    assert "OTHER common definition" in line and "asks for sliding" in line


def test_a_walk_back_that_stops_before_step_1_is_named():
    """``range(t, max(t - k, 1), -1)`` (the hint's range with 1 for 0) was rejected unnamed."""

    def truncated_bptt(xs, ys, u, w, v, k):
        o = scalar.forward(xs, u, w, v).o
        du = dw = dv = 0.0
        for t in range(1, len(xs) + 1):
            err = v * o[t] - ys[t - 1]
            dv += err * o[t]
            d = err * v
            for s in range(t, max(t - k, 1), -1):
                da = d * (1 - o[s] ** 2)
                du, dw, d = du + da * xs[s - 1], dw + da * o[s - 1], da * w
        return du, dw, dv

    first = refusal(L.check_truncated_bptt, truncated_bptt)
    assert mistake(L.check_truncated_bptt, "first_step_never_reached").says in first


def test_questions_are_right_by_independent_arithmetic():
    q = {x.key: x for x in L.QUESTIONS}
    assert q["07.detach_loop"].answer == "b"
    assert q["07.gate_reach"].answer == pytest.approx(0.95**50)
    # gated unit, w = 0: o_t = 0.95·o_(t−1) + 0.05·tanh(u x_t), so do_t/do_(t−1) = 0.95 exactly
    xs = np.random.default_rng(0).uniform(-1, 1, 50)
    o50 = lambda o0: gated_forward(xs, 1.0, 0.0, 0.05, o0=o0).o[-1]  # noqa: E731
    assert (o50(0.1) - o50(-0.1)) / 0.2 == pytest.approx(0.95**50, rel=1e-9)
    # 12 → 4.8 is the factor 0.4 on every entry; the clipped update, 0.4 · sqrt(9 + 16 + 144)
    # = 0.4 · 13 = 5.2 long, is max_norm; rnnlib's clip_grad_norm with it gives 4.8 back
    assert q["07.clip_factor"].answer == pytest.approx(5.2, rel=1e-12)
    clipped, total = rnnlib.clip_grad_norm([np.array([3.0, 4.0]), np.array([12.0])], 5.2)
    assert total == pytest.approx(13.0) and clipped[1][0] == pytest.approx(4.8, rel=1e-12)
    assert np.allclose(clipped[0], [1.2, 1.6])
    # the arrays' entries, written so that they cannot be read as shapes (3, 4) and (12,)
    assert "entries [3, 4] and [12]" in q["07.clip_factor"].prompt


def test_the_clip_factor_question_names_entries_in_the_exercise_too():
    from pathlib import Path

    import nbformat

    root = Path(__file__).parents[1]
    nb = nbformat.read(root / "solutions/07_vanishing_and_exploding_gradients.ipynb", 4)
    (cell,) = [c for c in nb.cells if c.source.startswith("**Question 3.**")]
    assert "with entries $[3, 4]$ and $[12]$" in cell.source
    assert "the entry that was $12$ is $4.8$. What was `max_norm`?" in cell.source


def test_the_clip_question_is_not_answered_by_a_lesson_cell():
    """No lesson cell clips [3, 4], [12] or prints the 0.4 · 13 that answers it."""
    from pathlib import Path

    import nbformat

    root = Path(__file__).parents[1]
    nb = nbformat.read(root / "notebooks/07_vanishing_and_exploding_gradients.ipynb", 4)
    for cell in nb.cells:
        text = cell.source + "".join(o.get("text", "") for o in cell.get("outputs", []))
        assert "4.8" not in text and "5.2" not in text


REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_clip_grad_norm": {"clip_elementwise", "clip_per_array", "clip_always_rescaled"},
}


def test_clip_catalogue_covers_the_issue_minimum():
    assert REQUIRED["check_clip_grad_norm"] <= {m.key for m in L.check_clip_grad_norm.mistakes}


def test_a_tuple_of_clipped_arrays_is_accepted_too(capsys):
    L.check_clip_grad_norm(lambda grads, m: tuple(_clip(grads, m)))
    assert "passed ✓" in capsys.readouterr().out


def test_returning_the_callers_arrays_when_under_the_limit_is_right(capsys):
    """The exercise asks for a new list, not new arrays: gradients short enough may come back
    as the caller's own arrays (nothing changes them); rnnlib returns copies, and both pass."""

    def clip_aliasing(grads, max_norm):
        total = np.sqrt(sum(np.sum(np.square(g / 1e150)) for g in grads)) * 1e150
        return [g if total <= max_norm else g * (max_norm / total) for g in grads]

    L.check_clip_grad_norm(clip_aliasing)
    assert "passed ✓" in capsys.readouterr().out


def test_clipping_in_place_is_caught():
    def clip_in_place(grads, max_norm):
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        if total > max_norm:
            for g in grads:
                g *= max_norm / total
        return grads

    assert refusal(L.check_clip_grad_norm, clip_in_place).startswith(
        "check_clip_grad_norm: your clip_in_place changed its input `grads[0]` in place"
    )


def test_changed_hs_is_reported():
    def clobbers_hs(hs, Wh):
        out = my_jacobian_product(hs, Wh)
        hs[:] = 0
        return out

    with pytest.raises(AssertionError, match="changed its input `?hs`? in place"):
        L.check_jacobian_product(clobbers_hs)


@pytest.mark.parametrize("k", [1, 2, 3, 6, 9])
def test_mistakes_truncation_agrees_with_the_vector_model(k):
    rng = np.random.default_rng(k)
    xs, ys = rng.uniform(-1, 1, 6), rng.uniform(-1, 1, 6)
    got = L.truncated(xs, ys, 0.7, 1.1, -0.9, k)
    np.testing.assert_allclose(
        got, scalar_bptt_truncated(xs, ys, 0.7, 1.1, -0.9, k), rtol=1e-12, atol=1e-14
    )


def test_mistakes_product_agrees_with_gradflow():
    for case in L.jacobian_product_cases():
        hs, Wh = case.args["hs"], case.args["Wh"]
        np.testing.assert_allclose(
            L.jacobian_product(hs, Wh), jacobian_products(hs, Wh)[-1], rtol=1e-12, atol=1e-15
        )


# -------------------------------------------------------------------------------------------------
# The slider figure (FIGURES of the lesson module)
# -------------------------------------------------------------------------------------------------
# Lesson 07's sliders (recurrent scale, truncation k): gradient norms against products of
# finite-difference Jacobians, the truncation curve against rnnlib's BPTT, and the artists.


def fd_norms(scale, T=20):
    """‖∂L/∂h_(T−d)‖ for L = <g_T, h_T>: finite differences of h_T in the state h_(T−d),
    by running the last d steps from it."""
    p = long_sequence_problem(scale, T=T)
    _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    out = []
    for d in range(T + 1):

        def L(z, d=d):
            if d == 0:
                return float(p["g_T"] @ z)
            h, _ = rnn_forward(p["x"][:, T - d :], z[None], p["Wx"], p["Wh"], p["b"])
            return float(p["g_T"] @ h[0, -1])

        out.append(np.linalg.norm(numerical_gradient(L, cache.hs[T - d, 0].copy())))
    return np.array(out)


def flat(grads):
    return np.concatenate([g.ravel() for g in grads[2:]])


@pytest.mark.parametrize("scale, k", [(0.5, 3), (1.0, 5), (1.5, 12), (2.0, 20)])
def test_sliders(scale, k):
    ex = gradients_explorer()
    s = ex.step(scale=scale, k=k)
    assert (s["scale"], s["k"]) == (scale, k)
    want = fd_norms(scale)
    np.testing.assert_allclose(s["norms"], want, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(s["bound"], scale ** np.arange(21), rtol=1e-12)
    # truncation at the slider's k, against rnnlib's BPTT, with the formulas written out
    p = long_sequence_problem(scale)
    _, cache = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
    g, gk = flat(rnn_backward(p["dh"], cache)), flat(rnn_backward_truncated(p["dh"], cache, k))
    err = np.linalg.norm(gk - g) / (np.linalg.norm(gk) + np.linalg.norm(g))
    cos = gk @ g / (np.linalg.norm(gk) * np.linalg.norm(g))
    assert s["rel_error"] == pytest.approx(err) and s["cosine"] == pytest.approx(cos)
    # artists
    ax_g, ax_t = ex.fig.axes
    assert_drawn_on_the_curve(ax_g.lines[2], np.log10(want), -8, 4, atol=1e-5)
    err_line, cos_line = ax_t.lines[1], ax_t.lines[2]
    assert err_line.get_ydata()[k - 1] == pytest.approx(err)
    assert cos_line.get_ydata()[k - 1] == pytest.approx(cos)
    assert ax_t.lines[3].get_xdata()[0] == k


def assert_drawn_on_the_curve(line, logy, lo, hi, atol=1e-9, marked=True):
    """The line shows the polyline through (d, logy), d = 0, 1, ..., inside lo <= y <= hi and
    nothing else: every vertex lies on that polyline and in the band (a value off the chart is
    left out, not drawn on the frame as if it were lo or hi), every point of logy inside the band
    is a vertex, and (``marked``) the markers sit on exactly those points."""
    x, y = (np.asarray(a, float) for a in line.get_data())
    d = np.arange(len(logy))
    ok = np.isfinite(x)
    assert np.array_equal(ok, np.isfinite(y))
    assert np.all((y[ok] >= lo - 1e-12) & (y[ok] <= hi + 1e-12)), y[ok]
    for vx, vy in zip(x[ok], y[ok], strict=True):
        k = min(int(np.floor(vx)), len(logy) - 2)
        f = vx - k
        want = logy[k] if f == 0 else logy[k] + f * (logy[k + 1] - logy[k])
        assert vy == pytest.approx(want, abs=atol), (vx, vy, want)
    inside = d[np.isfinite(logy) & (logy >= lo) & (logy <= hi)]
    assert set(inside) <= set(x[ok])
    if marked:
        every = line.get_markevery()  # None: a marker on every vertex
        assert sorted(x[ok] if every is None else x[every]) == list(inside)


def test_values_off_the_chart_leave_it_instead_of_lying_on_its_frame():
    ex = gradients_explorer()
    ax_g = ex.fig.axes[0]
    s = ex.step(scale=0.3, k=1)
    assert s["norms"][-1] < 1e-10  # 0.3^20 = 3.5e-11: far below the axis' 1e-8
    assert_drawn_on_the_curve(ax_g.lines[2], np.log10(s["norms"]), -8, 4)
    assert np.nanmin(ax_g.lines[2].get_ydata()) == pytest.approx(-8)  # it leaves at the floor
    s = ex.step(scale=2.0)
    assert 2.0**20 > 1e6  # the bound passes the axis' 1e4
    assert_drawn_on_the_curve(ax_g.lines[1], np.arange(21) * np.log10(2.0), -8, 4, marked=False)
    gx = gate_explorer()
    ax = gx.fig.axes[0]
    s = gx.step(z=1.0, w=0.5)
    o = scalar.forward(np.random.default_rng(0).uniform(-1, 1, 40), 1.0, 0.5, 1.0).o
    plain = np.concatenate([[1.0], np.cumprod((0.5 * (1 - o[1:] ** 2))[::-1])])  # ∏ (1 − o²) w
    assert plain[-1] < 1e-12  # below the axis' 1e-12
    with np.errstate(divide="ignore"):
        assert_drawn_on_the_curve(ax.lines[1], np.log10(plain), -12, 4, atol=1e-9)
        assert_drawn_on_the_curve(ax.lines[3], np.log10(plain), -12, 4, atol=1e-9)
        road = np.log10(np.r_[1.0, np.zeros(40)])  # (1 − z)^d at z = 1: 1, then 0
        assert_drawn_on_the_curve(ax.lines[2], road, -12, 4, marked=False)


def test_the_lesson_claims():
    ex = gradients_explorer()
    small = ex.step(scale=0.5, k=5)
    assert small["norms"][-1] < 1e-5  # vanishing
    assert np.all(small["norms"] <= small["bound"] * (1 + 1e-9))
    big = ex.step(scale=1.5, k=5)
    assert big["norms"][-1] > 10  # exploding (with small inputs)
    assert big["rel_error"] > 0.5 > 0.05 > small["rel_error"]
    full = ex.step(k=20)
    assert full["rel_error"] < 1e-12 and full["cosine"] == pytest.approx(1.0)


def test_the_picture_changes_with_each_slider():
    ex = gradients_explorer()
    a = ex.png()
    ex.step(scale=1.4)
    b = ex.png()
    ex.step(k=9)
    c = ex.png()
    assert a != b and b != c
    assert "cosine" in ex.readout()


def test_bad_input_and_figures():
    with pytest.raises(ValueError, match="scale_range"):
        gradients_explorer(scale_range=(0.0, 1.0))
    # a window outside 1..T is refused by name: k = 0 showed the numbers of k = 20 (entry −1)
    for k in (0, 21):  # (refused by the update, or by the slider harness's range check first)
        with pytest.raises(ValueError, match=r"^k: expected .*(1\.\.20|\[1, 20\]).*got"):
            gradients_explorer(k=k)
    ex = gradients_explorer()
    for k in (0, -3, 21, 2.5):
        with pytest.raises(ValueError, match=r"^k: expected a window length"):
            ex.step(k=k)
    assert ex.step(scale=0.5)["k"] == 5  # the refused k was not kept
    assert gradients_explorer in FIGURES


# -- the gated-unit figure ---------------------------------------------------------------------


@pytest.mark.parametrize("z, w", [(0.02, 0.0), (0.1, 0.5), (0.5, 1.5), (1.0, 2.0)])
def test_gate_slider_against_finite_differences(z, w):
    ex = gate_explorer()
    s = ex.step(z=z, w=w)
    xs = np.random.default_rng(0).uniform(-1, 1, 40)
    for d in (1, 7, 20):
        fd = numerical_gradient(
            lambda o, d=d: gated_forward(xs[40 - d :], 1.0, w, z, o0=o[0]).o[-1],
            np.array([gated_forward(xs, 1.0, w, z).o[40 - d]]),
        )[0]
        assert s["gated"][d] == pytest.approx(abs(fd), rel=1e-5, abs=1e-10)
    np.testing.assert_allclose(s["road"], (1 - z) ** np.arange(41), rtol=1e-12)
    with np.errstate(divide="ignore"):
        assert_drawn_on_the_curve(ex.fig.axes[0].lines[3], np.log10(s["gated"]), -12, 4)


def test_the_additive_road_keeps_the_gradient_alive():
    ex = gate_explorer()
    for w in (0.0, 0.5, 1.0, 2.0):
        s = ex.step(z=0.1, w=w)
        assert np.all(s["gated"] >= s["road"] * (1 - 1e-12))  # w ≥ 0: at least (1 − z)^d
        assert s["gated"][-1] > 1e-2
    s = ex.step(z=0.1, w=0.5)
    assert s["plain"][-1] < 1e-10 < 1e-2 < s["gated"][-1]
    a = ex.png()
    ex.step(z=0.6)
    assert ex.png() != a and "additive road" in ex.readout()
    assert gate_explorer in FIGURES


def test_a_curve_that_is_zero_beyond_d_0_is_named_not_left_out_silently():
    # at z = 1 the road (1 − z)^d is 0 for d >= 1, at w = 0 the tanh road is: nothing of those
    # curves is drawn on the log axis, and at z = 1, w = 0 the panel was empty without a word
    ex = gate_explorer()
    renderer = ex.fig.canvas.get_renderer()
    note = next(t for t in ex.fig.axes[0].texts if t.get_text().startswith("z = "))
    for (z, w), zero in (
        ((0.1, 0.5), []),
        ((1.0, 0.5), ["additive road"]),
        ((0.1, 0.0), ["plain RNN"]),
        ((1.0, 0.0), ["gated unit", "plain RNN", "additive road"]),
    ):
        s = ex.step(z=z, w=w)
        for name, curve in (
            ("gated unit", "gated"),
            ("plain RNN", "plain"),
            ("additive road", "road"),
        ):
            assert (name in zero) == (not np.any(s[curve][1:])), (z, w, name)
        assert s["zero"] == zero
        text = note.get_text()
        assert ("not drawn" in text) == bool(zero) and all(n in text for n in zero)
        # the note sits beside the chart, under the legend: whole on the figure, clear of both
        box = note.get_window_extent(renderer)
        assert all(ex.fig.bbox.contains(*c) for c in box.corners()), box
        assert not box.overlaps(ex.fig.axes[0].get_window_extent(renderer)), box
        assert not box.overlaps(ex.fig.axes[0].get_legend().get_window_extent(renderer)), box


def test_the_truncation_note_is_not_hidden_by_the_legend():
    # the note 'k = 5: error 0.487, cosine +0.526' ran under the legend box (its last digits hidden)
    ex = gradients_explorer()
    renderer = ex.fig.canvas.get_renderer()
    ax_t = ex.fig.axes[1]
    for k in (5, 20):
        ex.step(scale=2.0, k=k)
        note = next(t for t in ax_t.texts if t.get_text().startswith(f"k = {k}:"))
        box, legend = (
            note.get_window_extent(renderer),
            ax_t.get_legend().get_window_extent(renderer),
        )
        assert not box.overlaps(legend), (box, legend)
        assert ax_t.get_window_extent(renderer).contains(box.x1, box.y1)  # and inside the axes


def test_the_truncation_panel_labels_its_axis_inside_the_gap_between_the_panels():
    """The right panel's axis (relative error and cosine, the left panel's is labelled) had no
    label: only the legend said what its numbers are. The label fits in the gap of the fixed
    margins: inside the figure, clear of the left panel and its tick labels."""
    ex = gradients_explorer()
    ex.step(scale=1.0, k=5)
    ex.png()
    renderer = ex.fig.canvas.get_renderer()
    ax_g, ax_t = ex.fig.axes
    assert "relative error" in ax_t.get_ylabel() and "cosine" in ax_t.get_ylabel()
    box = ax_t.yaxis.label.get_window_extent(renderer)
    assert ex.fig.bbox.contains(box.x0, box.y0) and ex.fig.bbox.contains(box.x1, box.y1)
    assert not box.overlaps(ax_g.get_tightbbox(renderer)), box
    ticks = [t.get_window_extent(renderer) for t in ax_t.get_yticklabels() if t.get_text()]
    assert not any(box.overlaps(t) for t in ticks)


# -- a learner's slips that the catalogue did not name, or named wrongly (review of exercise 07) --


def test_the_exponential_approximation_of_the_gate_reach_is_not_called_one_factor_short():
    """e^(−zT) = e^(−2.5) ≈ 0.0821 lies within 2% of 0.95⁴⁹ ≈ 0.0810 and nearer to it than to
    0.95⁵⁰ ≈ 0.0769: it was told "one factor short", a mistake it is not."""
    first = refusal(check_answer, "07.gate_reach", float(np.exp(-0.05 * 50)))
    assert "one factor short" not in first
    assert "approximates" in first
    with pytest.raises(AssertionError, match="one factor short"):  # 0.95⁴⁹ itself still is
        check_answer("07.gate_reach", 0.95**49)


def _gated_learner(carry, share):
    """A learner's gated BPTT: δ_(t−1) = δ_t·carry(z, s, w) (s = 1 − c_t²); the shares of u and
    w are δ_t·share(z)·s·(x_t or o_(t−1)); dL/dz is right."""

    def gated_bptt(xs, y, u, w, v, z):
        o, c = [0.0], []
        for x in xs:
            c.append(np.tanh(u * x + w * o[-1]))
            o.append((1 - z) * o[-1] + z * c[-1])
        d, du, dw, dz = (v * o[-1] - y) * v, 0.0, 0.0, 0.0
        for t in range(len(xs), 0, -1):
            s = 1 - c[t - 1] ** 2
            du += d * share(z) * s * xs[t - 1]
            dw += d * share(z) * s * o[t - 1]
            dz += d * (c[t - 1] - o[t - 1])
            d = d * carry(z, s, w)
        return du, dw, dz

    return gated_bptt


def _right_carry(z, s, w):
    return (1 - z) + z * s * w


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (_gated_learner(lambda z, s, w: z + z * s * w, lambda z: z), "the direct road keeps"),
        (_gated_learner(lambda z, s, w: (1 - z) + s * w, lambda z: z), "the road through the"),
        (_gated_learner(_right_carry, lambda z: 1 - z), "u and w act through z·c_t"),
        (_gated_learner(lambda z, s, w: 1 - z, lambda z: z), "δ went back only through the add"),
        (_gated_learner(lambda z, s, w: z * s * w, lambda z: z), "δ went back only through the t"),
    ],
    ids=[
        "z for 1 − z in the carry",
        "carry without z on the tanh road",
        "1 − z in u, w shares",
        "additive road only",
        "tanh road only",
    ],
)
def test_a_slip_in_the_gated_units_roads_or_shares_is_named(answer, said):
    assert refusal(L.check_gated_bptt, answer).startswith("check_gated_bptt: " + said)


def _jacobian_over(steps):
    """A learner's ∂h_T/∂h_0 multiplying the J_t = diag(1 − h_t²) Wh^T for t in steps(T)."""

    def jacobian_product(hs, Wh):
        out = np.eye(Wh.shape[0])
        for t in steps(hs.shape[0] - 1):
            out = np.diag(1 - hs[t] ** 2) @ Wh.T @ out
        return out

    return jacobian_product


@pytest.mark.parametrize(
    ("steps", "said"),
    [
        (lambda T: range(T + 1), "one factor too many"),
        (lambda T: range(1, T), "one factor too few"),
    ],
    ids=["J_0 included", "J_T left out"],
)
def test_a_jacobian_product_one_factor_off_is_named(steps, said):
    first = refusal(L.check_jacobian_product, _jacobian_over(steps))
    assert first.startswith("check_jacobian_product: " + said)


# -- slips found by working the exercise as a learner (ex-b review) -------------------------------
# Each wrong answer is written here as a learner writes it, not through the catalogue's
# implementation; before the review each got only "... are wrong" (or "wrong value for ...").


def _clip_to_unit(grads, max_norm):  # g / ‖g‖: the max_norm factor forgotten
    total = np.sqrt(sum(float(np.sum(np.asarray(g, float) ** 2)) for g in grads))
    return [g / total if total > max_norm else g.copy() for g in grads]


def _jac_row_convention(hs, Wh):  # ∂h_t/∂h_(t−1) written for row vectors: Wh diag(1 − h_t²)
    P = np.eye(Wh.shape[0])
    for t in range(1, len(hs)):
        P = Wh @ np.diag(1 - hs[t] ** 2) @ P
    return P


def _gated_with(slope=None, dz_term=None, carry=None, dz_sum="all"):
    """A learner's gated loop: ``slope(c_t, a_t)``, dL/dz's term ``dz_term(c_t, o_prev, s)``,
    ``carry(g, z, s, w)`` the δ carried back, and dL/dz summed over ``"all"`` steps, kept at the
    ``"last"`` (t = T) only, or overwritten (``"overwrite"``: step 1's is left)."""
    slope = slope or (lambda c, a: 1 - c**2)
    dz_term = dz_term or (lambda c, o_prev, s: c - o_prev)
    carry = carry or (lambda g, z, s, w: g * ((1 - z) + z * s * w))

    def gated_bptt(xs, y, u, w, v, z):
        os_, cs, As = [0.0], [], []
        for x in xs:
            As.append(u * x + w * os_[-1])
            cs.append(np.tanh(As[-1]))
            os_.append((1 - z) * os_[-1] + z * cs[-1])
        g, T = (v * os_[-1] - y) * v, len(xs)
        du = dw = dz = 0.0
        for t in reversed(range(T)):
            s = slope(cs[t], As[t])
            du, dw = du + g * z * s * xs[t], dw + g * z * s * os_[t]
            term = g * dz_term(cs[t], os_[t], s)
            if dz_sum == "overwrite":
                dz = term
            elif dz_sum == "all" or t == T - 1:
                dz += term
            g = carry(g, z, s, w)
        return du, dw, dz

    return gated_bptt


@pytest.mark.parametrize(
    ("checker", "answer", "said"),
    [
        (L.check_clip_grad_norm, _clip_to_unit, "you divided by the global norm only"),
        (L.check_jacobian_product, _jac_row_convention, "each J_t is transposed"),
        (
            L.check_truncated_bptt,
            _truncated_with(lambda o, s: 1 - o[s]),
            "tanh′ is 1 − o_s², not 1 − o_s",
        ),
        (
            L.check_truncated_bptt,
            _truncated_with(lambda o, s: 1 - o[s - 1] ** 2),
            "not 1 − o_(s−1)²",
        ),
        (
            L.check_truncated_bptt,
            _truncated_with(lambda o, s: 1 - o[s] ** 2, divide_by_T=True),
            "you divided by T",
        ),
        (L.check_gated_bptt, _gated_with(slope=lambda c, a: 1 - c), "not 1 − c_t"),
        (L.check_gated_bptt, _gated_with(slope=lambda c, a: 1 - a**2), "1 − a_t² where"),
        (
            L.check_gated_bptt,
            _gated_with(dz_term=lambda c, o_prev, s: (c - o_prev) * s),
            "dL/dz has a tanh′ it should not",
        ),
        (L.check_gated_bptt, _gated_with(dz_sum="last"), "only the last step's share"),
        (L.check_gated_bptt, _gated_with(dz_sum="overwrite"), "dL/dz was overwritten"),
        (
            L.check_gated_bptt,
            _gated_with(carry=lambda g, z, s, w: g * (1 - z) * z * s * w),
            "you multiplied the two roads",
        ),
    ],
    ids=[
        "clip to norm 1",
        "Wh diag(1-h^2)",
        "1 - o",
        "1 - o_(s-1)^2",
        "truncated / T",
        "gated 1 - c",
        "gated 1 - a^2",
        "dz with tanh'",
        "dz last step",
        "dz overwritten",
        "roads multiplied",
    ],
)
def test_a_learners_slips_found_in_review_are_named(checker, answer, said):
    first = refusal(checker, answer)
    assert said in first
    assert "are wrong" not in first


def test_the_questions_name_more_wrong_numbers():
    # by hand: one step back multiplies by 1 − z = 0.95; the global norm is sqrt(9 + 16 + 144)
    # = 13 and 12 → 4.8 is the factor 0.4
    for key, wrong, said in (
        ("07.gate_reach", 0.95, "that is one step back"),
        ("07.gate_reach", 47.5, "you added the 50 factors"),
        ("07.gate_reach", -1.5, "1 − 50z is a first-order guess"),
        ("07.clip_factor", 4.8, "the length of the clipped [12] alone"),
        ("07.clip_factor", 0.4, "the factor every entry was multiplied by"),
        ("07.clip_factor", 2, "the clipped length of [3, 4] alone"),  # 0.4 · 5
        ("07.clip_factor", 6.8, "17 = 5 + 12 is the sum of the two norms"),  # 0.4 · 17
        ("07.clip_factor", 32.5, "inverted"),  # 13 / 0.4
        ("07.clip_factor", 13, "13 is the global norm before clipping"),
    ):
        with pytest.raises(AssertionError) as excinfo:
            check_answer(key, wrong)
        assert said in str(excinfo.value), (key, wrong)


# -- rare slips that got only "... are wrong" (r67) ------------------------------------------------
# Written as a learner writes them, not through the catalogue's implementation.


def _clip_with_factor(factor_of):
    """A learner's clip_grad_norm multiplying by ``factor_of(max_norm / total)`` when over."""

    def clip_grad_norm(grads, max_norm):
        arrays = [np.asarray(g, dtype=float) for g in grads]
        big = max(float(np.max(np.abs(a))) for a in arrays)
        if big == 0.0:
            return [a.copy() for a in arrays]
        total = big * np.sqrt(sum(np.sum((a / big) ** 2) for a in arrays))
        if total <= max_norm:
            return [a.copy() for a in arrays]
        return [a * factor_of(max_norm / total) for a in arrays]

    return clip_grad_norm


def _jac_power(hs, Wh):  # the last step's Jacobian, T times
    J = np.diag(1 - hs[-1] ** 2) @ Wh.T
    return np.linalg.matrix_power(J, len(hs) - 1)


def _jac_sum(hs, Wh):  # the steps' Jacobians added
    P = np.zeros_like(Wh)
    for t in range(1, len(hs)):
        P = P + np.diag(1 - hs[t] ** 2) @ Wh.T
    return P


@pytest.mark.parametrize(
    ("checker", "answer", "said"),
    [
        (L.check_clip_grad_norm, _clip_with_factor(lambda r: r**2), "the factor is squared"),
        (L.check_clip_grad_norm, _clip_with_factor(np.sqrt), "the factor is square-rooted"),
        (L.check_jacobian_product, _jac_power, "you raised the last step's Jacobian"),
        (L.check_jacobian_product, _jac_sum, "you added the J_t"),
    ],
    ids=["clip ratio²", "√clip ratio", "matrix_power(J_T, T)", "Σ J_t"],
)
def test_rare_clip_and_jacobian_slips_are_named(checker, answer, said):
    first = refusal(checker, answer)
    assert first.startswith(f"{checker.__name__}: {said}")
    assert "are wrong" not in first and "wrong value" not in first


def _gated_prev_candidate(xs, y, u, w, v, z):
    """The solution's loop with c[t − 1] (c[0] = 0) in the tanh′: 1 − c_(t−1)²."""
    T = len(xs)
    o, c = np.zeros(T + 1), np.zeros(T + 1)
    for t in range(1, T + 1):
        c[t] = np.tanh(u * xs[t - 1] + w * o[t - 1])
        o[t] = (1 - z) * o[t - 1] + z * c[t]
    delta, du, dw, dz = (v * o[T] - y) * v, 0.0, 0.0, 0.0
    for t in range(T, 0, -1):
        da = delta * z * (1 - c[t - 1] ** 2)  # the slip: c[t - 1] where c[t] belongs
        du, dw, dz = du + da * xs[t - 1], dw + da * o[t - 1], dz + delta * (c[t] - o[t - 1])
        delta = delta * (1 - z) + da * w
    return du, dw, dz


def test_the_gated_tanh_prime_of_the_previous_candidate_is_named():
    first = refusal(L.check_gated_bptt, _gated_prev_candidate)
    assert first.startswith("check_gated_bptt: tanh′ of step t is 1 − c_t², with c_t = tanh(")
    assert "you used c_(t−1)" in first


def test_the_rare_slips_differ_from_the_right_answer_by_hand():
    """By hand, independent of the catalogue: with one step the gated slip's tanh′ is
    1 − c_0² = 1, so dL/du = (v o_1 − y) v z x_1 exactly; the squared and rooted clip factors of
    [3, 4], [12] at max_norm 6.5 are 1/4 and 1/√2 (global norm 13); with T = 2 and Wh = I the
    summed Jacobians are diag(1 − h_1²) + diag(1 − h_2²), the last one squared diag(1 − h_2²)²."""
    x, y, u, w, v, z = 0.6, 0.2, 0.9, 0.7, 1.3, 0.4
    o1 = z * math.tanh(u * x)
    du = _gated_prev_candidate(np.array([x]), y, u, w, v, z)[0]
    assert du == pytest.approx((v * o1 - y) * v * z * x, rel=1e-14)
    g = [np.array([3.0, 4.0]), np.array([12.0])]
    sq = _clip_with_factor(lambda r: r**2)(g, 6.5)
    rt = _clip_with_factor(np.sqrt)(g, 6.5)
    np.testing.assert_allclose(sq[1], [12 / 4], rtol=1e-14)
    np.testing.assert_allclose(rt[1], [12 / math.sqrt(2)], rtol=1e-14)
    hs = np.array([[0.0, 0.0], [0.5, -0.2], [0.3, 0.6]])
    np.testing.assert_allclose(_jac_sum(hs, np.eye(2)), np.diag([0.75 + 0.91, 0.96 + 0.64]))
    np.testing.assert_allclose(_jac_power(hs, np.eye(2)), np.diag([0.91**2, 0.64**2]))


# -- a learner's slips that got only "... are wrong" before (learner probe of lessons 06-08) -------
# Written as a learner writes them (the solution's loops with one slip), not through the catalogue.


def _clip_l1(grads, max_norm):
    total = sum(np.abs(g).sum() for g in grads)  # the slip: Σ|g| where sqrt(Σ g²) belongs
    factor = max_norm / total if total > max_norm else 1.0
    return [np.asarray(g, dtype=float) * factor for g in grads]


def _jacobian_learner(start=np.eye, slope=lambda h: 1 - h**2):
    def jacobian_product(hs, Wh):
        P = start(Wh.shape[0])
        for t in range(1, len(hs)):
            P = (slope(hs[t])[:, None] * Wh.T) @ P
        return P

    return jacobian_product


def _truncated_learner(error=lambda e: e, carry=lambda delta, da, w: da * w):
    """The solution's loop; ``error(ŷ_t − y_t)`` is what it uses as the error, ``carry(δ, da, w)``
    δ of the step before."""

    def truncated_bptt(xs, ys, u, w, v, k):
        T = len(xs)
        o = np.zeros(T + 1)
        for t in range(1, T + 1):
            o[t] = math.tanh(u * xs[t - 1] + w * o[t - 1])
        du = dw = dv = 0.0
        for t in range(1, T + 1):
            err = error(v * o[t] - ys[t - 1])
            dv += err * o[t]
            delta = err * v
            for s in range(t, max(t - k, 0), -1):
                da = delta * (1 - o[s] ** 2)
                du, dw = du + da * xs[s - 1], dw + da * o[s - 1]
                delta = carry(delta, da, w)
        return du, dw, dv

    return truncated_bptt


def _gated_learner(dz_share=lambda z, c, o_prev: c - o_prev, dz_after=False, swap=False):
    """The solution's loop; ``dz_share`` is step t's do_t/dz, ``dz_after`` adds it with δ after
    the update, ``swap`` reads the unit as o_t = z·o_(t−1) + (1 − z)·c_t throughout."""

    def gated_bptt(xs, y, u, w, v, z):
        keep, new = (z, 1 - z) if swap else (1 - z, z)
        T = len(xs)
        o, c = np.zeros(T + 1), np.zeros(T + 1)
        for t in range(1, T + 1):
            c[t] = math.tanh(u * xs[t - 1] + w * o[t - 1])
            o[t] = keep * o[t - 1] + new * c[t]
        delta = (v * o[T] - y) * v
        du = dw = dz = 0.0
        for t in range(T, 0, -1):
            da = delta * new * (1 - c[t] ** 2)
            du, dw = du + da * xs[t - 1], dw + da * o[t - 1]
            share = dz_share(z, c[t], o[t - 1]) * (-1 if swap else 1)
            if not dz_after:
                dz += delta * share
            delta = delta * keep + da * w
            if dz_after:
                dz += delta * share
        return du, dw, dz

    return gated_bptt


def _gated_flipped(xs, y, u, w, v, z):
    return tuple(-g for g in _gated_learner()(xs, y, u, w, v, z))


PROBED = [
    (L.check_clip_grad_norm, "clip_l1_norm", _clip_l1),
    (L.check_jacobian_product, None, _jacobian_learner()),
    (
        L.check_jacobian_product,
        "started_from_zeros",
        _jacobian_learner(start=lambda H: np.zeros((H, H))),
    ),
    (
        L.check_jacobian_product,
        "tanh_applied_again",
        _jacobian_learner(slope=lambda h: 1 - np.tanh(h) ** 2),
    ),
    (L.check_truncated_bptt, None, _truncated_learner()),
    (L.check_truncated_bptt, "error_is_the_loss", _truncated_learner(error=lambda e: e**2 / 2)),
    (
        L.check_truncated_bptt,
        "delta_without_tanh_prime",
        _truncated_learner(carry=lambda delta, da, w: delta * w),
    ),
    (L.check_gated_bptt, None, _gated_learner()),
    (L.check_gated_bptt, "dz_times_z", _gated_learner(dz_share=lambda z, c, o: z * (c - o))),
    (L.check_gated_bptt, "dz_after_delta_update", _gated_learner(dz_after=True)),
    (L.check_gated_bptt, "gate_shares_swapped", _gated_learner(swap=True)),
    (L.check_gated_bptt, "gated_wrong_sign", _gated_flipped),
]


@pytest.mark.parametrize(
    ("checker", "key", "answer"),
    PROBED,
    ids=[
        "clip L1",
        "right jacobian",
        "jacobian from zeros",
        "jacobian tanh again",
        "right truncated",
        "truncated error = loss",
        "truncated delta * w",
        "right gated",
        "gated dz * z",
        "gated dz after delta",
        "gated shares swapped",
        "gated wrong sign",
    ],
)
def test_the_learner_probes_slips_are_named(checker, key, answer, capsys):
    assert_right_or_slip_named(checker, answer, key, capsys)


def test_the_probed_gated_slips_by_hand_on_one_step():
    """By hand, one step (T = 1, o_0 = 0): c_1 = tanh(u x), o_1 = z c_1, and
    dL/dz = (v o_1 − y) v c_1. Read the other way round, o_1 = (1 − z) c_1 and
    dL/dz = −(v o_1 − y) v c_1; with the extra z, z times the right one."""
    x, y, u, w, v, z = 0.6, 0.2, 0.9, 0.7, 1.3, 0.4
    c1 = math.tanh(u * x)
    right = (v * z * c1 - y) * v * c1
    assert _gated_learner()(np.array([x]), y, u, w, v, z)[2] == pytest.approx(right, rel=1e-14)
    swapped = -(v * (1 - z) * c1 - y) * v * c1
    got = _gated_learner(swap=True)(np.array([x]), y, u, w, v, z)[2]
    assert got == pytest.approx(swapped, rel=1e-14)
    times_z = _gated_learner(dz_share=lambda z, c, o: z * (c - o))(np.array([x]), y, u, w, v, z)
    assert times_z[2] == pytest.approx(z * right, rel=1e-14)


def test_a_percentage_for_the_gate_reach_is_named():
    # by hand: 0.95⁵⁰ ≈ 0.0769, as a percentage 7.69
    said = refusal(check_answer, "07.gate_reach", 7.69)
    assert "that is a percentage" in said


# -- review rev078: slips that passed or were named wrongly --------------------------------------


def _clip_by_signed_max(grads, max_norm):
    """A learner's stable norm with np.max(g) where np.max(np.abs(g)) belongs."""
    big = max(np.max(g) for g in grads)
    if big == 0:
        return [g.copy() for g in grads]
    total = big * np.sqrt(sum(np.sum((g / big) ** 2) for g in grads))
    return [g * (max_norm / total) if total > max_norm else g.copy() for g in grads]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, from the learner's function
def test_dividing_by_the_largest_signed_entry_is_caught_and_named():
    """It passed every case: no case had a largest |entry| that was negative beside a largest
    entry of 0 or a small one. By hand: [−4, 0] and [−3] have global norm 5, so max_norm 1 gives
    [−0.8, 0] and [−0.6]; the signed max is 0, and "all zeros" returns them unclipped."""
    first = refusal(L.check_clip_grad_norm, _clip_by_signed_max)
    assert mistake(L.check_clip_grad_norm, "clip_max_without_abs").says in first
    assert " — or — " not in first
    got = _clip([np.array([-4.0, 0.0]), np.array([-3.0])], 1.0)
    assert np.allclose(got[0], [-0.8, 0.0]) and np.allclose(got[1], [-0.6])


def _gated_carry_without_w(xs, y, u, w, v, z):
    """The solution's loop with δ carried back as δ·(1 − z) + da, the w of the tanh road left
    out."""
    T = len(xs)
    o, c = np.zeros(T + 1), np.zeros(T + 1)
    for t in range(1, T + 1):
        c[t] = math.tanh(u * xs[t - 1] + w * o[t - 1])
        o[t] = (1 - z) * o[t - 1] + z * c[t]
    delta = (v * o[T] - y) * v
    du = dw = dz = 0.0
    for t in range(T, 0, -1):
        da = delta * z * (1 - c[t] ** 2)
        du, dw, dz = du + da * xs[t - 1], dw + da * o[t - 1], dz + delta * (c[t] - o[t - 1])
        delta = delta * (1 - z) + da
    return du, dw, dz


def _gated_returning_dv(xs, y, u, w, v, z):
    """Right dL/du and dL/dw, then dL/dv = (ŷ − y)·o_T where dL/dz belongs (exercise 2's
    order, (du, dw, dv))."""
    du, dw, _ = my_gated_bptt(xs, y, u, w, v, z)
    o_T = gated_forward(np.asarray(xs, dtype=float), u, w, z).o[-1]
    return du, dw, (v * o_T - y) * o_T


@pytest.mark.parametrize(
    ("answer", "key"),
    [(_gated_carry_without_w, "tanh_road_without_w"), (_gated_returning_dv, "returned_dv")],
    ids=["carry without w", "dL/dv for dL/dz"],
)
def test_the_gated_slips_left_unnamed_are_named(answer, key, capsys):
    """Both were refused with no name ("dL/du, dL/dw, dL/dz are wrong", "dL/dz is wrong")."""
    assert_right_or_slip_named(L.check_gated_bptt, answer, key, capsys)


def test_the_gated_slips_by_hand_on_one_step():
    """T = 2 by hand: c_1 = tanh(u x_1), o_1 = z c_1, c_2 = tanh(u x_2 + w o_1),
    o_2 = (1 − z) o_1 + z c_2. Without w, δ_1 = δ_2 ((1 − z) + z (1 − c_2²)) and dL/du gets
    δ_1 z (1 − c_1²) x_1 from step 1; dL/dv = (v o_2 − y) o_2."""
    xs, y, u, w, v, z = np.array([0.6, -0.3]), 0.2, 0.9, 0.7, 1.3, 0.4
    c1 = math.tanh(u * xs[0])
    o1 = z * c1
    c2 = math.tanh(u * xs[1] + w * o1)
    o2 = (1 - z) * o1 + z * c2
    d2 = (v * o2 - y) * v
    d1 = d2 * ((1 - z) + z * (1 - c2**2))
    du = d2 * z * (1 - c2**2) * xs[1] + d1 * z * (1 - c1**2) * xs[0]
    assert _gated_carry_without_w(xs, y, u, w, v, z)[0] == pytest.approx(du, rel=1e-13)
    assert _gated_returning_dv(xs, y, u, w, v, z)[2] == pytest.approx((v * o2 - y) * o2, rel=1e-13)


def _truncated_walk(stop, dv_inside=False):
    """The solution's loops with the walk back ``range(t, stop(t, k), -1)``; ``dv_inside`` adds
    the error's dL/dv share inside the walk, at each of its steps."""

    def truncated_bptt(xs, ys, u, w, v, k):
        fwd = scalar.forward(xs, u, w, v)
        o, T = fwd.o, len(xs)
        du = dw = dv = 0.0
        for t in range(1, T + 1):
            err = fwd.y_hats[t - 1] - ys[t - 1]
            if not dv_inside:
                dv += err * o[t]
            delta = err * v
            for s in range(t, stop(t, k), -1):
                if dv_inside:
                    dv += err * o[t]
                da = delta * (1 - o[s] ** 2)
                du, dw, delta = du + da * xs[s - 1], dw + da * o[s - 1], da * w
        return du, dw, dv

    return truncated_bptt


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (_truncated_walk(lambda t, k: max(t - k, 0)), None),
        (_truncated_walk(lambda t, k: t - k), "walked_past_step_1"),
        (_truncated_walk(lambda t, k: max(t - k, 0), dv_inside=True), "dv_in_the_inner_loop"),
    ],
    ids=["right", "range(t, t - k, -1)", "dv inside the walk"],
)
def test_the_truncated_slips_left_unnamed_are_named(answer, key, capsys):
    """Both slips were refused unnamed ("dL/du, dL/dw are wrong", "dL/dv is wrong")."""
    assert_right_or_slip_named(L.check_truncated_bptt, answer, key, capsys)


def test_the_truncated_slips_by_hand():
    """T = 1, k = 2 by hand: o_1 = tanh(u x_1), e = v o_1 − y_1. Right: dL/du = e v (1 − o_1²) x_1.
    Unstopped, s = 0 comes next: δ_0 = e v (1 − o_1²) w, and o[0] = 0 makes tanh′ 1 there, so
    dL/du gains δ_0·xs[−1] = δ_0 x_1 and dL/dw gains δ_0·o[−1] = δ_0 o_1. With dv inside, the
    walk has one step: dL/dv = e o_1 still; T = 2, k = 2 counts e_2 o_2 twice."""
    x, y, u, w, v = 0.7, 0.3, 0.9, 0.8, 1.2
    o1 = math.tanh(u * x)
    e = v * o1 - y
    right_du = e * v * (1 - o1**2) * x
    d0 = e * v * (1 - o1**2) * w
    got = _truncated_walk(lambda t, k: t - k)(np.array([x]), np.array([y]), u, w, v, 2)
    assert got[0] == pytest.approx(right_du + d0 * x, rel=1e-13)
    assert got[1] == pytest.approx(d0 * o1, rel=1e-13)
    xs2, ys2 = np.array([x, -0.4]), np.array([y, 0.1])
    o2 = math.tanh(u * xs2[1] + w * o1)
    e2 = v * o2 - ys2[1]
    inside = _truncated_walk(lambda t, k: max(t - k, 0), dv_inside=True)(xs2, ys2, u, w, v, 2)
    assert inside[2] == pytest.approx(e * o1 + 2 * e2 * o2, rel=1e-13)


def _truncated_window_shifted(by):
    """A sliding-window loop whose window is ``by`` steps too long (``by = -1``: too short),
    right again once the window covers the whole sequence, k ≥ T."""

    def truncated_bptt(xs, ys, u, w, v, k):
        return my_truncated_bptt(xs, ys, u, w, v, k if k >= len(xs) else max(k + by, 0))

    return truncated_bptt


@pytest.mark.parametrize("by", [1, -1])
def test_the_own_check_of_truncated_bptt_catches_a_window_one_step_off(by, capsys):
    """The own check refereed only k = T (full BPTT) by finite differences and printed the other
    k: a window one step too long or too short passed it. At k = 1 each error reaches only its
    own step, the gradient of L with every entering state o_(t−1) held fixed, which finite
    differences referee."""
    from pathlib import Path

    import nbformat

    root = Path(__file__).parents[1]
    nb = nbformat.read(root / "solutions/07_vanishing_and_exploding_gradients.ipynb", 4)
    (cell,) = [c for c in nb.cells if c.source.startswith("rng = np.random.default_rng(11)")]
    names = {"np": np, "numerical_gradient": numerical_gradient, "scalar": scalar}
    names["rel_error"] = rnnlib.rel_error
    exec(cell.source, dict(names, truncated_bptt=my_truncated_bptt))
    assert "relative error < 1e-7 (k = T: full BPTT)" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="k = 1: relative error"):
        exec(cell.source, dict(names, truncated_bptt=_truncated_window_shifted(by)))


# -- the stable norm's slips (slips-b probe): the largest |entry| of the last array only (a loop
# that overwrote it: it passed all 12 cases before the case with the huge entry first), the norm
# of the scaled arrays not multiplied back, the scaled arrays returned. ---------------------------


def _stable_clip(m_of=None, back=True, return_scaled=False):
    """A learner's clip by the hint's stable norm: m the largest |entry| (``m_of(grads)`` in
    its place), the norm m·sqrt(Σ (g/m)²) (without the m if not ``back``), each array times
    max_norm / norm when over (the arrays divided by m if ``return_scaled``)."""

    def clip_grad_norm(grads, max_norm):
        m = max(np.max(np.abs(g)) for g in grads) if m_of is None else m_of(grads)
        if m == 0:
            return [g.copy() for g in grads]
        scaled = [g / m for g in grads]
        norm = np.sqrt(sum(np.sum(s**2) for s in scaled)) * (m if back else 1.0)
        if norm <= max_norm:
            return [g.copy() for g in grads]
        return [g * (max_norm / norm) for g in (scaled if return_scaled else grads)]

    return clip_grad_norm


def _last_array_max(grads):
    for g in grads:
        m = np.max(np.abs(g))  # overwritten: the last array's
    return m


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, from the learner's function
@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (_stable_clip(), None),
        (_stable_clip(m_of=_last_array_max), "clip_last_array_max"),
        (_stable_clip(back=False), "clip_max_not_multiplied_back"),
        (_stable_clip(return_scaled=True), "clip_returned_scaled"),
    ],
    ids=["right", "last array's max", "not multiplied back", "scaled arrays returned"],
)
def test_the_stable_norms_slips_are_named(answer, key, capsys):
    assert_right_or_slip_named(L.check_clip_grad_norm, answer, key, capsys)


def test_the_last_arrays_max_overflows_on_a_huge_first_entry_by_hand():
    """[1e160] and [1.0]: the last array's largest |entry| is 1, so (1e160 / 1)² = 1e320
    overflows to inf and the factor max_norm / inf is 0; the right norm is 1e160 (to 1 part in
    1e320), so clipping to 1 gives [1.0] and [1e-160]."""
    grads = [np.array([1e160]), np.array([1.0])]
    with np.errstate(over="ignore"):
        wrong = _stable_clip(m_of=_last_array_max)(grads, 1.0)
    assert wrong[0][0] == 0.0
    right = _stable_clip()(grads, 1.0)
    assert right[0][0] == pytest.approx(1.0) and right[1][0] == pytest.approx(1e-160)


# -- slips-b probe: δ updated before its shares, δ not reset, o_(t−1) in dL/dv, the direct road
# kept whole, a product started from ones. Each got "... are wrong" (or one item named) before. ---


def _truncated_hint_loop(reset=True, shares_after=False, dv_state=0):
    """Hint 3's loop of exercise 2, one slip at a time: δ not reset for each error, δ moved on
    before the shares are added, dL/dv with o[t − dv_state]."""

    def truncated_bptt(xs, ys, u, w, v, k):
        fwd = scalar.forward(xs, u, w, v)
        o, T = fwd.o, len(xs)
        du = dw = dv = delta = 0.0
        for t in range(1, T + 1):
            err = fwd.y_hats[t - 1] - ys[t - 1]
            dv += err * o[t - dv_state]
            delta = err * v if reset else delta + err * v
            for s in range(t, max(t - k, 0), -1):
                slope = 1 - o[s] ** 2
                if shares_after:
                    delta = delta * slope * w
                dw += delta * slope * o[s - 1]
                du += delta * slope * xs[s - 1]
                if not shares_after:
                    delta = delta * slope * w
        return du, dw, dv

    return truncated_bptt


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (_truncated_hint_loop(), None),
        (_truncated_hint_loop(reset=False), "delta_not_reset"),
        (_truncated_hint_loop(shares_after=True), "delta_updated_before_share"),
        (_truncated_hint_loop(dv_state=1), "dv_state_before"),
    ],
    ids=["right", "δ not reset", "δ moved on first", "o_(t−1) in dL/dv"],
)
def test_the_truncated_hint_loops_slips_are_named(answer, key, capsys):
    assert_right_or_slip_named(L.check_truncated_bptt, answer, key, capsys)


def test_the_truncated_hint_loops_slips_by_hand():
    """T = 2, k = 2, u = 1, w = 0.5, v = 2, xs = (1, 0), ys = (0, 0), by hand:
    o_1 = tanh(1), o_2 = tanh(0.5·o_1); e_t = v·o_t. Right dL/dv = e_1 o_1 + e_2 o_2; with
    o_(t−1) it is e_1·0 + e_2 o_1. Right dL/du: step 1's error gives e_1 v (1 − o_1²)·1, step 2's
    gives e_2 v (1 − o_2²)·0 at s = 2 and e_2 v (1 − o_2²) w (1 − o_1²)·1 at s = 1. Not reset,
    step 2's walk starts at e_2 v + δ_left, δ_left = e_1 v (1 − o_1²) w. Moved on first, step 1's
    share is e_1 v (1 − o_1²) w·(1 − o_1²)·1."""
    xs, ys, u, w, v = np.array([1.0, 0.0]), np.zeros(2), 1.0, 0.5, 2.0
    o1 = math.tanh(1.0)
    o2 = math.tanh(0.5 * o1)
    e1, e2 = v * o1, v * o2
    p1, p2 = 1 - o1**2, 1 - o2**2
    right_du = e1 * v * p1 + e2 * v * p2 * w * p1
    du, _, dv = _truncated_hint_loop()(xs, ys, u, w, v, 2)
    assert du == pytest.approx(right_du) and dv == pytest.approx(e1 * o1 + e2 * o2)
    assert _truncated_hint_loop(dv_state=1)(xs, ys, u, w, v, 2)[2] == pytest.approx(e2 * o1)
    left = e1 * v * p1 * w
    not_reset = e1 * v * p1 + (e2 * v + left) * p2 * w * p1
    assert _truncated_hint_loop(reset=False)(xs, ys, u, w, v, 2)[0] == pytest.approx(not_reset)
    first = e1 * v * p1 * w * p1 + e2 * v * p2 * w * p1 * w * p1
    assert _truncated_hint_loop(shares_after=True)(xs, ys, u, w, v, 2)[0] == pytest.approx(first)


def _gated_hint_loop(carry_of=None, shares_after=False):
    """Hint 3's loop of exercise 3: δ carried back by ``carry_of(z, slope, w)`` (a slip) or moved
    on before the shares are added."""

    def gated_bptt(xs, y, u, w, v, z):
        T = len(xs)
        o, c = np.zeros(T + 1), np.zeros(T + 1)
        for t in range(1, T + 1):
            c[t] = math.tanh(u * xs[t - 1] + w * o[t - 1])
            o[t] = (1 - z) * o[t - 1] + z * c[t]
        delta, du, dw, dz = (v * o[T] - y) * v, 0.0, 0.0, 0.0
        for t in range(T, 0, -1):
            slope = 1 - c[t] ** 2
            carry = (1 - z) + z * slope * w if carry_of is None else carry_of(z, slope, w)
            if shares_after:
                delta = delta * carry
            du += delta * z * slope * xs[t - 1]
            dw += delta * z * slope * o[t - 1]
            dz += delta * (c[t] - o[t - 1])
            if not shares_after:
                delta = delta * carry
        return du, dw, dz

    return gated_bptt


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        (_gated_hint_loop(), None),
        (_gated_hint_loop(shares_after=True), "shares_after_delta_update"),
        (_gated_hint_loop(carry_of=lambda z, slope, w: 1 + z * slope * w), "additive_road_one"),
    ],
    ids=["right", "δ moved on first", "direct road 1"],
)
def test_the_gated_hint_loops_slips_are_named(answer, key, capsys):
    assert_right_or_slip_named(L.check_gated_bptt, answer, key, capsys)


def test_the_gated_hint_loops_slips_by_hand_on_one_step():
    """T = 1: δ_1 = (v o_1 − y) v, and the right shares use it: dL/du = δ_1 z (1 − c_1²) x_1.
    Moved on first, they use δ_1 ((1 − z) + z (1 − c_1²) w) instead; the direct road kept
    whole changes nothing on one step (no δ is carried into a share)."""
    xs, y, u, w, v, z = np.array([0.8]), 0.3, 0.9, 0.7, 1.3, 0.4
    c1 = math.tanh(u * 0.8)
    o1 = z * c1
    d1 = (v * o1 - y) * v
    du = d1 * z * (1 - c1**2) * 0.8
    assert _gated_hint_loop()(xs, y, u, w, v, z)[0] == pytest.approx(du)
    moved = du * ((1 - z) + z * (1 - c1**2) * w)
    assert _gated_hint_loop(shares_after=True)(xs, y, u, w, v, z)[0] == pytest.approx(moved)
    one = _gated_hint_loop(carry_of=lambda z, slope, w: 1 + z * slope * w)
    assert one(xs, y, u, w, v, z)[0] == pytest.approx(du)


def _jac_from_ones(hs, Wh):
    P = np.ones_like(Wh)
    for t in range(1, len(hs)):
        P = np.diag(1 - hs[t] ** 2) @ Wh.T @ P
    return P


def test_a_product_started_from_ones_is_named():
    """np.ones((H, H)) for the identity: every column of the product is J_T⋯J_1 applied to the
    vector of ones (by hand for T = 0: the answer is np.eye(H), the slip's np.ones)."""
    assert_slip_named(L.check_jacobian_product, _jac_from_ones, "started_from_ones")
    assert np.array_equal(_jac_from_ones(np.zeros((1, 2)), np.eye(2)), np.ones((2, 2)))
