"""The Gradio demo: rendering of a Briefing, input handling, and the running app via gradio_client."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from demo.inputs import SEED_DIR, collect_articles, read_upload, seed_text
from demo.render import briefing_html, highlight_flags, message_html, removed_html
from summarizer import ArticleInfo, Briefing, Bullet, Event, InputError, Removed, Source

HANGUL = re.compile("[가-힣]")


def _briefing(method: str = "textrank", flags: list[str] | None = None) -> Briefing:
    """A hand-made two-event briefing over three articles (indices 0..2)."""
    fact = "삼성전자는 4일 서초 사옥에서 오픈AI와 5000억 달러 규모의 협력을 논의했다."
    return Briefing(
        method=method,
        sections=[
            Event(
                title="이재용·올트먼 회동",
                date="2025-02-04",
                bullets=[
                    Bullet(
                        text=fact,
                        sources=[Source(0, 10, 50, "삼성전자는 4일 서초 사옥에서 회동했다."), Source(2, 0, 30, "오픈AI와 협력을 논의했다.")],
                        support=2,
                        score=0.4,
                        flags=flags or [],
                    ),
                    Bullet(text="손 회장은 김포공항으로 입국했다.", sources=[Source(1, 0, 17, "손 회장은 김포공항으로 입국했다.")], support=1, score=0.2),
                ],
            ),
            Event(title=None, date=None, bullets=[Bullet("메타 CEO와도 만났다.", [Source(2, 5, 17, "메타 CEO와도 만났다.")], 1, 0.1)]),
        ],
        articles=[
            ArticleInfo(0, "이재용, 올트먼과 회동", "2025-02-04", 900, 700),
            ArticleInfo(1, None, None, 500, 450),
            ArticleInfo(2, "메타·아마존 CEO와 회동", None, 800, 600),
        ],
        removed=[
            Removed(0, 0, 20, "입력 2025.02.04 (17:10)", "날짜 표기"),
            Removed(0, 30, 60, "■ 제보하기 ▷ 카카오톡 : 'KBS제보' 검색", "제보·구독 안내"),
            Removed(2, 0, 300, "관련 기사 " * 40, "기사 뒤 다른 기사·메뉴"),
        ],
        timings={"clean": 0.01, "select": 0.02},
        max_chars=1500,
    )


def _bullet_items(html: str) -> list[str]:
    return re.findall(r'<li class="bullet[^"]*">.*?</details></li>', html)


# --- rendering -------------------------------------------------------------------------------


def test_briefing_html_has_events_bullets_source_tags_and_support():
    briefing = _briefing()
    html = briefing_html(briefing, elapsed=1.234)
    items = _bullet_items(html)
    assert len(items) == 3
    assert "<h3>2025-02-04 · 이재용·올트먼 회동</h3>" in html
    assert "<h3>주요 내용</h3>" in html  # an event without date or title
    # article indices are shown 1-based, one tag per distinct article
    assert re.search(r'>\[1\]</span><span class="tag"[^>]*>\[3\]</span></span>', items[0])
    assert "기사 2건 보도" in items[0] and "기사 1건 보도" in items[1]
    assert f"길이 {briefing.length} / 1,500자" in html and "시간 1.23초" in html
    assert "사건 2개 · 문장 3개 · 기사 3건" in html
    assert "출처: [1] 이재용, 올트먼과 회동 (2025-02-04) · [2] (제목 없음)" in html


def test_each_bullet_reveals_its_source_sentences():
    items = _bullet_items(briefing_html(_briefing(), 0.5))
    assert "<summary>근거 문장 2개 보기</summary>" in items[0]
    assert "삼성전자는 4일 서초 사옥에서 회동했다." in items[0] and "오픈AI와 협력을 논의했다." in items[0]
    assert "근거 문장 1개 보기" in items[1] and "김포공항으로 입국했다." in items[1]


def test_user_text_is_escaped():
    briefing = _briefing()
    briefing.sections[0].bullets[0].text = '<script>alert("x")</script> 기사'
    briefing.articles[0].title = "<img src=x onerror=alert(1)>"
    html = briefing_html(briefing, 0.1) + removed_html(briefing)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html


def test_fact_check_flags_are_highlighted():
    html = briefing_html(_briefing("kobart", flags=["5000억", "오픈AI", "7일"]), 2.0)
    flagged, plain = _bullet_items(html)[:2]
    assert flagged.startswith('<li class="bullet flagged">')
    assert '<mark class="flag">5000억</mark>' in flagged and '<mark class="flag">오픈AI</mark>' in flagged
    # a flag that does not occur verbatim is still listed in the warning
    assert "⚠ 원문에서 확인되지 않음: 5000억, 오픈AI, 7일" in flagged
    assert "<mark" not in plain and 'class="bullet"' in plain
    assert "KoBART · 생성 요약" in html


def test_highlight_flags_prefers_longest_match_and_escapes():
    assert highlight_flags("5000억 <b>", ["500", "5000억"]) == '<mark class="flag">5000억</mark> &lt;b&gt;'
    assert highlight_flags("그대로", []) == "그대로"


def test_removed_html_lists_each_article_with_reasons():
    html = removed_html(_briefing())
    assert html.count('<details class="removed-article">') == 3
    # 21 + 26 characters removed from article 1
    assert "[1] 이재용, 올트먼과 회동 — 2곳, 47자 제거 (원문 900자 중 700자 사용)" in html
    assert "[2] (제목 없음) — 0곳, 0자 제거" in html
    assert "<td>날짜 표기</td><td>입력 2025.02.04 (17:10)</td>" in html
    assert "관련 기사 관련 기사" in html and "…</td>" in html  # long removals are shortened


def test_message_html_is_escaped_and_shows_command():
    html = message_html("가중치가 <없습니다>", "unavailable", title="KoBART", command="ko-brief fetch x")
    assert 'class="notice notice-unavailable" role="alert"' in html
    assert "&lt;없습니다&gt;" in html and "<code>ko-brief fetch x</code>" in html


# --- input handling --------------------------------------------------------------------------


def test_seed_text_holds_the_five_seed_pages():
    articles = collect_articles(seed_text(), None, 100_000)
    assert len(articles) == 5 == len(list(SEED_DIR.glob("*.txt")))
    assert articles[0].lstrip().startswith("이재용, 올트먼·손정의와 회동")


def test_paste_and_uploads_are_combined_in_order(tmp_path):
    utf8 = tmp_path / "a.txt"
    utf8.write_bytes("\ufeff세 번째 기사입니다.".encode("utf-8"))  # with BOM
    euckr = tmp_path / "b.txt"
    euckr.write_bytes("네 번째 기사입니다.\n===\n다섯 번째 기사입니다.".encode("cp949"))
    articles = collect_articles("첫 기사입니다.\n---\n두 번째 기사입니다.", [str(utf8), str(euckr)], 1000)
    assert [a.strip() for a in articles] == [
        "첫 기사입니다.", "두 번째 기사입니다.", "세 번째 기사입니다.", "네 번째 기사입니다.", "다섯 번째 기사입니다.",
    ]


def test_undecodable_upload_gets_a_korean_message(tmp_path):
    junk = tmp_path / "photo.txt"
    junk.write_bytes(bytes([0xFF, 0xFE, 0xFD, 0x80, 0x81]) * 50)
    with pytest.raises(InputError, match="'photo.txt' 파일을 텍스트로 읽을 수 없습니다"):
        read_upload(junk, 1000)


@pytest.mark.parametrize(
    ("pasted", "files", "message"),
    [
        ("", None, "요약할 기사가 없습니다"),
        ("  \n---\n  ", [], "요약할 기사가 없습니다"),
        ("가" * 1001, None, "입력이 너무 깁니다: 1,001자 이상"),
    ],
)
def test_empty_or_oversized_input_is_refused(pasted, files, message):
    with pytest.raises(InputError, match=message):
        collect_articles(pasted, files, 1000)


def test_oversized_upload_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("가" * 2000, encoding="utf-8")  # 6000 bytes > 4 bytes x 1000 chars
    with pytest.raises(InputError, match="'big.txt' 파일이 너무 큽니다"):
        collect_articles("", [big], 1000)
