"""Checkers for the exercises: each runs a learner's function on several cases and either prints
one line (``check_loss: 7/7 cases passed ✓``) or raises ``AssertionError`` that shows the failing
case and, when the answer matches a known mistake, names it.

Use in an exercise notebook::

    from rnnlib.checks import check_loss
    check_loss(loss)

A learner's ``NotImplementedError`` passes through unchanged. The shared machinery is in
:mod:`rnnlib.checks._harness`; the catalogue of known mistakes is ``MISTAKES`` in each module.
"""

from .language import check_readout_backward as check_readout_backward
from .language import check_softmax_cross_entropy as check_softmax_cross_entropy
from .scalar import check_last_step_grad as check_last_step_grad
from .scalar import check_loss as check_loss
from .scalar import check_loss_grad as check_loss_grad
from .scalar import check_output_weight_grad as check_output_weight_grad
from .scalar import check_scalar_bptt as check_scalar_bptt
from .scalar import check_sgd_step as check_sgd_step
from .training import check_jacobian_product as check_jacobian_product
from .training import check_train_epoch as check_train_epoch
from .training import check_train_loop as check_train_loop
from .training import check_truncated_bptt as check_truncated_bptt
from .vector import check_clip_grad_norm as check_clip_grad_norm
from .vector import check_rnn_backward as check_rnn_backward
from .vector import check_rnn_step_backward as check_rnn_step_backward

# Every checker imported above (one import line per checker module), by its contract name.
__all__ = sorted(name for name in dir() if name.startswith("check_"))
