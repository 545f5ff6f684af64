"""A namespace named where a workload was expected ("is analytics healthy?": the model
cannot tell a namespace from a deployment, the cluster can) is read as the namespace, for
read-only runbooks only, on the sandbox cluster; a status question naming only a namespace
("is prod healthy?") is answered by the namespace's health scan."""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from tests.plugins.world_fixtures import World


def shell(world: World, user: str = "alice") -> Shell:
    return Shell(world.service(), user=user, out=io.StringIO())


def test_a_namespace_given_as_the_deployment_is_scanned_as_the_namespace(world: World) -> None:
    sh = shell(world)
    prod = world.ns["prod"]
    # The scan may also offer fixes for what it found (a second reply).
    answer = sh.say(f"run diagnose deployment={prod}")[0]
    assert answer.kind == "answer", answer.text
    assert f"'{prod}' is a namespace, so the whole namespace was read" in answer.text
    run = sh.service.store.runs_in_thread("console", "console")[0]
    assert run.runbook == "diagnose"
    assert run.raw_slots == {"namespace": prod}
    # The same for listing: the namespace's pods, not a deployment called like it.
    pods = sh.say(f"run show_pods deployment={prod}")[0]
    assert pods.kind == "answer" and "checkout-api-" in pods.text, pods.text


def test_a_workload_name_that_is_no_namespace_still_asks_for_the_namespace(
        world: World) -> None:
    sh = shell(world)
    (question,) = sh.say("run diagnose deployment=checkout-api")
    assert question.kind == "question" and question.text.startswith("In which namespace?")


def test_a_runbook_that_changes_something_never_has_its_target_reread(world: World) -> None:
    sh = shell(world)
    prod = world.ns["prod"]
    (question,) = sh.say(f"run restart_deployment deployment={prod}")
    assert question.kind == "question" and question.text.startswith("In which namespace?")
    assert not any(r.raw_slots.get("namespace") == prod
                   for r in sh.service.store.runs_in_thread("console", "console"))


@pytest.mark.parametrize(("command", "note"), [
    # "is prod healthy?" read as deployment_status with a namespace and no deployment: the
    # namespace's health scan answers, not "Which deployment?".
    ("run deployment_status namespace={ns}",
     "no deployment was named, so all of '{ns}' was checked (diagnose)"),
    ("run deployment_status deployment={ns}",
     "'{ns}' is a namespace, so the whole namespace was read"),
])
def test_a_status_question_about_a_namespace_scans_it(world: World, command: str,
                                                      note: str) -> None:
    sh = shell(world)
    prod = world.ns["prod"]
    answer = sh.say(command.format(ns=prod))[0]
    assert answer.kind == "answer", answer.text
    assert note.format(ns=prod) in answer.text
    run = sh.service.store.runs_in_thread("console", "console")[0]
    assert run.runbook == "diagnose" and run.raw_slots == {"namespace": prod}


def test_a_status_question_naming_a_deployment_is_still_about_it(world: World) -> None:
    sh = shell(world)
    prod = world.ns["prod"]
    answer = sh.say(f"run deployment_status deployment=checkout-api namespace={prod}")[0]
    assert answer.kind == "answer", answer.text
    run = sh.service.store.runs_in_thread("console", "console")[0]
    assert run.runbook == "deployment_status"


def test_a_status_question_naming_nothing_still_asks_which_deployment(world: World) -> None:
    (question,) = shell(world).say("run deployment_status")
    assert question.kind == "question" and question.text.startswith("Which deployment"), \
        question.text


def test_a_value_the_status_runbook_does_not_declare_is_still_refused(world: World) -> None:
    # The scan declares `pod`; the status runbook does not: no redirection launders it.
    sh = shell(world)
    (answer,) = sh.say(f"run deployment_status namespace={world.ns['prod']} pod=web-1")
    assert answer.kind == "refusal" and "no slot called 'pod'" in answer.text, answer.text
    assert sh.service.store.runs_in_thread("console", "console") == []
