"""Korean ROUGE on morphemes, and extractive baselines to compare against, per data subset.

rouge-score's default tokenizer keeps only ``[a-z0-9]`` and so deletes every Hangul character;
:class:`KiwiTokenizer` gives it Kiwi morphemes instead. Data files follow the format of
``../shared/data/ko-news-dev.jsonl``: one article a line, pre-split into ``article_sents``, with
``extractive_idx`` (human-chosen sentences) and/or ``abstractive`` (a written summary).
"""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from statistics import fmean

import numpy as np
from rouge_score.rouge_scorer import RougeScorer

from summarizer import korean
from summarizer.briefing import Briefing
from summarizer.errors import InputError
from summarizer.pipeline import read_text_file
from summarizer.textrank import near_duplicate

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
REFERENCES = ("extractive", "abstractive")
SUBSETS = ("sci-news", "Bflysoft", "other", "all")
# The public repositories the dev set's Bflysoft / AI Hub samples come from (see its README).
BFLYSOFT_SOURCES = ("kobertsum", "korbertsum", "dacon-ko-summarization")
_KEPT_SYMBOL_TAGS = frozenset({"SL", "SH", "SN"})  # foreign words, Hanja, numbers

# A system picks sentences of one pre-split article within a budget of k sentences.
System = Callable[[list[str], int], list[str]]


class KiwiTokenizer:
    """A rouge-score tokenizer: lower-cased Kiwi morpheme forms, punctuation and symbols left out.

    Each line is analysed once and cached, so a candidate made of article sentences costs a dict
    lookup; :meth:`prime` analyses many lines in one Kiwi call.
    """

    def __init__(self) -> None:
        self._lines: dict[str, tuple[str, ...]] = {}

    def prime(self, texts: Iterable[str]) -> None:
        """Analyse every not yet seen line of ``texts`` in one Kiwi call."""
        missing = list(dict.fromkeys(
            line for text in texts for line in text.split("\n") if line not in self._lines
        ))
        for line, morphemes in zip(missing, korean.tokenize(missing)):
            self._lines[line] = tuple(
                m.form.lower() for m in morphemes
                if not m.tag.startswith("S") or m.tag in _KEPT_SYMBOL_TAGS
            )

    def tokenize(self, text: str) -> list[str]:
        self.prime([text])
        return [token for line in text.split("\n") for token in self._lines[line]]


@dataclass(frozen=True)
class Record:
    """One article of a data file with its reference summaries."""

    id: str
    subset: str
    sentences: list[str]
    extractive: list[int] | None
    abstractive: str | None

    def reference(self, kind: str) -> str | None:
        """The reference text of ``kind`` ("extractive" or "abstractive"), or None if absent."""
        if kind == "extractive":
            if not self.extractive:
                return None
            return "\n".join(self.sentences[i] for i in sorted(set(self.extractive)))
        return self.abstractive or None


def subset_of(source: str) -> str:
    """The reporting subset of a record: sci-news-sum-kr-50, the Bflysoft samples, or other."""
    source = source.lower()
    if "sci-news" in source:
        return "sci-news"
    return "Bflysoft" if any(name in source for name in BFLYSOFT_SOURCES) else "other"


def _jsonl(path: str | Path, parse, what: str) -> list:
    """``parse(obj, line_number)`` of each non-blank line of a JSONL file; an unreadable file or a
    malformed line raises InputError naming the file (and line), ``what`` saying what was expected."""
    path = Path(path)
    try:
        lines = read_text_file(path).split("\n")  # not splitlines(): U+2028 may sit inside a record
    except OSError as exc:
        raise InputError(f"평가 데이터를 읽을 수 없습니다: {path} ({exc})") from exc
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(parse(json.loads(line), number))
        except (json.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
            raise InputError(f"{path}:{number}: {what} 형식이 아닙니다 ({exc})") from exc
    return out


def load_records(path: str | Path) -> list[Record]:
    """Read a data file; a malformed line raises InputError naming the file and line."""
    records = _jsonl(path, _record, "평가 데이터")
    if not records:
        raise InputError(f"평가할 기사가 없습니다: {path}")
    if not any(r.extractive or r.abstractive for r in records):
        raise InputError(f"참조 요약(extractive_idx 또는 abstractive)이 있는 기사가 없습니다: {path}")
    return records


def _record(data: dict, number: int) -> Record:
    sentences = data["article_sents"]
    if not isinstance(sentences, list) or not sentences or not all(
        isinstance(s, str) for s in sentences
    ):
        raise ValueError("article_sents must be a non-empty list of strings")
    # A sentence must stay one line: the tokenizer caches by line.
    sentences = [" ".join(s.split()) for s in sentences]
    extractive = data.get("extractive_idx")
    if extractive is not None and not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(sentences) for i in extractive
    ):
        raise ValueError("extractive_idx must index article_sents")
    abstractive = data.get("abstractive")
    if abstractive is not None and not isinstance(abstractive, str):
        raise ValueError("abstractive must be a string or null")
    return Record(
        id=str(data.get("id", number)),
        subset=subset_of(str(data.get("source", ""))),
        sentences=sentences,
        extractive=extractive,
        abstractive=" ".join(abstractive.split()) if abstractive else None,
    )


def lead(sentences: list[str], k: int) -> list[str]:
    """Lead-k: the first k sentences."""
    return sentences[:k]


def textrank(sentences: list[str], k: int) -> list[str]:
    """Our TextRank (the same filtering and ranking as ``summarize``) on one article."""
    from summarizer.textrank import select_sentences

    return [sentences[i] for i in select_sentences(sentences, k)]


def textrankr_summarizer() -> Callable[[str, int], list[str]] | None:
    """textrankr (a peer), if installed, on raw text, fed Kiwi morphemes as its README suggests."""
    try:
        from textrankr import TextRank
    except ImportError:
        return None
    ranker = TextRank(kiwi_morphs)
    return lambda text, k: ranker.summarize(text, k, verbose=False)


def textrankr_system() -> System | None:
    """textrankr as a System over whole sentences.

    textrankr re-splits its input at every ``.``/``!``/``?``, so its picks can be pieces of an
    article sentence; each piece counts as the sentence it comes from, and textrankr is asked for
    more pieces until it covers k sentences (or has no more), so it gets the same budget as the others.
    """
    peer = textrankr_summarizer()
    if peer is None:
        return None

    def system(sentences: list[str], k: int) -> list[str]:
        text = "\n".join(sentences)
        picked: list[int] = []
        for pieces in count(k):
            found = peer(text, pieces)
            picked = sorted({next(i for i, s in enumerate(sentences) if piece in s) for piece in found})
            if len(picked) >= k or len(found) < pieces:
                break
        return [sentences[i] for i in picked]

    return system


def kiwi_morphs(text: str) -> list[str]:
    """All Kiwi morpheme forms of ``text``: the tokenizer function handed to textrankr."""
    return [m.form for m in korean.tokenize([text])[0]]


def default_systems(with_textrankr: bool = True) -> dict[str, System]:
    """Our TextRank, Lead-k and, where installed and wanted, textrankr."""
    systems: dict[str, System] = {"TextRank": textrank, "Lead": lead}
    peer = textrankr_system() if with_textrankr else None
    if peer is not None:
        systems["textrankr"] = peer
    return systems


def oracle(sentences: list[str], reference: str, k: int, scorer: RougeScorer) -> list[str]:
    """Greedy extractive oracle: add the sentence that most raises ROUGE-1 + ROUGE-2 F1, at most k.

    The upper bound for a system that picks k whole sentences of the article.
    """
    chosen: list[int] = []
    best = 0.0
    for _ in range(min(k, len(sentences))):
        gains = []
        for i in range(len(sentences)):
            if i in chosen:
                continue
            candidate = "\n".join(sentences[j] for j in sorted([*chosen, i]))
            scores = scorer.score(reference, candidate)
            gains.append((scores["rouge1"].fmeasure + scores["rouge2"].fmeasure, -i))
        gain, neg_i = max(gains)
        if gain <= best:
            break
        best = gain
        chosen.append(-neg_i)
    return [sentences[i] for i in sorted(chosen)]


@dataclass(frozen=True)
class Row:
    """Mean F1 of one system against one kind of reference over one subset."""

    subset: str
    reference: str
    system: str
    n: int
    rouge1: float
    rouge2: float
    rougeL: float


def evaluate(
    records: Sequence[Record],
    k: int = 3,
    systems: dict[str, System] | None = None,
    with_oracle: bool = True,
) -> list[Row]:
    """Morpheme ROUGE F1 of each system, per subset and overall, against each reference kind."""
    if k < 1:
        raise InputError("문장 수(k)는 1 이상이어야 합니다.")
    systems = default_systems() if systems is None else systems
    tokenizer = KiwiTokenizer()
    tokenizer.prime(
        [s for r in records for s in r.sentences] + [r.abstractive for r in records if r.abstractive]
    )
    scorer = RougeScorer(list(ROUGE_TYPES), tokenizer=tokenizer)
    oracle_scorer = RougeScorer(["rouge1", "rouge2"], tokenizer=tokenizer)

    scores: dict[tuple[str, str, str], list[tuple[float, ...]]] = defaultdict(list)
    for record in records:
        outputs = {name: system(record.sentences, k) for name, system in systems.items()}
        for kind in REFERENCES:
            reference = record.reference(kind)
            if reference is None:
                continue
            candidates = dict(outputs)
            if with_oracle:
                candidates["oracle"] = oracle(record.sentences, reference, k, oracle_scorer)
            for name, chosen in candidates.items():
                result = scorer.score(reference, "\n".join(chosen))
                f1 = tuple(result[t].fmeasure for t in ROUGE_TYPES)
                for subset in (record.subset, "all"):
                    scores[subset, kind, name].append(f1)

    names = [*systems, *(["oracle"] if with_oracle else [])]
    rows = []
    for subset in SUBSETS:
        for kind in REFERENCES:
            for name in names:
                values = scores.get((subset, kind, name))
                if values:
                    means = [fmean(column) for column in zip(*values)]
                    rows.append(Row(subset, kind, name, len(values), *means))
    return rows


_REFERENCE_LABELS = {"extractive": "추출 요약", "abstractive": "생성 요약"}
_SUBSET_LABELS = {"other": "기타", "all": "전체"}


def format_table(rows: Sequence[Row], k: int) -> str:
    """A markdown table of the rows (F1, three decimals)."""
    lines = [
        "| 구분 | 기사 수 | 참조 | 시스템 | ROUGE-1 | ROUGE-2 | ROUGE-L |",
        "|---|---:|---|---|---:|---:|---:|",
    ]
    for row in rows:
        name = f"Lead-{k}" if row.system == "Lead" else row.system
        lines.append(
            f"| {_SUBSET_LABELS.get(row.subset, row.subset)} | {row.n} | "
            f"{_REFERENCE_LABELS[row.reference]} | {name} | "
            f"{row.rouge1:.3f} | {row.rouge2:.3f} | {row.rougeL:.3f} |"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- multi-outlet clusters
#
# A cluster file (``../shared/data/ko-news-clusters-dev.jsonl``) holds one cluster a line:
# ``{"cluster": ..., "articles": [{"press", "date", "headline", "url", "text"}, ...]}``. The editors'
# headlines are the reference, so the systems see only the bodies (and press, date, url).

# What a bullet must never hold: an e-mail address, a reporter's byline, page script or CSS.
# These patterns are the measurement, kept apart from the cleaning rules they check.
_JUNK_PATTERNS = {
    "이메일": re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", re.I),
    "기자 표기": re.compile(
        r"(?:기자|특파원|통신원)\s*=|=\s*[가-힣]{2,4}\s*(?:기자|특파원)(?![가-힣])"
        r"|[가-힣]{2,4}\s*(?:[가-힣]{2,4}\s*)?(?:선임|전문|객원|수습)?(?:기자|특파원)\s*[\W_]*$"
        r"|(?:기자|특파원)\s*[\w.+-]+@"
    ),
    "스크립트·CSS": re.compile(
        r"\b(?:alert|function|googletag|document|window)\s*[.(]|\$\(|\bvar\s+\w+\s*=|[.#][\w-]+:(?:before|after)"
        r"|\{[^{}]*[\w-]+\s*:\s*[^{}]*[;}]"
    ),
}
# The reader's first glance: coverage is measured on this many characters of bullet text.
COVERAGE_CHARS = 300
HEADLINE_TAGS = frozenset({"NNG", "NNP", "SL", "SH", "SN", "VV", "VA"})


@dataclass(frozen=True)
class ClusterArticle:
    """One crawled article of a cluster."""

    press: str | None
    date: str | None
    headline: str
    url: str | None
    text: str


@dataclass(frozen=True)
class Cluster:
    id: str
    articles: list[ClusterArticle]


def load_clusters(path: str | Path) -> list[Cluster]:
    """Read a cluster file; a malformed line raises InputError naming the file and line."""
    clusters = _jsonl(path, _cluster, "클러스터 데이터")
    if not clusters:
        raise InputError(f"평가할 클러스터가 없습니다: {path}")
    return clusters


def _cluster(data: dict, number: int) -> Cluster:
    articles = data["articles"]
    if not isinstance(articles, list) or not articles:
        raise ValueError("articles must be a non-empty list")
    out = []
    for a in articles:
        if not isinstance(a.get("text"), str) or not isinstance(a.get("headline"), str):
            raise ValueError("each article needs text and headline strings")
        fields = {k: a.get(k) for k in ("press", "date", "url")}
        if not all(v is None or isinstance(v, str) for v in fields.values()):
            raise ValueError("press, date and url must be strings or null")
        out.append(ClusterArticle(headline=a["headline"], text=a["text"], **fields))
    return Cluster(str(data.get("cluster", number)), out)


def junk_kind(text: str) -> str | None:
    """Which kind of page junk a bullet holds (e-mail, byline, script/CSS), or None."""
    return next((kind for kind, pattern in _JUNK_PATTERNS.items() if pattern.search(text)), None)


def _within(texts: Iterable[str], max_chars: int) -> list[str]:
    """Whole texts, in order, while their characters fit ``max_chars``."""
    out, used = [], 0
    for text in texts:
        text = " ".join(text.split())
        if not text:
            continue
        if used + len(text) > max_chars:
            break
        out.append(text)
        used += len(text)
    return out


def cluster_briefing(articles: Sequence[ClusterArticle], max_chars: int) -> Briefing:
    """Our briefing (default settings) of articles' bodies with their press, date and URL; the
    headlines are withheld (they are the reference)."""
    from summarizer import Article, summarize

    return summarize([Article(a.text, outlet=a.press, date=a.date, url=a.url) for a in articles], max_chars=max_chars)


# A title made of single words joined by " · " ("김가나 · 한빛당 · 국회") is a keyword list, not a headline.
KEYWORD_TITLE = re.compile(r"^[^\s·]+(?: · [^\s·]+)+$")


def follows_its_sentence(briefing: Briefing) -> list[bool]:
    """For each bullet in reading order, whether its wording is the sentence right after the
    previous bullet's in the same article (at most a few blanks between them)."""
    bullets = briefing.bullets
    out = [False]
    for before, bullet in zip(bullets, bullets[1:]):
        a, b = before.sources[0], bullet.sources[0]
        out.append(a.article == b.article and 0 <= b.start - a.end <= 3)
    return out[: len(bullets)]


@dataclass(frozen=True)
class StoryReading:
    """How briefings of one story each read (summarizer.standalone for the leaning rule)."""

    briefings: int
    sections: tuple[int, ...]  # per briefing: how many sections one story came out as
    single_bullet: int  # briefings with a section of one bullet
    keyword_titles: int  # sections titled by a keyword list
    bullets: int
    leaning: int  # bullets that lean on what is not there

    @property
    def mean_sections(self) -> float:
        return fmean(self.sections) if self.sections else 0.0


def story_reading(briefings: Sequence[Briefing]) -> StoryReading:
    """Sections per story, single-bullet sections, keyword titles and leaning bullets of
    briefings each made of one story's articles."""
    from summarizer.standalone import leaning

    sections, single, keyword, bullets, leaning_count = [], 0, 0, 0, 0
    for briefing in briefings:
        shown = [s for s in briefing.sections if s.bullets]
        sections.append(len(shown))
        single += any(len(s.bullets) == 1 for s in shown)
        keyword += sum(bool(s.title and KEYWORD_TITLE.match(s.title)) for s in shown)
        texts = [b.text for b in briefing.bullets]
        bullets += len(texts)
        leaning_count += sum(leaning(texts, follows_its_sentence(briefing)))
    return StoryReading(len(briefings), tuple(sections), single, keyword, bullets, leaning_count)


def format_story_table(reading: StoryReading) -> str:
    """A markdown table of :class:`StoryReading`."""
    share = reading.leaning / reading.bullets if reading.bullets else 0.0
    one = sum(n == 1 for n in reading.sections)
    return (
        "| 브리핑 | 이야기당 섹션 (평균) | 최대 | 섹션 1개인 브리핑 | 불릿 1개짜리 섹션이 있는 브리핑 | 키워드 나열 제목 "
        "| 불릿 | 기대는 불릿 |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {reading.briefings} | {reading.mean_sections:.2f} | {max(reading.sections, default=0)} | {one} "
        f"| {reading.single_bullet} | {reading.keyword_titles} | {reading.bullets} "
        f"| {reading.leaning} ({share:.1%}) |\n"
    )


@dataclass(frozen=True)
class MixReading:
    """Briefings of pasted mixes of several stories: is each story one section of its own?"""

    mixes: int
    stories: int
    one_section: int  # stories whose bullets are all in one section
    missing: int  # stories with no bullet at all
    sections_per_story: float  # mean, over the stories with bullets
    purity: float  # share of bullets in a section whose majority story is theirs


def mixes_of(clusters: Sequence[Cluster], count: int, size: int = 4, seed: int = 0) -> list[list[Cluster]]:
    """``count`` mixes of ``size`` clusters of different months (``YYYYMM:`` ids), drawn with a
    fixed seed so that the table is the same every run."""
    import random

    rng = random.Random(seed)
    by_month: dict[str, list[Cluster]] = {}
    for c in clusters:
        by_month.setdefault(c.id.split(":")[0], []).append(c)
    months = sorted(by_month)
    if len(months) < size:
        raise InputError(f"서로 다른 달의 클러스터가 {size}개 이상 있어야 합니다 (지금 {len(months)}개 달).")
    return [[rng.choice(by_month[m]) for m in rng.sample(months, size)] for _ in range(count)]


def mix_reading(mixes: Sequence[Sequence[Cluster]], max_chars: int, progress: bool = True) -> MixReading:
    """Summarize each mix (its articles in date order, as a paste of several stories would come)
    and measure whether each story is one section (:class:`MixReading`)."""
    from tqdm import tqdm

    stories = one = missing = agree = total = 0
    spread: list[int] = []
    for mix in tqdm(mixes, desc="섞은 묶음", unit="개", file=sys.stderr, disable=not progress):
        labelled = sorted(((a, k) for k, c in enumerate(mix) for a in c.articles), key=lambda x: x[0].date or "")
        story_of = [k for _, k in labelled]
        briefing = cluster_briefing([a for a, _ in labelled], max_chars)
        per_section = [[story_of[b.sources[0].article] for b in s.bullets] for s in briefing.sections if s.bullets]
        for k in range(len(mix)):
            n = sum(k in labels for labels in per_section)
            stories += 1
            missing += n == 0
            one += n == 1
            if n:
                spread.append(n)
        for labels in per_section:
            agree += max(labels.count(k) for k in set(labels))
            total += len(labels)
    return MixReading(len(mixes), stories, one, missing, fmean(spread) if spread else 0.0, agree / total if total else 0.0)


def format_mix_table(reading: MixReading) -> str:
    return (
        "| 섞은 묶음 | 이야기 | 섹션 하나에 모인 이야기 | 불릿 없는 이야기 | 이야기당 섹션 | 섹션 순도 |\n"
        "|---:|---:|---:|---:|---:|---:|\n"
        f"| {reading.mixes} | {reading.stories} | {reading.one_section} | {reading.missing} "
        f"| {reading.sections_per_story:.2f} | {reading.purity:.3f} |\n"
    )


def lead_bullets(cluster: Cluster, max_chars: int) -> list[str]:
    """Each article's first sentence (Kiwi split of the raw body), in article order."""
    firsts = [spans[0].text for spans in korean.split_sentences([a.text for a in cluster.articles]) if spans]
    return _within(firsts, max_chars)


def textrankr_bullets(peer: Callable[[str, int], list[str]]) -> Callable[[Cluster, int], list[str]]:
    """textrankr on the concatenated bodies: its picks in its order, as many as fit ``max_chars``."""

    def bullets(cluster: Cluster, max_chars: int) -> list[str]:
        text = "\n".join(a.text for a in cluster.articles)
        return _within(peer(text, max(1, max_chars // 50)), max_chars)

    return bullets


@dataclass(frozen=True)
class LeadComparison:
    """A system's headline coverage against the lead baseline's, cluster by cluster."""

    mean: float  # mean of the per-cluster differences (system minus lead)
    low: float  # 95% bootstrap confidence interval of that mean
    high: float
    wins: int  # clusters where the system covers more than the lead baseline
    losses: int  # clusters where it covers less


def compare_to_lead(system: Sequence[float], lead: Sequence[float], resamples: int = 10_000) -> LeadComparison:
    """Paired comparison of per-cluster coverages: the mean difference with a 95% bootstrap
    interval (scipy, BCa, a fixed seed so the table is reproducible) and the wins and losses."""
    from scipy.stats import bootstrap

    differences = np.asarray(system, dtype=float) - np.asarray(lead, dtype=float)
    mean = float(differences.mean())
    if len(differences) < 2 or np.ptp(differences) == 0:  # nothing to resample
        low = high = mean
    else:
        interval = bootstrap(
            (differences,), np.mean, n_resamples=resamples, rng=np.random.default_rng(0)
        ).confidence_interval
        low, high = float(interval.low), float(interval.high)
    return LeadComparison(mean, low, high, int((differences > 0).sum()), int((differences < 0).sum()))


@dataclass(frozen=True)
class ClusterRow:
    """One system's results over the clusters."""

    system: str
    clusters: int
    bullets: int
    junk: int  # bullets holding an e-mail, byline or script
    duplicates: int  # near-duplicate bullet pairs
    coverage: float  # mean share of headline content words in the first COVERAGE_CHARS
    versus_lead: LeadComparison | None = None  # None for the lead baseline itself


def near_duplicate_pairs(term_sets: Sequence[set[str]]) -> int:
    """Pairs of bullets that are near-duplicates by the selection's own test
    (:func:`summarizer.textrank.near_duplicate`)."""
    return sum(near_duplicate(a, b) for i, a in enumerate(term_sets) for b in term_sets[i + 1:])


def evaluate_clusters(
    clusters: Sequence[Cluster],
    max_chars: int = 1500,
    with_textrankr: bool = True,
    progress: bool = True,
) -> tuple[list[ClusterRow], dict[str, list[tuple[str, str]]], StoryReading]:
    """Junk bullets, near-duplicate pairs and headline coverage of each system over the clusters,
    and how our briefings of each cluster read as one story (:func:`story_reading`).

    Returns the rows, per system the ``(cluster id, bullet)`` pairs counted as junk, and the reading.
    """
    from tqdm import tqdm

    briefings: list[Briefing] = []

    def ours(cluster: Cluster, max_chars: int) -> list[str]:
        briefings.append(cluster_briefing(cluster.articles, max_chars))
        return [b.text for b in briefings[-1].bullets]

    systems: dict[str, Callable[[Cluster, int], list[str]]] = {"briefing": ours}
    peer = textrankr_summarizer() if with_textrankr else None
    if peer is not None:
        systems["textrankr"] = textrankr_bullets(peer)
    systems["lead"] = lead_bullets
    totals = {name: {"bullets": 0, "junk": 0, "duplicates": 0, "coverage": []} for name in systems}
    junk: dict[str, list[tuple[str, str]]] = {name: [] for name in systems}
    for cluster in tqdm(clusters, desc="클러스터", unit="개", file=sys.stderr, disable=not progress):
        outputs = {name: system(cluster, max_chars) for name, system in systems.items()}
        headlines = [a.headline for a in cluster.articles]
        views = ["\n".join(bullets)[:COVERAGE_CHARS] for bullets in outputs.values()]
        bullets = [b for out in outputs.values() for b in out]
        analysed = korean.tokenize(headlines + views + bullets)
        reference = set().union(*(korean.content_forms(m, HEADLINE_TAGS) for m in analysed[: len(headlines)]))
        analysed = analysed[len(headlines):]
        view_forms, analysed = analysed[: len(views)], analysed[len(views):]
        for (name, out), view in zip(outputs.items(), view_forms):
            terms, analysed = analysed[: len(out)], analysed[len(out):]
            total = totals[name]
            total["bullets"] += len(out)
            total["duplicates"] += near_duplicate_pairs([korean.content_forms(m) for m in terms])
            for bullet in out:
                if junk_kind(bullet):
                    total["junk"] += 1
                    junk[name].append((cluster.id, bullet))
            if reference:
                total["coverage"].append(len(reference & korean.content_forms(view, HEADLINE_TAGS)) / len(reference))
    lead = totals["lead"]["coverage"]
    rows = [
        ClusterRow(
            name, len(clusters), t["bullets"], t["junk"], t["duplicates"],
            fmean(t["coverage"]) if t["coverage"] else 0.0,
            compare_to_lead(t["coverage"], lead) if name != "lead" and lead else None,
        )
        for name, t in totals.items()
    ]
    return rows, junk, story_reading(briefings)


_SYSTEM_LABELS = {"briefing": "브리핑 (ko-brief)", "textrankr": "textrankr (본문 이어 붙임)", "lead": "Lead (기사별 첫 문장)"}


def format_cluster_table(rows: Sequence[ClusterRow]) -> str:
    """A markdown table of the cluster metrics, with each system's paired difference from the
    lead baseline (95% confidence interval) and its wins and losses against it."""
    lines = [
        f"| 시스템 | 클러스터 | 불릿 | 이메일·기자·스크립트 불릿 | 중복 불릿 쌍 | 제목 내용어 포함률(앞 {COVERAGE_CHARS}자) "
        "| Lead 대비 (95% 신뢰구간) | 이김/짐 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        versus = row.versus_lead
        paired = (
            f"{versus.mean:+.3f} ({versus.low:+.3f}~{versus.high:+.3f}) | {versus.wins}/{versus.losses}"
            if versus else "– | –"
        )
        lines.append(
            f"| {_SYSTEM_LABELS.get(row.system, row.system)} | {row.clusters} | {row.bullets} | "
            f"{row.junk} | {row.duplicates} | {row.coverage:.3f} | {paired} |"
        )
    return "\n".join(lines) + "\n"
