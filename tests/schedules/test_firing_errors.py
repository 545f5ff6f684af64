"""A firing stopped by a bug (not a refusal) in a process that stays alive: its claim is
settled `interrupted` at once (the sweep only settles a dead process's claims), it is said
once in the schedule's thread without the error's text, audited, and never run late."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.runbook.catalogue import Catalogue
from chatops.schedules import CLAIM_STALE_AFTER, FiringState
from tests.conversation.fake_cluster import FakeCluster
from tests.schedules.conftest import Bot, Clock, approved_schedule, make_bot
from tests.schedules.test_firing import THREE_AM

SECRET = "internal detail nobody in chat should see"


def blocked_events(audit: Path | str, sid: str) -> list[dict[str, Any]]:
    return [dict(e.data) for e in AuditLog(audit).list(kind="schedule_blocked", limit=1000)
            if e.data.get("schedule_id") == sid]


def scale_runs(cluster: FakeCluster) -> int:
    return len([c for c in cluster.calls if c[0] == "scale" and not c[1]])


@pytest.fixture
def sched(state_location: Path | str, audit_location: Path | str, catalogue: Catalogue,
          cluster: FakeCluster) -> Bot:
    return make_bot(state_location, audit_location, catalogue, cluster, Clock())


def test_a_bug_before_the_run_settles_the_claim_and_says_so_once(
        sched: Bot, audit_location: Path | str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    sid = approved_schedule(sched)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(SECRET)

    # The firing's dry-run hits a bug in the executor (not a refusal, not a ClusterError).
    monkeypatch.setattr(sched.cluster, "run_step", broken)
    with caplog.at_level(logging.ERROR):
        postings = sched.service.fire_schedules(THREE_AM)
    assert [p.reply.kind for p in postings] == ["notice"]
    notice = postings[0]
    assert (notice.channel, notice.thread) == ("C1", "t1")
    assert "internal error (reference " in notice.reply.text
    assert SECRET not in notice.reply.text and "Traceback" not in notice.reply.text
    [firing] = sched.service.schedules.firings(sid)
    assert firing["state"] == FiringState.INTERRUPTED and firing["run_id"] is None
    reference = notice.reply.text.split("reference ")[1][:8]
    assert reference in firing["detail"]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the log
    [event] = blocked_events(audit_location, sid)
    assert event["reason"] == "interrupted" and event["reference"] == reference
    assert SECRET not in str(event)

    monkeypatch.undo()
    # Not run late, not said again: neither by this process nor by the sweep, later on.
    assert sched.service.fire_schedules(THREE_AM + 60) == []
    sched.clock.now = THREE_AM + CLAIM_STALE_AFTER + 60
    assert sched.service.fire_schedules(THREE_AM + CLAIM_STALE_AFTER + 60) == []
    assert scale_runs(sched.cluster) == 0
    assert len(blocked_events(audit_location, sid)) == 1
    # The schedule itself goes on: the next day's firing runs as usual.
    assert [p.reply.kind for p in sched.service.fire_schedules(THREE_AM + 86400)] == ["result"]
    assert sched.cluster.deployments[("prod", "checkout-api")] == 5


def test_a_bug_after_the_run_started_keeps_the_firing_ran_and_says_so(
        sched: Bot, audit_location: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = approved_schedule(sched)
    real = sched.cluster.run_step

    def broken_after_the_run(*args: Any, **kwargs: Any) -> Any:
        # The dry-run that re-binds the schedule after its own run breaks.
        if kwargs.get("dry_run") and scale_runs(sched.cluster):
            raise RuntimeError(SECRET)
        return real(*args, **kwargs)

    monkeypatch.setattr(sched.cluster, "run_step", broken_after_the_run)
    postings = sched.service.fire_schedules(THREE_AM)
    assert [p.reply.kind for p in postings] == ["notice"]
    assert "internal error" in postings[0].reply.text
    assert SECRET not in postings[0].reply.text
    assert sched.cluster.deployments[("prod", "checkout-api")] == 5
    [firing] = sched.service.schedules.firings(sid)
    assert firing["state"] == FiringState.RAN  # its run keeps the outcome it had
    assert blocked_events(audit_location, sid) == []
    assert sched.service.fire_schedules(THREE_AM + 60) == []
    assert scale_runs(sched.cluster) == 1
