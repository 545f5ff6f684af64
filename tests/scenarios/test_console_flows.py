"""The conversation engine through the console surface, against the sandbox cluster.

Each test gets the demo world (chatops.demo) under its own namespace prefix, and talks to it
as alice, bob, carol, erin or mallory through `Shell`, as a person at `chatops shell` would.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from chatops.audit import AuditLog
from chatops.console import Shell
from chatops.demo import DEMO_POLICY
from chatops.runs import RunState
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def shell(world: World, user: str = "alice") -> tuple[Shell, io.StringIO]:
    out = io.StringIO()
    return Shell(world.service(), user=user, out=out), out


def last_run(sh: Shell) -> str:
    return sh.service.store.runs_in_thread("console", "console")[0].id


def test_read_only_request_runs_at_once(world: World) -> None:
    sh, out = shell(world)
    sh.say(f"run show_pods namespace={world.ns['prod']} deployment=checkout-api")
    text = out.getvalue()
    assert text.count("checkout-api-") == 3 and "Running" in text


def test_slot_filling_cancel_and_follow_up(world: World) -> None:
    sh, _out = shell(world)
    replies = sh.say("run deployment_status deployment=checkout-api")
    assert replies[0].kind == "question" and replies[0].text == "In which namespace is it?"
    replies = sh.say(world.ns["prod"])
    assert f"deployment checkout-api in {world.ns['prod']}: 3/3 ready" in replies[0].text
    replies = sh.say(f"and in {world.ns['staging']}?")
    assert f"deployment checkout-api in {world.ns['staging']}: 2/2 ready" in replies[0].text
    sh.say("run scale_deployment deployment=checkout-api replicas=2")
    assert sh.say("cancel")[0].text == "Cancelled my question to you; nothing was changed."


def test_a_follow_up_naming_what_the_namespace_lacks_says_where_it_is(world: World) -> None:
    prod, staging = world.ns["prod"], world.ns["staging"]
    sh, _out = shell(world, "bob")
    sh.say(f"run deployment_status deployment=checkout-api namespace={staging}")
    (reply,) = sh.say("same for calc-app")
    assert reply.kind == "refusal", reply.text
    assert reply.text.startswith(f"{staging} has no deployment calc-app;"), reply.text
    # Where bob can see one (other tests' worlds may be listed too while they are torn down).
    assert prod in reply.text.split(";", 1)[1] and "say `same for calc-app in " in reply.text
    (reply,) = sh.say(f"same for calc-app in {prod}")
    assert f"deployment calc-app in {prod}:" in reply.text, reply.text


def test_ambiguity_becomes_a_question(world: World) -> None:
    sh, _ = shell(world, "bob")
    replies = sh.say(f"run deployment_status deployment=c namespace={world.ns['prod']}")
    assert replies[0].kind == "question"
    assert set(replies[0].choices) == {"calc-app", "checkout-api"}
    replies = sh.say("calc-app")
    assert "deployment calc-app" in replies[0].text


@pytest.mark.parametrize("command", [
    "run suspend_cronjob cronjob=nightly-report",
    "run describe_pod pod=calc-app",  # a pod by its workload's name
    "run restart_deployment deployment=calc-app",
])
def test_the_namespace_question_offers_only_namespaces_that_have_the_object(
        world: World, command: str) -> None:
    from kubernetes import client

    pods = client.CoreV1Api(world.api).list_namespaced_pod(world.ns["prod"]).items
    calc = next(p.metadata.name for p in pods if p.metadata.name.startswith("calc-app-"))
    sh, _ = shell(world, "bob")
    (question,) = sh.say(command.format(pod=calc))
    assert question.kind == "question" and question.text.startswith("In which namespace")
    assert question.choices == (world.ns["prod"],)


def test_a_read_of_a_name_only_one_namespace_has_is_answered_there(world: World) -> None:
    """Since session 40 (a user trial: asked, with that one namespace as the choice)."""
    from kubernetes import client

    pods = client.CoreV1Api(world.api).list_namespaced_pod(world.ns["prod"]).items
    calc = next(p.metadata.name for p in pods if p.metadata.name.startswith("calc-app-"))
    sh, _ = shell(world, "bob")
    replies = sh.say(f"run describe_pod pod={calc}")
    prod = world.ns["prod"]
    assert replies[0].kind == "answer", replies
    assert f"(in {prod}: the one namespace with pod {calc})" in replies[0].text


@pytest.mark.parametrize("command", [
    "run delete_pod pod={near} namespace={prod}",
    "run cordon_node node=node-9",
])
def test_a_name_that_is_not_there_is_said_so_never_taken_for_a_near_one(
        world: World, command: str) -> None:
    from kubernetes import client

    prod = world.ns["prod"]
    pods = client.CoreV1Api(world.api).list_namespaced_pod(prod).items
    real = next(p.metadata.name for p in pods if p.metadata.name.startswith("web-frontend-"))
    near = real[:-1] + ("x" if real[-1] != "x" else "y")  # the one pod of its deployment
    sh, _ = shell(world, "bob")
    (reply,) = sh.say(command.format(near=near, prod=prod))
    # Since session 40 nothing is offered for either: another node (node-1 and node-3 were),
    # or another pod of the deployment, often the one that replaced the pod named.
    assert reply.kind == "refusal" and "not found" in reply.text, reply.text
    assert "Did you mean" not in reply.text
    assert sh.service.store.runs_in_thread("console", "console") == []


def test_write_needs_an_approver_then_runs_as_the_requester(world: World) -> None:
    sh, out = shell(world, "alice")
    dev = world.ns["dev"]
    replies = sh.say(f"run scale_deployment deployment=checkout namespace={dev} replicas=3")
    plan = replies[0]
    assert plan.kind == "plan" and plan.run is not None
    assert "deployment 'checkout' taken as checkout-api" in plan.text
    assert "spec.replicas: 1 -> 3" in plan.text
    assert world.replicas("dev", "checkout-api") == 1
    sh.say(f"approve {plan.run.id}")
    assert "You may not approve write requests. Who may approve: members of sre." \
        in out.getvalue()
    sh.say(":as bob")
    replies = sh.say(f"approve {plan.run.id}")
    result = replies[-1]
    assert result.kind == "result" and result.run is not None
    assert result.run.state == "succeeded", result.text
    assert "Verified:" in result.text and "audit #" in result.text
    assert world.replicas("dev", "checkout-api") == 3
    run = sh.service.store.get(plan.run.id)
    assert run is not None and run.identity.user == "alice"


def test_undo_after_scale_restores_the_old_count(world: World) -> None:
    sh, _ = shell(world, "alice")
    dev = world.ns["dev"]
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=2")[0]
    assert plan.run is not None
    sh.say(":as bob")
    sh.say(f"approve {plan.run.id}")
    assert world.replicas("dev", "checkout-api") == 2
    sh.say(":as alice")
    # Asked again, it changes nothing and proposes nothing: undo still undoes the scale.
    again = f"run scale_deployment deployment=checkout-api namespace={dev} replicas=2"
    assert sh.say(again)[0].text.startswith("Nothing to change:")
    replies = sh.say("undo")
    assert replies[0].text.startswith("Undoing") and "spec.replicas: 2 -> 1" in replies[1].text
    undo_run = replies[1].run
    assert undo_run is not None
    sh.say(":as bob")
    sh.say(f"approve {undo_run.id}")
    assert world.replicas("dev", "checkout-api") == 1


def test_an_undo_says_what_changed_since_its_run(world: World) -> None:
    # A user trial: the undo of a scale to 2, after a colleague scaled to 3 in another
    # thread, planned "3 -> 1" without a word that 3 was not what the run left.
    dev = world.ns["dev"]
    sh, _ = shell(world, "alice")
    other = Shell(sh.service, user="erin", out=io.StringIO(), thread="another")
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=2")[0]
    assert plan.run is not None
    sh.say(":as bob")
    sh.say(f"approve {plan.run.id}")
    sh.say(":as alice")
    replies = sh.say("undo")
    assert "spec.replicas: 2 -> 1" in replies[1].text
    assert "changed since" not in replies[1].text  # nothing changed since: no note
    assert replies[1].run is not None
    sh.say(":as bob")
    sh.say(f"deny {replies[1].run.id}")
    assert sh.service.store.get(replies[1].run.id).state is RunState.DENIED  # type: ignore[union-attr]
    sh.say(":as alice")
    later = other.say(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=3")
    assert later[0].run is not None
    other.say(":as bob")
    other.say(f"approve {later[0].run.id}")
    assert world.replicas("dev", "checkout-api") == 3
    replies = sh.say("undo")
    assert "spec.replicas: 3 -> 1" in replies[1].text, replies[1].text
    assert (f"changed since {plan.run.id} ran: spec.replicas was 2 after it, is 3 now"
            in replies[1].text), replies[1].text


def test_drain_needs_two_distinct_approvers_other_than_the_requester(world: World) -> None:
    sh, out = shell(world, "bob")
    node = "node-3"
    try:
        plan = sh.say(f"run drain_node node={node}")[0]
        assert plan.run is not None and "Approvals 0 of 2" in plan.text
        rid = plan.run.id
        sh.say(f"approve {rid}")
        assert "can't approve your own critical request" in out.getvalue()
        sh.say(":as carol")
        assert "Approvals 1 of 2 (carol)" in sh.say(f"approve {rid}")[0].text
        assert "already approved" in sh.say(f"approve {rid}")[0].text
        sh.say(":as erin")
        result = sh.say(f"approve {rid}")[-1]
        assert result.run is not None and result.run.state == "succeeded", result.text
    finally:
        from kubernetes import client

        client.CoreV1Api(world.api).patch_node(node, {"spec": {"unschedulable": False}})


def test_expired_approval_is_refused(world: World) -> None:
    sh, _ = shell(world, "alice")
    clock = [time.time()]
    sh.service.clock = lambda: clock[0]
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={world.ns['dev']} "
                  "replicas=4")[0]
    assert plan.run is not None
    clock[0] += 16 * 60
    sh.say(":as bob")
    replies = sh.say(f"approve {plan.run.id}")
    assert "expired" in replies[0].text
    assert world.replicas("dev", "checkout-api") == 1


def test_plan_drift_asks_again_with_the_new_diff(world: World) -> None:
    from kubernetes import client

    sh, _ = shell(world, "alice")
    dev = world.ns["dev"]
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=3")[0]
    assert plan.run is not None
    client.AppsV1Api(world.api).patch_namespaced_deployment_scale(
        "checkout-api", dev, {"spec": {"replicas": 2}})
    sh.say(":as bob")
    replies = sh.say(f"approve {plan.run.id}")
    assert "needs approval again" in replies[-1].text
    assert "spec.replicas: 2 -> 3" in replies[-1].text
    assert world.replicas("dev", "checkout-api") == 2
    result = sh.say(f"approve {plan.run.id}")[-1]
    assert result.run is not None and result.run.state == "succeeded"
    assert world.replicas("dev", "checkout-api") == 3


def test_a_plan_the_cluster_already_matches_at_approval_is_closed_not_re_asked(
        world: World) -> None:
    """A user trial: a second plan of the same scale, approved after the first had run, was
    answered "The cluster changed ... Here is the new diff; it needs approval again:" with an
    empty diff, and stayed waiting for a click on nothing."""
    from kubernetes import client

    sh, _ = shell(world, "alice")
    dev = world.ns["dev"]
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={dev} replicas=3")[0]
    assert plan.run is not None
    # Someone made the same change by other means.
    client.AppsV1Api(world.api).patch_namespaced_deployment_scale(
        "checkout-api", dev, {"spec": {"replicas": 3}})
    sh.say(":as bob")
    replies = sh.say(f"approve {plan.run.id}")
    text = "\n".join(r.text for r in replies)
    assert "needs approval again" not in text, text
    assert "Nothing to change" in replies[-1].text and plan.run.id in replies[-1].text, text
    run = sh.service.store.get(plan.run.id)
    assert run is not None and run.state is RunState.CANCELLED
    # Closed: a later click changes nothing and says so.
    again = sh.say(f"approve {plan.run.id}")
    assert "already cancelled" in again[0].text, again
    assert world.replicas("dev", "checkout-api") == 3


def test_identity_without_cluster_rights_is_refused_and_explained(world: World) -> None:
    sh, _ = shell(world, "alice")
    replies = sh.say(f"run restart_deployment deployment=checkout-api "
                     f"namespace={world.ns['prod']}")
    assert replies[0].kind == "refusal"
    assert replies[0].text.startswith("The cluster refused: alice may not")
    assert world.ns["prod"] in replies[0].text
    assert sh.service.store.runs_in_thread("console", "console") == []


def test_duplicate_approval_runs_nothing_twice(world: World) -> None:
    sh, _ = shell(world, "alice")
    plan = sh.say(f"run scale_deployment deployment=checkout-api namespace={world.ns['dev']} "
                  "replicas=2")[0]
    assert plan.run is not None
    other, _ = shell(world, "carol")
    sh.say(":as bob")
    sh.say(f"approve {plan.run.id}")
    replies = other.say(f"approve {plan.run.id}")
    assert "already succeeded" in replies[0].text
    audit = AuditLog(world.audit_db)
    steps = [e for e in audit.list(limit=500, run_id=plan.run.id) if e.kind == "step"]
    assert len(steps) == 1


def _write_settings(world: World, tmp: Path) -> dict[str, str]:
    policy = tmp / "policy.yaml"
    policy.write_text(yaml.safe_dump(DEMO_POLICY))
    return {**os.environ, "CHATOPS_POLICY": str(policy), "CHATOPS_STATE_DB": str(world.state_db),
            "CHATOPS_AUDIT_DB": str(world.audit_db)}


def test_killed_during_a_run_leaves_it_interrupted_and_audit_verifies(
        world: World, sandbox: object, tmp_path: Path) -> None:
    env = _write_settings(world, tmp_path)
    env["KUBECONFIG"] = str(sandbox.kubeconfig)  # type: ignore[attr-defined]
    sh, _ = shell(world, "alice")
    dev = world.ns["dev"]
    # A rollout that cannot finish (bad image) keeps the run in its verification for a while.
    plan = sh.say(f"run set_image deployment=checkout-api namespace={dev} image=nginx:bad")[0]
    assert plan.run is not None
    proc = subprocess.Popen(
        # The same thread as the test's shell ("console"): a request is decided in its own.
        [sys.executable, "-m", "chatops", "shell", "--as", "bob", "--thread", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
        start_new_session=True)
    assert proc.stdin is not None
    proc.stdin.write(f"approve {plan.run.id}\n")
    proc.stdin.flush()
    store = sh.service.store
    wait_for(lambda: store.get(plan.run.id).state is RunState.RUNNING,  # type: ignore[union-attr]
             timeout=60, what="the run to start")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    replies = world.service().recover()
    assert any(plan.run.id in r.text and "interrupted" in r.text for r in replies)
    assert store.get(plan.run.id).state is RunState.INTERRUPTED  # type: ignore[union-attr]
    verify = subprocess.run([sys.executable, "-m", "chatops", "audit", "verify", "--db",
                             str(world.audit_db)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    import sqlite3

    db = sqlite3.connect(world.audit_db)
    db.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 3")
    db.commit()
    db.close()
    verify = subprocess.run([sys.executable, "-m", "chatops", "audit", "verify", "--db",
                             str(world.audit_db)], capture_output=True, text=True)
    assert verify.returncode == 1 and "row 3" in verify.stdout + verify.stderr


def test_plain_language_through_the_shipped_model(world: World) -> None:
    from intents import ModelParser, default_model_dir

    out = io.StringIO()
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="alice", out=out)
    dev = world.ns["dev"]
    replies = sh.say(f"show me the pods of checkout-api in {dev}")
    assert replies[0].kind == "answer" and "checkout-api-" in replies[0].text
    plan = sh.say(f"scale checkout in {dev} to 2")[0]
    # The model may miss a value of unusual letters (its accuracy is measured in
    # BENCHMARKS.md, not here); then the bot asks for exactly that
    # value, and the answer completes the same request.
    answers = {"How many replicas?": "2", "In which namespace?": dev}
    for _ in range(len(answers)):
        if plan.kind != "question":
            break
        answer = next((a for q, a in answers.items() if plan.text.startswith(q)), None)
        assert answer is not None, plan.text
        plan = sh.say(answer)[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    assert "scale deployment checkout-api" in plan.text and "spec.replicas: 1 -> 2" in plan.text
    sh.say(":as bob")
    assert sh.say(f"approve {plan.run.id}")[-1].kind == "result"
    assert world.replicas("dev", "checkout-api") == 2
    sh.say(":as alice")
    replies = sh.say("create a networkpolicy that blocks all egress")
    assert replies[0].kind == "answer"
    assert replies[0].text.startswith("I can't create"), replies[0].text
    assert sh.service.store.runs_in_thread("console", "console")[0].id == plan.run.id


def test_a_diagnosis_offers_its_fix_one_step_away_and_never_runs_it(world: World) -> None:
    sh, _ = shell(world, "bob")
    prod = world.ns["prod"]

    def offered() -> list[object] | None:
        replies = sh.say(f"run diagnose namespace={prod} deployment=calc-app")
        return replies if len(replies) == 2 and replies[1].choices else None

    answer, offer = wait_for(offered, timeout=90, interval=1.0,
                             what="calc-app's crash loop to be diagnosed")
    assert "crash-looping" in answer.text  # type: ignore[attr-defined]
    assert offer.choices == ("restart_deployment calc-app",)  # type: ignore[attr-defined]
    assert "approvals the policy asks for" in offer.text  # type: ignore[attr-defined]
    store = sh.service.store
    before = {r.id for r in store.runs_in_thread("console", "console")}
    # Someone else can't take bob's offer (the plan would be theirs).
    sh.say(":as erin")
    (notice,) = sh.say("restart_deployment calc-app")
    assert notice.kind == "notice" and notice.ephemeral and "bob" in notice.text
    sh.say(":as bob")
    plan = sh.say("1")[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    assert plan.run.runbook == "restart_deployment"
    run = store.get(plan.run.id)
    assert run is not None and run.state is RunState.PROPOSED and run.id not in before
    assert run.raw_slots == {"namespace": prod, "deployment": "calc-app"}


def test_a_creation_request_is_refused_honestly_whatever_the_model_says(world: World) -> None:
    from intents import ModelParser, default_model_dir

    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="alice",
               out=io.StringIO())
    for text in (f"roll out a second copy of the checkout-api service with tag 1.26 next to "
                 f"the current one in {world.ns['dev']}, as checkout-next",
                 f"please create a deployment called checkout-v2 in {world.ns['dev']} "
                 "running nginx:1.27"):
        (reply,) = sh.say(text)
        assert reply.kind == "answer" and reply.text.startswith("I can't create"), reply.text
        assert "set_image" not in reply.text and "scale_deployment" not in reply.text
    assert sh.service.store.runs_in_thread("console", "console") == []


@pytest.mark.parametrize("messages", ["help\n", "cancel\n", "approve r-00000000\n", ""])
def test_a_session_that_never_needed_the_model_exits_cleanly(
        world: World, sandbox: object, tmp_path: Path, messages: str) -> None:
    # The model loads in the background from the start; a session that ends before the
    # load did (no message needed it) must still exit 0, not abort in ONNX Runtime's
    # teardown ("terminate called without an active exception", exit 134).
    env = _write_settings(world, tmp_path)
    env["KUBECONFIG"] = str(sandbox.kubeconfig)  # type: ignore[attr-defined]
    done = subprocess.run([sys.executable, "-m", "chatops", "shell", "--as", "alice"],
                          input=messages, capture_output=True, text=True, env=env, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Fatal Python error" not in output and "terminate called" not in output, output


def test_each_console_session_is_a_thread_of_its_own(
        world: World, sandbox: object, tmp_path: Path) -> None:
    """A user trial: every `chatops shell` continued one permanent thread, so a new session's
    `undo`, "approve" or "and the logs?" landed on other people's hours-old requests."""
    env = _write_settings(world, tmp_path)
    env["KUBECONFIG"] = str(sandbox.kubeconfig)  # type: ignore[attr-defined]
    dev = world.ns["dev"]

    def session(user: str, lines: str, *thread: str) -> str:
        done = subprocess.run([sys.executable, "-m", "chatops", "shell", "--as", user, *thread],
                              input=lines, capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    asked = session("alice", f"run scale_deployment deployment=checkout-api namespace={dev} "
                             "replicas=2\n", "--thread", "incident-42")
    assert "Approvals 0 of 1" in asked, asked
    assert "There is no request waiting" in session("bob", "approve\n")
    assert "There is no completed change in this thread to undo." in session("bob", "undo\n")
    assert world.replicas("dev", "checkout-api") == 1
    decided = session("bob", "approve\n", "--thread", "incident-42")
    assert "Succeeded" in decided, decided
    assert world.replicas("dev", "checkout-api") == 2
