"""Speed of the extractive engine, with textrankr on the same inputs beside it (no asserts).

    python benchmarks/bench_textrank.py [DEV.jsonl] [--runs 7]

Prints, in one run:
  * the seeds briefing latency, warm (median of --runs calls of summarize on the five seed pages);
  * dev-set throughput in articles per second (summarize() per article, and the k=3 selection
    used by `ko-brief evaluate`);
  * the ratio of total extractive time to Kiwi's tokenization time of the same text, call for call
    (the faster of two ways to call Kiwi; target <= 1.3: everything beyond morphology under 30%);
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


def kiwi_systems(calls: list[list[str]]) -> dict[str, Callable[[], object]]:
    """Kiwi alone on the same texts, call for call (``calls``: the texts of each summarizer call).

    Two ways: the texts as given, or their non-empty lines, each call's list in one Kiwi call;
    the faster is the floor any Kiwi-based summarizer pays.
    """
    kiwi = korean.kiwi()
    lines = [[line for text in texts for line in text.splitlines() if line.strip()] for texts in calls]
    return {
        "Kiwi: texts, one call each": lambda: [list(kiwi.tokenize(texts)) for texts in calls],
        "Kiwi: lines, one call each": lambda: [list(kiwi.tokenize(group)) for group in lines],
    }


def print_table(title: str, unit: str, seconds: dict[str, float], extra: dict[str, str]) -> None:
    """One markdown table; the ratio column divides by the fastest Kiwi-only row."""
    floor = min(v for name, v in seconds.items() if name.startswith("Kiwi"))
    scale, suffix = (1000, " ms") if unit == "ms" else (1, " s")
    print(f"## {title}\n")
    print("| system | time | output / throughput | time / Kiwi floor |")
    print("|---|---:|---|---:|")
    for name, value in seconds.items():
        print(f"| {name} | {value * scale:.{0 if unit == 'ms' else 2}f}{suffix} | "
              f"{extra.get(name, '-')} | {value / floor:.2f} |")
    print()


def seeds(runs: int, textrankr) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    briefing = summarize(texts)  # warm-up: loads Kiwi
    k = len(briefing.bullets)
    joined = "\n".join(texts)
    systems = {**kiwi_systems([texts]), "ours: summarize()": lambda: summarize(texts)}
    extra = {"ours: summarize()": f"{k} bullets, {briefing.length} chars"}
    if textrankr is not None:
        name = f"textrankr: summarize(k={k})"
        systems[name] = lambda: textrankr(joined, k)
        picked = textrankr(joined, k)
        extra[name] = f"{len(picked)} sentences, {sum(map(len, picked))} chars"
    times = interleaved_times(systems, runs)
    print_table(
        f"Seeds: {len(texts)} pasted pages, {sum(map(len, texts)):,} characters, "
        f"warm latency (median of {runs} runs)",
        "ms", {name: statistics.median(t) for name, t in times.items()}, extra,
    )


def dev_set(path: Path, passes: int, textrankr) -> None:
    if not path.exists():
        print(f"## Dev set: skipped, {path} not found (pass its path as the first argument)\n")
        return
    records = evaluate.load_records(path)
    articles = ["\n".join(r.sentences) for r in records]
    systems = {
        **kiwi_systems([[a] for a in articles]),
        "ours: summarize() per article": lambda: [summarize(a) for a in articles],
        "ours: select_sentences(k=3) per article": lambda: [
            evaluate.textrank(r.sentences, 3) for r in records
        ],
    }
    if textrankr is not None:
        systems["textrankr: summarize(k=3) per article"] = lambda: [textrankr(a, 3) for a in articles]
    seconds = {name: min(t) for name, t in interleaved_times(systems, passes).items()}
    print_table(
        f"Dev set: {len(articles)} articles, {sum(map(len, articles)):,} characters "
        f"(best of {passes} passes)",
        "s", seconds, {name: f"{len(articles) / v:.0f} articles/s" for name, v in seconds.items()},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dev_set", nargs="?", type=Path, default=DEV_SET, help=f"default: {DEV_SET}")
    parser.add_argument("--runs", type=int, default=7, help="warm runs for the seeds median")
    parser.add_argument("--passes", type=int, default=5, help="passes over the dev set (best kept)")
    args = parser.parse_args()
    textrankr = evaluate.textrankr_summarizer()
    if textrankr is None:
        print("textrankr is not installed: its columns are skipped (pip install textrankr)\n")
    seeds(args.runs, textrankr)
    dev_set(args.dev_set, args.passes, textrankr)


if __name__ == "__main__":
    main()
