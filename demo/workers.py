"""Briefings in worker processes, so that one request's work never stalls the server.

The Gradio server only hands the input over and waits: its event loop keeps serving page loads
and its GIL stays free for other users, whatever pure-Python work a briefing does. Each request
has a time limit; a worker past it is stopped and replaced (Pebble's process pool does both, and
runs the warm-up below in every new worker).
"""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as TaskTimeout
from pathlib import Path
from typing import Any

from pebble import ProcessPool

import summarizer
from summarizer import Briefing, InputError, Limits, Story
from summarizer.feed import BadLine
from summarizer.korean import warm_up

from .inputs import collect_articles, collect_feed

# forkserver: a worker forks from a small single-threaded server (never from Gradio's threads) that
# has already imported the summarizer and this page's module (as `python -m demo.app`, each worker
# would otherwise import Gradio again for its __main__), so a replaced worker only warms up Kiwi.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["summarizer", f"{__package__}.app"])
WARM_UP_TIMEOUT_S = 600  # Kiwi's load and first call take seconds; this bounds a worker that never starts


class TimeLimitExceeded(Exception):
    """A request ran longer than its time limit; its worker was stopped. The message is Korean."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"요약이 제한 시간({seconds:g}초)을 넘어 중단했습니다. 기사 수를 줄이거나 나눠서 다시 요약해 주세요."
        )


def brief(
    pasted: str | None,
    files: Sequence[str | Path] | None,
    method: str,
    max_chars: int,
    redundancy: float,
    limits: Limits,
    kobart: Any = None,
) -> Briefing:
    """One request's briefing: the articles of the paste box and uploads, summarized (run in a worker)."""
    articles = collect_articles(pasted, files, limits.max_total_chars)
    return summarizer.summarize(articles, method, max_chars, redundancy=redundancy, limits=limits, kobart=kobart)


def brief_stories(
    pasted: str | None, files: Sequence[str | Path] | None, max_chars: int, limits: Limits
) -> tuple[list[Story], list[BadLine], int]:
    """One stories request (run in a worker): the feed of the paste box and uploads grouped into
    stories, each briefed with TextRank; with the first unreadable lines and how many there were."""
    feed = collect_feed(pasted, files, limits)
    if not feed.entries and not feed.bad_count:
        raise InputError("입력이 비어 있습니다. 피드 파일(.jsonl, .csv)을 올리거나 기사를 붙여 넣어 주세요.")
    return summarizer.summarize_feed(feed.entries, "textrank", max_chars, limits=limits), feed.bad, feed.bad_count


def _warm(ready: Any) -> None:
    """Worker initializer: load Kiwi and make its first analysis, then count this worker as ready."""
    warm_up()
    ready.release()


class WorkerPool:
    """``workers`` processes that run one call each at a time, with Kiwi loaded before the first.

    Started by :meth:`start` or the first :meth:`run`. A worker keeps what it loads (Kiwi, a KoBART
    model) for the calls after; one stopped by the time limit or dying is replaced.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers unless they run, and return once each has warmed up Kiwi."""
        with self._lock:
            if self._pool is not None and self._pool.active:
                return
            if self._pool is not None:  # broken (a worker died between calls): start over
                self._pool.stop()
                self._pool.join()
            ready = _CONTEXT.Semaphore(0)
            self._pool = ProcessPool(self.workers, initializer=_warm, initargs=(ready,), context=_CONTEXT)
            if not self._pool.active:  # asking starts the workers
                raise RuntimeError("the worker pool did not start")
            for _ in range(self.workers):
                if not ready.acquire(timeout=WARM_UP_TIMEOUT_S):
                    raise RuntimeError(f"a worker did not warm up in {WARM_UP_TIMEOUT_S} s")

    def run(self, time_limit: float, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in a worker: what it returns or raises, or
        :class:`TimeLimitExceeded` once it has worked ``time_limit`` seconds (waiting for a free
        worker does not count). ``function`` and its arguments must pickle."""
        self.start()
        future = self._pool.schedule(function, args, kwargs, timeout=time_limit)
        try:
            return future.result()
        except TaskTimeout as exc:  # Pebble's: the worker was stopped and is being replaced
            raise TimeLimitExceeded(time_limit) from exc
