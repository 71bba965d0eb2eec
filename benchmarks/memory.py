"""Memory a learner's JupyterLab takes: its server, and a kernel per open notebook. For sizing a
JupyterHub's single-user servers (INSTRUCTORS.md section 6), and for knowing what Binder allows.

Each lesson and solution runs top to bottom in a fresh kernel (the runner of ``make notebooks``,
:mod:`rnnlib.course.runner`), and a cell added at its end reports the kernel's memory:

- *RSS*, resident memory, the pages of shared libraries (numpy's, Python's) included;
- *USS*, the pages no other process shares: what one more such kernel adds;
- *peak*, the largest RSS the kernel reached.

A solution stands for its exercise once every answer is written. The server is JupyterLab with the
course's ``jupyter-config/``, as ``make lab`` starts it, measured after it has served the first
lesson's page and started that lesson's kernel. A container (a hub's pod, a Binder session) is
charged for each process's own pages once and for shared pages once, so a learner's total is
estimated as the sum of the USS of every process plus the largest RSS - USS among them.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rnnlib.course.runner import notebook_paths, run_notebook

ROOT = Path(__file__).resolve().parents[1]
FIRST = "notebooks/00_unrolled_forward_pass.ipynb"
MIB = 2**20
HEADER = ["process", "RSS MiB", "USS MiB", "peak RSS MiB"]

# The cell added at a notebook's end: its kernel's memory, as one JSON line. The peak is Linux's
# VmHWM, the high-water mark of this process's own memory (getrusage's ru_maxrss is kept across
# exec: a kernel started by a large process would report that process's peak); None elsewhere.
PROBE = """\
import json as _j, psutil as _p
_m = _p.Process().memory_full_info()
try:
    with open("/proc/self/status") as _f:
        _peak = [int(x.split()[1]) * 1024 for x in _f if x.startswith("VmHWM:")][0]
except (OSError, IndexError):
    _peak = None
print("RNNLIB-MEMORY " + _j.dumps({"rss": _m.rss, "uss": _m.uss, "peak": _peak}))"""


def cull_minutes() -> int:
    """Minutes jupyter-config/ lets an idle kernel that no tab shows run (CULL_IDLE_MINUTES)."""
    text = (ROOT / "jupyter-config" / "jupyter_server_config.py").read_text(encoding="utf-8")
    return int(re.search(r"^CULL_IDLE_MINUTES = (\d+)$", text, re.M).group(1))


def kernel_memory(path: Path, timeout=300) -> dict:
    """``{rss, uss, peak}`` in bytes of a fresh kernel that ran the notebook at ``path`` to its
    end (run from the notebook's own folder; the notebook file is not changed)."""
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    with tempfile.TemporaryDirectory(prefix="rnnlib-memory-") as tmp:
        copy = Path(tmp) / path.name
        nbformat.write(nb, copy)
        ran, _ = run_notebook(copy, folder=path.parent, timeout=timeout, quiet=True)
    printed = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
    line = next(x for x in printed.splitlines() if x.startswith("RNNLIB-MEMORY "))
    return json.loads(line.split(" ", 1)[1])


def process_memory(pid: int) -> dict:
    """``{rss, uss, peak}`` in bytes of the process ``pid`` (peak: Linux's VmHWM, else None)."""
    import psutil

    m = psutil.Process(pid).memory_full_info()
    peak = None
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return {"rss": m.rss, "uss": m.uss, "peak": peak}


def server_memory() -> dict:
    """The JupyterLab server of ``make lab`` (the course's jupyter-config/), after it served the
    first lesson's page and started its kernel (as opening the lesson does): ``{rss, uss, peak}``.
    """
    sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' server: browser_support.py
    from browser_support import LabServer

    with tempfile.TemporaryDirectory(prefix="rnnlib-memory-lab-") as tmp:
        server = LabServer(ROOT, Path(tmp), config_path=ROOT / "jupyter-config").start()
        try:
            url = f"{server.base}/lab/tree/{FIRST}?token={server.token}"
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
            body = json.dumps({"path": FIRST, "type": "notebook", "kernel": {"name": "python3"}})
            req = urllib.request.Request(
                f"{server.base}/api/sessions",
                data=body.encode(),
                method="POST",
                headers={"Authorization": f"token {server.token}"},
            )
            with urllib.request.urlopen(req, timeout=60) as r:
                r.read()
            time.sleep(2.0)  # the kernel's start is the server's work too
            return process_memory(server.proc.pid)
        finally:
            server.shutdown_kernels()
            server.stop()


def run(root=ROOT, log=print):
    """Rows ``{process, kind, name, rss, uss, peak}``: the server, then every lesson and
    solution (``name``: the notebook's file name, which a lesson and its exercise share)."""
    root = Path(root)
    server = {"process": "JupyterLab server (`make lab`)", "kind": "server", "name": None}
    rows = [{**server, **server_memory()}]
    log(" | ".join(table_cells(rows[-1])))
    for folder in ("notebooks", "solutions"):
        for path in notebook_paths([str(root / folder)]):
            process = f"kernel of {path.relative_to(root)}"
            rows.append({"process": process, "kind": folder, "name": path.name})
            rows[-1].update(kernel_memory(path))
            log(" | ".join(table_cells(rows[-1])))
    return rows


def total(rows) -> int:
    """Bytes a container holding the processes of ``rows`` is charged, estimated: every
    process's own pages (USS) plus the shared pages once (the largest RSS - USS)."""
    if not rows:
        return 0
    return sum(r["uss"] for r in rows) + max(r["rss"] - r["uss"] for r in rows)


def scenarios(rows):
    """``[(what, bytes)]``: a learner's processes in the situations the section names."""
    server = [r for r in rows if r["kind"] == "server"]
    lessons = [r for r in rows if r["kind"] == "notebooks"]
    solutions = [r for r in rows if r["kind"] == "solutions"]
    out = []
    if server and lessons:
        biggest = max(lessons, key=lambda r: r["uss"])
        out.append(("the server and one lesson open (the largest)", total(server + [biggest])))
    if server and lessons and solutions:
        pairs = [(a, b) for a in lessons for b in solutions if a["name"] == b["name"]]
        if pairs:
            pair = max(pairs, key=lambda p: p[0]["uss"] + p[1]["uss"])
            out.append(
                (
                    "the server, a lesson and its exercise open (the largest pair)",
                    total(server + list(pair)),
                )
            )
        out.append(
            (
                f"the server and every notebook's kernel left running ({len(lessons)} lessons, "
                f"{len(solutions)} exercises)",
                total(server + lessons + solutions),
            )
        )
    return out


def _mib(x):
    return "–" if x is None else f"{x / MIB:.0f}"


def table_cells(row):
    return [row["process"], _mib(row["rss"]), _mib(row["uss"]), _mib(row["peak"])]


def section(rows, md_table) -> str:
    text = [
        "## 6. Memory of a learner's JupyterLab",
        "",
        "Each lesson and solution run top to bottom in a fresh kernel, its memory read at the "
        "end (a solution stands for its exercise, every answer written). *RSS*: resident memory, "
        "shared libraries included; *USS*: the pages no other process shares, what one more "
        "such kernel adds; *peak*: the largest RSS it reached. The server is JupyterLab with "
        "the course's `jupyter-config/`, after serving lesson 00's page and starting its "
        "kernel.",
        "",
        md_table(HEADER, [table_cells(r) for r in rows]),
        "",
        "A learner's processes, as a container (a hub's pod, a Binder session) is charged for "
        "them: every process's own pages (USS) plus the shared pages once (the largest "
        "RSS - USS), estimated:",
        "",
    ]
    text += [f"- {what}: **{_mib(b)} MiB**;" for what, b in scenarios(rows)]
    if text[-1].endswith(";"):
        text[-1] = text[-1][:-1] + "."
    m = cull_minutes()
    text += [
        "",
        "JupyterLab keeps a notebook's kernel running after its tab is closed. The course's "
        "`jupyter-config/` shuts down a kernel that no tab shows once it has been idle for "
        f"{m} minutes (`MappingKernelManager.cull_idle_timeout`), so the last line is a "
        f"learner who opened every notebook within {m} minutes, or kept them all open.",
    ]
    return "\n".join(text)


if __name__ == "__main__":
    from benchmarks.run import md_table

    print(section(run(), md_table))
