"""Demo workloads and policy, as plain data (dicts) that the executor applies.

One healthy service, a crash-looping one, one with a bad image, a cronjob and an
autoscaler (on search-indexer), in `prod`, `staging` and `dev`; RBAC so that alice may
change things in dev only, the `sre` group (bob, carol, erin) everywhere including nodes,
and unmapped chat users may only read. Tests call `demo_documents(prefix)` with a unique
prefix so each test gets namespaces of its own.
"""

from __future__ import annotations

from typing import Any

CRASHLOOP = "sandbox.chatops.dev/crashloop"

DEMO_POLICY: dict[str, Any] = {
    "identities": {
        "alice": {"chat": ["U0ALICE"], "kube_user": "alice", "kube_groups": ["dev"]},
        "bob": {"chat": ["U0BOB"], "kube_user": "bob", "kube_groups": ["sre"]},
        "carol": {"chat": ["U0CAROL"], "kube_user": "carol",
                  "kube_groups": ["sre", "chatops-admins"]},
        "erin": {"chat": ["U0ERIN"], "kube_user": "erin", "kube_groups": ["sre"]},
        "mallory": {"chat": ["U0MALLORY"], "kube_user": "mallory", "kube_groups": ["interns"]},
    },
    "chat_groups": {"S0SRE": ["sre"]},
    "request": {"read": ["everyone"], "write": ["group:dev", "group:sre", "group:interns"],
                "critical": ["group:sre"]},
    "approve": {"write": ["group:sre"], "critical": ["group:sre"]},
    "approvals": {"read": 0, "write": 1, "critical": 2},
    "self_approval": [],
    "approval_expiry_minutes": 15,
    "unmapped": {"allow": "read", "kube_user": "chat:{user}", "kube_groups": ["chatops:viewers"]},
}


def demo_namespaces(prefix: str = "") -> dict[str, str]:
    """The demo's namespace names by role (`prod`, `staging`, `dev`), with `prefix`."""
    return {role: f"{prefix}{role}" for role in ("prod", "staging", "dev")}


def _deployment(ns: str, name: str, image: str, replicas: int,
                annotations: dict[str, str] | None = None) -> dict[str, Any]:
    labels = {"app": name}
    template_meta: dict[str, Any] = {"labels": labels}
    if annotations:
        template_meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}},
            "template": {"metadata": template_meta, "spec": {
                "terminationGracePeriodSeconds": 1,
                "containers": [{"name": "app", "image": image,
                                "resources": {"limits": {"memory": "128Mi"}}}],
            }},
        },
    }


def _cluster_roles(prefix: str) -> list[dict[str, Any]]:
    """What the demo's groups may do: operate workloads, operate nodes, or only look."""
    operate = {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": f"{prefix}chatops-operator"},
        "rules": [
            {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"],
             "verbs": ["get", "list", "watch", "patch", "update"]},
            {"apiGroups": ["apps"], "resources": ["deployments/scale"],
             "verbs": ["get", "patch", "update"]},
            # A namespace's health scan reads every kind of workload.
            {"apiGroups": ["apps"], "resources": ["statefulsets", "daemonsets"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["pods", "events", "namespaces"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]},
            {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
            {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["list"]},
            {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"],
             "verbs": ["get", "list", "patch", "update"]},
            {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"],
             "verbs": ["get", "list", "patch", "update"]},
            # rightsize reads current usage here when the metrics.k8s.io API is the source
            {"apiGroups": ["metrics.k8s.io"], "resources": ["pods"], "verbs": ["get", "list"]},
        ],
    }
    nodes = {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": f"{prefix}chatops-nodes"},
        "rules": [
            {"apiGroups": [""], "resources": ["nodes"],
             "verbs": ["get", "list", "watch", "patch", "update"]},
            {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
            {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"],
             "verbs": ["get", "list"]},
            {"apiGroups": ["apps"], "resources": ["daemonsets"], "verbs": ["get", "list"]},
        ],
    }
    viewers = {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": f"{prefix}chatops-viewer"},
        "rules": [
            {"apiGroups": ["", "apps", "batch", "autoscaling", "events.k8s.io"],
             "resources": ["pods", "pods/log", "events", "namespaces", "nodes", "deployments",
                           "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
                           "horizontalpodautoscalers"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["metrics.k8s.io"], "resources": ["pods"], "verbs": ["get", "list"]},
        ],
    }
    return [operate, nodes, viewers]


def _rbac(prefix: str, ns: dict[str, str]) -> list[dict[str, Any]]:
    """The demo's roles and which group has which (dev operates only its namespace)."""

    def cluster_binding(role: str, group: str) -> dict[str, Any]:
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": f"{prefix}{role}-{group.replace(':', '-')}"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": role if role == "cluster-admin" else f"{prefix}{role}"},
                "subjects": [{"kind": "Group", "name": group,
                              "apiGroup": "rbac.authorization.k8s.io"}]}

    dev_binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "chatops-operator-dev", "namespace": ns["dev"]},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": f"{prefix}chatops-operator"},
        "subjects": [{"kind": "Group", "name": "dev", "apiGroup": "rbac.authorization.k8s.io"}],
    }
    return [*_cluster_roles(prefix), dev_binding,
            cluster_binding("chatops-operator", "sre"),
            cluster_binding("chatops-nodes", "sre"),
            # Alert remediations are previewed (dry-run only) as chatops:alerts-preview, whose
            # role `chatops policy rbac` renders from the runbooks: `chatops demo` applies it.
            cluster_binding("chatops-viewer", "chatops:viewers"),
            cluster_binding("chatops-viewer", "dev"),
            cluster_binding("chatops-viewer", "interns"),
            cluster_binding("cluster-admin", "chatops-admins")]


def demo_documents(prefix: str = "") -> list[dict[str, Any]]:
    """Every object of the demo world, namespaces first, as plain manifests."""
    ns = demo_namespaces(prefix)
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        for name in ns.values()
    ]
    docs += [
        _deployment(ns["prod"], "checkout-api", "nginx:1.25", 3),
        _deployment(ns["prod"], "calc-app", "ghcr.io/acme/calc:2.4.1", 2,
                    annotations={CRASHLOOP: "true"}),
        _deployment(ns["prod"], "web-frontend", "nginx:bad", 1),
        _deployment(ns["staging"], "checkout-api", "nginx:1.25", 2),
        _deployment(ns["dev"], "checkout-api", "nginx:1.25", 1),
        # The autoscaler gets a deployment of its own: the HPA controller clamps replicas to
        # its bounds, which would fight the scale runbook on checkout-api.
        _deployment(ns["prod"], "search-indexer", "ghcr.io/acme/indexer:0.14.2", 2),
        {
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "search-indexer", "namespace": ns["prod"]},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": "search-indexer"},
                     "minReplicas": 1, "maxReplicas": 4,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization",
                                                   "averageUtilization": 70}}}]},
        },
        {
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "nightly-report", "namespace": ns["prod"]},
            "spec": {"schedule": "0 3 * * *", "suspend": False, "jobTemplate": {"spec": {
                "template": {"spec": {"restartPolicy": "OnFailure", "containers": [
                    {"name": "report", "image": "busybox:1.36"}]}}}}},
        },
    ]
    return docs + _rbac(prefix, ns)
