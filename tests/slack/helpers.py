"""Steps shared by the Slack flow tests."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from chatops.runs import Run
from chatops.slack.blocks import APPROVE
from tests.slack.conftest import Bot, eventually
from tests.slack.mock_slack import Call
from tests.slack.sender import TEAM, Response, Sender


def all_runs(bot: Bot) -> list[Run]:
    """Every run in the bot's database, oldest first."""
    rows = bot.service.store._db().execute("SELECT id FROM runs ORDER BY rowid").fetchall()
    return [r for row in rows if (r := bot.service.store.get(row["id"])) is not None]


def propose(bot: Bot, *, user: str = "U0BOB", namespace: str = "prod", replicas: int = 5,
            channel: str = "C0OPS", deployment: str = "checkout-api") -> Run:
    """`/ops run scale_deployment ...`; wait until its plan message is recorded on the run."""
    before = len(all_runs(bot))
    response = bot.sender.command(
        f"run scale_deployment deployment={deployment} namespace={namespace} "
        f"replicas={replicas}", user=user, channel=channel)
    assert response.status == 200

    def planned() -> Run | None:
        runs = all_runs(bot)
        return runs[-1] if len(runs) > before and runs[-1].message_ref else None

    run = eventually(planned, what="the plan message")
    assert isinstance(run, Run)
    return run


def message_ts(run: Run) -> str:
    """The ts of the run's Slack message."""
    assert run.message_ref
    return run.message_ref.split(":", 1)[1]


def scale_calls(cluster: object) -> list[tuple[str, bool, str | None]]:
    """The fake cluster's real (not dry-run) scale calls."""
    return [c for c in cluster.calls if c[0] == "scale" and not c[1]]  # type: ignore[attr-defined]


def race_clicks(clicks: list[tuple[Sender, str, str | None]], run_id: str,
                message_ts: str) -> None:
    """Click Approve on `run_id` from several senders at once: (sender, user, action_ts);
    the same action_ts twice is a Slack retry of one click, None a click of its own."""
    threads = [threading.Thread(target=sender.click, args=(APPROVE, run_id),
                                kwargs={"user": user, "channel": "C0OPS",
                                        "message_ts": message_ts, "action_ts": stamp})
               for sender, user, stamp in clicks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _choices_block(call: Call) -> dict[str, Any]:
    blocks = [b for b in call.args["blocks"] if b.get("type") == "actions"]
    assert len(blocks) == 1, call.args["blocks"]
    block: dict[str, Any] = blocks[0]
    return block


def _offered(call: Call) -> list[str]:
    return [str(e["value"]) for e in _choices_block(call)["elements"]]


def choose(bot: Bot, question: Call, value: str, *, user: str, element: int | None = None,
           action_ts: str | None = None) -> Response:
    """Click the choice `value` on the bot's message `question`, as Slack sends it (the
    message's blocks included). `element`: the button clicked, when it is not the one that
    carries `value` (a made-up payload)."""
    block = _choices_block(question)
    buttons = block["elements"]
    index = element if element is not None else _offered(question).index(value)
    channel, ts = question.args["channel"], question.ts
    return bot.sender.interaction({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
        "api_app_id": "A0APP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts,
                      "thread_ts": question.args["thread_ts"]},
        "message": {"ts": ts, "thread_ts": question.args["thread_ts"], "type": "message",
                    "user": "UBOT", "blocks": question.args["blocks"]},
        "actions": [{"type": "button", "action_id": buttons[index]["action_id"],
                     "block_id": block["block_id"], "value": value,
                     "action_ts": action_ts or f"{time.time():.6f}"}],
    })
