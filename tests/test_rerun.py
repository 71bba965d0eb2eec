"""Learners do not run a lesson once from top to bottom: they run a cell again after reading it,
move a slider and run the cells below, go back to an earlier cell. A cell that changes what an
earlier cell made (``w -= lr * g``, a list appended to, a loop variable that reuses an earlier
name, an explorer's ``state`` read after the learner moved its sliders) then fails in a lesson the
learner never edited. So every lesson and solution runs, in one kernel:

1. top to bottom, every code cell twice in a row (a cell must survive running again, and the
   cells below must survive it);
2. then every slider of every explorer moved off its starting value (to the end of its range
   farther from the start), as a learner leaves them;
3. then every code cell once more, from the last up to the first: each cell runs after all the
   cells below it have run, as when a learner goes back to it.

No cell may raise in any of these. (Stored outputs are nbval's business; a second run may print
other numbers where the lesson says so, e.g. measured memory.) The notebooks share one kernel,
emptied before each, and figures are not rasterised: the whole takes about as long as one run of
the course (about 30 s).
"""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")
)
IDS = [f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS]

# Every Explorer in the kernel's namespace, each slider moved to the end of its range farther
# from its start (a learner's slider move is Explorer.step; its state is that of .set).
MOVE_SLIDERS = """
def _move_sliders():
    from rnnlib.course.sliders import Explorer

    for ex in [o for o in globals().values() if isinstance(o, Explorer)]:
        for name, sl in ex.sliders.items():
            far = sl.max if sl.max - sl.value >= sl.value - sl.min else sl.min
            ex.set(**{name: sl.on_grid(far)})


_move_sliders()
del _move_sliders
"""


# Figures run their code but are not rasterised (half the time of a lesson goes into PNGs; the
# pictures are nbval's business): IPython's PNG formatter off, which `%matplotlib inline` leaves.
NO_PNG = 'get_ipython().display_formatter.formatters["image/png"].enabled = False'


class Kernel:
    """A kernel that runs notebooks one after another: before each, its namespace is emptied
    (``%reset -f``, as a learner's "Restart Kernel" does for the notebook's names) and its working
    folder set to the notebook's. One kernel start instead of one per notebook: half the time
    of this test went into starting kernels. Cells run by index; errors are collected."""

    def __init__(self):
        from nbclient import NotebookClient

        self.client = NotebookClient(
            nbformat.v4.new_notebook(),
            timeout=120,
            kernel_name="python3",
            allow_errors=True,
            record_timing=False,
            shutdown_kernel="immediate",
        )

    def load(self, path):
        self.nb = nbformat.read(path, as_version=4)
        self.nb.cells.append(nbformat.v4.new_code_cell("", id="rerun-scratch"))
        self.client.nb = self.nb
        self.code = [
            i
            for i, c in enumerate(self.nb.cells[:-1])
            if c.cell_type == "code" and c.source.strip()
        ]
        self.errors = []
        self.run_source(
            f"%reset -f\nimport os\nos.chdir({str(path.parent)!r})\ndel os\n{NO_PNG}", "setting up"
        )

    def run(self, i, when):
        cell = self.nb.cells[i]
        self.client.execute_cell(cell, i)
        for out in cell.outputs:
            if out.output_type == "error":
                last = out.evalue.strip().splitlines()[-1:] or [""]
                self.errors.append(
                    f"cell {cell.get('id', i)} ({when}): {out.ename}: {last[0][:300]}\n"
                    f"    {cell.source[:200]!r}"
                )

    def run_source(self, source, when):
        self.nb.cells[-1].source = source
        self.run(len(self.nb.cells) - 1, when)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    with k.client.setup_kernel():
        yield k


def rerun_errors(path, k):
    """The errors of the three passes of the module's docstring over the notebook at ``path``,
    run in the :class:`Kernel` ``k``."""
    k.load(path)
    for i in k.code:
        k.run(i, "first run, each cell above run twice")
        if k.errors:  # a cell that fails on the first run is nbval's finding; stop here
            return k.errors
        k.run(i, "run again at once")
    k.run_source(MOVE_SLIDERS, "moving the sliders")
    for i in reversed(k.code):
        k.run(i, "run again after the cells below it, sliders moved")
    return k.errors


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_cell_can_be_run_again(path, kernel):
    errors = rerun_errors(path, kernel)
    assert not errors, (
        f"{path.relative_to(ROOT)}: a cell fails when a learner runs cells again "
        "(compute into a new name instead of changing an earlier cell's value, do not reuse an "
        "earlier cell's name for a loop variable, check an explorer's numbers on an explorer of "
        "the cell's own):\n" + "\n".join(errors)
    )


TRAPS = {  # name: (cells, the error a learner meets)
    "an update in place": (["w = 1.0", "w -= 0.5\nassert w == 0.5"], "AssertionError"),
    "an update seen below": (
        ["xs = [1, 2]", "xs.append(3)", "assert len(xs) == 3"],
        "AssertionError",
    ),
    "a loop variable that reuses a name": (
        ["b = [1.0, 2.0]", "total = sum(b)\nassert total == 3.0", "for b in range(3):\n    pass"],
        "TypeError",
    ),
    "an explorer's state read after its sliders moved": (
        [
            "from rnnlib.course.lesson01 import loss_explorer\nex = loss_explorer()",
            "start = ex.sliders['y_hat'].value\nassert ex.state['y_hat'] == start",
        ],
        "AssertionError",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("trap", TRAPS)
def test_a_cell_that_cannot_be_run_again_is_caught(trap, tmp_path, kernel):
    nb = nbformat.v4.new_notebook()
    cells, ename = TRAPS[trap]
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    path = tmp_path / "trap.ipynb"
    nbformat.write(nb, path)
    errors = rerun_errors(path, kernel)
    assert errors and f": {ename}:" in errors[0], errors
    assert "moving the sliders" not in "".join(errors), errors


@pytest.mark.slow
def test_the_same_cells_written_to_be_run_again_pass(tmp_path, kernel):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(src)
        for src in (
            "w = 1.0\nxs = [1, 2]\nb = [1.0, 2.0]",
            "w_new = w - 0.5\nassert w_new == 0.5",
            "xs_more = [*xs, 3]\nassert len(xs_more) == 3",
            "total = sum(b)\nassert total == 3.0",
            "for edge in range(3):\n    pass",
            "from rnnlib.course.lesson01 import loss_explorer\nex = loss_explorer()",
            "probe = loss_explorer()\nassert probe.state['y_hat'] == probe.sliders['y_hat'].value",
        )
    ]
    path = tmp_path / "fine.ipynb"
    nbformat.write(nb, path)
    assert rerun_errors(path, kernel) == []


if __name__ == "__main__":  # python tests/test_rerun.py PATH...: the errors of each notebook
    k = Kernel()
    with k.client.setup_kernel():
        for arg in sys.argv[1:]:
            print(arg, "\n".join(rerun_errors(Path(arg).resolve(), k)) or "no error", flush=True)
