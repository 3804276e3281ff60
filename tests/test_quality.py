"""Briefing quality rules on constructed articles: modality, settled previews, stand-alone
bullets, reading order, and the modality flag through the API, markdown and demo HTML."""
import json

import numpy as np
import pytest

from demo.render import briefing_html
from summarizer import Briefing, summarize
from summarizer.document import Sentence
from summarizer.events import days_named
from summarizer.korean import content_terms, tokenize
from summarizer.modality import FORECAST, REPORTED, modality, time_of_day
from summarizer.extractive import WORDING_MARGIN, _restated_decks, opening
from summarizer.pipeline import Limits, prepare, validate

# A preview written the day before, and two reports of the same day from other outlets.
PREVIEW = """한빛전자 김도윤 회장, 내일 미래모터스 박서준 대표와 회동…전기차 배터리 협력 논의

입력 2025.03.10 17:00

한빛전자 김도윤 회장이 11일 미래모터스 박서준 대표와 만날 것으로 알려졌다.
두 사람은 전기차 배터리 공동 개발에 대한 구체적인 논의를 할 가능성이 높다.
김 회장은 이번 회동에서 차세대 전고체 배터리 공급을 제안할 예정이다.
한빛전자는 다음 달 유럽 배터리 공장 증설 계획을 발표할 예정이다.
업계에서는 두 회사의 협력이 배터리 시장 판도를 바꿀 것으로 전망한다.
"""

REPORT_A = """김도윤·박서준 회동…전고체 배터리 공동 개발 합의

입력 2025.03.11 18:20

한빛전자 김도윤 회장은 11일 서울 본사에서 미래모터스 박서준 대표와 만나 전기차 배터리 협력 방안을 논의했다.
두 사람은 오후 2시 본사에 도착해 약 두 시간 동안 회동했다.
회동이 끝난 뒤 박 대표는 취재진에게 "전고체 배터리 공동 개발에 합의했다"고 말했다.
김 회장은 오후 4시 30분께 본사를 떠나며 "좋은 대화를 나눴다"고 밝혔다.
이날 회동에는 양사 배터리 사업 책임자들도 참석했다.
"""

REPORT_B = """한빛전자·미래모터스, 전고체 배터리 손잡아

입력 2025.03.11 18:20

한빛전자와 미래모터스가 11일 전고체 배터리를 함께 개발하기로 했다.
김도윤 회장과 박서준 대표는 11일 오후 한빛전자 서울 본사에서 만나 전고체 배터리 공동 개발에 합의했다.
양사는 2027년까지 시제품을 내놓을 계획이다.
박 대표는 오후 4시께 회동을 마친 뒤 "협력의 첫걸음"이라고 강조했다.
"""

# The preview's forecasts that the reports settle (they met; they discussed joint development).
SETTLED = ["만날 것으로 알려졌다", "가능성이 높다"]


def morphemes(text):
    return tokenize([text])[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("김 회장은 박 대표와 만날 것으로 알려졌다.", FORECAST),
        ("두 사람은 구체적인 논의를 할 가능성이 높다.", FORECAST),
        ("김 회장은 내일 공장 증설 계획을 발표할 예정이다.", FORECAST),
        ("회사는 신제품 출시를 타진할 전망이다.", FORECAST),
        ("김 회장은 내일 박 대표를 만난다.", FORECAST),
        ("투자를 요청할 듯", FORECAST),
        ("김 회장은 박 대표를 만났다.", REPORTED),
        ("두 사람은 협력 방안을 논의한 것으로 전해졌다.", REPORTED),
        ('박 대표는 "추후 논의를 계속할 것"이라고 말했다.', REPORTED),
        ("회사는 유럽 공장 증설 계획을 발표했다.", REPORTED),
        ("회사는 배터리 사업 확대에 나선다.", REPORTED),
    ],
)
def test_modality_from_morphemes(text, expected):
    assert modality(morphemes(text)) == expected


def test_present_tense_about_a_later_day_is_a_forecast():
    from datetime import date

    ms = morphemes("김 회장은 12일 박 대표를 만난다.")
    assert modality(ms, when=date(2025, 3, 12), article_time=date(2025, 3, 10)) == FORECAST
    assert modality(ms, when=date(2025, 3, 12), article_time=date(2025, 3, 12)) == REPORTED
    # Without a full date, the day the article reports from ("10일 업계에 따르면") decides.
    assert modality(ms, days=frozenset({12}), article_day=10) == FORECAST
    assert modality(ms, days=frozenset({12}), article_day=12) == REPORTED


def test_time_of_day():
    assert time_of_day("손 회장은 오후 2시 40분께 도착했다.") == 14 * 60 + 40
    assert time_of_day("회동은 4시40분에 끝났다.") == 4 * 60 + 40
    assert time_of_day("오전 9시 반에 시작했다.") == 9 * 60 + 30
    assert time_of_day("약 2시간 동안 진행됐다.") is None


@pytest.mark.parametrize("order", [[PREVIEW, REPORT_A, REPORT_B], [REPORT_B, REPORT_A, PREVIEW]])
def test_report_wins_over_the_preview_it_settles(order):
    briefing = summarize(order, max_chars=600)
    texts = [b.text for b in briefing.bullets]
    for phrase in SETTLED:
        assert not any(phrase in t for t in texts), (phrase, texts)
    # What happened is there, with the outlets that report it.
    assert any("논의했다" in t or "합의했다" in t or "합의" in t for t in texts)
    assert all(b.modality in (REPORTED, FORECAST) for b in briefing.bullets)
    preview = order.index(PREVIEW)
    for b in briefing.bullets:
        if b.articles == [preview]:
            assert not any(p in b.text for p in SETTLED)


def test_unsettled_forecast_stays_flagged():
    # Only the preview says anything about the European plant: nothing settles it.
    briefing = summarize([PREVIEW, REPORT_A, REPORT_B], max_chars=1500)
    plant = [b for b in briefing.bullets if "유럽" in b.text]
    assert plant, [b.text for b in briefing.bullets]
    assert all(b.modality == FORECAST and b.is_forecast for b in plant)
    md = briefing.to_markdown()
    line = next(line for line in md.splitlines() if "유럽" in line)
    assert line.startswith("- [전망] ")
    # Reports are not flagged.
    assert any(b.modality == REPORTED for b in briefing.bullets)
    assert all(not line.startswith("- [전망]") for line in md.splitlines() if "합의" in line)


def test_a_preview_alone_is_all_forecast_and_flagged():
    briefing = summarize([PREVIEW])
    assert briefing.bullets
    assert any(b.is_forecast for b in briefing.bullets)
    html = briefing_html(briefing, 0.1)
    assert html.count('class="forecast-tag"') == sum(b.is_forecast for b in briefing.bullets)
    assert ">전망</span>" in html


def test_reading_order_follows_clock_times():
    briefing = summarize([REPORT_A, REPORT_B], max_chars=1500)
    event = next(s for s in briefing.sections if any("오후 2시" in b.text for b in s.bullets))
    # After the lede (what the outlets lead with), the bullets that state a clock time in time order.
    timed = [time_of_day(b.text) for b in event.bullets[event.lede:] if time_of_day(b.text) is not None]
    assert event.lede >= 1 and len(timed) >= 2 and timed == sorted(timed)
    # The lead of the article that carries the event comes first.
    first = event.bullets[0]
    lead_texts = {REPORT_A.split("\n")[4].strip(), REPORT_B.split("\n")[4].strip()}
    assert any(src.text.strip() in lead_texts for src in first.sources), first.text


def test_modality_round_trips_and_old_dicts_load():
    briefing = summarize([PREVIEW, REPORT_A, REPORT_B], max_chars=1500)
    data = json.loads(json.dumps(briefing.to_dict(), ensure_ascii=False))
    kinds = [b["modality"] for s in data["sections"] for b in s["bullets"]]
    assert FORECAST in kinds and REPORTED in kinds
    assert Briefing.from_dict(data).to_dict()["sections"] == data["sections"]
    for section in data["sections"]:
        for bullet in section["bullets"]:
            del bullet["modality"]  # a dict written before the field existed
    old = Briefing.from_dict(data)
    assert all(b.modality == REPORTED for b in old.bullets)


def _sentence(text):
    ms = morphemes(text)
    return Sentence(0, 0, 0, 0, len(text), text, ms, tuple(content_terms(ms)))


@pytest.mark.parametrize(
    "anaphoric, named",
    [
        ("양사는 최근 배터리 협력을 확대하고 있다.", "한빛전자와 미래모터스는 최근 배터리 협력을 확대하고 있다."),
        ("그는 취재진에게 좋은 대화를 나눴다고 말했다.", "김 회장은 취재진에게 좋은 대화를 나눴다고 말했다."),
        ("이날 회동은 두 시간 동안 진행됐다.", "두 회사의 회동은 두 시간 동안 진행됐다."),
        ("박서준 대표와도 만날 것으로 알려졌다.", "김 회장은 박서준 대표와도 만날 것으로 알려졌다."),
        ("배터리 협력 방안을 논의하기 위해서다.", "두 회사는 배터리 협력 방안을 논의했다."),
    ],
)
def test_sentences_that_name_their_subject_are_better_bullets(anaphoric, named):
    assert _sentence(anaphoric).bullet_quality < _sentence(named).bullet_quality


def test_deck_lines_are_not_full_sentences():
    assert not _sentence("전고체 배터리 공동 개발 합의").is_full
    assert not _sentence("마크 저커버그 CEO 자택서 단독 미팅… 우정과 기술 파트너십 다져").is_full
    assert _sentence("두 회사는 전고체 배터리 공동 개발에 합의했다.").is_full
    assert _sentence("두 회사는 전고체 배터리 공동 개발에 합의했다").is_full
    # Sub-headlines run together with " / " in front of the lead are a deck, not a sentence.
    assert not _sentence("정상회담 뒤 공동성명 / “협력 강화” / 교역 확대 합의정부가 공동성명을 발표했다.").is_full
    assert _sentence("정부는 A / B 두 가지 방식을 검토했다.").is_full


def test_deck_line_yields_to_the_full_sentence_that_states_it():
    article = (
        "한빛전자·미래모터스 배터리 동맹\n\n"
        "전고체 배터리 공동 개발 합의…시제품 2027년 목표\n\n"
        "울산 공장에 배터리 공동 연구센터 신설 추진\n\n"
        "한빛전자와 미래모터스는 11일 전고체 배터리 공동 개발에 합의하고 2027년까지 시제품을 내놓기로 했다.\n"
        "두 회사는 이날 서울 본사에서 협약식을 열고 연구 인력 교류에도 합의했다.\n"
    )
    prepared = prepare(validate([article, REPORT_A], Limits()))
    decks = {s.text: s.id for s in prepared.sentences if s.is_candidate and not s.is_full}
    restated = _restated_decks(prepared, list(prepared.event_of))
    assert decks["전고체 배터리 공동 개발 합의…시제품 2027년 목표"] in restated
    # A deck line whose fact no full sentence states stays a candidate.
    assert decks["울산 공장에 배터리 공동 연구센터 신설 추진"] not in restated
    briefing = summarize([article, REPORT_A], max_chars=1500)
    assert not any(b.text.startswith("전고체 배터리 공동 개발 합의…") for b in briefing.bullets)


# Extractive ROUGE-1 of select_sentences on the dev set (k=3) before the stand-alone preference.
DEV_BASELINE = {"sci-news": 0.585, "Bflysoft": 0.607, "all": 0.596}


def test_dev_set_rouge_does_not_fall_below_the_recorded_baseline(dev_set_path):
    from summarizer.evaluate import evaluate, load_records
    from summarizer.evaluate import textrank as textrank_system

    rows = evaluate(load_records(dev_set_path), 3, {"TextRank": textrank_system}, with_oracle=False)
    table = {(r.subset, r.reference): r.rouge1 for r in rows if r.system == "TextRank"}
    for subset, floor in DEV_BASELINE.items():
        assert table[subset, "extractive"] >= floor, (subset, table[subset, "extractive"])


def test_a_day_of_last_month_is_not_taken_for_this_months_day():
    # "지난달 20일" must not read as the 20th of the article's month (it would look like a day ahead).
    assert days_named("지난달 20일 합작법인을 설립했다.") == frozenset()
    assert days_named("20일 합작법인을 설립한다.") == frozenset({20})
    assert days_named("2월 4일 만났고 지난달 21일에는 발표했다.") == frozenset({4})


# Three outlets on one housing plan: every lead names the plan, two also the rent.
HOUSING = [
    "서울시가 청년 주택 5000가구를 새로 짓는다.\n오세훈 시장은 이날 기자회견에서 추진 일정을 설명했다.\n"
    "임대료는 주변 시세의 70% 수준으로 정해졌다.\n",
    "서울시가 올해 청년 주택 5000가구를 공급하고 임대료를 시세의 70%로 낮춘다.\n"
    "청년 임대료는 시세의 70%로 올해부터 공급된다.\n",
    "서울시의 청년 주택 임대료가 시세의 70% 수준으로 낮아진다.\n입주 대상은 만 19세에서 39세 무주택 청년이다.\n"
    "이에 따라 서울시 청년 주택 임대료는 시세의 70% 수준이 된다.\n",
]


def test_the_opening_fills_with_what_the_outlets_lead_with():
    prepared = prepare(validate(HOUSING, Limits()))
    ids = {s.text: s.id for s in prepared.sentences}
    lead, mayor, rent = (ids[t] for t in (
        "서울시가 청년 주택 5000가구를 새로 짓는다.",
        "오세훈 시장은 이날 기자회견에서 추진 일정을 설명했다.",
        "임대료는 주변 시세의 70% 수준으로 정해졌다.",
    ))
    standing = np.ones(len(prepared.sentences))
    # In the article's order the mayor comes before the rent; the rent is what the other leads carry.
    assert opening(prepared, [[lead], [mayor], [rent]], [0, 1, 2], standing, 0, [lead, mayor, rent])[:2] == [0, 2]
    # A sentence that leans on the one before it ("이에 따라") does not open the briefing.
    leaning = ids["이에 따라 서울시 청년 주택 임대료는 시세의 70% 수준이 된다."]
    assert opening(prepared, [[lead], [mayor], [leaning]], [0, 1, 2], standing, 0, [lead, mayor, leaning]) == [0]
    assert opening(prepared, [[lead], [mayor], [rent]], [0, 1, 2], standing, 0, [lead, mayor, rent]) == [0, 2]
    # An opening bullet takes a source's wording that says more of it per character (one
    # character longer: the briefing must have it to spare) ...
    fuller = ids["청년 임대료는 시세의 70%로 올해부터 공급된다."]
    for spare, wording in ((1, fuller), (0, rent)):
        bullets = [[lead], [rent, fuller]]
        opening(prepared, bullets, [0, 1], standing, spare, [lead, rent])
        assert bullets[1][0] == wording and sorted(bullets[1]) == sorted([rent, fuller])
    # ... but not one that repeats another bullet (all its words are in the second outlet's lead) ...
    bullets = [[lead], [rent, fuller]]
    opening(prepared, bullets, [0, 1], standing, 10, [lead, rent, ids[HOUSING[1].splitlines()[0]]])
    assert bullets[1] == [rent, fuller]
    # ... nor one that stands less well alone.
    standing[fuller] -= 2 * WORDING_MARGIN
    bullets = [[lead], [rent, fuller]]
    opening(prepared, bullets, [0, 1], standing, 10, [lead, rent])
    assert bullets[1] == [rent, fuller]


def test_the_opening_keeps_the_briefing_within_its_budget():
    for max_chars in (60, 120, 200, 1500):
        briefing = summarize(HOUSING, max_chars=max_chars)
        assert briefing.bullets and sum(len(b.text) for b in briefing.bullets) <= max_chars
