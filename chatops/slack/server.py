"""Serving a Bolt app: a threaded HTTP endpoint (`/slack/events`) or Socket Mode.

Bolt's development server is single-threaded with a listen backlog of 5, so a burst of
slash commands queues behind one slow request and overflows the backlog. This one handles
each request in its own thread; the Bolt app acknowledges inline and leaves the work to
its lazy listeners, so a request thread lives for a few milliseconds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from chatops.slack.alerts import WEBHOOK_PATH, AlertWebhook, answer_json

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1 << 20
"""Slack payloads are a few kilobytes; refuse anything absurd before reading it."""
MAX_ALERT_BODY = 8 << 20
"""An Alertmanager batch of many alerts can be larger."""


class SlackHTTPServer(ThreadingHTTPServer):
    """A thread per request, a deep listen backlog, and daemon threads (exit doesn't wait)."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App, path: str = EVENTS_PATH,
                 webhook: AlertWebhook | None = None) -> None:
        self.app = app
        self.path = path
        self.webhook = webhook
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The events URL this server answers on."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"


class _Handler(BaseHTTPRequestHandler):
    server: SlackHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        # A liveness probe for Kubernetes; everything Slack sends is a POST.
        if self.path == "/healthz":
            self._send(200, {}, "ok")
        else:
            self._send(404, {}, "")

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        if path == WEBHOOK_PATH and self.server.webhook is not None:
            self._alertmanager(query, length)
            return
        if path != self.server.path or length > MAX_BODY:
            self._send(404 if path != self.server.path else 413, {}, "")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {
            key.lower(): self.headers.get_all(key) or [] for key in self.headers}
        request = BoltRequest(body=body, query=query, headers=headers)
        try:
            response: BoltResponse = self.server.app.dispatch(request)
        except Exception:
            log.exception("the Slack request could not be dispatched")
            response = BoltResponse(status=500, body="")
        self._send(response.status, response.headers, response.body)

    def _alertmanager(self, query: str, length: int) -> None:
        webhook = self.server.webhook
        assert webhook is not None
        if length > MAX_ALERT_BODY:
            self._send(413, {}, '{"error": "payload too large"}')
            return
        body = self.rfile.read(length)
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            answer = webhook.handle(body, headers, query)
        except Exception:
            log.exception("the Alertmanager webhook could not be handled")
            self._send(500, {"Content-Type": "application/json"},
                       '{"error": "internal error; see the bot log"}')
            return
        self._send(answer.status, {"Content-Type": "application/json"}, answer_json(answer))

    def _send(self, status: int, headers: dict[str, Any], body: str | dict[str, Any]) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        data = text.encode("utf-8")
        self.send_response(status)
        for key, values in headers.items():
            if key.lower() == "content-length":
                continue
            for value in values if isinstance(values, list | tuple) else [values]:
                self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over Socket Mode and handle requests until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token, web_client=app.client)
    handler.start()  # type: ignore[no-untyped-call]
