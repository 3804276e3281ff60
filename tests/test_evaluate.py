"""Korean morpheme ROUGE, the baselines, per-subset tables and the `ko-brief evaluate` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rouge_score.rouge_scorer import RougeScorer
from rouge_score.tokenizers import DefaultTokenizer

from summarizer import InputError
from summarizer.cli import main
from summarizer.evaluate import (
    KiwiTokenizer,
    evaluate,
    format_table,
    lead,
    load_records,
    oracle,
)

SCI = "theeluwin/sci-news-sum-kr-50"
KOREAN = "삼성전자가 반도체 공장을 증설했다. 손정의 회장이 방한했다."

# Noun phrases only, so no two sentences share a morpheme (no common endings or particles).
SENTENCES = [
    "삼성전자 반도체 공장 증설.",
    "오픈AI 투자 유치 계획.",
    "손정의 회장 방한 일정.",
    "제주 감귤 수확 시작.",
    "부산 항만 물동량 증가.",
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """Two articles: Lead-3 is exactly the reference of the first and disjoint from the second."""
    return write_jsonl(tmp_path / "tiny.jsonl", [
        {"source": SCI, "id": "same", "article_sents": SENTENCES, "extractive_idx": [0, 1, 2],
         "abstractive": None},
        {"source": "sungtaekim-slx/kobertsum", "id": "disjoint", "article_sents": SENTENCES,
         "extractive_idx": [3, 4], "abstractive": "제주 감귤 수확 시작."},
    ])


def test_default_rouge_tokenizer_deletes_hangul_but_kiwi_keeps_it():
    assert DefaultTokenizer().tokenize(KOREAN) == []
    assert DefaultTokenizer().tokenize("오픈AI는 투자를 유치한다") == ["ai"]  # only [a-z0-9] survives
    # With the default tokenizer, a Korean summary identical to its reference scores nothing.
    assert RougeScorer(["rouge1"]).score(KOREAN, KOREAN)["rouge1"].fmeasure == 0.0

    tokens = KiwiTokenizer().tokenize(KOREAN)
    assert {"삼성전자", "반도체", "공장", "증설", "손정의", "회장", "방한"} <= set(tokens)
    assert "." not in tokens  # punctuation is not a token
    scorer = RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=KiwiTokenizer())
    assert all(s.fmeasure == 1.0 for s in scorer.score(KOREAN, KOREAN).values())


def test_kiwi_rouge_partial_overlap_has_the_hand_computed_value():
    scorer = RougeScorer(["rouge1", "rouge2"], tokenizer=KiwiTokenizer())
    # reference 2 morphemes, candidate 4 of which 2 match: P = 1/2, R = 1, F1 = 2/3
    scores = scorer.score("삼성전자 반도체", "삼성전자 반도체 서울 날씨")
    assert scores["rouge1"].precision == pytest.approx(0.5)
    assert scores["rouge1"].recall == pytest.approx(1.0)
    assert scores["rouge1"].fmeasure == pytest.approx(2 / 3)
    # bigrams: reference has 1, candidate 3 of which 1 matches: F1 = 2 * (1/3 * 1) / (1/3 + 1)
    assert scores["rouge2"].fmeasure == pytest.approx(0.5)


def test_identical_scores_one_disjoint_zero_and_subsets_average(tiny: Path):
    records = load_records(tiny)
    assert [r.subset for r in records] == ["sci-news", "Bflysoft"]
    rows = {(r.subset, r.reference, r.system): r for r in evaluate(records, 3, {"Lead": lead})}

    same = rows["sci-news", "extractive", "Lead"]
    assert (same.n, same.rouge1, same.rouge2, same.rougeL) == (1, 1.0, 1.0, 1.0)
    disjoint = rows["Bflysoft", "extractive", "Lead"]
    assert (disjoint.n, disjoint.rouge1, disjoint.rouge2, disjoint.rougeL) == (1, 0.0, 0.0, 0.0)
    overall = rows["all", "extractive", "Lead"]
    assert (overall.n, overall.rouge1) == (2, pytest.approx(0.5))
    # Only the second article has an abstractive reference; Lead-3 shares nothing with it.
    assert rows["all", "abstractive", "Lead"].n == 1
    assert rows["Bflysoft", "abstractive", "Lead"].rouge1 == 0.0
    assert ("sci-news", "abstractive", "Lead") not in rows

    # The oracle recovers each reference from the article's sentences.
    assert rows["all", "extractive", "oracle"].rouge1 == pytest.approx(1.0)
    assert rows["Bflysoft", "abstractive", "oracle"].rouge1 == pytest.approx(1.0)


def test_oracle_respects_the_sentence_budget_and_article_order():
    scorer = RougeScorer(["rouge1", "rouge2"], tokenizer=KiwiTokenizer())
    reference = "\n".join([SENTENCES[4], SENTENCES[1], SENTENCES[3]])
    assert oracle(SENTENCES, reference, 2, scorer) in (
        [SENTENCES[1], SENTENCES[4]], [SENTENCES[3], SENTENCES[4]], [SENTENCES[1], SENTENCES[3]],
    )
    assert oracle(SENTENCES, reference, 5, scorer) == [SENTENCES[1], SENTENCES[3], SENTENCES[4]]


@pytest.mark.parametrize("line, where", [
    ("{broken", "bad.jsonl:2"),
    (json.dumps({"article_sents": ["문장."], "extractive_idx": [3]}), "bad.jsonl:2"),
    (json.dumps({"article_sents": []}), "bad.jsonl:2"),
    (json.dumps({"article_sents": ["문장."], "extractive_idx": [True]}), "bad.jsonl:2"),
])
def test_malformed_data_file_names_the_line(tmp_path: Path, line: str, where: str):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"article_sents": ["좋은 문장."]}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=where):
        load_records(path)


def test_file_without_any_reference_is_refused(tmp_path: Path):
    path = write_jsonl(tmp_path / "plain.jsonl", [{"article_sents": SENTENCES, "abstractive": None}])
    with pytest.raises(InputError, match="참조 요약"):
        load_records(path)


def test_bom_line_separators_and_unknown_sources_are_read_and_labelled(tmp_path: Path, capsys):
    record = {"source": "my-newsroom", "article_sents": [SENTENCES[0] + "\u2028" + SENTENCES[1], *SENTENCES[2:]],
              "extractive_idx": [0]}
    path = tmp_path / "own.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps(record, ensure_ascii=False) + "\n").encode())
    [loaded] = load_records(path)
    assert loaded.subset == "other" and len(loaded.sentences) == len(SENTENCES) - 1
    assert main(["evaluate", str(path), "--no-textrankr"]) == 0
    out = capsys.readouterr().out
    assert "| 기타 | 1 | 추출 요약 | Lead-3 |" in out and "Bflysoft" not in out


def test_evaluate_command_prints_a_markdown_table(tiny: Path, capsys):
    assert main(["evaluate", str(tiny), "--no-textrankr", "--sentences", "3"]) == 0
    out = capsys.readouterr().out
    assert "| 구분 | 기사 수 | 참조 | 시스템 | ROUGE-1 | ROUGE-2 | ROUGE-L |" in out
    assert "| sci-news | 1 | 추출 요약 | Lead-3 | 1.000 | 1.000 | 1.000 |" in out
    assert "| Bflysoft | 1 | 추출 요약 | Lead-3 | 0.000 | 0.000 | 0.000 |" in out
    assert "| 전체 | 2 | 추출 요약 | Lead-3 | 0.500 |" in out
    assert "| TextRank |" in out


def test_evaluate_command_reports_a_bad_file_in_one_line(tmp_path: Path, capsys):
    assert main(["evaluate", str(tmp_path / "missing.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ko-brief: 평가 데이터를 읽을 수 없습니다") and "Traceback" not in err


def test_format_table_names_lead_by_its_budget(tiny: Path):
    table = format_table(evaluate(load_records(tiny), 2, {"Lead": lead}, with_oracle=False), 2)
    assert "Lead-2" in table and "oracle" not in table
    assert table.count("\n") == 2 + 5  # header, rule, 3 extractive rows + 2 abstractive rows


@pytest.mark.slow
def test_textrankr_baseline_picks_k_whole_sentences():
    pytest.importorskip("textrankr")
    from summarizer.evaluate import textrankr_system

    # textrankr cuts at "?" and "!": every sentence below is two pieces for it.
    sentences = [f"{s[:-1]}? 그렇다! {s}" for s in SENTENCES]
    picked = textrankr_system()(sentences, 3)
    assert len(picked) == 3 and all(p in sentences for p in picked)
    assert picked == [s for s in sentences if s in picked]  # article order


def test_dev_set_textrank_beats_lead3_and_textrankr_on_each_subset(dev_set_path: Path):
    pytest.importorskip("textrankr")
    rows = evaluate(load_records(dev_set_path), 3)
    table = {(r.subset, r.reference, r.system): r for r in rows}
    print(format_table(rows, 3))
    assert table["sci-news", "extractive", "TextRank"].n == 50
    assert table["Bflysoft", "extractive", "TextRank"].n == 52
    assert table["all", "abstractive", "TextRank"].n == 52
    for row in rows:
        assert all(0.0 <= value <= 1.0 for value in (row.rouge1, row.rouge2, row.rougeL))
        assert table[row.subset, row.reference, "oracle"].rouge1 >= row.rouge1
    for subset in ("sci-news", "Bflysoft", "all"):
        ours = table[subset, "extractive", "TextRank"].rouge1
        assert ours > table[subset, "extractive", "Lead"].rouge1, subset
        assert ours > table[subset, "extractive", "textrankr"].rouge1, subset
