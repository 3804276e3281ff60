"""Sections are stories: a dated timeline inside a story, headline titles, figures over days, bullets
that stand alone (summarizer.standalone), and the date headings in markdown, dicts and the demo's
HTML. All articles are made up."""
from __future__ import annotations

import json
import re

from demo.render import briefing_html
from summarizer import Article, Briefing, sections, summarize
from summarizer.briefing import LEDE_HEADING, Bullet, Event, Source
from summarizer.sections import figures, lead_phrase
from summarizer.korean import tokenize
from summarizer.standalone import droppable_opener, leaning, short_references, unintroduced

# One story over three days: a summons, a warrant sought, a warrant issued.
SUMMONS = [
    Article(
        "검찰이 한빛건설 박도현 대표를 횡령 혐의로 소환했다. 서울중앙지검 반부패부는 1일 오전 10시 박도현 대표를 "
        "피의자 신분으로 불러 조사했다. 박 대표는 회삿돈을 빼돌려 비자금을 만든 혐의를 받고 있다.",
        headline="검찰, 한빛건설 박도현 대표 소환", outlet="가나일보", date="2024-05-01",
    ),
    Article(
        "한빛건설 박도현 대표가 1일 횡령 혐의로 검찰에 출석했다. 박 대표는 취재진의 질문에 답하지 않고 조사실로 "
        "향했다. 박도현 대표는 밤 11시께 조사를 마치고 귀가했다.",
        headline="박도현 한빛건설 대표 검찰 출석", outlet="다라신문", date="2024-05-01",
    ),
    Article(
        "서울중앙지검은 2일 박도현 대표에 대해 구속영장을 청구했다. 검찰은 박 대표가 비자금을 조성해 정치권에 건넨 "
        "정황을 확인했다고 밝혔다.",
        headline="검찰, 한빛건설 박도현 대표 구속영장 청구", outlet="가나일보", date="2024-05-02",
    ),
    Article(
        "한빛건설 박도현 대표가 횡령 혐의로 3일 구속됐다. 서울중앙지법 영장전담 부장판사는 3일 증거 인멸 우려가 "
        "있다며 박도현 대표에 대한 구속영장을 발부했다. 박 대표는 서울구치소에 수감됐다.",
        headline="한빛건설 박도현 대표 구속", outlet="마바일보", date="2024-05-03",
    ),
]

# A fire whose toll grows from one day to the next.
FIRE = [
    Article(
        "울산의 한빛화학 공장에서 10일 오후 큰 불이 났다. 소방당국은 대응 2단계를 발령하고 진화에 나섰다. "
        "이번 화재로 부상자는 12명으로 집계됐다. 공장 직원 200여명은 긴급 대피했다.",
        outlet="가나일보", date="2024-06-10",
    ),
    Article(
        "울산 한빛화학 공장 화재의 부상자가 30명으로 늘었다. 소방당국은 11일 한빛화학 공장 화재 부상자는 30명이며 "
        "이 가운데 3명이 중상이라고 밝혔다. 경찰은 공장 관계자를 불러 화재 원인을 조사하고 있다.",
        outlet="다라신문", date="2024-06-11",
    ),
    Article(
        "울산 한빛화학 공장 화재로 다친 사람이 30명으로 늘었다. 경찰과 소방당국은 11일 한빛화학 공장에서 합동 감식을 벌였다.",
        outlet="마바일보", date="2024-06-11",
    ),
]

# An editorial a day after the arrest: it takes up the warrant, not the summons or the request.
EDITORIAL = Article(
    "영장 발부는 증거 인멸 우려를 법원이 무겁게 본 결과다. 재벌 비리에 엄벌이 마땅하다는 여론도 크다. "
    "기업 윤리를 바로 세우는 계기로 삼아야 한다.",
    outlet="사아일보", date="2024-05-04",
)
# Another story of the same company on the same day: an accident at one of its building sites.
COLLAPSE = Article(
    "경기 화성의 한빛건설 아파트 공사 현장에서 4일 거푸집이 무너져 노동자 2명이 다쳤다. 경찰은 현장 소장을 "
    "업무상 과실치상 혐의로 입건하고 사고 원인을 조사하고 있다.",
    outlet="자차신문", date="2024-05-04",
)

# The surname and title ("김 의원은") come before the full name in the first article.
FUNDS = [
    Article(
        "김 의원은 이날 국회에서 기자회견을 열고 의혹을 전면 부인했다. 김 의원은 \"후원금은 모두 적법하게 처리했다\"고 "
        "말했다. 한빛당 김가나 의원이 불법 정치자금 의혹에 휩싸였다.",
        outlet="가나일보", date="2024-07-01",
    ),
    Article(
        "한빛당 김가나 의원이 건설업체에서 불법 정치자금을 받았다는 의혹이 제기됐다. 검찰은 김가나 의원의 후원 계좌를 "
        "살펴보고 있다.",
        outlet="다라신문", date="2024-07-01",
    ),
]


def _texts(briefing: Briefing) -> list[str]:
    return [b.text for b in briefing.bullets]


def _under_headings(markdown: str) -> list[tuple[str | None, str]]:
    """(the nearest ``####`` heading above it, the bullet line) for each bullet line."""
    heading, out = None, []
    for line in markdown.splitlines():
        if line.startswith("### "):
            heading = None
        elif line.startswith("#### "):
            heading = line[5:]
        elif line.startswith("- "):
            out.append((heading, line))
    return out


def test_a_story_over_three_days_is_one_section_a_lede_then_dates_in_order():
    briefing = summarize(SUMMONS, max_chars=1500)
    [section] = briefing.sections
    assert 1 <= section.lede < len(section.bullets)
    # Above the timeline, the lede: the fact most outlets lead with comes first.
    assert "소환했다" in section.bullets[0].text and section.bullets[0].support == 2
    days = [b.date for b in section.bullets[section.lede:]]
    assert days == sorted(days) and {"2024-05-01", "2024-05-03"} <= set(days), days
    assert section.date == "2024-05-01" and section.is_timeline
    # The title is the headline the story's articles share most, never a keyword list.
    assert section.title in {a.headline for a in SUMMONS} and " · " not in section.title
    markdown = briefing.to_markdown()
    headings = re.findall(r"^#### (\S+)$", markdown, re.M)
    assert headings == [LEDE_HEADING, *sorted(set(days))]
    assert markdown.startswith(f"### {section.title}\n#### {LEDE_HEADING}\n- 검찰이 한빛건설 박도현 대표를 횡령 혐의로 소환했다.")
    placed = _under_headings(markdown)
    assert [h for h, _ in placed] == [LEDE_HEADING] * section.lede + days
    # Each fact sits under the day it happened, not under an earlier day's similar sentence.
    for bullet in section.bullets:
        assert bullet.date in {SUMMONS[s.article].date for s in bullet.sources}
        for words, day in (("구속됐다", "2024-05-03"), ("영장을 발부", "2024-05-03"), ("영장을 청구", "2024-05-02")):
            if words in bullet.text:
                assert bullet.date == day, (bullet.text, bullet.date)
    assert any("영장을 발부" in line for h, line in placed if h == "2024-05-03")


def test_a_mixed_paste_is_one_section_per_story():
    briefing = summarize(SUMMONS + FIRE, max_chars=1500)
    assert len(briefing.sections) == 2
    stories = [{a for b in s.bullets for a in b.articles} for s in briefing.sections]
    assert stories[0] <= {0, 1, 2, 3} and stories[1] <= {4, 5, 6}  # the larger story first


def test_a_lone_reaction_joins_the_story_it_takes_up(monkeypatch):
    # The online pass leaves the editorial on its own (it shares little with the story's mean);
    # the story's article it takes up (the arrest) brings it back; the accident stays its own story.
    articles = SUMMONS + [EDITORIAL, COLLAPSE] + FIRE
    stories = [{a for b in s.bullets for a in b.articles} for s in summarize(articles, max_chars=3000).sections]
    assert stories == [{0, 1, 2, 3, 4}, {6, 7, 8}, {5}]
    monkeypatch.setattr(sections, "join_lone_articles", lambda docs, labels: list(labels))
    stories = [{a for b in s.bullets for a in b.articles} for s in summarize(articles, max_chars=3000).sections]
    assert stories == [{0, 1, 2, 3}, {6, 7, 8}, {4}, {5}]


def test_a_figure_that_grows_over_days_is_stated_at_its_latest_value():
    briefing = summarize(FIRE, max_chars=1500)
    texts = _texts(briefing)
    assert any("30명" in t for t in texts), texts
    for bullet in briefing.bullets:
        if "12명" in bullet.text:  # the earlier value only as the earlier day's entry
            assert bullet.date == "2024-06-10" and all(FIRE[s.article].date == "2024-06-10" for s in bullet.sources)
    assert figures(tokenize(["이번 화재로 부상자는 12명으로 집계됐다."])[0]) == {("부상자", "명"): "12"}
    assert figures(tokenize(["10일 오후 3시 회의가 열렸다."])[0]) == {}


def test_a_person_is_introduced_by_full_name_before_surname_and_title():
    texts = _texts(summarize(FUNDS, max_chars=1500))
    mentions = [t for t in texts if "김" in t]
    assert mentions and "김가나 의원" in mentions[0], texts
    assert all(not unintroduced(t, texts[:k]) for k, t in enumerate(texts)), texts


def test_a_leading_connective_is_dropped_or_follows_what_it_leans_on():
    article = (
        "서울시가 올해 청년 주택 5000가구를 공급한다고 4일 밝혔다. 입주자 모집은 상반기에 시작된다. 시는 답하지 않았다. "
        "그러나 시민단체는 청년 주택 임대료가 여전히 비싸다고 비판했다."
    )
    other = "서울시가 청년 주택 5000가구를 새로 공급한다. 시민단체는 임대료 인하를 요구하고 있다."
    briefing = summarize([article, other], max_chars=1500)
    texts = _texts(briefing)
    assert any("시민단체는 청년 주택 임대료가" in t for t in texts), texts
    assert not any(t.startswith("그러나") for t in texts), texts
    for bullet in briefing.bullets:  # the source still points at exactly the bullet's text
        first = bullet.sources[0]
        assert [article, other][first.article][first.start : first.end].strip() == bullet.text


def test_the_leaning_rule():
    assert leaning(["그러나 검찰은 수사를 이어갔다.", "해당 기업은 답하지 않았다.", "그는 말했다.", "이중섭 화가의 그림이 팔렸다."]) == [
        True, True, True, False]
    assert leaning(["한빛당 김가나 의원이 말했다.", "김 의원은 부인했다."]) == [False, False]
    assert leaning(["김 의원은 부인했다.", "한빛당 김가나 의원이 말했다."]) == [True, False]
    assert leaning(["최가나 전 한빛건설 사장이 기소됐다.", "최 전 사장은 혐의를 부인했다."]) == [False, False]
    assert leaning(["이어 검찰은 자료를 확보했다."], follows=[True]) == [False]
    assert short_references("노무현 전 대통령의 묘역을 찾았다.") == []  # "전 대통령" is "the former president"
    assert droppable_opener("그러나 시민단체는 비판했다.") == len("그러나 ")
    assert droppable_opener("이에 시민단체는 비판했다.") == 0  # "이에" carries meaning the rest needs


def test_a_title_without_headlines_is_a_phrase_of_the_lead():
    briefing = summarize([a.text for a in FIRE], max_chars=600)
    [section] = briefing.sections
    assert section.title and " · " not in section.title and "한빛화학" in section.title
    assert lead_phrase("울산의 한빛화학 공장에서 10일 오후 큰 불이 났다.") == "울산의 한빛화학 공장에서 10일 오후 큰 불이 났다"
    assert lead_phrase("가" * 30 + " " + "나" * 30 + ".") == "가" * 30 + "…"


def _timeline() -> Briefing:
    def bullet(text: str, day: str | None) -> Bullet:
        return Bullet(text, [Source(0, 0, len(text), text)], 1, 0.1, date=day)

    story = Event("검찰, 한빛건설 대표 소환", "2024-05-01", [
        bullet("법원이 대표를 구속했다.", "2024-05-04"),  # the lede
        bullet("검찰이 대표를 소환했다.", "2024-05-01"), bullet("검찰이 영장을 청구했다.", "2024-05-02"),
        bullet("법원이 영장을 발부했다.", "2024-05-03"),
    ], lede=1)
    one_day = Event("울산 공장 화재", "2024-06-10", [bullet("공장에서 불이 났다.", "2024-06-10")])
    return Briefing("textrank", [story, one_day], [], [], {}, 800)


def test_date_headings_in_markdown_html_and_dicts():
    briefing = _timeline()
    markdown = briefing.to_markdown()
    assert re.search(r"^### 검찰, 한빛건설 대표 소환\n#### 핵심\n- 법원이 대표를 구속했다\. \[1\]\n#### 2024-05-01\n- 검찰이", markdown)
    assert markdown.index("#### 2024-05-02") < markdown.index("#### 2024-05-03")
    assert "### 2024-06-10 · 울산 공장 화재\n- 공장에서" in markdown  # one day: no date heading
    html = briefing_html(briefing, 0.1)
    assert html.count('<h4 class="brief-day">') == 4 and "<h3>2024-06-10 · 울산 공장 화재</h3>" in html
    assert html.index(">핵심</h4>") < html.index("대표를 구속") < html.index(">2024-05-01</h4>")
    assert html.index(">2024-05-02</h4>") < html.index("영장을 청구") < html.index(">2024-05-03</h4>")
    data = json.loads(json.dumps(briefing.to_dict(), ensure_ascii=False))
    assert [b["date"] for b in data["sections"][0]["bullets"]] == ["2024-05-04", "2024-05-01", "2024-05-02", "2024-05-03"]
    assert [s["lede"] for s in data["sections"]] == [1, 0]
    assert Briefing.from_dict(data).to_markdown() == markdown
    for section in data["sections"]:
        del section["lede"]  # a dict written before sections had a lede
        for b in section["bullets"]:
            del b["date"]  # a dict written before bullets had dates
    old = Briefing.from_dict(data)
    assert all(b.date is None for b in old.bullets) and all(s.lede == 0 for s in old.sections)


def test_every_bullet_carries_the_day_of_its_story():
    briefing = summarize(SUMMONS + FIRE, max_chars=1500)
    assert all(b.date for b in briefing.bullets)
    for section in briefing.sections:
        timeline = [b.date for b in section.bullets[section.lede:]]
        assert section.lede >= 1 and timeline == sorted(timeline)
