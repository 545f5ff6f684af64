"""Several writers on one audit file (two bot replicas, or threads of one) never fork the
chain: each append takes the write lock before reading the chain's end."""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

from chatops.audit import AuditLog

PER_WRITER = 200


def _write_events(path: str, writer: str, start: Barrier) -> None:
    # Runs in a spawned process: opens its own connection, as a second replica would, and
    # waits for the other writer so that both append at the same time.
    with AuditLog(path) as log:
        start.wait(timeout=60)
        for i in range(PER_WRITER):
            log.append("step", actor=writer, run_id=f"{writer}-run", data={"seq": i})
            # Replicas append between other work; without a pause the writer that holds the
            # lock re-takes it at once while the other sleeps in SQLite's busy handler, and
            # the two would rarely interleave.
            time.sleep(0.002)


def test_two_processes_appending_to_one_file_keep_one_chain(audit_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    # The file does not exist yet: both processes also race to create the schema.
    workers = [ctx.Process(target=_write_events, args=(str(audit_path), name, start))
               for name in ("replica-a", "replica-b")]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(timeout=240)
    assert [proc.exitcode for proc in workers] == [0, 0]

    with AuditLog(audit_path) as log:
        report = log.verify()
        assert (report.ok, report.checked, report.problem) == (True, 2 * PER_WRITER, "")
        events = log.list(limit=1000)
        switches = sum(1 for a, b in itertools.pairwise(events) if a.actor != b.actor)
        assert switches > 0, "the two writers never interleaved; the test proved nothing"
        for name in ("replica-a", "replica-b"):
            seqs = [e.data["seq"] for e in log.list(limit=1000, run_id=f"{name}-run")]
            assert seqs == list(range(PER_WRITER - 1, -1, -1))


def test_threads_sharing_one_log_keep_one_chain(audit_path: Path) -> None:
    with AuditLog(audit_path) as log:
        def write(writer: str) -> None:
            for i in range(50):
                log.append("message", actor=writer, data={"seq": i})

        threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report = log.verify()
    assert (report.ok, report.checked) == (True, 200)
