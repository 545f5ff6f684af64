"""From per-word slot-label probabilities to the one value of each slot the bot acts on.

The model tags every word independently (BIO over whitespace words, no CRF), so a long
message often comes back with two spans for one slot (a context sentence's service next to
the one the request names), or with a name tagged as the wrong kind of slot (`pricing` as a
deployment where the runbook also wants a namespace and has none). Taking each slot's first
span, as plain BIO decoding does, picks the context name whenever it comes first.

The decoding here keeps the model's span boundaries and its scores, and adds what the
runbook says about its slots:

1. Labels of slots the answered runbook does not declare are taken out before the argmax
   (a word the model half-read as a cronjob in a deployment request is not a cronjob).
2. Each slot gets one value: spans are taken most confident first, and each takes the
   best-scoring slot that is still free, so the second name tagged `deployment` becomes
   the namespace when that fits it, and is dropped when nothing fits (score below
   `MIN_SPAN_SCORE`).
3. Sibling slots (`cpu_request` / `cpu_limit` / `memory_request` / `memory_limit`,
   `min_replicas` / `max_replicas`) are told apart by the words just before the value
   ("a memory request of 256Mi and a limit of 512Mi", "hpa min ... should be 6") and by
   the value's unit (`Mi` is memory, `500m` CPU), where the model, reading each word on
   its own, often swaps them. Where a value has no cue of its own, request/limit and
   CPU/memory carry over from the values before it ("requests: cpu=1 memory=2Gi",
   "a cpu request of 1 and a limit of 2"), minimum/maximum do not ("between 4 and 20"
   names one of each); else the model's reading stands. A value a cue names gets
   `CUE_BONUS`, so it wins over an uncued one for the same slot.
4. A span whose best slot a surer span already took goes to a free namespace slot when
   the words just before it say namespace ("in X", "-n X", "(X)", "ns: X"), or when it
   comes right after that surer span ("rightsize es-proxy search", "tax-calculator
   billing cpu 250m": terse messages name the object, then its namespace), before any
   other free slot: the model, reading "set image of api in billing to ...", may score
   `billing` as an image or a container before a namespace.
5. A required slot still empty takes the single word the model scored highest for it, if
   that score reaches `MIN_FILL_SCORE` (a pod name the model left as `O` at 0.6 but
   scored 0.3 for `pod`): otherwise the bot asks for it, as before.
6. A duration tagged as its number alone ("the last 45 minutes" -> `45`) or its unit alone
   (`minutes`) takes the other half from the next or previous word: neither half is the
   duration meant (a bare number is no duration; a bare unit means one of it). Not within
   a duration of several parts ("1 h 30 m"): one pair of it would be less than was asked.
7. A slot whose type takes several values (`SEVERAL`: the hygiene checks) keeps its runs
   that only "and", "or" or a comma separate as one span ("cpu and memory limits",
   "privileged or mount hostPath"): the model tags each check on its own, and keeping the
   surest alone would silently run fewer checks than were asked for.
8. A name ends before a possessive ("web-frontend's image" -> `web-frontend`) when the
   next word is one of the name's own parts (pods, image, logs, replicas, ...): no
   Kubernetes name has an apostrophe, and the model tags the word as written. Before
   another word ("web-frontend's worker") the value stays as written: it names something
   else, and no name validates it. A namespace's possessive always goes ("prod's
   checkout-api" is checkout-api in prod).
9. A name that the words right around it call a namespace ("the payments namespace",
   "payments ns:", "namespace payments", "-n payments") is the namespace: when the model
   put it in another name slot, it moves to the namespace slot, and the name the model
   took for the namespace takes the slot it left (a user's probe: "payments namespace:
   checkout-api keeps restarting" was read the other way round).
10. A count of log lines is no duration: a bare number read as `since` goes to a free
   `lines` ("kubectl logs ... --tail=500"). No value opens with an article ("the latest
   tag" -> `latest tag`).
11. A minimum and a maximum written as one word ("hpa api 2-8", "3..9") are split into
   the two slots, when the other is free, the range is the right way round and no word
   before it makes it a range of something else ("utilisation 70-90").
12. A word kubectl's `kind/name` form names ("deploy/imgresize", "po/api-7d9f8-x2k4l")
   takes the slot of that kind when the runbook has one and the model read no other word
   for it: the text says what it is ("... but leave deploy/cart alone" names no object).
13. A container that no word near it calls one ("container", "-c", "sidecar") is what
   is missing beside it: the workload when none was read ("logs from image-resizer in
   media"), else a namespace not read ("tail webhook-relay logs integrations").
14. A namespace no word was read for is the one name right after "in" (or `-n`) that no
   slot holds ("It currently runs four replicas in discovery.": a context sentence the
   model read `O`), unless "in" makes an idiom with it ("in a minute", "in grafana",
   "in good shape"). For reads only, like steps 4 and 13.
15. A change never takes a name the message rules out ("except in staging", "leave
   staging alone") or says is well now ("restart checkout-api. everything in staging is
   fine", "cordon node-2, node-1 is fine"): a probe planned each of them there. The slot
   is left empty, and no other name takes it (the bot asks). A name the clause's verb acts
   on is its object, not its subject ("restart api so that it is healthy again"); a
   question, health in the past ("was fine until the upgrade"), denied ("no longer
   healthy") or taken back ("looks healthy but ...") says nothing is well (an attacker
   review). Session 48's reviews added the words that leave a name out of a change of
   many ("other than", "apart from", "everything but"), a name's own namespace phrase
   before "is fine" or "excluded" ("calc-app -n prod is fine"), and the same check for a
   required slot filled from a word the model did not tag (step 5).
16. A namespace no word was read for is the one name right after the object ("logs pls
   chat-relay realtime", "pause invoice-rollup billing"); for a read, two names the model
   read the wrong way round are the object, then its namespace ("logs bol-renderer
   freight"): terse messages name the object, then its namespace.
17. A read's object no word was read for is the name right before its namespace's cue
   ("logs imgresize (media)", "status-page ns public-web"), or before "in" when it is
   shaped like a workload's.
18. A read of a few words that the model read no name in names its namespace last
   ("events customs", "pods tracking").
19. The two halves of a `name.namespace` word are a read's object and its namespace
   ("ledger.billing is busted again").
   Steps 14 and 16-19 are readings by a name's place (`intents/places.py`), for reads
   only, but step 16's namespace right after a change's object, which the parser marks
   `placed` and the conversation keeps only where the cluster has the object in it.

Measured in BENCHMARKS.md ("NLU: slot decoding"): on the development sets the slots are
right more often, most on long messages; nothing here is trained, so a retrain is not
needed to change it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from chatops.model import SlotSpan
from intents.names import NAME_TYPES, POSSESSIVE, RULED_OUT_BEFORE
from intents.places import (
    dotted_name,
    namespace_after_in,
    namespace_beside,
    namespace_last,
    object_before_namespace,
)
from intents.text import Normalised, Word

MIN_SPAN_SCORE = 0.15
"""A span whose best free slot scores below this is left out (a context name the model
half-tagged, whose own slot was taken by a surer span)."""

MIN_FILL_SCORE = 0.2
"""A required slot nothing was tagged for takes a word only at this score or above."""

CUE_BONUS = 0.5
"""Added to a sibling slot's score when the words before the value name it."""

CUE_WINDOW = 16
"""How many words before a value are read for cues: back to the previous sibling value or
the start of the value's clause, whichever is nearer. Eight words were too few for "set
memory request of container app of sidecar-app in dev to 512Mi" (a user trial)."""
_CLAUSE_END = re.compile(r"[.!?;]$")
_CLAUSE_WORDS = frozenset({"but", "just", "however", "though", "although", "alone", "except"})
"""Where a clause starts: a cue before it is about something else ("leave the cpu limit
alone, just set the cpu ... to 500m")."""

# Each dimension that tells sibling slots apart: the token in the slot's name, and the
# words that name it in a message.
REQUEST_WORDS = frozenset({"request", "requests", "requested", "reservation", "reserve",
                           "reserved", "guaranteed", "req", "reqs"})
LIMIT_WORDS = frozenset({"limit", "limits", "cap", "capped", "ceiling", "lim", "lims"})
"""Words that say which of a resource's two fields a value is for."""
_DIMENSIONS: tuple[dict[str, frozenset[str]], ...] = (
    {"request": REQUEST_WORDS, "limit": LIMIT_WORDS},
    {
        "cpu": frozenset({"cpu", "cpus", "core", "cores", "millicores", "vcpu", "vcpus"}),
        "memory": frozenset({"memory", "mem", "ram"}),
    },
    {
        "min": frozenset({"min", "minimum", "floor", "least", "below", "lower", "low",
                          "minimal", "fewer"}),
        "max": frozenset({"max", "maximum", "most", "ceiling", "cap", "upper", "above",
                          "highest", "more"}),
    },
)
_NAMESPACE_CUES = frozenset({"in", "ns", "-n", "--namespace", "namespace", "(", "@", "on"})
"""Words just before a value (after `=`/`:`) that make it a namespace when its own slot is
taken."""
SEVERAL = frozenset({"hygiene_check"})
"""Slot types whose value may name several things (their parser reads "a and b")."""
_JOINING = frozenset({"and", "or", "nor", "plus", "&", "/", "+", ",", "also"})
"""Words between two runs of one such slot that make them one value (step 7)."""
_CARRIED = frozenset({0, 1})
"""Dimensions a later value without cues takes from the values before it."""
_MEMORY_UNIT = re.compile(r"^[0-9.]+\s*(?:[KMGTPE]i?|[kKMGT]B|[KMGT]iB|bytes?)$")
_CPU_UNIT = re.compile(r"^(?:[0-9]+m|[0-9]*\.[0-9]+|[0-9.]+\s*(?:cores?|cpus?|vcpus?))$")


@dataclass(frozen=True)
class SlotLabels:
    """The model's slot label vocabulary (`O`, `B-x`, `I-x`), indexed for decoding."""

    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.labels or self.labels[0] != "O":
            raise ValueError("slot labels must start with 'O'")

    @cached_property
    def slots(self) -> tuple[str, ...]:
        """Every slot name, in label order."""
        return tuple(dict.fromkeys(
            label.split("-", 1)[1] for label in self.labels if "-" in label
        ))

    @cached_property
    def _columns(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    def index(self, label: str) -> int | None:
        """The column of `label`, or None when the model has no such label."""
        return self._columns.get(label)


def bio_runs(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """BIO tags -> (slot, first word, last word) runs; lenient like conlleval."""
    runs: list[tuple[str, int, int]] = []
    current: tuple[str, int, int] | None = None
    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            if current is not None:
                runs.append(current)
            current = None
            continue
        prefix, slot = tag.split("-", 1)
        if prefix == "I" and current is not None and current[0] == slot:
            current = (slot, current[1], i)
            continue
        if current is not None:
            runs.append(current)
        current = (slot, i, i)
    if current is not None:
        runs.append(current)
    return runs


def _dimension_values(slot: str) -> dict[int, str]:
    """The slot's value on each dimension its name has a token for: `cpu_limit` ->
    {0: "limit", 1: "cpu"}."""
    tokens = set(slot.lower().split("_"))
    return {d: token for d, names in enumerate(_DIMENSIONS) for token in names
            if token in tokens}


def sibling_groups(types: Mapping[str, str]) -> list[frozenset[str]]:
    """Declared slots the cues tell apart: those of one type (CPU and memory together)
    whose names differ on a cue dimension, in groups of two or more."""
    groups: dict[str, set[str]] = {}
    for slot, slot_type in types.items():
        if _dimension_values(slot):
            key = "resource" if slot_type in {"cpu", "memory"} else slot_type
            groups.setdefault(key, set()).add(slot)
    return [frozenset(g) for g in groups.values() if len(g) > 1]


def _cued(words: Sequence[Word], first: int, last: int, stop: int) -> dict[int, str]:
    """The dimension values the words before `first` (back to `stop`) and the value's
    own unit name, where exactly one value of a dimension is named."""
    start = max(stop, first - CUE_WINDOW)
    for index in range(first - 1, start - 1, -1):
        if words[index].text.lower() in _CLAUSE_WORDS:
            start = index + 1  # a cue in another clause is about something else
            break
        if _CLAUSE_END.search(words[index].text):
            start = index + 1
            break
    window = [w.text.lower().lstrip("-") for w in words[start:first]]  # "--limits=..."
    found: dict[int, str] = {}
    for d, names in enumerate(_DIMENSIONS):
        # The nearest cue wins: "the cpu request to 500m and its limit to 1".
        for word in reversed(window):
            hits = [token for token, cues in names.items() if word in cues]
            if len(hits) == 1:
                found[d] = hits[0]
                break
    if 0 not in found:
        # No request/limit cue before the value: the words right after it may name one
        # ("1Gi for the limit", "512Mi request"; a user trial: read as the request).
        after = {token for word in _words_after(words, last)
                 for token, cues in _DIMENSIONS[0].items() if word in cues}
        if len(after) == 1:
            found[0] = after.pop()
    value = " ".join(w.text for w in words[first:last + 1])
    if _MEMORY_UNIT.match(value):
        found[1] = "memory"
    elif _CPU_UNIT.match(value):
        found[1] = "cpu"
    return found


_AFTER_WINDOW = 4
_AFTER_FILLER = frozenset({"for", "as", "the", "its", "a", "of", "on", "memory", "mem", "ram",
                          "cpu", "cpus", "instead", "please", "pls"})


def _words_after(words: Sequence[Word], last: int) -> list[str]:
    """Up to `_AFTER_WINDOW` words after the value ending at `last` that may name its
    field, within its clause: filler and the cue itself ("for the limit"), nothing past
    punctuation, another value or another word."""
    out: list[str] = []
    if re.search(r"[,.!?;:]$", words[last].text):
        return out
    for word in words[last + 1:last + 1 + _AFTER_WINDOW]:
        raw = word.text.lower()
        text = raw.rstrip(",.!?;:")
        if text in _CLAUSE_WORDS or any(ch.isdigit() for ch in text):
            break
        out.append(text)
        if text not in _AFTER_FILLER or raw != text:
            break  # the cue, another word, or the clause's end
    return out


def _resolve_siblings(
    candidates: list[tuple[float, int, int, dict[str, float]]],
    words: Sequence[Word],
    groups: Sequence[frozenset[str]],
) -> None:
    """Move each sibling value's score onto the sibling its cues name (in place)."""
    previous: dict[frozenset[str], tuple[int, dict[int, str]]] = {}
    for index, (_, first, last, scores) in enumerate(candidates):
        best = max(scores, key=lambda slot: scores[slot])
        group = next((g for g in groups if best in g), None)
        if group is None:
            continue
        stop, carried = previous.get(group, (0, {}))
        cued = {**carried, **_cued(words, first, last, stop)}
        previous[group] = (last + 1, {d: v for d, v in cued.items() if d in _CARRIED})
        if not cued:
            continue
        want = {**_dimension_values(best), **cued}
        target = next((slot for slot in sorted(group) if all(
            want.get(d) == value for d, value in _dimension_values(slot).items())), None)
        if target is None:
            continue
        new = dict(scores)
        new[target] = max(scores[slot] for slot in group if slot in scores) + CUE_BONUS
        if target != best:
            new[best] = min(scores[best], scores.get(target, 0.0))
        candidates[index] = (max(new.values()), first, last, new)


def _joined_runs(runs: list[tuple[str, int, int]], words: Sequence[Word],
                 types: Mapping[str, str]) -> list[tuple[str, int, int]]:
    """`runs` with those of one several-valued slot that only joining words separate made
    one (step 7)."""
    joined: list[tuple[str, int, int]] = []
    for slot, first, last in runs:
        if joined and joined[-1][0] == slot and types.get(slot) in SEVERAL:
            _, start, end = joined[-1]
            if all(w.text.lower() in _JOINING for w in words[end + 1:first]):
                joined[-1] = (slot, start, last)
                continue
        joined.append((slot, first, last))
    return joined


def _cue_before(words: Sequence[Word], first: int) -> int:
    """The index of the word before word `first`, past a `=` or `:` ("namespace=X",
    "ns: X"); -1 when there is none."""
    i = first - 1
    if i >= 0 and words[i].text in {"=", ":"}:
        i -= 1
    return i


def _namespace_cued(words: Sequence[Word], first: int) -> bool:
    """Whether the words just before word `first` name a namespace ("in", "-n", "(",
    "namespace=", "ns:")."""
    i = _cue_before(words, first)
    return i >= 0 and words[i].text.lower() in _NAMESPACE_CUES


_NUMBER = re.compile(r"\d+")
_UNIT = re.compile(r"(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)",
                   re.IGNORECASE)


def _whole_duration(words: Sequence[Word], first: int, last: int,
                    taken: Collection[int]) -> tuple[int, int]:
    """A duration span with its number and its unit: the model often tags one of the two
    ("the last 45 minutes" -> `45`, or `minutes`), and neither is the duration meant. A
    word another slot holds is never taken."""
    def part(i: int) -> bool:  # a number or a unit: a piece of a duration
        return 0 <= i < len(words) and bool(_NUMBER.fullmatch(words[i].text)
                                            or _UNIT.fullmatch(words[i].text))

    if first != last:
        return first, last
    # (number, unit) when the tagged word is one of them and the other is its neighbour.
    if _NUMBER.fullmatch(words[first].text) and part(first + 1) \
            and _UNIT.fullmatch(words[first + 1].text):
        start, end = first, first + 1
    elif _UNIT.fullmatch(words[first].text) and part(first - 1) \
            and _NUMBER.fullmatch(words[first - 1].text):
        start, end = first - 1, first
    else:
        return first, last
    # One part of "1 h 30 m" is not the duration asked for: left as tagged, the bot asks.
    other = start if end == first else end
    if other in taken or part(start - 1) or part(end + 1):
        return first, last
    return start, end


def _slot_columns(vocab: SlotLabels, slot: str) -> list[int]:
    return [i for i in (vocab.index(f"B-{slot}"), vocab.index(f"I-{slot}")) if i is not None]


@dataclass(frozen=True)
class Decoded:
    """The slots of one decoding: a span per slot, in text order, and the slots of them
    read by a name's place alone for a change (`beside`): step 16's namespace."""

    spans: tuple[SlotSpan, ...]
    placed: frozenset[str] = frozenset()


def decode_slots(
    probs: npt.NDArray[np.float64],
    vocab: SlotLabels,
    words: Sequence[Word],
    norm: Normalised,
    original: str,
    *,
    declared: Collection[str] | None = None,
    required: Collection[str] = (),
    types: Mapping[str, str] | None = None,
    by_place: bool = True,
    beside: bool = False,
) -> Decoded:
    """One span per slot, in text order, from `probs` (words x labels, rows sum to 1).

    `declared` is the slots of the runbook the message is answered with (None: any slot
    the model knows, for meta intents and out-of-scope answers); `required` the ones the
    runbook cannot run without; `types` the declared slots' types (for the siblings).
    `by_place` allows the guesses by a name's place alone (step 4's name right after the
    object, step 13): for reads only, since "restart cart orders" may name two deployments
    and "set image of cart orders to ..." a container (an attacker review). `beside` allows
    step 16's namespace right after the object without `by_place`: for a change, where it
    is marked `placed`, so that the conversation keeps it only where the cluster has that
    object in that namespace.
    """
    if probs.shape != (len(words), len(vocab.labels)):
        raise ValueError(f"probabilities of shape {probs.shape} for {len(words)} words "
                         f"and {len(vocab.labels)} labels")
    allowed = [s for s in vocab.slots if declared is None or s in declared]
    mask = np.zeros(len(vocab.labels), dtype=bool)
    mask[0] = True
    for slot in allowed:
        mask[_slot_columns(vocab, slot)] = True
    q = np.where(mask, probs, 0.0)
    tags = [vocab.labels[int(i)] for i in q.argmax(axis=-1)]

    def score(slot: str, first: int, last: int) -> float:
        return float(q[first : last + 1][:, _slot_columns(vocab, slot)].sum(axis=1).mean())

    candidates = []
    for _, first, last in _joined_runs(bio_runs(tags), words, types or {}):
        scores = {slot: score(slot, first, last) for slot in allowed}
        candidates.append((max(scores.values()), first, last, scores))
    _kind_named(candidates, words, allowed, types or {})
    if types:
        _resolve_siblings(candidates, words, sibling_groups(types))
    # Surest span first; ties keep text order (sorted is stable).
    candidates.sort(key=lambda c: -c[0])
    namespace = next((s for s in allowed if (types or {}).get(s, s) == "namespace"), None)
    fine: set[int] = set()
    if not by_place:
        # A change is never made where the message says all is well (step 15).
        fine = {i for c in candidates if _said_fine(words, c[1], c[2], [
            (o[1], o[2]) for o in candidates if o is not c]) for i in range(c[1], c[2] + 1)}
    chosen: dict[str, tuple[int, int]] = {}
    for _, first, last, scores in candidates:
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        holder = chosen.get(ranked[0][0])
        if (namespace is not None and namespace not in chosen and holder is not None
                and ranked[0][1] >= MIN_SPAN_SCORE
                and (_namespace_cued(words, first) or (by_place and holder[1] == first - 1))):
            chosen[namespace] = (first, last)
            continue
        for slot, value in ranked:
            if value < MIN_SPAN_SCORE:
                break
            if slot not in chosen:
                chosen[slot] = (first, last)
                break
    # A name said to be fine leaves its slot empty (the bot asks): no other name takes it,
    # since what is said of which name may be misread ("node-1 was fine until the upgrade;
    # node-2 is next to it. drain it": an attacker review).
    withheld = {slot for slot, (first, _) in chosen.items() if first in fine}
    for slot in withheld:
        del chosen[slot]
    taken = {i for first, last in chosen.values() for i in range(first, last + 1)} | fine
    for slot in sorted(required):  # a set: sorted, so the result never depends on hashing
        begin = vocab.index(f"B-{slot}")
        if slot in chosen or slot in withheld or begin is None or slot not in allowed:
            continue
        free = [i for i in range(len(words)) if i not in taken]
        if not free:
            break
        best = max(free, key=lambda i: float(q[i, begin]))
        if q[best, begin] >= MIN_FILL_SCORE and not (not by_place and _said_fine(
                words, best, best, list(chosen.values()))):
            # Not, for a change, a word said to be fine ("restart the others, api in billing
            # is fine": session 48's second review).
            chosen[slot] = (best, best)
            taken.add(best)
    for slot, (first, last) in chosen.items():
        if (types or {}).get(slot) == "duration":
            chosen[slot] = _whole_duration(words, first, last, taken)
    _lines_not_a_duration(chosen, words, types or {})
    for slot, (first, last) in chosen.items():
        start = first
        while start < last and words[start].text.lower() in _ARTICLES:
            start += 1  # "the latest tag" (step 10)
        chosen[slot] = (start, last)
    if by_place:
        _container_alone(chosen, words, types or {})
        if namespace is not None and namespace not in chosen:
            namespace_after_in(chosen, words, namespace)
    if namespace is not None:
        dotted_name(chosen, words, namespace, types or {}, fine, by_place=by_place)
    beside_at = None
    if (by_place or beside) and namespace is not None:
        unread = namespace not in chosen
        namespace_beside(chosen, words, namespace, types or {}, fine, swap=by_place)
        beside_at = chosen.get(namespace) if unread and not by_place else None
    if by_place and namespace is not None and not chosen:
        namespace_last(chosen, words, namespace)
    if namespace is not None:
        _called_namespace(chosen, words, namespace, types or {})
        object_before_namespace(chosen, words, namespace, types or {}, required=required,
                                fine=fine, by_place=by_place)
    spans: list[SlotSpan] = []
    for slot, (first, last) in chosen.items():
        start, end = norm.original_span(words[first].start, words[last].end)
        kind = (types or {}).get(slot, slot)
        bounds = _range(slot, original[start:end], original[:start], chosen, types or {})
        if bounds is not None:  # "hpa api 2-8" (step 11)
            for name, (a, b) in bounds.items():
                spans.append(SlotSpan(name, start + a, start + b, original[start + a:start + b]))
            continue
        if kind == "namespace":
            found = POSSESSIVE.search(original[start:end])
            end -= len(found.group(0)) if found else 0  # "prod's checkout-api" (step 8)
        elif kind in NAME_TYPES:
            # "web-frontend's image": a possessive is never part of a name (step 8).
            end -= _possessive_length(original[start:end], original[end:])
        spans.append(SlotSpan(slot, start, end, original[start:end]))
    placed = frozenset({namespace}) if (
        namespace is not None and beside_at is not None
        and chosen.get(namespace) == beside_at) else frozenset()
    return Decoded(tuple(sorted(spans, key=lambda s: (s.start, s.slot))), placed)


_KIND_SLOTS = {"deploy": "deployment", "deployment": "deployment", "deployments": "deployment",
               "deployment.apps": "deployment", "po": "pod", "pod": "pod", "pods": "pod",
               "cj": "cronjob", "cronjob": "cronjob", "cronjobs": "cronjob", "no": "node",
               "node": "node", "nodes": "node", "ns": "namespace", "namespace": "namespace"}
"""kubectl's kinds in `kind/name` and the slot type each names."""


def _kind_named(candidates: list[tuple[float, int, int, dict[str, float]]],
                words: Sequence[Word], allowed: Sequence[str],
                types: Mapping[str, str]) -> None:
    """A word kubectl's `kind/name` names ("deploy/imgresize") takes the slot of that kind,
    when the runbook has one and the model read no other word for it, whatever it scored
    this one (in place; step 12). Not over another word the model read for the slot: a
    `kind/name` in a clause of context names what to leave alone as often as the object
    ("restart orders but leave deploy/cart alone": an attacker review)."""
    for i in range(2, len(words)):
        kind = _KIND_SLOTS.get(words[i - 2].text.lower()) if words[i - 1].text == "/" else None
        slot = next((s for s in allowed if types.get(s, s) == kind), None)
        if slot is None or any(not c[1] <= i <= c[2] and max(c[3], key=c[3].__getitem__) == slot
                               for c in candidates if c[3]):
            continue
        at = next((n for n, c in enumerate(candidates) if c[1] <= i <= c[2]), None)
        scores = {s: 0.0 for s in allowed} if at is None else dict(candidates[at][3])
        scores[slot] = max(scores.values(), default=0.0) + CUE_BONUS
        if at is None:
            candidates.append((scores[slot], i, i, scores))
        else:
            candidates[at] = (scores[slot], candidates[at][1], candidates[at][2], scores)


_CONTAINER_WORDS = frozenset({"container", "containers", "-c", "--container", "sidecar",
                              "sidecars", "init", "initcontainer"})


def _container_alone(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                     types: Mapping[str, str]) -> None:
    """A container no word calls one is what is missing beside it (in place; step 13):
    the workload, when there is none ("logs from image-resizer in media" read as a
    container), else the namespace ("tail webhook-relay logs integrations")."""
    container = next((s for s, t in types.items() if t == "container"), None)
    if container is None or container not in chosen:
        return
    first, last = chosen[container]
    near = [*words[max(0, first - 2):first], *words[last + 1:last + 3]]
    if any(w.text.lower() in _CONTAINER_WORDS for w in near):
        return
    workloads = [s for s, t in types.items() if t in ("deployment", "pod")]
    deployment = next((s for s in workloads if types[s] == "deployment"), None)
    namespace = next((s for s, t in types.items() if t == "namespace"), None)
    if deployment is not None and not any(s in chosen for s in workloads):
        chosen[deployment] = chosen.pop(container)
    elif namespace is not None and namespace not in chosen:
        chosen[namespace] = chosen.pop(container)


_CLAUSE_BREAKS = frozenset({".", ",", ";", "!", "?", ":", "but", "and", "while", "since",
                            "because", "as", "-", "\u2014", "\u2013"})
_FINE = frozenset({"fine", "ok", "okay", "good", "healthy", "unaffected", "untouched",
                   "stable", "green", "normal", "happy", "safe"})
_NEGATORS = frozenset({"not", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt",
                       "weren't", "werent", "nothing", "none", "no", "never", "nobody"})
_AFFECTED = frozenset({"affected", "impacted", "involved", "touched", "broken", "wrong",
                       "down", "hit"})
_BE = frozenset({"is", "are", "looks", "look", "seems", "seem", "stays", "stay", "remains",
                 "remain", "'s", "s", "feels", "appears", "appear"})
"""Present tense only: what "was fine until the upgrade" says is that it is not now."""
_CONTRAST = frozenset({"but", "though", "although", "yet", "except", "until", "till",
                       "before", "however", "while", "whereas"})
"""A word after "fine" that takes it back ("looks healthy but users see 500s")."""
_SUBJECT_LEAD = frozenset({"everything", "nothing", "all", "anything", "stuff", "things",
                           "in", "on", "the", "of", "pods", "pod", "else", "also", "btw",
                           "fyi", "so", "whereas", "though", "meanwhile", "node", "namespace",
                           "deployment", "ns", "our", "my", "over", "there", "here", "now"})
"""Words that may come before a name that is the subject of its clause ("everything in
staging is fine"); a verb there ("restart api so that it is healthy") makes it an object."""


def _said_fine(words: Sequence[Word], first: int, last: int,
               others: Sequence[tuple[int, int]]) -> bool:
    """Whether words `first`..`last` name what the message rules out ("except in
    staging", "leave staging alone"), or the subject of a clause that says all is well
    there and names nothing else the model tagged ("restart checkout-api. everything in
    staging is fine", "..., nothing in staging is affected", "node-1 is fine"): that is no
    change's target (step 15; a probe: each planned the change there). A question ("is
    staging ok?") says nothing is well; a name the clause's verb acts on is its object
    ("restart api so that it is healthy")."""
    before = [w.text.lower() for w in words[max(0, first - 2):first]]
    if any(w in RULED_OUT_BEFORE for w in before) or _left_out(words, first, last):
        return True
    start = first
    while start > 0 and words[start - 1].text.lower() not in _CLAUSE_BREAKS:
        start -= 1
    own = _own_namespace(words, last)  # "calc-app -n prod is fine": the name's own scope
    end = own
    while end + 1 < len(words) and words[end + 1].text.lower() not in _CLAUSE_BREAKS:
        end += 1
    if (end + 1 < len(words) and words[end + 1].text == "?") or any(
            (start <= a <= end or start <= b <= end) and not last < a <= own
            for a, b in others):
        return False
    lead = [w.text.lower() for w in words[start:first]]
    after = [w.text.lower() for w in words[own + 1:end + 1]]
    if after in ([w] for w in _SET_ASIDE | _FINE) and all(w in _SUBJECT_LEAD for w in lead):
        # "restart all, api ns billing excluded", "api in billing ok, restart the rest";
        # not "api skipped the rollout"
        return True
    if lead[-1:] == ["leave"] and "alone" in after:
        return True
    if any(w not in _SUBJECT_LEAD for w in lead):
        return False
    be = next((i for i, w in enumerate(after) if w in _BE), len(after))
    said = after[be:]
    fine = next((be + i for i, w in enumerate(said) if w in _FINE), None)
    if fine is not None:
        # "orders is no longer healthy", "doesn't look ok": trouble, not that all is well
        # (an attacker review of the first version: the request's own object was dropped);
        # "looks healthy but users see 500s", "fine until the upgrade": taken back.
        following = words[end + 1].text.lower() if end + 1 < len(words) else ""
        return not (any(_negates(w) for w in lead + after[:fine])
                    or following in _CONTRAST
                    or any(w in _CONTRAST for w in after[fine + 1:]))
    return any(w in _NEGATORS for w in lead + said) and any(w in _AFFECTED for w in said)


_LEFT_OUT = (("other", "than"), ("apart", "from"), ("rather", "than"), ("instead", "of"),
             ("aside", "from"), ("save", "for"), ("minus",), ("except",), ("sans",),
             *((many, word) for many in ("everything", "all", "anything", "others",
                                         "deployments", "them")
               for word in ("but", "bar", "save")))
"""Words before a name that leave it out of a change of many ("restart everything other
than api", "... apart from api", "restart all but: api"): session 48's attacker review."""
_BETWEEN = frozenset({":", "-", ",", "the", "deployment", "deploy", "cronjob", "pod", "node",
                      "for"})
"""What may stand between those words and the name ("but: api", "other than the
deployment api")."""


def _left_out(words: Sequence[Word], first: int, last: int) -> bool:
    """Whether the words right before words `first`..`last` leave them out (`_LEFT_OUT`),
    unless the name is the subject of what follows ("we restarted everything but the api
    in billing is still stuck": "but" joins two clauses there)."""
    said = [w.text.lower() for w in words[max(0, first - 6):first]]
    while said and said[-1] in _BETWEEN:
        said.pop()
    if not any(tuple(said[-len(phrase):]) == phrase for phrase in _LEFT_OUT):
        return False
    end = _own_namespace(words, last) + 1
    following = []
    while end < len(words) and words[end].text.lower() not in _CLAUSE_BREAKS:
        following.append(words[end].text.lower())
        end += 1
    return not any(w in _BE or w in {"was", "were", "has", "had", "keeps", "still", "needs"}
                   for w in following)


_OWN_SCOPE = frozenset({"-n", "--namespace", "ns", "in", "(", "."})
_SET_ASIDE = frozenset({"excluded", "aside", "skipped", "exempt", "exempted", "spared",
                        "excepted"})
"""Words right after a name (and its namespace) that leave it out ("api excluded")."""


def _own_namespace(words: Sequence[Word], last: int) -> int:
    """The last word of a name's own namespace phrase right after it ("api -n billing",
    "api (billing)", "api.billing"), or `last` when there is none."""
    at = last + 1
    if (at + 1 < len(words) and words[at].text.lower() in _OWN_SCOPE
            and (words[at].text != "." or (words[at].start == words[last].end
                 and words[at + 1].start == words[at].end))):  # "api.billing", not a full stop
        end = at + 1
        if words[at].text == "(" and end + 1 < len(words) and words[end + 1].text == ")":
            end += 1
        return end
    return last


def _negates(word: str) -> bool:
    """Whether `word` denies what follows it ("not", "isn't", "no longer", "dont")."""
    return (word in _NEGATORS or word.endswith(("n't", "n\u2019t"))
            or word in {"longer", "hardly", "barely", "anything", "less", "far", "dont",
                        "doesnt", "didnt", "wont", "cant", "couldnt", "hasnt", "havent",
                        "shouldnt"})


_ARTICLES = frozenset({"the", "a", "an"})
_RANGE = re.compile(r"(\d+)\s*(?:-|\u2013|\u2014|\.\.)\s*(\d+)")


def _lines_not_a_duration(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                          types: Mapping[str, str]) -> None:
    """A duration that is a bare number goes to a free count of lines (in place; step
    10): no duration lacks its unit ("--tail=500" read as `since`)."""
    lines = next((s for s, t in types.items() if t == "lines" or s == "lines"), None)
    for slot, (first, last) in list(chosen.items()):
        if (types.get(slot) == "duration" and first == last and lines is not None
                and lines not in chosen and _NUMBER.fullmatch(words[first].text)
                and not _in_a_time(words, first)):
            chosen[lines] = chosen.pop(slot)


_TIME_BEFORE = frozenset({"since", "from", "after", "for", "past", "over", "at", "until"})


def _in_a_time(words: Sequence[Word], at: int) -> bool:
    """Whether the number at word `at` is part of a time or a duration: after "since"
    ("since 10 today": ten o'clock) or next to another part of a duration ("1 h 30 m")."""
    before = words[at - 1].text.lower() if at > 0 else ""
    after = words[at + 1].text if at + 1 < len(words) else ""
    return (before in _TIME_BEFORE or bool(_UNIT.fullmatch(before))
            or bool(_UNIT.fullmatch(after)) or bool(_NUMBER.fullmatch(before)))


_OTHER_QUANTITY = re.compile(r"\b(?:cpu|utili[sz]ation|util|usage|target|percent|load|"
                             r"memory|mem|latency|rps|qps|%)\W*(?:\w+\W+){0,3}$",
                             re.IGNORECASE)
"""Words just before a range that make it a range of something else than replicas."""


def _range(slot: str, value: str, before: str, chosen: Mapping[str, tuple[int, int]],
           types: Mapping[str, str]) -> dict[str, tuple[int, int]] | None:
    """The minimum's and the maximum's places in `value` when it is one word that gives
    both ("2-8", "3..9") for a slot of a min/max pair whose other slot is free; None
    otherwise (step 11). A range the wrong way round is left as read, and so is one the
    words just `before` it make a range of something else ("utilisation 70-90": an
    attacker review)."""
    bound = _dimension_values(slot).get(2)
    if bound not in ("min", "max"):
        return None
    other = slot.replace(bound, "max" if bound == "min" else "min")
    found = _RANGE.fullmatch(value)
    if found is None or other not in types or other in chosen:
        return None
    pair = {bound: slot, _dimension_values(other)[2]: other}
    if _OTHER_QUANTITY.search(before):
        return None  # "utilisation 70-90", "keep cpu at 40-60": no count of replicas
    if int(found.group(1)) > int(found.group(2)):
        return None
    return {pair["min"]: found.span(1), pair["max"]: found.span(2)}


_CALLED_NAMESPACE_BEFORE = frozenset({"namespace", "ns", "-n", "--namespace"})
_CALLED_NAMESPACE_AFTER = frozenset({"namespace", "ns"})


def _called_a_namespace(words: Sequence[Word], first: int, last: int,
                        named: Collection[int] = ()) -> bool:
    """Whether the words right around words `first`..`last` call them a namespace:
    "namespace X", "ns: X", "-n X", "X namespace", "X ns" (step 9). A cue right after
    another name (word indices `named`) and a colon is that name's: "payments namespace:
    checkout-api" calls payments the namespace, not checkout-api ("api namespace=billing"
    calls billing one)."""
    labelled = first > 0 and words[first - 1].text == ":"
    before = _cue_before(words, first)
    after = last + 1
    return ((before >= 0 and words[before].text.lower() in _CALLED_NAMESPACE_BEFORE
             and not (labelled and before - 1 in named))
            or (after < len(words) and words[after].text.lower() in _CALLED_NAMESPACE_AFTER))


def _called_namespace(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                      namespace: str, types: Mapping[str, str]) -> None:
    """Move a name its words call a namespace into the namespace slot, and what was there
    into the slot it left (in place; step 9)."""
    names = {slot: span for slot, span in chosen.items()
             if types.get(slot, slot) in NAME_TYPES or slot == namespace}
    named = {i for first, last in names.values() for i in range(first, last + 1)}
    if namespace in chosen and _called_a_namespace(words, *chosen[namespace], named):
        return
    called = [slot for slot, (first, last) in names.items()
              if slot != namespace and _called_a_namespace(words, first, last, named)]
    if len(called) != 1:
        return
    slot = called[0]
    held = chosen.get(namespace)
    chosen[namespace] = chosen.pop(slot)
    if held is not None:
        chosen[slot] = held


_OWN_PARTS = frozenset({
    "pod", "pods", "replica", "replicas", "image", "images", "tag", "version", "logs", "log",
    "rollout", "rollouts", "container", "containers", "status", "state", "health", "history",
    "revision", "revisions", "events", "memory", "cpu", "limit", "limits", "request",
    "requests", "resources", "autoscaler", "hpa", "schedule", "jobs", "job", "last",
    "current", "latest", "previous", "restarts", "deployment", "cronjob", "node",
})
"""What a possessive may be followed by and still be about the name itself ("api's pods",
"nightly-report's schedule"); anything else names another thing ("web-frontend's worker",
"the db's sidecar": an attacker review), and the value is left as written, which no name
validates."""


def _possessive_length(value: str, after: str) -> int:
    """How many characters of a possessive end `value`, when the word `after` it is one of
    the name's own parts (`_OWN_PARTS`); 0 otherwise."""
    found = POSSESSIVE.search(value)
    following = re.match(r"\s*([a-z]+)", after, re.IGNORECASE)
    if found is None or following is None or following.group(1).lower() not in _OWN_PARTS:
        return 0
    return len(found.group(0))
