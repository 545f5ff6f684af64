"""What the conversation's guards cost a message, apart from the parse.

Parses every message of the guard review sets and incident sets A-G once with the shipped
model, then times `chatops.conversation.guards.guard` alone over all of them (best of 5
passes). To compare two versions of the guards in the same run, point PYTHONPATH at the
other checkout: the parses come from this one's model either way.

    .venv/bin/python bench/guard_cost.py
    git worktree add /tmp/base 6d5d37c
    PYTHONPATH=/tmp/base .venv/bin/python bench/guard_cost.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # sibling scripts, not a package
    sys.path.insert(0, str(HERE))
import nlu_incident  # noqa: E402
from onnx_compare import cpu_model  # noqa: E402

from chatops.conversation.guards import guard  # noqa: E402
from chatops.runbook.catalogue import load_catalogue  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402

REVIEWS = ("guard_review.yaml", "guard_review_2.yaml", "guard_review_3.yaml")
SETS = (nlu_incident.DEFAULT_DATA, nlu_incident.SET_B, nlu_incident.SET_C, nlu_incident.SET_D,
        nlu_incident.SET_E, nlu_incident.SET_F, nlu_incident.SET_G)


def main() -> None:
    catalogue = load_catalogue()
    nlu = ModelParser(default_model_dir(), catalogue=catalogue, threads=1)
    texts: list[str] = []
    for name in REVIEWS:
        data = yaml.safe_load((HERE / "data" / name).read_text(encoding="utf-8"))
        texts += [item["text"] for key in ("out_of_scope", "requests") for item in data[key]]
    for path in SETS:
        texts += [message.text for message in nlu_incident.load_messages(path)]
    parsed = [(text, nlu.parse(text)) for text in texts]
    slots = {name: runbook.slots for name, runbook in catalogue.runbooks.items()}
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for text, got in parsed:
            guard(text, got.spans, slots.get(got.intent, {}), got.intent)
        best = min(best, time.perf_counter() - started)
    print(f"cpu: {cpu_model()}")
    print(f"{len(parsed)} messages, guards alone, best of 5: "
          f"{1000 * best / len(parsed):.3f} ms a message")


if __name__ == "__main__":
    main()
