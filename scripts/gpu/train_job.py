"""GPU job driver (not product code): sweep recipes, FinBERT protocol, ensemble distillation."""
import dataclasses
import json
import sys
import time
from pathlib import Path

import torch

from newsrisk.classifiers import load_classifier
from newsrisk.classifiers.evaluate import evaluate, finbert_protocol, load_suite
from newsrisk.classifiers.train import TrainConfig, train

D = Path(".data/data")
BASE = ".data/base"
RECIPES = {
    "r1": dict(lr=1e-4, epochs=6, batch_size=32),
    "r2": dict(lr=5e-5, epochs=8, batch_size=32),
    "r3": dict(lr=2e-4, epochs=6, batch_size=64),
    "r4": dict(lr=1e-4, epochs=8, batch_size=32, class_balance=0.0),
    "r5": dict(lr=1e-4, epochs=8, batch_size=32, label_smoothing=0.1, dropout=0.2, seed=7),
}
torch.set_num_threads(2)
mode = sys.argv[1]
res = Path("/tmp/res")
res.mkdir(exist_ok=True)
evs = {k: load_suite(D, k) for k in ("tfns", "tfnt", "fpb_50", "fpb_all")}
if mode == "train":
    name = sys.argv[2]
    extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    cfg = TrainConfig(base=BASE, **{**RECIPES.get(name, {}), **extra})
    t = time.time()
    out = train(D, Path(f"/tmp/models/{name}"), cfg, device="cuda", eval_sets=evs)
    summary = {"cfg": dataclasses.asdict(cfg), "history": out["history"], "secs": time.time() - t}
    (res / f"{name}.json").write_text(json.dumps(summary))
elif mode == "finbert":
    cfg = TrainConfig(base=BASE, **RECIPES[sys.argv[2]])
    r = finbert_protocol(D, cfg, device="cuda")
    (res / "finbert.json").write_text(json.dumps(r))
elif mode == "evalfull":
    clf = load_classifier(sys.argv[2], "cuda")
    r = evaluate(clf, D)
    (res / f"eval_{Path(sys.argv[2]).name}.json").write_text(json.dumps(r))
