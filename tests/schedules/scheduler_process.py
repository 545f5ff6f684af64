"""A scheduler in a process of its own, for the takeover tests (`test_processes.py`).

    python -m tests.schedules.scheduler_process STATE AUDIT NOW SIGNALS MODE

It builds the conversation engine on the shared state and audit databases (SQLite files or
a PostgreSQL URL) over a fake cluster in the state `tests.schedules.conftest` starts from,
writes `SIGNALS/ready-PID`, waits for `SIGNALS/go`, fires the schedules due at `NOW` once
and prints how many results it posted. In MODE `hang` the cluster's first real write
writes `SIGNALS/writing-PID` and never returns: the test kills the process there, after it
claimed the firing and started its run. In MODE `hang-dry-run` it is the firing's dry-run
that writes `SIGNALS/dry-run-PID` and never returns: killed there, the process has claimed
the firing and not started any run.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from chatops.model import Identity, Step
from chatops.ports import Progress
from chatops.results import StepResult
from chatops.runbook.catalogue import load_catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.schedules.conftest import Clock, make_bot


class HangingCluster(FakeCluster):
    """A cluster whose real writes never finish, after saying they started."""

    signals = Path(".")
    hang_in_dry_run = False

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None, cause: str = "") -> StepResult:
        if dry_run and self.hang_in_dry_run:
            (self.signals / f"dry-run-{os.getpid()}").write_text(step.verb)
            threading.Event().wait()
        if not dry_run and not self.hang_in_dry_run:
            (self.signals / f"writing-{os.getpid()}").write_text(step.verb)
            threading.Event().wait()
        return super().run_step(step, identity, dry_run=dry_run, progress=progress,
                                cause=cause)


def main(state: str, audit: str, now: str, signals: str, mode: str) -> int:
    folder = Path(signals)
    at = float(now)
    cluster = HangingCluster() if mode.startswith("hang") else FakeCluster()
    cluster.deployments.update({("prod", "checkout-api"): 3, ("dev", "checkout-api"): 1})
    cluster.nodes.update({"node-1": False, "node-2": False})
    if isinstance(cluster, HangingCluster):
        cluster.signals = folder
        cluster.hang_in_dry_run = mode == "hang-dry-run"
    clock = Clock()
    clock.now = at
    bot = make_bot(state, audit, load_catalogue(), cluster, clock)
    (folder / f"ready-{os.getpid()}").write_text("")
    deadline = time.monotonic() + 60
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.01)
    postings = bot.service.fire_schedules(at)
    print(sum(p.reply.kind == "result" for p in postings), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
