"""Several seeds of one training recipe, each scored on set A: the spread a recipe
decision has to beat.

Two retrains of the shipped recipe that differ only in their seed were 2.4 points of set A
intent accuracy apart (BENCHMARKS.md, "NLU: more distinct data instead of more epochs"):
more than most recipe changes move it. So a recipe is judged by its mean over seeds. Each
seed trains the shipped kind of model (every template, no per-epoch dev passes; rounds,
epochs and talk default to `finetune.recipe`, the shipped recipe's), then
bench/nlu_incident.py scores it on set A, the development set; the blind sets B and C are
never scored here. Seeds whose model is already in --out-dir (trained by the same recipe:
`recipe.json`, checked against the model's meta.json) are scored without retraining, so a
sweep can be resumed, or split over processes (one per core, each with its own --seeds
and one thread). The table and `summary.json` cover every seed scored in --out-dir so far.

    python bench/nlu_seeds.py --rounds 3 --epochs 1 --seeds 41 53 67 \\
        --out-dir artifacts/bench/seeds/rounds3-epochs1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # nlu_incident is a sibling script, not a package
    sys.path.insert(0, HERE)
import nlu_incident  # noqa: E402

from finetune import recipe as shipped  # noqa: E402

FIGURES = ("intent_acc", "exact_match", "exact_match_typed", "slot_f1", "unsure_rate",
           "oos_false_accept", "oos_to_mutating", "oos_to_mutating_after_guard")


def same_recipe(out: Path, recipe: dict[str, Any]) -> bool:
    """Whether `out` holds a model of `recipe`; a model of another recipe is refused."""
    meta_path = out / "model" / "meta.json"
    if not meta_path.exists():
        return False
    try:
        written = json.loads((out / "recipe.json").read_text())
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{out}: a model without a readable recipe.json ({exc}); "
                         "move it away or pick another --out-dir") from None
    trained = {"seed": meta["seed"],
               "rounds": meta["train"].get("rounds", written.get("rounds")),
               "epochs": float(meta["train"]["epochs"]),
               # Models from before antecedents were generated did not record it: none.
               "antecedent_prob": meta["train"].get("antecedent_prob", [0.0, 0.0]),
               "composed_durations": meta["train"].get("composed_durations", False),
               # Models from before talk was generated did not record it: none.
               "talk": meta["train"].get("talk", 0),
               "talk_requests": meta["train"].get("talk_requests", 1.0),
               "talk_status": meta["train"].get("talk_status", 0.0),
               "talk_replies": meta["train"].get("talk_replies", 0.0),
               "templates": meta["templates"]}
    wanted = {**recipe, "templates": "all"}
    if trained != wanted:
        raise SystemExit(f"{out} holds a model of {trained}, not {wanted}: "
                         "pick another --out-dir")
    return True


def recipe_of(seed: int, rounds: int, epochs: float, talk: int | None = None,
              talk_status: float | None = None,
              talk_replies: float | None = None) -> dict[str, Any]:
    """What a model of this seed is trained with (the generator's own defaults included)."""
    from finetune.data import GenerationConfig

    defaults = GenerationConfig()
    return {"seed": seed, "rounds": rounds, "epochs": float(epochs),
            "antecedent_prob": list(defaults.antecedent_prob),
            "composed_durations": defaults.composed_durations,
            "talk": defaults.talk if talk is None else talk,
            "talk_requests": defaults.talk_requests,
            "talk_status": defaults.talk_status if talk_status is None else talk_status,
            "talk_replies": (defaults.talk_replies if talk_replies is None
                             else talk_replies)}


def train_seed(out: Path, seed: int, rounds: int, epochs: float, threads: int,
               talk: int | None = None, device: str = "cpu",
               talk_status: float | None = None, talk_replies: float | None = None) -> None:
    """Train and export the model of one seed into `out/model` (unless it is there)."""
    recipe = recipe_of(seed, rounds, epochs, talk, talk_status, talk_replies)
    if same_recipe(out, recipe):
        return
    from finetune.train import train_ops

    out.mkdir(parents=True, exist_ok=True)
    (out / "recipe.json").write_text(json.dumps(recipe) + "\n")
    train_ops(out / "model", epochs=epochs, seed=seed, checkpoint_dir=out / "checkpoint",
              all_templates=True, rounds=rounds, threads=threads, disable_tqdm=True,
              eval_each_epoch=False, talk=recipe["talk"], device=device,
              talk_status=recipe["talk_status"], talk_replies=recipe["talk_replies"])


def score_seed(out: Path) -> None:
    """Score the model in `out/model` on set A into `set_a.json` (its report: `set_a.log`)."""
    figures = out / "set_a.json"
    argv = ["--model-dir", str(out / "model"), "--set", str(nlu_incident.DEFAULT_DATA),
            "--out", str(figures)]
    with (out / "set_a.log").open("w") as log, contextlib.redirect_stdout(log):
        failed = nlu_incident.main(argv) != 0
    if failed:
        raise SystemExit(f"scoring {out / 'model'} failed: see {out / 'set_a.log'}")


def read_scores(out: Path) -> dict[str, Any]:
    """The figures `score_seed` wrote for `out`."""
    figures = out / "set_a.json"
    scored: dict[str, Any] = json.loads(figures.read_text())
    if scored["set"] != "A":  # only the development set, never a blind one
        raise SystemExit(f"{figures} scored set {scored['set']}, not A")
    return {"weights": scored["weights"], **{name: scored[name] for name in FIGURES}}


def summarise(rows: dict[int, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean, standard deviation (nan for one seed), min and max of each figure."""
    summary: dict[str, dict[str, float]] = {}
    for name in FIGURES:
        values = [float(row[name]) for row in rows.values()]
        summary[name] = {
            "mean": statistics.mean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else float("nan"),
            "min": min(values), "max": max(values),
        }
    return summary


def main() -> None:
    """Train the seeds not trained yet, score them all, print and write the summary."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=shipped.ROUNDS,
                        help="GenerationConfig.rounds (default: the shipped recipe's)")
    parser.add_argument("--epochs", type=float, default=shipped.EPOCHS,
                        help="(default: the shipped recipe's)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 29, 41, 53, 67])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--talk", type=int, default=shipped.TALK,
                        help="GenerationConfig.talk (default: the shipped recipe's; 0: none)")
    parser.add_argument("--talk-status", type=float, default=None,
                        help="GenerationConfig.talk_status (default: the generator's default)")
    parser.add_argument("--talk-replies", type=float, default=None,
                        help="GenerationConfig.talk_replies (default: the generator's "
                        "default)")
    parser.add_argument("--device", default="cpu",
                        help="torch device to train on (cuda when an accelerator is lent)")
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args()
    if args.rounds < 1 or args.epochs <= 0 or args.threads < 1:
        parser.error("--rounds and --threads must be at least 1, --epochs above 0")
    if len(set(args.seeds)) != len(args.seeds):
        parser.error("--seeds names a seed twice")
    from finetune.openmp import sleep_while_waiting

    sleep_while_waiting()  # before torch loads
    for seed in args.seeds:
        out = args.out_dir / f"seed-{seed}"
        train_seed(out, seed, args.rounds, args.epochs, args.threads, args.talk, args.device,
                   args.talk_status, args.talk_replies)
        score_seed(out)
    rows: dict[int, dict[str, Any]] = {}
    for out in sorted(args.out_dir.glob("seed-*"), key=lambda p: int(p.name[5:])):
        recipe = recipe_of(int(out.name[5:]), args.rounds, args.epochs, args.talk,
                           args.talk_status, args.talk_replies)
        if same_recipe(out, recipe) and (out / "set_a.json").exists():
            rows[recipe["seed"]] = read_scores(out)
    summary = summarise(rows)
    print(f"rounds {args.rounds}, epochs {args.epochs:g}, set A, {len(rows)} seeds")
    print("| seed | weights | intent | exact | exact (typed) | slot F1 | asked back | OOS FA "
          "| OOS -> mutating (model, after guard) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for seed, row in rows.items():
        print(f"| {seed} | {row['weights']} | {row['intent_acc']:.2f} | {row['exact_match']:.2f} "
              f"| {row['exact_match_typed']:.2f} | {row['slot_f1']:.2f} "
              f"| {row['unsure_rate']:.2f} | {row['oos_false_accept']:.2f} "
              f"| {row['oos_to_mutating']}, {row['oos_to_mutating_after_guard']} |")
    for name in ("intent_acc", "exact_match"):
        s = summary[name]
        print(f"{name}: mean {s['mean']:.2f}, sd {s['sd']:.2f}, {s['min']:.2f}-{s['max']:.2f}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "summary.json").write_text(json.dumps(
        {"rounds": args.rounds, "epochs": args.epochs, "n": len(rows), "seeds": rows,
         "summary": summary},
        indent=1) + "\n")


if __name__ == "__main__":
    main()
