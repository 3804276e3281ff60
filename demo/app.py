"""The Gradio page: paste Korean news articles, compare TextRank and KoBART briefings side by side;
or, in its second tab, group a feed of many dated articles into ranked stories, each with its briefing.

    ko-brief-demo [--host 127.0.0.1] [--port 7860] [--kobart-model NAME_OR_FOLDER] [--auth-file FILE]
    python -m demo.app ...          (the same, from a clone)

Login for shared use: ``KO_BRIEF_DEMO_AUTH=user:password`` or ``--auth-file`` (one ``user:password``
per line); binding beyond this machine without it prints a warning.

A thin layer over :func:`summarizer.summarize`: the page collects articles, calls it once per
engine (TextRank first, KoBART chained after it) and renders the two Briefings the same way. The
stories tab calls :func:`summarizer.summarize_feed` (TextRank). The work runs in worker processes
(:mod:`.workers`), each request within ``--time-limit`` seconds.
"""
from __future__ import annotations

import argparse
import dataclasses
import inspect
import ipaddress
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import gradio as gr

import summarizer
from summarizer import Briefing, Limits, ModelUnavailableError, SummarizerError
from summarizer.abstractive import KobartOptions

from .inputs import FEED_TYPES, SEPARATOR, seed_text
from .render import CSS, TOP_STORIES, briefing_html, message_html, removed_html, stories_html, stories_overview_html
from .workers import TimeLimitExceeded, WorkerPool, brief, brief_stories

log = logging.getLogger(__name__)
T = TypeVar("T")

# Slider defaults are the library's defaults.
SUMMARIZE_DEFAULTS = {name: p.default for name, p in inspect.signature(summarizer.summarize).parameters.items()}
# The page is interactive: a smaller input cap than the library default (about 20 long articles).
DEMO_LIMITS = Limits(max_articles=30, max_total_chars=100_000)
# A feed has many short articles: the same character cap, more articles (per feed and per story).
FEED_LIMITS = Limits(max_articles=200, max_total_chars=DEMO_LIMITS.max_total_chars)
STORY_CHARS = inspect.signature(summarizer.summarize_feed).parameters["max_chars"].default
MAX_UPLOAD_SIZE = "2mb"  # Gradio rejects larger uploads before they reach the handlers
QUEUE_SIZE = 64  # requests waiting beyond this are refused with "queue full"
TEXTRANK_CONCURRENCY = 2  # one per core
KOBART_CONCURRENCY = 1  # one generation already uses every core
# One worker process per request the page runs at once; the KoBART one keeps its model loaded.
TEXTRANK_WORKERS = WorkerPool(TEXTRANK_CONCURRENCY)
KOBART_WORKERS = WorkerPool(KOBART_CONCURRENCY)
TIME_LIMIT_S = 120.0  # seconds of work per request and engine (--time-limit); KoBART at the caps needs tens
AUTH_ENV = "KO_BRIEF_DEMO_AUTH"  # user:password; or --auth-file with one such line per user
OPEN_WARNING = (
    "경고: 데모가 이 컴퓨터 밖({host})에서도 접속되도록 열리는데 로그인이 꺼져 있습니다. "
    "네트워크의 누구나 페이지와 API를 쓸 수 있습니다. "
    f"{AUTH_ENV}=사용자:비밀번호 환경 변수나 --auth-file로 로그인을 켜세요."
)
GENERIC_ERROR = "요약 중 예기치 못한 문제가 생겼습니다. 입력을 확인하고 다시 시도해 주세요. 문제가 계속되면 관리자에게 알려 주세요."

WAITING = message_html("기사를 넣고 ‘요약하기’를 누르면 결과가 여기에 나타납니다.", "info")
KOBART_PENDING = message_html("TextRank 요약이 끝났습니다. KoBART가 문장을 생성하는 중입니다…", "pending")
TITLE = "# 한국어 뉴스 브리핑"
INTRO = f"""여러 언론사의 기사를 한꺼번에 넣으면 같은 사건끼리 묶어 브리핑을 만듭니다.
왼쪽은 기사 문장을 그대로 고르는 **TextRank(추출 요약)**, 오른쪽은 문장을 새로 쓰는 **KoBART(생성 요약)** 입니다.
기사 사이에는 `{SEPARATOR}` 만 있는 줄을 넣어 구분하거나, 기사마다 .txt 파일을 올려 주세요.
각 문장 끝의 `[1][3]`은 그 내용을 보도한 기사 번호입니다."""
STORIES_INTRO = """여러 날에 걸친 기사 피드를 넣으면 같은 사건을 다룬 기사끼리 **스토리**로 묶어, 보도가 많은 스토리부터
제목·날짜·언론사·기사 수와 브리핑(TextRank)을 보여 주고, 상위 {top}개 스토리의 날짜별 보도량을 그립니다.
- **피드 파일**: JSONL(한 줄에 기사 하나) 또는 CSV. 항목은 `text`(본문, 필수)와 `id`, `headline`, `outlet`(또는 `press`), `date`(YYYY-MM-DD), `url`.
  읽을 수 없는 줄은 줄 번호와 함께 알려 드리고 건너뜁니다.
- **붙여 넣기**: 기사 사이에 `{separator}` 만 있는 줄. 날짜는 본문에 적힌 것만 씁니다.
- **한도**: 한 번에 기사 {articles:,}건, 본문 합계 {chars:,}자, 파일 {upload}까지. {seconds:g}초 안에 끝나지 않으면 중단합니다."""
STORIES_WAITING = message_html("피드 파일을 올리거나 기사를 붙여 넣고 ‘스토리 묶기’를 누르면 결과가 여기에 나타납니다.", "info")


def _attempt(
    work: Callable[[], T], render: Callable[[T, float], str] = briefing_html
) -> tuple[T | None, str]:
    """Run one request's work: what it returns and ``render(it, seconds)``, or None and a Korean message.

    Documented errors and the time limit show their own (Korean) message; anything else shows a
    generic message and its traceback (the worker's too) goes to the server log, never to the page.
    """
    start = time.perf_counter()
    try:
        result = work()
    except TimeLimitExceeded as exc:
        return None, message_html(str(exc), "error", title="시간이 너무 오래 걸립니다")
    except ModelUnavailableError as exc:
        command = re.search(r"`([^`]+)`", str(exc))  # the fix, when the message quotes a command
        return None, message_html(
            str(exc), "unavailable", title="KoBART 모델을 쓸 수 없습니다", command=command and command.group(1)
        )
    except SummarizerError as exc:
        return None, message_html(str(exc), "error", title="요약할 수 없습니다")
    except Exception as exc:
        log.exception("summarize failed\n%s", getattr(exc, "traceback", ""))  # Pebble adds the worker's
        return None, message_html(GENERIC_ERROR, "error", title="오류")
    return result, render(result, time.perf_counter() - start)


def build_app(
    kobart_options: KobartOptions | None = None,
    limits: Limits = DEMO_LIMITS,
    time_limit: float = TIME_LIMIT_S,
    feed_limits: Limits = FEED_LIMITS,
) -> gr.Blocks:
    """The page. ``kobart_options`` picks the KoBART checkpoint (None: the registry default);
    ``time_limit`` is the seconds of work one request may take per engine; ``feed_limits`` caps
    the stories tab's feed and each of its stories."""
    kobart_options = kobart_options or KobartOptions()

    def textrank(pasted: str, files: Sequence[str] | None, max_chars: float, redundancy: float):
        """TextRank briefing, the KoBART placeholder, and what cleaning removed."""
        briefing, html = _attempt(
            lambda: TEXTRANK_WORKERS.run(
                time_limit, brief, pasted, files, "textrank", int(max_chars), float(redundancy), limits
            )
        )
        removed = removed_html(briefing) if briefing else ""
        return html, KOBART_PENDING if briefing else html, removed

    def kobart(
        pasted: str,
        files: Sequence[str] | None,
        max_chars: float,
        redundancy: float,
        beams: float,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects the tracker through this default)
    ):
        """KoBART briefing (or the message saying why there is none)."""

        def work() -> Briefing:
            options = dataclasses.replace(kobart_options, num_beams=int(beams))
            progress(0.1, desc="KoBART 요약 생성 중 (첫 요청은 모델 불러오기 포함)…")
            return KOBART_WORKERS.run(
                time_limit, brief, pasted, files, "kobart", int(max_chars), float(redundancy), limits, options
            )

        return _attempt(work)[1]

    def stories(pasted: str, files: Sequence[str] | None, max_chars: float):
        """The picture of the stories over days (with the counts and unreadable lines), and the stories."""
        found, overview = _attempt(
            lambda: TEXTRANK_WORKERS.run(time_limit, brief_stories, pasted, files, int(max_chars), feed_limits),
            lambda result, seconds: stories_overview_html(*result, seconds),
        )
        return overview, stories_html(found[0]) if found else ""

    with gr.Blocks(title="한국어 뉴스 브리핑", analytics_enabled=False) as app:
        gr.Markdown(TITLE)
        with gr.Tab("브리핑 (기사 묶음)", id="briefing", elem_id="briefing-tab"):
            gr.Markdown(INTRO)
            with gr.Row():
                with gr.Column(scale=3):
                    pasted = gr.Textbox(
                        label=f"기사 본문 (기사 사이에 {SEPARATOR} 한 줄)",
                        lines=12,
                        max_lines=24,
                        placeholder=f"첫 번째 기사 본문…\n{SEPARATOR}\n두 번째 기사 본문…",
                        elem_id="articles",
                    )
                with gr.Column(scale=1, min_width=220):
                    files = gr.File(
                        label=".txt 파일 올리기 (여러 개)",
                        file_count="multiple",
                        file_types=[".txt"],
                        elem_id="uploads",
                    )
                    load_seeds = gr.Button("예시 기사 5건 불러오기", elem_id="load-seeds")
            with gr.Row():
                max_chars = gr.Slider(
                    300, 4000, value=SUMMARIZE_DEFAULTS["max_chars"], step=100, label="요약 길이 (글자 수)"
                )
                redundancy = gr.Slider(
                    0, 1, value=SUMMARIZE_DEFAULTS["redundancy"], step=0.05, label="중복 억제 (0 허용 ~ 1 강하게 억제)"
                )
                beams = gr.Slider(1, 8, value=kobart_options.num_beams, step=1, label="빔 개수 (KoBART, 클수록 느림)")
            with gr.Row():
                run = gr.Button("요약하기", variant="primary", elem_id="run")
                gr.ClearButton([pasted, files], value="입력 지우기")
            with gr.Row(equal_height=False):
                with gr.Column():
                    gr.Markdown("### TextRank · 추출 요약")
                    textrank_out = gr.HTML(WAITING, elem_id="textrank-output", min_height=160)
                with gr.Column():
                    gr.Markdown("### KoBART · 생성 요약")
                    kobart_out = gr.HTML(WAITING, elem_id="kobart-output", min_height=160)
            with gr.Accordion("정리 과정에서 제거된 부분 (기사별)", open=False, elem_id="removed"):
                removed_out = gr.HTML(elem_id="removed-output")

            load_seeds.click(seed_text, None, pasted, queue=False, api_visibility="private")
            inputs = [pasted, files, max_chars, redundancy]
            (
                run.click(lambda: gr.Button(interactive=False), None, run, queue=False, api_visibility="private")
                .then(
                    textrank, inputs, [textrank_out, kobart_out, removed_out],
                    api_name="textrank", concurrency_limit=TEXTRANK_CONCURRENCY, concurrency_id="textrank",
                )
                .then(kobart, [*inputs, beams], kobart_out, api_name="kobart", concurrency_limit=KOBART_CONCURRENCY)
                .then(lambda: gr.Button(interactive=True), None, run, queue=False, api_visibility="private")
            )
        with gr.Tab("스토리 (피드)", id="stories", elem_id="stories-tab"):
            gr.Markdown(STORIES_INTRO.format(
                top=TOP_STORIES, separator=SEPARATOR, articles=feed_limits.max_articles,
                chars=feed_limits.max_total_chars, upload=MAX_UPLOAD_SIZE.upper(), seconds=time_limit,
            ))
            with gr.Row():
                with gr.Column(scale=3):
                    feed_pasted = gr.Textbox(
                        label=f"기사 본문 붙여 넣기 (기사 사이에 {SEPARATOR} 한 줄)",
                        lines=8,
                        max_lines=16,
                        placeholder=f"첫 번째 기사 본문…\n{SEPARATOR}\n두 번째 기사 본문…",
                        elem_id="feed-articles",
                    )
                with gr.Column(scale=1, min_width=220):
                    feed_files = gr.File(
                        label="피드 파일 올리기 (.jsonl, .csv)",
                        file_count="multiple",
                        file_types=list(FEED_TYPES),
                        elem_id="feed-uploads",
                    )
            with gr.Row():
                story_chars = gr.Slider(300, 2000, value=STORY_CHARS, step=100, label="스토리별 요약 길이 (글자 수)")
            with gr.Row():
                run_stories = gr.Button("스토리 묶기", variant="primary", elem_id="run-stories")
                gr.ClearButton([feed_pasted, feed_files], value="입력 지우기")
            overview_out = gr.HTML(STORIES_WAITING, elem_id="stories-overview")
            stories_out = gr.HTML(elem_id="stories-output")
            (
                run_stories.click(
                    lambda: gr.Button(interactive=False), None, run_stories, queue=False, api_visibility="private"
                )
                .then(
                    stories, [feed_pasted, feed_files, story_chars], [overview_out, stories_out], api_name="stories",
                    concurrency_limit=TEXTRANK_CONCURRENCY, concurrency_id="textrank",  # the same workers
                )
                .then(lambda: gr.Button(interactive=True), None, run_stories, queue=False, api_visibility="private")
            )
    app.queue(max_size=QUEUE_SIZE)
    return app


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable from this machine only (localhost, 127.0.0.0/8, ::1)."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any address
        return False


def read_credentials(spec: str, origin: str) -> list[tuple[str, str]]:
    """``user:password`` pairs, one per line (blank lines and ``#`` comments skipped).

    Raises ValueError in Korean naming ``origin`` (the variable or file) when a line is not such a pair.
    """
    pairs = []
    for number, line in enumerate(spec.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not (sep and user.strip() and password):
            raise ValueError(f"{origin} {number}번째 줄이 '사용자:비밀번호' 형식이 아닙니다.")
        pairs.append((user.strip(), password))
    if not pairs:
        raise ValueError(f"{origin}에 '사용자:비밀번호'가 없습니다.")
    return pairs


def credentials(auth_file: str | None) -> list[tuple[str, str]] | None:
    """Logins from ``--auth-file`` or else $KO_BRIEF_DEMO_AUTH; None when neither is given."""
    if auth_file:
        try:
            text = Path(auth_file).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"로그인 파일 '{auth_file}'을 읽을 수 없습니다 ({exc}).") from exc
        return read_credentials(text, f"로그인 파일 '{auth_file}'")
    if os.environ.get(AUTH_ENV):
        return read_credentials(os.environ[AUTH_ENV], f"환경 변수 {AUTH_ENV}")
    return None


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int | None = None, **kwargs):
    """Start ``app`` with the page's CSS and upload cap; returns what ``Blocks.launch`` returns.

    The worker processes start first, each with Kiwi loaded and warmed, so the server is ready
    when it says it is up. Pass ``auth=[(user, password), ...]`` for a login; without it a
    non-loopback ``host`` gets a warning.
    """
    if not kwargs.get("auth") and not is_loopback(host):
        print(OPEN_WARNING.format(host=host), file=sys.stderr)
    log.info("작업 프로세스마다 형태소 분석기(Kiwi)를 불러와 첫 분석을 마치는 중…")
    TEXTRANK_WORKERS.start()
    KOBART_WORKERS.start()
    return app.launch(
        server_name=host,
        server_port=port,
        css=CSS,
        max_file_size=MAX_UPLOAD_SIZE,
        ssr_mode=False,
        run_history=False,  # pasted articles are not kept in the browser
        footer_links=["api", "settings"],
        show_error=False,
        **kwargs,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ko-brief-demo", description="한국어 뉴스 브리핑 데모 (Gradio)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument(
        "--kobart-model",
        help="KoBART registry name, hub id or checkpoint folder (default: the registry default)",
    )
    parser.add_argument(
        "--auth-file",
        help=f"login file, one user:password per line (or set {AUTH_ENV}=user:password); "
        "required for a shared page",
    )
    parser.add_argument(
        "--time-limit", type=float, default=TIME_LIMIT_S, metavar="SECONDS",
        help=f"seconds of work one request may take per engine before it is stopped (default {TIME_LIMIT_S:g})",
    )
    args = parser.parse_args(argv)
    if not args.time_limit > 0:
        parser.error("--time-limit는 0보다 큰 초 수여야 합니다.")
    try:
        auth = credentials(args.auth_file)
    except ValueError as exc:
        sys.exit(f"데모를 시작할 수 없습니다: {exc}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio's own startup probes
    app = build_app(KobartOptions(model=args.kobart_model), time_limit=args.time_limit)
    try:
        launch(app, args.host, args.port, auth=auth, auth_message="한국어 뉴스 브리핑: 로그인하세요.")
    except OSError as exc:  # the port is taken, or the host is not an address of this machine
        sys.exit(f"데모를 {args.host}:{args.port}에서 시작할 수 없습니다 ({exc}). --port로 다른 포트를 지정해 주세요.")


if __name__ == "__main__":
    main()
