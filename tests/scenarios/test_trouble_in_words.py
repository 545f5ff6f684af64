"""Trouble reported in words, against the sandbox cluster: the real model, the real
diagnosis, the person's own view of the cluster's namespaces."""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from chatops.conversation.symptoms import UNSURE_FLOOR
from chatops.messages import TROUBLE_NOTE
from chatops.model import OUT_OF_SCOPE, Risk
from chatops.runbook.catalogue import load_catalogue
from chatops.runs import RunState
from tests.conversation.test_trouble_in_words import Unsure
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def test_trouble_read_under_the_bar_is_diagnosed_in_the_cluster(world: World) -> None:
    prod = world.ns["prod"]
    sh = Shell(world.service(parser=Unsure({"namespace": prod})), user="bob",
               out=io.StringIO())

    def diagnosed() -> str | None:
        replies = sh.say(f"any crashloops in {prod}?")
        text = "\n".join(r.text for r in replies)
        return text if "crash-looping" in text else None

    text = wait_for(diagnosed, timeout=90, interval=1.0, what="calc-app's crash loop")
    assert text.startswith(f"({TROUBLE_NOTE})") and "calc-app" in text, text
    # The fix is offered, never run.
    assert "restart_deployment" in text
    runs = sh.service.store.runs_in_thread("console", "console")
    assert runs and all(r.runbook == "diagnose" and r.state is RunState.SUCCEEDED
                        for r in runs), runs


def test_a_namespace_the_cluster_lacks_gets_no_diagnosis(world: World) -> None:
    sh = Shell(world.service(parser=Unsure({"namespace": "nowhere-prod"})), user="bob",
               out=io.StringIO())
    (reply,) = sh.say("everything is down in nowhere-prod, help")
    assert TROUBLE_NOTE not in reply.text and reply.text.startswith("I'm not sure"), reply.text


def test_trouble_in_plain_words_through_the_shipped_model_gets_a_read(world: World) -> None:
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    # Until calc-app's pods crash, its diagnosis is "running but not ready" and names only
    # its container (CI met it once, session 52): the read below is of a crash loop.
    waiter = Shell(world.service(parser=Unsure({"namespace": prod})), user="bob",
                   out=io.StringIO())
    wait_for(lambda: any("crash-looping" in r.text
                         for r in waiter.say(f"any crashloops in {prod}?")) or None,
             timeout=90, interval=1.0, what="calc-app's crash loop")
    waited = len(waiter.service.store.runs_in_thread("console", "console"))
    parser = ModelParser(default_model_dir())
    sh = Shell(world.service(parser=parser), user="bob", out=io.StringIO())
    changes = {name for name, rb in load_catalogue().runbooks.items()
               if rb.risk is not Risk.READ}
    # Whether the model reads these over its bar or under it (the namespace's letters
    # count), the answer is a read of the cluster, never a plan; "not sure" only where the
    # model, under its bar, gave a change real weight (the rule: maybe a change request
    # after all). CI met that once, when the prefix was random: "calc-app down in w…-prod,
    # help" got a scale at 0.43 from the prefix's letters alone (about one prefix in 40,
    # measured over 300). The prefix is now the test's own, so the case is the same in
    # every run; the rule holds for any.
    answered = 0
    for text in (f"calc-app down in {prod}, help", f"any crashloops in {prod}?"):
        parsed = parser.parse(text)
        unsure_of_a_change = parsed.intent == OUT_OF_SCOPE and any(
            name in changes and score >= UNSURE_FLOOR for name, score in parsed.alternatives)
        replies = sh.say(text)
        assert replies[0].kind == "answer", replies
        if unsure_of_a_change:
            assert replies[0].text.startswith("I'm not sure"), replies[0].text
            continue
        answered += 1
        assert not replies[0].text.startswith("I'm not sure"), replies[0].text
        assert "calc-app" in "\n".join(r.text for r in replies)
    runs = sh.service.store.runs_in_thread("console", "console")[waited:]
    assert len(runs) == answered and all(r.runbook in ("diagnose", "deployment_status")
                                        for r in runs), runs


def test_a_fix_asked_in_plain_words_through_the_shipped_model_is_diagnosed(
        world: World) -> None:
    """Session 42's user trial: "checkout-api in staging is flaky, can you sort it" got "not
    sure" (the model gave a restart weight). A fix asked for a workload named is the
    diagnosis's, which offers the fix as a plan and changes nothing."""
    from intents import ModelParser, default_model_dir

    prod, staging = world.ns["prod"], world.ns["staging"]
    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    # The second, under the model's bar, gives a scale and a restart weight (this test's
    # prefix, measured).
    # (A world just made may not show calc-app's crash loop yet: its diagnosis names it.)
    for text, found in ((f"calc-app in {prod} is flaky af, can someone sort it",
                         "container app"),
                        (f"checkout-api in {staging} is flaky, can you sort it", "healthy")):
        replies = sh.say(text)
        assert replies[0].kind == "answer", replies
        assert found in "\n".join(r.text for r in replies), replies
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.runbook for r in runs] == ["diagnose", "diagnose"], runs
    assert (world.replicas("prod", "calc-app"), world.replicas("staging", "checkout-api")) \
        == (2, 2)
