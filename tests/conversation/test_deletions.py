"""What a request asks to delete (`deletions.deleted_kind`): pure logic."""

from __future__ import annotations

import pytest

from chatops.conversation.deletions import deleted_kind
from chatops.model import SlotSpan


def _spans(text: str, **values: str) -> list[SlotSpan]:
    spans = []
    for slot, value in values.items():
        at = text.find(value)
        if at >= 0:
            spans.append(SlotSpan(slot, at, at + len(value), value))
    return spans


@pytest.mark.parametrize(("text", "values", "kind"), [
    ("delete cronjob nightly-report in prod", {"cronjob": "nightly-report"}, "cronjob"),
    ("delete cronjob nightly-report in prod", {}, "cronjob"),
    ("drop the nightly-report cronjob", {"cronjob": "nightly-report"}, "cronjob"),
    ("Delete the Nightly-Report CronJob.", {"cronjob": "Nightly-Report"}, "cronjob"),
    ("kill the nightly-report job in prod", {"cronjob": "nightly-report"}, "job"),
    ("remove node-2 from the cluster", {"node": "node-2"}, "node"),
    ("delete node-2", {"node": "node-2"}, "node"),
    ("we need to decommission node-2 today", {"node": "node-2"}, "node"),
    ("get rid of the calc-app deployment in prod", {"deployment": "calc-app"}, "deployment"),
    ("remove calc-app from prod", {"deployment": "calc-app"}, "deployment"),
    ("can you delete checkout-api in staging", {"deployment": "checkout-api"}, "deployment"),
    ("delete the search-indexer hpa in prod", {"deployment": "search-indexer"},
     "autoscaler"),
    ("remove the autoscaler from search-indexer", {"deployment": "search-indexer"},
     "autoscaler"),
    ("remove the old replicaset of checkout-api", {"deployment": "checkout-api"},
     "replicaset"),
    ("pls nuke the dev namespace", {}, "namespace"),
    ("delete ns comms", {"namespace": "comms"}, "namespace"),
    # Joined to the pod, the namespace is a second object (the second review).
    ("delete pod api-7d9f8-x2k4l plus ns payments", {"pod": "api-7d9f8-x2k4l",
                                                     "namespace": "payments"}, "namespace"),
    # "and" ends the order's clause: the clause after it names the second object (session
    # 52: "delete pod X and ns payments" was refused as no namespace payments, and with a
    # namespace the cluster has, as no such pod in it).
    ("delete pod api-7d9f8-x2k4l and ns payments", {"pod": "api-7d9f8-x2k4l"}, "namespace"),
    ("delete pod api-7d9f8-x2k4l and the deployment calc-app", {"pod": "api-7d9f8-x2k4l"},
     "deployment"),
])
def test_a_deletion_names_its_kind(text: str, values: dict[str, str], kind: str) -> None:
    assert deleted_kind(text, _spans(text, **values)) == kind


@pytest.mark.parametrize(("text", "values"), [
    # Pods: the runbook's own deletion.
    ("delete the calc-app pod in prod", {}),
    ("delete pod calc-app-7f9 in prod", {"pod": "calc-app-7f9"}),
    ("delete all pods of calc-app", {"deployment": "calc-app"}),
    ("kill the stuck job pod in prod", {}),
    ("kill calc-app-5d8f-xk2 it's stuck", {"pod": "calc-app-5d8f-xk2"}),
    # Another change in a deletion's words.
    ("remove node-2 from rotation", {"node": "node-2"}),
    ("drop checkout-api to 2 replicas", {"deployment": "checkout-api"}),
    ("remove the memory limit from checkout-api", {"deployment": "checkout-api"}),
    ("remove the deployment's memory limit", {}),
    ("drop the node-2 cordon", {"node": "node-2"}),
    ("remove the bad release from checkout-api", {"deployment": "checkout-api"}),
    # No order to delete.
    ("who deleted the cronjob", {}),
    ("don't delete the cronjob nightly-report", {"cronjob": "nightly-report"}),
    ("nuke checkout-api in staging", {}),  # no kind known: the model's reading decides
    # A namespace's cue after the pod is where it is (session 50: "can't delete a
    # namespace").
    ("pls nuke pod 'notif-sender-84c6b7d9f-2jkxp' ns comms",
     {"pod": "notif-sender-84c6b7d9f-2jkxp", "namespace": "comms"}),
    ("delete pod api-7d9f8-x2k4l -n prod", {"pod": "api-7d9f8-x2k4l"}),
])
def test_no_deletion_of_another_kind(text: str, values: dict[str, str]) -> None:
    assert deleted_kind(text, _spans(text, **values)) is None
