"""Typed slot values, validated before any rendering.

A slot value arrives as untrusted text (from the model, the grammar, or a Slack modal).
Each slot type accepts a narrow shape and returns a typed value; everything else is refused
with a message that says what would be accepted. Values are data: they are passed to
templates as variables and never spliced into YAML or template text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from chatops.errors import SlotError
from chatops.quantities import (
    MI,
    QuantityError,
    describe_cpu,
    describe_memory,
    format_cpu,
    format_memory,
    parse_cpu,
    parse_memory,
)
from chatops.runbook.hygiene_words import corrected_phrase, hygiene_checks
from chatops.verbs import HYGIENE_CHECKS

MAX_RAW_LENGTH = 253

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_INTEGER = re.compile(r"^[0-9]{1,9}$")
_DURATION_PART = re.compile(
    r"(\d+)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)",
)
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# "an hour", "a day", "one minute": a single unit.
_ONE_UNIT = re.compile(
    r"^(?:an?|one)\s+(?=(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)$)")
_BARE_UNIT = re.compile(r"second|sec|minute|min|hour|hr|day|week")
# A version ("1.22", "v2.3.1"), or a commit's or build's tag ("sha-abc123", "git-3f9c2d1",
# "build-1234": a user trial's "pin search-indexer to sha-abc123" was "no tag").
_BARE_TAG = re.compile(r"^(?:v?[0-9][A-Za-z0-9_.-]{0,127}|(?:sha|git|commit|build|rev)[-_.]?"
                       r"(?=[a-z0-9]*[0-9])[a-z0-9]{4,64})$")
# The reference grammar of the distribution spec: [domain[:port]/]path[:tag][@digest].
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*(?::[0-9]+)?/)?"
_IMAGE = re.compile(
    rf"^{_DOMAIN}{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$"
)

@dataclass(frozen=True)
class ReplicaExpr:
    """A replica count as the user said it: absolute, a delta, a percentage or a factor.

    Relative forms are resolved against the deployment's current count at plan time.
    Results round up, so "half of 5" keeps 3 pods rather than 2: under-provisioning is the
    worse surprise during an incident.
    """

    op: Literal["set", "add", "percent", "factor"]
    amount: float

    @property
    def relative(self) -> bool:
        """Whether the count depends on the current number of replicas."""
        return self.op != "set"

    def resolve(self, current: int) -> int:
        """The absolute replica count this expression means when `current` are running."""
        if self.op == "set":
            return int(self.amount)
        if self.op == "add":
            return current + int(self.amount)
        if self.op == "percent":
            return math.ceil(current * (1 + self.amount / 100))
        return math.ceil(current * self.amount)

    def __str__(self) -> str:
        if self.op == "set":
            return str(int(self.amount))
        if self.op == "add":
            return f"{int(self.amount):+d}"
        if self.op == "percent":
            return f"{int(self.amount):+d}%"
        names: dict[float, str] = {2: "double", 3: "triple"}
        return names.get(self.amount, "half")


@dataclass(frozen=True)
class Bounds:
    """Inclusive bounds that a runbook declares for a numeric slot."""

    minimum: int | None = None
    maximum: int | None = None

    def check(self, slot: str, value: int, what: str = "value") -> int:
        """Return `value` if it lies within the bounds, else refuse it."""
        if self.minimum is not None and value < self.minimum:
            raise SlotError(slot, f"{what} {value} is below the minimum of {self.minimum}.")
        if self.maximum is not None and value > self.maximum:
            raise SlotError(slot, f"{what} {value} is above the maximum of {self.maximum}.")
        return value


def _clean(slot: str, raw: str) -> str:
    value = raw.strip()
    if not value:
        raise SlotError(slot, "the value is empty.", "Give a value.")
    if len(value) > MAX_RAW_LENGTH:
        raise SlotError(slot, f"the value is {len(value)} characters long; at most "
                        f"{MAX_RAW_LENGTH} are accepted.")
    if any(ch in value for ch in "\n\r\t\x00") or not value.isprintable():
        raise SlotError(slot, "the value contains control characters or line breaks.")
    return value


def _name(slot: str, raw: str, kind: str, *, subdomain: bool, max_len: int) -> str:
    value = _clean(slot, raw).lower()
    pattern = _DNS_SUBDOMAIN if subdomain else _DNS_LABEL
    if len(value) > max_len or not pattern.match(value):
        raise SlotError(
            slot,
            f"{raw.strip()[:60]!r} is not a valid {kind} name.",
            f"A {kind} name has at most {max_len} lower-case letters, digits and '-'"
            + (" or '.'" if subdomain else "")
            + ", starting and ending with a letter or digit.",
        )
    return value


def _integer(slot: str, raw: str, bounds: Bounds) -> int:
    value = _clean(slot, raw)
    if not _INTEGER.match(value):
        raise SlotError(slot, f"{value[:60]!r} is not a whole number.")
    return bounds.check(slot, int(value))


_NUMBER_WORDS = {word: str(n) for n, word in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
     "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
     "eighteen", "nineteen", "twenty"))}
_NUMBER = r"(?:[0-9]{1,6}|" + "|".join(_NUMBER_WORDS) + ")"
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")


def parse_replicas(slot: str, raw: str, bounds: Bounds) -> ReplicaExpr:
    """Parse a replica count or change into a `ReplicaExpr`.

    Accepted: `5`; `+2`, `-1`, `2 more`, `1 fewer`, `up by 2`, `down by 1`; `+50%`, `-25%`,
    `by 50%`, `up by 50%`, `down by 50%`; `double`, `triple`, `half`; numbers in words up to twenty
    (`one more`, `up by three`). A bare `50%` or `by 2` is refused: the direction would be
    a guess.
    """
    value = " ".join(_clean(slot, raw).lower().split())
    value = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1)], value)
    if _INTEGER.match(value):
        return ReplicaExpr("set", bounds.check(slot, int(value), "replica count"))
    if match := re.fullmatch(r"([+-]) ?([0-9]{1,6})", value):
        sign = 1 if match.group(1) == "+" else -1
        return ReplicaExpr("add", sign * int(match.group(2)))
    if match := re.fullmatch(r"([0-9]{1,6}) (more|fewer|less)", value):
        sign = 1 if match.group(2) == "more" else -1
        return ReplicaExpr("add", sign * int(match.group(1)))
    if match := re.fullmatch(r"(up|down) by ([0-9]{1,6})", value):
        sign = 1 if match.group(1) == "up" else -1
        return ReplicaExpr("add", sign * int(match.group(2)))
    if match := re.fullmatch(r"(?:(up |down )?by |([+-]) ?)([0-9]{1,3}) ?%", value):
        down = match.group(1) == "down " or match.group(2) == "-"
        return ReplicaExpr("percent", (-1 if down else 1) * int(match.group(3)))
    if value in {"double", "twice", "x2"}:
        return ReplicaExpr("factor", 2)
    if value in {"triple", "thrice", "x3"}:
        return ReplicaExpr("factor", 3)
    if value in {"half", "halve"}:
        return ReplicaExpr("factor", 0.5)
    raise SlotError(
        slot,
        f"{value[:60]!r} is not a replica count.",
        "Use a number (5), a change (+2, -1, 2 more, down by 1), a percentage (by 50%, "
        "-25%), double or half.",
    )


_BARE_BY = re.compile(rf"by ({_NUMBER}) ?(%?)")
_UP_VERBS = frozenset({"increase", "raise", "bump", "add", "grow", "boost", "expand",
                       "upscale", "upsize"})
_DOWN_VERBS = frozenset({"reduce", "decrease", "lower", "cut", "shrink", "trim", "drop",
                         "downscale", "downsize"})
_MOVERS = frozenset({"scale", "bring", "turn", "dial", "ramp", "take", "spin", "size", "go"})
"""Verbs whose particle gives the direction ("scale down", "bring it up"); "is down" or
"went up" are states, not orders."""
_CLAUSE_BREAK = re.compile(r"[.!?;:,]\s|\b(?:but|however|though|although|while|because|"
                           r"since|yesterday|earlier|ago)\b")
_WORD_EDGES = "\"'`*_()[]{}<>"


def directed_replicas(raw: str, text: str, names: Collection[str] = (), *,
                      slot: str = "replicas") -> str:
    """A bare `by N` / `by N%` replica value with the direction its message gives it.

    The model spans the value ("by 2") and leaves the verb ("reduce", "scale down")
    outside it; alone, a bare "by 2" is refused and a bare "by 50%" reads as up, which
    turned "reduce X by 50%" into a scale-up. Only the words of the value's own clause
    before it count (back to the last sentence or clause break), never the words of the
    request's `names` or of any hyphenated or numbered token ("sign-up-api" says no "up"),
    and "up"/"down" only after a verb that moves ("scale down", not "is down"). One
    direction there decides; none, or the value found other than once, leaves `raw` as it
    is; both directions are refused.
    """
    value = " ".join(raw.lower().split())
    match = _BARE_BY.fullmatch(value)
    if match is None:
        return raw
    number, percent = match.group(1), match.group(2)
    flat = " ".join(text.lower().split())
    pattern = rf"(?<![\w.])by {number}" + (" ?%" if percent else "") + r"(?![\w%.])"
    found = list(re.finditer(pattern, flat))
    if len(found) != 1:
        return raw
    before = flat[:found[0].start()]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    skip = {n.lower() for n in names}
    words = [w for w in (t.strip(_WORD_EDGES) for t in clause.split())
             if w and w not in skip and w.isalpha()]
    ways = set()
    for i, word in enumerate(words):
        if word in _UP_VERBS or word in _DOWN_VERBS:
            ways.add("up" if word in _UP_VERBS else "down")
        elif word in ("up", "down") and _MOVERS.intersection(words[max(0, i - 3):i]):
            ways.add(word)
    if len(ways) > 1:
        raise SlotError(slot, f"{raw.strip()[:60]!r}: the message says both up and down.",
                        f"Say up by {number}{percent} or down by {number}{percent}.")
    return f"{ways.pop()} by {number}{percent}" if ways else raw


_CUT_SHORT = re.compile(r"(?:up |down )?by")
_CHANGED_BY = frozenset({"more", "fewer", "less"})
_ADDS = frozenset({"add", "adding", "plus"})
_TAKES = frozenset({"remove", "removing", "take", "taking", "drop", "subtract", "minus"})
_REPLICA_NOUN = (r"\s+(?:more\s+|extra\s+|additional\s+)?(?:replicas?|pods?|instances?|"
                 r"copies|copy)\b")
"""What follows a number that counts replicas ("2 more pods")."""
_COUNTED = re.compile(_REPLICA_NOUN)
_COUNT_CHANGE = re.compile(r"\b(?:" + "|".join(sorted(_ADDS | _TAKES))
                           + r")\s+(?:the\s+|another\s+)?(" + _NUMBER + ")" + _REPLICA_NOUN)
_MOVING = _MOVERS | _UP_VERBS | _DOWN_VERBS
_CLAUSE_PUNCTUATION = re.compile(r"[,;.!?:]\s")
_OTHER_CHANGE = re.compile(r"\b(?:up|down) by " + _NUMBER + r"\b|\b" + _NUMBER
                           + r" (?:more|fewer|less)\b")


def counted_replicas(raw: str, text: str, names: Collection[str] = ()) -> str:
    """A replica value read with the words the model left outside it.

    The model spans a number alone where the words around it make it a change: "add 1
    replica to api" (+1, not 1 replica), "remove 2 replicas" (-2), "take one replica
    away", "scale api up by one" ("up by one", not 1 replica), "bring api down one
    replica"; and it cuts a value short: "down by" without its "one", "more" without its
    "2". Only the value's own clause counts, and only the words right before the number
    (never after "to"). A count said twice while the message changes it, a message that
    changes the count twice ("remove the 2 extra pods and add 3 replicas"), or a count
    that is also a name of the request, is refused: no reading is safe. Anything else is
    `raw` as it was.
    """
    value = " ".join(raw.lower().split())
    flat = " ".join(text.lower().split())
    if _CUT_SHORT.fullmatch(value):
        found = list(re.finditer(rf"(?<![\w-]){value} ({_NUMBER})(?![\w.%-])", flat))
        return f"{value} {found[0].group(1)}" if len(found) == 1 else raw
    if value in _CHANGED_BY:
        found = list(re.finditer(rf"(?<![\w.-])({_NUMBER}) {value}(?![\w-])", flat))
        return f"{found[0].group(1)} {value}" if len(found) == 1 else raw
    if not re.fullmatch(_NUMBER, value):
        return raw
    if value in {n.lower() for n in names}:
        raise SlotError("replicas", f"{value!r} is both the count and a name in this request.",
                        "Say the count in digits: to 3, +1, down by 2.")
    changes = list(_COUNT_CHANGE.finditer(flat))
    found = list(re.finditer(rf"(?<![\w.+-]){value}(?![\w.%-])", flat))
    if len(changes) > 1 or (changes and len(found) != 1):
        raise SlotError("replicas", "the message says more than one change of the count.",
                        "Ask for one change: +1, -2, to 3, down by 2.")
    if len(found) != 1:
        return raw
    start = found[0].start()
    breaks = list(_CLAUSE_PUNCTUATION.finditer(flat, 0, start))
    clause = flat[breaks[-1].end() if breaks else 0:start].split()
    before = clause[-2:]
    last = before[-1] if before else ""
    if last == "to":
        if _OTHER_CHANGE.search(flat):
            # "is down to 1 pod, scale it up by 2": the count is a state, the change is
            # elsewhere.
            raise SlotError("replicas", "the message gives both a count and a change of it.",
                            "Ask for one: to 3, +2, up by 2.")
        return raw
    way = last if last in ("up", "down") else (
        before[0] if last == "by" and len(before) == 2 and before[0] in ("up", "down") else "")
    if way and not _MOVING.intersection(clause[-6:-2 if last == "by" else -1]):
        # "is down 2 pods", "we are down by 2": a state, not the direction of an order.
        raise SlotError("replicas", f"'{way}' next to the count says no change of it.",
                        "Ask for the change itself: scale it up by 2, to 5.")
    if last == "by" or way:
        return f"{way} by {value}".strip()
    if not _COUNTED.match(flat, found[0].end()):
        return raw
    if _ADDS.intersection(before):
        return f"+{value}"
    if _TAKES.intersection(before):
        return f"-{value}"
    return raw


def directed(types: Mapping[str, str], slots: Mapping[str, str], text: str) -> dict[str, str]:
    """`slots` with each replica value read with the words of `text` around it: a count
    added or taken away, a value cut short (`counted_replicas`), a bare `by N` directed
    ("reduce X by 50%", `directed_replicas`); the request's other values are never read
    as words."""
    names = [v for k, v in slots.items() if types.get(k) != "replicas"]
    return {k: directed_replicas(counted_replicas(v, text, names), text, names, slot=k)
            if types.get(k) == "replicas" else v for k, v in slots.items()}


def as_typed(types: Mapping[str, str], slots: Mapping[str, str], text: str) -> dict[str, str]:
    """Raw slot values read as a request's are, whatever path it came by: names lower-cased
    (`lower_names`), a bare "by N" directed by its message (`directed`)."""
    return directed(types, lower_names(types, slots), text)


def resolve_replicas(slot: str, expr: ReplicaExpr, current: int | None, bounds: Bounds) -> int:
    """Turn a replica expression into a bounded absolute count."""
    if expr.relative and current is None:
        raise SlotError(
            slot,
            f"{expr} is a change relative to the current count, which is not known here.",
            "Give an absolute number, or ask in chat where the current count is looked up.",
        )
    target = expr.resolve(current or 0)
    if expr.relative and target < 0:
        raise SlotError(slot, f"{expr} from {current} replicas would be {target}.")
    return bounds.check(slot, target, "replica count")


def parse_duration(slot: str, raw: str, bounds: Bounds) -> int:
    """Parse `10m`, `1h30m`, `90s`, `2 hours`, or one unit (`an hour`, `a day`, or a bare
    `hour` as in "the last hour") into seconds."""
    value = _clean(slot, raw).lower().replace(" and ", " ")
    value = _ONE_UNIT.sub("1 ", value)
    if _BARE_UNIT.fullmatch(value):
        value = f"1 {value}"
    pos = 0
    total = 0
    for match in _DURATION_PART.finditer(value):
        if value[pos : match.start()].strip():
            break
        total += int(match.group(1)) * _DURATION_UNITS[match.group(2)[0]]
        pos = match.end()
    if pos == 0 or value[pos:].strip():
        raise SlotError(slot, f"{value[:60]!r} is not a duration.",
                        "Use forms like 10m, 2h or 1h30m.")
    return bounds.check(slot, total, "duration in seconds")


def parse_image(slot: str, raw: str) -> str:
    """Accept a full image reference with a tag or digest, or a bare tag such as `1.22`."""
    value = _clean(slot, raw)
    if _BARE_TAG.match(value) and "/" not in value and ":" not in value:
        return value
    match = _IMAGE.match(value)
    if not match:
        raise SlotError(
            slot,
            f"{value[:60]!r} is not an image reference.",
            "Use repository:tag (nginx:1.25, ghcr.io/acme/api:v2.3.1) or a bare tag (1.22).",
        )
    if match.group(1) is None and match.group(2) is None:
        # An untagged image silently means :latest, which is how bad rollouts happen.
        raise SlotError(slot, f"{value!r} has no tag.", f"Name the tag, e.g. {value}:1.25.")
    return value


def parse_enum(slot: str, raw: str, choices: tuple[str, ...]) -> str:
    """Accept one of `choices` (case-insensitive)."""
    value = _clean(slot, raw).lower()
    if value not in choices:
        raise SlotError(slot, f"{value[:60]!r} is not one of {', '.join(choices)}.")
    return value


def parse_hygiene_check(slot: str, raw: str) -> str:
    """Turn a phrase naming pod hygiene checks ("no memory limits", "probes", ":latest",
    "registries outside our list", or a canonical name such as `memory-limits`) into the
    canonical check names, comma-separated in report order; refuse anything else."""
    value = _clean(slot, raw).lower()
    checks = hygiene_checks(value)
    if checks is None:
        near = corrected_phrase(value)
        guess = f" Did you mean {near!r}?" if near else ""
        raise SlotError(
            slot,
            f"{value[:60]!r} is not a pod hygiene check.{guess}",
            f"Checks: {', '.join(HYGIENE_CHECKS)}; or name none to run them all.",
        )
    return checks


UNSET = "none"
"""The value of a `cpu` or `memory` slot that removes the request or limit."""


def parse_resource(slot: str, raw: str, kind: Literal["cpu", "memory"], bounds: Bounds) -> str:
    """A CPU (`250m`, `0.5`, `2`) or memory (`256Mi`, `1Gi`) amount in its canonical
    Kubernetes form, or `none` (remove it). The runbook's bounds are millicores for `cpu`
    and MiB for `memory`."""
    value = _clean(slot, raw)
    if value.lower() in {UNSET, "unset", "remove", "no limit"}:
        return UNSET
    try:
        amount = parse_cpu(value) if kind == "cpu" else parse_memory(value)
    except QuantityError as e:
        raise SlotError(slot, e.message, e.hint) from None
    unit = 1 if kind == "cpu" else MI
    show = describe_cpu if kind == "cpu" else describe_memory
    if amount <= 0:
        raise SlotError(slot, f"{value!r} is zero.", "To remove it, say none.")
    if bounds.minimum is not None and amount < bounds.minimum * unit:
        hint = f"Did you mean {value}Mi?" if kind == "memory" and value.isdigit() else ""
        raise SlotError(slot, f"{show(amount)} is below the minimum of "
                        f"{show(bounds.minimum * unit)} this runbook allows.", hint)
    if bounds.maximum is not None and amount > bounds.maximum * unit:
        raise SlotError(slot, f"{show(amount)} is above the maximum of "
                        f"{show(bounds.maximum * unit)} this runbook allows.")
    return format_cpu(amount) if kind == "cpu" else format_memory(amount)


@dataclass(frozen=True)
class SlotType:
    """A slot type the catalogue may declare; `resource` names the Kubernetes kind it refers to."""

    name: str
    description: str
    resource: str | None = None
    numeric: bool = False


SLOT_TYPES: dict[str, SlotType] = {
    t.name: t
    for t in (
        SlotType("namespace", "a namespace name (DNS-1123 label)", resource="namespace"),
        SlotType("deployment", "a deployment name (DNS-1123 subdomain)", resource="deployment"),
        SlotType("pod", "a pod name (DNS-1123 subdomain)", resource="pod"),
        SlotType("node", "a node name (DNS-1123 subdomain)", resource="node"),
        SlotType("cronjob", "a cronjob name (DNS-1123 subdomain, at most 52 characters)",
                 resource="cronjob"),
        SlotType("container", "a container name (DNS-1123 label)", resource="container"),
        SlotType("integer", "a bounded whole number", numeric=True),
        SlotType("replicas", "a replica count or change: 5, +2, -1, by 50%, double, half",
                 numeric=True),
        SlotType("image", "an image reference with a tag, or a bare tag", resource=None),
        SlotType("duration", "a duration such as 10m or 1h30m, in seconds", numeric=True),
        SlotType("lines", "a number of log lines", numeric=True),
        SlotType("enum", "one of a fixed list of words"),
        SlotType("cpu", "a CPU amount: 250m, 0.5, 2 (cores), or none", numeric=True),
        SlotType("memory", "a memory amount: 256Mi, 1Gi, 500M, or none", numeric=True),
        SlotType("hygiene_check", "a pod hygiene check: memory limits, probes, :latest, "
                 "registry, privileged, tty, hostpath, run as root, limit ratio, ..."),
    )
}

NAME_TYPES = frozenset(t.name for t in SLOT_TYPES.values() if t.resource)
"""Slot types that name a Kubernetes object (namespace, deployment, pod, ...)."""


def lower_names(types: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """`values` with the names of Kubernetes objects in lower case (`types`: each slot's
    type). The API allows no capitals in these names, so "PROD", "Dev" or "NODE-3" can
    only mean prod, dev and node-3; matched as typed, they were "not found"."""
    return {name: (value.lower() if types.get(name) in _NAME_LIMITS else value)
            for name, value in values.items()}


_NAME_LIMITS = {
    "namespace": (False, 63),
    # A deployment's or cronjob's name is a DNS-1123 subdomain ("web.v2"): the API takes
    # dots there, and refusing one the cluster has, after offering it, helped nobody.
    "deployment": (True, 253),
    "container": (False, 63),
    "cronjob": (True, 52),
    "pod": (True, 253),
    "node": (True, 253),
}


def parse_slot(
    slot: str,
    slot_type: str,
    raw: str,
    bounds: Bounds = Bounds(),
    choices: tuple[str, ...] = (),
) -> str | int | ReplicaExpr:
    """Validate one raw slot value against its declared type and return the typed value."""
    if not isinstance(raw, str):
        raise SlotError(slot, "the value must be text.")
    if slot_type in _NAME_LIMITS:
        subdomain, max_len = _NAME_LIMITS[slot_type]
        return _name(slot, raw, slot_type, subdomain=subdomain, max_len=max_len)
    if slot_type in {"integer", "lines"}:
        return _integer(slot, raw, bounds)
    if slot_type == "replicas":
        return parse_replicas(slot, raw, bounds)
    if slot_type == "duration":
        return parse_duration(slot, raw, bounds)
    if slot_type == "image":
        return parse_image(slot, raw)
    if slot_type == "enum":
        return parse_enum(slot, raw, choices)
    if slot_type == "hygiene_check":
        return parse_hygiene_check(slot, raw)
    if slot_type in {"cpu", "memory"}:
        return parse_resource(slot, raw, "cpu" if slot_type == "cpu" else "memory", bounds)
    raise SlotError(slot, f"unknown slot type {slot_type!r}.")
