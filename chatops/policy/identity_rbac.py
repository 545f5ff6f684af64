"""The rights of the bot's own identities, rendered from the runbook catalogue.

The bot impersonates two identities of its own (the alert rules' `diagnostics_identity` and
`preview_identity`). Whatever is bound to them, a stolen bot token has too, so they get
exactly what the runbooks need and nothing else:

* the diagnostics identity runs the read-only runbooks (an alert's diagnostics): `get`,
  `list` and `watch` on every resource a read runbook's verbs read, the exact verb on a
  subresource (`get pods/log`), and `list` on what its slots name (name lookups);
* the preview identity dry-runs the write and critical runbooks (an alert's proposed fix):
  each change request its verbs make (`patch deployments`, `create pods/eviction`, `delete
  pods`, ...), and `get`/`list` on what it changes and what a change reads first (the live
  object for the diff, a deployment's pods and ReplicaSets, a node's pods). A server-side
  dry run needs the same RBAC verb as the change itself, so this is also what a stolen token
  could change: workloads the runbooks touch, cluster-wide. `patch deployments` changes a
  pod template (mount any secret, run as any service account), so it is as strong as
  reading every namespace's secrets; the policy may never map a person to either user
  (`chatops.policy.rbac.check_apart`).

Both roles cover the whole catalogue, not only the runbooks the alert rules name, so a rules
change never needs new RBAC; the chart's schema admits only what this module can render.

The requests come from the executor's `ACCESS` table, injected as `RequestsOf` so that this
module stays free of `kubernetes`. No rule has a wildcard; each binding names the identity's
*user* only (its groups may be shared by people). The policy names no namespaces it limits
people to, so the roles are ClusterRoles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chatops.model import Identity, ParamValue, Risk
from chatops.verbs import VERBS, VerbSpec

READS = ("get", "list", "watch")
"""What the diagnostics identity may do with a resource it reads."""
PREVIEW_READS = ("get", "list")
"""What the preview identity may do with a resource it changes or reads before a change."""

METRICS_GROUP = "metrics.k8s.io"

SLOT_RESOURCES: Mapping[str, tuple[str, str]] = {
    "namespace": ("", "namespaces"), "deployment": ("apps", "deployments"),
    "container": ("apps", "deployments"), "pod": ("", "pods"), "node": ("", "nodes"),
    "cronjob": ("batch", "cronjobs")}
"""What a slot's name lookup lists (`Executor.names`), by slot type."""

READ_BEFORE_CHANGE: Mapping[tuple[str, str], tuple[tuple[str, str], ...]] = {
    # the blast radius (the deployment's pods) and the rollout history (its ReplicaSets)
    ("apps", "deployments"): (("", "pods"), ("apps", "replicasets")),
    # the pods a drain evicts, in every namespace
    ("", "nodes"): (("", "pods"),),
}
"""What a change reads besides the object it changes (left out of `ACCESS`)."""


class Request(Protocol):
    """One Kubernetes request a verb makes (`chatops.executor.access.Access`)."""

    @property
    def verb(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def subresource(self) -> str: ...


RequestsOf = Callable[[str, Mapping[str, ParamValue]], Iterable[Request]]
"""The requests of a verb with these parameters."""


@dataclass(frozen=True, order=True)
class Grant:
    """One allowed request: `patch` on `deployments` (group `apps`), `get` on `pods/log`."""

    group: str
    resource: str
    verb: str


@dataclass(frozen=True)
class IdentityRoles:
    """What the diagnostics and preview identities may do (sorted), and who they are."""

    diagnostics: tuple[Grant, ...]
    preview: tuple[Grant, ...]
    diagnostics_user: str | None = None
    preview_user: str | None = None


_SAMPLE: Mapping[str, ParamValue] = {"str": "x", "int": 1, "bool": True}


def _samples(spec: VerbSpec) -> tuple[dict[str, ParamValue], ...]:
    """Every parameter given, and only the required ones: a verb whose requests depend on
    an optional parameter (a node named or not, one deployment or a whole namespace)
    shows both."""
    full = {name: _SAMPLE[p.type] for name, p in spec.params.items()}
    return full, {name: v for name, v in full.items() if spec.params[name].required}


def verb_requests(verb: str, requests_of: RequestsOf) -> tuple[Request, ...]:
    """The requests `verb` can make, over its parameters' shapes."""
    spec = VERBS[verb]
    return tuple(r for params in _samples(spec) for r in requests_of(verb, params))


def _reads(group: str, resource: str, verbs: Iterable[str]) -> set[Grant]:
    return {Grant(group, resource, verb) for verb in verbs}


def diagnostics_grants(verbs: Iterable[str], slot_types: Iterable[str],
                       requests_of: RequestsOf) -> set[Grant]:
    """Read-only rights for read verbs and name lookups; a verb that asks to write raises."""
    grants: set[Grant] = set()
    for verb in verbs:
        for r in verb_requests(verb, requests_of):
            if r.verb not in READS:
                raise ValueError(f"read verb {verb} makes a {r.verb} request")
            if r.subresource:
                grants.add(Grant(r.group, f"{r.resource}/{r.subresource}", r.verb))
            else:
                # metrics.k8s.io serves no watch
                grants |= _reads(r.group, r.resource,
                                 PREVIEW_READS if r.group == METRICS_GROUP else READS)
    for slot_type in slot_types:
        if slot_type in SLOT_RESOURCES:
            grants |= _reads(*SLOT_RESOURCES[slot_type], ("list",))
    return grants


def preview_grants(verbs: Iterable[str], slot_types: Iterable[str],
                   requests_of: RequestsOf) -> set[Grant]:
    """The change requests of mutating verbs, exactly, and reads of what they touch."""
    grants: set[Grant] = set()
    for verb in verbs:
        for r in verb_requests(verb, requests_of):
            touched = (r.group, r.resource)
            grants |= _reads(*touched, PREVIEW_READS)
            for group, resource in READ_BEFORE_CHANGE.get(touched, ()):
                grants |= _reads(group, resource, PREVIEW_READS)
            if r.subresource:
                grants.add(Grant(r.group, f"{r.resource}/{r.subresource}", r.verb))
            elif r.verb not in PREVIEW_READS:
                grants.add(Grant(r.group, r.resource, r.verb))
    for slot_type in slot_types:
        if slot_type in SLOT_RESOURCES:
            grants |= _reads(*SLOT_RESOURCES[slot_type], ("list",))
    return grants


class RunbookLike(Protocol):
    """What is read of a runbook: its risk, its steps' verbs and its slots' types."""

    @property
    def risk(self) -> Risk: ...
    @property
    def steps(self) -> Iterable[Any]: ...
    @property
    def slots(self) -> Mapping[str, Any]: ...


def identity_roles(runbooks: Iterable[RunbookLike], requests_of: RequestsOf, *,
                   diagnostics: Identity | None = None,
                   preview: Identity | None = None) -> IdentityRoles:
    """The two identities' rights for `runbooks`: read runbooks' steps for diagnostics,
    write and critical runbooks' steps (dry-run; verifications never run in a preview)
    for the preview."""
    read_verbs: set[str] = set()
    write_verbs: set[str] = set()
    read_slots: set[str] = set()
    write_slots: set[str] = set()
    for runbook in runbooks:
        is_read = runbook.risk is Risk.READ
        (read_verbs if is_read else write_verbs).update(s.verb for s in runbook.steps)
        (read_slots if is_read else write_slots).update(s.type for s in runbook.slots.values())
    return IdentityRoles(
        diagnostics=tuple(sorted(diagnostics_grants(read_verbs, read_slots, requests_of))),
        preview=tuple(sorted(preview_grants(write_verbs, write_slots, requests_of))),
        diagnostics_user=diagnostics.user if diagnostics else None,
        preview_user=preview.user if preview else None)


def rules(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """RBAC rules for `grants`: one per API group and set of verbs, resources sorted."""
    by_resource: dict[tuple[str, str], list[str]] = {}
    for g in sorted(set(grants)):
        by_resource.setdefault((g.group, g.resource), []).append(g.verb)
    merged: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (group, resource), verbs in by_resource.items():
        order = [v for v in (*READS, "create", "update", "patch", "delete") if v in verbs]
        order += sorted(set(verbs) - set(order))
        merged.setdefault((group, tuple(order)), []).append(resource)
    return [{"apiGroups": [group], "resources": sorted(resources), "verbs": list(verbs)}
            for (group, verbs), resources in sorted(merged.items())]


def role_specs(roles: IdentityRoles) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(suffix, user, rules) of each identity that is named and needs something."""
    specs = []
    for suffix, user, grants in (("diagnostics", roles.diagnostics_user, roles.diagnostics),
                                 ("preview", roles.preview_user, roles.preview)):
        if user and grants:
            specs.append((suffix, user, rules(grants)))
    return specs
