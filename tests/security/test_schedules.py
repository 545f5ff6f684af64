"""Attacks on schedules: someone else's or a made-up schedule id, a policy that changed
between approval and firing, approvals that no longer count, a critical schedule approved
by its own requester. Over the fake cluster with an injected clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.model import OUT_OF_SCOPE
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.schedules import FiringState, ScheduleState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.schedules.conftest import POLICY, START, Bot, Clock, approved_schedule, make_bot
from tests.schedules.test_firing import THREE_AM


@pytest.fixture
def sched(tmp_path: Path, catalogue: Catalogue) -> Bot:
    """The scheduling engine over the fake cluster (`bot` here is the Slack one)."""
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3},
                          nodes={"node-1": False, "node-2": False})
    return make_bot(tmp_path / "state.db", tmp_path / "audit.db", catalogue, cluster, Clock())


def scale_calls(bot: Bot) -> int:
    return len([c for c in bot.cluster.calls if c[0] == "scale" and not c[1]])


def test_someone_else_may_not_pause_resume_or_delete_a_schedule(sched: Bot) -> None:
    sid = approved_schedule(sched)
    for word in ("pause", "delete", "resume"):
        replies = sched.say("mallory", f"{word} {sid}")
        assert replies[0].kind == "refusal" and "Only the person who asked" in replies[0].text
    schedule = sched.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.ACTIVE
    audit = sched.service.audit
    kinds = [e.kind for e in audit.list(limit=200)]  # type: ignore[attr-defined]
    assert kinds.count("rejected") == 3


def test_a_made_up_schedule_id_changes_nothing(sched: Bot) -> None:
    approved_schedule(sched)
    replies = sched.say("bob", "delete s-deadbeef")
    assert replies[0].kind == "refusal" and "There is no schedule s-deadbeef" in replies[0].text


def test_a_requester_who_lost_the_right_to_ask_does_not_fire(sched: Bot) -> None:
    sid = approved_schedule(sched)
    sched.service.policy = parse_policy({**POLICY, "request": {"read": ["everyone"],
                                                             "write": ["group:sre"],
                                                             "critical": ["group:sre"]}})
    postings = sched.service.fire_schedules(THREE_AM)
    assert "is paused" in postings[0].reply.text and "may no longer ask" in postings[0].reply.text
    assert scale_calls(sched) == 0
    schedule = sched.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED
    assert [f["state"] for f in sched.service.schedules.firings(sid)] == [FiringState.BLOCKED]
    # Nor can they bring it back while the policy says no.
    assert sched.say("alice", f"resume {sid}")[0].kind == "refusal"


def test_an_approver_removed_from_the_approvers_no_longer_counts(sched: Bot) -> None:
    sid = approved_schedule(sched)
    policy = {**POLICY, "identities": {**POLICY["identities"],
                                       "bob": {"chat": ["UBOB"], "kube_user": "bob",
                                               "kube_groups": ["dev"]}}}
    sched.service.policy = parse_policy(policy)
    postings = sched.service.fire_schedules(THREE_AM)
    assert "0 of its approvals still count" in postings[0].reply.text
    assert scale_calls(sched) == 0
    schedule = sched.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED


def test_a_stored_identity_the_policy_does_not_give_the_requester_does_not_fire(
        sched: Bot) -> None:
    sid = approved_schedule(sched)
    sched.service.schedules.update(sid, identity=type(
        sched.service.schedules.get(sid).identity)("bob", ("sre",)))  # type: ignore[union-attr]
    postings = sched.service.fire_schedules(THREE_AM)
    assert "is paused" in postings[0].reply.text and scale_calls(sched) == 0


def test_a_critical_schedule_needs_two_people_other_than_its_requester(sched: Bot) -> None:
    plan = sched.say("bob", 'run drain_node node=node-2 at "2026-03-28 02:00" tz=UTC')[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    own = sched.approve("bob", plan.run.id)
    assert own[0].kind == "refusal" and "own critical request" in own[0].text
    assert sched.service.schedules.live()[-1].state is ScheduleState.PROPOSED
    sched.approve("carol", plan.run.id)
    assert sched.service.schedules.live()[-1].state is ScheduleState.PROPOSED
    assert sched.say("mallory", "schedules")[0].text.count("s-") == 1


def test_a_schedule_request_never_runs_now(sched: Bot) -> None:
    sched.say("alice", 'run scale_deployment deployment=checkout-api namespace=prod replicas=5 '
                     'at "0 3 * * *"')
    sched.say("alice", "every day at 03:00 run scale_deployment deployment=checkout-api "
                     "namespace=prod replicas=6")
    assert scale_calls(sched) == 0


@pytest.mark.parametrize("text", [
    "in 10 minutes, run scale_deployment deployment=checkout-api namespace=prod replicas=5",
    "run scale_deployment deployment=checkout-api namespace=prod replicas=5 (in 10 minutes)",
    "in 2 hours: run scale_deployment deployment=checkout-api namespace=prod replicas=5",
    "run scale_deployment deployment=checkout-api namespace=prod replicas=5 - in 10 minutes",
])
def test_a_delay_set_off_by_punctuation_is_no_change_made_now(sched: Bot, text: str) -> None:
    """An attacker review: a delay in a clause of its own was dropped, and the change,
    planned for now, ran as soon as it was approved."""
    plan = sched.say("alice", text)[0]
    assert plan.kind == "plan" and plan.run is not None and "Scheduled once" in plan.text, \
        plan.text
    sched.approve("bob", plan.run.id)
    assert scale_calls(sched) == 0
    assert [s.state for s in sched.service.schedules.live()] == [ScheduleState.ACTIVE]


@pytest.mark.parametrize("when", ["tomorrow", "next week", "on monday morning",
                                  "over the weekend"])
def test_a_day_without_a_clock_is_no_change_made_now(sched: Bot, when: str) -> None:
    """A third user trial: "restart checkout-api in staging tomorrow" was planned for now and
    ran when approved (the day word was dropped)."""
    reply = sched.say("alice", "run scale_deployment deployment=checkout-api namespace=prod "
                               f"replicas=5 {when}")[0]
    assert "says no exact time" in reply.text, reply.text
    assert sched.service.store.runs_in_thread("C1", "t1") == [] and scale_calls(sched) == 0


def test_an_approver_cannot_resume_someone_elses_schedule_on_their_own_approval(
        sched: Bot) -> None:
    """carol may approve write runbooks, so she may pause alice's schedule; a resume she
    asked for would run as alice on carol's word alone (the change's run names alice as its
    requester, so carol's own approval would count). Only alice may ask to resume it."""
    sid = approved_schedule(sched)
    assert "is paused" in sched.say("carol", f"pause {sid}")[0].text
    replies = sched.say("carol", f"resume {sid}")
    assert replies[0].kind == "refusal", [r.text for r in replies]
    assert "Only alice" in replies[0].text
    for reply in replies:
        if reply.run is not None:  # what the bug did: carol approves her own resume
            sched.approve("carol", reply.run.id)
    schedule = sched.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED
    rejected = [e for e in sched.service.audit.list(kind="rejected")  # type: ignore[attr-defined]
                if e.data.get("what") == "schedule"]
    assert rejected and rejected[-1].data["change"] == "resume"


FREEZE = {"from": "2026-03-26T00:00:00+00:00", "to": "2026-03-27T00:00:00+00:00",
          "reason": "release day"}


def drifted(sched: Bot) -> str:
    """alice's daily scale to 5, approved by bob, drifted at its first firing (someone
    scaled to 4): the id of the new plan's proposed run."""
    approved_schedule(sched)
    sched.cluster.deployments[("prod", "checkout-api")] = 4
    sched.clock.now = THREE_AM
    postings = sched.service.fire_schedules(THREE_AM)
    new = postings[0].reply.run
    assert new is not None and new.state == "proposed", [p.reply.text for p in postings]
    return new.id


def test_approving_a_drifted_firing_in_a_freeze_does_not_run_it(sched: Bot) -> None:
    """The drifted plan is approved once a freeze has begun: it used to run at once (the
    approval skipped the firing's checks)."""
    run_id = drifted(sched)
    sched.service.policy = parse_policy({**POLICY, "freeze": [FREEZE]})
    sched.clock.now = THREE_AM + 600
    replies = sched.approve("bob", run_id)
    assert sched.cluster.deployments[("prod", "checkout-api")] == 4
    assert scale_calls(sched) == 0
    assert any("changes are frozen (release day)" in r.text for r in replies), \
        [r.text for r in replies]
    run = sched.service.store.get(run_id)
    assert run is not None and run.state is not RunState.SUCCEEDED and run.state.terminal
    blocked = [e for e in sched.service.audit.list(kind="schedule_blocked")  # type: ignore[attr-defined]
               if e.data.get("reason") == "freeze"]
    assert blocked and blocked[-1].data.get("run_id") == run_id


def test_approving_a_drifted_firing_of_a_requester_who_lost_the_right_does_not_run_it(
        sched: Bot) -> None:
    run_id = drifted(sched)
    sid = sched.schedule_id()
    sched.service.policy = parse_policy({**POLICY, "request": {"read": ["everyone"],
                                                             "write": ["group:sre"],
                                                             "critical": ["group:sre"]}})
    replies = sched.approve("bob", run_id)
    assert scale_calls(sched) == 0, [r.text for r in replies]
    assert any("may no longer ask" in r.text for r in replies), [r.text for r in replies]
    schedule = sched.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED


def test_approving_a_drifted_firing_of_a_paused_schedule_does_not_run_it(sched: Bot) -> None:
    run_id = drifted(sched)
    sid = sched.schedule_id()
    assert "is paused" in sched.say("alice", f"pause {sid}")[0].text
    replies = sched.approve("bob", run_id)
    assert scale_calls(sched) == 0, [r.text for r in replies]
    assert any("paused" in r.text for r in replies), [r.text for r in replies]


WINDOW = ('run scale_deployment deployment=checkout-api namespace=prod replicas=5 '
          'from "2026-03-27 18:00" until "2026-03-30 08:00" tz=UTC')
WINDOW_START = START + 2 * 86400 + 6 * 3600
WINDOW_END = START + 4 * 86400 + 20 * 3600


def test_a_windows_end_runs_during_a_freeze_that_began_inside_it_and_says_why(
        sched: Bot) -> None:
    """The end of a window returns the target to its approved steady state: a freeze that
    began after the start does not hold the target in the window's state."""
    plan = sched.say("alice", WINDOW)[0]
    assert plan.run is not None
    sched.approve("bob", plan.run.id)
    sid = sched.schedule_id()
    assert sched.service.fire_schedules(WINDOW_START)[0].reply.kind == "result"
    assert sched.cluster.deployments[("prod", "checkout-api")] == 5
    sched.service.policy = parse_policy({**POLICY, "freeze": [
        {"from": "2026-03-29T00:00:00+00:00", "to": "2026-04-02T00:00:00+00:00",
         "reason": "quarter close"}]})
    postings = sched.service.fire_schedules(WINDOW_END)
    assert sched.cluster.deployments[("prod", "checkout-api")] == 3  # the undo ran
    texts = [p.reply.text for p in postings]
    assert any("quarter close" in t and "freeze" in t for t in texts), texts
    assert [f["state"] for f in sched.service.schedules.firings(sid)] == [
        FiringState.RAN, FiringState.RAN]
    fired = [e for e in sched.service.audit.list(kind="schedule_fired")  # type: ignore[attr-defined]
             if e.data.get("phase") == "end"]
    assert fired and fired[-1].data.get("freeze") == "quarter close"


def test_a_windows_end_during_a_freeze_is_still_checked_against_the_policy(
        sched: Bot) -> None:
    plan = sched.say("alice", WINDOW)[0]
    assert plan.run is not None
    sched.approve("bob", plan.run.id)
    assert sched.service.fire_schedules(WINDOW_START)[0].reply.kind == "result"
    sched.service.policy = parse_policy({
        **POLICY, "request": {"read": ["everyone"], "write": ["group:sre"],
                              "critical": ["group:sre"]},
        "freeze": [{"from": "2026-03-29T00:00:00+00:00", "to": "2026-04-02T00:00:00+00:00",
                    "reason": "quarter close"}]})
    postings = sched.service.fire_schedules(WINDOW_END)
    assert sched.cluster.deployments[("prod", "checkout-api")] == 5  # not run
    assert "may no longer ask" in postings[0].reply.text


@pytest.mark.parametrize(("text", "intent"), [
    ("I will cordon node-1 at 6pm", OUT_OF_SCOPE),
    ("bob is going to scale checkout-api in prod to 5 at 11pm", OUT_OF_SCOPE),
    ("heads up: I'll scale checkout-api in prod to 5 myself in 10 minutes", "scale_deployment"),
])
def test_talk_of_a_change_with_a_time_schedules_nothing_and_says_so(
        sched: Bot, text: str, intent: str) -> None:
    """A user trial: each was told how to write a schedule ("I could not tell which runbook
    to schedule"), as if it had asked for one."""
    slots = {k: v for k, v in (("node", "node-1"), ("deployment", "checkout-api"),
                               ("namespace", "prod")) if v in text}
    sched.service.parser = Reading(slots, intent=intent, confidence=0.99)
    (reply,) = sched.say("bob", text)
    assert "reads as talk about" in reply.text and "scheduled nothing" in reply.text, reply.text
    assert sched.service.store.runs_in_thread("C1", "t1") == []
    assert sched.service.schedules.live() == []
