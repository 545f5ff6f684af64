"""The Kubernetes executor: the only package that imports `kubernetes`.

`KubeExecutor` implements `chatops.ports.Executor`; `api_client_from_kubeconfig` builds the
client it needs at the entry point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatops.executor.client import RetryPolicy
from chatops.executor.executor import KubeExecutor
from chatops.executor.redact import redact

__all__ = ["KubeExecutor", "RetryPolicy", "api_client_from_kubeconfig", "redact"]


def api_client_from_kubeconfig(path: Path | None = None, context: str | None = None) -> Any:
    """A `kubernetes.client.ApiClient` from a kubeconfig file, or the in-cluster config
    when `path` is None and the bot runs in a pod."""
    from kubernetes import client, config

    if path is None:
        try:
            config.load_incluster_config()  # type: ignore[no-untyped-call]
            return client.ApiClient()
        except config.ConfigException:
            pass
    return config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=str(path) if path else None,
                                         context=context)
