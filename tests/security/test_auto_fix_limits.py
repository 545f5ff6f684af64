"""Attacks on an automatic fix's limits through the labels of the alerts that start it: the
same deployment spelled another way (case, spaces) is the same target, so it shares the
hourly limit and the demotion. Over the alert responder (`Responder.work`, as the alert
engine calls it) with the real automatic-fix store, on the in-memory cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatops.alerts.autofix import AutoFixer, AutoFixStore, target_of
from chatops.alerts.rules import parse_rules
from chatops.alerts.store import AlertStore
from chatops.alerts.work import Responder
from chatops.audit import AuditLog
from chatops.cli.wiring import alert_ports
from chatops.conversation import ConversationService
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.stores import open_state
from tests.alerts.test_autofix import RolloutNeverReady
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import POLICY
from tests.slack.conftest import eventually

ALERTS = "C0ALERTS"
SPELLINGS = ("checkout-api", "Checkout-API", " checkout-api", "CHECKOUT-API\u00a0")


def responder(tmp_path: Path, catalogue: Catalogue, cluster: FakeCluster,
              max_per_hour: int) -> tuple[Responder, AutoFixer, AutoFixStore]:
    service = ConversationService(catalogue=catalogue, executor=cluster,
                                  policy=parse_policy(POLICY),
                                  stores=open_state(tmp_path / "state.db"),
                                  audit=AuditLog(tmp_path / "audit.db"))
    rules = parse_rules({"channels": [ALERTS], "rules": [{
        "name": "crash-looping pod in dev", "match": {"alertname": "KubePodCrashLooping"},
        "remediation": "restart_deployment", "auto": True, "namespaces": ["dev"],
        "max_per_hour": max_per_hour,
        "as": {"user": "chatops:auto-dev", "groups": ["chatops:auto"]}}]}, catalogue)
    store = AutoFixStore(service.store.database)
    fixer = AutoFixer(alert_ports(service), store, AlertStore(service.store.database))
    return Responder(alert_ports(service), rules, actor="chatops:alerts", autofix=fixer), fixer, store


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("dev", "checkout-api"): 1})


@pytest.fixture
def limited(tmp_path: Path, catalogue: Catalogue,
            cluster: FakeCluster) -> Iterator[tuple[Responder, AutoFixStore]]:
    work, fixer, store = responder(tmp_path, catalogue, cluster, max_per_hour=1)
    yield work, store
    fixer.close()


def crash(deployment: str, n: int) -> dict[str, object]:
    return {"labels": {"alertname": "KubePodCrashLooping", "namespace": "dev",
                       "deployment": deployment, "instance": f"i{n}"}}


def test_another_spelling_of_the_target_shares_its_hourly_limit(
        limited: tuple[Responder, AutoFixStore]) -> None:
    work, _ = limited
    answers = [work.work(ALERTS, f"17000000{n}.0001", crash(name, n), group=f"g{n}")[0]
               for n, name in enumerate(SPELLINGS)]
    assert "Fixing automatically" in answers[0]
    for answer in answers[1:]:
        assert "Not fixed automatically" in answer and "limit 1" in answer, answer
    audit = work.ports.audit
    held = audit.list(kind="auto_fix_held")  # type: ignore[attr-defined]
    assert {e.data["target"] for e in held} == {
        target_of("restart_deployment", {"namespace": "dev", "deployment": "checkout-api"})}


def test_another_spelling_of_a_demoted_target_is_still_demoted(
        tmp_path: Path, catalogue: Catalogue) -> None:
    cluster = RolloutNeverReady(deployments={("dev", "checkout-api"): 1})
    work, fixer, store = responder(tmp_path, catalogue, cluster, max_per_hour=10)
    try:
        assert "Fixing automatically" in work.work(ALERTS, "1700000000.0001",
                                                   crash("checkout-api", 0), group="g0")[0]
        target = target_of("restart_deployment", {"namespace": "dev",
                                                  "deployment": "checkout-api"})
        eventually(lambda: store.demoted(target), what="the failed fix to demote its target")
        for n, name in enumerate(SPELLINGS[1:], start=1):
            answer = work.work(ALERTS, f"17000000{n}.0001", crash(name, n), group=f"g{n}")[0]
            assert "Fixing automatically" not in answer, answer
    finally:
        fixer.close()
