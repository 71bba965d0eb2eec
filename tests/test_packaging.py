"""The project's own files: dependencies in step, a light import, the front door documented."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import load_toml, make_dry_run

ROOT = Path(__file__).resolve().parents[1]


# PyPI name -> conda-forge name, where the two differ. Every other dependency has the same name
# in both. matplotlib-base is matplotlib without the Qt backend (conda-forge's `matplotlib` pulls
# in Qt); conda-forge's `playwright` is the Node.js command-line tool, the Python package is
# `playwright-python` (the conda-forge feedstock of microsoft/playwright-python).
PYPI_TO_CONDA = {
    "matplotlib": "matplotlib-base",
    "playwright": "playwright-python",
}


def _split(req):
    """``"jupyterlab>=4.2,<5"`` -> ``("jupyterlab", ">=4.2,<5")``, the name normalized (an
    environment marker after ``;`` is left out)."""
    m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?", req)
    assert m, f"cannot read requirement {req!r}"
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(3).replace(" ", "")


def _pyproject_deps():
    py = load_toml(ROOT / "pyproject.toml")["project"]
    reqs = list(py["dependencies"])
    for extra in py["optional-dependencies"].values():
        reqs += extra
    deps = {}
    for name, spec in map(_split, reqs):
        assert deps.setdefault(name, spec) == spec, f"{name}: {deps[name]} and {spec} in pyproject"
    return deps


def _environment_deps():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return deps, pip


def _conda_name(pypi_name):
    return PYPI_TO_CONDA.get(pypi_name, pypi_name)


def test_conda_name_mapping():
    assert _conda_name("matplotlib") == "matplotlib-base"
    assert _conda_name("playwright") == "playwright-python"
    assert _conda_name("numpy") == "numpy"  # unmapped names pass through
    # Every entry is for a real dependency (no stale names), and no two PyPI names meet.
    assert set(PYPI_TO_CONDA) <= set(_pyproject_deps())
    conda_names = [_conda_name(n) for n in _pyproject_deps()]
    assert len(conda_names) == len(set(conda_names))


def test_environment_yml_has_every_dependency_under_its_conda_forge_name_and_bound():
    want = {_conda_name(name): spec for name, spec in _pyproject_deps().items()}
    conda, pip = _environment_deps()
    python, pip_pkg = conda.pop("python"), conda.pop("pip")
    assert pip_pkg == ""
    assert set(conda) == set(want), (
        f"only in pyproject: {set(want) - set(conda)}; "
        f"only in environment.yml: {set(conda) - set(want)}"
    )
    assert {n: s for n, s in conda.items() if s != want[n]} == {}, "bounds differ from pyproject"
    requires = load_toml(ROOT / "pyproject.toml")["project"]["requires-python"]
    assert python == requires.replace(" ", "")
    # The names that mean something else (or too much) on conda-forge are not used.
    assert not {"playwright", "matplotlib"} & set(conda)
    assert "-e ." in pip  # installs rnnlib itself


def test_oldest_constraints_pin_every_lower_bound():
    """tools/oldest_constraints.py pins each dependency at the version its `>=` names."""
    from tools.oldest_constraints import constraints

    pins = constraints(load_toml(ROOT / "pyproject.toml"))
    deps = _pyproject_deps()
    assert set(pins) == set(deps)
    for name, spec in deps.items():
        assert f">={pins[name]}" in spec.split(","), (name, spec, pins[name])


def test_oldest_constraints_output_and_bad_input():
    from tools.oldest_constraints import constraints, lower_bound

    project = {
        "project": {
            "dependencies": ["NumPy>=1.26", "matplotlib >= 3.8"],
            "optional-dependencies": {"a": ["jupyterlab>=4.2,<5", "numpy>=1.26"]},
        }
    }
    assert constraints(project) == {"numpy": "1.26", "matplotlib": "3.8", "jupyterlab": "4.2"}
    assert lower_bound("Typing_Extensions[x]>=4.0") == ("typing-extensions", "4.0")
    for bad in ["numpy", "numpy<2", "numpy>=1,>=2", "numpy<2; python_version<'3.12'", "x>=a"]:
        with pytest.raises(ValueError, match="requirement"):
            lower_bound(bad)
    with pytest.raises(ValueError, match="requirement: expected a string, got int"):
        lower_bound(3)
    clash = {
        "project": {"dependencies": ["numpy>=1.26"], "optional-dependencies": {"a": ["numpy>=2"]}}
    }
    with pytest.raises(ValueError, match="one lower bound for numpy, got 1.26 and 2"):
        constraints(clash)


def test_oldest_constraints_keep_an_environment_marker():
    """A dependency for some Pythons only (tomli before 3.11, nbgrader from 3.11) is pinned for
    those Pythons only; two different markers for one package are refused."""
    from tools.oldest_constraints import lower_bound, marker, markers

    req = "tomli >= 2; python_version < '3.11'"
    assert lower_bound(req) == ("tomli", "2")
    assert marker(req) == "python_version < '3.11'"
    assert marker("numpy>=1.26") == ""
    both = {"project": {"dependencies": [req], "optional-dependencies": {"a": [req, "x>=1"]}}}
    assert markers(both) == {"tomli": "python_version < '3.11'"}
    clash = {"project": {"dependencies": [req, "tomli>=2; sys_platform == 'win32'"]}}
    with pytest.raises(ValueError, match="one environment marker for tomli, got"):
        markers(clash)
    ours = markers(load_toml(ROOT / "pyproject.toml"))
    assert ours == {
        "nbgrader": "python_version >= '3.11'",
        "tomli": "python_version < '3.11'",
    }


def test_oldest_constraints_cli(tmp_path):
    def constraint_lines(toml_text):
        toml = tmp_path / "pyproject.toml"
        toml.write_text(toml_text)
        out = subprocess.run(
            [sys.executable, "-m", "tools.oldest_constraints", str(toml)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return [ln for ln in out.stdout.splitlines() if not ln.startswith("#")]

    pins = '[project]\ndependencies = ["numpy>=1.26", "pytest>=8"]\n'
    assert constraint_lines(pins) == ["numpy==1.26", "pytest==8"]
    held = '[tool.rnnlib.oldest]\ntransitive = ["PyParsing < 3.3"]\n'
    assert constraint_lines(pins + held) == ["numpy==1.26", "pytest==8", "pyparsing<3.3"]
    marked = '[project]\ndependencies = ["numpy>=1.26", "tomli>=2; python_version < \'3.11\'"]\n'
    assert constraint_lines(marked) == ["numpy==1.26", "tomli==2; python_version < '3.11'"]


def test_oldest_constraints_cli_says_what_is_wrong_in_one_line(tmp_path):
    """A bound missing, a file that is not TOML or not there: one line naming the file, exit
    code 2 (make test-oldest then stops there), not a traceback."""

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "tools.oldest_constraints", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    unbounded = tmp_path / "unbounded.toml"
    unbounded.write_text('[project]\ndependencies = ["numpy"]\n')
    for path in (unbounded, ROOT / "README.md", tmp_path / "missing.toml"):
        out = run(str(path))
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr.startswith(f"oldest_constraints: {path}: ")
        assert len(out.stderr.splitlines()) == 1
    assert "numpy" in run(str(unbounded)).stderr  # names the requirement without its bound
    helped = run("--help")
    assert helped.returncode == 0 and helped.stdout.startswith("Print pip constraints")


def test_oldest_transitive_dependencies_held_back():
    """The course's own list holds pyparsing back (matplotlib 3.8.0 needs its camelCase names);
    anything but 'name<version' is refused, saying what was expected."""
    from tools.oldest_constraints import held_back

    assert held_back(load_toml(ROOT / "pyproject.toml")) == {"pyparsing": "3.3"}
    assert held_back({"project": {}}) == {}
    for bad in ["pyparsing", "pyparsing>=3", "pyparsing<3.3,>=2", "pyparsing<x.y", 3]:
        tool = {"tool": {"rnnlib": {"oldest": {"transitive": [bad]}}}}
        with pytest.raises(ValueError, match=r"transitive: expected 'name<version', got"):
            held_back(tool)


def test_make_test_oldest_uses_the_constraints_and_ci_runs_it():
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^test-oldest:", make, re.M)
    assert "tools.oldest_constraints" in make and "-c $(OLDEST)/constraints.txt" in make
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("make test\n") < ci.index("make test-oldest")
    assert ".venv-oldest/" in (ROOT / ".gitignore").read_text().splitlines()


def test_ci_runs_the_oldest_python_and_binders_where_the_machine_has_them():
    """.ci/run reads the two versions from the files that state them (requires-python, and
    binder/runtime.txt, which repo2docker reads), then runs `make test-python` for each that
    tools/find_python finds, and says so for each it does not."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("make test-oldest") < ci.index('make test-python PYVER="$v"')
    lines = [ln for ln in ci.splitlines() if ln.startswith(("oldest=", "binder="))]
    shown = subprocess.run(
        ["bash", "-c", "\n".join([*lines, 'echo "$oldest $binder"'])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    requires = load_toml(ROOT / "pyproject.toml")["project"]["requires-python"]
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert shown == [requires.removeprefix(">="), runtime.removeprefix("python-")]
    assert all(re.fullmatch(r"3\.\d+", v) for v in shown), shown
    make = make_dry_run("test-python", "PYVER=3.10", done=[".venv-py3.10/.test"])
    assert '.venv-py3.10/bin/python -m pytest -p no:cacheprovider -m "not browser' in make
    assert "--nbval --nbval-current-env" in make
    # without PYVER, Binder's Python
    default = make_dry_run("test-python", done=[".venv-py3.12/.test"])
    assert default.startswith(".venv-py3.12/bin/python -m pytest"), default
    assert ".venv-py*/" in (ROOT / ".gitignore").read_text().splitlines()


def _fake_python(path, works=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + ("exit 0\n" if works else "exit 127\n"))
    path.chmod(0o755)
    return path


def test_find_python_takes_path_then_pyenvs_newest(tmp_path):
    """tools/find_python X.Y: pythonX.Y on PATH if it works (a pyenv shim for a version not
    selected does not), else the newest X.Y.* of $PYENV_ROOT/versions; else exit 1, saying
    where it looked."""

    def find(version, path_dirs, pyenv):
        env = {"PATH": ":".join([*map(str, path_dirs), "/usr/bin", "/bin"]), "HOME": "/nonexistent"}
        env["PYENV_ROOT"] = str(pyenv)
        return subprocess.run(
            [str(ROOT / "tools" / "find_python"), version],
            capture_output=True,
            text=True,
            env=env,
        )

    bin_, shims, pyenv = tmp_path / "bin", tmp_path / "shims", tmp_path / "pyenv"
    on_path = _fake_python(bin_ / "python3.97")
    _fake_python(shims / "python3.98", works=False)
    for patch in ("3.98.2", "3.98.10", "3.98.9"):
        _fake_python(pyenv / "versions" / patch / "bin" / "python3.98")
    _fake_python(pyenv / "versions" / "3.98.11" / "bin" / "python3.98", works=False)
    out = find("3.97", [bin_, shims], pyenv)
    assert (out.returncode, out.stdout) == (0, f"{on_path}\n")
    out = find("3.98", [bin_, shims], pyenv)
    newest = pyenv / "versions" / "3.98.10" / "bin" / "python3.98"
    assert (out.returncode, out.stdout) == (0, f"{newest}\n")
    out = find("3.99", [bin_, shims], pyenv)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == (
        "tools/find_python: no Python 3.99 with venv on this machine (looked for python3.99 on "
        f"PATH and in {pyenv}/versions/3.99.*)\n"
    )


def test_importing_rnnlib_is_light():
    heavy = "('torch', 'matplotlib', 'ipywidgets', 'scipy', 'autograd')"
    code = f"import sys, rnnlib; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_readme_leads_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first = text.index("make lab")
    assert first < text.index("make test") < text.index("conda env create")
    make = (ROOT / "Makefile").read_text()
    for target in ("lab:", "test:", "notebooks:", "exercises:", "bench:", "lint:"):
        assert re.search(rf"^{target}", make, re.M), target


def test_ruff_lint_and_format_are_clean():
    """`make lint`, as a test: .py files and notebooks pass ruff check and ruff format --check."""
    ruff = [sys.executable, "-m", "ruff"]
    for args in (["check", "."], ["format", "--check", "."]):
        out = subprocess.run(ruff + args, cwd=ROOT, capture_output=True, text=True)
        hint = ""
        if "exercises/" in out.stdout:
            hint = (
                "\nexercises/ is generated from solutions/ (make exercises): fix the solution, "
                "then regenerate; an import that only the answers use carries `# noqa: F401` "
                "in the solution"
            )
        assert out.returncode == 0, f"ruff {' '.join(args)}:\n{out.stdout}{out.stderr}{hint}"


COURSE_NOTEBOOKS = sorted(
    p for d in ("notebooks", "solutions", "exercises") for p in (ROOT / d).glob("[0-9]*.ipynb")
)


def _code_lines(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            yield from "".join(cell["source"]).splitlines()


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_code_cells_keep_each_comment_beside_its_code(path):
    """A learner reads a comment beside the code it explains. When a line with a trailing
    comment is too long for a cell (72 characters: notebooks/.ruff.toml), ruff format breaks the
    code and leaves the comment after the closing bracket, three lines below what it names
    (``assert (`` / ``    x < y`` / ``)  # vanishes``): such a comment belongs above the line."""
    alone = [ln for ln in _code_lines(path) if re.match(r"\s*[)\]}]+,?\s+#", ln)]
    assert not alone, "comments after a closing bracket:\n" + "\n".join(alone)


def test_the_folders_ruff_settings_are_the_roots_with_a_narrower_line():
    """notebooks/, solutions/ and exercises/ each carry a .ruff.toml (ruff uses the nearest):
    it must extend the root's settings, so that the course's code cells get every rule the
    package gets, with a shorter line and E501 on (its cache-dir and src only point back at
    the root: one cache, and rnnlib sorted as this project's own package)."""
    root = load_toml(ROOT / "pyproject.toml")["tool"]["ruff"]
    for folder in ("notebooks", "solutions", "exercises"):
        cfg = load_toml(ROOT / folder / ".ruff.toml")
        assert cfg["extend"] == "../pyproject.toml", folder
        assert cfg["line-length"] < root["line-length"], folder
        ignored = root["lint"]["per-file-ignores"]["*.ipynb"]
        assert cfg["lint"]["per-file-ignores"]["*.ipynb"] == [c for c in ignored if c != "E501"]


def _second_run(root):
    """The command `make test` runs the notebooks again with, as on another CPU (what `make -n`
    prints): its environment variables and its notebooks."""
    # (PY: this interpreter, whose numpy names the CPU features, in make test or test-oldest)
    out = make_dry_run(
        "test", f"PY={sys.executable}", done=(".venv/.test", ".venv/bin/python"), cwd=root
    )
    line = next(ln for ln in out.splitlines() if "OPENBLAS_CORETYPE=" in ln)
    env = dict(re.findall(r'\b([A-Z_]+)=("[^"]*"|\S+)', line.split(" -m pytest")[0]))
    return {k: v.strip('"') for k, v in env.items()}, sorted(
        w for w in line.split() if w.endswith(".ipynb")
    )


def test_the_second_run_takes_every_stage(tmp_path):
    """No hand-kept list of stages in the Makefile: a stage added later (here 10) is run as on
    another CPU too, and so are stages 00-04 (their np.tanh differs in its last digits between
    numpy's SIMD loops)."""
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    made = ["notebooks/04_a.ipynb", "notebooks/05_b.ipynb", "notebooks/10_c.ipynb"]
    made += ["solutions/04_a.ipynb", "solutions/10_c.ipynb"]
    for name in made:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert _second_run(tmp_path)[1] == sorted(made)
    stages = [p for f in ("notebooks", "solutions") for p in (ROOT / f).glob("[0-9][0-9]_*.ipynb")]
    assert _second_run(ROOT)[1] == sorted(p.relative_to(ROOT).as_posix() for p in stages)


def test_the_second_run_switches_off_numpys_simd_loops():
    """The features the second run names are ones numpy accepts and switches off: in a process
    with that NPY_DISABLE_CPU_FEATURES, numpy reports each one off, and imports without an
    error (an unknown or unsupported name would stop numpy's import)."""
    env, _ = _second_run(ROOT)
    assert env["OPENBLAS_CORETYPE"] == "Sandybridge" and env["OPENBLAS_NUM_THREADS"] == "2"
    names = env["NPY_DISABLE_CPU_FEATURES"].split()
    code = (  # (numpy 2 calls numpy.core numpy._core)
        "import numpy\n"
        "u = (getattr(numpy, '_core', None) or numpy.core)._multiarray_umath\n"
        "print(sorted(x for x in u.__cpu_dispatch__ if u.__cpu_features__.get(x)))"
    )
    run = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(names)}
    left = subprocess.run([sys.executable, "-c", code], env=run, capture_output=True, text=True)
    assert left.returncode == 0, left.stderr
    assert left.stdout.strip() == "[]"  # none of numpy's dispatched loops is left on
    mine = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert sorted(names) == ast.literal_eval(mine.stdout)  # every one this CPU runs is named
