"""Every relative link in the course's Markdown (README, docs, notebooks' markdown cells) points
at a file that exists, so renaming a lesson cannot leave a dead link behind.

And the notebooks' Markdown renders in JupyterLab as written: every ``$`` and ``$$`` is closed,
inline math does not run over a blank line, the math uses only TeX commands already seen rendered
by JupyterLab's MathJax, each hint (``<details>``) has its title (``<summary>``) followed by a
blank line (without it the Markdown inside shows raw) and no formula in that title (it is shown
before the learner opens the hint), and headings go down one level at a time. What the lessons and
solutions print fits JupyterLab's output area, which breaks a wider line inside a word."""

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"")


def _documents():
    for md in sorted(ROOT.glob("*.md")):
        yield md, md.read_text()
    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
            yield path, text


def relative_links(text):
    """Targets of Markdown and HTML links that are paths inside the repository."""
    for m in LINK.finditer(text):
        target = m.group(1) or m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
            continue  # http:, https:, mailto:, in-page anchors, server paths
        yield unquote(target.split("#", 1)[0])


DOCS = list(_documents())


@pytest.mark.parametrize(("path", "text"), DOCS, ids=[str(p.relative_to(ROOT)) for p, _ in DOCS])
def test_relative_links_resolve(path, text):
    dead = [t for t in relative_links(text) if t and not (path.parent / t).exists()]
    assert not dead, f"{path.relative_to(ROOT)}: dead links {dead}"


def test_the_check_finds_a_dead_link(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.ipynb").write_text("{}")
    text = "[ok](there.ipynb) [web](https://x.org) [anchor](#top) [gone](notebooks/99_x.ipynb#a)"
    assert [t for t in relative_links(text) if not (page.parent / t).exists()] == [
        "notebooks/99_x.ipynb"
    ]


# ---------------------------------------------------------------------------------------------
# how the notebooks' Markdown renders (JupyterLab: marked, then MathJax 3 on $...$ and $$...$$)

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
HEADING = re.compile(r"^(#{1,6}) ", re.M)
HINT = re.compile(r"<details>(.*?)</details>", re.S)

# Every TeX command the lessons' math uses, each seen rendered by JupyterLab 4's MathJax (no
# error box, no red text) in the browser review of the course. A command not listed may be a typo
# (\tahn) or one JupyterLab's MathJax lacks: check it renders there, then add it.
KNOWN_MACROS = frozenset(
    """Big Bigl Bigr Delta Lambda Longrightarrow Rightarrow approx begin beta big bigl bigr boxed
    cdot cdots cosh delta dfrac dots ell end epsilon eta frac ge gtrsim hat in infty kappa lVert
    lambda langle lceil le left leftarrow log mathrel max min mu nabla ne neq odot operatorname
    partial pi pm prod qquad quad rVert rangle rceil rho right sigma sin sinh sqrt sum tanh tau
    text texttt tfrac theta tilde times to top underbrace varepsilon vdots""".split()
)


def _without_code(text):
    return CODE_SPAN.sub(" ", FENCE.sub(" ", text))


def math_spans(text):
    """``(display, body)`` of each ``$$...$$`` and ``$...$`` outside code; ValueError if one is
    not closed."""
    t = _without_code(text).replace("\\$", " ")
    spans, i = [], 0
    while (j := t.find("$", i)) >= 0:
        fence = "$$" if t.startswith("$$", j) else "$"
        k = t.find(fence, j + len(fence))
        if k < 0:
            raise ValueError(f"{fence} not closed: {t[j : j + 50]!r}")
        spans.append((fence == "$$", t[j + len(fence) : k]))
        i = k + len(fence)
    return spans


def rendering_problems(text):
    """What in one notebook's Markdown (its cells joined) would not render as written."""
    try:
        spans = math_spans(text)
    except ValueError as exc:
        return [str(exc)]
    problems = []
    for display, body in spans:
        if not display and "\n\n" in body:
            problems.append(f"inline math runs over a blank line: {body[:50]!r}")
        unknown = sorted(set(re.findall(r"\\([A-Za-z]+)", body)) - KNOWN_MACROS)
        if unknown:
            problems.append(
                f"TeX commands not yet seen rendered: {unknown} in {body[:50]!r} (check them in "
                "JupyterLab, then add them to KNOWN_MACROS)"
            )
    plain = _without_code(text)
    if plain.count("<details>") != plain.count("</details>"):
        problems.append("a <details> hint is not closed with </details>")
    for hint in HINT.findall(plain):
        title = re.match(r"\s*<summary>(.*?)</summary>(.*)", hint, re.S)
        if not title:
            problems.append(f"a hint without a <summary> title: {hint[:50]!r}")
        elif "$" in title.group(1):
            problems.append(f"a formula in a hint's title, shown unopened: {title.group(1)!r}")
        elif not title.group(2).startswith("\n\n"):
            problems.append(f"no blank line after the hint title {title.group(1)!r}")
    levels = [len(h) for h in HEADING.findall(FENCE.sub(" ", text))]
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    problems += [f"heading level {b} after {a}" for a, b in jumps]
    return problems


NOTEBOOKS = [(p, t) for p, t in DOCS if p.suffix == ".ipynb"]


@pytest.mark.parametrize(
    ("path", "text"), NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p, _ in NOTEBOOKS]
)
def test_markdown_renders_as_written(path, text):
    problems = rendering_problems(text)
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_rendering_check_finds_what_would_not_render():
    good = (
        "# T\n\n## A\n\n### a\n\n## B\n\n$\\tanh(a)$ costs `$5`, \\$3, and\n\n"
        "$$\\frac{1}{2}$$\n\n<details><summary>Hint 1 (the idea)</summary>\n\n"
        "**bold** $x$\n</details>"
    )
    assert rendering_problems(good) == []
    bad = {
        "$x + 1 and more": "$ not closed",
        "$$x$ and $y": "$$ not closed",
        "$a\n\nb$": "over a blank line",
        "$\\tahn(a)$": "['tahn']",
        "<details><summary>Hint</summary>\n**raw**\n</details>": "no blank line",
        "<details><summary>Hint: $L = e$</summary>\n\nx\n</details>": "a formula in",
        "<details><summary>Hint</summary>\n\nx": "not closed",
        "<details>\n\nx\n</details>": "without a <summary>",
        "# T\n\n### a": "heading level 3 after 1",
    }
    for text, said in bad.items():
        problems = rendering_problems(text)
        assert len(problems) == 1 and said in problems[0], (text, problems)


# -- printed lines ---------------------------------------------------------------------------------
def long_printed_lines(nb, width):
    """``(cell index, line)`` for each line that a code cell of ``nb`` printed (stored stream
    output, and a displayed object stored as text only: a slider figure's text form, which
    JupyterLab shows in the same monospace output area) wider than ``width``; a line that is one
    Python string literal (a sample of generated text, shown with its escapes) may be wider."""
    out = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
            elif output.get("output_type") == "display_data" and set(output.get("data", {})) == {
                "text/plain"
            }:
                text = output["data"]["text/plain"]
            else:
                continue
            for line in text.splitlines():
                quoted = len(line) > 1 and line[0] == line[-1] and line[0] in "'\""
                if len(line) > width and not quoted:
                    out.append((i, line))
    return out


STORED = [
    path
    for folder in ("notebooks", "solutions")
    for path in sorted((ROOT / folder).glob("*.ipynb"))
]


@pytest.mark.parametrize("path", STORED, ids=[str(p.relative_to(ROOT)) for p in STORED])
def test_printed_lines_fit_the_output_area(path):
    """JupyterLab's output area breaks a line wider than itself anywhere, inside a word or a
    number too (``word-break: break-all``): what a lesson prints fits in TEXT_WIDTH characters,
    the width the course's own wrapped text uses."""
    from rnnlib.course.checking import TEXT_WIDTH

    assert not long_printed_lines(nbformat.read(path, as_version=4), TEXT_WIDTH)


def test_the_width_check_finds_a_long_printed_line():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(...)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="short\n" + "x " * 50 + "\n"),
        nbformat.v4.new_output("stream", name="stdout", text="'" + "a" * 100 + "'\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "y" * 100}),
        nbformat.v4.new_output("display_data", data={"text/plain": "z " * 50}),
        nbformat.v4.new_output("display_data", data={"text/plain": "w " * 50, "text/html": "w"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("x " * 60), cell]
    assert long_printed_lines(nb, 88) == [(1, "x " * 50), (1, "z " * 50)]
