"""Questions of pod hygiene in plain words, against the sandbox with the shipped model.

Session 42's user trial: "who's missing liveness probes in prod" and "does anything in prod
mount a hostPath" got "I'm not sure", and "which pods mount host paths in staging" got
"'host paths' is not a pod hygiene check". Each now runs `pod_hygiene` for the check its
words name, and changes nothing.
"""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def test_hygiene_questions_in_plain_words_get_their_checks(world: World) -> None:
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    asked = {f"who's missing liveness probes in {prod}": "liveness-probe",
             f"does anything in {prod} mount a hostPath": "host-path",
             f"which pods mount host paths in {prod}": "host-path"}
    for text, check in asked.items():
        (reply, *_) = sh.say(text)
        assert reply.kind == "answer", reply.text
        assert f"Pod hygiene in namespace {prod}" in reply.text, reply.text
        assert check in reply.text, reply.text
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, r.raw_slots["check"]) for r in reversed(runs)] == [
        ("pod_hygiene", "liveness-probe"), ("pod_hygiene", "host-path"),
        ("pod_hygiene", "host-path")]
