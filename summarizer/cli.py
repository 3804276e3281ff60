"""The `ko-brief` command: batch briefings, Korean ROUGE evaluation, and the KoBART helpers.

    ko-brief summarize INPUT... [--per-file] [--method textrank|kobart] [--max-chars N]
                               [--out FILE.jsonl] [--markdown FILE.md | --format markdown|json]
    ko-brief evaluate DATA.jsonl [--sentences 3]
    ko-brief evaluate-clusters CLUSTERS.jsonl [--limit N] [--show-junk]
    ko-brief fetch ... / ko-brief finetune ...   (summarizer.checkpoints / summarizer.finetune)

Batch output is JSONL, one record per item, each written whole, flushed and synced, so a killed
run loses at most the item in flight and a rerun resumes after the ids already written.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from contextlib import nullcontext
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import InputError, SummarizerError
from summarizer.pipeline import check_options, read_text_file, require_engine, split_articles

# Exit status: 0 all items briefed, 1 some item failed (see its error record), 2 the run could
# not start or go on (bad command line, unreadable input or output file).
EXIT_OK, EXIT_ITEM_FAILED, EXIT_USAGE = 0, 1, 2
# How every output record begins: a damaged last line that begins so was cut by a killed run.
RECORD_START = b'{"id": '
DELEGATED = {
    "fetch": ("summarizer.checkpoints", "KoBART 체크포인트 내려받기 (summarizer.checkpoints)"),
    "finetune": ("summarizer.finetune", "KoBART 미세조정 (summarizer.finetune)"),
}


class UsageError(Exception):
    """A problem with the command line or its files that stops the whole run (exit status 2)."""


# ---------------------------------------------------------------- items


@dataclass
class Item:
    """One briefing to make: an id that is stable across runs, and how to read its articles."""

    id: str
    load: Callable[[], list[str]]


def _articles_of(texts: Sequence[str]) -> list[str]:
    """Articles in the given texts: each text may hold several, split by a `---` line."""
    return [article for text in texts for article in split_articles(text)]


def _files_item(item_id: str, files: Sequence[Path]) -> Item:
    def load() -> list[str]:
        if not files:
            raise InputError(f".txt 파일이 없습니다: {item_id}")
        return _articles_of([read_text_file(f) for f in files])

    return Item(item_id, load)


def _jsonl_items(path: Path) -> list[Item]:
    """One item per line `{"id": ..., "articles": [...]}`; a bad line becomes a failing item."""
    items = []
    # Records end at "\n" only: str.splitlines() would also split inside a record at U+2028 etc.,
    # which json.dumps(ensure_ascii=False) writes raw.
    for number, line in enumerate(read_text_file(path).split("\n"), 1):
        if not line.strip():
            continue
        fallback_id = f"{path.name}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append(_failing(fallback_id, f"JSON 줄이 아닙니다 ({exc.msg})"))
            continue
        if not isinstance(data, dict) or "articles" not in data:
            items.append(_failing(fallback_id, '"articles" 항목이 없습니다'))
            continue
        raw_id = data.get("id")
        if raw_id is not None and (not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool)):
            items.append(_failing(fallback_id, '"id"는 문자열 또는 정수여야 합니다'))
            continue
        item_id = fallback_id if raw_id is None else str(raw_id)
        articles = data["articles"]
        if isinstance(articles, str):  # one string: split at separator lines, as a paste is
            articles = split_articles(articles)
        if not isinstance(articles, list) or not all(isinstance(a, (str, dict)) for a in articles):
            items.append(_failing(item_id, '"articles"는 문자열 또는 기사 객체({"text", ...})의 목록이어야 합니다'))
            continue
        items.append(Item(item_id, lambda texts=articles: texts))  # a list goes to summarize() as given
    return items


def _failing(item_id: str, message: str) -> Item:
    def load() -> list[str]:
        raise InputError(message)

    return Item(item_id, load)


def collect_items(inputs: Sequence[str], per_file: bool) -> list[Item]:
    """Items from the command line's inputs, in order; ids must be unique.

    A folder is one briefing of its `.txt` files (or one per file with ``per_file``); loose
    `.txt` files given together are one briefing (or one each); a `.jsonl` file gives one item
    per line. Ids are the paths as given (folder, file, or files joined by `+`) or the JSONL ids.
    """
    items: list[Item] = []
    loose: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
            if per_file and files:
                items += [_files_item(os.path.normpath(f), [f]) for f in files]
            else:
                items.append(_files_item(os.path.normpath(path), files))
        elif path.is_file() and path.suffix.lower() == ".jsonl":
            items += _jsonl_items(path)
        elif path.is_file():
            loose.append(path)
        else:
            raise UsageError(f"입력을 찾을 수 없습니다: {raw}")
    if per_file:
        items += [_files_item(os.path.normpath(f), [f]) for f in loose]
    elif loose:
        items.append(_files_item("+".join(os.path.normpath(f) for f in loose), loose))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise UsageError(f"같은 id가 두 번 나옵니다: {item.id} (id는 항목마다 달라야 합니다)")
        seen.add(item.id)
    return items


def check_output_paths(inputs: Sequence[str], outputs: Sequence[str | None]) -> None:
    """Refuse output files that are inputs (a folder's .txt files included) or each other."""
    read: set[Path] = set()
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            read |= {f.resolve() for f in path.iterdir() if f.suffix.lower() == ".txt"}
        else:
            read.add(path.resolve())
    targets = [Path(o).resolve() for o in outputs if o]
    if len(set(targets)) < len(targets):
        raise UsageError("--out과 --markdown에는 서로 다른 파일을 지정해 주세요.")
    for target in targets:
        if target in read:
            raise UsageError(f"출력 파일이 입력 파일과 같습니다(입력을 덮어쓰게 됩니다): {target}")


# ---------------------------------------------------------------- output


def run_item(item: Item, method: str, max_chars: int) -> dict:
    """The output record of one item: its briefing, or the error that stopped it."""
    from summarizer import summarize

    try:
        briefing = summarize(item.load(), method=method, max_chars=max_chars)
    except Exception as exc:  # noqa: BLE001 - one failing item must not stop the batch
        if not isinstance(exc, (SummarizerError, OSError)):
            # An unexpected failure is a bug: keep its traceback for the report.
            traceback.print_exc(file=sys.stderr)
        return {"id": item.id, "ok": False, "error": {"type": type(exc).__name__, "message": str(exc)}}
    return {"id": item.id, "ok": True, "briefing": briefing.to_dict()}


def scan_output(path: Path) -> dict[str, bool]:
    """``id -> ok`` of the records already in an output file, read line by line.

    A last line cut short by a killed run (it starts like a record) is dropped: the file is
    truncated to the end of the last whole record. Any other unreadable line is a UsageError, so
    no record, and no file that is not ko-brief output, is ever cut.
    """
    status: dict[str, bool] = {}
    if not path.exists():
        return status
    damaged: tuple[int, int] | None = None  # (byte offset, line number) of an unreadable line
    line = b"\n"
    for number, offset, line, record in _lines(path):
        if damaged is not None:
            raise UsageError(f"출력 파일 {damaged[1]}번째 줄이 손상되었습니다: {path}")
        if record is None and not line.startswith(RECORD_START):
            raise UsageError(f"--out 파일이 ko-brief 결과(JSONL)가 아닙니다({number}번째 줄): {path}")
        if record is None:
            damaged = (offset, number)
        else:
            status[str(record["id"])] = bool(record["ok"])
    if damaged is not None:
        with open(path, "r+b") as f:
            f.truncate(damaged[0])
        print(f"중단된 실행이 남긴 마지막 줄을 정리했습니다: {path}", file=sys.stderr)
    elif not line.endswith(b"\n"):
        with open(path, "ab") as f:  # a whole last record that lost only its newline
            f.write(b"\n")
    return status


def _lines(path: Path) -> Iterator[tuple[int, int, bytes, dict | None]]:
    """(line number, byte offset, line, its record or None) of each non-blank line of a file."""
    offset = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, offset, line, _parse_record(line)
            offset += len(line)


def _parse_record(line: bytes) -> dict | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "id" in record and "ok" in record else None


def iter_records(path: Path) -> Iterator[dict]:
    """The whole records of an output file, in file order, one line in memory at a time."""
    return (record for *_, record in _lines(path) if record is not None)


def append_record(stream, record: dict) -> None:
    """Write one record as one line, then flush and fsync so it survives a kill."""
    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    stream.flush()
    os.fsync(stream.fileno())


def drop_failed(path: Path) -> None:
    """Remove the error records from an output file (atomically), so their items run again."""
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "wb") as target:
        for *_, line, record in _lines(path):
            if record is not None and record["ok"]:
                target.write(line)
        target.flush()
        os.fsync(target.fileno())
    os.replace(temp, path)


def markdown_parts(records: Iterable[dict], headings: bool, show_removed: bool) -> Iterator[str]:
    """Markdown of each record; under a `## id` heading when there are several."""
    from summarizer.briefing import Briefing

    for number, record in enumerate(records):
        if record["ok"]:
            body = Briefing.from_dict(record["briefing"]).to_markdown(show_removed=show_removed)
        else:
            body = f"> 실패: {record['error']['message']}\n"
        yield ("\n" if number else "") + (f"## {record['id']}\n\n{body}" if headings else body)


def _error_line(record: dict) -> str:
    return f"ko-brief: {record['id']}: {record['error']['message']}"


def cmd_summarize(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    check_options(args.method, args.max_chars)  # a bad setting or missing weights fail once,
    require_engine(args.method)  # not as an error record per item
    items = collect_items(args.inputs, args.per_file)
    check_output_paths(args.inputs, [args.out, args.markdown])
    out = Path(args.out) if args.out else None
    status: dict[str, bool] = {}
    if out is not None:
        if args.retry_failed and out.exists():
            scan_output(out)  # repair a cut last line first
            drop_failed(out)
        status = scan_output(out)
    todo = [item for item in items if item.id not in status]
    if len(todo) < len(items):
        print(f"이미 처리된 {len(items) - len(todo)}건을 건너뜁니다: {out}", file=sys.stderr)

    kept: list[dict] = []  # without --out, the records are printed or written at the end
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") if out is not None else nullcontext() as stream:
        progress = tqdm(todo, desc="요약", unit="건", file=sys.stderr, disable=len(todo) < 2)
        for item in progress:
            record = run_item(item, args.method, args.max_chars)
            status[item.id] = record["ok"]
            if not record["ok"]:
                progress.write(_error_line(record), file=sys.stderr)
            if stream is not None:
                append_record(stream, record)
            else:
                kept.append(record)

    ids = {item.id for item in items}
    headings = len(items) > 1
    if args.markdown:
        records = kept if out is None else (r for r in iter_records(out) if str(r["id"]) in ids)
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.writelines(markdown_parts(records, headings, args.show_removed))
    elif out is None and args.format == "json":
        for record in kept:
            print(json.dumps(record, ensure_ascii=False))
    elif out is None:
        ok = [r for r in kept if r["ok"]]  # failures were reported on stderr as they happened
        print("".join(markdown_parts(ok, headings, args.show_removed)), end="")
    failed = sum(not status[item.id] for item in items)
    if out is not None or headings:
        print(f"완료: 성공 {len(items) - failed}건, 실패 {failed}건 (전체 {len(items)}건)", file=sys.stderr)
    return EXIT_ITEM_FAILED if failed else EXIT_OK


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
    check_options("textrank", args.max_chars)
    clusters = evaluate.load_clusters(args.data)[: args.limit]
    rows, junk = evaluate.evaluate_clusters(clusters, args.max_chars, with_textrankr=not args.no_textrankr)
    print(
        f"여러 매체 클러스터 평가: {args.data} (클러스터 {len(clusters)}개, 불릿 예산 {args.max_chars}자)\n"
        "브리핑에는 기사 본문과 매체·날짜·URL을, 비교 시스템에는 본문만 주고, 편집자 제목은 주지 않습니다(제목이 참조입니다).\n"
    )
    print(evaluate.format_cluster_table(rows), end="")
    if args.show_junk:
        for system, found in junk.items():
            for cluster_id, bullet in found:
                print(f"- {system} {cluster_id}: {evaluate.junk_kind(bullet)}: {bullet}")
    if "textrankr" not in {r.system for r in rows} and not args.no_textrankr:
        print("\n참고: textrankr가 설치되어 있지 않아 비교에서 빠졌습니다 (pip install textrankr).")
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
    s.set_defaults(handler=cmd_summarize)

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
    c.set_defaults(handler=cmd_evaluate_clusters)

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
