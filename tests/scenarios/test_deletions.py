"""Deletions of and trouble with a cronjob, against the sandbox cluster with the shipped
model: a deletion is refused with what comes close, trouble gets the namespace's scan, and
nothing is planned or changed (a user trial: the model read "drop the nightly-report
cronjob" as a suspend at 1.00, and the bot planned it)."""

from __future__ import annotations

import io

import pytest
from kubernetes import client

from chatops.console import Shell
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


@pytest.mark.parametrize("text", [
    "drop the nightly-report cronjob in {prod}",
    "delete cronjob nightly-report in {prod}",
])
def test_deleting_a_cronjob_is_refused_not_suspended(world: World, text: str) -> None:
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    (reply,) = sh.say(text.format(prod=prod))
    assert reply.kind == "answer" and "can't delete a cronjob" in reply.text, reply.text
    assert "suspend_cronjob" in reply.text  # what comes close, offered in words
    assert sh.service.store.runs_in_thread("console", "console") == []
    live = client.BatchV1Api(world.api).read_namespaced_cron_job("nightly-report", prod)
    assert live.spec.suspend is False


@pytest.mark.parametrize("text", [
    "nightly-report hasn't fired since monday in {prod}",
    "the nightly-report cronjob is busted in {prod}, can you fix it?",
])
def test_trouble_with_a_cronjob_is_scanned_not_suspended(world: World, text: str) -> None:
    """A user trial: the first was read as a suspend at 0.87 and planned; the second got
    "not sure". Both get the namespace's scan and the cronjob's line, and no plan."""
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    replies = sh.say(text.format(prod=prod))
    said = [r.text for r in replies]
    assert said[0].startswith("(read as trouble with a cronjob"), said
    assert f"cronjob nightly-report in {prod} is not suspended (schedule 0 3 * * *): it has " \
           "never run." in said, said
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.runbook for r in runs] == ["diagnose"]
    live = client.BatchV1Api(world.api).read_namespaced_cron_job("nightly-report", prod)
    assert live.spec.suspend is False
