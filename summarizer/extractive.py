"""The extractive engine: TextRank bullets of a Prepared briefing, chosen within the budget,
opened with what the outlets lead with, in reading order (beside summarizer.abstractive)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from .briefing import Bullet, Event
from .document import SUBJECTLESS
from .events import EventGroup
from .modality import FORECAST, REPORTED, present_tense, time_of_day
from .pipeline import SUPPORT_SIMILARITY, Prepared
from .textrank import near_duplicate, row, select

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
    # Each sentence's nearest sentence in every other article, all pairs at once: the similarity
    # entries to other articles, grouped by (sentence, article), keep their highest cosine and
    # where the article first turns up in the sentence's row (the order the credits are summed in).
    sim = prepared.similarity
    article = np.array([s.article for s in sentences], dtype=np.int64)
    width = int(article.max(initial=0)) + 1
    rows = np.repeat(np.arange(len(sentences)), np.diff(sim.indptr))
    other = article[sim.indices] != article[rows]
    keys = rows[other] * width + article[sim.indices[other]]
    order = np.argsort(keys, kind="stable")
    keys, first = np.unique(keys[order], return_index=True)
    nearest = np.maximum.reduceat(sim.data[other][order], first) if len(keys) else np.zeros(0)
    span = SUPPORT_SIMILARITY - LOOSE_SIMILARITY
    credits = np.minimum(1.0, np.maximum(0.0, nearest - LOOSE_SIMILARITY) / span)
    found: dict[int, list[tuple[int, int, float]]] = {}
    for key, place, credit in zip(keys.tolist(), order[first].tolist(), credits.tolist()):
        found.setdefault(key // width, []).append((place, key % width, credit))
    out = np.ones(len(sentences))
    for i in set(found) | set(settled):
        told = settled.get(i, set())  # an article that told of it ahead of time counts fully
        out[i] += sum([1.0 for _ in told] + [c for _, a, c in sorted(found.get(i, [])) if a not in told])
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
    alone = prepared.read_alone([sentence_id, *close])
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
        for i, read in zip(doubtful, prepared.read_alone(doubtful)):
            forms[i] = read
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
