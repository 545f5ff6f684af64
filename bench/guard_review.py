"""The scope guard against its review set: what gets past it, and what it wrongly refuses.

`bench/data/guard_review.yaml` (and `guard_review_2.yaml`, `guard_review_3.yaml`, a
second and a third attacker's, with `--data`) holds an attacker's out-of-scope messages
and legitimate requests that mention other kinds in passing; the second and third also
hold replies to a waiting request (junk that must decide nothing, real decisions that
must count). Each is parsed by the shipped model
(`ModelParser`, the serving path) and judged by the conversation's guards exactly as
bench/nlu_incident.py does (`_guarded`: creation, other kinds, general questions, talk
that does not ask, changes the runbook does not make), on the person's own words: what
they pasted is taken out first, as `ConversationService.handle` does. Reports:

- out of scope: how many the model answers with a mutating runbook, and how many of those
  get past the guards (a change plan would be made), by the author's class;
- requests: how many the model reads as the runbook meant, how many of those the
  guards refuse, and how many are served (the rest); with --split-requests, served by
  the first word of each request's class (plain_, hard_: set 7);
- replies: junk that would decide, and real decisions refused or decided as meant.

    .venv/bin/python bench/guard_review.py [--data PATH] [--show] [--out PATH] [--split-requests]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # sibling scripts, not a package
    sys.path.insert(0, str(HERE))
import nlu_incident  # noqa: E402
from onnx_compare import cpu_model  # noqa: E402

from chatops.conversation.meta_words import DECIDING, says  # noqa: E402
from chatops.conversation.pasted import split  # noqa: E402
from chatops.model import Risk  # noqa: E402
from chatops.runbook.catalogue import load_catalogue  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402

DATA = HERE / "data" / "guard_review.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=default_model_dir())
    parser.add_argument("--show", action="store_true", help="print what gets past, and "
                        "what is wrongly refused")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--split-requests", action="store_true",
                        help="also count the requests served by the kind their class opens "
                        "with (plain_, hard_: set 7)")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="a review set (default: %(default)s; also guard_review_2.yaml "
                        "to guard_review_9.yaml, of which 4-9 are decision sets: never with "
                        "--show or --out)")
    args = parser.parse_args()
    data = yaml.safe_load(args.data.read_text())
    catalogue = load_catalogue()
    declared = {name: rb.slots for name, rb in catalogue.runbooks.items()}
    nlu = ModelParser(args.model_dir, catalogue=catalogue, threads=1)

    def mutating(intent: str) -> bool:
        runbook = catalogue.runbooks.get(intent)
        return runbook is not None and runbook.risk is not Risk.READ

    guard_seconds: list[float] = []

    def guarded(text: str, got: Any, whole: str) -> bool:  # timed: they run on every message
        start = time.perf_counter()
        verdict = nlu_incident._guarded(text, got, declared, whole if whole != text else "")
        guard_seconds.append(time.perf_counter() - start)
        return verdict

    passed: list[dict[str, Any]] = []
    by_class: Counter[str] = Counter()
    planned = 0
    for item in data["out_of_scope"]:
        text = split(item["text"]).own  # as the conversation reads it: without a paste
        got = nlu.parse(text)
        if not mutating(got.intent):
            continue
        planned += 1
        if not guarded(text, got, item["text"]):
            passed.append({"text": item["text"], "got": got.intent, "class": item["class"]})
            by_class[item["class"]] += 1
    refused: list[dict[str, Any]] = []
    right = 0
    served_by_kind: Counter[str] = Counter()
    requests_by_kind: Counter[str] = Counter()
    for item in data["requests"]:
        kind = str(item.get("class", "")).partition("_")[0]
        requests_by_kind[kind] += 1
        text = split(item["text"]).own
        got = nlu.parse(text)
        if got.intent != item["intent"]:
            continue
        right += 1
        # As the conversation does: the guards turn down changes only (a read is answered).
        if mutating(got.intent) and guarded(text, got, item["text"]):
            refused.append({"text": item["text"], "intent": got.intent})
        else:
            served_by_kind[kind] += 1
    # Replies to a waiting request: junk must decide nothing, real decisions must count.
    junk_past = [item["text"] for item in data.get("junk", ())
                 if (got := nlu.parse(item["text"])).intent in DECIDING
                 and says(got.intent, item["text"])]
    decisions_read = [item for item in data.get("decisions", ())
                      if nlu.parse(item["text"]).intent == item["intent"]]
    decisions_refused = [item["text"] for item in decisions_read
                         if not says(item["intent"], item["text"])]
    n_oos, n_req = len(data["out_of_scope"]), len(data["requests"])
    report = {
        "cpu": cpu_model(), "model_dir": str(args.model_dir),
        "out_of_scope": n_oos, "model_mutating": planned, "past_the_guards": len(passed),
        "past_the_guards_pct": 100 * len(passed) / n_oos, "past_by_class": dict(by_class),
        "requests": n_req, "model_right": right, "refused_by_the_guards": len(refused),
        "refused_pct_of_right": 100 * len(refused) / right if right else 0.0,
        "served": right - len(refused),
        "guards_ms_per_message": 1000 * sum(guard_seconds) / max(1, len(guard_seconds)),
        "junk": len(data.get("junk", ())), "junk_deciding": len(junk_past),
        "decisions": len(data.get("decisions", ())),
        "decisions_refused": len(decisions_refused),
        "decisions_decided": len(decisions_read) - len(decisions_refused),
        "command": "python bench/guard_review.py" + (f" --data {args.data}" if args.data != DATA
                                                     else "")
                   + (f" --model-dir {args.model_dir}"
                      if args.model_dir != default_model_dir() else "")
                   + (" --split-requests" if args.split_requests else "")
                   + (f" --out {args.out}" if args.out else ""),
    }
    print(f"out of scope: {n_oos}; the model answers {planned} with a mutating runbook; "
          f"{len(passed)} get past the guards ({report['past_the_guards_pct']:.1f}%)")
    for name, count in by_class.most_common():
        print(f"  {count:3d}  {name}")
    print(f"requests: {n_req}; the model reads {right} as meant; the guards refuse "
          f"{len(refused)} of those ({report['refused_pct_of_right']:.1f}%); "
          f"served {report['served']}")
    if args.split_requests:
        report["served_by_kind"] = {kind: served_by_kind[kind] for kind in requests_by_kind}
        report["requests_by_kind"] = dict(requests_by_kind)
        for kind, count in requests_by_kind.items():
            print(f"  {kind or '(no class)'}: served {served_by_kind[kind]} of {count}")
    if "junk" in data or "decisions" in data:
        print(f"replies: {report['junk']} junk, {len(junk_past)} of them would decide; "
              f"{report['decisions']} real decisions, {len(decisions_refused)} of those the "
              "model reads right are refused by the reply-word check; "
              f"{report['decisions_decided']} decide as meant")
    print(f"the guards take {report['guards_ms_per_message']:.2f} ms a message")
    if args.show:
        for row in passed:
            print(f"PAST     {row['got']:20s} {row['text']}")
        for row in refused:
            print(f"REFUSED  {row['intent']:20s} {row['text']}")
        for text in junk_past:
            print(f"JUNK     {text}")
        for text in decisions_refused:
            print(f"UNHEARD  {text}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**report, "past": passed, "refused": refused},
                                       indent=1) + "\n")


if __name__ == "__main__":
    main()
