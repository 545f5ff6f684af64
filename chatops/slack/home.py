"""The App Home tab, and the private answers of `/ops runs` and `/ops audit RUN_ID`.

A person's Home shows the runs waiting for their decision (with Approve and Deny), their
last runs with their state, and the runbooks they may ask for; what they may see is decided
by the runtime (`HomeBackend`, `chatops.conversation.overview`), never here. The view is
published (`views.publish`) when they open the tab, after their own clicks on it, and when
a run that concerns them changes: the `Deliverer` says which run's message changed
(`Deliverer.watch`), and `HomeTab` re-publishes the views of the people it concerns, at
most once per person per `REPUBLISH_INTERVAL` seconds (latest wins, as message edits are
coalesced). Text that came from users or the cluster is escaped like every other message.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from chatops.conversation.overview import AuditLine, HomeFacts, RunLine
from chatops.messages.home import (
    HOME_APPROVE_LABEL,
    HOME_DENY_LABEL,
    HOME_HINT,
    NO_AUDIT_EVENTS,
    NO_RUNBOOKS,
    NO_RUNS_YET,
    NOTHING_WAITS,
    RECENT_RUNS_TITLE,
    RUNBOOKS_TITLE,
    RUNS_HINT,
    approvals_suffix,
    audit_title,
    more_waiting_text,
    requested_by_suffix,
    waiting_title,
)
from chatops.messages.slack import STATE_WORDS, warning_text
from chatops.model import Risk
from chatops.replies import RunView
from chatops.slack.blocks import (
    Block,
    approve_confirmation,
    capped,
    escape,
    needs_confirmation,
    text_blocks,
)
from chatops.slack.coalesce import Coalescer
from chatops.slack.deliver import slack_error
from chatops.slack.directory import UserGroups
from chatops.slack.ports import HomeBackend

log = logging.getLogger(__name__)

HOME_APPROVE = "chatops_home_approve"
HOME_DENY = "chatops_home_deny"
"""The Home tab's buttons; the run id follows a colon, and their actions block is
`home:RUN_ID:BINDING` (the plan binding the view showed)."""

REPUBLISH_INTERVAL = 3.0
"""Seconds between two publishes of one person's Home (a busy run changes often)."""
MAX_VIEWERS = 2000
"""People whose Home was opened, remembered (newest) to re-publish it when a run changes."""
MAX_PENDING_SHOWN = 20
"""Pending approvals shown with buttons (a Home view holds at most 100 blocks)."""
HOME_WARNINGS = 3
"""Dry-run warnings shown on a pending line of the Home tab, each cut to `HOME_WARNING_LIMIT`
characters (a section holds at most 3000)."""
HOME_WARNING_LIMIT = 300



def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _slots(line: RunLine) -> str:
    text = " ".join(f"{k}={v}" for k, v in line.slots.items())
    return escape(capped(text, 300))


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def run_text(line: RunLine) -> str:
    """One run in a line or two: id, runbook, state, values, who asked, approvals."""
    state = STATE_WORDS.get(line.state, line.state)
    who = requested_by_suffix(escape(line.requester)) if line.requester else ""
    head = f"`{line.id}` *{escape(line.runbook)}* · {escape(state)} · {escape(line.risk)}{who}"
    tail = f"{_slots(line)} · {_when(line.created_at)}"
    if line.state == "proposed":
        tail += approvals_suffix(line.approvals, line.needed)
        tail += "".join(f"\n{warning_text(escape(capped(w, HOME_WARNING_LIMIT)))}"
                        for w in line.warnings[:HOME_WARNINGS])
    return f"{head}\n{tail}"


def _pending_blocks(lines: Sequence[RunLine], *, buttons: bool) -> list[Block]:
    blocks: list[Block] = [_section(waiting_title(len(lines)))]
    if not lines:
        return [*blocks, _context(NOTHING_WAITS)]
    for line in lines[:MAX_PENDING_SHOWN]:
        blocks.append(_section(run_text(line)))
        if buttons:
            approve = _button(HOME_APPROVE_LABEL, HOME_APPROVE, line.id, "primary")
            confirm = _confirmation(line)
            if confirm is not None:
                approve["confirm"] = confirm
            deny = _button(HOME_DENY_LABEL, HOME_DENY, line.id, "danger")
            blocks.append({"type": "actions", "block_id": f"home:{line.id}:{line.binding}",
                           "elements": [approve, deny]})
    if len(lines) > MAX_PENDING_SHOWN:
        blocks.append(_context(more_waiting_text(len(lines) - MAX_PENDING_SHOWN)))
    return blocks


def _confirmation(line: RunLine) -> Block | None:
    """The dialog of the run message's Approve, for the same plans (critical, or a wide
    blast radius), naming what will happen: the rule and the words are the message's."""
    view = RunView(id=line.id, state=line.state, runbook=line.runbook, risk=Risk(line.risk),
                   requester=line.requester, understood="", explanation="", steps=line.steps,
                   changes=(), blast_radius=line.blast_radius, approvals=(),
                   needed=line.needed, approvers="", undo="", binding=line.binding)
    return approve_confirmation(view) if needs_confirmation(view) else None


def _button(text: str, action: str, run_id: str, style: str) -> Block:
    return {"type": "button", "text": {"type": "plain_text", "text": text},
            "action_id": f"{action}:{run_id}", "value": run_id, "style": style}


def _recent_blocks(lines: Sequence[RunLine]) -> list[Block]:
    if not lines:
        return [_section(RECENT_RUNS_TITLE), _context(NO_RUNS_YET)]
    return [_section(RECENT_RUNS_TITLE), *(_section(run_text(line)) for line in lines)]


def _runbook_blocks(facts: HomeFacts) -> list[Block]:
    # text_blocks escapes the names and descriptions (and splits long lists).
    lines = "\n".join(f"`{rb.name}` ({rb.risk}): {rb.description}" for rb in facts.runbooks)
    body = text_blocks(lines) if lines else [
        _context(NO_RUNBOOKS)]
    return [_section(RUNBOOKS_TITLE), *body]


def home_view(facts: HomeFacts, notice: str | None = None) -> dict[str, Any]:
    """The Home tab of the person `facts` are about; `notice` (plain text, escaped here)
    answers their last click."""
    blocks: list[Block] = []
    if notice:
        blocks.append(_section(f":information_source: {escape(notice)}"))
        blocks.append({"type": "divider"})
    blocks += _pending_blocks(facts.pending, buttons=True)
    blocks.append({"type": "divider"})
    blocks += _recent_blocks(facts.recent)
    blocks.append({"type": "divider"})
    blocks += _runbook_blocks(facts)
    blocks.append(_context(HOME_HINT))
    return {"type": "home", "blocks": blocks[:100]}


def runs_blocks(facts: HomeFacts) -> list[Block]:
    """`/ops runs`: the asker's pending decisions and recent runs, without buttons."""
    return [*_pending_blocks(facts.pending, buttons=False), {"type": "divider"},
            *_recent_blocks(facts.recent), _context(RUNS_HINT)]


def audit_blocks(run_id: str, lines: Sequence[AuditLine]) -> list[Block]:
    """`/ops audit RUN_ID`: the run's audit events, oldest first (kind, actor, time, data)."""
    head = _section(audit_title(escape(run_id), len(lines)))
    if not lines:
        return [head, _context(NO_AUDIT_EVENTS)]
    # text_blocks escapes what the events say (and splits a long trail).
    rows = "\n".join(f"{a.ts} · *{a.kind}* · {a.actor} · {a.summary}" for a in lines)
    return [head, *text_blocks(rows)]


class HomeTab:
    """Publishes people's Home views, coalesced per person."""

    def __init__(self, client: WebClient, backend: HomeBackend, groups: UserGroups, *,
                 interval: float | None = None) -> None:
        self._client = client
        self._backend = backend
        self._groups = groups
        self._lock = threading.Lock()
        self._notices: dict[str, str] = {}
        self._viewers: OrderedDict[str, None] = OrderedDict()
        self._closing = threading.Event()
        self.updates: Coalescer[str] = Coalescer(
            self._send, interval=REPUBLISH_INTERVAL if interval is None else interval)

    def opened(self, user: str) -> None:
        """`user` opened their Home: publish it, and keep it current from now on."""
        with self._lock:
            self._viewers[user] = None
            self._viewers.move_to_end(user)
            while len(self._viewers) > MAX_VIEWERS:
                self._viewers.popitem(last=False)
        self.show(user)

    def show(self, user: str, notice: str | None = None) -> None:
        """Publish `user`'s Home (soon), with `notice` at the top if given."""
        if notice:
            with self._lock:
                self._notices[user] = notice
        self.updates.submit(f"user:{user}", user)

    def changed(self, run_id: str) -> None:
        """A run's message changed: re-publish the Homes it concerns (from the worker)."""
        self.updates.submit(f"run:{run_id}", run_id)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued publish was sent."""
        return self.updates.flush(timeout)

    def close(self) -> None:
        """Stop the worker; what is still queued is dropped (a Home is published afresh
        when it is next opened), so stopping never waits out the spacing."""
        self._closing.set()
        self.updates.close()

    def _send(self, key: str, value: str) -> None:
        if self._closing.is_set():
            return
        if key.startswith("run:"):
            with self._lock:
                viewers = list(self._viewers)
            audience = self._backend.home_audience(
                value, {user: self._groups.groups_of(user) for user in viewers})
            for user in sorted(audience):
                self.show(user)
            return
        facts = self._backend.home(value, self._groups.groups_of(value))
        with self._lock:
            notice = self._notices.pop(value, None)
        try:
            self._client.views_publish(user_id=value, view=home_view(facts, notice))
        except SlackClientError as exc:
            log.warning("could not publish the Home of %s: %s", value, slack_error(exc))
