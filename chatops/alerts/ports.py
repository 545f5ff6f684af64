"""What the alert engine needs from the rest of the bot, as narrow interfaces.

The engine, its responder and the automatic fixes depend on these, not on the conversation
service or the stores behind it: the composition root (`chatops.cli.wiring`) fills an
`AlertPorts` with the service (the conversation's alert entry points), the run store, the
audit log, the runbook catalogue, the executor (names, for a pod's deployment) and this
process as a worker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chatops.model import Identity
from chatops.ports import AuditSink, ResourceKind
from chatops.replies import Reply, RunView
from chatops.runbook.schema import Runbook
from chatops.runs.model import Run


class AlertConversation(Protocol):
    """The conversation's entry points for alerts (`ConversationService` has them)."""

    def view(self, run_id: str) -> RunView:
        """The run as plan and result messages show it."""
        ...

    def run_readonly(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                     channel: str, thread: str | None, actor: str) -> Reply:
        """Run a read-only runbook as `identity` (alert diagnostics)."""
        ...

    def propose_for_alert(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                          channel: str, thread: str | None, actor: str) -> list[Reply]:
        """Propose a remediation under an alert, previewed as `identity`."""
        ...

    def start_for_alert(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                        channel: str, thread: str | None, actor: str,
                        notes: Sequence[str] = ()) -> tuple[str | None, list[Reply]]:
        """Plan and approve an automatic fix: its run id, or None and the refusal."""
        ...

    def execute_approved(self, run_id: str) -> list[Reply]:
        """Execute an approved run once; nothing when another caller took it."""
        ...


class AlertRuns(Protocol):
    """The runs the engine reads (an automatic fix's end) and marks with their message
    (`RunStore` is one)."""

    def get(self, run_id: str) -> Run | None:
        """The stored run, or None."""
        ...

    def update(self, run_id: str, *, message_ref: str) -> None:
        """Remember the chat message (`"CHANNEL:TS"`) that shows the run."""
        ...


class Runbooks(Protocol):
    """The runbooks alert rules name (the live `Catalogue`)."""

    def get(self, name: str) -> Runbook:
        """The runbook called `name`."""
        ...

    def __iter__(self) -> Iterator[Runbook]:
        """Every runbook."""
        ...


class Names(Protocol):
    """Names of cluster objects, to find a pod's deployment (the `Executor`)."""

    def names(self, kind: ResourceKind, namespace: str | None,
              identity: Identity | None) -> tuple[str, ...]:
        """Names of objects of `kind` in `namespace`, as `identity` may list them."""
        ...


class Worker(Protocol):
    """This process among the replicas (`chatops.runs.workers.ThisWorker`): the id it
    claims outbox posts under, and whether another claimer is still alive."""

    @property
    def worker_id(self) -> str:
        """This process's worker id."""
        ...

    def alive(self, worker_id: str | None, stale_after: float) -> bool:
        """Whether `worker_id` still runs (this process always does)."""
        ...


@dataclass(frozen=True)
class AlertPorts:
    """Everything the alert engine uses from outside the alerts package."""

    conversation: AlertConversation
    runs: AlertRuns
    audit: AuditSink
    runbooks: Runbooks
    cluster: Names
    worker: Worker
