"""Impersonation headers, retries and error mapping, against a scripted HTTP server."""

from __future__ import annotations

from typing import Any

import pytest

from chatops.errors import Forbidden, NotFound, Permanent, Retryable
from chatops.executor import KubeExecutor, RetryPolicy
from chatops.executor.verify import Poller
from chatops.model import Identity, Step
from tests.executor.conftest import ScriptedServer


def status(code: int, message: str, reason: str = "") -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": reason, "code": code}


def executor(server: ScriptedServer, **kw: Any) -> KubeExecutor:
    sleeps: list[float] = []
    return KubeExecutor(server.api_client(), sleep=sleeps.append,
                        retry=RetryPolicy(attempts=3, request_timeout=5), **kw)


def test_every_group_is_its_own_header_line(scripted: ScriptedServer) -> None:
    ex = executor(scripted)
    ex.run_step(Step("list_pods", {"namespace": "prod"}),
                Identity("alice", ("oncall", "system:authenticated")))
    (req,) = scripted.seen
    assert ("Impersonate-User", "alice") in req.headers
    groups = [v for k, v in req.headers if k.lower() == "impersonate-group"]
    assert groups == ["oncall", "system:authenticated"]


def test_identities_do_not_leak_into_each_other(scripted: ScriptedServer) -> None:
    ex = executor(scripted)
    step = Step("list_pods", {"namespace": "prod"})
    ex.run_step(step, Identity("alice", ("a",)))
    ex.run_step(step, Identity("bob"))
    ex.run_step(step, None)
    alice, bob, bot = (dict((k.lower(), v) for k, v in r.headers) for r in scripted.seen)
    assert alice["impersonate-user"] == "alice"
    assert bob["impersonate-user"] == "bob" and "impersonate-group" not in bob
    assert "impersonate-user" not in bot


def test_forbidden_names_verb_resource_and_namespace(scripted: ScriptedServer) -> None:
    scripted.route = lambda m, p: (403, status(403, 'deployments.apps "web" is forbidden: '
                                               'User "alice" cannot get ...', "Forbidden"))
    with pytest.raises(Forbidden) as err:
        executor(scripted).run_step(
            Step("scale", {"namespace": "prod", "deployment": "web", "replicas": 3}),
            Identity("alice"))
    assert err.value.message == "alice may not get deployments in namespace prod."
    assert "cannot get" not in str(err.value)  # never the raw API body
    assert isinstance(err.value.__cause__, Exception)


def test_not_found_suggests_close_names(scripted: ScriptedServer) -> None:
    def route(method: str, path: str) -> tuple[int, dict[str, Any]]:
        if path.startswith("/apis/apps/v1/namespaces/prod/deployments?") or path.endswith(
                "/deployments"):
            return 200, {"items": [{"metadata": {"name": n}} for n in
                                   ("checkout-api", "checkout-worker", "search")]}
        return 404, status(404, 'deployments.apps "checkout-apj" not found', "NotFound")

    scripted.route = route
    with pytest.raises(NotFound) as err:
        executor(scripted).current_replicas("prod", "checkout-apj", None)
    assert err.value.message == "deployment checkout-apj not found in namespace prod"
    assert err.value.suggestions[0] == "checkout-api"
    assert "Did you mean checkout-api" in err.value.hint


def test_429_and_5xx_are_retried_then_give_up(scripted: ScriptedServer) -> None:
    answers = iter([(429, status(429, "slow down")), (503, status(503, "busy")),
                    (200, {"items": [{"metadata": {"name": "a"}}]})])
    scripted.route = lambda m, p: next(answers)
    assert executor(scripted).names("pod", "prod", None) == ("a",)
    assert len(scripted.seen) == 3

    scripted.seen.clear()
    scripted.route = lambda m, p: (503, status(503, "busy"))
    with pytest.raises(Retryable, match="HTTP 503"):
        executor(scripted).names("pod", "prod", None)
    assert len(scripted.seen) == 3  # bounded


def test_invalid_request_is_permanent_with_the_servers_reason(scripted: ScriptedServer) -> None:
    scripted.route = lambda m, p: (422, status(422, "spec.replicas: Invalid value: -1 "
                                                    "password=hunter2"))
    with pytest.raises(Permanent) as err:
        executor(scripted).names("pod", "prod", None)
    assert "Invalid value" in err.value.message and "hunter2" not in err.value.message
    assert not isinstance(err.value, Retryable)


def test_unreachable_server_is_retryable() -> None:
    from kubernetes import client

    cfg = client.Configuration()
    cfg.host = "http://127.0.0.1:9"  # discard port: connection refused
    ex = KubeExecutor(client.ApiClient(cfg), sleep=lambda s: None,
                      retry=RetryPolicy(attempts=2, request_timeout=2))
    with pytest.raises(Retryable, match="could not reach"):
        ex.names("namespace", None, None)


def test_names_are_cached_briefly(scripted: ScriptedServer) -> None:
    now = [100.0]
    ex = executor(scripted, clock=lambda: now[0], names_ttl=5.0)
    ex.names("deployment", "prod", None)
    ex.names("deployment", "prod", None)
    assert len(scripted.seen) == 1
    ex.names("deployment", "prod", Identity("alice"))  # per identity: RBAC may differ
    assert len(scripted.seen) == 2
    now[0] += 6
    ex.names("deployment", "prod", None)
    assert len(scripted.seen) == 3


def test_poller_times_out_with_what_is_missing() -> None:
    now = [0.0]
    poller = Poller(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s),
                    interval=1.0)
    lines: list[str] = []
    result = poller.run("wait_rollout", lambda: (False, "2 of 5 replicas available"), 300,
                        lines.append)
    assert not result.ok
    assert result.message == "2 of 5 replicas available after 300 s"
    assert lines == ["2 of 5 replicas available"]


def test_spec_change_between_read_and_write_rereads_and_reapplies(
    scripted: ScriptedServer,
) -> None:
    """The patch is guarded by a `test` of metadata.generation: when someone changed the
    spec between our read and our write, the server refuses it (422 for a failed test, or
    409), and the executor re-reads and builds the patch again from the new version."""
    generations = iter([1, 2, 2])
    patches = iter([(422, status(422, "the server rejected our request")),
                    (409, status(409, "the object has been modified", "Conflict")),
                    (200, {"metadata": {"name": "web", "generation": 3},
                           "spec": {"replicas": 5,
                                    "selector": {"matchLabels": {"app": "web"}}}})])

    def route(method: str, path: str) -> tuple[int, dict[str, Any]]:
        if method == "PATCH":
            return next(patches)
        if "/pods" in path:
            return 200, {"items": []}
        return 200, {"metadata": {"name": "web", "namespace": "prod",
                                  "generation": next(generations, 2)},
                     "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}}}

    scripted.route = route
    result = executor(scripted).run_step(
        Step("scale", {"namespace": "prod", "deployment": "web", "replicas": 5}), None)
    sent = [r.body for r in scripted.seen if r.method == "PATCH"]
    assert sent[0] == [{"op": "test", "path": "/metadata/generation", "value": 1},
                       {"op": "add", "path": "/spec/replicas", "value": 5}]
    assert [b[0]["value"] for b in sent] == [1, 2, 2]
    assert [(c.path, c.before, c.after) for c in result.changes] == [("spec.replicas", 3, 5)]


def test_invalid_change_is_not_mistaken_for_a_conflict(scripted: ScriptedServer) -> None:
    def route(method: str, path: str) -> tuple[int, dict[str, Any]]:
        if method == "PATCH":
            return 422, status(422, "spec.replicas: Invalid value: 100000: too many")
        if "/pods" in path:
            return 200, {"items": []}
        return 200, {"metadata": {"name": "web", "namespace": "prod", "generation": 4},
                     "spec": {"replicas": 3}}

    scripted.route = route
    with pytest.raises(Permanent, match="Invalid value: 100000"):
        executor(scripted).run_step(
            Step("scale", {"namespace": "prod", "deployment": "web", "replicas": 100000}), None)
    assert sum(r.method == "PATCH" for r in scripted.seen) == 1


def test_every_error_answer_is_counted_once_even_those_the_caller_handles(
    scripted: ScriptedServer,
) -> None:
    """A 409/422 the patch retries itself, a 422 it gives up on, each counted once by
    status (the count used to miss the statuses passed through to the caller, and
    would have counted the final 422 twice had it been mapped in two places)."""
    from chatops.metrics import METRICS

    def count(status_code: str) -> float:
        value = METRICS.registry.get_sample_value("chatops_kubernetes_api_errors_total",
                                                  {"status": status_code})
        return value or 0.0

    before = {s: count(s) for s in ("409", "422")}
    patches = iter([(409, status(409, "the object has been modified", "Conflict")),
                    (422, status(422, "spec.replicas: Invalid value: 100000: too many"))])

    def route(method: str, path: str) -> tuple[int, dict[str, Any]]:
        if method == "PATCH":
            return next(patches)
        if "/pods" in path:
            return 200, {"items": []}
        return 200, {"metadata": {"name": "web", "namespace": "prod", "generation": 4},
                     "spec": {"replicas": 3}}

    scripted.route = route
    with pytest.raises(Permanent):
        executor(scripted).run_step(
            Step("scale", {"namespace": "prod", "deployment": "web", "replicas": 100000}), None)
    assert count("409") - before["409"] == 1
    assert count("422") - before["422"] == 1
