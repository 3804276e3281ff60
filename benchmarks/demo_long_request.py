"""The demo while one client's long paste is briefed: another client's page load and small briefing.

    python benchmarks/demo_long_request.py [--chars 500000] [--rounds 3]

Starts the app in this process on a free 127.0.0.1 port with the library's input caps (the demo's
own stop at 100,000 characters). Measures a page load
(GET /) and a /textrank briefing of the five seed pages from a second client, first alone, then
while the first client's paste of made-up distinct sentences (tests/test_demo.py) is being
briefed; prints the medians and the ratio during / alone. Exits 1 if the long briefing ended
before the measurements did (they would not have been made during it); one still running at the
end is stopped with the server.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import httpx  # noqa: E402
from gradio_client import Client  # noqa: E402
from gradio_client.utils import Status  # noqa: E402
from test_demo import made_up_articles, served  # noqa: E402  the demo tests' server helper and made-up paste

from demo.app import build_app  # noqa: E402
from demo.inputs import seed_text  # noqa: E402
from summarizer import Limits  # noqa: E402


def timings(url: str, client: Client, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of ``rounds`` page loads and as many small briefings, one after the other."""
    pages, briefings = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        assert httpx.get(url, timeout=600).status_code == 200
        pages.append(time.perf_counter() - start)
        start = time.perf_counter()
        client.predict(seed_text(), [], 1500, 0.7, api_name="/textrank")
        briefings.append(time.perf_counter() - start)
    return pages, briefings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=500_000, help="characters of the long paste (default 500000)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements alone and during (default 3)")
    args = parser.parse_args(argv)
    paste = made_up_articles(args.chars, 250)
    with served(build_app(limits=Limits(max_total_chars=max(args.chars, 500_000)))) as first:
        second = Client(first.src, verbose=False, download_files=False, analytics_enabled=False)
        timings(first.src, second, 1)  # warm-up
        alone = timings(first.src, second, args.rounds)
        job = first.submit(paste, [], 1500, 0.7, api_name="/textrank")
        while job.status().code != Status.PROCESSING:
            time.sleep(0.05)
        time.sleep(2)  # well into the paste
        during = timings(first.src, second, args.rounds)
        ran_through = not job.done()
    print(f"demo during a long briefing of {len(paste):,} characters: medians of {args.rounds}")
    for name, before, after in [("page load", alone[0], during[0]), ("small briefing", alone[1], during[1])]:
        a, d = statistics.median(before), statistics.median(after)
        print(f"  {name:15}: alone {a:.3f} s, during {d:.3f} s (max {max(after):.3f} s), during / alone = {d / a:.1f}x")
    if not ran_through:
        print("  the long briefing ended before the measurements did: they were not made during it")
    return 0 if ran_through else 1


if __name__ == "__main__":
    sys.exit(main())
