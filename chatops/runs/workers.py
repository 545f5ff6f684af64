"""Worker heartbeats: which bot processes are alive, so a run's owner can be told lost."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from chatops.processes import pid_alive
from chatops.storage import Database, Migration, StoreSchema, migrate

STALE_AFTER = 120.0
"""Seconds without a heartbeat after which a worker on another host counts as gone (four
missed beats of the Runtime's 30 s heartbeat)."""

SCHEMA = StoreSchema("workers", (
    Migration(1, "worker heartbeats", (
        """CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    heartbeat REAL NOT NULL
)""",
    )),
))


@dataclass(frozen=True)
class Worker:
    """One bot process's last heartbeat."""

    id: str
    host: str
    pid: int
    heartbeat: float


class WorkerStore:
    """Heartbeats of the bot processes sharing the database."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Use `db`, creating or migrating the `workers` table."""
        self.db = db
        self.clock = clock
        migrate(db, SCHEMA)

    def heartbeat(self, worker_id: str) -> None:
        """Say that `worker_id` (this process) is alive now."""
        sql = self.db.dialect.upsert("workers", ("id", "host", "pid", "heartbeat"), ("id",))
        with self.db.tx() as conn:
            conn.execute(sql, (worker_id, socket.gethostname(), os.getpid(), self.clock()))

    def workers(self) -> dict[str, Worker]:
        """Every worker that ever beat, by id."""
        rows = self.db.conn().execute("SELECT id, host, pid, heartbeat FROM workers")
        return {r["id"]: Worker(r["id"], r["host"], int(r["pid"]), float(r["heartbeat"]))
                for r in rows}

    def alive(self, worker_id: str | None, stale_after: float) -> bool:
        """Whether `worker_id` still runs: its process exists (on this host), or its last
        heartbeat (from another host) is younger than `stale_after` seconds."""
        worker = self.workers().get(worker_id) if worker_id is not None else None
        if worker is None:
            return False
        if worker.host == socket.gethostname():
            return pid_alive(worker.pid)
        return self.clock() - worker.heartbeat < stale_after


def new_worker_id() -> str:
    """A worker id for this process: host, pid and a random part (a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class ThisWorker:
    """This process among the workers sharing the database: the id it owns runs, claims
    and outbox posts under, its heartbeat, and whether another worker still runs."""

    def __init__(self, workers: WorkerStore, worker_id: str | None = None) -> None:
        self.workers = workers
        self.worker_id = worker_id or new_worker_id()

    def heartbeat(self) -> None:
        """Say this process is alive, so others don't take what it owns as lost."""
        self.workers.heartbeat(self.worker_id)

    def alive(self, worker_id: str | None, stale_after: float) -> bool:
        """Whether `worker_id` still runs: this process always does; another one as its
        heartbeat says (`WorkerStore.alive`)."""
        return worker_id == self.worker_id or self.workers.alive(worker_id, stale_after)
