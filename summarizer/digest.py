"""Stories of a feed: its articles grouped (summarizer.stories), each story with its title, dates,
outlets and articles, ranked by coverage; the briefing of each is ``summarize()`` on its articles."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from summarizer.articles import Article, to_article
from summarizer.briefing import Briefing
from summarizer.errors import InputError
from summarizer.feed import BadLine, FeedArticle, article_of
from summarizer.stories import StoryDoc, StoryGrouper, day_of, most_representative, reading_order, story_docs

TOKENIZE_CHUNK = 256  # articles per Kiwi call while grouping (bounded memory for the morphemes)


@dataclass(frozen=True)
class Story:
    """One story of a feed: what it is called, when and by whom it was covered, its articles."""

    id: str  # stable across runs when the grouping state is kept
    title: str | None  # the most representative headline (None when no article has one)
    first_date: str | None  # ISO dates of its earliest and latest dated article
    last_date: str | None
    outlets: tuple[str, ...]  # distinct, in order of first appearance
    article_count: int  # distinct articles (a duplicate, same URL or same text, counts once)
    article_ids: tuple[str, ...]  # every article grouped into it, as given, in date order
    urls: tuple[str | None, ...]  # their URLs, as given
    articles: tuple[Article, ...] = field(repr=False, default=())  # the distinct articles, briefed
    briefing: Briefing | None = None
    error: str | None = None  # why no briefing could be made

    def meta(self) -> dict[str, Any]:
        """The story's fields as JSON (no briefing, no article texts)."""
        return {
            "title": self.title, "first_date": self.first_date, "last_date": self.last_date,
            "outlets": list(self.outlets), "article_count": self.article_count,
            "articles": [{"id": key, "url": url} for key, url in zip(self.article_ids, self.urls)],
        }

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, **self.meta()}
        if self.briefing is not None:
            out["briefing"] = self.briefing.to_dict()
        if self.error is not None:
            out["error"] = self.error
        return out


def feed_articles(articles: Iterable[Any]) -> Iterable[FeedArticle]:
    """Feed articles of ``stories()``'s input: FeedArticles as they are, BadLines left out, other
    items (strings, Articles, dicts that may carry an ``id``) keyed by ``id`` or their position."""
    for number, item in enumerate(articles, 1):
        if isinstance(item, FeedArticle):
            yield item
        elif isinstance(item, dict):
            found = article_of(item, str(number))
            if isinstance(found, BadLine):
                raise InputError(f"{number}번 기사: {found.message}")
            yield found
        elif not isinstance(item, BadLine):
            yield FeedArticle(str(number), to_article(item, number), str(number))


def group(entries: Iterable[FeedArticle], grouper: StoryGrouper) -> list[Story]:
    """The entries grouped by ``grouper`` (read in date order; undated keep their place), as
    stories ranked by coverage, without briefings."""
    entries = list(entries)
    order = reading_order([day_of(e.article.date) for e in entries])
    story_of: dict[int, str] = {}
    docs: dict[int, StoryDoc] = {}
    for start in range(0, len(order), TOKENIZE_CHUNK):
        chunk = order[start:start + TOKENIZE_CHUNK]
        for i, doc in zip(chunk, story_docs([entries[i].article for i in chunk], [entries[i].key for i in chunk])):
            docs[i] = doc
            story_of[i] = grouper.add(doc)
    members: dict[str, list[int]] = {}
    for i in order:
        members.setdefault(story_of[i], []).append(i)
    return rank([_story(sid, [entries[i] for i in found], [docs[i] for i in found]) for sid, found in members.items()])


def _story(story_id: str, entries: Sequence[FeedArticle], docs: Sequence[StoryDoc]) -> Story:
    seen: set[str] = set()
    distinct = []
    for entry, doc in zip(entries, docs):
        marks = {m for m in (doc.url and f"url:{doc.url}", doc.fingerprint and f"text:{doc.fingerprint}") if m}
        if not marks & seen:
            distinct.append(entry.article)
        seen |= marks
    dates = [a.article.date for a in entries if a.article.date]
    return Story(
        story_id, _title(entries, docs), min(dates, default=None), max(dates, default=None),
        tuple(dict.fromkeys(e.article.outlet for e in entries if e.article.outlet)), len(distinct),
        tuple(e.key for e in entries), tuple(e.article.url for e in entries), tuple(distinct),
    )


def _title(entries: Sequence[FeedArticle], docs: Sequence[StoryDoc]) -> str | None:
    """The story's most representative headline (summarizer.stories.most_representative)."""
    best = most_representative([set(d.headline_terms) if e.article.headline else set() for e, d in zip(entries, docs)])
    if best is not None:
        return entries[best].article.headline
    return next((e.article.headline for e in entries if e.article.headline), None)


def rank(found: Iterable[Story]) -> list[Story]:
    """Stories by coverage: more articles first, then more outlets, then the most recent."""
    found = sorted(found, key=lambda s: s.last_date or "", reverse=True)
    return sorted(found, key=lambda s: (s.article_count, len(s.outlets)), reverse=True)


def brief(story: Story, method: str, max_chars: int, **options) -> Story:
    """The story with its briefing (``summarize()`` on its distinct articles), or the error."""
    from summarizer import summarize
    from summarizer.errors import SummarizerError

    try:
        return replace(story, briefing=summarize(list(story.articles), method, max_chars, **options))
    except SummarizerError as exc:
        return replace(story, error=str(exc))
