"""Batched inference core: tokenise, bucket by length, pad per batch, run under inference_mode."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from newsrisk.classifiers.data import clean_text
from newsrisk.classifiers.model import MultiTaskModel


def tokenize(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int
) -> list[list[int]]:
    """Token ids (with special tokens, truncated, unpadded) of the cleaned texts."""
    cleaned = [clean_text(t) or "." for t in texts]
    enc = tokenizer(cleaned, truncation=True, max_length=max_length, add_special_tokens=True)
    return list(enc["input_ids"])


def length_batches(
    lengths: Sequence[int], max_batch: int, max_tokens: int | None = None
) -> Iterator[list[int]]:
    """Indices grouped into batches of similar length (longest first), capped in rows and tokens."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    batch: list[int] = []
    for idx in order.tolist():
        width = lengths[batch[0]] if batch else lengths[idx]
        full = len(batch) >= max_batch
        if batch and (full or (max_tokens and width * (len(batch) + 1) > max_tokens)):
            yield batch
            batch = []
        batch.append(idx)
    if batch:
        yield batch


def pad(ids: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ``input_ids`` and ``attention_mask`` (vectorised: no per-row tensors)."""
    lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
    width = int(lengths.max())
    mask = np.arange(width) < lengths[:, None]
    input_ids = np.full((len(ids), width), pad_id, dtype=np.int64)
    input_ids[mask] = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
    return torch.from_numpy(input_ids), torch.from_numpy(mask.astype(np.int64))


def predict_probs(
    model: MultiTaskModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_length: int = 128,
    max_batch: int = 64,
    device: str = "cpu",
    dtype: torch.dtype | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sentiment and topic probabilities (rows in input order) for ``texts``."""
    ids = tokenize(tokenizer, texts, max_length)
    return predict_probs_ids(model, ids, int(tokenizer.pad_token_id or 0), max_batch, device, dtype)


def predict_probs_ids(
    model: MultiTaskModel,
    ids: Sequence[Sequence[int]],
    pad_id: int,
    max_batch: int = 64,
    device: str = "cpu",
    dtype: torch.dtype | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    n_sent = model.heads["sentiment"].out_features
    n_topic = model.heads["topic"].out_features
    sent = np.zeros((len(ids), n_sent), dtype=np.float32)
    topic = np.zeros((len(ids), n_topic), dtype=np.float32)
    was_training = model.training
    model.eval()
    autocast = dtype is not None and device != "cpu"
    with torch.inference_mode():
        for batch in length_batches([len(x) for x in ids], max_batch):
            input_ids, mask = pad([ids[i] for i in batch], pad_id)
            input_ids, mask = input_ids.to(device), mask.to(device)
            with torch.autocast(device_type="cuda", dtype=dtype or torch.float16, enabled=autocast):
                s_logits, t_logits = model(input_ids, mask)
            sent[batch] = torch.softmax(s_logits.float(), -1).cpu().numpy()
            topic[batch] = torch.softmax(t_logits.float(), -1).cpu().numpy()
    model.train(was_training)
    return sent, topic
