"""A local Slack Socket Mode server for tests (aiohttp, on its own thread and event loop).

It plays the part of Slack's `wss://wss-primary.slack.com/link/` end of Socket Mode:

* `url()` hands out a one-time `ws://127.0.0.1:PORT/link/?ticket=...` (the mock Web API's
  `apps.connections.open` answers with it, see `MockSlack.socket`);
* a connection that comes with a valid ticket gets `hello` at once, as Slack sends it;
* `send()` pushes one envelope (`slash_commands`, `events_api` or `interactive`) to ONE open
  connection (the one the test names, else round robin) and `wait_ack()` waits for its
  acknowledgement, which is recorded with its latency and the connection it came on;
* `disconnect()` sends a `disconnect` message (`refresh_requested`, `warning`, ...),
  `drop()` resets the TCP connection with no WebSocket close;
* pings are answered (aiohttp echoes a ping's payload in its pong, which the builtin
  slack_sdk client checks).

Like Slack, an envelope that is not acknowledged is sent again (`redeliver=True`, the
default): at once on another open connection when its connection goes away, and when no
acknowledgement came within Slack's deadline (`ack_deadline`, 3 s) on another open
connection (the same one when it is the only one), at most `retries` times; events carry
`retry_attempt` and `retry_reason` then, as Slack retries them. Every attempt is an
`Envelope` of its own (with its own envelope id); `Delivery` groups the attempts of one
payload, and is acknowledged when any attempt is.

`SocketSender` sends what `Sender` would POST as envelopes instead, so one test body runs over
either transport (see `tests/slack/conftest.py`). A bot in the test process can tell the
server what its Bolt app answered (`note_answer`): on the socket a refusal is an envelope that
is never acknowledged, and the sender then returns the status HTTP would have had instead of
waiting for an acknowledgement that will not come.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.slack.sender import Sender

APP_ID = "A0APP"
KINDS = ("slash_commands", "events_api", "interactive")
ACK_DEADLINE = 3.0
"""Slack's deadline for an acknowledgement, in seconds."""
RETRIES = 3
"""How many times Slack delivers an unacknowledged payload again (as the Events API does)."""


@dataclass
class Envelope:
    """One attempt at delivering a payload, on one connection."""

    envelope_id: str
    kind: str
    payload: dict[str, Any]
    link: Link
    delivery: Delivery
    attempt: int
    sent_at: float = 0.0
    acked_at: float | None = None
    ack_payload: dict[str, Any] | None = None
    answer: int | None = None
    """The status the bot's Bolt app answered with, when the bot said (`note_answer`)."""

    @property
    def latency(self) -> float | None:
        """Seconds from the envelope going out to its acknowledgement coming in."""
        return None if self.acked_at is None else self.acked_at - self.sent_at


@dataclass
class Delivery:
    """A payload the test handed to "Slack", with every attempt made to deliver it."""

    kind: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    attempts: list[Envelope] = field(default_factory=list)
    first_retry: int = 0
    """`retry_attempt` of the first attempt (an event the test says is already a retry)."""

    @property
    def acked(self) -> Envelope | None:
        """The first attempt that was acknowledged, if any."""
        return next((e for e in self.attempts if e.acked_at is not None), None)

    @property
    def refused(self) -> int | None:
        """The status of the first attempt the bot answered with anything but 200 (and so
        did not acknowledge), if any."""
        return next((e.answer for e in self.attempts
                     if e.answer is not None and e.answer != 200), None)

    # `Response`'s fields, so a test body reads a delivery as it reads an HTTP answer.
    @property
    def status(self) -> int:
        """200 once acknowledged; else the status the bot refused it with; else 0."""
        return 200 if self.acked is not None else (self.refused or 0)

    @property
    def body(self) -> str:
        """The acknowledgement's payload (JSON), as HTTP's response body would carry it."""
        ack = self.acked
        return json.dumps(ack.ack_payload) if ack is not None and ack.ack_payload else ""

    @property
    def seconds(self) -> float:
        """Seconds from the first attempt going out to the acknowledgement."""
        ack = self.acked
        if ack is None or ack.acked_at is None or not self.attempts:
            return float("inf")
        return ack.acked_at - self.attempts[0].sent_at


@dataclass(eq=False)
class Link:
    """One WebSocket connection from the bot."""

    number: int
    ticket: str
    ws: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
    opened_at: float = field(default_factory=time.monotonic)
    closed_at: float | None = None
    close_reason: str = ""
    received: list[str] = field(default_factory=list)
    """Every text frame the bot sent on this connection."""

    @property
    def open(self) -> bool:
        return self.closed_at is None


class SocketServer:
    """The server; start it, give `url` to the mock Web API, and push envelopes."""

    def __init__(self, *, redeliver: bool = True, ack_deadline: float = ACK_DEADLINE,
                 retries: int = RETRIES, host: str = "127.0.0.1") -> None:
        self.host = host
        self.redeliver = redeliver
        self.ack_deadline = ack_deadline
        self.retries = retries
        self.links: list[Link] = []
        self.deliveries: list[Delivery] = []
        self.stray_acks: list[dict[str, Any]] = []
        """Acknowledgements for envelope ids this server never sent (or sent elsewhere)."""
        self.refused: list[str] = []
        """Why connection attempts were refused (bad or reused ticket)."""
        self.accepting = True
        """False: `url()` raises, so apps.connections.open fails (Slack unavailable)."""
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._by_id: dict[str, Envelope] = {}
        self._numbers = itertools.count(1)
        self._round_robin = itertools.count()
        self._cond = threading.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, name="socket-mode",
                                        daemon=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SocketServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._link)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, backlog=128)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def _stop() -> None:
            for task in list(self._tasks):
                task.cancel()
            for link in list(self.links):
                if link.open:
                    with contextlib.suppress(Exception):
                        await link.ws.close()
            if self._runner is not None:
                await self._runner.cleanup()
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def port(self) -> int:
        return self._port

    def url(self) -> str:
        """A fresh, one-time WebSocket URL, as apps.connections.open returns it."""
        if not self.accepting:
            raise ConnectionRefusedError("Socket Mode is not accepting connections")
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets[ticket] = False
        return f"ws://{self.host}:{self._port}/link/?ticket={ticket}&app_id={APP_ID}"

    # ------------------------------------------------------------------ connections

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._cond:
            used = self._tickets.get(ticket)
            if used is None or used:
                self.refused.append("reused ticket" if used else "unknown ticket")
                self._cond.notify_all()
                return web.Response(status=401, text="invalid ticket")
            self._tickets[ticket] = True
        ws = web.WebSocketResponse(autoping=True, heartbeat=None)
        await ws.prepare(request)
        link = Link(next(self._numbers), ticket, ws, request.transport)
        with self._cond:
            self.links.append(link)
            count = sum(1 for x in self.links if x.open)
            self._cond.notify_all()
        await ws.send_str(json.dumps({
            "type": "hello", "num_connections": count,
            "connection_info": {"app_id": APP_ID},
            "debug_info": {"host": "applink-local", "build_number": 1,
                           "approximate_connection_time": 18060, "started": "now"}}))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(link, str(message.data))
                elif message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            await self._closed(link, link.close_reason or "closed by the client")
        return ws

    def _on_text(self, link: Link, text: str) -> None:
        now = time.monotonic()
        with self._cond:
            link.received.append(text)
            try:
                data = json.loads(text)
            except ValueError:
                self._cond.notify_all()
                return
            envelope = self._by_id.get(str(data.get("envelope_id", "")))
            if envelope is None or envelope.link is not link or envelope.acked_at is not None:
                self.stray_acks.append(data)
            else:
                envelope.acked_at = now
                payload = data.get("payload")
                envelope.ack_payload = payload if isinstance(payload, dict) else None
            self._cond.notify_all()

    async def _closed(self, link: Link, reason: str) -> None:
        with self._cond:
            if link.closed_at is not None:
                return
            link.closed_at = time.monotonic()
            link.close_reason = reason
            lost = [e for e in self._by_id.values()
                    if e.link is link and e.acked_at is None
                    and e.delivery.acked is None and e.delivery.attempts[-1] is e]
            self._cond.notify_all()
        if self.redeliver:
            for envelope in lost:
                self._spawn(self._redeliver(envelope))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _redeliver(self, envelope: Envelope, patience: float = 60.0, *,
                         same_link: bool = False) -> None:
        """Send an unacknowledged envelope again on another open connection (waiting for
        one to appear; `same_link`: or on its own when it is the only one), as Slack does."""
        deadline = time.monotonic() + patience
        delivery = envelope.delivery
        while time.monotonic() < deadline:
            with self._cond:
                # Acknowledged, or sent again already (its connection went, then its deadline
                # passed; or the test resent it): nothing to do.
                if delivery.acked is not None or delivery.attempts[-1] is not envelope:
                    return
                targets = [x for x in self.links if x.open and x is not envelope.link]
                if not targets and same_link and envelope.link.open:
                    targets = [envelope.link]
            if targets:
                target = targets[next(self._round_robin) % len(targets)]
                if await self._send(delivery, target) is not None:
                    return
                with self._cond:
                    envelope = delivery.attempts[-1]  # the attempt that just failed
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ test controls

    def open_links(self) -> list[Link]:
        with self._cond:
            return [x for x in self.links if x.open]

    def wait(self, predicate: Callable[[], Any], timeout: float = 15.0,
             what: str = "it") -> Any:
        """Wait until `predicate()` (called under the server's lock) is truthy."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    state = [(x.number, x.open, x.close_reason) for x in self.links]
                    raise AssertionError(f"timed out waiting for {what}; links: {state}")
                self._cond.wait(min(left, 0.1))

    def wait_links(self, count: int, timeout: float = 30.0) -> list[Link]:
        """Wait until at least `count` connections are open; the open ones, oldest first."""
        links: list[Link] = self.wait(
            lambda: (found := [x for x in self.links if x.open]) and len(found) >= count
            and found, timeout, f"{count} open Socket Mode connections")
        return links

    def wait_closed(self, link: Link, timeout: float = 30.0) -> None:
        self.wait(lambda: not link.open, timeout, f"connection {link.number} to close")

    def send(self, kind: str, payload: dict[str, Any], *, to: Link | None = None,
             accepts_response_payload: bool | None = None, retry_attempt: int = 0) -> Delivery:
        """Push a payload to one connection (`to`, else the next open one round robin);
        `retry_attempt`: an event Slack is already retrying."""
        assert kind in KINDS, kind
        if accepts_response_payload is None:
            accepts_response_payload = kind != "events_api"
        delivery = Delivery(kind, payload, accepts_response_payload, first_retry=retry_attempt)
        with self._cond:
            self.deliveries.append(delivery)
            if to is None:
                open_links = [x for x in self.links if x.open]
                assert open_links, "no open Socket Mode connection"
                to = open_links[next(self._round_robin) % len(open_links)]
        sent = asyncio.run_coroutine_threadsafe(self._send(delivery, to), self._loop).result(10)
        if sent is None and self.redeliver:
            # The connection went away as it was chosen: Slack would try another one.
            with self._cond:
                last = delivery.attempts[-1] if delivery.attempts else None
            if last is not None:
                self._loop.call_soon_threadsafe(self._spawn, self._redeliver(last))
        return delivery

    async def _send(self, delivery: Delivery, link: Link) -> Envelope | None:
        with self._cond:
            attempt = len(delivery.attempts)
            envelope = Envelope(f"env-{uuid.uuid4().hex[:12]}", delivery.kind, delivery.payload,
                                link, delivery, attempt)
            delivery.attempts.append(envelope)
            self._by_id[envelope.envelope_id] = envelope
        message: dict[str, Any] = {
            "envelope_id": envelope.envelope_id, "type": delivery.kind,
            "payload": delivery.payload,
            "accepts_response_payload": delivery.accepts_response_payload}
        retry = delivery.first_retry + attempt
        if delivery.kind == "events_api" and retry:
            message["retry_attempt"] = retry
            message["retry_reason"] = "timeout"
        elif delivery.kind == "events_api":
            message["retry_attempt"] = 0
            message["retry_reason"] = ""
        envelope.sent_at = time.monotonic()
        if not link.open:
            return None
        try:
            await link.ws.send_str(json.dumps(message))
        except (ConnectionError, RuntimeError):
            return None
        if self.redeliver and attempt < self.retries:
            self._loop.call_later(self.ack_deadline, self._overdue, envelope)
        return envelope

    def _overdue(self, envelope: Envelope) -> None:
        """Slack's deadline passed since `envelope` went out: unless some attempt was
        acknowledged (or a later attempt is already out), deliver it again."""
        with self._cond:
            if envelope.delivery.acked is not None or envelope.delivery.attempts[-1] is not envelope:
                return
        self._spawn(self._redeliver(envelope, same_link=True))

    def resend(self, delivery: Delivery, *, to: Link) -> Envelope:
        """Deliver `delivery` again on `to` (a new envelope id; events say it is a retry),
        as Slack does when it thinks an attempt was lost."""
        sent = asyncio.run_coroutine_threadsafe(self._send(delivery, to), self._loop).result(10)
        assert sent is not None, f"connection {to.number} is closed"
        return sent

    def note_answer(self, envelope_id: str, status: int) -> None:
        """The bot (one in the test process) says what its app answered to `envelope_id`,
        before acknowledging it or, for anything but 200, instead."""
        with self._cond:
            envelope = self._by_id.get(envelope_id)
            if envelope is not None:
                envelope.answer = status
            self._cond.notify_all()

    def wait_answer(self, delivery: Delivery, timeout: float = 15.0) -> Delivery:
        """Wait until `delivery` was acknowledged, or the bot said it refused it."""
        self.wait(lambda: delivery.acked is not None or delivery.refused is not None, timeout,
                  f"the ack of a {delivery.kind} envelope")
        return delivery

    def wait_ack(self, delivery: Delivery, timeout: float = 15.0) -> Envelope:
        """Wait until some attempt of `delivery` was acknowledged; that attempt."""
        acked: Envelope = self.wait(lambda: delivery.acked, timeout,
                                    f"the ack of a {delivery.kind} envelope")
        return acked

    def disconnect(self, link: Link, reason: str = "refresh_requested") -> None:
        """Send `{"type": "disconnect", "reason": reason}` on `link` (it stays open; the
        client is expected to reconnect and close it)."""
        message = json.dumps({"type": "disconnect", "reason": reason,
                              "debug_info": {"host": "applink-local"}})
        asyncio.run_coroutine_threadsafe(link.ws.send_str(message), self._loop).result(10)

    def close(self, link: Link, reason: str = "closed by the server") -> None:
        """Close `link` with a WebSocket close frame (as Slack does after a disconnect)."""
        async def _close() -> None:
            link.close_reason = reason
            await link.ws.close()
        asyncio.run_coroutine_threadsafe(_close(), self._loop).result(10)

    def drop(self, link: Link, *, unacked: Sequence[tuple[str, dict[str, Any]]] = ()
             ) -> list[Delivery]:
        """Reset the TCP connection (RST, no close frame), as a broken network does.

        `unacked`: (kind, payload) envelopes to write on `link` just before, with no chance
        for an ack to be read in between, so each is certainly unacknowledged when the link
        goes: the bot may or may not have read one, and it will be delivered again (the
        case where a redelivery must not run twice). Their deliveries are returned."""
        deliveries = [Delivery(kind, payload, kind != "events_api") for kind, payload in unacked]
        with self._cond:
            self.deliveries.extend(deliveries)

        async def _drop() -> None:
            for delivery in deliveries:
                # Small frames go to the transport without waiting: no ack is read meanwhile.
                await self._send(delivery, link)
            link.close_reason = "dropped"
            transport = link.transport
            if transport is None:
                return
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        asyncio.run_coroutine_threadsafe(_drop(), self._loop).result(10)
        self.wait_closed(link)
        return deliveries


class SocketSender(Sender):
    """`Sender`'s payload builders (commands, events, clicks, view submissions), delivered as
    Socket Mode envelopes instead of signed HTTP requests: what Slack would POST is the
    envelope's payload. Each call returns the `Delivery` (which reads like `Response`), once
    it was acknowledged or the bot said it refused it (`wait`), on the connection `to` (else
    the sender's own `link`, else round robin). `retry_num` makes an event a retry, as the
    HTTP header does; signatures and timestamps are HTTP's only."""

    def __init__(self, server: SocketServer, response_base: str, *,
                 link: Link | None = None) -> None:
        super().__init__("", "", response_base)
        self.server = server
        self.link = link

    def send(self, body: str, content_type: str, *,  # type: ignore[override]
             to: Link | None = None, wait: bool = True, timeout: float = 15.0,
             retry_num: int | None = None, timestamp: str | None = None,
             sign_with: str | None = None) -> Delivery:
        assert timestamp is None and sign_with is None, "Socket Mode requests are not signed"
        if content_type == "application/json":
            kind, payload = "events_api", json.loads(body)
        else:
            form = dict(parse_qsl(body, keep_blank_values=True))
            if set(form) == {"payload"}:
                kind, payload = "interactive", json.loads(form["payload"])
            else:
                kind, payload = "slash_commands", dict(form)
        delivery = self.server.send(kind, payload, to=to or self.link,
                                    retry_attempt=retry_num or 0)
        if wait:
            self.server.wait_answer(delivery, timeout)
        return delivery
