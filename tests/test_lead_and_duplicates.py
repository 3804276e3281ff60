"""Multi-article briefings: one bullet per fact (the near-duplicate rule shared with the cluster
evaluation), and what most outlets lead with comes first."""
from __future__ import annotations

from summarizer import Article, korean, summarize
from summarizer.evaluate import near_duplicate_pairs
from summarizer.textrank import near_duplicate

# Three short articles about one city event (written for this test). The first article's lead
# holds every content word of the others' leads plus many details: by TF-IDF cosine the
# sentences differ, by content words one contains the other.
DRONE_SHOW = [
    (
        "서울시는 다음 달 1일 오후 8시 여의도 한강공원에서 드론 1000대가 밤하늘에 광화문과 남산타워 모양을 "
        "그리는 야간 드론 쇼를 무료로 연다고 24일 밝혔다. 시는 시민 안전을 위해 지하철 5호선 운행을 늘린다."
    ),
    "서울시는 한강공원에서 드론 쇼를 연다고 밝혔다. 관람은 무료이며 사전 신청은 받지 않는다.",
    "서울시가 여의도 한강공원에서 드론 쇼를 연다. 시는 주변 도로 교통을 통제할 계획이다.",
]


def _forms(texts: list[str]) -> list[frozenset[str]]:
    return [korean.content_forms(m) for m in korean.tokenize(texts)]


def test_near_duplicate_is_a_source_not_a_second_bullet():
    briefing = summarize(DRONE_SHOW)
    bullets = [b.text for b in briefing.bullets]
    assert near_duplicate_pairs(_forms(bullets)) == 0, bullets
    # One bullet states the show; the three leads, the long one included, are its sources.
    show = [b for b in briefing.bullets if "드론 쇼" in b.text]
    assert len(show) == 1, bullets
    assert show[0].support == 3 and len(show[0].sources) == 3
    assert any("1000대" in s.text for s in show[0].sources)
    # No sentence is the source of two bullets.
    cited = {(s.article, s.start) for b in briefing.bullets for s in b.sources}
    assert len(cited) == sum(len(b.sources) for b in briefing.bullets)


def test_near_duplicate_rule():
    a, b, c = _forms(
        [
            "서울시는 한강공원에서 드론 쇼를 연다고 밝혔다.",
            "서울시는 다음 달 1일 여의도 한강공원에서 드론 1000대가 나는 야간 드론 쇼를 연다고 밝혔다.",
            "관람은 무료이며 사전 신청은 받지 않는다.",
        ]
    )
    assert near_duplicate(a, b) and near_duplicate(b, a)  # contained in the longer one
    assert not near_duplicate(a, c)
    assert not near_duplicate(frozenset(), a)


# Two outlets lead with a product launch (this afternoon); a third reports an earlier, unrelated
# fire (two days before, within the week a timeline reaches back). The launch is what the pages
# are about: it comes first though the fire is dated earlier, and it opens with the fact both
# outlets lead with, though another bullet states an earlier hour.
LAUNCH = [
    Article(
        "한빛전자는 25일 오후 2시 서울 코엑스에서 접이식 노트북 '폴드북'을 처음 공개했다. 폴드북은 화면을 반으로 "
        "접으면 태블릿이 된다. 가격은 199만원으로 다음 달 10일 출시된다. 한빛전자 대표는 올해 폴드북 50만대를 "
        "팔겠다고 밝혔다.",
        date="2024-05-25",
        outlet="가일보",
    ),
    Article(
        "한빛전자가 25일 오후 2시 접이식 노트북 폴드북을 공개했다. 오전 10시부터 코엑스 앞에는 관람객 500명이 "
        "줄을 섰다. 폴드북 무게는 1.1kg이고 배터리는 20시간 간다. 한빛전자는 폴드북을 미국과 유럽에도 내놓는다.",
        date="2024-05-25",
        outlet="나일보",
    ),
    Article(
        "지난 23일 경남 김해 물류창고에서 큰불이 나 소방관 40명이 출동했다. 불은 창고 2동을 태우고 6시간 만에 "
        "꺼졌다. 경찰은 용접 작업 중 튄 불꽃을 화재 원인으로 보고 있다. 창고 주인은 보험 처리를 요청했다.",
        date="2024-05-25",
        outlet="다일보",
    ),
]


def test_the_story_most_outlets_lead_with_comes_first():
    briefing = summarize(LAUNCH)
    assert len(briefing.sections) == 2
    launch, fire = briefing.sections
    assert all("폴드북" not in b.text for b in fire.bullets) and any("김해" in b.text for b in fire.bullets)
    assert fire.date < launch.date  # by date alone the fire would come first
    first = launch.bullets[0]
    assert {s.article for s in first.sources} == {0, 1}, first.text
    assert all(LAUNCH[s.article].text.startswith(s.text) for s in first.sources)
    # The queue at 10 a.m. follows the lead, not before it.
    assert any("오전 10시" in b.text for b in launch.bullets[1:])
    # Markdown shows the launch first.
    md = briefing.to_markdown()
    assert md.index("폴드북") < md.index("김해")
