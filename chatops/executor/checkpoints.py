"""Audit checkpoints in a ConfigMap: an anchor for the audit chain that lives in the cluster.

Whoever can rewrite the audit database (the bot's volume) usually cannot write ConfigMaps, so
the newest checkpoint kept here lets `chatops audit verify --against configmap:NS/NAME` catch
a log whose newest rows were cut off.

The sink acts as the bot's own identity, never impersonated: it is not a change anybody asked
for. Its RBAC is a Role in the ConfigMap's namespace with

    - apiGroups: [""]
      resources: ["configmaps"]
      resourceNames: ["<name>"]
      verbs: ["get", "update"]
    - apiGroups: [""]
      resources: ["configmaps"]
      verbs: ["create"]

RBAC cannot limit `create` to one name (the name is not part of the request it checks), so
the second rule allows creating any ConfigMap in that namespace. Create the ConfigMap at
install time instead (the Helm chart) and drop the second rule to keep it to that one name.

This module takes no `Checkpoint` type (the audit package sits above the executor): anything
with `to_json()`, `event_id` and `event_hash` is stored, and the readers return the JSON text
for the caller to parse.

The stored checkpoint only moves forward: the sink never replaces it with one of a lower
event id (another replica's older checkpoint, an old process), nor with another checkpoint of
the same event that disagrees with it; it keeps what is there and logs a warning. The replace
carries the resourceVersion it read, so a checkpoint written in between is never overwritten
unseen.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from chatops.errors import Retryable
from chatops.executor.client import Kube, RetryPolicy, Target

log = logging.getLogger(__name__)

DATA_KEY = "checkpoint"
"""The ConfigMap data key that holds the checkpoint's JSON."""

_CONFLICT_ATTEMPTS = 5


class JsonCheckpoint(Protocol):
    """What the sink stores: a checkpoint that serialises itself."""

    @property
    def event_id(self) -> int:
        """The id of the newest event it saw."""
        ...

    @property
    def event_hash(self) -> str:
        """The hash of that event."""
        ...

    def to_json(self) -> str:
        """The checkpoint as one line of JSON."""
        ...


class ConfigMapCheckpointSink:
    """Writes each checkpoint to the data key `checkpoint` of one ConfigMap `namespace/name`:
    created when missing, updated otherwise (other keys, labels and annotations are kept),
    but never with a checkpoint that does not move past the one stored there.

    `api` is the bot's own `kubernetes.client.ApiClient`; transient API errors are retried,
    the rest raised as `chatops.errors.ClusterError`.
    """

    def __init__(self, api: k8s.ApiClient, namespace: str, name: str, *,
                 policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.namespace = namespace
        self.name = name
        self._kube = Kube(api, None, policy or RetryPolicy(), sleep=sleep)

    def read(self) -> str | None:
        """The checkpoint JSON stored now, or None when there is none (as
        `read_checkpoint_configmap`)."""
        return _stored_text(_read(self._kube, self.namespace, self.name))

    def write(self, checkpoint: JsonCheckpoint) -> None:
        """Store `checkpoint` as the ConfigMap's `checkpoint` key, unless the one stored there
        has a higher event id, or is another checkpoint of the same event: that one is kept
        and a warning logged."""
        text = checkpoint.to_json()
        core = self._kube.core
        for _ in range(_CONFLICT_ATTEMPTS):
            current = _read(self._kube, self.namespace, self.name)
            if current is not None and not self._supersedes(checkpoint, _stored_text(current)):
                return
            try:
                if current is None:
                    self._kube.json(self._target("create"), core.create_namespaced_config_map,
                                    self.namespace, {
                                        "apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": self.name,
                                                     "namespace": self.namespace},
                                        "data": {DATA_KEY: text},
                                    }, passthrough=(409,))
                else:
                    # Replaced with its resourceVersion: a concurrent writer makes it 409
                    # and the loop reads again, instead of one silently undoing the other.
                    current["data"] = {**(current.get("data") or {}), DATA_KEY: text}
                    self._kube.json(self._target("update"), core.replace_namespaced_config_map,
                                    self.name, self.namespace, current, passthrough=(409,))
            except ApiException as e:
                log.info("the checkpoint ConfigMap %s/%s changed while being written (HTTP "
                         "%s); reading it again", self.namespace, self.name, e.status)
                continue
            return
        raise Retryable(f"ConfigMap {self.name} in namespace {self.namespace} kept changing "
                        "while the audit checkpoint was written to it.",
                        "It is written again at the next checkpoint.")

    def _supersedes(self, checkpoint: JsonCheckpoint, stored: str | None) -> bool:
        """Whether `checkpoint` may replace the `stored` JSON (logged when it may not)."""
        if stored is None:
            return True
        position = _position(stored)
        if position is None:
            log.warning("ConfigMap %s/%s holds no usable audit checkpoint; replacing it",
                        self.namespace, self.name)
            return True
        stored_id, stored_hash = position
        if checkpoint.event_id > stored_id:
            return True
        if checkpoint.event_id == stored_id and checkpoint.event_hash == stored_hash:
            return True
        if checkpoint.event_id == stored_id:
            log.warning("ConfigMap %s/%s holds another audit checkpoint of event #%d (a "
                        "different hash); keeping it, not replacing it with this one",
                        self.namespace, self.name, stored_id)
        else:
            log.warning("ConfigMap %s/%s already holds the audit checkpoint of event #%d; "
                        "keeping it, not replacing it with the older #%d", self.namespace,
                        self.name, stored_id, checkpoint.event_id)
        return False

    def _target(self, action: str) -> Target:
        return Target(action, "configmaps", self.namespace, self.name)

    def __repr__(self) -> str:
        return f"ConfigMapCheckpointSink({self.namespace}/{self.name})"


def _read(kube: Kube, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        return kube.json(Target("get", "configmaps", namespace, name),
                         kube.core.read_namespaced_config_map, name, namespace,
                         passthrough=(404,))
    except ApiException:
        return None  # only 404 comes through


def _stored_text(body: dict[str, Any] | None) -> str | None:
    if body is None:
        return None
    value = (body.get("data") or {}).get(DATA_KEY)
    return value if isinstance(value, str) else None


def _position(text: str) -> tuple[int, str] | None:
    """(event_id, event_hash) of a stored checkpoint's JSON, or None when it is not one."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    event_id, event_hash = value.get("event_id"), value.get("event_hash")
    if type(event_id) is not int or not isinstance(event_hash, str):
        return None
    return event_id, event_hash


def read_checkpoint_configmap(api: k8s.ApiClient, namespace: str, name: str, *,
                              policy: RetryPolicy | None = None) -> str | None:
    """The checkpoint JSON stored in ConfigMap `namespace/name`, or None when the ConfigMap
    or its `checkpoint` key does not exist. Other API errors raise `ClusterError`."""
    return _stored_text(_read(Kube(api, None, policy or RetryPolicy()), namespace, name))
