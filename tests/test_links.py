"""Every relative link in the course's Markdown (README, docs, notebooks' markdown cells) points
at a file that exists, so renaming a lesson cannot leave a dead link behind."""

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
