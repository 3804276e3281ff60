"""The public API: input forms, budgets, the Briefing contract, and no torch on the extractive path."""
import subprocess
import sys

import pytest

from summarizer import InputError, split_articles, summarize


def test_one_string_with_separators_equals_the_list(seed_articles):
    joined = "\n---\n".join(seed_articles)
    assert split_articles(joined) == [a for a in seed_articles]
    from_string = summarize(joined).to_dict()
    from_list = summarize(seed_articles).to_dict()
    for d in (from_string, from_list):
        d.pop("timings")
    assert from_string == from_list


@pytest.mark.parametrize("budget", [120, 400, 800, 3000])
def test_budget_is_respected_and_used(seed_articles, budget):
    briefing = summarize(seed_articles, max_chars=budget)
    assert 0 < briefing.length <= budget
    assert briefing.max_chars == budget
    if budget <= 800:
        assert briefing.length > budget * 0.6


def test_a_sentence_longer_than_the_budget_is_shortened_and_noted(seed_articles):
    sentence = ("이재용 삼성전자 회장은 샘 올트먼 오픈AI 최고경영자와 손정의 소프트뱅크그룹 회장을 "
                "서울 서초 사옥에서 만나 인공지능 합작사 스타게이트 협력 방안을 두 시간 동안 논의했다.")
    briefing = summarize(sentence, max_chars=30)
    [bullet] = briefing.bullets
    assert len(bullet.text) == 30 and bullet.text.endswith("…")
    assert sentence.startswith(bullet.text[:-1]) and bullet.sources[0].text == sentence
    assert any("30자" in note and "…" in note for note in briefing.notes)
    assert not summarize(seed_articles, max_chars=120).notes  # whole sentences fit: nothing to say


def test_redundancy_control_is_a_real_knob(seed_articles):
    low = summarize(seed_articles, redundancy=0.0)
    high = summarize(seed_articles, redundancy=1.0)
    assert [b.text for b in low.bullets] != [b.text for b in high.bullets]


def test_briefing_shape(seed_articles):
    b = summarize(seed_articles)
    assert b.method == "textrank"
    assert len(b.articles) == 5 and [a.index for a in b.articles] == list(range(5))
    assert {"clean", "sentences", "rank", "events", "select"} <= set(b.timings)
    for bullet in b.bullets:
        assert bullet.sources and bullet.score > 0 and bullet.flags == []


@pytest.mark.parametrize(
    "kwargs",
    [{"method": "lexrank"}, {"max_chars": 5}, {"max_chars": "1500"}, {"redundancy": 1.5}],
)
def test_bad_arguments_are_input_errors(kwargs):
    with pytest.raises(InputError):
        summarize("정부가 새 정책을 발표했다. 시행은 내년부터다.", **kwargs)


def test_extractive_path_does_not_import_torch(seed_articles):
    code = (
        "import sys, summarizer\n"
        "summarizer.summarize(open('examples/seeds/000_9d2a51bb601e0f96.txt').read())\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules\n"
    )
    from conftest import REPO

    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
