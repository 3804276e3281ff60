"""Multi-article briefings: one bullet per fact (the near-duplicate rule shared with the cluster
evaluation), and what most outlets lead with comes first."""
from __future__ import annotations

from summarizer import korean, summarize
from summarizer.evaluate import near_duplicate_pairs
from summarizer.textrank import near_duplicate

# Three short articles about one city event (written for this test). The first article's lead
# holds every content word of the others' leads plus many details: by TF-IDF cosine the
# sentences differ, by content words one contains the other.
DRONE_SHOW = [
    "서울시는 다음 달 1일 오후 8시 여의도 한강공원에서 드론 1000대가 밤하늘에 광화문과 남산타워 모양을 "
    "그리는 야간 드론 쇼를 무료로 연다고 24일 밝혔다. 시는 시민 안전을 위해 지하철 5호선 운행을 늘린다.",
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
