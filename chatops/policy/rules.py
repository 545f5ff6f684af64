"""The policy file: chat users and user groups mapped to Kubernetes identities, and the rules
for requesting and approving each risk level.

Example (YAML):

    identities:
      alice: {chat: [U0ALICE], kube_user: alice, kube_groups: [dev]}
      bob:   {chat: [U0BOB],   kube_user: bob,   kube_groups: [sre]}
      carol: {chat: [U0CAROL], kube_user: carol}
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
    self_approval: [write]      # never allowed for critical
    approval_expiry_minutes: 15
    channels: []                # allow-list of channel ids; empty allows every channel
    channel_namespaces: {C0DEV: dev}
    unmapped: {allow: read, kube_user: "chat:{user}", kube_groups: [chatops:viewers]}

A principal is `everyone`, `mapped` (any mapped identity), `user:<identity or kube user>`
or `group:<kube group>`.

The file is read strictly, because a policy that is quietly misread grants rights nobody
reviewed: an unknown key (`chanels:`) is an error, not an ignored line, and so is a key
given twice. Every value is type-checked; risk levels are `read`, `write`, `critical`;
`user:`/`group:` principals must name an identity, kube user or group that this policy
defines. The bot never impersonates Kubernetes system identities: no kube user or group
may start with `system:`. Chat ids are Slack ids (`U…`/`W…` users, `S…` user groups,
`C…`/`G…`/`D…` channels); namespaces are DNS-1123 labels. A chat id belongs to one
identity, and two identities may not share a kube user (they could approve each other's
requests as one cluster user). The unmapped kube user is a template whose only
placeholder is `{user}` (the chat id), after a fixed prefix such as `chat:`.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

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


_TOP_KEYS = ("identities", "chat_groups", "request", "approve", "approvals", "self_approval",
             "approval_expiry_minutes", "channels", "channel_namespaces", "unmapped")
_IDENTITY_KEYS = ("chat", "kube_user", "kube_groups")
_UNMAPPED_KEYS = ("allow", "kube_user", "kube_groups")
MAX_APPROVALS = 10
MAX_EXPIRY_MINUTES = 24 * 60

_SLACK_USER = re.compile(r"[UW][A-Z0-9]+")
_SLACK_USER_GROUP = re.compile(r"S[A-Z0-9]+")
_SLACK_CHANNEL = re.compile(r"[CGD][A-Z0-9]+")
_IDENTITY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_KUBE_NAME_MAX = 253
_SAMPLE_CHAT_ID = "U0EXAMPLE"


def _at(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _mapping(value: Any, where: str, allowed: Sequence[str] | None = None) -> dict[str, Any]:
    """`value` as a mapping with string keys (None is empty); keys outside `allowed` fail."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: must be a mapping, not {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise PolicyError(f"{where or 'the policy file'}: key {key!r} must be a string")
        if allowed is not None and key not in allowed:
            raise PolicyError(f"{_at(where, key)}: unknown key{_did_you_mean(key, allowed)}; "
                              f"allowed: {', '.join(allowed)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: must be a string, not {_kind(value)}")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyError(f"{where}: must be a list of strings, not {_kind(value)}")
    return tuple(_string(v, f"{where}[{i}]") for i, v in enumerate(value))


def _kube_name(value: Any, where: str, what: Literal["user", "group"]) -> str:
    """A Kubernetes user or group name the bot may impersonate."""
    name = _string(value, where)
    if not name:
        raise PolicyError(f"{where}: the kube {what} must not be empty")
    if not (name.isascii() and name.isprintable()) or any(c.isspace() for c in name):
        raise PolicyError(f"{where}: the kube {what} {name!r} must be printable ASCII without "
                          "whitespace or control characters")
    if len(name) > _KUBE_NAME_MAX:
        raise PolicyError(f"{where}: the kube {what} is longer than {_KUBE_NAME_MAX} "
                          "characters")
    if name.casefold().startswith("system:"):
        raise PolicyError(f"{where}: {name!r} is a Kubernetes system {what} (system:...); the "
                          "bot never impersonates system users or groups")
    return name


def _kube_groups(value: Any, where: str) -> tuple[str, ...]:
    return tuple(_kube_name(v, f"{where}[{i}]", "group")
                 for i, v in enumerate(_strings(value, where)))


def _slack_id(value: Any, where: str, pattern: re.Pattern[str], what: str) -> str:
    text = _string(value, where)
    if not pattern.fullmatch(text):
        raise PolicyError(f"{where}: {text!r} is not {what}")
    return text


def _risk(value: Any, where: str) -> Risk:
    text = _string(value, where)
    if text not in _RISKS:
        raise PolicyError(f"{where}: {text!r} is not a risk level{_did_you_mean(text, _RISKS)};"
                          " use read, write or critical")
    return Risk(text)


@dataclass(frozen=True)
class _Names:
    """What principals may name: identities, kube users and groups, and chat ids."""

    users: frozenset[str]
    groups: frozenset[str]
    chat_owner: Mapping[str, str]


def _principal(value: Any, where: str, names: _Names) -> str:
    principal = _string(value, where)
    if principal in ("everyone", "mapped"):
        return principal
    kind, colon, name = principal.partition(":")
    if not colon or kind not in ("user", "group"):
        raise PolicyError(f"{where}: {principal!r} is not a principal: everyone, mapped, "
                          "user:<name> or group:<name>")
    if not name:
        raise PolicyError(f"{where}: {principal!r} names nobody (the name is empty)")
    if kind == "group":
        if name not in names.groups:
            raise PolicyError(f"{where}: group {name!r} is given to nobody in this policy, so "
                              f"it would match nobody{_did_you_mean(name, names.groups)}")
    elif name in names.chat_owner:
        raise PolicyError(f"{where}: {name} is a chat id; name the identity instead: "
                          f"user:{names.chat_owner[name]}")
    elif name not in names.users:
        raise PolicyError(f"{where}: {name!r} is neither an identity nor a kube user in this "
                          f"policy{_did_you_mean(name, names.users)}")
    return principal


def _risk_map(raw: Any, where: str, names: _Names) -> dict[Risk, tuple[str, ...]]:
    out = {}
    for key, value in _mapping(raw, where, _RISKS).items():
        path = _at(where, key)
        principals = _strings(value, path)
        out[Risk(key)] = tuple(_principal(p, f"{path}[{i}]", names)
                               for i, p in enumerate(principals))
    return out


def _people(raw: Any) -> dict[str, _Person]:
    people: dict[str, _Person] = {}
    chat_owner: dict[str, str] = {}
    kube_owner: dict[str, str] = {}
    for name, spec in _mapping(raw, "identities").items():
        where = _at("identities", name)
        if not _IDENTITY_NAME.fullmatch(name):
            raise PolicyError(f"{where}: not a valid identity name (letters, digits and . _ @ -,"
                              " starting with a letter or digit)")
        fields = _mapping(spec, where, _IDENTITY_KEYS)
        if "kube_user" not in fields:
            raise PolicyError(f"{where}.kube_user: required (the Kubernetes user to act as)")
        kube_user = _kube_name(fields["kube_user"], f"{where}.kube_user", "user")
        if kube_user in kube_owner:
            raise PolicyError(f"{where}.kube_user: {kube_user!r} is also the kube user of "
                              f"identity {kube_owner[kube_user]}; two identities acting as one "
                              "cluster user could approve each other's requests")
        kube_owner[kube_user] = name
        chat_ids = _strings(fields.get("chat"), f"{where}.chat")
        for i, chat_id in enumerate(chat_ids):
            _slack_id(chat_id, f"{where}.chat[{i}]", _SLACK_USER,
                      "a Slack user id (U... or W..., e.g. U0ALICE)")
            if chat_owner.setdefault(chat_id, name) != name:
                raise PolicyError(f"{where}.chat[{i}]: {chat_id} is already mapped to identity "
                                  f"{chat_owner[chat_id]}; a chat id belongs to one identity")
        groups = _kube_groups(fields.get("kube_groups"), f"{where}.kube_groups")
        people[name] = _Person(name, tuple(dict.fromkeys(chat_ids)), kube_user, groups)
    for name, person in people.items():
        # Messages are matched to identities by name as well as by chat id (the console
        # speaks as `alice`), and `user:X` matches both names and kube users.
        owner = chat_owner.get(name)
        if owner is not None and owner != name:
            raise PolicyError(f"identities.{name}: the name is also a chat id of identity "
                              f"{owner}; messages from {name} would be ambiguous")
        if person.kube_user in people and person.kube_user != name:
            raise PolicyError(f"identities.{name}.kube_user: {person.kube_user!r} is the name "
                              f"of identity {person.kube_user}; user:{person.kube_user} would "
                              "match both")
    return people


def _unmapped_user(value: Any, where: str) -> tuple[str, re.Pattern[str]]:
    """The unmapped kube user template, and a pattern matching every name it can produce."""
    template = _string(value, where)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PolicyError(f"{where}: {template!r} is not a valid template ({exc}); write "
                          "e.g. chat:{user}") from exc
    pattern = ""
    for index, (literal, field_name, spec, conversion) in enumerate(parts):
        pattern += re.escape(literal)
        if field_name is None:
            continue
        if field_name != "user" or spec or conversion:
            raise PolicyError(f"{where}: {template!r} may only use the {{user}} placeholder "
                              "(the chat id), with no attribute, index or format")
        if index == 0 and not literal:
            raise PolicyError(f"{where}: {template!r} must start with a fixed prefix such as "
                              "chat:, so that no chat id can become a system: or mapped user")
        pattern += ".+"
    if template.casefold().startswith("system:"):
        raise PolicyError(f"{where}: {template!r} would make unmapped people Kubernetes system "
                          "users (system:...); the bot never impersonates system users")
    _kube_name(template.format(user=_SAMPLE_CHAT_ID), where, "user")
    return template, re.compile(pattern, re.DOTALL)


def _approvals(raw: Any) -> dict[Risk, int]:
    approvals = dict(DEFAULT_APPROVALS)
    for key, value in _mapping(raw, "approvals", _RISKS).items():
        where = _at("approvals", key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(f"{where}: must be a whole number of approvals, not {_kind(value)}")
        if not 0 <= value <= MAX_APPROVALS:
            raise PolicyError(f"{where}: must be 0 to {MAX_APPROVALS}, not {value}")
        if key == Risk.CRITICAL and value < DEFAULT_APPROVALS[Risk.CRITICAL]:
            raise PolicyError(f"{where}: must be at least 2: critical runbooks always need two "
                              "approvers")
        approvals[Risk(key)] = value
    return approvals


def _expiry(value: Any) -> timedelta:
    where = "approval_expiry_minutes"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{where}: must be a number of minutes, not {_kind(value)}")
    if not value > 0:
        raise PolicyError(f"{where}: must be more than 0 minutes")
    if value > MAX_EXPIRY_MINUTES:
        raise PolicyError(f"{where}: must be at most {MAX_EXPIRY_MINUTES} (24 hours), "
                          f"not {value}")
    return timedelta(minutes=value)


def parse_policy(data: Any) -> Policy:
    """Build a `Policy` from a parsed YAML document, or raise `PolicyError`.

    The message of the error starts with the key path (`identities.alice.kube_user: ...`).
    """
    if not isinstance(data, dict):
        raise PolicyError("the policy file must be a YAML mapping")
    data = _mapping(data, "", _TOP_KEYS)
    people = _people(data.get("identities"))
    chat_groups = {}
    for key, value in _mapping(data.get("chat_groups"), "chat_groups").items():
        where = _at("chat_groups", key)
        _slack_id(key, where, _SLACK_USER_GROUP, "a Slack user group id (S..., e.g. S0SRE)")
        chat_groups[key] = _kube_groups(value, where)
    unmapped = _mapping(data.get("unmapped"), "unmapped", _UNMAPPED_KEYS)
    allow = unmapped.get("allow", "read")
    if allow not in (*_RISKS, "none"):
        raise PolicyError(f"unmapped.allow: must be read, write, critical or none, "
                          f"not {_kind(allow)}")
    unmapped_user, unmapped_names = _unmapped_user(unmapped.get("kube_user", "chat:{user}"),
                                                   "unmapped.kube_user")
    unmapped_groups = _kube_groups(unmapped.get("kube_groups", ["chatops:viewers"]),
                                   "unmapped.kube_groups")
    for person in people.values():
        if unmapped_names.fullmatch(person.kube_user):
            raise PolicyError(f"identities.{person.name}.kube_user: {person.kube_user!r} has "
                              f"the form of unmapped users' kube users ({unmapped_user}); an "
                              "unmapped chat user could be given it")

    names = _Names(
        users=frozenset(people) | {p.kube_user for p in people.values()},
        groups=frozenset(g for p in people.values() for g in p.kube_groups)
        | {g for groups in chat_groups.values() for g in groups} | set(unmapped_groups),
        chat_owner=frozen_map({c: p.name for p in people.values() for c in p.chat_ids}),
    )
    self_approval = set()
    for i, value in enumerate(_strings(data.get("self_approval"), "self_approval")):
        risk = _risk(value, f"self_approval[{i}]")
        if risk is Risk.CRITICAL:
            raise PolicyError(f"self_approval[{i}]: critical runbooks never allow "
                              "self-approval; remove it")
        self_approval.add(risk)
    channels = _strings(data.get("channels"), "channels")
    for i, channel in enumerate(channels):
        _slack_id(channel, f"channels[{i}]", _SLACK_CHANNEL,
                  "a Slack channel id (C..., G... or D..., e.g. C0DEV; not the #name)")
    namespaces = {}
    for channel, namespace in _mapping(data.get("channel_namespaces"),
                                       "channel_namespaces").items():
        where = _at("channel_namespaces", channel)
        _slack_id(channel, where, _SLACK_CHANNEL,
                  "a Slack channel id (C..., G... or D..., e.g. C0DEV; not the #name)")
        if not _DNS_LABEL.fullmatch(_string(namespace, where)):
            raise PolicyError(f"{where}: {namespace!r} is not a namespace name (a DNS-1123 "
                              "label: lowercase letters, digits and '-', at most 63)")
        namespaces[channel] = namespace
    return Policy(
        people=people,
        chat_groups=chat_groups,
        request=_risk_map(data.get("request"), "request", names),
        approve=_risk_map(data.get("approve"), "approve", names),
        approvals=_approvals(data.get("approvals")),
        self_approval=frozenset(self_approval),
        expiry=_expiry(data.get("approval_expiry_minutes", 15)),
        channels=frozenset(channels),
        channel_namespaces=namespaces,
        unmapped_allow=None if allow == "none" else Risk(allow),
        unmapped_user=unmapped_user,
        unmapped_groups=unmapped_groups,
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error
    (PyYAML silently keeps the last one, so a second `channels:` would undo the first)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *base` may be overridden on purpose
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            continue  # unhashable: construct_mapping reports it
        if duplicate:
            raise PolicyError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r} "
                              "(YAML would silently keep only the last one)")
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def load_policy(path: Path) -> Policy:
    """Read and parse the policy file at `path`; errors start with `path: key.path:`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read: {exc}") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    try:
        return parse_policy(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
