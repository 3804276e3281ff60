"""What summarize() costs on hostile input, next to Kiwi's own time on the same text.

    python benchmarks/bench_worst_case.py [--sizes 10000 100000 500000] [--shapes NAME ...]
                                          [--profile SHAPE:SIZE]

Each shape and size runs in a fresh Python process: Kiwi is loaded and warmed first (the demo and
batch keep a warm process), then the Kiwi floor is measured (``kiwi.tokenize`` of the normalised
non-blank lines of the same input, CPU seconds), then one summarize() of it (CPU seconds of the
process, all threads: steadier than wall time on a shared machine). Peak RSS is the process's
high-water mark (ru_maxrss) beside the RSS after the warm-up. The ratio ``x Kiwi`` is the
briefing's CPU time over the floor's. Texts are made up here (seeded), not taken from any data
set; "distinct" uses the dev crawls of ../shared/data when present (friendly input, for scale).
Prints a table; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CLUSTERS = REPO.parent / "shared" / "data" / "ko-news-clusters-dev.jsonl"
ARTICLE_CHARS = 199_990  # under Limits.max_article_chars: longer inputs are cut into articles

_SUBJECTS = ["정부는", "서울시는", "한국은행은", "국회는", "교육부는", "경찰은", "기상청은", "대한축구협회는", "시민단체는"]
_WHEN = ["오늘", "지난 4일", "이번 주", "내년 상반기", "최근", "3일 오후"]
_OBJECTS = ["새 예산안을", "금리 동결을", "개정안을", "조사 결과를", "대책을", "일정을", "계획을", "지원 방안을"]
_VERBS = ["발표했다", "밝혔다", "확정했다", "공개했다", "결정했다", "내놓았다", "검토하고 있다"]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_WHEN)} {rng.choice(_OBJECTS)} {rng.choice(_VERBS)}."


def _article(rng: random.Random, chars: int) -> str:
    """A made-up article: a headline line, then paragraphs of two or three sentences."""
    lines = [f"{rng.choice(_SUBJECTS)[:-1]} {rng.choice(_OBJECTS)[:-1]} 발표"]
    while sum(map(len, lines)) < chars:
        lines.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 3))))
    return "\n".join(lines)[:chars]


def _cut(text: str) -> list[str]:
    """One long text as articles of at most ARTICLE_CHARS characters."""
    return [text[k : k + ARTICLE_CHARS] for k in range(0, len(text), ARTICLE_CHARS)]


def _repeat(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def _near_duplicates(n: int, count: int) -> list[str]:
    """``count`` copies of one article, each with a line dropped and a number changed."""
    rng = random.Random(7)
    base = _article(rng, n // count).split("\n")
    out = []
    for k in range(count):
        lines = [line for i, line in enumerate(base) if i != 1 + k % max(len(base) - 1, 1)]
        out.append(f"{k + 1}번째 판 " + "\n".join(lines))
    return out


def _distinct(n: int) -> list[str]:
    """300 different articles (dev crawls when present, else made up)."""
    if CLUSTERS.exists():
        rows = [json.loads(line) for line in CLUSTERS.read_text(encoding="utf-8").splitlines() if line.strip()]
        pages = [f"{a['headline']}\n{a['text']}" for r in rows for a in r["articles"]]
    else:
        rng = random.Random(3)
        pages = [_article(rng, 1_700) for _ in range(400)]
    size, text = max(n // 300, 30), "\n".join(pages)
    return [text[k * size : (k + 1) * size] for k in range(min(300, n // size))]


# name: input of about n characters (a list of articles)
SHAPES = {
    "no spaces": lambda n: _cut(_repeat("가나다라마바사아자차카타파하", n)),
    "one character": lambda n: _cut("가" * n),
    "unclosed tags": lambda n: _cut(_repeat("<p>정부가 발표했다.</p><p>나</p><p>다</p>" + "<a 정부가 오늘 발표했다 " * 2000, n)),
    "long urls": lambda n: _cut(_repeat("정부가 오늘 새 예산안을 발표했다. 원문 https://example.com/" + "a1/" * 100 + "\n", n)),
    "punctuation": lambda n: _cut(_repeat("정부가 발표했다" + "!?." * 300 + "\n", n)),
    "e-mails": lambda n: _cut(_repeat("정부가 오늘 새 예산안을 발표했다. 김철수 기자 kim@news.co.kr ", n)),
    "one long line": lambda n: [_repeat(" ".join(_sentence(random.Random(k)) for k in range(50)) + " ", min(n, ARTICLE_CHARS))],
    "near-duplicates": lambda n: _near_duplicates(n, 300 if n >= 100_000 else 30),
    "distinct": _distinct,
}


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_case(shape: str, size: int, profile: bool) -> dict:
    """One shape at one size in this process (called in a fresh child process)."""
    from summarizer import normalize_text, summarize
    from summarizer.korean import kiwi, warm_up

    warm_up()
    summarize(["정부가 오늘 새 예산안을 발표했다. 국회는 다음 주 심사를 시작한다.", "한국은행은 금리를 동결했다."])
    articles = SHAPES[shape](size)
    lines = [line for text in articles for line in normalize_text(text).split("\n") if line.strip()]
    warm_rss = _rss_mb()
    cpu = time.process_time()
    for _ in kiwi().tokenize(lines):  # a generator: the work is done as it is read
        pass
    floor = time.process_time() - cpu
    cpu, start = time.process_time(), time.perf_counter()
    if profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            briefing = summarize(articles)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(20)
    else:
        briefing = summarize(articles)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - start
    return {
        "shape": shape, "size": size, "articles": len(articles), "chars": sum(map(len, articles)),
        "kiwi": floor, "cpu": cpu, "wall": wall, "rss_warm": warm_rss,
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "bullets": len(briefing.bullets),
        "timings": briefing.timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 500_000])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--profile", metavar="SHAPE:SIZE", help="cProfile one case (stats to stderr)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        shape, size = args.child
        print(json.dumps(run_case(shape, int(size), args.profile is not None)))
        return
    cases = [tuple(args.profile.rsplit(":", 1))] if args.profile else [(s, n) for s in args.shapes for n in args.sizes]
    print(f"{'shape':<16} {'chars':>8} {'arts':>4} {'Kiwi s/100k':>11} {'brief s/100k':>12} {'x Kiwi':>6} "
          f"{'wall s':>7} {'RSS warm':>8} {'peak RSS':>8}  stages (s)")
    for shape, size in cases:
        command = [sys.executable, __file__, "--child", shape, str(size)]
        if args.profile:
            command += ["--profile", args.profile]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        if done.returncode:
            print(f"{shape:<16} {size:>8,} failed (exit status {done.returncode})", flush=True)
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        per = 100_000 / max(r["chars"], 1)
        stages = " ".join(f"{k}={v:.2f}" for k, v in r["timings"].items())
        print(f"{shape:<16} {r['chars']:>8,} {r['articles']:>4} {r['kiwi'] * per:>11.2f} {r['cpu'] * per:>12.2f} "
              f"{r['cpu'] / max(r['kiwi'], 1e-3):>6.2f} {r['wall']:>7.2f} {r['rss_warm']:>5.0f} MB {r['peak']:>5.0f} MB  {stages}",
              flush=True)


if __name__ == "__main__":
    main()
