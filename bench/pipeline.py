"""Message-to-plan latency and throughput through the conversation engine, against NLU alone.

Starts (or reuses) a sandbox cluster in its own state dir, seeds the demo world under a
`bench-` prefix, and sends the same messages through:

  * the NLU alone (`parser.parse`), the baseline;
  * the whole engine (`ConversationService.handle`): parse, validation, entity resolution
    against the cluster, rendering, and the server-side dry-run preview for writes.

Each message starts a new thread, so every one goes the full way to a plan or an answer.
The sandbox is stopped at the end unless --keep. With --postgres the engine is measured a
second time with every store on a throw-away PostgreSQL server (the tests' fixture starts
it), and so is the run state machine alone: runs/s through create -> approve -> running ->
succeeded, with 4 threads racing for each move as replicas would. Run:

    .venv/bin/python bench/pipeline.py --messages 200 [--postgres]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from chatops.audit import AuditLog
from chatops.cli.wiring import build_parser
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY, demo_documents, demo_namespaces
from chatops.executor import KubeExecutor, api_client_from_kubeconfig
from chatops.executor.apply import apply_documents
from chatops.model import Message
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import load_catalogue
from chatops.runs import RunStore
from chatops.sandbox import manager
from chatops.settings import Settings
from chatops.stores import open_state


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def messages(ns: dict[str, str], grammar: bool) -> list[str]:
    prod, dev, staging = ns["prod"], ns["dev"], ns["staging"]
    if grammar:
        return [
            f"run show_pods namespace={prod} deployment=checkout-api",
            f"run deployment_status deployment=checkout namespace={staging}",
            f"run scale_deployment deployment=checkout-api namespace={dev} replicas=3",
            f"run restart_deployment deployment=checkout-api namespace={prod}",
            f"run suspend_cronjob cronjob=nightly-report namespace={prod}",
        ]
    return [
        f"show pods of checkout-api in {prod}",
        f"status of checkout in {staging}",
        f"scale checkout-api in {dev} to 3",
        f"restart checkout-api in {prod}",
        f"suspend cronjob nightly-report in {prod}",
    ]


def timed(fn: Callable[[str], object], texts: list[str]) -> tuple[list[float], float]:
    latencies = []
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        fn(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies, time.perf_counter() - start


def run_throughput(location: str | Path, runs: int = 300, threads: int = 4) -> float:
    """Runs per second through the exactly-once moves, each move raced by `threads`."""
    from concurrent.futures import ThreadPoolExecutor

    from chatops.model import Identity
    from chatops.runs import RunState

    store = RunStore(location)
    moves = ((RunState.PROPOSED, RunState.APPROVED), (RunState.APPROVED, RunState.RUNNING),
             (RunState.RUNNING, RunState.SUCCEEDED))

    def one(n: int) -> None:
        run = store.create(state=RunState.PROPOSED, runbook="scale_deployment", risk="write",
                           requester="bob", requester_name="bob",
                           identity=Identity("bob", ("sre",)), channel="bench",
                           thread=f"t{n}", raw_slots={}, plan={}, digest="d", needed=1,
                           expires_at=0.0)
        with ThreadPoolExecutor(threads) as pool:
            for before, after in moves:
                wins = list(pool.map(lambda _i, b=before, a=after: store.transition(
                    run.id, (b,), a), range(threads)))
                assert wins.count(True) == 1

    one(-1)
    start = time.perf_counter()
    for n in range(runs):
        one(n)
    return runs / (time.perf_counter() - start)


def measure_engine(service: ConversationService, texts: list[str]) -> tuple[list[float], float]:
    counter = iter(range(10**9))

    def engine(text: str) -> object:
        n = next(counter)
        return service.handle(Message(user="bob", text=text, channel="bench", thread=f"t{n}"))

    engine(texts[0])  # warm-up: model load, first connections
    return timed(engine, texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per measurement")
    parser.add_argument("--keep", action="store_true", help="leave the sandbox running")
    parser.add_argument("--postgres", action="store_true",
                        help="also measure with every store on PostgreSQL")
    args = parser.parse_args()

    settings = Settings.from_env()
    state = Path(tempfile.mkdtemp(prefix="bench-sandbox-"))
    status = manager.up(state, manager.build_binary())
    try:
        assert status.kubeconfig is not None
        api = api_client_from_kubeconfig(status.kubeconfig)
        apply_documents(api, demo_documents("bench-"))
        nlu = build_parser(settings)
        ns = demo_namespaces("bench-")
        texts = (messages(ns, nlu is None) * args.messages)[: args.messages]
        tmp = Path(tempfile.mkdtemp(prefix="bench-db-"))
        locations: list[tuple[str, str | Path, str | Path]] = [
            ("SQLite", tmp / "state.db", tmp / "audit.db")]
        server = None
        if args.postgres:
            from tests.plugins.postgres_fixtures import start_server

            server = start_server()
            server.admin("CREATE DATABASE bench")
            locations.append(("PostgreSQL", server.url("bench"), server.url("bench")))
        rows = []
        if nlu is not None:
            for text in texts[:20]:
                nlu.parse(text)
            nlu_lat, nlu_total = timed(nlu.parse, texts)
            rows.append(("NLU only (ONNX Runtime)", nlu_lat, nlu_total))
        throughput = []
        try:
            for name, state_at, audit_at in locations:
                service = ConversationService(
                    catalogue=load_catalogue(), executor=KubeExecutor(api),
                    policy=parse_policy(DEMO_POLICY), stores=open_state(state_at),
                    audit=AuditLog(audit_at), parser=nlu)
                eng_lat, eng_total = measure_engine(service, texts)
                rows.append((f"engine, {name}: message -> plan", eng_lat, eng_total))
                where = tmp / "runs.db" if name == "SQLite" else state_at
                throughput.append((name, run_throughput(where)))
        finally:
            if server is not None:
                server.stop()
        print(f"{len(texts)} messages; understanding: {'model' if nlu else 'explicit grammar'}")
        print(f"{'path':38} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'msg/s':>8}")
        for name, lat, total in rows:
            print(f"{name:38} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f} "
                  f"{statistics.mean(lat):8.2f} {len(lat) / total:8.1f}")
        if nlu is not None:
            ratio = percentile(rows[1][1], 50) / percentile(rows[0][1], 50)
            print(f"engine (SQLite) / NLU p50 ratio: {ratio:.1f}x")
        for name, per_second in throughput:
            print(f"run state machine, {name}: {per_second:.1f} runs/s "
                  "(3 moves, each raced by 4 threads)")
    finally:
        if not args.keep:
            manager.down(state)


if __name__ == "__main__":
    main()
