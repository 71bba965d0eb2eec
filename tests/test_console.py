"""The course's commands print to an output that is not UTF-8 (Windows: a file, a pipe, Git Bash's
terminal; PYTHONIOENCODING=cp1252 makes Python do the same here) without stopping."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlib.course.console import utf8_output

ROOT = Path(__file__).resolve().parents[1]
SOLVED = "solutions/03_one_step_back.ipynb"


def _run(args, encoding, stdout=subprocess.PIPE):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("PYTHONUTF8", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=300,
    )


@pytest.mark.slow
def test_progress_into_a_cp1252_pipe_prints_its_table_in_utf8():
    """Every item of a solved exercise passes: the table's "passed ✓" once stopped the command
    with a UnicodeEncodeError, after every notebook had run."""
    out = _run(["-m", "rnnlib.progress", SOLVED], "cp1252")
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    text = out.stdout.decode("utf-8")
    assert "passed ✓" in text and "0 failing, 0 not started" in text


def test_class_report_help_into_a_cp1252_pipe():
    out = _run(["-m", "tools.class_report", "--help"], "cp1252")
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    import tools.class_report

    assert out.stdout.decode("utf-8").strip() == tools.class_report.__doc__.strip()


PRINT = "from rnnlib.course.console import utf8_output; {call}print('passed ✓, ŷ − y')"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (os.openpty)")
@pytest.mark.parametrize("call", ["utf8_output(); ", ""], ids=["with", "without"])
def test_a_terminal_that_is_not_utf8_keeps_its_encoding_and_gets_a_question_mark(call):
    """A latin-1 terminal: what it cannot show prints as '?' and the command goes on; without
    utf8_output the same print raises (the test can fail)."""
    leader, follower = os.openpty()
    try:
        out = _run(["-c", PRINT.format(call=call)], "latin-1", stdout=follower)
        os.close(follower)
        follower = None
        got = b""
        while True:
            try:
                chunk = os.read(leader, 1024)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    if call:
        assert out.returncode == 0, out.stderr
        assert got.decode("latin-1").strip() == "passed ?, ? ? y"
    else:
        assert out.returncode == 1 and b"UnicodeEncodeError" in out.stderr


def test_utf8_streams_and_streams_without_reconfigure_are_left_alone():
    utf = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    plain = io.StringIO()
    utf8_output([utf, plain, None])
    assert (utf.encoding, utf.errors) == ("utf-8", "strict")
    print("ŷ", file=plain)
    assert plain.getvalue() == "ŷ\n"


def test_a_cp1252_file_writes_utf8_from_then_on():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="cp1252")
    print("before: é", file=out)
    utf8_output([out])
    print("after: é ✓", file=out)
    out.flush()
    # (what was written before stays in the old encoding: call it first, as every main does)
    assert raw.getvalue() == "before: é\n".encode("cp1252") + "after: é ✓\n".encode()
