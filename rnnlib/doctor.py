"""Is this Python ready for the course?  ``python -m rnnlib.doctor``

Checks that numpy, matplotlib and ipywidgets are installed in recent enough versions, and that
JupyterLab's widget manager is there: the ``jupyterlab_widgets`` package and the JupyterLab
extension it installs (``@jupyter-widgets/jupyterlab-manager``). Without the widget manager a
lesson's sliders show up as a line of text such as ``VBox(children=...)`` instead of sliders.

Prints one line per check with the version found. If something is missing or too old it prints the
exact command that fixes it and exits with status 1 (0 when all is well).

This file uses the standard library only, so it works where numpy itself is missing (the package
``rnnlib`` stays importable then, and only says what is missing when used).
From a notebook cell: ``from rnnlib.doctor import report; report()``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

__all__ = ["REQUIREMENTS", "Check", "check", "fix_command", "report", "main"]

# (distribution, minimum version, what the course uses it for); the minimums are pyproject.toml's.
REQUIREMENTS = (
    ("numpy", "1.26", "every computation"),
    ("matplotlib", "3.8", "every figure"),
    ("ipywidgets", "8.1", "the sliders"),
    ("jupyterlab_widgets", "3.0", "JupyterLab's widget manager: without it sliders show as text"),
)
PYTHON_MIN = (3, 10)
WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"


class Check(NamedTuple):
    """One line of the report. ``status`` is "ok", "missing", "old", "broken" or "info"."""

    name: str
    status: str
    found: str | None
    needed: str | None
    detail: str

    @property
    def problem(self) -> bool:
        return self.status not in ("ok", "info")


def _release(version: str) -> tuple[int, ...]:
    """(8, 1, 9) from "8.1.9", "8.1.9rc1" or "8.1.9.post2"; pre-release tags are ignored."""
    m = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    if not m:
        return ()
    parts = tuple(int(p) for p in m.group(1).split("."))
    while parts and parts[-1] == 0:
        parts = parts[:-1]
    return parts


def at_least(version: str, minimum: str) -> bool:
    """Whether ``version`` is ``minimum`` or newer (by release number)."""
    return _release(version) >= _release(minimum)


def installed_version(dist: str) -> str | None:
    """The version of distribution ``dist`` installed in this Python, or None."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def labextension_dirs() -> list[Path]:
    """Where JupyterLab looks for prebuilt extensions, for a JupyterLab run by this Python."""
    try:
        from jupyter_core.paths import jupyter_path

        return [Path(p) for p in jupyter_path("labextensions")]
    except Exception:  # jupyter_core missing or broken: its default search path
        dirs = [Path.home() / ".local" / "share" / "jupyter"]
        dirs += [Path(sys.prefix) / "share" / "jupyter"]
        dirs += [Path("/usr/local/share/jupyter"), Path("/usr/share/jupyter")]
        extra = os.environ.get("JUPYTER_PATH", "")
        dirs = [Path(p) for p in extra.split(os.pathsep) if p] + dirs
        return [d / "labextensions" for d in dirs]


def find_labextension(name: str = WIDGET_MANAGER) -> tuple[Path, str] | None:
    """(folder, version) of JupyterLab extension ``name``, or None where it is not installed."""
    for d in labextension_dirs():
        pkg = d / name / "package.json"
        if pkg.is_file():
            try:
                version = json.loads(pkg.read_text(encoding="utf-8")).get("version", "?")
            except (OSError, ValueError):
                version = "?"
            return pkg.parent, version
    return None


def check(version=installed_version, labextension=find_labextension, python=None) -> list[Check]:
    """Every check, in order. ``version``, ``labextension`` and ``python`` can be replaced
    (tests do) by functions with the signatures of :func:`installed_version`,
    :func:`find_labextension` and a version tuple like ``sys.version_info``."""
    out = []
    py = tuple(python or sys.version_info[:3])
    py_text = ".".join(map(str, py))
    need = ".".join(map(str, PYTHON_MIN))
    out.append(
        Check(
            "Python",
            "ok" if py[:2] >= PYTHON_MIN else "old",
            py_text,
            need,
            sys.executable,
        )
    )
    for dist, minimum, why in REQUIREMENTS:
        found = version(dist)
        if found is None:
            status = "missing"
        elif not at_least(found, minimum):
            status = "old"
        else:
            status = "ok"
        out.append(Check(dist, status, found, minimum, why))
    ext = labextension()
    if ext is None:
        out.append(
            Check(
                WIDGET_MANAGER,
                "missing",
                None,
                None,
                "the JupyterLab extension that draws widgets (installed by jupyterlab_widgets)",
            )
        )
    else:
        out.append(Check(WIDGET_MANAGER, "ok", ext[1], None, f"JupyterLab extension in {ext[0]}"))
    # Not required in this Python (JupyterLab may run from another one), shown for the record.
    for dist, why, if_missing in (
        ("jupyterlab", "JupyterLab itself", "needed only to start JupyterLab from this Python"),
        ("ipykernel", "the notebook kernel", "needed to run notebooks with this Python"),
    ):
        found = version(dist)
        out.append(Check(dist, "info", found, None, why if found else if_missing))
    return out


def _in_conda() -> bool:
    return bool(os.environ.get("CONDA_PREFIX")) and (Path(sys.prefix) / "conda-meta").is_dir()


def fix_command(checks: list[Check]) -> str | None:
    """The one command that installs what is missing or too old, for this very Python."""
    specs = []
    for c in checks:
        if not c.problem or c.name == "Python":
            continue
        dist = "jupyterlab_widgets" if c.name == WIDGET_MANAGER else c.name
        minimum = dict((d, m) for d, m, _ in REQUIREMENTS).get(dist)
        spec = f"{dist}>={minimum}" if minimum else dist
        if spec not in specs:
            specs.append(spec)
    if not specs:
        return None
    if _in_conda():
        return "conda install -c conda-forge " + " ".join(shlex.quote(s) for s in specs)
    reinstall = (
        ["--force-reinstall"] if all(c.name == WIDGET_MANAGER for c in checks if c.problem) else []
    )
    args = [sys.executable, "-m", "pip", "install", *reinstall, *specs]
    return " ".join(shlex.quote(a) for a in args)


_LABEL = {"ok": "ok", "info": "info", "missing": "MISSING", "old": "TOO OLD", "broken": "BROKEN"}


def format_report(checks: list[Check]) -> str:
    lines = ["rnnlib doctor: is this Python ready for the BPTT course?"]
    for c in checks:
        found = c.found or "not installed"
        needs = f" (needs >= {c.needed})" if c.needed else ""
        lines.append(f"  {_LABEL[c.status]:<8} {c.name} {found}{needs}: {c.detail}")
    problems = [c for c in checks if c.problem]
    if not problems:
        lines.append("All good: open the first lesson, notebooks/00_unrolled_forward_pass.ipynb.")
        return "\n".join(lines)
    if any(c.name == "Python" for c in problems):
        lines.append(
            f"This Python is too old: the course needs Python >= {'.'.join(map(str, PYTHON_MIN))}."
            " Install a newer Python, then in the course folder run: make lab"
        )
    cmd = fix_command(checks)
    if cmd:
        lines += ["To fix it, run:", f"    {cmd}"]
        lines.append(
            "or, in the course folder, `make lab` (it sets up .venv with everything). Then restart"
            " the kernel (Kernel > Restart Kernel); if you installed the widget manager, also"
            " restart JupyterLab and reload the browser page."
        )
    return "\n".join(lines)


def report(file=None) -> bool:
    """Print the report (to ``file``, default stdout); True when nothing is missing."""
    checks = check()
    print(format_report(checks), file=file or sys.stdout)
    return not any(c.problem for c in checks)


def main(argv=None, checks=None) -> int:
    """``python -m rnnlib.doctor``: print the report; exit status 1 on any problem."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    checks = check() if checks is None else checks
    print(format_report(checks))
    return 1 if any(c.problem for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
