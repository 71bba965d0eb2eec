"""The README's first command: `make lab` serves JupyterLab at the first lesson, behind a token."""

import json
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
from helpers import make_dry_run

ROOT = Path(__file__).resolve().parents[1]
FIRST = "notebooks/00_unrolled_forward_pass.ipynb"


def lab_env_and_command():
    """The environment variables and command `make lab` runs once .venv is set up (what
    `make -n lab` prints last): ``({"JUPYTER_CONFIG_PATH": ...}, ["jupyter", "lab", ...])``."""
    out = make_dry_run("lab", done=(".venv/.lab", ".venv/bin/python"))
    line = next(ln for ln in reversed(out.splitlines()) if "jupyter lab" in ln)
    words = shlex.split(line)
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    return env, words


def lab_command():
    return lab_env_and_command()[1]


def test_make_lab_loads_the_course_jupyter_config():
    env, cmd = lab_env_and_command()
    assert env == {"JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config")}
    assert cmd[1:2] == ["lab"] and cmd[0].endswith("jupyter")
    assert (ROOT / "jupyter-config" / "jupyter_server_config.py").is_file()
    page_config = json.loads((ROOT / "jupyter-config/labconfig/page_config.json").read_text())
    assert page_config["disabledExtensions"] == {
        "@jupyterlab/apputils-extension:announcements": True
    }


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except urllib.error.URLError:  # not listening yet
        return None


def _serve(cmd, block_env, tmp_path):
    """Start ``cmd`` (a `jupyter lab` command a learner types, ``block_env`` the variables set
    before it) on a free port behind a token, with fresh config folders; wait until it serves
    the first lesson. Returns (process, port, token, log path); stop it with :func:`_stop`."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(Path(sys.executable).with_name("jupyter")), *cmd[1:]]  # this environment's
    cmd += [
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ip=127.0.0.1",
        "--allow-root",
    ]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")},
        **block_env,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
    }
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        api = f"http://127.0.0.1:{port}/api/contents/{FIRST}?content=0"
        deadline = time.monotonic() + 60
        while get(f"{api}&token={token}") != 200:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "JupyterLab did not serve the first lesson in 60 s"
            time.sleep(0.3)
    except BaseException:
        _stop(proc)
        raise
    return proc, port, token, log


def _stop(proc):
    kill_tree(proc.pid)
    proc.wait(timeout=10)


def _assert_culler_started(port, token, log):
    """The first kernel starts the culler of idle kernels that no tab shows, with the minutes
    of jupyter-config/: the server runs with the course's config."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/kernels?token={token}", data=b"{}", method="POST"
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 201
    minutes = course_cull_minutes()
    culling = f"Culling kernels with idle durations > {minutes * 60} seconds at 60 second"
    deadline = time.monotonic() + 30
    while culling not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)
    printed = log.read_text()
    assert "even with connected clients" not in printed and "even if busy" not in printed


@pytest.mark.slow
def test_make_lab_serves_the_first_lesson_behind_a_token(tmp_path):
    assert (ROOT / FIRST).is_file()
    lab_env, cmd = lab_env_and_command()
    assert f"--LabApp.default_url=/lab/tree/{FIRST}" in cmd
    assert any(a.startswith("--ServerApp.root_dir=") for a in cmd)  # exercises/ reachable too
    proc, port, token, log = _serve(cmd, lab_env, tmp_path)
    try:
        api = f"http://127.0.0.1:{port}/api/contents/{FIRST}?content=0"
        assert get(api) == 403  # no token, no notebook
        _assert_serves_the_course_folder(port, token)
        printed = log.read_text()
        assert re.search(rf"http://127\.0\.0\.1:{port}/lab/tree/{FIRST}\?token=", printed), printed
        # a learner's first screen of output holds no warning of the course's own making
        assert "Overriding existing pre_save_hook" not in printed, printed
        _assert_culler_started(port, token, log)
    finally:
        _stop(proc)


def _readme_commands(after):
    """The commands of the README's first bash block after the text ``after``: each as
    ``(variables set before it, words)``, continued lines joined."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(after, 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.replace("\\\n", " ").strip().splitlines():
        words, env = shlex.split(line), {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            k, v = words.pop(0).split("=", 1)
            env[k] = v
        commands.append((env, words))
    return commands


OPEN_FIRST = f"--LabApp.default_url=/lab/tree/{FIRST}"


def _assert_serves_the_course_folder(port, token):
    """The root is the repository's folder: the exercises are in the file browser, and a
    lesson's link to its exercise leads somewhere."""
    url = f"http://127.0.0.1:{port}/api/contents/exercises?content=0&token={token}"
    assert get(url) == 200


@pytest.mark.slow
def test_the_readmes_conda_way_serves_the_course_with_its_config(tmp_path):
    """The README's commands for conda: after `conda activate`, its `jupyter lab` line (run here
    with this environment's jupyter) opens the first lesson, with the repository's folder as
    root and the course's jupyter-config/, as `make lab` does."""
    (_, create), (env, words) = _readme_commands("On a machine with conda")
    assert create == shlex.split("conda env create -f environment.yml && conda activate bptt")
    assert env == {"JUPYTER_CONFIG_PATH": "jupyter-config"}
    assert words == ["jupyter", "lab", OPEN_FIRST]
    assert OPEN_FIRST in lab_command()
    proc, port, token, log = _serve(words, env, tmp_path)
    try:
        _assert_serves_the_course_folder(port, token)
        _assert_culler_started(port, token, log)
    finally:
        _stop(proc)


def _course_server_config():
    """The traitlets Config that jupyter-config/jupyter_server_config.py builds."""
    from traitlets.config import Config

    c = Config()
    path = ROOT / "jupyter-config" / "jupyter_server_config.py"
    ns = {"get_config": lambda: c, "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    return c


def course_cull_minutes() -> int:
    """CULL_IDLE_MINUTES of jupyter-config/jupyter_server_config.py."""
    text = (ROOT / "jupyter-config" / "jupyter_server_config.py").read_text()
    return int(re.search(r"^CULL_IDLE_MINUTES = (\d+)$", text, re.M).group(1))


@pytest.mark.filterwarnings("ignore:Overriding existing pre_save_hook")
def test_the_course_server_shuts_down_only_idle_kernels_that_no_tab_shows():
    """Minutes, not seconds (a learner reading a lesson leaves its kernel idle, but its tab is
    open); never a kernel a tab is connected to or one running a cell; and the minutes the
    documents state are the config's (tests/test_browser.py drives the rules in JupyterLab)."""
    config = _course_server_config()
    minutes = course_cull_minutes()
    assert 5 <= minutes <= 60
    kernels = config.MappingKernelManager
    assert kernels.cull_idle_timeout == minutes * 60
    assert 0 < kernels.cull_interval <= 60
    assert kernels.cull_connected is False and kernels.cull_busy is False
    instructors = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    assert f"idle for {minutes} minutes" in instructors
    assert f"after {minutes} idle minutes" in (ROOT / "README.md").read_text(encoding="utf-8")
    from benchmarks import memory

    assert memory.cull_minutes() == minutes


@pytest.mark.filterwarnings("ignore:Overriding existing pre_save_hook")
def test_saving_a_lesson_with_this_machines_kernel_metadata_leaves_the_file_unchanged(tmp_path):
    """JupyterLab sends the notebook back with its own kernelspec and Python version (and may add
    widget state); with the course's pre-save hook the saved file is byte-identical."""
    from jupyter_server.services.contents.filemanager import FileContentsManager

    (tmp_path / "notebooks").mkdir()
    lesson = tmp_path / FIRST
    lesson.write_bytes((ROOT / FIRST).read_bytes())
    config = _course_server_config()
    assert callable(config.ContentsManager.pre_save_hook)
    assert config.LabApp.news_url is None
    assert Path(config.LabApp.workspaces_dir).is_dir()
    assert not any(Path(config.LabApp.workspaces_dir).iterdir())  # a fresh one each start

    def save_as_jupyterlab_would(cm):
        model = cm.get(FIRST)
        meta = model["content"]["metadata"]
        meta["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
        meta["language_info"]["version"] = "3.99.1"
        meta["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
        cm.save(model, FIRST)

    stored = lesson.read_bytes()
    # without the hook the metadata of this machine lands in the file: the test can fail
    save_as_jupyterlab_would(FileContentsManager(root_dir=str(tmp_path)))
    assert lesson.read_bytes() != stored
    lesson.write_bytes(stored)
    # with it, the file is byte-identical
    save_as_jupyterlab_would(FileContentsManager(root_dir=str(tmp_path), config=config))
    assert lesson.read_bytes() == stored
    # an edit of a cell is still saved
    cm = FileContentsManager(root_dir=str(tmp_path), config=config)
    model = cm.get(FIRST)
    model["content"]["cells"][0]["source"] = "# edited"
    cm.save(model, FIRST)
    assert b'"source": "# edited"' in lesson.read_bytes() or b"# edited" in lesson.read_bytes()
    assert json.loads(lesson.read_bytes())["metadata"] == json.loads(stored)["metadata"]


def test_make_help_lists_every_target():
    """`make help` (the Makefile's first target) names every command the Makefile offers."""
    phony = re.search(r"^\.PHONY: (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    printed = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    listed = set(re.findall(r"^make (\S+)", printed, re.M))
    assert set(phony) - {"help"} == listed


@pytest.mark.slow
def test_the_readme_way_without_make_installs_and_opens_what_make_lab_does(tmp_path):
    """The README's commands for a machine without `make`: the same extra as `make lab`'s
    install, the same first lesson with the repository's folder as root (served here), and a
    folder name that exists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _readme_commands("Without `make`")
    assert not any(env for env, _ in commands)
    lines = [words for _, words in commands]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [extra] = re.findall(r"\$\(VENV\)/\.lab:.*\n\t\$\(PIP\) install -e '(\.\[\w+\])'", makefile)
    assert lines[0] == ["python", "-m", "venv", ".venv"]
    assert lines[1] == [".venv/bin/python", "-m", "pip", "install", "-e", extra]
    assert lines[2] == [".venv/bin/jupyter", "lab", OPEN_FIRST]
    assert OPEN_FIRST in lab_command()
    assert "JUPYTER_CONFIG_PATH" in readme.split("Without `make`", 1)[1].split("\n\n")[2]
    assert lab_env_and_command()[0] == {"JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config")}
    proc, port, token, _ = _serve(lines[2], {}, tmp_path)
    try:
        _assert_serves_the_course_folder(port, token)
    finally:
        _stop(proc)


def _makefile_with_requires(tmp_path, requires):
    """The course's Makefile in a folder whose pyproject.toml requires Python ``requires``."""
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    (tmp_path / "pyproject.toml").write_text(f'[project]\nrequires-python = ">={requires}"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return lambda *args: subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_refuses_a_python_the_course_does_not_support_and_says_what_to_do(tmp_path):
    """This Python, against a course that needs 3.99: no venv is made (pip would refuse the
    install inside it), and the message names both versions and the PYTHON= way out."""
    make = _makefile_with_requires(tmp_path, "3.99")
    out = make("lab", f"PYTHON={sys.executable}")
    assert out.returncode != 0
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"is Python {version}; the course needs Python 3.99 or newer" in out.stderr
    assert "make lab PYTHON=python3." in out.stderr
    assert not (tmp_path / ".venv").exists()
    out = make("lab", "PYTHON=no-such-python3")
    assert "'no-such-python3' is Python (not found)" in out.stderr
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize(
    ("requires", "pip", "why"),
    [
        ("3.99", True, "its Python is older than 3.99"),
        ("3.10", False, "it has no pip"),
        ("3.10", True, None),
    ],
    ids=["python too old", "no pip", "kept"],
)
def test_make_removes_a_venv_that_cannot_work(tmp_path, requires, pip, why):
    """A first `make lab` with an old python3 leaves a .venv that pip refused to install into;
    Debian's Python without python3-venv leaves one without pip. Every later `make lab` failed
    in it again. Now any make removes it, saying why (and keeps a .venv that works)."""
    venv = [sys.executable, "-m", "venv", *([] if pip else ["--without-pip"]), tmp_path / ".venv"]
    subprocess.run(venv, check=True, timeout=120)
    out = _makefile_with_requires(tmp_path, requires)("help")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / ".venv").exists() == (why is None)
    removing = [ln for ln in out.stdout.splitlines() if ln.startswith("make: removing .venv")]
    assert len(removing) == (why is not None)
    assert all(ln.startswith(f"make: removing .venv: {why}") for ln in removing)


def test_a_venv_that_python_leaves_half_made_is_removed_at_once(tmp_path):
    """Debian's Python without python3-venv: `python -m venv` makes .venv/bin/python, then fails
    (ensurepip is missing). A stand-in Python does the same here; make removes the half venv."""
    fake = tmp_path / "debian-python3"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1 $2" = "-m venv" ]; then\n'
        f'  "{sys.executable}" -m venv --without-pip "$3"\n'
        '  echo "The virtual environment was not created successfully because ensurepip is'
        ' not available." >&2\n'
        "  exit 1\n"
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    fake.chmod(0o755)
    out = _makefile_with_requires(tmp_path, "3.10")("lab", f"PYTHON={fake}")
    assert out.returncode != 0
    assert "ensurepip is not available" in out.stderr
    assert not (tmp_path / ".venv").exists()
