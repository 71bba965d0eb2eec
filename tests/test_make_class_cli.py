"""tools/make_class.py without nbgrader runs: its command line (each argument it does not expect
says what it expected and what it got, exit code 2, no traceback, before anything is built) and
the points it stamps on optional items."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from helpers import load_toml, make_dry_run

from tools import make_class as mc

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["--stamp", "nosuch/"],
            "--stamp: expected notebooks or folders of notebooks, got 'nosuch/'",
        ),
        (["--stamp", "README.md"], "--stamp: expected a notebook (.ipynb) or a folder, got"),
        (["--stamp", "tools"], "--stamp: expected notebooks (.ipynb) in 'tools', found none"),
        (["--stamp", "--bogus", "solutions"], "--stamp: unknown argument '--bogus'"),
        (["--stamp"], "--stamp: expected notebooks or folders, got none"),
        (["--solutions", "nosuch"], "--solutions: expected the folder of solution notebooks"),
        (["--solutions", "tools"], "got 'tools', which holds no .ipynb notebooks"),
        (["--solutions"], "--solutions: expected a folder after it, got nothing"),
        (["--out", "--force"], "--out: expected a folder after it, got --force"),
        (["--bogus"], "unknown argument '--bogus'"),
        (["--force", "--keep-grades"], "expected one of them, got both"),
    ],
)
def test_unexpected_arguments_say_what_was_expected(argv, says, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert mc.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("make_class: ") and says in err, err


def test_missing_exercises_name_the_command_that_writes_them(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert mc.main(["--exercises", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "--exercises: expected the folder of exercise notebooks" in err
    assert "`.venv/bin/python -m tools.make_exercises solutions nosuch`" in err, err
    monkeypatch.chdir(ROOT / "tools")  # exercises/ of the repository, from another folder
    assert mc.main(["--solutions", "../solutions", "--exercises", "../nosuch"]) == 2
    assert "tools.make_exercises ../solutions ../nosuch" in capsys.readouterr().err
    assert mc._regenerate(ROOT / "solutions", ROOT / "exercises") == "run `make exercises`"


def test_without_nbgrader_the_build_says_how_to_get_it(capsys, monkeypatch, tmp_path):
    """On Python 3.10 pip leaves nbgrader out (it needs 3.11): the build stops before it
    writes anything and says which Python to use; on a newer Python, how to install it."""
    real = mc.importlib.util.find_spec
    monkeypatch.setattr(
        mc.importlib.util, "find_spec", lambda name: None if name == "nbgrader" else real(name)
    )
    monkeypatch.chdir(ROOT)
    out = tmp_path / "class"
    assert mc.main(["--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("make_class: nbgrader is not installed in this Python (")
    assert not out.exists()
    old, new = mc.no_nbgrader((3, 10, 13)), mc.no_nbgrader((3, 12, 1))
    assert "3.10)" in old and "needs Python 3.11 or newer" in old
    assert "`make class PYTHON=python3.11`" in old
    assert "3.12)" in new and "`make class` installs it" in new and "3.11" not in new


def test_no_traceback_from_the_command_line():
    out = subprocess.run(
        [sys.executable, "-m", "tools.make_class", "--stamp", "nosuch/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr


def test_make_class_passes_force_and_keep_grades():
    def command(*variables):
        return " ".join(make_dry_run("class", *variables, done=(".venv/.class",)).split())

    assert command().endswith("--out build/class")
    assert command("FORCE=1").endswith("--out build/class --force")
    assert command("KEEP_GRADES=1").endswith("--out build/class --keep-grades")
    assert command("FORCE=0").endswith("--out build/class")


def test_make_exercises_needs_no_test_stack():
    """INSTRUCTORS.md section 5 has an instructor, whose .venv `make class` set up (nbgrader,
    JupyterLab), run `make exercises` after changing points. tools/make_exercises.py needs only
    nbformat: make must not plan to install rnnlib[test] (pytest, ruff, Playwright, repo2docker)
    for it. `-W pyproject.toml` makes every install stamp out of date, but for those given as
    up to date with `-o`."""
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml"]
        + ["-o", ".venv/.lab", "-o", ".venv/.class", "-o", ".venv/bin/python", "exercises"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pip" not in out and "[test]" not in out, out
    assert "-m tools.make_exercises solutions exercises" in out, out


def test_make_class_installs_what_make_exercises_and_make_lab_need():
    """The instructor's walk-through: `make exercises` after `make class` installed rnnlib[lab]
    again (the .lab stamp was missing). The class extra holds the lab extra, and its install
    stamps both."""
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml"]
        + ["-o", ".venv/bin/python", "class"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "install -e '.[class]'" in out and "touch .venv/.class .venv/.lab" in out, out
    extras = load_toml(ROOT / "pyproject.toml")["project"]["optional-dependencies"]
    assert set(extras["lab"]) <= set(extras["class"])


def _optional_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
        ),
        nbformat.v4.new_code_cell("check_loss(f)"),
        nbformat.v4.new_code_cell(
            "def g(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"
        ),
        nbformat.v4.new_code_cell("check_loss_grad(g)"),
        nbformat.v4.new_code_cell("assert g(2) == 2"),
        nbformat.v4.new_markdown_cell("### BEGIN SOLUTION\nbecause\n### END SOLUTION"),
    ]
    nb.cells[3].metadata["tags"] = ["optional"]
    nb.cells[4].metadata["tags"] = ["graded", "optional"]
    nb.cells[5].metadata["tags"] = ["optional"]
    # stamped before optional items were worth nothing: 1 point each
    for i in (1, 3, 4):
        nb.cells[i].metadata["nbgrader"] = {"grade": True, "grade_id": f"c{i}", "points": 1}
    return nb


def _points(nb):
    return [c.metadata.get("nbgrader", {}).get("points") for c in nb.cells]


def test_optional_items_are_worth_nothing_unless_told():
    """The `optional` tag decides: a check (or assert-only item, or written answer) tagged
    optional is worth 0 whatever points it had, so skipping it still gives full marks;
    --optional-points makes every optional item count. Other points are kept."""
    nb = _optional_notebook()
    nb.cells[1].metadata["nbgrader"]["points"] = 5  # an instructor's choice
    stamped, changed = mc.stamp_notebook(nb)
    assert _points(stamped) == [None, 5, None, 0, 0, 0] and changed == 6
    assert not mc.is_stamped(nb) and mc.is_stamped(stamped)
    counting, _ = mc.stamp_notebook(stamped, optional_points=2)
    assert _points(counting) == [None, 5, None, 2, 2, 2]
    assert mc.source_notebook(nb, 1).cells[3].metadata.nbgrader["points"] == 1
    nb.cells[3].metadata["tags"] = []  # the way to make one optional item count: untag it
    assert _points(mc.stamp_notebook(nb)[0])[3] == 1


def test_optional_points_on_the_command_line(tmp_path, capsys):
    path = tmp_path / "n.ipynb"
    nbformat.write(_optional_notebook(), path)
    assert mc.main(["--stamp", "--optional-points", "1", str(path)]) == 0
    assert _points(nbformat.read(path, 4))[3:] == [1, 1, 1]
    assert mc.main(["--stamp", "--check", str(path)]) == 1  # worth 0 by default
    assert mc.main(["--stamp", str(path)]) == 0
    assert _points(nbformat.read(path, 4))[3:] == [0, 0, 0]
    capsys.readouterr()
    for bad in (["--optional-points"], ["--optional-points", "-1"], ["--optional-points", "x"]):
        assert mc.main(["--stamp", *bad, str(path)]) == 2, bad
        assert (
            "--optional-points: expected the points of an optional item" in capsys.readouterr().err
        )
    out = make_dry_run("class", "OPTIONAL_POINTS=1", done=(".venv/.class",))
    assert out.split()[-2:] == ["--optional-points", "1"]


class _FakeAutograde:
    """``nbgrader autograde`` as subprocess.Popen starts it, replaying the logs given."""

    def __init__(self, logs):
        self.logs, self.calls = list(logs), []

    def __call__(self, cmd, **kw):
        self.calls.append(cmd)
        code, log = self.logs.pop(0)
        proc = types.SimpleNamespace(returncode=code)
        proc.communicate = lambda: (log, None)
        return proc


RACE = (
    "zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:39877')\n"
    "[AutogradeApp | ERROR] Error occurred while starting new kernel client for kernel 3e: Kernel"
    " died before replying to kernel_info\n"
)


def test_autograde_runs_again_after_a_port_race(tmp_path, monkeypatch):
    """Two autograde processes side by side: a kernel can lose its port to the other process and
    die at its start, leaving its submission ungraded (seen in make test). A second run, without
    --force, grades what is left; any other failure is reported as it is."""
    sub = mc.Submission("ada", "01_x", "correct", nbformat.v4.new_notebook())
    fake = _FakeAutograde([(1, RACE), (0, "")])
    monkeypatch.setattr(mc.subprocess, "Popen", fake)
    mc.autograde(tmp_path / "course", [sub], options=["--force", "--Execute.timeout=5"])
    assert len(fake.calls) == 2, fake.calls
    assert "--force" in fake.calls[0] and "--force" not in fake.calls[1]
    assert "--Execute.timeout=5" in fake.calls[1]

    fake = _FakeAutograde([(1, "[AutogradeApp | ERROR] Kernel died while waiting")])
    monkeypatch.setattr(mc.subprocess, "Popen", fake)
    with pytest.raises(RuntimeError, match="Kernel died while waiting"):
        mc.autograde(tmp_path / "course", [sub])
    assert len(fake.calls) == 1


def _threads_after_config(env):
    """The BLAS thread variables after nbgrader would read the course's config, in ``env``."""
    code = (
        "import os, runpy, types\n"
        "cfg = types.SimpleNamespace()\n"
        "for name in ('CourseDirectory', 'ClearSolutions', 'Execute', 'ClearOutput', "
        "'LockCells', 'FileNameCollectorPlugin'):\n"
        "    setattr(cfg, name, types.SimpleNamespace())\n"
        f"runpy.run_path({str(mc.CONFIG)!r}, init_globals={{'get_config': lambda: cfg}})\n"
        "print([os.environ.get(v) for v in "
        "('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_grading_kernels_get_one_blas_thread_unless_the_instructor_says_otherwise():
    """nbgrader's kernels inherit its environment: the config sets one BLAS thread where nothing
    is set (as `make lab` does), and keeps an instructor's own value."""
    bare = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    assert _threads_after_config(bare) == "['1', '1', '1']"
    assert _threads_after_config({**bare, "OPENBLAS_NUM_THREADS": "4"}) == "['4', '1', '1']"


SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_solution_is_stamped(path):
    """A solution without nbgrader's metadata gives an exercise without grade ids, which
    nbgrader cannot grade; only the slow class build (tests/test_class.py) would say so."""
    rel = path.relative_to(ROOT)
    assert mc.is_stamped(nbformat.read(path, as_version=4)), (
        f"{rel} is not stamped: run `python -m tools.make_class --stamp {rel}`, then "
        "`make exercises` (which copies the grade ids into the exercise)"
    )
