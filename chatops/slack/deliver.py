"""Putting the service's replies into Slack: posts, in-place edits, ephemeral refusals.

Reply kinds map to Slack calls like this:

* `plan`: a new message (Approve / Deny / Edit while it awaits approval); its reference is
  recorded for the run (`RunMessages.record_message_ref`) so later edits find it;
* `update`: edit the run's message in place (coalesced, see `Coalescer`);
* `result`: edit the run's message and post the outcome in the thread;
* `ephemeral=True`: `chat.postEphemeral` to the person who clicked;
* anything else: a message in the thread (or the slash command's placeholder, replaced).

Slack errors are logged by their error code, never with the request or response body, and
never reach the user as such.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from chatops.replies import Reply, RunView
from chatops.slack.blocks import (
    FALLBACK_LIMIT,
    Block,
    fallback_text,
    reply_blocks,
    result_blocks,
    run_blocks,
    status_blocks,
)
from chatops.slack.coalesce import Coalescer
from chatops.slack.ports import RunMessages

# FALLBACK_LIMIT lives in blocks.py next to `fallback_text`; it is exported from here too
# because chatops.slack.alerts imports it from this module.
__all__ = ["FALLBACK_LIMIT", "Deliverer", "Place", "slack_error", "split_ref"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where replies to one Slack interaction go."""

    channel: str
    thread_ts: str | None
    user: str
    placeholder_ts: str | None = None
    """A message of the bot's ("Working on it…") that the first reply replaces."""
    header: Block | None = None
    """Shown above the first reply when it replaces the placeholder (who asked what)."""


@dataclass(frozen=True)
class _Edit:
    channel: str
    ts: str
    text: str
    blocks: list[Block]


def split_ref(ref: str) -> tuple[str, str]:
    """`"C123:1700000000.000100"` -> `("C123", "1700000000.000100")`."""
    channel, _, ts = ref.partition(":")
    return channel, ts


def slack_error(exc: SlackClientError) -> str:
    """A Slack failure in a few safe words: the error code or HTTP status, never a body."""
    if isinstance(exc, SlackApiError):
        # Not the message: for a non-JSON answer it quotes the raw body.
        status = exc.response.status_code
        return f"HTTP {status}" if status != 200 else str(exc.response.get("error", "unknown"))
    return type(exc).__name__


class Deliverer:
    """Renders replies as Block Kit and sends them with the Web API client."""

    def __init__(self, client: WebClient, runs: RunMessages, *,
                 update_interval: float = 1.0) -> None:
        self.client = client
        self.runs = runs
        self.updates: Coalescer[_Edit] = Coalescer(self._send_edit,
                                                   interval=update_interval)
        self._watchers: list[Callable[[str], None]] = []

    def watch(self, changed: Callable[[str], None]) -> None:
        """Call `changed(run_id)` whenever a run's message is posted or edited (the Home
        tab re-publishes the views it concerns); it must return at once."""
        self._watchers.append(changed)

    def notify(self, run_id: str) -> None:
        """Tell the watchers that a run's message changed somewhere else (a plan posted in
        an alert thread by `SlackChat`)."""
        self._changed(run_id)

    def _changed(self, run_id: str) -> None:
        for changed in self._watchers:
            try:
                changed(run_id)
            except Exception:
                log.exception("a watcher of run %s failed", run_id)

    def close(self) -> None:
        """Send the queued edits and stop the edit worker."""
        self.updates.close()

    # ------------------------------------------------------------------ entry points

    def deliver(self, replies: Sequence[Reply], place: Place, *,
                echo_updates: bool = False) -> None:
        """Send `replies` for one interaction, in order.

        `echo_updates`: also say in the thread what an `update` changed (when the person
        typed in the thread, the run's message may be far above).
        """
        placeholder = place.placeholder_ts
        for reply in replies:
            try:
                placeholder = self._one(reply, place, placeholder, echo_updates)
            except SlackClientError as exc:
                log.warning("could not send a %s reply to %s: %s", reply.kind, place.channel,
                            slack_error(exc))
        if placeholder is not None:
            # Nothing replaced the placeholder (no replies): don't leave "working on it".
            self._safe(self.client.chat_delete, channel=place.channel, ts=placeholder)

    def progress(self, place: Place) -> Callable[[Reply], None]:
        """A callback for the service's `on_update`: edits the run's message in place."""
        def on_update(reply: Reply) -> None:
            if reply.run is not None:
                ref = self._ref(reply.run)
                if ref is not None:
                    self.edit_run(reply.run, ref)
        return on_update

    def edit_run(self, view: RunView, ref: str) -> None:
        """Queue an in-place edit of the run's message (coalesced, latest wins)."""
        channel, ts = split_ref(ref)
        self.updates.submit(view.id, _Edit(channel, ts, fallback_text(view.understood),
                                           run_blocks(view)))
        self._changed(view.id)

    def post(self, place: Place, text: str, blocks: list[Block]) -> str | None:
        """Post a message in the place's thread; its ts, or None when Slack refused."""
        response = self.client.chat_postMessage(channel=place.channel, thread_ts=place.thread_ts,
                                                text=fallback_text(text), blocks=blocks)
        ts = response.get("ts")
        return str(ts) if ts else None

    # ------------------------------------------------------------------ one reply

    def _one(self, reply: Reply, place: Place, placeholder: str | None,
             echo_updates: bool) -> str | None:
        run = reply.run
        if reply.ephemeral:
            self.client.chat_postEphemeral(channel=place.channel, user=place.user,
                                           thread_ts=place.thread_ts,
                                           text=fallback_text(reply.text),
                                           blocks=reply_blocks(reply))
            return placeholder
        if reply.kind == "plan" and run is not None:
            ts, placeholder = self._post_first(place, placeholder, reply.text, run_blocks(run))
            if ts is not None:
                self.runs.record_message_ref(run.id, f"{place.channel}:{ts}")
            self._changed(run.id)
            return placeholder
        if reply.kind in ("update", "result") and run is not None:
            ref = self._ref(run)
            if ref is not None:
                self.edit_run(run, ref)
            else:
                ts, placeholder = self._post_first(place, placeholder, reply.text,
                                                   run_blocks(run))
                if ts is not None:
                    self.runs.record_message_ref(run.id, f"{place.channel}:{ts}")
                self._changed(run.id)
            if reply.kind == "result":
                self.post(place, reply.text, result_blocks(run))
            elif echo_updates and ref is not None:
                self.post(place, reply.text, status_blocks(run))
            return placeholder
        _, placeholder = self._post_first(place, placeholder, reply.text, reply_blocks(reply))
        return placeholder

    def _post_first(self, place: Place, placeholder: str | None, text: str,
                    blocks: list[Block]) -> tuple[str | None, str | None]:
        """Replace the placeholder with this message if it is still there, else post.

        Returns the message's ts and the placeholder that is left (None once used).
        """
        if placeholder is None:
            return self.post(place, text, blocks), None
        head = [place.header] if place.header else []
        self.client.chat_update(channel=place.channel, ts=placeholder, text=fallback_text(text),
                                blocks=head + blocks)
        return placeholder, None

    def _ref(self, run: RunView) -> str | None:
        if run.message_ref:
            return run.message_ref
        # The view may predate the plan message (a run approved as soon as it was planned).
        return self.runs.message_ref(run.id)

    def _send_edit(self, _key: str, edit: _Edit) -> None:
        self._safe(self.client.chat_update, channel=edit.channel, ts=edit.ts, text=edit.text,
                   blocks=edit.blocks)

    def _safe(self, call: Callable[..., Any], **kwargs: Any) -> None:
        try:
            call(**kwargs)
        except SlackClientError as exc:
            log.warning("Slack call failed: %s", slack_error(exc))
