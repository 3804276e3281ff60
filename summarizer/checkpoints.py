"""Known KoBART checkpoints (the registry shipped in this package) and getting their weights onto
this machine.

Weights live in the models folder (:data:`MODELS_DIR`): ``$KO_BRIEF_MODELS`` when set, else the
checkout's ``models/`` when running from a clone, else the user's data folder (platformdirs).
Loading never touches the network: :func:`locate` looks only in ``<models>/<name>/`` and the local
Hugging Face cache, so missing weights fail at once with the command that fetches them (instead of
the hub client's ~20 s retry loop). :func:`fetch` (``ko-brief fetch NAME``) is the one place that
downloads; it honours ``HF_HUB_OFFLINE`` and always leaves safetensors weights.

This module imports neither torch nor transformers at import time (they take seconds to load).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from summarizer.errors import ModelUnavailableError

MODELS_ENV = "KO_BRIEF_MODELS"
# Package data, so an installed wheel has it too.
REGISTRY_FILE = files(__package__).joinpath("registry.json")


def default_models_dir() -> Path:
    """Where weights go: ``$KO_BRIEF_MODELS``, else a clone's ``models/``, else the user data folder.

    The user data folder (``~/.local/share/ko-brief/models`` on Linux, platformdirs' choice on
    macOS and Windows) rather than a cache folder: fine-tuned checkpoints are written there too,
    and on an offline machine fetched weights cannot be fetched again.
    """
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV]).expanduser()
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "models"
    from platformdirs import user_data_path

    return user_data_path("ko-brief") / "models"


MODELS_DIR = default_models_dir()  # read once at import, like HF_HOME
# What a usable checkpoint folder holds; weights as *.safetensors.
REQUIRED_FILES = ("config.json", "tokenizer.json")
DOWNLOAD_PATTERNS = [
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "README.md",
    "*.safetensors",
    "*.safetensors.index.json",
]
TOKEN_ID_NAMES = ("bos", "eos", "pad", "decoder_start", "forced_eos")
# Seconds the one reachability request of ``fetch`` may take (connecting and answering).
HUB_PROBE_TIMEOUT = 2.0
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


@dataclass(frozen=True)
class Checkpoint:
    """One entry of the checkpoint registry (summarizer/registry.json)."""

    name: str
    hub_id: str
    revision: str  # a commit hash: what `fetch` downloads and the HF cache is searched for
    licence: str
    notes: str
    token_ids: dict[str, int]  # as the checkpoint's config sets them (documentation + fetch check)


@lru_cache(maxsize=1)
def _registry_data() -> dict[str, Any]:
    return json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))


def registry() -> dict[str, Checkpoint]:
    """All known checkpoints by name, in registry order."""
    return {
        name: Checkpoint(name=name, **entry) for name, entry in _registry_data()["checkpoints"].items()
    }


def default_name() -> str:
    """The checkpoint used when KobartOptions.model is None."""
    return _registry_data()["default"]


def folder_name(source: str) -> str:
    """Models-folder sub-folder for a registry name or hub id (``owner/name`` -> ``owner--name``)."""
    return source.replace("/", "--")


def has_weights(folder: Path) -> bool:
    """True when ``folder`` holds config.json, tokenizer.json and safetensors weights."""
    return (
        folder.is_dir()
        and all((folder / f).is_file() for f in REQUIRED_FILES)
        and any(folder.glob("*.safetensors"))
    )


def _hub_target(source: str) -> tuple[str, str | None]:
    """(hub id, revision) for a registry name or a hub id; raises for anything else."""
    known = registry()
    if source in known:
        return known[source].hub_id, known[source].revision
    if _HUB_ID.fullmatch(source):
        return source, None
    raise ModelUnavailableError(
        f"알 수 없는 KoBART 모델 '{source}'입니다. 등록된 이름({', '.join(known)}), "
        "허브 ID(owner/name) 또는 체크포인트 폴더 경로를 지정하세요."
    )


def _from_hf_cache(hub_id: str, revision: str | None) -> Path | None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    try:
        snapshot = Path(snapshot_download(hub_id, revision=revision, local_files_only=True))
    except (OSError, ValueError):  # LocalEntryNotFoundError is an OSError
        return None
    return snapshot if has_weights(snapshot) else None


def locate(source: str | None = None) -> Path:
    """The local folder holding ``source`` (registry name, hub id or folder path; None = default).

    Looks in the folder itself, then ``<models>/<name>/``, then the Hugging Face cache at the pinned
    revision; never downloads. Raises ModelUnavailableError naming ``ko-brief fetch <name>``.
    """
    source = source or default_name()
    path = Path(source).expanduser()
    if path.is_dir():
        if has_weights(path):
            return path
        raise ModelUnavailableError(
            f"폴더 '{path}'에 KoBART 체크포인트가 없습니다: {', '.join(REQUIRED_FILES)}와 "
            "*.safetensors 가중치가 필요합니다."
        )
    if source.startswith((".", "/", "~")) or source.count("/") > 1:
        raise ModelUnavailableError(f"KoBART 체크포인트 폴더 '{source}'가 없습니다.")
    hub_id, revision = _hub_target(source)
    local = MODELS_DIR / folder_name(source)
    if has_weights(local):
        return local
    cached = _from_hf_cache(hub_id, revision)
    if cached is not None:
        return cached
    raise ModelUnavailableError(
        f"KoBART 가중치({hub_id})가 이 컴퓨터에 없습니다. 인터넷이 되는 곳에서 "
        f"`ko-brief fetch {source}`를 실행해 {MODELS_DIR / folder_name(source)}에 받아 두세요."
    )


def fetch(source: str, revision: str | None = None) -> Path:
    """Download ``source`` (registry name or hub id) into ``<models>/<name>/`` as safetensors.

    Checkpoints that ship only ``pytorch_model.bin`` are converted once, loading the pickle with
    torch's ``weights_only`` guard. Honours HF_HUB_OFFLINE (then only the local cache can serve).
    With CTranslate2 installed, the checkpoint is also converted to its int8 model
    (``<models>/<name>/ctranslate2-int8/``), again whenever the download changed the weights.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.constants import ENDPOINT, is_offline_mode
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    hub_id, pinned = _hub_target(source)
    revision = revision or pinned
    dest = MODELS_DIR / folder_name(source)
    before = _weights_stamp(dest)
    try:
        if not is_offline_mode() and not _hub_answers(hub_id, revision):
            try:  # what an earlier fetch left in ``dest`` still serves
                snapshot_download(hub_id, revision=revision, local_dir=dest, allow_patterns=DOWNLOAD_PATTERNS,
                                  local_files_only=True)
            except OSError as exc:
                raise ModelUnavailableError(
                    f"허브({ENDPOINT})에 연결하지 못했습니다. 인터넷 연결을 확인한 뒤 다시 실행하세요 "
                    f"(프록시나 HF_ENDPOINT 설정도 확인하세요). '{hub_id}'는 받지 않았습니다."
                ) from exc
        snapshot_download(hub_id, revision=revision, local_dir=dest, allow_patterns=DOWNLOAD_PATTERNS)
        if not any(dest.glob("*.safetensors")):
            with tempfile.TemporaryDirectory() as tmp:
                snapshot_download(
                    hub_id, revision=revision, local_dir=tmp,
                    allow_patterns=["config.json", "pytorch_model.bin"],
                )
                convert_to_safetensors(Path(tmp), dest)
    except RevisionNotFoundError as exc:
        raise ModelUnavailableError(
            f"'{hub_id}'에 리비전 '{revision or 'main'}'이 없습니다. --revision에 있는 커밋, 브랜치 또는 태그를 주세요."
        ) from exc
    except RepositoryNotFoundError as exc:  # also gated or private repositories
        raise ModelUnavailableError(
            f"허브({ENDPOINT})에 '{hub_id}' 저장소가 없거나 접근할 수 없습니다. 이름을 확인하세요."
        ) from exc
    except OSError as exc:  # other hub errors (HTTP, offline, missing files, connection) are OSErrors
        hint = " HF_HUB_OFFLINE=1이 설정되어 있어 내려받지 않았습니다." if is_offline_mode() else ""
        raise ModelUnavailableError(f"'{hub_id}'를 내려받지 못했습니다.{hint} ({exc})") from exc
    if not has_weights(dest):
        raise ModelUnavailableError(
            f"'{hub_id}'에 {', '.join(REQUIRED_FILES)} 또는 가중치가 없어 사용할 수 없습니다."
        )
    from summarizer import ct2

    if ct2.installed():
        ct2.convert(dest, force=_weights_stamp(dest) != before)
    return dest


def _weights_stamp(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of each weights file: what tells a fetch that changed them from one that did not."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.safetensors")}


def _hub_answers(hub_id: str, revision: str | None) -> bool:
    """One short try at the hub (the model's info at ``revision``): False when it cannot be reached.

    huggingface_hub retries an unreachable hub with backoff for about 24 s when listing a pinned
    revision's files (its http_backoff: 5 retries, waits of 1-8 s); this one request has no retry,
    so ``fetch`` says at once that the hub is down. Missing repositories and revisions raise here.
    """
    import httpx2  # huggingface_hub's HTTP client
    from huggingface_hub import HfApi

    try:
        HfApi().model_info(hub_id, revision=revision, timeout=HUB_PROBE_TIMEOUT)
    except httpx2.TransportError:  # refused, unresolvable, timed out, proxy failures
        return False
    return True


def convert_to_safetensors(src: Path, dest: Path) -> None:
    """Re-save the weights of a pytorch_model.bin BART checkpoint in ``src`` as safetensors in ``dest``.

    Only the weights: the config files in ``dest`` stay as downloaded (so a second fetch finds
    them unchanged and downloads nothing).
    """
    from transformers import BartForConditionalGeneration

    model = BartForConditionalGeneration.from_pretrained(src, use_safetensors=False)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        dest.mkdir(parents=True, exist_ok=True)
        for weights in Path(tmp).glob("*.safetensors*"):
            shutil.move(weights, dest / weights.name)


def pick_token_ids(generation: dict[str, Any], config: dict[str, Any]) -> dict[str, int | None]:
    """The special-token ids by TOKEN_ID_NAMES: the generation config's, else the config's; of a
    list of ids, the first."""
    found = {}
    for name in TOKEN_ID_NAMES:
        value = generation.get(f"{name}_token_id")
        if value is None:
            value = config.get(f"{name}_token_id")
        found[name] = value[0] if isinstance(value, list) else value
    return found


def config_token_ids(folder: Path) -> dict[str, int | None]:
    """The special-token ids a checkpoint folder's config files set (as the engine reads them)."""
    generation_file = folder / "generation_config.json"
    generation = json.loads(generation_file.read_text(encoding="utf-8")) if generation_file.is_file() else {}
    return pick_token_ids(generation, json.loads((folder / "config.json").read_text(encoding="utf-8")))


def random_checkpoint(config: dict[str, Any], tokenizer_file: Path, dest: Path, seed: int = 0) -> Path:
    """Save a BART with ``config`` and random weights plus ``tokenizer_file`` into ``dest``.

    For offline tests and benchmarks of the real shapes and limits (summaries are noise).
    """
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    torch.manual_seed(seed)
    model = BartForConditionalGeneration(BartConfig.from_dict(config))
    model.save_pretrained(dest)
    (dest / "tokenizer.json").write_bytes(Path(tokenizer_file).read_bytes())
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    """``ko-brief fetch NAME``: download a checkpoint into <models>/NAME/ (``--list`` shows the registry)."""
    parser = argparse.ArgumentParser(
        prog="ko-brief fetch",
        description=f"KoBART 체크포인트를 모델 폴더(<이름>/)에 safetensors로 내려받아 오프라인에서 쓰게 합니다. "
        f"모델 폴더는 {MODELS_ENV} 환경 변수로 바꿀 수 있습니다 (지금: {MODELS_DIR}).",
    )
    parser.add_argument("name", nargs="?", help=f"등록된 이름 또는 허브 ID owner/name (기본 {default_name()})")
    parser.add_argument("--revision", help="커밋, 브랜치 또는 태그 (기본: 등록부에 고정된 커밋)")
    parser.add_argument("--list", action="store_true", help="등록된 체크포인트 목록을 보여 주고 끝냅니다")
    args = parser.parse_args(argv)
    if args.list:
        print(f"모델 폴더: {MODELS_DIR} ({MODELS_ENV}로 바꿀 수 있습니다)")
        for entry in registry().values():
            state = "받음" if has_weights(MODELS_DIR / entry.name) else "받지 않음"
            marker = " (기본)" if entry.name == default_name() else ""
            print(f"{entry.name}{marker}: {entry.hub_id}@{entry.revision[:7]} [{entry.licence}] {state}")
            print(f"    {entry.notes}")
        return 0
    name = args.name or default_name()
    try:
        dest = fetch(name, args.revision)
    except ModelUnavailableError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 1
    print(f"{name}: {dest}에 저장했습니다.")
    from summarizer import ct2

    if ct2.is_converted(dest):
        print(f"CTranslate2 int8 모델: {ct2.converted_folder(dest)}")
    expected = registry()[name].token_ids if name in registry() else None
    found = config_token_ids(dest)
    if expected is not None and any(found[k] != v for k, v in expected.items()):
        print(f"주의: 토큰 id {found}가 등록부의 {expected}와 다릅니다. 엔진은 체크포인트의 id를 씁니다.",
              file=sys.stderr)
    return 0
