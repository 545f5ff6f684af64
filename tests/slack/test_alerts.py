"""Alerts through the real Bolt app and HTTP server: Alertmanager's webhook and alert-bot
messages in, threads with diagnostics and a remediation behind approval out, storms folded
and posted within the burst limit. Slack is the local mock Web API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chatops.alerts import AlertRules
from chatops.alerts.rules import parse_rules
from chatops.alerts.throttle import RootUpdateLimits
from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.slack.blocks import APPROVE
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World
from tests.slack.conftest import ALERT_TOKEN, Bot, eventually
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.sender import next_ts

ALERTS = "C0ALERTS"
ALERT_BOT = "B0ALERTS"


def rules(catalogue: Catalogue, **extra: Any) -> AlertRules:
    return parse_rules({
        "allowed_bots": [ALERT_BOT], "channels": [ALERTS],
        "diagnostics_identity": {"user": "chatops:alerts", "groups": ["chatops:viewers"]},
        "rules": [{"name": "crash-looping pod", "match": {"alertname": "KubePodCrashLooping"},
                   "diagnostics": ["diagnose"], "remediation": "restart_deployment"}],
        **extra}, catalogue)


def post_webhook(bot: Bot, payload: Any, *, query: str = "", token: str | None = ALERT_TOKEN,
                 raw: bytes | None = None) -> tuple[int, dict[str, Any]]:
    url = bot.server.url.replace("/slack/events", "/alertmanager") + query
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def webhook(status: str, labels: dict[str, str], fingerprint: str = "f00d",
            group: str = "{}:{alertname=\"KubePodCrashLooping\"}") -> dict[str, Any]:
    return {"version": "4", "status": status, "receiver": "chatops", "groupKey": group,
            "commonLabels": {}, "alerts": [{"status": status, "labels": labels,
                                            "annotations": {"summary": "Pod is crash looping."},
                                            "fingerprint": fingerprint}]}


def roots(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and not c.args.get("thread_ts")]


def in_thread(calls: list[Call], ts: str | None) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and c.args.get("thread_ts") == ts]


def crashing_pod(world: World) -> str:
    from kubernetes import client

    core = client.CoreV1Api(world.api)

    def crashing() -> str | None:
        for pod in core.list_namespaced_pod(world.ns["prod"], label_selector="app=calc-app").items:
            for status in pod.status.container_statuses or []:
                waiting = status.state.waiting
                if waiting is not None and waiting.reason == "CrashLoopBackOff":
                    return str(pod.metadata.name)
        return None

    return wait_for(crashing, timeout=90, what="calc-app to crash-loop")


@pytest.mark.k8s
def test_webhook_firing_repeat_resolved_on_a_crash_looping_deployment(
        world: World, start_bot: Callable[..., Bot], catalogue: Catalogue) -> None:
    bot = start_bot(world.service(), alert_rules=rules(catalogue))
    pod = crashing_pod(world)
    labels = {"alertname": "KubePodCrashLooping", "namespace": world.ns["prod"], "pod": pod,
              "severity": "critical"}
    status, answer = post_webhook(bot, webhook("firing", labels))
    assert status == 200 and answer["new_threads"] == 1
    root = bot.slack.wait(lambda calls: roots(calls), what="the alert thread")[0]  # type: ignore[index]
    assert root.text().startswith("[FIRING] KubePodCrashLooping")
    ts = root.ts
    thread = bot.slack.wait(lambda calls: len(in_thread(calls, ts)) >= 2 and in_thread(calls, ts),
                            timeout=60, what="diagnostics and a proposal")
    diagnostics, plan = thread[0], thread[1]  # type: ignore[index]
    assert "CrashLoopBackOff" in diagnostics.text() or "crash" in diagnostics.text().lower()
    assert "restart_deployment" in diagnostics.text()
    assert f"{APPROVE}:" in plan.text() and "calc-app" in plan.text()

    status, answer = post_webhook(bot, webhook("firing", labels))
    assert status == 200 and answer["folded"] == 1 and answer["new_threads"] == 0
    assert bot.alerts is not None
    bot.alerts.pump()
    assert len(roots(bot.slack.of("chat.postMessage"))) == 1
    updated = bot.slack.wait_for("chat.update", "seen 2 times")
    assert updated[-1].args["ts"] == ts

    # The first SRE to approve takes the remediation on: it runs as him, not as the bot,
    # once another SRE approved it too (the policy's two-person rule for writes).
    runs = bot.service.store.runs_in_thread(ALERTS, ts)
    proposal = next(r for r in runs if r.state is RunState.PROPOSED)
    bot.sender.click(APPROVE, proposal.id, user="U0BOB", channel=ALERTS,
                     message_ts=plan.ts)
    eventually(lambda: bot.service.store.get(proposal.id).requester == "bob",  # type: ignore[union-attr]
               what="bob to take the proposal on")
    bot.sender.click(APPROVE, proposal.id, user="U0CAROL", channel=ALERTS,
                     message_ts=plan.ts)
    # (calc-app keeps crashing after a restart, so the rollout's verification would wait
    # out its timeout: the step itself is what this test is about.)
    steps = eventually(lambda: AuditLog(world.audit_db).list(run_id=proposal.id, kind="step"),
                       timeout=60, what="the restart step")
    assert steps[0].actor == "bob"  # type: ignore[index]

    status, answer = post_webhook(bot, webhook("resolved", labels))
    assert status == 200 and answer["resolved"] == 1
    bot.alerts.pump()
    assert bot.slack.wait_for("chat.update", "[RESOLVED] KubePodCrashLooping")[-1].args["ts"] == ts
    assert len(roots(bot.slack.of("chat.postMessage"))) == 1


@pytest.mark.k8s
@pytest.mark.transports()
def test_alert_bot_message_is_answered_in_its_thread_and_other_bots_are_ignored(
        world: World, start_bot: Callable[..., Bot], catalogue: Catalogue) -> None:
    bot = start_bot(world.service(), alert_rules=rules(catalogue))
    pod = crashing_pod(world)
    ts = next_ts()
    text = (f"[FIRING:1] KubePodCrashLooping namespace={world.ns['prod']} pod={pod} "
            "severity=critical")
    stranger = next_ts()
    bot.sender.event({"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER",
                      "text": text, "channel": ALERTS, "ts": stranger, "channel_type": "channel"})
    bot.sender.event({"type": "message", "subtype": "bot_message", "bot_id": ALERT_BOT,
                      "text": text, "channel": ALERTS, "ts": ts, "channel_type": "channel"})
    thread = bot.slack.wait(lambda calls: len(in_thread(calls, ts)) >= 3 and in_thread(calls, ts),
                            timeout=60, what="answers in the alert's thread")
    summary, diagnostics, plan = thread[0], thread[1], thread[2]  # type: ignore[index]
    assert summary.text().startswith("[FIRING] KubePodCrashLooping")
    assert "CrashLoopBackOff" in diagnostics.text() or "crash" in diagnostics.text().lower()
    assert f"{APPROVE}:" in plan.text()
    assert in_thread(bot.slack.of("chat.postMessage"), stranger) == []
    assert roots(bot.slack.of("chat.postMessage")) == []


def test_malformed_payloads_get_a_4xx_and_change_nothing(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        catalogue: Catalogue) -> None:
    bot = start_bot(fake_service, alert_rules=rules(catalogue), alert_token="s3cret")
    assert post_webhook(bot, {}, raw=b"{nope", token="s3cret")[0] == 400
    status, answer = post_webhook(bot, webhook("firing", {"namespace": "prod"}), token="s3cret")
    assert status == 400 and "alertname" in answer["error"]
    assert post_webhook(bot, webhook("firing", {"alertname": "A"}), token="wrong")[0] == 401
    assert post_webhook(bot, webhook("firing", {"alertname": "A"}), token=None)[0] == 401
    assert AuditLog(fake_service.store.path.replace("state.db", "audit.db")).list(
        kind="alert") == []
    assert bot.slack.of("chat.postMessage") == []


def test_unknown_namespace_and_missing_labels_get_a_clear_note(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        catalogue: Catalogue) -> None:
    bot = start_bot(fake_service, alert_rules=rules(catalogue))
    status, _ = post_webhook(bot, webhook("firing", {"alertname": "KubePodCrashLooping",
                                                     "namespace": "nope", "pod": "x-1-2"}))
    assert status == 200
    note = bot.slack.wait_for("chat.postMessage", "not found")[0]
    assert "namespace 'nope' not found" in note.text()
    status, _ = post_webhook(bot, webhook("firing", {"alertname": "KubePodCrashLooping"},
                                          fingerprint="f2", group="g2"))
    assert status == 200
    note = bot.slack.wait_for("chat.postMessage", "no namespace")[0]
    # diagnose needs only a namespace (a deployment or pod narrows it); the remediation
    # needs both, and each note names exactly what its own runbook lacks.
    assert "Can't run diagnose: the alert has no namespace label." in note.text()
    assert ("Can't run restart_deployment: the alert has no deployment or namespace label."
            in note.text())
    assert fake_service.store.runs_in_thread(ALERTS, None) == []


@pytest.fixture
def pumping() -> Iterator[Callable[[Bot], None]]:
    stop = threading.Event()

    def start(bot: Bot) -> None:
        assert bot.alerts is not None
        engine = bot.alerts

        def loop() -> None:
            while not stop.wait(0.2):
                engine.pump()
        threading.Thread(target=loop, daemon=True).start()

    yield start
    stop.set()


def test_storm_of_1000_alerts_across_20_fingerprints(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        catalogue: Catalogue, pumping: Callable[[Bot], None]) -> None:
    window, limit = 10.0, 25
    bot = start_bot(fake_service, alert_rules=rules(
        catalogue, burst={"posts": limit, "per_seconds": window}))
    pumping(bot)
    started = time.monotonic()
    for batch in range(50):  # 50 webhook calls of 20 alerts: every fingerprint 50 times
        payload = {"version": "4", "status": "firing", "alerts": [
            {"status": "firing", "fingerprint": f"fp{i:02d}",
             "labels": {"alertname": f"DiskFilling{i:02d}", "node": f"node-{i}"}}
            for i in range(20)]}
        status, answer = post_webhook(bot, payload)
        assert status == 200 and answer["accepted"] == 20
        assert answer["new_threads"] == (20 if batch == 0 else 0)
    assert time.monotonic() - started < 60
    assert bot.alerts is not None
    store = bot.alerts.store
    eventually(lambda: store.pending() == 0, timeout=90, what="the outbox to drain")
    posts = bot.slack.of("chat.postMessage")
    assert len(roots(posts)) == 20
    assert all(len(in_thread(posts, r.ts)) == 1 for r in roots(posts))
    times = sorted(c.at for c in posts)
    assert all(sum(1 for t in times if start <= t < start + window) <= limit for start in times)
    alerts = AuditLog(fake_service.store.path.replace("state.db", "audit.db")).list(
        kind="alert", limit=5000)
    assert len(alerts) == 1000
    counts = [store.group(r) for r in {a.thread.split(":alert:")[1] for a in alerts if a.thread}]
    assert sum(a["count"] for g in counts if g for a in g.alerts.values()) == 1000
    # Slack allows chat.update about 50 times a minute (Tier 3): root refreshes stay within
    # their own budget, whatever the storm.
    edits = sorted(c.at for c in bot.slack.of("chat.update"))
    budget = RootUpdateLimits().per_minute
    assert all(sum(1 for t in edits if start <= t < start + 60) <= budget for start in edits)


def test_a_post_is_found_again_by_its_marker(slack_api: MockSlack) -> None:
    """How the Lease holder learns that a replica that died had posted an item: Slack keeps
    the marker as message metadata, read back with conversations.history / .replies."""
    from slack_sdk import WebClient

    from chatops.slack.alerts import SlackChat

    class NoRuns:
        def record_message_ref(self, run_id: str, ref: str) -> None: ...

        def message_ref(self, run_id: str) -> str | None:
            return None

    chat = SlackChat(WebClient(token="xoxb-test", base_url=slack_api.url), NoRuns())  # type: ignore[arg-type]
    root = chat.post("C0ALERTS", Reply("notice", "root"), marker="outbox:1:g")
    reply = chat.post("C0ALERTS", Reply("answer", "work"), thread=root, marker="outbox:2:g")
    chat.post("C0ALERTS", Reply("answer", "no marker"), thread=root)
    assert chat.find("C0ALERTS", "outbox:1:g") == root
    assert chat.find("C0ALERTS", "outbox:2:g", thread=root) == reply
    assert chat.find("C0ALERTS", "outbox:2:g") is None  # not at the top level
    assert chat.find("C0ALERTS", "outbox:3:g", thread=root) is None
    assert chat.find("C0OTHER", "outbox:1:g") is None
