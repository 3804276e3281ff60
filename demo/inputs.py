"""What the page received: the paste box and uploaded .txt files as a list of article texts (the
briefing tab), or the paste box and uploaded JSONL/CSV feeds as feed articles (the stories tab)."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from summarizer import Article, InputError, Limits, split_articles
from summarizer.feed import BadLine, FeedArticle, read_feed
from summarizer.pipeline import read_text_file

# Installed (ko_brief_demo), the seed pages ship inside the package; in a clone they are examples/seeds.
_PACKAGED_SEEDS = Path(__file__).resolve().parent / "seeds"
SEED_DIR = _PACKAGED_SEEDS if _PACKAGED_SEEDS.is_dir() else Path(__file__).resolve().parents[1] / "examples" / "seeds"
SEPARATOR = "---"  # a line of only dashes (3 or more) or of `===` starts the next article
FEED_TYPES = (".jsonl", ".csv")  # feed uploads of the stories tab (summarizer.feed reads them)
BAD_LINES_KEPT = 10  # the page lists the first of a feed's unreadable lines and counts the rest
PASTED = "붙여넣기"  # the id of the n-th pasted article of the stories tab is "붙여넣기 n"


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


@dataclass
class Feed:
    """What the stories tab received: its articles, and the lines that could not be read."""

    entries: list[FeedArticle] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)  # the first BAD_LINES_KEPT of them
    bad_count: int = 0  # all of them


def collect_feed(pasted: str | None, files: Sequence[str | Path] | None, limits: Limits) -> Feed:
    """The stories tab's feed: the paste box's articles (split on separator lines), then the
    articles of each uploaded JSONL or CSV file, with the lines that could not be read.

    The files are read as a stream: past ``limits.max_articles`` articles or
    ``limits.max_total_chars`` characters of text, reading stops with an :class:`InputError`.
    """
    for path in files or []:
        if Path(path).suffix.lower() not in FEED_TYPES:
            raise InputError(f"'{Path(path).name}'은(는) JSONL이나 CSV 파일이 아닙니다. 피드는 .jsonl 또는 .csv로 올려 주세요.")
    pasted_articles = (
        FeedArticle(f"{PASTED} {n}", Article(text), f"{PASTED} {n}")
        for n, text in enumerate(split_articles(pasted or ""), 1)
    )
    feed = Feed()
    chars = 0
    for entry in itertools.chain(pasted_articles, read_feed(files or [])):
        if isinstance(entry, BadLine):
            feed.bad_count += 1
            if len(feed.bad) < BAD_LINES_KEPT:
                feed.bad.append(entry)
            continue
        feed.entries.append(entry)
        chars += len(entry.article.text)
        if len(feed.entries) > limits.max_articles:
            raise InputError(f"기사가 너무 많습니다. 피드 하나에 기사 {limits.max_articles:,}건까지 묶을 수 있습니다.")
        if chars > limits.max_total_chars:
            raise InputError(f"입력이 너무 깁니다. 피드의 기사 본문은 모두 합쳐 {limits.max_total_chars:,}자까지 묶을 수 있습니다.")
    return feed
