"""KoBART speed and memory: this project's default abstractive briefing of the five seed pages
against the usage common in public KoBART code (fp32, 5 beams, max_length 512, one document at a
time, each page cut to 1,024 tokens), on the real KoBART shape with random weights.

Random weights write noise, so every run is forced to the same number of new tokens per output
(min_new_tokens = max_new_tokens); the comparison is of work done, not of summary quality. Each
setting runs in its own process (peak RSS from getrusage), alternating, ``--repeats`` times; the
ratio uses medians. No timing is asserted anywhere: this prints measurements.

    HF_HUB_OFFLINE=1 python benchmarks/bench_kobart.py [--repeats 3] [--new-tokens 64] [--ablations]

Needs ../shared/kobart (config.json, tokenizer.json) beside the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_KOBART = REPO.parent / "shared" / "kobart"
SEEDS = sorted((REPO / "examples" / "seeds").glob("*.txt"))
sys.path.insert(0, str(REPO))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(model: str, new_tokens: int, overrides: dict) -> dict:
    """This project's path: summarize(method="kobart") with default options (forced length)."""
    import torch  # noqa: F401  (imported before the clock starts, as in run_public)
    import transformers  # noqa: F401

    from summarizer import summarize
    from summarizer.abstractive import KobartOptions, load_engine

    options = KobartOptions(model=model, max_new_tokens=new_tokens, min_new_tokens=new_tokens, **overrides)
    articles = [p.read_text(encoding="utf-8") for p in SEEDS]
    start = time.perf_counter()
    load_engine(options)
    load = time.perf_counter() - start
    times = []
    for _ in range(2):  # first call (Kiwi load, kernel warm-up) and a warm call
        start = time.perf_counter()
        briefing = summarize(articles, method="kobart", kobart=options)
        times.append(time.perf_counter() - start)
    return {"load_s": load, "first_s": times[0], "warm_s": times[1], "peak_mib": _peak_mib(),
            "outputs": len(briefing.bullets), "markdown": briefing.to_markdown(), "notes": briefing.notes}


def run_public(model: str, new_tokens: int) -> dict:
    """The common public recipe: fp32, one page per generate(), truncation at 1,024, 5 beams."""
    import torch
    from transformers import AutoTokenizer, BartForConditionalGeneration

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(model)
    bart = BartForConditionalGeneration.from_pretrained(model).eval()
    load = time.perf_counter() - start
    articles = [p.read_text(encoding="utf-8") for p in SEEDS]
    times, kept = [], 0
    for _ in range(2):
        start = time.perf_counter()
        summaries, kept = [], 0
        for text in articles:
            inputs = tokenizer([text], max_length=1024, truncation=True, return_tensors="pt")
            kept += inputs["input_ids"].shape[1]
            with torch.no_grad():
                out = bart.generate(inputs["input_ids"], num_beams=5, early_stopping=True,
                                    max_new_tokens=new_tokens, min_new_tokens=new_tokens)  # max_length=512 in the recipe
            summaries.append(tokenizer.decode(out[0], skip_special_tokens=True))
        times.append(time.perf_counter() - start)
    total = sum(len(tokenizer(t)["input_ids"]) for t in articles)
    return {"load_s": load, "first_s": times[0], "warm_s": times[1], "peak_mib": _peak_mib(),
            "outputs": len(summaries), "tokens_read": kept, "tokens_total": total, "summaries": summaries}


VARIANTS = {
    "public": ("public recipe: fp32, 5 beams, one page per call, cut at 1,024", "public", {}),
    "ours": ("this project, defaults: int8, 4 beams, events batched", "ours", {}),
}
ABLATIONS = {
    "ours-fp32": ("this project, fp32 (quantize=False)", "ours", {"quantize": False}),
    "ours-2beams": ("this project, int8, 2 beams", "ours", {"num_beams": 2}),
    "ours-greedy": ("this project, int8, greedy", "ours", {"num_beams": 1}),
}


def child(args: argparse.Namespace) -> None:
    import torch

    _, kind, overrides = {**VARIANTS, **ABLATIONS}[args.child]
    result = run_public(args.model, args.new_tokens) if kind == "public" else run_ours(
        args.model, args.new_tokens, overrides)
    print(json.dumps({**result, "threads": torch.get_num_threads()}, ensure_ascii=False))


def spawn(name: str, model: Path, new_tokens: int) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, "--model", str(model), "--new-tokens", str(new_tokens)],
        capture_output=True, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=64, help="forced length of every output")
    parser.add_argument("--ablations", action="store_true", help="also fp32, 2-beam and greedy variants")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if not (SHARED_KOBART / "config.json").exists():
        raise SystemExit(f"needs {SHARED_KOBART} (config.json, tokenizer.json)")

    from summarizer.checkpoints import random_checkpoint

    names = list(VARIANTS) + (list(ABLATIONS) if args.ablations else [])
    with tempfile.TemporaryDirectory() as tmp:
        model = random_checkpoint(json.loads((SHARED_KOBART / "config.json").read_text(encoding="utf-8")),
                                  SHARED_KOBART / "tokenizer.json", Path(tmp) / "kobart-random")
        for name in ("tokenizer_config.json", "special_tokens_map.json"):  # for the public recipe's AutoTokenizer
            (model / name).write_bytes((SHARED_KOBART / name).read_bytes())
        runs: dict[str, list[dict]] = {n: [] for n in names}
        for r in range(args.repeats):
            for name in names:
                runs[name].append(spawn(name, model, args.new_tokens))
                print(f"[{r + 1}/{args.repeats}] {name}: warm {runs[name][-1]['warm_s']:.2f} s", file=sys.stderr)

    def med(name: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[name])

    print(f"KoBART shape, random weights, {os.cpu_count()} CPUs ({runs['ours'][0]['threads']} torch threads); "
          f"every output forced to {args.new_tokens} new tokens; "
          f"medians of {args.repeats} runs, each setting in its own process.\n")
    print(f"{'setting':<62} {'outputs':>7} {'load s':>7} {'1st call s':>10} {'warm s':>7} {'peak MiB':>9}")
    for name in names:
        print(f"{VARIANTS.get(name, ABLATIONS.get(name))[0]:<62} {runs[name][0]['outputs']:>7} "
              f"{med(name, 'load_s'):>7.2f} {med(name, 'first_s'):>10.2f} {med(name, 'warm_s'):>7.2f} "
              f"{med(name, 'peak_mib'):>9.0f}")
    print()
    for name in names[1:]:
        print(f"speed-up of {name} over the public recipe: warm {med('public', 'warm_s') / med(name, 'warm_s'):.2f}x, "
              f"first call {med('public', 'first_s') / med(name, 'first_s'):.2f}x")
    public = runs["public"][0]
    print(f"\npublic recipe read {public['tokens_read']} of the pages' {public['tokens_total']} tokens "
          f"(the rest cut silently by truncation=True), without <s>/</s> around its inputs.")
    print("\nThis project's briefing of the seeds (random weights, so the text is noise):\n")
    print(runs["ours"][0]["markdown"])
    print("notes:", runs["ours"][0]["notes"] or "none")
    print("\nThe public recipe's five outputs (first 60 characters each):")
    for text in public["summaries"]:
        print("-", text[:60])


if __name__ == "__main__":
    main()
