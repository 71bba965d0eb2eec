"""nbgrader's feedback, seen in a real browser: a learner who made a catalogued mistake opens the
HTML that ``nbgrader generate_feedback`` wrote, in Debian's Chromium, and reads the checker's
message naming the mistake, and the score.

A one-assignment class (the first solution), built and graded here, so this file stands alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_support import CHROMIUM, Browser

from tools import make_class as mc

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.grading]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(
            f"real-browser tests need Debian's Chromium at {CHROMIUM}, which is missing: "
            "install it with `apt-get install -y chromium` (`bash .ci/run` does this)"
        )
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    tmp = tmp_path_factory.mktemp("feedback")
    first = sorted((ROOT / "solutions").glob("*.ipynb"))[0]
    (tmp / "solutions").mkdir()
    shutil.copy(first, tmp / "solutions" / first.name)
    course = tmp / "course"
    report = mc.build(tmp / "solutions", ROOT / "exercises", course)
    assert report == {first.stem: []}, report
    (assignment,) = mc.load_assignments(course)
    sub = next(s for s in mc.simulate([assignment]) if s.student == "mistake-00")
    mc.autograde(course, [sub])
    mc.nbgrader(course, "generate_feedback", sub.assignment, f"--student={sub.student}")
    page = course / "feedback" / sub.student / sub.assignment / f"{sub.assignment}.html"
    assert page.is_file()
    return page, sub


def test_feedback_html_shows_the_named_mistake_in_chromium(feedback, tmp_path):
    page_file, sub = feedback
    browser = Browser()
    try:
        browser.start()
        page = browser.browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        seen = []
        for fn, (chk, key) in sub.wrong.items():
            says = dict(mc.catalogue(chk))[key]
            # the first line of the checker's message, as the learner reads it
            # (a question's message is "check_answer('01.key'): (b) is not right: <why>")
            text = says if chk.startswith("check_answer:") else f"{chk}: {says}"
            line = page.get_by_text(text, exact=False).first
            line.scroll_into_view_if_needed()
            assert line.is_visible(), (fn, chk, says)
            seen.append(fn)
        assert seen, "the submission makes no mistake: this test checks nothing"
        # nbgrader's score header: points earned out of the total
        assert page.get_by_text("Score:", exact=False).first.is_visible()
        page.screenshot(path=str(tmp_path / "feedback.png"), full_page=True)
    finally:
        browser.close()
