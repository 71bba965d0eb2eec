"""Every public function of the learner's library shows a worked example in its docstring (the
numpydoc "Examples" section, as numpy's and scikit-learn's do), and every example runs as
written.

An example is what a learner sees with ``help(rnnlib.rnn_forward)`` or ``rnn_forward?`` in a
notebook: a few lines on small inputs whose results can be worked out by hand, the working said
in the example's own words (a comment or the sentence before it), so that each printed number
here is checked against arithmetic, not against the code's own output. Examples print rounded
numbers with ``print`` (the repr of a numpy scalar differs between numpy 1 and 2, and round-off
digits between machines), and draw random numbers only from a seeded ``np.random.default_rng``.
"""

import doctest
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest

import rnnlib

LEARNER_MODULES = [
    "rnnlib.scalar",
    "rnnlib.losses",
    "rnnlib.gradcheck",
    "rnnlib.optim",
    "rnnlib.training",
    "rnnlib.rnn",
    "rnnlib.checkpointing",
    "rnnlib.gradflow",
    "rnnlib.readout",
    "rnnlib.sampling",
    "rnnlib.data",
]

# every module of the package, the course machinery's too: an example written anywhere runs
EVERY_MODULE = sorted(
    ["rnnlib"]
    + [
        m.name
        for m in pkgutil.walk_packages(rnnlib.__path__, "rnnlib.")
        if m.name != "rnnlib.__main__"
    ]
)

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _public_functions(module):
    """The functions a module exports (its ``__all__``), not its result types or constants."""
    return [
        (name, getattr(module, name))
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
    ]


@pytest.mark.parametrize("name", LEARNER_MODULES)
def test_every_public_function_has_an_example(name):
    module = importlib.import_module(name)
    missing = [
        fn_name
        for fn_name, fn in _public_functions(module)
        if "Examples\n" not in (fn.__doc__ or "") or ">>> " not in (fn.__doc__ or "")
    ]
    assert not missing, f"{name}: no Examples section with a >>> line in {missing}"


@pytest.mark.parametrize("name", LEARNER_MODULES)
def test_every_public_function_says_its_parameters_and_returns(name):
    """numpydoc's "Parameters" section (for a function that takes an argument) and "Returns"
    section: where a learner reads each input's and output's type and shape."""
    module = importlib.import_module(name)
    missing = []
    for fn_name, fn in _public_functions(module):
        doc = inspect.getdoc(fn) or ""
        if inspect.signature(fn).parameters and "\nParameters\n----------\n" not in doc:
            missing.append(f"{fn_name} (Parameters)")
        if "\nReturns\n-------\n" not in doc:
            missing.append(f"{fn_name} (Returns)")
    assert not missing, f"{name}: no numpydoc section in {missing}"


@pytest.mark.parametrize("name", EVERY_MODULE)
def test_the_examples_run_as_written(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = []
    with np.printoptions(legacy=False):
        for test in finder.find(module, name, globs={}):
            out = []
            runner.run(test, out=out.append)
            report += out
    results = runner.summarize(verbose=False)
    assert results.failed == 0, "".join(report)


def test_every_module_is_searched_for_examples():
    assert set(LEARNER_MODULES) < set(EVERY_MODULE)
    assert {"rnnlib._validate", "rnnlib.course.plots", "rnnlib.course.checking"} < set(EVERY_MODULE)


def test_a_wrong_example_fails():
    """The runner above reports a failing example (it is not silently skipped)."""

    def f():
        """
        Examples
        --------
        >>> print(1 + 1)
        3
        """

    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in doctest.DocTestFinder().find(f, "f", globs={}):
        runner.run(test, out=lambda s: None)
    assert runner.summarize(verbose=False).failed == 1


def _documented(module):
    """``(name, docstring)`` of the module and of each object it exports and defines."""
    yield module.__name__, inspect.getdoc(module)
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if getattr(obj, "__module__", None) == module.__name__ and obj.__doc__:
            yield f"{module.__name__}.{name}", inspect.getdoc(obj)


def _over_doc_width(docs):
    """``where: length: line`` for every line of the ``(where, docstring)`` pairs that is
    longer than DOC_WIDTH."""
    from rnnlib.course.checking import DOC_WIDTH

    return [
        f"{where}: {len(line)}: {line}"
        for where, doc in docs
        for line in doc.splitlines()
        if len(line) > DOC_WIDTH
    ]


def _lesson_module_names():
    from rnnlib.course import LESSONS

    return [lesson.__name__ for lesson in LESSONS]


@pytest.mark.parametrize("name", ["rnnlib", *LEARNER_MODULES, *_lesson_module_names()])
def test_every_docstring_fits_the_output_area(name):
    """Lesson 00 sends the learner to the library's docstrings (``scalar.forward?``, or
    ``help(scalar.forward)``), which JupyterLab shows in the output area: at 1024 x 768 with the
    file browser open that holds TEXT_WIDTH characters and breaks a longer line anywhere, inside
    a word or a number (tests/test_browser.py). help() prints a docstring 4 spaces in, so every
    docstring line must fit DOC_WIDTH = TEXT_WIDTH - 4. The lesson modules too: a lesson imports
    its figures and helpers from its module (``from rnnlib.course.lesson03 import
    last_step_explorer``), and a learner may ask for ``last_step_explorer?``."""
    from rnnlib.course.checking import DOC_WIDTH, TEXT_WIDTH

    assert DOC_WIDTH == TEXT_WIDTH - 4
    long = _over_doc_width(_documented(importlib.import_module(name)))
    assert not long, f"{len(long)} docstring lines over {DOC_WIDTH} characters:\n" + "\n".join(long)


def test_every_checkers_docstring_fits_the_output_area():
    """``check_loss?`` shows the checker's docstring, built from its ``function`` and ``doc``
    (rnnlib.course.checking): it fits as the library's do, and no ````code```` span of up to
    48 characters is broken over two lines."""
    from rnnlib.checks import ALL_CHECKERS, check_answer

    docs = {c.name: c.__doc__ for c in ALL_CHECKERS} | {
        "check_answer": inspect.getdoc(check_answer)
    }
    long = _over_doc_width(docs.items())
    assert not long, "\n".join(long)
    broken = [
        f"{name}: {span!r}"
        for name, doc in docs.items()
        for span in re.findall(r"``[^`]+``", doc)
        if "\n" in span and len(" ".join(span.split())) <= 48
    ]
    assert not broken, "\n".join(broken)
