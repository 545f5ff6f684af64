"""Latency, throughput and memory of one-message parsing: ONNX Runtime vs torch, same run.

Each variant runs in its own fresh process (so resident memory is that variant's alone):
load the model, warm up, then parse messages one at a time, end to end (Slack clean-up,
tokenisation, inference, decoding), on `--threads` threads.

- `ort-<weights>`: the shipped `ModelParser` (int8 or whatever the model dir holds);
- `ort-fp32`: the same parser on the fp32 export;
- `torch-fp32`: the trained torch network (eager, inference mode) with the same
  tokenisation and decoding;
- `... 100 words`: the shipped parser on incident-channel messages of about a hundred
  words, read whole (`long_text="whole"`) or sentence by sentence (`"sentence"`).

    python bench/nlu_latency.py --model-dir intents/model \
        --checkpoint ~/.cache/chatops/nlu-checkpoint
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MESSAGES = (
    "restart checkout in prod",
    "<@U0123ABCD> pls scale `payments-api` in payments to 5 :fire:",
    "why is calc-app crashing?",
    "show logs for checkout-api-7d9f8b6c5-x2kqp in prod since 10m",
    "drain node ip-10-0-1-23.ec2.internal",
    "set image of web-frontend to ghcr.io/acme/api:v2.3.1 in staging",
    "yes",
    "create a networkpolicy for checkout in prod",
)
LONG_MESSAGES = (
    "hey team, sorry to bother you on a sunday. we're seeing a lot of 500s on the checkout "
    "page since the release went out about an hour ago, and pagerduty paged me twice "
    "already. i looked at the dashboards and cpu is fine, memory is slightly up, the "
    "database looks healthy too. we also checked the ingress controller and the load "
    "balancer, both look normal. nobody on the team has seen this particular behaviour "
    "before. could you take a look at what's wrong with the deployment called "
    "'checkout-api' in the 'shop' namespace? thanks in advance, i'll be on the bridge call.",
    "morning all. quick context: marketing launched a campaign this morning so traffic is "
    "roughly double what we usually see, and the alerts started right after that and have "
    "not stopped since. the canary looked fine but prod doesn't, p99 went from 200ms to 3s "
    "and customers are reporting timeouts. we paused all other deploys until this is "
    "understood. the database team says replication lag is fine and the caches are warm. "
    "can you please scale payments-api in payments to 12 replicas so we get "
    "some headroom? let me know when it's done, i'm watching the error rate closely.",
    "i'm new to the team and on call for the first time, bear with me. the nightly batch "
    "failed again and the on-call handoff notes say the node ip-10-0-1-23.ec2.internal has "
    "been flaky all week with disk pressure warnings. the cloud provider says nothing is "
    "wrong on their side, and the pods on the other nodes look perfectly healthy. before "
    "the kernel patch tonight i was told to move everything "
    "off it. could you drain node ip-10-0-1-23.ec2.internal for me? i'll update the "
    "incident doc and tell support once we know more. much appreciated.",
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(variant: str, path: str, threads: int, n: int, strategy: str = "whole",
           messages: tuple[str, ...] = MESSAGES) -> dict[str, Any]:
    """Runs inside the measured process."""
    started = time.perf_counter()
    if variant == "torch":
        import numpy as np
        import torch

        from finetune.train import load_checkpoint
        from intents.encoding import encode_words, load_tokenizer
        from intents.parser import decode_spans
        from intents.text import normalise, split_words

        torch.set_num_threads(threads)
        model, intents, slots = load_checkpoint(Path(path))
        tokenizer = load_tokenizer(str(Path(path) / "tokenizer.json"))

        def parse(text: str) -> object:
            norm = normalise(text)
            words = split_words(norm.text)
            enc = encode_words(tokenizer, [w.text for w in words])
            ids = torch.from_numpy(enc.input_ids[None, :])
            with torch.inference_mode():
                intent_logits, slot_logits = model(ids, torch.ones_like(ids))
            probs = torch.softmax(intent_logits[0], -1).numpy()
            best = slot_logits[0].argmax(-1).numpy()
            tags = [slots[int(best[p])] if p >= 0 else "O" for p in enc.first_token]
            return intents[int(np.argmax(probs))], decode_spans(tags, words, norm, text)
    else:
        from intents import ModelParser

        parser = ModelParser(Path(path), threads=threads, long_text=strategy)
        parser.load()
        parse = parser.parse
    load_s = time.perf_counter() - started
    for _ in range(3):
        for m in messages:
            parse(m)
    timings = []
    for i in range(n):
        t = time.perf_counter()
        parse(messages[i % len(messages)])
        timings.append(time.perf_counter() - t)
    timings.sort()
    total = sum(timings)
    return {
        "p50_ms": 1000 * timings[len(timings) // 2],
        "p99_ms": 1000 * timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        "mean_ms": 1000 * total / n,
        "throughput_msg_s": n / total,
        "rss_mb": _rss_mb(),
        "load_s": load_s,
        "torch_imported": "torch" in sys.modules,
    }


def main() -> None:
    """Measure every variant in a fresh process and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=Path("intents/model"))
    parser.add_argument("--checkpoint", type=Path, required=True,
                        help="the torch checkpoint (model.pt, model.fp32.onnx) of that model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-n", type=int, default=1000, help="timed messages per variant")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench/nlu_latency.json"))
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, strategy, length = args.child
        messages = LONG_MESSAGES if length == "long" else MESSAGES
        print(json.dumps(_child(kind, path, args.threads, args.n, strategy, messages)))
        return
    meta = json.loads((args.model_dir / "meta.json").read_text())
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        fp32_dir = Path(tmp)
        for f in ("tokenizer.json", "labels.json", "meta.json"):
            shutil.copyfile(args.model_dir / f, fp32_dir / f)
        shutil.copyfile(args.checkpoint / "model.fp32.onnx", fp32_dir / "model.onnx")
        shipped = f"ort-{meta['weights']}"
        variants = {
            shipped: ("ort", str(args.model_dir), "whole", "short"),
            "ort-fp32": ("ort", str(fp32_dir), "whole", "short"),
            "torch-fp32": ("torch", str(args.checkpoint), "whole", "short"),
            f"{shipped}, 100 words, whole": ("ort", str(args.model_dir), "whole", "long"),
            f"{shipped}, 100 words, sentence": ("ort", str(args.model_dir), "sentence", "long"),
            "torch-fp32, 100 words": ("torch", str(args.checkpoint), "whole", "long"),
        }
        for name, (kind, path, strategy, length) in variants.items():
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind, path, strategy, length,
                 "--threads", str(args.threads),
                 "-n", str(args.n), "--model-dir", str(args.model_dir),
                 "--checkpoint", str(args.checkpoint)],
                capture_output=True, text=True, check=True,
            )
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"{args.n} messages, one at a time, {args.threads} threads, end to end")
    print("| variant | p50 ms | p99 ms | msg/s | RSS MB | load s | p50 vs torch | RSS vs torch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        torch_row = results["torch-fp32, 100 words" if "100 words" in name else "torch-fp32"]
        print(f"| {name} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['throughput_msg_s']:.0f} | "
              f"{r['rss_mb']:.0f} | {r['load_s']:.2f} | "
              f"{torch_row['p50_ms'] / r['p50_ms']:.1f}x faster | "
              f"{r['rss_mb'] / torch_row['rss_mb']:.2f}x |")


if __name__ == "__main__":
    main()
