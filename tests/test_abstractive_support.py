"""Builders and fixtures shared by the KoBART tests (no tests here): a tokenizer trained in-test,
tiny BARTs, KoBART's real shape with random weights, a stand-in for generate().

The tiny tokenizer is a Metaspace BPE trained on the bundled seed pages with KoBART's seven special
tokens at KoBART's ids, so the engine sees the same kind of tokenizer it gets from a real checkpoint.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

SPECIALS = ["<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>"]
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
# Token ids as gogamza/kobart-summarization sets them (bos 0, decoder start and forced eos 2),
# unlike kobart-base-v2 (all 1): tests use both to prove nothing is hard-coded.
SUMMARIZATION_IDS = {"bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 3,
                     "decoder_start_token_id": 2, "forced_eos_token_id": 2}
# Pages in which every sentence names 삼성전자 and none says 9999억, and a summary of them that
# invents that number: its bullet must be flagged for 9999억 and for nothing else.
SAMSUNG_PAGES = [
    ("삼성전자는 평택 반도체 공장에 5000억 원을 투자한다고 밝혔다. 삼성전자는 새 공장을 내년 봄에 짓기 시작한다.\n"
     "삼성전자 관계자는 반도체 수요가 크게 늘었다고 말했다."),
    "삼성전자가 평택 반도체 공장에 5000억 원을 투자한다. 삼성전자는 이번 투자로 일자리가 늘어난다고 설명했다.",
]
INVENTED = "삼성전자가 9999억 원을 새로 투자한다."
TINY_DIMS = {"d_model": 32, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
             "decoder_attention_heads": 2, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
             "max_position_embeddings": 1026, "dropout": 0.0}


def train_tokenizer(dest: Path, vocab_size: int = 1200) -> Path:
    """Train a small KoBART-style BPE tokenizer on the seed pages; return the tokenizer.json path."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    texts = [line for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]
    tokenizer.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS))
    path = dest / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def tiny_checkpoint(dest: Path, tokenizer_file: Path, token_ids: dict | None = None, seed: int = 0) -> Path:
    """A random BART of tiny width but KoBART's 1,026 positions, saved with ``tokenizer_file``."""
    from tokenizers import Tokenizer

    from summarizer.checkpoints import random_checkpoint

    vocab = Tokenizer.from_file(str(tokenizer_file)).get_vocab_size()
    config = {"model_type": "bart", "vocab_size": vocab, **TINY_DIMS, **(token_ids or SUMMARIZATION_IDS)}
    return random_checkpoint(config, tokenizer_file, dest, seed=seed)


def fixed_generate(engine, ids: list[int], max_calls: int = 20):
    """A stand-in for ``engine.generator.generate`` (either backend) that writes ``ids`` for every
    input; it fails after ``max_calls`` calls, so a map-reduce that never ends fails instead of
    hanging."""
    calls = 0

    def generate(inputs, options):
        nonlocal calls
        calls += 1
        assert calls <= max_calls, "map-reduce did not end"
        return [[engine.ids.decoder_start, *ids, engine.ids.eos] for _ in inputs]

    return generate


def real_shaped_checkpoint(dest: Path, kobart_assets: Path) -> Path:
    """KoBART's own config.json and tokenizer.json with random weights (about 500 MB on disk)."""
    from summarizer.checkpoints import random_checkpoint

    config = json.loads((kobart_assets / "config.json").read_text(encoding="utf-8"))
    return random_checkpoint(config, kobart_assets / "tokenizer.json", dest)


@pytest.fixture(scope="module")
def tiny_tokenizer(tmp_path_factory) -> Path:
    return train_tokenizer(tmp_path_factory.mktemp("tokenizer"))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, tiny_tokenizer) -> Path:
    return tiny_checkpoint(tmp_path_factory.mktemp("tiny"), tiny_tokenizer)
