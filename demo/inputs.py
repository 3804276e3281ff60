"""What the page received (the paste box, uploaded .txt files) as a list of article texts."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from summarizer import InputError, split_articles
from summarizer.pipeline import read_text_file

# Installed (ko_brief_demo), the seed pages ship inside the package; in a clone they are examples/seeds.
_PACKAGED_SEEDS = Path(__file__).resolve().parent / "seeds"
SEED_DIR = _PACKAGED_SEEDS if _PACKAGED_SEEDS.is_dir() else Path(__file__).resolve().parents[1] / "examples" / "seeds"
SEPARATOR = "---"  # a line of only dashes (3 or more) or of `===` starts the next article


def seed_text() -> str:
    """The five bundled seed pages, joined by separator lines as a user would paste them."""
    pages = [path.read_text(encoding="utf-8").strip() for path in sorted(SEED_DIR.glob("*.txt"))]
    return f"\n\n{SEPARATOR}\n\n".join(pages)


def read_upload(path: str | Path, max_chars: int) -> str:
    """The text of one uploaded file, or an :class:`InputError` in Korean for the page."""
    path = Path(path)
    # A character takes at most 4 bytes in UTF-8: anything larger is over the cap for sure.
    if path.stat().st_size > 4 * max_chars:
        raise InputError(f"'{path.name}' 파일이 너무 큽니다. 전체 입력은 {max_chars:,}자까지 요약할 수 있습니다.")
    return read_text_file(path)


def collect_articles(pasted: str | None, files: Sequence[str | Path] | None, max_chars: int) -> list[str]:
    """Articles of the paste box (split on separator lines), then those of each uploaded file.

    Checks only what :func:`summarizer.summarize` cannot see (uploads too big to read, or not
    text); emptiness and the total size are its :class:`summarizer.Limits` checks.
    """
    texts = [pasted or ""] + [read_upload(path, max_chars) for path in files or []]
    return [article for text in texts for article in split_articles(text)]
