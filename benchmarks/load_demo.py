"""Bounded load on the demo: concurrent TextRank requests to 127.0.0.1 through gradio_client.

    python benchmarks/load_demo.py [--requests 20] [--port PORT]

Without --port the app is started in this process on a free 127.0.0.1 port; with --port the
requests go to a demo already running on this machine (``python -m demo.app --port PORT``).
Each simulated user has its own client (its own session) and sends the five seed pages; all
requests are released together. Every answer is checked: its bullets must be exactly those that
summarize() gives for the same input. Prints the latency of one request alone (baseline, same
process), the latency under load and the ratio between them; exits 1 if any request failed.
"""
from __future__ import annotations

import argparse
import math
import re
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape

from gradio_client import Client

from demo.app import DEMO_LIMITS, build_app, launch
from demo.inputs import collect_articles, seed_text
from summarizer import summarize

REQUEST_TIMEOUT_S = 300  # a bound on a hung request; a request past it counts as failed
MAX_CHARS, REDUNDANCY = 1500, 0.5


def bullet_texts(html: str) -> list[str]:
    """The bullet sentences of one rendered column."""
    return [unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r'<p class="bullet-text">(.*?)</p>', html)]


def one_request(client: Client, pasted: str) -> tuple[float, list[str]]:
    """Seconds for one /textrank call and the bullets it answered."""
    start = time.perf_counter()
    job = client.submit(pasted, [], MAX_CHARS, REDUNDANCY, api_name="/textrank")
    html = job.result(timeout=REQUEST_TIMEOUT_S)[0]
    return time.perf_counter() - start, bullet_texts(html)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def run(url: str, requests: int) -> int:
    pasted = seed_text()
    expected = [
        b.text
        for b in summarize(collect_articles(pasted, None, DEMO_LIMITS.max_total_chars), "textrank", MAX_CHARS,
                           redundancy=REDUNDANCY, limits=DEMO_LIMITS).bullets
    ]
    clients = [Client(url, verbose=False, download_files=False, analytics_enabled=False) for _ in range(requests)]

    one_request(clients[0], pasted)  # warm-up: Kiwi and the server's first request
    alone = [one_request(clients[0], pasted)[0] for _ in range(5)]
    baseline = statistics.median(alone)

    release = threading.Barrier(requests)

    def user(client: Client) -> tuple[float, bool, str]:
        release.wait()
        try:
            seconds, bullets = one_request(client, pasted)
        except Exception as exc:  # noqa: BLE001 (any failure of a request is reported, not raised)
            return float("nan"), False, f"{type(exc).__name__}: {exc}"
        return seconds, bullets == expected, "" if bullets == expected else "wrong bullets"

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=requests) as pool:
        results = list(pool.map(user, clients))
    wall = time.perf_counter() - start

    latencies = [s for s, ok, _ in results if ok]
    failures = [why for _, ok, why in results if not ok]
    print(f"demo load: {requests} concurrent /textrank requests, five seed pages ({len(pasted):,} chars), "
          f"{len(expected)} bullets expected")
    print(f"  one request alone : median {baseline:.3f} s over {len(alone)} runs")
    if latencies:
        p50 = statistics.median(latencies)
        print(f"  under load        : min {min(latencies):.3f}  p50 {p50:.3f}  p90 {percentile(latencies, 90):.3f}"
              f"  max {max(latencies):.3f} s")
        print(f"  all {requests} answered in {wall:.3f} s: {requests / wall:.1f} requests/s; "
              f"p50 under load / alone = {p50 / baseline:.1f}x")
    print(f"  correct answers   : {len(latencies)}/{requests}")
    for why in failures:
        print(f"  FAILED: {why}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="concurrent requests (default 20)")
    parser.add_argument("--port", type=int, help="port of a demo already running on 127.0.0.1")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.port:
        return run(f"http://127.0.0.1:{args.port}/", args.requests)
    app = build_app()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _, url, _ = launch(app, port=port, prevent_thread_lock=True, quiet=True)
    try:
        return run(url, args.requests)
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
