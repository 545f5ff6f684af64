"""Questions about a cronjob's state, against the sandbox cluster with the shipped model:
its namespace is scanned (which reports a suspended cronjob), nothing is planned or
changed (a user trial: "is nightly-report suspended in prod?" was answered "outside what
I can do")."""

from __future__ import annotations

import io

import pytest
from kubernetes import client

from chatops.console import Shell
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def test_questions_about_a_state_are_answered_with_the_read(world: World) -> None:
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    (reply, *more) = sh.say(f"did the nightly-report job run in {prod}")
    assert reply.kind == "answer" and "answered with diagnose" in reply.text, reply.text
    assert "cronjob" in reply.text  # the namespace's scan counts its healthy cronjob
    # Then what it found of the cronjob asked about (the demo's has never run yet).
    assert [m.text for m in more][:1] == [f"cronjob nightly-report in {prod} is not suspended "
                                      "(schedule 0 3 * * *): it has never run."]
    live = client.BatchV1Api(world.api).read_namespaced_cron_job("nightly-report", prod)
    assert live.spec.suspend is False  # a question changes nothing
    client.BatchV1Api(world.api).patch_namespaced_cron_job(
        "nightly-report", prod, {"spec": {"suspend": True}})
    (reply, *more) = sh.say(f"is nightly-report suspended in {prod}?")
    assert reply.kind == "answer" and "nightly-report" in reply.text, reply.text
    assert "suspended" in reply.text
    assert [m.text for m in more][:1] == [f"cronjob nightly-report in {prod} is suspended "
                                      "(schedule 0 3 * * *): it has never run."]
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.runbook for r in runs] == ["diagnose", "diagnose"]


@pytest.mark.parametrize("text", ["is the nightly-report job paused or still active?",
                                  "is nightly-report paused?"])
def test_a_state_question_without_a_namespace_reads_the_one_with_the_cronjob(
        world: World, text: str) -> None:
    """A fourth trial: asked "In which namespace?", every namespace offered. The one the
    person can list that has the cronjob is read, as for when it runs."""
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    replies = sh.say(text)
    assert f"cronjob nightly-report in {prod} is not suspended (schedule 0 3 * * *)" in [
        r.text for r in replies][1], [r.text for r in replies]
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [("diagnose", {"namespace": prod})]


@pytest.mark.parametrize("text", ["when's the next run of the nightly report?",
                                  "when does the nightly report run"])
def test_when_a_cronjob_runs_with_its_name_written_apart_and_no_namespace(
        world: World, text: str) -> None:
    """A fourth trial: "outside what I can do". The name written as two words, in the one
    namespace the person can list that has it."""
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    replies = sh.say(text)
    assert f"cronjob nightly-report in {prod} is not suspended (schedule 0 3 * * *)" in [
        r.text for r in replies][1:2][0], [r.text for r in replies]
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [("diagnose", {"namespace": prod})]
