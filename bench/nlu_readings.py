"""How often two readings of the dialogue would answer a message of the incident sets
with a read the model did not give, and what those messages were:

- trouble (`chatops/conversation/symptoms.py`): a message under the model's bar that
  reports trouble gets the diagnosis;
- a state question (`chatops/conversation/state_question.py`): a question about the state
  a change sets, read as the change (or, under the bar, with the change first at 0.5 or
  more) and turned down by the guards, gets the change's `state_read`;
- a history question (`chatops/conversation/history_question.py`, session 40): a question
  of what changed on a tagged deployment, read out of scope or as a change the guards
  turned down, gets `rollout_history` (or, with no namespace tagged, nothing here: the
  dialogue asks for one);
- a question of rights (`chatops/conversation/policy_question.py`, session 41): who may ask
  for or approve a change, or what the asker may do, read out of scope, as a read, or as a
  change the guards turned down, gets the policy's answer (no runbook: an out-of-scope
  message it takes is the answer meant);
- a question of what a change would do (`chatops/conversation/what_if.py`, session 41):
  answered with the change's dry-run and nothing proposed; "the read meant" counts
  messages whose expected intent is that change (requests that now get a preview and one
  more click);
- a question of restarts (`chatops/conversation/restarts_question.py`, session 41): which
  pods restart or how often, read as anything (as a change only in words that count:
  "restart counts"), gets `show_pods` with the most restarted named first;
- a question of autoscaling (`chatops/conversation/autoscaled_question.py`, session 41):
  whether a tagged deployment is autoscaled, read as no change, gets `rightsize`;
- a question of pod hygiene (`chatops/conversation/hygiene_question.py`, session 42): which
  pods fail a check it names, read as out of scope with the check tagged or the hygiene
  read weighed, gets `pod_hygiene` for those checks;
- and three that turn a change the model read (and the guards passed) into no plan
  (`chatops/conversation/partial.py`, session 40): **two changes** ordered in one message
  (one change per request), a drain that **spares part** of its node, and a change **on a
  condition** about a tagged deployment (the diagnosis answers first). For these, "the
  read meant" counts messages whose expected intent is that change: requests that no
  longer get their plan at once;
- trouble the model read as the namespace's **events** ("anything on fire in prod?",
  `symptoms.trouble_not_events`, session 42): the diagnosis;
- a change the message **rules out** (`partial.ruled_out`, session 42: "cordon node-2
  but don't drain it" read as the drain): the one change it orders instead, or no plan;
- session 43: a **deletion** of anything but a pod (`deletions.py`: refused), a change read
  into a message that only **reports** trouble (`trouble_words.reported_only`: the read
  for the trouble), **cronjob trouble** under the bar (`symptoms.cronjob_trouble`: the
  namespace's scan), a change that **waits for an event** (`partial.waits_for_event`:
  refused), and **replicas in words** for a scale read with no count
  (`replica_words.py`).

The sets have no cluster, so for trouble a namespace the model tagged stands for one the
cluster has (an upper bound: a real cluster also turns down names it lacks). For each set
and reading it counts the messages taken by what they are (`oos` expected, the read it
gives, another read, a change, a meta word), so that a false reading of an out-of-scope
message or of a change shows. Blind sets (B-G) print counts only; set A prints the texts
with --show.

    .venv/bin/python bench/nlu_readings.py [--set bench/data/incident_messages_b.yaml ...]
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

from chatops.conversation.asking import RUNBOOK_CHANGES, ordered_changes  # noqa: E402
from chatops.conversation.autoscaled_question import asks_if_autoscaled  # noqa: E402
from chatops.conversation.guards import guard  # noqa: E402
from chatops.conversation.history_question import HISTORY, history_values  # noqa: E402
from chatops.conversation.hygiene_question import HYGIENE, hygiene_asked  # noqa: E402
from chatops.conversation.partial import (  # noqa: E402
    WHOLE,
    on_a_condition,
    ordered_instead,
    other_orders,
    ruled_out,
    spares_part,
    waits_for_event,
)
from chatops.conversation.policy_question import (  # noqa: E402
    WHO_MAY,
    rights_question,
    risk_asked_about,
    runbooks_asked_about,
)
from chatops.conversation.replica_words import replicas_in_words  # noqa: E402
from chatops.conversation.restarts_question import asks_about_restarts  # noqa: E402
from chatops.conversation.state_question import question_of_state  # noqa: E402
from chatops.conversation.symptoms import (  # noqa: E402
    cronjob_trouble,
    trouble_not_events,
    trouble_to_diagnose,
)
from chatops.conversation.what_if import change_asked_about, names_its_object  # noqa: E402
from chatops.model import META_INTENTS, OUT_OF_SCOPE, Risk  # noqa: E402
from chatops.runbook.catalogue import Catalogue, load_catalogue  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402


def _kind(expected: str, answered: str, catalogue: Catalogue) -> str:
    if expected == OUT_OF_SCOPE:
        return "oos"
    if expected in META_INTENTS:
        return "meta"
    if expected == answered:
        return "right"
    if catalogue.get(expected).risk is Risk.READ:
        return "read"
    return "change"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="sets", type=Path, action="append")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--show", action="store_true", help="print set A's texts taken")
    args = parser.parse_args()
    catalogue = load_catalogue()
    nlu = ModelParser(args.model_dir or default_model_dir(), catalogue=catalogue, threads=1)
    changes = tuple(rb.name for rb in catalogue if rb.risk is not Risk.READ)
    print(f"cpu: {cpu_model()}")
    print("| set | messages | reading | taken | oos | the read meant (right namespace) | "
          "another read | a change | meta |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for path in args.sets or [DEFAULT_DATA]:
        messages = load_messages(path)
        counts: dict[str, Counter[str]] = {
            name: Counter() for name in ("trouble", "state question", "history question",
                                         "rights question", "what if", "restarts",
                                         "autoscaled", "hygiene question",
                                         "two changes", "spares part",
                                         "on a condition", "ruled out",
                                         "trouble, not events", "deletion", "reported",
                                         "cronjob trouble", "waits for an event",
                                         "replicas in words")}
        right_ns: Counter[str] = Counter()
        show = args.show and path.resolve() == DEFAULT_DATA.resolve()
        for message in messages:
            parsed = nlu.parse(message.text)
            found: dict[str, tuple[str, dict[str, str]]] = {}
            trouble = (trouble_to_diagnose(message.text, parsed, catalogue.runbooks)
                       if parsed.intent == OUT_OF_SCOPE else None)
            if trouble is not None and trouble.get("namespace"):
                found["trouble"] = ("diagnose", trouble)
            runbook = catalogue.runbooks.get(parsed.intent)
            turned_down = (runbook is not None and runbook.risk is not Risk.READ
                           and guard(message.text, parsed.spans, runbook.slots,
                                     parsed.intent).not_asked)
            history = (history_values(message.text, dict(parsed.slots), parsed.spans)
                       if parsed.intent == OUT_OF_SCOPE or turned_down else None)
            if history is not None and history.get("namespace"):
                found["history question"] = (HISTORY, history)
            rights = (rights_question(message.text)
                      if parsed.intent == OUT_OF_SCOPE or turned_down
                      or (runbook is not None and runbook.risk is Risk.READ) else None)
            if rights is not None and (rights != WHO_MAY or risk_asked_about(message.text)
                                       or runbooks_asked_about(message.text,
                                                               catalogue.runbooks)):
                found["rights question"] = ("rights", {})
            what_if = change_asked_about(message.text, parsed, changes)
            if what_if is not None and names_its_object(parsed, catalogue.get(what_if)):
                found["what if"] = (what_if, dict(parsed.slots))
            if (asks_if_autoscaled(message.text) and parsed.slots.get("deployment")
                    and (runbook is None or runbook.risk is Risk.READ)):
                found["autoscaled"] = ("rightsize", dict(parsed.slots))
            if asks_about_restarts(message.text, parsed.slots, read_as_change=runbook is not None
                                   and runbook.risk is not Risk.READ):
                found["restarts"] = ("show_pods", dict(parsed.slots))
            if trouble_not_events(message.text, parsed):
                found["trouble, not events"] = ("diagnose", {
                    k: v for k, v in parsed.slots.items() if k == "namespace"})
            hygiene = hygiene_asked(message.text, parsed, catalogue.runbooks)
            if hygiene is not None:
                found["hygiene question"] = (HYGIENE, hygiene)
            passed = (runbook is not None and runbook.risk is not Risk.READ
                      and not turned_down)
            if passed and other_orders(parsed.intent, message.text, ordered_changes,
                                       RUNBOOK_CHANGES):
                found["two changes"] = (parsed.intent, dict(parsed.slots))
            if passed and parsed.intent in WHOLE and spares_part(message.text):
                found["spares part"] = (parsed.intent, dict(parsed.slots))
            if passed and ruled_out(parsed.intent, message.text, parsed.slots) is not None:
                instead = ordered_instead(parsed.intent, message.text, parsed.slots,
                                          catalogue.runbooks)
                found["ruled out"] = instead or ("oos", {})
            if (runbook is not None and runbook.risk is not Risk.READ
                    and parsed.slots.get("deployment") and on_a_condition(message.text)):
                found["on a condition"] = (parsed.intent, dict(parsed.slots))
            mutating = runbook is not None and runbook.risk is not Risk.READ
            verdict = guard(message.text, parsed.spans, runbook.slots if runbook else (),
                            parsed.intent)
            if verdict.deletes is not None and (
                    (mutating and verdict.kind is None) or parsed.intent == OUT_OF_SCOPE):
                found["deletion"] = ("oos", {})
            elif mutating and verdict.only_reported:
                found["reported"] = ("node_status" if parsed.slots.get("node") else "diagnose",
                                     dict(parsed.slots))
            if cronjob_trouble(message.text, parsed):
                found["cronjob trouble"] = ("diagnose", {
                    k: v for k, v in parsed.slots.items() if k == "namespace"})
            if passed and waits_for_event(message.text):
                found["waits for an event"] = ("oos", {})
            if (parsed.intent == "scale_deployment" and not parsed.slots.get("replicas")
                    and (said := replicas_in_words(message.text)) is not None):
                found["replicas in words"] = (parsed.intent, {**parsed.slots, "replicas": said})
            state = question_of_state(message.text, parsed, catalogue.runbooks)
            if state is not None:
                found["state question"] = state[1:]
            for reading, (answered, slots) in found.items():
                kind = _kind(message.intent, answered, catalogue)
                counts[reading][kind] += 1
                if kind == "right":
                    right_ns[reading] += slots.get("namespace") == message.slots.get(
                        "namespace")
                if show:
                    print(f"  {reading}, {kind}: {message.text!r} -> {answered} {slots}")
        for reading, taken in counts.items():
            print(f"| {path.stem} | {len(messages)} | {reading} | {sum(taken.values())} | "
                  f"{taken['oos']} | {taken['right']} ({right_ns[reading]}) | "
                  f"{taken['read']} | {taken['change']} | {taken['meta']} |")


if __name__ == "__main__":
    main()
