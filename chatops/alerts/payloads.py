"""Alerts as they arrive: Alertmanager's webhook JSON, or an alert bot's chat message.

Both become `Alert` values. Anything malformed raises `AlertPayloadError`, whose message
is safe to return to the sender (a 4xx body or a short note in the channel).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from chatops.errors import ChatOpsError
from chatops.model import frozen_map

MAX_ALERTS = 1000
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,127}$")


class AlertPayloadError(ChatOpsError):
    """The payload is not a usable alert; the message says why."""


@dataclass(frozen=True)
class Alert:
    """One alert: its identity (fingerprint), state, labels and annotations."""

    fingerprint: str
    status: Literal["firing", "resolved"]
    labels: Mapping[str, str] = field(default_factory=frozen_map)
    annotations: Mapping[str, str] = field(default_factory=frozen_map)
    group: str = ""
    starts_at: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", frozen_map(self.labels))
        object.__setattr__(self, "annotations", frozen_map(self.annotations))

    @property
    def name(self) -> str:
        """The alert's name (its `alertname` label)."""
        return self.labels.get("alertname", "unnamed alert")

    @property
    def group_key(self) -> str:
        """What folds alerts into one thread: the Alertmanager group, else the fingerprint."""
        return self.group or self.fingerprint


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable fingerprint of a label set (Alertmanager sends its own; bots don't)."""
    blob = json.dumps(dict(sorted(labels.items())), separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _labels(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise AlertPayloadError(f"{where} must be an object of strings")
    out = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _LABEL.match(key) or not isinstance(value, str):
            raise AlertPayloadError(f"{where} has a bad label {str(key)[:40]!r}")
        out[key] = value[:1024]
    return out


def parse_alertmanager(body: bytes) -> list[Alert]:
    """Parse an Alertmanager webhook (version 4) body into alerts."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AlertPayloadError("the body is not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("alerts"), list):
        raise AlertPayloadError("expected Alertmanager's webhook JSON with an `alerts` list")
    if len(data["alerts"]) > MAX_ALERTS:
        raise AlertPayloadError(f"at most {MAX_ALERTS} alerts per request")
    group = data.get("groupKey") if isinstance(data.get("groupKey"), str) else ""
    common = _labels(data.get("commonLabels"), "commonLabels")
    alerts = []
    for i, raw in enumerate(data["alerts"]):
        if not isinstance(raw, dict):
            raise AlertPayloadError(f"alerts[{i}] must be an object")
        labels = {**common, **_labels(raw.get("labels"), f"alerts[{i}].labels")}
        if "alertname" not in labels:
            raise AlertPayloadError(f"alerts[{i}] has no alertname label")
        status = raw.get("status", data.get("status"))
        if status not in ("firing", "resolved"):
            raise AlertPayloadError(f"alerts[{i}].status must be firing or resolved")
        fp = raw.get("fingerprint")
        if not isinstance(fp, str) or not re.fullmatch(r"[0-9a-zA-Z]{1,64}", fp):
            fp = fingerprint(labels)
        alerts.append(Alert(fingerprint=fp, status=status, labels=labels,
                            annotations=_labels(raw.get("annotations"),
                                                f"alerts[{i}].annotations"),
                            group=str(group)[:256], starts_at=str(raw.get("startsAt", ""))[:40]))
    return alerts


_STATUS = re.compile(r"\[(FIRING|RESOLVED)(?::\d+)?\]", re.IGNORECASE)
_PAIR = re.compile(r"\b([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*\"?([A-Za-z0-9_.:/@-]+)\"?")
_BULLET = re.compile(r"\*?([a-zA-Z_][a-zA-Z0-9_]*):?\*?:?\s*`([^`]+)`")


def parse_bot_message(text: str) -> list[Alert]:
    """Parse an alert bot's message (Alertmanager's Slack notification) into alerts.

    Understood: a `[FIRING:n]` / `[RESOLVED]` marker, the alert name as the first word
    after it, and labels written `key=value` or as `*key:* `value`` bullets.
    """
    status_match = _STATUS.search(text)
    if status_match is None:
        raise AlertPayloadError("no [FIRING] or [RESOLVED] marker in the message")
    status: Literal["firing", "resolved"] = (
        "firing" if status_match.group(1).upper() == "FIRING" else "resolved")
    rest = text[status_match.end():].strip()
    labels: dict[str, str] = {}
    for key, value in [*_BULLET.findall(text), *_PAIR.findall(text)]:
        labels.setdefault(key, value)
    first = re.match(r"[A-Za-z][A-Za-z0-9_]*", rest)
    if "alertname" not in labels and first:
        labels["alertname"] = first.group(0)
    if "alertname" not in labels:
        raise AlertPayloadError("the message names no alert")
    return [Alert(fingerprint=fingerprint(labels), status=status, labels=_labels(labels,
                                                                                   "labels"))]
