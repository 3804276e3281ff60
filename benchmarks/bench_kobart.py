"""KoBART speed, memory and tokens, on the real KoBART shape with random weights, in one run:

1. Generation alone, torch int8 against CTranslate2 int8: three inputs of 1,000 tokens, 4 beams,
   64 new tokens (the engine's own call, each backend in a fresh process): seconds and peak RSS.
2. This project's CTranslate2 engine against plain CTranslate2 (``Translator.translate_batch`` of
   the same loaded model on the same tokens and settings, alternating): the overhead of ours.
3. Greedy tokens of the two backends on the same inputs: fp32 against fp32 (should be equal) and
   int8 against int8 (quantized differently), each int8 also against torch fp32.
4. The whole briefing of the five seed pages, ``summarize(method="kobart")`` in a fresh process
   (Kiwi, preparation and the load included): this project's default (CTranslate2 when
   installed), the torch int8 path, and the usage common in public KoBART code (fp32, 5 beams,
   one page per call, each page cut to 1,024 tokens): seconds and peak RSS.

Random weights write noise, so every timed output is forced to the same number of new tokens
(min_new_tokens = max_new_tokens); the comparison is of work done, not of summary quality. Every
setting runs ``--repeats`` times, alternating; ratios use medians measured in this run. No timing
is asserted anywhere: this prints measurements (and the machine's load, as it is shared).

    HF_HUB_OFFLINE=1 python benchmarks/bench_kobart.py [--repeats 3] [--new-tokens 64] [--ablations] [--no-public]

Needs ../shared/kobart (config.json, tokenizer.json) beside the repository, and ctranslate2.
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
INPUTS, INPUT_TOKENS, BEAMS = 3, 1000, 4


def _peak_mib() -> float:
    """Peak RSS of this process. On Linux VmHWM: getrusage's ru_maxrss survives exec, so a child
    forked from this benchmark's parent (which built the 500 MB model) would report the parent's."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _options(model: str, new_tokens: int, **overrides):
    from summarizer.abstractive import KobartOptions

    return KobartOptions(model=model, max_new_tokens=new_tokens, min_new_tokens=new_tokens, **overrides)


def _inputs(engine) -> list[list[int]]:
    """Three wrapped inputs of INPUT_TOKENS tokens: consecutive windows of the seed pages' tokens."""
    ids = [t for page in engine.encode([p.read_text(encoding="utf-8") for p in SEEDS]) for t in page]
    body = INPUT_TOKENS - 2
    return [engine.wrap(ids[i * body : (i + 1) * body]) for i in range(INPUTS)]


# ---------------------------------------------------------------- children (one setting each)


def run_briefing(model: str, new_tokens: int, overrides: dict) -> dict:
    """This project's path: summarize(method="kobart") of the seeds, defaults but forced length."""
    from summarizer import summarize
    from summarizer.abstractive import load_engine

    options = _options(model, new_tokens, **overrides)
    articles = [p.read_text(encoding="utf-8") for p in SEEDS]
    start = time.perf_counter()
    engine = load_engine(options)
    load = time.perf_counter() - start
    times = []
    for _ in range(2):  # first call (Kiwi load, kernel warm-up) and a warm call
        start = time.perf_counter()
        briefing = summarize(articles, method="kobart", kobart=options)
        times.append(time.perf_counter() - start)
    return {"load_s": load, "first_s": times[0], "warm_s": times[1], "peak_mib": _peak_mib(),
            "outputs": len(briefing.bullets), "markdown": briefing.to_markdown(), "notes": briefing.notes,
            "backend": engine.backend, "torch_imported": "torch" in sys.modules}


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


def run_generation(model: str, new_tokens: int, overrides: dict) -> dict:
    """Only the engine's generate() on the three 1,000-token inputs, 4 beams (first and warm call)."""
    from summarizer.abstractive import load_engine

    options = _options(model, new_tokens, num_beams=BEAMS, **overrides)
    start = time.perf_counter()
    engine = load_engine(options)
    load = time.perf_counter() - start
    inputs = _inputs(engine)
    times = []
    for _ in range(2):
        start = time.perf_counter()
        outputs = engine.generate(inputs, options)
        times.append(time.perf_counter() - start)
    return {"load_s": load, "first_s": times[0], "warm_s": times[1], "peak_mib": _peak_mib(),
            "outputs": len(outputs), "backend": engine.backend}


def run_overhead(model: str, new_tokens: int, repeats: int) -> dict:
    """Our CTranslate2 engine and plain CTranslate2 on the same tokens and settings, alternating."""
    from summarizer.abstractive import load_engine

    options = _options(model, new_tokens, num_beams=BEAMS, backend="ctranslate2")
    engine = load_engine(options)
    inputs = _inputs(engine)
    plain = engine.generator.translator  # the same loaded model: only the calls around it differ
    tokens = [[engine.tokenizer.id_to_token(i) for i in seq] for seq in inputs]

    def ours() -> list[list[int]]:
        return engine.generate(inputs, options)

    settings = engine.generator.decoding(options)  # the very settings ours passes

    def theirs() -> list[list[str]]:
        return [r.hypotheses[0] for r in plain.translate_batch(tokens, **settings)]

    ids = [[i for i in map(engine.tokenizer.token_to_id, hyp) if i not in engine.special] for hyp in theirs()]
    same = ours() == ids  # also warms both up
    times: dict[str, list[float]] = {"ours": [], "plain": []}
    for _ in range(repeats):
        for name, call in (("ours", ours), ("plain", theirs)):
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {"ours_s": statistics.median(times["ours"]), "plain_s": statistics.median(times["plain"]),
            "ours_all": times["ours"], "plain_all": times["plain"], "same_tokens": same}


def run_tokens(model: str, new_tokens: int) -> dict:
    """Greedy ids of both backends, fp32 and int8, on the three inputs."""
    from summarizer.abstractive import load_engine

    found = {}
    for backend in ("torch", "ctranslate2"):
        for quantize in (False, True):
            options = _options(model, new_tokens, num_beams=1, backend=backend, quantize=quantize)
            engine = load_engine(options)
            found[f"{backend}-{'int8' if quantize else 'fp32'}"] = engine.generate(_inputs(engine), options)
    return found


def child(args: argparse.Namespace) -> None:
    kind, arg = CHILDREN[args.child]
    if kind == "public":
        result = run_public(args.model, args.new_tokens)
    elif kind == "briefing":
        result = run_briefing(args.model, args.new_tokens, arg)
    elif kind == "generation":
        result = run_generation(args.model, args.new_tokens, arg)
    elif kind == "overhead":
        result = run_overhead(args.model, args.new_tokens, args.repeats)
    else:
        result = run_tokens(args.model, args.new_tokens)
    print(json.dumps(result, ensure_ascii=False))


BRIEFINGS = {
    "public": "public recipe: fp32, 5 beams, one page per call, cut at 1,024",
    "ours": "this project, defaults (CTranslate2 int8, 4 beams, events batched)",
    "ours-torch": "this project, torch int8 (backend='torch')",
}
ABLATIONS = {
    "ours-fp32": "this project, CTranslate2 fp32 (quantize=False)",
    "ours-2beams": "this project, CTranslate2 int8, 2 beams",
    "ours-greedy": "this project, CTranslate2 int8, greedy",
}
GENERATIONS = {"gen-torch": "torch int8 (dynamic quantization)", "gen-ct2": "CTranslate2 int8"}
CHILDREN = {
    "public": ("public", None),
    "ours": ("briefing", {}),
    "ours-torch": ("briefing", {"backend": "torch"}),
    "ours-fp32": ("briefing", {"quantize": False}),
    "ours-2beams": ("briefing", {"num_beams": 2}),
    "ours-greedy": ("briefing", {"num_beams": 1}),
    "gen-torch": ("generation", {"backend": "torch"}),
    "gen-ct2": ("generation", {"backend": "ctranslate2"}),
    "overhead": ("overhead", None),
    "tokens": ("tokens", None),
}


def spawn(name: str, model: Path, new_tokens: int, repeats: int = 1) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, "--model", str(model), "--new-tokens", str(new_tokens),
         "--repeats", str(repeats)],
        capture_output=True, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prefix(a: list[int], b: list[int]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=64, help="forced length of every timed output")
    parser.add_argument("--ablations", action="store_true", help="also fp32, 2-beam and greedy briefings")
    parser.add_argument("--no-public", action="store_true",
                        help="leave out the public recipe (the slowest setting: fp32, 5 beams, page by page)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if not (SHARED_KOBART / "config.json").exists():
        raise SystemExit(f"needs {SHARED_KOBART} (config.json, tokenizer.json)")

    from summarizer import ct2
    from summarizer.checkpoints import random_checkpoint

    if not ct2.installed():
        raise SystemExit("needs ctranslate2: pip install -e '.[kobart,ct2]' -c constraints.txt")
    load_before = os.getloadavg()
    briefings = [n for n in BRIEFINGS if not (args.no_public and n == "public")] + (
        list(ABLATIONS) if args.ablations else [])
    with tempfile.TemporaryDirectory() as tmp:
        model = random_checkpoint(json.loads((SHARED_KOBART / "config.json").read_text(encoding="utf-8")),
                                  SHARED_KOBART / "tokenizer.json", Path(tmp) / "kobart-random")
        for name in ("tokenizer_config.json", "special_tokens_map.json"):  # for the public recipe's AutoTokenizer
            (model / name).write_bytes((SHARED_KOBART / name).read_bytes())
        converted = {}
        for quantize in (True, False):  # what `ko-brief fetch` does (int8), and fp32 for the token check
            start = time.perf_counter()
            ct2.convert(model, quantize)
            converted[quantize] = time.perf_counter() - start
        runs: dict[str, list[dict]] = {n: [] for n in [*GENERATIONS, *briefings]}
        for r in range(args.repeats):
            for name in runs:
                runs[name].append(spawn(name, model, args.new_tokens))
                print(f"[{r + 1}/{args.repeats}] {name}: warm {runs[name][-1]['warm_s']:.2f} s", file=sys.stderr)
        overhead = spawn("overhead", model, args.new_tokens, max(5, args.repeats))
        tokens = spawn("tokens", model, args.new_tokens)
    load_after = os.getloadavg()

    def med(name: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[name])

    print(f"KoBART shape, random weights, {os.cpu_count()} CPUs; load average {load_before[0]:.1f} at the start, "
          f"{load_after[0]:.1f} at the end (a shared machine: compare ratios, not seconds); "
          f"medians of {args.repeats} runs, each setting in its own process, alternating.")
    print(f"Converting the checkpoint (what `ko-brief fetch` does once): int8 {converted[True]:.1f} s, "
          f"fp32 {converted[False]:.1f} s.\n")

    print(f"1. Generation: {INPUTS} inputs of {INPUT_TOKENS} tokens, {BEAMS} beams, {args.new_tokens} new tokens")
    print(f"{'engine':<36} {'load s':>7} {'1st call s':>10} {'warm s':>7} {'peak MiB':>9}")
    for name, label in GENERATIONS.items():
        print(f"{label:<36} {med(name, 'load_s'):>7.2f} {med(name, 'first_s'):>10.2f} {med(name, 'warm_s'):>7.2f} "
              f"{med(name, 'peak_mib'):>9.0f}")
    print(f"torch int8 / CTranslate2 int8: warm {med('gen-torch', 'warm_s') / med('gen-ct2', 'warm_s'):.2f}x the time, "
          f"{med('gen-torch', 'peak_mib') / med('gen-ct2', 'peak_mib'):.2f}x the peak memory\n")

    print("2. This project's CTranslate2 engine against plain CTranslate2 (same model, tokens and settings)")
    print(f"ours {overhead['ours_s']:.2f} s, plain {overhead['plain_s']:.2f} s (medians of "
          f"{len(overhead['ours_all'])}): ours / plain = {overhead['ours_s'] / overhead['plain_s']:.3f}x; "
          f"same tokens: {overhead['same_tokens']}\n")

    print(f"3. Greedy tokens on the same {INPUTS} inputs (forced {args.new_tokens} new tokens)")
    for a, b in (("torch-fp32", "ctranslate2-fp32"), ("torch-int8", "ctranslate2-int8"),
                 ("torch-fp32", "torch-int8"), ("torch-fp32", "ctranslate2-int8")):
        same = sum(x == y for x, y in zip(tokens[a], tokens[b]))
        prefixes = [_prefix(x, y) for x, y in zip(tokens[a], tokens[b])]
        print(f"{a} vs {b}: {same}/{INPUTS} outputs identical; tokens before the first difference "
              f"{prefixes} of {[len(x) for x in tokens[a]]}")
    print()

    print("4. A whole briefing of the five seed pages, summarize(method='kobart'), in a fresh process")
    print(f"{'setting':<66} {'outputs':>7} {'load s':>7} {'1st call s':>10} {'warm s':>7} {'peak MiB':>9}")
    for name in briefings:
        label = BRIEFINGS.get(name) or ABLATIONS[name]
        print(f"{label:<66} {runs[name][0]['outputs']:>7} {med(name, 'load_s'):>7.2f} {med(name, 'first_s'):>10.2f} "
              f"{med(name, 'warm_s'):>7.2f} {med(name, 'peak_mib'):>9.0f}")
    print()
    for name in [n for n in briefings if n not in ("public", "ours-torch")]:
        print(f"speed-up of {name} over the torch int8 briefing: warm "
              f"{med('ours-torch', 'warm_s') / med(name, 'warm_s'):.2f}x, "
              f"first call {med('ours-torch', 'first_s') / med(name, 'first_s'):.2f}x; peak memory "
              f"{med(name, 'peak_mib') / med('ours-torch', 'peak_mib'):.2f}x")
    for name in briefings[1:] if "public" in briefings else []:
        print(f"speed-up of {name} over the public recipe: warm {med('public', 'warm_s') / med(name, 'warm_s'):.2f}x, "
              f"first call {med('public', 'first_s') / med(name, 'first_s'):.2f}x")
    ours = runs["ours"][0]
    print(f"the default briefing ran on {ours['backend']}; torch imported in that process: {ours['torch_imported']}")
    if "public" in briefings:
        public = runs["public"][0]
        print(f"\npublic recipe read {public['tokens_read']} of the pages' {public['tokens_total']} tokens "
              f"(the rest cut silently by truncation=True), without <s>/</s> around its inputs.")
    print("\nThis project's briefing of the seeds (random weights, so the text is noise):\n")
    print(ours["markdown"])
    print("notes:", ours["notes"] or "none")


if __name__ == "__main__":
    main()
