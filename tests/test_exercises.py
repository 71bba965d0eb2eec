"""Exercises are generated from solutions: in sync, stopping only at NotImplementedError, and the
generator itself (tools/make_exercises.py) unit-tested.

Parametrized over every ``solutions/*.ipynb``, so each new stage is covered without editing this
file. (nbval strict over ``solutions/`` runs in the Makefile's test target.)
"""

import importlib
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

import rnnlib.checks
from rnnlib.course.runner import run_notebook

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `tools` is not installed: it runs from the repository's root
    sys.path.insert(0, str(ROOT))
gen = importlib.import_module("tools.make_exercises")
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
IDS = [p.stem for p in SOLUTIONS]
CHECK_CALL = re.compile(r"^\s*(check_\w+)\(", re.M)


# -- in sync ---------------------------------------------------------------------------------------


def test_exercises_are_in_sync_with_solutions(tmp_path):
    fresh = tmp_path / "exercises"
    gen.generate(ROOT / "solutions", fresh)
    committed = ROOT / "exercises"
    want = sorted(p.name for p in fresh.glob("*.ipynb"))
    have = sorted(p.name for p in committed.glob("*.ipynb")) if committed.is_dir() else []
    assert have == want, f"exercises/ holds {have}, the solutions give {want}: run `make exercises`"
    stale = [n for n in want if (fresh / n).read_bytes() != (committed / n).read_bytes()]
    assert not stale, f"exercises out of sync with their solutions: {stale}: run `make exercises`"


# -- each exercise stops at NotImplementedError and nowhere else -----------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_exercise_stops_only_at_not_implemented(solution):
    path = ROOT / "exercises" / solution.name
    assert path.exists(), f"{path.name} missing: run `make exercises`"
    with pytest.raises(CellExecutionError) as excinfo:
        run_notebook(path, timeout=120)
    err = excinfo.value
    nb = err.notebook  # as far as it ran
    assert err.ename == "NotImplementedError", (
        f"{path.name} stopped with {err.ename}: {err.evalue} (only NotImplementedError is allowed)"
    )
    # It stopped in a cell that calls a stub or a checker, not in a lesson cell, and no cell
    # before the first stub raised.
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]
    failed = [c for c in ran if any(o.output_type == "error" for o in c.outputs)]
    assert len(failed) == 1
    first_stub = next(
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and gen.CODE_STUB in c.source
    )
    assert nb.cells.index(failed[0]) >= first_stub


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_a_learner_who_has_not_started_meets_one_line_per_cell(solution):
    """Run top to bottom with every answer unwritten, going on past errors (as a learner does):
    a cell that is not an answer cell (a check, an own check, a plot, a put-them-together cell)
    fails only with a one-line "not started" saying what to write, never with a traceback
    through the learner's functions, and leaves no empty figure behind."""
    path = ROOT / "exercises" / solution.name
    nb, _ = run_notebook(path, folder=ROOT, keep_going=True, timeout=120, quiet=True)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or gen.CODE_STUB in cell.source.split("\n"):
            continue  # an answer cell: its own `raise` line is what it shows
        errors = _errors(cell)
        if not errors:
            continue
        (err,) = errors
        shown = ANSI.sub("", "\n".join(err.traceback))
        assert err.ename == "NotImplementedError", (path.name, i, shown)
        assert shown.startswith("NotImplementedError: not started: "), (path.name, i, shown)
        assert "Traceback" not in shown and "---->" not in shown, (path.name, i, shown)
        pictures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert not pictures, f"{path.name}, cell {i}: a figure is shown under its error"


def _own_check_asserts(solution):
    """(cell id, assert node) of every own check: the asserts of an exercise's cells that test
    the learner's functions themselves (not the solution's own cells, not a checker)."""
    import ast

    nb = nbformat.read(solution, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "solution-only" in tags or "BEGIN SOLUTION" in cell.source:
            continue
        code = "\n".join(ln for ln in cell.source.split("\n") if not ln.startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Assert):
                yield cell.get("id"), node


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_an_own_check_says_what_went_wrong(solution):
    """An own check (a cell of the exercise that tests the learner's function itself, not a
    checker) fails with a message that says what it found, never a bare `AssertionError`: a
    learner with a wrong answer sees the numbers, not only the line that failed."""
    import ast

    bare = [
        (cell_id, ast.unparse(node)[:80])
        for cell_id, node in _own_check_asserts(solution)
        if node.msg is None
    ]
    assert not bare, f"{solution.name}: asserts without a message: {bare}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_an_own_checks_message_fits_the_printed_width(solution):
    """A failed own check shows ``AssertionError: <message>``; JupyterLab breaks a line wider than
    TEXT_WIDTH inside a word or a number ("(< 1e-" / "7)"), so the messages say it in lines that
    fit. Each value a message formats stands in as ``1.2e-05`` (a small relative error, as wide
    as most)."""
    import ast

    from rnnlib.course.checking import TEXT_WIDTH

    def shown(node):
        if isinstance(node, ast.Constant):
            return str(node.value)
        if isinstance(node, ast.JoinedStr):
            return "".join(
                shown(v) if isinstance(v, ast.Constant) else "1.2e-05" for v in node.values
            )
        return "1.2e-05"

    wide = [
        (cell_id, line)
        for cell_id, node in _own_check_asserts(solution)
        if node.msg is not None
        for line in f"AssertionError: {shown(node.msg)}".split("\n")
        if len(line) > TEXT_WIDTH
    ]
    assert not wide, f"{solution.name}: own-check lines wider than {TEXT_WIDTH}: {wide}"


def test_an_unwritten_function_met_outside_a_checker_says_so_in_one_line(tmp_path):
    """rnnlib.checks, imported in a notebook, has a bare NotImplementedError from the `raise` of a
    function defined in a cell shown as one line naming the function, in whichever cell calls
    it, and an answer cell's own top-level `raise` as one line saying what to do there; an
    error with a message and other errors keep IPython's usual traceback, and a checker's own
    one line is kept."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(c)
        for c in (
            "from rnnlib.checks import check_loss",
            "def helper(a):\n    raise NotImplementedError()",
            "def here(a):\n    raise NotImplementedError()\n\n\ny = here(1.0)",  # 2
            "def outer(a):\n    return 2 * helper(a)\n\n\nz = outer(3.0) + 1",  # 3
            "answer = None\nraise NotImplementedError()",  # 4
            "def mine():\n    raise NotImplementedError('later')\n\n\nmine()",  # 5
            "1 / 0",  # 6
            "def loss(y_hat, y):\n    raise NotImplementedError()",
            "check_loss(loss)",  # 8
        )
    ]
    nbformat.write(nb, tmp_path / "stubs.ipynb")
    ran, _ = run_notebook(tmp_path / "stubs.ipynb", keep_going=True, timeout=60, quiet=True)
    shown = {}
    for i, cell in enumerate(ran.cells):
        errors = _errors(cell)
        if errors:
            (err,) = errors
            shown[i] = (err.ename, ANSI.sub("", "\n".join(err.traceback)))
    assert sorted(shown) == [2, 3, 4, 5, 6, 8]
    for i, name, where in ((2, "here", "in this cell"), (3, "helper", "above")):
        ename, text = shown[i]
        assert ename == "NotImplementedError"
        assert " ".join(text.split()) == (
            f"NotImplementedError: not started: this cell calls `{name}`, whose body {where} is "
            f"still `raise NotImplementedError()`: write `{name}`, then run this cell again"
        )
    assert " ".join(shown[4][1].split()) == (
        "NotImplementedError: not started: set your answer in this cell and delete its `raise "
        "NotImplementedError()` line, then run the cell"
    )
    assert "---->" in shown[5][1] and shown[5][1].endswith("NotImplementedError: later"), shown[5]
    assert shown[6][0] == "ZeroDivisionError" and "---->" in shown[6][1]
    assert shown[8][1].startswith("NotImplementedError: not started: write the body of `loss`")
    assert "---->" not in shown[8][1]


def test_an_exercise_that_runs_clean_would_be_caught(tmp_path):
    """The test above relies on the runner raising; a notebook with no stub does not raise."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "clean.ipynb")
    ran, _ = run_notebook(tmp_path / "clean.ipynb", timeout=60)  # no CellExecutionError
    assert ran.cells[0].outputs == []


def test_the_runner_stores_a_cells_prints_as_one_output(tmp_path):
    """The kernel cuts a cell's prints into chunks by timing: a pause starts a new chunk. Stored
    as sent, the same prints would be split differently on each run (a diff in every
    re-executed notebook); the runner joins each run of one stream and keeps the streams apart."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import sys, time\n"
            "for i in range(3):\n"
            "    print(i, flush=True)\n"
            "    time.sleep(0.3)\n"
            "print('to stderr', file=sys.stderr, flush=True)\n"
            "time.sleep(0.3)\n"
            "print('after', flush=True)"
        )
    ]
    nbformat.write(nb, tmp_path / "prints.ipynb")
    ran, _ = run_notebook(tmp_path / "prints.ipynb", timeout=60)
    streams = [(o.name, o.text) for o in ran.cells[0].outputs]
    assert streams == [("stdout", "0\n1\n2\n"), ("stderr", "to stderr\n"), ("stdout", "after\n")]


# -- what every solution must contain --------------------------------------------------------------


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_solution_has_regions_and_check_cells(solution):
    nb = nbformat.read(solution, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    region_cells = [
        i for i, c in enumerate(code) if any(gen.BEGIN.match(ln) for ln in c.source.split("\n"))
    ]
    checks = [(i, m) for i, c in enumerate(code) for m in CHECK_CALL.findall(c.source)]
    assert region_cells, f"{solution.name}: no ### BEGIN SOLUTION region"
    assert checks, f"{solution.name}: no check cell calling rnnlib.checks"
    for _, name in checks:
        assert hasattr(rnnlib.checks, name), (
            f"{solution.name}: {name} is not in rnnlib.checks: define it in its lesson module's "
            "CHECKERS (rnnlib/course/lessonNN.py) and list that module in LESSONS "
            "(rnnlib/course/__init__.py)"
        )
    assert checks[0][0] > region_cells[0], "the first check must come after the first answer"
    ex, n = gen.make_exercise(nb, solution.name)
    assert n >= len(region_cells)
    for cell in ex.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source


@pytest.mark.parametrize("solution", SOLUTIONS, ids=IDS)
def test_graded_cells_of_an_optional_section_and_only_those_are_tagged_optional(solution):
    """An "optional, harder" part is worth 0 points (tools/make_class.py stamps the `optional`
    tag): every graded cell under such a heading carries the tag, and no other cell does; every
    graded cell is one checker call."""
    nb = nbformat.read(solution, as_version=4)
    heading = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("#"):
            heading = cell.source.splitlines()[0]
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not grading.get("grade"):
            continue
        optional = "optional" in cell.metadata.get("tags", [])
        assert optional == ("optional" in heading.lower()), (heading, grading["grade_id"])
        assert grading["points"] == (0 if optional else 1), grading["grade_id"]
        assert re.fullmatch(r"check_\w+\(.*\)", cell.source.strip(), re.S), grading["grade_id"]


# every exercise's answer cells (a value set above a top-level `raise NotImplementedError()`)
# follow one instruction wording
SAYS_DELETE_THE_RAISE = sorted(p.stem for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("stem", SAYS_DELETE_THE_RAISE)
def test_an_answer_cells_raise_says_to_delete_it(stem):
    """The exercise's introduction tells the learner to replace the `raise` of a function's body;
    an answer cell's top-level `raise` is not in a function, so the cell says to delete it."""
    nb = nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4)
    answers = [
        c
        for c in nb.cells
        if c.cell_type == "code" and "raise NotImplementedError()" in c.source.split("\n")
    ]
    assert answers, f"{stem}: no answer cell"
    wording = (
        f"solutions/{stem}.ipynb: an answer cell (a value set above `### BEGIN SOLUTION`) starts "
        "with a comment '# your answer: set NAME to ... (and delete the `raise` line)', as in "
        "solutions/01_*.ipynb, then `NAME = None`; this one reads:\n"
    )
    for cell in answers:
        assert cell.source.startswith("# your answer: set "), wording + cell.source
        assert "(and delete the `raise` line)" in cell.source, wording + cell.source


# -- the generator ---------------------------------------------------------------------------------


def test_region_replaced_at_its_indentation():
    src = (
        "def loss(y_hat, y):\n"
        '    """L."""\n'
        "    ### BEGIN SOLUTION\n"
        "    d = y_hat - y\n"
        "    return 0.5 * d * d\n"
        "    ### END SOLUTION\n"
        "\n"
        "print('after')"
    )
    out, n = gen.strip_regions(src, gen.CODE_STUB)
    assert n == 1
    assert out == (
        'def loss(y_hat, y):\n    """L."""\n    raise NotImplementedError()\n\nprint(\'after\')'
    )


def test_several_regions_and_top_level_region():
    src = (
        "### BEGIN SOLUTION\na = 1\n### END SOLUTION\n"
        "b = 2\n  # BEGIN SOLUTION\n  c\n  # END SOLUTION"
    )
    out, n = gen.strip_regions(src, gen.CODE_STUB)
    assert n == 2
    assert out == "raise NotImplementedError()\nb = 2\n  raise NotImplementedError()"


def test_cell_without_markers_is_unchanged():
    src = "x = 1\n# a comment about SOLUTION\n"
    assert gen.strip_regions(src, gen.CODE_STUB) == (src, 0)


@pytest.mark.parametrize(
    ("src", "says"),
    [
        ("### BEGIN SOLUTION\nx", "line 1: BEGIN SOLUTION without an END"),
        ("x\n### END SOLUTION", "line 2: END SOLUTION without a BEGIN"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
            "line 2: BEGIN SOLUTION inside",
        ),
    ],
)
def test_unbalanced_markers_are_errors_that_say_where(src, says):
    with pytest.raises(gen.MarkerError, match=says):
        gen.strip_regions(src, gen.CODE_STUB, "nb.ipynb, cell c1")


def test_hidden_tests_are_removed_as_nbgrader_removes_them():
    """nbgrader's hidden tests (``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS``) are not
    the learner's: generate_assignment removes them from the release, so the exercise must not
    show them either (a learner who gets exercises/ through git would read them)."""
    src = (
        'assert answer is not None, "set answer above"\n'
        "### BEGIN HIDDEN TESTS\n"
        "assert abs(answer - 0.75) < 1e-9\n"
        "### END HIDDEN TESTS"
    )
    assert gen.strip_hidden_tests(src) == ('assert answer is not None, "set answer above"', 1)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, id="h1")]
    ex, _ = gen.make_exercise(nb, "solutions/99_x.ipynb")
    assert "0.75" not in ex.cells[0].source and "HIDDEN" not in ex.cells[0].source


@pytest.mark.parametrize(
    ("src", "says"),
    [
        ("### BEGIN HIDDEN TESTS\nx", "line 1: BEGIN HIDDEN TESTS without an END HIDDEN TESTS"),
        ("x\n### END HIDDEN TESTS", "line 2: END HIDDEN TESTS without a BEGIN HIDDEN TESTS"),
    ],
)
def test_unbalanced_hidden_test_markers_say_where(src, says):
    with pytest.raises(gen.MarkerError, match=says):
        gen.strip_hidden_tests(src, "nb.ipynb, cell c1")


def test_cells_are_locked_as_nbgrader_locks_them_in_a_release():
    """A learner who gets exercises/ through git meets nbgrader's locks in JupyterLab: an answer
    cell cannot be deleted, a check cell can be neither deleted nor edited (so it cannot be lost
    by accident: a deleted check cell earns 0); other cells stay free."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell(
        "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    )
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "answer-f"}
    check = nbformat.v4.new_code_cell("check_f(f)")
    check.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "check-f"}
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np"), answer, check]
    ex, _ = gen.make_exercise(nb, "solutions/99_x.ipynb")
    free, a, c = ex.cells
    assert "deletable" not in free.metadata and "editable" not in free.metadata
    assert a.metadata["deletable"] is False and "editable" not in a.metadata
    assert c.metadata["deletable"] is False and c.metadata["editable"] is False


def _solution_nb():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["widgets"] = {"state": {}}
    code = nbformat.v4.new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
        id="s01-c02",
    )
    code.outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    code.execution_count = 3
    code.metadata["execution"] = {"iopub.status.busy": "2024-01-01"}
    code.metadata["tags"] = ["nbval-ignore-output"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title", id="s01-c01"),
        code,
        nbformat.v4.new_code_cell(
            "f(2)",
            id="s01-c03",
            execution_count=4,
            outputs=[
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": "4"}, execution_count=4
                )
            ],
        ),
        nbformat.v4.new_markdown_cell(
            "Answer:\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", id="s01-c04"
        ),
        nbformat.v4.new_markdown_cell(
            "Worked answer", id="s01-c05", metadata={"tags": ["solution-only"]}
        ),
        nbformat.v4.new_code_cell("y = 1", id="s01-c06", metadata={"nbgrader": {"solution": True}}),
        nbformat.v4.new_markdown_cell(
            "Explain", id="s01-c07", metadata={"nbgrader": {"solution": True}}
        ),
    ]
    return nb


def test_make_exercise_clears_outputs_keeps_ids_and_notes_its_source():
    nb = _solution_nb()
    before = nbformat.writes(nb)
    ex, n = gen.make_exercise(nb, "solutions/99_x.ipynb")
    assert nbformat.writes(nb) == before, "the solution must not be modified"
    assert n == 4
    ids = [c.id for c in ex.cells]
    assert ids == ["s01-c01", "s01-c02", "s01-c03", "s01-c04", "s01-c06", "s01-c07"]
    cells = dict(zip(ids, ex.cells, strict=True))
    assert cells["s01-c02"].source == "def f(x):\n    raise NotImplementedError()"
    assert cells["s01-c02"].outputs == [] and cells["s01-c02"].execution_count is None
    assert "execution" not in cells["s01-c02"].metadata
    assert cells["s01-c02"].metadata["tags"] == ["nbval-ignore-output"]
    assert cells["s01-c03"].source == "f(2)" and cells["s01-c03"].outputs == []
    assert cells["s01-c04"].source == "Answer:\nYOUR ANSWER HERE"
    assert cells["s01-c06"].source == "raise NotImplementedError()"
    assert cells["s01-c07"].source == "YOUR ANSWER HERE"
    assert "widgets" not in ex.metadata
    assert ex.metadata["rnnlib"]["generated_from"] == "solutions/99_x.ipynb"
    assert "GENERATED" in ex.metadata["rnnlib"]["note"]
    nbformat.validate(ex)


def test_generate_is_idempotent_and_removes_only_its_own_stale_files(tmp_path):
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    nbformat.write(_solution_nb(), src / "99_x.ipynb")
    assert gen.generate(src, dst) == [dst / "99_x.ipynb"]
    first = (dst / "99_x.ipynb").read_bytes()
    mtime = (dst / "99_x.ipynb").stat().st_mtime_ns
    assert gen.generate(src, dst) == []
    assert (dst / "99_x.ipynb").read_bytes() == first
    assert (dst / "99_x.ipynb").stat().st_mtime_ns == mtime  # not even rewritten
    # a learner's own notebook in exercises/ is never touched; a generated orphan is deleted
    nbformat.write(nbformat.v4.new_notebook(), dst / "mine.ipynb")
    (dst / "98_gone.ipynb").write_bytes(first)
    assert gen.generate(src, dst, check=True) == [dst / "98_gone.ipynb"]
    assert (dst / "98_gone.ipynb").exists()  # --check writes nothing
    gen.generate(src, dst)
    assert sorted(p.name for p in dst.iterdir()) == ["99_x.ipynb", "mine.ipynb"]


def test_main_check_mode_exit_codes(tmp_path, capsys):
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    nbformat.write(_solution_nb(), src / "99_x.ipynb")
    assert gen.main(["--check", str(src), str(dst)]) == 1
    assert "run `make exercises`" in capsys.readouterr().err
    assert gen.main([str(src), str(dst)]) == 0
    assert gen.main(["--check", str(src), str(dst)]) == 0
    bad = nbformat.v4.new_notebook()
    bad.cells = [nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx", id="b1")]
    nbformat.write(bad, src / "97_bad.ipynb")
    assert gen.main([str(src), str(dst)]) == 1
    assert "97_bad.ipynb, cell b1: line 1" in capsys.readouterr().err


def test_a_mistyped_solutions_folder_deletes_nothing(tmp_path, capsys):
    """Before, `make_exercises solutionz exercises` read the missing folder as "every solution
    has gone" and deleted every generated exercise, with exit code 0."""
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    nbformat.write(_solution_nb(), src / "99_x.ipynb")
    assert gen.main([str(src), str(dst)]) == 0
    for wrong in (tmp_path / "solutionz", tmp_path / "empty"):
        (tmp_path / "empty").mkdir(exist_ok=True)
        for args in ([str(wrong), str(dst)], ["--check", str(wrong), str(dst)]):
            assert gen.main(args) == 2
            err = capsys.readouterr().err
            assert f"{str(wrong)!r} is not a folder of solution notebooks" in err
            assert "nothing written or deleted" in err and "Usage:" in err
    assert [p.name for p in dst.iterdir()] == ["99_x.ipynb"]
    assert gen.main(["-c", str(src), str(dst)]) == 2
    assert "unknown option '-c'" in capsys.readouterr().err
    assert gen.main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("Generate the exercise notebooks")
