"""Multi-task fine-tuning of the two-headed encoder on TFNS (sentiment) and TFNT (topic).

One shuffled stream mixes both corpora; each example carries the label it has and ``-100`` for the
other task.  Optionally a *teacher* (any model saved by :func:`save_model`) adds soft labels for
both heads on every example, which fills the missing task of each corpus (self-/distillation).
Reproducible: everything random is seeded from ``TrainConfig.seed``; the config is saved next to
the weights as ``train_config.json`` and per-epoch metrics as ``train_metrics.json``.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from newsrisk.classifiers.data import Example, read_tfns, read_tfnt, read_topic_classes
from newsrisk.classifiers.engine import pad, predict_probs_ids, tokenize
from newsrisk.classifiers.metrics import classification_report
from newsrisk.classifiers.model import ModelMeta, build_model, load_model, save_model
from newsrisk.records import SENTIMENT_LABELS

log = logging.getLogger(__name__)


@dataclass(slots=True)
class TrainConfig:
    base: str = ""  # HF id or local dir of the pre-trained encoder
    seed: int = 13
    epochs: int = 4
    batch_size: int = 32
    lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    max_length: int = 64
    dropout: float = 0.1
    sentiment_weight: float = 1.0
    topic_weight: float = 1.0
    label_smoothing: float = 0.05
    class_balance: float = 0.5  # class weight = (1/freq)**class_balance, 0 disables
    teachers: list[str] = field(default_factory=list)  # model dirs: averaged soft labels
    distill_weight: float = 0.5
    distill_temperature: float = 1.0
    augment: bool = True  # random cashtag/ticker-prefix dropping
    freeze_embeddings: bool = True  # keep the word-embedding matrix (half the weights) fixed
    threads: int = 0  # torch threads on CPU, 0 = leave the default
    name: str = "newsrisk-minilm-fin"
    version: str = "1.0.0"
    sentiment_train: list[str] = field(default_factory=lambda: ["tfns:train"])
    topic_train: list[str] = field(default_factory=lambda: ["tfnt:train"])

    @classmethod
    def from_file(cls, path: Path) -> TrainConfig:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _augment(text: str, rng: random.Random) -> str:
    """Drop a leading ``$TICK -`` prefix or cashtags now and then: headlines rarely carry them."""
    if rng.random() < 0.3:
        words = text.split()
        while len(words) > 3 and (words[0].startswith("$") or words[0] in {"-", ":"}):
            words.pop(0)
        text = " ".join(words)
    if rng.random() < 0.2:
        text = " ".join(w[1:] if w.startswith("$") and len(w) > 1 else w for w in text.split())
    return text


def _class_weights(labels: Sequence[int], k: int, power: float, device: str) -> torch.Tensor:
    counts = np.bincount([y for y in labels if y >= 0], minlength=k).astype(float)
    w = (counts.sum() / np.maximum(counts, 1.0) / k) ** power
    return torch.tensor(w / (w * counts).sum() * counts.sum(), dtype=torch.float32, device=device)


def _bucketed_order(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: sort within chunks of 50 batches, shuffle batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(idx), chunk):
        part = sorted(idx[start : start + chunk], key=lambda i: lengths[i])
        batches += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def evaluate_ids(
    model: Any, ids: Sequence[Sequence[int]], labels: Sequence[int], names: Sequence[str],
    head: str, pad_id: int, device: str,
) -> dict[str, Any]:
    sent, topic = predict_probs_ids(model, ids, pad_id, 128, device)
    probs = sent if head == "sentiment" else topic
    return classification_report(labels, probs.argmax(1), names)


def seed_everything(seed: int, threads: int, device: str) -> random.Random:
    """Seed python, numpy and torch (and fix torch's CPU threads when asked); the run's own RNG."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if threads and device == "cpu":
        torch.set_num_threads(threads)
    return random.Random(seed)


def default_eval_sets(data_dir: Path) -> dict[str, tuple[list[Example], str]]:
    """TFNS valid (sentiment) and TFNT valid (topic): what every epoch is scored on."""
    return {"tfns": (read_tfns(data_dir, "valid"), "sentiment"),
            "tfnt": (read_tfnt(data_dir, "valid"), "topic")}


def make_optimizer(model: Any, cfg: Any, total_steps: int) -> tuple[Any, Any]:
    """AdamW with weight decay on the encoder's matrices only and the heads at ``cfg.head_lr``,
    and a linear schedule with ``cfg.warmup`` of ``total_steps`` as warm-up."""
    trainable = [p for p in model.encoder.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(
        [{"params": [p for p in trainable if p.ndim >= 2], "weight_decay": cfg.weight_decay,
          "lr": cfg.lr},
         {"params": [p for p in trainable if p.ndim < 2], "weight_decay": 0.0, "lr": cfg.lr},
         {"params": list(model.heads.parameters()), "weight_decay": 0.0, "lr": cfg.head_lr}],
    )
    sched = get_linear_schedule_with_warmup(optim, int(cfg.warmup * total_steps), total_steps)
    return optim, sched


def optimizer_step(model: Any, loss: torch.Tensor, optim: Any, sched: Any) -> float:
    """Backward, clip the gradient norm at 1, step optimiser and schedule; the loss as a float."""
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optim.step()
    sched.step()
    optim.zero_grad(set_to_none=True)
    return float(loss.detach())


def epoch_metrics(
    model: Any, eval_ids: dict[str, tuple[list[list[int]], list[Example], str]],
    topics: Sequence[str], pad_id: int, device: str,
) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 per evaluation set (token ids, examples, head)."""
    out = {}
    for key, (e_ids, ex, head) in eval_ids.items():
        labels = [e.sentiment if head == "sentiment" else e.topic for e in ex]
        names = list(SENTIMENT_LABELS) if head == "sentiment" else list(topics)
        rep = evaluate_ids(model, e_ids, labels, names, head, pad_id, device)
        out[key] = {"accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"]}
    return out


def teacher_labels(
    teachers: Sequence[str], texts: Sequence[str], max_length: int, device: str
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Soft labels of both heads averaged over the teacher models (None, None without any)."""
    if not teachers:
        return None, None
    sums: list[np.ndarray] = []
    for path in teachers:
        teacher, tok, _ = load_model(Path(path))
        ids = tokenize(tok, texts, max_length)
        probs = predict_probs_ids(teacher.to(device), ids, int(tok.pad_token_id or 0), 128, device)
        sums = [a + b for a, b in zip(sums, probs, strict=True)] if sums else list(probs)
        del teacher
    return sums[0] / len(teachers), sums[1] / len(teachers)


def _load_corpora(data_dir: Path, cfg: TrainConfig) -> list[Example]:
    readers: dict[str, Callable[[Path, str], list[Example]]]
    readers = {"tfns": read_tfns, "tfnt": read_tfnt}
    out: list[Example] = []
    for spec in cfg.sentiment_train + cfg.topic_train:
        corpus, _, split = spec.partition(":")
        if corpus not in readers:
            raise ValueError(f"unknown training corpus {corpus!r} (use tfns or tfnt)")
        out += readers[corpus](data_dir, split or "train")
    return out


def train(
    data_dir: Path,
    out_dir: Path,
    cfg: TrainConfig,
    device: str = "cpu",
    train_examples: list[Example] | None = None,
    eval_sets: dict[str, tuple[list[Example], str]] | None = None,
    save: bool = True,
) -> dict[str, Any]:
    """Train, evaluate every epoch, save the model (fp16) with its config; return the metrics."""
    rng = seed_everything(cfg.seed, cfg.threads, device)
    topics = read_topic_classes(data_dir)
    examples = train_examples if train_examples is not None else _load_corpora(data_dir, cfg)
    if eval_sets is None:
        eval_sets = default_eval_sets(data_dir)
    tokenizer = AutoTokenizer.from_pretrained(cfg.base)
    pad_id = int(tokenizer.pad_token_id or 0)
    model = build_model(cfg.base, len(SENTIMENT_LABELS), len(topics), cfg.dropout).to(device)
    if cfg.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)

    soft_s, soft_t = teacher_labels(cfg.teachers, [e.text for e in examples], cfg.max_length,
                                    device)

    y_s = torch.tensor([e.sentiment for e in examples])
    y_t = torch.tensor([e.topic for e in examples])
    w_s = _class_weights(y_s.tolist(), len(SENTIMENT_LABELS), cfg.class_balance, device)
    w_t = _class_weights(y_t.tolist(), len(topics), cfg.class_balance, device)
    eval_ids = {k: (tokenize(tokenizer, [e.text for e in ex], 128), ex, head)
                for k, (ex, head) in eval_sets.items()}

    optim, sched = make_optimizer(model, cfg, math.ceil(len(examples) / cfg.batch_size) * cfg.epochs)
    history: list[dict[str, Any]] = []
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        texts = [_augment(e.text, rng) if cfg.augment else e.text for e in examples]
        ids = tokenize(tokenizer, texts, cfg.max_length)
        batches = _bucketed_order([len(x) for x in ids], cfg.batch_size, rng)
        bar = tqdm(batches, desc=f"epoch {epoch}/{cfg.epochs}", unit="batch", mininterval=5)
        started, running = time.monotonic(), 0.0
        for step, batch in enumerate(bar, 1):
            input_ids, mask = pad([ids[i] for i in batch], pad_id)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda")):
                s_logits, t_logits = model(input_ids.to(device), mask.to(device))
            s_logits, t_logits = s_logits.float(), t_logits.float()
            bs, bt = y_s[batch].to(device), y_t[batch].to(device)
            loss = s_logits.new_zeros(())
            if (bs >= 0).any():
                loss = loss + cfg.sentiment_weight * F.cross_entropy(
                    s_logits, bs, weight=w_s, ignore_index=-100,
                    label_smoothing=cfg.label_smoothing)
            if (bt >= 0).any():
                loss = loss + cfg.topic_weight * F.cross_entropy(
                    t_logits, bt, weight=w_t, ignore_index=-100,
                    label_smoothing=cfg.label_smoothing)
            if soft_s is not None and soft_t is not None:
                temp = cfg.distill_temperature
                for logits, soft, w in ((s_logits, soft_s, cfg.sentiment_weight),
                                        (t_logits, soft_t, cfg.topic_weight)):
                    target = torch.from_numpy(soft[batch]).to(device)
                    if temp != 1.0:
                        target = torch.softmax(torch.log(target.clamp_min(1e-8)) / temp, -1)
                    kl = F.kl_div(F.log_softmax(logits / temp, -1), target, reduction="batchmean")
                    loss = loss + cfg.distill_weight * w * kl * temp * temp
            running += optimizer_step(model, loss, optim, sched)
            if step % 20 == 0:
                bar.set_postfix(loss=f"{running / step:.4f}")
        row: dict[str, Any] = {"epoch": epoch, "loss": running / max(len(batches), 1),
                               "seconds": round(time.monotonic() - started, 1)}
        row.update(epoch_metrics(model, eval_ids, topics, pad_id, device))
        history.append(row)
        log.info("epoch done", extra={"metrics": row})
        tqdm.write(json.dumps(row))
        if save:  # after every epoch, so that an interrupted run still leaves a usable model
            meta = ModelMeta(name=cfg.name, version=cfg.version, max_length=128,
                             sentiment_labels=list(SENTIMENT_LABELS), topic_labels=topics)
            save_model(model, tokenizer, meta, out_dir,
                       {"train_config.json": asdict(cfg), "train_metrics.json": history})
    return {"history": history, "model": model}
