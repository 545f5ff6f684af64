"""Takeover across processes: separate Python processes, each running the scheduler on one
state database (an SQLite file, then PostgreSQL), with one firing due. It fires exactly
once: one firing row, one fired run, one `ScheduleFired` in the audit log, also when the
process that claimed it is killed with SIGKILL in the middle of its run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from chatops.audit import AuditLog
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.schedules import CLAIM_STALE_AFTER, FiringState, ScheduleStore
from tests.conversation.fake_cluster import FakeCluster
from tests.plugins.sandbox_fixtures import wait_for
from tests.schedules.conftest import Clock, approved_schedule, make_bot
from tests.schedules.test_firing import THREE_AM

ROOT = Path(__file__).resolve().parents[2]


def scheduler(state: Path | str, audit: Path | str, now: float, signals: Path,
              mode: str = "fire") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.schedules.scheduler_process", str(state), str(audit),
         repr(now), str(signals), mode],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def released(procs: list[subprocess.Popen[str]], signals: Path) -> None:
    """Let the processes fire once all of them are ready (engines built, tables open)."""
    wait_for(lambda: all((signals / f"ready-{p.pid}").exists() for p in procs), timeout=60,
             interval=0.05, what="the schedulers to be ready")
    (signals / "go").write_text("")


def fired_events(audit: Path | str, sid: str) -> list[object]:
    return [e for e in AuditLog(audit).list(limit=1000) if e.kind == "schedule_fired"
            and e.data.get("schedule_id") == sid]


def schedule_for(state: Path | str, audit: Path | str, catalogue: Catalogue) -> str:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3})
    return approved_schedule(make_bot(state, audit, catalogue, cluster, Clock()))


def test_two_processes_fire_one_due_firing_once(state_location: Path | str,
                                                audit_location: Path | str,
                                                catalogue: Catalogue, tmp_path: Path) -> None:
    sid = schedule_for(state_location, audit_location, catalogue)
    procs = [scheduler(state_location, audit_location, THREE_AM, tmp_path) for _ in range(2)]
    released(procs, tmp_path)
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    assert sorted(int(out) for out, _ in outputs) == [0, 1]  # one of them ran it
    firings = ScheduleStore(state_location).firings(sid)
    assert [(f["due_at"], f["state"]) for f in firings] == [(int(THREE_AM), FiringState.RAN)]
    assert len(fired_events(audit_location, sid)) == 1


def test_a_holder_killed_after_claiming_is_not_fired_again(state_location: Path | str,
                                                           audit_location: Path | str,
                                                           catalogue: Catalogue,
                                                           tmp_path: Path) -> None:
    sid = schedule_for(state_location, audit_location, catalogue)
    first = scheduler(state_location, audit_location, THREE_AM, tmp_path, mode="hang")
    released([first], tmp_path)
    # It claimed the firing, recorded it and started the run: kill it in the write.
    wait_for(lambda: (tmp_path / f"writing-{first.pid}").exists(), timeout=60,
             interval=0.05, what="the first scheduler to start its run")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    store = ScheduleStore(state_location)
    (firing,) = store.firings(sid)
    assert firing["state"] == FiringState.RAN and firing["run_id"]
    # A successor that read the schedule before the dead one advanced it tries the same
    # firing: the claim row stops it.
    schedule = store.get(sid)
    assert schedule is not None and schedule.next_at == THREE_AM + 86400
    assert store.advance(sid, schedule.next_at, THREE_AM)
    (tmp_path / "go").unlink()
    second = scheduler(state_location, audit_location, THREE_AM + 20, tmp_path)
    released([second], tmp_path)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert int(out) == 0
    assert [f["state"] for f in store.firings(sid)] == [FiringState.RAN]
    assert len(fired_events(audit_location, sid)) == 1
    # The run the dead process left is swept as interrupted, not run again.
    bot = make_bot(state_location, audit_location, catalogue,
                   FakeCluster(deployments={("prod", "checkout-api"): 3}), Clock())
    replies = bot.service.recover()
    run = bot.service.store.get(str(firing["run_id"]))
    assert run is not None and run.state is RunState.INTERRUPTED
    assert any(run.id in r.text and "interrupted" in r.text for r in replies)


def interrupted_events(audit: Path | str, sid: str) -> list[object]:
    return [e for e in AuditLog(audit).list(kind="schedule_blocked", limit=1000)
            if e.data.get("schedule_id") == sid and e.data.get("reason") == "interrupted"]


def test_a_firing_claimed_by_a_process_that_died_before_its_run_is_reported_not_run(
        state_location: Path | str, audit_location: Path | str, catalogue: Catalogue,
        tmp_path: Path) -> None:
    """The holder claims the firing and is killed in its dry-run, before any run exists:
    the claim used to stay `claimed` for ever, never run and never reported. The next
    Lease holder's schedules turn settles it as interrupted once the claim is older than
    `CLAIM_STALE_AFTER` and says so in the thread, once; it never runs it late."""
    sid = schedule_for(state_location, audit_location, catalogue)
    first = scheduler(state_location, audit_location, THREE_AM, tmp_path, mode="hang-dry-run")
    released([first], tmp_path)
    wait_for(lambda: (tmp_path / f"dry-run-{first.pid}").exists(), timeout=60,
             interval=0.05, what="the first scheduler to claim and dry-run the firing")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    store = ScheduleStore(state_location)
    (firing,) = store.firings(sid)
    assert firing["state"] == FiringState.CLAIMED and firing["run_id"] is None
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3})
    clock = Clock()
    bot = make_bot(state_location, audit_location, catalogue, cluster, clock)
    # Too early to tell a slow firing from a dead one: left alone.
    clock.now = THREE_AM + 30
    assert bot.service.fire_schedules(THREE_AM + 30) == []
    assert [f["state"] for f in store.firings(sid)] == [FiringState.CLAIMED]
    clock.now = THREE_AM + CLAIM_STALE_AFTER + 20
    postings = bot.service.fire_schedules(clock.now)
    assert len(postings) == 1 and postings[0].thread == "t1"
    text = postings[0].reply.text
    assert "claimed by a replica that stopped before running it" in text
    assert "not run" in text and "by hand" in text
    assert [f["state"] for f in store.firings(sid)] == [FiringState.INTERRUPTED]
    assert store.firings(sid)[0]["run_id"] is None
    assert [c for c in cluster.calls if not c[1]] == []  # nothing ran, late or otherwise
    assert fired_events(audit_location, sid) == []
    assert len(interrupted_events(audit_location, sid)) == 1
    # Reported once.
    clock.now += 60
    assert bot.service.fire_schedules(clock.now) == []
    assert len(interrupted_events(audit_location, sid)) == 1


def test_a_stale_claim_of_a_live_replica_is_left_alone_and_a_swept_one_never_runs(
        state_location: Path | str, audit_location: Path | str,
        catalogue: Catalogue) -> None:
    """Claims written directly: one by a replica on another host that still beats, one by a
    replica that stopped beating. Only the second is settled; its process, should it wake
    up, cannot settle it as run any more (the settle is conditional), so it never runs."""
    sid = schedule_for(state_location, audit_location, catalogue)
    clock = Clock()
    bot = make_bot(state_location, audit_location, catalogue,
                   FakeCluster(deployments={("prod", "checkout-api"): 3}), clock)
    store, workers = bot.service.schedules, bot.service.stores.worker.workers
    clock.now = THREE_AM - 86400 * 2
    workers.heartbeat("elsewhere:1:live")
    workers.heartbeat("elsewhere:2:gone")
    with store.database.tx() as db:
        db.execute("UPDATE workers SET host = 'elsewhere' WHERE id LIKE 'elsewhere:%'")
    assert store.claim(sid, THREE_AM - 86400 * 2, "run", "elsewhere:1:live")
    assert store.claim(sid, THREE_AM - 86400, "run", "elsewhere:2:gone")
    clock.now = THREE_AM - 600
    workers.heartbeat("elsewhere:1:live")  # the live one beats on; the other stopped
    postings = bot.service.fire_schedules(clock.now)
    assert len(postings) == 1 and "stopped before running it" in postings[0].reply.text
    states = {f["due_at"]: f["state"] for f in store.firings(sid)}
    assert states == {int(THREE_AM - 86400 * 2): FiringState.CLAIMED,
                      int(THREE_AM - 86400): FiringState.INTERRUPTED}
    assert not store.settle(sid, THREE_AM - 86400, FiringState.RAN, run_id="r-late")
    assert store.firings(sid)[1]["state"] == FiringState.INTERRUPTED
