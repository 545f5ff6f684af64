"""The HTTP port's wire level: limits on what a client can make the server hold, request
headers as ASGI gives them, plain responses, and uvicorn's h11 protocol with a deadline for
the request head (see `chatops.slack.server` for the order in which requests are checked).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class HTTPLimits:
    """Bounds on what one client can make the server hold."""

    max_body: int = 1 << 20
    """Slack payloads are a few kilobytes."""
    max_alert_body: int = 8 << 20
    """An Alertmanager batch of many alerts can be larger."""
    header_timeout: float = 10.0
    """Seconds a connection may take to send a whole request head."""
    body_timeout: float = 10.0
    """Seconds the body may take to arrive (each piece of it)."""
    keep_alive: float = 5.0
    """Seconds an idle keep-alive connection stays open."""
    max_connections: int = 256
    """Open connections at once; more get an immediate 503."""
    workers: int = 16
    """Threads that run Bolt's dispatch and the webhook handler."""


def is_form(headers: dict[str, list[str]]) -> bool:
    """A form-encoded body: slash commands and interactivity (events are JSON)."""
    return (one_header(headers, "content-type") or "").lower().startswith(
        "application/x-www-form-urlencoded")


def header_lists(scope: Scope) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in scope.get("headers") or []:
        out.setdefault(bytes(name).decode("latin-1").lower(), []).append(
            bytes(value).decode("latin-1"))
    return out


def one_header(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values and len(values) == 1 else None


def bolt_headers(headers: dict[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(key, str(value)) for key, values in headers.items()
            if key.lower() != "content-length"
            for value in (values if isinstance(values, list | tuple) else [values])]


async def respond(send: Send, status: int, body: str, *, close: bool = False,
                   content_type: str = "text/plain; charset=utf-8",
                   extra: list[tuple[str, str]] | None = None) -> None:
    data = body.encode("utf-8")
    headers = [(b"content-length", str(len(data)).encode())]
    names = {k.lower() for k, _ in extra or []}
    if "content-type" not in names:
        headers.append((b"content-type", content_type.encode()))
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra or []]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for the request head.

    uvicorn arms no timer until a first response has gone out, and disarms the keep-alive
    timer on the first byte of a next request; a client that sends a few bytes and stops
    would hold its connection forever. The deadline is armed whenever the connection waits
    for a request head, and fires only if no new request started since.
    """

    header_timeout = HTTPLimits.header_timeout
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        waiting_for = self.cycle
        self._deadline = self.loop.call_later(self.header_timeout, self._expire, waiting_for)

    def _expire(self, waiting_for: object) -> None:
        idle = waiting_for is None or self.cycle.response_complete
        if self.cycle is waiting_for and idle and not self.transport.is_closing():
            log.info("closing a connection that sent no complete request in time")
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)
