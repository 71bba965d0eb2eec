"""Re-execute notebooks in place and store their outputs (``make notebooks``).

Usage: python -m tools.run_notebooks [PATH ...]   (folders or .ipynb files)

Each notebook runs in a fresh kernel of this environment's Python, from its own folder, with no
timing metadata stored (so re-running an unchanged notebook leaves no diff). Prints each
notebook's execution time and the total.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def notebook_paths(args):
    paths = []
    for a in args or ["notebooks", "solutions"]:
        p = Path(a)
        paths += sorted(p.glob("[0-9]*.ipynb")) if p.is_dir() else [p]
    return paths


def execute(path: Path, timeout=300, save=True) -> float:
    """Run ``path`` top to bottom in a fresh kernel; return the seconds it took.

    With ``save`` the executed notebook (outputs, no widget state) is written back in place.
    Raises nbclient's ``CellExecutionError`` if a cell fails.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    t0 = time.perf_counter()
    client.execute()
    dt = time.perf_counter() - t0
    if save:
        nb.metadata.pop("widgets", None)  # widget state varies from run to run, never needed
        nbformat.write(nb, path)
    return dt


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    total = 0.0
    for p in notebook_paths(argv):
        dt = execute(p)
        total += dt
        print(f"{dt:6.2f} s  {p}", flush=True)
    print(f"{total:6.2f} s  total")


if __name__ == "__main__":
    main()
