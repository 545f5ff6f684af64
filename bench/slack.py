"""Slack surface benchmark: acknowledgement latency under a burst, and answers per second.

The bot runs as a separate process (the `chatops serve` HTTP path on an in-memory cluster,
`tests/slack/fake_serve.py`), so the load generator doesn't share its interpreter; a local
Slack Web API server in this process answers the bot's calls. Every request is signed.

Scenarios, in one run:

* `idle`: commands one at a time (the baseline: latency with nothing else going on);
* `burst commands`: N concurrent `/ops run scale_deployment ...` (dry-run, plan, store,
  audit, Block Kit), all released at once;
* `burst DMs`: N concurrent direct messages (Events API) asking a read-only runbook.

The same bursts then go to a second bot process in Socket Mode (SLACK_APP_TOKEN, a local
Socket Mode server, `tests/slack/socket_server.py`): N envelopes pushed at once on its
connection; the ack latency is from the envelope leaving the server to its acknowledgement
coming back. Both transports are measured in the same run, one bot process at a time.

For each: ack p50/p99/max, errors, time until every request was answered in Slack, and
answers and Slack API calls per second. Bounded: it stops after `--timeout` seconds.

    .venv/bin/python -m bench.slack [--burst 200] [--timeout 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.slack.conftest import SECRET
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.processes import FAKE_SERVE, SOCKET_MODE_URL, BotProcess, bot_env
from tests.slack.sender import Response, Sender, next_ts
from tests.slack.socket_server import Delivery, SocketSender, SocketServer

APP_TOKEN = "xapp-1-A0APP-1-bench"

SCALE = "run scale_deployment deployment=checkout-api namespace=prod replicas=5"
STATUS = "run deployment_status deployment=checkout-api namespace=prod"


@dataclass
class Result:
    name: str
    n: int
    acks: list[float]
    errors: int
    answered_s: float
    api_calls: int

    def row(self) -> str:
        acks = sorted(self.acks) or [float("nan")]
        p50 = statistics.median(acks) * 1000
        p99 = acks[min(len(acks) - 1, int(len(acks) * 0.99))] * 1000
        rate = self.n / self.answered_s if self.answered_s else float("nan")
        calls = self.api_calls / self.answered_s if self.answered_s else float("nan")
        return (f"| {self.name} | {self.n} | {p50:.1f} | {p99:.1f} | {acks[-1] * 1000:.1f} | "
                f"{self.errors} | {self.answered_s:.2f} | {rate:.1f} | {calls:.1f} |")


def _burst(n: int, send: Callable[[int], Response]) -> tuple[list[float], int]:
    """Send `n` requests from `n` threads released together; their latencies and errors."""
    gate = threading.Barrier(n)
    acks: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def one(i: int) -> None:
        gate.wait()
        try:
            response = send(i)
        except OSError:
            with lock:
                errors[0] += 1
            return
        with lock:
            if response.status == 200:
                acks.append(response.seconds)
            else:
                errors[0] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acks, errors[0]


def _answers(slack: MockSlack, marker: str, since: int) -> Callable[[list[Call]], int]:
    def count(calls: list[Call]) -> int:
        return sum(1 for c in calls[since:] if marker in c.text())
    return count


def _wait(slack: MockSlack, count: Callable[[list[Call]], int], n: int,
          deadline: float) -> None:
    while time.monotonic() < deadline:
        if count(list(slack.calls)) >= n:
            return
        time.sleep(0.05)
    raise SystemExit(f"bench: gave up waiting for {n} answers (timeout)")


def _socket_burst(n: int, server: SocketServer, send: Callable[[int], Delivery],
                  deadline: float) -> tuple[list[float], int]:
    """Push `n` envelopes from `n` threads released together; their ack latencies, and how
    many were never acknowledged before `deadline`."""
    gate = threading.Barrier(n)
    deliveries: list[Delivery] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        gate.wait()
        delivery = send(i)
        with lock:
            deliveries.append(delivery)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    acks, errors = [], 0
    for delivery in deliveries:
        try:
            acked = server.wait_ack(delivery, max(0.1, deadline - time.monotonic()))
        except AssertionError:
            errors += 1
            continue
        acks.append(acked.latency or 0.0)
    return acks, errors


def run_socket_mode(burst: int, deadline: float) -> list[Result]:
    """The bursts again, over Socket Mode, on a bot process of its own."""
    slack = MockSlack().start()
    server = SocketServer().start()
    slack.connections_url = server.url
    with tempfile.TemporaryDirectory() as tmp:
        env = bot_env(Path(tmp), slack, SLACK_APP_TOKEN=APP_TOKEN)
        env.pop("SLACK_SIGNING_SECRET")
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
            env.pop(name, None)
        bot = BotProcess(FAKE_SERVE, env, ready=SOCKET_MODE_URL)
        try:
            bot.wait_ready()
            server.wait_links(1)
            sender = SocketSender(server, slack.base)
            results = []

            since = len(slack.calls)
            started = time.monotonic()
            acks, errors = _socket_burst(burst, server, lambda i: sender.command(
                SCALE, user="U0BOB", channel=f"CSOCK{i}", wait=False), deadline)
            _wait(slack, _answers(slack, "spec.replicas: 3 -&gt; 5", since), burst - errors,
                  deadline)
            results.append(Result(f"Socket Mode burst: {burst} /ops envelopes", burst, acks,
                                  errors, time.monotonic() - started, len(slack.calls) - since))

            since = len(slack.calls)
            started = time.monotonic()
            acks, errors = _socket_burst(burst, server, lambda i: sender.message(
                STATUS, user="U0BOB", channel=f"DSOCK{i}", channel_type="im", ts=next_ts(),
                wait=False), deadline)
            _wait(slack, _answers(slack, "checkout-api in prod", since), burst - errors,
                  deadline)
            results.append(Result(f"Socket Mode burst: {burst} DM envelopes", burst, acks,
                                  errors, time.monotonic() - started, len(slack.calls) - since))
            return results
        finally:
            bot.stop()
            server.stop()
            slack.stop()


def run(burst: int, timeout: float) -> list[Result]:
    """Start the bot, run the scenarios, stop everything; the results, baseline first
    (HTTP, then Socket Mode)."""
    deadline = time.monotonic() + timeout
    return run_http(burst, deadline) + run_socket_mode(burst, deadline)


def run_http(burst: int, deadline: float) -> list[Result]:
    """The HTTP scenarios, on a bot process of their own."""
    slack = MockSlack().start()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(FAKE_SERVE, bot_env(Path(tmp), slack))
        try:
            sender = Sender(bot.wait_ready(), SECRET, slack.base)
            results = []

            since = len(slack.calls)
            acks = []
            started = time.monotonic()
            for i in range(20):
                acks.append(sender.command(SCALE, user="U0BOB", channel=f"CIDLE{i}").seconds)
                _wait(slack, _answers(slack, "spec.replicas: 3 -&gt; 5", since), i + 1,
                      deadline)
            results.append(Result("idle (one at a time)", 20, acks, 0,
                                  time.monotonic() - started, len(slack.calls) - since))

            since = len(slack.calls)
            started = time.monotonic()
            acks, errors = _burst(burst, lambda i: sender.command(
                SCALE, user="U0BOB", channel=f"CBURST{i}", timeout=30))
            _wait(slack, _answers(slack, "spec.replicas: 3 -&gt; 5", since), burst - errors,
                  deadline)
            results.append(Result(f"burst: {burst} concurrent /ops", burst, acks, errors,
                                  time.monotonic() - started, len(slack.calls) - since))

            since = len(slack.calls)
            started = time.monotonic()
            acks, errors = _burst(burst, lambda i: sender.message(
                STATUS, user="U0BOB", channel=f"DBURST{i}", channel_type="im", ts=next_ts(),
                timeout=30))
            _wait(slack, _answers(slack, "checkout-api in prod", since), burst - errors,
                  deadline)
            results.append(Result(f"burst: {burst} concurrent DMs", burst, acks, errors,
                                  time.monotonic() - started, len(slack.calls) - since))
            return results
        finally:
            bot.stop()
            slack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=200, help="concurrent requests")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after seconds")
    args = parser.parse_args()
    results = run(args.burst, args.timeout)
    print("| scenario | n | ack p50 ms | ack p99 ms | ack max ms | errors | all answered s "
          "| answers/s | Slack API calls/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    base = statistics.median(results[0].acks)
    worst = max(max(r.acks) for r in results[1:])
    print(f"\nbaseline ack p50 {base * 1000:.1f} ms; worst ack under burst "
          f"{worst * 1000:.1f} ms (Slack's limit: 3000 ms)")
    sys.exit(0 if worst < 3.0 and not any(r.errors for r in results) else 1)


if __name__ == "__main__":
    main()
