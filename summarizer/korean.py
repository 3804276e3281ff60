"""The one Kiwi of the process: sentences with character offsets, morphemes, batch calls."""
from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

# Morpheme tags that carry content for similarity: nouns, numbers, foreign words, verb and
# adjective stems, roots. Particles, endings and punctuation are left out.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "VV", "VA", "XR"})
# Tags that name checkable facts in a sentence (used by the abstractive fact check).
FACT_TAGS = frozenset({"NNP", "SN", "SL"})

_lock = threading.Lock()
_threads: int | None = None  # Kiwi's analysis threads; None: one per core (Kiwi's default)


@lru_cache(maxsize=1)
def kiwi():
    """The shared Kiwi analyser, loaded on first use (about a second)."""
    from kiwipiepy import Kiwi

    return Kiwi() if _threads is None else Kiwi(num_workers=_threads)


def warm_up(threads: int | None = None) -> None:
    """Load Kiwi and make its first analysis now: Kiwi's first call costs seconds more than later ones.

    ``threads``: Kiwi's analysis threads, when this call loads it (processes that share a
    machine each take their share of the cores)."""
    global _threads
    if threads is not None and kiwi.cache_info().currsize == 0:
        _threads = threads
    split_sentences(["형태소 분석기를 미리 준비합니다."])


class Morpheme(NamedTuple):
    """One morpheme as Kiwi found it (a named tuple: briefings make hundreds of thousands)."""

    form: str
    tag: str
    start: int  # offset into the text that was analysed
    length: int


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence found in a text: offsets into that text, its text and its morphemes."""

    start: int
    end: int
    text: str
    morphemes: tuple[Morpheme, ...]


_BASE_TAGS: dict[str, str] = {}  # Kiwi's tag to its part of speech ("VV-R" to "VV"), as met
_new_tuple = tuple.__new__  # a Morpheme made without NamedTuple's Python-level __new__


def _morphemes(tokens, offset: int = 0) -> tuple[Morpheme, ...]:
    """Kiwi's tokens as Morphemes, their offsets moved by ``offset``."""
    tags = _BASE_TAGS
    return tuple([
        _new_tuple(Morpheme, (t.form, tags.get(t.tag) or tags.setdefault(t.tag, t.tag.split("-")[0]), t.start + offset, t.len))
        for t in tokens
    ])


# Raw crawls run paragraphs together ("말했다.A씨는", "밝혔다.“다만…"): Kiwi splits before a
# glued Korean word but not before these, so a final ending and period glued to one is a cut too.
_GLUED_NEXT = frozenset({"SL", "SN", "SH", "SSO", "SW"})


def split_sentences(texts: Sequence[str]) -> list[list[SentenceSpan]]:
    """Split each text into sentences with morphemes, all texts in one Kiwi call."""
    return split_blocks([(text, 0, len(text)) for text in texts])


def split_blocks(blocks: Sequence[tuple[str, int, int]]) -> list[list[SentenceSpan]]:
    """Split each block ``(document, start, end)``, the text ``document[start:end]``, into sentences
    with morphemes, all blocks in one Kiwi call; offsets index the block's document."""
    if not blocks:
        return []
    with _lock:  # Kiwi is thread-safe for reads, but one batch at a time keeps memory flat
        batches = kiwi().split_into_sents([doc[start:end] for doc, start, end in blocks], return_tokens=True, return_sub_sents=False)
        found = [
            [(start + s.start, start + s.end, _morphemes(s.tokens, start)) for s in sents]
            for (_, start, _), sents in zip(blocks, batches)
        ]
    return [
        _join_dangling(doc, [part for s, e, ms in sents for part in _split_glued(doc, s, e, ms)])
        for (doc, _, _), sents in zip(blocks, found)
    ]


def _split_glued(text: str, start: int, end: int, morphemes: tuple[Morpheme, ...]) -> list[SentenceSpan]:
    """The sentence, cut after each "다." that runs straight into a word Kiwi does not split at."""
    cuts = [start]
    for ending, stop, nxt in zip(morphemes, morphemes[1:], morphemes[2:]):
        if ending.tag == "EF" and stop.tag == "SF" and nxt.tag in _GLUED_NEXT and nxt.start == stop.start + stop.length:
            cuts.append(nxt.start)
    if len(cuts) == 1:  # nothing glued: Kiwi's tokens of a sentence lie inside it
        return [SentenceSpan(start, end, text[start:end], morphemes)]
    cuts.append(end)
    return [
        SentenceSpan(s, e, text[s:e], tuple(m for m in morphemes if s <= m.start < e))
        for s, e in zip(cuts, cuts[1:])
    ]


def _join_dangling(text: str, spans: list[SentenceSpan]) -> list[SentenceSpan]:
    """Join a "sentence" that starts with a particle or ending, or inside a word, to the one before
    it when that one has no final period: Kiwi cuts after some closing quotes ("…멋질 것” | 이라고
    말했다") and inside words ("…드러냈다 | 고 SK는 설명했다")."""
    out: list[SentenceSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        if (
            prev is not None and prev.morphemes and span.morphemes and prev.morphemes[-1].tag != "SF"
            and (span.morphemes[0].tag[0] in "EJ" or prev.end == span.start)
        ):
            out[-1:] = _rejoin(text, prev, span)
        else:
            out.append(span)
    return out


def _rejoin(text: str, prev: SentenceSpan, span: SentenceSpan) -> list[SentenceSpan]:
    """``prev`` and the dangling ``span`` as one sentence; a quotation that opens after a full stop
    in ``prev`` ('…예고했다. "멋진 일"' + '이라고 덧붙였다.') goes with what follows it."""
    ms = prev.morphemes
    cut = next(
        (ms[k + 1].start for k in range(len(ms) - 2, 0, -1)
         if ms[k].tag == "SF" and ms[k - 1].tag == "EF" and ms[k + 1].tag == "SSO"),
        None,
    )
    if cut is None:
        return [SentenceSpan(prev.start, span.end, text[prev.start:span.end], ms + span.morphemes)]
    head = tuple(m for m in ms if m.start < cut)
    head_end = head[-1].start + head[-1].length
    return [
        SentenceSpan(prev.start, head_end, text[prev.start:head_end], head),
        SentenceSpan(cut, span.end, text[cut:span.end], tuple(m for m in ms if m.start >= cut) + span.morphemes),
    ]


def tokenize(texts: Sequence[str]) -> list[tuple[Morpheme, ...]]:
    """Morphemes of each text, all texts in one Kiwi call."""
    if not texts:
        return []
    with _lock:
        return [_morphemes(tokens) for tokens in kiwi().tokenize(list(texts))]


def kiwi_tokens(texts: Sequence[str]) -> list[list]:
    """Kiwi's own tokens of each text (``form``, ``tag``, ``start``, ``len``), all texts in one
    call: cheaper than :func:`tokenize` where only a few tokens are kept."""
    if not texts:
        return []
    with _lock:
        return list(kiwi().tokenize(list(texts)))


def content_terms(morphemes: Sequence[Morpheme]) -> list[str]:
    """Content morphemes as ``form/tag`` terms (verbs marked so 가다/VV differs from 가/NNG)."""
    return [f"{m.form}/{m.tag}" for m in morphemes if m.tag in CONTENT_TAGS]


def content_forms(morphemes: Sequence[Morpheme], tags: frozenset[str] = CONTENT_TAGS) -> frozenset[str]:
    """The set of content morpheme forms (lower case, tags dropped) of a sentence."""
    return frozenset(m.form.lower() for m in morphemes if m.tag in tags)


# What is not a Hangul syllable, and what is no letter ([^\W\d_]) other than one, in runs: deleting
# them leaves the characters counted in one string (no list of one-character matches); in Korean
# text the second leaves only Latin words, few and short.
_NOT_HANGUL = re.compile(r"[^\uac00-\ud7a3]+")
_NOT_OTHER_LETTERS = re.compile(r"[\W\d_\uac00-\ud7a3]+")


# From this length on, Hangul syllables are counted over the code points at once: the pattern's
# many small matches (one per space or punctuation run) cost more than numpy's fixed cost.
LONG_TEXT = 100


def _hangul_syllables(text: str) -> int:
    """How many Hangul syllables ``text`` holds."""
    if len(text) < LONG_TEXT:
        return len(_NOT_HANGUL.sub("", text))
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return int(np.count_nonzero(codes - np.uint32(0xAC00) <= 0xD7A3 - 0xAC00))  # below U+AC00 wraps round


def hangul_ratio_below(text: str, share: float) -> bool:
    """Whether Hangul syllables make less than ``share`` of the letters of ``text`` (a text without
    letters has none). The other letters are counted only where the syllables alone make less
    than ``share`` of all characters (the letters are at most all of them)."""
    hangul = _hangul_syllables(text)
    if hangul and hangul / len(text) >= share:
        return False
    letters = hangul + len(_NOT_OTHER_LETTERS.sub("", text))  # every Hangul syllable is a letter
    return (hangul / letters if letters else 0.0) < share
