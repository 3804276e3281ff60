"""Write the extractive briefings of the seeds, the dev set and the dev clusters to a JSONL, or
compare two such files: the check that a speed-up changed no output.

    python benchmarks/compare_briefings.py write before.jsonl [--dev DEV.jsonl] [--clusters CLUSTERS.jsonl]
    python benchmarks/compare_briefings.py compare before.jsonl after.jsonl

One line per input: its name and the whole briefing (``Briefing.to_dict()`` without timings:
events, every bullet's text, sources, support, score and modality, notes, removed lines). The
inputs: the five seed pages (default budget and 500 characters), each dev-set article alone, and
each cluster as `ko-brief evaluate-clusters` gives it (bodies with press, date and URL) and again
with its headlines. The data files default to ../shared/data next to the project; a missing one
is skipped with a message. ``compare`` prints "identical on N of M" and the first differences.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from summarizer import Article, evaluate, summarize

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
DATA = REPO.parent / "shared" / "data"


def inputs(dev: Path, clusters: Path) -> Iterator[tuple[str, object, int]]:
    """(name, articles, max_chars) of every input compared."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    yield "seeds", seeds, 1500
    yield "seeds@500", seeds, 500
    if dev.exists():
        for k, record in enumerate(evaluate.load_records(dev)):
            yield f"dev/{k}", "\n".join(record.sentences), 1500
    else:
        print(f"dev set skipped: {dev} not found", file=sys.stderr)
    if clusters.exists():
        for cluster in evaluate.load_clusters(clusters):
            bodies = [Article(a.text, outlet=a.press, date=a.date, url=a.url) for a in cluster.articles]
            yield f"cluster/{cluster.id}", bodies, 1500
            titled = [Article(a.text, headline=a.headline, outlet=a.press, date=a.date, url=a.url) for a in cluster.articles]
            yield f"cluster/{cluster.id}+headlines", titled, 1500
    else:
        print(f"clusters skipped: {clusters} not found", file=sys.stderr)


def write(out: Path, dev: Path, clusters: Path) -> None:
    with out.open("w", encoding="utf-8") as f:
        for name, articles, max_chars in inputs(dev, clusters):
            data = summarize(articles, max_chars=max_chars).to_dict()
            del data["timings"]
            f.write(json.dumps({"name": name, "briefing": data}, ensure_ascii=False) + "\n")


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
    args = parser.parse_args()
    if args.command == "write":
        write(args.out, args.dev, args.clusters)
    else:
        sys.exit(0 if compare(args.before, args.after) else 1)


if __name__ == "__main__":
    main()
