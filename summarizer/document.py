"""Clean articles to sentences: offsets into the original input, content terms, one Kiwi call."""
from __future__ import annotations

import re
from functools import cached_property
from itertools import islice
from dataclasses import dataclass

from .clean import CleanArticle
from .korean import Morpheme, SentenceSpan, content_terms, hangul_ratio_below, split_blocks

# A "sentence" longer than this (a paste with no punctuation) is cut at spaces into pieces.
MAX_SENTENCE_CHARS = 300
MIN_CANDIDATE_CHARS = 15
SUBJECTLESS = 0.85
HEADLINE_STYLE = 0.5
_WORD = re.compile(r"[^\W_]")  # a letter or a digit
# Openers that point back to an earlier sentence ("이어", "또", "그는"): such a sentence
# reads poorly alone as a bullet.
_REFERRING_OPENERS = frozenset(
    {"이어", "또", "또한", "이에", "이를", "이밖에", "이와", "당시", "한편", "특히", "그러나", "하지만",
     "앞서", "아울러", "다만", "반면", "그러면서", "이처럼", "이후"}
)
# Nouns that stand for something named elsewhere ("양사는", "이날"): as the subject or opener they
# leave the reader asking who or when.
_ANAPHORIC_NOUNS = frozenset({"양사", "양측", "양국", "양자", "이날", "당일", "같은날", "이곳", "그곳", "동사"})
_DEMONSTRATIVES = frozenset({"이", "그", "저", "해당", "양"})
ANAPHOR = 0.5
# A connective opener ("이를 위해", "이어", "한편") before a subject the sentence names itself.
CONNECTIVE = 0.8
# Sub-headlines run together with " / " before the sentence they sit on ("정상회담 뒤 공동성명 /
# “협력 강화” / 교역 확대 합의정부가 …"): such a line is a deck.
_SLASH_DECK = re.compile(r"^(?:[^.!?/]{1,80} /){2}")
_FULL_STOP = re.compile(r"[.!?。](?:\s{0,9}[\"'”’)\]]{1,9})?\s{0,20}$")


@dataclass(frozen=True)
class Sentence:
    """One sentence of one article; ``start``/``end`` index the article's original text."""

    id: int
    article: int
    position: int  # 0-based order within its article
    start: int
    end: int
    text: str
    morphemes: tuple[Morpheme, ...]
    terms: tuple[str, ...]

    # The facts below are asked for several times per briefing: each is computed once.
    @cached_property
    def is_candidate(self) -> bool:
        """Long enough and Korean enough to stand as a bullet on its own."""
        return len(self.text) >= MIN_CANDIDATE_CHARS and not hangul_ratio_below(self.text, 0.3) and bool(self.terms)

    @cached_property
    def concepts(self) -> frozenset[str]:
        """Checkable facts the sentence names: proper nouns, Latin words, numbers with their unit."""
        found = set()
        ms = self.morphemes
        for k, m in enumerate(ms):
            tag = m.tag
            if tag == "NNP" or tag == "SL":
                found.add(m.form)
            elif tag == "SN" and k + 1 < len(ms) and ms[k + 1].tag in ("NNB", "NNG", "NR"):
                found.add(m.form + ms[k + 1].form)
        return frozenset(found)

    @cached_property
    def is_full(self) -> bool:
        """A full sentence, not a headline-style deck line (see :func:`is_full_sentence`)."""
        return is_full_sentence(self.text, self.morphemes)

    @cached_property
    def bullet_quality(self) -> float:
        """How well the sentence stands alone as a bullet (see :func:`stand_alone_quality`)."""
        return stand_alone_quality(self.text, self.morphemes, self.is_full)


def lead_sentences(sentences: list[Sentence]) -> dict[int, int]:
    """Each article's lead: its first full sentence that can stand as a bullet (article -> id)."""
    leads: dict[int, int] = {}
    for s in sentences:
        if s.article not in leads and s.is_candidate and s.is_full:
            leads[s.article] = s.id
    return leads


def is_full_sentence(text: str, morphemes: tuple[Morpheme, ...]) -> bool:
    """A full sentence, not a headline-style deck line: it has a final ending and ends with
    punctuation or with an ending in 다/요 ("만났다"), with no headline ellipsis ("…") and no
    " / " run of sub-headlines before it."""
    if not any(m.tag == "EF" for m in reversed(morphemes)) or _SLASH_DECK.match(text):  # EF: near the end
        return False
    if _FULL_STOP.search(text):
        return True
    last = morphemes[-1]
    return last.tag == "EF" and last.form.endswith(("다", "요")) and "…" not in text and ".." not in text


def stand_alone_quality(text: str, morphemes: tuple[Morpheme, ...], full: bool | None = None) -> float:
    """How well a sentence stands alone as a bullet (1.0 best): full statements that name their
    own subject are preferred over headline fragments, questions, and sentences that lean on
    the one before ("그는", "양사는", "이어"). ``full``: :func:`is_full_sentence`, if known."""
    quality = 1.0
    subject = _has_subject(morphemes)
    leaning = _leans_on_context(morphemes)
    if leaning:
        quality *= CONNECTIVE if leaning == "connective" and subject else ANAPHOR
    if not (is_full_sentence(text, morphemes) if full is None else full):
        quality *= HEADLINE_STYLE
    if text.rstrip("\"'”’ ").endswith("?"):
        quality *= 0.5
    if not subject:
        quality *= SUBJECTLESS
    return quality


def _leans_on_context(morphemes: tuple[Morpheme, ...]) -> str | None:
    """"subject" when the sentence's subject points back ("그는", "양사는", "이날", "이 회장과도
    만날 …" with no subject of its own, "…하기 위해서다"), "connective" when it opens with a word linking it to the
    previous sentence ("이어", "이를 위해", "한편"), else None."""
    if not morphemes:
        return None
    first, second = morphemes[0], (morphemes[1] if len(morphemes) > 1 else None)
    if first.tag == "NP":
        return "subject" if second is not None and second.tag in ("JKS", "JX") else "connective"
    if first.form in _ANAPHORIC_NOUNS:
        return "subject"
    if first.tag == "MM" and first.form in _DEMONSTRATIVES and second is not None and second.tag.startswith("NN"):
        return "subject"
    if first.tag == "MAJ" or first.form in _REFERRING_OPENERS:
        return "connective"
    if _explains_previous(morphemes):
        return "subject"
    for prev, m in zip(morphemes, morphemes[1:6]):
        if m.tag.startswith(("JKS", "JX")) and m.form != "도" or m.tag in ("EC", "EF", "ETM"):
            return None
        if prev.tag == "JKB" and m.tag == "JX" and m.form == "도":
            return None if _has_subject(morphemes) else "subject"
    return None


def _explains_previous(morphemes: tuple[Morpheme, ...]) -> bool:
    """Ends as the reason or purpose of the sentence before it ("…하기 위해서다", "…때문이다")."""
    last = list(islice((m.form for m in reversed(morphemes) if m.tag not in ("SF", "SSC", "SP")), 4))  # last first
    return last[:3] == ["다", "이", "때문"] or last == ["다", "이", "어서", "위하"]


def _has_subject(morphemes: tuple[Morpheme, ...]) -> bool:
    """A noun marked as subject or topic (이/가, 은/는, 도)."""
    for prev, m in zip(morphemes, morphemes[1:]):
        if (m.tag == "JKS" or (m.tag == "JX" and m.form in ("은", "는", "도"))) and prev.tag.startswith(("NN", "SL", "XSN", "SN")):
            return True
    return False


# A sub-headline glued to the first sentence of a raw crawl ends where, before any final ending,
# a closing quote runs straight into a noun or an opening quote ("…다행”더불어민주당과"), a
# connective ending into a noun ("…물러서올해로"), or two or more blanks follow a noun or quote.
_DECK_QUOTES = frozenset("”\"")
_DECK_NEXT = frozenset({"NNP", "NNG", "SN", "SL", "SH", "SSO"})
_DECK_LAST = frozenset({"NNG", "NNP", "NNB", "NR", "SN", "SL", "SH", "XSN", "XR", "SSC", "SE"})  # before blanks
_DECK_MAX_CHARS = 200


def _deck_end(span: SentenceSpan) -> int | None:
    """Where the sentence proper begins after a glued sub-headline, or None (no deck)."""
    cut = None
    morphemes = span.morphemes
    for prev, m in zip(morphemes, morphemes[1:]):
        if prev.tag == "EF" or m.start - span.start > _DECK_MAX_CHARS:
            break
        gap = m.start - (prev.start + prev.length)
        glued = gap == 0 and m.tag in _DECK_NEXT and (
            (prev.tag == "SSC" and prev.form in _DECK_QUOTES) or (prev.tag == "EC" and m.tag != "SSO")
        )
        if glued or (gap >= 2 and prev.tag in _DECK_LAST):
            cut = m.start
    rest = [m for m in morphemes if cut is not None and m.start >= cut]
    if cut is None or span.end - cut < MIN_CANDIDATE_CHARS or not any(m.tag == "EF" for m in rest):
        return None
    return cut


def _pieces(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Cut an over-long span at the last space before the limit (or hard, if there is none)."""
    out = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        out.append((start, cut))
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if end > start:
        out.append((start, end))
    return out


def build_sentences(articles: list[CleanArticle]) -> tuple[list[Sentence], dict[int, tuple[Morpheme, ...]]]:
    """Split every kept block of every article into sentences, and analyse the headlines, all in
    one Kiwi call. Returns the sentences and each titled article's headline morphemes."""
    jobs = [(a, s, e) for a in articles for s, e in a.blocks]
    titled = [a for a in articles if a.title]
    analysed = split_blocks([(a.normalized, s, e) for a, s, e in jobs] + [(a.title, 0, len(a.title)) for a in titled])
    headlines = {a.index: tuple(m for span in spans for m in span.morphemes) for a, spans in zip(titled, analysed[len(jobs):])}
    sentences: list[Sentence] = []
    positions: dict[int, int] = {}
    led: set[int] = set()  # articles whose first full sentence has been seen
    for (article, _, _), spans in zip(jobs, analysed[: len(jobs)]):
        source = article.normalized
        for span in spans:
            if not _WORD.search(span.text):  # only emoji or marks ("👍😀", "▲"): no sentence, and
                continue  # no gap between the sentences around it (their context is each other)
            cuts = [span.start, span.end]
            if article.index not in led and (deck := _deck_end(span)) is not None:
                cuts.insert(1, deck)  # before the article's first full sentence: its sub-headline
            if any(m.tag == "EF" for m in span.morphemes):
                led.add(article.index)
            parts = [piece for s, e in zip(cuts, cuts[1:]) for piece in _pieces(s, e, source)]
            for start, end in parts:
                whole = start == span.start and end == span.end  # a span's morphemes lie inside it
                morphemes = span.morphemes if whole else tuple(m for m in span.morphemes if start <= m.start < end)
                position = positions.get(article.index, 0)
                positions[article.index] = position + 1
                sentences.append(
                    Sentence(
                        id=len(sentences),
                        article=article.index,
                        position=position,
                        start=start,
                        end=end,
                        text=source[start:end].strip(),
                        morphemes=morphemes,
                        terms=tuple(content_terms(morphemes)),
                    )
                )
    return sentences, headlines
