"""`chatops serve`: the Slack bot, over Socket Mode or HTTP."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from chatops.cli.settings_cmd import load_settings
from chatops.cli.wiring import SetupError, build_service
from chatops.conversation import ConversationService
from chatops.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
"""How often this process tells other replicas it is alive (they treat 120 s as dead)."""
PUMP_SECONDS = 1.0
"""How often queued alert posts are tried against the channel's burst limit."""


def _fail(text: str) -> NoReturn:
    click.echo(f"chatops serve: {text}", err=True)
    raise SystemExit(2)


@click.command()
@click.option("--port", type=int, default=3000, show_default=True,
              help="HTTP port: /slack/events (HTTP mode), /alertmanager, /healthz, /readyz "
                   "(0 picks a free one).")
@click.option("--host", default="0.0.0.0", show_default=True,  # noqa: S104 - a server
              help="Address to listen on.")
@click.option("--kubeconfig", type=click.Path(path_type=Path, exists=True), default=None,
              help="Kubeconfig of the cluster (default: CHATOPS_KUBECONFIG / KUBECONFIG, "
                   "else the active profile's, else the in-cluster config).")
@click.option("--policy", type=click.Path(path_type=Path, exists=True), default=None,
              help="Policy file (default: CHATOPS_POLICY, else the active profile's; "
                   "without one, read-only for all).")
@click.option("--workers", type=int, default=8, show_default=True,
              help="Requests worked on at once (plans, runs); acknowledgements don't wait.")
@click.option("--no-model", is_flag=True,
              help="Don't load the NLU model: only `run NAME key=value` is understood.")
@click.option("--insecure-alerts", is_flag=True,
              help="Serve /alertmanager without a bearer token (a demo on a laptop only: "
                   "anyone who reaches the port can then post alerts).")
def serve(port: int, host: str, kubeconfig: Path | None, policy: Path | None,  # noqa: PLR0917
          workers: int, no_model: bool, insecure_alerts: bool) -> None:
    """Run the Slack bot.

    With SLACK_APP_TOKEN it connects over Socket Mode (no public URL needed) and the HTTP
    port serves only the probes and the Alertmanager webhook; otherwise /slack/events takes
    events, slash commands and interactivity, verified with SLACK_SIGNING_SECRET (required
    then). SLACK_BOT_TOKEN is always required. Alertmanager's webhook is
    /alertmanager[?channel=C...] with CHATOPS_ALERTMANAGER_TOKEN as its bearer token (without
    a token it is not served); the channel is CHATOPS_ALERT_CHANNEL or one of the alert
    rules' channels (CHATOPS_ALERT_RULES). Runs left running by a previous process are marked
    interrupted and announced first.
    """
    settings = load_settings(note_shadowed=True, kubeconfig=kubeconfig, policy_path=policy)
    run_server(settings, host=host, port=port, workers=workers, use_model=not no_model,
               insecure_alerts=insecure_alerts)


def run_server(settings: Settings, *, host: str, port: int, workers: int,
               use_model: bool = True, service: ConversationService | None = None,
               insecure_alerts: bool = False) -> None:
    """Build the service and the Slack app from `settings` and serve until SIGTERM/SIGINT.

    `service` replaces the one built from `settings` (tests serve a fake cluster with it).
    """
    from slack_bolt.error import BoltError

    from chatops.alerts import AlertEngine, AlertRulesError, AlertStore, load_rules
    from chatops.audit import AuditLog, AuditTampered
    from chatops.cli.checkpoints import build_checkpoint_writer
    from chatops.slack.alerts import WEBHOOK_PATH, AlertWebhook, SlackChat
    from chatops.slack.app import SlackSetupError, announce_recovered, build_app
    from chatops.slack.client import make_client
    from chatops.slack.deliver import Deliverer
    from chatops.slack.rejections import Rejections
    from chatops.slack.server import BotHTTP, HTTPLimits, HTTPServer, connect_socket_mode

    if not settings.slack_bot_token:
        _fail("set SLACK_BOT_TOKEN (the bot token, xoxb-...) from the app's OAuth page.")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        _fail("set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET (HTTP): "
              "HTTP mode never takes unsigned requests.")
    if service is None:
        try:
            service = build_service(settings, use_model=use_model)
        except SetupError as exc:
            _fail(str(exc))
    client = make_client(settings)
    deliverer = Deliverer(client, service.store)
    rejections = Rejections(service.audit)
    try:
        engine = AlertEngine(service=service,
                             rules=load_rules(settings.alert_rules_path, service.catalogue),
                             chat=SlackChat(client, service.store),
                             store=AlertStore(settings.state_db))
    except AlertRulesError as exc:
        _fail(str(exc))
    try:
        app = build_app(settings, service, client=client, deliverer=deliverer,
                        workers=workers, alerts=engine, rejections=rejections)
    except (BoltError, SlackSetupError) as exc:
        # BoltError here means auth.test failed; its text names the error, not the token.
        _fail(f"Slack did not accept the bot token or settings: {exc}")

    webhook = None
    if settings.alertmanager_token or insecure_alerts:
        webhook = AlertWebhook(engine, channel=settings.alert_channel,
                               token=settings.alertmanager_token, insecure=insecure_alerts)
        if insecure_alerts and not settings.alertmanager_token:
            log.warning("serving %s WITHOUT a bearer token (--insecure-alerts)", WEBHOOK_PATH)
    else:
        click.echo(f"chatops: {WEBHOOK_PATH} is off: set CHATOPS_ALERTMANAGER_TOKEN to take "
                   "Alertmanager's webhook", err=True)

    writer = None
    if isinstance(service.audit, AuditLog):
        try:
            writer = build_checkpoint_writer(settings, service.audit)
        except SetupError as exc:
            _fail(str(exc))

    announce_recovered(service.recover(), deliverer, service.store)
    stop = threading.Event()

    def checkpoint() -> None:
        # The chain's head, anchored outside the database: a cut-off tail is then detected.
        if writer is None:
            return
        try:
            writer.write_now()
        except AuditTampered as exc:
            log.error("the audit log does not verify; no new checkpoint written: %s", exc)
        except Exception:
            log.exception("audit checkpoint failed")

    def checkpoints() -> None:
        checkpoint()
        while not stop.wait(settings.audit_checkpoint_seconds):
            checkpoint()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                service.store.heartbeat()
                service.store.prune_dedupe()
                # A replica that died mid-run is noticed by the others, not only at the
                # next start of some process.
                announce_recovered(service.recover(), deliverer, service.store)
            except Exception:
                log.exception("heartbeat failed")

    def pump_alerts() -> None:
        # Posts that waited for the burst limit go out as soon as the window allows.
        while not stop.wait(PUMP_SECONDS):
            try:
                engine.pump()
            except Exception:
                log.exception("alert pump failed")

    socket_mode = settings.slack_app_token is not None
    handler: Any = None

    def ready() -> bool:
        # In Socket Mode a replica is ready only while it holds a connection to Slack.
        return handler is not None and bool(handler.client.is_connected())

    http = HTTPServer(BotHTTP(slack=None if socket_mode else app,
                              signing_secret=settings.slack_signing_secret,
                              webhook=webhook, ready=ready if socket_mode else None,
                              rejections=rejections, claim=service.store.claim,
                              limits=HTTPLimits(header_timeout=settings.http_header_timeout,
                                                body_timeout=settings.http_body_timeout)),
                      host, port)

    def shut_down(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    threading.Thread(target=heartbeat, name="heartbeat", daemon=True).start()
    threading.Thread(target=pump_alerts, name="alert-pump", daemon=True).start()
    threading.Thread(target=checkpoints, name="audit-checkpoints", daemon=True).start()
    try:
        http.start()
        if socket_mode:
            assert settings.slack_app_token is not None
            # Slack payloads arrive over the socket only: the HTTP port has no /slack/events.
            click.echo(f"chatops: probes and {WEBHOOK_PATH} on http://{host}:{http.port}; "
                       "connecting to Slack over Socket Mode", err=True)
            handler = connect_socket_mode(app, settings.slack_app_token, stop)
        else:
            click.echo(f"chatops: listening on {http.url}", err=True)
        stop.wait()
    finally:
        stop.set()
        http.stop()
        if handler is not None:
            handler.close()
        deliverer.close()
        checkpoint()
