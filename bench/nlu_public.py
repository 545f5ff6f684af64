"""SNIPS and ATIS with the ops model's architecture and trainer, next to JointBERT.

Trains all-MiniLM-L6-v2 + the joint intent/slot heads with `finetune.train` on each
dataset (JointBERT file layout, Goo et al. 2018 splits), evaluates the final epoch on
test (not the best epoch on test), and prints a table with JointBERT's published figures.

    python bench/nlu_public.py --datasets ../shared/datasets --epochs atis=2,snips=1 \
        --out artifacts/bench/nlu_public.json

The datasets are read in place; nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from finetune.train import run

# Chen, Zhuo, Wang 2019 (arXiv:1902.10909), Joint BERT: intent acc, slot F1, sentence acc.
PUBLISHED = {"snips": (98.6, 97.0, 92.8), "atis": (97.5, 96.1, 88.2)}


def main() -> None:
    """Train and evaluate on each dataset; print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=Path, required=True,
                        help="folder holding snips/ and atis/ in JointBERT layout")
    parser.add_argument("--epochs", default="atis=3,snips=2",
                        help="epochs per dataset, e.g. atis=3,snips=2 (order kept)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--bf16", default="auto", help="bfloat16 autocast: auto|true|false")
    parser.add_argument("--work", type=Path, default=Path("artifacts/bench/public"),
                        help="checkpoint folder (git-ignored)")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench/nlu_public.json"))
    args = parser.parse_args()
    plan = [item.split("=") for item in args.epochs.split(",")]
    results: dict[str, dict[str, object]] = {}
    if args.out.exists():
        results = json.loads(args.out.read_text())
    for name, epochs in plan:
        started = time.perf_counter()
        summary = run([
            "--task", name, "--data_dir", str(args.datasets / name),
            "--output_dir", str(args.work / name), "--num_train_epochs", epochs,
            "--threads", str(args.threads), "--bf16", str(args.bf16),
            "--eval_each_epoch", "False", "--max_seq_length", "64",
        ])
        results[name] = {
            "epochs": float(epochs),
            "test": summary["test"],
            "dev": summary["history"][-1].get("dev"),
            "train_seconds": summary["train_seconds"],
            "wall_seconds": time.perf_counter() - started,
            "bf16": args.bf16,
            "threads": args.threads,
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    print("| dataset | model | epochs | intent acc | slot F1 | exact match | train time |")
    print("|---|---|---|---|---|---|---|")
    for name, res in results.items():
        test = res["test"]
        assert isinstance(test, dict)
        intent, slot, exact = PUBLISHED[name]
        print(f"| {name} | JointBERT (BERT-base, published) | - | "
              f"{intent} | {slot} | {exact} | - |")
        print(f"| {name} | MiniLM-L6 joint (ours) | {res['epochs']} | "
              f"{test['intent_acc']:.2f} | {test['slot_f1']:.2f} | {test['exact_match']:.2f} | "
              f"{float(res['train_seconds']) / 60:.1f} min |")


if __name__ == "__main__":
    main()
