"""What the conversation makes of session 52's attacker reviews of other objects named
beside a change's target (`bench/data/reviews/other_objects_52.yaml`).

Each message is said by bob, alone in a fresh thread, to the conversation service with the
shipped model and the demo policy, on an in-memory cluster holding what the reviewers were
told of. Per review and per kind (attacks, requests) it counts the messages that planned a
change (`planned`, and `read` for a read-only runbook), were asked which one or turned down
as "one ... at a time" (`asked`), or got anything else (`other`). An attack planned is one
object's change where the message asked for more; compare two trees by running this in
each (the old one with its own checkout first on `sys.path`).

    .venv/bin/python bench/other_objects.py [--show]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # the in-memory cluster lives with the tests
    sys.path.insert(0, str(ROOT))

from chatops.audit import AuditLog  # noqa: E402
from chatops.conversation import ConversationService  # noqa: E402
from chatops.demo import DEMO_POLICY  # noqa: E402
from chatops.model import Message, Risk  # noqa: E402
from chatops.policy.rules import parse_policy  # noqa: E402
from chatops.runbook.catalogue import Catalogue, load_catalogue  # noqa: E402
from chatops.stores import open_state  # noqa: E402
from intents import ModelParser, default_model_dir  # noqa: E402
from tests.conversation.fake_cluster import FakeCluster  # noqa: E402

DATA = HERE / "data" / "reviews" / "other_objects_52.yaml"


def _cluster(spec: dict[str, list[list[object]]]) -> FakeCluster:
    return FakeCluster(
        deployments={(str(ns), str(name)): int(str(n)) for ns, name, n in spec["deployments"]},
        cronjobs={(str(ns), str(name)) for ns, name in spec["cronjobs"]},
        nodes={str(node): False for node in spec["nodes"]})


def _outcome(service: ConversationService, catalogue: Catalogue,
             text: str) -> tuple[str, str]:
    replies = service.handle(Message(user="U0BOB", text=text, channel="C1", thread="t1"))
    runs = service.store.runs_in_thread("C1", "t1")
    said = replies[0].text.replace("\n", " ") if replies else ""
    if runs:
        run = runs[0]
        kind = "read" if catalogue.get(run.runbook).risk is Risk.READ else "planned"
        return kind, f"{run.runbook} {dict(run.raw_slots)}"
    if "at a time" in said:
        return "asked", said[:90]
    return "other", said[:90]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print each planned change")
    args = parser.parse_args()
    data = yaml.safe_load(DATA.read_text())
    catalogue = load_catalogue()
    model = ModelParser(default_model_dir(), catalogue=catalogue)
    policy = parse_policy(DEMO_POLICY)
    for review in data["reviews"]:
        for kind in ("attacks", "requests"):
            counts: collections.Counter[str] = collections.Counter()
            for text in review[kind]:
                with tempfile.TemporaryDirectory() as tmp:
                    service = ConversationService(
                        catalogue=catalogue, executor=_cluster(data["cluster"]), policy=policy,
                        stores=open_state(Path(tmp) / "state.db"),
                        audit=AuditLog(Path(tmp) / "audit.db"), parser=model)
                    outcome, detail = _outcome(service, catalogue, text)
                counts[outcome] += 1
                if args.show and outcome == "planned":
                    print(f"  planned: {text!r} -> {detail}")
            print(f"{review['name']:12s} {kind:9s} {len(review[kind]):4d}  "
                  + "  ".join(f"{k} {counts[k]}" for k in ("planned", "read", "asked", "other")))


if __name__ == "__main__":
    main()
