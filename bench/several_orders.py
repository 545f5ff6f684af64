"""Which changes the "one change per request" rule turns down, on the benches' messages.

`conversation.partial.other_orders` refuses a change read from a message that orders
another one too. Every message of the incident sets and every legitimate request of the
attacker sets (`requests:`) is parsed by the shipped model on the person's own words (what
they pasted taken out, as `ConversationService.handle` does); of those the model reads as
a change, this counts how many the rule turns down, per set. A legitimate single request
turned down is a false refusal; the sets' texts are printed only with --show.

    .venv/bin/python bench/several_orders.py [--show]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # sibling scripts, not a package
    sys.path.insert(0, str(HERE))
import nlu_incident  # noqa: E402
from onnx_compare import cpu_model  # noqa: E402

from chatops.conversation.asking import RUNBOOK_CHANGES, ordered_changes  # noqa: E402
from chatops.conversation.partial import other_orders  # noqa: E402
from chatops.conversation.pasted import split  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402


def _texts(path: Path) -> list[str]:
    if path.name.startswith("incident"):
        return [m.text for m in nlu_incident.load_messages(path)]
    data = yaml.safe_load(path.read_text()) or {}
    return [str(item["text"]) for item in data.get("requests") or []]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print the messages turned down")
    args = parser.parse_args()
    model = ModelParser(default_model_dir())
    print(f"cpu: {cpu_model()}")
    total = turned = 0
    for path in sorted((HERE / "data").glob("*.yaml")):
        changes = down = 0
        for text in _texts(path):
            own = split(text).own
            parsed = model.parse(own)
            if parsed.intent not in RUNBOOK_CHANGES:
                continue
            changes += 1
            others = other_orders(parsed.intent, own, ordered_changes, RUNBOOK_CHANGES,
                                  parsed.slots.values())
            if others:
                down += 1
                if args.show:
                    print(f"    {parsed.intent} + {', '.join(others)}: {text!r}")
        print(f"{path.name}: {changes} read as a change, {down} turned down as several")
        total, turned = total + changes, turned + down
    print(f"all: {total} read as a change, {turned} turned down as several")


if __name__ == "__main__":
    main()
