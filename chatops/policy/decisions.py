"""The parsed policy and every decision about people: who someone is on the cluster, and
whether they may request or approve a risk level. The file format is described in
`chatops.policy.rules`; `chatops.policy.parser` builds a `Policy` from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from chatops.errors import ChatOpsError
from chatops.model import Identity, Message, Risk, frozen_map

if TYPE_CHECKING:
    from chatops.policy.freeze import Freeze

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
class RiskRights:
    """What the policy says of one risk level, for one person: who may ask for it and who
    approves it (in words), how many approvals it needs, and what this person may do."""

    risk: Risk
    askers: str
    approvers: str
    needed: int
    may_ask: bool
    may_approve: bool
    own_counts: bool
    """Whether a requester's own approval counts (`self_approval`; never for critical)."""


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
    freeze: tuple[Freeze, ...] = ()
    """Freeze windows: no schedule fires inside one (`chatops.policy.freeze`)."""

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

    def names(self) -> frozenset[str]:
        """Every name and chat id of the people the policy knows, in lower case: how a
        message may address or name them."""
        return frozenset({person.name.lower() for person in self.people.values()}
                         | {chat_id.lower() for person in self.people.values()
                            for chat_id in person.chat_ids})

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

    def could_be(self, requester_key: str, identity: Identity) -> bool:
        """Whether `identity` is one this policy could give the requester with that key
        (their Kubernetes user, and groups from their mapping or any chat group).

        A run stores its identity; this keeps a changed database from making the bot act
        as anyone else.
        """
        from_chat = {g for groups in self.chat_groups.values() for g in groups}
        person = self.people.get(requester_key)
        if person is not None:
            return (identity.user == person.kube_user
                    and set(identity.groups) <= set(person.kube_groups) | from_chat)
        chat_user = requester_key.removeprefix("chat:")
        if chat_user == requester_key or self._person(chat_user) is not None:
            return False
        return (identity.user == self.unmapped_user.format(user=chat_user)
                and set(identity.groups) <= set(self.unmapped_groups) | from_chat)

    def rights(self, requester: Requester, risk: Risk) -> RiskRights:
        """What the policy says of `risk` for `requester` (a question of rights)."""
        return RiskRights(risk, _principals_text(self.request.get(risk, ())),
                          self.approvers_text(risk), self.approvals_needed(risk),
                          self.may_request(requester, risk), self.may_approve(requester, risk),
                          self.may_self_approve(risk))

    def approvers_text(self, risk: Risk) -> str:
        """Who may approve, in words, for refusals and plan messages."""
        principals = self.approve.get(risk, ())
        if not principals:
            return "nobody (the policy allows no approvals for this risk)"
        return _principals_text(principals)

    def frozen_at(self, instant: float) -> Freeze | None:
        """The freeze window `instant` (epoch seconds) falls in, or None."""
        return next((f for f in self.freeze if f.covers(instant)), None)

    def default_namespace(self, channel: str) -> str | None:
        """The namespace assumed in `channel` when a message names none."""
        return self.channel_namespaces.get(channel)


def _principals_text(principals: tuple[str, ...]) -> str:
    """Principals in words: "members of sre, carol"; "nobody" for none."""
    if not principals:
        return "nobody"
    words = {"everyone": "everyone", "mapped": "anyone the policy names"}
    return ", ".join(words.get(p) or p.replace("group:", "members of ").replace("user:", "")
                     for p in principals)
