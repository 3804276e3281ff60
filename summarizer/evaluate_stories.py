"""`ko-brief evaluate-stories`: story grouping scored on a labelled feed.

B-cubed precision, recall and F1 (Amigó et al. 2009) and pairwise F1 on the labelled articles,
per month and overall, for the online grouping (summarizer.stories), "every article alone", and
the plain batch baseline: Kiwi nouns of headline and body, TF-IDF over terms seen in at least two
articles, cosine, average-linkage clustering within each month, one threshold. The feed format is
``../shared/data/ko-news-feeds-dev.jsonl``: one article a line with ``headline``, ``text``,
``date``, ``press``, ``url`` and ``story`` (a label, or null for an unlabelled article).
"""
from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage

from summarizer import stories
from summarizer.articles import Article
from summarizer.errors import InputError

BASELINE_THRESHOLD = 0.25  # the baseline's best similarity threshold on the dev feed


@dataclass(frozen=True)
class LabelledArticle:
    key: str
    headline: str
    text: str
    day: datetime.date
    outlet: str | None
    url: str | None
    label: str | None

    @property
    def month(self) -> str:
        return self.day.isoformat()[:7]


def load_feed(path: str | Path) -> list[LabelledArticle]:
    """The articles of a labelled feed, in file order; keys are ``id`` or the line number."""
    out = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                out.append(LabelledArticle(
                    str(data.get("id", number)), data.get("headline") or "", data["text"],
                    datetime.date.fromisoformat(data["date"][:10]), data.get("press") or data.get("outlet"),
                    data.get("url"), data.get("story"),
                ))
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{number}: 기사 줄을 읽을 수 없습니다 ({exc})") from exc
    return out


# ---------------------------------------------------------------- scores


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    pairwise_f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(groups: Sequence[object], labels: Sequence[str]) -> Score:
    """B-cubed P/R/F1 and pairwise F1 of a grouping against labels (same length, labelled only)."""
    both = Counter(zip(groups, labels))
    in_group, in_label = Counter(groups), Counter(labels)
    n = len(labels)
    precision = sum(c * c / in_group[g] for (g, _), c in both.items()) / n
    recall = sum(c * c / in_label[lab] for (_, lab), c in both.items()) / n
    pairs = lambda counts: sum(c * (c - 1) / 2 for c in counts.values())  # noqa: E731
    same = pairs(both)
    pp = same / pairs(in_group) if pairs(in_group) else 1.0
    pr = same / pairs(in_label) if pairs(in_label) else 1.0
    return Score(precision, recall, _f1(precision, recall), _f1(pp, pr))


# ---------------------------------------------------------------- the systems


def story_docs(articles: Sequence[LabelledArticle]) -> list[stories.StoryDoc]:
    return stories.story_docs([Article(a.text, a.headline, a.outlet, a.day, a.url) for a in articles],
                              [a.key for a in articles])


def online(docs: Sequence[stories.StoryDoc], **params) -> list[str]:
    """Story ids of one grouper pass over the docs in date order."""
    grouper = stories.StoryGrouper(**params)
    ids: list[str] = [""] * len(docs)
    for i in stories.reading_order([d.day for d in docs]):
        ids[i] = grouper.add(docs[i])
    return ids


def day_by_day(docs: Sequence[stories.StoryDoc], **params) -> list[str]:
    """Story ids when each day's docs are added to a grouper loaded from the JSON state that the
    day before saved."""
    by_day: dict[datetime.date | None, list[int]] = defaultdict(list)
    for i in stories.reading_order([d.day for d in docs]):
        by_day[docs[i].day].append(i)
    ids: list[str] = [""] * len(docs)
    state = None
    for day_docs in by_day.values():
        grouper = stories.StoryGrouper(**params) if state is None else stories.StoryGrouper.from_state(json.loads(state))
        for i in day_docs:
            ids[i] = grouper.add(docs[i])
        state = json.dumps(grouper.to_state())
    return ids


def baseline(articles: Sequence[LabelledArticle], docs: Sequence[stories.StoryDoc],
             threshold: float = BASELINE_THRESHOLD) -> list[str]:
    """The plain batch baseline: one TF-IDF matrix of headline + body terms over the feed (terms in
    at least two articles; 1 + log tf, log N/df), average-linkage clustering of cosine distances
    within each month, cut at similarity ``threshold``."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for r, doc in enumerate(docs):
        for term in doc.headline_terms + doc.body_terms:
            rows.append(r)
            cols.append(vocab.setdefault(term, len(vocab)))
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(vocab)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocab))
    keep = np.flatnonzero(df >= 2)
    counts = counts[:, keep]
    counts.data = 1 + np.log(counts.data)
    tfidf = counts @ sparse.diags(np.log(len(docs) / df[keep]))
    norms = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
    tfidf = sparse.diags(1 / np.where(norms > 0, norms, 1)) @ tfidf
    groups = [""] * len(docs)
    months: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        months[a.month].append(i)
    for month, members in months.items():
        if len(members) == 1:
            groups[members[0]] = f"{month}:0"
            continue
        block = tfidf[members]
        distance = np.clip(1 - (block @ block.T).toarray(), 0, None)
        condensed = distance[np.triu_indices(len(members), 1)]
        labels = fcluster(linkage(condensed, method="average"), t=1 - threshold, criterion="distance")
        for i, lab in zip(members, labels):
            groups[i] = f"{month}:{lab}"
    return groups


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Row:
    system: str
    month: str  # "YYYY-MM" or "전체"
    articles: int
    score: Score


def score_rows(system: str, groups: Sequence[str], articles: Sequence[LabelledArticle]) -> list[Row]:
    labelled = [i for i, a in enumerate(articles) if a.label is not None]
    by_month: dict[str, list[int]] = defaultdict(list)
    for i in labelled:
        by_month[articles[i].month].append(i)
    out = []
    for month, members in sorted(by_month.items()) + [("전체", labelled)]:
        out.append(Row(system, month, len(members),
                       score([groups[i] for i in members], [articles[i].label for i in members])))
    return out


def format_table(rows: Sequence[Row], systems: Sequence[str]) -> str:
    months = list(dict.fromkeys(r.month for r in rows))
    at = {(r.system, r.month): r for r in rows}
    lines = ["| 월 | 기사 | " + " | ".join(f"{s} B³ P / R / F1 · 쌍 F1" for s in systems) + " |",
             "|---|---:|" + "---|" * len(systems)]
    for month in months:
        cells = []
        for s in systems:
            sc = at[(s, month)].score
            cells.append(f"{sc.precision:.3f} / {sc.recall:.3f} / **{sc.f1:.3f}** · {sc.pairwise_f1:.3f}")
        lines.append(f"| {month} | {at[(systems[0], month)].articles} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- disagreements


@dataclass(frozen=True)
class Disagreement:
    kind: str  # "merge": one story holds articles of two labels; "split": one label in two stories
    pairs: int  # article pairs the labels call wrong
    left: tuple[int, ...]  # article indices on each side
    right: tuple[int, ...]


def disagreements(groups: Sequence[str], articles: Sequence[LabelledArticle]) -> list[Disagreement]:
    """Every wrong merge (two labels in one story) and split (one label in two stories) on the
    labelled articles, largest first by the article pairs involved."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        if a.label is not None:
            cells[(groups[i], a.label)].append(i)
    by_group: dict[str, list[str]] = defaultdict(list)
    by_label: dict[str, list[str]] = defaultdict(list)
    for g, lab in cells:
        by_group[g].append(lab)
        by_label[lab].append(g)
    out = []
    for kind, index, key in (("merge", by_group, lambda g, x: (g, x)), ("split", by_label, lambda lab, x: (x, lab))):
        for outer, inner in index.items():
            for a_pos, a in enumerate(inner):
                for b in inner[a_pos + 1:]:
                    left, right = cells[key(outer, a)], cells[key(outer, b)]
                    out.append(Disagreement(kind, len(left) * len(right), tuple(left), tuple(right)))
    return sorted(out, key=lambda d: -d.pairs)


def run(path: str | Path, *, show: int = 10, day_by_day_check: bool = False,
        progress: Callable[[str], None] = lambda _: None, **params) -> str:
    """The report `ko-brief evaluate-stories` prints."""
    articles = load_feed(path)
    progress("Kiwi 형태소 분석 중…")
    docs = story_docs(articles)
    labelled = sum(a.label is not None for a in articles)
    systems = {"온라인 묶음 (ko-brief)": online(docs, **params),
               f"기준선 (TF-IDF, 월별 평균 연결, {BASELINE_THRESHOLD})": baseline(articles, docs),
               "모두 따로": [a.key for a in articles]}
    rows = [row for name, groups in systems.items() for row in score_rows(name, groups, articles)]
    out = [f"이야기 묶음 평가: {path} (기사 {len(articles)}건, 라벨 {labelled}건)\n",
           format_table(rows, list(systems))]
    if day_by_day_check:
        ids = day_by_day(docs, **params)
        single = [r for r in rows if r.system == next(iter(systems)) and r.month == "전체"][0].score
        daily = score_rows("하루씩", ids, articles)[-1].score
        same = sum(a == b for a, b in zip(ids, systems[next(iter(systems))]))
        out.append(f"\n하루씩 (상태 저장·불러오기): B³ F1 {daily.f1:.3f} (한 번에 {single.f1:.3f}, 차이 "
                   f"{daily.f1 - single.f1:+.3f}); 같은 이야기 id {same}/{len(ids)}건\n")
    if show:
        groups = systems[next(iter(systems))]
        out.append(f"\n가장 큰 불일치 (라벨 기준 틀린 병합·분리, 상위 {show}개씩)\n")
        found = disagreements(groups, articles)
        for kind, title in (("merge", "병합"), ("split", "분리")):
            for d in [d for d in found if d.kind == kind][:show]:
                out.append(f"- {title} {d.pairs}쌍\n")
                for side in (d.left, d.right):
                    a = articles[side[0]]
                    out.append(f"    [{a.label}] {a.day} {a.outlet}: {a.headline} (외 {len(side) - 1}건)\n")
    return "".join(out)
