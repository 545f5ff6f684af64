"""410 Gone: a watch whose resourceVersion was compacted away lists again and goes on from
the new list. The sandbox's API server serves old versions from its watch cache (its etcd
starts empty, so the cache holds every version), so the 410 is provoked here at the HTTP
boundary: a small local API server answers as kube-apiserver does ("too old resource
version" as a watch ERROR event, or as the watch request's own 410 status), and the real
`kubernetes` client and `KubeWatcher` talk to it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from chatops.executor.client import Kube, RetryPolicy
from chatops.executor.watch import KubeWatcher
from chatops.metrics import METRICS
from chatops.ports import WatchEvent
from tests.local_http import QuietHandler, serving
from tests.slack.conftest import eventually

NOW = "500"


def pod(name: str, rv: str) -> dict[str, Any]:
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "dev", "resourceVersion": rv}}


class FakeAPI(QuietHandler):
    """Lists at `NOW`; a watch from an older version is gone, one from `NOW` gets a pod."""

    gone_as_status = False
    refuse_lists = False
    requests: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        rv = query.get("resourceVersion", [None])[0]
        watching = query.get("watch", ["false"])[0] in ("true", "1", "True")
        FakeAPI.requests.append(("watch" if watching else "list", rv))
        if not watching and self.refuse_lists:
            self._json(403, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                             "reason": "Forbidden", "code": 403, "message": "forbidden"})
            return
        if not watching:
            self._json(200, {"kind": "PodList", "apiVersion": "v1",
                             "metadata": {"resourceVersion": NOW},
                             "items": [pod("api-1", "400")]})
            return
        if rv != NOW:
            status = {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                      "reason": "Expired", "code": 410,
                      "message": f"too old resource version: {rv} ({NOW})"}
            if self.gone_as_status:
                self._json(410, status)
                return
            self._stream([{"type": "ERROR", "object": status}])
            return
        self._stream([{"type": "ADDED", "object": pod("api-2", "501")}])

    def _json(self, code: int, body: dict[str, Any]) -> None:
        self.send_body(code, json.dumps(body).encode())

    def _stream(self, events: list[dict[str, Any]]) -> None:
        self.send_body(200, b"".join(json.dumps(e).encode() + b"\n" for e in events))


@pytest.fixture
def api() -> Iterator[Any]:
    from kubernetes import client

    FakeAPI.requests = []
    FakeAPI.refuse_lists = False
    with serving(FakeAPI) as url:
        config = client.Configuration()
        config.host = url
        api_client = client.ApiClient(config)
        yield api_client
        api_client.close()  # type: ignore[no-untyped-call]


def relists() -> float:
    return METRICS.registry.get_sample_value("chatops_watch_relists_total",
                                             {"resource": "pods"}) or 0.0


def errors() -> float:
    return METRICS.registry.get_sample_value("chatops_watch_errors_total",
                                             {"resource": "pods"}) or 0.0


def test_a_failing_stream_is_counted_and_backs_off(api: Any) -> None:
    FakeAPI.refuse_lists = True
    before = errors()
    watcher = KubeWatcher(Kube(api, None, RetryPolicy()), ("dev",), nodes=False, jobs=False,
                          timeout_seconds=1)
    watcher.start(lambda event: None)
    try:
        eventually(lambda: errors() > before, what="the refused list to be counted")
    finally:
        watcher.stop()
    # Refused lists back off and list again; nothing was watched, nothing re-listed on 410.
    assert FakeAPI.requests and all(kind == "list" for kind, _ in FakeAPI.requests)


@pytest.mark.parametrize("as_status", [False, True], ids=["error-event", "http-410"])
def test_a_gone_resource_version_is_listed_again(api: Any, as_status: bool) -> None:
    FakeAPI.gone_as_status = as_status
    relists_before = relists()
    events: list[WatchEvent] = []
    seen = threading.Event()

    def on_event(event: WatchEvent) -> None:
        events.append(event)
        if event.type == "ADDED":
            seen.set()
    watcher = KubeWatcher(Kube(api, None, RetryPolicy()), ("dev",), nodes=False, jobs=False,
                          timeout_seconds=1, resume={("pods", "dev"): "7"})
    watcher.start(on_event)
    try:
        assert seen.wait(15)
    finally:
        watcher.stop()
    assert FakeAPI.requests[:3] == [("watch", "7"), ("list", None), ("watch", NOW)]
    assert watcher.relists >= 1
    assert relists() - relists_before == watcher.relists
    assert [e.type for e in events][:2] == ["RELISTED", "ADDED"]
    assert events[0].resource_version == NOW
    assert [o["metadata"]["name"] for o in events[0].objects] == ["api-1"]
    assert not watcher.running
