"""Lesson 06's sliders: the recurrent weight scale and the truncation window k.

The model is :func:`rnnlib.gradflow.long_sequence_problem` (H = 8 units, T = 20 steps,
``Wh = scale · Q`` with Q orthogonal, so every singular value of Wh is ``scale``).

Left panel: how much of a loss at the last step reaches the state d steps earlier,
‖∂L/∂h_(T−d)‖ (log scale), beside the bound scale^d that ‖J_t‖₂ ≤ ‖Wh‖₂ = scale gives.
Right panel: truncated BPTT with window k against the full gradient (loss at every step): the
relative error and the cosine similarity of the gradient of (Wx, Wh, b), for every k, with the
slider's k marked. The curves of a scale are computed once and cached; moving k only moves the
marker.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..explorer import Explorer, Slider, freeze_static, new_figure
from ..gradflow import gradient_norms_by_distance, long_sequence_problem, truncation_curve
from ..rnn import rnn_forward
from . import register

__all__ = ["gradients_explorer"]

_FLOOR, _TOP = -8.0, 4.0  # log10 range of the gradient-norm axis


@register("06")
def gradients_explorer(scale=1.0, k=5, H=8, T=20, scale_range=(0.3, 2.0)):
    """A recurrent-scale slider and a truncation slider over gradient norms and truncation error.

    Parameters
    ----------
    scale : float, initial ‖Wh‖₂ (every singular value of Wh)
    k : int, initial truncation window
    H, T : int, hidden size and sequence length of :func:`rnnlib.gradflow.long_sequence_problem`
    scale_range : (float, float), the scale slider's range

    Returns
    -------
    :class:`~rnnlib.explorer.Explorer` whose state holds ``scale``, ``k``, ``norms`` (T + 1,)
    = ‖∂L/∂h_(T−d)‖ for d = 0..T, ``bound`` (T + 1,) = scale^d, ``ks``, ``rel_errors``,
    ``cosines`` (the whole truncation curve) and ``rel_error``, ``cosine`` at the slider's k.
    """
    if len(scale_range) != 2 or not 0 < float(scale_range[0]) < float(scale_range[1]):
        raise ValueError(
            f"scale_range: expected (low, high) with 0 < low < high, got {scale_range}"
        )
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
    ax_g, ax_t = fig.subplots(1, 2)
    # log10 on a linear axis (a log axis is too slow to redraw for a slider)
    ax_g.set_xlim(0, T)
    ax_g.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_g.set_ylim(_FLOOR, _TOP)
    ticks = range(int(_FLOOR), int(_TOP) + 1, 2)
    ax_g.set_yticks(ticks, [rf"$10^{{{t}}}$" for t in ticks])
    ax_g.axhline(0.0, color="0.6", lw=0.8)
    (bound_line,) = ax_g.plot(
        d, np.zeros(T + 1), ls="--", color="0.4", lw=1, label=r"bound $\mathrm{scale}^d$"
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
    ax_g.legend(loc="lower left", fontsize=8)
    ax_g.set_title(f"a loss at step {T}, sent back d steps", fontsize=10)
    note_g = ax_g.text(0.03, 0.95, "", transform=ax_g.transAxes, va="top", fontsize=9)

    ax_t.set_xlim(0.5, T + 0.5)
    ax_t.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_t.set_ylim(-0.9, 1.08)
    ax_t.axhline(0.0, color="0.6", lw=0.8)
    (err_line,) = ax_t.plot(ks, np.zeros(T), "s-", color="tab:red", ms=3, label="relative error")
    (cos_line,) = ax_t.plot(
        ks, np.zeros(T), "o-", color="tab:green", ms=3, label="cosine similarity"
    )
    k_line = ax_t.axvline(k, color="0.3", lw=1, ls=":")
    ax_t.set_xlabel("truncation window k (steps)")
    ax_t.legend(loc="lower right", fontsize=8)
    ax_t.set_title("truncated BPTT(k) against full BPTT", fontsize=10)
    note_t = ax_t.text(0.03, 0.04, "", transform=ax_t.transAxes, fontsize=9)

    def update(scale, k):
        k = int(k)
        norms, tc = curves(scale)
        bound = float(scale) ** d
        with np.errstate(divide="ignore"):
            norm_line.set_ydata(np.clip(np.log10(norms), _FLOOR, _TOP))
            bound_line.set_ydata(np.clip(np.log10(bound), _FLOOR, _TOP))
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
