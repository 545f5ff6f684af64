"""The runtime every entry point builds: its loops start once, stop once, and are joined;
the last checkpoint is written at stop; a failing loop turn does not end the loop."""

from __future__ import annotations

import threading
from pathlib import Path

from chatops.audit import AuditLog, read_checkpoint_file
from chatops.cli.wiring import build_runtime
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunStore
from chatops.runtime import Intervals
from chatops.settings import Settings
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import eventually

LOOPS = {"heartbeat", "audit-checkpoints", "alert-pump"}


def settings_for(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, cache_dir=tmp_path, state_db=tmp_path / "state.db",
                    audit_db=tmp_path / "audit.db",
                    audit_checkpoint_file=tmp_path / "checkpoints.jsonl")


def service_for(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return ConversationService(catalogue=catalogue, executor=FakeCluster(),
                               policy=parse_policy(DEMO_POLICY),
                               store=RunStore(tmp_path / "state.db"),
                               audit=AuditLog(tmp_path / "audit.db"))


def loops_alive() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name in LOOPS and t.is_alive()}


def test_start_and_stop_are_idempotent_and_stop_joins_the_loops(
        tmp_path: Path, catalogue: Catalogue) -> None:
    runtime = build_runtime(settings_for(tmp_path), service=service_for(tmp_path, catalogue),
                            alerts=False, checkpoints=True,
                            intervals=Intervals(heartbeat=0.05, checkpoint=0.05))
    announced: list[list[Reply]] = []
    closed: list[bool] = []
    runtime.attach(announce=announced.append, close=lambda: closed.append(True))
    runtime.start()
    runtime.start()
    assert loops_alive() == {"heartbeat", "audit-checkpoints"}
    eventually(lambda: len(announced) >= 3, what="heartbeats after the start-up recovery")
    runtime.stop()
    runtime.stop()
    assert loops_alive() == set()
    assert closed == [True]
    checkpoint = read_checkpoint_file(tmp_path / "checkpoints.jsonl")
    assert checkpoint is not None


def test_a_failing_turn_is_logged_and_the_loop_goes_on(tmp_path: Path,
                                                       catalogue: Catalogue) -> None:
    runtime = build_runtime(settings_for(tmp_path), service=service_for(tmp_path, catalogue),
                            alerts=False, intervals=Intervals(heartbeat=0.05))
    calls: list[int] = []

    def announce(_replies: list[Reply]) -> None:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("Slack is down")

    runtime.attach(announce=announce)
    runtime.start()
    try:
        eventually(lambda: len(calls) >= 4, what="heartbeats after failing ones")
    finally:
        runtime.stop()
    assert runtime.alerts is None and loops_alive() == set()
