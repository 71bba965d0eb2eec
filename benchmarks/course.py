"""Course run time: execute every lesson and solution notebook, as CI does, and time each one.

Each notebook runs top to bottom in a fresh kernel of this environment's Python, from its own
folder, with the runner of ``make notebooks`` (:mod:`rnnlib.course.runner`), saving nothing.
The time includes starting and stopping the kernel. Budgets (the brief): a lesson <= 4 s, a solution
<= 2.5 s, the whole course < 60 s on 2 cores.
"""

from __future__ import annotations

import time
from pathlib import Path

from rnnlib.course.runner import notebook_paths, run_notebook

BUDGET = {"notebooks": 4.0, "solutions": 2.5}
TOTAL_BUDGET = 60.0
FOLDERS = ("notebooks", "solutions")


def execute(path: Path, timeout=300):
    """Seconds to execute ``path`` in a fresh kernel, and the error (None if it ran through)."""
    t0 = time.perf_counter()
    try:
        return run_notebook(path, timeout=timeout, quiet=True)[1], None
    except Exception as err:  # a failing notebook is reported, the others still run
        return (
            time.perf_counter() - t0,
            f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:120]}",
        )


def run(root=".", log=print):
    """Rows ``{path, kind, seconds, budget, error}``, one per notebook in notebooks/, solutions/."""
    root = Path(root)
    rows = []
    for folder in FOLDERS:
        if not (root / folder).is_dir():
            continue
        for path in notebook_paths([str(root / folder)]):
            seconds, error = execute(path)
            row = {
                "path": str(path.relative_to(root)),
                "kind": folder,
                "seconds": seconds,
                "budget": BUDGET[folder],
                "error": error,
            }
            rows.append(row)
            log(" | ".join(table_cells(row)))
    return rows


def table_cells(row):
    ok = row["error"] is None and row["seconds"] <= row["budget"]
    status = "ok" if ok else ("FAILED: " + row["error"] if row["error"] else "over budget")
    return [row["path"], f"{row['seconds']:.2f}", f"{row['budget']:.1f}", status]


HEADER = ["notebook", "seconds", "budget s", "status"]


def total_cells(rows):
    total = sum(r["seconds"] for r in rows)
    n_lessons = sum(r["kind"] == "notebooks" for r in rows)
    n_solutions = len(rows) - n_lessons
    status = "ok" if total < TOTAL_BUDGET else "over budget"
    label = f"total ({n_lessons} lessons, {n_solutions} solutions)"
    return [label, f"{total:.2f}", f"{TOTAL_BUDGET:.0f}", status]
