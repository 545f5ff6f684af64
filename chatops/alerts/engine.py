"""The alert engine: alerts in, a thread per incident, diagnostics and a fix proposal in it.

`receive` only records and queues (so a webhook answers at once); `pump` does the work in
order: it posts each thread's root message, runs the rule's read-only diagnostics as the
bot's read-only identity and posts what they found, proposes the remediation through the
normal plan / dry-run / approval path, and refreshes roots whose alerts changed (repeats
fold into a count, resolution marks the thread). Posts per channel stay within the burst
limit; whatever does not fit waits in the outbox, and nothing is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chatops.alerts.payloads import Alert
from chatops.alerts.rules import AlertRules
from chatops.alerts.store import AlertStore, OutboxItem
from chatops.conversation import ConversationService
from chatops.messages import alert_root_text, run_view_text
from chatops.ports import ChatSurface
from chatops.replies import Reply
from chatops.runbook.schema import Runbook

log = logging.getLogger(__name__)

ACTOR = "alertmanager"
# kube-state-metrics names a cronjob's jobs `<cronjob>-<schedule time>`.
_LABEL_SLOTS = ("namespace", "deployment", "pod", "node", "cronjob", "container")


@dataclass(frozen=True)
class Receipt:
    """What `receive` did with a batch, for the webhook's answer and the tests."""

    accepted: int
    new_threads: int
    folded: int
    resolved: int


def owner_deployment(pod: str, deployments: tuple[str, ...]) -> str | None:
    """The deployment a pod belongs to, from the `<deployment>-<rs hash>-<suffix>` name."""
    parts = pod.split("-")
    for cut in (2, 1):
        if len(parts) > cut and (name := "-".join(parts[:-cut])) in deployments:
            return name
    return None


class AlertEngine:
    """Folds alerts into threads and answers under them; collaborators are injected."""

    def __init__(self, *, service: ConversationService, rules: AlertRules, chat: ChatSurface,
                 store: AlertStore, clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.rules = rules
        self.chat = chat
        self.store = store
        self.clock = clock
        self.worker = service.store.worker_id
        self._pump_lock = threading.Lock()

    def receive(self, alerts: list[Alert], *, channel: str, source: str,
                anchor: str | None = None) -> Receipt:
        """Record and fold a batch of alerts and queue what must be posted.

        `anchor` is the chat message the alerts came in (an alert bot's post): the thread
        then hangs from it. Webhook alerts have none, and the bot's summary starts the thread.
        """
        new = folded = resolved = 0
        for alert in alerts:
            self.service.audit.append(
                "alert", actor=ACTOR, thread=f"{channel}:alert:{alert.group_key}",
                data={"source": source, "status": alert.status, "fingerprint": alert.fingerprint,
                      "labels": dict(alert.labels), "group": alert.group})
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

    def _room(self, channel: str) -> bool:
        window_start = self.clock() - self.rules.burst_seconds
        return self.store.posted_since(channel, window_start) < self.rules.burst_posts

    def pump(self) -> int:
        """Post what the burst limits allow, then refresh changed roots; returns posts made."""
        if not self._pump_lock.acquire(blocking=False):
            return 0
        try:
            posts = 0
            while (item := self.store.claim_next(self.worker, self._room)) is not None:
                try:
                    ts = self._post(item)
                except Exception:
                    log.exception("posting alert item %s failed; will retry", item.id)
                    self.store.release(item)
                    break
                self.store.mark_posted(item, ts)
                posts += 1
            self._refresh_roots()
            return posts
        finally:
            self._pump_lock.release()

    def _post(self, item: OutboxItem) -> str:
        group = self.store.group(item.group_key)
        assert group is not None
        if item.kind == "root":
            return self.chat.post(item.channel, Reply("notice", alert_root_text(group.alerts)),
                                  thread=group.anchor)
        thread = group.anchor or group.ts
        assert thread is not None
        if item.kind == "plan":
            return self.post_plan(item.channel, thread, str(item.body["run"]))
        body = dict(item.body)
        if "text" not in body:
            # Keep the outcome with the item before posting: a failed post is retried
            # without running the diagnostics or proposing the fix a second time.
            alert = group.alerts[body["fingerprint"]]
            body["text"], body["run"] = self._work(item.channel, thread, alert)
            self.store.set_body(item.id, body)
        ts = self.chat.post(item.channel, Reply("answer", str(body["text"])), thread=thread)
        if body.get("run"):
            # The proposal is a message of its own (it carries the buttons), queued so that
            # the burst limit counts it too.
            self.store.enqueue(item.channel, item.group_key, "plan", {"run": body["run"]})
        return ts

    def _work(self, channel: str, thread: str, alert: Mapping[str, Any]
              ) -> tuple[str, str | None]:
        """Run the rule's diagnostics; propose its remediation. Returns text and a run id."""
        labels: Mapping[str, str] = alert["labels"]
        name = labels.get("alertname", "alert")
        rule = self.rules.match(labels)
        if rule is None:
            close = ", ".join(f"`{n}`" for n in self._closest(labels))
            return (f"No alert rule covers {name}; nothing was run. Runbooks that may help: "
                    f"{close}.", None)
        parts = [f"Rule: {rule.name}."]
        for runbook_name in rule.diagnostics:
            runbook = self.service.catalogue.get(runbook_name)
            reply = self.service.run_readonly(
                runbook_name, self._slots(runbook, labels), identity=self.rules.identity,
                channel=channel, thread=thread, actor=ACTOR)
            parts.append(f"*{runbook_name}*\n{reply.text}")
        run_id = None
        if rule.remediation:
            runbook = self.service.catalogue.get(rule.remediation)
            replies = self.service.propose_for_alert(
                rule.remediation, self._slots(runbook, labels),
                identity=self.rules.preview_identity,
                channel=channel, thread=thread, actor=ACTOR)
            plans = [r for r in replies if r.run is not None]
            if plans and plans[0].run is not None:
                run_id = plans[0].run.id
                parts.append(f"Proposed fix: {rule.remediation} ({run_id}), below; it runs as "
                             "the person who approves it.")
            else:
                parts.append(f"Could not propose {rule.remediation}: "
                             + " ".join(r.text for r in replies))
        return "\n\n".join(parts), run_id

    def _closest(self, labels: Mapping[str, str]) -> list[str]:
        wanted = {k for k in labels if k in _LABEL_SLOTS}
        ranked = sorted(self.service.catalogue,
                        key=lambda rb: (rb.risk.value != "read", -len(wanted & set(rb.slots)),
                                        rb.name))
        return [rb.name for rb in ranked[:3]]

    def _slots(self, runbook: Runbook, labels: Mapping[str, str]) -> dict[str, str]:
        slots = {name: labels[name] for name in runbook.slots
                 if name in labels and name in _LABEL_SLOTS}
        if "deployment" in runbook.slots and "deployment" not in slots and "pod" in labels \
                and "namespace" in labels:
            try:
                names = self.service.executor.names("deployment", labels["namespace"],
                                                    self.rules.identity)
            except Exception:  # a lookup failure leaves the slot empty; the refusal says so
                names = ()
            owner = owner_deployment(labels["pod"], names)
            if owner:
                slots["deployment"] = owner
                if runbook.slots.get("pod") is not None and runbook.one_of:
                    slots.pop("pod", None)
        return slots

    def _refresh_roots(self) -> None:
        for group in self.store.dirty_groups():
            seen = self.store.updated_at(group.key)
            assert group.ts is not None
            try:
                self.chat.update(group.channel, group.ts,
                                 Reply("notice", alert_root_text(group.alerts)))
            except Exception:
                log.exception("updating alert thread %s failed; will retry", group.key)
                continue
            self.store.clean(group.key, seen)

    def post_plan(self, channel: str, thread: str, run_id: str) -> str:
        """Post a proposed run's plan message in an alert thread."""
        view = self.service.view(run_id)
        return self.chat.post(channel, Reply("plan", run_view_text(view), run=view),
                              thread=thread)
