"""The `ko-brief` command: batch briefings, Korean ROUGE evaluation, and the KoBART helpers.

    ko-brief summarize INPUT... [--per-file] [--method textrank|kobart] [--max-chars N]
                               [--out FILE.jsonl] [--markdown FILE.md | --format markdown|json]
                               [--workers N] [--ray | --ray-address ADDR]
    ko-brief stories FEED... --out STORIES.jsonl [--markdown DIGEST.md] [--state DIR]
                            [--method ...] [--max-chars N] [--workers N] [--ray | --ray-address ADDR]
    ko-brief evaluate DATA.jsonl [--sentences 3]
    ko-brief evaluate-clusters CLUSTERS.jsonl [--limit N] [--max-chars N] [--mixes N] [--show-junk]
    ko-brief evaluate-stories FEED.jsonl [--show N] [--day-by-day] [--threshold T]
    ko-brief fetch ... / ko-brief finetune ...   (summarizer.checkpoints / summarizer.finetune)

The batch itself (items, records, resume, the output lock) is summarizer.batch; its backends are
summarizer.pool_backend (--workers N: processes on this machine) and summarizer.ray_backend
(--ray, --ray-address: Ray Data, imported only then).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from summarizer import batch
from summarizer.batch import EXIT_OK, EXIT_USAGE, UsageError
from summarizer.errors import SummarizerError
from summarizer.pipeline import check_options, require_engine

DELEGATED = {
    "fetch": ("summarizer.checkpoints", "KoBART 체크포인트 내려받기 (summarizer.checkpoints)"),
    "finetune": ("summarizer.finetune", "KoBART 미세조정 (summarizer.finetune)"),
}


def cmd_summarize(args: argparse.Namespace) -> int:
    check_options(args.method, args.max_chars)  # a bad setting or missing weights fail once,
    require_engine(args.method)  # not as an error record per item
    options = batch.BatchOptions(
        inputs=args.inputs, per_file=args.per_file, method=args.method, max_chars=args.max_chars,
        out=args.out, markdown=args.markdown, format=args.format, retry_failed=args.retry_failed,
        show_removed=args.show_removed,
    )
    address = args.ray_address or (os.environ.get("RAY_ADDRESS") if args.ray else None)
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers는 1 이상이어야 합니다.")
    if not (args.ray or address):
        if (args.workers or 1) == 1:
            return batch.run_batch(options)
        from summarizer.pool_backend import PoolBackend

        return batch.run_batch(options, PoolBackend(args.workers))
    try:
        from summarizer import ray_backend
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"Ray 백엔드에 필요한 패키지 {exc.name}가 없습니다. 설치: pip install 'ko-news-brief[ray]'"
        ) from exc
    return batch.run_batch(options, ray_backend.RayBackend(address=address, workers=args.workers))


def cmd_stories(args: argparse.Namespace) -> int:
    """Group the feed into stories and brief each one as a batch item (summarizer.story_run)."""
    from summarizer import story_run

    check_options(args.method, args.max_chars)
    require_engine(args.method)

    def brief(items: str) -> int:
        return cmd_summarize(argparse.Namespace(**{
            **vars(args), "inputs": [items], "per_file": False, "markdown": None, "format": "json",
            "show_removed": False,
        }))

    return story_run.run(args.inputs, args.out, args.state, args.markdown, brief)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from summarizer import evaluate

    records = evaluate.load_records(args.data)
    systems = evaluate.default_systems(with_textrankr=not args.no_textrankr)
    rows = evaluate.evaluate(records, args.sentences, systems, with_oracle=not args.no_oracle)
    print(f"형태소 ROUGE F1 (Kiwi 형태소, {args.sentences}문장 예산): {args.data}\n")
    print(evaluate.format_table(rows, args.sentences), end="")
    if "textrankr" not in systems and not args.no_textrankr:
        print("\n참고: textrankr가 설치되어 있지 않아 비교에서 빠졌습니다 (pip install textrankr).")
    return EXIT_OK


def cmd_evaluate_clusters(args: argparse.Namespace) -> int:
    from summarizer import evaluate

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit은 1 이상이어야 합니다.")
    if args.mixes is not None and args.mixes < 1:
        raise UsageError("--mixes는 1 이상이어야 합니다.")
    check_options("textrank", args.max_chars)
    every = evaluate.load_clusters(args.data)
    clusters = every[: args.limit]
    rows, junk, reading = evaluate.evaluate_clusters(clusters, args.max_chars, with_textrankr=not args.no_textrankr)
    print(
        f"여러 매체 클러스터 평가: {args.data} (클러스터 {len(clusters)}개, 불릿 예산 {args.max_chars}자)\n"
        "브리핑에는 기사 본문과 매체·날짜·URL을, 비교 시스템에는 본문만 주고, 편집자 제목은 주지 않습니다(제목이 참조입니다).\n"
        "Lead 대비: 클러스터마다 포함률에서 Lead의 포함률을 뺀 값의 평균과 부트스트랩 95% 신뢰구간, 이김/짐은 클러스터 수입니다.\n"
    )
    print(evaluate.format_cluster_table(rows), end="")
    print(
        "\n한 이야기(클러스터)의 브리핑이 한 이야기로 읽히는지: 섹션 수, 불릿 1개짜리 섹션, 키워드 나열 제목, "
        "앞 문장이나 소개되지 않은 인물에 기대는 불릿(summarizer/standalone.py의 규칙)\n"
    )
    print(evaluate.format_story_table(reading), end="")
    if args.mixes:
        mixes = evaluate.mixes_of(every, args.mixes)
        print(
            f"\n서로 다른 달의 클러스터 4개를 섞어 붙여 넣은 묶음 {args.mixes}개 (고정 시드, 전체 {len(every)}개 클러스터에서): "
            "이야기마다 섹션 하나인지, 섹션마다 한 이야기인지(순도: 섹션의 다수 이야기에 속한 불릿의 비율)\n"
        )
        print(evaluate.format_mix_table(evaluate.mix_reading(mixes, args.max_chars)), end="")
    if args.show_junk:
        for system, found in junk.items():
            for cluster_id, bullet in found:
                print(f"- {system} {cluster_id}: {evaluate.junk_kind(bullet)}: {bullet}")
    if "textrankr" not in {r.system for r in rows} and not args.no_textrankr:
        print("\n참고: textrankr가 설치되어 있지 않아 비교에서 빠졌습니다 (pip install textrankr).")
    return EXIT_OK


def cmd_evaluate_stories(args: argparse.Namespace) -> int:
    from summarizer import evaluate_stories

    if args.show < 0:
        raise UsageError("--show는 0 이상이어야 합니다.")
    params = {} if args.threshold is None else {"threshold": args.threshold}
    print(evaluate_stories.run(args.data, show=args.show, day_by_day_check=args.day_by_day,
                               progress=lambda text: print(text, file=sys.stderr), **params), end="")
    return EXIT_OK


def run_delegated(name: str, argv: Sequence[str]) -> int:
    """Hand the arguments to summarizer.<module>.main, imported only now (it may need torch)."""
    module_name, _ = DELEGATED[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            print(f"ko-brief {name}: 이 설치본에는 {module_name} 모듈이 없습니다.", file=sys.stderr)
        else:
            from summarizer.abstractive import INSTALL_HINT

            print(f"ko-brief {name}: 필요한 패키지 {exc.name}가 없습니다. 설치: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_USAGE
    return module.main(list(argv)) or EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ko-brief", description="한국어 뉴스 여러 건을 하나의 브리핑으로 요약합니다.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="명령")

    s = commands.add_parser("summarize", help="기사 폴더/파일/JSONL을 요약합니다")
    s.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=".txt 파일이 든 폴더, .txt 파일, 또는 {\"id\", \"articles\"} 줄로 된 .jsonl")
    s.add_argument("--per-file", action="store_true", help="폴더 전체가 아니라 .txt 파일 하나마다 브리핑을 만듦")
    s.add_argument("--method", choices=("textrank", "kobart"), default="textrank", help="요약 엔진 (기본 textrank)")
    s.add_argument("--max-chars", type=int, default=1500, help="브리핑 최대 글자 수 (기본 1500)")
    s.add_argument("--out", metavar="FILE.jsonl", help="결과를 JSONL로 저장 (다시 실행하면 이어서 처리)")
    s.add_argument("--retry-failed", action="store_true", help="--out 파일의 실패 항목을 다시 처리")
    s.add_argument("--show-removed", action="store_true", help="마크다운에 정리 과정에서 제거된 부분도 표시")
    view = s.add_mutually_exclusive_group()
    view.add_argument("--markdown", metavar="FILE.md", help="브리핑을 마크다운 파일로 저장 (실패한 항목은 그 이유를 적음)")
    view.add_argument("--format", choices=("markdown", "json"), default="markdown",
                      help="--out/--markdown이 없을 때 표준 출력 형식 (기본 markdown)")
    ray = s.add_argument_group("Ray Data로 여러 머신(클러스터)에서 처리 (pip install 'ko-news-brief[ray]')")
    ray.add_argument("--ray", action="store_true",
                     help="이 머신의 코어로 로컬 Ray를 띄워 처리 (RAY_ADDRESS가 있으면 그 클러스터에 연결)")
    ray.add_argument("--ray-address", metavar="ADDR", help="이미 떠 있는 Ray 클러스터 주소 (예: 10.0.0.5:6379)")
    s.add_argument("--workers", type=int, metavar="N",
                   help="이 머신의 작업자 프로세스 N개로 나눠 처리 (기본 1: 이 프로세스). "
                        "--ray/--ray-address와 함께 쓰면 Ray 작업자(액터) 수 (기본: 클러스터의 CPU 수)")
    s.set_defaults(handler=cmd_summarize)

    t = commands.add_parser("stories", help="기사 피드를 이야기별로 묶고 이야기마다 브리핑을 만듭니다")
    t.add_argument("inputs", nargs="+", metavar="FEED",
                   help="기사 한 줄에 하나인 .jsonl/.csv (text와 id, headline, outlet/press, date, url), 또는 .txt 폴더")
    t.add_argument("--out", required=True, metavar="STORIES.jsonl",
                   help="이야기마다 한 줄 (id, 제목, 날짜, 매체, 기사 id·URL, 브리핑); 다시 실행하면 이어서 처리")
    t.add_argument("--markdown", metavar="DIGEST.md", help="순위대로 이야기와 브리핑을 마크다운 파일로 저장")
    t.add_argument("--state", metavar="DIR",
                   help="묶음 상태를 저장·불러오는 폴더: 다음 피드의 기사가 오늘의 이야기에 같은 id로 이어짐")
    t.add_argument("--method", choices=("textrank", "kobart"), default="textrank", help="요약 엔진 (기본 textrank)")
    t.add_argument("--max-chars", type=int, default=800, help="이야기마다 브리핑 최대 글자 수 (기본 800)")
    t.add_argument("--retry-failed", action="store_true", help="--out 파일의 실패 항목을 다시 처리")
    t.add_argument("--ray", action="store_true", help="로컬 Ray로 브리핑을 나눠 처리 (summarize와 같음)")
    t.add_argument("--ray-address", metavar="ADDR", help="이미 떠 있는 Ray 클러스터 주소")
    t.add_argument("--workers", type=int, metavar="N", help="브리핑 작업자 수 (summarize의 --workers와 같음)")
    t.set_defaults(handler=cmd_stories)

    e = commands.add_parser("evaluate", help="형태소 ROUGE로 요약 품질을 평가합니다")
    e.add_argument("data", metavar="DATA.jsonl", help="ko-news-dev.jsonl 형식의 평가 데이터")
    e.add_argument("--sentences", type=int, default=3, help="요약 문장 수 예산 (기본 3)")
    e.add_argument("--no-textrankr", action="store_true", help="textrankr 비교를 건너뜀")
    e.add_argument("--no-oracle", action="store_true", help="오라클(상한) 계산을 건너뜀")
    e.set_defaults(handler=cmd_evaluate)

    c = commands.add_parser("evaluate-clusters", help="여러 매체 기사 묶음(클러스터)으로 브리핑 품질을 평가합니다")
    c.add_argument("data", metavar="DATA.jsonl", help="ko-news-clusters-dev.jsonl 형식의 클러스터 데이터")
    c.add_argument("--limit", type=int, help="앞에서부터 N개 클러스터만 평가")
    c.add_argument("--max-chars", type=int, default=1500, help="시스템마다 불릿 글자 수 예산 (기본 1500)")
    c.add_argument("--no-textrankr", action="store_true", help="textrankr 비교를 건너뜀")
    c.add_argument("--show-junk", action="store_true", help="이메일·기자·스크립트로 센 불릿을 모두 출력")
    c.add_argument("--mixes", type=int, metavar="N", help="서로 다른 달의 클러스터 4개씩 섞은 묶음 N개로 이야기 구분도 평가")
    c.set_defaults(handler=cmd_evaluate_clusters)

    g = commands.add_parser("evaluate-stories", help="라벨이 있는 기사 피드로 이야기 묶음을 평가합니다 (B-cubed)")
    g.add_argument("data", metavar="FEED.jsonl", help="ko-news-feeds-dev.jsonl 형식의 피드 (기사마다 story 라벨 또는 null)")
    g.add_argument("--show", type=int, default=10, help="라벨과 가장 크게 어긋난 병합·분리를 N개씩 제목과 함께 출력 (기본 10)")
    g.add_argument("--day-by-day", action="store_true",
                   help="하루씩 상태를 저장·불러오며 묶은 결과도 한 번에 묶은 결과와 비교")
    g.add_argument("--threshold", type=float, help="이야기에 합류하는 최소 유사도 (기본: summarizer.stories의 값)")
    g.set_defaults(handler=cmd_evaluate_stories)

    for name, (_, help_text) in DELEGATED.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        return run_delegated(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (SummarizerError, UsageError) as exc:
        print(f"ko-brief: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"ko-brief: 파일을 읽거나 쓸 수 없습니다: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ko-brief: 중단되었습니다.", file=sys.stderr)
        return 130
