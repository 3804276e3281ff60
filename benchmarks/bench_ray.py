"""Batch throughput and memory: one process against a local process pool (`--workers N`) and Ray
Data (`--ray --workers N`), and the driver's ceiling.

    python benchmarks/bench_ray.py [--items 2000] [--flat 20000] [--modes single,pool2,ray2]
                                   [--one-page] [--ceiling-items 2000] [--no-ceiling]

Each mode is the real command, `ko-brief summarize ITEMS.jsonl --out OUT.jsonl` (with `--workers
N` or `--ray --workers N`), run cold in a fresh process on the same input of items made from the
five seed pages (subsets in shuffled order), start-up included. Every 0.25 s the benchmark samples
the command and every process under it (pool workers, the Ray core and workers): peak memory is
the largest sum of PSS (shared pages split among the processes sharing them; RSS, which counts
them in every process, beside it); "cores" is the CPU time of all of them over the wall time, and
"CPU s/item" that CPU time per item (start-up included): on a loaded machine, where a mode gets
fewer cores than it could use, that is the figure to compare.
Ratios are against one process in the same run. `--flat N` also runs the modes on N items and
prints the peak memory ratio against the first size (`--one-page`: items of one page each).

The driver's ceiling: the same batch core and backends in this process with a briefer that does
nothing (a fixed record of a typical briefing's size), items/s from the first record to the last:
how many items per second the driver can stream out and write (each record flushed and fsynced),
so how many workers a cluster can feed before the driver is the bottleneck. Asserts nothing.
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
from collections.abc import Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))
from ray_cluster import descendants, ray_env  # noqa: E402

MODES = {"single": [], "pool2": ["--workers", "2"], "ray1": ["--ray", "--workers", "1"],
         "ray2": ["--ray", "--workers", "2"]}
GOALS = {"pool2": (1.35, 2.2), "ray2": (1.2, None)}  # (items/s at least, peak memory at most) x one process
TICKS = os.sysconf("SC_CLK_TCK")
# What the do-nothing briefer returns: about the size of a real record of 2-5 seed pages (8-12 KB).
NOTHING = {"bullets": ["가나다라마바사아자차카타파하 " * 7] * 12, "articles": [{"title": "제목" * 20}] * 4}


def make_items(path: Path, count: int, one_page: bool = False) -> None:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples" / "seeds").glob("*.txt"))]
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            articles = rng.sample(seeds, 1 if one_page else rng.randint(2, 5))
            f.write(json.dumps({"id": f"item{i:06d}", "articles": articles}, ensure_ascii=False) + "\n")


def memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in KiB; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def run(mode: str, source: Path, folder: Path) -> dict:
    out = folder / f"{mode}-{source.stem}.jsonl"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out), *MODES[mode]]
    env = ray_env(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1")
    env.pop("RAY_ADDRESS", None)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    ticks: dict[int, int] = {}  # pid -> its CPU ticks when last seen
    with open(folder / f"{mode}.stderr", "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
        peak_pss = peak_rss = 0
        while process.poll() is None:
            pids = [process.pid, *descendants(process.pid)]
            sizes = [memory_kib(p) for p in pids]
            peak_pss, peak_rss = max(peak_pss, sum(s[0] for s in sizes)), max(peak_rss, sum(s[1] for s in sizes))
            ticks.update({p: t for p in pids if (t := cpu_ticks(p))})
            time.sleep(0.25)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{mode} failed ({process.returncode}): {(folder / f'{mode}.stderr').read_text()[-2000:]}")
    items = sum(1 for _ in open(out, "rb"))
    return {"mode": mode, "items": items, "seconds": seconds, "items_per_s": items / seconds,
            "peak_mb": peak_pss / 1024, "peak_rss_mb": peak_rss / 1024,
            "cores": sum(ticks.values()) / TICKS / seconds, "cpu_per_item": sum(ticks.values()) / TICKS / items,
            "load": (load_before, os.getloadavg()[0])}


def do_nothing(item, options) -> dict:
    """The do-nothing briefer of the pool (a module-level function, so workers can import it)."""
    return {"id": item.id, "ok": True, "briefing": NOTHING}


def ceiling(backend_name: str, source: Path, folder: Path) -> float:
    """Items/s the driver streams and writes, first record to last, with a do-nothing briefer."""
    from summarizer import batch

    if backend_name == "pool2":
        from summarizer.pool_backend import PoolBackend

        backend = PoolBackend(2, task=do_nothing)
    else:
        from summarizer import ray_backend

        class NothingBriefer:
            def __init__(self, *args, **kwargs):
                pass

            def __call__(self, rows: dict) -> dict:
                lines = [batch.record_line({"id": json.loads(t)["id"], "ok": True, "briefing": NOTHING}).decode()
                         for t in rows["item"]]
                return {"record": np.array(lines, dtype=object), "node": np.array(["-"] * len(lines), dtype=object)}

        backend = ray_backend.RayBackend(workers=2)
        backend.briefer = NothingBriefer
    stamps: list[float] = []

    def timed(items, options, done) -> Iterator[dict]:
        records = backend(items, options, done)  # started now, as run_batch does
        for record in records:
            stamps.append(time.perf_counter())
            yield record

    out = folder / f"ceiling-{backend_name}.jsonl"
    out.unlink(missing_ok=True)
    batch.run_batch(batch.BatchOptions(inputs=[str(source)], out=str(out)), timed)
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--flat", type=int, default=0, metavar="N", help="also run on N items (memory flat)")
    parser.add_argument("--modes", default="single,pool2,ray2", help=f"of {', '.join(MODES)}")
    parser.add_argument("--one-page", action="store_true", help="items of one seed page each")
    parser.add_argument("--ceiling-items", type=int, default=2000, help="items for the driver's ceiling")
    parser.add_argument("--no-ceiling", action="store_true")
    args = parser.parse_args()
    modes = args.modes.split(",")
    os.environ.update({k: v for k, v in ray_env().items() if k.startswith("RAY_")})
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as temp:
        folder = Path(temp)
        results: dict[tuple[str, int], dict] = {}
        for count in [args.items] + ([args.flat] if args.flat else []):
            source = folder / f"items{count}.jsonl"
            make_items(source, count, args.one_page)
            print(f"\n{count:,} items ({source.stat().st_size / 1e6:.1f} MB JSONL)")
            print(f"{'mode':8} {'seconds':>8} {'items/s':>8} {'x single':>9} {'peak MB':>8} {'x single':>9} "
                  f"{'RSS MB':>7} {'cores':>6} {'CPU s/item':>10}  load before/after")
            for mode in modes:
                r = results[mode, count] = run(mode, source, folder)
                base = results.get(("single", count))
                speed = f"{r['items_per_s'] / base['items_per_s']:8.2f}x" if base else f"{'-':>9}"
                memory = f"{r['peak_mb'] / base['peak_mb']:8.2f}x" if base else f"{'-':>9}"
                print(f"{mode:8} {r['seconds']:8.1f} {r['items_per_s']:8.1f} {speed} {r['peak_mb']:8.0f} {memory} "
                      f"{r['peak_rss_mb']:7.0f} {r['cores']:6.2f} {r['cpu_per_item']:10.3f}  "
                      f"{r['load'][0]:.2f}/{r['load'][1]:.2f}", flush=True)
            base = results.get(("single", count))
            for mode, (speed, memory) in GOALS.items():
                if base and (mode, count) in results:
                    r = results[mode, count]
                    met = r["items_per_s"] / base["items_per_s"] >= speed and (
                        memory is None or r["peak_mb"] / base["peak_mb"] <= memory)
                    print(f"goal {mode}: >= {speed}x items/s" + (f", <= {memory}x memory" if memory else "")
                          + f": {'met' if met else 'NOT met'}")
        if args.flat:
            print(f"\npeak memory, {args.flat:,} items against {args.items:,}:")
            for mode in modes:
                small, big = results[mode, args.items]["peak_mb"], results[mode, args.flat]["peak_mb"]
                print(f"{mode:8} {small:6.0f} MB -> {big:6.0f} MB ({(big / small - 1) * 100:+.1f}%)")
        if not args.no_ceiling:
            source = folder / f"ceiling{args.ceiling_items}.jsonl"
            make_items(source, args.ceiling_items, args.one_page)
            print(f"\ndriver's ceiling ({args.ceiling_items:,} items, do-nothing briefer, load "
                  f"{os.getloadavg()[0]:.2f}): items/s the driver streams and writes")
            for backend_name in ("pool2", "ray2"):
                print(f"{backend_name:8} {ceiling(backend_name, source, folder):8.0f} items/s", flush=True)


if __name__ == "__main__":
    main()
