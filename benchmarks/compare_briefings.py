"""Write the extractive briefings of the seeds, the dev set and the dev clusters to a JSONL, or
compare two such files: the check that a speed-up changed no output.

    python benchmarks/compare_briefings.py write before.jsonl [--dev DEV.jsonl] [--clusters CLUSTERS.jsonl]
    python benchmarks/compare_briefings.py compare before.jsonl after.jsonl
    python benchmarks/compare_briefings.py snapshot    # after a change meant to alter briefings

One line per input: its name and the whole briefing (``Briefing.to_dict()`` without timings:
events, every bullet's text, sources, support, score and modality, notes, removed lines). The
inputs: the five seed pages (default budget and 500 characters), each dev-set article alone, and
each cluster as `ko-brief evaluate-clusters` gives it (bodies with press, date and URL) and again
with its headlines. The data files default to ../shared/data next to the project; a missing one
is skipped with a message. ``compare`` prints "identical on N of M" and the first differences.
``snapshot`` writes tests/briefings.snapshot.json: a digest of the briefing of the seeds (both
budgets) and of every SNAPSHOT_STEP-th dev cluster (no text of the data), which
tests/test_briefings_unchanged.py checks on every run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from summarizer import Article, evaluate, summarize

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
DATA = REPO.parent / "shared" / "data"
SNAPSHOT = REPO / "tests" / "briefings.snapshot.json"
SNAPSHOT_STEP = 10  # every 10th dev cluster (22 of 213, with and without headlines) is in the snapshot


def inputs(dev: Path | None, clusters: Path, cluster_step: int = 1) -> Iterator[tuple[str, object, int]]:
    """(name, articles, max_chars) of every input compared (every ``cluster_step``-th cluster)."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    yield "seeds", seeds, 1500
    yield "seeds@500", seeds, 500
    if dev is not None and dev.exists():
        for k, record in enumerate(evaluate.load_records(dev)):
            yield f"dev/{k}", "\n".join(record.sentences), 1500
    elif dev is not None:
        print(f"dev set skipped: {dev} not found", file=sys.stderr)
    if clusters.exists():
        for cluster in evaluate.load_clusters(clusters)[::cluster_step]:
            bodies = [Article(a.text, outlet=a.press, date=a.date, url=a.url) for a in cluster.articles]
            yield f"cluster/{cluster.id}", bodies, 1500
            titled = [Article(a.text, headline=a.headline, outlet=a.press, date=a.date, url=a.url) for a in cluster.articles]
            yield f"cluster/{cluster.id}+headlines", titled, 1500
    else:
        print(f"clusters skipped: {clusters} not found", file=sys.stderr)


def briefing_record(articles, max_chars: int) -> dict:
    """The briefing as compared: ``Briefing.to_dict()`` without timings."""
    data = summarize(articles, max_chars=max_chars).to_dict()
    del data["timings"]
    return data


def digest(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def write(out: Path, dev: Path, clusters: Path) -> None:
    with out.open("w", encoding="utf-8") as f:
        for name, articles, max_chars in inputs(dev, clusters):
            f.write(json.dumps({"name": name, "briefing": briefing_record(articles, max_chars)}, ensure_ascii=False) + "\n")


def snapshot_inputs(clusters: Path = DATA / "ko-news-clusters-dev.jsonl") -> Iterator[tuple[str, object, int]]:
    """The inputs of the snapshot: the seeds and every SNAPSHOT_STEP-th dev cluster."""
    return inputs(None, clusters, SNAPSHOT_STEP)


def write_snapshot(clusters: Path) -> None:
    digests = {name: digest(briefing_record(articles, max_chars)) for name, articles, max_chars in snapshot_inputs(clusters)}
    SNAPSHOT.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(digests)} briefings -> {SNAPSHOT}")


def load(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as f:
        return {row["name"]: row["briefing"] for row in map(json.loads, f)}


def compare(before: Path, after: Path, show: int = 5) -> bool:
    """Print how many briefings are identical and the first differing ones; True if all are."""
    old, new = load(before), load(after)
    names = sorted(old.keys() | new.keys())
    differ = [n for n in names if old.get(n) != new.get(n)]
    print(f"identical on {len(names) - len(differ)} of {len(names)}")
    for name in differ[:show]:
        a = [b["text"] for s in old.get(name, {}).get("sections", []) for b in s["bullets"]]
        b = [b["text"] for s in new.get(name, {}).get("sections", []) for b in s["bullets"]]
        print(f"\n{name}: {'same bullet texts, other fields differ' if a == b else 'bullets differ'}")
        for line in sorted(set(a) ^ set(b)):
            print(("- " if line in a else "+ ") + line)
    return not differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the briefings to a JSONL")
    w.add_argument("out", type=Path)
    w.add_argument("--dev", type=Path, default=DATA / "ko-news-dev.jsonl")
    w.add_argument("--clusters", type=Path, default=DATA / "ko-news-clusters-dev.jsonl")
    c = sub.add_parser("compare", help="compare two such files")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    n = sub.add_parser("snapshot", help=f"write {SNAPSHOT.relative_to(REPO)}")
    n.add_argument("--clusters", type=Path, default=DATA / "ko-news-clusters-dev.jsonl")
    args = parser.parse_args()
    if args.command == "write":
        write(args.out, args.dev, args.clusters)
    elif args.command == "snapshot":
        write_snapshot(args.clusters)
    else:
        sys.exit(0 if compare(args.before, args.after) else 1)


if __name__ == "__main__":
    main()
