"""What the bot does with each incident-set message, end to end, against the NLU alone.

`bench/nlu_incident.py` scores the parser: the model's reading, its bar and slot decoding,
and the conversation's guards. But the conversation reads on: a diagnosis for trouble the
model left under its bar, the namespace beside a name where the cluster has it there,
hygiene questions, what-if previews, a read's object by the cluster's names. This scores
what the person gets: each message goes, as bob (who may ask for anything), into a fresh
thread of the real `ConversationService` with the shipped model, on an in-memory cluster
(`tests/conversation/fake_cluster.py`) that holds what the message names, and:

- a runbook *answered* is the first run the thread got: a read that ran or a change planned
  (waiting for approval), with the run's values; or the change a what-if previewed;
- a question back (which namespace? which of these runbooks?) counts as the runbook it is
  about with the values it already has (an unsure message's offer of several: no runbook);
- no run and no such question is `oos` (an answer, a refusal, silence).

The cluster of each message holds the objects of its expected slots (a namespace, its
deployment, pod, cronjob, a node) and decoys beside them (two more deployments, a pod of
each, a cronjob in each namespace, a second namespace with the same decoys, a second
node), so that an object is not found just because it is the only one. An out-of-scope
message gets the decoys only. Meta intents (`confirm`, `help`...) are scored as the parser
reads them: in a fresh thread nothing waits for a decision.

Intent accuracy and exact match are defined as in `bench/nlu_incident.py` (exact: the
runbook and the values it acts on). As there, a blind set's texts are printed only with
`--show-misses`, which must not be used on them.

    .venv/bin/python bench/nlu_answers.py --set bench/data/incident_messages_h.yaml
    .venv/bin/python bench/nlu_answers.py --set ... --out /tmp/x.json

Exits 2 on bad input (missing or malformed set, missing model).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nlu_incident import (  # noqa: E402
    DEFAULT_DATA,
    BadInput,
    Message,
    acted_slots,
    cpu_model,
    load_messages,
    set_name,
    typed,
)

from chatops.audit import AuditLog  # noqa: E402
from chatops.console.shell import Shell  # noqa: E402
from chatops.conversation import ConversationService  # noqa: E402
from chatops.conversation.thread import OFFER, load_context  # noqa: E402
from chatops.demo import DEMO_POLICY  # noqa: E402
from chatops.model import META_INTENTS, OUT_OF_SCOPE, ParsedIntent  # noqa: E402
from chatops.policy.rules import parse_policy  # noqa: E402
from chatops.runbook.catalogue import Catalogue, load_catalogue  # noqa: E402
from chatops.runs import Asked  # noqa: E402
from chatops.stores import open_state  # noqa: E402
from intents import ModelNotFound, ModelParser, default_model_dir  # noqa: E402
from tests.conversation.fake_cluster import FakeCluster  # noqa: E402

EXIT_BAD_INPUT = 2
_LEADING_MENTION = re.compile(
    r"^(\W*(?:(?:hi|hey|yo|hello|ok|okay|morning)\W+)?)<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*",
    re.IGNORECASE)
"""The bot's own mention: the first one, opening the message or after a greeting."""
_DECOY_NAMESPACE = "decoy-ns"
_DECOY_DEPLOYMENTS = ("decoy-api", "decoy-worker")
_DECOY_NODE = "decoy-node-1"
_THREAD = "console:console"
"""The key of the console's one thread (`chatops.conversation.base.thread_key`)."""
_DEFAULT_NAMESPACE = "apps"
"""Where an expected object lives when the message names no namespace."""


@dataclass(frozen=True)
class Answer:
    """What the bot did with one message: the runbook (or `oos`) and its values."""

    intent: str
    slots: Mapping[str, str]
    how: str
    """`ran` (a read), `planned` (a change waiting), `previewed` (a what-if's change),
    `asked` (a question back), `parser` (a meta intent, as read), `none`."""


def cluster_for(message: Message) -> FakeCluster:
    """A cluster holding what `message` is expected to name, beside decoys."""
    slots = message.slots
    namespace = slots.get("namespace") or _DEFAULT_NAMESPACE
    deployments: dict[tuple[str, str], int] = {}
    pods: set[tuple[str, str]] = set()
    cronjobs: set[tuple[str, str]] = set()
    for ns in {namespace, _DECOY_NAMESPACE}:
        for name in _DECOY_DEPLOYMENTS:
            deployments[(ns, name)] = 2
            pods.add((ns, f"{name}-5d9f8b7c6-x2k4l"))
        cronjobs.add((ns, "decoy-report"))
    if message.intent not in (OUT_OF_SCOPE, *META_INTENTS):
        if slots.get("deployment"):
            # Never the count a scale asks for, which would leave nothing to change.
            asked = slots.get("replicas", "")
            deployments[(namespace, slots["deployment"])] = (
                int(asked) + 2 if asked.isdigit() else 3)
            pods.add((namespace, f"{slots['deployment']}-7c9d8f6b5-q8w2e"))
        if slots.get("pod"):
            pods.add((namespace, slots["pod"]))
        if slots.get("cronjob"):
            cronjobs.add((namespace, slots["cronjob"]))
    nodes = {_DECOY_NODE: False}
    if slots.get("node"):
        # The node as the request finds it: cordoned for an uncordon, else schedulable.
        nodes[slots["node"]] = message.intent == "uncordon_node"
    return FakeCluster(deployments=deployments, nodes=nodes, pods=pods, cronjobs=cronjobs)


def answer(message: Message, parsed: ParsedIntent, parser: ModelParser, catalogue: Catalogue,
           work: Path, index: int) -> Answer:
    """Send `message` (`parsed`: the parser's reading of it) into a fresh thread as bob and
    read what the bot did."""
    if parsed.intent in META_INTENTS:
        return Answer(parsed.intent, {}, "parser")
    folder = work / str(index)
    folder.mkdir()
    stores = open_state(folder / "state.db")
    service = ConversationService(
        catalogue=catalogue, executor=cluster_for(message), policy=parse_policy(DEMO_POLICY),
        stores=stores, audit=AuditLog(folder / "audit.db"), parser=parser)
    shell = Shell(service, user="bob", out=io.StringIO())
    # Slack's surface takes the bot's own mention off a message it is mentioned in (the
    # sets write it first, or after a greeting); the console would take a mention it opens
    # with for someone else's.
    shell.say(_LEADING_MENTION.sub(r"\1", message.text, count=1))
    runs = service.store.runs_in_thread("console", "console")
    if runs:
        first = min(runs, key=lambda run: run.created_at)
        return Answer(first.runbook, dict(first.raw_slots),
                      "ran" if first.needed == 0 else "planned")
    context = load_context(stores.threads, _THREAD)
    for question in context.pending.values():
        if question.intent and question.intent != OFFER:
            return Answer(question.intent, dict(question.slots), "asked")
        if question.asked is Asked.PREVIEW and len(question.offers) == 1:
            offer = next(iter(question.offers.values()))
            return Answer(offer.intent, dict(offer.slots), "previewed")
    return Answer(OUT_OF_SCOPE, {}, "none")


def _exact(message: Message, got: Answer, declared: Mapping[str, Any]) -> bool:
    if got.intent != message.intent:
        return False
    if message.intent == OUT_OF_SCOPE or message.intent in META_INTENTS:
        return True
    specs = declared.get(message.intent, {})
    acted = {k: v for k, v in got.slots.items() if k in specs and v not in (None, "")}
    return typed(acted, specs) == typed(dict(message.slots), specs)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, send every message, print (and write) the figures."""
    args = argparse.ArgumentParser(description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--set", "--data", dest="data", type=Path, default=DEFAULT_DATA)
    args.add_argument("--model-dir", type=Path, default=None)
    args.add_argument("--show-misses", action="store_true",
                      help="print each miss (never for a blind set)")
    args.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    ns = args.parse_args(argv)
    try:
        messages = load_messages(ns.data)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    catalogue = load_catalogue(None)
    parser = ModelParser(ns.model_dir or default_model_dir(), catalogue=catalogue, threads=1)
    try:
        parser.load()
    except ModelNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    declared = {name: rb.slots for name, rb in catalogue.runbooks.items()}
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="nlu-answers-") as tmp:
        for index, message in enumerate(messages):
            parsed = parser.parse(message.text)
            got = answer(message, parsed, parser, catalogue, Path(tmp), index)
            parser_slots = acted_slots(parsed, declared)
            rows.append({
                "text": message.text, "category": message.category,
                "expected_intent": message.intent, "expected_slots": dict(message.slots),
                "got_intent": got.intent, "got_slots": dict(got.slots), "how": got.how,
                "intent_ok": got.intent == message.intent,
                "exact": _exact(message, got, declared),
                "parser_intent_ok": parsed.intent == message.intent,
                "parser_slots": parser_slots,
            })
    n = len(rows)
    intent = sum(r["intent_ok"] for r in rows)
    exact = sum(r["exact"] for r in rows)
    oos_rows = [r for r in rows if r["expected_intent"] == OUT_OF_SCOPE]
    changes_planned = sum(1 for r in oos_rows if r["how"] == "planned")
    results: dict[str, Any] = {
        "set": set_name(ns.data), "data": str(ns.data), "n": n,
        "intent_acc": 100.0 * intent / n, "exact_match": 100.0 * exact / n,
        "intent_n": intent, "exact_n": exact,
        "oos_n": len(oos_rows), "oos_planned_a_change": changes_planned,
        "cpu": cpu_model(), "seconds": time.perf_counter() - started,
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
    }
    print(f"set {results['set']}: {n} messages; end to end intent {results['intent_acc']:.2f} "
          f"({intent}), exact {results['exact_match']:.2f} ({exact}); out-of-scope messages "
          f"planned as a change: {changes_planned} of {len(oos_rows)}")
    if ns.show_misses:
        results["misses"] = [r for r in rows if not r["exact"]]
        for r in results["misses"]:
            print(f"- [{r['category']}] {r['text']!r}\n    expected {r['expected_intent']} "
                  f"{r['expected_slots']}\n    got      {r['got_intent']} {r['got_slots']} "
                  f"({r['how']})")
    if ns.out is not None:
        ns.out.parent.mkdir(parents=True, exist_ok=True)
        ns.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
