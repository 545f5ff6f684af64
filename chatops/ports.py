"""The seams between layers, as Protocols; implementations are injected at the entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from chatops.model import Identity, ParsedIntent, Step
from chatops.replies import Reply
from chatops.results import StepResult, VerifyResult

Progress = Callable[[str], None]
"""Called with a short line of progress text while a long step or verification runs."""

ResourceKind = Literal["namespace", "deployment", "pod", "node", "cronjob", "container",
                       "statefulset", "daemonset", "job"]


class Executor(Protocol):
    """Runs steps of the fixed verb set against a cluster, as a given identity."""

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None, cause: str = "") -> StepResult:
        """Run one action step; with `dry_run` the server validates but persists nothing.

        `identity` None means the executor's own credentials (the bot's read-only identity).
        `cause`: the change's provenance (its run, who asked, who approved), written where
        the cluster keeps one (a new pod template's `kubernetes.io/change-cause`, which
        `kubectl rollout history` shows); a dry run writes none.
        """
        ...

    def verify(self, step: Step, identity: Identity | None, *,
               progress: Progress | None = None) -> VerifyResult:
        """Run one verification step until it passes or its timeout ends."""
        ...

    def first_denied(self, identity: Identity, steps: Iterable[Step]) -> str | None:
        """The first request that `steps` make and that `identity` itself may not make,
        described (`patch deployments web in namespace prod`), or None when it may make all
        of them. The cluster's authorizer answers (asked by the executor as itself, so
        nothing is changed); raises `ClusterError` when it cannot be asked, never None."""
        ...

    def current_replicas(self, namespace: str, deployment: str,
                         identity: Identity | None) -> int:
        """The deployment's `spec.replicas`, for relative scale requests."""
        ...

    def names(self, kind: ResourceKind, namespace: str | None,
              identity: Identity | None) -> tuple[str, ...]:
        """Names of objects of `kind` (in `namespace`), cached briefly, for entity resolution."""
        ...


class IntentParser(Protocol):
    """Free text to a `ParsedIntent`: the model, or anything that behaves like it."""

    def parse(self, text: str) -> ParsedIntent:
        """Understand one message."""
        ...


class AuditRecord(Protocol):
    """A typed audit event (the classes of `chatops.audit.records`)."""

    @property
    def kind(self) -> str:
        """The event's kind, as stored."""
        ...

    def data(self) -> dict[str, Any]:
        """The event's stored data."""
        ...


class AuditSink(Protocol):
    """Where the conversation records audit events (the hash-chained `AuditLog`)."""

    def record(self, event: AuditRecord, *, actor: str | None = None,
               run_id: str | None = None, thread: str | None = None) -> Any:
        """Record one typed event; the returned object has the event's `id`."""
        ...


class Leadership(Protocol):
    """Whether this replica may do the work that must happen once across replicas (the
    alert outbox, the orphan sweep, checkpoints): a Lease, or a sole replica's yes."""

    def is_leader(self) -> bool:
        """True while this replica leads."""
        ...

    def try_once(self) -> bool:
        """One round of acquiring or renewing; True when leading afterwards."""
        ...

    def release(self) -> None:
        """Give the leadership up (a clean stop), so another replica takes over at once."""
        ...


class ChatSurface(Protocol):
    """Posting into a chat channel on the bot's own initiative (alert threads)."""

    def post(self, channel: str, reply: Reply, *, thread: str | None = None,
             marker: str | None = None) -> str:
        """Post `reply` (in `thread` if given); return the new message's id (Slack's ts).

        A plan reply's message must become the run's message (the Slack surface records it
        with `RunMessages.record_message_ref`), so later updates of the run edit it in place.
        `marker` is kept with the message (Slack message metadata) for `find`.
        """
        ...

    def find(self, channel: str, marker: str, *, thread: str | None = None) -> str | None:
        """The id of the bot's recent message posted with `marker` (in `thread`, or at the
        channel's top level), or None: whether a post whose outcome was lost went out."""
        ...

    def update(self, channel: str, message_id: str, reply: Reply) -> None:
        """Replace the text of a message the bot posted."""
        ...


WatchedResource = Literal["pods", "jobs", "nodes"]


@dataclass(frozen=True)
class WatchEvent:
    """One change the cluster watch saw, as plain JSON (never a `V1...` object).

    `RELISTED` carries every object of `resource` in `namespace` (None: cluster-scoped)
    after a (re-)list; objects the watcher knew there and that are missing from it are gone.
    The others carry the one object they are about. Object text is the cluster's: hostile.
    """

    resource: WatchedResource
    type: Literal["ADDED", "MODIFIED", "DELETED", "RELISTED"]
    namespace: str | None
    objects: tuple[Mapping[str, Any], ...]
    resource_version: str = ""
    replicasets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """For pods: the ReplicaSets they name as controller, as the watcher read them (its own
    identity, not the pods' word), by uid; their metadata only (name, namespace, uid,
    ownerReferences). A pod whose ReplicaSet is not here is alerted on by its own name."""


class ClusterWatch(Protocol):
    """Streams changes of pods, jobs and nodes (the executor's `KubeWatcher`)."""

    def start(self, on_event: Callable[[WatchEvent], None]) -> None:
        """List, then watch from the list's resourceVersion, in background threads."""
        ...

    def stop(self) -> None:
        """Stop streaming and join the threads; `start` may be called again after."""
        ...

    @property
    def running(self) -> bool:
        """Whether the threads stream now."""
        ...
