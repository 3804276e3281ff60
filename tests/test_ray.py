"""The Ray Data backend on a real local Ray (2 CPUs) and a real two-node cluster on loopback
addresses: the same records as one process, work on both nodes, error records for bad items,
and exactly one record per id after a killed worker or a killed and rerun driver."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the ray extra is not installed (pip install -e '.[ray]')")

from records import read_records, without_timings
from ray_cluster import Cluster, kill, ray_env  # noqa: E402

from summarizer.cli import main  # noqa: E402
from summarizer.ray_reaper import family  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def describe(pids: list[int]) -> list[str]:
    """State, command line and Ray-reaper marker of each process, for a failure message."""
    described = []
    for pid in pids:
        proc = Path(f"/proc/{pid}")
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120]
            reaped = b"KO_BRIEF_LOCAL_RAY=" in (proc / "environ").read_bytes()
        except OSError:
            continue
        described.append(f"{pid} {state} reaper-marked={reaped} {command}")
    return described


def driver_env(**extra: str) -> dict[str, str]:
    env = ray_env(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1", **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env.pop("RAY_ADDRESS", None)
    return env


@contextmanager
def driver_until(command: list[str], out: Path, log_path: Path, records: int = 2, timeout: float = 300,
                 env: dict[str, str] | None = None):
    """A driver run of ``command``, handed over once ``out`` holds ``records`` lines (it is mid-run);
    killed and reaped at the end if it still runs."""
    with open(log_path, "wb") as log:
        driver = subprocess.Popen(command, cwd=REPO, env=env or driver_env(), stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while not (out.exists() and out.read_bytes().count(b"\n") >= records):
                assert driver.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, f"no record within {timeout:.0f} s"
                time.sleep(0.01)
            yield driver
        finally:
            if driver.poll() is None:
                driver.kill()
            driver.wait(timeout=30)


@pytest.fixture(scope="module")
def batch_input(seed_articles: list[str], tmp_path_factory) -> tuple[Path, list[dict], list[str]]:
    """A JSONL of good and bad items, and the records one process writes for it."""
    folder = tmp_path_factory.mktemp("ray-input")
    source = folder / "in.jsonl"
    lines = []
    for i in range(36):  # every non-empty run of the five seeds, some twice
        k, start = 1 + i % 4, i % 5
        lines.append(json.dumps({"id": f"good{i:02d}", "articles": (seed_articles * 2)[start:start + k]},
                                ensure_ascii=False))
    lines[5] = json.dumps({"id": "empty", "articles": []})
    lines[11] = json.dumps({"id": "english", "articles": ["Only English here. Nothing Korean at all."]})
    lines[17] = "{not json"
    lines[23] = json.dumps({"id": "numbers", "articles": [1, 2]})
    lines[29] = json.dumps({"id": "lone\ud800", "articles": seed_articles[:1]})
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = folder / "reference.jsonl"
    assert main(["summarize", str(source), "--out", str(reference)]) == 1
    records = read_records(reference)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 36
    assert sum(not r["ok"] for r in records) >= 4  # empty, english, not json, numbers
    return source, records, ids


def run_cli(args: list[str], out: Path, timeout: float = 400) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "summarizer", "summarize", *args, "--out", str(out)]
    return subprocess.run(command, cwd=REPO, env=driver_env(), capture_output=True, text=True, timeout=timeout)


def assert_quiet(stderr: str) -> None:
    """Only the batch's own lines reach the terminal: no traceback, no worker or Ray log lines."""
    assert "Traceback" not in stderr and "RAY_BACKEND_LOG_LEVEL" not in stderr
    for line in stderr.splitlines():
        assert not line.startswith("(") and " E " not in line[:40] and "WARNING" not in line, line


def test_the_log_level_notice_is_dropped_and_every_other_line_passed_on(capfd):
    from summarizer.ray_backend import without_log_level_notice

    with without_log_level_notice():
        os.write(2, b"[2026-12-06 05:56:52,690 I 1 1] logging.cc:303: Set ray log level from environment "
                    b"variable RAY_BACKEND_LOG_LEVEL to 3\n")
        os.write(2, "다른 오류 줄\n".encode())
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "다른 오류 줄\nafter\n"


def test_local_ray_continues_a_single_process_output_and_matches_it(batch_input, tmp_path: Path):
    source, reference, ids = batch_input
    out = tmp_path / "out.jsonl"
    first = tmp_path / "first.jsonl"  # the first 10 items, briefed by one process
    first.write_text("".join(source.read_text(encoding="utf-8").splitlines(True)[:10]), encoding="utf-8")
    assert main(["summarize", str(first), "--out", str(out)]) == 1
    for record in read_records(out):  # the fallback id of a bad line names its file
        assert not record["id"].startswith("first.jsonl:")

    result = run_cli([str(source), "--ray", "--workers", "2"], out)
    assert result.returncode == 1, result.stderr  # the bad items failed
    assert result.stdout == ""
    assert_quiet(result.stderr)
    assert "이미 처리된 10건을 건너뜁니다" in result.stderr
    assert "노드별 처리: 127.0.0.2 26건" in result.stderr  # local means the loopback node
    records = read_records(out)
    assert without_timings(records) == without_timings(reference)
    assert [r["id"] for r in records if not r["ok"]] == [r["id"] for r in reference if not r["ok"]]

    again = run_cli([str(source), "--ray"], out)  # a rerun is a no-op, whichever the backend
    assert again.returncode == 1 and "이미 처리된 36건" in again.stderr
    assert read_records(out) == records


def test_local_ray_driver_killed_mid_run_leaves_no_process_and_rerun_writes_every_id_once(
    batch_input, tmp_path: Path
):
    source, reference, ids = batch_input
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out), "--ray"]
    # Every process the driver starts inherits this marker, whatever group or parent it ends under.
    marker = f"KO_BRIEF_TEST_RUN={uuid.uuid4().hex}"
    reaper_log = tmp_path / "reaper.log"
    env = driver_env(**dict([marker.split("=")]), KO_BRIEF_REAPER_LOG=str(reaper_log))
    with driver_until(command, out, tmp_path / "stderr.txt", records=3, env=env) as driver:
        # The Ray core and the workers carry the marker; the agents, whose title hides their
        # environment, are found as their descendants (as the reaper finds them).
        ray_processes = family(marker.encode(), {})
        assert len(ray_processes) >= 5
        driver.kill()  # SIGKILL: no cleanup, no flush
    killed_at = time.monotonic()
    # The local Ray the killed driver started ends with it: every process, within 20 s (the reaper
    # follows it at most 10 s, then waits 2 s of quiet; a loaded machine is slow to end processes).
    while time.monotonic() < killed_at + 20 and family(marker.encode(), ray_processes):
        time.sleep(0.2)
    left = list(family(marker.encode(), ray_processes))
    survivors = describe(left)
    kill(left)
    reaped = reaper_log.read_text(errors="replace") if reaper_log.exists() else "(no reaper log)"
    assert not left, f"Ray processes outlived their killed driver: {survivors}; the reaper's log:\n{reaped}"
    assert "killed" in reaped and reaped.rstrip().endswith("done"), reaped
    written = out.read_bytes().count(b"\n")
    assert 3 <= written < len(ids), "the kill should land mid-run"
    rerun = subprocess.run(command, cwd=REPO, env=driver_env(), capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 1, rerun.stderr
    assert f"이미 처리된 {written}건" in rerun.stderr or "마지막 줄을 정리했습니다" in rerun.stderr
    records = read_records(out)  # every line whole, valid JSON
    assert sorted(r["id"] for r in records) == sorted(ids)
    by_id = {r["id"]: r for r in without_timings(records)}
    assert [by_id[i] for i in ids] == without_timings(reference)


def test_cluster_address_that_does_not_answer_is_a_clear_error_at_once(batch_input, tmp_path: Path):
    source, _, _ = batch_input
    out = tmp_path / "out.jsonl"
    for address, message in [("127.0.0.9:9", "Ray 클러스터에 연결할 수 없습니다"), ("nohost", "HOST:PORT")]:
        result = run_cli([str(source), "--ray-address", address], out, timeout=120)
        assert result.returncode == 2 and message in result.stderr
        assert "Traceback" not in result.stderr and not out.exists()


@pytest.fixture(scope="module")
def cluster():
    """A head node on 127.0.0.2 and a worker node on 127.0.0.3, one CPU each, started with
    `ray start` and without this checkout on their path: the driver ships the package."""
    with Cluster(cpus_per_node=1, workers=1) as running:
        yield running


def test_two_node_cluster_matches_single_process_and_uses_both_nodes(batch_input, cluster, tmp_path: Path):
    source, reference, ids = batch_input
    out = tmp_path / "out.jsonl"
    result = run_cli([str(source), "--ray-address", cluster.address, "--workers", "2"], out)
    assert result.returncode == 1, result.stderr
    assert_quiet(result.stderr)
    tally = next(line for line in result.stderr.splitlines() if "노드별 처리" in line)
    counts = dict(part.rsplit(" ", 1) for part in tally.split(": ", 1)[1].split(", "))
    assert set(counts) == {"127.0.0.2", "127.0.0.3"}, result.stderr  # both nodes did work
    assert sum(int(c.rstrip("건")) for c in counts.values()) == len(ids)
    assert without_timings(read_records(out)) == without_timings(reference)


def test_worker_process_killed_mid_run_changes_nothing(batch_input, cluster, tmp_path: Path):
    source, reference, ids = batch_input
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out),
               "--ray-address", cluster.address, "--workers", "2"]
    with driver_until(command, out, tmp_path / "stderr.txt") as driver:
        victims = cluster.workers()
        assert victims, "no Ray Data worker process found"
        kill(victims[:1])  # SIGKILL one actor's worker process mid-run
        written = out.read_bytes().count(b"\n")
        assert driver.wait(timeout=400) == 1, (tmp_path / "stderr.txt").read_text()
    assert written < len(ids), "the kill should land mid-run"
    assert without_timings(read_records(out)) == without_timings(reference)


def test_two_runs_on_one_output_never_both_write(batch_input, tmp_path: Path):
    source, reference, ids = batch_input
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out), "--ray"]
    with open(tmp_path / "stderr.txt", "wb") as log:
        first = subprocess.Popen(command, cwd=REPO, env=driver_env(), stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while not out.exists():  # opened only once the first run holds the lock
                assert time.monotonic() < deadline and first.poll() is None
                time.sleep(0.01)
            second = subprocess.run([sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out)],
                                    cwd=REPO, env=driver_env(), capture_output=True, text=True, timeout=120)
            assert first.wait(timeout=400) == 1
        finally:
            if first.poll() is None:
                first.kill()
    assert second.returncode == 2 and "이미 이 출력 파일에 쓰고 있습니다" in second.stderr
    assert without_timings(read_records(out)) == without_timings(reference)


def longer_input(batch_input: tuple[Path, list[dict], list[str]], folder: Path, times: int = 4):
    """The batch input with its good items ``times`` over in all (new ids) and their records: so
    many that the run is surely still going when a node is taken away (records come in input order,
    and 36 items may all be briefed before the kill lands)."""
    source, reference, ids = batch_input
    done = {r["id"]: r for r in reference}
    given = source.read_text(encoding="utf-8").splitlines()
    lines, records = list(given), list(reference)
    for again in range(1, times):
        for line in given:
            item = json.loads(line) if line.startswith("{\"id\": \"good") else None
            if item is not None:
                records.append({**done[item["id"]], "id": f"{item['id']}-{again}"})
                lines.append(json.dumps({**item, "id": f"{item['id']}-{again}"}, ensure_ascii=False))
    longer = folder / source.name  # the same name: a bad line's id names its file
    longer.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return longer, records, [r["id"] for r in records]


def test_node_lost_mid_run_then_at_most_one_rerun_gives_every_id_once(batch_input, cluster, tmp_path: Path):
    """Last in this module: it adds a node to the cluster and takes one away."""
    source, reference, ids = longer_input(batch_input, tmp_path)
    cluster.start_node("127.0.0.4")
    cluster.wait_for_nodes(3)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out),
               "--ray-address", cluster.address, "--workers", "2"]
    with driver_until(command, out, tmp_path / "stderr.txt") as driver:
        # A worker node that holds an actor goes away at once: its raylet and workers killed.
        lost = next(ip for ip in ("127.0.0.3", "127.0.0.4") if set(cluster.workers()) & set(cluster.node_pids(ip)))
        kill(cluster.node_pids(lost))
        written = out.read_bytes().count(b"\n")
        code = driver.wait(timeout=400)
    assert written < len(ids), "the node should be lost mid-run"
    assert code in (1, 2), (tmp_path / "stderr.txt").read_text()
    if code == 2:  # the run gave up: one rerun finishes it
        assert "다시 실행하면 이어서 처리합니다" in (tmp_path / "stderr.txt").read_text()
        rerun = subprocess.run(command, cwd=REPO, env=driver_env(), capture_output=True, text=True, timeout=400)
        assert rerun.returncode == 1, rerun.stderr
    assert without_timings(read_records(out)) == without_timings(reference)
