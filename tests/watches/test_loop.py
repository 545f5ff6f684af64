"""The watch loop follows leadership: it streams only while this replica holds the Lease,
stops when it loses it and when the runtime stops, and feeds the alert engine (one alert
per condition; a full outbox keeps alerts for the next turn)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chatops.alerts import AlertStore
from chatops.alerts.rules import parse_rules
from chatops.audit import AuditLog
from chatops.cli.wiring import alert_ports, stores_of
from chatops.conversation import ConversationService
from chatops.policy.rules import parse_policy
from chatops.ports import WatchEvent
from chatops.runbook.catalogue import Catalogue
from chatops.runtime import Intervals, Runtime
from chatops.stores import open_state
from chatops.watches import WatchLoop
from tests.alerts.test_engine_logic import RecordingChat
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import POLICY
from tests.slack.conftest import eventually
from tests.watches.objects import pods_event, rs_ref


class FakeWatch:
    """A cluster watch that streams whatever the test pushes, while started."""

    def __init__(self) -> None:
        self.on_event: Callable[[WatchEvent], None] | None = None
        self.starts = self.stops = 0

    def start(self, on_event: Callable[[WatchEvent], None]) -> None:
        self.on_event = on_event
        self.starts += 1

    def stop(self) -> None:
        self.on_event = None
        self.stops += 1

    @property
    def running(self) -> bool:
        return self.on_event is not None


class Flip:
    """Leadership a test can take away."""

    def __init__(self) -> None:
        self.leading = True

    def is_leader(self) -> bool:
        return self.leading

    def try_once(self) -> bool:
        return self.leading

    def release(self) -> None:
        self.leading = False


def crash_pod(name: str, namespace: str = "prod") -> dict[str, object]:
    return {"metadata": {"name": name, "namespace": namespace,
                         "labels": {"pod-template-hash": "h1"},
                         "ownerReferences": [rs_ref("checkout-api-h1")]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}


def test_the_watch_streams_only_while_leading_and_stops_with_the_runtime(
        tmp_path: Path, catalogue: Catalogue) -> None:
    service = ConversationService(
        catalogue=catalogue, executor=FakeCluster(deployments={("prod", "checkout-api"): 2}),
        policy=parse_policy(POLICY), stores=open_state(tmp_path / "state.db"),
        audit=AuditLog(tmp_path / "audit.db"))
    rules = parse_rules({"rules": [{"name": "crash", "match": {"alertname":
                                                              "KubePodCrashLooping"},
                                    "diagnostics": ["diagnose"]}]}, catalogue)
    source = FakeWatch()
    leadership = Flip()
    watches = WatchLoop(source, channel="C0ALERTS", pending_after=600)
    runtime = Runtime(service, stores_of(service).with_alerts(), alert_ports=alert_ports(service),
                      alert_rules=rules, intervals=Intervals(pump=0.05, watch=0.05, lease=0.05),
                      leadership=leadership, watches=watches)
    chat = RecordingChat()
    runtime.attach(chat=chat)
    runtime.start()
    try:
        eventually(lambda: source.running, what="the watch to start")
        assert source.on_event is not None
        for name in ("checkout-api-h1-a", "checkout-api-h1-b"):
            source.on_event(pods_event("ADDED", "prod", (crash_pod(name),)))
        eventually(lambda: len(chat.posts) >= 2, what="the thread and its diagnosis")
        roots = [p for p in chat.posts if p[1] is None]
        assert len(roots) == 1 and "KubePodCrashLooping" in roots[0][2]
        assert "deployment=checkout-api" in roots[0][2]
        leadership.leading = False
        eventually(lambda: not source.running, what="the watch to stop on losing the Lease")
        leadership.leading = True
        eventually(lambda: source.running and source.starts == 2, what="it to start again")
    finally:
        runtime.stop()
    assert not source.running


def test_alerts_refused_by_a_full_outbox_wait_for_the_next_turn(
        tmp_path: Path, catalogue: Catalogue) -> None:
    from chatops.alerts import AlertEngine

    service = ConversationService(
        catalogue=catalogue, executor=FakeCluster(), policy=parse_policy(POLICY),
        stores=open_state(tmp_path / "state.db"), audit=AuditLog(tmp_path / "audit.db"))
    rules = parse_rules({"outbox": {"per_channel": 1, "total": 1}, "rules": []}, catalogue)
    engine = AlertEngine(ports=alert_ports(service), rules=rules, chat=RecordingChat(),
                         store=AlertStore(service.store.database))
    source = FakeWatch()
    loop = WatchLoop(source, channel="C0ALERTS", pending_after=600)
    loop.connect(engine)
    loop.turn(True)
    assert source.on_event is not None
    source.on_event(pods_event("ADDED", "prod", (crash_pod("checkout-api-h1-a"),)))
    assert engine.store.pending() == 0  # refused whole: root + work would not fit
    engine.rules = parse_rules({"rules": []}, catalogue)  # room again
    loop.turn(True)
    assert engine.store.pending() == 2


def watch_fp(**labels: str) -> str:
    from chatops.alerts.payloads import fingerprint

    return fingerprint({"severity": "warning", "source": "chatops-watch", **labels})


def status_of(store: AlertStore, fp: str) -> str:
    group = store.group(fp)
    assert group is not None, fp
    return str(group.alerts[fp]["status"])


def healthy_pod(name: str) -> dict[str, object]:
    pod = crash_pod(name)
    return {**pod, "status": {"phase": "Running", "containerStatuses": [
        {"name": "app", "state": {"running": {}}}]}}


def payments_pod(name: str) -> dict[str, object]:
    pod = crash_pod(name)
    meta = {**pod["metadata"], "ownerReferences": [  # type: ignore[dict-item]
        rs_ref("payments-api-h1")]}
    return {**pod, "metadata": meta}


def sample(name: str, **labels: str) -> float:
    from chatops.metrics import METRICS

    return METRICS.registry.get_sample_value(name, labels) or 0.0


def test_a_new_leader_resolves_what_cleared_while_nobody_watched(
        tmp_path: Path, catalogue: Catalogue) -> None:
    """Two replicas on one database: the first raises alerts and loses the Lease; what
    cleared meanwhile is resolved by the second's first list of that stream, what is still
    wrong stays firing (folded), and an alert the watch did not raise is left alone."""
    from chatops.alerts import AlertEngine
    from chatops.alerts.payloads import Alert

    rules = parse_rules({"rules": []}, catalogue)

    def replica() -> tuple[WatchLoop, FakeWatch, AlertStore]:
        service = ConversationService(
            catalogue=catalogue, executor=FakeCluster(), policy=parse_policy(POLICY),
            stores=open_state(tmp_path / "state.db"), audit=AuditLog(tmp_path / "audit.db"))
        store = AlertStore(service.store.database)
        engine = AlertEngine(ports=alert_ports(service), rules=rules, chat=RecordingChat(), store=store)
        source = FakeWatch()
        loop = WatchLoop(source, channel="C0ALERTS", pending_after=600)
        loop.connect(engine)
        return loop, source, store

    checkout = watch_fp(alertname="KubePodCrashLooping", namespace="prod",
                        deployment="checkout-api")
    payments = watch_fp(alertname="KubePodCrashLooping", namespace="prod",
                        deployment="payments-api")
    staging = watch_fp(alertname="KubePodCrashLooping", namespace="staging",
                       deployment="checkout-api")
    first, first_source, store = replica()
    first.turn(True)
    assert first_source.on_event is not None
    staging_pod = crash_pod("checkout-api-h1-s", "staging")
    first_source.on_event(pods_event("RELISTED", "prod", (
        crash_pod("checkout-api-h1-a"), payments_pod("payments-api-h1-a"))))
    first_source.on_event(pods_event("RELISTED", "staging", (staging_pod,)))
    # An Alertmanager alert that copies the watch's label: not the watch's to resolve.
    labels = {"alertname": "KubePodCrashLooping", "namespace": "prod", "deployment": "gone",
              "severity": "warning", "source": "chatops-watch"}
    assert first.engine is not None
    first.engine.receive([Alert(fingerprint="am-0001", status="firing", labels=labels)],
                         channel="C0ALERTS", source="alertmanager")
    assert {status_of(store, fp) for fp in (checkout, payments, staging)} == {"firing"}
    first.turn(False)  # the Lease moves on; checkout-api recovers while nobody watches
    assert not first_source.running

    resolved_before = sample("chatops_watch_alerts_total", alertname="KubePodCrashLooping",
                             status="resolved")
    relisted_before = sample("chatops_watch_events_total", resource="pods", type="RELISTED")
    second, second_source, _ = replica()
    second.turn(True)
    assert second_source.on_event is not None
    second_source.on_event(pods_event("RELISTED", "prod", (
        healthy_pod("checkout-api-h1-b"), payments_pod("payments-api-h1-a"))))
    assert status_of(store, checkout) == "resolved"
    assert status_of(store, payments) == "firing"
    assert status_of(store, "am-0001") == "firing"
    assert status_of(store, staging) == "firing"  # its namespace is not listed yet
    second_source.on_event(pods_event("RELISTED", "staging", ()))
    assert status_of(store, staging) == "resolved"
    # Later lists (after 410 Gone) settle through the tracker alone; nothing is resolved twice.
    second_source.on_event(pods_event("RELISTED", "prod", (
        payments_pod("payments-api-h1-a"),)))
    assert status_of(store, payments) == "firing"
    assert sample("chatops_watch_alerts_total", alertname="KubePodCrashLooping",
                  status="resolved") - resolved_before == 2
    assert sample("chatops_watch_events_total", resource="pods",
                  type="RELISTED") - relisted_before == 3
