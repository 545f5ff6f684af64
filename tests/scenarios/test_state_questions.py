"""Questions about a cronjob's or a node's state, against the sandbox cluster with the
shipped model: the object's state is read, nothing is planned or changed (a user trial:
"is nightly-report suspended in prod?" was answered "outside what I can do")."""

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
    for text in (f"is nightly-report suspended in {prod}?",
                 f"did the nightly-report job run in {prod}"):
        replies = sh.say(text)
        assert replies[0].kind == "answer", replies
        assert f"cronjob nightly-report in {prod}: active; schedule 0 3 * * *" in \
            replies[0].text, replies[0].text
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.runbook for r in runs] == ["cronjob_status", "cronjob_status"]
    live = client.BatchV1Api(world.api).read_namespaced_cron_job("nightly-report", prod)
    assert live.spec.suspend is False  # a question changes nothing
