"""A watched workload cannot pin its alert on someone else's deployment. On the sandbox: a
crash-looping ReplicaSet that no Deployment owns, named and labelled like `checkout-api`'s
(`checkout-api-<hash>`, `pod-template-hash: <hash>`), in a namespace where an `auto: true`
restart rule applies. Its alert used to say `deployment=checkout-api` (the watch trusted
the owner's name and the hash label), and `checkout-api` was restarted automatically, up to
the rule's hourly limit, as often as the pods crashed; a pod-only alert was pinned the same
way by its name. Now a pod belongs to a deployment only through its controller ReplicaSet,
read by the watch, with the uid the pod names and a Deployment as its own controller; the
forged one raises an alert about the pod, and a deployment guessed from a pod's name is
proposed, never run automatically. A genuine crash-looping deployment next to it is still
attributed and fixed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chatops.alerts.autofix import target_of
from chatops.audit import AuditLog
from chatops.runbook.catalogue import Catalogue
from chatops.runtime import Runtime
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World
from tests.slack.mock_slack import MockSlack
from tests.watches.conftest import serve
from tests.watches.test_watch_sandbox import auto_rules, grant_auto

__all__ = ["serve"]

CRASHLOOP = {"sandbox.chatops.dev/crashloop": "true"}
HASH = "6f7c9d8b5"


def crashing_template(app: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": app, **labels}, "annotations": CRASHLOOP},
            "spec": {"terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "app", "image": "ghcr.io/acme/calc:2.4.1"}]}}


def alert_labels(audit: AuditLog) -> list[dict[str, str]]:
    return [dict(e.data.get("labels", {})) for e in audit.list(kind="alert", limit=500)
            if e.data.get("labels", {}).get("alertname") == "KubePodCrashLooping"]


@pytest.mark.k8s
def test_a_forged_replicaset_cannot_get_another_deployment_restarted(
        world: World, serve: Callable[..., Runtime], slack_api: MockSlack,
        catalogue: Catalogue) -> None:
    from kubernetes import client

    grant_auto(world)
    dev = world.ns["dev"]
    apps = client.AppsV1Api(world.api)
    # The attacker's: a bare ReplicaSet dressed as checkout-api's.
    apps.create_namespaced_replica_set(dev, {  # type: ignore[arg-type]
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"checkout-api-{HASH}", "namespace": dev},
        "spec": {"replicas": 1,
                 "selector": {"matchLabels": {"app": "forged", "pod-template-hash": HASH}},
                 "template": crashing_template("forged", **{"pod-template-hash": HASH})}})
    # A genuine crash-looping deployment (its restart fails fast: a short deadline).
    apps.create_namespaced_deployment(dev, {  # type: ignore[arg-type]
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "calc-app", "namespace": dev},
        "spec": {"replicas": 1, "progressDeadlineSeconds": 5,
                 "selector": {"matchLabels": {"app": "calc-app"}},
                 "template": crashing_template("calc-app")}})
    serve(world, auto_rules(catalogue, dev), (dev,))
    audit = AuditLog(world.audit_db)
    genuine = target_of("restart_deployment", {"namespace": dev, "deployment": "calc-app"})
    wait_for(lambda: [e for e in audit.list(kind="auto_fix", limit=100)
                      if e.data["target"] == genuine], timeout=150,
             what="the genuine deployment's automatic restart")
    forged = wait_for(lambda: [labels for labels in alert_labels(audit)
                               if labels.get("pod", "").startswith(f"checkout-api-{HASH}-")
                               or labels.get("deployment") == "checkout-api"],
                      timeout=120, what="the forged pods' crash-loop alert")
    assert all("deployment" not in labels for labels in forged), forged
    assert {labels.get("deployment") for labels in alert_labels(audit)} >= {"calc-app"}
    # The forged alert's thread has had its answer: a proposal at most, never a run.
    wait_for(lambda: [c for c in slack_api.of("chat.postMessage")
                      if "checkout-api" in c.text() and c.args.get("thread_ts")],
             timeout=90, what="the forged alert's answer")
    ran = [e.data["target"] for e in audit.list(kind="auto_fix", limit=100)]
    assert all("deployment=checkout-api" not in t for t in ran), ran
    checkout = apps.read_namespaced_deployment("checkout-api", dev)
    annotations = checkout.spec.template.metadata.annotations or {}  # type: ignore[union-attr]
    assert "kubectl.kubernetes.io/restartedAt" not in annotations
