"""A scheduled change reads its values as a request now does: "reduce X by 50%" at 20:00
scales down (an attacker review: the schedule path skipped the direction, so a nightly
"reduce by 50%" would have added half every night), and names in capitals are names."""

from __future__ import annotations

import pytest

from chatops.model import ParsedIntent
from tests.schedules.conftest import Bot


class Reads:
    """The model's reading of the request part, fixed."""

    def __init__(self, slots: dict[str, str]) -> None:
        self.slots = slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent("scale_deployment", self.slots, 0.99, source="model")


@pytest.mark.parametrize(("text", "replicas", "diff"), [
    ("reduce checkout-api in prod by 50% every day at 20:00", "by 50%", "3 -> 2"),
    ("every day at 20:00 scale down checkout-api in prod by 2", "by 2", "3 -> 1"),
    ("every day at 08:00 bump checkout-api in prod by 2", "by 2", "3 -> 5"),
])
def test_a_scheduled_bare_by_is_read_in_the_direction_the_message_says(
        bot: Bot, text: str, replicas: str, diff: str) -> None:
    bot.service.parser = Reads({"deployment": "Checkout-API", "namespace": "PROD",
                                "replicas": replicas})
    plan = bot.say("alice", text)[0]
    assert plan.kind == "plan" and f"spec.replicas: {diff}" in plan.text, plan.text


def test_a_waiting_schedule_is_not_the_same_request_as_a_change_now(bot: Bot) -> None:
    # An attacker review: "restart now" was pointed to the waiting daily schedule of the
    # same restart, and an approver told it was the restart would have started the
    # schedule instead.
    restart = "run restart_deployment deployment=checkout-api namespace=prod"
    scheduled = bot.say("alice", f'{restart} at "0 3 * * *" tz=UTC')[0]
    assert scheduled.kind == "plan" and scheduled.run is not None
    now = bot.say("alice", restart)[0]
    assert now.kind == "plan" and now.run is not None and now.run.id != scheduled.run.id
    # The same request again still points to the waiting one.
    again = bot.say("alice", restart)[0]
    assert again.kind == "answer" and now.run.id in again.text
