"""Attacks on the NLU feedback export (`chatops nlu feedback`), whose reviewed entries train
the model: a harmless phrase must not come out labelled with a runbook it was never read as.
Someone allowed to ask for a critical runbook says something the model can't place, takes
the critical runbook the bot offers instead, and edits its plan: the export used to label
the harmless phrase with that runbook (`intent: drain_node`), one `reviewed: true` away from
training. The conversation runs through the real service and audit log, with a stand-in for
the model (the `IntentParser` seam) on the in-memory cluster."""

from __future__ import annotations

from pathlib import Path

from chatops.audit import AuditLog
from chatops.audit.feedback import feedback_entries, logged_events
from chatops.conversation import ConversationService
from chatops.model import Message, ParsedIntent
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.schedules.conftest import POLICY

HARMLESS = "how is the cache doing"


class UnsureModel:
    """Reads the harmless phrase as out of scope, with `drain_node` a close second."""

    def parse(self, text: str) -> ParsedIntent:
        if text == HARMLESS:
            return ParsedIntent("oos", {}, 0.4, (("drain_node", 0.3), ("node_status", 0.2)))
        return ParsedIntent("oos", {}, 0.9)


def test_a_runbook_taken_from_an_offer_never_labels_the_message_it_answered(
        tmp_path: Path, catalogue: Catalogue) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    service = ConversationService(
        catalogue=catalogue, executor=FakeCluster(nodes={"node-1": False, "node-2": False}),
        policy=parse_policy(POLICY), stores=open_state(tmp_path / "state.db"), audit=audit,
        parser=UnsureModel())

    def say(text: str) -> list[object]:
        return list(service.handle(Message(user="UBOB", text=text, channel="C1",
                                           thread="t1")))

    (offer,) = say(HARMLESS)
    assert "drain_node" in getattr(offer, "choices", ()), offer
    replies = say("drain_node")
    if not any(getattr(r, "run", None) for r in replies):
        replies = say("node-1")
    run = next(r.run for r in replies if getattr(r, "run", None) is not None)  # type: ignore[attr-defined]
    edited = service.edit(run.id, Message("UBOB", f"edit {run.id}", "C1", "t1"),
                          {"node": "node-2"})
    assert edited[-1].kind == "plan", edited[-1].text

    entries = {e.text: e.to_yaml() for e in feedback_entries(logged_events(audit)).entries}
    entry = entries[HARMLESS]
    assert entry["intent"] == "oos", entry
    assert "final_slots" not in entry and "edited" not in entry["why"]
