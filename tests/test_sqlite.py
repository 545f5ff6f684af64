"""Several processes opening one new state database at once (two bot replicas starting)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path


def _open(path: str, results: multiprocessing.Queue[str]) -> None:
    from chatops.runs import RunStore

    try:
        RunStore(path).dedupe.claim("k")
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(repr(exc))


def test_processes_opening_a_new_database_together_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(4):
        path = str(tmp_path / f"state-{round_}.db")
        results: multiprocessing.Queue[str] = ctx.Queue()
        procs = [ctx.Process(target=_open, args=(path, results)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [results.get(timeout=5) for _ in procs] == ["ok"] * 4
