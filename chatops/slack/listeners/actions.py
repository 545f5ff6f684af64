"""Buttons on a run's message: Approve and Deny decide, Edit opens the modal; and the
choices under a question, which answer it."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal

from slack_bolt import App
from slack_sdk import WebClient

from chatops.messages import not_editable_text
from chatops.messages.clicks import foreign_click_text, foreign_edit_text, may_not_edit_text
from chatops.replies import Reply
from chatops.slack.blocks import (
    APPROVE,
    CHOOSE,
    DENY,
    EDIT,
    SlotField,
    edit_modal,
    offered_choices,
)
from chatops.slack.deliver import Place
from chatops.slack.errors import reported
from chatops.slack.listeners.clicks import edit_click_problem, open_form
from chatops.slack.listeners.common import (
    Parts,
    ack_now,
    click_place,
    clicked_message,
    shown_binding,
)
from chatops.slack.ports import ClickedRun

log = logging.getLogger(__name__)

_CHOICE_VALUE = re.compile(r"(?=.{1,253}$)[a-z0-9][a-z0-9._-]*(?: [a-z0-9][a-z0-9._-]*){0,3}")
"""What a choice can be: a Kubernetes name, a runbook's, an enum value, or a suggested fix
(a runbook and up to three names: `rollback_deployment checkout revision 3`); never a
sentence."""


def register(app: App, parts: Parts) -> None:
    """Listeners for the Approve, Deny and Edit buttons and for choices."""
    app.action(re.compile(f"^{APPROVE}:"))(ack=ack_now,
                                           lazy=[reported(_decide(parts, "approve"))])
    app.action(re.compile(f"^{DENY}:"))(ack=ack_now, lazy=[reported(_decide(parts, "deny"))])
    app.action(re.compile(f"^{EDIT}:"))(ack=ack_now, lazy=[reported(_open_edit(parts))])
    app.action(re.compile(f"^{CHOOSE}:"))(ack=ack_now, lazy=[reported(_choose(parts))])


def _choose(parts: Parts) -> Callable[..., None]:
    """A choice clicked under a question: the chosen value, said in the thread by the
    person who clicked, exactly as if they had typed it (so only the person the question
    was asked of answers it). A value the clicked message did not offer is refused."""
    deliverer = parts.kit.deliverer

    def on_choose(body: dict[str, Any]) -> None:
        action = body["actions"][0]
        user = body["user"]["id"]
        value = chosen_value(action)
        problem = choice_problem(body, action, value)
        if problem is not None:
            parts.kit.rejections.record("slack choice", problem, 400)
            return
        channel, thread = click_place(body)
        place = Place(channel, thread, user)
        action_ts = str(action.get("action_ts") or body.get("trigger_id") or "")
        # The event id makes Slack's retries of one click a single message.
        replies = parts.backend.service.handle(
            parts.message(user, value, channel, thread, ts=action_ts,
                          event_id=f"choice:{action_ts}:{user}"),
            on_update=deliverer.progress(place))
        deliverer.deliver([replace(r, ephemeral=True) if r.kind == "refusal" else r
                           for r in replies], place, echo_updates=True)

    return on_choose


def chosen_value(action: Mapping[str, Any]) -> str:
    """The value of a clicked choice: a button's, or the option picked in a menu."""
    if action.get("type") == "static_select":
        return str((action.get("selected_option") or {}).get("value") or "")
    return str(action.get("value") or "")


def choice_problem(body: Mapping[str, Any], action: Mapping[str, Any],
                   value: str) -> str | None:
    """Why a choice click is refused (None when it is not): the value must be a name and
    one that the clicked control of the clicked message offered."""
    if not _CHOICE_VALUE.fullmatch(value):
        return "the chosen value is not a name"
    message = body.get("message") or {}
    if message.get("ts") != (body.get("container") or {}).get("message_ts"):
        return "the click names two different messages"
    offered = offered_choices(message.get("blocks"),
                              str(action.get("block_id") or ""),
                              str(action.get("action_id") or ""))
    if value not in offered:
        return f"choice {value[:60]!r} was not offered on the clicked message"
    return None


def _decide(parts: Parts, decision: Literal["approve", "deny"]) -> Callable[..., None]:
    prefix = APPROVE if decision == "approve" else DENY
    deliverer = parts.kit.deliverer

    def on_click(body: dict[str, Any]) -> None:
        action = body["actions"][0]
        run_id, user = str(action["value"]), body["user"]["id"]
        channel, thread = click_place(body)
        place = Place(channel, thread, user)
        if str(action.get("action_id")) != f"{prefix}:{run_id}":
            # Button ids carry the run id too; a payload whose two disagree was made up.
            parts.kit.rejections.record(
                "slack click", f"action {str(action.get('action_id'))[:80]!r} does not "
                f"match run {run_id[:40]!r}", 400)
            return
        run = parts.backend.run(run_id)
        if run is None:
            # A made-up run id is a made-up payload, audited as one (as on the Home tab). The
            # words are those of a real run's button clicked elsewhere: the answer must not
            # tell whether a run exists; only the audit log (404 here) does.
            parts.kit.rejections.record("slack click", f"by {user}: no run {run_id[:40]!r}",
                                        404)
            deliverer.deliver([Reply("refusal", foreign_click_text(run_id[:40]),
                                     ephemeral=True)], place)
            return
        shown = shown_binding(action)
        if shown is not None and len(shown) != len(run.binding):
            # The bot's run buttons carry the whole plan binding their message shows; a
            # shorter one would match any plan.
            parts.kit.rejections.record(
                "slack click", f"by {user}: the button of run {run_id} carries a binding "
                "the bot never shows", 400)
            deliverer.deliver([Reply("refusal", foreign_click_text(run_id), ephemeral=True)],
                              place)
            return
        action_ts = action.get("action_ts") or body.get("trigger_id") or ""
        replies = parts.backend.service.decide(
            run_id, parts.message(user, f"{decision} {run_id}", channel, thread, ts=action_ts),
            decision, dedupe_key=f"{action_ts}:{user}:{run_id}",
            on_update=deliverer.progress(place), origin=clicked_message(body), shown=shown)
        # A refused click concerns only the person who clicked.
        deliverer.deliver([replace(r, ephemeral=True) if r.kind == "refusal" else r
                           for r in replies], place)

    on_click.__name__ = f"on_{decision}"  # Bolt tells lazy functions apart by name
    on_click.__qualname__ = on_click.__name__
    return on_click


def _open_edit(parts: Parts) -> Callable[..., None]:
    def open_edit(body: dict[str, Any], client: WebClient) -> None:
        action = body["actions"][0]
        user, run_id = str(body["user"]["id"]), str(action.get("value") or "")
        channel, thread = click_place(body)
        run = parts.backend.run(run_id)
        refusal = _edit_refusal(parts, body, action, run, user)
        if refusal is not None or run is None:
            # Said to the clicker only; the modal (and the run's values) are never shown.
            parts.kit.deliverer.deliver([Reply("refusal", refusal or "", ephemeral=True)],
                                        Place(channel, thread, user))
            return
        specs = parts.backend.slot_specs(run.runbook)
        if specs is None:
            log.warning("Edit clicked on run %s, whose runbook %s is not loaded", run_id,
                        run.runbook)
            return
        fields = [SlotField(s.name, str(run.raw_slots.get(s.name, "")), s.required,
                            s.prompt or s.description) for s in specs]
        # The form's place is the stored run's, never the payload's: a click can't move
        # the re-plan to another thread.
        form = open_form(parts.backend, run_id, run.channel, run.thread, user)
        view = edit_modal(run_id, run.runbook, fields, {
            "run": run_id, "channel": run.channel, "thread": run.thread or "", "form": form})
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_edit


def _edit_refusal(parts: Parts, body: dict[str, Any], action: dict[str, Any],
                  run: ClickedRun | None, user: str) -> str | None:
    """What the clicker of Edit is told when the click opens nothing (None: it opens the
    modal). A made-up or replayed click, and one by someone who may not edit the run, are
    audited."""
    run_id = str(action.get("value") or "")
    problem = edit_click_problem(body, action, run_id, run)
    if problem is not None:
        parts.kit.rejections.record("slack edit click", f"by {user}: {problem}",
                                    404 if run is None else 400)
        return foreign_edit_text(run_id[:40])
    assert run is not None
    if run.state != "proposed":
        return not_editable_text(run_id, run.state)
    if not parts.backend.may_edit(run_id, user, parts.kit.groups.groups_of(user)):
        parts.kit.rejections.record("slack edit click",
                                    f"by {user}: may not edit run {run_id}", 403)
        return may_not_edit_text(run_id)
    return None
