"""What a new stage cannot do by itself, checked: the README's course map lists every lesson and
exercise, the previous lesson's **Next** leads to the new one, and only the last lesson (and the
last exercise) says it is the last. The file system decides which stages exist
(``notebooks/NN_*.ipynb``, ``solutions/NN_*.ipynb``); nothing here lists them."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def markdown(path):
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def course_map(readme):
    """The README's section "Course map", up to the next heading of its level."""
    m = re.search(r"^## Course map\n(.*?)(?=^## )", readme, re.S | re.M)
    assert m, "README.md: no section '## Course map'"
    return m.group(1)


def unlisted(readme, lessons, solutions):
    """The stages' files the course map does not link to."""
    table = course_map(readme)
    want = [f"notebooks/{p.name}" for p in lessons]
    want += [f"{folder}/{p.name}" for p in solutions for folder in ("exercises", "solutions")]
    return [w for w in want if f"]({w})" not in table]


def next_is_missing(lessons, text_of=markdown):
    """Lessons (all but the last) whose last **Next** paragraph does not link to the next one."""
    missing = []
    for here, there in zip(lessons, lessons[1:], strict=False):
        text = text_of(here)
        at = max(text.rfind("**Next"), text.rfind("## Next"))
        if at < 0 or f"]({there.name})" not in text[at:]:
            missing.append(f"{here.name} → {there.name}")
    return missing


def says_last(paths, what, text_of=markdown):
    return [p.name for p in paths if re.search(rf"\blast {what}\b", text_of(p))]


def test_the_readme_course_map_links_every_lesson_exercise_and_solution():
    missing = unlisted((ROOT / "README.md").read_text(), LESSONS, SOLUTIONS)
    assert not missing, f"README.md's course map needs a row (or links) for {missing}"


def test_each_lessons_next_leads_to_the_following_lesson():
    missing = next_is_missing(LESSONS)
    assert not missing, (
        f"a lesson's last **Next** paragraph does not link to the next lesson: {missing}; end it "
        "with `**Next**: [NN · title](NN_name.ipynb)` (and drop its 'this is the last lesson')"
    )


@pytest.mark.parametrize(("paths", "what"), [(LESSONS, "lesson"), (SOLUTIONS, "exercise")])
def test_only_the_last_stage_says_it_is_the_last(paths, what):
    wrong = [name for name in says_last(paths, what) if name != paths[-1].name]
    assert not wrong, (
        f"{wrong} say(s) it is the last {what}; only {paths[-1].name} may: move that sentence "
        f"to {paths[-1].parent.name}/{paths[-1].name}'s end"
        + (" and run make exercises" if what == "exercise" else "")
    )


def test_the_last_lesson_says_so():
    assert says_last(LESSONS[-1:], "lesson"), f"{LESSONS[-1].name}: say it is the last lesson"


def test_the_checks_see_a_stage_added_after_the_last():
    """The stand-in: a stage 10 after 09, with nothing else edited."""
    lessons = [Path("08_a.ipynb"), Path("09_b.ipynb"), Path("10_c.ipynb")]
    texts = {
        "08_a.ipynb": "**Next**: [09](09_b.ipynb)",
        "09_b.ipynb": "**Next**: this is the last lesson.",
        "10_c.ipynb": "**Next**: this is the last lesson.",
    }
    assert next_is_missing(lessons, lambda p: texts[p.name]) == ["09_b.ipynb → 10_c.ipynb"]
    assert says_last(lessons, "lesson", lambda p: texts[p.name]) == ["09_b.ipynb", "10_c.ipynb"]
    readme = "## Course map\n[l](notebooks/08_a.ipynb) [e](exercises/08_a.ipynb)\n## Next\n"
    assert unlisted(readme, lessons[:1], lessons[:1]) == ["solutions/08_a.ipynb"]
