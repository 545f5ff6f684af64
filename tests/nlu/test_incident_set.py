"""The independent incident-message sets are well formed, cover what they claim to, and stay
out of training: set A (bench/data/incident_messages.yaml), set B
(bench/data/incident_messages_b.yaml, written later, blind to the model's errors on set A:
the final untouched measurement), set C (bench/data/incident_messages_c.yaml, written
blind after set B, for another made-up company: a second untouched measurement), set D
(bench/data/incident_messages_d.yaml, written blind after set C, for a third made-up
company: a third untouched measurement) and set E (bench/data/incident_messages_e.yaml,
written blind after set D, for a fourth made-up company: a fourth untouched measurement)
and set F (bench/data/incident_messages_f.yaml, written blind after set E, for a fifth
made-up company: a fifth untouched measurement) and set G
(bench/data/incident_messages_g.yaml, written blind after set F, for a sixth made-up
company: a sixth untouched measurement). Set H (bench/data/incident_messages_h.yaml) is a
development set like A: written blind in session 46, then read and tuned on; so is set I
(session 47) and set K (session 48). Set J (bench/data/incident_messages_j.yaml, session
47) is a seventh untouched measurement.

`bench/nlu_incident.py` scores a model on them (`--set PATH`); these tests only check the data.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.model import META_INTENTS, OUT_OF_SCOPE, SlotSpan
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.markup import parse_markup

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data" / "incident_messages.yaml"
DATA_B = ROOT / "bench" / "data" / "incident_messages_b.yaml"
DATA_C = ROOT / "bench" / "data" / "incident_messages_c.yaml"
DATA_D = ROOT / "bench" / "data" / "incident_messages_d.yaml"
DATA_E = ROOT / "bench" / "data" / "incident_messages_e.yaml"
DATA_F = ROOT / "bench" / "data" / "incident_messages_f.yaml"
DATA_G = ROOT / "bench" / "data" / "incident_messages_g.yaml"
DATA_H = ROOT / "bench" / "data" / "incident_messages_h.yaml"
DATA_I = ROOT / "bench" / "data" / "incident_messages_i.yaml"
DATA_J = ROOT / "bench" / "data" / "incident_messages_j.yaml"
DATA_K = ROOT / "bench" / "data" / "incident_messages_k.yaml"


@dataclass(frozen=True)
class Minimums:
    """What one set must contain."""

    messages: int
    per_runbook: int
    creation: int
    out_of_scope: int
    long: int  # messages of more than 40 words
    very_long: int  # messages of about 100 words
    namespace_scans: int  # diagnose with a namespace and nothing else
    pod_diagnoses: int  # diagnose with a pod
    per_category: dict[str, int] = field(default_factory=dict)
    styles: int = 3  # messages per style marker


MINIMUMS = {
    "A": Minimums(
        messages=200, per_runbook=6, creation=40, out_of_scope=0, long=40, very_long=12,
        namespace_scans=8, pod_diagnoses=0,
        per_category={
            "fix": 8, "namespace_health": 8, "hygiene": 8, "images": 6, "quoted": 8,
            "typo": 6, "question": 10, "meta": 15, "general_k8s": 10, "chitchat": 10,
            "unsupported": 8,
        },
    ),
    "B": Minimums(
        messages=180, per_runbook=5, creation=25, out_of_scope=40, long=30, very_long=0,
        namespace_scans=5, pod_diagnoses=2,
        per_category={
            "fix": 6, "namespace_health": 5, "hygiene": 8, "images": 4, "quoted": 6,
            "typo": 6, "question": 10, "meta": 10, "general_k8s": 6, "chitchat": 5,
            "unsupported": 5, "kubectl": 10,
        },
    ),
    "C": Minimums(
        messages=250, per_runbook=6, creation=30, out_of_scope=60, long=35, very_long=12,
        namespace_scans=10, pod_diagnoses=2,
        per_category={
            "fix": 8, "namespace_health": 10, "hygiene": 8, "images": 5, "quoted": 8,
            "typo": 8, "question": 15, "meta": 12, "general_k8s": 8, "chitchat": 6,
            "unsupported": 10, "kubectl": 15, "emoji": 4, "mention": 3, "long": 20,
        },
    ),
}
# Set D asks for what set C asks for.
MINIMUMS["D"] = MINIMUMS["C"]
# Set E asks for what set C asks for.
MINIMUMS["E"] = MINIMUMS["C"]
# Set F asks for what set C asks for.
MINIMUMS["F"] = MINIMUMS["C"]
# Set G asks for what set C asks for.
MINIMUMS["G"] = MINIMUMS["C"]
# Set H, a development set (session 46), is checked for what it has: it was read and tuned
# on, its long messages are shorter and its names are common ones (its header).
MINIMUMS["H"] = Minimums(
    messages=240, per_runbook=5, creation=12, out_of_scope=30, long=0, very_long=0,
    namespace_scans=10, pod_diagnoses=2,
    per_category={"fix": 10, "namespace_health": 10, "hygiene": 12, "kubectl": 15,
                  "typo": 10, "question": 20, "meta": 10, "long": 35, "short": 30},
    styles=0)
# Sets I (a development set) and J (blind), session 47, are checked for what they have:
# written by helpers from the catalogue's runbooks and set A's conventions, with few
# messages of over 40 words. Their replies that were also training texts ("yes", "undo
# that", "node status") were taken out when they were committed: they measure nothing.
MINIMUMS["I"] = Minimums(
    messages=240, per_runbook=4, creation=15, out_of_scope=60, long=8, very_long=0,
    namespace_scans=3, pod_diagnoses=1,
    per_category={"kubectl": 15, "long": 35, "question": 15, "meta": 10, "short": 20,
                  "unsupported": 15, "chitchat": 8},
    styles=0)
MINIMUMS["J"] = replace(MINIMUMS["I"], pod_diagnoses=2)
# Set K (session 48), a development set written by a helper like I and J, with more terse
# messages (a workload and its namespace side by side) and namespace health.
MINIMUMS["K"] = Minimums(
    messages=250, per_runbook=5, creation=10, out_of_scope=40, long=10, very_long=0,
    namespace_scans=10, pod_diagnoses=1,
    per_category={"short": 35, "long": 45, "question": 20, "namespace_health": 10,
                  "hygiene": 12, "unsupported": 15, "meta": 5, "kubectl": 8},
    styles=0)
SETS = {"A": DATA, "B": DATA_B, "C": DATA_C, "D": DATA_D, "E": DATA_E, "F": DATA_F,
        "G": DATA_G, "H": DATA_H, "I": DATA_I, "J": DATA_J, "K": DATA_K}
VERY_LONG_WORDS = range(80, 121)
# Mentions, emoji shortcodes, backticks, quotes, kubectl-style flags and names in
# parentheses must appear somewhere in each set.
STYLE_MARKERS = {"mention": "<@U", "emoji": re.compile(r"(?<!\S):[a-z0-9_+-]+:(?!\S)"),
                 "backtick": "`", "single quote": "'", "double quote": '"',
                 "kubectl flag": " -n ", "kubectl kind/name": re.compile(r"\b(deploy|po)/"),
                 "parentheses": re.compile(r"\(\[[^\]]+\]\(namespace\)\)")}


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _load(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("messages"), list), path
    return list(data["messages"])


@pytest.fixture(scope="module", params=sorted(SETS))
def which(request: pytest.FixtureRequest) -> str:
    """The set under test: `A`, `B`, `C`, `D`, `E`, `F` or `G`."""
    return str(request.param)


@pytest.fixture(scope="module")
def entries(which: str) -> list[dict[str, Any]]:
    return _load(SETS[which])


@pytest.fixture(scope="module")
def parsed(entries: list[dict[str, Any]]) -> list[tuple[str, tuple[SlotSpan, ...]]]:
    return [parse_markup(str(e["text"])) for e in entries]


def test_every_entry_parses(entries: list[dict[str, Any]],
                            parsed: list[tuple[str, tuple[SlotSpan, ...]]]) -> None:
    seen: set[str] = set()
    for entry, (text, spans) in zip(entries, parsed, strict=True):
        assert set(entry) == {"text", "intent", "category"}, entry
        assert all(isinstance(entry[k], str) and entry[k] for k in entry), entry
        assert "](" not in text, f"malformed markup left in {entry['text']!r}"
        names = [s.slot for s in spans]
        assert len(names) == len(set(names)), f"a slot is marked twice: {entry['text']!r}"
        if entry["intent"] == OUT_OF_SCOPE:
            assert not spans, f"out-of-scope message with slots: {entry['text']!r}"
        for span in spans:
            assert text[span.start:span.end] == span.text
            # The span is the bare value: no quotes, backticks or spaces around it.
            assert span.text == span.text.strip(" '\"`()"), (span, entry["text"])
        key = _key(text)
        assert key not in seen, f"duplicate message {text!r}"
        seen.add(key)


def test_intents_and_slots_exist_in_the_catalogue(
    entries: list[dict[str, Any]], parsed: list[tuple[str, tuple[SlotSpan, ...]]],
    catalogue: Catalogue,
) -> None:
    known = set(catalogue.runbooks) | set(META_INTENTS) | {OUT_OF_SCOPE}
    unknown_intents = sorted({e["intent"] for e in entries} - known)
    assert not unknown_intents, f"intents the catalogue lacks: {unknown_intents}"
    for entry, (_, spans) in zip(entries, parsed, strict=True):
        intent = entry["intent"]
        declared = set(catalogue.runbooks[intent].slots) if intent in catalogue else set()
        for span in spans:
            assert span.slot in declared, (
                f"{intent} has no slot {span.slot!r}: {entry['text']!r}")


def test_size_and_coverage(which: str, entries: list[dict[str, Any]],
                           parsed: list[tuple[str, tuple[SlotSpan, ...]]],
                           catalogue: Catalogue) -> None:
    least = MINIMUMS[which]
    assert len(entries) >= least.messages
    intents = Counter(e["intent"] for e in entries)
    categories = Counter(e["category"] for e in entries)
    thin = {name: intents[name] for name in [*catalogue.runbooks, "pod_hygiene"]
            if intents[name] < least.per_runbook}
    assert not thin, f"runbooks with fewer than {least.per_runbook} messages: {thin}"
    assert all(intents[m] for m in META_INTENTS), intents
    assert intents[OUT_OF_SCOPE] >= least.out_of_scope
    assert categories["creation"] >= least.creation
    assert all(e["intent"] == OUT_OF_SCOPE for e in entries if e["category"] == "creation")
    short = {c: categories[c] for c, n in least.per_category.items() if categories[c] < n}
    assert not short, f"categories below their minimum: {short}"
    words = [len(text.split()) for text, _ in parsed]
    assert sum(w > 40 for w in words) >= least.long
    assert sum(w in VERY_LONG_WORDS for w in words) >= least.very_long
    diagnoses = [sorted(s.slot for s in spans)
                 for e, (_, spans) in zip(entries, parsed, strict=True)
                 if e["intent"] == "diagnose"]
    # Whole-namespace health scans: diagnose with a namespace and nothing else.
    assert sum(slots == ["namespace"] for slots in diagnoses) >= least.namespace_scans
    assert sum("pod" in slots for slots in diagnoses) >= least.pod_diagnoses
    texts = [str(e["text"]) for e in entries]
    for style, marker in STYLE_MARKERS.items():
        found = [t for t in texts if (marker.search(t) if isinstance(marker, re.Pattern)
                                      else marker in t)]
        count = len(found)
        assert count >= least.styles, f"too few messages with {style}"


# Each later set against the sets written before it.
EARLIER = {"B": ("A",), "C": ("A", "B"), "D": ("A", "B", "C"), "E": ("A", "B", "C", "D"),
           "F": ("A", "B", "C", "D", "E"), "G": ("A", "B", "C", "D", "E", "F")}


@pytest.mark.parametrize("later", sorted(EARLIER))
def test_later_sets_are_new(later: str) -> None:
    """Set B shares no message with set A, and few of its slot values (names); set C shares
    none with sets A and B, and few names with them; set D shares none with sets A, B and
    C, and few names with them; set E shares none with sets A to D, and few names with
    them; set F shares none with sets A to E, and few names with them; set G shares none
    with sets A to F, and few names with them: each was written afresh, for a different
    made-up company."""
    ours_rows = _load(SETS[later])
    earlier_rows = [e for name in EARLIER[later] for e in _load(SETS[name])]
    texts_before = {_key(parse_markup(str(e["text"]))[0]) for e in earlier_rows}
    # Counts only: a failure must not print an earlier set's messages into a later set's
    # author's view.
    shared = sum(_key(parse_markup(str(e["text"]))[0]) in texts_before for e in ours_rows)
    assert shared == 0, f"set {later} repeats {shared} messages of {EARLIER[later]}"
    names = {"namespace", "deployment", "pod", "node", "cronjob", "image"}

    def values(rows: list[dict[str, Any]]) -> set[str]:
        return {s.text.lower() for e in rows for s in parse_markup(str(e["text"]))[1]
                if s.slot in names}

    ours = values(ours_rows)
    common = ours & values(earlier_rows)
    assert len(common) <= len(ours) // 10, (
        f"set {later} reuses {len(common)} of its {len(ours)} names from {EARLIER[later]}")


def test_no_training_code_reads_the_set() -> None:
    needles = ("bench/data", "incident_messages", *(p.name for p in SETS.values()),
               *(p.stem for p in SETS.values()))
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("finetune", "intents")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".json", ".txt", ".toml"}
        and any(n in path.read_text(encoding="utf-8", errors="replace") for n in needles)
    ]
    assert not offenders, f"training/runtime code mentions an evaluation set: {offenders}"


def test_no_message_is_a_training_text(parsed: list[tuple[str, tuple[SlotSpan, ...]]],
                                       catalogue: Catalogue) -> None:
    from finetune.data import dataset_from_catalogue

    dataset = dataset_from_catalogue(catalogue)
    training = {_key(s.text) for s in [*dataset.train, *dataset.dev]}
    assert training, "the generated training data is empty"
    overlap = sorted(text for text, _ in parsed if _key(text) in training)
    assert not overlap, f"messages that are also generated training texts: {overlap}"
