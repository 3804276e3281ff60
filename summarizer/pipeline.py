"""From pasted articles to a Briefing: validate, clean, split, rank, group, then one engine."""
from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse

from .articles import Article, to_article
from .briefing import ArticleInfo, Briefing, Bullet, Event, Removed, Source
from .clean import CleanArticle, clean_article, keep_all_lines
from .document import Sentence, build_sentences
from .errors import InputError
from .events import EventGroup, group_events
from .korean import hangul_ratio
from .textrank import centrality, row, select, tfidf

# What summarize() takes: one pasted string, or a list of texts, dicts or Articles (mixed freely).
ArticlesInput = str | bytes | Article | Mapping | Sequence[str | Article | Mapping]
ARTICLE_SEPARATOR = re.compile(r"\r?\n?^[ \t]*(?:-{3,}|={3,})[ \t]*$\r?\n?", re.M)
# Sentences at least this similar (TF-IDF cosine) to a bullet report the same fact: they become
# its further sources instead of bullets of their own.
SUPPORT_SIMILARITY = 0.35


@dataclass(frozen=True)
class Limits:
    """Input caps; summarize() raises InputError past them, before any heavy work."""

    max_articles: int = 300
    max_total_chars: int = 500_000  # about 3 s of Kiwi on 2 cores
    max_article_chars: int = 200_000
    max_control_ratio: float = 0.01  # share of control characters that marks binary data


@dataclass
class Prepared:
    """Everything both engines share: cleaned articles, sentences, centrality, events."""

    articles: list[CleanArticle]
    sentences: list[Sentence]
    scores: np.ndarray
    similarity: sparse.csr_matrix
    events: list[EventGroup]
    dates: dict[int, date]
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    given: list[Article] = field(default_factory=list)  # the input articles, metadata included

    @cached_property
    def event_of(self) -> dict[int, int]:
        """Sentence id to the index of its event (clustered sentences only)."""
        return {i: k for k, group in enumerate(self.events) for i in group.sentence_ids}

    @property
    def removed(self) -> list[Removed]:
        return [r for a in self.articles for r in a.removed]

    def same_fact(self, sentence_id: int, picked: Sequence[int]) -> list[int]:
        """Sentences of the same event that restate ``sentence_id`` and are closer to it than to
        any other pick."""
        event = self.event_of.get(sentence_id)
        out = []
        for j, value in zip(*row(self.similarity, sentence_id)):
            if value < SUPPORT_SIMILARITY or j in picked or self.event_of.get(j) != event:
                continue
            to_picked = dict(zip(*row(self.similarity, j)))
            if max(to_picked.get(p, 0.0) for p in picked) <= value:
                out.append(int(j))
        return out

    def source(self, sentence_id: int) -> Source:
        """The sentence as the user pasted it: ``text == original[start:end]``."""
        s = self.sentences[sentence_id]
        return Source(s.article, s.start, s.end, self.articles[s.article].original[s.start : s.end])

    def article_infos(self) -> list[ArticleInfo]:
        known = self.given or [Article(a.original) for a in self.articles]
        return [
            ArticleInfo(a.index, a.title, a.date, len(a.original), a.kept_chars, k.outlet, k.url)
            for a, k in zip(self.articles, known)
        ]


def read_text_file(path: str | Path) -> str:
    """A text file as UTF-8 (with or without BOM), falling back to CP949 (Korean Windows)."""
    path = Path(path)
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"'{path.name}' 파일을 텍스트로 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장된 텍스트 파일이어야 합니다."
    )


def split_articles(text: str) -> list[str]:
    """Split one pasted string into articles at lines of only ``---`` or ``===`` (3 or more)."""
    return [part for part in ARTICLE_SEPARATOR.split(text) if part.strip()]


def _as_articles(articles: ArticlesInput) -> list[Article]:
    if isinstance(articles, bytes):
        try:
            articles = articles.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("입력이 UTF-8 텍스트가 아닙니다 (바이너리 파일로 보입니다).") from exc
    if isinstance(articles, str):
        return [Article(text) for text in split_articles(articles)]
    if isinstance(articles, (Article, Mapping)):  # one article with metadata
        articles = [articles]
    if not isinstance(articles, Sequence):
        raise InputError("articles는 문자열, 또는 문자열·딕셔너리·Article의 목록이어야 합니다.")
    return [to_article(item, number) for number, item in enumerate(articles, 1)]


def validate(articles: ArticlesInput, limits: Limits) -> list[Article]:
    """Check input against the limits; return the articles (text and known metadata)."""
    parsed = _as_articles(articles)
    texts = [a.text for a in parsed]
    if not any(t.strip() for t in texts):
        raise InputError("입력이 비어 있습니다. 요약할 기사 본문을 넣어 주세요.")
    if len(texts) > limits.max_articles:
        raise InputError(f"기사가 너무 많습니다: {len(texts)}건 (최대 {limits.max_articles}건, Limits.max_articles).")
    total = sum(len(t) for t in texts)
    if total > limits.max_total_chars:
        raise InputError(
            f"입력이 너무 깁니다: {total:,}자 (최대 {limits.max_total_chars:,}자, Limits.max_total_chars)."
        )
    for i, text in enumerate(texts):
        if len(text) > limits.max_article_chars:
            raise InputError(
                f"{i + 1}번 기사가 너무 깁니다: {len(text):,}자 (최대 {limits.max_article_chars:,}자)."
            )
        control = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t" or c == "\ufffd")
        if control > limits.max_control_ratio * max(len(text), 1):
            raise InputError(f"{i + 1}번 기사가 텍스트가 아닌 바이너리 데이터로 보입니다.")
    if hangul_ratio("".join(texts)) < 0.05:
        raise InputError("한국어 기사가 아닙니다: 한글이 거의 없습니다. 이 요약기는 한국어 뉴스용입니다.")
    return parsed


def prepare(given: list[Article]) -> Prepared:
    """Clean, split, rank and group validated articles (shared by both engines). Known headlines
    and dates take the place of those guessed from the text."""
    timings: dict[str, float] = {}
    notes: list[str] = []
    t0 = time.perf_counter()
    articles = [clean_article(a.text, i) for i, a in enumerate(given)]
    if not any(a.blocks for a in articles):
        notes.append("정리 규칙이 모든 줄을 제거해 원문 줄을 그대로 사용했습니다.")
        articles = [keep_all_lines(a) for a in articles]
    for article, known in zip(articles, given):
        article.title = known.headline or article.title
        article.date = known.date or article.date
    t1 = time.perf_counter()
    sentences, title_terms = build_sentences(articles)
    t2 = time.perf_counter()
    vectors = tfidf([s.terms for s in sentences])
    scores, sim = centrality(vectors, [s.position for s in sentences])
    t3 = time.perf_counter()
    events, dates = group_events(articles, sentences, scores, vectors, title_terms)
    t4 = time.perf_counter()
    timings.update(clean=t1 - t0, sentences=t2 - t1, rank=t3 - t2, events=t4 - t3)
    return Prepared(articles, sentences, scores, sim, events, dates, timings, notes, given)


def textrank_events(prepared: Prepared, max_chars: int, redundancy: float) -> list[Event]:
    """Pick central, non-redundant sentences across events within ``max_chars``; group into Events."""
    sentences, scores = prepared.sentences, prepared.scores
    event_of = prepared.event_of
    candidates = list(event_of)
    if not candidates:  # nothing long enough to be a bullet: fall back to any sentence with content
        candidates = [s.id for s in sentences if s.terms] or [s.id for s in sentences]
        event_of = {i: 0 for i in candidates}
    groups = [event_of.get(i, -1) for i in range(len(sentences))]
    lengths = [len(s.text) for s in sentences]
    merit = scores * np.array([s.bullet_quality for s in sentences])
    concepts = [s.concepts for s in sentences]
    picked = select(merit, prepared.similarity, lengths, candidates, max_chars, redundancy, groups, concepts=concepts)
    if not picked and candidates:  # even the best sentence is over budget: shorten it
        picked = [max(candidates, key=lambda i: scores[i])]
    events: list[Event] = []
    event_groups = prepared.events or [EventGroup(candidates, None, None, 1.0)]
    for k, group in enumerate(event_groups):
        mine = [i for i in picked if event_of.get(i) == k]
        if not mine:
            continue
        mine.sort(key=lambda i: (prepared.dates.get(i, date.max), -scores[i]))
        bullets = []
        for i in mine:
            ids = [i] + prepared.same_fact(i, picked)
            text = sentences[i].text
            if len(text) > max_chars:
                text = text[: max(max_chars - 1, 1)] + "…"
                prepared.notes.append(f"가장 중요한 문장이 글자 수 제한({max_chars}자)보다 길어 줄이고 '…'로 표시했습니다.")
            bullets.append(
                Bullet(
                    text=text,
                    sources=[prepared.source(j) for j in ids],
                    support=len({sentences[j].article for j in ids}),
                    score=round(float(scores[i]), 6),
                )
            )
        events.append(Event(group.title, group.date, bullets))
    return events


def check_options(method: str, max_chars: int, redundancy: float = 0.5) -> None:
    """Reject bad settings before any work (InputError)."""
    if method not in ("textrank", "kobart"):
        raise InputError(f"알 수 없는 방법입니다: {method!r} (textrank 또는 kobart).")
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 20:
        raise InputError("max_chars는 20 이상의 정수여야 합니다.")
    if not isinstance(redundancy, (int, float)) or not 0.0 <= redundancy <= 1.0:
        raise InputError("redundancy는 0과 1 사이여야 합니다.")


def require_engine(method: str, kobart=None) -> None:
    """For ``method="kobart"``, load the engine now: missing weights raise ModelUnavailableError
    in well under two seconds, before any analysis of the input."""
    if method == "kobart":
        from .abstractive import load_engine  # torch is imported only on this path

        load_engine(kobart)


def run(
    articles: ArticlesInput,
    method: str,
    max_chars: int,
    redundancy: float,
    limits: Limits | None,
    kobart=None,
) -> Briefing:
    """The body of :func:`summarizer.summarize` (see its docstring)."""
    check_options(method, max_chars, redundancy)
    given = validate(articles, limits or Limits())
    require_engine(method, kobart)
    prepared = prepare(given)
    start = time.perf_counter()
    if method == "textrank":
        sections = textrank_events(prepared, max_chars, redundancy)
        prepared.timings["select"] = time.perf_counter() - start
    else:
        from .abstractive import generate_events  # torch is imported only on this path

        sections = generate_events(prepared, max_chars, kobart)
        prepared.timings["generate"] = time.perf_counter() - start
    return Briefing(
        method=method,
        sections=sections,
        articles=prepared.article_infos(),
        removed=prepared.removed,
        timings={k: round(v, 4) for k, v in prepared.timings.items()},
        max_chars=max_chars,
        notes=prepared.notes,
    )
