"""The runtime every entry point builds: its loops start once, stop once, and are joined;
the last checkpoint is written at stop; a failing loop turn does not end the loop."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from chatops.audit import AuditLog, read_checkpoint_file
from chatops.cli.wiring import build_runtime
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.executor.lease import LeaseElector, LeaseTimings
from chatops.model import OUT_OF_SCOPE, Identity, ParsedIntent
from chatops.policy.rules import parse_policy
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState, RunStore
from chatops.runtime import Intervals
from chatops.settings import Settings
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.plugins.postgres_fixtures import PostgresServer
from tests.slack.conftest import SECRET, eventually
from tests.slack.mock_slack import MockSlack
from tests.slack.processes import FAKE_SERVE, BotProcess, bot_env
from tests.slack.sender import Sender

LOOPS = {"heartbeat", "audit-checkpoints", "alert-pump"}


def settings_for(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, cache_dir=tmp_path, state_db=tmp_path / "state.db",
                    audit_db=tmp_path / "audit.db",
                    audit_checkpoint_file=tmp_path / "checkpoints.jsonl")


def service_for(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return ConversationService(catalogue=catalogue, executor=FakeCluster(),
                               policy=parse_policy(DEMO_POLICY),
                               stores=open_state(tmp_path / "state.db"),
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


def test_only_the_lease_holder_sweeps_orphans_and_a_clean_stop_hands_over(
        tmp_path: Path, catalogue: Catalogue, k8s_admin: Any, namespace: str) -> None:
    """Two replicas on one database and one Lease in the sandbox: a run left running by a
    dead third replica is announced once, by the holder; after the holder stops (releasing
    the Lease) the other one takes over the sweeping."""
    timings = LeaseTimings(duration=6, renew_deadline=4, retry_period=1)
    runtimes, announced = [], []
    for name in ("pod-a", "pod-b"):
        elector = LeaseElector(k8s_admin, namespace, "chatops", name, timings)
        runtime = build_runtime(settings_for(tmp_path),
                                service=service_for(tmp_path, catalogue), alerts=False,
                                intervals=Intervals(heartbeat=0.05, lease=0.05),
                                leadership=elector)
        seen: list[str] = []
        runtime.attach(announce=lambda replies, seen=seen: seen.extend(
            r.text for r in replies))
        runtime.start()  # pod-a creates the Lease at its start, before pod-b exists
        runtimes.append(runtime)
        announced.append(seen)
    a, b = runtimes
    try:
        assert a.leadership.is_leader() and not b.leadership.is_leader()
        first = orphan(RunStore(tmp_path / "state.db"))
        eventually(lambda: any(first in text for text in announced[0]),
                   what="the holder announcing the orphan")
        a.stop()
        eventually(b.leadership.is_leader, what="pod-b taking the released Lease")
        second = orphan(RunStore(tmp_path / "state.db"))
        eventually(lambda: any(second in text for text in announced[1]),
                   what="the new holder announcing the next orphan")
        assert not any(first in text for text in announced[1])
        assert not any(second in text for text in announced[0])
    finally:
        for runtime in runtimes:
            runtime.stop()


def orphan(store: RunStore) -> str:
    """A run left `running` by a replica that no longer exists."""
    run = store.create(state=RunState.RUNNING, runbook="restart_deployment", risk="write",
                       requester="alice", requester_name="alice",
                       identity=Identity("alice", ("dev",)), channel="C0OPS", thread=None,
                       raw_slots={}, plan={"runbook": "restart_deployment", "risk": "write",
                                                "slots": {}, "steps": [], "verify": []},
                       digest="d", needed=1, expires_at=0.0,
                       owner="gone-host:1:abcdef")
    return run.id


def test_not_ready_until_the_model_is_loaded(tmp_path: Path, catalogue: Catalogue) -> None:
    release = threading.Event()

    class SlowModel:
        def parse(self, text: str) -> ParsedIntent:
            release.wait(30)
            return ParsedIntent(OUT_OF_SCOPE, {}, 1.0)

    service = service_for(tmp_path, catalogue)
    service.parser = SlowModel()
    runtime = build_runtime(settings_for(tmp_path), service=service, alerts=False)
    runtime.start()
    try:
        assert not runtime.ready()
        release.set()
        eventually(runtime.ready, what="readiness once the model is loaded")
    finally:
        release.set()
        runtime.stop()


def _probe(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def test_not_ready_while_the_database_is_unreachable_and_ready_again_after(
        tmp_path: Path, own_postgres_server: PostgresServer) -> None:
    """A `serve` process on PostgreSQL: /readyz says 503 while the server is down (the
    replica leaves the Service, /healthz keeps it alive), 200 once it is back."""
    server = own_postgres_server
    server.admin("CREATE DATABASE chatops")
    slack = MockSlack().start()
    bot = BotProcess(FAKE_SERVE, bot_env(tmp_path, slack,
                                         CHATOPS_DATABASE_URL=server.url("chatops")))
    try:
        base = bot.wait_ready().split("/slack/events", 1)[0]
        eventually(lambda: _probe(base, "/readyz") == 200, what="ready on a live database")
        server.halt()
        eventually(lambda: _probe(base, "/readyz") == 503, timeout=30,
                   what="not ready while the database is down")
        assert _probe(base, "/healthz") == 200
        assert any("the database does not answer" in line for line in bot.lines)
        server.resume()
        eventually(lambda: _probe(base, "/readyz") == 200, timeout=30,
                   what="ready once the database is back")
        # And it works again: a request is answered from the database.
        sender = Sender(bot.url, SECRET, slack.base)
        assert sender.command("run scale_deployment deployment=checkout-api namespace=prod "
                              "replicas=3", user="U0ALICE").status == 200
        slack.wait_for("chat.update", "to 3 replicas")
    finally:
        bot.stop()
        slack.stop()
