"""Frozen value types that cross layer boundaries.

Every layer may import this module; it imports nothing from the project. Surfaces turn
payloads into these, the conversation service passes them to the domain, and the executor
receives `Plan`/`Step` and returns results built from them. Raw Slack dicts and raw
Kubernetes objects never appear here.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar

ParamValue = str | int | bool | None
"""A rendered step parameter: always a scalar, never structure built from user text."""


class Risk(enum.StrEnum):
    """How much harm a runbook can do; the policy decides approvals from it."""

    READ = "read"
    WRITE = "write"
    CRITICAL = "critical"


META_INTENTS: tuple[str, ...] = ("help", "cancel", "confirm", "deny", "undo")
"""Intents the conversation handles itself; no runbook carries these names."""

OUT_OF_SCOPE = "oos"
"""The intent for anything the catalogue cannot do."""


K = TypeVar("K")
V = TypeVar("V")


def frozen_map(values: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """Return a read-only copy of `values`, so frozen dataclasses stay frozen."""
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class Message:
    """One thing a person (or an alert) said to the bot, whatever the surface."""

    user: str
    text: str
    channel: str = "console"
    thread: str | None = None
    ts: str | None = None
    source: Literal["slack", "console", "alert", "cli"] = "console"
    event_id: str | None = None
    groups: tuple[str, ...] = ()
    """The sender's chat user groups (Slack user groups), which the policy maps to identities."""
    pasted: str = ""
    """What the person pasted around their words (terminal output, logs, an alert), kept
    out of `text` so that none of it is read as the request (`conversation/pasted.py`)."""
    whole: str = ""
    """The message as sent, when `text` is only the person's own words of it."""


@dataclass(frozen=True)
class SlotSpan:
    """Where a slot value was found in the user's original text (character offsets)."""

    slot: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ParsedIntent:
    """What the grammar or the model understood: an intent, raw slot strings, and certainty.

    Slot values are still untrusted text here; the runbook engine validates them.
    `alternatives` holds the next-best intents with their scores, best first. `placed`
    names the slots read by a name's place alone (the namespace right after a change's
    object: "pause invoice-rollup billing"), which the conversation keeps only where the
    cluster bears them out.
    """

    intent: str
    slots: Mapping[str, str] = field(default_factory=frozen_map)
    confidence: float = 1.0
    alternatives: tuple[tuple[str, float], ...] = ()
    source: Literal["grammar", "model"] = "model"
    spans: tuple[SlotSpan, ...] = ()
    placed: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozen_map(self.slots))

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly view, as `chatops nlu parse --json` prints it."""
        return {
            "intent": self.intent,
            "slots": dict(self.slots),
            "confidence": round(self.confidence, 4),
            "alternatives": [
                {"intent": name, "confidence": round(score, 4)}
                for name, score in self.alternatives
            ],
        }


@dataclass(frozen=True)
class Step:
    """One call from the fixed verb set, with rendered, typed scalar parameters."""

    verb: str
    params: Mapping[str, ParamValue] = field(default_factory=frozen_map)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", frozen_map(self.params))

    def to_json(self) -> dict[str, Any]:
        """A canonical JSON view (the plan hash is computed over it)."""
        return {"verb": self.verb, "params": dict(sorted(self.params.items()))}


@dataclass(frozen=True)
class UndoRef:
    """How to reverse a run: another runbook and its slot templates.

    The templates may refer to `before.<field>`, values the executor observed just before
    the change, so "undo" after a scale restores the old replica count.
    """

    runbook: str
    slots: Mapping[str, str] = field(default_factory=frozen_map)
    warning: str = ""
    """A template, like the slots: what to tell the person before they approve the undo."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozen_map(self.slots))


@dataclass(frozen=True)
class Plan:
    """A rendered runbook: exactly what will be sent to the cluster, in order."""

    runbook: str
    risk: Risk
    slots: Mapping[str, ParamValue]
    steps: tuple[Step, ...]
    verify: tuple[Step, ...] = ()
    explanation: str = ""
    undo: UndoRef | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozen_map(self.slots))

    @property
    def mutating(self) -> bool:
        """Whether the plan changes anything (the risk level says so)."""
        return self.risk is not Risk.READ

    def to_json(self) -> dict[str, Any]:
        """A canonical JSON view of what will run."""
        return {
            "runbook": self.runbook,
            "risk": self.risk.value,
            "slots": dict(sorted(self.slots.items())),
            "steps": [step.to_json() for step in self.steps],
            "verify": [step.to_json() for step in self.verify],
        }

    def to_record(self) -> dict[str, Any]:
        """Everything needed to rebuild the plan later (`Plan.from_record`)."""
        return {
            **self.to_json(),
            "explanation": self.explanation,
            "undo": {"runbook": self.undo.runbook, "slots": dict(self.undo.slots),
                     **({"warning": self.undo.warning} if self.undo.warning else {})}
            if self.undo else None,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Plan:
        """Rebuild a plan stored with `to_record`; the digest comes out the same."""
        undo = data.get("undo")
        return cls(
            runbook=data["runbook"],
            risk=Risk(data["risk"]),
            slots=data["slots"],
            steps=tuple(Step(s["verb"], s["params"]) for s in data["steps"]),
            verify=tuple(Step(s["verb"], s["params"]) for s in data["verify"]),
            explanation=data.get("explanation", ""),
            undo=UndoRef(undo["runbook"], undo["slots"], undo.get("warning", ""))
            if undo else None,
        )

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical plan; an approval is bound to this exact value."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    """A Kubernetes identity the executor impersonates: a user name and its groups."""

    user: str
    groups: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.user} ({', '.join(self.groups)})" if self.groups else self.user
