"""A local Prometheus query API for tests: `GET /api/v1/query?query=...` answers an instant
vector from canned series (by which metric the query names), records every query, and
answers an error status or garbage on demand. Prometheus is faked at the HTTP boundary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.local_http import QuietHandler, serving

MEMORY = "container_memory_working_set_bytes"
CPU = "container_cpu_usage_seconds_total"


@dataclass
class PrometheusServer:
    """`series[metric]` is a list of (labels, value) pairs; `status` (when not 200) and
    `raw` (when set) replace the answer."""

    url: str = ""
    series: dict[str, list[tuple[dict[str, str], str]]] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    status: int = 200
    raw: bytes | None = None

    def answer(self, query: str) -> tuple[int, bytes]:
        self.queries.append(query)
        if self.status != 200:
            return self.status, b'{"status":"error","error":"<@U0ADMIN> boom"}'
        if self.raw is not None:
            return 200, self.raw
        metric = MEMORY if MEMORY in query else CPU if CPU in query else ""
        result = [{"metric": labels, "value": [1767225600.0, value]}
                  for labels, value in self.series.get(metric, [])]
        body: dict[str, Any] = {"status": "success",
                                "data": {"resultType": "vector", "result": result}}
        return 200, json.dumps(body).encode()


@contextmanager
def prometheus_server() -> Iterator[PrometheusServer]:
    """Serve a `PrometheusServer` on a free local port while the block runs."""
    state = PrometheusServer()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/api/v1/query":
                status, data = 404, b"not found"
            else:
                status, data = state.answer(parse_qs(parts.query).get("query", [""])[0])
            self.send_body(status, data)

    with serving(Handler) as url:
        state.url = url
        yield state
