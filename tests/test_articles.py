"""Articles with metadata: headline, outlet (or press), date and URL beside the text."""
from __future__ import annotations

import datetime
import re
import unicodedata

import pytest

from summarizer import Article, Briefing, InputError, summarize

# Made-up bodies without a headline line, as crawls and feeds deliver them.
HOUSING = "서울시가 4일 청년 주택 공급을 확대한다고 밝혔다. 시는 올해 청년 주택 5000가구를 새로 짓는다. 입주 대상은 무주택 청년이다."
HOUSING_2 = "서울시가 청년 주택 5000가구를 짓는다고 4일 밝혔다. 임대료는 주변 시세의 70% 수준이다. 시는 상반기에 입주자를 모집한다."
HEADLINE = "서울시, 청년 주택 5000가구 공급"


def test_dicts_with_press_date_and_url_fill_the_article_list_and_markdown():
    briefing = summarize([
        {"text": HOUSING, "headline": HEADLINE, "press": "가나일보", "date": "2024-03-05T09:30:00+09:00",
         "url": "https://example.com/a/1", "category": "사회"},  # unknown keys are ignored
        HOUSING_2,  # a plain string beside it
    ])
    first, second = briefing.articles
    assert (first.title, first.outlet, first.date, first.url) == (HEADLINE, "가나일보", "2024-03-05", "https://example.com/a/1")
    assert (second.title, second.outlet, second.date, second.url) == (None, None, None, None)
    markdown = briefing.to_markdown()
    assert f"[1] [{HEADLINE}](https://example.com/a/1) (가나일보, 2024-03-05)" in markdown
    assert "[2] (제목 없음)" in markdown
    data = briefing.to_dict()
    assert data["articles"][0]["outlet"] == "가나일보" and data["articles"][0]["url"] == "https://example.com/a/1"
    assert Briefing.from_dict(data).articles == briefing.articles


def test_known_headline_titles_the_event_and_known_date_resolves_relative_days():
    plain = summarize([HOUSING, HOUSING_2])
    assert [s.date for s in plain.sections] == [None]  # "4일" of which month? the text does not say
    assert plain.sections[0].title != HEADLINE

    briefing = summarize([
        Article(HOUSING, headline=HEADLINE, outlet="가나일보", date=datetime.date(2024, 3, 5)),
        Article(HOUSING_2, outlet="다라신문", date="2024-03-05"),
    ])
    [section] = briefing.sections
    assert (section.date, section.title) == ("2024-03-04", HEADLINE)


def test_known_metadata_wins_over_what_the_page_shows():
    page = "서울시 청년 주택 계획 발표\n입력 2024-03-01 10:00\n" + HOUSING
    briefing = summarize([{"text": page, "headline": HEADLINE, "date": "2024-03-05"}])
    [info] = briefing.articles
    assert (info.title, info.date) == (HEADLINE, "2024-03-05")
    assert all("청년 주택 계획 발표" not in b.text for b in briefing.bullets)  # the page's own title line


def test_one_article_object_alone_is_one_article():
    briefing = summarize(Article(HOUSING, outlet="가나일보"))
    assert [a.outlet for a in briefing.articles] == ["가나일보"]


@pytest.mark.parametrize("item, words", [
    ({"headline": HEADLINE}, ["1번", "text"]),
    ({"text": 42}, ["1번", "text"]),
    ({"text": HOUSING, "headline": 7}, ["headline", "문자열"]),
    ({"text": HOUSING, "outlet": ["가나일보"]}, ["outlet", "문자열"]),
    ({"text": HOUSING, "date": "어제"}, ["date", "YYYY-MM-DD"]),
    ({"text": HOUSING, "date": "2024-13-01"}, ["date"]),
    ({"text": HOUSING, "date": 20240305}, ["date"]),
    ({"text": HOUSING, "outlet": "가나일보", "press": "다라신문"}, ["outlet", "press"]),
    (Article(HOUSING, url=3), ["url"]),
    (3.5, ["1번", "float"]),
])
def test_wrong_field_types_are_refused_in_korean(item, words: list[str]):
    with pytest.raises(InputError) as raised:
        summarize([item])
    message = str(raised.value)
    assert all(w in message for w in words) and any("가" <= c <= "힣" for c in message)


def test_the_wrong_item_is_named_by_its_number():
    with pytest.raises(InputError, match="2번 기사"):
        summarize([HOUSING, {"text": HOUSING_2, "date": "지난주"}])


# --- hostile metadata (issue 16): one clean line each, escaped markdown, http(s) links only -----

HOSTILE = {
    "text": HOUSING,
    "headline": "청년 주택\n## 가짜 제목\x00 [클릭](javascript:alert(1)) *강조*",
    "press": "가나\x00일보\r\n<script>alert(1)</script>",
    "url": "http://x/)](javascript:alert(1))",
    "date": "2024-03-05",
}
LINK = re.compile(r"(?<!\\)\]\(([^)\s]*)")  # where each markdown link goes (an escaped "\]" makes none)


def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]


def test_metadata_is_normalised_like_text():
    info = summarize([HOSTILE, HOUSING_2]).articles[0]
    for value in (info.title, info.outlet, info.url):
        assert "\n" not in value and not _controls(value), repr(value)
    assert info.title.startswith("청년 주택 ## 가짜 제목 [클릭]")
    assert info.outlet == "가나일보 <script>alert(1)</script>"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("http://x/)](javascript:alert(1))", True),  # http, with its ")" and "]" percent-encoded
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("//example.com/a", False),
        ("https://example.com/a b(c)", True),
    ],
)
def test_markdown_escapes_what_it_inserts_and_links_only_http(url, linked):
    briefing = summarize([{**HOSTILE, "url": url}, HOUSING_2])
    markdown = briefing.to_markdown(show_removed=True)
    assert not _controls(markdown)
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    days = sum(len(s.parts) for s in briefing.sections if s.is_timeline)  # the lede and date headings of a story
    assert len(headings) == len(briefing.sections) + days and "가짜 제목" not in "".join(headings[1:])
    assert "<script" not in markdown.replace("\\<", "") and "*강조*" not in markdown  # escaped: "\\<", "\\*"
    targets = LINK.findall(markdown)
    assert all(t.startswith(("http://", "https://")) for t in targets), targets
    assert len(targets) == (1 if linked else 0), targets


def test_the_demo_page_shows_hostile_metadata_as_text():
    from demo.render import briefing_html

    page = briefing_html(summarize([HOSTILE, HOUSING_2]), 1.0)
    assert not _controls(page) and "<script" not in page
    assert all(h.startswith(("http://", "https://")) for h in re.findall(r'href="([^"]*)"', page))
    assert "청년 주택 ## 가짜 제목" in page
