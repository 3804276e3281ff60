"""What the input limits cost: time and peak memory of summarize() at Limits' caps.

    python benchmarks/bench_limits.py [--cases NAME ...] [--profile NAME]

Each case runs in a fresh Python process: Kiwi is loaded and warmed on the seed pages first (the
demo and batch keep a warm process), then one summarize() of the case is timed: wall seconds and
CPU seconds of the process (all threads; steadier than wall time on a shared machine). Peak RSS is the
process's high-water mark (ru_maxrss), shown beside the RSS after the warm-up. Articles come from
../shared/data/ko-news-clusters-dev.jsonl when present (1,408 distinct raw crawls, 1.8 M chars:
no text repeats in any case), otherwise from the bundled seed pages (which then repeat). Prints
numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLUSTERS = REPO.parent / "shared" / "data" / "ko-news-clusters-dev.jsonl"
SEEDS = REPO / "examples" / "seeds"

# name: (number of articles, total characters)
CASES = {
    "seeds": (5, None),
    "200x2350": (200, 470_000),  # the case of the review (issue 8)
    "300x1666": (300, 500_000),  # both caps: Limits.max_articles and max_total_chars
    "1x200000": (1, 200_000),  # one article at Limits.max_article_chars
    "30x3333": (30, 100_000),  # the demo's caps (demo.app.DEMO_LIMITS)
}


def pages() -> list[str]:
    """Distinct article texts to build inputs from (headline line, then the body)."""
    if CLUSTERS.exists():
        rows = [json.loads(line) for line in CLUSTERS.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [f"{a['headline']}\n{a['text']}" for r in rows for a in r["articles"]]
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def build(count: int, total: int | None) -> list[str]:
    """``count`` articles of about ``total / count`` characters: whole pages taken in turn (the
    next page continues an article that is still short), so no text repeats while pages last."""
    if total is None:
        return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    source, size, j = pages(), total // count, 0
    out = []
    for _ in range(count):
        parts, length = [], 0
        while length < size:
            parts.append(source[j % len(source)])
            length += len(parts[-1]) + 1
            j += 1
        out.append("\n".join(parts)[:size])
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_case(name: str, profile: bool) -> dict:
    """One case in this process (called in a fresh child process)."""
    from summarizer import summarize

    seeds = build(*CASES["seeds"])
    summarize(seeds)  # Kiwi load and first-call warm-up, not part of the measurement
    articles = build(*CASES[name])
    warm_rss = rss_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            briefing = summarize(articles)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    else:
        briefing = summarize(articles)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return {
        "case": name,
        "articles": len(articles),
        "chars": sum(len(a) for a in articles),
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "rss_warm_mb": round(warm_rss),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "timings": briefing.timings,
        "bullets": len(briefing.bullets),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--profile", choices=list(CASES), help="cProfile one case (stats to stderr)")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.profile == args.child)))
        return
    print(f"articles from: {CLUSTERS if CLUSTERS.exists() else SEEDS}")
    print(f"{'case':<10} {'articles':>8} {'chars':>9} {'seconds':>8} {'CPU s':>6} {'RSS warm':>9} {'peak RSS':>9}  stages (s)")
    for name in ([args.profile] if args.profile else args.cases):
        command = [sys.executable, __file__, "--child", name]
        if args.profile:
            command += ["--profile", name]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        stages = " ".join(f"{k}={v:.2f}" for k, v in r["timings"].items())
        print(f"{r['case']:<10} {r['articles']:>8} {r['chars']:>9,} {r['seconds']:>8.2f} {r['cpu_seconds']:>6.2f} "
              f"{r['rss_warm_mb']:>6} MB {r['peak_rss_mb']:>6} MB  {stages}")


if __name__ == "__main__":
    main()
