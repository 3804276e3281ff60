"""Story grouping (summarizer.stories) on small made-up feeds: real Kiwi, real grouper."""
from __future__ import annotations

import datetime
import json

import pytest

from story_feeds import SUBWAY, TYPHOON

from summarizer import Article, evaluate_stories, stories

D = datetime.date

def docs_of(articles) -> list[stories.StoryDoc]:
    """StoryDocs of (key, (headline, text), day[, url]) tuples."""
    return stories.story_docs(
        [Article(text, headline, "테스트일보", day, url[0] if url else None) for _, (headline, text), day, *url in articles],
        [key for key, *_ in articles],
    )


def add_all(grouper: stories.StoryGrouper, docs) -> list[str]:
    return [grouper.add(doc) for doc in docs]


def test_story_terms_are_nouns_foreign_words_and_numbers():
    from summarizer import korean

    [morphemes] = korean.tokenize(["서울교통공사 노조가 3일 KTX 파업을 했다."])
    terms = stories.story_terms(morphemes)
    assert "노조" in terms and "ktx" in terms and "3" in terms and "파업" in terms
    assert not {"가", "했", "다", "을"} & set(terms)


def test_two_stories_interleaved_over_three_days():
    feed = docs_of([
        ("a1", SUBWAY[0], D(2024, 3, 1)), ("b1", TYPHOON[0], D(2024, 3, 1)),
        ("a2", SUBWAY[1], D(2024, 3, 2)), ("b2", TYPHOON[1], D(2024, 3, 2)),
        ("a3", SUBWAY[2], D(2024, 3, 3)), ("b3", TYPHOON[2], D(2024, 3, 3)),
    ])
    assert stories.group_docs(feed) == [0, 1, 0, 1, 0, 1]


def test_a_story_that_pauses_for_a_day_stays_one_story():
    feed = docs_of([
        ("a1", SUBWAY[0], D(2024, 3, 1)), ("a2", SUBWAY[1], D(2024, 3, 2)),
        ("b1", TYPHOON[0], D(2024, 3, 3)),  # nothing about the strike on the 3rd
        ("a3", SUBWAY[2], D(2024, 3, 4)), ("b2", TYPHOON[1], D(2024, 3, 4)),
    ])
    assert stories.group_docs(feed) == [0, 0, 1, 0, 1]


def test_a_story_idle_longer_than_the_window_is_gone():
    grouper = stories.StoryGrouper(window_days=3)
    feed = docs_of([("a1", SUBWAY[0], D(2024, 3, 1)), ("b1", TYPHOON[0], D(2024, 3, 10)),
                    ("a2", SUBWAY[1], D(2024, 3, 10))])
    first, other, again = add_all(grouper, feed)
    assert len({first, other, again}) == 3
    assert {sid for sid, *_ in grouper.to_state()["stories"]} == {other, again}  # the strike's first story left


def test_a_duplicate_joins_its_twin_and_counts_once():
    headline, text = SUBWAY[1]
    feed = docs_of([
        ("a1", SUBWAY[0], D(2024, 3, 1), "https://news.example/1"),
        ("b1", TYPHOON[0], D(2024, 3, 1)),
        ("update", ("고친 제목", SUBWAY[0][1] + " 기사를 고쳤다."), D(2024, 3, 2), "https://news.example/1"),  # same URL
        ("a2", SUBWAY[1], D(2024, 3, 2)),
        ("a2-again", (headline, text.replace(" ", "  ")), D(2024, 3, 2)),  # same text under another id
    ])
    grouper = stories.StoryGrouper()
    ids = add_all(grouper, feed)
    assert ids[2] == ids[0] and ids[4] == ids[3] == ids[0] and ids[1] != ids[0]
    state = grouper.to_state()
    assert state["n_docs"] == 3 and len(state["rows"]) == 3  # the two copies added nothing


def test_an_article_dated_before_the_ones_read_joins_its_own_story():
    grouper = stories.StoryGrouper()
    later = add_all(grouper, docs_of([
        ("a2", SUBWAY[1], D(2024, 3, 5)), ("b2", TYPHOON[1], D(2024, 3, 5)), ("b3", TYPHOON[2], D(2024, 3, 6)),
    ]))
    assert later[1] == later[2] != later[0]
    [early_strike, early_typhoon] = docs_of([("a1", SUBWAY[0], D(2024, 3, 3)), ("b1", TYPHOON[0], D(2024, 3, 4))])
    assert grouper.add(early_strike) == later[0]
    assert grouper.add(early_typhoon) == later[1]
    story = dict((sid, first) for sid, first, *_ in grouper.to_state()["stories"])
    assert story[later[0]] == "2024-03-03"  # the story now starts at its earliest article


def test_group_docs_reads_in_date_order_and_numbers_by_first_appearance():
    feed = docs_of([
        ("a3", SUBWAY[2], D(2024, 3, 3)), ("b1", TYPHOON[0], D(2024, 3, 1)),
        ("a1", SUBWAY[0], D(2024, 3, 1)), ("b2", TYPHOON[1], D(2024, 3, 2)),
    ])
    assert stories.group_docs(feed) == [0, 1, 0, 1]
    assert stories.reading_order([D(2024, 3, 3), None, D(2024, 3, 1), None]) == [2, 3, 0, 1]


def test_undated_articles_group_by_content():
    feed = docs_of([("a1", SUBWAY[0], None), ("b1", TYPHOON[0], None), ("a2", SUBWAY[1], None)])
    assert stories.group_docs(feed) == [0, 1, 0]


def test_state_saved_and_loaded_between_days_keeps_ids():
    days = [
        [("a1", SUBWAY[0], D(2024, 3, 1)), ("b1", TYPHOON[0], D(2024, 3, 1))],
        [("a2", SUBWAY[1], D(2024, 3, 2)), ("b2", TYPHOON[1], D(2024, 3, 2))],
        [("b3", TYPHOON[2], D(2024, 3, 4)), ("a3", SUBWAY[2], D(2024, 3, 4))],
        [("a4", SUBWAY[3], D(2024, 3, 5))],
    ]
    feed = [doc for day in days for doc in docs_of(day)]
    single = add_all(stories.StoryGrouper(), feed)
    assert evaluate_stories.day_by_day(feed) == single
    assert len(set(single)) == 2
    grouper = stories.StoryGrouper.from_state(json.loads(json.dumps(stories.StoryGrouper().to_state())))
    assert add_all(grouper, feed) == single  # a loaded empty state goes on like a new grouper


def test_a_state_of_another_version_is_refused():
    state = stories.StoryGrouper().to_state()
    with pytest.raises(ValueError, match="버전"):
        stories.StoryGrouper.from_state({**state, "version": 99})


def test_bcubed_and_pairwise_scores():
    perfect = evaluate_stories.score(["x", "x", "y"], ["a", "a", "b"])
    assert (perfect.precision, perfect.recall, perfect.f1, perfect.pairwise_f1) == (1.0, 1.0, 1.0, 1.0)
    merged = evaluate_stories.score(["x", "x", "x"], ["a", "a", "b"])
    assert merged.recall == 1.0 and merged.precision == pytest.approx((2 / 3 * 2 + 1 / 3) / 3)
    assert merged.pairwise_f1 == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))


def test_evaluate_stories_command_scores_a_labelled_feed(tmp_path, capsys):
    from summarizer.cli import main

    feed = tmp_path / "feed.jsonl"
    lines = [
        {"date": f"2024-03-0{day}", "press": "테스트일보", "headline": headline, "url": f"https://news.example/{key}",
         "text": text, "story": label}
        for key, (headline, text), day, label in [
            ("a1", SUBWAY[0], 1, "202403:1"), ("b1", TYPHOON[0], 1, "202403:2"), ("a2", SUBWAY[1], 2, "202403:1"),
            ("b2", TYPHOON[1], 2, None), ("a3", SUBWAY[2], 3, "202403:1"), ("b3", TYPHOON[2], 3, "202403:2"),
        ]
    ]
    feed.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    assert main(["evaluate-stories", str(feed), "--day-by-day"]) == 0
    out = capsys.readouterr().out
    overall = next(line for line in out.splitlines() if line.startswith("| 전체 |"))
    assert overall.startswith("| 전체 | 5 | 1.000 / 1.000 / **1.000**")
    assert "같은 이야기 id 6/6건" in out and "차이 +0.000" in out


def test_the_most_representative_headline_is_the_one_whose_terms_the_story_shares_most():
    from summarizer.stories import most_representative

    strike = [{"지하철", "파업"}, {"서울", "지하철", "노조", "파업"}, {"지하철", "파업", "출근길", "혼잡"}, set()]
    assert most_representative(strike) == 0  # both its terms are in all three headlines
    assert most_representative(strike, weights=[0.2, 1.0, 1.0, 1.0]) == 1  # a preview weighs less; then the first of equals
    # Counted over wider bags (headline and lead), the scores follow those bags.
    leads = [{"지하철", "파업"}, {"서울", "지하철", "노조", "파업", "출근길", "혼잡"}, {"출근길", "혼잡"}, {"출근길", "혼잡"}]
    assert most_representative(strike, leads) == 2
    assert most_representative([set(), set()]) is None
    assert most_representative([{"가"}, {"나"}]) == 0  # the first among equals
