"""The stores of one bot process, opened together where the bot is composed
(`chatops.cli.wiring`) and owned by the `Runtime`.

The conversation gets its part (`ConversationStores`: runs and approvals, dedupe keys,
thread contexts, this process as a worker, schedules), the alert engine the alert store and
the automatic fixes' store, everything the audit log. They all live in the one state
database (the audit log in its own, unless `CHATOPS_DATABASE_URL` puts it there too), each
opened through `chatops.storage` and migrated as it opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from chatops.alerts import AlertStore
from chatops.alerts.autofix import AutoFixStore
from chatops.conversation import ConversationStores
from chatops.ports import AuditSink
from chatops.runs import RunStore
from chatops.runs.dedupe import DedupeStore
from chatops.runs.store import json_default
from chatops.runs.threads import ThreadStore
from chatops.runs.workers import ThisWorker, WorkerStore
from chatops.schedules import ScheduleStore
from chatops.storage import Database, open_database


@dataclass(frozen=True)
class Stores:
    """Every store of a bot process; `alerts` and `autofix` only while alerts are on."""

    conversation: ConversationStores
    audit: AuditSink
    alerts: AlertStore | None = None
    autofix: AutoFixStore | None = None

    @property
    def runs(self) -> RunStore:
        """Runs and approvals."""
        return self.conversation.runs

    @property
    def worker(self) -> ThisWorker:
        """This process as a worker: its id and heartbeat."""
        return self.conversation.worker

    @property
    def dedupe(self) -> DedupeStore:
        """Event, click and thread keys, each taken once."""
        return self.conversation.dedupe

    def with_alerts(self) -> Stores:
        """These stores and the alert engine's, opened (migrated) in the state database."""
        if self.alerts is not None:
            return self
        database = self.runs.database
        # The automatic fixes' tables are opened with the alert store, as `chatops db
        # migrate` does, whether or not a rule runs fixes yet.
        return replace(self, alerts=AlertStore(database), autofix=AutoFixStore(database))


def open_state(location: str | Path | Database, *,
               clock: Callable[[], float] = time.time) -> ConversationStores:
    """The conversation's stores in the state database at `location` (an SQLite file, a
    `postgresql://` URL or a `Database` already open), created or migrated."""
    database = open_database(location)
    worker = ThisWorker(WorkerStore(database, clock=clock))
    return ConversationStores(
        runs=RunStore(database, clock=clock, workers=worker),
        dedupe=DedupeStore(database, clock=clock),
        threads=ThreadStore(database, clock=clock, json_default=json_default),
        worker=worker,
        # In the runs' database, so one claim row decides each firing across replicas.
        schedules=ScheduleStore(database, clock=clock))
