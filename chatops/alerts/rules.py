"""Alert rules as data: which read-only runbooks to run at once and which fix to propose.

    diagnostics_identity: {user: "chatops:alerts", groups: ["chatops:viewers"]}
    preview_identity: {user: "chatops:alerts-preview", groups: ["chatops:previewers"]}
    burst: {posts: 30, per_seconds: 60}
    outbox: {per_channel: 200, total: 2000, max_attempts: 6}
    root_updates: {per_thread_seconds: 10, per_minute: 20}
    rules:
      - name: crash-looping pod
        match: {alertname: KubePodCrashLooping}        # every label must equal
        match_re: {severity: "critical|warning"}       # optional regular expressions
        diagnostics: [diagnose, recent_events]
        remediation: restart_deployment

Slot values come from labels of the same name (`namespace`, `deployment`, `pod`, `node`,
`cronjob`); a `pod` label also gives the owning deployment when the catalogue needs one.

`outbox` bounds the posts waiting to go out (a batch that would pass a bound is refused
whole) and how often one post is tried before it is given up. `root_updates` bounds the
edits of thread roots (the alert counts) a storm causes, within Slack's `chat.update` limit
(see `chatops.alerts.throttle`). `allowed_bots` (Slack bot ids,
`B...`) are the bots whose messages in an alert channel are taken as alerts; `channels`
(Slack channel ids) are the alert channels besides CHATOPS_ALERT_CHANNEL.

The file is read as strictly as the policy file (with the same checks, from
`chatops.policy.rules`), because a quietly misread rule changes who the bot acts as and
where: an unknown key (`chanels:`, `remediaton:`) is an error naming its path, and so is a
key given twice. The diagnostics and preview identities are Kubernetes users and groups the
bot impersonates, never `system:` ones (`system:masters` would make every diagnostic
cluster-admin); an absent `user` or `groups` keeps the default shown above. Lists are lists
(`groups: sre` is not `[sre]`), label values are strings (`severity: no` is not "False"),
burst and outbox numbers are positive (yes/no is not a number), rule names are unique.
Alert channels are channels (`C...`/`G...`), never a direct message (`D...`): a fix proposed
in an alert channel is approved there, and a DM would let one person see and approve it
alone, out of the team's sight (and let a webhook caller steer alerts into it).

A rule may also run its remediation without a click: see `chatops.alerts.auto_rules`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatops.alerts.auto_rules import AutoFix, check_apart, parse_auto
from chatops.alerts.rule_fields import (
    DIAGNOSTICS_IDENTITY,
    PREVIEW_IDENTITY,
    AlertRulesError,
    identity_field,
    whole_number,
)
from chatops.alerts.throttle import RootUpdateLimits
from chatops.model import Identity, Risk, frozen_map

# The policy file's strict checks, shared so both files mean the same by "a kube user", "a
# Slack id", "an unknown key". They are private to chatops.policy.rules (which this layer may
# import, not the reverse); reused rather than copied so the two cannot drift apart.
from chatops.policy.rules import (
    PolicyError,
    _at,
    _did_you_mean,
    _kind,
    _mapping,
    _slack_id,
    _string,
    _strings,
    read_strict_yaml,
)
from chatops.runbook.catalogue import Catalogue

__all__ = ["DEFAULT_RULES", "DIAGNOSTICS_IDENTITY", "PREVIEW_IDENTITY", "AlertRule",
           "AlertRules", "AlertRulesError", "AutoFix", "OutboxLimits", "load_rules",
           "parse_rules"]

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


@dataclass(frozen=True)
class AlertRule:
    """One rule: a label match, diagnostics to run, a remediation to propose."""

    name: str
    match: Mapping[str, str] = field(default_factory=frozen_map)
    match_re: Mapping[str, re.Pattern[str]] = field(default_factory=frozen_map)
    diagnostics: tuple[str, ...] = ()
    remediation: str | None = None
    auto: AutoFix | None = None
    """Set when the remediation runs without approval (`auto: true`)."""

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
    identity: Identity = DIAGNOSTICS_IDENTITY
    preview_identity: Identity = PREVIEW_IDENTITY
    """Who a remediation's dry-run preview runs as, before anyone approved it. The engine
    only ever sends dry-runs as this identity; the real run is the approver's."""
    burst_posts: int = 30
    burst_seconds: float = 60.0
    allowed_bots: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    outbox: OutboxLimits = field(default_factory=OutboxLimits)
    root_updates: RootUpdateLimits = field(default_factory=RootUpdateLimits)

    def match(self, labels: Mapping[str, str]) -> AlertRule | None:
        """The first rule that matches, or None."""
        return next((rule for rule in self.rules if rule.matches(labels)), None)


_TOP_KEYS = ("diagnostics_identity", "preview_identity", "burst", "outbox", "root_updates",
             "allowed_bots", "channels", "rules")
_RULE_KEYS = ("name", "match", "match_re", "diagnostics", "remediation", "auto", "namespaces",
              "as", "max_per_hour")
_BURST_KEYS = ("posts", "per_seconds")
_OUTBOX_KEYS = ("per_channel", "total", "max_attempts")
_ROOT_UPDATE_KEYS = ("per_thread_seconds", "per_minute")

_SLACK_BOT = re.compile(r"B[A-Z0-9]+")
# Alert channels are public or private channels, never a DM (D...): see the module docstring.
_ALERT_CHANNEL = re.compile(r"[CG][A-Z0-9]+")
_SLACK_DM = re.compile(r"D[A-Z0-9]+")
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_rules(data: Any, catalogue: Catalogue) -> AlertRules:
    """Build `AlertRules` from YAML data, checking runbook names against the catalogue, or
    raise `AlertRulesError`; its message starts with the key path (`rules[0].match: ...`)."""
    try:
        return _parse(data, catalogue)
    except PolicyError as exc:  # from the shared checks of chatops.policy.rules
        raise AlertRulesError(str(exc)) from exc


def _parse(data: Any, catalogue: Catalogue) -> AlertRules:
    if not isinstance(data, dict):
        raise AlertRulesError("the alert rules file must be a YAML mapping")
    for key in data:
        if not isinstance(key, str):
            raise AlertRulesError(f"the alert rules file: key {key!r} must be a string")
    data = _mapping(data, "", _TOP_KEYS)
    if "rules" not in data:
        raise AlertRulesError("rules: required (the list of alert rules; it may be empty)")
    raw_rules = data["rules"]
    if not isinstance(raw_rules, list):
        raise AlertRulesError(f"rules: must be a list of rules, not {_kind(raw_rules)}")
    rules: list[AlertRule] = []
    named: dict[str, str] = {}
    for i, raw in enumerate(raw_rules):
        rule = _rule(raw, f"rules[{i}]", catalogue)
        if rule.auto is not None:
            check_apart(rule.auto.identity, f"rules[{i}].as", data)
        if rule.name in named:
            raise AlertRulesError(f"rules[{i}].name: {rule.name!r} is also the name of "
                                  f"{named[rule.name]}; rule names must be unique")
        named[rule.name] = f"rules[{i}]"
        rules.append(rule)
    posts, seconds = _burst(data.get("burst"))
    allowed_bots = _strings(data.get("allowed_bots"), "allowed_bots")
    for i, bot in enumerate(allowed_bots):
        _slack_id(bot, f"allowed_bots[{i}]", _SLACK_BOT, "a Slack bot id (B..., e.g. B0ALERTS; "
                  "the bot_id of the alert bot's messages, not its user id or name)")
    channels = _strings(data.get("channels"), "channels")
    for i, channel in enumerate(channels):
        where = f"channels[{i}]"
        if _SLACK_DM.fullmatch(channel):
            raise AlertRulesError(f"{where}: {channel!r} is a direct message, not a channel; "
                                  "alerts and their fixes are posted, and approved, where the "
                                  "team sees them")
        _slack_id(channel, where, _ALERT_CHANNEL,
                  "a Slack channel id (C... or G..., e.g. C0ALERTS; not the #name)")
    identity = identity_field(data.get("diagnostics_identity"), "diagnostics_identity",
                              DIAGNOSTICS_IDENTITY)
    preview = identity_field(data.get("preview_identity"), "preview_identity", PREVIEW_IDENTITY)
    if preview.user == identity.user:
        # Diagnostics run at once, unapproved: as the preview user they could change things.
        raise AlertRulesError(f"preview_identity.user: {preview.user!r} is also the "
                              "diagnostics_identity user; the read-only diagnostics and the "
                              "dry-run previews act as two different users")
    return AlertRules(
        rules=tuple(rules),
        identity=identity,
        preview_identity=preview,
        burst_posts=posts,
        burst_seconds=seconds,
        allowed_bots=frozenset(allowed_bots),
        channels=frozenset(channels),
        outbox=_outbox(data.get("outbox")),
        root_updates=_root_updates(data.get("root_updates")),
    )


def _rule(raw: Any, where: str, catalogue: Catalogue) -> AlertRule:
    if not isinstance(raw, dict):
        raise AlertRulesError(f"{where}: must be a mapping (name, match, ...), not "
                              f"{_kind(raw)}")
    fields = _mapping(raw, where, _RULE_KEYS)
    if "name" not in fields:
        raise AlertRulesError(f"{where}.name: required")
    name = _string(fields["name"], f"{where}.name")
    if not name.strip():
        raise AlertRulesError(f"{where}.name: must not be empty")
    if not name.isprintable():
        raise AlertRulesError(f"{where}.name: {name!r} must not contain control characters "
                              "or line breaks")
    match = {label: _string(value, _at(f"{where}.match", label))
             for label, value in _labels(fields.get("match"), f"{where}.match").items()}
    match_re = {}
    for label, value in _labels(fields.get("match_re"), f"{where}.match_re").items():
        path = _at(f"{where}.match_re", label)
        pattern = _string(value, path)
        try:
            match_re[label] = re.compile(pattern)
        except re.error as exc:
            raise AlertRulesError(f"{path}: {pattern!r} is not a regular expression: "
                                  f"{exc}") from exc
    if not (match or match_re):
        raise AlertRulesError(f"{where}.match: a rule matches on at least one label")
    diagnostics = _strings(fields.get("diagnostics"), f"{where}.diagnostics")
    for i, runbook in enumerate(diagnostics):
        path = f"{where}.diagnostics[{i}]"
        _runbook(runbook, path, catalogue)
        if catalogue.get(runbook).risk is not Risk.READ:
            raise AlertRulesError(f"{path}: {runbook!r} is not a read-only runbook; "
                                  "diagnostics run at once, without approval")
        if runbook in diagnostics[:i]:
            raise AlertRulesError(f"{path}: {runbook!r} is listed twice")
    remediation = fields.get("remediation")
    if remediation is not None:
        remediation = _runbook(_string(remediation, f"{where}.remediation"),
                               f"{where}.remediation", catalogue)
    auto = parse_auto(fields, where, remediation, catalogue)
    return AlertRule(name, match, match_re, diagnostics, remediation, auto)


def _labels(raw: Any, where: str) -> dict[str, Any]:
    """A mapping keyed by Prometheus label names."""
    labels = _mapping(raw, where)
    for label in labels:
        if not _LABEL_NAME.fullmatch(label):
            raise AlertRulesError(f"{_at(where, label)}: {label!r} is not a label name "
                                  "(letters, digits and _, not starting with a digit)")
    return labels


def _runbook(name: str, where: str, catalogue: Catalogue) -> str:
    if name not in catalogue:
        raise AlertRulesError(f"{where}: no runbook {name!r}"
                              f"{_did_you_mean(name, catalogue.runbooks)}")
    return name


def _burst(raw: Any) -> tuple[int, float]:
    fields = _mapping(raw, "burst", _BURST_KEYS)
    posts = whole_number(fields.get("posts", AlertRules.burst_posts), "burst.posts")
    seconds = fields.get("per_seconds", AlertRules.burst_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise AlertRulesError(f"burst.per_seconds: must be a number of seconds, not "
                              f"{_kind(seconds)}")
    if not math.isfinite(seconds):
        raise AlertRulesError("burst.per_seconds: must be finite")
    if not seconds > 0:
        raise AlertRulesError(f"burst.per_seconds: must be more than 0, not {seconds}")
    return posts, float(seconds)


def _outbox(raw: Any) -> OutboxLimits:
    fields = _mapping(raw, "outbox", _OUTBOX_KEYS)
    limits = OutboxLimits(**{key: whole_number(value, _at("outbox", key))
                             for key, value in fields.items()})
    if limits.per_channel > limits.total:
        raise AlertRulesError(f"outbox.per_channel ({limits.per_channel}) is more than "
                              f"outbox.total ({limits.total})")
    return limits


def _root_updates(raw: Any) -> RootUpdateLimits:
    fields = _mapping(raw, "root_updates", _ROOT_UPDATE_KEYS)
    per_minute = whole_number(fields.get("per_minute", RootUpdateLimits.per_minute),
                        "root_updates.per_minute")
    seconds = fields.get("per_thread_seconds", RootUpdateLimits.per_thread)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not (
            math.isfinite(seconds) and seconds >= 0):
        raise AlertRulesError("root_updates.per_thread_seconds: must be a number of seconds "
                              f"(0 or more), not {_kind(seconds)}")
    return RootUpdateLimits(per_thread=float(seconds), per_minute=per_minute)


def load_rules(path: Path | None, catalogue: Catalogue) -> AlertRules:
    """Read the rules file (the packaged defaults when `path` is None); errors start with
    `path: key.path:`. A key given twice in one mapping is an error."""
    source = path or DEFAULT_RULES
    try:
        data = read_strict_yaml(source)
    except PolicyError as exc:  # unreadable, not YAML, or a duplicate key
        raise AlertRulesError(str(exc)) from exc
    try:
        return parse_rules(data, catalogue)
    except AlertRulesError as exc:
        raise AlertRulesError(f"{source}: {exc}") from exc
