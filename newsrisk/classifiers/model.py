"""The two-headed encoder: one forward pass gives sentiment and topic logits.

On disk (``save_model``/``load_model``) a model directory holds

* ``config.json``: the encoder's Hugging Face config (a plain ``BertModel``),
* ``model.safetensors``: encoder weights (the ``BertModel`` names) plus ``heads.sentiment.*`` and
  ``heads.topic.*``, stored in fp16,
* ``newsrisk_model.json``: name, version, pooling, max length and the label lists of both heads,
* the tokenizer files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerBase

from newsrisk.records import SENTIMENT_LABELS

META_FILE = "newsrisk_model.json"
WEIGHTS_FILE = "model.safetensors"


@dataclass(slots=True)
class ModelMeta:
    name: str = "newsrisk-minilm-fin"
    version: str = "1.0.0"
    pooling: str = "mean"
    max_length: int = 128
    sentiment_labels: list[str] = field(default_factory=lambda: list(SENTIMENT_LABELS))
    topic_labels: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, model_dir: Path) -> ModelMeta:
        data = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def write(self, model_dir: Path) -> None:
        text = json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"
        (model_dir / META_FILE).write_text(text, encoding="utf-8")


def is_newsrisk_model(path: str | Path) -> bool:
    return (Path(path) / META_FILE).is_file()


class MultiTaskModel(nn.Module):
    """Encoder + mean pooling + a sentiment head and a topic head."""

    def __init__(self, encoder: nn.Module, n_sentiment: int, n_topic: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict(
            {"sentiment": nn.Linear(hidden, n_sentiment), "topic": nn.Linear(hidden, n_topic)}
        )

    def pool(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.dropout(self.pool(input_ids, attention_mask))
        return self.heads["sentiment"](pooled), self.heads["topic"](pooled)


def build_model(base: str, n_sentiment: int, n_topic: int, dropout: float = 0.1) -> MultiTaskModel:
    """A fresh two-headed model on top of a pre-trained encoder (HF id or local dir)."""
    encoder = AutoModel.from_pretrained(base, add_pooling_layer=False, dtype=torch.float32)
    return MultiTaskModel(encoder, n_sentiment, n_topic, dropout)


def save_model(
    model: MultiTaskModel,
    tokenizer: PreTrainedTokenizerBase,
    meta: ModelMeta,
    out_dir: Path,
    extra_files: dict[str, Any] | None = None,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.encoder.config.save_pretrained(out_dir)
    state = {"encoder": model.encoder.state_dict(), "heads": model.heads.state_dict()}
    tensors = {
        (k if part == "encoder" else f"heads.{k}"): v.detach().cpu().to(torch.float16).contiguous()
        for part, sd in state.items()
        for k, v in sd.items()
        if not k.endswith("position_ids")
    }
    save_file(tensors, str(out_dir / WEIGHTS_FILE), metadata={"format": "pt"})
    tokenizer.save_pretrained(out_dir)
    meta.write(out_dir)
    for name, payload in (extra_files or {}).items():
        (out_dir / name).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def load_model(model_dir: Path) -> tuple[MultiTaskModel, PreTrainedTokenizerBase, ModelMeta]:
    """Load a model saved by :func:`save_model`, in fp32, in eval mode, on the CPU."""
    meta = ModelMeta.read(model_dir)
    config = AutoConfig.from_pretrained(model_dir)
    encoder = AutoModel.from_config(config, add_pooling_layer=False)
    model = MultiTaskModel(encoder, len(meta.sentiment_labels), len(meta.topic_labels))
    tensors = load_file(str(model_dir / WEIGHTS_FILE))
    enc_state = {k: v.float() for k, v in tensors.items() if not k.startswith("heads.")}
    head_state = {k[6:]: v.float() for k, v in tensors.items() if k.startswith("heads.")}
    missing, unexpected = model.encoder.load_state_dict(enc_state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"{model_dir}: weights do not match the config (missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]})")
    model.heads.load_state_dict(head_state)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return model.eval(), tokenizer, meta
