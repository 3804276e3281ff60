"""Reading the batch's output records in tests (shared by the batch, pool and Ray tests)."""
from __future__ import annotations

import json
from pathlib import Path


def read_records(path: Path) -> list[dict]:
    """The records of an output file; strict UTF-8: every byte must decode."""
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").split("\n") if line]


def without_timings(records: list[dict]) -> list[dict]:
    """A copy of the records without the briefings' timings (the one field that differs per run)."""
    records = json.loads(json.dumps(records))
    for record in records:
        record.get("briefing", {}).pop("timings", None)
    return records
