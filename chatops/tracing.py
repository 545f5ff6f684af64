"""Which run the current thread is executing, so that every Kubernetes request it sends can
say so: the executor adds `Impersonate-Extra-` headers with the run id and the audit record
that started the run, and the API server's own audit log then points back to ours (and
through that record to the Slack thread).

A context variable rather than a parameter: the run's requests are many layers below the
run (verbs, retries, verification polls), and the trace is metadata about them, never an
input that changes what they do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

RUN_ID_EXTRA = "chatops.dev/run-id"
AUDIT_SEQ_EXTRA = "chatops.dev/audit-seq"
"""The user-info extra keys the bot impersonates (RBAC: `userextras/<key>`)."""


@dataclass(frozen=True)
class RunTrace:
    """A run and the id of the audit record that started its execution."""

    run_id: str
    audit_seq: int

    def extras(self) -> dict[str, str]:
        """The impersonated user-info extras that carry it."""
        return {RUN_ID_EXTRA: self.run_id, AUDIT_SEQ_EXTRA: str(self.audit_seq)}


_CURRENT: ContextVar[RunTrace | None] = ContextVar("chatops_run_trace", default=None)


def current_trace() -> RunTrace | None:
    """The run this thread is executing now, if any."""
    return _CURRENT.get()


@contextmanager
def traced(trace: RunTrace) -> Iterator[None]:
    """Everything the block sends to the cluster carries `trace`."""
    token = _CURRENT.set(trace)
    try:
        yield
    finally:
        _CURRENT.reset(token)
