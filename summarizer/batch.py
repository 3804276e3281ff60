"""The batch core both backends share: what an item is, how items are read (streamed), how a
record is made and written, how a run resumes, and the lock on the output file.

Output is JSONL, one record per item, each written whole, flushed and synced, so a killed run
loses at most the items in flight and a rerun resumes after the ids already written. A record is
written only for an id the file does not hold yet: every id is in the file exactly once.
"""
from __future__ import annotations

import fcntl
import json
import os
import stat
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.errors import InputError, SummarizerError
from summarizer.normalize import LONE_SURROGATE
from summarizer.pipeline import read_text_file, split_articles

# Exit status: 0 all items briefed, 1 some item failed (see its error record), 2 the run could
# not start or go on (bad command line, unreadable input or output file).
EXIT_OK, EXIT_ITEM_FAILED, EXIT_USAGE = 0, 1, 2
# How every output record begins: a damaged last line that begins so was cut by a killed run.
RECORD_START = b'{"id": '


class UsageError(Exception):
    """A problem with the command line or its files that stops the whole run (exit status 2)."""


# ---------------------------------------------------------------- items


@dataclass(frozen=True)
class Item:
    """One briefing to make: an id stable across runs and what ``summarize()`` gets, or why the
    item could not be read (it then becomes an error record)."""

    id: str
    articles: Any = None
    error: tuple[str, str] | None = None  # (error type, message)
    meta: dict | None = None  # fields copied into the record as given (e.g. a story's title and dates)


def _error_item(item_id: str, exc: Exception) -> Item:
    return Item(item_id, error=(type(exc).__name__, str(exc)))


def _files_item(item_id: str, files: Sequence[Path]) -> Item:
    """One item of the articles in the given files (each may hold several, split at `---`)."""
    if not files:
        return Item(item_id, error=("InputError", f".txt 파일이 없습니다: {item_id}"))
    try:
        return Item(item_id, [a for f in files for a in split_articles(read_text_file(f))])
    except (SummarizerError, OSError) as exc:
        return _error_item(item_id, exc)


def _decode_line(raw: bytes) -> str:
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("UTF-8 또는 CP949 텍스트가 아닌 줄입니다")


def jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, bytes) of each non-blank line of a JSONL file, one line in memory at
    a time, a UTF-8 BOM dropped. Lines end at "\n" only: str.splitlines() would also split inside
    a record at U+2028 etc."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if raw.strip():
                yield number, raw


def _jsonl_items(path: Path, name: str) -> Iterator[Item]:
    """One item per line `{"id": ..., "articles": ...}`, read one line at a time; a line that is
    not such a record becomes an error item with the id `FILE:LINE`."""
    for number, raw in jsonl_lines(path):
        fallback_id = f"{name}:{number}"
        try:
            data = json.loads(_decode_line(raw))
        except InputError as exc:
            yield _error_item(fallback_id, exc)
            continue
        except json.JSONDecodeError as exc:
            yield Item(fallback_id, error=("InputError", f"JSON 줄이 아닙니다 ({exc.msg})"))
            continue
        raw_id = data.get("id") if isinstance(data, dict) else None
        if raw_id is not None and (not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool)):
            yield Item(fallback_id, error=("InputError", '"id"는 문자열 또는 정수여야 합니다'))
            continue
        item_id = fallback_id if raw_id is None else str(raw_id)
        meta = data.get("meta") if isinstance(data, dict) and isinstance(data.get("meta"), dict) else None
        if isinstance(data, dict) and _is_error(data.get("error")):  # an item the step before could not make
            yield Item(item_id, error=(data["error"]["type"], data["error"]["message"]), meta=meta)
        elif not isinstance(data, dict) or "articles" not in data:
            yield Item(fallback_id, error=("InputError", '"articles" 항목이 없습니다'))
        else:
            # The articles go to summarize() as given: a list of pages (or article objects), or
            # one string that it splits at separator lines; what it cannot take is an InputError.
            yield Item(item_id, data["articles"], meta=meta)


def _is_error(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("type"), str) and isinstance(value.get("message"), str)


def iter_items(inputs: Sequence[str], per_file: bool, cwd: str | Path = ".") -> Iterator[Item]:
    """Items from the command line's inputs, in order, read one at a time.

    A folder is one briefing of its `.txt` files (or one per file with ``per_file``); loose
    `.txt` files given together are one briefing (or one each); a `.jsonl` file gives one item
    per line. Ids are the paths as given (folder, file, or files joined by `+`) or the JSONL ids;
    relative paths are read from ``cwd``.
    """
    loose: list[tuple[Path, Path]] = []  # (path as given, path to read)
    for raw in inputs:
        given, path = Path(raw), Path(cwd, raw)
        if path.is_dir():
            names = sorted(p.name for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
            if per_file and names:
                yield from (_files_item(os.path.normpath(given / n), [path / n]) for n in names)
            else:
                yield _files_item(os.path.normpath(given), [path / n for n in names])
        elif path.is_file() and path.suffix.lower() == ".jsonl":
            yield from _jsonl_items(path, given.name)
        elif path.is_file():
            loose.append((given, path))
        elif path.exists():  # a FIFO or device: never opened (a FIFO would wait for a writer)
            raise UsageError(f"입력이 일반 파일이나 폴더가 아닙니다 (FIFO·장치 파일은 읽지 않습니다): {raw}")
        else:
            raise UsageError(f"입력을 찾을 수 없습니다: {raw}")
    if per_file:
        yield from (_files_item(os.path.normpath(g), [p]) for g, p in loose)
    elif loose:
        yield _files_item("+".join(os.path.normpath(g) for g, _ in loose), [p for _, p in loose])


def item_ids(inputs: Sequence[str], per_file: bool) -> list[str]:
    """The ids of the inputs' items in order (a first pass over the inputs, one item at a time);
    a missing input or an id given twice is a UsageError before anything is written."""
    ids: list[str] = []
    seen: set[str] = set()
    for item in iter_items(inputs, per_file):
        if item.id in seen:
            raise UsageError(f"같은 id가 두 번 나옵니다: {item.id} (id는 항목마다 달라야 합니다)")
        seen.add(item.id)
        ids.append(item.id)
    return ids


# ---------------------------------------------------------------- records


RECORD_KEYS = ("id", "ok", "briefing", "error")


def run_item(item: Item, method: str, max_chars: int, kobart=None) -> dict:
    """The output record of one item: its briefing, or the error that stopped it (with the item's
    ``meta`` fields between ``ok`` and the briefing)."""
    from summarizer import summarize

    meta = {k: v for k, v in (item.meta or {}).items() if k not in RECORD_KEYS}
    if item.error is not None:
        kind, message = item.error
        return {"id": item.id, "ok": False, **meta, "error": {"type": kind, "message": message}}
    try:
        briefing = summarize(item.articles, method=method, max_chars=max_chars, kobart=kobart)
    except Exception as exc:  # noqa: BLE001 - one failing item must not stop the batch
        if not isinstance(exc, (SummarizerError, OSError)):
            # An unexpected failure is a bug: keep its traceback for the report.
            traceback.print_exc(file=sys.stderr)
        return {"id": item.id, "ok": False, **meta, "error": {"type": type(exc).__name__, "message": str(exc)}}
    return {"id": item.id, "ok": True, **meta, "briefing": briefing.to_dict()}


def escape_surrogates(text: str) -> str:
    """Lone surrogates (from JSON "\\ud800" escapes) as `\\udXXX` escapes: valid UTF-8 text, and
    inside a JSON string they read back as the same characters."""
    return LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def record_line(record: dict) -> bytes:
    """One record as one line of UTF-8 JSON, whatever characters its id or text hold."""
    return (escape_surrogates(json.dumps(record, ensure_ascii=False)) + "\n").encode("utf-8")


def _parse_record(line: bytes) -> dict | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "id" in record and "ok" in record else None


def _lines(path: Path) -> Iterator[tuple[int, int, bytes, dict | None]]:
    """(line number, byte offset, line, its record or None) of each non-blank line of a file."""
    offset = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, offset, line, _parse_record(line)
            offset += len(line)


def iter_records(path: Path) -> Iterator[dict]:
    """The whole records of an output file, in file order, one line in memory at a time."""
    return (record for *_, record in _lines(path) if record is not None)


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


def drop_failed(path: Path, lock: ExitStack) -> None:
    """Remove the error records from an output file (atomically), so their items run again. The
    file that takes the output's name is locked on the run's ``lock`` (see locked()) first."""
    temp = path.with_name(path.name + ".tmp")
    target = lock.enter_context(open(temp, "wb"))
    fcntl.flock(target.fileno(), fcntl.LOCK_EX)  # a new file: no one else can hold it
    for *_, line, record in _lines(path):
        if record is not None and record["ok"]:
            target.write(line)
    target.flush()
    os.fsync(target.fileno())
    os.replace(temp, path)


# ---------------------------------------------------------------- output files


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _is_stream(path: Path, info: os.stat_result) -> bool:
    """A pipe, a socket, a terminal or /dev/null: somewhere the markdown may be streamed to."""
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        return True
    if not stat.S_ISCHR(info.st_mode):
        return False
    if _same_file(info, os.stat(os.devnull)):
        return True
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def check_output_paths(inputs: Sequence[str], outputs: Sequence[str | None]) -> None:
    """Refuse outputs that are inputs or each other, compared as files (device and inode, after
    following links: a hard or symbolic link is the same file), and outputs that cannot take
    what is written: ``--out`` (the first) must be a regular file, as it is read back and locked;
    the markdown a regular file or a stream (``--markdown /dev/stdout``). A folder or a device such
    as /dev/full is refused here, before any item is briefed."""
    read: list[os.stat_result] = []
    for raw in inputs:
        path = Path(raw)
        files = [f for f in path.iterdir() if f.suffix.lower() == ".txt"] if path.is_dir() else [path]
        read += [f.stat() for f in files if f.exists()]
    targets = [Path(o) for o in outputs if o]
    if len({t.resolve() for t in targets}) < len(targets):
        raise UsageError("--out과 --markdown에는 서로 다른 파일을 지정해 주세요.")
    existing = []
    for target in targets:
        if not target.exists():
            continue
        info = target.stat()
        if any(_same_file(info, other) for other in read):
            raise UsageError(f"출력 파일이 입력 파일과 같습니다(입력을 덮어쓰게 됩니다): {target}")
        if stat.S_ISREG(info.st_mode):
            pass
        elif target == Path(outputs[0] or ""):
            raise UsageError(f"출력 파일은 일반 파일이어야 합니다(폴더나 장치 파일은 안 됩니다): {target}")
        elif not _is_stream(target, info):
            raise UsageError(
                f"마크다운 파일은 일반 파일이나 파이프·터미널이어야 합니다(폴더나 /dev/full 같은 장치 파일은 안 됩니다): {target}"
            )
        if any(_same_file(info, other) for other in existing):
            raise UsageError("--out과 --markdown에는 서로 다른 파일을 지정해 주세요.")
        existing.append(info)


@contextmanager
def locked(out: Path) -> Iterator[ExitStack]:
    """Hold the lock of an output file for the whole run; a second run on the same file is
    refused at once instead of writing it too.

    The lock is an flock on the file itself (created now if need be), so it meets a second run
    whatever path that run names the file by: a symbolic or hard link, a linked folder. Yields
    the stack that holds the lock: a file that replaces the output (drop_failed) is locked on it
    before it takes the output's name. A file this run created and left empty is removed when
    the run fails.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, created = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o666), True
    except FileExistsError:
        fd, created = os.open(out, os.O_WRONLY | os.O_APPEND), False
    with ExitStack() as lock:
        lock.callback(os.close, fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"다른 ko-brief 실행이 이미 이 출력 파일에 쓰고 있습니다: {out} "
                "(그 실행이 끝난 뒤 다시 실행하면 이어서 처리합니다)"
            ) from None
        try:
            yield lock
        except BaseException:
            if created and out.stat().st_size == 0:
                out.unlink()
            raise


def check_writable(path: Path) -> None:
    """Fail now, not after the run, when a file cannot be written (OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8"):
        pass


def markdown_parts(records: Iterable[dict], headings: bool, show_removed: bool) -> Iterator[str]:
    """Markdown of each record; under a `## id` heading when there are several."""
    from summarizer.briefing import Briefing

    for number, record in enumerate(records):
        if record["ok"]:
            body = Briefing.from_dict(record["briefing"]).to_markdown(show_removed=show_removed)
        else:
            body = f"> 실패: {record['error']['message']}\n"
        part = ("\n" if number else "") + (f"## {record['id']}\n\n{body}" if headings else body)
        yield escape_surrogates(part)


def _error_line(record: dict) -> str:
    return escape_surrogates(f"ko-brief: {record['id']}: {record['error']['message']}")


# ---------------------------------------------------------------- the run


@dataclass
class BatchOptions:
    """What `ko-brief summarize` was asked to do (see its --help)."""

    inputs: Sequence[str]
    per_file: bool = False
    method: str = "textrank"
    max_chars: int = 1500
    out: str | None = None
    markdown: str | None = None
    format: str = "markdown"
    retry_failed: bool = False
    show_removed: bool = False


# A backend turns the stream of items still to do into a stream of their records, in any order
# (it may read options.inputs itself, skipping the ids in `done`); it is called before the output
# is opened, so it can fail first.
Backend = Callable[[Iterator[Item], BatchOptions, set[str]], Iterator[dict]]


def brief(item: Item, options: BatchOptions) -> dict:
    """The record of one item of `ko-brief summarize` (what a backend runs for each item)."""
    return run_item(item, options.method, options.max_chars)


def local_backend(items: Iterator[Item], options: BatchOptions, done: set[str]) -> Iterator[dict]:
    """Brief the items one after another in this process."""
    return (brief(item, options) for item in items)


def run_batch(options: BatchOptions, backend: Backend = local_backend) -> int:
    """Run a batch: resume from ``options.out``, write each record once, then the markdown or
    stdout view. Returns the exit status."""
    from tqdm import tqdm

    ids = item_ids(options.inputs, options.per_file)
    check_output_paths(options.inputs, [options.out, options.markdown])
    if options.markdown:
        check_writable(Path(options.markdown))
    # The output's own path, links followed: the lock, the repairs and the appends all reach the
    # file itself (a rewrite by drop_failed replaces the file, not a link to it).
    out = Path(options.out).resolve() if options.out else None
    with locked(out) if out is not None else _unlocked() as lock:
        status: dict[str, bool] = {}
        if out is not None:
            if options.retry_failed:
                scan_output(out)  # repair a cut last line first
                drop_failed(out, lock)
            status = scan_output(out)
        wanted = set(ids)
        skipped = len(wanted & status.keys())
        if skipped:
            print(f"이미 처리된 {skipped}건을 건너뜁니다: {options.out}", file=sys.stderr)

        kept: list[dict] = []  # without --out, the records are printed or written at the end
        done = set(status)
        todo = (item for item in iter_items(options.inputs, options.per_file) if item.id not in done)
        records = backend(todo, options, done)
        failed_now = 0
        with open(out, "ab") if out is not None else _unlocked() as stream:
            progress = tqdm(total=len(ids) - skipped, desc="요약", unit="건", file=sys.stderr,
                            disable=len(ids) - skipped < 2)
            for record in records:
                item_id = str(record["id"])
                if item_id in status or item_id not in wanted:
                    continue  # a retried task's second answer: the id is written already
                status[item_id] = record["ok"]
                if not record["ok"]:
                    failed_now += 1
                    progress.write(_error_line(record), file=sys.stderr)
                if stream is not None:
                    stream.write(record_line(record))
                    stream.flush()
                    os.fsync(stream.fileno())
                else:
                    kept.append(record)
                progress.set_postfix_str(f"실패 {failed_now}", refresh=False)
                progress.update()
            progress.close()

    headings = len(ids) > 1
    if options.markdown:
        records = kept if out is None else (r for r in iter_records(out) if str(r["id"]) in wanted)
        with open(options.markdown, "w", encoding="utf-8") as f:
            f.writelines(markdown_parts(records, headings, options.show_removed))
    elif out is None and options.format == "json":
        for record in kept:
            sys.stdout.write(record_line(record).decode("utf-8"))
    elif out is None:
        ok = [r for r in kept if r["ok"]]  # failures were reported on stderr as they happened
        print("".join(markdown_parts(ok, headings, options.show_removed)), end="")
    missing = [i for i in ids if i not in status]
    if missing:  # a backend that stopped early: say so, and let a rerun finish the job
        raise UsageError(f"{len(missing)}건이 처리되지 않았습니다. 같은 명령을 다시 실행하면 이어서 처리합니다.")
    failed = sum(not status[i] for i in ids)
    if out is not None or headings:
        print(f"완료: 성공 {len(ids) - failed}건, 실패 {failed}건 (전체 {len(ids)}건)", file=sys.stderr)
    return EXIT_ITEM_FAILED if failed else EXIT_OK


@contextmanager
def _unlocked() -> Iterator[None]:
    yield None
