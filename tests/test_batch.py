"""The batch output file: the lock, files that must not be outputs, records that are always valid
UTF-8 whatever an id holds, and inputs read as a stream."""
from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from records import read_records
from summarizer import batch
from summarizer.cli import main


def write_jsonl(path: Path, items: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item) + "\n")  # ASCII JSON: "\ud800" escapes as a user's tool writes them
    return path


def test_lone_surrogates_in_ids_and_texts_never_halt_the_batch_and_a_rerun_is_a_no_op(
    seed_articles: list[str], tmp_path: Path, capsys, monkeypatch
):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "before", "articles": seed_articles[:1]},
        {"id": "id\ud800", "articles": seed_articles[1:2]},
        {"id": "text", "articles": [seed_articles[2] + "\ud800 끝\udfff"]},
        {"id": "\udc00both", "articles": ["\ud83d"]},
        {"id": "after", "articles": seed_articles[3:4]},
    ])
    out, md = tmp_path / "out.jsonl", tmp_path / "out.md"
    code = main(["summarize", str(source), "--out", str(out), "--markdown", str(md)])
    assert code == 1  # the item whose only text is a lone surrogate has nothing to brief
    records = read_records(out)
    assert [r["id"] for r in records] == ["before", "id\ud800", "text", "\udc00both", "after"]
    assert [r["ok"] for r in records] == [True, True, True, False, True]  # surrogates are normalised away
    assert records[3]["error"]["type"] == "InputError"
    assert b"\\ud800" in out.read_bytes()  # escaped in the JSON text, so the file is UTF-8
    assert "## id\\ud800" in md.read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err

    ran = []
    monkeypatch.setattr(batch, "run_item", lambda item, *a: ran.append(item.id))
    before = out.read_bytes()
    assert main(["summarize", str(source), "--out", str(out)]) == code
    assert ran == [] and out.read_bytes() == before
    assert "이미 처리된 5건을 건너뜁니다" in capsys.readouterr().err


def test_surrogate_ids_print_as_json_on_stdout(tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "x\ud800", "articles": []}])
    assert main(["summarize", str(source), "--format", "json"]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["id"] == "x\ud800"


def test_a_second_run_on_a_locked_output_is_refused_and_writes_nothing(seed_articles, tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    out = tmp_path / "out.jsonl"
    with batch.locked(out):  # another run holds this output
        assert main(["summarize", str(source), "--out", str(out)]) == 2
    assert out.read_bytes() == b""
    err = capsys.readouterr().err
    assert "다른 ko-brief 실행이 이미 이 출력 파일에 쓰고 있습니다" in err and "Traceback" not in err
    assert main(["summarize", str(source), "--out", str(out)]) == 0  # released: the run goes on
    assert [r["id"] for r in read_records(out)] == ["a"]


@pytest.mark.parametrize("link", ["symlink", "hard link", "symlinked folder"])
def test_a_second_writer_through_a_link_to_the_same_output_is_refused(link, seed_articles, tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    out = tmp_path / "real" / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 0
    write_jsonl(source, [{"id": "a", "articles": seed_articles[:1]}, {"id": "b", "articles": seed_articles[1:2]}])
    before = out.read_bytes()
    other = tmp_path / "other.jsonl"
    if link == "symlink":
        other.symlink_to(out)
    elif link == "hard link":
        os.link(out, other)
    else:
        (tmp_path / "alias").symlink_to(out.parent, target_is_directory=True)
        other = tmp_path / "alias" / "out.jsonl"
    with batch.locked(out):  # the first run still writes `out`
        assert main(["summarize", str(source), "--out", str(other)]) == 2
    assert out.read_bytes() == before
    err = capsys.readouterr().err
    assert "다른 ko-brief 실행이 이미 이 출력 파일에 쓰고 있습니다" in err and "Traceback" not in err


def test_retry_failed_through_a_symlink_keeps_the_link_and_the_lock(seed_articles, tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}, {"id": "b", "articles": []}])
    out, link = tmp_path / "out.jsonl", tmp_path / "link.jsonl"
    link.symlink_to(out)
    assert main(["summarize", str(source), "--out", str(link)]) == 1
    write_jsonl(source, [{"id": "a", "articles": seed_articles[:1]}, {"id": "b", "articles": seed_articles[1:2]}])
    assert main(["summarize", str(source), "--out", str(link), "--retry-failed"]) == 0
    assert link.is_symlink() and [(r["id"], r["ok"]) for r in read_records(out)] == [("a", True), ("b", True)]
    # The file that replaces the output when error records are dropped is locked before it
    # takes the output's name: a second run is refused all the same.
    with batch.locked(out) as lock:
        batch.drop_failed(out, lock)
        assert main(["summarize", str(source), "--out", str(out)]) == 2
    assert "이미 이 출력 파일에 쓰고 있습니다" in capsys.readouterr().err


def test_hard_link_of_the_input_as_out_is_refused_as_the_input(seed_articles, tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    link = tmp_path / "out.jsonl"
    os.link(source, link)
    before = source.read_bytes()
    assert main(["summarize", str(source), "--out", str(link)]) == 2
    assert source.read_bytes() == before
    err = capsys.readouterr().err
    assert "출력 파일이 입력 파일과 같습니다" in err and "손상" not in err


def test_device_or_folder_as_out_is_refused_at_once(seed_articles, tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    for target in ("/dev/full", "/dev/zero", str(tmp_path)):
        assert main(["summarize", str(source), "--out", target]) == 2
        err = capsys.readouterr().err
        assert "일반 파일이어야 합니다" in err and "Traceback" not in err


@pytest.mark.parametrize("target", ["/dev/full", "/dev/zero", "folder"])
def test_markdown_that_cannot_be_written_fails_before_any_item(target, seed_articles, tmp_path: Path, capsys, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    ran = []
    monkeypatch.setattr(batch, "run_item", lambda item, *a: ran.append(item.id))
    out = tmp_path / "out.jsonl"
    markdown = str(tmp_path) if target == "folder" else target
    assert main(["summarize", str(source), "--out", str(out), "--markdown", markdown]) == 2
    assert ran == [] and not out.exists()
    err = capsys.readouterr().err
    assert "마크다운 파일은 일반 파일" in err and "Traceback" not in err


def test_markdown_may_go_to_a_stream(seed_articles, tmp_path: Path, capfd):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out), "--markdown", "/dev/stdout"]) == 0
    assert capfd.readouterr().out.startswith("### ")


def test_unwritable_markdown_fails_before_any_item(seed_articles, tmp_path: Path, capsys, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    ran = []
    monkeypatch.setattr(batch, "run_item", lambda item, *a: ran.append(item.id))
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out), "--markdown", str(blocker / "x.md")]) == 2
    assert ran == [] and not out.exists()
    assert "파일을 읽거나 쓸 수 없습니다" in capsys.readouterr().err


def test_jsonl_is_read_one_line_at_a_time(tmp_path: Path):
    line = json.dumps({"id": "x", "articles": ["가" * 2000]}) + "\n"
    source = tmp_path / "big.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for i in range(3000):
            f.write(line.replace('"x"', f'"x{i}"'))
    assert source.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in batch.iter_items([str(source)], per_file=False))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 1_000_000  # a few lines, never the 18 MB file


def test_non_string_article_elements_become_that_items_error_record(tmp_path: Path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "n", "articles": [1, None]}])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 1
    [record] = read_records(out)
    assert record["error"]["type"] == "InputError" and record["error"]["message"]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_as_input_is_refused_without_reading_it(kind, tmp_path: Path, capsys):
    """Named as such, not "input not found"; a FIFO is never opened (that would wait for a writer)."""
    target = "/dev/zero"
    if kind == "fifo":
        target = str(tmp_path / "pipe.txt")
        os.mkfifo(target)
    out = tmp_path / "out.jsonl"
    assert main(["summarize", target, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "일반 파일이나 폴더가 아닙니다" in err and "찾을 수 없습니다" not in err and "Traceback" not in err
    assert not out.exists() or not out.read_bytes()
