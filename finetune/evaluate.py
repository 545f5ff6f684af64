"""Evaluate an exported ONNX model on generated ops data (no torch needed).

Two views:

- model level (`score_ops`): per-word tags and the argmax intent, exactly what training
  optimises; this is what the int8-vs-fp32 decision and the benchmark tables use;
- end to end (`score_parser`): the serving `ModelParser` on the raw Slack-style text,
  with normalisation, span mapping and the confidence threshold. Slots are compared as
  (slot, start, end) spans over the original text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from chatops.model import META_INTENTS, OUT_OF_SCOPE
from finetune.data import Sample
from finetune.metrics import compute_metrics
from intents.encoding import Encoded, encode_words, load_tokenizer, pad_batch
from intents.parser import ModelParser

Predictor = Callable[[Sequence[Sample]], tuple[list[str], list[list[str]]]]


def length_chunks(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices in batches of similar length, for inference: a batch is padded to its
    longest member, so in data order one 150-sub-word message made a batch of short ones
    cost as much (the dev passes of a retrain took minutes instead of seconds)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[k : k + batch_size] for k in range(0, len(order), batch_size)]


BatchLogits = Callable[[list[int]], tuple[np.ndarray, np.ndarray]]
"""Run the network on the messages at these indices: (intent logits, slot logits)."""


def predict_by_length(
    encoded: Sequence[Encoded], batch_size: int, logits: BatchLogits,
    intents: Sequence[str], slot_labels: Sequence[str],
) -> tuple[list[str], list[list[str]]]:
    """Each message's intent and per-word tags, batched by length (`length_chunks`) and
    returned in input order; words read their tag from their first sub-word."""
    pred_intents = [""] * len(encoded)
    pred_tags: list[list[str]] = [[] for _ in encoded]
    for indices in length_chunks([len(e.input_ids) for e in encoded], batch_size):
        intent_logits, slot_logits = logits(indices)
        best = slot_logits.argmax(-1)
        for row, index in enumerate(indices):
            pred_intents[index] = intents[int(intent_logits[row].argmax())]
            pred_tags[index] = [
                slot_labels[int(best[row, pos])] if pos >= 0 else "O"
                for pos in encoded[index].first_token
            ]
    return pred_intents, pred_tags


def onnx_predictor(
    model_path: Path, tokenizer_path: Path, intents: Sequence[str], slot_labels: Sequence[str],
    threads: int = 2, batch_size: int = 64,
) -> Predictor:
    """Map samples to (intent names, per-word tags) with an ONNX Runtime session."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    tokenizer = load_tokenizer(str(tokenizer_path))

    def predict(samples: Sequence[Sample]) -> tuple[list[str], list[list[str]]]:
        encoded = [encode_words(tokenizer, s.words) for s in samples]

        def logits(indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
            ids, mask = pad_batch([encoded[i] for i in indices])
            intent_logits, slot_logits = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            return intent_logits, slot_logits

        return predict_by_length(encoded, batch_size, logits, intents, slot_labels)

    return predict


def score_ops(predict: Predictor, samples: Sequence[Sample]) -> dict[str, float]:
    """Model-level metrics on ops samples, with the out-of-scope false accept rate."""
    intents, tags = predict(samples)
    return compute_metrics(
        [s.intent for s in samples], intents, [list(s.tags) for s in samples], tags,
        oos_label=OUT_OF_SCOPE, not_accepts=META_INTENTS,
    )


def score_parser(parser: ModelParser, samples: Sequence[Sample]) -> dict[str, float]:
    """End-to-end metrics through `parser.parse(sample.text)` (threshold applied).

    `unsure_rate` is the share of in-scope utterances turned into `oos` by the threshold
    (the bot asks instead of acting); `oos_false_accept` counts out-of-scope text that
    came back as a runbook intent.
    """
    n = len(samples)
    intent_ok = exact = 0
    tp = fp = fn = 0
    oos_total = oos_accepted = unsure = in_scope = 0
    for sample in samples:
        parsed = parser.parse(sample.text)
        gold = {(s.slot, s.start, s.end) for s in sample.spans}
        pred = {(s.slot, s.start, s.end) for s in parsed.spans}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        ok = parsed.intent == sample.intent
        intent_ok += ok
        exact += ok and gold == pred
        if sample.intent == OUT_OF_SCOPE:
            oos_total += 1
            oos_accepted += parsed.intent not in {OUT_OF_SCOPE, *META_INTENTS}
        else:
            in_scope += 1
            unsure += parsed.intent == OUT_OF_SCOPE
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    metrics = {
        "intent_acc": 100.0 * intent_ok / n,
        "slot_f1": 100.0 * f1,
        "exact_match": 100.0 * exact / n,
        "unsure_rate": 100.0 * unsure / in_scope if in_scope else 0.0,
        "n": float(n),
    }
    if oos_total:
        metrics["oos_false_accept"] = 100.0 * oos_accepted / oos_total
    return metrics
