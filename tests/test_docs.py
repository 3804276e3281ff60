"""The README and the manual under docs/: links that resolve, a README example that runs, a short README."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
COMMANDS = (
    "python3 -m pip install -c constraints.txt -e . && ko-brief summarize examples/seeds",
    "bash tests/run.sh",
)
FENCE = re.compile(r"^(```|~~~)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _prose(text: str) -> list[str]:
    """The lines outside fenced code blocks, with inline code spans blanked."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(re.sub(r"`[^`]*`", "``", line))
    return lines


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading (written by hand: no maintained library reproduces it):
    markup dropped, lower-case, punctuation removed (letters of any script kept), spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text stays
    text = re.sub(r"[`*~]|<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    text = page.read_text(encoding="utf-8")
    lines, fenced = [], False
    for line in text.splitlines():  # headings only outside code fences; code spans kept for the slug
        if FENCE.match(line.lstrip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    for line in lines:
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = _slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _links(page: Path) -> list[str]:
    return [target for line in _prose(page.read_text(encoding="utf-8")) for target in LINK.findall(line)]


def test_slugs_follow_github():
    assert _slug("Output: the `Briefing` record") == "output-the-briefing-record"
    assert _slug("Installing from a wheel (no clone)") == "installing-from-a-wheel-no-clone"
    assert _slug("2025-02-04 · 이재용, 올트먼·손정의와 회동") == "2025-02-04--이재용-올트먼손정의와-회동"
    assert _slug("Settings (`KobartOptions`)") == "settings-kobartoptions"


def test_there_is_a_manual():
    names = {p.name for p in PAGES}
    assert {"usage.md", "batch.md", "kobart.md", "demo.md", "evaluation.md", "design.md", "development.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_point_at_files_and_headings(page):
    broken = []
    for target in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        path, _, fragment = target.partition("#")
        file = (page.parent / unquote(path)).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif fragment and file.suffix == ".md" and unquote(fragment) not in _anchors(file):
            broken.append(f"{target}: no heading #{fragment} in {file.relative_to(REPO)}")
    assert not broken, broken


def test_readme_links_every_manual_page():
    linked = {(REPO / t.partition("#")[0]).resolve() for t in _links(README) if not t.startswith("http")}
    assert set(p.resolve() for p in PAGES[1:]) <= linked


def test_readme_is_short_and_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 170
    sections = re.findall(r"^## .*$", text, flags=re.M)
    assert sections[0] == "## Two commands"
    first_block = re.search(r"^```bash\n(.*?)^```", text, flags=re.M | re.S).group(1)
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert commands == list(COMMANDS)
    assert text.index(first_block) < text.index(sections[1])
    assert "docs/demo.png" in text and (REPO / "docs" / "demo.png").stat().st_size < 200_000


def test_readme_python_example_runs_on_the_seeds(monkeypatch, capsys):
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.M | re.S)
    assert blocks
    monkeypatch.chdir(REPO)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out
    assert re.search(r"^- .*[가-힣].*\[\d\]", printed, flags=re.M)  # a Korean bullet with source tags
