"""Joint intent/slot metrics, as the SLU literature reports them.

- intent accuracy;
- slot F1: span-level (seqeval, conlleval-compatible default mode);
- exact match ("sentence accuracy"/"semantic frame"): intent right and every tag right;
- out-of-scope false accept rate: out-of-scope utterances that came back as a runbook
  intent (meta intents such as `help` are not an accept: nothing runs).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from seqeval.metrics import f1_score, precision_score, recall_score


def compute_metrics(
    gold_intents: Sequence[str],
    pred_intents: Sequence[str],
    gold_tags: Sequence[Sequence[str]],
    pred_tags: Sequence[Sequence[str]],
    *,
    oos_label: str | None = None,
    not_accepts: Collection[str] = (),
) -> dict[str, float]:
    """Percentages (0-100) for intent accuracy, slot P/R/F1, exact match (and OOS).

    `oos_label`: when given and present in the gold intents, also report
    `oos_false_accept`: the share of gold out-of-scope utterances predicted as any
    intent other than `oos_label` and `not_accepts`.
    """
    n = len(gold_intents)
    if not n or n != len(pred_intents) or n != len(gold_tags) or n != len(pred_tags):
        raise ValueError("metrics need equally long, non-empty gold and predicted lists")
    gold_t = [list(t) for t in gold_tags]
    pred_t = [list(t) for t in pred_tags]
    intent_ok = [g == p for g, p in zip(gold_intents, pred_intents, strict=True)]
    exact = [
        ok and g == p for ok, g, p in zip(intent_ok, gold_t, pred_t, strict=True)
    ]
    metrics = {
        "intent_acc": 100.0 * sum(intent_ok) / n,
        "slot_precision": 100.0 * float(precision_score(gold_t, pred_t)),
        "slot_recall": 100.0 * float(recall_score(gold_t, pred_t)),
        "slot_f1": 100.0 * float(f1_score(gold_t, pred_t)),
        "exact_match": 100.0 * sum(exact) / n,
        "n": float(n),
    }
    if oos_label is not None:
        oos = [p for g, p in zip(gold_intents, pred_intents, strict=True) if g == oos_label]
        if oos:
            accepted = [p for p in oos if p != oos_label and p not in not_accepts]
            metrics["oos_false_accept"] = 100.0 * len(accepted) / len(oos)
            metrics["oos_n"] = float(len(oos))
    return metrics


def format_metrics(metrics: dict[str, float]) -> str:
    """One line: `intent_acc=98.50 slot_f1=96.10 ...`."""
    return " ".join(
        f"{key}={value:.0f}" if key.endswith("n") and key in {"n", "oos_n"} else
        f"{key}={value:.2f}"
        for key, value in metrics.items()
    )
