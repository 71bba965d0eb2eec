"""Which mistakes did the class make, and how often: a report from nbgrader's autograded notebooks.

Usage::

    python -m tools.class_report [COURSE_DIR ...] [--assignment NAME ...] [--csv FILE]

``COURSE_DIR`` (default ``build/class``; several for a class graded in shards, INSTRUCTORS.md
section 7) is an nbgrader course folder after ``nbgrader autograde``. The report reads every
``COURSE_DIR/autograded/<learner>/<assignment>/<assignment>.ipynb`` and, for each graded check
cell (nbgrader's ``grade: true`` code cells) and each check it calls, gives each learner one
outcome from the cell's stored outputs:

- **passed**: the cell has no error output, or the check printed its ✓ line and the error is
  another check's (a second check of the same cell);
- **not started**: the cell raised ``NotImplementedError`` (a checker's "not started: write the
  body of ..." or "unfinished: ... calls ..." line, or the learner's own ``raise
  NotImplementedError()``), or another error that is not a check's ``AssertionError`` after a
  cell (since the previous check cell) that raised it; where that cell raised another error
  (an answer cell stopped by the time limit leaves its answer ``None``), the outcome is that
  error ``in a cell above``;
- **a catalogued mistake**: the error's message (nbgrader stores it as the output's ``evalue``)
  begins with the check's name and contains what the check's catalogue says about one of its
  known mistakes (:func:`tools.make_class.catalogue`); the longest such text wins. A message
  that names several mistakes (the checker cannot tell them apart on its cases: the same text,
  or "a — or — b") counts as one outcome that names them all;
- **other failures**: anything else. A check's own message that its catalogue does not know is
  named by what it says (:data:`FAILURES`): ``a wrong value (dWh)`` (the items it calls wrong),
  ``returned None``, ``the wrong type, shape or length``, ``NaN or infinity``, ``changed an
  input in place``, ``raised KeyError`` (the learner's code raised it), ``a loop that never
  ends``...; any other error by the exception's name (``NameError``, ``CellTimeoutError``...;
  ``SyntaxError in a cell above`` when an earlier cell's error made this one fail; ``check cell
  missing`` when the learner's notebook lacks the cell: deleted, or added to the course's
  ``source/`` notebook after the learner got the exercise; every check of ``source/`` is listed,
  even one no learner has).

It prints, per assignment and check, the learners, how many passed and did not start, then each
mistake with its count and share of the assignment's learners, most frequent first, and the
other failures; last, the lines of learners' own cells that can make a check pass whatever the
answer (:func:`reaches`: a rebound checker, a module's attribute changed, ``exec``...), which
nbgrader ran as written. ``--assignment`` (repeatable) keeps only those assignments; ``--csv
FILE`` also writes one row per (assignment, check, outcome, mistake, count). Exit code 0, 1 when
there is nothing to report (no ``autograded/`` folder: run ``nbgrader autograde`` first), 2 for
arguments it does not expect.
"""

from __future__ import annotations

import ast
import csv
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from rnnlib.course.console import utf8_output
from tools.make_class import catalogue, checked_functions

PASSED, NOT_STARTED, MISTAKE, OTHER = "passed", "not started", "mistake", "other"
MISSING = "check cell missing"  # the OTHER outcome of a learner who deleted the check cell
SAYS_WIDTH = 60  # characters of a mistake's explanation the table shows


@dataclass(frozen=True)
class Outcome:
    """One learner's outcome on one check: ``kind`` (PASSED, NOT_STARTED, MISTAKE, OTHER); for a
    MISTAKE the catalogue ``keys`` it names (one, or several the message names together) and the
    start of what the check says; for OTHER the exception's name in ``says``."""

    kind: str
    keys: tuple = ()
    says: str = ""


class UsageError(Exception):
    """An argument the report does not expect (exit code 2)."""


def parse_args(argv: list[str]) -> tuple[list[Path], list[str], Path | None]:
    """``(course folders, assignments, csv file)`` from the command line."""
    courses, assignments, csv_file = [], [], None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--assignment", "--csv"):
            if not args or args[0].startswith("--"):
                raise UsageError(f"{arg} needs a value")
            if arg == "--csv":
                csv_file = Path(args.pop(0))
            else:
                assignments.append(args.pop(0))
        elif arg.startswith("-"):
            raise UsageError(f"unknown option {arg}")
        else:
            courses.append(Path(arg))
    courses = courses or [Path("build/class")]
    for course in courses:
        if not course.is_dir():
            raise UsageError(
                f"{course}: no such folder (an nbgrader course folder, e.g. build/class)"
            )
    return courses, assignments, csv_file


def find_notebooks(courses: list[Path]) -> dict[tuple[str, str], Path]:
    """``(learner, assignment) -> autograded notebook`` over every course folder."""
    found = {}
    for course in courses:
        for path in sorted((course / "autograded").glob("*/*/*.ipynb")):
            learner, assignment = path.parent.parent.name, path.parent.name
            if path.stem == assignment:
                found[(learner, assignment)] = path
    return found


def first_error(cell) -> tuple[str, str] | None:
    """``(ename, evalue)`` of a cell's error output: nbgrader's time-out if it stopped the cell
    (after the kernel's KeyboardInterrupt), else the first."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    timeout = [o for o in errors if o.get("ename") == "CellTimeoutError"]
    if not errors:
        return None
    out = (timeout or errors)[0]
    return out.get("ename", "Error"), out.get("evalue", "")


def prefix(check: str) -> str:
    """How a check's failure message begins: ``check_loss:``, ``check_answer('01.key'):``."""
    if check.startswith("check_answer:"):
        return f"check_answer({check.split(':', 1)[1]!r}):"
    return f"{check}:"


def known_mistakes(check: str) -> list[tuple[object, str]]:
    """The check's catalogue (none for a cell of plain asserts, or a check this rnnlib lacks)."""
    try:
        return catalogue(check)
    except (StopIteration, KeyError):
        return []


def flat(text: str) -> str:
    return " ".join(text.split())


def match_mistake(check: str, message: str) -> Outcome | None:
    """The catalogued mistake(s) a failure message of ``check`` names, or None."""
    text = flat(message)
    if not text.startswith(prefix(check)):
        return None
    found = [(key, flat(says)) for key, says in known_mistakes(check) if flat(says) in text]
    # the longest text wins: a mistake whose text is part of another's is not the one named
    named = [(k, s) for k, s in found if not any(s in other and s != other for _, other in found)]
    if not named:
        return None
    return Outcome(MISTAKE, tuple(k for k, _ in named), named[0][1])


def outcome(check: str, cell, earlier: tuple[str, str] | None) -> Outcome:
    """One check's outcome from its cell's outputs and the first error in the cells since the
    previous check cell (``earlier``)."""
    error = first_error(cell)
    if error is None:
        return Outcome(PASSED)
    ename, evalue = error
    if not flat(evalue).startswith(prefix(check)):
        # another check of the same cell failed, whatever it raised: this one passed if it
        # printed its ✓ line
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []))
        if any(line.startswith(prefix(check)) for line in printed.splitlines()):
            return Outcome(PASSED)
    if ename != "AssertionError" and earlier:  # e.g. a NameError after an answer cell that failed
        if earlier[0] == "NotImplementedError":
            return Outcome(NOT_STARTED)
        # (an answer cell stopped by the time limit leaves its answer None: the check then says
        # "not started", but the cell above is what went wrong)
        return Outcome(OTHER, says=f"{earlier[0]} in a cell above")
    if ename == "NotImplementedError":
        return Outcome(NOT_STARTED)
    if ename == "AssertionError" and flat(evalue).startswith(prefix(check)):
        return match_mistake(check, evalue) or Outcome(OTHER, says=failure(check, evalue))
    return Outcome(OTHER, says=ename)


# What a check says of an answer its catalogue does not know, by the first line of its message
# (rnnlib/course/checking.py writes these; tests/test_class_report.py makes each one for every
# checker): (a pattern, the outcome's name).
FAILURES = [
    (r"expected your function itself", "a value, not the function"),
    # check_loss_grad_fd looks at the learner's `loss` first: its slip is check_loss's
    (r"^your `loss` is missing its ½", "`loss` missing its ½ (see check_loss)"),
    (r"^your `loss` gives ", "a wrong `loss` (see check_loss)"),
    (r"^you called [\w.]+: ", "called the library's answer"),
    (r" ran for more than .* without returning", "a loop that never ends"),
    (r"gave two different results for the same inputs", "a result that changes from call to call"),
    (r" changed its input `", "changed an input in place"),
    (r"returned None|\bis None\b", "returned None"),
    (r"NaN or infinity", "NaN or infinity"),
    (r"float32", "float32 precision"),
    (r"the right values in the wrong order", "the right values in the wrong order"),
    (
        r"returned [^;]*; expected |\bexpected (a|an|one) .*\bgot\b",
        "the wrong type, shape or length",
    ),
    (r"^(?P<items>.+?) (is|are) wrong\b", "a wrong value ({items})"),
    (r"wrong value|is not right", "a wrong value"),
]


def failure(check: str, message: str) -> str:
    """What ``check``'s failure ``message`` says of an answer its catalogue does not know:
    "returned None", "a wrong value: dWh", "raised KeyError"...; ``AssertionError`` when it
    says none of :data:`FAILURES`."""
    first = message.splitlines()[0][len(prefix(check)) :].strip()
    raised = re.search(r"^\s*raised:\s+(\w+)", message, re.M) or re.search(
        r"^your \S+ raised (\w+)", first
    )
    if raised:  # the learner's code raised an error (the message's "raised:" line names it)
        return f"raised {raised.group(1)}"
    for pattern, name in FAILURES:
        found = re.search(pattern, first)
        if found:
            return name.format(**found.groupdict())
    return "AssertionError"


def notebook_outcomes(nb) -> dict[tuple[str, str], Outcome]:
    """``(grade id, check) -> Outcome`` for every graded check cell of an autograded notebook;
    a cell that calls no checker (plain asserts) is one check named by its grade id."""
    out, earlier = {}, None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            earlier = earlier or first_error(cell)
            continue
        checks = [check for check, _ in checked_functions(cell.source)] or [meta["grade_id"]]
        for check in checks:
            out[(meta["grade_id"], check)] = outcome(check, cell, earlier)
        earlier = None
    return out


def source_checks(courses: list[Path], assignments) -> dict[str, dict]:
    """``assignment -> {(grade id, check): None}`` in the order of the course's own notebook,
    ``COURSE_DIR/source/<assignment>/<assignment>.ipynb`` (what nbgrader grades against), from
    the first course folder that has it; an assignment without one is left out."""
    out = {}
    for assignment in sorted(set(assignments)):
        for course in courses:
            path = course / "source" / assignment / f"{assignment}.ipynb"
            if path.is_file():
                out[assignment] = dict.fromkeys(notebook_outcomes(nbformat.read(path, 4)))
                break
    return out


def class_outcomes(
    notebooks: dict[tuple[str, str], Path], expected: dict[str, dict] | None = None
) -> dict[tuple[str, str, str], Outcome]:
    """``(learner, assignment, check) -> Outcome`` over the class; a learner whose notebook has
    lost a check cell the others have, or one of ``expected`` (:func:`source_checks`: a check
    added after the learners got the exercise, which no notebook of the class may have), gets
    MISSING for it."""
    by_notebook = {
        where: notebook_outcomes(nbformat.read(path, as_version=4))
        for where, path in notebooks.items()
    }
    # assignment -> every (grade id, check): the course's own first, then the fullest notebook's
    checks = {a: dict(found) for a, found in (expected or {}).items()}
    for (_, assignment), found in sorted(by_notebook.items(), key=lambda kv: -len(kv[1])):
        checks.setdefault(assignment, {}).update(dict.fromkeys(found))
    out = {}
    for (learner, assignment), found in by_notebook.items():
        for gid, check in checks[assignment]:
            out[(learner, assignment, check)] = found.get(
                (gid, check), Outcome(OTHER, says=MISSING)
            )
    return out


# -- answer cells that reach into the checks ----------------------------------------------------
#
# nbgrader restores a learner's graded check cells before it runs them (a rewritten check cell
# earns nothing), but it runs the learner's own cells as they are: an answer cell that rebinds
# `check_loss`, or sets `rnnlib.checks.check_loss` or `np.allclose`, makes the check cell pass
# whatever the answer. The report lists such lines for the instructor to look at.

# IPython's magics a learner uses to time or plot: harmless (`%timeit f(x)`)
HARMLESS_MAGICS = {"time", "timeit", "matplotlib", "config", "precision", "xmode", "who", "whos"}
DYNAMIC = {  # calls that can do any of the above out of sight of this scan
    "exec": "runs code from a string (exec)",
    "eval": "runs code from a string (eval)",
    "compile": "compiles code from a string",
    "__import__": "imports a module by name (__import__)",
    "globals": "reaches the notebook's names through globals()",
    "vars": "reaches names through vars()",
    "setattr": "sets an attribute by name (setattr)",
    "delattr": "deletes an attribute by name (delattr)",
    "reload": "reloads a module (importlib.reload)",
    "import_module": "imports a module by name (importlib)",
}


@dataclass(frozen=True)
class Reach:
    """One line of a learner's cell that reaches into the checks: where, the line, and what it
    does."""

    learner: str
    assignment: str
    cell: str  # an answer cell's grade id, or "cell N (not an answer cell)"
    line: int
    text: str
    does: str


def python_source(source: str) -> str:
    """A cell's source as Python: IPython's magics and shell lines become the calls they run."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # (no IPython: a magic then leaves the cell unparsed)
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # (IPython cannot read it either: left to ast, which says SyntaxError)
        return source


def _root(node) -> ast.AST:
    """The name an attribute or item chain starts from: ``a`` of ``a.b[0].c``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _is_checker_name(name: str, checkers: set[str]) -> bool:
    """A name the notebook's check cells call, or one of rnnlib.checks' checkers."""
    from rnnlib import checks

    return name in checkers or (name.startswith("check_") and hasattr(checks, name))


def reaches(source: str, checkers: set[str]) -> list[tuple[int, str]]:
    """``[(line, what it does)]`` for each line of a learner's cell that can make a check pass
    whatever the answer: it binds the name of a checker (``checkers``, or one of rnnlib.checks'),
    writes an attribute of an imported module (``np.allclose = ...``, ``rnnlib.checks.x = ...``)
    or an item of one of rnnlib's, uses ``sys.modules``, ``builtins``, ``importlib`` or runs code
    it builds (``exec``, ``setattr``, ``globals()``...), or runs a shell command or a magic other
    than timing and plotting. A cell that does not parse gives nothing (the notebook's own
    SyntaxError is in the report)."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return []
    modules: dict[str, str] = {}  # a name an import binds -> the module it comes from
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                modules[a.asname or a.name.split(".")[0]] = (
                    a.name if a.asname else a.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                modules[a.asname or a.name] = f"{node.module or ''}.{a.name}"
    found = []

    def note(node, does):
        found.append((node.lineno, does))

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if _is_checker_name(node.id, checkers):
                note(node, f"rebinds {node.id}, a checker")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if _is_checker_name(node.name, checkers):
                note(node, f"defines its own {node.name}, a checker's name")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                same = isinstance(node, ast.ImportFrom) and bound == a.name
                from_checks = isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "rnnlib"
                )
                if _is_checker_name(bound, checkers) and not (same and from_checks):
                    note(node, f"binds {bound}, a checker's name, to {a.name}")
            top = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if "builtins" in [top] + [a.name for a in node.names]:
                note(node, "imports builtins")
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(
            node.ctx, (ast.Store, ast.Del)
        ):
            root = _root(node)
            if "__dict__" in ast.unparse(node):  # (np.__dict__["allclose"] = ...)
                note(node, f"writes through __dict__: {ast.unparse(node)}")
            elif isinstance(root, ast.Name) and root.id in modules:
                module = modules[root.id]
                if isinstance(node, ast.Attribute) or module.split(".")[0] == "rnnlib":
                    note(node, f"changes {ast.unparse(node)} (of {module.strip('.')})")
        elif isinstance(node, ast.Attribute) and ast.unparse(node) == "sys.modules":
            note(node, "reaches modules through sys.modules")
        elif isinstance(node, ast.Name) and node.id == "__builtins__":
            note(node, "reaches __builtins__")
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            if name in DYNAMIC and (isinstance(f, ast.Name) or name in ("reload", "import_module")):
                note(node, DYNAMIC[name])
            elif name in ("__setattr__", "__delattr__"):  # (object.__setattr__(np, ...))
                note(node, f"sets an attribute through {name}")
            elif (
                isinstance(f, ast.Attribute)
                and isinstance(f.value, ast.Call)
                and ast.unparse(f.value.func) == "get_ipython"
            ):
                magic = (
                    node.args[0].value
                    if node.args and isinstance(node.args[0], ast.Constant)
                    else ""
                )
                if f.attr in ("system", "getoutput"):
                    note(node, "runs a shell command")
                elif magic not in HARMLESS_MAGICS:
                    note(
                        node,
                        f"runs IPython's {f.attr}({magic!r})"
                        if magic
                        else f"calls IPython's {f.attr}",
                    )
    by_line: dict[int, list[str]] = {}
    for line, does in sorted(found):
        by_line.setdefault(line, [])
        if does not in by_line[line]:
            by_line[line].append(does)
    return [(line, "; ".join(said)) for line, said in by_line.items()]


def notebook_reaches(nb, learner: str, assignment: str) -> list[Reach]:
    """The lines of a notebook's learner cells (every code cell but nbgrader's graded and
    read-only ones, which nbgrader restores before it runs them) that reach into the checks
    (:func:`reaches`), against the checkers its check cells call."""
    cells = [c for c in nb.cells if c.cell_type == "code"]
    checkers = {
        check.split(":")[0]
        for cell in cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        for check, _ in checked_functions(cell.source)
    }
    out = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or meta.get("locked"):
            continue
        name = (
            meta.get("grade_id") if meta.get("solution") else f"cell {i + 1} (not an answer cell)"
        )
        lines = python_source(cell.source).splitlines()
        if len(lines) == len(cell.source.splitlines()):  # (a line magic stays one line)
            lines = cell.source.splitlines()
        for line, does in reaches(cell.source, checkers):
            text = lines[line - 1].strip() if line <= len(lines) else ""
            out.append(Reach(learner, assignment, name, line, text, does))
    return out


def class_reaches(notebooks: dict[tuple[str, str], Path]) -> list[Reach]:
    """:func:`notebook_reaches` over the class, by assignment then learner."""
    out = []
    for (learner, assignment), path in sorted(notebooks.items(), key=lambda kv: kv[0][::-1]):
        out += notebook_reaches(nbformat.read(path, as_version=4), learner, assignment)
    return out


def render_reaches(found: list[Reach]) -> str:
    if not found:
        return (
            "No learner's cell reaches into the checks (rebinds a checker, changes a module's "
            "attribute, runs code from a string...)."
        )
    lines = [
        f"Learners' cells that reach into the checks: {len(found)} line{'s' * (len(found) > 1)}",
        "  (nbgrader ran them as written, and a check after one passes whatever the answer: look",
        "  at the cell, and set the item's points by hand where the answer is not the learner's",
        "  own, INSTRUCTORS.md section 4)",
    ]
    for r in found:
        lines.append(f"  {r.learner}  {r.assignment}  {r.cell}, line {r.line}:")
        lines.append(f"      {short(r.text, 84)}")
        lines.append(f"      → {r.does}")
    return "\n".join(lines)


def tally(outcomes: dict[tuple[str, str, str], Outcome]) -> dict[tuple[str, str], Counter]:
    """``(assignment, check) -> Counter of Outcome``, assignments sorted, checks in order."""
    counts = {}
    for (_, assignment, check), result in sorted(outcomes.items(), key=lambda kv: kv[0][1]):
        counts.setdefault((assignment, check), Counter())[result] += 1
    return counts


def shown(check: str) -> str:
    """A check as the notebook calls it: ``check_loss``, ``check_answer('01.key')``."""
    return prefix(check).removesuffix(":")


def key_text(keys: tuple) -> str:
    return " / ".join(f"{k:g}" if isinstance(k, float) else str(k) for k in keys)


def short(text: str, width: int = SAYS_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def others(c: Counter) -> Counter:
    """The other failures of a check's Counter, by exception name."""
    out = Counter()
    for result, k in c.items():
        if result.kind == OTHER:
            out[result.says] += k
    return out


def render(counts: dict[tuple[str, str], Counter], learners: int, notebooks: int) -> str:
    """The report's text: a header, then per assignment and check a short table."""
    lines, current = [f"{learners} learners, {notebooks} autograded notebooks read"], None
    for (assignment, check), c in counts.items():
        n = sum(c.values())
        if assignment != current:
            lines += ["", f"{assignment}: {n} learners"]
            current = assignment
        passed, not_started = c[Outcome(PASSED)], c[Outcome(NOT_STARTED)]
        lines.append(f"  {shown(check)}: {passed} passed, {not_started} not started")
        mistakes = [(r, k) for r, k in c.items() if r.kind == MISTAKE]
        for r, k in sorted(mistakes, key=lambda rk: (-rk[1], key_text(rk[0].keys))):
            lines.append(f"    {k:4d} {k / n:4.0%}  {key_text(r.keys)}: {short(r.says)}")
        other = others(c)
        if other:
            total = sum(other.values())
            names = "; ".join(f"{name} {k}" for name, k in other.most_common())
            lines.append(f"    {total:4d} {total / n:4.0%}  other failures: {names}")
    return "\n".join(lines)


def csv_rows(counts: dict[tuple[str, str], Counter]) -> list[list]:
    """One row per (assignment, check, outcome, mistake key, count), in the table's order; a
    mistake's key is its catalogue key (several joined by " / "), another failure's the
    exception's name."""
    order = {PASSED: 0, NOT_STARTED: 1, MISTAKE: 2, OTHER: 3}
    rows = []
    for (assignment, check), c in counts.items():
        for r, k in sorted(c.items(), key=lambda rk: (order[rk[0].kind], -rk[1], rk[0].says)):
            key = key_text(r.keys) if r.kind == MISTAKE else r.says
            rows.append([assignment, shown(check), r.kind, key, k])
    return rows


def write_csv(path: Path, counts: dict[tuple[str, str], Counter]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["assignment", "check", "outcome", "mistake", "count"])
        out.writerows(csv_rows(counts))


def main(argv=None) -> int:
    utf8_output()
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    try:
        courses, wanted, csv_file = parse_args(argv)
    except UsageError as err:
        print(f"class_report: {err}\n{__doc__.split('``COURSE_DIR``')[0].strip()}", file=sys.stderr)
        return 2
    empty = [c for c in courses if not (c / "autograded").is_dir()]
    if len(empty) == len(courses):
        print(
            f"class_report: no autograded/ folder in {', '.join(map(str, empty))}: run "
            '`nbgrader autograde "*"` there first (INSTRUCTORS.md section 3)',
            file=sys.stderr,
        )
        return 1
    for course in empty:  # (the folder a sharded class was copied from, say)
        print(f"class_report: skipped {course}: no autograded/ folder", file=sys.stderr)
    notebooks = find_notebooks(courses)
    known = sorted({assignment for _, assignment in notebooks})
    unknown = [name for name in wanted if name not in known]
    if unknown:
        print(
            f"class_report: no autograded notebooks of {', '.join(unknown)}; the assignments "
            f"are: {', '.join(known) or '(none)'}",
            file=sys.stderr,
        )
        return 2
    notebooks = {k: p for k, p in notebooks.items() if not wanted or k[1] in wanted}
    if not notebooks:
        print("class_report: no autograded notebooks to report on", file=sys.stderr)
        return 1
    expected = source_checks(courses, [assignment for _, assignment in notebooks])
    counts = tally(class_outcomes(notebooks, expected))
    learners = len({learner for learner, _ in notebooks})
    print(render(counts, learners, len(notebooks)))
    print("\n" + render_reaches(class_reaches(notebooks)))
    if csv_file is not None:
        write_csv(csv_file, counts)
        print(f"\nwrote {csv_file}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # (the report piped into `head`, which has read enough)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
