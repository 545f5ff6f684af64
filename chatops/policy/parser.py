"""The strict parser: a parsed YAML document in, a `Policy` out, or a `PolicyError` whose
message starts with the key path. Why it is strict, and what each key means, is in
`chatops.policy.rules`; the single-value checks are in `chatops.policy.checks`."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chatops.model import Risk, frozen_map
from chatops.policy.checks import (
    _DNS_LABEL,
    _IDENTITY_NAME,
    _SAMPLE_CHAT_ID,
    _SLACK_CHANNEL,
    _SLACK_USER,
    _SLACK_USER_GROUP,
    _at,
    _did_you_mean,
    _kind,
    _kube_groups,
    _kube_name,
    _mapping,
    _risk,
    _slack_id,
    _string,
    _strings,
)
from chatops.policy.decisions import _RISKS, DEFAULT_APPROVALS, Policy, PolicyError, _Person
from chatops.policy.freeze import parse_freeze

_TOP_KEYS = ("identities", "chat_groups", "request", "approve", "approvals", "self_approval",
             "approval_expiry_minutes", "channels", "channel_namespaces", "unmapped",
             "freeze")
_IDENTITY_KEYS = ("chat", "kube_user", "kube_groups")
_UNMAPPED_KEYS = ("allow", "kube_user", "kube_groups")
MAX_APPROVALS = 10
_SYSTEM_PREFIX = "system:"
MAX_EXPIRY_MINUTES = 24 * 60


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
        if index == 0 and _SYSTEM_PREFIX.startswith(literal.casefold()):
            raise PolicyError(f"{where}: {template!r} starts with {literal!r}, which a chat id "
                              "could complete into a Kubernetes system user (system:...); the "
                              "bot never impersonates system users: use a prefix such as chat:")
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



def _chat_groups(raw: Any) -> dict[str, tuple[str, ...]]:
    chat_groups = {}
    for key, value in _mapping(raw, "chat_groups").items():
        where = _at("chat_groups", key)
        _slack_id(key, where, _SLACK_USER_GROUP, "a Slack user group id (S..., e.g. S0SRE)")
        chat_groups[key] = _kube_groups(value, where)
    return chat_groups


def _unmapped(raw: Any,
              people: Mapping[str, _Person]) -> tuple[Risk | None, str, tuple[str, ...]]:
    """The `unmapped` section: (highest risk allowed, kube user template, kube groups)."""
    unmapped = _mapping(raw, "unmapped", _UNMAPPED_KEYS)
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
    return None if allow == "none" else Risk(allow), unmapped_user, unmapped_groups


def _names(people: Mapping[str, _Person], chat_groups: Mapping[str, tuple[str, ...]],
           unmapped_groups: tuple[str, ...]) -> _Names:
    return _Names(
        users=frozenset(people) | {p.kube_user for p in people.values()},
        groups=frozenset(g for p in people.values() for g in p.kube_groups)
        | {g for groups in chat_groups.values() for g in groups} | set(unmapped_groups),
        chat_owner=frozen_map({c: p.name for p in people.values() for c in p.chat_ids}),
    )


def _self_approval(raw: Any) -> frozenset[Risk]:
    self_approval = set()
    for i, value in enumerate(_strings(raw, "self_approval")):
        risk = _risk(value, f"self_approval[{i}]")
        if risk is Risk.CRITICAL:
            raise PolicyError(f"self_approval[{i}]: critical runbooks never allow "
                              "self-approval; remove it")
        self_approval.add(risk)
    return frozenset(self_approval)


def _channels(raw: Any) -> frozenset[str]:
    channels = _strings(raw, "channels")
    for i, channel in enumerate(channels):
        _slack_id(channel, f"channels[{i}]", _SLACK_CHANNEL,
                  "a Slack channel id (C..., G... or D..., e.g. C0DEV; not the #name)")
    return frozenset(channels)


def _channel_namespaces(raw: Any) -> dict[str, str]:
    namespaces = {}
    for channel, namespace in _mapping(raw, "channel_namespaces").items():
        where = _at("channel_namespaces", channel)
        _slack_id(channel, where, _SLACK_CHANNEL,
                  "a Slack channel id (C..., G... or D..., e.g. C0DEV; not the #name)")
        if not _DNS_LABEL.fullmatch(_string(namespace, where)):
            raise PolicyError(f"{where}: {namespace!r} is not a namespace name (a DNS-1123 "
                              "label: lowercase letters, digits and '-', at most 63)")
        namespaces[channel] = namespace
    return namespaces


def parse_policy(data: Any) -> Policy:
    """Build a `Policy` from a parsed YAML document, or raise `PolicyError`.

    The message of the error starts with the key path (`identities.alice.kube_user: ...`).
    """
    if not isinstance(data, dict):
        raise PolicyError("the policy file must be a YAML mapping")
    data = _mapping(data, "", _TOP_KEYS)
    # Sections are checked in this order, so the same file always names the same error.
    people = _people(data.get("identities"))
    chat_groups = _chat_groups(data.get("chat_groups"))
    unmapped_allow, unmapped_user, unmapped_groups = _unmapped(data.get("unmapped"), people)
    names = _names(people, chat_groups, unmapped_groups)
    self_approval = _self_approval(data.get("self_approval"))
    channels = _channels(data.get("channels"))
    namespaces = _channel_namespaces(data.get("channel_namespaces"))
    return Policy(
        people=people,
        chat_groups=chat_groups,
        request=_risk_map(data.get("request"), "request", names),
        approve=_risk_map(data.get("approve"), "approve", names),
        approvals=_approvals(data.get("approvals")),
        self_approval=self_approval,
        expiry=_expiry(data.get("approval_expiry_minutes", 15)),
        channels=channels,
        channel_namespaces=namespaces,
        unmapped_allow=unmapped_allow,
        unmapped_user=unmapped_user,
        unmapped_groups=unmapped_groups,
        freeze=parse_freeze(data.get("freeze")),
    )
