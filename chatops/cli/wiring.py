"""Building the engine from settings: the one place where concrete clients are chosen."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from chatops.approvals.runs import RunStore
from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.errors import ChatOpsError
from chatops.policy.rules import Policy, PolicyError, load_policy, parse_policy
from chatops.ports import Executor, IntentParser
from chatops.runbook.catalogue import Catalogue, load_catalogue
from chatops.settings import Settings

log = logging.getLogger(__name__)

# With no policy file nobody is mapped: people may read as a viewer identity, nothing more.
SAFE_DEFAULT_POLICY: dict[str, Any] = {
    "request": {"read": ["everyone"]},
    "unmapped": {"allow": "read", "kube_user": "chat:{user}", "kube_groups": ["chatops:viewers"]},
}


class SetupError(ChatOpsError):
    """Something the entry point needs is missing; the message says what to do."""


def build_policy(settings: Settings) -> Policy:
    """The policy file from the settings, or the read-only default.

    A bad file is a `SetupError` reading `file: key.path: reason`.
    """
    if settings.policy_path is None:
        log.warning("no policy file (CHATOPS_POLICY): everyone may read, nobody may change")
        return parse_policy(SAFE_DEFAULT_POLICY)
    try:
        return load_policy(settings.policy_path)
    except PolicyError as exc:
        raise SetupError(str(exc)) from exc


def build_executor(settings: Settings) -> Executor:
    """A `KubeExecutor` on the configured kubeconfig (or the in-cluster config)."""
    from chatops.executor import KubeExecutor, api_client_from_kubeconfig

    try:
        api = api_client_from_kubeconfig(settings.kubeconfig, settings.kube_context)
    except Exception as exc:
        raise SetupError(f"cannot load the Kubernetes configuration: {exc}. Set KUBECONFIG "
                         "or CHATOPS_KUBECONFIG, or run `chatops demo` for a sandbox.") from exc
    return KubeExecutor(api)


def build_parser(settings: Settings, catalogue: Catalogue | None = None
                 ) -> IntentParser | None:
    """The NLU model (loaded lazily on first use), or None when no model is installed.

    Its confidence bars follow `catalogue`'s risks (the live runbook files), not the risks
    the model was trained with.
    """
    try:
        from intents import ModelParser, default_model_dir
    except ImportError:
        log.warning("the NLU runtime is not available; only `run NAME key=value` works")
        return None
    model_dir: Path = settings.model_dir or default_model_dir()
    if not (model_dir / "model.onnx").exists():
        log.warning("no NLU model in %s; only `run NAME key=value` works", model_dir)
        return None
    parser: IntentParser = ModelParser(model_dir, threads=settings.nlu_threads,
                                       catalogue=catalogue or load_catalogue())
    return parser


def build_service(settings: Settings, *, policy: Policy | None = None,
                  executor: Executor | None = None,
                  parser: IntentParser | None = None, use_model: bool = True
                  ) -> ConversationService:
    """The conversation service with real clients, from settings."""
    # The policy first: a bad file is reported as such, before any cluster is contacted.
    policy = policy or build_policy(settings)
    catalogue = load_catalogue()
    return ConversationService(
        catalogue=catalogue,
        executor=executor or build_executor(settings),
        policy=policy,
        store=RunStore(settings.state_db),
        audit=AuditLog(settings.audit_db),
        parser=parser if parser is not None else (build_parser(settings, catalogue)
                                                  if use_model else None),
    )
