"""Schedules through the console, against the sandbox cluster.

A schedule is asked for in plain words or the explicit grammar, shown with its next firings,
approved by someone else, and then fired by calling the scheduler with a chosen `now` (the
clock is injected; nothing sleeps until 03:00). Each firing is checked again (policy, freeze,
a fresh dry-run) and runs as the requester on the real cluster, or says why it did not.
"""

from __future__ import annotations

import io
import itertools
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from chatops.audit import AuditLog
from chatops.console import Shell
from chatops.demo import DEMO_POLICY
from chatops.executor import KubeExecutor
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import load_catalogue
from chatops.runs import RunState
from chatops.schedules import FiringState, Schedule, ScheduleState
from runbooks import CATALOGUE_DIR
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s

DAY = 86400.0


def shell(world: World, user: str = "alice", *, model: bool = False) -> Shell:
    parser = None
    if model:
        from intents import ModelParser, default_model_dir

        parser = ModelParser(default_model_dir())
    return Shell(world.service(parser=parser), user=user, out=io.StringIO())


def approve(sh: Shell, approver: str, run_id: str) -> list[Any]:
    requester = sh.user
    sh.say(f":as {approver}")
    replies = sh.say(f"approve {run_id}")
    sh.say(f":as {requester}")
    return replies


def scheduled(sh: Shell, text: str, approver: str = "bob") -> Schedule:
    """Ask for a schedule as the shell's user and have `approver` activate it."""
    plan = sh.say(text)[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    assert "Next firings:" in plan.text and "Approving activates the schedule" in plan.text
    replies = approve(sh, approver, plan.run.id)
    assert "is active" in replies[-1].text, [r.text for r in replies]
    run = sh.service.store.get(plan.run.id)
    assert run is not None and run.state is RunState.SCHEDULED
    schedule = sh.service.schedules.live()[-1]
    assert schedule.state is ScheduleState.ACTIVE and schedule.next_at is not None
    return schedule


def restarted_at(world: World, role: str, deployment: str) -> str | None:
    dep: Any = client.AppsV1Api(world.api).read_namespaced_deployment(deployment,
                                                                      world.ns[role])
    annotations = dep.spec.template.metadata.annotations or {}
    return annotations.get("kubectl.kubernetes.io/restartedAt")


def iso(instant: float) -> str:
    return datetime.fromtimestamp(instant, UTC).isoformat()


def test_plain_words_schedule_fires_rechecks_and_runs_as_the_requester(world: World) -> None:
    dev = world.ns["dev"]
    sh = shell(world, model=True)
    # The cluster's side of the clock too: a restart stamps the time it runs at (to the
    # second), and each look at the clock moves it on, as a real rollout takes a while.
    moment = [time.time()]
    ticks = itertools.count()
    sh.service.executor = KubeExecutor(
        world.api, poll_interval=0.2,
        now=lambda: datetime.fromtimestamp(moment[0] + next(ticks), UTC))
    # The model may miss a namespace of unusual letters (its accuracy is measured in
    # BENCHMARKS.md); a schedule then asks for the whole request again, and a
    # person says it another way. Nothing is stored for the refused attempt.
    for said in (f"every day at 03:00 restart checkout-api in {dev}",
                 f"restart checkout-api -n {dev} every day at 03:00"):
        plan = sh.say(said)[0]
        if plan.kind == "plan":
            break
        assert plan.kind == "refusal" and "name every value" in plan.text, plan.text
    assert plan.kind == "plan" and plan.run is not None, plan.text
    assert plan.run.runbook == "restart_deployment"
    assert plan.text.count(" 03:00 UTC") == 3  # the next three firings, in the default zone
    assert restarted_at(world, "dev", "checkout-api") is None  # nothing ran
    # alice may not approve (nor activate) her own write schedule.
    assert "may not approve" in sh.say(f"approve {plan.run.id}")[0].text
    assert "is active" in approve(sh, "bob", plan.run.id)[-1].text
    schedule = sh.service.schedules.live()[-1]
    assert schedule.next_at is not None
    assert datetime.fromtimestamp(schedule.next_at, UTC).strftime("%H:%M") == "03:00"
    assert restarted_at(world, "dev", "checkout-api") is None  # activating ran nothing

    assert sh.service.fire_schedules(schedule.next_at - 1) == []  # not yet due
    moment[0] = schedule.next_at
    postings = sh.service.fire_schedules(schedule.next_at)
    assert [p.reply.kind for p in postings] == ["result"], [p.reply.text for p in postings]
    posting = postings[0]
    assert (posting.channel, posting.thread) == ("console", "console")  # its own thread
    assert posting.reply.run is not None and posting.reply.run.state == "succeeded"
    assert "Verified" in posting.reply.text and f"Fired by schedule {schedule.id}" \
        in posting.reply.text and "approved by bob" in posting.reply.text
    assert restarted_at(world, "dev", "checkout-api") is not None  # the cluster changed
    run = sh.service.store.get(posting.reply.run.id)
    assert run is not None and run.identity.user == "alice" and run.preview  # dry-run again
    firings = sh.service.schedules.firings(schedule.id)
    assert [(f["state"], f["run_id"]) for f in firings] == [(FiringState.RAN, run.id)]
    kinds = [e.kind for e in AuditLog(world.audit_db).list(limit=100, run_id=run.id)]
    assert "schedule_fired" in kinds and "result" in kinds
    assert sh.service.fire_schedules(schedule.next_at + 30) == []  # never the same one twice
    again = sh.service.schedules.get(schedule.id)
    assert again is not None and again.next_at == schedule.next_at + DAY
    # Its own restart (a new timestamp) is not drift: the next day restarts again.
    stamp = restarted_at(world, "dev", "checkout-api")
    moment[0] = schedule.next_at + DAY
    postings = sh.service.fire_schedules(schedule.next_at + DAY)
    assert [p.reply.kind for p in postings] == ["result"], [p.reply.text for p in postings]
    assert "Verified" in postings[0].reply.text
    assert restarted_at(world, "dev", "checkout-api") not in (None, stamp)


def test_explicit_grammar_and_a_drifted_firing_posts_a_new_plan(world: World) -> None:
    dev = world.ns["dev"]
    sh = shell(world)
    schedule = scheduled(sh, f"run scale_deployment deployment=checkout-api namespace={dev} "
                             'replicas=3 at "30 2 * * *" tz=Europe/Berlin')
    assert schedule.timing.expression == "30 2 * * *" and schedule.timing.zone == "Europe/Berlin"
    assert world.replicas("dev", "checkout-api") == 1
    # Someone scales it between the approval and the firing: the dry-run now differs.
    client.AppsV1Api(world.api).patch_namespaced_deployment_scale(
        "checkout-api", dev, {"spec": {"replicas": 2}})
    assert schedule.next_at is not None
    postings = sh.service.fire_schedules(schedule.next_at)
    assert [p.reply.kind for p in postings] == ["plan", "notice"]
    assert "the plan differs from the one approved" in postings[1].reply.text
    assert "spec.replicas: 2 -> 3" in postings[0].reply.text
    assert world.replicas("dev", "checkout-api") == 2  # nothing ran
    new = postings[0].reply.run
    assert new is not None and new.state == "proposed"
    (firing,) = sh.service.schedules.firings(schedule.id)
    assert firing["state"] == FiringState.DRIFTED and firing["run_id"] == new.id
    result = approve(sh, "erin", new.id)[-1]
    assert result.kind == "result" and result.run is not None and result.run.state == "succeeded"
    assert world.replicas("dev", "checkout-api") == 3
    rebound = sh.service.schedules.get(schedule.id)
    assert rebound is not None and [p.name for p in rebound.approvers] == ["erin"]
    # The next firing matches the new binding (3 -> 3 is no drift) and runs.
    tomorrow = sh.service.fire_schedules(schedule.next_at + DAY)
    assert [p.reply.kind for p in tomorrow] == ["result"], [p.reply.text for p in tomorrow]


def test_freeze_policy_recheck_missed_firings_and_managing_a_schedule(world: World) -> None:
    dev = world.ns["dev"]
    sh = shell(world)
    schedule = scheduled(sh, f"run scale_deployment deployment=checkout-api namespace={dev} "
                             'replicas=2 at "0 3 * * *" tz=UTC')
    first = schedule.next_at
    assert first is not None

    # A freeze window around the first firing blocks it with a message; the next one runs.
    sh.service.policy = parse_policy({**DEMO_POLICY, "freeze": [
        {"from": iso(first - 3600), "to": iso(first + 3600), "reason": "release weekend"}]})
    (frozen,) = sh.service.fire_schedules(first)
    assert frozen.reply.kind == "notice" and "changes are frozen (release weekend)" \
        in frozen.reply.text
    assert world.replicas("dev", "checkout-api") == 1
    assert sh.service.schedules.get(schedule.id).state is ScheduleState.ACTIVE  # type: ignore[union-attr]

    # The policy is read again at each firing: bob no longer an approver pauses it.
    no_bob = {**DEMO_POLICY, "identities": {**DEMO_POLICY["identities"], "bob": {
        **DEMO_POLICY["identities"]["bob"], "kube_groups": ["dev"]}}}
    sh.service.policy = parse_policy(no_bob)
    (blocked,) = sh.service.fire_schedules(first + DAY)
    assert "is paused" in blocked.reply.text and "approvals still count" in blocked.reply.text
    assert world.replicas("dev", "checkout-api") == 1
    sh.service.policy = parse_policy(DEMO_POLICY)

    listing = sh.say("schedules")[0].text
    assert f"`{schedule.id}` paused" in listing and "runs as alice, approved by bob" in listing
    resume = sh.say(f"resume {schedule.id}")[0]
    assert resume.kind == "plan" and resume.run is not None
    assert "resumed" in approve(sh, "carol", resume.run.id)[-1].text

    # Down for days: firings past the grace period are reported, not run.
    resumed = sh.service.schedules.get(schedule.id)
    assert resumed is not None and resumed.next_at is not None
    late = resumed.next_at + 2 * DAY + 3600
    postings = sh.service.fire_schedules(late)
    assert any("missed its firing" in p.reply.text for p in postings)
    assert not any(p.reply.kind == "result" for p in postings)
    assert world.replicas("dev", "checkout-api") == 1
    states = [f["state"] for f in sh.service.schedules.firings(schedule.id)]
    assert states[:2] == [FiringState.BLOCKED, FiringState.BLOCKED]
    assert set(states[2:]) == {FiringState.MISSED}

    # pause is immediate; a paused schedule does not fire; delete needs approval.
    assert "is paused by alice" in sh.say(f"pause {schedule.id}")[0].text
    paused = sh.service.schedules.get(schedule.id)
    assert paused is not None and paused.next_at is not None
    assert sh.service.fire_schedules(paused.next_at) == []
    delete = sh.say(f"delete {schedule.id}")[0]
    assert delete.run is not None
    assert "is deleted" in approve(sh, "bob", delete.run.id)[-1].text
    assert sh.service.schedules.get(schedule.id).state is ScheduleState.DELETED  # type: ignore[union-attr]
    assert sh.say("schedules")[0].text.startswith("No schedules here.")
    assert world.replicas("dev", "checkout-api") == 1


def catalogue_with(tmp: Path, edits: dict[str, dict[str, str]]) -> Any:
    """The packaged catalogue with some runbooks edited as an operator would (text
    replacements in their YAML): shorter timeouts, `rollback_on_failure`."""
    folder = tmp / "runbooks"
    folder.mkdir()
    for source in CATALOGUE_DIR.glob("*.yaml"):
        text = source.read_text()
        for old, new in edits.get(source.stem, {}).items():
            assert old in text, (source.name, old)
            text = text.replace(old, new)
        (folder / source.name).write_text(text)
    return load_catalogue(folder)


def image_of(world: World, role: str, deployment: str) -> str:
    dep: Any = client.AppsV1Api(world.api).read_namespaced_deployment(deployment,
                                                                      world.ns[role])
    return str(dep.spec.template.spec.containers[0].image)


def test_a_failed_verification_rolls_back_when_the_runbook_says_so(world: World,
                                                                   tmp_path: Path) -> None:
    dev = world.ns["dev"]
    sh = shell(world)
    sh.service.catalogue = catalogue_with(tmp_path, {"set_image": {
        "      timeout_seconds: 300\n": "      timeout_seconds: 6\n",
        "explain:": "rollback_on_failure: true\nexplain:"}})
    assert sh.service.catalogue.get("set_image").rollback_on_failure
    assert image_of(world, "dev", "checkout-api") == "nginx:1.25"
    schedule = scheduled(sh, f"run set_image deployment=checkout-api namespace={dev} "
                             'image=nginx:bad at "0 3 * * *" tz=UTC')
    assert schedule.next_at is not None
    # The new image never pulls (the sandbox fails every tag `bad`), so the rollout never completes and verification fails.
    postings = sh.service.fire_schedules(schedule.next_at)
    kinds = [p.reply.kind for p in postings]
    assert kinds == ["result", "notice", "result"], [p.reply.text for p in postings]
    failed, notice, undo = (p.reply for p in postings)
    assert failed.run is not None and failed.run.state == "failed", failed.text
    assert f"{failed.run.id} failed its verification; rolling back with set_image" \
        in notice.text
    assert undo.run is not None and undo.run.state == "succeeded", undo.text
    assert all((p.channel, p.thread) == ("console", "console") for p in postings)
    assert image_of(world, "dev", "checkout-api") == "nginx:1.25"
    rolled = sh.service.store.get(undo.run.id)
    assert rolled is not None and rolled.undo_of == failed.run.id
    assert rolled.identity.user == "alice"
    phases = [str(e.data.get("phase")) for e in AuditLog(world.audit_db).list(limit=500)
              if e.kind == "schedule_fired"]
    assert sorted(phases) == ["rollback", "run"]


def test_a_scheduled_drain_blocked_by_a_pod_disruption_budget_reports_it(
        world: World, tmp_path: Path) -> None:
    prod = world.ns["prod"]
    sh = shell(world, "bob")
    sh.service.catalogue = catalogue_with(tmp_path, {"drain_node": {
        "      timeout_seconds: 300\n": "      timeout_seconds: 3\n"}})
    policy: Any = client.PolicyV1Api(world.api)
    policy.create_namespaced_pod_disruption_budget(prod, client.V1PodDisruptionBudget(
        metadata=client.V1ObjectMeta(name="checkout-api"),
        spec=client.V1PodDisruptionBudgetSpec(
            min_available=3, selector=client.V1LabelSelector(
                match_labels={"app": "checkout-api"}))))
    wait_for(lambda: (policy.read_namespaced_pod_disruption_budget(
        "checkout-api", prod).status.observed_generation or 0) >= 1, what="PDB observed")
    core: Any = client.CoreV1Api(world.api)
    node = core.list_namespaced_pod(prod, label_selector="app=checkout-api").items[0] \
        .spec.node_name
    try:
        plan = sh.say(f'run drain_node node={node} at "0 3 * * *" tz=UTC')[0]
        assert plan.kind == "plan" and plan.run is not None, plan.text
        assert "Approvals 1 of 2" in approve(sh, "carol", plan.run.id)[0].text
        assert "is active" in approve(sh, "erin", plan.run.id)[-1].text
        schedule = sh.service.schedules.live()[-1]
        assert schedule.next_at is not None
        (result,) = sh.service.fire_schedules(schedule.next_at)
        assert result.reply.kind == "result" and result.reply.run is not None
        assert result.reply.run.state == "failed"
        assert f"drain of node {node} did not finish within 3 s" in result.reply.text
        assert "blocked by a PodDisruptionBudget" in result.reply.text
        assert "stays cordoned" in result.reply.text
        assert len(core.list_namespaced_pod(prod, label_selector="app=checkout-api")
                   .items) >= 3  # the budget held
    finally:
        core.patch_node(node, {"spec": {"unschedulable": None}})
