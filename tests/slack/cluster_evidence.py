"""What the sandbox cluster itself says happened, for tests that must show a change was
made once: deployments' generations and the API server's own audit log (the sandbox writes
one at Metadata level for every request not made by the control plane or the nodes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kubernetes import client

from chatops.tracing import RUN_ID_EXTRA


def deployment(namespace: str, name: str, image: str = "nginx:1.25",
               replicas: int = 1) -> dict[str, Any]:
    """A plain one-container Deployment manifest."""
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {
                     "terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "app", "image": image}]}}},
    }


def read(api: Any, namespace: str, name: str) -> Any:
    """The deployment as the API server has it now."""
    return client.AppsV1Api(api).read_namespaced_deployment(name, namespace)


def available(api: Any, namespace: str, names: list[str]) -> bool:
    """Whether every named deployment has all its replicas available."""
    for name in names:
        dep = read(api, namespace, name)
        if (dep.status.available_replicas or 0) < dep.spec.replicas:
            return False
    return True


def generation(api: Any, namespace: str, name: str) -> int:
    """`metadata.generation`: it grows by one with each change of the deployment's spec."""
    return int(read(api, namespace, name).metadata.generation)


def writes(state_dir: Path | str, namespace: str, name: str) -> list[dict[str, Any]]:
    """The API server's records of changes (not dry-runs) made to deployment `name`, or its
    scale, that the server accepted, oldest first."""
    path = Path(state_dir) / "apiserver-audit.log"
    found = []
    for line in path.read_text().splitlines():
        if f'"{name}"' not in line or '"deployments"' not in line:
            continue  # most of the file: cheap to skip before parsing
        record = json.loads(line)
        ref = record.get("objectRef") or {}
        if (record.get("stage") == "ResponseComplete" and record.get("verb") in ("patch",
                                                                                   "update")
                and ref.get("resource") == "deployments" and ref.get("name") == name
                and ref.get("namespace") == namespace
                and "dryRun" not in record.get("requestURI", "")
                and (record.get("responseStatus") or {}).get("code", 500) < 300):
            found.append(record)
    return found


def run_of(record: dict[str, Any]) -> str | None:
    """The chatops run a request of the API server's log was made for (its impersonated
    extra), or None."""
    extra = (record.get("impersonatedUser") or {}).get("extra") or {}
    ids = extra.get(RUN_ID_EXTRA) or [None]
    return str(ids[0]) if ids[0] is not None else None
