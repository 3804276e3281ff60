"""Property tests on generated input (Hypothesis): summarize(), cleaning, normalisation and the
batch JSONL reader never fail with anything but InputError, every source points at its text,
and cleaning's work is bounded by the input's size (counted in executed lines, not timed).

Examples are derived from the test names (derandomize) and few, so a run is the same every time
and short.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import InputError, normalize_text, summarize
from summarizer.batch import Item, iter_items
from summarizer.clean import clean_article
from test_bounded import _lines_run

FUZZ = settings(derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of what pasted pages hold, hostile ones included.
FRAGMENTS = [
    "정부가 오늘 새 예산안을 발표했다.", "국회는 다음 주 심사를 시작한다.", "김철수 기자", "kim@news.co.kr",
    "[서울=뉴시스]", "사진=연합뉴스", "ⓒ 가나일보 무단전재 재배포 금지", "관련기사", "입력 2019.07.04 19:54",
    "4일", "오전 10시", "“좋다”고 말했다.", " / ", "---", "\n", "\n\n", " ", "  ", "\t", "\r\n", "\r",
    "<p>", "</p>", "<a ", "<a href='x'>", "<script>var a=1;</script>", "<style>", "<!--", "-->", "&lt;",
    "&#54620;", "&amp;", "http://example.com/a?b=c", "window.x = 1;", "...", "!!!", "…", "·",
    "\x00", "\x07", "\x1b", "\u200b", "\u00ad", "\u202e", "\u2028", "\ufeff", "\ud800", "\udc00", "가\u1161",
]
CHARACTERS = st.one_of(
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII
    st.characters(min_codepoint=0x00, max_codepoint=0x1F),  # C0 controls
    st.sampled_from(" \n.,!?\"'()[]<>=/@"),
)
PIECES = st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARACTERS, min_size=1, max_size=30))
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def _summarize_checks(texts: list[str]) -> None:
    """summarize() raises only InputError; each source is a span of its normalised article."""
    try:
        briefing = summarize(texts, max_chars=300)
    except InputError:
        return
    for bullet in briefing.bullets:
        assert bullet.sources
        for s in bullet.sources:
            assert normalize_text(texts[s.article])[s.start : s.end] == s.text
    json.dumps(briefing.to_dict(), ensure_ascii=False).encode("utf-8")  # always valid UTF-8
    assert "\x00" not in briefing.to_markdown()


@settings(FUZZ, max_examples=40)
@given(st.lists(TEXTS, min_size=1, max_size=3))
def test_summarize_raises_only_input_errors_and_sources_point_at_their_text(texts):
    _summarize_checks(texts)


@settings(FUZZ, max_examples=60)
@given(TEXTS)
def test_normalised_text_is_plain(text):
    out = normalize_text(text)
    out.encode("utf-8")  # no lone surrogate left
    assert "\r" not in out
    assert not [c for c in out if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"]
    assert not [c for c in out if c in "\u00ad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2069\ufeff"]


@settings(FUZZ, max_examples=60)
@given(TEXTS)
def test_cleaning_keeps_spans_of_its_input_with_work_bounded_by_its_size(text):
    text = normalize_text(text)
    article = None

    def clean() -> None:
        nonlocal article
        article = clean_article(text)

    lines = _lines_run(clean)
    # A constant per character: no line of Python runs once per pair of characters.
    assert lines <= 40 * len(text) + 1_000, (lines, len(text))
    end = 0
    for start, stop in article.blocks:
        assert end <= start < stop <= len(text) and text[start:stop].strip() == text[start:stop]
        end = stop
    for r in article.removed:
        assert r.text in ("", text[r.start : r.end])  # "" for the whole page's markup


LINES = st.one_of(
    st.builds(lambda i, a: json.dumps({"id": i, "articles": a}), st.integers(0, 9), st.lists(TEXTS, max_size=2)),
    st.builds(lambda a: json.dumps({"articles": a}, ensure_ascii=False), TEXTS),
    st.builds(json.dumps, st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=3), TEXTS)),
    TEXTS.map(lambda t: t.replace("\n", " ")),
)


@settings(FUZZ, max_examples=40)
@given(st.lists(LINES, max_size=8), st.binary(max_size=40))
def test_the_jsonl_reader_gives_one_item_per_line(tmp_path_factory, lines, tail):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "items.jsonl"
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n" + tail
    path.write_bytes(data)
    items = list(iter_items([str(path)], per_file=False))
    records = [line for line in data.removeprefix(b"\xef\xbb\xbf").split(b"\n") if line.strip()]
    assert len(items) == len(records)
    assert all(isinstance(item, Item) and isinstance(item.id, str) for item in items)


@pytest.mark.slow
@settings(FUZZ, max_examples=200)
@given(st.lists(TEXTS, min_size=1, max_size=5))
def test_summarize_on_more_examples(texts):
    _summarize_checks(texts)
