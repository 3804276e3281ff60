"""Stories of a feed: reading JSONL, CSV and .txt folders with bad lines as error records,
summarize_feed() and `ko-brief stories` (resume, state across runs, --ray), on made-up articles."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from story_feeds import SUBWAY, TYPHOON

from summarizer import StoryGrouper, summarize_feed
from summarizer.cli import main
from summarizer.feed import BadLine, FeedArticle, read_feed


def feed_rows() -> list[dict]:
    """Two stories over four days from three outlets; a1 appears twice (same text, other id)."""
    rows = [
        {"id": f"a{k}", "headline": h, "text": t, "press": ("가일보", "나일보")[k % 2], "date": f"2024-03-0{k + 1}",
         "url": f"https://news.example/a{k}"}
        for k, (h, t) in enumerate(SUBWAY)
    ] + [
        {"id": f"b{k}", "headline": h, "text": t, "outlet": "다일보", "date": f"2024-03-0{k + 2}"}
        for k, (h, t) in enumerate(TYPHOON)
    ]
    rows.append({**rows[1], "id": "a1-copy", "url": None})
    return rows


def write_jsonl(path: Path, rows: list, bad: dict[int, str] = {}) -> Path:  # noqa: B006 - read only
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    for at, line in sorted(bad.items()):
        lines.insert(at - 1, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BAD_LINES = {2: "{not json", 4: json.dumps({"id": "x", "headline": "본문 없음"}),
             6: json.dumps({"id": "y", "text": "날짜가 틀린 기사입니다.", "date": "2024-02-30"})}


def test_read_feed_jsonl_gives_bad_lines_with_their_numbers(tmp_path: Path):
    path = write_jsonl(tmp_path / "feed.jsonl", feed_rows() + [feed_rows()[0]], BAD_LINES)
    found = list(read_feed([path]))
    bad = [(b.where.rsplit(":", 1)[1], b.message) for b in found if isinstance(b, BadLine)]
    assert [n for n, _ in bad] == ["2", "4", "6", "12"]
    assert "JSON" in bad[0][1] and "text" in bad[1][1] and "date" in bad[2][1] and "두 번" in bad[3][1]
    articles = [a for a in found if isinstance(a, FeedArticle)]
    assert [a.key for a in articles][:3] == ["a0", "a1", "a2"]
    assert articles[4].article.outlet == "다일보" and articles[0].article.date == "2024-03-01"


def test_read_feed_csv_and_txt_folder(tmp_path: Path):
    rows = feed_rows()[:3]
    with open(tmp_path / "feed.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["id", "headline", "text", "press", "date", "url"])
        writer.writeheader()
        writer.writerow({**rows[0], "text": rows[0]["text"].replace(". ", ".\n")})  # a cell over several lines
        writer.writerow({"id": "no-text", "headline": "제목", "text": "", "press": "", "date": "", "url": ""})
        writer.writerow(rows[2])
    found = list(read_feed([tmp_path / "feed.csv"]))
    assert [type(x).__name__ for x in found] == ["FeedArticle", "BadLine", "FeedArticle"]
    assert found[1].where.endswith("feed.csv:5")  # the row starts on line 5 (line 2's text runs over 3 lines)
    assert found[2].article.headline == rows[2]["headline"]

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "b.txt").write_text(TYPHOON[0][1], encoding="utf-8")
    (folder / "a.txt").write_text(SUBWAY[0][1], encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    found = list(read_feed([folder]))
    assert [Path(x.where).name for x in found] == ["a.txt", "b.txt", "empty.txt"]
    assert isinstance(found[2], BadLine)


def test_summarize_feed_ranks_stories_with_titles_dates_outlets_and_briefings():
    found = summarize_feed(feed_rows(), max_chars=300)
    assert len(found) == 2
    strike, typhoon = found
    assert strike.article_ids == ("a0", "a1", "a1-copy", "a2", "a3")
    assert strike.article_count == 4  # the copy counts once
    assert strike.urls[0] == "https://news.example/a0" and strike.urls[2] is None
    assert strike.title in {h for h, _ in SUBWAY}
    assert (strike.first_date, strike.last_date, strike.outlets) == ("2024-03-01", "2024-03-04", ("가일보", "나일보"))
    assert typhoon.article_ids == ("b0", "b1", "b2") and typhoon.outlets == ("다일보",)
    assert strike.briefing is not None and 0 < strike.briefing.length <= 300
    assert len(strike.briefing.articles) == 4
    assert "지하철" in strike.briefing.to_markdown() and "태풍" not in strike.briefing.to_markdown()
    record = strike.to_dict()
    assert record["articles"][0] == {"id": "a0", "url": "https://news.example/a0"} and "briefing" in record


def test_summarize_feed_with_state_keeps_story_ids_across_feeds():
    rows = feed_rows()
    grouper = StoryGrouper()
    first = summarize_feed([r for r in rows if r["date"] <= "2024-03-02"], state=grouper)
    saved = json.loads(json.dumps(grouper.to_state()))
    later = summarize_feed([r for r in rows if r["date"] > "2024-03-02"], state=StoryGrouper.from_state(saved))
    ids = {s.id: set(s.article_ids) for s in first + later}
    together = {frozenset(s.article_ids) for s in summarize_feed(rows)}
    merged: dict[str, set] = {}
    for story in first + later:
        merged.setdefault(story.id, set()).update(story.article_ids)
    assert {frozenset(v) for v in merged.values()} == together  # same stories, one id each
    assert len(ids) == 2


def run_stories(args: list[str], out: Path) -> int:
    return main(["stories", *args, "--out", str(out)])


def test_ko_brief_stories_records_digest_state_and_resume(tmp_path: Path, capsys):
    feed = write_jsonl(tmp_path / "feed.jsonl", feed_rows(), BAD_LINES)
    out, digest, state = tmp_path / "stories.jsonl", tmp_path / "digest.md", tmp_path / "state"
    assert run_stories([str(feed), "--markdown", str(digest), "--state", str(state), "--max-chars", "300"], out) == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    stories = [r for r in records if r["ok"]]
    assert [r["rank"] for r in stories] == [1, 2]
    assert stories[0]["article_count"] == 4 and [a["id"] for a in stories[0]["articles"]][:2] == ["a0", "a1"]
    errors = sorted(r["id"].rsplit(":", 1)[1] for r in records if not r["ok"])
    assert errors == ["2", "4", "6"]
    text = digest.read_text(encoding="utf-8")
    assert text.startswith(f"## 1. {stories[0]['title']}\n") and "## 읽지 못한 줄" in text
    assert (state / "state.json").exists()

    # a run killed mid-way: the first record written whole, the second cut; the rerun finishes it
    lines = out.read_bytes().splitlines(True)
    out.write_bytes(lines[0] + lines[1][:40])
    capsys.readouterr()
    assert run_stories([str(feed), "--state", str(state), "--max-chars", "300"], out) == 1
    again = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in records)  # every story once
    assert run_stories([str(feed), "--state", str(state), "--max-chars", "300"], out) == 1  # finished: no-op
    assert "이미 처리된 5건" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").count("\n") == len(records)


def test_ko_brief_stories_next_feed_joins_yesterdays_stories(tmp_path: Path):
    rows = feed_rows()
    state = tmp_path / "state"
    day1 = write_jsonl(tmp_path / "day1.jsonl", [r for r in rows if r["date"] <= "2024-03-02"])
    day2 = write_jsonl(tmp_path / "day2.jsonl", [r for r in rows if r["date"] > "2024-03-02"])
    assert run_stories([str(day1), "--state", str(state)], tmp_path / "out1.jsonl") == 0
    assert run_stories([str(day2), "--state", str(state)], tmp_path / "out2.jsonl") == 0
    ids = [{r["id"]: r for r in map(json.loads, (tmp_path / f"out{n}.jsonl").read_text(encoding="utf-8").splitlines())}
           for n in (1, 2)]
    strike1 = next(r for r in ids[0].values() if r["articles"][0]["id"] == "a0")
    assert [a["id"] for a in ids[1][strike1["id"]]["articles"]] == ["a2", "a3"]  # same story id on day 2


@pytest.mark.slow
def test_ko_brief_stories_with_ray_gives_the_same_records(tmp_path: Path):
    pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[ray]')")
    from test_ray import REPO, driver_env, read_records, without_timings

    feed = write_jsonl(tmp_path / "feed.jsonl", feed_rows(), BAD_LINES)
    single, on_ray = tmp_path / "single.jsonl", tmp_path / "ray.jsonl"
    assert run_stories([str(feed)], single) == 1
    command = [sys.executable, "-m", "summarizer", "stories", str(feed), "--out", str(on_ray), "--ray", "--workers", "2"]
    result = subprocess.run(command, cwd=REPO, env=driver_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr  # the bad lines failed
    assert sorted(without_timings(read_records(on_ray)), key=lambda r: r["id"]) == sorted(
        without_timings(read_records(single)), key=lambda r: r["id"])
