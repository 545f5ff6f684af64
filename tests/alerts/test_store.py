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


def test_posts_claimed_by_a_gone_replica_are_taken_back_once(
        state_location: Path | str) -> None:
    store = AlertStore(state_location)
    for n in range(3):
        store.record(f"g{n}", "C1", "f", {"status": "firing"})
        store.enqueue("C1", f"g{n}", "root", {"n": n})
    dead = store.claim_next("dead-host:1:aaaaaa", lambda channel: True)
    live = store.claim_next("live-host:2:bbbbbb", lambda channel: True)
    assert dead is not None and live is not None
    store.mark_posted(live, "1.0")
    posted_by_dead = store.claim_next("dead-host:1:aaaaaa", lambda channel: True)
    assert posted_by_dead is not None
    alive = {"live-host:2:bbbbbb"}
    # Two holders sweeping at once (a Lease hand-over) release each item once.
    released: list[int] = []
    _together(2, lambda _i: released.extend(store.release_claims(alive.__contains__)))
    assert sorted(released) == sorted([dead.id, posted_by_dead.id])
    again = [store.claim_next("new-holder", lambda channel: True) for _ in range(3)]
    assert sorted(i.id for i in again if i is not None) == sorted(released)
    assert store.release_claims(lambda worker: worker == "new-holder") == []
