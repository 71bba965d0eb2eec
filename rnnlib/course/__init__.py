"""The course machinery, organised by lesson (the learner's library is the rest of rnnlib).

- :mod:`rnnlib.course.lesson00`, :mod:`~rnnlib.course.lesson01`, …: one module per stage, holding
  that lesson's checkers (each with its cases and its catalogue of known mistakes, listed in the
  module's ``CHECKERS``) and its slider figures (the factories listed in its ``FIGURES``, each
  returning an :class:`~rnnlib.course.sliders.Explorer` at the lesson's starting values);
- :mod:`rnnlib.course.checking`: what every checker is made of (:class:`~.checking.Checker`,
  :class:`~.checking.Case`, :class:`~.checking.Mistake`);
- :mod:`rnnlib.course.sliders`: what every slider figure is made of (:class:`~.sliders.Explorer`,
  :class:`~.sliders.Slider`, :func:`~.sliders.freeze_static`);
- :mod:`rnnlib.course.plots`: the drawing of the unrolled graph that several lessons show;
- :mod:`rnnlib.course.runner`: execute a notebook in a fresh kernel (used by ``make notebooks``,
  ``python -m rnnlib.progress`` and the benchmarks).
- :mod:`rnnlib.course.console`: the commands' output takes every character they print, on any
  terminal, file or pipe (:func:`~.console.utf8_output`).

Exercise notebooks import their checkers from :mod:`rnnlib.checks` (the contract names); lessons
import their figures from their lesson module (``from rnnlib.course.lesson04 import
through_time_explorer``). :data:`LESSONS` lists the lesson modules in course order, and
:func:`figures` every lesson's figures (for the tests and ``benchmarks/sliders.py``). Importing
this package does not import matplotlib: the figure factories do, when called.
"""

from pathlib import Path

from . import (
    lesson00,
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
    lesson07,
    lesson08,
)

__all__ = ["LESSONS", "stage", "figures", "unlisted"]

#: The lesson modules in course order: the one hand-kept list of stages (a new stage's module is
#: imported above and added here; tests/test_sliders.py checks it against
#: rnnlib/course/lessonNN.py, and :func:`unlisted` names a module left out). Everything else that
#: enumerates stages takes them from here or from the notebook folders.
LESSONS = (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08)


def stage(lesson):
    """The stage of a lesson module, ``"NN"`` (from its name ``rnnlib.course.lessonNN``)."""
    return lesson.__name__.rsplit(".", 1)[-1].removeprefix("lesson")


def figures():
    """Every lesson's slider figures in course order: a list of ``(stage, factory)``.

    Each factory takes no required argument and returns its lesson's
    :class:`~rnnlib.course.sliders.Explorer` at the lesson's starting values.
    """
    return [(stage(lesson), factory) for lesson in LESSONS for factory in lesson.FIGURES]


def unlisted():
    """The lesson modules in this folder that :data:`LESSONS` does not list, by module name
    (``["lesson09"]``): their checkers, questions and figures are invisible to the course until
    they are imported above and added to :data:`LESSONS`."""
    listed = {lesson.__name__.rsplit(".", 1)[-1] for lesson in LESSONS}
    found = (p.stem for p in Path(__file__).parent.glob("lesson[0-9][0-9].py"))
    return sorted(name for name in found if name not in listed)
