"""The Edit modal's submission: the run re-planned with the new slot values."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from slack_bolt import App

from chatops.slack.blocks import EDIT_VIEW
from chatops.slack.deliver import Place
from chatops.slack.errors import reported
from chatops.slack.listeners.common import Parts, ack_now


def register(app: App, parts: Parts) -> None:
    """The listener for the Edit modal."""
    deliverer = parts.kit.deliverer

    def submit_edit(body: dict[str, Any]) -> None:
        view = body["view"]
        meta = json.loads(view.get("private_metadata") or "{}")
        run_id, channel, thread = meta["run"], meta["channel"], meta.get("thread") or None
        user = body["user"]["id"]
        stored = parts.backend.run(str(run_id))
        if stored is None or stored.channel != channel:
            # The modal names its run's place; another one (or no such run) is a made-up
            # or altered submission: re-planning it there would skip that channel's rules.
            parts.kit.rejections.record(
                "slack edit submission", f"by {user}: run {str(run_id)[:40]!r} is not in "
                f"channel {str(channel)[:40]!r}", 400)
            return
        slots = {block.removeprefix("slot:"): str((inputs.get("value") or {}).get("value") or "")
                 for block, inputs in view["state"]["values"].items()
                 if block.startswith("slot:")}
        place = Place(channel, thread, user)
        replies = parts.backend.service.edit(
            run_id, parts.message(user, f"edit {run_id}", channel, thread), slots,
            on_update=deliverer.progress(place))
        # A refused edit concerns only the person who submitted it.
        deliverer.deliver([replace(r, ephemeral=True) if r.kind == "refusal" else r
                           for r in replies], place)

    app.view(EDIT_VIEW)(ack=ack_now, lazy=[reported(submit_edit)])
