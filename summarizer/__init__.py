"""Korean multi-article news briefings.

    from summarizer import summarize
    briefing = summarize([article1, article2], max_chars=1500)
    print(briefing.to_markdown())
"""
from __future__ import annotations

from collections.abc import Iterable

from .articles import Article
from .briefing import ArticleInfo, Briefing, Bullet, Event, Removed, Source
from .digest import Story
from .errors import InputError, ModelUnavailableError, SummarizerError
from .normalize import normalize_text
from .pipeline import ArticlesInput, Limits, split_articles
from .stories import StoryGrouper

__all__ = [
    "summarize", "summarize_feed", "Story", "StoryGrouper", "Article", "split_articles", "normalize_text", "Limits", "Briefing", "Event", "Bullet",
    "Source", "Removed",
    "ArticleInfo", "SummarizerError", "InputError", "ModelUnavailableError",
]


def summarize(
    articles: ArticlesInput,
    method: str = "textrank",
    max_chars: int = 1500,
    *,
    redundancy: float = 0.5,
    limits: Limits | None = None,
    kobart=None,
) -> Briefing:
    """Summarize one or more Korean news articles into one briefing.

    Args:
        articles: a list of pasted pages, or one string holding several articles separated by a
            line of only ``---`` or ``===``. List items may also be :class:`Article` objects or
            dicts with ``text`` and any of ``headline``, ``outlet`` (or ``press``), ``date`` (ISO
            string or ``datetime.date``) and ``url``; known metadata is used before anything
            guessed from the text (headline as title, date for "4일"), outlet and URL are shown in
            the source list. Plain strings and objects may be mixed. Each text is normalised first
            (:func:`normalize_text`: line endings, NFC, zero-width and control characters, HTML
            entities and pages); source offsets index the normalised text.
        method: ``"textrank"`` (extractive, offline, default) or ``"kobart"`` (abstractive).
        max_chars: character budget for the bullet text of the briefing.
        redundancy: 0..1; how strongly a sentence similar to an already picked one is held back.
        limits: input caps (:class:`Limits`); the defaults reject input over 500,000 characters.
        kobart: :class:`summarizer.abstractive.KobartOptions` for ``method="kobart"``.

    Returns:
        A :class:`Briefing`: events of bullets, each bullet with sources and support count.

    Raises:
        InputError: empty, non-Korean, binary or over-limit input, or a bad argument.
        ModelUnavailableError: ``method="kobart"`` without weights or without torch/transformers.
    """
    from .pipeline import run

    return run(articles, method, max_chars, redundancy, limits, kobart)


def summarize_feed(
    articles: Iterable,
    method: str = "textrank",
    max_chars: int = 800,
    *,
    state: StoryGrouper | None = None,
    limits: Limits | None = None,
    kobart=None,
) -> list[Story]:
    """Group a feed of articles into stories and brief each one (the stories of ``ko-brief stories``).

    (Named so that ``summarizer.stories`` stays the grouping module.)

    Args:
        articles: the feed, any iterable of articles as :func:`summarize` takes them (strings,
            :class:`Article` objects, dicts with ``text`` and any of ``id``, ``headline``,
            ``outlet``/``press``, ``date``, ``url``), or what
            :func:`summarizer.feed.read_feed` reads from JSONL, CSV or a folder of ``.txt`` files
            (its bad lines are left out). Articles are grouped in date order whatever their order
            here; an article's id is its ``id``, else its 1-based position.
        method, max_chars, limits, kobart: as for :func:`summarize`, for each story's briefing.
        state: a :class:`StoryGrouper` to go on from (``StoryGrouper.from_state(saved)``); it is
            updated in place, so ``state.to_state()`` afterwards saves the grouping for the next
            feed, and a story's id stays the same across feeds. Default: a new grouper.

    Returns:
        The stories, ranked by coverage (articles, then outlets, then the most recent), each a
        :class:`Story` with its id, title (its most representative headline), first and last
        date, outlets, article ids and URLs, and its :class:`Briefing` (or the ``error`` why
        none could be made).

    Raises:
        InputError: an article without text, with a bad date or of a wrong type.
    """
    from .digest import brief, feed_articles, group
    from .pipeline import check_options, require_engine

    check_options(method, max_chars)
    require_engine(method, kobart)
    found = group(feed_articles(articles), state if state is not None else StoryGrouper())
    return [brief(story, method, max_chars, limits=limits, kobart=kobart) for story in found]
