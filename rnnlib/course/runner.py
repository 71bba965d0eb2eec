"""Execute a notebook top to bottom in a fresh kernel: the one runner behind ``make notebooks``
(tools/run_notebooks.py), ``python -m rnnlib.progress``, the exercise tests and the benchmarks.

The kernel is ``python3``, i.e. this environment's own Python, whatever kernel the notebook's
metadata names; no timing metadata is recorded, and a cell's consecutive prints to one stream are
stored as one output however the kernel happened to send them (so re-running an unchanged
notebook leaves no diff). nbclient and nbformat come with JupyterLab (``rnnlib[lab]``) and are
imported only here, when a notebook is run.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

__all__ = ["joined_streams", "notebook_paths", "run_notebook"]


def notebook_paths(args, default=("notebooks", "solutions"), pattern="[0-9]*.ipynb"):
    """The notebooks named by ``args`` (folders, searched for ``pattern``, or files), in order;
    ``default`` when ``args`` is empty."""
    paths = []
    for a in args or default:
        p = Path(a)
        paths += sorted(p.glob(pattern)) if p.is_dir() else [p]
    return paths


def run_notebook(path, *, folder=None, timeout=300, keep_going=False, quiet=False):
    """Execute the notebook at ``path``; return ``(notebook, seconds)``, the notebook with its new
    outputs (the file is not written).

    Parameters
    ----------
    path : path of the .ipynb file
    folder : the kernel's working folder (default: the notebook's own folder)
    timeout : seconds a cell may take
    keep_going : run on past a failing cell (its error is stored in its outputs) and interrupt a
        cell that times out; otherwise the first failing cell raises nbclient's
        ``CellExecutionError``, whose ``notebook`` is the notebook as far as it ran (and
        ``cell_index`` the index of the cell that was running, None before the first)
    quiet : hide the kernel's own stderr (start-up warnings)
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    running = [None]  # the index of the cell sent to the kernel last

    def note_cell(cell, cell_index):
        running[0] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=keep_going,
        interrupt_on_timeout=keep_going,
        record_timing=False,
        # The outputs are in once the last cell has run: stop the kernel at once. A graceful
        # stop (interrupt, then a shutdown request) takes 0.2-0.5 s, and now and then the kernel
        # misses the request and jupyter_client waits 2.5 s before it sends SIGTERM (a notebook
        # of 1 s then measured 4 s).
        shutdown_kernel="immediate",
        on_cell_execute=note_cell,
        resources={"metadata": {"path": str(folder if folder is not None else path.parent)}},
    )
    t0 = time.perf_counter()
    try:
        client.execute(**({"stderr": subprocess.DEVNULL} if quiet else {}))
    except Exception as err:  # CellExecutionError, CellTimeoutError, a dead kernel ...
        err.notebook = nb  # the notebook as far as it ran, for a caller that inspects it
        err.cell_index = running[0]  # the cell that was running (a dead kernel says no more)
        raise
    seconds = time.perf_counter() - t0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = joined_streams(cell.outputs)
    return nb, seconds


def joined_streams(outputs):
    """``outputs`` with each run of consecutive stream outputs of one name (stdout, stderr) joined
    into one output. The kernel sends a cell's prints in chunks cut by timing (a pause in a loop
    starts a new chunk), so the same prints would be stored split differently on every run."""
    joined = []
    for out in outputs:
        prev = joined[-1] if joined else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] += out["text"]
        else:
            joined.append(out)
    return joined
