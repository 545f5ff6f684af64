"""`chatops serve`: the Slack bot, over Socket Mode or HTTP."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import NoReturn

import click

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
              help="HTTP port for /slack/events (0 picks a free one). Ignored in Socket Mode.")
@click.option("--host", default="0.0.0.0", show_default=True,  # noqa: S104 - a server
              help="Address to listen on (HTTP mode).")
@click.option("--kubeconfig", type=click.Path(path_type=Path, exists=True), default=None,
              help="Kubeconfig of the cluster (default: KUBECONFIG / CHATOPS_KUBECONFIG, "
                   "or the in-cluster config).")
@click.option("--policy", type=click.Path(path_type=Path, exists=True), default=None,
              help="Policy file (default: CHATOPS_POLICY; without one, read-only for all).")
@click.option("--workers", type=int, default=8, show_default=True,
              help="Requests worked on at once (plans, runs); acknowledgements don't wait.")
@click.option("--no-model", is_flag=True,
              help="Don't load the NLU model: only `run NAME key=value` is understood.")
def serve(port: int, host: str, kubeconfig: Path | None, policy: Path | None,  # noqa: PLR0917
          workers: int, no_model: bool) -> None:
    """Run the Slack bot.

    With SLACK_APP_TOKEN it connects over Socket Mode (no public URL needed); otherwise it
    serves HTTP on --port, verifying requests with SLACK_SIGNING_SECRET, with events,
    slash commands and interactivity all on /slack/events. SLACK_BOT_TOKEN is required.
    Alertmanager's webhook is served on the same port at /alertmanager?channel=C...
    (CHATOPS_ALERT_CHANNEL sets the default channel, CHATOPS_ALERTMANAGER_TOKEN a bearer
    token, CHATOPS_ALERT_RULES the rules file).
    Runs left running by a previous process are marked interrupted and announced first.
    """
    settings = Settings.from_env()
    if kubeconfig:
        settings = settings.with_(kubeconfig=kubeconfig)
    if policy:
        settings = settings.with_(policy_path=policy)
    run_server(settings, host=host, port=port, workers=workers, use_model=not no_model)


def run_server(settings: Settings, *, host: str, port: int, workers: int,
               use_model: bool = True, service: ConversationService | None = None) -> None:
    """Build the service and the Slack app from `settings` and serve until SIGTERM/SIGINT.

    `service` replaces the one built from `settings` (tests serve a fake cluster with it).
    """
    from slack_bolt.error import BoltError

    from chatops.alerts import AlertEngine, AlertRulesError, AlertStore, load_rules
    from chatops.slack.alerts import WEBHOOK_PATH, AlertWebhook, SlackChat
    from chatops.slack.app import SlackSetupError, announce_recovered, build_app
    from chatops.slack.client import make_client
    from chatops.slack.deliver import Deliverer
    from chatops.slack.server import SlackHTTPServer, serve_socket_mode

    if not settings.slack_bot_token:
        _fail("set SLACK_BOT_TOKEN (the bot token, xoxb-...) from the app's OAuth page.")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        _fail("set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET (HTTP).")
    if service is None:
        try:
            service = build_service(settings, use_model=use_model)
        except SetupError as exc:
            _fail(str(exc))
    client = make_client(settings)
    deliverer = Deliverer(client, service.store)
    try:
        engine = AlertEngine(service=service,
                             rules=load_rules(settings.alert_rules_path, service.catalogue),
                             chat=SlackChat(client, service.store),
                             store=AlertStore(settings.state_db))
    except AlertRulesError as exc:
        _fail(str(exc))
    try:
        app = build_app(settings, service, client=client, deliverer=deliverer,
                        workers=workers, alerts=engine)
    except (BoltError, SlackSetupError) as exc:
        # BoltError here means auth.test failed; its text names the error, not the token.
        _fail(f"Slack did not accept the bot token or settings: {exc}")

    announce_recovered(service.recover(), deliverer, service.store)
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                service.store.heartbeat()
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

    threading.Thread(target=heartbeat, name="heartbeat", daemon=True).start()
    threading.Thread(target=pump_alerts, name="alert-pump", daemon=True).start()
    webhook = AlertWebhook(engine, channel=settings.alert_channel,
                           token=settings.alertmanager_token)
    try:
        if settings.slack_app_token:
            # Slack events arrive over the socket; HTTP only serves the Alertmanager webhook
            # (an unsigned /slack/events must not exist).
            alerts_http = SlackHTTPServer((host, port), app, path="", webhook=webhook)
            threading.Thread(target=alerts_http.serve_forever, daemon=True).start()
            click.echo(f"chatops: Alertmanager webhook on port {alerts_http.server_address[1]}"
                       f"{WEBHOOK_PATH}; connecting to Slack over Socket Mode", err=True)
            serve_socket_mode(app, settings.slack_app_token)
            return
        server = SlackHTTPServer((host, port), app, webhook=webhook)

        def shut_down(_signum: int, _frame: FrameType | None) -> None:
            # shutdown() waits for serve_forever to return, so not from its own thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, shut_down)
        signal.signal(signal.SIGINT, shut_down)
        click.echo(f"chatops: listening on {server.url}", err=True)
        server.serve_forever(poll_interval=0.2)
        server.server_close()
    finally:
        stop.set()
        deliverer.close()
