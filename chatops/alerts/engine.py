"""The alert engine: alerts in, a thread per incident, diagnostics and a fix proposal in it.

`receive` only records and queues (so a webhook answers at once); `pump` does the work in
order: it posts each thread's root message, runs the rule's read-only diagnostics as the
bot's read-only identity and posts what they found, proposes the remediation through the
normal plan / dry-run / approval path, and refreshes roots whose alerts changed (repeats
fold into a count, resolution marks the thread). Posts per channel stay within the burst
limit; whatever does not fit waits in the outbox.

A failed post backs off (2s, 4s, ... up to 5 minutes) while other channels, and other
threads, go on; after the rules' `max_attempts` (sooner for errors that retrying cannot
fix) it is given up, audited and counted. The outbox is bounded per channel and in all:
a batch that would pass a bound raises `AlertBacklogFull` before anything is recorded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from chatops.alerts.autofix import AutoFixer, AutoFixStore
from chatops.alerts.payloads import Alert
from chatops.alerts.ports import AlertPorts
from chatops.alerts.rules import AlertRules
from chatops.alerts.store import AlertStore, Group, OutboxItem
from chatops.alerts.throttle import RootThrottle
from chatops.alerts.work import Responder
from chatops.audit.records import AlertPostFailed, AlertReceived, AlertsRefused
from chatops.errors import ChatOpsError
from chatops.messages import alert_root_text, run_view_text
from chatops.ports import ChatSurface
from chatops.replies import Reply

log = logging.getLogger(__name__)

ACTOR = "alertmanager"
# kube-state-metrics names a cronjob's jobs `<cronjob>-<schedule time>`.

BACKOFF_FIRST = 2.0
BACKOFF_MAX = 300.0
PERMANENT_ATTEMPTS = 2
"""Attempts for a post failing with a permanent error: the one retry covers Slack being
briefly inconsistent just after a channel was created or the bot invited."""
PERMANENT_ERRORS = frozenset({
    # The channel is gone, closed to the bot, or read-only for it.
    "channel_not_found", "not_in_channel", "is_archived", "restricted_action",
    "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel", "ekm_access_denied", "team_access_not_granted",
    "cannot_reply_to_message", "thread_not_found",
    # The token can't post (anywhere): an operator must act, retrying won't help.
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "no_permission", "missing_scope", "not_allowed_token_type", "access_denied",
    "org_login_required",
    # This message can never be posted as it is.
    "msg_too_long", "no_text", "invalid_blocks", "invalid_blocks_format",
    "invalid_arguments", "invalid_arg_name", "too_many_attachments",
})


class AlertBacklogFull(ChatOpsError):
    """The outbox is full: the batch was refused whole and nothing of it was recorded.

    `bound` is `per_channel` or `total`; the sender should try again later (a webhook
    answers 429).
    """

    def __init__(self, bound: str, *, channel: str, limit: int, queued: int,
                 adding: int) -> None:
        where = f"for channel {channel}" if bound == "per_channel" else "in all channels"
        super().__init__(
            f"the alert outbox has no room {where}: {queued} posts wait and this batch would add "
            f"{adding} (limit {limit} {'per channel' if bound == 'per_channel' else 'in total'}"
            f"). Nothing was recorded; send it again later, or raise outbox.{bound} in the "
            "alert rules.")
        self.bound = bound
        self.channel = channel
        self.limit = limit
        self.queued = queued
        self.adding = adding


class ChatPostError(ChatOpsError):
    """What a `ChatSurface` may raise when the chat service refused a post: `code` is the
    service's error code (Slack's `channel_not_found`, ...), which decides whether the
    engine tries again."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


def chat_error_code(exc: BaseException) -> str | None:
    """The chat service's error code in a failed post's exception, or None if it has none.

    Understands `ChatPostError` and, without importing it, slack_sdk's `SlackApiError`
    (whose `response` answers `.get("error")`).
    """
    if isinstance(exc, ChatPostError):
        return exc.code
    get = getattr(getattr(exc, "response", None), "get", None)
    if not callable(get):
        return None
    try:
        code = get("error")
    except Exception:  # a response of another shape: no code
        return None
    return code if isinstance(code, str) and code else None


ORPHAN_AFTER = 120.0
"""Seconds without a heartbeat after which a replica on another host counts as gone (as for
its running runs)."""


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: 2, 4, 8, ... up to 5 min."""
    return min(BACKOFF_FIRST * 2.0 ** min(attempts - 1, 16), BACKOFF_MAX)


@dataclass(frozen=True)
class Receipt:
    """What `receive` did with a batch, for the webhook's answer and the tests."""

    accepted: int
    new_threads: int
    folded: int
    resolved: int


class AlertEngine:
    """Folds alerts into threads and answers under them; collaborators are injected."""

    def __init__(self, *, ports: AlertPorts, rules: AlertRules, chat: ChatSurface,
                 store: AlertStore, clock: Callable[[], float] = time.time,
                 error_code: Callable[[BaseException], str | None] = chat_error_code,
                 autofix: AutoFixStore | None = None) -> None:
        """`ports` is what the engine uses of the rest of the bot; `autofix` keeps automatic
        fixes' runs and demotions (default: in the alert store's database, when a rule has
        `auto: true`)."""
        self.ports = ports
        self.rules = rules
        self.chat = chat
        self.store = store
        self.clock = clock
        self.error_code = error_code
        self.worker = ports.worker.worker_id
        self._pump_lock = threading.Lock()
        self._roots = RootThrottle(rules.root_updates, clock)
        self.autofix: AutoFixer | None = None
        if any(rule.auto for rule in rules.rules):
            self.autofix = AutoFixer(ports, autofix or AutoFixStore(store.database), store)
        self.responder = Responder(ports, rules, actor=ACTOR, autofix=self.autofix)

    def close(self) -> None:
        """Let the automatic fixes' worker end (after the run in hand)."""
        if self.autofix is not None:
            self.autofix.close()

    def receive(self, alerts: list[Alert], *, channel: str, source: str,
                anchor: str | None = None) -> Receipt:
        """Record and fold a batch of alerts and queue what must be posted.

        `anchor` is the chat message the alerts came in (an alert bot's post): the thread
        then hangs from it. Webhook alerts have none, and the bot's summary starts the thread.

        Raises `AlertBacklogFull`, having recorded nothing, when the posts the batch would
        queue do not fit the outbox's bounds (repeats and resolutions queue nothing).
        """
        self._admit(alerts, channel, source)
        new = folded = resolved = 0
        for alert in alerts:
            self.ports.audit.record(
                AlertReceived(source, alert.status, alert.fingerprint, dict(alert.labels),
                              alert.group),
                actor=ACTOR, thread=f"{channel}:alert:{alert.group_key}")
            new_group, new_alert = self.store.record(
                alert.group_key, channel, alert.fingerprint,
                {"status": alert.status, "labels": dict(alert.labels),
                 "summary": alert.annotations.get("summary", "")}, anchor)
            if alert.status == "resolved":
                resolved += 1
                continue
            if new_group:
                new += 1
                self.store.enqueue(channel, alert.group_key, "root", {})
            elif not new_alert:
                folded += 1
            if new_alert:
                self.store.enqueue(channel, alert.group_key, "work",
                                   {"fingerprint": alert.fingerprint})
        return Receipt(len(alerts), new, folded, resolved)

    def _admit(self, alerts: list[Alert], channel: str, source: str) -> None:
        """Refuse the batch if what it would queue does not fit. The check and the queuing
        are separate transactions, so concurrent batches may pass a bound by a batch."""
        adding = self._would_queue(alerts)
        if adding == 0:
            return
        limits = self.rules.outbox
        for bound, limit, queued in (
                ("per_channel", limits.per_channel, self.store.pending(channel)),
                ("total", limits.total, self.store.pending())):
            if queued + adding > limit:
                self.ports.audit.record(
                    AlertsRefused(source, len(alerts), adding, bound, limit, queued),
                    actor=ACTOR, thread=f"{channel}:alert")
                raise AlertBacklogFull(bound, channel=channel, limit=limit, queued=queued,
                                       adding=adding)

    def _would_queue(self, alerts: list[Alert]) -> int:
        """How many outbox items `receive` would add for the batch: mirrors its folding."""
        seen: dict[str, set[str] | None] = {}
        count = 0
        for alert in alerts:
            key = alert.group_key
            if key not in seen:
                group = self.store.group(key)
                seen[key] = set(group.alerts) if group is not None else None
            fingerprints = seen[key]
            if alert.status == "resolved":
                pass
            elif fingerprints is None:
                count += 2  # the thread's root, and this alert's diagnostics
            elif alert.fingerprint not in fingerprints:
                count += 1
            seen[key] = (fingerprints or set()) | {alert.fingerprint}
        return count

    def _room(self, channel: str) -> bool:
        window_start = self.clock() - self.rules.burst_seconds
        return self.store.posted_since(channel, window_start) < self.rules.burst_posts

    def pump(self, leading: Callable[[], bool] = lambda: True) -> int:
        """Post what the burst limits allow, then refresh changed roots; returns posts made.

        `leading` is asked before every item: one post may block for many seconds (Slack's
        rate-limit retries), and a replica whose Lease lapsed meanwhile must stop at once,
        not finish its pass beside the new holder (whose burst budget it would share).
        """
        if not self._pump_lock.acquire(blocking=False):
            return 0
        try:
            posts = 0
            # A channel that failed once sits out the rest of this pass: one failed call
            # per pass, not one per queued item, and the other channels go on.
            failing: set[str] = set()

            def ready(channel: str) -> bool:
                return channel not in failing and self._room(channel)

            if not leading():
                return 0
            self._release_orphaned_claims()
            while leading() and (item := self.store.claim_next(self.worker, ready)) is not None:
                try:
                    ts = self._post(item)
                except Exception as exc:
                    failing.add(item.channel)
                    self._failed(item, exc)
                    continue
                self.store.mark_posted(item, ts)
                posts += 1
            if leading():
                self._refresh_roots()
            return posts
        finally:
            self._pump_lock.release()

    def _release_orphaned_claims(self) -> None:
        """Items a dead replica claimed go back to the queue (only the Lease holder pumps,
        so a live replica's claim is never taken from it)."""
        me = self.ports.worker
        released = self.store.release_claims(lambda worker: me.alive(worker, ORPHAN_AFTER))
        if released:
            log.warning("took back %d alert posts claimed by a replica that is gone",
                        len(released))

    def _failed(self, item: OutboxItem, exc: Exception) -> None:
        """Back a failed item off, or give it up (with its thread, for a root) and audit."""
        code = self.error_code(exc)
        # Never the exception's text: for Slack it quotes the whole response.
        error = code or type(exc).__name__
        attempts = item.attempts + 1
        limit = self.rules.outbox.max_attempts
        if code in PERMANENT_ERRORS:
            limit = min(limit, PERMANENT_ATTEMPTS)
        if attempts < limit:
            delay = backoff(attempts)
            log.warning("posting alert item %s to %s failed (%s), attempt %d of %d; "
                        "next in %.0fs", item.id, item.channel, error, attempts, limit, delay,
                        exc_info=code is None)
            self.store.retry_later(item, error, delay)
            return
        dropped = self.store.give_up(item, error)
        log.error("gave up alert item %s to %s after %d attempts (%s)%s", item.id,
                  item.channel, attempts, error,
                  f", and {len(dropped)} queued behind it" if dropped else "",
                  exc_info=code is None)
        self.ports.audit.record(
            AlertPostFailed(item.id, item.kind, attempts, error, dropped),
            actor=ACTOR, thread=f"{item.channel}:alert:{item.group_key}")

    def _post(self, item: OutboxItem) -> str:
        group = self.store.group(item.group_key)
        assert group is not None
        where = group.anchor if item.kind == "root" else (group.anchor or group.ts)
        assert item.kind == "root" or where is not None
        marker = f"outbox:{item.id}:{item.group_key}"
        if item.in_doubt:
            # A replica that died may have posted it before recording that: look first.
            ts = self.chat.find(item.channel, marker, thread=where)
            if ts is not None:
                log.info("alert post %s was made before its replica died; not posted again",
                         item.id)
                self._posted_before(item, ts)
                return ts
        if item.kind == "root":
            return self.chat.post(item.channel, Reply("notice", alert_root_text(group.alerts)),
                                  thread=where, marker=marker)
        assert where is not None
        if item.kind == "plan":
            return self.post_plan(item.channel, where, str(item.body["run"]), marker=marker)
        body = dict(item.body)
        if "text" not in body:
            # Keep the outcome with the item before posting: a failed post is retried
            # without running the diagnostics or proposing the fix a second time.
            alert = group.alerts[body["fingerprint"]]
            body["text"], body["run"] = self.responder.work(
                item.channel, where, alert, group=item.group_key,
                key=f"{item.group_key}:{body['fingerprint']}")
            self.store.set_body(item.id, body)
        choices = tuple(str(c) for c in body.get("choices") or ())
        ts = self.chat.post(item.channel, Reply("answer", str(body["text"]), choices=choices),
                            thread=where, marker=marker)
        self._posted_before(OutboxItem(item.id, item.channel, item.group_key, item.kind, body),
                            ts)
        return ts

    def _posted_before(self, item: OutboxItem, ts: str) -> None:
        """What follows a post, also when the post was found made by a dead replica: a
        proposal is queued as a message of its own (it carries the buttons; queued so that
        the burst limit counts it), a plan becomes its run's message."""
        if item.kind == "work" and item.body.get("run"):
            self.store.enqueue_once(item.channel, item.group_key, "plan",
                                    {"run": item.body["run"]})
        elif item.kind == "plan" and item.in_doubt:
            self.ports.runs.update(str(item.body["run"]), message_ref=f"{item.channel}:{ts}")

    def _refresh_roots(self) -> None:
        dirty = {group.key: group for group in self.store.dirty_groups()}
        for key in self._roots.due({k: _state(g) for k, g in dirty.items()}):
            group = dirty[key]
            seen = self.store.updated_at(group.key)
            assert group.ts is not None
            self._roots.edited(key, _state(group))
            try:
                self.chat.update(group.channel, group.ts,
                                 Reply("notice", alert_root_text(group.alerts)))
            except Exception as exc:
                code = self.error_code(exc)
                if code not in PERMANENT_ERRORS:
                    log.exception("updating alert thread %s failed; will retry", group.key)
                    continue
                # Retrying every pass cannot help; the next change to the group tries again.
                log.warning("updating alert thread %s failed (%s); not retried", group.key,
                            code)
            self.store.clean(group.key, seen)

    def post_plan(self, channel: str, thread: str, run_id: str, *,
                  marker: str | None = None) -> str:
        """Post a proposed run's plan message in an alert thread."""
        view = self.ports.conversation.view(run_id)
        return self.chat.post(channel, Reply("plan", run_view_text(view), run=view),
                              thread=thread, marker=marker)


def _state(group: Group) -> frozenset[tuple[str, str]]:
    """What a root shows besides counts: each alert's status."""
    return frozenset((fp, str(alert.get("status"))) for fp, alert in group.alerts.items())
