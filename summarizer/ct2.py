"""KoBART on CTranslate2: a checkpoint converted once (``<checkpoint>/ctranslate2-int8/``) and
generation with it, token ids in and out exactly as on the torch path.

CTranslate2 is the maintained CPU inference engine of the field; on KoBART's shape its int8 model
is faster than torch's dynamic int8 and needs about half the memory (docs/kobart.md). Generating
imports neither torch nor transformers (only converting does), so a briefing process holds
Kiwi, this small engine and the ``tokenizers`` library.

Conventions kept from the torch path (summarizer.abstractive): inputs are the engine's own
``[bos] + ids + [eos]`` (the converted model adds no source bos/eos), the decoder starts with the
checkpoint's ``decoder_start`` id, generation stops on its ``eos`` id, and when it reaches
``max_new_tokens`` the checkpoint's ``forced_eos`` id ends it, as transformers' ForcedEOS does.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer.checkpoints import config_token_ids
from summarizer.errors import ModelUnavailableError

# Folder of a converted model inside its checkpoint folder, per weight type.
FOLDER = "ctranslate2-{}"
# KobartOptions.quantize -> CTranslate2 weight type of the converted model.
QUANTIZATION = {True: "int8", False: "float32"}
# The token ids the converted model's config.json names (as tokens) and where the engine reads them.
CONFIG_TOKENS = {"bos_token": "bos", "eos_token": "eos", "decoder_start_token": "decoder_start"}


def installed() -> bool:
    """True when the ``ctranslate2`` package can be imported (the ``ct2`` extra)."""
    return importlib.util.find_spec("ctranslate2") is not None


def converted_folder(checkpoint: Path, quantize: bool = True) -> Path:
    """Where the CTranslate2 model of ``checkpoint`` lives: a sub-folder beside its weights."""
    return Path(checkpoint) / FOLDER.format(QUANTIZATION[quantize])


def is_converted(checkpoint: Path, quantize: bool = True) -> bool:
    """True when ``checkpoint`` has a complete converted model (folders are renamed in whole)."""
    return (converted_folder(checkpoint, quantize) / "model.bin").is_file()


def convert(checkpoint: Path, quantize: bool = True, force: bool = False) -> Path:
    """Convert a BART checkpoint folder with CTranslate2's own converter; return the new folder.

    Nothing is done when the converted model exists (unless ``force``). The converter reads the
    checkpoint with transformers (needs the ``kobart`` extra); the result is written to a temporary
    folder beside it and renamed into place, so a killed conversion leaves nothing half-written.

    Two adjustments, both to what the converter reads or writes, not to the weights:
    - CTranslate2's BartLoader reads ``config.normalize_before``, which only old fairseq-exported
      configs carry (KoBART's own does; a checkpoint saved by transformers, such as ``ko-brief
      finetune``'s, does not: CTranslate2 issue #888). transformers' BART is always post-norm, so
      the converter is given a copy of config.json with ``normalize_before: false`` added.
    - The special tokens in the converted config.json are set from the checkpoint's ids as the
      engine reads them (generation_config.json, else config.json), not the tokenizer's guesses;
      the unknown token, which CTranslate2 requires, from tokenizer.json when the converter found none.
    """
    dest = converted_folder(checkpoint, quantize)
    if dest.joinpath("model.bin").is_file() and not force:
        return dest
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise ModelUnavailableError(
            "CTranslate2가 설치되어 있지 않습니다. 설치: pip install 'ko-news-brief[ct2]'"
        ) from exc
    if importlib.util.find_spec("transformers") is None or importlib.util.find_spec("torch") is None:
        raise ModelUnavailableError(
            f"'{checkpoint}'를 CTranslate2 모델로 바꾸려면 torch와 transformers가 필요합니다. "
            "설치: pip install 'ko-news-brief[kobart]' (변환된 폴더를 다른 컴퓨터에서 복사해 와도 됩니다)"
        )
    ids = config_token_ids(checkpoint)
    try:
        with tempfile.TemporaryDirectory(dir=checkpoint, prefix=".ct2-") as tmp:
            staged, out = Path(tmp) / "checkpoint", Path(tmp) / "converted"
            _stage(Path(checkpoint), staged)
            TransformersConverter(str(staged), low_cpu_mem_usage=True).convert(
                str(out), quantization=QUANTIZATION[quantize])
            _set_tokens(out, ids, Path(checkpoint) / "tokenizer.json")
            if force:
                shutil.rmtree(dest, ignore_errors=True)
            try:
                out.rename(dest)
            except OSError:  # another process finished the same conversion first
                if not dest.joinpath("model.bin").is_file():
                    raise
    except OSError as exc:
        raise ModelUnavailableError(f"'{checkpoint}'를 CTranslate2 모델로 바꾸지 못했습니다: {exc}") from exc
    return dest


def _stage(checkpoint: Path, staged: Path) -> None:
    """``staged``: links to the checkpoint's files and a config.json the converter can read."""
    staged.mkdir()
    for item in checkpoint.iterdir():
        if item.is_file() and item.name != "config.json":
            (staged / item.name).symlink_to(item.resolve())
    config = json.loads((checkpoint / "config.json").read_text(encoding="utf-8"))
    config.setdefault("normalize_before", False)
    (staged / "config.json").write_text(json.dumps(config), encoding="utf-8")


def _set_tokens(converted: Path, ids: dict[str, int | None], tokenizer_file: Path) -> None:
    vocabulary = json.loads((converted / "shared_vocabulary.json").read_text(encoding="utf-8"))
    config_file = converted / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    for key, name in CONFIG_TOKENS.items():
        if ids[name] is None:
            raise ModelUnavailableError(f"체크포인트 설정에 특수 토큰 id가 없습니다: {name}")
        config[key] = vocabulary[ids[name]]
    if not config.get("unk_token"):  # the converter asks transformers, which needs tokenizer_config.json for it
        model = json.loads(tokenizer_file.read_text(encoding="utf-8"))["model"]
        config["unk_token"] = model.get("unk_token") or "<unk>"
    config_file.write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")


class Ct2Generator:
    """Beam search or greedy decoding with a converted model (a ``ctranslate2.Translator``)."""

    name = "ctranslate2"

    def __init__(self, folder: Path, device: str, forced_eos: int | None, eos: int) -> None:
        import ctranslate2

        kind, _, index = device.partition(":")
        self.translator = ctranslate2.Translator(str(folder), device=kind, device_index=int(index or 0),
                                                 intra_threads=intra_threads())
        self.vocabulary: list[str] = json.loads((folder / "shared_vocabulary.json").read_text(encoding="utf-8"))
        self.index = {token: i for i, token in enumerate(self.vocabulary)}
        self.eos = eos
        self.forced_eos = forced_eos

    def decoding(self, options: Any) -> dict[str, Any]:
        """The settings of translate_batch() for ``options`` (KobartOptions)."""
        free = options.max_new_tokens - (self.forced_eos is not None)
        return dict(
            beam_size=options.num_beams,
            patience=1,  # stop when num_beams hypotheses are finished: transformers' early_stopping=True
            length_penalty=options.length_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
            max_decoding_length=free,
            min_decoding_length=min(options.min_new_tokens, free),
            end_token=[self.eos],
            max_input_length=0,  # the engine packs inputs within the model's positions itself
        )

    def generate(self, inputs: Sequence[Sequence[int]], options: Any) -> list[list[int]]:
        """The generated ids of each input (end token left out): one translate_batch() call.

        Lengths count as transformers counts them: with a forced eos, ``max_new_tokens`` includes
        the forced token, so at most ``max_new_tokens - 1`` are chosen freely and the forced one is
        appended when that limit is reached.
        """
        free = options.max_new_tokens - (self.forced_eos is not None)
        results = self.translator.translate_batch([[self.vocabulary[i] for i in seq] for seq in inputs], **self.decoding(options))
        outputs = []
        for result in results:
            ids = [self.index[token] for token in result.hypotheses[0]]
            if self.forced_eos is not None and len(ids) == free:
                ids.append(self.forced_eos)
            outputs.append(ids)
        return outputs


def intra_threads() -> int:
    """The Translator's threads: ``OMP_NUM_THREADS`` when set (as torch reads it; the local process
    pool sets it to each worker's share), else the CPU cores this process may use (CTranslate2's own
    default is 4 whatever the machine)."""
    if (given := os.environ.get("OMP_NUM_THREADS", "").strip()).isdigit() and int(given) > 0:
        return int(given)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
