"""``newsrisk evaluate``: accuracy, F1, per-class P/R and confusion matrices on the benchmarks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from newsrisk.cli.main import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="score a classifier on TFNS, TFNT and Financial PhraseBank",
        description="Evaluate a classifier on TFNS valid (tfns), TFNT valid (tfnt), Financial "
        "PhraseBank 50Agree (fpb_50) and AllAgree (fpb_all), and the repository's hand-labelled "
        "news headlines (news_dev, news_test) and written news sentences (news_written): "
        "accuracy, macro-F1, weighted-F1, per-class precision/recall and confusion matrix.  "
        "--finbert-protocol also trains the default recipe on a random 80% of FPB 50Agree and "
        "tests it on the other 20% (never saved).",
    )
    p.add_argument("--data", type=Path, required=True, help="data root (sentiment/, topic/)")
    p.add_argument("--model", help="model dir or HF id (default: the shipped model)")
    p.add_argument("--json", type=Path, required=True, help="where to write the metrics")
    p.add_argument("--sets", help="comma-separated subset (default: all; the headline sets when "
                   "this install has the repository's data/headlines/)")
    p.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    p.add_argument("--quantize", action="store_true", help="int8 dynamic quantization (CPU)")
    p.add_argument("--no-lexical", action="store_true",
                   help="score the encoder alone, without the model's lexical expert")
    p.add_argument("--finbert-protocol", action="store_true",
                   help="also run the FinBERT 80/20 FPB protocol with the training recipe")
    p.add_argument("--protocol-sentiment-only", action="store_true",
                   help="train the FinBERT-protocol model without the TFNT topic data (cheaper)")
    p.add_argument("--recipe", type=Path,
                   help="train_config.json for --finbert-protocol (default: the model's)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from newsrisk.classifiers import SHIPPED_MODEL_DIR, load_classifier
    from newsrisk.classifiers.data import EVAL_SETS, NEWS_SETS
    from newsrisk.classifiers.evaluate import evaluate, finbert_protocol
    from newsrisk.classifiers.train import TrainConfig

    if args.sets:
        sets = tuple(s.strip() for s in args.sets.split(",") if s.strip())
    else:  # a wheel install (the Docker image) has no data/headlines/: skip those sets, say so
        sets = tuple(s for s in EVAL_SETS if s not in NEWS_SETS or NEWS_SETS[s].is_file())
        for name in sorted(set(EVAL_SETS) - set(sets)):
            print(f"{name:8s} skipped: {NEWS_SETS[name]} is not in this install "
                  "(a source checkout has it)")
    unknown = [s for s in sets if s not in EVAL_SETS]
    if unknown:
        raise CommandError(f"unknown set(s) {', '.join(unknown)}; use {', '.join(EVAL_SETS)}")
    if not (args.data / "topic" / "tfnt" / "classes.txt").is_file():
        raise CommandError(f"{args.data} lacks topic/tfnt/classes.txt; pass the data root")
    try:
        clf = load_classifier(args.model, args.device, args.quantize, lexical=not args.no_lexical)
        result = evaluate(clf, args.data, sets)
    except (OSError, ValueError) as exc:
        raise CommandError(f"{exc}") from exc
    result["model"] = {"name": clf.name, "version": clf.version, "device": clf.device}
    if args.finbert_protocol:
        recipe = args.recipe or Path(args.model or SHIPPED_MODEL_DIR) / "train_config.json"
        if not recipe.is_file():
            raise CommandError(f"no recipe at {recipe}; pass --recipe train_config.json")
        result["finbert_protocol"] = finbert_protocol(
            args.data, TrainConfig.from_file(recipe), device=clf.device,
            with_topics=not args.protocol_sentiment_only,
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name in sets:
        r = result[name]
        if "accuracy" in r:
            print(f"{name:8s} acc {r['accuracy']:.4f}  macro-F1 {r['macro_f1']:.4f}  n={r['n']}")
        else:
            print(f"{name:8s} skipped: {r['skipped']}")
    if "finbert_protocol" in result:
        fp = result["finbert_protocol"]
        print(f"finbert protocol (FPB50 80/20): acc {fp['accuracy']:.4f}  "
              f"macro-F1 {fp['macro_f1']:.4f}")
    return 0
