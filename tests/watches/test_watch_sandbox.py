"""Scenarios on the sandbox: cluster watches raise their own alerts through the alert
engine (a thread with a diagnosis, as for Alertmanager's), a compacted resourceVersion
(410 Gone) makes the watch list again, and an `auto: true` rule restarts in dev by itself,
within its hourly limit, and demotes itself to proposing after a run that failed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chatops.alerts.autofix import AutoFixStore, target_of
from chatops.alerts.payloads import Alert
from chatops.alerts.rules import parse_rules
from chatops.audit import AuditLog
from chatops.executor.watch import KubeWatcher
from chatops.model import Identity
from chatops.ports import WatchEvent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.runtime import Runtime
from chatops.slack.blocks import APPROVE
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World
from tests.slack.mock_slack import MockSlack
from tests.watches.conftest import ALERTS, in_thread, roots

CRASH_RULE = {"name": "crash-looping pod", "match": {"alertname": "KubePodCrashLooping"},
              "diagnostics": ["diagnose"], "remediation": "restart_deployment"}
AUTO_AS = {"user": "chatops:auto-dev", "groups": ["chatops:auto"]}
VIEWER = Identity("chatops:alerts", ("chatops:viewers",))


def auto_rules(catalogue: Catalogue, dev: str, max_per_hour: int = 3) -> Any:
    return parse_rules({"channels": [ALERTS], "rules": [
        {**CRASH_RULE, "name": "crash-looping pod in dev", "auto": True, "namespaces": [dev],
         "as": AUTO_AS, "max_per_hour": max_per_hour},
    ]}, catalogue)


def grant_auto(world: World) -> None:
    """The automatic identity may operate workloads in dev (a RoleBinding, as an operator
    would grant it), and nowhere else."""
    from kubernetes import client

    dev = world.ns["dev"]
    prefix = dev.removesuffix("dev")
    client.RbacAuthorizationV1Api(world.api).create_namespaced_role_binding(dev, {  # type: ignore[arg-type]
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "chatops-auto"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": f"{prefix}chatops-operator"},
        "subjects": [{"kind": "Group", "name": "chatops:auto",
                      "apiGroup": "rbac.authorization.k8s.io"}]})


def crash_alert(namespace: str, deployment: str, n: int) -> Alert:
    labels = {"alertname": "KubePodCrashLooping", "namespace": namespace,
              "deployment": deployment, "severity": "warning", "instance": f"i{n}"}
    return Alert(fingerprint=f"fp{n}{uuid.uuid4().hex[:6]}", status="firing", labels=labels)


def texts(slack: MockSlack) -> list[str]:
    return [c.text() for c in slack.of("chat.postMessage")]


@pytest.mark.k8s
def test_a_crash_looping_deployment_becomes_a_thread_with_a_diagnosis(
        world: World, serve: Callable[..., Runtime], slack_api: MockSlack,
        catalogue: Catalogue) -> None:
    rules = parse_rules({"channels": [ALERTS], "rules": [CRASH_RULE]}, catalogue)
    runtime = serve(world, rules, (world.ns["prod"],))
    assert runtime.watches is not None

    def crash_root(calls: Any) -> Any:
        return [c for c in roots(calls) if "KubePodCrashLooping" in c.text()
                and "deployment=calc-app" in c.text()]
    root = slack_api.wait(crash_root, timeout=120, what="the crash-loop thread")[0]
    assert root.text().startswith("[FIRING] KubePodCrashLooping")
    assert "source=chatops-watch" in root.text()
    thread = slack_api.wait(lambda calls: len(in_thread(calls, root.ts)) >= 2
                            and in_thread(calls, root.ts), timeout=90,
                            what="the diagnosis and the proposal")
    diagnosis, plan = thread[0], thread[1]
    assert "crash" in diagnosis.text().lower() and "restart_deployment" in diagnosis.text()
    assert f"{APPROVE}:" in plan.text() and "calc-app" in plan.text()
    # One alert per condition while it lasts: more crash-loop events fold, no second thread.
    alerts = AuditLog(world.audit_db).list(kind="alert", limit=500)
    crash = [a for a in alerts if a.data.get("labels", {}).get("deployment") == "calc-app"
             and a.data.get("labels", {}).get("alertname") == "KubePodCrashLooping"]
    assert crash and {a.data["source"] for a in crash} == {"watch"}
    assert len(crash_root(slack_api.calls)) == 1
    # The watch stops with the runtime (and on losing the Lease: the same `turn`).
    runtime.watches.turn(False)
    assert not runtime.watches.source.running


@pytest.mark.k8s
def test_a_watch_the_server_ends_resumes_from_its_last_resource_version(world: World) -> None:
    """`timeout_seconds` ends every watch: the next one starts where it stopped, without a
    list (one RELISTED only), and still sees what changes."""
    from kubernetes import client

    namespace = world.ns["staging"]
    events: list[WatchEvent] = []
    watcher = KubeWatcher(world.executor.kube(VIEWER), (namespace,), nodes=False, jobs=False,
                          timeout_seconds=1)
    watcher.start(events.append)
    try:
        wait_for(lambda: any(e.type == "RELISTED" for e in events), timeout=30,
                 what="the first list")
        first = watcher.versions()[("pods", namespace)]
        wait_for(lambda: watcher.watches >= 3, timeout=30, what="three watches in a row")
        client.CoreV1Api(world.api).delete_collection_namespaced_pod(
            namespace, label_selector="app=checkout-api")
        wait_for(lambda: any(e.type == "DELETED" for e in events), timeout=60,
                 what="the deletions, seen by a resumed watch")
    finally:
        watcher.stop()
    assert [e.type for e in events].count("RELISTED") == 1
    assert watcher.relists == 0
    assert int(watcher.versions()[("pods", namespace)]) > int(first)


@pytest.mark.k8s
def test_an_auto_rule_restarts_in_dev_within_its_hourly_limit(
        world: World, serve: Callable[..., Runtime], slack_api: MockSlack,
        catalogue: Catalogue) -> None:
    grant_auto(world)
    dev = world.ns["dev"]
    runtime = serve(world, auto_rules(catalogue, dev, max_per_hour=2), (world.ns["staging"],))
    assert runtime.alerts is not None
    # Three alerts on one target (another instance each): two run, the third is proposed.
    for n in range(3):
        runtime.alerts.receive([crash_alert(dev, "checkout-api", n)], channel=ALERTS,
                               source="test")
    # The same rule outside its namespaces only proposes.
    runtime.alerts.receive([crash_alert(world.ns["prod"], "checkout-api", 7)], channel=ALERTS,
                           source="test")
    done = slack_api.wait(lambda calls: [t for t in (c.text() for c in calls)
                                         if "Automatic restart_deployment" in t
                                         and "succeeded" in t], timeout=150,
                          what="the automatic restarts' results")
    wait_for(lambda: len([t for t in texts(slack_api)
                          if "Automatic restart_deployment" in t]) >= 2,
             timeout=150, what="both automatic restarts to finish")
    held = [t for t in texts(slack_api) if "Not fixed automatically" in t]
    assert len(held) == 1 and "limit 2" in held[0]
    assert "cannot be undone" in done[0]
    audit = AuditLog(world.audit_db)
    ran = [e for e in audit.list(kind="auto_fix", limit=100) if e.data["outcome"] != "approved"]
    assert [e.data["outcome"] for e in ran] == ["succeeded", "succeeded"]
    assert {e.data["user"] for e in ran} == {"chatops:auto-dev"}
    assert [e.data["reason"] for e in audit.list(kind="auto_fix_held")] == ["rate_limit"]
    steps = audit.list(kind="step", limit=100)
    assert {s.actor for s in steps if s.run_id in {e.run_id for e in ran}} == {
        "chatops:auto-dev"}
    # The held alert's proposal waits for approval, like any other.
    proposed = wait_for(lambda: len([r for r in _runs(runtime)
                                     if r.state is RunState.PROPOSED]) == 2
                        and [r for r in _runs(runtime) if r.state is RunState.PROPOSED],
                        timeout=60, what="the two proposals")
    assert {r.raw_slots["namespace"] for r in proposed} == {dev, world.ns["prod"]}
    assert {r.runbook for r in proposed} == {"restart_deployment"}
    assert all(e.data["target"].find(world.ns["prod"]) < 0
               for e in audit.list(kind="auto_fix", limit=100))


def _runs(runtime: Runtime) -> list[Any]:
    db = runtime.runs.database.conn()
    ids = [row["id"] for row in db.execute("SELECT id FROM runs")]
    return [runtime.runs.get(i) for i in ids]


@pytest.mark.k8s
def test_an_auto_rule_demotes_itself_after_a_failed_verification(
        world: World, serve: Callable[..., Runtime], slack_api: MockSlack,
        catalogue: Catalogue) -> None:
    from kubernetes import client

    grant_auto(world)
    dev = world.ns["dev"]
    # A deployment that keeps crash-looping: a restart cannot fix it, and a short progress
    # deadline makes the rollout's verification fail for real, quickly.
    client.AppsV1Api(world.api).create_namespaced_deployment(dev, {  # type: ignore[arg-type]
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "calc-app", "namespace": dev, "labels": {"app": "calc-app"}},
        "spec": {"replicas": 1, "progressDeadlineSeconds": 5,
                 "selector": {"matchLabels": {"app": "calc-app"}},
                 "template": {"metadata": {"labels": {"app": "calc-app"}, "annotations": {
                     "sandbox.chatops.dev/crashloop": "true"}}, "spec": {
                     "terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "app", "image": "ghcr.io/acme/calc:2.4.1"}]}}}})
    runtime = serve(world, auto_rules(catalogue, dev), (dev,))
    failed = slack_api.wait(lambda calls: [c.text() for c in calls
                                           if "Automatic restart_deployment" in c.text()
                                           and "failed" in c.text()],
                            timeout=240, what="the automatic restart to fail verification")
    assert "off for this target" in failed[0]
    audit = AuditLog(world.audit_db)
    demoted = audit.list(kind="auto_fix_demoted")
    assert len(demoted) == 1
    verified = audit.list(run_id=demoted[0].data["run"], kind="verify")
    assert verified and verified[0].data["ok"] is False
    target = target_of("restart_deployment", {"namespace": dev, "deployment": "calc-app"})
    # Persisted: a store opened afresh (a restarted bot) still has it demoted.
    assert AutoFixStore(world.state_db).demoted(target) == demoted[0].data["run"]
    # The next alert on that target is proposed, not run.
    assert runtime.alerts is not None
    runtime.alerts.receive([crash_alert(dev, "calc-app", 9)], channel=ALERTS, source="test")
    held = slack_api.wait(lambda calls: [c.text() for c in calls
                                         if "Not fixed automatically" in c.text()],
                          timeout=60, what="the proposal instead of a run")
    assert demoted[0].data["run"] in held[0]
    assert [e.data["reason"] for e in audit.list(kind="auto_fix_held")] == ["demoted"]
    runs = [e for e in audit.list(kind="auto_fix", limit=50) if e.data["outcome"] != "approved"]
    assert [e.data["outcome"] for e in runs] == ["failed"]


@pytest.mark.k8s
def test_an_automatic_fix_with_an_undo_posts_an_undo_button_that_proposes_the_reverse(
        world: World, serve: Callable[..., Runtime], slack_api: MockSlack,
        catalogue: Catalogue) -> None:
    from kubernetes import client

    from chatops.model import Message

    prod = world.ns["prod"]
    client.RbacAuthorizationV1Api(world.api).create_namespaced_role_binding(prod, {  # type: ignore[arg-type]
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "chatops-auto"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": f"{prod.removesuffix('prod')}chatops-operator"},
        "subjects": [{"kind": "Group", "name": "chatops:auto",
                      "apiGroup": "rbac.authorization.k8s.io"}]})
    rules = parse_rules({"channels": [ALERTS], "rules": [
        {"name": "failing cronjob", "match": {"alertname": "KubeJobFailed"},
         "remediation": "suspend_cronjob", "auto": True, "namespaces": [prod], "as": AUTO_AS}]},
        catalogue)
    runtime = serve(world, rules, (world.ns["staging"],))
    assert runtime.alerts is not None
    runtime.alerts.receive([Alert(fingerprint="job1", status="firing", labels={
        "alertname": "KubeJobFailed", "namespace": prod, "cronjob": "nightly-report",
        "job_name": "nightly-report-1"})], channel=ALERTS, source="test")
    done = slack_api.wait(lambda calls: [c for c in calls if c.method == "chat.postMessage"
                                         and "Automatic suspend_cronjob" in c.text()],
                          timeout=120, what="the automatic suspension's result")[0]
    assert "succeeded" in done.text() and "resume_cronjob" in done.text()
    buttons = [e for b in done.args.get("blocks") or [] if b.get("type") == "actions"
               for e in b.get("elements", [])]
    assert [b.get("value") for b in buttons] == ["undo"]
    suspended = client.BatchV1Api(world.api).read_namespaced_cron_job("nightly-report", prod)
    assert suspended.spec.suspend is True
    # The button says `undo` in the thread as whoever clicked: the reverse is proposed for
    # approval like any request of theirs.
    replies = runtime.service.handle(Message(user="U0BOB", text="undo", channel=ALERTS,
                                             thread=done.args["thread_ts"], source="slack"))
    plans = [r for r in replies if r.run is not None]
    assert plans and plans[0].run is not None and plans[0].run.runbook == "resume_cronjob"
    assert plans[0].run.state == "proposed"
