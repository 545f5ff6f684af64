"""A workload named as the wrong kind, against the sandbox: "ledger-db" asked about as a
deployment when it is a statefulset next to a deployment `ledger`. The bot reads the
object that was named, or says what it is; it never reads a similar name of another
object instead (it used to answer about `ledger`: "healthy", while ledger-db crashed)."""

from __future__ import annotations

import io

import pytest
from kubernetes import client

from chatops.console import Shell
from tests.executor.helpers import deploy, deployment, statefulset
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s

CRASH = {"sandbox.chatops.dev/crashloop": "true"}


@pytest.fixture
def ledger(world: World) -> str:
    """prod with a healthy deployment `ledger` and a crash-looping statefulset `ledger-db`."""
    prod = world.ns["prod"]
    deploy(world.api, prod, deployment("ledger", 1))
    client.AppsV1Api(world.api).create_namespaced_stateful_set(
        prod, statefulset("ledger-db", annotations=CRASH))
    return prod


def bob(world: World) -> tuple[Shell, io.StringIO]:
    out = io.StringIO()
    return Shell(world.service(), user="bob", out=out), out


def test_a_statefulset_diagnosed_by_name_is_read_never_a_deployment_of_a_close_name(
        world: World, ledger: str) -> None:
    sh, _ = bob(world)

    def scanned() -> str | None:
        text = sh.say(f"run diagnose deployment=ledger-db namespace={ledger}")[0].text
        # The statefulset's own finding (the demo world has other crash loops), once its
        # pod has crashed: before that the scan says it may still be starting.
        return text if "statefulset ledger-db, container db: container db is crash-looping" \
            in text else None

    text = wait_for(scanned, timeout=120, interval=1.0, what="ledger-db's crash loop")
    assert "taken as ledger" not in text and "deployment ledger is healthy" not in text
    assert f"'ledger-db' is a statefulset, which diagnose does not read by name, so all of " \
           f"'{ledger}' was read" in text
    assert "[problem] statefulset ledger-db" in text


@pytest.mark.parametrize("request_text", [
    "run restart_deployment deployment=ledger-db namespace={ns}",
    "run scale_deployment deployment=ledger-db namespace={ns} replicas=2",
])
def test_a_change_to_a_statefulset_named_as_a_deployment_is_refused_saying_what_it_is(
        world: World, ledger: str, request_text: str) -> None:
    sh, _ = bob(world)
    replies = sh.say(request_text.format(ns=ledger))
    assert replies[0].run is None and replies[0].kind != "plan", replies[0].text
    assert f"'ledger-db' is a statefulset in namespace {ledger}, not a deployment" in \
        replies[0].text, replies[0].text
    assert sh.service.store.runs_in_thread("console", "console") == []


def test_a_pod_is_still_found_by_its_workloads_name(world: World, ledger: str) -> None:
    sh, _ = bob(world)
    # "the ledger-db pod": the statefulset's pod, found by the start of its name as before,
    # though `ledger-db` is also a statefulset's name.
    text = sh.say(f"run describe_pod pod=ledger-db namespace={ledger}")[0].text
    assert "ledger-db-0" in text and "is a statefulset" not in text, text


def test_a_typo_of_the_same_shape_is_still_taken_as_the_close_name(
        world: World, ledger: str) -> None:
    sh, _ = bob(world)
    text = sh.say(f"run deployment_status deployment=ledgr namespace={ledger}")[0].text
    assert "deployment 'ledgr' taken as ledger" in text, text
