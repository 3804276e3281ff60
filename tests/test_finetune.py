"""Fine-tuning: KoBART-correct labels and decoder inputs, loss going down, safetensors checkpoints,
exact resume, and a fine-tuned model whose unsupported number the engine's fact check flags."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_abstractive_support import tiny_model, tiny_tokenizer  # noqa: F401 (fixtures)
from tokenizers import Tokenizer

from summarizer import InputError, finetune, summarize
from summarizer.abstractive import KobartOptions, TokenIds, load_checkpoint
from summarizer.finetune import Settings, collate, main, make_example, read_pairs, train_step
from summarizer.korean import split_sentences

SUMMARIZATION = TokenIds(bos=0, eos=1, pad=3, decoder_start=2, forced_eos=2)
BASE_V2 = TokenIds(bos=1, eos=1, pad=3, decoder_start=1, forced_eos=1)
# Not what the seed pages say (they report 5000억 달러): a fine-tuned model that writes this
# makes a bullet with an unsupported number.
TARGET = "삼성전자는 7000억 달러를 투자한다고 밝혔다."


@pytest.fixture(scope="module")
def seed_jsonl(tmp_path_factory, seed_articles) -> Path:
    """The seed pages as training pairs whose summary is TARGET, plus a line without one."""
    path = tmp_path_factory.mktemp("data") / "pairs.jsonl"
    rows = [{"article_sents": [s.text for s in spans], "abstractive": TARGET}
            for spans in split_sentences(seed_articles)]
    rows.append({"article_sents": ["요약이 없는 기사입니다."], "abstractive": None})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _pairs_batch(tokenizer, ids, seed_articles, sentences=4):
    examples = [make_example([s.text for s in spans[:sentences]], TARGET, tokenizer, ids)
                for spans in split_sentences(seed_articles[:2])]
    return collate(examples, ids.pad)


@pytest.mark.parametrize("ids", [SUMMARIZATION, BASE_V2], ids=["summarization-ids", "base-v2-ids"])
@pytest.mark.parametrize("tokenizer_file", ["kobart", "tiny"])
def test_examples_wrap_inputs_and_shift_decoder_inputs_with_the_checkpoint_ids(ids, tokenizer_file, request, seed_articles):
    if tokenizer_file == "kobart":
        tokenizer_file = request.getfixturevalue("kobart_assets") / "tokenizer.json"
    else:
        tokenizer_file = request.getfixturevalue("tiny_tokenizer")
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    sentences = [s.text for s in split_sentences(seed_articles[:1])[0]]  # over 1,024 tokens
    example = make_example(sentences, TARGET, tokenizer, ids)
    target = tokenizer.encode(TARGET, add_special_tokens=False).ids
    assert example.labels == [*target, ids.eos]
    assert example.decoder_input_ids == [ids.decoder_start, *target]
    assert example.decoder_input_ids[1:] == example.labels[:-1]
    assert example.input_ids[0] == ids.bos and example.input_ids[-1] == ids.eos
    assert len(example.input_ids) <= 1024 and example.shortened
    encoded = [e.ids for e in tokenizer.encode_batch(sentences, add_special_tokens=False)]
    body = example.input_ids[1:-1]
    kept = next(k for k in range(len(encoded) + 1) if sum(map(len, encoded[:k])) == len(body))
    assert body == [t for seq in encoded[:kept] for t in seq]  # whole leading sentences
    assert make_example(sentences[:3], TARGET, tokenizer, ids).shortened is False
    assert make_example(sentences[:3], TARGET * 20, tokenizer, ids) is None  # over 128 target tokens


def test_collate_pads_inputs_with_pad_and_labels_with_ignore_index(tiny_tokenizer):
    tokenizer = Tokenizer.from_file(str(tiny_tokenizer))
    short = make_example(["회동했다."], "회동", tokenizer, SUMMARIZATION)
    long = make_example(["이재용 삼성전자 회장과 손정의 회장이 회동했다."], TARGET, tokenizer, SUMMARIZATION)
    batch = collate([short, long], SUMMARIZATION.pad)
    gap = len(long.labels) - len(short.labels)
    assert gap > 0 and batch["labels"][0].tolist() == short.labels + [-100] * gap
    assert batch["decoder_input_ids"][0].tolist() == short.decoder_input_ids + [SUMMARIZATION.pad] * gap
    assert batch["input_ids"][1].tolist() == long.input_ids
    assert batch["attention_mask"].sum().item() == len(short.input_ids) + len(long.input_ids)


def test_read_pairs_skips_missing_summaries_and_names_bad_lines(tmp_path, seed_jsonl):
    pairs, skipped = read_pairs(seed_jsonl)
    assert len(pairs) == 5 and skipped == 1 and all(summary == TARGET for _, summary in pairs)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(seed_jsonl.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:7"):
        read_pairs(bad)
    bad.write_text(json.dumps({"article_sents": "한 문자열", "abstractive": "요약"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1"):
        read_pairs(bad)


def test_read_pairs_skips_blank_summaries_and_reads_a_bom(tmp_path):
    path = tmp_path / "blank.jsonl"
    rows = [{"article_sents": ["기사 문장입니다."], "abstractive": summary} for summary in [" \n\t ", "", " 요약 "]]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8-sig")
    assert read_pairs(path) == ([(["기사 문장입니다."], "요약")], 2)


def test_one_step_lowers_the_loss_on_a_tiny_model(tiny_model, seed_articles):
    model, tokenizer = load_checkpoint(tiny_model)
    ids = TokenIds.from_model(model)
    batch = _pairs_batch(tokenizer, ids, seed_articles)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = train_step(model, optimizer, batch, lr=1e-3)
    with torch.no_grad():
        after = float(model.eval()(**batch).loss)
    assert after < before


@pytest.mark.slow
def test_one_step_lowers_the_loss_on_the_real_kobart_shape(kobart_assets, seed_articles):
    from transformers import BartConfig, BartForConditionalGeneration

    torch.manual_seed(0)
    config = BartConfig.from_dict(json.loads((kobart_assets / "config.json").read_text(encoding="utf-8")))
    model = BartForConditionalGeneration(config)
    tokenizer = Tokenizer.from_file(str(kobart_assets / "tokenizer.json"))
    batch = _pairs_batch(tokenizer, TokenIds.from_model(model), seed_articles, sentences=3)
    with torch.no_grad():
        before = float(model.eval()(**batch).loss)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    train_step(model, optimizer, batch, lr=1e-4)
    with torch.no_grad():
        after = float(model.eval()(**batch).loss)
    assert after < before


class Killed(Exception):
    """The process dying mid-run."""


def test_finetune_command_saves_safetensors_and_resumes_exactly(tmp_path, tiny_model, seed_jsonl, monkeypatch):
    args = [str(seed_jsonl), "--model", str(tiny_model), "--max-steps", "8", "--save-every", "2",
            "--batch-size", "2", "--lr", "1e-3"]
    out = tmp_path / "run"
    assert main([*args, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint-6", "checkpoint-8"]
    final = out / "checkpoint-8"
    assert {"model.safetensors", "optimizer.safetensors", "tokenizer.json", "config.json"} <= {
        p.name for p in final.iterdir()}
    assert not list(final.glob("*.bin")) and not list(final.glob("*.pt"))
    assert json.loads((final / "trainer_state.json").read_text())["step"] == 8
    uninterrupted = load_file(final / "model.safetensors")

    killed = tmp_path / "killed"  # a run killed after its step-2 checkpoint
    steps = []

    def step_then_die(*call, **named):
        steps.append(1)
        if len(steps) > 2:
            raise Killed
        return train_step(*call, **named)

    with monkeypatch.context() as patch:
        patch.setattr(finetune, "train_step", step_then_die)
        with pytest.raises(Killed):
            main([*args, "--out", str(killed)])
    assert [p.name for p in killed.iterdir()] == ["checkpoint-2"]
    # The resumed run saves steps 4, 6 and 8; keeping the newest two deletes checkpoint-2, the one
    # it resumed from, before the last save.
    assert main([*args, "--out", str(killed), "--resume"]) == 0
    assert sorted(p.name for p in killed.iterdir()) == ["checkpoint-6", "checkpoint-8"]
    assert (killed / "checkpoint-8" / "tokenizer.json").read_bytes() == (tiny_model / "tokenizer.json").read_bytes()
    resumed = load_file(killed / "checkpoint-8" / "model.safetensors")
    assert uninterrupted.keys() == resumed.keys()
    assert all(torch.allclose(uninterrupted[k], resumed[k], atol=1e-6) for k in resumed)
    start = load_file(tiny_model / "model.safetensors")
    assert not all(torch.equal(uninterrupted[k], start[k]) for k in resumed)  # training did change the weights


def test_resume_refuses_a_different_learning_rate_schedule(tmp_path, tiny_model, seed_jsonl, capsys):
    def run(max_steps: str, lr: str, *extra: str) -> int:
        return main([str(seed_jsonl), "--model", str(tiny_model), "--out", str(tmp_path / "run"), "--max-steps",
                     max_steps, "--lr", lr, "--save-every", "2", "--batch-size", "2", *extra])

    assert run("2", "1e-3") == 0
    capsys.readouterr()
    assert run("2", "2e-3", "--resume") == 2
    assert "달라진 것: --lr" in capsys.readouterr().err
    assert run("4", "1e-3", "--resume") == 2
    assert "총 스텝 수 2 -> 4" in capsys.readouterr().err
    assert run("2", "1e-3", "--resume") == 0


@pytest.mark.parametrize("option", ["--epochs", "--max-steps"])
def test_finetune_refuses_zero_epochs_or_steps(option, tmp_path, tiny_model, seed_jsonl, capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(seed_jsonl), "--model", str(tiny_model), "--out", str(tmp_path / "o"), option, "0"])
    assert stop.value.code == 2 and option in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    with pytest.raises(InputError):
        Settings(data="pairs.jsonl", **{option[2:].replace("-", "_"): 0})


def test_finetune_rejects_data_without_pairs(tmp_path, tiny_model, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text(json.dumps({"article_sents": ["기사"], "abstractive": None}) + "\n", encoding="utf-8")
    assert main([str(empty), "--model", str(tiny_model), "--out", str(tmp_path / "o")]) == 2
    assert "학습할" in capsys.readouterr().err


@pytest.mark.slow
def test_a_finetuned_model_writes_its_target_and_the_fact_check_flags_the_invented_number(
    tmp_path, tiny_model, seed_jsonl, seed_articles
):
    out = tmp_path / "learned"
    assert main([str(seed_jsonl), "--model", str(tiny_model), "--out", str(out), "--max-steps", "150",
                 "--save-every", "150", "--batch-size", "5", "--lr", "3e-3", "--warmup", "0.05"]) == 0
    options = KobartOptions(model=str(out / "checkpoint-150"), num_beams=1, max_new_tokens=24, min_new_tokens=0)
    briefing = summarize(seed_articles, method="kobart", kobart=options)
    assert briefing.bullets
    for bullet in briefing.bullets:
        assert bullet.text == TARGET
        assert "7000억" in bullet.flags and "삼성전자" not in bullet.flags
    assert "⚠ 확인 필요: " in briefing.to_markdown()
