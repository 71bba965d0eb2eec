"""Lesson 07's sliders: hidden size H and recurrent weight scale, showing hidden-state trajectories.

One input sequence drives the matrix RNN ``h_t = tanh(x_t Wx + h_(t−1) Wh + b)`` (b = 0, h0 = 0):
random inputs for the first ``burst`` steps, then silence (x_t = 0). What the hidden state does
after the inputs stop is set by ``Wh = scale · G / ρ(G)`` (G a fixed standard-normal matrix,
ρ(G) its spectral radius), so that the spectral radius of Wh is exactly ``scale``: for
scale < 1 the activity dies out like scale^t, for scale > 1 it keeps itself going.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.ticker import NullLocator

from ..explorer import Explorer, Slider, freeze_static, new_figure
from ..rnn import rnn_forward
from . import register

__all__ = ["hidden_trajectories", "trajectory_weights"]

H_MAX = 64
SHOWN = 12  # unit trajectories drawn (all H units count in the activity)
FLOOR = 1e-6  # the log axis of the activity panel starts here
_TOP = 3.0  # and ends here


@lru_cache(maxsize=H_MAX)
def _draws(H, D, T, burst, seed):
    rng = np.random.default_rng(seed)
    gx = rng.normal(size=(D, H_MAX))
    gh = rng.normal(size=(H_MAX, H_MAX))[:H, :H]
    x = np.zeros((1, T, D))
    x[0, :burst] = rng.normal(size=(burst, D))
    rho = float(np.max(np.abs(np.linalg.eigvals(gh))))
    gh = gh / rho
    return x, gx[:, :H] / np.sqrt(D), gh, float(np.max(np.abs(np.linalg.eigvals(gh))))


def trajectory_weights(H, scale, D=3, T=60, burst=10, seed=0):
    """The explorer's inputs and weights for hidden size ``H`` (H ≤ 64) and weight ``scale``.

    The weights of size H come from the top-left blocks of fixed 64-unit draws, so moving the H
    slider adds or removes units without redrawing the others.

    Returns
    -------
    x : (1, T, D), random for t ≤ burst and 0 after
    h0 : (1, H) zeros
    Wx : (D, H) ``= G_x / √D``
    Wh : (H, H) ``= scale · G_h / ρ(G_h)``: its spectral radius is ``scale``
    b : (H,) zeros
    """
    if isinstance(H, bool) or not isinstance(H, (int, np.integer)) or not 1 <= H <= H_MAX:
        raise ValueError(f"H: expected an integer hidden size in 1..{H_MAX}, got {H!r}")
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale: expected a finite number >= 0, got {scale!r}")
    x, Wx, gh, _ = _draws(int(H), D, T, burst, seed)
    return x.copy(), np.zeros((1, H)), Wx.copy(), scale * gh, np.zeros(H)


def _inside_log_band(x, y, lo, hi):
    """The part of the geometric sequence ``y`` (over ``x``) inside [lo, hi] on a log axis.

    The line leaves the chart where it crosses ``lo`` or ``hi`` (the crossing is interpolated in
    log y, where a geometric sequence is straight) instead of being pinned to the frame."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    with np.errstate(divide="ignore"):
        ly = np.log(np.maximum(y, np.finfo(float).tiny))
    llo, lhi = np.log(lo), np.log(hi)
    xs, ys = [], []
    for k in range(len(x)):
        inside = llo <= ly[k] <= lhi
        if k and inside != (llo <= ly[k - 1] <= lhi) and ly[k] != ly[k - 1]:
            edge = lhi if max(ly[k], ly[k - 1]) > lhi else llo
            f = (edge - ly[k - 1]) / (ly[k] - ly[k - 1])
            xs.append(x[k - 1] + f * (x[k] - x[k - 1]))
            ys.append(hi if edge == lhi else lo)
        if inside:
            xs.append(x[k])
            ys.append(y[k])
        elif xs and not np.isnan(ys[-1]):
            xs.append(np.nan)
            ys.append(np.nan)
    return np.array(xs), np.array(ys)


@register("07")
def hidden_trajectories(H=16, scale=0.9, T=60, burst=10, seed=0):
    """Hidden-state trajectories of the matrix RNN; sliders ``H`` and ``scale`` (= ρ(Wh)).

    Left: h_t[j] against t for the first 12 units. Right: the activity of all H units,
    ``rms_t = √(mean_j h_t[j]²)``, on a log axis, with the line ``rms_burst · ρ^(t − burst)``
    that the linearised RNN predicts once the inputs stop.

    ``state``: ``H``, ``scale``, ``spectral_radius`` (of Wh, computed), ``rms`` (T,) the
    activity, ``rms_end`` (at t = T), ``saturated_fraction`` (share of the h_t[j] after the
    inputs with |h| > 0.95), ``h`` (T, H) the hidden states.
    """
    fig = new_figure(figsize=(8.0, 3.2))
    ax, ax2 = fig.subplots(1, 2, width_ratios=(1.2, 1))
    t = np.arange(1, T + 1)
    lines = [
        ax.plot([], [], lw=1.2, color=f"C{j % 10}", ls="-" if j < 10 else "--")[0]
        for j in range(SHOWN)
    ]
    for a in (ax, ax2):
        a.axvspan(0.5, burst + 0.5, color="0.9", zorder=0)
        a.set_xlim(0.5, T + 0.5)
        a.set_xlabel("time step t")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="0.5", lw=0.6)
    ax.set_ylabel("h_t[j]")
    ax.set_title(f"hidden-state trajectories (first {SHOWN} units)", fontsize=10)
    (rms_line,) = ax2.semilogy([], [], color="C0", lw=2, label="activity (rms of h_t)")
    (theory,) = ax2.semilogy([], [], "k--", lw=1, label="linear prediction ∝ ρ^t")
    ax2.text(
        burst / 2 + 0.5, 2 * FLOOR, "inputs\non", ha="center", va="bottom", fontsize=8, color="0.35"
    )
    ax2.set_ylim(FLOOR, _TOP)
    # Few fixed ticks with plain-text labels (no mathtext): a redraw stays cheap.
    ax2.set_yticks([1e-6, 1e-4, 1e-2, 1], ["1e-6", "1e-4", "0.01", "1"])
    ax2.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    for a in (ax, ax2):
        a.set_xticks(np.arange(0, T + 1, 20 if T > 40 else 10))
    ax2.set_title("activity of all H units", fontsize=10)
    legend = ax2.legend(loc="lower right", fontsize=8)
    label = ax2.text(0.97, 0.97, "", transform=ax2.transAxes, fontsize=9, va="top", ha="right")

    def update(H, scale):
        H = int(H)
        x, h0, Wx, Wh, b = trajectory_weights(H, scale, T=T, burst=burst, seed=seed)
        h = rnn_forward(x, h0, Wx, Wh, b)[0][0]  # (T, H)
        for j, line in enumerate(lines):
            line.set_data((t, h[:, j]) if j < H else ([], []))
        rms = np.sqrt(np.mean(h * h, axis=1))
        rho = scale * _draws(H, 3, T, burst, seed)[3]  # ρ(Wh), computed once
        rms_line.set_data(t, np.maximum(rms, FLOOR))
        after = t[burst - 1 :]
        with np.errstate(under="ignore"):
            pred = rms[burst - 1] * rho ** (after - burst)
        theory.set_data(*_inside_log_band(after, pred, FLOOR, _TOP))
        sat = float(np.mean(np.abs(h[burst:]) > 0.95)) if T > burst else 0.0
        label.set_text(f"H = {H}, ρ(Wh) = {rho:.2f}")
        return {
            "H": H,
            "scale": float(scale),
            "spectral_radius": rho,
            "rms": rms,
            "rms_end": float(rms[-1]),
            "saturated_fraction": sat,
            "h": h,
        }

    def readout(s):
        return (
            f"ρ(Wh) = {s['spectral_radius']:.2f} &nbsp; activity at t = {T}: "
            f"{s['rms_end']:.1e} &nbsp; saturated (|h| &gt; 0.95) after the inputs: "
            f"{100 * s['saturated_fraction']:.0f} %"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting); the legend
    # is redrawn last so that no line covers it
    freeze_static(fig, [*lines, rms_line, theory, label, legend])
    sliders = {
        "H": Slider(2, H_MAX, 1, H, "hidden size H", integer=True),
        "scale": Slider(0.1, 2.5, 0.05, scale, "weight scale ρ(Wh)"),
    }
    return Explorer(fig, update, sliders, readout)
