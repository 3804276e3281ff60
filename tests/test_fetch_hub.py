"""`ko-brief fetch` end to end against a hub-shaped HTTP server on 127.0.0.1.

The real ``huggingface_hub`` client is pointed at the server with HF_ENDPOINT (read when the client
is imported, so every fetch runs in a fresh ``ko-brief`` process). The server answers what the
client asks for a model at a pinned revision: the file tree (``/api/models/{repo}/tree/{rev}``),
model info for a branch or tag (``/api/models/{repo}/revision/{rev}``), and ``HEAD``/``GET
/{repo}/resolve/{rev}/{file}`` with X-Repo-Commit and ETag; weights are LFS files, answered with a
redirect to a blob store on another origin (a second port) with X-Linked-Etag/X-Linked-Size, as the
hub does. Unknown repositories,
revisions and files get the hub's 404s with its X-Error-Code header. Weights are tiny random BARTs.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import torch
from test_abstractive_support import tiny_model, tiny_tokenizer  # noqa: F401 (fixtures)

from summarizer import checkpoints, ct2, summarize
from summarizer.abstractive import KobartOptions

REPO = Path(__file__).resolve().parents[1]
FAST = {"max_new_tokens": 6, "min_new_tokens": 6, "num_beams": 2}
LFS = (".safetensors", ".bin")


class Hub:
    """Repositories as {hub id: (commit, {file name: bytes})}: the hub and its blob store, each a
    server thread on 127.0.0.1 (two ports, so two origins)."""

    def __init__(self, repos: dict[str, tuple[str, dict[str, bytes]]]):
        self.repos = repos
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request to either server
        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), self._handler()) for _ in range(2)]
        self.url, self.blob_url = (f"http://127.0.0.1:{s.server_port}" for s in self.servers)
        self.blobs = {hashlib.sha256(data).hexdigest(): data
                      for _, files in repos.values() for data in files.values()}

    def __enter__(self) -> Hub:
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def downloads(self) -> list[str]:
        """Paths of the GET requests that sent file contents."""
        return [path for method, path in self.requests if method == "GET" and "/api/" not in path]

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):  # keep test output clean
                pass

            def do_HEAD(self):
                self._answer(body=False)

            def do_GET(self):
                self._answer(body=True)

            def _send(self, status: int, headers: dict[str, str], data: bytes, body: bool) -> None:
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(data))}.items():
                    self.send_header(name, value)
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def _error(self, code: str, body: bool) -> None:
                self._send(404, {"X-Error-Code": code, "Content-Type": "application/json"},
                           json.dumps({"error": code}).encode(), body)

            def _answer(self, body: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                hub.requests.append((self.command, path))
                if blob := re.fullmatch(r"/blobs/([0-9a-f]{64})", path):
                    return self._send(200, {}, hub.blobs[blob.group(1)], body)
                api = re.fullmatch(r"/api/models/([^/]+/[^/]+)/(tree|revision)/([^/]+)", path)
                resolve = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
                match = api or resolve
                if not match or match.group(1) not in hub.repos:
                    return self._error("RepoNotFound", body)
                repo_id = match.group(1)
                commit, files = hub.repos[repo_id]
                revision = match.group(3) if api else match.group(2)
                if revision not in (commit, "main"):
                    return self._error("RevisionNotFound", body)
                if api and api.group(2) == "tree":
                    tree = [{"type": "file", "path": name, "size": len(data), "oid": _git_oid(data),
                             **({"lfs": {"oid": hashlib.sha256(data).hexdigest(), "size": len(data),
                                         "pointerSize": 134}} if name.endswith(LFS) else {})}
                            for name, data in files.items()]
                    return self._send(200, {"Content-Type": "application/json"}, json.dumps(tree).encode(), body)
                if api:  # model info at a branch
                    info = {"id": repo_id, "sha": commit, "siblings": [{"rfilename": n} for n in files]}
                    return self._send(200, {"Content-Type": "application/json"}, json.dumps(info).encode(), body)
                name = resolve.group(3)
                if name not in files:
                    return self._error("EntryNotFound", body)
                data = files[name]
                headers = {"X-Repo-Commit": commit, "ETag": f'"{_git_oid(data)}"'}
                if name.endswith(LFS):  # the hub redirects LFS files to their blob store
                    sha256 = hashlib.sha256(data).hexdigest()
                    headers |= {"X-Linked-Etag": f'"{sha256}"', "X-Linked-Size": str(len(data)),
                                "Location": f"{hub.blob_url}/blobs/{sha256}"}
                    return self._send(302, headers, b"", body)
                return self._send(200, headers, data, body)

        return Handler


def _git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture(scope="module")
def hub_repos(tiny_model, tmp_path_factory) -> dict[str, tuple[str, dict[str, bytes]]]:
    """The registry default as published (safetensors) and digit82's as published (.bin only)."""
    from transformers import BartForConditionalGeneration

    known = checkpoints.registry()
    default = known[checkpoints.default_name()]
    pickled = tmp_path_factory.mktemp("bin") / "pytorch_model.bin"
    torch.save(BartForConditionalGeneration.from_pretrained(tiny_model).state_dict(), pickled)
    bin_only = {name: data for name, data in _folder_files(tiny_model).items() if not name.endswith(".safetensors")}
    bin_only["pytorch_model.bin"] = pickled.read_bytes()
    bin_entry = known["digit82-kobart-summarization"]
    return {default.hub_id: (default.revision, _folder_files(tiny_model)),
            bin_entry.hub_id: (bin_entry.revision, bin_only)}


def _fetch(hub: Hub | str, models: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``ko-brief fetch ARGS`` in a fresh process talking to ``hub`` (or that URL) only (no proxy,
    empty HF_HOME)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_") and "proxy" not in k.lower()}
    env |= {"HF_ENDPOINT": hub if isinstance(hub, str) else hub.url, "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HOME": str(tmp_path / "hf"), "NO_PROXY": "127.0.0.1", "KO_BRIEF_MODELS": str(models),
            "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "summarizer", "fetch", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)


@pytest.mark.slow
def test_fetch_downloads_pinned_checkpoints_that_then_load_and_refetching_downloads_nothing(
        hub_repos, tiny_model, tmp_path, monkeypatch, seed_articles):
    from safetensors.torch import load_file

    models = tmp_path / "models"
    with Hub(hub_repos) as hub:
        first = _fetch(hub, models, tmp_path)  # the registry default, at its pinned commit
        assert first.returncode == 0, first.stderr
        default = models / "kobart-summarization"
        assert f"{default}에 저장했습니다" in first.stdout and "주의" not in first.stderr
        for name, data in _folder_files(tiny_model).items():
            assert (default / name).read_bytes() == data
        assert len(hub.downloads()) == len(hub_repos["gogamza/kobart-summarization"][1])
        if ct2.installed():  # converted beside the weights, said in the output
            assert ct2.is_converted(default) and str(ct2.converted_folder(default)) in first.stdout
            converted_at = (ct2.converted_folder(default) / "model.bin").stat().st_mtime_ns

        converted = _fetch(hub, models, tmp_path, "digit82-kobart-summarization")  # .bin only
        assert converted.returncode == 0, converted.stderr
        digit82 = models / "digit82-kobart-summarization"
        assert not list(digit82.glob("*.bin")) and (digit82 / "model.safetensors").is_file()
        assert (digit82 / "config.json").read_bytes() == (tiny_model / "config.json").read_bytes()
        original = load_file(tiny_model / "model.safetensors")
        assert all(torch.equal(t, original[k]) for k, t in load_file(digit82 / "model.safetensors").items())

        hub.requests.clear()
        for args in ([], ["digit82-kobart-summarization"]):
            again = _fetch(hub, models, tmp_path, *args)
            assert again.returncode == 0, again.stderr
        assert hub.downloads() == []  # both already complete at their pinned commits
        if ct2.installed():  # and the weights did not change: not converted again
            assert (ct2.converted_folder(default) / "model.bin").stat().st_mtime_ns == converted_at
    offline = _fetch(f"http://127.0.0.1:{_closed_port()}", models, tmp_path)  # the hub is gone: what is here serves
    assert offline.returncode == 0 and f"{default}에 저장했습니다" in offline.stdout, offline.stderr

    monkeypatch.setattr(checkpoints, "MODELS_DIR", models)
    for model in (None, "digit82-kobart-summarization"):
        briefing = summarize(seed_articles, method="kobart", kobart=KobartOptions(model=model, **FAST))
        assert briefing.method == "kobart" and briefing.bullets


@pytest.mark.slow
def test_fetch_names_a_missing_revision_or_repository_in_korean(hub_repos, tmp_path):
    models = tmp_path / "models"
    with Hub(hub_repos) as hub:
        wrong = _fetch(hub, models, tmp_path, "kobart-summarization", "--revision", "0" * 40)
        assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
        assert f"'gogamza/kobart-summarization'에 리비전 '{'0' * 40}'이 없습니다" in wrong.stderr
        branch = _fetch(hub, models, tmp_path, "kobart-summarization", "--revision", "no-such-branch")
        assert "리비전 'no-such-branch'이 없습니다" in branch.stderr and branch.returncode == 1
        missing = _fetch(hub, models, tmp_path, "someone/no-such-kobart")
        assert missing.returncode == 1 and "Traceback" not in missing.stderr
        assert f"허브({hub.url})에 'someone/no-such-kobart' 저장소가 없거나 접근할 수 없습니다" in missing.stderr
    assert not (models / "someone--no-such-kobart").exists() or not any((models / "someone--no-such-kobart").iterdir())


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_fetch_from_an_unreachable_hub_fails_at_once_with_the_retry_advice_for_every_kind_of_name(tmp_path):
    # huggingface_hub retries a refused connection for ~24 s (0, 1, 3, 7, 15, 23 s) on the pinned
    # revisions of registry names; fetch makes one short try instead. The bound is loose (a hang
    # check on a shared machine): the report gives the measured figure.
    dead = f"http://127.0.0.1:{_closed_port()}"
    for args in ([], ["digit82-kobart-summarization"], ["someone/kobart-news"],
                 ["kobart-base-v2", "--revision", "main"]):
        start = time.perf_counter()
        failed = _fetch(dead, tmp_path / "models", tmp_path, *args)
        elapsed = time.perf_counter() - start
        assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
        assert f"허브({dead})에 연결하지 못했습니다" in failed.stderr
        assert "인터넷 연결을 확인한 뒤 다시 실행하세요" in failed.stderr
        assert elapsed < 10, (args, elapsed)
