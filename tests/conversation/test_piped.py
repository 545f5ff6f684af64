"""A kubectl command piped into filters ("kubectl get pods -n prod | grep checkout").

A user trial: such a message was refused as a namespace 'prod | grep checkout' that is no
valid name, and a change piped into `tee` was refused as two namespaces, "prod | tee
out.txt" and prod. A read is now answered as the command before the pipe, saying the pipe
is left out; a change is not planned, and the answer says to ask without the pipe. A pipe
into anything but a filter (`xargs`, `sh`) is no such message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.runbook.catalogue import Catalogue
from intents import ModelParser
from intents.kubectl import without_filter
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue,
            shipped_model: ModelParser) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 2})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = shipped_model
    return service


@pytest.mark.parametrize(("text", "command", "pipe"), [
    ("kubectl get pods -n prod | grep checkout", "kubectl get pods -n prod", "| grep checkout"),
    ("pls run `kubectl logs deploy/checkout-api -n prod | grep ERROR` thx",
     "pls run `kubectl logs deploy/checkout-api -n prod`", "| grep ERROR"),
    ("kubectl get pods -n prod | grep -v Running | wc -l", "kubectl get pods -n prod",
     "| grep -v Running | wc -l"),
])
def test_a_pipe_into_filters_is_taken_off(text: str, command: str, pipe: str) -> None:
    assert without_filter(text) == (command, pipe)


@pytest.mark.parametrize("text", [
    "kubectl get pods -n prod",
    "kubectl get pods | xargs kubectl delete pod",
    "kubectl get pods | sh",
    "kubectl get pods; rm -rf /",
    "kubectl get pods | grep x && kubectl delete ns prod",
    "kubectl get pods | grep $(id)",
    "the output of kubectl get pods | grep checkout looks odd",
])
def test_anything_else_is_no_filtered_command(text: str) -> None:
    assert without_filter(text) is None


def test_a_piped_read_is_answered_without_its_pipe(service: ConversationService) -> None:
    (reply,) = say(service, "bob", "kubectl get pods -n prod | grep checkout")
    assert reply.startswith("(`| grep checkout` left out"), reply
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t1")] == ["show_pods"]


def test_a_piped_change_is_not_planned(service: ConversationService) -> None:
    (reply,) = say(service, "bob", "kubectl rollout restart deploy/checkout-api -n prod | tee x")
    assert "without `| tee x`" in reply, reply
    assert service.store.runs_in_thread("C1", "t1") == []
