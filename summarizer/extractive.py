"""The extractive engine: TextRank bullets of a Prepared briefing, chosen within the budget,
opened with what the outlets lead with, in reading order (beside summarizer.abstractive)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from .briefing import Bullet, Event, Source
from .document import SUBJECTLESS, stand_alone_quality
from .korean import content_forms
from .modality import FORECAST, REPORTED, time_of_day
from .pipeline import SUPPORT_SIMILARITY, Prepared
from .standalone import droppable_opener, introduces, opens_leaning, short_references, unintroduced
from .textrank import SAME_FACT, near_duplicate, row, select

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
# ... and only if it keeps this share of the bullet's own content forms.
WORDING_KEEPS = 0.5
# A sentence that gives an earlier value of a quantity a later day's article restates (a toll, a
# count that grows) weighs this much: the latest value is the one to state.
STALE_FIGURE_WEIGHT = 0.5
# Sentences told apart (another day's happening, another value) count as this share of SAME_FACT
# similar to each other in selection: redundant enough to weigh, never the same fact.
TOLD_APART_SIMILARITY = 0.9
# A dropped connective leaves fewer words: the rest must stay this far from the near-duplicate limits.
TRIM_MARGIN = 0.1
# Choosing again without the picks that still lean on what is not there, at most this often.
STAND_ALONE_ROUNDS = 3


def support_weights(prepared: Prepared, candidates: Sequence[int]) -> np.ndarray:
    """How many distinct articles state each candidate's fact, softly (the other sentences weigh 1:
    selection reads no other): its own article counts 1, another article by how close its
    nearest sentence comes: 0 below LOOSE_SIMILARITY, 1 from SUPPORT_SIMILARITY, linear between
    (paraphrases of one quote across outlets rarely reach the same-fact threshold). An article
    whose forecast a report settles counts fully for it: it told of the same happening ahead of
    time."""
    sentences = prepared.sentences
    if len(prepared.articles) < 2:  # no other article to state a fact, nor to settle a forecast
        return np.ones(len(sentences))
    wanted = np.zeros(len(sentences), dtype=bool)
    wanted[list(candidates)] = True
    settled: dict[int, set[int]] = {}
    for f, reports in prepared.superseded.items():
        for r in reports:
            if wanted[r]:
                settled.setdefault(r, set()).add(sentences[f].article)
    # Each sentence's nearest sentence in every other article, all pairs at once: the similarity
    # entries to other articles, grouped by (sentence, article), keep their highest cosine and
    # where the article first turns up in the sentence's row (the order the credits are summed in).
    sim = prepared.similarity
    article = np.array([s.article for s in sentences], dtype=np.int64)
    width = int(article.max(initial=0)) + 1
    rows = np.repeat(np.arange(len(sentences)), np.diff(sim.indptr))
    other = (article[sim.indices] != article[rows]) & wanted[rows]
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


def _reading_order(prepared: Prepared, bullets: list[list[int]]) -> list[int]:
    """Order of an event's bullets (each a list of sentence ids, main one first): as the outlets
    tell it, leads first (the one most articles lead with first); the others sit where the earliest of their full-sentence sources sits in its own article (relative
    position, so a fact one outlet tells early comes before what all tell later; within one
    article this is the article's order). Bullets that state a clock time, leads aside, are put
    in time order among the places such bullets hold."""
    sentences = prepared.sentences
    counts = Counter(s.article for s in sentences)

    def place(ids: list[int]) -> float:
        told = [j for j in ids if sentences[j].is_full] or ids  # deck lines above a lead do not count
        return min(sentences[j].position / counts[sentences[j].article] for j in told)

    led = [len(prepared.leads.intersection(ids)) for ids in bullets]
    order = sorted(
        range(len(bullets)), key=lambda b: (-led[b], place(bullets[b]), -prepared.scores[bullets[b][0]])
    )
    clock = {b: t for b in order if not led[b] and (t := time_of_day(sentences[bullets[b][0]].text)) is not None}
    slots = [k for k, b in enumerate(order) if b in clock]
    for k, b in zip(slots, sorted(clock, key=lambda b: (clock[b], order.index(b)))):
        order[k] = b
    return order


def _keeps(prepared: Prepared, own: int, wording: int) -> bool:
    """Whether ``wording`` keeps at least WORDING_KEEPS of the content forms of the bullet's
    ``own`` wording: another source's words must say more of the fact, not another fact."""
    mine = prepared.forms[own]
    return not mine or len(mine & prepared.forms[wording]) >= WORDING_KEEPS * len(mine)


def lead_vocabulary(prepared: Prepared) -> Counter[str]:
    """How many articles name each content form in their lead or in a sub-headline (deck) line
    above it: what the outlets open with."""
    opening: dict[int, set[str]] = {}
    for s in prepared.sentences:
        if s.id in prepared.leads or (s.position == 0 and not s.is_full):
            opening.setdefault(s.article, set()).update(prepared.forms[s.id])
    return Counter(form for forms in opening.values() for form in forms)


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
    avoid: frozenset[int] | set[int] = frozenset(),
    quality: np.ndarray | None = None,
) -> list[int]:
    """The first event's opening: after the bullet the reading ``order`` puts first (its lead),
    the bullets that add the most lead vocabulary (:func:`lead_vocabulary`) per character, until
    OPENING_CHARS are used. Only wordings that lean on nothing before them (no anaphoric subject,
    connective opener, deck line or question: bullet quality of at least SUBJECTLESS) open.

    An opening bullet may take the wording of one of its sources that says more of it: a full
    sentence that keeps most of its content forms (:func:`_keeps`), stands as well alone
    (``standing`` within WORDING_MARGIN of the bullet's own), does not repeat another bullet (the ``picked`` sentences, :func:`_repeats`), is not one to
    ``avoid`` (it leans on what is not there) and keeps the briefing within its budget (``spare``
    characters). ``quality`` is each sentence's stand-alone quality as its bullet reads (a
    connective to be dropped does not count), by default :attr:`Sentence.bullet_quality`. ``bullets`` are changed in place so that
    the wording used comes first.
    """
    vocabulary = lead_vocabulary(prepared)
    sentences = prepared.sentences
    wordings = {
        b: [
            j for j in bullets[b]
            if (sentences[j].bullet_quality if quality is None else quality[j]) >= SUBJECTLESS  # leans on nothing
            and j not in avoid
            and (j == bullets[b][0] or standing[j] >= standing[bullets[b][0]] - WORDING_MARGIN and sentences[j].is_full
                 and _keeps(prepared, bullets[b][0], j))
        ]
        for b in order[1:]
    }

    # Each wording's forms that some article opens with: the rest count 0 (and the counts are
    # whole numbers, summed alike in any order).
    named = {j: prepared.forms[j] & vocabulary.keys() for js in wordings.values() for j in js}

    def gain(j: int) -> float:
        return sum(vocabulary[t] for t in named[j] - seen) / max(len(sentences[j].text), 1)

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
        close = {(a, b) for a, b in pairs if near_duplicate(forms[a], forms[b], REREAD_MARGIN)}
        doubtful = sorted({i for pair in close for i in pair} - reread)
        if not doubtful:  # nothing new to re-read: choosing again would give the same picks
            break
        changed = set()  # picks that read otherwise alone (a whole block of its article does not)
        for i, read in zip(doubtful, prepared.read_alone(doubtful)):
            if read != forms[i]:
                changed.add(i)
                forms[i] = read
        reread.update(doubtful)
        # Only a close pair or one whose forms changed can be a near-duplicate: the limits without
        # the margin are stricter, and the other pairs' forms are the ones found not close.
        if not any(
            near_duplicate(forms[a], forms[b]) for a, b in pairs if (a, b) in close or a in changed or b in changed
        ):
            break
    return picked


@dataclass
class _Bullet:
    """A bullet being arranged: its sentence ids (the wording first, then the further sources), its
    day on the timeline (Prepared.day_of, fixed before another wording may be taken) and how many
    characters of a leading connective its wording drops (standalone.droppable_opener)."""

    ids: list[int]
    day: date | None
    trim: int = 0


def _arrange(
    prepared: Prepared,
    picked: list[int],
    standing: np.ndarray,
    quality: np.ndarray,
    max_chars: int,
    avoid: set[int],
) -> list[tuple[int, list[list[_Bullet]]]]:
    """The picks as sections: (story, groups), the first group the story's lede, then one group per
    day in reading order (its timeline). The lede is what the outlets lead with, whichever day it
    happened: for the first story the bullets :func:`opening` chooses for the first OPENING_CHARS,
    for the others the bullet their reading order puts first."""
    lengths = [len(s.text) for s in prepared.sentences]
    by_story: dict[int, list[list[int]]] = {}
    for i in picked:
        by_story.setdefault(prepared.story_of(i), []).append([i] + prepared.same_fact(i, picked))
    out = []
    for story in prepared.story_order(set(by_story)):
        bullets = by_story[story]
        days = [prepared.day_of(ids) for ids in bullets]  # before an opening may change a wording
        order = _reading_order(prepared, bullets)
        if out:  # not the first story
            lede = order[:1]
        else:
            spare = max_chars - sum(lengths[i] for i in picked)
            lede = opening(prepared, bullets, order, standing, spare, picked, avoid, quality)
        by_day: dict[date | None, list[int]] = {}
        for b in range(len(bullets)):
            if b not in lede:
                by_day.setdefault(days[b], []).append(b)
        groups = [[_Bullet(bullets[b], days[b]) for b in lede]]
        for day in sorted(by_day, key=lambda d: (d is None, d or date.min)):
            mine = [bullets[b] for b in by_day[day]]
            groups.append([_Bullet(mine[b], day) for b in _reading_order(prepared, mine)])
        out.append((story, groups))
    return out


def _text(prepared: Prepared, bullet: _Bullet) -> str:
    return prepared.sentences[bullet.ids[0]].text[bullet.trim:]


def _follows(prepared: Prepared, before: _Bullet | None, bullet: _Bullet) -> bool:
    """Whether ``bullet``'s wording is the sentence right after ``before``'s in the same article."""
    if before is None:
        return False
    a, b = prepared.sentences[before.ids[0]], prepared.sentences[bullet.ids[0]]
    return a.article == b.article and a.position + 1 == b.position


def _text_start(prepared: Prepared, i: int) -> int:
    """Offset of sentence ``i``'s text (its leading blanks skipped) in its article's input."""
    s = prepared.sentences[i]
    raw = prepared.articles[s.article].original[s.start : s.end]
    return s.start + len(raw) - len(raw.lstrip())


def _stands_after_drop(prepared: Prepared, i: int) -> int:
    """Characters of a leading connective to drop from sentence ``i`` so that the rest stands as
    a sentence that names its subject, or 0 when it cannot be dropped."""
    s = prepared.sentences[i]
    cut = droppable_opener(s.text)
    if not cut:
        return 0
    start = _text_start(prepared, i) + cut
    rest = tuple(m for m in s.morphemes if m.start >= start)
    text = s.text[cut:]
    if opens_leaning(text) or stand_alone_quality(text, rest) < 1.0:
        return 0
    return cut


def _trim_repeats(prepared: Prepared, i: int, cut: int, others: Sequence[int]) -> bool:
    """Whether sentence ``i`` without its first ``cut`` characters comes close to repeating one of
    ``others`` (fewer words make a near-duplicate likelier)."""
    start = _text_start(prepared, i) + cut
    rest = content_forms(m for m in prepared.sentences[i].morphemes if m.start >= start)
    return any(near_duplicate(rest, prepared.forms[o], TRIM_MARGIN) for o in others)


def _stand_alone(prepared: Prepared, sections: list[tuple[int, list[list[_Bullet]]]], spare: int) -> set[int]:
    """Make every bullet stand alone (summarizer.standalone), in reading order, in place: a bullet
    that opens with a connective or reference moves right after the bullet it leans on (same
    article, the sentence before), or drops a connective it can do without, or takes a source's
    wording of the same fact (:func:`_keeps`) that stands alone; a surname-and-role mention ("김
    의원은") follows the bullet that introduces the person (moved before it when on the same day)
    or takes a source's wording that names them in full. Returns the wordings that still lean (to be chosen again without them)."""
    sentences = prepared.sentences
    told: list[str] = []
    leaning: set[int] = set()
    for _, days in sections:
        for day in days:
            for k in range(len(day)):  # leaning openers first go right after what they lean on
                i = day[k].ids[0]
                if opens_leaning(sentences[i].text) and i > 0:
                    before = next((b for b in day if b.ids[0] == i - 1 and _follows(prepared, b, day[k])), None)
                    if before is not None and before is not day[k]:
                        moved = day.pop(k)
                        day.insert(day.index(before) + 1, moved)
            k = 0
            while k < len(day):
                bullet = day[k]
                text = _text(prepared, bullet)
                follows = _follows(prepared, day[k - 1] if k else None, bullet)
                lean = opens_leaning(text) and not follows
                missing = unintroduced(text, told)
                if missing and not lean:
                    later = next(
                        (m for m in range(k + 1, len(day)) if not unintroduced(_text(prepared, day[m]), told)
                         and any(introduces(_text(prepared, day[m]), *who) for who in missing)),
                        None,
                    )
                    if later is not None:  # the bullet that introduces the person comes first
                        day.insert(k, day.pop(later))
                        continue
                others = (  # the other bullets' wordings, read only for a bullet that leans
                    [b.ids[0] for _, ds in sections for d in ds for b in d if b is not bullet] if lean or missing else []
                )
                cut = _stands_after_drop(prepared, bullet.ids[0]) if lean and not missing else 0
                if cut and not _trim_repeats(prepared, bullet.ids[0], cut, others):
                    bullet.trim = cut  # the rest stands: the connective goes
                    spare += cut
                elif lean or missing:
                    own = len(sentences[bullet.ids[0]].text)
                    wording = next(
                        (j for j in bullet.ids[1:]
                         if sentences[j].is_full and sentences[j].is_candidate and _keeps(prepared, bullet.ids[0], j)
                         and not opens_leaning(sentences[j].text) and not unintroduced(sentences[j].text, told)
                         and sentences[j].bullet_quality >= SUBJECTLESS and len(sentences[j].text) - own <= spare
                         and not _repeats(prepared, j, others)),
                        None,
                    )
                    if wording is None:
                        leaning.add(bullet.ids[0])
                    else:
                        spare -= len(sentences[wording].text) - own
                        bullet.ids.remove(wording)
                        bullet.ids.insert(0, wording)
                told.append(_text(prepared, bullet))
                k += 1
    return leaning


def _days_apart(prepared: Prepared, candidates: Sequence[int]) -> sparse.csr_matrix:
    """The similarity matrix for selection, in which candidates that tell different facts
    (:meth:`Prepared.told_apart`: another day's different happening, another value of a figure)
    fall below SAME_FACT: however alike their words, picking one does not rule out the other."""
    sim = prepared.similarity
    wanted = np.zeros(sim.shape[0], dtype=bool)
    wanted[list(candidates)] = True
    close = np.flatnonzero((sim.data >= SAME_FACT) & wanted[sim.indices])  # all rows at once
    rows = np.searchsorted(sim.indptr, close, side="right") - 1  # the row each entry is in
    close, rows = close[wanted[rows]], rows[wanted[rows]]
    changes = [
        k for k, i, j in zip(close.tolist(), rows.tolist(), sim.indices[close].tolist()) if prepared.told_apart(i, j)
    ]
    if not changes:
        return sim
    sim = sim.copy()
    sim.data[changes] = SAME_FACT * TOLD_APART_SIMILARITY
    return sim


def _never_introduced(prepared: Prepared, candidates: Sequence[int]) -> set[int]:
    """Candidates that name someone by surname and role ("김 의원은") whom no candidate of their
    story introduces by full name: as bullets they would always lean on what is not there."""
    sentences = prepared.sentences
    wanted: dict[tuple[int, str, str], list[int]] = {}
    for i in candidates:
        for _, surname, role in short_references(sentences[i].text):
            wanted.setdefault((prepared.story_of(i), surname, role), []).append(i)
    out = set()
    for (story, surname, role), ids in wanted.items():
        if not any(prepared.story_of(j) == story and introduces(sentences[j].text, surname, role) for j in candidates):
            out.update(ids)
    return out


def _figures_unstated(prepared: Prepared, picked: Sequence[int]) -> set[int]:
    """Picks that give an earlier value of a quantity whose latest value no pick states."""
    stated = set().union(*(prepared.news.get(i, set()) for i in picked))
    return {i for i in picked if prepared.stale.get(i, set()) - stated}


def textrank_events(prepared: Prepared, max_chars: int, redundancy: float) -> list[Event]:
    """Pick central, widely reported, stand-alone sentences within ``max_chars`` (forecasts another
    article settles are left out; an earlier value of a figure a later day restates weighs less);
    one section per story, its bullets on a timeline of days, each day in reading order."""
    sentences, scores = prepared.sentences, prepared.scores
    event_of = prepared.event_of
    candidates = [i for i in event_of if i not in prepared.superseded]
    restated = _restated_decks(prepared, candidates)
    candidates = [i for i in candidates if i not in restated]
    if not candidates:  # nothing long enough to be a bullet: fall back to any sentence with content
        candidates = [s.id for s in sentences if s.terms] or [s.id for s in sentences]
        event_of = {i: 0 for i in candidates}
    # Coverage groups: an event of one story (a mixed paste can have events that span stories).
    keys: dict[tuple[int, int], int] = {}
    groups = [
        keys.setdefault((prepared.story_of(i), event_of[i]), len(keys)) if i in event_of else -1
        for i in range(len(sentences))
    ]
    lengths = [len(s.text) for s in sentences]
    forecast = np.array(
        [
            FORECAST_WEIGHT if k == FORECAST else STATE_WEIGHT if prepared.present[s.id] else 1.0
            for s, k in zip(sentences, prepared.modality or [REPORTED] * len(sentences))
        ]
    )
    quality = np.array([s.bullet_quality for s in sentences])
    for i in candidates:  # a connective that will be dropped does not count against its sentence
        if _stands_after_drop(prepared, i) and not short_references(sentences[i].text):
            quality[i] = 1.0
    standing = quality * forecast
    merit = scores * standing * support_weights(prepared, candidates) ** SUPPORT_WEIGHT
    for i in prepared.stale:
        merit[i] *= STALE_FIGURE_WEIGHT
    wanted = set(candidates)  # selection reads the candidates' concepts alone
    concepts = [s.concepts if s.id in wanted else frozenset() for s in sentences]
    breadth = Counter(g for g, _ in {(groups[i], sentences[i].article) for i in candidates})
    weight = {g: n**BREADTH_WEIGHT for g, n in breadth.items()}
    similarity = _days_apart(prepared, candidates)
    excluded = _never_introduced(prepared, candidates)
    for _ in range(STAND_ALONE_ROUNDS):
        pool = [i for i in candidates if i not in excluded]
        picked = _distinct_picks(
            prepared,
            lambda: select(
                merit,
                similarity,
                lengths,
                pool,
                max_chars,
                redundancy,
                groups,
                concepts=concepts,
                group_weight=weight,
                articles=[s.article for s in sentences],
                forms=prepared.forms,
            ),
        )
        if not picked and pool:  # even the best sentence is over budget: shorten it
            picked = [max(pool, key=lambda i: scores[i])]
        sections = _arrange(prepared, picked, standing, quality, max_chars, excluded)
        spare = max_chars - sum(lengths[i] for i in picked)
        again = _stand_alone(prepared, sections, spare) | _figures_unstated(prepared, picked)
        if not again:
            break
        excluded |= again
    if again and len(again) < len(picked):  # still leaning after the last round: left out
        sections = [(story, [[b for b in g if b.ids[0] not in again] for g in groups]) for story, groups in sections]
    return [
        _section(prepared, story, groups[:1] + [g for g in groups[1:] if g], max_chars)
        for story, groups in sections if any(groups)
    ]


def _section(prepared: Prepared, story: int, groups: list[list[_Bullet]], max_chars: int) -> Event:
    """A story's section: its lede (the first group), then its timeline."""
    sentences = prepared.sentences
    bullets = []
    for day in groups:
        for bullet in day:
            ids = bullet.ids
            i = ids[0]
            text = _text(prepared, bullet)
            source = prepared.source(i)
            if bullet.trim:  # the Source points at the text without the dropped connective
                start = _text_start(prepared, i) + bullet.trim
                source = Source(source.article, start, source.end, prepared.articles[source.article].original[start : source.end])
            if len(text) > max_chars:
                text = text[: max(max_chars - 1, 1)] + "…"
                prepared.notes.append(f"가장 중요한 문장이 글자 수 제한({max_chars}자)보다 길어 줄이고 '…'로 표시했습니다.")
            bullets.append(
                Bullet(
                    text=text,
                    sources=[source] + [prepared.source(j) for j in ids[1:]],
                    support=len({sentences[j].article for j in ids}),
                    score=round(float(prepared.scores[i]), 6),
                    modality=prepared.modality[i] if prepared.modality else REPORTED,
                    date=bullet.day.isoformat() if bullet.day else None,
                )
            )
    first = min((b.date for b in bullets if b.date), default=None)
    return Event(prepared.titles[story] if prepared.titles else None, first, bullets, lede=len(groups[0]))
