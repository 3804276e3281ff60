"""Korean multi-article news briefings.

    from summarizer import summarize
    briefing = summarize([article1, article2], max_chars=1500)
    print(briefing.to_markdown())
"""
from __future__ import annotations

from .articles import Article
from .briefing import ArticleInfo, Briefing, Bullet, Event, Removed, Source
from .errors import InputError, ModelUnavailableError, SummarizerError
from .normalize import normalize_text
from .pipeline import ArticlesInput, Limits, split_articles

__all__ = [
    "summarize", "Article", "split_articles", "normalize_text", "Limits", "Briefing", "Event", "Bullet",
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
