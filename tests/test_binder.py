"""Launching the course for a class: the Binder / repo2docker image (``jupyter-repo2docker
--no-build``, no Docker needed), the hub image of INSTRUCTORS.md, and ``binder/start``.

Apart from tests/test_class.py (which needs nbgrader, so Python 3.11+), these run on every Python
the course supports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tools import make_class as mc

ROOT = Path(__file__).resolve().parents[1]


def test_repo2docker_dockerfile_installs_rnnlib_from_binder_requirements(tmp_path):
    """``jupyter-repo2docker --no-build`` (no Docker needed) on a clone: the image is made from
    binder/ (Python of binder/runtime.txt, pip -r binder/requirements.txt run in the repo, which
    installs rnnlib with its lab extra), not from the test stack."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    assert (clone / "binder" / "requirements.txt").is_file(), "binder/ is not committed"
    exe = Path(sys.executable).with_name("jupyter-repo2docker")
    out = subprocess.run(
        [str(exe), "--no-build", "--debug", "--user-id", "1000", "--user-name", "jovyan", "."],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
        env=mc.with_bin_on_path(),
    )
    dockerfile = out.stdout + out.stderr
    python = (clone / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    assert f"Building conda environment for python={python}\n" in dockerfile
    assert "COPY --chown=1000:1000 src/ ${REPO_DIR}/" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    # binder/ wins over the repository's pyproject.toml: no `pip install .` of the test extras
    assert "pip install --no-cache-dir ." not in dockerfile
    reqs = [
        line.split("#")[0].strip()
        for line in (clone / "binder" / "requirements.txt").read_text().splitlines()
    ]
    assert [r for r in reqs if r] == ["-e .[lab]", "nbgitpuller>=1.2"]
    assert 'name = "rnnlib"' in (clone / "pyproject.toml").read_text()
    # binder/start runs before the server, with `make lab`'s settings
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile


def test_the_hub_image_keeps_the_course_off_the_home_volume(tmp_path):
    """INSTRUCTORS.md section 6: the hub's single-user image puts the repository (the installed
    rnnlib, binder/start) outside /home/jovyan, which the hub's home volume hides (repo2docker's
    default puts it there: R2D_ENTRYPOINT=${REPO_DIR}/binder/start, REPO_DIR=${HOME}), and the
    server's root stays on the home volume. repo2docker accepts the documented command."""
    text = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    build = re.search(r"^jupyter-repo2docker (.*?)https://", text, re.M | re.S).group(1)
    args = build.replace("\\\n", " ").split()
    target = args[args.index("--target-repo-dir") + 1]
    assert not (target + "/").startswith("/home/"), target
    assert re.search(r"Spawner:\n\s+notebook_dir: /home/jovyan", text), "notebook_dir missing"
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    exe = Path(sys.executable).with_name("jupyter-repo2docker")
    kept = [a for a in args if a not in ("--no-run", "--image-name") and "REGISTRY" not in a]
    out = subprocess.run(
        [str(exe), "--no-build", "--debug", *kept, "."],
        cwd=clone,
        capture_output=True,
        text=True,
        env=mc.with_bin_on_path(),
    )
    assert out.returncode == 0, out.stderr
    dockerfile = out.stdout + out.stderr
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    assert "COPY --chown=1000:1000 src/ ${REPO_DIR}/" in dockerfile


def test_binder_start_gives_the_server_make_labs_settings(tmp_path):
    """On Binder and the hub image the server gets jupyter-config/ (saving keeps a lesson's
    kernel metadata, no news pop-up) and one BLAS thread, as `make lab` gives them; a learner's
    own BLAS setting and config path are kept."""
    start = ROOT / "binder" / "start"
    assert os.access(start, os.X_OK), "binder/start must be executable (repo2docker runs it)"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "REPO_DIR")}
    env["JUPYTER_CONFIG_PATH"] = "/mine"
    out = subprocess.run([str(start), "env"], env=env, capture_output=True, text=True, check=True)
    printed = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    assert printed["JUPYTER_CONFIG_PATH"] == f"{ROOT / 'jupyter-config'}:/mine"
    assert printed["OPENBLAS_NUM_THREADS"] == "1"
    env["OPENBLAS_NUM_THREADS"] = "4"
    out = subprocess.run([str(start), "env"], env=env, capture_output=True, text=True, check=True)
    assert "OPENBLAS_NUM_THREADS=4\n" in out.stdout
