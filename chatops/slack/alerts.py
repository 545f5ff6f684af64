"""Alerts through Slack: the chat surface the alert engine posts with, the listener for
alert bots' messages, and the Alertmanager webhook handler served next to /slack/events.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_sdk import WebClient

from chatops.alerts import (
    AlertBacklogFull,
    AlertEngine,
    AlertPayloadError,
    parse_alertmanager,
    parse_bot_message,
)
from chatops.replies import Reply
from chatops.slack.blocks import fallback_text, reply_blocks, run_blocks
from chatops.slack.ports import RunMessages

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/alertmanager"
MARKER_EVENT = "chatops_post"
"""The Slack message metadata type that carries an outbox post's marker."""
FIND_WINDOW = 200
"""How many recent messages `find` looks through (a storm's thread is bounded by the outbox)."""


class SlackChat:
    """`ChatSurface` over the Web API: posts and edits on the bot's own initiative."""

    def __init__(self, client: WebClient, runs: RunMessages,
                 changed: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.runs = runs
        # Told when a plan becomes its run's message here (the Home tabs follow it).
        self.changed = changed

    def post(self, channel: str, reply: Reply, *, thread: str | None = None,
             marker: str | None = None) -> str:
        """Post a reply; a plan becomes its run's message (later edits find it)."""
        blocks = run_blocks(reply.run) if reply.run is not None else reply_blocks(reply)
        metadata = ({"event_type": MARKER_EVENT, "event_payload": {"marker": marker}}
                    if marker else None)
        response = self.client.chat_postMessage(channel=channel, thread_ts=thread,
                                                text=fallback_text(reply.text), blocks=blocks,
                                                metadata=metadata)
        ts = str(response["ts"])
        if reply.kind == "plan" and reply.run is not None:
            self.runs.record_message_ref(reply.run.id, f"{channel}:{ts}")
            if self.changed is not None:
                self.changed(reply.run.id)
        return ts

    def find(self, channel: str, marker: str, *, thread: str | None = None) -> str | None:
        """Look through the thread's replies (or the channel's latest messages) for the
        bot's message carrying `marker`."""
        if thread is not None:
            response = self.client.conversations_replies(
                channel=channel, ts=thread, include_all_metadata=True, limit=FIND_WINDOW)
        else:
            response = self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=FIND_WINDOW)
        for message in response.get("messages") or []:
            meta = message.get("metadata") or {}
            if (meta.get("event_type") == MARKER_EVENT
                    and (meta.get("event_payload") or {}).get("marker") == marker):
                return str(message["ts"])
        return None

    def update(self, channel: str, message_id: str, reply: Reply) -> None:
        """Replace the text of one of the bot's messages."""
        self.client.chat_update(channel=channel, ts=message_id, text=fallback_text(reply.text),
                                blocks=reply_blocks(reply))


def alert_text(event: Mapping[str, Any]) -> str:
    """The text of an alert bot's message, attachments included (Alertmanager uses them)."""
    parts = [str(event.get("text") or "")]
    for attachment in event.get("attachments") or []:
        if isinstance(attachment, dict):
            parts += [str(attachment.get(k) or "") for k in ("pretext", "title", "text",
                                                             "fallback")]
    return "\n".join(p for p in parts if p)


def from_alert_bot(engine: AlertEngine, event: Mapping[str, Any],
                   default_channel: str | None = None) -> bool:
    """Whether `event` is an alert bot's post that the rules allow, in an alert channel (one
    the rules name, or the default alert channel; nowhere when neither is set)."""
    bot = event.get("bot_id")
    if not bot or bot not in engine.rules.allowed_bots:
        return False
    if event.get("subtype") not in (None, "bot_message"):
        return False
    channels = engine.rules.channels | ({default_channel} if default_channel else set())
    return event.get("channel") in channels


def take_bot_alert(engine: AlertEngine, event: Mapping[str, Any],
                   pump: Callable[[], None]) -> None:
    """Turn an alert bot's message into alerts and answer in its thread (`pump`: the
    runtime's, which posts only on the Lease holder)."""
    try:
        alerts = parse_bot_message(alert_text(event))
    except AlertPayloadError as exc:
        log.info("alert bot message not understood: %s", exc)
        return
    try:
        engine.receive(alerts, channel=str(event["channel"]), source="slack-bot",
                       anchor=str(event.get("thread_ts") or event["ts"]))
    except AlertBacklogFull as exc:
        # Nobody to answer with a 429 here; the refusal is audited by the engine.
        log.warning("alert bot message not taken: %s", exc)
        return
    pump()


@dataclass
class WebhookAnswer:
    """Status code and JSON body for the Alertmanager webhook request."""

    status: int
    body: dict[str, Any]


class AlertWebhook:
    """`POST /alertmanager[?channel=C...]`: Alertmanager's webhook JSON behind a bearer token.

    The token is required (`insecure=True` serves without one, for a demo only). The
    channel is the default one or one the alert rules name: a poster can't send alerts, and
    so proposals, into any other channel or a DM. Answers at once; the engine's pump posts in
    the background. Malformed payloads get a 4xx with the reason and change nothing; a full
    outbox gets a 429, so Alertmanager sends the batch again later.
    """

    def __init__(self, engine: AlertEngine, *, channel: str | None,
                 token: str | None, pump: Callable[[], None], insecure: bool = False) -> None:
        if not token and not insecure:
            raise ValueError("the Alertmanager webhook needs a bearer token")
        self.engine = engine
        self.pump = pump
        self.channel = channel
        self.token = token or None
        self.channels = frozenset(engine.rules.channels) | ({channel} if channel else set())

    def authorized(self, authorization: str) -> bool:
        """Whether the request's Authorization header carries the token (checked before the
        body is read)."""
        if self.token is None:
            return True
        return hmac.compare_digest(authorization.encode(), f"Bearer {self.token}".encode())

    def handle(self, body: bytes, query: str) -> WebhookAnswer:
        """Process one authorized webhook request."""
        asked = parse_qs(query).get("channel")
        channel = asked[0] if asked else self.channel
        if not channel:
            return WebhookAnswer(400, {"error": "no channel: add ?channel=C... to the URL or "
                                                "set CHATOPS_ALERT_CHANNEL"})
        if channel not in self.channels:
            return WebhookAnswer(403, {"error": "that channel is not an alert channel: use "
                                                "CHATOPS_ALERT_CHANNEL or one of the alert "
                                                "rules' channels"})
        try:
            alerts = parse_alertmanager(body)
        except AlertPayloadError as exc:
            return WebhookAnswer(400, {"error": str(exc)})
        try:
            receipt = self.engine.receive(alerts, channel=channel, source="alertmanager")
        except AlertBacklogFull as exc:
            return WebhookAnswer(429, {"error": str(exc)})
        # The runtime's pump: it posts only on the Lease holder, where the outbox is drained.
        threading.Thread(target=self.pump, name="alert-pump", daemon=True).start()
        return WebhookAnswer(200, {"accepted": receipt.accepted, "new_threads":
                                   receipt.new_threads, "folded": receipt.folded,
                                   "resolved": receipt.resolved})


def answer_json(answer: WebhookAnswer) -> str:
    """The webhook answer's body."""
    return json.dumps(answer.body)
