"""Checks of a click on a run's Edit button and of the Edit modal's submission, made before
anything is shown or re-planned.

A run's buttons name it three times (the value, the action id `chatops_edit:ID`, the block id
`run:ID:BINDING`) and sit on one message, the run's own; a payload whose ids disagree, or
that names another message, was made up or replayed onto another run's message. A valid
click opens a one-time form: a dedupe key (shared by every replica) binds its random id to
the run, the channel and thread it was opened in, and who opened it. A submission must name
such a form, opened by the submitter, and counts once: one swapped to another run or thread
names no form, and a replayed one names a form already used.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from chatops.slack.blocks import EDIT
from chatops.slack.listeners.common import clicked_message
from chatops.slack.ports import ClickedRun, Dedupe

FORM_KEY = "slack-edit-form"
"""Dedupe key prefix of an opened Edit form (the rest is a digest of what it was opened for)."""
SUBMITTED_KEY = "slack-edit-submitted"
"""Dedupe key prefix of an Edit form already submitted."""


def edit_click_problem(body: Mapping[str, Any], action: Mapping[str, Any], run_id: str,
                       run: ClickedRun | None) -> str | None:
    """Why an Edit click is a made-up or replayed payload (None when it is not)."""
    action_id = str(action.get("action_id") or "")
    if action_id != f"{EDIT}:{run_id}":
        return f"action {action_id[:80]!r} does not match run {run_id[:40]!r}"
    block = str(action.get("block_id") or "").split(":")
    if len(block) not in (2, 3) or block[0] != "run" or block[1] != run_id:
        return f"block {':'.join(block)[:80]!r} does not belong to run {run_id[:40]!r}"
    if run is None:
        return f"no run {run_id[:40]!r}"
    origin = clicked_message(body)
    if run.message_ref is None or origin != run.message_ref:
        return f"the button on {str(origin)[:80]!r} is not on run {run_id}'s message"
    message = body.get("message") or {}
    if message and message.get("ts") != (body.get("container") or {}).get("message_ts"):
        return "the click names two different messages"
    thread = message.get("thread_ts")
    if thread and run.thread and thread != run.thread:
        return f"the clicked message is not in run {run_id}'s thread"
    if len(block) == 3 and block[2] != run.binding:
        # The bot's buttons carry the whole binding their message shows (a shorter one
        # would match any plan).
        return f"the button showed another plan of run {run_id}"
    return None


def _form_key(form: str, run_id: str, channel: str, thread: str, user: str) -> str:
    # A digest of the JSON list: no value can run into the next one (a `:` in a forged
    # value can't make another form's key), and the key's length is bounded.
    what = json.dumps([form, run_id, channel, thread, user])
    return f"{FORM_KEY}:{hashlib.sha256(what.encode()).hexdigest()}"


def open_form(dedupe: Dedupe, run_id: str, channel: str, thread: str | None,
              user: str) -> str:
    """Remember a new Edit form of `run_id`, opened by `user` in `channel`/`thread`; its id
    (to carry in the modal's private metadata)."""
    form = secrets.token_hex(16)
    dedupe.claim(_form_key(form, run_id, channel, thread or "", user))
    return form


def submission_problem(dedupe: Dedupe, meta: Mapping[str, Any], user: str,
                       run: ClickedRun | None) -> str | None:
    """Why an Edit modal's submission is refused (None when it is not); a valid one is
    marked used, so that it counts once."""
    form, run_id, channel, thread = (str(meta.get(key) or "")
                                     for key in ("form", "run", "channel", "thread"))
    if run is None or run.channel != channel:
        return f"run {run_id[:40]!r} is not in channel {channel[:40]!r}"
    if not form or not dedupe.seen(_form_key(form, run_id, channel, thread, user)):
        return (f"no Edit form of run {run_id[:40]!r} in thread {thread[:40]!r} was opened "
                "by the submitter")
    if not dedupe.claim(f"{SUBMITTED_KEY}:{hashlib.sha256(form.encode()).hexdigest()}"):
        return f"a replayed submission of an Edit form of run {run_id[:40]!r}"
    return None


def edit_metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    """The Edit modal's private metadata, or {} when it is not a JSON object."""
    try:
        meta = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
