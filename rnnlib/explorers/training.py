"""Lesson 05's sliders: the learning rate η and the number of epochs of a training run.

The run is :func:`rnnlib.train.train_scalar` on the lesson's fading-memory task
(:data:`TASK`: 12 sequences of T = 4 steps, one target each). The left panel shows the training
loss epoch by epoch (log scale); when η is too large the run stops where the loss blew up and the
panel says at which epoch. The right panel shows the predictions ŷ against the targets y with the
weights reached at the last epoch shown: on the diagonal means learned.

Full-batch gradient descent is deterministic, so training for E epochs gives the first E epochs
of a longer run: each η's run is cached, shown up to the epochs slider, and continued (never
redone) when the slider asks for more epochs. A slider move costs at most one training run.
"""

from __future__ import annotations

import numpy as np

from .. import scalar
from ..explorer import Explorer, Slider, freeze_static, new_figure
from ..train import decaying_sum_task, train_scalar
from . import register

__all__ = ["TASK", "INIT", "training_explorer"]

#: The lesson's training set: ``decaying_sum_task(n=12, T=4, decay=0.5, seed=0)``, many-to-one.
TASK = dict(n=12, T=4, decay=0.5, every_step=False, seed=0)
#: The lesson's initial weights (u, w, v).
INIT = (0.5, 0.0, 0.5)

_FLOOR, _TOP = -4.0, 3.0  # log10 range of the loss axis


@register("05")
def training_explorer(
    lr=1.0, epochs=60, xs=None, ys=None, init=INIT, max_epochs=100, lr_range=(0.05, 10.0)
):
    """An η slider and an epochs slider driving a loss curve and a predictions-vs-targets plot.

    Parameters
    ----------
    lr : float, initial learning rate η
    epochs : int, initial number of epochs shown
    xs, ys : the training set; ``None`` takes :data:`TASK`
    init : (u, w, v), the initial weights of every run
    max_epochs : int, the epochs slider's maximum (each η is trained this long, once)
    lr_range : (float, float), the η slider's range

    Returns
    -------
    :class:`~rnnlib.explorer.Explorer` whose state holds ``lr``, ``epochs``, ``trained`` (the
    epochs actually done: fewer when the run diverged), ``losses`` (the curve shown),
    ``loss`` (its last value), ``diverged``, ``diverged_at``, ``u``, ``w``, ``v`` and ``y_hat``.
    """
    if xs is None or ys is None:
        xs, ys = decaying_sum_task(**TASK)
    if len(lr_range) != 2 or not 0 < float(lr_range[0]) < float(lr_range[1]):
        raise ValueError(f"lr_range: expected (low, high) with 0 < low < high, got {lr_range}")
    runs = {}
    first = train_scalar(xs, ys, *init, 1.0, 0)  # the initial loss: the same for every η
    limit = 1000 * float(first.losses[0])  # train_scalar's default divergence limit

    def run(lr, epochs):
        """The run at η = lr, trained (at least) ``epochs`` epochs: continued, never redone."""
        key = round(float(lr), 10)
        r = runs.get(key)
        if r is None:
            r = first
        done = len(r.losses) - 1
        if not r.diverged and done < epochs:
            more = min(max_epochs, -(-epochs // 10) * 10) - done  # whole tens, fewer restarts
            # gradient descent is deterministic: continuing from the last weights with the same
            # limit gives exactly the numbers of one longer run
            r2 = train_scalar(xs, ys, *r.params[-1], lr, more, max_loss=limit)
            r = r._replace(
                losses=np.concatenate([r.losses, r2.losses[1:]]),
                params=np.concatenate([r.params, r2.params[1:]]),
                grad_norms=np.concatenate([r.grad_norms, r2.grad_norms]),
                diverged=r2.diverged,
                diverged_at=None if r2.diverged_at is None else done + r2.diverged_at,
            )
        runs[key] = r
        return r

    def predictions(u, w, v):
        return np.array([scalar.forward(x, u, w, v).y_hat for x in xs])

    fig = new_figure(figsize=(8.6, 3.3))
    ax_l, ax_p = fig.subplots(1, 2, width_ratios=(1.35, 1))
    # log10 of the loss on a linear axis (a log axis is too slow to redraw for a slider)
    ax_l.set_xlim(0, max_epochs)
    ax_l.set_ylim(_FLOOR, _TOP)
    ax_l.set_yticks(
        range(int(_FLOOR), int(_TOP) + 1),
        [rf"$10^{{{k}}}$" for k in range(int(_FLOOR), int(_TOP) + 1)],
    )
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel("mean training loss")
    log_limit = np.log10(limit)
    ax_l.plot([0, max_epochs], [log_limit, log_limit], ls="--", color="tab:red", lw=1)
    ax_l.text(
        0.98 * max_epochs,
        log_limit + 0.1,
        "divergence limit: 1000 × initial loss",
        color="tab:red",
        fontsize=8,
        ha="right",
        va="bottom",
    )
    (curve,) = ax_l.plot([], [], color="tab:blue", lw=1.6)
    (boom,) = ax_l.plot([], [], "X", color="tab:red", ms=11)
    status = ax_l.text(0.03, 0.04, "", transform=ax_l.transAxes, fontsize=9)
    ax_l.set_title("training loss", fontsize=10)

    y_true = ys if ys.ndim == 1 else ys[:, -1]
    span = 1.25 * float(np.abs(y_true).max())
    ax_p.plot([-span, span], [-span, span], color="0.6", lw=1, ls="--")
    (dots,) = ax_p.plot(y_true, np.zeros_like(y_true), "o", color="tab:orange", ms=5)
    ax_p.set_xlim(-span, span)
    ax_p.set_ylim(-span, span)
    ax_p.set_aspect("equal")
    ax_p.set_xlabel(r"target $y$")
    ax_p.set_ylabel(r"prediction $\hat y$")
    ax_p.set_title("predictions with the weights reached", fontsize=10)
    note_p = ax_p.text(0.04, 0.96, "", transform=ax_p.transAxes, va="top", fontsize=8)

    def update(lr, epochs):
        epochs = int(epochs)
        r = run(lr, epochs)
        trained = min(epochs, len(r.losses) - 1)
        losses = r.losses[: trained + 1]
        diverged = r.diverged and r.diverged_at <= epochs
        u, w, v = (float(p) for p in r.params[trained])
        y_hat = predictions(u, w, v)
        curve.set_data(np.arange(trained + 1), np.clip(np.log10(losses), _FLOOR, _TOP))
        if diverged:
            boom.set_data([r.diverged_at], [log_limit])  # where the loss crossed the limit
            status.set_text(f"η = {lr:.2f}: diverged at epoch {r.diverged_at}, stopped")
            status.set_color("tab:red")
        else:
            boom.set_data([], [])
            status.set_text(f"η = {lr:.2f}: loss after {trained} epochs {losses[-1]:.2e}")
            status.set_color("black")
        dots.set_ydata(np.clip(y_hat, -0.97 * span, 0.97 * span))  # off-scale: at the edge
        note_p.set_text(f"{trained} epochs:\nu = {u:+.2f}, w = {w:+.2f}, v = {v:+.2f}")
        return {
            "lr": float(lr),
            "epochs": epochs,
            "trained": trained,
            "losses": losses,
            "loss": float(losses[-1]),
            "diverged": bool(diverged),
            "diverged_at": r.diverged_at if diverged else None,
            "u": u,
            "w": w,
            "v": v,
            "y_hat": y_hat,
        }

    def readout(s):
        if s["diverged"]:
            return (
                f"η = {s['lr']:.2f}: <b>diverged at epoch {s['diverged_at']}</b> "
                f"(the loss passed 1000 × its initial value); training stopped"
            )
        return (
            f"η = {s['lr']:.2f}, {s['trained']} epochs: loss <b>{s['loss']:.3e}</b>, "
            f"u = {s['u']:+.3f}, w = {s['w']:+.3f}, v = {s['v']:+.3f}"
        )

    # only these move: the rest of the figure is drawn once and reused (blitting)
    freeze_static(fig, [curve, boom, status, dots, note_p])
    sliders = {
        "lr": Slider(float(lr_range[0]), float(lr_range[1]), 0.05, float(lr), "learning rate η"),
        "epochs": Slider(1, int(max_epochs), 1, int(epochs), "epochs", integer=True),
    }
    return Explorer(fig, update, sliders, readout)
