"""Watch detection and the tracker: which objects raise which alerts, once per condition
while it lasts, resolved when it clears (also when a re-list no longer has the object)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chatops.ports import WatchEvent
from chatops.watches.detect import (
    CRASH_LOOP,
    IMAGE_PULL,
    JOB_FAILED,
    NODE_NOT_READY,
    OOM_KILLED,
    PENDING,
    owner_deployment,
    pod_conditions,
)
from chatops.watches.tracker import Tracker
from tests.watches.objects import genuine, replicaset, rs_ref

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def pod(name: str, *, waiting: str | None = None, last: str | None = None,
        phase: str = "Running", created: str = "2026-12-01T11:59:00Z",
        deployment: str | None = "api", namespace: str = "dev") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "creationTimestamp": created}
    if deployment:
        meta["labels"] = {"pod-template-hash": "5d8f"}
        meta["ownerReferences"] = [rs_ref(f"{deployment}-5d8f")]
    status: dict[str, Any] = {"name": "app", "state": {}}
    if waiting:
        status["state"] = {"waiting": {"reason": waiting, "message": "<@U0BOSS> hostile"}}
    if last:
        status["lastState"] = {"terminated": {"reason": last}}
    return {"metadata": meta, "status": {"phase": phase, "containerStatuses": [status]}}


def event(kind: str, *objects: dict[str, Any], resource: str = "pods",
          namespace: str | None = "dev") -> WatchEvent:
    return WatchEvent(resource, kind, namespace, objects,  # type: ignore[arg-type]
                      replicasets=genuine(objects) if resource == "pods" else {})


def tracker(now: datetime = NOW) -> Tracker:
    return Tracker(pending_after=600, clock=lambda: now.timestamp())


def test_pod_conditions_name_the_deployment_and_never_quote_the_cluster() -> None:
    crashing = pod("api-5d8f-x1", waiting="CrashLoopBackOff", last="OOMKilled")
    found = pod_conditions(crashing, NOW, 600, genuine([crashing]))
    assert {c.alertname for c in found} == {CRASH_LOOP, OOM_KILLED}
    for condition in found:
        assert dict(condition.labels) == {"alertname": condition.alertname, "namespace": "dev",
                                          "deployment": "api", "severity": "warning",
                                          "source": "chatops-watch"}
    bare = pod_conditions(pod("lonely", waiting="ErrImagePull", deployment=None), NOW, 600)
    assert [dict(c.labels)["pod"] for c in bare] == ["lonely"]
    assert {c.alertname for c in bare} == {IMAGE_PULL}
    # A name that is not a Kubernetes name is never copied into a label.
    hostile = {"metadata": {"namespace": "dev", "ownerReferences": [rs_ref("<@U1>-h")]}}
    assert owner_deployment(hostile, genuine([hostile])) is None


def test_a_pod_belongs_to_a_deployment_only_through_its_real_controller_replicaset() -> None:
    """A pod writes its own owner references, labels and name: none of them alone makes it
    a deployment's. Only the watcher's read of the ReplicaSet it names (same uid, itself
    controlled by a Deployment) does; anything else is alerted on by the pod's name."""
    real = pod("checkout-5d8f-a", deployment="checkout")
    reads = genuine([real])
    assert owner_deployment(real, reads) == "checkout"

    def claims(*refs: dict[str, Any]) -> dict[str, Any]:
        forged = pod("checkout-5d8f-zz", waiting="CrashLoopBackOff", deployment=None)
        forged["metadata"]["labels"] = {"pod-template-hash": "5d8f"}
        forged["metadata"]["ownerReferences"] = list(refs)
        return forged

    good = rs_ref("checkout-5d8f")
    forgeries: dict[str, tuple[dict[str, Any], dict[str, Mapping[str, Any]]]] = {
        "nothing read for it": (claims(good), {}),
        "a uid that is not the ReplicaSet's": (claims({**good, "uid": "made-up"}), reads),
        "not marked as controller": (claims({**good, "controller": False}), reads),
        "another API group's ReplicaSet": (claims({**good, "apiVersion": "evil.io/v1"}),
                                           reads),
        "a ReplicaSet no Deployment controls": (
            claims(good), {good["uid"]: replicaset("checkout-5d8f", "dev", None)}),
        "a ReplicaSet of another namespace": (
            claims(good), {good["uid"]: replicaset("checkout-5d8f", "prod", "checkout")}),
        "a second, non-controller reference after a bad controller": (
            claims({**good, "uid": "made-up"}, {**good, "controller": False}), reads),
    }
    for why, (forged, replicasets) in forgeries.items():
        assert owner_deployment(forged, replicasets) is None, why
        found = pod_conditions(forged, NOW, 600, replicasets)
        assert [dict(c.labels).get("pod") for c in found] == ["checkout-5d8f-zz"], why
        assert all("deployment" not in c.labels for c in found), why


def test_a_condition_fires_once_for_all_pods_of_a_deployment_and_resolves_with_the_last() -> None:
    t = tracker()
    fired = t.apply(event("ADDED", pod("api-5d8f-a", waiting="CrashLoopBackOff")))
    assert [(a.status, a.name) for a in fired] == [("firing", CRASH_LOOP)]
    assert t.apply(event("MODIFIED", pod("api-5d8f-a", waiting="CrashLoopBackOff"))) == []
    assert t.apply(event("ADDED", pod("api-5d8f-b", waiting="CrashLoopBackOff"))) == []
    assert t.apply(event("MODIFIED", pod("api-5d8f-a"))) == []
    resolved = t.apply(event("DELETED", pod("api-5d8f-b", waiting="CrashLoopBackOff")))
    assert [(a.status, a.fingerprint) for a in resolved] == [("resolved", fired[0].fingerprint)]
    again = t.apply(event("MODIFIED", pod("api-5d8f-a", waiting="CrashLoopBackOff")))
    assert again[0].fingerprint == fired[0].fingerprint  # the same thread folds it


def test_a_relist_resolves_what_is_gone_and_keeps_what_is_still_wrong() -> None:
    t = tracker()
    t.apply(event("ADDED", pod("api-5d8f-a", waiting="CrashLoopBackOff")))
    t.apply(event("ADDED", pod("web-5d8f-a", waiting="ImagePullBackOff", deployment="web")))
    changes = t.apply(event("RELISTED", pod("api-5d8f-a", waiting="CrashLoopBackOff")))
    assert [(a.status, a.labels["deployment"]) for a in changes] == [("resolved", "web")]
    # A re-list of another namespace leaves this one alone.
    assert t.apply(event("RELISTED", namespace="prod")) == []
    assert [c.alertname for c in t.active()] == [CRASH_LOOP]


def test_pending_fires_only_after_the_limit_as_time_passes() -> None:
    now = [NOW.timestamp()]
    t = Tracker(pending_after=600, clock=lambda: now[0])
    assert t.apply(event("ADDED", pod("api-5d8f-p", phase="Pending",
                                      created="2026-12-01T11:55:00Z"))) == []
    assert t.tick() == []
    now[0] += 301
    assert [a.name for a in t.tick()] == [PENDING]
    assert t.tick() == []


def test_jobs_and_nodes() -> None:
    t = tracker()
    job = {"metadata": {"name": "report-1", "namespace": "dev",
                        "ownerReferences": [{"kind": "CronJob", "name": "report"}]},
           "status": {"conditions": [{"type": "Failed", "status": "True"}]}}
    fired = t.apply(event("ADDED", job, resource="jobs"))
    assert [(a.name, a.labels["cronjob"], a.labels["job_name"]) for a in fired] == [
        (JOB_FAILED, "report", "report-1")]
    node = {"metadata": {"name": "node-1"},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}
    fired = t.apply(event("MODIFIED", node, resource="nodes", namespace=None))
    assert [(a.name, a.labels["node"]) for a in fired] == [(NODE_NOT_READY, "node-1")]
    node["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    assert [a.status for a in t.apply(event("MODIFIED", node, resource="nodes",
                                            namespace=None))] == ["resolved"]
