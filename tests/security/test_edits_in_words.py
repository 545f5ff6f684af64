"""An edit in words never turns a waiting plan into another change, through the real Bolt app.

An attacker review of session 37's edits: with a rollback to revision 1 waiting, "sorry,
scale it to 2 instead" (read as a scale to 2) was taken as a value edit of the rollback
(a rollback to revision 2, the first one cancelled); "actually, roll it back to revision 3
instead" turned a waiting scale into a scale to 3. A message that names a change of its
own is a request of its own: the waiting plan stays as it was."""

from __future__ import annotations

import pytest

from tests.conversation.fake_cluster import FakeCluster
from tests.security.test_creation_requests import Fooled
from tests.slack.conftest import Bot
from tests.slack.helpers import all_runs
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

ROLLBACK = "run rollback_deployment deployment=checkout-api namespace=prod revision=1"
SCALE = "run scale_deployment deployment=checkout-api namespace=prod replicas=5"


@pytest.mark.parametrize(("waiting", "text", "intent", "slots"), [
    (ROLLBACK, "sorry, scale it to 2 instead", "scale_deployment", {"replicas": "2"}),
    (SCALE, "actually, roll it back to revision 3 instead", "rollback_deployment",
     {"revision": "3"}),
])
def test_an_edit_naming_another_change_leaves_the_waiting_plan_as_it_was(
        bot: Bot, cluster: FakeCluster, waiting: str, text: str, intent: str,
        slots: dict[str, str]) -> None:
    root = next_ts()
    bot.sender.message(waiting, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "Approvals 0 of")
    wait_until_idle(bot)
    (first,) = all_runs(bot)
    bot.service.parser = Fooled(intent, slots)
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    wait_until_idle(bot)
    runs = all_runs(bot)
    kept = next(r for r in runs if r.id == first.id)
    assert kept.state.value == "proposed" and kept.raw_slots == first.raw_slots
    assert not [r for r in runs if r.runbook == first.runbook and r.id != first.id
                and r.raw_slots != first.raw_slots]
    assert not [c for c in cluster.calls if not c[1] and c[0] != "diagnose"]  # nothing ran
