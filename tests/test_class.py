"""A whole class, graded by nbgrader: the course folder built from the solutions (`make class`),
a simulated class of learners made from the solutions and the checkers' mistake catalogues,
nbgrader's own ``autograde``, ``export`` and ``generate_feedback`` on it, every item's points
against an expected score derived from how the submission was made, and against what
``rnnlib.progress`` says about the same notebook.

The expected scores do not come from nbgrader or from a notebook run: each is derived from the
submission's recipe. For answers made of code (correct, a catalogued mistake, a syntax error) the
answer cells are executed here, in this process, and each item's checker is called on the
function the learner defined: an item earns its points when the checker accepts it. The items a
recipe breaks outright (a deleted or reordered check cell, an endless loop, an unstarted answer
behind a rewritten test cell) earn nothing, and every other item of such a submission earns its
points. Each submission makes a catalogued mistake only where its checker must reject it, which
is asserted too.

A written (markdown) answer, graded by hand, is tested on its own: one is added to a copy of
exercise 01, as INSTRUCTORS.md tells an instructor to, and graded with a small class of its own.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import csv
import dataclasses
import html
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnlib import progress
from rnnlib.course import checking
from rnnlib.progress import PASSED, classify, item_names
from rnnlib.progress import run_notebook as progress_run
from tools import make_class as mc
from tools import make_exercises as me

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 10  # nbgrader's cell timeout for the simulated class (the endless loop waits this long)
# (below the checks' own limit per case, so the simulated endless loop meets the cell timeout)
assert TIMEOUT < checking.TIME_LIMIT
pytestmark = [pytest.mark.slow, pytest.mark.grading]


# -- expected scores, from the recipe ------------------------------------------------------------


def _imports_and_definitions(source: str) -> str:
    """The import statements (multi-line ones too) and function/class definitions of a cell."""
    source = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line  # IPython magics
        for line in source.split("\n")
    )
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    return "\n".join(ast.get_source_segment(source, n) for n in tree.body if isinstance(n, keep))


def _namespace(nb) -> dict:
    """Run, here, the submission's import lines and answer cells; return its globals."""
    ns: dict = {"__name__": "__submission__"}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade"):
            continue
        if meta.get("solution"):
            code = cell.source
        else:  # only the imports and definitions of the other cells (no plots, no training runs)
            code = _imports_and_definitions(cell.source)
        with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "<answer>", "exec"), ns)  # a SyntaxError leaves the cell undone
    return ns


def _accepted(check, fn, ns) -> bool:
    if fn not in ns:
        return False
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            mc.checker(check)(ns[fn])
    except (AssertionError, NotImplementedError):
        return False
    return True


def expected_scores(a: mc.Assignment, sub: mc.Submission) -> dict[str, float]:
    broken = {
        "blank": {i.grade_id for i in a.items},
        "tampered": {i.grade_id for i in a.items},
        "deleted_cell": {sub.detail},
        "reordered": {i.grade_id for i in a.items if {f for _, f in i.checks} & set(sub.wrong)},
        "endless": {i.grade_id for i in a.items if {f for _, f in i.checks} & set(sub.wrong)},
    }
    if sub.kind in broken:
        return {i.grade_id: 0.0 if i.grade_id in broken[sub.kind] else i.points for i in a.items}
    ns = _namespace(sub.notebook)
    out = {}
    for item in a.items:
        ok = all(_accepted(chk, fn, ns) for chk, fn in item.checks)
        out[item.grade_id] = item.points if ok else 0.0
    if sub.kind == "rebound":  # nbgrader runs the answer cell as written: the check it rebinds
        out[sub.detail] = next(i.points for i in a.items if i.grade_id == sub.detail)  # passes
    for fn, how in sub.wrong.items():  # a catalogued mistake (or a syntax error) is never accepted
        assert not any(_accepted(chk, fn, ns) for i in a.items for chk, f in i.checks if f == fn), (
            f"{sub.student}/{sub.assignment}: {fn} made {how} and its checker accepted it"
        )
    return out


# -- the class, graded once for the module -------------------------------------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("class") / "course"
    report = mc.build(ROOT / "solutions", ROOT / "exercises", course)
    assignments = mc.load_assignments(course)
    subs = mc.simulate(assignments)
    folders, seconds = mc.autograde(
        course, subs, shards=2, options=[f"--Execute.timeout={TIMEOUT}"]
    )
    items, totals = {}, {}
    for folder in folders:
        items.update(mc.gradebook_items(folder))
        totals.update(mc.export_totals(folder))
    where = {s.student: f for f in folders for s in subs if (f / "submitted" / s.student).is_dir()}
    print(f"\nautograded {len(subs)} submissions in {seconds:.1f} s ({len(folders)} processes)")
    return {
        "course": course,
        "report": report,
        "assignments": {a.name: a for a in assignments},
        "subs": subs,
        "items": items,
        "totals": totals,
        "folder": where,
    }


def _autograded(graded, sub):
    path = graded["folder"][sub.student] / "autograded" / sub.student / sub.assignment
    return nbformat.read(path / f"{sub.assignment}.ipynb", as_version=4)


def test_release_matches_the_exercises(graded):
    assert graded["report"] and all(d == [] for d in graded["report"].values()), graded["report"]
    names = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))
    assert sorted(graded["assignments"]) == names


def test_a_deleted_check_cell_is_reported_by_progress_as_nbgrader_grades_it(graded):
    """The released copies list their graded cells as the exercises do (rnnlib.graded), so
    `python -m rnnlib.progress` on a learner's copy from either path lists a deleted check cell
    as failing, where nbgrader gives it no points (it said every item passed)."""
    for name in graded["assignments"]:
        released = nbformat.read(graded["course"] / "release" / name / f"{name}.ipynb", 4)
        exercise = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", 4)
        assert released.metadata.rnnlib.graded == exercise.metadata.rnnlib.graded, name
    [sub] = [s for s in graded["subs"] if s.kind == "deleted_cell"]
    [row] = progress.missing_items(sub.notebook, sub.assignment)
    assert row.status == progress.FAILING and row.name == f"(grade id {sub.detail})"
    points = graded["items"][(sub.student, sub.assignment, sub.detail)]
    assert points["score"] == 0.0, points


def test_the_simulated_class_covers_every_recipe_and_every_catalogued_mistake(graded):
    subs = graded["subs"]
    assert len(subs) >= 40
    kinds = {s.kind for s in subs}
    assert kinds == {
        "correct",
        "blank",
        "mistake",
        "syntax_error",
        "deleted_cell",
        "reordered",
        "endless",
        "tampered",
        "rebound",
    }
    made = {how for s in subs if s.kind == "mistake" for how in s.wrong.values()}
    for a in graded["assignments"].values():
        for item in a.items:
            for chk, fn in item.checks:
                assert fn in a.answers, f"{a.name}: {chk}({fn}) checks no answer cell"
                want = {(chk, key) for key, _ in mc.catalogue(chk)}
                assert want <= made, f"{a.name}: mistakes never made: {want - made}"


def test_every_item_scores_what_its_recipe_says(graded):
    wrong = []
    n = 0
    for sub in graded["subs"]:
        a = graded["assignments"][sub.assignment]
        for gid, want in expected_scores(a, sub).items():
            got = graded["items"][(sub.student, sub.assignment, gid)]
            n += 1
            # nbgrader puts a graded cell that has gone from a submission before the instructor
            flag = sub.kind == "deleted_cell" and gid == sub.detail
            if got["score"] != want or got["needs_manual_grade"] != flag:
                wrong.append(f"{sub.student}/{sub.assignment}/{gid}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
    assert n >= 200


def test_export_totals_are_the_sums_of_the_items(graded):
    totals, items = graded["totals"], graded["items"]
    for sub in graded["subs"]:
        key = (sub.student, sub.assignment)
        want = sum(v["score"] for k, v in items.items() if k[:2] == key)
        assert totals[key] == pytest.approx(want), key
    correct = {k: v for k, v in totals.items() if k[0] == "correct"}
    max_auto = {a.name: sum(i.points for i in a.items) for a in graded["assignments"].values()}
    assert correct == {("correct", n): p for n, p in max_auto.items()}


def test_optional_items_count_for_nothing(graded):
    """Every graded item tagged ``optional`` is worth 0 (tools/make_class.py, OPTIONAL_POINTS):
    an assignment's maximum in ``nbgrader export`` is the sum of its other items, which a learner
    who skips every optional part reaches."""
    optional, submitted = set(), {(s.student, s.assignment) for s in graded["subs"]}
    for folder in set(graded["folder"].values()):
        with open(folder / "grades.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if (row["student_id"], row["assignment"]) not in submitted:
                    continue  # (export lists every learner with every assignment)
                a = graded["assignments"][row["assignment"]]
                required = 0.0
                for item in a.items:
                    tags = a.source.cells[item.index].metadata.get("tags", [])
                    got = graded["items"][(row["student_id"], a.name, item.grade_id)]
                    if "optional" in tags:
                        optional.add((a.name, item.grade_id))
                        assert item.points == got["max_score"] == 0.0, (a.name, item.grade_id)
                    else:
                        required += item.points
                assert float(row["max_score"]) == required > 0, row
    assert len(optional) >= 3, optional


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """INSTRUCTORS.md section 5, "a written question", done on a copy of one exercise: a markdown
    question and a markdown answer between the solution markers, then `--stamp`, `make exercises`
    and `make class`. nbgrader autogrades a learner who wrote an answer, one who left it as
    released (``YOUR ANSWER HERE``), and the blank and tampered recipes."""
    tmp_path = tmp_path_factory.mktemp("written")
    name = "01_loss_and_its_derivative"
    sols, exs = tmp_path / "solutions", tmp_path / "exercises"
    sols.mkdir()
    exs.mkdir()
    shutil.copy(ROOT / "solutions" / f"{name}.ipynb", sols)
    shutil.copy(ROOT / "exercises" / f"{name}.ipynb", exs)
    path = sols / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if mc.SOLUTION_ONLY in c.metadata.get("tags", []))
    written = "The ½ε² term of $L(\\hat y + \\varepsilon)$, divided by $\\varepsilon$: ε/2."
    nb.cells[at:at] = [
        nbformat.v4.new_markdown_cell(
            "**Question 4 (written).** Why is the forward difference of the loss off by exactly "
            "$\\varepsilon/2$, whatever $\\hat y$ and $y$?",
            id="s01-w01",
        ),
        nbformat.v4.new_markdown_cell(
            f"### BEGIN SOLUTION\n{written}\n### END SOLUTION", id="s01-w02"
        ),
    ]
    nbformat.write(nb, path)
    assert mc.main(["--stamp", str(path)]) == 0
    assert me.main([str(sols), str(exs)]) == 0  # make exercises
    course = tmp_path / "course"
    report = mc.build(sols, exs, course)  # make class
    [a] = mc.load_assignments(course)
    cell = a.released.cells[at + 1]

    recipes = {s.kind: s for s in mc.simulate([a]) if s.kind in ("correct", "blank", "tampered")}
    wrote = dataclasses.replace(recipes["correct"], student="wrote")  # every answer, written too
    left = dataclasses.replace(
        wrote, student="left-as-released", notebook=copy.deepcopy(wrote.notebook)
    )
    left.notebook.cells[at + 1].source = cell.source
    subs = [wrote, left, recipes["blank"], recipes["tampered"]]
    expected = {sub.student: expected_scores(a, sub) for sub in subs}  # the autograded items
    mc.autograde(course, subs, options=[f"--Execute.timeout={TIMEOUT}"])
    return {
        "name": name,
        "solutions": sols,
        "exercises": exs,
        "course": course,
        "report": report,
        "assignment": a,
        "at": at,
        "written": written,
        "subs": subs,
        "expected": expected,
    }


def test_a_written_answer_waits_for_the_instructor(written):
    """A written answer scores 0 and waits in the formgrader (needs manual grade); one left as
    released scores 0 and does not. ``nbgrader export`` counts its points in every submission's
    maximum, and its hand grade in the total."""
    name, course, a, at = written["name"], written["course"], written["assignment"], written["at"]
    subs, expected = written["subs"], written["expected"]
    assert written["report"] == {name: []}  # make class: release = exercise
    cell = a.released.cells[at + 1]
    meta = cell.metadata.nbgrader
    gid, points = meta["grade_id"], float(meta["points"])
    assert (cell.cell_type, cell.source, gid) == ("markdown", "YOUR ANSWER HERE", "answer-s01-w02")
    assert meta["solution"] and meta["grade"] and not meta["locked"] and points == mc.POINTS, meta
    wrote = subs[0]
    assert wrote.notebook.cells[at + 1].source == written["written"]
    items = mc.gradebook_items(course)

    for sub in subs:
        got = items[(sub.student, name, gid)]
        assert got["cell_type"] == "markdown" and got["max_score"] == points, (sub.student, got)
        assert got["score"] == 0.0, f"{sub.student}: a written answer scored before a hand grade"
        waits = sub.student == wrote.student
        assert got["needs_manual_grade"] == waits, (
            f"{sub.student}: needs_manual_grade is {got['needs_manual_grade']}, expected {waits}: "
            "a written answer waits for the instructor, one left as released does not"
        )
        for item_id, want in expected[sub.student].items():
            assert items[(sub.student, name, item_id)]["score"] == want, (sub.student, item_id)

    # the instructor grades the written answer, as the formgrader's API does
    _hand_grade(course, name, gid, wrote.student, points)
    totals = mc.export_totals(course)
    with open(course / "grades.csv", newline="", encoding="utf-8") as f:
        max_score = {row["student_id"]: float(row["max_score"]) for row in csv.DictReader(f)}
    auto_max = sum(i.points for i in a.items)
    for sub in subs:
        auto = sum(expected[sub.student].values())
        hand = points if sub.student == wrote.student else 0.0
        assert totals[(sub.student, name)] == pytest.approx(auto + hand), sub.student
        assert max_score[sub.student] == auto_max + points, (sub.student, max_score)


def _hand_grade(course, name, gid, student, score):
    """What the formgrader does when the instructor grades a written answer."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course).resolve() / 'gradebook.db'}") as gb:
        grade = gb.find_grade(gid, name, name, student)
        grade.manual_score, grade.needs_manual_grade = score, False
        gb.db.commit()


def test_new_points_after_grading_keep_every_grade(written, capsys):
    """INSTRUCTORS.md section 5, after grades exist: `make class` refuses and changes nothing;
    `make class KEEP_GRADES=1` takes the new points and keeps the hand grade; `nbgrader autograde
    --force` regrades with them; `make class FORCE=1` starts a new gradebook and moves the old
    one, with autograded/, aside."""
    name, course, sols, exs = (written[k] for k in ("name", "course", "solutions", "exercises"))
    wrote = written["subs"][0].student
    gid = "answer-s01-w02"
    _hand_grade(course, name, gid, wrote, 1.0)
    before = mc.gradebook_items(course)
    db_bytes = (course / "gradebook.db").read_bytes()
    release = (course / "release" / name / f"{name}.ipynb").read_bytes()

    path = sols / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    check = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check-loss"
    )
    check.metadata.nbgrader["points"] = 4
    nbformat.write(nb, path)
    argv = ["--solutions", str(sols), "--exercises", str(exs), "--out", str(course)]

    assert mc.main(argv) == 3  # make class: refused, nothing touched
    err = capsys.readouterr().err
    assert "holds 4 autograded submissions" in err and "holds 1 hand grade" in err, err
    assert "KEEP_GRADES=1" in err and "FORCE=1" in err
    assert (course / "gradebook.db").read_bytes() == db_bytes
    assert (course / "release" / name / f"{name}.ipynb").read_bytes() == release

    assert mc.main([*argv, "--keep-grades"]) == 0  # make class KEEP_GRADES=1
    assert 'nbgrader autograde --force "*"' in capsys.readouterr().out
    mc.nbgrader(course, "autograde", "--force", "*", f"--Execute.timeout={TIMEOUT}")
    after = mc.gradebook_items(course)
    assert set(after) == set(before)
    for key, got in after.items():
        want = dict(before[key])
        if key[2] == "check-loss":
            want["max_score"] = 4.0
            want["score"] = 4.0 if before[key]["score"] else 0.0
        if key == (wrote, name, gid):  # the hand grade stays; nbgrader asks for a second look
            want["needs_manual_grade"] = True
        assert got == want, (key, got, want)
    assert after[("wrote", name, "check-loss")]["score"] == 4.0

    # a new graded cell in a submitted assignment: nbgrader refuses, and make class says why
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(nb.cells.index(check) + 1, nbformat.v4.new_code_cell("check_loss(loss)"))
    nbformat.write(nb, path)
    released = course / "release" / name / f"{name}.ipynb"
    kept = {p: p.read_bytes() for p in (released, course / "source" / name / f"{name}.ipynb")}
    assert mc.main([*argv, "--keep-grades"]) == 1
    err = capsys.readouterr().err
    assert "Cannot add or remove cells" in err and "make class FORCE=1" in err, err
    assert "Traceback" not in err and mc.gradebook_items(course) == after
    # the refused rebuild left the course as it was (its release/ was gone, its source/ new)
    assert f"{course}/source and {course}/release are as they were before this run" in err
    assert {p: p.read_bytes() for p in kept} == kept
    assert sorted(p.name for p in course.iterdir() if p.name.startswith(".")) == []
    del nb.cells[nb.cells.index(check) + 1]
    nbformat.write(nb, path)

    assert mc.main([*argv, "--force"]) == 0  # make class FORCE=1
    [old] = course.glob("old-*")
    assert "moved the old gradebook" in capsys.readouterr().out
    assert (old / "gradebook.db").is_file() and (old / "autograded" / wrote / name).is_dir()
    assert not (course / "autograded").exists() and (course / "submitted" / wrote / name).is_dir()
    assert mc.graded_work(course) == [] and mc.gradebook_items(course) == {}
    assert mc.gradebook_items(old)[(wrote, name, gid)]["score"] == 1.0


def test_a_rebuild_without_grades_keeps_the_gradebook(tmp_path):
    """No submissions yet: `make class` rebuilds and keeps what the gradebook holds (a learner
    list, for one), dropping an assignment whose solution has gone."""
    sols = tmp_path / "solutions"
    sols.mkdir()
    names = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))[:2]
    for n in names:
        shutil.copy(ROOT / "solutions" / n, sols)
    course = tmp_path / "course"
    mc.build(sols, ROOT / "exercises", course)
    mc.nbgrader(course, "db", "student", "add", "ada", "--last-name=Lovelace")
    (sols / names[1]).unlink()
    assert mc.build(sols, ROOT / "exercises", course) == {names[0][:-6]: []}
    listing = mc.nbgrader(course, "db", "student", "list").stdout
    assert "ada (Lovelace" in listing, listing
    assignments = mc.nbgrader(course, "db", "assignment", "list").stdout
    assert names[0][:-6] in assignments and names[1][:-6] not in assignments, assignments


def test_a_tampered_test_cell_is_restored_and_earns_nothing(graded):
    from nbgrader.utils import compute_checksum

    sub = next(s for s in graded["subs"] if s.kind == "tampered")
    a = graded["assignments"][sub.assignment]
    item = next(i for i in a.items if i.grade_id == sub.detail)
    submitted = sub.notebook.cells[item.index].source
    restored = _autograded(graded, sub).cells[item.index]
    released = a.released.cells[item.index]
    assert submitted != released.source and "lambda" in submitted
    assert restored.source == released.source
    assert compute_checksum(restored) == released.metadata.nbgrader["checksum"]
    assert graded["items"][(sub.student, sub.assignment, item.grade_id)]["score"] == 0.0
    # the learner's own progress command runs the notebook as submitted: fooled, by design
    rows = classify(progress_run(_submitted(graded, sub), timeout=TIMEOUT), sub.assignment)
    call = "; ".join(mc.check_calls(a.source.cells[item.index].source))
    assert [r.status for r in rows if r.name == call] == [PASSED]


def _submitted(graded, sub) -> Path:
    return (
        graded["folder"][sub.student]
        / "submitted"
        / sub.student
        / sub.assignment
        / (f"{sub.assignment}.ipynb")
    )


def _progress_points(a, rows):
    """Points per item from progress's rows: an item earns its points when its row passed; an
    item progress does not list (its check cell is gone) earns nothing."""
    status = {r.name: r.status for r in rows}
    names = item_names(a.source)
    return {
        i.grade_id: i.points if status.get(names.get(i.index)) == PASSED else 0.0 for i in a.items
    }


def test_progress_agrees_with_nbgrader_on_every_autograded_notebook(graded):
    """progress's verdict (its ``classify``) on the notebook nbgrader executed."""
    wrong = []
    for sub in graded["subs"]:
        a = graded["assignments"][sub.assignment]
        points = _progress_points(a, classify(_autograded(graded, sub), sub.assignment))
        for gid, p in points.items():
            got = graded["items"][(sub.student, sub.assignment, gid)]["score"]
            if got != p:
                wrong.append(f"{sub.student}/{sub.assignment}/{gid}: nbgrader {got}, progress {p}")
    assert not wrong, "\n".join(wrong)


def test_progress_run_on_the_submitted_notebook_agrees(graded):
    """``python -m rnnlib.progress``'s own run, on one submission of every recipe (the tampered
    one aside: see above), gives each item the points nbgrader gave it."""
    seen, wrong = set(), []
    for sub in graded["subs"]:
        if sub.kind in seen or sub.kind == "tampered":
            continue
        seen.add(sub.kind)
        a = graded["assignments"][sub.assignment]
        rows = classify(progress_run(_submitted(graded, sub), timeout=TIMEOUT), sub.assignment)
        for gid, p in _progress_points(a, rows).items():
            got = graded["items"][(sub.student, sub.assignment, gid)]["score"]
            if got != p:
                wrong.append(f"{sub.student}/{sub.assignment}/{gid}: nbgrader {got}, progress {p}")
    assert len(seen) == 8 and not wrong, "\n".join(wrong)


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", path.read_text("utf-8"))))


def test_feedback_names_the_mistake(graded):
    sub = next(s for s in graded["subs"] if s.kind == "mistake" and s.student == "mistake-02")
    folder = graded["folder"][sub.student]
    mc.nbgrader(folder, "generate_feedback", sub.assignment, f"--student={sub.student}")
    page = folder / "feedback" / sub.student / sub.assignment / f"{sub.assignment}.html"
    text = _text(page)
    for fn, (chk, key) in sub.wrong.items():
        says = dict(mc.catalogue(chk))[key]
        assert " ".join(says.split()) in text, (fn, chk, says)
    assert "Score:" in text or "Points:" in text or "points" in text.lower()


def test_a_timed_out_check_says_why_in_the_feedback(graded):
    """The endless loop: the feedback's stopped cell says what happened and what to look for
    (tools/nbgrader_config.py, Execute.error_on_timeout), not only ``CellTimeoutError``."""
    sub = next(s for s in graded["subs"] if s.kind == "endless")
    a = graded["assignments"][sub.assignment]
    [fn] = sub.wrong
    [item] = [i for i in a.items if fn in {f for _, f in i.checks}]
    outputs = _autograded(graded, sub).cells[item.index].outputs
    # the kernel's KeyboardInterrupt (nbgrader interrupts the cell), then nbgrader's own error
    [error] = [o for o in outputs if o.get("ename") == "CellTimeoutError"]
    assert "time limit" in error.evalue, error
    folder = graded["folder"][sub.student]
    mc.nbgrader(folder, "generate_feedback", sub.assignment, f"--student={sub.student}")
    page = folder / "feedback" / sub.student / sub.assignment / f"{sub.assignment}.html"
    text = _text(page)
    assert "ran longer than the time limit for one cell and was stopped" in text
    assert "Is there a loop that never ends" in text


def test_zip_collect_sorts_an_lms_download(tmp_path):
    """INSTRUCTORS.md section 2: an LMS download (a zip with a folder per learner and files named
    <learner>_<anything>_<NN_name>.ipynb, a learner's own zip, a loose resubmission) in
    downloaded/NN_name/archive/; `nbgrader zip_collect NN_name` puts each notebook in
    submitted/<learner>/NN_name/, and skips, naming it, a notebook it cannot attribute."""
    import zipfile

    name = "01_loss_and_its_derivative"
    course = tmp_path / "course"
    (course / "release" / name).mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / f"{name}.ipynb", course / "release" / name)
    shutil.copy(mc.CONFIG, course / "nbgrader_config.py")
    archive = course / "downloaded" / name / "archive"
    archive.mkdir(parents=True)

    def notebook(learner):
        nb = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
        nb.metadata["learner"] = learner
        return nbformat.writes(nb)

    with zipfile.ZipFile(archive / "lms-download.zip", "w") as z:
        z.writestr(f"bob/{name}.ipynb", notebook("bob"))
        z.writestr(f"carol_12345_67890_{name}.ipynb", notebook("carol"))
        z.writestr("readme.txt", "not a notebook")
    with zipfile.ZipFile(archive / "erin.zip", "w") as z:  # a learner's own zip
        z.writestr(f"{name}.ipynb", notebook("erin"))
    (archive / f"dave_{name}-1.ipynb").write_text(notebook("dave"), encoding="utf-8")
    (archive / f"{name}.ipynb").write_text(notebook("nobody"), encoding="utf-8")  # whose? skipped
    proc = mc.nbgrader(course, "zip_collect", name)
    submitted = course / "submitted"
    learners = ("bob", "carol", "dave", "erin")
    got = sorted(p.relative_to(submitted).as_posix() for p in submitted.rglob("*.ipynb"))
    assert got == [f"{s}/{name}/{name}.ipynb" for s in learners], proc.stderr
    assert f"no match information provided: {course}/downloaded/{name}/extracted/{name}.ipynb" in (
        proc.stderr
    )
    for s in learners:
        nb = nbformat.read(submitted / s / name / f"{name}.ipynb", as_version=4)
        assert nb.metadata["learner"] == s


def test_make_class_cli_and_stamp_on_copies(tmp_path):
    """--stamp adds the metadata to copies of the solutions, is idempotent, and keeps points an
    instructor set; --check reports unstamped notebooks."""
    sols = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions", sols)
    run = [sys.executable, "-m", "tools.make_class"]
    unstamped = [p for p in sorted(sols.glob("*.ipynb")) if not mc.is_stamped(nbformat.read(p, 4))]
    check = subprocess.run([*run, "--stamp", "--check", str(sols)], cwd=ROOT, capture_output=True)
    assert check.returncode == (1 if unstamped else 0)
    subprocess.run([*run, "--stamp", str(sols)], cwd=ROOT, check=True, capture_output=True)
    again = subprocess.run([*run, "--stamp", "--check", str(sols)], cwd=ROOT, capture_output=True)
    assert again.returncode == 0, again.stdout
    nb_path = sorted(sols.glob("*.ipynb"))[0]
    nb = nbformat.read(nb_path, 4)
    test_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    code_tests = [c for c in test_cells if c.cell_type == "code"]
    assert code_tests and all(
        c.metadata.nbgrader["locked"] and mc.check_calls(c.source) for c in code_tests
    )
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all(not c.metadata.nbgrader["locked"] for c in answers)
    code_tests[0].metadata.nbgrader["points"] = 5
    nbformat.write(nb, nb_path)
    subprocess.run([*run, "--stamp", str(nb_path)], cwd=ROOT, check=True, capture_output=True)
    assert (
        nbformat.read(nb_path, 4).cells[nb.cells.index(code_tests[0])].metadata.nbgrader["points"]
        == 5
    )
    ids = [c.metadata.nbgrader["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))


def test_stamp_rejects_a_check_inside_an_answer_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\ncheck_loss(f)"
        )
    ]
    with pytest.raises(ValueError, match="expected a solution cell or a check cell, got both"):
        mc.stamp_notebook(nb)


def _exercise_01_copy(tmp_path):
    """``(name, solutions, exercises, course, path)``: exercise 01's solution copied alone into
    ``tmp_path/solutions`` (at ``path``), with empty ``exercises`` and a ``course`` folder to be."""
    name = "01_loss_and_its_derivative"
    sols, exs, course = tmp_path / "solutions", tmp_path / "exercises", tmp_path / "course"
    sols.mkdir()
    exs.mkdir()
    shutil.copy(ROOT / "solutions" / f"{name}.ipynb", sols)
    return name, sols, exs, course, sols / f"{name}.ipynb"


def test_an_own_question_with_hidden_tests(tmp_path):
    """INSTRUCTORS.md section 5, "your own question": an answer cell and a check cell of plain
    asserts whose value check is nbgrader's hidden test. --stamp makes it a test cell, make
    exercises removes the hidden test as nbgrader's release does (release = exercise, so the
    learner never sees the value), and autograde runs the hidden test again: a learner's copy of
    the exercise with the right value earns the point, one with another value earns nothing."""
    name, sols, exs, course, path = _exercise_01_copy(tmp_path)
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if mc.SOLUTION_ONLY in c.metadata.get("tags", []))
    nb.cells[at:at] = [
        nbformat.v4.new_markdown_cell("**Question 4.** L at ŷ = 2, y = 0.5?", id="s01-h01"),
        nbformat.v4.new_code_cell(
            "L_value = None\n### BEGIN SOLUTION\nL_value = 1.125\n### END SOLUTION", id="s01-h02"
        ),
        nbformat.v4.new_code_cell(
            'assert isinstance(L_value, float), f"L_value: expected a float, got {L_value!r}"\n'
            "### BEGIN HIDDEN TESTS\n"
            'assert abs(L_value - 1.125) < 1e-9, "L_value is not right"\n'
            "### END HIDDEN TESTS",
            id="s01-h03",
        ),
    ]
    nbformat.write(nb, path)
    assert mc.main(["--stamp", str(path)]) == 0
    assert me.main([str(sols), str(exs)]) == 0
    assert mc.build(sols, exs, course) == {name: []}
    exercise = nbformat.read(exs / f"{name}.ipynb", as_version=4)
    check = next(c for c in exercise.cells if c.id == "s01-h03")
    assert "1.125" not in check.source and check.metadata.nbgrader["grade"]
    gid = check.metadata.nbgrader["grade_id"]

    def learner(value):
        nb = copy.deepcopy(exercise)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = mc.answer_source(
                    next(c for c in nbformat.read(path, 4).cells if c.id == cell.id).source
                )
        next(c for c in nb.cells if c.id == "s01-h02").source = f"L_value = {value}"
        return nb

    subs = [
        mc.Submission("right", name, "correct", learner(1.125)),
        mc.Submission("wrong", name, "mistake", learner(2.25)),
    ]
    mc.autograde(course, subs, options=[f"--Execute.timeout={TIMEOUT}"])
    items = mc.gradebook_items(course)
    assert items[("right", name, gid)]["score"] == 1.0
    assert items[("wrong", name, gid)]["score"] == 0.0
    graded = nbformat.read(course / "autograded" / "wrong" / name / f"{name}.ipynb", 4)
    [error] = [o for c in graded.cells if c.id == "s01-h03" for o in c.outputs]
    assert error.evalue == "L_value is not right", error


def test_compare_sees_a_different_stub():
    """The release check is not vacuous: nbgrader's default stub would be reported."""
    ex = nbformat.v4.new_notebook()
    ex.cells = [nbformat.v4.new_code_cell("def f():\n    raise NotImplementedError()")]
    rel = copy.deepcopy(ex)
    rel.cells[0].source = "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    rel.cells[0].id = ex.cells[0].id
    assert mc.compare(rel, ex) == [f"cell 0 ({ex.cells[0].id}): source differs"]
    rel.cells[0].source = ex.cells[0].source
    rel.cells[0].metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "answer-f"}
    ex.cells[0].metadata["nbgrader"] = dict(rel.cells[0].metadata["nbgrader"])
    rel.cells[0].metadata["nbgrader"]["checksum"] = "abc"  # nbgrader's own, in the release only
    assert mc.compare(rel, ex) == []


def test_compare_sees_an_exercise_without_the_grade_ids():
    """A learner's copy of an exercise is graded by nbgrader only on the cells whose grade id it
    carries: an exercise without them (made before the solution was stamped) is a difference;
    other points than the release's are not (the gradebook's points count)."""
    rel = nbformat.v4.new_notebook()
    rel.cells = [
        nbformat.v4.new_code_cell("def f():\n    raise NotImplementedError()"),
        nbformat.v4.new_code_cell("check_loss(f)"),
    ]
    rel.cells[0].metadata["nbgrader"] = {"grade": False, "grade_id": "answer-f", "solution": True}
    rel.cells[1].metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "check-f",
        "solution": False,
        "points": 2,
    }
    ex = copy.deepcopy(rel)
    ex.cells[1].metadata["nbgrader"]["points"] = 1
    assert mc.compare(rel, ex) == []
    for cell in ex.cells:
        del cell.metadata["nbgrader"]
    diffs = mc.compare(rel, ex)
    assert len(diffs) == 2, diffs
    assert diffs[0].startswith(f"cell 0 ({ex.cells[0].id}): nbgrader metadata differs")
    assert "released as an answer cell 'answer-f', the exercise has no grade id" in diffs[0]
    assert "released as a test cell 'check-f', the exercise has no grade id" in diffs[1]
    assert "would not be graded" in diffs[1]
    # nbgrader's release locks a check cell in JupyterLab; an exercise without the lock differs
    locked = copy.deepcopy(rel)
    locked.cells[1].metadata.update(deletable=False, editable=False)
    assert mc.compare(locked, rel) == [
        f"cell 1 ({rel.cells[1].id}): locked differently in JupyterLab: released read-only (not"
        " deletable, not editable), the exercise unlocked"
    ]


def test_a_new_check_reaches_a_learner_who_got_the_exercise_through_git(tmp_path, capsys):
    """INSTRUCTORS.md section 5, "a new graded exercise", on a copy of exercise 01, with learners
    who got exercises/ through git (section 2). In the order of section 5 (`--stamp`, then `make
    exercises`, then `make class`) a learner's filled-in copy of the exercise earns the new
    check's point. Made the other way round, the exercise lacks the new cells' grade ids and
    nbgrader does not grade them (0, waiting for a hand grade, as if the check cell had been
    deleted): `make class` names those cells and says to run `make exercises`."""
    name, sols, exs, course, path = _exercise_01_copy(tmp_path)
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if mc.SOLUTION_ONLY in c.metadata.get("tags", []))
    nb.cells[at:at] = [
        nbformat.v4.new_markdown_cell("**Exercise 4.** Write `loss` again, as `half_sq`."),
        nbformat.v4.new_code_cell(
            "def half_sq(y_hat, y):\n    ### BEGIN SOLUTION\n    return 0.5 * (y_hat - y) ** 2"
            "\n    ### END SOLUTION",
            id="s01-n01",
        ),
        nbformat.v4.new_code_cell("check_loss(half_sq)", id="s01-n02"),
    ]
    nbformat.write(nb, path)

    def filled_in(exercise):
        """A learner's copy of the exercise with every answer written (the solution's)."""
        nb = nbformat.read(exercise, as_version=4)
        answers = {c.id: c.source for c in nbformat.read(path, as_version=4).cells}
        for cell in nb.cells:
            if mc.has_region(answers[cell.id]):
                cell.source = mc.answer_source(answers[cell.id])
        return nb

    # the other order: make exercises, then --stamp
    assert me.main([str(sols), str(exs)]) == 0
    assert mc.main(["--stamp", str(path)]) == 0
    stale = filled_in(exs / f"{name}.ipynb")
    report = mc.build(sols, exs, course)[name]
    assert any("(s01-n02): nbgrader metadata differs" in d for d in report), report
    assert "is out of sync with its solution" in report[-1], report
    capsys.readouterr()
    argv = ["--solutions", str(sols), "--exercises", str(exs), "--out", str(course)]
    assert mc.main(argv) == 1  # as make class says it: what to do, and no "grades kept"
    out = capsys.readouterr().out
    assert f"1 assignment released by nbgrader; 1 differs from {exs}/" in out, out
    assert f"{course} is updated but does not match what learners get from {exs}/" in out
    assert "Grades kept" not in out
    assert me.main([str(sols), str(exs)]) == 0  # what make class said to do
    assert mc.build(sols, exs, course) == {name: []}

    subs = [
        mc.Submission("git", name, "correct", filled_in(exs / f"{name}.ipynb")),
        mc.Submission("git-stale", name, "correct", stale),
    ]
    mc.autograde(course, subs, options=[f"--Execute.timeout={TIMEOUT}"])
    items = mc.gradebook_items(course)
    [a] = mc.load_assignments(course)
    assert "check-half_sq" in {i.grade_id for i in a.items}
    for item in a.items:
        assert items[("git", name, item.grade_id)]["score"] == item.points, item.grade_id
    new = items[("git-stale", name, "check-half_sq")]
    assert (new["score"], new["needs_manual_grade"]) == (0.0, True), new


# -- the class report (tools/class_report.py) on the autograded class ----------------------------


def _report_outcomes(graded):
    from tools import class_report as cr

    folders = sorted(set(graded["folder"].values()))
    return cr.class_outcomes(cr.find_notebooks(folders))


def test_the_class_report_names_how_each_submission_was_made(graded):
    """The report's outcome for every (learner, assignment, check), against the simulation's
    recipe (not the report's reading of the outputs): a right submission passes every check, a
    blank one starts none, and each function a "mistake" submission got wrong is reported as the
    catalogued mistake the simulation made in it. The special recipes show up as what broke
    them: a deleted check cell, a check run before its answer (NameError), an endless loop
    (nbgrader's CellTimeoutError), a syntax error in the answer cell.

    A few catalogue entries say exactly the same thing as another of the same check (two slips
    that give the learner the same advice, e.g. the first or the last learning rate only): the
    message cannot tell them apart, so the report names both keys as one outcome rather than
    pick one at random, and the test asks that the mistake made be among the keys named, and
    that every key named say that very text."""
    from tools import class_report as cr

    out = _report_outcomes(graded)
    wrong, named_together = [], 0
    for sub in graded["subs"]:
        a = graded["assignments"][sub.assignment]
        checks = {chk: item for item in a.items for chk, _ in item.checks}
        got = {chk: out[(sub.student, sub.assignment, chk)] for chk in checks}
        want = {}
        if sub.kind in ("correct", "blank"):
            kind = cr.PASSED if sub.kind == "correct" else cr.NOT_STARTED
            want = {chk: cr.Outcome(kind) for chk in checks}
        elif sub.kind == "deleted_cell":
            [chk] = [c for c, item in checks.items() if item.grade_id == sub.detail]
            want = {chk: cr.Outcome(cr.OTHER, says=cr.MISSING)}
        elif sub.kind in ("reordered", "endless", "syntax_error"):
            [fn] = sub.wrong
            [chk] = [c for item in a.items for c, f in item.checks if f == fn]
            says = {
                "reordered": "NameError",
                "endless": "CellTimeoutError",
                "syntax_error": "SyntaxError in a cell above",
            }[sub.kind]
            want = {chk: cr.Outcome(cr.OTHER, says=says)}
        elif sub.kind == "rebound":
            [(chk, _)] = sub.wrong.values()
            want = {chk: cr.Outcome(cr.PASSED)}  # (the report's last section lists the line)
        for chk, outcome in want.items():
            if got[chk] != outcome:
                wrong.append(f"{sub.student}/{sub.assignment}/{chk}: {got[chk]}, not {outcome}")
        if sub.kind != "mistake":
            continue
        for fn, (chk, key) in sub.wrong.items():
            said = got[chk]
            if said.kind != cr.MISTAKE or key not in said.keys:
                wrong.append(f"{sub.student}/{sub.assignment}/{fn}: {said}, not {chk}/{key}")
                continue
            texts = {" ".join(says.split()) for k, says in mc.catalogue(chk) if k in said.keys}
            assert len(texts) == 1, (sub.student, chk, said.keys)
            named_together += len(said.keys) > 1
    assert not wrong, "\n".join(wrong)
    made = sum(len(s.wrong) for s in graded["subs"] if s.kind == "mistake")
    assert made >= 100 and named_together < made / 10


def test_the_class_report_cli_on_the_sharded_class(graded, capsys, tmp_path):
    """The command an instructor runs on a class graded in shards (INSTRUCTORS.md section 7):
    the course folder they were copied from, which has no autograded/, is skipped; the header
    counts every learner and notebook; the CSV has, for each check, one count per learner."""
    from tools import class_report as cr

    subs = graded["subs"]
    folders = sorted(set(graded["folder"].values()))
    out_csv = tmp_path / "report.csv"
    args = [str(graded["course"]), *map(str, folders), "--csv", str(out_csv)]
    assert cr.main(args) == 0
    captured = capsys.readouterr()
    learners = {s.student for s in subs}
    assert captured.out.startswith(f"{len(learners)} learners, {len(subs)} autograded notebooks")
    assert "skipped" in captured.err and str(graded["course"]) in captured.err
    with open(out_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for a in graded["assignments"].values():
        n = sum(s.assignment == a.name for s in subs)
        assert f"\n{a.name}: {n} learners\n" in captured.out
        for item in a.items:
            for chk, _ in item.checks:
                shown = cr.shown(chk)
                total = sum(
                    int(r["count"])
                    for r in rows
                    if (r["assignment"], r["check"]) == (a.name, shown)
                )
                assert total == n, (a.name, chk)
    print(captured.out)  # (shown with pytest -s: the report of the simulated class)


def test_the_class_report_lists_the_answer_cell_that_rebinds_its_checker(graded):
    """The rebound recipe, and no other learner of the simulated class: every other submission
    (a catalogued mistake in every function included) leaves the checkers alone."""
    from tools import class_report as cr

    folders = sorted(set(graded["folder"].values()))
    found = cr.class_reaches(cr.find_notebooks(folders))
    [sub] = [s for s in graded["subs"] if s.kind == "rebound"]
    [(chk, _)] = sub.wrong.values()
    a = graded["assignments"][sub.assignment]
    [fn] = sub.wrong
    answer = a.source.cells[a.answers[fn]].metadata.nbgrader.grade_id
    assert [(r.learner, r.assignment, r.cell, r.does) for r in found] == [
        (sub.student, sub.assignment, answer, f"rebinds {chk}, a checker")
    ]
    assert found[0].text.startswith(f"{chk} = lambda f: print(")
    assert graded["items"][(sub.student, sub.assignment, sub.detail)]["score"] > 0
