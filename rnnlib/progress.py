"""Where am I? Run your exercise notebooks and list each exercise as passed, not started or failing.

Usage (in a terminal, in the course folder)::

    python -m rnnlib.progress                 # every exercises/*.ipynb
    python -m rnnlib.progress exercises/01_loss_and_its_derivative.ipynb

Each notebook is executed top to bottom in a fresh kernel, from a temporary folder, and never
saved: your files are not changed. Execution goes on past errors, so a later exercise is still
reported when an earlier one is unfinished. Every code cell that calls a checker
(``check_...(...)``) is one exercise:

- **passed**: the check ran without an error;
- **not started**: the check (or the code cell before it) stopped at ``raise
  NotImplementedError()``;
- **failing**: the check raised; the table shows the first line of its message (the mistake it
  recognised, when it recognised one) or the error raised by your code.

The exit code is 0 whatever the exercises' state, and 1 only if a notebook cannot be read or run.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course.runner import notebook_paths
from .course.runner import run_notebook as execute

__all__ = ["Exercise", "classify", "run_notebook", "progress", "format_table", "main"]

CHECK_CALL = re.compile(r"^[ \t]*(check_\w+\(.*?\))", re.M)
PASSED, NOT_STARTED, FAILING = "passed ✓", "not started", "failing"


@dataclass(frozen=True)
class Exercise:
    """One check cell's outcome: ``notebook`` stem, ``name`` (the check call), ``status``
    (passed / not started / failing) and ``detail`` (for failing: what went wrong, one line)."""

    notebook: str
    name: str
    status: str
    detail: str = ""


def _error(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return out.get("ename", "Error"), (out.get("evalue", "").splitlines() or [""])[0]
    return None


def classify(nb, notebook="") -> list[Exercise]:
    """The exercises of an *executed* notebook (``allow_errors=True``), from its stored outputs.

    A check cell's status comes from its own error, or, when it failed only because something
    before it failed (e.g. a ``NameError`` after a cell that raised), from the first error among
    the cells since the previous check cell.
    """
    rows, since = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        calls = CHECK_CALL.findall(cell.source)
        if not calls:
            since.append(cell)
            continue
        name = "; ".join(calls)
        err = _error(cell)
        earlier = next((e for e in map(_error, since) if e), None)
        since = []
        if err is None:
            rows.append(Exercise(notebook, name, PASSED))
        elif err[0] == "NotImplementedError" or (
            err[0] != "AssertionError" and earlier and earlier[0] == "NotImplementedError"
        ):
            rows.append(Exercise(notebook, name, NOT_STARTED))
        elif err[0] == "AssertionError":
            rows.append(Exercise(notebook, name, FAILING, err[1] or "AssertionError"))
        else:
            ename, evalue = earlier if earlier else err
            where = "in a cell above the check: " if earlier else ""
            rows.append(Exercise(notebook, name, FAILING, f"{where}{ename}: {evalue}".rstrip(": ")))
    return rows


def run_notebook(path, timeout=120):
    """Execute a copy of the notebook at ``path`` in a temporary folder; return it executed."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="rnnlib-progress-") as tmp:
        shutil.copy(path, Path(tmp) / path.name)
        # the kernel's own stderr (start-up warnings) is not the learner's business
        nb, _ = execute(path, folder=tmp, timeout=timeout, keep_going=True, quiet=True)
    return nb


def progress(args=None) -> tuple[list[Exercise], list[str]]:
    """Run every notebook named by ``args`` (folders or files; default ``exercises/``).

    Returns the exercises and a list of problems (notebooks that could not be read or run).
    """
    rows, problems = [], []
    paths = notebook_paths(args, default=["exercises"], pattern="*.ipynb")
    if not paths:
        problems.append(f"no notebooks found in {', '.join(args or ['exercises'])}")
    stems = [p.stem for p in paths]
    for path in paths:
        label = path.stem if stems.count(path.stem) == 1 else f"{path.parent.name}/{path.stem}"
        try:
            nb = run_notebook(path)
        except Exception as err:  # unreadable file, invalid notebook, dead kernel ...
            problems.append(f"{path}: {type(err).__name__}: {(str(err).splitlines() or [''])[0]}")
            continue
        rows += classify(nb, label) or [Exercise(label, "(no check cells)", "", "")]
    return rows, problems


def format_table(rows) -> str:
    """A plain-text table: notebook, exercise, status; a failing exercise's message (the
    checker's first line, or the error) follows on its own indented line, never cut."""
    head = ("notebook", "exercise", "status")
    w0 = max([len(head[0])] + [len(r.notebook) for r in rows])
    w1 = max([len(head[1])] + [len(r.name) for r in rows])
    out = [f"{head[0]:<{w0}}  {head[1]:<{w1}}  {head[2]}", f"{'-' * w0}  {'-' * w1}  {'-' * 11}"]
    for r in rows:
        out.append(f"{r.notebook:<{w0}}  {r.name:<{w1}}  {r.status}".rstrip())
        if r.detail:
            out.append(f"    → {r.detail}")
    counts = {s: sum(r.status == s for r in rows) for s in (PASSED, FAILING, NOT_STARTED)}
    n = sum(counts.values())
    out.append(
        f"\n{n} exercise{'s' if n != 1 else ''}: {counts[PASSED]} passed, "
        f"{counts[FAILING]} failing, {counts[NOT_STARTED]} not started"
    )
    return "\n".join(out)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0
    rows, problems = progress(args)
    print(format_table(rows))
    for p in problems:
        print(f"could not run: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
