"""tools/make_class.py's command line, without nbgrader runs: each argument it does not expect
says what it expected and what it got (exit code 2, no traceback), before anything is built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
        out = subprocess.run(
            ["make", "-n", "-o", ".venv/.class", "class", *variables],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return " ".join(out.replace("\\\n", " ").split())

    assert command().endswith("--out build/class")
    assert command("FORCE=1").endswith("--out build/class --force")
    assert command("KEEP_GRADES=1").endswith("--out build/class --keep-grades")
    assert command("FORCE=0").endswith("--out build/class")
