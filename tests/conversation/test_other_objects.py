"""`others_named`: the other objects of a change's kind the words name, on an in-memory
cluster (the conversation's cases are in `tests/security/test_other_objects_named.py`)."""

from __future__ import annotations

import pytest

from chatops.conversation.kinds import plain_text
from chatops.conversation.other_objects import OthersNamed, others_named
from chatops.errors import Retryable
from chatops.model import Identity
from chatops.ports import ResourceKind
from tests.conversation.fake_cluster import FakeCluster

CLUSTER = {("prod", "checkout-api"): 3, ("prod", "calc-app"): 2,
           ("staging", "checkout-api"): 1}


def _named(text: str, target: str = "checkout-api", namespace: str | None = "prod",
           cluster: FakeCluster | None = None) -> OthersNamed:
    return others_named(text, target, "deployment", namespace,
                        executor=cluster or FakeCluster(deployments=dict(CLUSTER)),
                        identity=None)


@pytest.mark.parametrize(("text", "objects", "namespaces"), [
    ("restart checkout-api calc-app in prod", ("calc-app",), ()),
    ("restart checkout-api in prod, calc-app is fine", (), ()),
    ("restart checkout-api in prod, calc-app is fine, calc-app too", ("calc-app",), ()),
    ("calc-app is stuck, restart checkout-api in prod, restart it too", ("calc-app",), ()),
    ("restart checkout-api in prod and checkout-api in staging", (), ("staging",)),
    ("restart checkout-api in prod, not the staging one", (), ()),
    ("restart checkout-api in prod and tell staging folks", (), ()),
    # A name with no object: no candidate (the planner says what is wrong with it).
    ("restart checkout-api in prod and calc_app", (), ()),
])
def test_the_candidates_of_a_message(text: str, objects: tuple[str, ...],
                                     namespaces: tuple[str, ...]) -> None:
    assert _named(text) == OthersNamed(objects, namespaces)


def test_a_name_in_another_namespace_is_found_where_the_person_can_list_it() -> None:
    assert _named("scale checkout-api staging calc-app to 0", namespace="staging") \
        == OthersNamed(("calc-app",), ())


def test_no_namespace_given_looks_in_every_namespace() -> None:
    assert _named("restart checkout-api calc-app", namespace=None).objects == ("calc-app",)


class _Unlistable(FakeCluster):
    def names(self, kind: ResourceKind, namespace: str | None,
              identity: Identity | None) -> tuple[str, ...]:
        raise Retryable("could not reach the Kubernetes API server to list deployments.")


def test_names_that_cannot_be_listed_give_no_candidates() -> None:
    """The plan's dry-run still checks its one object; nothing is guessed here."""
    cluster = _Unlistable(deployments=dict(CLUSTER))
    assert _named("restart checkout-api calc-app in prod", cluster=cluster) == OthersNamed()


@pytest.mark.parametrize(("raw", "read"), [
    ("calc\u2011app", "calc-app"), ("calc\u00adapp", "calc-app"), ("c\u200balc-app", "calc-app"),
    ("c\u0332alc-app", "calc-app"), ("\uff43alc-app", "calc-app"),
])
def test_plain_text_folds_what_hides_a_name(raw: str, read: str) -> None:
    assert plain_text(raw) == read


def test_a_plain_word_is_looked_for_in_the_request_s_namespace_only() -> None:
    """Every word in every namespace would cost up to 20 API calls per change: a word with
    no hyphen or digit is a name only where the request is ("worker" in prod), one with
    them anywhere the person can list ("calc-app" from staging)."""
    cluster = FakeCluster(deployments={**CLUSTER, ("staging", "worker"): 1,
                                       ("prod", "api"): 1})
    assert _named("restart checkout-api worker api in prod", cluster=cluster) \
        == OthersNamed(("api",), ())
    assert _named("restart checkout-api worker calc-app", namespace="staging",
                  cluster=cluster).objects == ("worker", "calc-app")
