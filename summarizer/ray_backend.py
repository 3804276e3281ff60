"""The Ray Data backend of `ko-brief summarize` (``--ray``, ``--ray-address``, ``--workers``).

Items are read as a stream by one read task on the driver's node (the input files need to be on
that machine only), briefed by a pool of actors that each load Kiwi (and KoBART) once, and come
back to the driver, which writes the records through summarizer.batch exactly as the
single-process loop does: same output file, resume, lock and exit statuses.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import uuid
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import ray
from tqdm import tqdm
from ray.data import Datasource, ReadTask
from ray.data.block import BlockMetadata

import summarizer
from summarizer import batch
from summarizer.batch import BatchOptions, Item, UsageError

# Ray rewrites 127.0.0.1 and localhost to the machine's interface address, so traffic would leave
# loopback; other 127.0.0.0/8 addresses it keeps. A local run binds every Ray process here.
LOCAL_NODE_IP = "127.0.0.2"
READ_CPUS = 0.25  # the read task is light; a whole CPU for it would starve the actors on 2 cores
ACTOR_CPUS = 0.5  # at most; whole-CPU actors on a 2-CPU machine leave the read task no room
ROWS_PER_BLOCK = 8  # small blocks: the pool shares the work evenly, to the last items
BATCH_SIZE = 4  # items per actor call
ACTOR_START_S = 600  # how long the pool may take to start (Kiwi loads in each actor)
LOCAL_OBJECT_STORE = 256 * 1024**2  # a local Ray's object store (Ray's default: 30% of RAM); blocks need little
MAX_BLOCK_BYTES = 256 * 1024  # blocks of a few items of text (Ray's default target: 128 MiB)
EXECUTOR_OBJECT_STORE = 64 * 1024**2  # blocks in flight at once, so the read cannot run far ahead of the actors


def _item_json(item: Item) -> str:
    """An item as ASCII JSON (lone surrogates escaped), the form it travels in between nodes."""
    return json.dumps({"id": item.id, "articles": item.articles, "error": item.error, "meta": item.meta})


def _item_of(text: str) -> Item:
    data = json.loads(text)
    return Item(data["id"], data["articles"], tuple(data["error"]) if data["error"] else None, data["meta"])


class ItemSource(Datasource):
    """The items still to do, read on the driver's node as a stream of small blocks."""

    def __init__(self, options: BatchOptions, done: set[str], cwd: str):
        self.inputs, self.per_file, self.done, self.cwd = list(options.inputs), options.per_file, done, cwd

    @property
    def supports_distributed_reads(self) -> bool:
        return False  # so Ray reads on the driver's node, where the input files are

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None, data_context=None):
        def read() -> Iterator[pa.Table]:
            rows: list[str] = []
            for item in batch.iter_items(self.inputs, self.per_file, self.cwd):
                if item.id not in self.done:
                    rows.append(_item_json(item))
                if len(rows) == ROWS_PER_BLOCK:
                    yield pa.table({"item": rows})
                    rows = []
            if rows:
                yield pa.table({"item": rows})

        metadata = BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None, input_files=None)
        return [ReadTask(read, metadata, per_task_row_limit=per_task_row_limit)]


class Briefer:
    """One actor of the pool: Kiwi (and the KoBART engine) loaded once, then items to records."""

    def __init__(self, method: str, max_chars: int, device: str | None, kiwi_threads: int | None):
        from summarizer.korean import warm_up
        from summarizer.pipeline import require_engine

        warm_up(kiwi_threads)  # Kiwi's load and first-call warm-up, once per actor
        self.method, self.max_chars = method, max_chars
        self.kobart = None
        if method == "kobart":
            from summarizer.abstractive import KobartOptions

            self.kobart = KobartOptions(device=device or "cpu")
        require_engine(method, self.kobart)
        self.node = ray.util.get_node_ip_address()

    def __call__(self, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        lines = [
            batch.record_line(batch.run_item(_item_of(text), self.method, self.max_chars, self.kobart)).decode()
            for text in rows["item"]
        ]
        return {"record": np.array(lines, dtype=object), "node": np.array([self.node] * len(lines), dtype=object)}


def _reachable(address: str) -> str:
    """The host of a cluster address ``HOST:PORT`` that answers; a UsageError at once otherwise
    (Ray itself would retry for minutes)."""
    try:
        parts = urlsplit(f"//{address}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise UsageError(f"Ray 클러스터 주소는 HOST:PORT 형식이어야 합니다: {address}")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise UsageError(
            f"Ray 클러스터에 연결할 수 없습니다: {address} ({exc.strerror or exc}). "
            "`ray start --head`가 알려 준 주소인지 확인해 주세요."
        ) from None
    return host


@contextmanager
def without_log_level_notice() -> Iterator[None]:
    """Ray's C++ core announces on the process's stderr (file descriptor 2, below sys.stderr) that
    it read RAY_BACKEND_LOG_LEVEL, an INFO line on every start; during ``ray.init`` that line is
    dropped and whatever else reaches file descriptor 2 is passed on afterwards."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode(errors="replace").splitlines(keepends=True):
                if "RAY_BACKEND_LOG_LEVEL" not in line:
                    sys.stderr.write(line)


REAPER_LOG = "KO_BRIEF_REAPER_LOG"  # a file for the reaper's account of what it killed (tests read it)


def start_reaper() -> tuple[subprocess.Popen, tuple[str, str]] | None:
    """The reaper of a local Ray about to start (summarizer/ray_reaper.py) and the environment
    variable (name, value) to start the Ray with: it kills those processes once this one is gone
    (or closes its pipe). None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    name, value = "KO_BRIEF_LOCAL_RAY", uuid.uuid4().hex
    script = str(Path(__file__).with_name("ray_reaper.py"))
    log = os.environ.get(REAPER_LOG)  # what it did, for tests: where the reaper's stderr goes
    with open(log or os.devnull, "ab") as stderr:
        reaper = subprocess.Popen([sys.executable, "-I", script, f"{name}={value}"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    return reaper, (name, value)


class RayBackend:
    """A batch backend (summarizer.batch.Backend) that runs on a local Ray or a Ray cluster; its
    actors are of the class ``briefer`` (rows of item JSON in, rows of record lines out)."""

    briefer: type = Briefer

    def __init__(self, address: str | None = None, workers: int | None = None):
        self.address, self.workers = address, workers
        self._reaper: subprocess.Popen | None = None

    def __call__(self, items: Iterator[Item], options: BatchOptions, done: set[str]) -> Iterator[dict]:
        items.close()  # the items are read by the read task on this node, not by the driver
        self._start()  # now, so a cluster that cannot be reached fails before any output
        return self._run(options, done)

    def _run(self, options: BatchOptions, done: set[str]) -> Iterator[dict]:
        try:
            yield from self._records(options, done)
        except ray.exceptions.RayError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(
                f"Ray 실행이 중단되었습니다 ({type(exc).__name__}: {first}). 기록된 결과는 남아 있으며, "
                "같은 명령을 다시 실행하면 이어서 처리합니다."
            ) from exc
        finally:
            ray.shutdown()
            self._stop_reaper()

    def _stop_reaper(self) -> None:
        """Close the reaper's pipe: it kills what a shut-down local Ray left, then ends."""
        if self._reaper is not None:
            self._reaper.stdin.close()
            self._reaper.wait(timeout=30)
            self._reaper = None

    def _start(self) -> None:
        # Ray's C++ core logs to stderr (e.g. a warning about every restartable Ray Data actor);
        # the user sees the batch's progress, and Ray's own logs stay in its log folder.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        common = dict(
            include_dashboard=False,
            log_to_driver=False,  # workers' output stays in Ray's log files
            logging_level=logging.ERROR,
            configure_logging=True,
        )
        try:
            if self.address is None:
                # the CPUs this process may use (sched_getaffinity is Linux-only)
                cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
                self._init_local(cpus, common)
            else:
                host = _reachable(self.address)
                # A driver beside a cluster on loopback addresses joins it on that address.
                node_ip = {"_node_ip_address": host} if host.startswith("127.") else {}
                # The driver's own summarizer goes to the workers, so every node runs the same code.
                runtime_env = {"py_modules": [str(Path(summarizer.__file__).parent)]}
                with without_log_level_notice():
                    ray.init(address=self.address, runtime_env=runtime_env, **node_ip, **common)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            self._stop_reaper()
            raise UsageError(f"Ray를 시작하거나 클러스터({self.address})에 연결할 수 없습니다: {exc}") from exc
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the batch shows its own progress
        context.print_on_execution_start = False
        context.enable_auto_log_stats = False
        context.execution_options.preserve_order = True  # records in input order, as one process writes
        context.target_max_block_size = MAX_BLOCK_BYTES
        context.execution_options.resource_limits = ray.data.ExecutionResources.for_limits(
            object_store_memory=EXECUTOR_OBJECT_STORE
        )
        context.wait_for_min_actors_s = ACTOR_START_S  # work starts when the whole pool is up, so
        # the first actor ready does not queue up the work of the others
        logging.getLogger("ray").setLevel(logging.ERROR)
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        # Fewer blocks than actors (a small input) is fine: the rest of the pool idles.
        warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)

    def _init_local(self, cpus: int, common: dict) -> None:
        """Start a local Ray on loopback whose processes all end with this one (see start_reaper),
        its workers at normal CPU priority: Ray lowers them (niceness 15) by default, so on a
        shared machine any other work starves them. Ray's processes read both settings from the
        environment they are started in."""
        started = start_reaper()
        settings = {"RAY_worker_niceness": "0"}
        if started is not None:
            self._reaper, (name, value) = started
            settings[name] = value
        saved = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            with without_log_level_notice():
                ray.init(address="local", num_cpus=cpus, object_store_memory=LOCAL_OBJECT_STORE,
                         _node_ip_address=LOCAL_NODE_IP, **common)
        finally:  # Ray's processes have them; what this process starts later needs them not
            for name, value in saved.items():
                if value is None:
                    del os.environ[name]
                else:
                    os.environ[name] = value

    def _records(self, options: BatchOptions, done: set[str]) -> Iterator[dict]:
        resources = ray.cluster_resources()
        cpus, gpus = resources.get("CPU", 1.0), resources.get("GPU", 0.0)
        on_gpu = options.method == "kobart" and gpus >= 1
        size = self.workers or max(1, int(gpus if on_gpu else cpus))
        actor_cpus = min(ACTOR_CPUS, max(0.05, (cpus - READ_CPUS) / size))
        # Actors that share a machine take one Kiwi thread each; an actor alone on its node, all.
        kiwi_threads = 1 if size > sum(node["Alive"] for node in ray.nodes()) else None
        dataset = ray.data.read_datasource(
            ItemSource(options, done, os.getcwd()), num_cpus=READ_CPUS,
            override_num_blocks=1,  # one read task, its blocks as it yields them (not split further)
        ).map_batches(
            self.briefer,
            fn_constructor_kwargs={"method": options.method, "max_chars": options.max_chars,
                                   "device": "cuda" if on_gpu else None, "kiwi_threads": kiwi_threads},
            batch_size=BATCH_SIZE,
            compute=ray.data.ActorPoolStrategy(size=size, max_tasks_in_flight_per_actor=2),
            num_cpus=actor_cpus,
            num_gpus=1 if on_gpu else 0,
            # Ray Data's actor pools restart a killed actor and run its batches again
            # (max_restarts=-1, max_task_retries=-1 by default); the driver writes each id once.
        )
        nodes: Counter[str] = Counter()
        for row in dataset.iter_rows():
            nodes[row["node"]] += 1
            yield json.loads(row["record"])
        if nodes:
            where = ", ".join(f"{node} {count}건" for node, count in sorted(nodes.items()))
            tqdm.write(f"Ray 작업자 {size}개, 노드별 처리: {where}", file=sys.stderr)  # above the progress bar
