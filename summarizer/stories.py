"""What a story is: articles grouped online, one pass in date order, into stories.

Topic detection and tracking after Miranda et al. (EMNLP 2018): each article is compared with the
running representation of every active story (the mean of its articles' TF-IDF vectors, one for
headline terms and one for body terms) with a time decay on the days between the article and the
story; it joins the best story scoring at least ``threshold`` or starts a new one. Stories idle for
more than ``window_days`` (counted from the newest date read) leave the active set with everything
the grouper kept of them, so memory does not grow with the feed.

- Document frequencies are counted as articles arrive (kept in the state); an article's vectors
  are weighted with the IDF known when it arrives and then kept as they are.
- Duplicates: an article with the URL or the text fingerprint of an article of an active story
  joins that story and counts once (no vectors, no document frequency).
- Articles out of date order: an article is compared with the stories still active, the time
  decay and the window counted on the days between its date and each story's first..last dates;
  one more than ``window_days`` older than the newest date read finds only stories still active.
- Undated articles have no time decay and do not move the clock.
"""
from __future__ import annotations

import datetime
import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from summarizer.articles import Article

# Kiwi tags whose morphemes say which story a text is about: nouns, foreign words, numbers.
STORY_TAGS = frozenset({"NNG", "NNP", "SL", "SN"})
BODY_CHARS = 1500  # the part of the body read for story identity (the lead carries the story)
STATE_VERSION = 1
VIEWS = 2  # an article's vectors: headline terms, body terms


def story_terms(morphemes) -> list[str]:
    """The terms of a text that count for story identity: forms of its nouns, foreign words and
    numbers, lower-cased, in text order (from ``summarizer.korean.Morpheme`` tuples or Kiwi's own
    tokens: anything with ``form`` and ``tag``)."""
    return [m.form.lower() for m in morphemes if m.tag in STORY_TAGS]


def most_representative(
    headlines: Sequence[set[str]], context: Sequence[set[str]] | None = None, weights: Sequence[float] | None = None
) -> int | None:
    """Index of a story's most representative headline (its terms): the one whose terms the story
    shares most, as the mean number of ``context`` bags (by default the headlines) naming each of
    them, times its ``weights`` (1 by default); the first among equals, None when every headline is
    empty. The one rule of a story's title, for the feed's stories and the briefing's sections."""
    shared = Counter(term for bag in (headlines if context is None else context) for term in bag)
    scored = [
        (sum(shared[t] for t in bag) / len(bag) * (weights[k] if weights is not None else 1.0), -k)
        for k, bag in enumerate(headlines) if bag
    ]
    return -max(scored)[1] if scored else None


def text_fingerprint(text: str) -> str:
    """A short hash of a text with its white space folded: the same text under two ids."""
    return hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class StoryDoc:
    """What the grouper sees of one article."""

    key: str  # the article's id
    headline_terms: tuple[str, ...]
    body_terms: tuple[str, ...]
    day: datetime.date | None
    outlet: str | None = None
    url: str | None = None
    fingerprint: str | None = None  # text_fingerprint of the article's text


def story_docs(articles: Sequence[Article], keys: Sequence[str] | None = None) -> list[StoryDoc]:
    """The StoryDocs of articles (keys default to their positions "0", "1", …), all headlines and
    bodies in one Kiwi call."""
    from summarizer import korean

    texts = [a.headline or "" for a in articles] + [a.text[:BODY_CHARS] for a in articles]
    morphemes = korean.kiwi_tokens(texts)
    n = len(articles)
    return [
        StoryDoc(str(i) if keys is None else keys[i], tuple(story_terms(morphemes[i])),
                 tuple(story_terms(morphemes[n + i])), day_of(a.date),
                 a.outlet, a.url, text_fingerprint(a.text))
        for i, a in enumerate(articles)
    ]


@dataclass
class _Story:
    id: str
    first: datetime.date | None
    last: datetime.date | None
    touched: datetime.date | None  # the clock when an article last joined (for undated stories)
    sizes: list[int]  # per view, the story's articles with terms in that view

    def idle_since(self) -> datetime.date | None:
        return self.last or self.touched

    def gap(self, day: datetime.date | None) -> int:
        """Days between ``day`` and the story's first..last dates (0 inside, or when undated)."""
        if day is None or self.first is None:
            return 0
        return max(0, (self.first - day).days, (day - self.last).days)

    def span_with(self, day: datetime.date | None) -> int:
        """Days from the story's first to its last date if an article of ``day`` joined it."""
        if day is None or self.first is None:
            return 0
        return (max(day, self.last) - min(day, self.first)).days


@dataclass
class _Row:
    """One article of an active story: its L2-normalised TF-IDF vector per view."""

    story: str
    vectors: tuple[tuple[np.ndarray, np.ndarray], ...]  # per view: (term ids, weights)
    url: str | None = None
    fingerprint: str | None = None


class StoryGrouper:
    """Online story grouping: :meth:`add` one article at a time, in date order where known.

    An article's similarity to a story is, per view (headline terms, body terms), its mean cosine
    with the story's articles (the dot product with the story's mean vector, as average linkage
    would compare it), the views weighted ``headline_weight`` : ``1 - headline_weight``, times
    ``exp(-gap² / 2 decay_days²)`` for the days between the article and the story's dates. It
    joins the most similar story scoring at least ``threshold`` whose dates would then span at
    most ``span_days``; else it starts a new story.
    """

    REBUILD_EVERY = 64  # rows scored one by one before they go into the CSR matrices

    def __init__(self, threshold: float = 0.22, window_days: int = 7, headline_weight: float = 0.2,
                 decay_days: float = 15.0, span_days: int = 10):
        self.threshold = threshold
        self.window_days = window_days
        self.headline_weight = headline_weight
        self.decay_days = decay_days
        self.span_days = span_days
        self._vocab: dict[str, int] = {}
        self._df: list[int] = []
        self._n_docs = 0
        self._next = 0
        self._clock: datetime.date | None = None
        self._stories: dict[str, _Story] = {}
        self._rows: list[_Row] = []  # the articles of active stories, in arrival order
        self._built = 0  # how many of _rows the matrices hold
        self._matrices: list[sparse.csr_matrix | None] = [None] * VIEWS
        self._urls: dict[str, str] = {}
        self._fingerprints: dict[str, str] = {}

    # ------------------------------------------------------------ the online loop (by hand:
    # no library keeps running TF-IDF story representations with a window and a time decay)

    def add(self, doc: StoryDoc) -> str:
        """The id of the story ``doc`` joins, or of the new story it starts; ids never change."""
        if doc.day is not None and (self._clock is None or doc.day > self._clock):
            self._clock = doc.day
            self._expire()
        twin = self._twin(doc)
        if twin is not None:
            self._touch(self._stories[twin], doc.day)
            self._remember(doc, twin)
            return twin
        self._count(doc.headline_terms + doc.body_terms)
        vectors = (self._vector(doc.headline_terms), self._vector(doc.body_terms))
        story_ids, dots = self._scores(vectors)
        best, best_score = None, -1.0
        for k, sid in enumerate(story_ids):
            story = self._stories[sid]
            gap = story.gap(doc.day)
            if gap > self.window_days or story.span_with(doc.day) > self.span_days:
                continue
            score = self._similarity(story, [d[k] for d in dots], vectors) * math.exp(-0.5 * (gap / self.decay_days) ** 2)
            if score > best_score:
                best, best_score = sid, score
        if best is None or best_score < self.threshold:
            best = f"s{self._next}"
            self._next += 1
            self._stories[best] = _Story(best, doc.day, doc.day, self._clock, [0] * VIEWS)
        story = self._stories[best]
        for v, (ids, _) in enumerate(vectors):
            story.sizes[v] += len(ids) > 0
        self._touch(story, doc.day)
        self._rows.append(_Row(best, vectors, doc.url, doc.fingerprint))
        self._remember(doc, best)
        if len(self._rows) - self._built >= self.REBUILD_EVERY:
            self._rebuild()
        return best

    def _twin(self, doc: StoryDoc) -> str | None:
        for key, seen in ((doc.url, self._urls), (doc.fingerprint, self._fingerprints)):
            if key is not None and key in seen and seen[key] in self._stories:
                return seen[key]
        return None

    def _remember(self, doc: StoryDoc, story_id: str) -> None:
        if doc.url is not None:
            self._urls.setdefault(doc.url, story_id)
        if doc.fingerprint is not None:
            self._fingerprints.setdefault(doc.fingerprint, story_id)

    def _touch(self, story: _Story, day: datetime.date | None) -> None:
        story.touched = self._clock
        if day is not None:
            story.first = day if story.first is None else min(story.first, day)
            story.last = day if story.last is None else max(story.last, day)

    def _count(self, terms: Sequence[str]) -> None:
        """Count an article's distinct terms into the document frequencies."""
        self._n_docs += 1
        for term in set(terms):
            i = self._vocab.get(term)
            if i is None:
                i = self._vocab[term] = len(self._df)
                self._df.append(0)
            self._df[i] += 1

    def _vector(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The L2-normalised TF-IDF vector (1 + log tf, smoothed IDF) of counted terms, as
        (term ids, weights)."""
        counts: dict[int, int] = {}
        for term in terms:
            i = self._vocab[term]
            counts[i] = counts.get(i, 0) + 1
        ids = np.fromiter(counts, dtype=np.int64, count=len(counts))
        if not len(ids):
            return ids, np.zeros(0)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        df = np.asarray([self._df[i] for i in counts], dtype=np.float64)
        weights = tf * (np.log((1.0 + self._n_docs) / (1.0 + df)) + 1.0)
        return ids, weights / np.linalg.norm(weights)

    def _scores(self, vectors) -> tuple[list[str], list[np.ndarray]]:
        """The active stories' ids and, per view, the sum of the article's dot products with
        each story's articles."""
        ids = list(self._stories)
        index = {sid: k for k, sid in enumerate(ids)}
        rows = self._rows
        owner = np.fromiter((index[r.story] for r in rows), dtype=np.int64, count=len(rows))
        dots = []
        for v, (terms, weights) in enumerate(vectors):
            per_row = np.zeros(len(rows))
            if len(terms) and rows:
                query = np.zeros(len(self._df))
                query[terms] = weights
                csr = self._matrices[v]
                if csr is not None:
                    per_row[: self._built] = csr @ query[: csr.shape[1]]
                for r in range(self._built, len(rows)):
                    row_ids, row_weights = rows[r].vectors[v]
                    per_row[r] = query[row_ids] @ row_weights
            dots.append(np.bincount(owner, weights=per_row, minlength=len(ids)))
        return ids, dots

    def _similarity(self, story: _Story, dots: list[float], vectors) -> float:
        """The weighted mean cosines; a view the article or the story lacks leaves the other alone."""
        total = weight = 0.0
        for d, size, (ids, _), w in zip(dots, story.sizes, vectors, (self.headline_weight, 1.0 - self.headline_weight)):
            if size and len(ids):
                total += w * d / size
                weight += w
        return total / weight if weight else 0.0

    def _expire(self) -> None:
        """Stories idle for more than the window (by the clock) leave, with their rows."""
        gone = [sid for sid, s in self._stories.items()
                if (since := s.idle_since()) is not None and (self._clock - since).days > self.window_days]
        if not gone:
            return
        for sid in gone:
            del self._stories[sid]
        self._urls = {k: v for k, v in self._urls.items() if v in self._stories}
        self._fingerprints = {k: v for k, v in self._fingerprints.items() if v in self._stories}
        self._rows = [r for r in self._rows if r.story in self._stories]
        self._rebuild()

    def _rebuild(self) -> None:
        rows = self._rows
        for v in range(VIEWS):
            if not rows:
                self._matrices[v] = None
                continue
            lengths = np.fromiter((len(r.vectors[v][0]) for r in rows), dtype=np.int64, count=len(rows))
            indptr = np.concatenate(([0], np.cumsum(lengths)))
            indices = np.concatenate([r.vectors[v][0] for r in rows])
            data = np.concatenate([r.vectors[v][1] for r in rows])
            self._matrices[v] = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(self._df)))
        self._built = len(rows)

    # ------------------------------------------------------------ state

    def to_state(self) -> dict:
        """Everything the grouper knows, JSON-able; :meth:`from_state` goes on exactly here."""
        return {
            "version": STATE_VERSION,
            "params": {"threshold": self.threshold, "window_days": self.window_days,
                       "headline_weight": self.headline_weight, "decay_days": self.decay_days,
                       "span_days": self.span_days},
            "clock": _iso(self._clock),
            "next": self._next,
            "n_docs": self._n_docs,
            "vocab": list(self._vocab),
            "df": list(self._df),
            "stories": [[s.id, _iso(s.first), _iso(s.last), _iso(s.touched), s.sizes] for s in self._stories.values()],
            "rows": [[r.story, [[ids.tolist(), w.tolist()] for ids, w in r.vectors], r.url, r.fingerprint]
                     for r in self._rows],
            "urls": self._urls,
            "fingerprints": self._fingerprints,
        }

    @classmethod
    def from_state(cls, state: dict) -> StoryGrouper:
        """A grouper that goes on where the one that saved ``state`` (:meth:`to_state`) stopped."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"이야기 묶음 상태의 버전이 다릅니다: {state.get('version')!r} (지원: {STATE_VERSION})")
        grouper = cls(**state["params"])
        grouper._clock = day_of(state["clock"])
        grouper._next = state["next"]
        grouper._n_docs = state["n_docs"]
        grouper._vocab = {term: i for i, term in enumerate(state["vocab"])}
        grouper._df = list(state["df"])
        grouper._stories = {
            sid: _Story(sid, day_of(first), day_of(last), day_of(touched), list(sizes))
            for sid, first, last, touched, sizes in state["stories"]
        }
        grouper._rows = [
            _Row(sid, tuple((np.asarray(ids, dtype=np.int64), np.asarray(w, dtype=np.float64)) for ids, w in vectors),
                 url, fp)
            for sid, vectors, url, fp in state["rows"]
        ]
        grouper._urls = dict(state["urls"])
        grouper._fingerprints = dict(state["fingerprints"])
        grouper._rebuild()
        return grouper


def _iso(day: datetime.date | None) -> str | None:
    return None if day is None else day.isoformat()


def day_of(value: str | datetime.date | None) -> datetime.date | None:
    """A date from an ISO ``YYYY-MM-DD`` string (as :class:`Article` keeps it) or a date."""
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def reading_order(days: Sequence[datetime.date | None]) -> list[int]:
    """Indices in date order, stable; an undated item keeps its place after the dated one before it."""
    keys, last = [], None
    for day in days:
        last = day if day is not None else last
        keys.append(last)
    first = next((d for d in keys if d is not None), None)
    return sorted(range(len(days)), key=lambda i: keys[i] or first or datetime.date.min)


def group_docs(docs: Sequence[StoryDoc], **params) -> list[int]:
    """Story index per doc (0.. in order of first appearance in ``docs``): one
    :class:`StoryGrouper` pass in date order (undated docs keep their place)."""
    grouper = StoryGrouper(**params)
    ids: list[str | None] = [None] * len(docs)
    for i in reading_order([d.day for d in docs]):
        ids[i] = grouper.add(docs[i])
    numbers: dict[str, int] = {}
    return [numbers.setdefault(sid, len(numbers)) for sid in ids]
