"""The project's own files: dependencies in step, a light import, the front door documented."""

import re
import subprocess
import sys
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req):
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    want = {_name(r) for r in py["dependencies"]}
    for extra in py["optional-dependencies"].values():
        want |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == want, (
        f"only in pyproject: {want - conda}; only in environment.yml: {conda - want}"
    )
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip  # installs rnnlib itself


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
        assert out.returncode == 0, f"ruff {' '.join(args)}:\n{out.stdout}{out.stderr}"
