"""KoBART engine: packing within 1,024 tokens, token ids from the checkpoint, map-reduce, batching,
fact check, budget, and the whole summarize(method="kobart") path on a tiny random BART."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
import torch
from test_abstractive_support import (  # noqa: F401 (tiny_model, tiny_tokenizer are fixtures)
    INVENTED,
    SAMSUNG_PAGES,
    SUMMARIZATION_IDS,
    fixed_generate,
    tiny_checkpoint,
    tiny_model,
    tiny_tokenizer,
)

from summarizer import Briefing, ModelUnavailableError, summarize
from summarizer.abstractive import (
    Engine,
    KobartOptions,
    TokenIds,
    fact_check,
    fit_to_budget,
    load_checkpoint,
    load_engine,
    make_bullets,
    pack,
)
from summarizer.briefing import Source
from summarizer.checkpoints import config_token_ids
from summarizer.korean import split_sentences

REPO = Path(__file__).resolve().parents[1]
FAST = {"max_new_tokens": 6, "min_new_tokens": 6, "num_beams": 2}


def _sentences(seed_articles) -> list[list[Source]]:
    """Each seed page as a list of Source sentences (article index, offsets, text)."""
    return [
        [Source(i, s.start, s.end, s.text) for s in spans]
        for i, spans in enumerate(split_sentences(seed_articles))
    ]


# ---------------------------------------------------------------- packing


def test_pack_keeps_every_token_within_budget_in_reading_order():
    pieces = [((0, 30), [3] * 40), ((1, 5), [1] * 25), ((0, 2), [2] * 60), ((2, 0), [4] * 10),
              ((1, 9), [5] * 50), ((0, 90), [6] * 45)]
    chunks = pack(pieces, 100)
    assert all(len(c) <= 100 for c in chunks)
    assert Counter(t for c in chunks for t in c) == Counter(t for _, ids in pieces for t in ids)
    assert len(chunks) == 3  # 230 tokens need 3 inputs of 100; spread evenly, not 100/100/30
    assert max(map(len, chunks)) - min(map(len, chunks)) <= 60
    for chunk in chunks:  # pieces appear in (article, offset) order inside each input
        firsts = [t for i, t in enumerate(chunk) if i == 0 or chunk[i - 1] != t]
        order = {3: (0, 30), 1: (1, 5), 2: (0, 2), 4: (2, 0), 5: (1, 9), 6: (0, 90)}
        assert [order[t] for t in firsts] == sorted(order[t] for t in firsts)


def test_pack_splits_a_sentence_longer_than_the_window_instead_of_cutting_it():
    chunks = pack([((0, 0), list(range(250)))], 100)
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [t for c in chunks for t in c] == list(range(250))


def test_options_reject_settings_that_cannot_work():
    with pytest.raises(ValueError):
        KobartOptions(max_input_tokens=100, max_new_tokens=64)  # a reduce input must hold 2 summaries
    with pytest.raises(ValueError):
        KobartOptions(min_new_tokens=10, max_new_tokens=5)
    with pytest.raises(ValueError):
        KobartOptions(num_beams=0)


def test_options_refuse_no_new_tokens_and_inputs_over_1024_tokens():
    with pytest.raises(ValueError, match="max_new_tokens must be >= 1"):
        KobartOptions(max_new_tokens=0, min_new_tokens=0)
    with pytest.raises(ValueError, match="at most 1024"):
        KobartOptions(max_input_tokens=1025)
    assert KobartOptions(max_input_tokens=1024).max_input_tokens == 1024


def test_input_limit_is_1024_at_most_and_never_more_than_the_model_positions(tiny_model):
    engine = load_engine(KobartOptions(model=str(tiny_model)))
    assert engine.max_positions == 1026  # KoBART's config value
    assert engine.input_limit(KobartOptions()) == 1024
    assert engine.input_limit(KobartOptions(max_input_tokens=200)) == 200
    assert Engine(engine.generator, engine.tokenizer, engine.ids, 300).input_limit(KobartOptions()) == 300


# ---------------------------------------------------------------- fact check


def test_fact_check_flags_numbers_dates_and_names_missing_from_the_sources():
    source = ["트럼프 대통령은 5000억 달러(약 730조 원)를 투자하는 스타게이트 프로젝트를 발표했습니다.",
              "올트먼 CEO는 2월 4일 오후 2시쯤 서초사옥에 도착했고 1,200명이 모였다."]
    good = "트럼프 대통령이 5000억 달러 규모 스타게이트를 발표했고, 올트먼 ceo가 2월 4일 도착했다. 1200명이 모였다."
    bad = "애플은 7000억 달러를 투자했고 올트먼 CEO는 2월 14일 OpenAI 사옥에 도착했다."
    assert fact_check([good, bad], [source, source]) == [[], ["애플", "7000억", "14일", "OpenAI"]]


def test_fact_check_matches_whole_numbers_not_digits_inside_other_numbers():
    assert fact_check(["4일 회동", "3개 기업", "21% 증가"], [["14일 회동"], ["3개 기업"], ["2.1% 증가"]]) == [
        ["4일"], [], ["21%"]]


# ---------------------------------------------------------------- budget


def test_fit_to_budget_keeps_heaviest_whole_bullets_and_shortens_only_when_nothing_fits():
    texts = ["가" * 60, "나" * 50, "다" * 40]
    assert fit_to_budget(texts, [0.1, 0.9, 0.5], 100) == [(1, texts[1]), (2, texts[2])]
    [(index, text)] = fit_to_budget(["첫 문장은 길다 " * 10], [1.0], 30)
    assert index == 0 and len(text) <= 30 and text.endswith("…")


def test_a_bullet_shortened_to_fit_is_noted(tiny_model):
    briefing = _briefing_of_invented_summaries(tiny_model, max_chars=20)
    assert [b.text for b in briefing.bullets] == ["삼성전자가 9999억 원을 새로…"]
    assert "KoBART: 글자 수 제한(20자)에 맞춰 요약을 줄이고 '…'로 표시했습니다." in briefing.notes


# ---------------------------------------------------------------- missing weights


def _run_isolated(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with an empty HF cache and network look-ups allowed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env |= {"HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60)


MISSING = """
import sys, time
from summarizer.abstractive import KobartOptions, load_engine
from summarizer.errors import ModelUnavailableError
for model in {models!r}:
    start = time.perf_counter()
    try:
        load_engine(KobartOptions(model=model))
    except ModelUnavailableError as exc:
        print(f"{{time.perf_counter() - start:.3f}}\\t{{exc}}")
print("torch imported" if "torch" in sys.modules else "torch not imported")
"""


def test_missing_weights_fail_fast_naming_the_fetch_command(tmp_path):
    # HF_HUB_OFFLINE is unset here on purpose: the engine must not try the hub (a 20 s retry loop).
    models = [None, "digit82-kobart-summarization", "someone/kobart-news"]
    result = _run_isolated(MISSING.format(models=models), tmp_path)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4, result.stderr
    for line, command in zip(lines, ["ko-brief fetch kobart-summarization",
                                     "ko-brief fetch digit82-kobart-summarization",
                                     "ko-brief fetch someone/kobart-news"]):
        seconds, message = line.split("\t")
        assert float(seconds) < 2.0
        assert command in message
    assert lines[-1] == "torch not imported"


def test_bad_model_arguments_get_clear_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailableError, match="safetensors"):
        load_engine(KobartOptions(model=str(tmp_path / "empty")))
    with pytest.raises(ModelUnavailableError, match="없습니다"):
        load_engine(KobartOptions(model=str(tmp_path / "no-such-folder")))
    with pytest.raises(ModelUnavailableError, match="알 수 없는"):
        load_engine(KobartOptions(model="not a model"))


def test_registry_names_resolve_to_models_folder(tmp_path, monkeypatch, tiny_model):
    from summarizer import checkpoints

    monkeypatch.setattr(checkpoints, "MODELS_DIR", tmp_path)
    (tmp_path / "kobart-summarization").symlink_to(tiny_model, target_is_directory=True)
    assert checkpoints.locate(None) == tmp_path / "kobart-summarization"
    registry = json.loads(checkpoints.REGISTRY_FILE.read_text(encoding="utf-8"))
    for entry in registry["checkpoints"].values():  # pinned to commits, ids documented
        assert len(entry["revision"]) == 40 and set(entry["token_ids"]) == set(checkpoints.TOKEN_ID_NAMES)


# ---------------------------------------------------------------- the tiny model end to end


def test_token_ids_come_from_the_checkpoint_config(tmp_path, tiny_tokenizer):
    base_v2 = {"bos_token_id": 1, "eos_token_id": 1, "pad_token_id": 3,
               "decoder_start_token_id": 1, "forced_eos_token_id": 1}
    for ids in (SUMMARIZATION_IDS, base_v2):
        folder = tiny_checkpoint(tmp_path / str(ids["decoder_start_token_id"]), tiny_tokenizer, ids)
        engine = load_engine(KobartOptions(model=str(folder), quantize=False, backend="torch"))
        body = engine.encode(["삼성전자 회장"])[0]
        assert engine.wrap(body) == [ids["bos_token_id"], *body, ids["eos_token_id"]]
        model = engine.generator.model
        with mock.patch.object(model, "generate", wraps=model.generate) as spy:
            engine.generate([engine.wrap(body)], KobartOptions(**FAST))
        config = spy.call_args.kwargs["generation_config"]
        assert (config.decoder_start_token_id, config.forced_eos_token_id, config.pad_token_id) == (
            ids["decoder_start_token_id"], ids["forced_eos_token_id"], ids["pad_token_id"])


def test_fetch_reads_token_ids_as_the_engine_does(tmp_path, tiny_tokenizer):
    folder = tiny_checkpoint(tmp_path / "ids", tiny_tokenizer)
    generation = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
    generation |= {"eos_token_id": [1, 2], "forced_eos_token_id": None}  # a list; a null the config fills
    (folder / "generation_config.json").write_text(json.dumps(generation), encoding="utf-8")
    engine_ids = TokenIds.from_model(load_checkpoint(folder)[0])
    expected = {"bos": 0, "eos": 1, "pad": 3, "decoder_start": 2, "forced_eos": 2}
    assert config_token_ids(folder) == vars(engine_ids) == expected


def test_engine_is_loaded_once_and_reused(tiny_model):
    options = KobartOptions(model=str(tiny_model), **FAST)
    assert load_engine(options) is load_engine(KobartOptions(model=str(tiny_model)))


def test_map_reduce_reads_everything_in_windows_with_one_generate_per_level(tiny_model, seed_articles):
    groups = _sentences(seed_articles)[:3]
    options = KobartOptions(model=str(tiny_model), max_input_tokens=160, event_tokens=None, **FAST)
    engine = load_engine(options)
    with mock.patch.object(engine.generator, "generate", wraps=engine.generator.generate) as spy:
        summaries = engine.summarize_groups(groups, options)
    assert [s.used for s in summaries] == [len(g) for g in groups]
    assert all(s.inputs > 1 and s.levels >= 2 for s in summaries)  # every page overflows 160 tokens
    assert spy.call_count == max(s.levels for s in summaries)  # all groups batched per level
    rows = spy.call_args_list[0].args[0]
    assert len(rows) == sum(s.inputs for s in summaries)
    assert max(map(len, rows)) <= 160
    bos, eos = engine.ids.bos, engine.ids.eos
    assert all(row[0] == bos and row[-1] == eos for row in rows)
    fed = Counter(t for row in rows for t in row[1:-1])
    assert fed == Counter(t for ids in engine.encode([s.text for g in groups for s in g]) for t in ids)


def _overgrowing_summary(engine) -> list[int]:
    """64 generated ids whose text re-encodes to more than 64 tokens (a word-inner piece repeated)."""
    return next([i] * 64 for i in sorted(engine.tokenizer.get_vocab().values())
                if i not in engine.special and len(engine.encode(engine.decode([[i] * 64]))[0]) > 64)


def test_map_reduce_reduces_the_generated_ids_so_it_ends(tiny_model, seed_articles):
    # Reduced as re-encoded text, two of these 64-token summaries would need over 128 tokens and
    # never share an input of 130 - 2: the number of inputs would never shrink.
    options = KobartOptions(model=str(tiny_model), max_new_tokens=64, min_new_tokens=0, max_input_tokens=130)
    engine = load_engine(options)
    summary = _overgrowing_summary(engine)
    with mock.patch.object(engine.generator, "generate", side_effect=fixed_generate(engine, summary)) as fake:
        [result] = engine.summarize_groups([_sentences(seed_articles)[0]], options)
    assert result.inputs > 4 and result.levels == fake.call_count
    assert result.text == engine.decode([summary])[0]
    reduce_inputs = fake.call_args_list[1].args[0]
    assert reduce_inputs[0] == engine.wrap(summary * 2)  # as generated


def test_a_reduce_that_cannot_shrink_fails_instead_of_looping(tiny_model, seed_articles):
    options = KobartOptions(model=str(tiny_model), max_new_tokens=64, min_new_tokens=0, max_input_tokens=130)
    loaded = load_engine(options)
    engine = Engine(loaded.generator, loaded.tokenizer, loaded.ids, 100)  # inputs of 100 tokens hold one summary of 64
    with (mock.patch.object(engine.generator, "generate", side_effect=fixed_generate(engine, [10] * 64)),
          pytest.raises(ValueError, match="lower max_new_tokens")):
        engine.summarize_groups([_sentences(seed_articles)[0]], options)


def test_event_tokens_limits_what_is_read_to_whole_central_sentences(tiny_model, seed_articles):
    group = _sentences(seed_articles)[0]
    options = KobartOptions(model=str(tiny_model), event_tokens=120, **FAST)
    engine = load_engine(options)
    [summary] = engine.summarize_groups([group], options)
    lengths = [len(ids) for ids in engine.encode([s.text for s in group])]
    assert sum(lengths[: summary.used]) <= 120 < sum(lengths[: summary.used + 1])
    assert summary.inputs == 1 and summary.levels == 1


def test_make_bullets_cites_sources_and_flags_unsupported_facts(seed_articles):
    group = _sentences(seed_articles)[0][:8]
    [bullet] = make_bullets(["애플이 9999억 달러를 투자했다."], [group], [0.5])
    assert bullet.sources == group and bullet.support == 1 and bullet.articles == [0]
    assert bullet.flags == ["애플", "9999억"]


def test_summarize_kobart_returns_a_briefing_like_textrank(tiny_model, seed_articles):
    options = KobartOptions(model=str(tiny_model), **FAST)
    briefing = summarize(seed_articles, method="kobart", max_chars=600, kobart=options)
    assert isinstance(briefing, Briefing) and briefing.method == "kobart"
    assert briefing.bullets and briefing.length <= 600
    # One section per story, one bullet per event of it: no article is cited in two sections.
    cited = [{a for b in section.bullets for a in b.articles} for section in briefing.sections]
    assert all(not (x & y) for k, x in enumerate(cited) for y in cited[k + 1:])
    assert all(b.date is None or re.fullmatch(r"\d{4}-\d\d-\d\d", b.date) for b in briefing.bullets)
    for bullet in briefing.bullets:
        assert bullet.sources and bullet.support == len(bullet.articles)
    assert Briefing.from_dict(json.loads(json.dumps(briefing.to_dict()))).to_dict() == briefing.to_dict()
    markdown = briefing.to_markdown()
    assert all(f"확인 필요: {', '.join(b.flags)}" in markdown for b in briefing.bullets if b.flags)


def _briefing_of_invented_summaries(model: Path, max_chars: int = 600) -> Briefing:
    """summarize(SAMSUNG_PAGES, method="kobart") with a model that writes INVENTED for every input."""
    options = KobartOptions(model=str(model), max_new_tokens=32, min_new_tokens=0)
    engine = load_engine(options)
    with mock.patch.object(engine.generator, "generate", side_effect=fixed_generate(engine, engine.encode([INVENTED])[0])):
        return summarize(SAMSUNG_PAGES, method="kobart", max_chars=max_chars, kobart=options)


def test_kobart_bullets_flag_the_invented_number_and_not_the_sourced_name(tiny_model):
    briefing = _briefing_of_invented_summaries(tiny_model)
    assert [b.text for b in briefing.bullets] == [INVENTED]
    assert briefing.bullets[0].flags == ["9999억"]  # 삼성전자 is in every source sentence
    assert "⚠ 확인 필요: 9999억" in briefing.to_markdown()


def test_small_budget_generates_fewer_events_and_says_so(tiny_model, seed_articles):
    options = KobartOptions(model=str(tiny_model), **FAST)
    briefing = summarize(seed_articles, method="kobart", max_chars=100, kobart=options)
    assert len(briefing.bullets) == 1 and briefing.length <= 100
    assert any("KoBART" in note for note in briefing.notes)


def test_beam_cache_without_cross_attention_copies_gives_the_same_output(tiny_model, seed_articles):
    options = KobartOptions(model=str(tiny_model), quantize=False, num_beams=3, max_new_tokens=12,
                            min_new_tokens=2, backend="torch")
    engine = load_engine(options)
    inputs = [engine.wrap(ids[:150]) for ids in engine.encode(seed_articles)]
    ours = engine.decode(engine.generate(inputs, options))
    width = max(map(len, inputs))
    plain = engine.generator.model.generate(
        input_ids=torch.tensor([row + [engine.ids.pad] * (width - len(row)) for row in inputs]),
        attention_mask=torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in inputs]),
        generation_config=engine.generator.generation_config(options),
    )
    assert ours == [" ".join(t.split()) for t in engine.tokenizer.decode_batch(plain.tolist(), skip_special_tokens=True)]
    assert len(set(ours)) > 1  # different inputs, different outputs: beams did not mix inputs


def test_fetch_converts_pickle_only_checkpoints_to_safetensors(tmp_path, tiny_model):
    from transformers import BartForConditionalGeneration

    from summarizer.checkpoints import convert_to_safetensors

    model = BartForConditionalGeneration.from_pretrained(tiny_model)
    src = tmp_path / "bin"
    src.mkdir()
    (src / "config.json").write_bytes((tiny_model / "config.json").read_bytes())
    torch.save(model.state_dict(), src / "pytorch_model.bin")
    convert_to_safetensors(src, tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["model.safetensors"]  # only the weights: the downloaded config files stay as published
    (tmp_path / "out" / "config.json").write_bytes((src / "config.json").read_bytes())
    reloaded = BartForConditionalGeneration.from_pretrained(tmp_path / "out", use_safetensors=True)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), reloaded.state_dict().values()))


def test_fetch_command_lists_the_registry_and_explains_offline_mode(tmp_path, monkeypatch, capsys):
    from huggingface_hub.constants import is_offline_mode

    from summarizer import checkpoints

    if not is_offline_mode():
        pytest.skip("HF_HUB_OFFLINE must be set for this test (it would reach for the hub)")
    monkeypatch.setattr(checkpoints, "MODELS_DIR", tmp_path)
    assert checkpoints.main(["--list"]) == 0
    listing = capsys.readouterr().out
    assert all(entry.hub_id in listing for entry in checkpoints.registry().values())
    assert checkpoints.main(["kobart-summarization"]) == 1
    error = capsys.readouterr().err
    assert "HF_HUB_OFFLINE" in error and "gogamza/kobart-summarization" in error


SUMMARIZE_MISSING = """
import time
from summarizer import ModelUnavailableError, summarize
from summarizer.korean import kiwi
text = open({seed!r}, encoding="utf-8").read()
start = time.perf_counter()
try:
    summarize(text, method="kobart")
except ModelUnavailableError as exc:
    print(f"{{time.perf_counter() - start:.3f}}\\t{{kiwi.cache_info().currsize}}\\t{{exc}}")
"""


def test_summarize_with_missing_weights_fails_before_any_analysis(tmp_path):
    seed = str(sorted((REPO / "examples" / "seeds").glob("*.txt"))[0])
    result = _run_isolated(SUMMARIZE_MISSING.format(seed=seed), tmp_path)
    seconds, kiwi_loaded, message = result.stdout.strip().split("\t")
    assert float(seconds) < 2.0, result.stderr
    assert kiwi_loaded == "0"  # the weights are checked before Kiwi is even loaded
    assert "ko-brief fetch kobart-summarization" in message
