"""A message the dialogue answered otherwise than the model read it is exported for review.

The dialogue's readings (trouble under the model's bar answered with a diagnosis, a question
about a change's state answered with a read, an edit the model was unsure of, a namespace's
read asked about one deployment, "undo the drain" read as a drain) each mend a message the
model got wrong or left under its bar: exactly what the model should learn. Before, `chatops
nlu feedback` listed none of them (it knew out-of-scope, asked-back, refused and edited
messages only), so the feedback loop never taught the model what the rules patch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatops.audit import AuditLog
from chatops.audit.feedback import feedback_entries, logged_events
from chatops.conversation import ConversationService
from chatops.model import Message
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_edits_in_words import ReadsADeny
from tests.conversation.test_edits_in_words import Unsure as UnsureEdit
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on
from tests.conversation.test_trouble_in_words import Unsure

PROD_CALC = {"deployment": "calc-app", "namespace": "prod"}


def _service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2, ("prod", "payments-worker"): 2},
                          crashing={("prod", "calc-app")}, nodes={"node-3": False},
                          cronjobs={("prod", "nightly-report")})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _exported(tmp_path: Path) -> dict[str, dict[str, Any]]:
    found = feedback_entries(logged_events(AuditLog(tmp_path / "audit.db")))
    return {entry.text: entry.to_yaml() for entry in found.entries}


def test_each_reading_is_exported_with_what_it_answered(tmp_path: Path,
                                                        catalogue: Catalogue) -> None:
    service = _service(tmp_path, catalogue)
    # Understood as asked: nothing to learn.
    service.parser = Reading("deployment_status", PROD_CALC)
    say(service, "bob", "status of calc-app in prod", thread="t0")
    # Trouble under the bar: a diagnosis.
    service.parser = Unsure(PROD_CALC)
    out = say(service, "bob", "calc-app down in prod, help", thread="t1")
    assert "crash-looping" in out[0], out
    # A question about a change's state: the read its runbook names.
    service.parser = Reading("suspend_cronjob", {"cronjob": "nightly-report",
                                                 "namespace": "prod"})
    out = say(service, "bob", "is nightly-report suspended in prod?", thread="t2")
    assert out[0].startswith("(a question, not a request"), out
    # A namespace's image list asked about one deployment.
    service.parser = Reading("list_images", PROD_CALC)
    say(service, "bob", "what image is calc-app running in prod?", thread="t3")
    # An edit the model was unsure of.
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4", thread="t4")
    service.parser = UnsureEdit("scale_deployment", 0.69, {"replicas": "6"})
    say(service, "bob", "actually make it 6", thread="t4")
    # "no, 3 replicas", read as a no, is an edit of the waiting plan.
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=5", thread="t6")
    service.parser = ReadsADeny({"replicas": "3"}, 0.64)
    say(service, "bob", "no, 3 replicas", thread="t6")
    # "undo the scale", read as a scale, after the thread's scale ran.
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=3", thread="t5")
    (scale,) = service.store.runs_in_thread("C1", "t5")
    service.decide(scale.id, Message("UCAROL", "", "C1", "t5"), "approve")
    text = "hmm that was wrong, revert the scale"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "3"})})
    say(service, "bob", text, thread="t5")

    entries = _exported(tmp_path)
    trouble = entries["[calc-app](deployment) down in [prod](namespace), help"]
    assert trouble["why"] == ["reread"] and trouble["read_as"] == ["trouble"]
    assert trouble["intent"] == "diagnose" and trouble["guessed_intent"] == "oos"
    assert trouble["final_slots"] == PROD_CALC and trouble["reviewed"] is False
    # Only the values the answer took are marked up: a diagnosis has no cronjob.
    state = entries["is nightly-report suspended in [prod](namespace)?"]
    assert (state["intent"], state["guessed_intent"]) == ("diagnose", "suspend_cronjob")
    assert state["read_as"] == ["state_question"] and state["final_slots"] == {
        "namespace": "prod"}
    image = entries["what image is [calc-app](deployment) running in [prod](namespace)?"]
    assert (image["intent"], image["read_as"]) == ("deployment_status", ["one_workload"])
    assert image["final_slots"] == PROD_CALC
    edit = entries["actually make it [6](replicas)"]
    assert (edit["intent"], edit["read_as"]) == ("scale_deployment", ["edit"])
    assert edit["final_slots"] == {"replicas": "6"}
    # The undo is the meta intent, with no values of its own (the run says what it undoes).
    undo = entries[text]
    assert (undo["intent"], undo["guessed_intent"]) == ("undo", "scale_deployment")
    assert undo["read_as"] == ["undo"] and "final_slots" not in undo
    assert not any("status of calc-app" in key for key in entries), entries
    # The explicit commands are not the model's to learn.
    assert not any(key.startswith("run ") for key in entries), entries
    no = entries["no, [3](replicas) replicas"]
    assert (no["intent"], no["guessed_intent"], no["read_as"]) == (
        "scale_deployment", "deny", ["edit"])
    assert len(entries) == 6, entries
