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
c.Execute.interrupt_on_timeout = True

# Release: no checked-in outputs, read-only test cells (nbgrader's defaults, stated).
c.ClearOutput.enabled = True
c.LockCells.lock_grade_cells = True
c.LockCells.lock_readonly_cells = True
