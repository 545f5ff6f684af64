"""The policy file: chat users and user groups mapped to Kubernetes identities, and the rules
for requesting and approving each risk level.

Example (YAML):

    identities:
      alice: {chat: [U0ALICE], kube_user: alice, kube_groups: [dev]}
      bob:   {chat: [U0BOB],   kube_user: bob,   kube_groups: [sre]}
    chat_groups:                # Slack user groups -> extra Kubernetes groups
      S0SRE: [sre]
    request:                    # who may ask for each risk level
      read: [everyone]
      write: [group:dev, group:sre]
      critical: [group:sre]
    approve:                    # who may approve each risk level
      write: [group:sre]
      critical: [group:sre, user:carol]
    approvals: {read: 0, write: 1, critical: 2}
    self_approval: [write]      # never honoured for critical
    approval_expiry_minutes: 15
    channels: []                # allow-list of channel ids; empty allows every channel
    channel_namespaces: {C0DEV: dev}
    unmapped: {allow: read, kube_user: "chat:{user}", kube_groups: [chatops:viewers]}

A principal is `everyone`, `mapped` (any mapped identity), `user:<identity or kube user>`
or `group:<kube group>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from chatops.errors import ChatOpsError
from chatops.model import Identity, Message, Risk, frozen_map

_RISKS = ("read", "write", "critical")
DEFAULT_APPROVALS = {Risk.READ: 0, Risk.WRITE: 1, Risk.CRITICAL: 2}


class PolicyError(ChatOpsError):
    """The policy file is malformed; the message names the field."""


@dataclass(frozen=True)
class Requester:
    """The person behind a message: chat id, display name and mapped cluster identity.

    `mapped` is False for people the policy does not know; they get the unmapped identity.
    """

    chat_user: str
    name: str
    identity: Identity
    mapped: bool

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """A stable key for "the same person": the identity name, or the chat id if unmapped.

        One person may reach the bot from several chat ids (Slack, the console); approval
        rules compare keys, so nobody approves their own request under another id.
        """
        return self.name if self.mapped else f"chat:{self.chat_user}"


@dataclass(frozen=True)
class _Person:
    name: str
    chat_ids: tuple[str, ...]
    kube_user: str
    kube_groups: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """Parsed policy; all decisions about people go through its methods."""

    people: Mapping[str, _Person] = field(default_factory=frozen_map)
    chat_groups: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    request: Mapping[Risk, tuple[str, ...]] = field(default_factory=frozen_map)
    approve: Mapping[Risk, tuple[str, ...]] = field(default_factory=frozen_map)
    approvals: Mapping[Risk, int] = field(default_factory=lambda: frozen_map(DEFAULT_APPROVALS))
    self_approval: frozenset[Risk] = frozenset()
    expiry: timedelta = timedelta(minutes=15)
    channels: frozenset[str] = frozenset()
    channel_namespaces: Mapping[str, str] = field(default_factory=frozen_map)
    unmapped_allow: Risk | None = Risk.READ
    unmapped_user: str = "chat:{user}"
    unmapped_groups: tuple[str, ...] = ("chatops:viewers",)

    def requester(self, message: Message) -> Requester:
        """Who sent `message`, as the cluster will see them."""
        person = self._person(message.user)
        extra = tuple(g for chat_group in message.groups
                      for g in self.chat_groups.get(chat_group, ()))
        if person is None:
            identity = Identity(self.unmapped_user.format(user=message.user),
                                tuple(dict.fromkeys(self.unmapped_groups + extra)))
            return Requester(message.user, message.user, identity, mapped=False)
        groups = tuple(dict.fromkeys(person.kube_groups + extra))
        return Requester(message.user, person.name, Identity(person.kube_user, groups), True)

    def _person(self, chat_user: str) -> _Person | None:
        if chat_user in self.people:
            return self.people[chat_user]
        for person in self.people.values():
            if chat_user in person.chat_ids:
                return person
        return None

    def _matches(self, requester: Requester, principals: tuple[str, ...]) -> bool:
        for principal in principals:
            kind, _, value = principal.partition(":")
            if principal == "everyone":
                return True
            if principal == "mapped" and requester.mapped:
                return True
            if kind == "user" and value in {requester.name, requester.identity.user}:
                return True
            if kind == "group" and value in requester.identity.groups:
                return True
        return False

    def channel_allowed(self, channel: str) -> bool:
        """Whether the bot answers in `channel` (an empty allow-list allows all)."""
        return not self.channels or channel in self.channels

    def may_request(self, requester: Requester, risk: Risk) -> bool:
        """Whether `requester` may ask for a runbook of `risk`."""
        if not requester.mapped:
            if self.unmapped_allow is None:
                return False
            if _RISKS.index(risk.value) > _RISKS.index(self.unmapped_allow.value):
                return False
        return self._matches(requester, self.request.get(risk, ()))

    def may_approve(self, approver: Requester, risk: Risk) -> bool:
        """Whether `approver` may approve a runbook of `risk` (self-approval aside)."""
        return approver.mapped and self._matches(approver, self.approve.get(risk, ()))

    def may_self_approve(self, risk: Risk) -> bool:
        """Whether the requester may approve their own request; never for critical."""
        return risk is not Risk.CRITICAL and risk in self.self_approval

    def approvals_needed(self, risk: Risk) -> int:
        """How many distinct approvals a runbook of `risk` needs."""
        needed = self.approvals.get(risk, DEFAULT_APPROVALS[risk])
        return max(needed, 2) if risk is Risk.CRITICAL else needed

    def approvers_text(self, risk: Risk) -> str:
        """Who may approve, in words, for refusals and plan messages."""
        principals = self.approve.get(risk, ())
        if not principals:
            return "nobody (the policy allows no approvals for this risk)"
        return ", ".join(p.replace("group:", "members of ").replace("user:", "")
                         for p in principals)

    def default_namespace(self, channel: str) -> str | None:
        """The namespace assumed in `channel` when a message names none."""
        return self.channel_namespaces.get(channel)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: must be a list of strings")
    return tuple(value)


def _risk_map(raw: Any, where: str) -> dict[Risk, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: must map read/write/critical to lists")
    out = {}
    for key, value in raw.items():
        if key not in _RISKS:
            raise PolicyError(f"{where}.{key}: not one of read, write, critical")
        out[Risk(key)] = _strings(value, f"{where}.{key}")
    return out


def parse_policy(data: Any) -> Policy:
    """Build a `Policy` from a parsed YAML document, or raise `PolicyError`."""
    if not isinstance(data, dict):
        raise PolicyError("the policy file must be a YAML mapping")
    people = {}
    for name, raw in (data.get("identities") or {}).items():
        if not isinstance(raw, dict) or not isinstance(raw.get("kube_user"), str):
            raise PolicyError(f"identities.{name}: needs kube_user")
        people[name] = _Person(name, _strings(raw.get("chat"), f"identities.{name}.chat"),
                               raw["kube_user"],
                               _strings(raw.get("kube_groups"), f"identities.{name}.kube_groups"))
    chat_groups = {k: _strings(v, f"chat_groups.{k}")
                   for k, v in (data.get("chat_groups") or {}).items()}
    approvals = dict(DEFAULT_APPROVALS)
    for key, value in (data.get("approvals") or {}).items():
        if key not in _RISKS or not isinstance(value, int) or value < 0:
            raise PolicyError(f"approvals.{key}: a risk level mapped to a count >= 0")
        approvals[Risk(key)] = value
    self_approval = frozenset(Risk(r) for r in _strings(data.get("self_approval"),
                                                        "self_approval") if r in _RISKS)
    unmapped = data.get("unmapped") or {}
    allow = unmapped.get("allow", "read")
    if allow not in (*_RISKS, "none"):
        raise PolicyError("unmapped.allow: read, write, critical or none")
    minutes = data.get("approval_expiry_minutes", 15)
    if not isinstance(minutes, int | float) or minutes <= 0:
        raise PolicyError("approval_expiry_minutes: a positive number")
    namespaces = data.get("channel_namespaces") or {}
    if not isinstance(namespaces, dict):
        raise PolicyError("channel_namespaces: must map channel ids to namespaces")
    return Policy(
        people=people,
        chat_groups=chat_groups,
        request=_risk_map(data.get("request"), "request"),
        approve=_risk_map(data.get("approve"), "approve"),
        approvals=approvals,
        self_approval=self_approval,
        expiry=timedelta(minutes=minutes),
        channels=frozenset(_strings(data.get("channels"), "channels")),
        channel_namespaces={str(k): str(v) for k, v in namespaces.items()},
        unmapped_allow=None if allow == "none" else Risk(allow),
        unmapped_user=str(unmapped.get("kube_user", "chat:{user}")),
        unmapped_groups=_strings(unmapped.get("kube_groups", ["chatops:viewers"]),
                                 "unmapped.kube_groups"),
    )


def load_policy(path: Path) -> Policy:
    """Read and parse the policy file at `path`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot be read as YAML: {exc}") from exc
    try:
        return parse_policy(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
