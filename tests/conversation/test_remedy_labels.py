"""The label of a suggested fix: what it plans, typed back as its answer (pure logic).

A user trial: the OOM diagnosis offered `set_resources payments-worker worker 256mi`: the
label was lower-cased ("256mi" is no Kubernetes quantity) and named no field, so typed as
a request it was asked about ("Is 256mi the memory limit, ...?") though the diagnosis
meant the limit."""

from __future__ import annotations

from chatops.conversation.remedies import remedies
from chatops.model import Message
from chatops.policy.rules import parse_policy
from chatops.results import Finding
from chatops.runbook.catalogue import Catalogue
from tests.conversation.test_service_logic import POLICY


def test_a_value_keeps_its_case_and_names_its_field(catalogue: Catalogue) -> None:
    policy = parse_policy(POLICY)
    finding = Finding("error", "container worker", "OOMKilled", "set_resources",
                      {"namespace": "prod", "deployment": "payments-worker",
                       "container": "worker", "memory_limit": "256Mi"})
    rollback = Finding("error", "container app", "bad image", "rollback_deployment",
                       {"namespace": "prod", "deployment": "checkout-api", "revision": "3"})
    bob = policy.requester(Message(user="UBOB", text="", channel="C1"))
    labels = [r.label for r in remedies((finding, rollback), catalogue, policy, bob)]
    assert labels == ["set_resources payments-worker worker memory_limit=256Mi",
                      "rollback_deployment checkout-api revision 3"]
