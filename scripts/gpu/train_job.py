"""GPU job driver (not product code): recipe sweep, FinBERT protocol, ensemble distillation.

Modes (run from the repo root with the base encoder in .data/base and the data in .data/data):
  train NAME [JSON]      train recipe NAME (overrides in JSON) into /tmp/models/NAME
  finbert NAME           FinBERT protocol (80/20 FPB 50Agree) with recipe NAME
  student NAME TEACHERS [JSON]  distil the averaged TEACHERS (comma list) into a new model,
                         on TFNS+TFNT train plus the unlabelled stocknet texts in .data/unlabelled
"""
import dataclasses
import gzip
import json
import os
import random
import sys
import time
from pathlib import Path

import torch

from newsrisk.classifiers.data import Example, read_tfns, read_tfnt
from newsrisk.classifiers.evaluate import finbert_protocol, load_suite
from newsrisk.classifiers.train import TrainConfig, train

D = Path(".data/data")
BASE = ".data/base"
COMMON = dict(epochs=8, batch_size=32, lr=1e-4, freeze_embeddings=False)
RECIPES = {  # call 1: a1..a6 at batch 32 (7 jobs shared the GPU, most were cut at epoch 5)
    "a1": dict(),
    "a2": dict(lr=5e-5, epochs=10),
    "a3": dict(lr=2e-4, batch_size=64, epochs=8),
    "a4": dict(class_balance=0.0, seed=7),
    "a5": dict(label_smoothing=0.1, dropout=0.2, seed=21),
    "a6": dict(freeze_embeddings=True, seed=5),
    # call 2: batch 64, full schedules, the teachers of the distilled students
    "t1": dict(lr=1.5e-4, batch_size=64, class_balance=0.0, seed=7),
    "t2": dict(lr=1.5e-4, batch_size=64, class_balance=0.5, seed=13),
    "t3": dict(lr=2e-4, batch_size=64, class_balance=0.0, label_smoothing=0.1, seed=21),
    "t4": dict(lr=1e-4, batch_size=64, class_balance=0.25, dropout=0.15, seed=3),
}
torch.set_num_threads(2)
DEV = os.environ.get("DEV", "cuda")
SMOKE = int(os.environ.get("SMOKE", "0"))  # >0: that many training examples, 1 epoch
mode, name = sys.argv[1], sys.argv[2]
res = Path("/tmp/res")
res.mkdir(exist_ok=True)
evs = {k: load_suite(D, k) for k in ("tfns", "tfnt", "fpb_50", "fpb_all")}
if SMOKE:
    evs = {k: (v[0][:100], v[1]) for k, v in evs.items()}


def cfg_for(name: str, extra: dict) -> TrainConfig:
    smoke = {"epochs": 1} if SMOKE else {}
    return TrainConfig(base=BASE, **{**COMMON, **RECIPES.get(name, {}), **extra, **smoke})


def corpus() -> list[Example]:
    ex = read_tfns(D, "train") + read_tfnt(D, "train")
    return random.Random(0).sample(ex, SMOKE) if SMOKE else ex


t0 = time.time()
if mode == "train":
    cfg = cfg_for(name, json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})
    train(D, Path(f"/tmp/models/{name}"), cfg, device=DEV, train_examples=corpus(), eval_sets=evs)
elif mode == "finbert":
    cfg = cfg_for(name, {})
    r = finbert_protocol(D, cfg, device=DEV)
    (res / "finbert.json").write_text(json.dumps({**r, "cfg": dataclasses.asdict(cfg)}))
elif mode == "student":
    teachers = sys.argv[3].split(",")
    extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    n_unlab = int(extra.pop("unlabelled", 0))
    cfg = cfg_for(name, {"teachers": teachers, "distill_weight": 1.0,
                         "distill_temperature": 2.0, **extra})
    examples = corpus()
    if n_unlab:
        with gzip.open(".data/unlabelled.txt.gz", "rt", encoding="utf-8") as fh:
            texts = [line.rstrip("\n") for line in fh if line.strip()]
        random.Random(cfg.seed).shuffle(texts)
        examples += [Example(t) for t in texts[: (SMOKE or n_unlab)]]
    train(D, Path(f"/tmp/models/{name}"), cfg, device=DEV, train_examples=examples,
          eval_sets=evs)
print("done", mode, name, round(time.time() - t0), flush=True)
