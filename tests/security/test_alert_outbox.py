"""The alert outbox under failure and flood: a channel Slack refuses gives up without holding
the other channels back, transient failures back off, and the queue is bounded (a batch
past a bound is refused whole, nothing recorded). The real engine and store, Slack as the
local Web API, the clock injected so that backoff waits take no time. The store-level tests
run on SQLite and on PostgreSQL (`state_location`, `audit_location`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from chatops.alerts import Alert, AlertBacklogFull, AlertEngine, AlertRulesError, AlertStore
from chatops.alerts.rules import parse_rules
from chatops.audit import AuditLog
from chatops.cli.wiring import alert_ports, stores_of
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runtime import Runtime
from chatops.slack import make_client
from chatops.slack.alerts import SlackChat
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import Clock
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import Call, MockSlack

GOOD = "C0GOOD"
GONE = "C0GONE"
FLAKY = "C0FLAKY"

# The alert_outbox table as the previous version created it.
OLD_SCHEMA = """
CREATE TABLE alert_groups (
    key TEXT PRIMARY KEY, channel TEXT NOT NULL, ts TEXT, anchor TEXT, alerts TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, group_key TEXT NOT NULL,
    kind TEXT NOT NULL, body TEXT NOT NULL, created_at REAL NOT NULL, claimed_by TEXT,
    posted_at REAL, ts TEXT);
CREATE INDEX alert_outbox_pending ON alert_outbox(posted_at, channel);
"""


def alert(name: str, status: str = "firing", group: str | None = None) -> Alert:
    return Alert(fingerprint=f"fp-{name}", status=status,  # type: ignore[arg-type]
                 labels={"alertname": f"Alert{name}"}, group=group or f"group-{name}")


@pytest.fixture
def service(state_location: Path | str, audit_location: Path | str, cluster: FakeCluster,
            catalogue: Catalogue) -> ConversationService:
    """The engine's service with its stores on the test's backend."""
    return ConversationService(catalogue=catalogue, executor=cluster,
                               policy=parse_policy(DEMO_POLICY),
                               stores=open_state(state_location), audit=AuditLog(audit_location))


def build_engine(tmp_path: Path, slack_api: MockSlack, service: ConversationService,
                 catalogue: Catalogue, clock: Clock, burst: int = 30,
                 **outbox: int) -> AlertEngine:
    # Alerta and Alertb get notes of their own ("Rule: a."), to tell their posts apart.
    rules = parse_rules({"rules": [{"name": "a", "match": {"alertname": "Alerta"}},
                                   {"name": "b", "match": {"alertname": "Alertb"}},
                                   {"name": "any", "match_re": {"alertname": "Alert.*"}}],
                         "burst": {"posts": burst, "per_seconds": 60},
                         **({"outbox": outbox} if outbox else {})}, catalogue)
    client = make_client(slack_settings(tmp_path, slack_api))
    return AlertEngine(ports=alert_ports(service), rules=rules, chat=SlackChat(client, Runtime(service, stores_of(service))),
                       store=AlertStore(service.store.database, clock=clock), clock=clock)


def posts_to(slack_api: MockSlack, channel: str) -> list[Call]:
    return [c for c in slack_api.of("chat.postMessage") if c.args.get("channel") == channel]


def audit(service: ConversationService, kind: str) -> list[Any]:
    assert isinstance(service.audit, AuditLog)
    return service.audit.list(kind=kind, limit=1000)


def test_a_refused_channel_gives_up_and_never_holds_back_the_others(
        tmp_path: Path, slack_api: MockSlack, service: ConversationService,
        catalogue: Catalogue) -> None:
    clock = Clock()
    engine = build_engine(tmp_path, slack_api, service, catalogue, clock)
    slack_api.channel_errors[GONE] = "channel_not_found"
    # The refused channel's items are at the head of the outbox.
    engine.receive([alert(f"gone{i}") for i in range(3)], channel=GONE, source="test")
    engine.receive([alert(f"good{i}") for i in range(3)], channel=GOOD, source="test")

    engine.pump()
    good = posts_to(slack_api, GOOD)
    assert len(good) == 6  # three roots, each with its diagnostics note
    assert len([c for c in good if not c.args.get("thread_ts")]) == 3
    # A failing channel costs one call per pass, not one per queued item.
    assert len(posts_to(slack_api, GONE)) == 1

    for _ in range(12):
        clock.now += 301  # past the longest backoff
        engine.pump()
    store = engine.store
    # channel_not_found is permanent: each root is tried twice, then given up together
    # with the diagnostics item queued behind it (its thread never existed).
    assert len(posts_to(slack_api, GONE)) == 6
    assert store.pending() == 0 and store.failed_count() == 6
    stats = store.stats()
    assert (stats.pending, stats.retrying, stats.failed, stats.posted) == (0, 0, 6, 6)
    failed = audit(service, "alert_failed")
    assert len(failed) == 3
    assert {e.data["error"] for e in failed} == {"channel_not_found"}
    assert all(e.data["attempts"] == 2 and len(e.data["dropped"]) == 1 for e in failed)
    assert {e.thread for e in failed} == {f"{GONE}:alert:group-gone{i}" for i in range(3)}

    for _ in range(5):
        clock.now += 3600
        engine.pump()
    assert len(posts_to(slack_api, GONE)) == 6  # never retried afterwards
    assert len(audit(service, "alert_failed")) == 3

    # A later alert for the same group starts a fresh thread once the channel works.
    del slack_api.channel_errors[GONE]
    engine.receive([alert("gone0")], channel=GONE, source="test")
    engine.pump()
    assert len(posts_to(slack_api, GONE)) == 8
    assert store.pending() == 0


def test_transient_failures_back_off_exponentially_then_give_up(
        tmp_path: Path, slack_api: MockSlack, service: ConversationService,
        catalogue: Catalogue) -> None:
    clock = Clock()
    engine = build_engine(tmp_path, slack_api, service, catalogue, clock)
    slack_api.channel_errors[FLAKY] = "internal_error"
    engine.receive([alert("flaky")], channel=FLAKY, source="test")
    engine.pump()
    assert len(posts_to(slack_api, FLAKY)) == 1
    for attempt, delay in enumerate([2, 4, 8, 16, 32], start=2):
        clock.now += delay - 0.5
        engine.pump()
        assert len(posts_to(slack_api, FLAKY)) == attempt - 1, "retried before its backoff"
        clock.now += 0.5
        engine.pump()
        assert len(posts_to(slack_api, FLAKY)) == attempt
    # Sixth failure: given up (the default max_attempts), with its diagnostics item.
    assert engine.store.failed_count() == 2 and engine.store.pending() == 0
    [event] = audit(service, "alert_failed")
    assert event.data["attempts"] == 6 and event.data["error"] == "internal_error"
    clock.now += 3600
    engine.pump()
    assert len(posts_to(slack_api, FLAKY)) == 6


def test_a_post_backing_off_holds_back_the_rest_of_its_thread_only(
        tmp_path: Path, slack_api: MockSlack, service: ConversationService,
        catalogue: Catalogue) -> None:
    clock = Clock()
    # One post a minute per channel, so that the root goes out alone first.
    engine = build_engine(tmp_path, slack_api, service, catalogue, clock, burst=1)
    engine.receive([alert("a", group="g")], channel=FLAKY, source="test")
    engine.pump()
    [root] = posts_to(slack_api, FLAKY)
    slack_api.channel_errors[FLAKY] = "internal_error"
    clock.now += 61
    engine.pump()  # a's diagnostics fail, and back off 2s
    engine.receive([alert("b", group="g"), alert("c")], channel=FLAKY, source="test")
    del slack_api.channel_errors[FLAKY]
    clock.now += 1
    engine.pump()
    # b waits behind a in thread g; another thread (c) is free to go.
    assert [c.args.get("thread_ts") for c in posts_to(slack_api, FLAKY)[2:]] == [None]
    for _ in range(4):
        clock.now += 61
        engine.pump()
    thread = [c.args["text"] for c in posts_to(slack_api, FLAKY)
              if c.args.get("thread_ts") == root.ts]
    assert thread == ["Rule: a.", "Rule: a.", "Rule: b."]  # a failed, a, then b
    assert engine.store.pending() == 0 and engine.store.failed_count() == 0
    assert engine.store.stats().posted == 5


def test_thread_roots_in_a_refused_channel_are_not_refreshed_forever(
        tmp_path: Path, slack_api: MockSlack, service: ConversationService,
        catalogue: Catalogue) -> None:
    clock = Clock()
    engine = build_engine(tmp_path, slack_api, service, catalogue, clock)
    engine.receive([alert("a")], channel=GOOD, source="test")
    engine.pump()
    slack_api.channel_errors[GOOD] = "is_archived"
    engine.receive([alert("a")], channel=GOOD, source="test")  # a repeat: the root changes
    for _ in range(3):
        engine.pump()
    assert len(slack_api.of("chat.update")) == 1


def test_the_outbox_is_bounded_per_channel_and_in_total(
        tmp_path: Path, slack_api: MockSlack, service: ConversationService,
        catalogue: Catalogue) -> None:
    clock = Clock()
    engine = build_engine(tmp_path, slack_api, service, catalogue, clock,
                          per_channel=4, total=6, max_attempts=3)
    store = engine.store
    # Each new alert queues two posts: the thread's root and its diagnostics. A repeat
    # within the batch queues nothing more, so this batch fills the channel exactly.
    engine.receive([alert("a")], channel="C1", source="test")
    receipt = engine.receive([alert("b"), alert("b")], channel="C1", source="test")
    assert receipt.new_threads == 1 and receipt.folded == 1
    assert store.pending("C1") == 4

    before = (store.stats(), len(audit(service, "alert")))
    flood = [alert(f"flood{i}") for i in range(50)]
    with pytest.raises(AlertBacklogFull, match="per channel") as refused:
        engine.receive(flood, channel="C1", source="test")
    assert refused.value.bound == "per_channel" and refused.value.limit == 4
    assert (store.stats(), len(audit(service, "alert"))) == before
    assert store.group("group-flood0") is None
    [event] = audit(service, "alert_refused")
    assert event.data["alerts"] == 50 and event.data["bound"] == "per_channel"

    # What queues nothing is still taken: repeats fold, resolutions mark the thread.
    receipt = engine.receive([alert("a"), alert("b", "resolved"), alert("zzz", "resolved")],
                             channel="C1", source="test")
    assert (receipt.folded, receipt.resolved) == (1, 2)
    assert store.pending() == 4 and store.group("group-a") is not None
    assert store.group("group-a").alerts["fp-a"]["count"] == 2  # type: ignore[union-attr]

    # Another channel has room until the total bound.
    engine.receive([alert("c")], channel="C2", source="test")
    with pytest.raises(AlertBacklogFull, match="in total") as refused:
        engine.receive([alert("d")], channel="C3", source="test")
    assert refused.value.bound == "total" and store.pending() == 6
    assert len(audit(service, "alert_refused")) == 2

    # Posting frees room.
    engine.pump()
    assert store.pending() == 0
    engine.receive(flood[:2], channel="C1", source="test")
    assert store.pending("C1") == 4


def test_outbox_settings_are_validated(catalogue: Catalogue) -> None:
    base: dict[str, Any] = {"rules": [{"name": "any", "match": {"alertname": "A"}}]}
    defaults = parse_rules(base, catalogue).outbox
    assert (defaults.per_channel, defaults.total, defaults.max_attempts) == (200, 2000, 6)
    parsed = parse_rules({**base, "outbox": {"per_channel": 5, "total": 10}}, catalogue)
    assert (parsed.outbox.per_channel, parsed.outbox.total, parsed.outbox.max_attempts) == (
        5, 10, 6)
    for bad, words in [({"per_channel": 0}, "outbox.per_channel"),
                       ({"total": "many"}, "outbox.total"),
                       ({"max_attempts": True}, "outbox.max_attempts"),
                       ({"per_channel": 50, "total": 10}, "outbox.per_channel"),
                       ({"size": 3}, "size"),
                       ([1, 2], "outbox")]:
        with pytest.raises(AlertRulesError, match=words):
            parse_rules({**base, "outbox": bad}, catalogue)


def test_a_database_from_the_previous_version_opens_and_migrates(
        tmp_path: Path, slack_api: MockSlack, fake_service: ConversationService,
        catalogue: Catalogue) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO alert_groups VALUES ('old', ?, NULL, NULL, ?, 0, 1, 1)",
                   (GOOD, '{"fp-old": {"status": "firing", "labels": {"alertname": "AlertOld"},'
                          ' "summary": "", "count": 1}}'))
        db.execute("INSERT INTO alert_outbox(channel, group_key, kind, body, created_at) "
                   "VALUES (?, 'old', 'root', '{}', 1)", (GOOD,))
    db.close()

    clock = Clock()
    engine = build_engine(tmp_path, slack_api, fake_service, catalogue, clock)
    AlertStore(path)  # opening twice is harmless
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(alert_outbox)")}
    db.close()
    assert {"attempts", "next_attempt_at", "last_error", "failed_at"} <= columns
    assert engine.store.pending() == 1
    engine.pump()
    [root] = posts_to(slack_api, GOOD)
    assert root.text().startswith("[FIRING] AlertOld")
    assert engine.store.stats().posted == 1 and engine.store.failed_count() == 0
