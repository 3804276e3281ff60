"""Clean articles to sentences: offsets into the original input, content terms, one Kiwi call."""
from __future__ import annotations

from dataclasses import dataclass

from .clean import CleanArticle
from .korean import Morpheme, SentenceSpan, content_terms, hangul_ratio, split_sentences

# A "sentence" longer than this (a paste with no punctuation) is cut at spaces into pieces.
MAX_SENTENCE_CHARS = 300
MIN_CANDIDATE_CHARS = 15
SUBJECTLESS = 0.85
HEADLINE_STYLE = 0.8
# Openers that point back to an earlier sentence ("이어", "또", "그는"): such a sentence
# reads poorly alone as a bullet.
_REFERRING_OPENERS = frozenset({"이어", "또", "또한", "이에", "이를", "이밖에", "이와", "당시", "한편", "특히", "그러나", "하지만"})


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

    @property
    def is_candidate(self) -> bool:
        """Long enough and Korean enough to stand as a bullet on its own."""
        return len(self.text) >= MIN_CANDIDATE_CHARS and hangul_ratio(self.text) >= 0.3 and bool(self.terms)


    @property
    def concepts(self) -> frozenset[str]:
        """Checkable facts the sentence names: proper nouns, Latin words, numbers with their unit."""
        found = set()
        for m, nxt in zip(self.morphemes, self.morphemes[1:] + (None,)):
            if m.tag in ("NNP", "SL"):
                found.add(m.form)
            elif m.tag == "SN" and nxt is not None and nxt.tag in ("NNB", "NNG", "NR"):
                found.add(m.form + nxt.form)
        return frozenset(found)

    @property
    def bullet_quality(self) -> float:
        """How well the sentence stands alone as a bullet (1.0 best): full statements that do not
        lean on the previous sentence are preferred over headline fragments and questions."""
        quality = 1.0
        first = self.morphemes[0] if self.morphemes else None
        if first and (first.tag in ("MAJ", "NP") or first.form in _REFERRING_OPENERS):
            quality *= 0.5
        if not any(m.tag == "EF" for m in self.morphemes):
            quality *= HEADLINE_STYLE
        if self.text.rstrip("\"'”’ ").endswith("?"):
            quality *= 0.5
        if not _has_subject(self.morphemes):
            quality *= SUBJECTLESS
        return quality


def _has_subject(morphemes: tuple[Morpheme, ...]) -> bool:
    """A noun marked as subject or topic (이/가, 은/는, 도)."""
    for prev, m in zip(morphemes, morphemes[1:]):
        if prev.tag.startswith(("NN", "SL", "XSN", "SN")) and (m.tag == "JKS" or (m.tag == "JX" and m.form in ("은", "는", "도"))):
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


def build_sentences(articles: list[CleanArticle]) -> tuple[list[Sentence], dict[int, frozenset[str]]]:
    """Split every kept block of every article into sentences, and analyse the headlines, all in
    one Kiwi call. Returns the sentences and each titled article's headline terms."""
    jobs = [(a, s, e) for a in articles for s, e in a.blocks]
    titled = [a for a in articles if a.title]
    texts = [a.normalized[s:e] for a, s, e in jobs] + [a.title for a in titled]
    analysed = split_sentences(texts)
    title_terms = {
        a.index: frozenset(t for span in spans for t in content_terms(span.morphemes))
        for a, spans in zip(titled, analysed[len(jobs):])
    }
    sentences: list[Sentence] = []
    positions: dict[int, int] = {}
    led: set[int] = set()  # articles whose first full sentence has been seen
    for (article, block_start, _), spans in zip(jobs, analysed[: len(jobs)]):
        source = article.normalized
        for span in spans:
            cuts = [span.start, span.end]
            if article.index not in led and (deck := _deck_end(span)) is not None:
                cuts.insert(1, deck)  # before the article's first full sentence: its sub-headline
            if any(m.tag == "EF" for m in span.morphemes):
                led.add(article.index)
            parts = [
                piece for s, e in zip(cuts, cuts[1:]) for piece in _pieces(block_start + s, block_start + e, source)
            ]
            for start, end in parts:
                morphemes = tuple(
                    Morpheme(m.form, m.tag, block_start + m.start, m.length)
                    for m in span.morphemes
                    if start <= block_start + m.start < end
                )
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
    return sentences, title_terms
