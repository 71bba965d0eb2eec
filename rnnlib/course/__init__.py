"""The course machinery, organised by lesson (the learner's library is the rest of rnnlib).

- :mod:`rnnlib.course.lesson00` … :mod:`rnnlib.course.lesson08`: one module per stage, holding
  that lesson's checkers (each with its cases and its catalogue of known mistakes, listed in the
  module's ``CHECKERS``); the lesson's slider figures go there too;
- :mod:`rnnlib.course.checking`: what every checker is made of (:class:`~.checking.Checker`,
  :class:`~.checking.Case`, :class:`~.checking.Mistake`);
- :mod:`rnnlib.course.runner`: execute a notebook in a fresh kernel (used by ``make notebooks``,
  ``python -m rnnlib.progress`` and the benchmarks).

Exercise notebooks import their checkers from :mod:`rnnlib.checks` (the contract names).
"""
