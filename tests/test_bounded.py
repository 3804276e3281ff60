"""Work bounded by the input's size, checked by counting (never by timing).

Every regular expression of the text path can scan only a bounded window from where it starts,
so a search over n characters costs at most a constant times n (issue 16: a 20,000-character line
without spaces took 9.6 s in the junk patterns). Python-level work is counted in executed lines:
doubling an adversarial input may only about double it.
"""
from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from re import _constants as sre, _parser as sre_parse  # the stdlib's own regex parser

import pytest

from summarizer import articles, clean, document, events, korean, modality, normalize, pipeline, summarize, textrank
from summarizer.clean import MAX_TOKEN_CHARS, clean_article
from summarizer.normalize import normalize_text
from summarizer.pipeline import Limits, prepare, validate

MODULES = (clean, normalize, document, events, modality, articles, pipeline, korean)
# Most characters one match attempt may read (the longest bounded window of any pattern).
MAX_WINDOW = 1_200
# Patterns of unbounded width whose work is still linear, and why.
LINEAR = {
    "clean._NOT_WORD": "one character class, each character read once by sub()",
    "clean._NO_WORDS": "one character class, used with fullmatch()",
    "korean._NOT_OTHER_LETTERS": "one character class, each character read once by sub()",
    "korean._NOT_HANGUL": "one character class, each character read once by sub()",
    "normalize._SPACES": "one character class, each character read once by sub()",
    "pipeline.ARTICLE_SEPARATOR": "tried only at line starts; a separator line may be any length",
}


def _width(pattern: re.Pattern) -> int:
    """The most characters one match attempt can read, lookarounds included."""
    def walk(items) -> int:
        total = 0
        for op, av in items:
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                low, high, item = av
                total += sre.MAXREPEAT if high == sre.MAXREPEAT else high * walk(item)
            elif op is sre.SUBPATTERN:
                total += walk(av[-1])
            elif op is sre.BRANCH:
                total += max(walk(b) for b in av[1])
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                total += walk(av[1])
            elif op is sre.ATOMIC_GROUP:
                total += walk(av)
            elif op is sre.GROUPREF_EXISTS:
                total += max(walk(av[1]), walk(av[2]) if av[2] else 0)
            elif op is sre.GROUPREF:
                total += sre.MAXREPEAT  # a back reference reads what its group read
            elif op not in (sre.AT,):
                total += 1
        return min(total, sre.MAXREPEAT)

    return walk(sre_parse.parse(pattern.pattern, pattern.flags))


def _patterns():
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__.split('.')[-1]}.{name}", value
            elif isinstance(value, dict) and value and all(isinstance(v, re.Pattern) for v in value.values()):
                for key, pattern in value.items():
                    yield f"{module.__name__.split('.')[-1]}.{name}[{key}]", pattern


def test_every_pattern_reads_a_bounded_window():
    wide = {name: _width(p) for name, p in _patterns() if name not in LINEAR and _width(p) > MAX_WINDOW}
    assert not wide, f"patterns that can read without bound (backtracking over a whole line): {wide}"


def test_no_pattern_is_written_inline():
    """Patterns are module constants (checked above), not literals inside functions."""
    for module in MODULES:
        source = open(module.__file__, encoding="utf-8").read()
        assert not re.search(r"\bre\.(?:search|match|fullmatch|finditer|findall|sub|split)\(r?[\"']", source), module


def _lines_run(function, *args) -> int:
    """Lines of Python executed by ``function(*args)`` in the summarizer and the HTML parser."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += 1
        return local

    def tracer(frame, event, arg):
        name = frame.f_code.co_filename
        return local if "summarizer" in name or "html" in name else None

    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


# Hostile shapes (issue 16), as a function of their length in characters.
SHAPES = {
    "no spaces": lambda n: ("가나다라마바사아자차카타파하" * n)[:n],
    "one character": lambda n: "가" * n,
    "unclosed tags": lambda n: "<p>가</p><p>나</p><p>다</p>" + "<a " * (n // 3) + "\n한국어 본문입니다.",
    "unclosed scripts": lambda n: "<b>가</b> 본문" + "<style " * (n // 7),
    "long url": lambda n: "한국어 본문입니다. http://example.com/" + ("a/b?c=d&" * n)[:n],
    "punctuation": lambda n: "한국어 본문입니다. " + ("!?." * n)[:n],
    "spaces": lambda n: "한국어 본문입니다다" + " " * n + "x 기자",
    "e-mails": lambda n: "본문입니다. " * 30 + ("김철수 기자 kim@abc.com 다른 문장입니다. " * n)[:n],
    "bylines": lambda n: ("다. 김철수 기자 " * n)[:n],
    "digits": lambda n: "한국어 본문입니다. " + "1" * n,
    "script": lambda n: "한국어 본문입니다. " + ("var a=1;" * n)[:n],
}


def _clean(text: str) -> None:
    clean_article(normalize_text(text))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_cleaning_work_grows_linearly(shape):
    """Normalising and cleaning twice the text runs about twice the lines of Python."""
    small, large = (_lines_run(_clean, SHAPES[shape](n)) for n in (2_000, 4_000))
    assert large <= 2.3 * small + 200, (small, large)


def test_unclosed_tags_reach_the_parser_as_text(monkeypatch):
    """'<a <a <a …' is text: the HTML parser is not asked to find the end of each such tag (it
    would search the rest of the page every time), and the article text after it survives."""
    calls = 0
    parse = HTMLParser.parse_starttag

    def counted(self, i):
        nonlocal calls
        calls += 1
        return parse(self, i)

    monkeypatch.setattr(HTMLParser, "parse_starttag", counted)
    text = normalize_text("<p>가</p><p>나</p><p>다</p>" + "<a " * 5_000 + "\n한국어 본문입니다.")
    assert calls == 3
    assert text.endswith("한국어 본문입니다.") and text.startswith("가\n나\n다\n<a <a ")


def test_a_comment_with_markup_in_it_is_still_dropped():
    assert normalize_text("<p>가</p><!-- <b>옛 글</b> --><p>나</p><p>다</p>") == "가\n나\n다"


def test_a_run_without_spaces_is_junk_by_its_length():
    body = "정부가 새 정책을 오늘 발표했다. 관계자는 시행 시기를 밝혔다."
    run = "가나다라마바사아자차카타파하" * 30
    article = clean_article(f"{body}\n{run} {body}")
    reasons = {r.text: r.reason for r in article.removed}
    assert len(run) >= MAX_TOKEN_CHARS and reasons == {run: "공백 없는 긴 문자열"}
    assert [article.original[s:e] for s, e in article.blocks] == [body, body]


def test_repeated_sentences_keep_the_graph_within_its_pairs(monkeypatch):
    """Hundreds of copies of a sentence link every pair of them (issue 16: 300 near-duplicate
    articles raised peak memory by 1.2 GB): past MAX_PAIRS the most frequent terms leave the
    graph, and the briefing still states each fact once."""
    monkeypatch.setattr(textrank, "MAX_PAIRS", 5_000)
    given = [
        "정부가 오늘 새 예산안을 발표했다. 국회는 다음 주 심사를 시작한다. " * 100,
        "한국은행은 금리를 동결했다. 물가 상승률은 2%대를 유지했다. " * 50,
    ]
    assert prepare(validate(given, Limits())).similarity.nnz <= 5_000
    bullets = [b.text for b in summarize(given).bullets]
    assert len(bullets) == len(set(bullets)) >= 3, bullets
