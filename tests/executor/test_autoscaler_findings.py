"""An autoscaler in a diagnosis: one that cannot follow the load (no metrics, a utilization
target without requests), cannot change its target's scale, or holds its target at its
maximum while the load asks for more. A user trial: "diagnose web" called a deployment
healthy while its HorizontalPodAutoscaler had not been able to compute a count for hours.

The sandbox runs the real HPA controller and no metrics API, so every autoscaler there
ends up with `ScalingActive=False` (FailedGetResourceMetric), as on a cluster without
metrics-server; the other conditions are built by hand for the pure logic."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kubernetes import client

from chatops.executor import KubeExecutor
from chatops.executor import autoscalers as au
from chatops.model import Identity, Step
from chatops.results import Finding, HealthSummary
from tests.executor.helpers import ADMIN, deploy, deployment, grant, once_granted
from tests.executor.test_scale_warnings import autoscaler
from tests.plugins.sandbox_fixtures import wait_for


def _inactive(api: Any, namespace: str, name: str) -> bool:
    hpa = client.AutoscalingV2Api(api).read_namespaced_horizontal_pod_autoscaler(name, namespace)
    return any(c.type == "ScalingActive" and c.status == "False"
               for c in (hpa.status.conditions or []))


def _diagnose(ex: KubeExecutor, namespace: str, who: Identity = ADMIN,
              **target: str) -> tuple[Any, ...]:
    return ex.run_step(Step("diagnose", {"namespace": namespace, **target}), who,
                       dry_run=False).records


def _about_autoscalers(records: tuple[Any, ...]) -> list[Finding]:
    return [r for r in records if isinstance(r, Finding) and r.subject.startswith("autoscaler")]


@pytest.mark.k8s
def test_an_autoscaler_without_metrics_is_a_finding_of_its_deployment_and_of_the_scan(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    deploy(k8s_admin, namespace, deployment("api", 1))
    autoscaler(k8s_admin, namespace, "web", 1, 4)
    wait_for(lambda: _inactive(k8s_admin, namespace, "web-hpa"), timeout=60,
             what="the HPA controller to give up on the metrics")

    one = _diagnose(ex, namespace, deployment="web")
    (found,) = _about_autoscalers(one)
    assert found.severity == "warning" and found.subject == "autoscaler web-hpa"
    assert "cannot compute a replica count" in found.explanation
    assert "FailedGetResourceMetric" in found.explanation
    assert "metrics API" in found.explanation  # what is missing, in the controller's words
    assert "between 1 and 4 replicas" in found.explanation
    # The pods are fine, and the answer still says so.
    assert any(isinstance(r, Finding) and r.severity == "info" and "is healthy" in r.explanation
               for r in one)
    assert _about_autoscalers(_diagnose(ex, namespace, deployment="api")) == []

    scan = _diagnose(ex, namespace)
    (scanned,) = _about_autoscalers(scan)
    assert scanned.explanation == found.explanation
    (summary,) = [r for r in scan if isinstance(r, HealthSummary)]
    assert summary.problems == 1 and summary.deployments == 1  # api healthy, web not


@pytest.mark.k8s
def test_an_autoscaler_whose_target_is_gone_is_listed_in_the_scan(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    autoscaler(k8s_admin, namespace, "gone", 1, 3)

    def orphan() -> Finding | None:
        found = _about_autoscalers(_diagnose(ex, namespace))
        return next((f for f in found if "cannot read the scale" in f.explanation), None)

    found = wait_for(orphan, timeout=60, what="the HPA controller to miss its target")
    assert found.subject == "autoscaler gone-hpa" and "deployment gone" in found.explanation


@pytest.mark.k8s
def test_who_may_not_list_autoscalers_still_gets_the_diagnosis(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 1))
    autoscaler(k8s_admin, namespace, "web", 1, 4)
    user = f"reader-{uuid.uuid4().hex[:6]}"
    grant(k8s_admin, namespace, user, [
        client.V1PolicyRule(api_groups=["apps"], verbs=["get", "list"],
                            resources=["deployments", "replicasets"]),
        client.V1PolicyRule(api_groups=[""], resources=["pods", "events"],
                            verbs=["get", "list"])])

    records = once_granted(lambda: _diagnose(ex, namespace, Identity(user), deployment="web"))
    assert _about_autoscalers(records) == []
    assert any(isinstance(r, Finding) and "is healthy" in r.explanation for r in records)
    (summary,) = [r for r in _diagnose(ex, namespace, Identity(user))
                  if isinstance(r, HealthSummary)]
    assert "autoscalers" in summary.unchecked


def _hpa(*conditions: tuple[str, str, str, str], current: int = 3, low: int = 1,
         high: int = 6) -> dict[str, Any]:
    return {
        "metadata": {"name": "web-hpa"},
        "spec": {"minReplicas": low, "maxReplicas": high,
                 "scaleTargetRef": {"kind": "Deployment", "name": "web"}},
        "status": {"currentReplicas": current, "conditions": [
            {"type": t, "status": s, "reason": r, "message": m} for t, s, r, m in conditions]},
    }


ACTIVE = ("ScalingActive", "True", "ValidMetricFound", "the HPA was able to compute it")
ABLE = ("AbleToScale", "True", "ReadyForNewScale", "recommended size matches")


def test_a_working_autoscaler_is_no_finding() -> None:
    assert au.findings(_hpa(ABLE, ACTIVE), "prod") == []
    at_floor = ("ScalingLimited", "True", "TooFewReplicas", "the desired count is below min")
    assert au.findings(_hpa(ABLE, ACTIVE, at_floor, current=1), "prod") == []
    # Scaled to zero by someone: the controller stands aside, as it should.
    disabled = ("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the "
                "replica count of the target is zero")
    assert au.findings(_hpa(ABLE, disabled, current=0), "prod") == []


@pytest.mark.parametrize(("high", "raised"), [(6, "9"), (1, "2"), (80, "100")])
def test_an_autoscaler_held_at_its_maximum_offers_a_higher_one(high: int, raised: str) -> None:
    limited = ("ScalingLimited", "True", "TooManyReplicas",
               "the desired replica count is more than the maximum replica count")
    (found,) = au.findings(_hpa(ABLE, ACTIVE, limited, current=high, high=high), "prod")
    assert found.severity == "warning" and f"at its maximum of {high}" in found.explanation
    assert found.runbook == "set_autoscaling"
    assert dict(found.slots) == {"namespace": "prod", "deployment": "web",
                                 "max_replicas": raised}


def test_an_autoscaler_at_the_catalogues_ceiling_offers_nothing_to_run() -> None:
    limited = ("ScalingLimited", "True", "TooManyReplicas", "more than the maximum")
    (found,) = au.findings(_hpa(ABLE, ACTIVE, limited, current=100, high=100), "prod")
    assert found.runbook is None and found.outside_catalogue


def test_an_autoscaler_that_cannot_scale_says_why() -> None:
    unable = ("AbleToScale", "False", "FailedUpdateScale",
              'deployments.apps "web" is forbidden')
    (found,) = au.findings(_hpa(unable, ACTIVE), "prod")
    assert found.severity == "warning" and "cannot change the scale" in found.explanation
    assert "FailedUpdateScale" in found.explanation and "forbidden" in found.explanation


def test_a_utilization_target_without_requests_points_to_rightsize() -> None:
    missing = ("ScalingActive", "False", "FailedGetResourceMetric",
               "the HPA was unable to compute the replica count: failed to get cpu "
               "utilization: missing request for cpu in container app of Pod web-1")
    (found,) = au.findings(_hpa(ABLE, missing), "prod")
    assert "cpu request" in found.explanation
    assert found.runbook == "rightsize"
    assert dict(found.slots) == {"namespace": "prod", "deployment": "web"}


def test_a_long_condition_message_is_cut_and_a_statefulset_target_gets_no_runbook() -> None:
    hpa = _hpa(ABLE, ("ScalingActive", "False", "FailedGetExternalMetric", "x" * 2000),
               ("ScalingLimited", "True", "TooManyReplicas", "more than the maximum"),
               current=6)
    hpa["spec"]["scaleTargetRef"]["kind"] = "StatefulSet"
    found = au.findings(hpa, "prod")
    assert len(found) == 2 and all(len(f.explanation) < 600 for f in found)
    assert "statefulset web" in found[0].explanation
    assert all(f.runbook is None for f in found)
