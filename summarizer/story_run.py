"""The `ko-brief stories` run: read the feed, group it (from the saved state), brief each story in
the batch core (resume, the output lock, per-item errors, progress, the local, pool and Ray
backends all as for `ko-brief summarize`), then write the digest and save the state.

The grouping is sequential and cheap; the briefings are the batch's items. They travel as a JSONL
of items (``{"id": story id, "articles": [...], "meta": {title, dates, outlets, ids, URLs, rank}}``,
bad feed lines as ``{"id": "FILE:LINE", "error": {...}}``) in the state folder (or a temporary
one), so every backend reads them as it reads any input.

The state folder holds ``state.json``: the grouper's state after the last finished run, and the
state that run started from with a signature of its inputs and output. A run that is killed
saves nothing, so its rerun groups the same way and the batch resumes; a finished run given again
(same inputs, same output) starts from the same state as before, so nothing is briefed twice.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from summarizer import batch
from summarizer.digest import Story, group
from summarizer.feed import BadLine, FeedArticle, read_feed
from summarizer.stories import StoryGrouper

STATE_FILE = "state.json"
ITEMS_FILE = "items.jsonl"


def signature(inputs: Sequence[str], out: str) -> str:
    """What identifies a run: its inputs (path, size, modification time) and its output path."""
    parts = [str(Path(out).resolve())]
    for raw in inputs:
        path = Path(raw)
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        parts += [f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files if f.is_file()]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def starting_state(folder: Path | None, run: str) -> dict | None:
    """The grouper state this run starts from: the saved one, or, for a finished run given again,
    the one that run started from."""
    if folder is None or not (folder / STATE_FILE).exists():
        return None
    saved = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    return saved["before"] if saved.get("run") == run else saved["grouper"]


def save_state(folder: Path, run: str, before: dict | None, grouper: StoryGrouper) -> None:
    """Write the state file whole (a temporary file renamed over it)."""
    data = {"run": run, "before": before if before is not None else StoryGrouper().to_state(),
            "grouper": grouper.to_state()}
    temporary = folder / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / STATE_FILE)


def item_lines(stories: Sequence[Story], bad: Sequence[BadLine]) -> list[str]:
    """The batch items: the stories in rank order, then the feed's bad lines."""
    lines = [
        {"id": story.id, "meta": {"rank": rank, **story.meta()},
         "articles": [{"text": a.text, "headline": a.headline, "outlet": a.outlet, "date": a.date, "url": a.url}
                      for a in story.articles]}
        for rank, story in enumerate(stories, 1)
    ]
    lines += [{"id": line.where, "error": {"type": "InputError", "message": line.message}} for line in bad]
    return [json.dumps(line, ensure_ascii=False) + "\n" for line in lines]


def digest_markdown(records: Sequence[dict]) -> str:
    """The stories of the records, by rank: heading, dates, outlets, articles, then the briefing;
    the bad lines at the end."""
    from summarizer.briefing import Briefing

    parts = []
    for record in sorted((r for r in records if "rank" in r), key=lambda r: r["rank"]):
        dates = " ~ ".join(dict.fromkeys(d for d in (record["first_date"], record["last_date"]) if d)) or "날짜 모름"
        outlets = ", ".join(record["outlets"]) or "매체 모름"
        body = (Briefing.from_dict(record["briefing"]).to_markdown() if record["ok"]
                else f"> 실패: {record['error']['message']}\n")
        parts.append(f"## {record['rank']}. {record['title'] or record['id']}\n\n"
                     f"{dates} · 기사 {record['article_count']}건 · 매체 {len(record['outlets'])}곳: {outlets}"
                     f" · 이야기 id {record['id']}\n\n{body}")
    bad = [r for r in records if "rank" not in r]
    if bad:
        parts.append("## 읽지 못한 줄\n\n" + "".join(f"- {r['id']}: {r['error']['message']}\n" for r in bad))
    return batch.escape_surrogates("\n".join(parts))


def run(inputs: Sequence[str], out: str, state_dir: str | None, markdown: str | None,
        brief: Callable[[str], int]) -> int:
    """Group the feed, brief the stories with ``brief(items_path)`` (the batch run on the items
    file, returning its exit status), write the digest, save the state. Returns the exit status."""
    batch.check_output_paths(inputs, [out, markdown])
    if markdown:
        batch.check_writable(Path(markdown))
    folder = Path(state_dir) if state_dir else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    run_id = signature(inputs, out)
    before = starting_state(folder, run_id)
    grouper = StoryGrouper() if before is None else StoryGrouper.from_state(before)
    entries, bad = [], []
    for entry in read_feed(inputs):
        (entries if isinstance(entry, FeedArticle) else bad).append(entry)
    found = group(entries, grouper)
    with ExitStack() as stack:
        work = folder if folder is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        items = work / ITEMS_FILE
        items.write_text("".join(item_lines(found, bad)), encoding="utf-8")
        status = brief(str(items))
    if markdown:
        wanted = {s.id for s in found} | {b.where for b in bad}
        records = [r for r in batch.iter_records(Path(out)) if str(r["id"]) in wanted]
        Path(markdown).write_text(digest_markdown(records), encoding="utf-8")
    if folder is not None:
        save_state(folder, run_id, before, grouper)
    return status
