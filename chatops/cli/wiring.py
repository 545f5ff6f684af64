"""Building the bot from settings: the one place where concrete clients are chosen.

`build_runtime` is how every entry point (and the tests) gets a `Runtime`; a surface is
plugged into it here too (`attach_slack`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatops.alerts import AlertPorts, AlertRules, AlertRulesError, load_rules
from chatops.audit import AuditLog, CheckpointWriter
from chatops.conversation import ConversationService, ServiceConfig
from chatops.errors import ChatOpsError
from chatops.policy.rbac import check_apart
from chatops.policy.rules import Policy, PolicyError, load_policy, parse_policy
from chatops.ports import Executor, IntentParser, Leadership
from chatops.runbook.catalogue import Catalogue, load_catalogue
from chatops.runtime import Intervals, Runtime
from chatops.settings import Settings
from chatops.storage import DatabaseUnavailable
from chatops.stores import Stores, open_state
from chatops.verbs import HygieneRules
from chatops.watches import WatchLoop

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from chatops.slack.kit import SlackKit

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
    from chatops.executor.usage import MetricsApi, NoSource, Prometheus, UsageSource

    usage: UsageSource = (Prometheus(settings.prometheus_url) if settings.prometheus_url
                          else MetricsApi() if settings.metrics_api else NoSource())
    return KubeExecutor(api, hygiene=HygieneRules(settings.hygiene_registries,
                                                  settings.hygiene_max_limit_ratio),
                        usage=usage)


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


def build_service(settings: Settings, stores: Stores, *, policy: Policy | None = None,
                  executor: Executor | None = None,
                  parser: IntentParser | None = None, use_model: bool = True
                  ) -> ConversationService:
    """The conversation service with real clients, from settings, on `stores`."""
    policy = policy or build_policy(settings)
    catalogue = load_catalogue()
    return ConversationService(
        catalogue=catalogue,
        executor=executor or build_executor(settings),
        policy=policy,
        stores=stores.conversation,
        audit=stores.audit,
        parser=parser if parser is not None else (build_parser(settings, catalogue)
                                                  if use_model else None),
        config=ServiceConfig(schedule_zone=settings.schedule_timezone,
                             schedule_grace=settings.schedule_grace_seconds),
    )


def build_stores(settings: Settings) -> Stores:
    """The conversation's stores and the audit log, opened (and migrated) where the
    settings say: the one database of `database_url`, else the SQLite files. An unreachable
    database is a `SetupError` naming it (without its password)."""
    try:
        return Stores(open_state(settings.state_location), AuditLog(settings.audit_location))
    except DatabaseUnavailable as exc:
        raise SetupError(f"{exc}. Check CHATOPS_DATABASE_URL (`chatops settings`).") from exc


def stores_of(service: ConversationService) -> Stores:
    """The stores a service built elsewhere (a test's) was given, for its Runtime."""
    return Stores(service.stores, service.audit)


def alert_ports(service: ConversationService, stores: Stores | None = None) -> AlertPorts:
    """What the alert engine uses of the bot: the service's alert entry points, the run
    store, the audit log, the live catalogue, the cluster's names, this process (`stores`:
    the service's own, by default)."""
    stores = stores or stores_of(service)
    return AlertPorts(conversation=service, runs=stores.runs, audit=stores.audit,
                      runbooks=service.catalogue, cluster=service.executor,
                      worker=stores.worker)


def _alert_rules(settings: Settings, given: AlertRules | None,
                 catalogue: Catalogue) -> AlertRules:
    try:
        return given or load_rules(settings.alert_rules_path, catalogue)
    except AlertRulesError as exc:
        raise SetupError(str(exc)) from exc


def check_bot_identities(settings: Settings, policy: Policy, rules: AlertRules | None) -> None:
    """A `SetupError` (`policy file: key: reason`) when the policy lets a person act as the
    alert rules' diagnostics or preview user (`chatops.policy.rbac.check_apart`)."""
    if rules is None:
        return
    try:
        check_apart(policy, rules.identity, rules.preview_identity)
    except PolicyError as exc:
        source = settings.policy_path or "the default policy (no CHATOPS_POLICY)"
        raise SetupError(f"{source}: {exc}") from exc


def build_runtime(settings: Settings, *, service: ConversationService | None = None,
                  executor: Executor | None = None, use_model: bool = True,
                  alerts: bool = True, alert_rules: AlertRules | None = None,
                  checkpoints: bool = False, intervals: Intervals | None = None,
                  leadership: Leadership | None = None) -> Runtime:
    """The `Runtime` for `settings`; attach a surface, then `start()` it.

    `service` replaces the one built from the settings (and its stores the settings'),
    `executor` only its cluster (tests pass in-memory ones). With `alerts`, the alert rules
    (`alert_rules`, else the settings' file) are read now, the alert stores opened, and an
    alert engine runs once a chat surface is attached. With `checkpoints`, the audit chain's
    head is anchored where the settings say (`serve`). `leadership` replaces the one the
    settings give (a Lease, or this process alone).
    Raises `SetupError` naming what to fix (policy, kubeconfig, alert rules, checkpoints).
    """
    if service is None:
        # The policy and the alert rules first: a bad file is reported as such, before
        # anything is opened or the cluster is reached.
        policy = build_policy(settings)
        rules = _alert_rules(settings, alert_rules, load_catalogue()) if alerts else None
        check_bot_identities(settings, policy, rules)
        stores = build_stores(settings)
        service = build_service(settings, stores, policy=policy, executor=executor,
                                use_model=use_model)
    else:
        stores = stores_of(service)
        rules = _alert_rules(settings, alert_rules, service.catalogue) if alerts else None
        check_bot_identities(settings, service.policy, rules)
    from chatops.cli.leadership import build_leadership

    if rules is not None:
        stores = stores.with_alerts()
    return Runtime(service, stores, alert_rules=rules,
                   alert_ports=alert_ports(service, stores) if rules is not None else None,
                   watches=build_watches(settings, service, rules),
                   checkpoints=_checkpoint_writer(settings, stores) if checkpoints else None,
                   intervals=intervals or Intervals(checkpoint=settings.audit_checkpoint_seconds,
                                                    lease=settings.lease_retry_period),
                   leadership=leadership or build_leadership(settings))


def build_watches(settings: Settings, service: ConversationService,
                  rules: AlertRules | None) -> WatchLoop | None:
    """The cluster watch of `settings.watch_namespaces`, as the alert rules' read-only
    diagnostics identity, raising alerts in the alert channel; None when no namespace is
    watched, or there is no alert engine, alert channel or Kubernetes executor."""
    if not settings.watch_namespaces:
        return None
    from chatops.executor import KubeExecutor
    from chatops.executor.watch import KubeWatcher

    if rules is None or not settings.alert_channel:
        log.warning("CHATOPS_WATCH_NAMESPACES is set but alerts are off or "
                    "CHATOPS_ALERT_CHANNEL is unset: no cluster watches")
        return None
    if not isinstance(service.executor, KubeExecutor):
        log.warning("cluster watches need a Kubernetes cluster; none watched")
        return None
    watcher = KubeWatcher(service.executor.kube(rules.identity), settings.watch_namespaces,
                          nodes=settings.watch_nodes)
    return WatchLoop(watcher, channel=settings.alert_channel,
                     pending_after=settings.watch_pending_minutes * 60)


def _checkpoint_writer(settings: Settings, stores: Stores) -> CheckpointWriter | None:
    from chatops.cli.checkpoints import build_checkpoint_writer

    if not isinstance(stores.audit, AuditLog):
        return None
    return build_checkpoint_writer(settings, stores.audit)


def attach_slack(runtime: Runtime, settings: Settings, *, client: WebClient | None = None,
                 update_interval: float = 1.0) -> SlackKit:
    """Slack's clients for `runtime`, attached to it: interrupted runs are announced on
    their messages, alerts are posted in Slack, queued edits are sent at `stop()`.

    `client` replaces the Web API client built from the settings.
    """
    from chatops.slack.kit import build_kit

    kit = build_kit(settings, runtime, runtime.audit, client=client,
                    update_interval=update_interval)
    runtime.attach(announce=kit.announce, chat=kit.chat, close=kit.close)
    return kit
