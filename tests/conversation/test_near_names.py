"""Only a plausible typo of a missing name is offered ("Did you mean ...?").

A user trial: "restart calc-app in prod", then "and in staging?" (staging has no calc-app)
was answered "Did you mean checkout-api?", and "yes" planned a restart of checkout-api;
"restart checkout-api in prod-eu" was offered prod. An offer is taken with one word, so it
must be a typo or an abbreviation of the name, never another object.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.near_names import near_names
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.mark.parametrize(("value", "names", "offered"), [
    # Typos and abbreviations are offered.
    ("chekout-api", ("checkout-api", "calc-app"), ("checkout-api",)),
    ("serach-indexer", ("search-indexer",), ("search-indexer",)),
    ("prdo", ("prod", "dev"), ("prod",)),
    ("stg", ("staging", "prod"), ("staging",)),
    ("chkout", ("checkout-api", "checkout-web", "calc-app"), ("checkout-api", "checkout-web")),
    # Other objects are not.
    ("calc-app", ("checkout-api", "cache"), ()),
    ("prod-eu", ("prod", "staging"), ()),
    ("ledger-db", ("ledger", "ledger-api"), ()),
    ("node-9", ("node-1", "node-3"), ()),
    ("worker-4", ("worker-2",), ()),
    ("api", ("checkout-api", "web"), ()),
    # An attacker review: an abbreviation of another object's parts.
    ("db", ("dashboard-backend",), ()),
    ("api", ("audit-pipeline",), ()),
])
def test_near_names_are_typos_and_abbreviations_only(value: str, names: tuple[str, ...],
                                                     offered: tuple[str, ...]) -> None:
    assert near_names(value, names) == offered


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2, ("staging", "checkout-api"): 1,
                                       ("prod", "checkout-api"): 3},
                          nodes={"node-1": False, "node-3": False})
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize(("text", "reading", "other"), [
    ("restart calc-app in staging", ("restart_deployment",
                                     {"deployment": "calc-app", "namespace": "staging"}),
     "checkout-api"),
    ("restart checkout-api in prod-eu", ("restart_deployment",
                                         {"deployment": "checkout-api", "namespace": "prod-eu"}),
     "prod"),
    ("drain node-9", ("drain_node", {"node": "node-9"}), "node-3"),
])
def test_another_object_is_never_offered_for_a_missing_name(
        service: ConversationService, text: str, reading: tuple[str, dict[str, str]],
        other: str) -> None:
    service.parser = Reads({text: reading})
    out = say(service, "bob", text)
    assert "not found" in out[0] and "Did you mean" not in out[0], out
    # "yes" takes nothing: no question waits.
    out = say(service, "bob", "yes")
    assert not any(other in line for line in out), out
    assert service.store.runs_in_thread("C1", "t1") == []


def test_a_pod_one_character_off_is_never_offered(tmp_path: Path,
                                                 catalogue: Catalogue) -> None:
    """A user trial: the pod named was gone, and the rollout's new pod was offered."""
    cluster = FakeCluster(deployments={("prod", "web-frontend"): 1},
                          pods={("prod", "web-frontend-79f48c8bb8-rfgrx")})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    text = "kill web-frontend-79f48c8bb8-rfgrz in prod"
    service.parser = Reads({text: ("delete_pod", {"pod": "web-frontend-79f48c8bb8-rfgrz",
                                                  "namespace": "prod"})})
    out = say(service, "bob", text)
    assert "not found" in out[0] and "Did you mean" not in out[0], out
    assert service.store.runs_in_thread("C1", "t1") == []


def test_a_typo_is_still_offered_and_taken(service: ConversationService) -> None:
    text = "restart chekout-api in prod"
    service.parser = Reads({text: ("restart_deployment",
                                   {"deployment": "chekout-api", "namespace": "prod"})})
    out = say(service, "bob", text)
    assert "Did you mean checkout-api?" in out[0], out
    out = say(service, "bob", "yes")
    assert "restart deployment checkout-api in prod" in out[-1], out
