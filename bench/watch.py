"""Watch to thread latency: a pod starts crash looping -> the alert thread is posted.

    python bench/watch.py --runs 10          # starts a sandbox cluster, stops it afterwards
    python bench/watch.py --kubeconfig K     # against a running cluster (admin kubeconfig)

The bot runs as `chatops serve` builds it (`build_runtime` + `attach_slack`, loops started,
the cluster watch on one namespace), posting into a local Slack Web API. Each run creates a
deployment whose pod crash-loops (the sandbox's `sandbox.chatops.dev/crashloop`) and times,
from the moment an independent raw watch of the bench (the baseline observer) sees the pod
turn `CrashLoopBackOff`:

* the bot's watch event: the baseline, what the API server's watch delivery costs;
* the thread's root message posted (the alert through the engine and the outbox);
* the diagnosis posted in the thread (the rule's read-only `diagnose` run).

Runs are sequential (one deployment at a time) so that each thread is one run's.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kubernetes import client, config
from kubernetes.watch.watch import iter_resp_lines

from bench.executor import cluster  # the sandbox the executor bench starts, the same way
from chatops.alerts.rules import parse_rules
from chatops.audit import AuditLog
from chatops.cli.wiring import attach_slack, build_runtime
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.executor import KubeExecutor
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import load_catalogue
from chatops.runtime import Intervals
from chatops.stores import open_state
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack

CHANNEL = "C0ALERTS"


def cpu_model() -> str:
    """The CPU model from /proc/cpuinfo (or the platform's word for it)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def deployment(name: str) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels, "annotations": {
                         "sandbox.chatops.dev/crashloop": "true"}},
                         "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                             {"name": "app", "image": "ghcr.io/acme/calc:2.4.1"}]}}}}


class Observer:
    """The baseline: a raw watch that notes when each deployment's pod turns CrashLoopBackOff."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.core = client.CoreV1Api(api)
        self.namespace = namespace
        self.seen: dict[str, float] = {}
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        version = self.core.list_namespaced_pod(self.namespace).metadata.resource_version
        while not self._stop:
            resp = self.core.list_namespaced_pod(self.namespace, watch=True,
                                                 resource_version=version, timeout_seconds=5,
                                                 _preload_content=False)
            for line in iter_resp_lines(resp):  # type: ignore[no-untyped-call]
                event = json.loads(line)
                obj = event.get("object") or {}
                version = obj.get("metadata", {}).get("resourceVersion", version)
                app = obj.get("metadata", {}).get("labels", {}).get("app")
                for status in (obj.get("status") or {}).get("containerStatuses") or []:
                    waiting = (status.get("state") or {}).get("waiting") or {}
                    if waiting.get("reason") == "CrashLoopBackOff" and app not in self.seen:
                        self.seen[app] = time.monotonic()

    def stop(self) -> None:
        self._stop = True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="crash-looping deployments")
    parser.add_argument("--kubeconfig", type=Path, help="a running cluster (default: sandbox)")
    args = parser.parse_args()
    with cluster(args.kubeconfig) as kubeconfig:
        api = config.new_client_from_config(config_file=str(kubeconfig))  # type: ignore[no-untyped-call]
        namespace = f"bench-watch-{uuid.uuid4().hex[:5]}"
        core = client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": namespace}})
        wait(lambda: core.list_namespaced_service_account(namespace).items, 60,
             "the default service account")
        tmp = Path(tempfile.mkdtemp(prefix="bench-watch-db-"))
        slack = MockSlack().start()
        catalogue = load_catalogue()
        service = ConversationService(
            catalogue=catalogue, executor=KubeExecutor(api, poll_interval=0.2),
            policy=parse_policy(DEMO_POLICY), stores=open_state(tmp / "state.db"),
            audit=AuditLog(tmp / "audit.db"))
        # The burst limit (30 posts a minute by default) would queue later runs' posts
        # behind earlier ones: it is what a storm should meet, not what latency measures.
        rules = parse_rules({"channels": [CHANNEL], "burst": {"posts": 10000, "per_seconds": 60},
                             "rules": [
            {"name": "crash-looping pod", "match": {"alertname": "KubePodCrashLooping"},
             "diagnostics": ["diagnose"]}]}, catalogue)
        # The watch and the diagnosis read as the rules' viewer identity, as in production.
        rbac = client.RbacAuthorizationV1Api(api)
        rbac.create_namespaced_role(namespace, {"metadata": {"name": "chatops-viewer"}, "rules": [
            {"apiGroups": ["", "apps", "batch", "events.k8s.io"],
             "resources": ["pods", "pods/log", "events", "deployments", "replicasets", "jobs"],
             "verbs": ["get", "list", "watch"]}]})
        rbac.create_namespaced_role_binding(namespace, {
            "metadata": {"name": "chatops-viewers"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                        "name": "chatops-viewer"},
            "subjects": [{"kind": "Group", "name": rules.identity.groups[0],
                          "apiGroup": "rbac.authorization.k8s.io"}]})
        settings = replace(slack_settings(tmp, slack), alert_channel=CHANNEL,
                           watch_namespaces=(namespace,), watch_nodes=False)
        runtime = build_runtime(settings, service=service, alert_rules=rules,
                                intervals=Intervals(pump=0.05, watch=0.5))
        assert runtime.watches is not None
        raised: dict[str, float] = {}

        def on_alerts(alerts: list[Any]) -> None:
            for alert in alerts:
                if alert.status == "firing":
                    raised.setdefault(alert.labels.get("deployment", ""), time.monotonic())
        runtime.watches.on_alerts = on_alerts
        attach_slack(runtime, settings)
        runtime.start()
        observer = Observer(api, namespace)
        apps = client.AppsV1Api(api)
        event_ms: list[float] = []
        root_ms: list[float] = []
        diag_ms: list[float] = []
        try:
            wait(lambda: runtime.watches and runtime.watches.events, 30, "the watch to list")
            for i in range(args.runs):
                name = f"crash-{i}"
                apps.create_namespaced_deployment(namespace, deployment(name))
                seen = wait(lambda n=name: observer.seen.get(n), 120, f"{name} to crash-loop")
                root = wait(lambda n=name: [c for c in slack.of("chat.postMessage")
                                           if not c.args.get("thread_ts")
                                           and f"deployment={n} " in c.text()], 60,
                            f"{name}'s thread")[0]
                diag = wait(lambda r=root: [c for c in slack.of("chat.postMessage")
                                            if c.args.get("thread_ts") == r.ts], 60,
                            f"{name}'s diagnosis")[0]
                event_ms.append((raised[name] - seen) * 1000)
                root_ms.append((root.at - seen) * 1000)
                diag_ms.append((diag.at - seen) * 1000)
                apps.delete_namespaced_deployment(name, namespace)
        finally:
            observer.stop()
            runtime.stop()
            slack.stop()
            core.delete_namespace(namespace)
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}; {args.runs} runs")
    print("| from the pod turning CrashLoopBackOff (seen by a raw watch) to | p50 ms | "
          "p99 ms | mean ms |")
    print("|---|---:|---:|---:|")
    for label, values in (("the bot's watch raising the alert (baseline)", event_ms),
                          ("the thread's root posted", root_ms),
                          ("the diagnosis posted in the thread", diag_ms)):
        print(f"| {label} | {percentile(values, 50):.0f} | {percentile(values, 99):.0f} | "
              f"{statistics.fmean(values):.0f} |")


if __name__ == "__main__":
    main()
