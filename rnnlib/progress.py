"""Where am I? Run your exercise notebooks and list every graded item as passed, not started,
unfinished, failing or timed out.

Usage (in a terminal, in the course folder)::

    python -m rnnlib.progress                 # every exercises/*.ipynb
    python -m rnnlib.progress exercises/01_loss_and_its_derivative.ipynb
    python -m rnnlib.progress --timeout 120   # seconds a cell may run (default 60)
    python -m rnnlib.progress build/class/submitted/*/01_loss_and_its_derivative/*.ipynb

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

A graded cell that the exercise had and your copy lacks (deleted) is listed as failing, by its
grade id.

The exit code is 0 whatever the exercises' state, 1 if a notebook cannot be read or run, and 2
(nothing run) for an argument it does not expect: an unknown option, a path that does not exist, a
folder without notebooks, or no argument outside the course folder (no ``exercises/`` here).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course.checking import fill_text
from .course.console import utf8_output
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


def graded_item(cell, defined=()):
    """The item's name if the code cell ``cell`` is a graded item, else None: a cell that calls a
    checker, or that carries nbgrader's grade metadata or the tag ``graded``. (``make class``
    stamps exactly these cells as nbgrader's graded test cells.)

    A checker call names the item (``check_loss(loss)``). An item checked by plain asserts is
    named by the functions it calls among ``defined``, the functions the notebook's earlier cells
    define (the learner's: ``one_step_lr``); failing that, by its nbgrader grade id or its first
    line."""
    calls = CHECK_CALL.findall(cell.source)
    if calls:
        return "; ".join(calls)
    meta = cell.get("metadata", {})
    nbg = meta.get("nbgrader", {})
    if nbg.get("grade") or "graded" in meta.get("tags", ()):
        checked = [f for f in _called(cell.source) if f in defined]
        if checked:
            return ", ".join(checked)
        return nbg.get("grade_id") or (cell.source.strip().splitlines() or ["(graded cell)"])[0]
    return None


def _tree(source):
    """The syntax tree of a cell's code (IPython magics blanked), or None."""
    import ast

    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _called(source) -> list[str]:
    """The plain names a cell calls (``f(...)``, not ``np.f(...)``), in order, once each."""
    import ast

    tree = _tree(source)
    if tree is None:
        return []
    calls = [
        n.func for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    ]
    return list(dict.fromkeys(f.id for f in sorted(calls, key=lambda f: (f.lineno, f.col_offset))))


def _defines(source) -> list[str]:
    """The top-level functions a cell defines."""
    import ast

    tree = _tree(source)
    if tree is None:
        return re.findall(r"^def\s+(\w+)", source, re.M)
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def item_names(nb) -> dict[int, str]:
    """``{cell index: item name}`` for the graded items of notebook ``nb`` (see
    :func:`graded_item`), as the table lists them."""
    names, defined = {}, set()
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        name = graded_item(cell, defined)
        if name is not None:
            names[i] = name
        defined.update(_defines(cell.source))
    return names


def _optional(cell):
    return "optional" in cell.get("metadata", {}).get("tags", ())


def _status(err, earlier, timeout):
    """``(status, detail)`` of a graded cell from its own error and the first error since the
    previous graded cell."""
    first = earlier or err
    # nbclient interrupts a cell that times out; nbgrader's autograde records CellTimeoutError
    if first and first[0] in ("KeyboardInterrupt", "CellTimeoutError"):
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
    names = item_names(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        name = names.get(i)
        if name is None:
            since.append(cell)
            continue
        earlier = next((e for e in map(_error, since) if e), None)
        since = []
        status, detail = _status(_error(cell), earlier, timeout)
        rows.append(Exercise(notebook, name, status, detail, _optional(cell)))
    return rows + missing_items(nb, notebook)


def missing_items(nb, notebook="") -> list[Exercise]:
    """A failing row for each graded cell that the exercise had (its metadata's
    ``rnnlib.graded``, written by ``make exercises``) and ``nb`` lacks: a deleted check cell,
    which nbgrader grades 0, and which the learner's copy would otherwise not show at all."""
    held = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}
    meta = nb.get("metadata", {}).get("rnnlib", {})
    # an exercise names its solution; a released copy (make class) does not: its label's stem
    name = Path(meta.get("generated_from", "")).name or f"{Path(notebook or 'notebook').name}.ipynb"
    return [
        Exercise(
            notebook,
            f"(grade id {gid})",
            FAILING,
            f"this graded cell is missing (deleted?): nbgrader gives it no points; copy it "
            f"back from the course's exercises/{name}",
        )
        for gid in meta.get("graded", [])
        if gid not in held
    ]


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

    Returns the exercises and a list of problems (notebooks that could not be read or run, or
    that nbgrader could not grade), each a line to print.
    """
    rows, problems = [], []
    paths = notebook_paths(args, default=["exercises"], pattern="*.ipynb")
    if not paths:
        problems.append(f"could not run: no notebooks found in {', '.join(args or ['exercises'])}")
    for path, label in zip(paths, labels(paths), strict=True):
        try:
            nb = run_notebook(path, timeout)
        except Exception as err:  # unreadable file, invalid notebook, dead kernel ...
            problems.append(f"could not run: {path}: {_could_not_run(err)}")
            continue
        rows += classify(nb, label, timeout) or [Exercise(label, "(no graded items)", "", "")]
        problems += [f"cannot be graded: {path}: {said}" for said in repeated_grade_ids(nb)]
    return rows, problems


def repeated_grade_ids(nb) -> list[str]:
    """What to do about each nbgrader grade id that several cells of ``nb`` carry (a copied
    answer or check cell): nbgrader cannot grade such a notebook at all."""
    cells: dict[str, list] = {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            cells.setdefault(gid, []).append(cell)
    out = []
    for gid, same in cells.items():
        if len(same) > 1:
            first = next((line for line in same[0].source.splitlines() if line.strip()), "")
            out.append(
                f"{len(same)} cells carry the grade id {gid!r} (the cell that starts"
                f" `{first.strip()}`, copied): nbgrader cannot grade a notebook in which two"
                " cells have one grade id. Delete the copies (keep the cell with your answer),"
                " then save and submit"
            )
    return out


def _could_not_run(err) -> str:
    """Why a notebook could not be run, in one line; for a kernel that died, the cell it was
    running and what to do."""
    said = f"{type(err).__name__}: {(str(err).splitlines() or [''])[0]}"
    if type(err).__name__ != "DeadKernelError":
        return said
    nb, i = getattr(err, "notebook", None), getattr(err, "cell_index", None)
    source = nb.cells[i].source if nb is not None and i is not None else ""
    first = next((line for line in source.splitlines() if line.strip()), "")
    where = f" while it ran the cell that starts `{first.strip()}`" if first else ""
    return (
        f"{said}: the Python kernel running the notebook stopped{where}. Code run by that cell"
        " ended the Python process (os._exit(), a crash inside a library, or more memory than"
        " the machine has): run the notebook in JupyterLab up to that cell, fix what it calls,"
        " then run this again"
    )


def labels(paths) -> list[str]:
    """A label per notebook path for the table's first column: the file's stem, and for stems
    that several paths share, the folders that tell them apart before it
    (``submitted/bob/01_x/01_x.ipynb`` and ``submitted/dave/01_x/01_x.ipynb``: ``bob/01_x``,
    ``dave/01_x``)."""
    paths = [Path(p) for p in paths]
    out = []
    for path in paths:
        same = [q for q in paths if q.stem == path.stem]
        if len(same) == 1:
            out.append(path.stem)
            continue
        folders = [q.resolve().parent.parts[::-1] for q in same]  # nearest folder first
        mine = path.resolve().parent.parts[::-1]
        depth = max(len(f) for f in folders)
        for k in range(1, depth + 1):  # the fewest folders that tell this path apart
            if sum(f[:k] == mine[:k] for f in folders) == 1:
                break
        shared = {i for i in range(k) if all(len(f) > i and f[i] == mine[i] for f in folders)}
        kept = [mine[i] for i in reversed(range(min(k, len(mine)))) if i not in shared]
        out.append("/".join([*kept, path.stem]))
    return out


def format_table(rows) -> str:
    """A plain-text table: notebook, item, status; an item's detail (the checker's first line,
    the error, the unfinished helper, the time limit) follows, indented, wrapped at spaces."""
    head = ("notebook", "graded item", "status")
    names = [r.name + (" (optional)" if r.optional else "") for r in rows]
    w0 = max([len(head[0])] + [len(r.notebook) for r in rows])
    w1 = max([len(head[1])] + [len(n) for n in names])
    out = [f"{head[0]:<{w0}}  {head[1]:<{w1}}  {head[2]}", f"{'-' * w0}  {'-' * w1}  {'-' * 11}"]
    for r, name in zip(rows, names, strict=True):
        out.append(f"{r.notebook:<{w0}}  {name:<{w1}}  {r.status}".rstrip())
        if r.detail:  # wrapped at spaces: a terminal or a notebook breaks a long line anywhere
            out.append(fill_text(f"    → {r.detail}", " " * 6))
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


USAGE = (
    "run it in the course folder (the one that holds exercises/), or pass exercise notebooks or"
    " folders of them: python -m rnnlib.progress [--timeout SECONDS] [NOTEBOOK_OR_FOLDER ...]"
)


def _unexpected(args) -> str:
    """What is wrong with the command line's notebook arguments (empty if nothing)."""
    flags = [a for a in args if a.startswith("-")]
    if flags:
        return f"unknown option {flags[0]!r}: {USAGE}"
    if not args:
        if not Path("exercises").is_dir():
            return f"expected an exercises/ folder in {Path.cwd()}, found none: {USAGE}"
        if not any(Path("exercises").glob("*.ipynb")):
            return f"expected notebooks in {Path.cwd() / 'exercises'}, found none: {USAGE}"
        return ""
    for a in args:
        p = Path(a)
        if p.is_dir():
            if not any(p.glob("*.ipynb")):
                return f"expected notebooks (.ipynb) in the folder {a!r}, found none: {USAGE}"
        elif not p.exists():
            return f"expected a notebook or a folder, got {a!r}, which does not exist: {USAGE}"
    return ""


def main(argv=None) -> int:
    utf8_output()
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
    expected = _unexpected(args)
    if expected:
        print(f"rnnlib.progress: {expected}", file=sys.stderr)
        return 2
    rows, problems = progress(args, timeout)
    print(format_table(rows))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
