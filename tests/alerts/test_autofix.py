"""Automatic fixes off the cluster (an in-memory one): a failed run demotes its target and
says how to lift it, `chatops autofix list` / `restore` lift it (audited, with who did it),
a fix whose process died between `approved` and `running` is interrupted by the sweep and
never runs, and the `chatops_auto_fixes` counter moves with each outcome. The same flows
against a real API server are in tests/watches/test_watch_sandbox.py. The autofix store
runs on SQLite and on PostgreSQL (`state_location`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatops.alerts import AlertStore
from chatops.alerts.autofix import AutoFixer, AutoFixStore, target_of
from chatops.alerts.rules import AlertRule, AlertRules, parse_rules
from chatops.audit import AuditLog
from chatops.cli.main import cli
from chatops.cli.wiring import alert_ports
from chatops.conversation import ConversationService
from chatops.metrics import METRICS
from chatops.model import Identity, Step
from chatops.policy.rules import parse_policy
from chatops.ports import Progress
from chatops.results import VerifyResult
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState, RunStore
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import POLICY
from tests.slack.conftest import eventually

ALERTS = "C0ALERTS"
RULE = "crash-looping pod in dev"
AUTO = Identity("chatops:auto-dev", ("chatops:auto",))
SLOTS = {"namespace": "dev", "deployment": "checkout-api"}
TARGET = target_of("restart_deployment", SLOTS)


class RolloutNeverReady(FakeCluster):
    """Every verification fails (a rollout that never becomes available)."""

    def verify(self, step: Step, identity: Identity | None, *,
               progress: Progress | None = None) -> VerifyResult:
        return VerifyResult(step.verb, False, "the rollout never became available", 0.0)


def auto_rules(catalogue: Catalogue) -> AlertRules:
    return parse_rules({"channels": [ALERTS], "rules": [{
        "name": RULE, "match": {"alertname": "KubePodCrashLooping"},
        "remediation": "restart_deployment", "auto": True, "namespaces": ["dev"],
        "as": {"user": AUTO.user, "groups": list(AUTO.groups)}}]}, catalogue)


@dataclass
class Parts:
    service: ConversationService
    cluster: FakeCluster
    fixer: AutoFixer
    store: AutoFixStore
    outbox: AlertStore
    rule: AlertRule
    state: Path | str
    audit: Path | str


def build(state: Path | str, audit: Path | str, catalogue: Catalogue,
          cluster: FakeCluster) -> Parts:
    service = ConversationService(catalogue=catalogue, executor=cluster,
                                  policy=parse_policy(POLICY), stores=open_state(state),
                                  audit=AuditLog(audit))
    outbox = AlertStore(service.store.database)
    store = AutoFixStore(service.store.database)
    [rule] = auto_rules(catalogue).rules
    return Parts(service, cluster, AutoFixer(alert_ports(service), store, outbox), store, outbox, rule,
                 state, audit)


@pytest.fixture
def failing(state_location: Path | str, audit_location: Path | str,
            catalogue: Catalogue) -> Iterator[Parts]:
    parts = build(state_location, audit_location, catalogue,
                  RolloutNeverReady(deployments={("dev", "checkout-api"): 1}))
    yield parts
    parts.fixer.close()


def fixes(outcome: str) -> float:
    return METRICS.registry.get_sample_value("chatops_auto_fixes_total",
                                             {"outcome": outcome}) or 0.0


def posts(outbox: AlertStore) -> list[str]:
    rows = outbox.database.conn().execute("SELECT body FROM alert_outbox ORDER BY id")
    return [json.loads(r["body"]).get("text", "") for r in rows]


def attempt(parts: Parts, key: str) -> str:
    assert parts.rule.auto is not None
    return parts.fixer.attempt(parts.rule, parts.rule.auto, SLOTS, channel=ALERTS,
                               thread="1700000000.000100", group="g1", key=key).text


def chatops(parts: Parts, *args: str, **env: str) -> tuple[int, str]:
    # With a URL every store is in that one database; else the two SQLite files.
    where = ({"CHATOPS_DATABASE_URL": parts.state} if isinstance(parts.state, str) else
             {"CHATOPS_DATABASE_URL": None, "CHATOPS_STATE_DB": str(parts.state),
              "CHATOPS_AUDIT_DB": str(parts.audit)})
    runner = CliRunner(env={"CHATOPS_PROFILE": "none", **where, **env})
    result = runner.invoke(cli, ["autofix", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_a_demotion_says_how_to_lift_it_and_the_cli_lifts_it_audited(failing: Parts) -> None:
    before = {o: fixes(o) for o in ("ran", "held", "failed", "demoted")}
    assert "Fixing automatically" in attempt(failing, "k1")
    eventually(lambda: failing.store.demoted(TARGET), what="the failed fix to demote")
    failed_run = failing.store.demoted(TARGET)
    result = eventually(lambda: [t for t in posts(failing.outbox) if "failed" in t],
                        what="the result in the thread")[0]  # type: ignore[index]
    lift = f'`chatops autofix restore "{RULE}" "{TARGET}"`'
    assert "off for this target" in result and lift in result
    held = attempt(failing, "k2")
    assert "Not fixed automatically" in held and lift in held
    assert {o: fixes(o) - before[o] for o in before} == {
        "ran": 1, "held": 1, "failed": 1, "demoted": 1}

    code, out = chatops(failing, "list")
    assert code == 0 and RULE in out and TARGET in out and str(failed_run) in out
    # Another rule, or another target, lifts nothing.
    code, out = chatops(failing, "restore", "another rule", TARGET, "--actor", "alice")
    assert code == 1 and "no demotion of rule 'another rule'" in out
    assert failing.store.demoted(TARGET) == failed_run
    # TARGET as `list` prints it, or as words in any order: the same target.
    code, out = chatops(failing, "restore", RULE, "restart_deployment",
                        "namespace=dev", "deployment=checkout-api", LOGNAME="carol")
    assert code == 0, out
    assert "restored" in out and "lifted by carol" in out
    assert failing.store.demoted(TARGET) is None
    [record] = AuditLog(failing.audit).list(kind="auto_fix_restored")
    assert record.actor == "carol" and record.run_id == failed_run
    assert record.data == {"rule": RULE, "target": TARGET, "run": failed_run, "via": "cli"}
    code, out = chatops(failing, "restore", RULE, TARGET, "--actor", "alice")
    assert code == 1  # nothing left to lift
    code, out = chatops(failing, "list")
    assert code == 0 and "No demoted automatic fixes" in out
    # Lifted: the next alert on the target is fixed automatically again.
    assert "Fixing automatically" in attempt(failing, "k3")


def test_an_automatic_fix_whose_process_died_before_it_ran_is_interrupted_once(
        state_location: Path | str, audit_location: Path | str, catalogue: Catalogue) -> None:
    parts = build(state_location, audit_location, catalogue,
                  FakeCluster(deployments={("dev", "checkout-api"): 1}))
    run_id, replies = parts.service.start_for_alert(
        "restart_deployment", SLOTS, identity=AUTO, channel=ALERTS,
        thread="1700000000.000100", actor="chatops:auto")
    assert run_id is not None, replies
    run = parts.service.store.get(run_id)
    assert run is not None and run.state is RunState.APPROVED
    assert run.owner == parts.service.stores.worker.worker_id
    # Its plan says whose it is: an alert rule's, not a command someone typed.
    assert parts.service.view(run_id).understood.endswith("(an alert rule's automatic fix)")
    # While the process that approved it lives, the sweep (of any replica) leaves it alone.
    assert parts.service.recover() == []
    assert RunStore(parts.state).interrupt_orphans() == []
    # Killed between `approved` and `running`: its owner never beats again.
    parts.service.store.update(run_id, owner="gone-host:4242:deadbeef")
    [reply] = parts.service.recover()
    assert "interrupted before it started" in reply.text and "Nothing of it ran" in reply.text
    assert reply.run is not None and reply.run.id == run_id
    assert parts.service.store.get(run_id).state is RunState.INTERRUPTED  # type: ignore[union-attr]
    [event] = AuditLog(parts.audit).list(run_id=run_id, kind="interrupted")
    assert "before it started" in event.data["reason"]
    assert parts.service.recover() == []  # exactly once
    # The queued job, were its worker still to take it, runs nothing and demotes nothing.
    assert parts.service.execute_approved(run_id) == []
    assert parts.fixer.finish(run_id, parts.rule, TARGET, ALERTS, "g1") is \
        RunState.INTERRUPTED
    assert not [c for c in parts.cluster.calls if c[0] == "rollout_restart" and not c[1]]
    assert parts.store.demoted(TARGET) is None


@pytest.mark.parametrize("label", ["checkout", "checkout-ap", "api"])
def test_an_alert_naming_no_object_exactly_fixes_nothing(
        state_location: Path | str, audit_location: Path | str, catalogue: Catalogue,
        label: str) -> None:
    """An alert's labels name objects exactly. One that names nothing (the object gone, a
    mislabelled rule) must not be completed to a similar name: an automatic fix runs with
    nobody approving, so it would restart a deployment no alert was about."""
    cluster = FakeCluster(deployments={("dev", "checkout-api"): 1})
    parts = build(state_location, audit_location, catalogue, cluster)
    try:
        assert parts.rule.auto is not None
        text = parts.fixer.attempt(parts.rule, parts.rule.auto,
                                   {"namespace": "dev", "deployment": label}, channel=ALERTS,
                                   thread="1700000000.000100", group="g1", key="k1").text
        assert f"no deployment {label} in namespace dev" in text, text
        assert not [c for c in cluster.calls if c[0] == "restart"]
        assert parts.service.store.runs_in_thread(ALERTS, "1700000000.000100") == []
    finally:
        parts.fixer.close()
