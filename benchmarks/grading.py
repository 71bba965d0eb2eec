"""Cost of grading a class with nbgrader: ``nbgrader autograde`` timed per exercise and per
submission, then with the class split by learner over two processes, and extrapolated to a
class of 300 learners doing every exercise (as many as ``solutions/`` holds).

The course folder is built from the solutions (:mod:`tools.make_class`) in a temporary folder;
each simulated learner submits every exercise answered correctly (every cell runs to the end: the
longest a submission without an endless loop takes). Timings include what an instructor waits
for: nbgrader's start, the gradebook, one fresh kernel per submission.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

CLASS_LEARNERS = 300
ROOT = Path(__file__).resolve().parents[1]
HEADER = ["exercise", "submissions", "seconds", "s per submission"]


def run(learners=4, log=print):
    """Rows ``{exercise, submissions, seconds}`` (one ``nbgrader autograde`` per exercise, one
    process) and a summary dict (totals, the two-process run, the extrapolation)."""
    from tools import make_class as mc

    with tempfile.TemporaryDirectory(prefix="rnnlib-grading-") as tmp:
        course = Path(tmp) / "course"
        report = mc.build(ROOT / "solutions", ROOT / "exercises", course)
        assignments = mc.load_assignments(course)
        subs = []
        for a in assignments:
            correct = mc.correct_notebook(a)
            for i in range(learners):
                s = mc.Submission(f"learner-{i + 1:03d}", a.name, "correct", correct)
                subs.append(s)
        clean1 = mc.copy_course(course, Path(tmp) / "one")
        clean2 = mc.copy_course(course, Path(tmp) / "two")
        mc.write_submissions(course, subs)
        rows = []
        for a in assignments:
            t0 = time.perf_counter()
            mc.nbgrader(course, "autograde", a.name, "--log-level=ERROR")
            seconds = time.perf_counter() - t0
            rows.append({"exercise": a.name, "submissions": learners, "seconds": seconds})
            log(" | ".join(table_cells(rows[-1])))
        per_exercise = sum(r["seconds"] for r in rows)
        scores = mc.gradebook_items(course)
        earned = sum(v["score"] for v in scores.values() if v["cell_type"] == "code")
        possible = sum(v["max_score"] for v in scores.values() if v["cell_type"] == "code")
        _, one = mc.autograde(clean1, subs, shards=1)
        log(f"one process, every exercise: {len(subs)} submissions in {one:.1f} s")
        _, two = mc.autograde(clean2, subs, shards=2)
        log(f"two processes (class split by learner): {len(subs)} submissions in {two:.1f} s")
    n = len(subs)
    n_class = CLASS_LEARNERS * len(assignments)
    summary = {
        "submissions": n,
        "exercises": len(assignments),
        "release_ok": all(not d for d in report.values()),
        "points": (earned, possible),
        "per_exercise": per_exercise,
        "one_process": one,
        "two_processes": two,
        "per_submission_1": one / n,
        "per_submission_2": two / n,
        "class_submissions": n_class,
        "class_1": n_class * one / n,
        "class_2": n_class * two / n,
    }
    return rows, summary


def table_cells(row):
    s = row["seconds"]
    return [row["exercise"], str(row["submissions"]), f"{s:.1f}", f"{s / row['submissions']:.2f}"]


def _hm(seconds):
    m = round(seconds / 60)
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


def section(rows, summary, md_table) -> str:
    s = summary
    earned, possible = s["points"]
    return "\n".join(
        [
            "## 4. Grading a class with nbgrader",
            "",
            "`nbgrader autograde` on a course folder built from the solutions (`make class`), "
            f"{s['submissions'] // s['exercises']} simulated learners each submitting all "
            f"{s['exercises']} exercises, every answer right (so every cell runs: the longest "
            "a submission takes without an endless loop). One `nbgrader autograde` per "
            "exercise, one process; the time includes nbgrader's start (once per command), the "
            "gradebook and one fresh kernel per submission. "
            f"Points awarded: {earned:g} of {possible:g} (all answers right).",
            "",
            md_table(HEADER, [table_cells(r) for r in rows]),
            "",
            f"- the rows above: {s['per_exercise']:.1f} s, eight `nbgrader autograde` commands;",
            f'- one process, one command for every exercise (`nbgrader autograde "*"`): '
            f"{s['submissions']} submissions in {s['one_process']:.1f} s, "
            f"**{s['per_submission_1']:.2f} s per submission**;",
            f"- the class split by learner into two course folders, graded by two "
            f"`nbgrader autograde` processes side by side: {s['two_processes']:.1f} s, "
            f"{s['per_submission_2']:.2f} s per submission.",
            "",
            f"**A class of {CLASS_LEARNERS} learners x {s['exercises']} exercises** "
            f"({s['class_submissions']} submissions) on one 2-core machine: about "
            f"{_hm(s['class_1'])} with one process, {_hm(s['class_2'])} with two. One exercise "
            f"for the whole class ({CLASS_LEARNERS} submissions): about "
            f"{_hm(s['class_2'] / s['exercises'])} with two processes. nbgrader autogrades one "
            "submission at a time per process and each kernel uses one core, so the work "
            "splits by learner: k machines (or k processes on k cores), each with its own copy "
            "of the course folder and a slice of `submitted/`, take about 1/k of the time; each "
            "exports its `grades.csv` and the CSVs are concatenated (one row per learner and "
            "exercise). An endless loop costs its submission 20 s where a check calls the "
            "looping function (the checks' own limit per case), and the cell timeout (30 s, "
            "`tools/nbgrader_config.py`) once per other cell that hangs.",
        ]
    )


if __name__ == "__main__":
    from benchmarks.run import md_table

    r, s = run()
    print(section(r, s, md_table))
