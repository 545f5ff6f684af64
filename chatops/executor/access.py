"""Which Kubernetes requests each verb makes, and whether an identity may make them.

An approval counts only if the approver's own identity could make the change: the bot asks
the API server, as itself, with a SubjectAccessReview (`authorization.k8s.io/v1`) per
request of the plan's steps, naming the approver's user and groups. `ACCESS` is the one
table of those requests, verb by verb, kept next to the implementations it describes: it
names what the code sends (`scale` patches the deployment itself, not its `/scale`
subresource; a drain cordons the node and evicts pods in every namespace), so an approver
passes exactly when a run as them would be let through. A verb without an entry fails
`tests/security/test_approver_rights.py` and makes `KubeExecutor` refuse to start.

Incidental reads of a write (the deployment's pods and ReplicaSets, read for the blast
radius) are left out: the entries name the change itself, and for read verbs what they read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kubernetes import client as k8s

from chatops.errors import Permanent
from chatops.executor.client import Kube, Target
from chatops.executor.registry import Params
from chatops.model import Identity, Step
from chatops.verbs import VERBS

AUTHENTICATED = "system:authenticated"
"""The API server adds this group to every impersonated (non-anonymous) user, so a review
of what a run as them may do names it too."""


@dataclass(frozen=True)
class Access:
    """One kind of request: `patch` on `deployments` (group `apps`) `web` in `prod`.

    `namespace` None is every namespace for a namespaced resource (`all_namespaces`), or
    nothing for a cluster-scoped one (nodes); `name` None is any object."""

    verb: str
    resource: str
    group: str = ""
    subresource: str = ""
    namespace: str | None = None
    name: str | None = None
    all_namespaces: bool = False

    def describe(self) -> str:
        """`patch deployments web in namespace prod`, `create pods/eviction in every
        namespace`, `patch nodes node-1`."""
        what = f"{self.resource}/{self.subresource}" if self.subresource else self.resource
        text = f"{self.verb} {what}" + (f" {self.name}" if self.name else "")
        if self.namespace:
            return f"{text} in namespace {self.namespace}"
        return f"{text} in every namespace" if self.all_namespaces else text


AccessFn = Callable[[Params], tuple[Access, ...]]


def _in_namespace(verb: str, resource: str, group: str = "", *, name: str | None = None,
                  subresource: str = "") -> AccessFn:
    """A request in the step's `namespace`, on the object its parameter `name` names (any
    object when the parameter is absent or not given)."""
    def accesses(p: Params) -> tuple[Access, ...]:
        named = p.opt_s(name) if name else None
        return (Access(verb, resource, group, subresource, p.s("namespace"), named),)
    return accesses


def _anywhere(verb: str, resource: str, group: str = "") -> AccessFn:
    """A request in the step's optional `namespace`, else in every namespace."""
    def accesses(p: Params) -> tuple[Access, ...]:
        namespace = p.opt_s("namespace")
        return (Access(verb, resource, group, namespace=namespace,
                       all_namespaces=namespace is None),)
    return accesses


def _node(verb: str) -> AccessFn:
    """A request on the node the step's `node` parameter names (any node without one)."""
    def accesses(p: Params) -> tuple[Access, ...]:
        return (Access(verb, "nodes", name=p.opt_s("node")),)
    return accesses


def _both(*fns: AccessFn) -> AccessFn:
    def accesses(p: Params) -> tuple[Access, ...]:
        return tuple(a for fn in fns for a in fn(p))
    return accesses


def _all_pods(verb: str, subresource: str = "") -> AccessFn:
    """Pods wherever they are (a node's pods live in any namespace)."""
    def accesses(p: Params) -> tuple[Access, ...]:
        return (Access(verb, "pods", subresource=subresource, all_namespaces=True),)
    return accesses


_SCANNED = (("deployments", "apps"), ("replicasets", "apps"), ("statefulsets", "apps"),
            ("daemonsets", "apps"), ("jobs", "batch"), ("cronjobs", "batch"),
            ("horizontalpodautoscalers", "autoscaling"))
"""What a whole-namespace `diagnose` lists besides pods and events (`health.py`)."""


def _diagnose(p: Params) -> tuple[Access, ...]:
    """One deployment's or pod's diagnosis reads its pods and events; a namespace's scan
    lists every workload kind too."""
    base = _both(_in_namespace("list", "pods"), _in_namespace("list", "events"))(p)
    if p.opt_s("deployment") or p.opt_s("pod"):
        return base
    return base + tuple(Access("list", resource, group, namespace=p.s("namespace"))
                        for resource, group in _SCANNED)


ACCESS: Mapping[str, AccessFn] = {
    # reads
    "list_pods": _in_namespace("list", "pods"),
    "get_deployment": _in_namespace("get", "deployments", "apps", name="deployment"),
    "describe_pod": _in_namespace("get", "pods", name="pod"),
    "pod_logs": _in_namespace("get", "pods", name="pod", subresource="log"),
    "list_events": _in_namespace("list", "events"),
    # The pods of every node are listed too: to count them, and one node's to show them.
    "list_nodes": _both(lambda p: (Access("get" if p.opt_s("node") else "list", "nodes",
                                          name=p.opt_s("node")),), _all_pods("list")),
    "rollout_history": _both(_in_namespace("get", "deployments", "apps", name="deployment"),
                             _in_namespace("list", "replicasets", "apps")),
    "list_images": _anywhere("list", "pods"),
    "diagnose": _diagnose,
    "pod_hygiene": _anywhere("list", "pods"),
    # the pods' usage comes from metrics.k8s.io when that is the configured source
    "rightsize": _both(_in_namespace("get", "deployments", "apps", name="deployment"),
                       _in_namespace("list", "pods"),
                       _in_namespace("list", "horizontalpodautoscalers", "autoscaling"),
                       _in_namespace("list", "pods", "metrics.k8s.io")),
    # changes
    "rollout_restart": _in_namespace("patch", "deployments", "apps", name="deployment"),
    "scale": _in_namespace("patch", "deployments", "apps", name="deployment"),
    "rollout_undo": _in_namespace("patch", "deployments", "apps", name="deployment"),
    "set_image": _in_namespace("patch", "deployments", "apps", name="deployment"),
    "set_resources": _in_namespace("patch", "deployments", "apps", name="deployment"),
    "delete_pod": _in_namespace("delete", "pods", name="pod"),
    "cordon": _node("patch"),
    "uncordon": _node("patch"),
    "drain": _both(_node("patch"), _all_pods("create", "eviction")),
    "suspend_cronjob": _in_namespace("patch", "cronjobs", "batch", name="cronjob"),
    "resume_cronjob": _in_namespace("patch", "cronjobs", "batch", name="cronjob"),
    # the autoscaler is found by its target, so it may be any of the namespace's
    "patch_hpa": _in_namespace("patch", "horizontalpodautoscalers", "autoscaling"),
    # verifications
    "wait_rollout": _in_namespace("get", "deployments", "apps", name="deployment"),
    "wait_pods_ready": _in_namespace("list", "pods"),
    # the pod itself, then the replicaset that owned it and that replicaset's pods
    "wait_pod_replaced": _both(_in_namespace("get", "pods", name="pod"),
                               _in_namespace("get", "replicasets", "apps"),
                               _in_namespace("list", "pods")),
    "wait_node_cordoned": _node("get"),
    "wait_node_uncordoned": _node("get"),
    "wait_node_drained": _both(_node("get"), _all_pods("list")),
    "wait_cronjob_suspended": _in_namespace("get", "cronjobs", "batch", name="cronjob"),
    "wait_hpa": _in_namespace("list", "horizontalpodautoscalers", "autoscaling"),
}


def missing() -> tuple[str, ...]:
    """Declared verbs without an entry in `ACCESS`, sorted."""
    return tuple(sorted(set(VERBS) - set(ACCESS)))


def accesses(step: Step) -> tuple[Access, ...]:
    """The requests `step` makes; a verb without an entry is refused (never "nothing")."""
    fn = ACCESS.get(step.verb)
    if fn is None:
        raise Permanent(f"the requests of verb {step.verb} are unknown, so no one's right to "
                        "make them can be checked.")
    return fn(Params(step.params))


def first_denied(kube: Kube, identity: Identity, steps: Iterable[Step]) -> Access | None:
    """The first request of `steps` that `identity` may not make, or None when it may make
    them all. `kube` is the bot's own view: the reviews are created as the bot. Errors (the
    API server unreachable, the bot not allowed to ask) raise, never answer "allowed"."""
    api = k8s.AuthorizationV1Api(kube.api)
    asked: set[Access] = set()
    for step in steps:
        for access in accesses(step):
            if access in asked:
                continue
            asked.add(access)
            if not _allowed(kube, api, identity, access):
                return access
    return None


def _allowed(kube: Kube, api: k8s.AuthorizationV1Api, identity: Identity,
             access: Access) -> bool:
    groups = list(dict.fromkeys((*identity.groups, AUTHENTICATED)))
    body = k8s.V1SubjectAccessReview(spec=k8s.V1SubjectAccessReviewSpec(
        user=identity.user, groups=groups,
        resource_attributes=k8s.V1ResourceAttributes(
            verb=access.verb, group=access.group, resource=access.resource,
            subresource=access.subresource or None, namespace=access.namespace,
            name=access.name)))
    review = kube.json(Target("create", "subjectaccessreviews"),
                       api.create_subject_access_review, body)
    status = review.get("status") or {}
    return status.get("allowed") is True and not status.get("denied")
