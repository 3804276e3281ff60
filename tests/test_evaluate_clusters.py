"""Evaluation on multi-outlet clusters: junk bullets, near-duplicates, headline coverage, the command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import InputError
from summarizer.briefing import Briefing, Bullet, Event, Source
from summarizer.cli import main
from summarizer.evaluate import (
    Cluster,
    LeadComparison,
    compare_to_lead,
    evaluate_clusters,
    format_story_table,
    junk_kind,
    lead_bullets,
    load_clusters,
    mixes_of,
    near_duplicate_pairs,
    story_reading,
)

from conftest import SHARED

# Made-up articles (not from any data set): two outlets report the same housing plan; the bodies
# are raw-crawl shaped (paragraphs glued without newlines, a byline with e-mail at the end).
HOUSING = [
    {
        "press": "가나일보", "date": "2024-03-04", "url": "https://example.com/a/1",
        "headline": "서울시, 청년 주택 공급 확대",
        "text": "서울시가 청년 주택 공급을 확대한다.시는 4일 올해 청년 주택 5000가구를 새로 짓는다고 밝혔다."
                "입주 대상은 만 19세에서 39세 사이의 무주택 청년이다.김가나 기자 kim@example.com",
    },
    {
        "press": "다라신문", "date": "2024-03-05", "url": "https://example.com/b/2",
        "headline": "청년 주택 5000가구 짓는다",
        "text": "서울시가 청년 주택 공급을 크게 확대한다. 올해 새로 짓는 청년 주택은 5000가구다.시는 "
                "임대료를 주변 시세의 70% 수준으로 정했다고 설명했다. 박다라 기자 park@example.com",
    },
]
FESTIVAL = [
    {
        "press": "가나일보", "date": "2024-05-01", "url": None, "headline": "부산 바다축제 개막",
        "text": "부산 바다축제가 1일 해운대에서 개막했다. 축제는 닷새 동안 이어진다.",
    },
    {
        "press": "다라신문", "date": "2024-05-02", "url": None, "headline": "바다축제 첫날 10만명",
        "text": "바다축제 첫날 10만명이 해운대를 찾았다. 주최 측은 안전 요원을 늘렸다.",
    },
]


def write_clusters(path: Path, clusters: list[tuple[str, list[dict]]]) -> Path:
    path.write_text(
        "".join(json.dumps({"cluster": cid, "articles": arts}, ensure_ascii=False) + "\n" for cid, arts in clusters),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def clusters_file(tmp_path: Path) -> Path:
    return write_clusters(tmp_path / "clusters.jsonl", [("202403:housing", HOUSING), ("202405:festival", FESTIVAL)])


@pytest.mark.parametrize("text", [
    "김가나 기자 kim@example.com",
    "시는 4일 밝혔다.김가나 기자 kim@example.com",
    "(서울=연합뉴스) 홍길동 기자 = 서울시가 발표했다.",
    "워싱턴=김석 특파원",
    "주최 측은 안전 요원을 늘렸다. 성연철 정유경 기자",
    "window.googletag = window.googletag || {cmd: []};",
    ".v_photoarea:before{content:\"\"}",
    "alert('로그인이 필요합니다');",
])
def test_junk_kind_finds_emails_bylines_and_script(text: str):
    assert junk_kind(text) is not None


@pytest.mark.parametrize("text", [
    "대통령은 신년 기자회견에서 경제를 강조했다.",
    "외신 기자들이 현장을 찾았다.",
    "그는 기자 간담회를 열고 계획을 설명했다.",
    "임대료는 주변 시세의 70% 수준이다.",
    "트럼프 대통령은 \"협상은 잘 되고 있다\"고 말했다.",
])
def test_junk_kind_leaves_ordinary_sentences_alone(text: str):
    assert junk_kind(text) is None


def test_near_duplicate_pairs_by_jaccard_or_containment():
    a = {"서울시", "청년", "주택", "공급", "확대"}
    assert near_duplicate_pairs([a, set(a)]) == 1
    assert near_duplicate_pairs([a, a | {"크", "올해", "가구", "짓", "5000", "새로"}]) == 1  # contained
    assert near_duplicate_pairs([a, {"부산", "축제", "개막"}, {"해운대", "요원"}]) == 0
    assert near_duplicate_pairs([{"청년", "주택"}, a]) == 0  # too small to judge by containment


def test_load_clusters_reads_articles_and_names_a_bad_line(clusters_file: Path, tmp_path: Path):
    clusters = load_clusters(clusters_file)
    assert [c.id for c in clusters] == ["202403:housing", "202405:festival"]
    assert clusters[0].articles[1].press == "다라신문"
    assert clusters[1].articles[0].url is None

    bad = tmp_path / "bad.jsonl"
    bad.write_text(clusters_file.read_text(encoding="utf-8") + '{"cluster": "x", "articles": [{"text": 3}]}\n',
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:3"):
        load_clusters(bad)


def test_lead_takes_each_first_sentence_of_glued_paragraphs(clusters_file: Path):
    cluster = load_clusters(clusters_file)[0]
    assert lead_bullets(cluster, 1500) == ["서울시가 청년 주택 공급을 확대한다.", "서울시가 청년 주택 공급을 크게 확대한다."]
    assert lead_bullets(cluster, 25) == ["서울시가 청년 주택 공급을 확대한다."]  # whole sentences within the budget


def test_cluster_metrics_on_constructed_clusters(clusters_file: Path):
    rows, junk, reading = evaluate_clusters(load_clusters(clusters_file), with_textrankr=False, progress=False)
    rows = {r.system: r for r in rows}
    assert set(rows) == {"briefing", "lead"}
    lead = rows["lead"]
    # The two housing leads restate each other; the festival leads do not.
    assert (lead.clusters, lead.bullets, lead.junk, lead.duplicates) == (2, 4, 0, 1)
    # Housing headlines: 서울시 청년 주택 공급 확대 5000 가구 짓; the leads carry the first 5 of 8.
    # Festival headlines: 부산 바다 축제 개막 첫날 10; the leads carry all 6.
    assert lead.coverage == pytest.approx((5 / 8 + 6 / 6) / 2)
    briefing = rows["briefing"]
    assert briefing.junk == len(junk["briefing"]) == 0  # the bylines are cleaned away
    assert briefing.bullets > 0 and briefing.coverage > 0.5
    # The paired comparison is the same clusters' coverages, subtracted.
    assert lead.versus_lead is None
    assert briefing.versus_lead.mean == pytest.approx(briefing.coverage - lead.coverage)
    assert briefing.versus_lead.wins + briefing.versus_lead.losses <= 2
    # Each cluster is one story: one section each, titled by no keyword list, every bullet counted.
    assert reading.briefings == 2 and reading.sections == (1, 1) and reading.keyword_titles == 0
    assert reading.bullets == briefing.bullets and 0 <= reading.leaning <= reading.bullets


def test_evaluate_clusters_command_prints_the_table(clusters_file: Path, capsys):
    assert main(["evaluate-clusters", str(clusters_file), "--no-textrankr", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "클러스터 1개" in out and "제목은 주지 않습니다" in out
    assert "| 브리핑 (ko-brief) | 1 |" in out and "| Lead (기사별 첫 문장) | 1 | 2 | 0 | 1 |" in out
    assert "Lead 대비 (95% 신뢰구간) | 이김/짐 |" in out and out.count("| – | – |") == 1
    assert "| textrankr" not in out
    assert "| 이야기당 섹션 (평균) |" in out and "섞은 묶음" not in out


def test_evaluate_clusters_command_mixes_stories_of_different_months(tmp_path: Path, capsys):
    months = [("202401:a", "1월"), ("202402:b", "2월"), ("202403:c", "3월"), ("202404:d", "4월")]
    clusters = [(cid, [dict(a, date=f"2024-{k + 1:02d}-0{a['date'][-1]}") for a in arts])
                for k, ((cid, _), arts) in enumerate(zip(months, [HOUSING, FESTIVAL, HOUSING, FESTIVAL]))]
    path = write_clusters(tmp_path / "mixed.jsonl", clusters)
    assert main(["evaluate-clusters", str(path), "--no-textrankr", "--mixes", "2"]) == 0
    out = capsys.readouterr().out
    assert "| 섞은 묶음 | 이야기 | 섹션 하나에 모인 이야기 |" in out and "\n| 2 | 8 |" in out
    assert main(["evaluate-clusters", str(path), "--mixes", "0"]) == 2


def test_mixes_draw_clusters_of_different_months_with_a_fixed_seed():
    clusters = [Cluster(f"2024{m:02d}:{k}", []) for m in range(1, 7) for k in range(3)]
    mixes = mixes_of(clusters, 5)
    assert mixes == mixes_of(clusters, 5) and len(mixes) == 5
    assert all(len({c.id.split(":")[0] for c in mix}) == 4 for mix in mixes)
    with pytest.raises(InputError):
        mixes_of(clusters[:9], 1)  # three months only


def _briefing_of(sections: list[list[tuple[str, int, int]]], titles: list[str | None]) -> Briefing:
    """A hand-made briefing: per section, bullets as (text, article, start)."""
    return Briefing("textrank", [
        Event(title, None, [Bullet(t, [Source(a, s, s + len(t), t)], 1, 0.1) for t, a, s in bullets])
        for title, bullets in zip(titles, sections)
    ], [], [], {}, 800)


def test_story_reading_counts_sections_titles_and_leaning_bullets():
    one = _briefing_of([[("한빛당 김가나 의원이 기자회견을 열었다.", 0, 0), ("김 의원은 의혹을 부인했다.", 0, 22)]], ["김가나 의원 기자회견"])
    split = _briefing_of(
        [[("김 의원은 의혹을 부인했다.", 0, 22)], [("그러나 검찰은 수사를 이어갔다.", 1, 0), ("이어 검찰은 자료를 확보했다.", 1, 18)]],
        ["김가나 · 한빛당 · 검찰", None],
    )
    reading = story_reading([one, split])
    assert reading.sections == (1, 2) and reading.mean_sections == 1.5
    assert reading.single_bullet == 1 and reading.keyword_titles == 1 and reading.bullets == 5
    # "김 의원은" before anyone introduced him, and "그러나" that follows nothing of its article;
    # "이어" comes right after the sentence it continues (article 1, offsets 0-17 then 18).
    assert reading.leaning == 2
    assert "| 2 | 1.50 | 2 | 1 | 1 | 1 | 5 | 2 (40.0%) |" in format_story_table(reading)


def test_evaluate_clusters_command_refuses_a_bad_limit_and_a_missing_file(clusters_file: Path, capsys):
    assert main(["evaluate-clusters", str(clusters_file), "--limit", "0"]) == 2
    assert main(["evaluate-clusters", str(clusters_file.with_name("missing.jsonl"))]) == 2
    err = capsys.readouterr().err
    assert "--limit" in err and "missing.jsonl" in err


def test_compare_to_lead_pairs_the_clusters():
    system, lead = [0.5, 0.6, 0.7, 0.4, 0.8, 0.5], [0.4, 0.6, 0.5, 0.5, 0.6, 0.3]
    versus = compare_to_lead(system, lead)
    assert versus.mean == pytest.approx(0.1) and (versus.wins, versus.losses) == (4, 1)
    assert -0.1 <= versus.low < versus.mean < versus.high <= 0.2
    assert compare_to_lead(system, lead) == versus  # a fixed seed: the same table every run
    assert compare_to_lead([0.5, 0.7], [0.4, 0.6]) == LeadComparison(pytest.approx(0.1), pytest.approx(0.1),
                                                                     pytest.approx(0.1), 2, 0)


# Every third real cluster (71 of 213): a sample that proves the behaviour in about a minute; the
# full run is `ko-brief evaluate-clusters` (docs/evaluation.md).
SAMPLE_STEP = 3


@pytest.fixture(scope="module")
def real_clusters():
    """A fixed sample of the real clusters, every system."""
    path = SHARED / "data" / "ko-news-clusters-dev.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/ko-news-clusters-dev.jsonl is not present")
    sample = load_clusters(path)[::SAMPLE_STEP]
    rows, junk, reading = evaluate_clusters(sample, progress=False)
    return {r.system: r for r in rows}, junk, reading, len(sample)


def test_real_clusters_briefings_hold_no_byline_email_script_or_repeat(real_clusters):
    rows, junk, _, count = real_clusters
    assert all(r.clusters == count and r.bullets > 0 for r in rows.values())
    assert junk["briefing"] == [] and rows["briefing"].duplicates == 0
    assert rows["lead"].junk == 0 and rows["lead"].duplicates > 0  # every outlet leads with the same fact


def test_real_clusters_briefing_opens_no_worse_than_the_lead_and_ahead_of_textrankr(real_clusters):
    rows, _, _, _ = real_clusters
    briefing = rows["briefing"]
    versus = briefing.versus_lead
    # The first glance is the first day of the story's timeline (oldest first), as the lead
    # baseline's is (its articles in date order): not behind it beyond chance.
    assert versus.high > 0 and versus.mean > -0.01, versus
    if "textrankr" in rows:
        assert briefing.coverage > rows["textrankr"].coverage + 0.05
        assert rows["textrankr"].versus_lead.high < 0


def test_real_clusters_briefing_opens_clearly_ahead_of_the_lead(real_clusters):
    rows, _, _, _ = real_clusters
    versus = rows["briefing"].versus_lead
    # Ahead of the lead baseline cluster by cluster, beyond chance (the whole 95% interval above 0).
    assert versus.low > 0 and versus.mean >= 0.02 and versus.wins > 1.5 * versus.losses, versus


def test_real_clusters_each_read_as_one_story(real_clusters):
    _, _, reading, count = real_clusters
    assert reading.mean_sections <= 1.3 and max(reading.sections) <= 3, reading.sections
    # at most 10 of 213 briefings with a single-bullet section, in proportion on the sample
    assert reading.single_bullet <= 10 * count / 213 and reading.keyword_titles == 0
    assert reading.leaning <= 0.02 * reading.bullets
