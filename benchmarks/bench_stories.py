"""Speed and memory of the story grouping (summarizer.stories) on a feed (no asserts).

    python benchmarks/bench_stories.py [FEED.jsonl] [--limit N] [--copies 10]

Prints, in one run (wall and CPU seconds; on a shared machine the CPU ratio is the steadier one):
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
    order = stories.reading_order([d.day for d in docs])  # the input's order, not the grouper's memory
    gc.collect()
    tracemalloc.start()
    grouper = stories.StoryGrouper()
    for i in order:
        grouper.add(docs[i])
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, held / 2**20, len(json.dumps(grouper.to_state()))


def timed(run) -> tuple[float, float]:
    """Wall and CPU seconds of ``run()`` (CPU time of this process, all its threads: less moved by
    other work on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def print_memory(docs: list[stories.StoryDoc], n: int) -> None:
    once, many = memory(docs), memory(copies(docs, n))
    print(f"memory of the online pass (tracemalloc): {len(docs)} articles: peak {once[0]:.1f} MiB, "
          f"held {once[1]:.1f} MiB, state {once[2] / 1e6:.1f} M characters")
    print(f"{len(docs) * n} articles: peak {many[0]:.1f} MiB, held {many[1]:.1f} MiB, "
          f"state {many[2] / 1e6:.1f} M characters  (peak ratio {many[0] / once[0]:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", nargs="?", default=str(FEED))
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--memory-only", action="store_true", help="skip the Kiwi floor and the timings")
    args = parser.parse_args()
    articles = evaluate_stories.load_feed(args.feed)[: args.limit]
    texts = [a.headline for a in articles] + [a.text[: stories.BODY_CHARS] for a in articles]
    korean.warm_up()
    if args.memory_only:
        print_memory(evaluate_stories.story_docs(articles), args.copies)
        return
    floor = timed(lambda: list(korean.kiwi().tokenize(texts)))
    docs: list[stories.StoryDoc] = []
    analysed = timed(lambda: docs.extend(evaluate_stories.story_docs(articles)))
    grouped = timed(lambda: evaluate_stories.online(docs))
    total = (analysed[0] + grouped[0], analysed[1] + grouped[1])
    print(f"{len(articles)} articles, {sum(map(len, texts)):,} characters read; seconds as wall / CPU of this process")
    print(f"Kiwi alone (floor):             {floor[0]:7.1f} / {floor[1]:7.1f} s")
    print(f"grouping, all of it:            {total[0]:7.1f} / {total[1]:7.1f} s  = {total[0] / floor[0]:.2f}x / "
          f"{total[1] / floor[1]:.2f}x Kiwi (target <= 1.3)")
    print(f"  of which Kiwi + story terms:  {analysed[0]:7.1f} / {analysed[1]:7.1f} s")
    print(f"  of which the online pass:     {grouped[0]:7.1f} / {grouped[1]:7.1f} s  "
          f"({len(articles) / grouped[0]:,.0f} articles/s)")

    print_memory(docs, args.copies)


if __name__ == "__main__":
    main()
