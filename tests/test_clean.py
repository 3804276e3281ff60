"""Cleaning rules on page shapes other than the seeds: the rules are about kinds of junk."""
from summarizer.clean import clean_article

BODY = (
    "정부가 5일 새로운 반도체 지원 정책을 발표했다. 지원 규모는 총 10조 원으로 내년부터 집행된다.\n"
    "산업통상자원부는 중소 팹리스 기업에 우선 배정하겠다고 밝혔다.\n"
    "업계는 설계 인력 양성과 시제품 제작 비용 지원이 함께 이뤄져야 실효성이 있다는 반응을 보였다. "
    "정부는 상반기 안에 세부 집행 계획을 내놓고 하반기부터 기업별 신청을 받을 계획이다."
)


def kept(article):
    return [article.original[s:e] for s, e in article.blocks]


def reasons(article):
    return {r.reason for r in article.removed}


def test_agency_byline_prefix_title_and_publication_date():
    page = (
        "정부, 반도체에 10조 지원…중소 팹리스 우선\n"
        "기사입력 2024-03-05 10:00 | 최종수정 2024-03-05 11:20\n"
        "(서울=연합뉴스) 홍길동 기자 = " + BODY + "\n"
        "hong@yna.co.kr\n"
        "<저작권자(c) 연합뉴스, 무단 전재-재배포 금지>\n"
    )
    a = clean_article(page)
    assert a.title == "정부, 반도체에 10조 지원…중소 팹리스 우선"
    assert a.date == "2024-03-05"
    assert kept(a)[0].startswith("정부가 5일")
    assert {"기자 표기", "날짜 표기", "기자 정보·이메일", "저작권 고지"} <= reasons(a)
    assert not any("@" in k for k in kept(a))


def test_odd_spaces_are_normalised_without_moving_offsets():
    page = "정부가\xa0새\u200b정책을 발표했다. 지원\u3000규모는 10조 원이다."
    a = clean_article(page)
    s, e = a.blocks[0]
    assert (s, e) == (0, len(page))
    assert a.normalized[s:e] == "정부가 새 정책을 발표했다. 지원 규모는 10조 원이다."


def test_html_pasted_as_text_keeps_the_words_drops_the_markup():
    page = "<html><head><style>p{color:red}</style></head><body><p>" + BODY.replace("\n", "</p><p>") + "</p></body></html>"
    a = clean_article(page)
    text = " ".join(a.normalized[s:e] for s, e in a.blocks)
    assert "정부가 5일" in text and "<" not in text and "color" not in text
    assert "HTML 태그" in reasons(a)


def test_repeated_body_collapses_and_tail_of_other_stories_is_cut():
    page = (
        BODY + "\n" + BODY + "\n"
        "많이 본 뉴스\n"
        "1. 배우 OOO 결혼 발표…팬들 축하 이어져\n"
        "2. 주말 날씨 전국 흐리고 비\n"
    )
    a = clean_article(page)
    assert kept(a) == BODY.split("\n")
    assert "반복된 문단" in reasons(a)
    tail = [r for r in a.removed if r.reason == "기사 뒤 다른 기사·메뉴"]
    assert tail and "결혼" in tail[0].text


def test_second_byline_after_the_body_starts_a_teaser():
    page = "[한빛일보=김기자 기자] " + BODY + "\n[한빛일보=박기자 기자] 다른 지역의 전혀 다른 사건 소식이 이어진다. 경찰이 수사에 나섰다.\n"
    a = clean_article(page)
    assert not any("경찰" in k for k in kept(a))


def test_ui_furniture_weather_and_captions():
    page = (
        "구름많음서울 3.2℃\n미세먼지 보통\n전체메뉴\n로그인\n공유하기\n"
        "▲ 정부세종청사 전경 (사진=한빛일보 DB)\n" + BODY + "\n좋아요 12\n댓글 3\n"
    )
    a = clean_article(page)
    assert kept(a) == BODY.split("\n")
    assert {"날씨 위젯", "메뉴·공유·반응 버튼", "사진 설명"} <= reasons(a)


def test_every_removal_is_a_span_of_the_input():
    page = "메뉴\n구름많음서울 3.2℃\n" + BODY + "\n관련기사\n다른 기사 제목이 여기에 길게 붙어 있다\n"
    a = clean_article(page, index=3)
    for r in a.removed:
        assert r.article == 3 and page[r.start : r.end] == r.text
