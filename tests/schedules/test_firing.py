"""A schedule from request to firing, over the fake cluster with an injected clock: it is
approved like a plan, each firing is checked again, and fires exactly once."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from chatops.audit import AuditLog
from chatops.model import Message
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.schedules import Change, FiringState, ScheduleState
from tests.conversation.fake_cluster import FakeCluster
from tests.schedules.conftest import (
    POLICY,
    SCALE,
    START,
    Bot,
    Clock,
    approved_schedule,
    make_bot,
)

THREE_AM = START + 15 * 3600
"""Thursday 03:00 UTC, the first firing of `0 3 * * *`."""


def test_a_schedule_is_a_plan_that_approval_activates_without_running(bot: Bot) -> None:
    plan = bot.say("alice", SCALE)[0]
    assert plan.kind == "plan" and plan.run is not None
    assert "Next firings: Thu 2026-03-26 03:00 UTC; Fri 2026-03-27 03:00 UTC; " \
           "Sat 2026-03-28 03:00 UTC" in plan.text
    assert "spec.replicas: 3 -> 5" in plan.text
    replies = bot.approve("bob", plan.run.id)
    assert "Schedule s-" in replies[-1].text and "is active" in replies[-1].text
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3  # nothing ran
    run = bot.service.store.get(plan.run.id)
    assert run is not None and run.state is RunState.SCHEDULED
    schedule = bot.service.schedules.get(bot.schedule_id())
    assert schedule is not None and schedule.state is ScheduleState.ACTIVE
    assert [p.name for p in schedule.approvers] == ["bob"]
    assert schedule.identity.user == "alice"


def test_it_fires_at_its_time_runs_as_the_requester_and_reports(bot: Bot) -> None:
    sid = approved_schedule(bot)
    assert bot.service.fire_schedules(THREE_AM - 1) == []
    postings = bot.service.fire_schedules(THREE_AM + 5)
    assert len(postings) == 1 and postings[0].reply.kind == "result"
    assert postings[0].channel == "C1" and postings[0].thread == "t1"
    assert "Verified" in postings[0].reply.text
    # Nobody typed it at 03:00: the run says whose plan it is (not "explicit command").
    view = postings[0].reply.run
    assert view is not None and view.understood.endswith("(a schedule's plan)")
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5
    run = bot.service.store.runs_in_thread("C1", "t1")[0]
    assert run.state is RunState.SUCCEEDED and run.identity.user == "alice"
    assert [f["state"] for f in bot.service.schedules.firings(sid)] == [FiringState.RAN]
    # Its provenance on the cluster names the schedule and who approved it (a second
    # trial: "asked by bob" only, which read as an unapproved change).
    assert f"Fired by schedule {sid}" in bot.cluster.causes[-1]
    assert "approved by bob" in bot.cluster.causes[-1], bot.cluster.causes
    assert bot.service.fire_schedules(THREE_AM + 6) == []  # the same firing never again


def test_its_own_change_is_no_drift_on_the_next_day_but_someone_elses_is(bot: Bot) -> None:
    sid = approved_schedule(bot)
    assert bot.service.fire_schedules(THREE_AM)[0].reply.kind == "result"
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5
    # 5 -> 5 the next day is the plan its own run left: it runs (a no-op), no new approval.
    assert [p.reply.kind for p in bot.service.fire_schedules(THREE_AM + 86400)] == ["result"]
    bot.cluster.deployments[("prod", "checkout-api")] = 2  # someone else scaled it
    postings = bot.service.fire_schedules(THREE_AM + 2 * 86400)
    assert [p.reply.kind for p in postings] == ["plan", "notice"]
    assert bot.cluster.deployments[("prod", "checkout-api")] == 2
    states = [f["state"] for f in bot.service.schedules.firings(sid)]
    assert states == [FiringState.RAN, FiringState.RAN, FiringState.DRIFTED]


def test_a_drifted_firing_posts_the_new_plan_for_approval_instead_of_running(bot: Bot) -> None:
    sid = approved_schedule(bot)
    bot.cluster.deployments[("prod", "checkout-api")] = 4  # someone scaled it meanwhile
    postings = bot.service.fire_schedules(THREE_AM)
    assert [p.reply.kind for p in postings] == ["plan", "notice"]
    assert "the plan differs from the one approved" in postings[1].reply.text
    assert bot.cluster.deployments[("prod", "checkout-api")] == 4
    new = postings[0].reply.run
    assert new is not None and new.state == "proposed" and "4 -> 5" in postings[0].reply.text
    replies = bot.approve("bob", new.id)
    assert replies[-1].kind == "result" and bot.cluster.deployments[("prod", "checkout-api")] == 5
    # Approving it rebinds the schedule to the plan as that run left the cluster.
    tomorrow = bot.service.fire_schedules(THREE_AM + 86400)
    assert [p.reply.kind for p in tomorrow] == ["result"], [p.reply.text for p in tomorrow]
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and [p.name for p in schedule.approvers] == ["bob"]


def test_a_freeze_window_blocks_the_firing_with_a_message(bot: Bot) -> None:
    sid = approved_schedule(bot)
    bot.service.policy = parse_policy({**POLICY, "freeze": [
        {"from": "2026-03-26T00:00:00+00:00", "to": "2026-03-27T00:00:00+00:00",
         "reason": "release weekend"}]})
    postings = bot.service.fire_schedules(THREE_AM)
    assert "changes are frozen (release weekend)" in postings[0].reply.text
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.ACTIVE  # fires tomorrow
    tomorrow = bot.service.fire_schedules(THREE_AM + 86400)
    assert tomorrow[0].reply.kind == "result"


def test_a_missed_firing_beyond_grace_is_reported_not_run(bot: Bot) -> None:
    sid = approved_schedule(bot)
    postings = bot.service.fire_schedules(THREE_AM + 3 * 86400 + 3600)  # down for days
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3
    assert any("missed its firing" in p.reply.text for p in postings)
    states = [f["state"] for f in bot.service.schedules.firings(sid)]
    assert states == [FiringState.MISSED] * 4
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.next_at == THREE_AM + 4 * 86400


def test_a_missed_firing_within_grace_runs_once(bot: Bot) -> None:
    sid = approved_schedule(bot)
    postings = bot.service.fire_schedules(THREE_AM + 2 * 86400 + 600)  # 10 min late
    assert [p.reply.kind for p in postings] == ["result"]
    states = [f["state"] for f in bot.service.schedules.firings(sid)]
    assert states == [FiringState.MISSED, FiringState.MISSED, FiringState.RAN]


def test_pause_is_an_immediate_brake_and_resume_needs_approval(bot: Bot) -> None:
    sid = approved_schedule(bot)
    assert "is paused" in bot.say("alice", f"pause {sid}")[0].text
    assert bot.service.fire_schedules(THREE_AM) == []
    replies = bot.say("alice", f"resume {sid}")
    assert replies[0].kind == "plan" and replies[0].run is not None
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED
    assert "resumed" in bot.approve("carol", replies[0].run.id)[-1].text
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.ACTIVE
    assert [p.name for p in schedule.approvers] == ["carol"]
    listing = bot.say("alice", "schedules")[0].text
    assert sid in listing and "approved by carol" in listing


def test_delete_of_a_write_schedule_needs_approval(bot: Bot) -> None:
    sid = approved_schedule(bot)
    replies = bot.say("alice", f"delete {sid}")
    assert replies[0].run is not None
    # A user trial: the plan read "scale deployment checkout-api ..." with the scale's diff
    # and its pods: an approver skimming it approved a scale. It says what approving does.
    view = replies[0].run
    assert view.understood.startswith(f"delete schedule {sid} (which would scale"), view.understood
    assert view.changes == () and view.blast_radius == ()
    assert "spec.replicas" not in replies[0].text and "Pods affected" not in replies[0].text
    assert bot.service.schedules.get(sid).state is ScheduleState.ACTIVE  # type: ignore[union-attr]
    bot.approve("bob", replies[0].run.id)
    assert bot.service.schedules.get(sid).state is ScheduleState.DELETED  # type: ignore[union-attr]
    assert bot.service.fire_schedules(THREE_AM) == []


def test_a_window_runs_the_runbook_then_its_undo(bot: Bot) -> None:
    plan = bot.say("alice", 'run scale_deployment deployment=checkout-api namespace=prod '
                            'replicas=5 from "2026-03-27 18:00" until "2026-03-30 08:00" tz=UTC')[0]
    assert plan.run is not None and "At the end of the window: scale_deployment" in plan.text
    bot.approve("bob", plan.run.id)
    start = START + 2 * 86400 + 6 * 3600
    assert bot.service.fire_schedules(start)[0].reply.kind == "result"
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5
    end = START + 4 * 86400 + 20 * 3600  # Monday 08:00 UTC
    sid = bot.service.schedules.live()[-1].id
    assert bot.service.fire_schedules(end)[0].reply.kind == "result"
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3  # the undo put it back
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.DONE


def fire_twice_at_once(first: Bot, second: Bot, now: float) -> int:
    """Two schedulers (two engines on one database: a leader and the one taking over) fire
    the same moment concurrently; how many results they posted in all."""
    results: list[int] = []
    barrier = threading.Barrier(2)

    def fire(bot: Bot) -> None:
        barrier.wait()
        results.append(sum(p.reply.kind == "result" for p in bot.service.fire_schedules(now)))

    threads = [threading.Thread(target=fire, args=(b,)) for b in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sum(results)


def test_a_takeover_fires_once(state_location: Path | str, audit_location: Path | str,
                               catalogue: Catalogue, cluster: FakeCluster) -> None:
    clock = Clock()
    leader = make_bot(state_location, audit_location, catalogue, cluster, clock)
    sid = approved_schedule(leader)
    successor = make_bot(state_location, audit_location, catalogue, cluster, clock)
    assert fire_twice_at_once(leader, successor, THREE_AM) == 1
    assert len([c for c in cluster.calls if c[0] == "scale" and not c[1]]) == 1
    # A restarted process sees the firing taken and never runs it again.
    restarted = make_bot(state_location, audit_location, catalogue, cluster, clock)
    assert restarted.service.fire_schedules(THREE_AM + 30) == []
    assert len(restarted.service.schedules.firings(sid)) == 1


def test_two_schedule_stores_claim_one_firing_once(state_location: Path | str,
                                                   tmp_path: Path) -> None:
    from chatops.schedules import ScheduleStore

    stores = [ScheduleStore(state_location) for _ in range(4)]
    wins: list[bool] = []
    barrier = threading.Barrier(len(stores))

    def claim(store: ScheduleStore) -> None:
        barrier.wait()
        wins.append(store.claim("s-0000abcd", THREE_AM, "run", "me"))

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(wins) == [False, False, False, True]


def test_a_second_resume_or_delete_while_one_waits_says_so(bot: Bot) -> None:
    sid = approved_schedule(bot)
    first = bot.say("alice", f"delete {sid}")[0]
    assert first.kind == "plan" and first.run is not None
    (again,) = bot.say("carol", f"delete {sid}")
    assert again.kind == "notice" and first.run.id in again.text
    assert "already waits for approval" in again.text
    assert len(bot.service.schedules.proposals_of(sid, Change.DELETE)) == 1
    bot.say("alice", f"pause {sid}")
    resume = bot.say("alice", f"resume {sid}")[0]
    assert resume.run is not None
    assert "already waits" in bot.say("alice", f"resume {sid}")[0].text
    # Once the first expires, asking again makes a new request.
    bot.clock.now += 16 * 60
    assert bot.say("alice", f"resume {sid}")[0].kind == "plan"


def test_a_denied_or_expired_proposal_cancels_its_schedule_at_the_next_turn(bot: Bot) -> None:
    denied = bot.say("alice", SCALE)[0]
    assert denied.run is not None
    bot.service.decide(denied.run.id, Message(user="bob", text="deny", channel="C1",
                                              thread="t1"), "deny")
    sid = bot.schedule_id()
    bot.service.fire_schedules(bot.clock.now)
    assert bot.service.schedules.get(sid).state is ScheduleState.CANCELLED  # type: ignore[union-attr]
    waiting = bot.say("alice", SCALE, thread="t2")[0]
    assert waiting.run is not None
    other = bot.service.schedules.live()[-1].id
    bot.service.fire_schedules(bot.clock.now)
    assert bot.service.schedules.get(other).state is ScheduleState.PROPOSED  # type: ignore[union-attr]
    bot.clock.now += 16 * 60  # its proposal expires unanswered
    bot.service.fire_schedules(bot.clock.now)
    assert bot.service.schedules.get(other).state is ScheduleState.CANCELLED  # type: ignore[union-attr]
    events = [e for e in AuditLog(bot.service.store.path.replace("state.db", "audit.db"))
              .list(limit=200) if e.kind == "schedule" and e.data.get("change") == "cancelled"]
    assert len(events) == 2


WINDOW = ('run scale_deployment deployment=checkout-api namespace=prod replicas=5 '
          'from "2026-03-27 18:00" until "2026-03-30 08:00" tz=UTC')
WINDOW_START = START + 2 * 86400 + 6 * 3600
WINDOW_END = START + 4 * 86400 + 20 * 3600


def approve_window(bot: Bot) -> None:
    plan = bot.say("alice", WINDOW)[0]
    assert plan.run is not None
    bot.approve("bob", plan.run.id)


def end_reverses_nothing(bot: Bot, says: str, replicas: int) -> None:
    """The window's end posts one notice saying `says`, and the target keeps `replicas`."""
    postings = bot.service.fire_schedules(WINDOW_END)
    assert [p.reply.kind for p in postings] == ["notice"]
    assert says in postings[0].reply.text, postings[0].reply.text
    assert bot.cluster.deployments[("prod", "checkout-api")] == replicas


def test_a_window_whose_start_failed_its_verification_is_still_ended(bot: Bot) -> None:
    """The start's step took (5 replicas) but its rollout never became ready: the change is
    in the cluster, so the window's end must still put the approved state back, or the
    target stays at the window's setting for good."""
    approve_window(bot)
    bot.cluster.verify_fails = True
    bot.service.fire_schedules(WINDOW_START)
    sid = bot.service.schedules.live()[-1].id
    start = bot.service.schedules.get(sid)
    assert start is not None and start.last_run is not None
    assert bot.service.store.get(start.last_run).state is RunState.FAILED  # type: ignore[union-attr]
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5
    bot.cluster.verify_fails = False
    postings = bot.service.fire_schedules(WINDOW_END)
    assert [p.reply.kind for p in postings] == ["result"]
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3


def test_a_window_whose_start_changed_nothing_has_nothing_to_end(bot: Bot) -> None:
    approve_window(bot)
    bot.cluster.writes_fail = True
    bot.service.fire_schedules(WINDOW_START)
    bot.cluster.writes_fail = False
    bot.cluster.deployments[("prod", "checkout-api")] = 4  # someone else's change since
    end_reverses_nothing(bot, "its start did not run", 4)


def test_a_window_start_rolled_back_by_its_runbook_is_not_reversed_again(
        tmp_path: Path, catalogue: Catalogue, cluster: FakeCluster) -> None:
    """A runbook that rolls back on a failed verification already put the target back
    when the start failed: the end says so and runs nothing."""
    scale = dataclasses.replace(catalogue.runbooks["scale_deployment"],
                                rollback_on_failure=True)
    rolling = Catalogue({**catalogue.runbooks, "scale_deployment": scale})
    bot = make_bot(tmp_path / "state.db", tmp_path / "audit.db", rolling, cluster, Clock())
    approve_window(bot)
    bot.cluster.verify_fails = True
    started = bot.service.fire_schedules(WINDOW_START)
    assert [p.reply.kind for p in started] == ["result", "notice", "result"]
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3  # rolled back at once
    bot.cluster.verify_fails = False
    bot.cluster.deployments[("prod", "checkout-api")] = 4  # someone else's change since
    end_reverses_nothing(bot, "already reversed by r-", 4)


def test_a_window_start_someone_undid_is_not_reversed_again(
        state_location: Path | str, audit_location: Path | str, catalogue: Catalogue,
        cluster: FakeCluster) -> None:
    """An `undo` said in the schedule's thread reversed the start: the end must not put
    back whatever the target became since (a later change of someone else's). On both
    databases: the end finds the undo by the run it reverses."""
    bot = make_bot(state_location, audit_location, catalogue, cluster, Clock())
    approve_window(bot)
    start = bot.service.fire_schedules(WINDOW_START)[0].reply
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5
    thread = bot.service.store.get(start.run.id).thread  # type: ignore[union-attr]
    undo = bot.say("alice", "undo", thread=thread or "t1")
    assert undo[1].run is not None
    bot.service.decide(undo[1].run.id, Message(user="bob", text="approve", channel="C1",
                                               thread=thread), "approve")
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3
    bot.cluster.deployments[("prod", "checkout-api")] = 4  # someone else's change since
    end_reverses_nothing(bot, f"already reversed by {undo[1].run.id}", 4)


def test_a_window_start_that_may_have_acted_is_left_to_a_person(bot: Bot) -> None:
    """The start's step timed out (it may or may not have acted): the end does not guess.
    It says so, and how to reverse it with an approval."""
    approve_window(bot)
    bot.cluster.writes_time_out = True
    bot.service.fire_schedules(WINDOW_START)
    bot.cluster.writes_time_out = False
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5
    end_reverses_nothing(bot, "may have acted or not", 5)


def test_a_delay_from_now_is_a_schedule_that_fires_once_then(bot: Bot) -> None:
    """A user trial: "restart checkout-api in prod in 10 minutes" was planned for now (the
    delay dropped): approved, it would have run at once."""
    plan = bot.say("alice", "run scale_deployment deployment=checkout-api namespace=prod "
                            "replicas=5 in 10 minutes")[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    assert "Scheduled once at" in plan.text and "Wed 2026-03-25 12:10" in plan.text
    bot.approve("bob", plan.run.id)
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3  # nothing ran now
    assert bot.service.fire_schedules(START + 9 * 60) == []
    postings = bot.service.fire_schedules(START + 10 * 60)
    assert [p.reply.kind for p in postings] == ["result"]
    assert bot.cluster.deployments[("prod", "checkout-api")] == 5


def test_approving_a_once_schedule_whose_time_has_passed_activates_nothing(bot: Bot) -> None:
    """A second trial: "restart ... in 2 mins" approved after its time said "Schedule s-...
    is active. Next firings: none left": the requester waited for a restart that never
    came."""
    plan = bot.say("alice", "run scale_deployment deployment=checkout-api namespace=prod "
                            "replicas=5 in 10 minutes")[0]
    assert plan.run is not None
    bot.clock.now = START + 11 * 60
    replies = bot.approve("bob", plan.run.id)
    assert "had passed" in replies[-1].text and "is active" not in replies[-1].text, \
        replies[-1].text
    run = bot.service.store.get(plan.run.id)
    assert run is not None and run.state is RunState.CANCELLED
    assert bot.service.fire_schedules(START + 12 * 60) == []
    assert bot.cluster.deployments[("prod", "checkout-api")] == 3
