"""A question of how one thing is doing, in a few words (`intents/health_question.py`)."""

from __future__ import annotations

import pytest

from intents.health_question import one_name_asked_after


@pytest.mark.parametrize(("text", "name", "node"), [
    ("billing ok?", "billing", False),
    ("is billing all good?", "billing", False),
    ("search ok?", "search", False),
    ("is the payments namespace healthy?", "payments", False),
    ("prod up?", "prod", False),
    ("is staging still ok now?", "staging", False),
    ("checkout-api ok after the deploy?", "checkout-api", False),
    ("hey, orders fine?", "orders", False),
    ("node pool-x8a2k-3c9df ok?", "pool-x8a2k-3c9df", True),
    ("node ip-10-0-1-2.ec2.internal alive?", "ip-10-0-1-2.ec2.internal", True),
])
def test_one_name_asked_after(text: str, name: str, node: bool) -> None:
    asked = one_name_asked_after(text)
    assert asked is not None
    assert (text[asked.start:asked.end], asked.node) == (name, node)


@pytest.mark.parametrize("text", [
    "everything ok?", "we good?", "u ok?", "is that ok?", "lunch ok?", "ok?", "yes ok?",
    # More than one thing, or more than a question of health.
    "restart orders ok?", "checkout-api in prod ok?", "search ok? restart it",
    "billing ok", "is billing ok for the demo tomorrow?",
    "billing ok?" + " " * 200 + "x",
])
def test_not_one_name_asked_after(text: str) -> None:
    assert one_name_asked_after(text) is None
