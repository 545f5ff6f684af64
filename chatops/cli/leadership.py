"""Which replica does the work that must happen once: a Lease when leader election is on,
else this process alone (the embedded default)."""

from __future__ import annotations

import socket
from pathlib import Path

from chatops.cli.wiring import SetupError
from chatops.ports import Leadership
from chatops.runtime import SoleReplica
from chatops.settings import Settings

POD_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
"""Where a pod finds its own namespace (the service account's mount)."""


def lease_namespace(settings: Settings, pod_file: Path = POD_NAMESPACE_FILE) -> str:
    """The Lease's namespace: the setting, else the pod's own, else `default`."""
    if settings.lease_namespace:
        return settings.lease_namespace
    try:
        return pod_file.read_text().strip() or "default"
    except OSError:
        return "default"


def build_leadership(settings: Settings) -> Leadership:
    """A `LeaseElector` on the bot's own credentials when `leader_election` is on, else a
    `SoleReplica`. Raises `SetupError` for unusable timings or Kubernetes configuration."""
    if not settings.leader_election:
        return SoleReplica()
    from chatops.executor import api_client_from_kubeconfig
    from chatops.executor.lease import LeaseElector, LeaseTimings

    try:
        timings = LeaseTimings(settings.lease_duration, settings.lease_renew_deadline,
                               settings.lease_retry_period)
    except ValueError as exc:
        raise SetupError(f"{exc}: set CHATOPS_LEASE_DURATION, CHATOPS_LEASE_RENEW_DEADLINE "
                         "and CHATOPS_LEASE_RETRY_PERIOD accordingly") from None
    try:
        api = api_client_from_kubeconfig(settings.kubeconfig, settings.kube_context)
    except Exception as exc:
        raise SetupError(f"leader election needs the Kubernetes configuration: {exc}") from exc
    return LeaseElector(api, lease_namespace(settings), settings.lease_name,
                        settings.pod_name or socket.gethostname(), timings)
