"""The executor's overhead per verb, against the same raw `kubernetes` client calls.

For each verb the executor runs (as an impersonated identity, dry-run for mutating verbs)
and so does a baseline that makes the same API requests with the plain client (deserialized
into `V1...` objects, the way code written directly against the client would). Runs are
interleaved, executor then baseline, so both see the same cluster load; the table gives
median and p90 per side and their ratio.

    python bench/executor.py                 # starts a sandbox cluster, stops it afterwards
    python bench/executor.py --kubeconfig K  # against a running cluster (a namespace is made)

Mutating verbs are measured as server-side dry-runs: the same requests, nothing persisted,
so the benchmark can repeat them.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kubernetes import client, config

from chatops.executor import KubeExecutor
from chatops.model import Identity, Step

IDENTITY = Identity("bench", ("system:masters",))


@contextmanager
def cluster(kubeconfig: Path | None) -> Iterator[Path]:
    """A kubeconfig: the given one, or a fresh sandbox that is stopped afterwards."""
    if kubeconfig is not None:
        yield kubeconfig
        return
    from chatops.sandbox import manager

    binary = manager.build_binary(progress=lambda line: print(line, file=sys.stderr))
    state = Path(tempfile.mkdtemp(prefix="bench-executor-"))
    status = manager.up(state, binary, extra_args=["--exit-with-parent"], timeout=300)
    try:
        assert status.kubeconfig is not None
        yield status.kubeconfig
    finally:
        manager.down(state)


def setup(api: client.ApiClient, ns: str) -> None:
    """A namespace with a deployment (two revisions), a cronjob and an autoscaler."""
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    while True:
        try:
            core.read_namespaced_service_account("default", ns)
            break
        except client.ApiException:
            time.sleep(0.2)
    labels = {"app": "web"}
    apps.create_namespaced_deployment(ns, client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web", labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=3, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(
                    name="app", image="nginx:1.21")], termination_grace_period_seconds=1)))))
    wait_available(apps, ns)
    apps.patch_namespaced_deployment("web", ns, {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "image": "nginx:1.22"}]}}}})
    wait_available(apps, ns)
    client.BatchV1Api(api).create_namespaced_cron_job(ns, client.V1CronJob(
        metadata=client.V1ObjectMeta(name="report"),
        spec=client.V1CronJobSpec(schedule="0 3 * * *", job_template=client.V1JobTemplateSpec(
            spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                restart_policy="Never",
                containers=[client.V1Container(name="r", image="report:1")])))))))
    client.AutoscalingV2Api(api).create_namespaced_horizontal_pod_autoscaler(
        ns, client.V2HorizontalPodAutoscaler(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V2HorizontalPodAutoscalerSpec(
                min_replicas=1, max_replicas=5,
                scale_target_ref=client.V2CrossVersionObjectReference(
                    api_version="apps/v1", kind="Deployment", name="web"))))


def wait_available(apps: client.AppsV1Api, ns: str) -> None:
    """Until the deployment's rollout is complete."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        d = apps.read_namespaced_deployment("web", ns)
        s = d.status
        if ((s.observed_generation or 0) >= d.metadata.generation
                and s.updated_replicas == s.replicas == s.available_replicas == 3):
            return
        time.sleep(0.2)
    raise SystemExit("the bench deployment did not become available")


def baselines(api: client.ApiClient, ns: str, node: str, pod: str) -> dict[str, Callable[[], Any]]:
    """The raw client calls that do what each verb does."""
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    batch, hpa = client.BatchV1Api(api), client.AutoscalingV2Api(api)

    def list_pods() -> Any:
        d = apps.read_namespaced_deployment("web", ns)
        return core.list_namespaced_pod(ns, label_selector="app=web", _request_timeout=30) and d

    def rollout_history() -> Any:
        apps.read_namespaced_deployment("web", ns)
        return apps.list_namespaced_replica_set(ns, label_selector="app=web")

    def diagnose() -> Any:
        apps.read_namespaced_deployment("web", ns)
        core.list_namespaced_pod(ns, label_selector="app=web")
        apps.list_namespaced_replica_set(ns, label_selector="app=web")
        return core.list_namespaced_event(ns)

    def scale() -> Any:
        apps.read_namespaced_deployment("web", ns)
        core.list_namespaced_pod(ns, label_selector="app=web")
        return apps.patch_namespaced_deployment("web", ns, {"spec": {"replicas": 5}},
                                                dry_run="All")

    def blast_radius() -> Any:
        # A write that changes the pod template lists the ReplicaSets too: pods of one
        # whose template is the new one are not replaced (executor `deployment_write`).
        return apps.list_namespaced_replica_set(ns, label_selector="app=web")

    def set_image() -> Any:
        apps.read_namespaced_deployment("web", ns)
        core.list_namespaced_pod(ns, label_selector="app=web")
        patched = apps.patch_namespaced_deployment("web", ns, {"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": "nginx:1.23"}]}}}}, dry_run="All")
        return blast_radius() and patched

    def rollout_undo() -> Any:
        apps.read_namespaced_deployment("web", ns)
        core.list_namespaced_pod(ns, label_selector="app=web")
        rs = apps.list_namespaced_replica_set(ns, label_selector="app=web").items
        old = min(rs, key=lambda r: int(r.metadata.annotations[
            "deployment.kubernetes.io/revision"]))
        tmpl = api.sanitize_for_serialization(old.spec.template)
        tmpl["metadata"]["labels"].pop("pod-template-hash", None)
        patched = apps.patch_namespaced_deployment(
            "web", ns, [{"op": "replace", "path": "/spec/template", "value": tmpl}],
            dry_run="All")
        return blast_radius() and patched

    def cordon() -> Any:
        core.read_node(node)
        return core.patch_node(node, {"spec": {"unschedulable": True}}, dry_run="All")

    def suspend() -> Any:
        batch.read_namespaced_cron_job("report", ns)
        return batch.patch_namespaced_cron_job("report", ns, {"spec": {"suspend": True}},
                                               dry_run="All")

    def patch_hpa() -> Any:
        hpa.list_namespaced_horizontal_pod_autoscaler(ns)
        hpa.list_namespaced_horizontal_pod_autoscaler(ns)
        hpa.read_namespaced_horizontal_pod_autoscaler("web", ns)
        return hpa.patch_namespaced_horizontal_pod_autoscaler(
            "web", ns, {"spec": {"maxReplicas": 8}}, dry_run="All")

    def delete_pod() -> Any:
        core.read_namespaced_pod(pod, ns)
        return core.delete_namespaced_pod(pod, ns, dry_run="All")

    return {
        # The status also reads the images the ready pods run (a rollout that has not
        # reached them): the deployment and its pods.
        "get_deployment": lambda: (apps.read_namespaced_deployment("web", ns),
                                   core.list_namespaced_pod(ns, label_selector="app=web")),
        "list_pods": list_pods,
        "rollout_history": rollout_history,
        "list_events": lambda: core.list_namespaced_event(ns),
        "list_nodes": lambda: (core.list_node(), core.list_pod_for_all_namespaces()),
        "diagnose": diagnose,
        "names(deployment)": lambda: apps.list_namespaced_deployment(ns),
        "scale (dry-run)": scale,
        "set_image (dry-run)": set_image,
        "rollout_restart (dry-run)": lambda: (
            apps.read_namespaced_deployment("web", ns),
            core.list_namespaced_pod(ns, label_selector="app=web"),
            apps.patch_namespaced_deployment("web", ns, {"spec": {"template": {"metadata": {
                "annotations": {"kubectl.kubernetes.io/restartedAt": str(time.time())}}}}},
                dry_run="All"),
            blast_radius()),
        "rollout_undo (dry-run)": rollout_undo,
        "cordon (dry-run)": cordon,
        "suspend_cronjob (dry-run)": suspend,
        "patch_hpa (dry-run)": patch_hpa,
        "delete_pod (dry-run)": delete_pod,
    }


def executor_calls(ex: KubeExecutor, ns: str, node: str,
                   pod: str) -> dict[str, Callable[[], Any]]:
    """The same work through the executor, as an impersonated identity."""
    dep = {"namespace": ns, "deployment": "web"}

    def read(verb: str, **params: Any) -> Callable[[], Any]:
        return lambda: ex.run_step(Step(verb, params), IDENTITY)

    def dry(verb: str, **params: Any) -> Callable[[], Any]:
        return lambda: ex.run_step(Step(verb, params), IDENTITY, dry_run=True)

    return {
        "get_deployment": read("get_deployment", **dep),
        "list_pods": read("list_pods", **dep),
        "rollout_history": read("rollout_history", **dep),
        "list_events": read("list_events", namespace=ns),
        "list_nodes": read("list_nodes"),
        "diagnose": read("diagnose", **dep),
        "names(deployment)": lambda: ex.names("deployment", ns, IDENTITY),
        "scale (dry-run)": dry("scale", **dep, replicas=5),
        "set_image (dry-run)": dry("set_image", **dep, image="1.23"),
        "rollout_restart (dry-run)": dry("rollout_restart", **dep),
        "rollout_undo (dry-run)": dry("rollout_undo", **dep, revision=1),
        "cordon (dry-run)": dry("cordon", node=node),
        "suspend_cronjob (dry-run)": dry("suspend_cronjob", namespace=ns, cronjob="report"),
        "patch_hpa (dry-run)": dry("patch_hpa", **dep, max_replicas=8),
        "delete_pod (dry-run)": dry("delete_pod", namespace=ns, pod=pod),
    }


def p90(values: list[float]) -> float:
    """The 90th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * len(ordered)) - 1)]


def main() -> None:
    """Measure every verb both ways and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kubeconfig", type=Path, help="a running cluster (default: sandbox)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per verb and side")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    args = parser.parse_args()

    with cluster(args.kubeconfig) as kubeconfig:
        admin = config.new_client_from_config(config_file=str(kubeconfig))
        raw_api = config.new_client_from_config(config_file=str(kubeconfig))
        # The baseline impersonates too (one group fits the client's header dict), so both
        # sides send the same requests and the server does the same authorization work.
        raw_api.set_default_header("Impersonate-User", IDENTITY.user)
        raw_api.set_default_header("Impersonate-Group", IDENTITY.groups[0])
        ns = f"bench-{uuid.uuid4().hex[:6]}"
        setup(admin, ns)
        core = client.CoreV1Api(admin)
        node = sorted(n.metadata.name for n in core.list_node().items)[0]
        pod = core.list_namespaced_pod(ns, label_selector="app=web").items[0].metadata.name
        # names_ttl=0: measure the lookup itself, not the cache.
        ex = KubeExecutor(admin, names_ttl=0.0)
        ours, theirs = executor_calls(ex, ns, node, pod), baselines(raw_api, ns, node, pod)
        rows = []
        try:
            for verb, run in ours.items():
                base = theirs[verb]
                for _ in range(args.warmup):
                    run()
                    base()
                t_ex: list[float] = []
                t_raw: list[float] = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    run()
                    t_ex.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    base()
                    t_raw.append((time.perf_counter() - start) * 1000)
                m_ex, m_raw = statistics.median(t_ex), statistics.median(t_raw)
                rows.append((verb, m_ex, p90(t_ex), m_raw, p90(t_raw), m_ex / m_raw))
                print(f"  {verb}: {m_ex:.1f} ms vs {m_raw:.1f} ms", file=sys.stderr)
        finally:
            core.delete_namespace(ns)
    print(f"\n{args.runs} runs per verb and side after {args.warmup} warm-up runs; "
          f"Python {platform.python_version()}, {platform.machine()}, "
          f"kubernetes client {client.__version__ if hasattr(client, '__version__') else '?'}\n")
    print("| verb | executor median ms | executor p90 ms | raw client median ms "
          "| raw client p90 ms | executor / raw |")
    print("|---|---:|---:|---:|---:|---:|")
    for verb, a, b, c, d, r in rows:
        print(f"| {verb} | {a:.1f} | {b:.1f} | {c:.1f} | {d:.1f} | {r:.2f} |")


if __name__ == "__main__":
    main()
