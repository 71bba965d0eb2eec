"""Slider latency: move every slider of every lesson's figure and time each full update.

For each lesson module's ``FIGURES`` (:func:`rnnlib.course.figures`), each factory builds its
explorer at the lesson's defaults and renders it once (as ``ex.show()`` does before a reader can
touch a slider); each slider then moves over ``POINTS`` values spread over its range (snapped to
its step) and back to its default, through ``ex.step(name=value)``, the widget's own
callback: recompute, redraw the figure to PNG, refresh the readout. ``ex.last_update_seconds``
of every move is kept; each lesson reports the median and the worst. Bars (the brief): median
< 60 ms, worst < 100 ms.
"""

from __future__ import annotations

import os
import statistics

os.environ.setdefault("MPLBACKEND", "Agg")  # no display; explorers draw on their own Agg canvas

MEDIAN_BAR = 0.060
WORST_BAR = 0.100
POINTS = 9


def slider_values(s, points=POINTS):
    """``points`` values from ``s.min`` to ``s.max`` on the slider's step grid, then its default."""
    span = s.max - s.min
    out = []
    for i in range(points):
        v = s.min + span * i / (points - 1)
        if s.step:
            v = s.min + round((v - s.min) / s.step) * s.step
        v = min(max(v, s.min), s.max)
        v = int(round(v)) if s.integer else round(v, 12)
        if v not in out:
            out.append(v)
    return [*out, s.value]


def _name(factory):
    return f"{factory.__module__.rsplit('.', 1)[-1]}.{factory.__name__}"


def measure_explorer(factory, points=POINTS):
    """``{slider: [seconds, ...]}`` for one explorer, or raises what its factory or step raised."""
    ex = factory()
    ex.png()  # as ``ex.show()`` does before any slider can move: the figure has been drawn once
    times = {}
    for name, s in ex.sliders.items():
        times[name] = []
        for v in slider_values(s, points):
            ex.step(**{name: v})
            times[name].append(ex.last_update_seconds)
    return times


def run(points=POINTS, log=print):
    """One row per lesson stage (and the explorers measured in it)."""
    from rnnlib.course import LESSONS, stage

    rows = []
    for stage_, factories in ((stage(lesson), lesson.FIGURES) for lesson in LESSONS):
        updates, slowest, names, errors = [], (0.0, ""), [], []
        n_sliders = 0
        for factory in factories:
            names.append(_name(factory))
            try:
                times = measure_explorer(factory, points)
            except Exception as err:  # report it, measure the rest
                errors.append(f"{_name(factory)}: {type(err).__name__}: {err}"[:160])
                continue
            n_sliders += len(times)
            for slider, ts in times.items():
                updates += ts
                worst = max(ts, default=0.0)
                if worst > slowest[0]:
                    slowest = (worst, f"{_name(factory)} / {slider}")
        row = {
            "stage": stage_,
            "explorers": names,
            "sliders": n_sliders,
            "updates": len(updates),
            "median": statistics.median(updates) if updates else None,
            "worst": max(updates) if updates else None,
            "slowest": slowest[1],
            "errors": errors,
        }
        rows.append(row)
        log(" | ".join(table_cells(row)))
    return rows


def _ms(s):
    return "-" if s is None else f"{s * 1e3:.1f}"


def table_cells(row):
    if row["errors"]:
        status = "FAILED: " + "; ".join(row["errors"])
    elif row["median"] is None:
        status = "no sliders"
    elif row["median"] < MEDIAN_BAR and row["worst"] < WORST_BAR:
        status = "ok"
    else:
        status = "over the bar"
    return [
        row["stage"],
        ", ".join(row["explorers"]),
        str(row["sliders"]),
        str(row["updates"]),
        _ms(row["median"]),
        _ms(row["worst"]),
        row["slowest"] or "-",
        status,
    ]


HEADER = [
    "lesson",
    "explorers",
    "sliders",
    "updates",
    f"median ms (< {MEDIAN_BAR * 1e3:.0f})",
    f"worst ms (< {WORST_BAR * 1e3:.0f})",
    "slowest slider",
    "status",
]
