"""Where am I? Run your exercise notebooks and list every graded item as passed, not started,
unfinished, failing or timed out.

Usage (in a terminal, in the course folder)::

    python -m rnnlib.progress                 # every exercises/*.ipynb
    python -m rnnlib.progress exercises/01_loss_and_its_derivative.ipynb
    python -m rnnlib.progress --timeout 120   # seconds a cell may run (default 60)

Each notebook is executed top to bottom in a fresh kernel, from a temporary folder, and never
saved: your files are not changed. Execution goes on past errors, so a later item is still
reported when an earlier one is unfinished. A **graded item** is a code cell that calls a checker
(``check_...(...)``), or that carries nbgrader's grade metadata or the tag ``graded`` (items
checked by plain ``assert`` lines); an item tagged ``optional`` is listed as optional. Each is:

- **passed**: the cell ran without an error;
- **not started**: it (or the code cell before it) stopped at ``raise NotImplementedError()``;
- **unfinished**: your function is written but calls a helper that is not (the helper is named);
- **failing**: it raised; the table shows the first line of the message (the mistake the checker
  recognised, when it recognised one) or the error raised by your code;
- **timed out**: a cell ran longer than the time limit (a loop that never ends?).

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

__all__ = [
    "Exercise",
    "graded_item",
    "classify",
    "run_notebook",
    "progress",
    "format_table",
    "main",
    "TIMEOUT",
]

CHECK_CALL = re.compile(r"^[ \t]*(check_\w+\(.*?\))", re.M)
PASSED, NOT_STARTED, UNFINISHED, FAILING, TIMED_OUT = (
    "passed ✓",
    "not started",
    "unfinished",
    "failing",
    "timed out",
)
STATUSES = (PASSED, FAILING, TIMED_OUT, UNFINISHED, NOT_STARTED)
TIMEOUT = 60  # seconds a cell may run before it counts as timed out


@dataclass(frozen=True)
class Exercise:
    """One graded item's outcome: ``notebook`` stem, ``name`` (the check call, or the item's id),
    ``status`` (one of :data:`STATUSES`), ``detail`` (one line: the message, the unfinished helper,
    the time limit) and ``optional``."""

    notebook: str
    name: str
    status: str
    detail: str = ""
    optional: bool = False


def _error(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return out.get("ename", "Error"), (out.get("evalue", "").splitlines() or [""])[0]
    return None


def graded_item(cell):
    """The item's name if the code cell ``cell`` is a graded item, else None: a cell that calls a
    checker, or that carries nbgrader's grade metadata or the tag ``graded``. (``make class``
    stamps exactly these cells as nbgrader's graded test cells.)"""
    calls = CHECK_CALL.findall(cell.source)
    if calls:
        return "; ".join(calls)
    meta = cell.get("metadata", {})
    nbg = meta.get("nbgrader", {})
    if nbg.get("grade") or "graded" in meta.get("tags", ()):
        return nbg.get("grade_id") or (cell.source.strip().splitlines() or ["(graded cell)"])[0]
    return None


def _optional(cell):
    return "optional" in cell.get("metadata", {}).get("tags", ())


def _status(err, earlier, timeout):
    """``(status, detail)`` of a graded cell from its own error and the first error since the
    previous graded cell."""
    first = earlier or err
    if first and first[0] == "KeyboardInterrupt":  # nbclient interrupts a cell that times out
        where = "a cell above this item" if earlier else "this cell"
        return TIMED_OUT, f"{where} ran longer than {timeout} s: is there a loop that never ends?"
    if err is None:
        return PASSED, ""
    if err[0] == "NotImplementedError" or (
        err[0] != "AssertionError" and earlier and earlier[0] == "NotImplementedError"
    ):
        said = err[1] if err[0] == "NotImplementedError" else earlier[1]
        if said.startswith("unfinished:"):
            return UNFINISHED, said.removeprefix("unfinished:").strip()
        return NOT_STARTED, ""
    if err[0] == "AssertionError":
        return FAILING, err[1] or "AssertionError"
    ename, evalue = earlier if earlier else err
    where = "in a cell above the check: " if earlier else ""
    return FAILING, f"{where}{ename}: {evalue}".rstrip(": ")


def classify(nb, notebook="", timeout=TIMEOUT) -> list[Exercise]:
    """The graded items of an *executed* notebook (``allow_errors=True``), from its outputs.

    An item's status comes from its own error, or, when it failed only because something before
    it failed (e.g. a ``NameError`` after a cell that raised), from the first error among the
    cells since the previous graded item.
    """
    rows, since = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        name = graded_item(cell)
        if name is None:
            since.append(cell)
            continue
        earlier = next((e for e in map(_error, since) if e), None)
        since = []
        status, detail = _status(_error(cell), earlier, timeout)
        rows.append(Exercise(notebook, name, status, detail, _optional(cell)))
    return rows


def run_notebook(path, timeout=TIMEOUT):
    """Execute a copy of the notebook at ``path`` in a temporary folder; return it executed.
    A cell running longer than ``timeout`` seconds is interrupted (and reported as timed out)."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="rnnlib-progress-") as tmp:
        shutil.copy(path, Path(tmp) / path.name)
        # the kernel's own stderr (start-up warnings) is not the learner's business
        nb, _ = execute(path, folder=tmp, timeout=timeout, keep_going=True, quiet=True)
    return nb


def progress(args=None, timeout=TIMEOUT) -> tuple[list[Exercise], list[str]]:
    """Run every notebook named by ``args`` (folders or files; default ``exercises/``), each cell
    for at most ``timeout`` seconds.

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
            nb = run_notebook(path, timeout)
        except Exception as err:  # unreadable file, invalid notebook, dead kernel ...
            problems.append(f"{path}: {type(err).__name__}: {(str(err).splitlines() or [''])[0]}")
            continue
        rows += classify(nb, label, timeout) or [Exercise(label, "(no graded items)", "", "")]
    return rows, problems


def format_table(rows) -> str:
    """A plain-text table: notebook, item, status; an item's detail (the checker's first line,
    the error, the unfinished helper, the time limit) follows on its own indented line."""
    head = ("notebook", "graded item", "status")
    names = [r.name + (" (optional)" if r.optional else "") for r in rows]
    w0 = max([len(head[0])] + [len(r.notebook) for r in rows])
    w1 = max([len(head[1])] + [len(n) for n in names])
    out = [f"{head[0]:<{w0}}  {head[1]:<{w1}}  {head[2]}", f"{'-' * w0}  {'-' * w1}  {'-' * 11}"]
    for r, name in zip(rows, names, strict=True):
        out.append(f"{r.notebook:<{w0}}  {name:<{w1}}  {r.status}".rstrip())
        if r.detail:
            out.append(f"    → {r.detail}")
    graded = [r for r in rows if r.status]
    counts = {s: sum(r.status == s for r in graded) for s in STATUSES}
    n, optional = len(graded), sum(r.optional for r in graded)
    summary = ", ".join(
        f"{counts[s]} {s.rstrip(' ✓')}"
        for s in STATUSES
        if counts[s] or s in (PASSED, FAILING, NOT_STARTED)
    )
    out.append(
        f"\n{n} graded item{'s' if n != 1 else ''}"
        + (f" ({optional} optional)" if optional else "")
        + f": {summary}"
    )
    return "\n".join(out)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0
    timeout = TIMEOUT
    if "--timeout" in args:  # --timeout SECONDS
        i = args.index("--timeout")
        try:
            timeout = float(args[i + 1])
        except (IndexError, ValueError):
            print("--timeout: expected a number of seconds, e.g. --timeout 120", file=sys.stderr)
            return 2
        del args[i : i + 2]
    rows, problems = progress(args, timeout)
    print(format_table(rows))
    for p in problems:
        print(f"could not run: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
