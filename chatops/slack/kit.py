"""The Slack clients one bot process shares: the Web API client, the deliverer of replies,
the user-group directory, the audit of refused payloads, and the chat the alert engine
posts with. Built once (`build_kit`) and handed to the Bolt app, the HTTP port and the
runtime (`SlackKit.announce`, `SlackKit.close`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from chatops.ports import AuditSink
from chatops.replies import Reply
from chatops.settings import Settings
from chatops.slack.alerts import SlackChat
from chatops.slack.blocks import reply_blocks
from chatops.slack.client import make_client
from chatops.slack.deliver import Deliverer, Place, slack_error, split_ref
from chatops.slack.directory import UserGroups
from chatops.slack.ports import RunFacts, RunMessages
from chatops.slack.rejections import Rejections

log = logging.getLogger(__name__)


class RunLookup(Protocol):
    """Finds what is read of a stored run by its id, `get`-style (a run store will do)."""

    def get(self, run_id: str) -> RunFacts | None:
        """The run, or None."""
        ...


@dataclass(frozen=True)
class SlackKit:
    """The Slack side of one process."""

    client: WebClient
    deliverer: Deliverer
    groups: UserGroups
    rejections: Rejections
    chat: SlackChat

    def announce(self, replies: list[Reply]) -> None:
        """Say on each interrupted run's message and in its thread that it was interrupted."""
        _announce(replies, self.deliverer, self.deliverer.runs.run)

    def close(self) -> None:
        """Send the queued message edits and stop the edit worker."""
        self.deliverer.close()


def build_kit(settings: Settings, runs: RunMessages, audit: AuditSink, *,
              client: WebClient | None = None, update_interval: float = 1.0) -> SlackKit:
    """The Slack clients for `settings` (`client` replaces the Web API client); `runs`
    (the Runtime) remembers which message shows each run."""
    client = client or make_client(settings)
    deliverer = Deliverer(client, runs, update_interval=update_interval)
    return SlackKit(client=client, deliverer=deliverer, groups=UserGroups(client),
                    rejections=Rejections(audit),
                    chat=SlackChat(client, runs, changed=deliverer.notify))


def announce_recovered(replies: list[Reply], deliverer: Deliverer, store: RunLookup) -> None:
    """At start-up: log each interrupted run and say so on its message and in its thread."""
    _announce(replies, deliverer, store.get)


def _announce(replies: list[Reply], deliverer: Deliverer,
              find: Callable[[str], RunFacts | None]) -> None:
    for reply in replies:
        log.warning("%s", reply.text)
        run = reply.run
        if run is None:
            continue
        stored = find(run.id)
        if run.message_ref:
            channel, ts = split_ref(run.message_ref)
            thread = stored.thread if stored is not None and stored.thread else ts
            deliverer.edit_run(run, run.message_ref)
        elif stored is not None and stored.thread:
            # No message of its own (an automatic fix's run): said in its alert thread.
            channel, thread = stored.channel, stored.thread
        else:
            continue
        place = Place(channel, thread, stored.requester if stored else "")
        try:
            deliverer.post(place, reply.text, reply_blocks(replace(reply, kind="notice")))
        except SlackClientError as exc:
            log.warning("could not post the interruption of %s: %s", run.id, slack_error(exc))
