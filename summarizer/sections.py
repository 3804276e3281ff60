"""The briefing's sections are stories: which articles tell one story (the feed grouping's notion,
summarizer.stories), each story's title, the day each sentence belongs to on its timeline, and
figures that later articles state anew."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from .clean import CleanArticle
from .document import Sentence, lead_sentences
from .events import sentence_date
from .korean import Morpheme
from .modality import REPORTED
from .stories import BODY_CHARS, StoryDoc, StoryGrouper, group_docs, most_representative, story_terms, text_fingerprint
from .textrank import tfidf

# Settings of the feed grouping for a hand-picked set of articles: a set is small and usually one
# story told over a few days (a summons, a refusal, the reactions), so the bar for joining a story
# is lower than in a feed of thousands of unrelated articles.
STORY_PARAMS: dict[str, float] = {}
# A day a sentence names counts as its day when it is at most this many days before its article's.
DAY_REACH = timedelta(days=7)
# A title found in no headline is the start of the story's lead sentence, about this long.
TITLE_CHARS = 40
# Units of numbers that are dates or times, not quantities.
_TIME_UNITS = frozenset({"일", "월", "년", "시", "분", "초", "년도", "주", "주년", "시간", "차", "번째", "위", "호", "층", "세"})

Figure = tuple[str, str]  # (what is counted, unit): ("사망자", "명")


def headlines_of(articles: Sequence[CleanArticle], analysed: dict[int, tuple[Morpheme, ...]]) -> dict[int, tuple[Morpheme, ...]]:
    """The analysed headlines that are headlines: a title line that several articles share word
    for word is page furniture (a site's menu, "뉴스 정치 경제"), not a headline."""
    seen = Counter(a.title for a in articles if a.title)
    return {a: ms for a, ms in analysed.items() if seen[articles[a].title] == 1}


def stories(
    articles: Sequence[CleanArticle],
    sentences: Sequence[Sentence],
    headlines: dict[int, tuple[Morpheme, ...]],
    days: dict[int, date | None],
    outlets: Sequence[str | None],
) -> list[int]:
    """The story of each article (0, 1, ... in order of first article): the feed grouping run on
    the set, with headline terms where a headline is known (else those of a headline-style line
    that opens the body, as pasted web pages have), body terms from the morphemes Kiwi already
    produced, the article's day and outlet (the same text twice is one story)."""
    if len(articles) < 2:  # nothing to group
        return [0] * len(articles)
    bodies: dict[int, list[Morpheme]] = {a.index: [] for a in articles}
    read: dict[int, int] = {}
    for s in sentences:  # the article's first sentences, about as much as the feed grouping reads
        if read.get(s.article, 0) < BODY_CHARS:
            bodies[s.article].extend(s.morphemes)
            read[s.article] = read.get(s.article, 0) + len(s.text)
    decks = {s.article: s.morphemes for s in sentences if s.position == 0 and not s.is_full}
    docs = [
        StoryDoc(
            key=str(a.index),
            headline_terms=tuple(story_terms(headlines.get(a.index, decks.get(a.index, ())))),
            body_terms=tuple(story_terms(bodies[a.index])),
            day=days.get(a.index),
            outlet=outlet,
            fingerprint=text_fingerprint(a.normalized),
        )
        for a, outlet in zip(articles, outlets)
    ]
    labels = join_lone_articles(docs, group_docs(docs, **STORY_PARAMS))
    renumber: dict[int, int] = {}
    return [renumber.setdefault(label, len(renumber)) for label in labels]


def join_lone_articles(docs: Sequence[StoryDoc], labels: Sequence[int]) -> list[int]:
    """The stories with each story of one article joined to the story of several articles that
    holds its most similar article, when that similarity (the feed grouping's, with the IDF of the
    whole set) reaches the grouping's threshold and the story's dates then span at most its
    ``span_days``. A reaction or an editorial read after the story takes up one of its articles
    (a statement, a ruling) rather than the story's mean, which the online pass compares it with."""
    sizes = Counter(labels)
    if not sizes or min(sizes.values()) > 1 or max(sizes.values()) == 1:
        return list(labels)  # no lone article, or no story of several to join
    grouper = StoryGrouper(**STORY_PARAMS)
    views = [tfidf([d.headline_terms for d in docs]), tfidf([d.body_terms for d in docs])]  # as the grouping weighs them
    weights = (grouper.headline_weight, 1.0 - grouper.headline_weight)
    total = sum(w * (v @ v.T).toarray() for w, v in zip(weights, views))
    has = [np.diff(v.indptr) > 0 for v in views]
    weight = sum(w * np.outer(h, h) for w, h in zip(weights, has))
    similarity = np.divide(total, weight, out=np.zeros_like(total), where=weight > 0)
    candidates = [j for j, label in enumerate(labels) if sizes[label] > 1]
    joined = list(labels)
    for i, label in enumerate(labels):
        if sizes[label] > 1:
            continue
        nearest = max(candidates, key=lambda j: similarity[i, j])
        story = labels[nearest]
        days = [d.day for j, d in enumerate(docs) if d.day and (labels[j] == story or j == i)]
        if similarity[i, nearest] >= grouper.threshold and (not days or (max(days) - min(days)).days <= grouper.span_days):
            joined[i] = story
    return joined


def story_title(
    members: Sequence[int],
    titles: dict[int, str],
    headlines: dict[int, tuple[Morpheme, ...]],
    sentences: Sequence[Sentence],
    scores: np.ndarray,
    reported: dict[int, float] | None = None,
) -> str | None:
    """The story's most representative headline: the one whose words the story's headlines and
    leads share most (mean document frequency of its words), times the share of its article that
    reports rather than forecasts (``reported``: a preview's headline says what was to come);
    without headlines, :func:`lead_phrase` of the story's most central lead."""
    leads = {a: i for a, i in lead_sentences(list(sentences)).items() if a in members}
    bags = {a: set(story_terms(headlines.get(a, ()))) for a in members}
    for a, i in leads.items():
        bags[a] |= set(story_terms(sentences[i].morphemes))
    titled = [a for a in members if titles.get(a) and headlines.get(a)]
    best = most_representative(
        [set(story_terms(headlines[a])) for a in titled], list(bags.values()), [(reported or {}).get(a, 1.0) for a in titled]
    )
    if best is not None:
        return titles[titled[best]]
    if not leads:
        return None
    return lead_phrase(sentences[max(leads.values(), key=lambda i: scores[i])].text)


def reported_share(sentences: Sequence[Sentence], modalities: Sequence[str]) -> dict[int, float]:
    """Per article, the share of its full sentences that report (modality.REPORTED)."""
    counts: dict[int, list[int]] = {}
    for s, kind in zip(sentences, modalities):
        if s.is_full:
            c = counts.setdefault(s.article, [0, 0])
            c[0] += kind == REPORTED
            c[1] += 1
    return {a: done / total for a, (done, total) in counts.items()}


def lead_phrase(text: str) -> str:
    """A headline-like phrase from a lead sentence: the sentence without its full stop, cut at a
    word boundary near TITLE_CHARS (marked with "…")."""
    text = " ".join(text.split()).rstrip(".。")
    if len(text) <= TITLE_CHARS:
        return text
    cut = text.rfind(" ", 0, TITLE_CHARS)
    return text[: cut if cut > TITLE_CHARS // 2 else TITLE_CHARS].rstrip(",·") + "…"


def sentence_day(named: date | None, published: date | None) -> date | None:
    """The day a sentence belongs to on the timeline: the day it names when that is its
    article's day or up to DAY_REACH before (what happened yesterday), else its article's day."""
    if named is None:
        return published
    if published is None:
        return named
    return named if published - DAY_REACH <= named <= published else published


def timeline_days(
    sentences: Sequence[Sentence], stories: Sequence[int], published: dict[int, date | None], named: dict[int, date]
) -> list[date | None]:
    """Each sentence's day on its story's timeline (:func:`sentence_day`). An article without a
    date takes its story's latest known date to resolve the days its sentences name ("4일"), and
    as its own day the one of the story's week they name most often (the latest among equals;
    none if they name none)."""
    known: dict[int, date] = {}
    for article, day in published.items():
        if day and (stories[article] not in known or day > known[stories[article]]):
            known[stories[article]] = day
    inferred: dict[int, Counter[date]] = {}
    resolved = dict(named)
    for s in sentences:
        if published.get(s.article) is None and stories[s.article] in known:
            latest = known[stories[s.article]]
            if (day := sentence_date(s.text, latest)) is not None:
                resolved[s.id] = day
                if latest - DAY_REACH <= day <= latest:  # not "지난달 21일": background
                    inferred.setdefault(s.article, Counter())[day] += 1
    own = {a: max(c, key=lambda d: (c[d], d)) for a, c in inferred.items()}
    return [sentence_day(resolved.get(s.id), published.get(s.article) or own.get(s.article)) for s in sentences]


def figures(morphemes: Sequence[Morpheme]) -> dict[Figure, str]:
    """The quantities a sentence states: (the noun counted, the unit) -> the number, e.g.
    "부상자는 30명으로 늘었다" -> {("부상자", "명"): "30"}; dates and times are left out."""
    out: dict[Figure, str] = {}
    for k, m in enumerate(morphemes):
        if m.tag != "SN":
            continue
        unit = "".join(u.form for u in morphemes[k + 1 : k + 3] if u.tag in ("NR", "NNB", "SW"))
        after = morphemes[k + 1] if k + 1 < len(morphemes) else None
        if not unit and after is not None and after.tag == "NNG":
            unit = after.form
        if not unit or unit in _TIME_UNITS or unit[:1] in _TIME_UNITS and len(unit) == 1:
            continue
        counted = next((p.form for p in reversed(morphemes[max(k - 3, 0) : k]) if p.tag in ("NNG", "NNP")), None)
        if counted:
            out[(counted, unit)] = m.form
    return out


def stale_figures(
    sentences: Sequence[Sentence], days: Sequence[date | None], found: Sequence[dict[Figure, str]]
) -> tuple[dict[int, set[Figure]], dict[int, set[Figure]]]:
    """Figures over days: for each sentence, the quantities for which an article of a later day
    states another value (stale), and those for which it states the latest day's value (latest)."""
    latest: dict[Figure, tuple[date, set[str]]] = {}
    for i, figs in enumerate(found):
        day = days[i]
        if day is None:
            continue
        for key, value in figs.items():
            when, values = latest.get(key, (date.min, set()))
            if day > when:
                latest[key] = (day, {value})
            elif day == when:
                values.add(value)
    stale: dict[int, set[Figure]] = {}
    news: dict[int, set[Figure]] = {}
    for i, figs in enumerate(found):
        for key, value in figs.items():
            if key not in latest or days[i] is None:
                continue
            when, values = latest[key]
            if days[i] < when and value not in values:
                stale.setdefault(i, set()).add(key)
            elif days[i] == when:
                news.setdefault(i, set()).add(key)
    return stale, news


def conflict(a: dict[Figure, str], b: dict[Figure, str]) -> bool:
    """Whether two sentences state different values of one quantity."""
    return any(key in b and b[key] != value for key, value in a.items())
