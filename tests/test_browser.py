"""Every lesson driven in JupyterLab in headless Chromium: Run All, no errors, sliders move figures.

nbval cannot see a slider; a browser can. For each ``notebooks/NN_*.ipynb`` (a scratch copy, so
nothing here edits the repo) the test opens the lesson in JupyterLab, waits for its kernel, clears
the stored outputs, runs all cells from the Run menu, waits until no cell is running or queued,
and asserts that no output is a traceback or stderr text. Then it finds every ``.rnnlib-explorer``
box, presses ArrowRight on each slider's ``.noUi-handle`` and asserts that the picture (the PNG's
bytes) or the readout text changed. Screenshots of each lesson and each explorer go to the folder
printed in the summary (``browser-screenshots/``, or ``$RNNLIB_SCREENSHOTS``).

One JupyterLab server and one Chromium serve all lessons; both are stopped by process id when this
module ends, pass or fail. The self-tests at the end run the same checks on notebooks written here:
one that must pass, and one with an error and a slider that drives nothing, which must be caught.

Skips, with the reason, where ``/usr/bin/chromium`` is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browser_support import (
    CHROMIUM,
    LAB_SETTINGS,
    Browser,
    LabPage,
    LabServer,
    LessonError,
    LessonPage,
)
from helpers import load_toml

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


# ---------------------------------------------------------------------------------------------
# session: one server, one browser, one screenshot folder


def _require_browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"real-browser tests need Debian's Chromium at {CHROMIUM}, which is missing: "
            "install it with `apt-get install -y chromium` (`bash .ci/run` does this)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("real-browser tests need Playwright: pip install -e '.[test]'")


class _Summary:
    """Prints where the screenshots are and how long the browser part took, after the run."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.t0 = time.perf_counter()
        self.seconds = None
        self.lessons: list[LessonPage] = []

    def pytest_terminal_summary(self, terminalreporter):
        if not self.lessons:
            return
        terminalreporter.write_sep("-", "real-browser tests (JupyterLab in headless Chromium)")
        if self.seconds is not None:
            terminalreporter.write_line(
                f"{len(self.lessons)} notebook(s) driven in {self.seconds:.1f} s "
                "(server + browser start and stop included)"
            )
        for lp in self.lessons:
            phases = ", ".join(f"{k} {v:.1f}" for k, v in lp.timings.items())
            terminalreporter.write_line(f"  {lp.path}: {phases} s")
        terminalreporter.write_line(f"screenshots: {self.folder}")


@pytest.fixture(scope="module")
def browser_summary(request):
    _require_browser()
    folder = Path(os.environ.get("RNNLIB_SCREENSHOTS", REPO / "browser-screenshots")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    summary = _Summary(folder)
    request.config.pluginmanager.register(summary, "rnnlib-browser-summary")
    yield summary
    summary.seconds = time.perf_counter() - summary.t0


@pytest.fixture(scope="module")
def lab(browser_summary, tmp_path_factory):
    """JupyterLab serving a scratch folder: a copy of notebooks/ and solutions/ and the
    self-test notebooks."""
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "solutions", root / "solutions")
    _write_selftest_notebooks(root / "selftest")
    server = LabServer(root, tmp_path_factory.mktemp("lab-state"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(browser_summary):
    b = Browser()
    try:
        b.start()
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    ctx = browser.browser.new_context(viewport={"width": 1280, "height": 1000})
    holder = LabPage(lab, ctx)
    try:
        yield holder
    finally:
        holder.discard()
        ctx.close()


@pytest.fixture
def notebook(request, lab, lab_page, browser_summary):
    """Opens ``path`` (relative to the server root) in the module's JupyterLab page."""
    failed_before = request.session.testsfailed

    def open_(path: str) -> LessonPage:
        lp = LessonPage(lab_page, path)
        browser_summary.lessons.append(lp)
        lp.open()
        return lp

    yield open_
    closed = lab_page.close_documents()
    lab.shutdown_kernels()
    if not closed or request.session.testsfailed != failed_before:
        lab_page.discard()  # the next notebook gets a freshly loaded JupyterLab


# ---------------------------------------------------------------------------------------------
# what every lesson must do in the browser


def _stored_widget_count(path: Path) -> int:
    """Slider figures the stored lesson shows: ``make notebooks`` keeps a widget's text form only
    (the explorer's sentence, "Interactive figure with ..."), a live notebook also its view."""
    nb = nbformat.read(path, as_version=4)
    return sum(
        WIDGET_MIME in out.get("data", {})
        or str(out.get("data", {}).get("text/plain", "")).startswith("Interactive figure")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def _format_problems(problems):
    return "\n\n".join(
        f"code cell {p['cell']} {p['prompt']} ({p['mime'] or 'widget'}):\n{p['text']}"
        for p in problems
    )


def drive(lp: LessonPage, shots: Path, name: str, expected_explorers: int):
    """Run All, check outputs, move every slider; returns what each slider changed."""
    prompts = lp.run_all()
    problems = lp.problems()
    assert not problems, f"{lp.path}: error output after Run All:\n{_format_problems(problems)}"
    not_run = [i for i, p in enumerate(prompts) if not re.search(r"\d", p)]
    assert not not_run, f"{lp.path}: code cells {not_run} did not run (prompts {prompts})"

    explorers = lp.wait_explorers(expected_explorers)
    stray = lp.stray_sliders()
    assert not stray, f"{lp.path}: sliders outside an rnnlib Explorer (untested): {stray}"

    moved = []
    for i, ex in enumerate(explorers):
        visible = lp.static_picture_shown(i)
        assert not visible, (
            f"{lp.path}: explorer {i}: the static picture before the live widget is still "
            f"visible: {visible}"
        )
        natural, width = ex["size"]
        assert 0 < width <= natural, (
            f"{lp.path}: explorer {i}: its {natural} px wide figure is shown {width} px wide"
        )
        for j, slider in enumerate(ex["sliders"]):
            before, after = lp.move_slider(i, j)
            label = slider["label"] or f"slider {j}"
            assert after["values"][j] != before["values"][j], (
                f"{lp.path}: explorer {i}, slider {label!r}: the arrow keys did not move it "
                f"(value {before['values'][j]})"
            )
            changed = [k for k in ("image", "readout") if after[k] != before[k]]
            assert changed, (
                f"{lp.path}: explorer {i}, slider {label!r} moved from {before['values'][j]} to "
                f"{after['values'][j]} but neither the figure nor the readout changed "
                f"(readout {after['readout']!r})"
            )
            moved.append((i, label, before["values"][j], after["values"][j], changed))
        lp.mark(f"explorer {i} moved")
        lp.screenshot_explorer(i, shots / f"{name}-explorer{i}.png")
    lp.scroll_to_explorer(0)
    lp.screenshot(shots / f"{name}.png")
    lp.mark("done")
    assert not lp.foreign_requests, f"{lp.path}: the page read the network: {lp.foreign_requests}"
    return moved


def _params():
    if LESSONS:
        return [pytest.param(p, id=p.stem) for p in LESSONS]
    return [pytest.param(None, id="no-lessons", marks=pytest.mark.skip("notebooks/ has no lesson"))]


@pytest.mark.parametrize("lesson", _params())
def test_lesson_in_jupyterlab(lesson, notebook, browser_summary):
    path = f"notebooks/{lesson.name}"
    lp = notebook(path)
    shots = browser_summary.folder
    try:
        moved = drive(lp, shots, lesson.stem, max(1, _stored_widget_count(lesson)))
    except (AssertionError, LessonError):
        lp.screenshot(shots / f"{lesson.stem}-FAILED.png")
        raise
    assert moved  # every lesson has at least one slider, and the loop above moved it


# ---------------------------------------------------------------------------------------------
# self-tests of the machinery: it passes a good notebook and catches a bad one

_EXPLORER_CELL = """\
import numpy as np
from rnnlib.course.sliders import Explorer, Slider, new_figure

fig = new_figure(figsize=(5, 2.5))
ax = fig.add_subplot()
xs = np.linspace(-3, 3, 61)
(line,) = ax.plot(xs, np.tanh(xs))
ax.set_ylim(-1.1, 1.1)

def update(w, b):
    {body}

ex = Explorer(fig, update, {{"w": Slider(0.0, 2.0, 0.1, 1.0, label="w"),
                           "b": Slider(-1.0, 1.0, 0.1, 1.0, label="b")}}{readout})
ex.show()"""

GOOD_BODY = 'line.set_ydata(np.tanh(w * xs + b))\n    return {"y0": float(np.tanh(b))}'
DEAD_BODY = "return {}"  # moves no artist: a slider that drives nothing


def _write_selftest_notebooks(folder: Path):
    folder.mkdir(parents=True)
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    tag = {"tags": ["nbval-ignore-output"]}
    good = _EXPLORER_CELL.format(
        body=GOOD_BODY, readout=",\n              readout=lambda s: f\"y(0) = {s['y0']:.3f}\""
    )
    dead = _EXPLORER_CELL.format(body=DEAD_BODY, readout="")
    for name, cells in {
        "good": [
            md("# self-test"),
            code("import sys\nprint(sys.prefix)"),
            code(good, metadata=tag),
        ],
        "broken": [
            code(dead, metadata=tag),
            code("1 / 0"),
            code("print('never runs')"),
        ],
    }.items():
        nb = nbformat.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, folder / f"{name}.ipynb")


def _number(value: str) -> float:
    """The exact number in a slider value "1.30 [1.3]" (readout text [noUiSlider's value])."""
    return float(re.search(r"\[(.*)\]", value).group(1))


def test_selftest_good_notebook_passes(notebook, browser_summary):
    lp = notebook("selftest/good.ipynb")
    moved = drive(lp, browser_summary.folder, "selftest-good", 1)
    # Slider b starts at the top of its range: the test had to press ArrowLeft to move it.
    exact = [(m[1], _number(m[2]), _number(m[3])) for m in moved]
    assert exact == [("w", 1.0, pytest.approx(1.3)), ("b", 1.0, pytest.approx(0.7))]
    assert moved[1][4] == ["image", "readout"]  # b moves the curve and y(0) = tanh(b)
    assert moved[0][4] == ["image"]  # w moves the curve only
    # The kernel is this environment's Python, although the notebook only says "python3".
    out = lp.page.locator(".jp-CodeCell").nth(0).locator(".jp-OutputArea-output").inner_text()
    assert out.strip() == sys.prefix


_JS_BOX_WIDTHS = """box => ({box: [box.clientWidth, box.scrollWidth],
  img: Array.from(box.querySelectorAll('img')).map(i => [i.naturalWidth, i.clientWidth])[0]})"""


def test_explorer_shrunk_to_a_narrow_notebook_needs_no_sideways_scroll(notebook):
    """On a narrow page (a laptop with the file browser open) the explorer's figure is shrunk to
    the output area's width; the box must then hold it whole. The image widget's 2 px side
    margins on a figure at 100 % width made every such box 4 px wider than itself, scrollable
    sideways. The self-test figure is 400 px wide; at a 720 px wide page the area is narrower."""
    lp = notebook("selftest/good.ipynb")
    lp.run_all()
    lp.wait_explorers(1)
    viewport = lp.page.viewport_size
    try:
        lp.page.set_viewport_size({"width": 720, "height": viewport["height"]})
        lp.page.wait_for_timeout(500)  # Lumino lays the panels out again after a resize
        widths = lp._box(0).evaluate(_JS_BOX_WIDTHS)
    finally:
        lp.page.set_viewport_size(viewport)
    (natural, shown), (client, scroll) = widths["img"], widths["box"]
    assert 0 < shown < natural, f"the figure was not shrunk at 720 px: {widths}"
    assert scroll <= client, f"the explorer box scrolls sideways by {scroll - client} px: {widths}"


# The open notebook's visible height (its scrolled area), its width, and for each explorer the
# height of the whole box (sliders, figure, readout) and of the span from the top of its first
# slider or figure to the bottom of its last, all in CSS pixels.
_JS_EXPLORER_HEIGHTS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const scroller = panel.querySelector('.jp-WindowedPanel-outer')
    || panel.querySelector('.jp-Notebook');
  return {visible: scroller.clientHeight, width: scroller.clientWidth,
    explorers: Array.from(panel.querySelectorAll('.rnnlib-explorer')).map(box => {
      const parts = [box.querySelector('img'), ...box.querySelectorAll('.widget-slider')]
        .map(e => e.getBoundingClientRect());
      const top = Math.min(...parts.map(r => r.top));
      const bottom = Math.max(...parts.map(r => r.bottom));
      return {box: Math.ceil(box.getBoundingClientRect().height),
              figure_and_sliders: Math.ceil(bottom - top),
              sliders: parts.length - 1};
    })};
}"""


@pytest.mark.parametrize("lesson", _params())
def test_every_explorer_fits_a_laptop_screen(lesson, notebook):
    """On a 1280 x 800 laptop the browser leaves a page of about 1280 x 700; JupyterLab, with
    its file browser open, shows 579 px of the notebook's height. A learner moving an explorer's
    lowest slider must see the whole figure at the same time, and the readout under it: each
    explorer (sliders, figure and readout) must be no taller than that. Lesson 00's explorer
    (seven sliders, four rows of two) was 696 px tall."""
    lp = notebook(f"notebooks/{lesson.name}")
    viewport = lp.page.viewport_size
    try:
        lp.page.set_viewport_size({"width": 1280, "height": 700})
        lp.page.wait_for_timeout(500)  # Lumino lays the panels out again after a resize
        lp.run_all()
        lp.wait_explorers(max(1, _stored_widget_count(lesson)))
        lp.page.wait_for_timeout(300)  # the images and the readouts are laid out
        m = lp.page.evaluate(_JS_EXPLORER_HEIGHTS)
    finally:
        lp.page.set_viewport_size(viewport)
    assert m["width"] < 1000, f"the file browser is not open beside the lesson: {m}"
    assert m["explorers"], f"{lesson.name}: no explorer rendered"
    tall = [
        f"explorer {i} ({e['sliders']} sliders): {e['box']} px tall, figure and sliders "
        f"{e['figure_and_sliders']} px"
        for i, e in enumerate(m["explorers"])
        if e["box"] > m["visible"]
    ]
    assert not tall, (
        f"{lesson.name} at 1280 x 700: the notebook shows {m['visible']} px of height\n"
        + "\n".join(tall)
    )


@contextlib.contextmanager
def small_laptop_screen(lp):
    """The block runs with the page at 1024 x 768 (JupyterLab's file browser open beside the
    lesson, its text then about 590 px wide: the ``as`` value); the page's size is restored
    after it."""
    viewport = lp.page.viewport_size
    try:
        lp.page.set_viewport_size({"width": 1024, "height": 768})
        lp.page.wait_for_timeout(500)  # Lumino lays the panels out again after a resize
        text_width = lp.page.evaluate(
            "() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-RenderedMarkdown').clientWidth"
        )
        assert text_width < 620, f"the file browser is not open beside the lesson: {text_width}"
        yield text_width
    finally:
        lp.page.set_viewport_size(viewport)


_DISPLAY_MATH = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown mjx-container[display]"

# Scroll every Markdown cell of the open notebook into view: JupyterLab's MathJax typesets a
# formula only once it has been on screen.
_JS_SCROLL_MARKDOWN = """async () => {
  for (const c of Array.from(document.querySelectorAll(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell'))) {
    c.scrollIntoView();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  }
}"""

# Each display formula of the open notebook, scrolled into view (JupyterLab may skip laying out
# cells off screen), as [its right edge past the right edge of its Markdown cell's text, its TeX].
_JS_WIDE_MATH = """async () => {
  const out = [];
  for (const x of Array.from(document.querySelectorAll('DISPLAY_MATH'))) {
    x.scrollIntoView({block: 'center'});
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const md = x.closest('.jp-RenderedMarkdown'), cs = getComputedStyle(md);
    const edge = md.getBoundingClientRect().right - parseFloat(cs.paddingRight);
    const math = x.querySelector('mjx-math') || x;
    const tex = (x.nextElementSibling && x.nextElementSibling.tagName === 'SCRIPT')
      ? x.nextElementSibling.textContent : (x.querySelector('mjx-assistive-mml') || x).textContent;
    out.push([Math.round(math.getBoundingClientRect().right - edge), tex.slice(0, 70)]);
  }
  return out;
}""".replace("DISPLAY_MATH", _DISPLAY_MATH)


SOLUTIONS = sorted((REPO / "solutions").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize(
    "lesson", _params() + [pytest.param(p, id=f"solution-{p.stem}") for p in SOLUTIONS]
)
def test_display_math_fits_a_small_laptop_screen(lesson, notebook):
    """At 1024 x 768 with the file browser open (JupyterLab's first layout) a lesson's text is
    about 590 px wide; a display formula wider than that is cut off at the cell's right edge,
    with nothing to scroll it by. Markdown renders on opening: no cell has to run. The solutions
    too: their markdown is the exercises' (tests/test_exercises.py keeps the two in step)."""
    lp = notebook(lesson.relative_to(REPO).as_posix())
    nb = nbformat.read(lesson, as_version=4)
    expected = sum(c.source.count("$$") // 2 for c in nb.cells if c.cell_type == "markdown")
    with small_laptop_screen(lp) as text_width:
        lp.page.evaluate(_JS_SCROLL_MARKDOWN)
        lp.page.wait_for_function(
            f"() => document.querySelectorAll('{_DISPLAY_MATH}').length >= {expected}",
            timeout=20_000,
        )
        formulas = lp.page.evaluate(_JS_WIDE_MATH)
    assert len(formulas) >= expected, f"{len(formulas)} of {expected} display formulas rendered"
    wide = [f"{px} px too wide: {tex!r}" for px, tex in formulas if px > 0]
    assert not wide, f"{lesson.name} at 1024 x 768 ({text_width} px of text):\n" + "\n".join(wide)


# How many characters of the output area's monospace font fit on one line of an output's <pre>
# (JupyterLab breaks a longer line anywhere: word-break: break-all), in the <pre> as it is and
# narrowed by `narrower` px, as a list [width px, one character's px, characters that fit].
_JS_OUTPUT_LINE_FIT = """(narrower) => {
  const pre = document.querySelector(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output pre');
  const probe = pre.cloneNode(false);
  probe.style.width = (pre.clientWidth - narrower) + 'px';
  pre.parentNode.appendChild(probe);
  const lines = () => {
    const r = document.createRange();
    r.selectNodeContents(probe);
    return new Set(Array.from(r.getClientRects(), q => Math.round(q.top))).size;
  };
  let n = 20;
  for (;;) { probe.textContent = 'x'.repeat(n + 1); if (lines() > 1) break; n++; }
  probe.textContent = 'x'.repeat(100);
  probe.style.whiteSpace = 'pre'; probe.style.width = 'auto'; probe.style.display = 'inline-block';
  const char = probe.getBoundingClientRect().width / 100;
  probe.remove();
  return [pre.clientWidth - narrower, char, n];
}"""

# A notebook's vertical scrollbar where the desktop shows one (Windows, most Linux desktops;
# headless Chromium hides it): measured 15 px (the output area 584 px wide without it, 569 px with).
_SCROLLBAR_PX = 15


def test_printed_lines_fit_a_small_laptop_screen(notebook):
    """At 1024 x 768 with the file browser open, a line of TEXT_WIDTH characters (the width of
    everything the course prints: tests/test_links.py, test_checkers.py, test_questions.py)
    fits on one line of the output area, with room for a scrollbar beside the notebook: a wider
    line would break inside a word or a number there."""
    from rnnlib.course.checking import TEXT_WIDTH

    lp = notebook("notebooks/04_through_all_time_steps.ipynb")
    with small_laptop_screen(lp):
        bare = lp.page.evaluate(_JS_OUTPUT_LINE_FIT, 0)
        with_bar = lp.page.evaluate(_JS_OUTPUT_LINE_FIT, _SCROLLBAR_PX)
    px, char, fit = with_bar
    assert fit == int(px / char), (bare, with_bar)  # the count agrees with the font's width
    assert TEXT_WIDTH <= fit <= bare[2], (
        f"{TEXT_WIDTH} characters do not fit: {fit} of {char:.2f} px fit in {px} px "
        f"(with a {_SCROLLBAR_PX} px scrollbar; {bare[2]} without)"
    )


# How many characters of a code cell's monospace font fit on one line of its editor at the
# page's present size, the scroller's width less the gutter, the paddings and `narrower` px, as a
# list [scroller px, room px, one character's px, characters that fit].
_JS_CODE_LINE_FIT = """(narrower) => {
  const editor = document.querySelector(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .cm-editor');
  const scroller = editor.querySelector('.cm-scroller');
  const content = editor.querySelector('.cm-content');
  const line = editor.querySelector('.cm-line');
  const gutter = editor.querySelector('.cm-gutters');
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(100);
  line.appendChild(probe);
  const char = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const cs = getComputedStyle(content), ls = getComputedStyle(line);
  const room = scroller.clientWidth - (gutter ? gutter.offsetWidth : 0)
    - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
    - parseFloat(ls.paddingLeft) - parseFloat(ls.paddingRight) - narrower;
  return [scroller.clientWidth, room, char, Math.floor(room / char)];
}"""


def test_code_lines_fit_a_small_laptop_screen(notebook):
    """At 1024 x 768 with the file browser open, a code line as long as ruff lets a cell's line
    be (``line-length`` in notebooks/.ruff.toml, solutions/ and exercises/ alike) shows whole in
    a code cell's editor, with room for a scrollbar beside the notebook; a longer line would
    hide its end behind a sideways scroll. And lesson 04's code does show whole: no cell's
    editor is wider inside than its box."""
    width = code_width()
    lp = notebook("notebooks/04_through_all_time_steps.ipynb")
    with small_laptop_screen(lp):
        scroller, room, char, fit = lp.page.evaluate(_JS_CODE_LINE_FIT, _SCROLLBAR_PX)
        lp.page.set_viewport_size({"width": 1024 - _SCROLLBAR_PX, "height": 768})
        lp.page.wait_for_timeout(500)  # Lumino lays the panels out again after a resize
        hidden = lp.page.evaluate(_JS_SCROLLED_CODE)
    assert width <= fit, (
        f"{width} characters do not fit in a code cell: {fit} of {char:.2f} px fit in "
        f"{room:.0f} px (the editor {scroller} px wide, less a {_SCROLLBAR_PX} px scrollbar)"
    )
    assert hidden["cells"] > 10, hidden
    assert not hidden["scrolled"], f"code cells that scroll sideways: {hidden['scrolled']}"


def code_width() -> int:
    """The line length ruff holds the course's code cells to; the same in all three folders."""
    widths = {
        folder: load_toml(REPO / folder / ".ruff.toml")["line-length"]
        for folder in ("notebooks", "solutions", "exercises")
    }
    assert len(set(widths.values())) == 1, widths
    return widths["notebooks"]


# Every code cell of the open notebook, scrolled into view (JupyterLab may skip laying out cells
# off screen): how many there are, and the first line of each whose editor scrolls sideways.
_JS_SCROLLED_CODE = """async () => {
  const out = {cells: 0, scrolled: []};
  for (const c of Array.from(document.querySelectorAll(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'))) {
    c.scrollIntoView();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const s = c.querySelector('.cm-scroller');
    if (!s) continue;
    out.cells++;
    if (s.scrollWidth > s.clientWidth) {
      out.scrolled.push([s.scrollWidth - s.clientWidth, s.textContent.slice(0, 60)]);
    }
  }
  return out;
}"""


def test_selftest_broken_notebook_is_caught(notebook, browser_summary):
    lp = notebook("selftest/broken.ipynb")
    with pytest.raises(AssertionError, match=r"ZeroDivisionError"):
        drive(lp, browser_summary.folder, "selftest-broken", 1)
    prompts = lp.page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))"
        ".map(e => e.textContent.trim())"
    )
    assert re.search(r"\d", prompts[1]) and not re.search(r"\d", prompts[2])  # stopped at 1/0
    # The dead slider moves, but the figure and the readout stay the same: drive() must say so.
    lp.wait_explorers(1)
    before, after = lp.move_slider(0, 0, presses=2, timeout=3.0)
    assert after["values"][0] != before["values"][0]
    assert (after["image"], after["readout"]) == (before["image"], before["readout"])


# ---------------------------------------------------------------------------------------------
# the front door: JupyterLab with the config `make lab` uses (jupyter-config/)

NEWS = "Would you like to get notified about official Jupyter news?"
# The browser tests' own settings, minus the news setting: the course config must turn news off.
SETTINGS_WITHOUT_NEWS = {
    k: v for k, v in LAB_SETTINGS.items() if k != "@jupyterlab/apputils-extension:notification"
}


def _git(repo: Path, *args) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _open_and_save_unchanged(browser, tmp_path: Path, config_path):
    """A scratch git repo holding lesson 00; JupyterLab (with ``config_path`` or none) opens it,
    its kernel starts, Ctrl+S saves it. Returns (git status --porcelain, news pop-ups seen)."""
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    lesson = LESSONS[0]
    shutil.copy2(lesson, repo / "notebooks" / lesson.name)
    shutil.copy2(REPO / ".gitignore", repo / ".gitignore")  # ignores .ipynb_checkpoints/
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "lesson")
    server = LabServer(
        repo, tmp_path / "state", config_path=config_path, lab_settings=SETTINGS_WITHOUT_NEWS
    )
    ctx = None
    try:
        server.start()
        ctx = browser.browser.new_context(viewport={"width": 1280, "height": 1000})
        lp = LessonPage(LabPage(server, ctx), f"notebooks/{lesson.name}")
        lp.open()  # waits until the kernel is idle: JupyterLab has its kernel metadata by then
        saved = repo / "notebooks" / lesson.name
        before = saved.stat().st_mtime_ns
        lp.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.click()
        lp.page.keyboard.press("Control+s")
        end = time.monotonic() + 30
        while saved.stat().st_mtime_ns == before and time.monotonic() < end:
            time.sleep(0.1)
        assert saved.stat().st_mtime_ns != before, "Ctrl+S did not save the notebook in 30 s"
        time.sleep(0.5)
        news = lp.page.get_by_text(NEWS).count()
        return _git(repo, "status", "--porcelain"), news
    finally:
        if ctx is not None:
            ctx.close()
        server.stop()


def test_open_and_save_a_lesson_unchanged_leaves_git_clean(browser, tmp_path):
    status, news = _open_and_save_unchanged(browser, tmp_path, REPO / "jupyter-config")
    assert status == "", f"saving an unchanged lesson modified it:\n{status}"
    assert news == 0, "the 'Jupyter news' pop-up showed although jupyter-config/ turns it off"


def test_selftest_without_the_course_config_save_dirties_git_and_news_shows(browser, tmp_path):
    """The check above can fail: plain JupyterLab rewrites the lesson's kernel metadata."""
    status, news = _open_and_save_unchanged(browser, tmp_path, None)
    assert status.strip() == f"M notebooks/{LESSONS[0].name}"
    assert news == 1


# A closed notebook's kernel: jupyter-config/ shuts it down once it has idled CULL_IDLE_MINUTES
# (tests/test_front_door.py checks those values); here the same rules with a few seconds instead.
CULL_SECONDS = 4

_JS_CLOSE_PATH = """(path) => {
  const w = Array.from(window.jupyterapp.shell.widgets('main'))
    .find(w => w.context && w.context.path === path);
  w.context.model.dirty = false;
  w.close();
}"""


def _kernel_of(server: LabServer, path: str):
    for s in server.api("GET", "/api/sessions"):
        if s.get("path") == path and s.get("kernel"):
            return s["kernel"]["id"]
    return None


def test_a_closed_notebooks_idle_kernel_is_shut_down_an_open_ones_is_kept(browser, tmp_path):
    """The course's JupyterLab: closing a notebook's tab leaves its kernel running (JupyterLab's
    default); once idle for the cull time it is shut down, while the kernel of a notebook still
    open stays however long it idles; the closed notebook opened again gets a new kernel."""
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    for lesson in LESSONS[:2]:
        shutil.copy2(lesson, root / "notebooks" / lesson.name)
    kept, closed = (f"notebooks/{lesson.name}" for lesson in LESSONS[:2])
    server = LabServer(
        root,
        tmp_path / "state",
        config_path=REPO / "jupyter-config",
        extra_args=(
            f"--MappingKernelManager.cull_idle_timeout={CULL_SECONDS}",
            "--MappingKernelManager.cull_interval=1",
        ),
    )
    ctx = None
    try:
        server.start()
        ctx = browser.browser.new_context(viewport={"width": 1280, "height": 1000})
        lab_page = LabPage(server, ctx)
        LessonPage(lab_page, kept).open()
        LessonPage(lab_page, closed).open()
        kept_kernel, closed_kernel = _kernel_of(server, kept), _kernel_of(server, closed)
        assert kept_kernel and closed_kernel and kept_kernel != closed_kernel
        lab_page.page.evaluate(_JS_CLOSE_PATH, closed)
        closed_at = time.monotonic()
        end = closed_at + CULL_SECONDS + 30
        while time.monotonic() < end:
            running = {k["id"] for k in server.api("GET", "/api/kernels")}
            if closed_kernel not in running:
                break
            time.sleep(0.5)
        gone_after = time.monotonic() - closed_at
        assert closed_kernel not in running, (
            f"the closed notebook's kernel still runs {gone_after:.0f} s after its tab closed "
            f"(cull time {CULL_SECONDS} s)"
        )
        # idle for longer than the cull time, but its notebook is open: kept
        time.sleep(CULL_SECONDS + 2)
        assert kept_kernel in {k["id"] for k in server.api("GET", "/api/kernels")}
        assert _kernel_of(server, kept) == kept_kernel
        # the closed notebook, opened again: a new kernel, which runs
        again = LessonPage(lab_page, closed)
        again.open()
        new_kernel = _kernel_of(server, closed)
        assert new_kernel and new_kernel != closed_kernel
        again.run_all()
        assert not again.problems(), again.problems()
    finally:
        if ctx is not None:
            ctx.close()
        server.stop()
