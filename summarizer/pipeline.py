"""From pasted articles to a Briefing: validate, clean, split, rank and group (Prepared), then one
engine (summarizer.extractive or summarizer.abstractive)."""
from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse

from . import sections
from .articles import Article, to_article
from .briefing import ArticleInfo, Briefing, Removed, Source
from .clean import CleanArticle, clean_article, keep_all_lines
from .document import Sentence, build_sentences, lead_sentences
from .errors import InputError
from .events import EventGroup, days_named, group_events, reference_date
from .korean import content_forms, hangul_ratio_below, tokenize
from .modality import REPORTED, actions, modality, present_tense, preview_forecasts, reporting_day, superseded
from .normalize import normalize_text, one_line
from .sections import Figure, conflict
from .textrank import centrality, near_duplicate, row, tfidf

# What summarize() takes: one pasted string, or a list of texts, dicts or Articles (mixed freely).
ArticlesInput = str | bytes | Article | Mapping | Sequence[str | Article | Mapping]
# A line of only ``---`` or ``===`` (3 or more), whatever its line ending (LF, CR LF, CR).
ARTICLE_SEPARATOR = re.compile(r"(?:\r\n|\r|\n|^|(?<=[\r\n]))[ \t]*(?:-{3,}|={3,})[ \t]*(?:\r\n|\r|\n|$)")
# Characters that do not occur in text: C0 controls (not TAB/LF/CR) and U+FFFD from failed
# decoding. Their share marks binary data (Limits.max_control_ratio), once there are a few of them:
# a stray NUL in a short paste is removed by normalisation, not taken for binary data.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_MIN_BINARY_MARKS = 8
# Control bytes of a file or bytes input that text does not hold (all C0 but TAB, LF, FF, CR, ESC).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
# Sentences at least this similar (TF-IDF cosine) to a bullet report the same fact: they become
# its further sources instead of bullets of their own.
SUPPORT_SIMILARITY = 0.35


@dataclass(frozen=True)
class Limits:
    """Input caps; summarize() raises InputError past them, before any heavy work.

    What the caps cost on hostile input, measured by ``benchmarks/bench_worst_case.py`` (warm
    process, shared 2-core machine; docs/usage.md, "Limits and costs"): at 500,000 characters no
    shape (no spaces, one repeated character, unclosed tags, long URLs, punctuation runs, e-mails,
    one 199,990-character line, 300 near-identical or 300 distinct articles) takes more than 2.5x
    Kiwi's own time on the same text or 7.8 CPU seconds per 100,000 characters (where Kiwi alone
    takes 6.9), and none raises peak RSS by more than 0.5 GB over the 0.56 GB of a warm process
    (300 near-identical articles; they took +1.2 GB before the sentence graph was bounded).
    """

    max_articles: int = 300
    max_total_chars: int = 500_000  # of the input as given, before normalisation
    max_article_chars: int = 200_000  # of each normalised article
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
    modality: list[str] = field(default_factory=list)  # per sentence: REPORTED or FORECAST
    # forecasts another article reports as done, each with the reports that settle it
    superseded: dict[int, list[int]] = field(default_factory=dict)
    given: list[Article] = field(default_factory=list)  # the input articles, metadata included
    stories: list[int] = field(default_factory=list)  # per article: its story, a section (sections.stories)
    titles: list[str | None] = field(default_factory=list)  # per story: its title (sections.story_title)
    days: list[date | None] = field(default_factory=list)  # per sentence: its day on the timeline
    figures: list[dict[Figure, str]] = field(default_factory=list)  # per sentence (sections.figures)
    stale: dict[int, set[Figure]] = field(default_factory=dict)  # figures a later day states anew
    news: dict[int, set[Figure]] = field(default_factory=dict)  # figures at their latest day's value
    named: list[frozenset[int]] = field(default_factory=list)  # per sentence: the days of the month it names
    present: list[bool] = field(default_factory=list)  # per sentence: modality.present_tense
    _actions: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    _alone: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def event_of(self) -> dict[int, int]:
        """Sentence id to the index of its event (clustered sentences only)."""
        return {i: k for k, group in enumerate(self.events) for i in group.sentence_ids}

    @cached_property
    def leads(self) -> frozenset[int]:
        """Each article's lead sentence (see :func:`lead_sentences`)."""
        return frozenset(lead_sentences(self.sentences).values())

    @cached_property
    def forms(self) -> list[frozenset[str]]:
        """Each sentence's content forms, for the near-duplicate test: as Kiwi read it in its
        article, or, once it is a bullet, as it reads alone (see :func:`_distinct_picks`)."""
        return [content_forms(s.morphemes) for s in self.sentences]

    def read_alone(self, ids: Sequence[int]) -> list[frozenset[str]]:
        """The content forms of these sentences as Kiwi reads each alone, on its own text (one
        Kiwi call for those not read so far in this briefing).

        A sentence that is a whole block of its article, to the character, was read alone
        already: Kiwi was given exactly its text, and kiwipiepy's ``split_into_sents`` only
        groups the tokens of the same analysis (same options) that ``tokenize`` returns."""
        new = [i for i in dict.fromkeys(ids) if i not in self._alone]
        asked = []
        for i in new:
            s = self.sentences[i]
            if (s.start, s.end) in self._blocks[s.article] and s.text == self.articles[s.article].normalized[s.start : s.end]:
                self._alone[i] = self.forms[i]  # its reading in the article: forms change only once read alone
            else:
                asked.append(i)
        for i, morphemes in zip(asked, tokenize([self.sentences[i].text for i in asked])):
            self._alone[i] = content_forms(morphemes)
        return [self._alone[i] for i in ids]

    @cached_property
    def _blocks(self) -> dict[int, set[tuple[int, int]]]:
        """Each article's kept blocks (start, end): the texts Kiwi analysed."""
        return {a.index: set(a.blocks) for a in self.articles}

    @property
    def removed(self) -> list[Removed]:
        return [r for a in self.articles for r in a.removed]

    def story_of(self, sentence_id: int) -> int:
        return self.stories[self.sentences[sentence_id].article] if self.stories else 0

    def story_order(self, stories: set[int]) -> list[int]:
        """Stories by coverage: most articles, then most outlets, then the earliest first day."""

        def key(story: int) -> tuple:
            mine = [a for a, k in enumerate(self.stories) if k == story]
            outlets = {self.given[a].outlet for a in mine if a < len(self.given) and self.given[a].outlet}
            days = [d for s in self.sentences if s.article in mine and (d := self.days[s.id])]
            return (-len(mine), -len(outlets), min(days, default=date.max), story)

        return sorted(stories, key=key)

    def day_of(self, ids: Sequence[int]) -> date | None:
        """The day a bullet of these sentences (its wording first) belongs to: the earliest day of
        the wording and of the sources that report it in near-identical words (a fact first told
        on Monday and repeated on Tuesday is Monday's); forecasts do not count."""
        if not self.days:
            return None
        kinds = self.modality or [REPORTED] * len(self.sentences)
        wording = ids[0]
        days = [self.days[wording]] + [
            self.days[j] for j in ids[1:] if kinds[j] == REPORTED and near_duplicate(self.forms[wording], self.forms[j])
        ]
        return min((d for d in days if d), default=None)

    def told_apart(self, i: int, j: int) -> bool:
        """Whether two sentences tell different facts however alike their words: they give one
        quantity different values, or name only different days of the month ("1일 출석했다",
        "3일 구속됐다"), or belong to different days and name different happenings (a summons, then
        a warrant sought: modality.actions)."""
        if self.figures and conflict(self.figures[i], self.figures[j]):
            return True
        if self.named and self.named[i] and self.named[j] and not self.named[i] & self.named[j]:
            return True
        if not self.days or not self.days[i] or not self.days[j] or self.days[i] == self.days[j]:
            return False
        mine, theirs = self.actions(i), self.actions(j)
        return bool(mine and theirs and not mine & theirs)

    def actions(self, i: int) -> frozenset[str]:
        """The happenings sentence ``i`` names (modality.actions), computed once."""
        if i not in self._actions:
            self._actions[i] = actions(self.sentences[i].morphemes)
        return self._actions[i]

    def restates(self, pick: int, j: int, value: float) -> bool:
        """Whether sentence ``j`` (cosine ``value`` to ``pick``) states the fact of ``pick``: a
        near-duplicate anywhere, or a close paraphrase in the same event; never a sentence of
        another story, nor one :meth:`told_apart` from it."""
        close = value >= SUPPORT_SIMILARITY and self.event_of.get(j) == self.event_of.get(pick)
        if not close and not near_duplicate(self.forms[pick], self.forms[j]):
            return False
        return self.story_of(j) == self.story_of(pick) and not self.told_apart(pick, j)

    def same_fact(self, sentence_id: int, picked: Sequence[int]) -> list[int]:
        """Sentences that restate ``sentence_id`` (:meth:`restates`) and are no closer to any
        other pick they restate."""
        chosen = set(picked)
        out = []
        ids, values = row(self.similarity, sentence_id)
        for j, value in zip(ids.tolist(), values.tolist()):  # Python numbers: cheaper to hash and compare
            if j in chosen or not self.restates(sentence_id, j, value):
                continue
            # Only a pick closer to j than ``value`` can take it: a pick j is not similar to at
            # all (cosine 0) never is, so j's own row holds every rival worth asking about.
            rivals, closeness = row(self.similarity, j)
            closer = closeness > value
            if not any(
                p != sentence_id and p in chosen and self.restates(p, j, v)
                for p, v in zip(rivals[closer].tolist(), closeness[closer].tolist())
            ):
                out.append(j)
        return out

    def source(self, sentence_id: int) -> Source:
        """The sentence as the user pasted it (normalised, not cleaned): ``text == original[start:end]``."""
        s = self.sentences[sentence_id]
        return Source(s.article, s.start, s.end, self.articles[s.article].original[s.start : s.end])

    def article_infos(self) -> list[ArticleInfo]:
        known = self.given or [Article(a.original) for a in self.articles]
        return [
            ArticleInfo(a.index, a.title, a.date, len(a.original), a.kept_chars, k.outlet, k.url)
            for a, k in zip(self.articles, known)
        ]


def looks_binary(data: bytes) -> bool:
    """Bytes that are no text file, judged before any decoding as text is (:func:`validate`):
    control bytes (not TAB, LF, FF, CR, ESC) past Limits' default max_control_ratio, once there
    are a few. Random bytes have about 11% of them. UTF-16 text (with its BOM) is left to the
    decoder, which names the encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls >= _MIN_BINARY_MARKS and controls > Limits.max_control_ratio * len(data)


def read_text_file(path: str | Path) -> str:
    """A text file as UTF-8 (with or without BOM), falling back to CP949 (Korean Windows);
    binary data (:func:`looks_binary`) is refused."""
    path = Path(path)
    data = path.read_bytes()
    if looks_binary(data):
        raise InputError(f"'{path.name}' 파일은 텍스트가 아닌 바이너리 데이터로 보입니다.")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"'{path.name}' 파일을 텍스트로 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR)로 저장된 텍스트 파일이어야 합니다."
    )


def split_articles(text: str) -> list[str]:
    """Split one pasted string into articles at lines of only ``---`` or ``===`` (3 or more).

    Lines may end in LF, CR LF or CR (files saved on Windows or old Macs)."""
    parts = ARTICLE_SEPARATOR.split(text) if "---" in text or "===" in text else [text]  # a separator holds one
    return [part for part in parts if part.strip()]


def _as_articles(articles: ArticlesInput) -> list[Article]:
    """The input as given: one string (bytes decoded as UTF-8, not yet split into articles), or
    a list of texts, dicts or Articles."""
    if isinstance(articles, bytes):
        if looks_binary(articles):
            raise InputError("입력이 텍스트가 아닌 바이너리 데이터로 보입니다.")
        try:
            articles = articles.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("입력이 UTF-8 텍스트가 아닙니다 (바이너리 파일로 보입니다).") from exc
    if isinstance(articles, str):
        return [Article(articles)]
    if isinstance(articles, (Article, Mapping)):  # one article with metadata
        articles = [articles]
    if not isinstance(articles, Sequence):
        raise InputError("articles는 문자열, 또는 문자열·딕셔너리·Article의 목록이어야 합니다.")
    return [to_article(item, number) for number, item in enumerate(articles, 1)]


def _normalized(article: Article) -> Article:
    """The text normalised; headline, outlet and URL each one normalised line."""
    return replace(
        article,
        text=normalize_text(article.text),
        headline=one_line(article.headline),
        outlet=one_line(article.outlet),
        url=one_line(article.url),
    )


def validate(articles: ArticlesInput, limits: Limits) -> list[Article]:
    """Check input against the limits; return the articles, text and headline normalised.

    Binary data and the total size are judged on the input as given; then each text is
    normalised once (:func:`normalize_text`), a one-string input is split into articles, and the
    other limits apply to the normalised articles.
    """
    raw = _as_articles(articles)
    total = sum(len(a.text) for a in raw)
    if total > limits.max_total_chars:
        raise InputError(
            f"입력이 너무 깁니다: {total:,}자 (최대 {limits.max_total_chars:,}자, Limits.max_total_chars)."
        )
    one_string = isinstance(articles, (str, bytes))
    for i, article in enumerate(raw):
        # Measured before normalisation removes control characters: real binary data is full of them.
        marks = len(_NOT_TEXT.findall(article.text))
        if marks >= _MIN_BINARY_MARKS and marks > limits.max_control_ratio * len(article.text):
            where = "입력이" if one_string else f"{i + 1}번 기사가"
            raise InputError(f"{where} 텍스트가 아닌 바이너리 데이터로 보입니다.")
    parsed = [_normalized(a) for a in raw]
    if one_string:
        parsed = [Article(text) for text in split_articles(parsed[0].text)]
    texts = [a.text for a in parsed]
    if not any(t.strip() for t in texts):
        raise InputError("입력이 비어 있습니다. 요약할 기사 본문을 넣어 주세요.")
    if len(texts) > limits.max_articles:
        raise InputError(f"기사가 너무 많습니다: {len(texts)}건 (최대 {limits.max_articles}건, Limits.max_articles).")
    for i, text in enumerate(texts):
        if len(text) > limits.max_article_chars:
            raise InputError(
                f"{i + 1}번 기사가 너무 깁니다: {len(text):,}자 (최대 {limits.max_article_chars:,}자)."
            )
    if hangul_ratio_below("".join(texts), 0.05):
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
    sentences, headlines = build_sentences(articles)
    t2 = time.perf_counter()
    vectors = tfidf([s.terms for s in sentences])
    scores, sim = centrality(vectors, [s.position for s in sentences])
    t3 = time.perf_counter()
    times = {a.index: reference_date(a) for a in articles}
    events, dates = group_events(sentences, scores, vectors, times)
    headlines = sections.headlines_of(articles, headlines)
    stories = sections.stories(articles, sentences, headlines, times, [a.outlet for a in given])
    members: dict[int, list[int]] = {}
    for a, story in enumerate(stories):
        members.setdefault(story, []).append(a)
    sentence_days = sections.timeline_days(sentences, stories, times, dates)
    found = [sections.figures(s.morphemes) for s in sentences]
    stale, news = sections.stale_figures(sentences, sentence_days, found)
    # the day an article reports from counts only where its time is unknown (see modality)
    report_days = {a.index: reporting_day(a.normalized) for a in articles if times[a.index] is None}
    days = [days_named(s.text) for s in sentences]
    present = [present_tense(s.morphemes) for s in sentences]
    kinds = [
        modality(s.morphemes, dates.get(s.id), times[s.article], days[s.id], report_days.get(s.article), present[s.id])
        for s in sentences
    ]
    kinds = preview_forecasts(sentences, kinds, [s.is_full for s in sentences])
    superseded_by = superseded(sentences, kinds, times, days, sim)
    titles = {a: articles[a].title for a in headlines}
    reported = sections.reported_share(sentences, kinds)
    story_titles = [
        sections.story_title(members[k], titles, headlines, sentences, scores, reported) for k in sorted(members)
    ]
    t4 = time.perf_counter()
    timings.update(clean=t1 - t0, sentences=t2 - t1, rank=t3 - t2, events=t4 - t3)
    return Prepared(
        articles, sentences, scores, sim, events, dates, timings, notes, kinds, superseded_by, given,
        stories, story_titles, sentence_days, found, stale, news, days, present=present,
    )


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
        from .abstractive import load_engine  # KoBART (CTranslate2 or torch) is imported only here

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
        from .extractive import textrank_events  # the engines build on Prepared, defined here

        sections = textrank_events(prepared, max_chars, redundancy)
        prepared.timings["select"] = time.perf_counter() - start
    else:
        from .abstractive import generate_events  # KoBART (CTranslate2 or torch) is imported only here

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
