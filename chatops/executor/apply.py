"""Applying whole manifests (the demo's and the tests' workloads) with server-side apply.

Runbooks never use this: it exists so that seeding a cluster goes through the same single
package that talks to Kubernetes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from kubernetes import client as k8s
from kubernetes.dynamic import DynamicClient

log = logging.getLogger(__name__)

FIELD_MANAGER = "chatops-seed"


def apply_documents(api_client: k8s.ApiClient, documents: Iterable[Mapping[str, Any]]) -> int:
    """Create or update each object with server-side apply; returns how many were applied."""
    dynamic = DynamicClient(api_client)  # type: ignore[no-untyped-call]
    count = 0
    for doc in documents:
        resource = dynamic.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        meta = doc["metadata"]
        kwargs: dict[str, Any] = {"body": dict(doc), "name": meta["name"],
                                  "field_manager": FIELD_MANAGER, "force_conflicts": True}
        if resource.namespaced:
            kwargs["namespace"] = meta.get("namespace", "default")
        resource.server_side_apply(**kwargs)
        count += 1
        log.debug("applied %s/%s", doc["kind"], meta["name"])
    return count


def delete_namespaces(api_client: k8s.ApiClient, names: Iterable[str]) -> None:
    """Delete namespaces (and so everything in them), ignoring ones already gone."""
    core = k8s.CoreV1Api(api_client)
    for name in names:
        try:
            core.delete_namespace(name)
        except k8s.ApiException as exc:
            if exc.status != 404:
                raise


def delete_documents(api_client: k8s.ApiClient, documents: Iterable[Mapping[str, Any]]) -> None:
    """Delete the objects of `documents` (newest first), ignoring ones already gone."""
    dynamic = DynamicClient(api_client)  # type: ignore[no-untyped-call]
    for doc in reversed(list(documents)):
        resource = dynamic.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        meta = doc["metadata"]
        kwargs: dict[str, Any] = {"name": meta["name"]}
        if resource.namespaced:
            kwargs["namespace"] = meta.get("namespace", "default")
        try:
            resource.delete(**kwargs)
        except k8s.ApiException as exc:
            if exc.status != 404:
                raise
