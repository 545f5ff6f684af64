"""Where observed CPU and memory usage comes from, for `rightsize`: Prometheus, the
`metrics.k8s.io` API, or nothing.

A source answers per container name of one deployment: peak memory (working set, bytes) and
CPU (cores; the 95th percentile where the source has history, else the current rate). It is
chosen by the settings at the entry point (`CHATOPS_PROMETHEUS_URL`, `CHATOPS_METRICS_API`)
and injected into the executor like its other clients.

What a source answers is untrusted: label values must be container names of the deployment
(anything else is dropped), numbers must be finite and not negative, and a response is read
up to a size bound. Failures never fail the read: they become a `Usage` with no values and a
note saying why, and the advice falls back to the spec and the restart history.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import urllib3
from kubernetes import client as k8s

from chatops.errors import Forbidden, NotFound
from chatops.executor import convert as cv
from chatops.executor.client import Kube, Target
from chatops.model import frozen_map
from chatops.quantities import QuantityError, parse_quantity

log = logging.getLogger(__name__)

MAX_RESPONSE = 1 << 20
"""Bytes of a Prometheus answer read at most."""
MAX_SERIES = 200
_CONTAINER = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class ContainerUsage:
    """What one container was seen using, the worst over the deployment's pods."""

    cpu_cores: float | None = None
    memory_bytes: float | None = None


@dataclass(frozen=True)
class Usage:
    """A source's answer: `source` names it (`none` when there is no source), `history` says
    whether the figures cover `window_seconds` (Prometheus) or are one current sample
    (`metrics.k8s.io`), `note` why there are no figures when a source failed."""

    source: str
    containers: Mapping[str, ContainerUsage] = field(default_factory=frozen_map)
    history: bool = False
    window_seconds: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "containers", frozen_map(self.containers))

    @property
    def available(self) -> bool:
        """Whether there are figures to compare with."""
        return bool(self.containers)


class UsageSource(Protocol):
    """Observed usage of a deployment's containers."""

    def usage(self, kube: Kube, namespace: str, deployment: Mapping[str, Any],
              containers: Sequence[str]) -> Usage:
        """Per container name in `containers`; never raises for the source's failures."""
        ...


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class Prometheus:
    """Prometheus's HTTP query API (`/api/v1/query`) at `url`.

    Memory is `max_over_time` of `container_memory_working_set_bytes`, CPU the 95th
    percentile over the window of the 5-minute rate of `container_cpu_usage_seconds_total`
    (a subquery at 1-minute steps), for the pods named like the deployment's
    (`<deployment>-<template hash>-<suffix>`, so pods replaced during the window count too),
    the worst pod per container. `http` is injectable; by default a pool with `timeout`.
    """

    url: str
    window_seconds: int = 3600
    timeout: float = 5.0
    http: urllib3.PoolManager | None = None

    def _host(self) -> str:
        parts = urlsplit(self.url)
        return (parts.hostname or "?") + (f":{parts.port}" if parts.port else "")

    def queries(self, namespace: str, deployment: str) -> dict[str, str]:
        """The PromQL for memory and CPU (label values escaped for PromQL strings)."""
        name = re.escape(deployment).replace("\\", "\\\\")
        selector = (f'namespace="{namespace}",pod=~"{name}-[a-z0-9]{{1,10}}-[a-z0-9]{{5}}",'
                    'container!="",container!="POD"')
        window = f"{self.window_seconds}s"
        return {
            "memory": f"max by (container) (max_over_time("
                      f"container_memory_working_set_bytes{{{selector}}}[{window}]))",
            "cpu": f"max by (container) (quantile_over_time(0.95, "
                   f"rate(container_cpu_usage_seconds_total{{{selector}}}[5m])[{window}:1m]))",
        }

    def _query(self, promql: str) -> dict[str, float]:
        http = self.http or urllib3.PoolManager(
            timeout=urllib3.Timeout(total=self.timeout), retries=False)
        endpoint = self.url.rstrip("/") + "/api/v1/query?" + urlencode({"query": promql})
        resp = http.request("GET", endpoint, preload_content=False,
                            timeout=urllib3.Timeout(total=self.timeout), retries=False)
        try:
            raw = resp.read(MAX_RESPONSE + 1)
        finally:
            resp.release_conn()
        if resp.status != 200:
            raise _SourceError(f"Prometheus at {self._host()} answered HTTP {resp.status}")
        if len(raw) > MAX_RESPONSE:
            raise _SourceError(f"Prometheus at {self._host()} sent too large an answer")
        try:
            body = json.loads(raw)
        except ValueError:
            raise _SourceError(f"Prometheus at {self._host()} sent no JSON") from None
        data = body.get("data") if isinstance(body, dict) else None
        if (not isinstance(data, dict) or body.get("status") != "success"
                or data.get("resultType") != "vector"
                or not isinstance(data.get("result"), list)):
            raise _SourceError(f"Prometheus at {self._host()} did not answer the query")
        out: dict[str, float] = {}
        for series in data["result"][:MAX_SERIES]:
            if not isinstance(series, dict) or not isinstance(series.get("metric"), dict):
                continue
            container = series["metric"].get("container")
            value = series.get("value")
            if not isinstance(container, str) or not _CONTAINER.match(container):
                continue
            if not isinstance(value, list) or len(value) != 2:
                continue
            number = _number(value[1])
            if number is not None:
                out[container] = max(number, out.get(container, 0.0))
        return out

    def usage(self, kube: Kube, namespace: str, deployment: Mapping[str, Any],
              containers: Sequence[str]) -> Usage:
        name = str(cv.get(deployment, "metadata", "name"))
        queries = self.queries(namespace, name)
        try:
            memory = self._query(queries["memory"])
            cpu = self._query(queries["cpu"])
        except _SourceError as e:
            return Usage("prometheus", note=str(e), history=True,
                         window_seconds=self.window_seconds)
        except urllib3.exceptions.HTTPError as e:
            log.info("Prometheus query failed: %s", type(e).__name__)
            return Usage("prometheus", note=f"Prometheus at {self._host()} did not answer "
                         f"within {self.timeout:g} s", history=True,
                         window_seconds=self.window_seconds)
        found = {c: ContainerUsage(cpu.get(c), memory.get(c)) for c in containers
                 if c in cpu or c in memory}
        note = "" if found else (f"Prometheus at {self._host()} has no samples of these pods "
                                 "in the window")
        return Usage("prometheus", found, history=True, window_seconds=self.window_seconds,
                     note=note)


class _SourceError(Exception):
    """A source answered, but not usably; the message is ours, never its text."""


@dataclass(frozen=True)
class MetricsApi:
    """The `metrics.k8s.io` API (metrics-server), read as the requester: one current sample
    per pod (the last scrape, about a minute), no history."""

    group: str = "metrics.k8s.io"
    version: str = "v1beta1"

    def usage(self, kube: Kube, namespace: str, deployment: Mapping[str, Any],
              containers: Sequence[str]) -> Usage:
        api = k8s.CustomObjectsApi(kube.api)
        selector = cv.selector_string(cv.get(deployment, "spec", "selector"))
        try:
            data = kube.json(Target("list", "pods.metrics.k8s.io", namespace),
                             api.list_namespaced_custom_object, self.group, self.version,
                             namespace, "pods", label_selector=selector)
        except NotFound:
            return Usage("metrics.k8s.io", note="the metrics.k8s.io API is not served on "
                         "this cluster (no metrics-server)")
        except Forbidden:
            return Usage("metrics.k8s.io", note=f"{kube.who} may not read pod metrics "
                         "(pods.metrics.k8s.io)")
        found: dict[str, ContainerUsage] = {}
        for pod in (data.get("items") or [])[:MAX_SERIES]:
            for c in cv.get(pod, "containers", default=[])[:MAX_SERIES]:
                name = c.get("name") if isinstance(c, dict) else None
                if not isinstance(name, str) or name not in containers:
                    continue
                cpu = _quantity(cv.get(c, "usage", "cpu"))
                memory = _quantity(cv.get(c, "usage", "memory"))
                seen = found.get(name, ContainerUsage())
                found[name] = ContainerUsage(_max(seen.cpu_cores, cpu),
                                             _max(seen.memory_bytes, memory))
        note = "" if found else "the metrics.k8s.io API has no samples of these pods yet"
        return Usage("metrics.k8s.io", found, note=note)


def _quantity(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return _number(parse_quantity(value))
    except QuantityError:
        return None


def _max(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass(frozen=True)
class NoSource:
    """No metrics source is configured."""

    def usage(self, kube: Kube, namespace: str, deployment: Mapping[str, Any],
              containers: Sequence[str]) -> Usage:
        return Usage("none", note="no metrics source is configured (CHATOPS_PROMETHEUS_URL "
                     "or CHATOPS_METRICS_API)")
