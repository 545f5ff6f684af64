"""Buttons on a run's message: Approve and Deny decide, Edit opens the modal."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from slack_bolt import App
from slack_sdk import WebClient

from chatops.slack.blocks import APPROVE, DENY, EDIT, SlotField, edit_modal
from chatops.slack.deliver import Place
from chatops.slack.errors import reported
from chatops.slack.listeners.common import (
    Parts,
    ack_now,
    click_place,
    clicked_message,
    shown_binding,
)

log = logging.getLogger(__name__)


def register(app: App, parts: Parts) -> None:
    """Listeners for the Approve, Deny and Edit buttons."""
    app.action(re.compile(f"^{APPROVE}:"))(ack=ack_now,
                                           lazy=[reported(_decide(parts, "approve"))])
    app.action(re.compile(f"^{DENY}:"))(ack=ack_now, lazy=[reported(_decide(parts, "deny"))])
    app.action(re.compile(f"^{EDIT}:"))(ack=ack_now, lazy=[reported(_open_edit(parts))])


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
            parts.kit.rejections.record("slack click", f"action {action.get('action_id')!s} "
                                        f"does not match run {run_id}", 400)
            return
        action_ts = action.get("action_ts") or body.get("trigger_id") or ""
        replies = parts.backend.service.decide(
            run_id, parts.message(user, f"{decision} {run_id}", channel, thread, ts=action_ts),
            decision, dedupe_key=f"{action_ts}:{user}:{run_id}",
            on_update=deliverer.progress(place), origin=clicked_message(body),
            shown=shown_binding(action))
        # A refused click concerns only the person who clicked.
        deliverer.deliver([replace(r, ephemeral=True) if r.kind == "refusal" else r
                           for r in replies], place)

    on_click.__name__ = f"on_{decision}"  # Bolt tells lazy functions apart by name
    on_click.__qualname__ = on_click.__name__
    return on_click


def _open_edit(parts: Parts) -> Callable[..., None]:
    def open_edit(body: dict[str, Any], client: WebClient) -> None:
        run_id = str(body["actions"][0]["value"])
        run = parts.backend.run(run_id)
        specs = parts.backend.slot_specs(run.runbook) if run is not None else None
        if run is None or specs is None:
            log.warning("Edit clicked on unknown run %s", run_id)
            return
        channel, thread = click_place(body)
        fields = [SlotField(s.name, str(run.raw_slots.get(s.name, "")), s.required,
                            s.prompt or s.description) for s in specs]
        view = edit_modal(run_id, run.runbook, fields,
                          {"run": run_id, "channel": channel, "thread": thread or ""})
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_edit
