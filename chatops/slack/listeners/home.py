"""The App Home tab (opening it, its Approve and Deny buttons) and `/ops runs`,
`/ops audit RUN_ID`.

A Home click goes to the same entry point as a click on a run's message
(`ConversationService.decide`: the approver checked against the policy, replayed clicks
deduped by their action), with the checks that fit a Home view instead of the origin
message's: the button's ids agree with each other (`HOME_APPROVE:ID`, block
`home:ID:BINDING`), the run exists (a made-up id is refused and audited), it is still
proposed, and the plan binding the view showed is the run's current one. Everything said
to the clicker appears at the top of their own Home (nobody else sees it); the run's message
and thread are updated as for any other click.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt import App, Respond

from chatops.conversation.overview import RunLine
from chatops.messages import already_decided_text, no_such_run_text
from chatops.messages.home import (
    HOME_FORGED,
    RUNS_FALLBACK,
    audit_fallback,
    home_changed_text,
    home_decided_text,
    no_audit_text,
)
from chatops.replies import Reply
from chatops.slack.blocks import fallback_text, text_blocks
from chatops.slack.deliver import Place, split_ref
from chatops.slack.errors import reported
from chatops.slack.home import (
    HOME_APPROVE,
    HOME_DENY,
    HomeTab,
    audit_blocks,
    runs_blocks,
)
from chatops.slack.listeners.common import Parts, ack_now, nothing
from chatops.slack.ports import HomeBackend

Decision = Literal["approve", "deny"]



def register(app: App, parts: Parts, backend: HomeBackend) -> HomeTab:
    """The Home tab's listeners; its views follow every run message the deliverer changes."""
    tab = HomeTab(parts.kit.client, backend, parts.kit.groups)
    parts.kit.deliverer.watch(tab.changed)
    backend.attach(close=tab.close)

    def is_home(event: dict[str, Any]) -> bool:
        return event.get("tab") == "home" and bool(event.get("user"))

    def on_home_opened(event: dict[str, Any]) -> None:
        tab.opened(str(event["user"]))

    app.event("app_home_opened", matchers=[is_home])(ack=nothing,
                                                     lazy=[reported(on_home_opened)])
    app.event("app_home_opened")(nothing)  # the Messages tab: nothing to show
    app.action(re.compile(f"^{HOME_APPROVE}:"))(
        ack=ack_now, lazy=[reported(_decide(parts, tab, backend, "approve"))])
    app.action(re.compile(f"^{HOME_DENY}:"))(
        ack=ack_now, lazy=[reported(_decide(parts, tab, backend, "deny"))])
    return tab


def _decide(parts: Parts, tab: HomeTab, backend: HomeBackend,
            decision: Decision) -> Callable[..., None]:
    prefix = HOME_APPROVE if decision == "approve" else HOME_DENY

    def on_home_click(body: dict[str, Any]) -> None:
        action = body["actions"][0]
        user, run_id = str(body["user"]["id"]), str(action.get("value") or "")
        shown = _shown(parts, action, prefix, run_id, user)
        if shown is None:
            tab.show(user, HOME_FORGED)
            return
        line = backend.run_line(run_id)
        problem = _problem(parts, line, run_id, shown, user)
        if problem is not None or line is None:
            tab.show(user, problem)
            return
        replies = _apply(parts, line, user, decision, action=action, shown=shown)
        private = [r.text for r in replies if r.ephemeral or r.kind == "refusal"]
        done = home_decided_text(run_id, decision == "approve")
        tab.show(user, "\n".join(private) if private else (done if replies else None))

    on_home_click.__name__ = f"on_home_{decision}"  # Bolt tells lazy functions apart by name
    on_home_click.__qualname__ = on_home_click.__name__
    return on_home_click


def _shown(parts: Parts, action: dict[str, Any], prefix: str, run_id: str,
           user: str) -> str | None:
    """The binding the button's view showed, or None (audited) when the payload's ids
    disagree: a made-up or altered payload."""
    block = str(action.get("block_id") or "").split(":")
    if (str(action.get("action_id")) == f"{prefix}:{run_id}" and len(block) == 3
            and block[0] == "home" and block[1] == run_id and block[2]):
        return block[2]
    parts.kit.rejections.record("slack home click", f"by {user}: action "
                                f"{str(action.get('action_id'))[:80]!r} does not match its "
                                f"run {run_id[:40]!r}", 400)
    return None


def _problem(parts: Parts, line: RunLine | None, run_id: str, shown: str,
             user: str) -> str | None:
    """Why the click can do nothing (said to the clicker), or None."""
    if line is None:
        parts.kit.rejections.record("slack home click",
                                    f"by {user}: no run {run_id[:40]!r}", 404)
        return no_such_run_text(run_id[:40])
    if line.state != "proposed":
        return already_decided_text(line.id, line.state)
    if line.binding != shown:
        return home_changed_text(line.id)
    return None


def _apply(parts: Parts, line: RunLine, user: str, decision: Decision, *,
           action: dict[str, Any], shown: str) -> list[Reply]:
    """Decide through the conversation service, as a click on the run's message would;
    what concerns everyone goes to the run's message and thread."""
    thread = line.thread or (split_ref(line.message_ref)[1] if line.message_ref else None)
    place = Place(line.channel, thread, user)
    deliverer = parts.kit.deliverer
    action_ts = str(action.get("action_ts") or "")
    replies = parts.backend.service.decide(
        line.id, parts.message(user, f"{decision} {line.id}", line.channel, thread,
                               ts=action_ts or None),
        decision, dedupe_key=f"{action_ts}:{user}:{line.id}" if action_ts else None,
        on_update=deliverer.progress(place), origin=None, shown=shown)
    deliverer.deliver([r for r in replies if not (r.ephemeral or r.kind == "refusal")], place)
    return replies


def register_commands(app: App, parts: Parts, command: str, backend: HomeBackend) -> None:
    """`/ops runs` and `/ops audit RUN_ID`, answered to the asker only (the response URL)."""
    def words(body: dict[str, Any]) -> list[str]:
        return str(body.get("text", "")).split()

    def is_overview(body: dict[str, Any]) -> bool:
        said = [w.lower() for w in words(body)]
        return said == ["runs"] or (len(said) == 2 and said[0] == "audit")

    def command_overview(body: dict[str, Any], respond: Respond) -> None:
        user, said = str(body["user_id"]), words(body)
        groups = parts.kit.groups.groups_of(user)
        if said[0].lower() == "runs":
            respond(text=RUNS_FALLBACK,
                    blocks=runs_blocks(backend.home(user, groups)), response_type="ephemeral")
            return
        run_id = said[1]
        lines = backend.run_audit(run_id, user, groups)
        if lines is None:
            text = no_audit_text(run_id)
            respond(text=fallback_text(text), blocks=text_blocks(text),
                    response_type="ephemeral")
            return
        respond(text=fallback_text(audit_fallback(run_id)),
                blocks=audit_blocks(run_id, lines), response_type="ephemeral")

    app.command(command, matchers=[is_overview])(ack=ack_now,
                                                 lazy=[reported(command_overview)])
