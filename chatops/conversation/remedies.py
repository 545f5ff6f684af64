"""Remedies: the fixes a diagnosis suggests, offered as choices that start the normal flow.

A diagnosis never changes anything. Its findings may name the runbook that fits ("restart
the deployment", "roll back to revision 3"); those become choices under the answer, and a
choice taken is a request like any other: planned, dry-run and approved under the policy.
Only runbooks in the catalogue that the person may request are offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chatops.policy import Policy, Requester
from chatops.results import Finding, Record
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.schema import SlotSpec
from chatops.runbook.slots import NAME_TYPES

MAX_REMEDIES = 5
"""At most this many fixes are offered (Slack shows up to five as buttons)."""


@dataclass(frozen=True)
class Remedy:
    """One suggested fix: the choice's label and the request it starts."""

    label: str
    runbook: str
    slots: Mapping[str, str]
    caveat: str = ""
    """The finding's word to the approver, a note on the plan it starts."""


def remedies(records: Iterable[Record], catalogue: Catalogue, policy: Policy,
             requester: Requester) -> tuple[Remedy, ...]:
    """The distinct fixes the findings among `records` suggest, in their order."""
    found: dict[str, Remedy] = {}
    for record in records:
        if not isinstance(record, Finding) or not record.runbook:
            continue
        runbook = catalogue.runbooks.get(record.runbook)
        if runbook is None or not policy.may_request(requester, runbook.risk):
            continue
        slots = {k: v for k, v in record.slots.items() if v and k in runbook.slots}
        label = _label(record.runbook, slots, runbook.slots)
        found.setdefault(label, Remedy(label, record.runbook, slots, record.caveat))
        if len(found) == MAX_REMEDIES:
            break
    return tuple(found.values())


def _label(runbook: str, slots: Mapping[str, str], declared: Mapping[str, SlotSpec]
           ) -> str:
    """`restart_deployment checkout`, `rollback_deployment checkout revision 3`,
    `set_resources api app memory_limit=512Mi`: unique per request, and typed back as the
    answer too (answers are matched without regard to case). Names are given bare; a value
    keeps its case and says its field (`256mi` is no quantity, and `256Mi` alone would be
    asked about: limit or request?)."""
    named = [value.lower() if key in declared and declared[key].type in NAME_TYPES
             else f"{key}={value}"
             for key, value in slots.items() if key not in ("namespace", "revision")]
    if "revision" in slots:
        named.append(f"revision {slots['revision']}")
    return " ".join([runbook, *named])
