"""The exact KoBART shapes: the real config.json and tokenizer.json (../shared/kobart) with random
weights, on the five seed pages (several thousand tokens: far beyond one 1,024-token input)."""
from __future__ import annotations

from collections import Counter
from unittest import mock

import pytest
import torch
from test_abstractive_support import INVENTED, SAMSUNG_PAGES, fixed_generate, real_shaped_checkpoint

from summarizer import ct2
from summarizer.abstractive import KobartOptions, generate_events, load_engine
from summarizer.pipeline import Limits, prepare, validate

pytestmark = pytest.mark.slow
FAST = {"max_new_tokens": 4, "min_new_tokens": 4, "num_beams": 2}


@pytest.fixture(scope="module")
def kobart_random(tmp_path_factory, kobart_assets):
    return real_shaped_checkpoint(tmp_path_factory.mktemp("kobart-random"), kobart_assets)


@pytest.fixture(scope="module")
def seeds_prepared(seed_articles):
    return prepare(validate(seed_articles, Limits()))


def test_seed_events_are_wrapped_packed_within_1024_and_map_reduced_in_two_batched_calls(
    kobart_random, seeds_prepared, seed_articles
):
    options = KobartOptions(model=str(kobart_random), event_tokens=None, **FAST)
    engine = load_engine(options)
    assert (engine.ids.bos, engine.ids.eos, engine.ids.pad, engine.ids.decoder_start) == (1, 1, 3, 1)
    assert sum(len(ids) for ids in engine.encode(seed_articles)) > 5 * 1024
    material = [engine.encode([seeds_prepared.sentences[i].text for i in e.sentence_ids])
                for e in seeds_prepared.events]
    overflowing = [m for m in material if sum(map(len, m)) > 1022]
    assert overflowing, "the seed events should include one too long for a single input"

    with mock.patch.object(engine.generator, "generate", wraps=engine.generator.generate) as spy:
        events = generate_events(seeds_prepared, 1500, options)
    # one section per story, one bullet per event of it
    assert sum(len(e.bullets) for e in events) == len(seeds_prepared.events)
    assert spy.call_count == 2  # level 1: every chunk of every event; level 2: the reduces
    rows, second = (call.args[0] for call in spy.call_args_list)
    assert len(rows) == len(material) + sum(-(-sum(map(len, m)) // 1022) - 1 for m in overflowing)
    assert len(second) == len(overflowing) and max(map(len, second)) <= 1024
    assert all(row[0] == 1 and row[-1] == 1 and len(row) <= 1024 for row in rows)
    assert Counter(t for row in rows for t in row[1:-1]) == Counter(t for m in material for ids in m for t in ids)


def test_torch_int8_path_quantizes_every_linear_layer(kobart_random):
    engine = load_engine(KobartOptions(model=str(kobart_random), backend="torch"))
    modules = list(engine.generator.model.modules())
    assert not any(type(m) is torch.nn.Linear for m in modules)
    # 6 encoder layers x 6 Linear, 6 decoder layers x 10, and the output projection
    assert sum(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in modules) == 6 * 6 + 6 * 10 + 1


def test_default_path_bullets_carry_fact_check_flags(kobart_random, seeds_prepared):
    options = KobartOptions(model=str(kobart_random), max_new_tokens=12, min_new_tokens=12, num_beams=2)
    engine = load_engine(options)
    assert engine.backend == ("ctranslate2" if ct2.installed() else "torch")
    events = generate_events(seeds_prepared, 1500, options)
    assert events and all(e.bullets for e in events)  # one section per story, a bullet per event of it
    for bullet in (b for e in events for b in e.bullets):
        assert bullet.text and bullet.sources
    invented = engine.encode([INVENTED])[0]
    with mock.patch.object(engine.generator, "generate", side_effect=fixed_generate(engine, invented)):
        [event] = generate_events(prepare(validate(SAMSUNG_PAGES, Limits())), 1500, options)
    [bullet] = event.bullets
    assert bullet.text == INVENTED and bullet.flags == ["9999억"]  # 삼성전자 is in every source sentence


@pytest.mark.parametrize("backend, quantize", [("torch", False), ("ctranslate2", True)])
def test_both_backends_accept_1024_tokens_and_the_engine_refuses_more(kobart_random, seeds_prepared, backend,
                                                                      quantize):
    if backend == "ctranslate2" and not ct2.installed():
        pytest.skip("ctranslate2 is not installed")
    options = KobartOptions(model=str(kobart_random), backend=backend, quantize=quantize, **FAST)
    engine = load_engine(options)
    if backend == "torch":
        assert any(type(m) is torch.nn.Linear for m in engine.generator.model.modules())
    body = [t for s in seeds_prepared.sentences for t in engine.encode([s.text])[0]][:1022]
    [ids] = engine.generate([engine.wrap(body)], options)
    assert len(ids) <= FAST["max_new_tokens"] and engine.decode([ids])[0]
    with pytest.raises(ValueError, match="1024"):
        engine.generate([engine.wrap(body + [body[0]])], options)
