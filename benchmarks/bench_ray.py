"""Batch throughput and memory: one process against Ray Data with 1 and 2 workers.

    python benchmarks/bench_ray.py [--items 2000] [--flat 20000] [--modes single,ray1,ray2] [--one-page]

Each mode is the real command, `ko-brief summarize ITEMS.jsonl --out OUT.jsonl` (with `--ray
--workers N` for Ray), run cold in a fresh process on the same input of items made from the five
seed pages (subsets in shuffled order), start-up included. Peak memory is the largest sum of PSS
(shared pages split among the processes sharing them) over the command and every process under it
(the Ray core and workers included), sampled every 0.25 s. `--flat N` also runs the modes on N
items and prints the peak memory ratio against the first size (`--one-page`: items of one page
each, so the long run takes a third of the time). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from ray_cluster import descendants, ray_env  # noqa: E402

MODES = {"single": [], "ray1": ["--ray", "--workers", "1"], "ray2": ["--ray", "--workers", "2"]}


def make_items(path: Path, count: int, one_page: bool = False) -> None:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples" / "seeds").glob("*.txt"))]
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            articles = rng.sample(seeds, 1 if one_page else rng.randint(2, 5))
            f.write(json.dumps({"id": f"item{i:06d}", "articles": articles}, ensure_ascii=False) + "\n")


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(mode: str, source: Path, folder: Path) -> dict:
    out = folder / f"{mode}-{source.stem}.jsonl"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out), *MODES[mode]]
    env = ray_env(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1")
    env.pop("RAY_ADDRESS", None)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with open(folder / f"{mode}.stderr", "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
        peak = 0
        while process.poll() is None:
            peak = max(peak, sum(pss_kib(p) for p in [process.pid, *descendants(process.pid)]))
            time.sleep(0.25)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{mode} failed ({process.returncode}): {(folder / f'{mode}.stderr').read_text()[-2000:]}")
    items = sum(1 for _ in open(out, "rb"))
    return {"mode": mode, "items": items, "seconds": seconds, "items_per_s": items / seconds,
            "peak_mb": peak / 1024, "load": (load_before, os.getloadavg()[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--flat", type=int, default=0, metavar="N", help="also run on N items (memory flat)")
    parser.add_argument("--modes", default="single,ray1,ray2")
    parser.add_argument("--one-page", action="store_true", help="items of one seed page each")
    args = parser.parse_args()
    modes = args.modes.split(",")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as temp:
        folder = Path(temp)
        results: dict[tuple[str, int], dict] = {}
        for count in [args.items] + ([args.flat] if args.flat else []):
            source = folder / f"items{count}.jsonl"
            make_items(source, count, args.one_page)
            print(f"\n{count:,} items ({source.stat().st_size / 1e6:.1f} MB JSONL)")
            print(f"{'mode':8} {'seconds':>8} {'items/s':>8} {'x single':>9} {'peak MB':>8}  load before/after")
            for mode in modes:
                r = results[mode, count] = run(mode, source, folder)
                base = results.get(("single", count))
                ratio = f"{r['items_per_s'] / base['items_per_s']:8.2f}x" if base else f"{'-':>9}"
                print(f"{mode:8} {r['seconds']:8.1f} {r['items_per_s']:8.1f} {ratio} {r['peak_mb']:8.0f}  "
                      f"{r['load'][0]:.2f}/{r['load'][1]:.2f}", flush=True)
        if args.flat:
            print(f"\npeak memory, {args.flat:,} items against {args.items:,}:")
            for mode in modes:
                small, big = results[mode, args.items]["peak_mb"], results[mode, args.flat]["peak_mb"]
                print(f"{mode:8} {small:6.0f} MB -> {big:6.0f} MB ({(big / small - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
