"""``python -m tools.class_report`` on tiny hand-made autograded notebooks: each outcome of a
check cell (passed, not started, a catalogued mistake, another failure), the table, the CSV and
the messages for bad input. The report on a whole simulated class, autograded by nbgrader, is
tested in tests/test_class.py (``-k report``)."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import numpy as np
import pytest
import test_checkers as tc
from nbformat.v4 import new_code_cell, new_notebook, new_output

from rnnlib.checks import check_answer
from tools import class_report as cr
from tools import make_class as mc

LOSS = dict(mc.catalogue("check_loss"))
SEED = dict(mc.catalogue("check_answer:01.seed_loss"))
A1 = "01_loss_and_its_derivative"
WRONG = "a wrong value"  # what the report calls a wrong value that the catalogue does not know


def error(ename, evalue=""):
    return new_output("error", ename=ename, evalue=evalue, traceback=[])


def printed(text):
    return new_output("stream", name="stdout", text=text)


def check_cell(source, gid, *outputs):
    cell = new_code_cell(source, outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": 1, "solution": False}
    return cell


def answer_cell(*outputs):
    source = "def loss(y_hat, y):\n    raise NotImplementedError()"
    cell = new_code_cell(source, outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "answer-loss", "solution": True}
    return cell


def loss_check(*outputs):
    return check_cell("check_loss(loss)", "check-loss", *outputs)


def mistake(key):
    """The error a check_loss cell shows for the catalogued mistake ``key``, as nbgrader stores
    it (the message unwrapped, then the failing case)."""
    return error("AssertionError", f"check_loss: {LOSS[key]}\n  case 1 of 7: scalars\n  ...")


def outcomes(*cells):
    return cr.notebook_outcomes(new_notebook(cells=list(cells)))


def test_each_outcome_of_a_check_cell():
    unfinished = "not started: write the body of `loss` above, then run this cell again"
    timed_out = [error("KeyboardInterrupt"), error("CellTimeoutError", "this cell ran longer")]
    cases = [
        ([printed("check_loss: 7/7 cases passed ✓\n")], cr.Outcome(cr.PASSED)),
        ([error("NotImplementedError", unfinished)], cr.Outcome(cr.NOT_STARTED)),
        ([error("AssertionError", "check_loss: wrong value for scalars\n  case 2 ...")], WRONG),
        ([error("NameError", "name 'loss' is not defined")], "NameError"),
        (timed_out, "CellTimeoutError"),
    ]
    for cell_outputs, want in cases:
        if isinstance(want, str):
            want = cr.Outcome(cr.OTHER, says=want)
        assert outcomes(loss_check(*cell_outputs))[("check-loss", "check_loss")] == want


def test_a_catalogued_mistake_is_named_by_its_key():
    for key in ("missing_half", "no_square"):
        got = outcomes(loss_check(mistake(key)))[("check-loss", "check_loss")]
        assert (got.kind, got.keys) == (cr.MISTAKE, (key,))
        assert got.says and " ".join(LOSS[key].split()).startswith(got.says)


def test_an_error_in_the_answer_cell_is_the_checks_cause():
    raised = answer_cell(error("NotImplementedError"))
    name_error = loss_check(error("NameError", "name 'loss' is not defined"))
    assert outcomes(raised, name_error)[("check-loss", "check_loss")].kind == cr.NOT_STARTED
    syntax = answer_cell(error("SyntaxError", "'(' was never closed"))
    got = outcomes(syntax, name_error)[("check-loss", "check_loss")]
    assert got == cr.Outcome(cr.OTHER, says="SyntaxError in a cell above")
    # an error before the previous check cell is not this check's cause
    got = outcomes(
        raised, loss_check(), check_cell("check_loss(loss)", "check-again", *name_error.outputs)
    )
    assert list(got.values()) == [cr.Outcome(cr.PASSED), cr.Outcome(cr.OTHER, says="NameError")]


def test_an_answer_cell_stopped_by_the_time_limit_is_the_checks_cause():
    """`direction = None` then an endless loop: nbgrader stops the cell, the answer stays None,
    and the check says "not started". It was counted as not started; the cell above is what
    went wrong (the progress command says "timed out" there too)."""
    looped = answer_cell(error("KeyboardInterrupt"), error("CellTimeoutError", "this cell ran"))
    unset = loss_check(error("NotImplementedError", "not started: give your answer ..."))
    got = outcomes(looped, unset)[("check-loss", "check_loss")]
    assert got == cr.Outcome(cr.OTHER, says="CellTimeoutError in a cell above")


def test_a_question_and_its_wrong_choice():
    cell = check_cell(
        'check_answer("01.seed_loss", answer_seed_loss)',
        "check-answer_seed_loss",
        error("AssertionError", f"check_answer('01.seed_loss'): (c) is not right: {SEED['c']}"),
    )
    got = outcomes(cell)[("check-answer_seed_loss", "check_answer:01.seed_loss")]
    assert (got.kind, got.keys) == (cr.MISTAKE, ("c",))


def test_the_message_must_come_from_the_check():
    """A mistake's text in another check's message (a check_loss_grad failure inside the
    check_loss cell, say) is not check_loss's mistake."""
    wrong_check = error("AssertionError", f"check_loss_grad: {LOSS['missing_half']}")
    assert outcomes(loss_check(wrong_check))[("check-loss", "check_loss")].kind == cr.OTHER


def test_the_longest_text_wins_and_equal_texts_are_both_named(monkeypatch):
    fake = [("short", "missing ½"), ("long", "missing ½: you returned (ŷ − y)²"), ("twin", "x y")]
    fake.append(("twin2", "x  y"))  # the same text, spaced otherwise
    monkeypatch.setattr(cr, "catalogue", lambda check: fake)
    said = "check_loss: missing ½: you returned (ŷ − y)²;\n the loss is ..."
    assert cr.match_mistake("check_loss", said).keys == ("long",)
    assert cr.match_mistake("check_loss", "check_loss: missing ½ here").keys == ("short",)
    assert cr.match_mistake("check_loss", "check_loss: x\n y").keys == ("twin", "twin2")
    assert cr.match_mistake("check_loss", "check_loss: nothing known") is None


def test_two_checks_in_one_cell():
    source = "check_loss(loss)\ncheck_loss_grad(loss_grad)"
    cell = check_cell(
        source,
        "check-both",
        printed("check_loss: 7/7 cases passed ✓\n"),
        error("AssertionError", "check_loss_grad: wrong value for scalars\n  case 1 ..."),
    )
    got = outcomes(cell)
    assert got[("check-both", "check_loss")] == cr.Outcome(cr.PASSED)
    assert got[("check-both", "check_loss_grad")] == cr.Outcome(cr.OTHER, says=WRONG)


# -- a tiny class, on disk -----------------------------------------------------------------------


def write(course: Path, learner: str, *cells, assignment=A1):
    folder = course / "autograded" / learner / assignment
    folder.mkdir(parents=True)
    nbformat.write(new_notebook(cells=list(cells)), folder / f"{assignment}.ipynb")


@pytest.fixture
def tiny_class(tmp_path):
    """Two course folders (a class graded in two shards): 5 learners of exercise 01, two with
    the mistake no_square, one with missing_half, one who passed, one whose cell is gone; one
    learner of exercise 02, not started."""
    a, b = tmp_path / "shard0", tmp_path / "shard1"
    write(a, "ann", answer_cell(), loss_check(mistake("no_square")))
    write(a, "bob", answer_cell(), loss_check(mistake("missing_half")))
    write(b, "cat", answer_cell(), loss_check(mistake("no_square")))
    write(b, "dan", answer_cell(), loss_check())
    write(b, "eve", answer_cell())  # deleted the check cell
    unfinished = error("NotImplementedError", "not started: write the body of `x` above")
    cell = check_cell("check_sgd_step(sgd_step)", "check-sgd_step", unfinished)
    write(b, "ann", cell, assignment="02_last_layer_weight")
    return [a, b]


def test_the_report_counts_the_class(tiny_class, capsys, tmp_path):
    out_csv = tmp_path / "report.csv"
    assert cr.main([*map(str, tiny_class), "--csv", str(out_csv)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0] == "5 learners, 6 autograded notebooks read"
    i = lines.index(f"{A1}: 5 learners")
    assert lines[i + 1] == "  check_loss: 1 passed, 0 not started"
    assert lines[i + 2].split()[:3] == ["2", "40%", "no_square:"]  # most frequent first
    assert lines[i + 3].split()[:3] == ["1", "20%", "missing_half:"]
    assert lines[i + 4].split() == [
        "1",
        "20%",
        "other",
        "failures:",
        "check",
        "cell",
        "missing",
        "1",
    ]
    assert "  check_sgd_step: 0 passed, 1 not started" in lines
    with open(out_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["assignment", "check", "outcome", "mistake", "count"]
    assert rows[1:] == [
        [A1, "check_loss", "passed", "", "1"],
        [A1, "check_loss", "mistake", "no_square", "2"],
        [A1, "check_loss", "mistake", "missing_half", "1"],
        [A1, "check_loss", "other", cr.MISSING, "1"],
        ["02_last_layer_weight", "check_sgd_step", "not started", "", "1"],
    ]


def test_a_check_no_learner_has_is_listed_from_the_course_source(tmp_path, capsys):
    """A check added to the course after the learners got the exercise (INSTRUCTORS.md section
    5): no submitted notebook has its cell; nbgrader gives each learner 0 for it, waiting for a
    hand grade. The report lists it, in the source notebook's order, as missing for every
    learner, instead of leaving it out."""
    course = tmp_path / "class"
    grad = check_cell("check_loss_grad(loss_grad)", "check-loss_grad")
    source = course / "source" / A1
    source.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[answer_cell(), loss_check(), grad]), source / f"{A1}.ipynb")
    write(course, "ann", answer_cell(), loss_check())
    write(course, "bob", answer_cell(), loss_check(mistake("missing_half")))
    assert cr.main([str(course)]) == 0
    lines = capsys.readouterr().out.splitlines()
    i = lines.index(f"{A1}: 2 learners")
    assert lines[i + 1] == "  check_loss: 1 passed, 0 not started"
    assert lines[i + 2].split()[:3] == ["1", "50%", "missing_half:"]
    assert lines[i + 3] == "  check_loss_grad: 0 passed, 0 not started"
    assert lines[i + 4].split() == ["2", "100%", "other", "failures:", *cr.MISSING.split(), "2"]


def test_only_the_assignments_asked_for(tiny_class, capsys):
    assert cr.main([*map(str, tiny_class), "--assignment", "02_last_layer_weight"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1 learners, 1 autograded notebooks read")
    assert A1 not in text


def test_an_unknown_assignment_lists_the_known_ones(tiny_class, capsys):
    assert cr.main([*map(str, tiny_class), "--assignment", "01_loss"]) == 2
    err = capsys.readouterr().err
    assert "01_loss" in err and f"{A1}, 02_last_layer_weight" in err


def test_help_prints_the_usage_and_exits_0(capsys):
    assert cr.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Which mistakes did the class make") and "--csv FILE" in out
    assert cr.main(["--hlep"]) == 2
    assert capsys.readouterr().err.startswith("class_report: unknown option --hlep")


def test_a_course_not_yet_autograded(tmp_path, capsys):
    (tmp_path / "source").mkdir()
    assert cr.main([str(tmp_path)]) == 1
    assert "run `nbgrader autograde" in capsys.readouterr().err
    # beside graded shards, a folder without autograded/ (the one they were copied from) is skipped
    write(tmp_path / "shard0", "ann", loss_check())
    assert cr.main([str(tmp_path), str(tmp_path / "shard0")]) == 0
    assert "skipped" in capsys.readouterr().err


def test_an_autograded_folder_with_nothing_in_it(tmp_path, capsys):
    (tmp_path / "autograded").mkdir()
    assert cr.main([str(tmp_path)]) == 1
    assert "no autograded notebooks" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, said",
    [
        (["--csv"], "--csv needs a value"),
        (["--assignment", "--csv", "x.csv"], "--assignment needs a value"),
        (["--verbose"], "unknown option --verbose"),
        (["no/such/folder"], "no such folder"),
    ],
)
def test_bad_arguments(args, said, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cr.main(args) == 2
    err = capsys.readouterr().err
    assert said in err and "Usage" in err


# -- what a check says of an answer its catalogue does not know --------------------------------


def _failure(checker, answer):
    """The report's name for ``checker``'s verdict on ``answer``, from the message as nbgrader
    stores it (``str`` of the AssertionError)."""
    with pytest.raises(AssertionError) as excinfo:
        checker(answer)
    return cr.failure(checker.name, str(excinfo.value))


def _each_item(result, change):
    if isinstance(result, (tuple, list)):
        return type(result)(change(np.asarray(r, dtype=float)) for r in result)
    return change(np.asarray(result, dtype=float))


@pytest.mark.parametrize("name", tc.NAMES)
def test_each_kind_of_unknown_wrong_answer_is_named_for_every_checker(name):
    """Every check's bad answers that its catalogue cannot name (made here, one of each kind,
    from the right answer of tests/test_lessonNN.py) get their own outcome in the report, not one
    "AssertionError" for all."""
    checker, (right, _) = tc.BY_NAME[name], tc.RIGHT[name]
    calls = []

    def crashing(*args):
        return {}["missing"]

    def mutating(*args):
        out, a = right(*args), tc._first_array(args)
        if a is not None:  # (a case without an array: the next case has one)
            a[...] = a + 1.0
        return out

    def drifting(*args):  # a total kept from one call to the next
        calls.append(1)
        return _each_item(right(*args), lambda r: r * (1 + len(calls)) + len(calls))

    kinds = {
        "returned None": lambda *args: None,
        "the wrong type, shape or length": lambda *args: np.zeros(7),
        "NaN or infinity": lambda *args: _each_item(right(*args), lambda r: r * np.nan),
        "changed an input in place": mutating,
        "raised KeyError": crashing,
        "a result that changes from call to call": drifting,
    }
    for want, answer in kinds.items():
        assert _failure(checker, answer) == want, want
    assert _failure(checker, lambda *args: "0.5") == "the wrong type, shape or length"
    assert _failure(checker, 0.5) == "a value, not the function"
    wrong = _failure(checker, lambda *args: _each_item(right(*args), lambda r: r * 1.37 + 0.01))
    assert wrong == WRONG or wrong.startswith(WRONG + " ("), wrong
    assert cr.failure(name, str(checker._too_long(crashing, checker.cases(), 1))) == (
        "a loop that never ends"
    )


def test_a_wrong_value_names_the_items_that_are_wrong():
    check = tc.BY_NAME["check_rnn_backward"]
    right, _ = tc.RIGHT["check_rnn_backward"]

    def dWh_off(*args):  # (twice dWh is a catalogued mistake: dh_t counted twice)
        dx, dh0, dWx, dWh, db = right(*args)
        return dx, dh0, dWx, dWh + 0.1, db

    assert _failure(check, dWh_off) == "a wrong value (dWh)"
    assert _failure(check, lambda *args: tuple(right(*args))[::-1]) == (
        "the right values in the wrong order"
    )


def test_float32_and_the_librarys_answer_are_named():
    right, _ = tc.RIGHT["check_rnn_backward"]
    assert _failure(tc.BY_NAME["check_rnn_backward"], tc._in_float32(right)) == (
        "float32 precision"
    )
    for name, answer, _ in tc._library_answers():
        assert _failure(tc.BY_NAME[name], answer) == "called the library's answer", name


def test_a_questions_wrong_value_and_wrong_form():
    assert cr.failure("check_answer:02.lr_edge", _question_says("02.lr_edge", 0.77)) == WRONG
    for answer in ("0.5", [1, 2]):
        said = _question_says("02.lr_edge", answer)
        assert cr.failure("check_answer:02.lr_edge", said) == "the wrong type, shape or length"
    said = _question_says("02.direction", 7)
    assert cr.failure("check_answer:02.direction", said) == "the wrong type, shape or length"


def _question_says(key, answer):
    with pytest.raises(AssertionError) as excinfo:
        check_answer(key, answer)
    return str(excinfo.value)


def test_a_difference_of_a_wrong_loss_is_counted_as_the_losss_slip():
    """The instructor's walk-through: a right central difference of a `loss` missing its ½ was
    counted as fd_divided_by_eps ("twice the slope"), sending the class to the wrong slip."""
    central = "    return (loss(y_hat + eps, y) - loss(y_hat - eps, y)) / (2 * eps)\n"
    for body, want in [
        ("(np.asarray(y_hat) - y) ** 2", "`loss` missing its ½ (see check_loss)"),
        ("0.5 * abs(np.asarray(y_hat) - y)", "a wrong `loss` (see check_loss)"),
    ]:
        namespace = {"np": np}
        exec(
            f"def loss(y_hat, y):\n    return {body}\n" + "def fd(y_hat, y, eps):\n" + central,
            namespace,
        )
        with pytest.raises(AssertionError) as excinfo:
            tc.BY_NAME["check_loss_grad_fd"](namespace["fd"])
        said = str(excinfo.value)
        assert cr.match_mistake("check_loss_grad_fd", said) is None
        assert cr.failure("check_loss_grad_fd", said) == want


def test_a_message_the_report_does_not_know_keeps_the_exceptions_name():
    said = "check_loss: something no check says\n  case 1 ..."
    assert cr.failure("check_loss", said) == "AssertionError"
    cell = loss_check(error("AssertionError", said))
    assert outcomes(cell)[("check-loss", "check_loss")] == cr.Outcome(
        cr.OTHER, says="AssertionError"
    )


def test_the_other_failures_of_a_check_are_listed_by_kind(tmp_path, capsys):
    """Two learners whose loss returned None, one with a value the catalogue does not know, one
    whose check cell is gone: one line, most frequent first, the kinds apart."""
    none = error("AssertionError", "check_loss: your loss returned None (is a `return` missing?)")
    for learner in ("ann", "bob"):
        write(tmp_path, learner, answer_cell(), loss_check(none))
    said = "check_loss: wrong value for scalars, ŷ above y\n  case 1 of 7: ..."
    write(tmp_path, "cat", answer_cell(), loss_check(error("AssertionError", said)))
    write(tmp_path, "dan", answer_cell())
    assert cr.main([str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    i = lines.index("  check_loss: 0 passed, 0 not started")
    assert lines[i + 1].split("  other failures: ") == [
        "       4 100%",
        f"returned None 2; {WRONG} 1; {cr.MISSING} 1",
    ]


# -- learners' cells that reach into the checks --------------------------------------------------
# nbgrader restores a graded check cell before it runs it, but runs the learner's own cells as
# written: a line there can make the check after it pass whatever the answer.

REACHES = [  # (a learner's cell, what the report says of its last line)
    ("check_loss = lambda f: None", "rebinds check_loss, a checker"),
    ("def check_loss(f):\n    pass", "defines its own check_loss, a checker's name"),
    (
        "from rnnlib.checks import check_loss_grad as check_loss",
        "binds check_loss, a checker's name, to check_loss_grad",
    ),
    ("for check_answer in range(2):\n    pass", "rebinds check_answer, a checker"),
    ("import rnnlib.checks as c\nc.check_loss = print", "changes c.check_loss (of rnnlib.checks)"),
    (
        "import rnnlib\nrnnlib.checks.check_loss = print",
        "changes rnnlib.checks.check_loss (of rnnlib)",
    ),
    ("import numpy as np\nnp.allclose = lambda *a, **k: True", "changes np.allclose (of numpy)"),
    (
        "from rnnlib.course import checking\nchecking.Checker.__call__ = print",
        "changes checking.Checker.__call__ (of rnnlib.course.checking)",
    ),
    (
        "from rnnlib import checks\ndel checks.check_loss",
        "changes checks.check_loss (of rnnlib.checks)",
    ),
    ('exec("check_loss = print")', "runs code from a string (exec)"),
    ('globals()["check_loss"] = print', "reaches the notebook's names through globals()"),
    (
        'import rnnlib.checks as c\nsetattr(c, "check_loss", print)',
        "sets an attribute by name (setattr)",
    ),
    ("import sys\nsys.modules['rnnlib'].x = 1", "reaches modules through sys.modules"),
    ("import builtins", "imports builtins"),
    ("__builtins__.print = None", "reaches __builtins__"),
    (
        "import importlib\nimport rnnlib.checks\nimportlib.reload(rnnlib.checks)",
        "reloads a module (importlib.reload)",
    ),
    ("%run elsewhere.py", "runs IPython's run_line_magic('run')"),
    ("!cp elsewhere/answers.py .", "runs a shell command"),
    (
        "import numpy as np\nnp.__dict__['allclose'] = print",
        "writes through __dict__: np.__dict__['allclose']",
    ),
    (
        "import numpy as np\nobject.__setattr__(np, 'allclose', print)",
        "sets an attribute through __setattr__",
    ),
]


@pytest.mark.parametrize(("source", "says"), REACHES, ids=[s for s, _ in REACHES])
def test_a_line_that_reaches_into_the_checks_is_named(source, says):
    """Named on the line that does it: a cell's last line, or the `def`, `for` line."""
    line = 1 if source.startswith(("def ", "for ")) else source.count("\n") + 1
    found = cr.reaches(source, {"check_loss", "check_answer"})
    assert [n for n, _ in found] == [line]
    assert says in found[0][1].split("; ")


HARMLESS = [
    "from rnnlib.checks import check_answer, check_loss",
    "import numpy as np\nx = np.zeros(3)\nx[0] = 1.0\nnp.random.seed(0)",
    'import matplotlib.pyplot as plt\nplt.rcParams["figure.figsize"] = (4, 3)',
    "%timeit sum(range(9))",
    "%matplotlib inline",
    '%config InlineBackend.figure_format = "svg"',
    "def check_my_work(f):\n    return f(1)",  # the learner's own helper: no checker's name
    "class Model:\n    pass\n\n\nm = Model()\nm.w = 1.0",
    "def loss(y_hat, y):\n    return 0.5 * (y_hat - y) ** 2",
    "def broken(:\n    pass",  # (its SyntaxError is the report's)
]


@pytest.mark.parametrize("source", HARMLESS)
def test_what_a_learner_writes_to_answer_is_not_named(source):
    assert cr.reaches(source, {"check_loss", "check_answer"}) == []


@pytest.mark.parametrize("folder", ["notebooks", "solutions", "exercises"])
def test_no_cell_of_the_course_reaches_into_the_checks(folder):
    """A learner who copies a line of a lesson, a solution or an exercise is not listed."""
    root = Path(__file__).resolve().parents[1] / folder
    for path in sorted(root.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:  # every cell, graded ones too, as if a learner had written it
            cell.metadata.pop("nbgrader", None)
        assert cr.notebook_reaches(nb, "x", path.stem) == [], path.name


def test_which_cells_are_read_and_how_they_are_named():
    """Answer cells by their grade id, cells the learner added by their place; not the graded
    check cells or read-only cells, which nbgrader puts back as the course wrote them."""
    answer = answer_cell()
    answer.source += "\ncheck_loss = lambda f: None"
    added = new_code_cell("import numpy as np\nnp.allclose = lambda *a, **k: True")
    tampered = check_cell("check_loss = print\ncheck_loss(loss)", "check-loss")
    locked = new_code_cell("check_loss = print")
    locked.metadata["nbgrader"] = {"grade": False, "locked": True, "solution": False}
    nb = new_notebook(cells=[answer, added, tampered, locked])
    assert cr.notebook_reaches(nb, "eve", A1) == [
        cr.Reach("eve", A1, "answer-loss", 3, "check_loss = lambda f: None", REACHES[0][1]),
        cr.Reach(
            "eve", A1, "cell 2 (not an answer cell)", 2, added.source.split("\n")[1], REACHES[6][1]
        ),
    ]


def test_the_report_lists_the_learners_who_reach_into_the_checks(tiny_class, capsys):
    assert cr.main(list(map(str, tiny_class))) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("No learner's cell reaches into the checks")
    )
    answer = answer_cell()
    answer.source = "def loss(y_hat, y):\n    return 0.0\n\ncheck_loss = lambda f: None"
    write(tiny_class[0], "fay", answer, loss_check())
    assert cr.main(list(map(str, tiny_class))) == 0
    lines = capsys.readouterr().out.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("Learners' cells that reach"))
    assert lines[i] == "Learners' cells that reach into the checks: 1 line"
    assert "set the item's points by hand" in " ".join(lines[i + 1 : i + 4])
    assert lines[i + 4 :] == [
        f"  fay  {A1}  answer-loss, line 4:",
        "      check_loss = lambda f: None",
        "      → rebinds check_loss, a checker",
    ]
    assert "  check_loss: 2 passed, 0 not started" in lines  # nbgrader's verdict, as it stands


# -- found by mutation testing of the checker machinery (2026-12-06): behaviour no test pinned --

# -- tools/class_report.py ---------------------------------------------------------------------


def test_a_check_that_never_ran_after_another_failed_is_counted_by_the_error_not_its_message():
    """Two checks in one cell; the first fails ("returned None"), so the second never runs. The
    cell's message is the first check's, not the second's ("check_loss: ..." does not begin
    with "check_loss_grad:"): the second's outcome is the error's name, not a reading of the
    first check's words as its own."""
    cell = check_cell(
        "check_loss(loss)\ncheck_loss_grad(loss_grad)",
        "check-both",
        error("AssertionError", "check_loss: your loss returned None (is a `return` missing?)"),
    )
    got = cr.notebook_outcomes(new_notebook(cells=[cell]))
    assert got[("check-both", "check_loss")] == cr.Outcome(cr.OTHER, says="returned None")
    assert got[("check-both", "check_loss_grad")] == cr.Outcome(cr.OTHER, says="AssertionError")


def _two_assignments(course):
    """alice lost the check_loss cell of A1 (bob has it, before check_loss_grad) and has A3;
    bob has A0, which alice lacks."""
    a = check_cell("check_loss(loss)", "check-loss", printed("check_loss: 7/7 cases passed ✓\n"))
    b = check_cell(
        "check_loss_grad(loss_grad)",
        "check-grad",
        printed("check_loss_grad: 7/7 cases passed ✓\n"),
    )
    write(course, "alice", b, assignment="A1")
    write(course, "bob", a, b, assignment="A1")
    write(course, "alice", b, assignment="A3")
    write(course, "bob", b, assignment="A0")
    return cr.find_notebooks([course])


def test_the_report_lists_assignments_sorted_and_checks_in_the_fullest_notebooks_order(tmp_path):
    """tally's docstring: "assignments sorted, checks in order"; class_outcomes takes the order
    of the checks from the fullest notebook (bob's A1: check_loss, then check_loss_grad), not
    from the first learner read (alice, whose A1 lacks check_loss), and sorts A0 before A1
    although the first learner read has no A0."""
    counts = cr.tally(cr.class_outcomes(_two_assignments(tmp_path)))
    assert list(counts) == [
        ("A0", "check_loss_grad"),
        ("A1", "check_loss"),
        ("A1", "check_loss_grad"),
        ("A3", "check_loss_grad"),
    ]
    # alice, without the cell: the check is missing for her, passed for bob
    assert counts[("A1", "check_loss")] == {
        cr.Outcome(cr.PASSED): 1,
        cr.Outcome(cr.OTHER, says=cr.MISSING): 1,
    }


def test_a_long_explanation_is_cut_to_the_width_with_an_ellipsis():
    assert cr.short("y" * cr.SAYS_WIDTH) == "y" * cr.SAYS_WIDTH
    cut = cr.short("x" * (cr.SAYS_WIDTH + 40))
    assert len(cut) == cr.SAYS_WIDTH and cut == "x" * (cr.SAYS_WIDTH - 1) + "…"


@pytest.mark.parametrize(
    "second",
    [
        ("NameError", "name 'loss_grad' is not defined"),
        ("NotImplementedError", "not started: write the body of `loss_grad` above, then run"),
    ],
    ids=["NameError", "not started"],
)
def test_a_check_that_printed_its_pass_line_passed_whatever_the_next_check_raised(second):
    """The docstring of outcome(): "another check of the same cell failed: this one passed if it
    printed its ✓ line". check_loss printed "check_loss: 7/7 cases passed ✓" and then
    check_loss_grad raised; only an AssertionError of the second check is handled so: a
    NameError or a NotImplementedError ("not started") of the second was counted against the
    first too (OTHER "NameError", NOT_STARTED), until a mutation test found it (2026-12-06)."""
    cell = check_cell(
        "check_loss(loss)\ncheck_loss_grad(loss_grad)",
        "check-both",
        printed("check_loss: 7/7 cases passed ✓\n"),
        error(*second),
    )
    got = cr.notebook_outcomes(new_notebook(cells=[cell]))
    assert got[("check-both", "check_loss")] == cr.Outcome(cr.PASSED)


def test_csv_rows_come_passed_not_started_mistakes_others_whatever_the_counts():
    """csv_rows: "in the table's order": passed, not started, then the mistakes, then the other
    failures, each kind in that place even when a later kind has more learners."""
    from collections import Counter

    counts = {
        ("A1", "check_loss"): Counter(
            {
                cr.Outcome(cr.OTHER, says="NameError"): 5,
                cr.Outcome(cr.MISTAKE, ("missing_half",), "missing ½"): 4,
                cr.Outcome(cr.NOT_STARTED): 3,
                cr.Outcome(cr.PASSED): 1,
            }
        )
    }
    assert cr.csv_rows(counts) == [
        ["A1", "check_loss", cr.PASSED, "", 1],
        ["A1", "check_loss", cr.NOT_STARTED, "", 3],
        ["A1", "check_loss", cr.MISTAKE, "missing_half", 4],
        ["A1", "check_loss", cr.OTHER, "NameError", 5],
    ]


def test_a_graded_markdown_cell_is_not_a_check():
    """notebook_outcomes reads code cells only: a markdown cell with nbgrader's grade metadata
    (a manually graded written answer) has no outputs and is no check of the report."""
    from nbformat.v4 import new_markdown_cell

    text = new_markdown_cell("Why does the gradient vanish? YOUR ANSWER HERE")
    text.metadata["nbgrader"] = {"grade": True, "grade_id": "why-vanish", "points": 1}
    cell = check_cell("check_loss(loss)", "check-loss", printed("check_loss: 7/7 passed ✓\n"))
    assert cr.notebook_outcomes(new_notebook(cells=[text, cell])) == {
        ("check-loss", "check_loss"): cr.Outcome(cr.PASSED)
    }
