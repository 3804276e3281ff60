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


# Raw crawls (made-up text in the shape of real ones): paragraphs run together without newlines,
# the byline with e-mail, a copyright note, page script and CSS glued to the last sentence.
CRAWL = (
    "시는 4일 청년 주택 5000가구를 새로 짓는다고 밝혔다.입주 대상은 만 19세에서 39세 사이의 무주택 청년이다."
    "시 관계자는 \"임대료는 주변 시세의 70% 수준\"이라고 말했다.우리공화당은 이날 논평을 내고 환영했다."
    "김가나 선임기자 kim.gana@example.co.krCopyright by example.com All rights reserved. "
    "$( document ).ready( function() {window.popupObj = Popup( $( '#best_layer' ), {vertical: 'center',"
    "horizontal: 'center', duration: 300});});  .v_photoarea:before{content: \"\";display: block;}"
)
CRAWL_SENTENCES = [
    "시는 4일 청년 주택 5000가구를 새로 짓는다고 밝혔다.",
    "입주 대상은 만 19세에서 39세 사이의 무주택 청년이다.",
    "시 관계자는 \"임대료는 주변 시세의 70% 수준\"이라고 말했다.",
    "우리공화당은 이날 논평을 내고 환영했다.",
]


def removed_texts(article, reason):
    return [r.text for r in article.removed if r.reason == reason]


def test_glued_byline_copyright_and_script_are_cut_and_sentences_still_split():
    from summarizer.document import build_sentences

    a = clean_article(CRAWL)
    assert "".join(kept(a)) == "".join(CRAWL_SENTENCES)
    assert removed_texts(a, "기자 정보·이메일") == ["김가나 선임기자 kim.gana@example.co.kr"]
    assert removed_texts(a, "저작권 고지") == ["Copyright by example.com All rights reserved."]
    script = removed_texts(a, "스크립트·CSS")
    assert script and script[0].startswith("$( document )") and script[-1].endswith("display: block;}")
    sentences, _ = build_sentences([a])
    assert [s.text for s in sentences] == CRAWL_SENTENCES  # "밝혔다.입주" is two sentences


def test_ad_script_inside_the_body_is_cut_between_two_kept_sentences():
    page = (
        "배터리 공장은 지난해 완공됐다.window.googletag = window.googletag || {cmd: []};"
        "googletag.cmd.push(function() {googletag.defineSlot('/12/Ad_1x1', [1, 1], 'div-ad-0')"
        ".addService(googletag.pubads());googletag.enableServices();}); 회장은 이날 5시간 넘게 공장에 머물렀다."
    )
    a = clean_article(page)
    assert kept(a) == ["배터리 공장은 지난해 완공됐다.", "회장은 이날 5시간 넘게 공장에 머물렀다."]
    assert reasons(a) == {"스크립트·CSS"}


def test_bylines_without_email_cut_addresses_and_credits_glued_to_text():
    a = clean_article("경찰은 사건 경위를 조사하고 있다.박하늘 인턴기자")
    assert kept(a) == ["경찰은 사건 경위를 조사하고 있다."] and reasons(a) == {"기자 정보·이메일"}
    # A crawl cut the address after "@"; datelines and several reporters belong to the byline.
    a = clean_article("회담은 두 시간 이어졌다. 권가람 기자, 워싱턴=노다온 특파원 roh@")
    assert kept(a) == ["회담은 두 시간 이어졌다."]
    assert removed_texts(a, "기자 정보·이메일") == ["권가람 기자, 워싱턴=노다온 특파원 roh@"]
    # What follows a closing byline is other stories, not this article.
    body = "정부는 대책을 내놨다. " * 12
    a = clean_article(body + "이나라 기자 lee@example.com‘생수에 흰 가루’…“장난처럼 먹였다”")
    assert kept(a) == [body.strip()] and "기사 뒤 다른 기사·메뉴" in reasons(a)
    a = clean_article("사진=AP뉴시스미국 정부가 새 제재를 발표했다. 국회의사당의 모습. 워싱턴=AP/뉴시스당초 하원은 반대했다.")
    assert kept(a) == ["미국 정부가 새 제재를 발표했다. 국회의사당의 모습.", "당초 하원은 반대했다."]
    assert removed_texts(a, "사진 설명") == ["사진=AP뉴시스", "워싱턴=AP/뉴시스"]


def test_addresses_and_words_the_article_talks_about_stay():
    page = "신청은 help@example.com으로 하면 된다. 기자회견은 오후 2시에 열렸다. 외신 기자들이 현장을 찾았다."
    a = clean_article(page)
    assert kept(a) == [page] and a.removed == []


def test_a_long_glued_body_mentioning_a_photo_is_not_a_caption():
    page = "로즌스타인(사진) 법무부 부장관이 사임 의사를 밝혔다." * 8 + "워싱턴=정나래 특파원 jung@example.com[ⓒ 예시일보, 무단전재 및 재배포 금지]"
    a = clean_article(page)
    assert "".join(kept(a)) == "로즌스타인(사진) 법무부 부장관이 사임 의사를 밝혔다." * 8
    assert {"기자 정보·이메일", "저작권 고지"} == reasons(a)


def _sentences(*pages: str) -> list[list[str]]:
    from summarizer.document import build_sentences

    sentences, _ = build_sentences([clean_article(p, i) for i, p in enumerate(pages)])
    return [[s.text for s in sentences if s.article == i] for i in range(len(pages))]


def test_sub_headlines_glued_to_the_first_sentence_become_their_own_line():
    split = _sentences(
        "여야 합의… 시장 “늦었지만 다행”시의회와 시청은 4일 예산안을 처리하기로 합의했다. 처리는 6일이다.",
        "당초 축소 시사… 여론 악화에 한발 물러서올해로 끝나는 공제 제도를 정부가 연장하기로 했다.",
        "법원, 징역 3년 선고\t\t\t또래를 폭행해 숨지게 한 10대에게 실형이 선고됐다.",
    )
    assert split == [
        ["여야 합의… 시장 “늦었지만 다행”", "시의회와 시청은 4일 예산안을 처리하기로 합의했다.", "처리는 6일이다."],
        ["당초 축소 시사… 여론 악화에 한발 물러서", "올해로 끝나는 공제 제도를 정부가 연장하기로 했다."],
        ["법원, 징역 3년 선고", "또래를 폭행해 숨지게 한 10대에게 실형이 선고됐다."],
    ]


def test_quotes_and_blanks_inside_ordinary_sentences_are_not_sub_headlines():
    pages = (
        "그는 “사실에 따라 다룰 것”이라고 밝혔다. 그는 “괜찮다”며 웃었다.",
        "박 의원은 지난 6일 공개한 사진에 대해  \"검찰에서 받지 않았다\"고 8일 설명했다.",
        "시장은 “예산은 충분하다”고 말했다.“다만 집행이 늦다”고 덧붙였다.",
    )
    assert _sentences(*pages) == [
        ["그는 “사실에 따라 다룰 것”이라고 밝혔다.", "그는 “괜찮다”며 웃었다."],
        ["박 의원은 지난 6일 공개한 사진에 대해  \"검찰에서 받지 않았다\"고 8일 설명했다."],
        ["시장은 “예산은 충분하다”고 말했다.", "“다만 집행이 늦다”고 덧붙였다."],
    ]


def test_paragraphs_glued_after_a_period_are_split_before_latin_digits_and_quotes():
    from summarizer.korean import split_sentences

    text = "확진됐다고 5일 밝혔다.A씨는 입원해 있다.27일 오후 추가 검사를 했다.“다만 늦다”고 덧붙였다."
    assert [s.text for s in split_sentences([text])[0]] == [
        "확진됐다고 5일 밝혔다.", "A씨는 입원해 있다.", "27일 오후 추가 검사를 했다.", "“다만 늦다”고 덧붙였다.",
    ]
    # Inside a quotation, or a decimal number, nothing is cut.
    assert [s.text for s in split_sentences(["그는 “좋다. A등급이다”라고 했다. 성장률은 2.5%였다."])[0]] == [
        "그는 “좋다. A등급이다”라고 했다.", "성장률은 2.5%였다.",
    ]


def test_screenshot_credits_and_related_story_links_glued_to_sentences():
    page = (
        "그는 대화로 풀겠다는 입장을 시사했다.신화망 캡처중국 관영 매체에 따르면 회담은 두 시간 이어졌다. "
        "미사일로 추정됐다. 노동신문 캡처 합동참모본부는 25일 발사 사실을 밝혔다. "
        "그는 화면을 캡처했다. 지난 4월 캡처한 영상도 공개됐다. 위원회는 이 영상을 두 차례 검토했다고 설명했다. "
        "정부는 다음 달 최종 방안을 발표할 계획이다.[관련기사] 검사와 통화까지…‘사태’ 기로에"
    )
    a = clean_article(page)
    assert removed_texts(a, "사진 설명") == ["신화망 캡처", "노동신문 캡처"]
    assert removed_texts(a, "기사 뒤 다른 기사·메뉴") == ["[관련기사] 검사와 통화까지…‘사태’ 기로에"]
    text = " ".join(kept(a))
    assert "중국 관영 매체에 따르면" in text and "합동참모본부는 25일" in text
    assert "그는 화면을 캡처했다. 지난 4월 캡처한 영상도 공개됐다." in text


def test_agency_photo_credits_glued_to_the_next_sentence_are_cut():
    page = (
        "시청 앞에 행사 안내문이 걸려 있다.뉴시스서울 도심에서 주말 행사가 열렸다. "
        "연설 장면이 공개됐다. AP뉴시스백악관은 이날 성명을 내고 입장을 밝혔다. "
        "연합뉴스가 이날 이 소식을 처음 보도했다. 뉴시스에 따르면 경찰은 수사를 시작했다. "
        "그는 연합뉴스와의 인터뷰에서 사퇴하지 않겠다고 말했다."
    )
    a = clean_article(page)
    assert removed_texts(a, "사진 설명") == ["뉴시스", "AP뉴시스"]
    text = " ".join(kept(a))
    assert "서울 도심에서 주말 행사가" in text and "백악관은 이날 성명을" in text
    for stays in ("연합뉴스가 이날", "뉴시스에 따르면", "연합뉴스와의 인터뷰에서"):
        assert stays in text


def test_kiwi_cuts_after_a_closing_quote_or_inside_a_word_are_joined():
    from summarizer.korean import split_sentences

    text = (
        "그는 “우리 팀은 계속 달린다. 나도 달리겠다”고 애정을 드러냈다고 회사는 설명했다. "
        "그는 예고했다. \"그것은 아주 멋진 일\"이라고 덧붙였다. 그는 “그것은 아주 멋질 것”이라고도 말했다."
    )
    assert [s.text for s in split_sentences([text])[0]] == [
        "그는 “우리 팀은 계속 달린다. 나도 달리겠다”고 애정을 드러냈다고 회사는 설명했다.",
        "그는 예고했다.",
        "\"그것은 아주 멋진 일\"이라고 덧붙였다.",
        "그는 “그것은 아주 멋질 것”이라고도 말했다.",
    ]


def test_a_byline_at_the_top_takes_only_the_name_and_leaves_deck_and_body():
    a = clean_article("작물별 차등 지원 이성훈 lee@example.net 정부는 올해 농가 지원을 작물별로 달리한다.")
    assert removed_texts(a, "기자 정보·이메일") == ["이성훈 lee@example.net"]
    assert (a.title, kept(a)) == ("작물별 차등 지원", ["정부는 올해 농가 지원을 작물별로 달리한다."])
    a = clean_article("개방 검토 김영신 기자 kim@example.net 시는 운동장 개방을 검토한다고 밝혔다.")
    assert removed_texts(a, "기자 정보·이메일") == ["김영신 기자 kim@example.net"]


def test_datelines_desks_and_other_middle_dots_belong_to_the_byline():
    body = "시는 올해 예산을 늘리기로 했다. " * 10
    for byline in ("도쿄 김나라 특파원 kim@example.com", "디지털기획팀 이가람 lee@example.com",
                   "곽다온ㆍ김하늘 기자 kwak@example.com", "임보라 평화연구소 사무국장 lim@example.com"):
        a = clean_article(body.strip() + byline)
        assert kept(a) == [body.strip()] and removed_texts(a, "기자 정보·이메일") == [byline]
