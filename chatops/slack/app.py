"""The Slack surface: a Bolt app whose listeners translate Slack payloads into `Message`s,
call the conversation service, and hand its replies to the `Deliverer`.

Everything is registered in `build_app`; nothing connects at import time. Listeners
acknowledge at once and do the work in lazy listeners (a thread pool), so Slack gets its
answer within milliseconds however long a plan or a rollout takes. Cross-cutting rules live
in middleware and matchers: retries of events already being handled are answered before
authorization, other bots and message edits never reach a listener, and channel messages
are only taken in threads the bot is part of.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Literal

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from chatops.alerts import AlertEngine
from chatops.approvals.runs import RunStore
from chatops.conversation import ConversationService
from chatops.errors import ChatOpsError
from chatops.model import Message
from chatops.replies import Reply
from chatops.settings import Settings
from chatops.slack.alerts import from_alert_bot, take_bot_alert
from chatops.slack.blocks import (
    APPROVE,
    DENY,
    EDIT,
    EDIT_VIEW,
    NOT_IN_CHANNEL,
    TRY_AGAIN,
    WORKING,
    SlotField,
    asked_context,
    edit_modal,
    fallback_text,
    reply_blocks,
    text_blocks,
)
from chatops.slack.client import make_client
from chatops.slack.deliver import Deliverer, Place, slack_error, split_ref
from chatops.slack.directory import UserGroups
from chatops.slack.rejections import Rejections

log = logging.getLogger(__name__)

COMMAND = "/ops"
HELP_WORDS = frozenset({"", "help", "?"})
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class SlackSetupError(ChatOpsError):
    """The Slack settings don't allow serving; the message says which one to set."""


def thread_marker(channel: str, thread_ts: str) -> str:
    """The dedupe key that says "the bot is part of this thread"."""
    return f"slack-thread:{channel}:{thread_ts}"


def _ack(ack: Ack) -> None:
    """Acknowledge at once; the lazy listener does the work."""
    ack()


def _nothing() -> None:
    """Events are acknowledged by Bolt itself; there is nothing to do before the work."""


def _team_of(body: Mapping[str, Any]) -> str | None:
    """The workspace a payload comes from (commands and events say `team_id`,
    interactions `team.id`)."""
    team = body.get("team_id")
    if not team and isinstance(body.get("team"), dict):
        team = body["team"].get("id")
    return str(team) if team else None


def _foreign(body: Mapping[str, Any], team_id: str | None, app_id: str | None,
             rejections: Rejections) -> BoltResponse | None:
    """A 403 for a payload from another workspace or app than ours (recorded), else None."""
    team, app = _team_of(body), body.get("api_app_id")
    if (team_id and team != team_id) or (app_id and app != app_id):
        rejections.record("slack payload", f"from team {team!s}, app {app!s}", 403)
        return BoltResponse(status=403, body="")
    return None


def _door(store: RunStore, team_id: str | None, app_id: str | None,
          rejections: Rejections) -> Callable[..., BoltResponse | None]:
    def only_ours_and_no_repeats(request: BoltRequest,
                                 next_: Callable[[], None]) -> BoltResponse | None:
        # Payloads from another workspace or another app are refused before any listener,
        # whichever way they came in (HTTP or Socket Mode).
        body = request.body if isinstance(request.body, dict) else {}
        refused = _foreign(body, team_id, app_id, rejections)
        if refused is not None:
            return refused
        # Slack retries an event it thinks was lost. If the service has claimed its
        # event_id, the work is done or under way: answer 200 at once (no auth.test, no
        # lazy thread). Otherwise let it through; the service's claim still decides.
        if request.headers.get("x-slack-retry-num"):
            event_id = request.body.get("event_id")
            if isinstance(event_id, str) and store.seen(f"event:{event_id}"):
                log.info("Slack retry of event %s acknowledged without work", event_id)
                return BoltResponse(status=200, body="")
        next_()
        return None
    return only_ours_and_no_repeats


def _human(event: Mapping[str, Any]) -> bool:
    """A message a person typed: no bot, no edit/delete/join notifications."""
    subtype = event.get("subtype")
    return not event.get("bot_id") and subtype in (None, "thread_broadcast", "file_share")


def build_app(settings: Settings, service: ConversationService, *,
              client: WebClient | None = None, groups: UserGroups | None = None,
              deliverer: Deliverer | None = None, workers: int = 8,
              command: str = COMMAND, token_verification: bool = True,
              alerts: AlertEngine | None = None, rejections: Rejections | None = None) -> App:
    """The Bolt app for `service`: slash command, mentions, DMs, threads, buttons, modal.

    `client` is the Web API client (default: `make_client(settings)`, with retry handlers);
    `workers` bounds the lazy listeners running at once; `alerts`, when given, answers
    alert bots' messages in the alert channels; `rejections` records refused payloads.
    Payloads from a workspace other than the bot token's (or `settings.slack_team_id`), or
    from another app than `settings.slack_app_id` when set, are refused.
    """
    if settings.slack_app_token is None and not settings.slack_signing_secret:
        raise SlackSetupError("Set SLACK_SIGNING_SECRET to serve over HTTP, or SLACK_APP_TOKEN "
                              "for Socket Mode.")
    client = client or make_client(settings)
    groups = groups or UserGroups(client)
    deliverer = deliverer or Deliverer(client, service.store)
    store = service.store
    rejections = rejections or Rejections(service.audit)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=settings.slack_signing_secret is not None,
        token_verification_enabled=token_verification,
        # The ack function runs inline in the request thread: a burst of requests then
        # never waits for acknowledgement behind the lazy work queued in the pool.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=workers,
                                             thread_name_prefix="chatops-slack"),
        before_authorize=_door(store, settings.slack_team_id, settings.slack_app_id,
                               rejections),
        logger=logging.getLogger("chatops.slack.bolt"),
    )

    @app.use
    def only_the_tokens_workspace(request: BoltRequest, context: BoltContext,
                                  next_: Callable[[], None]) -> BoltResponse | None:
        # Without a configured team, the workspace is the bot token's (from the auth.test
        # that authorization made and cached), so a payload from elsewhere is refused too.
        result = context.authorize_result
        if settings.slack_team_id is None and result is not None and result.team_id:
            body = request.body if isinstance(request.body, dict) else {}
            refused = _foreign(body, str(result.team_id), None, rejections)
            if refused is not None:
                return refused
        next_()
        return None

    def message(user: str, text: str, channel: str, thread: str | None, *,
                ts: str | None = None, event_id: str | None = None) -> Message:
        return Message(user=user, text=text, channel=channel, thread=thread, ts=ts,
                       source="slack", event_id=event_id, groups=groups.groups_of(user))

    # ------------------------------------------------------------------ /ops

    def is_help(body: dict[str, Any]) -> bool:
        return str(body.get("text", "")).strip().lower() in HELP_WORDS

    def command_help(body: dict[str, Any], respond: Respond) -> None:
        # Help is for the asker only: it goes back through the response URL, ephemeral.
        replies = service.handle(message(body["user_id"], "help", body["channel_id"], None))
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
        store.claim(thread_marker(channel, ts))
        place = Place(channel, ts, user, placeholder_ts=ts, header=header)
        replies = service.handle(message(user, text, channel, ts, ts=ts),
                                 on_update=deliverer.progress(place))
        deliverer.deliver(replies, place)

    app.command(command, matchers=[is_help])(ack=_ack, lazy=[command_help])
    app.command(command)(ack=_ack, lazy=[command_run])

    # ------------------------------------------------------------------ conversations

    def converse(body: dict[str, Any], event: dict[str, Any], text: str, thread: str) -> None:
        channel, user = event["channel"], event["user"]
        place = Place(channel, thread, user)
        replies = service.handle(
            message(user, text, channel, thread, ts=event.get("ts"),
                    event_id=body.get("event_id")),
            on_update=deliverer.progress(place))
        deliverer.deliver(replies, place, echo_updates=True)

    def on_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("thread_ts") or event["ts"]
        store.claim(thread_marker(event["channel"], thread))
        converse(body, event, _MENTION.sub("", event.get("text", "")).strip(), thread)

    def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("thread_ts") or event["ts"]
        store.claim(thread_marker(event["channel"], thread))
        converse(body, event, _MENTION.sub("", event.get("text", "")).strip(), thread)

    def from_a_person(event: dict[str, Any]) -> bool:
        return _human(event) and bool(event.get("user"))

    def for_the_bot(event: dict[str, Any], context: BoltContext) -> bool:
        if event.get("channel_type") == "im":
            return True  # everything said in a DM is said to the bot
        thread = event.get("thread_ts")
        if not thread or thread == event.get("ts"):
            return False  # top-level channel chatter: only mentions address the bot
        if context.bot_user_id and f"<@{context.bot_user_id}" in event.get("text", ""):
            return False  # the app_mention event for the same message handles it
        return store.seen(thread_marker(event["channel"], thread))

    if alerts is not None:
        engine = alerts

        def is_alert(event: dict[str, Any]) -> bool:
            return from_alert_bot(engine, event, settings.alert_channel)

        def on_alert(event: dict[str, Any]) -> None:
            take_bot_alert(engine, event)

        # Before the catch-all below: Bolt runs the first listener whose matchers pass.
        app.event("message", matchers=[is_alert])(ack=_nothing, lazy=[on_alert])

    app.event("app_mention", matchers=[from_a_person])(ack=_nothing, lazy=[on_mention])
    app.event("message", matchers=[from_a_person, for_the_bot])(ack=_nothing,
                                                                lazy=[on_message])
    # Every other message (channel chatter, edits, bots) is acknowledged and dropped;
    # an unhandled event would be answered 404 and retried by Slack.
    app.event("message")(_nothing)

    # ------------------------------------------------------------------ buttons

    def decide(decision: Literal["approve", "deny"]) -> Callable[..., None]:
        prefix = APPROVE if decision == "approve" else DENY

        def on_click(body: dict[str, Any]) -> None:
            action = body["actions"][0]
            run_id, user = str(action["value"]), body["user"]["id"]
            channel, thread = _click_place(body)
            place = Place(channel, thread, user)
            if str(action.get("action_id")) != f"{prefix}:{run_id}":
                # Button ids carry the run id too; a payload whose two disagree was made up.
                rejections.record("slack click", f"action {action.get('action_id')!s} "
                                  f"does not match run {run_id}", 400)
                return
            action_ts = action.get("action_ts") or body.get("trigger_id") or ""
            replies = service.decide(
                run_id, message(user, f"{decision} {run_id}", channel, thread, ts=action_ts),
                decision, dedupe_key=f"{action_ts}:{user}:{run_id}",
                on_update=deliverer.progress(place), origin=_clicked_message(body),
                shown=_shown_binding(action))
            # A refused click concerns only the person who clicked.
            deliverer.deliver([replace(r, ephemeral=True) if r.kind == "refusal" else r
                               for r in replies], place)
        on_click.__name__ = f"on_{decision}"  # Bolt tells lazy functions apart by name
        return on_click

    def open_edit(body: dict[str, Any], client: WebClient) -> None:
        run_id = str(body["actions"][0]["value"])
        run = store.get(run_id)
        if run is None or run.runbook not in service.catalogue:
            log.warning("Edit clicked on unknown run %s", run_id)
            return
        channel, thread = _click_place(body)
        specs = service.catalogue.get(run.runbook).slots.values()
        fields = [SlotField(s.name, str(run.raw_slots.get(s.name, "")), s.required,
                            s.prompt or s.description) for s in specs]
        view = edit_modal(run_id, run.runbook, fields,
                          {"run": run_id, "channel": channel, "thread": thread or ""})
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def submit_edit(body: dict[str, Any]) -> None:
        view = body["view"]
        meta = json.loads(view.get("private_metadata") or "{}")
        run_id, channel, thread = meta["run"], meta["channel"], meta.get("thread") or None
        user = body["user"]["id"]
        slots = {block.removeprefix("slot:"): str((inputs.get("value") or {}).get("value") or "")
                 for block, inputs in view["state"]["values"].items()
                 if block.startswith("slot:")}
        place = Place(channel, thread, user)
        replies = service.edit(run_id, message(user, f"edit {run_id}", channel, thread), slots,
                               on_update=deliverer.progress(place))
        # A refused edit concerns only the person who submitted it.
        deliverer.deliver([replace(r, ephemeral=True) if r.kind == "refusal" else r
                           for r in replies], place)

    app.action(re.compile(f"^{APPROVE}:"))(ack=_ack, lazy=[decide("approve")])
    app.action(re.compile(f"^{DENY}:"))(ack=_ack, lazy=[decide("deny")])
    app.action(re.compile(f"^{EDIT}:"))(ack=_ack, lazy=[open_edit])
    app.view(EDIT_VIEW)(ack=_ack, lazy=[submit_edit])
    return app


def _shown_binding(action: Mapping[str, Any]) -> str | None:
    """The binding the clicked message showed (its actions block is `run:ID:BINDING`)."""
    parts = str(action.get("block_id") or "").split(":")
    return parts[2] if len(parts) == 3 and parts[2] else None


def _clicked_message(body: dict[str, Any]) -> str | None:
    """`channel:ts` of the message whose button was clicked, as runs store it."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return f"{channel}:{ts}" if channel and ts else None


def _click_place(body: dict[str, Any]) -> tuple[str, str | None]:
    """The channel and thread of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    msg = body.get("message") or {}
    thread = (msg.get("thread_ts") or msg.get("ts") or container.get("thread_ts")
              or container.get("message_ts"))
    return str(channel), str(thread) if thread else None


def announce_recovered(replies: list[Reply], deliverer: Deliverer, store: RunStore) -> None:
    """At start-up: log each interrupted run and say so on its message and in its thread."""
    for reply in replies:
        log.warning("%s", reply.text)
        run = reply.run
        if run is None or not run.message_ref:
            continue
        stored = store.get(run.id)
        channel, ts = split_ref(run.message_ref)
        thread = stored.thread if stored is not None and stored.thread else ts
        place = Place(channel, thread, stored.requester if stored else "")
        deliverer.edit_run(run, run.message_ref)
        try:
            deliverer.post(place, reply.text, reply_blocks(replace(reply, kind="notice")))
        except SlackClientError as exc:
            log.warning("could not post the interruption of %s: %s", run.id, slack_error(exc))
