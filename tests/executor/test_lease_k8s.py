"""Leader election on a real Lease in the sandbox API server. Time is a fake monotonic clock
per candidate, so expiry and renew deadlines are stepped, never slept through."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from kubernetes import client

from chatops.executor.lease import LeaseElector, LeaseTimings

TIMINGS = LeaseTimings(duration=15, renew_deadline=10, retry_period=2)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def elector(api: Any, namespace: str, identity: str, clock: Clock) -> LeaseElector:
    return LeaseElector(api, namespace, "chatops", identity, TIMINGS, clock=clock)


def lease(api: Any, namespace: str) -> Any:
    return client.CoordinationV1Api(api).read_namespaced_lease("chatops", namespace).spec


def test_the_first_candidate_creates_the_lease_and_the_second_follows(
        k8s_admin: Any, namespace: str) -> None:
    a_clock, b_clock = Clock(), Clock()
    a, b = elector(k8s_admin, namespace, "pod-a", a_clock), elector(k8s_admin, namespace,
                                                                    "pod-b", b_clock)
    assert a.try_once() and a.is_leader()
    assert not b.try_once() and not b.is_leader()
    assert b.holder == "pod-a"
    spec = lease(k8s_admin, namespace)
    assert spec.holder_identity == "pod-a" and spec.lease_duration_seconds == 15
    # The holder renews; the follower still sees a live lease.
    a_clock.now += 2
    b_clock.now += 2
    assert a.try_once() and not b.try_once()


def test_a_dead_holder_is_replaced_after_the_lease_duration_not_before(
        k8s_admin: Any, namespace: str) -> None:
    a_clock, b_clock = Clock(), Clock()
    a, b = elector(k8s_admin, namespace, "pod-a", a_clock), elector(k8s_admin, namespace,
                                                                    "pod-b", b_clock)
    assert a.try_once()
    assert not b.try_once()  # b sees a's record now and starts counting
    # pod-a dies (SIGKILL: no release). Just before the duration b still waits.
    b_clock.now += 14.9
    assert not b.try_once()
    b_clock.now += 0.2
    assert b.try_once() and b.is_leader()
    spec = lease(k8s_admin, namespace)
    assert spec.holder_identity == "pod-b" and spec.lease_transitions == 1
    # pod-a comes back (a paused process): its next renewal finds the Lease taken.
    a_clock.now += 20
    assert not a.try_once() and not a.is_leader()
    assert a.holder == "pod-b"


def test_a_holder_that_cannot_renew_stops_leading_before_the_lease_expires(
        k8s_admin: Any, namespace: str) -> None:
    clock = Clock()
    a = elector(k8s_admin, namespace, "pod-a", clock)
    assert a.try_once()
    clock.now += TIMINGS.renew_deadline - 0.1
    assert a.is_leader()
    clock.now += 0.2  # no successful renewal within the renew deadline
    assert not a.is_leader()
    assert TIMINGS.renew_deadline < TIMINGS.duration  # others may take over only later


def test_a_holder_that_loses_the_api_server_keeps_no_leadership(
        k8s_admin: Any, namespace: str) -> None:
    clock = Clock()
    a = elector(k8s_admin, namespace, "pod-a", clock)
    assert a.try_once()
    unreachable = client.ApiClient(client.Configuration(host="http://127.0.0.1:9"))
    cut_off = LeaseElector(unreachable, namespace, "chatops", "pod-a", TIMINGS, clock=clock)
    cut_off._renewed_at = clock.now  # leading, as `a` is, when the connection goes
    clock.now += 3
    assert cut_off.try_once()  # a failed round: still within the renew deadline
    clock.now += 8
    assert not cut_off.try_once() and not cut_off.is_leader()


def test_a_clean_stop_releases_the_lease_for_the_next_try(
        k8s_admin: Any, namespace: str) -> None:
    a_clock, b_clock = Clock(), Clock()
    a, b = elector(k8s_admin, namespace, "pod-a", a_clock), elector(k8s_admin, namespace,
                                                                    "pod-b", b_clock)
    assert a.try_once() and not b.try_once()
    a.release()
    assert not a.is_leader()
    assert b.try_once(), "a released Lease is taken at once, without waiting for expiry"


def test_candidates_racing_for_a_new_lease_elect_exactly_one(
        k8s_admin: Any, namespace: str) -> None:
    candidates = [elector(k8s_admin, namespace, f"pod-{i}", Clock()) for i in range(6)]
    wins: list[str] = []
    barrier = threading.Barrier(len(candidates))

    def campaign(c: LeaseElector) -> None:
        barrier.wait()
        if c.try_once():
            wins.append(c.identity)

    threads = [threading.Thread(target=campaign, args=(c,)) for c in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert lease(k8s_admin, namespace).holder_identity == wins[0]


@pytest.mark.parametrize(("duration", "deadline", "retry"), [
    (10, 10, 2), (10, 12, 2), (10, 5, 5), (10, 5, 0), (0, 0, 0)])
def test_timings_that_could_let_two_replicas_lead_are_refused(
        duration: float, deadline: float, retry: float) -> None:
    with pytest.raises(ValueError, match="lease timings"):
        LeaseTimings(duration, deadline, retry)
