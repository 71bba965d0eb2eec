"""``python -m rnnlib.doctor``: the learner's check of the environment.

The versions it reports are compared with ``importlib.metadata`` and with the packages' own
``__version__``; a missing package is produced for real (a Python started without site-packages)
as well as by substitution, and each problem must give the exact command that fixes it.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from helpers import load_toml

from rnnlib import doctor

REPO = Path(__file__).resolve().parents[1]
DOCTOR = REPO / "rnnlib" / "doctor.py"


def run(*args, cwd=REPO):
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_this_environment_passes_with_the_installed_versions():
    import ipywidgets
    import jupyterlab_widgets
    import matplotlib
    import numpy

    r = run("-m", "rnnlib.doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    for mod in (numpy, matplotlib, ipywidgets, jupyterlab_widgets):
        line = next(ln for ln in lines if f" {mod.__name__} " in ln)
        assert line.split()[:3] == ["ok", mod.__name__, mod.__version__], line
    ext = next(ln for ln in lines if doctor.WIDGET_MANAGER in ln)
    assert ext.split()[0] == "ok"
    assert "All good" in r.stdout and "pip install" not in r.stdout


def test_widget_manager_extension_is_the_one_jupyterlab_sees():
    """The folder the doctor names is in JupyterLab's own extension list for this Python."""
    r = run("-m", "jupyter", "labextension", "list")
    listing = r.stdout + r.stderr
    assert "@jupyter-widgets/jupyterlab-manager" in listing and "enabled" in listing
    folder, version = doctor.find_labextension()
    assert version in listing and str(folder.parent.parent) in listing


def test_python_without_site_packages_is_told_what_to_install():
    """Really missing packages: a Python started with -I -S sees none of them."""
    r = run("-I", "-S", str(DOCTOR), cwd="/")
    assert r.returncode == 1
    out = r.stdout
    for dist, minimum, _ in doctor.REQUIREMENTS:
        assert f"MISSING  {dist} not installed (needs >= {minimum})" in out
    cmd = out.split("To fix it, run:\n", 1)[1].splitlines()[0].strip()
    args = shlex.split(cmd)
    assert args[1:4] == ["-m", "pip", "install"]
    assert Path(args[0]).name.startswith("python")  # the very Python that ran the doctor
    assert set(args[4:]) == {f"{d}>={m}" for d, m, _ in doctor.REQUIREMENTS}


def fake_versions(**versions):
    real = {d: metadata.version(d) for d, _, _ in doctor.REQUIREMENTS}
    real.update(versions)
    return lambda dist: real.get(dist, "1.0")


def found_extension():
    return (Path("/somewhere/labextensions/@jupyter-widgets/jupyterlab-manager"), "5.0.0")


def test_missing_ipywidgets_exits_1_with_the_pip_command(capsys):
    checks = doctor.check(version=fake_versions(ipywidgets=None), labextension=found_extension)
    assert doctor.main([], checks=checks) == 1
    out = capsys.readouterr().out
    assert "MISSING  ipywidgets not installed (needs >= 8.1)" in out
    expected = f"{shlex.quote(sys.executable)} -m pip install 'ipywidgets>=8.1'"
    assert f"\n    {expected}\n" in out


def test_old_matplotlib_is_reported_with_both_versions(capsys):
    checks = doctor.check(version=fake_versions(matplotlib="3.5.1"), labextension=found_extension)
    assert doctor.main([], checks=checks) == 1
    out = capsys.readouterr().out
    assert "TOO OLD  matplotlib 3.5.1 (needs >= 3.8)" in out
    assert "'matplotlib>=3.8'" in out


def test_missing_widget_manager_extension_asks_for_a_reinstall(capsys):
    checks = doctor.check(version=fake_versions(), labextension=lambda: None)
    assert doctor.main([], checks=checks) == 1
    out = capsys.readouterr().out
    assert f"MISSING  {doctor.WIDGET_MANAGER}" in out
    assert "-m pip install --force-reinstall 'jupyterlab_widgets>=3.0'" in out
    assert "restart JupyterLab and reload the browser page" in out


def test_too_old_python_is_a_problem(capsys):
    checks = doctor.check(version=fake_versions(), labextension=found_extension, python=(3, 9, 18))
    assert doctor.main([], checks=checks) == 1
    assert "TOO OLD  Python 3.9.18 (needs >= 3.10)" in capsys.readouterr().out


def test_missing_jupyterlab_is_information_not_a_problem(capsys):
    checks = doctor.check(version=fake_versions(jupyterlab=None), labextension=found_extension)
    assert doctor.main([], checks=checks) == 0
    assert "info     jupyterlab not installed" in capsys.readouterr().out


def test_conda_environment_gets_a_conda_command(monkeypatch, tmp_path):
    (tmp_path / "conda-meta").mkdir()
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path))
    checks = doctor.check(version=fake_versions(numpy=None), labextension=found_extension)
    assert doctor.fix_command(checks) == "conda install -c conda-forge 'numpy>=1.26'"


@pytest.mark.parametrize(
    ("version", "minimum", "ok"),
    [
        ("8.1.0", "8.1", True),
        ("8.1", "8.1.0", True),
        ("8.0.9", "8.1", False),
        ("10.0", "8.1", True),  # numerically, not as text
        ("3.10.0rc1", "3.8", True),
        ("1.26.4.post1", "1.26", True),
        ("1.25.2", "1.26", False),
    ],
)
def test_version_comparison(version, minimum, ok):
    assert doctor.at_least(version, minimum) is ok


def test_minimum_versions_are_the_ones_in_pyproject():
    deps = load_toml(REPO / "pyproject.toml")["project"]["dependencies"]
    pinned = dict(d.split(">=") for d in deps)
    for dist, minimum, _ in doctor.REQUIREMENTS:
        if dist in pinned:
            assert pinned[dist] == minimum, dist
    assert {"numpy", "matplotlib", "ipywidgets"} <= set(pinned)
