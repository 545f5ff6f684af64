"""Logs of a container that restarted: the instance before, the one `kubectl logs --previous`
reads, comes with the current one, saying how it ended (a user of the bot should not have to
know the flag; the crash is what they are looking for)."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from chatops.executor import KubeExecutor
from chatops.messages import records_text
from chatops.model import Step
from chatops.results import LogLines
from tests.executor.helpers import create, deployment
from tests.plugins.sandbox_fixtures import wait_for

pytestmark = pytest.mark.k8s


def _logs(ex: KubeExecutor, namespace: str, **params: Any) -> list[LogLines]:
    records = ex.run_step(Step("pod_logs", {"namespace": namespace, **params}), None).records
    return [r for r in records if isinstance(r, LogLines)]


def _status(core: client.CoreV1Api, namespace: str, app: str) -> Any:
    pods = core.list_namespaced_pod(namespace, label_selector=f"app={app}").items
    return pods[0].status.container_statuses[0] if pods and pods[0].status.container_statuses \
        else None


def test_a_container_back_after_an_oom_kill_shows_the_killed_instance(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment(
        "flaky", 1, image="shop/api:1.4", memory="128Mi",
        annotations={"sandbox.chatops.dev/oomkill": "true", "sandbox.chatops.dev/crashes": "1"}))
    core = client.CoreV1Api(k8s_admin)
    wait_for(lambda: (s := _status(core, namespace, "flaky")) is not None
             and s.restart_count == 1 and s.state.running is not None and s.ready,
             timeout=90, what="flaky running again after one OOM kill")

    # The instance before comes first: older, and the crash is what one looks for (the
    # answer's length is capped, from the end).
    previous, current = wait_for(lambda: (got := _logs(ex, namespace, deployment="flaky"))
                                 and len(got) == 2 and got[1].lines and got, what="both logs")
    assert not current.previous and current.container == "app"
    assert current.lines[-1].endswith("ready to serve requests")
    assert not any("out of memory" in line for line in current.lines)
    assert previous.previous and previous.pod == current.pod
    assert previous.lines[-1].endswith("fatal: out of memory")
    assert "OOMKilled" in previous.note and "exit code 137" in previous.note

    text = records_text((previous, current))
    assert "previous instance" in text and "OOMKilled" in text
    assert text.index("fatal: out of memory") < text.rindex("ready to serve requests")

    # The same read of one pod by name, and a line count that the previous instance honours.
    (one_previous, one_current) = _logs(ex, namespace, pod=current.pod, lines=1)
    assert one_current.lines == current.lines[-1:]
    assert one_previous.lines == ("fatal: out of memory",)


def test_a_container_waiting_to_restart_shows_the_crashed_instance_once(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment(
        "crash", 1, image="shop/api:1.4", annotations={"sandbox.chatops.dev/crashloop": "true"}))
    core = client.CoreV1Api(k8s_admin)
    wait_for(lambda: (s := _status(core, namespace, "crash")) is not None
             and s.restart_count >= 1 and s.state.waiting is not None,
             timeout=90, what="crash waiting in its back-off")

    # Read while it backs off (its runs last a second; one may have begun meanwhile).
    (only,) = wait_for(lambda: (got := _logs(ex, namespace, deployment="crash"))
                       and len(got) == 1 and got[0].lines and got, what="logs")
    # The kubelet serves the instance that ended; there is no newer one to show beside it.
    assert only.lines[-1] == "exiting with status 1"
    assert "CrashLoopBackOff" in only.note and "exit code 1" in only.note


def test_a_container_that_never_restarted_shows_one_instance_without_a_note(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment("calm", 1, image="shop/api:1.4"))
    (only,) = wait_for(lambda: (got := _logs(ex, namespace, deployment="calm"))
                       and got[0].lines and got, what="logs")
    assert not only.previous and only.note == ""
    # The sandbox answers `previous` as the kubelet does when there is no such instance.
    with pytest.raises(client.ApiException) as refused:
        client.CoreV1Api(k8s_admin).read_namespaced_pod_log(only.pod, namespace, previous=True)
    assert refused.value.status == 400 and "previous terminated container" in str(refused.value.body)


def test_a_container_that_ended_says_how(ex: KubeExecutor, k8s_admin: Any,
                                         namespace: str) -> None:
    """A job's pod: the container ran once and ended; no "waiting to restart"."""
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="once"),
        spec=client.V1PodSpec(restart_policy="Never", containers=[
            client.V1Container(name="app", image="busybox:1.36")]))
    core = client.CoreV1Api(k8s_admin)
    core.create_namespaced_pod(namespace, pod)
    wait_for(lambda: core.read_namespaced_pod("once", namespace).status.phase == "Succeeded",
             what="the pod to complete")
    (only,) = _logs(ex, namespace, pod="once")
    assert only.note.startswith("the container has ended: Completed, exit code 0"), only.note
    assert "waiting" not in only.note and not only.previous
