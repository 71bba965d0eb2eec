"""rnnlib: backpropagation through time from scratch, in numpy.

One idea a module:

- :mod:`rnnlib.scalar`    the seed's scalar RNN and its BPTT (stages 00–06)
- :mod:`rnnlib.rnn`       the vectorised RNN over a batch (stage 07 on)
- :mod:`rnnlib.losses`    half squared error, softmax cross-entropy
- :mod:`rnnlib.gradcheck` finite differences and relative error
- :mod:`rnnlib.optim`     SGD step and gradient clipping
"""

from . import scalar
from .gradcheck import numerical_gradient, rel_error
from .losses import softmax, softmax_cross_entropy, squared_error
from .optim import clip_grad_norm, clip_grad_value, sgd_step
from .rnn import (
    RNNCache,
    rnn_backward,
    rnn_backward_truncated,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__version__ = "0.1.0"

__all__ = [
    "scalar",
    "numerical_gradient",
    "rel_error",
    "squared_error",
    "softmax",
    "softmax_cross_entropy",
    "clip_grad_norm",
    "clip_grad_value",
    "sgd_step",
    "RNNCache",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "rnn_backward_truncated",
]
