"""Lesson 07: vanishing and exploding gradients
(notebooks/07_vanishing_and_exploding_gradients.ipynb).

Checkers of exercise 07, each with its cases and its catalogue of
known mistakes:

- ``check_clip_grad_norm``:
  ``clip_grad_norm(grads, max_norm)`` → the list of clipped arrays
  (inputs unchanged);
- ``check_jacobian_product``:
  ``jacobian_product(hs, Wh)`` → ∂h_T/∂h_0, shape (H, H);
- ``check_truncated_bptt``:
  ``truncated_bptt(xs, ys, u, w, v, k)`` → (dL/du, dL/dw, dL/dv)
  with sliding windows of k steps;
- ``check_gated_bptt`` (transfer):
  ``gated_bptt(xs, y, u, w, v, z)`` → (dL/du, dL/dw, dL/dz) for the
  scalar gated unit
  o_t = (1 − z)·o_(t−1) + z·tanh(u·x_t + w·o_(t−1)),
  L = ½(v·o_T − y)².

Graded questions (``QUESTIONS``): which truncation PyTorch's detach
loop computes, the reach of the gated unit's additive road, the
max_norm that a clipped entry reveals.

References come from :mod:`rnnlib.optim` and :mod:`rnnlib.gradflow`;
the mistakes are small formulas, or the loops below wrong in one way
(a slip each, named by the mistake's key), so the catalogue is
executable.
"""

from __future__ import annotations

import copy
import functools

import numpy as np

from .. import scalar
from ..gradflow import (
    gated_backward,
    gated_forward,
    gated_gradient_products,
    gradient_norms_by_distance,
    jacobian_products,
    long_sequence_problem,
    scalar_bptt_truncated,
    truncation_curve,
)
from ..optim import clip_grad_norm
from ..rnn import rnn_forward
from .checking import Case, Checker, CheckFailed, Question, catalogue, quiet_call, table_cases

__all__ = [
    "CHECKERS",
    "check_clip_grad_norm",
    "check_gated_bptt",
    "check_jacobian_product",
    "check_truncated_bptt",
    "FIGURES",
    "QUESTIONS",
    "gate_explorer",
    "gradients_explorer",
]


# -- clipping by global norm -----------------------------------------------------------------------


_ALL_ZERO = "all-zero gradients (global norm 0, under the limit): returned unchanged, zeros"


def clip_grad_norm_cases():
    rng = np.random.default_rng(606)

    def grads(scale, shapes):
        return [rng.normal(size=s) * scale for s in shapes]

    three = [(3, 4), (4, 4), (4,)]  # dWx, dWh, db with D = 3, H = 4
    raw = [
        (
            "three gradients (3, 4), (4, 4), (4,), global norm over the limit",
            grads(0.8, three),
            2.5,
        ),
        ("three gradients, global norm under the limit", grads(0.1, three), 2.5),
        ("one gradient of shape (5,), over the limit", grads(1.0, [(5,)]), 0.5),
        (
            "two gradients of very different sizes, over the limit",
            [rng.normal(size=(2, 3)) * 4.0, rng.normal(size=(3,)) * 0.05],
            1.5,
        ),
        (
            "two gradients, each under the limit but together over it",
            [np.array([0.9, -0.6, 0.3]), np.array([[0.5, -0.8], [0.7, 0.2]])],
            1.2,
        ),
        (  # squares of 1e160 exceed the largest float (1.8e308): a naive norm is inf
            "entries near 1e160 (their squares overflow a float), over the limit",
            [np.array([3e160, -4e160]), np.array([[1e160, 2e160]])],
            3.0,
        ),
        (  # compared relatively (the checker's atol is 0): zeros are not "close to" 1e-170
            "entries near 1e-170 (their squares underflow to 0), under the limit: returned "
            "unchanged",
            [np.array([3e-170, -4e-170]), np.array([1e-170])],
            1.0,
        ),
        (  # dividing by the largest |entry| of grads[0] alone still squares 1e160
            "a huge entry (1e160) in the LAST array, over the limit: divide by the largest "
            "|entry| of ALL the arrays",
            [np.array([1.0]), np.array([1e160])],
            1.0,
        ),
        (  # dividing by the largest |entry| of grads[0] alone divides by 0
            "the first array all zeros, the second with entries [3, 4], over the limit",
            [np.array([0.0]), np.array([3.0, 4.0])],
            1.0,
        ),
        (  # the norm and the largest |entry| are 0: dividing by either gives 0/0 = NaN
            _ALL_ZERO,
            [np.zeros((2, 3)), np.zeros(3)],
            1.0,
        ),
        (  # np.max(g), not np.max(np.abs(g)): the largest entry is 0, "nothing to clip"
            "entries 0, −4 and −3, over the limit: the largest |entry| is 4, though the largest "
            "entry is 0",
            [np.array([-4.0, 0.0]), np.array([-3.0])],
            1.0,
        ),
        (  # np.max(g) = 0.5: the squares of (−4e160 / 0.5) overflow
            "entries −3e160, 0.5 and −4e160, over the limit: the largest |entry| is 4e160, "
            "though the largest entry is 0.5",
            [np.array([-3e160, 0.5]), np.array([-4e160])],
            2.0,
        ),
        (  # dividing by the largest |entry| of the last array alone still squares 1e160
            "a huge entry (1e160) in the FIRST array, the last one small, over the limit: "
            "divide by the largest |entry| of ALL the arrays",
            [np.array([1e160]), np.array([1.0])],
            1.0,
        ),
    ]
    return table_cases(
        "grads, max_norm", raw, lambda grads, max_norm: clip_grad_norm(grads, max_norm)[0]
    )


def _norm(g):
    with np.errstate(over="ignore"):  # the naive norm, as a learner writes it: may overflow
        return float(np.sqrt(np.sum(np.square(g))))


def _clip(grads, max_norm, *, slip=None):
    """Rescale the gradients. Right for ``slip=None``, else wrong in the
    one way its slip names (the slips are the keys of the catalogue
    below). The norm is the naive one; where it overflows only the slip
    that IS the overflow answers: the others raise, so they do not claim
    that case."""
    if slip == "clip_per_array":
        return [_clip([g], max_norm)[0] for g in grads]
    first_max = float(np.max(np.abs(grads[0])))  # the largest |entry| of grads[0] alone
    last_max = float(np.max(np.abs(grads[-1])))  # of grads[-1] alone (a loop overwrote it)
    top = max(float(np.max(np.abs(g))) for g in grads)  # the largest |entry| of all
    signed_max = max(float(np.max(g)) for g in grads)  # np.max(g) where np.max(np.abs(g)) belongs
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        total = {
            "clip_rms": lambda: np.sqrt(np.mean(np.concatenate([np.ravel(g) ** 2 for g in grads]))),
            "clip_sum_of_norms": lambda: sum(_norm(g) for g in grads),
            "clip_no_sqrt": lambda: sum(_norm(g) ** 2 for g in grads),
            "clip_max_of_norms": lambda: max(_norm(g) for g in grads),
            "clip_max_entry": lambda: max(float(np.max(np.abs(g))) for g in grads),
            "clip_l1_norm": lambda: sum(float(np.sum(np.abs(g))) for g in grads),
            "clip_first_array_max": lambda: (
                first_max * np.sqrt(sum(np.sum(np.square(np.divide(g, first_max))) for g in grads))
            ),
            "clip_last_array_max": lambda: (
                last_max * np.sqrt(sum(np.sum(np.square(np.divide(g, last_max))) for g in grads))
            ),
            "clip_max_not_multiplied_back": lambda: (  # sqrt(Σ (g/m)²), not m·sqrt(Σ (g/m)²)
                np.sqrt(sum(np.sum(np.square(np.divide(g, top))) for g in grads))
            ),
            "clip_max_without_abs": lambda: (  # a largest entry of 0 taken for all zeros
                np.float64(0.0)
                if signed_max == 0
                else abs(signed_max)
                * np.sqrt(sum(np.sum(np.square(np.divide(g, signed_max))) for g in grads))
            ),
        }.get(slip, lambda: np.sqrt(sum(_norm(g) ** 2 for g in grads)))()
    if not np.isfinite(total) and slip not in (
        "clip_norm_overflowed",
        "clip_first_array_max",
        "clip_last_array_max",
        "clip_max_without_abs",
    ):
        raise OverflowError("the naive norm overflowed")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        factor = total / max_norm if slip == "clip_inverted_ratio" else max_norm / total
        factor = {"clip_ratio_squared": factor**2, "clip_ratio_rooted": np.sqrt(factor)}.get(
            slip, factor
        )
    scale = factor if (slip == "clip_always_rescaled" or total > max_norm) else 1.0
    if slip == "clip_returned_scaled" and total > max_norm:  # the arrays divided by m, rescaled
        scale = scale / top
    with np.errstate(over="ignore", invalid="ignore"):
        return [np.asarray(g, dtype=float) * scale for g in grads]


def _clip_to_unit_norm(grads, max_norm):
    """g / ‖g‖ when over the limit (the factor max_norm forgotten), the
    norm computed stably."""
    total = clip_grad_norm(grads, max_norm)[1]
    return [np.asarray(g, dtype=float) / (total if total > max_norm else 1.0) for g in grads]


_ZERO_NAN = (
    "all-zero gradients came back NaN: guard the division when the norm (or the largest "
    "|entry|) is 0; zero gradients are under any limit and come back unchanged"
)


class _ClipChecker(Checker):
    """check_clip_grad_norm, with three rules of its own:

    - before the usual checks, an answer that puts new arrays into the
      caller's list (``grads[i] = g * factor``) is told so, instead of
      the generic in-place message meant for arrays changed by
      ``g *= ...``;
    - NaN for all-zero gradients (0/0 where the norm, or the largest
      |entry|, divides) is named;
    - an answer right on every case that returns the caller's list
      itself (``... else grads``) is refused: the exercise asks for a
      new list."""

    def _message(self, fn, cases, case, where, result, problems):
        text = super()._message(fn, cases, case, where, result, problems)
        zeros = all(not np.any(g) for g in case.args["grads"])
        if zeros and any(kind == "nan" for _, kind, _, _ in problems):
            return f"{self.name}: {_ZERO_NAN}\n" + text.split("\n", 1)[1]
        return text

    def _refusal(self, fn):
        for case in self.cases():
            given = copy.deepcopy(case.args)
            with np.errstate(all="ignore"):
                result = quiet_call(fn, *given.values())
            if result is None:  # (it ran without raising in the checks: nothing to say)
                return None
            if result is given["grads"]:
                name = getattr(fn, "__name__", "")
                who = f"your {name}" if name.isidentifier() else "your function"
                return (
                    f"right numbers, but {who} returned the caller's list `grads` itself: "
                    "return a NEW list, e.g. `list(grads)` or `[g.copy() for g in grads]` when "
                    "nothing needs clipping (a caller that changes the returned list would "
                    "change its own)\n"
                    f"  case: {case.label}"
                )
        return None

    def _check(self, fn):
        __tracebackhide__ = True
        if callable(fn):
            cases = self.cases()
            for i, case in enumerate(cases, 1):
                grads = list(case.args["grads"])
                given = [g.copy() for g in grads]
                originals = list(given)
                try:
                    with np.errstate(all="ignore"):
                        self._run_limited(fn, cases, i, given, case.args["max_norm"])
                except CheckFailed:  # stopped after the time limit: said as the checks say it
                    raise
                except Exception:
                    break  # the usual checks report it
                swapped = len(given) != len(originals) or any(
                    a is not b for a, b in zip(given, originals, strict=False)
                )
                if swapped and all(
                    np.array_equal(a, b) for a, b in zip(originals, grads, strict=True)
                ):
                    raise CheckFailed(
                        f"{self.name}: your function wrote into the caller's list `grads` "
                        "(e.g. `grads[i] = ...` or `grads.append(...)`): the caller still needs "
                        "its unclipped gradients; build a NEW list and return it, e.g. "
                        "`[... for g in grads]`\n"
                        f"  case: {case.label}"
                    )
        return super()._check(fn)


check_clip_grad_norm = _ClipChecker(
    "check_clip_grad_norm",
    "clip_grad_norm(grads, max_norm)",
    clip_grad_norm_cases,
    forbidden=("optim.clip_grad_norm", "optim.global_norm"),
    forbidden_says="it computes the norm or the clipping this exercise asks you to write",
    items="clipped[{i}]",
    atol=0.0,  # relative only: every entry scales with its input (a case holds entries of 1e-170)
    doc="a new list of the clipped arrays (inputs unchanged, the caller's list itself never "
    "returned); grads a list of ndarrays. If the global norm ``sqrt(Σ_k ‖g_k‖²)`` exceeds "
    "``max_norm``, every gradient is multiplied by ``max_norm / global norm``; otherwise they are "
    "returned unchanged (all-zero gradients too, without NaN). Entries may be as large as 1e160: "
    "the norm must not overflow.",
    mistakes=catalogue(
        _clip,
        (
            "clip_rms",
            "you used the root-mean-square sqrt(mean g²) as the norm: the global norm is the "
            "root of the SUM of all squares, sqrt(Σ_k ‖g_k‖²)",
        ),
        (
            "clip_norm_overflowed",
            "your global norm overflowed to infinity (squares of 1e160 exceed 1.8e308, the "
            "largest float): divide by the largest |entry| before squaring",
        ),
        (
            "clip_elementwise",
            lambda grads, max_norm: [np.clip(g, -max_norm, max_norm) for g in grads],
            "elementwise clipping (each entry to ±max_norm) instead of rescaling every "
            "gradient by max_norm / (global norm)",
        ),
        (
            "clip_per_array",
            "per-array norms: each gradient was rescaled by its own norm; use the global norm "
            "sqrt(Σ_k ‖g_k‖²) of all of them together",
        ),
        (
            "clip_always_rescaled",
            "rescaling when already under the limit: leave the gradients unchanged when the "
            "global norm is ≤ max_norm",
        ),
        (
            "clip_not_at_all",
            lambda grads, max_norm: [np.asarray(g, dtype=float) for g in grads],
            "not rescaled: when the global norm exceeds max_norm, multiply EVERY gradient by "
            "max_norm / (global norm)",
        ),
        (
            "clip_inverted_ratio",
            "inverted ratio: the factor is max_norm / (global norm), not its inverse",
        ),
        (
            "clip_ratio_squared",
            "the factor is squared: multiply by max_norm / (global norm) itself, so that the "
            "clipped update is max_norm long",
        ),
        (
            "clip_ratio_rooted",
            "the factor is square-rooted: multiply by max_norm / (global norm) itself, so that "
            "the clipped update is max_norm long",
        ),
        (
            "clip_sum_of_norms",
            "the global norm is sqrt(Σ_k ‖g_k‖²), not the sum of the norms Σ_k ‖g_k‖",
        ),
        (
            "clip_no_sqrt",
            "missing square root: the global norm is sqrt(Σ_k ‖g_k‖²), not Σ_k ‖g_k‖²",
        ),
        (
            "clip_max_of_norms",
            "you used the largest of the arrays' norms, max_k ‖g_k‖: the global norm counts all "
            "arrays together, sqrt(Σ_k ‖g_k‖²)",
        ),
        (
            "clip_max_entry",
            "you used the largest |entry| (the ∞-norm) as the norm: the global norm is the L2 "
            "norm of all entries together, sqrt(Σ_k ‖g_k‖²)",
        ),
        (
            "clip_l1_norm",
            "you used Σ |entries| (the L1 norm): the global norm is sqrt(Σ_k ‖g_k‖²), squares "
            "summed",
        ),
        (
            "clip_first_array_max",
            "you divided by the largest |entry| of grads[0] only: take it over ALL the arrays "
            "(another may be larger, or grads[0] all 0)",
        ),
        (
            "clip_last_array_max",
            "you divided by the largest |entry| of the last array only (a loop that overwrote "
            "it?): take it over ALL the arrays",
        ),
        (
            "clip_max_not_multiplied_back",
            "your norm is that of the arrays divided by their largest |entry| m: multiply it "
            "back by m, global norm = m·sqrt(Σ_k ‖g_k / m‖²)",
        ),
        (
            "clip_returned_scaled",
            "you rescaled the arrays divided by their largest |entry| m, m times too small: "
            "return g · max_norm / (global norm)",
        ),
        (
            "clip_max_without_abs",
            "you divided by the largest entry, np.max(g), which may be 0 or small: divide by "
            "the largest |entry|, np.max(np.abs(g))",
        ),
        (
            "clip_to_unit_norm",
            _clip_to_unit_norm,
            "you divided by the global norm only, which makes the update 1 long: multiply by "
            "max_norm / (global norm), so that it is max_norm long",
        ),
        (
            "clip_returned_total_too",
            lambda grads, max_norm: tuple(clip_grad_norm(grads, max_norm)),
            "you returned (clipped, total_norm) as rnnlib.clip_grad_norm does; this exercise "
            "returns only the list of clipped arrays",
        ),
    ),
)


# -- the product of Jacobians ∂h_T/∂h_0 ------------------------------------------------------------


def jacobian_product_cases():
    rng = np.random.default_rng(8)
    cases = []
    for label, T, H in (
        ("T = 3, H = 3", 3, 3),
        ("T = 1, H = 2 (one step)", 1, 2),
        ("T = 5, H = 4", 5, 4),
        ("T = 0 (no step: the identity)", 0, 2),
    ):
        Wh = rng.normal(size=(H, H)) * 0.9 / np.sqrt(H)
        x = rng.normal(size=(1, max(T, 1), 2))
        Wx = rng.normal(size=(2, H))
        h, cache = rnn_forward(x, rng.normal(size=(1, H)) * 0.5, Wx, Wh, rng.normal(size=H) * 0.2)
        hs = cache.hs[: T + 1, 0].copy()
        cases.append(Case(label, {"hs": hs, "Wh": Wh}, jacobian_products(hs, Wh)[-1]))
    return cases


def jacobian_product(hs, Wh, *, slip=None):
    """J_T ⋯ J_1 with J_t = diag(1 − h_t²) Wh^T. Right for ``slip=None``,
    else wrong in the one way its slip names (the slips are the keys of
    the catalogue below)."""
    H = Wh.shape[0]
    out = {"started_from_zeros": np.zeros((H, H)), "started_from_ones": np.ones((H, H))}.get(
        slip, np.eye(H)
    )
    T = hs.shape[0] - 1
    steps = {
        "one_factor_too_many": range(0, T + 1),  # a J_0 from h_0, which no step produced
        "one_factor_too_few": range(1, T),  # J_T left out
    }.get(slip, range(1, T + 1))
    if slip == "last_jacobian_powered":  # np.linalg.matrix_power(J_T, T)
        J_T = (1.0 - hs[T] ** 2)[:, None] * Wh.T
        return np.linalg.matrix_power(J_T, T)
    if slip == "jacobians_summed":  # J_1 + ... + J_T, from a zero matrix
        return sum(((1.0 - hs[t] ** 2)[:, None] * Wh.T for t in range(1, T + 1)), np.zeros((H, H)))
    for t in steps:
        h = hs[t - 1] if slip == "state_before_the_step" else hs[t]
        d = {
            "no_tanh_prime": np.ones(H),
            "one_minus_h": 1.0 - h,
            "tanh_applied_again": 1.0 - np.tanh(h) ** 2,
        }.get(slip, 1.0 - h**2)
        W = Wh if slip == "wh_not_transposed" else Wh.T
        J = W * d[None, :] if slip == "diag_on_the_right" else d[:, None] * W
        if slip == "each_factor_transposed":  # Wh diag(1 − h_t²): the row-vector convention
            J = J.T
        if slip == "elementwise_product":
            out = J * out
        elif slip == "earliest_on_the_left":
            out = out @ J
        else:
            out = J @ out
    return out.T if slip == "transposed_result" else out


check_jacobian_product = Checker(
    "check_jacobian_product",
    "jacobian_product(hs, Wh)",
    jacobian_product_cases,
    forbidden=("gradflow.jacobian_products", "gradflow.hidden_jacobian"),
    forbidden_says="it computes the Jacobians this exercise asks you to derive",
    doc="∂h_T/∂h_0 (H, H), h_t = tanh(x_t Wx + h_(t−1) Wh + b). ``hs`` (T + 1, H) holds "
    "h_0..h_T of one sequence; the answer is J_T J_(T−1) ⋯ J_1 with J_t = diag(1 − h_t²) Wh^T, "
    "so that entry [j, i] is ∂h_T[j]/∂h_0[i].",
    mistakes=catalogue(
        jacobian_product,
        (
            "transposed_result",
            "you returned the transpose: row j must hold the derivatives of h_T[j]",
        ),
        (
            "diag_on_the_right",
            "diag(1 − h_t²) belongs on the LEFT of Wh^T: "
            "∂h_t[j]/∂h_(t−1)[i] = (1 − h_t[j]²)·Wh[i, j]",
        ),
        (
            "earliest_on_the_left",
            "wrong order: the latest Jacobian stands on the left, J_T ⋯ J_2 J_1",
        ),
        (
            "one_factor_too_many",
            "one factor too many: T steps give T Jacobians J_1..J_T (hs[1:]); h_0 is no step's "
            "output, so it gives no J",
        ),
        (
            "one_factor_too_few",
            "one factor too few: T steps give T Jacobians, J_1..J_T: the last, from h_T = "
            "hs[T], is missing",
        ),
        (
            "state_before_the_step",
            "tanh′ of step t is 1 − h_t² (the state AFTER the step), not 1 − h_(t−1)²",
        ),
        (
            "each_factor_transposed",
            "each J_t is transposed: Wh diag(1 − h_t²) is the Jacobian for row vectors, "
            "(∂h_t/∂h_(t−1))^T; the entry [j, i] = ∂h_t[j]/∂h_(t−1)[i] needs diag(1 − h_t²) Wh^T",
        ),
        ("no_tanh_prime", "the tanh′ factor diag(1 − h_t²) is missing"),
        (
            "tanh_applied_again",
            "you applied tanh to h_t again; hs holds the states, already tanh(a_t): "
            "tanh′ = 1 − h_t²",
        ),
        (
            "started_from_zeros",
            "the product started from zeros and stays 0: start from np.eye(H), ∂h_0/∂h_0 (the "
            "T = 0 answer)",
        ),
        (
            "started_from_ones",
            "the product started from np.ones((H, H)), every entry 1: start from the identity "
            "np.eye(H), ∂h_0/∂h_0 (the T = 0 answer)",
        ),
        ("one_minus_h", "tanh′ is 1 − h², not 1 − h"),
        (
            "wh_not_transposed",
            "Wh must be transposed: ∂a_t[j]/∂h_(t−1)[i] = Wh[i, j], so J_t = diag(1 − h_t²) Wh^T",
        ),
        (
            "elementwise_product",
            "you multiplied elementwise (*); the chain rule needs matrix products (@)",
        ),
        (
            "last_jacobian_powered",
            "you raised the last step's Jacobian to the power T: each step has its OWN "
            "J_t = diag(1 − h_t²) Wh^T (its own h_t), so multiply J_T ⋯ J_2 J_1",
        ),
        (
            "jacobians_summed",
            "you added the J_t; the chain rule MULTIPLIES the steps' Jacobians: "
            "∂h_T/∂h_0 = J_T ⋯ J_2 J_1, starting from the identity",
        ),
    ),
)


# -- truncated BPTT (scalar model, a target at every step) -----------------------------------------


def truncated_bptt_cases():
    rng = np.random.default_rng(7)
    cases = []
    for label, T, k, (u, w, v) in (
        ("T = 6, k = 2", 6, 2, (0.8, 0.9, 1.3)),
        ("T = 7, k = 3", 7, 3, (-0.6, 1.1, 0.9)),
        ("T = 5, k = 1 (no gradient passes between steps)", 5, 1, (0.7, -0.8, 1.1)),
        ("T = 4, k = 4 = T (the full gradient)", 4, 4, (0.5, 0.7, -1.2)),
        ("T = 3, k = 5 > T (the full gradient)", 3, 5, (1.0, 0.5, 0.8)),
    ):
        xs = rng.uniform(-1, 1, size=T)
        ys = rng.uniform(-1, 1, size=T)
        args = {"xs": xs, "ys": ys, "u": u, "w": w, "v": v, "k": k}
        cases.append(Case(label, args, scalar_bptt_truncated(**args)))
    return cases


def sliding(k):
    """The steps s that the error of step t reaches in truncated BPTT:
    t, t−1, …, t−k+1."""
    return lambda t, T: range(max(t - k + 1, 1), t + 1)


def truncated(xs, ys, u, w, v, k, *, reach=sliding, slip=None):
    """Scalar truncated BPTT written out pair by pair: the error of step t
    reaches the steps s in ``reach(k)(t, T)`` (1-based), by default the
    sliding window of k steps. Right for ``slip=None``, else wrong in
    the one way its slip names (the slips are the keys of the catalogue
    below, whose window mistakes pass another ``reach``)."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    window = reach(k)
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, xs.size
    err = v * o[1:] - ys
    if slip == "error_is_the_loss":  # ½(ŷ_t − y_t)² where ŷ_t − y_t belongs
        err = 0.5 * err**2
    du = dw = 0.0
    for t in range(1, T + 1):
        if slip == "last_error_only" and t < T:
            continue
        d = err[t - 1] * (1.0 if slip == "error_without_v" else v)  # dL_t/do_t
        for s in range(t, 0, -1):
            slope = {
                "missing_tanh_prime": 1.0,
                "one_minus_o": 1.0 - o[s],
                "tanh_prime_of_state_before": 1.0 - o[s - 1] ** 2,
            }.get(slip, 1.0 - o[s] ** 2)
            if s in window(t, T):
                du += d * slope * xs[s - 1]
                dw += d * slope * (o[s] if slip == "state_after_not_before" else o[s - 1])
            # on to do_(s−1)
            d = d * (1.0 if slip == "delta_without_tanh_prime" else slope)
            d = d * (1.0 if slip == "delta_without_w" else w)
    if slip == "truncated_dv":  # dv summed over the last window only
        steps = range(max(T - k + 1, 1), T + 1)
    elif slip == "dv_last_step_only":
        steps = [T]
    else:
        steps = range(1, T + 1)
    dv = sum(err[t - 1] * o[t - 1 if slip == "dv_state_before" else t] for t in steps)
    if slip == "dv_in_the_inner_loop":  # added once per step of each error's walk back
        dv = sum(err[t - 1] * o[t] * len(window(t, T)) for t in steps)
    if slip == "averaged_over_steps":
        du, dw, dv = du / T, dw / T, dv / T
    return float(du), float(dw), float(dv)


def _truncated_past_step_1(xs, ys, u, w, v, k):
    """The walk back not stopped at step 1, ``range(t, t − k, −1)``: where
    t < k, s reaches 0, −1, … and numpy's negative indices wrap
    xs[s − 1], o[s] and o[s − 1] round to the end."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    o = scalar.forward(xs, u, w, v).o
    du = dw = dv = 0.0
    for t in range(1, xs.size + 1):
        err = v * o[t] - ys[t - 1]
        dv += err * o[t]
        d = err * v
        for s in range(t, t - k, -1):
            da = d * (1.0 - o[s] ** 2)
            du, dw, d = du + da * xs[s - 1], dw + da * o[s - 1], da * w
    return float(du), float(dw), float(dv)


def _truncated_walk(xs, ys, u, w, v, k, *, reset=True, shares_after_update=False):
    """The hint's loop with one slip: δ not reset for each error (``reset``
    False: the walk of step t starts from what the walk of step t − 1
    left in δ, plus its own error), or δ moved on to step s − 1 before
    step s's shares are added (``shares_after_update``)."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    o = scalar.forward(xs, u, w, v).o
    du = dw = dv = delta = 0.0
    for t in range(1, xs.size + 1):
        err = v * o[t] - ys[t - 1]
        dv += err * o[t]
        delta = (err * v) if reset else (delta + err * v)
        for s in range(t, max(t - k, 0), -1):
            slope = 1.0 - o[s] ** 2
            if shares_after_update:
                delta = delta * slope * w
            du, dw = du + delta * slope * xs[s - 1], dw + delta * slope * o[s - 1]
            if not shares_after_update:
                delta = delta * slope * w
    return float(du), float(dw), float(dv)


def _truncated_with(reach):
    """A mistake in the window: :func:`truncated` whose errors reach the
    steps ``reach(k)``."""
    return lambda xs, ys, u, w, v, k: truncated(xs, ys, u, w, v, k, reach=reach)


_OFF_BY_ONE = (
    "off by one: the error of step t reaches steps t, t−1, …, t−k+1 (k steps, step t itself "
    "included); yours "
)

check_truncated_bptt = Checker(
    "check_truncated_bptt",
    "truncated_bptt(xs, ys, u, w, v, k) → (dL/du, dL/dw, dL/dv)",
    truncated_bptt_cases,
    forbidden=("gradflow.scalar_bptt_truncated",),
    forbidden_says="it computes the truncated gradient this exercise asks you to write",
    doc="the gradients with sliding windows. Scalar model with a target at every step, "
    "L = Σ_t ½(v·o_t − y_t)². The error of step t, (ŷ_t − y_t)·v = dL_t/do_t, travels back "
    "through steps t, t−1, …, t−k+1 only; dL/dv is not truncated. For k ≥ T this is full BPTT.",
    mistakes=catalogue(
        truncated,
        (
            "ignored_k",
            _truncated_with(lambda k: lambda t, T: range(1, t + 1)),
            "this is the FULL BPTT gradient: each step's error must travel back at most k steps",
        ),
        (
            "window_one_too_long",
            _truncated_with(lambda k: sliding(k + 1)),
            _OFF_BY_ONE + "went one step further",
        ),
        (
            "window_one_too_short",
            _truncated_with(lambda k: sliding(k - 1)),
            _OFF_BY_ONE + "stopped one step short",
        ),
        (
            "first_step_never_reached",
            _truncated_with(lambda k: lambda t, T: range(max(t - k + 1, 2), t + 1)),
            "no error reached step 1: stop the walk back at range(t, max(t − k, 0), −1), not "
            "max(t − k, 1) (the stop is excluded)",
        ),
        (
            "walked_past_step_1",
            _truncated_past_step_1,
            "you walked back past step 1 (s = 0, −1, …: xs[s − 1] and o[s − 1] wrap round to the "
            "end); stop at range(t, max(t − k, 0), −1)",
        ),
        (
            "chunked_windows",
            _truncated_with(
                lambda k: lambda t, T: [s for s in range(1, t + 1) if (s - 1) // k == (t - 1) // k]
            ),
            "that is the OTHER common definition, chunked windows (a detach every k steps); "
            "this exercise asks for sliding: each error goes back k steps",
        ),
        (
            "stopped_k_before_the_end",
            _truncated_with(lambda k: lambda t, T: range(max(T - k + 1, 1), t + 1)),
            "you stopped the whole backward pass k steps before the end; instead cut EACH "
            "error's path after k steps (early errors get their own windows)",
        ),
        (
            "last_error_only",
            "only the last step's error was used: every step has a target here, and each "
            "error (ŷ_t − y_t)·v starts its own trip back",
        ),
        (
            "truncated_dv",
            "dL/dv = Σ_t (ŷ_t − y_t)·o_t does not go back in time: sum it over EVERY step, "
            "whatever k",
        ),
        (
            "delta_without_w",
            "going back one step, δ must be multiplied by do_s/do_(s−1) = (1 − o_s²)·w: the w "
            "is missing",
        ),
        (
            "error_without_v",
            "each error reaches o_t through ŷ_t = v·o_t: dL_t/do_t = (ŷ_t − y_t)·v, the factor v "
            "is missing",
        ),
        (
            "delta_not_reset",
            functools.partial(_truncated_walk, reset=False),
            "δ not reset for each error: the walk back of step t starts fresh at "
            "δ = (ŷ_t − y_t)·v; you added it to what the previous walk left in δ",
        ),
        (
            "delta_updated_before_share",
            functools.partial(_truncated_walk, shares_after_update=True),
            "δ moved on to step s − 1 before step s's shares were added: add δ·(1 − o_s²)·x_s "
            "and δ·(1 − o_s²)·o_(s−1) first, then δ ← δ·(1 − o_s²)·w",
        ),
        (
            "dv_state_before",
            "dL/dv uses o_t, the state that ŷ_t = v·o_t reads, not o_(t−1): "
            "dL/dv = Σ_t (ŷ_t − y_t)·o_t",
        ),
        (
            "dv_in_the_inner_loop",
            "dL/dv was added at every step of each walk back (inside the inner loop): add "
            "(ŷ_t − y_t)·o_t once per step t, outside it",
        ),
        (
            "dv_last_step_only",
            "dL/dv sums (ŷ_t − y_t)·o_t over EVERY step (each step has a target), not only the "
            "last",
        ),
        ("missing_tanh_prime", "the tanh′ factor (1 − o_s²) is missing"),
        (
            "delta_without_tanh_prime",
            "going back one step, δ must be multiplied by do_s/do_(s−1) = (1 − o_s²)·w: you "
            "multiplied by w only",
        ),
        (
            "error_is_the_loss",
            "you used the loss ½(ŷ_t − y_t)² as the error; its derivative is the error: "
            "dL_t/dŷ_t = ŷ_t − y_t",
        ),
        ("one_minus_o", "tanh′ is 1 − o_s², not 1 − o_s"),
        (
            "tanh_prime_of_state_before",
            "tanh′ of step s is 1 − o_s² (the state AFTER the step), not 1 − o_(s−1)²",
        ),
        (
            "averaged_over_steps",
            "you divided by T: the loss is the SUM over the steps, L = Σ_t ½(ŷ_t − y_t)², so "
            "its gradient is a sum too",
        ),
        (
            "state_after_not_before",
            "dL/dw⁽ˢ⁾ uses o_(s−1), the state ENTERING step s; you used o_s",
        ),
        (
            "wrong_sign",
            lambda *args: tuple(-g for g in scalar_bptt_truncated(*args)),
            "wrong sign everywhere: the error is ŷ_t − y_t, not y_t − ŷ_t",
        ),
    ),
)


# -- transfer: BPTT through the scalar gated unit --------------------------------------------------


def gated_bptt_cases():
    rng = np.random.default_rng(71)
    cases = []
    for label, T, (u, w, v, z), y in (
        ("T = 5, z = 0.3", 5, (0.9, 1.2, 1.1, 0.3), 0.4),
        ("T = 8, z = 0.1 (mostly the additive road)", 8, (1.3, 0.8, -0.9, 0.1), -0.5),
        ("T = 1 (one step)", 1, (0.7, -0.6, 1.4, 0.6), 0.9),
        ("T = 6, z = 1 (the plain tanh RNN)", 6, (0.8, 0.9, 1.2, 1.0), -0.3),
        ("T = 6, w < 0, z = 0.5", 6, (-1.1, -1.4, 0.8, 0.5), 0.2),
    ):
        xs = rng.uniform(-1, 1, size=T)
        g = gated_backward(gated_forward(xs, u, w, z), y, v)
        args = {"xs": xs, "y": y, "u": u, "w": w, "v": v, "z": z}
        cases.append(Case(label, args, (g.du, g.dw, g.dz)))
    return cases


def gated(xs, y, u, w, v, z, *, slip=None):
    """BPTT through the gated unit written as a loop. Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    fwd = gated_forward(xs, u, w, z)  # the forward pass is not where these mistakes lie
    xs, o, c, T = fwd.xs, fwd.o, fwd.c, fwd.xs.size
    delta = (v * o[T] - y) * (1.0 if slip == "error_without_v" else v)
    du = dw = dgate = 0.0
    for t in range(T, 0, -1):
        slope = {
            "slope_of_o_not_c": 1 - o[t] ** 2,
            "slope_one_minus_c": 1 - c[t - 1],
            "slope_one_minus_a_squared": 1 - (u * xs[t - 1] + w * o[t - 1]) ** 2,
            "slope_of_c_before": 1 - (c[t - 2] if t > 1 else 0.0) ** 2,  # c_(t−1), c_0 = 0
        }.get(slip, 1 - c[t - 1] ** 2)
        zz = {"gate_missing_in_u_w": 1.0, "one_minus_z_in_u_w": 1 - z}.get(slip, z)
        carried = delta * {  # δ carried back through both roads, or a slip's one road
            "tanh_road_only": z * slope * w,
            "additive_road_only": 1 - z,
            "additive_road_z": z + z * slope * w,
            "additive_road_one": 1 + z * slope * w,
            "tanh_road_without_z": (1 - z) + slope * w,
            "tanh_road_without_w": (1 - z) + z * slope,
            "roads_multiplied": (1 - z) * z * slope * w,
        }.get(slip, (1 - z) + z * slope * w)
        share = carried if slip == "shares_after_delta_update" else delta  # (the slip: δ_(t−1))
        du += share * zz * slope * xs[t - 1]
        dw += share * zz * slope * (o[t] if slip == "dw_with_o_t" else o[t - 1])
        # the slip: dz added after δ was carried on, with δ of o_(t−1)
        dz_t = (carried if slip == "dz_after_delta_update" else share) * {
            "dz_with_o_t": c[t - 1] - o[t],
            "dz_without_minus_o": c[t - 1],
            "dz_wrong_sign": o[t - 1] - c[t - 1],
            "dz_with_tanh_prime": (c[t - 1] - o[t - 1]) * slope,
            "dz_times_z": z * (c[t - 1] - o[t - 1]),
        }.get(slip, c[t - 1] - o[t - 1])
        if slip == "dz_overwritten":  # dz = ... in the loop: the last one written, t = 1, stays
            dgate = dz_t
        elif slip != "dz_last_step_only" or t == T:
            dgate += dz_t
        delta = carried
    sign = -1.0 if slip == "gated_wrong_sign" else 1.0
    if slip == "returned_dv":  # exercise 2's (du, dw, dv), where dL/dz belongs
        dgate = (v * o[T] - y) * o[T]
    return float(sign * du), float(sign * dw), float(sign * dgate)


def _gate_shares_swapped(xs, y, u, w, v, z):
    """Right BPTT of the unit read the other way round,
    o_t = z·o_(t−1) + (1 − z)·c_t: the right loop at 1 − z, its dz of
    the opposite sign (d(1 − z)/dz = −1)."""
    du, dw, dz = gated(xs, y, u, w, v, 1.0 - z)
    return du, dw, -dz


check_gated_bptt = Checker(
    "check_gated_bptt",
    "gated_bptt(xs, y, u, w, v, z) → (dL/du, dL/dw, dL/dz)",
    gated_bptt_cases,
    forbidden=("gradflow.gated_backward", "gradflow.gated_gradient_products"),
    forbidden_says="it computes the gated unit's gradients this exercise asks you to derive",
    doc="the gradients for the scalar gated unit o_t = (1 − z)·o_(t−1) + "
    "z·tanh(u·x_t + w·o_(t−1)), o_0 = 0, with L = ½(v·o_T − y)²; u, w and z are shared by "
    "every step.",
    mistakes=catalogue(
        gated,
        (
            "tanh_road_only",
            "δ went back only through the tanh road, z·(1 − c_t²)·w: o_t also holds "
            "(1 − z)·o_(t−1) directly, so do_t/do_(t−1) has a second term, (1 − z)",
        ),
        (
            "additive_road_only",
            "δ went back only through the additive road (1 − z): o_(t−1) also enters "
            "tanh(u·x_t + w·o_(t−1)), which adds z·(1 − c_t²)·w to do_t/do_(t−1)",
        ),
        (
            "additive_road_z",
            "the direct road keeps the share 1 − z of o_(t−1), not z: "
            "do_t/do_(t−1) = (1 − z) + z·(1 − c_t²)·w",
        ),
        (
            "additive_road_one",
            "the direct road keeps the share 1 − z of o_(t−1), not all of it: "
            "do_t/do_(t−1) = (1 − z) + z·(1 − c_t²)·w",
        ),
        (
            "tanh_road_without_z",
            "the road through the tanh lost its z: c_t enters o_t as z·c_t, so "
            "do_t/do_(t−1) = (1 − z) + z·(1 − c_t²)·w",
        ),
        (
            "tanh_road_without_w",
            "the road through the tanh lost its w: o_(t−1) enters tanh(u·x_t + w·o_(t−1)) "
            "times w, so do_t/do_(t−1) = (1 − z) + z·(1 − c_t²)·w",
        ),
        (
            "returned_dv",
            "you returned dL/dv = (ŷ − y)·o_T as the third number; this function returns "
            "(dL/du, dL/dw, dL/dz), the gate's gradient last",
        ),
        (
            "roads_multiplied",
            "you multiplied the two roads from o_(t−1) to o_t; the chain rule ADDS the roads: "
            "do_t/do_(t−1) = (1 − z) + z·(1 − c_t²)·w",
        ),
        (
            "one_minus_z_in_u_w",
            "u and w act through z·c_t, so their shares carry z, not 1 − z: "
            "do_t/dw⁽ᵗ⁾ = z·(1 − c_t²)·o_(t−1)",
        ),
        (
            "gate_missing_in_u_w",
            "u and w act through z·tanh(…): their shares need the factor z, "
            "do_t/dw⁽ᵗ⁾ = z·(1 − c_t²)·o_(t−1)",
        ),
        (
            "dz_without_minus_o",
            "dL/dz misses a term: z appears twice in o_t = (1 − z)·o_(t−1) + z·c_t, so "
            "do_t/dz⁽ᵗ⁾ = c_t − o_(t−1)",
        ),
        (
            "dz_wrong_sign",
            "dL/dz has the wrong sign: do_t/dz⁽ᵗ⁾ = c_t − o_(t−1), not o_(t−1) − c_t",
        ),
        ("dz_with_o_t", "do_t/dz⁽ᵗ⁾ = c_t − o_(t−1), with the state ENTERING step t; you used o_t"),
        (
            "dz_times_z",
            "dL/dz has an extra z: o_t = o_(t−1) + z·(c_t − o_(t−1)), so do_t/dz⁽ᵗ⁾ = "
            "c_t − o_(t−1)",
        ),
        (
            "dz_after_delta_update",
            "step t's dz share used δ already carried back to o_(t−1): add δ_t·(c_t − o_(t−1)) "
            "first",
        ),
        (
            "shares_after_delta_update",
            "step t's shares used δ already carried back to o_(t−1): add the shares of u, w "
            "and z with δ_t = dL/do_t first, then carry δ on",
        ),
        (
            "gate_shares_swapped",
            _gate_shares_swapped,
            "gate shares swapped: z is the NEW candidate's share, o_t = (1 − z)·o_(t−1) + z·c_t",
        ),
        (
            "gated_wrong_sign",
            "wrong sign everywhere: the error is ŷ − y = v·o_T − y, not y − ŷ",
        ),
        (
            "dz_with_tanh_prime",
            "dL/dz has a tanh′ it should not: z multiplies c_t = tanh(…) from OUTSIDE, so "
            "do_t/dz⁽ᵗ⁾ = c_t − o_(t−1), with no (1 − c_t²)",
        ),
        (
            "dz_last_step_only",
            "dL/dz holds only the last step's share: z is shared by every step, so add "
            "δ_t·(c_t − o_(t−1)) at EVERY step of the loop",
        ),
        (
            "dz_overwritten",
            "dL/dz was overwritten at every step (only step 1's share is left): add each "
            "step's δ_t·(c_t − o_(t−1)) with +=",
        ),
        (
            "dw_with_o_t",
            "w multiplies o_(t−1), the state ENTERING step t: do_t/dw⁽ᵗ⁾ = z·(1 − c_t²)·o_(t−1), "
            "not o_t",
        ),
        (
            "error_without_v",
            "the loss reaches o_T through ŷ = v·o_T: dL/do_T = (ŷ − y)·v, the factor v is missing",
        ),
        (
            "slope_of_o_not_c",
            "tanh′ belongs to the tanh's own output c_t = tanh(a_t): 1 − c_t², not 1 − o_t² "
            "(o_t is not a tanh here, it is a blend of o_(t−1) and c_t)",
        ),
        ("slope_one_minus_c", "tanh′ is 1 − c_t², not 1 − c_t"),
        (
            "slope_of_c_before",
            "tanh′ of step t is 1 − c_t², with c_t = tanh(u·x_t + w·o_(t−1)) of the SAME "
            "step; you used c_(t−1), the previous step's",
        ),
        (
            "slope_one_minus_a_squared",
            "1 − a_t² where 1 − tanh(a_t)² belongs: tanh′ = 1 − c_t², the square of the tanh's "
            "OUTPUT c_t",
        ),
    ),
)

CHECKERS = (check_clip_grad_norm, check_jacobian_product, check_truncated_bptt, check_gated_bptt)


# -- graded questions ------------------------------------------------------------------------------

QUESTIONS = (
    Question(
        "07.detach_loop",
        "A PyTorch loop cuts the sequence into chunks of k steps; before each chunk it detaches "
        "the hidden state (h = h.detach()), then runs the chunk, sums its losses and calls "
        "backward(). Which truncated gradient does that compute?",
        "b",
        choices={
            "a": "sliding windows: every step's error goes back k steps",
            "b": "chunked windows: every error goes back to the start of its own chunk",
            "c": "the full BPTT gradient",
            "d": "only the last step of each chunk sends its error back",
        },
        why={
            "a": "an error at the first step of a chunk stops at the detach one step back; "
            "only the last step of a chunk gets k steps",
            "c": "detach() cuts the graph at every chunk boundary: no error crosses it",
            "d": "the chunk's loss sums every step's loss, so every step sends its error back",
        },
        explain="detach() stops every error at its chunk's start: BPTT(k; k) in Williams and "
        "Peng's notation.",
    ),
    Question(
        "07.gate_reach",
        "The gated unit with w = 0 and z = 0.05: what is |do_50/do_0|? Four significant digits "
        "are enough (the check allows 0.1%).",
        0.95**50,
        why={
            0.05**50: "z is the share of the new candidate; the old state keeps the share 1 − z",
            0.95**49: "one factor short: 50 steps back is 50 factors",
            0.95**51: "one factor too many: 50 steps back is 50 factors",
            0.0: "with w = 0 the tanh road is cut, but the additive road (1 − z) remains",
            float(np.exp(-0.05 * 50)): "e^(−zT) = e^(−2.5) only approximates (1 − z)^T: "
            "compute 0.95⁵⁰ itself (the approximation is 7% off here)",
            0.95: "that is one step back; 50 steps multiply 50 such factors",
            100 * 0.95**50: "that is a percentage; give the factor itself, 0.95⁵⁰ ≈ 0.077",
            0.95 * 50: "you added the 50 factors; the chain rule MULTIPLIES them: 0.95⁵⁰",
            1 - 0.05 * 50: "1 − 50z is a first-order guess, far off here (it is not even a size): "
            "multiply the 50 factors, 0.95⁵⁰",
        },
        explain="every step multiplies by (1 − z) + z·(1 − c_t²)·0 = 0.95: 0.95⁵⁰ ≈ 0.077.",
    ),
    Question(
        "07.clip_factor",
        "Two gradient arrays, with entries [3, 4] and [12], were clipped by global norm; after "
        "clipping, the entry that was 12 is 4.8. What was max_norm? Four significant digits are "
        "enough (the check allows 0.1%).",
        4.8 / 12 * 13,  # every entry × 0.4; the clipped update is 0.4 · 13 = max_norm long
        why={
            4.8: "4.8 is the length of the clipped [12] alone; max_norm bounds the WHOLE clipped "
            "update: every entry shrank by the same factor, 4.8/12 = 0.4, so its length is "
            "0.4 · sqrt(3² + 4² + 12²)",
            0.4: "0.4 = 4.8/12 is the factor every entry was multiplied by; max_norm is the "
            "length of the clipped update, the factor times the global norm",
            0.4 * 5: "that is the clipped length of [3, 4] alone; the update is both arrays "
            "together, 0.4 · sqrt(3² + 4² + 12²)",
            0.4 * 17: "17 = 5 + 12 is the sum of the two norms; the global norm is "
            "sqrt(3² + 4² + 12²) = 13",
            0.4 * 169: "169 is the sum of squares: take its square root, 13",
            0.4 * 13 / np.sqrt(3): "that divides by √3, a root-mean-square; the global norm "
            "sums the squares without dividing by their number",
            13 / 0.4: "inverted: the factor is max_norm / (global norm) = 0.4, so max_norm = "
            "0.4 · 13, not 13 / 0.4",
            12 / 0.4: "the factor is max_norm / (global norm) = 0.4: multiply it by the global "
            "norm, 13, not divide an entry by it",
            13.0: "13 is the global norm before clipping; with max_norm ≥ 13 nothing is "
            "clipped and 12 stays 12",
        },
        explain="every entry is multiplied by the same factor, 4.8/12 = 0.4, so the clipped "
        "update is 0.4 · sqrt(9 + 16 + 144) = 0.4 · 13 = 5.2 long: exactly max_norm.",
    ),
)


# =================================================================================================
# The slider figure of lesson 07, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 07's sliders: the recurrent weight scale and the truncation window k.
#
# The model is :func:`rnnlib.gradflow.long_sequence_problem` (H = 8 units, T = 20 steps,
# ``Wh = scale · Q`` with Q orthogonal, so every singular value of Wh is ``scale``).
#
# Left panel: how much of a loss at the last step reaches the state d steps earlier,
# ‖∂L/∂h_(T−d)‖ (log scale), beside the bound scale^d that ‖J_t‖₂ ≤ ‖Wh‖₂ = scale gives.
# Right panel: truncated BPTT with window k against the full gradient (loss at every step): the
# relative error and the cosine similarity of the gradient of (Wx, Wh, b), for every k, with the
# slider's k marked. The curves of a scale are computed once and cached; moving k only moves the
# marker.

_FLOOR, _TOP = -8.0, 4.0  # log10 range of the gradient-norm axis


def gradients_explorer(scale=1.0, k=5, H=8, T=20, scale_range=(0.3, 2.0)):
    """A recurrent-scale slider and a truncation slider over gradient norms
    and truncation error.

    Parameters
    ----------
    scale : float, initial ‖Wh‖₂ (every singular value of Wh)
    k : int, initial truncation window
    H, T : int, hidden size and sequence length of
        :func:`rnnlib.gradflow.long_sequence_problem`
    scale_range : (float, float), the scale slider's range

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds
    ``scale``, ``k``, ``norms`` (T + 1,) = ‖∂L/∂h_(T−d)‖ for d = 0..T,
    ``bound`` (T + 1,) = scale^d, ``ks``, ``rel_errors``, ``cosines``
    (the whole truncation curve) and ``rel_error``, ``cosine`` at the
    slider's k.
    """
    from matplotlib.ticker import MaxNLocator

    from .plots import clip_to_band
    from .sliders import Explorer, Slider, freeze_static, new_figure, slider_range

    scale_range = slider_range("scale_range", scale_range, low_above_zero=True)
    ks = np.arange(1, T + 1)
    d = np.arange(T + 1)
    cache = {}

    def curves(scale):
        key = round(float(scale), 10)
        if key not in cache:
            p = long_sequence_problem(scale, H=H, T=T)
            _, c = rnn_forward(p["x"], p["h0"], p["Wx"], p["Wh"], p["b"])
            norms = gradient_norms_by_distance(c.hs[:, 0], p["Wh"], p["g_T"])
            cache[key] = (norms, truncation_curve(p["dh"], c, ks))
        return cache[key]

    fig = new_figure(figsize=(8.6, 3.3))
    # fixed margins instead of a layout pass (which measures every text twice): half the build
    fig.set_layout_engine("none")
    # (in pixels of the 688 x 264 figure: axes at x = 62..333 and 409..680, y = 37..243; whole
    # pixels, so that the cached picture and the moving lines meet at the axes' edges exactly)
    margins = {"left": 62 / 688, "right": 680 / 688, "bottom": 37 / 264, "top": 243 / 264}
    margins["wspace"] = 76 / 271
    ax_g, ax_t = fig.subplots(1, 2, gridspec_kw=margins)
    # log10 on a linear axis (a log axis is too slow to redraw for a slider)
    ax_g.set_xlim(0, T)
    ax_g.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_g.set_ylim(_FLOOR, _TOP)
    ticks = range(int(_FLOOR), int(_TOP) + 1, 2)
    ax_g.set_yticks(ticks, [rf"$10^{{{t}}}$" for t in ticks])
    ax_g.axhline(0.0, color="0.6", lw=0.8)
    # (on top of the gradient's line: at scale 1 the two lie on each other)
    (bound_line,) = ax_g.plot(
        d, np.zeros(T + 1), ls="--", color="0.2", lw=1, zorder=3, label=r"bound $\mathrm{scale}^d$"
    )
    (norm_line,) = ax_g.plot(
        d,
        np.zeros(T + 1),
        "o-",
        color="tab:purple",
        ms=3,
        label=r"$\|\partial L/\partial h_{T-d}\|$",
    )
    ax_g.set_xlabel("distance back in time d (steps)")
    ax_g.set_ylabel("gradient size (log scale)", fontsize=9)
    ax_g.legend(loc="lower left", fontsize=8)
    ax_g.set_title(f"a loss at step {T}, sent back d steps", fontsize=10)
    note_g = ax_g.text(0.03, 0.95, "", transform=ax_g.transAxes, va="top", fontsize=9)

    ax_t.set_xlim(0.5, T + 0.5)
    ax_t.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_t.set_ylim(-0.9, 1.08)
    ax_t.axhline(0.0, color="0.6", lw=0.8)
    # short labels: a wider legend ran over the note at its left ('... cosine +0.52' then cut)
    (err_line,) = ax_t.plot(ks, np.zeros(T), "s-", color="tab:red", ms=3, label="rel. error")
    (cos_line,) = ax_t.plot(ks, np.zeros(T), "o-", color="tab:green", ms=3, label="cosine")
    k_line = ax_t.axvline(k, color="0.3", lw=1, ls=":")
    ax_t.set_xlabel("truncation window k (steps)")
    ax_t.set_ylabel("relative error, cosine", fontsize=9)  # both against the full gradient
    ax_t.legend(loc="lower right", fontsize=8)
    ax_t.set_title("truncated BPTT(k) against full BPTT", fontsize=10)
    note_t = ax_t.text(0.03, 0.04, "", transform=ax_t.transAxes, fontsize=9)

    def update(scale, k):
        if isinstance(k, bool) or not float(k).is_integer() or not 1 <= k <= T:
            # k = 0 would read entry −1, the numbers of k = T, and show them as "k = 0"
            raise ValueError(f"k: expected a window length, an integer in 1..{T}, got {k!r}")
        k = int(k)
        norms, tc = curves(scale)
        bound = float(scale) ** d
        with np.errstate(divide="ignore"):
            nx, ny, marks = clip_to_band(d, np.log10(norms), _FLOOR, _TOP)
            bx, by, _ = clip_to_band(d, np.log10(bound), _FLOOR, _TOP)
        norm_line.set_data(nx, ny)
        norm_line.set_markevery(marks)  # markers on the data points, not on the crossings
        bound_line.set_data(bx, by)
        note_g.set_text(f"scale = {scale:.2f}")
        err_line.set_ydata(tc.rel_errors)
        cos_line.set_ydata(tc.cosines)
        k_line.set_xdata([k, k])
        i = k - 1
        note_t.set_text(f"k = {k}: error {tc.rel_errors[i]:.3f}, cosine {tc.cosines[i]:+.3f}")
        return {
            "scale": float(scale),
            "k": k,
            "norms": norms,
            "bound": bound,
            "ks": tc.ks,
            "rel_errors": tc.rel_errors,
            "cosines": tc.cosines,
            "rel_error": float(tc.rel_errors[i]),
            "cosine": float(tc.cosines[i]),
        }

    def readout(s):
        return (
            f"scale = {s['scale']:.2f}: ‖∂L/∂h<sub>0</sub>‖ = {s['norms'][-1]:.2e} "
            f"(bound {s['bound'][-1]:.2e}); truncated at k = {s['k']}: relative error "
            f"<b>{s['rel_error']:.3f}</b>, cosine <b>{s['cosine']:+.3f}</b>"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting)
    freeze_static(fig, [bound_line, norm_line, note_g, err_line, cos_line, k_line, note_t])
    sliders = {
        "scale": Slider(
            float(scale_range[0]),
            float(scale_range[1]),
            0.05,
            float(scale),
            "recurrent scale ‖Wh‖₂",
        ),
        "k": Slider(1, T, 1, int(k), "truncation k", integer=True),
    }
    return Explorer(fig, update, sliders, readout)


# -------------------------------------------------------------------------------------------------
# Lesson 07's gated-unit slider: the gate z (and the recurrent weight w) over the reach.
#
# The scalar gated unit o_t = (1 − z)·o_(t−1) + z·tanh(u·x_t + w·o_(t−1)) over T = 40 steps of
# fixed inputs (u = 1): |do_T/do_(T−d)| against d (log scale) for the gate on the slider, beside
# the plain tanh RNN at the same w (z = 1) and the additive road alone, (1 − z)^d, which bounds the
# gated curve from below when w ≥ 0.

_G_FLOOR, _G_TOP = -12.0, 4.0


def gate_explorer(z=0.1, w=0.5, T=40, u=1.0, seed=0):
    """A gate slider and a recurrent-weight slider over the gated unit's
    reach against distance.

    Parameters
    ----------
    z : float, initial gate in (0, 1]
    w : float, initial recurrent weight (the slider covers [0, 2])
    T : int, sequence length
    u : float, input weight; the inputs are uniform in [−1, 1] from
        ``seed``

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds ``z``,
    ``w``, ``gated`` (T + 1,) = |do_T/do_(T−d)| for the gated unit,
    ``plain`` (T + 1,) the same for z = 1,
    ``road`` (T + 1,) = (1 − z)^d, and ``zero``: the names of the curves
    that are exactly 0 for every d ≥ 1 (no point on the log axis; the
    figure's note names them).
    """
    from matplotlib.ticker import MaxNLocator

    from .plots import clip_to_band
    from .sliders import Explorer, Slider, freeze_static, new_figure

    T = int(T)
    xs = np.random.default_rng(seed).uniform(-1, 1, size=T)
    d = np.arange(T + 1)

    def show(line, a):  # |a| on the log10 axis, cut where it leaves the chart
        with np.errstate(divide="ignore"):
            lx, ly, marks = clip_to_band(d, np.log10(np.abs(a)), _G_FLOOR, _G_TOP)
        line.set_data(lx, ly)
        line.set_markevery(marks)

    # the legend and the note beside the chart: inside it, a fast fall (z = 1, w = 0.3) ran under
    # the legend in the lower left, and the note shares the upper right with the curves at w = 2
    fig = new_figure(figsize=(9.2, 3.3))
    fig.set_layout_engine("none")  # fixed margins, no layout pass (as in gradients_explorer)
    ax = fig.subplots(gridspec_kw={"left": 0.086, "right": 0.73, "bottom": 0.14, "top": 0.92})
    ax.set_xlim(0, T)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(_G_FLOOR - 0.3, _G_TOP)
    ticks = range(int(_G_FLOOR), int(_G_TOP) + 1, 2)
    ax.set_yticks(ticks, [rf"$10^{{{t}}}$" for t in ticks])
    ax.axhline(0.0, color="0.6", lw=0.8)
    (plain_line,) = ax.plot(
        d, np.zeros(T + 1), "s-", color="tab:gray", ms=2.5, label="plain RNN (z = 1)"
    )
    (road_line,) = ax.plot(
        d, np.zeros(T + 1), "--", color="tab:orange", lw=1.2, label=r"additive road alone $(1-z)^d$"
    )
    (gated_line,) = ax.plot(d, np.zeros(T + 1), "o-", color="tab:green", ms=3, label="gated unit")
    ax.set_xlabel("distance back in time d (steps)")
    ax.set_ylabel(r"$|\partial o_T/\partial o_{T-d}|$")
    ax.set_title(f"how far a gradient reaches through the gated unit, T = {T}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
    note = ax.text(1.03, 0.6, "", transform=ax.transAxes, ha="left", va="top", fontsize=9)

    def update(z, w):
        z, w = float(z), float(w)
        gated = np.abs(gated_gradient_products(gated_forward(xs, u, w, z)))
        plain = np.abs(gated_gradient_products(gated_forward(xs, u, w, 1.0)))
        road = (1.0 - z) ** d
        show(gated_line, gated)
        show(plain_line, plain)
        show(road_line, road)
        # a curve that is exactly 0 beyond d = 0 (z = 1 for the road, w = 0 for the tanh road)
        # has no point on the log axis: say so, or the panel looks empty or wrong
        zero = [
            name
            for name, a in (("gated unit", gated), ("plain RNN", plain), ("additive road", road))
            if not np.any(a[1:])
        ]
        note.set_text(
            f"z = {z:.2f}, w = {w:.2f}"
            + (f"\nexactly 0 for d ≥ 1, not drawn:\n{', '.join(zero)}" if zero else "")
        )
        return {"z": z, "w": w, "gated": gated, "plain": plain, "road": road, "zero": zero}

    def readout(s):
        return (
            f"z = {s['z']:.2f}, w = {s['w']:.2f}: |do<sub>{T}</sub>/do<sub>0</sub>| = "
            f"<b>{s['gated'][-1]:.2e}</b> through the gated unit, {s['plain'][-1]:.2e} through "
            f"the plain RNN; the additive road alone gives {s['road'][-1]:.2e}"
        )

    freeze_static(fig, [plain_line, road_line, gated_line, note])
    sliders = {
        "z": Slider(0.02, 1.0, 0.02, float(z), "gate z"),
        "w": Slider(0.0, 2.0, 0.05, float(w), "recurrent weight w"),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (gradients_explorer, gate_explorer)
