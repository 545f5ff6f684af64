"""Seconds per training step of the shipped recipe, by setting, in the same run.

Each setting runs in its own fresh process (OpenMP reads its wait policy when torch
loads), alternating, `--rounds` times, so a change in the host's load hits every setting
alike. What is timed is the training loop alone (the shipped recipe's data and batches,
no dev pass), so it isolates what the settings change. `--compare threads` sets thread
counts and OpenMP waiting against each other; `--compare optimizer` AdamW's foreach
kernel (torch's default) against the fused one training uses.

    python bench/train_steps.py --compare threads --steps 40 --rounds 3
    python bench/train_steps.py --compare optimizer --steps 40 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PASSIVE = {"OMP_WAIT_POLICY": "PASSIVE"}

# name -> (threads, environment, fused AdamW); the first of each is the baseline.
SETTINGS = {
    "threads": {
        "1 thread": (1, {}, True),
        "2 threads, spinning": (2, {"OMP_WAIT_POLICY": "ACTIVE"}, True),
        "2 threads, passive": (2, PASSIVE, True),
    },
    "optimizer": {
        "foreach AdamW, 1 thread": (1, {}, False),
        "fused AdamW, 1 thread": (1, {}, True),
        "foreach AdamW, 2 threads passive": (2, PASSIVE, False),
        "fused AdamW, 2 threads passive": (2, PASSIVE, True),
    },
}


def steal_ticks() -> int:
    """The host's steal time so far (/proc/stat), in clock ticks; 0 where unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8])
    except (OSError, IndexError, ValueError):
        return 0


def one(threads: int, steps: int, fused: bool) -> dict[str, float]:
    """In the child: train `steps` steps; seconds per step, and of it in AdamW's update.

    The update's own time is what the optimizer setting changes; a whole step moves with
    the host's load by more than that, so both are reported."""
    import time

    import torch

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
                             fused_optimizer=fused, eval_each_epoch=False, disable_tqdm=True)
    spent = [0.0]
    update = torch.optim.AdamW.step

    def timed(self: torch.optim.AdamW, *a: object, **k: object) -> object:
        started = time.perf_counter()
        try:
            return update(self, *a, **k)
        finally:
            spent[0] += time.perf_counter() - started

    torch.optim.AdamW.step = timed  # type: ignore[method-assign,assignment]
    result = train_model(data.train, {}, data.intents, data.slot_labels,
                         ModelArguments(), DataArguments(), args)
    return {"s_per_step": result.train_seconds / result.steps,
            "optimizer_s_per_step": spent[0] / result.steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", choices=sorted(SETTINGS), default="threads")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--fused", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path,
                        help="default: artifacts/bench/train_steps_<compare>.json")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one(args.child, args.steps, bool(args.fused))))
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from nlu_incident import cpu_model

    settings = SETTINGS[args.compare]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in settings}
    for _ in range(args.rounds):
        for name, (threads, env, fused) in settings.items():
            before = steal_ticks()
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(threads), "--steps", str(args.steps),
                 "--fused", str(int(fused))],
                env={**os.environ, **env}, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
            runs[name].append({**json.loads(out), "steal_ticks": steal_ticks() - before})
    baseline = next(iter(settings))
    base = sum(r["s_per_step"] for r in runs[baseline]) / args.rounds
    print(f"CPU: {cpu_model()}; {os.cpu_count()} CPUs; {args.steps} steps x {args.rounds}")
    print(f"| setting | s/step (each round) | mean | vs {baseline} | of it AdamW's update "
          "| steal ticks |")
    print("|---|---|---:|---:|---:|---|")
    for name, rows in runs.items():
        mean = sum(r["s_per_step"] for r in rows) / len(rows)
        each = ", ".join(f"{r['s_per_step']:.3f}" for r in rows)
        optimizer = sum(r["optimizer_s_per_step"] for r in rows) / len(rows)
        steal = ", ".join(str(r["steal_ticks"]) for r in rows)
        print(f"| {name} | {each} | {mean:.3f} | {base / mean:.2f}x | {optimizer:.3f} "
              f"| {steal} |")
    out_path = args.out or Path(f"artifacts/bench/train_steps_{args.compare}.json")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({"cpu": cpu_model(), "compare": args.compare,
                                    "steps": args.steps, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
