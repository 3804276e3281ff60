"""Fine-tune a KoBART checkpoint on JSONL article -> summary pairs (``ko-brief finetune``).

Each input line is a JSON object with ``article_sents`` (the article as a list of sentences) and
``abstractive`` (the reference summary; lines where it is null are skipped), the format of
ko-news-dev.jsonl. Inputs are ``[bos] + article + [eos]`` within 1,024 tokens (articles that are
longer keep their leading whole sentences, and the run says how many); labels are
``summary + [eos]`` and decoder inputs ``[decoder_start] + summary``, with the ids taken from the
checkpoint's config, which is how the model generates at inference.

Checkpoints (``OUT/checkpoint-<step>/``) hold the model as safetensors, the tokenizer, the optimizer
state and RNG state as safetensors, and trainer_state.json; ``--resume`` continues from the newest
one where it stopped, with the same data order and learning rate; on CPU also the same dropout
draws, so the result equals an uninterrupted run (the CUDA RNG state is not saved).
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from summarizer.abstractive import TokenIds, leading_within, load_checkpoint
from summarizer.checkpoints import MODELS_DIR, locate
from summarizer.errors import InputError, SummarizerError

IGNORE_INDEX = -100  # label value the loss skips (padding)
# Settings a resumed run must share with the run it continues (besides the total step count).
RESUME_SETTINGS = ("batch_size", "seed", "lr", "warmup")


@dataclass(frozen=True)
class Example:
    """One training pair as token ids."""

    input_ids: list[int]
    decoder_input_ids: list[int]
    labels: list[int]
    shortened: bool  # the article lost trailing sentences to fit the input limit


@dataclass(frozen=True)
class Settings:
    """What a fine-tuning run does (the command-line options)."""

    data: str
    model: str | None = None  # registry name, hub id or folder; None = registry default
    out: str = str(MODELS_DIR / "finetuned")
    epochs: int = 3
    max_steps: int | None = None  # overrides epochs
    batch_size: int = 4
    lr: float = 3e-5
    warmup: float = 0.06  # share of steps with a linearly rising learning rate
    weight_decay: float = 0.01
    max_input_tokens: int = 1024
    max_target_tokens: int = 128
    save_every: int = 200
    keep: int = 2  # newest checkpoints kept on disk
    seed: int = 0
    device: str = "cpu"
    resume: bool = False

    def __post_init__(self) -> None:
        max_steps = 1 if self.max_steps is None else self.max_steps
        if min(self.epochs, max_steps, self.batch_size, self.save_every) < 1 or self.lr <= 0:
            raise InputError("--epochs, --max-steps, --batch-size와 --save-every는 1 이상, --lr은 0보다 커야 합니다")


def read_pairs(path: Path) -> tuple[list[tuple[list[str], str]], int]:
    """(article sentences, summary) pairs of a JSONL file, and how many lines had no summary or
    article (null or blank)."""
    pairs, skipped = [], 0
    with open(path, encoding="utf-8-sig") as f:  # a BOM from a Windows editor is not JSON
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                sentences, summary = row["article_sents"], row.get("abstractive")
                if not isinstance(sentences, list) or not all(isinstance(s, str) for s in sentences):
                    raise TypeError("article_sents must be a list of strings")
                if summary is not None and not isinstance(summary, str):
                    raise TypeError("abstractive must be a string or null")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{number}: article_sents(문장 목록)가 있는 JSON 객체가 아닙니다 ({exc}).") from exc
            summary = (summary or "").strip()
            if not summary or not any(s.strip() for s in sentences):
                skipped += 1
                continue
            pairs.append(([s for s in sentences if s.strip()], summary))
    return pairs, skipped


def make_example(
    sentences: Sequence[str], summary: str, tokenizer: Any, ids: TokenIds,
    max_input_tokens: int = 1024, max_target_tokens: int = 128,
) -> Example | None:
    """Token ids for one pair, or None when the summary is longer than ``max_target_tokens``."""
    encoded = [e.ids for e in tokenizer.encode_batch([*sentences, summary], add_special_tokens=False)]
    article, target = encoded[:-1], encoded[-1]
    if len(target) + 1 > max_target_tokens:
        return None
    budget = max_input_tokens - 2
    kept = leading_within(article, budget)
    body = [t for seq in article[:kept] for t in seq][:budget]  # a lone giant sentence is cut
    return Example(
        input_ids=[ids.bos, *body, ids.eos],
        decoder_input_ids=[ids.decoder_start, *target],
        labels=[*target, ids.eos],
        shortened=kept < len(article) or sum(map(len, article[:kept])) > budget,
    )


def collate(examples: Sequence[Example], pad: int) -> dict[str, Any]:
    """Right-padded tensors: inputs and decoder inputs with ``pad``, labels with -100."""
    import torch

    def padded(rows: list[list[int]], value: int) -> torch.Tensor:
        width = max(map(len, rows))
        return torch.tensor([row + [value] * (width - len(row)) for row in rows], dtype=torch.long)

    inputs = [e.input_ids for e in examples]
    return {
        "input_ids": padded(inputs, pad),
        "attention_mask": padded([[1] * len(row) for row in inputs], 0),
        "decoder_input_ids": padded([e.decoder_input_ids for e in examples], pad),
        "labels": padded([e.labels for e in examples], IGNORE_INDEX),
    }


def learning_rate(step: int, total: int, settings: Settings) -> float:
    """Linear warm-up to ``settings.lr``, then linear decay to zero at ``total`` steps."""
    warmup = max(1, round(settings.warmup * total))
    if step < warmup:
        return settings.lr * (step + 1) / warmup
    return settings.lr * max(0.0, (total - step) / max(1, total - warmup))


def train_step(model: Any, optimizer: Any, batch: dict[str, Any], lr: float) -> float:
    """One optimizer step on ``batch`` (gradients clipped at norm 1); returns the loss before it."""
    import torch

    model.train()
    for group in optimizer.param_groups:
        group["lr"] = lr
    loss = model(**batch).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def save_checkpoint(folder: Path, model: Any, tokenizer_json: bytes, optimizer: Any, state: dict) -> None:
    """Write a checkpoint atomically (a temporary folder renamed into place)."""
    import torch
    from safetensors.torch import save_file

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    (tmp / "tokenizer.json").write_bytes(tokenizer_json)
    saved = optimizer.state_dict()
    tensors = {f"state.{i}.{k}": v.contiguous() for i, s in saved["state"].items() for k, v in s.items()}
    tensors["rng"] = torch.get_rng_state()
    save_file(tensors, tmp / "optimizer.safetensors")
    state = {**state, "param_groups": saved["param_groups"]}
    (tmp / "trainer_state.json").write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def restore_optimizer(folder: Path, optimizer: Any) -> dict:
    """Load optimizer and RNG state from a checkpoint; return its trainer_state.json."""
    import torch
    from safetensors.torch import load_file

    state = json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))
    tensors = load_file(folder / "optimizer.safetensors")
    torch.set_rng_state(tensors.pop("rng"))
    per_param: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        _, index, name = key.split(".", 2)
        per_param.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": per_param, "param_groups": state["param_groups"]})
    return state


def checkpoints_in(out: Path) -> list[Path]:
    """Finished checkpoints under ``out``, oldest first."""
    found = [p for p in out.glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()]
    return sorted(found, key=lambda p: int(p.name.split("-")[-1]))


def train(settings: Settings) -> Path:
    """Run (or resume) fine-tuning; return the folder of the last checkpoint."""
    import torch
    from tqdm.auto import tqdm

    out = Path(settings.out)
    previous = checkpoints_in(out) if settings.resume else []
    source = previous[-1] if previous else locate(settings.model)
    torch.manual_seed(settings.seed)
    model, tokenizer = load_checkpoint(source)
    tokenizer_json = (Path(source) / "tokenizer.json").read_bytes()  # cleanup may delete ``source``
    model.to(settings.device)
    ids = TokenIds.from_model(model)

    pairs, no_summary = read_pairs(Path(settings.data))
    made = [make_example(s, summary, tokenizer, ids, settings.max_input_tokens, settings.max_target_tokens)
            for s, summary in pairs]
    examples = [e for e in made if e is not None]
    if not examples:
        raise InputError(f"{settings.data}: 학습할 (기사, 요약) 쌍이 없습니다.")
    print(f"학습 쌍 {len(examples)}개. 요약이 없는 줄 {no_summary}개와 요약이 {settings.max_target_tokens}토큰을 "
          f"넘는 쌍 {len(made) - len(examples)}개는 건너뛰었고, 기사 {sum(e.shortened for e in examples)}개는 "
          f"{settings.max_input_tokens}토큰에 맞게 앞쪽 문장만 썼습니다.", file=sys.stderr)

    steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
    total = settings.max_steps if settings.max_steps is not None else settings.epochs * steps_per_epoch
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    step = 0
    if previous:
        state = restore_optimizer(previous[-1], optimizer)
        changed = [f"--{name.replace('_', '-')}" for name in RESUME_SETTINGS
                   if state["settings"][name] != getattr(settings, name)]
        if state["total_steps"] != total:
            changed.append(f"총 스텝 수 {state['total_steps']} -> {total} (--epochs, --max-steps, 데이터)")
        if changed:
            raise InputError(f"이어서 학습하려면 처음과 같은 설정을 써야 합니다. 달라진 것: {', '.join(changed)}")
        step = state["step"]
    last = previous[-1] if previous else None
    progress = tqdm(total=total, initial=step, desc="finetune", unit="step")
    while step < total:
        epoch, offset = divmod(step, steps_per_epoch)
        order = torch.randperm(len(examples), generator=torch.Generator().manual_seed(settings.seed + epoch))
        picked = order[offset * settings.batch_size : (offset + 1) * settings.batch_size].tolist()
        batch = {k: v.to(settings.device) for k, v in collate([examples[i] for i in picked], ids.pad).items()}
        loss = train_step(model, optimizer, batch, learning_rate(step, total, settings))
        step += 1
        progress.update(1)
        progress.set_postfix(loss=f"{loss:.3f}", epoch=epoch)
        if step % settings.save_every == 0 or step == total:
            last = out / f"checkpoint-{step}"
            save_checkpoint(last, model, tokenizer_json, optimizer,
                            {"step": step, "total_steps": total, "epoch": epoch, "loss": loss,
                             "source": str(source), "settings": asdict(settings)})
            for old in checkpoints_in(out)[: -settings.keep]:
                shutil.rmtree(old)
    progress.close()
    return last


def main(argv: Sequence[str] | None = None) -> int:
    """``ko-brief finetune DATA.jsonl``: fine-tune KoBART; the result loads with KobartOptions(model=PATH)."""
    defaults = Settings(data="")
    parser = argparse.ArgumentParser(
        prog="ko-brief finetune",
        description="JSONL(article_sents -> abstractive) 쌍으로 KoBART 체크포인트를 미세조정합니다.",
    )
    parser.add_argument("data", help="ko-news-dev.jsonl 형식의 JSONL 파일")
    parser.add_argument("--model", help="시작 체크포인트: 등록된 이름, 허브 ID 또는 폴더 "
                        "(기본: 등록부 기본값, 사전학습 모델에서 시작하려면 kobart-base-v2)")
    parser.add_argument("--out", default=defaults.out, help=f"출력 폴더 (기본 {defaults.out})")
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help="에폭 수")
    parser.add_argument("--max-steps", type=int, help="이 스텝 수에서 멈춤 (--epochs보다 우선)")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="배치 크기")
    parser.add_argument("--lr", type=float, default=defaults.lr, help="최대 학습률 (AdamW)")
    parser.add_argument("--warmup", type=float, default=defaults.warmup, help="학습률을 올리는 스텝 비율")
    parser.add_argument("--max-target-tokens", type=int, default=defaults.max_target_tokens,
                        help="요약이 이보다 긴 쌍은 건너뛰고 개수를 알림")
    parser.add_argument("--save-every", type=int, default=defaults.save_every, help="체크포인트 저장 간격(스텝)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="난수 시드 (데이터 순서, 드롭아웃)")
    parser.add_argument("--device", default=defaults.device, help="cpu 또는 cuda")
    parser.add_argument("--resume", action="store_true", help="--out의 가장 최근 체크포인트에서 이어서 학습")
    args = parser.parse_args(argv)
    try:
        settings = Settings(**vars(args))
    except InputError as exc:
        parser.error(str(exc))
    try:
        last = train(settings)
    except (SummarizerError, OSError) as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 2
    print(f"{last}에 저장했습니다. KobartOptions(model={str(last)!r})로 쓰세요.")
    return 0
