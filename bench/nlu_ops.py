"""The ops NLU on its generated dev set: held-out phrasings (templates) and held-out names.

Trains a model with the dev templates held out (unless --model-dir points at one), then
reports, for fp32 and the shipped weights:

- model level: intent accuracy, slot F1 (seqeval), exact match, OOS false accept;
- end to end (ModelParser on the raw Slack-style text, threshold applied);
- a threshold sweep: OOS false accepts against in-scope answers turned into questions,
  for two policies: guard mutating intents only (the shipped rule) or every runbook;
- long messages: the same held-out templates and names, each wrapped into a message of
  45-95 words of context (`GenerationConfig(force_long=True)`), read end to end in two
  ways: the whole message at once, or sentence by sentence (`ModelParser(long_text=...)`).

    python bench/nlu_ops.py --train --out artifacts/bench/nlu_ops.json
    python bench/nlu_ops.py --model-dir artifacts/bench/ops-holdout/model
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from chatops.model import META_INTENTS, OUT_OF_SCOPE
from chatops.runbook.catalogue import load_catalogue
from finetune.data import GenerationConfig, dataset_from_catalogue
from finetune.evaluate import onnx_predictor, score_ops, score_parser
from intents import ModelParser
from intents.parser import LONG_TEXT_STRATEGIES

THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def sweep(model_dir: Path, samples: list[Any], risks: dict[str, str]) -> list[dict[str, Any]]:
    """OOS false accept / unsure rate / intent accuracy for each threshold and policy."""
    raw = ModelParser(model_dir, threads=2, threshold=0.0)
    tops = [(s.intent, raw.parse(s.text)) for s in samples]
    mutating = {n for n, r in risks.items() if r != "read"} | {"confirm", "undo"}
    runbooks = set(risks) | {"confirm", "undo"}
    rows: list[dict[str, Any]] = []
    for policy, guarded in (("mutating", mutating), ("all-runbooks", runbooks)):
        for t in THRESHOLDS:
            oos = accepted = in_scope = unsure = correct = 0
            for gold, parsed in tops:
                pred = parsed.intent
                if pred in guarded and parsed.confidence < t:
                    pred = OUT_OF_SCOPE
                correct += pred == gold
                if gold == OUT_OF_SCOPE:
                    oos += 1
                    accepted += pred not in {OUT_OF_SCOPE, *META_INTENTS}
                else:
                    in_scope += 1
                    unsure += pred == OUT_OF_SCOPE
            rows.append({
                "policy": policy, "threshold": t,
                "oos_false_accept": 100.0 * accepted / oos,
                "unsure_rate": 100.0 * unsure / in_scope,
                "intent_acc": 100.0 * correct / len(tops),
            })
    return rows


def _count(value: str) -> int:
    count = int(value)
    if count < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {count}")
    return count


def main() -> None:
    """Train (optionally) and evaluate the ops model; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=None,
                        help="a model trained with held-out dev templates")
    parser.add_argument("--train", action="store_true",
                        help="train one first (into --work-dir)")
    parser.add_argument("--work-dir", type=Path, default=Path("artifacts/bench/ops-holdout"),
                        help="where --train puts its model and checkpoint")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=1,
                        help="how many times the training data is drawn (chatops nlu train)")
    parser.add_argument("--talk", type=_count, default=0,
                        help="talk around changes per round (finetune.recipe.TALK is the "
                        "shipped recipe's)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--catalogue", type=Path, default=None,
                        help="a folder of runbook files (default: the packaged catalogue)")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench/nlu_ops.json"))
    args = parser.parse_args()
    results: dict[str, Any] = {"args": {k: str(v) if isinstance(v, Path) else v
                                        for k, v in vars(args).items()}}
    model_dir = args.model_dir
    if args.train:
        from finetune.train import train_ops

        work = args.work_dir
        started = time.perf_counter()
        train_ops(work / "model", epochs=args.epochs, rounds=args.rounds, seed=args.seed,
                  checkpoint_dir=work / "checkpoint", disable_tqdm=True,
                  catalogue_dir=args.catalogue, talk=args.talk)
        results["train_wall_seconds"] = time.perf_counter() - started
        model_dir = work / "model"
    if model_dir is None:
        parser.error("give --model-dir or --train")
    meta = json.loads((model_dir / "meta.json").read_text())
    catalogue = load_catalogue(args.catalogue)
    dataset = dataset_from_catalogue(catalogue, config=GenerationConfig(seed=int(meta["seed"])))
    labels = json.loads((model_dir / "labels.json").read_text())
    checkpoint = model_dir.parent / "checkpoint"
    variants = {"shipped": model_dir / "model.onnx"}
    if (checkpoint / "model.fp32.onnx").exists():
        variants["fp32"] = checkpoint / "model.fp32.onnx"
    results["weights"] = meta["weights"]
    for name, path in variants.items():
        predict = onnx_predictor(path, model_dir / "tokenizer.json", labels["intents"],
                                 labels["slots"])
        results[f"model_level_{name}"] = score_ops(predict, list(dataset.dev))
        with tempfile.TemporaryDirectory() as tmp:
            for f in ("tokenizer.json", "labels.json", "meta.json"):
                shutil.copyfile(model_dir / f, Path(tmp) / f)
            shutil.copyfile(path, Path(tmp) / "model.onnx")
            results[f"end_to_end_{name}"] = score_parser(
                ModelParser(Path(tmp), catalogue=catalogue), list(dataset.dev))
    long_dev = [s for s in dataset_from_catalogue(
        catalogue, config=GenerationConfig(seed=int(meta["seed"]), force_long=True)
    ).dev if s.intent not in META_INTENTS]
    for strategy in LONG_TEXT_STRATEGIES:
        results[f"long_{strategy}"] = score_parser(
            ModelParser(model_dir, catalogue=catalogue, long_text=strategy), long_dev
        )
    results["threshold"] = meta["threshold"]
    results["sweep"] = sweep(model_dir, list(dataset.dev), meta["risks"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")

    print(f"dev set: {len(dataset.dev)} utterances from held-out templates and names")
    print("| weights | view | intent acc | slot F1 | exact match | OOS false accept |")
    print("|---|---|---|---|---|---|")
    for name in variants:
        for view in ("model_level", "end_to_end"):
            m = results[f"{view}_{name}"]
            label = meta["weights"] if name == "shipped" else "fp32"
            print(f"| {label} | {view.replace('_', ' ')} | {m['intent_acc']:.2f} | "
                  f"{m['slot_f1']:.2f} | {m['exact_match']:.2f} | "
                  f"{m.get('oos_false_accept', float('nan')):.2f} |")
    print()
    words = sum(len(s.text.split()) for s in long_dev) / len(long_dev)
    print(f"long messages: {len(long_dev)} (mean {words:.0f} words), end to end")
    print("| long text read as | intent acc | slot F1 | exact match | OOS false accept |")
    print("|---|---|---|---|---|")
    for strategy in LONG_TEXT_STRATEGIES:
        m = results[f"long_{strategy}"]
        print(f"| {strategy} | {m['intent_acc']:.2f} | {m['slot_f1']:.2f} | "
              f"{m['exact_match']:.2f} | {m.get('oos_false_accept', float('nan')):.2f} |")
    print()
    print("| policy | threshold | OOS false accept | in-scope asked back | intent acc |")
    print("|---|---|---|---|---|")
    for row in results["sweep"]:
        print(f"| {row['policy']} | {row['threshold']:.2f} | {row['oos_false_accept']:.2f} | "
              f"{row['unsure_rate']:.2f} | {row['intent_acc']:.2f} |")


if __name__ == "__main__":
    main()
