"""The run state machine: every legal move works, every illegal one is an error (not a
silent no-op), racing writers on two connections get exactly one winner, and dedupe keys
expire; on SQLite and on PostgreSQL (`state_location`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from chatops.model import Identity
from chatops.runs import (
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    RunState,
    RunStore,
)
from chatops.stores import open_state

LEGAL = [(a, b) for a in RunState for b in RunState if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a in RunState for b in RunState if b not in TRANSITIONS[a]]


def new_run(store: RunStore, state: RunState = RunState.PROPOSED) -> str:
    fields: dict[str, Any] = {
        "runbook": "scale_deployment", "risk": "write", "requester": "alice",
        "requester_name": "alice", "identity": Identity("alice", ("dev",)),
        "channel": "C0OPS", "thread": None, "raw_slots": {}, "plan": {}, "digest": "d",
        "needed": 1, "expires_at": 0.0}
    return store.create(state=state, **fields).id


def put_in(store: RunStore, state: RunState) -> str:
    """A run in `state`, reached by legal moves only."""
    path = {RunState.PROPOSED: [], RunState.APPROVED: [RunState.APPROVED],
            RunState.RUNNING: [RunState.APPROVED, RunState.RUNNING]}
    for start, steps in path.items():
        if state is start or state in TRANSITIONS[start]:
            run_id = new_run(store)
            current = RunState.PROPOSED
            for step in [*steps, *([state] if state is not start else [])]:
                assert store.transition(run_id, (current,), step)
                current = step
            return run_id
    raise AssertionError(state)


@pytest.fixture
def store(state_location: Path | str) -> RunStore:
    return RunStore(state_location)


def test_every_state_has_its_moves_and_terminal_states_have_none() -> None:
    assert set(TRANSITIONS) == set(RunState)
    assert all(TRANSITIONS[s] == frozenset() for s in TERMINAL)
    assert all(TRANSITIONS[s] for s in set(RunState) - TERMINAL)


@pytest.mark.parametrize(("start", "end"), LEGAL, ids=lambda s: str(s))
def test_legal_moves_happen_once(store: RunStore, start: RunState, end: RunState) -> None:
    run_id = put_in(store, start)
    assert store.transition(run_id, (start,), end)
    assert store.get(run_id).state is end  # type: ignore[union-attr]
    assert not store.transition(run_id, (start,), end)  # the second caller loses


@pytest.mark.parametrize(("start", "end"), ILLEGAL, ids=lambda s: str(s))
def test_illegal_moves_are_errors(store: RunStore, start: RunState, end: RunState) -> None:
    run_id = put_in(store, start)
    with pytest.raises(IllegalTransition):
        store.transition(run_id, (start,), end)
    assert store.get(run_id).state is start  # type: ignore[union-attr]


@pytest.mark.parametrize("state", sorted(set(RunState) - {RunState.PROPOSED,
                                                           RunState.RUNNING}))
def test_runs_start_proposed_or_running(store: RunStore, state: RunState) -> None:
    with pytest.raises(IllegalTransition):
        new_run(store, state)


def test_unknown_columns_are_refused(store: RunStore) -> None:
    run_id = new_run(store)
    with pytest.raises(ValueError, match="not a writable column"):
        store.update(run_id, **{"state = 'approved', owner": "x"})
    with pytest.raises(ValueError, match="not a writable column"):
        store.transition(run_id, (RunState.PROPOSED,), RunState.APPROVED, state="running")
    assert store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]


def test_two_connections_racing_for_one_move_get_one_winner(state_location: Path | str) -> None:
    path = state_location
    run_ids = [new_run(RunStore(path)) for _ in range(20)]
    stores = [RunStore(path), RunStore(path)]
    wins: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(stores))

    def race(store: RunStore) -> None:
        barrier.wait()
        for run_id in run_ids:
            if store.transition(run_id, (RunState.PROPOSED,), RunState.APPROVED):
                with lock:
                    wins.append(run_id)

    threads = [threading.Thread(target=race, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == sorted(run_ids)  # each run approved exactly once


def test_dedupe_keys_expire(state_location: Path | str) -> None:
    now = [1000.0]
    store = open_state(state_location, clock=lambda: now[0])
    assert store.dedupe.claim("event:old")
    now[0] += 3600
    assert store.dedupe.claim("event:new")
    assert store.dedupe.prune(1800) == 1
    assert not store.dedupe.seen("event:old") and store.dedupe.seen("event:new")
    assert not store.dedupe.claim("event:new")


def test_the_sweep_interrupts_approved_runs_whose_process_died_once(
        state_location: Path | str) -> None:
    """A run approved and queued by a process that died before running it (an automatic
    fix's) is interrupted by the sweep, once; one approved by a live process is left to it,
    and a run the sweep took can no longer start."""
    now = [1_000.0]
    me = open_state(state_location, clock=lambda: now[0]).worker
    store = RunStore(state_location, clock=lambda: now[0], workers=me)
    other = open_state(state_location, clock=lambda: now[0]).worker  # another replica, alive
    me.heartbeat()
    other.heartbeat()
    queued_by_dead, queued_by_live, just_approved = (new_run(store) for _ in range(3))
    assert store.transition(queued_by_dead, (RunState.PROPOSED,), RunState.APPROVED,
                            owner="gone-host:4242:dead")  # never beats again: died
    assert store.transition(queued_by_live, (RunState.PROPOSED,), RunState.APPROVED,
                            owner=other.worker_id)
    assert store.transition(just_approved, (RunState.PROPOSED,), RunState.APPROVED)

    swept = store.interrupt_orphans()
    assert [r.id for r in swept] == [queued_by_dead]
    assert swept[0].state is RunState.INTERRUPTED
    assert swept[0].result["interrupted"] == "before_start"
    assert store.interrupt_orphans() == []  # exactly once
    # The dead process's worker, were it to come back, cannot start it: never twice.
    assert not store.transition(queued_by_dead, (RunState.APPROVED,), RunState.RUNNING)
    assert store.get(queued_by_live).state is RunState.APPROVED  # type: ignore[union-attr]
    # Approved without an owner: its approver executes it at once, so still `approved`
    # after the stale limit means that process died in between.
    assert store.get(just_approved).state is RunState.APPROVED  # type: ignore[union-attr]
    now[0] += 121
    other.heartbeat()
    assert [r.id for r in store.interrupt_orphans()] == [just_approved]
    assert store.get(queued_by_live).state is RunState.APPROVED  # type: ignore[union-attr]
