"""Which names a model reads as the target of a change, across the generator's name pools.

A message names its target bare more often than not ("set autoscaling on checkout between
2 and 10 replicas"), and some names are in the generator's pools of namespaces and of
services alike (checkout, web, payments, ...). Which of the two a model reads such a name
as is then decided by its seed, not by the message. This bench fills a few phrasings of
one runbook with every service name of the pools and counts how often each model puts the
name in the target slot, for the names in both pools and the service-only names apart.

    .venv/bin/python bench/target_names.py --model-dir A [--model-dir B ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # sibling scripts, not a package
    sys.path.insert(0, str(HERE))
from onnx_compare import cpu_model  # noqa: E402

from chatops.runbook.catalogue import load_catalogue  # noqa: E402
from finetune import lexicon  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402

PHRASINGS = (
    "set autoscaling on {} between 2 and 10 replicas",
    "set autoscaling on {} from 3 to 9 replicas",
    "autoscale {} between 2 and 6 pods",
    "set hpa on {} min 2 max 10",
)
SLOT = "deployment"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, action="append",
                        help="a model directory (repeatable; default: the shipped model)")
    args = parser.parse_args()
    catalogue = load_catalogue()
    services = set(lexicon._SERVICE_STEMS) | set(lexicon._SERVICE_NAMES)
    groups = {
        "in both pools": sorted(services & set(lexicon._NAMESPACES)),
        "services only": sorted(services - set(lexicon._NAMESPACES)),
    }
    print(f"cpu: {cpu_model()}")
    for model_dir in args.model_dir or [default_model_dir()]:
        nlu = ModelParser(model_dir, catalogue=catalogue, threads=1)
        total = right = 0
        print(f"model: {model_dir}")
        for group, names in groups.items():
            for phrasing in PHRASINGS:
                hits = sum(nlu.parse(phrasing.format(name)).slots.get(SLOT) == name
                           for name in names)
                total += len(names)
                right += hits
                print(f"  {group:14s} {hits:3d} / {len(names):3d}  {phrasing}")
        print(f"  all: {right} / {total} read as the {SLOT}")


if __name__ == "__main__":
    main()
