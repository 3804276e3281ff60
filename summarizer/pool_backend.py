"""The local process pool of `ko-brief summarize --workers N` (no Ray): N processes on this
machine, each with Kiwi loaded once and its share of the cores, brief the items; the records
come back to this process, which writes them through summarizer.batch as the one-process loop
does (same output file, resume, lock, progress and exit statuses).

The pool is concurrent.futures' ProcessPoolExecutor on the 'forkserver' start method ('spawn'
where there is none): workers start clean, without a copy of this process's memory or threads.
A worker that dies (killed, out of memory) breaks the pool: records already made are kept, the
items that were in flight are briefed again one at a time on a new pool, and an item that brings
a worker down on its own gets an error record, so the run goes on.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from tqdm import tqdm

from summarizer import batch
from summarizer.batch import BatchOptions, Item

IN_FLIGHT_PER_WORKER = 2  # items handed out per worker: enough to keep it busy, few to redo
PARENT_CHECK_S = 0.5  # how often a worker checks that the parent process is still there
WORKER_DIED = "WorkerDied"  # the error type of an item whose worker died while briefing it alone


def _start_worker(threads: int, parent: int) -> None:
    """In each worker, once: Kiwi loaded with ``threads`` analysis threads and its first call made.
    Ctrl-C is for the parent, which ends the pool (workers would each print a traceback)."""
    from summarizer.korean import warm_up

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    # The KoBART engine (torch or CTranslate2, imported later, only for --method kobart) takes the
    # same share of the cores as Kiwi.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    warm_up(threads)


def _end_with(parent: int) -> None:
    """End this worker once the parent process is gone (even by kill -9): a worker waiting for its
    next item would wait forever, as it holds its queue's pipe itself."""
    while True:
        time.sleep(PARENT_CHECK_S)
        try:
            os.kill(parent, 0)
        except (ProcessLookupError, PermissionError):  # gone (or its pid taken by another user)
            os._exit(1)


def _made(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class PoolBackend:
    """A batch backend (summarizer.batch.Backend) on ``workers`` local processes; ``task`` makes
    one item's record in a worker (a module-level function, so it can be sent there)."""

    def __init__(self, workers: int, task: Callable[[Item, BatchOptions], dict] = batch.brief):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        self.workers, self.task = workers, task
        self.threads = max(1, cores // workers)  # N workers on N cores: one Kiwi thread each

    def __call__(self, items: Iterator[Item], options: BatchOptions, done: set[str]) -> Iterator[dict]:
        return self._records(items, options)

    def _pool(self) -> ProcessPoolExecutor:
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            # The fork server imports the code once; its workers share those pages (less memory,
            # and a new worker after a crash starts sooner). Kiwi itself loads in each worker.
            context.set_forkserver_preload(["summarizer.batch", "kiwipiepy"])
        else:
            context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context,
                                   initializer=_start_worker, initargs=(self.threads, os.getpid()))

    def _records(self, items: Iterator[Item], options: BatchOptions) -> Iterator[dict]:
        """The records in input order, at most IN_FLIGHT_PER_WORKER items per worker ahead."""
        pool = self._pool()
        window: deque[tuple[Item, Future]] = deque()
        try:
            while True:
                room = self.workers * IN_FLIGHT_PER_WORKER - len(window)
                window.extend((item, pool.submit(self.task, item, options)) for item in islice(items, room))
                if not window:
                    return
                item, future = window.popleft()
                try:
                    yield future.result()
                except BrokenProcessPool:  # a worker died: redo what was lost, one item at a time
                    pool.shutdown(cancel_futures=True)
                    pool = self._pool()
                    lost = [(item, future), *window]
                    tqdm.write(f"작업자 프로세스가 중단되어 처리 중이던 {sum(not _made(f) for _, f in lost)}건을 "
                               "하나씩 다시 처리합니다.", file=sys.stderr)  # above the progress bar
                    for item, future in lost:
                        if _made(future):
                            yield future.result()
                        else:
                            record, pool = self._alone(item, options, pool)
                            yield record
                    window.clear()
        finally:
            pool.shutdown(cancel_futures=True)

    def _alone(self, item: Item, options: BatchOptions, pool: ProcessPoolExecutor) -> tuple[dict, ProcessPoolExecutor]:
        """One item's record, briefed with nothing else in flight (and the pool to go on with): if
        its worker dies again, the item is the likely cause and gets an error record."""
        try:
            return pool.submit(self.task, item, options).result(), pool
        except BrokenProcessPool:
            pool.shutdown(cancel_futures=True)
            message = ("이 항목을 요약하던 작업자 프로세스가 비정상 종료되었습니다(메모리 부족이나 강제 종료). "
                       "--retry-failed로 다시 처리할 수 있습니다.")
            return {"id": item.id, "ok": False, "error": {"type": WORKER_DIED, "message": message}}, self._pool()
