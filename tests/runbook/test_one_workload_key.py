"""`one_workload`: a read-only runbook about a namespace may name the read-only runbook
that answers about one deployment; asked about one ("what image is api running in
prod?"), the bot answers with it instead of the whole namespace's list, the name dropped
without a word (a session-34 user trial). The file and the catalogue refuse anything
else, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatops.errors import RunbookInvalid
from chatops.model import ParsedIntent
from chatops.runbook.catalogue import Catalogue, validate_path
from chatops.runbook.schema import parse_runbook
from runbooks import CATALOGUE_DIR
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import Clock, say, service_on
from tests.runbook.test_catalogue import _minimal

READ_STEP = [{"verb": "get_deployment",
              "params": {"namespace": "{{ namespace }}", "deployment": "{{ deployment }}"}}]


def test_the_shipped_image_list_answers_one_deployment_with_its_status(
        catalogue: Catalogue) -> None:
    assert catalogue.get("list_images").one_workload == "deployment_status"


@pytest.mark.parametrize(("doc", "message"), [
    (_minimal(risk="read", steps=READ_STEP, verify=[], one_workload=3),
     "must be the name of a runbook"),
    (_minimal(one_workload="deployment_status"), "only a read-only runbook may name one"),
])
def test_bad_values_name_the_key(doc: dict[str, object], message: str) -> None:
    with pytest.raises(RunbookInvalid) as info:
        parse_runbook(doc, "x.yaml")
    assert info.value.field == "one_workload" and message in str(info.value)


@pytest.mark.parametrize(("target", "message"), [
    ("no_such_runbook", "no runbook called 'no_such_runbook'"),
    ("restart_deployment", "restart_deployment is not read-only"),
    ("node_status", "node_status has no slot of type deployment"),
])
def test_the_catalogue_checks_the_runbook_named(tmp_path: Path, target: str,
                                                message: str) -> None:
    for file in CATALOGUE_DIR.glob("*.yaml"):
        (tmp_path / file.name).write_text(file.read_text())
    images = yaml.safe_load((tmp_path / "list_images.yaml").read_text())
    images["one_workload"] = target
    (tmp_path / "list_images.yaml").write_text(yaml.safe_dump(images))
    _, errors = validate_path(tmp_path)
    assert [(e.field, message in str(e)) for e in errors] == [("one_workload", True)], errors


class Reads:
    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), 0.99, source="model")


def test_an_image_question_about_one_deployment_is_answered_about_it(
        tmp_path: Path, catalogue: Catalogue) -> None:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3, ("prod", "calc-app"): 2})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reads("list_images", {"deployment": "checkout-api", "namespace": "prod"})
    (out,) = say(service, "bob", "what image is checkout-api running in prod?")
    assert "checkout-api in prod" in out and "calc-app" not in out, out
    assert "deployment_status" in out  # the note says how it was answered
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.runbook == "deployment_status"


@pytest.mark.parametrize("text", [
    "what image is checkout-api running in prod?",
    "whats the image on `checkout-api` in prod",
])
def test_the_deployment_is_found_by_its_exact_name_when_the_model_tags_none(
        tmp_path: Path, catalogue: Catalogue, text: str) -> None:
    # Trying it in the demo: the shipped model tags no deployment in an image question
    # (its training data has none there), only the namespace.
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3, ("prod", "calc-app"): 2})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reads("list_images", {"namespace": "prod"})
    (out,) = say(service, "bob", text)
    assert "checkout-api in prod" in out and "calc-app" not in out, out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, dict(run.raw_slots)) == (
        "deployment_status", {"namespace": "prod", "deployment": "checkout-api"})


def test_an_image_question_naming_no_deployment_lists_the_namespace(
        tmp_path: Path, catalogue: Catalogue) -> None:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3, ("prod", "calc-app"): 2})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reads("list_images", {"namespace": "prod"})
    say(service, "bob", "which images run in prod? checkout is slow")  # no exact name
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.runbook == "list_images"
