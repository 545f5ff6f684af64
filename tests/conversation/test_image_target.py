"""The image after "to" is the one asked for, when the message also shows another.

A user trial: "Image: ghcr.io/acme/indexer:0.14.2 ... -- bump it to 0.14.3 in prod" was
read with the pasted image ("nothing to change"); an older pasted image would have been
planned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation.image_target import image_after_to
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.mark.parametrize(("text", "tagged", "taken"), [
    ("Image: ghcr.io/acme/indexer:0.14.1 State: Running -- bump it to 0.14.3 in prod",
     "ghcr.io/acme/indexer:0.14.1", "0.14.3"),
    ("set it to `nginx:1.25`, staging runs nginx:1.24", "nginx:1.24", "nginx:1.25"),
    # A "to" of another order, or in the model's value's own clause (an attacker review:
    # "..., scale stays pinned to 3" planned nginx:3).
    ("set image nginx:1.26 on checkout-api in prod, scale stays pinned to 3", "nginx:1.26",
     None),
    ("update checkout-api in prod with image nginx:1.26, it is pinned to 3 replicas",
     "nginx:1.26", None),
    ("set image nginx:1.26 on web, it was pinned to 1.25", "nginx:1.26", None),
    ("change the image from nginx:1.24 to nginx:1.25", "nginx:1.24", None),
    # The model's own value, none after "to", or no image after it: as read.
    ("set web-frontend to nginx:1.25", "nginx:1.25", None),
    ("bump it to 1.25 to match staging, which runs 1.24", "1.25", None),
    ("use nginx:1.25 for web-frontend", "nginx:1.25", None),
    ("set the image to fix the bug: nginx:1.25", "nginx:1.25", None),
    # Two targets: as read (the question of which is the plan's to show).
    ("go to 1.24 or to 1.25", "1.24", None),
])
def test_the_image_after_to(text: str, tagged: str, taken: str | None) -> None:
    assert image_after_to(text, tagged) == taken


def test_a_pasted_image_is_not_planned_over_the_one_asked_for(tmp_path: Path,
                                                               catalogue: Catalogue) -> None:
    service = service_on(FakeCluster(deployments={("prod", "web-frontend"): 1}), tmp_path,
                         catalogue, Clock())
    text = "Image: nginx:1.23 State: Running -- set web-frontend in prod to nginx:1.25"
    service.parser = Reading({"deployment": "web-frontend", "namespace": "prod",
                              "image": "nginx:1.23"}, intent="set_image")
    (out, *_) = say(service, "bob", text)
    assert "to nginx:1.25" in out and 'image nginx:1.25: the one after "to"' in out, out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.raw_slots["image"] == "nginx:1.25"
