"""rnnlib: backpropagation through time from scratch, in numpy.

One idea a module. The learner's library (what the lessons derive):

- :mod:`rnnlib.scalar`    the seed's scalar RNN and its BPTT, the
  course's worked example (00–06)
- :mod:`rnnlib.rnn`       the vectorised RNN over a batch
  (stage 06 on)
- :mod:`rnnlib.checkpointing` BPTT that keeps every k-th state and
  recomputes the rest (06)
- :mod:`rnnlib.losses`    half squared error, softmax cross-entropy
- :mod:`rnnlib.gradcheck` finite differences and relative error
- :mod:`rnnlib.optim`     SGD and Adagrad steps, gradient clipping
- :mod:`rnnlib.gradflow`  vanishing and exploding gradients,
  truncation (stage 07)
- :mod:`rnnlib.readout`   the RNN with a read-out at every step and
  its sequence loss (stage 08)
- :mod:`rnnlib.training`  training loops: the scalar RNN over epochs
  (05), the read-out model (08)
- :mod:`rnnlib.sampling`  sampling text from a trained character
  model (stage 08)
- :mod:`rnnlib.data`      the data the course makes itself:
  a fading-memory task, a noisy signal, a tiny corpus

The course machinery (:mod:`rnnlib.course`, one module per lesson:
its checkers and its slider figures); :mod:`rnnlib.checks` the
exercises' checkers by their contract names; :mod:`rnnlib.progress`
a learner's progress; :mod:`rnnlib.doctor` is this Python ready for
the course? (``python -m rnnlib.doctor``).
"""

try:
    from . import scalar
    from ._validate import NumericOverflow
    from .gradcheck import numerical_gradient, rel_error
    from .losses import softmax, softmax_cross_entropy, squared_error
    from .optim import clip_grad_norm, clip_grad_value, global_norm, sgd_step
    from .rnn import (
        RNNCache,
        rnn_backward,
        rnn_backward_truncated,
        rnn_forward,
        rnn_step_backward,
        rnn_step_forward,
    )
except ModuleNotFoundError as _missing:  # e.g. numpy not installed
    # Keep the package importable so that `python -m rnnlib.doctor` can say what to install.
    _why = (
        f"rnnlib needs the package {_missing.name!r}, which is not installed in this Python. "
        "Run `python -m rnnlib.doctor` to see what to install."
    )

    def __getattr__(name):
        raise ImportError(_why)


__version__ = "0.1.0"

__all__ = [
    "scalar",
    "NumericOverflow",
    "numerical_gradient",
    "rel_error",
    "squared_error",
    "softmax",
    "softmax_cross_entropy",
    "global_norm",
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
