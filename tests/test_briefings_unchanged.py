"""The briefings of the seeds and of a sample of the dev clusters are the ones the snapshot
recorded, bullet for bullet: a speed-up must not change them. After a change meant to alter
briefings, record them again with `python benchmarks/compare_briefings.py snapshot` (and see
what changed with its `write` and `compare`)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("compare_briefings", REPO / "benchmarks" / "compare_briefings.py")
compare_briefings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_briefings)

RECORDED = json.loads(compare_briefings.SNAPSHOT.read_text(encoding="utf-8"))
HINT = "python benchmarks/compare_briefings.py snapshot, if the change was meant to alter briefings"


def _changed(wanted) -> list[str]:
    return [
        name for name, articles, max_chars in compare_briefings.snapshot_inputs() if wanted(name)
        and RECORDED.get(name) != compare_briefings.digest(compare_briefings.briefing_record(articles, max_chars))
    ]


def test_the_seed_briefings_are_unchanged():
    assert {"seeds", "seeds@500"} <= RECORDED.keys()
    assert not _changed(lambda name: name.startswith("seeds")), HINT


@pytest.mark.slow
def test_a_sample_of_dev_cluster_briefings_is_unchanged():
    if not (compare_briefings.DATA / "ko-news-clusters-dev.jsonl").exists():
        pytest.skip("../shared/data/ko-news-clusters-dev.jsonl is not here")
    names = [name for name, _, _ in compare_briefings.snapshot_inputs() if name.startswith("cluster/")]
    assert len(names) == 44 and set(names) <= RECORDED.keys()
    changed = _changed(lambda name: name.startswith("cluster/"))
    assert not changed, f"{len(changed)} of 44 changed ({', '.join(changed[:5])}): {HINT}"
