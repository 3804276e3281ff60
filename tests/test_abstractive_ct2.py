"""KoBART on CTranslate2: conversion beside the checkpoint (on first use), the engine's choice of
backend, the same tokens as the torch path, the fact check, and no torch in a briefing process.

Tiny random BARTs (test_abstractive_support) converted with CTranslate2's own converter; the
real-shape checks are in test_abstractive_real.py and benchmarks/bench_kobart.py.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from test_abstractive_support import (  # noqa: F401 (tiny_model, tiny_tokenizer are fixtures)
    INVENTED,
    SAMSUNG_PAGES,
    SUMMARIZATION_IDS,
    tiny_checkpoint,
    tiny_model,
    tiny_tokenizer,
)

from summarizer import ModelUnavailableError, ct2, summarize
from summarizer.abstractive import KobartOptions, load_engine

pytestmark = pytest.mark.skipif(not ct2.installed(), reason="ctranslate2 is not installed")
REPO = Path(__file__).resolve().parents[1]
BASE_V2_IDS = {"bos_token_id": 1, "eos_token_id": 1, "pad_token_id": 3,
               "decoder_start_token_id": 1, "forced_eos_token_id": 1}


@pytest.fixture(scope="module")
def varied_model(tmp_path_factory, tiny_tokenizer) -> Path:
    """A tiny BART whose outputs differ by input and run to various lengths (weights drawn wider
    than BART's init, which makes every input decode to the same few tokens)."""
    return tiny_checkpoint(tmp_path_factory.mktemp("varied"), tiny_tokenizer,
                           {**SUMMARIZATION_IDS, "init_std": 0.3})


def test_the_default_engine_converts_on_first_use_and_keeps_the_checkpoints_token_ids(tmp_path, tiny_tokenizer):
    for ids in (SUMMARIZATION_IDS, BASE_V2_IDS):
        folder = tiny_checkpoint(tmp_path / str(ids["decoder_start_token_id"]), tiny_tokenizer, ids)
        assert not ct2.is_converted(folder)
        engine = load_engine(KobartOptions(model=str(folder)))
        assert engine.backend == "ctranslate2" and ct2.is_converted(folder)
        converted = ct2.converted_folder(folder)
        assert converted == folder / "ctranslate2-int8"
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no staging left
        config = json.loads((converted / "config.json").read_text(encoding="utf-8"))
        vocabulary = json.loads((converted / "shared_vocabulary.json").read_text(encoding="utf-8"))
        assert (config["bos_token"], config["eos_token"], config["decoder_start_token"]) == (
            vocabulary[ids["bos_token_id"]], vocabulary[ids["eos_token_id"]], vocabulary[ids["decoder_start_token_id"]])
        assert config["add_source_bos"] is False and config["add_source_eos"] is False  # inputs come wrapped
        assert engine.ids.forced_eos == ids["forced_eos_token_id"]
        assert load_engine(KobartOptions(model=str(folder), backend="torch")).backend == "torch"


def test_greedy_decoding_gives_the_same_tokens_as_torch(varied_model, seed_articles):
    # fp32 on both sides: int8 weights are quantized differently by torch (per tensor) and
    # CTranslate2 (per row), so int8 tokens may part ways (benchmarks/bench_kobart.py measures how far).
    lengths = set()
    for bounds in ({"max_new_tokens": 20, "min_new_tokens": 0}, {"max_new_tokens": 12, "min_new_tokens": 12}):
        options = KobartOptions(model=str(varied_model), quantize=False, num_beams=1, **bounds)
        engines = [load_engine(KobartOptions(**{**vars(options), "backend": b})) for b in ("ctranslate2", "torch")]
        assert [e.backend for e in engines] == ["ctranslate2", "torch"]
        inputs = [engines[0].wrap(ids[:300]) for ids in engines[0].encode(seed_articles)]
        ours, reference = (e.generate(inputs, options) for e in engines)
        assert ours == reference
        assert len({tuple(ids) for ids in ours}) > 1  # outputs depend on the input
        lengths |= {len(ids) for ids in ours}
    # stopped by eos before the limit, and at the limit: max_new_tokens - 1 plus the forced eos
    assert min(lengths) < 19 and 19 in lengths and 11 in lengths


def test_ctranslate2_outputs_go_through_the_same_fact_check(tiny_model):
    options = KobartOptions(model=str(tiny_model), max_new_tokens=32, min_new_tokens=0)
    engine = load_engine(options)
    assert engine.backend == "ctranslate2"
    tokens = [engine.tokenizer.id_to_token(i) for i in engine.encode([INVENTED])[0]]
    translator = mock.Mock()
    translator.translate_batch.side_effect = lambda source, **_: [SimpleNamespace(hypotheses=[tokens])] * len(source)
    with mock.patch.object(engine.generator, "translator", translator):
        briefing = summarize(SAMSUNG_PAGES, method="kobart", kobart=options)
    assert [b.text for b in briefing.bullets] == [INVENTED]
    assert briefing.bullets[0].flags == ["9999억"]  # 삼성전자 is in every source sentence
    [source] = translator.translate_batch.call_args.args[0]
    assert source[0] == engine.tokenizer.id_to_token(engine.ids.bos) and source[-1] == engine.tokenizer.id_to_token(engine.ids.eos)
    settings = translator.translate_batch.call_args.kwargs
    assert (settings["beam_size"], settings["max_decoding_length"], settings["end_token"]) == (4, 31, [engine.ids.eos])


def test_backend_choice_and_the_message_without_ctranslate2(tiny_model, monkeypatch):
    with pytest.raises(ValueError, match="backend"):
        KobartOptions(backend="onnx")
    monkeypatch.setattr(ct2, "installed", lambda: False)
    with pytest.raises(ModelUnavailableError, match=r"ko-news-brief\[ct2\]"):
        load_engine(KobartOptions(model=str(tiny_model), backend="ctranslate2", num_beams=3))
    assert load_engine(KobartOptions(model=str(tiny_model))).backend == "torch"  # auto falls back


def test_translator_threads_follow_omp_num_threads_else_the_usable_cores(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what the local process pool sets per worker
    assert ct2.intra_threads() == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert ct2.intra_threads() == len(os.sched_getaffinity(0))


NO_TORCH = """
import sys
from summarizer import summarize
from summarizer.abstractive import KobartOptions, load_engine
options = KobartOptions(model={model!r}, max_new_tokens=6, min_new_tokens=6, num_beams=2)
pages = [open(p, encoding="utf-8").read() for p in {pages!r}]
briefing = summarize(pages, method="kobart", kobart=options)
print(load_engine(options).backend, len(briefing.bullets), "torch" in sys.modules, "transformers" in sys.modules)
"""


@pytest.mark.slow
def test_a_briefing_on_ctranslate2_imports_neither_torch_nor_transformers(tmp_path, tiny_model):
    model = shutil.copytree(tiny_model, tmp_path / "model")
    ct2.convert(model)  # as `ko-brief fetch` leaves it
    pages = [str(p) for p in sorted((REPO / "examples" / "seeds").glob("*.txt"))]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", NO_TORCH.format(model=str(model), pages=pages)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    backend, bullets, torch_loaded, transformers_loaded = done.stdout.split()
    assert backend == "ctranslate2" and int(bullets) > 0
    assert (torch_loaded, transformers_loaded) == ("False", "False")
