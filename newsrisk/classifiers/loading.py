"""``load_classifier``: the shipped model by default, any local dir or Hugging Face id otherwise."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torch import nn

from newsrisk.classifiers.inference import Classifier, MultiTaskClassifier, SequenceClassifier
from newsrisk.classifiers.lexical import has_lexical, load_lexical
from newsrisk.classifiers.model import is_newsrisk_model, load_model

SHIPPED_MODEL_DIR = Path(__file__).parent / "model"


def _quantize(model: nn.Module) -> nn.Module:
    """int8 per-channel weights, dynamic int8 activations, for the encoder's Linear layers except
    the feed-forward output projections (most sensitive: per-tensor int8 everywhere lost 1.8
    points of TFNS accuracy, this ~0.2).  Uses the torch.ao eager API (torchao's ``quantize_``
    is its successor but not a dependency here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        spec = {
            name: per_channel_dynamic_qconfig
            for name, module in model.named_modules()
            if isinstance(module, nn.Linear)
            and not name.startswith(("heads.", "classifier"))
            and not (name.endswith("output.dense") and "attention" not in name)
        }
        return quantize_dynamic(model, spec, dtype=torch.qint8)


def _place(model: nn.Module, device: str, quantize: bool) -> nn.Module:
    if quantize:
        if device != "cpu":
            raise ValueError("int8 dynamic quantization runs on the CPU only; use device='cpu'")
        return _quantize(model)
    model = model.to(device)
    return model.half() if device.startswith("cuda") else model


def load_classifier(
    model: str | None = None,
    device: str | None = None,
    quantize: bool = False,
    max_batch: int = 64,
    lexical: bool = True,
    cpu_workers: int | None = None,
) -> Classifier:
    """Load a classifier.

    ``model``: None for the model shipped in this package, a directory saved by ``newsrisk train``,
    or any Hugging Face sequence-classification model (id or directory) whose labels map onto
    negative/neutral/positive (e.g. ``ProsusAI/finbert``).  ``device``: None picks CUDA when
    available.  ``quantize``: int8 dynamic quantization of the linear layers (CPU only).
    ``lexical``: blend in the model directory's lexical expert when it has one (newsrisk models).
    ``cpu_workers``: single-threaded CPU inference workers (None: one per usable core, a
    container's CPU quota included; 1: one batch at a time on torch's intra-op threads).
    """
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    source = str(SHIPPED_MODEL_DIR) if model is None else model
    if is_newsrisk_model(source):
        net, tokenizer, meta = load_model(Path(source))
        shipped_lexical = has_lexical(Path(source))
        expert = (load_lexical(Path(source), "int8" if quantize else "fp32")
                  if lexical and shipped_lexical else None)
        variant = ("+int8" if quantize else "") + (
            "+encoder-only" if expert is None and shipped_lexical else "")
        return MultiTaskClassifier(
            _place(net, device, quantize), tokenizer, meta.topic_labels, meta.name,
            meta.version + variant, device, meta.max_length, max_batch, lexical=expert,
            cpu_workers=cpu_workers,
        )
    if model is None:
        raise FileNotFoundError(f"the shipped model is missing from {SHIPPED_MODEL_DIR}")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source)
    net = AutoModelForSequenceClassification.from_pretrained(source).eval()
    version = str(getattr(net.config, "_commit_hash", None) or "hf")
    return SequenceClassifier(
        _place(net, device, quantize), tokenizer, source, version, device, 128, max_batch,
        cpu_workers,
    )
