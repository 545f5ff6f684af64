"""The NLU on an independent set of incident-channel messages.

Eleven sets, same schema: set A (bench/data/incident_messages.yaml, the default) may be
looked at to find weak spots; sets B, C, D, E, F and G (bench/data/incident_messages_b.yaml,
_c, _d, _e, _f and _g, `--set`) were written later, blind to the model's errors, and are the
untouched measurements: score them to report figures, never read their misses to tune
anything; so is set J (_j, session 47). Sets H (_h, session 46), I (_i, session 47) and K
(_k, session 48) were written blind too, then read and tuned on: development sets like A.

The set was written by hand, without looking at the training phrasings, and is kept out of
training by construction (tests/nlu/test_incident_set.py), so it measures how the model
copes with messages as on-call engineers actually write them: long messages with context
first, questions, typos, quoted names, Slack mentions and emoji, creation requests that
must be refused, and chit-chat.

Runs `ModelParser` (the serving path: normalisation, span mapping, confidence thresholds
from the live runbook catalogue) on every message and prints:

- intent accuracy, exact match and slot precision/recall/F1;
- intent accuracy (and exact match) per category and per expected intent;
- OOS false accept (out-of-scope messages answered with a runbook) and the out-of-scope
  messages answered with a *mutating* runbook (this must stay at 0);
- with --show-misses, every miss: text, expected, got, confidence, and the text of each
  out-of-scope message answered with a mutating runbook (without it, counts per category
  only, so that a blind set's texts are not read by accident). The JSON of --out holds
  the texts only with --show-misses too.

Definitions:
- exact match: the intent is right and the slot values the bot acts on equal the expected
  ones, slot for slot (like the dialogue, slots the runbook does not declare are dropped
  first); for `oos` and meta intents only the intent counts (nothing acts on slots);
- exact match (typed): the same, with each slot value compared as the runbook's slot type
  reads it (`chatops.runbook.slots.parse_slot`: `:latest tag` and `:latest` are the same
  hygiene check, `2 cores` and `2` the same CPU amount); a value its type refuses is
  compared as text. This is what the bot acts on;
- answer acc: intent accuracy of what the bot answers: a mutating runbook the
  conversation's guards turn down (a creation request, a write onto a kind no runbook
  changes, a general question naming no target) counts as `oos`, as the person sees it;
- slot F1: micro F1 over every predicted (slot, start, end) span of the original text,
  undeclared ones included, on the messages whose expected intent is a runbook
  (conlleval-style exact span match);
- OOS false accept: expected `oos`, answered with something other than `oos` or a meta
  intent.

    .venv/bin/python bench/nlu_incident.py --show-misses
    .venv/bin/python bench/nlu_incident.py --set bench/data/incident_messages_b.yaml
    .venv/bin/python bench/nlu_incident.py --model-dir /tmp/model --out artifacts/bench/x.json

Exits 2 on bad input (missing or malformed set, missing model); a low score is not an error.
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chatops.conversation.guards import guard
from chatops.conversation.meta_words import says
from chatops.errors import SlotError
from chatops.model import META_INTENTS, OUT_OF_SCOPE, ParsedIntent, Risk, SlotSpan
from chatops.runbook.catalogue import Catalogue, load_catalogue
from chatops.runbook.markup import parse_markup
from chatops.runbook.schema import SlotSpec
from chatops.runbook.slots import parse_slot
from intents import ModelNotFound, ModelParser, default_model_dir

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "bench" / "data" / "incident_messages.yaml"
SET_B = ROOT / "bench" / "data" / "incident_messages_b.yaml"
SET_C = ROOT / "bench" / "data" / "incident_messages_c.yaml"
SET_D = ROOT / "bench" / "data" / "incident_messages_d.yaml"
SET_E = ROOT / "bench" / "data" / "incident_messages_e.yaml"
SET_F = ROOT / "bench" / "data" / "incident_messages_f.yaml"
SET_G = ROOT / "bench" / "data" / "incident_messages_g.yaml"
SET_H = ROOT / "bench" / "data" / "incident_messages_h.yaml"
SET_I = ROOT / "bench" / "data" / "incident_messages_i.yaml"
SET_J = ROOT / "bench" / "data" / "incident_messages_j.yaml"
SET_K = ROOT / "bench" / "data" / "incident_messages_k.yaml"
EXIT_BAD_INPUT = 2


class BadInput(ValueError):
    """The evaluation set cannot be used as given."""


@dataclass(frozen=True)
class Message:
    """One evaluation message: plain text, expected intent and slot spans, category."""

    text: str
    intent: str
    category: str
    spans: tuple[SlotSpan, ...]
    markup: str

    @property
    def slots(self) -> dict[str, str]:
        """The expected slot values by slot name."""
        return {s.slot: s.text for s in self.spans}


def load_messages(path: Path) -> list[Message]:
    """Read and check the set; raise `BadInput` with the first problem found."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise BadInput(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("messages"), list):
        raise BadInput(f"{path}: expected a mapping with a `messages` list")
    messages: list[Message] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw["messages"]):
        where = f"{path.name}: message {i + 1}"
        if not isinstance(entry, dict):
            raise BadInput(f"{where}: expected a mapping")
        missing = [k for k in ("text", "intent", "category") if not entry.get(k)]
        if missing:
            raise BadInput(f"{where}: missing {', '.join(missing)}")
        unknown = sorted(set(entry) - {"text", "intent", "category"})
        if unknown:
            raise BadInput(f"{where}: unknown keys {', '.join(unknown)}")
        markup = str(entry["text"])
        text, spans = parse_markup(markup)
        if "[" in text and "](" in text:
            raise BadInput(f"{where}: malformed slot markup in {markup!r}")
        names = [s.slot for s in spans]
        if len(names) != len(set(names)):
            raise BadInput(f"{where}: a slot is marked twice in {markup!r}")
        if entry["intent"] == OUT_OF_SCOPE and spans:
            raise BadInput(f"{where}: an out-of-scope message carries slot markup")
        key = " ".join(text.lower().split())
        if key in seen:
            raise BadInput(f"{where}: duplicate text {text!r}")
        seen.add(key)
        messages.append(Message(text, str(entry["intent"]), str(entry["category"]),
                                spans, markup))
    if not messages:
        raise BadInput(f"{path}: no messages")
    return messages


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or what the platform module knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _pct(num: int, den: int) -> float:
    return 100.0 * num / den if den else float("nan")


Declared = Mapping[str, Mapping[str, SlotSpec]]
"""Each runbook's slot declarations, by runbook name."""


def typed(slots: Mapping[str, str], specs: Mapping[str, SlotSpec]) -> dict[str, object]:
    """The slot values as the bot reads them; a value its type refuses stays text."""
    out: dict[str, object] = {}
    for name, raw in slots.items():
        spec = specs.get(name)
        try:
            out[name] = raw if spec is None else parse_slot(
                name, spec.type, raw, spec.bounds, spec.choices)
        except SlotError:
            out[name] = ("text", raw)
    return out


def acted_slots(parsed: ParsedIntent, declared: Declared) -> dict[str, str]:
    """The slots the bot acts on: like the dialogue, drop those the runbook doesn't declare."""
    slots = dict(parsed.slots)
    if parsed.intent in declared:
        slots = {k: v for k, v in slots.items() if k in declared[parsed.intent]}
    return slots


def _exact(message: Message, parsed: ParsedIntent, declared: Declared,
           as_typed: bool = False) -> bool:
    if parsed.intent != message.intent:
        return False
    if message.intent == OUT_OF_SCOPE or message.intent in META_INTENTS:
        return True
    got = acted_slots(parsed, declared)
    if as_typed and message.intent in declared:
        specs = declared[message.intent]
        return typed(got, specs) == typed(message.slots, specs)
    return got == message.slots


def _guarded(text: str, parsed: ParsedIntent, declared: Declared, whole: str = "") -> bool:
    """Whether the conversation turns a mutating answer down (chatops/conversation/guards.py);
    `whole`: the message as sent, when `text` is its own words without a paste."""
    return guard(text, parsed.spans, declared.get(parsed.intent, {}), parsed.intent,
                 whole=whole).turned_down


def score(
    messages: Sequence[Message], parsed: Sequence[ParsedIntent], risks: Mapping[str, str],
    declared: Declared,
) -> dict[str, Any]:
    """All figures for one run, as a JSON-friendly dict."""
    n = len(messages)
    tp = fp = fn = 0
    intent_ok = exact = exact_typed = answer_ok = 0
    in_scope = unsure = 0
    oos_total = oos_accepted = 0
    mutating: list[dict[str, Any]] = []
    by_cat: dict[str, Counter[str]] = defaultdict(Counter)
    by_intent: dict[str, Counter[str]] = defaultdict(Counter)
    for message, got in zip(messages, parsed, strict=True):
        ok = got.intent == message.intent
        ex = _exact(message, got, declared)
        intent_ok += ok
        exact += ex
        exact_typed += _exact(message, got, declared, as_typed=True)
        answer = got.intent
        if risks.get(got.intent, Risk.READ) != Risk.READ and _guarded(message.text, got, declared):
            answer = OUT_OF_SCOPE
        if not says(got.intent, message.text):
            answer = OUT_OF_SCOPE  # a decision without a word that says it (meta_words.py)
        answer_ok += answer == message.intent
        for counts, key in ((by_cat, message.category), (by_intent, message.intent)):
            counts[key]["n"] += 1
            counts[key]["intent_ok"] += ok
            counts[key]["exact"] += ex
        if message.intent in risks:
            gold = {(s.slot, s.start, s.end) for s in message.spans}
            pred = {(s.slot, s.start, s.end) for s in got.spans}
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
        if message.intent == OUT_OF_SCOPE:
            oos_total += 1
            if got.intent not in {OUT_OF_SCOPE, *META_INTENTS}:
                oos_accepted += 1
                if risks.get(got.intent, "unknown") != Risk.READ:
                    mutating.append({"text": message.text, "category": message.category,
                                     "got": got.intent, "confidence": got.confidence,
                                     "guarded": _guarded(message.text, got, declared)})
        elif message.intent not in META_INTENTS:
            in_scope += 1
            unsure += got.intent == OUT_OF_SCOPE
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def table(rows: Mapping[str, Counter[str]]) -> dict[str, dict[str, float]]:
        return {
            key: {"n": c["n"], "intent_acc": _pct(c["intent_ok"], c["n"]),
                  "exact_match": _pct(c["exact"], c["n"])}
            for key, c in sorted(rows.items())
        }

    return {
        "n": n,
        "intent_acc": _pct(intent_ok, n),
        "exact_match": _pct(exact, n),
        "exact_match_typed": _pct(exact_typed, n),
        "answer_acc": _pct(answer_ok, n),
        "slot_precision": 100.0 * precision,
        "slot_recall": 100.0 * recall,
        "slot_f1": 100.0 * f1,
        "unsure_rate": _pct(unsure, in_scope),
        "in_scope_n": in_scope,
        "oos_n": oos_total,
        "oos_false_accept": _pct(oos_accepted, oos_total),
        "oos_to_mutating": len(mutating),
        "oos_to_mutating_messages": mutating,
        # What reaches a plan: the conversation never answers a creation request with a
        # mutating runbook, nor a write request onto a kind no runbook changes, nor a
        # general question naming no target
        # (chatops/conversation/scope.py), whatever the model said.
        "oos_to_mutating_after_guard": sum(not row["guarded"] for row in mutating),
        "per_category": table(by_cat),
        "per_intent": table(by_intent),
    }


def _render(intent: str, slots: Mapping[str, str]) -> str:
    inner = ", ".join(f"{k}={v!r}" for k, v in sorted(slots.items()))
    return f"{intent}({inner})" if inner else intent


def misses(messages: Sequence[Message], parsed: Sequence[ParsedIntent],
           declared: Declared) -> list[dict[str, Any]]:
    """Every message that is not an exact match, with what came back (slots as acted on)."""
    rows = []
    for message, got in zip(messages, parsed, strict=True):
        if _exact(message, got, declared):
            continue
        rows.append({
            "text": message.text,
            "category": message.category,
            "expected_intent": message.intent,
            "expected_slots": message.slots,
            "got_intent": got.intent,
            "got_slots": acted_slots(got, declared),
            "confidence": got.confidence,
            "alternatives": [list(a) for a in got.alternatives],
            "intent_ok": got.intent == message.intent,
        })
    return rows


def _shown(path: Path) -> str:
    """A path relative to the repository when it lies inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def set_name(path: Path) -> str:
    """Which set a path is: `A` to `K`, or `other`."""
    known = {DEFAULT_DATA.resolve(): "A", SET_B.resolve(): "B", SET_C.resolve(): "C",
             SET_D.resolve(): "D", SET_E.resolve(): "E", SET_F.resolve(): "F",
             SET_G.resolve(): "G", SET_H.resolve(): "H", SET_I.resolve(): "I",
             SET_J.resolve(): "J", SET_K.resolve(): "K"}
    return known.get(path.resolve(), "other")


def print_report(results: dict[str, Any], show_misses: bool) -> None:
    """The tables, in the Markdown style of the other benchmarks."""
    print(f"set {results['set']}: {results['data']}")
    print(f"incident set: {results['n']} messages ({results['in_scope_n']} runbook, "
          f"{results['oos_n']} out of scope), model {results['model_dir']} "
          f"({results['weights']} weights)")
    print(f"cpu: {results['cpu']}")
    print(f"command: {results['command']}")
    print()
    print("| intent acc | answer acc | exact match | exact (typed) | slot P | slot R | slot F1 "
          "| runbook asked back | OOS false accept | OOS -> mutating |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {results['intent_acc']:.2f} | {results['answer_acc']:.2f} | "
          f"{results['exact_match']:.2f} | "
          f"{results['exact_match_typed']:.2f} | "
          f"{results['slot_precision']:.2f} | {results['slot_recall']:.2f} | "
          f"{results['slot_f1']:.2f} | {results['unsure_rate']:.2f} | "
          f"{results['oos_false_accept']:.2f} | {results['oos_to_mutating']} |")
    for title, key in (("category", "per_category"), ("expected intent", "per_intent")):
        print()
        print(f"| {title} | n | intent acc | exact match |")
        print("|---|---|---|---|")
        for name, row in results[key].items():
            print(f"| {name} | {row['n']} | {row['intent_acc']:.1f} | "
                  f"{row['exact_match']:.1f} |")
    print()
    print(f"out-of-scope messages answered with a mutating runbook: "
          f"{results['oos_to_mutating']} by the model, "
          f"{results['oos_to_mutating_after_guard']} after the conversation's guards "
          "(must be 0)")
    # Counts only, unless asked: the texts of a blind set must not be read by whoever tunes
    # the model or the guards (session 26 read them by accident through this print).
    rows = results["oos_to_mutating_messages"]
    if not show_misses:
        by_category = Counter((row["category"], bool(row["guarded"])) for row in rows)
        for category in sorted({category for category, _ in by_category}):
            print(f"  - [{category}] {by_category[category, True]} refused by the guards, "
                  f"{by_category[category, False]} NOT caught")
    for row in rows if show_misses else ():
        guard = "refused by the guard" if row["guarded"] else "NOT caught by the guard"
        print(f"  - [{row['category']}] {row['text']!r} -> {row['got']} "
              f"({row['confidence']:.2f}; {guard})")
    if show_misses:
        print()
        print(f"misses ({len(results['misses'])}, not an exact match):")
        for row in results["misses"]:
            expected = _render(row["expected_intent"], row["expected_slots"])
            got = _render(row["got_intent"], row["got_slots"])
            alt = ", ".join(f"{a} {p:.2f}" for a, p in row["alternatives"][:2])
            print(f"- [{row['category']}] {row['text']!r}")
            print(f"    expected {expected}")
            print(f"    got      {got}  conf {row['confidence']:.2f}  (next: {alt})")
    print(f"\nparse time: {results['ms_per_message']:.1f} ms/message on "
          f"{results['threads']} thread(s)")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run the set through the model, print (and write) the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=None,
                        help="model directory (default: the shipped intents/model)")
    parser.add_argument("--set", "--data", dest="data", type=Path, default=DEFAULT_DATA,
                        metavar="PATH",
                        help="the evaluation set (default: set A, "
                             f"{_shown(DEFAULT_DATA)}; the blind ones are {_shown(SET_B)}, "
                             f"{_shown(SET_C)}, {_shown(SET_D)}, {_shown(SET_E)}, "
                             f"{_shown(SET_F)}, {_shown(SET_G)} and {_shown(SET_J)})")
    parser.add_argument("--catalogue", type=Path, default=None,
                        help="a folder of runbook files (default: the packaged catalogue)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--show-misses", action="store_true",
                        help="list every message that is not an exact match")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args(argv)
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    try:
        messages = load_messages(args.data)
        catalogue: Catalogue = load_catalogue(args.catalogue)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:
        print(f"error: cannot load the runbook catalogue: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    model_dir = args.model_dir or default_model_dir()
    nlu = ModelParser(model_dir, catalogue=catalogue, threads=args.threads)
    try:
        nlu.load()
        meta = nlu.meta
    except ModelNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    known = set(catalogue.runbooks) | set(META_INTENTS) | {OUT_OF_SCOPE}
    unknown = Counter(m.intent for m in messages if m.intent not in known)
    if unknown:
        print(f"warning: the catalogue has no runbook for {dict(unknown)}; those messages "
              "are scored as they are (they can only miss)", file=sys.stderr)
    untrained = sorted({m.intent for m in messages} - set(nlu.intents))
    if untrained:
        print(f"warning: the model was not trained on {', '.join(untrained)}",
              file=sys.stderr)
    started = time.perf_counter()
    parsed = [nlu.parse(m.text) for m in messages]
    elapsed = time.perf_counter() - started
    risks = {name: str(rb.risk) for name, rb in catalogue.runbooks.items()}
    declared = {name: rb.slots for name, rb in catalogue.runbooks.items()}
    results = score(messages, parsed, risks, declared)
    results.update({
        "data": _shown(args.data),
        "set": set_name(args.data),
        "model_dir": str(model_dir),
        "weights": meta.get("weights", "?"),
        "threshold": nlu.threshold,
        "cpu": cpu_model(),
        "threads": args.threads,
        "command": command,
        "ms_per_message": 1000.0 * elapsed / len(messages),
        "unknown_intents": dict(unknown),
        "misses": misses(messages, parsed, declared),
    })
    print_report(results, args.show_misses)
    if not args.show_misses:  # the JSON keeps the figures, not a blind set's texts
        results["misses"] = len(results["misses"])
        results["oos_to_mutating_messages"] = len(results["oos_to_mutating_messages"])
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
