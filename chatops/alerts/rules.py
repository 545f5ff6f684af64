"""Alert rules as data: which read-only runbooks to run at once and which fix to propose.

    diagnostics_identity: {user: "chatops:alerts", groups: ["chatops:viewers"]}
    preview_identity: {user: "chatops:alerts-preview", groups: ["chatops:previewers"]}
    burst: {posts: 30, per_seconds: 60}
    outbox: {per_channel: 200, total: 2000, max_attempts: 6}
    rules:
      - name: crash-looping pod
        match: {alertname: KubePodCrashLooping}        # every label must equal
        match_re: {severity: "critical|warning"}       # optional regular expressions
        diagnostics: [diagnose, recent_events]
        remediation: restart_deployment

Slot values come from labels of the same name (`namespace`, `deployment`, `pod`, `node`,
`cronjob`); a `pod` label also gives the owning deployment when the catalogue needs one.

`outbox` bounds the posts waiting to go out (a batch that would pass a bound is refused
whole) and how often one post is tried before it is given up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chatops.errors import ChatOpsError
from chatops.model import Identity, Risk, frozen_map
from chatops.runbook.catalogue import Catalogue

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


class AlertRulesError(ChatOpsError):
    """The alert rules file is malformed; the message names the rule and field."""


@dataclass(frozen=True)
class AlertRule:
    """One rule: a label match, diagnostics to run, a remediation to propose."""

    name: str
    match: Mapping[str, str] = field(default_factory=frozen_map)
    match_re: Mapping[str, re.Pattern[str]] = field(default_factory=frozen_map)
    diagnostics: tuple[str, ...] = ()
    remediation: str | None = None

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether an alert with `labels` falls under this rule."""
        return (all(labels.get(k) == v for k, v in self.match.items())
                and all(p.fullmatch(labels.get(k, "")) for k, p in self.match_re.items()))


@dataclass(frozen=True)
class OutboxLimits:
    """How many posts may wait, per channel and in all, and how often each is tried."""

    per_channel: int = 200
    total: int = 2000
    max_attempts: int = 6


@dataclass(frozen=True)
class AlertRules:
    """All rules, the identity diagnostics run as, and the per-channel burst limit."""

    rules: tuple[AlertRule, ...]
    identity: Identity = field(
        default_factory=lambda: Identity("chatops:alerts", ("chatops:viewers",)))
    preview_identity: Identity = field(
        default_factory=lambda: Identity("chatops:alerts-preview", ("chatops:previewers",)))
    """Who a remediation's dry-run preview runs as, before anyone approved it. The engine
    only ever sends dry-runs as this identity; the real run is the approver's."""
    burst_posts: int = 30
    burst_seconds: float = 60.0
    allowed_bots: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    outbox: OutboxLimits = field(default_factory=OutboxLimits)

    def match(self, labels: Mapping[str, str]) -> AlertRule | None:
        """The first rule that matches, or None."""
        return next((rule for rule in self.rules if rule.matches(labels)), None)


def parse_rules(data: Any, catalogue: Catalogue) -> AlertRules:
    """Build `AlertRules` from YAML data, checking runbook names against the catalogue."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise AlertRulesError("the alert rules file needs a `rules` list")
    rules = []
    for i, raw in enumerate(data["rules"]):
        where = f"rules[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise AlertRulesError(f"{where}: needs a name")
        match = raw.get("match") or {}
        match_re = raw.get("match_re") or {}
        if not isinstance(match, dict) or not isinstance(match_re, dict) or not (
                match or match_re):
            raise AlertRulesError(f"{where}.match: a rule matches on at least one label")
        diagnostics = tuple(raw.get("diagnostics") or ())
        for name in diagnostics:
            if name not in catalogue or catalogue.get(name).risk is not Risk.READ:
                raise AlertRulesError(f"{where}.diagnostics: {name!r} is not a read-only "
                                      "runbook")
        remediation = raw.get("remediation")
        if remediation is not None and remediation not in catalogue:
            raise AlertRulesError(f"{where}.remediation: no runbook {remediation!r}")
        try:
            patterns = {str(k): re.compile(str(v)) for k, v in match_re.items()}
        except re.error as exc:
            raise AlertRulesError(f"{where}.match_re: {exc}") from exc
        rules.append(AlertRule(raw["name"], {str(k): str(v) for k, v in match.items()},
                               patterns, diagnostics, remediation))
    ident = data.get("diagnostics_identity") or {}
    preview = data.get("preview_identity") or {}
    burst = data.get("burst") or {}
    return AlertRules(
        rules=tuple(rules),
        identity=Identity(str(ident.get("user", "chatops:alerts")),
                          tuple(ident.get("groups", ["chatops:viewers"]))),
        preview_identity=Identity(str(preview.get("user", "chatops:alerts-preview")),
                                  tuple(preview.get("groups", ["chatops:previewers"]))),
        burst_posts=int(burst.get("posts", 30)),
        burst_seconds=float(burst.get("per_seconds", 60)),
        allowed_bots=frozenset(str(b) for b in data.get("allowed_bots") or ()),
        channels=frozenset(str(c) for c in data.get("channels") or ()),
        outbox=_outbox(data.get("outbox")),
    )


def _outbox(raw: Any) -> OutboxLimits:
    if raw is None:
        return OutboxLimits()
    if not isinstance(raw, dict):
        raise AlertRulesError("outbox: a mapping with per_channel, total and max_attempts")
    known = set(OutboxLimits.__dataclass_fields__)
    if unknown := sorted(str(k) for k in raw if k not in known):
        raise AlertRulesError(f"outbox: unknown key {', '.join(unknown)} (known: "
                              f"{', '.join(sorted(known))})")
    for key, value in raw.items():
        # bool is an int to Python; `max_attempts: yes` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise AlertRulesError(f"outbox.{key}: a whole number of at least 1, not {value!r}")
    limits = OutboxLimits(**raw)
    if limits.per_channel > limits.total:
        raise AlertRulesError(f"outbox.per_channel ({limits.per_channel}) is more than "
                              f"outbox.total ({limits.total})")
    return limits


def load_rules(path: Path | None, catalogue: Catalogue) -> AlertRules:
    """Read the rules file (the packaged defaults when `path` is None)."""
    source = path or DEFAULT_RULES
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AlertRulesError(f"{source}: cannot be read as YAML: {exc}") from exc
    return parse_rules(data, catalogue)
