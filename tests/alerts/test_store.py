"""The alert store shared by several processes (here: stores with their own connections,
in threads), on SQLite and on PostgreSQL: alerts folded into one group at once are all
kept and counted, and every queued post is claimed exactly once."""

from __future__ import annotations

import threading
from pathlib import Path

from chatops.alerts.store import AlertStore

WRITERS, PER_WRITER = 4, 15


def _together(count: int, work: object) -> None:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            work(index)  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []


def test_alerts_folded_at_once_are_all_kept(state_location: Path | str) -> None:
    stores = [AlertStore(state_location) for _ in range(WRITERS)]
    new_groups: list[bool] = []

    def fold(index: int) -> None:
        for i in range(PER_WRITER):
            new, _ = stores[index].record("g1", "C1", "shared", {"status": "firing"})
            new_groups.append(new)
            stores[index].record("g1", "C1", f"w{index}-{i}", {"status": "firing"})

    _together(WRITERS, fold)
    group = stores[0].group("g1")
    assert group is not None
    assert new_groups.count(True) == 1
    assert group.alerts["shared"]["count"] == WRITERS * PER_WRITER
    assert len(group.alerts) == 1 + WRITERS * PER_WRITER


def test_each_queued_post_is_claimed_once(state_location: Path | str) -> None:
    stores = [AlertStore(state_location) for _ in range(WRITERS)]
    for n in range(8):
        stores[0].record(f"g{n}", "C1", "f", {"status": "firing"})
        stores[0].enqueue("C1", f"g{n}", "root", {"n": n})
    claimed: list[int] = []

    def claim(index: int) -> None:
        while (item := stores[index].claim_next(f"w{index}", lambda channel: True)) is not None:
            claimed.append(item.body["n"])
            stores[index].mark_posted(item, f"{item.id}.0")

    _together(WRITERS, claim)
    assert sorted(claimed) == list(range(8))
    assert stores[0].stats().posted == 8
