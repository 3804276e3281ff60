"""Speed and memory of the story grouping (summarizer.stories) on a feed (no asserts).

    python benchmarks/bench_stories.py [FEED.jsonl] [--limit N] [--copies 10]

Prints, in one run:
  * Kiwi's own analysis of the texts the grouping reads (headlines and the first 1,500 characters
    of each body, one ``list(kiwi.tokenize(...))`` call): the floor;
  * the whole grouping of the same articles (Kiwi through summarizer.korean, story terms, the
    online pass), and its ratio to the floor (target <= 1.3);
  * memory of the online pass (tracemalloc: peak while grouping, and what the grouper holds at
    the end) on the feed once and on the feed repeated ``--copies`` times with new ids and URLs,
    each copy's dates shifted by whole months past the one before (the dev feed spans twelve
    months, so copies follow each other instead of lying over each other). Flat memory: the ratio
    stays near 1 although the articles are ten times as many.
The feed defaults to ../shared/data/ko-news-feeds-dev.jsonl next to the project.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import time
import tracemalloc
from pathlib import Path

from summarizer import evaluate_stories, korean, stories

REPO = Path(__file__).resolve().parents[1]
FEED = REPO.parent / "shared" / "data" / "ko-news-feeds-dev.jsonl"


def shifted(day, months: int):
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=min(day.day, 28))


def copies(docs: list[stories.StoryDoc], n: int) -> list[stories.StoryDoc]:
    """The docs ``n`` times, each copy with new keys and URLs and its dates moved past the last."""
    first, last = min(d.day for d in docs), max(d.day for d in docs)
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    return [
        dataclasses.replace(d, key=f"{k}:{d.key}", url=f"{d.url}#{k}", day=shifted(d.day, k * span))
        for k in range(n) for d in docs
    ]


def memory(docs: list[stories.StoryDoc]) -> tuple[float, float, int]:
    """Peak and held MiB of one grouping pass, and the size of its saved state in characters."""
    gc.collect()
    tracemalloc.start()
    grouper = stories.StoryGrouper()
    for i in stories.reading_order([d.day for d in docs]):
        grouper.add(docs[i])
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, held / 2**20, len(json.dumps(grouper.to_state()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", nargs="?", default=str(FEED))
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    articles = evaluate_stories.load_feed(args.feed)[: args.limit]
    texts = [a.headline for a in articles] + [a.text[: stories.BODY_CHARS] for a in articles]
    korean.warm_up()

    start = time.perf_counter()
    list(korean.kiwi().tokenize(texts))
    floor = time.perf_counter() - start
    start = time.perf_counter()
    docs = evaluate_stories.story_docs(articles)
    analysed = time.perf_counter() - start
    start = time.perf_counter()
    evaluate_stories.online(docs)
    grouped = time.perf_counter() - start
    total = analysed + grouped
    print(f"{len(articles)} articles, {sum(map(len, texts)):,} characters read")
    print(f"Kiwi alone (floor):                 {floor:7.1f} s")
    print(f"grouping, all of it:                {total:7.1f} s  = {total / floor:.2f}x Kiwi (target <= 1.3)")
    print(f"  of which Kiwi + story terms:      {analysed:7.1f} s")
    print(f"  of which the online pass:         {grouped:7.1f} s  ({len(articles) / grouped:,.0f} articles/s)")

    once = memory(docs)
    many = memory(copies(docs, args.copies))
    print(f"memory of the online pass (tracemalloc): {len(docs)} articles: peak {once[0]:.1f} MiB, "
          f"held {once[1]:.1f} MiB, state {once[2] / 1e6:.1f} M characters")
    print(f"{len(docs) * args.copies} articles: peak {many[0]:.1f} MiB, held {many[1]:.1f} MiB, "
          f"state {many[2] / 1e6:.1f} M characters  (peak ratio {many[0] / once[0]:.2f}x)")


if __name__ == "__main__":
    main()
