"""Audit checkpoint sinks from settings: what `chatops serve` writes checkpoints to."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from chatops.audit import AuditLog, CheckpointSink, CheckpointWriter, FileSink, LogSink
from chatops.cli.wiring import SetupError
from chatops.settings import Settings

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?"
                            r"(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

CONFIGMAP_PREFIX = "configmap:"


def parse_configmap_ref(text: str) -> tuple[str, str]:
    """`namespace/name` -> (namespace, name); ValueError saying the expected form otherwise."""
    namespace, slash, name = text.partition("/")
    if not slash or not _DNS_LABEL.match(namespace) or not _DNS_SUBDOMAIN.match(name):
        raise ValueError(f"{text!r} is not a ConfigMap reference: write NAMESPACE/NAME "
                         "(lower-case DNS names), e.g. chatops/audit-checkpoint")
    return namespace, name


def default_api_client(settings: Settings) -> Callable[[], Any]:
    """A factory for the bot's own ApiClient from the settings' kubeconfig (or in-cluster)."""

    def make() -> Any:
        from chatops.executor import api_client_from_kubeconfig

        try:
            return api_client_from_kubeconfig(settings.kubeconfig, settings.kube_context)
        except Exception as exc:
            raise SetupError(f"cannot load the Kubernetes configuration: {exc}. Set KUBECONFIG "
                             "or CHATOPS_KUBECONFIG.") from exc

    return make


def checkpoint_sinks(settings: Settings,
                     api_client: Callable[[], Any] | None = None) -> list[CheckpointSink]:
    """The sinks the settings ask for: always the log stream, plus the file
    (`CHATOPS_AUDIT_CHECKPOINT_FILE`) and the ConfigMap (`CHATOPS_AUDIT_CHECKPOINT_CONFIGMAP`,
    `namespace/name`) when set.

    `api_client` builds the bot's own `kubernetes.client.ApiClient` (not impersonated); it
    is only called when a ConfigMap is configured (default: from the settings' kubeconfig).
    Raises `SetupError` for a malformed ConfigMap reference or an unloadable kubeconfig.
    """
    log_sink = LogSink()
    if not log_sink.logger.isEnabledFor(logging.INFO):
        # The checkpoint line is the anchor in the log pipeline; it must get out even when
        # the rest of the output is limited to warnings.
        log_sink.logger.setLevel(logging.INFO)
    sinks: list[CheckpointSink] = [log_sink]
    if settings.audit_checkpoint_file is not None:
        sinks.append(FileSink(settings.audit_checkpoint_file))
    if settings.audit_checkpoint_configmap:
        from chatops.executor.checkpoints import ConfigMapCheckpointSink

        try:
            namespace, name = parse_configmap_ref(settings.audit_checkpoint_configmap)
        except ValueError as exc:
            raise SetupError(f"CHATOPS_AUDIT_CHECKPOINT_CONFIGMAP: {exc}") from exc
        factory = api_client or default_api_client(settings)
        sinks.append(ConfigMapCheckpointSink(factory(), namespace, name))
    return sinks


def build_checkpoint_writer(settings: Settings, audit: AuditLog,
                            api_client: Callable[[], Any] | None = None) -> CheckpointWriter:
    """A `CheckpointWriter` for `audit` with the settings' key and sinks; call its
    `write_now()` every `settings.audit_checkpoint_seconds`.

    Its first call reads back what the file and the ConfigMap already hold and raises
    `AuditTampered` (writing nothing) when the log no longer extends it, or when the key is
    set and did not sign it: a log cut while the bot was down is not signed again. Rotating
    the key therefore needs a new file and ConfigMap (or the old ones moved aside)."""
    return CheckpointWriter(audit, settings.audit_checkpoint_key,
                            checkpoint_sinks(settings, api_client))
