"""Every lesson asks the learner to commit to a guess before a cell reveals the answer: at least
two "**Predict first.**" prompts a lesson, each directly before the code cell whose stored output
(text or figure) answers it, and none holding a displayed equation of its own (a lesson's
equations sit beside the asserts that check them)."""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PROMPT = "**Predict first.**"


def misplaced_prompts(cells):
    """The prompts (by cell index) not directly before a code cell that has stored output, or
    holding a displayed equation."""
    bad = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown" or not cell.source.startswith(PROMPT):
            continue
        after = cells[i + 1] if i + 1 < len(cells) else None
        if after is None or after.cell_type != "code" or not after.get("outputs"):
            bad.append((i, "not directly before a code cell with stored output"))
        if "$$" in cell.source:
            bad.append((i, "a displayed equation in the prompt"))
    return bad


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem[:2])
def test_each_lesson_asks_for_predictions_before_the_cells_that_answer_them(path):
    cells = nbformat.read(path, as_version=4).cells
    prompts = [c for c in cells if c.cell_type == "markdown" and c.source.startswith(PROMPT)]
    assert len(prompts) >= 2, f"{path.name}: {len(prompts)} predict-first prompts, want 2 or more"
    assert not misplaced_prompts(cells), (path.name, misplaced_prompts(cells))


def test_the_check_finds_a_misplaced_prompt():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    ran = code("1 + 1", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"})])
    assert misplaced_prompts([md(PROMPT + " Larger or smaller?"), ran]) == []
    assert misplaced_prompts([md(PROMPT + " ?"), md("text"), ran])[0][0] == 0
    assert misplaced_prompts([md(PROMPT + " ?"), code("1 + 1")])  # never run: nothing answers it
    assert misplaced_prompts([md(PROMPT + " $$a = b$$"), ran])[0][1].startswith("a displayed")
