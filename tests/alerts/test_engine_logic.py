"""Folding, burst limiting and ordering of the alert engine, over an in-memory executor and a
recording chat surface (pure logic; the Slack and sandbox versions are in tests/slack/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from chatops.alerts import Alert, AlertEngine, AlertStore, load_rules
from chatops.alerts.rules import parse_rules
from chatops.audit import AuditLog
from chatops.cli.wiring import alert_ports
from chatops.conversation import ConversationService
from chatops.policy.rules import parse_policy
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import POLICY, Clock


@dataclass
class RecordingChat:
    posts: list[tuple[str, str | None, str, float]] = field(default_factory=list)
    updates: list[tuple[str, str, str]] = field(default_factory=list)
    clock: Clock | None = None

    markers: dict[str, str] = field(default_factory=dict)

    def post(self, channel: str, reply: Reply, *, thread: str | None = None,
             marker: str | None = None) -> str:
        ts = f"{len(self.posts) + 1}.0"
        self.posts.append((channel, thread, reply.text, self.clock() if self.clock else 0.0))
        if marker:
            self.markers[marker] = ts
        return ts

    def find(self, channel: str, marker: str, *, thread: str | None = None) -> str | None:
        return self.markers.get(marker)

    def update(self, channel: str, message_id: str, reply: Reply) -> None:
        self.updates.append((channel, message_id, reply.text))


def crashloop(i: int, status: str = "firing") -> Alert:
    labels = {"alertname": f"Alert{i}", "namespace": "prod", "severity": "warning"}
    return Alert(fingerprint=f"fp{i}", status=status,  # type: ignore[arg-type]
                 labels=labels, group=f"group{i}")


Parts = tuple[AlertEngine, RecordingChat, Clock, AuditLog]


@pytest.fixture
def engine_parts(tmp_path: Path, catalogue: Catalogue) -> Parts:
    clock = Clock()
    audit = AuditLog(tmp_path / "audit.db")
    service = ConversationService(
        catalogue=catalogue, executor=FakeCluster(deployments={("prod", "checkout-api"): 2}),
        policy=parse_policy(POLICY), stores=open_state(tmp_path / "state.db", clock=clock),
        audit=audit, clock=clock)
    rules = parse_rules({"burst": {"posts": 10, "per_seconds": 60}, "rules": [
        {"name": "any", "match_re": {"alertname": "Alert.*"}, "diagnostics": []}]}, catalogue)
    chat = RecordingChat(clock=clock)
    engine = AlertEngine(ports=alert_ports(service), rules=rules, chat=chat,
                         store=AlertStore(tmp_path / "state.db", clock=clock), clock=clock)
    return engine, chat, clock, audit


def test_repeats_fold_and_resolution_marks_the_root(engine_parts: Parts) -> None:
    engine, chat, _clock, audit = engine_parts
    engine.receive([crashloop(1)], channel="CAL", source="test")
    engine.pump()
    assert [p[1] for p in chat.posts] == [None, "1.0"]
    assert chat.posts[0][2].startswith("[FIRING] Alert1 (namespace=prod severity=warning)")
    receipt = engine.receive([crashloop(1), crashloop(1)], channel="CAL", source="test")
    assert receipt.folded == 2 and receipt.new_threads == 0
    engine.pump()
    assert len(chat.posts) == 2
    assert chat.updates[-1][2].startswith("[FIRING] Alert1 (namespace=prod severity=warning, "
                                          "seen 3 times)")
    engine.receive([crashloop(1, "resolved")], channel="CAL", source="test")
    engine.pump()
    assert chat.updates[-1][2].startswith("[RESOLVED] Alert1")
    assert len([e for e in audit.list(limit=100) if e.kind == "alert"]) == 4


def test_storm_stays_within_the_burst_limit_and_loses_nothing(engine_parts: Parts) -> None:
    engine, chat, clock, audit = engine_parts
    alerts = [crashloop(i % 20) for i in range(1000)]
    receipt = engine.receive(alerts, channel="CAL", source="test")
    assert receipt.new_threads == 20 and receipt.folded == 980
    for _ in range(10):
        engine.pump()
        clock.now += 30
    roots = [p for p in chat.posts if p[1] is None]
    assert len(roots) == 20
    assert engine.store.pending() == 0
    times = sorted(p[3] for p in chat.posts)
    assert all(sum(1 for t in times if start <= t < start + 60) <= 10 for start in times)
    assert len([e for e in audit.list(limit=2000) if e.kind == "alert"]) == 1000


def test_unknown_alert_gets_an_acknowledgement_with_closest_runbooks(
        tmp_path: Path, catalogue: Catalogue) -> None:
    clock = Clock()
    service = ConversationService(
        catalogue=catalogue, executor=FakeCluster(), policy=parse_policy(POLICY),
        stores=open_state(tmp_path / "s.db", clock=clock), audit=AuditLog(tmp_path / "a.db"),
        clock=clock)
    chat = RecordingChat()
    engine = AlertEngine(ports=alert_ports(service), rules=load_rules(None, catalogue), chat=chat,
                         store=AlertStore(tmp_path / "s.db", clock=clock), clock=clock)
    engine.receive([Alert("f", "firing", {"alertname": "DiskFull", "node": "node-1"})],
                   channel="CAL", source="test")
    engine.pump()
    assert chat.posts[1][2].startswith("No alert rule covers DiskFull; nothing was run. "
                                       "Runbooks that may help: `node_status`")


def test_a_post_a_dead_replica_made_but_did_not_record_is_not_posted_again(
        engine_parts: Parts) -> None:
    engine, chat, _clock, _audit = engine_parts
    engine.receive([crashloop(1), crashloop(2)], channel="CAL", source="test")
    dead = "gone-host:1:dead00"
    # The dead replica claimed both roots and posted the first before it was killed.
    posted = engine.store.claim_next(dead, lambda channel: True)
    unposted = engine.store.claim_next(dead, lambda channel: True)
    assert posted is not None and unposted is not None
    chat.post("CAL", Reply("notice", "root 1"), marker=f"outbox:{posted.id}:{posted.group_key}")
    engine.pump()  # the holder takes both back, finds the first, posts the second
    roots = [p for p in chat.posts if p[1] is None]
    assert roots[0][2] == "root 1" and len(roots) == 2
    group = engine.store.group(posted.group_key)
    assert group is not None and group.ts == "1.0"  # the found message became the thread
    assert engine.store.pending() == 0


def test_a_pump_stops_at_the_first_item_after_the_lease_lapses(engine_parts: Parts) -> None:
    """One Slack post can block for many seconds; a replica whose Lease lapsed in the
    meantime stops at once and leaves the rest (and the root refreshes) to the new holder."""
    engine, chat, _clock, _audit = engine_parts
    engine.receive([crashloop(i) for i in range(4)], channel="CAL", source="test")
    answers = iter([True, True])  # leading at the start and for the first item only
    assert engine.pump(lambda: next(answers, False)) == 1
    assert len(chat.posts) == 1 and engine.store.pending() > 0
    assert engine.pump(lambda: False) == 0 and len(chat.posts) == 1
    engine.pump()  # the new holder posts what is left
    assert engine.store.pending() == 0
