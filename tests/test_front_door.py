"""The README's first command: `make lab` serves JupyterLab at the first lesson, behind a token."""

import os
import re
import secrets
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import free_port, kill_tree

ROOT = Path(__file__).resolve().parents[1]
FIRST = "notebooks/00_unrolled_forward_pass.ipynb"


def lab_command():
    """The command `make lab` runs once .venv is set up (what `make -n lab` prints last)."""
    out = subprocess.run(
        ["make", "-n", "-o", ".venv/.lab", "-o", ".venv/bin/python", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    line = next(ln for ln in reversed(out.splitlines()) if "jupyter lab" in ln)
    return shlex.split(line)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except urllib.error.URLError:  # not listening yet
        return None


@pytest.mark.slow
def test_make_lab_serves_the_first_lesson_behind_a_token(tmp_path):
    assert (ROOT / FIRST).is_file()
    cmd = lab_command()
    assert f"--LabApp.default_url=/lab/tree/{FIRST}" in cmd
    assert any(a.startswith("--ServerApp.root_dir=") for a in cmd)  # exercises/ reachable too
    port, token = free_port(), secrets.token_hex(16)
    cmd[0] = str(Path(sys.executable).with_name("jupyter"))  # this environment's jupyter
    cmd += [
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ip=127.0.0.1",
        "--allow-root",
    ]
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
    }
    log = open(tmp_path / "lab.log", "w+")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        api = f"http://127.0.0.1:{port}/api/contents/{FIRST}?content=0"
        deadline = time.monotonic() + 60
        while get(f"{api}&token={token}") != 200:
            assert proc.poll() is None, (tmp_path / "lab.log").read_text()
            assert time.monotonic() < deadline, "JupyterLab did not serve the first lesson in 60 s"
            time.sleep(0.3)
        assert get(api) == 403  # no token, no notebook
        assert get(f"http://127.0.0.1:{port}/api/contents/exercises?content=0&token={token}") == 200
        log.flush()
        printed = (tmp_path / "lab.log").read_text()
        assert re.search(rf"http://127\.0\.0\.1:{port}/lab/tree/{FIRST}\?token=", printed), printed
    finally:
        kill_tree(proc.pid)
        log.close()
