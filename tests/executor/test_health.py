"""`diagnose` with only a namespace: every workload scanned as the requester, unhealthy ones
first with the fitting runbook, then a line on what is healthy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client

from chatops.errors import Forbidden
from chatops.executor import KubeExecutor
from chatops.executor import diagnose as dg
from chatops.messages import records_text
from chatops.model import Identity, Step
from chatops.results import Finding, HealthSummary, Record
from tests.executor.helpers import create, deploy, deployment, statefulset
from tests.plugins.sandbox_fixtures import wait_for

CRASH = {"sandbox.chatops.dev/crashloop": "true"}


def scan(ex: KubeExecutor, namespace: str, identity: Identity | None = None
         ) -> tuple[list[Finding], HealthSummary, tuple[Record, ...]]:
    records = ex.run_step(Step("diagnose", {"namespace": namespace}), identity).records
    *findings, summary = records
    assert isinstance(summary, HealthSummary)
    assert all(isinstance(f, Finding) for f in findings)
    return [f for f in findings if isinstance(f, Finding)], summary, records


def failed_job(name: str) -> client.V1Job:
    return client.V1Job(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1JobSpec(backoff_limit=0, template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(annotations=CRASH),
            spec=client.V1PodSpec(restart_policy="Never", containers=[
                client.V1Container(name="migrate", image="shop/migrate:1.0")]))))


@pytest.mark.k8s
def test_namespace_scan_puts_the_unhealthy_first(ex: KubeExecutor, k8s_admin: Any,
                                                 namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    client.AppsV1Api(k8s_admin).create_namespaced_stateful_set(namespace, statefulset("db"))
    create(k8s_admin, namespace, deployment("crash", 1, image="shop/api:1.4",
                                            annotations=CRASH))
    client.CoreV1Api(k8s_admin).create_namespaced_pod(namespace, client.V1Pod(
        metadata=client.V1ObjectMeta(name="stuck"),
        spec=client.V1PodSpec(node_selector={"disk": "quantum"}, containers=[
            client.V1Container(name="app", image="nginx:1.25")])))
    client.BatchV1Api(k8s_admin).create_namespaced_job(namespace, failed_job("migrate"))

    def settled() -> tuple[list[Finding], HealthSummary, tuple[Record, ...]] | None:
        found = scan(ex, namespace)
        text = " ".join(f.explanation for f in found[0])
        wanted = ("restarted", "cannot be scheduled", "job migrate failed")
        ok = all(w in text for w in wanted) and found[1].statefulsets == 1
        return found if ok else None

    findings, summary, records = wait_for(settled, timeout=120, interval=1.0,
                                          what="the scan to see every failure")
    by_subject = {f.subject: f for f in findings}
    crash = next(f for f in findings if "crash-looping" in f.explanation)
    # A namespace scan shows no log lines, so it must not say they are below.
    assert "below" not in crash.explanation and "pod_logs" in crash.explanation
    assert crash.runbook == "restart_deployment"
    assert crash.slots == {"namespace": namespace, "deployment": "crash"}
    stuck = by_subject["pod stuck"]
    assert stuck.severity == "error" and stuck.outside_catalogue and stuck.runbook is None
    assert "node" in stuck.explanation and "selector" in stuck.explanation
    job = by_subject["job migrate"]
    assert job.severity == "error" and job.outside_catalogue
    assert "exited with code 1" in job.explanation
    # Errors first, in kind order: deployments, then jobs, then pods.
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["error", "warning", "info"].index)
    assert findings.index(crash) < findings.index(job) < findings.index(stuck)
    assert "web" not in " ".join(f.subject for f in findings)

    assert (summary.deployments, summary.statefulsets, summary.daemonsets,
            summary.jobs) == (1, 1, 0, 0)
    assert summary.problems == 3 and summary.more == 0 and summary.unchecked == ()
    # The crash-looping pods run (phase Running) but are not ready: never counted as such.
    assert summary.pods_ready < summary.pods - summary.pods_completed
    text = records_text(records)
    assert "[problem] deployment crash, container app: container app is crash-looping" in text
    assert "    suggested: restart_deployment" in text
    assert "1 deployment, 1 statefulset healthy; " in text.splitlines()[-1]
    assert text.index("[problem]") < text.index("healthy;")


@pytest.mark.k8s
def test_healthy_namespace_says_so(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    findings, summary, records = scan(ex, namespace)
    assert findings == [] and summary.deployments == 1 and summary.pods_ready == 2
    assert records_text(records) == (f"[ok] namespace {namespace}: nothing unhealthy found.\n"
                                     "1 deployment healthy; 2 pods ready.")


@pytest.mark.k8s
def test_scan_without_list_rights(k8s_admin: Any, namespace: str) -> None:
    ex = KubeExecutor(k8s_admin)
    nobody = Identity(f"nobody-{uuid.uuid4().hex[:6]}")
    with pytest.raises(Forbidden) as err:
        ex.run_step(Step("diagnose", {"namespace": namespace}), nobody)
    assert err.value.message == f"{nobody.user} may not list pods in namespace {namespace}."
    assert err.value.hint

    # Allowed pods and deployments only: the rest is named as not checked.
    rbac = client.RbacAuthorizationV1Api(k8s_admin)
    rbac.create_namespaced_role(namespace, client.V1Role(
        metadata=client.V1ObjectMeta(name="pods"),
        rules=[client.V1PolicyRule(api_groups=["", "apps"], resources=["pods", "deployments"],
                                   verbs=["list"])]))
    rbac.create_namespaced_role_binding(namespace, client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name="pods"),
        subjects=[client.RbacV1Subject(kind="User", name=nobody.user,
                                       api_group="rbac.authorization.k8s.io")],
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                  name="pods")))
    deploy(k8s_admin, namespace, deployment("web", 1))

    def allowed() -> HealthSummary | None:
        try:
            return scan(ex, namespace, nobody)[1]
        except Forbidden:
            return None

    summary = wait_for(allowed, timeout=30, what="RBAC to apply")
    assert summary.deployments == 1
    assert summary.unchecked == ("statefulsets", "daemonsets", "jobs", "cronjobs",
                                 "autoscalers", "events")
    assert records_text((summary,)).endswith(
        "Not checked (you may not list them): statefulsets, daemonsets, jobs, cronjobs,"
        " autoscalers, events.")


def cronjob(name: str, suspend: bool) -> client.V1CronJob:
    return client.V1CronJob(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1CronJobSpec(
            schedule="0 3 * * *", suspend=suspend, job_template=client.V1JobTemplateSpec(
                spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                    restart_policy="Never",
                    containers=[client.V1Container(name="r", image="report:1")]))))))


@pytest.mark.k8s
def test_a_suspended_cronjob_is_a_finding_of_the_scan(ex: KubeExecutor, k8s_admin: Any,
                                                      namespace: str) -> None:
    """A suspended cronjob runs nothing and fails nothing, so no other finding shows it: a
    backup paused during an incident and forgotten. The scan names it, with the resume one
    click away (suspension may be meant, so it is a warning, not an error)."""
    batch = client.BatchV1Api(k8s_admin)
    batch.create_namespaced_cron_job(namespace, cronjob("nightly-backup", suspend=True))
    batch.create_namespaced_cron_job(namespace, cronjob("report", suspend=False))
    findings, summary, records = scan(ex, namespace)
    (paused,) = findings
    assert paused.severity == "warning" and paused.subject == "cronjob nightly-backup"
    assert paused.runbook == "resume_cronjob"
    assert paused.slots == {"namespace": namespace, "cronjob": "nightly-backup"}
    assert "suspended" in paused.explanation and "never" in paused.explanation
    assert summary.cronjobs == 1 and summary.problems == 1
    assert records_text(records).splitlines()[-1].startswith("1 cronjob healthy; ")


def _running_pod(ready: bool) -> dict[str, Any]:
    return {"metadata": {"name": "web-1", "namespace": "prod",
                         "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": "shop/web:1"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "ready": ready, "restartCount": 0,
                 "state": {"running": {"startedAt": "2026-01-01T00:00:01Z"}}}]}}


def _unhealthy(message: str) -> dict[str, Any]:
    return {"reason": "Unhealthy", "type": "Warning", "message": message,
            "involvedObject": {"kind": "Pod", "name": "web-1",
                               "fieldPath": "spec.containers{app}"}}


def test_probe_findings_from_unhealthy_events() -> None:
    """The fake kubelet runs no probes, so this one is built from API JSON."""
    now = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    subject = dg.Subject("prod", "deployment web", [_running_pod(False)],
                         deployment_name="web")
    (readiness,) = dg.probe_findings(subject, [_unhealthy(
        "Readiness probe failed: HTTP probe failed with statuscode: 503")], now)
    assert readiness.severity == "error" and readiness.runbook == "pod_logs"
    assert readiness.slots == {"namespace": "prod", "pod": "web-1", "container": "app"}
    assert ("running but not ready in pod web-1: its readiness probe fails (Readiness probe "
            "failed: HTTP probe failed with statuscode: 503)") in readiness.explanation
    (starting,) = dg.probe_findings(subject, [], now)
    assert starting.severity == "warning" and "may still be starting" in starting.explanation
    live = dg.Subject("prod", "pod web-1", [_running_pod(True)])
    (liveness,) = dg.probe_findings(live, [_unhealthy("Liveness probe failed: timeout")], now)
    assert "the liveness probe of container app fails in pod web-1" in liveness.explanation
    assert dg.probe_findings(live, [], now) == []


def test_access_names_what_a_scan_lists() -> None:
    from chatops.executor.access import accesses

    scan_access = accesses(Step("diagnose", {"namespace": "prod"}))
    assert [(a.group, a.describe()) for a in scan_access] == [
        ("", "list pods in namespace prod"), ("", "list events in namespace prod"),
        ("apps", "list deployments in namespace prod"),
        ("apps", "list replicasets in namespace prod"),
        ("apps", "list statefulsets in namespace prod"),
        ("apps", "list daemonsets in namespace prod"),
        ("batch", "list jobs in namespace prod"),
        ("batch", "list cronjobs in namespace prod"),
        ("autoscaling", "list horizontalpodautoscalers in namespace prod")]
    one = accesses(Step("diagnose", {"namespace": "prod", "deployment": "web"}))
    assert [a.describe() for a in one] == ["list pods in namespace prod",
                                           "list events in namespace prod"]
    assert [a.describe() for a in accesses(Step("pod_hygiene", {}))] == [
        "list pods in every namespace"]


def _stuck_findings(ex: KubeExecutor, namespace: str, name: str) -> list[Finding] | None:
    """The stuck-rollout findings on `name`, from its own diagnosis and from the scan; None
    until both have one."""
    one = ex.run_step(Step("diagnose", {"namespace": namespace, "deployment": name}),
                      None).records
    found = [r for r in one if isinstance(r, Finding) and "is stuck" in r.explanation]
    found += [f for f in scan(ex, namespace)[0]
              if "is stuck" in f.explanation and f.subject == f"deployment {name}"]
    return found if len(found) == 2 else None


@pytest.mark.k8s
def test_a_stuck_rollout_offers_a_rollback_only_when_there_is_an_earlier_revision(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    apps = client.AppsV1Api(k8s_admin)
    # Revision 1 never came up: there is nothing to roll back to.
    first = deployment("first", 1, annotations=CRASH)
    first.spec.progress_deadline_seconds = 5
    create(k8s_admin, namespace, first)
    stuck = wait_for(lambda: _stuck_findings(ex, namespace, "first"), timeout=120, interval=1.0,
        what="the first revision's rollout to be stuck")
    assert all(f.runbook != "rollback_deployment" for f in stuck), stuck
    assert all("no earlier revision" in f.explanation for f in stuck), stuck
    # Revision 2 of a deployment that ran fine: the rollback to revision 1 is offered.
    deploy(k8s_admin, namespace, deployment("second", 1))
    second = apps.read_namespaced_deployment("second", namespace)
    second.spec.progress_deadline_seconds = 5
    second.spec.template.metadata.annotations = CRASH
    apps.replace_namespaced_deployment("second", namespace, second)
    stuck = wait_for(lambda: _stuck_findings(ex, namespace, "second"), timeout=120, interval=1.0,
        what="the second revision's rollout to be stuck")
    assert [f.runbook for f in stuck] == ["rollback_deployment"] * 2, stuck
    assert all(f.slots.get("revision") == "1" for f in stuck), stuck


@pytest.mark.k8s
def test_a_pod_no_node_has_room_for_offers_a_fix_in_the_catalogue(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    # A user trial: requests no node could fit were "outside the runbook catalogue", even
    # when the deployment's own newest change (a CPU request of 64) caused them.
    deploy(k8s_admin, namespace, deployment("web", 1))
    apps = client.AppsV1Api(k8s_admin)
    apps.patch_namespaced_deployment("web", namespace, {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "resources": {"requests": {"cpu": "64"}}}]}}}})
    create(k8s_admin, namespace, deployment("huge", 1, containers=[client.V1Container(
        name="app", image="nginx:1.25",
        resources=client.V1ResourceRequirements(requests={"cpu": "64"}))]))

    def scheduling() -> dict[str, Any] | None:
        found = {f.subject: f for f in scan(ex, namespace)[0]
                 if "cannot be scheduled" in f.explanation}
        return found if len(found) == 2 else None

    found = wait_for(scheduling, timeout=60, what="both pods to be unschedulable")
    web = next(f for s, f in found.items() if "web-" in s)
    huge = next(f for s, f in found.items() if "huge-" in s)
    assert web.runbook == "rollback_deployment" and web.slots["deployment"] == "web"
    assert not web.outside_catalogue
    assert huge.runbook == "set_resources" and huge.slots == {"namespace": namespace,
                                                              "deployment": "huge"}
    assert "cpu" in huge.explanation and not huge.outside_catalogue


def _rs(name: str, revision: int, cpu: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "prod", "uid": name,
                         "annotations": {"deployment.kubernetes.io/revision": str(revision)}},
            "spec": {"template": {"spec": {"containers": [
                {"name": "app", "resources": {"requests": {"cpu": cpu}}}]}}}}


def _pod(name: str, rs: str, *, pending: bool = False) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "metadata": {"name": name, "namespace": "prod", "ownerReferences": [
            {"kind": "ReplicaSet", "name": rs, "controller": True, "uid": rs}]},
        "spec": {"containers": [{"name": "app", "image": "web:v7"}]},
        "status": {"phase": "Pending" if pending else "Running"}}
    if pending:
        pod["status"]["conditions"] = [{"type": "PodScheduled", "status": "False",
                                        "message": "0/3 nodes are available: 3 Insufficient cpu."}]
    else:
        pod["spec"]["nodeName"] = "node-1"
    return pod


@pytest.mark.parametrize(("newest_cpu", "runbook"), [
    ("8", "rollback_deployment"),     # the newest revision asks for more: its change
    ("250m", "set_resources"),        # the same requests: the cluster is full (a scale-up)
])
def test_a_rollback_is_offered_only_when_the_newest_revision_asks_for_more(
        newest_cpu: str, runbook: str) -> None:
    # An attacker review: a scale-up no node had room for was offered a rollback of a
    # healthy release, because its pending pods were of the newest revision.
    pods = [_pod("web-7-a", "web-7"), _pod("web-7-b", "web-7", pending=True)]
    subject = dg.Subject("prod", "deployment web", pods, {"metadata": {"name": "web"}},
                         [_rs("web-7", 7, newest_cpu), _rs("web-6", 6, "250m")], "web")
    (finding,) = dg.scheduling_findings(pods, [], subject)
    assert finding.runbook == runbook


def _pod_of(replica_set: str, name: str, state: dict[str, Any],
            last: dict[str, Any] | None = None) -> dict[str, Any]:
    status = {"name": "app", "ready": False, "restartCount": 3, "state": state,
              **({"lastState": last} if last else {})}
    return {"metadata": {"name": name, "namespace": "prod",
                         "creationTimestamp": "2026-01-01T00:00:00Z",
                         "ownerReferences": [{"kind": "ReplicaSet", "name": replica_set,
                                              "controller": True, "uid": replica_set}]},
            "spec": {"containers": [{"name": "app", "image": "shop/web:1"}]},
            "status": {"phase": "Running", "containerStatuses": [status]}}


def _replica_set(name: str, revision: int) -> dict[str, Any]:
    return {"metadata": {"name": name, "uid": name, "annotations": {
        "deployment.kubernetes.io/revision": str(revision)}}, "spec": {"template": {}}}


def test_the_newest_revisions_problems_come_before_older_pods_ones() -> None:
    """A failed verification said why from the first finding of a diagnosis, and an older
    revision's pods (OOM-killed, the reason for the change) came before the crash of the
    pods the change started: the newest revision's problems are said first."""
    now = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    crashing = {"waiting": {"reason": "CrashLoopBackOff"}}
    pods = [
        _pod_of("web-old", "web-old-1", crashing, {"terminated": {"reason": "OOMKilled",
                                                                  "exitCode": 137}}),
        _pod_of("web-new", "web-new-1", crashing, {"terminated": {"reason": "Error",
                                                                  "exitCode": 1}}),
    ]
    subject = dg.Subject("prod", "deployment web", pods, {"metadata": {"name": "web"}},
                         [_replica_set("web-new", 2), _replica_set("web-old", 1)], "web")
    first, second = dg.problem_findings(subject, dg.find_problems(pods, now))
    assert "crash-looping in pod web-new-1" in first.explanation, first
    assert "OOMKilled" in second.explanation, second
    # An attacker review: a pod whose owner reference names the newest ReplicaSet, with
    # another uid, is not its pod (nor a reason to roll back).
    forged = [pods[0], {**pods[1], "metadata": {**pods[1]["metadata"], "ownerReferences": [
        {"kind": "ReplicaSet", "name": "web-new", "controller": True, "uid": "bogus"}]}}]
    lured = dg.Subject("prod", "deployment web", forged, {"metadata": {"name": "web"}},
                       [_replica_set("web-new", 2), _replica_set("web-old", 1)], "web")
    first, second = dg.problem_findings(lured, dg.find_problems(forged, now))
    assert "OOMKilled" in first.explanation and second.runbook != "rollback_deployment"
    # Without revisions to tell apart, the order is the kinds' (pulls, OOM kills, crashes).
    alone = dg.Subject("prod", "deployment web", pods, deployment_name="web")
    assert "OOMKilled" in dg.problem_findings(alone, dg.find_problems(pods, now))[0].explanation
