"""KoBART abstractive engine: one generated, fact-checked bullet per event, within 1,024 tokens.

Flow: an event's sentences (most central first, from all articles) -> token ids -> packed on
sentence boundaries into inputs of at most 1,024 tokens, ``[bos] + ids + [eos]`` -> one batched
generation call for all events -> events whose material needed several inputs get a summary of
their chunk summaries (map-reduce, again one batched call per level) -> fact check against the
source sentences.

Generation runs on CTranslate2 when it is installed (summarizer.ct2: an int8 model converted once
beside the checkpoint; neither torch nor transformers is imported) and on torch otherwise or when
asked (``KobartOptions(backend="torch")``; fine-tuning always uses torch). Both take and return the
same token ids. The model is loaded once per process (per checkpoint and settings) and reused.
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from summarizer.briefing import Bullet, Event, Source
from summarizer import ct2
from summarizer.checkpoints import config_token_ids, locate, pick_token_ids
from summarizer.errors import ModelUnavailableError
from summarizer.events import EventGroup
from summarizer.korean import FACT_TAGS, Morpheme, tokenize

# Morphemes that continue a number into a checkable quantity: 5000+억, 21+일, 3+개, 3.5+%.
UNIT_TAGS = frozenset({"NR", "NNB", "SW"})
# An event is generated only while the character budget leaves about this much per bullet.
MIN_BULLET_CHARS = 80
# Tokens per model input, <s>/</s> included: KoBART's trained length, whatever its config allows.
MAX_INPUT_TOKENS = 1024
# How to add the KoBART extra: from a checkout (torch pinned to the CPU wheel), or to an installed wheel.
INSTALL_HINT = "pip install -e '.[kobart]' -c constraints.txt (체크아웃) 또는 pip install 'ko-news-brief[kobart]' (설치본)"
BACKENDS = ("auto", "ctranslate2", "torch")
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class KobartOptions:
    """Settings of the abstractive engine; the defaults are tuned for briefing bullets on CPU.

    Attributes:
        model: registry name (``summarizer/registry.json``), hub id ``owner/name`` or a local folder;
            None means the registry default. Weights must be local: see ``ko-brief fetch``.
        backend: ``"ctranslate2"`` (the checkpoint converted once to ``<checkpoint>/ctranslate2-int8/``,
            by ``ko-brief fetch`` or on first use), ``"torch"`` (transformers' generate()), or
            ``"auto"``: CTranslate2 when the package is installed, else torch.
        quantize: int8 weights (CTranslate2's int8 model; torch's dynamic quantization of every
            Linear layer on CPU); False keeps fp32. torch ignores it on GPU.
        device: ``"cpu"`` or ``"cuda"`` (``"cuda:1"``: a given GPU).
        num_beams: beam search width, 4 as usual for KoBART summarizers; 2 is about 1.7x and
            1 (greedy) about 2.3x faster on CPU (benchmarks/bench_kobart.py).
        no_repeat_ngram_size: no 3-token sequence may appear twice in a bullet, which stops the
            loops ("...했다고 밝혔다고 밝혔다") small summarizers fall into.
        max_new_tokens: cap per bullet; 64 KoBART tokens are about 100-160 Korean characters,
            one long sentence, which is what the public fine-tunes write.
        min_new_tokens: floor per bullet, so no event gets an empty or two-word bullet.
        length_penalty: >1 favours longer beams, <1 shorter; 1.0 is neutral.
        max_input_tokens: tokens per model input, ``<s>``/``</s>`` included, at most 1,024 (and at
            most the model's max_position_embeddings). Longer material goes map-reduce.
        event_tokens: how much of each event (its most central sentences, whole) is read, in
            tokens; None reads every sentence. Briefing.notes says how many sentences were read.
        max_events: at most this many events (by weight) get a bullet.
    """

    model: str | None = None
    backend: str = "auto"
    quantize: bool = True
    device: str = "cpu"
    num_beams: int = 4
    no_repeat_ngram_size: int = 3
    max_new_tokens: int = 64
    min_new_tokens: int = 8
    length_penalty: float = 1.0
    max_input_tokens: int = 1024
    event_tokens: int | None = 2044
    max_events: int = 5

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}")
        if min(self.num_beams, self.max_events, self.max_new_tokens) < 1 or self.min_new_tokens < 0:
            raise ValueError("num_beams, max_events and max_new_tokens must be >= 1, min_new_tokens >= 0")
        if not self.min_new_tokens <= self.max_new_tokens:
            raise ValueError("min_new_tokens must not exceed max_new_tokens")
        if self.max_input_tokens > MAX_INPUT_TOKENS:
            raise ValueError(f"max_input_tokens must be at most {MAX_INPUT_TOKENS}")
        # A reduce input must hold at least two summaries, or map-reduce could not converge.
        if self.max_input_tokens < 2 * self.max_new_tokens + 2:
            raise ValueError("max_input_tokens must be at least 2 * max_new_tokens + 2")
        if self.event_tokens is not None and self.event_tokens < 1:
            raise ValueError("event_tokens must be positive or None")


class SentenceLike(Protocol):
    """What the engine needs of a source sentence (summarizer.document.Sentence and Source fit)."""

    article: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TokenIds:
    """Special-token ids of the loaded checkpoint (they differ between KoBART fine-tunes)."""

    bos: int
    eos: int
    pad: int
    decoder_start: int
    forced_eos: int | None

    @classmethod
    def from_model(cls, model: Any) -> TokenIds:
        """Read the ids from the model's generation config, falling back to its config."""
        return cls.checked(pick_token_ids(model.generation_config.to_dict(), model.config.to_dict()))

    @classmethod
    def from_folder(cls, folder: Path) -> TokenIds:
        """The same ids read from a checkpoint folder's config files (no model loaded)."""
        return cls.checked(config_token_ids(folder))

    @classmethod
    def checked(cls, found: dict[str, int | None]) -> TokenIds:
        missing = [k for k, v in found.items() if v is None and k != "forced_eos"]
        if missing:
            raise ModelUnavailableError(f"체크포인트 설정에 특수 토큰 id가 없습니다: {', '.join(missing)}")
        return cls(**found)


@dataclass(frozen=True)
class GroupSummary:
    """The generated text for one group of sentences and how it was made."""

    text: str
    used: int  # sentences read, a prefix of the group (most central first)
    inputs: int  # model inputs of the first level (1 = fitted in one call)
    levels: int  # generate() levels (2+ = map-reduce)


class Generator(Protocol):
    """One generation backend: the generated ids of each wrapped input (end token optional)."""

    name: str

    def generate(self, inputs: Sequence[Sequence[int]], options: KobartOptions) -> list[list[int]]: ...


class Engine:
    """A loaded KoBART: tokenizer, token ids, input limit and a generator (CTranslate2 or torch).
    Build with load_engine()."""

    def __init__(self, generator: Generator, tokenizer: Any, ids: TokenIds, max_positions: int) -> None:
        self.generator = generator
        self.tokenizer = tokenizer
        self.ids = ids
        self.special = frozenset(i for i, t in tokenizer.get_added_tokens_decoder().items() if t.special)
        self.max_positions = max_positions
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        """``"ctranslate2"`` or ``"torch"``."""
        return self.generator.name

    def input_limit(self, options: KobartOptions) -> int:
        """Tokens one input may hold, specials included: at most 1,024 and the model's positions.

        transformers' BART adds its position offset of 2 itself, so all max_position_embeddings
        positions are usable: KoBART's config would allow 1,026, the engine keeps to 1,024.
        """
        return min(options.max_input_tokens, MAX_INPUT_TOKENS, self.max_positions)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, without specials (the KoBART tokenizer adds none)."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def wrap(self, ids: Sequence[int]) -> list[int]:
        """One model input: ``[bos] + ids + [eos]``."""
        return [self.ids.bos, *ids, self.ids.eos]

    def decode(self, outputs: Sequence[Sequence[int]]) -> list[str]:
        """The text of each token-id sequence, special tokens left out and spacing normalized."""
        texts = self.tokenizer.decode_batch([list(ids) for ids in outputs], skip_special_tokens=True)
        return [" ".join(t.split()) for t in texts]

    def generate(self, inputs: Sequence[Sequence[int]], options: KobartOptions) -> list[list[int]]:
        """The generated ids of each wrapped input, specials left out (at most max_new_tokens each),
        all inputs in one batched call of the generator; decode() makes them text."""
        limit = self.input_limit(options)
        if any(len(seq) > limit for seq in inputs):
            raise ValueError(f"an input exceeds {limit} tokens; pack() before generate()")
        with self._lock:
            out = self.generator.generate(inputs, options)
        return [[t for t in row if t not in self.special] for row in out]

    def summarize_groups(
        self, groups: Sequence[Sequence[SentenceLike]], options: KobartOptions
    ) -> list[GroupSummary]:
        """One summary per group of sentences (each group most central first, non-empty).

        Reads each group's sentences up to ``options.event_tokens``; material over one input is
        summarized map-reduce: the generated ids of the chunk summaries (at most max_new_tokens
        each) are the next level's material. Every level is one generate() call over all groups.
        Raises ValueError when a level cannot put the summaries into fewer inputs than before.
        """
        budget = self.input_limit(options) - 2
        encoded = iter(self.encode([s.text for group in groups for s in group]))
        pending: dict[int, list[tuple[tuple, list[int]]]] = {}
        used: list[int] = []
        for g, group in enumerate(groups):
            ids = [next(encoded) for _ in group]
            n = leading_within(ids, options.event_tokens)
            used.append(n)
            pending[g] = [((s.article, s.start), seq) for s, seq in zip(group[:n], ids[:n])]
        finished: dict[int, list[int]] = {}
        first_inputs: dict[int, int] = {}
        levels = [0] * len(groups)
        while pending:
            inputs, owners = [], []
            for g, pieces in pending.items():
                chunks = pack(pieces, budget)
                if levels[g] and len(chunks) >= len(pieces):  # the reduce would loop forever
                    raise ValueError(
                        f"{len(pieces)} summaries of up to {options.max_new_tokens} tokens do not fit "
                        f"in fewer inputs of {budget + 2} tokens; lower max_new_tokens"
                    )
                inputs += [self.wrap(chunk) for chunk in chunks]
                owners += [g] * len(chunks)
            by_group: dict[int, list[list[int]]] = {}
            for g, ids in zip(owners, self.generate(inputs, options)):
                by_group.setdefault(g, []).append(ids)
            pending = {}
            for g, outs in by_group.items():
                levels[g] += 1
                first_inputs.setdefault(g, len(outs))
                if len(outs) == 1:
                    finished[g] = outs[0]
                else:  # reduce: the chunk summaries, in chunk order, become the next material
                    pending[g] = [((i,), ids) for i, ids in enumerate(outs)]
        texts = self.decode([finished[g] for g in range(len(groups))])
        return [GroupSummary(texts[g], used[g], first_inputs[g], levels[g]) for g in range(len(groups))]


def leading_within(seqs: Sequence[Sequence[int]], budget: int | None) -> int:
    """How many leading token sequences fit in ``budget`` tokens together (at least one; None = all)."""
    if budget is None:
        return len(seqs)
    total = 0
    for n, seq in enumerate(seqs):
        total += len(seq)
        if total > budget:
            return max(n, 1)
    return len(seqs)


def pack(pieces: Sequence[tuple[tuple, list[int]]], budget: int) -> list[list[int]]:
    """Pack (reading-order key, ids) pieces, most important first, into inputs of <= budget ids.

    Material needing k inputs is spread evenly over them (first fit in priority order into bins
    of about total/k), so a batch is not padded to a full window for a small remainder. Within
    an input the pieces are put back in reading order. A piece longer than ``budget`` on its own
    (a sentence of over a thousand tokens) is split into consecutive parts. Nothing is dropped.
    """
    parts = [
        ((*key, j), ids[at : at + budget])
        for key, ids in pieces
        for j, at in enumerate(range(0, max(len(ids), 1), budget))
    ]
    total = sum(len(ids) for _, ids in parts)
    inputs_needed = max(1, -(-total // budget))
    capacity = min(budget, -(-total // inputs_needed) + max((len(ids) for _, ids in parts), default=0))
    bins: list[list[tuple[tuple, list[int]]]] = []
    room: list[int] = []
    for key, ids in parts:
        for b, free in enumerate(room):
            if len(ids) <= free:
                bins[b].append((key, ids))
                room[b] -= len(ids)
                break
        else:
            bins.append([(key, ids)])
            room.append(capacity - len(ids))
    return [[t for _, ids in sorted(chunk, key=lambda p: p[0]) for t in ids] for chunk in bins]


class TorchGenerator:
    """transformers' generate() on a BartForConditionalGeneration (fp32 or dynamic int8)."""

    name = "torch"

    def __init__(self, model: Any, ids: TokenIds) -> None:
        self.model = model
        self.ids = ids

    def generate(self, inputs: Sequence[Sequence[int]], options: KobartOptions) -> list[list[int]]:
        """The output rows of one batched generate() call (decoder start and padding included)."""
        import torch

        width = max(len(seq) for seq in inputs)
        input_ids = torch.full((len(inputs), width), self.ids.pad, dtype=torch.long)
        mask = torch.zeros((len(inputs), width), dtype=torch.long)
        for row, seq in enumerate(inputs):
            input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            mask[row, : len(seq)] = 1
        device = self.model.device
        cache = {"past_key_values": beam_cache()} if options.num_beams > 1 else {}
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(device),
                attention_mask=mask.to(device),
                generation_config=self.generation_config(options),
                **cache,
            )
        return out.tolist()

    def generation_config(self, options: KobartOptions) -> Any:
        from transformers import GenerationConfig

        return GenerationConfig(
            num_beams=options.num_beams,
            early_stopping=options.num_beams > 1,
            do_sample=False,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
            max_new_tokens=options.max_new_tokens,
            min_new_tokens=options.min_new_tokens,
            length_penalty=options.length_penalty,
            bos_token_id=self.ids.bos,
            eos_token_id=self.ids.eos,
            pad_token_id=self.ids.pad,
            decoder_start_token_id=self.ids.decoder_start,
            forced_eos_token_id=self.ids.forced_eos,
        )


# ---------------------------------------------------------------- loading


def load_engine(options: KobartOptions | None = None) -> Engine:
    """The engine for ``options.model`` (loaded on first use, then reused by the process).

    Raises ModelUnavailableError within a second or so when weights or packages are missing:
    the weights are located on disk before torch or CTranslate2 is imported, and nothing is
    downloaded. On CTranslate2 a checkpoint not yet converted is converted first (once).
    """
    options = options or KobartOptions()
    path = locate(options.model).resolve()
    backend = options.backend
    if backend == "auto":
        backend = "ctranslate2" if ct2.installed() else "torch"
    elif backend == "ctranslate2" and not ct2.installed():
        raise ModelUnavailableError(
            "KobartOptions(backend='ctranslate2')에는 CTranslate2가 필요합니다. 설치: pip install 'ko-news-brief[ct2]'"
        )
    with _LOAD_LOCK:  # two threads asking at once load the model once
        if backend == "ctranslate2":
            return _load_ct2(path, options.quantize, options.device)
        return _load_torch(path, options.quantize and options.device == "cpu", options.device)


@lru_cache(maxsize=2)
def _load_torch(path: Path, quantize: bool, device: str) -> Engine:
    model, tokenizer = load_checkpoint(path)
    model.eval()
    if quantize:
        model = quantize_int8(model)
    model.to(device)
    ids = TokenIds.from_model(model)
    return Engine(TorchGenerator(model, ids), tokenizer, ids, model.config.max_position_embeddings)


@lru_cache(maxsize=2)
def _load_ct2(path: Path, quantize: bool, device: str) -> Engine:
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bart":
        raise ModelUnavailableError(f"'{path}'는 BART 체크포인트가 아닙니다 (model_type={config.get('model_type')}).")
    ids = TokenIds.from_folder(path)
    generator = ct2.Ct2Generator(ct2.convert(path, quantize), device, ids.forced_eos, ids.eos)
    return Engine(generator, load_tokenizer(path), ids, config["max_position_embeddings"])


def load_checkpoint(path: Path) -> tuple[Any, Any]:
    """The fp32 BartForConditionalGeneration and the tokenizer of a checkpoint folder.

    Safetensors only, no remote code; the tokenizer never truncates or pads by itself.
    """
    try:
        import torch
        from transformers import BartConfig, BartForConditionalGeneration
    except ImportError as exc:
        raise ModelUnavailableError(f"KoBART 엔진에 필요한 패키지({exc.name})가 없습니다. 설치: {INSTALL_HINT}") from exc
    config = BartConfig.from_pretrained(path, local_files_only=True)
    if config.model_type != "bart":
        raise ModelUnavailableError(f"'{path}'는 BART 체크포인트가 아닙니다 (model_type={config.model_type}).")
    model = BartForConditionalGeneration.from_pretrained(
        path, config=config, dtype=torch.float32, use_safetensors=True, local_files_only=True
    )
    return model, load_tokenizer(path)


def load_tokenizer(path: Path) -> Any:
    """The checkpoint's tokenizer.json (the ``tokenizers`` library); never truncates or pads."""
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelUnavailableError(f"KoBART 엔진에 필요한 패키지({exc.name})가 없습니다. 설치: {INSTALL_HINT}") from exc
    tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    tokenizer.no_truncation()  # a tokenizer.json saved with truncation would cut text silently
    tokenizer.no_padding()
    return tokenizer


def beam_cache() -> Any:
    """An empty decoder cache for beam search that does not copy the cross-attention states.

    transformers reorders every cache row by beam after each step, cross-attention included. But
    the cross-attention keys and values of all beams of one input are the same (the encoder
    output, repeated per beam) and beams never move between inputs, so that reorder is a no-op
    that copies hypotheses x input length x layers of memory per token: on CPU most of the cost
    of beam search. Skipping it leaves the output unchanged (tested) and more than halves the time.
    """
    from transformers import DynamicCache

    return _beam_cache_class()(DynamicCache(), DynamicCache())


@lru_cache(maxsize=1)
def _beam_cache_class() -> type:
    from transformers import EncoderDecoderCache

    class SharedCrossAttentionCache(EncoderDecoderCache):
        def reorder_cache(self, beam_idx: Any) -> None:
            self.self_attention_cache.reorder_cache(beam_idx)

    return SharedCrossAttentionCache


def quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of all Linear layers (weights int8, activations quantized per call).

    torch.ao.quantization is deprecated in favour of torchao but still ships with torch; its
    deprecation warnings are silenced here only.
    """
    import torch

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.ao\.quantization is deprecated")
        warnings.filterwarnings("ignore", message=r".*quantize_per_tensor")
        # in place: no second fp32 copy of the model at load time
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


# ---------------------------------------------------------------- fact check


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)  # the KoBART tokenizer NFKC-normalizes its output
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,200 == 1200
    return " ".join(text.split())


def fact_spans(text: str, morphemes: Sequence[Morpheme]) -> list[str]:
    """Checkable facts of ``text``: proper nouns, Latin words, numbers with their unit (5000억, 4일).

    A fact is a run of touching morphemes that starts with NNP/SN/SL; a number run goes on through
    units (NR, NNB, SW). Returned normalized, each once, in order.
    """
    spans: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    numeric = False
    for m in morphemes:
        end = m.start + m.length
        if run and m.start == run[1] and (m.tag in FACT_TAGS or (numeric and m.tag in UNIT_TAGS)):
            run, numeric = (run[0], end), numeric or m.tag == "SN"
            continue
        if run:
            spans.append(run)
        run, numeric = ((m.start, end), m.tag == "SN") if m.tag in FACT_TAGS else (None, False)
    if run:
        spans.append(run)
    return list(dict.fromkeys(f for a, b in spans if (f := _normalize(text[a:b]))))


def _fact_pattern(fact: str) -> re.Pattern[str]:
    """A fact anywhere in normalized text, spacing free, not inside a longer number or word."""
    chars = [c for c in fact if not c.isspace()]

    def latin(c: str) -> bool:
        return c.isascii() and c.isalpha()

    before = r"(?<![\d.])" if chars[0].isdigit() else r"(?<![A-Za-z])" if latin(chars[0]) else ""
    after = r"(?!\d)" if chars[-1].isdigit() else r"(?![A-Za-z])" if latin(chars[-1]) else ""
    return re.compile(before + r"\s*".join(map(re.escape, chars)) + after, re.IGNORECASE)


def fact_check(texts: Sequence[str], sources: Sequence[Sequence[str]]) -> list[list[str]]:
    """For each generated text, the facts that none of its source sentences contains.

    Facts are found with Kiwi (all texts in one call); a fact is supported when it occurs in the
    sources up to spacing, thousands separators, letter case and Unicode compatibility forms.
    """
    flags = []
    for text, morphemes, srcs in zip(texts, tokenize(list(texts)), sources):
        haystack = _normalize(" ".join(srcs))
        flags.append([f for f in fact_spans(text, morphemes) if not _fact_pattern(f).search(haystack)])
    return flags


# ---------------------------------------------------------------- bullets and events


def fit_to_budget(texts: Sequence[str], weights: Sequence[float], max_chars: int) -> list[tuple[int, str]]:
    """(index, text) of the texts kept within ``max_chars``, heaviest first chosen, whole texts.

    When not even the heaviest fits, it is shortened at a space and marked with an ellipsis.
    Returned in index order.
    """
    order = sorted(range(len(texts)), key=lambda i: -weights[i])
    kept, total = [], 0
    for i in order:
        if total + len(texts[i]) <= max_chars:
            kept.append((i, texts[i]))
            total += len(texts[i])
    if not kept and order:
        cut = texts[order[0]][: max_chars - 1]
        kept = [(order[0], (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…")]
    return sorted(kept)


def make_bullets(
    texts: Sequence[str], sources: Sequence[Sequence[SentenceLike]], weights: Sequence[float]
) -> list[Bullet]:
    """Fact-checked bullets: each text with the sentences it was generated from."""
    cited = [[Source(s.article, s.start, s.end, s.text) for s in srcs] for srcs in sources]
    flags = fact_check(texts, [[s.text for s in srcs] for srcs in cited])
    return [
        Bullet(text=text, sources=srcs, support=len({s.article for s in srcs}),
               score=round(float(weight), 6), flags=flagged)
        for text, srcs, weight, flagged in zip(texts, cited, weights, flags)
    ]


def generate_events(prepared: Any, max_chars: int, options: KobartOptions | None = None) -> list[Event]:
    """The KoBART briefing sections of a summarizer.pipeline.Prepared: one section per story,
    one bullet per event of it (an event read only from its story's sentences), dated.

    The heaviest events (at most ``options.max_events``, and about one per 80 characters of
    budget) are summarized in one batch; bullets that do not fit ``max_chars`` are left out.
    What was left out is written to ``prepared.notes``.
    """
    options = options or KobartOptions()
    engine = load_engine(options)
    events = prepared.events
    if not events:  # no sentence long enough to group: read the most central sentences
        order = sorted(range(len(prepared.sentences)), key=lambda i: -prepared.scores[i])
        events = [EventGroup(order, None, 1.0)] if order else []
    if not events:
        return []
    events = _within_stories(prepared, events)
    count = min(options.max_events, max(1, max_chars // MIN_BULLET_CHARS))
    chosen = sorted(sorted(range(len(events)), key=lambda k: -events[k].weight)[:count])
    if len(chosen) < len(events):
        prepared.notes.append(f"KoBART: 사건 {len(events)}개 중 비중이 큰 {len(chosen)}개만 요약했습니다.")
    groups = [[prepared.sentences[i] for i in events[k].sentence_ids] for k in chosen]
    weights = [events[k].weight for k in chosen]
    summaries = engine.summarize_groups(groups, options)
    for k, group, summary in zip(chosen, groups, summaries):
        if summary.used < len(group):
            prepared.notes.append(
                f"KoBART: '{_title(prepared, group[0].id) or '사건'}'의 문장 {len(group)}개 중 중심 문장 "
                f"{summary.used}개만 읽었습니다 (KobartOptions.event_tokens)."
            )
    kept = fit_to_budget([s.text for s in summaries], weights, max_chars)
    if len(kept) < len(chosen):
        prepared.notes.append(f"KoBART: 글자 수 제한({max_chars}자)으로 요약 {len(chosen) - len(kept)}개를 뺐습니다.")
    if any(text != summaries[i].text for i, text in kept):
        prepared.notes.append(f"KoBART: 글자 수 제한({max_chars}자)에 맞춰 요약을 줄이고 '…'로 표시했습니다.")
    bullets = make_bullets(
        [text for _, text in kept],
        [groups[i][: summaries[i].used] for i, _ in kept],
        [weights[i] for i, _ in kept],
    )
    return _story_sections(prepared, [groups[i][0].id for i, _ in kept], [events[chosen[i]] for i, _ in kept], bullets)


def _within_stories(prepared: Any, events: Sequence[EventGroup]) -> list[EventGroup]:
    """Each event cut to the sentences of one story (the story most of its weight belongs to), so
    that a bullet never mixes stories; events left empty go."""
    out = []
    for event in events:
        weight: dict[int, float] = {}
        for i in event.sentence_ids:
            weight[prepared.story_of(i)] = weight.get(prepared.story_of(i), 0.0) + float(prepared.scores[i])
        story = max(weight, key=lambda k: (weight[k], -k), default=0)
        ids = [i for i in event.sentence_ids if prepared.story_of(i) == story]
        if ids:
            out.append(EventGroup(ids, event.date, event.weight))
    return out


def _title(prepared: Any, sentence_id: int) -> str | None:
    return prepared.titles[prepared.story_of(sentence_id)] if prepared.titles else None


def _story_sections(
    prepared: Any, heads: Sequence[int], events: Sequence[EventGroup], bullets: Sequence[Bullet]
) -> list[Event]:
    """One section per story, one bullet per event in it, dated by the day most of the event's
    sentences belong to (the earliest among equals), oldest first, the events' order within a day."""
    by_story: dict[int, list[tuple[date | None, int, Bullet]]] = {}
    for k, (head, event, bullet) in enumerate(zip(heads, events, bullets)):
        days = Counter(d for i in event.sentence_ids if prepared.days and (d := prepared.days[i]))
        day = min(days, key=lambda d: (-days[d], d)) if days else None
        bullet.date = day.isoformat() if day else None
        by_story.setdefault(prepared.story_of(head), []).append((day, k, bullet))
    sections = []
    for story in prepared.story_order(set(by_story)):
        mine = sorted(by_story[story], key=lambda x: (x[0] is None, x[0] or date.min, x[1]))
        first = next((b.date for _, _, b in mine if b.date), None)
        sections.append(Event(_title(prepared, heads[mine[0][1]]), first, [b for _, _, b in mine]))
    return sections
