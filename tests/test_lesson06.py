"""Lesson 06's checkers (rnnlib.course.lesson06): what is special to them. The behaviour every
checker shares is tested in tests/test_checkers.py with the right answers below (clipping from
one concatenated vector, loops written here). The mistakes' reference loops, with the right
switches, agree with rnnlib (a different formulation)."""

import numpy as np
import pytest
from checks_support import first_line

from rnnlib import scalar
from rnnlib.course import lesson06 as L
from rnnlib.gradflow import jacobian_products, scalar_bptt_truncated


def _clip(grads, max_norm):
    total = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    return [g * min(1.0, max_norm / total) for g in grads]


def my_truncated_bptt(xs, ys, u, w, v, k):
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(xs)
    du = dw = dv = 0.0
    for t in range(1, T + 1):
        err = v * o[t] - ys[t - 1]
        dv += err * o[t]
        d = err * v
        for s in range(t, max(t - k, 0), -1):
            da = d * (1 - o[s] ** 2)
            du += da * xs[s - 1]
            dw += da * o[s - 1]
            d = da * w
    return du, dw, dv


def my_jacobian_product(hs, Wh):
    P = np.eye(Wh.shape[0])
    for t in range(1, len(hs)):
        P = np.diag(1 - hs[t] ** 2) @ Wh.T @ P  # J_t on the left
    return P


RIGHT = {
    "check_clip_grad_norm": (_clip, 5),
    "check_jacobian_product": (my_jacobian_product, 4),
    "check_truncated_bptt": (my_truncated_bptt, 5),
}

REQUIRED = {  # the issue's minimum catalogue, by mistake key
    "check_clip_grad_norm": {"clip_elementwise", "clip_per_array", "clip_always_rescaled"},
}


def test_clip_catalogue_covers_the_issue_minimum():
    assert REQUIRED["check_clip_grad_norm"] <= {m.key for m in L.check_clip_grad_norm.mistakes}


def test_a_tuple_of_clipped_arrays_is_accepted_too(capsys):
    L.check_clip_grad_norm(lambda grads, m: tuple(_clip(grads, m)))
    assert "passed ✓" in capsys.readouterr().out


def test_clipping_in_place_is_caught():
    def clip_in_place(grads, max_norm):
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        if total > max_norm:
            for g in grads:
                g *= max_norm / total
        return grads

    with pytest.raises(AssertionError) as excinfo:
        L.check_clip_grad_norm(clip_in_place)
    assert first_line(excinfo).startswith(
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
    got = L.truncated(xs, ys, 0.7, 1.1, -0.9, L.sliding(k))
    np.testing.assert_allclose(
        got, scalar_bptt_truncated(xs, ys, 0.7, 1.1, -0.9, k), rtol=1e-12, atol=1e-14
    )


def test_mistakes_product_agrees_with_gradflow():
    for case in L.jacobian_product_cases():
        hs, Wh = case.args["hs"], case.args["Wh"]
        np.testing.assert_allclose(
            L.jacobian_product(hs, Wh), jacobian_products(hs, Wh)[-1], rtol=1e-12, atol=1e-15
        )
