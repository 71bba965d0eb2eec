"""Lesson 04: through all time steps
(notebooks/04_through_all_time_steps.ipynb).

The checker of exercise 04, with its cases and its catalogue of
known mistakes:

- ``check_scalar_bptt``: ``scalar_bptt(xs, y, u, w, v)`` →
  (dL/du, dL/dw, dL/dv) of the seed's RNN, full BPTT over T = 1 to 6
  steps with one target y at the last step.
- ``check_scalar_bptt_many`` (optional):
  ``scalar_bptt_many(xs, ys, u, w, v)`` → the same gradients with a
  target at every step, L = Σ_t ½(v·o_t − y_t)², by the same rules.
- ``check_sigmoid_bptt`` (the transfer task):
  ``sigmoid_bptt(xs, y, u, w, b, v)`` → (dL/du, dL/dw, dL/db, dL/dv)
  of a unit the lessons did not derive, a sigmoid with a bias:
  ``o_t = σ(u·x_t + w·o_(t−1) + b)``, o_0 = 0, ŷ = v·o_T,
  L = ½(ŷ − y)². Exact, like the others
  (:class:`ExactGradientChecker`): a finite difference is named, not
  accepted.

and the graded questions of exercise 04 (``QUESTIONS``).

References come from :mod:`rnnlib.scalar` on the seed's RNNs of
lesson 00. The mistakes are the backward loop below wrong in one way
(a slip each, named by the mistake's key), so the catalogue is
executable.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from .. import scalar
from ..scalar import EXAMPLE, per_step_contributions
from .checking import (
    Case,
    Checker,
    CheckFailed,
    Question,
    catalogue,
    held_in_float32,
    quiet_call,
)
from .lesson00 import seed_model_runs

__all__ = [
    "CHECKERS",
    "QUESTIONS",
    "check_scalar_bptt",
    "check_scalar_bptt_many",
    "check_sigmoid_bptt",
    "FIGURES",
    "through_time_explorer",
]


def scalar_bptt_cases():
    return [
        Case(label, {"xs": xs, "y": y, "u": u, "w": w, "v": v}, (g.du, g.dw, g.dv))
        for label, (u, w, v, _, y), xs, _, g in seed_model_runs()
    ]


def _bptt(xs, y, u, w, v, *, slip=None):
    """Full BPTT, the backward loop of :func:`rnnlib.scalar.backward` with
    the shares of every step summed: (dL/du, dL/dw, dL/dv). Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(fwd.xs)
    if slip == "bptt_o_one_step_early":  # o_t read from fwd.o[t − 1] throughout (o[−1] is o_T)
        o = np.array([o[t - 1] for t in range(T + 1)])
    y_hat = o[T] if slip == "bptt_y_hat_without_v" else fwd.y_hat  # ŷ = o_T: v left out
    err = y_hat - y
    if slip == "bptt_err_is_loss":  # L = ½(ŷ − y)² itself where its slope dL/dŷ belongs
        err = 0.5 * err**2
    if slip == "bptt_err_doubled":  # 2(ŷ − y), the slope of (ŷ − y)² without its ½
        err = 2.0 * err
    elif slip == "bptt_err_halved":  # ½(ŷ − y): the ½ of L kept, the power rule's 2 dropped
        err = 0.5 * err
    dv = err if slip == "bptt_dv_missing_o_T" else err * o[T]
    if slip == "bptt_dv_every_step":  # Σ_t (ŷ − y)·o_t: v as if it made an output at every step
        dv = err * o[1:].sum()
    if slip == "bptt_dv_tanh_prime":
        dv = dv * (1.0 - o[T] ** 2)
    if slip == "bptt_dv_extra_v":  # δ_T·o_T = (ŷ − y)·v·o_T
        dv = dv * v
    d = err if slip == "bptt_missing_v" else err * v
    if slip == "bptt_dv_is_delta_T":  # dL/dv = δ_T = (ŷ − y)·v
        dv = d
    if slip == "bptt_tanh_prime_T_twice":  # δ_T with step T's tanh′ in it, then the loop's again
        d = d * (1.0 - o[T] ** 2)
    d_T = d
    tanh_prime = {  # at step t, from the hidden states o (o[0] = o_0): 1 − o_t², or a slip's
        "bptt_missing_tanh_prime": lambda t: 1.0,
        "bptt_tanh_for_slope": lambda t: o[t],  # tanh(a_t) itself where its slope belongs
        "bptt_one_minus_o": lambda t: 1.0 - o[t],
        "bptt_tanh_twice": lambda t: 1.0 - np.tanh(o[t]) ** 2,
        "bptt_tanh_prime_squared": lambda t: (1.0 - o[t] ** 2) ** 2,
        "bptt_tanh_prime_at_prev": lambda t: 1.0 - o[t - 1] ** 2,
    }.get(slip, lambda t: 1.0 - o[t] ** 2)
    du_steps, dw_steps = np.zeros(T), np.zeros(T)
    steps = range(T, 1 if slip == "bptt_skips_step_1" else 0, -1)
    if slip == "bptt_forward_order":  # t = 1..T, the carry starting from δ_T at step 1
        steps = range(1, T + 1)
    for t in steps:
        da = d * tanh_prime(t)
        if slip == "bptt_carry_before_shares":  # δ ← δ_t (1 − o_t²) w first: shares from δ_(t−1)
            d = da * w
            da = d * tanh_prime(t)
        elif slip == "bptt_carry_before_shares_da":  # da = δ_t (1 − o_t²); δ ← da·w; shares δ·…
            d = da * w
            da = d
        dw_steps[t - 1] = da * (o[t] if slip == "bptt_o_t_for_o_prev" else o[t - 1])
        du_steps[t - 1] = da * fwd.xs[t - 1]
        if slip in ("bptt_carry_before_shares", "bptt_carry_before_shares_da"):
            pass  # (carried above)
        elif slip == "bptt_not_carried_back":
            d = 0.0
        elif slip == "bptt_carry_never_updated":  # δ stays δ_T at every step
            d = d_T
        elif slip == "bptt_carry_missing_tanh_prime":  # δ_(t−1) = δ_t·w: tanh′ left out
            d = d * w
        elif slip == "bptt_carry_prev_tanh_prime":  # δ = dL/do_t carried as if it were dL/da_t
            d = d * w * (1.0 - o[t - 1] ** 2)
        elif slip == "bptt_v_every_step":  # v multiplied in again at every step back
            d = da * w * v
        elif slip == "bptt_carry_u":  # u where w belongs in the step back
            d = da * u
        elif slip == "bptt_carry_v":  # v where w belongs in the step back
            d = da * v
        elif slip == "bptt_carry_o_prev":  # o_(t−1) (∂a_t/∂w) where w (∂a_t/∂o_(t−1)) belongs
            d = da * o[t - 1]
        else:
            d = da if slip == "bptt_no_w_in_chain" else da * w
    dv = float(dv)
    if slip == "bptt_per_step_arrays":
        return du_steps, dw_steps, dv
    if slip == "bptt_overwrites_shares":  # `du = ...`, `dw = ...` where `+=` belongs: step 1's
        return float(du_steps[0]), float(dw_steps[0]), dv
    if slip == "bptt_dw_zero":  # dL/dw = 0, step 1's share alone (returned 0, `dw = ...`, o[0])
        return float(du_steps.sum()), 0.0, dv
    du = du_steps[-1] if slip == "bptt_du_last_step_only" else du_steps.sum()
    dw = dw_steps[-1] if slip == "bptt_last_copy_only" else dw_steps.sum()
    if slip == "bptt_mean_over_steps":  # the shares averaged, not summed
        du, dw = du / T, dw / T
    return float(du), float(dw), dv


def _skips_last_step(xs, y, u, w, v):
    # the loop runs range(T − 1, 0, −1) from d = (ŷ − y)·v: step T's shares are never added and
    # every later step uses the δ of the step after it
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(fwd.xs)
    err = fwd.y_hat - y
    d, du, dw = err * v, 0.0, 0.0
    for t in range(T - 1, 0, -1):
        da = d * (1.0 - o[t] ** 2)
        du, dw, d = du + da * fwd.xs[t - 1], dw + da * o[t - 1], da * w
    return float(du), float(dw), float(err * o[T])


def _dL_da_carried_with_step_ts_tanh_prime(xs, y, u, w, v):
    # g = dL/da_t carried back, g_T = (ŷ − y)·v·(1 − o_T²), but stepped back with step t's tanh′,
    # g ← g·w·(1 − o_t²), where step t−1's belongs: g_(t−1) = g_t·w·(1 − o_(t−1)²)
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(fwd.xs)
    err = fwd.y_hat - y
    g, du, dw = err * v * (1.0 - o[T] ** 2), 0.0, 0.0
    for t in range(T, 0, -1):
        du, dw = du + g * fwd.xs[t - 1], dw + g * o[t - 1]
        g = g * w * (1.0 - o[t] ** 2)
    return float(du), float(dw), float(err * o[T])


def _du_dw_swapped(xs, y, u, w, v):
    du, dw, dv = _bptt(xs, y, u, w, v)
    return dw, du, dv


def _dw_dv_swapped(xs, y, u, w, v):
    du, dw, dv = _bptt(xs, y, u, w, v)
    return du, dv, dw


def _negated(answer):
    """The wrong answer with every gradient's sign flipped."""
    return lambda *args: tuple(-g for g in answer(*args))


FORBIDDEN = (  # rnnlib's functions that compute the exercise's gradients, "module.function"
    "scalar.bptt",
    "scalar.backward",
    "scalar.rtrl",
    "rnn.rnn_backward",  # the matrix RNN with one unit (1×1 weights) is the scalar RNN
    "rnn.rnn_backward_truncated",
    "rnn.rnn_step_backward",
    "gradflow.scalar_bptt_truncated",  # k ≥ T is full BPTT
    "gradflow.gated_backward",  # the gate z = 1 is the scalar RNN
)

_FORBIDDEN_SAYS = (
    "it computes the gradients this exercise asks you to write; compute them yourself, in one "
    "pass backwards (scalar.forward is fine)"
)


class TimeStepChecker(Checker):
    """A checker of a loop over time steps: an index past the end of ``xs``
    or ``fwd.o`` (a learner's ``IndexError``) is told where the two are
    numbered apart."""

    def _raised(self, case, err):
        if isinstance(err, IndexError):
            return (
                "an index ran past the end of an array: fwd.o holds T + 1 states o_0..o_T (o_t "
                "is o[t]), xs holds T inputs x_1..x_T (x_t is xs[t − 1]); check the indices at "
                "t = T and at t = 1"
            )
        return None


@dataclass(frozen=True, eq=False, repr=False)
class ExactGradientChecker(TimeStepChecker):
    """A :class:`Checker` of a gradient the learner computes exactly, by
    one backward pass:

    - while the learner's function runs, the rnnlib functions named in
      ``forbidden`` (``"module.function"``, e.g. ``"scalar.bptt"``: they
      compute the answer) raise, wherever they are held, and the checker
      says which one was called;
    - ``rtol``/``atol`` are tight: an exact backward pass in float64
      agrees with the reference to about 1e-15; an answer that agrees
      only to ``near_rtol``/``near_atol`` on every case (a finite
      difference: about 1e-7 to 1e-10) is named as such.
    """

    rtol: float = 1e-11
    atol: float = 1e-12
    forbidden: tuple[str, ...] = FORBIDDEN
    forbidden_says: str = _FORBIDDEN_SAYS
    near_rtol: float = 1e-6
    near_atol: float = 1e-9

    def _check(self, fn):
        __tracebackhide__ = True
        try:
            super()._check(fn)
        except CheckFailed as err:
            if getattr(err, "timed_out", False):
                raise  # (a function stopped after the time limit is not run again)
            # (a function that raises, or calls a forbidden one, agrees with nothing: None)
            near = self._agreement(self._guarded(fn) if callable(fn) else fn)
            if near is None:
                raise
            _, rest = (str(err) + "\n").split("\n", 1)
            raise CheckFailed(
                f"{self.name}: your gradient agrees only to about 1e{near}: that is what a "
                "finite difference gives, or a pass that lost digits on the way (numbers held "
                "in float32 or rounded, a constant such as e typed short); this exercise asks "
                "for the exact gradient, by one backward pass in float64, which agrees to about "
                "1e-15\n" + rest.rstrip("\n")
            ) from None

    def _agreement(self, fn):
        """The power of 10 of the worst relative error of ``fn`` over the
        cases, if its answer is close to the reference on every case only
        within the loose tolerances; else None."""
        worst = 0.0
        for case in self.cases():
            raw = quiet_call(fn, *copy.deepcopy(case.args).values())  # (under the time limit)
            if raw is None:
                return None
            try:
                leaves = [np.asarray(x) for x in (raw if isinstance(raw, (tuple, list)) else [raw])]
                if any(x.dtype.kind not in "fiu" or x.dtype.itemsize < 8 for x in leaves):
                    # float32, complex numbers, text...: the checker's own message says so
                    return None
                got = np.asarray(raw, dtype=np.float64)
            except Exception:
                return None
            want = np.asarray(case.expected, dtype=np.float64)
            if got.shape == want.shape and held_in_float32(got, want):
                return None  # float32 numbers: computed in float32, as the checker's message says
            if got.shape != want.shape or not np.allclose(
                got, want, self.near_rtol, self.near_atol
            ):
                return None
            err = np.abs(got - want) / np.maximum(np.abs(want), self.near_atol / self.near_rtol)
            worst = max(worst, float(err.max()))
        if worst <= self.rtol:
            return None  # not a near miss: wrong in some other way (e.g. an input changed)
        return round(math.log10(worst))


_CARRY_BEFORE_SHARES = (
    "δ was carried back before step t's shares, which then used δ_(t−1): add δ_t (1 − o_t²) x_t "
    "and δ_t (1 − o_t²) o_(t−1) first, then carry δ"
)

check_scalar_bptt = ExactGradientChecker(
    "check_scalar_bptt",
    "scalar_bptt(xs, y, u, w, v) → (dL/du, dL/dw, dL/dv)",
    scalar_bptt_cases,
    doc="the gradients of the seed's RNN, exact (one backward pass: a finite difference is "
    "rejected, and so is a call of an rnnlib function that computes them: scalar.bptt, "
    "scalar.backward, scalar.rtrl, rnnlib.rnn_backward (1×1 weights), "
    "rnnlib.gradflow.scalar_bptt_truncated...); xs an ndarray (T,), the rest floats. Cases: "
    "T = 1 to 6, weights of both signs, one target y at the last step.",
    mistakes=catalogue(
        _bptt,
        (
            "bptt_wrong_sign",
            _negated(_bptt),
            "wrong sign: the chain starts from dL/dŷ = ŷ − y (not y − ŷ), and the shares are "
            "added (`+=`, not `-=`)",
        ),
        (
            "bptt_last_copy_only",
            "only the last step's copy: dL/dw = Σ_t dL/dw⁽ᵗ⁾ sums the copies of w over all steps",
        ),
        (
            "bptt_du_last_step_only",
            "du from the last step only: u is shared too, dL/du = Σ_t δ_t (1 − o_t²) x_t",
        ),
        (
            "bptt_not_carried_back",
            "gradient not carried back through time: δ_(t−1) = δ_t (1 − o_t²) w feeds every "
            "earlier step",
        ),
        (
            "bptt_no_w_in_chain",
            "no w in the chain back: do_t/do_(t−1) = (1 − o_t²)·w, so δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        ("bptt_missing_tanh_prime", "missing tanh′: every step back multiplies by (1 − o_t²)"),
        (
            "bptt_tanh_for_slope",
            "o_t = tanh(a_t) where its slope belongs: tanh′(a_t) = 1 − tanh(a_t)² = 1 − o_t²",
        ),
        ("bptt_one_minus_o", "(1 − o_t) where (1 − o_t²) belongs: tanh′(a_t) = 1 − o_t²"),
        (
            "bptt_tanh_twice",
            "you applied tanh to o_t again, 1 − tanh(o_t)²; o_t is already tanh(a_t), "
            "so tanh′ = 1 − o_t²",
        ),
        (
            "bptt_tanh_prime_squared",
            "(1 − o_t²)² where (1 − o_t²) belongs: tanh′(a) = 1 − tanh(a)², square o_t only, "
            "not the difference",
        ),
        (
            "bptt_tanh_prime_at_prev",
            "tanh′ at the wrong step: (1 − o_(t−1)²) where (1 − o_t²) belongs",
        ),
        (
            "bptt_carry_prev_tanh_prime",
            "the tanh′ in the carry is step t's, (1 − o_t²), not step t−1's: δ_t here is dL/do_t, "
            "so δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        ("bptt_o_t_for_o_prev", "o_t where o_(t−1) belongs: dL/dw⁽ᵗ⁾ = δ_t (1 − o_t²) o_(t−1)"),
        ("bptt_missing_v", "missing factor v: the chain starts with δ_T = dL/dŷ · v"),
        ("bptt_dv_missing_o_T", "dL/dv is missing its factor o_T: dL/dv = dL/dŷ · o_T"),
        (
            "bptt_dv_tanh_prime",
            "dL/dv has an extra factor (1 − o_T²): ŷ = v·o_T has no tanh between v and ŷ, "
            "dL/dv = dL/dŷ · o_T",
        ),
        (
            "bptt_err_doubled",
            "every gradient is twice the right one: you started from 2(ŷ − y), the slope of "
            "(ŷ − y)²; L = ½(ŷ − y)², so dL/dŷ = ŷ − y",
        ),
        (
            "bptt_err_halved",
            "every gradient is half the right one: you started from ½(ŷ − y); the power rule's 2 "
            "cancels the ½ of L, dL/dŷ = ½·2(ŷ − y) = ŷ − y",
        ),
        (
            "bptt_per_step_arrays",
            "you returned the per-step contributions (arrays); return their sums, "
            "dL/du = Σ_t dL/du⁽ᵗ⁾ and dL/dw = Σ_t dL/dw⁽ᵗ⁾",
        ),
        (
            "bptt_overwrites_shares",
            "each step's share replaces the sum so far (`= ...` where `+= ...` belongs): only "
            "step 1's share is left",
        ),
        (
            "bptt_dw_zero",
            "dL/dw is 0, which is step 1's share alone (it multiplies o₀ = 0): add every step's "
            "share, dw += δ_t (1 − o_t²) o_(t−1), each with its own o_(t−1)",
        ),
        (
            "bptt_carry_never_updated",
            "δ is never updated: it stays δ_T at every step; after each step carry it back, "
            "δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        (
            "bptt_carry_missing_tanh_prime",
            "tanh′ is missing from the carry only: δ_(t−1) = δ_t (1 − o_t²) w, not δ_t·w "
            "(do_t/do_(t−1) = (1 − o_t²)·w)",
        ),
        (
            "bptt_o_one_step_early",
            "you read o_t from fwd.o[t − 1]: fwd.o[0] is o_0, so o_t is fwd.o[t] and o_(t−1) is "
            "fwd.o[t − 1]",
        ),
        (
            "bptt_skips_last_step",
            _skips_last_step,
            "the loop skips step T (it starts at T − 1): run t = T, T − 1, ..., 1, starting "
            "from δ_T = (ŷ − y)·v",
        ),
        (
            "bptt_du_dw_swapped",
            _du_dw_swapped,
            "dL/du and dL/dw are swapped: return (dL/du, dL/dw, dL/dv)",
        ),
        (
            "bptt_dw_dv_swapped",
            _dw_dv_swapped,
            "dL/dw and dL/dv are swapped: return (dL/du, dL/dw, dL/dv)",
        ),
        (
            "bptt_forward_order",
            "your loop runs forwards, t = 1, 2, ..., T: δ_T = (ŷ − y)·v belongs to step T; run "
            "t = T, T − 1, ..., 1, carrying δ_(t−1) = δ_t (1 − o_t²) w back",
        ),
        (
            "bptt_v_every_step",
            "v is multiplied in at every step back: v acts once, at the output (δ_T = dL/dŷ · v); "
            "a step back multiplies by (1 − o_t²)·w only",
        ),
        (
            "bptt_mean_over_steps",
            "dL/du and dL/dw are the means of the shares; the gradient of a shared weight is "
            "their sum, Σ_t (do not divide by T)",
        ),
        (
            "bptt_dv_every_step",
            "dL/dv = Σ_t (ŷ − y)·o_t: v makes one output here, ŷ = v·o_T, so dL/dv = "
            "(ŷ − y)·o_T (a sum over steps is for an output at every step)",
        ),
        (
            "bptt_skips_step_1",
            "the loop stops before step 1 (`range(T, 1, -1)`): run t = T, T − 1, ..., 1; "
            "step 1's share of u is δ_1 (1 − o_1²) x_1",
        ),
        (
            "bptt_dv_extra_v",
            "dL/dv has an extra factor v: δ_T·o_T = (ŷ − y)·v·o_T; ŷ = v·o_T, so "
            "dL/dv = (ŷ − y)·o_T",
        ),
        (
            "bptt_dv_is_delta_T",
            "dL/dv = (ŷ − y)·v is δ_T, the gradient of o_T; ŷ = v·o_T, so dL/dv = (ŷ − y)·o_T",
        ),
        (
            "bptt_carry_u",
            "u where w belongs in the step back: a_t = u·x_t + w·o_(t−1), so "
            "δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        (
            "bptt_carry_v",
            "v where w belongs in the step back: v acts once, at the output; a_t = u·x_t + "
            "w·o_(t−1), so δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        (
            "bptt_carry_o_prev",
            "o_(t−1) where w belongs in the step back: o_(t−1) is ∂a_t/∂w; ∂a_t/∂o_(t−1) = w, "
            "so δ_(t−1) = δ_t (1 − o_t²) w",
        ),
        (
            "bptt_carry_before_shares",
            _CARRY_BEFORE_SHARES,
        ),
        (
            "bptt_carry_before_shares_da",
            _CARRY_BEFORE_SHARES,
        ),
        (
            "bptt_dL_da_carried_with_step_ts_tanh_prime",
            _dL_da_carried_with_step_ts_tanh_prime,
            "dL/da carried back with step t's tanh′ again (it is in dL/da_t already): "
            "dL/da_(t−1) = dL/da_t · w · (1 − o_(t−1)²), step t−1's tanh′",
        ),
        (
            "bptt_tanh_prime_T_twice",
            "step T's tanh′ applied twice: δ_T = (ŷ − y)·v has none; the loop multiplies by "
            "(1 − o_T²)",
        ),
        (
            "bptt_err_is_loss",
            "you started from L = ½(ŷ − y)² itself; the chain starts from its slope, dL/dŷ = ŷ − y",
        ),
        (
            "bptt_y_hat_without_v",
            "ŷ is missing its v: ŷ = v·o_T (fwd.y_hat), so dL/dŷ = v·o_T − y",
        ),
    ),
)


# -- the transfer task: BPTT for a sigmoid unit with a bias ---------------------------------------
# a_t = u·x_t + w·o_(t−1) + b,  o_t = σ(a_t) = 1/(1 + e^(−a_t)),  o_0 = 0,  ŷ = v·o_T.
# σ′(a_t) = o_t(1 − o_t); b enters every a_t with slope 1, so dL/db = Σ_t δ_t σ′(a_t).
# The reference is the loop below with no slip; each mistake is one slip of it.

SIGMOID_MODELS = (  # (u, w, b, v, T, y): both signs, a bias that saturates, T = 1 and more
    (0.7, 0.9, 0.2, 1.6, 4, 0.5),
    (-0.8, 1.6, -0.5, -2.0, 5, 0.3),
    (1.1, -0.7, 0.0, 1.2, 1, -0.4),
    (0.5, -1.3, 2.5, 2.4, 3, 0.9),
    (-1.2, 0.6, -1.0, 3.0, 7, 1.5),
)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1/(1 + e^(−a)), without overflow for large |a|


def _sigmoid_steps(xs, y, u, w, b, v, *, slip=None):
    """(dL/du, dL/dw, dL/db, dL/dv) of the sigmoid unit. Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    xs = np.asarray(xs, dtype=float)
    T = xs.size
    tanh_states = (
        "sigmoid_tanh_forward",
        "sigmoid_tanh_forward_sigmoid_slope",
        "sigmoid_scalar_forward",
        "sigmoid_scalar_forward_slope",
    )
    f = np.tanh if slip in tanh_states else _sigmoid  # scalar.forward: tanh, and no bias
    if slip == "sigmoid_exponent_sign":  # 1/(1 + e^a) = σ(−a)
        f = lambda a: _sigmoid(-a)  # noqa: E731
    no_bias = (
        "sigmoid_no_bias_in_forward",
        "sigmoid_scalar_forward",
        "sigmoid_scalar_forward_slope",
    )
    bias = 0.0 if slip in no_bias else b
    o = np.zeros(T + 1)
    for t in range(1, T + 1):
        o[t] = f(u * xs[t - 1] + w * o[t - 1] + bias)
        if slip == "sigmoid_exponent_parentheses":  # e^(−u·x_t + w·o_(t−1) + b): − on u·x_t alone
            o[t] = _sigmoid(u * xs[t - 1] - w * o[t - 1] - bias)
        elif slip == "sigmoid_one_over_one":  # 1/1 + e^(−a) = 1 + e^(−a)
            o[t] = 1.0 + np.exp(-(u * xs[t - 1] + w * o[t - 1] + bias))
    if slip == "sigmoid_bias_after":  # o_t = σ(u·x_t + w·o_(t−1)) + b
        o = np.zeros(T + 1)
        for t in range(1, T + 1):
            o[t] = _sigmoid(u * xs[t - 1] + w * o[t - 1]) + b
    err = v * o[T] - y
    dv = err * o[T]
    if slip == "sigmoid_dv_slope":  # dL/dv with σ′(a_T), which lies between a_T and o_T only
        dv = dv * o[T] * (1.0 - o[T])
    if slip == "sigmoid_dv_extra_v":  # δ_T·o_T = (ŷ − y)·v·o_T
        dv = dv * v
    d = err if slip == "sigmoid_missing_v" else err * v
    du = dw = db = 0.0
    for t in range(T, 0, -1):
        if slip == "sigmoid_missing_slope":
            s = 1.0
        elif slip == "sigmoid_one_minus_o":  # (1 − o_t) where o_t(1 − o_t) belongs
            s = 1.0 - o[t]
        elif slip in ("sigmoid_tanh_forward", "sigmoid_tanh_slope", "sigmoid_scalar_forward"):
            s = 1.0 - o[t] ** 2  # tanh′
        elif slip == "sigmoid_applied_twice":
            s = _sigmoid(o[t]) * (1.0 - _sigmoid(o[t]))
        elif slip == "sigmoid_value_for_slope":  # σ(a_t) itself where its slope belongs
            s = o[t]
        elif slip == "sigmoid_slope_at_prev":  # σ′ of step t − 1, o_(t−1)(1 − o_(t−1))
            s = o[t - 1] * (1.0 - o[t - 1])
        else:
            s = o[t] * (1.0 - o[t])
        da = d * s
        if slip == "sigmoid_carry_before_shares":  # δ ← δ_t σ′(a_t) w first: shares from δ_(t−1)
            d = da * w
            da = d * s
        if slip == "sigmoid_overwrites_shares":  # `du = ...`, `dw = ...`, `db = ...`: step 1's
            du, dw, db = da * xs[t - 1], da * o[t - 1], da
        else:
            du += da * xs[t - 1]
            dw += da * o[t - 1]
        if slip == "sigmoid_overwrites_shares":
            pass  # (written above)
        elif slip == "sigmoid_db_overwritten":  # `db = ...` in the backward loop: step 1's share
            db = da
        elif slip == "sigmoid_db_missing_slope":  # δ_t added, σ′(a_t) left out
            db += d
        elif slip == "sigmoid_db_zero":  # db never accumulated: it stays 0
            pass
        elif slip != "sigmoid_db_last_step_only" or t == T:
            slope_b = {"sigmoid_db_times_x": xs[t - 1], "sigmoid_db_times_o_prev": o[t - 1]}
            db += da * slope_b.get(slip, 1.0)
        if slip == "sigmoid_carry_missing_slope":  # δ_(t−1) = δ_t·w: σ′ left out
            d = d * w
        elif slip == "sigmoid_carry_prev_slope":  # δ_t·w·σ′(a_(t−1)): the carry of dL/da
            d = d * w * o[t - 1] * (1.0 - o[t - 1])
        elif slip == "sigmoid_carry_before_shares":
            pass  # (carried above)
        else:
            d = da if slip == "sigmoid_no_w_in_chain" else da * w
    return float(du), float(dw), float(db), float(dv)


def _sigmoid_dL_da_carried_with_step_ts_slope(xs, y, u, w, b, v):
    # g = dL/da_t carried back, g_T = (ŷ − y)·v·σ′(a_T), but stepped back with step t's σ′,
    # g ← g·w·o_t(1 − o_t), where step t−1's belongs: g_(t−1) = g_t·w·o_(t−1)(1 − o_(t−1))
    xs = np.asarray(xs, dtype=float)
    o = np.zeros(xs.size + 1)
    for t in range(1, xs.size + 1):
        o[t] = _sigmoid(u * xs[t - 1] + w * o[t - 1] + b)
    err = v * o[-1] - y
    g, du, dw, db = err * v * o[-1] * (1.0 - o[-1]), 0.0, 0.0, 0.0
    for t in range(xs.size, 0, -1):
        du, dw, db = du + g * xs[t - 1], dw + g * o[t - 1], db + g
        g = g * w * o[t] * (1.0 - o[t])
    return float(du), float(dw), float(db), float(err * o[-1])


def _sigmoid_db_dv_swapped(xs, y, u, w, b, v):
    du, dw, db, dv = _sigmoid_steps(xs, y, u, w, b, v)
    return du, dw, dv, db


def sigmoid_bptt_cases():
    cases = []
    for k, (u, w, b, v, T, y) in enumerate(SIGMOID_MODELS):
        xs = np.random.default_rng(40 + k).uniform(-1.0, 1.0, T)
        args = {"xs": xs, "y": y, "u": u, "w": w, "b": b, "v": v}
        label = f"sigmoid unit with T = {T}, u = {u}, w = {w}, b = {b}, v = {v}, y = {y}"
        cases.append(Case(label, args, _sigmoid_steps(xs, y, u, w, b, v)))
    return cases


check_sigmoid_bptt = ExactGradientChecker(
    "check_sigmoid_bptt",
    "sigmoid_bptt(xs, y, u, w, b, v) → (dL/du, dL/dw, dL/db, dL/dv)",
    sigmoid_bptt_cases,
    doc="the gradients of the unit o_t = σ(u·x_t + w·o_(t−1) + b), o_0 = 0, "
    "ŷ = v·o_T, L = ½(ŷ − y)², exact (one backward pass, as in check_scalar_bptt: a finite "
    "difference is rejected); xs an ndarray (T,), the rest floats. Cases: T = 1 to 7.",
    forbidden=(),  # no rnnlib function computes this unit's gradients
    mistakes=catalogue(
        _sigmoid_steps,
        (
            "sigmoid_tanh_forward",
            "your forward pass runs tanh (with tanh′ back): this unit's states are "
            "o_t = σ(u·x_t + w·o_(t−1) + b), and σ′(a_t) = o_t·(1 − o_t)",
        ),
        (
            "sigmoid_scalar_forward",
            "you used scalar.forward and tanh′: the tanh unit, no bias; this unit is "
            "o_t = σ(u·x_t + w·o_(t−1) + b): write its forward pass (np.exp)",
        ),
        (
            "sigmoid_scalar_forward_slope",
            "your states come from scalar.forward (tanh, no bias); this unit's are "
            "o_t = σ(u·x_t + w·o_(t−1) + b): write its forward pass (np.exp)",
        ),
        (
            "sigmoid_tanh_forward_sigmoid_slope",
            "your forward pass runs tanh (your σ′ back is right): this unit's states are "
            "o_t = σ(u·x_t + w·o_(t−1) + b), σ(a) = 1/(1 + e^(−a))",
        ),
        (
            "sigmoid_value_for_slope",
            "o_t = σ(a_t) where its slope belongs: σ′(a_t) = σ(a_t)(1 − σ(a_t)) = o_t·(1 − o_t)",
        ),
        (
            "sigmoid_tanh_slope",
            "tanh′ = 1 − o_t² where the sigmoid's slope belongs: σ′(a_t) = o_t·(1 − o_t)",
        ),
        (
            "sigmoid_applied_twice",
            "you applied σ to o_t again, σ(o_t)(1 − σ(o_t)); o_t is already σ(a_t), "
            "so σ′(a_t) = o_t·(1 − o_t)",
        ),
        (
            "sigmoid_no_bias_in_forward",
            "the bias is missing from the forward pass: a_t = u·x_t + w·o_(t−1) + b",
        ),
        (
            "sigmoid_db_last_step_only",
            "dL/db from the last step only: b is used at every step, add the shares of all its "
            "copies",
        ),
        (
            "sigmoid_overwrites_shares",
            "each step's share replaces the sum so far (`= ...` where `+= ...` belongs): only "
            "step 1's shares of dL/du, dL/dw and dL/db are left",
        ),
        (
            "sigmoid_db_overwritten",
            "dL/db holds step 1's share alone (`db = ...` where `db += ...` belongs): b is used "
            "at every step, add the shares of all its copies",
        ),
        (
            "sigmoid_db_zero",
            "dL/db is 0: b enters every a_t with slope 1, so each step adds its share "
            "δ_t·o_t(1 − o_t) to dL/db (`db += ...` in the loop)",
        ),
        ("sigmoid_db_times_x", "dL/db with a factor x_t (as in dL/du): b enters a_t with slope 1"),
        (
            "sigmoid_db_times_o_prev",
            "dL/db with a factor o_(t−1) (as in dL/dw): b enters a_t with slope 1",
        ),
        ("sigmoid_no_w_in_chain", "missing w when stepping back: do_t/do_(t−1) = σ′(a_t)·w"),
        (
            "sigmoid_exponent_sign",
            "your σ is 1/(1 + e^a) = σ(−a): the sign in the exponent is wrong; "
            "σ(a) = 1/(1 + e^(−a))",
        ),
        (
            "sigmoid_db_missing_slope",
            "dL/db adds δ_t without σ′(a_t): b enters a_t, before the sigmoid, so its share is "
            "δ_t·o_t(1 − o_t)·1",
        ),
        (
            "sigmoid_db_dv_swapped",
            _sigmoid_db_dv_swapped,
            "dL/db and dL/dv are swapped: return (dL/du, dL/dw, dL/db, dL/dv)",
        ),
        (
            "sigmoid_wrong_sign",
            _negated(_sigmoid_steps),
            "wrong sign: the chain starts from dL/dŷ = ŷ − y (not y − ŷ), and the shares are "
            "added (`+=`, not `-=`)",
        ),
        ("sigmoid_missing_v", "missing factor v: the chain starts with δ_T = (ŷ − y)·v"),
        (
            "sigmoid_missing_slope",
            "missing σ′: every step back multiplies by σ′(a_t) = o_t·(1 − o_t)",
        ),
        (
            "sigmoid_carry_missing_slope",
            "σ′ is missing from the carry only: δ_(t−1) = δ_t·o_t(1 − o_t)·w, not δ_t·w",
        ),
        (
            "sigmoid_one_minus_o",
            "(1 − o_t) where o_t·(1 − o_t) belongs: σ′(a_t) = σ(a_t)(1 − σ(a_t)) = o_t·(1 − o_t)",
        ),
        (
            "sigmoid_dv_extra_v",
            "dL/dv has an extra factor v: δ_T·o_T = (ŷ − y)·v·o_T; ŷ = v·o_T, so "
            "dL/dv = (ŷ − y)·o_T",
        ),
        (
            "sigmoid_exponent_parentheses",
            "your exponent is −u·x_t + w·o_(t−1) + b: the minus reaches u·x_t alone; negate "
            "the whole a_t, np.exp(-(u*x + w*o + b))",
        ),
        (
            "sigmoid_one_over_one",
            "your σ is 1/1 + e^(−a) = 1 + e^(−a): Python divides before it adds; "
            "σ(a) = 1/(1 + np.exp(-a))",
        ),
        (
            "sigmoid_slope_at_prev",
            "σ′ at the wrong step: o_(t−1)(1 − o_(t−1)) where o_t(1 − o_t) belongs",
        ),
        (
            "sigmoid_carry_prev_slope",
            "the σ′ in the carry is step t's, o_t(1 − o_t), not step t−1's: δ_t here is "
            "dL/do_t, so δ_(t−1) = δ_t·o_t(1 − o_t)·w",
        ),
        (
            "sigmoid_carry_before_shares",
            "δ was carried back before step t's shares, which then used δ_(t−1): add "
            "δ_t·o_t(1 − o_t) times x_t, o_(t−1) and 1 first, then carry δ",
        ),
        (
            "sigmoid_dL_da_carried_with_step_ts_slope",
            _sigmoid_dL_da_carried_with_step_ts_slope,
            "dL/da carried back with step t's σ′ again (it is in dL/da_t already): "
            "dL/da_(t−1) = dL/da_t · w · o_(t−1)(1 − o_(t−1)), step t−1's σ′",
        ),
        (
            "sigmoid_dv_slope",
            "dL/dv has an extra factor o_T(1 − o_T): ŷ = v·o_T has no sigmoid between v and ŷ, "
            "dL/dv = (ŷ − y)·o_T",
        ),
        (
            "sigmoid_bias_after",
            "you added b after the sigmoid, σ(u·x_t + w·o_(t−1)) + b; b is inside it: "
            "o_t = σ(u·x_t + w·o_(t−1) + b)",
        ),
    ),
)

# -- the optional task: a target at every step ---------------------------------------------------
# ŷ_t = v·o_t for t = 1..T and L = Σ_t ½(ŷ_t − y_t)²: δ_t = (ŷ_t − y_t)·v + δ_(t+1)(1 − o_(t+1)²)w
# (nothing beyond T), dL/dv = Σ_t (ŷ_t − y_t)·o_t. The reference is rnnlib.scalar.backward with
# ys; each mistake is one slip of the loop below.


def _bptt_many(xs, ys, u, w, v, *, slip=None):
    """(dL/du, dL/dw, dL/dv) with a target at every step. Right for
    ``slip=None``, else wrong in the one way its slip names (the slips
    are the keys of the catalogue below)."""
    fwd = scalar.forward(xs, u, w, v)
    o, T = fwd.o, len(fwd.xs)
    err = fwd.y_hats - np.asarray(ys, dtype=float)  # ŷ_t − y_t, t = 1..T
    if slip == "many_last_target_only":  # scalar_bptt with y = ys[−1]
        err = np.where(np.arange(T) == T - 1, err, 0.0)
    dv = err[-1] * o[T] if slip == "many_dv_last_only" else err @ o[1:]
    if slip == "many_dv_o_prev":  # fwd.o[:-1]: o_0..o_(T−1), one step early
        dv = err @ o[:-1]
    if slip == "many_dv_extra_v":  # Σ_t (ŷ_t − y_t)·v·o_t: each step's own δ times o_t
        dv = dv * v
    own = err if slip == "many_own_missing_v" else err * v  # each step's own dL/do_t
    du = dw = carried = 0.0  # carried: δ_(t+1)(1 − o_(t+1)²)w, nothing beyond T
    for t in range(T, 0, -1):
        delta = own[t - 1] + carried  # δ_t
        tanh_prime = 1.0 if slip == "many_missing_tanh_prime" else 1.0 - o[t] ** 2
        if slip == "many_tanh_prime_squared":
            tanh_prime = tanh_prime**2
        if slip == "many_own_skips_tanh_prime":
            da = own[t - 1] + carried * tanh_prime
        else:
            da = delta * tanh_prime
        if slip == "many_carry_before_shares":  # carried ← δ_t (1 − o_t²) w first, shares from it
            carried = da * w
            da = carried * tanh_prime
        du += da * fwd.xs[t - 1]
        dw += da * (o[t] if slip == "many_o_t_for_o_prev" else o[t - 1])
        if slip == "many_carry_before_shares":
            pass  # (carried above)
        elif slip == "many_not_carried_back":
            carried = 0.0
        elif slip == "many_carry_missing_tanh_prime":  # δ_t·w carried: tanh′ left out
            carried = delta * w
        elif slip == "many_carry_prev_tanh_prime":  # δ_t·w·(1 − o_(t−1)²): step t−1's tanh′
            carried = delta * w * (1.0 - o[t - 1] ** 2)
        else:
            carried = da * w
    n = T if slip == "many_mean_over_steps" else 1
    return float(du) / n, float(dw) / n, float(dv) / n


def scalar_bptt_many_cases():
    xs, ys = np.array(EXAMPLE["xs"], dtype=float), np.array([0.3, -0.2, 0.4, EXAMPLE["y"]])
    weights = EXAMPLE["u"], EXAMPLE["w"], EXAMPLE["v"]
    problems = [("the worked example, a target at every step", xs, ys, *weights)]
    rng = np.random.default_rng(5)
    for T in (1, 2, 5, 8):
        xs_r, ys_r = rng.normal(size=T), rng.normal(size=T)
        u, w, v = (float(p) for p in rng.normal(size=3))
        problems.append((f"a random problem, T = {T}", xs_r, ys_r, u, w, v))
    cases = []
    for label, xs, ys, u, w, v in problems:
        g = scalar.backward(scalar.forward(xs, u, w, v), ys)
        cases.append(Case(label, {"xs": xs, "ys": ys, "u": u, "w": w, "v": v}, (g.du, g.dw, g.dv)))
    return cases


check_scalar_bptt_many = ExactGradientChecker(
    "check_scalar_bptt_many",
    "scalar_bptt_many(xs, ys, u, w, v) → (dL/du, dL/dw, dL/dv)",
    scalar_bptt_many_cases,
    doc="the gradients of L = Σ_t ½(v·o_t − y_t)², a target at every step, exact (one backward "
    "pass; as for check_scalar_bptt, a finite difference is rejected and so is a call of an "
    "rnnlib function that computes them); xs, ys ndarrays (T,), the rest floats. Cases: the "
    "worked example and random problems, T = 1 to 8.",
    mistakes=catalogue(
        _bptt_many,
        (
            "many_wrong_sign",
            _negated(_bptt_many),
            "wrong sign: each step's error is ŷ_t − y_t (not y_t − ŷ_t), and the shares are added",
        ),
        (
            "many_last_target_only",
            "only the last target used (scalar_bptt with ys[-1]): every step has its own error, "
            "δ_t = (ŷ_t − y_t)·v + δ_(t+1)(1 − o_(t+1)²)w",
        ),
        (
            "many_dv_last_only",
            "dL/dv from the last output only: v is used at every output, "
            "dL/dv = Σ_t (ŷ_t − y_t)·o_t",
        ),
        (
            "many_not_carried_back",
            "nothing carried back: δ_t adds what comes back from step t+1, "
            "δ_(t+1)(1 − o_(t+1)²)w, to its own (ŷ_t − y_t)·v",
        ),
        (
            "many_own_missing_v",
            "missing factor v in each step's own error: dL/do_t from ŷ_t = v·o_t is (ŷ_t − y_t)·v",
        ),
        (
            "many_own_skips_tanh_prime",
            "step t's own error skips tanh′: add it to δ_t first, then multiply the whole δ_t by "
            "(1 − o_t²)",
        ),
        (
            "many_mean_over_steps",
            "divided by T: L is the sum of the steps' losses, not their mean",
        ),
        (
            "many_o_t_for_o_prev",
            "o_t where o_(t−1) belongs: step t's share of w is δ_t (1 − o_t²) o_(t−1), "
            "fwd.o[t − 1]",
        ),
        (
            "many_carry_missing_tanh_prime",
            "tanh′ is missing from what you carry back: step t passes δ_t (1 − o_t²) w to "
            "step t − 1, not δ_t·w",
        ),
        ("many_missing_tanh_prime", "missing tanh′: every step back multiplies by (1 − o_t²)"),
        (
            "many_tanh_prime_squared",
            "(1 − o_t²)² where (1 − o_t²) belongs: tanh′(a) = 1 − tanh(a)², square o_t only, "
            "not the difference",
        ),
        (
            "many_dv_o_prev",
            "dL/dv pairs ŷ_t − y_t with o_(t−1) (fwd.o[:-1]): ŷ_t = v·o_t, so "
            "dL/dv = Σ_t (ŷ_t − y_t)·o_t, fwd.o[1:]",
        ),
        (
            "many_dv_extra_v",
            "dL/dv has an extra factor v: (ŷ_t − y_t)·v is dL/do_t; ŷ_t = v·o_t, so "
            "dL/dv = Σ_t (ŷ_t − y_t)·o_t",
        ),
        (
            "many_carry_before_shares",
            "the carry was made before step t's shares, which then used it: add "
            "δ_t (1 − o_t²) x_t and δ_t (1 − o_t²) o_(t−1) first, then carry",
        ),
        (
            "many_carry_prev_tanh_prime",
            "the carry uses step t−1's tanh′: carry δ_t (1 − o_t²) w; step t−1 applies its own",
        ),
    ),
)

CHECKERS = (check_scalar_bptt, check_scalar_bptt_many, check_sigmoid_bptt)


# -- graded questions of exercise 04 ---------------------------------------------------------------

# 04.hundred_steps: the largest gain max_t |do_t/do_0| = max_t Π_(s=1..t) |(1 − o_s²)·1.5| over
# t = 1..100 (at t = 5: the factors are 1.485, 1.485, 1.424, 1.315, 1.036, then 0.856 < 1), and
# what near misses give (tests derive every number by hand, with math.tanh)
_PEAK = 4.27747  # at t = 5
_PEAK_T4 = 4.12945  # Π over t = 1..4: stopped at the lessons' T = 4
_PEAK_EARLY = 6.41620  # factors (1 − o_(t−1)²)·w, one step early (o_0 = 0 gives 1.5): peak at t = 6
_PEAK_W2 = 8.05479  # the lesson's w = 2: peak at t = 4
_PEAK_FROM_O1 = 2.88026  # max_t |do_t/do_1|: step 1's factor left out
_PEAK_TANH_TWICE = 4.68961  # (1 − tanh(o_t)²)·w
_PEAK_ONE_MINUS_O = 2.12178  # (1 − o_t)·w
_LARGEST_FACTOR = 1.48525  # the largest single factor (step 2), not a product
_LESSON_REACH = 4.06780  # the lesson's |do_4/do_1| for w = 2, T = 4
_END = 3.06477e-42  # |do_100/do_0|, the product at t = 100 (log10: −41.51)
_PEAK_NO_W = 0.990066  # Π_(s=1..t) (1 − o_s²) without w: largest at t = 1, 1 − tanh(0.1)²
_PEAK_U08 = 0.898866  # the worked example's u = 0.8 in place of 0.1: largest at t = 2
_PEAK_W09 = 0.891060  # the worked example's w = 0.9 in place of 1.5: largest at t = 1
_PEAK_REPEAT = 2.54590  # each input 25 times in a row (np.repeat), not the block: t = 3

QUESTIONS = (
    Question(
        "04.zero_share",
        "In the worked example (u = 0.8, w = 0.9, v = 1.5, y = 0.5) start from o_0 = 0.5 instead "
        "of 0 and set the first input to x_1 = 0. Which of these step-1 shares is exactly zero?",
        "b",
        choices={
            "a": "dL/dw⁽¹⁾ only",
            "b": "dL/du⁽¹⁾ only",
            "c": "both",
            "d": "neither",
        },
        why={
            "a": "dL/dw⁽¹⁾ = δ_1(1 − o_1²)·o_0 and o_0 = 0.5 is not zero now; it is u's step-1 "
            "copy that multiplies a zero (x_1 = 0)",
            "c": "dL/dw⁽¹⁾ = δ_1(1 − o_1²)·o_0 is not zero: o_0 = 0.5; only the copy whose "
            "input is zero, u⁽¹⁾ (x_1 = 0), has a zero share",
            "d": "dL/du⁽¹⁾ = δ_1(1 − o_1²)·x_1 and x_1 = 0: a copy whose factor is zero moves "
            "nothing, so its share is exactly zero",
        },
        explain="A copy's share is δ_t(1 − o_t²) times what the copy multiplies: u⁽¹⁾ multiplies "
        "x_1 = 0, w⁽¹⁾ multiplies o_0 = 0.5.",
    ),
    Question(
        "04.hundred_steps",
        "Run the worked example's four inputs 25 times over (T = 100: x_1..x_4, x_1..x_4, "
        "...) with u = 0.1, w = 1.5, o_0 = 0. How much does a nudge of o_0 move o_t? Find the "
        "largest |do_t/do_0| over t = 1..100 (three significant digits are enough).",
        _PEAK,
        why={
            _PEAK_T4: "that is |do_4/do_0|, the lessons' T = 4: at step 5 the factor "
            "(1 − o_5²)·w ≈ 1.04 is still above 1, so the product grows once more",
            _PEAK_EARLY: "that uses (1 − o_(t−1)²)·w, one step early: the factor of step t is "
            "(1 − o_t²)·w, with o_t the state step t makes",
            _PEAK_W2: "that is the peak for the lesson's w = 2; this question has w = 1.5",
            _LESSON_REACH: "that is the lesson's |do_4/do_1| for w = 2 and T = 4; here w = 1.5, "
            "and the product starts at o_0",
            _PEAK_FROM_O1: "that is the largest |do_t/do_1|: step 1's factor is missing; "
            "do_t/do_0 has one factor per step, s = 1..t",
            _PEAK_REPEAT: "that runs each input 25 times in a row (np.repeat); the question "
            "repeats the four inputs as a block, x_1..x_4 25 times over (np.tile(xs, 25))",
            _PEAK_TANH_TWICE: "you applied tanh to o_t again, 1 − tanh(o_t)²; o_t already is "
            "tanh(a_t), so the factor is (1 − o_t²)·w",
            _PEAK_ONE_MINUS_O: "(1 − o_t) where (1 − o_t²) belongs: tanh′ = 1 − o_t²",
            _LARGEST_FACTOR: "that is the largest single factor (1 − o_t²)·w; do_t/do_0 is the "
            "product of the factors of steps 1..t (np.cumprod), and the question asks for its "
            "largest value",
            math.log10(_PEAK): "that is its log10; give |do_t/do_0| itself",
            math.log(_PEAK): "that is its natural log; give |do_t/do_0| itself",
            5.0: "that is the step where the gain peaks (t = 5); give the gain there, |do_5/do_0|",
            1.5**100: "that is 1.5¹⁰⁰, the factors without tanh′: the states grow and "
            "1 − o_t² pulls the factors below 1 from step 6 on",
            _END: "that is |do_100/do_0|, the value at t = 100; the question asks for the "
            "largest over t = 1..100",
            _PEAK_NO_W: "that is the product of the tanh′ alone, without w: each step's factor is "
            "do_s/do_(s−1) = (1 − o_s²)·w",
            _PEAK_U08: "that is with the worked example's u = 0.8; this question has u = 0.1 (and "
            "w = 1.5)",
            _PEAK_W09: "that is with the worked example's w = 0.9; this question has w = 1.5 (and "
            "u = 0.1)",
            math.log10(_END): "that is log10 |do_100/do_0|, the value at t = 100; the question "
            "asks for the largest |do_t/do_0| over t = 1..100, itself",
        },
        rtol=1e-3,
        explain="|do_t/do_0| grows to 4.28 at t = 5 while the states are small (factors "
        "(1 − o_t²)·1.5 > 1), then the states settle near |o| ≈ 0.87, the factors are about "
        "0.35, and it falls to about 3e-42 at t = 100: |w| > 1 explodes only for a while.",
    ),
)


# =================================================================================================
# The slider figure of lesson 04, listed in FIGURES. Matplotlib and the slider harness
# (rnnlib.course.sliders) are imported inside each factory: the checkers above load without them.
# =================================================================================================
# Lesson 04's slider: the per-step contributions dL/dw⁽ᵗ⁾ and their sum dL/dw, as w moves.
#
# The recurrent weight w is used at every step, so its gradient is a sum over its copies::
#
#     dL/dw = Σ_t dL/dw⁽ᵗ⁾,   dL/dw⁽ᵗ⁾ = δ_t · (1 − o_t²) · o_(t−1),   δ_t = dL/do_t
#
# and δ_t reaches step t from the loss through the factors do_k/do_(k−1) = (1 − o_k²)·w,
# k = t+1..T::
#
#     δ_t = δ_T · Π_(k=t+1..T) (1 − o_k²)·w
#
# The left panel shows the contributions and their sum; the right panel shows |do_T/do_t|, the size
# of that product: below 1 the early copies hear less and less of the loss (vanishing), above 1
# more and more (exploding). That is lesson 07's subject; here it is a first glimpse.

_LIMITS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def through_time_explorer(
    xs=None, y=None, u=None, w=None, v=None, w_range=(-2.5, 2.5), u_range=(0.0, 1.5)
):
    """A w slider driving a bar chart of dL/dw⁽ᵗ⁾, t = 1..T, and their sum
    dL/dw.

    A second slider moves the input weight u: a small u keeps the hidden
    states away from tanh's flat tails, so 1 − o_t² ≈ 1 and |w| > 1
    makes the backward factors grow (the exploding side); a large u
    saturates tanh and the factors shrink (the vanishing side).

    Parameters
    ----------
    xs, y, u, w, v : the problem; ``None`` takes the course's worked
        example :data:`rnnlib.scalar.EXAMPLE` (T = 4)
    w_range, u_range : (float, float), the sliders' ranges for w and u

    Returns
    -------
    :class:`~rnnlib.course.sliders.Explorer` whose state holds ``w``,
    ``u`` and the numbers of
    :func:`rnnlib.scalar.per_step_contributions`.
    """
    from matplotlib.ticker import MaxNLocator

    from .._validate import as_scalar
    from .sliders import Explorer, Slider, freeze_static, new_figure, signed, slider_range

    given = {"xs": xs, "y": y, "u": u, "w": w, "v": v}
    xs, y, u, w, v = (EXAMPLE[k] if val is None else val for k, val in given.items())
    w_lo, w_hi = slider_range("w_range", w_range)
    u_lo, u_hi = slider_range("u_range", u_range)
    w, u = as_scalar("w", w), as_scalar("u", u)
    T = np.size(xs)
    steps = np.arange(1, T + 1)

    fig = new_figure(figsize=(8.6, 3.3))
    # fixed margins instead of a layout pass (which measures every text twice): half the build.
    # In pixels of the 688 x 264 figure: axes at x = 40..365 and 420..680, y = 37..243 (whole
    # pixels, so that the cached picture and the moving artists meet at the axes' edges exactly)
    fig.set_layout_engine("none")
    margins = {"left": 40 / 688, "right": 680 / 688, "bottom": 37 / 264, "top": 243 / 264}
    margins["wspace"] = 55 / 292.5
    ax_bar, ax_r = fig.subplots(1, 2, width_ratios=(1.25, 1), gridspec_kw=margins)
    xpos = np.append(steps, T + 1.4)
    bars = ax_bar.bar(xpos, np.zeros(T + 1), width=0.7, color=["tab:blue"] * T + ["tab:orange"])
    # beyond 6 steps "t=1 t=2 ..." and the bars' numbers run into each other: the steps are
    # numbered only, and only the sum keeps its number (the readout lists every share)
    crowded = T > 6
    step_labels = [str(t) if crowded else rf"$t={t}$" for t in steps]
    ax_bar.set_xticks(xpos, step_labels + [r"$\Sigma_t$"])
    if crowded:
        ax_bar.set_xlabel("step $t$")
    ax_bar.axvline(T + 0.7, color="0.6", lw=0.8, ls=":")
    zero = ax_bar.axhline(0.0, color="black", lw=0.8)
    ax_bar.yaxis.set_major_locator(MaxNLocator(5))
    ax_bar.yaxis.set_major_formatter("{x:g}")
    ax_bar.set_title(
        r"the copies' shares $\partial L/\partial w^{(t)}$ and their sum $\partial L/\partial w$",
        fontsize=10,
    )
    texts = [ax_bar.text(x, 0.0, "", ha="center", fontsize=9) for x in xpos]

    # log10 on a linear axis: a log-scale axis draws many minor ticks, too slow for a slider
    floor = -3.0
    # |do_T/do_1| <= |w|^(T-1) (each factor (1 - o_t²)·w is at most |w| in size): the top of the
    # axis holds the largest value the w slider can reach, so the curve never leaves the chart.
    top = max(1.0, (T - 1) * np.log10(max(abs(w_lo), abs(w_hi)))) + 0.15
    # a strip below the floor holds the vanishing label, so that the dots at the floor (and their
    # ▼ marks) are drawn whole and the label never covers them
    bottom = floor - 0.4
    ax_r.set_ylim(bottom, top)
    # a tick at every power of 10 the axis holds (up to 10^3 for T = 10 at |w| = 2.5)
    powers = range(-3, int(np.floor(top)) + 1)
    ax_r.set_yticks(powers, [rf"$10^{{{k}}}$" for k in powers])
    ax_r.set_xlim(0.5, T + 0.5)
    ax_r.set_xticks(steps, step_labels)
    ax_r.axhline(0.0, color="black", lw=0.8, ls="--")
    ax_r.axhspan(0.0, top, color="tab:red", alpha=0.07)
    ax_r.axhspan(bottom, 0.0, color="tab:blue", alpha=0.07)
    # labels at the right, where the curve is pinned to 10⁰ (do_T/do_T = 1)
    ax_r.text(
        T + 0.4,
        top - 0.1,
        "grows going back (exploding)",
        fontsize=8,
        ha="right",
        va="top",
        color="tab:red",
    )
    ax_r.text(
        T + 0.4,
        bottom + 0.05,
        "shrinks going back (vanishing); ▼: below $10^{-3}$",
        fontsize=8,
        ha="right",
        va="bottom",
        color="tab:blue",
    )
    (reach_line,) = ax_r.plot(steps, np.zeros(T), "o-", color="tab:purple")
    # a value below the floor is drawn at the floor, as a ▼ over its dot: without the mark,
    # |do_T/do_1| = 1.2e-4 (w = 2.5, u = 1.5) looked like 10⁻³ while the readout said 0.000118
    (below,) = ax_r.plot([], [], "v", color="tab:purple", ms=9, mec="white", mew=0.8)
    ax_r.set_title(
        rf"how much of $\delta_{{{T}}}$ reaches step $t$: $|\partial o_{{{T}}}/\partial o_t|$",
        fontsize=10,
    )
    ax_r.set_xlabel("step $t$ (the loss is at the right)")

    def update(w, u):
        s = per_step_contributions(xs, y, u, w, v)
        heights = np.append(s["dw_steps"], s["dw"])
        big = np.abs(heights).max()
        lim = next((m for m in _LIMITS if 1.2 * big <= m), 1.2 * big)
        ax_bar.set_ylim(-lim, lim)
        for b, t, x, h in zip(bars, texts, xpos, heights, strict=True):
            b.set_height(h)
            t.set_position((x, h + (0.03 if h >= 0 else -0.03) * lim))
            t.set_va("bottom" if h >= 0 else "top")
            t.set_text("" if crowded and x <= T else signed(h, 3))
        with np.errstate(divide="ignore"):
            log_reach = np.log10(np.abs(s["reach"]))
        reach_line.set_ydata(np.maximum(log_reach, floor))
        under = log_reach < floor
        below.set_data(steps[under], np.full(under.sum(), floor))
        return {"w": float(w), "u": float(u), **s}

    def readout(s):
        # the shares to as many decimals as their sum (as the lesson prints them): with three
        # against four, (+0.000) + (+0.119) + (+0.040) + (+0.283) = 0.442 stood beside +0.4422
        parts = " + ".join(f"({signed(g, 4)})" for g in s["dw_steps"])
        return (
            f"w = {s['w']:+.3f}, u = {s['u']:.3f}: dL/dw = {parts} = <b>{signed(s['dw'], 4)}</b>; "
            f"|do<sub>{T}</sub>/do<sub>1</sub>| = {abs(s['reach'][0]):.3g}"
        )

    # Only the bars, their numbers, the |do_T/do_t| line (and its ▼ marks) and the bar panel's
    # y-axis move. The bars'
    # y-range is rescaled symmetrically about 0, so nothing else depends on it: the y-axis (ticks
    # and their labels) is redrawn with the bars, and so are the zero line and the right panel's
    # frame, to stay on top of the bars and of the line.
    frame = list(ax_r.spines.values())
    freeze_static(fig, [*bars, zero, *texts, ax_bar.yaxis, reach_line, below, *frame])
    sliders = {
        "w": Slider(w_lo, w_hi, 0.05, w, "recurrent weight w"),
        "u": Slider(u_lo, u_hi, 0.05, u, "input weight u"),
    }
    return Explorer(fig, update, sliders, readout)


FIGURES = (through_time_explorer,)
