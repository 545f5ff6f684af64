"""Reading the version a rollback request names, and matching it to an image (pure)."""

from __future__ import annotations

import pytest

from chatops.conversation.rollback_version import named_revision, named_version, runs


@pytest.mark.parametrize(("text", "version"), [
    ("roll back checkout-api in prod to 1.25", "1.25"),
    ("rollback checkout-api to nginx:1.25 pls", "nginx:1.25"),
    ("we were on v2.4.1 before, go back", "v2.4.1"),
    ("revert api to version 1.25.3-rc1.", "1.25.3-rc1"),
    ("roll back api to the release 2.0", "2.0"),
    ("go back to ghcr.io/acme/calc:2.4.1", "ghcr.io/acme/calc:2.4.1"),
    ("roll back api to revision 3", None),  # a revision: the model's slot
    ("roll back api, it broke at 10:30", None),
    ("roll back api to 10:30's version", None),
    ("roll back checkout-api in prod", None),
    ("roll back checkout-api in prod to 2", None),  # a revision (`named_revision`)
])
def test_the_version_a_rollback_names(text: str, version: str | None) -> None:
    assert named_version(text) == version


@pytest.mark.parametrize(("image", "version", "expected"), [
    ("nginx:1.25", "1.25", True), ("nginx:1.25", "v1.25", True),
    ("nginx:1.25", "nginx:1.25", True), ("docker.io/library/nginx:1.25", "nginx:1.25", True),
    ("nginx:1.25.1", "1.25", False), ("nginx:1.26", "1.25", False),
    ("registry:5000/app:2.0", "5000", False), ("nginx", "1.25", False),
    ("nginx:1.25@sha256:abc", "1.25", True),
    # An attacker review: another registry's image of the same name is not the one named.
    ("evil.io/nginx:1.25", "nginx:1.25", False),
    ("docker.io/nginx:1.25", "nginx:1.25", True),
    ("ghcr.io/acme/calc:2.4.1", "ghcr.io/acme/calc:2.4.1", True),
])
def test_an_image_runs_the_version(image: str, version: str, expected: bool) -> None:
    assert runs(image, version) is expected


# Through the conversation: the version is kept where a revision number would go wrong
# (an attacker review: dropped when the bot asked back; carried to another namespace as
# the revision number it had been in the first).
from pathlib import Path  # noqa: E402

from chatops.conversation import ConversationService  # noqa: E402
from chatops.results import RevisionInfo  # noqa: E402
from chatops.runbook.catalogue import Catalogue  # noqa: E402
from tests.conversation.fake_cluster import FakeCluster  # noqa: E402
from tests.conversation.test_carried_target import Reads  # noqa: E402
from tests.conversation.test_service_logic import Clock, say, service_on  # noqa: E402

PROD = (RevisionInfo(3, "api-3", ("nginx:1.26",), current=True),
        RevisionInfo(2, "api-2", ("nginx:1.25",)), RevisionInfo(1, "api-1", ("nginx:1.24",)))
STAGING = (RevisionInfo(7, "api-7", ("nginx:1.26",), current=True),
           RevisionInfo(6, "api-6", ("nginx:1.24",)), RevisionInfo(1, "api-1", ("nginx:1.19",)))


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "api"): 2, ("staging", "api"): 1},
                          history={("prod", "api"): PROD, ("staging", "api"): STAGING})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _rollbacks(service: ConversationService) -> list[dict[str, str]]:
    return [dict(r.raw_slots) for r in service.store.runs_in_thread("C1", "t1")
            if r.runbook == "rollback_deployment"]


def test_a_version_is_kept_through_a_question(service: ConversationService) -> None:
    text = "roll back api to 1.24"
    service.parser = Reads({text: ("rollback_deployment", {"deployment": "api"})})
    say(service, "UBOB", text)
    out = say(service, "UBOB", "prod")
    assert "1.24 is revision 1" in out[0], out
    assert _rollbacks(service) == [{"deployment": "api", "namespace": "prod", "revision": "1"}]


def test_a_follow_up_elsewhere_looks_the_version_up_there(
        service: ConversationService) -> None:
    text = "roll back api in prod to 1.24"
    service.parser = Reads({text: ("rollback_deployment",
                                   {"deployment": "api", "namespace": "prod"})})
    say(service, "UBOB", text)
    out = say(service, "UBOB", "and in staging?")
    assert "1.24 is revision 6" in out[0], out
    assert {"deployment": "api", "namespace": "staging", "revision": "6"} in _rollbacks(service)


@pytest.mark.parametrize(("text", "revision"), [
    ("roll back checkout-api in prod to 2", "2"), ("rollback api to rev 7 pls", "7"),
    ("roll back api to 1.25", None), ("roll back api in prod", None),
    ("roll billing back to 3", "3"), ("can you revert api in prod to 4?", "4"),
    # An attacker review: another clause's "to N" was planned as the revision.
    ("roll back api in prod, scaling it to 1 didn't help", None),
    ("roll back api, the error rate went from 0 to 1 percent", None),
    ("roll back api because errors went from 0 to 1", None),
    ("roll back api and then scale it to 3", None),
    ("roll back api in prod to 2 replicas", None),
    ("roll back api, to rev 5", "5"),
])
def test_a_bare_number_a_rollback_goes_to_is_its_revision(text: str,
                                                          revision: str | None) -> None:
    """A second trial: "roll back checkout-api in prod to 2" planned the previous revision
    (the model tagged no revision in "to 2")."""
    assert named_revision(text) == revision


def test_the_version_it_runs_now_is_refused_though_an_older_revision_runs_it_too(
        service: ConversationService) -> None:
    """A second trial: after a restart (a new revision, same image), "to 1.25" planned the
    older revision that runs 1.25: a rollback that only replaces the pods."""
    cluster = service.executor
    assert isinstance(cluster, FakeCluster)
    cluster.history[("prod", "api")] = (
        RevisionInfo(4, "api-4", ("nginx:1.25",), current=True),
        RevisionInfo(3, "api-3", ("nginx:1.25",)), RevisionInfo(2, "api-2", ("nginx:1.26",)))
    text = "roll back api in prod to 1.25"
    service.parser = Reads({text: ("rollback_deployment",
                                   {"deployment": "api", "namespace": "prod"})})
    out = say(service, "UBOB", text)
    assert "already runs nginx:1.25 (revision 4)" in out[0], out
    assert _rollbacks(service) == []


def test_a_revision_read_from_the_words_is_said_in_the_plan(
        service: ConversationService) -> None:
    """An attacker review: "to N" planned as a revision with no note that the words said
    it; the plan now says where the number came from."""
    text = "roll back api in prod to 2"
    service.parser = Reads({text: ("rollback_deployment",
                                   {"deployment": "api", "namespace": "prod"})})
    out = say(service, "UBOB", text)
    assert "revision 2: the number after \"to\" in your message" in out[0], out
    assert _rollbacks(service) == [{"deployment": "api", "namespace": "prod", "revision": "2"}]
