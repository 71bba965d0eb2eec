"""python -m rnnlib.progress: classification of executed notebooks (no kernel needed), the table,
and one run on real notebooks: a solution (all passed), its exercise (not started) and a copy
with a deliberately wrong answer (failing, with the checker's mistake named)."""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from rnnlib import progress as P
from rnnlib.checks import check_loss
from rnnlib.course.checking import TEXT_WIDTH, fill_text

ROOT = Path(__file__).resolve().parents[1]
SLUG = "01_loss_and_its_derivative"


def _cell(source, error=None, stdout=None):
    c = new_code_cell(source)
    if stdout:
        c.outputs.append(new_output("stream", name="stdout", text=stdout))
    if error:
        ename, evalue = error
        c.outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=[]))
    return c


def _nb(*cells):
    nb = new_notebook()
    nb.cells = list(cells)
    return nb


def test_passed_not_started_and_failing():
    nb = _nb(
        _cell("def f(x):\n    return x"),
        _cell("check_a(f)", stdout="check_a: 3/3 cases passed ✓\n"),
        _cell("def g(x):\n    raise NotImplementedError()"),
        _cell("check_b(g)", error=("NotImplementedError", "")),
        _cell("def h(x):\n    return -x"),
        _cell("check_c(h)", error=("AssertionError", "check_c: wrong sign: ...\n  case 1 of 3")),
    )
    assert P.classify(nb, "nb") == [
        P.Exercise("nb", "check_a(f)", P.PASSED),
        P.Exercise("nb", "check_b(g)", P.NOT_STARTED),
        P.Exercise("nb", "check_c(h)", P.FAILING, "check_c: wrong sign: ..."),
    ]


def test_a_deleted_check_cell_is_failing_by_its_grade_id():
    """An instructor's walk-through: a learner who deleted a check cell saw "5 passed" while
    nbgrader gave 4 of 5. The exercise lists its graded cells' grade ids (make exercises)."""
    exercise = nbformat.read(ROOT / "exercises" / f"{SLUG}.ipynb", as_version=4)
    graded = exercise.metadata.rnnlib.graded
    assert graded == [
        c.metadata.nbgrader.grade_id
        for c in exercise.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]
    assert len(graded) >= 3 and "check-loss" in graded
    nb = _nb(
        _cell("def f(x):\n    return x"),
        _cell("check_a(f)", stdout="check_a: 3/3 cases passed ✓\n"),
    )
    nb.cells[1].metadata["nbgrader"] = {"grade": True, "grade_id": "check-a"}
    nb.metadata["rnnlib"] = {"generated_from": f"solutions/{SLUG}.ipynb", "graded": ["check-a"]}
    assert P.classify(nb, "nb") == [P.Exercise("nb", "check_a(f)", P.PASSED)]
    nb.metadata.rnnlib.graded = ["check-a", "check-b"]
    assert P.classify(nb, "nb")[1] == P.Exercise(
        "nb",
        "(grade id check-b)",
        P.FAILING,
        "this graded cell is missing (deleted?): nbgrader gives it no points; copy it back from"
        f" the course's exercises/{SLUG}.ipynb",
    )


def test_unfinished_top_level_answer_counts_as_not_started():
    nb = _nb(
        _cell("x = 1\nraise NotImplementedError()", error=("NotImplementedError", "")),
        _cell("check_a(x)", error=("NameError", "name 'x' is not defined")),
    )
    assert [e.status for e in P.classify(nb)] == [P.NOT_STARTED]


def test_an_error_in_the_learners_cell_is_reported_rather_than_the_name_error():
    nb = _nb(
        _cell("def f(x):\n    return x +", error=("SyntaxError", "invalid syntax (1, 12)")),
        _cell("check_a(f)", error=("NameError", "name 'f' is not defined")),
    )
    (ex,) = P.classify(nb)
    assert ex.status == P.FAILING
    assert ex.detail == "in a cell above the check: SyntaxError: invalid syntax (1, 12)"


def test_a_crash_in_the_check_cell_itself_is_reported():
    nb = _nb(_cell("check_a(f)", error=("NameError", "name 'f' is not defined")))
    assert P.classify(nb)[0].detail == "NameError: name 'f' is not defined"


def test_errors_before_an_earlier_check_do_not_leak_into_later_exercises():
    nb = _nb(
        _cell("raise NotImplementedError()", error=("NotImplementedError", "")),
        _cell("check_a(f)", error=("NameError", "name 'f' is not defined")),
        _cell("def g(x):\n    return x"),
        _cell("check_b(g)"),
    )
    assert [e.status for e in P.classify(nb)] == [P.NOT_STARTED, P.PASSED]


def test_markdown_mentioning_a_check_is_not_an_exercise():
    nb = _nb(nbformat.v4.new_markdown_cell("run `check_a(f)` below"), _cell("check_a(f)"))
    assert len(P.classify(nb)) == 1


def test_table_lists_every_exercise_and_counts():
    rows = [
        P.Exercise("01_x", "check_a(f)", P.PASSED),
        P.Exercise("01_x", "check_b(g)", P.FAILING, "check_b: missing ½: you returned (ŷ − y)²"),
        P.Exercise("02_y", "check_c(h)", P.NOT_STARTED),
    ]
    text = P.format_table(rows)
    lines = text.splitlines()
    assert lines[0].split() == ["notebook", "graded", "item", "status"]
    assert lines[2].split() == ["01_x", "check_a(f)", "passed", "✓"]
    assert lines[3].split() == ["01_x", "check_b(g)", "failing"]
    assert lines[4] == "    → check_b: missing ½: you returned (ŷ − y)²"
    assert lines[5].split() == ["02_y", "check_c(h)", "not", "started"]
    assert lines[-1] == "3 graded items: 1 passed, 1 failing, 1 not started"


def test_unreadable_notebook_gives_exit_code_1(tmp_path, capsys):
    bad = tmp_path / "broken.ipynb"
    bad.write_text("{ not json")
    assert P.main([str(bad)]) == 1
    assert "could not run: " in capsys.readouterr().err


def test_a_copied_graded_cell_is_named_before_it_reaches_nbgrader(tmp_path, capsys):
    """A check cell pasted twice carries its grade id twice: nbgrader's autograde then refuses the
    whole notebook (asking, misleadingly, for `nbgrader update`). progress says so, and what to
    do, with exit code 1; the items are still listed."""
    check = new_code_cell("assert x == 1")
    check.metadata["nbgrader"] = {"grade": True, "grade_id": "check-x", "points": 1}
    copied = nbformat.from_dict(check)
    copied.id = "copy"
    path = tmp_path / "01_x.ipynb"
    nbformat.write(_nb(new_code_cell("x = 1"), check, copied), path)
    assert P.main([str(path)]) == 1
    out, err = capsys.readouterr()
    assert "check-x" in out
    assert f"cannot be graded: {path}: 2 cells carry the grade id 'check-x'" in err, err
    assert "starts `assert x == 1`, copied" in err and "Delete the copies" in err, err


def test_a_notebook_that_ends_the_kernel_names_the_cell(tmp_path, capsys):
    """A cell whose code ends the Python process (here os._exit): not a bare "DeadKernelError:
    Kernel died", but the cell the kernel was running and what to do."""
    path = tmp_path / "01_x.ipynb"
    nbformat.write(
        _nb(
            new_code_cell("x = 1"),
            new_code_cell("import os\n\nos._exit(3)"),
            new_code_cell("check_loss(lambda y_hat, y: x)"),
        ),
        path,
    )
    assert P.main([str(path)]) == 1
    err = capsys.readouterr().err
    assert f"could not run: {path}: DeadKernelError: " in err, err
    assert "stopped while it ran the cell that starts `import os`" in err, err
    assert "run the notebook in JupyterLab up to that cell" in err, err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--bogus"], "unknown option '--bogus'"),
        (["--bogus", "exercises"], "unknown option '--bogus'"),
        (["missing.ipynb"], "expected a notebook or a folder, got 'missing.ipynb', which does not"),
        (["empty"], "expected notebooks (.ipynb) in the folder 'empty', found none"),
        ([], "expected an exercises/ folder in "),
    ],
)
def test_a_command_line_it_does_not_expect_says_what_it_expected(
    argv, says, tmp_path, capsys, monkeypatch
):
    """A bad path, an unknown option, or no argument outside the course folder: what was
    expected (the course folder, or notebook paths), exit code 2, and no table."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exercises").mkdir()  # (an exercises/ folder for the unknown option to ignore)
    (tmp_path / "empty").mkdir()
    if not argv:
        (tmp_path / "exercises").rmdir()
    assert P.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("rnnlib.progress: ") and says in err, (out, err)
    assert "run it in the course folder" in err and "or pass exercise notebooks" in err


def test_rows_are_labelled_by_the_part_of_the_path_that_differs():
    """nbgrader's submitted/<learner>/<assignment>/<assignment>.ipynb: the learner, not the
    assignment folder they share; a stem met once is the stem alone."""
    paths = [
        "build/class/submitted/bob/01_x/01_x.ipynb",
        "build/class/submitted/dave/01_x/01_x.ipynb",
        "exercises/02_y.ipynb",
    ]
    assert P.labels(paths) == ["bob/01_x", "dave/01_x", "02_y"]
    assert P.labels(["solutions/01_x.ipynb", "/tmp/t/mine/01_x.ipynb"]) == [
        "solutions/01_x",
        "mine/01_x",
    ]


def test_an_item_checked_by_asserts_is_named_by_the_function_it_checks():
    """Not by an internal grade id: the learner's function, defined in an earlier cell, that the
    item calls (library calls and helpers defined in the item itself aside)."""
    item = _cell(
        "rng = np.random.default_rng(3)\n"
        "def total(p):\n    return p\n"
        "assert np.isclose(fd_last_copy_grad(xs, total(y)), backward(1))"
    )
    item.metadata["tags"] = ["graded", "optional"]
    item.metadata["nbgrader"] = {"grade": True, "grade_id": "check-x03-c11", "points": 0}
    nb = _nb(
        _cell("import numpy as np\nfrom rnnlib.scalar import backward"),
        _cell("def fd_last_copy_grad(xs, y):\n    raise NotImplementedError()"),
        item,
    )
    assert P.item_names(nb) == {2: "fd_last_copy_grad"}
    (row,) = P.classify(nb, "03")
    assert (row.name, row.optional) == ("fd_last_copy_grad", True)
    assert "fd_last_copy_grad (optional)" in P.format_table([row])


@pytest.mark.slow
def test_solution_exercise_and_a_wrong_answer(tmp_path, capsys):
    exercise = nbformat.read(ROOT / "exercises" / f"{SLUG}.ipynb", as_version=4)
    (cell,) = [c for c in exercise.cells if c.source.startswith("def loss(")]
    cell.source = cell.source.replace("raise NotImplementedError()", "return (y_hat - y) ** 2")
    wrong = tmp_path / "mine" / f"{SLUG}.ipynb"
    wrong.parent.mkdir()
    nbformat.write(exercise, wrong)
    before = wrong.read_bytes()

    paths = [ROOT / "solutions" / f"{SLUG}.ipynb", ROOT / "exercises" / f"{SLUG}.ipynb", wrong]
    assert P.main([str(p) for p in paths]) == 0
    out = capsys.readouterr().out
    assert wrong.read_bytes() == before  # the learner's notebook is not touched

    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and "/" in parts[0] and parts[1].startswith("check_"):
            status = parts[3:] if parts[2] == "(optional)" else parts[2:]
            rows[(parts[0].split("/")[0], parts[1])] = " ".join(status)
    names = [
        "check_loss(loss)",
        "check_loss_grad(loss_grad)",
        "check_loss_grad_fd(loss_grad_fd)",
    ]  # and three check_answer(...) questions, counted in the last line
    for name in names:
        assert rows[("solutions", name)] == P.PASSED
        assert rows[("exercises", name)] == P.NOT_STARTED
    assert rows[("mine", "check_loss(loss)")] == P.FAILING
    (missing_half,) = [m for m in check_loss.mistakes if m.key == "missing_half"]
    detail = fill_text(f"    → check_loss: {missing_half.says}", " " * 6)  # at TEXT_WIDTH
    assert "\n" + detail + "\n" in out
    assert rows[("mine", "check_loss_grad(loss_grad)")] == P.NOT_STARTED
    assert out.rstrip().endswith(
        "18 graded items (3 optional): 6 passed, 1 failing, 11 not started"
    )


# -- the one notebook runner (rnnlib.course.runner) behind make notebooks and the benchmarks ------


def _write(tmp_path, source, **metadata):
    nb = _nb(new_code_cell(source))
    nb.metadata.update(metadata)
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_make_notebooks_stores_outputs_without_widget_state(tmp_path):
    from tools import run_notebooks

    path = _write(tmp_path, "import os\nprint(6 * 7, os.getcwd())", widgets={"state": {}})
    seconds = run_notebooks.execute(path)
    saved = nbformat.read(path, as_version=4)
    assert saved.cells[0].outputs[0].text == f"42 {tmp_path}\n"  # run from its own folder
    assert "widgets" not in saved.metadata and "execution" not in saved.cells[0].metadata
    assert seconds > 0


@pytest.mark.slow
def test_make_notebooks_twice_on_an_unchanged_notebook_with_a_widget_leaves_no_diff(tmp_path):
    """The widget's model id is random each run and its state is not kept: only the widget's
    text fallback is stored, so the second run writes the same bytes as the first."""
    from tools import run_notebooks

    source = "import ipywidgets\nipywidgets.IntSlider(description='w')"
    path = _write(tmp_path, source)
    run_notebooks.execute(path)
    first = path.read_bytes()
    run_notebooks.execute(path)
    assert path.read_bytes() == first
    (out,) = nbformat.read(path, as_version=4).cells[0].outputs
    assert list(out.data) == ["text/plain"] and "IntSlider" in out.data["text/plain"]


@pytest.mark.parametrize(
    ("arg", "says"),
    [
        ("README.md", "'README.md' is not a notebook (.ipynb)"),
        ("no_such_folder", "'no_such_folder' does not exist"),
        ("tools", "'tools' holds no notebooks named like the course's"),
        ("--all", "unknown option '--all'"),
    ],
)
def test_make_notebooks_refuses_what_is_not_a_notebook_before_running_any(
    arg, says, capsys, monkeypatch
):
    """An author's typo gets one line and exit code 2, not a traceback from nbformat (a file
    that is not JSON) or from the kernel (a path that does not exist), and nothing runs."""
    from tools import run_notebooks

    monkeypatch.chdir(ROOT)
    ran = []
    monkeypatch.setattr(run_notebooks, "execute", ran.append)
    assert run_notebooks.main(["notebooks", arg]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"run_notebooks: {says}") and "usage: python -m" in err
    assert ran == []  # notebooks/, named first, was not run either
    assert run_notebooks.main(["--help"]) == 0
    assert "Usage: python -m tools.run_notebooks" in capsys.readouterr().out


@pytest.mark.slow
def test_make_notebooks_stops_at_a_failing_cell_and_leaves_that_file_as_it_was(tmp_path, capsys):
    from tools import run_notebooks

    path = _write(tmp_path, "print('before')\nraise ValueError('a typo in the lesson')")
    before = path.read_bytes()
    assert run_notebooks.main([str(path)]) == 1
    err = capsys.readouterr().err
    assert f"run_notebooks: {path}: a cell failed; the file is left as it was" in err
    assert "ValueError: a typo in the lesson" in re.sub(r"\x1b\[[0-9;]*m", "", err)  # colours
    assert path.read_bytes() == before


@pytest.mark.slow
def test_the_course_benchmark_reports_a_failing_notebook_and_goes_on(tmp_path):
    from benchmarks import course

    path = _write(tmp_path, "1 / 0")
    before = path.read_bytes()
    seconds, error = course.execute(path)
    assert error.startswith("CellExecutionError: ") and "ZeroDivisionError" in error
    assert seconds > 0 and path.read_bytes() == before  # nothing saved


def test_unfinished_helper_timeout_and_optional_items():
    """A written function whose helper is unfinished is named; a cell interrupted at the time
    limit is a timeout with its limit; assert-only items (tag or nbgrader metadata) are listed."""
    helper = "unfinished: `scalar_bptt` calls `step_back`, whose body is still ..."
    graded = _cell("assert abs(f(2) - 4) < 1e-9", error=("AssertionError", ""))
    graded.metadata["tags"] = ["graded", "optional"]
    nbg = _cell("assert g(1) == 1")
    nbg.metadata["nbgrader"] = {"grade": True, "grade_id": "g_of_one", "points": 1}
    nb = _nb(
        _cell("check_a(scalar_bptt)", error=("NotImplementedError", helper)),
        _cell("while True: pass", error=("KeyboardInterrupt", "")),
        _cell("check_b(h)", error=("NameError", "name 'h' is not defined")),
        graded,
        nbg,
    )
    rows = P.classify(nb, "nb", timeout=7)
    assert [(r.status, r.optional) for r in rows] == [
        (P.UNFINISHED, False),
        (P.TIMED_OUT, False),
        (P.FAILING, True),
        (P.PASSED, False),
    ]
    assert rows[0].detail.startswith("`scalar_bptt` calls `step_back`")
    assert "longer than 7 s" in rows[1].detail and "a cell above" in rows[1].detail
    assert rows[3].name == "g_of_one"
    # nbgrader's autograded notebook: a stopped cell is a CellTimeoutError, also a timeout
    stopped = _nb(_cell("check_a(f)", error=("CellTimeoutError", "ran longer than the limit")))
    assert P.classify(stopped)[0].status == P.TIMED_OUT
    table = P.format_table(rows)
    assert "assert abs(f(2) - 4) < 1e-9 (optional)" in table
    assert table.endswith(
        "4 graded items (1 optional): 1 passed, 1 failing, 1 timed out, 1 unfinished, 0 not started"
    )


def test_a_long_detail_is_wrapped_at_spaces():
    """A checker's first line runs to 250 characters; a terminal (or a notebook running the
    command) would break it anywhere: the table wraps it at spaces, its later lines indented."""
    says = "check_b: " + " ".join(f"word{i}" for i in range(40))
    text = P.format_table([P.Exercise("01_x", "check_b(g)", P.FAILING, says)])
    detail = text.splitlines()[3:-2]
    assert len(detail) >= 3 and detail[0].startswith("    → check_b: word0 ")
    assert all(line.startswith("      word") for line in detail[1:])
    assert all(len(line) <= TEXT_WIDTH for line in detail)
    assert " ".join(detail).split() == ["→", *says.split()]


# -- found by mutation testing of the checker machinery (2026-12-06): behaviour no test pinned --

# -- rnnlib/progress.py ------------------------------------------------------------------------


def test_item_names_lists_code_cells_only():
    """A markdown cell whose line starts with a checker call (the text quoting the call) is no
    graded item: item_names (what the table and make class's stamps list) gives code cells."""
    from nbformat.v4 import new_markdown_cell

    nb = new_notebook(
        cells=[
            new_markdown_cell("Then run the check:\n\ncheck_loss(loss)\n\nwhich prints one line."),
            new_code_cell("check_loss(loss)"),
        ]
    )
    assert P.item_names(nb) == {1: "check_loss(loss)"}


def test_a_graded_cell_of_asserts_that_does_not_parse_is_named_by_its_grade_id():
    """graded_item: an item checked by plain asserts is named by the learner's functions it
    calls, "failing that, by its nbgrader grade id". A cell that does not parse (the learner
    broke it) calls nothing that can be read: its grade id, not a crash."""
    cell = new_code_cell("assert one_step_lr(o) ==\n")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "asserts-lr", "points": 1}
    assert P.graded_item(cell, defined={"one_step_lr"}) == "asserts-lr"


def test_a_checks_own_verdict_after_an_unfinished_cell_above_is_failing_with_its_message():
    """_status: a cell above stopped at ``raise NotImplementedError()``, yet the check ran and
    refused the answer (an AssertionError of the check's own): that verdict is the item's
    status, failing with its first line; only another error (a NameError of a name the
    unfinished cell never set) counts as not started."""
    above = _cell("def helper(x):\n    raise NotImplementedError()", ("NotImplementedError", ""))
    nb = new_notebook(
        cells=[above, _cell("check_a(f)", ("AssertionError", "check_a: wrong sign: ...\n  case 1"))]
    )
    assert P.classify(nb, "nb") == [
        P.Exercise("nb", "check_a(f)", P.FAILING, "check_a: wrong sign: ...")
    ]
    nb = new_notebook(cells=[above, _cell("check_a(f)", ("NameError", "name 'f' is not defined"))])
    assert [e.status for e in P.classify(nb, "nb")] == [P.NOT_STARTED]


def test_an_unfinished_helper_above_names_the_helper():
    """_status: the first error since the previous item, a NotImplementedError whose message
    is a checker's "unfinished: ..." line, then a NameError in the item: the item is
    unfinished, with that line's helper (not plain "not started")."""
    said = "unfinished: `loss` calls `square`, whose body is still `raise NotImplementedError()`"
    nb = new_notebook(
        cells=[
            _cell("loss(1.0, 2.0)", ("NotImplementedError", said)),
            _cell("check_a(f)", ("NameError", "name 'f' is not defined")),
        ]
    )
    assert P.classify(nb, "nb") == [
        P.Exercise("nb", "check_a(f)", P.UNFINISHED, said.removeprefix("unfinished:").strip())
    ]


def test_the_tables_columns_line_up_under_their_heads():
    """format_table: each column is as wide as its widest entry or head, so every row's item
    and status start where the heads "graded item" and "status" do (short labels and a long
    one, against the head "notebook")."""
    rows = [
        P.Exercise("01_x", "check_a(f)", P.PASSED),
        P.Exercise("bob/01_loss_and_its_derivative", "check_b(g)", P.FAILING, "check_b: ..."),
        P.Exercise("02_y", "check_long_name(h)", P.NOT_STARTED),
    ]
    lines = P.format_table(rows).splitlines()
    item, status = lines[0].index("graded item"), lines[0].index("status")
    assert item == len("bob/01_loss_and_its_derivative") + 2
    assert status == item + len("check_long_name(h)") + 2
    for line, row in zip([lines[2], lines[3], lines[5]], rows, strict=True):
        assert line.index(row.name) == item and line.index(row.status) == status, line


def test_a_missing_graded_cell_of_a_released_copy_names_the_exercise_to_copy_it_from():
    """A released copy (make class) lists its graded cells but names no solution
    (``generated_from``): the file to copy the cell back from is the notebook's own name, not
    "exercises/notebook" (a mutation test's finding, 2026-12-06)."""
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["rnnlib"] = {"graded": ["check-loss"]}
    [row] = P.missing_items(nb, "bob/01_loss_and_its_derivative")
    assert row.detail.endswith(
        "copy it back from the course's exercises/01_loss_and_its_derivative.ipynb"
    )
    nb.metadata["rnnlib"]["generated_from"] = "solutions/02_last_layer_weight.ipynb"
    [row] = P.missing_items(nb, "x")
    assert row.detail.endswith("exercises/02_last_layer_weight.ipynb")
