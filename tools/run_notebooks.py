"""Re-execute notebooks in place and store their outputs (``make notebooks``).

Usage: python -m tools.run_notebooks [PATH ...]   (folders or .ipynb files)

Each notebook runs in a fresh kernel of this environment's Python, from its own folder, with no
timing metadata stored (so re-running an unchanged notebook leaves no diff); the runner is
:mod:`rnnlib.course.runner`. Prints each notebook's execution time and the total.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from rnnlib.course.console import utf8_output
from rnnlib.course.runner import notebook_paths, run_notebook

__all__ = ["execute", "main", "notebook_paths", "without_widget_state"]


def execute(path: Path, timeout=300) -> float:
    """Run ``path`` top to bottom in a fresh kernel and write it back in place with its outputs
    (no widget state); return the seconds it took. Raises nbclient's ``CellExecutionError`` if a
    cell fails (the file is then left as it was)."""
    nb, seconds = run_notebook(path, timeout=timeout, quiet=True)  # no kernel start-up warnings
    without_widget_state(nb)
    nbformat.write(nb, path)
    return seconds


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def without_widget_state(nb):
    """Drop what a saved widget cannot use: the widget state (it varies from run to run and is
    never needed) and so each output's reference to a widget model. Without the state, JupyterLab
    shows an output's text fallback ("run the notebook to move it") in place of the widget; with
    the reference gone that text is all that is stored, and the random model id no longer makes
    every re-run of an unchanged notebook a diff."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]


def _bad_args(argv) -> str | None:
    """What is wrong with the command line, or None: an option (this command takes none), a path
    that does not exist, a file that is not a notebook, a folder with no lesson notebooks."""
    for a in argv:
        p = Path(a)
        if a.startswith("-"):
            return f"unknown option {a!r} (this command takes only notebooks and folders)"
        if not p.exists():
            return f"{a!r} does not exist (in {Path.cwd()})"
        if p.is_dir() and not notebook_paths([a]):
            return f"{a!r} holds no notebooks named like the course's (00_....ipynb)"
        if p.is_file() and p.suffix != ".ipynb":
            return f"{a!r} is not a notebook (.ipynb)"
    return None


def main(argv=None) -> int:
    """Run the notebooks ``argv`` names (default: notebooks/ and solutions/); exit code 0, 1 when
    a cell failed (that notebook is left as it was; the ones before it are written), 2 for an
    argument it does not expect."""
    utf8_output()
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    bad = _bad_args(argv)
    if bad:
        print(
            f"run_notebooks: {bad}\nusage: python -m tools.run_notebooks [PATH ...]",
            file=sys.stderr,
        )
        return 2
    total = 0.0
    for p in notebook_paths(argv):
        try:
            dt = execute(p)
        except CellExecutionError as err:
            print(
                f"run_notebooks: {p}: a cell failed; the file is left as it was\n{err}",
                file=sys.stderr,
            )
            return 1
        total += dt
        print(f"{dt:6.2f} s  {p}", flush=True)
    print(f"{total:6.2f} s  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
