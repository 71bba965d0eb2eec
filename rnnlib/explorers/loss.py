"""Lesson 01's explorer: the loss L = ½(ŷ − y)² as a curve over ŷ, and its tangent at ŷ.

The tangent at ŷ has slope dL/dŷ = ŷ − y (the seed's "loss = ŷ − y"): positive to the right of
the target, negative to its left, zero at ŷ = y, the curve's minimum. Moving ŷ slides the point
and its tangent along the curve; moving y shifts the whole curve. The figure is built once; the
update only moves the curve, the point, the tangent, the target line and the text.
"""

from __future__ import annotations

import numpy as np

from .. import scalar
from .._validate import as_scalar
from ..explorer import Explorer, Slider, freeze_static, new_figure
from . import register
from .forward import EXAMPLE, _Frozen

__all__ = ["loss_explorer", "tangent_line"]

_XLIM = (-2.5, 3.5)
_YLIM = (-1.2, 5.0)
# The top of the loss axis grows to the first of these that holds the curve over _XLIM and the
# point (L <= ½·4.5² = 10.125 over the sliders' ranges).
_TOPS = (5.0, 8.0, 11.0)
_HALF_WIDTH = 1.2  # the tangent is drawn over ŷ ± this (cut at the chart's left and right)


def tangent_line(y_hat, y, x):
    """The tangent of L = ½(ŷ − y)² at ``y_hat``, evaluated at ``x``.

    ``L(ŷ) + dL/dŷ · (x − ŷ)`` with ``dL/dŷ = ŷ − y`` (from :mod:`rnnlib.scalar`). It differs
    from the curve by exactly ½(x − ŷ)², so it touches the curve at ŷ and lies below it elsewhere.
    """
    return scalar.loss(y_hat, y) + scalar.loss_grad(y_hat, y) * (np.asarray(x, float) - y_hat)


def _direction(slope):
    if slope > 0:
        return "decrease ŷ"
    if slope < 0:
        return "increase ŷ"
    return "stay: the minimum"


@register("01")
def loss_explorer(y_hat=1.03, y=EXAMPLE["y"]):
    """Sliders ŷ and y over the loss curve L(ŷ) = ½(ŷ − y)² and its tangent line at ŷ.

    Parameters
    ----------
    y_hat : float, the starting prediction (slider in [−2, 3]); the default is the worked
        example's ŷ (lesson 00) to two decimals
    y : float, the starting target (slider in [−1, 2])

    Returns
    -------
    :class:`~rnnlib.explorer.Explorer` whose state holds ``y_hat``, ``y``, ``loss`` = ½(ŷ − y)²,
    ``slope`` = dL/dŷ = ŷ − y and ``direction`` (which way to move ŷ to lower L).
    """
    y_hat, y = as_scalar("y_hat", y_hat), as_scalar("y", y)
    grid = np.linspace(*_XLIM, 241)

    fig = new_figure(figsize=(8.8, 3.8))
    gs = fig.add_gridspec(1, 2, width_ratios=[2.4, 1.0])
    ax = fig.add_subplot(gs[0, 0])
    side = fig.add_subplot(gs[0, 1])
    side.set_axis_off()
    (curve,) = ax.plot(
        grid,
        scalar.loss(grid, y),
        color="#34495e",
        lw=2.0,
        label=r"loss $L = \frac{1}{2}(\hat y - y)^2$",
    )
    (tangent,) = ax.plot(
        [],
        [],
        "--",
        color="#c0392b",
        lw=1.6,
        label=r"tangent at $\hat y$, slope $dL/d\hat y = \hat y - y$",
    )
    (target,) = ax.plot(
        [y, y], list(_YLIM), ":", color="#27ae60", lw=1.4, label=r"target $y$ (the minimum)"
    )
    (point,) = ax.plot([], [], "o", color="#c0392b", ms=9, zorder=4)
    ax.axhline(0.0, color="#bbbbbb", lw=0.8, zorder=0)
    frozen = _Frozen()
    ax.set_xlim(*_XLIM)
    ax.set_ylim(*_YLIM)
    ax.set_xlabel(r"prediction $\hat y$")
    ax.set_ylabel(r"loss $L$")
    ax.set_title("The loss and its tangent: the slope says which way to move ŷ", fontsize=11)
    side.legend(
        *ax.get_legend_handles_labels(),
        loc="upper left",
        fontsize=9,
        frameon=False,
        borderaxespad=0.0,
    )
    text = side.text(
        0.0, 0.45, "", transform=side.transAxes, fontsize=10, family="monospace", va="top"
    )

    def update(y_hat, y):
        loss = scalar.loss(y_hat, y)
        slope = scalar.loss_grad(y_hat, y)
        losses = scalar.loss(grid, y)
        top = next((t for t in _TOPS if 1.04 * losses.max() <= t), 1.04 * losses.max())
        if ax.get_ylim() != (_YLIM[0], top):
            ax.set_ylim(_YLIM[0], top)
            frozen.invalidate()  # the axis is part of the cached picture: draw it all once
        curve.set_ydata(losses)
        # The tangent lies below the curve (by ½(x − ŷ)²), so inside the chart's left and
        # right ends it stays under the top; its lowest value, −½·1.2², is above the bottom.
        xt = np.clip([y_hat - _HALF_WIDTH, y_hat + _HALF_WIDTH], *_XLIM)
        tangent.set_data(xt, tangent_line(y_hat, y, xt))
        target.set_data([y, y], [_YLIM[0], top])
        point.set_data([y_hat], [loss])
        direction = _direction(slope)
        text.set_text(
            f"ŷ     = {y_hat:+.2f}\ny     = {y:+.2f}\nL     = {loss:.4f}\n"
            f"dL/dŷ = {slope:+.4f}\n→ {direction}"
        )
        return {
            "y_hat": float(y_hat),
            "y": float(y),
            "loss": float(loss),
            "slope": float(slope),
            "direction": direction,
        }

    def readout(s):
        return (
            f"L = ½(ŷ − y)² = ½({s['y_hat']:+.2f} − {s['y']:+.2f})² = {s['loss']:.4f}; "
            f"&nbsp; slope dL/dŷ = ŷ − y = {s['slope']:+.4f}: <b>{s['direction']}</b> "
            f"to lower L"
        )

    # The loss axis's top follows the curve in three steps (_TOPS): a step redraws the whole
    # figure once; other moves draw only the moving artists.
    frozen.invalidate = freeze_static(fig, [curve, tangent, target, point, text])
    sliders = {
        "y_hat": Slider(-2.0, 3.0, 0.01, y_hat, "prediction ŷ"),
        "y": Slider(-1.0, 2.0, 0.05, y, "target y"),
    }
    return Explorer(fig, update, sliders, readout)
