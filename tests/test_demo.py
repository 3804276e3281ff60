"""The Gradio demo: rendering of a Briefing, input handling, and the running app via gradio_client."""
from __future__ import annotations

import csv
import json
import logging
import os
import random
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest

from demo.inputs import BAD_LINES_KEPT, SEED_DIR, collect_articles, collect_feed, read_upload, seed_text
from demo.render import (
    TOP_STORIES,
    bad_lines_html,
    briefing_html,
    coverage_html,
    highlight_flags,
    message_html,
    removed_html,
    stories_html,
    story_days,
)
from summarizer import (
    Article,
    ArticleInfo,
    Briefing,
    Bullet,
    Event,
    InputError,
    Limits,
    ModelUnavailableError,
    Removed,
    Source,
    Story,
    summarize,
    summarize_feed,
)
from summarizer.feed import BadLine

REPO = Path(__file__).resolve().parents[1]
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
    assert "이야기 2개 · 문장 3개 · 기사 3건" in html
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
    assert 'data-method="kobart"' in html


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


def test_empty_paste_gives_no_articles():
    assert collect_articles("  \n---\n  ", [], 1000) == [] == collect_articles(None, None, 1000)


def test_oversized_upload_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("가" * 2000, encoding="utf-8")  # 6000 bytes > 4 bytes x 1000 chars
    with pytest.raises(InputError, match="'big.txt' 파일이 너무 큽니다"):
        collect_articles("", [big], 1000)


# --- the stories tab: a feed read, its stories rendered --------------------------------------

HEAT = [  # a heat wave, three days, three outlets
    ("폭염 경보 전국 확대… 낮 최고기온 37도", "기상청은 전국 대부분 지역에 폭염 경보를 확대 발령했다. 낮 최고기온은 37도까지 "
     "오르겠다. 기상청은 폭염 속 온열질환자가 늘 수 있다며 야외 활동을 자제해 달라고 당부했다."),
    ("폭염 경보 이틀째… 온열질환자 급증", "전국에 폭염 경보가 이틀째 이어지면서 온열질환자가 급증했다. 기상청은 낮 "
     "최고기온이 36도까지 오르겠다고 밝혔다. 폭염 경보 속 전력 수요도 늘었다."),
    ("폭염 경보 사흘째… 전력 수요 최고치", "전국에 폭염 경보가 사흘째 이어지며 전력 수요가 최고치를 기록했다. 기상청은 낮 "
     "최고기온 37도의 폭염 경보가 주말까지 이어진다고 밝혔다. 온열질환자도 계속 늘고 있다."),
    ("폭염 경보 속 온열질환자 500명 넘어", "폭염 경보가 사흘째 이어진 가운데 온열질환자가 500명을 넘었다. 기상청은 낮 "
     "최고기온이 37도에 이르는 폭염이 계속된다고 밝혔다."),
]
CHIPS = [  # chip exports, two days
    ("반도체 수출 다섯 달째 증가", "산업통상자원부는 지난달 반도체 수출이 다섯 달 연속 증가했다고 밝혔다. 메모리 반도체 가격 "
     "회복으로 반도체 수출액은 120억 달러를 넘었다."),
    ("메모리 반도체 수출 회복세", "메모리 반도체 가격이 오르면서 반도체 수출이 회복세를 보였다. 산업통상자원부는 반도체 "
     "수출 증가가 하반기에도 이어질 것으로 내다봤다."),
]
LIBRARY = [("시립도서관 새벽까지 연장 개관", "시는 시험 기간을 맞아 시립도서관을 새벽 2시까지 연장 개관한다고 밝혔다. "
            "연장 개관은 다음 달 말까지 이어진다.")]


def made_up_feed() -> list[dict]:
    """A made-up feed: a heat wave over three days, chip exports over two, one library story; the
    heat wave's first article comes twice (the same URL under another id)."""
    outlets = ["가나일보", "다라신문", "마바방송"]
    dates = {"heat": ["2026-07-20", "2026-07-21", "2026-07-22", "2026-07-22"], "chips": ["2026-07-21", "2026-07-22"],
             "library": ["2026-07-20"]}
    feed = []
    for name, articles in [("heat", HEAT), ("chips", CHIPS), ("library", LIBRARY)]:
        for n, (headline, text) in enumerate(articles):
            feed.append({"id": f"{name}-{n}", "headline": headline, "outlet": outlets[n % 3], "date": dates[name][n],
                         "url": f"https://news.example/{name}/{n}", "text": text})
    feed.append({**feed[0], "id": "heat-0-again"})
    return sorted(feed, key=lambda a: a["date"])


def write_feed(path: Path, feed: list[dict], bad_lines: dict[int, str] | None = None) -> Path:
    """``feed`` as JSONL (or CSV by the suffix), with ``bad_lines`` put in at their 1-based line numbers."""
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, ["id", "headline", "outlet", "date", "url", "text"])
            writer.writeheader()
            writer.writerows(feed)
        return path
    lines = [json.dumps(a, ensure_ascii=False) for a in feed]
    for number, line in sorted((bad_lines or {}).items()):
        lines.insert(number - 1, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _story(sid: str, title: str | None, days: list[str | None], briefing: Briefing | None = None, **fields) -> Story:
    """A hand-made story of one article per entry of ``days``."""
    articles = tuple(Article(f"{title} 기사 {n}", date=day) for n, day in enumerate(days))
    dated = sorted(d for d in days if d)
    first, last = (dated[0], dated[-1]) if dated else (None, None)
    ids = tuple(f"{sid}-{n}" for n in range(len(days)))
    outlets = fields.pop("outlets", ("가나일보",))
    return Story(sid, title, first, last, outlets, len(days), ids, (None,) * len(days), articles, briefing, **fields)


def test_collect_feed_reads_paste_then_uploads_and_keeps_bad_lines_with_numbers(tmp_path):
    feed = made_up_feed()
    jsonl = write_feed(tmp_path / "오늘.jsonl", feed[:5], {2: "{깨진 줄", 4: json.dumps({"id": "빈", "text": " "})})
    table = write_feed(tmp_path / "어제.csv", feed[5:])
    got = collect_feed("붙여 넣은 첫 기사입니다.\n---\n두 번째 기사입니다.", [jsonl, table], Limits())
    assert [e.key for e in got.entries] == ["붙여넣기 1", "붙여넣기 2"] + [a["id"] for a in feed]
    assert [e.article.date for e in got.entries[2:]] == [a["date"] for a in feed]
    assert got.entries[2].article.outlet == feed[0]["outlet"] and got.entries[-1].article.headline == feed[-1]["headline"]
    assert got.bad_count == 2 and [b.where for b in got.bad] == [f"{jsonl}:2", f"{jsonl}:4"]


def test_collect_feed_refuses_other_files_and_stops_at_the_caps(tmp_path):
    feed = write_feed(tmp_path / "feed.jsonl", made_up_feed())
    with pytest.raises(InputError, match="'기사.txt'은\\(는\\) JSONL이나 CSV 파일이 아닙니다"):
        collect_feed("", [tmp_path / "기사.txt"], Limits())
    with pytest.raises(InputError, match="기사 5건까지"):
        collect_feed("", [feed], Limits(max_articles=5))
    with pytest.raises(InputError, match="모두 합쳐 300자까지"):
        collect_feed("", [feed], Limits(max_total_chars=300))
    many = write_feed(tmp_path / "bad.jsonl", [], {n: "{" for n in range(1, 31)})
    got = collect_feed("", [many], Limits())
    assert got.entries == [] and got.bad_count == 30 and len(got.bad) == BAD_LINES_KEPT < 30


def test_bad_lines_note_names_each_file_and_line():
    bad = [BadLine("/tmp/gradio/abc/오늘.jsonl:2", "JSON 줄이 아닙니다"), BadLine("/tmp/x/어제.csv:14", "본문 <text>가 없습니다")]
    html = bad_lines_html(bad, 5)
    assert "읽지 못한 줄 5개는 건너뛰었습니다" in html and "/tmp" not in html
    assert "오늘.jsonl 2번째 줄: JSON 줄이 아닙니다\n어제.csv 14번째 줄: 본문 &lt;text&gt;가 없습니다\n외 3줄" in html


def test_coverage_html_counts_each_story_per_day_with_gaps():
    stories = [
        _story("s0", "태풍 <북상>", ["2026-07-20", "2026-07-20", "2026-07-22", None]),  # pauses on the 21st
        _story("s1", "반도체 수출", ["2026-07-21"]),
    ]
    html = coverage_html(stories)
    assert [unescape(h) for h in re.findall(r"<th>(\d+/\d+ .)</th>", html)] == ["7/20 월", "7/21 화", "7/22 수"]
    rows = re.findall(r"<tr data-story=.*?</tr>", html)
    assert [re.findall(r'<td class="cell"(?: data-count="(\d+)")?', row) for row in rows] == [["2", "", "1"], ["", "1", ""]]
    assert "1. 태풍 &lt;북상&gt;" in rows[0] and "<북상>" not in html
    assert ">3건</td>" in rows[0] and "날짜를 모르는 기사 1건은 빠짐" in html
    assert "2026-07-20 ~ 2026-07-22, 하루 단위" in html


def test_coverage_html_draws_the_top_stories_by_month_over_a_long_span():
    stories = [_story(f"s{n}", f"스토리 {n}", ["2026-01-05", "2026-03-30"]) for n in range(12)]
    html = coverage_html(stories)
    assert re.findall(r"<th>(\d{4}-\d{2})</th>", html) == ["2026-01", "2026-02", "2026-03"]
    assert html.count("<tr data-story=") == TOP_STORIES == 10 and "상위 10개 스토리" in html and "한 달 단위" in html
    assert "날짜별 보도량을 그리지 못했습니다" in coverage_html([_story("s", "날짜 없음", [None])])


def test_stories_html_ranks_stories_with_meta_and_a_closed_briefing():
    briefing = _briefing()
    undated = _story("s7", None, [None, None, None], briefing, outlets=())  # titles and dates the pages state
    failed = _story("s8", "<b>실패</b>", ["2026-07-21"], error="요약할 만한 한국어 문장이 없습니다.")
    html = stories_html([_story("s1", "태풍 북상", ["2026-07-20", "2026-07-22"], briefing, outlets=("가나일보", "다라<신문>")),
                         undated, failed])
    cards = re.findall(r'<article class="story".*?</article>', html)
    assert [re.search(r'id="(story-\d)"', c).group(1) for c in cards] == ["story-1", "story-2", "story-3"]
    assert '<span class="rank">1</span>태풍 북상</h3>' in cards[0] and "2026-07-20 ~ 2026-07-22" in cards[0]
    assert "기사 2건</span>" in cards[0] and "언론사 2곳" in cards[0] and "가나일보 · 다라&lt;신문&gt;" in cards[0]
    assert '<details class="story-brief"><summary>브리핑 보기 (문장 3개)</summary><div class="brief"' in cards[0]
    assert "시간" not in cards[0]  # no time chip per story
    # no headline given: the briefing's first found title; dates from the pages (article 1 states one)
    assert "이재용, 올트먼과 회동</h3>" in cards[1] and "2025-02-04</span>" in cards[1]
    assert story_days(undated) == ["2025-02-04", None, None] and "(언론사 정보 없음)" in cards[1]
    assert "&lt;b&gt;실패" in cards[2] and "<b>" not in html and "notice-error" in cards[2]


# --- the running app, driven through gradio_client ------------------------------------------


def tiny_kobart(dest: Path) -> Path:
    """A KoBART-shaped checkpoint with random weights in ``dest`` (summaries are noise).

    Tokenizer: a small BPE trained on the seed pages, built like KoBART's (NFKC, Metaspace,
    special tokens at KoBART's ids); model: 1+1 layers of width 16, KoBART's 1,026 positions.
    """
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        trainers,
    )

    from summarizer.checkpoints import random_checkpoint

    specials = ["<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>"]
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=2000, special_tokens=specials, show_progress=False)
    tokenizer.train_from_iterator(seed_text().splitlines(), trainer)
    dest.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(dest / "tokenizer.json"))
    config = {
        "vocab_size": tokenizer.get_vocab_size(), "d_model": 16, "encoder_layers": 1, "decoder_layers": 1,
        "encoder_attention_heads": 2, "decoder_attention_heads": 2, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32,
        "max_position_embeddings": 1026, "bos_token_id": 1, "eos_token_id": 1, "pad_token_id": 3,
        "decoder_start_token_id": 1, "forced_eos_token_id": 1,
    }
    return random_checkpoint(config, dest / "tokenizer.json", dest)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app, auth: list[tuple[str, str]] | None = None):
    """``app`` running on 127.0.0.1 (a free port) and a gradio_client Client for it (logged in
    with the first of ``auth`` when given)."""
    from gradio_client import Client

    from demo.app import launch

    _, url, _ = launch(app, port=_free_port(), prevent_thread_lock=True, quiet=True, auth=auth)
    try:
        assert url.startswith("http://127.0.0.1:")  # never bound beyond this machine by default
        yield Client(url, verbose=False, download_files=False, analytics_enabled=False,
                     auth=auth[0] if auth else None)
    finally:
        app.close()


@pytest.fixture(scope="module")
def kobart_options(tmp_path_factory):
    from summarizer.abstractive import KobartOptions

    return KobartOptions(model=str(tiny_kobart(tmp_path_factory.mktemp("tiny-kobart"))))


@pytest.fixture(scope="module")
def client(kobart_options):
    from demo.app import build_app

    with served(build_app(kobart_options)) as client:
        yield client


def _bullet_texts(html: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r'<p class="bullet-text">(.*?)</p>', html)]


def _plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_seed_pages_fill_both_columns(client, kobart_options):
    pasted = seed_text()
    textrank, pending, removed = client.predict(pasted, [], 1500, 0.7, api_name="/textrank")
    articles = collect_articles(pasted, None, 100_000)
    expected = summarize(articles, "textrank", 1500, redundancy=0.7)
    assert 'data-method="textrank"' in textrank
    assert _bullet_texts(textrank) == [b.text for b in expected.bullets] and len(expected.bullets) >= 5
    assert textrank.count('<section class="brief-event">') == len(expected.sections)
    assert "기사 5건" in textrank and re.search(r"기사 [2-5]건 보도", textrank)  # a fact several report
    assert "notice-pending" in pending  # the KoBART column says it is on its way
    assert removed.count('<details class="removed-article">') == 5

    kobart = client.predict(pasted, [], 1500, 0.7, 2, api_name="/kobart")
    generated = summarize(articles, "kobart", 1500, redundancy=0.7, kobart=replace(kobart_options, num_beams=2))
    assert 'data-method="kobart"' in kobart
    assert _bullet_texts(kobart) == [b.text for b in generated.bullets] and generated.bullets
    assert kobart.count('<details class="evidence">') == len(generated.bullets)
    for bullet in generated.bullets:
        tags = "".join(f"[{a + 1}]" for a in bullet.articles)
        assert tags in _plain(kobart).replace(" ", "")
    flagged = [b for b in generated.bullets if b.flags]
    assert kobart.count('<li class="bullet flagged">') == len(flagged)


def test_uploaded_txt_files_are_articles(client):
    from gradio_client import handle_file

    paths = sorted(SEED_DIR.glob("*.txt"))[:2]
    textrank, _, removed = client.predict("", [handle_file(str(p)) for p in paths], 1000, 0.7, api_name="/textrank")
    assert "기사 2건" in textrank and _bullet_texts(textrank)
    assert removed.count('<details class="removed-article">') == 2


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("", "입력이 비어 있습니다"),
        ("  \n---\n===\n  ", "입력이 비어 있습니다"),
        ("This page is written in English only. " * 20, "한국어 기사가 아닙니다"),
        (bytes(range(256)).decode("latin-1") * 20, "바이너리"),
        ("삼성전자가 새 반도체를 발표했다. " * 6000, "입력이 너무 깁니다"),
        ("\n---\n".join(["삼성전자가 새 반도체를 발표했다."] * 31), "기사가 너무 많습니다"),
    ],
    ids=["empty", "separators-only", "english", "binary", "huge", "too-many"],
)
def test_bad_input_gets_a_korean_message_in_both_columns(client, pasted, message):
    textrank, kobart_pending, removed = client.predict(pasted, [], 1500, 0.7, api_name="/textrank")
    kobart = client.predict(pasted, [], 1500, 0.7, 1, api_name="/kobart")
    for html in (textrank, kobart_pending, kobart):
        assert 'class="notice notice-error" role="alert"' in html and message in html
        assert "Traceback" not in html and "Error" not in html
    assert removed == ""


def test_undecodable_upload_shows_a_korean_message_in_the_page(client, tmp_path):
    from gradio_client import handle_file

    junk = tmp_path / "scan.txt"
    junk.write_bytes(bytes([0xFF, 0xFE, 0xFD, 0x80]) * 100)
    textrank, _, _ = client.predict("", [handle_file(str(junk))], 1500, 0.7, api_name="/textrank")
    assert "notice-error" in textrank and "'scan.txt' 파일을 텍스트로 읽을 수 없습니다" in _plain(textrank)


def test_html_page_is_summarized_not_refused(client):
    body = "</p><p>".join(min(SEED_DIR.glob("*.txt")).read_text(encoding="utf-8").splitlines())
    page = f"<html><head><script>var tracker = 1;</script></head><body><p>{body}</p></body></html>"
    textrank, _, _ = client.predict(page, [], 800, 0.7, api_name="/textrank")
    bullets = _bullet_texts(textrank)
    assert bullets and not any("tracker" in b or "<p>" in b for b in bullets)


def broken_brief(*args, **kwargs):
    """Stands in for demo.workers.brief in the worker: a bug deep in the briefing."""
    raise RuntimeError("internal detail 42")


def test_unexpected_failure_shows_a_generic_message_and_logs_the_traceback(client, monkeypatch, caplog):
    import demo.app

    monkeypatch.setattr(demo.app, "brief", broken_brief)  # sent to the worker by name: it imports this module
    with caplog.at_level(logging.ERROR, logger="demo.app"):
        textrank, _, _ = client.predict(seed_text(), [], 1500, 0.7, api_name="/textrank")
    assert "예기치 못한 문제" in textrank and "internal detail" not in textrank
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    # the worker's own traceback reaches the server log
    assert any("internal detail 42" in text and "in broken_brief" in text for text in logged)


def test_a_feed_upload_gives_ranked_stories_the_picture_and_its_bad_lines(client, tmp_path):
    from gradio_client import handle_file

    feed = write_feed(tmp_path / "피드.jsonl", made_up_feed(), {3: "{깨진 줄", 6: json.dumps({"id": "빈", "text": ""})})
    overview, listed = client.predict("", [handle_file(str(feed))], 600, api_name="/stories")
    expected = summarize_feed(collect_feed("", [feed], Limits()).entries, "textrank", 600)
    # heat wave, chips, library; each titled by the headline whose terms its headlines share most
    # per term (stories.most_representative: "반도체 수출 다섯 달째 증가" has fewer terms than
    # "메모리 반도체 수출 회복세" and the same shared ones)
    assert [s.title for s in expected] == [HEAT[0][0], CHIPS[0][0], LIBRARY[0][0]]
    assert "기사 8건 (같은 기사 1건은 한 번만 셈) → 스토리 3개" in _plain(overview)
    assert "읽지 못한 줄 2개는 건너뛰었습니다" in overview and "피드.jsonl 3번째 줄" in overview
    assert "피드.jsonl 6번째 줄" in overview
    # the picture: one row per story, the heat wave on all three days, 2 articles on the 22nd
    rows = re.findall(r"<tr data-story=.*?</tr>", overview)
    assert [re.search(r'data-story="([^"]+)"', r).group(1) for r in rows] == [s.id for s in expected]
    assert re.findall(r'data-count="(\d+)"', rows[0]) == ["1", "1", "2"]
    # the stories, ranked, each with its briefing in a closed <details>
    cards = re.findall(r'<article class="story".*?</article>', listed)
    assert len(cards) == 3 and all('<details class="story-brief">' in c for c in cards)
    assert [unescape(re.search(r"</span>(.*?)</h3>", c).group(1)) for c in cards] == [s.title for s in expected]
    assert "기사 4건 (중복 1건 제외)" in cards[0] and "언론사 3곳" in cards[0] and "2026-07-20 ~ 2026-07-22" in cards[0]
    assert _bullet_texts(cards[0]) == [b.text for b in expected[0].briefing.bullets] and expected[0].briefing.bullets


def test_pasted_articles_make_stories_and_empty_input_gets_a_korean_message(client):
    pasted = "\n---\n".join(text for _, text in HEAT[:2] + CHIPS)
    overview, listed = client.predict(pasted, None, 600, api_name="/stories")
    assert "기사 4건 → 스토리 2개" in _plain(overview)
    assert "날짜별 보도량을 그리지 못했습니다" in overview  # pasted pages that state no date
    assert listed.count('<article class="story"') == 2 and "언론사 정보 없음" in listed
    overview, listed = client.predict("  \n---\n ", None, 600, api_name="/stories")
    assert "notice-error" in overview and "입력이 비어 있습니다" in overview and listed == ""


@pytest.mark.parametrize("model", ["registry-default", "missing-folder"])
def test_missing_kobart_weights_show_a_message_and_textrank_still_works(model, tmp_path):
    from demo.app import build_app
    from summarizer.abstractive import KobartOptions
    from summarizer.checkpoints import default_name, locate

    if model == "registry-default":
        options, needle = KobartOptions(), f"ko-brief fetch {default_name()}"
        try:
            locate(None)
        except ModelUnavailableError:
            pass
        else:
            pytest.skip("the default KoBART weights are installed on this machine")
    else:
        options, needle = KobartOptions(model=str(tmp_path / "no-such-model")), "no-such-model"
    with served(build_app(options)) as client:
        kobart = client.predict(seed_text(), [], 1500, 0.7, 4, api_name="/kobart")
        textrank, _, _ = client.predict(seed_text(), [], 1500, 0.7, api_name="/textrank")
    assert 'class="notice notice-unavailable" role="alert"' in kobart
    assert "KoBART 모델을 쓸 수 없습니다" in kobart and needle in kobart
    if model == "registry-default":  # the command that fetches the weights, shown as code
        assert f"<code>{needle}</code>" in kobart
    assert 'data-method="textrank"' in textrank and _bullet_texts(textrank)


def test_queue_and_concurrency_limits():
    from demo.app import (
        KOBART_CONCURRENCY,
        KOBART_WORKERS,
        QUEUE_SIZE,
        TEXTRANK_CONCURRENCY,
        TEXTRANK_WORKERS,
        build_app,
    )

    app = build_app()
    public = {fn.api_name: fn for fn in app.fns.values() if fn.api_visibility == "public"}
    limits = {name: fn.concurrency_limit for name, fn in public.items()}
    assert limits == {"textrank": TEXTRANK_CONCURRENCY, "kobart": KOBART_CONCURRENCY, "stories": TEXTRANK_CONCURRENCY}
    assert limits == {"textrank": 2, "kobart": 1, "stories": 2}
    # stories share the TextRank workers, so the two share one limit
    assert public["stories"].concurrency_id == public["textrank"].concurrency_id != public["kobart"].concurrency_id
    # a worker process for each request that may run at once: none waits for a worker
    assert (TEXTRANK_WORKERS.workers, KOBART_WORKERS.workers) == (TEXTRANK_CONCURRENCY, KOBART_CONCURRENCY)
    assert app._queue.max_size == QUEUE_SIZE  # a bounded queue: beyond it, requests are refused
    assert app.analytics_enabled is False


def test_launched_page_caps_uploads_and_keeps_no_history(client):
    config = client.config
    assert config["max_file_size"] == 2 * 1024 * 1024
    assert config["run_history"] is False and config["analytics_enabled"] is False


def test_busy_port_gets_one_korean_line_not_a_traceback():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "demo.app", "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
            env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"},
        )
    assert result.returncode == 1
    assert f"127.0.0.1:{port}에서 시작할 수 없습니다" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- shared use: login, warning, warm-up


def test_with_a_login_the_api_refuses_anonymous_calls_and_serves_logged_in_ones():
    import httpx
    from gradio_client import Client

    from demo.app import build_app

    with served(build_app(), auth=[("editor", "s3cret pass")]) as client:
        url = client.src
        for method, path, body in [("GET", "config", None), ("GET", "gradio_api/info", None),
                                   ("POST", "gradio_api/call/textrank", {"data": [seed_text(), None, 1500, 0.7]}),
                                   ("POST", "gradio_api/queue/join", {"data": [seed_text(), None, 1500, 0.7],
                                                                      "fn_index": 1, "session_hash": "x"})]:
            response = httpx.request(method, url + path, json=body)
            assert response.status_code == 401, (path, response.text)
            assert "Not authenticated" in response.text and "bullet" not in response.text
        wrong = httpx.post(url + "login", data={"username": "editor", "password": "s3cret"})
        assert wrong.status_code == 400
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, verbose=False, auth=("editor", "wrong"))
        textrank, _, _ = client.predict(seed_text(), None, 1500, 0.7, api_name="/textrank")  # logged in
    expected = summarize(collect_articles(seed_text(), None, 100_000), "textrank", 1500, redundancy=0.7)
    assert _bullet_texts(textrank) == [b.text for b in expected.bullets] and expected.bullets


def test_logins_come_from_the_environment_or_a_file_and_bad_ones_are_refused(tmp_path, monkeypatch):
    from demo.app import AUTH_ENV, credentials

    monkeypatch.delenv(AUTH_ENV, raising=False)
    assert credentials(None) is None
    monkeypatch.setenv(AUTH_ENV, "editor:pa:ss word")
    assert credentials(None) == [("editor", "pa:ss word")]  # only the first ':' separates
    logins = tmp_path / "logins"
    logins.write_text("# 편집국\neditor:one\n\n기자:둘\n", encoding="utf-8")
    assert credentials(str(logins)) == [("editor", "one"), ("기자", "둘")]  # the file wins over the variable
    for bad, message in [("# 편집국\neditor\n", "2번째 줄"), ("# only a comment\n", "없습니다"), (":pw\n", "1번째 줄")]:
        logins.write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            credentials(str(logins))
    with pytest.raises(ValueError, match="읽을 수 없습니다"):
        credentials(str(tmp_path / "missing"))


def test_bad_login_file_stops_the_demo_with_one_korean_line(tmp_path):
    from demo.app import main

    (tmp_path / "logins").write_text("editor-without-password\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["--auth-file", str(tmp_path / "logins"), "--port", str(_free_port())])
    assert "데모를 시작할 수 없습니다" in str(stopped.value) and "사용자:비밀번호" in str(stopped.value)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the refused bind
@pytest.mark.parametrize("login", [None, "editor:pw"])
def test_binding_beyond_loopback_without_a_login_warns_in_korean(login, monkeypatch, capsys):
    from demo.app import AUTH_ENV, main

    if login:
        monkeypatch.setenv(AUTH_ENV, login)
    else:
        monkeypatch.delenv(AUTH_ENV, raising=False)
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails, nothing is served.
    with pytest.raises(SystemExit, match="192.0.2.1"):
        main(["--host", "192.0.2.1", "--port", str(_free_port())])
    warned = "로그인이 꺼져 있습니다" in capsys.readouterr().err
    assert warned == (login is None)


def test_loopback_hosts_are_told_apart_from_shared_ones():
    from demo.app import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "localhost", "::1"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.0.10", "newsroom.local"]))


def worker_state() -> tuple[int, int]:
    """Run in a worker: its pid and how many Kiwi instances it has built so far."""
    from summarizer import korean

    return os.getpid(), korean.kiwi.cache_info().currsize


def worker_pids() -> set[int]:
    """The demo's worker processes (Pebble's) running now."""
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children() if p.name == "pebble_pool_worker"}


def test_launch_returns_with_kiwi_warmed_in_every_worker_and_requests_run_there(monkeypatch):
    import kiwipiepy

    from demo.app import KOBART_CONCURRENCY, KOBART_WORKERS, TEXTRANK_CONCURRENCY, TEXTRANK_WORKERS, build_app

    analysed = []
    split = kiwipiepy.Kiwi.split_into_sents

    def counting_split(self, *args, **kwargs):
        analysed.append(1)
        return split(self, *args, **kwargs)

    monkeypatch.setattr(kiwipiepy.Kiwi, "split_into_sents", counting_split)  # in this (the server's) process
    with served(build_app()) as client:
        workers = worker_pids()
        assert len(workers) == TEXTRANK_CONCURRENCY + KOBART_CONCURRENCY and os.getpid() not in workers
        for pool in (TEXTRANK_WORKERS, KOBART_WORKERS):  # Kiwi was built before the first call came
            pid, kiwis = pool.run(60, worker_state)
            assert pid in workers and kiwis == 1
        textrank, _, _ = client.predict(seed_text(), None, 1500, 0.7, api_name="/textrank")
    assert _bullet_texts(textrank)
    assert analysed == []  # the server analysed nothing itself: the workers did
    assert worker_pids() == workers  # and they are the same workers, warm, kept between requests


def made_up_articles(total_chars: int, count: int) -> str:
    """About ``total_chars`` of ``count`` pasted made-up Korean articles of distinct sentences (slow to brief)."""
    rng = random.Random(7)
    who = ["서울시", "부산시", "인천시", "대구시", "교육부", "국토교통부", "환경부", "보건복지부", "해양수산부"]
    what = ["청년 주거 지원", "전통시장 활성화", "하천 정비", "도서관 확충", "버스 노선 개편", "미세먼지 저감",
            "어린이집 증설", "항만 물류 자동화", "노후 교량 보수"]
    did = ["계획을 발표했다", "예산을 늘리기로 했다", "시범 운영을 시작했다", "주민 설명회를 열었다",
           "전문가 자문단을 꾸렸다", "현장 점검에 나섰다"]
    articles = [[] for _ in range(count)]
    size = 0
    while size < total_chars:
        sentence = (f"{rng.choice(who)}는 {rng.randint(1, 12)}월 {rng.randint(1, 28)}일 {rng.choice(what)}에 "
                    f"{rng.randint(2, 990)}억 원을 들이는 {rng.choice(did)}.")
        articles[rng.randrange(count)].append(sentence)
        size += len(sentence) + 1
    return "\n---\n".join(" ".join(sentences) for sentences in articles)[:total_chars]


@pytest.mark.slow
def test_a_long_briefing_leaves_page_loads_and_other_users_free(client, capsys):
    """While one client's 500,000-character paste is briefed, another loads the page and gets a
    small briefing. The seconds are printed (-s), not asserted; the bounds only guard a hang."""
    import httpx
    from gradio_client import Client
    from gradio_client.utils import Status

    from demo.app import build_app
    from summarizer import Limits

    long_paste = made_up_articles(500_000, 250)
    # The library's caps (the demo's own stop at 100,000 characters); the time limit ends the long job.
    with served(build_app(limits=Limits(), time_limit=20)) as first:
        second = Client(first.src, verbose=False, download_files=False, analytics_enabled=False)
        start = time.perf_counter()
        long_job = first.submit(long_paste, [], 1500, 0.7, api_name="/textrank")
        while long_job.status().code != Status.PROCESSING:  # the work has begun in a worker
            assert not long_job.done() and time.perf_counter() - start < 120
            time.sleep(0.05)
        time.sleep(1)  # the worker is deep in the paste: cleaning and Kiwi
        started = time.perf_counter()
        page = httpx.get(first.src, timeout=60)
        page_s = time.perf_counter() - started
        started = time.perf_counter()
        small, _, _ = second.predict(seed_text(), [], 1500, 0.7, api_name="/textrank")
        small_s = time.perf_counter() - started
        assert not long_job.done()  # both answered while the long briefing was still running
        assert page.status_code == 200 and "한국어 뉴스 브리핑" in page.text
        assert _bullet_texts(small) == [
            b.text for b in summarize(collect_articles(seed_text(), None, 100_000), "textrank", 1500, redundancy=0.7).bullets
        ]
        long_html = long_job.result(timeout=300)[0]
        long_s = time.perf_counter() - start
    # the long paste ends either briefed or stopped by the time limit, never as an error
    assert 'data-method="textrank"' in long_html or "제한 시간(20초)" in _plain(long_html)
    with capsys.disabled():
        print(f"\nduring a {len(long_paste):,}-character briefing ({long_s:.1f} s): page load {page_s:.3f} s, "
              f"small briefing {small_s:.3f} s")


def test_a_request_past_the_time_limit_gets_a_korean_message_and_its_worker_is_replaced(client):
    from demo.app import TEXTRANK_WORKERS, build_app

    TEXTRANK_WORKERS.start()
    before = worker_pids()
    with served(build_app(time_limit=0.2)) as hurried:  # 100,000 characters take seconds
        textrank, pending, removed = hurried.predict(made_up_articles(100_000, 25), [], 1500, 0.7, api_name="/textrank")
        stories, listed = hurried.predict(made_up_articles(100_000, 25), None, 800, api_name="/stories")
    assert listed == ""
    for html in (textrank, pending, stories):
        assert 'class="notice notice-error" role="alert"' in html
        assert "제한 시간(0.2초)을 넘어 중단했습니다" in _plain(html) and "Error" not in html
    assert removed == ""
    # the stopped worker is gone and a new one takes its place; the next request is briefed
    again, _, _ = client.predict(seed_text(), [], 1500, 0.7, api_name="/textrank")
    assert _bullet_texts(again)
    after = worker_pids()
    # one worker per stopped request (the second may have been the first one's replacement)
    assert len(after) == len(before) and 1 <= len(before - after) <= 2


def test_time_limit_must_be_positive(capsys):
    from demo.app import main

    with pytest.raises(SystemExit):
        main(["--time-limit", "0", "--port", str(_free_port())])
    assert "--time-limit는 0보다 큰 초 수여야 합니다" in capsys.readouterr().err
