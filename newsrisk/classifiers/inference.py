"""Classifiers behind the :class:`Classifier` protocol.

* :class:`MultiTaskClassifier`: the shipped two-headed model (sentiment + 20 topics, one pass).
* :class:`SequenceClassifier`: any Hugging Face sequence-classification model (e.g.
  ``ProsusAI/finbert``), its ``id2label`` mapped onto negative/neutral/positive; no topics.

Both batch internally: texts are tokenised chunk by chunk in a helper thread while the previous
chunk runs through the model, grouped by length and padded per batch, under ``inference_mode``.

On the CPU the batches run on a pool of single-threaded workers (one per core), each on its own
short batch of similar-length texts, instead of one batch at a time on torch's intra-op threads.
Two reasons, both measured (``benchmarks/cpu_inference_modes.py``): a small encoder's operators
are too short to keep several OpenMP threads busy, and every barrier between them stalls when
any other thread of the machine (the Kafka client, the broker, a database write) takes one of
the cores; and short batches pad less than one batch of every length.
"""

from __future__ import annotations

import gc
import math
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from newsrisk.classifiers.engine import length_batches, pad, tokenize
from newsrisk.classifiers.lexical import LexicalModel
from newsrisk.records import SENTIMENT_LABELS, Prediction, Sentiment, TopicScore

CHUNK = 1024  # texts tokenised at a time (one chunk ahead of the model)
CPU_BATCH = 8  # rows per batch on a CPU worker (a call of max_batch texts is split by length)


def available_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may use: its affinity mask, capped by a cgroup CPU quota (a container's
    ``--cpus`` / Kubernetes ``limits.cpu``), which ``os.cpu_count`` and torch do not see."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = period = ""
    try:  # cgroup v2: "max 100000" or "<quota> <period>"
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:  # cgroup v1: -1 = no quota
            quota = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            pass
    if quota.isdigit() and period.isdigit() and int(period) > 0:
        n = min(n, max(1, math.ceil(int(quota) / int(period))))
    return max(1, n)


def default_cpu_workers() -> int:
    """One CPU worker per usable core: torch's thread count (which honours ``OMP_NUM_THREADS``
    and ``torch.set_num_threads``) capped by :func:`available_cpus`."""
    return max(1, min(torch.get_num_threads(), available_cpus()))


class Classifier(Protocol):
    name: str
    version: str
    device: str

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


class _BatchedModel:
    """Shared batching machinery: subclasses implement ``_forward(input_ids, mask)``."""

    name: str
    version: str
    device: str

    def __init__(self, tokenizer: PreTrainedTokenizerBase, max_length: int, max_batch: int,
                 cpu_workers: int | None = None, cpu_batch: int = CPU_BATCH):
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.max_batch = max_batch
        self.pad_id = int(tokenizer.pad_token_id or 0)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="newsrisk-tokenize")
        # CPU: this many single-threaded workers (None: one per usable core); 1 runs every batch
        # on the calling thread with torch's intra-op threads instead.
        self.cpu_workers = cpu_workers if cpu_workers is not None else default_cpu_workers()
        self.cpu_batch = cpu_batch
        self._cpu_pool: ThreadPoolExecutor | None = None

    def workers(self) -> ThreadPoolExecutor | None:
        """The CPU worker pool (created on first use), or None on a GPU or with one worker."""
        if self.device != "cpu" or self.cpu_workers <= 1:
            return None
        if self._cpu_pool is None:
            self._cpu_pool = ThreadPoolExecutor(
                self.cpu_workers, thread_name_prefix="newsrisk-infer",
                initializer=torch.set_num_threads, initargs=(1,))  # per thread, not global
        return self._cpu_pool

    def _forward(self, input_ids: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        raise NotImplementedError

    def _chunks(self, texts: Sequence[str]) -> Iterator[tuple[int, list[list[int]]]]:
        starts = list(range(0, len(texts), CHUNK))
        if not starts:
            return
        future = self._pool.submit(tokenize, self.tokenizer, texts[:CHUNK], self.max_length)
        for i, start in enumerate(starts):
            ids = future.result()
            if i + 1 < len(starts):
                nxt = starts[i + 1]
                future = self._pool.submit(
                    tokenize, self.tokenizer, texts[nxt : nxt + CHUNK], self.max_length
                )
            yield start, ids

    def _batch_probs(self, ids: list[list[int]]) -> list[torch.Tensor]:
        """Softmaxed heads of one padded batch (runs on a worker thread or the caller's)."""
        with torch.inference_mode():  # thread-local: entered again on a worker
            input_ids, mask = pad(ids, self.pad_id)
            heads = self._forward(input_ids.to(self.device), mask.to(self.device))
            return [torch.softmax(h.float(), -1) for h in heads]

    def probs(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Per-head probability matrices (rows in input order).

        Batches are queued on the device without waiting; each chunk's probabilities come back
        in one transfer, so a GPU is never stalled by a per-batch copy to the host."""
        outputs: list[np.ndarray] = []
        pool = self.workers()
        with self._lock, torch.inference_mode():
            for start, ids in self._chunks(list(texts)):
                rows: list[int] = []
                parts: list[list[torch.Tensor]] = []
                size = min(self.max_batch, self.cpu_batch) if pool else self.max_batch
                batches = list(length_batches([len(x) for x in ids], size))
                if pool:  # longest first, so the last batches to finish are the short ones
                    parts = list(pool.map(self._batch_probs, [[ids[i] for i in b] for b in batches]))
                else:
                    parts = [self._batch_probs([ids[i] for i in b]) for b in batches]
                for batch in batches:
                    rows += [start + i for i in batch]
                merged = [torch.cat([p[k] for p in parts]).cpu().numpy() for k in range(len(parts[0]))]
                if not outputs:
                    outputs = [np.zeros((len(texts), m.shape[-1]), np.float32) for m in merged]
                for out, m in zip(outputs, merged, strict=True):
                    out[rows] = m
        return outputs


def predictions(
    sent: np.ndarray, topic: np.ndarray | None, topic_labels: Sequence[str], top_topics: int
) -> list[Prediction]:
    """Prediction records from probability matrices (numbers converted in bulk, not per row).

    The cyclic garbage collector is paused while the records are built: they hold no cycles, and
    its generation-0 passes over thousands of fresh objects cost more than building them."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _predictions(sent, topic, topic_labels, top_topics)
    finally:
        if paused:
            gc.enable()


def _predictions(
    sent: np.ndarray, topic: np.ndarray | None, topic_labels: Sequence[str], top_topics: int
) -> list[Prediction]:
    labels = [SENTIMENT_LABELS[i] for i in sent.argmax(1).tolist()]
    rows = sent.tolist()
    if topic is None or top_topics <= 0:
        return [Prediction(Sentiment(lab, *row), ()) for lab, row in zip(labels, rows, strict=True)]
    best = np.argsort(-topic, axis=1)[:, :top_topics]
    scores = np.take_along_axis(topic, best, 1).tolist()
    return [
        Prediction(Sentiment(lab, *row),
                   tuple(TopicScore(topic_labels[j], sc) for j, sc in zip(b, ss, strict=True)))
        for lab, row, b, ss in zip(labels, rows, best.tolist(), scores, strict=True)
    ]


class MultiTaskClassifier(_BatchedModel):
    def __init__(
        self,
        model: nn.Module,
        tokenizer: PreTrainedTokenizerBase,
        topic_labels: Sequence[str],
        name: str,
        version: str,
        device: str = "cpu",
        max_length: int = 128,
        max_batch: int = 64,
        top_topics: int = 3,
        lexical: LexicalModel | None = None,
        cpu_workers: int | None = None,
    ):
        super().__init__(tokenizer, max_length, max_batch, cpu_workers)
        self.model = model
        self.topic_labels = list(topic_labels)
        self.name, self.version, self.device = name, version, device
        self.top_topics = top_topics
        self.lexical = lexical
        self._lexical_pool = (ThreadPoolExecutor(1, thread_name_prefix="newsrisk-lexical")
                              if lexical is not None else None)

    def _forward(self, input_ids: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        sent, topic = self.model(input_ids, mask)
        return [sent, topic]

    def model_probs(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The encoder's own probabilities, without the lexical expert."""
        return super().probs(texts)

    def probs(self, texts: Sequence[str]) -> list[np.ndarray]:
        """[sentiment, topic] probabilities: the encoder's, times the lexical expert's when the
        model ships one.  Its n-grams are counted while the encoder runs: on a GPU in a thread of
        their own, on the CPU as one more task of the worker pool; with a single CPU worker
        (torch's intra-op threads) after the encoder, because a thread beside OpenMP threads on
        the same cores stalls them more than it saves."""
        if self.lexical is None or self._lexical_pool is None or not texts:
            return super().probs(texts)
        pool = self.workers()
        if pool is not None:  # one CPU worker counts n-grams while the others run the encoder
            lexical = pool.submit(self.lexical.log_probs, list(texts))
            sent, topic = super().probs(texts)
            log_lex = lexical.result()
        elif self.device == "cpu":
            sent, topic = super().probs(texts)
            log_lex = self.lexical.log_probs(list(texts))
        else:
            lexical = self._lexical_pool.submit(self.lexical.log_probs, list(texts))
            sent, topic = super().probs(texts)
            log_lex = lexical.result()
        return [self.lexical.blend("sentiment", sent, log_lex["sentiment"]),
                self.lexical.blend("topic", topic, log_lex["topic"])]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        sent, topic = self.probs(texts)
        return predictions(sent, topic, self.topic_labels, self.top_topics)


def sentiment_index(id2label: dict[int, str]) -> list[int]:
    """For each model output, its index in SENTIMENT_LABELS (bearish/bullish are understood)."""
    aliases = {"neg": 0, "bear": 0, "neu": 1, "pos": 2, "bull": 2}
    order = []
    for i in range(len(id2label)):
        label = str(id2label[i]).lower()
        match = [v for k, v in aliases.items() if label.startswith(k)]
        if not match:
            raise ValueError(f"cannot map label {id2label[i]!r} to negative/neutral/positive")
        order.append(match[0])
    if sorted(order) != [0, 1, 2]:
        raise ValueError(f"labels {id2label} are not exactly negative, neutral and positive")
    return order


class SequenceClassifier(_BatchedModel):
    """A plain HF sequence-classification sentiment model; topics are empty."""

    def __init__(
        self,
        model: nn.Module,
        tokenizer: PreTrainedTokenizerBase,
        name: str,
        version: str,
        device: str = "cpu",
        max_length: int = 128,
        max_batch: int = 64,
        cpu_workers: int | None = None,
    ):
        super().__init__(tokenizer, max_length, max_batch, cpu_workers)
        self.model = model
        self.name, self.version, self.device = name, version, device
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.perm = np.argsort(sentiment_index(id2label))  # model columns in our order

    def _forward(self, input_ids: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        return [self.model(input_ids=input_ids, attention_mask=mask).logits]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        (sent,) = self.probs(texts)
        return predictions(sent[:, self.perm], None, (), 0)
