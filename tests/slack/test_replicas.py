"""Three `chatops serve` replicas on one PostgreSQL database, electing a leader through a
Lease in the sandbox: a burst of requests and double clicks spread over all three, then a
storm of 1,000 alerts during which the Lease holder is killed with SIGKILL.

Nothing runs twice, every approved run ran once or was marked interrupted, the audit chain
verifies, every alert thread is posted once, the Lease moves to a live replica within the
lease duration, and Slack's per-method limits hold.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kubernetes import client

from chatops.alerts.store import AlertStore
from chatops.alerts.throttle import RootUpdateLimits
from chatops.audit import AuditLog
from chatops.runs import Run, RunState, RunStore
from tests.slack.conftest import ALERT_TOKEN, SECRET, eventually
from tests.slack.helpers import race_clicks
from tests.slack.mock_slack import MockSlack
from tests.slack.processes import FAKE_SERVE, BotProcess, bot_env
from tests.slack.sender import Sender

REPLICAS = 3
REQUESTS = 24
LEASE = {"CHATOPS_LEASE_DURATION": "4", "CHATOPS_LEASE_RENEW_DEADLINE": "3",
         "CHATOPS_LEASE_RETRY_PERIOD": "0.5"}
LEASE_DURATION = 4.0
RULES = """burst: {posts: 10, per_seconds: 10}
rules: []
"""
"""No rule matches: each new alert gets a short answer, so the storm's posts are 20 roots
and 20 answers, at Slack's pace for chat.postMessage (about one per second per channel)."""


def holder(api: Any, namespace: str) -> str | None:
    try:
        lease = client.CoordinationV1Api(api).read_namespaced_lease("chatops", namespace)
    except client.exceptions.ApiException as exc:
        if exc.status == 404:
            return None
        raise
    return lease.spec.holder_identity


def post_alerts(url: str, payload: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url.replace("/slack/events", "/alertmanager") + "?channel=C0ALERTS",
        data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {ALERT_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0  # the replica is gone


def start_replicas(tmp_path: Path, slack: MockSlack, url: str, kubeconfig: Path,
                   namespace: str) -> dict[str, BotProcess]:
    rules = tmp_path / "alert-rules.yaml"
    rules.write_text(RULES)
    bots = {}
    for i in range(REPLICAS):
        env = bot_env(tmp_path, slack, CHATOPS_DATABASE_URL=url,
                      CHATOPS_LEADER_ELECTION="true", CHATOPS_KUBECONFIG=str(kubeconfig),
                      CHATOPS_LEASE_NAMESPACE=namespace, CHATOPS_POD_NAME=f"bot-{i}",
                      CHATOPS_ALERTMANAGER_TOKEN=ALERT_TOKEN, CHATOPS_ALERT_CHANNEL="C0ALERTS",
                      CHATOPS_ALERT_RULES=str(rules), FAKE_APPS=str(REQUESTS), **LEASE)
        bots[f"bot-{i}"] = BotProcess(FAKE_SERVE, env)
    for bot in bots.values():
        bot.wait_ready()
    return bots


def burst_of_requests(bots: list[BotProcess], slack: MockSlack, store: RunStore) -> list[Run]:
    """`REQUESTS` slash commands over all replicas (each scaling a deployment of its own, so
    no plan drifts because of another), then double clicks of each plan's Approve on two
    different replicas (and a retried click on a third)."""
    senders = [Sender(b.url, SECRET, slack.base) for b in bots]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: senders[i % REPLICAS].command(
            f"run scale_deployment deployment=app-{i} namespace=prod replicas=3",
            user="U0BOB"), range(REQUESTS)))

    def planned() -> list[Run] | None:
        rows = store._db().execute("SELECT id FROM runs WHERE message_ref IS NOT NULL")
        runs = [r for row in rows.fetchall() if (r := store.get(row["id"])) is not None]
        return runs if len(runs) == REQUESTS else None

    runs = eventually(planned, timeout=60, what="every request planned")
    assert isinstance(runs, list)
    threads = []
    for n, run in enumerate(runs):
        ts = str(run.message_ref).split(":", 1)[1]
        a, b, c = (senders[(n + k) % REPLICAS] for k in range(3))
        stamp = f"{time.time():.6f}"
        clicks = [(a, "U0CAROL", None), (b, "U0CAROL", None), (c, "U0CAROL", stamp),
                  (a, "U0CAROL", stamp)]
        threads.append(threading.Thread(target=race_clicks, args=(clicks, run.id, ts)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return runs


def test_three_replicas_a_burst_and_an_alert_storm_with_the_holder_killed(
        tmp_path: Path, slack_api: MockSlack, postgres_database: str, sandbox: Any,
        k8s_admin: Any, namespace: str) -> None:
    bots = start_replicas(tmp_path, slack_api, postgres_database, sandbox.kubeconfig,
                          namespace)
    try:
        first = eventually(lambda: holder(k8s_admin, namespace), what="a Lease holder")
        assert first in bots
        store = RunStore(postgres_database)
        runs = burst_of_requests(list(bots.values()), slack_api, store)

        # The storm: 50 deliveries of 20 alerts (20 groups), spread over the replicas; the
        # holder is killed half-way. A delivery that finds its replica gone is sent to the
        # next one, as Alertmanager retries.
        live = list(bots)
        killed_at: list[float] = []

        def deliver(batch: int) -> None:
            payload = {"version": "4", "status": "firing", "alerts": [
                {"status": "firing", "fingerprint": f"fp{i:02d}",
                 "labels": {"alertname": f"DiskFilling{i:02d}", "node": f"node-{i}"}}
                for i in range(20)]}
            if batch == 25:
                os.kill(bots[first].proc.pid, signal.SIGKILL)
                killed_at.append(time.monotonic())
                live.remove(first)
            for attempt in range(REPLICAS * 2):
                name = live[(batch + attempt) % len(live)]
                if post_alerts(bots[name].url, payload) == 200:
                    return
            raise AssertionError(f"delivery {batch} was refused everywhere")

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(deliver, range(50)))
        successor = eventually(lambda: (h := holder(k8s_admin, namespace)) in live and h,
                               timeout=30, what="the Lease on a live replica")
        takeover = time.monotonic() - killed_at[0]
        alerts = AlertStore(postgres_database)
        eventually(lambda: alerts.pending() == 0, timeout=120, what="the outbox to drain")
        eventually(lambda: all(store.get(r.id).state.terminal for r in runs),  # type: ignore[union-attr]
                   timeout=60, what="every run to end: " + ", ".join(
                       f"{r.id}={store.get(r.id).state}" for r in runs))  # type: ignore[union-attr]
    finally:
        for bot in bots.values():
            bot.stop()

    print(f"\nLease takeover after SIGKILL of {first}: {takeover:.2f} s (lease duration "
          f"{LEASE_DURATION:.0f} s), new holder {successor}", file=sys.stderr)
    assert takeover <= LEASE_DURATION + 2 * float(LEASE["CHATOPS_LEASE_RETRY_PERIOD"]) + 1.0

    audit = AuditLog(postgres_database)
    assert audit.verify().ok
    for run in runs:
        final = store.get(run.id)
        assert final is not None
        kinds = Counter(e.kind for e in audit.list(run_id=run.id, limit=200))
        assert kinds["started"] <= 1 and kinds["result"] <= 1, (run.id, kinds)
        if final.state is RunState.SUCCEEDED:
            assert kinds["started"] == 1 and kinds["step"] == 1 and kinds["result"] == 1
        else:  # the killed replica was running it: marked, never run again
            assert final.state is RunState.INTERRUPTED, (run.id, final.state)

    roots = [c for c in slack_api.of("chat.postMessage")
             if c.args.get("channel") == "C0ALERTS" and not c.args.get("thread_ts")]
    assert len(roots) == 20, [c.text()[:40] for c in roots]
    for n in range(20):
        group = [g for g in (alerts.group(k) for k in alerts_keys(alerts))
                 if g is not None and f"fp{n:02d}" in g.alerts]
        assert len(group) == 1 and group[0].ts is not None
        assert group[0].alerts[f"fp{n:02d}"]["count"] >= 50  # none lost (a retry may repeat)
    posts = sorted(c.at for c in slack_api.of("chat.postMessage")
                   if c.args.get("channel") == "C0ALERTS")
    assert len(posts) == 40
    # Slack's chat.postMessage limit: about one per second per channel, short bursts
    # allowed; the outbox keeps to 10 per 10 s, across a change of Lease holder too.
    assert all(sum(1 for t in posts if s <= t < s + 10) <= 10 for s in posts)
    edits = sorted(c.at for c in slack_api.of("chat.update")
                   if c.args.get("channel") == "C0ALERTS")
    # One holder edits roots at a time; the new holder starts with no history of the old
    # one's edits, so a minute that spans the takeover may see two budgets.
    budget = RootUpdateLimits().per_minute
    assert all(sum(1 for t in edits if s <= t < s + 60) <= 2 * budget for s in edits), (
        len(edits), [(round(c.at - edits[0], 2), c.args.get("ts")[-9:], c.text()[:50])
                     for c in slack_api.of("chat.update") if c.args.get("channel") == "C0ALERTS"
                     ][:12])


def alerts_keys(alerts: AlertStore) -> list[str]:
    return [row["key"] for row in alerts._db().execute("SELECT key FROM alert_groups")]
