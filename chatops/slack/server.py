"""The bot's HTTP port: Slack's `/slack/events` (HTTP mode only), Alertmanager's webhook, and
the probes, served by uvicorn (h11) through a small ASGI app.

The port faces the network, so everything about a request is checked before the bot spends
anything on it, and in this order: the exact path (raw bytes: no `//slack/events`,
`/slack/events/` or percent-encoded twins), the method, the credentials that come in headers
(Slack's timestamp must be fresh, the webhook's bearer token must match) and the declared
size, and only then is the body read, with a size cap and a time limit. A refused request is
answered with `Connection: close`, so an unread body is never parsed as a next request.

Slowloris and idle connections: uvicorn times out idle keep-alive connections but not a
connection that never finishes its request head, so `wire.GuardedH11` closes one that has not
sent a whole head within `header_timeout`. `max_connections` bounds open connections
(beyond it uvicorn answers 503 at once).

Bolt's own request verification stays on behind this (defence in depth); the signature is
checked here first only so that a forged request is refused, and audited, before it reaches
any listener. Bolt's sync `dispatch` runs in a bounded thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from chatops.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from chatops.slack.alerts import WEBHOOK_PATH, AlertWebhook, WebhookAnswer, answer_json
from chatops.slack.rejections import Rejections
from chatops.slack.wire import (
    GuardedH11,
    HTTPLimits,
    Receive,
    Scope,
    Send,
    bolt_headers,
    header_lists,
    is_form,
    one_header,
    respond,
)

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
SIGNATURE_WINDOW = 300
"""Slack's own rule: a request signed more than five minutes ago is a replay."""

class _Refused(Exception):
    def __init__(self, status: int, reason: str, *, audit: bool = True) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.audit = audit


class BotHTTP:
    """The ASGI app behind the port.

    `slack` is the Bolt app, or None in Socket Mode (then `/slack/events` does not exist);
    `webhook` the Alertmanager handler, or None; `ready` answers the readiness probe;
    `rejections` records every refused request that claimed to be Slack or Alertmanager;
    `claim(key)` (the run store's dedupe) is False for a key seen before, so a replayed
    signed request is answered but not handled again; `metrics` renders `/metrics` (None:
    not served).
    """

    def __init__(self, *, slack: App | None, signing_secret: str | None,
                 webhook: AlertWebhook | None, limits: HTTPLimits | None = None,
                 ready: Callable[[], bool] | None = None,
                 rejections: Rejections | None = None,
                 claim: Callable[[str], bool] | None = None,
                 metrics: Callable[[], bytes] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if slack is not None and not signing_secret:
            raise ValueError("serving /slack/events needs the signing secret")
        self.slack = slack
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.webhook = webhook
        self.limits = limits or HTTPLimits()
        self.ready = ready or (lambda: True)
        self.rejections = rejections
        self.claim = claim
        self.metrics = metrics
        self.clock = clock
        self.pool = ThreadPoolExecutor(max_workers=self.limits.workers,
                                       thread_name_prefix="chatops-http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; websockets are not served
        raw_path = bytes(scope.get("raw_path") or b"")
        method = str(scope["method"])
        query = bytes(scope.get("query_string") or b"").decode("latin-1")
        headers = header_lists(scope)
        client = scope.get("client")
        where = f"{client[0]}:{client[1]}" if client else "?"
        route = raw_path.decode("latin-1")
        try:
            if route in (HEALTH_PATH, READY_PATH):
                if method not in ("GET", "HEAD"):
                    raise _Refused(405, "method not allowed", audit=False)
                ok = route == HEALTH_PATH or self.ready()
                await respond(send, 200 if ok else 503, "ok" if ok else "not ready")
                return
            if route == METRICS_PATH and self.metrics is not None:
                if method not in ("GET", "HEAD"):
                    raise _Refused(405, "method not allowed", audit=False)
                if query:
                    raise _Refused(400, "the metrics take no query string", audit=False)
                text = (await asyncio.get_running_loop().run_in_executor(
                    self.pool, self.metrics)).decode("utf-8")
                await respond(send, 200, text, content_type=METRICS_CONTENT_TYPE)
                return
            if route == EVENTS_PATH and self.slack is not None:
                self._post_only(method)
                await self._slack(scope, receive, send, headers, query)
                return
            if route == WEBHOOK_PATH and self.webhook is not None:
                self._post_only(method)
                await self._alertmanager(receive, send, headers, query)
                return
            raise _Refused(404, "no such path", audit=method == "POST")
        except _Refused as refused:
            if refused.audit and self.rejections is not None:
                self.rejections.record(route[:200], refused.reason, refused.status,
                                       client=where)
            await respond(send, refused.status, json.dumps({"error": refused.reason}),
                           close=True, content_type="application/json")

    def rejections_record(self, path: str, reason: str, status: int, scope: Scope) -> None:
        """Record a refused request, when there is a record to keep."""
        if self.rejections is not None:
            client = scope.get("client")
            self.rejections.record(path, reason, status,
                                   client=f"{client[0]}:{client[1]}" if client else "?")

    @staticmethod
    def _post_only(method: str) -> None:
        if method != "POST":
            raise _Refused(405, "method not allowed", audit=False)

    async def _slack(self, scope: Scope, receive: Receive, send: Send,
                     headers: dict[str, list[str]], query: str) -> None:
        assert self.slack is not None and self.verifier is not None
        if query:
            raise _Refused(400, "Slack requests carry no query string")
        timestamp = one_header(headers, "x-slack-request-timestamp")
        signature = one_header(headers, "x-slack-signature")
        if not timestamp or not signature:
            raise _Refused(401, "unsigned request")
        if not _DIGITS.fullmatch(timestamp) or abs(self.clock() - int(timestamp)) > \
                SIGNATURE_WINDOW:
            raise _Refused(401, "stale or malformed request timestamp")
        body = await self._body(receive, headers, self.limits.max_body)
        text = body.decode("utf-8", errors="replace")
        if not self.verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            raise _Refused(401, "bad request signature")
        if self.claim is not None and is_form(headers) and not self.claim(
                f"slack-signature:{signature}"):
            # Slack never sends a slash command or a click twice (events are retried, with
            # their own event id); the same signed request again is a replay.
            self.rejections_record("/slack/events", "a replayed request", 200, scope)
            await respond(send, 200, "")
            return
        request = BoltRequest(body=text, query=query,
                              headers={k: v for k, v in headers.items()})
        loop = asyncio.get_running_loop()
        try:
            response: BoltResponse = await loop.run_in_executor(
                self.pool, self.slack.dispatch, request)
        except Exception:
            log.exception("the Slack request could not be dispatched")
            response = BoltResponse(status=500, body="")
        await respond(send, response.status, response.body,
                       extra=bolt_headers(response.headers))

    async def _alertmanager(self, receive: Receive, send: Send,
                            headers: dict[str, list[str]], query: str) -> None:
        webhook = self.webhook
        assert webhook is not None
        if not webhook.authorized(one_header(headers, "authorization") or ""):
            raise _Refused(401, "a valid bearer token is required")
        body = await self._body(receive, headers, self.limits.max_alert_body)
        loop = asyncio.get_running_loop()
        try:
            answer: WebhookAnswer = await loop.run_in_executor(
                self.pool, webhook.handle, body, query)
        except Exception:
            log.exception("the Alertmanager webhook could not be handled")
            answer = WebhookAnswer(500, {"error": "internal error; see the bot log"})
        await respond(send, answer.status, answer_json(answer),
                       content_type="application/json")

    async def _body(self, receive: Receive, headers: dict[str, list[str]], limit: int) -> bytes:
        """The request body, refused before reading when it says it is too large, and cut off
        when it turns out larger than it said (chunked) or arrives too slowly."""
        declared = one_header(headers, "content-length")
        if declared is not None and "transfer-encoding" in headers:
            # Both framings at once is how requests are smuggled past a proxy (RFC 9112
            # 6.1 says to close such a connection).
            raise _Refused(400, "both Content-Length and Transfer-Encoding", audit=False)
        if declared is not None and (not _DIGITS.fullmatch(declared) or int(declared) > limit):
            raise _Refused(413, "payload too large", audit=False)
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.limits.body_timeout)
            except TimeoutError:
                raise _Refused(408, "the body took too long", audit=False) from None
            if message["type"] == "http.disconnect":
                raise _Refused(400, "client went away", audit=False)
            piece = bytes(message.get("body") or b"")
            size += len(piece)
            if size > limit:
                raise _Refused(413, "payload too large", audit=False)
            chunks.append(piece)
            if not message.get("more_body"):
                return b"".join(chunks)


_DIGITS = re.compile(r"[0-9]{1,15}")


class HTTPServer:
    """uvicorn serving a `BotHTTP` app on its own thread (the caller keeps the main thread
    for signals and Socket Mode)."""

    def __init__(self, app: BotHTTP, host: str, port: int) -> None:
        self.app = app
        limits = app.limits
        protocol = type("GuardedH11", (GuardedH11,), {"header_timeout": limits.header_timeout})
        config = uvicorn.Config(
            app, http=protocol, ws="none", lifespan="off", log_config=None,
            access_log=False, server_header=False, proxy_headers=False,
            timeout_keep_alive=max(1, int(limits.keep_alive)),
            limit_concurrency=limits.max_connections, backlog=1024,
            timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (useful with port 0)."""
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """The Slack events URL on this server."""
        host = self._socket.getsockname()[0]
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def start(self) -> HTTPServer:
        """Serve in a background thread; returns once the port accepts connections."""
        # uvicorn installs signal handlers only on the main thread; here it runs on its own.
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]},
                                        name="chatops-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop accepting, finish what is in flight (briefly), and close."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._socket.close()
        self.app.pool.shutdown(wait=False, cancel_futures=True)


def connect_socket_mode(app: App, app_token: str, stop: threading.Event, *,
                        first_wait: float = 2.0, longest_wait: float = 60.0) -> Any:
    """Connect to Slack over Socket Mode, retrying with backoff until connected or `stop`.

    Returns the handler (None if stopped first). The client reconnects by itself once it
    has connected; until then the readiness probe says not ready, and the probes and the
    webhook keep working.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token, web_client=app.client)
    wait = first_wait
    while not stop.is_set():
        try:
            handler.connect()  # type: ignore[no-untyped-call]
            log.info("connected to Slack over Socket Mode")
            return handler
        except Exception as exc:  # the SDK raises many kinds; all mean "not yet"
            log.warning("Socket Mode connection failed (%s); retrying in %.0fs",
                        type(exc).__name__, wait)
        stop.wait(wait)
        wait = min(wait * 2, longest_wait)
    return None
