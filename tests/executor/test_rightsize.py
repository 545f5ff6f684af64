"""`rightsize` against the sandbox: an OOM-killed deployment without a metrics source, the
Prometheus path against a local Prometheus query API, a Prometheus that fails, and the
metrics.k8s.io path (the sandbox has no metrics-server, so a CRD serves that API here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from chatops.executor import KubeExecutor
from chatops.executor.rightsize import Autoscaler, Sized, _deployment_findings
from chatops.executor.usage import MetricsApi, Prometheus, Usage, UsageSource
from chatops.messages import records_text
from chatops.model import Step
from chatops.results import Finding, ResourceRow, RightsizeSummary, StepResult
from tests.executor.helpers import ADMIN, create, deploy, deployment
from tests.executor.prometheus_server import CPU, MEMORY, prometheus_server
from tests.plugins.sandbox_fixtures import wait_for

pytestmark = pytest.mark.k8s

MI = 2**20


def executor(api: Any, usage: UsageSource | None = None) -> KubeExecutor:
    return KubeExecutor(api, poll_interval=0.2, usage=usage)


def rightsize(ex: KubeExecutor, namespace: str, name: str) -> StepResult:
    return ex.run_step(Step("rightsize", {"namespace": namespace, "deployment": name}), ADMIN)


def findings(result: StepResult) -> list[Finding]:
    return [r for r in result.records if isinstance(r, Finding)]


def sized(name: str, *, cpu: str | None = None, cpu_request: str | None = None,
          memory: str | None = None, memory_request: str | None = None,
          memory_limit: str | None = None) -> client.V1Container:
    requests = {k: v for k, v in (("cpu", cpu_request), ("memory", memory_request)) if v}
    limits = {k: v for k, v in (("cpu", cpu), ("memory", memory_limit or memory)) if v}
    return client.V1Container(name=name, image="shop/api:1.4",
                              resources=client.V1ResourceRequirements(
                                  requests=requests or None, limits=limits or None))


def test_oom_killed_without_a_source_suggests_a_higher_limit(
        k8s_admin: Any, namespace: str) -> None:
    ex = executor(k8s_admin)
    create(k8s_admin, namespace, deployment(
        "oom", 1, image="shop/api:1.4", memory="128Mi",
        annotations={"sandbox.chatops.dev/oomkill": "true"}))

    def oom() -> Finding | None:
        return next((f for f in findings(rightsize(ex, namespace, "oom"))
                     if "OOM-killed" in f.explanation), None)

    finding = wait_for(oom, timeout=90, interval=1.0, what="an OOM finding")
    assert finding.severity == "error" and finding.runbook == "set_resources"
    assert finding.slots == {"namespace": namespace, "deployment": "oom", "container": "app",
                             "memory_limit": "256Mi"}
    assert finding.explanation.startswith("memory limit 128Mi, OOM-killed ")
    assert finding.explanation.endswith(": raise the limit to 256Mi.")

    result = rightsize(ex, namespace, "oom")
    summary, row = result.records[:2]
    assert isinstance(summary, RightsizeSummary) and summary.source == "none"
    assert isinstance(row, ResourceRow) and row.memory_limit == "128Mi" and row.oom_kills >= 1
    # No CPU request is flagged too (with nothing to measure, no amount is suggested).
    cpu = next(f for f in findings(result) if f.explanation.startswith("no CPU request"))
    assert cpu.runbook == "set_resources" and "cpu_request" not in cpu.slots
    text = records_text(result.records)
    assert "no metrics source is configured, so this advice comes from the spec" in text
    assert "CONTAINER  CPU REQ" in text and "suggested: set_resources" in text


def test_prometheus_usage_lowers_an_oversized_request(k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("api", 2, containers=[
        sized("app", cpu_request="1", memory_request="1Gi", memory_limit="2Gi")]))
    with prometheus_server() as prom:
        prom.series = {
            MEMORY: [({"container": "app"}, str(200 * MI)),
                     ({"container": "<@U0ADMIN>"}, "1e12"), ({"container": "x"}, "NaN")],
            CPU: [({"container": "app"}, "0.08"), ({"container": "app"}, "0.05")],
        }
        result = rightsize(executor(k8s_admin, Prometheus(prom.url)), namespace, "api")
        queries = list(prom.queries)
    assert len(queries) == 2
    assert f'namespace="{namespace}"' in queries[0]
    assert 'pod=~"api-[a-z0-9]{1,10}-[a-z0-9]{5}"' in queries[0]
    assert "quantile_over_time(0.95" in queries[1] and "[3600s:1m]" in queries[1]

    summary = result.records[0]
    assert isinstance(summary, RightsizeSummary)
    assert (summary.source, summary.window_seconds, summary.note) == ("prometheus", 3600, "")
    (row,) = [r for r in result.records if isinstance(r, ResourceRow)]
    assert (row.cpu_request, row.cpu_used, row.memory_request, row.memory_used) == (
        "1", "80m", "1Gi", "200Mi")
    by_slot = {next(k for k in f.slots if k.startswith(("cpu", "memory"))): f
               for f in findings(result) if f.runbook == "set_resources"}
    cpu = by_slot["cpu_request"]
    assert cpu.explanation == ("CPU request 1 core but p95 usage 80m over 1h: lower the "
                               "request to 100m.")
    assert cpu.slots["cpu_request"] == "100m" and cpu.severity == "warning"
    memory = by_slot["memory_request"]
    assert memory.slots["memory_request"] == "320Mi"  # 1.3 x 200Mi, up to a 64Mi step
    assert "no CPU limit" not in records_text(result.records)
    text = records_text(result.records)
    assert "usage from Prometheus over 1h: memory is the peak, CPU the 95th percentile" in text
    assert "<@" not in text and "1e12" not in text


def test_a_failing_prometheus_falls_back_to_the_spec(k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("api", 1, containers=[
        sized("app", cpu_request="100m", memory_request="64Mi", memory_limit="128Mi")]))
    with prometheus_server() as prom:
        prom.status = 500
        failed = rightsize(executor(k8s_admin, Prometheus(prom.url)), namespace, "api")
        prom.status, prom.raw = 200, b"<html>not json</html>"
        garbled = rightsize(executor(k8s_admin, Prometheus(prom.url)), namespace, "api")
        url = prom.url
    # Nothing listens there any more.
    gone = rightsize(executor(k8s_admin, Prometheus(url, timeout=2)), namespace, "api")
    notes = []
    for result in (failed, garbled, gone):
        summary = result.records[0]
        assert isinstance(summary, RightsizeSummary) and summary.source == "prometheus"
        notes.append(summary.note)
        (only,) = findings(result)
        assert only.severity == "info" and only.runbook is None
        assert "boom" not in records_text(result.records)
    assert notes[0].endswith("answered HTTP 500") and notes[1].endswith("sent no JSON")
    assert "did not answer within 2 s" in notes[2]
    assert "no usage figures (Prometheus at 127.0.0.1" in records_text(failed.records)


POD_METRICS_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "pods.metrics.k8s.io",
                 # *.k8s.io groups are protected; a test stand-in says so.
                 "annotations": {"api-approved.kubernetes.io": "unapproved, test stand-in"}},
    "spec": {"group": "metrics.k8s.io", "scope": "Namespaced",
             "names": {"plural": "pods", "singular": "podmetrics", "kind": "PodMetrics",
                       "listKind": "PodMetricsList"},
             "versions": [{"name": "v1beta1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]},
}


@pytest.fixture
def metrics_api(k8s_admin: Any) -> Iterator[None]:
    """The metrics.k8s.io PodMetrics list, served by a CRD (as metrics-server would)."""
    ext = client.ApiextensionsV1Api(k8s_admin)
    ext.create_custom_resource_definition(POD_METRICS_CRD)

    def established() -> bool:
        crd = ext.read_custom_resource_definition("pods.metrics.k8s.io")
        return any(c.type == "Established" and c.status == "True"
                   for c in (crd.status.conditions or []))
    wait_for(established, timeout=30, what="the PodMetrics CRD")
    try:
        yield
    finally:
        ext.delete_custom_resource_definition("pods.metrics.k8s.io")


def test_metrics_api_sample(k8s_admin: Any, namespace: str, metrics_api: None) -> None:
    deploy(k8s_admin, namespace, deployment("api", 1, containers=[
        sized("app", cpu="500m", cpu_request="200m", memory_request="128Mi",
              memory_limit="256Mi")]))
    pod = client.CoreV1Api(k8s_admin).list_namespaced_pod(
        namespace, label_selector="app=api").items[0]
    custom = client.CustomObjectsApi(k8s_admin)

    def publish() -> bool:
        try:
            custom.create_namespaced_custom_object(
                "metrics.k8s.io", "v1beta1", namespace, "pods",
                {"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
                 "metadata": {"name": pod.metadata.name, "labels": {"app": "api"}},
                 "timestamp": "2026-01-01T00:00:00Z", "window": "30s",
                 "containers": [{"name": "app",
                                 "usage": {"cpu": "480000000n", "memory": "240Mi"}}]})
        except client.ApiException as e:
            if e.status == 404:  # discovery of the new group takes a moment
                time.sleep(0.5)
                return False
            raise
        return True
    wait_for(publish, timeout=30, what="a PodMetrics object")

    result = rightsize(executor(k8s_admin, MetricsApi()), namespace, "api")
    summary = result.records[0]
    assert isinstance(summary, RightsizeSummary)
    assert (summary.source, summary.window_seconds, summary.note) == ("metrics.k8s.io", 0, "")
    (row,) = [r for r in result.records if isinstance(r, ResourceRow)]
    assert (row.cpu_used, row.memory_used) == ("480m", "240Mi")
    texts = {f.explanation for f in findings(result)}
    assert "CPU limit 500m, usage 480m now: it is throttled; raise the limit to 750m." in texts
    assert ("memory limit 256Mi, 240Mi in use now (93% of it): close to being OOM-killed; "
            "raise the limit to 384Mi.") in texts
    assert "one current sample (no history, so nothing is suggested lower)" in records_text(
        result.records)

    # Without the API (its absence is what a cluster without metrics-server answers):
    # the source says so, as does the answer.
    absent = MetricsApi(group="metrics.example.dev").usage(
        executor(k8s_admin).kube(None), namespace, {"metadata": {"name": "api"}}, ["app"])
    assert absent == Usage("metrics.k8s.io", note="the metrics.k8s.io API is not served on "
                           "this cluster (no metrics-server)")


def test_hpa_and_scaling_rules() -> None:
    none = Usage("none")
    at_max = Autoscaler("web", 2, 4, 4, limited_seconds=5400)
    (f,) = _deployment_findings("prod", "web", 4, [], hpa=at_max, usage=none)
    assert f.runbook == "set_autoscaling" and f.slots["max_replicas"] == "6"
    assert f.explanation == ("at the maximum of its autoscaler web (4 of 4 replicas) for 90m: "
                             "it wants more replicas than it may have; raise the maximum to 6.")
    top = Autoscaler("web", 2, 100, 100, None)
    (f,) = _deployment_findings("prod", "web", 100, [], hpa=top, usage=none)
    assert f.runbook is None and f.outside_catalogue

    busy = Sized("app", cpu_request=200, cpu_used=400)
    history = Usage("prometheus", history=True, window_seconds=3600)
    (f,) = _deployment_findings("prod", "web", 3, [busy], hpa=None, usage=history)
    assert f.runbook == "scale_deployment" and f.slots["replicas"] == "9"  # 3*400/(0.7*200)
    assert _deployment_findings("prod", "web", 3, [busy], hpa=at_max, usage=history)[0] \
        .runbook == "set_autoscaling"
    crashy = Sized("app", restarts=5, oom_kills=1)
    (f,) = _deployment_findings("prod", "web", 1, [crashy], hpa=None, usage=none)
    assert f.runbook == "diagnose" and "restarted 4 times other than by OOM kills" in \
        f.explanation


def test_reads_the_autoscaler(k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 1, containers=[
        sized("app", cpu_request="100m", memory_request="64Mi", memory_limit="128Mi")]))
    client.AutoscalingV2Api(k8s_admin).create_namespaced_horizontal_pod_autoscaler(
        namespace, {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                    "metadata": {"name": "web-hpa"},
                    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "name": "web"},
                             "minReplicas": 1, "maxReplicas": 3}})
    result = rightsize(executor(k8s_admin), namespace, "web")
    summary = result.records[0]
    assert isinstance(summary, RightsizeSummary)
    assert summary.autoscaler.startswith("web-hpa: 1-3 replicas")
    assert "autoscaler web-hpa: 1-3 replicas" in records_text(result.records)
