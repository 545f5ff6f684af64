"""Message-to-plan latency and throughput through the conversation engine, against NLU alone.

Starts (or reuses) a sandbox cluster in its own state dir, seeds the demo world under a
`bench-` prefix, and sends the same messages through:

  * the NLU alone (`parser.parse`), the baseline;
  * the whole engine (`ConversationService.handle`): parse, validation, entity resolution
    against the cluster, rendering, and the server-side dry-run preview for writes.

Each message starts a new thread, so every one goes the full way to a plan or an answer.
The sandbox is stopped at the end unless --keep. Run:

    .venv/bin/python bench/pipeline.py --messages 200
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per measurement")
    parser.add_argument("--keep", action="store_true", help="leave the sandbox running")
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
        service = ConversationService(
            catalogue=load_catalogue(), executor=KubeExecutor(api),
            policy=parse_policy(DEMO_POLICY), store=RunStore(tmp / "state.db"),
            audit=AuditLog(tmp / "audit.db"), parser=nlu)
        counter = iter(range(10**9))

        def engine(text: str) -> object:
            n = next(counter)
            return service.handle(Message(user="bob", text=text, channel="bench",
                                          thread=f"t{n}"))

        engine(texts[0])  # warm-up: model load, first connections
        rows = []
        if nlu is not None:
            for text in texts[:20]:
                nlu.parse(text)
            nlu_lat, nlu_total = timed(nlu.parse, texts)
            rows.append(("NLU only (ONNX Runtime)", nlu_lat, nlu_total))
        eng_lat, eng_total = timed(engine, texts)
        rows.append(("engine: message -> plan (dry-run)", eng_lat, eng_total))
        print(f"{len(texts)} messages; understanding: {'model' if nlu else 'explicit grammar'}")
        print(f"{'path':38} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'msg/s':>8}")
        for name, lat, total in rows:
            print(f"{name:38} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f} "
                  f"{statistics.mean(lat):8.2f} {len(lat) / total:8.1f}")
        if len(rows) == 2:
            ratio = percentile(eng_lat, 50) / percentile(rows[0][1], 50)
            print(f"engine / NLU p50 ratio: {ratio:.1f}x")
    finally:
        if not args.keep:
            manager.down(state)


if __name__ == "__main__":
    main()
