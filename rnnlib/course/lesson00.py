"""Lesson 00: the unrolled forward pass (notebooks/00_unrolled_forward_pass.ipynb).

Lesson 00 has no exercise, so no checker (``CHECKERS`` is empty). It holds the seed's RNNs that
the checkers of lessons 02–04 take their cases from: a few sets of weights, each run forward and
backward by :mod:`rnnlib.scalar`, so that every case is a state a learner meets in the lessons.
"""

from __future__ import annotations

import numpy as np

from .. import scalar

__all__ = ["CHECKERS", "SEED_MODELS", "seed_model", "seed_model_label", "seed_model_batch"]

CHECKERS = ()

SEED_MODELS = (  # (u, w, v, T, y): weights of both signs, T = 1 and more
    (0.7, 0.9, 1.6, 4, 0.5),
    (-0.4, 1.8, -2.2, 4, 1.1),
    (1.2, -0.6, 0.8, 1, -0.9),
    (0.5, 0.3, 3.0, 2, 2.0),
    (0.9, -1.4, 1.3, 6, -0.4),
)


def seed_model(u, w, v, T, y, seed):
    """Inputs ``xs`` (T,) drawn from ``seed``, the forward pass and the gradients of the loss."""
    xs = np.random.default_rng(seed).uniform(-1.0, 1.0, T)
    fwd = scalar.forward(xs, u, w, v)
    return xs, fwd, scalar.backward(fwd, y)


def seed_model_label(u, w, v, T, y):
    """A case's label for the seed's RNN with these weights."""
    return f"the seed's RNN with T = {T}, u = {u}, w = {w}, v = {v}, y = {y}"


def seed_model_batch(n, seed):
    """``n`` random seed RNNs (T = 4) as rows ``(xs, forward, gradients, v)``: the inputs of a
    case where the learner's function acts elementwise on arrays."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        u, w, v = rng.uniform(0.3, 1.5, 3) * rng.choice([-1.0, 1.0], 3)
        y = float(rng.uniform(-1.5, 1.5))
        rows.append(seed_model(u, w, v, 4, y, seed * 100 + k) + (v,))
    return rows
