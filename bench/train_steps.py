"""Seconds per training step of the shipped recipe, by thread setting, in the same run.

Each setting runs in its own fresh process (OpenMP reads its wait policy when torch
loads), alternating, `--rounds` times, so a change in the host's load hits every setting
alike. What is timed is the training loop alone (the shipped recipe's data and batches,
no dev pass), so it isolates what the thread settings change.

    python bench/train_steps.py --steps 40 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

SETTINGS = {
    "1 thread": (1, {}),
    "2 threads, spinning": (2, {"OMP_WAIT_POLICY": "ACTIVE"}),
    "2 threads, passive": (2, {"OMP_WAIT_POLICY": "PASSIVE"}),
}


def steal_ticks() -> int:
    """The host's steal time so far (/proc/stat), in clock ticks; 0 where unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8])
    except (OSError, IndexError, ValueError):
        return 0


def one(threads: int, steps: int) -> float:
    """In the child: train `steps` steps; seconds per step."""
    from chatops.runbook.catalogue import load_catalogue
    from finetune.data import GenerationConfig, dataset_from_catalogue
    from finetune.train import (
        DataArguments,
        ModelArguments,
        TrainingArguments,
        train_model,
    )

    data = dataset_from_catalogue(
        load_catalogue(None), config=GenerationConfig(seed=13, train_on_dev_templates=True)
    )
    args = TrainingArguments(output_dir="unused", max_steps=steps, threads=threads,
                             eval_each_epoch=False, disable_tqdm=True)
    result = train_model(data.train, {}, data.intents, data.slot_labels,
                         ModelArguments(), DataArguments(), args)
    return result.train_seconds / result.steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench/train_steps.json"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps({"s_per_step": one(args.child, args.steps)}))
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from nlu_incident import cpu_model

    runs: dict[str, list[dict[str, float]]] = {name: [] for name in SETTINGS}
    for _ in range(args.rounds):
        for name, (threads, env) in SETTINGS.items():
            before = steal_ticks()
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(threads), "--steps", str(args.steps)],
                env={**os.environ, **env}, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            runs[name].append({**json.loads(out), "steal_ticks": steal_ticks() - before})
    base = sum(r["s_per_step"] for r in runs["1 thread"]) / args.rounds
    print(f"CPU: {cpu_model()}; {os.cpu_count()} CPUs; {args.steps} steps x {args.rounds}")
    print("| setting | s/step (each round) | mean | vs 1 thread | steal ticks |")
    print("|---|---|---:|---:|---|")
    for name, rows in runs.items():
        mean = sum(r["s_per_step"] for r in rows) / len(rows)
        each = ", ".join(f"{r['s_per_step']:.3f}" for r in rows)
        steal = ", ".join(str(r["steal_ticks"]) for r in rows)
        print(f"| {name} | {each} | {mean:.3f} | {base / mean:.2f}x | {steal} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpu": cpu_model(), "steps": args.steps, "runs": runs},
                                   indent=1))


if __name__ == "__main__":
    main()
