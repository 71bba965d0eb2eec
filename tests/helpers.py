"""Test helpers: random RNN problems of given sizes (never the code under test)."""

import numpy as np


def rnn_problem(N, T, D, H, seed, scale=0.5):
    """Well-conditioned random inputs: weights scaled so tanh is not saturated."""
    rng = np.random.default_rng(seed)
    return dict(
        x=rng.normal(size=(N, T, D)),
        h0=rng.normal(size=(N, H)) * 0.5,
        Wx=rng.normal(size=(D, H)) * scale / np.sqrt(D),
        Wh=rng.normal(size=(H, H)) * scale / np.sqrt(H),
        b=rng.normal(size=H) * 0.1,
        dh=rng.normal(size=(N, T, H)),
    )
