"""The cluster watch: pods and jobs of the configured namespaces, and nodes, streamed with the
Kubernetes watch API as the bot's read-only identity.

Each (resource, namespace) has a thread that lists, then watches from the list's
resourceVersion (with bookmarks, so a quiet stream still advances it). A watch the server
ends (its `timeout_seconds`) is resumed from the last resourceVersion seen, without a list.
A watch answered with 410 Gone (the version was compacted away: "too old resource
version") is re-listed, and the list reported as `RELISTED` so that whatever changed
unseen is settled. Other failures back off (1 s doubling to 30 s) and re-list.

Pod events carry the ReplicaSets their pods name as controller (`WatchEvent.replicasets`),
read here with `get` as the same identity and kept by uid (a uid is never reused, and a
ReplicaSet's owner does not change in practice): a pod's owner reference is the pod's own
word, the ReplicaSet's is the cluster's. A read that fails is tried again after
`RS_RETRY_SECONDS`; meanwhile the pod is alerted on by its own name.

Why not `kubernetes.watch.Watch`: with raw JSON (`deserialize=False`) its 410 handling
reads a key that raw events do not have, and it retries a 410 by itself with the same
stale version. This loop reads the same line stream and handles both itself; `stop()`
shuts the sockets down (as `Watch.stop` does) so that a stream blocked in a read ends at
once instead of at its timeout.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from chatops.errors import ClusterError, NotFound
from chatops.executor.client import Kube, Target
from chatops.metrics import METRICS
from chatops.ports import WatchedResource, WatchEvent

log = logging.getLogger(__name__)

GONE = 410
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
RS_CACHE_MAX = 4096
"""ReplicaSets remembered at most (then forgotten all at once and read again)."""
RS_RETRY_SECONDS = 60.0
"""How long a ReplicaSet that could not be read is not asked for again."""

StreamKey = tuple[WatchedResource, str | None]
"""(resource, namespace); None for nodes."""


class ResourceGone(Exception):
    """The watch's resourceVersion is too old (410 Gone): list again."""


class KubeWatcher:
    """Streams pods and jobs of `namespaces` (and nodes, with `nodes`) as `kube`'s identity.

    `kube` is the read-only identity's view (`KubeExecutor.kube(identity)`); it needs
    `list` and `watch` on pods, jobs and nodes, and `get` on replicasets. `resume` gives
    streams a resourceVersion to start watching from without listing first (a restart that
    kept them; tests provoke 410 Gone with a compacted one).
    """

    def __init__(self, kube: Kube, namespaces: Sequence[str], *, nodes: bool = True,
                 jobs: bool = True, timeout_seconds: int = 60,
                 resume: Mapping[StreamKey, str] | None = None) -> None:
        self.kube = kube
        self.namespaces = tuple(namespaces)
        self.nodes = nodes
        self.jobs = jobs
        self.timeout_seconds = timeout_seconds
        self.resume: dict[StreamKey, str] = dict(resume or {})
        self.relists = 0
        """Lists made after a 410 Gone (for tests and metrics)."""
        self.watches = 0
        """Watch requests made (each server-ended one is resumed by the next)."""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._responses: dict[StreamKey, Any] = {}
        self._versions: dict[StreamKey, str] = {}
        self._replicasets: dict[str, tuple[Mapping[str, Any] | None, float]] = {}
        """Claimed ReplicaSet uid -> its metadata as read (None: no such ReplicaSet with that
        uid), and until when that answer holds."""
        self.replicaset_reads = 0
        """ReplicaSets read (for tests)."""
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether the stream threads run."""
        return any(t.is_alive() for t in self._threads)

    def streams(self) -> list[StreamKey]:
        """What is watched: pods (and jobs) per namespace, then nodes."""
        keys: list[StreamKey] = []
        for namespace in self.namespaces:
            keys.append(("pods", namespace))
            if self.jobs:
                keys.append(("jobs", namespace))
        if self.nodes:
            keys.append(("nodes", None))
        return keys

    def versions(self) -> dict[StreamKey, str]:
        """The last resourceVersion seen per stream (to resume from)."""
        with self._lock:
            return dict(self._versions)

    def start(self, on_event: Callable[[WatchEvent], None]) -> None:
        """Start one thread per stream; they run until `stop()`."""
        if self.running:
            return
        self._stop.clear()
        self._threads = [threading.Thread(target=self._stream, args=(key, on_event),
                                          name=f"watch-{key[0]}-{key[1] or 'cluster'}",
                                          daemon=True)
                         for key in self.streams()]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every stream: blocked reads end at once (their sockets are shut down). A
        later `start` lists again (what changed meanwhile is settled by the list); `versions`
        says where each stream was, for a caller that would rather resume."""
        self._stop.set()
        with self._lock:
            responses = list(self._responses.values())
        for resp in responses:
            _shutdown(resp)
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("watch thread %s did not stop in %.0fs", thread.name, timeout)

    # ------------------------------------------------------------------ one stream

    def _stream(self, key: StreamKey, on_event: Callable[[WatchEvent], None]) -> None:
        version = self.resume.pop(key, None)
        delay = BACKOFF_FIRST
        while not self._stop.is_set():
            try:
                if version is None:
                    version = self._list(key, on_event)
                version = self._watch(key, version, on_event)
                delay = BACKOFF_FIRST
            except ResourceGone:
                log.info("watch of %s: resourceVersion %s is gone (410); listing again",
                         _describe(key), version)
                with self._lock:
                    self.relists += 1
                METRICS.watch_relists.labels(key[0]).inc()
                version = None
            except (ClusterError, ApiException, urllib3.exceptions.HTTPError, OSError,
                    ValueError) as exc:
                if self._stop.is_set():
                    break
                METRICS.watch_errors.labels(key[0]).inc()
                # Never the exception's text in chat; the log has its type and status.
                log.warning("watch of %s failed (%s); listing again in %.0fs", _describe(key),
                            getattr(exc, "status", None) or type(exc).__name__, delay)
                version = None
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, BACKOFF_MAX)

    def _list(self, key: StreamKey, on_event: Callable[[WatchEvent], None]) -> str:
        resource, namespace = key
        data = self.kube.json(Target("list", resource, namespace), self._fn(key),
                              *([namespace] if namespace else []))
        version = str((data.get("metadata") or {}).get("resourceVersion") or "")
        objects = tuple(item for item in data.get("items") or [] if isinstance(item, dict))
        with self._lock:
            self._versions[key] = version
        on_event(WatchEvent(resource, "RELISTED", namespace, objects, version,
                            self._owners(resource, namespace, objects)))
        return version

    def _watch(self, key: StreamKey, version: str,
               on_event: Callable[[WatchEvent], None]) -> str:
        """Stream events from `version` until the server ends the watch or `stop()`;
        returns the last resourceVersion seen (to resume from)."""
        resource, namespace = key
        try:
            resp = self._fn(key)(*([namespace] if namespace else []), watch=True,
                                 resource_version=version, allow_watch_bookmarks=True,
                                 timeout_seconds=self.timeout_seconds, _preload_content=False,
                                 _request_timeout=(10, self.timeout_seconds + 15))
        except ApiException as exc:
            if exc.status == GONE:
                raise ResourceGone() from exc
            raise
        with self._lock:
            self._responses[key] = resp
            self.watches += 1
        try:
            status = getattr(resp, "status", 200)
            if isinstance(status, int) and not 200 <= status <= 299:
                if status == GONE:
                    raise ResourceGone()
                raise ApiException(status=status, reason="watch refused")
            if self._stop.is_set():
                return version
            for line in iter_resp_lines(resp):  # type: ignore[no-untyped-call]
                if self._stop.is_set():
                    break
                if not line:
                    continue
                event = json.loads(line)
                kind, obj = event.get("type"), event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == GONE:
                        raise ResourceGone()
                    raise ApiException(status=obj.get("code"), reason=str(obj.get("reason")))
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                with self._lock:
                    self._versions[key] = version
                if kind in ("ADDED", "MODIFIED"):
                    on_event(WatchEvent(resource, kind, namespace, (obj,), version,
                                        self._owners(resource, namespace, (obj,))))
                elif kind == "DELETED":
                    on_event(WatchEvent(resource, kind, namespace, (obj,), version))
        except ApiException as exc:
            if exc.status == GONE:
                raise ResourceGone() from exc
            raise
        finally:
            with self._lock:
                self._responses.pop(key, None)
            resp.close()
            resp.release_conn()
        return version

    def _owners(self, resource: WatchedResource, namespace: str | None,
                objects: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
        """The ReplicaSets `objects` (pods) name as their controller, as this identity reads
        them, by the uid the pods name (only those that really have that uid)."""
        if resource != "pods" or namespace is None:
            return {}
        found: dict[str, Mapping[str, Any]] = {}
        for obj in objects:
            ref = _controller_replicaset(obj)
            if ref is None or ref[1] in found:
                continue
            rs = self._replicaset(namespace, *ref)
            if rs is not None:
                found[ref[1]] = rs
        return found

    def _replicaset(self, namespace: str, name: str, uid: str) -> Mapping[str, Any] | None:
        now = time.monotonic()
        with self._lock:
            known = self._replicasets.get(uid)
        if known is not None and known[1] > now:
            return known[0]
        until = float("inf")
        try:
            data = self.kube.json(Target("get", "replicasets", namespace, name),
                                  self.kube.apps.read_namespaced_replica_set, name, namespace)
            meta = data.get("metadata") or {}
            rs: Mapping[str, Any] | None = {"metadata": {
                key: meta.get(key) for key in ("name", "namespace", "uid", "ownerReferences")}}
            if meta.get("uid") != uid:
                rs = None  # another ReplicaSet by that name: not the one the pod names
        except NotFound:
            # No ReplicaSet by that name (a forged reference, or one being deleted).
            rs = None
            until = now + RS_RETRY_SECONDS
        except ClusterError as exc:
            log.warning("could not read ReplicaSet %s in %s (%s); its pods are alerted on by "
                        "their own names for now", name, namespace, type(exc).__name__)
            rs, until = None, now + RS_RETRY_SECONDS
        with self._lock:
            self.replicaset_reads += 1
            if len(self._replicasets) >= RS_CACHE_MAX:
                self._replicasets.clear()
            self._replicasets[uid] = (rs, until)
        return rs

    def _fn(self, key: StreamKey) -> Callable[..., Any]:
        resource, _namespace = key
        if resource == "pods":
            return self.kube.core.list_namespaced_pod
        if resource == "jobs":
            return self.kube.batch.list_namespaced_job
        return self.kube.core.list_node


def _controller_replicaset(pod: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (name, uid) of the `apps/v1` ReplicaSet a pod names as its controller."""
    meta = pod.get("metadata")
    refs = meta.get("ownerReferences") if isinstance(meta, Mapping) else None
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, Mapping) and ref.get("controller") is True:
            name, uid = ref.get("name"), ref.get("uid")
            if (ref.get("kind") == "ReplicaSet" and ref.get("apiVersion") == "apps/v1"
                    and isinstance(name, str) and name and isinstance(uid, str) and uid):
                return name, uid
            return None
    return None


def _describe(key: StreamKey) -> str:
    resource, namespace = key
    return f"{resource} in namespace {namespace}" if namespace else resource


def _shutdown(resp: Any) -> None:
    """Unblock a thread reading `resp` (as `kubernetes.watch.Watch.stop` does)."""
    sock = getattr(getattr(resp, "connection", None), "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
