"""Which revision a ReplicaSet was made as (`convert.first_revision`): pure logic.

A CI run failed `tests/scenarios/test_change_cause.py`: the run's ReplicaSet and one made
elsewhere within the same second tied on creation time, and the run's own revision, reused
and renumbered newest, read as inherited. The deployment controller keeps a reused
ReplicaSet's earlier numbers in `deployment.kubernetes.io/revision-history`, and revisions
are numbered in the order they are made.
"""

from __future__ import annotations

from typing import Any

import pytest

from chatops.executor.convert import first_revision


def _rs(revision: str | None, history: str | None = None) -> dict[str, Any]:
    annotations = {}
    if revision is not None:
        annotations["deployment.kubernetes.io/revision"] = revision
    if history is not None:
        annotations["deployment.kubernetes.io/revision-history"] = history
    return {"metadata": {"name": "checkout-api-5d9f", "annotations": annotations}}


@pytest.mark.parametrize(("revision", "history", "made"), [
    ("4", None, 4),
    ("4", "2", 2),
    ("9", "5,2,7", 2),
    ("4", "", 4),
    ("4", "x, 3", 3),
    (None, None, 0),
    ("junk", "junk", 0),
])
def test_a_reused_replicaset_was_made_as_its_first_number(
        revision: str | None, history: str | None, made: int) -> None:
    assert first_revision(_rs(revision, history)) == made
