"""What every listener module shares: the parts a listener may use, and small readers of
Slack payloads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack

from chatops.model import Message
from chatops.settings import Settings
from chatops.slack.kit import SlackKit
from chatops.slack.ports import SlackBackend

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def thread_marker(channel: str, thread_ts: str) -> str:
    """The dedupe key that says "the bot is part of this thread"."""
    return f"slack-thread:{channel}:{thread_ts}"


def ack_now(ack: Ack) -> None:
    """Acknowledge at once; the lazy listener does the work."""
    ack()


def nothing() -> None:
    """Events are acknowledged by Bolt itself; there is nothing to do before the work."""


@dataclass(frozen=True)
class Parts:
    """What listeners are built on: the settings, the bot behind Slack, the Slack clients."""

    settings: Settings
    backend: SlackBackend
    kit: SlackKit

    def message(self, user: str, text: str, channel: str, thread: str | None, *,
                ts: str | None = None, event_id: str | None = None) -> Message:
        """A `Message` from Slack, with the sender's user groups."""
        return Message(user=user, text=text, channel=channel, thread=thread, ts=ts,
                       source="slack", event_id=event_id,
                       groups=self.kit.groups.groups_of(user))


def shown_binding(action: Mapping[str, Any]) -> str | None:
    """The binding the clicked message showed (its actions block is `run:ID:BINDING`)."""
    parts = str(action.get("block_id") or "").split(":")
    return parts[2] if len(parts) == 3 and parts[2] else None


def clicked_message(body: Mapping[str, Any]) -> str | None:
    """`channel:ts` of the message whose button was clicked, as runs store it."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return f"{channel}:{ts}" if channel and ts else None


def click_place(body: Mapping[str, Any]) -> tuple[str, str | None]:
    """The channel and thread of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    msg = body.get("message") or {}
    thread = (msg.get("thread_ts") or msg.get("ts") or container.get("thread_ts")
              or container.get("message_ts"))
    return str(channel), str(thread) if thread else None
