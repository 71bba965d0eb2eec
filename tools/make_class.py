"""An nbgrader course from the solutions (``make class``), and nbgrader metadata for them.

Usage::

    python -m tools.make_class [--solutions DIR] [--exercises DIR] [--out DIR]
                               [--keep-grades | --force] [--optional-points N]
    python -m tools.make_class --stamp [--check] [--optional-points N] NOTEBOOK_OR_DIR ...

**Build** (the default; ``make class``): writes an nbgrader course folder ``--out`` (default
``build/class/``, git-ignored):

- ``nbgrader_config.py``, a copy of ``tools/nbgrader_config.py`` (stubs, timeout, course id);
- ``source/<stem>/<stem>.ipynb`` for every ``solutions/<stem>.ipynb``: the solution, stamped on
  the fly (below) when it is not stamped yet, without its ``solution-only`` cells (make_exercises
  drops them too: they are the instructor's, not the learner's);
- ``release/<stem>/<stem>.ipynb`` by nbgrader's own ``nbgrader generate_assignment`` (which also
  records the assignments, their graded cells and the locked cells' checksums in
  ``gradebook.db``);

The gradebook is kept (nbgrader updates its assignments). A course folder that already holds
graded work (submissions or hand grades in ``gradebook.db``, or ``autograded/``, ``feedback/``) is
left untouched, with exit code 3 and a message, unless one of these says what to do with it:

- ``--keep-grades`` (``make class KEEP_GRADES=1``): update the assignments (points, check code,
  text) and keep every grade; then regrade with ``nbgrader autograde --force``. nbgrader refuses
  to add or remove graded cells of an assignment that has submissions;
- ``--force`` (``make class FORCE=1``): a new gradebook; the old ``gradebook.db``,
  ``autograded/`` and ``feedback/`` are moved into ``old-<UTC time>/`` in the course folder.

Then it checks that each released notebook equals ``exercises/<stem>.ipynb``:
the same cells in the same order, with the same types, ids, sources and locks, and the same grade
ids (nbgrader grades a submitted copy of an exercise only on the cells whose grade id it carries).
What may differ, and only that: the rest of nbgrader's cell metadata (points, ``locked``, checksums)
and the notebook metadata make_exercises adds (``rnnlib``). Exit code 1 on any
other difference, listing it; exit code 2 for arguments it does not expect.

**Stamp** (``--stamp``): adds nbgrader's metadata to solution notebooks, in place:

- a code or markdown cell with a ``### BEGIN SOLUTION`` region (or already marked as a solution)
  is a *solution cell*: ``{solution: true, grade: false, locked: false, grade_id, schema_version:
  3, task: false}``; a markdown one (a written answer) is graded by hand, so it gets ``grade:
  true`` and ``points`` (nbgrader accepts no other markdown answer): autograde leaves it for the
  instructor's formgrader;
- a code cell that calls a checker, or is tagged ``graded`` (an item checked by plain asserts),
  or holds nbgrader's hidden tests (``### BEGIN HIDDEN TESTS``), what ``python -m
  rnnlib.progress`` lists as a graded item, is a *test cell*: ``{grade: true,
  solution: false, locked: true, points, grade_id, schema_version: 3, task: false}``, worth
  :data:`POINTS` unless it already has points (an instructor's choice is kept);
- a graded cell tagged ``optional`` (an exercise's "(optional, harder)" part) is worth
  ``--optional-points`` (default :data:`OPTIONAL_POINTS`, 0: a learner who skips the optional
  parts can still reach full marks), whatever points it had: the tag decides, not a list of cells;
- every other cell keeps its metadata (stale test or solution metadata the tool once wrote on a
  cell that no longer qualifies is removed).

Grade ids are stable: an existing one is kept; a new one is ``answer-<function>`` for the function
a solution cell defines and ``check-<function>`` for the function a test cell checks (the cell id
when there is none); nbgrader's gradebook keys grades on them. ``--check`` writes nothing and
exits 1 listing the notebooks that would change.

The simulated class of the tests and the benchmark (:func:`simulate`) is at the end.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnlib.course.console import utf8_output
from tools.make_exercises import (
    BEGIN,
    END,
    HIDDEN_BEGIN,
    SOLUTION_ONLY,
    graded_ids,
    make_exercise,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("nbgrader_config.py")
POINTS = 1
OPTIONAL = "optional"  # the tag of an optional item (an exercise's "(optional, harder)" part)
OPTIONAL_POINTS = 0  # what an optional item is worth unless told otherwise (--optional-points)
SCHEMA = 3


def check_calls(source: str) -> list[str]:
    """The checker calls of a cell, as ``python -m rnnlib.progress`` finds them."""
    from rnnlib.progress import CHECK_CALL

    return CHECK_CALL.findall(source)


def has_region(source: str) -> bool:
    return any(BEGIN.match(line) for line in source.split("\n"))


def answer_source(source: str) -> str:
    """A solution cell's source as a learner would write it: the marker lines removed."""
    return "\n".join(
        line for line in source.split("\n") if not (BEGIN.match(line) or END.match(line))
    )


def defined_functions(source: str) -> list[str]:
    """Names of the top-level functions a cell's code defines (none if it does not parse)."""
    try:
        tree = ast.parse(answer_source(source))
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


QUESTION = re.compile(r"check_answer\(\s*['\"]([^'\"]+)['\"]\s*,\s*([A-Za-z_]\w*)")


def checked_functions(source: str) -> list[tuple[str, str]]:
    """``[(check, learner name)]`` for the checker calls of a cell: ``check_x(f)`` gives
    ``("check_x", "f")``; a graded question ``check_answer("04.key", answer)`` gives
    ``("check_answer:04.key", "answer")``."""
    out = []
    for call in check_calls(source):
        q = QUESTION.match(call)
        m = re.match(r"(check_\w+)\(\s*([A-Za-z_]\w*)", call)
        if q:
            out.append((f"check_answer:{q.group(1)}", q.group(2)))
        elif m:
            out.append((m.group(1), m.group(2)))
    return out


def defined_names(source: str) -> list[str]:
    """The functions a cell defines and the names it assigns at top level (a question's
    answer is a name: ``answer = "b"``)."""
    try:
        tree = ast.parse(answer_source(source))
    except SyntaxError:
        return []
    names = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


# -- stamping ----------------------------------------------------------------------------------


def _meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def _new_id(base: str, cell, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-") or f"cell-{cell.get('id', 'x')}"
    gid, n = base, 2
    while gid in used:
        gid, n = f"{base}-{n}", n + 1
    return gid


def _is_graded_item(cell) -> bool:
    """A check call, a cell tagged ``graded`` (an item checked by plain asserts), or one with
    nbgrader's hidden tests (which nbgrader accepts only in a test cell): the cells that
    ``rnnlib.progress`` lists as graded items (once stamped)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return bool(check_calls(cell.source)) or "graded" in tags or HIDDEN_BEGIN in cell.source


def _kind(cell) -> str | None:
    """``"solution"``, ``"test"`` or None (an ordinary cell) for a solution notebook's cell."""
    meta = _meta(cell)
    solution = has_region(cell.source) or bool(meta.get("solution"))
    test = cell.cell_type == "code" and _is_graded_item(cell)
    if solution and test:
        raise ValueError(
            f"cell {cell.get('id', '?')}: expected a solution cell or a check cell, got both (a "
            "check call inside a cell with a BEGIN SOLUTION region): split it into two cells"
        )
    if cell.cell_type not in ("code", "markdown"):
        return None
    return "solution" if solution else "test" if test else None


def _points(cell, old: dict, optional_points) -> float:
    """A graded cell's points: ``optional_points`` for a cell tagged ``optional`` (whatever it
    had), else the points it has (an instructor's choice), else :data:`POINTS`."""
    if OPTIONAL in cell.get("metadata", {}).get("tags", []):
        return optional_points
    return old.get("points", POINTS)


def stamp_notebook(nb, optional_points=OPTIONAL_POINTS) -> tuple[object, int]:
    """A copy of solution notebook ``nb`` with nbgrader metadata; returns ``(notebook, n_cells
    whose metadata changed)``. A graded cell tagged ``optional`` is worth ``optional_points``."""
    nb = copy.deepcopy(nb)
    used = {_meta(c).get("grade_id") for c in nb.cells} - {None}
    changed = 0
    for cell in nb.cells:
        if SOLUTION_ONLY in cell.get("metadata", {}).get("tags", []):
            continue  # dropped from the assignment (see build)
        kind, old = _kind(cell), _meta(cell)
        if kind == "solution":
            # nbgrader accepts a markdown answer only as a manually graded one (grade: true)
            new = {
                "grade": cell.cell_type == "markdown",
                "grade_id": old.get("grade_id")
                or _new_id(
                    "answer-" + "-".join(defined_functions(cell.source) or [cell.get("id", "")]),
                    cell,
                    used,
                ),
                "locked": False,
                "schema_version": SCHEMA,
                "solution": True,
                "task": False,
            }
            if new["grade"]:
                new["points"] = _points(cell, old, optional_points)
        elif kind == "test":
            fns = [f for _, f in checked_functions(cell.source)]
            new = {
                "grade": True,
                "grade_id": old.get("grade_id")
                or _new_id("check-" + "-".join(fns or [cell.get("id", "")]), cell, used),
                "locked": True,
                "points": _points(cell, old, optional_points),
                "schema_version": SCHEMA,
                "solution": False,
                "task": False,
            }
        elif old.get("solution") is False and (old.get("grade") or old.get("locked")):
            new = None  # a test cell no longer: its check call has gone
        else:
            continue
        used.add(new["grade_id"]) if new else None
        if new != (old or None):
            changed += 1
            if new is None:
                cell.metadata.pop("nbgrader")
            else:
                cell.metadata["nbgrader"] = new
    return nb, changed


def is_stamped(nb, optional_points=OPTIONAL_POINTS) -> bool:
    """Does every solution and test cell already carry nbgrader metadata as stamp would write it?"""
    return stamp_notebook(nb, optional_points)[1] == 0


def _render(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def stamp_files(args, check=False, optional_points=OPTIONAL_POINTS) -> list[Path]:
    """Stamp the notebooks named by ``args`` (files or folders) in place; return those changed."""
    changed = []
    for path in _notebook_args(args, "--stamp"):
        nb = nbformat.read(path, as_version=4)
        new, n = stamp_notebook(nb, optional_points)
        if n:
            changed.append(path)
            if not check:
                path.write_text(_render(new), encoding="utf-8")
    return changed


# -- the course folder ---------------------------------------------------------------------------


def source_notebook(solution_nb, optional_points=OPTIONAL_POINTS):
    """The nbgrader source notebook of a solution: stamped, without ``solution-only`` cells, its
    metadata listing its graded cells' grade ids (``rnnlib.graded``, as an exercise's)."""
    nb, _ = stamp_notebook(solution_nb, optional_points)
    nb.cells = [c for c in nb.cells if SOLUTION_ONLY not in c.get("metadata", {}).get("tags", [])]
    # as in the exercise: the released copy lists its graded cells for python -m rnnlib.progress
    nb.metadata.setdefault("rnnlib", {})["graded"] = graded_ids(nb)
    return nb


def with_bin_on_path(env=None) -> dict:
    """``env`` (default: this process's) with this Python's ``bin/`` first on PATH: nbgrader's
    gradebook runs the ``alembic`` command, installed beside it."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def nbgrader(course: Path, *args, check=True, env=None, **kw) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course folder (this Python's nbgrader)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        check=check,
        capture_output=True,
        text=True,
        env=with_bin_on_path(env),
        **kw,
    )


def write_source(solutions: Path, out: Path, optional_points=OPTIONAL_POINTS) -> list[str]:
    """Write ``out/nbgrader_config.py`` and ``out/source/``; return the assignment names."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, out / "nbgrader_config.py")
    names = []
    for sol in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(sol, as_version=4)
        folder = out / "source" / sol.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / sol.name).write_text(
            _render(source_notebook(nb, optional_points)), encoding="utf-8"
        )
        names.append(sol.stem)
    return names


# What nbgrader reads from a *submitted* notebook to know which cells it grades: a learner who
# submits a copy of exercises/ (the git path, INSTRUCTORS.md section 2) is graded on a cell only
# if the copy carries the cell's grade id. (Points, checksums and lock flags come from the
# gradebook, so they may differ.)
GRADING_KEYS = ("grade_id", "grade", "solution")


def _grading(cell) -> str:
    """How nbgrader treats a cell of a submitted notebook, in words."""
    meta = _meta(cell)
    if not meta.get("grade_id"):
        return "no grade id"
    kind = "a test cell" if meta.get("grade") and not meta.get("solution") else "an answer cell"
    return f"{kind} {meta['grade_id']!r}"


def _lock(cell) -> str:
    """How JupyterLab lets a learner change ``cell`` (nbgrader's locks), in words."""
    meta = cell.get("metadata", {})
    deletable, editable = meta.get("deletable", True), meta.get("editable", True)
    if not deletable and not editable:
        return "read-only (not deletable, not editable)"
    return "not deletable" if not deletable else "not editable" if not editable else "unlocked"


def compare(released, exercise) -> list[str]:
    """Differences between a released notebook and an exercise: the cells' types, ids and
    sources, their locks, and the nbgrader metadata that decides what is graded
    (:data:`GRADING_KEYS`)."""
    diffs = []
    a, b = released.cells, exercise.cells
    if len(a) != len(b):
        diffs.append(f"{len(a)} cells released, {len(b)} in the exercise")
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        for key in ("cell_type", "id", "source"):
            if x.get(key) != y.get(key):
                diffs.append(f"cell {i} ({y.get('id', '?')}): {key} differs")
        if x.cell_type == "code" and (x.outputs or x.execution_count is not None):
            diffs.append(f"cell {i} ({x.get('id', '?')}): released with outputs")
        locks = [_lock(c) for c in (x, y)]
        if locks[0] != locks[1]:
            diffs.append(
                f"cell {i} ({y.get('id', '?')}): locked differently in JupyterLab: released"
                f" {locks[0]}, the exercise {locks[1]}"
            )
        if [_meta(x).get(k) for k in GRADING_KEYS] != [_meta(y).get(k) for k in GRADING_KEYS]:
            diffs.append(
                f"cell {i} ({y.get('id', '?')}): nbgrader metadata differs: released as"
                f" {_grading(x)}, the exercise has {_grading(y)} (a learner's copy of the"
                " exercise would not be graded on this cell)"
            )
    return diffs


class GradesExist(RuntimeError):
    """The course folder holds graded work that a rebuild would throw away (see :func:`build`)."""


class NbgraderFailed(RuntimeError):
    """``nbgrader generate_assignment`` failed (its output, and what to do when it is known)."""


def no_nbgrader(version) -> str:
    """What to do when this Python has no nbgrader (``version``: ``sys.version_info``)."""
    said = (
        f"nbgrader is not installed in this Python ({sys.executable}, {version[0]}.{version[1]})."
    )
    if tuple(version[:2]) < (3, 11):
        return (
            f"{said} nbgrader 0.9.6, the version the course is graded with, needs Python 3.11 or"
            " newer: `make clean`, then `make class PYTHON=python3.11` (or a newer Python)."
        )
    return f"{said} `make class` installs it (rnnlib[class]); or: pip install 'nbgrader>=0.9.6'."


def graded_work(out: Path) -> list[str]:
    """What a rebuild of course folder ``out`` would lose: the submissions and hand grades its
    gradebook holds, and the ``autograded/`` and ``feedback/`` folders made from them (empty
    when there is none). Read with sqlite directly: nbgrader's API would migrate the file."""
    import sqlite3

    out, found = Path(out), []
    db = out / "gradebook.db"
    if db.is_file():
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            subs = con.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]
            hand = con.execute(
                "SELECT COUNT(*) FROM grade WHERE manual_score IS NOT NULL"
                " OR extra_credit IS NOT NULL"
            ).fetchone()[0]
        except sqlite3.DatabaseError:  # not a gradebook nbgrader has used yet
            subs = hand = 0
        finally:
            con.close()
        if subs:
            found.append(f"{db} holds {subs} autograded submission{'s' * (subs != 1)}")
        if hand:
            found.append(f"{db} holds {hand} hand grade{'s' * (hand != 1)}")
    for sub in ("autograded", "feedback"):
        if (out / sub).is_dir() and any((out / sub).iterdir()):
            found.append(
                f"{out / sub}/ holds " + ("graded notebooks" if sub == "autograded" else "feedback")
            )
    return found


def _set_aside(out: Path) -> Path | None:
    """Move ``gradebook.db``, ``autograded/`` and ``feedback/`` of ``out`` into a new folder
    ``out/old-<UTC time>/``; return that folder (None when there was nothing to move)."""
    import time

    moving = [out / n for n in ("gradebook.db", "autograded", "feedback") if (out / n).exists()]
    if not moving:
        return None
    old = out / time.strftime("old-%Y%m%d-%H%M%S", time.gmtime())
    n = 2
    while old.exists():
        old, n = old.with_name(f"{old.name.split('.')[0]}.{n}"), n + 1
    old.mkdir()
    for path in moving:
        shutil.move(str(path), str(old / path.name))
    return old


def build(
    solutions="solutions",
    exercises="exercises",
    out="build/class",
    *,
    force=False,
    keep_grades=False,
    optional_points=OPTIONAL_POINTS,
) -> dict[str, list[str]]:
    """Build the course folder and release it with nbgrader; return each assignment's
    differences from ``exercises/`` (empty lists when they match).

    The gradebook is kept: nbgrader's ``generate_assignment --force`` updates its assignments.
    When the course folder already holds graded work (:func:`graded_work`), the build refuses
    (:class:`GradesExist`, nothing touched) unless told what to do with it:

    - ``keep_grades``: update the assignments in the gradebook and keep every grade (nbgrader
      accepts new points, check code or text, but no added or removed graded cells once an
      assignment has submissions); regrade with ``nbgrader autograde --force`` afterwards;
    - ``force``: a new, empty gradebook; the old ``gradebook.db``, ``autograded/`` and
      ``feedback/`` are moved into ``out/old-<UTC time>/``; ``submitted/`` is kept.
    """
    solutions, exercises, out = Path(solutions), Path(exercises), Path(out)
    if importlib.util.find_spec("nbgrader") is None:
        raise NbgraderFailed(no_nbgrader(sys.version_info))
    found = graded_work(out)
    if found and not (force or keep_grades):
        raise GradesExist(
            f"{out} already holds graded work, which a rebuild would lose:\n"
            + "".join(f"  - {f}\n" for f in found)
            + "Nothing was changed. Choose one:\n"
            "  make class KEEP_GRADES=1   (--keep-grades) keep the grades; update points, check"
            ' code and text; then regrade: nbgrader autograde --force "*"\n'
            "  make class FORCE=1         (--force) start a new gradebook; the old one,"
            f" autograded/ and feedback/ move to {out}/old-<time>/ (submitted/ stays)"
        )
    if force:
        old = _set_aside(out)
        if old:
            print(f"make_class: moved the old gradebook and graded notebooks to {old}/")
    with _kept_until_released(out) as outcome:
        names = write_source(solutions, out, optional_points)
        _drop_stale_assignments(out, names)
        proc = nbgrader(out, "generate_assignment", "--force", "--log-level=WARN", "*", check=False)
        outcome["released"] = proc.returncode == 0
    if proc.returncode:
        log = proc.stdout + proc.stderr
        said = sorted(
            {m.strip() for m in re.findall(r"Cannot (?:add|modify).*submissions[^\n]*", log)}
        )
        if said:  # nbgrader's reason, without its traceback
            raise NbgraderFailed(
                "nbgrader generate_assignment refused:\n"
                + "".join(f"  {m}\n" for m in said)
                + "A graded cell (or notebook) was added or removed in an assignment that has"
                " submissions: nbgrader keeps a submitted assignment's cells. Undo that change,"
                " or start a new gradebook with `make class FORCE=1` (then autograde again)."
                f" {out}/source and {out}/release are as they were before this run."
            )
        raise NbgraderFailed(
            f"nbgrader generate_assignment failed ({out}/source and {out}/release are as they "
            f"were before this run):\n{log}"
        )
    report = {}
    for name in names:
        released = nbformat.read(out / "release" / name / f"{name}.ipynb", as_version=4)
        ex_path = exercises / f"{name}.ipynb"
        if not ex_path.exists():
            report[name] = [f"{ex_path} does not exist: {_regenerate(solutions, exercises)}"]
            continue
        diffs = compare(released, nbformat.read(ex_path, as_version=4))
        if diffs:
            sol_path = solutions / f"{name}.ipynb"
            solution = nbformat.read(sol_path, as_version=4)
            how = _regenerate(solutions, exercises)
            stamped, _ = stamp_notebook(solution, optional_points)
            if compare(released, make_exercise(solution, "")[0]) == []:
                diffs.append(f"{ex_path} is out of sync with its solution: {how}")
            elif compare(released, make_exercise(stamped, "")[0]) == []:
                diffs.append(
                    f"{sol_path} is not stamped, so {ex_path} has no grade ids: run"
                    f" `.venv/bin/python -m tools.make_class --stamp {sol_path}`, then {how}"
                )
        report[name] = diffs
    return report


@contextlib.contextmanager
def _kept_until_released(out: Path):
    """Set ``out``'s ``source/`` and ``release/`` aside while the body writes new ones; put the
    old ones back unless the body sets ``outcome["released"]`` (the dict it is given) to True:
    a rebuild that nbgrader refuses (a graded cell added to an assignment with submissions) or
    that raises leaves the course's source and released exercises as they were, not gone."""
    aside = out / ".make_class-previous"
    shutil.rmtree(aside, ignore_errors=True)
    aside.mkdir(parents=True)
    held = [name for name in ("source", "release") if (out / name).exists()]
    for name in held:
        shutil.move(out / name, aside / name)
    outcome = {"released": False}
    try:
        yield outcome
    finally:
        if not outcome["released"]:
            for name in ("source", "release"):
                shutil.rmtree(out / name, ignore_errors=True)
            for name in held:
                shutil.move(aside / name, out / name)
        shutil.rmtree(aside, ignore_errors=True)


def _regenerate(solutions: Path, exercises: Path) -> str:
    """The command that writes ``exercises`` from ``solutions``."""
    if (solutions.resolve(), exercises.resolve()) == (ROOT / "solutions", ROOT / "exercises"):
        return "run `make exercises`"
    return f"run `.venv/bin/python -m tools.make_exercises {solutions} {exercises}`"


def _drop_stale_assignments(out: Path, names: list[str]) -> None:
    """Remove from the gradebook the assignments whose solution has gone (and that nobody
    submitted: nbgrader refuses to remove those, and they keep their grades)."""
    import sqlite3

    db = out / "gradebook.db"
    if not db.is_file():
        return
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        known = [r[0] for r in con.execute("SELECT name FROM assignment")]
    except sqlite3.DatabaseError:
        known = []
    finally:
        con.close()
    for name in sorted(set(known) - set(names)):
        proc = nbgrader(out, "db", "assignment", "remove", name, check=False)
        if proc.returncode:
            print(f"make_class: kept {name} in the gradebook (it has submissions)", file=sys.stderr)


# -- the simulated class (tests/test_class.py, benchmarks/grading.py) ----------------------------


@dataclass
class Item:
    """A graded check cell of an assignment."""

    grade_id: str
    points: float
    index: int  # in the source notebook
    checks: list[tuple[str, str]]  # (checker, learner function)


@dataclass
class Assignment:
    name: str
    source: object  # the stamped source notebook (solutions in)
    released: object  # nbgrader's release (stubs in)
    items: list[Item]
    answers: dict[str, int]  # learner function -> index of the solution cell defining it


@dataclass
class Submission:
    """One simulated learner's notebook for one assignment and how it was made."""

    student: str
    assignment: str
    # correct, blank, mistake, syntax_error, deleted_cell, reordered, endless, tampered, rebound
    kind: str
    notebook: object
    wrong: dict[str, object] = field(default_factory=dict)  # function -> how it is wrong
    detail: str = ""


def load_assignments(course: Path) -> list[Assignment]:
    out = []
    for folder in sorted((Path(course) / "source").iterdir()):
        name = folder.name
        src = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        rel = nbformat.read(Path(course) / "release" / name / f"{name}.ipynb", as_version=4)
        items, answers = [], {}
        for i, cell in enumerate(src.cells):
            meta = _meta(cell)
            if meta.get("grade") and cell.cell_type == "code":
                items.append(
                    Item(meta["grade_id"], float(meta["points"]), i, checked_functions(cell.source))
                )
            if meta.get("solution") and cell.cell_type == "code":
                for fn in defined_names(cell.source):
                    answers.setdefault(fn, i)
        out.append(Assignment(name, src, rel, items, answers))
    return out


def checker(name):
    """The check called ``name``: a function checker (``"check_loss"``) or a graded question
    (``"check_answer:04.key"``)."""
    from rnnlib import checks

    if name.startswith("check_answer:"):
        return checks.ALL_QUESTIONS[name.split(":", 1)[1]]
    return next(c for c in checks.ALL_CHECKERS if c.name == name)


def catalogue(name) -> list[tuple[object, str]]:
    """The known wrong answers of a check: ``[(key, what the check says about it)]``; a
    function checker's mistakes, or a question's explained wrong choices (or values)."""
    chk = checker(name)
    if name.startswith("check_answer:"):
        return list(chk.why.items())
    return [(m.key, m.says) for m in chk.mistakes]


def correct_notebook(a: Assignment):
    """The release with every solution cell filled in as a learner would (markers removed)."""
    nb = copy.deepcopy(a.released)
    by_id = {c.get("id"): c for c in a.source.cells}
    for cell in nb.cells:
        if _meta(cell).get("solution"):
            cell.source = answer_source(by_id[cell.get("id")].source)
    return nb


def _def_span(source: str, fn: str):
    """(first body line, last line, indent, positional parameters) of ``def fn`` in source."""
    tree = ast.parse(source)
    node = next(
        n
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == fn
    )
    body = node.body
    if (
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]  # keep the docstring
    lines = source.split("\n")
    first = body[0].lineno
    indent = re.match(r"\s*", lines[first - 1]).group(0)
    params = [p.arg for p in node.args.posonlyargs + node.args.args]
    return first, node.end_lineno, indent, params


def replace_body(source: str, fn: str, new_body: list[str]) -> str:
    """``source`` with the body of ``def fn`` (after its docstring) replaced by ``new_body``."""
    first, last, indent, _ = _def_span(source, fn)
    lines = source.split("\n")
    return "\n".join(lines[: first - 1] + [indent + b for b in new_body] + lines[last:])


def mistake_body(source: str, fn: str, check: str, key: str) -> list[str]:
    n = len(checker(check).parameters)
    params = _def_span(source, fn)[3][:n]
    return [
        f"# simulated learner: the catalogued mistake {check}/{key}",
        "from rnnlib.checks import ALL_CHECKERS",
        f"mistakes = next(c for c in ALL_CHECKERS if c.name == {check!r}).mistakes",
        f"return next(m for m in mistakes if m.key == {key!r}).answer({', '.join(params)})",
    ]


def simulate(assignments: list[Assignment]) -> list[Submission]:
    """The simulated class: for every assignment a correct and a blank submission and, for
    k = 0, 1, ..., one submission whose every checked function makes its checker's k-th catalogued
    mistake (so each catalogued mistake is made once per function it checks); then one each of: a
    syntax error, a deleted check cell, a check cell moved above its answer, a tampered (rewritten)
    test cell, a catalogued mistake whose answer cell rebinds its checker, and an endless loop."""
    subs = []
    for a in assignments:
        subs.append(Submission("correct", a.name, "correct", correct_notebook(a)))
        subs.append(Submission("blank", a.name, "blank", copy.deepcopy(a.released)))
        checked = [(chk, fn) for item in a.items for chk, fn in item.checks if fn in a.answers]
        depth = max((len(catalogue(chk)) for chk, _ in checked), default=0)
        for k in range(depth):
            nb, wrong = correct_notebook(a), {}
            for chk, fn in checked:
                known = catalogue(chk)
                if k >= len(known) or fn in wrong:
                    continue
                key = known[k][0]
                cell = nb.cells[a.answers[fn]]
                if chk.startswith("check_answer:"):  # a wrong choice, or a known wrong value
                    value = repr(float(key)) if isinstance(key, float) else repr(key)  # (not
                    # numpy's "np.float64(...)" repr, which needs numpy in the learner's cell)
                    cell.source += f"\n{fn} = {value}  # simulated learner: a known wrong answer"
                else:
                    cell.source = replace_body(
                        cell.source, fn, mistake_body(cell.source, fn, chk, key)
                    )
                wrong[fn] = (chk, key)
            subs.append(Submission(f"mistake-{k:02d}", a.name, "mistake", nb, wrong))
    subs += _special(assignments)
    return subs


def _uses(a: Assignment, fn: str) -> set[int]:
    """Indices of code cells after fn's definition whose code names fn (and of the later cells
    that name a function defined in such a cell)."""
    names, hit = {fn}, set()
    for i, cell in enumerate(a.source.cells):
        if cell.cell_type != "code" or i <= a.answers[fn]:
            continue
        try:
            used = {
                n.id
                for n in ast.walk(ast.parse(answer_source(cell.source)))
                if isinstance(n, ast.Name)
            }
        except SyntaxError:
            used = set(re.findall(r"\w+", cell.source))
        if used & names:
            hit.add(i)
            names |= set(defined_functions(cell.source))
    return hit


def _special(assignments):
    subs = []

    def function_items(a):
        return [
            i
            for i in a.items
            if i.checks
            and not i.checks[0][0].startswith("check_answer:")
            and i.checks[0][1] in a.answers
        ]

    first = next(a for a in assignments if function_items(a))
    item = function_items(first)[0]
    fn = item.checks[0][1]
    sol_i = first.answers[fn]

    nb = correct_notebook(first)
    nb.cells[sol_i].source = replace_body(
        nb.cells[sol_i].source, fn, ["return (  # simulated learner: an unclosed bracket"]
    )
    subs.append(Submission("syntax-error", first.name, "syntax_error", nb, {fn: "syntax"}))

    nb = correct_notebook(first)
    del nb.cells[item.index]
    subs.append(Submission("deleted-cell", first.name, "deleted_cell", nb, detail=item.grade_id))

    nb = correct_notebook(first)
    moved = nb.cells.pop(item.index)
    nb.cells.insert(sol_i, moved)  # the check now runs before its function exists
    subs.append(Submission("reordered", first.name, "reordered", nb, {fn: "undefined"}))

    # tampered: an unstarted answer whose read-only check cell was rewritten to pass anyway
    nb = copy.deepcopy(first.released)
    chk = item.checks[0][0]
    cell = nb.cells[item.index]
    cell.source = f'{chk} = lambda f: print("{chk}: all cases passed ✓")\n' + cell.source
    subs.append(
        Submission("tampered", first.name, "tampered", nb, {fn: "unstarted"}, item.grade_id)
    )
    # rebound: a catalogued mistake whose answer cell also rebinds the checker; nbgrader runs the
    # answer cell as written, so the check passes (the class report lists the line)
    nb = correct_notebook(first)
    key = catalogue(chk)[0][0]
    cell = nb.cells[sol_i]
    cell.source = replace_body(cell.source, fn, mistake_body(cell.source, fn, chk, key))
    cell.source += f'\n{chk} = lambda f: print("{chk}: all cases passed ✓")  # simulated learner'
    subs.append(Submission("rebound", first.name, "rebound", nb, {fn: (chk, key)}, item.grade_id))
    # the endless loop: in a function no later cell but its own check calls (so one cell hangs)
    la, lf = next(
        (
            (a, f)
            for a in assignments
            for f in a.answers
            if len(_uses(a, f)) == 1 and any(f == it.checks[0][1] for it in function_items(a))
        ),
        (None, None),
    )
    if la is None:  # no answer that only its own check calls: no endless-loop submission
        return subs
    nb = correct_notebook(la)
    i = la.answers[lf]
    nb.cells[i].source = replace_body(
        nb.cells[i].source, lf, ["while True:  # simulated learner: never ends", "    pass"]
    )
    subs.append(Submission("endless", la.name, "endless", nb, {lf: "endless"}))

    return subs


def write_submissions(course: Path, subs: list[Submission]) -> None:
    for s in subs:
        folder = Path(course) / "submitted" / s.student / s.assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{s.assignment}.ipynb").write_text(_render(s.notebook), encoding="utf-8")


def split_by_learner(subs: list[Submission], shards: int) -> list[list[Submission]]:
    """Learners dealt to ``shards`` groups of about equal numbers of submissions (a learner's
    submissions stay together: each group is a course folder of its own)."""
    by_student: dict[str, list[Submission]] = {}
    for s in subs:
        by_student.setdefault(s.student, []).append(s)
    groups: list[list[Submission]] = [[] for _ in range(shards)]
    for student in sorted(by_student, key=lambda k: -len(by_student[k])):
        min(groups, key=len).extend(by_student[student])
    return [g for g in groups if g]


def copy_course(course: Path, to: Path) -> Path:
    """A copy of a built course folder (config, source, release, gradebook) without submissions."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(course / "nbgrader_config.py", to / "nbgrader_config.py")
    shutil.copy(course / "gradebook.db", to / "gradebook.db")
    for sub in ("source", "release"):
        shutil.copytree(course / sub, to / sub, dirs_exist_ok=True)
    return to


# A kernel that could not bind the port jupyter_client chose for it (another process took it in
# between: nbgrader autograde processes side by side, INSTRUCTORS.md section 7).
PORT_RACE = "Address already in use"


def autograde(course: Path, subs: list[Submission], shards=1, options=()):
    """Autograde ``subs`` with nbgrader: with ``shards`` > 1 the class is split by learner into
    that many copies of the course folder (``<course>-shard<i>``), graded side by side by
    separate ``nbgrader autograde`` processes. Returns the course folders and the seconds taken."""
    import time

    course = Path(course)
    groups = split_by_learner(subs, shards)
    folders = (
        [course]
        if len(groups) == 1
        else [
            copy_course(course, course.with_name(f"{course.name}-shard{i}"))
            for i in range(len(groups))
        ]
    )
    for folder, group in zip(folders, groups, strict=True):
        write_submissions(folder, group)

    def start(folder, opts):
        return subprocess.Popen(
            [sys.executable, "-m", "nbgrader", "autograde", "*", "--log-level=ERROR", *opts],
            cwd=folder,
            env=with_bin_on_path(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    t0 = time.perf_counter()
    procs = [start(folder, options) for folder in folders]
    logs = [p.communicate()[0] for p in procs]
    codes = [p.returncode for p in procs]
    for i, folder in enumerate(folders):
        if codes[i] and PORT_RACE in logs[i]:
            # Processes side by side raced for a port: the kernel that lost died at its start
            # and its submission was not graded. A second run grades only the submissions
            # without a graded notebook (so without --force), as INSTRUCTORS.md section 7 says.
            again = start(folder, [o for o in options if o != "--force"])
            logs[i] += "\n[run again after a port race]\n" + again.communicate()[0]
            codes[i] = again.returncode
    seconds = time.perf_counter() - t0
    for folder, code, log in zip(folders, codes, logs, strict=True):
        if code:
            raise RuntimeError(f"nbgrader autograde in {folder} failed:\n{log}")
    return folders, seconds


def gradebook_items(course: Path) -> dict[tuple[str, str, str], dict]:
    """Every graded item of every submission in a course's gradebook: ``(student, assignment,
    grade_id) -> {score, max_score, cell_type, needs_manual_grade}`` (nbgrader's ``export``
    writes per-assignment totals; the items come from its gradebook API)."""
    from nbgrader.api import Gradebook

    os.environ["PATH"] = with_bin_on_path()["PATH"]
    out = {}
    with Gradebook(f"sqlite:///{Path(course).resolve() / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for nb in assignment.notebooks:
                for sub in gb.notebook_submissions(nb.name, assignment.name):
                    for grade in sub.grades:
                        out[(sub.student.id, assignment.name, grade.name)] = {
                            "score": float(grade.score),
                            "max_score": float(grade.max_score),
                            "cell_type": grade.cell.cell_type,
                            "needs_manual_grade": bool(grade.needs_manual_grade),
                        }
    return out


def export_totals(course: Path) -> dict[tuple[str, str], float]:
    """``nbgrader export`` (its CSV): ``(student, assignment) -> score``."""
    import csv

    nbgrader(course, "export", "--to=grades.csv", "--log-level=WARN")
    with open(Path(course) / "grades.csv", newline="", encoding="utf-8") as f:
        return {
            (row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(f)
        }


class UsageError(Exception):
    """A command-line argument that is not what make_class expects (exit code 2)."""


def _notebook_args(args, what: str) -> list[Path]:
    """The notebooks named by ``args`` (files, or folders of ``*.ipynb``), or UsageError."""
    paths = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            found = sorted(p.glob("*.ipynb"))
            if not found:
                raise UsageError(f"{what}: expected notebooks (.ipynb) in {a!r}, found none")
            paths += found
        elif p.suffix == ".ipynb" and p.is_file():
            paths.append(p)
        elif p.exists():
            raise UsageError(f"{what}: expected a notebook (.ipynb) or a folder, got {a!r}")
        else:
            raise UsageError(
                f"{what}: expected notebooks or folders of notebooks, got {a!r}, which does not"
                f" exist (in {Path.cwd()})"
            )
    return paths


def _optional_points(argv: list) -> float:
    """Take ``--optional-points N`` out of ``argv``; N (default :data:`OPTIONAL_POINTS`)."""
    if "--optional-points" not in argv:
        return OPTIONAL_POINTS
    i = argv.index("--optional-points")
    value = argv[i + 1] if i + 1 < len(argv) else None
    del argv[i : i + 2]
    try:
        points = float(value)
    except (TypeError, ValueError):
        points = -1.0
    if not points >= 0:
        raise UsageError(
            f"--optional-points: expected the points of an optional item (a number >= 0, e.g."
            f" --optional-points 1), got {value or 'nothing'}"
        )
    return int(points) if points == int(points) else points


def _options(argv) -> dict:
    """Build options from the command line (UsageError on anything else)."""
    opts = {
        "--solutions": "solutions",
        "--exercises": "exercises",
        "--out": "build/class",
        "--force": False,
        "--keep-grades": False,
    }
    it = iter(argv)
    for a in it:
        if a in ("--force", "--keep-grades"):
            opts[a] = True
        elif a in opts:
            value = next(it, None)
            if value is None or value.startswith("--"):
                raise UsageError(f"{a}: expected a folder after it, got {value or 'nothing'}")
            opts[a] = value
        else:
            raise UsageError(f"unknown argument {a!r}; see --help")
    if opts["--force"] and opts["--keep-grades"]:
        raise UsageError("--force and --keep-grades: expected one of them, got both")
    sols, exs = Path(opts["--solutions"]), Path(opts["--exercises"])
    if not sols.is_dir() or not any(sols.glob("*.ipynb")):
        why = "which does not exist" if not sols.exists() else "which holds no .ipynb notebooks"
        if sols.exists() and not sols.is_dir():
            why = "which is not a folder"
        raise UsageError(
            f"--solutions: expected the folder of solution notebooks (solutions/), got"
            f" {opts['--solutions']!r}, {why} (in {Path.cwd()})"
        )
    if not exs.is_dir():
        why = "which does not exist" if not exs.exists() else "which is not a folder"
        raise UsageError(
            f"--exercises: expected the folder of exercise notebooks made from {sols}, got"
            f" {opts['--exercises']!r}, {why} (in {Path.cwd()}); to make it,"
            f" {_regenerate(sols, exs)}"
        )
    return opts


def main(argv=None) -> int:
    utf8_output()
    argv = sys.argv[1:] if argv is None else list(argv)
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return 0
    try:
        optional_points = _optional_points(argv)
        if "--stamp" in argv:
            check = "--check" in argv
            args = [a for a in argv if a not in ("--stamp", "--check")]
            flags = [a for a in args if a.startswith("-")]
            if flags:
                raise UsageError(f"--stamp: unknown argument {flags[0]!r}; see --help")
            if not args:
                raise UsageError("--stamp: expected notebooks or folders, got none")
            changed = stamp_files(args, check=check, optional_points=optional_points)
            for p in changed:
                print(("not stamped: " if check else "stamped: ") + str(p))
            return 1 if check and changed else 0
        opts = _options(argv)
        report = build(
            opts["--solutions"],
            opts["--exercises"],
            opts["--out"],
            force=opts["--force"],
            keep_grades=opts["--keep-grades"],
            optional_points=optional_points,
        )
    except UsageError as err:
        print(f"make_class: {err}", file=sys.stderr)
        return 2
    except GradesExist as err:
        print(f"make_class: {err}", file=sys.stderr)
        return 3
    except NbgraderFailed as err:
        print(f"make_class: {err}", file=sys.stderr)
        return 1
    bad = {k: v for k, v in report.items() if v}
    for name, diffs in report.items():
        print(f"{name}: " + ("released = exercise (cells, grade ids) ✓" if not diffs else ""))
        for d in diffs:
            print(f"    {d}")
    differ = f"{len(bad)} differ{'s' if len(bad) == 1 else ''} from {opts['--exercises']}/"
    print(
        f"\n{opts['--out']}: {len(report)} assignment{'s' if len(report) != 1 else ''}"
        " released by nbgrader; " + (differ if bad else "all match exercises/")
    )
    if bad:
        print(
            f"{opts['--out']} is updated but does not match what learners get from"
            f" {opts['--exercises']}/: do what is said above, then run this command again"
        )
    elif opts["--keep-grades"] and graded_work(Path(opts["--out"])):
        print(
            "Grades kept. Regrade, so that the new points count: in the course folder,"
            ' `nbgrader autograde --force "*"` (hand grades stay; nbgrader marks them for'
            " review in the formgrader)"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
