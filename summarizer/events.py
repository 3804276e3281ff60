"""Grouping sentences into events (happenings) across articles, with dates and readable order."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import squareform

from .clean import CleanArticle
from .document import Sentence, lead_sentences
from .textrank import gram_products, hand_summable, row_sums

# Sentences beyond this many (by centrality) are too peripheral to head an event.
MAX_CLUSTERED = 400
# Average-linkage cosine distance at which two groups of sentences are different happenings.
EVENT_DISTANCE = 0.9
# Weight of a sentence's neighbours in its own article when comparing sentences: a sentence
# is about what the sentences around it are about.
CONTEXT_WEIGHT = 0.5

_FULL_DATE = re.compile(r"(20\d\d)\s{0,3}[년.\-/]\s{0,3}(\d{1,2})\s{0,3}[월.\-/]\s{0,3}(\d{1,2})\s{0,3}일?")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s{0,3}월\s{0,3}(\d{1,2})\s{0,3}일")
_DAY = re.compile(r"(지난달\s{0,3})?(?<![\d.월])(\d{1,2})\s{0,3}일(?!\s{0,3}(간|동안|만|째|치|분))")
_DIGIT = re.compile(r"\d")  # every date pattern above needs one: a text without is not searched
# A digit before 일 (at most 3 spaces between), which every match of _DAY holds at most 7
# characters after its start: _DAY is searched from the first one (_MONTH_DAY only where 월 is).
_DAY_MARK = re.compile(r"\d\s{0,3}일")


@dataclass
class EventGroup:
    """Sentences about one happening; ``sentence_ids`` most central first."""

    sentence_ids: list[int]
    date: str | None
    weight: float


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def reference_date(article: CleanArticle) -> date | None:
    """The date the article's "4일" means: its publication date, else the latest full date in its text.

    Header lines that only show today's date are not used: they date the page view, not the news.
    """
    if article.date:
        return date.fromisoformat(article.date)
    text_parts = [article.normalized[s:e] for s, e in article.blocks]
    text_parts += [r.text for r in article.removed if r.reason == "사진 설명"]
    found = [_safe_date(*map(int, m.groups())) for part in text_parts for m in _FULL_DATE.finditer(part)]
    found = [d for d in found if d]
    return max(found) if found else None


def sentence_date(text: str, ref: date | None) -> date | None:
    """The day a sentence speaks of, when it names one that can be resolved."""
    if not _DIGIT.search(text):
        return None
    m = _FULL_DATE.search(text)
    if m:
        return _safe_date(*map(int, m.groups()))
    if ref is None:
        return None
    m = _MONTH_DAY.search(text) if "월" in text else None
    if m:
        return _safe_date(ref.year, int(m.group(1)), int(m.group(2)))
    days = _day_matches(text)
    if len({d.group(2) for d in days}) == 1:  # several different days: no single date
        m = days[0]
        year, month = ref.year, ref.month
        if m.group(1):  # 지난달 = last month
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return _safe_date(year, month, int(m.group(2)))
    return None


def days_named(text: str) -> frozenset[int]:
    """The days of the month a sentence names (4일, 2월 4일, 2025.2.4), resolved or not; a day of last
    month ("지난달 20일") is not one of this month's."""
    if not _DIGIT.search(text):
        return frozenset()
    found = {int(m.group(3)) for m in _FULL_DATE.finditer(text)}
    if "월" in text:
        found |= {int(m.group(2)) for m in _MONTH_DAY.finditer(text)}
    found |= {int(m.group(2)) for m in _day_matches(text) if not m.group(1)}  # not "지난달 20일"
    return frozenset(d for d in found if 1 <= d <= 31)


def _day_matches(text: str) -> list[re.Match]:
    """The matches of _DAY in ``text``, searched from its first day mark."""
    first = _DAY_MARK.search(text)
    return list(_DAY.finditer(text, max(first.start() - 7, 0))) if first else []


def _context_vectors(sentences: list[Sentence], vectors: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each sentence's TF-IDF row plus CONTEXT_WEIGHT times its neighbours' in its article,
    L2-normalised. The neighbour matrix and the last scaling are built as CSR arrays, laid out as
    scipy's own construction and product lay them out (the order :func:`_clusters` sums in)."""
    n = len(sentences)
    linked = [a.article == b.article for a, b in zip(sentences, sentences[1:])]
    columns = [
        [j for j, near in ((i - 1, i > 0 and linked[i - 1]), (i + 1, i < n - 1 and linked[i])) if near]
        for i in range(n)
    ]
    indptr = np.cumsum([0] + [len(c) for c in columns], dtype=np.int32)
    indices = np.array([j for c in columns for j in c], dtype=np.int32)
    neighbours = sparse.csr_matrix((np.full(len(indices), CONTEXT_WEIGHT), indices, indptr), shape=(n, n))
    smoothed = vectors + neighbours @ vectors
    row_of = np.repeat(np.arange(n), np.diff(smoothed.indptr))
    # each row's entries in reverse order, as scipy's general products and sums lay them out
    flipped = smoothed.indptr[row_of] + smoothed.indptr[row_of + 1] - 1 - np.arange(smoothed.nnz)
    # smoothed.multiply(smoothed).sum(axis=1): scipy multiplies sorted rows in order, others reversed
    sorted_rows = bool(np.all(np.diff(smoothed.indices)[row_of[1:] == row_of[:-1]] > 0))
    squares = smoothed.data**2 if sorted_rows else smoothed.data[flipped] ** 2
    norms = np.sqrt(row_sums(smoothed.indptr, squares))
    norms[norms == 0] = 1.0
    # diagonal(1.0 / norms) @ smoothed: each row scaled, its entries in reverse order
    data = (1.0 / norms)[row_of] * smoothed.data[flipped]
    return sparse.csr_matrix((data, smoothed.indices[flipped], smoothed.indptr), shape=smoothed.shape)


def _clusters(ids: list[int], context: sparse.csr_matrix) -> list[int]:
    """Each sentence's flat cluster (a label) under average linkage cut at EVENT_DISTANCE."""
    if len(ids) == 1:
        return [0]
    dist = 1.0 - _cosines(ids, context)
    np.fill_diagonal(dist, 0.0)
    dist = np.clip((dist + dist.T) / 2, 0.0, 1.0)
    return _cut(linkage(squareform(dist, checks=False), method="average").tolist(), len(ids))


def _cosines(ids: list[int], context: sparse.csr_matrix) -> np.ndarray:
    """``(sub @ sub.T).toarray()`` for the rows ``ids`` of ``context``, each cell summed from zero
    in the product's order (as np.bincount adds), bit for bit, without building the three matrices
    (scipy's checks and conversions cost more than the work); by scipy past HAND_PRODUCTS."""
    # the rows ``ids`` of ``context`` (what context[ids] holds)
    starts, stops = context.indptr[ids], context.indptr[np.asarray(ids) + 1]
    indptr = np.concatenate(([0], np.cumsum(stops - starts)))
    take = np.repeat(starts - indptr[:-1], stops - starts) + np.arange(indptr[-1])
    if not hand_summable(context.indices[take]):
        sub = sparse.csr_matrix((context.data[take], context.indices[take], indptr), shape=(len(ids), context.shape[1]))
        return (sub @ sub.T).toarray()
    rows, cols, products = gram_products(indptr, context.indices[take], context.data[take])
    return np.bincount(rows * len(ids) + cols, products, minlength=len(ids) ** 2).reshape(len(ids), len(ids))


def _cut(merges: list[list[float]], n: int) -> list[int]:
    """The flat clusters of scipy's ``fcluster(merges, EVENT_DISTANCE, "distance")`` (a merge joins
    its two clusters when no merge in it, itself included, is farther), numbered by the last merge
    that joins them: computed here, without fcluster's checks of the linkage, costlier than the cut."""
    farthest = [0.0] * n  # per node (n leaves, then one per merge): its farthest merge
    for a, b, height, _ in merges:
        farthest.append(max(height, farthest[int(a)], farthest[int(b)]))
    label = list(range(len(farthest)))
    for k in range(len(merges) - 1, -1, -1):  # from the root down: a joined merge labels its parts
        if farthest[n + k] <= EVENT_DISTANCE:
            a, b = int(merges[k][0]), int(merges[k][1])
            label[a] = label[b] = label[n + k]
    return label[:n]


def group_events(
    sentences: list[Sentence],
    scores: np.ndarray,
    vectors: sparse.csr_matrix,
    refs: dict[int, date | None],
) -> tuple[list[EventGroup], dict[int, date]]:
    """Events in reading order: the one most articles lead with first (what the story is), then
    by how many articles lead with each; events no lead opens, dated ones chronologically, then
    the rest by weight. ``refs``: each article's :func:`reference_date`.

    Returns the events and the resolved date of each sentence that names one.
    """
    dates = {s.id: d for s in sentences if (d := sentence_date(s.text, refs[s.article]))}
    ids = sorted((s.id for s in sentences if s.is_candidate), key=lambda i: -scores[i])[:MAX_CLUSTERED]
    if not ids:
        return [], dates
    labels = _clusters(ids, _context_vectors(sentences, vectors))
    members: dict[int, list[int]] = {}
    for i, label in zip(ids, labels):
        members.setdefault(label, []).append(i)
    groups = []
    for group_ids in members.values():
        named = Counter(dates[i] for i in group_ids if i in dates)
        when = named.most_common(1)[0][0].isoformat() if named else None
        groups.append(EventGroup(group_ids, when, float(sum(scores[i] for i in group_ids[:5]))))
    leads = set(lead_sentences(sentences).values())
    groups.sort(key=lambda g: (-len(leads.intersection(g.sentence_ids)), g.date is None, g.date or "", -g.weight))
    return groups, dates
