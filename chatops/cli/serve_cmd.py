"""`chatops serve`: the Slack bot, over Socket Mode or HTTP."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import click

from chatops.cli.settings_cmd import load_settings
from chatops.cli.wiring import SetupError, attach_slack, build_runtime
from chatops.conversation import ConversationService
from chatops.metrics import METRICS
from chatops.runtime import Runtime
from chatops.settings import Settings

if TYPE_CHECKING:
    from slack_bolt import App

    from chatops.slack.alerts import AlertWebhook
    from chatops.slack.kit import SlackKit

log = logging.getLogger(__name__)


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


def _check_tokens(settings: Settings) -> None:
    if not settings.slack_bot_token:
        _fail("set SLACK_BOT_TOKEN (the bot token, xoxb-...) from the app's OAuth page.")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        _fail("set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET (HTTP): "
              "HTTP mode never takes unsigned requests.")


def _webhook(settings: Settings, runtime: Runtime, insecure: bool) -> AlertWebhook | None:
    """The Alertmanager webhook: only with a bearer token, unless `--insecure-alerts`."""
    from chatops.slack.alerts import WEBHOOK_PATH, AlertWebhook

    if runtime.alerts is None or not (settings.alertmanager_token or insecure):
        click.echo(f"chatops: {WEBHOOK_PATH} is off: set CHATOPS_ALERTMANAGER_TOKEN to take "
                   "Alertmanager's webhook", err=True)
        return None
    if insecure and not settings.alertmanager_token:
        log.warning("serving %s WITHOUT a bearer token (--insecure-alerts)", WEBHOOK_PATH)
    return AlertWebhook(runtime.alerts, channel=settings.alert_channel,
                        token=settings.alertmanager_token, pump=runtime.pump,
                        insecure=insecure)


class _Door:
    """Where Slack and Alertmanager come in: the HTTP port, and in Socket Mode the socket
    (then the port serves only the probes and the webhook)."""

    def __init__(self, settings: Settings, app: App, *, kit: SlackKit, runtime: Runtime,
                 webhook: AlertWebhook | None, host: str, port: int) -> None:
        from chatops.slack.server import BotHTTP, HTTPServer
        from chatops.slack.wire import HTTPLimits

        self.settings = settings
        self.app = app
        self.runtime = runtime
        self.host = host
        self.socket_mode = settings.slack_app_token is not None
        self.handler: Any = None
        self.http = HTTPServer(BotHTTP(
            slack=None if self.socket_mode else app,
            signing_secret=settings.slack_signing_secret, webhook=webhook,
            ready=self.ready, rejections=kit.rejections,
            claim=runtime.claim, metrics=METRICS.render,
            limits=HTTPLimits(header_timeout=settings.http_header_timeout,
                              body_timeout=settings.http_body_timeout)), host, port)

    def ready(self) -> bool:
        """Ready while the database answers and the model is loaded, and in Socket Mode
        only while the replica holds a connection to Slack."""
        if self.socket_mode and not (self.handler is not None
                                     and bool(self.handler.client.is_connected())):
            return False
        return self.runtime.ready()

    def open(self, stop: threading.Event) -> None:
        """Serve the port; in Socket Mode, connect (retrying until `stop`)."""
        from chatops.slack.alerts import WEBHOOK_PATH
        from chatops.slack.server import connect_socket_mode

        self.http.start()
        token = self.settings.slack_app_token
        if token is None:
            click.echo(f"chatops: listening on {self.http.url}", err=True)
            return
        # Slack payloads arrive over the socket only: the HTTP port has no /slack/events.
        click.echo(f"chatops: probes and {WEBHOOK_PATH} on http://{self.host}:{self.http.port}; "
                   "connecting to Slack over Socket Mode", err=True)
        self.handler = connect_socket_mode(self.app, token, stop)

    def close(self) -> None:
        """Stop taking requests and close the socket."""
        self.http.stop()
        if self.handler is not None:
            self.handler.close()


def run_server(settings: Settings, *, host: str, port: int, workers: int,
               use_model: bool = True, service: ConversationService | None = None,
               insecure_alerts: bool = False) -> None:
    """Build the runtime and the Slack app from `settings` and serve until SIGTERM/SIGINT.

    `service` replaces the one built from `settings` (tests serve a fake cluster with it).
    """
    from slack_bolt.error import BoltError

    from chatops.slack.app import SlackSetupError, build_app

    _check_tokens(settings)
    try:
        runtime = build_runtime(settings, service=service, use_model=use_model,
                                checkpoints=True)
    except SetupError as exc:
        _fail(str(exc))
    kit = attach_slack(runtime, settings)
    try:
        app = build_app(settings, runtime, kit, workers=workers)
    except (BoltError, SlackSetupError) as exc:
        # BoltError here means auth.test failed; its text names the error, not the token.
        _fail(f"Slack did not accept the bot token or settings: {exc}")
    door = _Door(settings, app, kit=kit, runtime=runtime,
                 webhook=_webhook(settings, runtime, insecure_alerts), host=host, port=port)
    stop = threading.Event()

    def shut_down(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    runtime.start()
    try:
        door.open(stop)
        stop.wait()
    finally:
        stop.set()
        door.close()
        runtime.stop()
