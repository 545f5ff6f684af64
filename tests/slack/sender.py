"""Signed requests to the bot's `/slack/events`, shaped like Slack's (commands, events,
interactivity), for the tests and `bench/slack.py`."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

TEAM = "T0TEAM"
_seq = itertools.count(1)


def signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    seconds: float


def next_ts() -> str:
    """A fresh Slack-looking message timestamp."""
    return f"{1600000000 + next(_seq)}.{uuid.uuid4().int % 1000000:06d}"


class Sender:
    """Posts signed Slack requests to one bot endpoint."""

    def __init__(self, url: str, secret: str, response_base: str) -> None:
        self.url = url
        self.secret = secret
        self.response_base = response_base

    def send(self, body: str, content_type: str, *, timestamp: str | None = None,
             sign_with: str | None = None, retry_num: int | None = None,
             timeout: float = 10.0) -> Response:
        timestamp = timestamp or str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(sign_with or self.secret, timestamp, body),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers,
                                         method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode(), exc.code
        return Response(status, text, time.perf_counter() - started)

    def command_body(self, text: str, *, user: str, channel: str) -> str:
        name = uuid.uuid4().hex[:8]
        return urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "test", "channel_id": channel,
            "channel_name": "ops", "user_id": user, "user_name": user.lower(),
            "command": "/ops", "text": text, "api_app_id": "A0APP", "is_enterprise_install":
            "false", "response_url": f"{self.response_base}/respond/{name}",
            "trigger_id": f"trig-{name}",
        })

    def command(self, text: str, *, user: str = "U0ALICE", channel: str = "C0OPS",
                **kw: Any) -> Response:
        """`/ops text` as `user` in `channel`."""
        return self.send(self.command_body(text, user=user, channel=channel),
                         "application/x-www-form-urlencoded", **kw)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              **kw: Any) -> Response:
        """An Events API callback wrapping `event`."""
        body = json.dumps({
            "token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        })
        return self.send(body, "application/json", **kw)

    def message(self, text: str, *, user: str, channel: str, thread_ts: str | None = None,
                ts: str | None = None, channel_type: str = "channel",
                mention: bool = False, **kw: Any) -> Response:
        """A message (or an app_mention when `mention`) as `user`."""
        event: dict[str, Any] = {
            "type": "app_mention" if mention else "message", "user": user,
            "text": f"<@UBOT> {text}" if mention else text, "channel": channel,
            "ts": ts or next_ts(), "channel_type": channel_type, "team": TEAM}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **kw)

    def interaction(self, payload: dict[str, Any], **kw: Any) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.send(body, "application/x-www-form-urlencoded", **kw)

    def click(self, action_id: str, run_id: str, *, user: str, channel: str,
              message_ts: str, action_ts: str | None = None, **kw: Any) -> Response:
        """A button click on the bot's message `message_ts`."""
        return self.interaction({
            "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
            "api_app_id": "A0APP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
            "channel": {"id": channel}, "container": {"type": "message",
                                                      "channel_id": channel,
                                                      "message_ts": message_ts},
            "message": {"ts": message_ts, "type": "message", "user": "UBOT"},
            "response_url": f"{self.response_base}/respond/click",
            "actions": [{"type": "button", "action_id": f"{action_id}:{run_id}",
                         "block_id": f"run:{run_id}", "value": run_id,
                         "action_ts": action_ts or f"{time.time():.6f}"}],
        }, **kw)

    def submit(self, view: dict[str, Any], values: dict[str, str], *, user: str,
               **kw: Any) -> Response:
        """Submit the modal `view` (as views.open sent it) with new slot values."""
        state = {f"slot:{name}": {"value": {"type": "plain_text_input", "value": value}}
                 for name, value in values.items()}
        return self.interaction({
            "type": "view_submission", "team": {"id": TEAM}, "user": {"id": user},
            "api_app_id": "A0APP", "trigger_id": f"trig-view-{uuid.uuid4().hex[:8]}",
            "view": {**view, "id": "V0VIEW", "state": {"values": state}},
        }, **kw)
