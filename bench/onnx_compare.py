"""Latency of two ONNX exports of the NLU network, alternated in one process.

Timings on these machines move with host load by more than most export changes, so the two
models are run turn about on the same inputs, and the ratio (second / first) is what to
read. Inputs are random token ids of each length (the network's cost does not depend on
which tokens), batch 1, as the bot parses one message at a time.

    .venv/bin/python bench/onnx_compare.py intents/model/model.onnx /tmp/other/model.onnx \\
        --lengths 16 140 -n 500 --threads 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort


def session(path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--lengths", type=int, nargs="+", default=[16, 140])
    parser.add_argument("-n", type=int, default=500, help="timed runs per model and length")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for path in (args.first, args.second):
        if not path.is_file():
            parser.error(f"{path} is not a file")
    models = {"first": session(args.first, args.threads),
              "second": session(args.second, args.threads)}
    rng = np.random.default_rng(0)
    report: dict[str, object] = {"cpu": cpu_model(), "threads": args.threads, "n": args.n}
    for length in args.lengths:
        ids = rng.integers(1000, 20000, size=(1, length)).astype(np.int64)
        ids[0, 0], ids[0, -1] = 101, 102  # [CLS] ... [SEP]
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids)}
        times: dict[str, list[float]] = {name: [] for name in models}
        for model in models.values():
            for _ in range(30):  # warm-up
                model.run(None, feed)
        for _ in range(args.n):
            for name, model in models.items():
                start = time.perf_counter()
                model.run(None, feed)
                times[name].append((time.perf_counter() - start) * 1000)
        row = {name: {"p50": statistics.median(t), "p99": float(np.percentile(t, 99))}
               for name, t in times.items()}
        p50 = row["second"]["p50"] / row["first"]["p50"]
        p99 = row["second"]["p99"] / row["first"]["p99"]
        report[str(length)] = {**row, "ratio_p50": p50, "ratio_p99": p99}
        print(f"{length} sub-words: p50 {row['first']['p50']:.2f} -> {row['second']['p50']:.2f}"
              f" ms (x{p50:.2f}), p99 {row['first']['p99']:.2f} -> {row['second']['p99']:.2f}"
              f" ms (x{p99:.2f})")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
