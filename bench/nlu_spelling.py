"""What reading misspelt command words costs, next to the parse it is part of.

`intents/spelling.py` looks at every word of a message before the model reads it. This
times that step alone and the whole parse (`ModelParser.parse`, which includes it), turn
about in one process on the messages of the incident sets, and reports both and their
ratio, with how many words it changed per set (counts only: sets B-F are blind, so the
words themselves are not printed).

    .venv/bin/python bench/nlu_spelling.py --out artifacts/bench/nlu_spelling.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # sibling scripts, not a package
    sys.path.insert(0, HERE)
import nlu_incident  # noqa: E402
from onnx_compare import cpu_model  # noqa: E402

from chatops.runbook.catalogue import load_catalogue  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402
from intents.encoding import load_tokenizer  # noqa: E402
from intents.spelling import corrected  # noqa: E402
from intents.text import normalise, split_words  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=default_model_dir())
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="passes over all messages")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    nlu = ModelParser(args.model_dir, catalogue=load_catalogue(), threads=args.threads)
    nlu.load()
    # The parser's own vocabulary, looked up the way it does.
    known = frozenset(load_tokenizer(str(args.model_dir / "tokenizer.json")).get_vocab())

    def spell(text: str) -> int:
        words = split_words(normalise(text).text)
        return sum(corrected(w.text, known.__contains__) != w.text for w in words)

    sets = [nlu_incident.DEFAULT_DATA, nlu_incident.SET_B, nlu_incident.SET_C,
            nlu_incident.SET_D, nlu_incident.SET_E, nlu_incident.SET_F]
    texts: list[str] = []
    changed: dict[str, int] = {}
    for path in sets:
        messages = [m.text for m in nlu_incident.load_messages(path)]
        changed[nlu_incident.set_name(path)] = sum(spell(t) for t in messages)
        texts += messages
    spelling_ms: list[float] = []
    parse_ms: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            start = time.perf_counter()
            spell(text)
            spelling_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            nlu.parse(text)
            parse_ms.append((time.perf_counter() - start) * 1000)

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {"mean": statistics.fmean(values), "p50": ordered[len(ordered) // 2],
                "p99": ordered[int(len(ordered) * 0.99)]}

    report = {
        "cpu": cpu_model(), "threads": args.threads, "messages": len(texts),
        "rounds": args.rounds, "words_changed_per_set": changed,
        "spelling_ms": summary(spelling_ms), "parse_ms": summary(parse_ms),
        "share_of_parse": statistics.fmean(spelling_ms) / statistics.fmean(parse_ms),
        "command": "python bench/nlu_spelling.py" + (f" --out {args.out}" if args.out else ""),
    }
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
