"""The commissioned job end to end: the default briefing of the five bundled seed pages."""
import itertools
import json
import re

import pytest

from summarizer import Briefing, summarize
from summarizer.korean import content_terms, tokenize

JUNK = ["℃", "기상청", "제보", "좋아요", "응원해요", "구독", "무단전재", "기사 모음", "배너"]
# Words that only occur in the teasers of unrelated stories after the articles.
TEASERS = ["고베", "대지진", "캄보디아", "로맨스", "스캠", "피싱", "예측시장", "예측 시장", "엘리슨", "머스크"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
MAIN_FACTS = {
    "three-way meeting and who was there": r"이재용.*올트먼.*손정의",
    "Arm's Rene Haas was there too": r"르네 하스",
    "the venue": r"서초",
    "the Stargate venture and its size": r"5000억 달러",
    "Son's remarks after the meeting": r"좋은 논의",
    "Altman met Chey Tae-won": r"최태원",
    "Kakao-OpenAI partnership": r"카카오.*(제휴|협력)",
    "OpenAI seeking investment": r"투자\s*유치|투자\s*요청",
    "Lee met Zuckerberg": r"저커버그",
    "Lee met Jassy": r"재시",
    "Lee met Amon": r"아몬",
}


@pytest.fixture(scope="module")
def briefing(seed_articles) -> Briefing:
    return summarize(seed_articles)


def bullet_text(briefing: Briefing) -> str:
    return "\n".join(b.text for b in briefing.bullets)


def test_no_junk_and_no_teasers(briefing):
    text = briefing.to_markdown()
    body = bullet_text(briefing)
    for word in JUNK + TEASERS:
        assert word not in body, word
    assert not EMAIL.search(text)
    for section in briefing.sections:
        for word in JUNK + TEASERS:
            assert word not in (section.title or ""), word


def test_within_default_budget_and_not_empty(briefing):
    assert briefing.max_chars == 1500
    assert 0 < briefing.length <= 1500
    assert briefing.length > 1000, "the budget should be used, not left mostly empty"


@pytest.mark.parametrize("fact", MAIN_FACTS)
def test_carries_main_fact(briefing, fact):
    assert re.search(MAIN_FACTS[fact], bullet_text(briefing)), fact


def test_no_two_bullets_state_the_same_fact(briefing):
    bullets = [b.text for b in briefing.bullets]
    terms = [set(content_terms(m)) for m in tokenize(bullets)]
    for (a, ta), (b, tb) in itertools.combinations(zip(bullets, terms), 2):
        jaccard = len(ta & tb) / len(ta | tb)
        assert jaccard < 0.5, (a, b)
    # Facts every outlet repeats appear in one bullet only.
    for marker in ["5000억", "르네 하스", "김포공항", "지하 주차장", "좋은 논의", "저커버그"]:
        assert sum(marker in b for b in bullets) <= 1, marker


def test_cross_outlet_support_and_exact_source_spans(briefing, seed_articles):
    top = briefing.sections[0].bullets[0]
    assert top.support >= 2 and len(top.articles) == top.support
    for bullet in briefing.bullets:
        assert bullet.support == len({s.article for s in bullet.sources})
        for source in bullet.sources:
            assert seed_articles[source.article][source.start : source.end] == source.text
        first = bullet.sources[0]
        assert " ".join(first.text.split()) == " ".join(bullet.text.split())


def test_events_grouped_and_ordered(briefing):
    sections = briefing.sections
    assert len(sections) >= 3
    assert sections[0].date == "2025-02-04"
    assert "서초" in "".join(b.text for b in sections[0].bullets)
    us_trip = [s for s in sections if "저커버그" in "".join(b.text for b in s.bullets)]
    assert len(us_trip) == 1 and us_trip[0] is not sections[0]
    # Each US-trip bullet is about the trip, none about the Seoul meeting.
    assert not any("손 회장" in b.text for b in us_trip[0].bullets)
    assert all(s.title for s in sections)


def test_cleaning_report_points_into_the_input(briefing, seed_articles):
    reasons = {r.reason for r in briefing.removed}
    assert {"날씨 위젯", "반복된 문단", "제보·구독 안내", "기사 뒤 다른 기사·메뉴"} <= reasons
    for r in briefing.removed:
        assert seed_articles[r.article][r.start : r.end] == r.text
    teaser = [r for r in briefing.removed if "고베" in r.text]
    assert teaser and teaser[0].reason == "기사 뒤 다른 기사·메뉴"
    assert briefing.articles[0].date == "2025-02-04"
    assert briefing.articles[0].title.startswith("이재용, 올트먼·손정의와 회동")


def test_deterministic_and_serialisable(briefing, seed_articles):
    again = summarize(seed_articles)
    strip = lambda d: {k: v for k, v in d.items() if k != "timings"}  # noqa: E731
    assert strip(again.to_dict()) == strip(briefing.to_dict())
    data = json.loads(json.dumps(briefing.to_dict(), ensure_ascii=False))
    assert Briefing.from_dict(data).to_markdown() == briefing.to_markdown()


def test_markdown_rendering(briefing):
    md = briefing.to_markdown(show_removed=True)
    assert md.startswith("### 2025-02-04")
    assert re.search(r"\[1\]\[2\]", md) and "개 기사)" in md
    assert "정리 과정에서 제거된 부분" in md
