"""The Edit modal's submission: the run re-planned with the new slot values."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import App

from chatops.slack.blocks import EDIT_VIEW
from chatops.slack.deliver import Place
from chatops.slack.errors import reported
from chatops.slack.listeners.clicks import edit_metadata, submission_problem
from chatops.slack.listeners.common import Parts, ack_now


def register(app: App, parts: Parts) -> None:
    """The listener for the Edit modal."""
    deliverer = parts.kit.deliverer

    def submit_edit(body: dict[str, Any]) -> None:
        view = body["view"]
        meta = edit_metadata(view)
        run_id, channel = str(meta.get("run") or ""), str(meta.get("channel") or "")
        thread = str(meta.get("thread") or "") or None
        user = str(body["user"]["id"])
        problem = submission_problem(parts.backend, meta, user, parts.backend.run(run_id))
        if problem is not None:
            # The modal names the form a click opened, for one run in one place; anything
            # else (another run, thread or channel, a form used before) is a made-up,
            # altered or replayed submission: re-planning it would skip that run's rules.
            parts.kit.rejections.record("slack edit submission", f"by {user}: {problem}", 400)
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
