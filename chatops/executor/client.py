"""Per-identity API clients (impersonation), retries, and API error mapping.

Impersonation with several groups needs care in the Python client: `ApiClient` keeps its
default headers in a plain dict, which cannot hold `Impersonate-Group` twice, and a
comma-joined value would be read by the API server as ONE group named "a, b". So each
identity gets its own `ApiClient` whose REST client adds the headers itself, as a urllib3
`HTTPHeaderDict`, which urllib3 sends as repeated header lines. The REST clients share the
base client's connection pool, so an identity costs no new TLS connections.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import urllib3
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTClientObject

from chatops.errors import ClusterError, Forbidden, NotFound, Permanent, Retryable
from chatops.executor.redact import redact
from chatops.metrics import METRICS
from chatops.model import Identity
from chatops.tracing import current_trace

log = logging.getLogger(__name__)

_SINGULAR = {
    "horizontalpodautoscalers": "autoscaler",
    "cronjobs": "cronjob",
    "deployments": "deployment",
    "replicasets": "replicaset",
    "nodes": "node",
    "pods": "pod",
    "events": "event",
    "namespaces": "namespace",
    "poddisruptionbudgets": "poddisruptionbudget",
}

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Target:
    """What one API call acts on, for error messages: `patch deployments web in prod`."""

    action: str
    resource: str
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None

    @property
    def kind(self) -> str:
        """The singular, lower-case kind (`deployment`)."""
        return _SINGULAR.get(self.resource, self.resource.rstrip("s"))

    def describe(self) -> str:
        """`deployment web in namespace prod`, `node node-1`, `pods in namespace prod`."""
        what = f"{self.kind} {self.name}" if self.name else self.resource
        return f"{what} in namespace {self.namespace}" if self.namespace else what


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter for 429, 5xx and connection failures."""

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 5.0
    request_timeout: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`; honours Retry-After, capped."""
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        backoff = min(self.base_delay * float(1 << attempt), self.max_delay)
        return backoff * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto


class ImpersonatingRESTClient(RESTClientObject):
    """A REST client that adds Impersonate-User and repeated Impersonate-Group headers, and
    the running run's `Impersonate-Extra-` headers (`chatops.tracing`)."""

    def __init__(self, base: RESTClientObject, identity: Identity) -> None:
        # Deliberately no super().__init__: that would build a second connection pool.
        self.configuration = base.configuration
        self.pool_manager = base.pool_manager
        self._identity = identity

    def request(self, method: str, url: str, headers: Any = None, body: Any = None,
                post_params: Any = None, _request_timeout: Any = None) -> Any:
        """Send the request as the identity (overriding any impersonation already set)."""
        merged = urllib3.HTTPHeaderDict()
        for key, value in (headers or {}).items():
            if not key.lower().startswith("impersonate-"):
                merged.add(key, value)
        merged["Impersonate-User"] = self._identity.user
        for group in self._identity.groups:
            merged.add("Impersonate-Group", group)
        trace = current_trace()
        if trace is not None:
            for key, value in trace.extras().items():
                # Header names cannot hold "/"; the API server percent-decodes the key.
                merged[f"Impersonate-Extra-{quote(key, safe='')}"] = value
        return super().request(  # type: ignore[no-untyped-call]
            method, url, headers=merged, body=body,
                               post_params=post_params, _request_timeout=_request_timeout)

    def close(self) -> None:
        """The pool belongs to the base client; closing an identity's client keeps it."""


def impersonating_client(base: k8s.ApiClient, identity: Identity) -> k8s.ApiClient:
    """An `ApiClient` that sends every request as `identity`, sharing `base`'s connections."""
    api = k8s.ApiClient(configuration=base.configuration)
    api.rest_client.close()
    api.rest_client = ImpersonatingRESTClient(base.rest_client, identity)
    api.default_headers = {k: v for k, v in base.default_headers.items()
                           if not k.lower().startswith("impersonate-")}
    return api


class Kube:
    """One identity's view of the cluster: typed API groups plus JSON calls that retry
    transient failures and map errors into the project's error tree."""

    def __init__(self, api: k8s.ApiClient, identity: Identity | None, policy: RetryPolicy,
                 *, sleep: Callable[[float], None] = time.sleep,
                 suggest: Callable[[Kube, Target], Sequence[str]] | None = None) -> None:
        self.api = api
        self.identity = identity
        self.policy = policy
        self._sleep = sleep
        self._suggest = suggest
        self.core = k8s.CoreV1Api(api)
        self.apps = k8s.AppsV1Api(api)
        self.batch = k8s.BatchV1Api(api)
        self.autoscaling = k8s.AutoscalingV2Api(api)
        self.policy_api = k8s.PolicyV1Api(api)

    @property
    def who(self) -> str:
        """The user name in messages."""
        return self.identity.user if self.identity else "the bot's own account"

    def json(self, target: Target, fn: Callable[..., Any], *args: Any,
             passthrough: Collection[int] = (), **kwargs: Any) -> dict[str, Any]:
        """Call `fn` and return the response body as a JSON dict.

        Statuses in `passthrough` are re-raised as the original `ApiException`, for callers
        that handle them (a drain handles the Eviction API's 429, a write handles 409).
        """
        raw = self._call(target, fn, args, kwargs, passthrough)
        data = json.loads(raw) if raw else {}
        if not isinstance(data, dict):
            raise Permanent(f"unexpected answer from the API server for {target.describe()}")
        return data

    def text(self, target: Target, fn: Callable[..., Any], *args: Any,
             **kwargs: Any) -> str:
        """Call `fn` and return the response body as text (pod logs)."""
        return self._call(target, fn, args, kwargs, ()).decode("utf-8", errors="replace")

    def _call(self, target: Target, fn: Callable[..., Any], args: tuple[Any, ...],
              kwargs: dict[str, Any], passthrough: Collection[int]) -> bytes:
        kwargs.setdefault("_request_timeout", self.policy.request_timeout)
        attempt = 0
        while True:
            try:
                resp = fn(*args, _preload_content=False, **kwargs)
                data: bytes = resp.data
                return data
            except ApiException as e:
                status = int(e.status or 0)
                # Counted here, once per answer, so that the statuses a caller handles
                # itself (a 409 conflict, an expected 404) are counted too.
                METRICS.kube_errors.labels(str(status)).inc()
                if status in passthrough:
                    raise
                if status in RETRY_STATUSES and attempt + 1 < self.policy.attempts:
                    delay = self.policy.delay(attempt, _retry_after(e))
                    log.info("HTTP %d on %s %s; retry %d in %.2fs", status, target.action,
                             target.describe(), attempt + 1, delay)
                    self._sleep(delay)
                    attempt += 1
                    continue
                suggestions: Sequence[str] = ()
                if status == 404 and target.name and self._suggest is not None:
                    suggestions = self._suggest(self, target)
                raise map_api_error(e, target, self.who, suggestions) from e
            except urllib3.exceptions.HTTPError as e:
                if attempt + 1 < self.policy.attempts:
                    delay = self.policy.delay(attempt, None)
                    log.info("%s on %s %s; retry %d in %.2fs", type(e).__name__,
                             target.action, target.describe(), attempt + 1, delay)
                    self._sleep(delay)
                    attempt += 1
                    continue
                raise map_transport_error(e, target, self.policy) from e


def _retry_after(e: ApiException) -> float | None:
    headers = e.headers or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _status_message(e: ApiException) -> str:
    """The API server's one-line reason, redacted and shortened; never the raw body."""
    try:
        body = json.loads(e.body or "")
    except (TypeError, ValueError):
        return ""
    message = body.get("message", "") if isinstance(body, dict) else ""
    return redact(str(message))[:240]


def map_api_error(e: ApiException, target: Target, who: str,
                  suggestions: Sequence[str] = ()) -> ClusterError:
    """Turn an `ApiException` into a user-safe `ClusterError` (raise it `from e`)."""
    status = int(e.status or 0)
    resource = f"{target.resource}/{target.subresource}" if target.subresource else target.resource
    where = f" in namespace {target.namespace}" if target.namespace else ""
    if status == 403:
        return Forbidden(
            f"{who} may not {target.action} {resource}{where}.",
            "Ask a cluster admin for a Role that allows it, or ask someone who has it.",
        )
    if status == 404:
        hint = (f"Did you mean {', '.join(suggestions)}?" if suggestions
                else "Check the name and the namespace.")
        return NotFound(_not_found_text(target), tuple(suggestions), hint)
    if status == 401:
        return Permanent("the cluster rejected the bot's credentials.",
                         "Check the bot's kubeconfig or service account token.")
    if status == 409:
        return Retryable(f"{target.describe()} changed while it was being updated.",
                         "Try again; the change will be re-read and re-applied.")
    if status == 429:
        return Retryable("the Kubernetes API server is busy (too many requests).",
                         "Try again in a minute.")
    if status >= 500:
        return Retryable(f"the Kubernetes API server failed (HTTP {status}) while trying to "
                         f"{target.action} {target.describe()}.", "Try again in a minute.")
    if status in (400, 422):
        detail = _status_message(e)
        return Permanent(f"the cluster rejected the request to {target.action} "
                         f"{target.describe()}" + (f": {detail}" if detail else "."))
    return Permanent(f"could not {target.action} {target.describe()} (HTTP {status}).")


def _not_found_text(target: Target) -> str:
    if target.name and target.namespace:
        return f"{target.kind} {target.name} not found in namespace {target.namespace}"
    if target.name:
        return f"{target.kind} {target.name} not found"
    return f"{target.describe()} not found"


def map_transport_error(e: Exception, target: Target, policy: RetryPolicy) -> ClusterError:
    """Connection failures and timeouts, explained."""
    METRICS.kube_errors.labels("0").inc()
    if isinstance(e, urllib3.exceptions.MaxRetryError) and e.reason is not None:
        e = e.reason
    # NewConnectionError subclasses ConnectTimeoutError for historical reasons; a refused
    # connection is not a timeout.
    if (isinstance(e, urllib3.exceptions.TimeoutError)
            and not isinstance(e, urllib3.exceptions.NewConnectionError)):
        return Retryable(
            f"the Kubernetes API server did not answer within {policy.request_timeout:.0f} s "
            f"while trying to {target.action} {target.describe()}.",
            "The cluster may be overloaded; try again in a minute.")
    return Retryable(
        f"could not reach the Kubernetes API server to {target.action} {target.describe()}.",
        "Check that the cluster is up and reachable from the bot.")


class ClientPool:
    """`Kube` views per identity, built on demand and kept (bounded, least recently used)."""

    def __init__(self, base: k8s.ApiClient, policy: RetryPolicy, *,
                 sleep: Callable[[float], None] = time.sleep,
                 suggest: Callable[[Kube, Target], Sequence[str]] | None = None,
                 max_identities: int = 128) -> None:
        self._base = base
        self._policy = policy
        self._sleep = sleep
        self._suggest = suggest
        self._max = max_identities
        self._lock = threading.Lock()
        self._views: OrderedDict[Identity | None, Kube] = OrderedDict()

    def get(self, identity: Identity | None) -> Kube:
        """The view for `identity`; None is the executor's own credentials."""
        with self._lock:
            view = self._views.get(identity)
            if view is not None:
                self._views.move_to_end(identity)
                return view
            api = self._base if identity is None else impersonating_client(self._base, identity)
            view = Kube(api, identity, self._policy, sleep=self._sleep, suggest=self._suggest)
            self._views[identity] = view
            while len(self._views) > self._max:
                self._views.popitem(last=False)
            return view
