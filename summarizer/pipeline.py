"""From pasted articles to a Briefing: validate, clean, split, rank, group, then one engine."""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse

from .articles import Article, to_article
from .briefing import ArticleInfo, Briefing, Bullet, Event, Removed, Source
from .clean import CleanArticle, clean_article, keep_all_lines
from .document import SUBJECTLESS, Sentence, build_sentences, lead_sentences
from .errors import InputError
from .events import EventGroup, days_named, group_events, reference_date
from .korean import content_forms, hangul_ratio, tokenize
from .modality import (
    FORECAST,
    REPORTED,
    modality,
    present_tense,
    preview_forecasts,
    reporting_day,
    superseded,
    time_of_day,
)
from .normalize import normalize_text
from .textrank import centrality, near_duplicate, row, select, tfidf

# What summarize() takes: one pasted string, or a list of texts, dicts or Articles (mixed freely).
ArticlesInput = str | bytes | Article | Mapping | Sequence[str | Article | Mapping]
# A line of only ``---`` or ``===`` (3 or more), whatever its line ending (LF, CR LF, CR).
ARTICLE_SEPARATOR = re.compile(r"(?:\r\n|\r|\n|^|(?<=[\r\n]))[ \t]*(?:-{3,}|={3,})[ \t]*(?:\r\n|\r|\n|$)")
# Characters that do not occur in text: C0 controls (not TAB/LF/CR) and U+FFFD from failed
# decoding. Their share marks binary data (Limits.max_control_ratio), once there are a few of them:
# a stray NUL in a short paste is removed by normalisation, not taken for binary data.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_MIN_BINARY_MARKS = 8
# Sentences at least this similar (TF-IDF cosine) to a bullet report the same fact: they become
# its further sources instead of bullets of their own.
SUPPORT_SIMILARITY = 0.35
# Picks whose content forms come this close to the near-duplicate limits are re-read alone.
REREAD_MARGIN = 0.3
# Below this cosine another article's sentence lends a fact no support at all.
LOOSE_SIMILARITY = 0.2
# Choosing bullets, a fact stated by n articles weighs n ** SUPPORT_WEIGHT times one stated once.
SUPPORT_WEIGHT = 0.5
# An event that n articles report gets n ** BREADTH_WEIGHT times the coverage gain of one
# reported once (so a story many outlets carry gets more bullets than a single-outlet aside).
BREADTH_WEIGHT = 0.5
# A forecast nothing settles weighs this much of a report (a briefing says what happened first),
# and a present-tense statement (background, "…에 나선다", "…하고 있다") this much.
FORECAST_WEIGHT = 0.7
STATE_WEIGHT = 0.85
# The reader's first glance: the briefing's first OPENING_CHARS characters carry, per character,
# as much as they can of what the outlets put in their leads.
OPENING_CHARS = 300
# An opening bullet takes another source's wording only if that source stands about as well alone
# (bullet quality times the forecast weight, within this much).
WORDING_MARGIN = 0.1


@dataclass(frozen=True)
class Limits:
    """Input caps; summarize() raises InputError past them, before any heavy work.

    What the caps cost, measured by ``benchmarks/bench_limits.py`` (warm process, 2-core machine,
    distinct raw crawls; README, "Input"): 300 articles with 500,000 characters together take
    5.7-6.8 CPU seconds, about 80% of it Kiwi, and raise peak RSS from about 0.56 GB to 0.86 GB;
    one article of 200,000 characters 1.6-2.1 CPU seconds and 0.6 GB.
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

    @property
    def removed(self) -> list[Removed]:
        return [r for a in self.articles for r in a.removed]

    def restates(self, pick: int, j: int, value: float) -> bool:
        """Whether sentence ``j`` (cosine ``value`` to ``pick``) states the fact of ``pick``: a
        near-duplicate anywhere, or a close paraphrase in the same event."""
        if near_duplicate(self.forms[pick], self.forms[j]):
            return True
        return value >= SUPPORT_SIMILARITY and self.event_of.get(j) == self.event_of.get(pick)

    def same_fact(self, sentence_id: int, picked: Sequence[int]) -> list[int]:
        """Sentences that restate ``sentence_id`` (:meth:`restates`) and are no closer to any
        other pick they restate."""
        out = []
        for j, value in zip(*row(self.similarity, sentence_id)):
            if j in picked or not self.restates(sentence_id, j, value):
                continue
            to_picked = dict(zip(*row(self.similarity, j)))
            rivals = [p for p in picked if p != sentence_id and self.restates(p, j, to_picked.get(p, 0.0))]
            if all(to_picked.get(p, 0.0) <= value for p in rivals):
                out.append(int(j))
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
    """Split one pasted string into articles at lines of only ``---`` or ``===`` (3 or more).

    Lines may end in LF, CR LF or CR (files saved on Windows or old Macs)."""
    return [part for part in ARTICLE_SEPARATOR.split(text) if part.strip()]


def _as_articles(articles: ArticlesInput) -> list[Article]:
    """The input as given: one string (bytes decoded as UTF-8, not yet split into articles), or
    a list of texts, dicts or Articles."""
    if isinstance(articles, bytes):
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
    headline = normalize_text(article.headline).strip() or None if article.headline else None
    return replace(article, text=normalize_text(article.text), headline=headline)


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
    times = {a.index: reference_date(a) for a in articles}
    report_days = {a.index: reporting_day(a.normalized) for a in articles}
    days = [days_named(s.text) for s in sentences]
    kinds = [
        modality(s.morphemes, dates.get(s.id), times[s.article], days[s.id], report_days[s.article]) for s in sentences
    ]
    kinds = preview_forecasts(sentences, kinds, [s.is_full for s in sentences])
    similar = [list(zip(*row(sim, s.id))) for s in sentences]
    stale = superseded(sentences, kinds, times, days, similar)
    t4 = time.perf_counter()
    timings.update(clean=t1 - t0, sentences=t2 - t1, rank=t3 - t2, events=t4 - t3)
    return Prepared(articles, sentences, scores, sim, events, dates, timings, notes, kinds, stale, given)


def support_weights(prepared: Prepared) -> np.ndarray:
    """How many distinct articles state each sentence's fact, softly: its own article counts 1,
    another article by how close its nearest sentence comes: 0 below LOOSE_SIMILARITY, 1 from
    SUPPORT_SIMILARITY, linear between (paraphrases of one quote across outlets rarely reach the
    same-fact threshold). An article whose forecast a report settles counts fully for it: it
    told of the same happening ahead of time."""
    sentences = prepared.sentences
    settled: dict[int, set[int]] = {}
    for f, reports in prepared.superseded.items():
        for r in reports:
            settled.setdefault(r, set()).add(sentences[f].article)
    out = np.ones(len(sentences))
    for s in sentences:
        nearest: dict[int, float] = {a: 1.0 for a in settled.get(s.id, ())}
        for j, v in zip(*row(prepared.similarity, s.id)):
            a = sentences[j].article
            if a != s.article and v > nearest.get(a, 0.0):
                nearest[a] = v
        span = SUPPORT_SIMILARITY - LOOSE_SIMILARITY
        out[s.id] += sum(min(1.0, max(0.0, v - LOOSE_SIMILARITY) / span) for v in nearest.values())
    return out


def _restated_decks(prepared: Prepared, candidates: Sequence[int]) -> set[int]:
    """Deck lines (no sentence ending) whose fact a full sentence among the candidates states."""
    full = {i for i in candidates if prepared.sentences[i].is_full}
    out = set()
    for i in candidates:
        if i in full:
            continue
        ids, values = row(prepared.similarity, i)
        if any(v >= SUPPORT_SIMILARITY and j in full for j, v in zip(ids, values)):
            out.add(i)
    return out


def _reading_order(prepared: Prepared, bullets: list[list[int]], first: Sequence[int] = ()) -> list[int]:
    """Order of an event's bullets (each a list of sentence ids, main one first): as the outlets
    tell it, leads first. The ``first`` bullets (an opening) come first, in their order; then
    bullets that state some article's lead, the one most articles lead with first; the others
    sit where the earliest of their full-sentence sources sits in its own article (relative
    position, so a fact one outlet tells early comes before what all tell later; within one
    article this is the article's order). Bullets that state a clock time, leads aside, are put
    in time order among the places such bullets hold."""
    sentences = prepared.sentences
    counts = Counter(s.article for s in sentences)

    def place(ids: list[int]) -> float:
        told = [j for j in ids if sentences[j].is_full] or ids  # deck lines above a lead do not count
        return min(sentences[j].position / counts[sentences[j].article] for j in told)

    def led(ids: list[int]) -> int:
        return len(prepared.leads.intersection(ids))

    rank = {b: k for k, b in enumerate(first)}
    order = sorted(
        range(len(bullets)),
        key=lambda b: (rank.get(b, len(rank)), -led(bullets[b]), place(bullets[b]), -prepared.scores[bullets[b][0]]),
    )
    clock = {b: t for b in order if not led(bullets[b]) and (t := time_of_day(sentences[bullets[b][0]].text)) is not None}
    slots = [k for k, b in enumerate(order) if b in clock]
    for k, b in zip(slots, sorted(clock, key=lambda b: (clock[b], order.index(b)))):
        order[k] = b
    return order


def lead_vocabulary(prepared: Prepared) -> Counter[str]:
    """How many articles' leads name each content form: what the outlets open with."""
    return Counter(form for i in prepared.leads for form in prepared.forms[i])


def _repeats(prepared: Prepared, sentence_id: int, others: Sequence[int]) -> bool:
    """Whether a sentence is a near-duplicate of one of ``others``, as their bullets would read:
    pairs close to the limit (REREAD_MARGIN) are judged on the sentences read alone as well."""
    forms = prepared.forms
    close = [p for p in others if near_duplicate(forms[sentence_id], forms[p], REREAD_MARGIN)]
    if not close:
        return False
    alone = [content_forms(m) for m in tokenize([prepared.sentences[i].text for i in [sentence_id, *close]])]
    return any(
        near_duplicate(forms[sentence_id], forms[p]) or near_duplicate(alone[0], read)
        for p, read in zip(close, alone[1:])
    )


def opening(
    prepared: Prepared,
    bullets: list[list[int]],
    order: list[int],
    standing: np.ndarray,
    spare: int,
    picked: Sequence[int],
) -> list[int]:
    """The first event's opening: after the bullet the reading ``order`` puts first (its lead),
    the bullets that add the most lead vocabulary (:func:`lead_vocabulary`) per character, until
    OPENING_CHARS are used. Only wordings that lean on nothing before them (no anaphoric subject,
    connective opener, deck line or question: bullet quality of at least SUBJECTLESS) open.

    An opening bullet may take the wording of one of its sources that says more of it: a full
    sentence that stands as well alone (``standing`` within WORDING_MARGIN of the bullet's own),
    does not repeat another bullet (the ``picked`` sentences, :func:`_repeats`) and keeps the
    briefing within its budget (``spare`` characters). ``bullets`` are changed in place so that
    the wording used comes first.
    """
    vocabulary = lead_vocabulary(prepared)
    sentences = prepared.sentences
    wordings = {
        b: [
            j for j in bullets[b]
            if sentences[j].bullet_quality >= SUBJECTLESS  # leans on nothing before it
            and (j == bullets[b][0] or standing[j] >= standing[bullets[b][0]] - WORDING_MARGIN and sentences[j].is_full)
        ]
        for b in order[1:]
    }

    def gain(j: int) -> float:
        return sum(vocabulary[t] for t in prepared.forms[j] - seen) / max(len(sentences[j].text), 1)

    def longer(b: int, j: int) -> int:
        return len(sentences[j].text) - len(sentences[bullets[b][0]].text)

    first, rest = order[:1], order[1:]
    seen = set().union(*(prepared.forms[bullets[b][0]] for b in first))
    used = sum(len(sentences[bullets[b][0]].text) for b in first)
    while rest and used < OPENING_CHARS:
        value, best, wording = max(
            ((gain(j), b, j) for b in rest for j in wordings[b] if longer(b, j) <= spare), default=(0.0, None, None)
        )
        if value <= 0:
            break
        if wording != bullets[best][0] and _repeats(prepared, wording, [p for p in picked if p != bullets[best][0]]):
            wordings[best].remove(wording)  # checked only when chosen: it may take a Kiwi call
            continue
        spare -= longer(best, wording)
        bullets[best].remove(wording)
        bullets[best].insert(0, wording)
        first.append(best)
        rest.remove(best)
        seen |= prepared.forms[wording]
        used += len(sentences[wording].text)
    return first


def _distinct_picks(prepared: Prepared, pick: Callable[[], list[int]], rounds: int = 4) -> list[int]:
    """Run ``pick`` until no two picks are near-duplicates as their bullets read alone: Kiwi may
    split a sentence differently inside its article, so the picks in a pair that comes close to
    the limit (REREAD_MARGIN) are re-read on their own text (a small Kiwi call, and none at all
    for most briefings) and, where that reveals a near-duplicate, the choice is made again."""
    forms = prepared.forms
    reread: set[int] = set()
    for _ in range(rounds):
        picked = pick()
        pairs = [(a, b) for k, a in enumerate(picked) for b in picked[k + 1:]]
        doubtful = sorted(
            {i for a, b in pairs if near_duplicate(forms[a], forms[b], REREAD_MARGIN) for i in (a, b)} - reread
        )
        if not doubtful:  # nothing new to re-read: choosing again would give the same picks
            break
        alone = tokenize([prepared.sentences[i].text for i in doubtful])
        for i, morphemes in zip(doubtful, alone):
            forms[i] = content_forms(morphemes)
        reread.update(doubtful)
        if not any(near_duplicate(forms[a], forms[b]) for a, b in pairs):
            break
    return picked


def textrank_events(prepared: Prepared, max_chars: int, redundancy: float) -> list[Event]:
    """Pick central, widely reported, stand-alone sentences across events within ``max_chars``
    (forecasts another article settles are left out); group them into Events in reading order."""
    sentences, scores = prepared.sentences, prepared.scores
    event_of = prepared.event_of
    candidates = [i for i in event_of if i not in prepared.superseded]
    restated = _restated_decks(prepared, candidates)
    candidates = [i for i in candidates if i not in restated]
    if not candidates:  # nothing long enough to be a bullet: fall back to any sentence with content
        candidates = [s.id for s in sentences if s.terms] or [s.id for s in sentences]
        event_of = {i: 0 for i in candidates}
    groups = [event_of.get(i, -1) for i in range(len(sentences))]
    lengths = [len(s.text) for s in sentences]
    forecast = np.array(
        [
            FORECAST_WEIGHT if k == FORECAST else STATE_WEIGHT if present_tense(s.morphemes) else 1.0
            for s, k in zip(sentences, prepared.modality or [REPORTED] * len(sentences))
        ]
    )
    standing = np.array([s.bullet_quality for s in sentences]) * forecast
    merit = scores * standing * support_weights(prepared) ** SUPPORT_WEIGHT
    concepts = [s.concepts for s in sentences]
    breadth = Counter(g for g, _ in {(groups[i], sentences[i].article) for i in candidates})
    weight = {g: n**BREADTH_WEIGHT for g, n in breadth.items()}
    picked = _distinct_picks(
        prepared,
        lambda: select(
            merit,
            prepared.similarity,
            lengths,
            candidates,
            max_chars,
            redundancy,
            groups,
            concepts=concepts,
            group_weight=weight,
            articles=[s.article for s in sentences],
            forms=prepared.forms,
        ),
    )
    if not picked and candidates:  # even the best sentence is over budget: shorten it
        picked = [max(candidates, key=lambda i: scores[i])]
    events: list[Event] = []
    event_groups = prepared.events or [EventGroup(candidates, None, None, 1.0)]
    for k, group in enumerate(event_groups):
        mine = [[i] + prepared.same_fact(i, picked) for i in picked if event_of.get(i) == k]
        if not mine:
            continue
        order = _reading_order(prepared, mine)
        if not events:
            spare = max_chars - sum(lengths[i] for i in picked)
            order = _reading_order(prepared, mine, opening(prepared, mine, order, standing, spare, picked))
        bullets = []
        for b in order:
            ids = mine[b]
            i = ids[0]
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
                    modality=prepared.modality[i] if prepared.modality else REPORTED,
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
