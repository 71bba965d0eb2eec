"""The memory benchmark measures the kernel that ran the notebook, and adds a learner's processes
up as a container is charged for them. (Its numbers are reported by ``make bench``, never
asserted here.)"""

import nbformat
import pytest

from benchmarks import memory

MIB = 2**20


def _notebook(folder, name, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_kernel_memory_is_the_memory_of_the_kernel_that_ran_the_notebook(tmp_path):
    """A notebook that keeps 80 MiB of its own (written, so resident and private) reads about
    80 MiB more USS and RSS than one that keeps nothing; the notebook file is left unchanged."""
    small = _notebook(tmp_path, "small.ipynb", "import numpy as np")
    big = _notebook(tmp_path, "big.ipynb", "import numpy as np\nkept = np.ones(10 * 2**20)")
    before = big.read_bytes()
    a, b = memory.kernel_memory(small), memory.kernel_memory(big)
    assert big.read_bytes() == before
    for m in (a, b):
        assert 0 < m["uss"] <= m["rss"] <= m["peak"]
    assert 75 * MIB < b["uss"] - a["uss"] < 90 * MIB
    assert 75 * MIB < b["rss"] - a["rss"] < 90 * MIB


@pytest.mark.slow
def test_a_kernels_peak_is_its_own_not_the_peak_of_the_process_that_started_it(tmp_path):
    """Linux keeps getrusage's ru_maxrss across exec: a kernel started by a process that had
    grown large (make bench, with torch loaded) reported that process's peak."""
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("the peak is read on Linux only (VmHWM)")
    import numpy as np

    ballast = np.ones(40 * MIB)  # 320 MiB resident in this process, which starts the kernel
    path = _notebook(tmp_path, "small.ipynb", "import numpy as np")
    m = memory.kernel_memory(path)
    assert ballast[-1] == 1.0
    assert m["rss"] <= m["peak"] < m["rss"] + 100 * MIB


def test_kernel_memory_runs_the_notebook_in_its_own_folder(tmp_path):
    """The lessons read nothing from their folder, but the runner's rule holds: the kernel's
    working folder is the notebook's (a notebook that needs a file beside it still runs)."""
    (tmp_path / "beside.txt").write_text("here")
    path = _notebook(tmp_path, "reads.ipynb", "assert open('beside.txt').read() == 'here'")
    assert memory.kernel_memory(path)["rss"] > 0


def _row(kind, rss, uss, name=None):
    return {
        "process": "p",
        "kind": kind,
        "name": name,
        "rss": rss * MIB,
        "uss": uss * MIB,
        "peak": None,
    }


def test_total_counts_private_pages_of_each_and_shared_pages_once():
    # three processes sharing 20 MiB of library pages (RSS - USS): 100 + 50 + 60 own + 20 shared
    rows = [_row("server", 120, 100), _row("notebooks", 70, 50), _row("solutions", 80, 60)]
    assert memory.total(rows) == 230 * MIB
    # the shared part counted is the largest one
    assert memory.total([_row("server", 10, 5), _row("notebooks", 40, 10)]) == 45 * MIB
    assert memory.total([]) == 0


def test_scenarios_pair_a_lesson_with_its_own_exercise():
    rows = [
        _row("server", 110, 100),
        _row("notebooks", 60, 50, "01_a.ipynb"),
        _row("notebooks", 90, 80, "02_b.ipynb"),
        _row("solutions", 80, 70, "01_a.ipynb"),
        _row("solutions", 20, 10, "02_b.ipynb"),
    ]
    got = dict(memory.scenarios(rows))
    # the largest lesson: 100 + 80 own, 10 shared
    assert got["the server and one lesson open (the largest)"] == 190 * MIB
    # pairs 01: 50 + 70, 02: 80 + 10: the largest pair is 01, not the largest lesson's
    pair = "the server, a lesson and its exercise open (the largest pair)"
    assert got[pair] == (100 + 50 + 70 + 10) * MIB
    every = [v for k, v in got.items() if k.startswith("the server and every notebook")]
    assert every == [(100 + 50 + 80 + 70 + 10 + 10) * MIB]


def test_section_states_the_cull_minutes_of_the_course_config():
    rows = [_row("server", 110, 100)]
    text = memory.section(rows, lambda header, rows: "TABLE")
    assert f"idle for {memory.cull_minutes()} minutes" in text
