"""Sampling from a trained character model (lesson 08): one character
at a time, fed back in.

The model is the RNN with a read-out of :mod:`rnnlib.readout`,
trained with ``loss="softmax"`` on one-hot inputs (D = K, the number
of characters). After a prompt, its distribution of the next
character at temperature τ is ``p_τ = softmax(z / τ)``; a sample
draws from it, feeds the drawn character back in as the next input,
and repeats.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, as_count, as_ndarray, as_positive, check_finite
from .data import one_hot
from .losses import softmax
from .readout import as_params
from .rnn import rnn_step_forward

__all__ = ["next_distribution", "sample", "free_run"]


def _prime(params, prompt_ids):
    """Run the model over ``prompt_ids``; return the last hidden state
    (1, H) and logits (1, K)."""
    p = as_params(params)
    ids = as_ndarray("prompt_ids", prompt_ids, "a non-empty 1-d array of class ids")
    K = p["Wy"].shape[1]
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(
            f"prompt_ids: expected a non-empty 1-d array of class ids, got shape {ids.shape}"
        )
    if ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= K:
        raise ValueError(f"prompt_ids: expected integer class ids in 0..{K - 1}, got {ids}")
    if p["Wx"].shape[0] != K:
        raise ValueError(
            f"params: expected a character model (one-hot inputs of the K = {K} classes of Wy, "
            f"so Wx of shape (K, H) = ({K}, {p['Wx'].shape[1]})), got Wx {p['Wx'].shape}"
        )
    h = np.zeros((1, p["Wh"].shape[0]))
    for x in one_hot(ids, K):
        h, _ = rnn_step_forward(x[None], h, p["Wx"], p["Wh"], p["b"])
    return h, h @ p["Wy"] + p["by"]


def next_distribution(params, prompt_ids, temperature=1.0):
    """The model's distribution of the next class after ``prompt_ids``:
    ``softmax(z / τ)``, (K,).

    Parameters
    ----------
    params : dict of a model trained with ``loss="softmax"`` on one-hot
        inputs (D = K)
    prompt_ids : 1-d int array (P,), P ≥ 1, the classes read in, each
        in 0..K−1
    temperature : float τ > 0

    Returns
    -------
    p : ndarray (K,), p_c the probability that class c comes next
        (non-negative, summing to 1)

    Examples
    --------
    With ``Wy = 0`` the logits are z = by whatever the prompt. Equal
    logits give a uniform p:

    >>> import numpy as np
    >>> from rnnlib.readout import init_params
    >>> from rnnlib.sampling import next_distribution
    >>> params = {**init_params(D=3, H=4, K=3, seed=0),
    ...           "Wy": np.zeros((4, 3))}
    >>> print(np.round(next_distribution(params, [0, 1]), 4))  # ⅓ each
    [0.3333 0.3333 0.3333]

    ``by = log(1, 1, 2)`` gives p ∝ (1, 1, 2); at τ = ½,
    z/τ = log(1, 1, 4), so p ∝ (1, 1, 4):

    >>> params["by"] = np.log([1.0, 1.0, 2.0])
    >>> p = next_distribution(params, [0, 1])
    >>> print(np.round(p, 4))  # (1, 1, 2) / 4
    [0.25 0.25 0.5 ]
    >>> p = next_distribution(params, [0, 1], temperature=0.5)
    >>> print(np.round(p, 4))  # (1, 1, 4) / 6
    [0.1667 0.1667 0.6667]
    """
    _, z = _prime(params, prompt_ids)
    return softmax(z, temperature)[0]


def sample(params, prompt_ids, length, temperature=1.0, seed=0):
    """Sample ``length`` classes one at a time, feeding each back in as
    the next input.

    At every step ``p = softmax(z_t / τ)`` and the next class is the
    first c with ``Σ_(c' ≤ c) p_c' > u``, ``u ~ U(0, 1)`` drawn from
    ``np.random.default_rng(seed)``: the same arguments give the same
    sample, and a shorter sample is a prefix of a longer one. τ → 0
    approaches always taking the most likely class; τ > 1 flattens p
    towards uniform.

    Parameters
    ----------
    params : dict of a model trained with ``loss="softmax"`` on one-hot
        inputs (D = K)
    prompt_ids : 1-d int array, the classes to start from (not part of
        the output)
    length : int ≥ 0
    temperature : float τ > 0
    seed : int ≥ 0

    Returns
    -------
    ids : int64 ndarray (length,)

    Examples
    --------
    A model whose next-class distribution is always p = (¼, ¼, ½)
    (``Wy = 0``, ``by = log(1, 1, 2)``): as τ → 0 the sample is the
    argmax, class 2, every time; at τ = 1 about half the draws are
    class 2; the same seed gives the same draws, a shorter sample their
    prefix.

    >>> import numpy as np
    >>> from rnnlib.readout import init_params
    >>> from rnnlib.sampling import sample
    >>> params = {**init_params(D=3, H=4, K=3),
    ...           "Wy": np.zeros((4, 3)),
    ...           "by": np.log([1, 1, 2.0])}
    >>> print(sample(params, [0], length=5, temperature=0.01))
    [2 2 2 2 2]
    >>> ids = sample(params, [0], length=1000, seed=1)
    >>> print(abs(np.mean(ids == 2) - 0.5)
    ...       < 0.05)  # 0.05 is over 3 standard deviations, √(¼/1000)
    True
    >>> print((sample(params, [0], length=3, seed=1) == ids[:3]).all())
    True
    """
    length = as_count("length", length, 0)
    temperature = as_positive("temperature", temperature)
    seed = as_count("seed", seed, 0)
    p = as_params(params)
    h, z = _prime(p, prompt_ids)
    K = p["Wy"].shape[1]
    u = np.random.default_rng(seed).random(length)
    rows = one_hot(np.arange(K), K)  # rows[c] is the one-hot input of c
    out = np.empty(length, dtype=np.int64)
    for i in range(length):
        cdf = np.cumsum(softmax(z, temperature)[0])
        c = min(int(np.searchsorted(cdf, u[i] * cdf[-1], side="right")), K - 1)
        out[i] = c
        h, _ = rnn_step_forward(rows[c : c + 1], h, p["Wx"], p["Wh"], p["b"])
        z = h @ p["Wy"] + p["by"]
    return out


def free_run(params, observed, steps):
    """Free running: read ``observed``, then feed the model its own
    predictions for ``steps`` steps.

    For a model trained with ``loss="squared"`` on one value a step
    (D = K = 1) to predict the next value. In training every input is
    an observed value (*teacher forcing*); here, after reading
    ``observed`` (the warm-up), each prediction becomes the next input::

        h = the state after observed[0..W−1];
        z = prediction of observed[W]
        repeat: out.append(z);  h = step(z, h);  z = h Wy + by

    Parameters
    ----------
    params : dict of a model with D = K = 1
        (see :func:`rnnlib.readout.init_params`)
    observed : 1-d ndarray (W,), W ≥ 1, the values read before
        running free
    steps : int ≥ 0

    Returns
    -------
    preds : ndarray (steps,), the predictions of observed-time
        W, W + 1, ..., W + steps − 1

    Examples
    --------
    The first prediction is the teacher-forced one after ``observed``;
    the second is what the model predicts after reading ``observed``
    followed by that first prediction:

    >>> import numpy as np
    >>> from rnnlib.readout import init_params, sequence_forward
    >>> from rnnlib.sampling import free_run
    >>> params = init_params(D=1, H=2, K=1, seed=0)
    >>> preds = free_run(params, [0.5, -0.5, 1.0], steps=4)
    >>> x = np.array([[[0.5], [-0.5], [1.0], [preds[0]]]])
    >>> z, _ = sequence_forward(params, x)
    >>> print(preds.shape,
    ...       np.allclose(z[0, -2:, 0],  # z after 3 and after 4 inputs
    ...                   preds[:2]))
    (4,) True
    """
    p = as_params(params)
    if p["Wx"].shape[0] != 1 or p["Wy"].shape[1] != 1:
        raise ValueError(
            "params: expected a model of one value a step (Wx of shape (1, H), Wy of shape "
            f"(H, 1)), got Wx {p['Wx'].shape}, Wy {p['Wy'].shape}"
        )
    obs = as_array("observed", observed)  # names the argument for None, strings, ...
    if obs.ndim != 1 or obs.size == 0:
        raise ValueError(f"observed: expected a non-empty 1-d array (W,), got shape {obs.shape}")
    check_finite("observed", obs)  # says which value is not finite, and where
    steps = as_count("steps", steps, 0)
    h = np.zeros((1, p["Wh"].shape[0]))
    for v in obs:
        h, _ = rnn_step_forward(np.array([[v]]), h, p["Wx"], p["Wh"], p["b"])
    out = np.empty(steps)
    for i in range(steps):
        z = h @ p["Wy"] + p["by"]
        out[i] = z[0, 0]
        h, _ = rnn_step_forward(z, h, p["Wx"], p["Wh"], p["b"])
    return out
