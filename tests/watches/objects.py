"""Watched objects as the API server returns them, for the tests: a pod of a deployment
names its ReplicaSet as controller (with its uid), and the watcher's reads of those
ReplicaSets (`WatchEvent.replicasets`) show each one controlled by its Deployment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatops.ports import WatchEvent


def rs_ref(replicaset: str) -> dict[str, Any]:
    """The owner reference the ReplicaSet controller writes on its pods."""
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": replicaset,
            "uid": f"uid-{replicaset}", "controller": True, "blockOwnerDeletion": True}


def replicaset(name: str, namespace: str, deployment: str | None) -> dict[str, Any]:
    """A ReplicaSet as the watcher keeps it, controlled by `deployment` (None: bare)."""
    owners = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment,
               "uid": f"uid-{deployment}", "controller": True}] if deployment else []
    return {"metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                         "ownerReferences": owners}}


def genuine(objects: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """What the watcher reads for `objects`: each controller ReplicaSet they name, owned by
    the deployment its name says (`<deployment>-<hash>`)."""
    found: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        meta = obj.get("metadata") or {}
        for ref in meta.get("ownerReferences") or []:
            if ref.get("kind") == "ReplicaSet" and ref.get("controller"):
                name = ref["name"]
                found[ref["uid"]] = replicaset(name, meta["namespace"], name.rsplit("-", 1)[0])
    return found


def pods_event(kind: str, namespace: str | None,
               objects: tuple[Mapping[str, Any], ...]) -> WatchEvent:
    """A pods event as the watcher sends it, with the genuine ReplicaSets of its pods."""
    return WatchEvent("pods", kind, namespace, objects,  # type: ignore[arg-type]
                      replicasets=genuine(objects))
