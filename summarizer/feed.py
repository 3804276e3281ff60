"""Reading a feed: articles one at a time from JSONL, CSV or a folder of .txt files.

A JSONL line or CSV row holds one article: ``text`` and any of ``id``, ``headline``, ``outlet``
(or ``press``), ``date`` (ISO) and ``url``. A folder gives one article per ``.txt`` file (its
path is its id). What cannot be read as an article (invalid JSON, no text, a date that does not
parse, an id given twice) is a :class:`BadLine` with its place, and reading goes on.
"""
from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.articles import Article, to_article
from summarizer.batch import jsonl_lines
from summarizer.errors import InputError, SummarizerError
from summarizer.pipeline import read_text_file


_NUMBERED = re.compile(r"^1번 기사(?:의|에) ")  # to_article names the article; a bad line has its place


@dataclass(frozen=True)
class FeedArticle:
    key: str  # the article's id: its "id" as given, else where it was read ("feed.jsonl:3")
    article: Article
    where: str  # "FILE:LINE", or the .txt file's path


@dataclass(frozen=True)
class BadLine:
    where: str  # "FILE:LINE" (a CSV row by the line it starts on)
    message: str


def read_feed(inputs: Sequence[str | Path]) -> Iterator[FeedArticle | BadLine]:
    """The articles of the inputs (``.jsonl``, ``.csv``, ``.txt`` files and folders of ``.txt``
    files), in order, one at a time. Raises InputError for an input that does not exist."""
    seen: set[str] = set()
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found = _txt_files(path)
        elif path.is_file() and path.suffix.lower() == ".jsonl":
            found = _jsonl(path)
        elif path.is_file() and path.suffix.lower() == ".csv":
            found = _csv(path)
        elif path.is_file():
            found = _txt_files(path)
        else:
            raise InputError(f"입력을 찾을 수 없습니다: {raw}")
        for entry in found:
            if isinstance(entry, FeedArticle):
                if entry.key in seen:
                    entry = BadLine(entry.where, f"id가 두 번 나옵니다: {entry.key}")
                else:
                    seen.add(entry.key)
            yield entry


def article_of(data: object, where: str) -> FeedArticle | BadLine:
    """The article of one parsed line (a dict with ``text`` …), or why it is not one."""
    if not isinstance(data, dict):
        return BadLine(where, "기사 줄은 JSON 객체여야 합니다")
    raw_id = data.get("id")
    if raw_id is not None and (not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool)):
        return BadLine(where, '"id"는 문자열 또는 정수여야 합니다')
    fields = {k: (v if v != "" else None) for k, v in data.items() if k != "id"}
    try:
        article = to_article(fields, 1)
    except InputError as exc:
        return BadLine(where, _NUMBERED.sub("", str(exc)))
    if not article.text.strip():
        return BadLine(where, "본문 text가 비어 있습니다")
    key = where if raw_id is None or str(raw_id).strip() == "" else str(raw_id)
    return FeedArticle(key, article, where)


def _jsonl(path: Path) -> Iterator[FeedArticle | BadLine]:
    for number, raw in jsonl_lines(path):
        where = f"{path}:{number}"
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield BadLine(where, "UTF-8 텍스트가 아닌 줄입니다")
            continue
        except json.JSONDecodeError as exc:
            yield BadLine(where, f"JSON 줄이 아닙니다 ({exc.msg})")
            continue
        yield article_of(data, where)


def _csv(path: Path) -> Iterator[FeedArticle | BadLine]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        start = reader.line_num + 1
        try:
            for row in reader:
                where = f"{path}:{start}"
                start = reader.line_num + 1
                if None in row:  # more cells than the header has names
                    yield BadLine(where, "머리글보다 칸이 많은 줄입니다")
                    continue
                yield article_of(row, where)
        except (csv.Error, UnicodeDecodeError) as exc:
            yield BadLine(f"{path}:{start}", f"CSV를 더 읽을 수 없습니다 ({exc})")


def _txt_files(path: Path) -> Iterator[FeedArticle | BadLine]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file()) if path.is_dir() else [path]
    for file in files:
        where = os.path.normpath(file)
        try:
            text = read_text_file(file)
        except (SummarizerError, OSError) as exc:
            yield BadLine(where, str(exc))
            continue
        yield article_of({"text": text}, where) if text.strip() else BadLine(where, "본문이 비어 있습니다")
