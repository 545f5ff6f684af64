""""Which node is checkout-api on?" is answered with its pods, which say their nodes.

A user trial: "which node is checkout-api on in prod?" was answered with the deployment's
status, which names no node; the pods' list has a NODE column."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.model import OUT_OF_SCOPE
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on

API = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.mark.parametrize(("text", "intent"), [
    ("which node is checkout-api on in prod?", "deployment_status"),
    ("what nodes are the checkout-api pods running on in prod", "deployment_status"),
    ("where is checkout-api running in prod?", OUT_OF_SCOPE),
    ("which node did checkout-api land on in prod", "diagnose"),
])
def test_a_question_of_nodes_gets_the_pods(tmp_path: Path, catalogue: Catalogue, text: str,
                                          intent: str) -> None:
    service = service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                         catalogue, Clock())
    service.parser = Reading(intent, API, 0.95 if intent != OUT_OF_SCOPE else 0.3)
    out = say(service, "bob", text)
    assert out[0].startswith("(which node: answered with show_pods"), out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, run.state, dict(run.raw_slots)) == ("show_pods", RunState.SUCCEEDED,
                                                             API)


@pytest.mark.parametrize("text", ["is checkout-api healthy in prod", "drain the node checkout-api "
                                  "is on in prod", "@dave which node is checkout-api on in prod?"])
def test_other_questions_are_not_node_questions(tmp_path: Path, catalogue: Catalogue,
                                                text: str) -> None:
    service = service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                         catalogue, Clock())
    service.parser = Reading("deployment_status", API)
    out = say(service, "bob", text)
    assert not out[0].startswith("(which node"), out


@pytest.mark.parametrize(("text", "intent"), [
    ("what runs on node-1", OUT_OF_SCOPE),
    ("what's running on node-1?", "node_status"),
    ("anything scheduled on node-1", OUT_OF_SCOPE),
    ("hey, who's on node-1?", OUT_OF_SCOPE),
])
def test_what_runs_on_a_node_gets_the_node_with_its_pods(
        tmp_path: Path, catalogue: Catalogue, text: str, intent: str) -> None:
    """A user trial: "what runs on node-2" got "not sure"; node_status of one node lists
    the pods on it."""
    service = service_on(FakeCluster(nodes={"node-1": False}), tmp_path, catalogue, Clock())
    service.parser = Reading(intent, {"node": "node-1"}, 0.3)
    out = say(service, "bob", text)
    assert out[0].startswith("(what runs on a node: answered with node_status"), out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, dict(run.raw_slots)) == ("node_status", {"node": "node-1"})


@pytest.mark.parametrize(("text", "intent"), [
    ("drain whatever runs on node-1", "drain_node"),  # a change: not a question
    ("@dave what runs on node-1?", OUT_OF_SCOPE),
])
def test_a_change_or_a_colleague_s_question_is_no_node_question(
        tmp_path: Path, catalogue: Catalogue, text: str, intent: str) -> None:
    service = service_on(FakeCluster(nodes={"node-1": False}), tmp_path, catalogue, Clock())
    service.parser = Reading(intent, {"node": "node-1"}, 0.3)
    out = say(service, "bob", text)
    assert not out or not out[0].startswith("(what runs on a node"), out
