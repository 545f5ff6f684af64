"""The bot's own RBAC, rendered from the policy: least privilege for its service account.

The bot changes nothing as itself. Every request on people's behalf is sent with
`Impersonate-User`/`Impersonate-Group` headers, so the cluster's RBAC judges it as the
person's mapped identity. Its service account therefore needs only

* a ClusterRole with `impersonate` on `users` and on `groups`, each limited by
  `resourceNames` to exactly the users and groups the policy can give someone, plus the
  bot's own read-only diagnostics and dry-run preview identities (the alert rules'
  `diagnostics_identity` and `preview_identity`); never `serviceaccounts` or `uids`, so it
  cannot act as `system:masters`, as a service account, or as anyone the policy does not
  name. `impersonate` on `userextras/<key>` (apiGroup `authentication.k8s.io`) for the
  extra keys the bot tags its requests with (`Impersonate-Extra-chatops.dev%2Frun-id`):
  their values (run ids, audit sequence numbers) cannot be listed, so those two rules name
  the key but no values; and `create` on `subjectaccessreviews`, to ask whether an
  approver's own identity could make the change they approve (asking changes nothing);
* a Role in its own namespace: `get`/`update` on its leader-election Lease and on the audit
  checkpoint ConfigMap, by name, and `create` on leases (RBAC cannot limit `create` to a
  name). The ConfigMap is rendered too, empty, so that the bot never needs to create one.

Nothing here lets the service account itself read or write workloads: those rights belong
to the impersonated people. The bot's own diagnostics and preview identities get what the
runbooks need, no more (`chatops.policy.identity_rbac`): a ClusterRole each, bound to the
identity's user.

A rule with an empty `resourceNames` list matches every name, so a rule whose list would be
empty is left out instead. A kube user template with `{user}` (`unmapped.kube_user:
chat:{user}`, one user per chat id) cannot be listed by name either: it is left out, with a
warning, so the API server refuses unmapped people's requests (403) until they get one fixed
user (`unmapped.kube_user: chatops:unmapped`) or `unmapped.allow: none`.

Everything returns plain dicts, in the order `kubectl apply` needs; `chatops policy rbac`
prints them, and the Helm chart renders the same objects from `helm_values`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chatops.model import Identity
from chatops.policy.decisions import Policy, PolicyError
from chatops.policy.identity_rbac import IdentityRoles, role_specs

RBAC_API = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
RUN_ID_EXTRA = "chatops.dev/run-id"
AUDIT_SEQ_EXTRA = "chatops.dev/audit-seq"
USER_EXTRAS = (RUN_ID_EXTRA, AUDIT_SEQ_EXTRA)
"""The `Impersonate-Extra-*` keys the bot tags its requests with."""


@dataclass(frozen=True)
class Impersonation:
    """Whom the bot may act as: exact user and group names, and the extra keys it sends."""

    users: tuple[str, ...]
    groups: tuple[str, ...]
    user_extras: tuple[str, ...] = USER_EXTRAS
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Install:
    """Where the bot runs: its namespace and service account, and the names of the
    cluster-wide objects (`name`-impersonator), its Lease and its checkpoint ConfigMap
    (None: no checkpoint ConfigMap is written)."""

    namespace: str = "chatops"
    service_account: str = "chatops"
    name: str = "chatops"
    lease: str = "chatops"
    checkpoint_configmap: str | None = "chatops-audit-checkpoint"


def _fixed_user(template: str) -> str | None:
    """The one user a kube user template gives everybody, or None when it varies."""
    first, second = template.format(user="U0FIRST"), template.format(user="U0SECOND")
    return first if first == second else None


def impersonation(policy: Policy, bot_identities: Iterable[Identity] = (),
                  user_extras: Iterable[str] = USER_EXTRAS) -> Impersonation:
    """Every user and group `policy` can give someone, and those of `bot_identities` (the
    alert diagnostics and preview identities), sorted and without duplicates."""
    users = {person.kube_user for person in policy.people.values()}
    groups = {g for person in policy.people.values() for g in person.kube_groups}
    groups |= {g for chat_groups in policy.chat_groups.values() for g in chat_groups}
    warnings: list[str] = []
    if policy.unmapped_allow is not None:
        groups |= set(policy.unmapped_groups)
        fixed = _fixed_user(policy.unmapped_user)
        if fixed is not None:
            users.add(fixed)
        else:
            warnings.append(
                f"unmapped.kube_user {policy.unmapped_user!r} is a different Kubernetes user "
                "for every chat id, and RBAC can only list users by name: it is left out, so "
                "the API server refuses (403) what people the policy does not map ask for. "
                "Give them one fixed user (e.g. unmapped.kube_user: chatops:unmapped) to let "
                "them read, or set unmapped.allow: none.")
    for identity in bot_identities:
        users.add(identity.user)
        groups |= set(identity.groups)
    return Impersonation(users=tuple(sorted(users)), groups=tuple(sorted(groups)),
                         user_extras=tuple(dict.fromkeys(user_extras)),
                         warnings=tuple(warnings))


def _unmapped_names(template: str) -> re.Pattern[str]:
    """Every kube user the unmapped template can give (`{user}` is any chat id)."""
    pattern = ""
    for literal, field_name, _spec, _conversion in string.Formatter().parse(template):
        pattern += re.escape(literal) + (".+" if field_name is not None else "")
    return re.compile(pattern, re.DOTALL)


def check_apart(policy: Policy, diagnostics: Identity, preview: Identity) -> None:
    """No person, mapped or not, acts as the bot's diagnostics or preview user.

    Those users are bound to roles over the whole runbook catalogue, cluster-wide (the
    preview's include `patch deployments`), so a person given one would have its rights
    without asking or approval. Raises `PolicyError` naming the policy key.
    """
    bot_users = (("diagnostics_identity", diagnostics.user), ("preview_identity", preview.user))
    for name, person in policy.people.items():
        for key, user in bot_users:
            if person.kube_user == user:
                raise PolicyError(f"identities.{name}.kube_user: {user!r} is the alert rules' "
                                  f"{key} user, the bot's own; a person acts as a user of "
                                  "their own")
    if policy.unmapped_allow is not None:
        names = _unmapped_names(policy.unmapped_user)
        for key, user in bot_users:
            if names.fullmatch(user):
                raise PolicyError(f"unmapped.kube_user: {policy.unmapped_user!r} can be the "
                                  f"alert rules' {key} user {user!r}, the bot's own; give "
                                  "unmapped people a user of their own (e.g. chat:{user})")


SUBJECT_ACCESS_REVIEW: dict[str, Any] = {
    "apiGroups": ["authorization.k8s.io"], "resources": ["subjectaccessreviews"],
    "verbs": ["create"]}
"""Asking the API server whether an approver's identity could make a change."""


def impersonation_rules(imp: Impersonation) -> list[dict[str, Any]]:
    """The ClusterRole's rules. A list of names is never empty: that would allow all."""
    rules: list[dict[str, Any]] = []
    for resource, names in (("users", imp.users), ("groups", imp.groups)):
        if names:
            rules.append({"apiGroups": [""], "resources": [resource],
                          "verbs": ["impersonate"], "resourceNames": list(names)})
    if imp.user_extras:
        rules.append({"apiGroups": ["authentication.k8s.io"],
                      "resources": [f"userextras/{key}" for key in imp.user_extras],
                      "verbs": ["impersonate"]})
    # An approval counts only if the approver could make the change: the bot asks the API
    # server (a SubjectAccessReview per step). Asking grants nothing.
    rules.append(SUBJECT_ACCESS_REVIEW)
    return rules


def namespace_rules(install: Install) -> list[dict[str, Any]]:
    """The Role's rules in the bot's namespace: its Lease and checkpoint ConfigMap."""
    rules: list[dict[str, Any]] = [
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
         "resourceNames": [install.lease], "verbs": ["get", "update"]},
        # RBAC cannot limit create to a name: the name is not part of a create request.
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
    ]
    if install.checkpoint_configmap:
        rules.append({"apiGroups": [""], "resources": ["configmaps"],
                      "resourceNames": [install.checkpoint_configmap],
                      "verbs": ["get", "update"]})
    return rules


def _meta(name: str, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def _binding(kind: str, name: str, role_kind: str, install: Install,
             namespace: str | None = None) -> dict[str, Any]:
    return {"apiVersion": RBAC_API, "kind": kind, "metadata": _meta(name, namespace),
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": install.service_account,
                          "namespace": install.namespace}]}


def identity_documents(roles: IdentityRoles, install: Install) -> list[dict[str, Any]]:
    """A ClusterRole `NAME-diagnostics` and `NAME-preview` with what the runbooks need, each
    bound to its identity's user (not its groups, which people may share)."""
    docs: list[dict[str, Any]] = []
    for suffix, user, rules in role_specs(roles):
        name = f"{install.name}-{suffix}"
        docs.append({"apiVersion": RBAC_API, "kind": "ClusterRole", "metadata": _meta(name),
                     "rules": rules})
        docs.append({"apiVersion": RBAC_API, "kind": "ClusterRoleBinding",
                     "metadata": _meta(name),
                     "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
                     "subjects": [{"apiGroup": RBAC_GROUP, "kind": "User", "name": user}]})
    return docs


def rbac_documents(imp: Impersonation, install: Install,
                   roles: IdentityRoles | None = None) -> list[dict[str, Any]]:
    """The ClusterRole and its binding, the Role and its binding, the (empty) checkpoint
    ConfigMap and the identities' roles, as manifests for `kubectl apply`."""
    cluster_name = f"{install.name}-impersonator"
    docs: list[dict[str, Any]] = [
        {"apiVersion": RBAC_API, "kind": "ClusterRole", "metadata": _meta(cluster_name),
         "rules": impersonation_rules(imp)},
        _binding("ClusterRoleBinding", cluster_name, "ClusterRole", install),
        {"apiVersion": RBAC_API, "kind": "Role",
         "metadata": _meta(install.name, install.namespace), "rules": namespace_rules(install)},
        _binding("RoleBinding", install.name, "Role", install, install.namespace),
    ]
    if install.checkpoint_configmap:
        docs.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": _meta(install.checkpoint_configmap, install.namespace)})
    return docs + (identity_documents(roles, install) if roles is not None else [])


def helm_values(imp: Impersonation, roles: IdentityRoles | None = None) -> dict[str, Any]:
    """The Helm chart's values that make it render these rules (deploy/helm/chatops)."""
    rbac: dict[str, Any] = {"impersonate": {"users": list(imp.users),
                                            "groups": list(imp.groups),
                                            "userExtras": list(imp.user_extras)}}
    if roles is not None:
        rbac["identities"] = {suffix: {"user": user, "rules": rules}
                              for suffix, user, rules in role_specs(roles)}
    return {"rbac": rbac}
