"""Fixtures for executor tests: a scripted HTTP API server (for the error mapping and header
tests that need exact status codes) and sandbox helpers for the `k8s` tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from kubernetes import client

from tests.local_http import QuietHandler, serving

Reply = tuple[int, dict[str, Any]]


@dataclass
class Seen:
    """One request the scripted server received."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: Any


@dataclass
class ScriptedServer:
    """Answers each request with `route(method, path) -> (status, json)`; records requests."""

    url: str
    route: Callable[[str, str], Reply] = lambda m, p: (200, {"items": []})
    seen: list[Seen] = field(default_factory=list)

    def api_client(self) -> client.ApiClient:
        cfg = client.Configuration()
        cfg.host = self.url
        return client.ApiClient(cfg)


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    """A local HTTP server standing in for the API server at the HTTP boundary."""
    state = ScriptedServer(url="")

    class Handler(QuietHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            state.seen.append(Seen(self.command, self.path, list(self.headers.items()),
                                   json.loads(raw) if raw else None))
            status, body = state.route(self.command, self.path)
            self.send_body(status, json.dumps(body).encode())

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

    with serving(Handler) as url:
        state.url = url
        yield state


@pytest.fixture(scope="module")
def ex(k8s_admin: Any) -> Any:
    """A `KubeExecutor` on the sandbox's admin client, polling fast for tests."""
    from chatops.executor import KubeExecutor

    return KubeExecutor(k8s_admin, poll_interval=0.2)
