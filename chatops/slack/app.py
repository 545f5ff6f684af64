"""The Slack surface: a Bolt app whose listeners translate Slack payloads into `Message`s,
call the conversation service, and hand its replies to the `Deliverer`.

Everything is registered in `build_app`; nothing connects at import time. The listeners
live by topic in `chatops.slack.listeners` (commands, events, actions, views); they
acknowledge at once and do the work in lazy listeners (a thread pool), so Slack gets its
answer within milliseconds however long a plan or a rollout takes. Cross-cutting rules live
here, in middleware, and in the listeners' matchers: payloads of other workspaces and apps
are refused, retries of events already being handled are answered before authorization,
other bots and message edits never reach a listener, and channel messages are only taken
in threads the bot is part of. A listener that fails is reported by `chatops.slack.errors`:
a short answer with a reference id for the person, the traceback in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from chatops.errors import ChatOpsError
from chatops.settings import Settings
from chatops.slack.errors import on_error
from chatops.slack.kit import SlackKit, announce_recovered
from chatops.slack.listeners import actions, commands, events, views
from chatops.slack.listeners.common import Parts, thread_marker
from chatops.slack.ports import Dedupe, SlackBackend
from chatops.slack.rejections import Rejections

__all__ = ["COMMAND", "SlackSetupError", "announce_recovered", "build_app", "thread_marker"]

log = logging.getLogger(__name__)

COMMAND = "/ops"


class SlackSetupError(ChatOpsError):
    """The Slack settings don't allow serving; the message says which one to set."""


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


def _door(dedupe: Dedupe, team_id: str | None, app_id: str | None,
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
        # A slash command or a modal submission has no event id, and on the socket no
        # signature to remember: the same one delivered again (Slack redelivers what it
        # thinks was lost, on any connection) is known by its trigger id.
        trigger = body.get("trigger_id")
        if isinstance(trigger, str) and trigger and (
                "command" in body or body.get("type") == "view_submission") and \
                not dedupe.claim(f"slack-trigger:{trigger}"):
            log.info("a repeated slash command or submission (trigger %s) acknowledged "
                     "without work", trigger[:40])
            return BoltResponse(status=200, body="")
        if request.headers.get("x-slack-retry-num"):
            event_id = request.body.get("event_id")
            if isinstance(event_id, str) and dedupe.seen(f"event:{event_id}"):
                log.info("Slack retry of event %s acknowledged without work", event_id)
                return BoltResponse(status=200, body="")
        next_()
        return None
    return only_ours_and_no_repeats


def _only_the_tokens_workspace(settings: Settings, rejections: Rejections
                               ) -> Callable[..., BoltResponse | None]:
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
    return only_the_tokens_workspace


def build_app(settings: Settings, backend: SlackBackend, kit: SlackKit, *, workers: int = 8,
              command: str = COMMAND, token_verification: bool = True) -> App:
    """The Bolt app on `backend`: slash command, mentions, DMs, threads, buttons, modal.

    `kit` holds the Web API client, the deliverer and the audit of refused payloads;
    `workers` bounds the lazy listeners running at once; when `backend.alerts` is set,
    alert bots' messages in the alert channels are answered. Payloads from a workspace
    other than the bot token's (or `settings.slack_team_id`), or from another app than
    `settings.slack_app_id` when set, are refused.
    """
    if settings.slack_app_token is None and not settings.slack_signing_secret:
        raise SlackSetupError("Set SLACK_SIGNING_SECRET to serve over HTTP, or SLACK_APP_TOKEN "
                              "for Socket Mode.")
    app = App(
        client=kit.client,
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=settings.slack_signing_secret is not None,
        token_verification_enabled=token_verification,
        # The ack function runs inline in the request thread: a burst of requests then
        # never waits for acknowledgement behind the lazy work queued in the pool.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=workers,
                                             thread_name_prefix="chatops-slack"),
        before_authorize=_door(backend, settings.slack_team_id, settings.slack_app_id,
                               kit.rejections),
        logger=logging.getLogger("chatops.slack.bolt"),
    )
    app.use(_only_the_tokens_workspace(settings, kit.rejections))
    app.error(on_error)
    parts = Parts(settings, backend, kit)
    commands.register(app, parts, command)
    events.register(app, parts)
    actions.register(app, parts)
    views.register(app, parts)
    return app
