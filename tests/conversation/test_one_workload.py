"""A read about a namespace asked about one deployment is that deployment's read.

A user trial: "what image is web-frontend on" (list_images, nothing tagged, no namespace)
listed every image of the cluster; the one deployment a word names, in the namespaces the
person may list, is what it asks about.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on

DEPLOYMENTS = {("prod", "web-frontend"): 1, ("prod", "checkout-api"): 3,
               ("staging", "checkout-api"): 1}


@pytest.mark.parametrize(("text", "slots", "expected"), [
    ("what image is web-frontend on", {}, {"deployment": "web-frontend",
                                           "namespace": "prod"}),
    ("what image is web-frontend running in prod?", {"namespace": "prod"},
     {"deployment": "web-frontend", "namespace": "prod"}),
])
def test_an_image_question_about_one_deployment_reads_it(
        tmp_path: Path, catalogue: Catalogue, text: str, slots: dict[str, str],
        expected: dict[str, str]) -> None:
    service = service_on(FakeCluster(deployments=DEPLOYMENTS), tmp_path, catalogue, Clock())
    service.parser = Reading(slots, intent="list_images", confidence=0.99)
    out = say(service, "bob", text)
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, dict(run.raw_slots)) == ("deployment_status", expected), out


def test_a_name_several_namespaces_have_keeps_the_list(tmp_path: Path,
                                                       catalogue: Catalogue) -> None:
    service = service_on(FakeCluster(deployments=DEPLOYMENTS), tmp_path, catalogue, Clock())
    service.parser = Reading({}, intent="list_images", confidence=0.99)
    say(service, "bob", "what image is checkout-api on")
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.runbook == "list_images"
