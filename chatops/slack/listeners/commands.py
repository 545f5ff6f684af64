"""`/ops`: help, `runs`, `audit RUN_ID` and `schedules` for the asker only, anything else
(`schedule ...` too) in a thread of its own."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Respond
from slack_sdk.errors import SlackClientError

from chatops.conversation import SCHEDULE_LIST_WORDS
from chatops.messages.slack import NOT_IN_CHANNEL, TRY_AGAIN, WORKING
from chatops.slack.blocks import (
    asked_context,
    fallback_text,
    reply_blocks,
    text_blocks,
)
from chatops.slack.deliver import Place, slack_error
from chatops.slack.errors import reported
from chatops.slack.listeners import home
from chatops.slack.listeners.common import Parts, ack_now, thread_marker
from chatops.slack.ports import HomeBackend

log = logging.getLogger(__name__)

HELP_WORDS = frozenset({"", "help", "?"})


def register(app: App, parts: Parts, command: str) -> None:
    """The slash command `command`'s listeners."""
    service, deliverer = parts.backend.service, parts.kit.deliverer

    def is_help(body: dict[str, Any]) -> bool:
        return str(body.get("text", "")).strip().lower() in HELP_WORDS

    def is_schedule_list(body: dict[str, Any]) -> bool:
        return str(body.get("text", "")).strip().lower().rstrip(".!?") in SCHEDULE_LIST_WORDS

    def command_help(body: dict[str, Any], respond: Respond) -> None:
        # Help is for the asker only: it goes back through the response URL, ephemeral.
        answer_privately(body, "help", respond)

    def command_schedules(body: dict[str, Any], respond: Respond) -> None:
        # The list names schedules of other channels the asker requested: theirs alone.
        answer_privately(body, str(body.get("text", "")).strip(), respond)

    def answer_privately(body: dict[str, Any], text: str, respond: Respond) -> None:
        replies = service.handle(parts.message(body["user_id"], text, body["channel_id"],
                                               None))
        for reply in replies:
            respond(text=fallback_text(reply.text), blocks=reply_blocks(reply),
                    response_type="ephemeral")

    def command_run(body: dict[str, Any], respond: Respond) -> None:
        user, channel = body["user_id"], body["channel_id"]
        text = str(body.get("text", "")).strip()
        header = asked_context(user, str(body.get("command", command)), text)
        try:
            # The bot's first message is the thread's parent; the first reply replaces it.
            ts = deliverer.post(Place(channel, None, user), WORKING,
                                [header, *text_blocks(WORKING)])
        except SlackClientError as exc:
            error = slack_error(exc)
            log.warning("could not post in %s: %s", channel, error)
            respond(text=NOT_IN_CHANNEL if error in ("not_in_channel", "channel_not_found")
                    else TRY_AGAIN, response_type="ephemeral")
            return
        if ts is None:
            respond(text=TRY_AGAIN, response_type="ephemeral")
            return
        parts.backend.claim(thread_marker(channel, ts))
        place = Place(channel, ts, user, placeholder_ts=ts, header=header)
        replies = service.handle(parts.message(user, text, channel, ts, ts=ts),
                                 on_update=deliverer.progress(place))
        deliverer.deliver(replies, place)

    app.command(command, matchers=[is_help])(ack=ack_now, lazy=[reported(command_help)])
    app.command(command, matchers=[is_schedule_list])(ack=ack_now,
                                                      lazy=[reported(command_schedules)])
    if isinstance(parts.backend, HomeBackend):
        # Before the catch-all below: Bolt runs the first listener whose matchers pass.
        home.register_commands(app, parts, command, parts.backend)
    app.command(command)(ack=ack_now, lazy=[reported(command_run)])
