"""The `ko-brief` command: seeds to stdout, batch JSONL with error records, resume, kill safety."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer import Briefing, batch, cli
from summarizer.cli import main

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "examples" / "seeds").glob("*.txt"))
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def write_jsonl(path: Path, items: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_seed_folder_prints_a_markdown_briefing_without_importing_torch():
    code = (
        "import sys; from summarizer.cli import main; rc = main(['summarize', 'examples/seeds']); "
        "print('torch imported' if 'torch' in sys.modules else 'no torch', file=sys.stderr); "
        "sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "no torch"
    out = result.stdout
    assert out.startswith("### ")
    bullets = [line for line in out.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 5
    assert "textrank · " in out and "/1500자" in out and "기사 5건" in out
    assert "[5]" in out  # every article is cited in the source list


def test_folder_per_file_writes_one_record_per_file_and_an_error_record(tmp_path: Path, capsys):
    folder = tmp_path / "news"
    folder.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, folder / seed.name)
    (folder / "zz_empty.txt").write_text("   \n", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    assert main(["summarize", str(folder), "--per-file", "--out", str(out), "--max-chars", "600"]) == 1
    records = read_jsonl(out)
    assert [Path(r["id"]).name for r in records] == [SEEDS[0].name, SEEDS[1].name, "zz_empty.txt"]
    assert [r["ok"] for r in records] == [True, True, False]
    assert records[2]["error"]["type"] == "InputError"
    for record in records[:2]:
        briefing = Briefing.from_dict(record["briefing"])
        assert briefing.bullets and briefing.length <= 600 == briefing.max_chars
        assert len(briefing.articles) == 1
    err = capsys.readouterr().err
    assert "zz_empty.txt: " in err and "실패 1건" in err and "Traceback" not in err


def test_folder_is_one_briefing_by_default_and_markdown_file(tmp_path: Path):
    folder = tmp_path / "story"
    folder.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, folder / seed.name)
    out, md = tmp_path / "out.jsonl", tmp_path / "out.md"

    assert main(["summarize", str(folder), "--out", str(out), "--markdown", str(md)]) == 0
    [record] = read_jsonl(out)
    assert record["id"] == os.path.normpath(folder) and record["ok"]
    briefing = Briefing.from_dict(record["briefing"])
    assert len(briefing.articles) == 3
    assert md.read_text(encoding="utf-8") == briefing.to_markdown()


def test_jsonl_bad_items_get_error_records_and_the_run_goes_on(seed_articles: list[str], tmp_path: Path):
    source = tmp_path / "in.jsonl"
    write_jsonl(source, [
        {"id": "first", "articles": seed_articles[:2]},
        {"id": "empty", "articles": []},
        {"id": "english", "articles": ["This is an English sentence. Nothing Korean here."]},
    ])
    with open(source, "a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write(json.dumps({"id": "last", "articles": seed_articles[0]}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"

    assert main(["summarize", str(source), "--out", str(out)]) == 1
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["first", "empty", "english", "in.jsonl:4", "last"]
    assert [r["ok"] for r in records] == [True, False, False, False, True]
    assert {r["error"]["type"] for r in records if not r["ok"]} == {"InputError"}
    assert all(r["error"]["message"] for r in records if not r["ok"])
    assert len(Briefing.from_dict(records[0]["briefing"]).articles) == 2


def test_rerun_skips_ids_already_written(seed_articles: list[str], tmp_path: Path, monkeypatch, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "articles": seed_articles[:1]},
        {"id": "b", "articles": []},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 1
    before = out.read_bytes()

    write_jsonl(source, [
        {"id": "a", "articles": seed_articles[:1]},
        {"id": "b", "articles": []},
        {"id": "c", "articles": seed_articles[2:3]},
    ])
    ran = []
    real_run_item = batch.run_item
    monkeypatch.setattr(batch, "run_item", lambda item, *a: ran.append(item.id) or real_run_item(item, *a))
    capsys.readouterr()
    md = tmp_path / "all.md"
    # "b" failed in the first run and is still failed: the exit status reports it.
    assert main(["summarize", str(source), "--out", str(out), "--markdown", str(md)]) == 1
    assert ran == ["c"]
    assert out.read_bytes().startswith(before)
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert "이미 처리된 2건을 건너뜁니다" in capsys.readouterr().err
    # The markdown file covers every item, the earlier run's too.
    markdown = md.read_text(encoding="utf-8")
    assert [line for line in markdown.splitlines() if line.startswith("## ")] == ["## a", "## b", "## c"]
    assert f"> 실패: {records[1]['error']['message']}" in markdown
    assert Briefing.from_dict(records[0]["briefing"]).to_markdown() in markdown


def test_retry_failed_reprocesses_only_error_records(seed_articles: list[str], tmp_path: Path, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "articles": seed_articles[:1]},
        {"id": "b", "articles": []},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 1
    write_jsonl(source, [
        {"id": "a", "articles": seed_articles[:1]},
        {"id": "b", "articles": seed_articles[:2]},
    ])
    ran = []
    real_run_item = batch.run_item
    monkeypatch.setattr(batch, "run_item", lambda item, *a: ran.append(item.id) or real_run_item(item, *a))

    assert main(["summarize", str(source), "--out", str(out), "--retry-failed"]) == 0
    assert ran == ["b"]
    records = read_jsonl(out)
    assert [(r["id"], r["ok"]) for r in records] == [("a", True), ("b", True)]


def test_truncated_last_line_is_dropped_and_earlier_records_kept(
    seed_articles: list[str], tmp_path: Path, capsys
):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "articles": seed_articles[:1]},
        {"id": "b", "articles": seed_articles[1:2]},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 0
    whole = out.read_bytes()
    first_line = whole.split(b"\n")[0] + b"\n"
    out.write_bytes(first_line + whole[len(first_line):][:57])  # "b" was cut mid-write

    assert main(["summarize", str(source), "--out", str(out)]) == 0
    assert "마지막 줄을 정리했습니다" in capsys.readouterr().err
    repaired = out.read_bytes()
    assert repaired.startswith(first_line)
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b"]


def test_whole_last_record_missing_its_newline_is_kept(seed_articles: list[str], tmp_path: Path, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 0
    out.write_bytes(out.read_bytes().rstrip(b"\n"))
    ran = []
    monkeypatch.setattr(batch, "run_item", lambda item, *a: ran.append(item.id))

    assert main(["summarize", str(source), "--out", str(out)]) == 0
    assert ran == []
    assert out.read_bytes().endswith(b"}\n") and len(read_jsonl(out)) == 1


def test_damaged_line_before_the_end_stops_the_run_and_leaves_the_file(
    seed_articles: list[str], tmp_path: Path, capsys
):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "articles": seed_articles[:1]}])
    out = tmp_path / "out.jsonl"
    damaged = (
        b'{"id": "x", "ok": tru\n'
        b'{"id": "y", "ok": false, "error": {"type": "InputError", "message": "m"}}\n'
    )
    out.write_bytes(damaged)

    assert main(["summarize", str(source), "--out", str(out)]) == 2
    assert out.read_bytes() == damaged
    err = capsys.readouterr().err
    assert "1번째 줄이 손상되었습니다" in err and "Traceback" not in err


def test_out_file_that_is_not_ko_brief_output_is_refused_untouched(tmp_path: Path, capsys):
    notes = tmp_path / "notes.jsonl"
    notes.write_bytes('{"title": "내 메모"}\n'.encode())
    assert main(["summarize", str(SEEDS[0]), "--out", str(notes)]) == 2
    assert notes.read_bytes() == '{"title": "내 메모"}\n'.encode()
    assert "ko-brief 결과(JSONL)가 아닙니다" in capsys.readouterr().err


@pytest.mark.parametrize("clash", ["out-is-input", "markdown-is-input", "out-is-markdown", "out-in-folder"])
def test_outputs_that_would_overwrite_inputs_or_each_other_are_refused(clash: str, tmp_path: Path, capsys):
    folder = tmp_path / "news"
    folder.mkdir()
    page = folder / "page.txt"
    shutil.copy(SEEDS[0], page)
    before = page.read_bytes()
    out, md = str(tmp_path / "out.jsonl"), str(tmp_path / "out.md")
    argv = {
        "out-is-input": [str(page), "--out", str(page)],
        "markdown-is-input": [str(page), "--markdown", str(page)],
        "out-is-markdown": [str(page), "--out", out, "--markdown", out],
        "out-in-folder": [str(folder), "--out", str(folder / "." / "page.txt")],
    }[clash]
    assert main(["summarize", *argv]) == 2
    assert page.read_bytes() == before and not Path(out).exists() and not Path(md).exists()
    err = capsys.readouterr().err
    assert ("입력 파일과 같습니다" in err or "서로 다른 파일" in err) and "Traceback" not in err


def test_jsonl_records_split_on_newlines_only_and_ids_are_checked(seed_articles: list[str], tmp_path: Path):
    article = seed_articles[0].replace("\n", "\u2028", 3)  # line separators copied from a web page
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "u2028", "articles": [article]},
        {"id": None, "articles": seed_articles[:1]},
        {"id": {"nested": 1}, "articles": seed_articles[:1]},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 1
    records = read_jsonl(out)
    assert [(r["id"], r["ok"]) for r in records] == [("u2028", True), ("in.jsonl:2", True), ("in.jsonl:3", False)]
    assert "id" in records[2]["error"]["message"]


def test_jsonl_article_list_is_taken_as_given_and_a_string_is_split(seed_articles: list[str], tmp_path: Path):
    ruled = seed_articles[0].replace("\n", "\n-----\n", 1)  # a page with a rule line inside
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "list", "articles": [ruled, seed_articles[1]]},
        {"id": "string", "articles": seed_articles[0] + "\n---\n" + seed_articles[1]},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 0
    counts = {r["id"]: len(Briefing.from_dict(r["briefing"]).articles) for r in read_jsonl(out)}
    assert counts == {"list": 2, "string": 2}


def test_several_items_on_stdout_keep_their_headings_when_some_fail(tmp_path: Path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    assert main(["summarize", str(SEEDS[0]), str(empty), "--per-file"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"## {os.path.normpath(SEEDS[0])}\n")
    assert "empty.txt" in captured.err and "입력이 비어 있습니다" in captured.err


@pytest.mark.slow
def test_killed_run_loses_nothing_and_rerun_writes_every_id_once(seed_articles: list[str], tmp_path: Path):
    ids = [f"item{i:02d}" for i in range(20)]
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": i, "articles": seed_articles[:2]} for i in ids])
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", str(source), "--out", str(out)]

    with open(tmp_path / "stderr.txt", "wb") as log:
        process = subprocess.Popen(command, cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while not (out.exists() and b"\n" in out.read_bytes()):
                assert process.poll() is None, "the run ended before writing a record"
                assert time.monotonic() < deadline, "no record within 120 s"
                time.sleep(0.002)
            process.kill()  # SIGKILL: no cleanup, no flush
        finally:
            process.wait(timeout=30)
    written_at_kill = out.read_bytes().count(b"\n")
    assert 1 <= written_at_kill < len(ids), "the kill should land mid-run"

    rerun = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    records = read_jsonl(out)  # every line is whole, valid JSON
    assert sorted(r["id"] for r in records) == ids
    assert all(r["ok"] for r in records)


def test_summarizer_error_is_one_clear_line(tmp_path: Path, capsys):
    page = tmp_path / "english.txt"
    page.write_text("Only English text here. No Korean at all.", encoding="utf-8")

    assert main(["summarize", str(page)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ko-brief: {os.path.normpath(page)}: ")
    assert "한국어" in lines[0]


def test_loose_files_form_one_briefing_and_json_format(tmp_path: Path, capsys):
    files = [str(s) for s in SEEDS[:2]]
    assert main(["summarize", *files, "--format", "json", "--max-chars", "500"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["id"] == "+".join(os.path.normpath(f) for f in files)
    briefing = Briefing.from_dict(record["briefing"])
    assert len(briefing.articles) == 2 and briefing.length <= 500


def test_dashes_split_articles_inside_a_file(seed_articles: list[str], tmp_path: Path, capsys):
    page = tmp_path / "two.txt"
    page.write_text(seed_articles[0] + "\n---\n" + seed_articles[1], encoding="utf-8")
    assert main(["summarize", str(page), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert len(record["briefing"]["articles"]) == 2


def test_cp949_file_is_read(seed_articles: list[str], tmp_path: Path, capsys):
    page = tmp_path / "windows.txt"
    page.write_bytes(seed_articles[0].encode("cp949", errors="ignore"))
    assert main(["summarize", str(page), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"]


def test_missing_input_exits_2_with_a_korean_message(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["summarize", "no/such/folder"]) == 2
    err = capsys.readouterr().err
    assert "입력을 찾을 수 없습니다: no/such/folder" in err and "Traceback" not in err


def test_unwritable_output_exits_2_with_a_korean_message(tmp_path: Path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert main(["summarize", str(SEEDS[0]), "--out", str(blocker / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "파일을 읽거나 쓸 수 없습니다" in err and "Traceback" not in err


def test_output_folder_is_created_and_show_removed_lists_what_cleaning_dropped(tmp_path: Path):
    md = tmp_path / "new" / "brief.md"
    out = tmp_path / "new" / "brief.jsonl"
    assert main(["summarize", str(SEEDS[0]), "--out", str(out), "--markdown", str(md), "--show-removed"]) == 0
    [record] = read_jsonl(out)
    assert record["briefing"]["removed"]  # the seed pages carry menus, widgets and counters
    assert "정리 과정에서 제거된 부분" in md.read_text(encoding="utf-8")


def test_duplicate_ids_are_refused(tmp_path: Path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": 1, "articles": ["가"]},
        {"id": "1", "articles": ["나"]},
    ])
    assert main(["summarize", str(source), "--out", str(tmp_path / "out.jsonl")]) == 2
    assert "같은 id" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_fetch_and_finetune_dispatch_to_their_modules(tmp_path: Path, monkeypatch):
    (tmp_path / "fake_checkpoints.py").write_text(
        "seen = []\ndef main(argv):\n    seen.append(argv)\n    return 7\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.DELEGATED, "fetch", ("fake_checkpoints", "test"))
    assert main(["fetch", "--model", "x", "--help"]) == 7
    import fake_checkpoints

    assert fake_checkpoints.seen == [["--model", "x", "--help"]]


def test_missing_delegated_module_gets_a_clear_message(monkeypatch, capsys):
    monkeypatch.setitem(cli.DELEGATED, "finetune", ("summarizer.no_such_module", "test"))
    assert main(["finetune", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "summarizer.no_such_module" in err and "Traceback" not in err


def test_bad_setting_fails_once_before_any_item(tmp_path: Path, capsys):
    out = tmp_path / "out.jsonl"
    code = main(["summarize", str(SEEDS[0]), str(SEEDS[1]), "--per-file", "--max-chars", "5", "--out", str(out)])
    assert code == 2
    assert not out.exists()  # no error record per item that a plain rerun would then skip
    assert "max_chars" in capsys.readouterr().err


def test_missing_kobart_weights_fail_once_before_any_item(tmp_path: Path, monkeypatch, capsys):
    from huggingface_hub import constants

    from summarizer import checkpoints

    monkeypatch.setattr(checkpoints, "MODELS_DIR", tmp_path / "models")  # no local checkpoint
    # and an empty hub cache (HF_HOME is read once, when huggingface_hub is first imported)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    out = tmp_path / "out.jsonl"
    code = main(["summarize", str(SEEDS[0]), str(SEEDS[1]), "--per-file", "--method", "kobart", "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "ko-brief fetch" in capsys.readouterr().err


def test_jsonl_articles_may_be_objects_with_metadata(tmp_path: Path):
    body = "서울시가 4일 청년 주택 공급을 확대한다고 밝혔다. 시는 올해 청년 주택 5000가구를 새로 짓는다. 입주 대상은 무주택 청년이다."
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "meta", "articles": [
            {"text": body, "headline": "서울시, 청년 주택 확대", "press": "가나일보", "date": "2024-03-05",
             "url": "https://example.com/1"},
            "서울시가 청년 주택 5000가구를 짓는다고 4일 밝혔다. 임대료는 주변 시세의 70% 수준이다.",
        ]},
        {"id": "bad", "articles": [{"text": body, "date": "어제"}]},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(source), "--out", str(out)]) == 1
    meta, bad = read_jsonl(out)
    first = Briefing.from_dict(meta["briefing"]).articles[0]
    assert (first.title, first.outlet, first.date, first.url) == ("서울시, 청년 주택 확대", "가나일보", "2024-03-05", "https://example.com/1")
    assert not bad["ok"] and bad["error"]["type"] == "InputError" and "date" in bad["error"]["message"]
