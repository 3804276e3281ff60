"""Modality and time of sentences, from the morphemes Kiwi already produced.

A sentence either reports something (done, happening, said) or forecasts it (예정, 전망, 계획,
-ㄹ 것으로 알려졌다/보인다, -ㄹ 가능성, -겠-, a present-tense verb with a future time word).
Across articles, a forecast that another article (not older) reports as done is superseded.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from scipy import sparse

from .document import Sentence
from .korean import Morpheme
from .textrank import row

REPORTED = "reported"
FORECAST = "forecast"

# "-ㄹ NOUN" that makes the clause a plan or a prediction: 논의할 예정이다, 타진할 전망이다.
_PLAN_NOUNS = frozenset({"예정", "전망", "계획", "방침", "예상", "관측", "가능", "듯"})
# "-ㄹ 것으로 VERB": hearsay or inference about what is to come (만날 것으로 알려졌다).
_HEARSAY_VERBS = frozenset({"알려지", "보이", "예상되", "전망되", "관측되", "점쳐지", "전하", "예상", "전망", "관측", "기대"})
# Words that put a present-tense verb in the future (올트먼, 내일 이재용 만난다).
_FUTURE_WORDS = frozenset({"내일", "모레", "향후", "내주", "내달", "내년", "앞으로", "추후", "조만간"})
_NEXT_UNITS = frozenset({"달", "주", "해", "날", "주말"})
_FUTURE_ETM = frozenset({"ᆯ", "을", "ㄹ"})
# Quotation particle, and connective endings that close an indirect quote (…했다고 밝혔다).
_QUOTE_END = frozenset({"JKQ"})
_QUOTE_EC = frozenset({"다고", "라고", "냐고", "자고"})
# Verbs too general to name a happening (있다, 되다, 하다).
_LIGHT_VERBS = frozenset({"있", "없", "되", "하", "이루어지", "나오", "보이", "알려지", "전하", "밝히", "말하"})
# Ways of saying "meet" in news reports, folded into one action.
_MEET = frozenset({"만나", "만남", "회동", "면담", "회담", "미팅", "접견"})
_MEET_KEY = "만나"
# Share of an article's full sentences that forecast, from which the article is a preview.
PREVIEW_SHARE = 0.35
# Cosine (TF-IDF) at which a report settles a forecast about the same happening.
SETTLE_SIMILARITY = 0.2

_REPORTING_DAY = re.compile(
    r"(?<!\d)(\d{1,2})일\s{0,3}(?:[가-힣]{1,20}\s{0,3}){0,2}(?:에\s{0,3})?따르면|[다고]\s{0,3}(\d{1,2})일\s{0,3}(?:밝혔|발표했|전했|말했)"
)
# A digit and 일 side by side, which every match of _REPORTING_DAY holds at most 5 characters
# after its start: the search starts there, not at each character of the article before it.
_DAY_MARK = re.compile(r"\d일")
_TIME = re.compile(
    r"(오전|오후|새벽|밤|저녁)?\s{0,3}(\d{1,2})\s{0,3}시(?:\s{0,3}(\d{1,2})\s{0,3}분|\s{0,3}(반))?(?!간|대|점|즌|장|청|민|의회)"
)
# A digit before 시 (at most 3 spaces between), which every match of _TIME holds at most 6
# characters after its start: the search starts there (and a text without one is not searched).
_CLOCK_MARK = re.compile(r"\d\s{0,3}시")


def _tail(morphemes: Sequence[Morpheme]) -> Sequence[Morpheme]:
    """The sentence's own clause chain: what follows the last quotation particle, so quoted words
    ("…할 것"이라고 말했다) do not count as the reporter's own forecast."""
    for k in range(len(morphemes) - 1, -1, -1):  # from the end: the last one is found first
        tag = morphemes[k].tag
        if tag in _QUOTE_END or (tag == "EC" and morphemes[k].form in _QUOTE_EC):
            return morphemes[k + 1 :]
    return morphemes[:]


def _has_future_construction(ms: Sequence[Morpheme]) -> bool:
    for k, m in enumerate(ms):
        tag = m.tag
        if tag == "EP" and m.form == "겠":
            return True
        if tag != "ETM" or m.form not in _FUTURE_ETM:
            continue
        nxt = ms[k + 1] if k + 1 < len(ms) else None
        if nxt is None:
            continue
        if nxt.form in _PLAN_NOUNS and nxt.tag in ("NNG", "NNB", "XR"):
            return True
        if nxt.form == "것" and nxt.tag == "NNB":
            after = ms[k + 2 : k + 5]
            if any(a.tag == "VCP" for a in after[:1]):  # -ㄹ 것이다
                return True
            if after and after[0].form in ("으로", "로") and any(a.form in _HEARSAY_VERBS for a in after[1:]):
                return True
    return False


def _main_predicate(ms: Sequence[Morpheme]) -> Sequence[Morpheme]:
    """The endings and auxiliaries between the last predicate stem and the final ending."""
    end = next((k for k in range(len(ms) - 1, -1, -1) if ms[k].tag == "EF"), None)  # the last one
    if end is None:
        return ()
    k = end - 1
    while k >= 0 and ms[k].tag in ("EP", "VX", "EC", "XSV", "XSA"):
        k -= 1
    return ms[k + 1 : end]


def _main_predicate_past(ms: Sequence[Morpheme]) -> bool:
    """Whether the last predicate before the sentence's final ending carries a past marker."""
    return any(m.tag == "EP" and m.form in ("었", "았", "였", "ᆻ") for m in _main_predicate(ms))


def completed(morphemes: Sequence[Morpheme]) -> bool:
    """A report of something done: past main predicate, not a lasting state (해왔다, 하고 있었다)."""
    chain = _main_predicate(_tail(morphemes))
    past = any(m.tag == "EP" and m.form in ("었", "았", "였", "ᆻ") for m in chain)
    return past and not any(m.tag == "VX" and m.form in ("오", "있") for m in chain)


def _names_future(ms: Sequence[Morpheme]) -> bool:
    """A future time word: 내일, 향후, 다음 달, 오는 10일."""
    for k, m in enumerate(ms):
        form = m.form
        if form in _FUTURE_WORDS and m.tag in ("NNG", "MAG", "NNP"):
            return True
        if form == "다음" and k + 1 < len(ms) and ms[k + 1].form in _NEXT_UNITS:
            return True
        if form == "오" and m.tag == "VV" and k + 2 < len(ms) and ms[k + 1].form == "는" and ms[k + 2].tag == "SN":
            return True
    return False


def present_tense(morphemes: Sequence[Morpheme]) -> bool:
    """The sentence's own main verb is in the present tense (만난다, 논의한다), which Korean news
    also uses for what is scheduled."""
    tail = _tail(morphemes)
    tags = {m.tag for m in tail}
    return "EF" in tags and ("VV" in tags or "XSV" in tags) and not _main_predicate_past(tail)


def preview_forecasts(
    sentences: Sequence[Sentence], modalities: Sequence[str], full: Sequence[bool]
) -> list[str]:
    """In an article written ahead of what it describes (at least PREVIEW_SHARE of its full
    sentences forecast), its present-tense sentences are forecasts too."""
    counts: dict[int, list[int]] = {}
    for s, kind, is_full in zip(sentences, modalities, full):
        if is_full:
            c = counts.setdefault(s.article, [0, 0])
            c[0] += kind == FORECAST
            c[1] += 1
    previews = {a for a, (f, n) in counts.items() if n and f / n >= PREVIEW_SHARE}
    return [
        FORECAST if s.article in previews and kind == REPORTED and present_tense(s.morphemes) else kind
        for s, kind in zip(sentences, modalities)
    ]


def reporting_day(text: str) -> int | None:
    """The day of the month an article says it reports from ("3일 업계에 따르면", "…고 13일
    밝혔다"), for articles whose full date is unknown."""
    first = _DAY_MARK.search(text)
    m = _REPORTING_DAY.search(text, max(first.start() - 5, 0)) if first else None  # its lookbehind sees text before
    return int(next(g for g in m.groups() if g)) if m else None


def modality(
    morphemes: Sequence[Morpheme],
    when: date | None = None,
    article_time: date | None = None,
    days: frozenset[int] = frozenset(),
    article_day: int | None = None,
    present: bool | None = None,
) -> str:
    """``FORECAST`` when the sentence announces, plans or predicts rather than reports.

    ``when`` is the day the sentence names (if any), ``article_time`` the article's own time: a
    present-tense verb about a later day than the article's is a forecast (내일 만난다). Without
    a full date, ``days`` (days of the month the sentence names) are compared with the
    ``article_day`` the article reports from. ``present``: :func:`present_tense` of the
    morphemes, when the caller has it already.
    """
    tail = _tail(morphemes)
    if _has_future_construction(tail):
        return FORECAST
    if present_tense(morphemes) if present is None else present:
        if _names_future(tail):
            return FORECAST
        if when and article_time and when > article_time:
            return FORECAST
        if article_time is None and article_day and any(0 < d - article_day <= 14 for d in days):
            return FORECAST
    return REPORTED


def time_of_day(text: str) -> int | None:
    """Minutes after midnight of the first clock time the sentence states (오후 2시 40분 → 880)."""
    first = _CLOCK_MARK.search(text)
    m = _TIME.search(text, max(first.start() - 6, 0)) if first else None
    if not m:
        return None
    hour = int(m.group(2))
    if hour > 24:
        return None
    if m.group(1) in ("오후", "저녁", "밤") and hour < 12:
        hour += 12
    minute = 30 if m.group(4) else int(m.group(3) or 0)
    return hour * 60 + min(minute, 59)


def actions(morphemes: Sequence[Morpheme]) -> frozenset[str]:
    """The happenings a sentence speaks of: verb stems and the nouns of 하다/되다 verbs
    (만나, 논의, 방문), with the ways of saying "meet" folded into one."""
    found = set()
    for k, m in enumerate(morphemes):
        if m.tag == "VV" and m.form not in _LIGHT_VERBS:
            found.add(m.form)
        elif m.tag in ("XSV", "XSA") and k and morphemes[k - 1].tag == "NNG":
            found.add(morphemes[k - 1].form)
        elif m.form == "하" and k > 1 and morphemes[k - 1].tag == "JKO" and morphemes[k - 2].tag == "NNG":
            found.add(morphemes[k - 2].form)  # 요청을 하다
        elif m.tag == "NNG" and m.form in _MEET:
            found.add(m.form)
    return frozenset(_MEET_KEY if f in _MEET else f for f in found)


def _forecast_actions(morphemes: Sequence[Morpheme]) -> frozenset[str]:
    """What a forecast says will happen: the predicate before its future ending (만날 → 만나), or
    for 있다/되다 the noun they govern (논의가 있을 → 논의); for a present tense used of what is
    scheduled (찾는다), its main verb."""
    ms = _tail(morphemes)
    found = set()
    for k, m in enumerate(ms):
        if not ((m.tag == "ETM" and m.form in _FUTURE_ETM) or (m.tag == "EP" and m.form == "겠")):
            continue
        back = ms[max(k - 4, 0) : k]
        nouns = [b for b in back if b.tag == "NNG"]
        verb = back[-1] if back else None
        if verb is not None and verb.tag == "VV" and verb.form not in _LIGHT_VERBS:
            found.add(verb.form)
        elif nouns:
            found.add(nouns[-1].form)
    found = {_MEET_KEY if f in _MEET else f for f in found}
    if not found:
        ends = [k for k, m in enumerate(ms) if m.tag == "EF"]
        found = set(actions(ms[max(ends[-1] - 4, 0) : ends[-1]])) if ends else set()
    return frozenset(found)


def _content_ngrams(morphemes: Sequence[Morpheme], n: int = 3) -> set[tuple[str, ...]]:
    forms = [m.form for m in morphemes if m.tag in ("NNG", "NNP", "SL", "SN")]
    return {tuple(forms[k : k + n]) for k in range(len(forms) - n + 1)}


def _numbers(concepts: frozenset[str]) -> set[str]:
    """Amounts and counts a sentence names (dates and clock times are compared apart)."""
    return {c for c in concepts if c[:1].isdigit() and not c.endswith(("일", "월", "년", "시", "분"))}


def superseded(
    sentences: Sequence[Sentence],
    modalities: Sequence[str],
    article_times: dict[int, date | None],
    days: Sequence[frozenset[int]],
    similarity: sparse.csr_matrix,
) -> dict[int, list[int]]:
    """Forecasts that a report in another article settles, each with the reports that settle it.

    A report settles a forecast when it is about the same happening: close wording (cosine at
    least SETTLE_SIMILARITY), the forecast's action (or a run of three of its nouns) named in
    the report, a completed main verb there (not 해왔다), the forecast's numbers and day of month (if any) named there
    too (a report naming no day speaks of its article's day), and an article not known to be
    older than the forecast's (an older one reports an earlier occasion). ``days`` holds the
    day-of-month numbers each sentence names, ``similarity`` the sentences' cosines.
    """
    out: dict[int, list[int]] = {}
    seen: dict[int, tuple[frozenset[str], set[tuple[str, ...]]]] = {}
    done: dict[int, bool] = {}  # completed() of each report, read once (a report neighbours many forecasts)
    for f, kind in enumerate(modalities):
        if kind != FORECAST:
            continue
        fs = sentences[f]
        ids, values = row(similarity, f)
        reports = [  # the close ones, as Python ints
            r for r in ids[values >= SETTLE_SIMILARITY].tolist()
            if modalities[r] == REPORTED and sentences[r].article != fs.article
        ]
        if not reports:  # as in a briefing of one article
            continue
        wanted = _forecast_actions(fs.morphemes)
        ngrams = _content_ngrams(fs.morphemes)
        numbers = _numbers(fs.concepts)
        mine = article_times.get(fs.article)
        for r in reports:
            rs = sentences[r]
            if r not in done:
                done[r] = completed(rs.morphemes)
            if not done[r]:
                continue
            theirs = article_times.get(rs.article)
            if mine and theirs and theirs < mine:
                continue
            their_days = days[r] or (frozenset({theirs.day}) if theirs else frozenset())
            if days[f] and not days[f] & their_days:
                continue
            if numbers and not numbers & _numbers(rs.concepts):
                continue
            if r not in seen:
                seen[r] = (actions(rs.morphemes), _content_ngrams(rs.morphemes))
            their_actions, their_ngrams = seen[r]
            if not (wanted & their_actions or ngrams & their_ngrams):
                continue
            out.setdefault(f, []).append(r)
    return out
