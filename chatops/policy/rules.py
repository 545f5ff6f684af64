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
placeholder is `{user}` (the chat id), after a fixed prefix such as `chat:` that no chat id
can complete into `system:` (`sys{user}` is refused).

The policy lives in four modules, all re-exported here: `chatops.policy.decisions` (the
`Policy` and `Requester`, and every decision about people), `chatops.policy.checks` (the
single-value checks, shared with the alert rules file), `chatops.policy.parser`
(`parse_policy`) and `chatops.policy.loader` (`load_policy`, YAML with duplicate keys
refused). `chatops.policy.rbac` renders the bot's own least-privilege RBAC from a `Policy`
(`chatops policy rbac`).
"""

from chatops.policy.checks import (
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
from chatops.policy.decisions import DEFAULT_APPROVALS, Policy, PolicyError, Requester
from chatops.policy.loader import _UniqueKeyLoader, load_policy, read_strict_yaml
from chatops.policy.parser import MAX_APPROVALS, MAX_EXPIRY_MINUTES, parse_policy

# The underscored checks are shared with `chatops.alerts.rules` (and its `rule_fields` and
# `auto_rules`), which reads its own file just as strictly; they stay private to the policy
# and alert rules files.
__all__ = [
    "DEFAULT_APPROVALS",
    "MAX_APPROVALS",
    "MAX_EXPIRY_MINUTES",
    "Policy",
    "PolicyError",
    "Requester",
    "_UniqueKeyLoader",
    "_at",
    "_did_you_mean",
    "_kind",
    "_kube_groups",
    "_kube_name",
    "_mapping",
    "_risk",
    "_slack_id",
    "_string",
    "_strings",
    "load_policy",
    "parse_policy",
    "read_strict_yaml",
]
