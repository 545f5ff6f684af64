"""How a plan was asked for, as its "Understood" line says to the approver.

Every plan nobody typed as a command ("and in staging?" repeating the last request, the
fix a diagnosis suggested, an alert's proposal, a schedule's firing) read "(explicit
command)": an approver judging how the request was understood was told a person had
typed it. The line now says how it came about, and the run keeps it (a column).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from chatops.model import Identity, Message
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Asked, RunState
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, run_id, say, service_on

SCALE = "run scale_deployment deployment=checkout-api namespace=prod replicas=5"


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("prod", "checkout-api"): 3, ("staging", "checkout-api"): 1,
                                    ("prod", "calc-app"): 2})


def test_a_typed_command_says_so(tmp_path: Path, cluster: FakeCluster,
                                 catalogue: Catalogue) -> None:
    service = service_on(cluster, tmp_path, catalogue, Clock())
    out = say(service, "bob", SCALE)
    assert "(explicit command)" in out[0]
    assert service.store.get(run_id(service)).asked_as is Asked.COMMAND  # type: ignore[union-attr]


def test_a_follow_up_says_it_repeats_the_last_request(tmp_path: Path, cluster: FakeCluster,
                                                      catalogue: Catalogue) -> None:
    service = service_on(cluster, tmp_path, catalogue, Clock())
    say(service, "bob", SCALE)
    out = say(service, "bob", "and in staging?")
    assert "scale deployment checkout-api in staging to 5 replicas" in out[0], out
    assert "(repeating this thread's last request)" in out[0]
    assert "explicit command" not in out[0]
    newest = [r for r in service.store.runs_in_thread("C1", "t1")
              if r.raw_slots.get("namespace") == "staging"]
    assert [r.asked_as for r in newest] == [Asked.FOLLOW_UP]


def test_the_fix_a_diagnosis_suggested_says_so(tmp_path: Path, cluster: FakeCluster,
                                               catalogue: Catalogue) -> None:
    service = service_on(cluster, tmp_path, catalogue, Clock())
    cluster.crashing.add(("prod", "checkout-api"))
    say(service, "bob", "run diagnose namespace=prod deployment=checkout-api")
    out = say(service, "bob", "fix it")
    assert "restart deployment checkout-api in prod" in out[0], out
    assert "(the fix a diagnosis suggested)" in out[0]
    assert "explicit command" not in out[0]


def test_a_model_reading_keeps_its_confidence_through_a_question(
        tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue) -> None:
    """The model read the request; the person only answered which deployment."""
    service = service_on(cluster, tmp_path, catalogue, Clock())
    text = "scale it up to 5 in prod"
    service.parser = Reads({text: ("scale_deployment", {"namespace": "prod", "replicas": "5"})})
    out = say(service, "bob", text)
    assert service.store.runs_in_thread("C1", "t1") == [], out  # asked which deployment
    out = say(service, "bob", "checkout-api")
    assert "scale deployment checkout-api in prod to 5 replicas, confidence 0.99" in out[0], out
    assert service.store.get(run_id(service)).asked_as is Asked.MODEL  # type: ignore[union-attr]


def test_an_alert_proposal_says_so(tmp_path: Path, cluster: FakeCluster,
                                   catalogue: Catalogue) -> None:
    service = service_on(cluster, tmp_path, catalogue, Clock())
    replies = service.propose_for_alert(
        "scale_deployment", {"deployment": "checkout-api", "namespace": "prod",
                             "replicas": "4"},
        identity=Identity("chatops-preview", ()), channel="C1", thread="t9",
        actor="alertmanager")
    shown = next(r for r in replies if r.run is not None)
    assert shown.run is not None and "(proposed for an alert)" in shown.run.understood
    assert "explicit command" not in shown.text


def test_an_edit_by_button_keeps_how_the_plan_was_asked(
        tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue) -> None:
    service = service_on(cluster, tmp_path, catalogue, Clock())
    say(service, "bob", SCALE)
    say(service, "bob", "and in staging?")
    staging = next(r.id for r in service.store.runs_in_thread("C1", "t1")
                   if r.raw_slots.get("namespace") == "staging")
    out = service.edit(staging, Message("UBOB", "", "C1", "t1"), {"replicas": "2"})
    assert "(repeating this thread's last request)" in out[-1].text, out[-1].text
    edited = [r for r in service.store.runs_in_thread("C1", "t1")
              if r.raw_slots.get("replicas") == "2"]
    assert [r.asked_as for r in edited] == [Asked.FOLLOW_UP]
    assert edited[0].state is RunState.PROPOSED


def test_a_run_stored_before_the_column_shows_what_it_showed_then(
        tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue) -> None:
    """A run written by the release before (no `asked_as`) reads as it did: by its
    confidence, "(explicit command)" at 1.0."""
    clock = Clock()
    service = service_on(cluster, tmp_path, catalogue, clock)
    say(service, "bob", SCALE)
    rid = run_id(service)
    with closing(sqlite3.connect(tmp_path / "state.db")) as db, db:
        db.execute("UPDATE runs SET asked_as = '' WHERE id = ?", (rid,))
    run = open_state(tmp_path / "state.db", clock=clock).runs.get(rid)
    assert run is not None and run.asked_as is None
    assert "(explicit command)" in service.view(rid).understood
