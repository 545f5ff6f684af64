"""A local Slack Web API server for tests (in the spirit of bolt-python's
`tests/mock_web_api_server/`): it answers the methods the bot calls, records every call,
and answers 429 (with Retry-After) or 500 on demand. Slack is faked at the HTTP boundary;
nothing in slack_sdk or slack_bolt is patched.

It also serves `response_url`s (`/respond/<id>`), which slash-command replies go to, and
`apps.connections.open` (the app-level `xapp-` token as a Bearer token) for Socket Mode: it
answers with `connections_url()`, a local Socket Mode server's URL
(`tests/slack/socket_server.py`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "UBOT"


@dataclass
class Call:
    """One request the bot made: the API method and its arguments (JSON decoded)."""

    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    ts: str | None = None
    """The ts the server gave a posted message (chat.postMessage only)."""

    def text(self) -> str:
        """Everything readable in the call: `text` plus the text of all blocks."""
        parts = [str(self.args.get("text", ""))]
        parts += _block_texts(self.args.get("blocks") or [])
        view = self.args.get("view")
        if isinstance(view, dict):  # views.publish / views.open: the view's blocks
            parts += _block_texts(view.get("blocks") or [])
        return "\n".join(parts)


def _block_texts(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    out: list[str] = []
    if isinstance(value, list):
        for item in value:
            out += _block_texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("text", "action_id", "value") and isinstance(item, str):
                out.append(item)
            else:
                out += _block_texts(item)
    return out


SHUTDOWN_POLL = 0.05
"""Seconds between the server loop's checks for `shutdown()`."""

class MockSlack:
    """The server; `url` is the Web API base URL (…/api/) to give the bot."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.usergroups: list[dict[str, Any]] = []
        self.not_in_channel: set[str] = set()
        self.channel_errors: dict[str, str] = {}
        """Channel -> Slack error code that chat.postMessage and chat.update to it answer
        (`channel_not_found`, `is_archived`, `internal_error`...), until removed."""
        self.connections_url: Callable[[], str] | None = None
        """Socket Mode: hands out the WebSocket URL apps.connections.open answers with (it
        raises ConnectionRefusedError while Slack "is down"); None: Socket Mode is off."""
        self._faults: dict[str, list[tuple[int, int]]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.request_queue_size = 1024
        # `shutdown()` waits for the loop's next poll: at the default 0.5 s that was a third
        # of a second in the teardown of every Bolt test (about 4 minutes of the suite).
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": SHUTDOWN_POLL})

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/respond/{name}"

    def start(self) -> MockSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ test controls

    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with `status` (429 or 5xx)."""
        with self._lock:
            self._faults.setdefault(method, []).extend([(status, retry_after)] * times)

    def of(self, method: str) -> list[Call]:
        """Recorded calls of `method`, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait(self, predicate: Callable[[list[Call]], Any], timeout: float = 15.0,
             what: str = "calls") -> Any:
        """Wait until `predicate(calls)` is truthy and return its value."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = predicate(list(self.calls))
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    summary = [(c.method, c.text()[:120]) for c in self.calls]
                    raise AssertionError(f"timed out waiting for {what}; calls: {summary}")
                self._lock.wait(min(left, 0.1))

    def wait_for(self, method: str, contains: str = "", *, count: int = 1,
                 timeout: float = 15.0) -> list[Call]:
        """Wait for `count` calls of `method` whose text contains `contains`."""
        def found(calls: list[Call]) -> list[Call] | None:
            hits = [c for c in calls if c.method == method and contains in c.text()]
            return hits if len(hits) >= count else None
        result: list[Call] = self.wait(found, timeout, f"{count}x {method} with {contains!r}")
        return result

    # ------------------------------------------------------------------ the server

    def _answer(self, method: str, args: dict[str, Any], *, authorization: str | None = None
                ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            faults = self._faults.get(method)
            fault = faults.pop(0) if faults else None
            posted = (f"{1700000000 + next(self._ts)}.000100"
                      if method == "chat.postMessage" and fault is None else None)
            self.calls.append(Call(method, args, ts=posted))
            self._lock.notify_all()
        if fault is not None:
            status, retry_after = fault
            if status == 429:
                return 429, {"Retry-After": str(retry_after)}, {"ok": False,
                                                                "error": "ratelimited"}
            return status, {}, "<html>upstream error</html>"
        if method.startswith("respond/"):
            return 200, {}, "ok"
        channel = str(args.get("channel", ""))
        if method in ("chat.postMessage", "chat.postEphemeral") and channel in self.not_in_channel:
            return 200, {}, {"ok": False, "error": "not_in_channel"}
        if method in ("chat.postMessage", "chat.update") and channel in self.channel_errors:
            return 200, {}, {"ok": False, "error": self.channel_errors[channel]}
        if method == "apps.connections.open":
            return 200, {}, self._connections_open(authorization)
        if method == "auth.test":
            return 200, {}, {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT",
                             "team_id": "T0TEAM", "user": "ops", "team": "Test",
                             "url": "https://test.slack.com/"}
        if method == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": channel, "ts": posted,
                             "message": {"ts": posted, "text": args.get("text", "")}}
        if method == "chat.update":
            return 200, {}, {"ok": True, "channel": channel, "ts": args.get("ts")}
        if method in ("conversations.history", "conversations.replies"):
            return 200, {}, {"ok": True, "messages": self._messages(method, args)}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.0002"}
        if method == "views.open":
            return 200, {}, {"ok": True, "view": {"id": "V0VIEW"}}
        if method == "views.publish":
            return 200, {}, {"ok": True, "view": {"id": "V0HOME", "type": "home"}}
        if method == "usergroups.list":
            return 200, {}, {"ok": True, "usergroups": self.usergroups}
        return 200, {}, {"ok": True}

    def _connections_open(self, authorization: str | None) -> dict[str, Any]:
        """Slack wants the app-level token, and only as `Authorization: Bearer xapp-...`."""
        if not authorization or not authorization.startswith("Bearer "):
            return {"ok": False, "error": "not_authed"}
        if not authorization.startswith("Bearer xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.connections_url is None:
            return {"ok": False, "error": "not_allowed"}
        try:
            return {"ok": True, "url": self.connections_url()}
        except ConnectionRefusedError:
            return {"ok": False, "error": "internal_error"}

    def _messages(self, method: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's posts in a channel's top level (history) or one thread (replies),
        newest first, with their metadata when asked for, as Slack answers them."""
        channel, thread = str(args.get("channel", "")), args.get("ts")
        with self._lock:
            posts = [c for c in self.calls if c.method == "chat.postMessage" and c.ts
                     and c.args.get("channel") == channel]
        if method == "conversations.replies":
            posts = [c for c in posts if c.args.get("thread_ts") == thread]
        else:
            posts = [c for c in posts if not c.args.get("thread_ts")]
        limit = int(args.get("limit") or 100)
        found = []
        for call in reversed(posts[-limit:]):
            message: dict[str, Any] = {"ts": call.ts, "text": call.args.get("text", ""),
                                       "bot_id": "BBOT"}
            meta = call.args.get("metadata")
            if isinstance(meta, str):
                meta = json.loads(meta)
            if meta and str(args.get("include_all_metadata")).lower() in ("true", "1"):
                message["metadata"] = meta
            found.append(message)
        return found

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if self.path.startswith("/api/"):
                    method = self.path[len("/api/"):].split("?")[0]
                elif self.path.startswith("/respond/"):
                    method = self.path.lstrip("/")
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                    query = self.path.partition("?")[2]
                    args.update({k: v[0] for k, v in parse_qs(query).items()})
                for key in ("blocks", "view"):
                    if isinstance(args.get(key), str):
                        with contextlib.suppress(ValueError):
                            args[key] = json.loads(args[key])
                status, headers, body = mock._answer(
                    method, args, authorization=self.headers.get("Authorization"))
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(
                    body, str) else "text/html")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                # Read methods (conversations.history, .replies) come as GET with a query.
                path, _, query = self.path.partition("?")
                if not path.startswith("/api/"):
                    self.send_response(404)
                    self.end_headers()
                    return
                args = {k: v[0] for k, v in parse_qs(query).items()}
                status, headers, body = mock._answer(path[len("/api/"):], args)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
