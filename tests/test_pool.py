"""`ko-brief summarize --workers N` without Ray: a pool of local processes gives the same records
as one process, a killed worker loses nothing, and a killed and rerun driver writes every id once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from records import read_records, without_timings
from ray_cluster import descendants, kill, marked
from summarizer.cli import main

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def items(seed_articles: list[str], tmp_path_factory) -> tuple[Path, list[dict]]:
    """A JSONL of 30 items (runs of the seed pages, and three bad ones) and the records one
    process writes for it."""
    folder = tmp_path_factory.mktemp("pool-input")
    lines = [json.dumps({"id": f"item{i:02d}", "articles": (seed_articles * 2)[i % 5:i % 5 + 2 + i % 3]},
                        ensure_ascii=False) for i in range(30)]
    lines[4] = json.dumps({"id": "empty", "articles": []})
    lines[13] = json.dumps({"id": "english", "articles": ["Only English here. Nothing Korean at all."]})
    lines[22] = "{not json"
    source = folder / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = folder / "reference.jsonl"
    assert main(["summarize", str(source), "--out", str(reference)]) == 1
    return source, without_timings(read_records(reference))


def test_two_workers_write_the_same_records_as_one_process(items, tmp_path: Path, capsys):
    source, reference = items
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out), "--workers", "2"]) == 1
    assert without_timings(read_records(out)) == reference  # same records, in input order
    err = capsys.readouterr().err
    assert "완료: 성공 27건, 실패 3건 (전체 30건)" in err and "Traceback" not in err


def test_killed_worker_loses_nothing_and_killed_driver_reruns_to_every_id_once(items, tmp_path: Path):
    source, reference = items
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out), "--workers", "2"]
    marker = f"KO_BRIEF_TEST_RUN={uuid.uuid4().hex}"  # inherited by every process the driver starts
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", marker.split("=")[0]: marker.split("=")[1]}

    def wait_for(records: int, driver: subprocess.Popen) -> None:
        deadline = time.monotonic() + 300
        while not (out.exists() and out.read_bytes().count(b"\n") >= records):
            assert driver.poll() is None, (tmp_path / "stderr.txt").read_text()
            assert time.monotonic() < deadline, f"fewer than {records} records within 300 s"
            time.sleep(0.01)

    with open(tmp_path / "stderr.txt", "wb") as log:
        driver = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for(2, driver)
            # The pool's workers are the grandchildren of the driver (children of its forkserver).
            forkserver = next(p for p in descendants(driver.pid) if descendants(p))
            kill(descendants(forkserver)[:1])  # SIGKILL one worker mid-run
            wait_for(10, driver)  # the run goes on on a new pool
            driver.send_signal(signal.SIGKILL)
            driver.wait(timeout=30)
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.wait(timeout=30)
    assert "작업자 프로세스가 중단되어" in (tmp_path / "stderr.txt").read_text()
    written = out.read_bytes().count(b"\n")
    assert written < len(reference), "the driver's kill should land mid-run"
    deadline = time.monotonic() + 10  # the pool ends with its driver
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = marked(marker)
    kill(left)
    assert not left, "pool processes outlived their killed driver"

    rerun = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 1, rerun.stderr
    assert f"이미 처리된 {written}건" in rerun.stderr or "마지막 줄을 정리했습니다" in rerun.stderr
    records = without_timings(read_records(out))
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in reference)  # every id once
    by_id = {r["id"]: r for r in records}
    assert [by_id[r["id"]] for r in reference] == reference
