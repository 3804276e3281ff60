"""Speed of the extractive engine, with textrankr on the same inputs beside it (no asserts).

    python benchmarks/bench_textrank.py [DEV.jsonl] [--runs 7]

Prints, in one run:
  * the seeds briefing latency, warm (median of --runs calls of summarize on the five seed pages);
  * dev-set throughput in articles per second (summarize() per article, and the k=3 selection
    used by `ko-brief evaluate`);
  * the ratio of total extractive time to Kiwi's tokenization time of the same text (target <= 1.3:
    everything beyond morphology costs under 30%);
  * textrankr (TextRank(kiwi_morphs).summarize) on the same inputs, with the same ratio.
The dev set defaults to ../shared/data/ko-news-dev.jsonl next to the project; without it, that
part is skipped with a message. Quality (ROUGE) is `ko-brief evaluate DEV.jsonl`.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from summarizer import evaluate, korean, summarize

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
DEV_SET = REPO.parent / "shared" / "data" / "ko-news-dev.jsonl"


def interleaved_times(systems: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Wall times of ``runs`` rounds; each round runs every system, so machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(runs):
        for name, run in systems.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def kiwi_tokenize(text: str) -> None:
    """Kiwi's own analysis of one text in one call: the floor any Kiwi-based summarizer pays."""
    korean.kiwi().tokenize(text)


def seeds(runs: int, textrankr) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    chars = sum(map(len, texts))
    briefing = summarize(texts)  # warm-up: loads Kiwi
    k = len(briefing.bullets)
    joined = "\n".join(texts)
    systems = {
        "kiwi": lambda: [kiwi_tokenize(t) for t in texts],
        "ours": lambda: summarize(texts),
        **({"textrankr": lambda: textrankr(joined, k)} if textrankr is not None else {}),
    }
    median = {name: statistics.median(t) for name, t in interleaved_times(systems, runs).items()}
    kiwi_s, ours_s = median["kiwi"], median["ours"]
    print(f"## Seeds: {len(texts)} pasted pages, {chars:,} characters (median of {runs} warm runs)\n")
    print("| system | latency | output | time / Kiwi tokenize |")
    print("|---|---:|---|---:|")
    print(f"| Kiwi tokenize only | {kiwi_s * 1000:.0f} ms | - | 1.00 |")
    print(
        f"| ours: summarize() | {ours_s * 1000:.0f} ms | {len(briefing.bullets)} bullets, "
        f"{briefing.length} chars | {ours_s / kiwi_s:.2f} |"
    )
    if textrankr is not None:
        picked = textrankr(joined, k)
        print(
            f"| textrankr (k={k}) | {median['textrankr'] * 1000:.0f} ms | {len(picked)} sentences, "
            f"{sum(map(len, picked))} chars | {median['textrankr'] / kiwi_s:.2f} |"
        )
    print()


def dev_set(path: Path, passes: int, textrankr) -> None:
    if not path.exists():
        print(f"## Dev set: skipped, {path} not found (pass its path as the first argument)\n")
        return
    records = evaluate.load_records(path)
    articles = ["\n".join(r.sentences) for r in records]
    chars = sum(map(len, articles))
    n = len(articles)
    systems = {
        "Kiwi tokenize only": lambda: [kiwi_tokenize(a) for a in articles],
        "ours: summarize() per article": lambda: [summarize(a) for a in articles],
        "ours: select_sentences(k=3)": lambda: [evaluate.textrank(r.sentences, 3) for r in records],
    }
    if textrankr is not None:
        systems["textrankr: summarize(k=3)"] = lambda: [textrankr(a, 3) for a in articles]
    totals = {name: min(t) for name, t in interleaved_times(systems, passes).items()}
    kiwi_s = totals["Kiwi tokenize only"]
    print(f"## Dev set: {n} articles, {chars:,} characters, one call per article (best of {passes} passes)\n")
    print("| system | total | articles/s | time / Kiwi tokenize |")
    print("|---|---:|---:|---:|")
    for name, seconds in totals.items():
        print(f"| {name} | {seconds:.2f} s | {n / seconds:.0f} | {seconds / kiwi_s:.2f} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dev_set", nargs="?", type=Path, default=DEV_SET, help=f"default: {DEV_SET}")
    parser.add_argument("--runs", type=int, default=7, help="warm runs for the seeds median")
    parser.add_argument("--passes", type=int, default=3, help="passes over the dev set (best kept)")
    args = parser.parse_args()
    textrankr = evaluate.textrankr_summarizer()
    if textrankr is None:
        print("textrankr is not installed: its columns are skipped (pip install textrankr)\n")
    seeds(args.runs, textrankr)
    dev_set(args.dev_set, args.passes, textrankr)


if __name__ == "__main__":
    main()
