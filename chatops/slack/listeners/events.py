"""Events: mentions, messages in the bot's threads and DMs, alert bots' messages, and the
App Home tab being opened (`chatops.slack.listeners.home`, when the backend has a Home).

Which messages reach a listener is decided by matchers: only people's messages, in a DM or
a thread the bot is part of; alert bots only in alert channels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltContext

from chatops.alerts import AlertEngine
from chatops.conversation.asking import MENTIONED_AS_SUBJECT
from chatops.model import Message
from chatops.slack.alerts import from_alert_bot, take_bot_alert
from chatops.slack.deliver import Place
from chatops.slack.errors import reported
from chatops.slack.listeners import home
from chatops.slack.listeners.common import MENTION, Parts, nothing, thread_marker
from chatops.slack.ports import HomeBackend


def human(event: Mapping[str, Any]) -> bool:
    """A message a person typed: no bot, no edit/delete/join notifications."""
    subtype = event.get("subtype")
    return not event.get("bot_id") and subtype in (None, "thread_broadcast", "file_share")


def _without_the_bot(text: str, bot_user: str | None) -> str:
    """The text without the bot's own mentions; other people's stay, so that the
    conversation sees a message said to someone else ("<@U0SARAH> can you ..."). The model
    reads text without any mention (`intents.text`). Without the bot's id, every mention
    goes, as before."""
    if not bot_user:
        return MENTION.sub("", text).strip()
    return re.sub(rf"<@{re.escape(bot_user)}(?:\|[^>]*)?>", "", text).strip()


# A mention of a person or a user group that opens a message, after a greeting at most.
_OPENING_MENTION = re.compile(r"^\W*(?:(?:hey|hi|hello|yo|ok|okay|so)\W+)?<(@[UW][A-Z0-9]+|"
                              r"!subteam\^[^>|]+)(?:\|[^>]*)?>", re.IGNORECASE)


def _to_someone_else(text: str, bot_user: str | None) -> bool:
    """Whether a message opens by addressing someone other than the bot ("<@U0SARAH> can
    you ...", "hey <@U0SARAH>, ...", "<!subteam^S1|@sre> someone please ..."): it is said
    to them, even if it mentions the bot later ("..., <@UBOT> fyi")."""
    found = _OPENING_MENTION.match(text)
    # "<@U0SARAH> says it's safe now, restart orders-worker": Sarah is talked about.
    return (found is not None and found.group(1) != f"@{bot_user}"
            and MENTIONED_AS_SUBJECT.match(text, found.end()) is None)


def register(app: App, parts: Parts) -> None:
    """Listeners for mentions and messages (and alert bots' messages when alerts are on)."""
    backend, deliverer = parts.backend, parts.kit.deliverer

    def message_of(event: dict[str, Any], bot_user: str | None,
                   event_id: str | None = None) -> Message:
        return parts.message(event["user"], _without_the_bot(event.get("text", ""), bot_user),
                             event["channel"], event.get("thread_ts") or event["ts"],
                             ts=event.get("ts"), event_id=event_id)

    def converse(body: dict[str, Any], event: dict[str, Any], bot_user: str | None) -> None:
        message = message_of(event, bot_user, body.get("event_id"))
        channel, thread = message.channel, str(message.thread)
        backend.claim(thread_marker(channel, thread))
        place = Place(channel, thread, message.user)
        replies = backend.service.handle(message, on_update=deliverer.progress(place))
        deliverer.deliver(replies, place, echo_updates=True)

    def overhear(event: dict[str, Any], bot_user: str | None) -> None:
        # Said to a colleague, answered by nobody here; "yes please" after "<@U0CAROL>
        # should I cancel it?" answers it, not the plan (`conversation.said`).
        backend.service.overhear(message_of(event, bot_user))

    def on_mention(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if _to_someone_else(event.get("text", ""), context.bot_user_id):
            # "<@U0SARAH> can you restart checkout? <@UBOT> fyi": said to Sarah
            overhear(event, context.bot_user_id)
            return
        converse(body, event, context.bot_user_id)

    def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        converse(body, event, context.bot_user_id)

    def from_a_person(event: dict[str, Any]) -> bool:
        return human(event) and bool(event.get("user"))

    def in_a_bot_thread(event: dict[str, Any], context: BoltContext) -> bool:
        thread = event.get("thread_ts")
        if not thread or thread == event.get("ts"):
            return False  # top-level channel chatter: only mentions address the bot
        if context.bot_user_id and f"<@{context.bot_user_id}" in event.get("text", ""):
            return False  # the app_mention event for the same message handles it
        return backend.seen(thread_marker(event["channel"], thread))

    def for_the_bot(event: dict[str, Any], context: BoltContext) -> bool:
        if event.get("channel_type") == "im":
            return True  # everything said in a DM is said to the bot
        # "<@U0SARAH> can you scale checkout?": said to a colleague (`to_a_colleague`)
        return (not _to_someone_else(event.get("text", ""), context.bot_user_id)
                and in_a_bot_thread(event, context))

    def to_a_colleague(event: dict[str, Any], context: BoltContext) -> bool:
        return (event.get("channel_type") != "im"
                and _to_someone_else(event.get("text", ""), context.bot_user_id)
                and in_a_bot_thread(event, context))

    def on_overheard(event: dict[str, Any], context: BoltContext) -> None:
        overhear(event, context.bot_user_id)

    if backend.alerts is not None:
        # Before the catch-all below: Bolt runs the first listener whose matchers pass.
        _register_alert_bots(app, backend.alerts, parts.settings.alert_channel, backend.pump)
    app.event("app_mention", matchers=[from_a_person])(ack=nothing,
                                                       lazy=[reported(on_mention)])
    app.event("message", matchers=[from_a_person, for_the_bot])(
        ack=nothing, lazy=[reported(on_message)])
    app.event("message", matchers=[from_a_person, to_a_colleague])(
        ack=nothing, lazy=[reported(on_overheard)])
    # Every other message (channel chatter, edits, bots) is acknowledged and dropped;
    # an unhandled event would be answered 404 and retried by Slack.
    app.event("message")(nothing)
    if isinstance(backend, HomeBackend):
        home.register(app, parts, backend)


def _register_alert_bots(app: App, engine: AlertEngine, channel: str | None,
                         pump: Callable[[], None]) -> None:
    def is_alert(event: dict[str, Any]) -> bool:
        return from_alert_bot(engine, event, channel)

    def on_alert(event: dict[str, Any]) -> None:
        take_bot_alert(engine, event, pump)

    app.event("message", matchers=[is_alert])(ack=nothing, lazy=[reported(on_alert)])
