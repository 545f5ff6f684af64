"""How often the dialogue's reading of trouble (`chatops/conversation/symptoms.py`) would
answer a message of the incident sets with a diagnosis, and what those messages were.

The model leaves some messages under its bar; the dialogue then answers one that reports
trouble and names no change with a diagnosis, if its namespace is the cluster's. The sets
have no cluster, so a namespace the model tagged stands for one the cluster has (an upper
bound: a real cluster also turns down names it lacks). For each set it counts the messages
the reading takes by what they are (`oos` expected, the diagnosis, another read, a change,
a meta word), so that a false reading of an out-of-scope message shows. Blind sets (B-G)
print counts only; set A prints the texts with --show.

    .venv/bin/python bench/nlu_trouble.py [--set bench/data/incident_messages_b.yaml ...]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # sibling scripts, not a package
    sys.path.insert(0, str(HERE))
from nlu_incident import DEFAULT_DATA, cpu_model, load_messages  # noqa: E402

from chatops.conversation.symptoms import DIAGNOSIS, trouble_to_diagnose  # noqa: E402
from chatops.model import META_INTENTS, OUT_OF_SCOPE, Risk  # noqa: E402
from chatops.runbook.catalogue import load_catalogue  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="sets", type=Path, action="append")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--show", action="store_true", help="print set A's texts taken")
    args = parser.parse_args()
    catalogue = load_catalogue()
    nlu = ModelParser(args.model_dir or default_model_dir(), catalogue=catalogue, threads=1)
    print(f"cpu: {cpu_model()}")
    print("| set | messages | under the bar | taken | oos | diagnose (right ns) | other read "
          "| change | meta |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for path in args.sets or [DEFAULT_DATA]:
        messages = load_messages(path)
        under = 0
        taken: Counter[str] = Counter()
        right = 0
        for message in messages:
            parsed = nlu.parse(message.text)
            if parsed.intent != OUT_OF_SCOPE:
                continue
            under += 1
            slots = trouble_to_diagnose(message.text, parsed, catalogue.runbooks)
            if slots is None or not slots.get("namespace"):
                continue
            expected = message.intent
            if expected == OUT_OF_SCOPE:
                kind = "oos"
            elif expected in META_INTENTS:
                kind = "meta"
            elif expected == DIAGNOSIS:
                kind = "diagnose"
                right += slots.get("namespace") == message.slots.get("namespace")
            elif catalogue.get(expected).risk is Risk.READ:
                kind = "read"
            else:
                kind = "change"
            taken[kind] += 1
            if args.show and path.resolve() == DEFAULT_DATA.resolve():
                print(f"  {kind}: {message.text!r} -> {slots}")
        print(f"| {path.stem} | {len(messages)} | {under} | {sum(taken.values())} | "
              f"{taken['oos']} | {taken['diagnose']} ({right}) | {taken['read']} | "
              f"{taken['change']} | {taken['meta']} |")


if __name__ == "__main__":
    main()
