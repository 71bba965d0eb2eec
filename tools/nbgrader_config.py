# nbgrader's configuration for the course (`make class` copies it into build/class/).
# nbgrader reads `nbgrader_config.py` from the folder it runs in: run every nbgrader command in the
# course folder (build/class/, or the copy on your JupyterHub). See INSTRUCTORS.md.
import os

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "bptt"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")

# The released exercises must equal exercises/ (tools/make_exercises.py): one line
# `raise NotImplementedError()` where an answer was, not nbgrader's default
# "# YOUR CODE HERE\nraise NotImplementedError()". The text stub is nbgrader's default, the same
# one make_exercises writes.
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: a cell that runs longer than this is interrupted (an endless loop costs its
# author that cell's points, not the class's grading run). Every check cell of the course takes
# well under a second on one core; 30 s leaves room for a loaded grading machine. The tests lower
# it.
c.Execute.timeout = 30
# The grading kernels inherit nbgrader's environment: one BLAS thread each, as `make lab` and
# `make test` set (the course's matrices are small; spare BLAS threads only spin, and on a busy
# grading machine they slow every kernel down). A value the instructor has set is kept.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
c.Execute.interrupt_on_timeout = True
# What the learner's feedback shows in a cell that was stopped (nbgrader's default says only
# "CellTimeoutError: No reply from kernel before timeout").
c.Execute.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": "this cell ran longer than the time limit and was stopped",
    "traceback": [
        "\x1b[0;31mCellTimeoutError\x1b[0m: this cell ran longer than the time limit for one cell"
        " and was stopped, so it earns no points. Is there a loop that never ends (a `while`"
        " loop whose condition never becomes false)? Run the notebook yourself:"
        " `python -m rnnlib.progress` names the item that times out. The cells after this one"
        " were graded as usual."
    ],
}

# Release: no checked-in outputs, read-only test cells (nbgrader's defaults, stated).
c.ClearOutput.enabled = True
c.LockCells.lock_grade_cells = True
c.LockCells.lock_readonly_cells = True

# `nbgrader zip_collect NN_name` (INSTRUCTORS.md, section 2): the files of an LMS download, put in
# downloaded/NN_name/archive/ (zip files are unpacked), sorted into
# submitted/<learner>/NN_name/NN_name.ipynb. A learner's notebook is recognised by its path, in
# either layout (the notebook's name ends with the exercise's, NN_name; "-1", "-2" after it, as an
# LMS marks a resubmission, is dropped):
#   .../<learner>/NN_name.ipynb                  a folder per learner: the folder's name is the id
#   .../<learner>_NN_name.ipynb                  one folder for all: the id is the file name's
#   .../<learner>_<anything>_NN_name.ipynb       start, up to its first "_" (so no "_" in ids)
# A zip file is unpacked into a folder of its name: a notebook at the top of a zip counts as the
# learner's the zip is named after (a zip per learner, <learner>.zip). A file that matches
# neither layout is skipped, with a warning naming it (a notebook put directly in archive/, too).
# For another layout, change
# this expression (named groups student_id and file_id; it is matched against the whole path).
c.FileNameCollectorPlugin.named_regexp = (
    r".*[/\\](?!extracted[/\\])(?P<student_id>[^/\\]+?)(?:[/\\]|_(?:[^/\\]*_)?)"
    r"(?P<file_id>[0-9][0-9]_\w+?)(?:-[0-9]+)?\.ipynb$"
)
