"""A listener that fails: the person gets a short answer with a reference id (no traceback),
the log has the traceback under that reference, and the app keeps serving. Through the real
Bolt app and the local Slack Web API."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from chatops.alerts import AlertEngine
from chatops.model import Message
from chatops.replies import Reply
from chatops.runbook.schema import SlotSpec
from chatops.runs import Run
from chatops.runtime import Runtime
from chatops.slack.ports import Conversation
from tests.slack.conftest import Bot
from tests.slack.mock_slack import Call
from tests.slack.sender import next_ts

# Every test here runs over HTTP and over Socket Mode (see tests/slack/conftest.py).
pytestmark = pytest.mark.transports()

SORRY = re.compile(r"Something went wrong on my side \(reference ([0-9a-f]{8})\)")


class Failing:
    """The runtime, except that messages saying `boom` and threads marked `boom` fail."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def service(self) -> Conversation:
        return self

    @property
    def alerts(self) -> AlertEngine | None:
        return self.runtime.alerts

    def handle(self, message: Message, *, on_update: Callable[[Reply], None] | None = None
               ) -> list[Reply]:
        if "boom" in message.text:
            raise RuntimeError("boom: internal detail")
        return self.runtime.service.handle(message, on_update=on_update)

    def decide(self, run_id: str, message: Message, decision: Any, **kw: Any) -> list[Reply]:
        return self.runtime.service.decide(run_id, message, decision, **kw)

    def edit(self, run_id: str, message: Message, slots: Any, **kw: Any) -> list[Reply]:
        return self.runtime.service.edit(run_id, message, slots, **kw)

    def claim(self, key: str) -> bool:
        return self.runtime.claim(key)

    def seen(self, key: str) -> bool:
        if key.endswith(":boom"):
            raise RuntimeError("seen: internal detail")
        return self.runtime.seen(key)

    def run(self, run_id: str) -> Run | None:
        return self.runtime.run(run_id)

    def slot_specs(self, runbook: str) -> Sequence[SlotSpec] | None:
        return self.runtime.slot_specs(runbook)


@pytest.fixture
def failing_bot(start_bot: Callable[..., Bot], fake_service: Any) -> Bot:
    return start_bot(fake_service, backend=Failing)


def responded(calls: list[Call], contains: str) -> list[Call]:
    return [c for c in calls if c.method.startswith("respond/") and contains in c.text()]


def logged_reference(caplog: pytest.LogCaptureFixture, reference: str) -> logging.LogRecord:
    records = [r for r in caplog.records
               if r.name == "chatops.slack.errors" and reference in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is not None
    return records[0]


def test_failing_command_answers_the_asker_with_a_reference(
        failing_bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="chatops.slack.errors")
    assert failing_bot.sender.command("boom", user="U0ALICE").status == 200
    answer = failing_bot.slack.wait(lambda calls: responded(calls, "went wrong"))[0]
    match = SORRY.search(answer.text())
    assert match is not None and answer.args["response_type"] == "ephemeral"
    assert "internal detail" not in answer.text() and "Traceback" not in answer.text()
    record = logged_reference(caplog, match.group(1))
    assert "boom: internal detail" in logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
    # The app keeps serving: the next command is answered as usual.
    failing_bot.sender.command("help", user="U0ALICE")
    failing_bot.slack.wait(lambda calls: responded(calls, "scale_deployment"))


def test_failing_matcher_goes_to_the_app_error_handler(
        failing_bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="chatops.slack.errors")
    root = next_ts()
    failing_bot.sender.message("status?", user="U0BOB", channel="C0OPS", thread_ts="boom",
                               ts=root)
    note = failing_bot.slack.wait_for("chat.postEphemeral", "went wrong")[0]
    assert note.args["user"] == "U0BOB" and note.args["channel"] == "C0OPS"
    assert note.args["thread_ts"] == "boom"
    match = SORRY.search(note.text())
    assert match is not None and "internal detail" not in note.text()
    logged_reference(caplog, match.group(1))
    # A mention elsewhere is still answered.
    failing_bot.sender.message("run deployment_status deployment=checkout-api namespace=prod",
                               user="U0BOB", channel="C0OPS", mention=True)
    failing_bot.slack.wait_for("chat.postMessage", "checkout-api")
