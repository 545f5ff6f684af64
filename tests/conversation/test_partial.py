"""Which messages order a second change besides the one read (pure logic of
`conversation/partial.py`; the dialogue's answers are in tests/security/test_partial_changes.py)."""

from __future__ import annotations

import pytest

from chatops.conversation.asking import RUNBOOK_CHANGES, ordered_changes
from chatops.conversation.partial import on_a_condition, other_orders, spares_part


@pytest.mark.parametrize(("intent", "text", "others"), [
    ("suspend_cronjob", "suspend nightly-report in prod and resume it monday 09:00",
     ("resume",)),
    ("restart_deployment", "restart api and then scale it to 3", ("scale",)),
    ("scale_deployment", "scale api to 3, then restart it", ("restart",)),
    # A drain cordons on its way.
    ("drain_node", "cordon node-2 and drain it", ()),
    # Context in another sentence, or a clause with a subject of its own, orders nothing.
    ("uncordon_node", "disk swapped. we can take it back into service now, so please "
                      "uncordon node-1", ()),
    ("restart_deployment", "we rolled back yesterday. restart api in prod", ()),
    ("restart_deployment", "restart api in prod, it keeps crashing", ()),
])
def test_other_orders(intent: str, text: str, others: tuple[str, ...]) -> None:
    assert other_orders(intent, text, ordered_changes, RUNBOOK_CHANGES) == others


@pytest.mark.parametrize(("text", "spares"), [
    ("drain node-2 but leave the prod pods alone", True),
    ("drain node-2 except kafka-0", True),
    ("drain node-2 without evicting the db", True),
    ("drain node-2, the disk is failing", False),
    ("drain node-2 but check the pdbs first", False),
])
def test_spares_part(text: str, spares: bool) -> None:
    assert spares_part(text) is spares


@pytest.mark.parametrize(("text", "condition"), [
    ("restart api if it looks bad", True),
    ("restart api if needed", True),
    ("if api in prod is down, restart it", True),
    ("restart api when it's stuck again", True),
    ("restart api if you can", False),
    ("restart api if possible", False),
    ("restart api, it is down", False),
])
def test_on_a_condition(text: str, condition: bool) -> None:
    assert on_a_condition(text) is condition
