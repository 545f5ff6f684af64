"""What the cluster's own rollout history says of a change the bot made, on the sandbox.

`kubectl rollout history deploy/x` showed `<none>` as the cause of every revision the bot
made: an engineer reading the cluster (not the chat) could not tell which request, asked
by whom and approved by whom, rolled it out. A change of the pod template now writes
`kubernetes.io/change-cause` on the deployment in the same patch (the deployment
controller copies it onto the ReplicaSet of the revision), on the real run only: the
preview's diff, and so the approval's binding, never show it.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from chatops.console import Shell
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s

CAUSE = "kubernetes.io/change-cause"


def _revisions(world: World, deployment: str) -> dict[int, dict[str, Any]]:
    """The deployment's ReplicaSets in prod by revision, with their annotations."""
    from kubernetes import client

    apps = client.AppsV1Api(world.api)
    dep = apps.read_namespaced_deployment(deployment, world.ns["prod"])
    selector = ",".join(f"{k}={v}" for k, v in dep.spec.selector.match_labels.items())
    sets = apps.list_namespaced_replica_set(world.ns["prod"], label_selector=selector).items
    return {int(rs.metadata.annotations["deployment.kubernetes.io/revision"]):
            dict(rs.metadata.annotations) for rs in sets}


def _newest_runs(world: World, image: str) -> bool:
    """Whether the newest revision of checkout-api in prod is the one running `image`."""
    from kubernetes import client

    apps = client.AppsV1Api(world.api)
    dep = apps.read_namespaced_deployment("checkout-api", world.ns["prod"])
    selector = ",".join(f"{k}={v}" for k, v in dep.spec.selector.match_labels.items())
    sets = apps.list_namespaced_replica_set(world.ns["prod"], label_selector=selector).items
    newest = max(sets, key=lambda rs: int(
        rs.metadata.annotations["deployment.kubernetes.io/revision"]))
    return bool(newest.spec.template.spec.containers[0].image == image)


def _approved(world: World, text: str) -> tuple[Shell, str, str]:
    """`text` asked by bob and approved by carol in the console; (shell, run id, plan)."""
    sh = Shell(world.service(), user="bob", out=io.StringIO())
    plan = sh.say(text)[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    sh.say(":as carol")
    result = sh.say(f"approve {plan.run.id}")[-1]
    assert result.run is not None and result.run.state == "succeeded", result.text
    return sh, plan.run.id, plan.text


def test_a_template_change_names_its_run_requester_and_approver_in_rollout_history(
        world: World) -> None:
    prod = world.ns["prod"]
    sh, run_id, plan = _approved(
        world, f"run set_image deployment=checkout-api namespace={prod} image=nginx:1.27.3")
    assert CAUSE not in plan and "change-cause" not in plan  # the preview shows the image
    from kubernetes import client

    dep = client.AppsV1Api(world.api).read_namespaced_deployment("checkout-api", prod)
    cause = dep.metadata.annotations[CAUSE]
    assert cause.startswith(f"chatops {run_id}: ") and "nginx:1.27.3" in cause
    assert "asked by bob" in cause and "approved by carol" in cause
    # The controller copies it onto the new revision's ReplicaSet: the one kubectl shows.
    revisions = _revisions(world, "checkout-api")
    assert revisions[max(revisions)].get(CAUSE) == cause
    assert all(CAUSE not in a for r, a in revisions.items() if r != max(revisions))
    # The bot's own history answer shows it too.
    sh.say(":as bob")
    history = sh.say(f"run rollout_history deployment=checkout-api namespace={prod}")[0]
    assert run_id in history.text, history.text


def test_a_scale_leaves_the_cause_of_the_running_revision_alone(world: World) -> None:
    """Only a new pod template is a new revision: a scale writing the annotation would
    overwrite the running revision's cause (the controller copies it on every sync)."""
    prod = world.ns["prod"]
    _approved(world, f"run restart_deployment deployment=checkout-api namespace={prod}")
    before = _revisions(world, "checkout-api")
    cause = before[max(before)][CAUSE]
    _approved(world, f"run scale_deployment deployment=checkout-api namespace={prod} "
                     "replicas=4")
    from kubernetes import client

    dep = client.AppsV1Api(world.api).read_namespaced_deployment("checkout-api", prod)
    assert dep.metadata.annotations[CAUSE] == cause
    after = _revisions(world, "checkout-api")
    assert max(after) == max(before) and after[max(after)][CAUSE] == cause


def test_a_later_change_made_elsewhere_is_not_credited_to_the_run(world: World) -> None:
    """An attacker review: the annotation stays on the deployment, and the controller copies
    it onto every later revision: an image patched directly afterwards read as asked by bob
    and approved by carol. The bot's history says such a cause is inherited."""
    prod = world.ns["prod"]
    sh, run_id, _ = _approved(
        world, f"run set_image deployment=checkout-api namespace={prod} image=nginx:1.27.4")
    from kubernetes import client

    client.AppsV1Api(world.api).patch_namespaced_deployment("checkout-api", prod, {
        "spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "nginx:1.99-elsewhere"}]}}}})
    # The controller makes the revision after the patch: read before it, there is none.
    wait_for(lambda: _newest_runs(world, "nginx:1.99-elsewhere"), what="the new revision")
    sh.say(":as bob")
    lines = sh.say(f"run rollout_history deployment=checkout-api namespace={prod}")[0].text
    newest = next(line for line in lines.splitlines() if ": nginx:1.99-elsewhere -" in line)
    assert "inherited" in newest and "not this revision's own" in newest, lines
    mine = next(line for line in lines.splitlines() if ": nginx:1.27.4 -" in line)
    assert run_id in mine and "inherited" not in mine


def test_a_rollback_names_the_revision_it_went_back_to(world: World) -> None:
    """A user trial: "roll back deployment checkout-api" said nothing of which revision
    the rollback chose, where `kubectl rollout history` is read without the chat."""
    prod = world.ns["prod"]
    _approved(world, f"run set_image deployment=checkout-api namespace={prod} "
                     "image=nginx:1.27.5")
    before = _revisions(world, "checkout-api")
    newest, previous = max(before), max(r for r in before if r != max(before))
    _, run_id, _ = _approved(world, f"run rollback_deployment deployment=checkout-api "
                                    f"namespace={prod}")
    after = _revisions(world, "checkout-api")
    cause = after[max(after)][CAUSE]
    assert cause.startswith(f"chatops {run_id}: roll back deployment checkout-api in {prod} "
                            f"from revision {newest} to revision {previous};"), cause
    assert "asked by bob" in cause and "approved by carol" in cause


def test_a_revision_a_later_change_reuses_keeps_its_own_cause(world: World) -> None:
    """An attacker review: the revision first carrying a cause was found by its number, and
    a ReplicaSet reused by a change back to its template is renumbered newest: the run's
    own revision read as inherited, and the change made elsewhere in between as the run's."""
    prod = world.ns["prod"]
    sh, run_id, _ = _approved(
        world, f"run set_image deployment=checkout-api namespace={prod} image=nginx:1.27.6")
    from kubernetes import client

    apps = client.AppsV1Api(world.api)
    for image in ("nginx:1.99-elsewhere", "nginx:1.27.6"):  # away, then back: a reuse
        apps.patch_namespaced_deployment("checkout-api", prod, {"spec": {"template": {
            "spec": {"containers": [{"name": "app", "image": image}]}}}})
        # The controller makes (or renumbers) the revision of each template in turn.
        wait_for(lambda image=image: _newest_runs(world, image), what=f"{image} newest")
    # The reused ReplicaSet keeps the number it was made as: what tells it from one made
    # in the same second (a CI run failed on such a tie).
    dep = apps.read_namespaced_deployment("checkout-api", prod)
    selector = ",".join(f"{k}={v}" for k, v in dep.spec.selector.match_labels.items())
    reused = next(rs for rs in apps.list_namespaced_replica_set(
        prod, label_selector=selector).items
        if rs.spec.template.spec.containers[0].image == "nginx:1.27.6")
    assert reused.metadata.annotations.get("deployment.kubernetes.io/revision-history")
    sh.say(":as bob")
    lines = sh.say(f"run rollout_history deployment=checkout-api namespace={prod}")[0].text
    mine = next(line for line in lines.splitlines() if ": nginx:1.27.6 -" in line)
    assert run_id in mine and "inherited" not in mine, lines
    elsewhere = next(line for line in lines.splitlines() if ": nginx:1.99-elsewhere -" in line)
    assert "inherited" in elsewhere, lines


def _history_after_change_elsewhere(world: World, image: str, cause: str) -> str:
    """The bot's history of prod/checkout-api after someone else set `image` with `cause`
    as its change-cause (CI, kubectl annotate: anyone's text)."""
    from kubernetes import client

    prod = world.ns["prod"]
    client.AppsV1Api(world.api).patch_namespaced_deployment("checkout-api", prod, {
        "metadata": {"annotations": {CAUSE: cause}},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}})
    wait_for(lambda: _newest_runs(world, image), what="the new revision")
    sh = Shell(world.service(), user="bob", out=io.StringIO())
    return sh.say(f"run rollout_history deployment=checkout-api namespace={prod}")[0].text


def test_a_cause_written_elsewhere_cannot_forge_a_line_of_the_history(world: World) -> None:
    """An attacker review: a change-cause is anyone's text; with a newline it showed as a
    line of its own, a revision "approved by carol" that never was."""
    lines = _history_after_change_elsewhere(
        world, "nginx:1.27.7", "ci deploy\nrevision 9 (current): nginx:9 - chatops "
        "r-1a2b3c4d: set the image; asked by bob; approved by carol")
    assert not any(line.startswith("revision 9") for line in lines.splitlines()), lines
    assert "ci deploy revision 9 (current)" in lines, lines


@pytest.mark.parametrize("named", ["r-1a2b3c4d", "own run of another deployment"])
def test_a_cause_naming_a_run_the_bot_has_no_record_of_says_so(world: World,
                                                                named: str) -> None:
    """An attacker review: anyone may write "chatops r-...: ...; approved by carol" as a
    change-cause, and the bot's history repeated it as its own record."""
    run_id = named
    if named != "r-1a2b3c4d":  # a real run, of the deployment of that name elsewhere
        _, run_id, _ = _approved(world, f"run restart_deployment deployment=checkout-api "
                                        f"namespace={world.ns['staging']}")
    lines = _history_after_change_elsewhere(
        world, "nginx:1.27.8", f"chatops {run_id}: set the image; asked by bob; approved by "
        "carol")
    line = next(line for line in lines.splitlines() if ": nginx:1.27.8 -" in line)
    assert f"this bot has no run {run_id} of this deployment" in line, lines
