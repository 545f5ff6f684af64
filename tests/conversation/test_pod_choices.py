"""A question for a missing pod (or cronjob) offers the namespace's, as one for a deployment
does.

A user trial: "nuke the web-frontend pod in prod" (the name read as no pod) was asked
"Which pod should I delete?" with nothing to pick, though prod had one pod of it."""

from __future__ import annotations

from pathlib import Path

from chatops.model import Message
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


def test_the_pods_of_the_namespace_are_offered_and_one_is_taken(
        tmp_path: Path, catalogue: Catalogue) -> None:
    cluster = FakeCluster(deployments={("prod", "web-frontend"): 1},
                          pods={("prod", "web-frontend-7d9f-x2k"), ("prod", "db-0")})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reading("delete_pod", {"namespace": "prod"})
    (question,) = service.handle(Message("bob", "nuke the web-frontend pod in prod", "C1",
                                         "t1"))
    assert question.kind == "question"
    assert question.choices == ("db-0", "web-frontend-7d9f-x2k")
    say(service, "bob", "web-frontend-7d9f-x2k")
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, run.state, run.raw_slots["pod"]) == (
        "delete_pod", RunState.PROPOSED, "web-frontend-7d9f-x2k")
